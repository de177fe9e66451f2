// SPDX-License-Identifier: GPL-2.0-only
/*
 * NAT of the GRE conntracks pptp-ng's expectations create: the one part
 * of the module that works on the NAT core's terms.
 */
#include <net/netfilter/nf_conntrack.h>
#include <net/netfilter/nf_conntrack_expect.h>
#include <net/netfilter/nf_nat.h>

#include "help_area.h"

/*
 * A GRE conntrack was created from one of our expectations on a NATed
 * control connection: send it where the master's other direction says,
 * with the call ID the receiver chose.  The source key is not on the wire
 * (GRE has none), so only the destination key is rewritten.
 */
void pptp_ng_expectfn(struct nf_conn *ct, struct nf_conntrack_expect *exp)
{
	const struct nf_conn *master = ct->master;
	const struct nf_conntrack_tuple *back = &master->tuplehash[!exp->dir].tuple;
	struct nf_nat_range2 range = {};

	if (nf_nat_initialized(ct, NF_NAT_MANIP_SRC) ||
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
