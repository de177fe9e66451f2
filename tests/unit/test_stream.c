// SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
/*
 * TCP segmentation must not matter.  One scripted session (all fifteen
 * message types, three calls) is fed one message per segment as the
 * reference, then coalesced, split at every byte of every message, cut in
 * fixed chunks, byte by byte, and across sequence number wrap.  Each run
 * must report the same events and deliver the same bytes as the reference,
 * with one exception the core documents: a field to rewrite that begins in
 * a segment fed before the message's first pptp_decide_len() bytes were
 * complete stays as sent, whole, and PPTP_AN_SPLIT_FIELD is reported (the
 * maps here all change an ID's first byte).  When
 * that field carries a new call ID, the call is not tracked at all (its
 * mapping is handed back): from that message on the run legitimately
 * differs from the reference, so it is compared up to there.
 */
#include <stdio.h>
#include <stdlib.h>

#include "harness.h"

#define STREAM_MAX	4096
#define SCRIPT_MAX	32

struct script {
	unsigned int n;
	u8 dir[SCRIPT_MAX];
	u32 off[SCRIPT_MAX];		/* where the message starts in its direction */
	u16 len[SCRIPT_MAX];
	u8 bytes[2][STREAM_MAX];	/* each direction's stream as sent */
	u32 total[2];
};

enum cut_kind { CUT_MESSAGES, CUT_COALESCE, CUT_SPLIT, CUT_CHUNK };

struct policy {
	enum cut_kind kind;
	unsigned int k;		/* CUT_SPLIT: message k ... */
	u32 p;			/* ... split p bytes in */
	u32 chunk;		/* CUT_CHUNK: bytes per segment within a burst */
	u32 start[2];		/* initial sequence numbers */
};

struct run {
	struct world *w;
	u32 start[2];
	u8 out[2][STREAM_MAX];		/* stream as the receiver gets it */
	u8 seg_start[2][STREAM_MAX];	/* 1 where a segment starts */
};

static void add(struct script *s, unsigned int dir, const u8 *msg)
{
	u16 len = get16(msg);

	assert_true(s->n < SCRIPT_MAX && s->total[dir] + len <= STREAM_MAX);
	s->dir[s->n] = (u8)dir;
	s->off[s->n] = s->total[dir];
	s->len[s->n] = len;
	memcpy(s->bytes[dir] + s->total[dir], msg, len);
	s->total[dir] += len;
	s->n++;
}

/* The PNS (dir 0) and PAC as they would talk through a @mode NAT. */
static void build_script(struct script *s, enum map_mode mode)
{
	int xp = mode == MAP_PNS || mode == MAP_BOTH;
	int yc = mode == MAP_PAC || mode == MAP_BOTH;
	u16 x1 = xp ? PNS_X(0x0100) : 0x0100, x2 = xp ? PNS_X(0x0101) : 0x0101;
	u16 x3 = xp ? PNS_X(0x0102) : 0x0102;
	u16 y1 = yc ? PAC_X(0x0200) : 0x0200, y3 = yc ? PAC_X(0x0202) : 0x0202;
	u8 b[PPTP_MSG_MAX_LEN];

	memset(s, 0, sizeof(*s));
	mk_sccrq(b);			add(s, 0, b);
	mk_sccrp(b, 1);			add(s, 1, b);
	mk_echorq(b, 1);		add(s, 0, b);
	mk_ocrq(b, 0x0100, 1);		add(s, 0, b);
	mk_ocrq(b, 0x0101, 2);		add(s, 0, b);
	mk_echorp(b, 1);		add(s, 1, b);
	mk_ocrp(b, 0x0200, x1, 1);	add(s, 1, b);
	mk_ocrp(b, 0x0201, x2, 1);	add(s, 1, b);
	mk_icrq(b, 0x0202, 3);		add(s, 1, b);
	mk_sli(b, y1);			add(s, 0, b);
	mk_icrp(b, 0x0102, y3, 1);	add(s, 0, b);
	mk_iccn(b, x3);			add(s, 1, b);
	mk_wen(b, x1);			add(s, 1, b);
	mk_sli(b, x2);			add(s, 1, b);
	mk_ccrq(b, 0x0100);		add(s, 0, b);
	mk_cdn(b, x1, 4);		add(s, 1, b);	/* the PNS's ID */
	mk_cdn(b, 0x0202, 1);		add(s, 1, b);	/* the PAC's own */
	mk_stopccrq(b);			add(s, 0, b);
	mk_stopccrp(b);			add(s, 1, b);
}

static int is_cut(const struct script *s, const struct policy *pol,
		  unsigned int dir, u32 pos, u32 burst)
{
	unsigned int i;

	if (pos == burst)
		return 1;
	switch (pol->kind) {
	case CUT_COALESCE:
		return 0;
	case CUT_CHUNK:
		return (pos - burst) % pol->chunk == 0;
	case CUT_SPLIT:
		if (s->dir[pol->k] == dir && pos == s->off[pol->k] + pol->p)
			return 1;
		/* fall through */
	case CUT_MESSAGES:
		for (i = 0; i < s->n; i++)
			if (s->dir[i] == dir && s->off[i] == pos)
				return 1;
	}
	return 0;
}

/* Feed bytes [from, to) of @dir, cut as @pol says. */
static void feed_burst(struct run *r, const struct script *s, const struct policy *pol,
		       unsigned int dir, u32 from, u32 to)
{
	u32 pos = from;

	while (pos < to) {
		u32 end = pos + 1;

		while (end < to && !is_cut(s, pol, dir, end, from))
			end++;
		r->seg_start[dir][pos] = 1;
		memcpy(r->out[dir] + pos, s->bytes[dir] + pos, end - pos);
		assert_int_equal(w_feed_at(r->w, dir, r->start[dir] + pos,
					   r->out[dir] + pos, end - pos), PPTP_FEED_OK);
		pos = end;
	}
}

static struct run *run_script(const struct script *s, enum map_mode mode,
			      const struct policy *pol)
{
	struct run *r = calloc(1, sizeof(*r));
	unsigned int i = 0;

	assert_non_null(r);
	r->w = w_new(mode, 4, 0);
	r->start[0] = pol->start[0];
	r->start[1] = pol->start[1];
	while (i < s->n) {
		unsigned int j = i, dir = s->dir[i];

		while (j < s->n && s->dir[j] == dir)
			j++;
		feed_burst(r, s, pol, dir, s->off[i], s->off[j - 1] + s->len[j - 1]);
		i = j;
	}
	return r;
}

static void run_free(struct run *r)
{
	w_free(r->w);
	free(r);
}

/* Start of the segment holding stream byte @pos of @dir. */
static u32 seg_of(const struct run *r, unsigned int dir, u32 pos)
{
	while (!r->seg_start[dir][pos])
		pos--;
	return pos;
}

static int comparable(const struct rec_event *e)
{
	if (e->ev.type == PPTP_EV_REWRITE)
		return 0;
	return !(e->ev.type == PPTP_EV_ANOMALY && e->ev.reason == PPTP_AN_SPLIT_FIELD);
}

static void same_event(const struct run *a, const struct rec_event *x,
		       const struct run *b, const struct rec_event *y, const char *what)
{
	const struct pptp_event *p = &x->ev, *q = &y->ev;

	if (p->type != q->type || p->dir != q->dir || p->role != q->role ||
	    p->reason != q->reason || p->msg_type != q->msg_type ||
	    p->msg_seq - a->start[p->dir] != q->msg_seq - b->start[q->dir] ||
	    p->msg_len != q->msg_len || p->old_val != q->old_val ||
	    p->new_val != q->new_val || x->has_call != y->has_call)
		fail_msg("%s: event %s %s (dir %u, %s) differs from %s %s", what,
			 pptp_event_name(q->type), pptp_msg_name(q->msg_type), q->dir,
			 q->type == PPTP_EV_ANOMALY ? pptp_anomaly_name(q->reason) : "-",
			 pptp_event_name(p->type), pptp_msg_name(p->msg_type));
	if (p->type == PPTP_EV_MESSAGE)
		assert_memory_equal(x->msg, y->msg, p->msg_len);
	if (x->has_call) {
		assert_int_equal(x->call.state, y->call.state);
		assert_memory_equal(x->call.id, y->call.id, sizeof(x->call.id));
		assert_memory_equal(x->call.xid, y->call.xid, sizeof(x->call.xid));
	}
}

/* Index in the script of the message starting at stream offset @off of @dir. */
static unsigned int msg_index(const struct script *s, unsigned int dir, u32 off)
{
	unsigned int k;

	for (k = 0; k < s->n; k++)
		if (s->dir[k] == dir && s->off[k] == off)
			return k;
	fail_msg("no message at offset %u of direction %u", off, dir);
	return s->n;
}

/* A REWRITE of the call ID a call-opening or answering message introduces. */
static int new_id_field(const struct pptp_event *e)
{
	switch (e->msg_type) {
	case PPTP_OCRQ:
	case PPTP_ICRQ:
	case PPTP_OCRP:
	case PPTP_ICRP:
		return e->field_off == pptp_msg_desc(e->msg_type)->own_off;
	}
	return 0;
}

/* The last byte of the message at @msg in @dir that decide() waits for. */
static u32 decide_byte(const struct script *s, unsigned int dir, u32 msg)
{
	return msg + pptp_decide_len(get16(s->bytes[dir] + msg + 8)) - 1;
}

/*
 * Where @got leaves the reference: the index (in @ref's events) of the
 * first REWRITE of a new call ID that @got could not make, and the script
 * index of its message in *@cut_msg; ref->w->n and s->n when there is none.
 */
static unsigned int divergence(const struct script *s, const struct run *ref,
			       const struct run *got, unsigned int *cut_msg)
{
	unsigned int i;

	*cut_msg = s->n;
	for (i = 0; i < ref->w->n; i++) {
		const struct pptp_event *e = &ref->w->ev[i].ev;
		u32 msg = e->msg_seq - ref->start[e->dir];

		if (e->type != PPTP_EV_REWRITE || !new_id_field(e))
			continue;
		if (msg + e->field_off < seg_of(got, e->dir, decide_byte(s, e->dir, msg))) {
			*cut_msg = msg_index(s, e->dir, msg);
			return i;
		}
	}
	return ref->w->n;
}

/* The same events in the same order but for REWRITE and SPLIT_FIELD, up to @cut. */
static void compare_events(const struct run *ref, const struct run *got,
			   unsigned int cut, const char *what)
{
	unsigned int i = 0, j = 0;

	for (;;) {
		while (i < cut && !comparable(&ref->w->ev[i]))
			i++;
		while (j < got->w->n && !comparable(&got->w->ev[j]))
			j++;
		if (i == cut || j == got->w->n)
			break;
		same_event(ref, &ref->w->ev[i++], got, &got->w->ev[j++], what);
	}
	if (cut == ref->w->n && (i != cut || j != got->w->n))
		fail_msg("%s: %s events", what, i == cut ? "extra" : "missing");
	if (cut != ref->w->n && i != cut)
		fail_msg("%s: missing events before the untracked call", what);
}

/*
 * Message @k introduced a call ID that could not be rewritten: it left as
 * sent, its mapping was handed back and its call never came up.
 */
static void check_untracked(const struct script *s, const struct run *got,
			    unsigned int k, const char *what)
{
	unsigned int dir = s->dir[k];
	u16 type = get16(s->bytes[dir] + s->off[k] + 8);
	u16 id = get16(s->bytes[dir] + s->off[k] + pptp_msg_desc(type)->own_off);
	u32 pos = s->off[k] + pptp_msg_desc(type)->own_off;
	unsigned int i, unmapped = 0;

	if (memcmp(got->out[dir] + pos, s->bytes[dir] + pos, 2))
		fail_msg("%s: %s call ID %#x was half rewritten", what, pptp_msg_name(type), id);
	for (i = 0; i < got->w->n; i++) {
		const struct pptp_event *e = &got->w->ev[i].ev;

		unmapped += e->type == PPTP_EV_UNMAP && e->old_val == id &&
			    e->msg_seq - got->start[dir] == s->off[k];
	}
	if (unmapped != 1)
		fail_msg("%s: %s call ID %#x unmapped %u times, want once", what,
			 pptp_msg_name(type), id, unmapped);
	if (count_from(got->w, 0, PPTP_EV_CALL_UP) >= 3)
		fail_msg("%s: the call of %s %#x came up untranslated", what,
			 pptp_msg_name(type), id);
}

/*
 * @got must match @ref (fed a message per segment): the same events and
 * the same bytes out, but for fields that could not be rewritten and what
 * follows from them (see the top of the file).  Returns how many fields
 * could not be rewritten.
 */
static unsigned int compare(const struct script *s, const struct run *ref,
			    const struct run *got, const char *what)
{
	static u8 checked[2][STREAM_MAX];
	unsigned int i, k, b, want_split = 0, dir, cut_msg, cut;
	u32 pos, end[2];

	cut = divergence(s, ref, got, &cut_msg);
	compare_events(ref, got, cut, what);

	/* Bytes are compared for the messages before the cut. */
	end[0] = s->total[0];
	end[1] = s->total[1];
	for (k = cut_msg; k < s->n; k++)
		if (s->off[k] < end[s->dir[k]])
			end[s->dir[k]] = s->off[k];
	memset(checked, 0, sizeof(checked));
	for (i = 0; i < ref->w->n; i++) {
		const struct pptp_event *e = &ref->w->ev[i].ev;
		u32 msg, decide;
		int split;

		if (e->type != PPTP_EV_REWRITE)
			continue;
		msg = e->msg_seq - ref->start[e->dir];
		k = msg_index(s, e->dir, msg);
		if (k > cut_msg)
			continue;
		pos = msg + e->field_off;
		decide = seg_of(got, e->dir, decide_byte(s, e->dir, msg));
		split = pos < decide;
		want_split += split;
		if (k == cut_msg)
			continue;
		for (b = 0; b < 2; b++) {
			const u8 *want = split ? s->bytes[e->dir] : ref->out[e->dir];

			if (got->out[e->dir][pos + b] != want[pos + b])
				fail_msg("%s: %s field %u byte %u: %02x, want %02x", what,
					 pptp_msg_name(e->msg_type), e->field_off, b,
					 got->out[e->dir][pos + b], want[pos + b]);
			checked[e->dir][pos + b] = 1;
		}
	}
	for (dir = 0; dir < 2; dir++)
		for (pos = 0; pos < end[dir]; pos++)
			if (!checked[dir][pos] && got->out[dir][pos] != ref->out[dir][pos])
				fail_msg("%s: dir %u byte %u: %02x, want %02x", what, dir, pos,
					 got->out[dir][pos], ref->out[dir][pos]);
	if (cut_msg < s->n)
		check_untracked(s, got, cut_msg, what);
	k = count_reason(got->w, 0, PPTP_EV_ANOMALY, PPTP_AN_SPLIT_FIELD);
	if (cut_msg < s->n ? k < want_split : k != want_split)
		fail_msg("%s: %u SPLIT_FIELD anomalies, want %s%u", what, k,
			 cut_msg < s->n ? "at least " : "", want_split);
	return want_split;
}

static const struct policy ref_policy = { .kind = CUT_MESSAGES, .start = { 1000, 70000 } };

static struct run *reference(const struct script *s, enum map_mode mode)
{
	struct run *r = run_script(s, mode, &ref_policy);

	/* The script itself is sane: no trouble at all in the reference. */
	assert_int_equal(count_from(r->w, 0, PPTP_EV_INVALID), 0);
	assert_int_equal(count_from(r->w, 0, PPTP_EV_ANOMALY), 0);
	assert_int_equal(count_from(r->w, 0, PPTP_EV_MESSAGE), s->n);
	assert_int_equal(count_from(r->w, 0, PPTP_EV_CALL_UP), 3);
	return r;
}

static const enum map_mode modes[] = { MAP_NULL, MAP_PNS, MAP_PAC, MAP_BOTH };

static void test_reference_rewrites(void **state)
{
	static const unsigned int want[] = { 0, 10, 6, 16 };
	struct script s;
	unsigned int m;

	(void)state;
	for (m = 0; m < PPTP_ARRAY_SIZE(modes); m++) {
		struct run *ref;

		build_script(&s, modes[m]);
		ref = reference(&s, modes[m]);
		assert_int_equal(count_from(ref->w, 0, PPTP_EV_REWRITE), want[m]);
		run_free(ref);
	}
}

static void test_coalesced(void **state)
{
	struct policy pol = ref_policy;
	struct script s;
	unsigned int m;

	(void)state;
	pol.kind = CUT_COALESCE;
	for (m = 0; m < PPTP_ARRAY_SIZE(modes); m++) {
		struct run *ref, *got;

		build_script(&s, modes[m]);
		ref = reference(&s, modes[m]);
		got = run_script(&s, modes[m], &pol);
		compare(&s, ref, got, "coalesced");
		/* Whole messages only: every field can be rewritten. */
		assert_int_equal(count_reason(got->w, 0, PPTP_EV_ANOMALY,
					      PPTP_AN_SPLIT_FIELD), 0);
		run_free(got);
		run_free(ref);
	}
}

static void test_split_everywhere(void **state)
{
	/* Splits per mode; of them, fields left unrewritable (see the top). */
	static const unsigned int want_runs = 1433, want_lost[] = { 0, 12, 10, 22 };
	struct policy pol = ref_policy;
	struct script s;
	unsigned int m, runs, lost;
	char what[64];

	(void)state;
	pol.kind = CUT_SPLIT;
	for (m = 0; m < PPTP_ARRAY_SIZE(modes); m++) {
		struct run *ref;

		build_script(&s, modes[m]);
		ref = reference(&s, modes[m]);
		runs = lost = 0;
		for (pol.k = 0; pol.k < s.n; pol.k++) {
			for (pol.p = 1; pol.p < s.len[pol.k]; pol.p++) {
				struct run *got = run_script(&s, modes[m], &pol);

				snprintf(what, sizeof(what), "map %u, %s split at %u",
					 (unsigned int)modes[m], pptp_msg_name(get16(s.bytes[s.dir[pol.k]] +
								       s.off[pol.k] + 8)),
					 pol.p);
				lost += compare(&s, ref, got, what);
				run_free(got);
				runs++;
			}
		}
		assert_int_equal(runs, want_runs);
		assert_int_equal(lost, want_lost[m]);
		run_free(ref);
	}
}

static void test_chunks(void **state)
{
	static const u32 chunks[] = { 1, 2, 3, 7, 13, 16, 17, 50, 100, 333 };
	struct policy pol = ref_policy;
	struct script s;
	unsigned int m, c;
	char what[64];

	(void)state;
	pol.kind = CUT_CHUNK;
	for (m = 0; m < PPTP_ARRAY_SIZE(modes); m++) {
		struct run *ref;

		build_script(&s, modes[m]);
		ref = reference(&s, modes[m]);
		for (c = 0; c < PPTP_ARRAY_SIZE(chunks); c++) {
			struct run *got;

			pol.chunk = chunks[c];
			got = run_script(&s, modes[m], &pol);
			snprintf(what, sizeof(what), "map %u, %u-byte chunks",
				 (unsigned int)modes[m], (unsigned int)chunks[c]);
			compare(&s, ref, got, what);
			run_free(got);
		}
		run_free(ref);
	}
}

/* Sequence numbers wrap inside the session, in both directions. */
static void test_seq_wrap(void **state)
{
	struct policy pol = ref_policy;
	struct script s;
	struct run *ref, *got;

	(void)state;
	build_script(&s, MAP_BOTH);
	ref = reference(&s, MAP_BOTH);
	pol.start[0] = 0xFFFFFF00;
	pol.start[1] = 0xFFFFFFF0;
	got = run_script(&s, MAP_BOTH, &pol);
	compare(&s, ref, got, "wrap");
	run_free(got);
	pol.kind = CUT_CHUNK;
	pol.chunk = 40;
	got = run_script(&s, MAP_BOTH, &pol);
	compare(&s, ref, got, "wrap, 40-byte chunks");
	run_free(got);
	run_free(ref);
}

int run_stream_tests(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_reference_rewrites),
		cmocka_unit_test(test_coalesced),
		cmocka_unit_test(test_split_everywhere),
		cmocka_unit_test(test_chunks),
		cmocka_unit_test(test_seq_wrap),
	};

	return cmocka_run_group_tests_name("stream", tests, NULL, NULL);
}
