// SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
/*
 * What the cthelper backend's packets meet while no pptp-ngd runs.
 *
 * The kernel queues a helper's packets with the bypass flag
 * (nfnl_userspace_cthelper returns NF_QUEUE_NR(n) |
 * NF_VERDICT_FLAG_QUEUE_BYPASS): with no one bound to the queue they pass
 * unexamined, and no flag of ours changes that.  But the helper queues
 * from the confirm hook, before confirmation, and for a userspace helper
 * only the queue's reinjection confirms: a bypassed packet leaves its new
 * conntrack unconfirmed, so an established control connection goes on
 * while a new one never comes up.  Two set elements kept alive (alive.c)
 * tell the rules whether a daemon runs:
 *
 * - fail-open (the default): the ruleset gives control connections the
 *   helper only while its set (--alive-set, nft/pptp-ngd-cthelper.nft's
 *   pptp_ngd_alive) holds our element.  Killed, the element expires
 *   within 2 s and new control connections come up as plain TCP, their
 *   calls without GRE (nothing opens it); those already up go on.
 * - --fail-closed: our table "inet pptp_ngd_guard" drops TCP port 1723 unless
 *   its set "alive" holds our element, refreshed every 500 ms.  Killed,
 *   control connections stop (TCP resends once we are back); GRE is not
 *   touched.  By port, not by helper: nft's `ct helper` matches the
 *   helper of a connection's master (it is meant for expected
 *   connections), so it cannot pick out the control connections
 *   themselves.  The rules sit in postrouting and input, before the
 *   confirm hook where the helper queues (priority INT_MAX).  --fail-open
 *   removes the table.
 */
#include <errno.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <linux/netfilter.h>
#include <linux/netfilter/nf_tables.h>
#include <libmnl/libmnl.h>
#include <libnftnl/common.h>
#include <libnftnl/set.h>
#include <libnftnl/table.h>

#include "alive.h"
#include "cth.h"
#include "privs.h"

#define GUARD_TABLE	"pptp_ngd_guard"
#define GUARD_SET	"alive"
#define GUARD_RULE(dir) \
	"tcp " dir " 1723 meta l4proto != @" GUARD_SET \
	" counter drop comment \"pptp-ngd --fail-closed: no daemon\"\n"
#define GUARD_RULES	"\t\t" GUARD_RULE("dport") "\t\t" GUARD_RULE("sport")

/*
 * "table; delete table" first: the load replaces whatever was there,
 * atomically, the "ip" table of a pptp-ngd from before IPv6 included
 * (the "inet" one guards both families).
 */
#define GUARD_DELETE(fam) "table " fam " " GUARD_TABLE "\ndelete table " fam " " GUARD_TABLE "\n"

static const char guard_rules[] =
	GUARD_DELETE("ip")
	GUARD_DELETE("inet")
	"table inet " GUARD_TABLE " {\n"
	"	set " GUARD_SET " {\n"
	"		type inet_proto\n"
	"		flags timeout\n"
	"	}\n"
	"	chain postrouting {\n"
	"		type filter hook postrouting priority filter; policy accept;\n"
	GUARD_RULES
	"	}\n"
	"	chain input {\n"
	"		type filter hook input priority filter; policy accept;\n"
	GUARD_RULES
	"	}\n"
	"}\n";

static const char guard_remove[] = GUARD_DELETE("ip") GUARD_DELETE("inet");

static struct mnl_socket *gnl;
static uint32_t gseq;
static struct ngd_alive guard, gate;
static uint64_t last_ms;

static uint64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

/* Feed @text to `nft -f -`. */
static int nft_text(const char *text)
{
	return ngd_nft("-", text);
}

static void guard_refresh(void)
{
	int ret = ngd_alive_refresh(gnl, &gseq, &guard);

	if (ret < 0)
		stats.nft_errors++;
	if (ret < 0 && !guard.failing)
		ngd_err("--fail-closed: cannot refresh element %s in table inet %s (%s): control connections are dropped",
			GUARD_SET, GUARD_TABLE, strerror(-ret));
	else if (!ret && guard.failing)
		ngd_info("--fail-closed: guard element refreshed again");
	guard.failing = ret < 0;
}

/*
 * The ruleset's set is loaded after we start (the helper must exist
 * first), and may be reloaded or left out: a missing one is looked for
 * again at each refresh, and said once.
 */
static void gate_refresh(void)
{
	int ret = ngd_alive_refresh(gnl, &gseq, &gate);

	if (ret < 0 && ret != -ENOENT)
		stats.nft_errors++;
	if (ret < 0 && !gate.failing)
		ngd_info("--alive-set %s: %s: control connections get the helper whether or not pptp-ngd runs (nft/pptp-ngd-cthelper.nft)",
			 gate.spec, ret == -ENOENT ? "no such set (yet)" : strerror(-ret));
	else if (!ret && gate.failing)
		ngd_info("--alive-set %s: refreshed: while no pptp-ngd runs, new control connections come up without the helper",
			 gate.spec);
	gate.failing = ret < 0;
}

static void refresh_all(void)
{
	uint64_t now = now_ms();

	/* The longest the elements went unrefreshed: past NGD_ALIVE_TIMEOUT they were gone. */
	if (last_ms && now - last_ms > stats.alive_gap_max_ms)
		stats.alive_gap_max_ms = now - last_ms;
	if (!cfg.fail_open)
		guard_refresh();
	if (gate.family)
		gate_refresh();
	last_ms = now_ms();
}

bool guard_gate_alive(void)
{
	return gate.family && gate.present;
}

/* Whether the guard table of @family exists (asked over netlink: no nft to fork in the usual case). */
static bool guard_exists(uint8_t family)
{
	char buf[NGD_NL_BUF];
	struct mnl_socket *nl = mnl_socket_open(NETLINK_NETFILTER);
	struct nftnl_table *t = nftnl_table_alloc();
	struct nlmsghdr *nlh;
	int ret = -1;

	if (nl && t && mnl_socket_bind(nl, 0, MNL_SOCKET_AUTOPID) == 0) {
		nlh = nftnl_nlmsg_build_hdr(buf, NFT_MSG_GETTABLE, family, NLM_F_ACK, 1);
		nftnl_table_set_str(t, NFTNL_TABLE_NAME, GUARD_TABLE);
		nftnl_table_nlmsg_build_payload(nlh, t);
		if (mnl_socket_sendto(nl, nlh, nlh->nlmsg_len) >= 0) {
			do {
				ret = (int)mnl_socket_recvfrom(nl, buf, sizeof(buf));
				if (ret > 0)
					ret = mnl_cb_run(buf, (size_t)ret, 1, mnl_socket_get_portid(nl),
							 NULL, NULL);
			} while (ret > 0);
			ret = ret < 0 ? -errno : 0;
		}
	}
	nftnl_table_free(t);
	if (nl)
		mnl_socket_close(nl);
	return ret != -ENOENT;	/* unsure: say yes, so fail-open removes it */
}

static int guard_load(void)
{
	if (cfg.fail_open) {
		if ((guard_exists(NFPROTO_INET) || guard_exists(NFPROTO_IPV4)) &&
		    nft_text(guard_remove) < 0)
			ngd_err("--fail-open: cannot remove table inet %s (nft -f failed): control connections are dropped while no pptp-ngd runs",
				GUARD_TABLE);
		return 0;
	}
	if (nft_text(guard_rules) < 0) {
		ngd_err("--fail-closed: cannot load table inet %s with nft -f (nftables installed?)",
			GUARD_TABLE);
		return -1;
	}
	ngd_alive_parse(&guard, "inet/" GUARD_TABLE "/" GUARD_SET);
	return 0;
}

int guard_setup(void)
{
	if (guard_load() < 0)
		return -1;
	memset(&gate, 0, sizeof(gate));
	if (strcmp(cfg.alive_set, "none") && ngd_alive_parse(&gate, cfg.alive_set) < 0) {
		ngd_err("--alive-set %s: not FAMILY/TABLE/SET (family ip, ip6 or inet)", cfg.alive_set);
		return -1;
	}
	if (cfg.fail_open && !gate.family)
		return 0;
	gnl = mnl_socket_open(NETLINK_NETFILTER);
	if (!gnl || mnl_socket_bind(gnl, 0, MNL_SOCKET_AUTOPID) < 0) {
		ngd_err("alive elements: netlink: %s", strerror(errno));
		return -1;
	}
	gseq = (uint32_t)time(NULL);
	refresh_all();
	if (!cfg.fail_open && guard.failing)
		return -1;
	if (gate.present)
		ngd_info("--alive-set %s: control connections get the helper while pptp-ngd runs",
			 gate.spec);
	if (!cfg.fail_open)
		ngd_info("--fail-closed: table inet %s drops TCP 1723 %u ms after we stop",
			 GUARD_TABLE, NGD_ALIVE_TIMEOUT);
	return 0;
}

void guard_tick(void)
{
	if (gnl && now_ms() - last_ms >= NGD_ALIVE_REFRESH)
		refresh_all();
}

/* Stopping leaves the tables: the elements expire, which is what they are for. */
void guard_close(void)
{
	if (gnl)
		mnl_socket_close(gnl);
	gnl = NULL;
}
