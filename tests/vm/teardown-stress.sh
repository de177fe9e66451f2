#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
#
# teardown-stress.sh [ROUNDS]: in the guest (tests/vm/guest.sh --module
# nf_conntrack_pptp_ng.ko), tear the module's state down with live calls
# ROUNDS times (default 100), as scenario 08-teardown does four times:
#
#   client1 pptp-sim PNS ──┐
#   client2 pptp-sim PNS ──┴─ fw (masquerade, pptp-ng) ── server pptp-sim PAC
#
# Each round two PNS hold 4 calls each up through the firewall (colliding
# call IDs, so some are translated), then
#   odd rounds   the firewall's netns is deleted with the calls live; the
#                module's global counts must fall to 0; then rmmod
#   even rounds  the ruleset is flushed and the module removed with the
#                calls live; then the netns goes
# and after each rmmod kmemleak scans (tests/vm/kmemleak.sh) before the
# module is loaded again.  On the debug kernel KASAN, lockdep and kmemleak
# watch all of it; guest.sh fails the run on any report.

# pptp-sim --hold stops itself (SIGSTOP).  The kernel sends SIGHUP to a
# process group with a stopped member whenever the group is orphaned, and
# the group the guest's init starts COMMAND in counts as orphaned (its one
# link outside is init itself): so the rounds run in a group of their own
# below it, as run.sh runs each scenario under timeout.
if [ -z "$STRESS_GROUP" ]; then
	STRESS_GROUP=1 timeout -k 10 86400 "$0" "$@"
	exit
fi

cd "$(dirname "$0")/../.."
source tests/kernel/scenarios/lib.sh pptp-ng

rounds=${1:-100}
calls=4
mod=nf_conntrack_pptp_ng
ko=$(ls /vm/modules/*$mod.ko 2>/dev/null | head -n 1)
[ -n "$ko" ] || die "no $mod.ko in /vm/modules (run under tests/vm/guest.sh --module)"

# global_left: sessions and call IDs the module still counts, all netns.
global_left() {
	awk '$1 ~ /^global_(sessions|ids)_live$/ { s += $2 } END { print s + 0 }' \
		/proc/net/nf_pptp_ng
}

# unload: rmmod, retried while the conntracks of a deleted netns still
# hold the module (they go in the background).
unload() {
	local t
	for ((t = 0; t < 200; t++)); do
		rmmod "$mod" 2>/dev/null && return 0
		sleep 0.1
	done
	die "round $round: cannot remove $mod"
}

calls_up() {
	local i
	topology 2
	fw_ruleset
	sim_listen pac server "$server_ip4" --role pac --expect-sessions 2 \
		--calls $calls --packets 2 --timeout 120
	for i in 1 2; do
		sim_connect "pns$i" "client$i" "$server_ip4" --role pns --calls $calls \
			--packets 2 --call-id-base 1 --hold --timeout 120
		sim_held "client$i"
	done
	[ "$(fw_counter calls_live)" = $((2 * calls)) ] ||
		fail "round $round: calls_live is $(fw_counter calls_live), not $((2 * calls))"
}

start=$SECONDS
for ((round = 1; round <= rounds; round++)); do
	calls_up
	if ((round % 2)); then
		ip netns del "$pfx-fw"
		for ((t = 0; t < 100; t++)); do
			[ "$(global_left)" = 0 ] && break
			sleep 0.1
		done
		[ "$(global_left)" = 0 ] ||
			{ cat /proc/net/nf_pptp_ng >&2; die "round $round: sessions or IDs left after netns deletion"; }
		unload
	else
		n_fw nft flush ruleset
		unload
	fi
	tests/vm/kmemleak.sh scan || die "round $round: kmemleak suspects a leak after rmmod"
	insmod "$ko"
	# cleanup kills the held pptp-sim and deletes what is left.
	held_pids=() sim_pids=() sim_names=()
	cleanup
	set -e
	bg_pids=()
	((round % 10)) || pretty "round $round" "$((SECONDS - start))s so far"
done
pretty done "$rounds rounds of netns deletion and rmmod with $((2 * calls)) live calls, a kmemleak scan after each rmmod"
