// SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
/*
 * core-driver MODE N: feed N scripted control connections through the
 * shared core (pptp_feed), for bench/core.sh to count instructions under
 * callgrind.
 *
 * MODE is "plain" (no ops: the tracker only follows the session), "nat"
 * (map_id translates every call ID and the tracker writes each rewrite
 * into the segment itself, pptp_feed_in_place, as the module does) or
 * "events" (the same, but the event callback applies each REWRITE event
 * to the segment, as pptp-ngd does).  Every session carries all
 * 15 control message types, one message per segment:
 *
 *   SCCRQ SCCRP EchoRQ EchoRP
 *   OCRQ OCRP SLI WEN CCRQ CDN           outgoing call
 *   ICRQ ICRP ICCN CDN                   incoming call
 *   StopCCRQ StopCCRP
 *
 * Each message is fed through a wrapper of its own (feed_<type>) so that
 * callgrind_annotate's inclusive counts give the cost per message type.
 * The peers' messages carry the call IDs each side sees (the translated
 * ones in the NAT modes), so both calls go up and down; the driver checks the
 * tracker's counters at the end and fails if anything was refused, so a
 * figure never comes from an error path.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pptp_ng/core.h"

static enum { PLAIN, IN_PLACE, EVENTS } mode;

#define D_PNS		0	/* direction of what the PNS sends */
#define D_PAC		1
#define MAX_MSGS	16
#define MAX_CALLS	4
#define NAT_BIT		0x8000	/* map_id's translation: set the top bit */

struct msg {
	u16 type;
	u8 dir;
	u16 len;
	u8 b[PPTP_MSG_MAX_LEN];
};

static struct msg script[MAX_MSGS];
static unsigned int n_msgs;

static u16 xid_of(u16 id)
{
	return mode != PLAIN ? (u16)(id | NAT_BIT) : id;
}

/*
 * Append a message of @type sent by @sender.  @own is the sender's call ID,
 * @peer the receiver's own call ID (written as the sender sees it).
 */
static struct msg *add(u16 type, u8 sender, u16 own, u16 peer)
{
	const struct pptp_msg_desc *d = pptp_msg_desc(type);
	struct msg *m = &script[n_msgs++];

	m->type = type;
	m->dir = sender == PPTP_PNS ? D_PNS : D_PAC;
	m->len = pptp_msg_init(m->b, type);
	if (d->own_off)
		pptp_put16(m->b + d->own_off, own);
	if (d->peer_off)
		pptp_put16(m->b + d->peer_off, xid_of(peer));
	if (d->result_off)
		m->b[d->result_off] = 1;	/* success in every reply */
	return m;
}

static void build_script(void)
{
	const u16 pns_out = 0x101, pac_out = 0x201;	/* outgoing call */
	const u16 pns_in = 0x102, pac_in = 0x202;	/* incoming call */
	struct msg *m;

	m = add(PPTP_SCCRQ, PPTP_PNS, 0, 0);
	pptp_put16(m->b + PPTP_SCC_OFF_VERSION, PPTP_PROTOCOL_VERSION);
	m = add(PPTP_SCCRP, PPTP_PAC, 0, 0);
	pptp_put16(m->b + PPTP_SCC_OFF_VERSION, PPTP_PROTOCOL_VERSION);
	m = add(PPTP_ECHORQ, PPTP_PNS, 0, 0);
	pptp_put32(m->b + PPTP_ECHO_OFF_IDENT, 42);
	m = add(PPTP_ECHORP, PPTP_PAC, 0, 0);
	pptp_put32(m->b + PPTP_ECHO_OFF_IDENT, 42);

	m = add(PPTP_OCRQ, PPTP_PNS, pns_out, 0);
	pptp_put16(m->b + PPTP_OCRQ_OFF_SERIAL, 1);
	pptp_put16(m->b + PPTP_OCRQ_OFF_WINDOW, 64);
	add(PPTP_OCRP, PPTP_PAC, pac_out, pns_out);
	add(PPTP_SLI, PPTP_PNS, 0, pac_out);
	add(PPTP_WEN, PPTP_PAC, 0, pns_out);
	add(PPTP_CCRQ, PPTP_PNS, pns_out, 0);
	add(PPTP_CDN, PPTP_PAC, pac_out, 0);

	m = add(PPTP_ICRQ, PPTP_PAC, pac_in, 0);
	pptp_put16(m->b + PPTP_ICRQ_OFF_SERIAL, 2);
	add(PPTP_ICRP, PPTP_PNS, pns_in, pac_in);
	add(PPTP_ICCN, PPTP_PAC, 0, pns_in);
	add(PPTP_CDN, PPTP_PAC, pac_in, 0);

	add(PPTP_STOPCCRQ, PPTP_PNS, 0, 0)->b[PPTP_STOPCCRQ_OFF_REASON] = 1;
	add(PPTP_STOPCCRP, PPTP_PAC, 0, 0);
}

/* The segment being fed: rewrites land here, never in the script. */
static u8 seg[PPTP_MSG_MAX_LEN];

static int map_id(void *ctx, const struct pptp_tracker *t, unsigned int dir, u8 role, u16 id,
		  u16 *xid)
{
	(void)ctx; (void)t; (void)dir; (void)role;
	*xid = xid_of(id);
	return 0;
}

static void on_event(void *ctx, const struct pptp_tracker *t, const struct pptp_event *ev)
{
	(void)ctx; (void)t;
	if (ev->type == PPTP_EV_REWRITE)
		memcpy(seg + ev->seg_off, ev->bytes, ev->nbytes);
}

/* The module's ops: no MESSAGE or SESSION events, rewrites written in place. */
static const struct pptp_ops in_place_ops = {
	.map_id = map_id,
	.event = on_event,
	.quiet = PPTP_EV_BIT(PPTP_EV_MESSAGE) | PPTP_EV_BIT(PPTP_EV_SESSION) |
		 PPTP_EV_BIT(PPTP_EV_REWRITE),
};

/* pptp-ngd's: no MESSAGE or SESSION events, rewrites applied from their events. */
static const struct pptp_ops event_ops = {
	.map_id = map_id,
	.event = on_event,
	.quiet = PPTP_EV_BIT(PPTP_EV_MESSAGE) | PPTP_EV_BIT(PPTP_EV_SESSION),
};


static u32 seq[2];

static void feed(struct pptp_tracker *t, const struct msg *m)
{
	enum pptp_feed_verdict v;

	memcpy(seg, m->b, m->len);
	if (mode == IN_PLACE)
		v = pptp_feed_in_place(t, m->dir, seq[m->dir], seg, m->len);
	else
		v = pptp_feed(t, m->dir, seq[m->dir], seg, m->len);
	if (v != PPTP_FEED_OK) {
		fprintf(stderr, "core-driver: %s not fed\n", pptp_msg_name(m->type));
		exit(1);
	}
	seq[m->dir] += m->len;
}

/* One wrapper per message type, kept out of line for callgrind. */
#define FEED_FN(name) \
	__attribute__((noinline)) static void feed_##name(struct pptp_tracker *t, \
							  const struct msg *m) \
	{ feed(t, m); }
FEED_FN(SCCRQ) FEED_FN(SCCRP) FEED_FN(StopCCRQ) FEED_FN(StopCCRP)
FEED_FN(EchoRQ) FEED_FN(EchoRP) FEED_FN(OCRQ) FEED_FN(OCRP)
FEED_FN(ICRQ) FEED_FN(ICRP) FEED_FN(ICCN) FEED_FN(CCRQ)
FEED_FN(CDN) FEED_FN(WEN) FEED_FN(SLI)

typedef void (*feed_fn)(struct pptp_tracker *t, const struct msg *m);

static const feed_fn feeders[PPTP_CTRL_TYPE_MAX + 1] = {
	[PPTP_SCCRQ] = feed_SCCRQ, [PPTP_SCCRP] = feed_SCCRP,
	[PPTP_STOPCCRQ] = feed_StopCCRQ, [PPTP_STOPCCRP] = feed_StopCCRP,
	[PPTP_ECHORQ] = feed_EchoRQ, [PPTP_ECHORP] = feed_EchoRP,
	[PPTP_OCRQ] = feed_OCRQ, [PPTP_OCRP] = feed_OCRP,
	[PPTP_ICRQ] = feed_ICRQ, [PPTP_ICRP] = feed_ICRP,
	[PPTP_ICCN] = feed_ICCN, [PPTP_CCRQ] = feed_CCRQ,
	[PPTP_CDN] = feed_CDN, [PPTP_WEN] = feed_WEN, [PPTP_SLI] = feed_SLI,
};

/* Anything but a clean session means the script is wrong: no figure. */
static void check(const struct pptp_tracker *t)
{
	const struct pptp_counters *c = &t->cnt;
	unsigned int i, bad = 0;

	for (i = 0; i < PPTP_INV_COUNT; i++)
		bad += c->invalid[i];
	for (i = 0; i < PPTP_AN_COUNT; i++)
		bad += c->anomalies[i];
	for (i = 0; i < PPTP_REFUSE_COUNT; i++)
		bad += c->refused[i];
	if (bad || c->calls_up != 2 || c->calls_closed != 2 || t->session != PPTP_SESS_DOWN ||
	    (mode != PLAIN && c->rewrites == 0)) {
		fprintf(stderr, "core-driver: session not clean: %u refused/anomalies, "
			"%u calls up, %u closed, %u rewrites, session %s\n", bad, c->calls_up,
			c->calls_closed, c->rewrites, pptp_session_name(t->session));
		exit(1);
	}
}

static void run_session(void)
{
	static struct pptp_call calls[MAX_CALLS];
	struct pptp_tracker t;
	struct pptp_tracker_config cfg = {
		.ops = mode == IN_PLACE ? &in_place_ops : mode == EVENTS ? &event_ops : NULL,
		.calls = calls,
		.max_calls = MAX_CALLS,
	};
	unsigned int i;

	pptp_tracker_init(&t, &cfg);
	for (i = 0; i < n_msgs; i++)
		feeders[script[i].type](&t, &script[i]);
	check(&t);
}

int main(int argc, char **argv)
{
	unsigned long n, i;
	char *end;

	if (argc == 3 && !strcmp(argv[1], "plain")) {
		mode = PLAIN;
	} else if (argc == 3 && !strcmp(argv[1], "nat")) {
		mode = IN_PLACE;
	} else if (argc == 3 && !strcmp(argv[1], "events")) {
		mode = EVENTS;
	} else {
		fprintf(stderr, "usage: core-driver plain|nat|events SESSIONS\n");
		return 2;
	}
	n = strtoul(argv[2], &end, 10);
	if (*end || !n) {
		fprintf(stderr, "core-driver: bad session count '%s'\n", argv[2]);
		return 2;
	}
	build_script();
	for (i = 0; i < n; i++) {
		seq[D_PNS] = 1000 + (u32)i * 7;	/* a new stream each session */
		seq[D_PAC] = 5000 + (u32)i * 11;
		run_session();
	}
	printf("%s %lu sessions %u messages\n", argv[1], n, n_msgs);
	return 0;
}
