#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
#
# Three real pptp-linux clients behind one masquerading firewall, one
# pptpd outside, all at once:
#
#   client1..3 pptp ──br0── fw (nft/pptp-ng.nft, HELPER) ──wan── server pptpd
#   192.0.2.11-13           masquerade to 203.0.113.1          203.0.113.2
#
# pptpd runs fake-pppd per call, which echoes every PPP frame; each client
# (pptp-echo) must get all of its frames back byte-exact.  GRE from outside
# is forwarded only as related to a helper's control connection, so without
# the helper nothing comes back.  While the calls are up the firewall must
# show three control connections with helper=pptp-ng (pptp for the stock
# helper) and GRE both ways for each client, through 203.0.113.1: with the
# module one GRE conntrack a call and no expectation left, with the daemon
# two GRE expectations a call, one each way.

cd "$(dirname "$0")/../../.."
source tests/kernel/scenarios/lib.sh
source tests/lib/peers.sh

frames=64
nclients=3

needs pptpd pptp nft conntrack
topology $nclients
fw_ruleset

pptpd_start server
pretty clients "$nclients x pptp-echo, $frames frames each, at once"
for ((i = 1; i <= nclients; i++)); do
	echo_start "client$i" "client$i" "$server_ip4" -n "$frames"
done
echo_wait

pretty fw "conntrack while the calls are up"
ctl=$(n_fw conntrack -L -p tcp --dport 1723 2>/dev/null)
gre=$(n_fw conntrack -L -p gre 2>/dev/null)
printf "%s\n" "$ctl" "$gre"
exp=$(n_fw conntrack -L expect 2>&1 || true)
printf "%s\n" "$exp"
for ((i = 1; i <= nclients; i++)); do
	ip=$(client_ip4 "$i")
	grep "src=$ip dst=$server_ip4 " <<<"$ctl" | grep -q "dst=$fw_wan_ip4 .*helper=$ct_helper" ||
		fail "client$i: no control connection with helper=$ct_helper through $fw_wan_ip4"
	grep "src=$ip " <<<"$gre" | grep -q "dst=$fw_wan_ip4 " ||
		fail "client$i: no GRE from the client through $fw_wan_ip4"
	grep "src=$server_ip4 dst=$fw_wan_ip4 " <<<"$gre" | grep -q "src=$ip " ||
		fail "client$i: no GRE from the server back to the client"
done
if [ "$helper" = pptp-ng ]; then
	# Once GRE flows a call holds no expectation: one GRE conntrack
	# carries both its directions (the server's GRE is its reply) as long
	# as the call lives (assured, fixed timeout).  With failover=1 it
	# keeps its two, carriers for a backup firewall (docs/ha.md).
	if [ "$(cat /sys/module/nf_conntrack_pptp_ng/parameters/failover 2>/dev/null)" = Y ]; then
		[ "$(grep -c 'proto=47' <<<"$exp")" = $((2 * nclients)) ] ||
			fail "failover=1: not two expectations a call"
	else
		[ "$(grep -c 'proto=47' <<<"$exp")" = 0 ] ||
			fail "expectations left although every call's GRE flows"
	fi
	for ((i = 1; i <= nclients; i++)); do
		ip=$(client_ip4 "$i")
		[ "$(grep -c "src=$ip " <<<"$gre")" = 1 ] ||
			fail "client$i: not one GRE conntrack for its call"
		grep "src=$ip dst=$server_ip4 " <<<"$gre" |
			grep "src=$server_ip4 dst=$fw_wan_ip4 " | grep -q "ASSURED" ||
			fail "client$i: its GRE conntrack is not assured, or not both ways"
	done
elif ng_face; then
	for ((i = 1; i <= nclients; i++)); do
		ip=$(client_ip4 "$i")
		grep -q "proto=47 src=$ip dst=$server_ip4 " <<<"$exp" ||
			fail "client$i: no GRE expectation from the client"
	done
	[ "$(grep -c "proto=47 src=$server_ip4 dst=$fw_wan_ip4 " <<<"$exp")" = $nclients ] ||
		fail "not $nclients GRE expectations from the server"
fi
if ng_face; then
	[ "$(fw_counter calls_live)" = $nclients ] || fail "calls_live is not $nclients"
	[ "$(fw_counter sessions_live)" = $nclients ] || fail "sessions_live is not $nclients"
fi

echo_release
if ng_face; then
	# The calls and sessions end with the clients; everything is given back.
	for ((t = 0; t < 50; t++)); do
		[ "$(fw_counter calls_live)" = 0 ] && break
		sleep 0.1
	done
	fw_show
	[ "$(fw_counter calls_live)" = 0 ] || fail "calls still live after the clients left"
	[ "$(fw_counter sessions_live)" = 0 ] || fail "sessions still live after the clients left"
	[ "$(fw_counter ids_live)" = 0 ] || fail "call IDs still allocated after the clients left"
fi
pretty done "$nclients clients got byte-exact echoes through $helper (helper=$ct_helper)"
