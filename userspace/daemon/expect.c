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
 * The mask ignores the source key.  Which inbound half goes with which
 * outbound half (and the inside host's role) is kept in the master's
 * helper data instead (cth_priv), written when a call comes up: the halves
 * themselves are programmed before both IDs are known, and replacing one
 * later would open a window in which a GRE packet finds no expectation
 * (inbound, it would then make a conntrack of its own to the firewall and
 * keep the call's GRE there).
 *
 * GRE keys are only ever translated on
 * the destination side (gre_manip_pkt skips source manips), which is all
 * PPTP needs: the inside host's translated ID travels back to it, the
 * peer's ID is never translated.  Expectations are permanent (they stay
 * after their first match) and time out with the helper's policy unless
 * refreshed (a second NEW for the same tuple only sets its timeout).
 */
#include <errno.h>
#include <string.h>
#include <time.h>
#include <sys/socket.h>
#include <arpa/inet.h>
#include <linux/netfilter/nfnetlink.h>
#include <linux/netfilter/nfnetlink_conntrack.h>
#include <linux/netfilter/nf_conntrack_common.h>
#include <linux/netfilter/nf_conntrack_tcp.h>
#include <libmnl/libmnl.h>

#include "cth.h"
#include "session.h"

#define EXP_NAT_FN	"nat-follow-master"
#define EXPECT_RCVBUF	(1 << 20)

static struct mnl_socket *enl;
static uint32_t eseq;

/*
 * A batch (expect_batch.c) leaves an ack per request in the socket at
 * once: acks without the request they answer (NETLINK_CAP_ACK), and room
 * for a batch's worth whatever rmem_max says.
 */
int expect_open(void)
{
	int one = 1, size = EXPECT_RCVBUF;

	enl = mnl_socket_open(NETLINK_NETFILTER);
	if (!enl || mnl_socket_bind(enl, 0, MNL_SOCKET_AUTOPID) < 0) {
		ngd_err("ctnetlink: %s", strerror(errno));
		return -1;
	}
	mnl_socket_setsockopt(enl, NETLINK_CAP_ACK, &one, sizeof(one));
	if (setsockopt(mnl_socket_get_fd(enl), SOL_SOCKET, SO_RCVBUFFORCE, &size,
		       sizeof(size)) < 0)
		setsockopt(mnl_socket_get_fd(enl), SOL_SOCKET, SO_RCVBUF, &size, sizeof(size));
	eseq = (uint32_t)time(NULL);
	return 0;
}

struct mnl_socket *expect_socket(void)
{
	return enl;
}

void expect_close(void)
{
	if (enl)
		mnl_socket_close(enl);
	enl = NULL;
}

/*
 * A GRE or TCP tuple: addresses (@dst NULL: none, sent as the family's
 * zero address: the kernel parses every tuple whole, and refuses one
 * without both addresses with EINVAL), protocol, "ports" (GRE keys).
 */
static void put_tuple(struct nlmsghdr *nlh, uint16_t type, const struct ngd_addr *src,
		      const struct ngd_addr *dst, uint8_t proto, uint16_t sport, uint16_t dport)
{
	static const uint8_t any6[16];
	struct nlattr *t = mnl_attr_nest_start(nlh, type), *n;

	n = mnl_attr_nest_start(nlh, CTA_TUPLE_IP);
	if (src->family == AF_INET6) {
		mnl_attr_put(nlh, CTA_IP_V6_SRC, sizeof(src->v6), src->v6);
		mnl_attr_put(nlh, CTA_IP_V6_DST, sizeof(any6), dst ? dst->v6 : any6);
	} else {
		mnl_attr_put_u32(nlh, CTA_IP_V4_SRC, src->v4);
		mnl_attr_put_u32(nlh, CTA_IP_V4_DST, dst ? dst->v4 : 0);
	}
	mnl_attr_nest_end(nlh, n);
	n = mnl_attr_nest_start(nlh, CTA_TUPLE_PROTO);
	mnl_attr_put_u8(nlh, CTA_PROTO_NUM, proto);
	mnl_attr_put_u16(nlh, CTA_PROTO_SRC_PORT, sport);
	mnl_attr_put_u16(nlh, CTA_PROTO_DST_PORT, dport);
	mnl_attr_nest_end(nlh, n);
	mnl_attr_nest_end(nlh, t);
}

static struct nlmsghdr *put_hdr(char *buf, uint8_t subsys, uint8_t type, uint16_t flags,
				uint8_t family)
{
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct nfgenmsg *nfg;

	nlh->nlmsg_type = (uint16_t)(subsys << 8 | type);
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK | flags;
	nlh->nlmsg_seq = ++eseq;
	nfg = mnl_nlmsg_put_extra_header(nlh, sizeof(*nfg));
	nfg->nfgen_family = family;
	nfg->version = NFNETLINK_V0;
	nfg->res_id = 0;
	return nlh;
}

/* Send a request, hand every answer to @cb, until its ack or the dump's end. */
static int talk_cb(struct nlmsghdr *nlh, mnl_cb_t cb, void *arg)
{
	char buf[NGD_NL_BUF];
	int ret;

	stats.ctnetlink_sends++;
	if (mnl_socket_sendto(enl, nlh, nlh->nlmsg_len) < 0)
		return -errno;
	do {
		ret = mnl_socket_recvfrom(enl, buf, sizeof(buf));
		if (ret < 0)
			return -errno;
		ret = mnl_cb_run(buf, (size_t)ret, nlh->nlmsg_seq, mnl_socket_get_portid(enl),
				 cb, arg);
	} while (ret > 0);
	return ret < 0 ? -errno : 0;
}

static int talk(struct nlmsghdr *nlh)
{
	return talk_cb(nlh, NULL, NULL);
}

/* A request about a conntrack entry: counted in ct_errors when it fails. */
static int ct_talk(struct nlmsghdr *nlh, mnl_cb_t cb, void *arg)
{
	return ct_counted(talk_cb(nlh, cb, arg));
}

static int tuple_attr_cb(const struct nlattr *a, void *data)
{
	const struct nlattr **tb = data;
	uint16_t type = mnl_attr_get_type(a);

	if (type <= CTA_MAX)	/* every nest here has fewer types than CTA_MAX */
		tb[type] = a;
	return MNL_CB_OK;
}

/* A nested CTA_TUPLE_*: addresses, protocol, ports or GRE keys. */
static int parse_tuple(const struct nlattr *nest, struct ngd_tuple *t, uint8_t *proto)
{
	const struct nlattr *tb[CTA_MAX + 1] = { NULL }, *ip[CTA_MAX + 1] = { NULL },
			    *pr[CTA_MAX + 1] = { NULL };

	memset(t, 0, sizeof(*t));
	if (mnl_attr_parse_nested(nest, tuple_attr_cb, tb) < 0 || !tb[CTA_TUPLE_IP] ||
	    !tb[CTA_TUPLE_PROTO] ||
	    mnl_attr_parse_nested(tb[CTA_TUPLE_IP], tuple_attr_cb, ip) < 0 ||
	    mnl_attr_parse_nested(tb[CTA_TUPLE_PROTO], tuple_attr_cb, pr) < 0 ||
	    !pr[CTA_PROTO_NUM])
		return -1;
	if (ip[CTA_IP_V4_SRC]) {
		t->src = ngd_addr4(mnl_attr_get_u32(ip[CTA_IP_V4_SRC]));
		t->dst = ngd_addr4(ip[CTA_IP_V4_DST] ? mnl_attr_get_u32(ip[CTA_IP_V4_DST]) : 0);
	} else if (ip[CTA_IP_V6_SRC] && mnl_attr_get_payload_len(ip[CTA_IP_V6_SRC]) == 16) {
		t->src.family = t->dst.family = AF_INET6;
		memcpy(t->src.v6, mnl_attr_get_payload(ip[CTA_IP_V6_SRC]), 16);
		if (ip[CTA_IP_V6_DST] && mnl_attr_get_payload_len(ip[CTA_IP_V6_DST]) == 16)
			memcpy(t->dst.v6, mnl_attr_get_payload(ip[CTA_IP_V6_DST]), 16);
	} else {
		return -1;
	}
	*proto = mnl_attr_get_u8(pr[CTA_PROTO_NUM]);
	t->sport = pr[CTA_PROTO_SRC_PORT] ? mnl_attr_get_u16(pr[CTA_PROTO_SRC_PORT]) : 0;
	t->dport = pr[CTA_PROTO_DST_PORT] ? mnl_attr_get_u16(pr[CTA_PROTO_DST_PORT]) : 0;
	return 0;
}

/*
 * Create or refresh one expectation.  The message is built with libmnl:
 * libnetfilter_conntrack 1.0.9 silently leaves CTA_EXPECT_NAT and
 * CTA_EXPECT_FN out of the messages it builds, and both are needed here.
 */
struct nlmsghdr *exp_new_msg(char *buf, const struct ngd_conn *m, const struct gre_exp *e)
{
	struct nlmsghdr *nlh = put_hdr(buf, NFNL_SUBSYS_CTNETLINK_EXP, IPCTNL_MSG_EXP_NEW,
				       NLM_F_CREATE, e->src.family);
	struct ngd_addr all = { .family = e->src.family };
	struct nlattr *nat;

	memset(all.v6, 0xff, sizeof(all.v6));
	put_tuple(nlh, CTA_EXPECT_MASTER, &m->orig.src, &m->orig.dst, IPPROTO_TCP,
		  m->orig.sport, m->orig.dport);
	put_tuple(nlh, CTA_EXPECT_TUPLE, &e->src, &e->dst, IPPROTO_GRE, htons(e->skey),
		  htons(e->key));
	put_tuple(nlh, CTA_EXPECT_MASK, &all, &all, IPPROTO_GRE, 0, 0xffff);
	mnl_attr_put_u32(nlh, CTA_EXPECT_TIMEOUT, htonl(cfg.gre_timeout));
	mnl_attr_put_u32(nlh, CTA_EXPECT_FLAGS, htonl(NF_CT_EXPECT_PERMANENT));
	if (e->nat) {
		nat = mnl_attr_nest_start(nlh, CTA_EXPECT_NAT);
		mnl_attr_put_u32(nlh, CTA_EXPECT_NAT_DIR, htonl(e->nat_dir));
		/* the kernel keeps the NAT tuple's source part: address and key */
		put_tuple(nlh, CTA_EXPECT_NAT_TUPLE, &e->nat_addr, NULL, IPPROTO_GRE,
			  htons(e->nat_key), 0);
		mnl_attr_nest_end(nlh, nat);
		mnl_attr_put_strz(nlh, CTA_EXPECT_FN, EXP_NAT_FN);
	}
	return nlh;
}

/* A request naming GRE @src -> @dst key @key (any source key) as its @attr. */
static struct nlmsghdr *gre_tuple_msg(char *buf, uint8_t subsys, uint8_t type, uint16_t attr,
				      const struct ngd_addr *src, const struct ngd_addr *dst,
				      uint16_t key)
{
	struct nlmsghdr *nlh = put_hdr(buf, subsys, type, 0, src->family);

	put_tuple(nlh, attr, src, dst, IPPROTO_GRE, 0, key);
	return nlh;
}

/* Remove the expectation of GRE @src -> @dst key @key. */
struct nlmsghdr *exp_unexpect_msg(char *buf, const struct ngd_addr *src,
				  const struct ngd_addr *dst, uint16_t key)
{
	return gre_tuple_msg(buf, NFNL_SUBSYS_CTNETLINK_EXP, IPCTNL_MSG_EXP_DELETE,
			     CTA_EXPECT_TUPLE, src, dst, key);
}

static int exp_unexpect(const struct ngd_addr *src, const struct ngd_addr *dst, uint16_t key)
{
	char buf[NGD_NL_BUF];

	return talk(exp_unexpect_msg(buf, src, dst, key));
}

/*
 * Remove the GRE conntrack @src -> @dst key @key an expectation created:
 * its source key is 0, as only the in-kernel helper fills it.
 */
struct nlmsghdr *gre_ct_delete_msg(char *buf, const struct ngd_addr *src,
				   const struct ngd_addr *dst, uint16_t key)
{
	return gre_tuple_msg(buf, NFNL_SUBSYS_CTNETLINK, IPCTNL_MSG_CT_DELETE, CTA_TUPLE_ORIG,
			     src, dst, key);
}

/* CTA_EXPECT_* of one ctnetlink expectation message into @e; -1: not a GRE one of ours. */
static int exp_parse(const struct nlmsghdr *nlh, struct cth_exp *e)
{
	const struct nlattr *tb[CTA_MAX + 1] = { NULL }, *nat[CTA_MAX + 1] = { NULL };
	struct ngd_tuple nt;
	uint8_t proto, mproto, nproto;

	memset(e, 0, sizeof(*e));
	if (mnl_attr_parse(nlh, sizeof(struct nfgenmsg), tuple_attr_cb, tb) < 0 ||
	    !tb[CTA_EXPECT_TUPLE] || !tb[CTA_EXPECT_MASTER] || !tb[CTA_EXPECT_HELP_NAME] ||
	    strcmp(mnl_attr_get_str(tb[CTA_EXPECT_HELP_NAME]), CTH_NAME) ||
	    parse_tuple(tb[CTA_EXPECT_TUPLE], &e->tuple, &proto) < 0 || proto != IPPROTO_GRE ||
	    parse_tuple(tb[CTA_EXPECT_MASTER], &e->master, &mproto) < 0 ||
	    mproto != IPPROTO_TCP)
		return -1;
	if (tb[CTA_EXPECT_NAT] &&
	    mnl_attr_parse_nested(tb[CTA_EXPECT_NAT], tuple_attr_cb, nat) >= 0 &&
	    nat[CTA_EXPECT_NAT_TUPLE] &&
	    parse_tuple(nat[CTA_EXPECT_NAT_TUPLE], &nt, &nproto) == 0) {
		e->nat = true;
		e->nat_addr = nt.src;
		e->nat_key = nt.sport;
	}
	return 0;
}

struct dump_arg {
	cth_exp_cb cb;
	void *arg;
};

static int dump_cb(const struct nlmsghdr *nlh, void *data)
{
	struct dump_arg *d = data;
	struct cth_exp e;

	if (exp_parse(nlh, &e) == 0)
		d->cb(&e, d->arg);
	return MNL_CB_OK;
}

/* Every GRE expectation of helper pptp-ng. */
int expect_dump(cth_exp_cb cb, void *arg)
{
	char buf[NGD_NL_BUF];
	/* AF_UNSPEC: every family's (parse_tuple reads both) */
	struct nlmsghdr *nlh = put_hdr(buf, NFNL_SUBSYS_CTNETLINK_EXP, IPCTNL_MSG_EXP_GET,
				       NLM_F_DUMP, AF_UNSPEC);
	struct dump_arg d = { cb, arg };

	return talk_cb(nlh, dump_cb, &d);
}

/*
 * The two directions of a call.  nat-follow-master sets the expected
 * connection's source to master[!dir].dst and its destination to
 * master[!dir].src with the saved key: for the inbound half, !dir is the
 * direction the inside host sends in; for the outbound half the other.
 *
 * An inbound half made before the peer named its ID (@complete false: a
 * call the inside host places, "When the mappings appear") keeps for its
 * life the inside host's own ID as its source key instead, which the
 * outbound half made at CALL_UP carries too: the pair's link where the NAT
 * is lost (a backup firewall's copy, docs/ha.md).
 */
void gre_exps(const struct ngd_gre *g, bool complete, struct gre_exp e[EXP_HALVES])
{
	unsigned int inside_dir = ngd_addr_eq(&g->conn.orig.src, &g->inside) ? 0 : 1;
	bool nat = !ngd_addr_eq(&g->inside, &g->public);

	e[0] = (struct gre_exp){ .src = g->peer, .dst = g->public, .key = g->in_xid,
				 .skey = complete ? g->peer_id : g->in_id, .nat = nat,
				 .nat_dir = !inside_dir, .nat_addr = g->inside,
				 .nat_key = g->in_id, .what = "inbound" };
	e[1] = (struct gre_exp){ .src = g->inside, .dst = g->peer, .key = g->peer_id,
				 .skey = g->in_id, .nat = nat, .nat_dir = inside_dir,
				 .nat_addr = g->peer, .nat_key = g->peer_id, .what = "outbound" };
}

/* Our helper data for the control connection (ctnetlink: CTA_HELP_INFO). */
static struct nlmsghdr *priv_msg(char *buf, const struct ngd_conn *c, const struct cth_priv *p)
{
	struct nlmsghdr *nlh = put_hdr(buf, NFNL_SUBSYS_CTNETLINK, IPCTNL_MSG_CT_NEW, 0,
				       c->orig.src.family);
	struct nlattr *help;

	put_tuple(nlh, CTA_TUPLE_ORIG, &c->orig.src, &c->orig.dst, IPPROTO_TCP, c->orig.sport,
		  c->orig.dport);
	help = mnl_attr_nest_start(nlh, CTA_HELP);
	mnl_attr_put_strz(nlh, CTA_HELP_NAME, CTH_NAME);
	mnl_attr_put(nlh, CTA_HELP_INFO, CTH_PRIV_LEN, p);
	mnl_attr_nest_end(nlh, help);
	return nlh;
}

/*
 * The inside host's role and the pairs of IDs of @s's calls into @p:
 * first @nfirst calls coming up now (@first, newest first: a restart most
 * needs the newest), then the programmed ones.  False while the role is
 * not known (no call seen): nothing worth writing.
 */
static bool pairs_of(const struct session *s, const struct ngd_gre *const *first,
		     unsigned int nfirst, struct cth_priv *p)
{
	unsigned int i;

	if (s->t.role[s->inside_dir] > PPTP_PAC)
		return false;
	*p = (struct cth_priv){ .version = CTH_PRIV_VERSION,
				.inside_role = s->t.role[s->inside_dir] };
	for (i = 0; i < nfirst && p->npairs < CTH_PRIV_PAIRS; i++) {
		p->pair[p->npairs].in_id = htons(first[i]->in_id);
		p->pair[p->npairs].peer_id = htons(first[i]->peer_id);
		p->npairs++;
	}
	for (i = 0; i < cfg.max_calls && p->npairs < CTH_PRIV_PAIRS; i++) {
		if (!s->ext[i].programmed)
			continue;
		p->pair[p->npairs].in_id = htons(s->ext[i].g.in_id);
		p->pair[p->npairs].peer_id = htons(s->ext[i].g.peer_id);
		p->npairs++;
	}
	return true;
}

/*
 * The session of call @g, coming up, whose helper data should now name
 * it; NULL if @g is only a refresh (its slot is marked programmed
 * already) or the session is gone.
 */
struct session *cth_pairs_session(const struct ngd_gre *g)
{
	struct ngd_tuple fwd;
	struct session *s;
	unsigned int dir, i;

	ct_forward_tuple(&g->conn, &fwd);
	s = session_find(&fwd, &dir);
	if (!s)
		return NULL;
	for (i = 0; i < cfg.max_calls; i++)
		if (s->ext[i].programmed && s->ext[i].g.in_xid == g->in_xid)
			return NULL;
	return s;
}

/*
 * The helper data message of @s: its inside host's role, @first (@nfirst
 * calls coming up now, newest first) and its other live calls.  NULL when
 * there is nothing worth writing yet.
 */
struct nlmsghdr *cth_pairs_msg(char *buf, const struct session *s,
			       const struct ngd_gre *const *first, unsigned int nfirst)
{
	struct cth_priv p;

	return pairs_of(s, first, nfirst, &p) ? priv_msg(buf, &s->c, &p) : NULL;
}

/*
 * Remove the expectation @e alone: one conntrackd copied, which has lost
 * its NAT and expectfn and which a new one on its tuple would only
 * refresh.
 */
int cth_exp_remove(const struct cth_exp *e)
{
	int ret = exp_unexpect(&e->tuple.src, &e->tuple.dst, e->tuple.dport);

	return ret == -ENOENT ? 0 : ret;
}

/* ---- the master: tuples and helper data ---- */

struct master_arg {
	struct ngd_conn *c;
	struct cth_priv *p;
	bool found;
	uint8_t tcp_state;
};

/* CTA_PROTOINFO -> CTA_PROTOINFO_TCP -> CTA_PROTOINFO_TCP_STATE, or 0 */
static uint8_t tcp_state(const struct nlattr *protoinfo)
{
	const struct nlattr *pi[CTA_MAX + 1] = { NULL }, *tcp[CTA_MAX + 1] = { NULL };

	if (!protoinfo || mnl_attr_parse_nested(protoinfo, tuple_attr_cb, pi) < 0 ||
	    !pi[CTA_PROTOINFO_TCP] ||
	    mnl_attr_parse_nested(pi[CTA_PROTOINFO_TCP], tuple_attr_cb, tcp) < 0 ||
	    !tcp[CTA_PROTOINFO_TCP_STATE])
		return 0;
	return mnl_attr_get_u8(tcp[CTA_PROTOINFO_TCP_STATE]);
}

static int master_cb(const struct nlmsghdr *nlh, void *data)
{
	const struct nlattr *tb[CTA_MAX + 1] = { NULL }, *help[CTA_MAX + 1] = { NULL };
	struct master_arg *m = data;
	uint8_t p1, p2;

	if (mnl_attr_parse(nlh, sizeof(struct nfgenmsg), tuple_attr_cb, tb) < 0 ||
	    !tb[CTA_TUPLE_ORIG] || !tb[CTA_TUPLE_REPLY] ||
	    parse_tuple(tb[CTA_TUPLE_ORIG], &m->c->orig, &p1) < 0 ||
	    parse_tuple(tb[CTA_TUPLE_REPLY], &m->c->reply, &p2) < 0)
		return MNL_CB_OK;
	m->found = true;
	m->tcp_state = tcp_state(tb[CTA_PROTOINFO]);
	if (tb[CTA_HELP] && mnl_attr_parse_nested(tb[CTA_HELP], tuple_attr_cb, help) >= 0 &&
	    help[CTA_HELP_NAME] && !strcmp(mnl_attr_get_str(help[CTA_HELP_NAME]), CTH_NAME) &&
	    help[CTA_HELP_INFO] && mnl_attr_get_payload_len(help[CTA_HELP_INFO]) >= CTH_PRIV_LEN)
		memcpy(m->p, mnl_attr_get_payload(help[CTA_HELP_INFO]), CTH_PRIV_LEN);
	return MNL_CB_OK;
}

/*
 * The control connection whose original direction is @orig, with our
 * helper data (zeroed if none).  -ENOENT also when its TCP connection is
 * closing or closed (FIN seen, TIME_WAIT...): its calls are over.
 */
int cth_master_get(const struct ngd_tuple *orig, struct ngd_conn *c, struct cth_priv *p)
{
	char buf[NGD_NL_BUF];
	struct nlmsghdr *nlh = put_hdr(buf, NFNL_SUBSYS_CTNETLINK, IPCTNL_MSG_CT_GET, 0,
				       orig->src.family);
	struct master_arg m = { c, p, false, 0 };
	int ret;

	memset(p, 0, sizeof(*p));
	put_tuple(nlh, CTA_TUPLE_ORIG, &orig->src, &orig->dst, IPPROTO_TCP, orig->sport,
		  orig->dport);
	ret = ct_talk(nlh, master_cb, &m);
	if (!ret && (!m.found || m.tcp_state > TCP_CONNTRACK_ESTABLISHED))
		ret = -ENOENT;
	return ret;
}
