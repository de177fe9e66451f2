#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
#
# tests/inspect/make-captures.sh [DIR]: make the inspector's own captures
# (tests/data/*.pcap unless DIR is given): pptp-sim pairs across the
# namespaces of tests/lib/netns.sh, captured by tcpdump on the firewall's
# wan link (no NAT: the firewall only routes).  Needs root and tcpdump.
#
#   coalesce    PNS client1 -> PAC server, 4 calls, messages coalesced, Echo
#   split       2 calls, every message split at byte 13 (inside the Call ID)
#   incoming    PAC server connects to PNS client1, 2 incoming calls,
#               SLI and WEN, CDN with the PNS's call ID
#   ipv6        over IPv6, 2 calls, Echo, SLI, WEN
#   twoclients  client1 and client2 both use call IDs 7 and 8 to one PAC,
#               whose CDNs carry the PNS's call ID
#   hostile     one Echo-Request with a bad Magic Cookie after SCCRP
#
# With --real, also (last: it changes the firewall) the real pptp/pptpd
# harness of tests/e2e/stock_helper.test, which takes longer and needs
# pptpd and pptp-linux; --only NAME makes one capture alone:
#
#   realclients client1 and client2 run pptp-linux (driven by pptp-echo,
#               4 LCP Echo-Request frames each) at the same time to pptpd
#               with fake-pppd, through the STOCK helper and masquerade
#               (tests/e2e/stock-nat.nft): two sessions from 203.0.113.1
#
# With --audit, only the captures of the audit cases (tests/inspect/
# audit.test), each one call whose GRE carries a PPP negotiation that
# pptp-sim plays from a script (--ppp-script, frames from
# tests/inspect/craft.py), the PAC's lines and the PNS's in turn:
#
#   audit-chap-md5    CHAP-MD5 ("alice"), no CCP, IP both ways
#   audit-mschapv1    MS-CHAPv1 ("CORP\bob"), MPPE 40-bit stateful
#   audit-downgrade   MS-CHAPv2 Nak'd to CHAP-MD5, MPPE 128 Nak'd to 40
#   audit-eap         EAP ("dave"), MPPE 128-bit stateless
#   audit-mschapv2-56 MS-CHAPv2 ("erin"), MPPE 56-bit stateful
#   audit-noauth-reject  no authentication, MPPE offered and Rejected,
#                     IP both ways
#
# Regenerating changes timestamps and TCP sequence numbers: run
# tests/inspect/own.test --update afterwards and review the diff.
#
#   tests/inspect/make-captures.sh [--real | --audit] [--only NAME] [DIR]

cd "$(dirname "$0")/../.."
source tests/sim/lib.sh
real=0 audit=0 only=
while [ $# -gt 0 ]; do
	case $1 in
	--real) real=1 ;;
	--audit) audit=1 ;;
	--only) only=$2; shift ;;
	-*) echo "usage: $0 [--real | --audit] [--only NAME] [DIR]" >&2; exit 2 ;;
	*) break ;;
	esac
	shift
done
[ "$only" = realclients ] && real=1
needs ip ss tcpdump
[ "$real" = 0 ] || needs pptpd pptp nft
sim_build
dest=$(realpath "${1:-tests/data}")
mkdir -p "$dest"
topology 2

c1=$(client_ip4 1)

# want NAME: whether this run makes capture NAME (audit-*: only with --audit).
want() {
	[ "${1#audit-}" != "$1" ] || [ "$audit" = 0 ] || return 1
	[ "${1#audit-}" = "$1" ] || [ "$audit" = 1 ] || return 1
	[ -z "$only" ] || [ "$only" = "$1" ]
}

capture_start() {
	port=1723	# the inspector knows PPTP by its port
	cap_file="$dest/$1.pcap"
	rm -f "$cap_file" "$out/cap.err"
	ip netns exec "$pfx-fw" tcpdump -Z root --immediate-mode "${tcpdump_ring[@]}" -i wan -U -w "$cap_file" \
		'tcp port 1723 or ip proto 47 or ip6 proto 47' >/dev/null 2>"$out/cap.err" &
	cap_pid=$!
	bg_pids+=($cap_pid)
	for ((i = 0; i < 50; i++)); do
		grep -q listening "$out/cap.err" 2>/dev/null && return 0
		sleep 0.1
	done
	die "tcpdump did not start"
}
# tcpdump may still be behind on a loaded machine: stop it once the file
# has not grown for half a second (5 s at most).
capture_stop() {
	local size=-1 now i
	for ((i = 0; i < 10; i++)); do
		sleep 0.5
		now=$(stat -c %s "$cap_file" 2>/dev/null || echo 0)
		[ "$now" = "$size" ] && break
		size=$now
	done
	kill "$cap_pid"
	wait "$cap_pid" || true
	# a capture missing packets would fail its checks for the wrong reason
	grep -q "^0 packets dropped by kernel" "$out/cap.err" ||
		die "tcpdump: $(grep "dropped by kernel" "$out/cap.err" || echo "no statistics")"
	pretty capture "$cap_file: $(stat -c %s "$cap_file") bytes"
}

if want coalesce; then
	capture_start coalesce
	sim_listen pac server "$server_ip4" --role pac --expect-sessions 1 --calls 4 --coalesce --echo --packets 2
	sim_connect pns client1 "$server_ip4" --role pns --sessions 1 --calls 4 --coalesce --echo --packets 2
	sim_wait
	capture_stop
fi

if want split; then
	capture_start split
	sim_listen pac server "$server_ip4" --role pac --expect-sessions 1 --calls 2 --split 13 --packets 2
	sim_connect pns client1 "$server_ip4" --role pns --sessions 1 --calls 2 --split 13 --packets 2
	sim_wait
	capture_stop
fi

if want incoming; then
	capture_start incoming
	sim_listen pns client1 "$c1" --role pns --expect-sessions 1 --incoming --calls 2 --extras \
		--cdn-peer-id --packets 2
	sim_connect pac server "$c1" --role pac --sessions 1 --calls 2 --incoming --extras \
		--cdn-peer-id --packets 2
	sim_wait
	capture_stop
fi

if want ipv6; then
	capture_start ipv6
	sim_listen pac server "$server_ip6" --role pac --expect-sessions 1 --calls 2 --echo --extras --packets 2
	sim_connect pns client1 "$server_ip6" --role pns --sessions 1 --calls 2 --echo --extras --packets 2
	sim_wait
	capture_stop
fi

if want twoclients; then
	capture_start twoclients
	sim_listen pac server "$server_ip4" --role pac --expect-sessions 2 --packets 2 --cdn-peer-id
	sim_connect pns1 client1 "$server_ip4" --role pns --calls 2 --call-id-base 7 --packets 2 --cdn-peer-id
	sim_connect pns2 client2 "$server_ip4" --role pns --calls 2 --call-id-base 7 --packets 2 --cdn-peer-id
	sim_wait
	capture_stop
fi

if want hostile; then
	capture_start hostile
	sim_listen pac server "$server_ip4" --role pac --expect-sessions 1 --allow-invalid --packets 2
	sim_connect pns client1 "$server_ip4" --role pns --hostile bad-cookie --packets 2
	sim_wait
	capture_stop
fi

# audit_capture CASE: one call between pptp-sim peers that plays CASE's
# PPP conversation, each side checking the other's frames byte for byte.
audit_capture() {
	python3 tests/inspect/craft.py "script-$1" "$out/$1.script"
	capture_start "audit-$1"
	sim_listen pac server "$server_ip4" --role pac --expect-sessions 1 --calls 1 \
		--ppp-script "$out/$1.script"
	sim_connect pns client1 "$server_ip4" --role pns --sessions 1 --calls 1 \
		--ppp-script "$out/$1.script"
	sim_wait
	capture_stop
}
for case in chap-md5 mschapv1 downgrade eap mschapv2-56 noauth-reject; do
	! want "audit-$case" || audit_capture "$case"
done

# The real harness: pptpd with fake-pppd on the server, two pptp-linux
# clients at once, the firewall masquerading them with the stock helper.
real_clients() {
	local fake_pppd=$PWD/build/tests/fake-pppd pptp_echo=$PWD/build/tests/pptp-echo i
	local pids=()

	make -s build/tests/fake-pppd build/tests/pptp-echo >/dev/null || die "cannot build $fake_pppd, $pptp_echo"
	if [ -e /proc/modules ] && command -v modprobe >/dev/null; then
		modprobe nf_nat_pptp || die "cannot load nf_nat_pptp"
	fi
	n_fw nft -f tests/e2e/stock-nat.nft
	printf 'localip 198.51.100.1\nremoteip 198.51.100.11-19\n' >"$out/pptpd.conf"
	bg server pptpd -f -c "$out/pptpd.conf" -p "$out/pptpd.pid" \
		--ppp "$fake_pppd" >"$out/pptpd.log" 2>&1
	wait_for_tcp server 1723
	capture_start realclients
	for i in 1 2; do
		n_client "$i" "$pptp_echo" -m -n 4 -t 20 "$server_ip4" \
			</dev/null >"$out/client$i.log" 2>&1 &
		pids+=($!)
	done
	for i in 1 2; do
		wait "${pids[i - 1]}" || { cat "$out"/*.log >&2; die "client$i: pptp-echo failed"; }
	done
	capture_stop
}
[ "$real" = 0 ] || ! want realclients || real_clients
