// SPDX-License-Identifier: GPL-2.0-only
/*
 * What may use a call's GRE conntrack.  The conntracks pptp-ng's
 * expectations create carry its helper, so every packet on them passes
 * here (nf_confirm calls the helper), and only PPTP's GRE may.
 */
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <net/ipv6.h>
#include <net/netfilter/nf_conntrack.h>

#include "pptp_ng.h"

/* The layer 4 protocol of @skb, whatever conntrack filed it under. */
static u8 skb_l4proto(const struct sk_buff *skb, const struct nf_conn *ct)
{
	__be16 frag_off;
	u8 nexthdr;

	if (nf_ct_l3num(ct) == NFPROTO_IPV4)
		return ip_hdr(skb)->protocol;
	nexthdr = ipv6_hdr(skb)->nexthdr;
	if (ipv6_skip_exthdr(skb, sizeof(struct ipv6hdr), &nexthdr, &frag_off) < 0)
		return IPPROTO_NONE;
	return nexthdr;
}

/*
 * help() of a call's GRE conntrack: only enhanced GRE (version 1, PPTP)
 * may use it.  GRE version 0 between the same hosts has the same tuple
 * when the call's key is 0, and must not ride on a PPTP pinhole.  ICMP
 * errors about the call pass as conntrack related them.
 */
int pptp_ng_gre_help(struct sk_buff *skb, unsigned int protoff, struct nf_conn *ct)
{
	u8 _flags[2];
	const u8 *flags;

	if (nf_ct_protonum(ct) != IPPROTO_GRE || skb_l4proto(skb, ct) != IPPROTO_GRE)
		return NF_ACCEPT;
	flags = skb_header_pointer(skb, protoff, sizeof(_flags), _flags);
	if (flags && (flags[1] & PPTP_GRE_VERSION_MASK) == PPTP_GRE_VERSION_PPTP)
		return NF_ACCEPT;
	pptp_ng_count(pptp_ng_pernet(nf_ct_net(ct)), PNG_DROP_GRE_NOT_V1);
	return NF_DROP;
}
