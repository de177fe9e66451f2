/* SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause */
/*
 * The PPTP tracker: one per control connection, shared by the kernel
 * module, the daemon and the inspector.
 *
 * The caller feeds each direction's TCP payload with its sequence number;
 * the tracker reassembles messages, validates them, follows the control
 * connection and its calls, and reports what it decided through the
 * caller's ops: new call IDs to map, fields to rewrite in the segment being
 * fed, calls whose GRE to expect or forget, and everything it refused.
 *
 * Storage is the caller's (struct pptp_tracker and the call array); the
 * tracker allocates nothing, keeps no global state and never reads outside
 * the bytes it is given.  It is not locked: callers serialise per tracker.
 *
 * Call IDs: each role (PNS, PAC) picks its own call ID for a call.  A NAT
 * in the middle may show the other side a different value; the tracker
 * keeps both, id[role] as the role itself uses it and xid[role] as the
 * other role sees it, asks the caller for xid when an ID first appears
 * (ops->map_id) and rewrites every field that carries it: the sender's own
 * ID from id to xid, the receiver's ID from xid back to id.
 */
#ifndef PPTP_NG_CORE_H
#define PPTP_NG_CORE_H

#include "wire.h"

/* Why a message is invalid.  Invalid messages change no state. */
enum pptp_invalid {
	PPTP_INV_LENGTH = 0,	/* Length field is not the type's length */
	PPTP_INV_MSG_TYPE,	/* PPTP Message Type is not 1 (control) */
	PPTP_INV_MAGIC,		/* Magic Cookie is not 0x1A2B3C4D */
	PPTP_INV_CTRL_TYPE,	/* Control Message Type is not 1..15 */
	PPTP_INV_RESERVED,	/* Reserved0 of the header is not zero */
	PPTP_INV_COUNT
};

/* Valid messages the tracker refused to act on (reported, never trusted). */
enum pptp_anomaly {
	PPTP_AN_ROLE_CONFLICT = 0, /* sender's message belongs to the other role */
	PPTP_AN_OUT_OF_STATE,	/* not allowed in the session's or call's state */
	PPTP_AN_DUP_CALL_ID,	/* a new call reuses a live call ID */
	PPTP_AN_UNKNOWN_CALL_ID, /* refers to no call the tracker knows */
	PPTP_AN_CDN_UNKNOWN_ID,	/* CDN whose call ID is neither side's */
	PPTP_AN_RESULT_RANGE,	/* result code outside the RFC's values */
	PPTP_AN_SPLIT_FIELD,	/* a field to rewrite began in a segment already passed */
	PPTP_AN_RETRANS_MISMATCH, /* retransmitted bytes differ from the first copy */
	PPTP_AN_RETRANS_STALE,	/* retransmission reaches behind the rewrite log */
	PPTP_AN_STREAM_GAP,	/* bytes were skipped (pptp_resync): framing hunted */
	PPTP_AN_DESYNC,		/* framing lost after an unusable header */
	PPTP_AN_RESERVED,	/* a Reserved field of the body is not zero (acted on) */
	PPTP_AN_COUNT
};

/* Why a new call was not tracked. */
enum pptp_refusal {
	PPTP_REFUSE_CALL_LIMIT = 0, /* the session's call table is full */
	PPTP_REFUSE_ID_EXHAUSTED,   /* ops->map_id found no free ID */
	PPTP_REFUSE_COUNT
};

/*
 * Why a segment was refused (PPTP_FEED_DROP): passing it could let a call
 * ID out untranslated, or a rewrite could not be made as the first copy's.
 */
enum pptp_drop {
	PPTP_DROP_SPLIT_ID = 0,	/* ends inside the ID fields of a call message */
	PPTP_DROP_UNTRANSLATED,	/* a new call ID of a translated sender got no translation */
	PPTP_DROP_INVALID,	/* an invalid call message from a translated sender,
				 * or any invalid message with PPTP_F_REFUSE_INVALID */
	PPTP_DROP_RETRANS,	/* retransmitted bytes cannot be rewritten like the first copy */
	PPTP_DROP_COUNT
};

enum pptp_session_state {
	PPTP_SESS_IDLE = 0,	/* nothing seen yet */
	PPTP_SESS_REQUESTED,	/* SCCRQ seen */
	PPTP_SESS_UP,		/* SCCRP accepted */
	PPTP_SESS_STOPPING,	/* StopCCRQ seen: every call is gone */
	PPTP_SESS_DOWN,		/* refused or stopped */
};

enum pptp_call_state {
	PPTP_CALL_STATE_FREE = 0,	/* unused slot */
	PPTP_CALL_STATE_OUT_REQ,	/* OCRQ seen, waiting for OCRP */
	PPTP_CALL_STATE_IN_REQ,	/* ICRQ seen, waiting for ICRP */
	PPTP_CALL_STATE_IN_REP,	/* ICRP accepted, waiting for ICCN */
	PPTP_CALL_STATE_UP,		/* established: GRE expected both ways */
	PPTP_CALL_STATE_CLEARING,	/* CCRQ seen, waiting for CDN */
};

struct pptp_call {
	u8 state;		/* enum pptp_call_state */
	u8 outgoing;		/* 1: started by OCRQ, 0: by ICRQ */
	u8 has_id[2];		/* indexed by enum pptp_role */
	u16 id[2];		/* as the role itself uses it */
	u16 xid[2];		/* as the other role sees it */
	u16 window[2];		/* packet receive window each role announced */
	u16 serial;		/* call serial number */
	u16 was_up;		/* reached PPTP_CALL_STATE_UP at some point */
};

enum pptp_event_type {
	PPTP_EV_MESSAGE = 0,	/* a valid message, before the tracker acts on it */
	PPTP_EV_INVALID,	/* reason: enum pptp_invalid */
	PPTP_EV_ANOMALY,	/* reason: enum pptp_anomaly */
	PPTP_EV_REWRITE,	/* replace bytes of the segment being fed */
	PPTP_EV_CALL_UP,	/* expect GRE for the call, both ways */
	PPTP_EV_CALL_DOWN,	/* the call is gone: drop its GRE state and mappings */
	PPTP_EV_REFUSED,	/* reason: enum pptp_refusal; the call is not tracked */
	PPTP_EV_UNMAP,		/* an ID map_id gave is unused after all (role, old) */
	PPTP_EV_SESSION,	/* session state changed to new_val */
	PPTP_EV_DROP,		/* reason: enum pptp_drop; the segment must not pass */
	PPTP_EV_CALL_ID,	/* @role named its ID in @call before it is up: its GRE half may open */
	PPTP_EV_COUNT
};

/*
 * What the tracker tells the caller.  Only the fields named for an event
 * type are meaningful; pointers are valid during the callback only.
 */
struct pptp_event {
	u8 type;		/* enum pptp_event_type */
	u8 dir;			/* direction the message travelled (0 or 1) */
	u8 role;		/* sender's role, PPTP_ROLE_UNKNOWN if not known */
	u8 reason;		/* INVALID, ANOMALY, REFUSED, DROP */
	u16 msg_type;		/* control message type, 0 if not known */
	u32 msg_seq;		/* sequence number of the message's first byte */
	const u8 *msg;		/* MESSAGE: the whole message */
	u16 msg_len;		/* MESSAGE: its length */
	const struct pptp_call *call; /* CALL_UP, CALL_DOWN, CALL_ID, REWRITE, MESSAGE (if any) */
	/*
	 * REWRITE: the 16-bit field at @field_off of the message changes from
	 * @old_val to @new_val.  @nbytes bytes of it (from byte @first of the
	 * field) lie in the segment being fed, at @seg_off: write @bytes there.
	 * UNMAP: @old_val is the ID, @new_val the mapping, @role whose.
	 * SESSION: @new_val is the new enum pptp_session_state.
	 */
	u16 field_off;
	u16 old_val;
	u16 new_val;
	u32 seg_off;
	u8 nbytes;
	u8 first;
	u8 bytes[2];
};

struct pptp_tracker;

struct pptp_ops {
	/*
	 * A new call ID @id of @role appeared in a message sent in direction
	 * @dir: store in *@xid the value the other side must see (*@xid is
	 * preset to @id: leave it to keep the ID).  Return 0, or non-zero
	 * when no ID is free (the call is then refused).  May be NULL: IDs
	 * are never translated.  An ID given here is handed back by a
	 * CALL_DOWN or an UNMAP event.
	 */
	int (*map_id)(void *ctx, const struct pptp_tracker *t, unsigned int dir, u8 role, u16 id,
		      u16 *xid);
	/* Every decision the tracker makes.  May be NULL. */
	void (*event)(void *ctx, const struct pptp_tracker *t, const struct pptp_event *ev);
	/*
	 * Event types @event does not want, PPTP_EV_BIT(type) each: the
	 * tracker does not even build them (MESSAGE costs a quarter of a
	 * message's handling).  0: every event.
	 */
	u32 quiet;
};

#define PPTP_EV_BIT(type)	(1u << (type))

/* Counters; every number the tracker keeps about itself. */
struct pptp_counters {
	u32 messages[2][PPTP_CTRL_TYPE_MAX + 1];	/* [dir][type] valid messages */
	u32 valid_messages;	/* the sum of those */
	u32 invalid[PPTP_INV_COUNT];
	u32 anomalies[PPTP_AN_COUNT];
	u32 refused[PPTP_REFUSE_COUNT];
	u32 dropped[PPTP_DROP_COUNT];	/* segments refused, by reason */
	u32 calls_opened;	/* entered the call table */
	u32 calls_up;		/* reached PPTP_CALL_STATE_UP */
	u32 calls_failed;	/* peer replied with a failure */
	u32 calls_closed;	/* left the call table, any way */
	u32 rewrites;		/* fields rewritten (retransmissions included) */
	u32 bytes[2];		/* new payload bytes fed per direction */
	u32 retransmitted[2];	/* payload bytes seen again */
	u32 future_segments[2]; /* segments fed before the bytes they follow */
};

/* Tracker behaviour. */
#define PPTP_F_MIDSTREAM	0x1	/* act on calls without having seen SCCRQ/SCCRP */
#define PPTP_F_REFUSE_INVALID	0x2	/* refuse every segment with an invalid message */

#define PPTP_DECIDE_LEN		16	/* header and call ID fields: rewrites decided by here */
#define PPTP_ID_AREA		12	/* call ID fields lie in [PPTP_ID_AREA, PPTP_DECIDE_LEN) */

/*
 * Where the call ID fields of a message of type @type end, so where the
 * tracker decides on it: 14 bytes for the messages with one ID field, 16
 * for OCRP and ICRP (two), and for messages without any.
 */
static inline u16 pptp_decide_len(u16 type)
{
	const struct pptp_msg_desc *md = pptp_msg_desc(type);

	return md && md->ids_end ? md->ids_end : PPTP_DECIDE_LEN;
}
/*
 * How far back a retransmission may start.  TCP windows are at most 1 GiB
 * (RFC 7323); comparing sequence numbers further apart could wrap.
 */
#define PPTP_RETRANS_WINDOW	(1u << 30)
/*
 * Rewrites remembered per direction for retransmissions.  A retransmission
 * that reaches further back than the oldest remembered rewrite is passed
 * as is and reported (PPTP_AN_RETRANS_STALE): TCP retransmits from the
 * oldest unacknowledged byte, so 16 rewritten fields (8 call messages in
 * flight) is far more than a control connection keeps unacknowledged.
 */
#define PPTP_REWRITE_LOG	16

struct pptp_rewrite_log {
	u32 seq;		/* sequence number of the field's first byte */
	u16 old_val;		/* old_val == new_val: unused entry */
	u16 new_val;
	u16 msg_type;
	u16 field_off;
};

/*
 * What the tracker decided at PPTP_DECIDE_LEN bytes, carried to the
 * message's end where it is acted on.
 */
struct pptp_decision {
	u8 ignore;		/* do not act on the message */
	u8 anomaly;		/* enum pptp_anomaly + 1 to report, 0 none */
	u8 refused;		/* enum pptp_refusal + 1 to report, 0 none */
	u8 mapped;		/* map_id gave an ID for this message */
	u8 map_role;		/* whose ID */
	u16 map_id;
	u16 map_xid;
	u16 cdn_id;		/* CDN: its Call ID as it came (the segment's may be rewritten) */
	u8 cdn_named;		/* CDN: it names a call read as the PAC's ID (1), the PNS's (2) */
	u8 looked_up;		/* the message's call was looked up... */
	u16 call_idx;		/* ...and is calls[call_idx], or none (max_calls) */
	u32 table_gen;		/* ...while the table was at this generation */
};

struct pptp_stream {
	u32 next_seq;		/* first byte not yet fed */
	u8 seq_known;
	u8 hunting;		/* framing lost: looking for a header */
	u16 have;		/* bytes of the current message in buf */
	u16 need;		/* its length once the header is read, else 0 */
	u8 invalid;		/* current message already judged invalid */
	u8 log_next;
	u8 log_evicted;		/* a rewrite has left the log... */
	u32 log_floor;		/* ...and this byte ends the newest one that did */
	u8 buf[PPTP_MSG_MAX_LEN];
	const u8 *inplace;	/* the message in the segment being fed, when not in buf */
	/* While need != 0: pptp_msg_desc() of the message in buf (NULL: unknown type). */
	const struct pptp_msg_desc *md;
	struct pptp_decision dec;
	struct pptp_rewrite_log log[PPTP_REWRITE_LOG];
};

struct pptp_tracker {
	const struct pptp_ops *ops;
	void *ctx;
	u32 wanted;		/* PPTP_EV_BIT()s of the events ops->event takes */
	struct pptp_call *calls;	/* caller's array of max_calls */
	u16 max_calls;
	u16 live_calls;
	u32 flags;
	u8 role[2];		/* role of each direction's sender */
	u8 session;		/* enum pptp_session_state */
	u8 requester;		/* direction that sent SCCRQ */
	u8 cdn_role;		/* whose ID this PAC puts in CDN, once seen unambiguously */
	u8 translated[2];	/* the sender in each direction is behind NAT (see pptp_set_translated) */
	u8 drop;		/* the segment being fed is refused: enum pptp_drop + 1 */
	u32 table_gen;		/* changes whenever the call table or cdn_role may have */
	struct pptp_stream dir[2];
	struct pptp_counters cnt;
	u32 seg_seq;		/* the segment being fed, for REWRITE offsets */
	u32 seg_len;
	u32 seg_new;		/* its first byte not fed before */
	u8 *seg_out;		/* pptp_feed_in_place(): rewrites are written here */
	u32 drop_seq;		/* where the refused message starts */
	u16 split_fixed;	/* split-call-id: bytes of its ID fields that may pass */
	u32 pass_len;		/* see pptp_pass_len() */
};

struct pptp_tracker_config {
	const struct pptp_ops *ops;
	void *ctx;
	struct pptp_call *calls;	/* max_calls entries, zeroed by init */
	u16 max_calls;
	u32 flags;			/* PPTP_F_* */
};

void pptp_tracker_init(struct pptp_tracker *t, const struct pptp_tracker_config *cfg);

enum pptp_feed_verdict {
	PPTP_FEED_OK = 0,	/* new bytes parsed and/or retransmitted bytes rewritten */
	PPTP_FEED_FUTURE,	/* starts after a gap: nothing done; feed the gap first,
				 * hold or drop this segment, or pptp_resync() */
	PPTP_FEED_DROP,		/* must not pass whole (PPTP_EV_DROP says why): the
				 * tracker took only its first pptp_pass_len() bytes,
				 * so TCP's retransmission is judged afresh */
};

/*
 * Feed @len payload bytes that travelled in direction @dir (0 or 1),
 * starting at TCP sequence number @seq.  The first call per direction
 * sets where the stream starts.  Bytes already fed are not parsed again,
 * but rewrites made on them are reported again so a retransmitted segment
 * is changed exactly like the first copy (within PPTP_REWRITE_LOG; a
 * field that lies partly in bytes fed before is not rewritten and is
 * reported as PPTP_AN_SPLIT_FIELD).  Events for this segment are
 * delivered before pptp_feed returns; REWRITE offsets are relative to
 * @data.
 */
enum pptp_feed_verdict pptp_feed(struct pptp_tracker *t, unsigned int dir, u32 seq,
				 const u8 *data, u32 len);

/*
 * pptp_feed() for a caller that sends on the very bytes it feeds (the
 * module: the skb's writable payload): the tracker writes each rewrite
 * into @data itself, where a REWRITE event would have told the caller to,
 * and cnt.rewrites counts them.  REWRITE events are still delivered to a
 * caller that does not quiet them, which must then not write them again.
 * A caller that feeds a copy (pptp-ngd joins held segments) or writes
 * elsewhere uses pptp_feed() and the events.
 */
enum pptp_feed_verdict pptp_feed_in_place(struct pptp_tracker *t, unsigned int dir, u32 seq,
					  u8 *data, u32 len);

/*
 * Whether the sender in @dir is behind NAT: its own call IDs are
 * translated (ops->map_id), and a segment that would let one of them out
 * untranslated is refused (PPTP_FEED_DROP) rather than passed.  With
 * either direction translated, a segment that ends inside the ID fields
 * of a call message is refused too: TCP's retransmission usually merges
 * it with what follows, and the fields are then rewritten whole.
 */
void pptp_set_translated(struct pptp_tracker *t, unsigned int dir, int on);

/* The next sequence number expected in @dir; 0 when none is known yet. */
static inline int pptp_next_seq(const struct pptp_tracker *t, unsigned int dir, u32 *seq)
{
	*seq = t->dir[dir & 1].next_seq;
	return t->dir[dir & 1].seq_known;
}

/*
 * After PPTP_FEED_DROP: how many bytes at the start of the refused segment
 * the tracker took (with their REWRITE events applied they may pass, so a
 * face that can cut the segment there lets the receiver acknowledge them);
 * 0 when it must be dropped whole.
 */
static inline u32 pptp_pass_len(const struct pptp_tracker *t)
{
	return t->pass_len;
}

/* Give up on the bytes before @seq in @dir: drop any partial message and hunt for the next header. */
void pptp_resync(struct pptp_tracker *t, unsigned int dir, u32 seq);

/* End of the control connection: every live call goes down (CALL_DOWN each). */
void pptp_tracker_close(struct pptp_tracker *t);

/*
 * Take over a call that came up before this tracker existed (a restarted
 * daemon rebuilding its state from the kernel's GRE mappings): @pns_dir is
 * the direction the call's PNS sends in, @call an established call with
 * both roles' id and xid.  Sets the roles and takes the session as up.
 * Returns the tracker's copy, or NULL (not up, an ID already live, the
 * roles contradict what the tracker knows, or the table is full).  No
 * event is reported; the call goes down like any other (CALL_DOWN).
 */
struct pptp_call *pptp_adopt_call(struct pptp_tracker *t, unsigned int pns_dir,
				  const struct pptp_call *call);

/* A live call by the ID @role uses itself (id) or as the other side sees it (xid). */
struct pptp_call *pptp_find_by_id(const struct pptp_tracker *t, u8 role, u16 id);
struct pptp_call *pptp_find_by_xid(const struct pptp_tracker *t, u8 role, u16 xid);

/* Names for people and JSON; "?" when out of range. */
const char *pptp_invalid_name(unsigned int reason);
const char *pptp_anomaly_name(unsigned int reason);
const char *pptp_refusal_name(unsigned int reason);
const char *pptp_drop_name(unsigned int reason);
const char *pptp_event_name(unsigned int type);
const char *pptp_role_name(unsigned int role);
const char *pptp_session_name(unsigned int state);
const char *pptp_call_state_name(unsigned int state);

#endif /* PPTP_NG_CORE_H */
