#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
#
# Shared by tests/daemon/*.test: the firewall of tests/lib/netns.sh with
# masquerade, a forward policy of drop, NO kernel PPTP helper, and pptp-ngd
# (backend nfqueue) doing PPTP's NAT.
#
#   ngd_firewall              masquerade + filter (tests/daemon/fw.nft)
#   ngd_start [ARGS...]       start pptp-ngd in fw as user $ngd_user (nobody:
#                             the runs check it works with CAP_NET_ADMIN
#                             alone), wait until it answers
#   ngd_kill9                 kill -9 it (its table stays)
#   ngd_status                its JSON state on stdout
#   ngd_counter NAME          one number from its counters
#   ngd_sum GROUP             the sum of a group of them (invalid, anomalies...)
#   nft_count MAP             elements in one of its GRE maps

ngd=${PPTP_NGD:-$PWD/build/pptp-ngd}	# PPTP_NGD: a wrapper (valgrind...)
ngd_ruleset=$PWD/nft/pptp-ngd-nfqueue.nft
ngd_pid=
ngd_user=${NGD_USER:-nobody}	# every Debian has it; privs.test makes its own

ngd_needs() {
	needs nft conntrack
	[ -x "$ngd" ] || { echo "SKIP: $ngd missing, run make first" >&2; exit 77; }
}

ngd_firewall() {
	n_fw nft -f tests/daemon/fw.nft
}

ngd_start() {
	local i

	rm -f "$ngd_dir/ngd.sock"
	# not through n_fw: $! must be pptp-ngd itself (ip netns exec execs it)
	ip netns exec "$pfx-fw" "$ngd" --backend nfqueue --foreground --ruleset "$ngd_ruleset" \
		--socket "$ngd_dir/ngd.sock" --user "$ngd_user" -v "$@" \
		>>"$ngd_dir/pptp-ngd.log" 2>&1 9>&- &
	ngd_pid=$!
	bg_pids+=($ngd_pid)
	# the socket exists before the daemon drops root: wait for an answer
	for ((i = 0; i < 50; i++)); do
		[ -S "$ngd_dir/ngd.sock" ] && ngd_status >/dev/null 2>&1 && return 0
		kill -0 "$ngd_pid" 2>/dev/null || break
		sleep 0.1
	done
	cat "$ngd_dir/pptp-ngd.log" >&2
	# a kernel without what the backend needs: this machine cannot run it
	if grep -q "(kernel without" "$ngd_dir/pptp-ngd.log"; then
		echo "SKIP: $(grep -o 'kernel without[^)]*' "$ngd_dir/pptp-ngd.log" | head -1)" >&2
		exit 77
	fi
	die "pptp-ngd did not start"
}

ngd_kill9() {
	kill -9 "$ngd_pid"
	wait "$ngd_pid" 2>/dev/null || true
}

ngd_status() {
	n_fw "$ngd" --status --socket "$ngd_dir/ngd.sock"
}

ngd_counter() {
	ngd_status | grep -o "\"$1\":[0-9]*" | head -1 | cut -d: -f2
}

nft_count() {
	n_fw nft list map ip pptp_ngd "$1" | grep -o ' expires ' | wc -l
}

# ngd_sum GROUP: the sum of a counter group (invalid, anomalies, refused).
ngd_sum() {
	ngd_status | grep -o "\"$1\":{[^}]*}" | grep -o ':[0-9][0-9]*' | tr -d : |
		awk '{ s += $1 } END { print s + 0 }'
}
