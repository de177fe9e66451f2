#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
#
# Network namespaces for pptp-ng's shell tests, sourced by each test.
#
#                                  ┌──────────── fw ────────────┐
#   client1 eth0 192.0.2.11 ───┐   │                            │
#   client2 eth0 192.0.2.12 ───┼── br0 192.0.2.1      wan 203.0.113.1 ─── eth0 server
#   clientN eth0 192.0.2.1N ───┘      2001:db8:1::1       2001:db8:2::1    203.0.113.2
#           2001:db8:1::1N         │                            │        2001:db8:2::2
#                                  └────────────────────────────┘
#
# The firewall routes between the inside (192.0.2.0/24, 2001:db8:1::/64)
# and the outside (203.0.113.0/24, 2001:db8:2::/64); what it filters and
# translates is up to each test.  Every namespace name carries this shell's
# PID, so tests can run side by side, and everything is torn down on exit.
#
# Use: topology N; then n_fw CMD, n_server CMD, n_client I CMD; run
# background daemons with bg NS CMD so cleanup stops them; wait_for NS CMD
# and wait_until SECONDS CMD poll for a condition.

set -e

pfx="pptpng$$"
bg_pids=()
clients=0

server_ip4=203.0.113.2
server_ip6=2001:db8:2::2
fw_wan_ip4=203.0.113.1
fw_wan_ip6=2001:db8:2::1
fw_lan_ip4=192.0.2.1
fw_lan_ip6=2001:db8:1::1
client_ip4() { echo "192.0.2.$((10 + $1))"; }
client_ip6() { echo "2001:db8:1::$((10 + $1))"; }

# tcpdump's options for a capture a test checks packet by packet.  With
# --immediate-mode libpcap's ring holds buffer / snaplen frames: 8 at the
# defaults (2 MB, 256 KB), so a burst of nine packets lost one now and then
# (tests/inspect/live.test's twoclients capture, call 4's first GRE packet).
tcpdump_ring=(-s 65535 -B 16384)

n() { local ns=$1; shift; ip netns exec "$pfx-$ns" "$@"; }
n_fw() { n fw "$@"; }
n_server() { n server "$@"; }
n_client() { local i=$1; shift; n "client$i" "$@"; }

# bg NS CMD...: start CMD in namespace NS in the background, stopped at exit.
bg() {
	local ns=$1; shift
	n "$ns" "$@" &
	bg_pids+=($!)
}

pretty() { printf '\e[1;36m[%s]\e[0m %s\n' "$1" "$2" >&2; }
die() { printf '\e[1;31mFAIL:\e[0m %s\n' "$*" >&2; exit 1; }

cleanup() {
	local ns pid
	set +e
	for pid in "${bg_pids[@]}"; do kill "$pid" 2>/dev/null; done
	for ns in $(ip netns list | awk '{print $1}' | grep "^$pfx-"); do
		for pid in $(ip netns pids "$ns" 2>/dev/null); do kill -9 "$pid" 2>/dev/null; done
		ip netns del "$ns" 2>/dev/null
	done
	wait 2>/dev/null
}
trap cleanup EXIT

ns_add() {
	ip netns add "$pfx-$1"
	n "$1" ip link set lo up
	n "$1" sysctl -qw net.ipv6.conf.all.accept_dad=0 net.ipv6.conf.default.accept_dad=0
}

# veth NS1 IF1 NS2 IF2: a cable between two namespaces.
veth() {
	ip link add "$2" netns "$pfx-$1" type veth peer name "$4" netns "$pfx-$3"
	n "$1" ip link set "$2" up
	n "$3" ip link set "$4" up
}

# topology N: the picture above with N clients.
topology() {
	local i
	clients=$1
	ns_add fw
	ns_add server
	n_fw sysctl -qw net.ipv4.ip_forward=1 net.ipv6.conf.all.forwarding=1
	n_fw ip link add br0 type bridge
	n_fw ip link set br0 up
	n_fw ip addr add "$fw_lan_ip4/24" dev br0
	n_fw ip addr add "$fw_lan_ip6/64" dev br0 nodad
	veth fw wan server eth0
	n_fw ip addr add "$fw_wan_ip4/24" dev wan
	n_fw ip addr add "$fw_wan_ip6/64" dev wan nodad
	n_server ip addr add "$server_ip4/24" dev eth0
	n_server ip addr add "$server_ip6/64" dev eth0 nodad
	n_server ip route add default via "$fw_wan_ip4"
	n_server ip -6 route add default via "$fw_wan_ip6"
	for ((i = 1; i <= clients; i++)); do
		ns_add "client$i"
		veth "client$i" eth0 fw "lan$i"
		n_fw ip link set "lan$i" master br0
		n_client "$i" ip addr add "$(client_ip4 "$i")/24" dev eth0
		n_client "$i" ip addr add "$(client_ip6 "$i")/64" dev eth0 nodad
		n_client "$i" ip route add default via "$fw_lan_ip4"
		n_client "$i" ip -6 route add default via "$fw_lan_ip6"
	done
}

# outside N: N more hosts on the wan side, out1..outN at 203.0.113.11..,
# behind a switch in the server namespace (which keeps 203.0.113.2):
#
#   fw wan 203.0.113.1 ── eth0 server sw 203.0.113.2 ─┬─ out1 eth0 203.0.113.11
#                                                     └─ outN eth0 203.0.113.1N
outside_ip4() { echo "203.0.113.$((10 + $1))"; }
n_out() { local i=$1; shift; n "out$i" "$@"; }
outside() {
	local i
	n_server ip addr flush dev eth0
	n_server ip link add sw type bridge
	n_server ip link set eth0 master sw
	n_server ip link set sw up
	n_server ip addr add "$server_ip4/24" dev sw
	n_server ip addr add "$server_ip6/64" dev sw nodad
	n_server ip route replace default via "$fw_wan_ip4"
	n_server ip -6 route replace default via "$fw_wan_ip6"
	for ((i = 1; i <= $1; i++)); do
		ns_add "out$i"
		veth "out$i" eth0 server "o$i"
		n_server ip link set "o$i" master sw
		n_out "$i" ip addr add "$(outside_ip4 "$i")/24" dev eth0
		n_out "$i" ip route add default via "$fw_wan_ip4"
	done
}

# wait_for NS CMD...: retry CMD in NS for up to 5 s.
wait_for() {
	local ns=$1 i; shift
	for ((i = 0; i < 50; i++)); do
		n "$ns" "$@" >/dev/null 2>&1 && return 0
		sleep 0.1
	done
	die "timed out waiting in $ns for: $*"
}

# wait_until SECONDS CMD...: poll CMD (in this namespace) every 50 ms
# until it succeeds (0) or SECONDS pass (1).
wait_until() {
	local t n=$(($1 * 20)); shift
	for ((t = 0; t < n; t++)); do
		"$@" && return 0
		sleep 0.05
	done
	return 1
}

# wait_for_tcp NS PORT: something listens on TCP PORT in NS.
wait_for_tcp() {
	wait_for "$1" sh -c "ss -Hltn 'sport = :$2' | grep -q ."
}

# needs CMD...: skip the test (exit 77) when a command is missing.
needs() {
	local c
	for c in "$@"; do
		command -v "$c" >/dev/null 2>&1 || { echo "SKIP: $c not installed" >&2; exit 77; }
	done
	[ "$(id -u)" = 0 ] || { echo "SKIP: network namespaces need root" >&2; exit 77; }
}

# mute NS: NS drops the control and GRE traffic (and ICMP) that reaches
# it, so it answers nothing forged to it (tests/lib/fuzzpkt.sh, row 13).
mute() {
	n "$1" nft -f - <<-EOF
	table inet mute {
		chain in {
			type filter hook prerouting priority raw; policy accept;
			tcp dport 1723 drop
			tcp sport 1723 drop
			meta l4proto { gre, icmp } drop
		}
	}
	EOF
}

unmute() {
	n "$1" nft delete table inet mute
}
