#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
#
# Benchmark 6: instructions per control message in the shared core, counted
# by callgrind (stable on noisy machines, unlike time).  build/bench/core-driver
# feeds scripted control connections (all 15 message types, an outgoing
# and an incoming call each) through pptp_feed; it runs at two session
# counts and the difference cancels start-up.  Reference: the tracker with
# no ops (follows the session, translates nothing); candidate: with NAT
# (every call ID mapped, every rewrite applied), both in this run.

source "$(dirname "$0")/lib.sh"

driver=build/bench/core-driver
msgs_per_session=16
target=300
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
[ -x "$driver" ] || make -s "$driver" >/dev/null

# instructions MODE N: Ir of the whole run of core-driver MODE N.
instructions() {
	valgrind --tool=callgrind --callgrind-out-file="$tmp/cg.$1.$2" "$driver" "$1" "$2" \
		>/dev/null 2>"$tmp/vg.$1.$2" || { cat "$tmp/vg.$1.$2" >&2; exit 1; }
	sed -n 's/^summary: //p' "$tmp/cg.$1.$2"
}

# per_type MODE N: "TYPE Ir-per-message" for each feed_TYPE wrapper.
per_type() {
	callgrind_annotate --inclusive=yes "$tmp/cg.$1.$2" 2>/dev/null |
		grep -v '=>' | sed -n 's/^ *\([0-9,]*\) .*:feed_\([A-Za-z]*\) \[.*/\2 \1/p' | tr -d , |
		awk -v n="$2" '!seen[$1]++ {
			c = ($1 == "CDN") ? 2 : 1; printf "%s %.0f\n", $1, $2 / (n * c) }'
}

declare -A per
for mode in plain nat; do
	a=$(instructions $mode "$n1")
	b=$(instructions $mode "$n2")
	per[$mode]=$(awk -v a="$a" -v b="$b" -v n=$((n2 - n1)) -v m=$msgs_per_session \
		'BEGIN { printf "%.0f\n", (b - a) / (n * m) }')
	per_type $mode "$n2" >"$tmp/types.$mode"
done

bench_text "Sessions fed: $n1 and $n2 ($msgs_per_session messages each, one per segment);" \
	"instructions per message = (Ir($n2) - Ir($n1)) / ($((n2 - n1)) x $msgs_per_session)," \
	"including pptp_tracker_init once per session and the driver's copy of each message" \
	"into its segment buffer. Target: <= $target."
bench_cols "tracker" "instructions / message" "ratio to no-NAT" "x target ($target; <= 1.00 meets it)"
bench_row "reference: no NAT (ops NULL)" "${per[plain]}" "1.00" "$(bench_ratio "${per[plain]}" $target)"
bench_row "pptp-ng NAT (map_id + rewrites)" "${per[nat]}" \
	"$(bench_ratio "${per[nat]}" "${per[plain]}")" "$(bench_ratio "${per[nat]}" $target)"

bench_text "Per message type, inclusive cost of pptp_feed (and the NAT callbacks) per message" \
	"at $n2 sessions, from callgrind_annotate:"
bench_cols "message" "no NAT" "NAT" "ratio"
while read -r type plain; do
	nat=$(awk -v t="$type" '$1 == t { print $2 }' "$tmp/types.nat")
	bench_row "$type" "$plain" "$nat" "$(bench_ratio "$nat" "$plain")"
done <"$tmp/types.plain"
bench_end
