/* SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause */
/*
 * pptp-sim: a PPTP peer (PNS or PAC) for tests and benchmarks.
 *
 * One process, one epoll loop, no threads.  A process plays one role and
 * either listens for control connections or opens them.  Every call it
 * takes part in exchanges GRE with its peer through raw sockets, and every
 * GRE packet it receives is checked: it must carry in its key the call ID
 * this process allocated for the call, and come from the address of the
 * call's control-connection peer.
 *
 * Finding the call a GRE packet belongs to must not depend on the key (that
 * is what is checked) nor on call IDs at all (a NAT may translate them), so
 * each payload carries a marker: the receiver's session token, which the
 * receiver announced in the Host Name of its SCCRQ/SCCRP, and the call's
 * Call Serial Number, which nothing in the path rewrites.
 *
 * Files: main.c (options, loop, timers), ctrl.c (control connections:
 * sockets, framing, delivery modes), proto.c (the PPTP state machines),
 * gre.c (raw sockets and verification), report.c (summary and verdict).
 */
#ifndef PPTP_SIM_H
#define PPTP_SIM_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <pptp_ng/core.h>	/* wire format, and names for people */

#define SIM_RX_BUF		2048
#define SIM_MSG_LIMIT		1024	/* a Length beyond this ends the connection */
#define SIM_GRE_MAGIC		0x50534d31u	/* "PSM1" */
#define SIM_MARKER_LEN		16
#define SIM_PPP_HDR_LEN		4
#define SIM_FLOOD_PHONE		"pptp-sim-flood"
#define SIM_HOST_PREFIX		"pptp-sim/"

enum sim_hostile {
	SIM_HOSTILE_NONE = 0,
	SIM_HOSTILE_BAD_COOKIE,		/* an ECHORQ with a wrong Magic Cookie */
	SIM_HOSTILE_BAD_LENGTH,		/* an ECHORQ whose Length is 20, 20 bytes sent */
	SIM_HOSTILE_UNKNOWN_TYPE,	/* a 16-byte message of control type 99 */
	SIM_HOSTILE_MGMT_TYPE,		/* PPTP Message Type 2 (management) */
	SIM_HOSTILE_OCRQ_FLOOD,		/* --flood extra OCRQs in one burst (PNS) */
};

struct sim_opts {
	u8 role;			/* enum pptp_role */
	bool listen;
	struct sockaddr_storage addr;	/* --listen or --connect */
	socklen_t addr_len;
	struct sockaddr_storage bind;	/* --bind */
	socklen_t bind_len;
	unsigned int sessions;		/* connections to open */
	unsigned int interval_ms;	/* connector: between two connects, 0 all at once */
	unsigned int gre_interval_ms;	/* between a call's GRE packets, 0 at once */
	unsigned int gre_pause_s;	/* silence within a call's packets, 0 none */
	unsigned int gre_pauses;	/* how many (1: after half of them) */
	unsigned int calls;		/* calls per session */
	bool calls_given;
	bool incoming;			/* ICRQ calls instead of OCRQ */
	unsigned int packets;		/* GRE packets per call per direction */
	unsigned int call_id_base;
	unsigned int expect_sessions;	/* listener: exit after serving these */
	unsigned int duration_ms;	/* listener: planned end, 0 none */
	unsigned int timeout_ms;	/* hard limit: failure when reached */
	bool coalesce;
	unsigned int split;		/* 0: off, else split offset */
	unsigned int split_pause_ms;
	bool echo;
	bool extras;
	enum sim_hostile hostile;
	unsigned int flood;
	bool allow_invalid;
	bool cdn_peer_id;		/* CDN carries the PNS's ID, like real PACs; both sides */
	bool hold;			/* connector: stop with every call up, then clear */
	bool gre_after_peer;		/* answering side: GRE once the peer's arrived */
	bool json;
	int verbose;
	const char *ppp_script;		/* --ppp-script: PPP frames instead of marked packets */
};

enum sess_state {
	SESS_CONNECTING = 0,	/* connect() in progress */
	SESS_WAIT_SCCRQ,	/* accepted, waiting for the peer's SCCRQ */
	SESS_WAIT_SCCRP,	/* SCCRQ sent */
	SESS_UP,
	SESS_STOPPING,		/* StopCCRQ sent */
	SESS_STOPPED,		/* StopCCRQ answered or StopCCRP received */
	SESS_CLOSED,
};

struct session {
	unsigned int idx;
	int fd;
	u8 state;			/* enum sess_state */
	bool connector;			/* this side opened the connection */
	bool was_up;
	bool stopped;			/* ended with StopCCRQ/StopCCRP */
	bool failed;			/* ended any other way */
	bool peer_closed;		/* the peer closed the connection first */
	bool clearing;			/* calls are being cleared */
	u64 t_stop;			/* when StopCCRQ was sent (ms), 0 not yet */
	bool want_out;			/* EPOLLOUT armed */
	struct sockaddr_storage peer;	/* getpeername, v4-mapped made AF_INET */
	struct sockaddr_storage local;
	u32 token;			/* ours, in our Host Name */
	u32 peer_token;			/* the peer's, put in GRE markers to it */
	u32 echo_ident;
	bool echo_sent, echo_ok;
	/* receive side */
	u8 rx[SIM_RX_BUF];
	unsigned int rx_len;
	/* transmit side: bytes not yet sent, with split points */
	u8 *tx;
	size_t tx_len, tx_off, tx_size;
	size_t *breaks;			/* offsets in tx where a pause goes */
	unsigned int n_breaks, breaks_size;
	u64 resume_at;			/* paused until then (ms), 0 none */
	/* calls */
	unsigned int n_calls;		/* real calls (not flood) */
	unsigned int n_done;		/* up, GRE complete both ways, extras in */
	unsigned int n_cleared;
	unsigned int n_at_pause;	/* --gre-pause: calls holding at the next pause */
	unsigned int pauses_done;	/* --gre-pause: pauses every call reached */
	unsigned int flood_sent, flood_answered;
};

enum call_state {
	CALL_REQ = 0,		/* OCRQ/ICRQ sent */
	CALL_WAIT_ICCN,		/* ICRP sent */
	CALL_UP,
	CALL_CLEARING,		/* CCRQ sent */
	CALL_CLEARED,
	CALL_FAILED,
};

struct call {
	unsigned int idx;
	unsigned int sess;
	u8 state;		/* enum call_state */
	bool originator;	/* this side sent OCRQ/ICRQ */
	bool flood;		/* hostile extra call: no GRE, no verdict */
	bool was_up;
	bool done;
	bool extra_rx;		/* SLI/WEN from the peer arrived */
	bool queued;		/* in the GRE transmit queue */
	unsigned int pauses;	/* --gre-pause: pauses reached (waits for its session) */
	bool ack_pending;	/* send an ack-only packet */
	bool peer_acked;
	u16 own_id;		/* allocated by this process */
	u16 peer_id;		/* as the peer announced it to us */
	u16 serial;
	u64 t_req, t_up;	/* ms */
	u32 tx_next;		/* next GRE sequence number */
	u32 rx;			/* verified GRE packets received */
	u32 rx_max_seq;
	bool rx_any;
	u32 peer_ack;
	u32 wrong_id;		/* marker says this call, key says another */
	u32 wrong_src;		/* marker says this call, source is not the peer */
	u32 dup;		/* more packets than sent */
	unsigned int script_pos;	/* --ppp-script: the next line to send or receive */
	u32 script_bad;		/* frames that were not the script's next line */
};

struct sim_stats {
	u64 gre_sent, acks_sent, gre_rx, acks_rx;
	u64 gre_unknown;	/* our marker, but no such session/call; bad ack keys */
	u64 gre_foreign;	/* not ours: another process's, or not PPTP */
	u64 gre_bad;		/* GRE v1 that does not parse */
	u64 gre_tx_err;		/* sends the kernel refused */
	u64 ctrl_tx, ctrl_rx;
	u64 ctrl_invalid;	/* malformed control messages received */
	u64 ctrl_unexpected;	/* wrong role or wrong state */
	u64 ctrl_bad_id;	/* refers to a call we do not have */
	u64 ctrl_refused;	/* the peer answered with a failure */
	u64 sessions_opened, sessions_accepted;
	u64 t_first_req, t_last_up;
};

struct sim {
	struct sim_opts o;
	int ep;
	int listen_fd;
	int raw4, raw6;
	u16 nonce;			/* upper half of our session tokens */
	struct session **sess;
	unsigned int n_sess, sess_size;
	unsigned int live_sess;
	unsigned int stopped_open;	/* live sessions past StopCCRQ/StopCCRP */
	u64 last_stop_ms;		/* when the last of them stopped */
	unsigned int n_paused;		/* sessions with resume_at set */
	int sig_fd;			/* signalfd of SIGUSR1 (--gre-pause) */
	struct call **calls;
	unsigned int n_calls, calls_size;
	u32 own_map[65536];		/* own call ID -> call idx + 1 */
	unsigned int next_id_off;	/* IDs handed out so far */
	u16 next_serial;
	u64 t_start;
	struct sim_stats st;
	bool stop;			/* leave the loop */
	bool timed_out;
};

extern struct sim *sim;

/* epoll tags: kind in the upper 32 bits, index in the lower. */
enum { EP_LISTEN = 1, EP_RAW4, EP_RAW6, EP_SESS, EP_SIGNAL };

/* main.c */
u64 now_ms(void);
void logv(int level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void *sim_grow(void *p, unsigned int *size, unsigned int need, size_t elem);
void ep_set(int fd, u32 kind, u32 idx, u32 events, bool add);
const char *addr_str(const struct sockaddr_storage *ss, char *buf, size_t len);

/* ctrl.c */
int ctrl_listen(void);
int ctrl_connect_all(void);
int ctrl_connect_due(u64 now);	/* --interval: ms until the next connect, -1 none left */
void ctrl_accept(void);
void ctrl_event(struct session *s, u32 events);
void ctrl_queue(struct session *s, const u8 *msg, u16 len);
void ctrl_flush(struct session *s);
void ctrl_close(struct session *s, bool failed);
void ctrl_resume_due(u64 now);
int ctrl_next_timer(u64 now);

/* proto.c */
void proto_start(struct session *s);
void proto_handle(struct session *s, const u8 *msg, u16 len);
void proto_call_progress(struct call *c);
void proto_session_closed(struct session *s);

/* gre.c */
int gre_open(void);
void gre_rx(int fd, int family);
void gre_call_up(struct call *c);
void gre_tx_run(void);
int gre_tx_timer(void);	/* ms until the transmit queue wants to run, -1 idle */
void gre_pause_end(void);	/* SIGUSR1: the --gre-pause under way ends now */
int gre_send_frame(struct call *c, const u8 *frame, u16 len);

/* script.c */
int script_load(const char *path);
bool script_active(void);
bool script_done(const struct call *c);
void script_call_up(struct call *c);
void script_rx(struct call *c, const struct pptp_gre *g, const u8 *pl);
void hash_put(u64 key, u32 idx);
struct call *hash_get(u64 key);
#define KEY_SERIAL(sess, v)	((1ull << 40) | ((u64)(sess) << 16) | (v))
#define KEY_PEER_ID(sess, v)	((2ull << 40) | ((u64)(sess) << 16) | (v))

/* report.c */
int report(void);

/* rtt.c: request -> reply round trips */
u64 now_us(void);
void rtt_sent(const struct session *s, u16 type);
void rtt_received(const struct session *s, u16 type);
void rtt_json(FILE *f);
void rtt_text(FILE *f);

static inline struct session *call_sess(const struct call *c)
{
	return sim->sess[c->sess];
}

#endif /* PPTP_SIM_H */
