/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Kernel differences, all in one place.  Written against 6.1; the
 * supported kernels are Debian 12's 6.1 cloud kernel and Debian's 6.12
 * cloud and PREEMPT_RT kernels (docs/kernel.md), and kernel/build.test
 * builds against each with W=1.  Debian's stable updates backport
 * netfilter changes into both, so a version number does not tell what a
 * kernel has: each difference below is keyed on what the headers show
 * (a Kbuild feature test, or a macro they define).  Otherwise nothing the
 * module calls differs between them (nf_ct_helper_init(),
 * nf_ct_expect_init() and _related(), nf_nat_setup_info(),
 * proc_create_net_single(), skb_ensure_writable() and the helper area's
 * layout are the same).  On PREEMPT_RT the module's spin_lock_bh()
 * sections sleep: they must not be entered with preemption or interrupts
 * disabled by hand, which the module never does.
 *
 * GRE keymaps: netfilter's 2026 fix of the keymap list race changes
 * nf_ct_gre_keymap_add() to (ct, orig, repl) and installs both entries
 * at once.  pptp-ng calls neither the old nor the new form (see gre.c); it
 * relies only on nf_ct_gre_keymap_destroy() finding NULL keymap[] pointers
 * in its helper area, which layout.c checks against the headers it is
 * built with, so that change needs nothing here.
 *
 * The helper a conntrack created from an expectation gets: Debian's
 * 6.1.18x and 6.12.1xx keep it apart from the master's helper the
 * expectation names (exp->assign_helper; nf_ct_expect_init() leaves it
 * NULL), older kernels assign exp->helper itself.  A feature test in
 * Kbuild sets PPTP_NG_HAVE_ASSIGN_HELPER from the headers, as no version
 * number tells backports apart.
 *
 * Removing an expectation: kernels whose expectations expire by garbage
 * collection instead of a timer each (Debian's 6.1.1xx and 6.12.1xx; the
 * uapi header then defines NF_CT_EXPECT_DEAD) only mark one that
 * nf_ct_unexpect_related() removes.  It keeps its place in the table,
 * counted against nf_conntrack_expect_max, until the conntrack gc next
 * visits its master, up to a minute later: with more call setups a
 * minute than the table has entries (120 in 1 GB), it fills with calls
 * that are long up, and the next calls get no GRE.
 * pptp_ng_unexpect() unlinks it at once, as the SIP helper does there.
 *
 * A queued packet coming back (nf_reinject): 6.1 looks the tuple of its
 * unconfirmed conntrack up again (__nf_conntrack_update) and, finding a
 * confirmed one, moves the packet onto it in the direction the packet had,
 * NATing it that way even when it found the other's reply; 6.12's
 * nf_conntrack_update only confirms userspace helpers' conntracks.  That
 * is code, not headers, so this one difference is keyed on the version:
 * PPTP_NG_REINJECT_MOVES_PACKETS below 6.12 (guard.c).  Kernels between
 * were not read and get 6.1's way, which holds on either.
 *
 * Helper registration: 6.1 registers an array of helpers in one call and
 * fills them with nf_ct_helper_init().  Kernels that change either get
 * their variant here, keyed on what their headers show, so the rest of the
 * module does not change.
 */
#ifndef PPTP_NG_COMPAT_H
#define PPTP_NG_COMPAT_H

#include <linux/version.h>
#include <net/netfilter/nf_conntrack_helper.h>
#include <net/netfilter/nf_conntrack_core.h>
#include <net/netfilter/nf_conntrack_expect.h>

#if LINUX_VERSION_CODE < KERNEL_VERSION(6, 12, 0)
#define PPTP_NG_REINJECT_MOVES_PACKETS	1
#else
#define PPTP_NG_REINJECT_MOVES_PACKETS	0
#endif

/* The conntrack @exp creates gets helper @h. */
static inline void pptp_ng_expect_assign_helper(struct nf_conntrack_expect *exp,
						struct nf_conntrack_helper *h)
{
#ifdef PPTP_NG_HAVE_ASSIGN_HELPER
	rcu_assign_pointer(exp->assign_helper, h);
#else
	rcu_assign_pointer(exp->helper, h);
#endif
}

/*
 * Conntrack @ct expires @extra jiffies from now: nf_ct_refresh() lost its
 * skb argument after 6.1 (a Kbuild feature test tells which it has).
 */
static inline void pptp_ng_ct_refresh(struct nf_conn *ct, const struct sk_buff *skb, u32 extra)
{
#ifdef PPTP_NG_REFRESH_TAKES_SKB
	nf_ct_refresh(ct, skb, extra);
#else
	nf_ct_refresh(ct, extra);
#endif
}

/*
 * Remove @exp (the caller holds a reference) now, not at the next gc.
 * Under the expectation lock an expectation still on its master's list
 * is linked; one already unlinked is not there.
 */
static inline void pptp_ng_unexpect(struct nf_conntrack_expect *exp)
{
#ifdef NF_CT_EXPECT_DEAD
	struct nf_conn_help *help = nfct_help(exp->master);
	struct nf_conntrack_expect *i;

	spin_lock_bh(&nf_conntrack_expect_lock);
	if (help) {
		hlist_for_each_entry(i, &help->expectations, lnode) {
			if (i == exp) {
				nf_ct_unlink_expect(exp);
				break;
			}
		}
	}
	spin_unlock_bh(&nf_conntrack_expect_lock);
#else
	nf_ct_unexpect_related(exp);
#endif
}

static inline int pptp_ng_helpers_register(struct nf_conntrack_helper *h, unsigned int n)
{
	return nf_conntrack_helpers_register(h, n);
}

static inline void pptp_ng_helpers_unregister(struct nf_conntrack_helper *h, unsigned int n)
{
	nf_conntrack_helpers_unregister(h, n);
}

#endif /* PPTP_NG_COMPAT_H */
