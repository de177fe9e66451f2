// SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
/*
 * GRE expectations through ctnetlink, for the cthelper backend.
 *
 * The kernel's GRE tracker keys a GRE tuple on the packet's call ID (the
 * destination key); the source key comes from a keymap that only the
 * in-kernel PPTP helper fills, so for us it is always 0.  Each direction
 * of a call is therefore its own conntrack, and each is expected on its
 * own:
 *
 *   in:  peer:0 -> public:xid    NAT dst -> inside, key -> the inside
 *                                host's own ID (kernel: nat-follow-master
 *                                with the saved key, gre_manip_pkt)
 *   out: inside:0 -> peer:pid    NAT src -> public, key kept (pid)
 *
 * The mask ignores the source key.  GRE keys are only ever translated on
 * the destination side (gre_manip_pkt skips source manips), which is all
 * PPTP needs: the inside host's translated ID travels back to it, the
 * peer's ID is never translated.  Expectations are permanent (they stay
 * after their first match) and time out with the helper's policy unless
 * refreshed (a second NEW for the same tuple only sets its timeout).
 */
#include <errno.h>
#include <string.h>
#include <time.h>
#include <arpa/inet.h>
#include <linux/netfilter/nfnetlink.h>
#include <linux/netfilter/nfnetlink_conntrack.h>
#include <linux/netfilter/nf_conntrack_common.h>
#include <libmnl/libmnl.h>

#include "pptp_ngd.h"
#include "session.h"

#define EXP_NAT_FN	"nat-follow-master"

static struct mnl_socket *enl;
static uint32_t eseq;

int expect_open(void)
{
	enl = mnl_socket_open(NETLINK_NETFILTER);
	if (!enl || mnl_socket_bind(enl, 0, MNL_SOCKET_AUTOPID) < 0) {
		ngd_err("ctnetlink: %s", strerror(errno));
		return -1;
	}
	eseq = (uint32_t)time(NULL);
	return 0;
}

void expect_close(void)
{
	if (enl)
		mnl_socket_close(enl);
	enl = NULL;
}

/* A GRE or TCP tuple: addresses, protocol, "ports" (GRE keys). */
static void put_tuple(struct nlmsghdr *nlh, uint16_t type, uint32_t src, uint32_t dst,
		      uint8_t proto, uint16_t sport, uint16_t dport)
{
	struct nlattr *t = mnl_attr_nest_start(nlh, type), *n;

	n = mnl_attr_nest_start(nlh, CTA_TUPLE_IP);
	mnl_attr_put_u32(nlh, CTA_IP_V4_SRC, src);
	mnl_attr_put_u32(nlh, CTA_IP_V4_DST, dst);
	mnl_attr_nest_end(nlh, n);
	n = mnl_attr_nest_start(nlh, CTA_TUPLE_PROTO);
	mnl_attr_put_u8(nlh, CTA_PROTO_NUM, proto);
	mnl_attr_put_u16(nlh, CTA_PROTO_SRC_PORT, sport);
	mnl_attr_put_u16(nlh, CTA_PROTO_DST_PORT, dport);
	mnl_attr_nest_end(nlh, n);
	mnl_attr_nest_end(nlh, t);
}

static struct nlmsghdr *put_hdr(char *buf, uint8_t subsys, uint8_t type, uint16_t flags)
{
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct nfgenmsg *nfg;

	nlh->nlmsg_type = (uint16_t)(subsys << 8 | type);
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK | flags;
	nlh->nlmsg_seq = ++eseq;
	nfg = mnl_nlmsg_put_extra_header(nlh, sizeof(*nfg));
	nfg->nfgen_family = AF_INET;
	nfg->version = NFNETLINK_V0;
	nfg->res_id = 0;
	return nlh;
}

static int talk(struct nlmsghdr *nlh)
{
	char buf[NGD_NL_BUF];
	int ret;

	if (mnl_socket_sendto(enl, nlh, nlh->nlmsg_len) < 0)
		return -errno;
	ret = mnl_socket_recvfrom(enl, buf, sizeof(buf));
	if (ret < 0)
		return -errno;
	ret = mnl_cb_run(buf, (size_t)ret, nlh->nlmsg_seq, mnl_socket_get_portid(enl), NULL, NULL);
	return ret < 0 ? -errno : 0;
}

/* One expected GRE direction. */
struct gre_exp {
	uint32_t src, dst;	/* expected tuple; source key wildcarded */
	uint16_t key;		/* destination key, the call ID the packet carries */
	bool nat;
	uint32_t nat_dir;	/* master direction whose tuple the NAT follows (inverted) */
	uint32_t nat_addr;	/* saved address (kernel: follow_master takes it from master) */
	uint16_t nat_key;	/* the key the packet leaves with */
};

/*
 * Create or refresh one expectation.  The message is built with libmnl:
 * libnetfilter_conntrack 1.0.9 silently leaves CTA_EXPECT_NAT and
 * CTA_EXPECT_FN out of the messages it builds, and both are needed here.
 */
static int exp_new(const struct ngd_conn *m, const struct gre_exp *e, unsigned int timeout)
{
	char buf[NGD_NL_BUF];
	struct nlmsghdr *nlh = put_hdr(buf, NFNL_SUBSYS_CTNETLINK_EXP, IPCTNL_MSG_EXP_NEW,
				       NLM_F_CREATE);
	struct nlattr *nat;

	put_tuple(nlh, CTA_EXPECT_MASTER, m->orig.src, m->orig.dst, IPPROTO_TCP,
		  m->orig.sport, m->orig.dport);
	put_tuple(nlh, CTA_EXPECT_TUPLE, e->src, e->dst, IPPROTO_GRE, 0, htons(e->key));
	put_tuple(nlh, CTA_EXPECT_MASK, 0xffffffff, 0xffffffff, IPPROTO_GRE, 0, 0xffff);
	mnl_attr_put_u32(nlh, CTA_EXPECT_TIMEOUT, htonl(timeout));
	mnl_attr_put_u32(nlh, CTA_EXPECT_FLAGS, htonl(NF_CT_EXPECT_PERMANENT));
	if (e->nat) {
		nat = mnl_attr_nest_start(nlh, CTA_EXPECT_NAT);
		mnl_attr_put_u32(nlh, CTA_EXPECT_NAT_DIR, htonl(e->nat_dir));
		/* the kernel keeps the NAT tuple's source part: address and key */
		put_tuple(nlh, CTA_EXPECT_NAT_TUPLE, e->nat_addr, 0, IPPROTO_GRE,
			  htons(e->nat_key), 0);
		mnl_attr_nest_end(nlh, nat);
		mnl_attr_put_strz(nlh, CTA_EXPECT_FN, EXP_NAT_FN);
	}
	return talk(nlh);
}

/* Remove one expectation and the GRE conntrack it created, if any. */
static void exp_del(const struct gre_exp *e)
{
	char buf[NGD_NL_BUF];
	struct nlmsghdr *nlh;

	nlh = put_hdr(buf, NFNL_SUBSYS_CTNETLINK_EXP, IPCTNL_MSG_EXP_DELETE, 0);
	put_tuple(nlh, CTA_EXPECT_TUPLE, e->src, e->dst, IPPROTO_GRE, 0, htons(e->key));
	talk(nlh);	/* gone already (master destroyed, timed out) is fine */
	nlh = put_hdr(buf, NFNL_SUBSYS_CTNETLINK, IPCTNL_MSG_CT_DELETE, 0);
	put_tuple(nlh, CTA_TUPLE_ORIG, e->src, e->dst, IPPROTO_GRE, 0, htons(e->key));
	talk(nlh);
}

/*
 * The two directions of a call.  nat-follow-master sets the expected
 * connection's source to master[!dir].dst and its destination to
 * master[!dir].src with the saved key: for the inbound half, !dir is the
 * direction the inside host sends in; for the outbound half the other.
 */
static void gre_exps(const struct ngd_gre *g, struct gre_exp *in, struct gre_exp *out)
{
	unsigned int inside_dir = g->conn.orig.src == g->inside ? 0 : 1;
	bool nat = g->inside != g->public;

	*in = (struct gre_exp){ .src = g->peer, .dst = g->public, .key = g->in_xid,
				.nat = nat, .nat_dir = !inside_dir, .nat_addr = g->inside,
				.nat_key = g->in_id };
	*out = (struct gre_exp){ .src = g->inside, .dst = g->peer, .key = g->peer_id,
				 .nat = nat, .nat_dir = inside_dir, .nat_addr = g->peer,
				 .nat_key = g->peer_id };
}

static int exp_apply(const struct ngd_gre *g, const struct gre_exp *e, bool del, bool add,
		     const char *what)
{
	char a[INET_ADDRSTRLEN], b[INET_ADDRSTRLEN];
	int ret;

	if (!add) {
		if (del) {
			exp_del(e);
			stats.expect_deleted++;
		}
		return 0;
	}
	/* add over an existing one: the kernel only refreshes its timeout */
	ret = exp_new(&g->conn, e, cfg.gre_timeout);
	if (!ret) {
		stats.expect_set++;
		return 0;
	}
	stats.expect_errors++;
	inet_ntop(AF_INET, &e->src, a, sizeof(a));
	inet_ntop(AF_INET, &e->dst, b, sizeof(b));
	ngd_err("cannot expect %s GRE %s -> %s key %u: %s", what, a, b, e->key, strerror(-ret));
	return -1;
}

/* The cthelper backend's gre_update: the nft map bits name the halves. */
int expect_gre_update(const struct ngd_gre *g, unsigned int del, unsigned int add,
		      const char *comment)
{
	struct gre_exp in, out;
	int ret = 0;

	(void)comment;
	gre_exps(g, &in, &out);
	if ((del | add) & NGD_MAP_IN)
		ret |= exp_apply(g, &in, del & NGD_MAP_IN, add & NGD_MAP_IN, "inbound");
	if ((del | add) & NGD_MAP_OUT_ADDR)
		ret |= exp_apply(g, &out, del & NGD_MAP_OUT_ADDR, add & NGD_MAP_OUT_ADDR,
				 "outbound");
	return ret ? -1 : 0;
}
