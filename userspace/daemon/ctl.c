// SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
/*
 * State and counters as JSON: written to whoever connects to the control
 * socket (pptp-ngd --status), and to the log on SIGUSR1.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>

#include "session.h"

static void json_addr(FILE *f, const char *name, uint32_t a)
{
	char buf[INET_ADDRSTRLEN];

	inet_ntop(AF_INET, &a, buf, sizeof(buf));
	fprintf(f, "\"%s\":\"%s\"", name, buf);
}

/* One object of named counters, names from the core. */
static void json_named(FILE *f, const char *name, const uint64_t *v, unsigned int n,
		       const char *(*namer)(unsigned int))
{
	unsigned int i;

	fprintf(f, "\"%s\":{", name);
	for (i = 0; i < n; i++)
		fprintf(f, "%s\"%s\":%llu", i ? "," : "", namer(i), (unsigned long long)v[i]);
	fputc('}', f);
}

static void json_session(FILE *f, const struct session *s)
{
	char conn[64];
	unsigned int i, n = 0;

	tuple_str(&s->fwd, conn, sizeof(conn));
	fprintf(f, "{\"conn\":\"%s\",", conn);
	json_addr(f, "inside", s->inside);
	fputc(',', f);
	json_addr(f, "public", s->public);
	fputc(',', f);
	json_addr(f, "peer", s->peer);
	fprintf(f, ",\"inside_role\":\"%s\",\"state\":\"%s\",\"midstream\":%s,\"calls\":[",
		pptp_role_name(s->t.role[s->inside_dir]), pptp_session_name(s->t.session),
		(s->t.flags & PPTP_F_MIDSTREAM) ? "true" : "false");
	for (i = 0; i < s->t.max_calls; i++) {
		const struct pptp_call *c = &s->calls[i];

		if (c->state == PPTP_CALL_STATE_FREE)
			continue;
		fprintf(f, "%s{\"state\":\"%s\",\"pns_id\":%u,\"pns_xid\":%u,\"pac_id\":%u,\"pac_xid\":%u,\"pinhole\":%s}",
			n++ ? "," : "", pptp_call_state_name(c->state), c->id[PPTP_PNS],
			c->xid[PPTP_PNS], c->id[PPTP_PAC], c->xid[PPTP_PAC],
			s->ext[i].programmed ? "true" : "false");
	}
	fputs("]}", f);
}

#define C(name) fprintf(f, "\"%s\":%llu,", #name, (unsigned long long)t.name)

void state_json(FILE *f)
{
	struct ngd_stats t;
	const struct session *s;
	unsigned int i;

	ngq_counters();
	t = stats;

	/* live sessions' core counters on top of the closed ones' */
	for (s = sessions; s; s = s->next) {
		for (i = 0; i < PPTP_INV_COUNT; i++)
			t.invalid[i] += s->t.cnt.invalid[i];
		for (i = 0; i < PPTP_AN_COUNT; i++)
			t.anomalies[i] += s->t.cnt.anomalies[i];
		for (i = 0; i < PPTP_REFUSE_COUNT; i++)
			t.refused[i] += s->t.cnt.refused[i];
		t.calls_opened += s->t.cnt.calls_opened;
		t.calls_up += s->t.cnt.calls_up;
		t.calls_failed += s->t.cnt.calls_failed;
		t.calls_closed += s->t.cnt.calls_closed;
		t.rewrites += s->t.cnt.rewrites;
	}
	fprintf(f, "{\"backend\":\"%s\",\"queue\":%u,\"fail_open\":%s,\"live_sessions\":%u,\"counters\":{",
		cfg.backend, cfg.queue, cfg.fail_open ? "true" : "false", nsessions);
	C(packets); C(queue_full); C(queue_nobufs); C(held); C(mangled); C(dropped_future); C(no_conntrack); C(unparsable);
	C(sessions_opened); C(sessions_closed); C(sessions_refused); C(sessions_recovered);
	C(calls_recovered); C(pinholes_added); C(pinholes_removed); C(nft_errors);
	C(expect_set); C(expect_deleted); C(expect_errors);
	C(calls_opened); C(calls_up); C(calls_failed); C(calls_closed); C(rewrites);
	json_named(f, "invalid", t.invalid, PPTP_INV_COUNT, pptp_invalid_name);
	fputc(',', f);
	json_named(f, "anomalies", t.anomalies, PPTP_AN_COUNT, pptp_anomaly_name);
	fputc(',', f);
	json_named(f, "refused", t.refused, PPTP_REFUSE_COUNT, pptp_refusal_name);
	fputc('}', f);
	ngq_latency_json(f);
	fputs(",\"sessions\":[", f);
	for (s = sessions; s; s = s->next) {
		json_session(f, s);
		if (s->next)
			fputc(',', f);
	}
	fputs("]}\n", f);
}

int ctl_open(const char *path)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	int fd;

	if (strlen(path) >= sizeof(sun.sun_path)) {
		ngd_err("control socket path too long: %s", path);
		return -1;
	}
	strcpy(sun.sun_path, path);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0)
		return -1;
	unlink(path);
	if (bind(fd, (struct sockaddr *)&sun, sizeof(sun)) < 0 || listen(fd, 4) < 0) {
		ngd_err("control socket %s: %s", path, strerror(errno));
		close(fd);
		return -1;
	}
	chmod(path, 0600);
	return fd;
}

/* Answer one client: the whole state, then close. */
void ctl_input(int lfd)
{
	int fd = accept4(lfd, NULL, NULL, SOCK_CLOEXEC);
	FILE *f;

	if (fd < 0)
		return;
	f = fdopen(fd, "w");
	if (!f) {
		close(fd);
		return;
	}
	state_json(f);
	fclose(f);
}

void ctl_close(const char *path)
{
	unlink(path);
}

/* pptp-ngd --status: print what a running daemon says. */
int ctl_status(const char *path)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	char buf[4096];
	ssize_t n;
	int fd;

	if (strlen(path) >= sizeof(sun.sun_path))
		return 1;
	strcpy(sun.sun_path, path);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0 || connect(fd, (struct sockaddr *)&sun, sizeof(sun)) < 0) {
		fprintf(stderr, "pptp-ngd: cannot reach %s: %s (is pptp-ngd running?)\n", path,
			strerror(errno));
		return 1;
	}
	while ((n = read(fd, buf, sizeof(buf))) > 0)
		fwrite(buf, 1, (size_t)n, stdout);
	close(fd);
	return n < 0;
}
