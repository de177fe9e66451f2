#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
#
# A call's next GRE packets arriving while its first one's conntrack is
# not yet confirmed:
#
#   client1,2 pptp-sim PNS ──br0── fw (masquerade, HELPER) ── server PAC
#                                   │ forward, before the ruleset:
#                                   └ ct state related: NFQUEUE 7 (nfq-hold, 300 ms)
#
# The first GRE packet of each call direction makes its conntrack from
# the call's expectation (related) and is held in a queue for 300 ms,
# unconfirmed, while the sender's next two packets of that direction
# arrive.  That is the window two first packets on two CPUs open now
# and then (a lost GRE packet on 6.12's row 06, the stress, 6.1's row
# 07), held open on purpose.  Every packet must arrive, translated:
# those that came in the window too, and none may leave the wrong way
# (6.1 moved a held packet of one direction onto the conntrack of the
# other, and NAT sent it back where it came from: kernel/guard.c,
# claim_reply, take_over).

cd "$(dirname "$0")/../../.."
source tests/kernel/scenarios/lib.sh

calls=4
queue=7
topology 2
fw_ruleset
n_fw build/tests/nfq-hold $queue 300 2>"$out/hold.err" &
bg_pids+=($!)
n_fw nft -f - <<EOF2
table inet first_packets {
	chain forward {
		type filter hook forward priority filter - 10; policy accept;
		meta l4proto gre ct state related queue num $queue
	}
	counter wrong_way { }
	chain leaving {
		type filter hook postrouting priority srcnat + 1; policy accept;
		meta l4proto gre oifname "br0" ip daddr $server_ip4 counter name wrong_way
		meta l4proto gre oifname "wan" ip saddr $server_ip4 counter name wrong_way
	}
}
EOF2
sim_listen pac server "$server_ip4" --role pac --expect-sessions 2 --calls $calls \
	--timeout 30
pns_clients 2 --calls $calls --call-id-base 1 --timeout 30
sim_wait_status
port=1723
sims_or_show "held first packets" pac pns1 pns2
expect_gre pac $((2 * calls * 3))
expect_gre pns1 $((calls * 3))
expect_gre pns2 $((calls * 3))
n_fw nft list counter inet first_packets wrong_way | grep -q 'packets 0 '
fw_show
pretty done "packets in the window of an unconfirmed first one, every one delivered ($helper)"
