// SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
/*
 * GRE: version 0 is counted as "not PPTP"; version 1 is parsed by the
 * core's pptp_gre_parse and attributed to a call.  A GRE packet carries
 * the receiver's call ID, so a packet from session address A to B with key
 * K belongs to the call whose ID, as the role at B uses it, is K.  The
 * latest control connection between A and B is asked first (session.c
 * indexes them by address pair); a packet that
 * matches no call is an orphan, kept per (source, destination, key).
 */
#include <stdlib.h>
#include "inspect.h"

static int seq_before(u32 a, u32 b)
{
	return (s32)(a - b) < 0;
}

static void account_seq(struct insp_gre_dir *g, u32 seq)
{
	s32 d;

	if (!g->seq_known) {
		g->seq_known = 1;
		g->seq_first = g->seq_max = seq;
		g->seen_bits = 1;
		return;
	}
	d = (s32)(seq - g->seq_max);
	if (d > 0) {
		g->lost += (u32)d - 1;
		g->seen_bits = d >= 64 ? 1 : (g->seen_bits << d) | 1;
		g->seq_max = seq;
	} else if (d == 0) {
		g->duplicates++;
	} else if (d > -64) {
		u64 bit = (u64)1 << -d;

		if (g->seen_bits & bit) {
			g->duplicates++;
		} else {
			/* It was counted lost when the sequence jumped over it. */
			g->seen_bits |= bit;
			g->reordered++;
			if (g->lost)
				g->lost--;
		}
	} else {
		g->reordered++;
	}
}

void insp_gre_account(struct insp_gre_dir *g, const struct insp_gre_dir *rev,
		      const struct pptp_gre *h)
{
	g->key = h->call_id;
	g->packets++;
	g->bytes += h->payload_len;
	if (h->has_ack) {
		g->acks++;
		if (!g->ack_known || seq_before(g->ack_max, h->ack))
			g->ack_max = h->ack;
		g->ack_known = 1;
	}
	if (!h->has_seq) {
		if (h->has_ack)
			g->ack_only++;
		return;
	}
	g->data++;
	account_seq(g, h->seq);
	/* Sent but not acknowledged by the receiver, this packet included. */
	if (rev && rev->ack_known && seq_before(rev->ack_max, h->seq)) {
		u32 out = h->seq - rev->ack_max;

		if (out > g->max_outstanding)
			g->max_outstanding = out;
		if (g->window && out > g->window)
			g->window_exceeded++;
	}
}

/* The call in @s a packet from @src to @dst with key @key is for; *@sender is the sender's role. */
static struct insp_call *match_call(struct insp_session *s, const struct insp_pkt *p,
				    u16 key, u8 *sender)
{
	unsigned int x, r, n;
	u8 roles[2];
	u32 i;

	if (insp_addr_eq(&s->addr[0], &p->src) && insp_addr_eq(&s->addr[1], &p->dst))
		x = 0;
	else if (insp_addr_eq(&s->addr[1], &p->src) && insp_addr_eq(&s->addr[0], &p->dst))
		x = 1;
	else
		return NULL;
	/* The receiver's role; while the core does not know it, either. */
	n = 1;
	roles[0] = insp_role(s, !x);
	if (roles[0] == PPTP_ROLE_UNKNOWN) {
		roles[0] = PPTP_PNS;
		roles[1] = PPTP_PAC;
		n = 2;
	}
	for (r = 0; r < n; r++) {
		const struct pptp_call *c = pptp_find_by_id(&s->t, roles[r], key);

		if (c) {
			*sender = roles[r] == PPTP_PNS ? PPTP_PAC : PPTP_PNS;
			return insp_session_call(s, c);
		}
	}
	/* A call already gone: its trailing packets. */
	for (i = s->n_calls; i-- > 0;) {
		struct insp_call *rc = &s->calls[i];

		for (r = 0; r < n; r++) {
			if (rc->c.has_id[roles[r]] && rc->c.id[roles[r]] == key) {
				*sender = roles[r] == PPTP_PNS ? PPTP_PAC : PPTP_PNS;
				return rc;
			}
		}
	}
	return NULL;
}

static struct insp_orphan *orphan(struct insp_capture *cap, const struct insp_pkt *p, u16 key)
{
	struct insp_orphan *o;
	u32 i, before;

	for (i = 0; i < cap->n_orphans; i++) {
		o = &cap->orphans[i];
		if (o->gre.key == key && insp_addr_eq(&o->src, &p->src) &&
		    insp_addr_eq(&o->dst, &p->dst))
			return o;
	}
	if (cap->n_orphans >= cap->cap_orphans &&
	    cap->mem + (cap->cap_orphans ? cap->cap_orphans : 4) * sizeof(*o) > insp_mem_budget(cap)) {
		cap->orphans_dropped++;
		return NULL;
	}
	before = cap->cap_orphans;
	cap->orphans = insp_grow(cap->orphans, &cap->cap_orphans, cap->n_orphans + 1,
				 sizeof(*cap->orphans));
	cap->mem += (u64)(cap->cap_orphans - before) * sizeof(*o);
	if (cap->mem > cap->mem_peak)
		cap->mem_peak = cap->mem;
	o = &cap->orphans[cap->n_orphans++];
	memset(o, 0, sizeof(*o));
	o->src = p->src;
	o->dst = p->dst;
	o->gre.key = key;
	o->first_frame = p->frame;
	o->first_ts = p->ts;
	o->pair = -1;
	return o;
}

/* The reverse direction of an orphan stream, if there is one. */
static struct insp_gre_dir *orphan_reverse(struct insp_capture *cap, const struct insp_orphan *o)
{
	u32 i;

	for (i = 0; i < cap->n_orphans; i++) {
		struct insp_orphan *r = &cap->orphans[i];

		if (insp_addr_eq(&r->src, &o->dst) && insp_addr_eq(&r->dst, &o->src))
			return &r->gre;
	}
	return NULL;
}

void insp_gre_packet(struct insp_capture *cap, const struct insp_pkt *p)
{
	struct insp_gre_dir *g = NULL, *rev = NULL;
	struct insp_ppp_call *pc = NULL;
	struct insp_call *c = NULL;
	struct insp_session *s;
	enum pptp_gre_status st;
	struct pptp_gre h;
	u32 plen;
	u8 sender = PPTP_PNS;

	st = pptp_gre_parse(p->l4, p->l4_len, &h);
	if (st == PPTP_GRE_VERSION0) {
		cap->gre_v0++;
		return;
	}
	/* A short snapshot is not a bad length: decode what was captured. */
	if (st == PPTP_GRE_BAD_LENGTH && p->l4_wire_len > p->l4_len &&
	    h.payload_len <= p->l4_wire_len - h.hdr_len)
		st = PPTP_GRE_OK;
	if (st != PPTP_GRE_OK) {
		cap->gre_bad[st]++;
		return;
	}
	cap->gre_v1++;
	/* Newest first, among the control connections of this address pair. */
	for (s = insp_pair_first(cap, &p->src, &p->dst); s && !c; s = s->pair_next)
		c = match_call(s, p, h.call_id, &sender);
	if (c) {
		g = &c->gre[sender];
		rev = &c->gre[!sender];
		g->window = c->c.window[!sender];
		pc = &c->ppp;
		if (!c->live)
			c->gre_outside++;
	} else {
		struct insp_orphan *o = orphan(cap, p, h.call_id);

		if (!o)
			return;
		g = &o->gre;
		rev = orphan_reverse(cap, o);
		pc = &o->ppp;
	}
	insp_gre_account(g, rev, &h);
	plen = p->l4_len - h.hdr_len;
	if (plen < h.payload_len)
		g->truncated++;
	else
		plen = h.payload_len;
	if (h.payload_len)
		insp_ppp_frame(&g->ppp, pc, c ? sender : PPTP_ROLE_UNKNOWN, p->l4 + h.hdr_len,
			       plen);
	/* An orphan may complete a call rebuilt from the middle of a capture. */
	for (s = c ? NULL : insp_pair_first(cap, &p->src, &p->dst); s; s = s->pair_next)
		if (s->settle)
			insp_prior_settle(s);
}
