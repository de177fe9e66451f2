// SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
/*
 * ha-libexp: create one IPv4 GRE expectation through libnetfilter_conntrack
 * (Debian 12: 1.0.9) with every attribute pptp-ngd's cthelper backend
 * gives its own (PERMANENT, class 0, CTA_EXPECT_NAT, expectfn
 * nat-follow-master) and a helper name, as conntrackd has them, by one of
 * the library's two builders:
 *
 *   ha-libexp old ...   nfexp_query(NFCT_Q_CREATE), the API conntrackd's
 *                       external injector uses (src/netlink.c,
 *                       nl_create_expect)
 *   ha-libexp mnl ...   nfexp_nlmsg_build() sent with libmnl
 *
 * with the arguments of `ha-ctdump expect-new` after the builder's name:
 * MSRC MDST MSPORT MDPORT SRC DST KEY NATDIR NATADDR NATKEY TIMEOUT, then
 * HELPER (the helper name).
 * It prints the top-level attributes of the message the library built
 * (`old builds: MASTER TUPLE ...`; for `old`, nfexp_build() into a buffer,
 * the builder nfexp_query() uses); `ha-ctdump expect` then shows what the
 * kernel made of it (tests/ha/probe.sh).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <libmnl/libmnl.h>
#include <libnetfilter_conntrack/libnetfilter_conntrack.h>
#include <libnfnetlink/libnfnetlink.h>
#include <linux/netfilter/nfnetlink.h>
#include <linux/netfilter/nfnetlink_conntrack.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static uint32_t ip(const char *s)
{
	struct in_addr a;

	if (inet_pton(AF_INET, s, &a) != 1) {
		fprintf(stderr, "ha-libexp: not an IPv4 address: %s\n", s);
		exit(2);
	}
	return a.s_addr;
}

static struct nf_conntrack *tuple(const char *src, const char *dst, uint8_t proto,
				  uint16_t sport, uint16_t dport)
{
	struct nf_conntrack *ct = nfct_new();

	nfct_set_attr_u8(ct, ATTR_L3PROTO, AF_INET);
	nfct_set_attr_u32(ct, ATTR_IPV4_SRC, ip(src));
	nfct_set_attr_u32(ct, ATTR_IPV4_DST, dst ? ip(dst) : 0);
	nfct_set_attr_u8(ct, ATTR_L4PROTO, proto);
	nfct_set_attr_u16(ct, ATTR_PORT_SRC, htons(sport));
	nfct_set_attr_u16(ct, ATTR_PORT_DST, htons(dport));
	return ct;
}

static const char *const names[] = {
	[CTA_EXPECT_MASTER] = "MASTER", [CTA_EXPECT_TUPLE] = "TUPLE", [CTA_EXPECT_MASK] = "MASK",
	[CTA_EXPECT_TIMEOUT] = "TIMEOUT", [CTA_EXPECT_ID] = "ID", [CTA_EXPECT_HELP_NAME] = "HELP_NAME",
	[CTA_EXPECT_ZONE] = "ZONE", [CTA_EXPECT_FLAGS] = "FLAGS", [CTA_EXPECT_CLASS] = "CLASS",
	[CTA_EXPECT_NAT] = "NAT", [CTA_EXPECT_FN] = "FN",
};

static void print_attrs(const char *mode, const struct nlmsghdr *nlh)
{
	const struct nlattr *a;

	printf("%s builds:", mode);
	mnl_attr_for_each(a, nlh, sizeof(struct nfgenmsg)) {
		unsigned int t = mnl_attr_get_type(a);
		if (t < sizeof(names) / sizeof(names[0]) && names[t])
			printf(" %s", names[t]);
		else
			printf(" attr%u", t);
	}
	printf("\n");
}

int main(int argc, char **argv)
{
	struct nf_conntrack *master, *expected, *mask, *nat;
	struct nf_expect *exp;
	char **v = argv + 2;
	int ret;

	if (argc != 14 || (strcmp(argv[1], "old") && strcmp(argv[1], "mnl"))) {
		fprintf(stderr, "usage: ha-libexp old|mnl MSRC MDST MSPORT MDPORT SRC DST KEY "
			"NATDIR NATADDR NATKEY TIMEOUT HELPER\n");
		return 2;
	}
	master = tuple(v[0], v[1], IPPROTO_TCP, strtoul(v[2], NULL, 0), strtoul(v[3], NULL, 0));
	expected = tuple(v[4], v[5], IPPROTO_GRE, 0, strtoul(v[6], NULL, 0));
	mask = tuple("255.255.255.255", "255.255.255.255", IPPROTO_GRE, 0, 0xffff);
	nat = tuple(v[8], NULL, IPPROTO_GRE, strtoul(v[9], NULL, 0), 0);

	exp = nfexp_new();
	nfexp_set_attr(exp, ATTR_EXP_MASTER, master);
	nfexp_set_attr(exp, ATTR_EXP_EXPECTED, expected);
	nfexp_set_attr(exp, ATTR_EXP_MASK, mask);
	nfexp_set_attr_u32(exp, ATTR_EXP_TIMEOUT, strtoul(v[10], NULL, 0));
	nfexp_set_attr_u32(exp, ATTR_EXP_FLAGS, NF_CT_EXPECT_PERMANENT);
	nfexp_set_attr_u32(exp, ATTR_EXP_CLASS, 0);
	nfexp_set_attr(exp, ATTR_EXP_NAT_TUPLE, nat);
	nfexp_set_attr_u32(exp, ATTR_EXP_NAT_DIR, strtoul(v[7], NULL, 0));
	nfexp_set_attr(exp, ATTR_EXP_FN, "nat-follow-master");
	/* conntrackd sets the helper name it received too (NTA_EXP_HELPER_NAME) */
	nfexp_set_attr(exp, ATTR_EXP_HELPER_NAME, v[11]);

	if (!strcmp(argv[1], "old")) {
		struct nfct_handle *h = nfct_open(EXPECT, 0);

		struct nfnl_handle *nfnl = nfnl_open();
		struct nfnl_subsys_handle *ssh;
		static char req[8192];

		if (!h || !nfnl) {
			perror("ha-libexp: nfct_open");
			return 1;
		}
		/* what nfexp_query(NFCT_Q_CREATE) sends, built the same way
		 * (nfexp_build_query is what nfexp_query calls) into a buffer */
		ssh = nfnl_subsys_open(nfnl, NFNL_SUBSYS_CTNETLINK_EXP, IPCTNL_MSG_EXP_MAX, 0);
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wdeprecated-declarations"
		if (!ssh)
			perror("ha-libexp: nfnl_subsys_open");
		else if (nfexp_build_query(ssh, NFCT_Q_CREATE, exp, req, sizeof(req)) < 0)
			perror("ha-libexp: nfexp_build_query");
		else
			print_attrs("old", (struct nlmsghdr *)req);
		fflush(stdout);
#pragma GCC diagnostic pop
		if (ssh)
			nfnl_subsys_close(ssh);
		nfnl_close(nfnl);
		ret = nfexp_query(h, NFCT_Q_CREATE, exp);
		if (ret < 0)
			perror("ha-libexp: nfexp_query(NFCT_Q_CREATE)");
		nfct_close(h);
	} else {
		static char buf[8192];
		struct mnl_socket *nl = mnl_socket_open(NETLINK_NETFILTER);
		struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
		struct nfgenmsg *nfg;
		unsigned int seq = time(NULL);

		if (!nl || mnl_socket_bind(nl, 0, MNL_SOCKET_AUTOPID) < 0) {
			perror("ha-libexp: netlink");
			return 1;
		}
		nlh->nlmsg_type = (NFNL_SUBSYS_CTNETLINK_EXP << 8) | IPCTNL_MSG_EXP_NEW;
		nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_CREATE | NLM_F_ACK;
		nlh->nlmsg_seq = seq;
		nfg = mnl_nlmsg_put_extra_header(nlh, sizeof(*nfg));
		nfg->nfgen_family = AF_INET;
		nfg->version = NFNETLINK_V0;
		nfg->res_id = 0;
		ret = nfexp_nlmsg_build(nlh, exp);
		if (ret >= 0)
			print_attrs("mnl", nlh);
		fflush(stdout);
		if (ret >= 0 && mnl_socket_sendto(nl, nlh, nlh->nlmsg_len) < 0)
			ret = -1;
		if (ret >= 0) {
			ret = mnl_socket_recvfrom(nl, buf, sizeof(buf));
			if (ret > 0)
				ret = mnl_cb_run(buf, ret, seq, mnl_socket_get_portid(nl), NULL, NULL);
		}
		if (ret < 0)
			perror("ha-libexp: nfexp_nlmsg_build");
		mnl_socket_close(nl);
	}
	nfexp_destroy(exp);
	return ret < 0;
}
