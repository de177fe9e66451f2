#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
#
# pptp-ngd --backend cthelper on a kernel with nfnetlink_cthelper (no
# pptp-ng module, no stock helper): the daemon registers the userspace
# conntrack helper "pptp-ng", nft/pptp-ngd-cthelper.nft attaches it, GRE
# passes only through the daemon's ctnetlink expectations.
#
#   client1..3 ──br0── fw (pptp-ngd cthelper, masquerade) ──wan── server
#   192.0.2.11-13      203.0.113.1                                203.0.113.2
#
#   real     three pptp-linux clients (pptp-echo) to pptpd/fake-pppd at
#            once: byte-exact echoes; conntrack shows helper=pptp-ng on
#            the control connections, the GRE expectations (one per
#            direction per call) and GRE both ways; after hang-up the
#            expectations are gone
#   calls    pptp-sim: 8 calls on one control connection
#   batch    8 calls whose messages share a segment each way: their
#            expectations go to the kernel in a few ctnetlink sends (one
#            request each took 64)
#   collide  two PNS behind the NAT use the same call IDs: the second's
#            are translated, its inbound GRE gets the key translated back
#            by the expectation's NAT (pptp-sim checks keys and sources)

cd "$(dirname "$0")/../../.."
source tests/kernel/scenarios/lib.sh
source tests/lib/peers.sh

ngd=$PWD/build/pptp-ngd
frames=64
nclients=3

needs pptpd pptp nft conntrack
for b in "$ngd" "$fake_pppd" "$pptp_echo" "$sim"; do
	[ -x "$b" ] || die "$b missing (make first)"
done
for m in nfnetlink_cthelper nfnetlink_queue nfnetlink_cttimeout nf_conntrack_netlink nf_nat nft_ct; do
	modprobe "$m" || die "module $m missing"
done

# a kernel stuck here should say where (backtraces are warnings), and end the run early
echo 5 >/proc/sys/kernel/printk
sysctl -qw kernel.softlockup_all_cpu_backtrace=1 kernel.softlockup_panic=1 || true

topology $nclients

ngd_status() { n_fw "$ngd" --status --socket "$out/ngd.sock"; }
ngd_counter() { ngd_status | grep -o "\"$1\":[0-9]*" | head -1 | cut -d: -f2; }
gre_expects() { n_fw conntrack -L expect 2>/dev/null | grep -c 'proto=47 ' || true; }

fail() {
	show_logs
	ngd_status >&2 || true
	fw_show
	die "$@"
}

pretty fw "pptp-ngd --backend cthelper, then nft/pptp-ngd-cthelper.nft"
ip netns exec "$pfx-fw" "$ngd" --backend cthelper --user nobody --foreground --socket "$out/ngd.sock" \
	--gre-timeout 8 -v >"$out/pptp-ngd.log" 2>&1 &
ngd_pid=$!
bg_pids+=($ngd_pid)
for ((t = 0; t < 50; t++)); do
	[ -S "$out/ngd.sock" ] && break
	kill -0 "$ngd_pid" 2>/dev/null || fail "pptp-ngd did not start"
	sleep 0.1
done
[ -S "$out/ngd.sock" ] || fail "pptp-ngd did not start"
n_fw nft -f nft/pptp-ngd-cthelper.nft || fail "ruleset not loaded (helper not registered?)"
[ "$(n_fw cat /proc/sys/net/netfilter/nf_conntrack_gre_timeout)" = 900 ] ||
	fail "GRE unreplied timeout not raised by pptp-ngd"

pretty real "$nclients x pptp-echo to pptpd, $frames frames each, at once"
pptpd_start server
pptpd_pid=$!

mkfifo "$out/hold"
exec 9<>"$out/hold"
pids=()
for ((i = 1; i <= nclients; i++)); do
	n_client "$i" "$pptp_echo" -m -H -n "$frames" -t 30 "$server_ip4" \
		<"$out/hold" >"$out/client$i.log" 2>&1 9>&- &
	pids+=($!)
done
for ((t = 0; t < 400; t++)); do
	ready=0
	for ((i = 1; i <= nclients; i++)); do
		grep -q '^pptp-echo: ok' "$out/client$i.log" && ready=$((ready + 1))
		kill -0 "${pids[i - 1]}" 2>/dev/null || fail "client$i: pptp-echo ended early"
	done
	[ "$ready" = $nclients ] && break
	sleep 0.1
done
[ "$ready" = $nclients ] || fail "clients did not finish their echoes in 40 s"
grep -h '^pptp-echo:' "$out"/client*.log

# 10 s: past the expectations' 8 s policy timeout, so they were refreshed
sleep 10
pretty fw "conntrack while the calls are up (10 s in: expectations refreshed)"
ctl=$(n_fw conntrack -L -p tcp --dport 1723 2>/dev/null)
gre=$(n_fw conntrack -L -p gre 2>/dev/null)
exp=$(n_fw conntrack -L expect 2>/dev/null)
printf "%s\n" "$ctl" "$gre" "$exp"
for ((i = 1; i <= nclients; i++)); do
	ip=$(client_ip4 "$i")
	grep "src=$ip dst=$server_ip4 " <<<"$ctl" | grep -q "dst=$fw_wan_ip4 .*helper=pptp-ng" ||
		fail "client$i: no control connection with helper=pptp-ng through $fw_wan_ip4"
	grep -q "proto=47 src=$ip dst=$server_ip4 " <<<"$exp" ||
		fail "client$i: no outbound GRE expectation"
	grep "src=$ip " <<<"$gre" | grep -q "dst=$fw_wan_ip4 " ||
		fail "client$i: no GRE from the client through $fw_wan_ip4"
	grep "src=$server_ip4 dst=$fw_wan_ip4 " <<<"$gre" | grep -q "src=$ip " ||
		fail "client$i: no GRE from the server back to the client"
done
[ "$(grep -c "proto=47 src=$server_ip4 dst=$fw_wan_ip4 " <<<"$exp")" = $nclients ] ||
	fail "expected $nclients inbound GRE expectations"
grep 'proto=47 ' <<<"$exp" | grep -vq PERMANENT && fail "a GRE expectation is not permanent"
[ "$(ngd_counter calls_up)" = $nclients ] || fail "pptp-ngd saw $(ngd_counter calls_up) calls come up"
[ "$(ngd_counter expect_errors)" = 0 ] || fail "expectation errors"

# The master's end, as conntrack sees it: the daemon hears the destroy
# event and ends the session (the kernel drops the expectations itself;
# the daemon deletes the call's GRE conntracks).
ip3=$(client_ip4 3)
pretty destroy "conntrack -D of client3's control connection"
n_fw conntrack -D -p tcp --orig-src "$ip3" --dport 1723 >/dev/null 2>&1 ||
	fail "cannot delete client3's control connection"
for ((t = 0; t < 50; t++)); do
	[ "$(ngd_counter pinholes_removed)" = 1 ] && break
	sleep 0.1
done
[ "$(ngd_counter pinholes_removed)" = 1 ] || fail "pptp-ngd did not end client3's call"
n_fw conntrack -L expect 2>/dev/null | grep -q "master-src=$ip3 " &&
	fail "client3's expectations outlived its control connection"
n_fw conntrack -L -p gre 2>/dev/null | grep -q "src=$ip3 " &&
	fail "client3's GRE conntracks outlived its control connection"
[ "$(gre_expects)" = $((2 * (nclients - 1))) ] || fail "other clients' expectations gone too"

exec 9>&-
for ((i = 1; i <= nclients; i++)); do
	# client3's hang-up crosses a conntrack entry picked up midstream: not judged
	wait "${pids[i - 1]}" || [ "$i" = 3 ] || fail "client$i: pptp-echo failed"
done
pretty fw "after hang-up: expectations and GRE conntracks gone"
for ((t = 0; t < 50; t++)); do
	[ "$(gre_expects)" = 0 ] && break
	sleep 0.1
done
[ "$(gre_expects)" = 0 ] || fail "GRE expectations left after the calls ended"
gre=$(n_fw conntrack -L -p gre 2>/dev/null)
[ -z "$gre" ] || fail "GRE conntracks left after the calls ended: $gre"
[ "$(ngd_counter pinholes_removed)" = $nclients ] ||
	fail "pptp-ngd removed $(ngd_counter pinholes_removed) calls' GRE, expected $nclients"
kill "$pptpd_pid" 2>/dev/null || true
n_server pkill -F "$out/pptpd.pid" 2>/dev/null || true
for ((t = 0; t < 50; t++)); do
	n_server ss -Hltn 'sport = :1723' | grep -q . || break
	sleep 0.1
done
pretty real "$nclients clients got byte-exact echoes through the cthelper backend"

pretty calls "pptp-sim: PNS client1 -> PAC server, 1 x 8 calls"
sim_listen pac server "$server_ip4" --role pac --expect-sessions 1 --calls 8
sim_connect pns client1 "$server_ip4" --role pns --sessions 1 --calls 8
sim_wait
port=1723
expect_gre pns $((8 * 3))
expect_gre pac $((8 * 3))

# Per call, one by one: an expectation at the OCRQ, two and the helper
# data at the OCRP, two expectations and their conntracks at the CDN.
pretty batch "pptp-sim: 1 x 8 calls, their messages in one segment each way: ctnetlink sends"
s0=$(ngd_counter ctnetlink_sends)
sim_listen pac server "$server_ip4" --role pac --expect-sessions 1 --calls 8 --coalesce
sim_connect pns client1 "$server_ip4" --role pns --sessions 1 --calls 8 --coalesce --call-id-base 7
sim_wait
port=1723
expect_gre pns $((8 * 3))
sends=$(($(ngd_counter ctnetlink_sends) - s0))
echo "  $sends ctnetlink sends"
[ "$sends" -ge 1 ] || fail "no ctnetlink send counted"
[ "$sends" -le 16 ] || fail "$sends ctnetlink sends for 8 calls read together (at most 16)"

pretty collide "client2 holds calls 100..107, client3 then opens the same IDs"
r0=$(ngd_counter rewrites)
sim_listen pac server "$server_ip4" --role pac --expect-sessions 2 --calls 8
sim_connect pns2 client2 "$server_ip4" --role pns --calls 8 --call-id-base 100 \
	--split 5 --split-pause 100 --timeout 20
for ((t = 0; t < 100; t++)); do
	[ "$(ngd_status | grep -o '"state":"up"' | wc -l)" -ge 3 ] && break
	sleep 0.1
done
sim_connect pns3 client3 "$server_ip4" --role pns --calls 8 --call-id-base 100
sim_wait
port=1723
expect_gre pns2 $((8 * 3))
expect_gre pns3 $((8 * 3))
expect_gre pac $((2 * 8 * 3))
r1=$(ngd_counter rewrites)
[ $((r1 - r0)) -ge 2 ] || fail "no call ID translated for colliding calls ($((r1 - r0)) rewrites)"
for ((t = 0; t < 50; t++)); do
	[ "$(gre_expects)" = 0 ] && break
	sleep 0.1
done
[ "$(gre_expects)" = 0 ] || fail "GRE expectations left after the pptp-sim calls"
[ "$(ngd_counter expect_errors)" = 0 ] || fail "expectation errors"
ngd_status
pretty done "cthelper backend: real clients, 8 calls, colliding IDs translated"
