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
# stock helper and nf_conntrack_pptp_ng under the same ruleset, pptp-ngd
# nfqueue, and pptp-ngd cthelper, in rounds for the run-to-run spread.

source "$(dirname "$0")/lib.sh"

sessions=$(bench_size 3 400)
vm_sessions=$(bench_size 2 300)
vm_reps=$(bench_size 1 5)
timeout=$(bench_size 10 20)
bench_begin 1 "Call setup rate through the firewall"

source bench/faces.inc
faces_topology

measure_setup stock "$sessions" "$timeout"; stock=$result
measure_setup plain "$sessions" "$timeout"; plain=$result
ngd_why=$(face_why ngd)
[ -n "$ngd_why" ] || { measure_setup ngd "$sessions" "$timeout"; ngd_rate=$result; }

# The guest's figures: the same measurement, faces side by side, $vm_reps
# rounds for the spread, every face in each round so that a round's ratios
# compare like with like.  pptp-ngd cthelper unloads the module (the helper
# name is taken), which is loaded again for the next round.
vm_body="sim_tries=2; sim_build; topology 1
echo \"BENCH expect_max \$(sysctl -n net.netfilter.nf_conntrack_expect_max)\"
sysctl -qw net.netfilter.nf_conntrack_expect_max=4096
for ((r = 0; r < $vm_reps; r++)); do
	for f in vmstock module; do
		measure_setup \$f $vm_sessions $((timeout * 3))
		echo \"BENCH \$f-\$r \$result\"
	done
	guest_ngd measure_setup ngd $vm_sessions $((timeout * 3))
	echo \"BENCH ngd-\$r \$result\"
	guest_ngd measure_setup cth $vm_sessions $((timeout * 3))
	echo \"BENCH cth-\$r \$result\"
	# the daemon's helper goes when it stops: the module may register again
	for ((i = 0; i < 100; i++)); do
		insmod /vm/modules/*-nf_conntrack_pptp_ng.ko 2>/dev/null && break
		sleep 0.1
	done
	[ -d /sys/module/nf_conntrack_pptp_ng ]
done"
guest_run 900 "$vm_body" || true

# vm_stats FACE: $med, $lo, $hi over the guest's rounds of FACE that gave a
# number, $nok of them; with none, $med says why (the first round's reason).
vm_stats() {
	local r v vals=()
	for ((r = 0; r < vm_reps; r++)); do
		v=$(guest_val "$1-$r")
		[[ $v =~ ^[0-9]+$ ]] && vals+=("$v")
	done
	nok=${#vals[@]}
	if [ "$nok" = 0 ]; then
		med=$(guest_val "$1-0") lo= hi=
		return
	fi
	read -r med lo hi < <(printf '%s\n' "${vals[@]}" | sort -n |
		awk '{ v[NR] = $1 } END { m = NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2
			printf "%.0f %s %s\n", m, v[1], v[NR] }')
}

# vm_row LABEL FACE REF REFNAME: median, range, ratio of medians to REF's
# and the range of the per-round ratios.
vm_row() {
	local r a b rr=() fmed flo fhi fok
	vm_stats "$2"; fmed=$med flo=$lo fhi=$hi fok=$nok
	vm_stats "$3"
	for ((r = 0; r < vm_reps; r++)); do
		a=$(bench_ratio "${guest[$2-$r]}" "${guest[$3-$r]}")
		[ "$a" = - ] || rr+=("$a")
	done
	b="-"
	[ ${#rr[@]} = 0 ] || b="$(printf '%s\n' "${rr[@]}" | sort -n | head -1)-$(printf '%s\n' "${rr[@]}" | sort -n | tail -1)"
	[ "$fok" = "$vm_reps" ] || [ "$fok" = 0 ] ||
		fmed+=" ($fok of $vm_reps rounds; $(guest_val "$2-$(vm_failed "$2")"))"
	bench_row "$1" "$fmed" "${flo:+$flo-$fhi}" "$(bench_ratio "${fmed%% *}" "$med") x $4" "$b"
}

# vm_failed FACE: the first round of FACE that gave no number.
vm_failed() {
	local r
	for ((r = 0; r < vm_reps; r++)); do
		[[ $(guest_val "$1-$r") =~ ^[0-9]+$ ]] || { echo "$r"; return; }
	done
}

bench_text "$sessions control connections x 1 call on the host, $vm_sessions in the QEMU guest" \
	"($vm_reps rounds: the median, the range, the ratio of medians and the range of" \
	"the ratios within each round)," \
	"opened at once by pptp-sim (build/tests/pptp-sim); a call is counted when it was set" \
	"up, carried one verified GRE packet each way and was cleared. calls/s = calls / the" \
	"PNS's wall time. Host and guest figures are not comparable with each other (the" \
	"guest is emulated); compare ratios within each. Targets: module >= 1.0x stock," \
	"daemon >= 0.6x module (issue 14)."
bench_cols "face" "calls/s" "range" "ratio" "per-round ratios"
bench_row "host: no helper, no NAT (routing only, for scale)" "$plain" - \
	"$(bench_ratio "$plain" "$stock") x stock" -
bench_row "host: reference: stock nf_conntrack_pptp + nf_nat_pptp" "$stock" - "1.00 x stock" -
if [ -n "$ngd_why" ]; then
	bench_na "host: pptp-ngd nfqueue" "$ngd_why"
else
	bench_row "host: pptp-ngd nfqueue" "$ngd_rate" - "$(bench_ratio "$ngd_rate" "$stock") x stock" -
fi
if [ -n "$guest_why" ]; then
	bench_na "guest: all faces" "$guest_why"
else
	vm_row "guest: reference: stock helper (nft/pptp-ng.nft, helper \"pptp\")" vmstock vmstock stock
	vm_row "guest: nf_conntrack_pptp_ng (nft/pptp-ng.nft)" module vmstock stock
	vm_row "guest: pptp-ngd cthelper (nft/pptp-ngd-cthelper.nft)" cth module module
	vm_row "guest: pptp-ngd nfqueue (nft/pptp-ngd-nfqueue.nft)" ngd module module
fi
[ -n "$guest_why" ] || bench_text "The guest's nf_conntrack_expect_max was raised from" \
	"${guest[expect_max]:-?} (its default for ${guest_mem} MB) to 4096 for every face:" \
	"pptp-ng (module and cthelper) keeps both GRE expectations of a call while it is" \
	"up, so by default no more than half that many calls could be up at once."
[ -z "$sim_failures" ] || bench_text "Failed host runs (each face gets $sim_tries tries," \
	"fresh call IDs and an empty conntrack table each): $sim_failures"
bench_end
