/* SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause */
/*
 * Unit tests of the shared core: the harness every test file uses.
 *
 * A "world" is one tracker with a call table, the caller's ops and a log
 * of every event the tracker reported.  w_feed() feeds a segment and then
 * applies the REWRITE events to it in place, exactly as a NAT would, so a
 * test can look at the bytes the receiver gets.  Message builders write
 * fields at the offsets RFC 2637 section 2 gives, spelled out as numbers
 * on purpose: they check wire.h rather than trust it.
 *
 * Every map_id() answer is remembered until the tracker hands the ID back
 * (CALL_DOWN or UNMAP); w_free() checks nothing leaked after a close.
 */
#ifndef PPTP_UNIT_HARNESS_H
#define PPTP_UNIT_HARNESS_H

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <pptp_ng/core.h>
#include <pptp_ng/nat.h>

#define MAX_EVENTS	1024
#define MAX_MAPS	64
#define WORLD_CALLS	8

/* How the NAT under test picks the IDs the other side sees. */
enum map_mode {
	MAP_NULL = 0,	/* ops->map_id is NULL */
	MAP_KEEP,	/* map_id keeps every ID */
	MAP_PNS,	/* PNS IDs + 0x1000: a NAT in front of the PNS */
	MAP_PAC,	/* PAC IDs + 0x2000: a NAT in front of the PAC */
	MAP_BOTH,	/* both */
	MAP_FAIL,	/* map_id has no free ID */
	MAP_ROW,	/* PNS IDs ^ 0xa5: a NAT in front of the PNS keeping rows */
};

#define PNS_X(id)	((u16)((id) + 0x1000))
#define PAC_X(id)	((u16)((id) + 0x2000))
#define PNS_R(id)	((u16)((id) ^ 0x00a5))

struct rec_event {
	struct pptp_event ev;	/* msg and call cleared: they die with the callback */
	struct pptp_call call;	/* copy of *ev.call */
	u8 has_call;
	u8 msg[PPTP_MSG_MAX_LEN];	/* MESSAGE: copy of the message */
};

struct map_rec {
	u8 role;
	u16 id;
	u16 xid;
	u8 live;
};

struct world {
	struct pptp_tracker t;
	struct pptp_call calls[WORLD_CALLS];
	struct pptp_ops ops;
	enum map_mode mode;
	int map_fail;			/* map_id refuses while set */
	unsigned int n_map;
	struct map_rec maps[MAX_MAPS];
	u32 seq[2];			/* next sequence number w_feed uses */
	unsigned int feed_dir;		/* direction of the feed under way */
	u8 *feed_data;			/* its segment: REWRITEs are written there at once */
	u32 feed_len;
	/*
	 * Feed with pptp_feed_in_place (the module's way): the tracker
	 * writes the segment itself, and each REWRITE event is written into
	 * a copy, which must come out the same.  Set by w_new when the
	 * environment has PPTP_UNIT_IN_PLACE (core.test runs every test both
	 * ways); a test may set it itself.
	 */
	int in_place;
	u8 shadow[PPTP_MSG_MAX_LEN * 4];
	unsigned int n;			/* events recorded */
	unsigned int mark;		/* first event of the last feed */
	struct rec_event ev[MAX_EVENTS];
};

struct world *w_new(enum map_mode mode, u16 max_calls, u32 flags);
/* The same, with ops.quiet set: the events the faces leave out. */
struct world *w_new_quiet(enum map_mode mode, u16 max_calls, u32 flags, u32 quiet);
void w_free(struct world *w);	/* closes the tracker, checks IDs were handed back */

/* Feed at w->seq[dir]; applies this segment's rewrites to @data. */
enum pptp_feed_verdict w_feed(struct world *w, unsigned int dir, u8 *data, u32 len);
/* Same at an explicit sequence number (w->seq[dir] moves past it if later). */
enum pptp_feed_verdict w_feed_at(struct world *w, unsigned int dir, u32 seq,
				 u8 *data, u32 len);
/* Feed one whole message (its Length field says how long). */
void w_send(struct world *w, unsigned int dir, u8 *msg);
void w_apply(struct world *w, unsigned int from, u8 *data, u32 len);

/* Events recorded since event index @from. */
unsigned int count_from(const struct world *w, unsigned int from, u8 type);
const struct rec_event *find_from(const struct world *w, unsigned int from,
				  u8 type, unsigned int nth);
unsigned int count_reason(const struct world *w, unsigned int from, u8 type, u8 reason);
/* The same for the last feed. */
#define n_last(w, type)		count_from((w), (w)->mark, (type))
#define ev_last(w, type, nth)	find_from((w), (w)->mark, (type), (nth))
#define n_reason(w, type, r)	count_reason((w), (w)->mark, (type), (r))

/* Message builders: whole messages, every other field set to something. */
u16 mk(u8 *b, u16 type);
u16 mk_sccrq(u8 *b);
u16 mk_sccrp(u8 *b, u8 result);
u16 mk_stopccrq(u8 *b);
u16 mk_stopccrp(u8 *b);
u16 mk_echorq(u8 *b, u32 ident);
u16 mk_echorp(u8 *b, u32 ident);
u16 mk_ocrq(u8 *b, u16 call_id, u16 serial);
u16 mk_ocrp(u8 *b, u16 call_id, u16 peer_id, u8 result);
u16 mk_icrq(u8 *b, u16 call_id, u16 serial);
u16 mk_icrp(u8 *b, u16 call_id, u16 peer_id, u8 result);
u16 mk_iccn(u8 *b, u16 peer_id);
u16 mk_ccrq(u8 *b, u16 call_id);
u16 mk_cdn(u8 *b, u16 call_id, u8 result);
u16 mk_wen(u8 *b, u16 peer_id);
u16 mk_sli(u8 *b, u16 peer_id);
/* Any type: @a is the field at 12, @b the one at 14 (if a Peer's Call ID). */
u16 mk_any(u8 *b, u16 type, u16 a, u16 peer, u8 result);

/* Scenario steps that must work (they assert). */
void w_session_up(struct world *w, unsigned int requester);
struct pptp_call *w_out_call(struct world *w, unsigned int pns_dir, u16 pns_id, u16 pac_id);
struct pptp_call *w_in_call(struct world *w, unsigned int pac_dir, u16 pac_id, u16 pns_id);

static inline u16 get16(const u8 *p)
{
	return (u16)((p[0] << 8) | p[1]);
}

static inline void put16(u8 *p, u16 v)
{
	p[0] = (u8)(v >> 8);
	p[1] = (u8)v;
}

/* The test groups, one per file. */
int run_wire_tests(void);
int run_gre_tests(void);
int run_session_tests(void);
int run_call_tests(void);
int run_nat_tests(void);
int run_stream_tests(void);
int run_framing_tests(void);
int run_adopt_tests(void);
int run_refuse_tests(void);
int run_policy_tests(void);
int run_inplace_tests(void);

#endif /* PPTP_UNIT_HARNESS_H */
