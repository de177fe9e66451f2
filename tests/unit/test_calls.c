// SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
/*
 * Calls: outgoing (OCRQ/OCRP) and incoming (ICRQ/ICRP/ICCN) set-up, failed
 * replies, clearing (CCRQ/CDN), many calls at once, the call table limit,
 * call ID exhaustion, StopCCRQ and pptp_tracker_close, and the anomalies a
 * confused peer causes.  The PNS is on dir 0 unless a test says otherwise.
 */
#include "harness.h"

static struct world *session(enum map_mode mode, u16 max_calls)
{
	struct world *w = w_new(mode, max_calls, 0);

	w_session_up(w, 0);
	return w;
}

static void test_outgoing_call(void **state)
{
	struct world *w = session(MAP_PNS, 4);
	const struct rec_event *e;
	struct pptp_call *c;
	u8 b[PPTP_MSG_MAX_LEN];

	(void)state;
	mk_ocrq(b, 0x0100, 0x0AB1);
	w_send(w, 0, b);
	c = pptp_find_by_id(&w->t, PPTP_PNS, 0x0100);
	assert_non_null(c);
	assert_ptr_equal(pptp_find_by_xid(&w->t, PPTP_PNS, PNS_X(0x0100)), c);
	assert_int_equal(c->state, PPTP_CALL_STATE_OUT_REQ);
	assert_int_equal(c->outgoing, 1);
	assert_int_equal(c->has_id[PPTP_PNS], 1);
	assert_int_equal(c->has_id[PPTP_PAC], 0);
	assert_int_equal(c->xid[PPTP_PNS], PNS_X(0x0100));
	assert_int_equal(c->serial, 0x0AB1);
	assert_int_equal(c->window[PPTP_PNS], 64);	/* OCRQ offset 32 */
	assert_int_equal(w->t.live_calls, 1);
	assert_int_equal(w->t.cnt.calls_opened, 1);

	mk_ocrp(b, 0x0200, PNS_X(0x0100), 1);
	w_send(w, 1, b);
	e = ev_last(w, PPTP_EV_CALL_UP, 0);
	assert_non_null(e);
	assert_true(e->has_call);
	assert_int_equal(e->call.id[PPTP_PNS], 0x0100);
	assert_int_equal(e->call.id[PPTP_PAC], 0x0200);
	assert_int_equal(e->call.xid[PPTP_PNS], PNS_X(0x0100));
	assert_int_equal(e->call.xid[PPTP_PAC], 0x0200);
	assert_int_equal(c->state, PPTP_CALL_STATE_UP);
	assert_int_equal(c->has_id[PPTP_PAC], 1);
	assert_int_equal(c->window[PPTP_PAC], 32);	/* OCRP offset 24 */
	assert_int_equal(c->was_up, 1);
	assert_ptr_equal(pptp_find_by_id(&w->t, PPTP_PAC, 0x0200), c);
	assert_int_equal(w->t.cnt.calls_up, 1);

	mk_ccrq(b, 0x0100);
	w_send(w, 0, b);
	assert_int_equal(c->state, PPTP_CALL_STATE_CLEARING);
	assert_int_equal(n_last(w, PPTP_EV_CALL_DOWN), 0);

	mk_cdn(b, 0x0200, 4);
	w_send(w, 1, b);
	e = ev_last(w, PPTP_EV_CALL_DOWN, 0);
	assert_non_null(e);
	assert_int_equal(e->call.id[PPTP_PNS], 0x0100);
	assert_int_equal(e->call.id[PPTP_PAC], 0x0200);
	assert_int_equal(c->state, PPTP_CALL_STATE_FREE);
	assert_null(pptp_find_by_id(&w->t, PPTP_PNS, 0x0100));
	assert_null(pptp_find_by_xid(&w->t, PPTP_PNS, PNS_X(0x0100)));
	assert_null(pptp_find_by_id(&w->t, PPTP_PAC, 0x0200));
	assert_int_equal(w->t.live_calls, 0);
	assert_int_equal(w->t.cnt.calls_closed, 1);
	assert_int_equal(w->t.cnt.calls_failed, 0);
	w_free(w);
}

static void test_outgoing_call_fails(void **state)
{
	u8 result;

	(void)state;
	for (result = 2; result <= 7; result++) {
		/* Both sides translated: the OCRP's own ID is mapped, then dropped. */
		struct world *w = session(MAP_BOTH, 4);
		const struct rec_event *e;
		u8 b[PPTP_MSG_MAX_LEN];

		mk_ocrq(b, 0x0100, 1);
		w_send(w, 0, b);
		mk_ocrp(b, 0x0200, PNS_X(0x0100), result);
		w_send(w, 1, b);
		/* Even a refusal names the PNS's call as the PNS knows it. */
		assert_int_equal(get16(b + 14), 0x0100);
		assert_int_equal(n_last(w, PPTP_EV_CALL_UP), 0);
		e = ev_last(w, PPTP_EV_CALL_DOWN, 0);
		assert_non_null(e);
		assert_int_equal(e->call.id[PPTP_PNS], 0x0100);
		assert_null(pptp_find_by_id(&w->t, PPTP_PNS, 0x0100));
		assert_int_equal(w->t.live_calls, 0);
		assert_int_equal(w->t.cnt.calls_failed, 1);
		assert_int_equal(w->t.cnt.calls_closed, 1);
		assert_int_equal(w->t.cnt.calls_up, 0);
		w_free(w);
	}
}

static void test_incoming_call(void **state)
{
	struct world *w = session(MAP_PAC, 4);
	const struct rec_event *e;
	struct pptp_call *c;
	u8 b[PPTP_MSG_MAX_LEN];

	(void)state;
	mk_icrq(b, 0x0200, 0x0CD1);
	w_send(w, 1, b);
	c = pptp_find_by_id(&w->t, PPTP_PAC, 0x0200);
	assert_non_null(c);
	assert_ptr_equal(pptp_find_by_xid(&w->t, PPTP_PAC, PAC_X(0x0200)), c);
	assert_int_equal(c->state, PPTP_CALL_STATE_IN_REQ);
	assert_int_equal(c->outgoing, 0);
	assert_int_equal(c->has_id[PPTP_PAC], 1);
	assert_int_equal(c->has_id[PPTP_PNS], 0);
	assert_int_equal(c->serial, 0x0CD1);

	mk_icrp(b, 0x0100, PAC_X(0x0200), 1);
	w_send(w, 0, b);
	assert_int_equal(c->state, PPTP_CALL_STATE_IN_REP);
	assert_int_equal(c->has_id[PPTP_PNS], 1);
	assert_int_equal(c->id[PPTP_PNS], 0x0100);
	assert_int_equal(c->window[PPTP_PNS], 48);	/* ICRP offset 18 */
	assert_int_equal(n_last(w, PPTP_EV_CALL_UP), 0);

	mk_iccn(b, 0x0100);
	w_send(w, 1, b);
	e = ev_last(w, PPTP_EV_CALL_UP, 0);
	assert_non_null(e);
	assert_int_equal(e->call.id[PPTP_PAC], 0x0200);
	assert_int_equal(e->call.xid[PPTP_PAC], PAC_X(0x0200));
	assert_int_equal(e->call.id[PPTP_PNS], 0x0100);
	assert_int_equal(c->state, PPTP_CALL_STATE_UP);
	assert_int_equal(c->window[PPTP_PAC], 16);	/* ICCN offset 20 */

	mk_cdn(b, 0x0200, 1);
	w_send(w, 1, b);
	assert_int_equal(n_last(w, PPTP_EV_CALL_DOWN), 1);
	assert_int_equal(w->t.live_calls, 0);
	w_free(w);
}

static void test_incoming_call_refused(void **state)
{
	u8 result;

	(void)state;
	for (result = 2; result <= 3; result++) {
		struct world *w = session(MAP_BOTH, 4);
		u8 b[PPTP_MSG_MAX_LEN];

		mk_icrq(b, 0x0200, 1);
		w_send(w, 1, b);
		mk_icrp(b, 0x0100, PAC_X(0x0200), result);
		w_send(w, 0, b);
		assert_int_equal(n_last(w, PPTP_EV_CALL_DOWN), 1);
		assert_int_equal(n_last(w, PPTP_EV_CALL_UP), 0);
		assert_int_equal(w->t.live_calls, 0);
		assert_int_equal(w->t.cnt.calls_failed, 1);
		w_free(w);
	}
}

/* Eight calls of both kinds set up interleaved, cleared in another order. */
static void test_many_calls(void **state)
{
	struct world *w = session(MAP_BOTH, 8);
	static const u16 out_id[5] = { 0x0010, 0x0011, 0x0012, 0x0013, 0x0014 };
	static const u16 in_id[3] = { 0x0020, 0x0021, 0x0022 };
	u8 b[PPTP_MSG_MAX_LEN];
	unsigned int i;

	(void)state;
	for (i = 0; i < 5; i++) {
		mk_ocrq(b, out_id[i], (u16)i);
		w_send(w, 0, b);
	}
	for (i = 0; i < 3; i++) {
		mk_icrq(b, in_id[i], (u16)i);
		w_send(w, 1, b);
	}
	assert_int_equal(w->t.live_calls, 8);
	for (i = 5; i-- > 0;) {		/* replies in reverse order */
		mk_ocrp(b, (u16)(0x0300 + i), PNS_X(out_id[i]), 1);
		w_send(w, 1, b);
		assert_int_equal(n_last(w, PPTP_EV_CALL_UP), 1);
		assert_int_equal(ev_last(w, PPTP_EV_CALL_UP, 0)->call.id[PPTP_PNS], out_id[i]);
	}
	for (i = 0; i < 3; i++) {
		mk_icrp(b, (u16)(0x0400 + i), PAC_X(in_id[i]), 1);
		w_send(w, 0, b);
	}
	for (i = 3; i-- > 0;) {
		mk_iccn(b, PNS_X(0x0400 + i));
		w_send(w, 1, b);
		assert_int_equal(ev_last(w, PPTP_EV_CALL_UP, 0)->call.id[PPTP_PAC], in_id[i]);
	}
	assert_int_equal(w->t.cnt.calls_up, 8);
	/* Clear the third outgoing call by CCRQ/CDN, the first incoming by CDN. */
	mk_ccrq(b, out_id[2]);
	w_send(w, 0, b);
	mk_cdn(b, 0x0302, 4);
	w_send(w, 1, b);
	assert_int_equal(ev_last(w, PPTP_EV_CALL_DOWN, 0)->call.id[PPTP_PNS], out_id[2]);
	mk_cdn(b, in_id[0], 1);
	w_send(w, 1, b);
	assert_int_equal(ev_last(w, PPTP_EV_CALL_DOWN, 0)->call.id[PPTP_PAC], in_id[0]);
	assert_int_equal(w->t.live_calls, 6);
	assert_null(pptp_find_by_id(&w->t, PPTP_PNS, out_id[2]));
	assert_non_null(pptp_find_by_id(&w->t, PPTP_PNS, out_id[1]));
	assert_non_null(pptp_find_by_id(&w->t, PPTP_PNS, out_id[3]));
	/* The freed slots are used again. */
	mk_ocrq(b, 0x0015, 9);
	w_send(w, 0, b);
	assert_int_equal(w->t.live_calls, 7);
	assert_int_equal(w->t.cnt.calls_opened, 9);
	w_free(w);
}

static void test_call_limit(void **state)
{
	struct world *w = session(MAP_PNS, 2);
	const struct rec_event *e;
	u8 b[PPTP_MSG_MAX_LEN];

	(void)state;
	w_out_call(w, 0, 0x0100, 0x0200);
	w_in_call(w, 1, 0x0201, 0x0101);
	mk_ocrq(b, 0x0102, 3);
	w_send(w, 0, b);
	e = ev_last(w, PPTP_EV_REFUSED, 0);
	assert_non_null(e);
	assert_int_equal(e->ev.reason, PPTP_REFUSE_CALL_LIMIT);
	assert_int_equal(n_last(w, PPTP_EV_MESSAGE), 1);
	assert_null(pptp_find_by_id(&w->t, PPTP_PNS, 0x0102));
	/* A refused call is not tracked, so its ID is not translated. */
	assert_int_equal(n_last(w, PPTP_EV_REWRITE), 0);
	mk_icrq(b, 0x0202, 4);
	w_send(w, 1, b);
	assert_int_equal(n_reason(w, PPTP_EV_REFUSED, PPTP_REFUSE_CALL_LIMIT), 1);
	assert_int_equal(w->t.cnt.refused[PPTP_REFUSE_CALL_LIMIT], 2);
	assert_int_equal(w->t.live_calls, 2);
	assert_int_equal(w->t.cnt.calls_opened, 2);
	/* Room again once a call is gone. */
	mk_cdn(b, 0x0201, 1);
	w_send(w, 1, b);
	w_out_call(w, 0, 0x0103, 0x0203);
	assert_int_equal(w->t.live_calls, 2);
	w_free(w);
}

static void test_id_exhausted(void **state)
{
	struct world *w = session(MAP_PNS, 4);
	u8 b[PPTP_MSG_MAX_LEN];

	(void)state;
	w->map_fail = 1;
	mk_ocrq(b, 0x0100, 1);
	w_send(w, 0, b);
	assert_int_equal(n_reason(w, PPTP_EV_REFUSED, PPTP_REFUSE_ID_EXHAUSTED), 1);
	assert_int_equal(n_last(w, PPTP_EV_REWRITE), 0);
	assert_null(pptp_find_by_id(&w->t, PPTP_PNS, 0x0100));
	mk_icrq(b, 0x0200, 2);
	w_send(w, 1, b);
	assert_int_equal(n_reason(w, PPTP_EV_REFUSED, PPTP_REFUSE_ID_EXHAUSTED), 1);
	assert_null(pptp_find_by_id(&w->t, PPTP_PAC, 0x0200));
	assert_int_equal(w->t.cnt.refused[PPTP_REFUSE_ID_EXHAUSTED], 2);
	assert_int_equal(w->t.live_calls, 0);
	w->map_fail = 0;
	w_out_call(w, 0, 0x0101, 0x0201);
	w_free(w);
}

/* The reply's ID (OCRP Call ID, ICRP Call ID) is mapped too, and may fail. */
static void test_id_exhausted_on_reply(void **state)
{
	struct world *w = session(MAP_PAC, 4);
	u8 b[PPTP_MSG_MAX_LEN];

	(void)state;
	mk_ocrq(b, 0x0100, 1);
	w_send(w, 0, b);
	w->map_fail = 1;
	mk_ocrp(b, 0x0200, 0x0100, 1);
	w_send(w, 1, b);
	assert_int_equal(n_reason(w, PPTP_EV_REFUSED, PPTP_REFUSE_ID_EXHAUSTED), 1);
	assert_int_equal(n_last(w, PPTP_EV_CALL_UP), 0);
	assert_null(pptp_find_by_id(&w->t, PPTP_PAC, 0x0200));
	w->map_fail = 0;
	w_free(w);
}

static void test_stop_brings_calls_down(void **state)
{
	struct world *w = session(MAP_BOTH, 4);
	u8 b[PPTP_MSG_MAX_LEN];

	(void)state;
	w_out_call(w, 0, 0x0100, 0x0200);
	w_in_call(w, 1, 0x0201, 0x0101);
	mk_ocrq(b, 0x0102, 3);
	w_send(w, 0, b);
	mk_stopccrq(b);
	w_send(w, 1, b);
	assert_int_equal(n_last(w, PPTP_EV_CALL_DOWN), 3);
	assert_int_equal(w->t.live_calls, 0);
	assert_int_equal(w->t.session, PPTP_SESS_STOPPING);
	assert_int_equal(w->t.cnt.calls_closed, 3);
	/* No new calls on a stopping session. */
	mk_ocrq(b, 0x0103, 4);
	w_send(w, 0, b);
	assert_int_equal(n_reason(w, PPTP_EV_ANOMALY, PPTP_AN_OUT_OF_STATE), 1);
	assert_int_equal(w->t.live_calls, 0);
	w_free(w);
}

static void test_close_brings_calls_down(void **state)
{
	struct world *w = session(MAP_BOTH, 4);
	u8 b[PPTP_MSG_MAX_LEN];
	unsigned int i;

	(void)state;
	w_out_call(w, 0, 0x0100, 0x0200);		/* UP */
	mk_ocrq(b, 0x0101, 2);
	w_send(w, 0, b);				/* OUT_REQ */
	mk_icrq(b, 0x0202, 3);
	w_send(w, 1, b);
	mk_icrp(b, 0x0102, PAC_X(0x0202), 1);
	w_send(w, 0, b);				/* IN_REP */
	mk_icrq(b, 0x0203, 4);
	w_send(w, 1, b);				/* IN_REQ */
	assert_int_equal(w->t.live_calls, 4);
	w->mark = w->n;
	pptp_tracker_close(&w->t);
	assert_int_equal(n_last(w, PPTP_EV_CALL_DOWN), 4);
	assert_int_equal(w->t.live_calls, 0);
	for (i = 0; i < 4; i++)
		assert_int_equal(w->calls[i].state, PPTP_CALL_STATE_FREE);
	assert_int_equal(w->t.cnt.calls_closed, 4);
	w->mark = w->n;
	pptp_tracker_close(&w->t);
	assert_int_equal(n_last(w, PPTP_EV_CALL_DOWN), 0);
	w_free(w);
}

/* RFC 2637 2.12: a call "can be either an incoming or outgoing call, in any state". */
static void test_ccrq_any_state(void **state)
{
	struct world *w = session(MAP_PNS, 4);
	struct pptp_call *c;
	u8 b[PPTP_MSG_MAX_LEN];

	(void)state;
	mk_ocrq(b, 0x0100, 1);
	w_send(w, 0, b);				/* OUT_REQ */
	mk_ccrq(b, 0x0100);
	w_send(w, 0, b);
	assert_int_equal(n_last(w, PPTP_EV_ANOMALY), 0);
	assert_int_equal(get16(b + 12), PNS_X(0x0100));
	c = pptp_find_by_id(&w->t, PPTP_PNS, 0x0100);
	assert_non_null(c);
	assert_int_equal(c->state, PPTP_CALL_STATE_CLEARING);
	mk_cdn(b, PNS_X(0x0100), 4);
	w_send(w, 1, b);
	assert_int_equal(n_last(w, PPTP_EV_CALL_DOWN), 1);

	mk_icrq(b, 0x0200, 2);
	w_send(w, 1, b);
	mk_icrp(b, 0x0101, 0x0200, 1);
	w_send(w, 0, b);				/* IN_REP */
	mk_ccrq(b, 0x0101);
	w_send(w, 0, b);
	assert_int_equal(n_last(w, PPTP_EV_ANOMALY), 0);
	assert_int_equal(pptp_find_by_id(&w->t, PPTP_PNS, 0x0101)->state, PPTP_CALL_STATE_CLEARING);
	/* A clearing call does not come up. */
	mk_iccn(b, PNS_X(0x0101));
	w_send(w, 1, b);
	assert_int_equal(n_last(w, PPTP_EV_CALL_UP), 0);
	w_free(w);
}

/* RFC 2637 2.13: CDN "for any other reason", e.g. the caller hung up first. */
static void test_cdn_before_answer(void **state)
{
	struct world *w = session(MAP_PAC, 4);
	u8 b[PPTP_MSG_MAX_LEN];

	(void)state;
	mk_icrq(b, 0x0200, 1);
	w_send(w, 1, b);				/* IN_REQ */
	mk_cdn(b, 0x0200, 1);
	w_send(w, 1, b);
	assert_int_equal(n_last(w, PPTP_EV_CALL_DOWN), 1);
	assert_int_equal(get16(b + 12), PAC_X(0x0200));
	assert_int_equal(w->t.live_calls, 0);
	mk_ocrq(b, 0x0100, 2);
	w_send(w, 0, b);				/* OUT_REQ */
	mk_cdn(b, 0x0100, 1);				/* the PNS's ID */
	w_send(w, 1, b);
	assert_int_equal(n_last(w, PPTP_EV_CALL_DOWN), 1);
	assert_int_equal(w->t.live_calls, 0);
	w_free(w);
}

/*
 * A CDN value that is one call's PAC ID and another's translated PNS ID,
 * both calls clearing: the PAC's earlier, unambiguous CDN (its own ID, as
 * RFC 2637 says) decides the reading.
 */
static void test_cdn_reading_learned(void **state)
{
	struct world *w = session(MAP_PNS, 4);
	u8 b[PPTP_MSG_MAX_LEN];

	(void)state;
	w_out_call(w, 0, 0x0100, 0x0200);		/* A: PNS 0x0100 seen as 0x1100 */
	w_out_call(w, 0, 0x0101, 0x0201);		/* B */
	w_out_call(w, 0, 0x0102, PNS_X(0x0100));	/* C: the PAC picked A's xid */
	mk_ccrq(b, 0x0101);
	w_send(w, 0, b);
	mk_cdn(b, 0x0201, 1);				/* B's PAC ID: only one reading */
	w_send(w, 1, b);
	assert_int_equal(n_last(w, PPTP_EV_CALL_DOWN), 1);
	assert_int_equal(w->t.cdn_role, PPTP_PAC);

	mk_ccrq(b, 0x0100);
	w_send(w, 0, b);
	mk_ccrq(b, 0x0102);
	w_send(w, 0, b);
	mk_cdn(b, PNS_X(0x0100), 1);			/* A's xid or C's PAC ID */
	w_send(w, 1, b);
	assert_int_equal(n_last(w, PPTP_EV_CALL_DOWN), 1);
	assert_null(pptp_find_by_id(&w->t, PPTP_PNS, 0x0102));
	assert_non_null(pptp_find_by_id(&w->t, PPTP_PNS, 0x0100));
	assert_int_equal(get16(b + 12), PNS_X(0x0100));	/* a PAC ID: not translated */
	w_free(w);
}

/*
 * A Windows-style CDN (the PNS's ID, as the PAC sees it) that names one
 * call only teaches the reading too, though the field is rewritten to the
 * PNS's own ID on its way: the tracker learns from the value as it came,
 * not from the segment the face has just written (the message is read in
 * place there).
 */
static void test_cdn_reading_learned_pns(void **state)
{
	/* Without MESSAGE events nothing makes the tracker copy the message. */
	struct world *w = w_new_quiet(MAP_PNS, 4, 0, PPTP_EV_BIT(PPTP_EV_MESSAGE));
	u8 b[PPTP_MSG_MAX_LEN];

	(void)state;
	w_session_up(w, 0);
	w_out_call(w, 0, 0x0100, 0x0200);
	mk_ccrq(b, 0x0100);
	w_send(w, 0, b);
	mk_cdn(b, PNS_X(0x0100), 1);
	w_send(w, 1, b);
	assert_int_equal(n_last(w, PPTP_EV_CALL_DOWN), 1);
	assert_int_equal(get16(b + 12), 0x0100);	/* rewritten for the PNS */
	assert_int_equal(w->t.cdn_role, PPTP_PNS);
	w_free(w);
}

static void test_dup_call_id(void **state)
{
	struct world *w = session(MAP_PNS, 4);
	u8 b[PPTP_MSG_MAX_LEN];

	(void)state;
	mk_ocrq(b, 0x0100, 1);
	w_send(w, 0, b);
	mk_ocrq(b, 0x0100, 2);
	w_send(w, 0, b);
	assert_int_equal(n_reason(w, PPTP_EV_ANOMALY, PPTP_AN_DUP_CALL_ID), 1);
	assert_int_equal(w->t.live_calls, 1);
	assert_int_equal(pptp_find_by_id(&w->t, PPTP_PNS, 0x0100)->serial, 1);
	w_free(w);
}

static void test_unknown_call_id(void **state)
{
	struct world *w = session(MAP_NULL, 4);
	u8 b[PPTP_MSG_MAX_LEN];

	(void)state;
	w_out_call(w, 0, 0x0100, 0x0200);
	mk_ocrp(b, 0x0201, 0x0999, 1);
	w_send(w, 1, b);
	assert_int_equal(n_reason(w, PPTP_EV_ANOMALY, PPTP_AN_UNKNOWN_CALL_ID), 1);
	mk_ccrq(b, 0x0999);
	w_send(w, 0, b);
	assert_int_equal(n_reason(w, PPTP_EV_ANOMALY, PPTP_AN_UNKNOWN_CALL_ID), 1);
	mk_iccn(b, 0x0999);
	w_send(w, 1, b);
	assert_int_equal(n_reason(w, PPTP_EV_ANOMALY, PPTP_AN_UNKNOWN_CALL_ID), 1);
	assert_int_equal(n_last(w, PPTP_EV_CALL_UP), 0);
	assert_int_equal(w->t.live_calls, 1);
	w_free(w);
}

/* A second OCRP for a call that is up already changes nothing. */
static void test_reply_out_of_state(void **state)
{
	struct world *w = session(MAP_NULL, 4);
	u8 b[PPTP_MSG_MAX_LEN];

	(void)state;
	w_out_call(w, 0, 0x0100, 0x0200);
	mk_ocrp(b, 0x0200, 0x0100, 1);
	w_send(w, 1, b);
	assert_int_equal(n_reason(w, PPTP_EV_ANOMALY, PPTP_AN_OUT_OF_STATE), 1);
	assert_int_equal(n_last(w, PPTP_EV_CALL_UP), 0);
	assert_int_equal(w->t.cnt.calls_up, 1);
	w_free(w);
}

static void test_result_range(void **state)
{
	struct world *w = session(MAP_NULL, 4);
	u8 b[PPTP_MSG_MAX_LEN];

	(void)state;
	mk_ocrq(b, 0x0100, 1);
	w_send(w, 0, b);
	mk_ocrp(b, 0x0200, 0x0100, 8);		/* OCRP results end at 7 */
	w_send(w, 1, b);
	assert_int_equal(n_reason(w, PPTP_EV_ANOMALY, PPTP_AN_RESULT_RANGE), 1);
	assert_int_equal(n_last(w, PPTP_EV_CALL_UP), 0);
	w_free(w);
}

/*
 * A half of GRE opens as soon as its receiver named its ID (CALL_ID):
 * the PNS's at OCRQ, before the PAC answers; both at CALL_UP.  The first
 * call message of a session names the roles before its events go out,
 * or the halves could not be told apart.
 */
static void test_call_id_opens_half(void **state)
{
	struct world *w = session(MAP_PNS, 4);
	struct pptp_gre_half h[2];
	const struct rec_event *e;
	u8 b[PPTP_MSG_MAX_LEN];

	(void)state;
	mk_ocrq(b, 7, 1);
	w_send(w, 0, b);
	assert_int_equal(n_last(w, PPTP_EV_CALL_ID), 1);
	e = ev_last(w, PPTP_EV_CALL_ID, 0);
	assert_int_equal(e->ev.role, PPTP_PNS);
	assert_true(e->has_call);
	assert_int_equal(pptp_gre_halves(&w->t, &e->call, h), PPTP_GRE_TO_PNS);
	assert_int_equal(h[1].dir, 1);			/* the PAC sends it */
	assert_int_equal(h[1].key_wire, PNS_X(7));
	assert_int_equal(h[1].key_deliver, 7);

	mk_ocrp(b, 3, PNS_X(7), 1);
	w_send(w, 1, b);
	assert_int_equal(n_last(w, PPTP_EV_CALL_ID), 0);	/* CALL_UP opens both */
	e = ev_last(w, PPTP_EV_CALL_UP, 0);
	assert_int_equal(pptp_gre_halves(&w->t, &e->call, h), PPTP_GRE_BOTH);
	assert_int_equal(h[0].dir, 0);
	assert_int_equal(h[0].key_wire, 3);
	w_free(w);
}

/* Incoming: the PAC's half at ICRQ, the PNS's at ICRP, nothing new at ICCN. */
static void test_call_id_incoming(void **state)
{
	struct world *w = session(MAP_PNS, 4);
	const struct rec_event *e;
	u8 b[PPTP_MSG_MAX_LEN];

	(void)state;
	mk_icrq(b, 5, 1);
	w_send(w, 1, b);
	e = ev_last(w, PPTP_EV_CALL_ID, 0);
	assert_non_null(e);
	assert_int_equal(e->ev.role, PPTP_PAC);
	mk_icrp(b, 9, 5, 1);
	w_send(w, 0, b);
	e = ev_last(w, PPTP_EV_CALL_ID, 0);
	assert_non_null(e);
	assert_int_equal(e->ev.role, PPTP_PNS);
	mk_iccn(b, PNS_X(9));
	w_send(w, 1, b);
	assert_int_equal(n_last(w, PPTP_EV_CALL_ID), 0);
	assert_int_equal(n_last(w, PPTP_EV_CALL_UP), 1);
	w_free(w);
}

/* A failed reply names no half to open; the call's end closes what opened. */
static void test_call_id_failed_reply(void **state)
{
	struct world *w = session(MAP_PNS, 4);
	u8 b[PPTP_MSG_MAX_LEN];

	(void)state;
	mk_ocrq(b, 7, 1);
	w_send(w, 0, b);
	mk_ocrp(b, 3, PNS_X(7), 2);	/* General Error */
	w_send(w, 1, b);
	assert_int_equal(n_last(w, PPTP_EV_CALL_ID), 0);
	assert_int_equal(n_last(w, PPTP_EV_CALL_DOWN), 1);
	w_free(w);
}

int run_call_tests(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_outgoing_call),
		cmocka_unit_test(test_call_id_opens_half),
		cmocka_unit_test(test_call_id_incoming),
		cmocka_unit_test(test_call_id_failed_reply),
		cmocka_unit_test(test_outgoing_call_fails),
		cmocka_unit_test(test_incoming_call),
		cmocka_unit_test(test_incoming_call_refused),
		cmocka_unit_test(test_many_calls),
		cmocka_unit_test(test_call_limit),
		cmocka_unit_test(test_id_exhausted),
		cmocka_unit_test(test_id_exhausted_on_reply),
		cmocka_unit_test(test_stop_brings_calls_down),
		cmocka_unit_test(test_close_brings_calls_down),
		cmocka_unit_test(test_ccrq_any_state),
		cmocka_unit_test(test_cdn_before_answer),
		cmocka_unit_test(test_cdn_reading_learned),
		cmocka_unit_test(test_cdn_reading_learned_pns),
		cmocka_unit_test(test_dup_call_id),
		cmocka_unit_test(test_unknown_call_id),
		cmocka_unit_test(test_reply_out_of_state),
		cmocka_unit_test(test_result_range),
	};

	return cmocka_run_group_tests_name("calls", tests, NULL, NULL);
}
