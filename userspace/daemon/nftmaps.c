// SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
/*
 * The daemon's nf_tables table, through libnftnl: load the ruleset, add the
 * queue rules that bring control packets to us (nf_tables' queue, or the
 * xtables NFQUEUE target where the kernel lacks it), and keep one element
 * per call in each GRE map:
 *
 *   gre_in_addr	peer . public . xid	: inside	inbound: destination
 *   gre_in_id		peer . inside . xid	: id		inbound: call ID back
 *   gre_out_addr	inside . peer . peer_id	: public	outbound: source
 *   gre_out_ok		inside . peer . peer_id			outbound: allowed
 *
 * The gre_in_addr element carries a comment naming the control connection
 * and the call, which is what a restarted daemon rebuilds its calls from.
 *
 * Two tables of that name, one per family: "ip pptp_ngd" with ipv4_addr
 * keys, "ip6 pptp_ngd" with ipv6_addr keys, the same maps and chains in
 * each.  A call's elements go to its addresses' table.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <linux/netfilter.h>
#include <linux/netfilter/nf_tables.h>
#include <linux/netfilter/nf_conntrack_common.h>
#include <linux/netfilter/xt_NFQUEUE.h>
#include <libmnl/libmnl.h>
#include <libnftnl/table.h>
#include <libnftnl/chain.h>
#include <libnftnl/rule.h>
#include <libnftnl/expr.h>
#include <libnftnl/set.h>
#include <libnftnl/udata.h>

#include "pptp_ngd.h"
#include "privs.h"

#define NFT_ELEM_COMMENT	0	/* nft's NFTNL_UDATA_SET_ELEM_COMMENT */
#define NFT_KEY_MAX		36	/* addr . addr . 16 bits in a 32-bit register */

/* The daemon's table of each family. */
struct nft_fam {
	uint8_t nfproto;	/* the table's family in every message */
	uint8_t af;		/* struct ngd_addr's */
	uint8_t alen;		/* address bytes */
	const char *name;	/* nft's word for the family */
};

static const struct nft_fam fams[] = {
	{ NFPROTO_IPV4, AF_INET, 4, "ip" },
	{ NFPROTO_IPV6, AF_INET6, 16, "ip6" },
};
#define NFAMS	PPTP_ARRAY_SIZE(fams)

/* The table @a's elements go to; NULL for no family of ours. */
static const struct nft_fam *fam_of(const struct ngd_addr *a)
{
	unsigned int i;

	for (i = 0; i < NFAMS; i++)
		if (fams[i].af == a->family)
			return &fams[i];
	return NULL;
}

/* addr . addr . key: each part padded to 32 bits, as nf_tables' registers hold them. */
static uint32_t key_len(const struct nft_fam *f)
{
	return 2u * f->alen + 4;
}

static struct mnl_socket *nl;
static uint32_t nl_seq;

/*
 * gre_out_ok holds gre_out_addr's keys without data: kernels before 6.3 or
 * so refuse a lookup in a map used as a plain set (EINVAL), which is how
 * the prerouting check reads it.  It changes together with gre_out_addr.
 */
static const char *const gre_maps[] = { "gre_in_addr", "gre_in_id", "gre_out_addr", "gre_out_ok" };
#define GRE_SETS	PPTP_ARRAY_SIZE(gre_maps)

/* The sets (bit i: gre_maps[i]) of the maps NGD_MAP_* @maps names: gre_out_ok follows gre_out_addr. */
static unsigned int sets_of(unsigned int maps)
{
	return (maps & NGD_MAP_ALL) | (maps & NGD_MAP_OUT_ADDR ? 1u << 3 : 0);
}

/*
 * Send a batch and read what it answers; the first error wins.  The
 * kernel runs a batch inside our sendmsg(), so when it returns every
 * answer is in our socket already: read until it is empty, never wait.
 * Messages ask for no ack: a failed one is answered all the same, and so
 * is a failed commit (on the batch's first message), so silence means
 * success.  That is one read per transaction instead of one per message
 * plus a select() each: on the call path, where the OCRQ and the OCRP
 * each wait for a transaction.
 */
static int batch_send(struct mnl_nlmsg_batch *b)
{
	char buf[NGD_NL_BUF];
	uint32_t portid = mnl_socket_get_portid(nl);
	int ret, err = 0;

	if (mnl_socket_sendto(nl, mnl_nlmsg_batch_head(b), mnl_nlmsg_batch_size(b)) < 0)
		return -errno;
	for (;;) {
		ret = (int)recv(mnl_socket_get_fd(nl), buf, sizeof(buf), MSG_DONTWAIT);
		if (ret < 0 && errno != EAGAIN && !err)
			err = -errno;	/* answers lost (ENOBUFS): the outcome is unknown */
		if (ret <= 0)
			break;
		ret = mnl_cb_run(buf, ret, 0, portid, NULL, NULL);
		if (ret < 0 && !err)
			err = -errno;
	}
	return err;
}

struct batch {
	char buf[65536];
	struct mnl_nlmsg_batch *b;
};

static void batch_begin(struct batch *bt)
{
	memset(bt->buf, 0, sizeof(bt->buf));
	bt->b = mnl_nlmsg_batch_start(bt->buf, sizeof(bt->buf));
	nftnl_batch_begin(mnl_nlmsg_batch_current(bt->b), nl_seq++);
	mnl_nlmsg_batch_next(bt->b);
}

static struct nlmsghdr *batch_msg(struct batch *bt, const struct nft_fam *f, int type,
				  int flags)
{
	return nftnl_nlmsg_build_hdr(mnl_nlmsg_batch_current(bt->b), type, f->nfproto, flags,
				     nl_seq++);
}

static int batch_commit(struct batch *bt)
{
	int ret;

	nftnl_batch_end(mnl_nlmsg_batch_current(bt->b), nl_seq++);
	mnl_nlmsg_batch_next(bt->b);
	ret = batch_send(bt->b);
	mnl_nlmsg_batch_stop(bt->b);
	return ret;
}

/* A GET request answered by one or more messages handed to @cb. */
static int nl_query(struct nlmsghdr *nlh, mnl_cb_t cb, void *arg)
{
	char buf[NGD_NL_BUF] = { 0 };
	uint32_t portid = mnl_socket_get_portid(nl);
	int ret;

	if (mnl_socket_sendto(nl, nlh, nlh->nlmsg_len) < 0)
		return -errno;
	while ((ret = mnl_socket_recvfrom(nl, buf, sizeof(buf))) > 0) {
		ret = mnl_cb_run(buf, ret, nlh->nlmsg_seq, portid, cb, arg);
		if (ret <= 0)
			break;
	}
	return ret < 0 ? -errno : 0;
}

static int table_exists(const struct nft_fam *f)
{
	char buf[NGD_NL_BUF] = { 0 };
	struct nftnl_table *t = nftnl_table_alloc();
	struct nlmsghdr *nlh;
	int ret;

	nlh = nftnl_nlmsg_build_hdr(buf, NFT_MSG_GETTABLE, f->nfproto, NLM_F_ACK, nl_seq++);
	nftnl_table_set_str(t, NFTNL_TABLE_NAME, NGD_TABLE);
	nftnl_table_nlmsg_build_payload(nlh, t);
	nftnl_table_free(t);
	ret = nl_query(nlh, NULL, NULL);
	if (ret == -ENOENT)
		return 0;
	return ret < 0 ? ret : 1;
}

static int set_exists(const struct nft_fam *f, const char *name)
{
	char buf[NGD_NL_BUF] = { 0 };
	struct nftnl_set *s = nftnl_set_alloc();
	struct nlmsghdr *nlh;

	nlh = nftnl_nlmsg_build_hdr(buf, NFT_MSG_GETSET, f->nfproto, NLM_F_ACK, nl_seq++);
	nftnl_set_set_str(s, NFTNL_SET_TABLE, NGD_TABLE);
	nftnl_set_set_str(s, NFTNL_SET_NAME, name);
	nftnl_set_nlmsg_build_payload(nlh, s);
	nftnl_set_free(s);
	return nl_query(nlh, NULL, NULL) == 0;
}

/* Load the ruleset with nft(8), so it is exactly the file an admin reads. */
static int load_ruleset(const char *path)
{
	if (access(path, R_OK) < 0) {
		ngd_err("ruleset %s: %s", path, strerror(errno));
		return -1;
	}
	if (ngd_nft(path, NULL) < 0) {
		ngd_err("%s -f %s failed (is nftables installed and the kernel built with nf_tables?)",
			NGD_NFT, path);
		return -1;
	}
	return 0;
}

/* Register 1 == @val (@len bytes): what the expression before it loaded. */
static void add_cmp_eq(struct nftnl_rule *r, const void *val, uint32_t len)
{
	struct nftnl_expr *e = nftnl_expr_alloc("cmp");

	nftnl_expr_set_u32(e, NFTNL_EXPR_CMP_SREG, NFT_REG_1);
	nftnl_expr_set_u32(e, NFTNL_EXPR_CMP_OP, NFT_CMP_EQ);
	nftnl_expr_set(e, NFTNL_EXPR_CMP_DATA, val, len);
	nftnl_rule_add_expr(r, e);
}

static void add_cmp(struct nftnl_rule *r, uint32_t base, uint32_t off, const void *val,
		    uint32_t len)
{
	struct nftnl_expr *e = nftnl_expr_alloc("payload");

	nftnl_expr_set_u32(e, NFTNL_EXPR_PAYLOAD_BASE, base);
	nftnl_expr_set_u32(e, NFTNL_EXPR_PAYLOAD_OFFSET, off);
	nftnl_expr_set_u32(e, NFTNL_EXPR_PAYLOAD_LEN, len);
	nftnl_expr_set_u32(e, NFTNL_EXPR_PAYLOAD_DREG, NFT_REG_1);
	nftnl_rule_add_expr(r, e);
	add_cmp_eq(r, val, len);
}

/* meta l4proto tcp: IPv6's transport protocol may follow extension headers. */
static void add_l4proto_tcp(struct nftnl_rule *r)
{
	struct nftnl_expr *e = nftnl_expr_alloc("meta");
	uint8_t tcp = IPPROTO_TCP;

	nftnl_expr_set_u32(e, NFTNL_EXPR_META_KEY, NFT_META_L4PROTO);
	nftnl_expr_set_u32(e, NFTNL_EXPR_META_DREG, NFT_REG_1);
	nftnl_rule_add_expr(r, e);
	add_cmp_eq(r, &tcp, 1);
}

/*
 * ip protocol tcp (IPv6: meta l4proto tcp) th PORTFIELD 1723: the start
 * of both control rules.
 */
static struct nftnl_rule *control_rule(const struct nft_fam *f, unsigned int port_off)
{
	struct nftnl_rule *r = nftnl_rule_alloc();
	uint8_t tcp = IPPROTO_TCP;
	uint16_t port = htons(PPTP_TCP_PORT);

	nftnl_rule_set_str(r, NFTNL_RULE_TABLE, NGD_TABLE);
	nftnl_rule_set_str(r, NFTNL_RULE_CHAIN, NGD_CTL_CHAIN);
	nftnl_rule_set_u32(r, NFTNL_RULE_FAMILY, f->nfproto);
	if (f->nfproto == NFPROTO_IPV4)
		add_cmp(r, NFT_PAYLOAD_NETWORK_HEADER, 9, &tcp, 1);
	else
		add_l4proto_tcp(r);
	add_cmp(r, NFT_PAYLOAD_TRANSPORT_HEADER, port_off, &port, 2);
	return r;
}

/*
 * ... ct state invalid counter drop: what conntrack does not take as part
 * of the connection (out of its window, say) is not queued to us, and
 * must not reach a peer untracked either: a forged RST or a segment from
 * nowhere could otherwise end or desynchronise a session.
 */
static struct nftnl_rule *invalid_rule(const struct nft_fam *f, unsigned int port_off)
{
	struct nftnl_rule *r = control_rule(f, port_off);
	uint32_t invalid = NF_CT_STATE_INVALID_BIT, zero = 0;
	struct nftnl_expr *e = nftnl_expr_alloc("ct");

	nftnl_expr_set_u32(e, NFTNL_EXPR_CT_KEY, NFT_CT_STATE);
	nftnl_expr_set_u32(e, NFTNL_EXPR_CT_DREG, NFT_REG_1);
	nftnl_rule_add_expr(r, e);
	e = nftnl_expr_alloc("bitwise");
	nftnl_expr_set_u32(e, NFTNL_EXPR_BITWISE_SREG, NFT_REG_1);
	nftnl_expr_set_u32(e, NFTNL_EXPR_BITWISE_DREG, NFT_REG_1);
	nftnl_expr_set_u32(e, NFTNL_EXPR_BITWISE_LEN, sizeof(invalid));
	nftnl_expr_set(e, NFTNL_EXPR_BITWISE_MASK, &invalid, sizeof(invalid));
	nftnl_expr_set(e, NFTNL_EXPR_BITWISE_XOR, &zero, sizeof(zero));
	nftnl_rule_add_expr(r, e);
	e = nftnl_expr_alloc("cmp");
	nftnl_expr_set_u32(e, NFTNL_EXPR_CMP_SREG, NFT_REG_1);
	nftnl_expr_set_u32(e, NFTNL_EXPR_CMP_OP, NFT_CMP_NEQ);
	nftnl_expr_set(e, NFTNL_EXPR_CMP_DATA, &zero, sizeof(zero));
	nftnl_rule_add_expr(r, e);
	nftnl_rule_add_expr(r, nftnl_expr_alloc("counter"));
	e = nftnl_expr_alloc("immediate");
	nftnl_expr_set_u32(e, NFTNL_EXPR_IMM_DREG, NFT_REG_VERDICT);
	nftnl_expr_set_u32(e, NFTNL_EXPR_IMM_VERDICT, NF_DROP);
	nftnl_rule_add_expr(r, e);
	return r;
}

/*
 * nf_tables' own queue expression, "queue num N [bypass]": what nft
 * itself writes and lists, and no xtables module behind it.  Not every
 * kernel has it (nft_queue): the kernel refuses the rule with ENOENT.
 */
static struct nftnl_expr *queue_expr_nft(unsigned int queue, bool fail_open)
{
	struct nftnl_expr *e = nftnl_expr_alloc("queue");

	nftnl_expr_set_u16(e, NFTNL_EXPR_QUEUE_NUM, (uint16_t)queue);
	nftnl_expr_set_u16(e, NFTNL_EXPR_QUEUE_TOTAL, 1);
	nftnl_expr_set_u16(e, NFTNL_EXPR_QUEUE_FLAGS, fail_open ? NFT_QUEUE_FLAG_BYPASS : 0);
	return e;
}

/* The xtables NFQUEUE target through nft_compat, as iptables-nft writes it. */
static struct nftnl_expr *queue_expr_xt(unsigned int queue, bool fail_open)
{
	struct xt_NFQ_info_v3 *info = calloc(1, sizeof(*info));
	struct nftnl_expr *e = nftnl_expr_alloc("target");

	info->queuenum = (uint16_t)queue;
	info->queues_total = 1;
	info->flags = fail_open ? NFQ_FLAG_BYPASS : 0;
	nftnl_expr_set_str(e, NFTNL_EXPR_TG_NAME, "NFQUEUE");
	nftnl_expr_set_u32(e, NFTNL_EXPR_TG_REV, 3);
	nftnl_expr_set(e, NFTNL_EXPR_TG_INFO, info, sizeof(*info));	/* takes info */
	return e;
}

/*
 * ip protocol tcp th PORTFIELD 1723 counter, then the queue of @kind; its
 * bypass flag is --fail-open: packets pass while no daemon listens.
 */
static struct nftnl_rule *queue_rule(const struct nft_fam *f, unsigned int port_off,
				     unsigned int queue, bool fail_open, enum ngd_queue_rule kind)
{
	struct nftnl_rule *r = control_rule(f, port_off);

	nftnl_rule_add_expr(r, nftnl_expr_alloc("counter"));
	nftnl_rule_add_expr(r, kind == NGD_QUEUE_NFT ? queue_expr_nft(queue, fail_open) :
						      queue_expr_xt(queue, fail_open));
	return r;
}

/*
 * Replace the control chains' rules, in both tables: drop what conntrack
 * finds invalid, queue TCP 1723 both ways.  Every rule of the chains
 * goes, whatever queued before (a previous run's, of either kind), in the
 * one transaction that adds ours: all or nothing, no chain ever left
 * without its queue.
 */
static int install_queue_rules(unsigned int queue, bool fail_open, enum ngd_queue_rule kind)
{
	struct batch bt;
	struct nftnl_rule *r;
	struct nlmsghdr *nlh;
	unsigned int i, off;

	batch_begin(&bt);
	for (i = 0; i < NFAMS; i++) {
		r = nftnl_rule_alloc();
		nftnl_rule_set_str(r, NFTNL_RULE_TABLE, NGD_TABLE);
		nftnl_rule_set_str(r, NFTNL_RULE_CHAIN, NGD_CTL_CHAIN);
		nlh = batch_msg(&bt, &fams[i], NFT_MSG_DELRULE, 0);
		nftnl_rule_nlmsg_build_payload(nlh, r);
		nftnl_rule_free(r);
		mnl_nlmsg_batch_next(bt.b);
		for (off = 0; off < 8; off += 2) {	/* invalid sport, dport; queue sport, dport */
			r = off < 4 ? invalid_rule(&fams[i], off) :
				      queue_rule(&fams[i], off - 4, queue, fail_open, kind);
			nlh = batch_msg(&bt, &fams[i], NFT_MSG_NEWRULE, NLM_F_CREATE | NLM_F_APPEND);
			nftnl_rule_nlmsg_build_payload(nlh, r);
			nftnl_rule_free(r);
			mnl_nlmsg_batch_next(bt.b);
		}
	}
	return batch_commit(&bt);
}

/* Every map of the table of @f is there; else say which is not, and -1. */
static int maps_present(const struct nft_fam *f)
{
	unsigned int i;

	for (i = 0; i < GRE_SETS; i++) {
		if (!set_exists(f, gre_maps[i])) {
			ngd_err("table %s %s has no map %s: not pptp-ngd's ruleset (delete the table and restart)",
				f->name, NGD_TABLE, gre_maps[i]);
			return -1;
		}
	}
	return 0;
}

/*
 * Both tables, loaded from @ruleset when either is missing.  The file
 * replaces its GRE chains' rules whole and leaves the maps' elements, so
 * loading it over the table that is there (a pptp-ngd from before IPv6
 * left only "ip pptp_ngd") changes nothing in that one; a table that is
 * there must be ours, though: nothing is loaded over another's.
 */
int nft_setup(const char *ruleset)
{
	int ret, rcvbuf = 4 << 20;
	unsigned int i, missing = 0;

	nl = mnl_socket_open(NETLINK_NETFILTER);
	if (!nl || mnl_socket_bind(nl, 0, MNL_SOCKET_AUTOPID) < 0) {
		ngd_err("netlink: %s (kernel without nfnetlink?)", strerror(errno));
		return -1;
	}
	nl_seq = (uint32_t)time(NULL);
	/* a refresh batch is answered by one ack per message */
	if (setsockopt(mnl_socket_get_fd(nl), SOL_SOCKET, SO_RCVBUFFORCE, &rcvbuf,
		       sizeof(rcvbuf)) < 0)
		setsockopt(mnl_socket_get_fd(nl), SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof(rcvbuf));
	for (i = 0; i < NFAMS; i++) {
		ret = table_exists(&fams[i]);
		if (ret < 0) {
			ngd_err("nf_tables: %s (kernel without nf_tables?)", strerror(-ret));
			return -1;
		}
		if (!ret)
			missing++;
		else if (maps_present(&fams[i]) < 0)
			return -1;
		else
			ngd_info("table %s %s already present: keeping its elements", fams[i].name,
				 NGD_TABLE);
	}
	if (missing) {
		if (load_ruleset(ruleset) < 0)
			return -1;
		ngd_info("loaded %s", ruleset);
	}
	for (i = 0; i < NFAMS; i++) {
		if (table_exists(&fams[i]) != 1) {
			ngd_err("%s did not create table %s %s: not pptp-ngd's ruleset",
				ruleset, fams[i].name, NGD_TABLE);
			return -1;
		}
		if (maps_present(&fams[i]) < 0)
			return -1;
	}
	return 0;
}

/* What the kernel says when it has no such expression, module or not. */
static bool expr_missing(int err)
{
	return err == -ENOENT || err == -EOPNOTSUPP;
}

/* For the error message: what a kernel that refused the rules of @kind may lack. */
static const char *missing_hint(int err, enum ngd_queue_rule kind)
{
	if (!expr_missing(err))
		return "";
	if (kind == NGD_QUEUE_NFT)
		return " (kernel without nft_queue? --queue-rule xt queues through nft_compat)";
	return " (kernel without nft_compat or xt_NFQUEUE?)";
}

/*
 * Bring control packets to the queue (after the queue is bound), with the
 * rules of @want; auto tries nf_tables' queue expression and falls back to
 * the xtables target only when the kernel does not know the expression:
 * any other refusal is the table's or the kernel's, and would meet the
 * target too.
 */
int nft_queue_rules(unsigned int queue, bool fail_open, enum ngd_queue_rule want)
{
	enum ngd_queue_rule kind = want == NGD_QUEUE_AUTO ? NGD_QUEUE_NFT : want;
	int ret = install_queue_rules(queue, fail_open, kind);

	if (want == NGD_QUEUE_AUTO && expr_missing(ret)) {
		ngd_notice("nf_tables has no queue expression here (%s): queueing with the xtables NFQUEUE target through nft_compat",
			   strerror(-ret));
		kind = NGD_QUEUE_XT;
		ret = install_queue_rules(queue, fail_open, kind);
	}
	if (ret < 0) {
		ngd_err("cannot add the queue rules (%s) to chain %s: %s%s",
			ngd_queue_rule_text(kind), NGD_CTL_CHAIN, strerror(-ret),
			missing_hint(ret, kind));
		return -1;
	}
	ngd_queue_used = kind;
	return 0;
}

/* The bytes of @a, network order: 4 or 16 of them. */
static const void *addr_bytes(const struct ngd_addr *a)
{
	return a->family == AF_INET6 ? (const void *)a->v6 : (const void *)&a->v4;
}

/* addr . addr . key in the table of @f (nft/pptp-ngd-nfqueue.nft). */
static void put_key(uint8_t *k, const struct nft_fam *f, const struct ngd_addr *a,
		    const struct ngd_addr *b, uint16_t id)
{
	memset(k, 0, NFT_KEY_MAX);
	memcpy(k, addr_bytes(a), f->alen);
	memcpy(k + f->alen, addr_bytes(b), f->alen);
	pptp_put16(k + 2 * f->alen, id);
}

/* An element to add (@adding: with @data, if any, and a timeout) or to delete. */
static void add_elem(struct nftnl_set *s, const struct nft_fam *f, const struct ngd_addr *a,
		     const struct ngd_addr *b, uint16_t id, bool adding, const void *data,
		     uint32_t dlen, const char *comment)
{
	struct nftnl_set_elem *e = nftnl_set_elem_alloc();
	uint8_t key[NFT_KEY_MAX];

	put_key(key, f, a, b, id);
	nftnl_set_elem_set(e, NFTNL_SET_ELEM_KEY, key, key_len(f));
	if (adding) {
		if (data)
			nftnl_set_elem_set(e, NFTNL_SET_ELEM_DATA, data, dlen);
		nftnl_set_elem_set_u64(e, NFTNL_SET_ELEM_TIMEOUT, cfg.gre_timeout * 1000ull);
	}
	if (comment) {
		struct nftnl_udata_buf *u = nftnl_udata_buf_alloc(256);

		nftnl_udata_put_strz(u, NFT_ELEM_COMMENT, comment);
		nftnl_set_elem_set(e, NFTNL_SET_ELEM_USERDATA, nftnl_udata_buf_data(u),
				   nftnl_udata_buf_len(u));
		nftnl_udata_buf_free(u);
	}
	nftnl_set_elem_add(s, e);
}

static struct nftnl_set *map_of(const char *name)
{
	struct nftnl_set *s = nftnl_set_alloc();

	nftnl_set_set_str(s, NFTNL_SET_TABLE, NGD_TABLE);
	nftnl_set_set_str(s, NFTNL_SET_NAME, name);
	return s;
}

/* A call's elements in the sets of @sets (sets_of()), with data (add) or without (delete). */
static void gre_elems(struct nftnl_set **s, const struct nft_fam *f, const struct ngd_gre *g,
		      unsigned int sets, bool data, const char *comment)
{
	uint8_t id[2];

	pptp_put16(id, g->in_id);
	if (sets & 1)
		add_elem(s[0], f, &g->peer, &g->public, g->in_xid, data, addr_bytes(&g->inside),
			 f->alen, comment);
	if (sets & 2)
		add_elem(s[1], f, &g->peer, &g->inside, g->in_xid, data, id, 2, NULL);
	if (sets & 4)
		add_elem(s[2], f, &g->inside, &g->peer, g->peer_id, data, addr_bytes(&g->public),
			 f->alen, NULL);
	if (sets & 8)
		add_elem(s[3], f, &g->inside, &g->peer, g->peer_id, data, NULL, 0, NULL);
}

static void batch_elems(struct batch *bt, const struct nft_fam *f, int type, int flags,
			struct nftnl_set **s, unsigned int sets)
{
	unsigned int i;

	for (i = 0; i < GRE_SETS; i++) {
		struct nlmsghdr *nlh;

		if (!(sets & (1u << i)))
			continue;
		nlh = batch_msg(bt, f, type, flags);
		nftnl_set_elems_nlmsg_build_payload(nlh, s[i]);
		mnl_nlmsg_batch_next(bt->b);
	}
}

/* The table of @g's family, when all three of its addresses have it. */
static const struct nft_fam *gre_fam(const struct ngd_gre *g)
{
	const struct nft_fam *f = fam_of(&g->peer);

	if (!f || g->inside.family != f->af || g->public.family != f->af)
		return NULL;
	return f;
}

/* One transaction: delete the elements in the sets of @del, add those of @add (sets_of()). */
static void batch_change(struct batch *bt, const struct ngd_gre *g, unsigned int del,
			 unsigned int add, const char *comment)
{
	struct nftnl_set *d[GRE_SETS], *a[GRE_SETS];
	const struct nft_fam *f = gre_fam(g);
	unsigned int i;

	for (i = 0; i < GRE_SETS; i++) {
		d[i] = map_of(gre_maps[i]);
		a[i] = map_of(gre_maps[i]);
	}
	gre_elems(d, f, g, del, false, NULL);
	gre_elems(a, f, g, add, true, comment);
	batch_elems(bt, f, NFT_MSG_DELSETELEM, 0, d, del);
	batch_elems(bt, f, NFT_MSG_NEWSETELEM, NLM_F_CREATE, a, add);
	for (i = 0; i < GRE_SETS; i++) {
		nftnl_set_free(d[i]);
		nftnl_set_free(a[i]);
	}
}

static int gre_change(const struct ngd_gre *g, unsigned int del, unsigned int add,
		      const char *comment)
{
	struct batch bt;

	batch_begin(&bt);
	batch_change(&bt, g, del, add, comment);
	return batch_commit(&bt);
}

/*
 * Delete a call's elements set by set: one that is gone already (timed
 * out, or its table deleted) is what a delete wants, so -ENOENT is no
 * failure here.  Any other error means the element may still be there.
 */
static int gre_delete_each(const struct ngd_gre *g, unsigned int sets)
{
	unsigned int i;
	int ret, err = 0;

	for (i = 0; i < GRE_SETS; i++) {
		if (!(sets & (1u << i)))
			continue;
		ret = gre_change(g, 1u << i, 0, NULL);
		if (ret < 0 && ret != -ENOENT && !err)
			err = ret;
	}
	return err;
}

/*
 * Replace a call's elements of @del by those of @add, atomically: that is
 * also how a timeout is refreshed (adding an element that exists changes
 * nothing), and the data path never sees a gap.  When one to delete is
 * gone already (timed out), the transaction fails whole: delete set by
 * set then, and add afresh.  0 when every element of @del is gone and
 * every one of @add is there; on failure the elements of @add that were
 * not in @del are not there (a transaction is all or nothing).
 */
int nft_gre_update(const struct ngd_gre *g, unsigned int del, unsigned int add,
		   const char *comment)
{
	int ret;

	if (!gre_fam(g))
		return -EAFNOSUPPORT;	/* no table of ours for it */
	ret = gre_change(g, sets_of(del), sets_of(add), comment);
	if (ret == -ENOENT && del) {
		ret = gre_delete_each(g, sets_of(del));
		if (!ret && add)
			ret = gre_change(g, 0, sets_of(add), comment);
	}
	if (ret < 0)
		stats.nft_errors++;
	return ret;
}

/*
 * Refresh @n calls (@n at most NFT_REFRESH_MAX) in one transaction: each
 * call's elements deleted and added again, in order.  Thousands of calls
 * refreshed one transaction each kept the daemon from its queue for
 * seconds.  If the transaction fails (an element timed out already), each
 * call is redone on its own.  Returns how many calls could not be.
 */
int nft_gre_refresh(const struct ngd_gre *g, const char *const *comments, unsigned int n)
{
	static struct batch bt;
	unsigned int k, all = sets_of(NGD_MAP_ALL), failed = 0;

	if (n > NFT_REFRESH_MAX)
		n = NFT_REFRESH_MAX;
	for (k = 0; k < n; k++)
		if (!gre_fam(&g[k]))
			return (int)n;	/* no table of ours for it */
	batch_begin(&bt);
	for (k = 0; k < n; k++)
		batch_change(&bt, &g[k], all, all, comments[k]);
	if (batch_commit(&bt) == 0)
		return 0;
	for (k = 0; k < n; k++)
		if (nft_gre_update(&g[k], NGD_MAP_ALL, NGD_MAP_ALL, comments[k]) < 0)
			failed++;
	return (int)failed;
}

/*
 * @n calls' changes in one transaction (calls.c: a turn's packets').  If
 * it fails, each is made again on its own, for its own result.
 */
void nft_gre_batch(struct ngd_gre_change *ch, unsigned int n)
{
	static struct batch bt;
	unsigned int k;

	for (k = 0; k < n; k++)
		if (!gre_fam(&ch[k].g))
			goto one_by_one;
	if (n > NFT_REFRESH_MAX)
		goto one_by_one;
	batch_begin(&bt);
	for (k = 0; k < n; k++)
		batch_change(&bt, &ch[k].g, sets_of(ch[k].del), sets_of(ch[k].add), ch[k].comment);
	if (batch_commit(&bt) == 0) {
		for (k = 0; k < n; k++)
			ch[k].ret = 0;
		return;
	}
one_by_one:
	for (k = 0; k < n; k++)
		ch[k].ret = nft_gre_update(&ch[k].g, ch[k].del, ch[k].add, ch[k].comment);
}

struct dump_arg {
	nft_gre_cb cb;
	void *arg;
	const struct nft_fam *f;
};

static int elem_cb(struct nftnl_set_elem *e, void *data)
{
	struct dump_arg *da = data;
	const struct nft_fam *f = da->f;
	const uint8_t *key, *val;
	const void *ud;
	uint32_t klen, vlen, ulen;
	struct ngd_gre g = { 0 };
	char comment[256] = "";

	key = nftnl_set_elem_get(e, NFTNL_SET_ELEM_KEY, &klen);
	val = nftnl_set_elem_get(e, NFTNL_SET_ELEM_DATA, &vlen);
	if (!key || !val || klen != key_len(f) || vlen != f->alen)
		return 0;
	g.peer.family = g.public.family = g.inside.family = f->af;
	memcpy(g.peer.v6, key, f->alen);	/* v4 shares the union's first bytes */
	memcpy(g.public.v6, key + f->alen, f->alen);
	g.in_xid = pptp_get16(key + 2 * f->alen);
	memcpy(g.inside.v6, val, f->alen);
	ud = nftnl_set_elem_get(e, NFTNL_SET_ELEM_USERDATA, &ulen);
	/* TLV: type, length, string with its NUL */
	if (ud && ulen > 2 && ((const uint8_t *)ud)[0] == NFT_ELEM_COMMENT) {
		uint32_t l = ((const uint8_t *)ud)[1];

		if (l + 2 <= ulen && l < sizeof(comment)) {
			memcpy(comment, (const uint8_t *)ud + 2, l);
			comment[l] = 0;
		}
	}
	da->cb(&g, comment, da->arg);
	return 0;
}

static int dump_cb(const struct nlmsghdr *nlh, void *data)
{
	struct nftnl_set *s = nftnl_set_alloc();

	if (nftnl_set_elems_nlmsg_parse(nlh, s) == 0)
		nftnl_set_elem_foreach(s, elem_cb, data);
	nftnl_set_free(s);
	return MNL_CB_OK;
}

/* Every gre_in_addr element (one per call) of both tables, with its comment. */
int nft_gre_dump(nft_gre_cb cb, void *arg)
{
	struct dump_arg da = { cb, arg, NULL };
	unsigned int i;
	int ret = 0;

	for (i = 0; i < NFAMS && !ret; i++) {
		char buf[NGD_NL_BUF] = { 0 };
		struct nftnl_set *s = map_of(gre_maps[0]);
		struct nlmsghdr *nlh;

		da.f = &fams[i];
		nlh = nftnl_nlmsg_build_hdr(buf, NFT_MSG_GETSETELEM, fams[i].nfproto,
					    NLM_F_DUMP | NLM_F_ACK, nl_seq++);
		nftnl_set_elems_nlmsg_build_payload(nlh, s);
		nftnl_set_free(s);
		ret = nl_query(nlh, dump_cb, &da);
	}
	return ret;
}
