// SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
/*
 * pptp-fuzzpkt: a packet-level fuzzer for the faces.  It plays the core
 * fuzzer's scripts (tests/fuzz/script.h: both directions of a control
 * connection, retransmissions, gaps, GRE) as real packets through a
 * firewall: each script becomes a TCP connection between a client and a
 * server namespace, its bytes cut into random segments, some sent twice
 * or out of order, with RSTs, SYNs and ICMP errors about the connection
 * mixed in.  Nothing answers them (the test drops them at the server):
 * the point is what the firewall's helper makes of them.
 *
 *   pptp-fuzzpkt --client-ns PATH --server-ns PATH --client ADDR --server ADDR
 *                --public ADDR --segments N [--seed S] SCRIPT...
 *
 * The client namespace's packets go client -> server:1723, the server's
 * go server:1723 -> public (the client's address after the firewall's
 * NAT; the client's own address when it routes).  Each connection takes
 * a new client port.  Exit 0 once N segments went out, 1 on a socket
 * error, 2 on usage.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sched.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "pptp_ng/wire.h"

#include "../fuzz/script.h"

#define STREAM_MAX	(1 << 16)
#define SEG_MAX		1400

struct conn {
	uint32_t client, server, public;	/* network order */
	uint16_t cport;				/* host order */
	uint32_t isn[2];
	uint32_t sent[2];			/* stream bytes sent per direction */
	uint8_t hist[2][STREAM_MAX];
};

static int raw[2];			/* 0: in the client namespace, 1: the server's */
static unsigned long segments, want;
static uint32_t rng = 1;

static uint32_t rnd(void)
{
	/* xorshift32: reproducible from --seed, no libc state */
	rng ^= rng << 13;
	rng ^= rng >> 17;
	rng ^= rng << 5;
	return rng;
}

/* An IPv4 packet of @proto with @len bytes of @l4 from @src to @dst, out of raw[@side]. */
static void send_ip(int side, uint32_t src, uint32_t dst, uint8_t proto, const uint8_t *l4,
		    size_t len)
{
	uint8_t pkt[20 + SEG_MAX + 64];
	struct sockaddr_in to = { .sin_family = AF_INET };

	memset(pkt, 0, 20);
	pkt[0] = 0x45;
	pptp_put16(pkt + 2, (uint16_t)(20 + len));
	pptp_put16(pkt + 4, (uint16_t)rnd());
	pkt[8] = 64;
	pkt[9] = proto;
	memcpy(pkt + 12, &src, 4);
	memcpy(pkt + 16, &dst, 4);
	pptp_put16(pkt + 10, pptp_csum_fold(pptp_csum_add(0, pkt, 20)));
	memcpy(pkt + 20, l4, len);
	to.sin_addr.s_addr = dst;
	if (sendto(raw[side], pkt, 20 + len, 0, (struct sockaddr *)&to, sizeof(to)) < 0 &&
	    errno != ENOBUFS && errno != EPERM) {
		perror("pptp-fuzzpkt: send");
		exit(1);
	}
	segments++;
}

/* Direction @dir's endpoints: 0 client -> server:1723, 1 server:1723 -> public. */
static void ends(const struct conn *c, int dir, uint32_t *src, uint32_t *dst, uint16_t *sp,
		 uint16_t *dp)
{
	*src = dir ? c->server : c->client;
	*dst = dir ? c->public : c->server;
	*sp = dir ? 1723 : c->cport;
	*dp = dir ? c->cport : 1723;
}

static void send_tcp(const struct conn *c, int dir, uint8_t flags, uint32_t seq,
		     const uint8_t *data, size_t len)
{
	uint8_t t[20 + SEG_MAX];
	uint8_t ph[12];
	uint32_t src, dst;
	uint16_t sp, dp;

	ends(c, dir, &src, &dst, &sp, &dp);
	memset(t, 0, 20);
	pptp_put16(t, sp);
	pptp_put16(t + 2, dp);
	pptp_put32(t + 4, seq);
	pptp_put32(t + 8, c->isn[!dir] + 1 + c->sent[!dir]);
	t[12] = 5 << 4;
	t[13] = flags;
	pptp_put16(t + 14, 65535);
	if (len)
		memcpy(t + 20, data, len);
	memcpy(ph, &src, 4);
	memcpy(ph + 4, &dst, 4);
	ph[8] = 0;
	ph[9] = IPPROTO_TCP;
	pptp_put16(ph + 10, (uint16_t)(20 + len));
	pptp_put16(t + 16, pptp_csum_fold(pptp_csum_add(pptp_csum_add(0, ph, 12), t, 20 + len)));
	send_ip(dir, src, dst, IPPROTO_TCP, t, 20 + len);
}

/* @len bytes at stream offset @off of @dir, cut into random segments. */
static void send_span(const struct conn *c, int dir, uint32_t off, const uint8_t *data,
		      size_t len)
{
	while (len) {
		size_t n = len;

		if (n > SEG_MAX)
			n = SEG_MAX;
		switch (rnd() % 4) {
		case 0: n = 1 + rnd() % n; break;		/* anywhere */
		case 1: n = n < 16 ? n : 1 + rnd() % 16; break;	/* inside a head */
		default: break;					/* whole */
		}
		send_tcp(c, dir, TH_PUSH | TH_ACK, c->isn[dir] + 1 + off, data, n);
		off += (uint32_t)n;
		data += n;
		len -= n;
	}
}

/* An ICMP error about a segment of @dir, quoting an IP ID that reads as RST. */
static void send_icmp(const struct conn *c, int dir)
{
	static const uint8_t kinds[][2] = { { 3, 1 }, { 3, 3 }, { 3, 4 }, { 11, 0 }, { 12, 0 } };
	const uint8_t *k = kinds[rnd() % 5];
	uint8_t m[8 + 28] = { 0 };
	uint32_t src, dst;
	uint16_t sp, dp;

	ends(c, dir, &src, &dst, &sp, &dp);
	m[0] = k[0];
	m[1] = k[1];
	m[8] = 0x45;
	pptp_put16(m + 10, 40);
	pptp_put16(m + 12, rnd() & 1 ? 0xf004 : (uint16_t)rnd());
	m[16] = 64;
	m[17] = IPPROTO_TCP;
	memcpy(m + 20, &src, 4);
	memcpy(m + 24, &dst, 4);
	pptp_put16(m + 28, sp);
	pptp_put16(m + 30, dp);
	pptp_put32(m + 32, c->isn[dir] + 1 + c->sent[dir]);
	pptp_put16(m + 2, pptp_csum_fold(pptp_csum_add(0, m, sizeof(m))));
	/* from the other side, to the quoted packet's source */
	send_ip(!dir, dir ? c->public : c->server, src, IPPROTO_ICMP, m, sizeof(m));
}

/* Now and then: a RST, a SYN or an ICMP error, in or out of the window. */
static void mischief(const struct conn *c)
{
	int dir = (int)(rnd() & 1);
	uint32_t seq = c->isn[dir] + 1 + c->sent[dir];

	switch (rnd() % 16) {
	case 0: send_tcp(c, dir, TH_RST, seq + rnd() % 70000, NULL, 0); break;
	case 1: send_tcp(c, dir, TH_RST, rnd(), NULL, 0); break;
	case 2: send_tcp(c, dir, TH_SYN, rnd(), NULL, 0); break;
	case 3: case 4: send_icmp(c, dir); break;
	default: break;
	}
}

struct script {
	const uint8_t *p;
	size_t left;
};

static uint8_t s_byte(struct script *s)
{
	if (!s->left)
		return 0;
	s->left--;
	return *s->p++;
}

static uint32_t s_len(struct script *s)
{
	uint8_t b = s_byte(s);

	return b < 0xf0 ? b : (uint32_t)(b & 0x0f) << 8 | s_byte(s);
}

static const uint8_t *s_bytes(struct script *s, uint32_t want_len, uint32_t *got)
{
	const uint8_t *p = s->p;

	*got = want_len < s->left ? want_len : (uint32_t)s->left;
	s->p += *got;
	s->left -= *got;
	return p;
}

/* New bytes of @dir: into the history, then out. */
static void op_next(struct conn *c, int dir, const uint8_t *p, uint32_t n)
{
	uint32_t i;

	for (i = 0; i < n; i++)
		c->hist[dir][(c->sent[dir] + i) % STREAM_MAX] = p[i];
	send_span(c, dir, c->sent[dir], p, n);
	c->sent[dir] += n;
}

static void op_retrans(struct conn *c, int dir, struct script *s)
{
	uint8_t seg[STREAM_MAX / 16];
	uint32_t back = s_byte(s), len = s_len(s), old, i, got;
	const uint8_t *p;

	if (back > c->sent[dir])
		back = c->sent[dir];
	old = back < len ? back : len;
	if (old > sizeof(seg))
		old = sizeof(seg);
	for (i = 0; i < old; i++)
		seg[i] = c->hist[dir][(c->sent[dir] - back + i) % STREAM_MAX];
	send_span(c, dir, c->sent[dir] - back, seg, old);
	p = s_bytes(s, len - old, &got);
	op_next(c, dir, p, got);
}

/* Bytes ahead of the stream: a segment after a gap (reordering, loss). */
static void op_gap(struct conn *c, int dir, struct script *s)
{
	uint32_t skip = s_byte(s) + 1u, n;
	const uint8_t *p = s_bytes(s, s_len(s), &n);

	send_span(c, dir, c->sent[dir] + skip, p, n);
}

/* GRE from the client to the server, whatever the bytes say. */
static void op_gre(const struct conn *c, struct script *s)
{
	uint32_t n;
	const uint8_t *p = s_bytes(s, s_len(s), &n);

	if (n > SEG_MAX)
		n = SEG_MAX;
	send_ip(0, c->client, c->server, IPPROTO_GRE, p, n);
}

/* One script as one connection. */
static void play(struct conn *c, const uint8_t *buf, size_t len)
{
	struct script s = { buf + FZ_HDR_LEN, len > FZ_HDR_LEN ? len - FZ_HDR_LEN : 0 };
	uint32_t n;
	const uint8_t *p;

	c->cport = (uint16_t)(10000 + rnd() % 50000);
	c->isn[0] = rnd();
	c->isn[1] = rnd();
	c->sent[0] = c->sent[1] = 0;
	if (rnd() & 1) {	/* a handshake, so the helper knows where streams start */
		send_tcp(c, 0, TH_SYN, c->isn[0], NULL, 0);
		send_tcp(c, 1, TH_SYN | TH_ACK, c->isn[1], NULL, 0);
		send_tcp(c, 0, TH_ACK, c->isn[0] + 1, NULL, 0);
	}
	while (s.left && segments < want) {
		uint8_t op = s_byte(&s);
		int dir = op & FZ_OP_DIR;

		switch ((op >> FZ_OP_KIND_SHIFT) & FZ_OP_KIND_MASK) {
		case FZ_OP_RETRANS:
			op_retrans(c, dir, &s);
			break;
		case FZ_OP_GAP:
			op_gap(c, dir, &s);
			break;
		case FZ_OP_RESYNC:
			c->sent[dir] += s_byte(&s);	/* bytes that never come */
			break;
		case FZ_OP_GRE:
			op_gre(c, &s);
			break;
		default:
			p = s_bytes(&s, s_len(&s), &n);
			op_next(c, dir, p, n);
			break;
		}
		mischief(c);
	}
	if (rnd() & 1)	/* sometimes a FIN, sometimes nothing: conntrack ends it */
		send_tcp(c, (int)(rnd() & 1), TH_FIN | TH_ACK, c->isn[0] + 1 + c->sent[0], NULL, 0);
}

/* A raw IPv4 socket in the namespace at @path (ip netns' /run/netns/NAME). */
static int raw_in(const char *path)
{
	int self = open("/proc/self/ns/net", O_RDONLY), ns = open(path, O_RDONLY), fd, one = 1;

	if (self < 0 || ns < 0 || setns(ns, CLONE_NEWNET) < 0) {
		fprintf(stderr, "pptp-fuzzpkt: %s: %s\n", path, strerror(errno));
		exit(1);
	}
	fd = socket(AF_INET, SOCK_RAW, IPPROTO_RAW);
	if (fd < 0 || setsockopt(fd, IPPROTO_IP, IP_HDRINCL, &one, sizeof(one)) < 0) {
		perror("pptp-fuzzpkt: raw socket");
		exit(1);
	}
	if (setns(self, CLONE_NEWNET) < 0) {
		perror("pptp-fuzzpkt: setns back");
		exit(1);
	}
	close(ns);
	close(self);
	return fd;
}

static uint8_t *slurp(const char *path, size_t *len)
{
	static uint8_t buf[1 << 20];
	FILE *f = fopen(path, "rb");

	if (!f) {
		fprintf(stderr, "pptp-fuzzpkt: %s: %s\n", path, strerror(errno));
		exit(2);
	}
	*len = fread(buf, 1, sizeof(buf), f);
	fclose(f);
	return buf;
}

static uint32_t addr(const char *s)
{
	struct in_addr a;

	if (inet_pton(AF_INET, s, &a) != 1) {
		fprintf(stderr, "pptp-fuzzpkt: bad IPv4 address \"%s\"\n", s);
		exit(2);
	}
	return a.s_addr;
}

static void usage(void)
{
	fputs("usage: pptp-fuzzpkt --client-ns PATH --server-ns PATH --client ADDR --server ADDR\n"
	      "                    --public ADDR --segments N [--seed S] SCRIPT...\n", stderr);
	exit(2);
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "client-ns", required_argument, NULL, 'c' }, { "server-ns", required_argument, NULL, 's' },
		{ "client", required_argument, NULL, 'C' }, { "server", required_argument, NULL, 'S' },
		{ "public", required_argument, NULL, 'P' }, { "segments", required_argument, NULL, 'n' },
		{ "seed", required_argument, NULL, 'r' }, { NULL, 0, NULL, 0 }
	};
	static struct conn c;
	const char *cns = NULL, *sns = NULL;
	unsigned long rounds = 0;
	int o, i;

	while ((o = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (o) {
		case 'c': cns = optarg; break;
		case 's': sns = optarg; break;
		case 'C': c.client = addr(optarg); break;
		case 'S': c.server = addr(optarg); break;
		case 'P': c.public = addr(optarg); break;
		case 'n': want = strtoul(optarg, NULL, 0); break;
		case 'r': rng = (uint32_t)strtoul(optarg, NULL, 0) | 1; break;
		default: usage();
		}
	}
	if (!cns || !sns || !c.client || !c.server || !c.public || !want || optind >= argc)
		usage();
	raw[0] = raw_in(cns);
	raw[1] = raw_in(sns);
	while (segments < want) {
		for (i = optind; i < argc && segments < want; i++) {
			size_t len;
			const uint8_t *buf = slurp(argv[i], &len);

			play(&c, buf, len);
		}
		rounds++;
	}
	printf("pptp-fuzzpkt: %lu packets, %lu rounds over %d scripts, seed %u\n", segments,
	       rounds, argc - optind, rng);
	return 0;
}
