/* SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause */
/*
 * pptp-ngd: the userspace PPTP helper.  The shared core (include/pptp_ng/)
 * follows each control connection; this daemon only moves packets to it,
 * applies what it decides and keeps the GRE data path (nf_tables maps in
 * the table "pptp_ngd") in step with the calls.
 */
#ifndef PPTP_NGD_H
#define PPTP_NGD_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <netinet/in.h>

#include "pptp_ng/core.h"

#define NGD_TABLE		"pptp_ngd"
#define NGD_CTL_CHAIN		"control"
/* where make install puts the rulesets: DATADIR, from PREFIX at build time */
#ifndef NGD_DATADIR
#define NGD_DATADIR		"/usr/share/pptp-ng"
#endif
#define NGD_DEFAULT_RULESET	NGD_DATADIR "/pptp-ngd-nfqueue.nft"
#define NGD_DEFAULT_SOCKET	"/run/pptp-ngd.sock"
#define NGD_NL_BUF		16384	/* netlink buffers (MNL_SOCKET_BUFFER_SIZE is not constant) */

/*
 * What queues control packets to the daemon.  Backend nfqueue adds its
 * own rules, with nf_tables' queue expression where the kernel has it
 * (nft_queue) and else with the xtables NFQUEUE target through
 * nft_compat; cthelper adds none, the kernel's helper hook queues.
 */
enum ngd_queue_rule {
	NGD_QUEUE_AUTO,		/* --queue-rule auto: nft, else xt */
	NGD_QUEUE_NFT,
	NGD_QUEUE_XT,
	NGD_QUEUE_HELPER,
};

#define NGD_DEFAULT_ALIVE_SET	"inet/pptp_ngd_cth/pptp_ngd_alive"

struct ngd_config {
	const char *backend;
	const char *ruleset;
	const char *socket_path;
	unsigned int queue;
	enum ngd_queue_rule queue_rule;	/* nfqueue: the kind asked for */
	bool fail_open;
	const char *alive_set;		/* cthelper: FAMILY/TABLE/SET gating the helper, or "none" */
	bool foreground;
	int verbose;
	unsigned int max_calls;		/* per control connection */
	unsigned int max_sessions;
	unsigned int max_sessions_per_source;	/* 0: no limit */
	unsigned int max_expectations;	/* cthelper: GRE expectations held; 0: half the kernel's */
	unsigned int gre_timeout;	/* seconds an nft element lives unrefreshed */
	unsigned int idle_timeout;	/* seconds without a control packet */
};

extern struct ngd_config cfg;

/* cthelper (guard_cth.c): our element is in the --alive-set set now */
bool guard_gate_alive(void);

struct ngd_stats {
	uint64_t packets;		/* control packets queued to us */
	uint64_t held;			/* waited for the rest of a message head */
	uint64_t queue_full;		/* the kernel's: dropped, the queue was full */
	uint64_t queue_nobufs;		/* the kernel's: dropped, our socket buffer was full */
	uint64_t mangled;		/* of which the daemon changed */
	uint64_t dropped_future;	/* arrived before a gap: dropped for TCP to resend */
	uint64_t dropped_refused;	/* the core refused it (dropped.* says why) */
	uint64_t cut;			/* of those, cut to the bytes the core took */
	uint64_t rst_grace;		/* RSTs conntrack did not take: 120 s, not 10 */
	uint64_t bad_rewrites;		/* a rewrite outside the segment: dropped, never written */
	uint64_t no_conntrack;		/* queued without a conntrack entry: passed as is */
	uint64_t unparsable;		/* not IPv4/TCP as expected: passed as is */
	uint64_t sessions_opened;
	uint64_t sessions_closed;
	uint64_t sessions_refused;	/* --max-sessions reached */
	uint64_t sessions_refused_source;	/* --max-sessions-per-source reached */
	uint64_t expect_refused;	/* calls left without GRE: --max-expectations reached */
	uint64_t alive_gap_max_ms;	/* cthelper: longest time the alive elements went unrefreshed */
	uint64_t sessions_recovered;
	uint64_t calls_recovered;
	uint64_t pinholes_added;
	uint64_t pinholes_removed;
	uint64_t calls_refused_gre_error;	/* up, but an error left them without GRE */
	uint64_t gre_refresh_errors;	/* calls whose GRE could not get a fresh timeout */
	uint64_t gre_delete_errors;	/* removals of a call's GRE that failed (each try) */
	uint64_t gre_delete_pending;	/* calls' GRE left by a failed removal, tried again */
	uint64_t nft_errors;		/* nf_tables changes that failed */
	uint64_t ct_errors;		/* ctnetlink requests on conntrack entries that failed */
	uint64_t ct_events_lost;	/* cthelper: destroy events the kernel could not queue (ENOBUFS) */
	uint64_t expect_set;		/* cthelper: GRE expectations created or refreshed */
	uint64_t expect_deleted;
	uint64_t expect_errors;		/* expectations that could not be created or deleted */
	uint64_t ctnetlink_sends;	/* cthelper: requests sent on its ctnetlink socket, batches as one */
	/* the core's own counters, summed over closed sessions */
	uint64_t invalid[PPTP_INV_COUNT];
	uint64_t anomalies[PPTP_AN_COUNT];
	uint64_t refused[PPTP_REFUSE_COUNT];
	uint64_t dropped[PPTP_DROP_COUNT];
	uint64_t calls_opened, calls_up, calls_failed, calls_closed, rewrites;
};

extern struct ngd_stats stats;

/* Level -1 and 0 are always logged, 1 with --verbose, 2 with it twice. */
void ngd_log(int level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
#define ngd_notice(...)	ngd_log(-1, __VA_ARGS__)
#define ngd_err(...)	ngd_log(0, __VA_ARGS__)
#define ngd_info(...)	ngd_log(1, __VA_ARGS__)
#define ngd_dbg(...)	ngd_log(2, __VA_ARGS__)

/*
 * Errors that can come once per call (a full map, a kernel refusing every
 * change) must not flood the log: each place that logs one says at most
 * NGD_LOG_BURST lines every NGD_LOG_INTERVAL seconds, and then how many it
 * left out.
 */
#define NGD_LOG_BURST		10
#define NGD_LOG_INTERVAL	10
struct ngd_ratelimit {
	time_t since;		/* CLOCK_MONOTONIC: the interval's start */
	unsigned int logged, missed;
};

bool ngd_ratelimit(struct ngd_ratelimit *rl);
#define ngd_err_ratelimited(...)					\
	do {								\
		static struct ngd_ratelimit rl_;			\
									\
		if (ngd_ratelimit(&rl_))				\
			ngd_err(__VA_ARGS__);				\
	} while (0)

struct ngd_gre;
struct nlattr;
struct ngd_tuple;
struct ngd_gre_change;

/*
 * A backend: how control packets reach the daemon and how a call's GRE is
 * let through.  Everything but probe and packet_tuple is mandatory.
 */
struct ngd_backend {
	const char *name;
	/* optional: checks made before detaching, so their errors reach the terminal */
	int (*probe)(void);
	/* set up kernel state and take over what a previous run left; -1 with a message */
	int (*start)(void);
	int (*fd)(void);		/* to poll for input */
	int (*input)(void);		/* handle what is readable; -1 on fatal error */
	void (*tick)(void);		/* every loop turn (at least every 50 ms) */
	/*
	 * optional: what cannot wait for the next turn (cthelper: its alive
	 * elements, which expire 2 s after their last refresh), called between
	 * the steps of long work (the refresh of every call, a burst of queued
	 * packets); cheap when nothing is due
	 */
	void (*keepalive)(void);
	void (*stop)(void);
	/*
	 * A call's GRE: close the halves @del names, open those @add names
	 * (NGD_MAP_*).  0 when all of @del is closed (gone already counts)
	 * and all of @add open; on failure, of @add only what was in @del
	 * may be open.
	 */
	int (*gre_update)(const struct ngd_gre *g, unsigned int del, unsigned int add,
			  const char *comment);
	/*
	 * optional: @n (at most NFT_REFRESH_MAX) calls' gre_update in one
	 * transaction, each one's result in its ret; without it, one by one
	 */
	void (*gre_batch)(struct ngd_gre_change *ch, unsigned int n);
	/* a fresh timeout for @n (at most NFT_REFRESH_MAX) calls' GRE: how many failed */
	int (*gre_refresh)(const struct ngd_gre *g, const char *const *comments, unsigned int n);
	/* what the stop leaves in the kernel, for the log; NULL: nothing */
	const char *left_behind;
	/* expectations a call holds in the kernel's shared table; 0: none */
	unsigned int expectations_per_call;
	/* optional: a queued packet's control connection from its attributes, not its headers */
	bool (*packet_tuple)(struct nlattr **attr, struct ngd_tuple *tp);
};

const struct ngd_backend *ngd_backend_find(const char *name);
void ngd_keepalive(void);
extern const struct ngd_backend *ngd_active;
extern const struct ngd_backend ngd_backend_cthelper;

/* The kind that queues this run's control packets, set by the backend's start. */
extern enum ngd_queue_rule ngd_queue_used;
/* "auto", "nft", "xt", "helper": --queue-rule's words and --status's "queue_rule" */
const char *ngd_queue_rule_name(enum ngd_queue_rule r);
/* the same for the log: "nft queue", "xt NFQUEUE (nft_compat)"... */
const char *ngd_queue_rule_text(enum ngd_queue_rule r);
/* --queue-rule's word, or -1 */
int ngd_queue_rule_parse(const char *word);
/* "fifo 10", "rr 5" or "other nice 0": --status's "scheduling" */
const char *ngd_scheduling(void);

/*
 * An address of either family, network order.  One type for both, so
 * that a session, a call's GRE and a conntrack tuple never depend on the
 * family; where the daemon talks to the kernel it picks the family's
 * table, helper or attribute, and refuses any other (-EAFNOSUPPORT).
 */
struct ngd_addr {
	uint8_t family;		/* AF_INET or AF_INET6, 0: none */
	union {
		uint32_t v4;
		uint8_t v6[16];
	};
};

static inline struct ngd_addr ngd_addr4(uint32_t v4)
{
	return (struct ngd_addr){ .family = AF_INET, .v4 = v4 };
}

static inline bool ngd_addr_eq(const struct ngd_addr *a, const struct ngd_addr *b)
{
	if (a->family != b->family)
		return false;
	return a->family == AF_INET6 ? !memcmp(a->v6, b->v6, 16) : a->v4 == b->v4;
}

/* A hash of the address, for the daemon's tables. */
static inline uint32_t ngd_addr_hash(const struct ngd_addr *a)
{
	uint32_t h = a->v4, i;

	if (a->family == AF_INET6)
		for (i = 4; i < 16; i += 4)
			h = h * 31 + ((uint32_t)a->v6[i] << 24 | (uint32_t)a->v6[i + 1] << 16 |
				      (uint32_t)a->v6[i + 2] << 8 | a->v6[i + 3]);
	return h;
}

/* tuple_str()'s longest, "[v6]:port>[v6]:port", with its NUL */
#define NGD_TUPLE_STRLEN	(2 * (INET6_ADDRSTRLEN + 8))
/*
 * A call's comment (call_comment()): at most 97 characters for IPv4, 81
 * for IPv6, within the 128 nft reads back from a saved ruleset.
 */
#define NGD_COMMENT_LEN		128

/* @a as text in @buf (INET6_ADDRSTRLEN bytes are enough). */
const char *ngd_addr_str(const struct ngd_addr *a, char *buf, size_t len);

/* A TCP 4-tuple (network order), as a packet or conntrack has it. */
struct ngd_tuple {
	struct ngd_addr src, dst;
	uint16_t sport, dport;
};

static inline bool ngd_tuple_eq(const struct ngd_tuple *a, const struct ngd_tuple *b)
{
	return ngd_addr_eq(&a->src, &b->src) && ngd_addr_eq(&a->dst, &b->dst) &&
	       a->sport == b->sport && a->dport == b->dport;
}

/* A control connection's conntrack entry: both directions' tuples. */
struct ngd_conn {
	struct ngd_tuple orig, reply;
};

/* One GRE call as the nft maps hold it (network order addresses). */
struct ngd_gre {
	struct ngd_addr inside;	/* host behind the NAT */
	struct ngd_addr public;	/* its translated address */
	struct ngd_addr peer;	/* the other end */
	uint16_t in_id;		/* call ID the inside host receives GRE with */
	uint16_t in_xid;	/* the same as the peer sees it */
	uint16_t peer_id;	/* call ID the peer receives GRE with */
	struct ngd_conn conn;	/* the control connection (cthelper: the master) */
};

/* One call's change for a backend's gre_batch: what gre_update takes, and its result. */
struct ngd_gre_change {
	struct ngd_gre g;
	unsigned int del, add;
	const char *comment;
	int ret;
};

/* The active backend's GRE programming (backend.c). */
int ngd_gre_update(const struct ngd_gre *g, unsigned int del, unsigned int add,
		   const char *comment);
void ngd_gre_batch(struct ngd_gre_change *ch, unsigned int n);
int ngd_gre_refresh(const struct ngd_gre *g, const char *const *comments, unsigned int n);

/* calls.c: the GRE changes of a turn's packets, made before their verdicts. */
void calls_commit(void);

/* closing.c: GRE of ended calls, closed once their packets' verdicts are out. */
void closing_run(void);
unsigned int closing_held(void);

/* session.c: control connections and the core's decisions. */
struct ngd_rewrite {
	uint32_t off;
	uint8_t n;
	uint8_t bytes[2];
};

struct ngd_seg_result {
	struct ngd_rewrite *rw;
	unsigned int nrw, cap;
	bool drop;
	bool split;		/* dropped only for ending inside a call ID: may be held */
	uint32_t pass_len;	/* when dropped: the first bytes that may pass (pptp_pass_len) */
};

int sessions_init(void);
void sessions_segment(const struct ngd_tuple *pkt, uint8_t tcp_flags,
		      uint32_t seq, const uint8_t *data, uint32_t len,
		      struct ngd_seg_result *res);
void sessions_after_verdicts(void);
void sessions_tick(time_t now);
void sessions_shutdown(void);
int sessions_recover(void);
void sessions_conn_gone(const struct ngd_conn *c);
void sessions_recheck(void);

/* nfqueue.c: the queue, shared by both backends. */
struct nlattr;
int ngq_open(uint32_t flags);
int ngq_fd(void);
int ngq_input(void);
void ngq_tick(void);
void ngq_close(void);
void ngq_counters(void);
void ngq_latency_json(FILE *f);

/* expect.c: GRE expectations through ctnetlink (cthelper backend). */
int expect_open(void);
void expect_close(void);
/* expect_batch.c: programming them, one call or many in one send */
int expect_gre_update(const struct ngd_gre *g, unsigned int del, unsigned int add,
		      const char *comment);
int expect_gre_refresh(const struct ngd_gre *g, const char *const *comments, unsigned int n);
void expect_gre_batch(struct ngd_gre_change *ch, unsigned int n);

/* nftmaps.c: the daemon's nf_tables table. */
int nft_setup(const char *ruleset);
int nft_queue_rules(unsigned int queue, bool fail_open, enum ngd_queue_rule want);
#define NGD_MAP_IN_ADDR		0x1	/* gre_in_addr */
#define NGD_MAP_IN_ID		0x2	/* gre_in_id */
#define NGD_MAP_OUT_ADDR	0x4	/* gre_out_addr */
#define NGD_MAP_IN		(NGD_MAP_IN_ADDR | NGD_MAP_IN_ID)
#define NGD_MAP_ALL		(NGD_MAP_IN | NGD_MAP_OUT_ADDR)
int nft_gre_update(const struct ngd_gre *g, unsigned int del, unsigned int add,
		   const char *comment);
#define NFT_REFRESH_MAX		32	/* calls per refresh transaction (64 KB) */
int nft_gre_refresh(const struct ngd_gre *g, const char *const *comments, unsigned int n);
void nft_gre_batch(struct ngd_gre_change *ch, unsigned int n);
typedef void (*nft_gre_cb)(const struct ngd_gre *g, const char *comment, void *arg);
int nft_gre_dump(nft_gre_cb cb, void *arg);

/* ctl.c: the UNIX control socket. */
int ctl_open(const char *path);
void ctl_input(int fd);
void ctl_close(const char *path);
int ctl_status(const char *path);
void state_json(FILE *f);

#endif /* PPTP_NGD_H */
