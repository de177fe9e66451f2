// SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
/*
 * A call's GRE, as the core decides it (nat.h): each half opened as soon
 * as its receiver's ID is known, the whole call at CALL_UP, everything
 * closed at CALL_DOWN (after that packet's verdict: closing.c).
 *
 * Batched: the changes the packets of one turn of the queue ask for go to
 * the kernel together (nfqueue: one nft transaction; cthelper: one send of
 * ctnetlink requests, expect_batch.c), committed just before those
 * packets' verdicts, so each change is in place before the packet that
 * asked for it leaves.  A
 * client opening four calls at once sends four OCRQs, and each waited
 * behind the others' transactions; a burst of thousands of connections
 * did the same.  What follows from a change (a call counted up, or
 * refused) waits for its commit; anything that could pull a session or
 * call from under a waiting change commits first.
 */
#include <string.h>

#include "pptp_ng/nat.h"

#include "session.h"

static unsigned int calls_programmed;

enum op_kind {
	OP_HALF,	/* @add: a half opened before the call is up */
	OP_CALL,	/* the whole call, its early halves (@del) replaced */
};

struct gre_op {
	struct session *s;
	unsigned int slot;
	enum op_kind kind;
	unsigned int del, add;
	struct ngd_gre g;
	char comment[NGD_COMMENT_LEN];
};

static struct gre_op ops[NFT_REFRESH_MAX];
static unsigned int n_ops, n_op_calls;

/* The GRE mapping of the inside host's call ID @id, seen as @xid. */
static void gre_of(const struct session *s, uint16_t id, uint16_t xid, uint16_t peer_id,
		   struct ngd_gre *g)
{
	g->inside = s->inside;
	g->public = s->public;
	g->peer = s->peer;
	g->in_id = id;
	g->in_xid = xid;
	g->peer_id = peer_id;
	g->conn = s->c;
}

void sessions_call_programmed(struct session *s, unsigned int slot)
{
	s->ext[slot].programmed = true;
	calls_programmed++;
}

/*
 * Calls whose GRE is open.  Backend cthelper opens each with two kernel
 * expectations, taken from a table every helper of the netns shares: it
 * holds at most --max-expectations of it, so FTP, SIP and the rest keep
 * room whatever PPTP clients do.  Leftovers (leftover.c) and calls whose
 * closing waits (closing.c) hold theirs too.
 */
static bool expectation_room(void)
{
	uint64_t held = calls_programmed + n_op_calls + closing_held() + stats.gre_delete_pending;

	if (!ngd_active->expectations_per_call)
		return true;
	return ngd_active->expectations_per_call * (held + 1) <= cfg.max_expectations;
}

/*
 * Close @maps of @g, which no call needs any more: true when done, else
 * counted and logged, and leftover.c keeps them (LEFTOVER_* @flags) and
 * tries again until they are gone.  Forgetting them would be wrong both
 * ways: their translated ID given to a new call while the old element
 * still maps it, and a pinhole left open that nobody closes.
 */
bool gre_close_or_leave(const struct ngd_gre *g, unsigned int maps, unsigned int flags)
{
	return gre_closed_or_left(g, maps, flags, ngd_gre_update(g, maps, 0, NULL));
}

/* The same for a removal already tried, with result @ret (closing.c's batches). */
bool gre_closed_or_left(const struct ngd_gre *g, unsigned int maps, unsigned int flags, int ret)
{
	if (!ret)
		return true;
	stats.gre_delete_errors++;
	ngd_err_ratelimited("cannot remove the GRE of call xid %u peer %u: %s", g->in_xid,
			    g->peer_id, strerror(-ret));
	leftover_add(g, maps, flags);
	return false;
}

/*
 * A call came up without its GRE: refused.  What opened early goes too
 * (half a call is no call), or to leftover.c if even that fails.
 * Nothing reports the call up: no "call up" line, not in calls_up, state
 * "refused" in --status.  The core still tracks it, so its IDs stay
 * taken and its CCRQ and CDN are translated as usual.  Its peers believe
 * it up; its GRE finds no pinhole and PPP fails on it.
 */
static void refuse_call(struct call_ext *x, const char *comment, const char *why)
{
	if (x->early)
		gre_close_or_leave(&x->g, x->early, 0);
	x->early = 0;
	x->refused = true;
	ngd_err_ratelimited("call refused, no GRE for %s: %s", comment, why);
}

/* What follows from a change once the kernel took it (@ret 0) or refused it. */
static void op_done(const struct gre_op *op, int ret)
{
	struct call_ext *x = &op->s->ext[op->slot];

	x->pending = false;
	if (op->kind == OP_HALF) {
		/* Failing here refuses nothing: CALL_UP tries the whole call again. */
		if (ret < 0) {
			ngd_err_ratelimited("cannot add GRE mapping for call %u/%u",
					    op->g.in_id, op->g.peer_id);
			return;
		}
		x->early |= op->add;
		leftover_claim(&op->g, op->add);
		return;
	}
	if (ret < 0) {
		stats.calls_refused_gre_error++;
		refuse_call(x, op->comment, strerror(-ret));
		return;
	}
	x->early = 0;
	leftover_claim(&x->g, NGD_MAP_ALL);
	sessions_call_programmed(op->s, op->slot);
	stats.pinholes_added++;
	ngd_info("call up: %s", op->comment);
}

/* Every change asked for and not yet made, in one transaction, then what follows. */
void calls_commit(void)
{
	struct ngd_gre_change ch[NFT_REFRESH_MAX];
	struct gre_op done[NFT_REFRESH_MAX];
	unsigned int i, n = n_ops;

	if (!n)
		return;
	memcpy(done, ops, n * sizeof(*ops));
	n_ops = n_op_calls = 0;
	for (i = 0; i < n; i++)
		ch[i] = (struct ngd_gre_change){
			.g = done[i].g, .del = done[i].del, .add = done[i].add,
			.comment = done[i].kind == OP_CALL ? done[i].comment : NULL,
		};
	ngd_gre_batch(ch, n);
	for (i = 0; i < n; i++)
		op_done(&done[i], ch[i].ret);
}

/* Ask for a change: made at once by a backend without batches, else at the commit. */
static void op_add(struct session *s, const struct pptp_call *call, enum op_kind kind,
		   const struct ngd_gre *g, unsigned int del, unsigned int add, const char *comment)
{
	struct gre_op op = {
		.s = s, .slot = (unsigned int)(call - s->calls), .kind = kind,
		.del = del, .add = add, .g = *g,
	};

	if (comment)
		snprintf(op.comment, sizeof(op.comment), "%s", comment);
	if (!ngd_active->gre_batch) {
		op_done(&op, ngd_gre_update(g, del, add, comment));
		return;
	}
	/* a call that ended before goes first: this change may reopen its elements */
	closing_run();
	if (n_ops == NFT_REFRESH_MAX)
		calls_commit();
	s->ext[op.slot].pending = true;
	n_op_calls += kind == OP_CALL;
	ops[n_ops++] = op;
}

/*
 * A side named its ID before the call is up: the GRE to it opens now (the
 * core's decision, nat.h).  A peer may send GRE right after its reply,
 * while that reply still waits in our queue for the CALL_UP it causes;
 * each half depends on one side's ID only, so no other call's GRE can
 * match it.
 */
void call_half(struct session *s, const struct pptp_call *call, u8 role)
{
	struct pptp_gre_half h[2];
	unsigned int open = pptp_gre_halves(&s->t, call, h) & pptp_gre_to(role);
	const struct pptp_gre_half *half = open == PPTP_GRE_TO_PAC ? &h[0] : &h[1];
	struct ngd_gre g;

	if (!open || !expectation_room())
		return;		/* the call would find no room at CALL_UP either */
	if (half->dir == s->inside_dir) {	/* the inside host sends: outbound */
		gre_of(s, 0, 0, half->key_wire, &g);
		op_add(s, call, OP_HALF, &g, 0, NGD_MAP_OUT_ADDR, NULL);
	} else {
		gre_of(s, half->key_deliver, half->key_wire, 0, &g);
		op_add(s, call, OP_HALF, &g, 0, NGD_MAP_IN, NULL);
	}
}

void call_up(struct session *s, const struct pptp_call *call)
{
	struct call_ext *x = &s->ext[call - s->calls];
	const struct pptp_gre_half *in, *out;
	struct pptp_gre_half h[2];
	char comment[NGD_COMMENT_LEN];

	/* Which GRE opens, both halves: the core's decision (nat.h). */
	if (pptp_gre_halves(&s->t, call, h) != PPTP_GRE_BOTH)
		return;
	if (x->pending)
		calls_commit();		/* its halves: x->early must be what the kernel holds */
	out = h[0].dir == s->inside_dir ? &h[0] : &h[1];	/* the inside host sends */
	in = out == &h[0] ? &h[1] : &h[0];			/* the peer sends */
	gre_of(s, in->key_deliver, in->key_wire, out->key_wire, &x->g);
	call_comment(s, &x->g, comment, sizeof(comment));
	if (!expectation_room()) {
		stats.expect_refused++;
		refuse_call(x, comment, "--max-expectations reached");
		return;
	}
	/* The halves opened early give way to the commented set, in one transaction. */
	op_add(s, call, OP_CALL, &x->g, x->early, NGD_MAP_ALL, comment);
}

/* The call's end: its GRE closed (or left to leftover.c), its translated ID given back. */
void call_down(struct session *s, const struct pptp_call *call)
{
	struct call_ext *x = &s->ext[call - s->calls];
	u8 inside_role = s->t.role[s->inside_dir];
	unsigned int open;
	struct ngd_gre g;

	if (x->pending)
		calls_commit();		/* what it waits for is this call's */
	open = x->programmed ? NGD_MAP_ALL : x->early;
	g = x->g;
	if (!x->programmed && inside_role <= PPTP_PAC)
		/* never came up: whichever half was programmed early */
		gre_of(s, call->id[inside_role], call->xid[inside_role],
		       call->xid[!inside_role], &g);
	if (x->programmed) {
		calls_programmed--;
		ngd_info("call down: id %u xid %u", x->g.in_id, x->g.in_xid);
	}
	/* after this packet's verdict (closing.c); the inside host's IDs are the ones map_id registered */
	closing_add(&g, open, x->programmed ? LEFTOVER_PINHOLE : 0, x->programmed,
		    inside_role <= PPTP_PAC && call->has_id[inside_role],
		    inside_role <= PPTP_PAC ? call->xid[inside_role] : 0);
	x->early = 0;
	x->programmed = false;
	x->refused = false;
}
