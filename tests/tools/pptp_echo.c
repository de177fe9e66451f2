// SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
/*
 * pptp-echo: drive a real pptp client (pptp-linux) against a server whose
 * "pppd" echoes PPP frames back (fake-pppd), and check the echoes.
 *
 *   pptp-echo [-n COUNT] [-w WINDOW] [-t SECONDS] [-T SECONDS] [-m] [-H] [-S]
 *             [-P PPTP] SERVER [-- PPTP-OPTIONS...]
 *
 * pptp runs with --nolaunchpppd, so it reads and writes the HDLC-framed
 * PPP stream on its fd 0: we give it one end of a socketpair.  COUNT
 * distinct frames go out, at most WINDOW unanswered at a time (pptpctrl
 * writes its pty blocking, so a flood could wedge it against fake-pppd).
 * Every frame carries a marker (magic, this run's random token, index) and
 * a body derived from token and index, so an echo is checked byte for byte
 * and one that belongs to another tunnel counts as a mismatch.  The one
 * frame fake-pppd sends on its own at start is skipped.
 *
 * The first frame goes out only after that greeting came in, so the call's
 * first GRE packets do not cross a firewall in both directions at once:
 * the stock kernel helper can lose that race (each direction takes one of
 * its two expectations, and the server's packet may end up on a conntrack
 * entry without NAT).  -S sends at once instead, to provoke exactly that.
 *
 * -m gives pptp a private /var/run/pptp (a tmpfs in a new mount namespace):
 * pptp shares one call manager, and so one control connection, among all
 * pptp processes aimed at one server through sockets there.
 *
 * -H holds the tunnel up after the echoes, until stdin reaches EOF (or the
 * timeout passes again), so a test can look at the firewall meanwhile: the
 * summary line is printed before the hold.  Frames arriving then count as
 * mismatches.  Each line read from stdin meanwhile sends COUNT more frames
 * (a round), with -T SECONDS to get them back, and prints a line of its
 * own: "pptp-echo: round N ok|FAIL SERVER: ...".  Frames a round did not
 * get back count as lost; the hold goes on.
 *
 * Exit 0 only if all COUNT frames came back exact before the timeout, with
 * nothing damaged or unexpected; 1 otherwise, 2 on usage or setup errors.
 */
#include <errno.h>
#include <getopt.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "hdlc.h"

/*
 * A frame is an LCP Echo-Request, so captures decode it cleanly (nothing on
 * the path interprets PPP): ff 03 c0 21, code 9, id, length, then our
 * marker in the magic-number field, the run's token and the frame index.
 */
#define HDR_LEN		18
#define OFF_MAGIC	8
#define OFF_TOKEN	12
#define OFF_INDEX	16
#define BODY_MAX	1400	/* stays below the path MTU with GRE */
#define MAGIC		0x504e4745u	/* "PNGE" */
#define PPTP_RUN_DIR	"/var/run/pptp"

struct echo {
	unsigned int count, window, timeout_s, round_timeout_s;
	bool at_once;
	uint32_t token;
	unsigned int sent, echoed, mismatched, foreign, lost;
	unsigned int per_round, rounds, rounds_failed;
	const char *server;
	unsigned char *seen;
	pid_t pid;
	int fd;
};

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static uint32_t xorshift(uint32_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 17;
	*s ^= *s << 5;
	return *s;
}

static void put_be32(uint8_t *p, uint32_t v)
{
	p[0] = v >> 24;
	p[1] = v >> 16;
	p[2] = v >> 8;
	p[3] = v;
}

static uint32_t get_be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | p[1] << 16 | p[2] << 8 | p[3];
}

/*
 * Frame idx of this run.  Every third body is built from the bytes HDLC
 * must escape, the others are random; frame 0 is the largest.
 */
static size_t make_frame(const struct echo *e, unsigned int idx, uint8_t *f)
{
	static const uint8_t nasty[] = { 0x7e, 0x7d, 0x00, 0x1f, 0x20, 0x5e, 0x5d };
	uint32_t s = (e->token ^ (idx * 0x9e3779b9u)) | 1;
	size_t i, body;

	body = idx == 0 ? BODY_MAX : 1 + xorshift(&s) % 500;
	f[0] = 0xff;		/* address, control */
	f[1] = 0x03;
	f[2] = 0xc0;		/* LCP */
	f[3] = 0x21;
	f[4] = 9;		/* Echo-Request */
	f[5] = idx;
	f[6] = (HDR_LEN - 4 + body) >> 8;
	f[7] = HDR_LEN - 4 + body;
	put_be32(f + OFF_MAGIC, MAGIC);
	put_be32(f + OFF_TOKEN, e->token);
	f[OFF_INDEX] = idx >> 8;
	f[OFF_INDEX + 1] = idx;
	for (i = 0; i < body; i++) {
		uint32_t r = xorshift(&s);

		f[HDR_LEN + i] = idx % 3 == 1 ? nasty[r % sizeof(nasty)] : r;
	}
	return HDR_LEN + body;
}

static int write_all(int fd, const uint8_t *p, size_t len)
{
	ssize_t n;

	while (len) {
		n = write(fd, p, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		p += n;
		len -= n;
	}
	return 0;
}

static int send_next(struct echo *e)
{
	static uint8_t f[HDR_LEN + BODY_MAX], out[HDLC_ENC_MAX(sizeof(f))];
	size_t len = make_frame(e, e->sent, f);

	if (write_all(e->fd, out, hdlc_encode(out, f, len)) < 0) {
		perror("pptp-echo: write to pptp");
		return -1;
	}
	e->sent++;
	return 0;
}

static void check_frame(void *ctx, const uint8_t *p, size_t len, bool ok)
{
	static uint8_t want[HDR_LEN + BODY_MAX];
	struct echo *e = ctx;
	unsigned int idx;

	if (!ok) {
		fprintf(stderr, "pptp-echo: damaged frame (%zu bytes)\n", len);
		e->mismatched++;
		return;
	}
	if (len < HDR_LEN || get_be32(p + OFF_MAGIC) != MAGIC) {
		/* The first one is fake-pppd's greeting; later ones are not. */
		if (e->foreign++ > 0) {
			fprintf(stderr, "pptp-echo: unexpected frame (%zu bytes)\n", len);
			e->mismatched++;
		}
		return;
	}
	idx = p[OFF_INDEX] << 8 | p[OFF_INDEX + 1];
	if (get_be32(p + OFF_TOKEN) != e->token || idx >= e->sent || e->seen[idx]) {
		fprintf(stderr, "pptp-echo: frame %u: foreign token %08x, "
			"unsent or duplicate\n", idx, get_be32(p + OFF_TOKEN));
		e->mismatched++;
		return;
	}
	if (make_frame(e, idx, want) != len || memcmp(want, p, len)) {
		fprintf(stderr, "pptp-echo: frame %u: echo differs (%zu bytes)\n",
			idx, len);
		e->mismatched++;
		return;
	}
	e->seen[idx] = 1;
	e->echoed++;
}

/* In the child: a mount namespace of its own with an empty PPTP_RUN_DIR. */
static void private_run_dir(void)
{
	if (unshare(CLONE_NEWNS) < 0 ||
	    mount("none", "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0) {
		perror("pptp-echo: private mount namespace");
		_exit(2);
	}
	if (mkdir(PPTP_RUN_DIR, 0755) < 0 && errno != EEXIST) {
		perror("pptp-echo: mkdir " PPTP_RUN_DIR);
		_exit(2);
	}
	if (mount("pptp-echo", PPTP_RUN_DIR, "tmpfs", 0, "mode=0755") < 0) {
		perror("pptp-echo: mount tmpfs on " PPTP_RUN_DIR);
		_exit(2);
	}
}

static int start_pptp(struct echo *e, const char *pptp, const char *server,
		      char **extra, int n_extra, bool private_run)
{
	char *argv[8 + n_extra];
	int sv[2], i, a = 0;

	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) < 0) {
		perror("pptp-echo: socketpair");
		return -1;
	}
	argv[a++] = (char *)pptp;
	argv[a++] = (char *)server;
	argv[a++] = "--nolaunchpppd";
	argv[a++] = "--nohostroute";
	for (i = 0; i < n_extra; i++)
		argv[a++] = extra[i];
	argv[a] = NULL;

	e->pid = fork();
	if (e->pid < 0) {
		perror("pptp-echo: fork");
		return -1;
	}
	if (e->pid == 0) {
		if (private_run)
			private_run_dir();
		if (dup2(sv[1], STDIN_FILENO) < 0)
			_exit(2);
		execvp(pptp, argv);
		perror("pptp-echo: exec pptp");
		_exit(2);
	}
	close(sv[1]);
	e->fd = sv[0];
	return 0;
}

static void stop_pptp(struct echo *e)
{
	int i, status;

	kill(e->pid, SIGTERM);
	/* pptp may linger a few seconds to let its call manager hang up. */
	for (i = 0; i < 50; i++) {
		if (waitpid(e->pid, &status, WNOHANG) == e->pid)
			return;
		usleep(100000);
	}
	kill(e->pid, SIGKILL);
	waitpid(e->pid, &status, 0);
}

/*
 * Until every frame came back, one way or another (a mismatch frees its
 * window slot too, so a broken path fails fast), the timeout, or pptp's
 * death.
 */
static void run(struct echo *e, unsigned int timeout_s)
{
	static struct hdlc_dec dec;
	double deadline = now_s() + timeout_s;
	struct pollfd pfd = { .fd = e->fd, .events = POLLIN };
	uint8_t buf[8192];
	ssize_t n;
	int left;

	hdlc_dec_init(&dec);
	while (e->echoed + e->mismatched + e->lost < e->count) {
		while ((e->foreign || e->at_once) && e->sent < e->count &&
		       e->sent < e->echoed + e->mismatched + e->lost + e->window)
			if (send_next(e) < 0)
				return;
		left = (int)((deadline - now_s()) * 1000);
		if (left <= 0) {
			fprintf(stderr, "pptp-echo: timed out after %u s%s\n",
				timeout_s, e->foreign ? "" :
				", no greeting from the server's pppd");
			return;
		}
		if (poll(&pfd, 1, left) <= 0)
			continue;
		n = read(e->fd, buf, sizeof(buf));
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			fprintf(stderr, "pptp-echo: pptp closed the stream: "
				"the call failed or pptp exited\n");
			return;
		}
		hdlc_feed(&dec, buf, n, check_frame, e);
	}
}

/* One more round of per_round frames; what does not come back is lost. */
static void round_run(struct echo *e)
{
	unsigned int echoed = e->echoed, bad = e->mismatched;
	unsigned char *seen = realloc(e->seen, e->count + e->per_round);
	double start = now_s();
	bool ok;

	if (!seen) {
		e->rounds_failed++;
		return;
	}
	memset(seen + e->count, 0, e->per_round);
	e->seen = seen;
	e->count += e->per_round;
	e->rounds++;
	run(e, e->round_timeout_s);
	ok = e->echoed - echoed == e->per_round && e->mismatched == bad;
	if (!ok) {
		e->rounds_failed++;
		e->lost += e->sent - e->echoed - e->mismatched - e->lost;
		e->lost += e->count - e->sent;	/* never sent: the window was full */
		e->sent = e->count;
	}
	printf("pptp-echo: round %u %s %s: echoed %u of %u, mismatched %u (%.2f s)\n",
	       e->rounds, ok ? "ok" : "FAIL", e->server, e->echoed - echoed, e->per_round,
	       e->mismatched - bad, now_s() - start);
	fflush(stdout);
}

/*
 * Keep the call up until stdin ends or the timeout passes once more.
 * Nothing should arrive meanwhile: check_frame() counts whatever does.
 */
static void hold(struct echo *e)
{
	static struct hdlc_dec dec;
	double deadline = now_s() + e->timeout_s;
	struct pollfd pfd[2] = {
		{ .fd = STDIN_FILENO, .events = POLLIN },
		{ .fd = e->fd, .events = POLLIN },
	};
	uint8_t buf[8192];
	ssize_t n;
	int left;

	hdlc_dec_init(&dec);
	e->foreign = 1;		/* the greeting is behind us */
	while ((left = (int)((deadline - now_s()) * 1000)) > 0) {
		if (poll(pfd, 2, left) <= 0)
			continue;
		if (pfd[0].revents) {
			n = read(STDIN_FILENO, buf, sizeof(buf));
			if (n == 0 || (n < 0 && errno != EINTR))
				return;
			while (n > 0)
				if (buf[--n] == '\n')
					round_run(e);
			deadline = now_s() + e->timeout_s;
		}
		if (pfd[1].revents) {
			n = read(e->fd, buf, sizeof(buf));
			if (n == 0) {
				fprintf(stderr, "pptp-echo: pptp went away "
					"while holding\n");
				e->mismatched++;
				return;
			}
			if (n > 0)
				hdlc_feed(&dec, buf, n, check_frame, e);
		}
	}
}

static void usage(void)
{
	fprintf(stderr, "usage: pptp-echo [-n COUNT] [-w WINDOW] [-t SECONDS] [-T SECONDS] "
		"[-m] [-H] [-S] [-P PPTP] SERVER [-- PPTP-OPTIONS...]\n");
	exit(2);
}

static void report(const struct echo *e, const char *server, double start)
{
	bool ok = e->echoed == e->count && !e->mismatched;

	printf("pptp-echo: %s %s: sent %u, echoed %u, mismatched %u "
	       "(token %08x, %.2f s)\n", ok ? "ok" : "FAIL", server,
	       e->sent, e->echoed, e->mismatched, e->token, now_s() - start);
	fflush(stdout);
}

int main(int argc, char **argv)
{
	struct echo e = { .count = 32, .window = 4, .timeout_s = 20 };
	bool private_run = false, hold_up = false;
	const char *pptp = "pptp", *server;
	unsigned int bad;
	double start;
	int c;

	while ((c = getopt(argc, argv, "+n:w:t:T:mHSP:")) != -1) {
		switch (c) {
		case 'n': e.count = strtoul(optarg, NULL, 0); break;
		case 'w': e.window = strtoul(optarg, NULL, 0); break;
		case 't': e.timeout_s = strtoul(optarg, NULL, 0); break;
		case 'T': e.round_timeout_s = strtoul(optarg, NULL, 0); break;
		case 'm': private_run = true; break;
		case 'H': hold_up = true; break;
		case 'S': e.at_once = true; break;
		case 'P': pptp = optarg; break;
		default: usage();
		}
	}
	if (optind >= argc || !e.count || e.count > 65536 || !e.window ||
	    !e.timeout_s)
		usage();
	server = argv[optind++];
	e.server = server;
	e.per_round = e.count;
	if (!e.round_timeout_s)
		e.round_timeout_s = e.timeout_s;
	if (optind < argc && !strcmp(argv[optind], "--"))
		optind++;
	e.seen = calloc(e.count, 1);
	if (!e.seen)
		return 2;
	srand(time(NULL) ^ getpid());
	e.token = (uint32_t)rand() << 16 ^ (uint32_t)rand();
	signal(SIGPIPE, SIG_IGN);

	start = now_s();
	if (start_pptp(&e, pptp, server, argv + optind, argc - optind,
		       private_run) < 0)
		return 2;
	run(&e, e.timeout_s);
	report(&e, server, start);
	bad = e.mismatched;
	if (hold_up && e.echoed == e.count && !bad) {
		hold(&e);
		if (e.mismatched != bad)
			report(&e, server, start);
	}
	stop_pptp(&e);
	return e.echoed == e.count && !e.mismatched && !e.rounds_failed ? 0 : 1;
}
