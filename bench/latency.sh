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
bench_begin 4 "Control-message latency added by the daemon"

source bench/faces.inc
faces_topology

# measure_rtt FACE: ref (fw.nft alone) or ngd (fw.nft + pptp-ngd nfqueue);
# sets rtt[FACE.SECTION.FIELD] from the PNS's JSON, or why[FACE].
declare -A rtt why
measure_rtt() {
	local f=$1 s k
	if [ "$f" = ngd ]; then
		face_up ngd
	else
		ngd_firewall
	fi
	if sim_try "lat-$f" "$sim_tries" --sessions "$sessions" --expect-sessions "$sessions" \
		--calls "$calls" --packets 0 --interval "$interval" --timeout "$timeout"; then
		for s in rtt rtt_ocrq; do
			for k in samples p50_us p99_us; do
				rtt[$f.$s.$k]=$(sim_num "lat-$f-pns" "$s" "$k")
			done
		done
	else
		why[$f]="failed: $sim_error"
	fi
	if [ "$f" = ngd ]; then
		ngd_status >"$out/ngd-status.json" || true
		for k in packets p50 p99; do
			rtt[ngd.daemon.$k]=$(grep -o '"verdict_latency_us":{[^}]*}' "$out/ngd-status.json" |
				grep -o "\"$k\":[0-9]*" | cut -d: -f2)
		done
	fi
	face_down
}

# row LABEL FACE SECTION: p50 and p99 of a face, and what pptp-ngd adds.
row() {
	local f=$2 s=$3 p50 p99 add50=- add99=-
	if [ -n "${why[$f]}" ]; then
		bench_row "$1" "${why[$f]}" - - - -
		return
	fi
	p50=${rtt[$f.$s.p50_us]} p99=${rtt[$f.$s.p99_us]}
	if [ "$f" = ngd ] && [ -z "${why[ref]}" ]; then
		add50=$((p50 - ${rtt[ref.$s.p50_us]})) add99=$((p99 - ${rtt[ref.$s.p99_us]}))
	fi
	bench_row "$1" "${rtt[$f.$s.samples]}" "$p50" "$p99" "$add50" "$add99"
}

measure_rtt ref
ngd_why=$(face_why ngd)
[ -n "$ngd_why" ] || measure_rtt ngd

bench_text "$sessions control connections x $calls calls, one opened every $interval ms" \
	"by pptp-sim (no GRE). Round trip = a request handed to TCP (SCCRQ, OCRQ, CCRQ," \
	"StopCCRQ) until its answer (SCCRP, OCRP, CDN, StopCCRP) is read, per request, in" \
	"microseconds. Both firewalls masquerade (tests/daemon/fw.nft); pptp-ngd queues the" \
	"request and the answer, so each round trip crosses it twice. Added = pptp-ngd's" \
	"percentile minus the reference's (percentiles do not subtract exactly: an estimate)." \
	"The OCRQ rows are where the daemon programs the GRE maps (the OCRQ and the OCRP" \
	"each wait for an nf_tables transaction). On a shared machine single runs are noisy."
bench_cols "path" "requests answered" "p50 us" "p99 us" "added p50 us" "added p99 us"
row "reference: masquerade, no helper, every request" ref rtt
if [ -n "$ngd_why" ]; then
	bench_na "pptp-ngd nfqueue" "$ngd_why"
else
	row "pptp-ngd nfqueue, every request" ngd rtt
fi
row "reference: OCRQ -> OCRP" ref rtt_ocrq
[ -n "$ngd_why" ] || row "pptp-ngd nfqueue: OCRQ -> OCRP" ngd rtt_ocrq
if [ -z "$ngd_why" ] && [ -z "${why[ngd]}" ]; then
	bench_row "pptp-ngd inside: read -> verdict, per queued packet (--status)" \
		"${rtt[ngd.daemon.packets]:-?} packets" "${rtt[ngd.daemon.p50]:-?}" \
		"${rtt[ngd.daemon.p99]:-?}" - -
fi
bench_row "pptp-ngd cthelper" "not measured here: needs the QEMU guest" - - - -
[ -z "$sim_failures" ] || bench_text "Failed runs (each path gets $sim_tries tries): $sim_failures"
bench_end
