// SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
/*
 * pptp-ng doctor: the ruleset checks, on `nft -j list ruleset` as
 * libnftables-json(5) describes it.  Which PPTP helper or daemon is
 * configured, where helpers are attached (following jump and goto), flow
 * offload, and source NAT that leaves GRE out.
 */
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "live.h"
#include "doctor.h"

/* The object of kind KIND ("table", "chain", "rule", ...) in item IT. */
static struct jv *item(const struct jv *it, const char *kind)
{
	struct jv *v = jv_get(it, kind);

	return v && v->type == JV_OBJ ? v : NULL;
}

#define for_each(d, it) for (struct jv *it = (d)->items->kids; it; it = it->next)

static int same_table(const struct jv *a, const struct jv *b)
{
	const char *fa = jv_str(a, "family"), *fb = jv_str(b, "family");
	const char *ta = jv_str(a, "table"), *tb = jv_str(b, "table");

	return fa && fb && ta && tb && !strcmp(fa, fb) && !strcmp(ta, tb);
}

static struct jv *rule_chain(struct doc *d, const struct jv *rule)
{
	const char *name = jv_str(rule, "chain");

	for_each(d, it) {
		struct jv *c = item(it, "chain");

		if (c && name && same_table(c, rule) && jv_str(c, "name") &&
		    !strcmp(jv_str(c, "name"), name))
			return c;
	}
	return NULL;
}

/* The statement STMT (one-member object in "expr") of a rule, or NULL. */
static struct jv *stmt(const struct jv *rule, const char *name)
{
	struct jv *e = jv_get(rule, "expr");

	for (e = e ? e->kids : NULL; e; e = e->next)
		if (jv_get(e, name))
			return jv_get(e, name);
	return NULL;
}

static int table_exists(struct doc *d, const char *family, const char *name)
{
	for_each(d, it) {
		struct jv *t = item(it, "table");

		if (t && !strcmp(jv_str(t, "family") ?: "", family) &&
		    !strcmp(jv_str(t, "name") ?: "", name))
			return 1;
	}
	return 0;
}

static int is_pptp_type(const char *type)
{
	return type && (!strcmp(type, "pptp") || !strcmp(type, "pptp-ng"));
}

/* A chain of the helper's table with HOOK, for the fix to add a rule to. */
static const char *chain_with_hook(struct doc *d, const struct jv *obj, const char *hook)
{
	for_each(d, it) {
		struct jv *c = item(it, "chain");

		if (c && same_table(c, obj) && !strcmp(jv_str(c, "hook") ?: "", hook) &&
		    !strcmp(jv_str(c, "type") ?: "", "filter"))
			return jv_str(c, "name");
	}
	return NULL;
}

/*
 * A base chain with HOOK from which chain C runs: C itself, or a base
 * chain that jumps or goes to it, through at most 8 chains.  HOOK NULL:
 * any hook.
 */
static struct jv *reach(struct doc *d, struct jv *c, const char *hook, int depth)
{
	const char *name = jv_str(c, "name");

	if (!c || !name || depth > 8)
		return NULL;
	if (jv_str(c, "hook"))
		return !hook || !strcmp(jv_str(c, "hook"), hook) ? c : NULL;
	for_each(d, it) {
		struct jv *r = item(it, "rule"), *s, *from;

		if (!r || !same_table(r, c))
			continue;
		s = stmt(r, "jump") ?: stmt(r, "goto");
		if (!s || strcmp(jv_str(s, "target") ?: "", name))
			continue;
		from = reach(d, rule_chain(d, r), hook, depth + 1);
		if (from)
			return from;
	}
	return NULL;
}

/* conntrack's own prerouting/output priority: a chain before it has no entry. */
#define PRIO_CONNTRACK -200

/*
 * Which hooks set helper object OBJ: the handle of a rule per hook, -1
 * none.  *early, *early_chain: a rule reached from a base chain that runs
 * before conntrack, where there is no entry to attach a helper to yet.
 */
static int helper_hooks(struct doc *d, const struct jv *obj, long *pre, long *out,
			const struct jv **early, const struct jv **early_chain)
{
	static const char *const hooks[] = { "prerouting", "output" };
	const char *name = jv_str(obj, "name") ?: "";
	int n = 0;
	size_t h;

	*pre = *out = -1;
	*early = *early_chain = NULL;
	for_each(d, it) {
		struct jv *r = item(it, "rule"), *s, *c;

		if (!r || !same_table(r, obj))
			continue;
		s = stmt(r, "ct helper");
		if (!s || s->type != JV_STR || strcmp(s->s, name))
			continue;
		n++;
		for (h = 0; h < 2; h++) {
			c = reach(d, rule_chain(d, r), hooks[h], 0);
			if (!c)
				continue;
			if (jv_num(c, "prio", 0) <= PRIO_CONNTRACK) {
				*early = r;
				*early_chain = c;
			} else {
				*(h ? out : pre) = jv_num(r, "handle", 0);
			}
		}
	}
	return n;
}

/* The helper is set, but before conntrack made the entry: no effect. */
static void report_early(struct doc *d, const struct jv *r, const struct jv *c,
			 const char *name)
{
	struct finding *f = doc_add(d, "helper-before-conntrack");
	const char *fam = jv_str(r, "family") ?: "?", *tab = jv_str(r, "table") ?: "?";
	const char *hook = jv_str(c, "hook") ?: "?";

	snprintf(f->what, sizeof(f->what),
		 "ct helper \"%s\" is set from a chain that runs before conntrack (priority %ld, conntrack is at -200): there is no conntrack entry yet, so the rule attaches nothing",
		 name, jv_num(c, "prio", 0));
	snprintf(f->evidence, sizeof(f->evidence),
		 "rule handle %ld in %s %s chain %s, run from chain %s (hook %s, priority %ld): ct helper set \"%s\"",
		 jv_num(r, "handle", 0), fam, tab, jv_str(r, "chain"), jv_str(c, "name"), hook,
		 jv_num(c, "prio", 0), name);
	snprintf(f->fix, sizeof(f->fix),
		 "nft delete rule %s %s %s handle %ld && nft add chain %s %s %s_helper '{ type filter hook %s priority mangle; policy accept; }' && nft add rule %s %s %s_helper tcp dport 1723 ct helper set '\"%s\"'",
		 fam, tab, jv_str(r, "chain"), jv_num(r, "handle", 0), fam, tab, hook, hook, fam,
		 tab, hook, name);
}

static void fix_attach(struct doc *d, struct finding *f, const struct jv *obj,
		       const char *hook, const char *prio)
{
	const char *fam = jv_str(obj, "family") ?: "?", *tab = jv_str(obj, "table") ?: "?";
	const char *name = jv_str(obj, "name") ?: "?", *chain = chain_with_hook(d, obj, hook);
	char add_chain[DOC_TXT / 2] = "";

	if (!chain) {
		chain = !strcmp(hook, "output") ? "pptp_helper_out" : "pptp_helper_pre";
		snprintf(add_chain, sizeof(add_chain),
			 "nft add chain %s %s %s '{ type filter hook %s priority %s; policy accept; }' && ",
			 fam, tab, chain, hook, prio);
	}
	snprintf(f->fix, sizeof(f->fix),
		 "%snft add rule %s %s %s tcp dport 1723 ct helper set '\"%s\"'",
		 add_chain, fam, tab, chain, name);
}

/* pptp-ngd's nfqueue tables: one per family, "ip" and "ip6" (docs/userspace.md). */
static const char *const ngd_families[] = { "ip", "ip6" };

static int ngd_tables(struct doc *d)
{
	return table_exists(d, "ip", "pptp_ngd") + table_exists(d, "ip6", "pptp_ngd");
}

static int ng_present(struct doc *d)
{
	if (!access("/proc/net/nf_pptp_ng", F_OK) || ngd_tables(d))
		return 1;
	for_each(d, it)
		if (!strcmp(jv_str(item(it, "ct helper"), "type") ?: "", "pptp-ng"))
			return 1;
	return 0;
}

/* Whether this host forwards IPv6 (net.ipv6.conf.all.forwarding), 0 when unknown. */
static int forwards_ipv6(void)
{
	FILE *f = fopen("/proc/sys/net/ipv6/conf/all/forwarding", "r");
	int v = 0;

	if (f && fscanf(f, "%d", &v) != 1)
		v = 0;
	if (f)
		fclose(f);
	return v == 1;
}

/*
 * pptp-ng's helper objects all in ip tables, on a host that forwards
 * IPv6: IPv6 control connections get no helper (an object takes its
 * table's family; inet takes both).  OBJ is the first of them.
 */
static void check_helper_ipv6(struct doc *d, const struct jv *obj)
{
	const char *tab = jv_str(obj, "table") ?: "?", *name = jv_str(obj, "name") ?: "?";
	struct finding *f;

	if (!obj || !forwards_ipv6())
		return;
	f = doc_add(d, "helper-ipv4-only");
	snprintf(f->what, sizeof(f->what),
		 "pptp-ng's ct helper \"%s\" is declared in IPv4 tables only while this host forwards IPv6: IPv6 control connections get no helper, so their calls get no GRE expectation (pptp-ng and pptp-ngd follow IPv6; an inet table's object takes both families)",
		 name);
	snprintf(f->evidence, sizeof(f->evidence),
		 "ct helper ip %s \"%s\", type \"pptp-ng\"; no pptp-ng helper object in an inet or ip6 table; /proc/sys/net/ipv6/conf/all/forwarding = 1",
		 tab, name);
	snprintf(f->fix, sizeof(f->fix),
		 "nft add table ip6 %s && nft add ct helper ip6 %s %s '{ type \"pptp-ng\" protocol tcp; }' && nft add chain ip6 %s pptp_helper_pre '{ type filter hook prerouting priority mangle; policy accept; }' && nft add rule ip6 %s pptp_helper_pre tcp dport 1723 ct state new ct helper set '\"%s\"' && nft add chain ip6 %s pptp_helper_out '{ type filter hook output priority mangle; policy accept; }' && nft add rule ip6 %s pptp_helper_out tcp dport 1723 ct state new ct helper set '\"%s\"'",
		 tab, tab, name, tab, tab, name, tab, tab, name);
}

static void check_helpers(struct doc *d, int *stock_attached)
{
	int ng = ng_present(d), ng_v6 = 0;
	const struct jv *ng_v4_only = NULL;

	*stock_attached = 0;
	for_each(d, it) {
		struct jv *o = item(it, "ct helper");
		const char *type, *fam, *tab, *name, *l3;
		const struct jv *early, *early_chain;
		long pre, out;
		struct finding *f;

		if (!o || !is_pptp_type(type = jv_str(o, "type")))
			continue;
		fam = jv_str(o, "family") ?: "?";
		tab = jv_str(o, "table") ?: "?";
		name = jv_str(o, "name") ?: "?";
		l3 = jv_str(o, "l3proto");
		/* type "pptp-ng": the module's, or pptp-ngd --backend cthelper's */
		if (!strcmp(type, "pptp-ng") && !strcmp(fam, "ip"))
			ng_v4_only = ng_v4_only ?: o;
		else if (!strcmp(type, "pptp-ng"))
			ng_v6 = 1;
		doc_backend(d, !strcmp(type, "pptp") ?
			    "stock helper: ct helper %s %s \"%s\", type \"pptp\"" :
			    access("/proc/net/nf_pptp_ng", F_OK) ?
			    "pptp-ngd's userspace helper: ct helper %s %s \"%s\", type \"pptp-ng\"" :
			    "kernel module: ct helper %s %s \"%s\", type \"pptp-ng\"",
			    fam, tab, name);
		if (helper_hooks(d, o, &pre, &out, &early, &early_chain) && !strcmp(type, "pptp"))
			*stock_attached = 1;
		/* With pptp-ng in charge the stock helper should be unused. */
		if (ng && !strcmp(type, "pptp"))
			continue;
		if (early)
			report_early(d, early, early_chain, name);
		if (pre < 0 && !(early && !strcmp(jv_str(early_chain, "hook"), "prerouting"))) {
			f = doc_add(d, "helper-not-in-prerouting");
			snprintf(f->what, sizeof(f->what),
				 "ct helper \"%s\" is not set in any prerouting chain: PPTP control connections crossing this host get no helper, so GRE has no expectation and NAT does not follow the call IDs",
				 name);
			snprintf(f->evidence, sizeof(f->evidence),
				 "no rule in a prerouting chain of table %s %s sets ct helper \"%s\"",
				 fam, tab, name);
			fix_attach(d, f, o, "prerouting", "mangle");
		}
		if (out < 0 && !(early && !strcmp(jv_str(early_chain, "hook"), "output"))) {
			f = doc_add(d, "helper-not-in-output");
			snprintf(f->what, sizeof(f->what),
				 "ct helper \"%s\" is not set in any output chain: PPTP connections this host opens itself (router-originated) get no helper",
				 name);
			snprintf(f->evidence, sizeof(f->evidence),
				 "no rule in an output chain of table %s %s sets ct helper \"%s\"",
				 fam, tab, name);
			fix_attach(d, f, o, "output", "mangle");
		}
		/* The stock helper registers for IPv4 only. */
		if (!strcmp(type, "pptp") && strcmp(fam, "ip") && (!l3 || strcmp(l3, "ip"))) {
			f = doc_add(d, "helper-family");
			snprintf(f->what, sizeof(f->what),
				 "ct helper \"%s\" in the %s table %s is not restricted to IPv4: the stock pptp helper supports IPv4 only, so the object fails to load or never matches",
				 name, fam, tab);
			snprintf(f->evidence, sizeof(f->evidence), "ct helper %s %s \"%s\": l3proto %s",
				 fam, tab, name, l3 ?: "(none)");
			snprintf(f->fix, sizeof(f->fix),
				 "nft add ct helper %s %s %s_ip '{ type \"pptp\" protocol tcp; l3proto ip; }' and set \"%s_ip\" in its rules instead of \"%s\"",
				 fam, tab, name, name, name);
		}
	}
	if (!ng_v6)
		check_helper_ipv6(d, ng_v4_only);
}

/*
 * How pptp-ngd's control chain in its table of FAMILY queues: with
 * nf_tables' queue statement, or, on kernels without nft_queue, the
 * xtables NFQUEUE target through nft_compat (nft -j shows it as an "xt"
 * target); "no queue rule" when the daemon has added neither.
 */
static const char *ngd_queue_rule(struct doc *d, const char *family)
{
	for_each(d, it) {
		struct jv *r = item(it, "rule"), *xt;

		if (!r || strcmp(jv_str(r, "family") ?: "", family) ||
		    strcmp(jv_str(r, "table") ?: "", "pptp_ngd") ||
		    strcmp(jv_str(r, "chain") ?: "", "control"))
			continue;
		if (stmt(r, "queue"))
			return "queue rules: nft queue";
		xt = stmt(r, "xt");
		if (xt && !strcmp(jv_str(xt, "name") ?: "", "NFQUEUE"))
			return "queue rules: xt NFQUEUE (nft_compat)";
	}
	return "no queue rule";
}

/* "table ip pptp_ngd (queue rules: ...), table ip6 pptp_ngd (...)": the tables there are. */
static void ngd_tables_text(struct doc *d, char *buf, size_t len)
{
	size_t i, n = 0;

	buf[0] = 0;
	for (i = 0; i < 2; i++) {
		if (!table_exists(d, ngd_families[i], "pptp_ngd"))
			continue;
		snprintf(buf + strlen(buf), len - strlen(buf), "%stable %s pptp_ngd (%s)",
			 n++ ? ", " : "", ngd_families[i], ngd_queue_rule(d, ngd_families[i]));
	}
}

/*
 * The daemon answers, but one of its two tables is missing: that
 * family's control connections are not queued to it and its calls get
 * no pinholes.  A pptp-ngd from before IPv6 has only the ip table; its
 * successor loads the other at start, keeping the first one's calls.
 */
static void check_ngd_family(struct doc *d, const char *sock)
{
	const char *have, *miss;
	struct finding *f;

	if (ngd_tables(d) != 1)
		return;
	have = table_exists(d, "ip", "pptp_ngd") ? "ip" : "ip6";
	miss = strcmp(have, "ip") ? "ip" : "ip6";
	f = doc_add(d, "daemon-table-missing");
	snprintf(f->what, sizeof(f->what),
		 "pptp-ngd runs with table %s pptp_ngd but without table %s pptp_ngd: %s control connections are not queued to it and their calls get no GRE pinholes (a pptp-ngd from before IPv6, or the table was deleted under it)",
		 have, miss, strcmp(miss, "ip") ? "IPv6" : "IPv4");
	snprintf(f->evidence, sizeof(f->evidence),
		 "table %s pptp_ngd present, no table %s pptp_ngd; control socket %s answers", have,
		 miss, sock);
	snprintf(f->fix, sizeof(f->fix),
		 "systemctl restart pptp-ngd (its start loads the missing table; the calls in table %s pptp_ngd are taken over)",
		 have);
}

static void check_backends(struct doc *d, int stock_attached, const char *sock)
{
	int module = !access("/proc/net/nf_pptp_ng", F_OK);
	int daemon = ngd_tables(d) > 0;
	char *status = daemon ? insp_daemon_status(sock, NULL) : NULL;
	char tables[160];
	struct finding *f;

	if (module)
		doc_backend(d, "kernel module pptp-ng loaded (%s)%s%s", "/proc/net/nf_pptp_ng", "", "");
	ngd_tables_text(d, tables, sizeof(tables));
	if (daemon)
		doc_backend(d, "daemon pptp-ngd: %s, control socket %s %s", tables, sock,
			    status ? "answers" : "does not answer");
	if (status)
		check_ngd_family(d, sock);
	if (daemon && !status) {
		f = doc_add(d, "daemon-not-running");
		snprintf(f->what, sizeof(f->what),
			 "pptp-ngd's table queues PPTP control connections, but the daemon does not answer: nobody reads the queue, so control connections pass untracked (fail-open) or are dropped (fail-closed), and no call gets its GRE pinholes");
		snprintf(f->evidence, sizeof(f->evidence), "%s present; control socket %s: no answer",
			 tables, sock);
		/* pptp-ngd will not start without its user: the fix makes it first. */
		snprintf(f->fix, sizeof(f->fix), "%spptp-ngd --backend nfqueue%s%s",
			 getpwnam(NGD_USER) ? "" :
			 "useradd --system --user-group --no-create-home --home-dir /nonexistent --shell /usr/sbin/nologin " NGD_USER " && ",
			 strcmp(sock, INSP_DAEMON_SOCK) ? " --socket " : "",
			 strcmp(sock, INSP_DAEMON_SOCK) ? sock : "");
	}
	free(status);
	if (!d->nb) {
		f = doc_add(d, "no-helper");
		snprintf(f->what, sizeof(f->what),
			 "no PPTP helper is configured: neither a ct helper object of type \"pptp\" or \"pptp-ng\", nor the pptp-ngd table, nor the pptp-ng module; PPTP through NAT will carry no GRE back");
		snprintf(f->evidence, sizeof(f->evidence),
			 "nft -j list ruleset: no \"ct helper\" object of a PPTP type, no table ip or ip6 pptp_ngd; /proc/net/nf_pptp_ng absent");
		snprintf(f->fix, sizeof(f->fix),
			 "nft add table ip pptp && nft add ct helper ip pptp pptp '{ type \"pptp\" protocol tcp; l3proto ip; }' && nft add chain ip pptp pre '{ type filter hook prerouting priority mangle; policy accept; }' && nft add chain ip pptp out '{ type filter hook output priority mangle; policy accept; }' && nft add rule ip pptp pre tcp dport 1723 ct helper set '\"pptp\"' && nft add rule ip pptp out tcp dport 1723 ct helper set '\"pptp\"'");
	}
	if (!stock_attached || !(module || daemon))
		return;
	/* Both would act on the same control connection. */
	for_each(d, it) {
		struct jv *r = item(it, "rule"), *s;

		if (!r || !(s = stmt(r, "ct helper")) || s->type != JV_STR)
			continue;
		for_each(d, it2) {
			struct jv *o = item(it2, "ct helper");

			if (!o || !same_table(o, r) || strcmp(jv_str(o, "name") ?: "", s->s) ||
			    strcmp(jv_str(o, "type") ?: "", "pptp"))
				continue;
			f = doc_add(d, "stock-and-pptp-ng");
			snprintf(f->what, sizeof(f->what),
				 "the stock pptp helper is attached while pptp-ng (%s) runs too: both would track and rewrite the same control connections",
				 module ? "kernel module" : "daemon pptp-ngd");
			snprintf(f->evidence, sizeof(f->evidence),
				 "rule handle %ld in %s %s chain %s: ct helper set \"%s\" (type \"pptp\")",
				 jv_num(r, "handle", 0), jv_str(r, "family"), jv_str(r, "table"),
				 jv_str(r, "chain"), s->s);
			snprintf(f->fix, sizeof(f->fix), "nft delete rule %s %s %s handle %ld",
				 jv_str(r, "family"), jv_str(r, "table"), jv_str(r, "chain"),
				 jv_num(r, "handle", 0));
		}
	}
}

/*
 * pptp-ngd --backend cthelper: the ruleset gives control connections the
 * helper only while the daemon's element is in a set (--alive-set).
 * Without that, after a kill -9 new control connections get a helper
 * nobody serves and never come up (docs/userspace.md, fail-open).
 */
static void check_alive_set(struct doc *d, const char *sock)
{
	struct finding *f;
	char *status;

	if (!access("/proc/net/nf_pptp_ng", F_OK) || !ng_present(d))
		return;
	status = insp_daemon_status(sock, NULL);
	if (status && strstr(status, "\"backend\":\"cthelper\"") &&
	    !strstr(status, "\"alive_set_held\":true")) {
		f = doc_add(d, "cthelper-helper-not-gated");
		snprintf(f->what, sizeof(f->what),
			 "pptp-ngd --backend cthelper keeps no element in the set that gates its helper: if it is killed, new PPTP control connections get a helper nobody serves and do not come up until it is back (fail-open included)");
		snprintf(f->evidence, sizeof(f->evidence),
			 "pptp-ngd --status --socket %s: \"alive_set_held\":false (see its \"alive_set\")",
			 sock);
		snprintf(f->fix, sizeof(f->fix),
			 "nft -f /usr/share/pptp-ng/pptp-ngd-cthelper.nft (its set pptp_ngd_alive gates ct helper set), or give your rule that sets the helper 'meta l4proto @SET' with SET a set of type inet_proto, flags timeout, named as pptp-ngd --alive-set FAMILY/TABLE/SET says");
	}
	free(status);
}

static void check_flowtables(struct doc *d)
{
	for_each(d, it) {
		struct jv *r = item(it, "rule"), *s;
		struct finding *f;
		const char *fam, *tab, *ch;
		long h;

		if (!r || !(s = stmt(r, "flow")))
			continue;
		fam = jv_str(r, "family");
		tab = jv_str(r, "table");
		ch = jv_str(r, "chain");
		h = jv_num(r, "handle", 0);
		f = doc_add(d, "flow-offload");
		snprintf(f->what, sizeof(f->what),
			 "a rule offloads connections to flowtable %s: offloaded packets skip the netfilter hooks, so a PPTP control connection offloaded before its helper (or pptp-ngd's queue) saw it is never tracked again",
			 jv_str(s, "flowtable") ?: "?");
		snprintf(f->evidence, sizeof(f->evidence), "rule handle %ld in %s %s chain %s: flow add %s",
			 h, fam, tab, ch, jv_str(s, "flowtable") ?: "?");
		snprintf(f->fix, sizeof(f->fix),
			 "nft insert rule %s %s %s position %ld tcp dport 1723 accept && nft insert rule %s %s %s position %ld tcp sport 1723 accept",
			 fam, tab, ch, h, fam, tab, ch, h);
	}
}

/* Does match M limit the rule to protocols other than GRE? */
static int match_excludes_gre(const struct jv *m)
{
	const struct jv *left = jv_get(m, "left"), *right = jv_get(m, "right"), *p, *e;
	const char *op = jv_str(m, "op");
	int gre = 0;

	if (!left || (op && strcmp(op, "==") && strcmp(op, "in")))
		return 0;
	if ((p = jv_get(left, "payload"))) {
		const char *proto = jv_str(p, "protocol"), *field = jv_str(p, "field");

		if (proto && (!strcmp(proto, "tcp") || !strcmp(proto, "udp") ||
			      !strcmp(proto, "sctp") || !strcmp(proto, "th")))
			return 1;
		if (!field || (strcmp(field, "protocol") && strcmp(field, "nexthdr")))
			return 0;
	} else if ((p = jv_get(left, "meta"))) {
		if (strcmp(jv_str(p, "key") ?: "", "l4proto"))
			return 0;
	} else {
		return 0;
	}
	if (right && right->type == JV_STR)
		return strcmp(right->s, "gre") != 0;
	if (right && right->type == JV_NUM)
		return (long)right->n != 47;
	if (jv_get(right, "set"))	/* { tcp, udp } as an anonymous set */
		right = jv_get(right, "set");
	if (right && right->type == JV_ARR) {
		for (e = right->kids; e; e = e->next)
			if ((e->type == JV_STR && !strcmp(e->s, "gre")) ||
			    (e->type == JV_NUM && (long)e->n == 47))
				gre = 1;
		return !gre;
	}
	return 0;
}

static void check_nat(struct doc *d)
{
	struct jv *first = NULL;
	int covered = 0;

	for_each(d, it) {
		struct jv *r = item(it, "rule"), *c, *e;
		const char *hook;
		int excl = 0;

		if (!r || !(stmt(r, "masquerade") || stmt(r, "snat")) || !jv_get(r, "expr"))
			continue;
		c = reach(d, rule_chain(d, r), "postrouting", 0);
		hook = jv_str(c, "hook");
		if (!hook || strcmp(jv_str(c, "type") ?: "", "nat"))
			continue;
		for (e = jv_get(r, "expr")->kids; e; e = e->next)
			if (jv_get(e, "match") && match_excludes_gre(jv_get(e, "match")))
				excl = 1;
		if (!excl)
			covered = 1;
		else if (!first)
			first = r;
	}
	if (first && !covered) {
		const char *fam = jv_str(first, "family"), *tab = jv_str(first, "table");
		const char *ch = jv_str(first, "chain");
		long h = jv_num(first, "handle", 0);
		struct finding *f = doc_add(d, "nat-misses-gre");
		const char *to = jv_str(stmt(first, "snat"), "addr");
		char act[128];

		if (stmt(first, "masquerade"))
			snprintf(act, sizeof(act), "masquerade");
		else
			snprintf(act, sizeof(act), "snat%s to %s", strcmp(fam, "inet") ? "" : " ip",
				 to ?: "ADDRESS");

		snprintf(f->what, sizeof(f->what),
			 "source NAT is limited to protocols other than GRE: PPTP's GRE leaves this host untranslated unless the helper's expectation happens to set it up (give the GRE rule the same interface and address matches as handle %ld)",
			 h);
		snprintf(f->evidence, sizeof(f->evidence),
			 "rule handle %ld in %s %s chain %s translates only TCP/UDP (or named protocols without gre), and no source NAT rule covers GRE",
			 h, fam, tab, ch);
		snprintf(f->fix, sizeof(f->fix),
			 "nft add rule %s %s %s meta l4proto gre %s",
			 fam, tab, ch, act);
	}
}

void doc_check_ruleset(struct doc *d, const char *sock)
{
	int stock_attached;

	check_helpers(d, &stock_attached);
	check_backends(d, stock_attached, sock);
	check_alive_set(d, sock);
	check_flowtables(d);
	check_nat(d);
}
