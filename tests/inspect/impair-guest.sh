#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
#
# Run in the QEMU guest by tests/inspect/impair.test (this machine's
# kernel has no netem): pptp-sim sessions across the namespaces of
# tests/lib/netns.sh with GRE impaired by tc netem on both peers' egress
# (GRE alone: a prio band with netem, filtered by IP protocol 47), so the
# firewall's wan link, where tcpdump captures, sees what the receivers
# get.  For each scenario the capture and both sides' JSON summaries are
# printed between "=== BEGIN NAME" and "=== END NAME" (the capture in
# base64) for the host to check.
#
#   loss       netem loss 15%: calls never complete (pptp-sim sends no
#              packet twice), both sides time out
#   reorder    netem delay 10ms reorder 30% 50%
#   duplicate  netem duplicate 20%

cd "$(dirname "$0")/../.."
source tests/sim/lib.sh
needs tc tcpdump base64
sim_build
topology 1
for m in sch_prio sch_netem cls_u32; do modprobe "$m" 2>/dev/null || true; done
K=30	# GRE data packets per call and direction

# impair NS IF NETEM...: GRE leaving IF in NS goes through netem NETEM.
impair() {
	local ns=$1 dev=$2; shift 2
	n "$ns" tc qdisc del dev "$dev" root 2>/dev/null || true
	n "$ns" tc qdisc add dev "$dev" root handle 1: prio bands 4 \
		priomap 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0
	n "$ns" tc qdisc add dev "$dev" parent 1:4 handle 40: netem "$@"
	n "$ns" tc filter add dev "$dev" parent 1: protocol ip u32 match ip protocol 47 0xff flowid 1:4
}

emit() {	# NAME FILE [base64]
	echo "=== BEGIN $1"
	if [ -n "$3" ]; then base64 "$2"; else cat "$2"; fi
	echo "=== END $1"
}

scenario() {
	local name=$1 timeout=$2 cap; shift 2
	impair client1 eth0 "$@"
	impair server eth0 "$@"
	cap=$out/$name.pcap
	port=1723	# sim_wait_status moves on to the next: the inspector knows 1723 only
	rm -f "$out/tcpdump.err"
	n_fw tcpdump -Z root --immediate-mode -B 16384 -i wan -U -s 0 -w "$cap" 'ip proto 47 or tcp port 1723' \
		>/dev/null 2>"$out/tcpdump.err" &
	local tcpd=$!
	bg_pids+=($tcpd)
	for ((i = 0; i < 50; i++)); do grep -q listening "$out/tcpdump.err" && break; sleep 0.1; done
	sim_listen pac server "$server_ip4" --role pac --expect-sessions 1 --calls 2 \
		--packets $K --gre-interval 5 --timeout "$timeout"
	sim_connect pns client1 "$server_ip4" --role pns --calls 2 --packets $K --gre-interval 5 \
		--timeout "$timeout"
	sim_wait_status
	# tcpdump may be behind under emulation: stop once the file stops growing
	local size=-1 now
	for ((i = 0; i < 20; i++)); do
		sleep 0.5
		now=$(stat -c %s "$cap")
		[ "$now" = "$size" ] && break
		size=$now
	done
	kill "$tcpd"	# TERM: background jobs of a script ignore INT
	wait "$tcpd" 2>/dev/null || true
	grep -h "dropped" "$out/tcpdump.err" || true
	echo "scenario $name: pptp-sim pns exit ${sim_rc[pns]}, pac exit ${sim_rc[pac]}"
	emit "$name.pcap" "$cap" b64
	emit "$name.pns.json" "$out/pns.json"
	emit "$name.pac.json" "$out/pac.json"
}

scenario loss 6 loss 15%
scenario reorder 15 delay 10ms reorder 30% 50%
scenario duplicate 15 duplicate 20%
