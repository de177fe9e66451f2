// SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
/*
 * NAT plans: which fields the tracker rewrites, in which message, from
 * what to what, when map_id translates the PNS's IDs, the PAC's, or both.
 * The rule (core.h): the sender's own Call ID goes id -> xid, a field
 * naming the receiver's ID goes xid -> id.  Each plan is written out field
 * by field with the RFC 2637 offsets as numbers; every plan runs with the
 * PNS on dir 0 (it opened the control connection) and on dir 1 (the PAC
 * did).  Then: retransmitted segments, segments from the future.
 */
#include "harness.h"

#define PNS	PPTP_PNS
#define PAC	PPTP_PAC
#define AN(x)	(PPTP_AN_##x + 1)
#define NONE	0, { { 0, 0, 0 } }	/* no rewrite */

struct rw {
	u8 off;
	u16 old_val;
	u16 new_val;
};

struct plan_step {
	u8 from;
	u16 type;
	u16 a, peer;	/* field at 12 and Peer's Call ID at 14, as sent */
	u8 result;
	u8 down;	/* CALL_DOWN events expected */
	u8 anomaly;	/* AN(x) expected, 0 none */
	u8 n_rw;
	struct rw rw[2];
};

/* IDs: P* the PNS's, C* the PAC's; X* = PNS_X(P*), Y* = PAC_X(C*). */
#define P1 0x0100
#define P2 0x0101
#define P3 0x0102
#define C1 0x0200
#define C2 0x0201
#define C3 0x0202
#define X1 PNS_X(P1)
#define X2 PNS_X(P2)
#define X3 PNS_X(P3)
#define Y1 PAC_X(C1)
#define Y2 PAC_X(C2)
#define Y3 PAC_X(C3)
#define NOBODY 0x0999

/* A NAT in front of the PNS: only PNS IDs change. */
static const struct plan_step plan_pns[] = {
	{ PNS, PPTP_OCRQ, P1, 0, 0, 0, 0, 1, { { 12, P1, X1 } } },
	{ PAC, PPTP_OCRP, C1, X1, 1, 0, 0, 1, { { 14, X1, P1 } } },
	{ PNS, PPTP_SLI, C1, 0, 0, 0, 0, NONE },
	{ PAC, PPTP_SLI, X1, 0, 0, 0, 0, 1, { { 12, X1, P1 } } },
	{ PAC, PPTP_WEN, X1, 0, 0, 0, 0, 1, { { 12, X1, P1 } } },
	{ PNS, PPTP_ECHORQ, X1, 0, 0, 0, 0, NONE },
	{ PAC, PPTP_ECHORP, P1, 0, 1, 0, 0, NONE },
	{ PNS, PPTP_CCRQ, P1, 0, 0, 0, 0, 1, { { 12, P1, X1 } } },
	/* CDN holding the PNS's ID, as real PACs send it. */
	{ PAC, PPTP_CDN, X1, 0, 4, 1, 0, 1, { { 12, X1, P1 } } },
	{ PAC, PPTP_ICRQ, C2, 0, 0, 0, 0, NONE },
	{ PNS, PPTP_ICRP, P2, C2, 1, 0, 0, 1, { { 12, P2, X2 } } },
	{ PAC, PPTP_ICCN, X2, 0, 0, 0, 0, 1, { { 12, X2, P2 } } },
	{ PNS, PPTP_SLI, C2, 0, 0, 0, 0, NONE },
	/* CDN holding the PAC's own ID, as the RFC says: not translated. */
	{ PAC, PPTP_CDN, C2, 0, 1, 1, 0, NONE },
	{ PNS, PPTP_OCRQ, P3, 0, 0, 0, 0, 1, { { 12, P3, X3 } } },
	{ PAC, PPTP_OCRP, C3, X3, 1, 0, 0, 1, { { 14, X3, P3 } } },
	{ PAC, PPTP_CDN, NOBODY, 0, 1, 0, AN(CDN_UNKNOWN_ID), NONE },
	{ PAC, PPTP_CDN, X3, 0, 1, 1, 0, 1, { { 12, X3, P3 } } },
	{ PNS, PPTP_STOPCCRQ, 0, 0, 0, 0, 0, NONE },
	{ PAC, PPTP_STOPCCRP, 0, 0, 0, 0, 0, NONE },
};

/* A NAT in front of the PAC: only PAC IDs change. */
static const struct plan_step plan_pac[] = {
	{ PNS, PPTP_OCRQ, P1, 0, 0, 0, 0, NONE },
	{ PAC, PPTP_OCRP, C1, P1, 1, 0, 0, 1, { { 12, C1, Y1 } } },
	{ PNS, PPTP_SLI, Y1, 0, 0, 0, 0, 1, { { 12, Y1, C1 } } },
	{ PAC, PPTP_SLI, P1, 0, 0, 0, 0, NONE },
	{ PAC, PPTP_WEN, P1, 0, 0, 0, 0, NONE },
	{ PNS, PPTP_CCRQ, P1, 0, 0, 0, 0, NONE },
	{ PAC, PPTP_CDN, P1, 0, 4, 1, 0, NONE },
	{ PAC, PPTP_ICRQ, C2, 0, 0, 0, 0, 1, { { 12, C2, Y2 } } },
	{ PNS, PPTP_ICRP, P2, Y2, 1, 0, 0, 1, { { 14, Y2, C2 } } },
	{ PAC, PPTP_ICCN, P2, 0, 0, 0, 0, NONE },
	{ PNS, PPTP_SLI, Y2, 0, 0, 0, 0, 1, { { 12, Y2, C2 } } },
	{ PAC, PPTP_CDN, C2, 0, 1, 1, 0, 1, { { 12, C2, Y2 } } },
	{ PNS, PPTP_OCRQ, P3, 0, 0, 0, 0, NONE },
	{ PAC, PPTP_OCRP, C3, P3, 1, 0, 0, 1, { { 12, C3, Y3 } } },
	{ PAC, PPTP_CDN, NOBODY, 0, 1, 0, AN(CDN_UNKNOWN_ID), NONE },
	{ PAC, PPTP_CDN, C3, 0, 1, 1, 0, 1, { { 12, C3, Y3 } } },
};

/* NATs on both sides. */
static const struct plan_step plan_both[] = {
	{ PNS, PPTP_OCRQ, P1, 0, 0, 0, 0, 1, { { 12, P1, X1 } } },
	{ PAC, PPTP_OCRP, C1, X1, 1, 0, 0, 2, { { 12, C1, Y1 }, { 14, X1, P1 } } },
	{ PNS, PPTP_SLI, Y1, 0, 0, 0, 0, 1, { { 12, Y1, C1 } } },
	{ PAC, PPTP_SLI, X1, 0, 0, 0, 0, 1, { { 12, X1, P1 } } },
	{ PAC, PPTP_WEN, X1, 0, 0, 0, 0, 1, { { 12, X1, P1 } } },
	{ PNS, PPTP_CCRQ, P1, 0, 0, 0, 0, 1, { { 12, P1, X1 } } },
	{ PAC, PPTP_CDN, X1, 0, 4, 1, 0, 1, { { 12, X1, P1 } } },
	{ PAC, PPTP_ICRQ, C2, 0, 0, 0, 0, 1, { { 12, C2, Y2 } } },
	{ PNS, PPTP_ICRP, P2, Y2, 1, 0, 0, 2, { { 12, P2, X2 }, { 14, Y2, C2 } } },
	{ PAC, PPTP_ICCN, X2, 0, 0, 0, 0, 1, { { 12, X2, P2 } } },
	{ PAC, PPTP_CDN, C2, 0, 1, 1, 0, 1, { { 12, C2, Y2 } } },
	{ PAC, PPTP_CDN, NOBODY, 0, 1, 0, AN(CDN_UNKNOWN_ID), NONE },
};

static void check_step(struct world *w, const struct plan_step *s, unsigned int i,
		       const u8 *orig, const u8 *got, u16 len)
{
	u8 want[PPTP_MSG_MAX_LEN];
	unsigned int k;

	memcpy(want, orig, len);
	if (n_last(w, PPTP_EV_REWRITE) != s->n_rw)
		fail_msg("step %u (%s from %s): %u rewrites, want %u", i,
			 pptp_msg_name(s->type), pptp_role_name(s->from),
			 n_last(w, PPTP_EV_REWRITE), s->n_rw);
	for (k = 0; k < s->n_rw; k++) {
		const struct rw *r = &s->rw[k];
		const struct rec_event *e = NULL;
		unsigned int j;

		for (j = 0; j < s->n_rw; j++) {
			e = ev_last(w, PPTP_EV_REWRITE, j);
			if (e->ev.field_off == r->off)
				break;
		}
		if (j == s->n_rw)
			fail_msg("step %u (%s): no rewrite at offset %u", i,
				 pptp_msg_name(s->type), r->off);
		assert_int_equal(e->ev.msg_type, s->type);
		assert_int_equal(e->ev.old_val, r->old_val);
		assert_int_equal(e->ev.new_val, r->new_val);
		if (e->ev.role != s->from)
			fail_msg("step %u (%s): REWRITE role %s, want %s", i,
				 pptp_msg_name(s->type), pptp_role_name(e->ev.role),
				 pptp_role_name(s->from));
		/* The whole message is in this segment: both bytes, in place. */
		assert_int_equal(e->ev.seg_off, r->off);
		assert_int_equal(e->ev.nbytes, 2);
		assert_int_equal(e->ev.first, 0);
		put16(want + r->off, r->new_val);
	}
	/* Nothing else moved. */
	assert_memory_equal(got, want, len);
	assert_int_equal(n_last(w, PPTP_EV_CALL_DOWN), s->down);
	if (s->anomaly)
		assert_int_equal(n_reason(w, PPTP_EV_ANOMALY, s->anomaly - 1), 1);
	else
		assert_int_equal(n_last(w, PPTP_EV_ANOMALY), 0);
	assert_int_equal(n_last(w, PPTP_EV_INVALID), 0);
	assert_int_equal(n_last(w, PPTP_EV_REFUSED), 0);
}

static void run_plan(enum map_mode mode, const struct plan_step *plan, unsigned int n)
{
	unsigned int pns_dir, i;

	for (pns_dir = 0; pns_dir < 2; pns_dir++) {
		/* dir 0 always opens the control connection. */
		struct world *w = w_new(mode, 4, 0);

		w_session_up(w, 0);
		assert_int_equal(count_from(w, 0, PPTP_EV_REWRITE), 0);	/* SCCRQ, SCCRP */
		for (i = 0; i < n; i++) {
			const struct plan_step *s = &plan[i];
			unsigned int dir = s->from == PNS ? pns_dir : !pns_dir;
			u8 b[PPTP_MSG_MAX_LEN], orig[PPTP_MSG_MAX_LEN];
			u16 len = mk_any(b, s->type, s->a, s->peer, s->result);

			memcpy(orig, b, len);
			w_send(w, dir, b);
			check_step(w, s, i, orig, b, len);
		}
		assert_int_equal(w->t.role[pns_dir], PNS);
		assert_int_equal(w->t.role[!pns_dir], PAC);
		w_free(w);
	}
}

static void test_plan_pns_nat(void **state)
{
	(void)state;
	run_plan(MAP_PNS, plan_pns, PPTP_ARRAY_SIZE(plan_pns));
}

static void test_plan_pac_nat(void **state)
{
	(void)state;
	run_plan(MAP_PAC, plan_pac, PPTP_ARRAY_SIZE(plan_pac));
}

static void test_plan_both_nat(void **state)
{
	(void)state;
	run_plan(MAP_BOTH, plan_both, PPTP_ARRAY_SIZE(plan_both));
}

/* Without translation (no map_id, or one that keeps IDs) nothing is rewritten. */
static void test_plan_no_nat(void **state)
{
	static const struct plan_step plan_none[] = {
		{ PNS, PPTP_OCRQ, P1, 0, 0, 0, 0, NONE },
		{ PAC, PPTP_OCRP, C1, P1, 1, 0, 0, NONE },
		{ PNS, PPTP_SLI, C1, 0, 0, 0, 0, NONE },
		{ PAC, PPTP_SLI, P1, 0, 0, 0, 0, NONE },
		{ PAC, PPTP_WEN, P1, 0, 0, 0, 0, NONE },
		{ PNS, PPTP_CCRQ, P1, 0, 0, 0, 0, NONE },
		{ PAC, PPTP_CDN, C1, 0, 4, 1, 0, NONE },
		{ PAC, PPTP_ICRQ, C2, 0, 0, 0, 0, NONE },
		{ PNS, PPTP_ICRP, P2, C2, 1, 0, 0, NONE },
		{ PAC, PPTP_ICCN, P2, 0, 0, 0, 0, NONE },
		{ PAC, PPTP_CDN, P2, 0, 1, 1, 0, NONE },
	};

	(void)state;
	run_plan(MAP_NULL, plan_none, PPTP_ARRAY_SIZE(plan_none));
	run_plan(MAP_KEEP, plan_none, PPTP_ARRAY_SIZE(plan_none));
}

/*
 * The rewrite is decided at 16 bytes and validity is settled by the
 * header, so nothing later can take the decision back: an OCRQ whose
 * Reserved1 (offset 38) turns out bad after its Call ID went out rewritten
 * is an anomaly, and its call is tracked under the ID the peer now knows.
 */
static void test_reserved_after_decision(void **state)
{
	struct world *w = w_new(MAP_PNS, 4, 0);
	struct pptp_call *c;
	u8 b[PPTP_MSG_MAX_LEN];

	(void)state;
	w_session_up(w, 0);
	mk_ocrq(b, P1, 1);
	b[39] = 1;
	w_feed(w, 0, b, 20);
	assert_int_equal(n_last(w, PPTP_EV_REWRITE), 1);
	assert_int_equal(get16(b + 12), X1);
	w_feed(w, 0, b + 20, 148);
	assert_int_equal(n_reason(w, PPTP_EV_ANOMALY, PPTP_AN_RESERVED), 1);
	assert_int_equal(n_last(w, PPTP_EV_UNMAP), 0);
	c = pptp_find_by_id(&w->t, PNS, P1);
	assert_non_null(c);
	assert_int_equal(c->xid[PNS], X1);
	w_free(w);
}

static void assert_same_rewrite(const struct rec_event *a, const struct rec_event *b)
{
	assert_int_equal(a->ev.msg_type, b->ev.msg_type);
	assert_int_equal(a->ev.field_off, b->ev.field_off);
	assert_int_equal(a->ev.old_val, b->ev.old_val);
	assert_int_equal(a->ev.new_val, b->ev.new_val);
	assert_int_equal(a->ev.seg_off, b->ev.seg_off);
	assert_int_equal(a->ev.nbytes, b->ev.nbytes);
	assert_int_equal(a->ev.first, b->ev.first);
	assert_memory_equal(a->ev.bytes, b->ev.bytes, a->ev.nbytes);
}

static void test_retransmit_same_rewrites(void **state)
{
	struct world *w = w_new(MAP_BOTH, 4, 0);
	u8 seg[168 + 32], first[sizeof(seg)], again[sizeof(seg)];
	unsigned int n_first, first_at, k;
	u32 seq;

	(void)state;
	w_session_up(w, 0);
	mk_ocrq(seg, P1, 1);
	w_send(w, 0, seg);
	seq = w->seq[1];
	mk_ocrp(seg, C1, X1, 1);			/* 2 rewrites */
	mk_sli(seg + 32, X1);				/* 1 rewrite */
	memcpy(again, seg, sizeof(seg));
	w_feed(w, 1, seg, 32 + 24);
	memcpy(first, seg, 32 + 24);
	first_at = w->mark;
	n_first = n_last(w, PPTP_EV_REWRITE);
	assert_int_equal(n_first, 3);

	assert_int_equal(w_feed_at(w, 1, seq, again, 32 + 24), PPTP_FEED_OK);
	assert_int_equal(n_last(w, PPTP_EV_REWRITE), 3);
	for (k = 0; k < 3; k++) {
		const struct rec_event *a = find_from(w, first_at, PPTP_EV_REWRITE, k);
		unsigned int j;

		for (j = 0; j < 3; j++)
			if (ev_last(w, PPTP_EV_REWRITE, j)->ev.seg_off == a->ev.seg_off)
				break;
		assert_true(j < 3);
		assert_same_rewrite(a, ev_last(w, PPTP_EV_REWRITE, j));
	}
	assert_memory_equal(again, first, 32 + 24);
	assert_int_equal(n_last(w, PPTP_EV_MESSAGE), 0);
	assert_int_equal(n_last(w, PPTP_EV_CALL_UP), 0);
	assert_int_equal(n_last(w, PPTP_EV_ANOMALY), 0);
	assert_int_equal(w->t.cnt.messages[1][PPTP_OCRP], 1);
	assert_int_equal(w->t.cnt.calls_up, 1);
	assert_int_equal(w->t.cnt.retransmitted[1], 56);
	w_free(w);
}

/* Retransmissions cut elsewhere: offsets follow the new segment. */
static void test_retransmit_other_cuts(void **state)
{
	struct world *w = w_new(MAP_PNS, 4, 0);
	u8 seg[16 + 168], orig[16 + 168], part[64];
	const struct rec_event *e;
	u32 seq;

	(void)state;
	w_session_up(w, 0);
	seq = w->seq[0];
	mk_echorq(seg, 5);
	mk_ocrq(seg + 16, P1, 1);
	memcpy(orig, seg, sizeof(seg));
	w_feed(w, 0, seg, sizeof(seg));
	assert_int_equal(n_last(w, PPTP_EV_REWRITE), 1);
	assert_int_equal(ev_last(w, PPTP_EV_REWRITE, 0)->ev.seg_off, 16 + 12);

	/* Bytes 10..39: the Call ID sits at 28-29 of the stream, 18 here. */
	memcpy(part, orig + 10, 30);
	w_feed_at(w, 0, seq + 10, part, 30);
	e = ev_last(w, PPTP_EV_REWRITE, 0);
	assert_int_equal(n_last(w, PPTP_EV_REWRITE), 1);
	assert_int_equal(e->ev.seg_off, 18);
	assert_int_equal(e->ev.nbytes, 2);
	assert_int_equal(get16(part + 18), X1);

	/* Bytes 29..60: only the Call ID's second byte. */
	memcpy(part, orig + 29, 32);
	w_feed_at(w, 0, seq + 29, part, 32);
	e = ev_last(w, PPTP_EV_REWRITE, 0);
	assert_int_equal(n_last(w, PPTP_EV_REWRITE), 1);
	assert_int_equal(e->ev.seg_off, 0);
	assert_int_equal(e->ev.nbytes, 1);
	assert_int_equal(e->ev.first, 1);
	assert_int_equal(part[0], (u8)X1);

	/* Bytes 0..15, the Echo-Request: nothing to do. */
	memcpy(part, orig, 16);
	w_feed_at(w, 0, seq, part, 16);
	assert_int_equal(w->n - w->mark, 0);
	assert_memory_equal(part, orig, 16);
	assert_int_equal(w->t.cnt.messages[0][PPTP_OCRQ], 1);
	assert_int_equal(w->t.live_calls, 1);
	w_free(w);
}

/* A segment repeating old bytes and carrying new ones: both handled. */
static void test_retransmit_overlapping_new(void **state)
{
	struct world *w = w_new(MAP_PNS, 4, 0);
	u8 seg[2 * 168];
	u32 seq;

	(void)state;
	w_session_up(w, 0);
	seq = w->seq[0];
	mk_ocrq(seg, P1, 1);
	w_feed(w, 0, seg, 168);
	mk_ocrq(seg, P1, 1);				/* the original bytes again */
	mk_ocrq(seg + 168, P2, 2);
	assert_int_equal(w_feed_at(w, 0, seq, seg, sizeof(seg)), PPTP_FEED_OK);
	assert_int_equal(n_last(w, PPTP_EV_REWRITE), 2);
	assert_int_equal(n_last(w, PPTP_EV_MESSAGE), 1);
	assert_int_equal(ev_last(w, PPTP_EV_MESSAGE, 0)->ev.msg_seq, seq + 168);
	assert_int_equal(get16(seg + 12), X1);
	assert_int_equal(get16(seg + 168 + 12), X2);
	assert_int_equal(w->t.live_calls, 2);
	assert_int_equal(w->t.cnt.retransmitted[0], 168);
	w_free(w);
}

/* A retransmission whose bytes differ from the first copy is reported. */
static void test_retransmit_mismatch(void **state)
{
	struct world *w = w_new(MAP_PNS, 4, 0);
	u8 b[PPTP_MSG_MAX_LEN];
	u32 seq;

	(void)state;
	w_session_up(w, 0);
	seq = w->seq[0];
	mk_ocrq(b, P1, 1);
	w_send(w, 0, b);
	mk_ocrq(b, P2, 1);
	w_feed_at(w, 0, seq, b, 168);
	assert_int_equal(n_reason(w, PPTP_EV_ANOMALY, PPTP_AN_RETRANS_MISMATCH), 1);
	assert_int_equal(n_last(w, PPTP_EV_REWRITE), 0);
	assert_int_equal(get16(b + 12), P2);
	assert_int_equal(w->t.live_calls, 1);
	w_free(w);
}

/*
 * The first copy of an OCRQ's head went out before the tracker could
 * decide (13 bytes: one byte of the Call ID).  Its retransmission brings
 * the rest: the ID is left whole as the PAC already saw half of it, and
 * the call is not tracked, so no GRE is ever steered by an ID the NAT
 * does not translate.
 */
static void test_retransmit_completes_split_head(void **state)
{
	struct world *w = w_new(MAP_PNS, 4, 0);
	u8 b[PPTP_MSG_MAX_LEN];
	u32 seq;

	(void)state;
	w_session_up(w, 0);
	seq = w->seq[0];
	mk_ocrq(b, P1, 1);
	w_feed_at(w, 0, seq, b, 13);
	assert_int_equal(n_last(w, PPTP_EV_REWRITE), 0);
	w_feed_at(w, 0, seq, b, 168);
	assert_int_equal(n_reason(w, PPTP_EV_ANOMALY, PPTP_AN_SPLIT_FIELD), 1);
	assert_int_equal(n_last(w, PPTP_EV_REWRITE), 0);
	assert_int_equal(n_last(w, PPTP_EV_UNMAP), 1);
	assert_int_equal(get16(b + 12), P1);
	assert_int_equal(w->t.live_calls, 0);
	w_free(w);
}

/* The last PPTP_REWRITE_LOG rewrites of a direction are replayed. */
static void test_retransmit_log_depth(void **state)
{
	struct world *w = w_new(MAP_PNS, 4, 0);
	u8 b[PPTP_MSG_MAX_LEN];
	unsigned int i;
	u32 seq;

	(void)state;
	w_session_up(w, 0);
	w_out_call(w, 0, P1, C1);
	seq = w->seq[1];
	for (i = 0; i < PPTP_REWRITE_LOG; i++) {
		mk_sli(b, X1);
		w_send(w, 1, b);
		assert_int_equal(n_last(w, PPTP_EV_REWRITE), 1);
	}
	mk_sli(b, X1);		/* the oldest of them, again */
	w_feed_at(w, 1, seq, b, 24);
	assert_int_equal(n_last(w, PPTP_EV_REWRITE), 1);
	assert_int_equal(get16(b + 12), P1);
	w_free(w);
}

/*
 * Older than the log: pptp_feed promises the retransmission is "changed
 * exactly like the first copy".  If the tracker cannot keep that promise
 * it must at least say so, never pass the untranslated ID silently.
 */
static void test_retransmit_beyond_log(void **state)
{
	struct world *w = w_new(MAP_PNS, 4, 0);
	u8 b[PPTP_MSG_MAX_LEN];
	unsigned int i;
	u32 seq;

	(void)state;
	w_session_up(w, 0);
	w_out_call(w, 0, P1, C1);
	seq = w->seq[1];
	for (i = 0; i <= PPTP_REWRITE_LOG; i++) {
		mk_sli(b, X1);
		w_send(w, 1, b);
	}
	mk_sli(b, X1);
	w_feed_at(w, 1, seq, b, 24);
	assert_int_equal(n_reason(w, PPTP_EV_ANOMALY, PPTP_AN_RETRANS_STALE), 1);
	if (get16(b + 12) != P1 && !n_last(w, PPTP_EV_ANOMALY))
		fail_msg("retransmitted SLI left with Peer's Call ID %#x (want %#x), "
			 "and no anomaly reported", get16(b + 12), P1);
	w_free(w);
}

static void test_future_segment(void **state)
{
	struct world *w = w_new(MAP_PNS, 4, 0);
	struct pptp_tracker before;
	u8 b[PPTP_MSG_MAX_LEN];
	u32 seq;

	(void)state;
	w_session_up(w, 0);
	seq = w->seq[0];
	mk_ocrq(b, P1, 1);
	before = w->t;
	assert_int_equal(w_feed_at(w, 0, seq + 50, b + 50, 118), PPTP_FEED_FUTURE);
	assert_int_equal(w->n - w->mark, 0);
	assert_int_equal(w->t.cnt.future_segments[0], 1);
	assert_int_equal(w->t.cnt.bytes[0], before.cnt.bytes[0]);
	assert_int_equal(w->t.dir[0].next_seq, before.dir[0].next_seq);
	assert_int_equal(w->t.live_calls, 0);
	/* Filling the gap, then the same segment again, works as usual. */
	assert_int_equal(w_feed_at(w, 0, seq, b, 50), PPTP_FEED_OK);
	assert_int_equal(n_last(w, PPTP_EV_REWRITE), 1);
	assert_int_equal(w_feed_at(w, 0, seq + 50, b + 50, 118), PPTP_FEED_OK);
	assert_int_equal(n_last(w, PPTP_EV_MESSAGE), 1);
	assert_int_equal(w->t.live_calls, 1);
	assert_int_equal(get16(b + 12), X1);
	w_free(w);
}

int run_nat_tests(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_plan_pns_nat),
		cmocka_unit_test(test_plan_pac_nat),
		cmocka_unit_test(test_plan_both_nat),
		cmocka_unit_test(test_plan_no_nat),
		cmocka_unit_test(test_reserved_after_decision),
		cmocka_unit_test(test_retransmit_same_rewrites),
		cmocka_unit_test(test_retransmit_other_cuts),
		cmocka_unit_test(test_retransmit_overlapping_new),
		cmocka_unit_test(test_retransmit_mismatch),
		cmocka_unit_test(test_retransmit_log_depth),
		cmocka_unit_test(test_retransmit_beyond_log),
		cmocka_unit_test(test_retransmit_completes_split_head),
		cmocka_unit_test(test_future_segment),
	};

	return cmocka_run_group_tests_name("nat", tests, NULL, NULL);
}
