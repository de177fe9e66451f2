// SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
/*
 * The PPTP tracker (see core.h): per-direction stream reassembly, message
 * validation, the control connection and call state machines, and the
 * call-ID rewrite plan a NAT applies.
 *
 * A message is handled in two steps.  Once its first pptp_decide_len()
 * bytes are in (the header and every call ID field), decide() settles
 * what the message means and which ID fields change, so a message split
 * across segments is rewritten in the segment that carries each field.
 * When the whole message is in and valid, complete() acts on it.
 */
#include "core.h"

static inline int seq_after(u32 a, u32 b)
{
	return (s32)(a - b) > 0;
}

/* How far @seq lies behind the next byte expected in @s (wraps for bytes ahead). */
static inline u32 back(const struct pptp_stream *s, u32 seq)
{
	return s->next_seq - seq;
}

/*
 * The bytes of the message being handled: where it lies in the segment
 * while whole_message() handles it without copying, else the buffer.
 */
static inline const u8 *msg_of(const struct pptp_stream *s)
{
	return s->inplace ? s->inplace : s->buf;
}

/*
 * Copy the message being handled in place into the buffer: before the
 * caller may write a REWRITE into its segment (the rest of the handling
 * must read the message as it came), and before a refusal rewinds.
 */
static void keep_copy(struct pptp_stream *s)
{
	if (!s->inplace)
		return;
	memcpy(s->buf, s->inplace, s->have);
	s->inplace = NULL;
}

static inline u8 other_role(u8 role)
{
	return role == PPTP_PNS ? PPTP_PAC : PPTP_PNS;
}

/* Where the message being taken in @s is decided on (pptp_decide_len). */
static u16 decide_len(const struct pptp_stream *s)
{
	if (s->invalid || s->have < PPTP_HDR_LEN)
		return PPTP_DECIDE_LEN;
	return pptp_decide_len(pptp_get16(msg_of(s) + PPTP_OFF_CTRL_TYPE));
}

static inline int wants_event(const struct pptp_tracker *t, u8 type)
{
	return t->wanted & PPTP_EV_BIT(type);
}

static void emit(struct pptp_tracker *t, struct pptp_event *ev)
{
	if (wants_event(t, ev->type))
		t->ops->event(t->ctx, t, ev);
}

/* An event about the message being parsed in @dir. */
static inline void msg_event(struct pptp_tracker *t, unsigned int dir, u8 type,
			     struct pptp_event *ev)
{
	const struct pptp_stream *s = &t->dir[dir];
	const struct pptp_msg_desc *md;

	memset(ev, 0, sizeof(*ev));
	ev->type = type;
	ev->dir = (u8)dir;
	ev->role = t->role[dir];
	ev->msg_seq = s->next_seq - s->have;
	if (s->have < PPTP_HDR_LEN)
		return;
	ev->msg_type = pptp_get16(msg_of(s) + PPTP_OFF_CTRL_TYPE);
	if (ev->role != PPTP_ROLE_UNKNOWN)
		return;
	/* The first call message names the roles before the tracker learns them. */
	md = s->need ? s->md : pptp_msg_desc(ev->msg_type);
	if (md)
		ev->role = md->sender;
}

static void report(struct pptp_tracker *t, unsigned int dir, u8 type, u8 reason,
		   const struct pptp_call *call)
{
	struct pptp_event ev;

	if (!wants_event(t, type))
		return;
	msg_event(t, dir, type, &ev);
	ev.reason = reason;
	ev.call = call;
	t->ops->event(t->ctx, t, &ev);
}

static void anomaly(struct pptp_tracker *t, unsigned int dir, u8 reason)
{
	t->cnt.anomalies[reason]++;
	report(t, dir, PPTP_EV_ANOMALY, reason, NULL);
}

static void invalid(struct pptp_tracker *t, unsigned int dir, u8 reason)
{
	t->cnt.invalid[reason]++;
	t->dir[dir].invalid = 1;
	report(t, dir, PPTP_EV_INVALID, reason, NULL);
}

static void unmap(struct pptp_tracker *t, unsigned int dir, u8 role, u16 id, u16 xid)
{
	struct pptp_event ev;

	if (!wants_event(t, PPTP_EV_UNMAP))
		return;
	msg_event(t, dir, PPTP_EV_UNMAP, &ev);
	ev.role = role;
	ev.old_val = id;
	ev.new_val = xid;
	emit(t, &ev);
}

static void set_session(struct pptp_tracker *t, unsigned int dir, u8 state)
{
	struct pptp_event ev;

	if (t->session == state)
		return;
	t->session = state;
	if (!wants_event(t, PPTP_EV_SESSION))
		return;
	msg_event(t, dir, PPTP_EV_SESSION, &ev);
	ev.new_val = state;
	emit(t, &ev);
}

static inline int translating(const struct pptp_tracker *t)
{
	return t->translated[0] || t->translated[1];
}

/*
 * Refuse the segment being fed because of the message being parsed in
 * @dir (or, before any message, the segment as a whole): pptp_feed()
 * stops there and takes nothing from that message on.
 */
static void refuse(struct pptp_tracker *t, unsigned int dir, u8 reason)
{
	const struct pptp_stream *s = &t->dir[dir];

	if (t->drop)
		return;
	t->drop = reason + 1;
	t->drop_seq = s->next_seq - s->have;
	t->cnt.dropped[reason]++;
	report(t, dir, PPTP_EV_DROP, reason, NULL);
}

/* ---- the call table ---- */

/*
 * The live call whose id[role] (xid[role]) is the value given.  Both stop
 * at the last live call: a table is mostly free slots.
 */
struct pptp_call *pptp_find_by_id(const struct pptp_tracker *t, u8 role, u16 id)
{
	struct pptp_call *c, *end = t->calls + t->max_calls;
	unsigned int live = t->live_calls;

	for (c = t->calls; live && c < end; c++) {
		if (c->state == PPTP_CALL_STATE_FREE)
			continue;
		if (c->has_id[role] && c->id[role] == id)
			return c;
		live--;
	}
	return NULL;
}

struct pptp_call *pptp_find_by_xid(const struct pptp_tracker *t, u8 role, u16 xid)
{
	struct pptp_call *c, *end = t->calls + t->max_calls;
	unsigned int live = t->live_calls;

	for (c = t->calls; live && c < end; c++) {
		if (c->state == PPTP_CALL_STATE_FREE)
			continue;
		if (c->has_id[role] && c->xid[role] == xid)
			return c;
		live--;
	}
	return NULL;
}

static struct pptp_call *free_slot(const struct pptp_tracker *t)
{
	struct pptp_call *c;

	for (c = t->calls; c < t->calls + t->max_calls; c++)
		if (c->state == PPTP_CALL_STATE_FREE)
			return c;
	return NULL;
}

static void call_event(struct pptp_tracker *t, unsigned int dir, u8 type,
		       const struct pptp_call *call)
{
	report(t, dir, type, 0, call);
}

static void call_up(struct pptp_tracker *t, unsigned int dir, struct pptp_call *c)
{
	c->state = PPTP_CALL_STATE_UP;
	c->was_up = 1;
	t->cnt.calls_up++;
	call_event(t, dir, PPTP_EV_CALL_UP, c);
}

/*
 * The sender of the message in @dir named its ID of @c before the call is
 * up (OCRQ, ICRQ, ICRP): the GRE to it may open now (pptp_gre_halves), so
 * GRE that follows the reply at once is not lost while a face still
 * handles the reply.  The event's role is the sender's (known by now).
 */
static void call_id_named(struct pptp_tracker *t, unsigned int dir, const struct pptp_call *c)
{
	report(t, dir, PPTP_EV_CALL_ID, 0, c);
}

/* The caller sees the call as it was, then the slot is free. */
static void call_down(struct pptp_tracker *t, unsigned int dir, struct pptp_call *c)
{
	call_event(t, dir, PPTP_EV_CALL_DOWN, c);
	memset(c, 0, sizeof(*c));
	t->table_gen++;
	t->live_calls--;
	t->cnt.calls_closed++;
}

static void all_calls_down(struct pptp_tracker *t, unsigned int dir)
{
	struct pptp_call *c;

	/* call_down() counts live_calls down: stop after the last one. */
	for (c = t->calls; t->live_calls && c < t->calls + t->max_calls; c++)
		if (c->state != PPTP_CALL_STATE_FREE)
			call_down(t, dir, c);
}

/* ---- rewrites ---- */

/* Log the rewrite of the field at stream position @seq: a retransmission gets the same. */
static const struct pptp_rewrite_log *log_rewrite(struct pptp_stream *s, u32 seq, u16 type,
						  u16 off, u16 old_val, u16 new_val)
{
	struct pptp_rewrite_log *l = &s->log[s->log_next];

	if (l->old_val != l->new_val) {
		s->log_evicted = 1;
		s->log_floor = l->seq + 2;
	}
	s->log_next = (u8)((s->log_next + 1) % PPTP_REWRITE_LOG);
	l->seq = seq;
	l->msg_type = type;
	l->field_off = off;
	l->old_val = old_val;
	l->new_val = new_val;
	return l;
}

/*
 * Tell a caller that wants it of the rewrite put_field() made.  Its
 * sender's role is the direction's, or before the tracker knows it, the
 * one the message @md (NULL: none) names.
 */
static void rewrite_event(struct pptp_tracker *t, unsigned int dir,
			  const struct pptp_msg_desc *md, const struct pptp_call *call,
			  const struct pptp_rewrite_log *l, u32 seg_off, u8 first, u8 nbytes)
{
	struct pptp_event ev;

	memset(&ev, 0, sizeof(ev));
	ev.type = PPTP_EV_REWRITE;
	ev.dir = (u8)dir;
	ev.role = t->role[dir];
	if (ev.role == PPTP_ROLE_UNKNOWN && md)
		ev.role = md->sender;
	ev.msg_type = l->msg_type;
	ev.msg_seq = l->seq - l->field_off;
	ev.field_off = l->field_off;
	ev.old_val = l->old_val;
	ev.new_val = l->new_val;
	ev.call = call;
	ev.seg_off = seg_off;
	ev.first = first;
	ev.nbytes = nbytes;
	ev.bytes[0] = first ? (u8)l->new_val : (u8)(l->new_val >> 8);
	if (nbytes == 2)
		ev.bytes[1] = (u8)l->new_val;
	t->ops->event(t->ctx, t, &ev);
}

/*
 * Write the logged rewrite @l into the segment being fed, as far as its
 * field lies in the segment's bytes [@from, @to): into the segment itself
 * (pptp_feed_in_place) and in a REWRITE event for a caller that wants one.
 * Positions are compared as distances from @from, so a field far behind
 * or ahead of the segment (sequence numbers wrap) is simply not in it: at
 * most its two bytes are ever written.
 */
static inline void put_field(struct pptp_tracker *t, unsigned int dir,
			     const struct pptp_msg_desc *md, const struct pptp_call *call,
			     const struct pptp_rewrite_log *l, u32 from, u32 to)
{
	u32 at = l->seq - from, span = to - from, seg_off = l->seq - t->seg_seq;
	u8 first = 0, nbytes = 2;

	if (at < span && span - at >= 2) {	/* the whole field: the usual case */
		if (t->seg_out)
			pptp_put16(t->seg_out + seg_off, l->new_val);
	} else if (at < span) {			/* its first byte ends the segment */
		nbytes = 1;
		if (t->seg_out)
			t->seg_out[seg_off] = (u8)(l->new_val >> 8);
	} else if (at + 1 < span) {		/* its second byte starts it */
		first = 1;
		nbytes = 1;
		seg_off++;
		if (t->seg_out)
			t->seg_out[seg_off] = (u8)l->new_val;
	} else {
		return;				/* not in the segment at all */
	}
	t->cnt.rewrites++;
	if (wants_event(t, PPTP_EV_REWRITE))
		rewrite_event(t, dir, md, call, l, seg_off, first, nbytes);
}

/*
 * Rewrite the field at @off of the message being parsed in @dir, whose
 * bytes decide() read at @msg (a field rewritten before is another one).
 * Returns 0 when the field began in bytes that already left unchanged:
 * rewriting only its rest would corrupt it, so it is left alone and
 * reported.
 */
static __always_inline int rewrite(struct pptp_tracker *t, unsigned int dir, const u8 *msg,
				   u16 off, u16 new_val, const struct pptp_call *call)
{
	struct pptp_stream *s = &t->dir[dir];
	const struct pptp_rewrite_log *l;
	u16 old_val = pptp_get16(msg + off);
	u32 seq = s->next_seq - s->have + off;

	if (old_val == new_val)
		return 1;
	/*
	 * The caller writes the new value into its segment, where a whole
	 * message is read in place: MESSAGE must still show it as it came.
	 * Nothing else reads an ID field again (CDN keeps its own, cdn_id).
	 */
	if (wants_event(t, PPTP_EV_MESSAGE))
		keep_copy(s);
	/*
	 * Bytes of the field already gone cannot change.  Only its first
	 * byte may have gone (ids_fixed() let it, with the session's IDs
	 * keeping their rows): then only the second is rewritten.
	 */
	if (seq_after(t->seg_new, seq) &&
	    (t->seg_new - seq > 1 || (old_val >> 8) != (new_val >> 8))) {
		anomaly(t, dir, PPTP_AN_SPLIT_FIELD);
		if (translating(t))
			refuse(t, dir, PPTP_DROP_SPLIT_ID);
		return 0;
	}
	/* The message is framed: s->md is its type's, its header is in. */
	l = log_rewrite(s, seq, pptp_get16(msg + PPTP_OFF_CTRL_TYPE), off, old_val, new_val);
	put_field(t, dir, s->md, call, l, t->seg_new, t->seg_seq + t->seg_len);
	return 1;
}

/* Forget every logged rewrite at or after @seq (its message was refused). */
static void log_forget_from(struct pptp_stream *s, u32 seq)
{
	unsigned int i;

	for (i = 0; i < PPTP_REWRITE_LOG; i++)
		if (back(s, s->log[i].seq) <= back(s, seq))
			s->log[i].old_val = s->log[i].new_val = 0;
}

/*
 * Whether a retransmission starting at @seg_seq may reach a rewrite the
 * log no longer holds.  Nothing real starts further back than a TCP
 * window, and the floor is forgotten once it lies that far back, so
 * distances never wrap.
 */
static int log_stale(struct pptp_stream *s, u32 seg_seq)
{
	if (s->log_evicted && back(s, s->log_floor) > PPTP_RETRANS_WINDOW)
		s->log_evicted = 0;
	if (back(s, seg_seq) > PPTP_RETRANS_WINDOW)
		return 1;
	return s->log_evicted && back(s, seg_seq) > back(s, s->log_floor);
}

/* A logged field some of whose bytes lie in the retransmitted @old bytes differs from the first copy. */
static int replay_mismatch(const struct pptp_tracker *t, const struct pptp_rewrite_log *l,
			   const u8 *data, u32 old)
{
	u8 want[2] = { (u8)(l->old_val >> 8), (u8)l->old_val };
	unsigned int b;

	for (b = 0; b < 2; b++) {
		u32 off = l->seq + b - t->seg_seq;

		if (off < old && data[off] != want[b])
			return 1;
	}
	return 0;
}

/*
 * Re-apply logged rewrites to the first @old bytes of a retransmitted
 * segment.  With IDs translated, bytes that cannot be rewritten as the
 * first copy was refuse the segment: passed, they could carry an
 * untranslated ID.
 */
static void replay_rewrites(struct pptp_tracker *t, unsigned int dir,
			    const u8 *data, u32 old)
{
	struct pptp_stream *s = &t->dir[dir];
	unsigned int i;

	if (log_stale(s, t->seg_seq)) {
		anomaly(t, dir, PPTP_AN_RETRANS_STALE);
		if (translating(t))
			refuse(t, dir, PPTP_DROP_RETRANS);
	}
	for (i = 0; i < PPTP_REWRITE_LOG && !t->drop; i++) {
		const struct pptp_rewrite_log *l = &s->log[i];

		if (l->old_val == l->new_val)
			continue;
		if (replay_mismatch(t, l, data, old)) {
			anomaly(t, dir, PPTP_AN_RETRANS_MISMATCH);
			if (translating(t))
				refuse(t, dir, PPTP_DROP_RETRANS);
			continue;
		}
		/* Only the retransmitted part: new bytes are parsed afresh. */
		put_field(t, dir, NULL, NULL, l, t->seg_seq, t->seg_new);
	}
}

/* ---- decisions on call messages ---- */

/* Whether a new ID of @role may enter the table; sets the decision if not. */
static int admit_new_id(struct pptp_tracker *t, unsigned int dir, u8 role, u16 id)
{
	struct pptp_decision *d = &t->dir[dir].dec;
	u16 xid = id;

	if (pptp_find_by_id(t, role, id)) {
		d->anomaly = PPTP_AN_DUP_CALL_ID + 1;
		return 0;
	}
	if (t->ops && t->ops->map_id && t->ops->map_id(t->ctx, t, dir, role, id, &xid)) {
		d->refused = PPTP_REFUSE_ID_EXHAUSTED + 1;
		return 0;
	}
	d->mapped = 1;
	d->map_role = role;
	d->map_id = id;
	d->map_xid = xid;
	return 1;
}

/*
 * The call a message names, by the sender's own ID field, the receiver's
 * ID field, or (CDN) whichever of the two the value turns out to be.
 */
static struct pptp_call *msg_call(const struct pptp_tracker *t, const u8 *msg,
				  const struct pptp_msg_desc *d, u16 type, u8 sender,
				  u8 *cdn_role, u8 *cdn_named)
{
	u8 receiver = other_role(sender);
	struct pptp_call *by_own, *by_peer;
	u16 v;

	if (d->peer_off)
		return pptp_find_by_xid(t, receiver, pptp_get16(msg + d->peer_off));
	v = pptp_get16(msg + d->own_off);
	if (type != PPTP_CDN)
		return pptp_find_by_id(t, sender, v);
	/*
	 * RFC 2637 puts the PAC's Call ID in CDN; Windows and accel-ppp put
	 * the PNS's.  Prefer the call being cleared, then the PNS reading.
	 */
	by_peer = pptp_find_by_xid(t, PPTP_PNS, v);
	by_own = pptp_find_by_id(t, PPTP_PAC, v);
	*cdn_named = (u8)((by_own ? 1 : 0) | (by_peer ? 2 : 0));
	if (by_own && by_peer && t->cdn_role != PPTP_ROLE_UNKNOWN) {
		/* Both readings name a call: this PAC has shown which it uses. */
		*cdn_role = t->cdn_role;
		return t->cdn_role == PPTP_PAC ? by_own : by_peer;
	}
	if (by_own && (!by_peer || (by_own->state == PPTP_CALL_STATE_CLEARING &&
				    by_peer->state != PPTP_CALL_STATE_CLEARING))) {
		*cdn_role = PPTP_PAC;
		return by_own;
	}
	*cdn_role = PPTP_PNS;
	return by_peer;
}

/*
 * Remember the call decide() found (@c, NULL for none) so complete() need
 * not search again, as long as the table has not changed in between (the
 * other direction may act while this message is still arriving).
 */
static void remember_call(const struct pptp_tracker *t, struct pptp_decision *d,
			  const struct pptp_call *c)
{
	d->looked_up = 1;
	d->call_idx = c ? (u16)(c - t->calls) : t->max_calls;
	d->table_gen = t->table_gen;
}

/* Whether the table is still as decide() found it (remember_call). */
static inline int table_kept(const struct pptp_tracker *t, const struct pptp_decision *d)
{
	return d->looked_up && d->table_gen == t->table_gen;
}

/*
 * The call of a complete message: decide()'s if still good, else
 * msg_call().  Only a message that arrived over several segments can see
 * the table change in between, and its bytes are in the buffer, as they
 * came: a whole one read in place (one_message, whole_message) is
 * decided and completed with nothing between.
 */
static struct pptp_call *complete_msg_call(const struct pptp_tracker *t, unsigned int dir,
					   const u8 *msg, u16 type, u8 sender)
{
	const struct pptp_stream *s = &t->dir[dir];
	const struct pptp_decision *d = &s->dec;
	u8 cdn_role, cdn_named;

	if (table_kept(t, d))
		return d->call_idx < t->max_calls ? &t->calls[d->call_idx] : NULL;
	return msg_call(t, msg, s->md, type, sender, &cdn_role, &cdn_named);
}

/* The call state a message needs its call to be in; FREE means any live state. */
static u8 wanted_state(u16 type)
{
	switch (type) {
	case PPTP_OCRP:
		return PPTP_CALL_STATE_OUT_REQ;
	case PPTP_ICRP:
		return PPTP_CALL_STATE_IN_REQ;
	case PPTP_ICCN:
		return PPTP_CALL_STATE_IN_REP;
	default:
		return PPTP_CALL_STATE_FREE;
	}
}

static int calls_allowed(const struct pptp_tracker *t)
{
	if (t->session == PPTP_SESS_UP)
		return 1;
	return (t->flags & PPTP_F_MIDSTREAM) && t->session == PPTP_SESS_IDLE;
}

/* Rewrite every ID field of the message for @call (and a fresh mapping). */
static void plan_rewrites(struct pptp_tracker *t, unsigned int dir, const u8 *msg, u8 sender,
			  u16 type, const struct pptp_call *c, u8 cdn_role)
{
	const struct pptp_msg_desc *md = t->dir[dir].md;
	struct pptp_decision *d = &t->dir[dir].dec;
	u8 receiver = other_role(sender);

	if (!t->ops || !t->ops->map_id)
		return;		/* nothing translated: every ID stays as it is */
	if (md->own_off && type == PPTP_CDN && cdn_role == PPTP_PNS) {
		rewrite(t, dir, msg, md->own_off, c->id[PPTP_PNS], c);
	} else if (md->own_off && d->mapped) {
		/*
		 * The peer would learn an ID the tracker does not translate:
		 * better no call than GRE for it steered to the wrong host.
		 */
		if (!rewrite(t, dir, msg, md->own_off, d->map_xid, c))
			d->ignore = 1;
	} else if (md->own_off && c) {
		rewrite(t, dir, msg, md->own_off, c->xid[sender], c);
	}
	if (md->peer_off && c)
		rewrite(t, dir, msg, md->peer_off, c->id[receiver], c);
}

static void decide_call(struct pptp_tracker *t, unsigned int dir, const u8 *msg, u16 type,
			u8 sender)
{
	struct pptp_stream *s = &t->dir[dir];
	const struct pptp_msg_desc *md = s->md;
	struct pptp_decision *d = &s->dec;
	struct pptp_call *c = NULL;
	u8 cdn_role = PPTP_PAC;

	if (!calls_allowed(t)) {
		d->anomaly = PPTP_AN_OUT_OF_STATE + 1;
		return;
	}
	if (type == PPTP_OCRQ || type == PPTP_ICRQ) {
		if (!free_slot(t)) {
			d->refused = PPTP_REFUSE_CALL_LIMIT + 1;
			return;
		}
	} else {
		c = msg_call(t, msg, md, type, sender, &cdn_role, &d->cdn_named);
		if (type == PPTP_CDN)
			d->cdn_id = pptp_get16(msg + PPTP_CDN_OFF_CALL_ID);
		if (!c) {
			d->anomaly = (type == PPTP_CDN ? PPTP_AN_CDN_UNKNOWN_ID :
				      PPTP_AN_UNKNOWN_CALL_ID) + 1;
			return;
		}
		if (wanted_state(type) && c->state != wanted_state(type)) {
			d->anomaly = PPTP_AN_OUT_OF_STATE + 1;
			return;
		}
	}
	/* OCRQ, ICRQ: admit_new_id() below makes sure no call has the ID. */
	remember_call(t, d, c);
	/* A call ID that appears for the first time. */
	if ((type == PPTP_OCRQ || type == PPTP_ICRQ || type == PPTP_OCRP ||
	     type == PPTP_ICRP) &&
	    !admit_new_id(t, dir, sender, pptp_get16(msg + md->own_off))) {
		/* The receiver's ID is still put back for it. */
		if (c && md->peer_off)
			rewrite(t, dir, msg, md->peer_off, c->id[other_role(sender)], c);
		return;
	}
	plan_rewrites(t, dir, msg, sender, type, c, cdn_role);
}

/* The sender's role for a message, or PPTP_ROLE_UNKNOWN after reporting why not. */
static u8 sender_role(struct pptp_tracker *t, unsigned int dir)
{
	u8 role = t->dir[dir].md->sender;

	if (role == PPTP_ROLE_UNKNOWN)
		return t->role[dir];
	if (t->role[dir] != PPTP_ROLE_UNKNOWN && t->role[dir] != role) {
		t->dir[dir].dec.anomaly = PPTP_AN_ROLE_CONFLICT + 1;
		return PPTP_ROLE_UNKNOWN;
	}
	return role;
}

/* Whether every Reserved field of the message body is zero (wire.h lists them). */
static int reserved_zero(const struct pptp_msg_desc *md, const u8 *msg)
{
	unsigned int i, n = md->n_reserved;

	for (i = 0; i < n; i++) {
		/* Locals: a byte read through msg could alias the table for the compiler. */
		unsigned int off = md->reserved[i].off, len = md->reserved[i].len;

		/* Reserved fields are one or two bytes (wire.h). */
		if (msg[off] || (len == 2 && msg[off + 1]))
			return 0;
	}
	return 1;
}

/* OCRQ, ICRQ, OCRP and ICRP: the sender names a call ID of its own for the first time. */
static inline int new_id_msg(u16 type)
{
	return type == PPTP_OCRQ || type == PPTP_ICRQ || type == PPTP_OCRP || type == PPTP_ICRP;
}

/*
 * A translated sender's new call ID that the tracker will not follow
 * (duplicate, out of state, call limit, no free ID) would reach the peer
 * as the host behind the NAT knows it: refuse the segment instead, and
 * report now what complete() would have.
 */
static void refuse_untranslated(struct pptp_tracker *t, unsigned int dir)
{
	const struct pptp_decision *d = &t->dir[dir].dec;

	if (d->anomaly)
		anomaly(t, dir, d->anomaly - 1);
	if (d->refused) {
		t->cnt.refused[d->refused - 1]++;
		report(t, dir, PPTP_EV_REFUSED, d->refused - 1, NULL);
	}
	refuse(t, dir, PPTP_DROP_UNTRANSLATED);
}

/* Decide on the message in @dir, whose bytes are at @msg (msg_of()). */
static void decide(struct pptp_tracker *t, unsigned int dir, const u8 *msg)
{
	struct pptp_stream *s = &t->dir[dir];
	const struct pptp_msg_desc *md;
	u16 type;
	u8 sender;

	memset(&s->dec, 0, sizeof(s->dec));
	if (s->invalid)
		return;
	type = pptp_get16(msg + PPTP_OFF_CTRL_TYPE);
	md = s->md;	/* known: the header was valid */
	if (!md->ids_end)
		return;		/* control connection messages act at the end */
	sender = sender_role(t, dir);
	if (sender != PPTP_ROLE_UNKNOWN)
		decide_call(t, dir, msg, type, sender);
	else if (!s->dec.anomaly)
		/* SLI before any call has told who is who: nothing to follow. */
		s->dec.ignore = 1;
	if (!s->dec.anomaly && !s->dec.refused)
		return;
	s->dec.ignore = 1;
	if (t->translated[dir] && new_id_msg(type))
		refuse_untranslated(t, dir);
}

/* ---- acting on complete messages ---- */

static void complete_session(struct pptp_tracker *t, unsigned int dir, const u8 *msg, u16 type)
{
	int ok = 1;

	switch (type) {
	case PPTP_SCCRQ:
		if (t->session == PPTP_SESS_IDLE) {
			t->requester = (u8)dir;
			set_session(t, dir, PPTP_SESS_REQUESTED);
		} else if (!(t->session == PPTP_SESS_REQUESTED && t->requester != dir)) {
			ok = 0;	/* both sides asking at once is allowed, repeats are not */
		}
		break;
	case PPTP_SCCRP:
		if (t->session == PPTP_SESS_REQUESTED && t->requester != dir)
			set_session(t, dir, msg[PPTP_SCCRP_OFF_RESULT] == PPTP_SCCRP_OK ?
				    PPTP_SESS_UP : PPTP_SESS_DOWN);
		else if (t->session == PPTP_SESS_IDLE && (t->flags & PPTP_F_MIDSTREAM))
			set_session(t, dir, PPTP_SESS_UP);
		else
			ok = 0;
		break;
	case PPTP_STOPCCRQ:
		/* Stopping the control connection clears every call (RFC 2637 2.3). */
		all_calls_down(t, dir);
		set_session(t, dir, PPTP_SESS_STOPPING);
		break;
	case PPTP_STOPCCRP:
		/*
		 * Only as the answer to a StopCCRQ, which took the calls down
		 * already: a reply alone (a tracker that joined late, or a
		 * forgery) ends nothing, and FIN or RST follow a real stop.
		 */
		if (t->session != PPTP_SESS_STOPPING)
			ok = 0;
		else
			set_session(t, dir, PPTP_SESS_DOWN);
		break;
	}
	if (!ok)
		anomaly(t, dir, PPTP_AN_OUT_OF_STATE);
}

static void open_call(struct pptp_tracker *t, unsigned int dir, const u8 *msg, u16 type)
{
	const struct pptp_decision *d = &t->dir[dir].dec;
	struct pptp_call *c = free_slot(t);
	u8 role = d->map_role;

	/* The other direction may have changed the table since decide(). */
	if (!c || (!table_kept(t, d) && pptp_find_by_id(t, role, d->map_id))) {
		if (c) {
			anomaly(t, dir, PPTP_AN_DUP_CALL_ID);
		} else {
			t->cnt.refused[PPTP_REFUSE_CALL_LIMIT]++;
			report(t, dir, PPTP_EV_REFUSED, PPTP_REFUSE_CALL_LIMIT, NULL);
		}
		unmap(t, dir, role, d->map_id, d->map_xid);
		return;
	}
	c->state = type == PPTP_OCRQ ? PPTP_CALL_STATE_OUT_REQ : PPTP_CALL_STATE_IN_REQ;
	c->outgoing = type == PPTP_OCRQ;
	c->has_id[role] = 1;
	c->id[role] = d->map_id;
	c->xid[role] = d->map_xid;
	c->serial = pptp_get16(msg + PPTP_OCRQ_OFF_SERIAL);	/* ICRQ: same place */
	if (type == PPTP_OCRQ)
		c->window[PPTP_PNS] = pptp_get16(msg + PPTP_OCRQ_OFF_WINDOW);
	t->live_calls++;
	t->cnt.calls_opened++;
	call_id_named(t, dir, c);
}

/* OCRP and ICRP: the replying side's ID joins the call, or the call fails. */
static void reply_call(struct pptp_tracker *t, unsigned int dir, const u8 *msg, u16 type,
		       struct pptp_call *c)
{
	const struct pptp_decision *d = &t->dir[dir].dec;
	u8 role = d->map_role;

	c->has_id[role] = 1;
	c->id[role] = d->map_id;
	c->xid[role] = d->map_xid;
	if (type == PPTP_OCRP) {
		c->window[PPTP_PAC] = pptp_get16(msg + PPTP_OCRP_OFF_WINDOW);
		if (msg[PPTP_OCRP_OFF_RESULT] == PPTP_OCRP_CONNECTED) {
			call_up(t, dir, c);
			return;
		}
	} else {
		c->window[PPTP_PNS] = pptp_get16(msg + PPTP_ICRP_OFF_WINDOW);
		if (msg[PPTP_ICRP_OFF_RESULT] == PPTP_ICRP_CONNECT) {
			c->state = PPTP_CALL_STATE_IN_REP;
			call_id_named(t, dir, c);
			return;
		}
	}
	call_down(t, dir, c);
	t->cnt.calls_failed++;
}

/*
 * A CDN whose Call ID names a call under one reading only shows the PAC's
 * habit.  decide() looked both readings up; only a table changed since
 * needs them again.
 */
static void learn_cdn_role(struct pptp_tracker *t, const struct pptp_decision *d)
{
	int own = d->cdn_named & 1, peer = d->cdn_named >> 1;

	if (!table_kept(t, d)) {
		own = pptp_find_by_id(t, PPTP_PAC, d->cdn_id) != NULL;
		peer = pptp_find_by_xid(t, PPTP_PNS, d->cdn_id) != NULL;
	}
	if (own != peer)
		t->cdn_role = own ? PPTP_PAC : PPTP_PNS;
}

static void complete_call(struct pptp_tracker *t, unsigned int dir, const u8 *msg, u16 type,
			  u8 sender, struct pptp_call *c)
{

	/* The first call message names the roles: before its events, which need them. */
	if (t->role[dir] == PPTP_ROLE_UNKNOWN) {
		t->role[dir] = sender;
		t->role[!dir] = other_role(sender);
	}
	switch (type) {
	case PPTP_OCRQ:
	case PPTP_ICRQ:
		open_call(t, dir, msg, type);
		break;
	case PPTP_OCRP:
	case PPTP_ICRP:
		reply_call(t, dir, msg, type, c);
		break;
	case PPTP_ICCN:
		c->window[PPTP_PAC] = pptp_get16(msg + PPTP_ICCN_OFF_WINDOW);
		call_up(t, dir, c);
		break;
	case PPTP_CCRQ:
		c->state = PPTP_CALL_STATE_CLEARING;
		break;
	case PPTP_CDN:
		learn_cdn_role(t, &t->dir[dir].dec);
		call_down(t, dir, c);
		break;
	}
	t->table_gen++;
}

static void message_event(struct pptp_tracker *t, unsigned int dir, const u8 *msg,
			  const struct pptp_call *c)
{
	struct pptp_event ev;

	msg_event(t, dir, PPTP_EV_MESSAGE, &ev);
	ev.msg = msg;
	ev.msg_len = t->dir[dir].need;
	ev.call = c;
	emit(t, &ev);
}

/*
 * What every valid message gets before it is acted on: the MESSAGE event,
 * then the anomalies of its own fields.  Real peers put garbage in
 * Reserved fields (a Windows PAC's SLI, say): the RFC's meaning of the
 * message does not depend on them.
 */
static inline void message_checks(struct pptp_tracker *t, unsigned int dir,
				  const struct pptp_msg_desc *md, const u8 *msg,
				  const struct pptp_call *c)
{
	u8 result;

	if (wants_event(t, PPTP_EV_MESSAGE))
		message_event(t, dir, msg, c);
	if (md->result_off) {
		result = msg[md->result_off];
		if (result == 0 || result > md->result_max)
			anomaly(t, dir, PPTP_AN_RESULT_RANGE);
	}
	if (!reserved_zero(md, msg))
		anomaly(t, dir, PPTP_AN_RESERVED);
}

static void complete(struct pptp_tracker *t, unsigned int dir, const u8 *msg)
{
	struct pptp_stream *s = &t->dir[dir];
	struct pptp_decision *d = &s->dec;
	const struct pptp_msg_desc *md = s->md;
	struct pptp_call *c = NULL;
	u16 type = pptp_get16(msg + PPTP_OFF_CTRL_TYPE);
	u8 sender;

	if (s->invalid)
		goto drop_mapping;
	t->cnt.messages[dir][type]++;
	t->cnt.valid_messages++;
	if (!md->ids_end) {
		/* Control connection messages: decide() had nothing to say. */
		message_checks(t, dir, md, msg, NULL);
		complete_session(t, dir, msg, type);
		return;
	}
	/* decide() ignores the message when it cannot tell the sender's role. */
	sender = md->sender == PPTP_ROLE_UNKNOWN ? t->role[dir] : md->sender;
	if (!d->ignore)
		c = complete_msg_call(t, dir, msg, type, sender);
	message_checks(t, dir, md, msg, c);
	if (d->ignore) {
		/* decide() sets ignore with every anomaly and refusal it finds. */
		if (d->anomaly)
			anomaly(t, dir, d->anomaly - 1);
		if (d->refused) {
			t->cnt.refused[d->refused - 1]++;
			report(t, dir, PPTP_EV_REFUSED, d->refused - 1, NULL);
		}
		goto drop_mapping;
	}
	/* A call closed by the other direction since decide(). */
	if (!c && type != PPTP_OCRQ && type != PPTP_ICRQ) {
		anomaly(t, dir, PPTP_AN_UNKNOWN_CALL_ID);
		goto drop_mapping;
	}
	complete_call(t, dir, msg, type, sender, c);
	return;

drop_mapping:
	if (d->mapped)
		unmap(t, dir, d->map_role, d->map_id, d->map_xid);
}

/* ---- framing ---- */

/* A header the stream can be framed by: right cookie, a length we can hold. */
static inline int header_framed(const u8 *h)
{
	u16 len = pptp_get16(h + PPTP_OFF_LENGTH);

	return pptp_get32(h + PPTP_OFF_MAGIC) == PPTP_MAGIC &&
	       len >= PPTP_DECIDE_LEN && len <= PPTP_MSG_MAX_LEN;
}

/*
 * The first reason a framed header is invalid, or -1.  *@md is set to the
 * type's description (NULL when unknown) for the stream to keep.
 */
static inline int header_invalid(const u8 *h, const struct pptp_msg_desc **md)
{
	*md = pptp_msg_desc(pptp_get16(h + PPTP_OFF_CTRL_TYPE));
	if (pptp_get16(h + PPTP_OFF_MSG_TYPE) != PPTP_MSG_CONTROL)
		return PPTP_INV_MSG_TYPE;
	if (!*md)
		return PPTP_INV_CTRL_TYPE;
	if (pptp_get16(h + PPTP_OFF_LENGTH) != (*md)->len)
		return PPTP_INV_LENGTH;
	if (pptp_get16(h + PPTP_OFF_RESERVED0))
		return PPTP_INV_RESERVED;
	return -1;
}

static void start_hunting(struct pptp_tracker *t, unsigned int dir)
{
	struct pptp_stream *s = &t->dir[dir];

	anomaly(t, dir, PPTP_AN_DESYNC);
	s->hunting = 1;
	s->need = 0;
	s->invalid = 0;
}

/*
 * The message in @dir's buffer is invalid (@reason).  Refuse the segment
 * when told to refuse every invalid message, or when a translated sender's
 * framed header names a type that carries the sender's own call ID: a
 * lenient peer could take that ID from it, untranslated.
 */
static void invalid_header(struct pptp_tracker *t, unsigned int dir, int reason, int framed)
{
	const struct pptp_msg_desc *md;

	invalid(t, dir, (u8)reason);
	md = pptp_msg_desc(pptp_get16(msg_of(&t->dir[dir]) + PPTP_OFF_CTRL_TYPE));
	if ((t->flags & PPTP_F_REFUSE_INVALID) ||
	    (framed && t->translated[dir] && md && md->own_off))
		refuse(t, dir, PPTP_DROP_INVALID);
}

/* A full header is in: frame the message, or lose framing. */
static void header_done(struct pptp_tracker *t, unsigned int dir)
{
	struct pptp_stream *s = &t->dir[dir];
	int reason;

	if (!header_framed(s->buf)) {
		reason = pptp_get32(s->buf + PPTP_OFF_MAGIC) != PPTP_MAGIC ?
			 PPTP_INV_MAGIC : PPTP_INV_LENGTH;
		invalid_header(t, dir, reason, 0);
		if (!t->drop)
			start_hunting(t, dir);
		return;
	}
	s->need = pptp_get16(s->buf + PPTP_OFF_LENGTH);
	reason = header_invalid(s->buf, &s->md);
	if (reason >= 0)
		invalid_header(t, dir, reason, 1);
}

/* While hunting, keep only bytes that may start a valid header. */
static void hunt(struct pptp_tracker *t, unsigned int dir)
{
	struct pptp_stream *s = &t->dir[dir];

	while (s->have >= PPTP_HDR_LEN) {
		if (header_framed(s->buf) && header_invalid(s->buf, &s->md) < 0) {
			s->hunting = 0;
			s->need = pptp_get16(s->buf + PPTP_OFF_LENGTH);
			return;
		}
		memmove(s->buf, s->buf + 1, --s->have);
	}
}

static void message_done(struct pptp_tracker *t, unsigned int dir, const u8 *msg)
{
	struct pptp_stream *s = &t->dir[dir];

	complete(t, dir, msg);
	s->have = 0;
	s->need = 0;
	s->invalid = 0;
	s->dec.mapped = 0;	/* acted on: nothing left to hand back */
}

/* A message read in place is decided: act on it, or keep it for the rewind. */
static inline void in_place_done(struct pptp_tracker *t, unsigned int dir)
{
	struct pptp_stream *s = &t->dir[dir];

	if (!t->drop)
		message_done(t, dir, msg_of(s));	/* the buffer if a rewrite copied it */
	else
		keep_copy(s);
	s->inplace = NULL;
}

/*
 * Take bytes up to the end of the header, then up to the end of the
 * message.  decide() needs no stop of its own: it reads only the first
 * pptp_decide_len() bytes and rewrites by stream position, so it runs the
 * same once more of the message is in.
 */
static u32 take(struct pptp_stream *s, const u8 *data, u32 len)
{
	u32 target = s->need ? s->need : PPTP_HDR_LEN;
	u32 n = target - s->have;

	if (n > len)
		n = len;
	if (!s->have && n == PPTP_HDR_LEN)	/* a whole header, the usual case */
		memcpy(s->buf, data, PPTP_HDR_LEN);
	else
		memcpy(s->buf + s->have, data, n);
	s->have = (u16)(s->have + n);
	s->next_seq += n;
	return n;
}

/*
 * The usual case, a whole framed message at the start of what is left of
 * the segment: act on it where it lies, without the copy and the
 * byte-wise bookkeeping parse() needs for messages spread over segments
 * (keep_copy() copies it when it must).  Returns the bytes consumed, 0
 * when the slow path must take them.
 */
static u32 whole_message(struct pptp_tracker *t, unsigned int dir, const u8 *data, u32 len)
{
	struct pptp_stream *s = &t->dir[dir];
	int reason;
	u16 mlen;

	if (s->have || s->hunting || len < PPTP_HDR_LEN || !header_framed(data))
		return 0;
	mlen = pptp_get16(data + PPTP_OFF_LENGTH);
	if (mlen > len)
		return 0;
	s->inplace = data;
	s->have = mlen;
	s->need = mlen;
	s->next_seq += mlen;
	reason = header_invalid(data, &s->md);
	if (reason >= 0)
		invalid_header(t, dir, reason, 1);
	if (!t->drop)
		decide(t, dir, data);
	in_place_done(t, dir);
	return mlen;
}

/*
 * The usual segment: exactly one message, valid in its header, with the
 * stream at a message boundary.  It is decided and completed where it
 * lies, in one step; a message without call IDs has nothing to decide.
 * Returns 0, having changed nothing, for every other segment: parse()
 * takes those.
 */
static int one_message(struct pptp_tracker *t, unsigned int dir, const u8 *msg, u32 len)
{
	struct pptp_stream *s = &t->dir[dir];
	const struct pptp_msg_desc *md;

	/* A Length that is its type's frames the message: header_framed() is implied. */
	if (s->have || s->hunting || len < PPTP_HDR_LEN ||
	    pptp_get16(msg + PPTP_OFF_LENGTH) != len ||
	    pptp_get32(msg + PPTP_OFF_MAGIC) != PPTP_MAGIC || header_invalid(msg, &md) >= 0)
		return 0;
	s->inplace = msg;
	s->have = (u16)len;
	s->need = (u16)len;
	s->md = md;
	s->next_seq += len;
	if (md->ids_end)
		decide(t, dir, msg);
	in_place_done(t, dir);
	return 1;
}

/* The segment ends inside the ID fields of a call message: they cannot be rewritten whole. */
static int ends_in_ids(const struct pptp_stream *s)
{
	return !s->hunting && s->need && !s->invalid &&
	       s->have > PPTP_ID_AREA && s->have < decide_len(s) &&
	       s->md->ids_end;
}

/*
 * Every live call's translated IDs are in the same row of 256 as the IDs
 * they stand for (pptp_nat_pick keeps the row while it has room): then
 * the first byte of any ID field is the same translated or not.
 */
static int rows_kept(const struct pptp_tracker *t)
{
	const struct pptp_call *c, *end = t->calls + t->max_calls;
	unsigned int live = t->live_calls, r;

	for (c = t->calls; live && c < end; c++) {
		if (c->state == PPTP_CALL_STATE_FREE)
			continue;
		for (r = 0; r < 2; r++)
			if (c->has_id[r] && (c->id[r] >> 8) != (c->xid[r] >> 8))
				return 0;
		live--;
	}
	return 1;
}

/* Whether decide() may rewrite the ID field at @off of a message from @dir. */
static int field_may_change(const struct pptp_tracker *t, unsigned int dir,
			    const struct pptp_stream *s, u8 off)
{
	const struct pptp_msg_desc *md = s->md;

	if (pptp_get16(msg_of(s) + PPTP_OFF_CTRL_TYPE) == PPTP_CDN)
		return translating(t);	/* either side's ID, by value */
	if (off == md->own_off)
		return t->translated[dir];
	if (off == md->peer_off)
		return t->translated[!dir];
	return 0;
}

/*
 * How many bytes of the message's ID fields that are in (from byte 12)
 * no decision can change, so they may pass before it is made: a field
 * that is never rewritten, and the first byte of one that is while the
 * session's IDs keep their rows (decide() refuses a new ID that would
 * not).  A segment cut inside a call ID then passes whole in the common
 * case, instead of waiting for TCP to resend it merged.
 */
static u16 ids_fixed(const struct pptp_tracker *t, unsigned int dir,
		     const struct pptp_stream *s)
{
	int keep = rows_kept(t);
	u16 b;

	for (b = PPTP_ID_AREA; b < s->have; b++) {
		if (!field_may_change(t, dir, s, (u8)(b & ~1u)))
			continue;
		if ((b & 1) || !keep)
			break;
	}
	return (u16)(b - PPTP_ID_AREA);
}

static void parse(struct pptp_tracker *t, unsigned int dir, const u8 *data, u32 len)
{
	struct pptp_stream *s = &t->dir[dir];
	u16 before;
	u32 n;

	/*
	 * Nothing new: whatever of a message head the stream ends in passed
	 * before (ids_fixed() let it), and passes again as it did.
	 */
	if (!len)
		return;
	while (len && !t->drop) {
		n = whole_message(t, dir, data, len);
		if (n) {
			data += n;
			len -= n;
			continue;
		}
		before = s->have;
		n = take(s, data, len);
		data += n;
		len -= n;
		if (s->hunting) {
			hunt(t, dir);
			if (s->hunting)
				continue;
		} else if (!s->need && s->have == PPTP_HDR_LEN) {
			header_done(t, dir);
			if (t->drop)
				break;
			if (s->hunting) {
				hunt(t, dir);
				continue;
			}
		}
		if (s->need && before < decide_len(s) && s->have >= decide_len(s))
			decide(t, dir, s->buf);
		if (s->need && s->have == s->need && !t->drop)
			message_done(t, dir, s->buf);
	}
	if (s->have && !t->drop && translating(t) && ends_in_ids(s)) {
		t->split_fixed = ids_fixed(t, dir, s);
		if (t->split_fixed < s->have - PPTP_ID_AREA)
			refuse(t, dir, PPTP_DROP_SPLIT_ID);
	}
}

/*
 * Where the stream goes back to after a refusal: the refused message's
 * start, or for a split call ID the first byte of its ID fields that may
 * still change (the header before them carries nothing to translate, and
 * letting it pass makes the receiver acknowledge it, so a sender whose
 * congestion window is full may send the rest, which TCP's retransmission
 * then merges with the split field).  Never before the segment's new
 * bytes: a message begun in an earlier segment keeps its first bytes in
 * the buffer, which always holds the current message from its start.
 */
static u32 rewind_point(const struct pptp_tracker *t)
{
	u32 to = t->drop_seq;

	if (t->drop == PPTP_DROP_SPLIT_ID + 1)
		to += PPTP_ID_AREA + t->split_fixed;
	return seq_after(t->seg_new, to) ? t->seg_new : to;
}

/* Take nothing from the refused message's rewind point on. */
static void rewind_refused(struct pptp_tracker *t, unsigned int dir)
{
	struct pptp_stream *s = &t->dir[dir];
	u32 to = rewind_point(t);
	const struct pptp_msg_desc *md;

	if (s->dec.mapped && s->have >= decide_len(s))
		unmap(t, dir, s->dec.map_role, s->dec.map_id, s->dec.map_xid);
	memset(&s->dec, 0, sizeof(s->dec));
	log_forget_from(s, to);
	t->cnt.bytes[dir] -= t->seg_seq + t->seg_len - to;
	t->pass_len = to - t->seg_seq;
	s->next_seq = to;
	s->have = (u16)(to - t->drop_seq);
	s->hunting = 0;
	s->invalid = 0;
	s->need = 0;
	if (s->have >= PPTP_HDR_LEN) {
		s->need = pptp_get16(s->buf + PPTP_OFF_LENGTH);
		s->invalid = header_invalid(s->buf, &md) >= 0;
		s->md = md;
	}
}

/* ---- the interface ---- */

void pptp_tracker_init(struct pptp_tracker *t, const struct pptp_tracker_config *cfg)
{
	memset(t, 0, sizeof(*t));
	t->ops = cfg->ops;
	if (t->ops && t->ops->event)
		t->wanted = ~t->ops->quiet;
	t->ctx = cfg->ctx;
	t->calls = cfg->calls;
	t->max_calls = cfg->max_calls;
	t->flags = cfg->flags;
	t->role[0] = PPTP_ROLE_UNKNOWN;
	t->role[1] = PPTP_ROLE_UNKNOWN;
	t->cdn_role = PPTP_ROLE_UNKNOWN;
	if (t->calls)
		memset(t->calls, 0, sizeof(*t->calls) * t->max_calls);
}

/*
 * pptp_feed() and pptp_feed_in_place(): @out is where rewrites are
 * written, NULL for none.  One body for both, inlined into each (forcing
 * it cost the no-NAT path more than it saved).
 */
static inline enum pptp_feed_verdict feed_segment(struct pptp_tracker *t, unsigned int dir,
						  u32 seq, const u8 *data, u8 *out, u32 len)
{
	struct pptp_stream *s = &t->dir[dir & 1];
	u32 old;

	dir &= 1;
	if (!s->seq_known) {
		s->next_seq = seq;
		s->seq_known = 1;
	}
	if (seq_after(seq, s->next_seq)) {
		t->cnt.future_segments[dir]++;
		return PPTP_FEED_FUTURE;
	}
	old = s->next_seq - seq;
	if (old > len)
		old = len;
	t->seg_seq = seq;
	t->seg_len = len;
	t->seg_new = seq + old;
	t->seg_out = out;
	t->drop = 0;
	t->split_fixed = 0;
	t->pass_len = 0;
	if (old) {
		t->cnt.retransmitted[dir] += old;
		replay_rewrites(t, dir, data, old);
		if (t->drop)
			return PPTP_FEED_DROP;	/* nothing new taken */
	}
	t->cnt.bytes[dir] += len - old;
	if (old || !one_message(t, dir, data, len))
		parse(t, dir, data + old, len - old);
	if (!t->drop)
		return PPTP_FEED_OK;
	rewind_refused(t, dir);
	return PPTP_FEED_DROP;
}

enum pptp_feed_verdict pptp_feed(struct pptp_tracker *t, unsigned int dir, u32 seq,
				 const u8 *data, u32 len)
{
	return feed_segment(t, dir, seq, data, NULL, len);
}

enum pptp_feed_verdict pptp_feed_in_place(struct pptp_tracker *t, unsigned int dir, u32 seq,
					  u8 *data, u32 len)
{
	enum pptp_feed_verdict v = feed_segment(t, dir, seq, data, data, len);

	t->seg_out = NULL;	/* the segment is the caller's again */
	return v;
}

void pptp_set_translated(struct pptp_tracker *t, unsigned int dir, int on)
{
	t->translated[dir & 1] = !!on;
}

void pptp_resync(struct pptp_tracker *t, unsigned int dir, u32 seq)
{
	struct pptp_stream *s = &t->dir[dir & 1];

	dir &= 1;
	if (s->dec.mapped && s->have >= decide_len(s))
		unmap(t, dir, s->dec.map_role, s->dec.map_id, s->dec.map_xid);
	anomaly(t, dir, PPTP_AN_STREAM_GAP);
	memset(&s->dec, 0, sizeof(s->dec));
	/* Rewrites before the gap can never be retransmitted through us again. */
	memset(s->log, 0, sizeof(s->log));
	s->log_next = 0;
	s->log_evicted = 0;
	s->have = 0;
	s->need = 0;
	s->invalid = 0;
	s->hunting = 1;
	s->next_seq = seq;
	s->seq_known = 1;
}

void pptp_tracker_close(struct pptp_tracker *t)
{
	unsigned int dir;

	for (dir = 0; dir < 2; dir++) {
		struct pptp_stream *s = &t->dir[dir];

		if (s->dec.mapped && s->have >= decide_len(s))
			unmap(t, dir, s->dec.map_role, s->dec.map_id, s->dec.map_xid);
		memset(&s->dec, 0, sizeof(s->dec));
	}
	all_calls_down(t, 0);
}

/*
 * A call established before this tracker existed joins the table as it is:
 * both IDs known, no event.  The roles and the session follow from it.
 */
struct pptp_call *pptp_adopt_call(struct pptp_tracker *t, unsigned int pns_dir,
				  const struct pptp_call *call)
{
	struct pptp_call *c;

	pns_dir &= 1;
	if (call->state != PPTP_CALL_STATE_UP || !call->has_id[PPTP_PNS] || !call->has_id[PPTP_PAC])
		return NULL;
	if (t->role[pns_dir] != PPTP_ROLE_UNKNOWN && t->role[pns_dir] != PPTP_PNS)
		return NULL;
	if (pptp_find_by_id(t, PPTP_PNS, call->id[PPTP_PNS]) ||
	    pptp_find_by_id(t, PPTP_PAC, call->id[PPTP_PAC]) ||
	    pptp_find_by_xid(t, PPTP_PNS, call->xid[PPTP_PNS]) ||
	    pptp_find_by_xid(t, PPTP_PAC, call->xid[PPTP_PAC]))
		return NULL;
	c = free_slot(t);
	if (!c)
		return NULL;
	*c = *call;
	c->was_up = 1;
	t->table_gen++;
	t->role[pns_dir] = PPTP_PNS;
	t->role[!pns_dir] = PPTP_PAC;
	if (t->session == PPTP_SESS_IDLE)
		t->session = PPTP_SESS_UP;
	t->live_calls++;
	t->cnt.calls_opened++;
	t->cnt.calls_up++;
	return c;
}

/* ---- names ---- */

#define NAME(tab, i) ((i) < PPTP_ARRAY_SIZE(tab) && (tab)[i] ? (tab)[i] : "?")

const char *pptp_invalid_name(unsigned int reason)
{
	static const char *const names[] = {
		[PPTP_INV_LENGTH] = "bad-length",
		[PPTP_INV_MSG_TYPE] = "bad-message-type",
		[PPTP_INV_MAGIC] = "bad-magic-cookie",
		[PPTP_INV_CTRL_TYPE] = "unknown-control-type",
		[PPTP_INV_RESERVED] = "reserved-not-zero",
	};

	return NAME(names, reason);
}

const char *pptp_anomaly_name(unsigned int reason)
{
	static const char *const names[] = {
		[PPTP_AN_ROLE_CONFLICT] = "role-conflict",
		[PPTP_AN_OUT_OF_STATE] = "out-of-state",
		[PPTP_AN_DUP_CALL_ID] = "duplicate-call-id",
		[PPTP_AN_UNKNOWN_CALL_ID] = "unknown-call-id",
		[PPTP_AN_CDN_UNKNOWN_ID] = "cdn-unknown-call-id",
		[PPTP_AN_RESULT_RANGE] = "result-out-of-range",
		[PPTP_AN_SPLIT_FIELD] = "split-field-not-rewritten",
		[PPTP_AN_RETRANS_MISMATCH] = "retransmission-mismatch",
		[PPTP_AN_RETRANS_STALE] = "retransmission-beyond-log",
		[PPTP_AN_STREAM_GAP] = "stream-gap",
		[PPTP_AN_DESYNC] = "framing-lost",
		[PPTP_AN_RESERVED] = "reserved-field-not-zero",
	};

	return NAME(names, reason);
}

const char *pptp_refusal_name(unsigned int reason)
{
	static const char *const names[] = {
		[PPTP_REFUSE_CALL_LIMIT] = "call-limit",
		[PPTP_REFUSE_ID_EXHAUSTED] = "call-id-exhausted",
	};

	return NAME(names, reason);
}

const char *pptp_drop_name(unsigned int reason)
{
	static const char *const names[] = {
		[PPTP_DROP_SPLIT_ID] = "split-call-id",
		[PPTP_DROP_UNTRANSLATED] = "untranslated-call-id",
		[PPTP_DROP_INVALID] = "invalid-message",
		[PPTP_DROP_RETRANS] = "retransmission-not-rewritable",
	};

	return NAME(names, reason);
}

const char *pptp_event_name(unsigned int type)
{
	static const char *const names[] = {
		[PPTP_EV_MESSAGE] = "message",
		[PPTP_EV_INVALID] = "invalid",
		[PPTP_EV_ANOMALY] = "anomaly",
		[PPTP_EV_REWRITE] = "rewrite",
		[PPTP_EV_CALL_UP] = "call-up",
		[PPTP_EV_CALL_DOWN] = "call-down",
		[PPTP_EV_REFUSED] = "refused",
		[PPTP_EV_UNMAP] = "unmap",
		[PPTP_EV_SESSION] = "session",
		[PPTP_EV_DROP] = "drop",
		[PPTP_EV_CALL_ID] = "call-id",
	};

	return NAME(names, type);
}

const char *pptp_role_name(unsigned int role)
{
	static const char *const names[] = {
		[PPTP_PNS] = "PNS",
		[PPTP_PAC] = "PAC",
		[PPTP_ROLE_UNKNOWN] = "unknown",
	};

	return NAME(names, role);
}

const char *pptp_session_name(unsigned int state)
{
	static const char *const names[] = {
		[PPTP_SESS_IDLE] = "idle",
		[PPTP_SESS_REQUESTED] = "requested",
		[PPTP_SESS_UP] = "established",
		[PPTP_SESS_STOPPING] = "stopping",
		[PPTP_SESS_DOWN] = "down",
	};

	return NAME(names, state);
}

const char *pptp_call_state_name(unsigned int state)
{
	static const char *const names[] = {
		[PPTP_CALL_STATE_FREE] = "free",
		[PPTP_CALL_STATE_OUT_REQ] = "out-requested",
		[PPTP_CALL_STATE_IN_REQ] = "in-requested",
		[PPTP_CALL_STATE_IN_REP] = "in-replied",
		[PPTP_CALL_STATE_UP] = "up",
		[PPTP_CALL_STATE_CLEARING] = "clearing",
	};

	return NAME(names, state);
}
