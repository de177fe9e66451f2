// SPDX-License-Identifier: GPL-2.0-only
/*
 * Sessions per source address.  max_sessions bounds the memory of every
 * control connection of a netns; without a share per source, one host
 * (on the LAN, or on the internet against a published server) could take
 * them all and leave everybody else untracked.  The source is the host
 * that opened the control connection, as conntrack saw it arrive.
 */
#include <linux/slab.h>
#include <linux/jhash.h>
#include <linux/hash.h>
#include <net/netfilter/nf_conntrack.h>

#include "pptp_ng.h"

struct pptp_ng_source {
	struct hlist_node node;		/* pptp_ng_net.sources */
	union nf_inet_addr addr;
	u16 l3num;
	unsigned int sessions;
};

static u32 source_hash(u16 l3num, const union nf_inet_addr *a)
{
	return hash_32(jhash2((const u32 *)a, sizeof(*a) / 4, l3num), PPTP_NG_HASH_BITS);
}

/*
 * One more session from @ct's source, or NULL when the source has its
 * share already (or no memory).  Netns lock held.
 */
struct pptp_ng_source *pptp_ng_source_get(struct pptp_ng_net *pn, const struct nf_conn *ct)
{
	const union nf_inet_addr *a = &ct->tuplehash[IP_CT_DIR_ORIGINAL].tuple.src.u3;
	u16 l3num = nf_ct_l3num(ct);
	struct hlist_head *head = &pn->sources[source_hash(l3num, a)];
	struct pptp_ng_source *src;

	hlist_for_each_entry(src, head, node) {
		unsigned int limit = READ_ONCE(pptp_ng_max_sessions_per_source);

		if (src->l3num != l3num || !nf_inet_addr_cmp(&src->addr, a))
			continue;
		if (limit && src->sessions >= limit)
			return NULL;
		src->sessions++;
		return src;
	}
	src = kmalloc(sizeof(*src), GFP_ATOMIC | __GFP_ACCOUNT | __GFP_NOWARN);
	if (!src)
		return NULL;
	src->addr = *a;
	src->l3num = l3num;
	src->sessions = 1;
	hlist_add_head(&src->node, head);
	return src;
}

/* Netns lock held. */
void pptp_ng_source_put(struct pptp_ng_net *pn, struct pptp_ng_source *src)
{
	if (!src || --src->sessions)
		return;
	hlist_del(&src->node);
	kfree(src);
}
