/* SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause */
/*
 * Inside the cthelper backend: shared by cthelper.c, expect.c,
 * recover_cth.c and guard_cth.c.
 */
#ifndef PPTP_NGD_CTH_H
#define PPTP_NGD_CTH_H

#include "pptp_ngd.h"

#define CTH_NAME	"pptp-ng"

/*
 * The helper's private data on each control connection (nfnetlink_cthelper
 * keeps up to 32 bytes per master; ctnetlink reads and writes them).  It
 * holds what the GRE expectations cannot tell a restarted daemon: which
 * role the host behind the NAT plays, and which inbound half goes with
 * which outbound half (the inside host's call ID and the peer's), for the
 * last CTH_PRIV_PAIRS calls that came up.  Written when a call comes up.
 */
#define CTH_PRIV_VERSION	2
#define CTH_PRIV_PAIRS		7
struct cth_priv {
	uint8_t version;	/* CTH_PRIV_VERSION; 0: never written */
	uint8_t inside_role;	/* PPTP_PNS or PPTP_PAC */
	uint8_t npairs;
	uint8_t reserved;
	struct {
		uint16_t in_id;		/* network order */
		uint16_t peer_id;
	} pair[CTH_PRIV_PAIRS];
};
#define CTH_PRIV_LEN	sizeof(struct cth_priv)

/*
 * One GRE expectation as ctnetlink shows it.  The tuple's "ports" are GRE
 * keys (network order): dport the key the packet carries (sport is 0).
 */
struct cth_exp {
	struct ngd_tuple tuple;
	struct ngd_tuple master;	/* the control connection's original direction */
	bool nat;
	struct ngd_addr nat_addr;	/* saved NAT address and key */
	uint16_t nat_key;
};

/* expect.c */
typedef void (*cth_exp_cb)(const struct cth_exp *e, void *arg);
int expect_dump(cth_exp_cb cb, void *arg);
int cth_master_get(const struct ngd_tuple *orig, struct ngd_conn *c, struct cth_priv *p);
struct session;
int cth_exp_remove(const struct cth_exp *e);

/* One expected GRE direction. */
struct gre_exp {
	struct ngd_addr src, dst;	/* expected tuple */
	uint16_t key;		/* destination key, the call ID the packet carries */
	/*
	 * source key: not matched (the mask leaves it out, GRE v1 has none)
	 * but kept with the expectation, so it carries what restart recovery
	 * pairs the halves by: the other direction's receiver's own ID, as
	 * conntrack keys a call (inbound: the peer's; outbound: the inside
	 * host's, untranslated)
	 */
	uint16_t skey;
	bool nat;
	uint32_t nat_dir;	/* master direction whose tuple the NAT follows (inverted) */
	struct ngd_addr nat_addr;	/* saved address (kernel: follow_master takes it from master) */
	uint16_t nat_key;	/* the key the packet leaves with */
	const char *what;	/* "inbound" or "outbound", for errors */
};

/* A call's halves: inbound, outbound (expect_batch.c names them by nft map bits). */
#define EXP_HALVES	2
void gre_exps(const struct ngd_gre *g, bool complete, struct gre_exp e[EXP_HALVES]);
struct session *cth_pairs_session(const struct ngd_gre *g);
struct mnl_socket *expect_socket(void);

/* ctnetlink requests, built into @buf (at most EXPECT_MSG_MAX bytes each) */
#define EXPECT_MSG_MAX	512	/* the largest: an IPv6 expectation with NAT, 376 */
struct nlmsghdr;
struct nlmsghdr *exp_new_msg(char *buf, const struct ngd_conn *m, const struct gre_exp *e);
struct nlmsghdr *exp_unexpect_msg(char *buf, const struct ngd_addr *src,
				  const struct ngd_addr *dst, uint16_t key);
struct nlmsghdr *gre_ct_delete_msg(char *buf, const struct ngd_addr *src,
				   const struct ngd_addr *dst, uint16_t key);
struct nlmsghdr *cth_pairs_msg(char *buf, const struct session *s,
			       const struct ngd_gre *const *first, unsigned int nfirst);

/* expect_batch.c */
void cth_pairs_save(const struct session *s);

/* recover_cth.c */
int cth_recover(void);

/* guard_cth.c: what the rules do while no pptp-ngd runs (--fail-*, --alive-set) */
int guard_setup(void);
void guard_tick(void);
void guard_close(void);

#endif /* PPTP_NGD_CTH_H */
