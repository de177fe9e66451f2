#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
#
# Benchmark 4: control-message latency added by pptp-ngd.  pptp-sim's PNS
# in client1 times every request it sends (SCCRQ, OCRQ, CCRQ, StopCCRQ) to
# the answer the PAC in server sends back (its JSON "rtt" sections).  The
# same run goes through the masquerading firewall of tests/daemon/fw.nft
# twice: without a helper (reference), and with pptp-ngd --backend nfqueue,
# which queues both the request and the answer: a round trip crosses the
# daemon twice.  Sessions open one every --interval ms, so the figures are
# latencies, not a burst's queueing.  No GRE: the reference cannot carry it.
#
# Second view, inside the daemon: from reading a queued packet to sending
# its verdict (--status "verdict_latency_us"), for every queued packet.

source "$(dirname "$0")/lib.sh"

sessions=$(bench_size 3 200)
calls=$(bench_size 1 4)
interval=$(bench_size 5 10)
timeout=$(bench_size 10 60)
rounds=$(bench_size 1 5)
bench_begin 4 "Control-message latency added by the daemon"

source bench/faces.inc
faces_topology

# The daemon as a unit with CPUSchedulingPolicy=fifo runs it (pptp-ngd(8),
# "Scheduling"): chrt does what systemd does before the exec.
rt_prio=10
ngd_plain=$ngd
ngd_rt=$out/pptp-ngd-fifo
printf '#!/bin/sh\nexec chrt -f %s %s "$@"\n' "$rt_prio" "$ngd_plain" >"$ngd_rt"
chmod +x "$ngd_rt"
floor_bin=build/bench/queue-floor

# floor_up FACE [chrt ARGS]: pptp-ngd's queue rules, read by queue-floor:
# the daemon sets them up and is killed (they stay, bypassed while nobody
# listens), then queue-floor binds the queue; else why[FACE].
floor_pid=
floor_up() {
	local f=$1 i; shift

	ngd=$ngd_plain face_up ngd
	ngd_kill9
	ip netns exec "$pfx-fw" "$@" "$floor_bin" 0 >/dev/null 2>>"$out/queue-floor.err" &
	floor_pid=$!
	for ((i = 0; i < 50; i++)); do
		n_fw awk '$1 == 0 && $2 != 0 { ok = 1 } END { exit !ok }' \
			/proc/net/netfilter/nfnetlink_queue && return 0
		sleep 0.1
	done
	why[$f]="queue-floor did not bind: $(cat "$out/queue-floor.err")"
}

floor_down() {
	[ -z "$floor_pid" ] || kill "$floor_pid" 2>/dev/null || true
	wait "$floor_pid" 2>/dev/null || true
	floor_pid=
}

# measure_rtt FACE: ref (fw.nft alone), floor (the queue, queue-floor
# reading it), ngd (fw.nft + pptp-ngd nfqueue), floor_rt, ngd_rt (the two
# at SCHED_FIFO $rt_prio); adds this round's figures to
# rtt[FACE.SECTION.FIELD] (one word a round) from the PNS's JSON, or sets
# why[FACE].
declare -A rtt why
measure_rtt() {
	local f=$1 s k
	case $f in
	ngd) ngd=$ngd_plain face_up ngd ;;
	ngd_rt) ngd=$ngd_rt face_up ngd ;;
	floor) floor_up floor ;;
	floor_rt) floor_up floor_rt chrt -f "$rt_prio" ;;
	*) ngd_firewall ;;
	esac
	if [ -n "${why[$f]}" ]; then
		:
	elif sim_try "lat-$f" "$sim_tries" --sessions "$sessions" --expect-sessions "$sessions" \
		--calls "$calls" --packets 0 --interval "$interval" --timeout "$timeout"; then
		for s in rtt rtt_ocrq rtt_ccrq; do
			for k in samples p50_us p99_us; do
				rtt[$f.$s.$k]+=" $(sim_num "lat-$f-pns" "$s" "$k")"
			done
		done
	else
		why[$f]="failed: $sim_error"
	fi
	if [ "${f%_rt}" = ngd ]; then
		ngd_status >"$out/$f-status.json" || true
		for k in packets p50 p99; do
			rtt[$f.daemon.$k]+=" $(grep -o '"verdict_latency_us":{[^}]*}' "$out/$f-status.json" |
				grep -o "\"$k\":[0-9]*" | cut -d: -f2)"
		done
	fi
	floor_down
	face_down
}

# median WORD...: the median of numbers (the lower middle one of an even count).
median() {
	printf '%s\n' "$@" | sort -n | awk '{ v[NR] = $1 } END { print NR ? v[int((NR + 1) / 2)] : "?" }'
}

# minus "A..." "B...": each round's A minus its B.
minus() {
	local a=($1) b=($2) i
	for i in "${!a[@]}"; do echo $((a[i] - b[i])); done
}

# row LABEL FACE SECTION [FLOOR]: p50 and p99 of a face, what it adds to
# the reference, and what it adds to FLOOR (the queue's own price): the
# median over the rounds, each difference taken within its round.
row() {
	local f=$2 s=$3 fl=$4 p50 p99 add50=- add99=- over50=-
	if [ -n "${why[$f]}" ]; then
		bench_row "$1" "${why[$f]}" - - - - -
		return
	fi
	p50=${rtt[$f.$s.p50_us]} p99=${rtt[$f.$s.p99_us]}
	if [ "$f" != ref ] && [ -z "${why[ref]}" ]; then
		add50=$(median $(minus "$p50" "${rtt[ref.$s.p50_us]}"))
		add99=$(median $(minus "$p99" "${rtt[ref.$s.p99_us]}"))
	fi
	if [ -n "$fl" ] && [ -z "${why[$fl]}" ]; then
		over50=$(median $(minus "$p50" "${rtt[$fl.$s.p50_us]}"))
	fi
	bench_row "$1" "$(median ${rtt[$f.$s.samples]})" "$(median $p50)" "$(median $p99)" \
		"$add50" "$add99" "$over50"
}

# daemon_row LABEL FACE: the daemon's own read-to-verdict time.
daemon_row() {
	[ -z "${why[$2]}" ] || return 0
	bench_row "$1" "$(median ${rtt[$2.daemon.packets]}) packets" \
		"$(median ${rtt[$2.daemon.p50]})" "$(median ${rtt[$2.daemon.p99]})" - - -
}

ngd_why=$(face_why ngd)
[ -x "$floor_bin" ] || ngd_why=${ngd_why:-"$floor_bin not built"}
for ((round = 1; round <= rounds; round++)); do
	for f in ref floor ngd floor_rt ngd_rt; do
		if [ "$f" != ref ] && [ -n "$ngd_why" ]; then
			why[$f]=$ngd_why
		elif [ -z "${why[$f]}" ]; then
			measure_rtt $f
		fi
	done
done

bench_text "$rounds rounds of $sessions control connections x $calls calls, one opened every $interval ms" \
	"by pptp-sim (no GRE). Round trip = a request handed to TCP (SCCRQ, OCRQ, CCRQ," \
	"StopCCRQ) until its answer (SCCRP, OCRP, CDN, StopCCRP) is read, per request, in" \
	"microseconds. Both firewalls masquerade (tests/daemon/fw.nft); pptp-ngd queues the" \
	"request and the answer, so each round trip crosses it twice. Added = the path's" \
	"percentile minus the reference's (percentiles do not subtract exactly: an estimate)." \
	"Floor = the same queue rules read by bench/queue_floor.c, which gives every packet" \
	"NF_ACCEPT unread (one blocking read and one verdict a packet): the price of the" \
	"queue itself on this machine, the wake-up of a reader and the reinjection, which no" \
	"NFQUEUE daemon goes under; over floor = the path's p50 minus its floor's. FIFO =" \
	"SCHED_FIFO priority $rt_prio (chrt, as the unit's CPUSchedulingPolicy=fifo sets it," \
	"pptp-ngd(8) \"Scheduling\"). The OCRQ rows are where the daemon programs the GRE" \
	"maps (the OCRQ and the OCRP each wait for an nf_tables transaction, one for all the" \
	"calls' messages read together); the CCRQ rows where it closes them (after the CDN's" \
	"verdict). The client opens and clears its $calls calls at once, so a request also waits" \
	"for its siblings. Each figure is the median of the rounds' (a difference is taken" \
	"within each round): single runs on a shared machine are noisy."
bench_cols "path" "requests answered" "p50 us" "p99 us" "added p50 us" "added p99 us" \
	"over floor p50 us"
row "reference: masquerade, no helper, every request" ref rtt
row "floor: the queue, queue-floor, every request" floor rtt
row "pptp-ngd nfqueue, every request" ngd rtt floor
row "floor, FIFO: every request" floor_rt rtt
row "pptp-ngd nfqueue, FIFO: every request" ngd_rt rtt floor_rt
row "reference: OCRQ -> OCRP" ref rtt_ocrq
row "floor: OCRQ -> OCRP" floor rtt_ocrq
row "pptp-ngd nfqueue: OCRQ -> OCRP" ngd rtt_ocrq floor
row "pptp-ngd nfqueue, FIFO: OCRQ -> OCRP" ngd_rt rtt_ocrq floor_rt
row "reference: CCRQ -> CDN" ref rtt_ccrq
row "floor: CCRQ -> CDN" floor rtt_ccrq
row "pptp-ngd nfqueue: CCRQ -> CDN" ngd rtt_ccrq floor
row "pptp-ngd nfqueue, FIFO: CCRQ -> CDN" ngd_rt rtt_ccrq floor_rt
daemon_row "pptp-ngd inside: read -> verdict, per queued packet (--status)" ngd
daemon_row "pptp-ngd inside, FIFO: read -> verdict, per queued packet (--status)" ngd_rt
bench_row "pptp-ngd cthelper" "not measured here: needs the QEMU guest" - - - - -
[ -z "$sim_failures" ] || bench_text "Failed runs (each path gets $sim_tries tries): $sim_failures"
bench_end
