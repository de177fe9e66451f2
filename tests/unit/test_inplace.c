// SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
/*
 * A segment that is exactly one message is decided and completed where it
 * lies (one_message); anything else goes through the buffer, byte-wise
 * framing and hunting.  Both must mean the same.  One session full of
 * hostile input (reserved fields set, a bad result, a duplicate ID, a role
 * conflict, an unknown call, invalid headers, a lost framing hunted back,
 * a reply out of state) is fed twice: one message per segment, then each
 * message as its first PPTP_DECIDE_LEN bytes (every ID field, so rewrites
 * stay whole) followed by the rest a byte at a time, so no message is ever
 * whole in a segment.  Events, rewritten bytes, counters and the call
 * table must be the same.
 */
#include <stdlib.h>

#include "harness.h"

#define IP_MSGS		32
#define IP_STREAM	4096

struct ip_script {
	unsigned int n;
	u8 dir[IP_MSGS];
	u16 len[IP_MSGS];
	u8 msg[IP_MSGS][PPTP_MSG_MAX_LEN];
};

struct ip_run {
	struct world *w;
	u8 out[2][IP_STREAM];	/* each direction as the receiver gets it */
	u32 total[2];
};

static u8 *ip_add(struct ip_script *s, unsigned int dir)
{
	assert_true(s->n < IP_MSGS);
	s->dir[s->n] = (u8)dir;
	return s->msg[s->n++];
}

/* The PNS sends in direction 0; IDs are written as a @mode NAT shows them. */
static void ip_build(struct ip_script *s, enum map_mode mode)
{
	int xp = mode == MAP_PNS || mode == MAP_BOTH;
	int yc = mode == MAP_PAC || mode == MAP_BOTH;
	u16 x1 = xp ? PNS_X(0x0100) : 0x0100, x2 = xp ? PNS_X(0x0102) : 0x0102;
	u16 y1 = yc ? PAC_X(0x0200) : 0x0200, y2 = yc ? PAC_X(0x0202) : 0x0202;
	unsigned int i;
	u8 *b;

	memset(s, 0, sizeof(*s));
	mk_sccrq(ip_add(s, 0));
	mk_sccrp(ip_add(s, 1), 1);
	mk_echorq(ip_add(s, 0), 7);
	b = ip_add(s, 1);
	mk_echorp(b, 7);
	b[18] = 0x5A;				/* Reserved: an anomaly, acted on */
	mk_ocrq(ip_add(s, 0), 0x0100, 1);
	mk_ocrq(ip_add(s, 0), 0x0100, 2);	/* duplicate call ID */
	mk_ocrp(ip_add(s, 1), 0x0200, x1, 1);
	mk_icrq(ip_add(s, 0), 0x0300, 3);	/* a PAC's message from the PNS */
	b = ip_add(s, 0);
	mk_sli(b, y1);
	put16(b + 10, 1);			/* Reserved0: invalid */
	b = ip_add(s, 1);
	mk_wen(b, x1);
	put16(b + 8, 16);			/* no such type: invalid, framed */
	mk_wen(ip_add(s, 1), 0x0777);		/* unknown call */
	b = ip_add(s, 1);
	mk_wen(b, x1);
	b[4] ^= 0xFF;				/* bad cookie: framing lost, hunted */
	mk_wen(ip_add(s, 1), x1);
	b = ip_add(s, 0);
	mk_sli(b, y1);
	b[15] = 1;				/* Reserved */
	mk_ccrq(ip_add(s, 0), 0x0100);
	mk_cdn(ip_add(s, 1), 0x0200, 0);	/* result 0: out of range, acted on */
	mk_icrq(ip_add(s, 1), 0x0202, 4);
	mk_icrp(ip_add(s, 0), 0x0102, y2, 1);
	mk_iccn(ip_add(s, 1), x2);
	mk_stopccrp(ip_add(s, 1));		/* out of state */
	mk_cdn(ip_add(s, 1), x2, 1);		/* the PNS's ID, Windows style */
	mk_stopccrq(ip_add(s, 0));
	mk_stopccrp(ip_add(s, 1));
	for (i = 0; i < s->n; i++)
		s->len[i] = get16(s->msg[i]);
}

/* Feed @len bytes of @seg in direction @dir and keep them as they leave. */
static void ip_feed(struct ip_run *r, unsigned int dir, u8 *seg, u32 len)
{
	assert_int_equal(w_feed(r->w, dir, seg, len), PPTP_FEED_OK);
	assert_true(r->total[dir] + len <= IP_STREAM);
	memcpy(r->out[dir] + r->total[dir], seg, len);
	r->total[dir] += len;
}

/*
 * @split 0: one message per segment; else never a whole message in one.
 * @in_place: 1 fed with pptp_feed_in_place, 0 with pptp_feed, -1 as
 * w_new chose.
 */
static void ip_play(struct ip_run *r, const struct ip_script *s, enum map_mode mode,
		    u32 quiet, int split, int in_place)
{
	u8 seg[PPTP_MSG_MAX_LEN];
	unsigned int i;
	u32 b, head;

	memset(r, 0, sizeof(*r));
	r->w = w_new_quiet(mode, WORLD_CALLS, 0, quiet);
	if (in_place >= 0)
		r->w->in_place = in_place;
	for (i = 0; i < s->n; i++) {
		memcpy(seg, s->msg[i], s->len[i]);
		if (!split) {
			ip_feed(r, s->dir[i], seg, s->len[i]);
			continue;
		}
		head = s->len[i] > PPTP_DECIDE_LEN ? PPTP_DECIDE_LEN : s->len[i] - 1u;
		ip_feed(r, s->dir[i], seg, head);
		for (b = head; b < s->len[i]; b++)
			ip_feed(r, s->dir[i], seg + b, 1);
	}
}

/* Everything an event says, but where in its segment a REWRITE lands. */
static void ip_same_event(const struct rec_event *a, const struct rec_event *b, unsigned int i)
{
	const struct pptp_event *x = &a->ev, *y = &b->ev;

	if (x->type == y->type && x->dir == y->dir && x->role == y->role &&
	    x->reason == y->reason && x->msg_type == y->msg_type &&
	    x->msg_seq == y->msg_seq && x->msg_len == y->msg_len &&
	    x->field_off == y->field_off && x->old_val == y->old_val &&
	    x->new_val == y->new_val && x->nbytes == y->nbytes && x->first == y->first &&
	    !memcmp(x->bytes, y->bytes, sizeof(x->bytes)) && a->has_call == b->has_call &&
	    !memcmp(&a->call, &b->call, sizeof(a->call)) &&
	    !memcmp(a->msg, b->msg, sizeof(a->msg)))
		return;
	fail_msg("event %u: %s (%s) in place, %s (%s) through the buffer", i,
		 pptp_event_name(x->type), pptp_msg_name(x->msg_type),
		 pptp_event_name(y->type), pptp_msg_name(y->msg_type));
}

static void ip_compare(enum map_mode mode, u32 quiet)
{
	struct ip_script *s = calloc(1, sizeof(*s));
	struct ip_run *whole = calloc(1, sizeof(*whole)), *split = calloc(1, sizeof(*split));
	struct pptp_tracker *a, *b;
	unsigned int i, d;

	assert_non_null(s);
	assert_non_null(whole);
	assert_non_null(split);
	ip_build(s, mode);
	ip_play(whole, s, mode, quiet, 0, -1);
	ip_play(split, s, mode, quiet, 1, -1);
	a = &whole->w->t;
	b = &split->w->t;
	assert_int_equal(whole->w->n, split->w->n);
	for (i = 0; i < whole->w->n; i++)
		ip_same_event(&whole->w->ev[i], &split->w->ev[i], i);
	for (d = 0; d < 2; d++) {
		assert_int_equal(whole->total[d], split->total[d]);
		assert_memory_equal(whole->out[d], split->out[d], whole->total[d]);
	}
	assert_memory_equal(&a->cnt, &b->cnt, sizeof(a->cnt));
	assert_memory_equal(whole->w->calls, split->w->calls, sizeof(whole->w->calls));
	assert_int_equal(a->session, b->session);
	assert_memory_equal(a->role, b->role, sizeof(a->role));
	assert_int_equal(a->cdn_role, b->cdn_role);
	assert_int_equal(a->live_calls, b->live_calls);
	/* The script reaches every case it was written for. */
	assert_int_equal(a->cnt.invalid[PPTP_INV_RESERVED], 1);
	assert_int_equal(a->cnt.invalid[PPTP_INV_CTRL_TYPE], 1);
	assert_int_equal(a->cnt.invalid[PPTP_INV_MAGIC], 1);
	assert_int_equal(a->cnt.anomalies[PPTP_AN_RESERVED], 2);
	assert_int_equal(a->cnt.anomalies[PPTP_AN_RESULT_RANGE], 1);
	assert_int_equal(a->cnt.anomalies[PPTP_AN_DUP_CALL_ID], 1);
	assert_int_equal(a->cnt.anomalies[PPTP_AN_ROLE_CONFLICT], 1);
	assert_int_equal(a->cnt.anomalies[PPTP_AN_UNKNOWN_CALL_ID], 1);
	assert_int_equal(a->cnt.anomalies[PPTP_AN_OUT_OF_STATE], 1);
	assert_int_equal(a->cnt.anomalies[PPTP_AN_DESYNC], 1);
	assert_int_equal(a->cnt.calls_up, 2);
	assert_int_equal(a->session, PPTP_SESS_DOWN);
	if (mode != MAP_NULL)
		assert_true(a->cnt.rewrites > 0);
	w_free(whole->w);
	w_free(split->w);
	free(whole);
	free(split);
	free(s);
}

static void test_inplace_plain(void **state)
{
	(void)state;
	ip_compare(MAP_NULL, 0);
}

static void test_inplace_nat(void **state)
{
	(void)state;
	ip_compare(MAP_BOTH, 0);
}

/* The faces' ops: no MESSAGE, so nothing is copied before a rewrite. */
static void test_inplace_nat_quiet(void **state)
{
	(void)state;
	ip_compare(MAP_BOTH, PPTP_EV_BIT(PPTP_EV_MESSAGE) | PPTP_EV_BIT(PPTP_EV_SESSION));
	ip_compare(MAP_PNS, PPTP_EV_BIT(PPTP_EV_MESSAGE) | PPTP_EV_BIT(PPTP_EV_SESSION));
}

/*
 * The module's way: no REWRITE events at all, the tracker writes the
 * segment itself (pptp_feed_in_place).  What leaves must be what the
 * events would have written, whole messages or split ones.
 */
static void test_inplace_writes(void **state)
{
	const u32 faces = PPTP_EV_BIT(PPTP_EV_MESSAGE) | PPTP_EV_BIT(PPTP_EV_SESSION);
	struct ip_script *s = calloc(1, sizeof(*s));
	struct ip_run *ev = calloc(1, sizeof(*ev)), *wr = calloc(1, sizeof(*wr));
	unsigned int split, d;

	(void)state;
	assert_non_null(s);
	assert_non_null(ev);
	assert_non_null(wr);
	ip_build(s, MAP_BOTH);
	for (split = 0; split < 2; split++) {
		ip_play(ev, s, MAP_BOTH, faces, split, 0);
		ip_play(wr, s, MAP_BOTH, faces | PPTP_EV_BIT(PPTP_EV_REWRITE), split, 1);
		assert_true(wr->w->t.cnt.rewrites > 0);
		assert_int_equal(count_from(wr->w, 0, PPTP_EV_REWRITE), 0);
		for (d = 0; d < 2; d++) {
			assert_int_equal(ev->total[d], wr->total[d]);
			assert_memory_equal(ev->out[d], wr->out[d], ev->total[d]);
		}
		assert_memory_equal(&ev->w->t.cnt, &wr->w->t.cnt, sizeof(ev->w->t.cnt));
		assert_memory_equal(ev->w->calls, wr->w->calls, sizeof(ev->w->calls));
		w_free(ev->w);
		w_free(wr->w);
	}
	free(ev);
	free(wr);
	free(s);
}

int run_inplace_tests(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_inplace_plain),
		cmocka_unit_test(test_inplace_nat),
		cmocka_unit_test(test_inplace_nat_quiet),
		cmocka_unit_test(test_inplace_writes),
	};

	return cmocka_run_group_tests_name("inplace", tests, NULL, NULL);
}
