/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * nf_conntrack_pptp_ng: the module's shared declarations.
 *
 * One session per PPTP control connection (the shared core's tracker and
 * call table), reached from the conntrack helper area of the master, per
 * network namespace bookkeeping (sessions, call-ID allocations, counters).
 */
#ifndef PPTP_NG_KMOD_H
#define PPTP_NG_KMOD_H

#include <linux/list.h>
#include <linux/spinlock.h>
#include <linux/atomic.h>
#include <linux/bitmap.h>
#include <net/netfilter/nf_conntrack.h>
#include <net/netfilter/nf_conntrack_helper.h>

#include "compat.h"
#include "help_area.h"

#include <pptp_ng/core.h>
#include <pptp_ng/nat.h>

#define PPTP_NG_NAME		"pptp-ng"
#define PPTP_NG_MAX_CALLS	127	/* 2 expectations a call, 255 at most a master */
#define PPTP_NG_HASH_BITS	8	/* ID spaces and session sources per netns */

/* Per-netns counters, shown by /proc/net/nf_pptp_ng under these names. */
enum pptp_ng_counter {
	PNG_SESSIONS_TOTAL = 0,
	PNG_SESSIONS_REFUSED,	/* max_sessions reached or no memory: untracked */
	PNG_SEGMENTS,		/* TCP segments with payload fed to the core */
	PNG_MESSAGES,		/* valid control messages */
	PNG_CALLS_UP,
	PNG_CALLS_DOWN,		/* calls that were up and went down */
	PNG_EXPECT_ADDED,
	PNG_EXPECT_FAILED,
	PNG_GRE_NAT,		/* GRE conntracks set up with NAT */
	PNG_IDS_TRANSLATED,	/* call IDs the other side sees changed */
	PNG_REWRITES,		/* ID fields rewritten in segments (or their part in one) */
	PNG_DROP_FUTURE,	/* segments after a gap: dropped, TCP resends */
	PNG_DROP_INVALID,	/* segments with invalid messages (drop_invalid) */
	PNG_DROP_ERROR,		/* no memory, a bad rewrite, mangle failed */
	PNG_SESSIONS_SOURCE,	/* refused: max_sessions_per_source reached */
	PNG_EXPECT_REFUSED,	/* calls without GRE: max_expectations reached */
	PNG_DROP_GRE_NOT_V1,	/* non-PPTP GRE on a call's conntrack: dropped */
	PNG_CUT,		/* refused segments cut to the bytes the core took */
	PNG_RST_GRACE,		/* RSTs conntrack did not take: 120 s, not 10 (helper.c) */
	PNG_GRE_PAIRED,		/* calls whose two directions share one GRE conntrack */
	PNG_GRE_ADOPTED,	/* first packets that met their call's other direction (guard.c) */
	PNG_GRE_JOINED,		/* first packets that met another of their direction (guard.c) */
	PNG_GRE_UNPAIRED,	/* paired conntracks confirmed as one direction only (guard.c) */
	PNG_GRE_TAKEN_OVER,	/* such directions the other one's conntrack took over (guard.c) */
	PNG_GRE_CLASH,		/* first packets whose conntrack lost a clash at confirmation (guard.c) */
	PNG_FAILOVER_CALLS,	/* calls taken over from a peer firewall's carriers (failover.c) */
	PNG_FAILOVER_UNPAIRED,	/* copied carriers no call could be taken over from */
	PNG_FAILOVER_GRE,	/* first GRE packets on a copy, set up as their call's */
	PNG_DROP_COPIED,	/* GRE on a copied expectation no call took over (guard.c) */
	PNG_COUNTER_MAX
};

struct pptp_ng_net {
	spinlock_t lock;		/* everything up to the counters */
	struct list_head sessions;
	unsigned int nsessions;
	unsigned int calls_live;	/* calls with GRE open */
	unsigned int ids_live;		/* IDs taken in the spaces */
	atomic_t gre_unconfirmed;	/* GRE conntracks made, not yet at their confirmation (guard.c) */
	struct hlist_head spaces[1 << PPTP_NG_HASH_BITS];	/* struct pptp_ng_space */
	struct hlist_head sources[1 << PPTP_NG_HASH_BITS];	/* struct pptp_ng_source */
	atomic_long_t cnt[PNG_COUNTER_MAX];
	atomic_long_t invalid[PPTP_INV_COUNT];
	atomic_long_t anomaly[PPTP_AN_COUNT];
	atomic_long_t refused[PPTP_REFUSE_COUNT];
	atomic_long_t dropped[PPTP_DROP_COUNT];
};

struct pptp_ng_source;

/*
 * A control connection.  Freed (RCU) when the master conntrack is
 * destroyed, when the session ends (StopCCRP) or at netns exit or module
 * unload; the helper area then holds PPTP_NG_UNTRACKED.
 */
struct pptp_ng_session {
	spinlock_t lock;		/* everything below; the core is not locked */
	struct list_head node;		/* pptp_ng_net.sessions */
	struct list_head xids;		/* struct pptp_ng_xid this session holds */
	struct rcu_head rcu;
	struct nf_conn *ct;		/* master: the session lives within its life */
	struct pptp_ng_net *pn;
	struct pptp_ng_source *src;	/* its share of max_sessions_per_source */
	bool dead;
	bool reopen;			/* a GRE conntrack died: check the calls' GRE */
	u8 fin;				/* bit per direction that sent FIN */
	u32 seg_len;			/* the payload of the segment being fed */
	DECLARE_BITMAP(gre_open, PPTP_NG_MAX_CALLS);	/* per call slot: expectations set */
	struct pptp_tracker t;
	struct pptp_call calls[];
};




/* main.c */
extern unsigned int pptp_ng_max_calls;
extern unsigned int pptp_ng_max_sessions;
extern unsigned int pptp_ng_max_sessions_per_source;
extern unsigned int pptp_ng_max_expectations;
extern bool pptp_ng_drop_invalid;
extern bool pptp_ng_failover;
/* Every netns together: what a leak would leave behind. */
extern atomic_t pptp_ng_global_sessions;
extern atomic_t pptp_ng_global_ids;
struct pptp_ng_net *pptp_ng_pernet(struct net *net);
bool pptp_ng_is_ours(const struct nf_conntrack_helper *helper);

static inline void pptp_ng_count(struct pptp_ng_net *pn, enum pptp_ng_counter c)
{
	atomic_long_inc(&pn->cnt[c]);
}

/* helper.c */
int pptp_ng_help(struct sk_buff *skb, unsigned int protoff, struct nf_conn *ct,
		 enum ip_conntrack_info ctinfo);
void pptp_ng_destroy(struct nf_conn *ct);
void pptp_ng_free_all(struct pptp_ng_net *pn);
struct pptp_ng_session *pptp_ng_session_of(struct nf_conn *master);
extern const struct pptp_ops pptp_ng_ops;

/* ids.c: translated call IDs, unique per (address seen as, peer) */
int pptp_ng_map_id(void *ctx, const struct pptp_tracker *t, unsigned int dir, u8 role, u16 id,
		   u16 *xid);
int pptp_ng_hold_id(struct pptp_ng_session *s, unsigned int dir, u8 role, u16 id, u16 xid);
void pptp_ng_unmap(struct pptp_ng_session *s, u8 role, u16 id, u16 xid);
void pptp_ng_unmap_all(struct pptp_ng_session *s);

/* sources.c: sessions per source address */
struct pptp_ng_source *pptp_ng_source_get(struct pptp_ng_net *pn, const struct nf_conn *ct);
void pptp_ng_source_put(struct pptp_ng_net *pn, struct pptp_ng_source *src);

/* gre.c */
void pptp_ng_call_id(struct pptp_ng_session *s, const struct pptp_call *c, u8 role);
void pptp_ng_call_up(struct pptp_ng_session *s, const struct pptp_call *c);
void pptp_ng_call_down(struct pptp_ng_session *s, const struct pptp_call *c);
void pptp_ng_reopen(struct pptp_ng_session *s);
void pptp_ng_gre_gone(struct nf_conn *master);
unsigned int pptp_ng_expectations_live(struct pptp_ng_net *pn);
unsigned int pptp_ng_expectations_max(void);
int pptp_ng_gre_help(struct sk_buff *skb, unsigned int protoff, struct nf_conn *ct,
		     enum ip_conntrack_info ctinfo);
void pptp_ng_pair_locks_init(void);

/* guard.c */
bool pptp_ng_gre_ours(const struct nf_conn *ct);

/* failover.c */
void pptp_ng_take_over(struct pptp_ng_session *s);
int pptp_ng_failover_net_init(struct net *net);
void pptp_ng_failover_net_exit(struct net *net);

#endif /* PPTP_NG_KMOD_H */
