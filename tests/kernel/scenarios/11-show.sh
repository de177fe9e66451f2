#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
#
# pptp-ng show on the live state nf_conntrack_pptp_ng keeps, while calls
# are up:
#
#   client1..2 pptp ──br0── fw (nft/pptp-ng.nft, pptp-ng) ──wan── server pptpd
#   192.0.2.11-12           masquerade to 203.0.113.1             203.0.113.2
#
# Each client (pptp-echo -H) holds its one call up after its echoes.  Then,
# in the firewall and in one go: conntrack -L of the control connections,
# of GRE and of the expectations, `pptp-ng show --json`, the module's
# /proc/net/nf_pptp_ng and `pptp-ng show`.  Checked here: the tree lists
# both control connections with helper pptp-ng, one GRE entry each and
# no expectation (the module's GRE conntrack carries both directions of a
# call and its expectations go once it is confirmed, docs/kernel.md) and
# the counter file line for line.  Everything is printed between "=== BEGIN NAME" and
# "=== END NAME" lines for tests/kernel/show.test, which compares the JSON
# with the conntrack -L output on the host (the guest has no python).
#
# With pptp-ngd (the daemon, backend cthelper) the same tree with two GRE
# entries and two expectations a call (one GRE conntrack per call
# direction from permanent expectations), and instead of the module's counter file the
# daemon's section: `show --socket` names its control socket and both
# sessions.  The stock helper has neither: skipped.

cd "$(dirname "$0")/../../.."
source tests/kernel/scenarios/lib.sh
source tests/lib/peers.sh

insp=$PWD/build/inspect-asan/pptp-ng
[ -x "$insp" ] || insp=$PWD/build/pptp-ng
nclients=2

needs pptpd pptp nft conntrack
ng_face || { echo "SKIP: pptp-ng show follows pptp-ng's own faces" >&2; exit 77; }
export ASAN_OPTIONS=detect_leaks=1:exitcode=99
topology $nclients
fw_ruleset
n_fw sysctl -qw net.netfilter.nf_conntrack_acct=1

pptpd_start server
for ((i = 1; i <= nclients; i++)); do
	echo_start "client$i" "client$i" "$server_ip4" -n 8 -t 60
done
echo_wait >/dev/null

pretty fw "conntrack -L, pptp-ng show --json, the counters, pptp-ng show"
n_fw conntrack -L -p tcp --dport 1723 >"$out/ctl.txt" 2>/dev/null
n_fw conntrack -L -p gre >"$out/gre.txt" 2>/dev/null
n_fw conntrack -L expect >"$out/exp.txt" 2>/dev/null
sock=()
[ "$helper" != pptp-ngd ] || sock=(--socket "$ngd_sock")
n_fw "$insp" show --json "${sock[@]}" >"$out/show.json" 2>"$out/show.err" ||
	{ cat "$out/show.err" >&2; fail "pptp-ng show --json failed"; }
fw_counters >"$out/proc.txt"
n_fw "$insp" show "${sock[@]}" >"$out/show.txt" 2>>"$out/show.err" ||
	{ cat "$out/show.err" >&2; fail "pptp-ng show failed"; }
! grep -q "Sanitizer\|runtime error" "$out/show.err" || { cat "$out/show.err" >&2; fail "sanitizer report"; }

for f in ctl.txt gre.txt exp.txt show.json proc.txt show.txt; do
	echo "=== BEGIN $f"
	cat "$out/$f"
	echo "=== END $f"
done

# The tree, in the guest: what the helper tracks, under its masters.
[ "$(grep -c '^control \[ESTABLISHED\] helper pptp-ng$' "$out/show.txt")" = $nclients ] ||
	fail "show does not list $nclients established control connections with helper pptp-ng"
# The module: one GRE conntrack a call; the daemon: one a direction.
per_call=2
[ "$helper" != pptp-ng ] || per_call=1
[ "$(grep -c '^  gre$' "$out/show.txt")" = $((per_call * nclients)) ] ||
	fail "show does not list $per_call GRE entries per call"
# The module holds no expectation once a call's GRE flows; the daemon
# keeps two per call.
[ "$helper" = pptp-ng ] ||
	[ "$(grep -c '^  expect gre ' "$out/show.txt")" = $((2 * nclients)) ] ||
	fail "show does not list two GRE expectations per call"
[ "$(grep -c '^  expect gre ' "$out/show.txt")" = "$(grep -c 'proto=47' "$out/exp.txt")" ] ||
	fail "show does not list the GRE expectations conntrack has"
[ "$(grep -c '^gre ' "$out/gre.txt")" = $((per_call * nclients)) ] ||
	fail "conntrack -L lists $(grep -c '^gre ' "$out/gre.txt") GRE entries, not $((per_call * nclients))"
if [ "$helper" = pptp-ng ]; then
	sed -n '/^kernel module counters (\/proc\/net\/nf_pptp_ng):$/,/^daemon /p' "$out/show.txt" |
		sed '1d;$d;s/^  //' >"$out/shown.txt"
	cmp -s "$out/shown.txt" "$out/proc.txt" ||
		{ diff -u "$out/proc.txt" "$out/shown.txt" >&2; fail "show's counters differ from the file"; }
else
	grep -qxF "daemon pptp-ngd ($ngd_sock): $nclients sessions" "$out/show.txt" ||
		fail "show does not list the daemon's $nclients sessions"
fi
[ "$(fw_counter calls_live)" = $nclients ] || fail "calls_live is not $nclients"

echo_release
pretty done "show lists $helper's control connections, GRE, expectations, counters"
