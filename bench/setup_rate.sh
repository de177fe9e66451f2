#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
#
# Benchmark 1: call setup rate through the firewall.  pptp-sim's PNS in
# client1 opens SESSIONS control connections at once, one outgoing call
# each, to the PAC in server; a call counts once it is up, one GRE packet
# went each way (verified by call ID and source) and it was cleared.  One
# call per session because the stock helper tracks only one.
#
# On this host: the stock helper (reference) and pptp-ngd nfqueue.  In one
# QEMU guest (tests/vm/guest.sh, emulated: slow, only ratios count): the
# stock helper and nf_conntrack_pptp_ng under the same ruleset.

source "$(dirname "$0")/lib.sh"

sessions=$(bench_size 3 400)
vm_sessions=$(bench_size 2 10)
timeout=$(bench_size 10 20)
bench_begin 1 "Call setup rate through the firewall"

source bench/faces.inc
faces_topology

measure_setup stock "$sessions" "$timeout"; stock=$result
measure_setup plain "$sessions" "$timeout"; plain=$result
ngd_why=$(face_why ngd)
[ -n "$ngd_why" ] || { measure_setup ngd "$sessions" "$timeout"; ngd_rate=$result; }

# The guest's figures: the same measurement, faces side by side.
vm_body="sim_tries=2; sim_build; topology 1
for f in vmstock module; do
	measure_setup \$f $vm_sessions $((timeout * 3))
	echo \"BENCH \$f \$result\"
done
guest_ngd measure_setup ngd $vm_sessions $((timeout * 3))
echo \"BENCH ngd \$result\""
guest_run 600 "$vm_body" || true

bench_text "$sessions control connections x 1 call on the host, $vm_sessions in the QEMU guest," \
	"opened at once by pptp-sim (build/tests/pptp-sim); a call is counted when it was set" \
	"up, carried one verified GRE packet each way and was cleared. calls/s = calls / the" \
	"PNS's wall time. Host and guest figures are not comparable with each other (the" \
	"guest is emulated); compare ratios within each. Targets: module >= 1.0x stock," \
	"daemon >= 0.5x module."
bench_cols "face" "calls/s" "ratio"
bench_row "host: no helper, no NAT (routing only, for scale)" "$plain" \
	"$(bench_ratio "$plain" "$stock") x stock"
bench_row "host: reference: stock nf_conntrack_pptp + nf_nat_pptp" "$stock" "1.00 x stock"
if [ -n "$ngd_why" ]; then
	bench_na "host: pptp-ngd nfqueue" "$ngd_why"
else
	bench_row "host: pptp-ngd nfqueue" "$ngd_rate" "$(bench_ratio "$ngd_rate" "$stock") x stock"
fi
if [ -n "$guest_why" ]; then
	bench_na "guest: stock helper and nf_conntrack_pptp_ng" "$guest_why"
else
	bench_row "guest: reference: stock helper (nft/pptp-ng.nft, helper \"pptp\")" \
		"$(guest_val vmstock)" "1.00 x stock"
	bench_row "guest: nf_conntrack_pptp_ng (nft/pptp-ng.nft)" "$(guest_val module)" \
		"$(bench_ratio "${guest[module]}" "${guest[vmstock]}") x stock"
fi
if [ -z "$guest_why" ]; then
	bench_row "guest: pptp-ngd nfqueue" "$(guest_val ngd)" \
		"$(bench_ratio "${guest[ngd]}" "${guest[module]}") x module"
fi
faces_missing
[ -z "$sim_failures" ] || bench_text "Failed host runs (each face gets $sim_tries tries," \
	"fresh call IDs and an empty conntrack table each): $sim_failures"
bench_end
