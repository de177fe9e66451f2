// SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
/*
 * Unit test harness: worlds, the recording event callback, the NAT's
 * map_id, and message builders.  See harness.h.
 */
#include <stdio.h>
#include <stdlib.h>

#include "harness.h"

static void release_map(struct world *w, u8 role, u16 id)
{
	unsigned int i;

	for (i = 0; i < w->n_map; i++) {
		struct map_rec *m = &w->maps[i];

		if (m->live && m->role == role && m->id == id) {
			m->live = 0;
			return;
		}
	}
}

static int map_cb(void *ctx, const struct pptp_tracker *t, unsigned int dir, u8 role, u16 id,
		  u16 *xid)
{
	struct world *w = ctx;
	struct map_rec *m;

	assert_ptr_equal(t, &w->t);
	assert_true(role == PPTP_PNS || role == PPTP_PAC);
	/* The ID is the sender's: it comes in the direction being fed. */
	assert_int_equal(dir, w->feed_dir);
	/* The header promises *xid comes preset to the ID. */
	assert_int_equal(*xid, id);
	if (w->map_fail || w->mode == MAP_FAIL)
		return -1;
	if (role == PPTP_PNS && (w->mode == MAP_PNS || w->mode == MAP_BOTH))
		*xid = PNS_X(id);
	if (role == PPTP_PNS && w->mode == MAP_ROW)
		*xid = PNS_R(id);
	if (role == PPTP_PAC && (w->mode == MAP_PAC || w->mode == MAP_BOTH))
		*xid = PAC_X(id);
	assert_true(w->n_map < MAX_MAPS);
	m = &w->maps[w->n_map++];
	m->role = role;
	m->id = id;
	m->xid = *xid;
	m->live = 1;
	return 0;
}

/* Write one REWRITE into the segment @data of @len bytes, checking it. */
static void apply_rewrite(const struct pptp_event *ev, u8 *data, u32 len)
{
	u8 old[2], val[2];
	unsigned int b;

	put16(old, ev->old_val);
	put16(val, ev->new_val);
	assert_true(ev->nbytes >= 1 && ev->nbytes <= 2);
	assert_true(ev->first + ev->nbytes <= 2);
	assert_true(ev->seg_off + ev->nbytes <= len);
	for (b = 0; b < ev->nbytes; b++) {
		/* A rewrite replaces what is there, never something else. */
		assert_int_equal(data[ev->seg_off + b], old[ev->first + b]);
		assert_int_equal(ev->bytes[b], val[ev->first + b]);
		data[ev->seg_off + b] = ev->bytes[b];
	}
}

static void event_cb(void *ctx, const struct pptp_tracker *t, const struct pptp_event *ev)
{
	struct world *w = ctx;
	struct rec_event *r;

	assert_ptr_equal(t, &w->t);
	assert_true(w->n < MAX_EVENTS);
	assert_true(ev->type < PPTP_EV_COUNT);
	r = &w->ev[w->n++];
	memset(r, 0, sizeof(*r));
	r->ev = *ev;
	r->ev.msg = NULL;
	r->ev.call = NULL;
	if (ev->call) {
		r->call = *ev->call;
		r->has_call = 1;
	}
	if (ev->type == PPTP_EV_REWRITE && w->feed_data)
		apply_rewrite(ev, w->in_place ? w->shadow : w->feed_data, w->feed_len);
	if (ev->type == PPTP_EV_MESSAGE) {
		assert_non_null(ev->msg);
		assert_true(ev->msg_len <= PPTP_MSG_MAX_LEN);
		memcpy(r->msg, ev->msg, ev->msg_len);
	}
	if (ev->type == PPTP_EV_CALL_DOWN && ev->call) {
		unsigned int role;

		for (role = 0; role < 2; role++)
			if (ev->call->has_id[role])
				release_map(w, (u8)role, ev->call->id[role]);
	}
	if (ev->type == PPTP_EV_UNMAP)
		release_map(w, ev->role, ev->old_val);
}

struct world *w_new(enum map_mode mode, u16 max_calls, u32 flags)
{
	return w_new_quiet(mode, max_calls, flags, 0);
}

struct world *w_new_quiet(enum map_mode mode, u16 max_calls, u32 flags, u32 quiet)
{
	struct world *w = calloc(1, sizeof(*w));
	struct pptp_tracker_config cfg = { 0 };

	assert_non_null(w);
	assert_true(max_calls <= WORLD_CALLS);
	w->mode = mode;
	w->ops.map_id = mode == MAP_NULL ? NULL : map_cb;
	w->ops.event = event_cb;
	w->ops.quiet = quiet;
	cfg.ops = &w->ops;
	cfg.ctx = w;
	cfg.calls = w->calls;
	cfg.max_calls = max_calls;
	cfg.flags = flags;
	/* Garbage in the table: init must zero it. */
	memset(w->calls, 0xA5, sizeof(w->calls));
	pptp_tracker_init(&w->t, &cfg);
	w->seq[0] = 1000;
	w->seq[1] = 70000;
	w->in_place = getenv("PPTP_UNIT_IN_PLACE") != NULL;
	return w;
}

void w_free(struct world *w)
{
	unsigned int i;
	int leaked = 0;

	pptp_tracker_close(&w->t);
	assert_int_equal(w->t.live_calls, 0);
	for (i = 0; i < w->n_map; i++) {
		if (!w->maps[i].live)
			continue;
		print_error("map_id gave %s ID %u -> %u, never handed back\n",
			    pptp_role_name(w->maps[i].role), w->maps[i].id,
			    w->maps[i].xid);
		leaked = 1;
	}
	free(w);
	assert_false(leaked);
}

void w_apply(struct world *w, unsigned int from, u8 *data, u32 len)
{
	unsigned int i;

	for (i = from; i < w->n; i++)
		if (w->ev[i].ev.type == PPTP_EV_REWRITE)
			apply_rewrite(&w->ev[i].ev, data, len);
}

enum pptp_feed_verdict w_feed_at(struct world *w, unsigned int dir, u32 seq,
				 u8 *data, u32 len)
{
	enum pptp_feed_verdict r;
	unsigned int i;

	w->mark = w->n;
	w->feed_dir = dir;
	/* Rewrites land in the segment during the callback, as the faces write them. */
	w->feed_data = data;
	w->feed_len = len;
	if (w->in_place) {
		/* What the events say, written into a copy: the same bytes. */
		assert_true(len <= sizeof(w->shadow));
		memcpy(w->shadow, data, len);
		r = pptp_feed_in_place(&w->t, dir, seq, data, len);
		if (!(w->ops.quiet & PPTP_EV_BIT(PPTP_EV_REWRITE)))
			assert_memory_equal(w->shadow, data, len);
	} else {
		r = pptp_feed(&w->t, dir, seq, data, len);
	}
	w->feed_data = NULL;
	for (i = w->mark; i < w->n; i++)
		if (w->ev[i].ev.type != PPTP_EV_SESSION)
			assert_int_equal(w->ev[i].ev.dir, dir);
	if (r == PPTP_FEED_OK && (s32)(seq + len - w->seq[dir]) > 0)
		w->seq[dir] = seq + len;
	return r;
}

enum pptp_feed_verdict w_feed(struct world *w, unsigned int dir, u8 *data, u32 len)
{
	return w_feed_at(w, dir, w->seq[dir], data, len);
}

void w_send(struct world *w, unsigned int dir, u8 *msg)
{
	assert_int_equal(w_feed(w, dir, msg, get16(msg)), PPTP_FEED_OK);
}

unsigned int count_from(const struct world *w, unsigned int from, u8 type)
{
	unsigned int i, n = 0;

	for (i = from; i < w->n; i++)
		n += w->ev[i].ev.type == type;
	return n;
}

const struct rec_event *find_from(const struct world *w, unsigned int from,
				  u8 type, unsigned int nth)
{
	unsigned int i;

	for (i = from; i < w->n; i++)
		if (w->ev[i].ev.type == type && nth-- == 0)
			return &w->ev[i];
	return NULL;
}

unsigned int count_reason(const struct world *w, unsigned int from, u8 type, u8 reason)
{
	unsigned int i, n = 0;

	for (i = from; i < w->n; i++)
		n += w->ev[i].ev.type == type && w->ev[i].ev.reason == reason;
	return n;
}

/* ---- builders: offsets from RFC 2637 section 2, as numbers ---- */

static void put_str(u8 *p, const char *s)
{
	memcpy(p, s, strlen(s));
}

u16 mk(u8 *b, u16 type)
{
	u16 len;

	/* Dirty the message's bytes (no more: @b may be a segment's tail). */
	memset(b, 0xEE, pptp_msg_len(type));
	len = pptp_msg_init(b, type);
	assert_int_not_equal(len, 0);
	return len;
}

static u16 mk_scc(u8 *b, u16 type)
{
	u16 len = mk(b, type);

	put16(b + 12, 0x0100);			/* Protocol Version */
	pptp_put32(b + 16, 3);			/* Framing Capabilities */
	pptp_put32(b + 20, 3);			/* Bearer Capabilities */
	put16(b + 24, 0);			/* Maximum Channels */
	put16(b + 26, 0x0601);			/* Firmware Revision */
	put_str(b + 28, "unit-host");		/* Host Name, 64 bytes */
	put_str(b + 92, "pptp-ng unit");	/* Vendor Name, 64 bytes */
	return len;
}

u16 mk_sccrq(u8 *b)
{
	return mk_scc(b, PPTP_SCCRQ);
}

u16 mk_sccrp(u8 *b, u8 result)
{
	u16 len = mk_scc(b, PPTP_SCCRP);

	b[14] = result;				/* Result Code */
	return len;
}

u16 mk_stopccrq(u8 *b)
{
	u16 len = mk(b, PPTP_STOPCCRQ);

	b[12] = 1;				/* Reason: none */
	return len;
}

u16 mk_stopccrp(u8 *b)
{
	u16 len = mk(b, PPTP_STOPCCRP);

	b[12] = 1;				/* Result Code: OK */
	return len;
}

u16 mk_echorq(u8 *b, u32 ident)
{
	u16 len = mk(b, PPTP_ECHORQ);

	pptp_put32(b + 12, ident);		/* Identifier */
	return len;
}

u16 mk_echorp(u8 *b, u32 ident)
{
	u16 len = mk(b, PPTP_ECHORP);

	pptp_put32(b + 12, ident);		/* Identifier */
	b[16] = 1;				/* Result Code */
	return len;
}

u16 mk_ocrq(u8 *b, u16 call_id, u16 serial)
{
	u16 len = mk(b, PPTP_OCRQ);

	put16(b + 12, call_id);			/* Call ID */
	put16(b + 14, serial);			/* Call Serial Number */
	pptp_put32(b + 16, 300);		/* Minimum BPS */
	pptp_put32(b + 20, 100000000);		/* Maximum BPS */
	pptp_put32(b + 24, 3);			/* Bearer Type */
	pptp_put32(b + 28, 3);			/* Framing Type */
	put16(b + 32, 64);			/* Packet Recv. Window Size */
	put16(b + 34, 0);			/* Packet Processing Delay */
	put16(b + 36, 4);			/* Phone Number Length */
	put_str(b + 40, "5550");		/* Phone Number, 64 bytes */
	put_str(b + 104, "sub");		/* Subaddress, 64 bytes */
	return len;
}

u16 mk_ocrp(u8 *b, u16 call_id, u16 peer_id, u8 result)
{
	u16 len = mk(b, PPTP_OCRP);

	put16(b + 12, call_id);			/* Call ID */
	put16(b + 14, peer_id);			/* Peer's Call ID */
	b[16] = result;				/* Result Code */
	b[17] = 0;				/* Error Code */
	put16(b + 18, 0);			/* Cause Code */
	pptp_put32(b + 20, 100000000);		/* Connect Speed */
	put16(b + 24, 32);			/* Packet Recv. Window Size */
	put16(b + 26, 0);			/* Packet Processing Delay */
	pptp_put32(b + 28, 7);			/* Physical Channel ID */
	return len;
}

u16 mk_icrq(u8 *b, u16 call_id, u16 serial)
{
	u16 len = mk(b, PPTP_ICRQ);

	put16(b + 12, call_id);			/* Call ID */
	put16(b + 14, serial);			/* Call Serial Number */
	pptp_put32(b + 16, 1);			/* Call Bearer Type */
	pptp_put32(b + 20, 9);			/* Physical Channel ID */
	put16(b + 24, 4);			/* Dialed Number Length */
	put16(b + 26, 4);			/* Dialing Number Length */
	put_str(b + 28, "5551");		/* Dialed Number, 64 bytes */
	put_str(b + 92, "5552");		/* Dialing Number, 64 bytes */
	put_str(b + 156, "sub");		/* Subaddress, 64 bytes */
	return len;
}

u16 mk_icrp(u8 *b, u16 call_id, u16 peer_id, u8 result)
{
	u16 len = mk(b, PPTP_ICRP);

	put16(b + 12, call_id);			/* Call ID */
	put16(b + 14, peer_id);			/* Peer's Call ID */
	b[16] = result;				/* Result Code */
	b[17] = 0;				/* Error Code */
	put16(b + 18, 48);			/* Packet Recv. Window Size */
	put16(b + 20, 0);			/* Packet Transmit Delay */
	return len;
}

u16 mk_iccn(u8 *b, u16 peer_id)
{
	u16 len = mk(b, PPTP_ICCN);

	put16(b + 12, peer_id);			/* Peer's Call ID */
	pptp_put32(b + 16, 64000);		/* Connect Speed */
	put16(b + 20, 16);			/* Packet Recv. Window Size */
	put16(b + 22, 0);			/* Packet Transmit Delay */
	pptp_put32(b + 24, 1);			/* Framing Type */
	return len;
}

u16 mk_ccrq(u8 *b, u16 call_id)
{
	u16 len = mk(b, PPTP_CCRQ);

	put16(b + 12, call_id);			/* Call ID */
	return len;
}

u16 mk_cdn(u8 *b, u16 call_id, u8 result)
{
	u16 len = mk(b, PPTP_CDN);

	put16(b + 12, call_id);			/* Call ID */
	b[14] = result;				/* Result Code */
	put16(b + 16, 0);			/* Cause Code */
	put_str(b + 20, "stats");		/* Call Statistics, 128 bytes */
	return len;
}

u16 mk_wen(u8 *b, u16 peer_id)
{
	u16 len = mk(b, PPTP_WEN);
	unsigned int i;

	put16(b + 12, peer_id);			/* Peer's Call ID */
	for (i = 0; i < 6; i++)			/* CRC .. Alignment Errors */
		pptp_put32(b + 16 + 4 * i, i + 1);
	return len;
}

u16 mk_sli(u8 *b, u16 peer_id)
{
	u16 len = mk(b, PPTP_SLI);

	put16(b + 12, peer_id);			/* Peer's Call ID */
	pptp_put32(b + 16, 0xFFFFFFFF);		/* Send ACCM */
	pptp_put32(b + 20, 0xFFFFFFFF);		/* Receive ACCM */
	return len;
}

u16 mk_any(u8 *b, u16 type, u16 a, u16 peer, u8 result)
{
	switch (type) {
	case PPTP_SCCRQ:	return mk_sccrq(b);
	case PPTP_SCCRP:	return mk_sccrp(b, result);
	case PPTP_STOPCCRQ:	return mk_stopccrq(b);
	case PPTP_STOPCCRP:	return mk_stopccrp(b);
	case PPTP_ECHORQ:	return mk_echorq(b, a);
	case PPTP_ECHORP:	return mk_echorp(b, a);
	case PPTP_OCRQ:		return mk_ocrq(b, a, 0x5E);
	case PPTP_OCRP:		return mk_ocrp(b, a, peer, result);
	case PPTP_ICRQ:		return mk_icrq(b, a, 0x5F);
	case PPTP_ICRP:		return mk_icrp(b, a, peer, result);
	case PPTP_ICCN:		return mk_iccn(b, a);
	case PPTP_CCRQ:		return mk_ccrq(b, a);
	case PPTP_CDN:		return mk_cdn(b, a, result);
	case PPTP_WEN:		return mk_wen(b, a);
	case PPTP_SLI:		return mk_sli(b, a);
	}
	fail_msg("mk_any: type %u", type);
	return 0;
}

/* ---- scenario steps ---- */

void w_session_up(struct world *w, unsigned int requester)
{
	u8 b[PPTP_MSG_MAX_LEN];

	mk_sccrq(b);
	w_send(w, requester, b);
	mk_sccrp(b, 1);
	w_send(w, !requester, b);
	assert_int_equal(w->t.session, PPTP_SESS_UP);
}

struct pptp_call *w_out_call(struct world *w, unsigned int pns_dir, u16 pns_id, u16 pac_id)
{
	u8 b[PPTP_MSG_MAX_LEN];
	struct pptp_call *c;

	mk_ocrq(b, pns_id, pns_id);
	w_send(w, pns_dir, b);
	c = pptp_find_by_id(&w->t, PPTP_PNS, pns_id);
	assert_non_null(c);
	assert_int_equal(c->state, PPTP_CALL_STATE_OUT_REQ);
	/* The PAC names the PNS's ID as the NAT showed it. */
	mk_ocrp(b, pac_id, c->xid[PPTP_PNS], 1);
	w_send(w, !pns_dir, b);
	assert_int_equal(n_last(w, PPTP_EV_CALL_UP), 1);
	assert_int_equal(c->state, PPTP_CALL_STATE_UP);
	return c;
}

struct pptp_call *w_in_call(struct world *w, unsigned int pac_dir, u16 pac_id, u16 pns_id)
{
	u8 b[PPTP_MSG_MAX_LEN];
	struct pptp_call *c;

	mk_icrq(b, pac_id, pac_id);
	w_send(w, pac_dir, b);
	c = pptp_find_by_id(&w->t, PPTP_PAC, pac_id);
	assert_non_null(c);
	assert_int_equal(c->state, PPTP_CALL_STATE_IN_REQ);
	mk_icrp(b, pns_id, c->xid[PPTP_PAC], 1);
	w_send(w, !pac_dir, b);
	assert_int_equal(c->state, PPTP_CALL_STATE_IN_REP);
	mk_iccn(b, c->xid[PPTP_PNS]);
	w_send(w, pac_dir, b);
	assert_int_equal(n_last(w, PPTP_EV_CALL_UP), 1);
	assert_int_equal(c->state, PPTP_CALL_STATE_UP);
	return c;
}
