#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
#
# Benchmark 7: default-sized tables.  A QEMU guest of 1 GB with the
# kernel's own sizing (no conntrack sysctl touched): 1,000 control
# connections x 5 calls held up at once through one masquerade address
# with nf_conntrack_pptp_ng, the stock helper loaded beside it (and run as
# the reference at one call per connection, all it tracks).  While every
# call is up (pptp-sim --hold):
#
#   - the firewall's conntrack entries, GRE entries and expectations;
#   - another helper at that load: an active FTP data connection (the
#     stock FTP helper's expectation, through NAT, server to client);
#   - table pressure: the client sends UDP to as many ports as the table
#     has entries, unreplied; the kernel must evict those (early_drop),
#     not the calls: their GRE and control entries are counted after.
#
# Then the PNS clears every call (its control connections must have
# survived).  The one module setting changed is max_sessions_per_source
# (256 by default, an anti-flood limit), as one client opens them all.

source "$(dirname "$0")/lib.sh"

shapes=$(bench_size "10x5" "1000x5")
stock_shapes=$(bench_size "10x1" "1000x1")
vm_timeout=$(bench_size 60 600)
# The emulated guest cannot take a thousand SYNs at once: the control
# connections open one every 100 ms (50 call setups a second).
vm_pace=$(bench_size 0 100)
bench_begin 7 "Default-sized tables: 5,000 calls in a 1 GB guest"

source bench/faces.inc
faces_topology

# tables_sum COLUMN: one column of conntrack -S, summed over the CPUs.
tables_sum() {
	n_fw conntrack -S 2>/dev/null | grep -o "$1=[0-9]*" | cut -d= -f2 | awk '{ s += $1 } END { print s + 0 }'
}

# tables_ftp: an active FTP data connection across the firewall.  The
# client names its data port in PORT; nf_nat_ftp rewrites it to the
# firewall's address and the FTP helper expects the server's connection
# there, which only that expectation lets in.
tables_ftp() {
	local port line pids=()
	# nc -l hangs up when its stdin ends: give it one that lasts.
	sleep 20 | n_client 1 timeout 20 busybox nc -l -p 2021 >"$out/ftp.data" 2>/dev/null &
	pids+=($!)
	sleep 10 | n_server timeout 10 busybox nc -l -p 21 >"$out/ftp.ctl" 2>/dev/null &
	pids+=($!)
	sleep 1
	# The FTP helper reads a line only after one it saw end: USER first.
	{ printf 'USER anonymous\r\n'; sleep 1; printf 'PORT %s,7,229\r\n' "${c1//./,}"; sleep 3; } |
		n_client 1 timeout 5 busybox nc "$server_ip4" 21 >/dev/null 2>&1 || true
	line=$(tr -d '\r' <"$out/ftp.ctl" | grep -m1 '^PORT ' || true)
	port=$(awk -F'[ ,]' 'NF == 7 { print $6 * 256 + $7 }' <<<"$line")
	if [ -n "$port" ]; then
		echo "ftp-data" | n_server timeout 5 busybox nc "${fw_wan_ip4}" "$port" >/dev/null 2>&1 || true
	fi
	sleep 1
	kill "${pids[@]}" 2>/dev/null || true
	wait "${pids[@]}" 2>/dev/null || true
	if grep -q '^ftp-data$' "$out/ftp.data"; then
		scale[ftp]="through (PORT rewritten to ${line#PORT })"
	else
		scale[ftp]="failed (server saw: ${line:-no PORT})"
	fi
}

# tables_pressure: UDP from the client to as many ports as the table
# holds, none answered; then what is left of the calls.
tables_pressure() {
	local max drop0
	max=$(n_fw sysctl -n net.netfilter.nf_conntrack_max)
	drop0=$(tables_sum early_drop)
	n_client 1 bash -c "for ((p = 0; p < $max; p++)); do
		echo x 2>/dev/null >/dev/udp/$server_ip4/\$((20000 + p)) || true
	done"
	scale[early_drop]=$(($(tables_sum early_drop) - drop0))
	scale[gre_after]=$(n_fw conntrack -L -p gre 2>/dev/null | wc -l)
	scale[ctl_after]=$(n_fw conntrack -L -p tcp --dport 1723 2>/dev/null | wc -l)
	scale[udp_after]=$(n_fw conntrack -L -p udp 2>/dev/null | wc -l)
}

tables_at_hold() {
	scale[entries]=$(n_fw conntrack -C)
	scale[ctl]=$(n_fw conntrack -L -p tcp --dport 1723 2>/dev/null | wc -l)
	tables_ftp
	tables_pressure
}

tables_record() {
	local k v=
	for k in entries ctl gre expect ftp early_drop gre_after ctl_after udp_after up complete \
		calls; do
		v+="${scale[$k]:--};"
	done
	echo "BENCH $1 $v$result"
	# why calls had no GRE, if they had none
	[ "$1" = "${1#module}" ] || echo "BENCH $1-counters $(n_fw cat /proc/net/nf_pptp_ng 2>/dev/null |
		grep -E '^(expect_refused|expect_failed|gre_paired|gre_adopted) ' | tr '\n' ' ')"
}

# tables_faces FACE SHAPES: measure_scale at each shape.
tables_faces() {
	local f=$1 shape
	for shape in $2; do
		measure_scale "$f" "${shape%x*}" "${shape#*x}" "$vm_timeout"
		tables_record "$f-$shape"
	done
}

guest_mem=1024
vm_body="$(declare -f tables_sum tables_ftp tables_pressure tables_at_hold tables_record tables_faces)
vm_timeout=$vm_timeout; sim_tries=1; sim_build; topology 1
modprobe nf_conntrack_pptp; modprobe nf_nat_pptp
modprobe nf_conntrack_ftp; modprobe nf_nat_ftp
echo 2000 >/sys/module/nf_conntrack_pptp_ng/parameters/max_sessions_per_source
echo \"BENCH sizes \$(sysctl -n net.netfilter.nf_conntrack_max);\$(cat /sys/module/nf_conntrack/parameters/hashsize);\$(sysctl -n net.netfilter.nf_conntrack_expect_max);\$(cat /sys/module/nf_conntrack/parameters/expect_hashsize);\$(awk '/MemTotal/ { print int(\$2 / 1024) }' /proc/meminfo)\"
echo \"BENCH ng_expect_max \$(awk '\$1 == \"expectations_max\" { print \$2 }' /proc/net/nf_pptp_ng)\"
[ $vm_pace = 0 ] || scale_pace='--interval $vm_pace'
ulimit -n 65536
# Not a table: the emulated guest's per-CPU input queue (1000 by default)
# overflows with a thousand peers on veth, and a call whose one GRE
# packet is lost keeps its expectations.
sysctl -qw net.core.netdev_max_backlog=65536
scale_at_hold_also=tables_at_hold
ftp_rule() { n_fw nft add ct helper inet pptp_ng ftp '{ type \"ftp\" protocol tcp; }'; n_fw nft insert rule inet pptp_ng pre tcp dport 21 ct state new ct helper set '\"ftp\"'; }
face_up() { case \$1 in module) n_fw nft -f nft/pptp-ng.nft ;; vmstock) sed 's/type \"pptp-ng\" protocol tcp/type \"pptp\" protocol tcp/' nft/pptp-ng.nft | n_fw nft -f - ;; esac; ftp_rule; }
tables_faces module '$shapes'
tables_faces vmstock '$stock_shapes'"
guest_run $((vm_timeout * 3 + 120)) "$vm_body" || true
# The guest's console, for what the table cannot say.
mkdir -p build/bench && cp "$out/guest.log" build/bench/tables-guest.log 2>/dev/null || true

# row LABEL LINE SHAPE: one table row from a recorded line.
row() {
	local entries ctl gre exp ftp drop gre2 ctl2 udp2 up done calls res
	IFS=';' read -r entries ctl gre exp ftp drop gre2 ctl2 udp2 up done calls res <<<"$2"
	if [ -z "$2" ]; then
		bench_row "$1" "$3" "failed: no result (the guest run ended first?)" - - - - -
		return
	fi
	if [ "$res" = ok ]; then
		res="all $calls up, verified, cleared"
	elif [ "$entries" != - ]; then
		res="all $calls up; $res"
	else
		res="$res; ${up:-?} of $calls calls up, ${done:-?} verified"
	fi
	bench_row "$1" "$3" "$res" "$entries ($ctl control, $gre GRE)" "$exp" "$ftp" \
		"$drop evicted; $gre2 GRE and $ctl2 control entries left, $udp2 UDP"
}

IFS=';' read -r ct_max ct_buckets exp_max exp_buckets mem <<<"${guest[sizes]}"
bench_text "A ${mem:-?} MB guest as the kernel sizes it: nf_conntrack_max $ct_max" \
	"($ct_buckets buckets), nf_conntrack_expect_max $exp_max ($exp_buckets buckets);" \
	"pptp-ng takes at most ${guest[ng_expect_max]:-?} expectations (max_expectations 0)." \
	"The stock PPTP and FTP helpers are loaded beside the module. Shapes are control" \
	"connections x calls, all from one client through one masquerade address," \
	"opened one every $vm_pace ms; every call's GRE verified both ways, then held" \
	"(pptp-sim --hold) while the rest is measured, then cleared. The one sysctl set is" \
	"net.core.netdev_max_backlog (65536: the emulated guest's input queue, not a" \
	"conntrack table, drops packets of a thousand peers otherwise). Entries =" \
	"conntrack -C then. FTP = an active-mode data connection from the server to the" \
	"client through NAT, which only the FTP helper's expectation lets in. Table" \
	"full = the client sends one unanswered UDP packet to each of" \
	"nf_conntrack_max ports: what the kernel evicted to make room (early_drop)" \
	"and what was left of the calls. The stock helper's lost calls: on this" \
	"kernel an expectation it removes (each call's other one) is only marked" \
	"dead and fills the 120-entry table until the conntrack gc visits its" \
	"master, up to a minute later (docs/kernel.md, One conntrack a call)."
bench_cols "face" "shape" "result" "conntrack entries with every call up" "expectations" \
	"FTP data connection at that load" "table filled with unreplied UDP"
if [ -n "$guest_why" ]; then
	bench_na "guest: all faces" "$guest_why"
else
	for shape in $shapes; do
		row "nf_conntrack_pptp_ng (nft/pptp-ng.nft)" "${guest[module-$shape]}" "$shape"
	done
	for shape in $stock_shapes; do
		row "reference: stock nf_conntrack_pptp + nf_nat_pptp (the same ruleset)" \
			"${guest[vmstock-$shape]}" "$shape"
	done
fi
for shape in $shapes; do
	[ -z "${guest[module-$shape-counters]}" ] ||
		bench_text "The module's counters after $shape: ${guest[module-$shape-counters]}."
done
[ -z "$sim_failures" ] || bench_text "Failed runs: $sim_failures"
bench_end
