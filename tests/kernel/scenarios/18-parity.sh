#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
#
# The same captures through every face, against explain's prediction:
#
#   client1..4 pptp-replay ──br0── fw (masquerade, HELPER) ──wan── server pptp-replay
#
# tests/parity/prepare.sh (on the host, before the guest boots) made
# build/parity/NAME.script from each capture, every inside host played
# twice so call IDs collide at the NAT, and NAME.expected, what arrives
# where if the firewall does what `pptp-ng explain` says: the same
# translated IDs byte for byte, the same GRE delivered with the same keys
# and the same GRE dropped.  pptp-replay plays each script (the server
# echoing the IDs it was shown, as a real peer would); its output must be
# NAME.expected exactly.

cd "$(dirname "$0")/../../.."
source tests/kernel/scenarios/lib.sh
source tests/parity/lib.sh

ls "$parity_dir"/*.script >/dev/null 2>&1 ||
	fail "no $parity_dir/*.script: tests/parity/prepare.sh runs on the host first"
topology "$parity_hosts"
fw_ruleset
parity_check "$out" || fail "$helper does not do what explain predicts"
pretty done "every capture through $helper as explain predicts"
