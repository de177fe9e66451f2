// SPDX-License-Identifier: GPL-2.0-only
/* Compile-time checks of the helper area against the kernel's own layout. */
#include <linux/build_bug.h>
#include <linux/stddef.h>
#include <linux/netfilter/nf_conntrack_pptp.h>
#include <net/netfilter/nf_conntrack_helper.h>

#include "compat.h"
#include "help_area.h"

static_assert(offsetof(struct pptp_ng_help, keymap) ==
	      offsetof(struct nf_ct_pptp_master, keymap));
static_assert(sizeof(struct pptp_ng_help) <= sizeof_field(struct nf_conn_help, data));
static_assert(sizeof(struct pptp_ng_gre_help) <= sizeof(struct pptp_ng_help));
