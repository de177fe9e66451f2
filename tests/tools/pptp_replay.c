// SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
/*
 * pptp-replay: a capture's PPTP played through a real firewall, for the
 * parity test (tests/parity/).  tests/parity/capture.py turns a capture
 * into a SCRIPT of control connections, their payload segments and GRE
 * packets as the inside saw them; this plays each event from the host it
 * came from (every host in its own network namespace) and prints what
 * arrived on the other side, one line per event:
 *
 *   conn CID HOST connected|failed
 *   seg CID DIR LEN delivered HEX|dropped
 *   gre DIR HOST key K sent K delivered K|dropped
 *   close CID
 *
 * DIR 0 goes from the inside host to the server, 1 back.  The server
 * plays a real PAC or PNS behind the NAT's address: in its messages and
 * GRE, the inside host's call IDs are the ones the firewall showed it
 * (learned from what it received), as a real peer would echo them.
 *
 *   pptp-replay --ns ADDR=NETNS_PATH... --nat ADDR SCRIPT
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sched.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define MAX_HOSTS	16
#define MAX_CONNS	64
#define MAX_EVENTS	8192
#define SEG_WAIT_MS	2000	/* a segment not in by then was dropped */
#define GRE_WAIT_MS	500
#define PPTP_PORT	1723

enum { EV_CONN, EV_SEG, EV_GRE, EV_CLOSE };

struct event {
	int kind, cid, dir;
	struct in_addr host;
	uint8_t *data;
	size_t len;
};

struct stream {			/* one direction of a control connection */
	uint8_t *cap;		/* every byte the capture has, in order */
	size_t cap_len, done;	/* played so far */
	uint8_t *got;		/* as delivered (direction 0) or sent (1) */
};

struct host {
	struct in_addr addr;
	int ns;			/* its network namespace */
	int gre;		/* raw GRE socket there */
	uint16_t xid[65536];	/* call IDs as the firewall shows them */
	bool known[65536];
};

struct conn {
	struct host *host;
	int client, server;	/* -1 once closed */
	struct stream s[2];
};

static struct host hosts[MAX_HOSTS];
static unsigned int n_hosts;
static struct host *server_host;
static struct in_addr server_addr, nat_addr;
static struct conn conns[MAX_CONNS];
static struct event events[MAX_EVENTS];
static unsigned int n_events;
static int self_ns, listener = -1;

static void die(const char *what)
{
	fprintf(stderr, "pptp-replay: %s: %s\n", what, strerror(errno));
	exit(1);
}

static uint16_t get16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static void put16(uint8_t *p, uint16_t v)
{
	p[0] = v >> 8;
	p[1] = v & 0xff;
}

static struct host *host_of(struct in_addr a)
{
	unsigned int i;

	for (i = 0; i < n_hosts; i++)
		if (hosts[i].addr.s_addr == a.s_addr)
			return &hosts[i];
	fprintf(stderr, "pptp-replay: no --ns for %s\n", inet_ntoa(a));
	exit(1);
}

/* A socket created in @h's network namespace. */
static int socket_in(const struct host *h, int type, int proto)
{
	int fd;

	if (setns(h->ns, CLONE_NEWNET) < 0)
		die("setns");
	fd = socket(AF_INET, type, proto);
	if (fd < 0)
		die("socket");
	if (setns(self_ns, CLONE_NEWNET) < 0)
		die("setns back");
	return fd;
}

static void hex(const uint8_t *p, size_t n)
{
	while (n--)
		printf("%02x", *p++);
}

/* ---- the script ---- */

static uint8_t *unhex(const char *s, size_t *len)
{
	size_t n = strlen(s) / 2, i;
	uint8_t *p = malloc(n ? n : 1);

	if (!p)
		die("malloc");
	for (i = 0; i < n; i++)
		if (sscanf(s + 2 * i, "%2hhx", &p[i]) != 1)
			break;
	*len = i;
	return p;
}

static void append(struct stream *st, const uint8_t *p, size_t n)
{
	st->cap = realloc(st->cap, st->cap_len + n);
	st->got = realloc(st->got, st->cap_len + n);
	if (!st->cap || !st->got)
		die("realloc");
	memcpy(st->cap + st->cap_len, p, n);
	memcpy(st->got + st->cap_len, p, n);
	st->cap_len += n;
}

static void read_script(const char *path)
{
	char line[70000], a[64], b[64], h[66000];
	FILE *f = fopen(path, "r");
	struct event *e;

	if (!f)
		die(path);
	while (fgets(line, sizeof(line), f)) {
		if (n_events == MAX_EVENTS) {
			fprintf(stderr, "pptp-replay: more than %d events\n", MAX_EVENTS);
			exit(1);
		}
		e = &events[n_events];
		memset(e, 0, sizeof(*e));
		if (sscanf(line, "conn %d %63s %63s", &e->cid, a, b) == 3) {
			e->kind = EV_CONN;
			inet_aton(a, &e->host);
			inet_aton(b, &server_addr);
		} else if (sscanf(line, "seg %d %d %65999s", &e->cid, &e->dir, h) == 3) {
			e->kind = EV_SEG;
		} else if (sscanf(line, "close %d", &e->cid) == 1) {
			e->kind = EV_CLOSE;
		} else if (sscanf(line, "gre %d %63s %63s %65999s", &e->dir, a, b, h) == 4) {
			e->kind = EV_GRE;
			inet_aton(a, &e->host);
		} else {
			continue;
		}
		if (e->cid < 0 || e->cid >= MAX_CONNS) {
			fprintf(stderr, "pptp-replay: connection %d out of range\n", e->cid);
			exit(1);
		}
		e->dir &= 1;
		if (e->kind == EV_SEG || e->kind == EV_GRE)
			e->data = unhex(h, &e->len);
		if (e->kind == EV_SEG)
			append(&conns[e->cid].s[e->dir], e->data, e->len);
		n_events++;
	}
	fclose(f);
}

/* ---- the control connection ---- */

/* Where the call ID field a message of @type names the other side's ID, sent by the server. */
static int peer_field(uint16_t type)
{
	switch (type) {
	case 8: case 10:	/* OCRP, ICRP: Peer's Call ID */
		return 14;
	case 11: case 13:	/* ICCN; CDN, Windows style: the PNS's ID */
	case 14: case 15:	/* WEN, SLI */
		return 12;
	}
	return -1;
}

/*
 * Call IDs the inside host sent and what the server received for them:
 * the sender's own Call ID (OCRQ, OCRP, ICRQ, ICRP, CCRQ), once both
 * bytes are in.
 */
static void learn(struct conn *c)
{
	struct stream *st = &c->s[0];
	size_t m = 0;

	while (m + 12 <= st->cap_len) {
		uint16_t len = get16(st->cap + m), type = get16(st->cap + m + 8);

		if (len < 12)
			return;
		if (((type >= 7 && type <= 10) || type == 12) && m + 14 <= st->done) {
			uint16_t id = get16(st->cap + m + 12);

			c->host->xid[id] = get16(st->got + m + 12);
			c->host->known[id] = true;
		}
		m += len;
	}
}

/* The server's bytes [from, to): the inside host's IDs as the firewall showed them. */
static void server_view(struct conn *c, size_t from, size_t to)
{
	struct stream *st = &c->s[1];
	size_t m = 0;

	while (m + 12 <= st->cap_len && m < to) {
		uint16_t len = get16(st->cap + m), type = get16(st->cap + m + 8);
		int off = peer_field(type);

		if (len < 12)
			return;
		if (off >= 0 && m + off + 2 <= st->cap_len && m + off + 2 > from && m + off < to) {
			uint16_t id = get16(st->cap + m + off);

			if (m + off >= from && c->host->known[id])
				put16(st->got + m + off, c->host->xid[id]);
		}
		m += len;
	}
}

/* Read @n bytes from @fd into @p within @ms; how many came. */
static size_t read_all(int fd, uint8_t *p, size_t n, int ms)
{
	struct pollfd pfd = { .fd = fd, .events = POLLIN };
	size_t got = 0;
	ssize_t r;

	while (got < n && poll(&pfd, 1, ms) > 0) {
		r = read(fd, p + got, n - got);
		if (r <= 0)
			break;
		got += (size_t)r;
	}
	return got;
}

static void play_conn(const struct event *e)
{
	struct conn *c = &conns[e->cid];
	struct sockaddr_in sa = { .sin_family = AF_INET, .sin_port = htons(PPTP_PORT),
				  .sin_addr = server_addr };
	struct pollfd pfd;
	int one = 1;

	c->host = host_of(e->host);
	if (listener < 0) {
		listener = socket_in(server_host, SOCK_STREAM, 0);
		setsockopt(listener, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
		if (bind(listener, (struct sockaddr *)&sa, sizeof(sa)) < 0 || listen(listener, 16) < 0)
			die("listen");
	}
	c->client = socket_in(c->host, SOCK_STREAM, 0);
	setsockopt(c->client, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	c->server = -1;
	pfd = (struct pollfd){ .fd = listener, .events = POLLIN };
	if (connect(c->client, (struct sockaddr *)&sa, sizeof(sa)) == 0 && poll(&pfd, 1, SEG_WAIT_MS) > 0)
		c->server = accept(listener, NULL, NULL);
	if (c->server >= 0)
		setsockopt(c->server, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	printf("conn %d %s %s\n", e->cid, inet_ntoa(e->host), c->server >= 0 ? "connected" : "failed");
}

static void play_seg(const struct event *e)
{
	struct conn *c = &conns[e->cid];
	struct stream *st = &c->s[e->dir];
	size_t from = st->done, got;
	uint8_t *in = malloc(e->len);
	int to = e->dir ? c->client : c->server, by = e->dir ? c->server : c->client;

	if (!in)
		die("malloc");
	if (e->dir)
		server_view(c, from, from + e->len);
	printf("seg %d %d %zu", e->cid, e->dir, e->len);
	if (to < 0 || by < 0 || write(by, e->dir ? st->got + from : st->cap + from, e->len) != (ssize_t)e->len) {
		printf(" dropped\n");
		free(in);
		return;
	}
	got = read_all(to, in, e->len, SEG_WAIT_MS);
	if (got < e->len) {
		printf(" dropped\n");
	} else {
		printf(" delivered ");
		hex(in, got);
		printf("\n");
	}
	if (!e->dir)
		memcpy(st->got + from, in, got);
	st->done += got;
	if (!e->dir)
		learn(c);
	free(in);
}

static void play_close(const struct event *e)
{
	struct conn *c = &conns[e->cid];

	if (c->client >= 0)
		close(c->client);
	if (c->server >= 0) {
		uint8_t b[256];

		read_all(c->server, b, sizeof(b), 200);	/* the FIN */
		close(c->server);
	}
	c->client = c->server = -1;
	printf("close %d\n", e->cid);
}

/* ---- GRE ---- */

/* The next GRE packet on @fd like @g but maybe for its key, within @ms; its key, or -1. */
static int gre_wait(int fd, const uint8_t *g, size_t len, int ms)
{
	struct pollfd pfd = { .fd = fd, .events = POLLIN };
	uint8_t buf[65536];
	ssize_t n;
	size_t hl;

	while (poll(&pfd, 1, ms) > 0) {
		n = recv(fd, buf, sizeof(buf), 0);
		if (n < 20)
			continue;
		hl = (buf[0] & 15) * 4u;
		if ((size_t)n - hl != len || memcmp(buf + hl, g, 6) || memcmp(buf + hl + 8, g + 8, len - 8))
			continue;
		return get16(buf + hl + 6);
	}
	return -1;
}

static void drain(int fd)
{
	uint8_t buf[65536];

	while (recv(fd, buf, sizeof(buf), MSG_DONTWAIT) > 0)
		;
}

static void play_gre(const struct event *e)
{
	struct host *h = host_of(e->host);
	struct host *from = e->dir ? server_host : h, *to = e->dir ? h : server_host;
	struct sockaddr_in sa = { .sin_family = AF_INET,
				  .sin_addr = e->dir ? nat_addr : server_addr };
	uint8_t *g = e->data;
	uint16_t key;
	int got;

	if (e->len < 8)
		return;
	key = get16(g + 6);
	if (e->dir && h->known[key])
		put16(g + 6, h->xid[key]);	/* the server knows the inside host's ID so */
	drain(to->gre);
	printf("gre %d %s key %u sent %u", e->dir, inet_ntoa(e->host), key, get16(g + 6));
	if (sendto(from->gre, g, e->len, 0, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		printf(" dropped\n");
		return;
	}
	got = gre_wait(to->gre, g, e->len, GRE_WAIT_MS);
	if (got < 0)
		printf(" dropped\n");
	else
		printf(" delivered %d\n", got);
}

/* ---- main ---- */

static void add_host(const char *arg)
{
	char a[64];
	const char *eq = strchr(arg, '=');
	struct host *h = &hosts[n_hosts];

	if (!eq || eq - arg >= (long)sizeof(a) || n_hosts == MAX_HOSTS) {
		fprintf(stderr, "pptp-replay: --ns ADDR=NETNS_PATH, at most %d\n", MAX_HOSTS);
		exit(2);
	}
	memcpy(a, arg, eq - arg);
	a[eq - arg] = 0;
	if (!inet_aton(a, &h->addr)) {
		fprintf(stderr, "pptp-replay: %s: not an IPv4 address\n", a);
		exit(2);
	}
	h->ns = open(eq + 1, O_RDONLY);
	if (h->ns < 0)
		die(eq + 1);
	n_hosts++;
	h->gre = socket_in(h, SOCK_RAW, IPPROTO_GRE);
}

int main(int argc, char **argv)
{
	const char *script = NULL;
	unsigned int i;

	setvbuf(stdout, NULL, _IOLBF, 0);
	self_ns = open("/proc/self/ns/net", O_RDONLY);
	if (self_ns < 0)
		die("/proc/self/ns/net");
	for (i = 1; i < (unsigned int)argc; i++) {
		if (!strcmp(argv[i], "--ns") && i + 1 < (unsigned int)argc)
			add_host(argv[++i]);
		else if (!strcmp(argv[i], "--nat") && i + 1 < (unsigned int)argc)
			inet_aton(argv[++i], &nat_addr);
		else if (!script && argv[i][0] != '-')
			script = argv[i];
		else
			script = NULL, i = (unsigned int)argc;
	}
	if (!script || !nat_addr.s_addr) {
		fprintf(stderr, "usage: pptp-replay --ns ADDR=NETNS_PATH... --nat ADDR SCRIPT\n");
		return 2;
	}
	read_script(script);
	server_host = host_of(server_addr);
	for (i = 0; i < n_events; i++) {
		switch (events[i].kind) {
		case EV_CONN:
			play_conn(&events[i]);
			break;
		case EV_SEG:
			play_seg(&events[i]);
			break;
		case EV_GRE:
			play_gre(&events[i]);
			break;
		case EV_CLOSE:
			play_close(&events[i]);
			break;
		}
	}
	return 0;
}
