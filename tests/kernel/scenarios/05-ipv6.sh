#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
#
# IPv6: control connections and GRE through a routing firewall (no NAT),
# then through NAT66, in two rounds of three pptp-sim pairs at once:
#
#   client1 2001:db8:1::11 ─┐                             server 2001:db8:2::2 (PAC)
#   client2 2001:db8:1::12 ─┴─ br0  fw (HELPER)  wan ──          2001:db8:2::3 (PNS)
#
#   out        PNS client1 and client2 -> PAC server ::2, 4 outgoing calls
#              each from the same call ID, both held up at once
#   in         PAC client1 -> PNS server ::3, 4 incoming calls
#   pac-first  (routed only) PAC server -> PNS client2, which listens (one
#              rule lets TCP 1723 in): a session the PAC opens, 4
#              incoming calls
#
# Routed, each client has its own address: nothing is translated.  Then
# the ruleset masquerades IPv6 too (NAT66): the colliding IDs must be
# translated.  GRE is forwarded only as related to a helper's control
# connection (the ruleset's forward chain drops the rest), and pptp-sim
# checks every GRE packet's key and source.  The stock helper is
# IPv4-only.

cd "$(dirname "$0")/../../.."
source tests/kernel/scenarios/lib.sh

calls=4
pac=$server_ip6
pns=2001:db8:2::3
topology 2
n_server ip addr add "$pns/64" dev eth0 nodad
# 16 calls at once: the daemon's two expectations each must fit
NGD_ARGS="--max-expectations 40" fw_ruleset
n_fw nft add rule $fw_table forward iifname wan ip6 daddr "$(client_ip6 2)" tcp dport 1723 accept

# round NAME [pac-first]: the pairs above, every GRE packet checked.
round() {
	local i names=(pac pns1 pns2 pns-in pac-in)
	sim_listen pac server "$pac" --role pac --expect-sessions 2 --calls $calls --timeout 40
	sim_listen pns-in server "$pns" --role pns --expect-sessions 1 --calls $calls --incoming \
		--timeout 40
	# the server's second listener: the first one's port answered wait_for_tcp
	wait_for server sh -c "ss -Hltn 'sport = :$port' | grep -qF '[$pns]:'"
	if [ "$2" = pac-first ]; then
		sim_listen pns-first client2 "$(client_ip6 2)" --role pns --expect-sessions 1 \
			--calls $calls --incoming --timeout 40
		sim_connect pac-first server "$(client_ip6 2)" --role pac --calls $calls --incoming \
			--timeout 40
		names+=(pns-first pac-first)
	fi
	sim_connect pac-in client1 "$pns" --role pac --calls $calls --incoming --timeout 40
	for i in 1 2; do
		sim_connect "pns$i" "client$i" "$pac" --role pns --calls $calls --call-id-base 100 \
			--hold --timeout 40
		sim_held "client$i"
	done
	sim_release
	sim_wait_status
	sims_or_show "$1" "${names[@]}"
	port=1723	# the helper follows TCP 1723
	expect_gre pac $((2 * calls * 3))
	for i in "${names[@]:1}"; do
		expect_gre "$i" $((calls * 3))
	done
}

pretty routed "outgoing calls with colliding IDs, incoming calls, a session the PAC opens"
round routed pac-first
if ng_face; then
	[ "$(fw_counter calls_up)" = $((4 * calls)) ] || fail "calls_up is not $((4 * calls))"
	[ "$(fw_counter ids_translated)" = 0 ] || fail "IDs translated without NAT"
fi

pretty nat66 "the inside masqueraded: the colliding IDs translated, incoming calls"
n_fw nft add rule $fw_table post oifname wan meta nfproto ipv6 masquerade
round nat66
if ng_face; then
	[ "$(fw_counter calls_up)" = $((7 * calls)) ] || fail "calls_up is not $((7 * calls))"
	[ "$(fw_counter ids_translated)" -ge $calls ] || fail "colliding IDs behind NAT66 not translated"
	[ "$(fw_counter calls_live)" = 0 ] || fail "calls still live after the sessions ended"
	[ "$(fw_counter sessions_live)" = 0 ] || fail "sessions still live after StopCCRQ"
fi
fw_show
pretty done "IPv6 routed and NAT66: outgoing, incoming, PAC-opened, colliding IDs ($helper)"
