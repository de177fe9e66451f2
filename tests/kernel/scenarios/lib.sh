#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
#
# Shared by tests/kernel/scenarios/*.sh, which run inside the QEMU guest
# (tests/vm/guest.sh) from the project root, after tests/lib/netns.sh and
# tests/sim/lib.sh (pptp-sim helpers, which source netns.sh):
#
#   scenario.sh FACE
#
# FACE is one of the three helpers a firewall can run:
#   pptp-ng    nf_conntrack_pptp_ng (insmod'ed by guest.sh) with the
#              shipped nft/pptp-ng.nft, table inet pptp_ng
#   pptp-ngd   pptp-ngd --backend cthelper started in the fw namespace,
#              which registers the userspace helper "pptp-ng", with the
#              shipped nft/pptp-ngd-cthelper.nft, table inet pptp_ngd_cth
#              (the module must not be loaded: same helper name; run.sh
#              swaps it out)
#   pptp       the stock nf_conntrack_pptp + nf_nat_pptp, for comparison,
#              with nft/pptp-ng.nft and the helper type swapped
#
#   $helper               the face; $NGD, if set, the pptp-ngd to run
#                         instead of build/pptp-ngd
#   $ct_helper            the helper name conntrack -L shows (helper=...)
#   $fw_table             the firewall's table, "FAMILY NAME", for rules a
#                         scenario adds (same chain names in both rulesets)
#   ng_face               true for pptp-ng's own faces (module, daemon),
#                         which keep counters
#   fw_ruleset            load the face's ruleset in fw (the daemon first)
#   fw_counters           the counters as "name value" lines, the names of
#                         /proc/net/nf_pptp_ng (see ngd_counters)
#   fw_counter NAME       one of them
#   fw_show               conntrack tables and counters of fw, for logs
#   face_stop             stop the daemon (after its ruleset, so it can
#                         unregister its helper); at exit too, with the
#                         end of its log after a failure
#   sim_held NS [N]       wait until the pptp-sim started in NS with --hold
#                         holds every call up (it stopped itself); N: until
#                         N pptp-sim in NS do
#   sim_release           let every held pptp-sim go on and clear its calls
#   show_logs             every log and error file in $out, for a failure
#   fail MESSAGE          show_logs, fw_show, then die (scenarios may add to it)

source tests/sim/lib.sh

helper=${1:-pptp-ng}
ngd=${NGD:-$PWD/build/pptp-ngd}
ngd_pid=
case $helper in
pptp-ng)
	ct_helper=pptp-ng fw_table="inet pptp_ng" ;;
pptp)
	modprobe nf_conntrack_pptp && modprobe nf_nat_pptp ||
		die "stock helper modules missing"
	ct_helper=pptp fw_table="inet pptp_ng" ;;
pptp-ngd)
	[ -x "$ngd" ] || die "$ngd missing (make first)"
	! grep -q '^nf_conntrack_pptp_ng ' /proc/modules ||
		die "nf_conntrack_pptp_ng is loaded: pptp-ngd cannot register its helper (run.sh unloads it)"
	for m in nfnetlink_cthelper nfnetlink_queue nfnetlink_cttimeout nf_conntrack_netlink nf_nat nft_ct; do
		modprobe "$m" || die "module $m missing"
	done
	ct_helper=pptp-ng fw_table="inet pptp_ngd_cth" ;;
*) die "unknown face '$helper' (pptp-ng, pptp-ngd or pptp)" ;;
esac
pretty helper "$helper"
trap 'face_stop $?; cleanup; rm -rf "$out"' EXIT

ng_face() { [ "$helper" != pptp ]; }

fw_ruleset() {
	if [ "$helper" = pptp-ngd ]; then
		ngd_start
		n_fw nft -f nft/pptp-ngd-cthelper.nft
		return
	fi
	sed "s/type \"pptp-ng\" protocol tcp/type \"$helper\" protocol tcp/" nft/pptp-ng.nft |
		n_fw nft -f -
}

# ngd_start: the daemon in fw, in the foreground so we own its pid.
ngd_start() {
	local t

	ngd_sock=$out/ngd.sock
	rm -f "$ngd_sock"
	ip netns exec "$pfx-fw" "$ngd" --backend cthelper --user nobody --foreground --socket "$ngd_sock" $NGD_ARGS \
		-v >>"$out/pptp-ngd.log" 2>&1 &
	ngd_pid=$!
	for ((t = 0; t < 100; t++)); do
		[ -S "$ngd_sock" ] && return 0
		kill -0 "$ngd_pid" 2>/dev/null || break
		sleep 0.1
	done
	cat "$out/pptp-ngd.log" >&2
	die "pptp-ngd did not start"
}

# face_stop [STATUS]: the ruleset's `ct helper` object holds the helper,
# so it goes first; then SIGTERM lets the daemon unregister "pptp-ng",
# which the module (loaded again for the next face) needs free.  After a
# failure (STATUS not 0) the end of the daemon's log goes to stderr.
face_stop() {
	if [ "${1:-0}" != 0 ] && [ -s "$out/pptp-ngd.log" ]; then
		echo "--- pptp-ngd.log (the end)" >&2
		tail -n 40 "$out/pptp-ngd.log" >&2
	fi
	[ -n "$ngd_pid" ] || return 0
	n_fw nft delete table $fw_table 2>/dev/null || true
	kill "$ngd_pid" 2>/dev/null || true
	wait "$ngd_pid" 2>/dev/null || true
	ngd_pid=
}

ngd_status() { n_fw "$ngd" --status --socket "$ngd_sock"; }

# ngd_counters: pptp-ngd --status as /proc/net/nf_pptp_ng lines.  Where
# the module's names have a daemon equivalent they are given that name:
#   sessions_live   live_sessions
#   calls_live      calls with GRE open (pinhole: expectations set)
#   ids_live        calls in the session table (each holds its IDs)
#   ids_translated  rewrites (call ID fields rewritten: only translated
#                   IDs are, so at least one per translated call)
#   invalid.*, anomaly.*, refused.*, dropped.*   the core's, same names
#   drop_gre_not_v1 the ruleset's counter gre_not_v1
# and every daemon counter under its own name.  No equivalent:
# global_*_live (no module), drop_invalid (no such option).
ngd_counters() {
	local j o

	j=$(ngd_status) || return 1
	echo "sessions_live $(grep -o '"live_sessions":[0-9]*' <<<"$j" | cut -d: -f2)"
	echo "calls_live $(grep -o '"pinhole":true' <<<"$j" | wc -l)"
	echo "ids_live $(grep -o '"pns_id":' <<<"$j" | wc -l)"
	echo "ids_translated $(grep -o '"rewrites":[0-9]*' <<<"$j" | cut -d: -f2)"
	sed -e 's/.*"counters":{//' -e 's/,"invalid":{.*//' <<<"$j" | tr , '\n' | tr -d '"' | tr : ' '
	echo "drop_gre_not_v1 $(n_fw nft list counter $fw_table gre_not_v1 2>/dev/null |
		grep -o 'packets [0-9]*' | cut -d' ' -f2)"
	for o in invalid:invalid anomalies:anomaly refused:refused dropped:dropped; do
		sed -n "s/.*\"${o%%:*}\":{\([^}]*\)}.*/\1/p" <<<"$j" | tr , '\n' | tr -d '"' |
			sed "s/^/${o#*:}./; s/:/ /"
	done
}

fw_counters() {
	if [ "$helper" = pptp-ngd ]; then
		ngd_counters
	else
		n_fw cat /proc/net/nf_pptp_ng
	fi
}

fw_counter() {
	fw_counters | awk -v k="$1" '$1 == k { print $2 }'
}

fw_show() {
	echo "--- fw conntrack" >&2
	n_fw conntrack -L 2>/dev/null | grep -E 'tcp .*1723|gre' >&2 || true
	echo "--- fw expectations" >&2
	n_fw conntrack -L expect 2>/dev/null >&2 || true
	# a packet lost to a clash (two CPUs, one new GRE flow) shows here
	echo "--- fw conntrack -S (insert_failed, drop, clash_resolve)" >&2
	{
		n_fw conntrack -S 2>/dev/null | grep -o 'cpu=[0-9]*\|insert_failed=[0-9]*\|drop=[0-9]*\|clash_resolve=[0-9]*' |
			tr '\n' ' ' || true
		echo
	} >&2
	# GRE the ruleset dropped (before its call's expectation, say)
	echo "--- fw ruleset: GRE rules that counted packets" >&2
	n_fw nft list ruleset 2>/dev/null | grep -E 'gre.*packets [1-9]' >&2 || true
	case $helper in
	pptp-ng)
		echo "--- fw /proc/net/nf_pptp_ng (non-zero)" >&2
		n_fw awk '$2 != 0' /proc/net/nf_pptp_ng >&2 ;;
	pptp-ngd)
		echo "--- pptp-ngd --status" >&2
		ngd_status >&2 || echo "(pptp-ngd does not answer)" >&2 ;;
	esac
}

# pns_clients N ARGS...: pptp-sim as PNS in client1..N, each against the
# server with ARGS, in the background (pns1..N for sim_wait_status).
pns_clients() {
	local n=$1 i
	shift
	for i in $(seq "$n"); do
		n_client "$i" "$sim" --connect "$server_ip4" --port 1723 --json --role pns "$@" \
			>"$out/pns$i.json" 2>"$out/pns$i.err" &
		bg_pids+=($!) sim_pids+=($!) sim_names+=("pns$i")
	done
}

# sims_or_show WHAT NAME...: after sim_wait_status, every failed side's
# account (one side's failure is often the other's cause), the
# firewall's state, and die.
sims_or_show() {
	local what=$1 name failed=()
	shift
	for name in "$@"; do
		[ "${sim_rc[$name]}" = 0 ] && continue
		echo "--- $name" >&2
		cat "$out/$name.err" >&2
		failed+=("$name")
	done
	[ ${#failed[@]} = 0 ] || { fw_show; die "$what: ${failed[*]} failed"; }
}

# Two sessions that must be up at the same time (colliding call IDs) are
# made so with --hold, whatever the helper's and the machine's speed.
held_pids=()
sim_held() {
	local t p pids n

	for ((t = 0; t < 300; t++)); do
		pids=$(ip netns pids "$pfx-$1" 2>/dev/null)
		n=0
		for p in $pids; do
			[[ $(ps -o stat= -p "$p") == T* ]] && n=$((n + 1))
		done
		if [ "$n" -ge "${2:-1}" ]; then
			held_pids+=($pids)
			return 0
		fi
		sleep 0.1
	done
	fail "pptp-sim in $1 did not hold all its calls up within 30 s"
}

sim_release() {
	[ ${#held_pids[@]} = 0 ] || kill -CONT "${held_pids[@]}"
	held_pids=()
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

