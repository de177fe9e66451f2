// SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
/*
 * Conntrack through ctnetlink: the NAT binding of a control connection and
 * whether it still exists.  (nfnetlink_queue can attach the entry to each
 * queued packet, but only in kernels built with NETFILTER_NETLINK_GLUE_CT,
 * so the daemon asks once per control connection instead.)
 *
 * In the forward hook a packet shows the tuple conntrack calls original
 * or reply before the source translation, after the destination one: a
 * masqueraded client's packets show client -> server and server ->
 * client.  Looking up that tuple or its inverse finds the entry.
 */
#include <errno.h>
#include <string.h>
#include <arpa/inet.h>
#include <sys/socket.h>
#include <linux/netfilter/nf_conntrack_tcp.h>
#include <libnetfilter_conntrack/libnetfilter_conntrack.h>

#include "session.h"

/* The address in @ct's attribute @v4, or @v6 for an IPv6 entry. */
static struct ngd_addr ct_addr(const struct nf_conntrack *ct, enum nf_conntrack_attr v4,
			       enum nf_conntrack_attr v6)
{
	struct ngd_addr a = { .family = AF_INET };

	if (nfct_get_attr_u8(ct, ATTR_ORIG_L3PROTO) == AF_INET6) {
		a.family = AF_INET6;
		memcpy(a.v6, nfct_get_attr(ct, v6), sizeof(a.v6));
	} else {
		a.v4 = nfct_get_attr_u32(ct, v4);
	}
	return a;
}

/* A query's layer 3: the family and both addresses of @t. */
static void ct_set_addrs(struct nf_conntrack *ct, const struct ngd_tuple *t)
{
	nfct_set_attr_u8(ct, ATTR_L3PROTO, t->src.family);
	if (t->src.family == AF_INET6) {
		nfct_set_attr(ct, ATTR_IPV6_SRC, t->src.v6);
		nfct_set_attr(ct, ATTR_IPV6_DST, t->dst.v6);
	} else {
		nfct_set_attr_u32(ct, ATTR_IPV4_SRC, t->src.v4);
		nfct_set_attr_u32(ct, ATTR_IPV4_DST, t->dst.v4);
	}
}

/*
 * The tuples of the conntrack entry nfnetlink_queue attached to a packet
 * (NFQA_CT) into @c; false when it cannot be read.  A copy from when the
 * packet was queued: the entry may be gone since, its destroy event read
 * already, so nothing here stands for a lookup.
 */
bool ct_queued(const void *payload, size_t len, uint8_t family, struct ngd_conn *c)
{
	struct nf_conntrack *ct = nfct_new();
	bool ok;

	if (!ct)
		return false;
	ok = nfct_payload_parse(payload, len, family, ct) >= 0;
	if (ok)
		ct_tuples(ct, c);
	nfct_destroy(ct);
	return ok;
}

void ct_tuples(const struct nf_conntrack *ct, struct ngd_conn *c)
{
	c->orig.src = ct_addr(ct, ATTR_ORIG_IPV4_SRC, ATTR_ORIG_IPV6_SRC);
	c->orig.dst = ct_addr(ct, ATTR_ORIG_IPV4_DST, ATTR_ORIG_IPV6_DST);
	c->orig.sport = nfct_get_attr_u16(ct, ATTR_ORIG_PORT_SRC);
	c->orig.dport = nfct_get_attr_u16(ct, ATTR_ORIG_PORT_DST);
	c->reply.src = ct_addr(ct, ATTR_REPL_IPV4_SRC, ATTR_REPL_IPV6_SRC);
	c->reply.dst = ct_addr(ct, ATTR_REPL_IPV4_DST, ATTR_REPL_IPV6_DST);
	c->reply.sport = nfct_get_attr_u16(ct, ATTR_REPL_PORT_SRC);
	c->reply.dport = nfct_get_attr_u16(ct, ATTR_REPL_PORT_DST);
}

struct ct_answer {
	struct ngd_conn c;
	int tcp_state;
	uint32_t timeout;	/* seconds left */
};

static int got_ct(enum nf_conntrack_msg_type type, struct nf_conntrack *ct, void *data)
{
	struct ct_answer *a = data;

	(void)type;
	ct_tuples(ct, &a->c);
	a->tcp_state = nfct_attr_is_set(ct, ATTR_TCP_STATE) ?
		       nfct_get_attr_u8(ct, ATTR_TCP_STATE) : -1;
	a->timeout = nfct_attr_is_set(ct, ATTR_TIMEOUT) ? nfct_get_attr_u32(ct, ATTR_TIMEOUT) : 0;
	/* not STOP: the query must read on to its ack, or the next one reads it */
	return NFCT_CB_CONTINUE;
}

/* A ctnetlink request's result, counted in ct_errors unless it worked or found no entry. */
int ct_counted(int ret)
{
	if (ret < 0 && ret != -ENOENT)
		stats.ct_errors++;
	return ret;
}

/*
 * The entry one of whose directions is exactly @t.  One ctnetlink socket
 * for every lookup: opening and closing one per lookup cost milliseconds
 * (the close), and every queued packet waited behind it.
 */
static struct nfct_handle *h;

static int ct_get(const struct ngd_tuple *t, struct ct_answer *a)
{
	static bool unread;
	struct nf_conntrack *ct;
	char buf[4096];
	int ret;

	if (!h)
		h = nfct_open(CONNTRACK, 0);
	if (!h)
		return ct_counted(-errno);
	/* what a failed query left unread must not answer this one */
	while (unread && recv(nfct_fd(h), buf, sizeof(buf), MSG_DONTWAIT) > 0)
		;
	unread = false;
	ct = nfct_new();
	if (!ct)
		return -ENOMEM;
	ct_set_addrs(ct, t);
	nfct_set_attr_u8(ct, ATTR_L4PROTO, IPPROTO_TCP);
	nfct_set_attr_u16(ct, ATTR_PORT_SRC, t->sport);
	nfct_set_attr_u16(ct, ATTR_PORT_DST, t->dport);
	memset(a, 0, sizeof(*a));
	nfct_callback_register(h, NFCT_T_ALL, got_ct, a);
	ret = nfct_query(h, NFCT_Q_GET, ct) < 0 ? -errno : 0;
	unread = ret < 0 && ret != -ENOENT;
	nfct_destroy(ct);
	if (!ret && !a->c.orig.src.family)
		ret = -ENOENT;
	return ct_counted(ret);
}

static int ct_find(const struct ngd_tuple *t, struct ct_answer *a)
{
	struct ngd_tuple inv = { t->dst, t->src, t->dport, t->sport };
	int ret = ct_get(t, a);

	if (ret == -ENOENT)
		ret = ct_get(&inv, a);
	return ret;
}

/* The entry of the connection a forward-hook packet with tuple @t belongs to. */
int ct_lookup(const struct ngd_tuple *t, struct ngd_conn *c)
{
	struct ct_answer a;
	int ret = ct_find(t, &a);

	*c = a.c;
	return ret;
}

/* conntrack's TCP state of that connection now, or -errno (-ENOENT: none). */
int ct_tcp_state(const struct ngd_tuple *t)
{
	struct ct_answer a;
	int ret = ct_find(t, &a);

	if (ret < 0)
		return ret;
	return a.tcp_state < 0 ? -EINVAL : a.tcp_state;
}

/*
 * A RST off the exact sequence number, which the receiver does not take
 * (RFC 5961): conntrack keeps its entry ESTABLISHED but cuts its life to
 * the CLOSE timeout, 10 s, or, right after a SYN it let pass, takes the
 * RST and moves it to CLOSE.  Either way an idle control connection would
 * go with every call on it (the receiver's challenge ACK, which refreshes
 * the entry, comes at most every half second).  The entry gets @secs
 * instead, and ESTABLISHED again when @reopen (the caller knows the RST
 * is off; docs/userspace.md).  Returns 1 when it did, 0 when nothing
 * needed it, or -errno.
 */
int ct_rst_grace(const struct ngd_tuple *t, uint32_t secs, bool reopen)
{
	struct nf_conntrack *ct;
	struct ct_answer a;
	int ret = ct_find(t, &a);

	if (ret < 0)
		return ret;
	if (a.tcp_state == TCP_CONNTRACK_ESTABLISHED ? a.timeout >= secs :
	    !reopen || a.tcp_state != TCP_CONNTRACK_CLOSE)
		return 0;
	ct = nfct_new();
	if (!ct)
		return -ENOMEM;
	ct_set_addrs(ct, &a.c.orig);
	nfct_set_attr_u8(ct, ATTR_L4PROTO, IPPROTO_TCP);
	nfct_set_attr_u16(ct, ATTR_PORT_SRC, a.c.orig.sport);
	nfct_set_attr_u16(ct, ATTR_PORT_DST, a.c.orig.dport);
	nfct_set_attr_u32(ct, ATTR_TIMEOUT, secs);
	if (a.tcp_state == TCP_CONNTRACK_CLOSE)
		nfct_set_attr_u8(ct, ATTR_TCP_STATE, TCP_CONNTRACK_ESTABLISHED);
	nfct_callback_register(h, NFCT_T_ALL, got_ct, &a);
	ret = nfct_query(h, NFCT_Q_UPDATE, ct) < 0 ? -errno : 1;
	nfct_destroy(ct);
	return ct_counted(ret);
}

/* The original direction as the forward hook sees it: source as sent, destination as translated. */
void ct_forward_tuple(const struct ngd_conn *c, struct ngd_tuple *fwd)
{
	fwd->src = c->orig.src;
	fwd->sport = c->orig.sport;
	fwd->dst = c->reply.src;
	fwd->dport = c->reply.sport;
}

/* Whether conntrack still has the control connection; yes when unsure. */
bool ct_alive(const struct ngd_tuple *fwd)
{
	struct ngd_conn c;

	return ct_lookup(fwd, &c) != -ENOENT;
}
