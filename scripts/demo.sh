#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
#
# make demo: PPTP clients behind a NAT firewall, on this machine, in
# network namespaces (nothing leaves them):
#
#   client1 pptp ──┐            ┌──────── fw ────────┐
#   client2 pptp ──┼── br0 ── masquerade to 203.0.113.1 ── wan ── server
#   client3 sim  ──┘            │ ct helper "pptp"   │          203.0.113.2
#   192.0.2.1N                  └────────────────────┘          pptpd, pptp-sim
#
# 1. Two real pptp-linux clients call a real pptpd at the same time
#    through one masquerading address, with the stock kernel helper: each
#    sends PPP frames and must get them back byte-exact.
# 2. pptp-sim places 4 calls on ONE control connection through the same
#    firewall, and counts which calls' GRE arrived with the right call ID.
#    The stock helper follows one call per control connection: this is
#    what pptp-ng is for.
#
# The pptp-ng helper itself (kernel module, daemon) replaces the stock
# helper in this picture as its faces land; see README.md.

cd "$(dirname "$0")/.."
source tests/sim/lib.sh		# tests/lib/netns.sh and pptp-sim helpers

fake_pppd=$PWD/build/tests/fake-pppd
pptp_echo=$PWD/build/tests/pptp-echo
calls=4
tmp=$out

[ "$(id -u)" = 0 ] || die "the demo builds network namespaces: run it as root (sudo make demo)"
needs pptpd pptp nft conntrack
for b in "$fake_pppd" "$pptp_echo" "$sim"; do
	[ -x "$b" ] || die "$b missing: run make first"
done

topology 3
n_fw nft -f tests/e2e/stock-nat.nft
pretty fw "masquerades 192.0.2.0/24 to $fw_wan_ip4, stock PPTP helper on TCP 1723"

cat >"$tmp/pptpd.conf" <<EOF
localip 198.51.100.1
remoteip 198.51.100.11-19
EOF
bg server pptpd -f -c "$tmp/pptpd.conf" -p "$tmp/pptpd.pid" \
	--ppp "$fake_pppd" >"$tmp/pptpd.log" 2>&1
wait_for_tcp server 1723
pretty server "pptpd on $server_ip4, echoing PPP through fake-pppd"

# -- 1. real clients --------------------------------------------------------

pretty "1" "client1 and client2 run pptp at the same time, 32 PPP frames each"
mkfifo "$tmp/hold"
exec 9<>"$tmp/hold"
pids=()
for i in 1 2; do
	n_client "$i" "$pptp_echo" -m -H -n 32 -t 20 "$server_ip4" \
		<"$tmp/hold" >"$tmp/client$i.log" 2>&1 9>&- &
	pids+=($!)
done
ok=0
for ((t = 0; t < 300 && ok < 2; t++)); do
	ok=$(cat "$tmp"/client[12].log | grep -c '^pptp-echo: ok' || true)
	sleep 0.1
done
for i in 1 2; do
	sed "s/^/  client$i: /" "$tmp/client$i.log" | grep 'pptp-echo:' || true
done
printf '  conntrack on fw, GRE entries:\n'
n_fw conntrack -L -p gre 2>/dev/null | sed 's/^/    /'
exec 9>&-
real=pass
for i in 1 2; do
	wait "${pids[i - 1]}" || real=FAIL
done

# -- 2. several calls on one control connection ------------------------------

pretty "2" "client3: pptp-sim, 1 control connection with $calls calls, to a pptp-sim PAC"
port=1724	# pptpd has 1723; the helper is attached to this port too
n_fw nft add rule ip pptp_stock helpers tcp dport $port ct helper set '"pptp-stock"'
sim_listen pac server "$server_ip4" --role pac --expect-sessions 1 --timeout 10
sim_connect pns client3 "$server_ip4" --role pns --calls "$calls" --timeout 5
sim_wait_status
for side in pns pac; do
	printf '  %s: %s calls up, %s with all their GRE; %s GRE packets misrouted, %s lost\n' \
		"$side" "$(json_field $side calls up)" "$(json_field $side calls complete)" \
		"$(json_field $side gre misrouted)" "$(json_field $side gre lost)"
done
sim_ok=$(json_field pns calls complete)

cat <<EOF

  what the stock kernel helper gave clients behind one NAT address
  ----------------------------------------------------------------
  2 real pptp clients, 1 call each    $real
  1 control connection, $calls calls    ${sim_ok:-0} of $calls calls carried GRE both ways

EOF
