// SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
/*
 * Control connections: one shared-core tracker per TCP 4-tuple with port
 * 1723 on one side.  Each direction's segments are fed to the core in
 * sequence order: the core drops bytes it has seen (retransmissions and
 * duplicates count once), segments after a gap are held here within a
 * bound, and a gap that never fills is reported and skipped with
 * pptp_resync.  Everything PPTP (framing, validation, roles, calls) is the
 * core's; this file only keeps a record of what it decided.
 */
#include <stdlib.h>
#include "inspect.h"

/* TCP header flags (byte 13). */
enum {
	TCP_FLAG_FIN = 0x01,
	TCP_FLAG_SYN = 0x02,
	TCP_FLAG_RST = 0x04,
	TCP_FLAG_ACK = 0x10,
};

void *insp_grow(void *p, u32 *cap, u32 need, size_t size)
{
	u32 n;

	if (need <= *cap)
		return p;
	/*
	 * Most sessions have one call and few messages: start small, and
	 * large records (calls) one at a time.
	 */
	n = *cap ? *cap * 2 : size >= 256 ? 1 : 4;
	while (n < need)
		n *= 2;
	p = realloc(p, (size_t)n * size);
	if (!p) {
		perror("pptp-ng");
		exit(3);
	}
	*cap = n;
	return p;
}

u64 insp_mem_budget(const struct insp_capture *cap)
{
	return cap->max_mem ? cap->max_mem : INSP_MEM_BUDGET;
}

static void mem_add(struct insp_capture *cap, u64 bytes)
{
	cap->mem += bytes;
	if (cap->mem > cap->mem_peak)
		cap->mem_peak = cap->mem;
}

/* insp_grow for a session's own arrays, counted against the capture's memory. */
void *insp_sess_grow(struct insp_session *s, void *p, u32 *capn, u32 need, size_t size)
{
	u32 before = *capn;

	p = insp_grow(p, capn, need, size);
	mem_add(s->cap, (u64)(*capn - before) * size);
	return p;
}

const char *insp_end_name(unsigned int end)
{
	static const char *const names[] = {
		[INSP_END_NONE] = "live-at-end", [INSP_END_CDN] = "cdn",
		[INSP_END_FAILED] = "failed", [INSP_END_STOP] = "stop-control",
		[INSP_END_TCP] = "tcp-closed", [INSP_END_OTHER] = "other",
	};

	return end < PPTP_ARRAY_SIZE(names) ? names[end] : "?";
}

static void add_event(struct insp_session *s, u8 dir, u8 kind, u8 reason, u16 type,
		      u32 value)
{
	struct insp_event *e;

	if (s->n_events >= INSP_EVENTS_MAX) {
		s->events_dropped++;
		return;
	}
	s->events = insp_sess_grow(s, s->events, &s->cap_events, s->n_events + 1, sizeof(*s->events));
	e = &s->events[s->n_events++];
	e->frame = s->cap->frame;
	e->dir = dir;
	e->kind = kind;
	e->reason = reason;
	e->msg_type = type;
	e->value = value;
}

/* The record of the call in core slot @c, made when first seen. */
struct insp_call *insp_session_call(struct insp_session *s, const struct pptp_call *c)
{
	long slot = c - s->calls_slots;
	struct insp_call *r;

	if (!s->calls_slots || slot < 0 || slot >= s->t.max_calls || c->state == PPTP_CALL_STATE_FREE)
		return NULL;
	if (s->slot_rec[slot] < 0) {
		s->calls = insp_sess_grow(s, s->calls, &s->cap_calls, s->n_calls + 1, sizeof(*s->calls));
		r = &s->calls[s->n_calls];
		memset(r, 0, sizeof(*r));
		r->reply_result = r->reply_error = -1;
		r->cdn_result = r->cdn_error = -1;
		r->live = 1;
		r->outgoing_known = 1;
		r->first_frame = s->cap->frame;
		r->first_ts = s->cap->ts;
		s->slot_rec[slot] = (int)s->n_calls++;
	}
	r = &s->calls[s->slot_rec[slot]];
	r->c = *c;
	return r;
}

/*
 * Calls the core opened since the last look (OCRQ/ICRQ open without an
 * event).  The core counts the slots in use: stop after the last one.
 */
static void sync_calls(struct insp_session *s)
{
	unsigned int live = s->t.live_calls;
	u32 i;

	for (i = 0; live && i < s->t.max_calls; i++) {
		if (s->calls_slots[i].state != PPTP_CALL_STATE_FREE) {
			insp_session_call(s, &s->calls_slots[i]);
			live--;
		}
	}
}

static void call_down(struct insp_session *s, const struct pptp_event *ev)
{
	struct insp_call *r = insp_session_call(s, ev->call);
	long slot = ev->call - s->calls_slots;

	if (!r)
		return;
	r->live = 0;
	r->end_frame = s->cap->frame;
	r->end_ts = s->cap->ts;
	if (s->ending)
		r->end = s->ending;
	else if (ev->msg_type == PPTP_CDN)
		r->end = INSP_END_CDN;
	else if (ev->msg_type == PPTP_OCRP || ev->msg_type == PPTP_ICRP)
		r->end = INSP_END_FAILED;
	else if (ev->msg_type == PPTP_STOPCCRQ || ev->msg_type == PPTP_STOPCCRP)
		r->end = INSP_END_STOP;
	else
		r->end = INSP_END_OTHER;
	s->slot_rec[slot] = -1;
}

static void log_message(struct insp_session *s, const struct pptp_event *ev)
{
	const struct pptp_msg_desc *md = pptp_msg_desc(ev->msg_type);
	struct insp_msg *m;

	if (!md || ev->msg_len < md->len)
		return;
	if (s->n_log >= INSP_LOG_MAX) {
		s->log_dropped++;
		return;
	}
	s->log = insp_sess_grow(s, s->log, &s->cap_log, s->n_log + 1, sizeof(*s->log));
	m = &s->log[s->n_log++];
	m->frame = s->cap->frame;
	m->ts = s->cap->ts;
	m->dir = ev->dir;
	m->role = ev->role;
	m->type = ev->msg_type;
	m->own_id = md->own_off ? pptp_get16(ev->msg + md->own_off) : UINT32_MAX;
	m->peer_id = md->peer_off ? pptp_get16(ev->msg + md->peer_off) : UINT32_MAX;
	m->result = md->result_off ? ev->msg[md->result_off] : -1;
}

static void copy_name(char *dst, const u8 *src)
{
	memcpy(dst, src, 64);
	dst[64] = 0;
}

/* SCCRQ, SCCRP, StopCCRQ and StopCCRP: what each side said of itself. */
static void session_message(struct insp_session *s, const struct pptp_event *ev)
{
	struct insp_peer *p = &s->peer[ev->dir & 1];
	const u8 *m = ev->msg;

	switch (ev->msg_type) {
	case PPTP_SCCRQ:
	case PPTP_SCCRP:
		p->seen = (u8)ev->msg_type;
		p->result = ev->msg_type == PPTP_SCCRP ? m[PPTP_SCCRP_OFF_RESULT] : -1;
		p->error = ev->msg_type == PPTP_SCCRP ? m[PPTP_SCCRP_OFF_ERROR] : -1;
		p->version = pptp_get16(m + PPTP_SCC_OFF_VERSION);
		p->framing = pptp_get32(m + PPTP_SCC_OFF_FRAMING_CAPS);
		p->bearer = pptp_get32(m + PPTP_SCC_OFF_BEARER_CAPS);
		p->max_channels = pptp_get16(m + PPTP_SCC_OFF_MAX_CHANNELS);
		p->firmware = pptp_get16(m + PPTP_SCC_OFF_FIRMWARE);
		copy_name(p->host, m + PPTP_SCC_OFF_HOSTNAME);
		copy_name(p->vendor, m + PPTP_SCC_OFF_VENDOR);
		break;
	case PPTP_STOPCCRQ:
		s->stop_reason = m[PPTP_STOPCCRQ_OFF_REASON];
		break;
	case PPTP_STOPCCRP:
		s->stop_result = m[PPTP_STOPCCRP_OFF_RESULT];
		break;
	}
}

/* The result codes a call's replies and CDN carried. */
static void call_results(struct insp_call *r, const struct pptp_event *ev)
{
	const u8 *m = ev->msg;

	switch (ev->msg_type) {
	case PPTP_OCRP:
		r->reply_result = m[PPTP_OCRP_OFF_RESULT];
		r->reply_error = m[PPTP_OCRP_OFF_ERROR];
		break;
	case PPTP_ICRP:
		r->reply_result = m[PPTP_ICRP_OFF_RESULT];
		r->reply_error = m[PPTP_ICRP_OFF_ERROR];
		break;
	case PPTP_CDN:
		r->cdn_result = m[PPTP_CDN_OFF_RESULT];
		r->cdn_error = m[PPTP_CDN_OFF_ERROR];
		r->cdn_cause = pptp_get16(m + PPTP_CDN_OFF_CAUSE);
		break;
	}
}

static void on_message(struct insp_session *s, const struct pptp_event *ev)
{
	struct insp_call *r;

	log_message(s, ev);
	if (!s->cap->replay)
		insp_prior_message(s, ev);
	if (ev->msg_len >= pptp_msg_len(ev->msg_type))
		session_message(s, ev);
	if (!ev->call) {
		if (ev->msg_type == PPTP_CDN)
			s->cdn_no_call++;
		return;
	}
	r = insp_session_call(s, ev->call);
	if (!r)
		return;
	if (ev->msg_len >= pptp_msg_len(ev->msg_type))
		call_results(r, ev);
	if (ev->msg_type == PPTP_CCRQ)
		r->cleared = 1;
	if (ev->msg_type == PPTP_CDN && ev->call->state != PPTP_CALL_STATE_CLEARING) {
		r->cdn_without_ccrq = 1;
		add_event(s, ev->dir, INSP_EV_CDN_NO_CCRQ, 0, PPTP_CDN,
			  ev->call->id[PPTP_PNS]);
	}
}

static void core_event(void *ctx, const struct pptp_tracker *t, const struct pptp_event *ev)
{
	struct insp_session *s = ctx;

	(void)t;
	if (s->cap->replay)
		s->cap->replay->event(s->cap, s, ev);
	switch (ev->type) {
	case PPTP_EV_MESSAGE:
		sync_calls(s);
		on_message(s, ev);
		break;
	case PPTP_EV_ANOMALY:
		if (insp_prior_anomaly(s, ev)) {
			if (ev->msg_type == PPTP_CDN && s->cdn_no_call)
				s->cdn_no_call--;	/* its call was up before the capture */
			break;
		}
		/* fall through */
	case PPTP_EV_INVALID:
	case PPTP_EV_REFUSED:
		add_event(s, ev->dir, ev->type, ev->reason, ev->msg_type, 0);
		break;
	case PPTP_EV_CALL_UP:
		insp_session_call(s, ev->call);
		break;
	case PPTP_EV_CALL_DOWN:
		call_down(s, ev);
		break;
	}
}

static int core_map(void *ctx, const struct pptp_tracker *t, unsigned int dir, u8 role, u16 id,
		    u16 *xid)
{
	struct insp_session *s = ctx;

	(void)t;
	return s->cap->replay->map_id(s->cap, s, dir, role, id, xid);
}

static const struct pptp_ops insp_ops = { .event = core_event };
static const struct pptp_ops replay_ops = { .event = core_event, .map_id = core_map };

/*
 * The session indexes: a large capture has thousands of control
 * connections, and every TCP and GRE packet looks its own up.  Both
 * hashes are symmetric, so either direction of a packet finds the bucket.
 */
static u32 addr_hash(const struct insp_addr *a)
{
	u32 h = 2166136261u ^ a->family, i;

	for (i = 0; i < (a->family == 4 ? 4u : 16u); i++)
		h = (h ^ a->a[i]) * 16777619u;
	return h;
}

static u32 end_hash(const struct insp_addr *a, u16 port)
{
	return (addr_hash(a) ^ port) * 0x9e3779b1u;
}

/* @size buckets, a power of 2 */
static u32 tuple_bucket(const struct insp_addr *a, u16 pa, const struct insp_addr *b, u16 pb,
			u32 size)
{
	u32 h = end_hash(a, pa) + end_hash(b, pb);

	return (h ^ h >> 15) & (size - 1);
}

static u32 pair_bucket(const struct insp_addr *a, const struct insp_addr *b)
{
	u32 h = (addr_hash(a) + addr_hash(b)) * 0x9e3779b1u;

	return (h ^ h >> 15) & (INSP_HASH_SIZE - 1);
}

/* The newest session whose address pair may be @a, @b; follow pair_next. */
struct insp_session *insp_pair_first(const struct insp_capture *cap,
				     const struct insp_addr *a, const struct insp_addr *b)
{
	return cap->by_pair ? cap->by_pair[pair_bucket(a, b)] : NULL;
}

static void *zalloc(size_t n, size_t size)
{
	void *p = calloc(n, size);

	if (!p) {
		perror("pptp-ng");
		exit(3);
	}
	return p;
}

static void index_session(struct insp_capture *cap, struct insp_session *s)
{
	u32 b;

	if (!cap->by_tuple) {
		cap->by_tuple = zalloc(INSP_HASH_SIZE, sizeof(*cap->by_tuple));
		cap->by_pair = zalloc(INSP_HASH_SIZE, sizeof(*cap->by_pair));
	}
	b = tuple_bucket(&s->addr[0], s->port[0], &s->addr[1], s->port[1], INSP_HASH_SIZE);
	s->tuple_next = cap->by_tuple[b];
	cap->by_tuple[b] = s;
	b = pair_bucket(&s->addr[0], &s->addr[1]);
	s->pair_next = cap->by_pair[b];
	cap->by_pair[b] = s;
}

/*
 * A connection the memory budget leaves out: counted at its SYN, or at
 * its first packet when the SYN was not captured (a 4-tuple is known by a
 * hash), the first few listed so the capture can be split to read them.
 */
static void not_decoded(struct insp_capture *cap, const struct insp_pkt *p, u16 sport,
			u16 dport, int syn)
{
	u32 h = tuple_bucket(&p->src, sport, &p->dst, dport, INSP_NOT_DECODED_BITS);
	struct insp_tuple *t;

	cap->tcp_not_decoded++;
	if (!cap->not_decoded_seen)
		cap->not_decoded_seen = zalloc(INSP_NOT_DECODED_BITS / 8, 1);
	if ((cap->not_decoded_seen[h / 8] & (1u << (h % 8))) && !syn)
		return;
	cap->not_decoded_seen[h / 8] |= (u8)(1u << (h % 8));
	cap->sessions_dropped++;
	if (cap->n_not_decoded >= INSP_NOT_DECODED_LIST)
		return;
	t = &cap->not_decoded[cap->n_not_decoded++];
	t->addr[0] = p->src;
	t->addr[1] = p->dst;
	t->port[0] = sport;
	t->port[1] = dport;
	t->first_frame = p->frame;
}

static struct insp_session *new_session(struct insp_capture *cap, const struct insp_pkt *p,
					u16 sport, u16 dport, int syn)
{
	struct pptp_tracker_config cfg = {
		.max_calls = INSP_MAX_CALLS,
		.flags = PPTP_F_MIDSTREAM,
	};
	struct insp_session *s;
	u64 need;
	u32 i;

	if (cap->max_calls)
		cfg.max_calls = cap->max_calls;
	need = sizeof(*s) + sizeof(*cap->sessions) +
	       (u64)cfg.max_calls * (sizeof(*s->calls_slots) + sizeof(*s->slot_rec));
	if (cap->mem + need > insp_mem_budget(cap)) {
		not_decoded(cap, p, sport, dport, syn);
		return NULL;
	}
	mem_add(cap, need);
	s = zalloc(1, sizeof(*s));
	cap->sessions = insp_grow(cap->sessions, &cap->cap_sessions, cap->n_sessions + 1,
			     sizeof(*cap->sessions));
	s->cap = cap;
	s->tcp[0].owner = s;
	s->tcp[1].owner = s;
	s->addr[0] = p->src;
	s->addr[1] = p->dst;
	s->port[0] = sport;
	s->port[1] = dport;
	s->first_ts = p->ts;
	s->first_frame = p->frame;
	s->stop_reason = s->stop_result = -1;
	s->role_hint[0] = s->role_hint[1] = PPTP_ROLE_UNKNOWN;
	s->calls_slots = zalloc(cfg.max_calls, sizeof(*s->calls_slots));
	s->slot_rec = zalloc(cfg.max_calls, sizeof(*s->slot_rec));
	for (i = 0; i < cfg.max_calls; i++)
		s->slot_rec[i] = -1;
	cfg.ops = cap->replay ? &replay_ops : &insp_ops;
	cfg.ctx = s;
	cfg.calls = s->calls_slots;
	pptp_tracker_init(&s->t, &cfg);
	index_session(cap, s);	/* the caller may swap the ends: the hashes do not care */
	cap->sessions[cap->n_sessions++] = s;
	return s;
}

/* The newest session of this 4-tuple and the packet's direction in it. */
static struct insp_session *find_session(struct insp_capture *cap, const struct insp_pkt *p,
					 u16 sport, u16 dport, unsigned int *dir)
{
	struct insp_session *s;

	if (!cap->by_tuple)
		return NULL;
	s = cap->by_tuple[tuple_bucket(&p->src, sport, &p->dst, dport, INSP_HASH_SIZE)];
	for (; s; s = s->tuple_next) {
		if (insp_addr_eq(&s->addr[0], &p->src) && insp_addr_eq(&s->addr[1], &p->dst) &&
		    s->port[0] == sport && s->port[1] == dport) {
			*dir = 0;
			return s;
		}
		if (insp_addr_eq(&s->addr[1], &p->src) && insp_addr_eq(&s->addr[0], &p->dst) &&
		    s->port[1] == sport && s->port[0] == dport) {
			*dir = 1;
			return s;
		}
	}
	return NULL;
}

/* A closed tracker's empty call table goes; the core then sees a table of none. */
static void free_slots(struct insp_session *s)
{
	static struct pptp_call none[1];	/* a valid pointer for the core */

	if (s->calls_slots)
		s->cap->mem -= (u64)s->t.max_calls * (sizeof(*s->calls_slots) + sizeof(*s->slot_rec));

	free(s->calls_slots);
	free(s->slot_rec);
	s->calls_slots = NULL;
	s->slot_rec = NULL;
	s->t.calls = none;
	s->t.max_calls = 0;
}

static void close_session(struct insp_session *s)
{
	if (s->closed)
		return;
	s->ending = INSP_END_TCP;
	pptp_tracker_close(&s->t);
	s->ending = 0;
	s->closed = 1;
	/*
	 * Nothing is fed to it again unless segments are still held (the end
	 * of the capture feeds those): its call table can go.
	 */
	if (!s->t.live_calls && !s->tcp[0].n_held && !s->tcp[1].n_held)
		free_slots(s);
}

static void feed(struct insp_session *s, unsigned int dir, u32 seq, const u8 *data, u32 len)
{
	if (s->cap->replay)
		data = s->cap->replay->feed_begin(s->cap, s, dir, seq, data, len);
	pptp_feed(&s->t, dir, seq, data, len);
	sync_calls(s);
	if (s->settle)
		insp_prior_settle(s);
}

u64 insp_hold_budget(const struct insp_capture *cap)
{
	return cap->max_held_set ? cap->max_held : INSP_HOLD_BUDGET;
}

/* A direction starts to wait for a gap: it goes last, as the newest wait. */
static void hold_link(struct insp_capture *cap, struct insp_tcp_dir *d)
{
	d->hold_next = NULL;
	d->hold_prev = cap->hold_newest;
	if (cap->hold_newest)
		cap->hold_newest->hold_next = d;
	else
		cap->hold_oldest = d;
	cap->hold_newest = d;
}

static void hold_unlink(struct insp_capture *cap, struct insp_tcp_dir *d)
{
	if (d->hold_prev)
		d->hold_prev->hold_next = d->hold_next;
	else
		cap->hold_oldest = d->hold_next;
	if (d->hold_next)
		d->hold_next->hold_prev = d->hold_prev;
	else
		cap->hold_newest = d->hold_prev;
	d->hold_prev = NULL;
	d->hold_next = NULL;
}

static void hold(struct insp_session *s, struct insp_tcp_dir *d, u32 seq, const u8 *data,
		 u32 len)
{
	struct insp_capture *cap = s->cap;
	struct insp_held *h;

	if (!d->held) {
		d->held = zalloc(INSP_HOLD_SEGS, sizeof(*d->held));
		mem_add(cap, INSP_HOLD_SEGS * sizeof(*d->held));
	}
	if (!d->n_held)
		hold_link(cap, d);
	h = &d->held[d->n_held++];
	h->seq = seq;
	h->len = len;
	h->data = malloc(len);
	if (!h->data) {
		perror("pptp-ng");
		exit(3);
	}
	memcpy(h->data, data, len);
	d->held_bytes += len;
	cap->held_bytes += len;
	if (cap->held_bytes > cap->held_peak)
		cap->held_peak = cap->held_bytes;
}

/* The next stream position the core expects in @dir (0 while unknown). */
static u32 core_next(const struct insp_session *s, unsigned int dir)
{
	u32 seq;

	pptp_next_seq(&s->t, dir, &seq);
	return seq;
}

/* Whether the core knows where the stream in @dir stands. */
static int core_knows(const struct insp_session *s, unsigned int dir)
{
	u32 seq;

	return pptp_next_seq(&s->t, dir, &seq);
}

/* Feed held segments that no longer start after a gap. */
static void drain(struct insp_session *s, unsigned int dir)
{
	struct insp_tcp_dir *d = &s->tcp[dir];
	int progress = 1;

	while (progress) {
		u32 i;

		progress = 0;
		for (i = 0; i < d->n_held; i++) {
			struct insp_held h = d->held[i];

			if ((s32)(h.seq - core_next(s, dir)) > 0)
				continue;
			d->held[i] = d->held[--d->n_held];
			d->held_bytes -= h.len;
			s->cap->held_bytes -= h.len;
			if (!d->n_held)
				hold_unlink(s->cap, d);
			feed(s, dir, h.seq, h.data, h.len);
			free(h.data);
			progress = 1;
			break;
		}
	}
}

/* The bytes up to @seq were never captured: report them and go on from @seq. */
static void gap_to(struct insp_session *s, unsigned int dir, u32 seq)
{
	struct insp_tcp_dir *d = &s->tcp[dir];
	u32 gap = seq - core_next(s, dir);

	d->gaps++;
	d->gap_bytes += gap;
	add_event(s, (u8)dir, INSP_EV_TCP_GAP, 0, 0, gap);
	pptp_resync(&s->t, dir, seq);
}

/* A gap that will not fill: skip to the earliest held segment. */
static void skip_gap(struct insp_session *s, unsigned int dir)
{
	struct insp_tcp_dir *d = &s->tcp[dir];
	u32 i, low = 0;

	if (!d->n_held)
		return;
	for (i = 1; i < d->n_held; i++)
		if ((s32)(d->held[i].seq - d->held[low].seq) < 0)
			low = i;
	gap_to(s, dir, d->held[low].seq);
	drain(s, dir);
}

/*
 * The capture's budget gives this direction's wait up: count it, and say
 * so (the event's bytes are filled in by the caller, once known).  Returns
 * the event's index, or UINT32_MAX when the event list is full.
 */
static u32 budget_note(struct insp_session *s, unsigned int dir)
{
	struct insp_capture *cap = s->cap;
	u32 ev = s->n_events;

	if (!s->tcp[0].budget_gaps && !s->tcp[1].budget_gaps)
		cap->budget_sessions++;
	s->tcp[dir].budget_gaps++;
	cap->budget_gaps++;
	add_event(s, (u8)dir, INSP_EV_HOLD_BUDGET, 0, 0, 0);
	return ev < s->n_events ? ev : UINT32_MAX;
}

static void budget_bytes(struct insp_session *s, unsigned int dir, u32 ev, u32 bytes)
{
	s->tcp[dir].budget_bytes += bytes;
	s->cap->budget_bytes += bytes;
	if (ev != UINT32_MAX)
		s->events[ev].value = bytes;
}

/*
 * Room for @len more held bytes within the capture's budget.  The oldest
 * wait goes first: TCP resends within seconds, so the gap that has been
 * open longest is the least likely to fill.  Giving it up decodes the
 * data held behind it now (nothing captured is thrown away); only bytes
 * that would still have filled the gap come too late to be decoded.
 */
static void hold_room(struct insp_capture *cap, u32 len)
{
	u64 budget = insp_hold_budget(cap);

	while (cap->hold_oldest && cap->held_bytes + len > budget) {
		struct insp_tcp_dir *d = cap->hold_oldest;
		struct insp_session *s = d->owner;
		unsigned int dir = (unsigned int)(d - s->tcp);
		u32 before = d->held_bytes, ev = budget_note(s, dir);

		skip_gap(s, dir);
		budget_bytes(s, dir, ev, before - d->held_bytes);
	}
}

/* An out-of-order segment: hold it, or when it cannot be, skip the gap before it. */
static int hold_or_skip(struct insp_session *s, unsigned int dir, u32 seq, const u8 *data,
			u32 len)
{
	struct insp_tcp_dir *d = &s->tcp[dir];
	struct insp_capture *cap = s->cap;

	while (d->n_held >= INSP_HOLD_SEGS || d->held_bytes + len > INSP_HOLD_BYTES) {
		if (!d->n_held)
			break;
		skip_gap(s, dir);
	}
	hold_room(cap, len);
	if ((s32)(seq - core_next(s, dir)) <= 0)
		return 0;	/* the gap was skipped: it comes in order now */
	if (len <= INSP_HOLD_BYTES && cap->held_bytes + len <= insp_hold_budget(cap)) {
		hold(s, d, seq, data, len);
		return 1;
	}
	/* Larger than the budget on its own: no wait at all. */
	if (len <= INSP_HOLD_BYTES)
		budget_bytes(s, dir, budget_note(s, dir), len);
	gap_to(s, dir, seq);
	return 0;
}

static void segment(struct insp_session *s, unsigned int dir, u32 seq, const u8 *data, u32 len)
{
	struct insp_tcp_dir *d = &s->tcp[dir];
	u32 next = core_next(s, dir);

	d->payload_segments++;
	d->payload_bytes += len;
	if (core_knows(s, dir) && (s32)(seq - next) > 0) {
		d->out_of_order++;
		if (hold_or_skip(s, dir, seq, data, len))
			return;
	}
	if (core_knows(s, dir)) {
		if ((s32)(seq + len - next) <= 0)
			d->retransmitted++;
		else if ((s32)(seq - next) < 0)
			d->overlapping++;
	}
	feed(s, dir, seq, data, len);
	drain(s, dir);
}

void insp_tcp_packet(struct insp_capture *cap, const struct insp_pkt *p)
{
	static const u8 none[1];
	struct insp_session *s;
	unsigned int dir = 0;
	u16 sport, dport;
	u32 hl, seq;
	u8 flags;

	if (p->l4_len < 20) {
		cap->truncated++;
		return;
	}
	sport = pptp_get16(p->l4);
	dport = pptp_get16(p->l4 + 2);
	if (sport != PPTP_TCP_PORT && dport != PPTP_TCP_PORT) {
		cap->non_pptp_tcp++;
		return;
	}
	hl = (p->l4[12] >> 4) * 4u;
	if (hl < 20 || hl > p->l4_len) {
		cap->truncated++;
		return;
	}
	seq = pptp_get32(p->l4 + 4);
	flags = p->l4[13];
	s = find_session(cap, p, sport, dport, &dir);
	/* A new SYN on a 4-tuple in use starts a new connection. */
	if (s && (flags & (TCP_FLAG_SYN | TCP_FLAG_ACK)) == TCP_FLAG_SYN &&
	    (s->closed || (s->tcp[dir].syn && s->tcp[dir].isn != seq))) {
		close_session(s);
		s = NULL;
	}
	/* The last ACKs of a closed connection. */
	if (s && s->closed) {
		s->tcp[dir].segments++;
		if (p->l4_len > hl)
			s->tcp[dir].after_close++;
		return;
	}
	if (!s) {
		/* The side that sent SYN-ACK is the listener: make it direction 1. */
		if ((flags & (TCP_FLAG_SYN | TCP_FLAG_ACK)) == (TCP_FLAG_SYN | TCP_FLAG_ACK)) {
			s = new_session(cap, p, sport, dport, 0);
			if (s) {
				s->addr[0] = p->dst, s->addr[1] = p->src;
				s->port[0] = dport, s->port[1] = sport;
				dir = 1;
			}
		} else {
			s = new_session(cap, p, sport, dport, (flags & (TCP_FLAG_SYN | TCP_FLAG_ACK)) == TCP_FLAG_SYN);
			dir = 0;
			if (s && !(flags & TCP_FLAG_SYN))
				s->late = 1;	/* opened before the capture */
		}
		if (!s)
			return;
	}
	s->last_ts = p->ts;
	s->tcp[dir].segments++;
	/*
	 * The peer acknowledges bytes after a gap in the other direction: they
	 * were delivered, the capture missed them.  Waiting is pointless.
	 */
	if ((flags & TCP_FLAG_ACK) && s->tcp[!dir].n_held &&
	    (s32)(pptp_get32(p->l4 + 8) - core_next(s, !dir)) > 0)
		skip_gap(s, !dir);
	if (flags & TCP_FLAG_SYN) {
		s->tcp[dir].syn = 1;
		s->tcp[dir].isn = seq;
		/* The stream starts after the SYN, even if its first segment is lost. */
		if (!core_knows(s, dir))
			feed(s, dir, seq + 1, none, 0);
		seq++;
	}
	if (p->l4_len > hl)
		segment(s, dir, seq, p->l4 + hl, p->l4_len - hl);
	if (flags & TCP_FLAG_FIN)
		s->tcp[dir].fin = 1;
	if (flags & TCP_FLAG_RST)
		s->tcp[dir].rst = 1;
	if ((flags & TCP_FLAG_RST) || (s->tcp[0].fin && s->tcp[1].fin)) {
		skip_gap(s, 0);
		skip_gap(s, 1);
		close_session(s);
	}
}

/* End of the file: gaps still open are reported; live calls stay live. */
void insp_capture_end(struct insp_capture *cap)
{
	u32 i;

	for (i = 0; i < cap->n_sessions; i++) {
		struct insp_session *s = cap->sessions[i];

		while (s->tcp[0].n_held)
			skip_gap(s, 0);
		while (s->tcp[1].n_held)
			skip_gap(s, 1);
		sync_calls(s);
	}
	if (!cap->replay)
		insp_prior_end(cap);
}

void insp_capture_free(struct insp_capture *cap)
{
	u32 i, d, h;

	for (i = 0; i < cap->n_sessions; i++) {
		struct insp_session *s = cap->sessions[i];

		for (d = 0; d < 2; d++)
			for (h = 0; h < s->tcp[d].n_held; h++)
				free(s->tcp[d].held[h].data);
		for (d = 0; d < 2; d++)
			free(s->tcp[d].held);
		free_slots(s);
		free(s->calls);
		free(s->log);
		free(s->events);
		free(s);
	}
	cap->hold_oldest = NULL;
	cap->hold_newest = NULL;
	cap->held_bytes = 0;
	free(cap->sessions);
	free(cap->by_tuple);
	free(cap->by_pair);
	free(cap->orphans);
	free(cap->error);
	cap->error = NULL;
	free(cap->not_decoded_seen);
	cap->not_decoded_seen = NULL;
}
