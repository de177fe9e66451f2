#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
#
# An idle call keeps its GRE:
#
#   client1 pptp-sim PNS ──br0── fw (masquerade, HELPER) ──wan── server PAC
#
# Two calls send half their GRE, stay silent IDLE_SECONDS (45 here, longer
# than conntrack's 30 s for the unreplied GRE entries each call direction
# is; `make test-kernels` runs 600), then send the rest both ways.  With
# the module no expectation is left once GRE flows: the calls' GRE
# conntracks live as long as the calls (assured, fixed timeout), and the
# ones from before the silence still carry the rest.

cd "$(dirname "$0")/../../.."
source tests/kernel/scenarios/lib.sh

idle=${IDLE_SECONDS:-45}
calls=2
packets=6
topology 1
fw_ruleset
sim_listen pac server "$server_ip4" --role pac --expect-sessions 1 --calls $calls \
	--packets $packets --gre-pause "$idle" --timeout $((idle + 60))
sim_connect pns client1 "$server_ip4" --role pns --calls $calls --packets $packets \
	--gre-pause "$idle" --timeout $((idle + 60))
sleep $((idle / 2 + 5))
pretty idle "$idle s without GRE, halfway"
gre=$(n_fw conntrack -L -p gre 2>/dev/null)
printf '%s\n' "$gre"
if [ "$helper" = pptp-ng ]; then
	[ "$(grep -c ASSURED <<<"$gre")" = $((2 * calls)) ] ||
		fail "not $((2 * calls)) assured GRE conntracks while the calls are idle"
	[ "$(n_fw conntrack -L expect 2>/dev/null | grep proto=47 | grep -vc 'dstkey=0x0 ')" = 0 ] ||
		fail "expectations held by idle calls"
fi
sim_wait_status
sims_passed pns pac
expect_gre pns $((calls * packets))
expect_gre pac $((calls * packets))
pretty done "$calls calls idle for $idle s carried GRE both ways afterwards ($helper)"
