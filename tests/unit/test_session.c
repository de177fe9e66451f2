// SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
/*
 * The control connection as a whole: every message type survives the
 * tracker as a PPTP_EV_MESSAGE, every validation reason is reported and
 * changes nothing, the session state follows SCCRQ/SCCRP/StopCC*, roles
 * are learnt from the first message only one role sends, and the counters
 * add up.
 */
#include "harness.h"

#define UNK PPTP_ROLE_UNKNOWN

struct step {
	u8 dir;
	u16 type;
	u16 a, peer;	/* see mk_any */
	u8 result;
	u8 role;	/* expected sender role in the MESSAGE event */
};

/* A PNS on dir 0 going through all fifteen messages. */
static const struct step all_types[] = {
	{ 0, PPTP_SCCRQ, 0, 0, 0, UNK },
	{ 1, PPTP_SCCRP, 0, 0, 1, UNK },
	{ 0, PPTP_ECHORQ, 0x77, 0, 0, UNK },
	{ 1, PPTP_ECHORP, 0x77, 0, 1, UNK },
	{ 0, PPTP_OCRQ, 0x0100, 0, 0, PPTP_PNS },
	{ 1, PPTP_OCRP, 0x0200, 0x0100, 1, PPTP_PAC },
	{ 0, PPTP_SLI, 0x0200, 0, 0, PPTP_PNS },
	{ 1, PPTP_WEN, 0x0100, 0, 0, PPTP_PAC },
	{ 1, PPTP_ICRQ, 0x0201, 0, 0, PPTP_PAC },
	{ 0, PPTP_ICRP, 0x0101, 0x0201, 1, PPTP_PNS },
	{ 1, PPTP_ICCN, 0x0101, 0, 0, PPTP_PAC },
	{ 0, PPTP_CCRQ, 0x0100, 0, 0, PPTP_PNS },
	{ 1, PPTP_CDN, 0x0200, 0, 4, PPTP_PAC },
	{ 0, PPTP_STOPCCRQ, 0, 0, 0, PPTP_PNS },
	{ 1, PPTP_STOPCCRP, 0, 0, 1, PPTP_PAC },
};

static void test_every_type_round_trip(void **state)
{
	struct world *w = w_new(MAP_NULL, 4, 0);
	u32 bytes[2] = { 0, 0 };
	unsigned int i;

	(void)state;
	for (i = 0; i < PPTP_ARRAY_SIZE(all_types); i++) {
		const struct step *s = &all_types[i];
		const struct rec_event *m;
		u8 b[PPTP_MSG_MAX_LEN], orig[PPTP_MSG_MAX_LEN];
		u16 len = mk_any(b, s->type, s->a, s->peer, s->result);
		u32 seq = w->seq[s->dir];

		assert_int_equal(len, pptp_msg_len(s->type));
		memcpy(orig, b, len);
		w_send(w, s->dir, b);
		assert_int_equal(n_last(w, PPTP_EV_MESSAGE), 1);
		assert_int_equal(n_last(w, PPTP_EV_INVALID), 0);
		assert_int_equal(n_last(w, PPTP_EV_ANOMALY), 0);
		assert_int_equal(n_last(w, PPTP_EV_REWRITE), 0);
		m = ev_last(w, PPTP_EV_MESSAGE, 0);
		assert_int_equal(m->ev.msg_type, s->type);
		assert_int_equal(m->ev.msg_len, len);
		assert_int_equal(m->ev.dir, s->dir);
		assert_int_equal(m->ev.msg_seq, seq);
		if (m->ev.role != s->role)
			fail_msg("%s MESSAGE: role %s, want %s", pptp_msg_name(s->type),
				 pptp_role_name(m->ev.role), pptp_role_name(s->role));
		assert_memory_equal(m->msg, orig, len);
		bytes[s->dir] += len;
	}
	for (i = 0; i < PPTP_ARRAY_SIZE(all_types); i++)
		assert_int_equal(w->t.cnt.messages[all_types[i].dir][all_types[i].type], 1);
	assert_int_equal(w->t.cnt.bytes[0], bytes[0]);
	assert_int_equal(w->t.cnt.bytes[1], bytes[1]);
	assert_int_equal(w->t.cnt.calls_opened, 2);
	assert_int_equal(w->t.cnt.calls_up, 2);
	assert_int_equal(w->t.cnt.calls_closed, 2);
	assert_int_equal(w->t.live_calls, 0);
	assert_int_equal(w->t.session, PPTP_SESS_DOWN);
	w_free(w);
}

/*
 * Feed @b (@len bytes) to a tracker whose session is up and expect it to be
 * rejected for @reason with no effect on the calls.
 */
static void expect_invalid(enum map_mode mode, u8 *b, u32 len, unsigned int reason)
{
	struct world *w = w_new(mode, 4, 0);
	const struct rec_event *e;
	unsigned int i;

	w_session_up(w, 0);
	/* Roles known, so every call message is acted on if valid. */
	w_out_call(w, 0, 0x0100, 0x0200);
	assert_int_equal(w_feed(w, 0, b, len), PPTP_FEED_OK);
	e = ev_last(w, PPTP_EV_INVALID, 0);
	if (!e)
		fail_msg("type %u: no INVALID event, want %s", get16(b + 8),
			 pptp_invalid_name(reason));
	else if (e->ev.reason != reason)
		fail_msg("type %u: INVALID %s, want %s", get16(b + 8),
			 pptp_invalid_name(e->ev.reason), pptp_invalid_name(reason));
	assert_int_equal(w->t.cnt.invalid[reason], 1);
	assert_int_equal(n_last(w, PPTP_EV_MESSAGE), 0);
	assert_int_equal(n_last(w, PPTP_EV_CALL_UP), 0);
	assert_int_equal(n_last(w, PPTP_EV_CALL_DOWN), 0);
	assert_int_equal(n_last(w, PPTP_EV_SESSION), 0);
	assert_int_equal(w->t.live_calls, 1);
	assert_int_equal(w->t.session, PPTP_SESS_UP);
	for (i = 1; i <= PPTP_CTRL_TYPE_MAX; i++)
		assert_int_equal(w->t.cnt.messages[0][i], i == PPTP_SCCRQ || i == PPTP_OCRQ);
	w_free(w);
}

static void test_invalid_length(void **state)
{
	u8 b[PPTP_MSG_MAX_LEN + 8] = { 0 };

	(void)state;
	mk_ocrq(b, 0x0101, 1);
	put16(b, 167);
	expect_invalid(MAP_NULL, b, 167, PPTP_INV_LENGTH);
	mk_ocrq(b, 0x0101, 1);
	put16(b, 169);
	expect_invalid(MAP_PNS, b, 169, PPTP_INV_LENGTH);
	mk_sli(b, 0x0200);
	put16(b, 28);
	expect_invalid(MAP_NULL, b, 28, PPTP_INV_LENGTH);
	mk_stopccrq(b);
	put16(b, 8);		/* shorter than the header itself */
	expect_invalid(MAP_NULL, b, 16, PPTP_INV_LENGTH);
}

static void test_invalid_msg_type(void **state)
{
	u8 b[PPTP_MSG_MAX_LEN];

	(void)state;
	mk_ocrq(b, 0x0101, 1);
	put16(b + 2, 2);	/* Management: defined, never specified */
	expect_invalid(MAP_PNS, b, 168, PPTP_INV_MSG_TYPE);
	mk_echorq(b, 1);
	put16(b + 2, 0);
	expect_invalid(MAP_NULL, b, 16, PPTP_INV_MSG_TYPE);
}

static void test_invalid_magic(void **state)
{
	u8 b[PPTP_MSG_MAX_LEN];

	(void)state;
	mk_ocrq(b, 0x0101, 1);
	pptp_put32(b + 4, 0x1A2B3C4E);
	expect_invalid(MAP_PNS, b, 168, PPTP_INV_MAGIC);
	mk_echorq(b, 1);
	pptp_put32(b + 4, 0x4D3C2B1A);	/* byte-swapped */
	expect_invalid(MAP_NULL, b, 16, PPTP_INV_MAGIC);
}

static void test_invalid_ctrl_type(void **state)
{
	u8 b[PPTP_MSG_MAX_LEN];

	(void)state;
	mk_echorq(b, 1);
	put16(b + 8, 0);
	expect_invalid(MAP_NULL, b, 16, PPTP_INV_CTRL_TYPE);
	mk_echorq(b, 1);
	put16(b + 8, 16);
	expect_invalid(MAP_NULL, b, 16, PPTP_INV_CTRL_TYPE);
}

/* Reserved0 in the header and every per-type Reserved field, one at a time. */
static const struct {
	u16 type;
	u8 off;
	u8 len;
} reserved[] = {
	{ PPTP_SCCRQ, 14, 2 }, { PPTP_STOPCCRQ, 13, 1 }, { PPTP_STOPCCRQ, 14, 2 },
	{ PPTP_STOPCCRP, 14, 2 }, { PPTP_ECHORP, 18, 2 }, { PPTP_OCRQ, 38, 2 },
	{ PPTP_ICRP, 22, 2 }, { PPTP_ICCN, 14, 2 }, { PPTP_CCRQ, 14, 2 },
	{ PPTP_CDN, 18, 2 }, { PPTP_WEN, 14, 2 }, { PPTP_SLI, 14, 2 },
};

/*
 * Reserved0 belongs to the header, which frames the stream: invalid.  A
 * Reserved field of the body is an anomaly and the message still counts:
 * real peers send garbage there (a Windows PAC's SLI in
 * shared/pcaps/ndpi-pptp.pcap has 0xa196 in its second reserved word).
 */
static void test_invalid_reserved(void **state)
{
	u8 b[PPTP_MSG_MAX_LEN];
	unsigned int i, type, byte;

	(void)state;
	for (type = 1; type <= PPTP_CTRL_TYPE_MAX; type++) {
		u16 len = mk_any(b, (u16)type, 0x0101, 0x0200, 1);

		b[11] = 0x01;	/* Reserved0 */
		expect_invalid(MAP_PNS, b, len, PPTP_INV_RESERVED);
	}
	for (i = 0; i < PPTP_ARRAY_SIZE(reserved); i++) {
		for (byte = 0; byte < reserved[i].len; byte++) {
			struct world *w = w_new(MAP_PNS, 4, PPTP_F_MIDSTREAM);
			u16 len = mk_any(b, reserved[i].type, 0x0101, 0x0200, 1);

			b[reserved[i].off + byte] = 0x80;
			w_feed(w, 0, b, len);
			assert_int_equal(n_last(w, PPTP_EV_INVALID), 0);
			assert_int_equal(n_reason(w, PPTP_EV_ANOMALY, PPTP_AN_RESERVED), 1);
			assert_int_equal(w->t.cnt.messages[0][reserved[i].type], 1);
			w_free(w);
		}
	}
}

/* A call request with a bad Reserved field is still a call request. */
static void test_reserved_then_valid(void **state)
{
	struct world *w = w_new(MAP_PNS, 4, 0);
	u8 seg[2 * 168];

	(void)state;
	w_session_up(w, 0);
	mk_ocrq(seg, 0x0101, 1);
	seg[38] = 1;
	mk_ocrq(seg + 168, 0x0102, 2);
	w_feed(w, 0, seg, sizeof(seg));
	assert_int_equal(n_reason(w, PPTP_EV_ANOMALY, PPTP_AN_RESERVED), 1);
	assert_int_equal(n_last(w, PPTP_EV_INVALID), 0);
	assert_int_equal(n_last(w, PPTP_EV_MESSAGE), 2);
	assert_non_null(pptp_find_by_id(&w->t, PPTP_PNS, 0x0101));
	assert_non_null(pptp_find_by_id(&w->t, PPTP_PNS, 0x0102));
	assert_int_equal(w->t.live_calls, 2);
	w_free(w);
}

/*
 * An invalid reply is not a reply: the call does not come up (or down).
 * A reply with a bad Reserved field is one.
 */
static void test_invalid_reply_changes_nothing(void **state)
{
	struct world *w = w_new(MAP_NULL, 4, 0);
	struct pptp_call *c;
	u8 b[PPTP_MSG_MAX_LEN];

	(void)state;
	w_session_up(w, 0);
	mk_ocrq(b, 0x0100, 1);
	w_send(w, 0, b);
	mk_ocrp(b, 0x0200, 0x0100, 1);
	b[10] = 0x40;	/* Reserved0 */
	w_send(w, 1, b);
	assert_int_equal(n_last(w, PPTP_EV_INVALID), 1);
	assert_int_equal(n_last(w, PPTP_EV_CALL_UP), 0);
	c = pptp_find_by_id(&w->t, PPTP_PNS, 0x0100);
	assert_non_null(c);
	assert_int_equal(c->state, PPTP_CALL_STATE_OUT_REQ);

	mk_icrq(b, 0x0201, 1);
	w_send(w, 1, b);
	mk_icrp(b, 0x0101, 0x0201, 1);
	w_send(w, 0, b);
	mk_iccn(b, 0x0101);
	b[15] = 1;		/* Reserved1 */
	w_send(w, 1, b);
	assert_int_equal(n_reason(w, PPTP_EV_ANOMALY, PPTP_AN_RESERVED), 1);
	assert_int_equal(n_last(w, PPTP_EV_CALL_UP), 1);
	c = pptp_find_by_id(&w->t, PPTP_PAC, 0x0201);
	assert_non_null(c);
	assert_int_equal(c->state, PPTP_CALL_STATE_UP);
	w_free(w);
}

static void test_session_states(void **state)
{
	struct world *w = w_new(MAP_NULL, 4, 0);
	const struct rec_event *e;
	u8 b[PPTP_MSG_MAX_LEN];

	(void)state;
	assert_int_equal(w->t.session, PPTP_SESS_IDLE);
	assert_int_equal(w->t.role[0], UNK);
	assert_int_equal(w->t.role[1], UNK);
	mk_sccrq(b);
	w_send(w, 1, b);
	e = ev_last(w, PPTP_EV_SESSION, 0);
	assert_non_null(e);
	assert_int_equal(e->ev.new_val, PPTP_SESS_REQUESTED);
	assert_int_equal(w->t.requester, 1);
	mk_sccrp(b, 1);
	w_send(w, 0, b);
	e = ev_last(w, PPTP_EV_SESSION, 0);
	assert_non_null(e);
	assert_int_equal(e->ev.new_val, PPTP_SESS_UP);
	/* SCCRQ/SCCRP come from either role: nothing is known yet. */
	assert_int_equal(w->t.role[0], UNK);
	assert_int_equal(w->t.role[1], UNK);
	mk_stopccrq(b);
	w_send(w, 0, b);
	assert_int_equal(w->t.session, PPTP_SESS_STOPPING);
	mk_stopccrp(b);
	w_send(w, 1, b);
	assert_int_equal(w->t.session, PPTP_SESS_DOWN);
	w_free(w);
}

static void test_sccrp_refused(void **state)
{
	struct world *w = w_new(MAP_NULL, 4, 0);
	u8 b[PPTP_MSG_MAX_LEN];

	(void)state;
	mk_sccrq(b);
	w_send(w, 0, b);
	mk_sccrp(b, 2);		/* General error */
	w_send(w, 1, b);
	assert_int_equal(w->t.session, PPTP_SESS_DOWN);
	mk_ocrq(b, 0x0100, 1);
	w_send(w, 0, b);
	assert_int_equal(n_reason(w, PPTP_EV_ANOMALY, PPTP_AN_OUT_OF_STATE), 1);
	assert_int_equal(w->t.live_calls, 0);
	w_free(w);
}

static void test_call_before_sccrp(void **state)
{
	struct world *w = w_new(MAP_PNS, 4, 0);
	u8 b[PPTP_MSG_MAX_LEN];

	(void)state;
	mk_ocrq(b, 0x0100, 1);
	w_send(w, 0, b);
	assert_int_equal(n_reason(w, PPTP_EV_ANOMALY, PPTP_AN_OUT_OF_STATE), 1);
	assert_int_equal(n_last(w, PPTP_EV_REWRITE), 0);
	mk_sccrq(b);
	w_send(w, 0, b);
	mk_icrq(b, 0x0200, 1);
	w_send(w, 1, b);
	assert_int_equal(n_reason(w, PPTP_EV_ANOMALY, PPTP_AN_OUT_OF_STATE), 1);
	assert_int_equal(w->t.live_calls, 0);
	assert_int_equal(w->t.cnt.calls_opened, 0);
	assert_int_equal(w->t.cnt.anomalies[PPTP_AN_OUT_OF_STATE], 2);
	w_free(w);
}

static void test_midstream(void **state)
{
	struct world *w = w_new(MAP_PNS, 4, PPTP_F_MIDSTREAM);
	struct pptp_call *c;

	(void)state;
	c = w_out_call(w, 1, 0x0100, 0x0200);
	assert_int_equal(c->xid[PPTP_PNS], PNS_X(0x0100));
	assert_int_equal(w->t.role[1], PPTP_PNS);
	assert_int_equal(w->t.role[0], PPTP_PAC);
	w_in_call(w, 0, 0x0201, 0x0101);
	w_free(w);
}

/* The PAC opens the control connection (dir 0) and places both kinds of calls. */
static void test_pac_initiated(void **state)
{
	struct world *w = w_new(MAP_PNS, 4, 0);
	struct pptp_call *c;
	u8 b[PPTP_MSG_MAX_LEN];

	(void)state;
	w_session_up(w, 0);
	assert_int_equal(w->t.requester, 0);
	mk_icrq(b, 0x0200, 7);
	w_send(w, 0, b);
	assert_int_equal(w->t.role[0], PPTP_PAC);
	assert_int_equal(w->t.role[1], PPTP_PNS);
	/* The ICRQ itself says who sent it. */
	if (ev_last(w, PPTP_EV_MESSAGE, 0)->ev.role != PPTP_PAC)
		fail_msg("first ICRQ's MESSAGE: role %s, want PAC",
			 pptp_role_name(ev_last(w, PPTP_EV_MESSAGE, 0)->ev.role));
	mk_icrp(b, 0x0100, 0x0200, 1);
	w_send(w, 1, b);
	assert_int_equal(ev_last(w, PPTP_EV_MESSAGE, 0)->ev.role, PPTP_PNS);
	mk_iccn(b, PNS_X(0x0100));
	w_send(w, 0, b);
	assert_int_equal(n_last(w, PPTP_EV_CALL_UP), 1);
	c = w_out_call(w, 1, 0x0101, 0x0201);
	assert_int_equal(c->outgoing, 1);
	assert_int_equal(w->t.live_calls, 2);
	assert_int_equal(w->t.cnt.anomalies[PPTP_AN_ROLE_CONFLICT], 0);
	w_free(w);
}

static void test_role_conflict(void **state)
{
	struct world *w = w_new(MAP_NULL, 4, 0);
	u8 b[PPTP_MSG_MAX_LEN];

	(void)state;
	w_session_up(w, 0);
	mk_ocrq(b, 0x0100, 1);
	w_send(w, 0, b);			/* dir 0 is the PNS from now on */
	mk_icrq(b, 0x0300, 2);
	w_send(w, 0, b);			/* a PAC message from the PNS */
	assert_int_equal(n_reason(w, PPTP_EV_ANOMALY, PPTP_AN_ROLE_CONFLICT), 1);
	assert_null(pptp_find_by_id(&w->t, PPTP_PAC, 0x0300));
	mk_ocrq(b, 0x0400, 3);
	w_send(w, 1, b);			/* a PNS message from the PAC */
	assert_int_equal(n_reason(w, PPTP_EV_ANOMALY, PPTP_AN_ROLE_CONFLICT), 1);
	assert_null(pptp_find_by_id(&w->t, PPTP_PNS, 0x0400));
	mk_wen(b, 0x0100);
	w_send(w, 0, b);
	assert_int_equal(n_reason(w, PPTP_EV_ANOMALY, PPTP_AN_ROLE_CONFLICT), 1);
	assert_int_equal(w->t.cnt.anomalies[PPTP_AN_ROLE_CONFLICT], 3);
	assert_int_equal(w->t.role[0], PPTP_PNS);
	assert_int_equal(w->t.role[1], PPTP_PAC);
	assert_int_equal(w->t.live_calls, 1);
	w_free(w);
}

/* SLI is the PNS's by the RFC, but Windows PACs send it too. */
static void test_sli_from_either(void **state)
{
	struct world *w = w_new(MAP_NULL, 4, 0);
	u8 b[PPTP_MSG_MAX_LEN];

	(void)state;
	w_session_up(w, 0);
	w_out_call(w, 0, 0x0100, 0x0200);
	mk_sli(b, 0x0200);
	w_send(w, 0, b);
	assert_int_equal(ev_last(w, PPTP_EV_MESSAGE, 0)->ev.role, PPTP_PNS);
	mk_sli(b, 0x0100);
	w_send(w, 1, b);
	assert_int_equal(ev_last(w, PPTP_EV_MESSAGE, 0)->ev.role, PPTP_PAC);
	assert_int_equal(w->t.cnt.anomalies[PPTP_AN_ROLE_CONFLICT], 0);
	assert_int_equal(w->t.cnt.messages[0][PPTP_SLI], 1);
	assert_int_equal(w->t.cnt.messages[1][PPTP_SLI], 1);
	w_free(w);
}

static void test_counters(void **state)
{
	struct world *w = w_new(MAP_PNS, 2, 0);
	u8 b[PPTP_MSG_MAX_LEN], again[PPTP_MSG_MAX_LEN];
	u32 seq;

	(void)state;
	w_session_up(w, 0);
	w_out_call(w, 0, 0x0100, 0x0200);		/* 1 rewrite each way */
	w_in_call(w, 1, 0x0201, 0x0101);		/* ICRP and ICCN: 2 */
	assert_int_equal(w->t.cnt.rewrites, 4);
	mk_ocrq(b, 0x0102, 3);
	w_send(w, 0, b);				/* table full */
	assert_int_equal(w->t.cnt.refused[PPTP_REFUSE_CALL_LIMIT], 1);
	mk_echorq(b, 9);
	b[9] = 17;					/* control type 17 */
	w_send(w, 0, b);
	assert_int_equal(w->t.cnt.invalid[PPTP_INV_CTRL_TYPE], 1);
	/* Retransmit a CCRQ: 16 bytes again, its rewrite counted again. */
	seq = w->seq[0];
	mk_ccrq(b, 0x0100);
	memcpy(again, b, 16);
	w_send(w, 0, b);
	assert_int_equal(n_last(w, PPTP_EV_REWRITE), 1);
	w_feed_at(w, 0, seq, again, 16);
	assert_int_equal(n_last(w, PPTP_EV_REWRITE), 1);
	assert_int_equal(w->t.cnt.rewrites, 6);
	assert_int_equal(w->t.cnt.retransmitted[0], 16);
	assert_int_equal(w->t.cnt.retransmitted[1], 0);
	assert_int_equal(w_feed_at(w, 1, w->seq[1] + 5, b, 16), PPTP_FEED_FUTURE);
	assert_int_equal(w->t.cnt.future_segments[1], 1);
	assert_int_equal(w->t.cnt.bytes[0], 156 + 168 + 24 + 168 + 16 + 16);
	assert_int_equal(w->t.cnt.bytes[1], 156 + 32 + 220 + 28);
	assert_int_equal(w->t.cnt.messages[0][PPTP_OCRQ], 2);
	assert_int_equal(w->t.cnt.messages[0][PPTP_ICRP], 1);
	assert_int_equal(w->t.cnt.messages[0][PPTP_CCRQ], 1);
	assert_int_equal(w->t.cnt.calls_opened, 2);
	assert_int_equal(w->t.cnt.calls_up, 2);
	assert_int_equal(w->t.cnt.calls_failed, 0);
	assert_int_equal(w->t.cnt.calls_closed, 0);
	pptp_tracker_close(&w->t);
	assert_int_equal(w->t.cnt.calls_closed, 2);
	w_free(w);
}

static void test_names(void **state)
{
	unsigned int i;

	(void)state;
	for (i = 0; i < PPTP_INV_COUNT; i++)
		assert_string_not_equal(pptp_invalid_name(i), "?");
	for (i = 0; i < PPTP_AN_COUNT; i++)
		assert_string_not_equal(pptp_anomaly_name(i), "?");
	for (i = 0; i < PPTP_REFUSE_COUNT; i++)
		assert_string_not_equal(pptp_refusal_name(i), "?");
	for (i = 0; i < PPTP_EV_COUNT; i++)
		assert_string_not_equal(pptp_event_name(i), "?");
	for (i = 0; i <= PPTP_ROLE_UNKNOWN; i++)
		assert_string_not_equal(pptp_role_name(i), "?");
	for (i = 0; i <= PPTP_SESS_DOWN; i++)
		assert_string_not_equal(pptp_session_name(i), "?");
	for (i = 0; i <= PPTP_CALL_STATE_CLEARING; i++)
		assert_string_not_equal(pptp_call_state_name(i), "?");
	assert_string_equal(pptp_invalid_name(PPTP_INV_COUNT), "?");
	assert_string_equal(pptp_anomaly_name(PPTP_AN_COUNT), "?");
	assert_string_equal(pptp_refusal_name(PPTP_REFUSE_COUNT), "?");
	assert_string_equal(pptp_event_name(PPTP_EV_COUNT), "?");
	assert_string_equal(pptp_role_name(3), "?");
	assert_string_equal(pptp_session_name(PPTP_SESS_DOWN + 1), "?");
	assert_string_equal(pptp_call_state_name(PPTP_CALL_STATE_CLEARING + 1), "?");
}

int run_session_tests(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_every_type_round_trip),
		cmocka_unit_test(test_invalid_length),
		cmocka_unit_test(test_invalid_msg_type),
		cmocka_unit_test(test_invalid_magic),
		cmocka_unit_test(test_invalid_ctrl_type),
		cmocka_unit_test(test_invalid_reserved),
		cmocka_unit_test(test_reserved_then_valid),
		cmocka_unit_test(test_invalid_reply_changes_nothing),
		cmocka_unit_test(test_session_states),
		cmocka_unit_test(test_sccrp_refused),
		cmocka_unit_test(test_call_before_sccrp),
		cmocka_unit_test(test_midstream),
		cmocka_unit_test(test_pac_initiated),
		cmocka_unit_test(test_role_conflict),
		cmocka_unit_test(test_sli_from_either),
		cmocka_unit_test(test_counters),
		cmocka_unit_test(test_names),
	};

	return cmocka_run_group_tests_name("session", tests, NULL, NULL);
}
