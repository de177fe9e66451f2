#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
#
# pptpd behind DNAT on the firewall, clients outside:
#
#   client1 pptpd ──┐                                          ┌─ out1 pptp
#   client2 PAC   ──┼─ br0 ── fw 203.0.113.1 ── wan ── sw ─────┼─ out2 pptp
#   client3 PAC   ──┘   DNAT :1723 -> client1 (real)           └─ out3 pptp
#   192.0.2.11-13       DNAT :1723 -> client2, :1724 -> client3 (sim)
#                                                              203.0.113.11-13
#
# 1. Three real pptp-linux clients outside (pptp-echo) call the real pptpd
#    inside (fake-pppd echoes every PPP frame) through 203.0.113.1: every
#    frame must come back byte-exact, and the firewall must show each
#    control connection with helper=pptp-ng (pptp: the stock one) and GRE
#    both ways, the inside server seen as 203.0.113.1.
# 2. pptp-sim: a PAC inside behind DNAT, two PNS outside with the same call
#    IDs, 8 calls each.
# 3. pptp-sim: two PACs inside with the same call IDs, one on public port
#    1723, one on 1724, and two PNS on one outside host, one to each: that
#    host would see the same PAC call IDs twice from 203.0.113.1, so the
#    helper must translate the second PAC's IDs (and its GRE).
#
# GRE from outside is forwarded only as related to a helper's control
# connection, so without the helper nothing gets through.

cd "$(dirname "$0")/../../.."
source tests/kernel/scenarios/lib.sh
source tests/lib/peers.sh

frames=64
nclients=3
calls=8
packets=5

needs pptpd pptp nft conntrack
topology 3
outside $nclients
# 16 calls at once: the daemon's expectations (two a call, for the call's
# life) must fit; its default share, half of nf_conntrack_expect_max, is
# 28 in this guest on 6.12.
NGD_ARGS="--max-expectations 40" fw_ruleset
# Public TCP 1723 (and 1724 for part 3) to the inside; the helper must be
# attached to 1724 too, before DNAT changes the port.
n_fw nft add rule $fw_table pre tcp dport 1724 ct state new \
	ct helper set '"pptp-ng"' ct mark set ct mark or 0x00100000
n_fw nft add chain $fw_table prenat '{ type nat hook prerouting priority dstnat; policy accept; }'
n_fw nft add rule $fw_table forward iifname wan oifname br0 tcp dport 1723 ct status dnat accept

# dnat PORT IP: public TCP PORT goes to IP:1723 (replacing the rule for PORT).
dnat() {
	local h
	h=$(n_fw nft -a list chain $fw_table prenat | awk -v p="dport $1 " \
		'index($0, p) { print $NF }')
	[ -z "$h" ] || n_fw nft delete rule $fw_table prenat handle "$h"
	n_fw nft add rule $fw_table prenat iifname wan tcp dport "$1" dnat ip to "$2:1723"
}

# wait_live N: calls_live reaches N (pptp-ng's faces only).
wait_live() {
	local t
	ng_face || return 0
	for ((t = 0; t < 50; t++)); do
		[ "$(fw_counter calls_live)" = "$1" ] && return 0
		sleep 0.1
	done
	fail "calls_live is $(fw_counter calls_live), not $1"
}

# --- 1. real pptpd inside, real clients outside

srv=$(client_ip4 1)
dnat 1723 "$srv"
pptpd_start client1
pretty outside "$nclients x pptp-echo to $fw_wan_ip4, $frames frames each, at once"
for ((i = 1; i <= nclients; i++)); do
	echo_start "out$i" "out$i" "$fw_wan_ip4" -n "$frames"
done
echo_wait

pretty fw "conntrack while the calls are up"
ctl=$(n_fw conntrack -L -p tcp --orig-port-dst 1723 2>/dev/null)
gre=$(n_fw conntrack -L -p gre 2>/dev/null)
printf "%s\n" "$ctl" "$gre"
for ((i = 1; i <= nclients; i++)); do
	ip=$(outside_ip4 "$i")
	grep "src=$ip dst=$fw_wan_ip4 " <<<"$ctl" | grep -q "src=$srv dst=$ip .*helper=$ct_helper" ||
		fail "out$i: no control connection to $srv with helper=$ct_helper"
	grep "src=$ip dst=$fw_wan_ip4 " <<<"$gre" | grep -q "src=$srv dst=$ip " ||
		fail "out$i: no GRE from the client to the server inside"
	grep "src=$srv dst=$ip " <<<"$gre" | grep -q "src=$ip dst=$fw_wan_ip4 " ||
		fail "out$i: no GRE from the server inside back through $fw_wan_ip4"
done
wait_live $nclients
# pptpd's first call ID is 0, which must never be shown through NAT.
if ng_face && grep -q "dst=$fw_wan_ip4 srckey=0x0 dstkey=0x0 " <<<"$gre"; then
	fail "a client outside sends GRE keyed 0"
fi

echo_release
wait_live 0
kill "$(cat "$out/pptpd.pid")"
pretty done "$nclients outside clients got byte-exact echoes from pptpd behind DNAT"

# --- 2. one PAC inside, two PNS outside with the same call IDs

dnat 1723 "$(client_ip4 2)"
sim_listen pac client2 "$(client_ip4 2)" --role pac --expect-sessions 2 \
	--calls $calls --packets $packets --timeout 30
for i in 1 2; do
	sim_connect "pns$i" "out$i" "$fw_wan_ip4" --role pns --calls $calls \
		--packets $packets --call-id-base 1 --timeout 30
done
sim_wait_status
sims_passed pac pns1 pns2
expect_gre pac $((2 * calls * packets))
expect_gre pns1 $((calls * packets))
expect_gre pns2 $((calls * packets))
wait_live 0

# --- 3. two PACs inside with the same call IDs, seen by one outside host

# The PNS IDs differ from the PACs': a CDN carrying the PAC's own ID (as
# pptp-sim's does, per RFC 2637) must not also be a PNS ID of the session,
# or nobody can tell its two readings apart (docs/core.md).  Each PNS
# holds its calls once they are all up (--hold: it stops itself), and the
# second connects only then, so the two sessions are up at the same time
# whatever the helper's speed: the second PAC's IDs collide with the
# first's and must be translated.  Then both clear their calls.

packets=50
port=1723 translated=$(fw_counter ids_translated)
dnat 1724 "$(client_ip4 3)"
sim_listen pac1 client2 "$(client_ip4 2)" --role pac --expect-sessions 1 \
	--calls $calls --packets $packets --call-id-base 1 --timeout 30
sim_listen pac2 client3 "$(client_ip4 3)" --role pac --expect-sessions 1 \
	--calls $calls --packets $packets --call-id-base 1 --timeout 30
sim_connect pnsa out1 "$fw_wan_ip4" --role pns --calls $calls \
	--packets $packets --call-id-base 201 --hold --timeout 30
sim_held out1
port=1724
sim_connect pnsb out1 "$fw_wan_ip4" --role pns --calls $calls \
	--packets $packets --call-id-base 101 --hold --timeout 30
sim_held out1 2
sim_release
sim_wait_status
sims_passed pac1 pac2 pnsa pnsb
fw_show
for name in pac1 pac2 pnsa pnsb; do
	expect_gre "$name" $((calls * packets))
done
if ng_face; then
	[ $(($(fw_counter ids_translated) - translated)) -ge $calls ] ||
		fail "the second PAC's call IDs were not translated"
	wait_live 0
	[ "$(fw_counter sessions_live)" = 0 ] || fail "sessions still live after StopCCRQ"
	[ "$(fw_counter ids_live)" = 0 ] || fail "call IDs still allocated after the sessions ended"
fi
pretty done "PAC behind DNAT: 2 PNS x $calls calls with the same IDs; 2 PACs with the same IDs to one host ($helper)"
