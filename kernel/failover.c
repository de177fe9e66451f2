// SPDX-License-Identifier: GPL-2.0-only
/*
 * Failover (failover=1): a call survives the move to a backup firewall
 * whose conntrack table conntrackd keeps in step (docs/ha.md).
 *
 * conntrackd carries a master and its expectations, but not the module's
 * sessions, nor the calls' GRE conntracks (their keys are lost, and their
 * helper cannot be committed), nor an expectation's expectfn and NAT.  So
 * with failover=1 each call direction keeps its expectation for the
 * call's life (gre.c, guard.c): a carrier.  Its tuple is that direction's
 * GRE as it arrives; its source key, outside the mask and never matched,
 * is the other direction's receiver's own call ID.  The two halves of a
 * call, copied to the backup, still name its IDs and pair by them.
 *
 * The backup rebuilds a control connection's session from such copies
 * (expectations of ours without an expectfn: only conntrackd's commit
 * makes those) when its first segment, or the first GRE packet of one of
 * its calls, comes: the calls are adopted with the IDs they had, which
 * the session then holds, so that a CDN or StopCCRQ ends them and a new
 * call gets a free ID; the copies are made again as the module makes
 * carriers.  A GRE packet that matched a copy went through conntrack
 * without NAT: a hook between conntrack and NAT gives its conntrack what
 * the carrier made again would have, so no packet is lost.
 *
 * The copies carry no roles: the side that opened the control connection
 * is taken as the PNS, as the stock helper assumes.
 */
#include <linux/slab.h>
#include <linux/netfilter_ipv4.h>
#include <linux/netfilter_ipv6.h>
#include <net/netfilter/nf_conntrack.h>
#include <net/netfilter/nf_conntrack_core.h>
#include <net/netfilter/nf_conntrack_expect.h>
#include <net/netfilter/nf_conntrack_zones.h>

#include "pptp_ng.h"

/* One half of a call as conntrackd left it. */
struct copy {
	struct nf_conntrack_expect *exp;
	u16 wire;	/* destination key: the receiver's ID as the sender knows it */
	u16 other;	/* source key: the other direction's receiver's own ID */
	u8 dir;		/* the master's direction its GRE comes from */
	bool used;
};

static bool copy_dir(const struct nf_conn *master, const struct nf_conntrack_expect *exp,
		     u8 *dir)
{
	unsigned int d;

	for (d = 0; d < IP_CT_DIR_MAX; d++) {
		const struct nf_conntrack_tuple *m = &master->tuplehash[d].tuple;

		if (nf_inet_addr_cmp(&exp->tuple.src.u3, &m->src.u3) &&
		    nf_inet_addr_cmp(&exp->tuple.dst.u3, &m->dst.u3)) {
			*dir = d;
			return true;
		}
	}
	return false;
}

/* The copies among @master's expectations, each with a reference. */
static unsigned int copies_of(struct nf_conn *master, struct copy *c, unsigned int max)
{
	struct nf_conn_help *help = nfct_help(master);
	struct nf_conntrack_expect *exp;
	unsigned int n = 0;

	if (!help)
		return 0;
	spin_lock_bh(&nf_conntrack_expect_lock);
	hlist_for_each_entry(exp, &help->expectations, lnode) {
		if (n == max)
			break;
		if (exp->expectfn || exp->tuple.dst.protonum != IPPROTO_GRE ||
		    !copy_dir(master, exp, &c[n].dir))
			continue;
		refcount_inc(&exp->use);
		c[n].exp = exp;
		c[n].wire = ntohs(exp->tuple.dst.u.gre.key);
		c[n].other = ntohs(exp->tuple.src.u.gre.key);
		c[n].used = false;
		n++;
	}
	spin_unlock_bh(&nf_conntrack_expect_lock);
	return n;
}

/*
 * Whether @to_pac and @to_pns are the halves of one call: each half's
 * source key is the other's receiver's own ID, which is the other's
 * destination key where that receiver is not translated.  A session
 * translated both ways could pair wrongly: not taken over.
 */
static bool halves_match(const struct pptp_tracker *t, const struct copy *to_pac,
			 const struct copy *to_pns)
{
	unsigned int pns = IP_CT_DIR_ORIGINAL;

	if (t->translated[pns] && t->translated[!pns])
		return false;
	return (t->translated[pns] || to_pac->other == to_pns->wire) &&
	       (t->translated[!pns] || to_pns->other == to_pac->wire);
}

/* Hold the IDs the peer firewall gave the call, and adopt it. */
static struct pptp_call *adopt(struct pptp_ng_session *s, const struct copy *to_pac,
			       const struct copy *to_pns)
{
	unsigned int pns = IP_CT_DIR_ORIGINAL;
	struct pptp_call call = {}, *c;

	call.state = PPTP_CALL_STATE_UP;
	call.outgoing = 1;	/* not known; nothing after CALL_UP depends on it */
	call.has_id[PPTP_PNS] = call.has_id[PPTP_PAC] = 1;
	call.id[PPTP_PNS] = to_pac->other;
	call.xid[PPTP_PNS] = to_pns->wire;
	call.id[PPTP_PAC] = to_pns->other;
	call.xid[PPTP_PAC] = to_pac->wire;
	if (pptp_ng_hold_id(s, pns, PPTP_PNS, call.id[PPTP_PNS], call.xid[PPTP_PNS]))
		return NULL;
	if (pptp_ng_hold_id(s, !pns, PPTP_PAC, call.id[PPTP_PAC], call.xid[PPTP_PAC])) {
		pptp_ng_unmap(s, PPTP_PNS, call.id[PPTP_PNS], call.xid[PPTP_PNS]);
		return NULL;
	}
	c = pptp_adopt_call(&s->t, pns, &call);
	if (!c) {
		pptp_ng_unmap(s, PPTP_PNS, call.id[PPTP_PNS], call.xid[PPTP_PNS]);
		pptp_ng_unmap(s, PPTP_PAC, call.id[PPTP_PAC], call.xid[PPTP_PAC]);
	}
	return c;
}

/* Pair the copies into calls and adopt them; returns how many. */
static unsigned int adopt_copies(struct pptp_ng_session *s, struct copy *c, unsigned int n,
				 struct pptp_call **calls)
{
	unsigned int i, j, k = 0;

	for (i = 0; i < n; i++) {
		if (c[i].dir != IP_CT_DIR_ORIGINAL)
			continue;
		for (j = 0; j < n; j++) {
			if (c[j].used || c[j].dir == IP_CT_DIR_ORIGINAL ||
			    !halves_match(&s->t, &c[i], &c[j]))
				continue;
			calls[k] = adopt(s, &c[i], &c[j]);
			if (calls[k]) {
				c[i].used = c[j].used = true;
				k++;
			}
			break;
		}
	}
	return k;
}

/*
 * Take over the calls whose carriers conntrackd copied to @s's master.
 * Session lock held (or @s not yet seen by anyone).
 */
void pptp_ng_take_over(struct pptp_ng_session *s)
{
	unsigned int max = 2 * pptp_ng_max_calls, n, k, i;
	const struct nf_conn_help *help = nfct_help(s->ct);
	struct pptp_call **calls;
	struct copy *c;

	if (!help || !READ_ONCE(help->expecting[NF_CT_EXPECT_CLASS_DEFAULT]))
		return;		/* no expectation at all, so no copy */
	c = kmalloc_array(max, sizeof(*c) + sizeof(*calls), GFP_ATOMIC | __GFP_NOWARN);
	if (!c)
		return;
	calls = (struct pptp_call **)(c + max);
	n = copies_of(s->ct, c, max);
	k = n ? adopt_copies(s, c, n, calls) : 0;
	/* The copies go; the calls get their carriers again, made by us. */
	for (i = 0; i < n; i++) {
		if (!c[i].used)
			pptp_ng_count(s->pn, PNG_FAILOVER_UNPAIRED);
		pptp_ng_unexpect(c[i].exp);
		nf_ct_expect_put(c[i].exp);
	}
	for (i = 0; i < k; i++) {
		pptp_ng_count(s->pn, PNG_FAILOVER_CALLS);
		pptp_ng_call_up(s, calls[i]);
	}
	kfree(c);
}

static struct nf_conntrack_helper *helper_of(const struct nf_conn *ct)
{
	const struct nf_conn_help *help = nfct_help(ct);

	return help ? rcu_dereference(help->helper) : NULL;
}

/*
 * The conntrack a copy made carries no helper (the commit leaves the
 * copy's out): give it ours, as the carrier made again would have.
 */
static bool give_helper(struct nf_conn *ct, struct nf_conntrack_helper *helper)
{
	struct nf_conn_help *help = nfct_help(ct);

	if (!help)
		help = nf_ct_helper_ext_add(ct, GFP_ATOMIC);
	if (!help)
		return false;
	rcu_assign_pointer(help->helper, helper);
	return true;
}

/*
 * A GRE packet that matched a copy, before NAT sees it: its master's
 * session is taken over (once), and its conntrack set up as the call's
 * carrier, made again, would have set it up (nat.c).
 */
static void resume_gre(struct nf_conn *ct)
{
	struct nf_conn *master = ct->master;
	struct nf_conntrack_expect *exp;
	struct pptp_ng_session *s;

	s = pptp_ng_session_of(master);
	if (!s)
		return;		/* untracked: guard.c drops what the copy lets in */
	spin_lock_bh(&s->lock);
	if (!s->dead)
		pptp_ng_take_over(s);
	spin_unlock_bh(&s->lock);
	exp = nf_ct_expect_find_get(nf_ct_net(ct), nf_ct_zone(master),
				    &ct->tuplehash[IP_CT_DIR_ORIGINAL].tuple);
	if (!exp)
		return;
	if (exp->master == master && exp->expectfn == pptp_ng_expectfn &&
	    give_helper(ct, helper_of(master))) {
		pptp_ng_expectfn(ct, exp);
		pptp_ng_count(s->pn, PNG_FAILOVER_GRE);
	}
	nf_ct_expect_put(exp);
}

static unsigned int failover_in(void *priv, struct sk_buff *skb,
				const struct nf_hook_state *state)
{
	enum ip_conntrack_info ctinfo;
	struct nf_conn *ct = nf_ct_get(skb, &ctinfo);

	/* An expected conntrack's first packet is IP_CT_RELATED. */
	if (ct && ctinfo == IP_CT_RELATED && ct->master && !nf_ct_is_confirmed(ct) &&
	    nf_ct_protonum(ct) == IPPROTO_GRE && pptp_ng_is_ours(helper_of(ct->master)) &&
	    !pptp_ng_gre_ours(ct))
		resume_gre(ct);
	return NF_ACCEPT;
}

/* After conntrack (which made the conntrack from the copy), before NAT. */
static const struct nf_hook_ops failover_ops[] = {
	{
		.hook		= failover_in,
		.pf		= NFPROTO_IPV4,
		.hooknum	= NF_INET_PRE_ROUTING,
		.priority	= NF_IP_PRI_CONNTRACK + 1,
	},
	{
		.hook		= failover_in,
		.pf		= NFPROTO_IPV6,
		.hooknum	= NF_INET_PRE_ROUTING,
		.priority	= NF_IP6_PRI_CONNTRACK + 1,
	},
};

int pptp_ng_failover_net_init(struct net *net)
{
	if (!pptp_ng_failover)
		return 0;
	return nf_register_net_hooks(net, failover_ops, ARRAY_SIZE(failover_ops));
}

void pptp_ng_failover_net_exit(struct net *net)
{
	if (pptp_ng_failover)
		nf_unregister_net_hooks(net, failover_ops, ARRAY_SIZE(failover_ops));
}
