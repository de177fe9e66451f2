// SPDX-License-Identifier: GPL-2.0-only
/*
 * The data channel: call-ID allocation for NAT, GRE expectations and the
 * NAT of the GRE conntracks they create.
 *
 * No GRE keymaps.  The conntrack core keeps at most one keymap entry per
 * direction in the master's helper area (struct nf_ct_pptp_master) and
 * destroys them whenever any GRE child of the master dies, so a session
 * with several calls cannot use them.  Without a keymap a GRE packet's
 * tuple has source key 0, so each call direction becomes its own GRE
 * conntrack, created from an expectation that wildcards the source key
 * and matches the destination key (the receiver's call ID as the sender
 * knows it).  Expectations are permanent for the life of the call: when an
 * idle GRE conntrack times out, the next packet creates it again, with the
 * same NAT, until the call goes down.
 */
#include <linux/module.h>
#include <linux/slab.h>
#include <linux/hash.h>
#include <net/netfilter/nf_conntrack.h>
#include <net/netfilter/nf_conntrack_core.h>
#include <net/netfilter/nf_conntrack_expect.h>
#include <net/netfilter/nf_conntrack_zones.h>

#include "pptp_ng.h"

/*
 * A call ID the other side sees: unique per (address the sender is seen
 * as, address the receiver sends GRE from), since that pair and the key
 * are all a GRE packet from the receiver carries.
 */
struct pptp_ng_xid {
	struct hlist_node hnode;	/* pptp_ng_net.xids */
	struct list_head node;		/* pptp_ng_session.xids */
	union nf_inet_addr seen;
	union nf_inet_addr peer;
	u16 l3num;
	u16 xid;
	u16 id;
	u8 role;
};

static u32 xid_hash(const union nf_inet_addr *seen, const union nf_inet_addr *peer, u16 xid)
{
	u32 h = jhash2((const u32 *)seen, sizeof(*seen) / 4, xid);

	return hash_32(jhash2((const u32 *)peer, sizeof(*peer) / 4, h), PPTP_NG_XID_BITS);
}

static bool xid_used(struct pptp_ng_net *pn, u16 l3num, const union nf_inet_addr *seen,
		     const union nf_inet_addr *peer, u16 xid)
{
	struct pptp_ng_xid *x;

	hlist_for_each_entry(x, &pn->xids[xid_hash(seen, peer, xid)], hnode)
		if (x->xid == xid && x->l3num == l3num &&
		    nf_inet_addr_cmp(&x->seen, seen) && nf_inet_addr_cmp(&x->peer, peer))
			return true;
	return false;
}

/*
 * ops->map_id: the sender of the segment being fed announces a new call
 * ID.  Without NAT on the control connection nothing translates GRE, so
 * IDs stay as they are.  With NAT, keep the ID when no other call to the
 * same peer behind the same address uses it (as NAT keeps ports), else
 * take the next free one.  Every ID of a NATed session goes through the
 * table, whichever side is translated, so a host on the firewall's own
 * address and the hosts masqueraded to it never collide either.  ID 0 is
 * never shown: a GRE conntrack without keymap has source key 0 in its
 * reply tuple, and a packet keyed 0 could match it.
 *
 * A CDN's Call ID is the PAC's own ID (RFC 2637) or the PNS's as the PAC
 * sees it (Windows, accel-ppp), and the core tells them apart by value: a
 * translated PNS ID must not equal a PAC ID of the same session.  PACs
 * count their IDs up from small numbers, so translated IDs come from a
 * rotor that starts at a random point, and skip the session's PAC IDs.
 */
int pptp_ng_map_id(void *ctx, const struct pptp_tracker *t, u8 role, u16 id, u16 *xid)
{
	struct pptp_ng_session *s = ctx;
	struct pptp_ng_net *pn = s->pn;
	const struct nf_conntrack_tuple *back = &s->ct->tuplehash[!s->cur_dir].tuple;
	u16 l3num = nf_ct_l3num(s->ct);
	struct pptp_ng_xid *x;
	unsigned int tries;
	u16 cand = id;

	if (!(s->ct->status & IPS_NAT_MASK))
		return 0;
	x = kzalloc(sizeof(*x), GFP_ATOMIC);
	if (!x)
		return -ENOMEM;
	x->seen = back->dst.u3;
	x->peer = back->src.u3;
	x->l3num = l3num;
	x->id = id;
	x->role = role;

	spin_lock_bh(&pn->lock);
	for (tries = 0; tries < 65536; tries++) {
		if (cand && !xid_used(pn, l3num, &x->seen, &x->peer, cand) &&
		    (role != PPTP_PNS || cand == id || !pptp_find_by_id(t, PPTP_PAC, cand)))
			break;
		cand = pn->rotor++;
	}
	if (tries == 65536) {
		spin_unlock_bh(&pn->lock);
		kfree(x);
		return -EBUSY;
	}
	x->xid = cand;
	hlist_add_head(&x->hnode, &pn->xids[xid_hash(&x->seen, &x->peer, cand)]);
	pn->ids_live++;
	spin_unlock_bh(&pn->lock);
	atomic_inc(&pptp_ng_global_ids);
	list_add(&x->node, &s->xids);
	if (cand != id)
		pptp_ng_count(pn, PNG_IDS_TRANSLATED);
	*xid = cand;
	return 0;
}

static void xid_free(struct pptp_ng_net *pn, struct pptp_ng_xid *x)
{
	spin_lock_bh(&pn->lock);
	hlist_del(&x->hnode);
	pn->ids_live--;
	spin_unlock_bh(&pn->lock);
	atomic_dec(&pptp_ng_global_ids);
	list_del(&x->node);
	kfree(x);
}

/* An ID map_id gave is handed back (UNMAP or the call's end). */
void pptp_ng_unmap(struct pptp_ng_session *s, u8 role, u16 id, u16 xid)
{
	struct pptp_ng_xid *x;

	list_for_each_entry(x, &s->xids, node)
		if (x->role == role && x->id == id && x->xid == xid) {
			xid_free(s->pn, x);
			return;
		}
}

void pptp_ng_unmap_all(struct pptp_ng_session *s)
{
	struct pptp_ng_xid *x, *tmp;

	/* cppcheck-suppress unknownMacro */
	list_for_each_entry_safe(x, tmp, &s->xids, node)
		xid_free(s->pn, x);
}

/* Which conntrack direction the PNS sends in; -1 when not known. */
static int pns_dir(const struct pptp_ng_session *s)
{
	if (s->t.role[IP_CT_DIR_ORIGINAL] == PPTP_PNS)
		return IP_CT_DIR_ORIGINAL;
	if (s->t.role[IP_CT_DIR_REPLY] == PPTP_PNS)
		return IP_CT_DIR_REPLY;
	return -1;
}

/*
 * The GRE tuple a call's packets have when they arrive from the sender in
 * master direction @dir: from the sender to where it sends, keyed by the
 * receiver's ID as the sender knows it (@to), source key 0.
 */
static void gre_tuple(const struct nf_conn *master, unsigned int dir, u16 to,
		      struct nf_conntrack_tuple *t)
{
	const struct nf_conntrack_tuple *m = &master->tuplehash[dir].tuple;

	memset(t, 0, sizeof(*t));
	t->src.l3num = m->src.l3num;
	t->src.u3 = m->src.u3;
	t->dst.u3 = m->dst.u3;
	t->dst.protonum = IPPROTO_GRE;
	t->dst.u.gre.key = htons(to);
}

/*
 * A GRE packet that arrived before its call was up (a PAC that sends GRE
 * before its reply has left, say) made a conntrack of its own, unrelated
 * and refreshed by every later packet: the expectation would never be
 * used.  Remove such a conntrack so the next packet finds the expectation.
 */
static void kill_early(struct nf_conn *master, unsigned int dir, u16 to)
{
	struct nf_conntrack_tuple_hash *hash;
	struct nf_conntrack_tuple t;
	struct nf_conn *gre;

	gre_tuple(master, dir, to, &t);
	hash = nf_conntrack_find_get(nf_ct_net(master), nf_ct_zone(master), &t);
	if (!hash)
		return;
	gre = nf_ct_tuplehash_to_ctrack(hash);
	if (!gre->master)
		nf_ct_kill(gre);
	nf_ct_put(gre);
}

/* Expect the GRE of one call direction: @to as the sender knows it, @real as the receiver does. */
static int expect_dir(struct pptp_ng_session *s, unsigned int dir, u16 to, u16 real)
{
	struct nf_conn *master = s->ct;
	const struct nf_conntrack_tuple *m = &master->tuplehash[dir].tuple;
	struct nf_conntrack_expect *exp;
	__be16 key = htons(to);
	int err;

	exp = nf_ct_expect_alloc(master);
	if (!exp)
		return -ENOMEM;
	nf_ct_expect_init(exp, NF_CT_EXPECT_CLASS_DEFAULT, nf_ct_l3num(master),
			  &m->src.u3, &m->dst.u3, IPPROTO_GRE, NULL, &key);
	/* The GRE conntrack is not a control connection: no helper for it. */
	RCU_INIT_POINTER(exp->helper, NULL);
	exp->flags = NF_CT_EXPECT_PERMANENT;
	exp->dir = dir;
	exp->saved_proto.gre.key = htons(real);
	if (master->status & IPS_NAT_MASK)
		exp->expectfn = pptp_ng_expectfn;
	err = nf_ct_expect_related(exp, 0);
	nf_ct_expect_put(exp);
	if (!err)
		kill_early(master, dir, to);
	return err;
}

/* The call is up: GRE may flow both ways. */
void pptp_ng_call_up(struct pptp_ng_session *s, const struct pptp_call *c)
{
	int dir = pns_dir(s);

	if (dir < 0 || !c->has_id[PPTP_PNS] || !c->has_id[PPTP_PAC])
		return;
	/* PNS to PAC carries the PAC's ID, PAC to PNS the PNS's. */
	if (expect_dir(s, dir, c->xid[PPTP_PAC], c->id[PPTP_PAC]) ||
	    expect_dir(s, !dir, c->xid[PPTP_PNS], c->id[PPTP_PNS])) {
		pptp_ng_count(s->pn, PNG_EXPECT_FAILED);
		/* Half a call is no call: leave nothing behind. */
		pptp_ng_call_down(s, c);
		return;
	}
	pptp_ng_count(s->pn, PNG_EXPECT_ADDED);
	pptp_ng_count(s->pn, PNG_CALLS_UP);
	spin_lock_bh(&s->pn->lock);
	s->pn->calls_live++;
	spin_unlock_bh(&s->pn->lock);
}

/* Remove the expectation and the GRE conntrack of one call direction. */
static void forget_dir(struct pptp_ng_session *s, unsigned int dir, u16 to)
{
	struct nf_conn *master = s->ct;
	struct net *net = nf_ct_net(master);
	const struct nf_conntrack_zone *zone = nf_ct_zone(master);
	struct nf_conntrack_tuple_hash *hash;
	struct nf_conntrack_expect *exp;
	struct nf_conntrack_tuple t;
	struct nf_conn *gre;

	gre_tuple(master, dir, to, &t);
	exp = nf_ct_expect_find_get(net, zone, &t);
	if (exp) {
		if (exp->master == master)
			nf_ct_unexpect_related(exp);
		nf_ct_expect_put(exp);
	}
	hash = nf_conntrack_find_get(net, zone, &t);
	if (!hash)
		return;
	gre = nf_ct_tuplehash_to_ctrack(hash);
	if (gre->master == master)
		nf_ct_kill(gre);
	nf_ct_put(gre);
}

/* The call is gone: its GRE state and its IDs go with it. */
void pptp_ng_call_down(struct pptp_ng_session *s, const struct pptp_call *c)
{
	int dir = pns_dir(s);
	u8 role;

	if (c->was_up && dir >= 0) {
		forget_dir(s, dir, c->xid[PPTP_PAC]);
		forget_dir(s, !dir, c->xid[PPTP_PNS]);
		pptp_ng_count(s->pn, PNG_CALLS_DOWN);
		spin_lock_bh(&s->pn->lock);
		if (s->pn->calls_live)
			s->pn->calls_live--;
		spin_unlock_bh(&s->pn->lock);
	}
	for (role = PPTP_PNS; role <= PPTP_PAC; role++)
		if (c->has_id[role])
			pptp_ng_unmap(s, role, c->id[role], c->xid[role]);
}
