// SPDX-License-Identifier: GPL-2.0-only
/*
 * The control connection: feed each TCP segment to the shared core and act
 * on what it decides (rewrites, calls up and down, invalid input).
 *
 * Locking: one spinlock per session serialises the core (both directions
 * of a control connection may be handled on two CPUs at once).  Order:
 * session lock, then the netns lock (call-ID table, session list).  The
 * session is freed with kfree_rcu; helpers run under rcu_read_lock, so a
 * help() racing with destroy() sees a live session marked dead.
 *
 * Every packet may be hostile: help() reads only TCP segments of the
 * control connection itself (never the ICMP errors conntrack relates to
 * it), copies the header fields it needs before the skb can move, and
 * passes a segment only when the core's verdict says so.
 */
#include <linux/module.h>
#include <linux/skbuff.h>
#include <linux/slab.h>
#include <linux/tcp.h>
#include <net/netfilter/nf_conntrack.h>
#include <net/netfilter/nf_conntrack_ecache.h>
#include <net/netfilter/nf_conntrack_helper.h>
#include <net/netfilter/nf_nat_helper.h>

#include "pptp_ng.h"

static void pptp_ng_event(void *ctx, const struct pptp_tracker *t,
			  const struct pptp_event *ev)
{
	struct pptp_ng_session *s = ctx;
	struct pptp_ng_net *pn = s->pn;

	switch (ev->type) {
	case PPTP_EV_INVALID:
		if (ev->reason < PPTP_INV_COUNT)
			atomic_long_inc(&pn->invalid[ev->reason]);
		break;
	case PPTP_EV_ANOMALY:
		if (ev->reason < PPTP_AN_COUNT)
			atomic_long_inc(&pn->anomaly[ev->reason]);
		break;
	case PPTP_EV_REFUSED:
		if (ev->reason < PPTP_REFUSE_COUNT)
			atomic_long_inc(&pn->refused[ev->reason]);
		break;
	case PPTP_EV_DROP:
		if (ev->reason < PPTP_DROP_COUNT)
			atomic_long_inc(&pn->dropped[ev->reason]);
		if (ev->reason == PPTP_DROP_INVALID)
			pptp_ng_count(pn, PNG_DROP_INVALID);
		break;
	case PPTP_EV_CALL_ID:
		pptp_ng_call_id(s, ev->call, ev->role);
		break;
	case PPTP_EV_CALL_UP:
		pptp_ng_call_up(s, ev->call);
		break;
	case PPTP_EV_CALL_DOWN:
		pptp_ng_call_down(s, ev->call);
		break;
	case PPTP_EV_UNMAP:
		pptp_ng_unmap(s, ev->role, ev->old_val, ev->new_val);
		break;
	default:
		break;
	}
}

const struct pptp_ops pptp_ng_ops = {
	.map_id = pptp_ng_map_id,
	.event = pptp_ng_event,
	/*
	 * Messages and rewrites are counted from the tracker's own counters
	 * (feed); the core writes rewrites into the payload itself
	 * (pptp_feed_in_place), within the segment it was given.
	 */
	.quiet = PPTP_EV_BIT(PPTP_EV_MESSAGE) | PPTP_EV_BIT(PPTP_EV_SESSION) |
		 PPTP_EV_BIT(PPTP_EV_REWRITE),
};

/* Which directions' senders are behind NAT: their call IDs are translated. */
static void session_nat(struct pptp_ng_session *s)
{
	unsigned long status = READ_ONCE(s->ct->status);

	pptp_set_translated(&s->t, IP_CT_DIR_ORIGINAL, !!(status & IPS_SRC_NAT));
	pptp_set_translated(&s->t, IP_CT_DIR_REPLY, !!(status & IPS_DST_NAT));
}

/* Count the session in, within max_sessions and its source's share. */
static bool session_admit(struct pptp_ng_net *pn, struct pptp_ng_session *s)
{
	bool ok = false;

	spin_lock_bh(&pn->lock);
	if (pn->nsessions < READ_ONCE(pptp_ng_max_sessions)) {
		s->src = pptp_ng_source_get(pn, s->ct);
		ok = s->src != NULL;
		if (!ok)
			pptp_ng_count(pn, PNG_SESSIONS_SOURCE);
	}
	if (ok) {
		pn->nsessions++;
		list_add(&s->node, &pn->sessions);
	}
	spin_unlock_bh(&pn->lock);
	return ok;
}

static struct pptp_ng_session *session_new(struct nf_conn *ct, struct pptp_ng_help *h)
{
	struct pptp_ng_net *pn = pptp_ng_pernet(nf_ct_net(ct));
	struct pptp_tracker_config cfg = {};
	struct pptp_ng_session *s;
	unsigned int dir;

	/* Charged to the netns's memory cgroup, like its conntracks. */
	s = kzalloc(struct_size(s, calls, pptp_ng_max_calls),
		    GFP_ATOMIC | __GFP_ACCOUNT | __GFP_NOWARN);
	if (!s)
		return NULL;
	spin_lock_init(&s->lock);
	INIT_LIST_HEAD(&s->xids);
	s->ct = ct;
	s->pn = pn;
	cfg.ops = &pptp_ng_ops;
	cfg.ctx = s;
	cfg.calls = s->calls;
	cfg.max_calls = pptp_ng_max_calls;
	pptp_tracker_init(&s->t, &cfg);
	session_nat(s);
	/* Start each stream where its SYN said, so a lost first segment is a gap. */
	for (dir = 0; dir < IP_CT_DIR_MAX; dir++)
		if (h->isn[dir])
			pptp_feed(&s->t, dir, h->isn[dir], (const u8 *)s, 0);
	if (!session_admit(pn, s)) {
		kfree(s);
		return NULL;
	}
	atomic_inc(&pptp_ng_global_sessions);
	pptp_ng_count(pn, PNG_SESSIONS_TOTAL);
	return s;
}

/* Unlink and free; the caller made sure nobody feeds it any more. */
static void session_free(struct pptp_ng_session *s)
{
	struct pptp_ng_net *pn = s->pn;

	pptp_ng_unmap_all(s);
	spin_lock_bh(&pn->lock);
	list_del(&s->node);
	pn->nsessions--;
	pptp_ng_source_put(pn, s->src);
	spin_unlock_bh(&pn->lock);
	atomic_dec(&pptp_ng_global_sessions);
	kfree_rcu(s, rcu);
}

/* Close the tracker (every call down) and free, once. */
static void session_end(struct pptp_ng_session *s)
{
	spin_lock_bh(&s->lock);
	if (s->dead) {
		spin_unlock_bh(&s->lock);
		return;
	}
	s->dead = true;
	pptp_tracker_close(&s->t);
	spin_unlock_bh(&s->lock);
	session_free(s);
}

/* The session of @ct, allocated on its first payload; NULL: untracked. */
static struct pptp_ng_session *session_get(struct nf_conn *ct, struct pptp_ng_help *h)
{
	struct pptp_ng_session *s = READ_ONCE(h->sess), *old;

	if (s == PPTP_NG_UNTRACKED)
		return NULL;
	if (s)
		return s;
	/*
	 * Only confirmed conntracks get a session: an unconfirmed one can die
	 * without the helper's destroy callback, which would leak it.
	 */
	if (!nf_ct_is_confirmed(ct))
		return NULL;
	s = session_new(ct, h);
	if (!s) {
		pptp_ng_count(pptp_ng_pernet(nf_ct_net(ct)), PNG_SESSIONS_REFUSED);
		cmpxchg(&h->sess, NULL, PPTP_NG_UNTRACKED);
		return NULL;
	}
	/*
	 * Locked before anyone can see it: a session taken over from a peer
	 * firewall (failover.c) gets its calls before any segment is fed.
	 * Such a master was committed, never seen opening (no SYN).
	 */
	spin_lock_bh(&s->lock);
	old = cmpxchg(&h->sess, NULL, s);
	if (!old && pptp_ng_failover && !h->isn[IP_CT_DIR_ORIGINAL] && !h->isn[IP_CT_DIR_REPLY])
		pptp_ng_take_over(s);
	spin_unlock_bh(&s->lock);
	if (old) {
		/* The other direction won the race. */
		s->dead = true;
		session_free(s);
		return old == PPTP_NG_UNTRACKED ? NULL : old;
	}
	return s;
}

/* The session of @master, one of ours, made if it has none; NULL: untracked. */
struct pptp_ng_session *pptp_ng_session_of(struct nf_conn *master)
{
	return session_get(master, nfct_help_data(master));
}

/* The TCP header fields help() needs, copied out before the skb can move. */
struct pptp_ng_seg {
	u32 seq;
	unsigned int dataoff;
	bool syn, fin, rst;
};

static bool read_tcp(const struct sk_buff *skb, unsigned int protoff, struct pptp_ng_seg *g)
{
	const struct tcphdr *th;
	struct tcphdr _th;

	th = skb_header_pointer(skb, protoff, sizeof(_th), &_th);
	if (!th || th->doff < sizeof(*th) / 4)
		return false;
	g->dataoff = protoff + th->doff * 4;
	if (g->dataoff > skb->len)
		return false;
	g->seq = ntohl(th->seq);
	g->syn = th->syn;
	g->fin = th->fin;
	g->rst = th->rst;
	return true;
}

/*
 * The payload changed in place (the core's rewrites): fix the TCP checksum
 * once, through the NAT core's helper with an empty replacement, which
 * recomputes it for every checksum mode.  Equal length: no seqadj.
 */
static bool fix_checksum(struct sk_buff *skb, struct nf_conn *ct,
			 enum ip_conntrack_info ctinfo, unsigned int protoff)
{
	static const char nothing[1];

	return nf_nat_mangle_tcp_packet(skb, ct, ctinfo, protoff, 0, 0, nothing, 0);
}

/*
 * A refused segment whose first bytes the core took: cut it to them
 * rather than drop it, so the receiver acknowledges them.  Without that a
 * sender whose congestion window ends at the refused bytes never sends
 * what follows them, and its retransmission, which TCP merges only with
 * segments already sent, would be cut in the same place forever.  The
 * sequence numbers stay as they are (no seqadj): the bytes cut are not
 * removed from the stream, the sender resends them.  A FIN would then
 * sit at the wrong place, and a GSO packet is many segments: dropped.
 */
static bool pass_taken(struct pptp_ng_session *s, struct sk_buff *skb, unsigned int protoff,
		       const struct pptp_ng_seg *g, enum ip_conntrack_info ctinfo)
{
	u32 keep = pptp_pass_len(&s->t);
	static const char nothing[1];

	if (!keep || keep >= s->seg_len || g->fin || skb_is_gso(skb))
		return false;
	if (!__nf_nat_mangle_tcp_packet(skb, s->ct, ctinfo, protoff, keep,
					s->seg_len - keep, nothing, 0, false)) {
		pptp_ng_count(s->pn, PNG_DROP_ERROR);
		return false;
	}
	pptp_ng_count(s->pn, PNG_CUT);
	return true;
}

/* Feed one segment's payload; the session lock is held. */
static int feed(struct pptp_ng_session *s, struct sk_buff *skb, unsigned int protoff,
		const struct pptp_ng_seg *g, enum ip_conntrack_info ctinfo)
{
	unsigned int dir = CTINFO2DIR(ctinfo);
	enum pptp_feed_verdict v;
	u32 messages, rewrites;

	if (READ_ONCE(pptp_ng_drop_invalid))
		s->t.flags |= PPTP_F_REFUSE_INVALID;
	else
		s->t.flags &= ~PPTP_F_REFUSE_INVALID;
	s->seg_len = skb->len - g->dataoff;
	pptp_ng_count(s->pn, PNG_SEGMENTS);
	messages = s->t.cnt.valid_messages;
	rewrites = s->t.cnt.rewrites;
	/* help() made the payload writable and linear: the core rewrites it. */
	v = pptp_feed_in_place(&s->t, dir, g->seq, skb->data + g->dataoff, s->seg_len);
	if (s->t.cnt.valid_messages != messages)
		atomic_long_add(s->t.cnt.valid_messages - messages, &s->pn->cnt[PNG_MESSAGES]);
	rewrites = s->t.cnt.rewrites - rewrites;
	if (rewrites)
		atomic_long_add(rewrites, &s->pn->cnt[PNG_REWRITES]);
	switch (v) {
	case PPTP_FEED_FUTURE:
		/*
		 * Bytes before this segment never passed here.  Passing it
		 * could let an untranslated call ID reach the peer, and the
		 * tracker would wait forever for bytes the receiver already
		 * has: drop it, TCP sends it again after the gap.
		 */
		pptp_ng_count(s->pn, PNG_DROP_FUTURE);
		return NF_DROP;
	case PPTP_FEED_DROP:
		/* The core took only the first pptp_pass_len() bytes: TCP resends the rest. */
		return pass_taken(s, skb, protoff, g, ctinfo) ? NF_ACCEPT : NF_DROP;
	case PPTP_FEED_OK:
		break;
	}
	if (rewrites && !fix_checksum(skb, s->ct, ctinfo, protoff)) {
		pptp_ng_count(s->pn, PNG_DROP_ERROR);
		return NF_DROP;
	}
	return NF_ACCEPT;
}

/* The session of @h if it has one, without creating it. */
static struct pptp_ng_session *session_peek(struct pptp_ng_help *h)
{
	struct pptp_ng_session *s = READ_ONCE(h->sess);

	return s == PPTP_NG_UNTRACKED ? NULL : s;
}

/*
 * Segments of the control connection itself.  ICMP errors about it come
 * as IP_CT_RELATED (nf_confirm hands the helper those of the original
 * direction): their payload is an ICMP header and a quoted IP header, not
 * a segment, and must never be read as one.
 */
static bool control_segment(enum ip_conntrack_info ctinfo)
{
	return ctinfo == IP_CT_ESTABLISHED || ctinfo == IP_CT_ESTABLISHED_REPLY ||
	       ctinfo == IP_CT_NEW;
}

/*
 * A RST off the exact sequence number, which the receiver does not take
 * (RFC 5961: it answers with a challenge ACK and keeps the connection).
 * Conntrack keeps its entry ESTABLISHED but cuts its life to the CLOSE
 * timeout, 10 s, or, right after a SYN it let pass (the endpoints may be
 * in sync when it is not), takes the RST and moves the entry to CLOSE.
 * The challenge ACK that would refresh the entry comes at most every half
 * second, so a burst of forged RSTs would leave an idle control
 * connection, and every call on it, to expire in 10 s.  Give it RST_GRACE
 * instead, ESTABLISHED again: two RFC 2637 keepalive intervals, a live
 * connection speaks before then (Echo-Request after 60 s of silence), a
 * dead one goes in two minutes.
 */
#define RST_GRACE	(120 * HZ)

/* Is a RST at the next sequence number of @dir?  Unknown counts as yes. */
static bool rst_exact(const struct pptp_ng_session *s, unsigned int dir, u32 seq)
{
	u32 next;

	return !pptp_next_seq(&s->t, dir, &next) || seq == next;
}

static void rst_not_taken(struct nf_conn *ct, const struct sk_buff *skb,
			  struct pptp_ng_session *s, bool exact)
{
	bool reopened = false;

	/* an exact RST conntrack closed ends the session: nothing to undo */
	if (!exact) {
		spin_lock_bh(&ct->lock);
		if (ct->proto.tcp.state == TCP_CONNTRACK_CLOSE) {
			ct->proto.tcp.state = TCP_CONNTRACK_ESTABLISHED;
			reopened = true;
		}
		spin_unlock_bh(&ct->lock);
	}
	if (READ_ONCE(ct->proto.tcp.state) != TCP_CONNTRACK_ESTABLISHED ||
	    (!reopened && nf_ct_expires(ct) >= RST_GRACE))
		return;
	pptp_ng_ct_refresh(ct, skb, RST_GRACE);
	if (reopened)
		nf_conntrack_event_cache(IPCT_PROTOINFO, ct);
	pptp_ng_count(s->pn, PNG_RST_GRACE);
}

int pptp_ng_help(struct sk_buff *skb, unsigned int protoff, struct nf_conn *ct,
		 enum ip_conntrack_info ctinfo)
{
	struct pptp_ng_help *h;
	unsigned int dir = CTINFO2DIR(ctinfo);
	struct pptp_ng_session *s;
	struct pptp_ng_seg g;
	bool data, done, exact;
	int ret = NF_ACCEPT;

	if (ct->master)
		return pptp_ng_gre_help(skb, protoff, ct, ctinfo);
	if (nf_ct_protonum(ct) != IPPROTO_TCP || !control_segment(ctinfo) ||
	    !read_tcp(skb, protoff, &g))
		return NF_ACCEPT;
	h = nfct_help_data(ct);
	if (g.syn) {
		/* Payload starts after the SYN; 0 stays "unknown". */
		WRITE_ONCE(h->isn[dir], g.seq + 1);
		return NF_ACCEPT;
	}
	data = g.dataoff < skb->len;
	if (data)
		s = session_get(ct, h);
	else if (g.fin || g.rst)
		s = session_peek(h);
	else
		return NF_ACCEPT;
	if (!s)
		return NF_ACCEPT;
	/* The core reads the payload in one piece and we write into it. */
	if (data && skb_ensure_writable(skb, skb->len)) {
		pptp_ng_count(s->pn, PNG_DROP_ERROR);
		return NF_DROP;
	}
	spin_lock_bh(&s->lock);
	if (s->dead) {
		spin_unlock_bh(&s->lock);
		return NF_ACCEPT;
	}
	if (data)
		ret = feed(s, skb, protoff, &g, ctinfo);
	if (READ_ONCE(s->reopen)) {
		WRITE_ONCE(s->reopen, false);
		pptp_ng_reopen(s);
	}
	/*
	 * Closing the control connection clears its calls (RFC 2637 3.1):
	 * on a reset at the exact sequence number that conntrack took as one,
	 * or once both sides have sent FIN.  A RST off the exact sequence
	 * number ends nothing, whoever sent it and whatever conntrack made of
	 * it (rst_not_taken).
	 */
	if (ret == NF_ACCEPT && g.fin)
		s->fin |= 1 << dir;
	exact = g.rst && rst_exact(s, dir, g.seq);
	done = (ret == NF_ACCEPT && exact &&
		READ_ONCE(ct->proto.tcp.state) == TCP_CONNTRACK_CLOSE) || s->fin == 3 ||
	       (s->t.session == PPTP_SESS_DOWN && !s->t.live_calls);
	if (ret == NF_ACCEPT && g.rst && !done)
		rst_not_taken(ct, skb, s, exact);
	spin_unlock_bh(&s->lock);

	/* Nothing more to follow: the calls go down, the memory back. */
	if (done && cmpxchg(&h->sess, s, PPTP_NG_UNTRACKED) == s)
		session_end(s);
	return ret;
}

/* The master conntrack is being deleted: its calls go with it. */
void pptp_ng_destroy(struct nf_conn *ct)
{
	struct pptp_ng_help *h = nfct_help_data(ct);
	struct pptp_ng_session *s;

	if (ct->master) {
		/* a call's GRE conntrack: its session checks its calls' GRE */
		pptp_ng_gre_unmade(ct);
		pptp_ng_gre_gone(ct->master);
		return;
	}
	s = xchg(&h->sess, PPTP_NG_UNTRACKED);

	if (s && s != PPTP_NG_UNTRACKED)
		session_end(s);
}

/*
 * Module unload, after the helpers were unregistered: no help(), destroy()
 * or expectfn runs any more, and the conntrack core has removed every
 * expectation of ours.  A master may be gone already (its destroy no longer
 * reaches us), so the sessions are freed without touching conntrack; GRE
 * conntracks of live calls time out on their own.
 */
void pptp_ng_free_all(struct pptp_ng_net *pn)
{
	struct pptp_ng_session *s, *tmp;
	LIST_HEAD(all);

	spin_lock_bh(&pn->lock);
	list_splice_init(&pn->sessions, &all);
	pn->nsessions = 0;
	pn->calls_live = 0;
	spin_unlock_bh(&pn->lock);
	/* cppcheck-suppress unknownMacro */
	list_for_each_entry_safe(s, tmp, &all, node) {
		s->dead = true;
		/* cppcheck-suppress uninitvar ; the list macro is opaque to it */
		pptp_ng_unmap_all(s);
		list_del(&s->node);
		spin_lock_bh(&pn->lock);
		pptp_ng_source_put(pn, s->src);
		spin_unlock_bh(&pn->lock);
		atomic_dec(&pptp_ng_global_sessions);
		kfree_rcu(s, rcu);
	}
}
