#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
#
# IPv6: control connection and GRE through a routing firewall (no NAT):
#
#   client1 pptp-sim PNS ──br0── fw (routes, HELPER) ──wan── server PAC
#   2001:db8:1::11                                          2001:db8:2::2
#
# One control connection with 8 calls.  GRE from outside is forwarded only
# as related to a helper's control connection.  The stock helper and the
# daemon (pptp-ngd) are IPv4 only.

cd "$(dirname "$0")/../../.."
source tests/kernel/scenarios/lib.sh

[ "$helper" != pptp-ngd ] ||
	{ echo "SKIP: pptp-ngd is IPv4-only (its helper, sessions and expectations are AF_INET)" >&2; exit 77; }

calls=8
topology 1
fw_ruleset
sim_listen pac server "$server_ip6" --role pac --expect-sessions 1 --calls $calls --timeout 30
sim_connect pns client1 "$server_ip6" --role pns --calls $calls --timeout 30
sim_wait_status
fw_show
sims_passed pns pac
expect_gre pns $((calls * 3))
expect_gre pac $((calls * 3))
if [ "$helper" = pptp-ng ]; then
	[ "$(fw_counter calls_up)" = $calls ] || die "calls_up is not $calls"
	[ "$(fw_counter ids_translated)" = 0 ] || die "IDs translated without NAT"
fi
pretty done "IPv6, $calls calls routed ($helper)"
