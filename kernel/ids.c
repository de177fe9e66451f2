// SPDX-License-Identifier: GPL-2.0-only
/*
 * Translated call IDs.  The ID a call's sender is seen with must be unique
 * per (address the sender is seen as, address the receiver sends GRE
 * from): that pair and the key are all a GRE packet from the receiver
 * carries.  Each such pair with IDs in use has an ID space (the shared
 * core's bitmap, nat.h), and the core's policy picks the ID, so the
 * module, the daemon and `pptp-ng explain` agree on it.  A choice costs
 * one pass over the bitmap at most, under the netns lock, however many
 * IDs are taken.
 *
 * Only senders behind NAT (pptp_set_translated) have their IDs chosen
 * here; the other side's IDs pass as they are.
 */
#include <linux/slab.h>
#include <linux/jhash.h>
#include <linux/hash.h>
#include <net/netfilter/nf_conntrack.h>

#include "pptp_ng.h"

struct pptp_ng_space {
	struct hlist_node node;		/* pptp_ng_net.spaces */
	union nf_inet_addr seen;
	union nf_inet_addr peer;
	u16 l3num;
	struct pptp_id_space ids;
};

/* An ID a session holds in a space, to hand back at its call's end. */
struct pptp_ng_xid {
	struct list_head node;		/* pptp_ng_session.xids */
	struct pptp_ng_space *space;
	u16 id;
	u16 xid;
	u8 role;
};

static u32 space_hash(u16 l3num, const union nf_inet_addr *seen, const union nf_inet_addr *peer)
{
	u32 h = jhash2((const u32 *)seen, sizeof(*seen) / 4, l3num);

	return hash_32(jhash2((const u32 *)peer, sizeof(*peer) / 4, h), PPTP_NG_HASH_BITS);
}

/* The space of (@seen, @peer), created if needed; netns lock held. */
static struct pptp_ng_space *space_get(struct pptp_ng_net *pn, u16 l3num,
				       const union nf_inet_addr *seen,
				       const union nf_inet_addr *peer)
{
	struct hlist_head *head = &pn->spaces[space_hash(l3num, seen, peer)];
	struct pptp_ng_space *sp;

	hlist_for_each_entry(sp, head, node)
		if (sp->l3num == l3num && nf_inet_addr_cmp(&sp->seen, seen) &&
		    nf_inet_addr_cmp(&sp->peer, peer))
			return sp;
	/* Charged to the netns's memory cgroup, like its conntracks. */
	sp = kmalloc(sizeof(*sp), GFP_ATOMIC | __GFP_ACCOUNT | __GFP_NOWARN);
	if (!sp)
		return NULL;
	sp->seen = *seen;
	sp->peer = *peer;
	sp->l3num = l3num;
	pptp_ids_init(&sp->ids);
	hlist_add_head(&sp->node, head);
	return sp;
}

static void space_put_id(struct pptp_ng_net *pn, struct pptp_ng_space *sp, u16 xid)
{
	pptp_ids_put(&sp->ids, xid);
	pn->ids_live--;
	if (!sp->ids.live) {
		hlist_del(&sp->node);
		kfree(sp);
	}
}

/*
 * Take @xid for @role's @id in the space of the sender in @dir: the
 * core's choice (@pick), or one a peer firewall chose (failover.c), which
 * must be free here.
 */
static int hold(struct pptp_ng_session *s, unsigned int dir, u8 role, u16 id, u16 *xid,
		bool pick)
{
	struct pptp_ng_net *pn = s->pn;
	const struct nf_conntrack_tuple *back = &s->ct->tuplehash[!dir].tuple;
	struct pptp_ng_space *sp;
	struct pptp_ng_xid *x;
	bool ok;

	x = kzalloc(sizeof(*x), GFP_ATOMIC | __GFP_ACCOUNT | __GFP_NOWARN);
	if (!x)
		return -ENOMEM;
	spin_lock_bh(&pn->lock);
	/* Seen as the reply's destination, by the reply's source. */
	sp = space_get(pn, nf_ct_l3num(s->ct), &back->dst.u3, &back->src.u3);
	ok = sp && (pick ? !pptp_nat_pick(&s->t, &sp->ids, role, id, xid) :
		    *xid && !pptp_ids_used(&sp->ids, *xid));
	if (ok && !pick)
		pptp_ids_take(&sp->ids, *xid);
	if (!ok) {
		if (sp && !sp->ids.live) {
			hlist_del(&sp->node);
			kfree(sp);
		}
		spin_unlock_bh(&pn->lock);
		kfree(x);
		return -EBUSY;
	}
	pn->ids_live++;
	spin_unlock_bh(&pn->lock);
	atomic_inc(&pptp_ng_global_ids);
	x->space = sp;
	x->id = id;
	x->xid = *xid;
	x->role = role;
	list_add(&x->node, &s->xids);
	if (*xid != id)
		pptp_ng_count(pn, PNG_IDS_TRANSLATED);
	return 0;
}

/*
 * ops->map_id: the sender of the segment being fed names a new call ID.
 * Behind NAT, the core's policy chooses what the other side sees (the ID
 * itself when free); otherwise it stays as it is.
 */
int pptp_ng_map_id(void *ctx, const struct pptp_tracker *t, unsigned int dir, u8 role, u16 id,
		   u16 *xid)
{
	struct pptp_ng_session *s = ctx;

	if (!t->translated[dir])
		return 0;
	return hold(s, dir, role, id, xid, true);
}

/* A call taken over (failover.c) keeps the ID its sender in @dir was seen with. */
int pptp_ng_hold_id(struct pptp_ng_session *s, unsigned int dir, u8 role, u16 id, u16 xid)
{
	if (!s->t.translated[dir])
		return xid == id ? 0 : -EINVAL;
	return hold(s, dir, role, id, &xid, false);
}

static void xid_free(struct pptp_ng_net *pn, struct pptp_ng_xid *x)
{
	spin_lock_bh(&pn->lock);
	space_put_id(pn, x->space, x->xid);
	spin_unlock_bh(&pn->lock);
	atomic_dec(&pptp_ng_global_ids);
	list_del(&x->node);
	kfree(x);
}

/* An ID map_id gave is handed back (UNMAP or the call's end). */
void pptp_ng_unmap(struct pptp_ng_session *s, u8 role, u16 id, u16 xid)
{
	struct pptp_ng_xid *x;

	list_for_each_entry(x, &s->xids, node)
		if (x->role == role && x->id == id && x->xid == xid) {
			xid_free(s->pn, x);
			return;
		}
}

void pptp_ng_unmap_all(struct pptp_ng_session *s)
{
	struct pptp_ng_xid *x, *tmp;

	/* cppcheck-suppress unknownMacro */
	list_for_each_entry_safe(x, tmp, &s->xids, node)
		xid_free(s->pn, x);
}
