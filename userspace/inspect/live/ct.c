// SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
/*
 * pptp-ng show and doctor: the kernel's conntrack table and expectations
 * of this network namespace through ctnetlink, and which GRE entry and
 * expectation belongs to which PPTP control connection; pptp-ngd's status
 * from its control socket.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <netinet/in.h>
#include "live.h"

static const int attr_tab[3][8] = {
	{ ATTR_ORIG_L3PROTO, ATTR_ORIG_L4PROTO, ATTR_ORIG_IPV4_SRC, ATTR_ORIG_IPV4_DST,
	  ATTR_ORIG_IPV6_SRC, ATTR_ORIG_IPV6_DST, ATTR_ORIG_PORT_SRC, ATTR_ORIG_PORT_DST },
	{ ATTR_REPL_L3PROTO, ATTR_REPL_L4PROTO, ATTR_REPL_IPV4_SRC, ATTR_REPL_IPV4_DST,
	  ATTR_REPL_IPV6_SRC, ATTR_REPL_IPV6_DST, ATTR_REPL_PORT_SRC, ATTR_REPL_PORT_DST },
	{ ATTR_MASTER_L3PROTO, ATTR_MASTER_L4PROTO, ATTR_MASTER_IPV4_SRC, ATTR_MASTER_IPV4_DST,
	  ATTR_MASTER_IPV6_SRC, ATTR_MASTER_IPV6_DST, ATTR_MASTER_PORT_SRC, ATTR_MASTER_PORT_DST },
};

void live_tup_get(const struct nf_conntrack *ct, int which, struct live_tup *t)
{
	const int *a = attr_tab[which];

	memset(t, 0, sizeof(*t));
	if (!nfct_attr_is_set(ct, a[0]))
		return;
	t->fam = nfct_get_attr_u8(ct, a[0]);
	t->proto = nfct_get_attr_u8(ct, a[1]);
	if (t->fam == AF_INET) {
		u32 s = nfct_get_attr_u32(ct, a[2]), d = nfct_get_attr_u32(ct, a[3]);

		memcpy(t->src, &s, 4);
		memcpy(t->dst, &d, 4);
	} else if (t->fam == AF_INET6) {
		memcpy(t->src, nfct_get_attr(ct, a[4]), 16);
		memcpy(t->dst, nfct_get_attr(ct, a[5]), 16);
	} else {
		t->fam = 0;
		return;
	}
	if (nfct_attr_is_set(ct, a[6]))
		t->sport = ntohs(nfct_get_attr_u16(ct, a[6]));
	if (nfct_attr_is_set(ct, a[7]))
		t->dport = ntohs(nfct_get_attr_u16(ct, a[7]));
}

static int live_tup_eq(const struct live_tup *a, const struct live_tup *b)
{
	return a->fam && a->fam == b->fam && a->proto == b->proto && a->sport == b->sport &&
	       a->dport == b->dport && !memcmp(a->src, b->src, 16) && !memcmp(a->dst, b->dst, 16);
}

/* Same two hosts, either way round. */
static int live_hosts_eq(const struct live_tup *a, const struct live_tup *b)
{
	if (!a->fam || a->fam != b->fam)
		return 0;
	return (!memcmp(a->src, b->src, 16) && !memcmp(a->dst, b->dst, 16)) ||
	       (!memcmp(a->src, b->dst, 16) && !memcmp(a->dst, b->src, 16));
}

const char *live_addr(const struct live_tup *t, int dst, char *buf)
{
	return inet_ntop(t->fam, dst ? t->dst : t->src, buf, INET6_ADDRSTRLEN) ?: "?";
}

const char *live_helper(const struct nf_conntrack *ct)
{
	return nfct_attr_is_set(ct, ATTR_HELPER_NAME) ?
	       (const char *)nfct_get_attr(ct, ATTR_HELPER_NAME) : NULL;
}

/*
 * A control connection is TCP: on port 1723, or elsewhere with a PPTP
 * helper assigned.  The module's GRE entries carry the helper too (it
 * drops GRE v0 on them), so the helper alone does not make a control.
 */
int live_is_control(const struct nf_conntrack *ct)
{
	const char *h = live_helper(ct);
	struct live_tup o;

	live_tup_get(ct, LIVE_ORIG, &o);
	if (o.proto != IPPROTO_TCP)
		return 0;
	if (h && (!strcmp(h, "pptp") || !strcmp(h, "pptp-ng")))
		return 1;
	return o.dport == 1723 || o.sport == 1723;
}

int live_is_gre(const struct nf_conntrack *ct)
{
	return nfct_get_attr_u8(ct, ATTR_ORIG_L4PROTO) == LIVE_PROTO_GRE;
}

/* Does GRE entry G belong to control connection C? */
int live_gre_of(const struct nf_conntrack *g, const struct nf_conntrack *c)
{
	struct live_tup m, co, cr, go;

	live_tup_get(c, LIVE_ORIG, &co);
	live_tup_get(g, LIVE_MASTER, &m);
	if (m.fam)
		return live_tup_eq(&m, &co);
	live_tup_get(c, LIVE_REPL, &cr);
	live_tup_get(g, LIVE_ORIG, &go);
	return live_hosts_eq(&go, &co) || live_hosts_eq(&go, &cr);
}

int live_exp_of(const struct nf_expect *e, const struct nf_conntrack *c)
{
	const struct nf_conntrack *m = nfexp_get_attr(e, ATTR_EXP_MASTER);
	struct live_tup a, b;

	if (!m)
		return 0;
	live_tup_get(m, LIVE_ORIG, &a);
	live_tup_get(c, LIVE_ORIG, &b);
	return live_tup_eq(&a, &b);
}

static int ct_cb(enum nf_conntrack_msg_type type, struct nf_conntrack *ct, void *data)
{
	struct live_table *t = data;

	(void)type;
	if (nfct_attr_is_set(ct, ATTR_ORIG_COUNTER_PACKETS))
		t->acct = 1;
	if (!live_is_control(ct) && !live_is_gre(ct))
		return NFCT_CB_CONTINUE;
	if (t->n < LIVE_MAX && (t->ct[t->n] = nfct_clone(ct)))
		t->n++;
	else
		t->dropped++;
	return NFCT_CB_CONTINUE;
}

static int exp_cb(enum nf_conntrack_msg_type type, struct nf_expect *e, void *data)
{
	struct live_table *t = data;

	(void)type;
	if (t->ne < LIVE_MAX && (t->exp[t->ne] = nfexp_clone(e)))
		t->ne++;
	else
		t->dropped++;
	return NFCT_CB_CONTINUE;
}

void live_free(struct live_table *t)
{
	while (t->n)
		nfct_destroy(t->ct[--t->n]);
	while (t->ne)
		nfexp_destroy(t->exp[--t->ne]);
	t->acct = 0;
	t->dropped = 0;
}

int live_read(struct live_table *t)
{
	struct nfct_handle *h = nfct_open(CONNTRACK, 0);
	u32 family = AF_UNSPEC;
	int rc;

	if (!h)
		return -1;
	nfct_callback_register(h, NFCT_T_ALL, ct_cb, t);
	rc = nfct_query(h, NFCT_Q_DUMP, &family);
	nfct_close(h);
	if (rc < 0)
		return -1;
	h = nfct_open(EXPECT, 0);
	if (!h)
		return -1;
	nfexp_callback_register(h, NFCT_T_ALL, exp_cb, t);
	rc = nfexp_query(h, NFCT_Q_DUMP, &family);
	nfct_close(h);
	return rc < 0 ? -1 : 0;
}

long insp_ct_count_expect(void)
{
	struct live_table *t = calloc(1, sizeof(*t));
	long n;

	if (!t)
		return -1;
	n = live_read(t) ? -1 : t->ne;
	live_free(t);
	free(t);
	return n;
}

/* The daemon's status JSON from its control socket, NULL when absent. */
static long ms_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Read until the daemon closes, within INSP_DAEMON_MAX bytes and INSP_DAEMON_WAIT_MS. */
static char *read_answer(int fd, enum insp_daemon_cut *cut)
{
	long end = ms_now() + INSP_DAEMON_WAIT_MS;
	size_t cap = 65536, n = 0;
	char *buf = malloc(cap), *t;

	*cut = INSP_DAEMON_WHOLE;
	if (!buf)
		return NULL;
	for (;;) {
		struct pollfd p = { .fd = fd, .events = POLLIN };
		long left = end - ms_now();
		ssize_t r;

		if (left <= 0 || poll(&p, 1, (int)left) == 0) {
			*cut = INSP_DAEMON_TOO_SLOW;
			break;
		}
		if (n + 1 >= cap) {
			if (cap >= INSP_DAEMON_MAX) {
				*cut = INSP_DAEMON_TOO_LONG;
				break;
			}
			t = realloc(buf, cap * 2);
			if (!t)
				break;
			buf = t;
			cap *= 2;
		}
		r = read(fd, buf + n, cap - n - 1);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			break;
		n += (size_t)r;
	}
	buf[n] = 0;
	return buf;
}

char *insp_daemon_status(const char *path, enum insp_daemon_cut *cut)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	enum insp_daemon_cut c;
	char *buf;
	int fd;

	if (!cut)
		cut = &c;
	*cut = INSP_DAEMON_WHOLE;
	if (strlen(path) >= sizeof(sa.sun_path)) {
		errno = ENAMETOOLONG;
		return NULL;
	}
	strcpy(sa.sun_path, path);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return NULL;
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa))) {
		close(fd);
		return NULL;
	}
	buf = read_answer(fd, cut);
	close(fd);
	return buf;
}
