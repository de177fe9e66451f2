#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
#
# pptp-ngd --backend cthelper across kill -9 and restart, and its fail
# modes while it is gone (no module, no stock helper).
#
#   client1, client2 ──br0── fw (pptp-ngd cthelper, masquerade) ──wan── server
#   192.0.2.11-12            203.0.113.1                                203.0.113.2
#
#   restart    two pptp-sim PNS with the same call IDs (client2's are
#              translated), 3 calls each, GRE paced by a tbf queue at each
#              sender so it crosses the firewall for seconds.  kill -9 mid-
#              call: GRE flows on both ways.  Restarted, within 1 s --status
#              lists the same calls with the same IDs (adopted from the
#              expectations and the helper data); pptp-sim checks every GRE
#              packet's key and source, then clears the calls through the
#              adopted sessions (CCRQ/CDN translated back); nothing is left
#   restart6   the same over IPv6 (routed), 2 calls held up by each
#              client: adopted and cleared after kill -9 and restart
#   many       10 calls held up on one control connection, more than the
#              helper data's 7 pairs: all adopted (the expectations'
#              source keys pair their halves) and cleared
#   takeover   2 calls each from client1 and client2 (same IDs), GRE
#              paused; kill -9, then the state made what conntrackd's
#              commit leaves on a backup firewall (tests/ha/strip.c:
#              helper data zeroed, expectations without NAT and expectfn,
#              GRE conntracks gone); started, the daemon takes every call
#              over and the second half of the GRE arrives both ways
#   newcall    a scripted PNS (pptp-sim opens all its calls at once) from
#              each client: client1 calls 100 and 101, client2 100
#              (translated); restart; client2's new call 101 on its adopted
#              connection is translated (101 is client1's) both ways; all
#              four clear, nothing left
#   real       pptp-linux (pptp-echo) to pptpd, one frame in flight at a
#              time, kill -9 and restart mid-echo: every frame back
#              byte-exact, the hang-up clears the adopted call
#   fail-open  daemon killed (default mode): an established control
#              connection goes on (bypass; a restart then drops the
#              expectations of the call cleared meanwhile); stopped with
#              SIGTERM, it disables its helper and a new control
#              connection comes up (no GRE: nothing opens it); killed,
#              a new control connection comes up too (the ruleset gives
#              the helper only while pptp-ngd's element is in its set
#              pptp_ngd_alive), and after the restart the next one gets
#              the helper and its GRE again
#   fail-closed  --fail-closed: works while the daemon lives; killed, a new
#              control connection does not come up and the guard's drop
#              counter rises; restarted, it comes up; --fail-open removes
#              the guard table
#   busy       each call's refresh made to take 250 ms (a test hook,
#              PPTP_NGD_TEST_SLOW_REFRESH_MS), 10 calls: the alive element
#              is refreshed during the 2.5 s of work, never gone 2 s
#   reversed   a SYN from the server on a connection without a session
#              (client1's second, over --max-sessions-per-source 1) makes
#              one keyed from the reply direction: conntrack -D of the
#              connection ends it
#   lost       10 sessions held, a 4 KB event socket (a test hook,
#              PPTP_NGD_TEST_EVENT_RCVBUF) and 300 filler TCP entries:
#              conntrack -F overflows it, the daemon counts the loss
#              (ct_events_lost), looks its sessions up and closes all 10

cd "$(dirname "$0")/../../.."
source tests/kernel/scenarios/lib.sh
source tests/lib/peers.sh

ngd=$PWD/build/pptp-ngd
packets=300		# per call and direction: 15-20 s at the paced rates
ncalls=3

needs pptpd pptp nft conntrack tc
for b in "$ngd" "$fake_pppd" "$pptp_echo" "$sim"; do
	[ -x "$b" ] || die "$b missing (make first)"
done
for m in nfnetlink_cthelper nfnetlink_queue nfnetlink_cttimeout nf_conntrack_netlink nf_nat nft_ct \
	sch_prio sch_tbf cls_u32; do
	modprobe "$m" || die "module $m missing"
done
echo 5 >/proc/sys/kernel/printk

topology 2

# ---- the daemon, run by hand: killed and restarted ----

d_sock=$out/d.sock
d_pid=
d_start() {
	local t
	rm -f "$d_sock"
	ip netns exec "$pfx-fw" "$ngd" --backend cthelper --user nobody --foreground --socket "$d_sock" \
		--gre-timeout 30 -v "$@" >>"$out/pptp-ngd.log" 2>&1 &
	d_pid=$!
	bg_pids+=($d_pid)
	for ((t = 0; t < 500; t++)); do
		[ -S "$d_sock" ] && return 0
		kill -0 "$d_pid" 2>/dev/null || break
		sleep 0.01
	done
	fail "pptp-ngd did not start"
}
d_kill() {
	kill -9 "$d_pid"
	wait "$d_pid" 2>/dev/null || true
	echo "---- kill -9" >>"$out/pptp-ngd.log"
	d_pid=
}
d_status() { "$ngd" --status --socket "$d_sock"; }
d_counter() { d_status | grep -o "\"$1\":[0-9]*" | head -1 | cut -d: -f2; }
d_pinholes() { d_status | grep -o '"pinhole":true' | wc -l; }
d_calls() {
	d_status | grep -o '"pns_id":[0-9]*,"pns_xid":[0-9]*,"pac_id":[0-9]*,"pac_xid":[0-9]*' |
		sort
}
gre_expects() { n_fw conntrack -L expect 2>/dev/null | grep -c 'proto=47 ' || true; }
guard_drops() {
	n_fw nft list table inet pptp_ngd_guard 2>/dev/null | grep -o 'packets [0-9]*' |
		awk '{ n += $2 } END { print n + 0 }'
}

fail() {
	set +e
	printf '\e[1;31mFAIL:\e[0m %s\n' "$*" >&2
	show_logs
	echo "--- pptp-ngd --status" >&2
	d_status >&2
	echo "--- fw conntrack, expectations, ruleset" >&2
	n_fw conntrack -L 2>/dev/null | grep -E 'tcp .*1723|gre' >&2
	n_fw conntrack -L expect >&2
	n_fw nft list ruleset >&2
	die "$@"
}

pinholes_are() { [ "$(d_pinholes)" = "$1" ]; }
counter_is() { [ "$(d_counter "$1")" = "$2" ]; }
expects_are() { [ "$(gre_expects)" = "$1" ]; }

# GRE leaving the firewall, per side (after the forward filter and NAT)
n_fw nft -f - <<EOF
table ip gre_seen {
	counter to_lan {}
	counter to_wan {}
	chain post {
		type filter hook postrouting priority 200; policy accept;
		oifname "br0" ip protocol gre counter name to_lan
		oifname "wan" ip protocol gre counter name to_wan
	}
}
EOF
gre_seen() { n_fw nft list counter ip gre_seen "$1" | awk '/packets/ { print $2 }'; }

# pace NS RATE: GRE from NS waits in a big tbf queue and leaves at RATE
# (nothing is lost: pptp-sim's raw socket never sees a full queue)
pace() {
	n "$1" tc qdisc add dev eth0 root handle 1: prio
	n "$1" tc qdisc add dev eth0 parent 1:3 handle 30: tbf rate "$2" burst 1600 limit 2000000
	n "$1" tc filter add dev eth0 parent 1: protocol ip prio 1 u32 \
		match ip protocol 47 0xff flowid 1:3
}
unpace() { n "$1" tc qdisc del dev eth0 root; }

pretty fw "pptp-ngd --backend cthelper, then nft/pptp-ngd-cthelper.nft"
d_start
n_fw nft -f nft/pptp-ngd-cthelper.nft || fail "ruleset not loaded (helper not registered?)"

# ---- restart with calls up and GRE flowing ----

pretty restart "client1 and client2: $ncalls calls each from ID 100, $packets GRE packets paced"
pace client1 32kbit
pace client2 32kbit
pace server 48kbit
port=1723
sim_listen pac server "$server_ip4" --role pac --expect-sessions 2 --calls $ncalls \
	--packets $packets --timeout 90
sim_connect pns1 client1 "$server_ip4" --role pns --calls $ncalls --call-id-base 100 \
	--packets $packets --timeout 90
wait_until 20 pinholes_are $ncalls || fail "client1's calls did not come up"
sim_connect pns2 client2 "$server_ip4" --role pns --calls $ncalls --call-id-base 100 \
	--packets $packets --timeout 90
wait_until 20 pinholes_are $((2 * ncalls)) || fail "client2's calls did not come up"
before=$(d_calls)
[ "$(grep -c . <<<"$before")" = $((2 * ncalls)) ] || fail "not $((2 * ncalls)) calls: $before"
[ "$(grep -c '"pns_id":100,"pns_xid":100,' <<<"$before")" = 1 ] ||
	fail "call ID 100 not translated for one of the clients: $before"
printf '%s\n' "$before"

pretty restart "kill -9 pptp-ngd mid-call"
d_kill
in0=$(gre_seen to_lan) out0=$(gre_seen to_wan)
sleep 1
in1=$(gre_seen to_lan) out1=$(gre_seen to_wan)
pretty restart "while dead: GRE to the clients +$((in1 - in0)), to the server +$((out1 - out0))"
[ "$in1" -gt "$in0" ] && [ "$out1" -gt "$out0" ] || fail "GRE stopped while the daemon was dead"
[ "$(gre_expects)" = $((4 * ncalls)) ] || fail "expectations gone with the daemon"
[ "$(n_fw conntrack -L -p tcp --dport 1723 2>/dev/null | grep -c 'helper=pptp-ng')" = 2 ] ||
	fail "control connections lost their helper"

# The daemon answers --status once its start, recovery included, is done:
# the time to its control socket is the time to recover.
t0=$(date +%s%N)
d_start
ms=$((($(date +%s%N) - t0) / 1000000))
counter_is calls_recovered $((2 * ncalls)) ||
	fail "restarted pptp-ngd recovered $(d_counter calls_recovered) calls, not $((2 * ncalls))"
after=$(d_calls)
pretty restart "restarted: $(d_counter sessions_recovered) sessions, $(d_counter calls_recovered) calls adopted, answering after $ms ms"
grep 'recovery:\|running:' "$out/pptp-ngd.log" | tail -n 2 >&2
started=$(grep -o 'started in [0-9]* ms' "$out/pptp-ngd.log" | tail -n 1 | grep -o '[0-9]*')
[ -n "$started" ] && [ "$started" -le 1000 ] ||
	fail "pptp-ngd took ${started:-?} ms from start to running (recovery included), more than 1 s"
# wall clock from launch to --status, process start included: in an
# emulated guest sharing its CPUs that varies, so only a gross bound
[ "$ms" -le 5000 ] || fail "pptp-ngd answered $ms ms after its launch"
[ "$before" = "$after" ] || fail "calls differ after the restart: before $before, after $after"
[ "$(d_counter sessions_recovered)" = 2 ] || fail "not 2 sessions recovered"
[ "$(d_pinholes)" = $((2 * ncalls)) ] || fail "adopted calls without their expectations"

in2=$(gre_seen to_lan) out2=$(gre_seen to_wan)
sleep 1
in3=$(gre_seen to_lan) out3=$(gre_seen to_wan)
pretty restart "after the restart: GRE to the clients +$((in3 - in2)), to the server +$((out3 - out2))"
[ "$in3" -gt "$in2" ] && [ "$out3" -gt "$out2" ] || fail "GRE stopped after the restart"

sim_wait	# every GRE packet's key and source verified, calls cleared, no unknown call ID
expect_gre pns1 $((ncalls * packets))
expect_gre pns2 $((ncalls * packets))
expect_gre pac $((2 * ncalls * packets))
wait_until 5 expects_are 0 || fail "expectations left after the adopted calls cleared"
gre=$(n_fw conntrack -L -p gre 2>/dev/null)
[ -z "$gre" ] || fail "GRE conntracks left after the adopted calls cleared: $gre"
[ "$(d_counter pinholes_removed)" = $((2 * ncalls)) ] ||
	fail "restarted pptp-ngd removed $(d_counter pinholes_removed) calls' GRE"
st=$(d_status)
for a in unknown-call-id cdn-unknown-call-id role-conflict out-of-state; do
	grep -q "\"$a\":0" <<<"$st" || fail "core anomaly $a after the restart"
done
[ "$(d_counter expect_errors)" = 0 ] || fail "expectation errors"
unpace client1
unpace client2
unpace server
pretty restart "GRE flowed through kill -9 and restart; adopted calls cleared through the daemon"

# ---- the same over IPv6 (routed: the ruleset masquerades IPv4 alone) ----

pretty restart6 "IPv6: client1 and client2 hold 2 calls each from ID 100; kill -9, restart"
port=1723	# the helper follows TCP 1723 (sim_wait moved it on)
# conntrack lists IPv4 unless told otherwise
gre_expects6() { n_fw conntrack -L expect -f ipv6 2>/dev/null | grep -c 'proto=47 ' || true; }
expects6_are() { [ "$(gre_expects6)" = "$1" ]; }
sim_listen pac6 server "$server_ip6" --role pac --expect-sessions 2 --calls 2 --timeout 60
for i in 1 2; do
	sim_connect "pns6$i" "client$i" "$server_ip6" --role pns --calls 2 --call-id-base 100 \
		--hold --timeout 60
	sim_held "client$i"
done
before=$(d_calls)
[ "$(grep -c . <<<"$before")" = 4 ] || fail "not 4 IPv6 calls: $before"
d_kill
[ "$(gre_expects6)" = 8 ] || fail "IPv6 expectations gone with the daemon"
d_start
counter_is calls_recovered 4 || fail "restarted pptp-ngd recovered $(d_counter calls_recovered) IPv6 calls, not 4"
[ "$(d_calls)" = "$before" ] || fail "IPv6 calls differ after the restart: before $before, after $(d_calls)"
[ "$(d_pinholes)" = 4 ] || fail "adopted IPv6 calls without their expectations"
sim_release
sim_wait	# the calls cleared through the adopted sessions, no unknown call ID
wait_until 5 expects6_are 0 || fail "expectations left after the adopted IPv6 calls cleared"
[ "$(d_counter pinholes_removed)" = 4 ] ||
	fail "restarted pptp-ngd removed $(d_counter pinholes_removed) IPv6 calls' GRE"
pretty restart6 "4 IPv6 calls adopted from their expectations and helper data, cleared through the daemon"

# ---- more calls on one connection than the helper data pairs ----

many=10
pretty many "client1 holds $many calls on one control connection (the helper data names 7); kill -9, restart"
port=1723	# the helper follows TCP 1723 (sim_wait moved it on)
sim_listen pacm server "$server_ip4" --role pac --expect-sessions 1 --calls $many --timeout 60
sim_connect pnsm client1 "$server_ip4" --role pns --calls $many --call-id-base 200 --hold \
	--timeout 60
sim_held client1
before=$(d_calls)
[ "$(grep -c . <<<"$before")" = $many ] || fail "not $many calls: $before"
d_kill
[ "$(gre_expects)" = $((2 * many)) ] || fail "expectations gone with the daemon"
d_start
counter_is calls_recovered $many ||
	fail "restarted pptp-ngd recovered $(d_counter calls_recovered) calls of $many"
[ "$(d_calls)" = "$before" ] || fail "calls differ after the restart: before $before, after $(d_calls)"
sim_release
sim_wait	# every call cleared through the adopted session, no unknown call ID
wait_until 5 expects_are 0 || fail "expectations left after the adopted calls cleared"
pretty many "$many calls on one connection adopted, their halves paired by the expectations' source keys"

# ---- taken over from a peer firewall ----
#
# What conntrackd's commit leaves on a backup (docs/ha.md rows 29-32),
# made here by ha-strip: helper data zeroed, expectations without their
# NAT and expectfn, no usable GRE conntrack.  The daemon started on it
# must take the sessions over: role from the connection's NAT, halves
# paired by their source keys, the inside IDs from the outbound halves,
# the expectations made again with their NAT.

pretty takeover "client1 and client2: 2 calls each from ID 300, GRE paused mid-call"
port=1723
sim_listen pact server "$server_ip4" --role pac --expect-sessions 2 --calls 2 --packets 6 \
	--gre-pause 12 --timeout 60
sim_connect pnst1 client1 "$server_ip4" --role pns --calls 2 --call-id-base 300 --packets 6 \
	--gre-pause 12 --timeout 60
sim_connect pnst2 client2 "$server_ip4" --role pns --calls 2 --call-id-base 300 --packets 6 \
	--gre-pause 12 --timeout 60
wait_until 20 pinholes_are 4 || fail "the calls did not come up"
before=$(d_calls)
sleep 1		# the first half of the GRE, 3 packets a call and direction
d_kill
n_fw conntrack -D -p gre >/dev/null 2>&1 || true
n_fw build/tests/ha-strip || fail "ha-strip failed"
n_fw build/tests/ha-ctdump expect | grep -q "nat-follow-master" &&
	fail "ha-strip left an expectation its NAT"
pretty takeover "kill -9; what conntrackd commits on a backup left in its place; start"
d_start
counter_is calls_recovered 4 ||
	fail "pptp-ngd took over $(d_counter calls_recovered) calls of 4"
grep -q "taken over from a peer" "$out/pptp-ngd.log" || fail "no session said taken over"
[ "$(d_calls)" = "$before" ] || fail "calls differ after the takeover: before $before, after $(d_calls)"
# made again by the adopted calls' first refresh, in the daemon's first tick
nat_halves_are() { [ "$(n_fw build/tests/ha-ctdump expect | grep -c "nat-follow-master")" = "$1" ]; }
wait_until 5 nat_halves_are 8 || fail "the translated halves were not made again with their NAT"
sim_wait	# the second half of every call's GRE verified both ways, then cleared
expect_gre pnst1 12
expect_gre pnst2 12
wait_until 5 expects_are 0 || fail "expectations left after the calls taken over cleared"
pretty takeover "4 calls taken over from zeroed helper data and NAT-less expectations: GRE resumed, cleared"

# ---- new calls on adopted control connections ----
#
# pptp-sim opens all its calls at once, so here the PNS is a script that
# sends one message per command and prints the reply's fields: two of
# them behind the NAT, to a pptp-sim PAC (no GRE: --packets 0).

source tests/lib/pns.sh
pns_open() { pns_start "$1" "client$1" "$server_ip4"; }

pretty newcall "scripted PNS: client1 calls 100, 101; client2 call 100; restart; client2 call 101"
port=1723
sim_listen pac server "$server_ip4" --role pac --expect-sessions 2 --packets 0 --timeout 60
pns_open 1
pns_open 2
pns 1 start | grep -q '^SCCRP type 2 result 1$' || fail "client1: no SCCRP"
pns 1 call 100 | grep -q '^OCRP 100 type 8 pac [0-9]* peer 100 result 1$' || fail "client1: call 100"
pns 1 call 101 | grep -q '^OCRP 101 type 8 pac [0-9]* peer 101 result 1$' || fail "client1: call 101"
pns 2 start | grep -q '^SCCRP type 2 result 1$' || fail "client2: no SCCRP"
pns 2 call 100 | grep -q '^OCRP 100 type 8 pac [0-9]* peer 100 result 1$' || fail "client2: call 100"
wait_until 5 pinholes_are 3 || fail "not 3 calls up"
d_kill
d_start
counter_is calls_recovered 3 || fail "recovered $(d_counter calls_recovered) calls, not 3"
# 101 is client1's (adopted): client2's new call 101 must be translated,
# and the reply's Peer's Call ID translated back
ans=$(pns 2 call 101)
echo "$ans"
grep -q '^OCRP 101 type 8 pac [0-9]* peer 101 result 1$' <<<"$ans" ||
	fail "client2: new call 101 on the adopted connection: $ans"
wait_until 5 pinholes_are 4 || fail "the new call has no expectations"
xid=$(d_status | grep -o '"pns_id":101,"pns_xid":[0-9]*' | cut -d: -f3 | grep -vx 101 || true)
[ -n "$xid" ] || fail "client2's new call 101 not translated: $(d_calls)"
n_fw conntrack -L expect 2>/dev/null | grep -q "proto=47 src=$server_ip4 dst=$fw_wan_ip4 .*dstkey=0x$(printf %x "$xid") " ||
	fail "no inbound expectation for the new call's translated ID $xid"
pretty newcall "client2's new call 101 is $xid to the PAC"
[ "$(d_counter sessions_opened)" = 2 ] || fail "the new call opened a session of its own"
for c in 1:100 1:101 2:100 2:101; do
	pns "${c%:*}" clear "${c#*:}" | grep -q "^CDN ${c#*:} type 13 " || fail "pns $c: no CDN"
done
pns 1 stop | grep -q '^STOPCCRP type 4$' || fail "client1: no StopCCRP"
pns 2 stop | grep -q '^STOPCCRP type 4$' || fail "client2: no StopCCRP"
sim_wait	# the PAC saw no unknown call ID, no unexpected message
wait_until 5 expects_are 0 || fail "expectations left after the calls cleared"
[ "$(d_counter pinholes_removed)" = 4 ] ||
	fail "pptp-ngd removed $(d_counter pinholes_removed) calls' expectations, not 4"
pretty newcall "a new call on an adopted connection translated; adopted and new calls cleared"

# ---- a real client echoing through the restart ----

pretty real "pptp-echo to pptpd, one frame at a time; kill -9 and restart mid-echo"
pptpd_start server
pptpd_pid=$!
# paced, so the echo lasts well beyond the restart however fast the guest is
pace client2 32kbit
pace server 32kbit
n_client 2 "$pptp_echo" -m -n 120 -w 1 -t 90 "$server_ip4" >"$out/echo.log" 2>&1 &
echo_pid=$!
wait_until 30 pinholes_are 1 || fail "pptp-echo's call did not come up"
d_kill
in0=$(gre_seen to_lan)
sleep 0.5
[ "$(gre_seen to_lan)" -gt "$in0" ] || fail "no GRE to the client while the daemon was dead"
d_start
counter_is calls_recovered 1 || fail "pptp-echo's call not recovered"
! grep -q '^pptp-echo: ok' "$out/echo.log" || fail "pptp-echo finished before the restart: make it longer"
in0=$(gre_seen to_lan)
wait "$echo_pid" || fail "pptp-echo failed across the restart"
cat "$out/echo.log"
[ "$(gre_seen to_lan)" -gt "$in0" ] || fail "no GRE to the client after the restart"
unpace client2
unpace server
wait_until 5 expects_are 0 || fail "expectations left after pptp-echo hung up"
[ "$(d_counter pinholes_removed)" = 1 ] || fail "the recovered call's expectations not removed"
kill "$pptpd_pid" 2>/dev/null || true
n_server pkill -F "$out/pptpd.pid" 2>/dev/null || true
pretty real "120 frames echoed byte-exact across kill -9 and restart; hang-up cleared the adopted call"

# ---- fail-open ----
#
# Killed, the daemon leaves its helper enabled: the kernel passes its
# packets by queue bypass, which keeps established control connections
# going, but a bypassed packet is never confirmed by conntrack (for
# userspace helpers only the queue's reinject path confirms), so a new
# control connection given the helper cannot come up: the ruleset gives
# it only while pptp-ngd's element is in its set (guard_cth.c).  Stopped
# with SIGTERM in fail-open mode, the daemon disables the helper (nft
# still holds it), and new control connections come up as plain TCP.
# Either way: no GRE.

# The control connections conntrack knows, one "src sport helper" line each;
# helped: how many of those that came after mark_conns have the helper.
# (Counting all of them raced the old connections' own timeouts.)
conns() {
	n_fw conntrack -L -p tcp --dport 1723 2>/dev/null | awk '{
		s = p = ""; h = "none"
		for (i = 1; i <= NF; i++) {
			if ($i ~ /^src=/ && s == "") s = $i
			if ($i ~ /^sport=/ && p == "") p = $i
			if ($i ~ /^helper=/) h = $i
		}
		print s, p, h }'
}
mark_conns() { conns | cut -d' ' -f1,2 >"$out/conns.before"; }
helped() {
	conns | awk 'NR == FNR { old[$1 " " $2]; next } !(($1 " " $2) in old) && $3 == "helper=pptp-ng"' \
		"$out/conns.before" - | wc -l
}

pretty fail-open "kill -9: an established control connection goes on unexamined"
port=1723
sim_listen pac server "$server_ip4" --role pac --expect-sessions 2 --packets 0 --timeout 60
pns_open 1
pns 1 start | grep -q '^SCCRP type 2 result 1$' || fail "client1: no SCCRP"
pns 1 call 200 | grep -q '^OCRP 200 type 8 pac [0-9]* peer 200 result 1$' || fail "client1: call 200"
wait_until 5 pinholes_are 1 || fail "call 200 has no expectations"
d_kill
pns 1 clear 200 | grep -q '^CDN 200 type 13 ' || fail "no CDN with the daemon dead"
pns 1 stop | grep -q '^STOPCCRP type 4$' || fail "no StopCCRP with the daemon dead"
# the call ended unseen: its connection is closing, so a restart drops
# its expectations instead of adopting them
closing() { ! n_fw conntrack -L -p tcp --dport 1723 --state ESTABLISHED 2>/dev/null | grep -q .; }
wait_until 5 closing || fail "client1's control connection still established after StopCCRP"
d_start
[ "$(d_counter calls_recovered)" = 0 ] || fail "a call of a closed connection was adopted"
wait_until 5 expects_are 0 || fail "expectations of the call cleared while dead left"

# alive_ms: how long pptp-ngd's element in pptp_ngd_alive has left ("expires 1s950ms"), 0 if none
alive_ms() {
	n_fw nft list set inet pptp_ngd_cth pptp_ngd_alive | grep -o 'expires [0-9smh]*' |
		awk '{ t = $2; ms = 0
			if (match(t, /[0-9]+s/)) ms += 1000 * substr(t, RSTART, RLENGTH - 1)
			if (match(t, /[0-9]+ms/)) ms += substr(t, RSTART, RLENGTH - 2)
			print ms; found = 1 } END { if (!found) print 0 }'
}

pretty fail-open "restarted within its element's 2 s: the element's timeout starts afresh"
d_kill
sleep 1
d_start
left=$(alive_ms)
pretty fail-open "the element has $left ms left just after the restart"
# the killed daemon's would have under 1000 left: adding an element that
# exists keeps its timeout, so the first refresh must delete and add
[ "$left" -gt 1500 ] || fail "the restarted daemon's element expires in $left ms"

pretty fail-open "SIGTERM: helper disabled, a new control connection comes up (no GRE)"
kill "$d_pid"
wait "$d_pid" || fail "pptp-ngd did not exit cleanly"
d_pid=
grep -q 'left disabled' "$out/pptp-ngd.log" || fail "pptp-ngd did not disable its helper"
mark_conns
sim_connect pns client2 "$server_ip4" --role pns --calls 1 --packets 0 --timeout 20
sim_wait
[ "$(helped)" = 1 ] || fail "the control connection did not get the helper"
[ "$(gre_expects)" = 0 ] || fail "expectations without a daemon?"
d_start

pretty fail-open "kill -9, then at once a new control connection: it comes up, without the helper"
d_status | grep -q '"alive_set":"inet/pptp_ngd_cth/pptp_ngd_alive","alive_set_held":true' ||
	fail "pptp-ngd does not keep its element in the ruleset's pptp_ngd_alive"
d_kill
mark_conns
t0=$(date +%s%N)
port=1723
sim_listen pac server "$server_ip4" --role pac --expect-sessions 1 --calls 1 --packets 0 --timeout 20
sim_connect pns client2 "$server_ip4" --role pns --calls 1 --packets 0 --timeout 20
sim_wait
pretty fail-open "up $((($(date +%s%N) - t0) / 1000000)) ms later (the element expires within 2 s of the kill; TCP sends its SYN again)"
[ "$(helped)" = 0 ] || fail "a control connection got the helper with no pptp-ngd"
d_start
mark_conns
port=1723
sim_listen pac server "$server_ip4" --role pac --expect-sessions 1 --calls 1
sim_connect pns client2 "$server_ip4" --role pns --calls 1
sim_wait
expect_gre pns 3
[ "$(helped)" = 1 ] || fail "restarted, a new control connection did not get the helper"
doctor() { n_fw "$PWD/build/pptp-ng" doctor --socket "$d_sock" 2>&1 || true; }
! doctor | grep -q cthelper-helper-not-gated || fail "doctor warns with the gate in place"
d_kill
d_start --alive-set none
doctor | grep -q cthelper-helper-not-gated || fail "doctor does not warn without the gate: $(doctor)"
d_kill
d_start

# ---- fail-closed ----

pretty fail-closed "pptp-ngd --fail-closed: a session while alive"
d_kill
d_start --fail-closed
n_fw nft list table inet pptp_ngd_guard >/dev/null || fail "no guard table with --fail-closed"
port=1723
sim_listen pac server "$server_ip4" --role pac --expect-sessions 1 --calls 1
sim_connect pns client2 "$server_ip4" --role pns --calls 1
sim_wait
expect_gre pns 3

pretty fail-closed "kill -9: a new control connection does not come up"
d_kill
sleep 2.5	# the guard's element expires
drops0=$(guard_drops)
port=1723
sim_listen pac server "$server_ip4" --role pac --expect-sessions 1 --calls 1 --duration 6
sim_connect pns client2 "$server_ip4" --role pns --calls 1 --timeout 5
sim_wait_status
[ "${sim_rc[pns]}" != 0 ] || fail "a control connection came up with the daemon dead and --fail-closed"
drops1=$(guard_drops)
pretty fail-closed "guard dropped $((drops1 - drops0)) control packets"
[ "$drops1" -gt "$drops0" ] || fail "the guard counted no drops"

pretty fail-closed "restarted: control passes again"
d_start --fail-closed
port=1723
sim_listen pac server "$server_ip4" --role pac --expect-sessions 1 --calls 1
sim_connect pns client2 "$server_ip4" --role pns --calls 1
sim_wait
expect_gre pns 3

pretty fail-open "restart with --fail-open: the guard table goes"
d_kill
d_start --fail-open
n_fw nft list table inet pptp_ngd_guard >/dev/null 2>&1 && fail "guard table left with --fail-open"
d_status >/dev/null || fail "pptp-ngd not answering"
# ---- busy: long work keeps the alive element ----
# With 10,000 calls the periodic refresh of every call outlasted the
# element's 2 s (bench/scale.sh), and control connections opened then got
# no helper.  A test hook makes each call's refresh take 250 ms: 10 calls
# take 2.5 s, refreshed every 4 s (--gre-timeout 16).  The daemon reads no
# packet meanwhile, so the PAC waits for the PNS's first GRE packet
# (--gre-after-peer): its own would overtake its OCRP, held in the queue.

pretty busy "10 calls whose refresh takes 2.5 s: the alive element never lapses"
d_kill
export PPTP_NGD_TEST_SLOW_REFRESH_MS=250
d_start --gre-timeout 16
unset PPTP_NGD_TEST_SLOW_REFRESH_MS
port=1723
sim_listen pac server "$server_ip4" --role pac --expect-sessions 10 --calls 1 --packets 25 \
	--gre-interval 400 --gre-after-peer --timeout 90
sim_connect pns client1 "$server_ip4" --role pns --sessions 10 --calls 1 --packets 25 \
	--gre-interval 400 --timeout 90
sim_wait
gap=$(d_counter alive_gap_max_ms)
pretty busy "the element went at most $gap ms unrefreshed (it lives 2000)"
[ "$gap" -lt 2000 ] || fail "the alive element lapsed for $gap ms during the slow refresh"
[ "$gap" -gt 0 ] || fail "alive_gap_max_ms not counted"

# ---- a SYN the wrong way round: its session ends with the connection ----
# A SYN from the server's side on a connection conntrack already has (a
# simultaneous open, or a forgery) reaches the helper in the reply
# direction, and a session made from it is keyed from the other end.
# Client1 may have one session (--max-sessions-per-source 1): its second
# SYN gets none, so the server's SYN on that connection makes the only
# session there.  Deleting the connection must end it, as its destroy
# event ends every session of a connection.  Both hosts are muted (no
# RST ends anything first).

attack=$PWD/build/tests/pptp-attack
d_sessions() { d_status | grep -o '"conn":' | wc -l; }
sessions_are() { [ "$(d_sessions)" = "$1" ]; }

pretty reversed "client1: two SYNs, the second over its one session; the server's SYN on that one"
d_kill
d_start --max-sessions-per-source 1
mute client1
mute server
ip1=$(client_ip4 1)
n_client 1 "$attack" tcp --from "$ip1:40001" --to "$server_ip4:1723" --flags S --seq 1000
n_client 1 "$attack" tcp --from "$ip1:40002" --to "$server_ip4:1723" --flags S --seq 2000
wait_until 5 sessions_are 1 || fail "client1's first SYN: $(d_sessions) sessions, expected 1"
[ "$(d_counter sessions_refused_source)" = 1 ] || fail "client1's second SYN was not refused a session"
pub=$(n_fw conntrack -L -p tcp --orig-src "$ip1" --sport 40002 2>/dev/null |
	grep -o 'dport=[0-9]*' | sed -n 2p | cut -d= -f2)
[ -n "$pub" ] || fail "no conntrack entry for client1's second SYN"
n_server "$attack" tcp --from "$server_ip4:1723" --to "$fw_wan_ip4:$pub" --flags S --seq 3000
wait_until 5 sessions_are 2 || fail "the server's SYN made no session ($(d_sessions))"
n_fw conntrack -D -p tcp --orig-src "$ip1" --sport 40002 >/dev/null 2>&1 ||
	fail "cannot delete client1's second connection"
wait_until 5 sessions_are 1 ||
	fail "the session keyed from the reply direction outlived its connection ($(d_sessions) sessions)"
n_fw conntrack -D -p tcp --orig-src "$ip1" --sport 40001 >/dev/null 2>&1 || true
wait_until 5 sessions_are 0 || fail "client1's first session outlived its connection"
unmute client1
unmute server
pretty reversed "both sessions ended with their connections"

# ---- lost events: a flush the event socket cannot hold ----
# A control connection's destroy event ends its session.  conntrack -F
# sends one event per entry at once, and those the socket cannot take are
# lost: the daemon must then look its sessions up again instead of keeping
# them, and their calls' IDs, until the sweep a minute later.  A test hook
# shrinks the socket's buffer to a few events; 300 made-up TCP entries
# make sure it overflows.

pretty lost "10 sessions held, 300 other TCP entries, conntrack -F with a tiny event buffer"
d_kill
export PPTP_NGD_TEST_EVENT_RCVBUF=4096
d_start
unset PPTP_NGD_TEST_EVENT_RCVBUF
port=1723
sim_listen pac server "$server_ip4" --role pac --expect-sessions 10 --calls 1 --timeout 60
sim_connect pns client1 "$server_ip4" --role pns --sessions 10 --calls 1 --hold --timeout 60
sim_held client1
[ "$(d_status | grep -o '"state":"up"' | wc -l)" = 10 ] || fail "10 sessions not up"
for ((i = 0; i < 300; i++)); do
	echo "-I -p tcp -s 198.51.100.1 -d 198.51.100.2 --sport $((10000 + i)) --dport 80 --state ESTABLISHED -t 600"
done >"$out/filler.batch"
n_fw conntrack -R "$out/filler.batch" || fail "cannot insert the filler entries"
n_fw conntrack -F >/dev/null 2>&1
for ((t = 0; t < 30; t++)); do
	[ "$(d_status | grep -o '"state":"up"' | wc -l)" = 0 ] && break
	sleep 0.1
done
lost=$(d_counter ct_events_lost)
pretty lost "$lost overflows of the event socket; sessions left: $(d_status | grep -o '"state":"up"' | wc -l)"
[ "$(d_status | grep -o '"state":"up"' | wc -l)" = 0 ] ||
	fail "sessions kept after conntrack -F lost their destroy events"
[ "$lost" -gt 0 ] || fail "no destroy event lost: the buffer held them all, nothing tested"
kill -9 "${held_pids[@]}" 2>/dev/null || true
held_pids=()
sim_wait_status

pretty done "cthelper restart recovery, new call on an adopted connection, fail-open and fail-closed, a busy daemon, lost events"
