// SPDX-License-Identifier: GPL-2.0-only
/*
 * nf_conntrack_pptp_ng: PPTP (RFC 2637) connection tracking and NAT helper
 * "pptp-ng" for IPv4 and IPv6, built on pptp-ng's shared core.
 *
 * Module parameters, per-netns state and counters (/proc/net/nf_pptp_ng),
 * helper registration.
 */
#include <linux/module.h>
#include <linux/moduleparam.h>
#include <linux/proc_fs.h>
#include <linux/seq_file.h>
#include <net/net_namespace.h>
#include <net/netns/generic.h>
#include <net/netfilter/nf_conntrack.h>
#include <net/netfilter/nf_conntrack_helper.h>
#include <net/netfilter/nf_conntrack_expect.h>

#include <pptp_ng/version.h>

#include "pptp_ng.h"

unsigned int pptp_ng_max_calls = 32;
module_param_named(max_calls, pptp_ng_max_calls, uint, 0444);
MODULE_PARM_DESC(max_calls, "calls per control connection (1-127, default 32)");

unsigned int pptp_ng_max_sessions = 4096;
module_param_named(max_sessions, pptp_ng_max_sessions, uint, 0644);
MODULE_PARM_DESC(max_sessions, "tracked control connections per netns (default 4096)");

unsigned int pptp_ng_max_sessions_per_source = 256;
module_param_named(max_sessions_per_source, pptp_ng_max_sessions_per_source, uint, 0644);
MODULE_PARM_DESC(max_sessions_per_source,
		 "tracked control connections one source address may open per netns (default 256, 0: no limit)");

unsigned int pptp_ng_max_expectations;
module_param_named(max_expectations, pptp_ng_max_expectations, uint, 0644);
MODULE_PARM_DESC(max_expectations,
		 "GRE expectations pptp-ng may hold per netns; a call holds two until its GRE flows (default 0: twice the expectation hash buckets; the kernel's nf_conntrack_expect_max is the bound up to 4 GB)");

bool pptp_ng_drop_invalid;
module_param_named(drop_invalid, pptp_ng_drop_invalid, bool, 0644);
MODULE_PARM_DESC(drop_invalid, "drop segments carrying invalid PPTP messages (default: pass)");

bool pptp_ng_failover;
module_param_named(failover, pptp_ng_failover, bool, 0444);
MODULE_PARM_DESC(failover,
		 "keep each call's two expectations for its life, for a conntrackd-synchronised backup firewall to take the calls over (docs/ha.md; default: off)");

atomic_t pptp_ng_global_sessions = ATOMIC_INIT(0);
atomic_t pptp_ng_global_ids = ATOMIC_INIT(0);

static unsigned int pptp_ng_net_id __read_mostly;
static bool pptp_ng_unloading;

struct pptp_ng_net *pptp_ng_pernet(struct net *net)
{
	return net_generic(net, pptp_ng_net_id);
}

void pptp_ng_count_gre_nat(struct net *net)
{
	pptp_ng_count(pptp_ng_pernet(net), PNG_GRE_NAT);
}

void pptp_ng_count_gre_paired(struct net *net)
{
	pptp_ng_count(pptp_ng_pernet(net), PNG_GRE_PAIRED);
}

static const char *const counter_names[PNG_COUNTER_MAX] = {
	[PNG_SESSIONS_TOTAL]	= "sessions_total",
	[PNG_SESSIONS_REFUSED]	= "sessions_refused",
	[PNG_SEGMENTS]		= "segments",
	[PNG_MESSAGES]		= "messages",
	[PNG_CALLS_UP]		= "calls_up",
	[PNG_CALLS_DOWN]	= "calls_down",
	[PNG_EXPECT_ADDED]	= "expect_added",
	[PNG_EXPECT_FAILED]	= "expect_failed",
	[PNG_GRE_NAT]		= "gre_nat",
	[PNG_IDS_TRANSLATED]	= "ids_translated",
	[PNG_REWRITES]		= "rewrites",
	[PNG_DROP_FUTURE]	= "drop_future",
	[PNG_DROP_INVALID]	= "drop_invalid",
	[PNG_DROP_ERROR]	= "drop_error",
	[PNG_SESSIONS_SOURCE]	= "sessions_refused_source",
	[PNG_EXPECT_REFUSED]	= "expect_refused",
	[PNG_DROP_GRE_NOT_V1]	= "drop_gre_not_v1",
	[PNG_CUT]		= "cut",
	[PNG_RST_GRACE]		= "rst_grace",
	[PNG_GRE_PAIRED]	= "gre_paired",
	[PNG_GRE_ADOPTED]	= "gre_adopted",
	[PNG_GRE_JOINED]	= "gre_joined",
	[PNG_GRE_UNPAIRED]	= "gre_unpaired",
	[PNG_GRE_TAKEN_OVER]	= "gre_taken_over",
	[PNG_GRE_CLASH]		= "gre_clash",
	[PNG_FAILOVER_CALLS]	= "failover_calls",
	[PNG_FAILOVER_UNPAIRED]	= "failover_unpaired",
	[PNG_FAILOVER_GRE]	= "failover_gre",
	[PNG_DROP_COPIED]	= "drop_copied",
};

/* "name value" lines; see docs/kernel.md. */
static int pptp_ng_show(struct seq_file *m, void *v)
{
	struct pptp_ng_net *pn = pptp_ng_pernet(seq_file_single_net(m));
	unsigned int sessions, calls, ids, i;

	spin_lock_bh(&pn->lock);
	sessions = pn->nsessions;
	calls = pn->calls_live;
	ids = pn->ids_live;
	spin_unlock_bh(&pn->lock);
	seq_puts(m, "version 1\n");
	seq_printf(m, "failover %d\n", pptp_ng_failover);
	seq_printf(m, "sessions_live %u\n", sessions);
	seq_printf(m, "calls_live %u\n", calls);
	seq_printf(m, "ids_live %u\n", ids);
	seq_printf(m, "expectations_live %u\n", pptp_ng_expectations_live(pn));
	seq_printf(m, "expectations_max %u\n", pptp_ng_expectations_max());
	seq_printf(m, "global_sessions_live %d\n", atomic_read(&pptp_ng_global_sessions));
	seq_printf(m, "global_ids_live %d\n", atomic_read(&pptp_ng_global_ids));
	for (i = 0; i < PNG_COUNTER_MAX; i++)
		seq_printf(m, "%s %ld\n", counter_names[i], atomic_long_read(&pn->cnt[i]));
	for (i = 0; i < PPTP_INV_COUNT; i++)
		seq_printf(m, "invalid.%s %ld\n", pptp_invalid_name(i),
			   atomic_long_read(&pn->invalid[i]));
	for (i = 0; i < PPTP_AN_COUNT; i++)
		seq_printf(m, "anomaly.%s %ld\n", pptp_anomaly_name(i),
			   atomic_long_read(&pn->anomaly[i]));
	for (i = 0; i < PPTP_REFUSE_COUNT; i++)
		seq_printf(m, "refused.%s %ld\n", pptp_refusal_name(i),
			   atomic_long_read(&pn->refused[i]));
	for (i = 0; i < PPTP_DROP_COUNT; i++)
		seq_printf(m, "dropped.%s %ld\n", pptp_drop_name(i),
			   atomic_long_read(&pn->dropped[i]));
	return 0;
}

static int __net_init pptp_ng_net_init(struct net *net)
{
	struct pptp_ng_net *pn = pptp_ng_pernet(net);
	unsigned int i;

	spin_lock_init(&pn->lock);
	INIT_LIST_HEAD(&pn->sessions);
	for (i = 0; i < ARRAY_SIZE(pn->spaces); i++)
		INIT_HLIST_HEAD(&pn->spaces[i]);
	for (i = 0; i < ARRAY_SIZE(pn->sources); i++)
		INIT_HLIST_HEAD(&pn->sources[i]);
	if (!proc_create_net_single("nf_pptp_ng", 0444, net->proc_net, pptp_ng_show, NULL))
		return -ENOMEM;
	if (pptp_ng_failover_net_init(net)) {
		remove_proc_entry("nf_pptp_ng", net->proc_net);
		return -ENOMEM;
	}
	return 0;
}

/*
 * At netns exit the conntrack core (whose exit runs after ours) deletes
 * every conntrack, and destroy() frees each session: this area lives until
 * then.  At module unload the helpers are gone already: free here.
 */
static void __net_exit pptp_ng_net_exit(struct net *net)
{
	pptp_ng_failover_net_exit(net);
	remove_proc_entry("nf_pptp_ng", net->proc_net);
	if (pptp_ng_unloading)
		pptp_ng_free_all(pptp_ng_pernet(net));
}

static struct pernet_operations pptp_ng_net_ops = {
	.init = pptp_ng_net_init,
	.exit = pptp_ng_net_exit,
	.id = &pptp_ng_net_id,
	.size = sizeof(struct pptp_ng_net),
};

static struct nf_conntrack_expect_policy pptp_ng_exp_policy = {
	/* Expectations last as long as their call; this only bounds a lost CALL_DOWN. */
	.timeout	= 24 * 60 * 60,
};

static struct nf_conntrack_helper pptp_ng_helpers[2];

static struct nf_ct_helper_expectfn pptp_ng_expectfn_reg = {
	.name = PPTP_NG_NAME,
	.expectfn = pptp_ng_expectfn,
};

/*
 * The helper's tuple port only served automatic assignment by port, which
 * the kernel no longer does (rulesets attach helpers to TCP 1723).  The
 * conntrack core refuses two helpers with the same l3/l4/port tuple, so
 * claiming 1723 here would keep the stock nf_conntrack_pptp from loading
 * next to us (or us next to it): register with port 0 instead.
 */
static void helper_setup(struct nf_conntrack_helper *h, u16 l3num)
{
	nf_ct_helper_init(h, l3num, IPPROTO_TCP, PPTP_NG_NAME, 0, 0, 0,
			  &pptp_ng_exp_policy, 0, pptp_ng_help,
			  NULL, THIS_MODULE);
	h->destroy = pptp_ng_destroy;
	h->data_len = sizeof(struct pptp_ng_help);
}

static int __init pptp_ng_init(void)
{
	int err;

	if (!pptp_ng_max_calls || pptp_ng_max_calls > PPTP_NG_MAX_CALLS) {
		pr_err("pptp-ng: max_calls must be 1..%d\n", PPTP_NG_MAX_CALLS);
		return -EINVAL;
	}
	pptp_ng_exp_policy.max_expected = 2 * pptp_ng_max_calls;
	/* Carriers last as long as their calls' GRE conntracks may (failover.c). */
	if (pptp_ng_failover)
		pptp_ng_exp_policy.timeout = PPTP_NG_GRE_HOLD_S;
	pptp_ng_pair_locks_init();

	err = register_pernet_subsys(&pptp_ng_net_ops);
	if (err)
		return err;
	helper_setup(&pptp_ng_helpers[0], NFPROTO_IPV4);
	helper_setup(&pptp_ng_helpers[1], NFPROTO_IPV6);
	err = pptp_ng_helpers_register(pptp_ng_helpers, ARRAY_SIZE(pptp_ng_helpers));
	if (err) {
		unregister_pernet_subsys(&pptp_ng_net_ops);
		return err;
	}
	nf_ct_helper_expectfn_register(&pptp_ng_expectfn_reg);
	return 0;
}

bool pptp_ng_is_ours(const struct nf_conntrack_helper *helper)
{
	return helper == &pptp_ng_helpers[0] || helper == &pptp_ng_helpers[1];
}

/* A call's GRE conntrack: it carries one of our helpers and has a master. */
static int our_gre(struct nf_conn *ct, void *data)
{
	const struct nf_conn_help *help = nfct_help(ct);

	if (!ct->master || !help)
		return 0;
	return pptp_ng_is_ours(rcu_dereference_raw(help->helper));
}

static void __exit pptp_ng_exit(void)
{
	/*
	 * Our GRE conntracks live as long as their calls (fixed timeouts of
	 * days): with the module gone nothing would end them.
	 */
	nf_ct_iterate_destroy(our_gre, NULL);
	nf_ct_helper_expectfn_unregister(&pptp_ng_expectfn_reg);
	/* No help(), destroy() or expectfn runs after this. */
	pptp_ng_helpers_unregister(pptp_ng_helpers, ARRAY_SIZE(pptp_ng_helpers));
	pptp_ng_unloading = true;
	unregister_pernet_subsys(&pptp_ng_net_ops);
	rcu_barrier();
}

module_init(pptp_ng_init);
module_exit(pptp_ng_exit);

MODULE_LICENSE("GPL");
MODULE_VERSION(PPTP_NG_VERSION);
MODULE_DESCRIPTION("PPTP connection tracking and NAT helper (pptp-ng), IPv4 and IPv6");
MODULE_ALIAS("nf_conntrack_helper-pptp-ng");
MODULE_ALIAS_NFCT_HELPER(PPTP_NG_NAME);
