#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
#
# Shared by tests/sim/*.test: run pptp-sim pairs across the namespaces of
# tests/lib/netns.sh and check what each side reports.
#
#   sim_listen NAME NS ADDR ARGS...   start a listener in NS on ADDR, port
#                                     $port, and wait until it listens
#   sim_connect NAME NS ADDR ARGS...  run a connector to ADDR in NS, in the
#                                     background
#   sim_wait                          wait for them all; die unless each
#                                     exited 0
#   sim_wait_status                   wait for them all, quietly; their exit
#                                     codes in sim_rc[NAME]
#   sims_passed NAME...               fail unless each named side exited 0
#                                     (after sim_wait_status)
#   json_field NAME FIELD    FIELD of section NAME in a side's --json output
#   sim_signal NS...                  SIGUSR1 to every pptp-sim in the NSes
#                                     (ends a --gre-pause)

source tests/lib/netns.sh

sim=build/tests/pptp-sim
port=1723
out=$(mktemp -d)
trap 'cleanup; rm -rf "$out"' EXIT
sim_pids=() sim_names=()
declare -A sim_rc

sim_build() {
	[ -x "$sim" ] || make -s "$sim" >/dev/null || die "cannot build $sim"
}

sim_listen() {
	local name=$1 ns=$2 addr=$3; shift 3
	n "$ns" "$sim" --listen "$addr" --port "$port" --json "$@" \
		>"$out/$name.json" 2>"$out/$name.err" &
	bg_pids+=($!) sim_pids+=($!) sim_names+=("$name")
	wait_for_tcp "$ns" "$port" || { cat "$out/$name.err" >&2; exit 1; }
}

sim_connect() {
	local name=$1 ns=$2 addr=$3; shift 3
	n "$ns" "$sim" --connect "$addr" --port "$port" --json "$@" \
		>"$out/$name.json" 2>"$out/$name.err" &
	bg_pids+=($!) sim_pids+=($!) sim_names+=("$name")
}

sim_wait_status() {
	local i rc

	sim_rc=()
	for i in "${!sim_pids[@]}"; do
		rc=0
		wait "${sim_pids[$i]}" || rc=$?
		sim_rc[${sim_names[$i]}]=$rc
	done
	sim_pids=() sim_names=()
	port=$((port + 1))
}

sim_wait() {
	local name bad=0

	sim_wait_status
	for name in "${!sim_rc[@]}"; do
		[ "${sim_rc[$name]}" = 0 ] && continue
		echo "--- $name exited ${sim_rc[$name]}:" >&2
		cat "$out/$name.err" >&2
		bad=1
	done
	[ "$bad" = 0 ] || die "pptp-sim reported a failure"
}

sim_signal() {
	local ns p
	for ns in "$@"; do
		for p in $(ip netns pids "$pfx-$ns"); do
			[ "$(cat "/proc/$p/comm" 2>/dev/null)" = pptp-sim ] && kill -USR1 "$p"
		done
	done
	return 0
}

# json_field NAME SECTION FIELD: one number out of a side's summary.
json_field() {
	grep -o "\"$2\":{[^}]*}" "$out/$1.json" | grep -o "\"$3\":[0-9a-z]*" | cut -d: -f2
}

# expect_gre NAME N: the side received exactly N verified GRE packets.
expect_gre() {
	local got
	got=$(json_field "$1" gre received)
	[ "$got" = "$2" ] || die "$1 received $got GRE packets, expected $2"
	got=$(json_field "$1" calls up)
	pretty "$1" "$got calls up, $2 GRE packets verified"
}

# sims_passed NAME...: fail unless each pptp-sim NAME exited 0
# (after sim_wait_status).
sims_passed() {
	local name
	for name in "$@"; do
		[ "${sim_rc[$name]}" = 0 ] && continue
		cat "$out/$name.err" >&2
		if declare -F fail >/dev/null; then
			fail "$name exited ${sim_rc[$name]}"
		fi
		die "$name exited ${sim_rc[$name]}"
	done
}
