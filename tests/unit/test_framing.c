// SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
/*
 * Framing trouble: a header the stream cannot be framed by (bad cookie,
 * impossible Length) and bytes given up with pptp_resync.  Either way the
 * tracker reports it, hunts for the next valid header and carries on from
 * there; a half-seen message leaves no call behind and no ID mapped.
 */
#include "harness.h"

static void test_bad_magic_recovers(void **state)
{
	struct world *w = w_new(MAP_PNS, 4, 0);
	u8 seg[16 + 168];

	(void)state;
	w_session_up(w, 0);
	mk_echorq(seg, 1);
	pptp_put32(seg + 4, 0xDEADBEEF);
	mk_ocrq(seg + 16, 0x0100, 1);
	w_feed(w, 0, seg, sizeof(seg));
	assert_int_equal(n_reason(w, PPTP_EV_INVALID, PPTP_INV_MAGIC), 1);
	assert_int_equal(n_reason(w, PPTP_EV_ANOMALY, PPTP_AN_DESYNC), 1);
	assert_int_equal(n_last(w, PPTP_EV_MESSAGE), 1);
	assert_int_equal(ev_last(w, PPTP_EV_MESSAGE, 0)->ev.msg_seq, w->seq[0] - 168);
	assert_int_equal(n_last(w, PPTP_EV_REWRITE), 1);
	assert_int_equal(get16(seg + 16 + 12), PNS_X(0x0100));
	assert_non_null(pptp_find_by_id(&w->t, PPTP_PNS, 0x0100));
	w_free(w);
}

/* Length beyond any message: the stream cannot be framed by it. */
static void test_huge_length_recovers(void **state)
{
	struct world *w = w_new(MAP_NULL, 4, 0);
	u8 seg[16 + 168];

	(void)state;
	w_session_up(w, 0);
	mk_echorq(seg, 1);
	put16(seg, 1000);
	mk_ocrq(seg + 16, 0x0100, 1);
	w_feed(w, 0, seg, sizeof(seg));
	assert_int_equal(n_reason(w, PPTP_EV_INVALID, PPTP_INV_LENGTH), 1);
	assert_int_equal(n_last(w, PPTP_EV_MESSAGE), 1);
	assert_non_null(pptp_find_by_id(&w->t, PPTP_PNS, 0x0100));
	w_free(w);
}

/* The rest of a message was lost: resync past it, pick up the next one. */
static void test_resync_after_partial(void **state)
{
	struct world *w = w_new(MAP_PNS, 4, 0);
	u8 a[PPTP_MSG_MAX_LEN], b[PPTP_MSG_MAX_LEN];
	const struct rec_event *e;
	u32 seq;

	(void)state;
	w_session_up(w, 0);
	seq = w->seq[0];
	mk_ocrq(a, 0x0100, 1);
	w_feed(w, 0, a, 50);			/* decided and rewritten ... */
	assert_int_equal(n_last(w, PPTP_EV_REWRITE), 1);
	w->mark = w->n;
	pptp_resync(&w->t, 0, seq + 168);	/* ... but never completed */
	assert_int_equal(n_reason(w, PPTP_EV_ANOMALY, PPTP_AN_STREAM_GAP), 1);
	e = ev_last(w, PPTP_EV_UNMAP, 0);
	assert_non_null(e);
	assert_int_equal(e->ev.old_val, 0x0100);
	assert_int_equal(e->ev.new_val, PNS_X(0x0100));
	w->seq[0] = seq + 168;
	mk_ocrq(b, 0x0101, 2);
	w_send(w, 0, b);
	assert_int_equal(n_last(w, PPTP_EV_MESSAGE), 1);
	assert_int_equal(get16(b + 12), PNS_X(0x0101));
	assert_null(pptp_find_by_id(&w->t, PPTP_PNS, 0x0100));
	assert_non_null(pptp_find_by_id(&w->t, PPTP_PNS, 0x0101));
	assert_int_equal(w->t.live_calls, 1);
	w_free(w);
}

/* Resync into the middle of a message: its tail is skipped, not parsed. */
static void test_resync_mid_message(void **state)
{
	struct world *w = w_new(MAP_NULL, 4, 0);
	u8 seg[148 + 168], cdn[PPTP_MSG_MAX_LEN];
	u32 seq;

	(void)state;
	w_session_up(w, 0);
	w_out_call(w, 0, 0x0100, 0x0200);
	seq = w->seq[1];
	mk_cdn(cdn, 0x0200, 1);
	/* Lost: the first 20 bytes of a CDN.  Then the PAC's next message. */
	memcpy(seg, cdn + 20, 128);
	mk_ocrp(seg + 128, 0x0201, 0x0999, 1);
	pptp_resync(&w->t, 1, seq + 20);
	w->seq[1] = seq + 20;
	w_feed(w, 1, seg, 128 + 32);
	assert_int_equal(n_last(w, PPTP_EV_MESSAGE), 1);
	assert_int_equal(ev_last(w, PPTP_EV_MESSAGE, 0)->ev.msg_type, PPTP_OCRP);
	assert_int_equal(ev_last(w, PPTP_EV_MESSAGE, 0)->ev.msg_seq, seq + 148);
	assert_int_equal(n_last(w, PPTP_EV_CALL_DOWN), 0);
	assert_int_equal(w->t.live_calls, 1);
	assert_int_equal(w->t.cnt.anomalies[PPTP_AN_STREAM_GAP], 1);
	w_free(w);
}

int run_framing_tests(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_bad_magic_recovers),
		cmocka_unit_test(test_huge_length_recovers),
		cmocka_unit_test(test_resync_after_partial),
		cmocka_unit_test(test_resync_mid_message),
	};

	return cmocka_run_group_tests_name("framing", tests, NULL, NULL);
}
