#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
#
# Shared by tests/kernel/scenarios/*.sh, which run inside the QEMU guest
# (tests/vm/guest.sh) from the project root, after tests/lib/netns.sh and
# tests/sim/lib.sh (pptp-sim helpers, which source netns.sh):
#
#   scenario.sh HELPER
#
# HELPER is "pptp-ng" (nf_conntrack_pptp_ng, insmod'ed by guest.sh) or
# "pptp" (the stock nf_conntrack_pptp + nf_nat_pptp, for comparison).  The
# firewall runs the shipped nft/pptp-ng.nft with the helper type swapped.
#
#   fw_ruleset            load the ruleset into the fw namespace
#   fw_counter NAME       a /proc/net/nf_pptp_ng counter in fw (pptp-ng only)
#   fw_show               conntrack tables and counters of fw, for logs

source tests/sim/lib.sh

helper=${1:-pptp-ng}
case $helper in
pptp-ng) ;;
pptp) modprobe nf_conntrack_pptp && modprobe nf_nat_pptp ||
	die "stock helper modules missing" ;;
*) die "unknown helper '$helper' (pptp-ng or pptp)" ;;
esac
pretty helper "$helper"

fw_ruleset() {
	sed "s/type \"pptp-ng\" protocol tcp/type \"$helper\" protocol tcp/" nft/pptp-ng.nft |
		n_fw nft -f -
}

fw_counter() {
	n_fw awk -v k="$1" '$1 == k { print $2 }' /proc/net/nf_pptp_ng
}

fw_show() {
	echo "--- fw conntrack" >&2
	n_fw conntrack -L 2>/dev/null | grep -E 'tcp .*1723|gre' >&2 || true
	echo "--- fw expectations" >&2
	n_fw conntrack -L expect 2>/dev/null >&2 || true
	if [ "$helper" = pptp-ng ]; then
		echo "--- fw /proc/net/nf_pptp_ng (non-zero)" >&2
		n_fw awk '$2 != 0' /proc/net/nf_pptp_ng >&2
	fi
}
