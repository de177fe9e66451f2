#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
#
# The scripted PNS (tests/tools/pns.sh) for the shell tests, on top of
# tests/lib/netns.sh; its replies go to $out/pns-NAME.log.
#
#   pns_start NAME NS SERVER   start it in NS, to SERVER's TCP 1723
#   pns NAME COMMAND [ID]      send a command, wait up to 10 s for the
#                              reply's line and print it (fails the test,
#                              through its fail if it has one, without)
#
# Each PNS reads its commands from a fifo held open on a descriptor of
# the test's (10 and up, one per PNS).

declare -A pns_fd
pns_next_fd=10

pns_start() {
	local name=$1 ns=$2 server=$3
	rm -f "$out/pns-$name.in" "$out/pns-$name.log"
	mkfifo "$out/pns-$name.in"
	pns_fd[$name]=$pns_next_fd
	pns_next_fd=$((pns_next_fd + 1))
	eval "exec ${pns_fd[$name]}<>\"\$out/pns-\$name.in\""
	n "$ns" bash tests/tools/pns.sh "$server" <"$out/pns-$name.in" >"$out/pns-$name.log" 2>&1 &
	bg_pids+=($!)
}

pns() {
	local name=$1 n t
	n=$(grep -c . "$out/pns-$name.log" || true)
	echo "$2 $3" >&"${pns_fd[$name]}"
	for ((t = 0; t < 100; t++)); do
		[ "$(grep -c . "$out/pns-$name.log" || true)" -gt "$n" ] && break
		sleep 0.1
	done
	if [ "$(grep -c . "$out/pns-$name.log" || true)" -le "$n" ]; then
		if declare -F fail >/dev/null; then
			fail "pns $name: no answer to $2 $3"
		fi
		die "pns $name: no answer to $2 $3"
	fi
	tail -n 1 "$out/pns-$name.log"
}
