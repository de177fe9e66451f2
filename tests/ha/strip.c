// SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
/*
 * ha-strip: leave pptp-ngd's state in this network namespace as
 * conntrackd's commit leaves it on a backup firewall (docs/ha.md), so
 * that a takeover can be tested without a second firewall:
 *
 *   - every expectation of helper pptp-ng is made again with what
 *     conntrackd carries of it (row 31 and 36: master, tuple with its
 *     source key, mask, timeout, flags) and without what it loses (row
 *     32: CTA_EXPECT_NAT and the expectfn);
 *   - every conntrack of helper pptp-ng gets 32 zero bytes of helper
 *     data (row 29).
 *
 * The GRE conntracks conntrackd commits match no packet (row 30): the
 * caller deletes them (conntrack -D -p gre).  Prints what it changed:
 * "ha-strip: N expectations, M control connections".  libmnl only.
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

#define HELPER		"pptp-ng"
#define HELPER_DATA	32
#define MAX_ENTRIES	4096
#define MSG_MAX		1024

/* One entry to change: the message that changes it, built while dumping. */
struct change {
	char msg[MSG_MAX];
	char del[MSG_MAX];	/* expectations: removed first, or a new one only refreshes */
};

static struct change changes[MAX_ENTRIES];
static unsigned int nchanges;
static struct mnl_socket *nl;

static struct nlmsghdr *put_hdr(char *buf, unsigned int type, unsigned int flags, uint8_t family)
{
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct nfgenmsg *nfg;

	nlh->nlmsg_type = type;
	nlh->nlmsg_flags = NLM_F_REQUEST | flags;
	nfg = mnl_nlmsg_put_extra_header(nlh, sizeof(*nfg));
	nfg->nfgen_family = family;
	nfg->version = NFNETLINK_V0;
	return nlh;
}

static int attr_cb(const struct nlattr *a, void *data)
{
	const struct nlattr **tb = data;

	if (mnl_attr_get_type(a) <= CTA_MAX)
		tb[mnl_attr_get_type(a)] = a;
	return MNL_CB_OK;
}

/* Copy attribute @a whole (a nest stays a nest) into @nlh. */
static void copy_attr(struct nlmsghdr *nlh, const struct nlattr *a)
{
	mnl_attr_put(nlh, a->nla_type, mnl_attr_get_payload_len(a), mnl_attr_get_payload(a));
}

static bool ours(const struct nlattr *name)
{
	return name && !strcmp(mnl_attr_get_str(name), HELPER);
}

static struct change *next_change(void)
{
	if (nchanges == MAX_ENTRIES) {
		fprintf(stderr, "ha-strip: more than %d entries\n", MAX_ENTRIES);
		exit(1);
	}
	return &changes[nchanges++];
}

static int exp_cb(const struct nlmsghdr *nlh, void *data)
{
	const struct nlattr *tb[CTA_MAX + 1] = { NULL };
	uint8_t family = ((struct nfgenmsg *)mnl_nlmsg_get_payload(nlh))->nfgen_family;
	struct nlmsghdr *n;
	struct change *c;

	(void)data;
	mnl_attr_parse(nlh, sizeof(struct nfgenmsg), attr_cb, tb);
	if (!ours(tb[CTA_EXPECT_HELP_NAME]) || !tb[CTA_EXPECT_TUPLE] || !tb[CTA_EXPECT_MASTER] ||
	    !tb[CTA_EXPECT_MASK] || !tb[CTA_EXPECT_TIMEOUT])
		return MNL_CB_OK;
	c = next_change();
	n = put_hdr(c->del, (NFNL_SUBSYS_CTNETLINK_EXP << 8) | IPCTNL_MSG_EXP_DELETE, NLM_F_ACK,
		    family);
	copy_attr(n, tb[CTA_EXPECT_TUPLE]);
	n = put_hdr(c->msg, (NFNL_SUBSYS_CTNETLINK_EXP << 8) | IPCTNL_MSG_EXP_NEW,
		    NLM_F_CREATE | NLM_F_ACK, family);
	copy_attr(n, tb[CTA_EXPECT_MASTER]);
	copy_attr(n, tb[CTA_EXPECT_TUPLE]);
	copy_attr(n, tb[CTA_EXPECT_MASK]);
	copy_attr(n, tb[CTA_EXPECT_TIMEOUT]);
	if (tb[CTA_EXPECT_FLAGS])
		copy_attr(n, tb[CTA_EXPECT_FLAGS]);
	return MNL_CB_OK;
}

static int ct_cb(const struct nlmsghdr *nlh, void *data)
{
	const struct nlattr *tb[CTA_MAX + 1] = { NULL }, *help[CTA_MAX + 1] = { NULL };
	uint8_t family = ((struct nfgenmsg *)mnl_nlmsg_get_payload(nlh))->nfgen_family;
	static const char zero[HELPER_DATA];
	struct nlmsghdr *n;
	struct nlattr *nest;
	struct change *c;

	(void)data;
	mnl_attr_parse(nlh, sizeof(struct nfgenmsg), attr_cb, tb);
	if (!tb[CTA_HELP] || !tb[CTA_TUPLE_ORIG] ||
	    mnl_attr_parse_nested(tb[CTA_HELP], attr_cb, help) < 0 || !ours(help[CTA_HELP_NAME]))
		return MNL_CB_OK;
	c = next_change();
	n = put_hdr(c->msg, (NFNL_SUBSYS_CTNETLINK << 8) | IPCTNL_MSG_CT_NEW, NLM_F_ACK, family);
	copy_attr(n, tb[CTA_TUPLE_ORIG]);
	nest = mnl_attr_nest_start(n, CTA_HELP);
	mnl_attr_put_strz(n, CTA_HELP_NAME, HELPER);
	mnl_attr_put(n, CTA_HELP_INFO, sizeof(zero), zero);
	mnl_attr_nest_end(n, nest);
	return MNL_CB_OK;
}

/* Send @nlh and run @cb on every answer; -errno of the first error. */
static int talk(struct nlmsghdr *nlh, mnl_cb_t cb)
{
	static char buf[65536];
	unsigned int seq = nlh->nlmsg_seq = (unsigned int)time(NULL) + nchanges;
	int ret;

	if (mnl_socket_sendto(nl, nlh, nlh->nlmsg_len) < 0)
		return -errno;
	while ((ret = mnl_socket_recvfrom(nl, buf, sizeof(buf))) > 0) {
		ret = mnl_cb_run(buf, ret, seq, mnl_socket_get_portid(nl), cb, NULL);
		if (ret <= MNL_CB_STOP)
			break;
	}
	return ret < 0 ? -errno : 0;
}

static void dump(unsigned int type, mnl_cb_t cb, const char *what)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];

	if (talk(put_hdr(buf, type, NLM_F_DUMP, AF_UNSPEC), cb) < 0) {
		fprintf(stderr, "ha-strip: cannot dump the %s: %s\n", what, strerror(errno));
		exit(1);
	}
}

/* Apply the changes from @first on; exit 1 on the first that fails. */
static void apply(unsigned int first, const char *what)
{
	unsigned int i;

	for (i = first; i < nchanges; i++) {
		struct nlmsghdr *del = (struct nlmsghdr *)changes[i].del;
		int ret = 0;

		if (del->nlmsg_len)
			ret = talk(del, NULL);
		if (!ret)
			ret = talk((struct nlmsghdr *)changes[i].msg, NULL);
		if (ret < 0) {
			fprintf(stderr, "ha-strip: cannot change %s %u: %s\n", what, i - first,
				strerror(-ret));
			exit(1);
		}
	}
}

int main(int argc, char **argv)
{
	unsigned int nexp;

	(void)argv;
	if (argc != 1) {
		fputs("usage: ha-strip (no arguments: acts on this network namespace)\n", stderr);
		return 2;
	}
	nl = mnl_socket_open(NETLINK_NETFILTER);
	if (!nl || mnl_socket_bind(nl, 0, MNL_SOCKET_AUTOPID) < 0) {
		perror("ha-strip: netlink");
		return 1;
	}
	dump((NFNL_SUBSYS_CTNETLINK_EXP << 8) | IPCTNL_MSG_EXP_GET, exp_cb, "expectations");
	nexp = nchanges;
	apply(0, "expectation");
	dump((NFNL_SUBSYS_CTNETLINK << 8) | IPCTNL_MSG_CT_GET, ct_cb, "conntracks");
	apply(nexp, "control connection");
	printf("ha-strip: %u expectations, %u control connections\n", nexp, nchanges - nexp);
	mnl_socket_close(nl);
	return 0;
}
