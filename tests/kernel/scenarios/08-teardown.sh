#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
#
# Tear down with live calls, repeatedly: three real pptp-linux clients hold
# calls up through the firewall (as in 02-real-clients.sh), then either the
# firewall's network namespace is deleted or the module is removed (after
# the ruleset that holds it) and loaded again.  Four rounds; the guest
# harness fails the run on any Oops, BUG or WARNING, and after a netns
# deletion the module's global counts of sessions and call IDs must fall
# back to 0.  pptp-ng only.

cd "$(dirname "$0")/../../.."
source tests/kernel/scenarios/lib.sh

[ "$helper" = pptp-ng ] || { echo "SKIP: pptp-ng only" >&2; exit 77; }
# guest.sh keeps the --module files there, numbered.
ko=$(ls /vm/modules/*nf_conntrack_pptp_ng.ko 2>/dev/null | head -n 1)
[ -n "$ko" ] || { echo "SKIP: no nf_conntrack_pptp_ng.ko in /vm/modules (run in tests/vm/guest.sh)" >&2; exit 77; }
fake_pppd=$PWD/build/tests/fake-pppd
pptp_echo=$PWD/build/tests/pptp-echo
nclients=3

# calls_up: real clients with their calls held up, counted by the module.
calls_up() {
	local i t ready
	topology $nclients
	fw_ruleset
	printf 'localip 198.51.100.1\nremoteip 198.51.100.11-19\n' >"$out/pptpd.conf"
	bg server pptpd -f -c "$out/pptpd.conf" -p "$out/pptpd.pid" \
		--ppp "$fake_pppd" >"$out/pptpd.log" 2>&1
	wait_for_tcp server 1723
	rm -f "$out/hold"
	mkfifo "$out/hold"
	exec 9<>"$out/hold"
	for ((i = 1; i <= nclients; i++)); do
		n_client "$i" "$pptp_echo" -m -H -n 16 -t 30 "$server_ip4" \
			<"$out/hold" >"$out/client$i.log" 2>&1 9>&- &
		bg_pids+=($!)
	done
	for ((t = 0; t < 300; t++)); do
		ready=$(cat "$out"/client*.log 2>/dev/null | grep -c '^pptp-echo: ok' || true)
		[ "$ready" = $nclients ] && break
		sleep 0.1
	done
	[ "$ready" = $nclients ] || { cat "$out"/client*.log >&2; die "clients not up"; }
	[ "$(fw_counter calls_live)" = $nclients ] || die "calls_live is not $nclients"
}

for round in 1 2 3 4; do
	calls_up
	if ((round % 2)); then
		pretty "round $round" "delete the firewall's netns with $nclients live calls"
		ip netns del "$pfx-fw"
		# The netns goes away in the background; then nothing may be left.
		for ((t = 0; t < 100; t++)); do
			left=$(awk '$1 ~ /^global_(sessions|ids)_live$/ { s += $2 } END { print s + 0 }' \
				/proc/net/nf_pptp_ng)
			[ "$left" = 0 ] && break
			sleep 0.1
		done
		[ "$left" = 0 ] || { cat /proc/net/nf_pptp_ng >&2; die "sessions or IDs left after netns deletion"; }
	else
		pretty "round $round" "remove the module with $nclients live calls, load it again"
		n_fw nft flush ruleset
		rmmod nf_conntrack_pptp_ng
		insmod "$ko"
	fi
	exec 9>&-
	cleanup
	bg_pids=()
done
sleep 1
grep -q '^nf_conntrack_pptp_ng ' /proc/modules || die "module not loaded at the end"
pretty done "4 teardowns with live calls, no oops"
