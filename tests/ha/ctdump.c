// SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
/*
 * ha-ctdump: every attribute ctnetlink dumps for conntracks and
 * expectations, one entry a line, for tests/ha/probe.sh to compare two
 * firewalls' tables field by field.  `conntrack -L` leaves out what HA
 * cares about (an expectation's NAT tuple and direction, its expectfn,
 * class and raw flags; a conntrack's helper private data and labels as
 * bits), so this prints ctnetlink's own attributes, by name:
 *
 *   ha-ctdump ct      conntracks (IPv4 and IPv6)
 *   ha-ctdump expect  expectations
 *   ha-ctdump expect-new MSRC MDST MSPORT MDPORT SRC DST KEY NATDIR NATADDR NATKEY TIMEOUT
 *                     create an IPv4 GRE expectation shaped like pptp-ngd's
 *                     cthelper backend makes them (userspace/daemon/expect.c,
 *                     exp_new): master = the TCP connection MSRC:MSPORT >
 *                     MDST:MDPORT (original tuple), GRE SRC > DST with
 *                     destination key KEY (source key wildcarded),
 *                     PERMANENT, CTA_EXPECT_NAT (NATDIR 0 or 1, NATADDR and
 *                     NATKEY as the NAT tuple's source part) and the
 *                     nat-follow-master expectfn; no helper name (the
 *                     kernel takes the master's)
 *
 * Volatile fields (timeout, id, use, counters, timestamps) are printed
 * last on each line after a " |", so `cut -d'|' -f1` keeps what a replica
 * must carry.  libmnl only.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <linux/netfilter/nfnetlink.h>
#include <linux/netfilter/nfnetlink_conntrack.h>
#include <libmnl/libmnl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/socket.h>

static char vol[512];	/* the volatile part of the line being printed */

#define VOL(...) snprintf(vol + strlen(vol), sizeof(vol) - strlen(vol), __VA_ARGS__)

static int nest_table(const struct nlattr *nest, const struct nlattr **tb, int max)
{
	const struct nlattr *a;

	memset(tb, 0, sizeof(*tb) * (max + 1));
	mnl_attr_for_each_nested(a, nest) {
		int t = mnl_attr_get_type(a);
		if (t <= max)
			tb[t] = a;
	}
	return 0;
}

static void hex(const char *name, const struct nlattr *a)
{
	const unsigned char *p = mnl_attr_get_payload(a);
	unsigned int i, n = mnl_attr_get_payload_len(a);

	printf(" %s=", name);
	for (i = 0; i < n; i++)
		printf("%02x", p[i]);
	if (!n)
		printf("(empty)");
}

/* A tuple: src,dst,proto,sport/srckey,dport/dstkey (ports and GRE keys
 * both travel as CTA_PROTO_SRC_PORT/DST_PORT). */
static void tuple(const char *name, const struct nlattr *nest)
{
	const struct nlattr *tb[CTA_TUPLE_MAX + 1], *ip[CTA_IP_MAX + 1], *pr[CTA_PROTO_MAX + 1];
	char s[INET6_ADDRSTRLEN] = "-", d[INET6_ADDRSTRLEN] = "-";

	nest_table(nest, tb, CTA_TUPLE_MAX);
	if (tb[CTA_TUPLE_IP]) {
		nest_table(tb[CTA_TUPLE_IP], ip, CTA_IP_MAX);
		if (ip[CTA_IP_V4_SRC])
			inet_ntop(AF_INET, mnl_attr_get_payload(ip[CTA_IP_V4_SRC]), s, sizeof(s));
		if (ip[CTA_IP_V4_DST])
			inet_ntop(AF_INET, mnl_attr_get_payload(ip[CTA_IP_V4_DST]), d, sizeof(d));
		if (ip[CTA_IP_V6_SRC])
			inet_ntop(AF_INET6, mnl_attr_get_payload(ip[CTA_IP_V6_SRC]), s, sizeof(s));
		if (ip[CTA_IP_V6_DST])
			inet_ntop(AF_INET6, mnl_attr_get_payload(ip[CTA_IP_V6_DST]), d, sizeof(d));
	}
	printf(" %s=%s>%s", name, s, d);
	if (tb[CTA_TUPLE_PROTO]) {
		nest_table(tb[CTA_TUPLE_PROTO], pr, CTA_PROTO_MAX);
		if (pr[CTA_PROTO_NUM])
			printf(",p%u", mnl_attr_get_u8(pr[CTA_PROTO_NUM]));
		if (pr[CTA_PROTO_SRC_PORT])
			printf(",0x%x", ntohs(mnl_attr_get_u16(pr[CTA_PROTO_SRC_PORT])));
		else
			printf(",-");
		if (pr[CTA_PROTO_DST_PORT])
			printf(">0x%x", ntohs(mnl_attr_get_u16(pr[CTA_PROTO_DST_PORT])));
		else
			printf(">-");
	}
	if (tb[CTA_TUPLE_ZONE])
		printf(",zone%u", ntohs(mnl_attr_get_u16(tb[CTA_TUPLE_ZONE])));
}

static const char *const status_names[] = {
	"EXPECTED", "SEEN_REPLY", "ASSURED", "CONFIRMED", "SRC_NAT", "DST_NAT",
	"SEQ_ADJUST", "SRC_NAT_DONE", "DST_NAT_DONE", "DYING", "FIXED_TIMEOUT",
	"TEMPLATE", "UNTRACKED", "HELPER", "OFFLOAD", "HW_OFFLOAD",
};

static void status(uint32_t st)
{
	unsigned int i;
	const char *sep = "";

	printf(" status=");
	for (i = 0; i < 32; i++) {
		if (!(st & (1u << i)))
			continue;
		if (i < sizeof(status_names) / sizeof(status_names[0]))
			printf("%s%s", sep, status_names[i]);
		else
			printf("%sbit%u", sep, i);
		sep = ",";
	}
	if (!*sep)
		printf("0");
}

static void seqadj(const char *name, const struct nlattr *nest)
{
	const struct nlattr *tb[CTA_SEQADJ_MAX + 1];

	nest_table(nest, tb, CTA_SEQADJ_MAX);
	printf(" %s=%u/%d/%d", name,
	       tb[CTA_SEQADJ_CORRECTION_POS] ? ntohl(mnl_attr_get_u32(tb[CTA_SEQADJ_CORRECTION_POS])) : 0,
	       tb[CTA_SEQADJ_OFFSET_BEFORE] ? (int)ntohl(mnl_attr_get_u32(tb[CTA_SEQADJ_OFFSET_BEFORE])) : 0,
	       tb[CTA_SEQADJ_OFFSET_AFTER] ? (int)ntohl(mnl_attr_get_u32(tb[CTA_SEQADJ_OFFSET_AFTER])) : 0);
}

static int ct_cb(const struct nlmsghdr *nlh, void *data)
{
	const struct nlattr *tb[CTA_MAX + 1] = { 0 }, *a;
	struct nfgenmsg *nfg = mnl_nlmsg_get_payload(nlh);

	(void)data;
	mnl_attr_for_each(a, nlh, sizeof(*nfg)) {
		int t = mnl_attr_get_type(a);
		if (t <= CTA_MAX)
			tb[t] = a;
	}
	vol[0] = 0;
	printf("ct family=%u", nfg->nfgen_family);
	if (tb[CTA_TUPLE_ORIG])
		tuple("orig", tb[CTA_TUPLE_ORIG]);
	if (tb[CTA_TUPLE_REPLY])
		tuple("reply", tb[CTA_TUPLE_REPLY]);
	if (tb[CTA_STATUS])
		status(ntohl(mnl_attr_get_u32(tb[CTA_STATUS])));
	if (tb[CTA_PROTOINFO]) {
		const struct nlattr *pi[CTA_PROTOINFO_MAX + 1], *tcp[CTA_PROTOINFO_TCP_MAX + 1];

		nest_table(tb[CTA_PROTOINFO], pi, CTA_PROTOINFO_MAX);
		if (pi[CTA_PROTOINFO_TCP]) {
			nest_table(pi[CTA_PROTOINFO_TCP], tcp, CTA_PROTOINFO_TCP_MAX);
			if (tcp[CTA_PROTOINFO_TCP_STATE])
				printf(" tcpstate=%u", mnl_attr_get_u8(tcp[CTA_PROTOINFO_TCP_STATE]));
			/* window scale and flags follow the traffic: volatile */
			if (tcp[CTA_PROTOINFO_TCP_FLAGS_ORIGINAL])
				VOL(" tcpflags=%02x/%02x",
				    ((const uint8_t *)mnl_attr_get_payload(tcp[CTA_PROTOINFO_TCP_FLAGS_ORIGINAL]))[0],
				    tcp[CTA_PROTOINFO_TCP_FLAGS_REPLY] ?
				    ((const uint8_t *)mnl_attr_get_payload(tcp[CTA_PROTOINFO_TCP_FLAGS_REPLY]))[0] : 0);
		}
	}
	if (tb[CTA_HELP]) {
		const struct nlattr *h[CTA_HELP_MAX + 1];

		nest_table(tb[CTA_HELP], h, CTA_HELP_MAX);
		printf(" helper=%s", h[CTA_HELP_NAME] ? mnl_attr_get_str(h[CTA_HELP_NAME]) : "(noname)");
		if (h[CTA_HELP_INFO])
			hex("helpinfo", h[CTA_HELP_INFO]);
	}
	if (tb[CTA_MARK])
		printf(" mark=0x%x", ntohl(mnl_attr_get_u32(tb[CTA_MARK])));
	if (tb[CTA_LABELS])
		hex("labels", tb[CTA_LABELS]);
	if (tb[CTA_TUPLE_MASTER])
		tuple("master", tb[CTA_TUPLE_MASTER]);
	if (tb[CTA_SEQ_ADJ_ORIG])
		seqadj("seqadj_orig", tb[CTA_SEQ_ADJ_ORIG]);
	if (tb[CTA_SEQ_ADJ_REPLY])
		seqadj("seqadj_reply", tb[CTA_SEQ_ADJ_REPLY]);
	if (tb[CTA_ZONE])
		printf(" zone=%u", ntohs(mnl_attr_get_u16(tb[CTA_ZONE])));
	if (tb[CTA_SECCTX])
		printf(" secctx=yes");
	if (tb[CTA_SYNPROXY])
		printf(" synproxy=yes");
	if (tb[CTA_TIMEOUT])
		VOL(" timeout=%u", ntohl(mnl_attr_get_u32(tb[CTA_TIMEOUT])));
	if (tb[CTA_USE])
		VOL(" use=%u", ntohl(mnl_attr_get_u32(tb[CTA_USE])));
	if (tb[CTA_ID])
		VOL(" id=%u", ntohl(mnl_attr_get_u32(tb[CTA_ID])));
	printf(" |%s\n", vol);
	return MNL_CB_OK;
}

static const char *const flag_names[] = { "PERMANENT", "INACTIVE", "USERSPACE" };

static int exp_cb(const struct nlmsghdr *nlh, void *data)
{
	const struct nlattr *tb[CTA_EXPECT_MAX + 1] = { 0 }, *a;
	struct nfgenmsg *nfg = mnl_nlmsg_get_payload(nlh);

	(void)data;
	mnl_attr_for_each(a, nlh, sizeof(*nfg)) {
		int t = mnl_attr_get_type(a);
		if (t <= CTA_EXPECT_MAX)
			tb[t] = a;
	}
	vol[0] = 0;
	printf("expect family=%u", nfg->nfgen_family);
	if (tb[CTA_EXPECT_MASTER])
		tuple("master", tb[CTA_EXPECT_MASTER]);
	if (tb[CTA_EXPECT_TUPLE])
		tuple("tuple", tb[CTA_EXPECT_TUPLE]);
	if (tb[CTA_EXPECT_MASK])
		tuple("mask", tb[CTA_EXPECT_MASK]);
	if (tb[CTA_EXPECT_FLAGS]) {
		uint32_t f = ntohl(mnl_attr_get_u32(tb[CTA_EXPECT_FLAGS]));
		unsigned int i;
		const char *sep = "";

		printf(" flags=");
		for (i = 0; i < 32; i++) {
			if (!(f & (1u << i)))
				continue;
			printf("%s%s", sep, i < 3 ? flag_names[i] : "?");
			sep = ",";
		}
		if (!*sep)
			printf("0");
	} else {
		printf(" flags=(none)");
	}
	if (tb[CTA_EXPECT_CLASS])
		printf(" class=%u", ntohl(mnl_attr_get_u32(tb[CTA_EXPECT_CLASS])));
	else
		printf(" class=(none)");
	printf(" helper=%s", tb[CTA_EXPECT_HELP_NAME] ? mnl_attr_get_str(tb[CTA_EXPECT_HELP_NAME]) : "(none)");
	printf(" fn=%s", tb[CTA_EXPECT_FN] ? mnl_attr_get_str(tb[CTA_EXPECT_FN]) : "(none)");
	if (tb[CTA_EXPECT_NAT]) {
		const struct nlattr *n[CTA_EXPECT_NAT_MAX + 1];

		nest_table(tb[CTA_EXPECT_NAT], n, CTA_EXPECT_NAT_MAX);
		printf(" nat_dir=%s", n[CTA_EXPECT_NAT_DIR] ?
		       (ntohl(mnl_attr_get_u32(n[CTA_EXPECT_NAT_DIR])) ? "reply" : "orig") : "(none)");
		if (n[CTA_EXPECT_NAT_TUPLE])
			tuple("nat", n[CTA_EXPECT_NAT_TUPLE]);
	} else {
		printf(" nat=(none)");
	}
	if (tb[CTA_EXPECT_ZONE])
		printf(" zone=%u", ntohs(mnl_attr_get_u16(tb[CTA_EXPECT_ZONE])));
	if (tb[CTA_EXPECT_TIMEOUT])
		VOL(" timeout=%u", ntohl(mnl_attr_get_u32(tb[CTA_EXPECT_TIMEOUT])));
	if (tb[CTA_EXPECT_ID])
		VOL(" id=%u", ntohl(mnl_attr_get_u32(tb[CTA_EXPECT_ID])));
	printf(" |%s\n", vol);
	return MNL_CB_OK;
}

static void put_tuple(struct nlmsghdr *nlh, int type, const char *src, const char *dst,
		      uint8_t proto, uint16_t sport, uint16_t dport)
{
	struct nlattr *t, *ip, *pr;
	struct in_addr a;

	t = mnl_attr_nest_start(nlh, type);
	ip = mnl_attr_nest_start(nlh, CTA_TUPLE_IP);
	if (src) {
		inet_pton(AF_INET, src, &a);
		mnl_attr_put_u32(nlh, CTA_IP_V4_SRC, a.s_addr);
	}
	/* as pptp-ngd: a NAT tuple's destination is 0, the kernel keeps its source part */
	a.s_addr = 0;
	if (dst)
		inet_pton(AF_INET, dst, &a);
	mnl_attr_put_u32(nlh, CTA_IP_V4_DST, a.s_addr);
	mnl_attr_nest_end(nlh, ip);
	pr = mnl_attr_nest_start(nlh, CTA_TUPLE_PROTO);
	mnl_attr_put_u8(nlh, CTA_PROTO_NUM, proto);
	mnl_attr_put_u16(nlh, CTA_PROTO_SRC_PORT, htons(sport));
	mnl_attr_put_u16(nlh, CTA_PROTO_DST_PORT, htons(dport));
	mnl_attr_nest_end(nlh, pr);
	mnl_attr_nest_end(nlh, t);
}

static int expect_new(struct mnl_socket *nl, char **v)
{
	static char buf[8192];
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct nfgenmsg *nfg;
	struct nlattr *nat;
	unsigned int seq = time(NULL);
	int ret;

	nlh->nlmsg_type = (NFNL_SUBSYS_CTNETLINK_EXP << 8) | IPCTNL_MSG_EXP_NEW;
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_CREATE | NLM_F_ACK;
	nlh->nlmsg_seq = seq;
	nfg = mnl_nlmsg_put_extra_header(nlh, sizeof(*nfg));
	nfg->nfgen_family = AF_INET;
	nfg->version = NFNETLINK_V0;
	put_tuple(nlh, CTA_EXPECT_MASTER, v[0], v[1], IPPROTO_TCP,
		  strtoul(v[2], NULL, 0), strtoul(v[3], NULL, 0));
	/*
	 * The mask leaves the tuple's source key out (GRE's packets have
	 * 0 there): SRCKEY, when given, rides in it unmatched.
	 */
	put_tuple(nlh, CTA_EXPECT_TUPLE, v[4], v[5], IPPROTO_GRE, v[11] ? strtoul(v[11], NULL, 0) : 0,
		  strtoul(v[6], NULL, 0));
	put_tuple(nlh, CTA_EXPECT_MASK, "255.255.255.255", "255.255.255.255", IPPROTO_GRE,
		  0, 0xffff);
	mnl_attr_put_u32(nlh, CTA_EXPECT_TIMEOUT, htonl(strtoul(v[10], NULL, 0)));
	mnl_attr_put_u32(nlh, CTA_EXPECT_FLAGS, htonl(1 /* NF_CT_EXPECT_PERMANENT */));
	nat = mnl_attr_nest_start(nlh, CTA_EXPECT_NAT);
	mnl_attr_put_u32(nlh, CTA_EXPECT_NAT_DIR, htonl(strtoul(v[7], NULL, 0)));
	put_tuple(nlh, CTA_EXPECT_NAT_TUPLE, v[8], NULL, IPPROTO_GRE, strtoul(v[9], NULL, 0), 0);
	mnl_attr_nest_end(nlh, nat);
	mnl_attr_put_strz(nlh, CTA_EXPECT_FN, "nat-follow-master");
	if (mnl_socket_sendto(nl, nlh, nlh->nlmsg_len) < 0) {
		perror("ha-ctdump: send");
		return 1;
	}
	ret = mnl_socket_recvfrom(nl, buf, sizeof(buf));
	if (ret > 0)
		ret = mnl_cb_run(buf, ret, seq, mnl_socket_get_portid(nl), NULL, NULL);
	if (ret < 0) {
		perror("ha-ctdump: expect-new");
		return 1;
	}
	return 0;
}

int main(int argc, char **argv)
{
	static char buf[32768];
	struct mnl_socket *nl;
	struct nlmsghdr *nlh;
	struct nfgenmsg *nfg;
	unsigned int seq = time(NULL), port;
	int ret, expect;

	if (!((argc == 2 && (!strcmp(argv[1], "ct") || !strcmp(argv[1], "expect"))) ||
	      ((argc == 13 || argc == 14) && !strcmp(argv[1], "expect-new")))) {
		fprintf(stderr, "usage: ha-ctdump ct|expect\n"
			"       ha-ctdump expect-new MSRC MDST MSPORT MDPORT SRC DST KEY NATDIR NATADDR NATKEY TIMEOUT [SRCKEY]\n");
		return 2;
	}
	nl = mnl_socket_open(NETLINK_NETFILTER);
	if (!nl || mnl_socket_bind(nl, 0, MNL_SOCKET_AUTOPID) < 0) {
		perror("ha-ctdump: netlink");
		return 1;
	}
	if (argc >= 13)
		return expect_new(nl, argv + 2);
	expect = !strcmp(argv[1], "expect");
	port = mnl_socket_get_portid(nl);
	nlh = mnl_nlmsg_put_header(buf);
	nlh->nlmsg_type = expect ? (NFNL_SUBSYS_CTNETLINK_EXP << 8) | IPCTNL_MSG_EXP_GET
				 : (NFNL_SUBSYS_CTNETLINK << 8) | IPCTNL_MSG_CT_GET;
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
	nlh->nlmsg_seq = seq;
	nfg = mnl_nlmsg_put_extra_header(nlh, sizeof(*nfg));
	nfg->nfgen_family = AF_UNSPEC;
	nfg->version = NFNETLINK_V0;
	nfg->res_id = 0;
	if (mnl_socket_sendto(nl, nlh, nlh->nlmsg_len) < 0) {
		perror("ha-ctdump: send");
		return 1;
	}
	while ((ret = mnl_socket_recvfrom(nl, buf, sizeof(buf))) > 0) {
		ret = mnl_cb_run(buf, ret, seq, port, expect ? exp_cb : ct_cb, NULL);
		if (ret <= MNL_CB_STOP)
			break;
	}
	if (ret < 0) {
		perror("ha-ctdump: dump");
		return 1;
	}
	mnl_socket_close(nl);
	return 0;
}
