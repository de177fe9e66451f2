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
 * unpaired one's reply tuple is its own, no expectation's.  One unpaired
 * while the other direction's first packet was on its way keeps its own
 * expectation until that one is confirmed (claim_reply).  With
 * failover=1 the expectation stays for the call's life, a carrier
 * (failover.c): it only stops saying it made a conntrack on its way.
 */
static void unexpect_tuple(const struct nf_conn *ct, const struct nf_conntrack_tuple *t)
{
	struct nf_conntrack_expect *exp;

	exp = nf_ct_expect_find_get(nf_ct_net(ct), nf_ct_zone(ct->master), t);
	if (!exp)
		return;
	if (exp->master == ct->master) {
		if (pptp_ng_failover)
			WRITE_ONCE(exp->saved_addr.all[PPTP_NG_EXP_MADE], 0);
		else
			pptp_ng_unexpect(exp);
	}
	nf_ct_expect_put(exp);
}

static void unexpect_pair(struct nf_conn *ct, struct pptp_ng_gre_help *gh)
{
	WRITE_ONCE(gh->unexpect, false);
	if (!gh->keep_exp)
		unexpect_tuple(ct, &ct->tuplehash[IP_CT_DIR_ORIGINAL].tuple);
	unexpect_tuple(ct, &ct->tuplehash[IP_CT_DIR_REPLY].tuple);
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
 * taken and stays a direction of its own, or takes the first over.
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
 * GRE conntracks our expectations made that have not reached their
 * confirmation: on their way on another CPU, or held in a queue, where
 * 6.1 would move one that meets a paired reply onto the pair, the wrong
 * way (claim_reply).  A conntrack leaves the count at its confirmation
 * (meet_pair) or, never confirmed, when it is destroyed.
 */
void pptp_ng_gre_made(struct nf_conn *ct)
{
	struct pptp_ng_gre_help *gh = nfct_help_data(ct);

	if (!PPTP_NG_REINJECT_MOVES_PACKETS || !gh)
		return;	/* only take_over() asks, and only there */
	gh->unconfirmed = true;
	atomic_inc(&pptp_ng_pernet(nf_ct_net(ct))->gre_unconfirmed);
}

void pptp_ng_gre_unmade(struct nf_conn *ct)
{
	struct pptp_ng_gre_help *gh = nfct_help_data(ct);

	if (!gh || !gh->unconfirmed)
		return;
	gh->unconfirmed = false;
	atomic_dec(&pptp_ng_pernet(nf_ct_net(ct))->gre_unconfirmed);
}

/*
 * @other, confirmed, has the tuple a paired @ct claims as its reply as
 * its own original: when it is the call's other direction left on its own
 * (unpaired when confirmed while @ct's first packet was on its way, see
 * claim_reply), @ct takes that direction over and @other goes.  Packets
 * already on @other go on with it; one that comes before @ct is
 * confirmed, a moment later under the same lock, finds the expectation
 * @other kept and goes on as @ct's reply (meet_pair).
 */
static bool take_over(const struct nf_conn *ct, struct nf_conn *other, unsigned int dir)
{
	const struct pptp_ng_gre_help *oh = nfct_help_data(other);

	if (!PPTP_NG_REINJECT_MOVES_PACKETS)
		return false;	/* no conntrack is left on its own for it (claim_reply) */
	if (other->master != ct->master || dir != IP_CT_DIR_ORIGINAL || !oh || oh->paired)
		return false;
	/*
	 * A packet of @other's direction still held unconfirmed in a queue
	 * would meet our reply when it comes back (6.1): not while any
	 * GRE conntrack of the netns is on its way (rare but for queues).
	 */
	if (atomic_read(&pptp_ng_pernet(nf_ct_net(ct))->gre_unconfirmed))
		return false;
	if (!nf_ct_delete(other, 0, 0))
		return false;
	pptp_ng_count(pptp_ng_pernet(nf_ct_net(ct)), PNG_GRE_TAKEN_OVER);
	return true;
}

enum reply_claim {
	REPLY_FREE,		/* no one has it: keep the claim */
	REPLY_TAKEN_OVER,	/* the call's other direction had it: now ours */
	REPLY_HELD,		/* a confirmed conntrack has it */
	REPLY_ON_ITS_WAY,	/* a conntrack the expectation made may have it soon */
};

/*
 * Whether a paired @ct may keep the reply it claims, the call's other
 * direction.  Not when a confirmed conntrack has it that is not the
 * call's (GRE that flowed before the pair was expected), nor, where a
 * queue moves packets (compat.h), when that direction's expectation made
 * a conntrack that may still be on its way, unconfirmed.  6.12 has such a
 * one adopted when it is confirmed (meet_pair), but 6.1 also looks for
 * clashes when a packet comes back from an NFQUEUE (nf_conntrack_update):
 * finding our reply, it moves the packet onto @ct in @ct's original
 * direction and NATs it that way, so it leaves with the addresses of the
 * wrong direction (row 20-first-packets).  There @ct stays one direction
 * and, when the other one is confirmed, that one takes it over
 * (take_over): one conntrack a call again.  One window stays: the other
 * direction's packet found no conntrack just before @ct was confirmed and
 * marks its expectation just after.
 */
static enum reply_claim claim_reply(const struct nf_conn *ct)
{
	const struct nf_conntrack_tuple *reply = &ct->tuplehash[IP_CT_DIR_REPLY].tuple;
	struct nf_conntrack_expect *exp;
	struct nf_conn *other;
	unsigned int dir;
	bool made;

	other = ct_with(ct, reply, &dir);
	if (other) {
		/*
		 * Not the expectation: the one that made @other may still
		 * be there (kept, or its help has yet to remove it), marked.
		 */
		made = take_over(ct, other, dir);
		nf_ct_put(other);
		return made ? REPLY_TAKEN_OVER : REPLY_HELD;
	}
	/* Elsewhere the other direction's conntrack adopts the packet (meet_pair). */
	if (!PPTP_NG_REINJECT_MOVES_PACKETS)
		return REPLY_FREE;
	exp = nf_ct_expect_find_get(nf_ct_net(ct), nf_ct_zone(ct->master), reply);
	if (!exp)
		return REPLY_FREE;
	made = exp->master == ct->master &&
	       READ_ONCE(exp->saved_addr.all[PPTP_NG_EXP_MADE]);
	nf_ct_expect_put(exp);
	return made ? REPLY_ON_ITS_WAY : REPLY_FREE;
}

/*
 * A paired @ct that may not keep its claim stays a direction of its own.
 * When the other direction's conntrack is on its way, @ct keeps its own
 * expectation for the moment that one takes @ct over (take_over); when
 * a confirmed one holds it, whatever expectation made that one goes now
 * (it was kept for us).
 */
static void settle_claim(struct nf_conn *ct, struct pptp_ng_gre_help *gh)
{
	enum reply_claim claim = claim_reply(ct);

	if (claim == REPLY_FREE || claim == REPLY_TAKEN_OVER)
		return;
	if (claim == REPLY_HELD)
		unexpect_tuple(ct, &ct->tuplehash[IP_CT_DIR_REPLY].tuple);
	gh->keep_exp = claim == REPLY_ON_ITS_WAY;
	unpair(ct, gh);
	pptp_ng_count(pptp_ng_pernet(nf_ct_net(ct)), PNG_GRE_UNPAIRED);
}

/*
 * Under the pair's lock: go on as a confirmed conntrack of the call that
 * has our tuple (as its reply, or as its own), or confirm @ct.  When a
 * paired @ct may not keep the reply it claims (claim_reply), it gives up
 * the claim and stays a direction of its own.  Returns the
 * verdict and, in @ct and @ctinfo, what the packet now has.
 */
static int meet_pair(struct sk_buff *skb, struct nf_conn **ct, enum ip_conntrack_info *ctinfo)
{
	struct pptp_ng_gre_help *gh = nfct_help_data(*ct);
	struct nf_conn *other;
	unsigned int dir;
	int ret;

	pptp_ng_gre_unmade(*ct);
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
	if (gh->paired)
		settle_claim(*ct, gh);
	ret = nf_conntrack_confirm(skb);
	/*
	 * 6.12 may resolve a clash in there: the packet then goes on as the
	 * conntrack that won, and ours, no longer the packet's, may be gone.
	 */
	other = *ct;
	*ct = nf_ct_get(skb, ctinfo);
	if (ret == NF_ACCEPT && *ct != other)
		pptp_ng_count(pptp_ng_pernet(nf_ct_net(*ct)), PNG_GRE_CLASH);
	return ret;
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

/* Set up by our expectfn (nat.c), not made from an expectation conntrackd copied. */
bool pptp_ng_gre_ours(const struct nf_conn *ct)
{
	const struct pptp_ng_gre_help *gh;

	if (!nfct_help(ct))
		return false;	/* a copy's conntrack has no helper area at all */
	gh = nfct_help_data(ct);
	return gh->ours;
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
	const struct nf_conn *first = ct, *master;
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
	if (!nf_ct_is_confirmed(ct) && !gh->ours) {
		/*
		 * Made from an expectation conntrackd copied that no call was
		 * taken over from (failover=0 here, or its halves did not
		 * pair): it has no NAT of the call and its key would go out
		 * as the sender wrote it.
		 */
		pptp_ng_count(pptp_ng_pernet(nf_ct_net(ct)), PNG_DROP_COPIED);
		return NF_DROP;
	}
	if (!nf_ct_is_confirmed(ct)) {
		master = ct->master;
		ret = confirm_pair(skb, &ct, &ctinfo);
		if (ret != NF_ACCEPT)
			return ret;
		/* a clash's winner that is no GRE conntrack of this call is not ours */
		if (!ct || ct->master != master)
			return NF_ACCEPT;
		gh = nfct_help_data(ct);
		if (!gh)
			return NF_ACCEPT;
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
	 * when confirmed (claim_reply).  The receiver's ID is written back.
	 */
	if (!(ct->status & IPS_NAT_MASK) && ct == first)
		return NF_ACCEPT;
	return deliver_key(skb, protoff, gh->deliver[dir]);
}
