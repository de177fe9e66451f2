// SPDX-License-Identifier: GPL-2.0-only
/*
 * What may use a call's GRE conntrack.  The conntracks pptp-ng's
 * expectations create carry its helper, so every packet on them passes
 * here (nf_confirm calls the helper, before the conntrack is confirmed),
 * and only PPTP's GRE may.
 */
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <net/ipv6.h>
#include <linux/hash.h>
#include <net/netfilter/nf_conntrack.h>
#include <net/netfilter/nf_conntrack_core.h>
#include <net/netfilter/nf_conntrack_expect.h>
#include <net/netfilter/nf_conntrack_zones.h>

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
 * The expectations a conntrack of ours was made for, once it is
 * confirmed: its packets (a paired one's, both directions') find the
 * conntrack now.  Not before: another first packet still on its way
 * would find neither.  Twice is harmless (the second finds none).  An
 * unpaired one's reply tuple is its own, no expectation's.
 */
static void unexpect_pair(struct nf_conn *ct, struct pptp_ng_gre_help *gh)
{
	const struct nf_conntrack_zone *zone = nf_ct_zone(ct->master);
	struct nf_conntrack_expect *exp;
	unsigned int dir;

	WRITE_ONCE(gh->unexpect, false);
	for (dir = 0; dir < IP_CT_DIR_MAX; dir++) {
		exp = nf_ct_expect_find_get(nf_ct_net(ct), zone, &ct->tuplehash[dir].tuple);
		if (!exp)
			continue;
		if (exp->master == ct->master)
			pptp_ng_unexpect(exp);
		nf_ct_expect_put(exp);
	}
}

/*
 * The first packets of a call's two directions on two CPUs at once: each
 * matched its own expectation and made a conntrack, at least one of them
 * claiming the other's tuple as its reply, and the one confirmed second
 * would clash and be dropped (GRE allows no clash).  The same holds for a
 * direction whose GRE came before the call was up, unpaired, racing the
 * pair.  So the first packet of every GRE conntrack of ours confirms it
 * here, under a lock both directions of the call take (their master's),
 * instead of just after help() returns; the second then finds the first
 * confirmed and goes on as its reply, as conntrack resolves clashes, and
 * its own conntrack, never confirmed, goes; or, paired, finds its reply
 * taken and stays a direction of its own.
 */
#define PAIR_LOCK_BITS	6
static spinlock_t pair_locks[1 << PAIR_LOCK_BITS];

void pptp_ng_pair_locks_init(void)
{
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(pair_locks); i++)
		spin_lock_init(&pair_locks[i]);
}

static spinlock_t *pair_lock(const struct nf_conn *master)
{
	return &pair_locks[hash_ptr(master, PAIR_LOCK_BITS)];
}

/* The confirmed conntrack that has @t, with a reference, or NULL. */
static struct nf_conn *ct_with(const struct nf_conn *ct, const struct nf_conntrack_tuple *t,
			       unsigned int *dir)
{
	const struct nf_conntrack_tuple_hash *hash;

	hash = nf_conntrack_find_get(nf_ct_net(ct), nf_ct_zone(ct), t);
	if (!hash)
		return NULL;
	*dir = NF_CT_DIRECTION(hash);
	return nf_ct_tuplehash_to_ctrack(hash);
}

/*
 * The reply @ct had before it was paired (nat.c sets it from the master's
 * other direction, keyed as the receiver chose): no packet has it, it
 * only has to be unique.
 */
static void unpair(struct nf_conn *ct, struct pptp_ng_gre_help *gh)
{
	struct nf_conntrack_tuple reply;

	pptp_ng_gre_tuple(ct->master, !gh->dir, 0, &reply);
	reply.src.u.gre.key = gh->deliver[IP_CT_DIR_ORIGINAL];
	reply.dst.dir = IP_CT_DIR_REPLY;
	nf_conntrack_alter_reply(ct, &reply);
	gh->paired = false;
}

/*
 * Whether the reply a paired @ct claims, the call's other direction, is
 * someone else's: a confirmed conntrack's (GRE that flowed before the pair
 * was expected), or a conntrack's that direction's expectation made and
 * that may still be on its way, unconfirmed.  Confirmed later, that one
 * would clash with our reply.  6.12 resolves the clash here, but 6.1 also
 * looks for clashes when a packet comes back from an NFQUEUE
 * (nf_conntrack_update): finding our reply, it moves the packet onto @ct
 * in @ct's original direction and NATs it that way, so it leaves with
 * the addresses of the wrong direction (row 20-first-packets).  Each
 * direction then keeps a conntrack of its own.  One window stays: the
 * other direction's packet found no conntrack just before @ct was
 * confirmed and marks its expectation just after.
 */
static bool reply_taken(const struct nf_conn *ct)
{
	const struct nf_conntrack_tuple *reply = &ct->tuplehash[IP_CT_DIR_REPLY].tuple;
	struct nf_conntrack_expect *exp;
	struct nf_conn *other;
	unsigned int dir;
	bool made;

	other = ct_with(ct, reply, &dir);
	if (other) {
		nf_ct_put(other);
		return true;
	}
	exp = nf_ct_expect_find_get(nf_ct_net(ct), nf_ct_zone(ct->master), reply);
	if (!exp)
		return false;
	made = exp->master == ct->master &&
	       READ_ONCE(exp->saved_addr.all[PPTP_NG_EXP_MADE]);
	nf_ct_expect_put(exp);
	return made;
}

/*
 * Under the pair's lock: go on as a confirmed conntrack of the call that
 * has our tuple (as its reply, or as its own), or confirm @ct.  When the
 * tuple a paired @ct claims as its reply is taken (reply_taken), @ct
 * gives up its claim and stays a direction of its own.  Returns the
 * verdict and, in @ct and @ctinfo, what the packet now has.
 */
static int meet_pair(struct sk_buff *skb, struct nf_conn **ct, enum ip_conntrack_info *ctinfo)
{
	struct pptp_ng_gre_help *gh = nfct_help_data(*ct);
	struct nf_conn *other;
	unsigned int dir;

	other = ct_with(*ct, &(*ct)->tuplehash[IP_CT_DIR_ORIGINAL].tuple, &dir);
	if (other && other->master == (*ct)->master) {
		/*
		 * The other direction's first packet, confirmed first: go on
		 * as its reply.  Or this direction's other first packet, on
		 * another CPU (the expectation stays until one is confirmed,
		 * so both found it): go on as it, as conntrack merges a
		 * clash where it may (6.12) and drops the packet where it
		 * may not (6.1).
		 */
		if (dir == IP_CT_DIR_REPLY) {
			pptp_ng_count(pptp_ng_pernet(nf_ct_net(other)), PNG_GRE_ADOPTED);
			*ctinfo = IP_CT_ESTABLISHED_REPLY;
		} else {
			pptp_ng_count(pptp_ng_pernet(nf_ct_net(other)), PNG_GRE_JOINED);
			*ctinfo = test_bit(IPS_SEEN_REPLY_BIT, &other->status) ?
				  IP_CT_ESTABLISHED : IP_CT_NEW;
		}
		nf_ct_put(*ct);
		*ct = other;
		nf_ct_set(skb, other, *ctinfo);
		return NF_ACCEPT;
	}
	if (other)
		nf_ct_put(other);
	if (gh->paired && reply_taken(*ct)) {
		unpair(*ct, gh);
		pptp_ng_count(pptp_ng_pernet(nf_ct_net(*ct)), PNG_GRE_UNPAIRED);
	}
	return nf_conntrack_confirm(skb);
}

static int confirm_pair(struct sk_buff *skb, struct nf_conn **ct, enum ip_conntrack_info *ctinfo)
{
	spinlock_t *lock = pair_lock((*ct)->master);
	int ret;

	spin_lock_bh(lock);
	ret = meet_pair(skb, ct, ctinfo);
	spin_unlock_bh(lock);
	return ret;
}

/*
 * Write @key, the receiver's own call ID, into the packet unless it has
 * it: most have, and need no copy.
 */
static int deliver_key(struct sk_buff *skb, unsigned int protoff, __be16 key)
{
	unsigned int off = protoff + PPTP_GRE_OFF_CALL_ID;
	const __be16 *now;
	__be16 _now;

	now = skb_header_pointer(skb, off, sizeof(_now), &_now);
	if (!now)
		return NF_DROP;
	if (*now == key)
		return NF_ACCEPT;
	if (skb_ensure_writable(skb, off + sizeof(key)))
		return NF_DROP;
	memcpy(skb->data + off, &key, sizeof(key));
	return NF_ACCEPT;
}

/*
 * help() of a call's GRE conntrack: only enhanced GRE (version 1, PPTP)
 * may use it.  GRE version 0 between the same hosts has the same tuple
 * when the call's key is 0, and must not ride on a PPTP pinhole.  ICMP
 * errors about the call pass as conntrack related them.  On a paired
 * conntrack, the pair's bookkeeping and its NAT'ed key.
 */
int pptp_ng_gre_help(struct sk_buff *skb, unsigned int protoff, struct nf_conn *ct,
		     enum ip_conntrack_info ctinfo)
{
	struct pptp_ng_gre_help *gh;
	const struct nf_conn *first = ct;
	unsigned int dir;
	u8 _flags[2];
	const u8 *flags;
	int ret;

	if (nf_ct_protonum(ct) != IPPROTO_GRE || skb_l4proto(skb, ct) != IPPROTO_GRE)
		return NF_ACCEPT;
	flags = skb_header_pointer(skb, protoff, sizeof(_flags), _flags);
	if (!flags || (flags[1] & PPTP_GRE_VERSION_MASK) != PPTP_GRE_VERSION_PPTP) {
		pptp_ng_count(pptp_ng_pernet(nf_ct_net(ct)), PNG_DROP_GRE_NOT_V1);
		return NF_DROP;
	}
	gh = nfct_help_data(ct);
	if (!gh)
		return NF_ACCEPT;
	if (!nf_ct_is_confirmed(ct)) {
		ret = confirm_pair(skb, &ct, &ctinfo);
		if (ret != NF_ACCEPT)
			return ret;
		gh = nfct_help_data(ct);
	}
	if (READ_ONCE(gh->unexpect))
		unexpect_pair(ct, gh);
	dir = CTINFO2DIR(ctinfo);
	if (!gh->paired && dir == IP_CT_DIR_REPLY)
		return NF_ACCEPT;	/* an unpaired one's reply is no call direction */
	/*
	 * Without NAT nothing rewrites the key, and no ID is translated; but
	 * a packet that went on as another conntrack (ct is no longer its
	 * own) went through its own conntrack's NAT first, which may have
	 * given it another key.  With NAT, a conntrack paired when NAT saw
	 * the packet gave it the key its reverse tuple has (nat.c): every
	 * packet of a paired one, and the first packets of one unpaired
	 * when confirmed (reply_taken).  The receiver's ID is written back.
	 */
	if (!(ct->status & IPS_NAT_MASK) && ct == first)
		return NF_ACCEPT;
	return deliver_key(skb, protoff, gh->deliver[dir]);
}
