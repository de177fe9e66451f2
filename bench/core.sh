#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
#
# Benchmark 6: instructions per control message in the shared core, counted
# by callgrind (stable on noisy machines, unlike time).  build/bench/core-driver
# feeds scripted control connections (all 15 message types, an outgoing
# and an incoming call each) through pptp_feed.  The figure is the
# inclusive cost of pptp_feed (everything it calls, the NAT callbacks
# included) divided by the messages fed: the driver's own work (copying
# each message into its segment buffer, pptp_tracker_init per session,
# start-up) is not the core's and is not counted.  For comparison the
# whole-run figure (two session counts subtracted) is given too.
# Reference: the tracker with no ops (follows the session, translates
# nothing); candidate: with NAT as the module does it (every call ID
# mapped, every rewrite written into the segment by pptp_feed_in_place,
# MESSAGE, SESSION and REWRITE events quiet), all in this run.  For
# comparison, NAT as pptp-ngd does it (pptp_feed, each rewrite applied
# from its REWRITE event: the daemon joins held segments, so it cannot
# feed the bytes it sends).  The targets are the first two's.

source "$(dirname "$0")/lib.sh"

driver=build/bench/core-driver
msgs_per_session=16
target_plain=300
target_nat=400
n1=$(bench_size 2 100)
n2=$(bench_size 12 1100)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

bench_begin 6 "Core: instructions per control message (callgrind)"

if ! command -v valgrind >/dev/null; then
	bench_na core "valgrind not installed (scripts/deps.sh test)"
	bench_end
	exit 0
fi
make -s "$driver" >/dev/null	# up to date: a stale driver counts stale code

# run MODE N: callgrind profile of core-driver MODE N in $tmp/cg.MODE.N,
# each function's cost split by its two callers (pptp_feed'feed'feed_TYPE,
# pptp_feed_in_place'feed'feed_TYPE).
run() {
	valgrind --tool=callgrind --separate-callers=2 --callgrind-out-file="$tmp/cg.$1.$2" \
		"$driver" "$1" "$2" >/dev/null 2>"$tmp/vg.$1.$2" || { cat "$tmp/vg.$1.$2" >&2; exit 1; }
}

# total MODE N: Ir of the whole run.
total() {
	sed -n 's/^summary: //p' "$tmp/cg.$1.$2"
}

# per_type MODE N: "TYPE Ir" summed over the TYPE messages of the run: the
# inclusive cost of the core's entry (pptp_feed or pptp_feed_in_place)
# called from each feed_TYPE wrapper.
per_type() {
	callgrind_annotate --inclusive=yes --threshold=100 "$tmp/cg.$1.$2" 2>/dev/null |
		grep -v '=>' | sed -n "s/^ *\([0-9,]*\) .*:pptp_feed\(_in_place\)\?'feed'feed_\([A-Za-z]*\) \[.*/\3 \1/p" |
		tr -d , | awk '!seen[$1]++'
}

declare -A core whole
for mode in plain nat events; do
	run $mode "$n1"
	run $mode "$n2"
	per_type $mode "$n2" >"$tmp/sum.$mode"
	[ "$(wc -l <"$tmp/sum.$mode")" -eq 15 ] || {
		echo "core.sh: expected 15 message types in the $mode profile" >&2
		cat "$tmp/sum.$mode" >&2
		exit 1
	}
	core[$mode]=$(awk -v n="$n2" -v m=$msgs_per_session \
		'{ s += $2 } END { printf "%.0f\n", s / (n * m) }' "$tmp/sum.$mode")
	whole[$mode]=$(awk -v a="$(total $mode "$n1")" -v b="$(total $mode "$n2")" \
		-v n=$((n2 - n1)) -v m=$msgs_per_session \
		'BEGIN { printf "%.0f\n", (b - a) / (n * m) }')
	awk -v n="$n2" '{ c = ($1 == "CDN") ? 2 : 1; printf "%s %.0f\n", $1, $2 / (n * c) }' \
		"$tmp/sum.$mode" | sort -k2,2nr >"$tmp/types.$mode"
done

bench_text "Sessions fed: $n2 ($msgs_per_session messages each, one per segment)." \
	"Core instructions per message = inclusive cost of the core's entry, pptp_feed or" \
	"pptp_feed_in_place (all it calls, the NAT callbacks included) / ($n2 x $msgs_per_session)," \
	"from callgrind_annotate --inclusive=yes;" \
	"the driver's copying and setup are not counted. For comparison, the whole driver per" \
	"message: (Ir($n2 sessions) - Ir($n1 sessions)) / ($((n2 - n1)) x $msgs_per_session), which adds" \
	"pptp_tracker_init once per session and the driver's copy of each message. Targets: <=" \
	"$target_plain core instructions per message without NAT, <= $target_nat with NAT."
bench_cols "tracker" "core instructions / message" "ratio to no-NAT" \
	"x its target ($target_plain, $target_nat; <= 1.00 meets it)" "whole driver / message"
bench_row "reference: no NAT (ops NULL)" "${core[plain]}" "1.00" \
	"$(bench_ratio "${core[plain]}" $target_plain)" "${whole[plain]}"
bench_row "pptp-ng NAT, the module's way (pptp_feed_in_place)" "${core[nat]}" \
	"$(bench_ratio "${core[nat]}" "${core[plain]}")" "$(bench_ratio "${core[nat]}" $target_nat)" \
	"${whole[nat]}"
bench_row "for comparison: NAT, pptp-ngd's way (REWRITE events)" "${core[events]}" \
	"$(bench_ratio "${core[events]}" "${core[plain]}")" "(no target)" "${whole[events]}"

bench_text "Per message type, core instructions per message (inclusive cost of the core's" \
	"entry, NAT callbacks included) at $n2 sessions:"
bench_cols "message" "no NAT" "NAT, in place" "ratio" "NAT, events"
while read -r type plain; do
	nat=$(awk -v t="$type" '$1 == t { print $2 }' "$tmp/types.nat")
	events=$(awk -v t="$type" '$1 == t { print $2 }' "$tmp/types.events")
	bench_row "$type" "$plain" "$nat" "$(bench_ratio "$nat" "$plain")" "$events"
done <"$tmp/types.plain"
bench_end
