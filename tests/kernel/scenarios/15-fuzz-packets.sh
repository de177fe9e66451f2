#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
#
# The packet-level fuzzer (tests/lib/fuzzpkt.sh draws the topology): the
# core fuzzer's corpus as forged control connections through the face,
# FUZZ_SEGMENTS packets (100,000 in CI; `make fuzz-faces` runs more).  The
# guest fails the run on any WARN, Oops, BUG or KASAN report; the face must
# carry a real control connection afterwards, and the module must have
# let go of every session once conntrack forgot the fuzzed connections.

cd "$(dirname "$0")/../../.."
source tests/kernel/scenarios/lib.sh
source tests/lib/fuzzpkt.sh

# Every fuzzed connection comes from client1: no per-source limit here.
per_source=/sys/module/nf_conntrack_pptp_ng/parameters/max_sessions_per_source
[ "$helper" != pptp-ng ] || echo 0 >"$per_source"
trap '[ "$helper" != pptp-ng ] || echo 256 >"$per_source"; face_stop $?; cleanup; rm -rf "$out"' EXIT
topology 2
NGD_ARGS="--max-sessions-per-source 0" fw_ruleset
# Once conntrack forgot the fuzzed connections, nothing of them is left.
fuzz_flushed() {
	ng_face || return 0
	pretty counters "$(fw_counters | awk '$2 != 0' | tr '\n' ' ')"
	for ((t = 0; t < 50; t++)); do
		[ "$(fw_counter sessions_live)" = 0 ] && break
		sleep 0.1
	done
	[ "$(fw_counter sessions_live)" = 0 ] || fail "sessions left after conntrack -F"
	[ "$(fw_counter ids_live)" = 0 ] || fail "call IDs left after conntrack -F"
}

fuzz_faces "${FUZZ_SEGMENTS:-100000}"
[ "$helper" != pptp-ngd ] || kill -0 "$ngd_pid" 2>/dev/null || fail "pptp-ngd died"
pretty done "fuzzed packets through $helper: no report, still working"
