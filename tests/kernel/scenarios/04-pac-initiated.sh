#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
#
# A PAC-initiated control connection with incoming calls through NAT:
#
#   client1 pptp-sim PNS, listening ──br0── fw ──wan── server pptp-sim PAC
#   192.0.2.11:1723                  DNAT 203.0.113.1:1723    connects
#
# The PAC outside connects to the firewall, which forwards TCP 1723 to the
# PNS inside; the PAC places 4 incoming calls (ICRQ/ICRP/ICCN).  The roles
# come from the messages, not from who opened the connection.  The stock
# helper assumes the PNS opened it.

cd "$(dirname "$0")/../../.."
source tests/kernel/scenarios/lib.sh

calls=4
topology 1
fw_ruleset
n_fw nft add chain $fw_table prenat '{ type nat hook prerouting priority dstnat; policy accept; }'
n_fw nft add rule $fw_table prenat iifname wan tcp dport 1723 dnat ip to "$(client_ip4 1)"
n_fw nft add rule $fw_table forward iifname wan oifname br0 tcp dport 1723 ct status dnat accept

sim_listen pns client1 "$(client_ip4 1)" --role pns --incoming --expect-sessions 1 \
	--calls $calls --timeout 30
sim_connect pac server "$fw_wan_ip4" --role pac --incoming --calls $calls --timeout 30
sim_wait_status
fw_show
sims_passed pns pac
expect_gre pns $((calls * 3))
expect_gre pac $((calls * 3))
pretty done "PAC-initiated, $calls incoming calls through DNAT ($helper)"
