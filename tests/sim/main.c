// SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
/*
 * pptp-sim: options, the event loop and time.  See sim.h for the design
 * and usage() for the command line.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/ioctl.h>
#include <sys/signalfd.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>
#include <linux/sockios.h>

#include "sim.h"

struct sim *sim;

u64 now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (u64)ts.tv_sec * 1000 + (u64)ts.tv_nsec / 1000000;
}

void logv(int level, const char *fmt, ...)
{
	va_list ap;

	if (sim->o.verbose < level)
		return;
	fprintf(stderr, "pptp-sim[%s %5llu] ", pptp_role_name(sim->o.role),
		(unsigned long long)(now_ms() - sim->t_start));
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

void ep_set(int fd, u32 kind, u32 idx, u32 events, bool add)
{
	struct epoll_event ev = { .events = events };

	ev.data.u64 = ((u64)kind << 32) | idx;
	if (epoll_ctl(sim->ep, add ? EPOLL_CTL_ADD : EPOLL_CTL_MOD, fd, &ev) < 0) {
		perror("pptp-sim: epoll_ctl");
		exit(1);
	}
}

const char *addr_str(const struct sockaddr_storage *ss, char *buf, size_t len)
{
	const void *a = ss->ss_family == AF_INET6 ?
		(const void *)&((const struct sockaddr_in6 *)ss)->sin6_addr :
		(const void *)&((const struct sockaddr_in *)ss)->sin_addr;

	if (!inet_ntop(ss->ss_family, a, buf, (socklen_t)len))
		snprintf(buf, len, "?");
	return buf;
}

static void usage(FILE *f)
{
	fputs("usage: pptp-sim --role pns|pac (--listen ADDR | --connect ADDR) [options]\n"
	      "  --port P            TCP port (1723)\n"
	      "  --bind ADDR         local address for --connect\n"
	      "  --sessions N        control connections to open (1)\n"
	      "  --interval MS       connector: open one every MS ms, not all at once\n"
	      "  --calls M           calls per session (1); the answering side checks\n"
	      "                      the count only when given\n"
	      "  --incoming          incoming calls (ICRQ/ICRP/ICCN) instead of outgoing\n"
	      "  --packets K         GRE packets per call per direction (3)\n"
	      "  --gre-interval MS   one GRE packet per call every MS ms, not all at once\n"
	      "  --gre-pause S       every call of a session sends half of --packets, then\n"
	      "                      all stay silent S seconds and send the rest (idle\n"
	      "                      calls; raise --timeout to match); SIGUSR1 ends\n"
	      "                      the silence early\n"
	      "  --gre-pauses N      N silences, each after an (N+1)th of --packets (1)\n"
	      "  --call-id-base B    first call ID this process allocates (1; 0 as pptpd)\n"
	      "  --expect-sessions N listener: exit once N sessions were served\n"
	      "  --duration S        listener: run at most S seconds (not a failure)\n"
	      "  --timeout S         give up and fail after S seconds (10)\n"
	      "  --coalesce          several control messages per write\n"
	      "  --split N           each control message in two writes split at byte N\n"
	      "  --split-pause MS    pause between the two writes (10)\n"
	      "  --echo              send an Echo-Request per session, expect the reply\n"
	      "  --extras            one SLI (PNS) or WEN (PAC) per call, expect the peer's\n"
	      "  --hostile KIND      bad-cookie, bad-length, unknown-type, mgmt-type,\n"
	      "                      ocrq-flood (PNS: --flood extra OCRQs, no GRE)\n"
	      "  --flood N           OCRQs for ocrq-flood (64)\n"
	      "  --allow-invalid     malformed control messages received are no failure\n"
	      "  --cdn-peer-id       CDN carries the PNS's call ID, like real PACs, not the\n"
	      "                      PAC's as in the RFC (give it to both sides)\n"
	      "  --hold              connector: once every call of every session is up\n"
	      "                      with its GRE verified both ways, stop (SIGSTOP);\n"
	      "                      clear them all when continued (SIGCONT)\n"
	      "  --gre-after-peer    the side that answers a call sends its GRE only once\n"
	      "                      the originator's first packet arrived (give it to both)\n"
	      "  --ppp-script FILE   every call carries FILE's PPP frames instead of marked\n"
	      "                      packets, each side its own lines in turn, the peer's\n"
	      "                      checked byte for byte (tests/sim/README.md)\n"
	      "  --json              print the summary as JSON on stdout\n"
	      "  -v, --verbose       log control messages (twice: GRE too)\n"
	      "exit: 0 every call up and every GRE packet verified, 1 failure, 2 usage\n", f);
}

static int parse_addr(const char *s, unsigned int port, struct sockaddr_storage *ss,
		      socklen_t *len)
{
	struct sockaddr_in *a4 = (struct sockaddr_in *)ss;
	struct sockaddr_in6 *a6 = (struct sockaddr_in6 *)ss;

	memset(ss, 0, sizeof(*ss));
	if (inet_pton(AF_INET, s, &a4->sin_addr) == 1) {
		a4->sin_family = AF_INET;
		a4->sin_port = htons((u16)port);
		*len = sizeof(*a4);
		return 0;
	}
	if (inet_pton(AF_INET6, s, &a6->sin6_addr) == 1) {
		a6->sin6_family = AF_INET6;
		a6->sin6_port = htons((u16)port);
		*len = sizeof(*a6);
		return 0;
	}
	fprintf(stderr, "pptp-sim: not an IPv4 or IPv6 address: %s\n", s);
	return -1;
}

static unsigned int num(const char *s, const char *what, unsigned long max)
{
	char *end;
	unsigned long v;

	errno = 0;
	v = strtoul(s, &end, 0);
	if (errno || *end || end == s || v > max) {
		fprintf(stderr, "pptp-sim: bad %s: %s\n", what, s);
		exit(2);
	}
	return (unsigned int)v;
}

static const char *const hostile_names[] = {
	[SIM_HOSTILE_BAD_COOKIE] = "bad-cookie",
	[SIM_HOSTILE_BAD_LENGTH] = "bad-length",
	[SIM_HOSTILE_UNKNOWN_TYPE] = "unknown-type",
	[SIM_HOSTILE_MGMT_TYPE] = "mgmt-type",
	[SIM_HOSTILE_OCRQ_FLOOD] = "ocrq-flood",
};

static enum sim_hostile parse_hostile(const char *s)
{
	unsigned int i;

	for (i = 1; i < PPTP_ARRAY_SIZE(hostile_names); i++)
		if (!strcmp(s, hostile_names[i]))
			return (enum sim_hostile)i;
	fprintf(stderr, "pptp-sim: unknown --hostile kind: %s\n", s);
	exit(2);
}

enum {
	OPT_ROLE = 256, OPT_LISTEN, OPT_CONNECT, OPT_PORT, OPT_BIND, OPT_SESSIONS,
	OPT_CALLS, OPT_INCOMING, OPT_PACKETS, OPT_BASE, OPT_EXPECT, OPT_DURATION,
	OPT_TIMEOUT, OPT_COALESCE, OPT_SPLIT, OPT_SPLIT_PAUSE, OPT_ECHO, OPT_EXTRAS,
	OPT_HOSTILE, OPT_FLOOD, OPT_ALLOW_INVALID, OPT_CDN_PEER_ID, OPT_JSON,
	OPT_HOLD, OPT_GRE_AFTER_PEER, OPT_INTERVAL, OPT_GRE_INTERVAL, OPT_GRE_PAUSE, OPT_GRE_PAUSES,
	OPT_PPP_SCRIPT,
};

static const struct option long_opts[] = {
	{ "role", required_argument, NULL, OPT_ROLE },
	{ "listen", required_argument, NULL, OPT_LISTEN },
	{ "connect", required_argument, NULL, OPT_CONNECT },
	{ "port", required_argument, NULL, OPT_PORT },
	{ "bind", required_argument, NULL, OPT_BIND },
	{ "sessions", required_argument, NULL, OPT_SESSIONS },
	{ "calls", required_argument, NULL, OPT_CALLS },
	{ "incoming", no_argument, NULL, OPT_INCOMING },
	{ "packets", required_argument, NULL, OPT_PACKETS },
	{ "call-id-base", required_argument, NULL, OPT_BASE },
	{ "expect-sessions", required_argument, NULL, OPT_EXPECT },
	{ "duration", required_argument, NULL, OPT_DURATION },
	{ "timeout", required_argument, NULL, OPT_TIMEOUT },
	{ "coalesce", no_argument, NULL, OPT_COALESCE },
	{ "split", required_argument, NULL, OPT_SPLIT },
	{ "split-pause", required_argument, NULL, OPT_SPLIT_PAUSE },
	{ "echo", no_argument, NULL, OPT_ECHO },
	{ "extras", no_argument, NULL, OPT_EXTRAS },
	{ "hostile", required_argument, NULL, OPT_HOSTILE },
	{ "flood", required_argument, NULL, OPT_FLOOD },
	{ "allow-invalid", no_argument, NULL, OPT_ALLOW_INVALID },
	{ "cdn-peer-id", no_argument, NULL, OPT_CDN_PEER_ID },
	{ "json", no_argument, NULL, OPT_JSON },
	{ "hold", no_argument, NULL, OPT_HOLD },
	{ "gre-after-peer", no_argument, NULL, OPT_GRE_AFTER_PEER },
	{ "interval", required_argument, NULL, OPT_INTERVAL },
	{ "gre-interval", required_argument, NULL, OPT_GRE_INTERVAL },
	{ "gre-pause", required_argument, NULL, OPT_GRE_PAUSE },
	{ "gre-pauses", required_argument, NULL, OPT_GRE_PAUSES },
	{ "ppp-script", required_argument, NULL, OPT_PPP_SCRIPT },
	{ "verbose", no_argument, NULL, 'v' },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 }
};

/* Options that take a value; the rest are handled by parse_opts(). */
static void parse_value(struct sim_opts *o, int c, const char *arg)
{
	switch (c) {
	case OPT_SESSIONS:
		o->sessions = num(arg, "--sessions", 65535);
		break;
	case OPT_CALLS:
		o->calls = num(arg, "--calls", 65535);
		o->calls_given = true;
		break;
	case OPT_PACKETS:
		o->packets = num(arg, "--packets", 1000000);
		break;
	case OPT_BASE:
		/* 0 is a call ID too: pptpd numbers its calls from 0 */
		o->call_id_base = num(arg, "--call-id-base", 65535);
		break;
	case OPT_EXPECT:
		o->expect_sessions = num(arg, "--expect-sessions", 65535);
		break;
	case OPT_DURATION:
		o->duration_ms = num(arg, "--duration", 86400) * 1000;
		break;
	case OPT_TIMEOUT:
		o->timeout_ms = num(arg, "--timeout", 86400) * 1000;
		break;
	case OPT_SPLIT:
		o->split = num(arg, "--split", PPTP_MSG_MAX_LEN);
		break;
	case OPT_SPLIT_PAUSE:
		o->split_pause_ms = num(arg, "--split-pause", 10000);
		break;
	case OPT_HOSTILE:
		o->hostile = parse_hostile(arg);
		break;
	case OPT_FLOOD:
		o->flood = num(arg, "--flood", 65535);
		break;
	case OPT_INTERVAL:
		o->interval_ms = num(arg, "--interval", 60000);
		break;
	case OPT_GRE_INTERVAL:
		o->gre_interval_ms = num(arg, "--gre-interval", 60000);
		break;
	case OPT_GRE_PAUSE:
		o->gre_pause_s = num(arg, "--gre-pause", 86400);
		break;
	case OPT_GRE_PAUSES:
		o->gre_pauses = num(arg, "--gre-pauses", 100);
		if (!o->gre_pauses) {
			fputs("pptp-sim: --gre-pauses wants 1 or more\n", stderr);
			exit(2);
		}
		break;
	}
}

static void parse_opts(struct sim_opts *o, int argc, char **argv)
{
	const char *addr = NULL, *bind_addr = NULL;
	unsigned int port = PPTP_TCP_PORT;
	bool have_role = false;
	int c;

	o->sessions = 1;
	o->calls = 1;
	o->packets = 3;
	o->call_id_base = 1;
	o->timeout_ms = 10000;
	o->split_pause_ms = 10;
	o->flood = 64;
	o->gre_pauses = 1;
	while ((c = getopt_long(argc, argv, "vh", long_opts, NULL)) != -1) {
		switch (c) {
		case OPT_ROLE:
			if (!strcmp(optarg, "pns"))
				o->role = PPTP_PNS;
			else if (!strcmp(optarg, "pac"))
				o->role = PPTP_PAC;
			else
				goto bad;
			have_role = true;
			break;
		case OPT_LISTEN:
			o->listen = true;
			addr = optarg;
			break;
		case OPT_CONNECT:
			o->listen = false;
			addr = optarg;
			break;
		case OPT_PORT:
			port = num(optarg, "--port", 65535);
			break;
		case OPT_BIND:
			bind_addr = optarg;
			break;
		case OPT_INCOMING:
			o->incoming = true;
			break;
		case OPT_COALESCE:
			o->coalesce = true;
			break;
		case OPT_ECHO:
			o->echo = true;
			break;
		case OPT_EXTRAS:
			o->extras = true;
			break;
		case OPT_ALLOW_INVALID:
			o->allow_invalid = true;
			break;
		case OPT_CDN_PEER_ID:
			o->cdn_peer_id = true;
			break;
		case OPT_JSON:
			o->json = true;
			break;
		case OPT_HOLD:
			o->hold = true;
			break;
		case OPT_GRE_AFTER_PEER:
			o->gre_after_peer = true;
			break;
		case OPT_PPP_SCRIPT:
			o->ppp_script = optarg;
			break;
		case 'v':
			o->verbose++;
			break;
		case 'h':
			usage(stdout);
			exit(0);
		case '?':
			goto bad;
		default: parse_value(o, c, optarg); break;
		}
	}
	if (optind != argc || !have_role || !addr || (o->coalesce && o->split))
		goto bad;
	if (o->hostile == SIM_HOSTILE_OCRQ_FLOOD && o->role != PPTP_PNS) {
		fprintf(stderr, "pptp-sim: ocrq-flood is sent by a PNS\n");
		exit(2);
	}
	if (parse_addr(addr, port, &o->addr, &o->addr_len))
		exit(2);
	if (bind_addr && parse_addr(bind_addr, 0, &o->bind, &o->bind_len))
		exit(2);
	if (o->ppp_script) {
		if (script_load(o->ppp_script))
			exit(2);
		o->packets = 0;	/* the script's frames instead */
	}
	return;
bad:
	usage(stderr);
	exit(2);
}

/*
 * The peer closes a control connection once StopCCRP answered its
 * StopCCRQ; its FIN or RST can be lost (a RST is never sent again: a
 * firewall's full queue dropped 50 of 10,000 in bench/scale.sh), and then
 * the socket would stay open for good.  So the listener waits this long
 * for sessions that have stopped, then closes them itself: once the peer
 * acknowledged all they sent, StopCCRP last (checked every
 * STOPPED_RECHECK_MS after the linger).
 */
#define STOPPED_LINGER_MS	2000
#define STOPPED_RECHECK_MS	100

/*
 * SIGUSR1 ends a --gre-pause: read through a signalfd in the loop's epoll,
 * so one that comes just before the loop sleeps still wakes it.
 */
static int signal_open(void)
{
	sigset_t set;
	int fd;

	sigemptyset(&set);
	sigaddset(&set, SIGUSR1);
	if (sigprocmask(SIG_BLOCK, &set, NULL) < 0 ||
	    (fd = signalfd(-1, &set, SFD_NONBLOCK | SFD_CLOEXEC)) < 0) {
		perror("pptp-sim: signalfd");
		return -1;
	}
	ep_set(fd, EP_SIGNAL, 0, EPOLLIN, true);
	return fd;
}

static void signal_read(int fd)
{
	struct signalfd_siginfo si;

	while (read(fd, &si, sizeof(si)) == sizeof(si))
		if (si.ssi_signo == SIGUSR1)
			gre_pause_end();
}

/* How long epoll may sleep: until the next deadline of any kind. */
static int loop_timeout(u64 now)
{
	u64 end = sim->t_start + sim->o.timeout_ms;
	int t, g = gre_tx_timer();

	if (g == 0)
		return 0;
	if (sim->o.duration_ms && sim->t_start + sim->o.duration_ms < end)
		end = sim->t_start + sim->o.duration_ms;
	t = end > now ? (int)(end - now) : 0;
	if (g > 0 && g < t)
		t = g;
	if (sim->n_paused) {
		int r = ctrl_next_timer(now);

		if (r < t)
			t = r;
	}
	if (!sim->o.listen) {
		int c = ctrl_connect_due(now);	/* opens those due now */

		if (c >= 0 && c < t)
			t = c;
	}
	/* wake for the end of the stopped sessions' linger */
	if (sim->o.listen && sim->live_sess && sim->live_sess == sim->stopped_open) {
		u64 due = sim->last_stop_ms + STOPPED_LINGER_MS;
		int l = due > now ? (int)(due - now) : STOPPED_RECHECK_MS;

		if (l < t)
			t = l;
	}
	return t;
}

static void dispatch(const struct epoll_event *ev)
{
	u32 kind = (u32)(ev->data.u64 >> 32), idx = (u32)ev->data.u64;

	switch (kind) {
	case EP_LISTEN:
		ctrl_accept();
		break;
	case EP_RAW4:
		gre_rx(sim->raw4, AF_INET);
		break;
	case EP_RAW6:
		gre_rx(sim->raw6, AF_INET6);
		break;
	case EP_SIGNAL:
		signal_read(sim->sig_fd);
		break;
	case EP_SESS:
		if (idx < sim->n_sess && sim->sess[idx]->state != SESS_CLOSED)
			ctrl_event(sim->sess[idx], ev->events);
		break;
	}
}

/*
 * Has the peer of every stopped session acknowledged all we sent?  A
 * StopCCRP a firewall's full queue dropped is still being sent again: a
 * listener that exits then leaves it to an orphaned socket, which the
 * kernel aborts once it holds too many (tcp_max_orphans), and its PNS
 * never hears the answer (bench/scale.sh, 10,000 sessions cleared at once).
 */
static bool stopped_all_acked(void)
{
	unsigned int i;
	int outq;

	for (i = 0; i < sim->n_sess; i++)
		if (sim->sess[i]->state == SESS_STOPPED &&
		    !ioctl(sim->sess[i]->fd, SIOCOUTQ, &outq) && outq > 0)
			return false;
	return true;
}

static bool stopped_lingered(u64 now)
{
	return sim->live_sess == sim->stopped_open &&
	       now >= sim->last_stop_ms + STOPPED_LINGER_MS && stopped_all_acked();
}

/* The listener is finished once it served what it was told to expect. */
static bool listener_done(void)
{
	return sim->o.expect_sessions && sim->st.sessions_accepted >= sim->o.expect_sessions &&
	       (!sim->live_sess || stopped_lingered(now_ms()));
}

static void loop(void)
{
	struct epoll_event evs[64];
	int i, n;

	while (!sim->stop) {
		u64 now = now_ms();


		if (now >= sim->t_start + sim->o.timeout_ms) {
			sim->timed_out = true;
			break;
		}
		if (sim->o.duration_ms && now >= sim->t_start + sim->o.duration_ms)
			break;
		n = epoll_wait(sim->ep, evs, PPTP_ARRAY_SIZE(evs), loop_timeout(now));
		if (n < 0 && errno != EINTR) {
			perror("pptp-sim: epoll_wait");
			exit(1);
		}
		for (i = 0; i < n; i++)
			dispatch(&evs[i]);
		if (sim->n_paused)
			ctrl_resume_due(now_ms());
		gre_tx_run();
		if (sim->o.listen ? listener_done() :
		    (ctrl_connect_due(now_ms()) == -1 && !sim->live_sess))
			break;
	}
}

/* Benchmarks open thousands of connections: take every descriptor allowed. */
static void raise_fd_limit(void)
{
	struct rlimit rl;

	if (!getrlimit(RLIMIT_NOFILE, &rl) && rl.rlim_cur < rl.rlim_max) {
		rl.rlim_cur = rl.rlim_max;
		setrlimit(RLIMIT_NOFILE, &rl);
	}
}

int main(int argc, char **argv)
{
	sim = calloc(1, sizeof(*sim));
	if (!sim)
		return 1;
	parse_opts(&sim->o, argc, argv);
	setvbuf(stdout, NULL, _IOLBF, 0);
	raise_fd_limit();
	sim->t_start = now_ms();
	sim->nonce = (u16)(getpid() ^ (sim->t_start * 2654435761u >> 7));
	sim->listen_fd = sim->raw4 = sim->raw6 = -1;
	sim->ep = epoll_create1(EPOLL_CLOEXEC);
	if (sim->ep < 0) {
		perror("pptp-sim: epoll_create1");
		return 1;
	}
	sim->sig_fd = signal_open();
	if (sim->sig_fd < 0 || gre_open())
		return 1;
	if (sim->o.listen ? ctrl_listen() : ctrl_connect_all())
		return 1;
	loop();
	return report();
}
