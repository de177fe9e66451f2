// SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
/*
 * pptp-ng show: the kernel's conntrack table, as the PPTP helpers left it.
 *
 * Control connections (TCP 1723, or any entry with a pptp helper), their
 * GRE entries (tied through the master tuple the helper's expectation
 * recorded, or failing that by addresses) and their expectations, with
 * both tuples of each so NAT is visible.  Reads the network namespace it
 * runs in; --watch redraws on every conntrack event.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/socket.h>
#include "live.h"
#include "jparse.h"
#include "out.h"

#define KCOUNTERS "/proc/net/nf_pptp_ng"
/*
 * The daemon's document is copied under "show" in the root object: two
 * containers the writer already has open.  Deeper documents are refused
 * whole rather than cut by the writer (docs/json.md).
 */
#define DAEMON_LEVEL		2
#define DAEMON_MAX_DEPTH	(JW_DEPTH - 1 - DAEMON_LEVEL)

static const char *tcp_state(const struct nf_conntrack *ct)
{
	static const char *const names[] = {
		"NONE", "SYN_SENT", "SYN_RECV", "ESTABLISHED", "FIN_WAIT", "CLOSE_WAIT",
		"LAST_ACK", "TIME_WAIT", "CLOSE", "SYN_SENT2",
	};
	unsigned int s;

	if (!nfct_attr_is_set(ct, ATTR_TCP_STATE))
		return "?";
	s = nfct_get_attr_u8(ct, ATTR_TCP_STATE);
	return s < sizeof(names) / sizeof(names[0]) ? names[s] : "?";
}

static int natted(const struct nf_conntrack *ct)
{
	return !!(nfct_get_attr_u32(ct, ATTR_STATUS) & (IPS_SRC_NAT | IPS_DST_NAT));
}

static void jw_tup(struct jw *j, const char *key, const struct live_tup *t, int gre)
{
	char b[INET6_ADDRSTRLEN];

	jw_obj(j, key);
	jw_str(j, "src", live_addr(t, 0, b));
	jw_str(j, "dst", live_addr(t, 1, b));
	jw_u64(j, gre ? "srckey" : "sport", t->sport);
	jw_u64(j, gre ? "dstkey" : "dport", t->dport);
	jw_end(j, '}');
}

static void jw_ct_common(struct jw *j, const struct nf_conntrack *ct, int gre, int acct)
{
	struct live_tup o, r;

	live_tup_get(ct, LIVE_ORIG, &o);
	live_tup_get(ct, LIVE_REPL, &r);
	jw_tup(j, "original", &o, gre);
	jw_tup(j, "reply", &r, gre);
	jw_bool(j, "nat", natted(ct));
	jw_u64(j, "timeout", nfct_get_attr_u32(ct, ATTR_TIMEOUT));
	jw_u64(j, "mark", nfct_get_attr_u32(ct, ATTR_MARK));
	if (!acct)
		return;
	jw_obj(j, "counters");
	jw_u64(j, "original_packets", nfct_get_attr_u64(ct, ATTR_ORIG_COUNTER_PACKETS));
	jw_u64(j, "original_bytes", nfct_get_attr_u64(ct, ATTR_ORIG_COUNTER_BYTES));
	jw_u64(j, "reply_packets", nfct_get_attr_u64(ct, ATTR_REPL_COUNTER_PACKETS));
	jw_u64(j, "reply_bytes", nfct_get_attr_u64(ct, ATTR_REPL_COUNTER_BYTES));
	jw_end(j, '}');
}

static void jw_exp(struct jw *j, const struct nf_expect *e)
{
	const struct nf_conntrack *x = nfexp_get_attr(e, ATTR_EXP_EXPECTED);
	struct live_tup t;

	jw_obj(j, NULL);
	if (x) {
		live_tup_get(x, LIVE_ORIG, &t);
		jw_u64(j, "protocol", t.proto);
		jw_tup(j, "tuple", &t, t.proto == LIVE_PROTO_GRE);
	}
	jw_u64(j, "timeout", nfexp_get_attr_u32(e, ATTR_EXP_TIMEOUT));
	if (nfexp_attr_is_set(e, ATTR_EXP_HELPER_NAME))
		jw_str(j, "helper", nfexp_get_attr(e, ATTR_EXP_HELPER_NAME));
	jw_end(j, '}');
}

/* The module's counter file: `name value` lines. */
static void kcounters_json(struct jw *j)
{
	FILE *f = fopen(KCOUNTERS, "r");
	char name[128];
	unsigned long long v;

	if (!f) {
		jw_null(j, "kernel_counters");
		return;
	}
	jw_obj(j, "kernel_counters");
	while (fscanf(f, "%127s %llu", name, &v) == 2)
		jw_u64(j, name, v);
	jw_end(j, '}');
	fclose(f);
}

static void kcounters_text(FILE *out)
{
	FILE *f = fopen(KCOUNTERS, "r");
	char line[256];

	if (!f) {
		fprintf(out, "kernel module counters: %s absent (module not loaded)\n", KCOUNTERS);
		return;
	}
	fprintf(out, "kernel module counters (%s):\n", KCOUNTERS);
	while (fgets(line, sizeof(line), f))
		fprintf(out, "  %s", line);
	fclose(f);
}

static const char *daemon_sock = INSP_DAEMON_SOCK;

/* pptp-ngd's status document, asked for once per drawing. */
struct daemon_doc {
	char *text;		/* NULL: nothing answered */
	struct jv *v;		/* NULL: not shown, err says why */
	char err[64];		/* empty: no error */
};

static void daemon_load(struct daemon_doc *d)
{
	enum insp_daemon_cut cut;
	enum jv_err e = JV_OK;

	d->v = NULL;
	d->err[0] = 0;
	d->text = insp_daemon_status(daemon_sock, &cut);
	if (!d->text)
		return;
	/* A document cut short is refused whole, even when what came parses. */
	if (cut == INSP_DAEMON_WHOLE)
		d->v = jv_parse_limit(d->text, strlen(d->text), DAEMON_MAX_DEPTH, &e);
	if (d->v)
		return;
	if (cut == INSP_DAEMON_TOO_LONG)
		snprintf(d->err, sizeof(d->err), "longer than %u MiB", INSP_DAEMON_MAX >> 20);
	else if (cut == INSP_DAEMON_TOO_SLOW)
		snprintf(d->err, sizeof(d->err), "not complete within %d s",
			 INSP_DAEMON_WAIT_MS / 1000);
	else if (e == JV_TOO_DEEP)
		snprintf(d->err, sizeof(d->err), "nested deeper than %d levels", DAEMON_MAX_DEPTH);
	else
		snprintf(d->err, sizeof(d->err), "%s", e == JV_NOMEM ? "out of memory" : "not JSON");
	fprintf(stderr, "pptp-ng show: pptp-ngd's status document on %s is %s: not shown\n",
		daemon_sock, d->err);
}

static void daemon_free(struct daemon_doc *d)
{
	jv_free(d->v);
	free(d->text);
}

/* Copy a parsed JSON value into the output; NULL becomes null. */
static void jv_write(struct jw *j, const char *key, const struct jv *v)
{
	const struct jv *k;

	switch (v ? v->type : JV_NULL) {
	case JV_NULL:
		jw_null(j, key);
		break;
	case JV_TRUE:
	case JV_FALSE:
		jw_bool(j, key, v->type == JV_TRUE);
		break;
	case JV_NUM:
		/* the range test first: converting a larger double is undefined */
		if (v->n >= 0 && v->n < 18446744073709551616.0 && v->n == (double)(u64)v->n)
			jw_u64(j, key, (u64)v->n);
		else
			jw_ts(j, key, v->n);
		break;
	case JV_STR:
		jw_str(j, key, v->s);
		break;
	case JV_ARR:
	case JV_OBJ:
		if (v->type == JV_ARR)
			jw_arr(j, key);
		else
			jw_obj(j, key);
		for (k = v->kids; k; k = k->next)
			jv_write(j, v->type == JV_OBJ ? k->key : NULL, k);
		jw_end(j, v->type == JV_ARR ? ']' : '}');
		break;
	}
}

static void show_json(FILE *out, struct live_table *t, const struct daemon_doc *dd)
{
	struct jw j = { .f = out };
	int i, k;

	jw_obj(&j, NULL);
	jw_u64(&j, "pptp_ng_json", 1);
	jw_obj(&j, "show");
	jw_bool(&j, "accounting", t->acct);
	jw_u64(&j, "dropped", t->dropped);
	jw_arr(&j, "controls");
	for (i = 0; i < t->n; i++) {
		const struct nf_conntrack *c = t->ct[i];

		if (!live_is_control(c))
			continue;
		jw_obj(&j, NULL);
		if (live_helper(c))
			jw_str(&j, "helper", live_helper(c));
		else
			jw_null(&j, "helper");
		jw_str(&j, "state", tcp_state(c));
		jw_ct_common(&j, c, 0, t->acct);
		jw_arr(&j, "gre");
		for (k = 0; k < t->n; k++) {
			if (!live_is_gre(t->ct[k]) || !live_gre_of(t->ct[k], c))
				continue;
			jw_obj(&j, NULL);
			jw_ct_common(&j, t->ct[k], 1, t->acct);
			jw_end(&j, '}');
		}
		jw_end(&j, ']');
		jw_arr(&j, "expectations");
		for (k = 0; k < t->ne; k++)
			if (live_exp_of(t->exp[k], c))
				jw_exp(&j, t->exp[k]);
		jw_end(&j, ']');
		jw_end(&j, '}');
	}
	jw_end(&j, ']');
	jw_arr(&j, "other_gre");
	for (k = 0; k < t->n; k++) {
		int owned = 0;

		if (!live_is_gre(t->ct[k]))
			continue;
		for (i = 0; i < t->n && !owned; i++)
			owned = live_is_control(t->ct[i]) && live_gre_of(t->ct[k], t->ct[i]);
		if (owned)
			continue;
		jw_obj(&j, NULL);
		jw_ct_common(&j, t->ct[k], 1, t->acct);
		jw_end(&j, '}');
	}
	jw_end(&j, ']');
	kcounters_json(&j);
	insp_ngd_maps_json(&j);
	/* The daemon's own document, as it sent it (docs/userspace.md). */
	jv_write(&j, "daemon", dd->v);
	if (dd->err[0])
		jw_str(&j, "daemon_error", dd->err);
	else
		jw_null(&j, "daemon_error");
	jw_end(&j, '}');
	jw_end(&j, '}');
}

static void tup_text(FILE *out, const char *label, const struct live_tup *t, int gre)
{
	char a[INET6_ADDRSTRLEN], b[INET6_ADDRSTRLEN];

	if (gre)
		fprintf(out, "%s %s -> %s srckey=0x%04x dstkey=0x%04x", label, live_addr(t, 0, a),
			live_addr(t, 1, b), t->sport, t->dport);
	else
		fprintf(out, "%s %s:%u -> %s:%u", label, live_addr(t, 0, a), t->sport, live_addr(t, 1, b),
			t->dport);
}

static void ct_text(FILE *out, const char *ind, const struct nf_conntrack *ct, int gre,
		    int acct)
{
	struct live_tup o, r;

	live_tup_get(ct, LIVE_ORIG, &o);
	live_tup_get(ct, LIVE_REPL, &r);
	tup_text(out, "original", &o, gre);
	fprintf(out, "\n%s", ind);
	tup_text(out, "reply   ", &r, gre);
	fprintf(out, "%s, timeout %us\n", natted(ct) ? "  (NAT)" : "",
		nfct_get_attr_u32(ct, ATTR_TIMEOUT));
	if (acct)
		fprintf(out, "%scounters original %llu pkts %llu bytes, reply %llu pkts %llu bytes\n",
			ind,
			(unsigned long long)nfct_get_attr_u64(ct, ATTR_ORIG_COUNTER_PACKETS),
			(unsigned long long)nfct_get_attr_u64(ct, ATTR_ORIG_COUNTER_BYTES),
			(unsigned long long)nfct_get_attr_u64(ct, ATTR_REPL_COUNTER_PACKETS),
			(unsigned long long)nfct_get_attr_u64(ct, ATTR_REPL_COUNTER_BYTES));
}

/* The daemon's counters and sessions, from its status document. */
static void daemon_text(FILE *out, const struct daemon_doc *dd)
{
	const struct jv *k, *v = dd->v, *sessions = jv_get(v, "sessions");
	u32 n = 0;

	if (!dd->text) {
		fprintf(out, "daemon pptp-ngd: no control socket at %s\n", daemon_sock);
		return;
	}
	if (!v) {
		fprintf(out, "daemon pptp-ngd: %s answered, but its status document is %s: not shown\n",
			daemon_sock, dd->err);
		return;
	}
	for (k = sessions ? sessions->kids : NULL; k; k = k->next)
		n++;
	fprintf(out, "daemon pptp-ngd (%s): %u sessions\n ", daemon_sock, n);
	k = jv_get(v, "counters");
	for (k = k ? k->kids : NULL; k; k = k->next)
		if (k->type == JV_NUM && k->key)
			fprintf(out, " %s=%.0f", k->key, k->n);
	fputc('\n', out);
}

static void show_text(FILE *out, struct live_table *t, const struct daemon_doc *dd)
{
	int i, k, nc = 0;

	for (i = 0; i < t->n; i++) {
		const struct nf_conntrack *c = t->ct[i];

		if (!live_is_control(c))
			continue;
		nc++;
		fprintf(out, "control [%s] helper %s\n  ", tcp_state(c), live_helper(c) ?: "(none)");
		ct_text(out, "  ", c, 0, t->acct);
		for (k = 0; k < t->n; k++) {
			if (!live_is_gre(t->ct[k]) || !live_gre_of(t->ct[k], c))
				continue;
			fputs("  gre\n    ", out);
			ct_text(out, "    ", t->ct[k], 1, t->acct);
		}
		for (k = 0; k < t->ne; k++) {
			const struct nf_conntrack *x;
			struct live_tup e;

			if (!live_exp_of(t->exp[k], c))
				continue;
			x = nfexp_get_attr(t->exp[k], ATTR_EXP_EXPECTED);
			if (!x)
				continue;
			live_tup_get(x, LIVE_ORIG, &e);
			fputs("  expect ", out);
			tup_text(out, e.proto == LIVE_PROTO_GRE ? "gre" : "proto", &e,
				 e.proto == LIVE_PROTO_GRE);
			fprintf(out, ", timeout %us\n", nfexp_get_attr_u32(t->exp[k], ATTR_EXP_TIMEOUT));
		}
	}
	if (!nc)
		fputs("no PPTP control connections in conntrack\n", out);
	if (t->dropped)
		fprintf(out, "%u entries beyond %d not shown\n", t->dropped, LIVE_MAX);
	if (!t->acct)
		fputs("accounting off: no packet counters (sysctl -w net.netfilter.nf_conntrack_acct=1)\n",
		      out);
	kcounters_text(out);
	daemon_text(out, dd);
	insp_ngd_maps_text(out);
}

/* 0 shown, 1 shown but the daemon's document was not, 2 conntrack unreadable. */
static int show_once(struct live_table *t, int json)
{
	struct daemon_doc dd;

	if (live_read(t)) {
		fprintf(stderr, "pptp-ng show: cannot read conntrack: %s (root? ctnetlink?)\n",
			strerror(errno));
		live_free(t);
		return 2;
	}
	daemon_load(&dd);
	if (json)
		show_json(stdout, t, &dd);
	else
		show_text(stdout, t, &dd);
	daemon_free(&dd);
	live_free(t);
	fflush(stdout);
	return dd.err[0] ? 1 : 0;
}

/* Read and drop whatever events are queued; the redraw dumps afresh. */
static void drain(int fd)
{
	char buf[8192];

	while (recv(fd, buf, sizeof(buf), MSG_DONTWAIT) > 0 || errno == ENOBUFS)
		;
}

static int watch(struct live_table *t, int json)
{
	struct nfct_handle *ev = nfct_open(CONNTRACK, NFCT_ALL_CT_GROUPS);
	int rc, fd;

	if (!ev) {
		fprintf(stderr, "pptp-ng show: cannot subscribe to conntrack events: %s\n",
			strerror(errno));
		return 2;
	}
	fd = nfct_fd(ev);
	for (;;) {
		struct pollfd p = { .fd = fd, .events = POLLIN };

		if (!json && isatty(STDOUT_FILENO))
			fputs("\033[H\033[2J", stdout);
		rc = show_once(t, json);
		if (rc == 2)	/* a daemon's bad document may be fixed by the next one */
			break;
		if (poll(&p, 1, -1) < 0 && errno != EINTR) {
			rc = 2;
			break;
		}
		usleep(200000);		/* let a burst of events settle */
		drain(fd);
		if (!json)
			fputs("----\n", stdout);
	}
	nfct_close(ev);
	return rc;
}

int insp_show_main(int argc, char **argv)
{
	struct live_table *t;
	int i, json = 0, live = 0, rc;

	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--json")) {
			json = 1;
		} else if (!strcmp(argv[i], "--watch")) {
			live = 1;
		} else if (!strcmp(argv[i], "--socket") && i + 1 < argc) {
			daemon_sock = argv[++i];
		} else {
			fprintf(stderr, "pptp-ng show: unknown option %s\n"
				"usage: pptp-ng show [--json] [--watch] [--socket PATH]\n", argv[i]);
			return 2;
		}
	}
	t = calloc(1, sizeof(*t));
	if (!t) {
		perror("pptp-ng");
		return 2;
	}
	rc = live ? watch(t, json) : show_once(t, json);
	free(t);
	return rc;
}
