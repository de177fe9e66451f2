#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
#
# An idle call keeps its GRE:
#
#   client1 pptp-sim PNS ──br0── fw (masquerade, HELPER) ──wan── server PAC
#
# Two calls send half their GRE, stay silent IDLE_SECONDS (45 here, longer
# than the 30 s conntrack gives unreplied GRE; `make test-kernels` runs
# 600, beyond the 180 s of replied GRE), then send the rest both ways.  With the
# module no expectation is left once GRE flows: each call's one GRE
# conntrack lives as long as the call (assured, fixed timeout) and still
# carries the rest after the silence.

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
	[ "$(grep -c ASSURED <<<"$gre")" = $calls ] ||
		fail "not $calls assured GRE conntracks (one a call) while the calls are idle"
	[ "$(n_fw conntrack -L expect 2>/dev/null | grep proto=47 | grep -vc 'dstkey=0x0 ')" = 0 ] ||
		fail "expectations held by idle calls"
fi
sim_wait_status
# Both sides start their GRE at once: first packets that met their pair
# (gre_adopted), or whose pair had given up its claim on them and that
# took its direction over (gre_unpaired, gre_taken_over), must not have
# cost a packet, nor left a call two conntracks (above).
[ "$helper" != pptp-ng ] ||
	pretty fw "$(fw_counters | grep -E '^gre_(paired|adopted|unpaired|taken_over) ' | paste -sd,)"
sims_passed pns pac
expect_gre pns $((calls * packets))
expect_gre pac $((calls * packets))
pretty done "$calls calls idle for $idle s carried GRE both ways afterwards ($helper)"
