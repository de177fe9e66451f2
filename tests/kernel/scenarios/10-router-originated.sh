#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
#
# PPTP originated by the firewall itself:
#
#   fw pptp (pptp-echo), pptp-sim PNS ── wan 203.0.113.1 ── server pptpd, pptp-sim PAC
#   helper attached in the output hook                      203.0.113.2
#
# The firewall filters its own input like its forward path: GRE only as
# related to a control connection with the helper's mark.  The helper is
# attached to the control connections the firewall opens by the output
# chain of the ruleset (nft/pptp-ng.nft, or nft/pptp-ngd-cthelper.nft for
# pptp-ngd), so:
# 1. a real pptp-linux client on the firewall gets every PPP frame back
#    byte-exact from pptpd (fake-pppd), with helper=pptp-ng (or pptp) on
#    the control connection and GRE both ways, no GRE dropped;
# 2. without the output chain's rule the call comes up but its GRE is
#    dropped on input and nothing is echoed: the rule is what makes it work;
# 3. with the rule back, pptp-sim: 8 calls on one control connection from
#    the firewall.

cd "$(dirname "$0")/../../.."
source tests/kernel/scenarios/lib.sh
source tests/lib/peers.sh

frames=64
calls=8
packets=5

needs pptpd pptp nft conntrack
topology 0
fw_ruleset
n_fw nft add chain $fw_table in '{ type filter hook input priority filter; policy accept; }'
n_fw nft add rule $fw_table in meta l4proto gre ct state related,established \
	ct mark and 0x00100000 == 0x00100000 accept
n_fw nft add counter $fw_table gre_in_drop
n_fw nft add rule $fw_table in meta l4proto gre counter name gre_in_drop drop

# gre_dropped: GRE packets the firewall's input dropped so far.
gre_dropped() {
	n_fw nft list counter $fw_table gre_in_drop | awk '$1 == "packets" { print $2 }'
}

fail() {
	show_logs
	fw_show
	echo "--- fw input chain" >&2
	n_fw nft list chain $fw_table in >&2
	die "$@"
}

pptpd_start server

# --- 1. a real client on the firewall

pretty fw "pptp-echo to $server_ip4, $frames frames"
mkfifo "$out/hold"
exec 9<>"$out/hold"
n_fw "$pptp_echo" -m -H -n "$frames" -t 30 "$server_ip4" \
	<"$out/hold" >"$out/fw-echo.log" 2>&1 9>&- &
pid=$!
for ((t = 0; t < 400; t++)); do
	grep -q '^pptp-echo: ok' "$out/fw-echo.log" && break
	kill -0 "$pid" 2>/dev/null || fail "pptp-echo on the firewall ended early"
	sleep 0.1
done
grep '^pptp-echo:' "$out/fw-echo.log" || fail "no echoes in 40 s"

pretty fw "conntrack while the call is up"
ctl=$(n_fw conntrack -L -p tcp --orig-port-dst 1723 2>/dev/null)
gre=$(n_fw conntrack -L -p gre 2>/dev/null)
printf "%s\n" "$ctl" "$gre"
grep "src=$fw_wan_ip4 dst=$server_ip4 " <<<"$ctl" | grep -q "helper=$ct_helper" ||
	fail "no control connection from the firewall with helper=$ct_helper"
grep -q "src=$fw_wan_ip4 dst=$server_ip4 " <<<"$gre" || fail "no GRE from the firewall"
grep -q "src=$server_ip4 dst=$fw_wan_ip4 " <<<"$gre" || fail "no GRE from the server"
dropped=$(gre_dropped)
pretty fw "GRE dropped on input: $dropped"
if ng_face; then
	[ "$dropped" = 0 ] || fail "the firewall dropped $dropped GRE packets of its own call"
	[ "$(fw_counter calls_live)" = 1 ] || fail "calls_live is not 1"
fi
exec 9>&-
wait "$pid" || fail "pptp-echo on the firewall failed"

# --- 2. the same without the output chain's rule

pretty fw "without the output hook rule"
n_fw nft flush chain $fw_table out
before=$(gre_dropped)
rc=0
n_fw "$pptp_echo" -m -n 8 -t 8 "$server_ip4" >"$out/fw-noout.log" 2>&1 || rc=$?
after=$(gre_dropped)
grep '^pptp-echo:' "$out/fw-noout.log" || true
pretty fw "pptp-echo exited $rc; GRE dropped on input: $((after - before))"
[ "$rc" != 0 ] || fail "the call worked without the output hook rule"
[ "$after" -gt "$before" ] ||
	fail "no GRE reached the firewall's input: the negative check proves nothing"
n_fw nft add rule $fw_table out tcp dport 1723 ct state new \
	ct helper set '"pptp-ng"' ct mark set ct mark or 0x00100000
kill "$(cat "$out/pptpd.pid")"
wait_for server sh -c "! ss -Hltn 'sport = :1723' | grep -q ."

# --- 3. many calls on one control connection from the firewall (pptpd has
# made room on port 1723 for pptp-sim)

sim_listen pac server "$server_ip4" --role pac --expect-sessions 1 --calls $calls \
	--packets $packets --timeout 30
sim_connect pns fw "$server_ip4" --role pns --calls $calls --packets $packets --timeout 30
sim_wait_status
sims_passed pac pns
expect_gre pac $((calls * packets))
expect_gre pns $((calls * packets))
if ng_face; then
	for ((t = 0; t < 50; t++)); do
		[ "$(fw_counter calls_live)" = 0 ] && break
		sleep 0.1
	done
	[ "$(fw_counter calls_live)" = 0 ] || fail "calls still live after the sessions ended"
	[ "$(fw_counter sessions_live)" = 0 ] || fail "sessions still live after the sessions ended"
fi

pretty done "router-originated PPTP needs the output hook rule, and works with it ($helper)"
