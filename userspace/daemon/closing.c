// SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
/*
 * Closings: a call's GRE is closed after the verdict of the packet that
 * ended the call, not before it.
 *
 * A CDN (or a StopCCRP, a RST) waited in the queue for the nft
 * transaction or ctnetlink request that closes its calls: the one wait on
 * a CCRQ's round trip, and 40% of the requests of a typical session.
 * Nothing needs the GRE gone before the peers learn the call is over: a
 * packet of the call that crosses the firewall in between passes, as it
 * did a moment earlier.  What must not change is the order of the
 * daemon's own work: a closing always runs before any later change to
 * the GRE (a new call may reopen the very same element), and the call's
 * translated ID is given back only after it, so that a failed removal
 * can still keep it (leftover.c).  The closings of one read from the
 * queue run together after all its verdicts: a client clearing its calls
 * at once ends them in one read.
 */
#include "session.h"

#define CLOSING_MAX	256	/* a read's worth; a longer list runs at once, before the verdicts */

struct closing {
	struct ngd_gre g;
	unsigned int maps;	/* NGD_MAP_* to close */
	unsigned int flags;	/* LEFTOVER_* should the removal fail */
	bool was_up;		/* pinholes_removed once gone */
	bool release_xid;	/* then xid goes back to the pool */
	uint16_t xid;
};

static struct closing list[CLOSING_MAX];
static unsigned int n_list;
static bool running;

/* What follows from a removal tried with result @ret. */
static void closing_done(const struct closing *c, int ret)
{
	if (c->maps && gre_closed_or_left(&c->g, c->maps, c->flags, ret) && c->was_up)
		stats.pinholes_removed++;
	if (c->release_xid)
		xid_release(&c->g.public, &c->g.peer, c->xid);
}

static void closing_do(const struct closing *c)
{
	closing_done(c, c->maps ? ngd_gre_update(&c->g, c->maps, 0, NULL) : 0);
}

/*
 * @n closings in one transaction where the backend takes batches (a
 * client clearing its calls at once ends them in one read), in order.
 */
static void closing_batch(const struct closing *c, unsigned int n)
{
	struct ngd_gre_change ch[NFT_REFRESH_MAX];
	unsigned int i, k = 0;

	for (i = 0; i < n; i++)
		if (c[i].maps)
			ch[k++] = (struct ngd_gre_change){ .g = c[i].g, .del = c[i].maps };
	if (k)
		ngd_gre_batch(ch, k);
	for (i = 0, k = 0; i < n; i++)
		closing_done(&c[i], c[i].maps ? ch[k++].ret : 0);
}

/* Every closing waiting, in the order the calls ended. */
void closing_run(void)
{
	unsigned int i, n;

	if (running)
		return;
	running = true;
	for (i = 0; i < n_list; i += n) {
		n = n_list - i < NFT_REFRESH_MAX ? n_list - i : NFT_REFRESH_MAX;
		closing_batch(&list[i], n);
	}
	n_list = 0;
	running = false;
}

/* Calls that ended whose GRE (expectations too) is still there. */
unsigned int closing_held(void)
{
	return n_list;
}

/*
 * Close @maps of @g (a call that ended) once the verdicts of the packets
 * read so far are out; @release_xid: then give @xid back.
 */
void closing_add(const struct ngd_gre *g, unsigned int maps, unsigned int flags, bool was_up,
		 bool release_xid, uint16_t xid)
{
	struct closing c = {
		.g = *g, .maps = maps, .flags = flags, .was_up = was_up,
		.release_xid = release_xid, .xid = xid,
	};

	if (n_list == CLOSING_MAX)
		closing_run();
	if (n_list == CLOSING_MAX) {	/* full while it runs: now */
		closing_do(&c);
		return;
	}
	list[n_list++] = c;		/* a running list takes it in turn */
}
