#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
#
# make demo: PPTP clients behind a NAT firewall, on this machine, in
# network namespaces (nothing leaves them):
#
#   client1 ──┐            ┌──────────── fw ────────────┐
#   client2 ──┼── br0 ── masquerade to 203.0.113.1 ── wan ── server
#   client3 ──┘            │ round 1: stock kernel helper│          203.0.113.2
#   192.0.2.11-13          │ round 2: pptp-ngd           │          pptpd; pptp-sim PAC
#                          └─────────────────────────────┘          on 203.0.113.3
#
# Each round runs the same two workloads through the firewall:
#   a. three real pptp-linux clients call a real pptpd at the same time,
#      through one masquerading address; each sends PPP frames and must
#      get them back byte-exact;
#   b. pptp-sim (client1) places 8 calls on ONE control connection to a
#      pptp-sim PAC and checks every GRE packet's call ID on arrival.
# Round 1 uses the kernel's own helper (nf_conntrack_pptp + nf_nat_pptp),
# round 2 pptp-ngd, the userspace helper, with no kernel helper at all.

cd "$(dirname "$0")/.."
source tests/sim/lib.sh		# tests/lib/netns.sh and pptp-sim helpers
source tests/daemon/lib.sh
source tests/lib/peers.sh	# pptpd_start

nclients=3
calls=8
sim_pac_ip=203.0.113.3
tmp=$out
ngd_dir=$out

[ "$(id -u)" = 0 ] || die "the demo builds network namespaces: run it as root (sudo make demo)"
needs pptpd pptp nft conntrack
for b in "$fake_pppd" "$pptp_echo" "$sim" "$ngd"; do
	[ -x "$b" ] || die "$b missing: run make first"
done

# real_clients ROUND: three pptp-echo runs at once against pptpd; prints
# how many got every frame back.
real_clients() {
	local i ok=0 pids=()

	for ((i = 1; i <= nclients; i++)); do
		n_client "$i" "$pptp_echo" -m -n 32 -t 20 "$server_ip4" \
			>"$tmp/client$i-$1.log" 2>&1 &
		pids+=($!)
	done
	for ((i = 1; i <= nclients; i++)); do
		wait "${pids[i - 1]}" && ok=$((ok + 1))
		sed "s/^/    client$i: /" "$tmp/client$i-$1.log" | grep 'pptp-echo:' | head -2 >&2
	done
	echo "$ok"
}

# multi_call: one pptp-sim session with $calls calls; prints how many
# calls carried all their GRE, as the PNS verified it.
multi_call() {
	sim_listen pac server "$sim_pac_ip" --role pac --expect-sessions 1 --timeout 10
	wait_for server sh -c "ss -Hltn 'src $sim_pac_ip and sport = :1723' | grep -q ."
	sim_connect pns client1 "$sim_pac_ip" --role pns --calls "$calls" --timeout 5
	sim_wait_status
	port=1723	# sim_wait_status moved on to the next port
	for side in pns pac; do
		printf '    %s: %s calls up, %s with all their GRE, %s GRE packets misrouted\n' \
			"$side" "$(json_field $side calls up)" "$(json_field $side calls complete)" \
			"$(json_field $side gre misrouted)" >&2
	done
	json_field pns calls complete
}

topology $nclients
n_server ip addr add "$sim_pac_ip/24" dev eth0
pptpd_start server "$server_ip4"	# its first address only: pptp-sim's PAC has the other

pretty "round 1" "stock kernel helper (tests/e2e/stock-nat.nft)"
n_fw nft -f tests/e2e/stock-nat.nft
pretty a "$nclients real pptp clients, 32 PPP frames each"
stock_real=$(real_clients stock)
pretty b "1 control connection, $calls calls (pptp-sim)"
stock_multi=$(multi_call)

pretty "round 2" "pptp-ngd, backend nfqueue, no kernel helper (tests/daemon/fw.nft)"
n_fw nft flush ruleset
ngd_firewall
ngd_start
pretty a "$nclients real pptp clients, 32 PPP frames each"
ngd_real=$(real_clients ngd)
pretty b "1 control connection, $calls calls (pptp-sim)"
ngd_multi=$(multi_call)
printf '  pptp-ngd counters: %s\n' "$(ngd_status | grep -o '"calls_[a-z]*":[0-9]*' | tr '\n' ' ')"

row() { printf '  %-40s %-14s %s\n' "$@"; }
echo
row "clients behind one NAT address" "stock helper" "pptp-ngd"
row "----------------------------------------" "------------" "--------"
row "$nclients real pptp clients, echoes exact" "$stock_real of $nclients" "$ngd_real of $nclients"
row "1 control connection, calls with GRE" "${stock_multi:-0} of $calls" "${ngd_multi:-0} of $calls"
echo
[ "$ngd_real" = "$nclients" ] && [ "${ngd_multi:-0}" = "$calls" ] ||
	die "pptp-ngd did not carry every call: see the lines above"
