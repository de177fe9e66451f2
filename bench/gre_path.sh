#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
#
# Benchmark 3: the GRE data path.  Once calls are up, pptp-sim floods GRE
# both ways (--packets per call per direction, every packet checked on
# arrival: call ID, source, sequence).  Reference: plain conntrack routing
# with no helper and no NAT; candidates: the stock helper with NAT and every
# pptp-ng face that runs, on this host and in one QEMU guest.  A helper
# must stay off the data path: the target is >= 0.95 of the reference.

source "$(dirname "$0")/lib.sh"

calls=$(bench_size 1 4)
packets=$(bench_size 20 25000)
vm_packets=$(bench_size 20 1000)
reps=$(bench_size 1 3)
timeout=$(bench_size 10 30)
bench_begin 3 "GRE data path through the firewall"

source bench/faces.inc
faces_topology

measure_gre plain "$calls" "$packets" "$reps" "$timeout"; plain=$result
measure_gre stock "$calls" "$packets" "$reps" "$timeout"; stock=$result
ngd_why=$(face_why ngd)
[ -n "$ngd_why" ] || { measure_gre ngd "$calls" "$packets" "$reps" "$timeout"; ngd_pps=$result; }

vm_body="sim_tries=2; sim_build; topology 1
for f in plain vmstock module; do
	measure_gre \$f $calls $vm_packets $reps $((timeout * 2))
	echo \"BENCH \$f \$result\"
done
guest_ngd measure_gre ngd $calls $vm_packets $reps $((timeout * 2))
echo \"BENCH ngd \$result\"
guest_ngd measure_gre cth $calls $vm_packets $reps $((timeout * 2))
echo \"BENCH cth \$result\""
guest_run 900 "$vm_body" || true

bench_text "$calls control connections x 1 call (the stock helper tracks one call per" \
	"connection), GRE packets per call each way: $packets on the host, $vm_packets in" \
	"the QEMU guest, every packet verified by the receiving pptp-sim; packets/s = packets" \
	"received by both sides / the PNS's wall time (call setup and clearing included)," \
	"best of $reps. Host and guest figures are not comparable with each other (the guest" \
	"is emulated); compare ratios within each. Target: >= 0.95 of plain conntrack."
bench_cols "face" "GRE packets/s" "ratio to plain conntrack"
bench_row "host: reference: conntrack, no helper, no NAT" "$plain" "$(bench_ratio "$plain" "$plain")"
bench_row "host: stock nf_conntrack_pptp + nf_nat_pptp (NAT)" "$stock" "$(bench_ratio "$stock" "$plain")"
if [ -n "$ngd_why" ]; then
	bench_na "host: pptp-ngd nfqueue (NAT)" "$ngd_why"
else
	bench_row "host: pptp-ngd nfqueue (NAT)" "$ngd_pps" "$(bench_ratio "$ngd_pps" "$plain")"
fi
if [ -n "$guest_why" ]; then
	bench_na "guest: all faces" "$guest_why"
else
	g=${guest[plain]}
	bench_row "guest: reference: conntrack, no helper, no NAT" "$(guest_val plain)" \
		"$(bench_ratio "$g" "$g")"
	bench_row "guest: stock helper (nft/pptp-ng.nft, helper \"pptp\")" "$(guest_val vmstock)" \
		"$(bench_ratio "${guest[vmstock]}" "$g")"
	bench_row "guest: nf_conntrack_pptp_ng (nft/pptp-ng.nft)" "$(guest_val module)" \
		"$(bench_ratio "${guest[module]}" "$g")"
	bench_row "guest: pptp-ngd nfqueue (NAT)" "$(guest_val ngd)" \
		"$(bench_ratio "${guest[ngd]}" "$g")"
	bench_row "guest: pptp-ngd cthelper (nft/pptp-ngd-cthelper.nft, NAT)" "$(guest_val cth)" \
		"$(bench_ratio "${guest[cth]}" "$g")"
fi
[ -z "$sim_failures" ] || bench_text "Failed host runs (each face gets $sim_tries tries," \
	"fresh call IDs and an empty conntrack table each): $sim_failures"
bench_end
