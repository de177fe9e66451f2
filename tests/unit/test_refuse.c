// SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
/*
 * Hostile input against a translating tracker: no segment may carry a
 * call ID out untranslated, and a refused segment is refused without
 * being taken, so TCP's retransmission of it is judged afresh.  Also the
 * rewrite log against retransmissions from far back (sequence numbers
 * wrap), and a midstream StopCCRP.
 */
#include "harness.h"

#define PNS	PPTP_PNS
#define PAC	PPTP_PAC

/* A session up, the PNS on dir 0 behind NAT (its IDs + 0x1000). */
static struct world *nat_world(u16 max_calls)
{
	struct world *w = w_new(MAP_PNS, max_calls, 0);

	pptp_set_translated(&w->t, 0, 1);
	w_session_up(w, 0);
	return w;
}

static void assert_dropped(struct world *w, enum pptp_feed_verdict v, u8 reason)
{
	assert_int_equal(v, PPTP_FEED_DROP);
	assert_int_equal(n_reason(w, PPTP_EV_DROP, reason), 1);
}

/*
 * With a map that moves IDs to another row (the first byte changes), an
 * OCRQ cut inside its Call ID is refused, the header before the IDs taken
 * (it may pass), then the IDs taken whole when TCP merges them with the
 * rest, in a retransmission from the message's start or from its IDs.
 */
static void test_split_id_refused(void **state)
{
	struct world *w = nat_world(8);
	u8 b[PPTP_MSG_MAX_LEN], copy[PPTP_MSG_MAX_LEN];
	u32 seq, cut, from;

	(void)state;
	/* One call up: from now on the session's IDs do not keep their rows. */
	w_out_call(w, 0, 0x0100, 0x0001);
	seq = w->seq[0];
	for (cut = PPTP_ID_AREA + 1; cut < pptp_decide_len(PPTP_OCRQ); cut++) {
		mk_ocrq(b, (u16)(0x0100 + cut), 1);
		memcpy(copy, b, sizeof(b));
		assert_dropped(w, w_feed_at(w, 0, seq, b, cut), PPTP_DROP_SPLIT_ID);
		assert_int_equal(n_last(w, PPTP_EV_REWRITE), 0);
		assert_int_equal(pptp_pass_len(&w->t), PPTP_ID_AREA);
		assert_int_equal(w->t.dir[0].next_seq, seq + PPTP_ID_AREA);
		/* The rest alone is from the future: the split IDs were never taken. */
		assert_int_equal(w_feed_at(w, 0, seq + cut, copy + cut, 168 - cut),
				 PPTP_FEED_FUTURE);
		from = cut & 1 ? 0 : PPTP_ID_AREA;
		assert_int_equal(w_feed_at(w, 0, seq + from, copy + from, 168 - from),
				 PPTP_FEED_OK);
		assert_int_equal(get16(copy + 12), PNS_X(0x0100 + cut));
		seq += 168;
	}
	/* Cut again where it was cut before: nothing new may pass. */
	mk_ocrq(b, 0x0300, 1);
	assert_dropped(w, w_feed_at(w, 0, seq, b, 13), PPTP_DROP_SPLIT_ID);
	assert_dropped(w, w_feed_at(w, 0, seq + PPTP_ID_AREA, b + PPTP_ID_AREA, 1),
		       PPTP_DROP_SPLIT_ID);
	assert_int_equal(pptp_pass_len(&w->t), 0);
	assert_int_equal(w_feed_at(w, 0, seq + PPTP_ID_AREA, b + PPTP_ID_AREA,
				   168 - PPTP_ID_AREA), PPTP_FEED_OK);
	seq += 168;
	/* A cut after the IDs (byte 14 of an OCRQ: one ID field) passes. */
	mk_ocrq(b, 0x0200, 1);
	assert_int_equal(w_feed_at(w, 0, seq, b, 14), PPTP_FEED_OK);
	assert_int_equal(get16(b + 12), PNS_X(0x0200));
	assert_int_equal(w_feed_at(w, 0, seq + 14, b + 14, 168 - 14), PPTP_FEED_OK);
	seq += 168;
	/* A cut before the IDs passes: they come whole in the next segment. */
	mk_ocrq(b, 0x0201, 1);
	assert_int_equal(w_feed_at(w, 0, seq, b, PPTP_ID_AREA), PPTP_FEED_OK);
	assert_int_equal(w_feed_at(w, 0, seq + PPTP_ID_AREA, b + PPTP_ID_AREA,
				   168 - PPTP_ID_AREA), PPTP_FEED_OK);
	assert_int_equal(get16(b + 12), PNS_X(0x0201));
	w_free(w);
}

/*
 * The first byte of a call ID passed alone, and then the map moves the ID
 * to another row: the rest can never make it the translated ID, so the
 * message is refused at every retransmission (that control connection
 * stalls; nothing untranslated gets out).  pptp_nat_pick only leaves a
 * row that is full.
 */
static void test_split_id_row_left(void **state)
{
	struct world *w = nat_world(8);
	u8 b[PPTP_MSG_MAX_LEN];
	u32 seq = w->seq[0];

	(void)state;
	mk_ocrq(b, 0x0100, 1);
	/* No call yet: every row is kept, the first byte passes. */
	assert_int_equal(w_feed_at(w, 0, seq, b, 13), PPTP_FEED_OK);
	assert_dropped(w, w_feed_at(w, 0, seq + 13, b + 13, 168 - 13), PPTP_DROP_SPLIT_ID);
	assert_int_equal(n_last(w, PPTP_EV_REWRITE), 0);
	assert_int_equal(pptp_pass_len(&w->t), 0);
	assert_null(pptp_find_by_id(&w->t, PNS, 0x0100));
	assert_int_equal(w->t.dir[0].next_seq, seq + 13);
	w_free(w);
}

/*
 * A NAT that keeps rows (pptp_nat_pick does while it can): a segment cut
 * after an ID's first byte passes whole, the second byte is rewritten in
 * the next segment, and the peer gets the translated ID.
 */
static void test_split_id_row_kept(void **state)
{
	struct world *w = w_new(MAP_ROW, 8, 0);
	u8 b[PPTP_MSG_MAX_LEN], wire[PPTP_MSG_MAX_LEN];
	u32 seq, pac_seq;
	struct pptp_call *c;
	unsigned int cut;

	(void)state;
	pptp_set_translated(&w->t, 0, 1);
	w_session_up(w, 0);
	seq = w->seq[0];
	pac_seq = w->seq[1];
	/* OCRQ cut at 13 (a new ID), then the PAC's OCRP cut at 13, 14, 15. */
	for (cut = 13; cut < 16; cut++) {
		u16 id = (u16)(0x0300 + cut);

		mk_ocrq(b, id, 1);
		assert_int_equal(w_feed_at(w, 0, seq, b, 13), PPTP_FEED_OK);
		assert_int_equal(w_feed_at(w, 0, seq + 13, b + 13, 168 - 13), PPTP_FEED_OK);
		assert_int_equal(get16(b + 12), PNS_R(id));
		seq += 168;
		c = pptp_find_by_id(&w->t, PNS, id);
		assert_non_null(c);
		mk_ocrp(b, (u16)(0x40 + cut), PNS_R(id), 1);
		assert_int_equal(w_feed_at(w, 1, pac_seq, b, cut), PPTP_FEED_OK);
		assert_int_equal(w_feed_at(w, 1, pac_seq + cut, b + cut, 32 - cut), PPTP_FEED_OK);
		assert_int_equal(get16(b + 14), id);
		assert_int_equal(c->state, PPTP_CALL_STATE_UP);
		pac_seq += 32;
	}
	/* CCRQ (an ID the session has) cut at 13: the same. */
	mk_ccrq(b, 0x030d);
	memcpy(wire, b, 16);
	assert_int_equal(w_feed_at(w, 0, seq, b, 13), PPTP_FEED_OK);
	assert_int_equal(w_feed_at(w, 0, seq + 13, b + 13, 3), PPTP_FEED_OK);
	assert_int_equal(b[12], wire[12]);
	assert_int_equal(get16(b + 12), PNS_R(0x030d));
	w_free(w);
}

/*
 * An ICRP from the translated PNS (two ID fields: its own new ID, then the
 * PAC's) cut at 14: the first field whole is not fixed yet, its first
 * byte is.  Refused with that byte taken: it may pass.
 */
static void test_split_second_field(void **state)
{
	struct world *w = w_new(MAP_ROW, 8, 0);
	u8 b[PPTP_MSG_MAX_LEN];
	u32 seq;

	(void)state;
	pptp_set_translated(&w->t, 0, 1);
	w_session_up(w, 0);
	mk_icrq(b, 0x0042, 1);
	w_send(w, 1, b);
	seq = w->seq[0];
	mk_icrp(b, 0x0500, 0x0042, 1);
	assert_dropped(w, w_feed_at(w, 0, seq, b, 14), PPTP_DROP_SPLIT_ID);
	assert_int_equal(pptp_pass_len(&w->t), 13);
	assert_int_equal(w_feed_at(w, 0, seq + 13, b + 13, pptp_msg_desc(PPTP_ICRP)->len - 13),
			 PPTP_FEED_OK);
	assert_int_equal(get16(b + 12), PNS_R(0x0500));
	w_free(w);
}

/* Without translation nothing is refused: there is nothing to rewrite. */
static void test_split_id_untranslated_passes(void **state)
{
	struct world *w = w_new(MAP_KEEP, 4, 0);
	u8 b[PPTP_MSG_MAX_LEN];

	(void)state;
	w_session_up(w, 0);
	mk_ocrq(b, 0x0100, 1);
	assert_int_equal(w_feed(w, 0, b, 14), PPTP_FEED_OK);
	assert_int_equal(w_feed(w, 0, b + 14, 168 - 14), PPTP_FEED_OK);
	assert_non_null(pptp_find_by_id(&w->t, PNS, 0x0100));
	w_free(w);
}

/*
 * The call table is full: the next OCRQ from the translated PNS would go
 * out with its own ID.  Refused, and the messages before it in the same
 * segment stay taken (their rewrites are replayed on retransmission).
 */
static void test_untranslated_refused(void **state)
{
	struct world *w = nat_world(1);
	u8 seg[16 + 2 * 168], copy[sizeof(seg)];
	u32 seq = w->seq[0];

	(void)state;
	mk_echorq(seg, 7);
	mk_ocrq(seg + 16, 0x0100, 1);
	mk_ocrq(seg + 16 + 168, 0x0101, 2);
	memcpy(copy, seg, sizeof(seg));
	assert_dropped(w, w_feed_at(w, 0, seq, seg, sizeof(seg)), PPTP_DROP_UNTRANSLATED);
	assert_int_equal(n_reason(w, PPTP_EV_REFUSED, PPTP_REFUSE_CALL_LIMIT), 1);
	assert_int_equal(w->t.dir[0].next_seq, seq + 16 + 168);
	assert_int_equal(pptp_pass_len(&w->t), 16 + 168);
	assert_non_null(pptp_find_by_id(&w->t, PNS, 0x0100));
	assert_null(pptp_find_by_id(&w->t, PNS, 0x0101));

	/* Retransmitted as it was: the first OCRQ's rewrite again, refused again. */
	memcpy(seg, copy, sizeof(seg));
	assert_dropped(w, w_feed_at(w, 0, seq, seg, sizeof(seg)), PPTP_DROP_UNTRANSLATED);
	assert_int_equal(get16(seg + 16 + 12), PNS_X(0x0100));

	/* The first call is cleared; the retransmission now passes, translated. */
	{
		u8 b[PPTP_MSG_MAX_LEN];

		mk_ocrp(b, 0x0200, PNS_X(0x0100), 1);
		w_send(w, 1, b);
		mk_cdn(b, PNS_X(0x0100), 1);
		w_send(w, 1, b);
	}
	memcpy(seg, copy, sizeof(seg));
	assert_int_equal(w_feed_at(w, 0, seq, seg, sizeof(seg)), PPTP_FEED_OK);
	assert_int_equal(get16(seg + 16 + 168 + 12), PNS_X(0x0101));
	assert_non_null(pptp_find_by_id(&w->t, PNS, 0x0101));
	w_free(w);
}

/* No free ID: refused, nothing leaked, fine again once map_id finds one. */
static void test_exhausted_refused(void **state)
{
	struct world *w = nat_world(4);
	u8 b[PPTP_MSG_MAX_LEN], copy[PPTP_MSG_MAX_LEN];

	(void)state;
	mk_ocrq(b, 0x0100, 1);
	memcpy(copy, b, sizeof(b));
	w->map_fail = 1;
	assert_dropped(w, w_feed(w, 0, b, 168), PPTP_DROP_UNTRANSLATED);
	assert_int_equal(n_reason(w, PPTP_EV_REFUSED, PPTP_REFUSE_ID_EXHAUSTED), 1);
	assert_int_equal(get16(b + 12), 0x0100);
	w->map_fail = 0;
	assert_int_equal(w_feed(w, 0, copy, 168), PPTP_FEED_OK);
	assert_int_equal(get16(copy + 12), PNS_X(0x0100));
	w_free(w);
}

/* A duplicate ID from the translated side would leave raw: refused. */
static void test_duplicate_refused(void **state)
{
	struct world *w = nat_world(4);
	u8 b[PPTP_MSG_MAX_LEN];

	(void)state;
	w_out_call(w, 0, 0x0100, 0x0200);
	mk_ocrq(b, 0x0100, 2);
	assert_dropped(w, w_feed(w, 0, b, 168), PPTP_DROP_UNTRANSLATED);
	assert_int_equal(n_reason(w, PPTP_EV_ANOMALY, PPTP_AN_DUP_CALL_ID), 1);
	/* The PAC's side is not translated: its duplicate passes (and is reported). */
	mk_icrq(b, 0x0200, 3);
	assert_int_equal(w_feed(w, 1, b, 220), PPTP_FEED_OK);
	assert_int_equal(n_reason(w, PPTP_EV_ANOMALY, PPTP_AN_DUP_CALL_ID), 1);
	w_free(w);
}

/*
 * An invalid header naming a call request from the translated side: a
 * lenient peer could read the raw ID from it.  Refused; the same from the
 * untranslated side, or an invalid Echo, only counts.
 */
static void test_invalid_call_message_refused(void **state)
{
	struct world *w = nat_world(4);
	u8 b[PPTP_MSG_MAX_LEN];

	(void)state;
	mk_ocrq(b, 0x0100, 1);
	b[10] = 1;		/* Reserved0 */
	assert_dropped(w, w_feed(w, 0, b, 168), PPTP_DROP_INVALID);
	assert_int_equal(n_reason(w, PPTP_EV_INVALID, PPTP_INV_RESERVED), 1);
	mk_echorq(b, 1);
	b[10] = 1;
	assert_int_equal(w_feed(w, 0, b, 16), PPTP_FEED_OK);
	assert_int_equal(n_last(w, PPTP_EV_INVALID), 1);
	mk_icrq(b, 0x0200, 1);
	b[10] = 1;
	assert_int_equal(w_feed(w, 1, b, 220), PPTP_FEED_OK);
	w_free(w);
}

/* PPTP_F_REFUSE_INVALID: every invalid message, either side, not taken. */
static void test_refuse_invalid_flag(void **state)
{
	struct world *w = w_new(MAP_NULL, 4, PPTP_F_REFUSE_INVALID);
	u8 b[PPTP_MSG_MAX_LEN];
	u32 seq;

	(void)state;
	w_session_up(w, 0);
	seq = w->seq[1];
	mk_echorq(b, 1);
	put16(b, 20);		/* bad length */
	assert_dropped(w, w_feed(w, 1, b, 20), PPTP_DROP_INVALID);
	assert_int_equal(w->t.dir[1].next_seq, seq);
	mk_echorq(b, 1);
	pptp_put32(b + 4, 0xdeadbeef);
	assert_dropped(w, w_feed(w, 1, b, 16), PPTP_DROP_INVALID);
	assert_int_equal(w->t.dir[1].next_seq, seq);
	assert_int_equal(w->t.dir[1].hunting, 0);
	mk_echorq(b, 1);
	assert_int_equal(w_feed(w, 1, b, 16), PPTP_FEED_OK);
	w_free(w);
}

/* Retransmitted bytes that differ where the first copy was rewritten: refused. */
static void test_retrans_mismatch_refused(void **state)
{
	struct world *w = nat_world(4);
	u8 b[PPTP_MSG_MAX_LEN];
	u32 seq = w->seq[0];

	(void)state;
	mk_ocrq(b, 0x0100, 1);
	w_send(w, 0, b);
	mk_ocrq(b, 0x0177, 1);	/* "the same bytes" with another ID */
	assert_dropped(w, w_feed_at(w, 0, seq, b, 168), PPTP_DROP_RETRANS);
	assert_int_equal(n_reason(w, PPTP_EV_ANOMALY, PPTP_AN_RETRANS_MISMATCH), 1);
	assert_int_equal(n_last(w, PPTP_EV_REWRITE), 0);
	assert_int_equal(get16(b + 12), 0x0177);
	/* The genuine retransmission is rewritten as the first copy was. */
	mk_ocrq(b, 0x0100, 1);
	assert_int_equal(w_feed_at(w, 0, seq, b, 168), PPTP_FEED_OK);
	assert_int_equal(get16(b + 12), PNS_X(0x0100));
	w_free(w);
}

/* A retransmission from before the oldest logged rewrite: refused. */
static void test_retrans_beyond_log_refused(void **state)
{
	struct world *w = nat_world(8);
	u8 b[PPTP_MSG_MAX_LEN];
	u32 seq = w->seq[0];
	unsigned int i;

	(void)state;
	/* 17 rewritten IDs: OCRQ then CCRQ, over and over (CDNs free the slots). */
	for (i = 0; i < 9; i++) {
		mk_ocrq(b, (u16)(0x0100 + i), 1);
		w_send(w, 0, b);
		mk_ocrp(b, (u16)(0x0200 + i), PNS_X(0x0100 + i), 1);
		w_send(w, 1, b);
		mk_ccrq(b, (u16)(0x0100 + i));
		w_send(w, 0, b);
		mk_cdn(b, PNS_X(0x0100 + i), 1);
		w_send(w, 1, b);
	}
	mk_ocrq(b, 0x0100, 1);
	assert_dropped(w, w_feed_at(w, 0, seq, b, 168), PPTP_DROP_RETRANS);
	assert_int_equal(n_reason(w, PPTP_EV_ANOMALY, PPTP_AN_RETRANS_STALE), 1);
	w_free(w);
}

/*
 * Sequence numbers wrap: a logged rewrite about 2^31 bytes behind a
 * retransmitted segment must not be replayed into it.  Once the replay
 * wrote up to 255 bytes from a wild offset (a stack read in the core, a
 * kernel memory disclosure in the module).
 */
static void test_replay_far_behind(void **state)
{
	static const u32 dist[] = { 0x7fffff00, 0x80000000, 0x80000001, 0x80000100,
				    0x40000000, 0xfffffff0 };
	unsigned int i;

	(void)state;
	for (i = 0; i < PPTP_ARRAY_SIZE(dist); i++) {
		struct world *w = nat_world(4);
		struct pptp_stream *s = &w->t.dir[0];
		u8 b[PPTP_MSG_MAX_LEN], seg[256];
		u32 seq = w->seq[0], j;

		mk_ocrq(b, 0x0100, 1);
		w_send(w, 0, b);
		/* As if a long stream had passed since: the log still holds the rewrite. */
		s->next_seq = seq + dist[i];
		for (j = 0; j < 2; j++) {
			u32 at = s->next_seq - 200 + j * 100;

			memset(seg, 0, sizeof(seg));
			w->mark = w->n;
			pptp_feed(&w->t, 0, at, seg, 200);
			w_apply(w, w->mark, seg, 200);	/* asserts offsets and lengths */
			assert_int_equal(n_last(w, PPTP_EV_REWRITE), 0);
		}
		w_free(w);
	}
}

/* After a gap, the rewrites before it are gone with it. */
static void test_resync_clears_log(void **state)
{
	struct world *w = nat_world(4);
	u8 b[PPTP_MSG_MAX_LEN];
	unsigned int i;

	(void)state;
	mk_ocrq(b, 0x0100, 1);
	w_send(w, 0, b);
	pptp_resync(&w->t, 0, w->seq[0] + 5000);
	for (i = 0; i < PPTP_REWRITE_LOG; i++)
		assert_int_equal(w->t.dir[0].log[i].old_val, w->t.dir[0].log[i].new_val);
	w_free(w);
}

/* A StopCCRP seen first (midstream, or forged) ends nothing. */
static void test_midstream_stopccrp(void **state)
{
	struct world *w = w_new(MAP_NULL, 4, PPTP_F_MIDSTREAM);
	u8 b[PPTP_MSG_MAX_LEN];

	(void)state;
	w_out_call(w, 0, 0x0100, 0x0200);
	mk_stopccrp(b);
	w_send(w, 1, b);
	assert_int_equal(n_reason(w, PPTP_EV_ANOMALY, PPTP_AN_OUT_OF_STATE), 1);
	assert_int_equal(n_last(w, PPTP_EV_CALL_DOWN), 0);
	assert_int_not_equal(w->t.session, PPTP_SESS_DOWN);
	assert_int_equal(w->t.live_calls, 1);
	/* The real stop still works. */
	mk_stopccrq(b);
	w_send(w, 0, b);
	assert_int_equal(n_last(w, PPTP_EV_CALL_DOWN), 1);
	mk_stopccrp(b);
	w_send(w, 1, b);
	assert_int_equal(w->t.session, PPTP_SESS_DOWN);
	w_free(w);
}

int run_refuse_tests(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_split_id_refused),
		cmocka_unit_test(test_split_id_row_left),
		cmocka_unit_test(test_split_id_row_kept),
		cmocka_unit_test(test_split_second_field),
		cmocka_unit_test(test_split_id_untranslated_passes),
		cmocka_unit_test(test_untranslated_refused),
		cmocka_unit_test(test_exhausted_refused),
		cmocka_unit_test(test_duplicate_refused),
		cmocka_unit_test(test_invalid_call_message_refused),
		cmocka_unit_test(test_refuse_invalid_flag),
		cmocka_unit_test(test_retrans_mismatch_refused),
		cmocka_unit_test(test_retrans_beyond_log_refused),
		cmocka_unit_test(test_replay_far_behind),
		cmocka_unit_test(test_resync_clears_log),
		cmocka_unit_test(test_midstream_stopccrp),
	};

	return cmocka_run_group_tests_name("refusals", tests, NULL, NULL);
}
