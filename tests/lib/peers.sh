#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
#
# Real PPTP peers for the shell tests, on top of tests/lib/netns.sh: pptpd
# with fake-pppd (which echoes every PPP frame), and pptp-linux clients
# driven by pptp-echo, held up after their echoes until released so a test
# can look at the firewall meanwhile.  Logs go to $out.
#
#   pptpd_start NS [ADDR]            pptpd in NS (on ADDR only, if given);
#                                    returns once it listens
#   echo_start NAME NS SERVER [OPTION...]
#                                    one held pptp-echo in NS to SERVER,
#                                    logging to $out/NAME.log; OPTIONs go
#                                    to pptp-echo (-n FRAMES, -t SECONDS...)
#   echo_wait                        until every started pptp-echo has all
#                                    its echoes; fails (through the test's
#                                    fail, if it has one) when one gave up
#   echo_release                     let them hang up; fails unless each
#                                    exited 0
#
# pptp-echo holds its call until its stdin, a fifo, reaches EOF: fd 9 is
# the fifo's only writer, closed by echo_release.

fake_pppd=${fake_pppd:-$PWD/build/tests/fake-pppd}
pptp_echo=${pptp_echo:-$PWD/build/tests/pptp-echo}
echo_pids=() echo_names=()

peers_needs() {
	needs pptpd pptp
	local b
	for b in "$fake_pppd" "$pptp_echo"; do
		[ -x "$b" ] || { echo "SKIP: $b missing, run make first" >&2; exit 77; }
	done
}

# peers_fail MESSAGE: the test's own fail (which shows its logs), else die.
peers_fail() {
	if declare -F fail >/dev/null; then
		fail "$@"
	fi
	die "$@"
}

pptpd_start() {
	local ns=$1 addr=$2

	{
		[ -z "$addr" ] || echo "listen $addr"
		echo "localip 198.51.100.1"
		echo "remoteip 198.51.100.11-19"
	} >"$out/pptpd.conf"
	bg "$ns" pptpd -f -c "$out/pptpd.conf" -p "$out/pptpd.pid" \
		--ppp "$fake_pppd" >"$out/pptpd.log" 2>&1
	wait_for "$ns" sh -c "ss -Hltn 'sport = :1723' | grep -q '${addr:-.}'"
}

echo_start() {
	local name=$1 ns=$2 server=$3; shift 3

	if [ ! -p "$out/hold" ]; then
		mkfifo "$out/hold"
		exec 9<>"$out/hold"
	fi
	n "$ns" "$pptp_echo" -m -H -t 30 "$@" "$server" \
		<"$out/hold" >"$out/$name.log" 2>&1 9>&- &
	echo_pids+=($!) echo_names+=("$name")
}

echo_wait() {
	local i t ready

	for ((t = 0; t < 400; t++)); do
		ready=0
		for i in "${!echo_pids[@]}"; do
			grep -q '^pptp-echo: ok' "$out/${echo_names[i]}.log" && ready=$((ready + 1))
			kill -0 "${echo_pids[i]}" 2>/dev/null ||
				peers_fail "${echo_names[i]}: pptp-echo ended early"
		done
		[ "$ready" = "${#echo_pids[@]}" ] && break
		sleep 0.1
	done
	[ "$ready" = "${#echo_pids[@]}" ] || peers_fail "pptp-echo: not every echo came back in 40 s"
	for i in "${!echo_names[@]}"; do
		grep -h '^pptp-echo:' "$out/${echo_names[i]}.log"
	done
}

echo_release() {
	local i

	exec 9>&-
	for i in "${!echo_pids[@]}"; do
		wait "${echo_pids[i]}" || peers_fail "${echo_names[i]}: pptp-echo failed"
	done
	echo_pids=() echo_names=()
	rm -f "$out/hold"
}
