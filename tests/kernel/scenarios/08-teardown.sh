#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
#
# Tear down with live calls, repeatedly: three real pptp-linux clients hold
# calls up through the firewall (as in 02-real-clients.sh), then
#   pptp-ng   either the firewall's network namespace is deleted or the
#             module is removed (after the ruleset that holds it) and
#             loaded again; after a netns deletion the module's global
#             counts of sessions and call IDs must fall back to 0;
#   pptp-ngd  either the daemon is killed (-9) and the firewall's netns
#             deleted, or the daemon is killed (-9) and started again in
#             the same netns: it must register its helper again (the
#             ruleset still holds the old registration), answer, and live
#             through the old calls' hang-up, which it sees midstream.
# Four rounds; the guest harness fails the run on any Oops, BUG or
# WARNING.  pptp-ng's faces only.

cd "$(dirname "$0")/../../.."
source tests/kernel/scenarios/lib.sh

ng_face || { echo "SKIP: pptp-ng's faces only" >&2; exit 77; }
if [ "$helper" = pptp-ng ]; then
	# guest.sh keeps the --module files there, numbered.
	ko=$(ls /vm/modules/*nf_conntrack_pptp_ng.ko 2>/dev/null | head -n 1)
	[ -n "$ko" ] || { echo "SKIP: no nf_conntrack_pptp_ng.ko in /vm/modules (run in tests/vm/guest.sh)" >&2; exit 77; }
fi
fake_pppd=$PWD/build/tests/fake-pppd
pptp_echo=$PWD/build/tests/pptp-echo
nclients=3

# calls_up: real clients with their calls held up, counted by the helper.
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

# ngd_teardown ROUND: the daemon's turn, see the top.
ngd_teardown() {
	kill -9 "$ngd_pid"
	wait "$ngd_pid" 2>/dev/null || true
	ngd_pid=
	if (($1 % 2)); then
		pretty "round $1" "kill -9 pptp-ngd and delete the firewall's netns with $nclients live calls"
		ip netns del "$pfx-fw"
		return
	fi
	pretty "round $1" "kill -9 pptp-ngd with $nclients live calls, start it again"
	ngd_start
	ngd_status >/dev/null || die "the restarted pptp-ngd does not answer"
	exec 9>&-
	for ((t = 0; t < 50; t++)); do
		pgrep -f pptp-echo >/dev/null || break
		sleep 0.1
	done
	sleep 1
	kill -0 "$ngd_pid" 2>/dev/null || { show_logs; die "pptp-ngd died on the old calls' hang-up"; }
	face_stop
}

for round in 1 2 3 4; do
	calls_up
	if [ "$helper" = pptp-ngd ]; then
		ngd_teardown $round
	elif ((round % 2)); then
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
[ "$helper" != pptp-ng ] || grep -q '^nf_conntrack_pptp_ng ' /proc/modules ||
	die "module not loaded at the end"
pretty done "4 teardowns with live calls, no oops"
