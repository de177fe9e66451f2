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
#   parity_check DIR       replay every script, each against its
#                          NAME.expected (replays and diffs kept in DIR);
#                          fails when any differs, showing how

parity_dir=build/parity
parity_hosts=4

parity_replay() {
	local i args=(--ns "$server_ip4=/run/netns/$pfx-server" --nat "$fw_wan_ip4")

	for ((i = 1; i <= parity_hosts; i++)); do
		args+=(--ns "$(client_ip4 "$i")=/run/netns/$pfx-client$i")
	done
	build/tests/pptp-replay "${args[@]}" "$parity_dir/$1.script"
}

parity_check() {
	local dir=$1 script name bad=0

	for script in "$parity_dir"/*.script; do
		name=$(basename "${script%.script}")
		parity_replay "$name" >"$dir/$name.replay"
		if diff -u "$parity_dir/$name.expected" "$dir/$name.replay" >"$dir/$name.diff"; then
			pretty parity "$name: as explain says"
		else
			pretty parity "$name: NOT as explain says (expected, then what arrived)"
			head -n 40 "$dir/$name.diff" >&2
			bad=$((bad + 1))
		fi
	done
	[ "$bad" = 0 ] || { echo "parity: $bad captures not replayed as explain predicts" >&2; return 1; }
}
