// SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
/*
 * State and counters as JSON: written to whoever connects to the control
 * socket (pptp-ngd --status), and to the log on SIGUSR1.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>

#include "session.h"
#include "privs.h"

static void json_addr(FILE *f, const char *name, const struct ngd_addr *a)
{
	char buf[INET6_ADDRSTRLEN];

	fprintf(f, "\"%s\":\"%s\"", name, ngd_addr_str(a, buf, sizeof(buf)));
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

/* A call's state: the core's, but one that came up without its GRE was refused. */
static const char *call_state(const struct session *s, unsigned int slot)
{
	const struct pptp_call *c = &s->calls[slot];

	if (c->state == PPTP_CALL_STATE_UP && s->ext[slot].refused)
		return "refused";
	return pptp_call_state_name(c->state);
}

static void json_session(FILE *f, const struct session *s)
{
	char conn[NGD_TUPLE_STRLEN];
	unsigned int i, n = 0;

	tuple_str(&s->fwd, conn, sizeof(conn));
	fprintf(f, "{\"conn\":\"%s\",", conn);
	json_addr(f, "inside", &s->inside);
	fputc(',', f);
	json_addr(f, "public", &s->public);
	fputc(',', f);
	json_addr(f, "peer", &s->peer);
	fprintf(f, ",\"inside_role\":\"%s\",\"state\":\"%s\",\"midstream\":%s,\"calls\":[",
		pptp_role_name(s->t.role[s->inside_dir]), pptp_session_name(s->t.session),
		(s->t.flags & PPTP_F_MIDSTREAM) ? "true" : "false");
	for (i = 0; i < s->t.max_calls; i++) {
		const struct pptp_call *c = &s->calls[i];

		if (c->state == PPTP_CALL_STATE_FREE)
			continue;
		fprintf(f, "%s{\"state\":\"%s\",\"pns_id\":%u,\"pns_xid\":%u,\"pac_id\":%u,\"pac_xid\":%u,\"pinhole\":%s}",
			n++ ? "," : "", call_state(s, i), c->id[PPTP_PNS],
			c->xid[PPTP_PNS], c->id[PPTP_PAC], c->xid[PPTP_PAC],
			s->ext[i].programmed ? "true" : "false");
	}
	fputs("]}", f);
}

/* One counter of struct ngd_stats, named as its field, in the JSON object. */
#define JSON_COUNTER(name) fprintf(f, "\"%s\":%llu,", #name, (unsigned long long)t.name)

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
		for (i = 0; i < PPTP_DROP_COUNT; i++)
			t.dropped[i] += s->t.cnt.dropped[i];
		t.calls_opened += s->t.cnt.calls_opened;
		t.calls_up += s->t.cnt.calls_up;
		t.calls_failed += s->t.cnt.calls_failed;
		t.calls_closed += s->t.cnt.calls_closed;
		t.rewrites += s->t.cnt.rewrites;
	}
	t.calls_up = sessions_calls_up(t.calls_up);
	fprintf(f, "{\"backend\":\"%s\",\"queue\":%u,\"queue_rule\":\"%s\",\"fail_open\":%s,",
		cfg.backend, cfg.queue, ngd_queue_rule_name(ngd_queue_used),
		cfg.fail_open ? "true" : "false");
	fprintf(f, "\"scheduling\":\"%s\",", ngd_scheduling());
	fprintf(f, "\"alive_set\":\"%s\",\"alive_set_held\":%s,\"live_sessions\":%u,\"counters\":{",
		ngd_active == &ngd_backend_cthelper ? cfg.alive_set : "none", guard_gate_alive() ? "true" : "false",
		nsessions);
	JSON_COUNTER(packets); JSON_COUNTER(queue_full); JSON_COUNTER(queue_nobufs);
	JSON_COUNTER(held); JSON_COUNTER(mangled); JSON_COUNTER(dropped_future);
	JSON_COUNTER(dropped_refused); JSON_COUNTER(cut); JSON_COUNTER(rst_grace);
	JSON_COUNTER(bad_rewrites); JSON_COUNTER(no_conntrack); JSON_COUNTER(unparsable);
	JSON_COUNTER(sessions_opened); JSON_COUNTER(sessions_closed);
	JSON_COUNTER(sessions_refused); JSON_COUNTER(sessions_refused_source);
	JSON_COUNTER(sessions_recovered);
	JSON_COUNTER(calls_recovered); JSON_COUNTER(pinholes_added);
	JSON_COUNTER(pinholes_removed); JSON_COUNTER(calls_refused_gre_error);
	JSON_COUNTER(gre_refresh_errors); JSON_COUNTER(gre_delete_errors);
	JSON_COUNTER(gre_delete_pending); JSON_COUNTER(nft_errors); JSON_COUNTER(ct_errors);
	JSON_COUNTER(ct_events_lost);
	JSON_COUNTER(expect_set); JSON_COUNTER(expect_deleted); JSON_COUNTER(expect_errors);
	JSON_COUNTER(ctnetlink_sends);
	JSON_COUNTER(expect_refused); JSON_COUNTER(alive_gap_max_ms);
	JSON_COUNTER(calls_opened); JSON_COUNTER(calls_up); JSON_COUNTER(calls_failed);
	JSON_COUNTER(calls_closed); JSON_COUNTER(rewrites);
	json_named(f, "invalid", t.invalid, PPTP_INV_COUNT, pptp_invalid_name);
	fputc(',', f);
	json_named(f, "anomalies", t.anomalies, PPTP_AN_COUNT, pptp_anomaly_name);
	fputc(',', f);
	json_named(f, "refused", t.refused, PPTP_REFUSE_COUNT, pptp_refusal_name);
	fputc(',', f);
	json_named(f, "dropped", t.dropped, PPTP_DROP_COUNT, pptp_drop_name);
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

/*
 * Clients being answered.  The daemon is single-threaded: a blocking
 * write to a client that stopped reading would stop the packet path with
 * it.  So each client gets its state rendered at once into memory, and
 * what its socket does not take is sent as it drains (POLLOUT), for
 * CTL_DEADLINE_MS at most; then, or when a newer client needs the slot,
 * it is dropped.
 */
#define CTL_DEADLINE_MS		5000

struct ctl_client {
	int fd;			/* -1: free */
	char *buf;
	size_t len, off;
	uint64_t deadline;	/* CLOCK_MONOTONIC, ms */
};

static struct ctl_client clients[CTL_CLIENTS];

static uint64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

/*
 * Created with a umask that leaves the socket 0660 from the moment it
 * exists (a chmod after bind leaves a window), then given to the daemon
 * user's group: root and that group's members may ask for the state.
 */
int ctl_open(const char *path)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	gid_t gid = privs_gid();
	mode_t old;
	int fd, ret, i;

	for (i = 0; i < CTL_CLIENTS; i++)
		clients[i].fd = -1;
	if (strlen(path) >= sizeof(sun.sun_path)) {
		ngd_err("control socket path too long: %s", path);
		return -1;
	}
	strcpy(sun.sun_path, path);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0)
		return -1;
	unlink(path);
	old = umask(0117);
	ret = bind(fd, (struct sockaddr *)&sun, sizeof(sun));
	umask(old);
	if (ret < 0 || listen(fd, CTL_CLIENTS) < 0) {
		ngd_err("control socket %s: %s", path, strerror(errno));
		close(fd);
		return -1;
	}
	/* lchown: never follow a link someone put there meanwhile */
	if (gid && lchown(path, (uid_t)-1, gid) < 0)
		ngd_err("control socket %s: cannot give it group %u (%s): root alone may ask",
			path, (unsigned int)gid, strerror(errno));
	return fd;
}

static void client_drop(struct ctl_client *c)
{
	close(c->fd);
	free(c->buf);
	c->fd = -1;
	c->buf = NULL;
}

/* Send what the socket takes now; drop the client when done or broken. */
static void client_flush(struct ctl_client *c)
{
	ssize_t n;

	while (c->off < c->len) {
		n = send(c->fd, c->buf + c->off, c->len - c->off, MSG_DONTWAIT | MSG_NOSIGNAL);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			return;
		if (n <= 0)
			break;
		c->off += (size_t)n;
	}
	client_drop(c);
}

/* A free slot, else the oldest client's: it has waited longest. */
static struct ctl_client *client_slot(void)
{
	struct ctl_client *c, *oldest = &clients[0];

	for (c = clients; c < clients + CTL_CLIENTS; c++) {
		if (c->fd < 0)
			return c;
		if (c->deadline < oldest->deadline)
			oldest = c;
	}
	ngd_dbg("control socket: %d clients not reading, dropping the oldest", CTL_CLIENTS);
	client_drop(oldest);
	return oldest;
}

static void client_new(int fd)
{
	struct ctl_client *c = client_slot();
	FILE *f;

	c->fd = fd;
	c->buf = NULL;
	c->len = c->off = 0;
	c->deadline = now_ms() + CTL_DEADLINE_MS;
	f = open_memstream(&c->buf, &c->len);
	if (!f) {
		client_drop(c);
		return;
	}
	state_json(f);
	if (fclose(f)) {
		client_drop(c);
		return;
	}
	client_flush(c);
}

/* Answer new clients: the whole state each, then close. */
void ctl_input(int lfd)
{
	unsigned int i;
	int fd;

	for (i = 0; i < CTL_CLIENTS; i++) {
		fd = accept4(lfd, NULL, NULL, SOCK_CLOEXEC | SOCK_NONBLOCK);
		if (fd < 0)
			return;
		client_new(fd);
	}
}

/* The clients with something left to send, for poll(): @pfd has CTL_CLIENTS entries. */
unsigned int ctl_pollfds(struct pollfd *pfd)
{
	unsigned int i, n = 0;

	for (i = 0; i < CTL_CLIENTS; i++) {
		if (clients[i].fd < 0)
			continue;
		pfd[n].fd = clients[i].fd;
		pfd[n].events = POLLOUT;
		pfd[n].revents = 0;
		n++;
	}
	return n;
}

/* After poll(): send more to those whose sockets drained; drop the late. */
void ctl_service(const struct pollfd *pfd, unsigned int n)
{
	uint64_t now = now_ms();
	struct ctl_client *c;
	unsigned int i;

	for (i = 0; i < n; i++) {
		if (!pfd[i].revents)
			continue;
		for (c = clients; c < clients + CTL_CLIENTS; c++) {
			if (c->fd == pfd[i].fd) {
				client_flush(c);
				break;
			}
		}
	}
	for (c = clients; c < clients + CTL_CLIENTS; c++) {
		if (c->fd >= 0 && now >= c->deadline) {
			ngd_info("control socket: a client read %zu of %zu bytes in %d ms: dropped",
				 c->off, c->len, CTL_DEADLINE_MS);
			client_drop(c);
		}
	}
}

void ctl_close(const char *path)
{
	struct ctl_client *c;

	for (c = clients; c < clients + CTL_CLIENTS; c++) {
		if (c->fd >= 0)
			client_drop(c);
	}
	/* as the daemon user this fails in a root-owned directory: the next start replaces it */
	unlink(path);
}

/*
 * pptp-ngd --status: print what a running daemon says.  Read it all
 * before writing any: a slow reader of our stdout (a pager) must not keep
 * the daemon's side waiting.
 */
int ctl_status(const char *path)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	char buf[4096], *all = NULL;
	size_t len = 0;
	FILE *mem;
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
	mem = open_memstream(&all, &len);
	if (!mem)
		return 1;
	while ((n = read(fd, buf, sizeof(buf))) > 0)
		fwrite(buf, 1, (size_t)n, mem);
	close(fd);
	fclose(mem);
	fwrite(all, 1, len, stdout);
	free(all);
	return n < 0;
}
