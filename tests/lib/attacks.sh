#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
# shellcheck disable=SC2154
#
# Hostile traffic against PPTP users behind a firewall, shared by the
# module's and the cthelper daemon's scenario (tests/kernel/scenarios/
# 14-attacks.sh) and the nfqueue daemon's test (tests/daemon/attacks.test).
# Sourced after tests/sim/lib.sh, on `topology 3` with `outside 1`; the
# caller defines face_calls (how many calls the firewall has GRE open
# for) and fail:
#
#   client1 victim PNS, 4 calls ─┐
#   client2 victim PNS, 4 calls ─┼─ br0 ─ fw (masquerade) ─ wan ─ server PAC
#   client3 attacker (LAN) ──────┘                              └ out1 attacker (internet)
#
# The victims' calls carry GRE both ways for the whole run (a packet every
# 250 ms, 40 s) while the attackers forge what a LAN or internet host can send:
# ICMP errors of several kinds quoting either direction of a victim's
# control connection (quoting an IP ID that once read as TCP RST in a
# helper that took ICMP for TCP), SYN and RST segments in and out of the
# TCP window, GRE version 0 keyed like a call.  pptp-sim checks every GRE
# packet, so one lost or misrouted packet, or a victim's session ended
# by a forgery, fails the victims.
#
#   victims_start       the server's PAC and both victims, calls up
#   attack_icmp         ICMP errors from client3 and out1
#   attack_tcp          SYN and RST: in and out of the window, both sides,
#                       and in the window right after a SYN
#   attack_gre_v0 I     GRE v0 from client I to the server, keyed like the
#                       call whose PAC ID is 0 (expected 0: a pinhole for it)
#   victims_check       every victim call kept all its GRE both ways

attack=$PWD/build/tests/pptp-attack
attacker_pac=203.0.113.3
victim_calls=4
# 60 s of GRE: longer than the attacks take in a TCG guest on a busy
# machine (the victims must still be up when the floods end).  They give
# up after 110 s, before a QEMU row's 150 s (SCENARIO_TIMEOUT), so a lost
# packet is reported with what was lost.
victim_packets=240

# The victims' PAC numbers its calls from 0, as pptpd does: the first
# call's PNS-to-PAC GRE is keyed 0, like GRE version 0.
victims_start() {
	local t
	n_fw tcpdump -U --immediate-mode "${tcpdump_ring[@]}" -i br0 -w "$out/control.pcap" tcp port 1723 \
		>/dev/null 2>"$out/tcpdump.err" &
	bg_pids+=($!)
	# attack_tcp reads client1's sequence numbers from it: listen first
	for ((t = 0; t < 50; t++)); do
		grep -q "listening on" "$out/tcpdump.err" 2>/dev/null && break
		sleep 0.1
	done
	sim_listen pac server "$server_ip4" --role pac --expect-sessions 2 \
		--calls $victim_calls --packets $victim_packets --gre-interval 250 \
		--call-id-base 0 --timeout 110
	sim_connect v1 client1 "$server_ip4" --role pns --calls $victim_calls \
		--packets $victim_packets --gre-interval 250 --call-id-base 100 --timeout 110
	sim_connect v2 client2 "$server_ip4" --role pns --calls $victim_calls \
		--packets $victim_packets --gre-interval 250 --call-id-base 100 --timeout 110
	victims_up
}

# victims_up: all the victims' calls have GRE open at the firewall
# (face_calls, the caller's: calls the face has opened GRE for), within 20 s.
victims_up() {
	local t
	for ((t = 0; t < 200; t++)); do
		[ "$(face_calls)" -ge $((2 * victim_calls)) ] 2>/dev/null && return 0
		sleep 0.1
	done
	fail "the victims' calls did not come up ($(face_calls) with GRE)"
}

# victim_port I: client I's control connection source port.
victim_port() {
	n_fw conntrack -L -p tcp --dport 1723 --orig-src "$(client_ip4 "$1")" 2>/dev/null |
		grep -o 'sport=[0-9]*' | head -n 1 | cut -d= -f2
}

# public_port I: the same connection's port as the server sees it.
public_port() {
	n_fw conntrack -L -p tcp --dport 1723 --orig-src "$(client_ip4 "$1")" 2>/dev/null |
		grep -o 'dport=[0-9]*' | sed -n 2p | cut -d= -f2
}

# victim_timeout I: seconds client I's control connection has left in
# the firewall's conntrack table.
victim_timeout() {
	n_fw conntrack -L -p tcp --dport 1723 --orig-src "$(client_ip4 "$1")" 2>/dev/null |
		awk '{ print $3; exit }'
}

# victim_kept I: client I's control connection was not left to expire in
# conntrack's 10 s after the in-window RSTs.  Kernels that cut the entry
# (6.1) have the helper give it its grace (rst_grace, 120 s); those that
# do not (6.12) keep the established timeout.  Either way a minute stays.
victim_kept() {
	local left
	left=$(victim_timeout "$1")
	[ "${left:-0}" -gt 60 ] ||
		fail "client$1's control connection expires in ${left:-?} s after in-window RSTs (rst_grace $(rst_grace_count))"
}

# ICMP errors a host sends about a packet it could not deliver: types
# and codes conntrack relates to the connection the quoted packet is of.
icmp_kinds="3/1 3/3 3/4 3/13 11/0 12/0"

attack_icmp() {
	local p pp kind id c1
	c1=$(client_ip4 1)
	p=$(victim_port 1)
	pp=$(public_port 1)
	[ -n "$p" ] && [ -n "$pp" ] || fail "no control connection of client1 in conntrack"
	pretty attack "ICMP errors about client1's control connection ($c1:$p, public :$pp)"
	for kind in $icmp_kinds; do
		for id in 0xf004 0x5014; do	# doff 15 + RST, doff 5 + RST|ACK
			# LAN host: about a segment the server sent client1 (original direction)
			n_client 3 "$attack" icmp --from "$(client_ip4 3)" --to "$server_ip4" \
				--type "$kind" --ipid "$id" --quote "$server_ip4:1723,$c1:$p"
			# the same, claiming to come from client1 itself
			n_client 3 "$attack" icmp --from "$c1" --to "$server_ip4" \
				--type "$kind" --ipid "$id" --quote "$server_ip4:1723,$c1:$p"
			# internet host: about a segment client1 sent the server (reply direction)
			n_out 1 "$attack" icmp --from "$(outside_ip4 1)" --to "$fw_wan_ip4" \
				--type "$kind" --ipid "$id" --quote "$fw_wan_ip4:$pp,$server_ip4:1723"
		done
	done
}

attack_tcp() {
	local p pp c1 seq nxt
	c1=$(client_ip4 1)
	p=$(victim_port 1)
	pp=$(public_port 1)
	nxt=$(client_snd_nxt 1 "$p")	# before the capture holds forgeries too
	pretty attack "SYN and RST forged for both ends of client1's control connection"
	for seq in 1 0x80000000 0xfffffff0; do
		n_client 3 "$attack" tcp --from "$c1:$p" --to "$server_ip4:1723" --flags S --seq "$seq"
		n_client 3 "$attack" tcp --from "$c1:$p" --to "$server_ip4:1723" --flags R --seq "$seq"
		n_client 3 "$attack" tcp --from "$c1:$p" --to "$server_ip4:1723" --flags RA \
			--seq "$seq" --ack "$seq"
		n_out 1 "$attack" tcp --from "$server_ip4:1723" --to "$fw_wan_ip4:$pp" --flags R --seq "$seq"
		n_out 1 "$attack" tcp --from "$server_ip4:1723" --to "$fw_wan_ip4:$pp" --flags S --seq "$seq"
	done
	attack_rst_in_window "$c1" "$p" "$nxt"
	attack_rst_after_syn "$c1" "$p" "$nxt"
}

# attack_rst_in_window ADDR PORT SEQ: RSTs inside the receiver's window
# but off the sender's next sequence number SEQ, as a host that can guess
# the window sends them: conntrack keeps the connection ESTABLISHED (RFC
# 5961 challenge ACK), and so must the helper, but cuts the entry's life
# to 10 s, and the receiver answers one burst with one challenge ACK:
# idle for the victims' 60 s, the control connection would expire with
# its calls unless the helper gives it its grace (counter rst_grace).
attack_rst_in_window() {
	local seq=$3 off
	if [ -z "$seq" ]; then
		cat "$out/tcpdump.err" >&2
		tcpdump -S -nn -r "$out/control.pcap" 2>&1 | head -n 20 >&2
		fail "no sequence number of client1's control connection captured (port $2)"
	fi
	for off in 1 100 1000 20000; do
		n_client 3 "$attack" tcp --from "$1:$2" --to "$server_ip4:1723" --flags R \
			--seq $(((seq + off) % 4294967296))
	done
	pretty attack "4 RSTs in the window after client1's next sequence number $seq"
}

# attack_rst_after_syn ADDR PORT SEQ: a forged SYN, then RSTs in the
# window off SEQ.  Conntrack lets the SYN pass (the endpoints may be in
# sync when it is not) and skips its RFC 5961 check of the next RST until
# another packet passes: the server's challenge ACK to the SYN.  The
# server sends one per half second (tcp_invalid_ratelimit; here a minute,
# so this cannot depend on timing), so a SYN right after another gets
# none, and conntrack takes the next in-window RST as a real one and
# closes the entry.  The endpoints keep the connection (the RST is off
# their sequence number): so must the helper, and conntrack's entry too.
attack_rst_after_syn() {
	n_server sysctl -qw net.ipv4.tcp_invalid_ratelimit=60000
	n_client 3 "$attack" tcp --from "$1:$2" --to "$server_ip4:1723" --flags S --seq 7
	sleep 0.2	# its challenge ACK (if the minute allows one) has passed
	n_client 3 "$attack" tcp --from "$1:$2" --to "$server_ip4:1723" --flags S --seq 7
	attack_rst_in_window "$@"
	n_server sysctl -qw net.ipv4.tcp_invalid_ratelimit=500
	pretty attack "a SYN without its challenge ACK, then RSTs in the window"
}

# client_snd_nxt I PORT: the next sequence number client I sends on its
# control connection from PORT: the end of its last segment in the
# firewall's capture (victims_start records the control connections).
client_snd_nxt() {
	local t seq
	# what the capture has may lag behind the wire a little
	for ((t = 0; t < 50; t++)); do
		seq=$(tcpdump -S -nn -r "$out/control.pcap" \
			"src host $(client_ip4 "$1") and src port $2" 2>/dev/null |
			grep -o 'seq [0-9:]*' | tail -n 1 | sed 's/seq //; s/.*://')
		[ -n "$seq" ] && break
		sleep 0.1
	done
	echo "$seq"
}

# attack_gre_v0 I: GRE version 0 from client I to the server and from
# the internet to the public address.  The PAC numbers its calls from 0,
# so one victim call's PNS-to-PAC GRE is keyed 0, like every GRE v0 packet.
attack_gre_v0() {
	local i c
	c=$(client_ip4 "${1:-1}")
	pretty attack "GRE version 0 from $c to the server: a call keyed 0 is no pinhole for it"
	for ((i = 0; i < 5; i++)); do
		n_client "${1:-1}" "$attack" gre --from "$c" --to "$server_ip4" --version 0
		n_out 1 "$attack" gre --from "$server_ip4" --to "$fw_wan_ip4" --version 0
	done
}

# attack_floods: client3 opens 8 control connections with 4 calls each to
# a PAC of its own on the server's second address, beyond the firewall's
# per-source and expectation limits (the calls of the connections it may
# keep are beyond the expectation cap by themselves, whether the victims'
# calls still hold theirs or not); its result is not judged.  Its calls
# send no GRE and are held until every one is up (pptp-sim --hold), so
# they hold their expectations at once whatever the machine's speed: a
# call cleared early gives its expectations back at once.
attack_floods() {
	n_server ip addr add "$attacker_pac/24" dev "$(n_server ip -o -4 addr show |
		awk -v a="$server_ip4/24" '$4 == a { print $2 }')"
	pretty attack "client3 floods: 8 control connections x 4 calls"
	# no GRE: the calls keep their expectations, the most a host can hold
	sim_listen apac server "$attacker_pac" --role pac --duration 25 --timeout 30 --packets 0
	sim_connect attacker client3 "$attacker_pac" --role pns --sessions 8 --calls 4 --timeout 25 \
		--packets 0 --hold
	attack_floods_release
}

# attack_floods_release: once client3's flood holds its calls (pptp-sim
# stopped itself), let it clear them; at most 20 s (a face that refuses
# the calls outright never gets there, and the flood times out).
attack_floods_release() {
	local t p
	for ((t = 0; t < 200; t++)); do
		for p in $(ip netns pids "$pfx-client3" 2>/dev/null); do
			[[ $(ps -o stat= -p "$p") == T* ]] || continue
			kill -CONT "$p"
			return 0
		done
		sleep 0.1
	done
}

# victims_check: both victims and the PAC saw every GRE packet of every
# call, and no session ended early.
victims_check() {
	sim_wait_status
	sims_passed pac v1 v2	# the attacker's result is not judged
	expect_gre pac $((2 * victim_calls * victim_packets))
	expect_gre v1 $((victim_calls * victim_packets))
	expect_gre v2 $((victim_calls * victim_packets))
}
