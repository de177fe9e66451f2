/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The helper area of a pptp-ng master conntrack, in a header of its own
 * so that layout.c can check it against the stock helper's layout
 * without the rest of the module.
 */
#ifndef PPTP_NG_HELP_AREA_H
#define PPTP_NG_HELP_AREA_H

#include <linux/types.h>
#include <linux/netfilter/nf_conntrack_tuple_common.h>

struct pptp_ng_session;
struct nf_ct_gre_keymap;
struct nf_conn;
struct nf_conntrack_expect;
struct net;

#define PPTP_NG_UNTRACKED	((struct pptp_ng_session *)1UL)

/*
 * The conntrack core calls nf_ct_gre_keymap_destroy() on the master
 * whenever one of its GRE children dies, reading this area as struct
 * nf_ct_pptp_master: keymap[] must sit where it expects and stay NULL
 * (pptp-ng keeps no keymaps, see gre.c).
 */
struct pptp_ng_help {
	struct pptp_ng_session *sess;	/* NULL: none yet; PPTP_NG_UNTRACKED: never again */
	u32 isn[IP_CT_DIR_MAX];		/* first payload seq from the SYN, 0: unknown */
	struct nf_ct_gre_keymap *keymap[IP_CT_DIR_MAX];
};

/*
 * The helper area of a call's GRE conntrack (it carries our helper, see
 * guard.c).  A paired conntrack carries both directions of its call, the
 * other direction as its reply (gre.c); with NAT, the call ID each
 * direction's receiver chose, which guard.c writes into the key.
 */
struct pptp_ng_gre_help {
	__be16 deliver[IP_CT_DIR_MAX];	/* the receiver's own call ID, per direction */
	u8 dir;				/* the master's direction the original one is */
	bool paired;			/* the reply is the call's other direction */
	bool unexpect;			/* once confirmed: remove the expectations it was made for */
	bool unconfirmed;		/* counted in gre_unconfirmed (guard.c) */
	bool keep_exp;			/* unpaired: keep the own expectation (guard.c) */
	bool ours;			/* set up by our expectfn, not from a copy (failover.c) */
};

/*
 * Expectations that may create a paired conntrack say so in saved_addr,
 * which only NAT helpers that follow their master read: this mark, then
 * the other direction's key on the wire and the key its receiver chose.
 * The last word is set once the expectation has made a conntrack
 * (nat.c), which may still be unconfirmed (guard.c).
 */
#define PPTP_NG_PAIR_MARK	0x50504e47	/* "PPNG" */
#define PPTP_NG_EXP_MADE	3		/* saved_addr.all[]: made a conntrack */

/* How long a call's GRE conntrack (and, failover=1, its carriers) may outlive a missed end. */
#define PPTP_NG_GRE_HOLD_S	(5U * 24 * 60 * 60)

/* nat.c: the expectations' expectfn; main.c: its counters; guard.c: made and gone */
void pptp_ng_expectfn(struct nf_conn *ct, struct nf_conntrack_expect *exp);
void pptp_ng_count_gre_nat(struct net *net);
void pptp_ng_count_gre_paired(struct net *net);
void pptp_ng_gre_made(struct nf_conn *ct);
void pptp_ng_gre_unmade(struct nf_conn *ct);
/* gre.c: a call direction's GRE tuple as its sender's packets have it */
struct nf_conntrack_tuple;
void pptp_ng_gre_tuple(const struct nf_conn *master, unsigned int dir, u16 to,
		       struct nf_conntrack_tuple *t);

#endif /* PPTP_NG_HELP_AREA_H */
