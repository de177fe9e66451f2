// SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
/*
 * pptp-ngd: PPTP connection tracking and NAT for kernels without the
 * pptp-ng module.  See docs/pptp-ngd.8 and docs/userspace.md.
 */
#include <errno.h>
#include <getopt.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#include <pptp_ng/version.h>

#include "pptp_ngd.h"
#include "privs.h"

struct ngd_config cfg = {
	.backend = NULL,
	.ruleset = NGD_DEFAULT_RULESET,
	.socket_path = NGD_DEFAULT_SOCKET,
	.fail_open = true,
	.alive_set = NGD_DEFAULT_ALIVE_SET,
	.max_calls = 64,
	.max_sessions = 4096,
	.max_sessions_per_source = 256,
	.gre_timeout = 120,
	.idle_timeout = 900,
};

struct ngd_stats stats;

static const char *run_user = NGD_DEFAULT_USER;
static volatile sig_atomic_t stop_sig, dump_sig;
static bool use_syslog;

/* -1 is news an administrator wants without --verbose (what the daemon chose), not an error. */
static int syslog_priority(int level)
{
	if (level < 0)
		return LOG_NOTICE;
	return level ? LOG_INFO : LOG_ERR;
}

void ngd_log(int level, const char *fmt, ...)
{
	va_list ap;

	if (level > cfg.verbose && level > 0)
		return;
	va_start(ap, fmt);
	if (use_syslog) {
		vsyslog(syslog_priority(level), fmt, ap);
	} else {
		/* one write a line: stderr is unbuffered, and calls log as they come and go */
		char line[1024];

		vsnprintf(line, sizeof(line), fmt, ap);
		fprintf(stderr, "pptp-ngd: %s\n", line);
	}
	va_end(ap);
}

/* Whether a rate-limited line may go to the log now (see ngd_err_ratelimited). */
bool ngd_ratelimit(struct ngd_ratelimit *rl)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	if (!rl->since || now.tv_sec - rl->since >= NGD_LOG_INTERVAL) {
		if (rl->missed)
			ngd_err("%u more lines like the next were left out in %d s", rl->missed,
				NGD_LOG_INTERVAL);
		rl->since = now.tv_sec ? now.tv_sec : 1;
		rl->logged = rl->missed = 0;
	}
	if (rl->logged < NGD_LOG_BURST) {
		rl->logged++;
		return true;
	}
	rl->missed++;
	return false;
}

static void usage(FILE *f)
{
	fputs("usage: pptp-ngd --backend nfqueue|cthelper [--queue N] [--queue-rule auto|nft|xt]\n"
	      "                [--fail-open|--fail-closed] [--alive-set FAMILY/TABLE/SET|none]\n"
	      "                [--max-calls-per-session N] [--max-sessions N]\n"
	      "                [--max-sessions-per-source N] [--max-expectations N]\n"
	      "                [--gre-timeout S] [--idle-timeout S] [--ruleset FILE]\n"
	      "                [--socket PATH] [--user NAME] [--foreground] [--verbose]\n"
	      "                (--ruleset: nfqueue's table, " NGD_DEFAULT_RULESET ")\n"
	      "       pptp-ngd --status [--socket PATH]\n"
	      "       pptp-ngd --version\n", f);
}

static unsigned int num_arg(const char *opt, const char *s, unsigned long lo, unsigned long hi)
{
	char *end;
	unsigned long v;

	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno || *end || !*s || v < lo || v > hi) {
		fprintf(stderr, "pptp-ngd: --%s wants a number from %lu to %lu, not \"%s\"\n",
			opt, lo, hi, s);
		exit(2);
	}
	return (unsigned int)v;
}

/* --queue-rule: auto (the default), or one kind forced (xt: tests, kernels that misbehave). */
static enum ngd_queue_rule queue_rule_arg(const char *s)
{
	int r = ngd_queue_rule_parse(s);

	if (r < 0) {
		fprintf(stderr, "pptp-ngd: --queue-rule wants auto, nft or xt, not \"%s\"\n", s);
		exit(2);
	}
	return (enum ngd_queue_rule)r;
}

static bool parse_args(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "backend", required_argument, NULL, 'b' },
		{ "queue", required_argument, NULL, 'q' },
		{ "queue-rule", required_argument, NULL, 'Q' },
		{ "fail-open", no_argument, NULL, 'o' },
		{ "fail-closed", no_argument, NULL, 'c' },
		{ "alive-set", required_argument, NULL, 'A' },
		{ "max-calls-per-session", required_argument, NULL, 'm' },
		{ "max-sessions", required_argument, NULL, 's' },
		{ "max-sessions-per-source", required_argument, NULL, 'P' },
		{ "max-expectations", required_argument, NULL, 'E' },
		{ "gre-timeout", required_argument, NULL, 'g' },
		{ "idle-timeout", required_argument, NULL, 'i' },
		{ "ruleset", required_argument, NULL, 'r' },
		{ "socket", required_argument, NULL, 'S' },
		{ "user", required_argument, NULL, 'u' },
		{ "status", no_argument, NULL, 'T' },
		{ "foreground", no_argument, NULL, 'f' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 }
	};
	bool status = false;
	int c;

	while ((c = getopt_long(argc, argv, "b:q:fvh", opts, NULL)) != -1) {
		switch (c) {
		case 'b': cfg.backend = optarg; break;
		case 'q': cfg.queue = num_arg("queue", optarg, 0, 65535); break;
		case 'Q': cfg.queue_rule = queue_rule_arg(optarg); break;
		case 'o': cfg.fail_open = true; break;
		case 'c': cfg.fail_open = false; break;
		case 'A': cfg.alive_set = optarg; break;
		case 'm': cfg.max_calls = num_arg("max-calls-per-session", optarg, 1, 65535); break;
		case 's': cfg.max_sessions = num_arg("max-sessions", optarg, 1, 1000000); break;
		case 'P':
			cfg.max_sessions_per_source = num_arg("max-sessions-per-source", optarg, 0, 1000000);
			break;
		case 'E': cfg.max_expectations = num_arg("max-expectations", optarg, 0, 1000000); break;
		case 'g': cfg.gre_timeout = num_arg("gre-timeout", optarg, 4, 86400); break;
		case 'i': cfg.idle_timeout = num_arg("idle-timeout", optarg, 10, 864000); break;
		case 'r': cfg.ruleset = optarg; break;
		case 'S': cfg.socket_path = optarg; break;
		case 'u': run_user = optarg; break;
		case 'T': status = true; break;
		case 'f': cfg.foreground = true; break;
		case 'v': cfg.verbose++; break;
		case 'h': usage(stdout); exit(0);
		case 'V': puts("pptp-ngd " PPTP_NG_VERSION); exit(0);
		default: usage(stderr); exit(2);
		}
	}
	if (optind < argc) {
		fprintf(stderr, "pptp-ngd: unexpected argument \"%s\"\n", argv[optind]);
		exit(2);
	}
	return status;
}

static void on_signal(int sig)
{
	if (sig == SIGUSR1)
		dump_sig = 1;
	else
		stop_sig = sig;
}

static void signals(void)
{
	struct sigaction sa = { .sa_handler = on_signal };

	sigemptyset(&sa.sa_mask);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGUSR1, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
}

/* SIGUSR1: the state into the log (stderr, or syslog when detached). */
static void dump_state(void)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	if (!f)
		return;
	state_json(f);
	fclose(f);
	ngd_log(0, "state: %s", buf);
	free(buf);
}

/*
 * Into the background once everything is in place (rules, recovery, the
 * control socket): whoever started us, a shell, a script or keepalived's
 * notify, goes on only then, and a failed start still shows on its
 * terminal.
 */
static int detach(void)
{
	if (cfg.foreground)
		return 0;
	if (daemon(0, 0) < 0) {
		ngd_err("cannot go into the background: %s", strerror(errno));
		return -1;
	}
	use_syslog = true;
	openlog("pptp-ngd", LOG_PID, LOG_DAEMON);
	return 0;
}

/* The loop: packets first, then the control socket and its clients. */
static int run(const struct ngd_backend *be, int lfd)
{
	struct pollfd pfd[2 + CTL_CLIENTS];

	pfd[0].fd = be->fd();
	pfd[0].events = POLLIN;
	pfd[1].fd = lfd;
	pfd[1].events = POLLIN;
	while (!stop_sig) {
		unsigned int nc = ctl_pollfds(pfd + 2);
		int n = poll(pfd, 2 + nc, 50);

		if (n < 0 && errno != EINTR) {
			ngd_err("poll: %s", strerror(errno));
			break;
		}
		if (n > 0 && (pfd[0].revents & POLLIN) && be->input() < 0)
			break;
		ctl_service(pfd + 2, n > 0 ? nc : 0);
		if (n > 0 && (pfd[1].revents & POLLIN))
			ctl_input(lfd);
		if (dump_sig) {
			dump_sig = 0;
			dump_state();
		}
		if (be->tick)
			be->tick();
		sessions_tick(time(NULL));
	}
	return stop_sig ? 0 : 1;
}

/*
 * The last of the set-up, as root: the control socket, then the switch to
 * the daemon's user (everything after needs CAP_NET_ADMIN alone).
 */
static int finish_setup(void)
{
	int lfd = ctl_open(cfg.socket_path);

	if (lfd < 0)
		return -1;
	if (privs_drop() < 0) {
		ctl_close(cfg.socket_path);
		close(lfd);
		return -1;
	}
	return lfd;
}

int main(int argc, char **argv)
{
	const struct ngd_backend *be;
	struct timespec t0, t1;
	long ms;
	int ret, lfd;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	if (parse_args(argc, argv))
		return ctl_status(cfg.socket_path);
	if (!cfg.backend) {
		fprintf(stderr, "pptp-ngd: --backend is required (nfqueue or cthelper)\n");
		usage(stderr);
		return 2;
	}
	be = ngd_backend_find(cfg.backend);
	if (!be) {
		fprintf(stderr, "pptp-ngd: unknown backend \"%s\" (nfqueue or cthelper)\n", cfg.backend);
		return 2;
	}
	ngd_active = be;
	if (be->probe && be->probe() < 0)
		return 1;
	if (privs_resolve(run_user) < 0)
		return 1;
	signals();
	if (sessions_init() < 0)
		return 1;
	if (be->start() < 0) {
		be->stop();
		return 1;
	}
	lfd = finish_setup();
	if (lfd < 0) {
		be->stop();
		return 1;
	}
	/* recovery included: how long a restart leaves the control path unfollowed */
	clock_gettime(CLOCK_MONOTONIC, &t1);
	ms = (t1.tv_sec - t0.tv_sec) * 1000 + (t1.tv_nsec - t0.tv_nsec) / 1000000;
	ngd_notice("running: backend %s, queue %u by %s, fail-%s, user %s%s, scheduling %s (started in %ld ms)",
		   be->name, cfg.queue, ngd_queue_rule_text(ngd_queue_used),
		   cfg.fail_open ? "open" : "closed", run_user,
		   privs_unprivileged() ? " with CAP_NET_ADMIN only" : "", ngd_scheduling(), ms);
	if (detach() < 0) {
		ctl_close(cfg.socket_path);
		be->stop();
		return 1;
	}
	ret = run(be, lfd);
	closing_run();
	ctl_close(cfg.socket_path);
	close(lfd);
	be->stop();
	sessions_shutdown();
	if (be->left_behind)
		ngd_info("stopped; %s", be->left_behind);
	return ret;
}
