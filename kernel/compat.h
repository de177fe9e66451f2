/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Kernel-version differences, all in one place.  Written against 6.1.
 *
 * GRE keymaps: netfilter's 2026 fix of the keymap list race changes
 * nf_ct_gre_keymap_add() to (ct, orig, repl) and installs both entries
 * at once.  pptp-ng calls neither the old nor the new form (see gre.c); it
 * relies only on nf_ct_gre_keymap_destroy() finding NULL keymap[] pointers
 * in its helper area, which layout.c checks against the headers it is
 * built with, so that change needs nothing here.
 *
 * Helper registration: 6.1 registers an array of helpers in one call and
 * fills them with nf_ct_helper_init().  Kernels that change either get
 * their variant here, keyed on LINUX_VERSION_CODE, so the rest of the
 * module does not change.
 */
#ifndef PPTP_NG_COMPAT_H
#define PPTP_NG_COMPAT_H

#include <linux/version.h>
#include <net/netfilter/nf_conntrack_helper.h>

static inline int pptp_ng_helpers_register(struct nf_conntrack_helper *h, unsigned int n)
{
	return nf_conntrack_helpers_register(h, n);
}

static inline void pptp_ng_helpers_unregister(struct nf_conntrack_helper *h, unsigned int n)
{
	nf_conntrack_helpers_unregister(h, n);
}

#endif /* PPTP_NG_COMPAT_H */
