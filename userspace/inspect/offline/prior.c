// SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
/*
 * Calls that were up before the capture started.  tcpdump is usually
 * started during an outage, so the capture opens in the middle of a
 * control connection (no SYN): its calls' OCRQ/OCRP are gone, and the
 * core, which follows only calls it saw set up, reports every later
 * message of them (SLI, CCRQ, CDN, ...) as naming an unknown call.
 *
 * Here such a call is rebuilt from what remains: each message names one
 * of its IDs (CCRQ the PNS's, SLI and WEN the receiver's, CDN one of
 * the two), and its GRE names both, one per direction, as the key of
 * the receiver.  The two directions of GRE belong together when one
 * acknowledges the other's sequence numbers, or when they are the only
 * ones between the two hosts.  Once both IDs are known the call is
 * handed to the core (pptp_adopt_call), which then follows its end as
 * it would any call's; the anomalies that came only from where the
 * capture started are counted apart (before_capture), not as anomalies.
 * Everything here runs outside the core's callbacks, except the two
 * hooks that take note of a message and of its anomaly.
 */
#include <stdlib.h>
#include "inspect.h"

static u8 other(u8 role)
{
	return role == PPTP_PNS ? PPTP_PAC : PPTP_PNS;
}

/* The role of direction @dir's sender: the core's, else what messages showed. */
u8 insp_role(const struct insp_session *s, unsigned int dir)
{
	u8 r = s->t.role[dir & 1];

	return r != PPTP_ROLE_UNKNOWN ? r : s->role_hint[dir & 1];
}

/* The direction the PNS sends in, -1 while no one knows. */
static int pns_dir(const struct insp_session *s)
{
	if (insp_role(s, 0) == PPTP_PNS)
		return 0;
	if (insp_role(s, 1) == PPTP_PNS)
		return 1;
	return -1;
}

/* A message of a call in a capture that started late: note its IDs by role. */
void insp_prior_message(struct insp_session *s, const struct pptp_event *ev)
{
	const struct pptp_msg_desc *md = pptp_msg_desc(ev->msg_type);
	struct insp_pending *p = &s->pending;
	u8 sender;

	p->valid = 0;
	if (!s->late || ev->call || !md || (!md->own_off && !md->peer_off) ||
	    ev->msg_type == PPTP_OCRQ || ev->msg_type == PPTP_ICRQ)
		return;
	sender = md->sender != PPTP_ROLE_UNKNOWN ? md->sender : insp_role(s, ev->dir);
	if (sender == PPTP_ROLE_UNKNOWN)
		return;
	if (s->t.role[ev->dir] == PPTP_ROLE_UNKNOWN) {
		s->role_hint[ev->dir] = sender;
		s->role_hint[!ev->dir] = other(sender);
	}
	memset(p, 0, sizeof(*p));
	p->valid = 1;
	p->type = ev->msg_type;
	p->sender = sender;
	p->has_own = !!md->own_off;
	p->has_peer = !!md->peer_off;
	if (md->own_off)
		p->own = pptp_get16(ev->msg + md->own_off);
	if (md->peer_off)
		p->peer = pptp_get16(ev->msg + md->peer_off);
	if (md->result_off)
		p->result = ev->msg[md->result_off];
	if (md->result_off)
		p->error = ev->msg[md->result_off + 1];
	if (ev->msg_type == PPTP_CDN)
		p->cause = pptp_get16(ev->msg + PPTP_CDN_OFF_CAUSE);
}

/* The record with @role's ID @id; before_capture: only rebuilt ones, else any. */
static struct insp_call *find_rec(struct insp_session *s, u8 role, u16 id, int rebuilt)
{
	u32 i;

	for (i = s->n_calls; i-- > 0;) {
		struct insp_call *r = &s->calls[i];

		if ((!rebuilt || r->before_capture) && r->c.has_id[role] && r->c.id[role] == id)
			return r;
	}
	return NULL;
}

/* A GRE stream of the orphans: from the @role side to the other, keyed @key. */
static struct insp_orphan *orphan_of(struct insp_session *s, u8 role, u16 key)
{
	int pd = pns_dir(s);
	const struct insp_addr *src, *dst;
	u32 i;

	if (pd < 0)
		return NULL;
	src = &s->addr[role == PPTP_PNS ? pd : !pd];
	dst = &s->addr[role == PPTP_PNS ? !pd : pd];
	for (i = 0; i < s->cap->n_orphans; i++) {
		struct insp_orphan *o = &s->cap->orphans[i];

		if (o->gre.key == key && insp_addr_eq(&o->src, src) && insp_addr_eq(&o->dst, dst))
			return o;
	}
	return NULL;
}

static struct insp_call *new_rec(struct insp_session *s)
{
	struct insp_call *r;

	s->calls = insp_sess_grow(s, s->calls, &s->cap_calls, s->n_calls + 1, sizeof(*s->calls));
	r = &s->calls[s->n_calls++];
	memset(r, 0, sizeof(*r));
	r->reply_result = r->reply_error = -1;
	r->cdn_result = r->cdn_error = -1;
	r->live = 1;
	r->before_capture = 1;
	r->first_frame = s->cap->frame;
	r->first_ts = s->cap->ts;
	r->c.state = PPTP_CALL_STATE_UP;
	r->c.was_up = 1;
	return r;
}

static void set_id(struct insp_call *r, u8 role, u16 id)
{
	r->c.has_id[role] = 1;
	r->c.id[role] = id;
	r->c.xid[role] = id;
}

/*
 * Whose ID a CDN carries when no call explains it: RFC 2637 says the
 * PAC's, Windows puts the PNS's.  GRE towards that side with that key
 * tells; else the core's habit for this PAC, else the RFC.
 */
static u8 cdn_role(struct insp_session *s, u16 v)
{
	if (find_rec(s, PPTP_PAC, v, 1) || orphan_of(s, PPTP_PNS, v))
		return PPTP_PAC;
	if (find_rec(s, PPTP_PNS, v, 1) || orphan_of(s, PPTP_PAC, v))
		return PPTP_PNS;
	return s->t.cdn_role == PPTP_PNS ? PPTP_PNS : PPTP_PAC;
}

/* Whether @role's ID @id belongs to a call this capture saw set up. */
static int seen_set_up(struct insp_session *s, u8 role, u16 id)
{
	struct insp_call *r = find_rec(s, role, id, 0);

	return r && !r->before_capture;
}

/* What the message tells of its (rebuilt) call. */
static void apply(struct insp_session *s, struct insp_call *r, const struct insp_pending *p,
		  int existed)
{
	switch (p->type) {
	case PPTP_CCRQ:
		r->cleared = 1;
		r->c.state = PPTP_CALL_STATE_CLEARING;
		break;
	case PPTP_CDN:
		r->cdn_result = p->result;
		r->cdn_error = p->error;
		r->cdn_cause = p->cause;
		/* Seen alive here and never asked to clear: the PAC hung up. */
		r->cdn_without_ccrq = existed && !r->cleared;
		r->live = 0;
		r->end = INSP_END_CDN;
		r->end_frame = s->cap->frame;
		r->end_ts = s->cap->ts;
		break;
	case PPTP_ICCN:		/* only incoming calls are connected so */
		r->outgoing_known = 1;
		break;
	case PPTP_OCRP:
	case PPTP_ICRP:
		r->c.outgoing = p->type == PPTP_OCRP;
		r->outgoing_known = 1;
		r->reply_result = p->result;
		r->reply_error = p->error;
		break;
	}
}

/*
 * The core found no call for the message just noted: when the capture
 * started after the call was set up, take it as that call's and say so
 * (1); otherwise it is an anomaly (0).
 */
int insp_prior_anomaly(struct insp_session *s, const struct pptp_event *ev)
{
	struct insp_pending *p = &s->pending;
	u8 role = other(p->sender);
	struct insp_call *r = NULL;
	u16 id = p->peer;
	int existed;

	if (!p->valid || (ev->reason != PPTP_AN_UNKNOWN_CALL_ID &&
			  ev->reason != PPTP_AN_CDN_UNKNOWN_ID))
		return 0;
	p->valid = 0;
	if (p->has_own && (!p->has_peer || p->type == PPTP_OCRP || p->type == PPTP_ICRP)) {
		role = p->type == PPTP_CDN ? cdn_role(s, p->own) : p->sender;
		id = p->own;
	}
	if (seen_set_up(s, role, id) ||
	    (p->has_own && p->has_peer && seen_set_up(s, other(p->sender), p->peer)))
		return 0;
	r = find_rec(s, role, id, 1);
	existed = r && r->live;
	if (!existed)
		r = new_rec(s);
	set_id(r, role, id);
	if (p->has_own && p->has_peer)
		set_id(r, other(p->sender), p->peer);
	apply(s, r, p, existed);
	s->before_capture[ev->reason]++;
	s->settle = 1;
	return 1;
}

/*
 * Whether two GRE streams, @a one way and @b the other, are one call's:
 * each acknowledges the other's sequence numbers.
 */
static int acks_into(const struct insp_gre_dir *a, const struct insp_gre_dir *b)
{
	return a->ack_known && b->seq_known && (s32)(a->ack_max - b->seq_first) >= 0 &&
	       (s32)(b->seq_max - a->ack_max) >= 0;
}

int insp_gre_pair(const struct insp_gre_dir *a, const struct insp_gre_dir *b)
{
	return acks_into(a, b) || acks_into(b, a);
}

/*
 * The orphan stream from @src to @dst that goes with @g (the other way):
 * the one acknowledging or acknowledged by it, or the only candidate.
 * Streams that are a call's key (in @s) are not candidates.
 */
static struct insp_orphan *partner(struct insp_capture *cap, const struct insp_addr *src,
				   const struct insp_addr *dst, const struct insp_gre_dir *g,
				   u32 skip)
{
	struct insp_orphan *only = NULL;
	u32 i, n = 0;

	for (i = 0; i < cap->n_orphans; i++) {
		struct insp_orphan *o = &cap->orphans[i];

		if (i == skip || o->pair >= 0 || !insp_addr_eq(&o->src, src) ||
		    !insp_addr_eq(&o->dst, dst))
			continue;
		if (insp_gre_pair(&o->gre, g))
			return o;
		only = o;
		n++;
	}
	return n == 1 ? only : NULL;
}

static void drop_orphan(struct insp_capture *cap, struct insp_orphan *o)
{
	u32 i = (u32)(o - cap->orphans);

	memmove(o, o + 1, (cap->n_orphans - i - 1) * sizeof(*o));
	cap->n_orphans--;
}

static void merge_ppp(struct insp_ppp_call *to, const struct insp_ppp_call *from)
{
	if (to->auth == INSP_AUTH_NONE)
		to->auth = from->auth;
	to->auth_seen |= from->auth_seen;
	to->auth_ok |= from->auth_ok;
	to->auth_failed |= from->auth_failed;
	if (!to->n_neg) {
		memcpy(to->neg, from->neg, sizeof(to->neg));
		to->n_neg = from->n_neg;
	}
	if (!to->chap_name[0])
		memcpy(to->chap_name, from->chap_name, sizeof(to->chap_name));
	if (from->mppe_acked && !to->mppe_acked) {
		to->mppe_acked = 1;
		to->mppe_bits = from->mppe_bits;
	}
}

/* The orphan stream sent by @role with key @key becomes the call's. */
static void take_stream(struct insp_session *s, struct insp_call *r, u8 role)
{
	struct insp_orphan *o = orphan_of(s, role, r->c.id[other(role)]);

	if (!o || r->gre[role].packets)
		return;
	r->gre[role] = o->gre;
	merge_ppp(&r->ppp, &o->ppp);
	if (o->first_frame < r->first_frame) {
		r->first_frame = o->first_frame;
		r->first_ts = o->first_ts;
	}
	drop_orphan(s->cap, o);
}

/* The other ID of a call known by one, from its GRE and the orphan going back. */
static void find_other_id(struct insp_session *s, struct insp_call *r)
{
	int pd = pns_dir(s);
	u8 known = r->c.has_id[PPTP_PNS] ? PPTP_PNS : PPTP_PAC, missing = other(known);
	const struct insp_gre_dir *g;
	struct insp_orphan *o, *back;

	/* GRE to the known side carries its ID; the stream back names the other. */
	o = orphan_of(s, missing, r->c.id[known]);
	g = o ? &o->gre : r->gre[missing].packets ? &r->gre[missing] : NULL;
	if (!g)
		return;
	back = partner(s->cap, &s->addr[known == PPTP_PNS ? pd : !pd],
		       &s->addr[known == PPTP_PNS ? !pd : pd], g,
		       o ? (u32)(o - s->cap->orphans) : UINT32_MAX);
	if (back)
		set_id(r, missing, back->gre.key);
}

/* Hand a rebuilt call with both IDs to the core, which then follows it. */
static void adopt(struct insp_session *s, struct insp_call *r)
{
	struct pptp_call c = r->c;
	struct pptp_call *got;
	int pd = pns_dir(s);

	c.state = PPTP_CALL_STATE_UP;
	got = pptp_adopt_call(&s->t, (unsigned int)pd, &c);
	if (!got)
		return;
	/* CCRQ was seen: the core waits for the CDN, as it would have. */
	got->state = r->c.state;
	s->slot_rec[got - s->calls_slots] = (int)(r - s->calls);
	r->adopted = 1;
}

/* After a segment: complete and adopt the calls rebuilt so far. */
void insp_prior_settle(struct insp_session *s)
{
	u32 i;

	if (!s->settle || pns_dir(s) < 0)
		return;
	s->settle = 0;
	for (i = 0; i < s->n_calls; i++) {
		struct insp_call *r = &s->calls[i];

		if (!r->before_capture || r->adopted)
			continue;
		if (!r->c.has_id[PPTP_PNS] || !r->c.has_id[PPTP_PAC])
			find_other_id(s, r);
		if (!r->c.has_id[PPTP_PNS] || !r->c.has_id[PPTP_PAC]) {
			s->settle = 1;	/* GRE may tell later */
			continue;
		}
		take_stream(s, r, PPTP_PNS);
		take_stream(s, r, PPTP_PAC);
		if (r->live && s->calls_slots)
			adopt(s, r);
	}
}

/* At the end: calls known only from GRE between a late session's two hosts. */
static void calls_from_gre(struct insp_session *s)
{
	struct insp_capture *cap = s->cap;
	int pd = pns_dir(s);
	u32 i;

	if (!s->late || pd < 0)
		return;
	for (i = 0; i < cap->n_orphans; i++) {
		struct insp_orphan *o = &cap->orphans[i], *back;
		struct insp_call *r;

		if (!insp_addr_eq(&o->src, &s->addr[pd]) || !insp_addr_eq(&o->dst, &s->addr[!pd]))
			continue;
		back = partner(cap, &s->addr[!pd], &s->addr[pd], &o->gre, i);
		if (!back || find_rec(s, PPTP_PAC, o->gre.key, 0) ||
		    find_rec(s, PPTP_PNS, back->gre.key, 0))
			continue;
		r = new_rec(s);
		set_id(r, PPTP_PAC, o->gre.key);
		set_id(r, PPTP_PNS, back->gre.key);
		take_stream(s, r, PPTP_PNS);
		take_stream(s, r, PPTP_PAC);
		i = UINT32_MAX;		/* the orphans moved: look again from the start */
	}
}

/* Pair the two directions of the orphans left, for the output. */
static void pair_orphans(struct insp_capture *cap)
{
	u32 i;

	for (i = 0; i < cap->n_orphans; i++)
		cap->orphans[i].pair = -1;
	for (i = 0; i < cap->n_orphans; i++) {
		struct insp_orphan *o = &cap->orphans[i], *b;

		if (o->pair >= 0)
			continue;
		b = partner(cap, &o->dst, &o->src, &o->gre, i);
		if (!b)
			continue;
		o->pair = (int)(b - cap->orphans);
		b->pair = (int)i;
		merge_ppp(&o->ppp, &b->ppp);
		merge_ppp(&b->ppp, &o->ppp);
	}
}

void insp_prior_end(struct insp_capture *cap)
{
	u32 i;

	for (i = 0; i < cap->n_orphans; i++)
		cap->orphans[i].pair = -1;
	for (i = 0; i < cap->n_sessions; i++) {
		cap->sessions[i]->settle = 1;
		insp_prior_settle(cap->sessions[i]);
		calls_from_gre(cap->sessions[i]);
	}
	pair_orphans(cap);
}
