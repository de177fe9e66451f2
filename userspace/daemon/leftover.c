// SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
/*
 * Leftovers: a call's GRE (nft map elements, or expectations and their
 * GRE conntracks) that a failed removal left in the kernel.
 *
 * A removal that fails leaves the call's GRE where it was, so the daemon
 * must not act as if it were gone:
 *
 *  - the inbound half still sends the translated ID's GRE to the call's
 *    inside host, so that ID stays taken until the half is gone: given to
 *    a new call, its add would meet the old element (same key: a no-op
 *    when the data is equal, EBUSY when not) and the call's GRE would go
 *    to the old host or nowhere;
 *  - the pinhole stays open, so the removal is tried again, every
 *    LEFTOVER_RETRY_S seconds, until it works or finds nothing there (an
 *    element that timed out, nobody refreshing it, is gone: that ends it
 *    too), rather than left to a timeout that a GRE conntrack, kept alive
 *    by its traffic, never reaches.
 *
 * Nor the other way round: a leftover a new call opens again (the same
 * inside host, peer and peer's call ID: pptpd numbers its calls from 0)
 * is that call's from then on, and not removed under it.
 */
#include <stdlib.h>

#include "session.h"

#define LEFTOVER_RETRY_S	1
#define LEFTOVER_BATCH		32	/* removals tried per retry: the queue waits meanwhile */

struct leftover {
	struct leftover *next;
	struct ngd_gre g;
	unsigned int maps;	/* NGD_MAP_* halves that may still be open */
	unsigned int flags;	/* LEFTOVER_* */
	bool owns_xid;		/* g.in_xid is ours to put back once the inbound half is gone */
};

static struct leftover *head, *tail;
static time_t last_try;

/* Keep @g's halves of @maps until a removal works (the first one just failed). */
void leftover_add(const struct ngd_gre *g, unsigned int maps, unsigned int flags)
{
	struct leftover *l = calloc(1, sizeof(*l));

	if (!l) {
		ngd_err("out of memory: the GRE of call %u stays until it times out", g->in_xid);
		return;
	}
	l->g = *g;
	l->maps = maps;
	l->flags = flags;
	if ((flags & LEFTOVER_TAKE_XID) && (maps & NGD_MAP_IN))
		l->owns_xid = xid_take(&g->public, &g->peer, g->in_xid) == 0;
	if (tail)
		tail->next = l;
	else
		head = l;
	tail = l;
	stats.gre_delete_pending++;
}

static bool same_in(const struct ngd_gre *a, const struct ngd_gre *b)
{
	return ngd_addr_eq(&a->peer, &b->peer) && ngd_addr_eq(&a->public, &b->public) &&
	       a->in_xid == b->in_xid;
}

static bool same_out(const struct ngd_gre *a, const struct ngd_gre *b)
{
	return ngd_addr_eq(&a->inside, &b->inside) && ngd_addr_eq(&a->peer, &b->peer) &&
	       a->peer_id == b->peer_id;
}

/*
 * The call that goes down with a leftover's inbound half gives its
 * translated ID back: true when a leftover still needs @xid, which then
 * keeps it until that half is gone.
 */
bool leftover_takes_xid(const struct ngd_addr *public, const struct ngd_addr *peer, uint16_t xid)
{
	struct ngd_gre key = { .public = *public, .peer = *peer, .in_xid = xid };
	struct leftover *l;

	for (l = head; l; l = l->next) {
		if ((l->maps & NGD_MAP_IN) && same_in(&l->g, &key)) {
			l->owns_xid = true;
			return true;
		}
	}
	return false;
}

/* Unlink @l (after @prev) and put back what it held; @gone: its GRE is no more. */
static void leftover_drop(struct leftover *prev, struct leftover *l, bool gone)
{
	if (prev)
		prev->next = l->next;
	else
		head = l->next;
	if (tail == l)
		tail = prev;
	if (l->owns_xid)
		xid_put(&l->g.public, &l->g.peer, l->g.in_xid);
	if (gone && (l->flags & LEFTOVER_PINHOLE))
		stats.pinholes_removed++;
	stats.gre_delete_pending--;
	free(l);
}

/* A new call opened @g's halves of @maps: leftovers with those keys are its now. */
void leftover_claim(const struct ngd_gre *g, unsigned int maps)
{
	struct leftover *l, *prev = NULL, *next;

	for (l = head; l; l = next) {
		next = l->next;
		if ((maps & NGD_MAP_OUT_ADDR) && same_out(&l->g, g))
			l->maps &= ~NGD_MAP_OUT_ADDR;
		if ((maps & NGD_MAP_IN) && same_in(&l->g, g)) {
			l->maps &= ~NGD_MAP_IN;
			l->owns_xid = false;	/* the new call holds it */
		}
		if (l->maps) {
			prev = l;
			continue;
		}
		leftover_drop(prev, l, false);
	}
}

/* Try @l's removal again; true when it worked. */
static bool leftover_remove(struct leftover *l)
{
	if (ngd_gre_update(&l->g, l->maps, 0, NULL) == 0) {
		ngd_info("GRE of call xid %u peer %u removed after all", l->g.in_xid, l->g.peer_id);
		return true;
	}
	stats.gre_delete_errors++;
	ngd_err_ratelimited("still cannot remove the GRE of call xid %u peer %u: tried again in %d s",
			    l->g.in_xid, l->g.peer_id, LEFTOVER_RETRY_S);
	return false;
}

/* Every LEFTOVER_RETRY_S: the oldest LEFTOVER_BATCH tried again, those that fail go last. */
void leftover_tick(time_t now)
{
	uint64_t n = stats.gre_delete_pending < LEFTOVER_BATCH ? stats.gre_delete_pending :
								LEFTOVER_BATCH;
	struct leftover *l;

	if (!head || now - last_try < LEFTOVER_RETRY_S)
		return;
	last_try = now;
	while (n-- && (l = head)) {
		if (leftover_remove(l)) {
			leftover_drop(NULL, l, true);
		} else if (l != tail) {
			head = l->next;
			l->next = NULL;
			tail->next = l;
			tail = l;
		}
	}
}

/* At exit: one last try each (they are no call's any more), then forget them. */
void leftover_shutdown(void)
{
	struct leftover *l;

	while ((l = head))
		leftover_drop(NULL, l, leftover_remove(l));
}
