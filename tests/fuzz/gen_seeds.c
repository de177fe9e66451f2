// SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
/*
 * fuzz-gen-seeds DIR: write the seed corpus of the core fuzzer into DIR.
 *
 * Each seed is a script (see script.h) of a realistic control connection,
 * built with the core's own pptp_msg_init and offsets, so the fuzzer
 * starts from sessions that reach every state instead of having to guess
 * magic cookies and message lengths.  The peers' messages carry the call
 * IDs each side actually sees, i.e. the translated ones where the seed's
 * map_id policy translates, so calls go all the way up and down.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pptp_ng/wire.h"
#include "script.h"

#define SCRIPT_MAX	16384
#define SEG_MAX		FZ_SHORT_LEN_MAX

/* Where the harness's pool policy puts the first translated ID of a role. */
#define POOL_PNS	0x8000
#define POOL_PAC	0xc000

/* Direction 0 carries what the PNS sends unless a seed says otherwise. */
#define D_PNS		0
#define D_PAC		1

struct script {
	u8 b[SCRIPT_MAX];
	size_t len;
};

struct seg {
	u8 b[SEG_MAX];
	u32 len;
};

static const char *out_dir;
static unsigned int n_seeds;

static void die(const char *what)
{
	fprintf(stderr, "fuzz-gen-seeds: %s: %s\n", what, strerror(errno));
	exit(1);
}

/* ---- scripts ---- */

static void put(struct script *s, const void *p, size_t n)
{
	if (s->len + n > sizeof(s->b)) {
		fprintf(stderr, "fuzz-gen-seeds: script too long\n");
		exit(1);
	}
	memcpy(s->b + s->len, p, n);
	s->len += n;
}

static void put8(struct script *s, unsigned int v)
{
	u8 b = (u8)v;

	put(s, &b, 1);
}

static void put_len(struct script *s, u32 len)
{
	if (len < 0xf0) {
		put8(s, len);
		return;
	}
	put8(s, 0xf0 | len >> 8);
	put8(s, len & 0xff);
}

static void begin(struct script *s, u8 cfg, u8 pns_policy, u8 pac_policy,
		  u32 fail_mask, u8 isn0, u8 isn1)
{
	s->len = 0;
	put8(s, cfg);
	put8(s, pns_policy | pac_policy << 2);
	put8(s, fail_mask >> 24);
	put8(s, fail_mask >> 16);
	put8(s, fail_mask >> 8);
	put8(s, fail_mask);
	put8(s, isn0);
	put8(s, isn1);
}

static void next_bytes(struct script *s, unsigned int dir, const u8 *p, u32 len)
{
	put8(s, FZ_OP(FZ_OP_NEXT, dir));
	put_len(s, len);
	put(s, p, len);
}

static void next_seg(struct script *s, unsigned int dir, struct seg *g)
{
	next_bytes(s, dir, g->b, g->len);
	g->len = 0;
}

/* Replay @back old bytes, @len in all (the rest new, from @fresh). */
static void retrans(struct script *s, unsigned int dir, u8 back, u32 len,
		    int corrupt, u8 pos, const u8 *fresh)
{
	put8(s, FZ_OP(FZ_OP_RETRANS, dir) | (corrupt ? FZ_OP_MOD : 0));
	put8(s, back);
	put_len(s, len);
	if (corrupt)
		put8(s, pos);
	if (fresh && len > back)
		put(s, fresh, len - back);
}

static void gap(struct script *s, unsigned int dir, u8 skip, const u8 *p, u32 len)
{
	put8(s, FZ_OP(FZ_OP_GAP, dir));
	put8(s, skip);
	put_len(s, len);
	put(s, p, len);
}

static void resync(struct script *s, unsigned int dir, u8 skip)
{
	put8(s, FZ_OP(FZ_OP_RESYNC, dir));
	put8(s, skip);
}

static void gre(struct script *s, const u8 *p, u32 len)
{
	put8(s, FZ_OP(FZ_OP_GRE, 0));
	put_len(s, len);
	put(s, p, len);
}

static void save(const struct script *s, const char *name)
{
	char path[4096];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%02u-%s", out_dir, ++n_seeds, name);
	f = fopen(path, "wb");
	if (!f)
		die(path);
	if (fwrite(s->b, 1, s->len, f) != s->len || fclose(f))
		die(path);
}

/* ---- messages, appended to a segment ---- */

static u8 *msg(struct seg *g, u16 type)
{
	u8 *m = g->b + g->len;

	if (g->len + PPTP_MSG_MAX_LEN > sizeof(g->b)) {
		fprintf(stderr, "fuzz-gen-seeds: segment too long\n");
		exit(1);
	}
	g->len += pptp_msg_init(m, type);
	return m;
}

static void sccrq(struct seg *g)
{
	u8 *m = msg(g, PPTP_SCCRQ);

	pptp_put16(m + PPTP_SCC_OFF_VERSION, PPTP_PROTOCOL_VERSION);
	pptp_put32(m + PPTP_SCC_OFF_FRAMING_CAPS, 3);
	pptp_put32(m + PPTP_SCC_OFF_BEARER_CAPS, 3);
	pptp_put16(m + PPTP_SCC_OFF_FIRMWARE, 0x0100);
	memcpy(m + PPTP_SCC_OFF_HOSTNAME, "local", 5);
	memcpy(m + PPTP_SCC_OFF_VENDOR, "pptp-ng", 7);
}

static void sccrp(struct seg *g, u8 result)
{
	u8 *m = msg(g, PPTP_SCCRP);

	pptp_put16(m + PPTP_SCC_OFF_VERSION, PPTP_PROTOCOL_VERSION);
	m[PPTP_SCCRP_OFF_RESULT] = result;
	pptp_put32(m + PPTP_SCC_OFF_FRAMING_CAPS, 1);
	pptp_put32(m + PPTP_SCC_OFF_BEARER_CAPS, 1);
	pptp_put16(m + PPTP_SCC_OFF_MAX_CHANNELS, 64);
	memcpy(m + PPTP_SCC_OFF_HOSTNAME, "pac", 3);
}

static void stopccrq(struct seg *g)
{
	msg(g, PPTP_STOPCCRQ)[PPTP_STOPCCRQ_OFF_REASON] = 1;
}

static void stopccrp(struct seg *g)
{
	msg(g, PPTP_STOPCCRP)[PPTP_STOPCCRP_OFF_RESULT] = PPTP_STOPCCRP_OK;
}

static void echo(struct seg *g, u32 ident, int reply)
{
	u8 *m = msg(g, reply ? PPTP_ECHORP : PPTP_ECHORQ);

	pptp_put32(m + PPTP_ECHO_OFF_IDENT, ident);
	if (reply)
		m[PPTP_ECHORP_OFF_RESULT] = 1;
}

static u8 *ocrq(struct seg *g, u16 id, u16 serial)
{
	u8 *m = msg(g, PPTP_OCRQ);

	pptp_put16(m + PPTP_OCRQ_OFF_CALL_ID, id);
	pptp_put16(m + PPTP_OCRQ_OFF_SERIAL, serial);
	pptp_put32(m + PPTP_OCRQ_OFF_MIN_BPS, 300);
	pptp_put32(m + PPTP_OCRQ_OFF_MAX_BPS, 100000000);
	pptp_put32(m + PPTP_OCRQ_OFF_BEARER, 3);
	pptp_put32(m + PPTP_OCRQ_OFF_FRAMING, 3);
	pptp_put16(m + PPTP_OCRQ_OFF_WINDOW, 64);
	return m;
}

static void ocrp(struct seg *g, u16 id, u16 peer, u8 result)
{
	u8 *m = msg(g, PPTP_OCRP);

	pptp_put16(m + PPTP_OCRP_OFF_CALL_ID, id);
	pptp_put16(m + PPTP_OCRP_OFF_PEER_ID, peer);
	m[PPTP_OCRP_OFF_RESULT] = result;
	pptp_put32(m + PPTP_OCRP_OFF_SPEED, 100000000);
	pptp_put16(m + PPTP_OCRP_OFF_WINDOW, 64);
}

static void icrq(struct seg *g, u16 id, u16 serial)
{
	u8 *m = msg(g, PPTP_ICRQ);

	pptp_put16(m + PPTP_ICRQ_OFF_CALL_ID, id);
	pptp_put16(m + PPTP_ICRQ_OFF_SERIAL, serial);
	pptp_put32(m + PPTP_ICRQ_OFF_BEARER, 1);
	pptp_put16(m + PPTP_ICRQ_OFF_DIALED_LEN, 3);
	memcpy(m + PPTP_ICRQ_OFF_DIALED, "123", 3);
}

static void icrp(struct seg *g, u16 id, u16 peer, u8 result)
{
	u8 *m = msg(g, PPTP_ICRP);

	pptp_put16(m + PPTP_ICRP_OFF_CALL_ID, id);
	pptp_put16(m + PPTP_ICRP_OFF_PEER_ID, peer);
	m[PPTP_ICRP_OFF_RESULT] = result;
	pptp_put16(m + PPTP_ICRP_OFF_WINDOW, 32);
}

static void iccn(struct seg *g, u16 peer)
{
	u8 *m = msg(g, PPTP_ICCN);

	pptp_put16(m + PPTP_ICCN_OFF_PEER_ID, peer);
	pptp_put32(m + PPTP_ICCN_OFF_SPEED, 100000000);
	pptp_put16(m + PPTP_ICCN_OFF_WINDOW, 16);
	pptp_put32(m + PPTP_ICCN_OFF_FRAMING, 1);
}

static void ccrq(struct seg *g, u16 id)
{
	pptp_put16(msg(g, PPTP_CCRQ) + PPTP_CCRQ_OFF_CALL_ID, id);
}

static void cdn(struct seg *g, u16 id)
{
	u8 *m = msg(g, PPTP_CDN);

	pptp_put16(m + PPTP_CDN_OFF_CALL_ID, id);
	m[PPTP_CDN_OFF_RESULT] = 3;
}

static void wen(struct seg *g, u16 peer)
{
	u8 *m = msg(g, PPTP_WEN);

	pptp_put16(m + PPTP_WEN_OFF_PEER_ID, peer);
	pptp_put32(m + PPTP_WEN_OFF_CRC_ERRORS, 2);
}

static void sli(struct seg *g, u16 peer)
{
	u8 *m = msg(g, PPTP_SLI);

	pptp_put16(m + PPTP_SLI_OFF_PEER_ID, peer);
	pptp_put32(m + PPTP_SLI_OFF_SEND_ACCM, 0xffffffff);
	pptp_put32(m + PPTP_SLI_OFF_RECV_ACCM, 0xffffffff);
}

/* ---- sessions ---- */

/* Control connection set up, @pns_dir asking. */
static void start(struct script *s, struct seg *g, unsigned int req_dir)
{
	sccrq(g);
	next_seg(s, req_dir, g);
	sccrp(g, PPTP_SCCRP_OK);
	next_seg(s, !req_dir, g);
}

static void stop(struct script *s, struct seg *g, unsigned int dir)
{
	stopccrq(g);
	next_seg(s, dir, g);
	stopccrp(g);
	next_seg(s, !dir, g);
}

/* How the seed's map_id policies show each side's IDs to the other. */
struct view {
	u8 policy[2];		/* enum fz_map_policy per role */
};

/* @id of @role as the other side sees it, the @idx-th pool ID if pooled. */
static u16 shown(const struct view *v, u8 role, u16 id, u16 idx)
{
	switch (v->policy[role]) {
	case FZ_MAP_POOL:
	case FZ_MAP_FAILING:
		return (u16)((role == PPTP_PNS ? POOL_PNS : POOL_PAC) + idx);
	case FZ_MAP_OFFSET:
		return id ^ 0x00a5;
	default:
		return id;
	}
}

/* A PNS-initiated session with outgoing calls, one message per segment. */
static void outgoing_session(struct script *s, const struct view *v)
{
	struct seg g = { 0 };
	u16 pns = 0x0011, pac = 0x0900;

	start(s, &g, D_PNS);
	echo(&g, 0xdeadbeef, 0);
	next_seg(s, D_PNS, &g);
	echo(&g, 0xdeadbeef, 1);
	next_seg(s, D_PAC, &g);
	/* call 1: up, link info both ways, a WAN error, cleared by the PNS */
	ocrq(&g, pns, 1);
	next_seg(s, D_PNS, &g);
	ocrp(&g, pac, shown(v, PPTP_PNS, pns, 0), PPTP_OCRP_CONNECTED);
	next_seg(s, D_PAC, &g);
	sli(&g, shown(v, PPTP_PAC, pac, 0));
	next_seg(s, D_PNS, &g);
	sli(&g, shown(v, PPTP_PNS, pns, 0));
	next_seg(s, D_PAC, &g);
	wen(&g, shown(v, PPTP_PNS, pns, 0));
	next_seg(s, D_PAC, &g);
	/* call 2: up, then the PAC hangs up naming the PNS's ID (Windows) */
	ocrq(&g, pns + 1, 2);
	next_seg(s, D_PNS, &g);
	ocrp(&g, pac + 1, shown(v, PPTP_PNS, pns + 1, 1), PPTP_OCRP_CONNECTED);
	next_seg(s, D_PAC, &g);
	ccrq(&g, pns);
	next_seg(s, D_PNS, &g);
	cdn(&g, pac);					/* call 1 by the PAC's ID (RFC) */
	next_seg(s, D_PAC, &g);
	cdn(&g, shown(v, PPTP_PNS, pns + 1, 1));	/* call 2 by the PNS's */
	next_seg(s, D_PAC, &g);
	/* call 3: the PAC says busy (pools hand out freed IDs first) */
	ocrq(&g, pns + 2, 3);
	next_seg(s, D_PNS, &g);
	ocrp(&g, pac + 2, shown(v, PPTP_PNS, pns + 2, 0), 4);
	next_seg(s, D_PAC, &g);
	/* call 4 left up for StopCCRQ to clear */
	ocrq(&g, pns + 3, 4);
	next_seg(s, D_PNS, &g);
	ocrp(&g, pac + 3, shown(v, PPTP_PNS, pns + 3, 0), PPTP_OCRP_CONNECTED);
	next_seg(s, D_PAC, &g);
	stop(s, &g, D_PNS);
}

/* The PAC opens the control connection and places incoming calls. */
static void incoming_session(struct script *s, const struct view *v)
{
	struct seg g = { 0 };
	u16 pns = 0x0200, pac = 0x4000;

	start(s, &g, D_PAC);
	icrq(&g, pac, 100);
	next_seg(s, D_PAC, &g);
	icrp(&g, pns, shown(v, PPTP_PAC, pac, 0), PPTP_ICRP_CONNECT);
	next_seg(s, D_PNS, &g);
	iccn(&g, shown(v, PPTP_PNS, pns, 0));
	next_seg(s, D_PAC, &g);
	sli(&g, shown(v, PPTP_PAC, pac, 0));
	next_seg(s, D_PNS, &g);
	/* a second call the PNS turns down */
	icrq(&g, pac + 1, 101);
	next_seg(s, D_PAC, &g);
	icrp(&g, pns + 1, shown(v, PPTP_PAC, pac + 1, 1), 2);
	next_seg(s, D_PNS, &g);
	/* a third one still in progress when the PAC stops */
	icrq(&g, pac + 2, 102);
	next_seg(s, D_PAC, &g);
	cdn(&g, pac);
	next_seg(s, D_PAC, &g);
	stop(s, &g, D_PAC);
}

/* @pol_flags: FZ_POL_* bits on top of the two map_id policies. */
static void session_flags(u8 cfg, u8 pns_policy, u8 pac_policy, u8 pol_flags, u32 fail_mask,
			  u8 isn0, u8 isn1, int incoming, const char *name)
{
	struct script s;
	struct view v = { { pns_policy, pac_policy } };

	begin(&s, cfg, pns_policy, pac_policy, fail_mask, isn0, isn1);
	s.b[1] |= pol_flags;
	if (incoming)
		incoming_session(&s, &v);
	else
		outgoing_session(&s, &v);
	save(&s, name);
}

static void session(u8 cfg, u8 pns_policy, u8 pac_policy, u32 fail_mask,
		    u8 isn0, u8 isn1, int incoming, const char *name)
{
	session_flags(cfg, pns_policy, pac_policy, 0, fail_mask, isn0, isn1, incoming, name);
}

static void seed_sessions(void)
{
	session(0x0f, FZ_MAP_KEEP, FZ_MAP_KEEP, 0, 0, 0, 0, "outgoing");
	session(0x0f, FZ_MAP_POOL, FZ_MAP_KEEP, 0, 0x12, 0x80, 0, "outgoing-nat");
	session(0x0f, FZ_MAP_POOL, FZ_MAP_POOL, 0, 0x7f, 0xfe, 0, "outgoing-nat-both");
	session(0x0f, FZ_MAP_OFFSET, FZ_MAP_OFFSET, 0, 0, 0, 0, "outgoing-offset");
	session(0x03, FZ_MAP_KEEP, FZ_MAP_KEEP, 0, 0x01, 0x02, 1, "incoming");
	/* sequence numbers wrap during the session */
	session(0x07, FZ_MAP_POOL, FZ_MAP_POOL, 0, 0xff, 0xff, 1, "incoming-nat-wrap");
	/* map_id failing now and then */
	session(0x0f, FZ_MAP_FAILING, FZ_MAP_FAILING, 0x00000014, 0, 0, 1,
		"incoming-map-fails");
	/* no map_id, no ops at all: the tracker must cope alone */
	session(0x0f | FZ_CFG_NO_MAP, FZ_MAP_KEEP, FZ_MAP_KEEP, 0, 0, 0, 0,
		"outgoing-no-map");
	session(0x0f | FZ_CFG_NO_OPS, FZ_MAP_KEEP, FZ_MAP_KEEP, 0, 0, 0, 1,
		"incoming-no-ops");
	/* translating trackers refuse what they cannot rewrite */
	session_flags(0x01, FZ_MAP_FAILING, FZ_MAP_KEEP, FZ_POL_TRANSLATED0, 0x00000006,
		      0x10, 0x20, 0, "outgoing-translated-refusals");
	session_flags(0x0f, FZ_MAP_POOL, FZ_MAP_POOL, FZ_POL_TRANSLATED0 | FZ_POL_TRANSLATED1,
		      0, 0xff, 0x7f, 1, "incoming-translated-both");
	session_flags(0x0f, FZ_MAP_KEEP, FZ_MAP_KEEP, FZ_POL_REFUSE_INVALID, 0, 0, 0, 0,
		      "outgoing-refuse-invalid");
}

/* Many messages per segment, both ways. */
static void seed_coalesced(void)
{
	struct script s;
	struct seg g = { 0 };

	begin(&s, 0x0f, FZ_MAP_POOL, FZ_MAP_KEEP, 0, 0x10, 0x20);
	sccrq(&g);
	echo(&g, 1, 0);
	next_seg(&s, D_PNS, &g);
	sccrp(&g, PPTP_SCCRP_OK);
	echo(&g, 1, 1);
	icrq(&g, 0x0700, 1);
	next_seg(&s, D_PAC, &g);
	ocrq(&g, 1, 1);
	ocrq(&g, 2, 2);
	ocrq(&g, 3, 3);
	icrp(&g, 4, 0x0700, PPTP_ICRP_CONNECT);
	next_seg(&s, D_PNS, &g);
	ocrp(&g, 0x0901, POOL_PNS, PPTP_OCRP_CONNECTED);
	ocrp(&g, 0x0902, POOL_PNS + 1, PPTP_OCRP_CONNECTED);
	ocrp(&g, 0x0903, POOL_PNS + 2, 3);
	iccn(&g, POOL_PNS + 3);
	sli(&g, POOL_PNS);
	wen(&g, POOL_PNS + 1);
	next_seg(&s, D_PAC, &g);
	sli(&g, 0x0901);
	ccrq(&g, 1);
	ccrq(&g, 4);
	next_seg(&s, D_PNS, &g);
	cdn(&g, 0x0901);
	cdn(&g, POOL_PNS + 3);
	stopccrq(&g);
	next_seg(&s, D_PAC, &g);
	stopccrp(&g);
	next_seg(&s, D_PNS, &g);
	save(&s, "coalesced");
}

/* Feed @g in pieces ending at each of @cuts, then the rest. */
static void split(struct script *s, unsigned int dir, struct seg *g,
		  const u32 *cuts, unsigned int n)
{
	u32 from = 0;
	unsigned int i;

	for (i = 0; i <= n; i++) {
		u32 to = i < n ? cuts[i] : g->len;

		next_bytes(s, dir, g->b + from, to - from);
		from = to;
	}
	g->len = 0;
}

static void seed_split(void)
{
	static const u32 head[] = { 1, 11, 12 };	/* header, then the ID alone */
	static const u32 mid_id[] = { 13, 40 };		/* inside the Call ID field */
	static const u32 peer[] = { 15, 16, 17 };	/* inside the Peer's Call ID */
	static const u32 body[] = { 100 };		/* inside the body */
	static const u32 two[] = { 40 };		/* across OCRP and SLI */
	struct script s;
	struct seg g = { 0 };
	u32 bytewise[PPTP_SLI_LEN - 1];
	unsigned int i;

	for (i = 0; i < PPTP_ARRAY_SIZE(bytewise); i++)
		bytewise[i] = i + 1;
	begin(&s, 0x0f, FZ_MAP_POOL, FZ_MAP_KEEP, 0, 0, 0);
	sccrq(&g);
	split(&s, D_PNS, &g, body, 1);
	sccrp(&g, PPTP_SCCRP_OK);
	split(&s, D_PAC, &g, head, 3);
	ocrq(&g, 0x21, 1);
	split(&s, D_PNS, &g, head, 3);
	ocrp(&g, 0x31, POOL_PNS, PPTP_OCRP_CONNECTED);
	split(&s, D_PAC, &g, peer, 3);
	ocrq(&g, 0x22, 2);
	split(&s, D_PNS, &g, mid_id, 2);	/* split-field-not-rewritten */
	ocrp(&g, 0x32, POOL_PNS + 1, PPTP_OCRP_CONNECTED);
	sli(&g, POOL_PNS);
	split(&s, D_PAC, &g, two, 1);
	sli(&g, 0x31);
	split(&s, D_PNS, &g, bytewise, PPTP_ARRAY_SIZE(bytewise));
	cdn(&g, 0x31);
	split(&s, D_PAC, &g, bytewise, PPTP_ARRAY_SIZE(bytewise));
	save(&s, "split");
}

/* Interleaved halves of messages in both directions; closed with calls up. */
static void seed_interleaved(void)
{
	struct script s;
	struct seg a = { 0 }, b = { 0 };

	begin(&s, 0x0f | FZ_CFG_MIDSTREAM, FZ_MAP_POOL, FZ_MAP_POOL, 0, 0x33, 0x44);
	ocrq(&a, 0x51, 1);
	next_bytes(&s, D_PNS, a.b, 14);
	icrq(&b, 0x61, 1);
	next_bytes(&s, D_PAC, b.b, 16);
	next_bytes(&s, D_PNS, a.b + 14, a.len - 14);
	next_bytes(&s, D_PAC, b.b + 16, b.len - 16);
	a.len = b.len = 0;
	ocrp(&b, 0x71, POOL_PNS, PPTP_OCRP_CONNECTED);
	icrp(&a, 0x52, POOL_PAC, PPTP_ICRP_CONNECT);
	next_bytes(&s, D_PAC, b.b, 20);
	next_bytes(&s, D_PNS, a.b, 10);
	next_bytes(&s, D_PAC, b.b + 20, b.len - 20);
	next_bytes(&s, D_PNS, a.b + 10, a.len - 10);
	b.len = 0;
	iccn(&b, POOL_PNS + 1);
	next_seg(&s, D_PAC, &b);
	save(&s, "interleaved-midstream");
}

static void seed_retrans(void)
{
	struct script s;
	struct seg g = { 0 }, n = { 0 };

	begin(&s, 0x0f, FZ_MAP_POOL, FZ_MAP_POOL, 0, 0xab, 0xcd);
	start(&s, &g, D_PNS);
	ocrq(&g, 0x0101, 7);
	next_seg(&s, D_PNS, &g);
	/* the same OCRQ again: the rewrite is reported again */
	retrans(&s, D_PNS, PPTP_OCRQ_LEN, PPTP_OCRQ_LEN, 0, 0, NULL);
	ocrp(&g, 0x0201, POOL_PNS, PPTP_OCRP_CONNECTED);
	next_seg(&s, D_PAC, &g);
	/* the OCRP again with its Peer's Call ID changed: mismatch */
	retrans(&s, D_PAC, PPTP_OCRP_LEN, PPTP_OCRP_LEN, 1, 15, NULL);
	/* only its first bytes */
	retrans(&s, D_PAC, PPTP_OCRP_LEN, 16, 0, 0, NULL);
	/* its tail plus a new SLI */
	sli(&n, POOL_PNS);
	retrans(&s, D_PAC, 20, 20 + n.len, 0, 0, n.b);
	n.len = 0;
	/* the OCRQ's tail plus a new CCRQ */
	ccrq(&n, 0x0101);
	retrans(&s, D_PNS, 40, 40 + n.len, 0, 0, n.b);
	cdn(&g, 0x0201);
	next_seg(&s, D_PAC, &g);
	retrans(&s, D_PAC, PPTP_CDN_LEN, PPTP_CDN_LEN, 0, 0, NULL);
	save(&s, "retransmit");
}

static void seed_gap(void)
{
	static const u8 junk[] = { 0x00, 0x9c, 0x00, 0x01, 0x1a, 0x2b, 0x3c, 0x4d, 0x00 };
	struct script s;
	struct seg g = { 0 };

	begin(&s, 0x0f, FZ_MAP_POOL, FZ_MAP_KEEP, 0, 0, 0);
	start(&s, &g, D_PNS);
	ocrq(&g, 0x0a, 1);
	gap(&s, D_PNS, 10, g.b, g.len);		/* ahead of its time: refused */
	next_bytes(&s, D_PNS, g.b, 20);		/* half of it, then bytes are lost */
	g.len = 0;
	resync(&s, D_PNS, 30);
	/* hunting: junk that looks like a header, then a real message */
	next_bytes(&s, D_PNS, junk, sizeof(junk));
	ocrq(&g, 0x0b, 2);
	next_seg(&s, D_PNS, &g);
	ocrp(&g, 0x0c, POOL_PNS, PPTP_OCRP_CONNECTED);
	next_seg(&s, D_PAC, &g);
	resync(&s, D_PAC, 0);
	cdn(&g, 0x0c);
	next_seg(&s, D_PAC, &g);
	save(&s, "gap-resync");
}

/* Calls beyond max_calls, IDs the caller cannot map, and duplicates. */
static void seed_limits(void)
{
	struct script s;
	struct seg g = { 0 };

	begin(&s, 0x01, FZ_MAP_FAILING, FZ_MAP_KEEP, 0x00000002, 0, 0);
	start(&s, &g, D_PNS);
	ocrq(&g, 1, 1);
	ocrq(&g, 2, 2);		/* map_id fails on its 2nd call */
	ocrq(&g, 3, 3);
	ocrq(&g, 4, 4);		/* table of 2 is full */
	ocrq(&g, 1, 5);		/* duplicate */
	next_seg(&s, D_PNS, &g);
	ocrp(&g, 9, POOL_PNS + 7, PPTP_OCRP_CONNECTED);	/* unknown peer */
	cdn(&g, 0x7777);				/* unknown CDN */
	ocrq(&g, 5, 6);					/* PNS message from the PAC */
	ocrp(&g, 9, POOL_PNS, PPTP_OCRP_CONNECTED);
	ocrp(&g, 9, POOL_PNS, PPTP_OCRP_CONNECTED);	/* answered twice */
	next_seg(&s, D_PAC, &g);
	sccrq(&g);					/* a repeated SCCRQ */
	next_seg(&s, D_PNS, &g);
	save(&s, "limits");
}

static void seed_session_oddities(void)
{
	struct script s;
	struct seg g = { 0 };

	/* both sides ask at once; calls before the reply */
	begin(&s, 0x0f, FZ_MAP_KEEP, FZ_MAP_KEEP, 0, 0, 0);
	sccrq(&g);
	next_seg(&s, D_PNS, &g);
	ocrq(&g, 1, 1);
	next_seg(&s, D_PNS, &g);
	sccrq(&g);
	next_seg(&s, D_PAC, &g);
	sccrp(&g, PPTP_SCCRP_OK);
	next_seg(&s, D_PAC, &g);
	stopccrp(&g);		/* a reply nobody asked for */
	next_seg(&s, D_PNS, &g);
	save(&s, "session-both-ask");
	/* refused control connection, then calls anyway */
	begin(&s, 0x0f, FZ_MAP_POOL, FZ_MAP_KEEP, 0, 0, 0);
	sccrq(&g);
	next_seg(&s, D_PNS, &g);
	sccrp(&g, 2);
	next_seg(&s, D_PAC, &g);
	ocrq(&g, 1, 1);
	next_seg(&s, D_PNS, &g);
	save(&s, "session-refused");
	/* midstream: calls without SCCRQ, then a late SCCRP and StopCCRP */
	begin(&s, 0x0f | FZ_CFG_MIDSTREAM, FZ_MAP_POOL, FZ_MAP_KEEP, 0, 0x55, 0x66);
	ocrq(&g, 0x42, 9);
	next_seg(&s, D_PNS, &g);
	ocrp(&g, 0x43, POOL_PNS, PPTP_OCRP_CONNECTED);
	sccrp(&g, PPTP_SCCRP_OK);
	sli(&g, POOL_PNS);
	next_seg(&s, D_PAC, &g);
	stopccrp(&g);
	next_seg(&s, D_PNS, &g);
	save(&s, "midstream");
}

/* One seed per reason a message is invalid. */
static void seed_invalid(void)
{
	struct script s;
	struct seg g = { 0 };
	u8 *m;

	begin(&s, 0x0f, FZ_MAP_POOL, FZ_MAP_POOL, 0, 0, 0);
	start(&s, &g, D_PNS);
	m = ocrq(&g, 1, 1);
	pptp_put16(m + PPTP_OFF_LENGTH, PPTP_OCRQ_LEN - 8);	/* bad length */
	g.len -= 8;
	ocrq(&g, 2, 2);
	next_seg(&s, D_PNS, &g);
	save(&s, "invalid-length");

	begin(&s, 0x0f, FZ_MAP_POOL, FZ_MAP_POOL, 0, 0, 0);
	start(&s, &g, D_PNS);
	pptp_put16(ocrq(&g, 1, 1) + PPTP_OFF_MSG_TYPE, PPTP_MSG_MANAGEMENT);
	echo(&g, 5, 0);
	next_seg(&s, D_PNS, &g);
	save(&s, "invalid-message-type");

	begin(&s, 0x0f, FZ_MAP_POOL, FZ_MAP_POOL, 0, 0, 0);
	start(&s, &g, D_PNS);
	pptp_put32(ocrq(&g, 1, 1) + PPTP_OFF_MAGIC, 0x1a2b3c4e);	/* framing lost */
	ocrq(&g, 2, 2);
	next_seg(&s, D_PNS, &g);
	save(&s, "invalid-magic");

	begin(&s, 0x0f, FZ_MAP_POOL, FZ_MAP_POOL, 0, 0, 0);
	start(&s, &g, D_PNS);
	pptp_put16(msg(&g, PPTP_ECHORQ) + PPTP_OFF_CTRL_TYPE, 0);
	pptp_put16(msg(&g, PPTP_ECHORQ) + PPTP_OFF_CTRL_TYPE, PPTP_CTRL_TYPE_MAX + 1);
	pptp_put16(ocrq(&g, 1, 1) + PPTP_OFF_LENGTH, 300);	/* unframeable */
	next_seg(&s, D_PNS, &g);
	save(&s, "invalid-control-type");

	begin(&s, 0x0f, FZ_MAP_POOL, FZ_MAP_POOL, 0, 0, 0);
	start(&s, &g, D_PNS);
	pptp_put16(ocrq(&g, 1, 1) + PPTP_OFF_RESERVED0, 1);
	/* reserved after the decision point: the mapping is handed back */
	pptp_put16(ocrq(&g, 2, 2) + PPTP_OCRQ_OFF_RESERVED1, 1);
	ocrq(&g, 3, 3);
	next_seg(&s, D_PNS, &g);
	m = msg(&g, PPTP_ICCN);
	pptp_put16(m + PPTP_ICCN_OFF_PEER_ID, POOL_PNS);
	pptp_put16(m + PPTP_ICCN_OFF_RESERVED1, 0xffff);
	ocrp(&g, 0x0903, POOL_PNS, 1);
	next_seg(&s, D_PAC, &g);
	save(&s, "invalid-reserved");
}

static void seed_gre(void)
{
	struct script s;
	struct pptp_gre h = { .payload_len = 4, .call_id = POOL_PNS,
			      .has_seq = 1, .has_ack = 1, .seq = 7, .ack = 6 };
	u8 p[PPTP_GRE_V1_MAX_LEN + 4] = { 0 };
	u16 n;

	begin(&s, 0x00, FZ_MAP_KEEP, FZ_MAP_KEEP, 0, 0, 0);
	n = pptp_gre_build(p, &h);
	gre(&s, p, n + 4u);			/* data with sequence and ack */
	gre(&s, p, n + 2u);			/* payload shorter than its key says */
	gre(&s, p, 3);				/* truncated */
	h.has_seq = 0;
	h.payload_len = 0;
	gre(&s, p, pptp_gre_build(p, &h));	/* ack only */
	p[1] &= (u8)~PPTP_GRE_VERSION_MASK;
	gre(&s, p, 12);				/* version 0 */
	p[1] |= 3;
	gre(&s, p, 12);				/* version 3 */
	p[1] = PPTP_GRE_VERSION_PPTP;
	p[0] |= PPTP_GRE_FLAG_C;
	gre(&s, p, 12);				/* checksum present */
	p[0] = PPTP_GRE_FLAG_K;
	pptp_put16(p + 2, 0x0800);
	gre(&s, p, 12);				/* not PPP */
	save(&s, "gre");
}

int main(int argc, char **argv)
{
	if (argc != 2) {
		fprintf(stderr, "usage: %s DIR\n", argv[0]);
		return 2;
	}
	out_dir = argv[1];
	seed_sessions();
	seed_coalesced();
	seed_split();
	seed_interleaved();
	seed_retrans();
	seed_gap();
	seed_limits();
	seed_session_oddities();
	seed_invalid();
	seed_gre();
	printf("fuzz-gen-seeds: %u seeds in %s\n", n_seeds, out_dir);
	return 0;
}
