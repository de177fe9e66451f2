// SPDX-License-Identifier: GPL-2.0-only
/*
 * The GRE conntracks pptp-ng's expectations create: their lifetime, and
 * their NAT, the one part of the module that works on the NAT core's
 * terms.
 */
#include <net/netfilter/nf_conntrack.h>
#include <net/netfilter/nf_conntrack_expect.h>
#include <net/netfilter/nf_conntrack_helper.h>
#include <net/netfilter/nf_nat.h>

#include "help_area.h"

/*
 * A call's GRE conntrack lives as long as the call: the call's end kills
 * it (gre.c).  Conntrack's GRE timeouts (30 s unreplied, and each call
 * direction is its own unreplied conntrack) would end an idle call, so the
 * timeout is fixed at days, which only bounds a call whose end was missed.
 * Assured, it is not what early_drop takes when the table fills.
 */
#define PPTP_NG_GRE_HOLD	(PPTP_NG_GRE_HOLD_S * HZ)

static void gre_lifetime(struct nf_conn *ct)
{
	/* Not confirmed yet: the timeout is relative until confirmation. */
	WRITE_ONCE(ct->timeout, PPTP_NG_GRE_HOLD);
	__set_bit(IPS_FIXED_TIMEOUT_BIT, &ct->status);
	__set_bit(IPS_ASSURED_BIT, &ct->status);
}

/*
 * When the control connection is NATed, send the GRE where the master's
 * other direction says, with the call ID the receiver chose.  The source
 * key is not on the wire (GRE has none), so only the destination key is
 * rewritten.
 */
static void gre_nat(struct nf_conn *ct, struct nf_conntrack_expect *exp)
{
	const struct nf_conn *master = ct->master;
	const struct nf_conntrack_tuple *back = &master->tuplehash[!exp->dir].tuple;
	struct nf_nat_range2 range = {};

	if (!(master->status & IPS_NAT_MASK) ||
	    nf_nat_initialized(ct, NF_NAT_MANIP_SRC) ||
	    nf_nat_initialized(ct, NF_NAT_MANIP_DST))
		return;
	range.flags = NF_NAT_RANGE_MAP_IPS;
	range.min_addr = back->dst.u3;
	range.max_addr = back->dst.u3;
	nf_nat_setup_info(ct, &range, NF_NAT_MANIP_SRC);

	range.flags = NF_NAT_RANGE_MAP_IPS | NF_NAT_RANGE_PROTO_SPECIFIED;
	range.min_addr = back->src.u3;
	range.max_addr = back->src.u3;
	range.min_proto = exp->saved_proto;
	range.max_proto = exp->saved_proto;
	nf_nat_setup_info(ct, &range, NF_NAT_MANIP_DST);
	pptp_ng_count_gre_nat(nf_ct_net(ct));
}

/*
 * One conntrack for both directions of a call.  Without keymaps the
 * reply conntrack would expect (source key from the forward key) is not
 * what the other direction sends (source key 0, destination key the
 * sender's own ID), so each direction would be a conntrack of its own,
 * which a table sized by default (8192 entries at 1 GB) cannot hold for
 * thousands of calls.  Instead the reply tuple becomes the other
 * direction's packets as they arrive, the tuple its own expectation
 * matches.  This comes after NAT, which sets the reply from the forward
 * tuple; with NAT each direction's packets then leave with the key the
 * reverse tuple has, not the receiver's ID, and guard.c writes that ID
 * from @gh->deliver.
 */
static void gre_pair(struct nf_conn *ct, const struct nf_conntrack_expect *exp)
{
	struct pptp_ng_gre_help *gh = nfct_help_data(ct);
	const u32 *pair = exp->saved_addr.all;
	struct nf_conntrack_tuple reply;

	if (!gh)
		return;
	gh->ours = true;
	gh->deliver[IP_CT_DIR_ORIGINAL] = exp->saved_proto.gre.key;
	gh->dir = exp->dir;
	gh->unexpect = true;	/* its expectation goes once it is confirmed */
	if (pair[0] != PPTP_NG_PAIR_MARK)
		return;
	pptp_ng_gre_tuple(ct->master, !exp->dir, pair[1], &reply);
	reply.dst.dir = IP_CT_DIR_REPLY;
	nf_conntrack_alter_reply(ct, &reply);
	gh->deliver[IP_CT_DIR_REPLY] = htons(pair[2]);
	gh->paired = true;
	pptp_ng_count_gre_paired(nf_ct_net(ct));
}

/*
 * Say on the expectation that it made a conntrack, which may be on its
 * way unconfirmed, out of sight of every lookup: the call's other
 * direction must not claim its tuple as a reply then (guard.c).
 */
static void mark_made(struct nf_conntrack_expect *exp)
{
	WRITE_ONCE(exp->saved_addr.all[PPTP_NG_EXP_MADE], 1);
}

void pptp_ng_expectfn(struct nf_conn *ct, struct nf_conntrack_expect *exp)
{
	mark_made(exp);
	gre_lifetime(ct);
	gre_nat(ct, exp);
	gre_pair(ct, exp);
	pptp_ng_gre_made(ct);
}
