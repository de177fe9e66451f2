#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
#
# Hostile traffic from a LAN host and an internet host while two users'
# calls carry GRE (tests/lib/attacks.sh draws the topology):
#
#   client1, client2 victims ─┐
#   client3 attacker ─────────┴─ fw (masquerade, HELPER) ─ server PAC
#                                                        └ out1 attacker
#
# The attackers forge ICMP errors about a victim's control connection,
# SYN and RST segments in and out of its window, GRE version 0 keyed like
# a call, then flood the firewall with control connections and calls of
# their own beyond the helper's per-source and expectation limits.  Every
# victim call must keep all its GRE both ways, the victims' sessions must
# stay tracked, and the counters must show each refusal.  The stock helper
# runs it for comparison only (it follows one call per control connection).

cd "$(dirname "$0")/../../.."
source tests/kernel/scenarios/lib.sh
source tests/lib/attacks.sh

face_calls() {
	if ng_face; then
		fw_counter calls_live
	else
		n_fw conntrack -L expect 2>/dev/null | grep -c 'proto=47'
	fi
}

per_source=4
# The attacker's calls send no GRE, so each holds its two expectations:
# the 4 x 4 it may keep need 32.  The victims' 8 calls need 16 while they
# come up; the module's then hold none once their GRE flows (but the
# direction keyed 0: pptp-sim's PAC counts from 0 here), the daemon's keep
# theirs.  Victims first: the cap must not refuse them.
max_exp=20
[ "$helper" != pptp-ngd ] || max_exp=24

rst_grace_count() { fw_counter rst_grace; }

set_limits() {
	local p=/sys/module/nf_conntrack_pptp_ng/parameters
	case $helper in
	pptp-ng)
		echo "$1" >"$p/max_sessions_per_source"
		echo "$2" >"$p/max_expectations" ;;
	esac
}

topology 3
outside 1
set_limits $per_source $max_exp
trap 'set_limits 256 0; face_stop $?; cleanup; rm -rf "$out"' EXIT
NGD_ARGS="--max-sessions-per-source $per_source --max-expectations $max_exp" fw_ruleset
victims_start
attack_icmp
attack_tcp
attack_gre_v0 1
attack_gre_v0 2
if ng_face; then
	[ "$(fw_counter sessions_live)" = 2 ] ||
		fail "a victim's session ended: sessions_live $(fw_counter sessions_live)"
	victim_kept 1
fi

attack_floods
victims_check
if ng_face; then
	[ "$(fw_counter sessions_refused_source)" -ge 1 ] ||
		fail "no control connection refused beyond $per_source from one source"
	[ "$(fw_counter expect_refused)" -ge 1 ] || fail "no call refused beyond $max_exp expectations"
	[ "$(fw_counter drop_gre_not_v1)" -ge 1 ] || fail "GRE v0 on a call's pinhole not dropped"
	pretty counters "$(fw_counters | awk '$2 != 0 && ($1 ~ /refused|drop|invalid|anomaly/)' | tr '\n' ' ')"
fi
pretty done "victims kept every GRE packet through ICMP, SYN, RST, GRE v0 and floods ($helper)"
