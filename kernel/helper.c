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
 */
#include <linux/module.h>
#include <linux/skbuff.h>
#include <linux/slab.h>
#include <linux/tcp.h>
#include <net/netfilter/nf_conntrack.h>
#include <net/netfilter/nf_conntrack_helper.h>
#include <net/netfilter/nf_nat_helper.h>

#include "pptp_ng.h"

static void pptp_ng_event(void *ctx, const struct pptp_tracker *t,
			  const struct pptp_event *ev)
{
	struct pptp_ng_session *s = ctx;
	struct pptp_ng_net *pn = s->pn;
	struct pptp_ng_rewrite *rw;

	switch (ev->type) {
	case PPTP_EV_MESSAGE:
		pptp_ng_count(pn, PNG_MESSAGES);
		break;
	case PPTP_EV_INVALID:
		s->seg_invalid = 1;
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
	case PPTP_EV_REWRITE:
		if (!ev->nbytes)
			break;
		if (s->nrw == PPTP_NG_MAX_RW) {
			s->rw_overflow = true;
			break;
		}
		rw = &s->rw[s->nrw++];
		rw->off = ev->seg_off;
		rw->len = ev->nbytes;
		memcpy(rw->bytes, ev->bytes, sizeof(rw->bytes));
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
};

static struct pptp_ng_session *session_new(struct nf_conn *ct, struct pptp_ng_help *h)
{
	struct pptp_ng_net *pn = pptp_ng_pernet(nf_ct_net(ct));
	struct pptp_tracker_config cfg = {};
	struct pptp_ng_session *s;
	unsigned int dir;

	s = kzalloc(struct_size(s, calls, pptp_ng_max_calls), GFP_ATOMIC);
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
	/* Start each stream where its SYN said, so a lost first segment is a gap. */
	for (dir = 0; dir < IP_CT_DIR_MAX; dir++)
		if (h->isn[dir])
			pptp_feed(&s->t, dir, h->isn[dir], (const u8 *)s, 0);

	spin_lock_bh(&pn->lock);
	if (pn->nsessions >= READ_ONCE(pptp_ng_max_sessions)) {
		spin_unlock_bh(&pn->lock);
		kfree(s);
		return NULL;
	}
	pn->nsessions++;
	list_add(&s->node, &pn->sessions);
	spin_unlock_bh(&pn->lock);
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
	old = cmpxchg(&h->sess, NULL, s);
	if (old) {
		/* The other direction won the race. */
		s->dead = true;
		session_free(s);
		return old == PPTP_NG_UNTRACKED ? NULL : old;
	}
	return s;
}

/* Apply the collected rewrites: equal length, so no sequence adjustment. */
static int apply_rewrites(struct pptp_ng_session *s, struct sk_buff *skb,
			  unsigned int protoff, enum ip_conntrack_info ctinfo)
{
	unsigned int i;

	for (i = 0; i < s->nrw; i++) {
		const struct pptp_ng_rewrite *rw = &s->rw[i];

		if (!nf_nat_mangle_tcp_packet(skb, s->ct, ctinfo, protoff, rw->off,
					      rw->len, (const char *)rw->bytes, rw->len))
			return -ENOMEM;
		pptp_ng_count(s->pn, PNG_REWRITES);
	}
	return 0;
}

/* Feed one segment's payload; the session lock is held. */
static int feed(struct pptp_ng_session *s, struct sk_buff *skb, unsigned int protoff,
		unsigned int dataoff, u32 seq, enum ip_conntrack_info ctinfo)
{
	unsigned int dir = CTINFO2DIR(ctinfo);
	enum pptp_feed_verdict v;

	if (s->blocked & (1 << dir)) {
		pptp_ng_count(s->pn, PNG_DROP_INVALID);
		return NF_DROP;
	}
	s->cur_dir = dir;
	s->nrw = 0;
	s->rw_overflow = false;
	s->seg_invalid = 0;
	pptp_ng_count(s->pn, PNG_SEGMENTS);
	v = pptp_feed(&s->t, dir, seq, skb->data + dataoff, skb->len - dataoff);
	if (v == PPTP_FEED_FUTURE) {
		/*
		 * Bytes before this segment never passed here.  Passing it
		 * could let an untranslated call ID reach the peer, and the
		 * tracker would wait forever for bytes the receiver already
		 * has: drop it, TCP sends it again after the gap.
		 */
		pptp_ng_count(s->pn, PNG_DROP_FUTURE);
		return NF_DROP;
	}
	if (s->seg_invalid && READ_ONCE(pptp_ng_drop_invalid)) {
		/*
		 * The receiver never gets these bytes, so nothing after them
		 * either: the direction is stopped for good, retransmissions
		 * included (the tracker would take those as old bytes).
		 */
		s->blocked |= 1 << dir;
		pptp_ng_count(s->pn, PNG_DROP_INVALID);
		return NF_DROP;
	}
	if (s->rw_overflow || apply_rewrites(s, skb, protoff, ctinfo)) {
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

int pptp_ng_help(struct sk_buff *skb, unsigned int protoff, struct nf_conn *ct,
		 enum ip_conntrack_info ctinfo)
{
	struct pptp_ng_help *h = nfct_help_data(ct);
	unsigned int dir = CTINFO2DIR(ctinfo);
	const struct tcphdr *th;
	struct pptp_ng_session *s;
	struct tcphdr _th;
	unsigned int dataoff;
	bool data, done;
	int ret = NF_ACCEPT;

	if (nf_ct_protonum(ct) != IPPROTO_TCP)
		return NF_ACCEPT;
	th = skb_header_pointer(skb, protoff, sizeof(_th), &_th);
	if (!th)
		return NF_ACCEPT;
	if (th->syn) {
		/* Payload starts after the SYN; 0 stays "unknown". */
		WRITE_ONCE(h->isn[dir], ntohl(th->seq) + 1);
		return NF_ACCEPT;
	}
	dataoff = protoff + th->doff * 4;
	data = dataoff < skb->len;
	if (data)
		s = session_get(ct, h);
	else if (th->fin || th->rst)
		s = session_peek(h);
	else
		return NF_ACCEPT;
	if (!s)
		return NF_ACCEPT;
	/* The core reads the payload in one piece and we may write into it. */
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
		ret = feed(s, skb, protoff, dataoff, ntohl(th->seq), ctinfo);
	/*
	 * Closing the control connection clears its calls (RFC 2637 3.1):
	 * on a reset, or once both sides have sent FIN.
	 */
	if (ret == NF_ACCEPT && th->fin)
		s->fin |= 1 << dir;
	done = (ret == NF_ACCEPT && th->rst) || s->fin == 3 ||
	       (s->t.session == PPTP_SESS_DOWN && !s->t.live_calls);
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
	struct pptp_ng_session *s = xchg(&h->sess, PPTP_NG_UNTRACKED);

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
		atomic_dec(&pptp_ng_global_sessions);
		kfree_rcu(s, rcu);
	}
}
