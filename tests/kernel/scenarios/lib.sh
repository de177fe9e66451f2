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
#   show_logs             every log and error file in $out, for a failure
#   fail MESSAGE          show_logs, fw_show, then die (scenarios may add to it)

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

show_logs() {
	local f
	for f in "$out"/*.log "$out"/*.err; do
		[ -e "$f" ] || continue
		printf -- '--- %s\n' "${f##*/}" >&2
		cat "$f" >&2
	done
}

fail() {
	show_logs
	fw_show
	die "$@"
}

# outside N: N more hosts on the wan side, out1..outN at 203.0.113.11..,
# behind a switch in the server namespace (which keeps 203.0.113.2):
#
#   fw wan 203.0.113.1 ── eth0 server sw 203.0.113.2 ─┬─ out1 eth0 203.0.113.11
#                                                     └─ outN eth0 203.0.113.1N
outside_ip4() { echo "203.0.113.$((10 + $1))"; }
n_out() { local i=$1; shift; n "out$i" "$@"; }
outside() {
	local i
	n_server ip addr flush dev eth0
	n_server ip link add sw type bridge
	n_server ip link set eth0 master sw
	n_server ip link set sw up
	n_server ip addr add "$server_ip4/24" dev sw
	n_server ip addr add "$server_ip6/64" dev sw nodad
	n_server ip route replace default via "$fw_wan_ip4"
	n_server ip -6 route replace default via "$fw_wan_ip6"
	for ((i = 1; i <= $1; i++)); do
		ns_add "out$i"
		veth "out$i" eth0 server "o$i"
		n_server ip link set "o$i" master sw
		n_out "$i" ip addr add "$(outside_ip4 "$i")/24" dev eth0
		n_out "$i" ip route add default via "$fw_wan_ip4"
	done
}
