// SPDX-License-Identifier: GPL-2.0-only
/*
 * The data channel: GRE expectations for each call, the NAT of the GRE
 * conntracks they create (nat.c), and what may pass on those conntracks.
 *
 * No GRE keymaps.  The conntrack core keeps at most one keymap entry per
 * direction in the master's helper area (struct nf_ct_pptp_master) and
 * destroys them whenever any GRE child of the master dies, so a session
 * with several calls cannot use them.  Without a keymap a GRE packet's
 * tuple has source key 0 and its destination key is the receiver's call
 * ID as the sender knows it: each call direction is expected with such a
 * tuple.  Once the call is up both are expected as a pair: the first
 * packet's conntrack takes the other direction's tuple as its reply
 * (nat.c), so a call is one conntrack, as with the stock helper.  A
 * direction whose GRE flowed before the call was up keeps the conntrack
 * it made, and the call then has one per direction.
 *
 * No expectation once GRE flows.  The expectation table is shared by
 * every helper of the netns and sized from memory (64 entries on a 512 MB
 * box): an expectation per live call direction would cap the calls and
 * starve FTP or SIP.  So each expectation is used once (the first packet
 * of a pair removes both, guard.c), and the GRE
 * conntrack it creates lives as long as the call: the expectfn (nat.c)
 * gives it a fixed timeout of days and marks it assured (early_drop under
 * table pressure takes unassured entries only), and the call's end kills
 * it.  If it dies otherwise (conntrack -D, a flush), its destroy marks the
 * session, and the next control segment expects that direction again.  A
 * direction keyed 0 has a permanent expectation instead (below), until
 * its pair's conntrack takes both directions.
 *
 * GRE version 0 has no key, so conntrack gives it key 0 both ways: an
 * expectation keyed 0 (a PAC that numbers its calls from 0, as pptpd does)
 * would also take a GRE v0 tunnel between the same hosts.  The GRE
 * conntracks therefore carry this helper, whose help() drops anything but
 * PPTP's GRE on them, and a conntrack keyed 0 that predates the call is
 * never killed to make room (it may be such a tunnel).  The expectation
 * of a direction keyed 0 is permanent: a GRE v0 packet that matched it
 * and was dropped must not have used it up.
 *
 * Expectations are a shared table (nf_conntrack_expect_max per netns,
 * every helper's): pptp-ng takes at most max_expectations of it, so FTP,
 * SIP and the rest keep room whatever PPTP clients do.
 *
 * With failover=1 a call's expectations stay for its life instead, as
 * carriers of its IDs for a backup firewall (failover.c): two a call.
 */
#include <linux/module.h>
#include <net/netfilter/nf_conntrack.h>
#include <net/netfilter/nf_conntrack_core.h>
#include <net/netfilter/nf_conntrack_expect.h>
#include <net/netfilter/nf_conntrack_zones.h>

#include "pptp_ng.h"

/*
 * The GRE tuple a call's packets have when they arrive from the sender in
 * master direction @dir: from the sender to where it sends, keyed by the
 * receiver's ID as the sender knows it (@to), source key 0.  Also the
 * reply of a paired conntrack (nat.c) and of one that gives its pairing
 * up (guard.c).
 */
void pptp_ng_gre_tuple(const struct nf_conn *master, unsigned int dir, u16 to,
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

	if (!to)
		return;		/* keyed 0: it may be a GRE v0 tunnel, not ours to end */
	pptp_ng_gre_tuple(master, dir, to, &t);
	hash = nf_conntrack_find_get(nf_ct_net(master), nf_ct_zone(master), &t);
	if (!hash)
		return;
	gre = nf_ct_tuplehash_to_ctrack(hash);
	if (!gre->master)
		nf_ct_kill(gre);
	nf_ct_put(gre);
}

/*
 * The source key of a carrier (failover=1): the other direction's
 * receiver's own ID, which conntrack never compares (the mask leaves the
 * source key out), so that a backup can pair a call's halves and name
 * its IDs (failover.c).  0 without failover, as GRE packets have it.
 */
static __be16 carrier_key(const struct pptp_gre_half *other)
{
	return pptp_ng_failover ? htons(other->key_deliver) : 0;
}

/*
 * Expect the GRE of half @h: to @h->key_wire as the sender knows it,
 * delivered as @h->key_deliver.  With @pair, the call's other half, the
 * conntrack the first packet creates carries both (nat.c: gre_pair).
 * @other is the other half, paired or not (its key_deliver 0: not known).
 */
static int expect_dir(struct pptp_ng_session *s, const struct pptp_gre_half *h,
		      const struct pptp_gre_half *pair, const struct pptp_gre_half *other)
{
	struct nf_conn *master = s->ct;
	const struct nf_conntrack_tuple *m = &master->tuplehash[h->dir].tuple;
	struct nf_conntrack_expect *exp;
	__be16 key = htons(h->key_wire);
	int err;

	exp = nf_ct_expect_alloc(master);
	if (!exp)
		return -ENOMEM;
	nf_ct_expect_init(exp, NF_CT_EXPECT_CLASS_DEFAULT, nf_ct_l3num(master),
			  &m->src.u3, &m->dst.u3, IPPROTO_GRE, NULL, &key);
	exp->tuple.src.u.gre.key = carrier_key(other);
	/* The GRE conntrack gets our helper: pptp_ng_gre_help() guards it. */
	pptp_ng_expect_assign_helper(exp, rcu_dereference(nfct_help(master)->helper));
	/*
	 * Kept until the conntrack it makes is confirmed (guard.c removes
	 * it then): two first packets of this direction on two CPUs both
	 * find it, both conntracks carry our helper, and the second goes on
	 * as the first (guard.c: meet_pair).  Used once, the second would
	 * find none and make a conntrack without our NAT or helper.
	 */
	exp->flags = NF_CT_EXPECT_PERMANENT;
	exp->dir = h->dir;
	exp->saved_proto.gre.key = htons(h->key_deliver);
	memset(&exp->saved_addr, 0, sizeof(exp->saved_addr));
	if (pair) {
		exp->saved_addr.all[0] = PPTP_NG_PAIR_MARK;
		exp->saved_addr.all[1] = pair->key_wire;
		exp->saved_addr.all[2] = pair->key_deliver;
	}
	/* Every GRE conntrack: its lifetime, and its NAT if the master has any. */
	exp->expectfn = pptp_ng_expectfn;
	err = nf_ct_expect_related(exp, 0);
	nf_ct_expect_put(exp);
	if (!err)
		kill_early(master, h->dir, h->key_wire);
	return err;
}

/*
 * Our expectations now: the kernel counts each master's (a consumed one
 * is unlinked at once); sessions hold every master of ours.  Netns lock.
 */
static unsigned int expectations_live_locked(struct pptp_ng_net *pn)
{
	struct pptp_ng_session *s;
	unsigned int n = 0;

	/* cppcheck-suppress unknownMacro */
	list_for_each_entry(s, &pn->sessions, node) {
		const struct nf_conn_help *help = nfct_help(s->ct);

		if (help)
			n += READ_ONCE(help->expecting[NF_CT_EXPECT_CLASS_DEFAULT]);
	}
	return n;
}

unsigned int pptp_ng_expectations_live(struct pptp_ng_net *pn)
{
	unsigned int n;

	spin_lock_bh(&pn->lock);
	n = expectations_live_locked(pn);
	spin_unlock_bh(&pn->lock);
	return n;
}

unsigned int pptp_ng_expectations_max(void)
{
	unsigned int max = READ_ONCE(pptp_ng_max_expectations);

	/*
	 * 0: twice the expectation hash's buckets.  The kernel rounds that
	 * hash up to a page (512 buckets) and sizes its own table from the
	 * conntrack buckets (nf_conntrack_expect_max = buckets / 64: 120 in
	 * a 1 GB box, 1024 up to 4 GB), so up to 4 GB the kernel's table is
	 * the bound, and above it this is half of it.  A call whose
	 * expectations are refused has no GRE: a bound below the kernel's
	 * would cut bursts of call setups, and a refused call is not
	 * retried yet (docs/kernel.md).
	 */
	return max ? max : nf_ct_expect_hsize * 2;
}

/* Room for @n more of our expectations within max_expectations. */
static bool expect_room(struct pptp_ng_session *s, unsigned int n)
{
	if (pptp_ng_expectations_live(s->pn) + n <= pptp_ng_expectations_max())
		return true;
	pptp_ng_count(s->pn, PNG_EXPECT_REFUSED);
	return false;
}

static unsigned int call_slot(const struct pptp_ng_session *s, const struct pptp_call *c)
{
	return c - s->calls;
}

static void forget_dir(struct pptp_ng_session *s, unsigned int dir, u16 to);

/*
 * What one call direction has in conntrack: its expectation and its GRE
 * conntrack (the reply of a paired one), each with a reference (NULL:
 * none of this master's).
 */
struct gre_state {
	struct nf_conntrack_expect *exp;
	struct nf_conn *ct;
};

static void dir_state(struct pptp_ng_session *s, unsigned int dir, u16 to,
		      struct gre_state *g);
static void dir_state_put(struct gre_state *g);

/*
 * Expect the halves of @open the call has not got yet, as a pair when
 * @pair: an expectation made unpaired before the call was up is made
 * again, paired (nf_ct_expect_related() replaces our own equal one), and
 * a carrier whose source key is no longer the other half's ID is made
 * again with it (the other side named its ID since).
 * Returns how many could not be.
 */
static unsigned int open_halves(struct pptp_ng_session *s, const struct pptp_gre_half *h,
				unsigned int open, bool pair)
{
	unsigned int i, failed = 0;
	struct gre_state g;
	bool have, again, stale;

	for (i = 0; i < 2; i++) {
		if (!(open & (1u << i)))
			continue;
		dir_state(s, h[i].dir, h[i].key_wire, &g);
		have = g.exp || g.ct;
		again = pair && g.exp && !g.ct && g.exp->saved_addr.all[0] != PPTP_NG_PAIR_MARK;
		stale = g.exp && g.exp->tuple.src.u.gre.key != carrier_key(&h[!i]);
		/* another tuple: it would clash with the new one, not be replaced */
		if (stale)
			pptp_ng_unexpect(g.exp);
		dir_state_put(&g);
		if (have && !again && !stale)
			continue;
		if ((!again && !stale && !expect_room(s, 1)) ||
		    expect_dir(s, &h[i], pair ? &h[!i] : NULL, &h[!i]))
			failed++;
	}
	return failed;
}

/*
 * Both halves may share one conntrack unless one has a conntrack already:
 * GRE that flowed before the call was up made it (unpaired), and a pair
 * claiming its tuple as the reply would never be confirmed.
 */
static bool pairable(struct pptp_ng_session *s, const struct pptp_gre_half *h)
{
	struct gre_state g;
	unsigned int i;
	bool busy = false;

	for (i = 0; i < 2 && !busy; i++) {
		dir_state(s, h[i].dir, h[i].key_wire, &g);
		busy = g.ct;
		dir_state_put(&g);
	}
	return !busy;
}

/*
 * One side named its ID before the call is up: the GRE to it opens now
 * (the core's decision, nat.h), so a peer that sends GRE the moment it
 * replies finds it.  The call's end closes it, up or not.
 */
void pptp_ng_call_id(struct pptp_ng_session *s, const struct pptp_call *c, u8 role)
{
	struct pptp_gre_half h[2] = {};
	unsigned int open = pptp_gre_halves(&s->t, c, h) & pptp_gre_to(role);

	if (open && open_halves(s, h, open, false))
		pptp_ng_count(s->pn, PNG_EXPECT_FAILED);
}

/*
 * The call is up: GRE may flow both ways.  Once per call: a call whose
 * expectations could not be set has no GRE, and keeps its IDs until the
 * core takes it down (its IDs are still in the peer's messages).
 */
void pptp_ng_call_up(struct pptp_ng_session *s, const struct pptp_call *c)
{
	unsigned int slot = call_slot(s, c);
	struct pptp_gre_half h[2];

	/* Which GRE opens, both halves: the core's decision (nat.h). */
	if (pptp_gre_halves(&s->t, c, h) != PPTP_GRE_BOTH || test_bit(slot, s->gre_open))
		return;
	if (open_halves(s, h, PPTP_GRE_BOTH, pairable(s, h))) {
		/* Half a call is no call: take both halves back. */
		forget_dir(s, h[0].dir, h[0].key_wire);
		forget_dir(s, h[1].dir, h[1].key_wire);
		pptp_ng_count(s->pn, PNG_EXPECT_FAILED);
		return;
	}
	set_bit(slot, s->gre_open);
	pptp_ng_count(s->pn, PNG_EXPECT_ADDED);
	pptp_ng_count(s->pn, PNG_CALLS_UP);
	spin_lock_bh(&s->pn->lock);
	s->pn->calls_live++;
	spin_unlock_bh(&s->pn->lock);
}

static void dir_state(struct pptp_ng_session *s, unsigned int dir, u16 to,
		      struct gre_state *g)
{
	struct nf_conn *master = s->ct;
	struct net *net = nf_ct_net(master);
	const struct nf_conntrack_zone *zone = nf_ct_zone(master);
	struct nf_conntrack_tuple_hash *hash;
	struct nf_conntrack_tuple t;

	pptp_ng_gre_tuple(master, dir, to, &t);
	g->exp = nf_ct_expect_find_get(net, zone, &t);
	if (g->exp && g->exp->master != master) {
		nf_ct_expect_put(g->exp);
		g->exp = NULL;
	}
	hash = nf_conntrack_find_get(net, zone, &t);
	g->ct = hash ? nf_ct_tuplehash_to_ctrack(hash) : NULL;
	if (g->ct && g->ct->master != master) {
		nf_ct_put(g->ct);
		g->ct = NULL;
	}
}

static void dir_state_put(struct gre_state *g)
{
	if (g->exp)
		nf_ct_expect_put(g->exp);
	if (g->ct)
		nf_ct_put(g->ct);
}

/*
 * A GRE conntrack of this session died before its call ended (deleted by
 * hand, flushed, expired after days idle, or a first packet's conntrack
 * that met its pair, guard.c): expect the GRE of every direction of a
 * live call that has neither its conntrack nor an expectation any more.
 * Session lock held.
 */
void pptp_ng_reopen(struct pptp_ng_session *s)
{
	struct pptp_gre_half h[2];
	unsigned int slot;

	for_each_set_bit(slot, s->gre_open, PPTP_NG_MAX_CALLS) {
		if (pptp_gre_halves(&s->t, &s->calls[slot], h) != PPTP_GRE_BOTH)
			continue;
		if (open_halves(s, h, PPTP_GRE_BOTH, pairable(s, h)))
			pptp_ng_count(s->pn, PNG_EXPECT_FAILED);
	}
}

/*
 * A GRE conntrack of @master is being destroyed (its helper is ours): if
 * the session lives on, its next control segment checks its calls' GRE
 * (no locks here: this may run under the session lock, from call down).
 */
void pptp_ng_gre_gone(struct nf_conn *master)
{
	struct pptp_ng_help *h = nfct_help_data(master);
	struct pptp_ng_session *s = READ_ONCE(h->sess);

	if (s && s != PPTP_NG_UNTRACKED)
		WRITE_ONCE(s->reopen, true);
}

/* Remove the expectation and the GRE conntrack of one call direction. */
static void forget_dir(struct pptp_ng_session *s, unsigned int dir, u16 to)
{
	struct gre_state g;

	dir_state(s, dir, to, &g);
	if (g.exp)
		pptp_ng_unexpect(g.exp);
	if (g.ct)
		nf_ct_kill(g.ct);
	dir_state_put(&g);
}

/* The call is gone, up or not: its GRE state and its IDs go with it, once. */
void pptp_ng_call_down(struct pptp_ng_session *s, const struct pptp_call *c)
{
	struct pptp_gre_half h[2];
	unsigned int open = pptp_gre_halves(&s->t, c, h);
	u8 role;

	if (open & PPTP_GRE_TO_PAC)
		forget_dir(s, h[0].dir, h[0].key_wire);
	if (open & PPTP_GRE_TO_PNS)
		forget_dir(s, h[1].dir, h[1].key_wire);
	if (test_and_clear_bit(call_slot(s, c), s->gre_open)) {
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
