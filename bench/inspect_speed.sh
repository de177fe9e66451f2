#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
#
# Benchmark 5: the inspector against tshark on one large capture.  The
# capture is the real PPTP/GRE captures of ../shared/pcaps/ (pcapng turned
# into pcap by editcap) put one after the other, over and over, until it
# reaches the size (tests/inspect/repeat.py): the packets are the captured
# bytes, only the timestamps are moved so that time runs forward through
# the file.  It is built in a temporary directory and deleted on exit.
#
# Reference: `tshark -r FILE -Y 'pptp || gre'` (one pass, its packet lines
# counted); candidate: `pptp-ng pcap --json FILE`.  Wall time and peak RSS
# come from GNU time, packets/s is the file's packets over wall time.
# tshark runs once, pptp-ng best of three (one each at the tiny size).
# As a sanity check the PPTP+GRE packets each found are compared: tshark's
# lines (protocol PPTP: control, the rest: GRE) against pptp-ng's control
# segments that brought new bytes and its GRE packets (versions 0 and 1,
# invalid ones too); the section says where they differ and why.

source "$(dirname "$0")/lib.sh"

pcaps=../shared/pcaps
insp=build/pptp-ng
size_mib=$(bench_size 4 1024)
runs=$(bench_size 1 3)
target_ratio=50
target_rss_mib=64

bench_begin 5 "Inspector: pptp-ng pcap versus tshark on a large capture"

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# unavailable WHY: the section says why nothing was measured.
unavailable() {
	bench_cols "face" "result"
	bench_na "tshark and pptp-ng pcap" "$1"
	bench_end
	exit 0
}

srcs=()
for f in "$pcaps"/*; do
	[ -f "$f" ] && srcs+=("$f")
done
[ ${#srcs[@]} -gt 0 ] || unavailable "no captures in $pcaps (see ../shared/README.md)"
command -v tshark >/dev/null || unavailable "tshark not installed (scripts/deps.sh test)"
command -v editcap >/dev/null || unavailable "editcap not installed (wireshark-common)"
[ -x /usr/bin/time ] || unavailable "GNU time not installed (scripts/deps.sh test)"
avail_mib=$(df -Pm "$tmp" | awk 'NR == 2 { print $4 }')
[ "$avail_mib" -gt $((size_mib * 2)) ] ||
	unavailable "$tmp has ${avail_mib} MiB free, the capture needs $size_mib MiB"
make -s "$insp" >/dev/null	# up to date: a stale one measures stale code

# Every source as a microsecond pcap: editcap rewrites the pcapng ones.
i=0
for f in "${srcs[@]}"; do
	i=$((i + 1))
	editcap -F pcap "$f" "$tmp/src.$i.pcap" 2>"$tmp/editcap.err" ||
		{ cat "$tmp/editcap.err" >&2; exit 1; }
done

# Every source in turn, repeated until the size is reached, timestamps
# moved forward (tests/inspect/repeat.py says how).
python3 tests/inspect/repeat.py --bytes $((size_mib * 1024 * 1024)) "$tmp/big.pcap" \
	"$tmp"/src.*.pcap >"$tmp/gen.out"
read -r packets copies unit_pkts skipped <"$tmp/gen.out"
bytes=$(stat -c %s "$tmp/big.pcap")

# measure NAME CMD...: wall seconds, peak RSS (KiB) and CPU seconds (user,
# system) into $tmp/NAME.time, stdout into $tmp/NAME.out.
measure() {
	local name=$1
	shift
	/usr/bin/time -f '%e %M %U %S' -o "$tmp/$name.time" "$@" >"$tmp/$name.out" \
		2>"$tmp/$name.err" || { cat "$tmp/$name.err" >&2; exit 1; }
}

# cpu USER SYS: their sum.
cpu() { awk -v u="$1" -v s="$2" 'BEGIN { printf "%.2f\n", u + s }'; }

measure tshark tshark -r "$tmp/big.pcap" -Y 'pptp || gre'
read -r ref_wall ref_rss usr sys <"$tmp/tshark.time"
ref_cpu=$(cpu "$usr" "$sys")
# tshark's summary lines: number, time, source, arrow, destination, protocol...
ref_ctl=$(awk '$6 == "PPTP"' "$tmp/tshark.out" | wc -l)
ref_gre=$(($(wc -l <"$tmp/tshark.out") - ref_ctl))

new_wall= new_rss=0
for ((r = 0; r < runs; r++)); do
	measure insp "$insp" pcap --json "$tmp/big.pcap"
	read -r wall rss usr sys <"$tmp/insp.time"
	if [ -z "$new_wall" ] || awk -v a="$wall" -v b="$new_wall" 'BEGIN { exit !(a < b) }'; then
		new_wall=$wall
		new_cpu=$(cpu "$usr" "$sys")
	fi
	[ "$rss" -le "$new_rss" ] || new_rss=$rss
done
read -r new_ctl new_gre new_conns new_dropped < <(python3 -c '
import json, sys
ctl = gre = conns = dropped = 0
for c in json.load(sys.stdin)["captures"]:
	g = c["gre"]
	gre += g["v1"] + g["v0_not_pptp"] + sum(g["invalid"].values())
	ctl += sum(t["payload_segments"] - t["retransmitted"]
		   for s in c["sessions"] for t in s["tcp"])
	conns += len(c["sessions"])
	dropped += c["decode"]["sessions_dropped"]
print(ctl, gre, conns, dropped)' <"$tmp/insp.out")

rate() { awk -v p="$packets" -v t="$1" 'BEGIN { printf "%.0f\n", (t > 0) ? p / t : 0 }'; }
mib() { awk -v k="$1" 'BEGIN { printf "%.1f\n", k / 1024 }'; }
ref_rate=$(rate "$ref_wall")
new_rate=$(rate "$new_wall")
speedup=$(bench_ratio "$ref_wall" "$new_wall")

bench_text "Capture: the ${#srcs[@]} captures of ../shared/pcaps/ one after the other" \
	"($unit_pkts packets; $skipped left out for another link type), repeated $copies times" \
	"with timestamps moved forward: $packets packets, $(mib $((bytes / 1024))) MiB, pcap." \
	"Packets are the captured bytes, so the repeats replay the same TCP 4-tuples, call IDs" \
	"and sequence numbers: both tools see retransmissions and new connections on old" \
	"4-tuples. Reference: \`tshark -r FILE -Y 'pptp || gre'\`, once; pptp-ng:" \
	"\`build/pptp-ng pcap --json FILE\`, best wall time of $runs (peak RSS the largest)." \
	"Wall time, CPU time (user + system) and peak RSS by GNU time; packets/s = all packets" \
	"of the file / wall time; the speed ratio is tshark's wall time / pptp-ng's." \
	"Targets: >= ${target_ratio}x tshark's speed, <= $target_rss_mib MiB RSS."
bench_cols "face" "wall s" "CPU s" "packets/s" "peak RSS MiB" "speed ratio" \
	"PPTP control found" "GRE found"
bench_row "reference: tshark $(tshark -v | sed -n '1s/^TShark (Wireshark) \([^ ]*\).*/\1/p')" \
	"$ref_wall" "$ref_cpu" "$ref_rate" "$(mib "$ref_rss")" "1.00" "$ref_ctl" "$ref_gre"
bench_row "pptp-ng pcap" "$new_wall" "$new_cpu" "$new_rate" "$(mib "$new_rss")" "$speedup" \
	"$new_ctl" "$new_gre"

verdict() {
	awk -v s="$speedup" -v r="$new_rss" -v ts="$target_ratio" -v tr="$target_rss_mib" 'BEGIN {
		printf "speed %s (%sx tshark, target %dx), RSS %s (%.1f MiB, target %d MiB)\n",
			(s != "-" && s + 0 >= ts) ? "met" : "missed", s, ts,
			r / 1024 <= tr ? "met" : "missed", r / 1024, tr }'
}
bench_text "Targets: $(verdict)."
if [ "$ref_gre" = "$new_gre" ]; then
	gre_check="Both found the same $new_gre GRE packets."
else
	gre_check="The GRE counts differ (tshark $ref_gre, pptp-ng $new_gre): tshark's"
	gre_check+=" are its lines not of protocol PPTP, which may include GRE it could not decode."
fi
dropped_text=
[ "$new_dropped" = 0 ] ||
	dropped_text=", and $new_dropped more past its memory budget, --max-memory, counted and listed as not decoded"
if [ "$ref_ctl" = "$new_ctl" ]; then
	bench_text "Sanity check: $gre_check Both found $new_ctl PPTP control segments."
else
	bench_text "Sanity check: $gre_check The control counts differ: tshark" \
		"dissected PPTP in $ref_ctl segments, pptp-ng fed the core $new_ctl that brought new" \
		"bytes. Where a repeat reopens a connection that closed (FIN or RST) with the same" \
		"ports and initial sequence number, pptp-ng starts a new connection at its SYN and" \
		"decodes the control messages again ($new_conns connections$dropped_text);" \
		"tshark takes it as the same conversation, flags the segments as retransmissions" \
		"and does not dissect them as PPTP."
fi
bench_end
