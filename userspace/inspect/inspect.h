/* SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause */
/*
 * pptp-ng inspector: what a capture holds, decoded through the shared core.
 *
 * capture.c reads pcap files and peels link and IP layers; session.c keeps
 * one core tracker per PPTP control connection and feeds it the TCP
 * streams; gre.c attributes GRE packets to calls; ppp.c decodes the PPP
 * they carry; json.c and tree.c print the result; explain.c replays the
 * control connections as the NAT helper would.
 */
#ifndef PPTP_NG_INSPECT_H
#define PPTP_NG_INSPECT_H

#include <stdio.h>
#include <stdint.h>
#include <pptp_ng/core.h>

#define INSP_MAX_CALLS		1024	/* call table per control connection */
#define INSP_HASH_SIZE		8192	/* buckets of the session indexes, a power of 2 */
/*
 * What control connections and orphan GRE may take, all together (pcap
 * --max-memory): a connection that would go over it is not decoded, and
 * listed.  Held out-of-order data has its own budget (--max-held).
 */
#define INSP_MEM_BUDGET		(32ull << 20)
#define INSP_NOT_DECODED_LIST	32	/* connections not decoded, listed */
#define INSP_NOT_DECODED_BITS	(1u << 20)	/* their 4-tuples, by hash, counted once */
#define INSP_HOLD_SEGS		64	/* out-of-order segments held per direction */
#define INSP_HOLD_BYTES		(256 * 1024)
#define INSP_HOLD_BUDGET	(64ull << 20)	/* held by all connections: pcap --max-held */
#define INSP_LOG_MAX		4096	/* control messages listed per session */
#define INSP_EVENTS_MAX		1024	/* anomalies listed per session */

struct insp_addr {
	u8 family;			/* 4 or 6 */
	u8 a[16];
};

/* One decoded packet, as capture.c hands it on. */
struct insp_pkt {
	u64 frame;			/* 1-based, in its file */
	double ts;
	struct insp_addr src, dst;
	u8 proto;			/* IP protocol of the innermost header */
	const u8 *l4;
	u32 l4_len;			/* up to the IP length, within the capture */
	u32 l4_wire_len;		/* as the IP header says */
};

/* ---- PPP (ppp.c) ---- */
#define INSP_PPP_CODES		16	/* LCP and CCP codes counted one by one */
enum insp_auth {
	INSP_AUTH_NONE = 0,
	INSP_AUTH_PAP,
	INSP_AUTH_CHAP_MD5,
	INSP_AUTH_MSCHAP,
	INSP_AUTH_MSCHAPV2,
	INSP_AUTH_CHAP_OTHER,
	INSP_AUTH_EAP,
};

struct insp_ppp_dir {
	u32 frames;
	u32 acfc;			/* address/control omitted */
	u32 pfc;			/* protocol field compressed to one byte */
	u32 malformed;
	u32 lcp, pap, chap, eap, ccp, ipcp, ipv6cp, ip, ipv6, mppe, other;
	/*
	 * By code: every code defined for LCP (0 Vendor-Specific to 13
	 * Time-Remaining) and CCP (14, 15 Reset) fits; higher ones are
	 * counted in [INSP_PPP_CODES].  Small: a capture has many calls.
	 */
	u32 lcp_codes[INSP_PPP_CODES + 1];
	u32 ccp_codes[INSP_PPP_CODES + 1];
	u32 mppe_flushed;
	u32 mppe_encrypted;
	u32 mppe_compressed;
	u32 mppe_cc_gaps;		/* coherency count jumps */
	u16 mppe_cc_last;
	u8 mppe_cc_known;
	u8 mppe_offered;		/* a CCP Configure-Request carried MPPE */
	u32 mppe_bits;			/* its option value */
	u32 plain_ip_after_auth;
};

/* One step of LCP's auth or CCP's MPPE negotiation (ppp.c). */
struct insp_neg {
	u8 ccp;				/* 0: LCP Authentication-Protocol, 1: CCP MPPE */
	u8 code;			/* Configure-Request 1, -Ack 2, -Nak 3, -Reject 4 */
	u8 from;			/* the sender's role, PPTP_ROLE_UNKNOWN for orphans */
	u8 auth;			/* LCP: enum insp_auth */
	u32 bits;			/* CCP: the MPPE option */
};

#define INSP_NEG_MAX		12	/* steps kept per call; retransmissions once */

struct insp_ppp_call {
	struct insp_neg neg[INSP_NEG_MAX];
	u8 n_neg;
	u16 neg_dropped;
	char chap_name[33];		/* CHAP Response's Name, cut to 32 */
	u8 auth;			/* enum insp_auth, from LCP */
	u8 auth_seen;			/* an authentication packet was seen */
	u8 auth_ok;			/* PAP Ack or CHAP Success seen */
	u8 auth_failed;
	u8 mppe_acked;			/* a CCP Configure-Ack carried MPPE */
	u32 mppe_bits;			/* what was acked (or last offered) */
};

/* ---- GRE (gre.c) ---- */
struct insp_gre_dir {
	u16 key;			/* call ID in the key: the receiver's */
	u32 packets;
	u64 bytes;			/* PPP payload bytes */
	u32 data;			/* packets with a sequence number */
	u32 ack_only;
	u32 acks;
	u8 seq_known, ack_known;
	u32 seq_first, seq_max, ack_max;
	u32 lost;			/* sequence numbers skipped (and never seen) */
	u32 reordered;
	u32 duplicates;
	u64 seen_bits;			/* seq_max and the 63 before it */
	u32 max_outstanding;		/* my sequence numbers the peer had not acked */
	u32 window;			/* the receiver's announced window, 0 unknown */
	u32 window_exceeded;		/* packets sent beyond it */
	u32 truncated;			/* captured shorter than the key's length */
	struct insp_ppp_dir ppp;
};

/* ---- calls and sessions (session.c) ---- */
enum insp_end {
	INSP_END_NONE = 0,		/* still up when the capture ended */
	INSP_END_CDN,
	INSP_END_FAILED,		/* the reply said no */
	INSP_END_STOP,			/* StopCCRQ/StopCCRP */
	INSP_END_TCP,			/* the control connection closed */
	INSP_END_OTHER,
};

struct insp_call {
	struct pptp_call c;		/* last state the core had */
	u8 live;
	u8 end;				/* enum insp_end */
	u8 cleared;			/* CCRQ seen */
	u8 cdn_without_ccrq;
	u64 first_frame, end_frame;
	double first_ts, end_ts;
	u32 gre_outside;		/* GRE seen while the call was not live */
	int16_t reply_result, reply_error;	/* OCRP or ICRP, -1: not seen */
	int16_t cdn_result, cdn_error;	/* -1: not seen */
	u16 cdn_cause;
	u8 outgoing_known;		/* c.outgoing was seen (OCRQ/ICRQ, OCRP/ICRP) */
	u8 before_capture;		/* set up before the capture started: rebuilt (prior.c) */
	u8 adopted;			/* ...and handed to the core */
	/* GRE by the sender's role: [PPTP_PNS] travels PNS -> PAC. */
	struct insp_gre_dir gre[2];
	struct insp_ppp_call ppp;
};

struct insp_held {
	u32 seq, len;
	u8 *data;
};

struct insp_tcp_dir {
	u32 segments, payload_segments;
	u64 payload_bytes;
	u32 retransmitted;		/* segments carrying only bytes seen before */
	u32 overlapping;		/* some old bytes, some new */
	u32 out_of_order;		/* held for a gap to fill */
	u32 after_close;		/* payload after RST or FIN both ways */
	u32 gaps;
	u64 gap_bytes;
	u8 syn, fin, rst;
	u32 isn;
	struct insp_held *held;		/* INSP_HOLD_SEGS, once the direction first holds */
	u32 n_held, held_bytes;
	u32 budget_gaps;		/* gaps given up for the total budget (in gaps) */
	u64 budget_bytes;		/* bytes after them decoded without waiting */
	/* Directions holding data, oldest wait first (insp_capture). */
	struct insp_session *owner;
	struct insp_tcp_dir *hold_prev, *hold_next;
};

struct insp_msg {
	u64 frame;
	double ts;
	u8 dir;
	u8 role;
	u16 type;
	u32 own_id, peer_id;		/* UINT32_MAX: no such field */
	int result;			/* -1: none */
};

struct insp_event {
	u64 frame;
	u8 dir;
	u8 kind;			/* enum pptp_event_type or INSP_EV_* */
	u8 reason;
	u16 msg_type;
	u32 value;
};

#define INSP_EV_CDN_NO_CCRQ	(PPTP_EV_COUNT + 0)
#define INSP_EV_TCP_GAP		(PPTP_EV_COUNT + 1)
#define INSP_EV_HOLD_BUDGET	(PPTP_EV_COUNT + 2)	/* a gap given up early */

/* What a side said of itself in SCCRQ or SCCRP. */
struct insp_peer {
	u8 seen;			/* 0, PPTP_SCCRQ or PPTP_SCCRP */
	int16_t result, error;		/* SCCRP's, -1 for SCCRQ */
	u16 version, firmware;
	u32 framing, bearer;
	u16 max_channels;
	char host[65], vendor[65];	/* NUL-terminated copies of the 64-byte fields */
};

/* How far explain follows an inbound stream to put translated IDs back. */
enum insp_inbound_state {
	INBOUND_NOT_STARTED,
	INBOUND_FOLLOWING,
	INBOUND_LOST,		/* a gap or lost framing: no more */
};

struct insp_session {
	struct insp_addr addr[2];	/* addr[d]: the sender of direction d */
	u16 port[2];
	struct insp_peer peer[2];	/* by direction */
	int16_t stop_reason, stop_result;	/* StopCCRQ's reason, StopCCRP's result; -1 */
	/* Captured from the middle (no SYN): calls may predate it (prior.c). */
	u8 late;
	u8 settle;			/* rebuilt calls to complete */
	u8 role_hint[2];		/* roles messages showed while the core had none */
	struct insp_pending {		/* the message the core is acting on */
		u8 valid, sender;
		u8 has_own, has_peer;
		u16 type, own, peer;
		u8 result, error;
		u16 cause;
	} pending;
	u32 before_capture[PPTP_AN_COUNT];	/* anomalies only the late start caused */
	double first_ts, last_ts;
	u64 first_frame;
	u8 closed;			/* RST or FIN both ways: tracker closed */
	struct pptp_tracker t;
	/*
	 * The core's call table and the record index per slot (-1: none),
	 * t.max_calls each; freed when the connection closes with nothing
	 * held, as a closed tracker has no calls left.
	 */
	struct pptp_call *calls_slots;
	int *slot_rec;
	struct insp_session *tuple_next;	/* same 4-tuple hash, older */
	struct insp_session *pair_next;		/* same address pair hash, older */
	struct insp_call *calls;
	u32 n_calls, cap_calls;
	struct insp_tcp_dir tcp[2];
	struct insp_msg *log;
	u32 n_log, cap_log, log_dropped;
	struct insp_event *events;
	u32 n_events, cap_events, events_dropped;
	u32 cdn_no_call;
	struct insp_capture *cap;	/* for the event callback */
	u8 ending;			/* enum insp_end for CALL_DOWN during close */
	struct insp_inbound {		/* explain: framing of inbound messages */
		u32 next;
		u8 state;		/* enum insp_inbound_state */
		u16 pos, len;
		u8 head[PPTP_DECIDE_LEN];
	} inbound[2];
};

struct insp_orphan {
	struct insp_addr src, dst;
	struct insp_gre_dir gre;
	struct insp_ppp_call ppp;
	u64 first_frame;
	double first_ts;
	int pair;			/* the orphan going the other way, -1: none */
};

/* progress.c: the line on a terminal while a large capture is read */
struct insp_progress {
	FILE *f;			/* NULL: off */
	u64 total;			/* bytes; 0: not a regular file */
	double next;			/* monotonic time of the next line */
	int shown;
};

/*
 * What replaying a capture through the helper's logic adds to reading it
 * (explain.c sets these): the capture reader calls them and knows nothing
 * more of the replay, whose state is cap->replay_ctx.
 */
struct insp_replay_hooks {
	/* The segment the core is to be fed instead of @data (inbound IDs translated again). */
	const u8 *(*feed_begin)(struct insp_capture *cap, struct insp_session *s,
				unsigned int dir, u32 seq, const u8 *data, u32 len);
	/* Every core event of @s, before the reader's own handling. */
	void (*event)(struct insp_capture *cap, struct insp_session *s, const struct pptp_event *ev);
	/* The core's map_id: the ID a NAT would show the peer. */
	int (*map_id)(struct insp_capture *cap, struct insp_session *s, unsigned int dir, u8 role,
		      u16 id, u16 *xid);
};

struct insp_capture {
	const char *file;
	char *error;			/* why it was not read (whole), or NULL */
	int linktype;
	const char *linkname;
	u64 frame;			/* current frame */
	double ts;
	u64 packets, undecoded, truncated, fragments, non_pptp_tcp, other_ip;
	u64 gre_v0, gre_v1;
	u32 gre_bad[PPTP_GRE_STATUS_COUNT];
	struct insp_session **sessions;
	u32 n_sessions, cap_sessions, sessions_dropped;
	/* Memory the decoding takes, against max_mem (0: INSP_MEM_BUDGET). */
	u64 mem, max_mem, mem_peak;
	u64 tcp_not_decoded;		/* packets of connections not decoded */
	u8 *not_decoded_seen;		/* INSP_NOT_DECODED_BITS: 4-tuples counted */
	struct insp_tuple {
		struct insp_addr addr[2];
		u16 port[2];
		u64 first_frame;
	} not_decoded[INSP_NOT_DECODED_LIST];
	u32 n_not_decoded;
	/* Newest first: sessions by 4-tuple, and by address pair for GRE. */
	struct insp_session **by_tuple, **by_pair;
	struct insp_orphan *orphans;
	u32 n_orphans, cap_orphans, orphans_dropped;
	u16 max_calls;			/* 0: INSP_MAX_CALLS */
	/*
	 * Out-of-order data held, all connections together (session.c): at
	 * most max_held bytes, else the oldest wait is given up.
	 */
	u8 audit;			/* pcap --audit */
	u8 max_held_set;		/* 0: INSP_HOLD_BUDGET */
	u64 max_held;
	u64 held_bytes, held_peak;
	u64 budget_gaps, budget_bytes;	/* as in struct insp_tcp_dir, summed */
	u32 budget_sessions;		/* connections that gave a gap up for it */
	struct insp_tcp_dir *hold_oldest, *hold_newest;
	/* a replay through the helper's logic (explain): NULL when decoding */
	const struct insp_replay_hooks *replay;
	void *replay_ctx;
	struct insp_progress progress;
};

/* capture.c */
int insp_read_file(struct insp_capture *cap, const char *file, char *err, size_t errlen);
void insp_link_packet(struct insp_capture *cap, const u8 *p, u32 len);
struct pcap;
int insp_read_pcap(struct insp_capture *cap, struct pcap *pc, char *err, size_t errlen);

/* pcapng.c */
int insp_read_pcapng(struct insp_capture *cap, const char *file, char *err, size_t errlen);
int insp_read_pcapng_fp(struct insp_capture *cap, FILE *f, char *err, size_t errlen);
void insp_capture_free(struct insp_capture *cap);
int insp_addr_eq(const struct insp_addr *a, const struct insp_addr *b);
const char *insp_addr_str(const struct insp_addr *a, char *buf, size_t len);

/* progress.c */
void insp_progress_init(void);
void insp_progress_begin(struct insp_capture *cap, FILE *f);
void insp_progress_tick(struct insp_capture *cap);
void insp_progress_end(struct insp_capture *cap);

/* session.c */
u64 insp_hold_budget(const struct insp_capture *cap);
u64 insp_mem_budget(const struct insp_capture *cap);
void *insp_sess_grow(struct insp_session *s, void *p, u32 *cap, u32 need, size_t size);
void insp_tcp_packet(struct insp_capture *cap, const struct insp_pkt *p);
void insp_capture_end(struct insp_capture *cap);
struct insp_session *insp_pair_first(const struct insp_capture *cap,
				     const struct insp_addr *a, const struct insp_addr *b);
struct insp_call *insp_session_call(struct insp_session *s, const struct pptp_call *c);
const char *insp_end_name(unsigned int end);

/* prior.c */
u8 insp_role(const struct insp_session *s, unsigned int dir);
void insp_prior_message(struct insp_session *s, const struct pptp_event *ev);
int insp_prior_anomaly(struct insp_session *s, const struct pptp_event *ev);
void insp_prior_settle(struct insp_session *s);
void insp_prior_end(struct insp_capture *cap);
int insp_gre_pair(const struct insp_gre_dir *a, const struct insp_gre_dir *b);

/* gre.c */
void insp_gre_packet(struct insp_capture *cap, const struct insp_pkt *p);
void insp_gre_account(struct insp_gre_dir *g, const struct insp_gre_dir *rev,
		      const struct pptp_gre *h);
void *insp_grow(void *p, u32 *cap, u32 need, size_t size);

/* ppp.c */
void insp_ppp_frame(struct insp_ppp_dir *d, struct insp_ppp_call *c, u8 from, const u8 *p,
		    u32 len);
const char *insp_auth_name(unsigned int auth);

/* json.c, tree.c */
void insp_json(FILE *f, struct insp_capture **caps, int n);
void insp_tree(FILE *f, struct insp_capture **caps, int n);

/* explain.c */
int insp_explain_main(int argc, char **argv);

#endif /* PPTP_NG_INSPECT_H */
