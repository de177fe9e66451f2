// SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
/*
 * fake-pppd: a stand-in for pppd under pptpd (pptpd --ppp fake-pppd).
 *
 * pptpctrl forks the "pppd" with the tty of an openpty() pair on fd 0 and
 * fd 1 and pppd-style arguments (local, file, speed, addresses, ipparam,
 * ifname, remotenumber), which are ignored here.  It does not read GRE
 * until its pppd has written something, so one frame (an empty LCP
 * Configure-Request) goes out first.  After that every PPP frame that
 * arrives is decoded and sent back with the same payload, re-encoded, so
 * the peer sees its own frames come back through the tunnel.
 *
 * Damaged frames (bad FCS) are dropped, as pppd would.  It exits when the
 * tty goes away (pptpctrl closes the pty or exits).
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <termios.h>
#include <unistd.h>

#include "hdlc.h"

#define TTY_FD	0

/* LCP Configure-Request, identifier 1, no options. */
static const uint8_t hello[] = { 0xff, 0x03, 0xc0, 0x21, 0x01, 0x01, 0x00, 0x04 };

static unsigned long n_echoed, n_dropped;

static void write_all(const uint8_t *p, size_t len)
{
	ssize_t n;

	while (len) {
		n = write(TTY_FD, p, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			perror("fake-pppd: write");
			exit(1);
		}
		p += n;
		len -= n;
	}
}

static void send_frame(const uint8_t *payload, size_t len)
{
	static uint8_t out[HDLC_ENC_MAX(HDLC_MAX)];

	write_all(out, hdlc_encode(out, payload, len));
}

static void echo_frame(void *ctx, const uint8_t *payload, size_t len, bool ok)
{
	(void)ctx;
	if (!ok) {
		n_dropped++;
		return;
	}
	send_frame(payload, len);
	n_echoed++;
}

/*
 * Raw mode, or the line discipline would cook the stream: ICANON eats
 * 0x7f (VERASE) and holds bytes back until a newline, ECHO loops them back.
 */
static void make_raw(void)
{
	struct termios t;

	if (tcgetattr(TTY_FD, &t) < 0) {
		perror("fake-pppd: tcgetattr (fd 0 is no tty?)");
		return;
	}
	cfmakeraw(&t);
	if (tcsetattr(TTY_FD, TCSANOW, &t) < 0)
		perror("fake-pppd: tcsetattr");
}

int main(int argc, char **argv)
{
	static struct hdlc_dec dec;
	uint8_t buf[4096];
	ssize_t n;

	(void)argc;
	(void)argv;
	signal(SIGPIPE, SIG_IGN);
	make_raw();
	hdlc_dec_init(&dec);
	send_frame(hello, sizeof(hello));

	for (;;) {
		n = read(TTY_FD, buf, sizeof(buf));
		if (n < 0 && errno == EINTR)
			continue;
		/* EIO: the pty master is gone, the call is over. */
		if (n <= 0)
			break;
		hdlc_feed(&dec, buf, n, echo_frame, NULL);
	}
	fprintf(stderr, "fake-pppd[%d]: echoed %lu frames, dropped %lu\n",
		(int)getpid(), n_echoed, n_dropped);
	return 0;
}
