// SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
/*
 * --fail-closed for the cthelper backend.
 *
 * The kernel queues a helper's packets with the bypass flag
 * (nfnl_userspace_cthelper returns NF_QUEUE_NR(n) |
 * NF_VERDICT_FLAG_QUEUE_BYPASS): with no one bound to the queue they pass
 * unexamined, and no flag of ours changes that.  So fail-closed needs
 * rules of its own: the daemon's table "inet pptp_ngd_guard" drops TCP port
 * 1723 unless the set "alive" holds the element tcp, which the daemon
 * adds with a 2 s timeout and refreshes every 500 ms.  Killed or stopped,
 * the element expires and control connections stop (TCP resends once we
 * are back); GRE is not touched.
 *
 * By port, not by helper: nft's `ct helper` matches the helper of a
 * connection's master (it is meant for expected connections), so it
 * cannot pick out the control connections themselves.  The rules sit in
 * postrouting and input, before the confirm hook where the helper queues
 * (priority INT_MAX).  --fail-open (the default) removes the table.
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

#include "cth.h"
#include "privs.h"

#define GUARD_TABLE	"pptp_ngd_guard"
#define GUARD_SET	"alive"
#define GUARD_TIMEOUT	2000	/* ms the element lives unrefreshed */
#define GUARD_REFRESH	500	/* ms between refreshes */

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
static bool present;		/* our element is in the set, as far as we know */
static bool failing;		/* the last refresh failed (logged once) */
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

static void put_elem(struct mnl_nlmsg_batch *b, uint16_t type, uint16_t flags)
{
	struct nftnl_set *s = nftnl_set_alloc();
	struct nftnl_set_elem *e = nftnl_set_elem_alloc();
	uint8_t proto = IPPROTO_TCP;
	struct nlmsghdr *nlh;

	if (!s || !e) {
		nftnl_set_free(s);
		nftnl_set_elem_free(e);
		return;
	}
	nftnl_set_set_str(s, NFTNL_SET_TABLE, GUARD_TABLE);
	nftnl_set_set_str(s, NFTNL_SET_NAME, GUARD_SET);
	nftnl_set_elem_set(e, NFTNL_SET_ELEM_KEY, &proto, sizeof(proto));
	if (type == NFT_MSG_NEWSETELEM)
		nftnl_set_elem_set_u64(e, NFTNL_SET_ELEM_TIMEOUT, GUARD_TIMEOUT);
	nftnl_set_elem_add(s, e);
	nlh = nftnl_nlmsg_build_hdr(mnl_nlmsg_batch_current(b), type, NFPROTO_INET,
				    flags | NLM_F_ACK, gseq++);
	nftnl_set_elems_nlmsg_build_payload(nlh, s);
	nftnl_set_free(s);
	mnl_nlmsg_batch_next(b);
}

/*
 * Add the element with a fresh timeout: delete and add in one transaction
 * when it is there (adding an existing element does not reset its timeout
 * on this kernel), add alone when not (deleting a missing one would fail
 * the whole transaction).
 */
static int refresh(void)
{
	char buf[4096] = { 0 }, ack[NGD_NL_BUF];
	struct mnl_nlmsg_batch *b = mnl_nlmsg_batch_start(buf, sizeof(buf));
	int fd = mnl_socket_get_fd(gnl), err = 0, ret;

	nftnl_batch_begin(mnl_nlmsg_batch_current(b), gseq++);
	mnl_nlmsg_batch_next(b);
	if (present)
		put_elem(b, NFT_MSG_DELSETELEM, 0);
	put_elem(b, NFT_MSG_NEWSETELEM, NLM_F_CREATE);
	nftnl_batch_end(mnl_nlmsg_batch_current(b), gseq++);
	mnl_nlmsg_batch_next(b);
	ret = (int)mnl_socket_sendto(gnl, mnl_nlmsg_batch_head(b), mnl_nlmsg_batch_size(b));
	mnl_nlmsg_batch_stop(b);
	if (ret < 0)
		return -errno;
	/* the kernel handles the batch in sendmsg: every ack is queued by now */
	while ((ret = (int)recv(fd, ack, sizeof(ack), MSG_DONTWAIT)) > 0) {
		if (mnl_cb_run(ack, (size_t)ret, 0, mnl_socket_get_portid(gnl), NULL, NULL) < 0 &&
		    !err)
			err = -errno;
	}
	return err;
}

static void guard_refresh(void)
{
	int ret = refresh();

	if (ret == -ENOENT && present) {
		present = false;	/* expired meanwhile: add it alone */
		ret = refresh();
	}
	present = ret == 0;
	if (ret < 0)
		stats.nft_errors++;
	if (ret < 0 && !failing)
		ngd_err("--fail-closed: cannot refresh element %s in table inet %s (%s): control connections are dropped",
			GUARD_SET, GUARD_TABLE, strerror(-ret));
	else if (!ret && failing)
		ngd_info("--fail-closed: guard element refreshed again");
	failing = ret < 0;
	last_ms = now_ms();
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

int guard_setup(void)
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
	gnl = mnl_socket_open(NETLINK_NETFILTER);
	if (!gnl || mnl_socket_bind(gnl, 0, MNL_SOCKET_AUTOPID) < 0) {
		ngd_err("--fail-closed: netlink: %s", strerror(errno));
		return -1;
	}
	gseq = (uint32_t)time(NULL);
	present = false;
	guard_refresh();
	if (failing)
		return -1;
	ngd_info("--fail-closed: table inet %s drops TCP 1723 %u ms after we stop",
		 GUARD_TABLE, GUARD_TIMEOUT);
	return 0;
}

void guard_tick(void)
{
	if (gnl && now_ms() - last_ms >= GUARD_REFRESH)
		guard_refresh();
}

/* Stopping leaves the table: the element expires, and that is fail-closed. */
void guard_close(void)
{
	if (gnl)
		mnl_socket_close(gnl);
	gnl = NULL;
}
