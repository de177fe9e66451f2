#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
#
# Malformed and hostile control traffic through NAT:
#
#   client1 pptp-sim PNS (hostile) ──br0── fw (HELPER) ── server PAC
#
# For each malformed kind the PNS sends one bad message right after SCCRP,
# then places its calls: the calls must still work (the tracker hunts for
# the next header), nothing crashes, and the counters show the invalid
# input.  With the module's drop_invalid=1 the bad message is dropped at
# every retransmission and no call comes up behind it (the daemon has no
# such option).  An OCRQ flood beyond max_calls is refused (counted): the
# refused request would carry the client's raw call ID through the NAT,
# so it is dropped each time TCP sends it and that control connection
# stalls; nothing crashes, and nothing is left once conntrack forgets it.

cd "$(dirname "$0")/../../.."
source tests/kernel/scenarios/lib.sh

topology 1
fw_ruleset
for kind in bad-cookie bad-length unknown-type mgmt-type; do
	pretty hostile "$kind"
	sim_listen pac server "$server_ip4" --role pac --expect-sessions 1 --calls 2 \
		--allow-invalid --timeout 20
	sim_connect pns client1 "$server_ip4" --role pns --calls 2 --hostile "$kind" --timeout 20
	sim_wait_status
	port=1723
	for name in pac pns; do
		[ "${sim_rc[$name]}" = 0 ] || { cat "$out/$name.err" >&2; fw_show; die "$kind: $name failed"; }
	done
done
if ng_face; then
	invalid=$(fw_counters | awk '$1 ~ /^invalid\./ { s += $2 } END { print s + 0 }')
	[ "$invalid" -ge 3 ] || die "invalid messages not counted ($invalid)"
fi

if [ "$helper" = pptp-ngd ]; then
	pretty hostile "drop_invalid: not checked, pptp-ngd has no such option (it passes invalid messages)"
elif [ "$helper" = pptp-ng ]; then
	# drop_invalid: the bad message and the rest of that direction stop
	# at the firewall; no call may come up behind it.
	pretty hostile "bad-length with drop_invalid=1"
	param=/sys/module/nf_conntrack_pptp_ng/parameters/drop_invalid
	up=$(fw_counter calls_up)
	echo 1 >"$param"
	sim_listen pac server "$server_ip4" --role pac --expect-sessions 1 --calls 2 \
		--allow-invalid --timeout 6
	sim_connect pns client1 "$server_ip4" --role pns --calls 2 --hostile bad-length --timeout 6
	sim_wait_status
	port=1723
	echo 0 >"$param"
	echo "drop_invalid: pac=${sim_rc[pac]} pns=${sim_rc[pns]} (expected to fail)"
	[ "${sim_rc[pns]}" != 0 ] || die "the PNS succeeded although its stream was stopped"
	[ "$(fw_counter drop_invalid)" -gt 0 ] || die "nothing dropped with drop_invalid=1"
	[ "$(fw_counter calls_up)" = "$up" ] || die "a call came up behind a dropped message"
fi

pretty hostile "ocrq-flood 100"
sim_listen pac server "$server_ip4" --role pac --expect-sessions 1 --allow-invalid --timeout 20
sim_connect pns client1 "$server_ip4" --role pns --calls 1 --hostile ocrq-flood --flood 100 \
	--timeout 20
sim_wait_status
port=1723
echo "flood: pac=${sim_rc[pac]} pns=${sim_rc[pns]} (not judged)"
sleep 1
fw_show
if ng_face; then
	[ "$(fw_counter refused.call-limit)" -gt 0 ] || die "flood beyond max_calls not refused"
	[ "$(fw_counter dropped.untranslated-call-id)" -gt 0 ] ||
		die "the refused request went out with its raw call ID"
	# The stalled connection ends when conntrack forgets it.
	n_fw conntrack -D -p tcp --orig-port-dst 1723 >/dev/null 2>&1 || true
	for ((t = 0; t < 50; t++)); do
		[ "$(fw_counter sessions_live)" = 0 ] && break
		sleep 0.1
	done
	[ "$(fw_counter calls_live)" = 0 ] || die "calls left live after the flood"
	left=$(n_fw conntrack -L expect 2>/dev/null | grep -c 'proto=47' || true)
	[ "$left" = 0 ] || die "$left GRE expectations left after the session ended"
	[ "$(fw_counter ids_live)" = 0 ] || die "call IDs still allocated after the sessions ended"
fi
[ "$helper" != pptp-ngd ] || kill -0 "$ngd_pid" 2>/dev/null || fail "pptp-ngd died"
pretty done "malformed input counted, flood refused, nothing left open ($helper)"
