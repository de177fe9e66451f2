// SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
/*
 * --ppp-script FILE: every call carries a scripted PPP conversation
 * instead of marked packets, so a capture of two pptp-sim peers holds a
 * real LCP, authentication and CCP negotiation (the inspector's audit is
 * tested on such captures).  FILE has one frame a line, the role that
 * sends it and the whole PPP frame in hex (address and control included):
 *
 *	PAC ff03c021 01010009 0305c22305	# LCP Configure-Request, CHAP-MD5
 *	PNS ff03c021 02010009 0305c22305
 *
 * '#' starts a comment; blanks inside the hex are ignored.  Each side
 * sends its lines in order and waits, before any line of its own, for
 * every earlier line of the other side, which must arrive byte for byte:
 * the capture then holds the frames in the script's order.  A call is
 * done when the whole script has passed; a frame that differs, or comes
 * from elsewhere, fails the run.
 */
#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "sim.h"

#define SCRIPT_MAX_LINES	64
#define SCRIPT_MAX_FRAME	256

struct script_line {
	u8 role;
	u16 len;
	u8 frame[SCRIPT_MAX_FRAME];
};

static struct script_line lines[SCRIPT_MAX_LINES];
static unsigned int n_lines;

static int parse_hex(const char *p, struct script_line *l)
{
	int hi = -1, v;

	for (; *p && *p != '#' && *p != '\n'; p++) {
		if (isspace((unsigned char)*p))
			continue;
		if (!isxdigit((unsigned char)*p))
			return -1;
		v = isdigit((unsigned char)*p) ? *p - '0' : tolower((unsigned char)*p) - 'a' + 10;
		if (hi < 0) {
			hi = v;
			continue;
		}
		if (l->len == SCRIPT_MAX_FRAME)
			return -1;
		l->frame[l->len++] = (u8)(hi << 4 | v);
		hi = -1;
	}
	return hi < 0 && l->len ? 0 : -1;
}

int script_load(const char *path)
{
	FILE *f = fopen(path, "r");
	char buf[1024], *p;
	unsigned int lineno = 0;
	struct script_line *l;

	if (!f) {
		fprintf(stderr, "pptp-sim: --ppp-script %s: %s\n", path, strerror(errno));
		return -1;
	}
	while (fgets(buf, sizeof(buf), f)) {
		lineno++;
		for (p = buf; isspace((unsigned char)*p); p++)
			;
		if (!*p || *p == '#')
			continue;
		if (n_lines == SCRIPT_MAX_LINES)
			goto bad;
		l = &lines[n_lines];
		memset(l, 0, sizeof(*l));
		if (!strncmp(p, "PNS ", 4))
			l->role = PPTP_PNS;
		else if (!strncmp(p, "PAC ", 4))
			l->role = PPTP_PAC;
		else
			goto bad;
		if (parse_hex(p + 4, l))
			goto bad;
		n_lines++;
	}
	fclose(f);
	if (n_lines)
		return 0;
	fprintf(stderr, "pptp-sim: --ppp-script %s: no frames\n", path);
	return -1;
bad:
	fprintf(stderr, "pptp-sim: --ppp-script %s:%u: want \"PNS|PAC HEX\" (at most %u lines of %u bytes)\n",
		path, lineno, (unsigned int)SCRIPT_MAX_LINES, (unsigned int)SCRIPT_MAX_FRAME);
	fclose(f);
	return -1;
}

bool script_active(void)
{
	return n_lines != 0;
}

bool script_done(const struct call *c)
{
	return c->script_pos == n_lines;
}

/*
 * Send this side's lines from the call's position until the peer's turn.
 * Not before the call is up here: the peer's first frame may come before
 * its reply (OCRP, ICRP) is read, and until then the peer's call ID, the
 * key to send with, is not known.
 */
static void play(struct call *c)
{
	if (c->state != CALL_UP)
		return;
	while (c->script_pos < n_lines && lines[c->script_pos].role == sim->o.role) {
		if (gre_send_frame(c, lines[c->script_pos].frame, lines[c->script_pos].len))
			return;	/* the kernel is full: the next frame from the peer retries */
		logv(1, "call %u: script line %u sent", c->own_id, c->script_pos + 1);
		c->script_pos++;
	}
	proto_call_progress(c);
}

void script_call_up(struct call *c)
{
	play(c);
}

/* A data packet while a script runs: it must be the peer's next line. */
void script_rx(struct call *c, const struct pptp_gre *g, const u8 *pl)
{
	const struct script_line *l = c->script_pos < n_lines ? &lines[c->script_pos] : NULL;

	if (!l || l->role == sim->o.role || l->len != g->payload_len || memcmp(l->frame, pl, l->len)) {
		c->script_bad++;
		logv(0, "call %u: GRE frame %u is not script line %u", c->own_id,
		     (unsigned int)g->seq, c->script_pos + 1);
		return;
	}
	logv(1, "call %u: script line %u received", c->own_id, c->script_pos + 1);
	c->script_pos++;
	play(c);
}
