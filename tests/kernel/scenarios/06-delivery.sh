#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
#
# Several messages per segment, and messages split across segments, with
# call IDs that must be translated (two PNS behind one NAT, same IDs):
#
#   client1,2 pptp-sim PNS ──br0── fw (masquerade, HELPER) ── server PAC
#
# Rounds: --coalesce on both sides (all OCRQs of a session in one write,
# all OCRPs in one); the PNS with --split 4 and --split 11 (each message
# in two segments, cut before its Call ID field), and --split 13, which
# cuts the Call ID field itself: its first byte passes as it is (the
# core's policy keeps a translated ID's first byte, docs/core.md) and
# the second is rewritten in the next segment, so nothing waits for TCP
# to resend anything.  Every GRE packet must arrive where it belongs.  The PAC never splits: pptp-sim's split writes are paced by
# a timer and a PAC marks its call up, and sends GRE, before the tail of
# its reply has left, which no firewall could let through.

cd "$(dirname "$0")/../../.."
source tests/kernel/scenarios/lib.sh

calls=6
topology 2
fw_ruleset
rounds=(--coalesce "--split 4" "--split 11")
# The stock helper reads one message at the start of a segment.
ng_face && rounds+=("--split 13")
for mode in "${rounds[@]}"; do
	pretty round "$mode"
	pac_mode=$mode
	[ "$mode" = --coalesce ] || pac_mode=
	# shellcheck disable=SC2086
	sim_listen pac server "$server_ip4" --role pac --expect-sessions 2 --calls $calls \
		$pac_mode --timeout 30
	# shellcheck disable=SC2086
	pns_clients 2 --calls $calls --call-id-base 1 $mode --timeout 30
	sim_wait_status
	port=1723
	sims_or_show "$mode" pac pns1 pns2
	expect_gre pac $((2 * calls * 3))
done
fw_show
pretty done "coalesced and split control messages, IDs translated ($helper)"
