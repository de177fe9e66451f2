#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
# shellcheck disable=SC2154
#
# The packet-level fuzzer of the faces (tests/tools/pptp_fuzzpkt.c), shared
# by the QEMU scenario (tests/kernel/scenarios/15-fuzz-packets.sh: the
# module and the cthelper daemon) and the host test (tests/daemon/
# fuzzpkt.test: the nfqueue daemon).  Sourced after tests/sim/lib.sh on
# `topology 2`:
#
#   client1 pptp-fuzzpkt ──┐                             ┌── pptp-fuzzpkt (server side)
#   client2 pptp-sim PNS ──┴─ br0 ─ fw (FACE) ─ wan ─────┴── server, pptp-sim PAC
#
# The core fuzzer's corpus (tests/fuzz/corpus) is played as control
# connections from client1's address to the server, both directions
# forged from inside those namespaces, cut into random segments, some
# retransmitted or ahead of their turn, with RSTs, SYNs and ICMP errors
# mixed in.  The hosts never answer (their own packets to 1723 and GRE are
# dropped on arrival) and conntrack takes any window (be_liberal), so all
# of it reaches the face.  Then conntrack forgets the fuzzed connections
# (conntrack -F, as their timeouts would: they never end, and their calls
# hold expectations meanwhile), and the firewall must still carry a real
# control connection with two calls from client2.
#
#   fuzz_faces N      N packets, the flush, fuzz_flushed (the caller's,
#                     if defined: checks once nothing is left), the call

fuzzpkt=$PWD/build/tests/pptp-fuzzpkt

fuzz_faces() {
	local n=$1 seed=${FUZZ_SEED:-$RANDOM}
	[ -x "$fuzzpkt" ] || fail "$fuzzpkt missing (make first)"
	n_fw sysctl -qw net.netfilter.nf_conntrack_tcp_be_liberal=1
	mute client1
	mute server
	pretty fuzz "$n packets from the core's corpus, seed $seed"
	"$fuzzpkt" --client-ns "/run/netns/$pfx-client1" --server-ns "/run/netns/$pfx-server" \
		--client "$(client_ip4 1)" --server "$server_ip4" --public "$fw_wan_ip4" \
		--segments "$n" --seed "$seed" tests/fuzz/corpus/* ||
		fail "pptp-fuzzpkt failed"
	unmute client1
	unmute server
	n_fw sysctl -qw net.netfilter.nf_conntrack_tcp_be_liberal=0
	n_fw conntrack -F >/dev/null 2>&1 || true
	sleep 1
	! declare -F fuzz_flushed >/dev/null || fuzz_flushed
	fuzz_check_call
}

# A real control connection from client2 with two calls, after the storm.
fuzz_check_call() {
	sim_listen pac server "$server_ip4" --role pac --expect-sessions 1 --calls 2 --timeout 30
	sim_connect pns client2 "$server_ip4" --role pns --calls 2 --timeout 30
	sim_wait_status
	sims_passed pac pns
	expect_gre pns 6
	pretty fuzz "afterwards a real control connection carries 2 calls"
}
