#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
#
# The parity test's captures, shared by tests/parity/parity.test (host)
# and tests/kernel/scenarios/18-parity.sh (the module, in QEMU).
#
#   parity_dir             build/parity: NAME.script, NAME.pcap, NAME.frames
#                          from tests/parity/capture.py, NAME.explain.json,
#                          NAME.FACE.log from pptp-replay
#   parity_hosts           inside hosts the scripts use (4: 192.0.2.11-14)
#   parity_replay NAME     play NAME.script in the topology of
#                          tests/lib/netns.sh (after `topology
#                          $parity_hosts`), what arrived on stdout

parity_dir=build/parity
parity_hosts=4

parity_replay() {
	local i args=(--ns "$server_ip4=/run/netns/$pfx-server" --nat "$fw_wan_ip4")

	for ((i = 1; i <= parity_hosts; i++)); do
		args+=(--ns "$(client_ip4 "$i")=/run/netns/$pfx-client$i")
	done
	build/tests/pptp-replay "${args[@]}" "$parity_dir/$1.script"
}
