// SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
/*
 * pptp-sim's data channel: enhanced GRE through raw sockets, and the
 * checks every received packet goes through.
 *
 * Each call sends --packets data packets, with sequence numbers and, once
 * it heard from the peer, an acknowledgment.  When a call has received all
 * of its peer's packets it sends an ack-only packet, so the side that
 * clears calls knows its own packets arrived before it tears anything down.
 *
 * A data packet is matched to its call through the marker in its payload
 * (see sim.h); only then are its key and source compared with what the
 * call expects, so a NAT that delivers a packet with the wrong call ID is
 * caught rather than the packet being merely lost.  Ack-only packets carry
 * no marker: they are matched by key and source, and ignored otherwise
 * (their loss shows up as a call that never completes).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <unistd.h>

#include "sim.h"

#define GRE_TX_BUDGET	512	/* packets per loop iteration: control keeps flowing */
#define GRE_SOCK_BUF	(8 << 20)
#define GRE_LOG_LIMIT	10	/* misrouted packets logged, then only counted */

static u32 *txq;		/* ring of call indices with something to send */
static unsigned int txq_head, txq_len, txq_size;
static u64 tx_blocked_until;
static unsigned int misroute_logged;

/* ---- (session, value) -> call: open addressing, linear probing ---- */

static u64 *h_keys;
static u32 *h_vals;		/* call idx + 1, 0 free */
static unsigned int h_size, h_used;

static unsigned int h_slot(u64 key)
{
	return (unsigned int)((key * 0x9E3779B97F4A7C15ull) >> 32) & (h_size - 1);
}

static void h_grow(void)
{
	u64 *keys = h_keys;
	u32 *vals = h_vals;
	unsigned int i, old = h_size;

	h_size = h_size ? h_size * 2 : 1024;
	h_keys = calloc(h_size, sizeof(*h_keys));
	h_vals = calloc(h_size, sizeof(*h_vals));
	if (!h_keys || !h_vals) {
		fprintf(stderr, "pptp-sim: out of memory\n");
		exit(1);
	}
	h_used = 0;
	for (i = 0; i < old; i++)
		if (vals[i])
			hash_put(keys[i], vals[i] - 1);
	free(keys);
	free(vals);
}

void hash_put(u64 key, u32 idx)
{
	unsigned int i;

	if ((h_used + 1) * 2 > h_size)
		h_grow();
	for (i = h_slot(key); h_vals[i] && h_keys[i] != key; i = (i + 1) & (h_size - 1))
		;
	h_used += !h_vals[i];
	h_keys[i] = key;
	h_vals[i] = idx + 1;
}

struct call *hash_get(u64 key)
{
	unsigned int i;

	if (!h_size)
		return NULL;
	for (i = h_slot(key); h_vals[i]; i = (i + 1) & (h_size - 1))
		if (h_keys[i] == key)
			return sim->calls[h_vals[i] - 1];
	return NULL;
}

/* ---- sockets ---- */

static int raw_open(int family)
{
	int fd, sz = GRE_SOCK_BUF;

	fd = socket(family, SOCK_RAW | SOCK_NONBLOCK | SOCK_CLOEXEC, IPPROTO_GRE);
	if (fd < 0)
		return -1;
	/* Thousands of calls answer at once: keep bursts, root may exceed rmem_max. */
	if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &sz, sizeof(sz)) < 0)
		setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &sz, sizeof(sz));
	if (setsockopt(fd, SOL_SOCKET, SO_SNDBUFFORCE, &sz, sizeof(sz)) < 0)
		setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &sz, sizeof(sz));
	ep_set(fd, family == AF_INET ? EP_RAW4 : EP_RAW6, 0, EPOLLIN, true);
	return fd;
}

int gre_open(void)
{
	int family = sim->o.addr.ss_family;

	sim->raw4 = raw_open(AF_INET);
	sim->raw6 = raw_open(AF_INET6);
	/* The other family is only needed for v4-mapped peers: best effort. */
	if ((family == AF_INET ? sim->raw4 : sim->raw6) < 0) {
		perror("pptp-sim: raw GRE socket (needs CAP_NET_RAW)");
		return -1;
	}
	return 0;
}

/* ---- sending ---- */

static void txq_push(struct call *c)
{
	if (c->queued)
		return;
	if (txq_len == txq_size) {
		unsigned int i, n = txq_size ? txq_size * 2 : 256;
		u32 *q = malloc(n * sizeof(*q));

		if (!q) {
			fprintf(stderr, "pptp-sim: out of memory\n");
			exit(1);
		}
		for (i = 0; i < txq_len; i++)
			q[i] = txq[(txq_head + i) % txq_size];
		free(txq);
		txq = q;
		txq_size = n;
		txq_head = 0;
	}
	txq[(txq_head + txq_len++) % txq_size] = c->idx;
	c->queued = true;
}

static struct call *txq_pop(void)
{
	struct call *c = sim->calls[txq[txq_head]];

	txq_head = (txq_head + 1) % txq_size;
	txq_len--;
	c->queued = false;
	return c;
}

/* sendmsg with the control connection's local address as the source. */
static int raw_send(const struct session *s, const u8 *pkt, size_t len)
{
	union {
		char b[CMSG_SPACE(sizeof(struct in6_pktinfo))];
		struct cmsghdr align;
	} cb;
	struct iovec iov = { .iov_base = (void *)pkt, .iov_len = len };
	struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = cb.b };
	struct sockaddr_storage dst = s->peer;
	struct cmsghdr *cm;
	int fd;

	memset(&cb, 0, sizeof(cb));
	mh.msg_name = &dst;
	cm = (struct cmsghdr *)cb.b;
	if (dst.ss_family == AF_INET) {
		struct in_pktinfo pi = { 0 };

		((struct sockaddr_in *)&dst)->sin_port = 0;
		mh.msg_namelen = sizeof(struct sockaddr_in);
		pi.ipi_spec_dst = ((const struct sockaddr_in *)&s->local)->sin_addr;
		cm->cmsg_level = IPPROTO_IP;
		cm->cmsg_type = IP_PKTINFO;
		cm->cmsg_len = CMSG_LEN(sizeof(pi));
		memcpy(CMSG_DATA(cm), &pi, sizeof(pi));
		mh.msg_controllen = CMSG_SPACE(sizeof(pi));
		fd = sim->raw4;
	} else {
		struct in6_pktinfo pi = { 0 };

		((struct sockaddr_in6 *)&dst)->sin6_port = 0;
		mh.msg_namelen = sizeof(struct sockaddr_in6);
		pi.ipi6_addr = ((const struct sockaddr_in6 *)&s->local)->sin6_addr;
		cm->cmsg_level = IPPROTO_IPV6;
		cm->cmsg_type = IPV6_PKTINFO;
		cm->cmsg_len = CMSG_LEN(sizeof(pi));
		memcpy(CMSG_DATA(cm), &pi, sizeof(pi));
		mh.msg_controllen = CMSG_SPACE(sizeof(pi));
		fd = sim->raw6;
	}
	if (sendmsg(fd, &mh, 0) >= 0)
		return 0;
	if (errno == EAGAIN || errno == ENOBUFS || errno == EINTR)
		return -EAGAIN;
	if (sim->st.gre_tx_err++ < GRE_LOG_LIMIT)
		logv(0, "GRE send: %s", strerror(errno));
	return 0;	/* counted as sent: the peer will report it lost */
}

/* One packet for @c: the next data packet, else the pending ack. */
static int send_one(struct call *c)
{
	const struct session *s = call_sess(c);
	u8 pkt[PPTP_GRE_V1_MAX_LEN + SIM_PPP_HDR_LEN + SIM_MARKER_LEN];
	struct pptp_gre g = { .call_id = c->peer_id };
	bool data = c->tx_next < sim->o.packets;
	u8 *p;
	u16 hl;

	g.has_ack = c->rx_any;
	g.ack = c->rx_max_seq;
	if (data) {
		g.has_seq = 1;
		g.seq = c->tx_next;
		g.payload_len = SIM_PPP_HDR_LEN + SIM_MARKER_LEN;
	}
	hl = pptp_gre_build(pkt, &g);
	p = pkt + hl;
	if (data) {
		/* PPP in HDLC-like framing, protocol IPv4: looks like a tunnel. */
		p[0] = 0xff;
		p[1] = 0x03;
		pptp_put16(p + 2, 0x0021);
		p += SIM_PPP_HDR_LEN;
		pptp_put32(p, SIM_GRE_MAGIC);
		pptp_put32(p + 4, s->peer_token);
		pptp_put16(p + 8, c->serial);
		pptp_put16(p + 10, c->own_id);
		pptp_put32(p + 12, c->tx_next);
	}
	if (raw_send(s, pkt, hl + g.payload_len))
		return -EAGAIN;
	if (data) {
		c->tx_next++;
		sim->st.gre_sent++;
		logv(2, "GRE -> call %u key %u seq %u", c->own_id, c->peer_id, g.seq);
	} else {
		c->ack_pending = false;
		sim->st.acks_sent++;
	}
	return 0;
}

/* --ppp-script: one GRE data packet carrying @frame as it is. */
int gre_send_frame(struct call *c, const u8 *frame, u16 len)
{
	u8 pkt[PPTP_GRE_V1_MAX_LEN + 256];
	struct pptp_gre g = { .call_id = c->peer_id, .has_seq = 1, .payload_len = len };
	u16 hl;

	if (len > 256)
		return -EINVAL;
	g.seq = c->tx_next;
	g.has_ack = c->rx_any;
	g.ack = c->rx_max_seq;
	hl = pptp_gre_build(pkt, &g);
	memcpy(pkt + hl, frame, len);
	if (raw_send(call_sess(c), pkt, hl + len))
		return -EAGAIN;
	c->tx_next++;
	sim->st.gre_sent++;
	return 0;
}

/*
 * --gre-pause: a call that has sent half its packets (with --gre-pauses
 * N, each (N+1)th of them) holds until every call of its session has,
 * then the whole process goes quiet, as idle tunnels: each call direction
 * has carried GRE before the silence.  SIGUSR1 ends a silence early (a
 * test that changed the path meanwhile: a firewall failover).
 */
enum { GO_ON, HELD, PAUSED };

static unsigned int pause_point(unsigned int k)
{
	return k * sim->o.packets / (sim->o.gre_pauses + 1);
}

static int hold_at_pause(struct call *c)
{
	struct session *s = call_sess(c);
	unsigned int i;

	if (!sim->o.gre_pause_s || c->pauses == sim->o.gre_pauses ||
	    c->tx_next != pause_point(c->pauses + 1))
		return GO_ON;
	c->pauses++;
	if (++s->n_at_pause < sim->o.calls)
		return HELD;
	s->n_at_pause = 0;
	s->pauses_done = c->pauses;
	logv(1, "GRE paused for %u s", sim->o.gre_pause_s);
	fprintf(stderr, "pptp-sim: GRE paused (%u of %u)\n", c->pauses, sim->o.gre_pauses);
	tx_blocked_until = now_ms() + sim->o.gre_pause_s * 1000ull;
	for (i = 0; i < sim->n_calls; i++)
		if (sim->calls[i]->sess == c->sess && sim->calls[i]->pauses == c->pauses)
			txq_push(sim->calls[i]);
	return PAUSED;
}

static bool held(const struct call *c)
{
	return c->pauses > call_sess(c)->pauses_done;
}

void gre_pause_end(void)
{
	if (sim->o.gre_pause_s)
		tx_blocked_until = 0;
}

/*
 * --gre-after-peer: the answering side's first packet would otherwise race
 * the call's reply (OCRP/ICRP) through the firewall and may find no
 * expectation yet (a userspace helper opens it while holding the reply);
 * pptp-sim, unlike PPP, never sends a packet twice.
 */
static bool gre_waits(const struct call *c)
{
	return sim->o.gre_after_peer && !c->originator && !c->rx_any;
}

void gre_call_up(struct call *c)
{
	if (script_active()) {
		script_call_up(c);
		return;
	}
	if (sim->o.packets && !gre_waits(c))
		txq_push(c);
}

int gre_tx_timer(void)
{
	u64 now;

	if (!txq_len)
		return -1;
	now = now_ms();
	return tx_blocked_until > now ? (int)(tx_blocked_until - now) : 0;
}

/*
 * Send what the queue holds.  With --gre-interval each queued call sends
 * one packet per round and the next round waits: GRE keeps flowing while
 * a test does something else to the firewall (hostile traffic, a restart).
 */
void gre_tx_run(void)
{
	unsigned int budget = GRE_TX_BUDGET;
	struct call *c;

	if (!txq_len || gre_tx_timer() > 0)
		return;
	if (sim->o.gre_interval_ms) {
		budget = txq_len;
		tx_blocked_until = now_ms() + sim->o.gre_interval_ms;
	}
	while (txq_len && budget--) {
		c = txq_pop();
		if ((c->state != CALL_UP && c->state != CALL_CLEARING) || held(c))
			continue;
		if (send_one(c)) {
			txq_push(c);
			tx_blocked_until = now_ms() + 1;
			return;
		}
		switch (hold_at_pause(c)) {
		case HELD:
			continue;
		case PAUSED:
			return;
		}
		if (c->tx_next < sim->o.packets || c->ack_pending)
			txq_push(c);
		else
			proto_call_progress(c);
	}
}

/* ---- receiving ---- */

static bool same_addr(const struct sockaddr_storage *a, const struct sockaddr_storage *b)
{
	if (a->ss_family != b->ss_family)
		return false;
	if (a->ss_family == AF_INET)
		return ((const struct sockaddr_in *)a)->sin_addr.s_addr ==
		       ((const struct sockaddr_in *)b)->sin_addr.s_addr;
	return !memcmp(&((const struct sockaddr_in6 *)a)->sin6_addr,
		       &((const struct sockaddr_in6 *)b)->sin6_addr, 16);
}

static void rx_ack(const struct pptp_gre *g, const struct sockaddr_storage *src)
{
	u32 i = sim->own_map[g->call_id];
	struct call *c = i ? sim->calls[i - 1] : NULL;

	if (!g->has_ack || !c || !same_addr(src, &call_sess(c)->peer)) {
		sim->st.gre_foreign++;
		return;
	}
	sim->st.acks_rx++;
	if (!c->peer_acked || (s32)(g->ack - c->peer_ack) > 0)
		c->peer_ack = g->ack;
	c->peer_acked = true;
	proto_call_progress(c);
}

static void misrouted(const struct call *c, const struct pptp_gre *g,
		      const struct sockaddr_storage *src)
{
	char a[64];

	if (misroute_logged++ >= GRE_LOG_LIMIT)
		return;
	logv(0, "MISROUTED: GRE for call %u (serial %u, session %u) arrived with key %u from %s",
	     c->own_id, c->serial, c->sess, g->call_id, addr_str(src, a, sizeof(a)));
}

/*
 * --ppp-script: a frame carries no marker, so its call is the one whose
 * ID its key names (no NAT between the peers that make such captures).
 */
static void rx_script(const struct pptp_gre *g, const u8 *pl, const struct sockaddr_storage *src)
{
	u32 i = sim->own_map[g->call_id];
	struct call *c = i ? sim->calls[i - 1] : NULL;

	if (!c || c->flood || !g->has_seq) {
		sim->st.gre_unknown++;
		return;
	}
	if (!same_addr(src, &call_sess(c)->peer)) {
		c->wrong_src++;
		misrouted(c, g, src);
		return;
	}
	sim->st.gre_rx++;
	if (!c->rx_any || (s32)(g->seq - c->rx_max_seq) > 0)
		c->rx_max_seq = g->seq;
	c->rx_any = true;
	script_rx(c, g, pl);
}

/* A data packet: find its call by marker, then check key and source. */
static void rx_data(const struct pptp_gre *g, const u8 *pl, const struct sockaddr_storage *src)
{
	u32 token, seq;
	struct call *c;

	if (script_active()) {
		rx_script(g, pl, src);
		return;
	}
	if (g->payload_len < SIM_PPP_HDR_LEN + SIM_MARKER_LEN ||
	    pptp_get32(pl + SIM_PPP_HDR_LEN) != SIM_GRE_MAGIC) {
		sim->st.gre_foreign++;
		return;
	}
	pl += SIM_PPP_HDR_LEN;
	token = pptp_get32(pl + 4);
	if (token >> 16 != sim->nonce) {
		sim->st.gre_foreign++;	/* another pptp-sim's */
		return;
	}
	c = (token & 0xffff) < sim->n_sess ?
		hash_get(KEY_SERIAL(token & 0xffff, pptp_get16(pl + 8))) : NULL;
	seq = pptp_get32(pl + 12);
	if (!c || c->flood || !g->has_seq || g->seq != seq) {
		sim->st.gre_unknown++;
		return;
	}
	if (g->call_id != c->own_id || !same_addr(src, &call_sess(c)->peer)) {
		c->wrong_id += g->call_id != c->own_id;
		c->wrong_src += g->call_id == c->own_id;
		misrouted(c, g, src);
		return;
	}
	sim->st.gre_rx++;
	logv(2, "GRE <- call %u seq %u", c->own_id, seq);
	if (c->rx >= sim->o.packets) {
		c->dup++;
		return;
	}
	c->rx++;
	if (gre_waits(c) && c->state == CALL_UP)
		txq_push(c);
	if (!c->rx_any || (s32)(seq - c->rx_max_seq) > 0)
		c->rx_max_seq = seq;
	c->rx_any = true;
	if (g->has_ack && (!c->peer_acked || (s32)(g->ack - c->peer_ack) > 0)) {
		c->peer_ack = g->ack;
		c->peer_acked = true;
	}
	if (c->rx == sim->o.packets) {
		c->ack_pending = true;
		txq_push(c);
	}
	proto_call_progress(c);
}

static void rx_packet(const u8 *p, size_t len, const struct sockaddr_storage *src)
{
	struct pptp_gre g;
	enum pptp_gre_status st = pptp_gre_parse(p, (u32)len, &g);

	if (st == PPTP_GRE_VERSION0) {
		sim->st.gre_foreign++;
		return;
	}
	if (st != PPTP_GRE_OK) {
		sim->st.gre_bad++;
		logv(0, "bad GRE packet: %s", pptp_gre_status_name(st));
		return;
	}
	if (!g.payload_len)
		rx_ack(&g, src);
	else
		rx_data(&g, p + g.hdr_len, src);
}

void gre_rx(int fd, int family)
{
	u8 buf[2048];
	struct sockaddr_storage src;
	socklen_t sl;
	ssize_t n;
	size_t ihl;

	for (;;) {
		sl = sizeof(src);
		n = recvfrom(fd, buf, sizeof(buf), 0, (struct sockaddr *)&src, &sl);
		if (n < 0) {
			if (errno != EAGAIN && errno != EINTR)
				perror("pptp-sim: GRE recv");
			return;
		}
		if (family == AF_INET6) {
			rx_packet(buf, (size_t)n, &src);
			continue;
		}
		/* IPv4 raw sockets hand over the IP header too. */
		ihl = n > 0 ? (size_t)(buf[0] & 0xf) * 4 : 0;
		if (ihl < 20 || (size_t)n < ihl) {
			sim->st.gre_bad++;
			continue;
		}
		rx_packet(buf + ihl, (size_t)n - ihl, &src);
	}
}
