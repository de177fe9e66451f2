#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
#
# Many calls per control connection, and call IDs that collide behind NAT:
#
#   client1 pptp-sim PNS ──┐
#   client2 pptp-sim PNS ──┴─ fw (masquerade, HELPER) ── server pptp-sim PAC
#
# Each PNS opens one control connection with 8 outgoing calls, both from
# call ID 1 up, so the PAC would see the same IDs twice from 203.0.113.1:
# the helper must give the second client's calls other IDs and translate
# its GRE.  pptp-sim checks every GRE packet on arrival (right call ID,
# right source, every packet once) on all three sides.  Each PNS holds its
# calls once they are all up (pptp-sim --hold), and the second connects
# only then, so both sessions are up at once on any machine.  The stock
# helper follows one call per control connection.

cd "$(dirname "$0")/../../.."
source tests/kernel/scenarios/lib.sh

calls=8
packets=5
topology 2
# 16 calls at once: the daemon's expectations (two a call, for the call's
# life) must fit; its default share, half of nf_conntrack_expect_max, is
# 28 in this guest on 6.12.
NGD_ARGS="--max-expectations 40" fw_ruleset
sim_listen pac server "$server_ip4" --role pac --expect-sessions 2 --calls $calls \
	--packets $packets --timeout 30
for i in 1 2; do
	sim_connect "pns$i" "client$i" "$server_ip4" --role pns --calls $calls \
		--packets $packets --call-id-base 1 --hold --timeout 30
	sim_held "client$i"
done
sim_release
sim_wait_status
bad=0
for name in pac pns1 pns2; do
	[ "${sim_rc[$name]}" = 0 ] && continue
	echo "--- $name exited ${sim_rc[$name]}:" >&2
	cat "$out/$name.err" >&2
	bad=1
done
fw_show
[ "$bad" = 0 ] || die "pptp-sim reported a failure"
expect_gre pac $((2 * calls * packets))
for i in 1 2; do
	expect_gre "pns$i" $((calls * packets))
done
if ng_face; then
	[ "$(fw_counter calls_up)" = $((2 * calls)) ] || die "calls_up is not $((2 * calls))"
	[ "$(fw_counter ids_translated)" -ge $calls ] || die "the second client's IDs were not translated"
	[ "$(fw_counter calls_live)" = 0 ] || die "calls still live after the sessions ended"
	[ "$(fw_counter sessions_live)" = 0 ] || die "sessions still live after StopCCRQ"
	[ "$(fw_counter ids_live)" = 0 ] || die "call IDs still allocated after the sessions ended"
fi
pretty done "2 x $calls calls, colliding call IDs, every GRE packet where it belongs ($helper)"
