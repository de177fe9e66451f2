#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
#
# Benchmark 2: scale.  10,000 concurrent calls from one client through one
# NAT address to one server, as 2,000 control connections x 5 calls and as
# 10,000 x 1.  pptp-sim's PNS opens them all; with --hold no call is
# cleared before every call is up and its GRE verified both ways (one
# packet each way, checked by call ID and source); the PNS then stops
# itself, we measure, and it clears them all.  Measured with every call
# up: the kernel's slab objects in use (every cache, /proc/slabinfo) and
# the daemon's RSS, each minus its value before the run, per call.
#
# Faces: the stock helper, nf_conntrack_pptp_ng and pptp-ngd cthelper in
# one QEMU guest (same kernel: their slab figures compare); pptp-ngd
# nfqueue and the stock helper on this host.
#
# While working on it: SCALE_SHAPES="2000x5" (instead of the size's),
# SCALE_HOST="stock ngd", SCALE_GUEST="module cth vmstock" pick what runs
# (empty: none there); SCALE_GUEST_LOG=FILE takes the guest's figures from
# the console log of an earlier run (its BENCH lines) instead of a guest.

source "$(dirname "$0")/lib.sh"

shapes=${SCALE_SHAPES:-$(bench_size "20x5 50x1" "2000x5 10000x1")}
timeout=$(bench_size 20 240)
vm_timeout=$(bench_size 30 300)
# The emulated guest cannot take 10,000 SYNs at once (drops, retransmits,
# resets): its PNS opens one control connection every vm_pace ms.
vm_pace=$(bench_size 0 8)
bench_begin 2 "Scale: 10,000 concurrent calls through one NAT address"

source bench/faces.inc
faces_topology

declare -A got

# scale_record TAG: the last measure_scale as one line, "BENCH TAG ..." in
# the guest (guest_run collects it), into ${got[TAG]} here.
scale_record() {
	local v="${scale[slab]:--};${scale[rss_kb]:--};${scale[gre]:--};${scale[expect]:--}"
	v+=";${scale[up_ms]:--};${scale[up]:--};${scale[complete]:--};${scale[calls]};$result"
	echo "BENCH $1 $v"
}

# scale_faces TIMEOUT FACE...: each face at each shape; the stock helper
# tracks one call per control connection, so only shapes of one call.
scale_faces() {
	local t=$1 f shape; shift
	# 10,000 connections from one address, some runs within TIME_WAIT
	n_client 1 sysctl -qw net.ipv4.ip_local_port_range="1024 65000" net.ipv4.tcp_tw_reuse=1
	# 10,000 SYNs at once overflow pptp-sim's listen queue (4096); SYN
	# cookies then reset some connections: let the SYNs be retransmitted
	n_server sysctl -qw net.ipv4.tcp_syncookies=0
	for f in "$@"; do
		for shape in $shapes; do
			[[ $f != *stock || $shape == *x1 ]] || continue
			measure_scale "$f" "${shape%x*}" "${shape#*x}" "$t"
			scale_record "$f-$shape"
		done
	done
}

# Tuning any firewall with 10,000 calls needs; the stock defaults refuse
# this load, so every face gets the same.
scale_tune() {
	sysctl -qw net.netfilter.nf_conntrack_max=262144 \
		net.netfilter.nf_conntrack_expect_max=65536 net.core.netdev_max_backlog=65536
	echo 65536 >/sys/module/nf_conntrack/parameters/hashsize
	ngd_max_sessions=20000
	module_max_expectations=32768
	ulimit -n 65536
}

ngd_why=$(face_why ngd)
host_faces=${SCALE_HOST-stock ngd}
guest_faces=${SCALE_GUEST-module cth vmstock}
[ -z "$ngd_why" ] || host_faces=${host_faces/ngd/}
# The stock helper needs up to two expectations per call, counted against
# a global limit of this (shared) kernel, which we leave alone.
max_calls=$(for shape in $shapes; do echo $((${shape%x*} * ${shape#*x})); done | sort -n | tail -1)
expect_max=$(sysctl -n net.netfilter.nf_conntrack_expect_max)
stock_why=
if [ "$expect_max" -lt $((2 * max_calls)) ]; then
	stock_why="this host's nf_conntrack_expect_max ($expect_max) is below 2 x $max_calls"
	stock_why+=" calls (a global setting of a shared machine, left alone): see the guest"
	host_faces=${host_faces/stock/}
fi
ngd_max_sessions=20000
scale_faces "$timeout" $host_faces >"$out/host.lines"
while read -r _ tag value; do
	got[$tag]=$value
done <"$out/host.lines"

guest_mem=$(bench_size 512 2048)
vm_body="$(declare -f scale_record scale_faces scale_tune)
shapes='$shapes'; sim_tries=1; BENCH_DIAG='${BENCH_DIAG:-}'; sim_build; topology 1
scale_tune
echo 20000 >/sys/module/nf_conntrack_pptp_ng/parameters/max_sessions
echo \"BENCH expect_hsize \$(cat /sys/module/nf_conntrack/parameters/expect_hashsize)\"
[ $vm_pace = 0 ] || scale_pace='--interval $vm_pace'
scale_faces $vm_timeout $guest_faces"
if [ -n "$SCALE_GUEST_LOG" ]; then
	# the guest's lines from an earlier run's console, not a new run
	while read -r _ key value; do
		guest[$key]=$value
	done < <(grep -a '^BENCH ' "$SCALE_GUEST_LOG" | tr -d '\r')
elif [ -n "${SCALE_GUEST-x}" ]; then
	guest_run $((vm_timeout * 5 + 120)) "$vm_body" || true
else
	guest_why="not asked for (SCALE_GUEST empty)"
fi

# asked FACE LIST: "skipped" unless FACE is in LIST.
asked() { [[ " $2 " == *" $1 "* ]] || echo skipped; }

# row LABEL LINE SHAPE [skipped]: one table row from a recorded line.
row() {
	local slab rss gre exp up_ms up done calls res
	IFS=';' read -r slab rss gre exp up_ms up done calls res <<<"$2"
	if [ -z "$2" ] && [ "$4" = skipped ]; then
		bench_row "$1" "$3" "not run (SCALE_HOST/SCALE_GUEST)" - - - -
	elif [ -z "$2" ]; then
		bench_row "$1" "$3" "failed: no result (the guest run ended first?)" - - - -
	elif [ "$res" != ok ] && [ "$slab" = - ]; then
		bench_row "$1" "$3" "$res; ${up:-?} of $calls calls up, ${done:-?} verified" - - - -
	else
		[ "$res" = ok ] && res="all $calls up, verified" || res="all $calls up; $res"
		bench_row "$1" "$3" "$res" \
			"$(awk -v ms="$up_ms" 'BEGIN { printf "%.1f", ms / 1000 }')" "$gre / $exp" \
			"$(awk -v b="$slab" -v n="$calls" 'BEGIN { printf "%.0f", b / n }')" \
			"$(awk -v k="$rss" -v n="$calls" 'BEGIN {
				if (k == "-") print "-"; else printf "%.0f", k * 1024 / n }')"
	fi
}

bench_text "Every call up at the same time through one masquerade address: shapes" \
	"$shapes (control connections x calls), one client, one server; each call's GRE" \
	"verified both ways (pptp-sim --hold: nothing is cleared before all calls are up" \
	"and verified, then the PNS stops itself while we measure, then clears them all)." \
	"Time = from the start until every call was verified. Conntrack = GRE entries /" \
	"expectations in the firewall's table then (pptp-ng tracks each direction of a" \
	"call as its own GRE entry, which times out unreplied after 30 s while its" \
	"expectation keeps the call open). \"All up; then ...\": the figures were taken" \
	"with every call up and verified, clearing failed afterwards. Kernel slab = bytes in" \
	"use in slab objects of every cache (/proc/slabinfo, active objects x size) with" \
	"all calls up minus before, per call: it includes both endpoints' TCP sockets," \
	"the same for every face, so compare faces of one kernel. Daemon RSS = VmRSS" \
	"delta of pptp-ngd per call. Tuning, the same for every face: nf_conntrack_max" \
	"262144, nf_conntrack_expect_max 65536, conntrack hashsize 65536, the module's" \
	"max_sessions and pptp-ngd --max-sessions 20000 (per source too: one client opens" \
	"them all), pptp-ng's share of the expectation table 32768 (the module's" \
	"max_expectations, whose default is twice the hash buckets, 1,024 in the guest;" \
	"pptp-ngd's default, half the table), client port range 1024-65000," \
	"netdev_max_backlog 65536 (guest), no SYN cookies on the server. The emulated" \
	"guest cannot take 10,000 SYNs at once (drops, retransmits, resets): there the" \
	"PNS opens one control connection every $vm_pace ms (pptp-sim --interval), so" \
	"its time is mostly that pacing."
bench_cols "face" "shape" "result" "time to all up (s)" "conntrack: GRE / expectations" \
	"kernel slab bytes/call" "daemon RSS bytes/call"
for shape in $shapes; do
	if [[ $shape == *x1 && -n $stock_why ]]; then
		bench_row "host: reference: stock helper" "$shape" "not run: $stock_why" - - - -
	elif [[ $shape == *x1 ]]; then
		row "host: reference: stock nf_conntrack_pptp + nf_nat_pptp" "${got[stock-$shape]}" \
			"$shape" "$(asked stock "$host_faces")"
	else
		bench_row "host: reference: stock helper" "$shape" \
			"cannot: one call per control connection" - - - -
	fi
	if [ -n "$ngd_why" ]; then
		bench_na "host: pptp-ngd nfqueue" "$ngd_why"
	else
		row "host: pptp-ngd nfqueue" "${got[ngd-$shape]}" "$shape" "$(asked ngd "$host_faces")"
	fi
done
if [ -n "$guest_why" ]; then
	bench_na "guest: all faces" "$guest_why"
else
	for shape in $shapes; do
		if [[ $shape == *x1 ]]; then
			row "guest: reference: stock helper (nft/pptp-ng.nft, helper \"pptp\")" \
				"${guest[vmstock-$shape]}" "$shape" "$(asked vmstock "$guest_faces")"
		else
			bench_row "guest: reference: stock helper" "$shape" \
				"cannot: one call per control connection" - - - -
		fi
		row "guest: nf_conntrack_pptp_ng (nft/pptp-ng.nft)" "${guest[module-$shape]}" "$shape" \
			"$(asked module "$guest_faces")"
		row "guest: pptp-ngd cthelper (nft/pptp-ngd-cthelper.nft)" "${guest[cth-$shape]}" \
			"$shape" "$(asked cth "$guest_faces")"
	done
	bench_text "The guest's expectation hash has ${guest[expect_hsize]:-?} buckets" \
		"(nf_conntrack expect_hashsize: fixed at load, 1/256 of the conntrack table" \
		"sized by the guest's memory): pptp-ng (module and cthelper) keeps both" \
		"expectations of a call while it is up, 2 x $max_calls here, and every new" \
		"conntrack searches a chain of them."
fi
[ -z "$SCALE_GUEST_LOG" ] || bench_text "The guest's figures come from the console log of an" \
	"earlier run of this script, $(date -u -r "$SCALE_GUEST_LOG" '+%Y-%m-%d %H:%M UTC') (SCALE_GUEST_LOG)."
[ -z "$sim_failures" ] || bench_text "Failed runs: $sim_failures"
bench_end
