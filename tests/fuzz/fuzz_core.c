// SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
/*
 * libFuzzer target for the shared core: plays a script (see script.h) of
 * segments in both directions of a control connection, with
 * retransmissions, gaps and resyncs, through one tracker, and GRE headers
 * through pptp_gre_parse.
 *
 * The harness behaves like a careful caller and checks the promises
 * core.h makes to such a caller, trapping on the first one broken:
 *   - REWRITE stays inside the segment being fed, names 1 or 2 bytes of a
 *     16-bit field, and those bytes hold old_val there now;
 *   - with the rewrites applied, a retransmitted segment leaves exactly as
 *     the first copy of its bytes did (unless a field was reported split);
 *   - CALL_UP and CALL_DOWN name a live call of the table, CALL_UP once;
 *   - the table never holds more than max_calls calls and agrees with
 *     live_calls and the counters;
 *   - every ID map_id hands out comes back exactly once (CALL_DOWN or
 *     UNMAP) by the time pptp_tracker_close returns;
 *   - the byte counters and the feed verdicts match what was fed;
 *   - a segment is refused (PPTP_FEED_DROP) only by a tracker that
 *     translates IDs or refuses invalid input, after taking none of its
 *     bytes or exactly those before a message boundary it reports;
 *     retransmitting the rest later is judged afresh.
 * Every segment is copied to a buffer of its exact size so that ASan sees
 * any read past it.
 *
 * PPTP_FUZZ_TRACE=1 in the environment prints every event, to read a
 * reproducer: ./fuzz-core crash-file.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pptp_ng/core.h"
#include "script.h"

#define FZ_MAX_CALLS	16
#define FZ_HIST		4096	/* stream bytes kept per direction for RETRANS */
#define FZ_MAPS		64	/* IDs out at once: calls * 2 + one per direction */
#define FZ_POOL		32	/* xids per role under FZ_MAP_POOL */

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const u8 *data, size_t size);

/* A broken promise: stop here so libFuzzer keeps the input. */
#define CHECK(cond)							\
	do {								\
		if (!(cond)) {						\
			fprintf(stderr, "fuzz_core: check failed at line %d: %s\n", \
				__LINE__, #cond);			\
			__builtin_trap();				\
		}							\
	} while (0)

struct fz_map {
	u8 role;
	u16 id;
	u16 xid;
};

/* What the harness knows of one direction's stream. */
struct fz_dir {
	u32 next_seq;
	u8 known;		/* first segment or resync has fixed the stream */
	u32 contig;		/* bytes before next_seq fed without a gap */
	u32 new_bytes;
	u32 retrans;
	u32 future;
	/* per stream byte, at [s % FZ_HIST] for sequence number s: */
	u8 hist[FZ_HIST];	/* as the peer sent it */
	u8 wire[FZ_HIST];	/* as the first copy left the NAT, rewritten */
	u8 mark[FZ_HIST];	/* the first copy was rewritten here */
	u8 split[FZ_HIST];	/* a field reported split-field-not-rewritten */
};

struct fz {
	struct pptp_tracker t;
	struct pptp_call calls[FZ_MAX_CALLS];
	struct pptp_ops ops;
	u16 max_calls;
	u8 policy[2];		/* enum fz_map_policy per role */
	u32 fail_mask;
	u32 map_calls;
	int accounting;		/* map_id is ours: check that IDs come back */
	struct fz_map maps[FZ_MAPS];
	unsigned int n_maps;
	u8 pool_used[2][FZ_POOL];
	u8 up[FZ_MAX_CALLS];	/* CALL_UP seen and no CALL_DOWN since */
	struct fz_dir dir[2];
	/* the segment being fed, for REWRITE checks */
	const u8 *seg;		/* the segment as fed */
	const u8 *orig;		/* and as it came: in place, the two differ */
	int in_place;		/* fed with pptp_feed_in_place (the module's way) */
	u32 seg_seq;
	u32 seg_len;
	u32 seg_old;		/* its first seg_old bytes were fed before */
	u8 out[FZ_SHORT_LEN_MAX]; /* the segment with the rewrites applied */
	int check_first;	/* retransmitted bytes must leave as the first copy */
	int cur_dir;		/* direction events must carry, -1: any */
	int in_feed;
	int may_drop;		/* translating or refusing invalid input */
};

static struct fz fz;
static int trace;

/* ---- the input ---- */

struct fz_input {
	const u8 *p;
	size_t left;
};

static u8 in_byte(struct fz_input *in)
{
	if (!in->left)
		return 0;
	in->left--;
	return *in->p++;
}

static u32 in_len(struct fz_input *in)
{
	u8 b = in_byte(in);

	if (b < 0xf0)
		return b;
	return (u32)(b & 0x0f) << 8 | in_byte(in);
}

/* Up to @want bytes; fewer when the input ends. */
static const u8 *in_bytes(struct fz_input *in, u32 want, u32 *got)
{
	const u8 *p = in->p;

	*got = want < in->left ? want : (u32)in->left;
	in->p += *got;
	in->left -= *got;
	return p;
}

/* ---- the caller's call-ID policy ---- */

static u16 pool_base(u8 role)
{
	return role == PPTP_PNS ? 0x8000 : 0xc000;
}

static int pool_get(u8 role, u16 *xid)
{
	unsigned int i;

	for (i = 0; i < FZ_POOL; i++) {
		if (!fz.pool_used[role][i]) {
			fz.pool_used[role][i] = 1;
			*xid = (u16)(pool_base(role) + i);
			return 0;
		}
	}
	return -1;
}

static void pool_put(u8 role, u16 xid)
{
	unsigned int i = (u16)(xid - pool_base(role));

	CHECK(i < FZ_POOL && fz.pool_used[role][i]);
	fz.pool_used[role][i] = 0;
}

static int map_id(void *ctx, const struct pptp_tracker *t, unsigned int dir, u8 role, u16 id,
		  u16 *xid)
{
	u32 n = fz.map_calls++;
	int fail = (fz.fail_mask >> (n % 32)) & 1;

	CHECK(ctx == &fz && t == &fz.t);
	CHECK(role == PPTP_PNS || role == PPTP_PAC);
	CHECK((int)dir == fz.cur_dir);	/* the sender's direction: the feed's */
	CHECK(*xid == id);
	/* The tracker asks only for IDs no live call of the role uses. */
	CHECK(!pptp_find_by_id(t, role, id));
	switch (fz.policy[role]) {
	case FZ_MAP_KEEP:
		break;
	case FZ_MAP_FAILING:
		if (fail)
			return -1;
		/* fall through */
	case FZ_MAP_POOL:
		if (pool_get(role, xid))
			return -1;
		break;
	case FZ_MAP_OFFSET:
		if (fail)
			return -1;
		*xid = id ^ 0x00a5;	/* same row: a first byte may pass alone */
		break;
	}
	CHECK(fz.n_maps < FZ_MAPS);	/* more out than can be live: a leak */
	fz.maps[fz.n_maps++] = (struct fz_map){ role, id, *xid };
	return 0;
}

/* An ID comes back: it must be out, once. */
static void release(u8 role, u16 id, u16 xid)
{
	unsigned int i;

	for (i = 0; i < fz.n_maps; i++) {
		const struct fz_map *m = &fz.maps[i];

		if (m->role == role && m->id == id && m->xid == xid)
			break;
	}
	if (trace)
		fprintf(stderr, "  release %s %u -> %u\n", pptp_role_name(role), id, xid);
	CHECK(i < fz.n_maps);	/* never handed out, or handed back twice */
	fz.maps[i] = fz.maps[--fz.n_maps];
	if (fz.policy[role] == FZ_MAP_POOL || fz.policy[role] == FZ_MAP_FAILING)
		pool_put(role, xid);
}

/* ---- checks on every event ---- */

/*
 * The call table agrees with itself and with the counters.  Between
 * events only (@settled): a failed call is counted before its CALL_DOWN.
 */
static void check_table(const struct pptp_tracker *t, int settled)
{
	const struct pptp_counters *c = &t->cnt;
	unsigned int i, live = 0;

	for (i = 0; i < fz.max_calls; i++) {
		CHECK(strcmp(pptp_call_state_name(fz.calls[i].state), "?"));
		live += fz.calls[i].state != PPTP_CALL_STATE_FREE;
	}
	CHECK(live == t->live_calls);
	CHECK(t->live_calls <= fz.max_calls);
	CHECK(c->calls_closed <= c->calls_opened);
	CHECK(c->calls_opened - c->calls_closed == t->live_calls);
	CHECK(c->calls_up <= c->calls_opened);
	if (settled)
		CHECK(c->calls_failed <= c->calls_closed);
	CHECK(t->session <= PPTP_SESS_DOWN);
}

/* Index of a live call in the table; traps on anything else. */
static unsigned int call_index(const struct pptp_call *call)
{
	size_t i;

	CHECK(call >= fz.calls && call < fz.calls + fz.max_calls);
	i = (size_t)(call - fz.calls);
	CHECK(call == &fz.calls[i]);
	CHECK(call->state != PPTP_CALL_STATE_FREE);
	return (unsigned int)i;
}

static void check_rewrite(const struct pptp_event *ev)
{
	u8 old_b[2] = { (u8)(ev->old_val >> 8), (u8)ev->old_val };
	u8 new_b[2] = { (u8)(ev->new_val >> 8), (u8)ev->new_val };
	unsigned int b;

	CHECK(fz.in_feed);
	CHECK(ev->nbytes >= 1 && ev->nbytes <= 2);
	CHECK(ev->first + ev->nbytes <= 2);
	CHECK(ev->seg_off < fz.seg_len && ev->nbytes <= fz.seg_len - ev->seg_off);
	CHECK(ev->old_val != ev->new_val);
	CHECK(ev->field_off == 12 || ev->field_off == 14);
	/* The bytes named are where the message says they are... */
	CHECK(ev->msg_seq + ev->field_off + ev->first == fz.seg_seq + ev->seg_off);
	for (b = 0; b < ev->nbytes; b++) {
		/* ...get the new value, and hold the old one now. */
		CHECK(ev->bytes[b] == new_b[ev->first + b]);
		CHECK(fz.orig[ev->seg_off + b] == old_b[ev->first + b]);
		/* In place the tracker wrote them before telling. */
		if (fz.in_place)
			CHECK(fz.seg[ev->seg_off + b] == new_b[ev->first + b]);
		else
			CHECK(fz.seg[ev->seg_off + b] == old_b[ev->first + b]);
	}
	/* Do what the NAT does; first copies remember they were rewritten. */
	for (b = 0; b < ev->nbytes; b++) {
		u32 off = ev->seg_off + b;

		fz.out[off] = ev->bytes[b];
		if (off >= fz.seg_old)
			fz.dir[ev->dir].mark[(fz.seg_seq + off) % FZ_HIST] = 1;
	}
}

static void check_call_event(const struct pptp_event *ev)
{
	const struct pptp_call *c = ev->call;
	unsigned int i, r;

	CHECK(c);
	i = call_index(c);
	if (ev->type == PPTP_EV_CALL_UP) {
		CHECK(c->state == PPTP_CALL_STATE_UP && c->was_up);
		CHECK(c->has_id[PPTP_PNS] && c->has_id[PPTP_PAC]);
		CHECK(!fz.up[i]);
		fz.up[i] = 1;
		return;
	}
	fz.up[i] = 0;
	for (r = 0; r < 2 && fz.accounting; r++)
		if (c->has_id[r])
			release((u8)r, c->id[r], c->xid[r]);
}

static void trace_event(const struct pptp_event *ev)
{
	const char *why = "";

	if (ev->type == PPTP_EV_INVALID)
		why = pptp_invalid_name(ev->reason);
	else if (ev->type == PPTP_EV_ANOMALY)
		why = pptp_anomaly_name(ev->reason);
	else if (ev->type == PPTP_EV_REFUSED)
		why = pptp_refusal_name(ev->reason);
	else if (ev->type == PPTP_EV_SESSION)
		why = pptp_session_name(ev->new_val);
	fprintf(stderr, "  dir %u %-9s %-8s %s %s seq %u field %u %u -> %u",
		ev->dir, pptp_event_name(ev->type), pptp_msg_name(ev->msg_type),
		pptp_role_name(ev->role), why, ev->msg_seq, ev->field_off,
		ev->old_val, ev->new_val);
	if (ev->type == PPTP_EV_REWRITE)
		fprintf(stderr, " at %u+%u (first %u)", ev->seg_off, ev->nbytes, ev->first);
	if (ev->call)
		fprintf(stderr, " call %s pns %u/%u pac %u/%u",
			pptp_call_state_name(ev->call->state),
			ev->call->id[PPTP_PNS], ev->call->xid[PPTP_PNS],
			ev->call->id[PPTP_PAC], ev->call->xid[PPTP_PAC]);
	fputc('\n', stderr);
}

static void on_event(void *ctx, const struct pptp_tracker *t, const struct pptp_event *ev)
{
	CHECK(ctx == &fz && t == &fz.t);
	if (trace)
		trace_event(ev);
	CHECK(ev->type < PPTP_EV_COUNT);
	CHECK(ev->dir < 2 && ev->role <= PPTP_ROLE_UNKNOWN);
	/* Everything the tracker says can be printed. */
	CHECK(strcmp(pptp_event_name(ev->type), "?"));
	CHECK(strcmp(pptp_role_name(ev->role), "?"));
	if (fz.cur_dir >= 0)
		CHECK(ev->dir == fz.cur_dir);
	if (ev->call)
		call_index(ev->call);
	check_table(t, 0);
	switch (ev->type) {
	case PPTP_EV_MESSAGE:
		CHECK(ev->msg && ev->msg_len == pptp_msg_len(ev->msg_type));
		CHECK(strcmp(pptp_msg_long_name(ev->msg_type), "?"));
		CHECK(pptp_get16(ev->msg + PPTP_OFF_LENGTH) == ev->msg_len);
		break;
	case PPTP_EV_INVALID:
		CHECK(ev->reason < PPTP_INV_COUNT);
		CHECK(strcmp(pptp_invalid_name(ev->reason), "?"));
		break;
	case PPTP_EV_ANOMALY:
		CHECK(ev->reason < PPTP_AN_COUNT);
		CHECK(strcmp(pptp_anomaly_name(ev->reason), "?"));
		/* Which field is not said: exempt both ID fields of the message. */
		if (ev->reason == PPTP_AN_SPLIT_FIELD) {
			u32 b;

			CHECK(fz.in_feed);
			for (b = 12; b < PPTP_DECIDE_LEN; b++)
				fz.dir[ev->dir].split[(ev->msg_seq + b) % FZ_HIST] = 1;
		}
		break;
	case PPTP_EV_REFUSED:
		CHECK(ev->reason < PPTP_REFUSE_COUNT);
		CHECK(strcmp(pptp_refusal_name(ev->reason), "?"));
		break;
	case PPTP_EV_REWRITE:
		check_rewrite(ev);
		break;
	case PPTP_EV_CALL_UP:
	case PPTP_EV_CALL_DOWN:
		check_call_event(ev);
		break;
	case PPTP_EV_UNMAP:
		CHECK(ev->role == PPTP_PNS || ev->role == PPTP_PAC);
		if (fz.accounting)
			release(ev->role, ev->old_val, ev->new_val);
		break;
	case PPTP_EV_SESSION:
		CHECK(ev->new_val <= PPTP_SESS_DOWN && ev->new_val == t->session);
		CHECK(strcmp(pptp_session_name(ev->new_val), "?"));
		break;
	case PPTP_EV_DROP:
		CHECK(fz.in_feed && fz.may_drop);
		CHECK(ev->reason < PPTP_DROP_COUNT);
		CHECK(strcmp(pptp_drop_name(ev->reason), "?"));
		break;
	}
}

/* ---- playing the script ---- */

static void hist_add(struct fz_dir *d, const u8 *p, u32 len)
{
	u32 i;

	for (i = 0; i < len; i++) {
		u32 at = (d->next_seq + i) % FZ_HIST;

		d->hist[at] = p[i];
		d->mark[at] = 0;
		d->split[at] = 0;
	}
	d->next_seq += len;
	d->contig += len;
}

/*
 * "A retransmitted segment leaves the firewall exactly as the first copy
 * did" (docs/core.md): compare the old bytes, rewritten, with the first
 * copy.  Fields the tracker said it could not rewrite whole are exempt.
 */
static void check_first_copy(const struct fz_dir *d, u32 seq, u32 old)
{
	u32 i;

	for (i = 0; i < old; i++) {
		u32 at = (seq + i) % FZ_HIST;

		if (d->split[at])
			continue;
		if (trace && fz.out[i] != d->wire[at])
			fprintf(stderr, "first copy differs at seq %u: %#x, now %#x\n",
				seq + i, d->wire[at], fz.out[i]);
		CHECK(fz.out[i] == d->wire[at]);
	}
}

/*
 * A refused segment: the tracker took only the new bytes before the
 * message it refused (or none).  They left rewritten as far as they go
 * (their rewrites are logged and replayed); the rest is forgotten so the
 * script's next bytes follow what was taken.
 */
static void untake(struct fz_dir *d, unsigned int dir, u32 seq, u32 len, u32 old)
{
	u32 next, taken, i;

	CHECK(pptp_next_seq(&fz.t, dir, &next));
	if (old == len) {
		/* a retransmission alone: nothing new to take */
		CHECK(next == d->next_seq);
		CHECK(pptp_pass_len(&fz.t) == 0);
		return;
	}
	taken = next - (seq + old);
	CHECK(taken <= len - old);
	/*
	 * What may pass is exactly what was taken, old bytes included; or
	 * nothing, when the old bytes could not be rewritten like before.
	 */
	CHECK(pptp_pass_len(&fz.t) == next - seq ||
	      (!pptp_pass_len(&fz.t) && next == seq + old));
	for (i = old; i < old + taken; i++)
		d->wire[(seq + i) % FZ_HIST] = fz.out[i];
	d->next_seq = next;
	d->contig -= len - old - taken;
	d->new_bytes -= len - old - taken;
}

/* Feed one segment from an exact-size copy and check the verdict and counters. */
static void feed(unsigned int dir, u32 seq, const u8 *p, u32 len, u32 old, int want)
{
	struct fz_dir *d = &fz.dir[dir];
	u8 *copy = malloc(len ? len : 1);
	enum pptp_feed_verdict v;
	u32 i;

	CHECK(copy);
	memcpy(copy, p, len);
	memcpy(fz.out, p, len);
	if (trace)
		fprintf(stderr, "feed dir %u seq %u len %u (%u old)\n", dir, seq, len, old);
	fz.seg = copy;
	fz.orig = p;
	/* Both ways of feeding, chosen by the input so a crash replays. */
	fz.in_place = (int)((seq ^ len) & 1);
	fz.seg_seq = seq;
	fz.seg_len = len;
	fz.seg_old = old;
	fz.cur_dir = (int)dir;
	fz.in_feed = 1;
	if (fz.in_place)
		v = pptp_feed_in_place(&fz.t, dir, seq, copy, len);
	else
		v = pptp_feed(&fz.t, dir, seq, copy, len);
	fz.in_feed = 0;
	fz.cur_dir = -1;
	/* In place, the segment is what the events said to write, nothing else. */
	CHECK(!fz.in_place || !memcmp(copy, fz.out, len));
	free(copy);
	if (v == PPTP_FEED_DROP && want == PPTP_FEED_OK && fz.may_drop)
		untake(d, dir, seq, len, old);
	else
		CHECK((int)v == want);
	if (v == PPTP_FEED_OK) {
		if (fz.check_first)
			check_first_copy(d, seq, old);
		for (i = old; i < len; i++)
			d->wire[(seq + i) % FZ_HIST] = fz.out[i];
	}
	CHECK(fz.t.cnt.bytes[dir] == d->new_bytes);
	CHECK(fz.t.cnt.retransmitted[dir] == d->retrans);
	CHECK(fz.t.cnt.future_segments[dir] == d->future);
	check_table(&fz.t, 1);
}

/* New bytes at the end of the stream: the tracker must take them all. */
static void feed_new(unsigned int dir, const u8 *p, u32 len)
{
	struct fz_dir *d = &fz.dir[dir];
	u32 seq = d->next_seq;

	d->known = 1;
	d->new_bytes += len;
	hist_add(d, p, len);
	feed(dir, seq, p, len, 0, PPTP_FEED_OK);
}

static void op_next(struct fz_input *in, unsigned int dir)
{
	u32 len;
	const u8 *p = in_bytes(in, in_len(in), &len);

	feed_new(dir, p, len);
}

static void op_retrans(struct fz_input *in, unsigned int dir, int corrupt)
{
	static u8 seg[FZ_SHORT_LEN_MAX];
	struct fz_dir *d = &fz.dir[dir];
	u32 back = in_byte(in), want = in_len(in), old, fresh, i, marks;
	u8 pos = corrupt ? in_byte(in) : 0;
	u32 seq;
	const u8 *p;

	if (back > d->contig)
		back = d->contig;
	if (back > FZ_HIST)
		back = FZ_HIST;
	old = back < want ? back : want;
	seq = d->next_seq - back;
	for (i = 0; i < old; i++)
		seg[i] = d->hist[(seq + i) % FZ_HIST];
	if (corrupt && old)
		seg[pos % old] ^= 0x01;
	/*
	 * The tracker remembers PPTP_REWRITE_LOG rewrites: with more in the
	 * window it may rightly forget the oldest.
	 */
	fz.check_first = !corrupt;
	for (i = 0, marks = 0; i < old; i++)
		marks += d->mark[(seq + i) % FZ_HIST];
	if (marks > PPTP_REWRITE_LOG)
		fz.check_first = 0;
	p = in_bytes(in, want - old, &fresh);
	memcpy(seg + old, p, fresh);
	d->known = 1;
	d->retrans += old;
	d->new_bytes += fresh;
	hist_add(d, p, fresh);
	feed(dir, seq, seg, old + fresh, old, PPTP_FEED_OK);
	fz.check_first = 0;
}

static void op_gap(struct fz_input *in, unsigned int dir)
{
	struct fz_dir *d = &fz.dir[dir];
	u32 skip = in_byte(in) + 1u, len;
	const u8 *p = in_bytes(in, in_len(in), &len);

	if (!d->known) {
		/* The first segment fixes where the stream starts: no gap yet. */
		d->next_seq += skip;
		feed_new(dir, p, len);
		return;
	}
	d->future++;
	feed(dir, d->next_seq + skip, p, len, 0, PPTP_FEED_FUTURE);
}

static void op_resync(struct fz_input *in, unsigned int dir)
{
	struct fz_dir *d = &fz.dir[dir];

	d->next_seq += in_byte(in);
	d->known = 1;
	d->contig = 0;
	if (trace)
		fprintf(stderr, "resync dir %u seq %u\n", dir, d->next_seq);
	fz.cur_dir = (int)dir;
	pptp_resync(&fz.t, dir, d->next_seq);
	fz.cur_dir = -1;
	check_table(&fz.t, 1);
}

/* GRE: whatever the bytes, the parse stays inside them and builds back. */
static void op_gre(struct fz_input *in)
{
	u32 len;
	const u8 *p = in_bytes(in, in_len(in), &len);
	u8 *copy = malloc(len ? len : 1);
	u8 out[PPTP_GRE_V1_MAX_LEN];
	struct pptp_gre g, g2;
	enum pptp_gre_status st;
	u16 n;

	CHECK(copy);
	memcpy(copy, p, len);
	st = pptp_gre_parse(copy, len, &g);
	CHECK(st < PPTP_GRE_STATUS_COUNT);
	CHECK(strcmp(pptp_gre_status_name(st), "?"));
	if (st == PPTP_GRE_OK || st == PPTP_GRE_BAD_LENGTH) {
		CHECK(g.hdr_len == PPTP_GRE_V1_BASE_LEN + 4u * (g.has_seq + g.has_ack));
		CHECK(g.hdr_len <= len);
		CHECK((st == PPTP_GRE_OK) == (g.payload_len <= len - g.hdr_len));
		n = pptp_gre_build(out, &g);
		CHECK(n == g.hdr_len);
		/* An accepted header has one spelling: the one build writes. */
		CHECK(!memcmp(out, copy, n));
		st = pptp_gre_parse(out, n, &g2);
		CHECK(st == (g.payload_len ? PPTP_GRE_BAD_LENGTH : PPTP_GRE_OK));
		CHECK(g2.call_id == g.call_id && g2.payload_len == g.payload_len);
		CHECK(g2.seq == g.seq && g2.ack == g.ack && g2.hdr_len == g.hdr_len);
	}
	free(copy);
}

static void setup(struct fz_input *in)
{
	u8 cfg = in_byte(in), pol = in_byte(in);
	struct pptp_tracker_config tc = { 0 };
	unsigned int i;

	memset(&fz, 0, sizeof(fz));
	fz.cur_dir = -1;
	fz.max_calls = (u16)((cfg & FZ_CFG_CALLS_MASK) + 1);
	fz.policy[PPTP_PNS] = pol & 3;
	fz.policy[PPTP_PAC] = (pol >> 2) & 3;
	for (i = 0; i < 4; i++)
		fz.fail_mask = fz.fail_mask << 8 | in_byte(in);
	for (i = 0; i < 2; i++)
		fz.dir[i].next_seq = in_byte(in) * 0x01010101u;
	fz.ops.event = on_event;
	if (!(cfg & FZ_CFG_NO_MAP))
		fz.ops.map_id = map_id;
	fz.accounting = fz.ops.map_id != NULL && !(cfg & FZ_CFG_NO_OPS);
	tc.ops = cfg & FZ_CFG_NO_OPS ? NULL : &fz.ops;
	tc.ctx = &fz;
	tc.calls = fz.calls;
	tc.max_calls = fz.max_calls;
	tc.flags = cfg & FZ_CFG_MIDSTREAM ? PPTP_F_MIDSTREAM : 0;
	if (pol & FZ_POL_REFUSE_INVALID)
		tc.flags |= PPTP_F_REFUSE_INVALID;
	/* init must clear the caller's table whatever it held */
	memset(fz.calls, 0xa5, sizeof(fz.calls));
	pptp_tracker_init(&fz.t, &tc);
	for (i = 0; i < 2; i++)
		pptp_set_translated(&fz.t, i, pol & (FZ_POL_TRANSLATED0 << i));
	fz.may_drop = (pol & (FZ_POL_TRANSLATED0 | FZ_POL_TRANSLATED1 |
			      FZ_POL_REFUSE_INVALID)) != 0;
}

static void finish(void)
{
	unsigned int i;

	if (trace)
		fprintf(stderr, "close\n");
	pptp_tracker_close(&fz.t);
	check_table(&fz.t, 1);
	CHECK(fz.t.live_calls == 0);
	CHECK(fz.t.cnt.calls_opened == fz.t.cnt.calls_closed);
	for (i = 0; i < fz.max_calls; i++)
		CHECK(!fz.up[i]);
	if (fz.accounting)
		CHECK(fz.n_maps == 0);	/* an ID handed out was never handed back */
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	const char *e = getenv("PPTP_FUZZ_TRACE");

	(void)argc;
	(void)argv;
	trace = e && *e && strcmp(e, "0");
	return 0;
}

int LLVMFuzzerTestOneInput(const u8 *data, size_t size)
{
	struct fz_input in = { data, size };

	setup(&in);
	while (in.left) {
		u8 op = in_byte(&in);
		unsigned int dir = op & FZ_OP_DIR;

		switch ((op >> FZ_OP_KIND_SHIFT) & FZ_OP_KIND_MASK) {
		case FZ_OP_RETRANS:
			op_retrans(&in, dir, op & FZ_OP_MOD);
			break;
		case FZ_OP_GAP:
			op_gap(&in, dir);
			break;
		case FZ_OP_RESYNC:
			op_resync(&in, dir);
			break;
		case FZ_OP_GRE:
			op_gre(&in);
			break;
		default:
			op_next(&in, dir);
			break;
		}
	}
	finish();
	return 0;
}
