/* SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause */
/* Inside the session table: shared by session.c, recover.c and ctl.c. */
#ifndef PPTP_NGD_SESSION_H
#define PPTP_NGD_SESSION_H

#include "pptp_ngd.h"

struct call_ext {
	bool programmed;	/* elements in the GRE maps */
	bool refused;		/* came up, but without GRE: not up for the daemon */
	bool pending;		/* a change of its GRE waits for calls_commit() */
	unsigned int early;	/* NGD_MAP_* halves opened before the call was up */
	struct ngd_gre g;
};

struct session {
	struct session *next;
	struct session *hnext;		/* in its session_find() bucket */
	struct ngd_tuple fwd;		/* direction 0 as the forward hook sees it */
	bool nat_known;			/* c is filled in from conntrack */
	bool syn_checked;		/* SYN-born, quiet: conntrack asked once if it kept the entry */
	struct ngd_conn c;
	unsigned int inside_dir;	/* direction the host behind the NAT sends */
	struct ngd_addr inside, public, peer;
	struct pptp_tracker t;
	struct pptp_call *calls;
	struct call_ext *ext;
	time_t last;
	uint8_t fin;			/* bit per direction */
	time_t gap_since[2];		/* dropping segments after a gap since then, 0 none */
	struct ngd_seg_result *res;	/* while feeding */
	struct source *src;		/* its share of --max-sessions-per-source */
};

extern struct session *sessions;
extern unsigned int nsessions;

struct session *session_find(const struct ngd_tuple *pkt, unsigned int *dir);
struct session *session_new(const struct ngd_tuple *fwd, const struct ngd_conn *c,
			    bool midstream);
void tuple_str(const struct ngd_tuple *t, char *buf, size_t len);
void call_comment(const struct session *s, const struct ngd_gre *g, char *buf, size_t len);
bool xid_used(const struct ngd_addr *public, const struct ngd_addr *peer, uint16_t xid);
void sessions_call_programmed(struct session *s, unsigned int slot);
void sessions_call_adopted(struct session *s, const struct pptp_call *c, const struct ngd_gre *g);
int xid_take(const struct ngd_addr *public, const struct ngd_addr *peer, uint16_t xid);
void xid_put(const struct ngd_addr *public, const struct ngd_addr *peer, uint16_t xid);

/* calls.c: a call's GRE, from the core's events. */
void call_half(struct session *s, const struct pptp_call *call, u8 role);
void call_up(struct session *s, const struct pptp_call *call);
void call_down(struct session *s, const struct pptp_call *call);
bool gre_close_or_leave(const struct ngd_gre *g, unsigned int maps, unsigned int flags);
bool gre_closed_or_left(const struct ngd_gre *g, unsigned int maps, unsigned int flags, int ret);
void xid_release(const struct ngd_addr *public, const struct ngd_addr *peer, uint16_t xid);

/* closing.c: a call's GRE closed after the verdict of the packet that ended it. */
void closing_add(const struct ngd_gre *g, unsigned int maps, unsigned int flags, bool was_up,
		 bool release_xid, uint16_t xid);
uint64_t sessions_calls_up(uint64_t core_calls_up);

/* leftover.c: a call's GRE that a failed removal left in the kernel. */
#define LEFTOVER_PINHOLE	0x1	/* a call's that was up: pinholes_removed once gone */
#define LEFTOVER_TAKE_XID	0x2	/* no call holds its translated ID: take it */
void leftover_add(const struct ngd_gre *g, unsigned int maps, unsigned int flags);
bool leftover_takes_xid(const struct ngd_addr *public, const struct ngd_addr *peer, uint16_t xid);
void leftover_claim(const struct ngd_gre *g, unsigned int maps);
void leftover_tick(time_t now);
void leftover_shutdown(void);

/* ct.c: conntrack through ctnetlink. */
struct nf_conntrack;
void ct_tuples(const struct nf_conntrack *ct, struct ngd_conn *c);
bool ct_queued(const void *payload, size_t len, uint8_t family, struct ngd_conn *c);
int ct_lookup(const struct ngd_tuple *t, struct ngd_conn *c);
void ct_forward_tuple(const struct ngd_conn *c, struct ngd_tuple *fwd);
bool ct_alive(const struct ngd_tuple *fwd);
int ct_tcp_state(const struct ngd_tuple *t);	/* enum tcp_conntrack, or -errno */
int ct_rst_grace(const struct ngd_tuple *t, uint32_t secs, bool reopen);
int ct_counted(int ret);

#endif /* PPTP_NGD_SESSION_H */
