#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
#
# Two first GRE packets of one direction at once, on two CPUs:
#
#   client1,2 pptp-sim PNS ──br0── fw (masquerade, HELPER) ── server PAC
#
# Every call's first two packets, each side's, leave together from two
# threads pinned to CPUs 0 and 1 (pptp-sim --gre-two-cpus), so the
# firewall makes two conntracks for one tuple at once on two CPUs, and,
# with the other side doing the same, up to four.  Conntrack keeps one
# (6.1 drops the other packet's, 6.12 resolves the clash); pptp-ng must
# deliver both packets, translated.  A sender whose packets reach the
# firewall on two CPUs (a multi-queue NIC, a process that moved) makes
# this race now and then; here it is every call's.  The guest has two
# CPUs (tests/vm/guest.sh).

cd "$(dirname "$0")/../../.."
source tests/kernel/scenarios/lib.sh

calls=12
rounds=3
topology 2
fw_ruleset
for round in $(seq "$rounds"); do
	pretty round "$round of $rounds: $calls calls a client, first packets from two CPUs"
	sim_listen pac server "$server_ip4" --role pac --expect-sessions 2 --calls $calls \
		--gre-two-cpus --timeout 30
	for i in 1 2; do
		n_client "$i" "$sim" --connect "$server_ip4" --port 1723 --json --role pns \
			--calls $calls --call-id-base 1 --gre-two-cpus --timeout 30 \
			>"$out/pns$i.json" 2>"$out/pns$i.err" &
		bg_pids+=($!) sim_pids+=($!) sim_names+=("pns$i")
	done
	sim_wait_status
	port=1723
	sims_or_show "round $round" pac pns1 pns2
	expect_gre pac $((2 * calls * 3))
	expect_gre pns1 $((calls * 3))
	expect_gre pns2 $((calls * 3))
done
fw_show
pretty done "first packets of one direction on two CPUs, every one delivered ($helper)"
