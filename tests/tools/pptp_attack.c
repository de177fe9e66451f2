// SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
/*
 * pptp-attack: send the forged packets of the hostile-traffic suite
 * (tests/lib/attacks.sh), from a raw socket with any source address.
 *
 *   pptp-attack icmp --from A --to B --type T[/C] --quote S:P,D:P [--ipid N] [--count N]
 *       An ICMP (or ICMPv6) error from A to B quoting the first bytes of a
 *       TCP packet S:P -> D:P whose IP ID is N (default 0xf004: read as
 *       a TCP header, the ICMP error would say doff 15 and RST).
 *   pptp-attack tcp --from A:P --to B:P --flags SRAF --seq N [--ack N] [--count N]
 *       A bare TCP segment (SYN, RST...) with the given sequence number.
 *   pptp-attack gre --from A --to B --version 0|1 [--key K] [--count N]
 *       GRE packets: version 1 keyed K (PPTP), or version 0 (no key).
 *
 * Addresses are IPv4 or IPv6 (both ends the same family).  Every packet
 * is built whole, checksums included, so nothing on the way can tell it
 * from the real thing but the firewall's own state.  Exit 0 when every
 * packet went out, 1 on a send error, 2 on usage.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <netinet/in.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "pptp_ng/wire.h"

#define PKT_MAX		256

struct addr {
	int family;
	uint8_t a[16];
	uint16_t port;		/* host order */
};

struct opts {
	const char *what;
	struct addr from, to, qsrc, qdst;
	uint8_t type, code;
	uint16_t ipid;
	uint8_t flags;
	uint32_t seq, ack;
	unsigned int version, key, count;
};

static void usage(void)
{
	fputs("usage: pptp-attack icmp --from A --to B --type T[/C] --quote S:P,D:P [--ipid N] [--count N]\n"
	      "       pptp-attack tcp --from A:P --to B:P --flags SRAF --seq N [--ack N] [--count N]\n"
	      "       pptp-attack gre --from A --to B --version 0|1 [--key K] [--count N]\n", stderr);
	exit(2);
}

static void bad(const char *what, const char *s)
{
	fprintf(stderr, "pptp-attack: bad %s \"%s\"\n", what, s);
	exit(2);
}

static unsigned long number(const char *s, unsigned long max)
{
	char *end;
	unsigned long v;

	errno = 0;
	v = strtoul(s, &end, 0);
	if (errno || *end || !*s || v > max)
		bad("number", s);
	return v;
}

/* "192.0.2.1", "192.0.2.1:1723", "2001:db8::1", "[2001:db8::1]:1723" */
static void parse_addr(const char *s, struct addr *a, int want_port)
{
	char buf[128], *port = NULL, *host = buf;

	snprintf(buf, sizeof(buf), "%s", s);
	if (buf[0] == '[') {
		host = buf + 1;
		port = strchr(host, ']');
		if (!port)
			bad("address", s);
		*port++ = 0;
		port = *port == ':' ? port + 1 : NULL;
	} else if (strchr(buf, '.') && strchr(buf, ':')) {
		port = strchr(buf, ':');
		*port++ = 0;
	}
	if (inet_pton(AF_INET, host, a->a) == 1)
		a->family = AF_INET;
	else if (inet_pton(AF_INET6, host, a->a) == 1)
		a->family = AF_INET6;
	else
		bad("address", s);
	if (want_port && !port)
		bad("address (no port)", s);
	a->port = port ? (uint16_t)number(port, 65535) : 0;
}

static size_t alen(const struct addr *a)
{
	return a->family == AF_INET ? 4 : 16;
}

/* The pseudo-header sum of an L4 packet of @len bytes from @s to @d. */
static uint32_t pseudo(const struct addr *s, const struct addr *d, uint8_t proto, size_t len)
{
	uint8_t tail[8] = { 0 };
	uint32_t sum = pptp_csum_add(0, s->a, alen(s));

	sum = pptp_csum_add(sum, d->a, alen(d));
	if (s->family == AF_INET) {
		tail[1] = proto;
		pptp_put16(tail + 2, (uint16_t)len);
		return pptp_csum_add(sum, tail, 4);
	}
	pptp_put32(tail, (uint32_t)len);
	tail[7] = proto;
	return pptp_csum_add(sum, tail, 8);
}

/* An IP header (no options) for @len bytes of @proto from @s to @d. */
static size_t ip_header(uint8_t *p, const struct addr *s, const struct addr *d, uint8_t proto,
			size_t len, uint16_t id)
{
	if (s->family == AF_INET) {
		memset(p, 0, 20);
		p[0] = 0x45;
		pptp_put16(p + 2, (uint16_t)(20 + len));
		pptp_put16(p + 4, id);
		p[8] = 64;
		p[9] = proto;
		memcpy(p + 12, s->a, 4);
		memcpy(p + 16, d->a, 4);
		pptp_put16(p + 10, pptp_csum_fold(pptp_csum_add(0, p, 20)));
		return 20;
	}
	memset(p, 0, 40);
	p[0] = 0x60;
	pptp_put16(p + 4, (uint16_t)len);
	p[6] = proto;
	p[7] = 64;
	memcpy(p + 8, s->a, 16);
	memcpy(p + 24, d->a, 16);
	return 40;
}

/* The first 8 bytes of a TCP header, as ICMP quotes them. */
static size_t tcp8(uint8_t *p, const struct opts *o)
{
	pptp_put16(p, o->qsrc.port);
	pptp_put16(p + 2, o->qdst.port);
	pptp_put32(p + 4, o->seq ? o->seq : 0x12345678);
	return 8;
}

static size_t build_icmp(uint8_t *pkt, const struct opts *o)
{
	uint8_t l4[PKT_MAX];
	int v6 = o->from.family == AF_INET6;
	size_t n = 8, hl;

	memset(l4, 0, 8);
	l4[0] = o->type;
	l4[1] = o->code;
	if (!v6 && o->type == 3 && o->code == 4)
		pptp_put16(l4 + 6, 576);	/* fragmentation needed: next-hop MTU */
	n += ip_header(l4 + n, &o->qsrc, &o->qdst, IPPROTO_TCP, 40, o->ipid);
	n += tcp8(l4 + n, o);
	if (v6)
		pptp_put16(l4 + 2, pptp_csum_fold(pseudo(&o->from, &o->to, IPPROTO_ICMPV6, n) + pptp_csum_add(0, l4, n)));
	else
		pptp_put16(l4 + 2, pptp_csum_fold(pptp_csum_add(0, l4, n)));
	hl = ip_header(pkt, &o->from, &o->to, v6 ? IPPROTO_ICMPV6 : IPPROTO_ICMP, n, 0x4242);
	memcpy(pkt + hl, l4, n);
	return hl + n;
}

static size_t build_tcp(uint8_t *pkt, const struct opts *o)
{
	uint8_t t[20] = { 0 };
	size_t hl;

	pptp_put16(t, o->from.port);
	pptp_put16(t + 2, o->to.port);
	pptp_put32(t + 4, o->seq);
	pptp_put32(t + 8, o->ack);
	t[12] = 5 << 4;
	t[13] = o->flags;
	pptp_put16(t + 14, 8192);
	pptp_put16(t + 16, pptp_csum_fold(pseudo(&o->from, &o->to, IPPROTO_TCP, 20) + pptp_csum_add(0, t, 20)));
	hl = ip_header(pkt, &o->from, &o->to, IPPROTO_TCP, 20, 0x4243);
	memcpy(pkt + hl, t, 20);
	return hl + 20;
}

/* GRE with a PPP-looking payload; version 0 carries no key. */
static size_t build_gre(uint8_t *pkt, const struct opts *o)
{
	static const uint8_t ppp[8] = { 0xff, 0x03, 0x00, 0x21, 'A', 'T', 'T', 'K' };
	uint8_t g[16 + sizeof(ppp)];
	size_t n = 0, hl;

	if (o->version == 1) {
		g[0] = 0x20;			/* K */
		g[1] = 0x01;			/* version 1 */
		pptp_put16(g + 2, 0x880b);
		pptp_put16(g + 4, sizeof(ppp));	/* payload length */
		pptp_put16(g + 6, (uint16_t)o->key);
		n = 8;
	} else {
		g[0] = 0;
		g[1] = 0;
		pptp_put16(g + 2, 0x0800);
		n = 4;
	}
	memcpy(g + n, ppp, sizeof(ppp));
	n += sizeof(ppp);
	hl = ip_header(pkt, &o->from, &o->to, IPPROTO_GRE, n, 0x4244);
	memcpy(pkt + hl, g, n);
	return hl + n;
}

static int send_raw(const struct opts *o, const uint8_t *pkt, size_t len)
{
	struct sockaddr_storage ss = { 0 };
	socklen_t sl;
	int fd, one = 1, proto;
	unsigned int i;

	if (o->from.family == AF_INET) {
		struct sockaddr_in *sin = (struct sockaddr_in *)&ss;

		sin->sin_family = AF_INET;
		memcpy(&sin->sin_addr, o->to.a, 4);
		sl = sizeof(*sin);
		fd = socket(AF_INET, SOCK_RAW, IPPROTO_RAW);
		if (fd >= 0)
			setsockopt(fd, IPPROTO_IP, IP_HDRINCL, &one, sizeof(one));
	} else {
		struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)&ss;

		sin6->sin6_family = AF_INET6;
		memcpy(&sin6->sin6_addr, o->to.a, 16);
		sl = sizeof(*sin6);
		/* IPv6 raw sockets have no IP_HDRINCL: IPPROTO_RAW takes the header whole. */
		proto = IPPROTO_RAW;
		fd = socket(AF_INET6, SOCK_RAW, proto);
	}
	if (fd < 0) {
		perror("pptp-attack: raw socket");
		return 1;
	}
	for (i = 0; i < o->count; i++) {
		if (sendto(fd, pkt, len, 0, (struct sockaddr *)&ss, sl) != (ssize_t)len) {
			perror("pptp-attack: send");
			close(fd);
			return 1;
		}
	}
	close(fd);
	return 0;
}

static uint8_t tcp_flags(const char *s)
{
	uint8_t f = 0;

	for (; *s; s++) {
		switch (*s) {
		case 'F': f |= 0x01; break;
		case 'S': f |= 0x02; break;
		case 'R': f |= 0x04; break;
		case 'P': f |= 0x08; break;
		case 'A': f |= 0x10; break;
		default: bad("TCP flags", s);
		}
	}
	return f;
}

static void parse_quote(const char *s, struct opts *o)
{
	char buf[160], *comma;

	snprintf(buf, sizeof(buf), "%s", s);
	comma = strchr(buf, ',');
	if (!comma)
		bad("--quote (SRC:PORT,DST:PORT)", s);
	*comma = 0;
	parse_addr(buf, &o->qsrc, 1);
	parse_addr(comma + 1, &o->qdst, 1);
}

static void parse(int argc, char **argv, struct opts *o)
{
	static const struct option opts[] = {
		{ "from", required_argument, NULL, 'f' }, { "to", required_argument, NULL, 't' },
		{ "type", required_argument, NULL, 'T' }, { "quote", required_argument, NULL, 'q' },
		{ "ipid", required_argument, NULL, 'i' }, { "flags", required_argument, NULL, 'F' },
		{ "seq", required_argument, NULL, 's' }, { "ack", required_argument, NULL, 'a' },
		{ "version", required_argument, NULL, 'v' }, { "key", required_argument, NULL, 'k' },
		{ "count", required_argument, NULL, 'c' }, { NULL, 0, NULL, 0 }
	};
	const char *from = NULL, *to = NULL;
	int c, tcp;
	char *slash;

	if (argc < 2)
		usage();
	o->what = argv[1];
	tcp = !strcmp(o->what, "tcp");
	o->ipid = 0xf004;
	o->count = 1;
	o->version = 1;
	optind = 2;
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 'f': from = optarg; break;
		case 't': to = optarg; break;
		case 'T':
			slash = strchr(optarg, '/');
			if (slash)
				o->code = (uint8_t)number(slash + 1, 255);
			o->type = (uint8_t)strtoul(optarg, NULL, 0);
			break;
		case 'q': parse_quote(optarg, o); break;
		case 'i': o->ipid = (uint16_t)number(optarg, 65535); break;
		case 'F': o->flags = tcp_flags(optarg); break;
		case 's': o->seq = (uint32_t)number(optarg, 0xffffffffu); break;
		case 'a': o->ack = (uint32_t)number(optarg, 0xffffffffu); break;
		case 'v': o->version = (unsigned int)number(optarg, 1); break;
		case 'k': o->key = (unsigned int)number(optarg, 65535); break;
		case 'c': o->count = (unsigned int)number(optarg, 100000); break;
		default: usage();
		}
	}
	if (!from || !to || optind != argc)
		usage();
	parse_addr(from, &o->from, tcp);
	parse_addr(to, &o->to, tcp);
	if (o->from.family != o->to.family)
		bad("address pair (IPv4 with IPv6)", to);
}

int main(int argc, char **argv)
{
	struct opts o = { 0 };
	uint8_t pkt[PKT_MAX];
	size_t len;

	parse(argc, argv, &o);
	if (!strcmp(o.what, "icmp")) {
		if (!o.qsrc.family || o.qsrc.family != o.from.family)
			bad("--quote", "(missing, or another address family)");
		len = build_icmp(pkt, &o);
	} else if (!strcmp(o.what, "tcp")) {
		len = build_tcp(pkt, &o);
	} else if (!strcmp(o.what, "gre")) {
		len = build_gre(pkt, &o);
	} else {
		usage();
	}
	return send_raw(&o, pkt, len);
}
