#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
#
# tests/ha/probe.sh: what Debian 12's conntrackd (1.4.7, FTFW) and
# libnetfilter_conntrack (1.0.9) carry from an active firewall to its
# backup for PPTP, by experiment (issue 15 §1, docs/ha.md).
#
#                         ┌──── fwA (active) ────┐
#                    lan0 │ 192.0.2.1 (VIP)      │ wan0 203.0.113.1 (VIP)
#   client ── br lan ─────┤                      ├───── br wan ── server
#   192.0.2.11 (NATed)    │ sync0 198.51.100.241 │       203.0.113.2  PAC A
#   192.0.2.12 (routed)   └──────────┬───────────┘       203.0.113.3  PAC B
#                 │            conntrackd FTFW              203.0.113.4  TCP echo
#                 │            (tcpdump on fwB's end)       │
#                 │            UDP 3780, own veth           │
#                 │       ┌──────────┴───────────┐          │
#                 └───────┤ sync0 198.51.100.242 ├──────────┘
#                    lan0 │ fwB (backup)         │ wan0
#                         └──────────────────────┘
#
# Both firewalls load tests/ha/fw-stock.nft (the kernel's STOCK helper
# `pptp`, a ct mark and ct labels 5 and 77 on the control connection) and
# run conntrackd with nft/ha/conntrackd-fw{A,B}.conf.  Then, through fwA:
#
#   call A   pptp-sim PNS 192.0.2.11 -> PAC 203.0.113.2, NATed, GRE flowing
#            (a GRE conntrack), then silent for a while (--gre-pause)
#   call B1  PNS 192.0.2.11 -> PAC 203.0.113.3, NATed, its GRE dropped
#            before conntrack: the stock helper's expectations stay
#   call B2  PNS 192.0.2.12 -> PAC 203.0.113.3, not NATed, likewise
#   two expectations shaped like pptp-ngd's cthelper backend makes them
#            (PERMANENT, CTA_EXPECT_NAT, expectfn nat-follow-master),
#            created with ctnetlink on call A's control connection
#   an nft map element shaped like pptp-ngd nfqueue's
#   a TCP connection to 203.0.113.4:1723, open across the failover
#
# fwA's tables, its conntrackd's internal cache, fwB's external cache, and
# fwB's tables after `conntrackd -c` are dumped (conntrack -L and -o
# extended/xml, conntrackd -i/-e, and tests/ha/ctdump.c for every
# ctnetlink attribute) into the scratch directory and compared field by
# field, and the sync link is captured on fwB.  Then fwA fails: its links
# go down, fwB takes the addresses, and the probe looks at what becomes of
# call A's second half of GRE and of the TCP connection on fwB.
#
# Each established fact is an assertion (`fact`); the script exits 1 when
# one no longer holds, so the day a conntrackd or kernel release changes
# one, this says which.  PROBE_KEEP=DIR keeps the dumps in DIR;
# PROBE_PRINT=1 prints the main ones (the QEMU guest keeps no files).
#
# HA_FACE picks the helper on both firewalls:
#   stock     (default) the kernel's `pptp`, the facts above
#   module    nf_conntrack_pptp_ng (`pptp-ng`), loaded already (QEMU guest)
#   cthelper  pptp-ngd --backend cthelper on fwA (nfnetlink_cthelper, QEMU
#             guest); its own expectations replace the shaped ones
# tests/ha/probe-guest.sh runs all three in one guest.
#
# Needs root, conntrackd, conntrack, nft, tcpdump, python3 (optional: the TCP
# check), and `make` (pptp-sim,
# ha-ctdump, ha-libexp).

set -e
cd "$(dirname "$0")/../.."
source tests/lib/netns.sh

needs conntrackd conntrack nft tcpdump
face=${HA_FACE:-stock}
case $face in
stock) helper=pptp ;;
module | cthelper) helper=pptp-ng ;;
*) die "HA_FACE: stock, module or cthelper" ;;
esac
sim=build/tests/pptp-sim
ngd=build/pptp-ngd
# call A's silence, in which the probe dumps, commits and fails over
# (PROBE_PAUSE: a slow machine, the QEMU guest, needs more)
pause=${PROBE_PAUSE:-20}
ctdump=build/tests/ha-ctdump
libexp=build/tests/ha-libexp
for b in "$sim" "$ctdump" "$libexp"; do
	[ -x "$b" ] || make -s "$b" >/dev/null || die "cannot build $b"
done

out=${PROBE_KEEP:-$(mktemp -d)}
mkdir -p "$out"
[ -n "$PROBE_KEEP" ] || trap 'cleanup; rm -rf "$out"' EXIT

n_fwA() { n fwA "$@"; }
n_fwB() { n fwB "$@"; }
n_client() { n client "$@"; }
n_server() { n server "$@"; }
ctd() { local fw=$1; shift; n "$fw" conntrackd -C "$out/$fw/conntrackd.conf" "$@"; }

failed=0 facts=0
# fact TEXT CMD...: CMD must succeed; TEXT is the established fact it shows.
fact() {
	local text=$1; shift
	facts=$((facts + 1))
	if "$@"; then
		printf '  ok   %s\n' "$text"
	else
		printf '  FAIL %s (no longer holds: %s)\n' "$text" "$*"
		failed=$((failed + 1))
	fi
}
# has FILE REGEX / hasnt FILE REGEX: a dump line matches (or none does).
has() { grep -Eq -- "$2" "$out/$1"; }
hasnt() { ! grep -Eq -- "$2" "$out/$1"; }
# show FILE REGEX: print the matching lines of a dump, for the log.
show() { grep -E -- "$2" "$out/$1" | sed "s|^|    $1: |" || true; }

# --- the network ------------------------------------------------------------

for ns in client server fwA fwB; do ns_add "$ns"; done
n_client ip link add lan type bridge
n_client ip link set lan up
n_server ip link add wan type bridge
n_server ip link set wan up
for fw in fwA fwB; do
	veth "$fw" lan0 client "l$fw"
	veth "$fw" wan0 server "w$fw"
	n_client ip link set "l$fw" master lan
	n_server ip link set "w$fw" master wan
	n "$fw" sysctl -qw net.ipv4.ip_forward=1
	# the stock helper reads nf_conntrack_helper no more: attached by nft
done
veth fwA sync0 fwB sync0
n_fwA ip addr add 198.51.100.241/30 dev sync0
n_fwB ip addr add 198.51.100.242/30 dev sync0
n_client ip addr add 192.0.2.11/24 dev lan
n_client ip addr add 192.0.2.12/24 dev lan
n_client ip route add default via 192.0.2.1
n_server ip addr add 203.0.113.2/24 dev wan
n_server ip addr add 203.0.113.3/24 dev wan
n_server ip addr add 203.0.113.4/24 dev wan
n_server ip route add default via 203.0.113.1

# vip FW: FW holds the virtual addresses (what keepalived would do).
vip() {
	n "$1" ip addr add 192.0.2.1/24 dev lan0
	n "$1" ip addr add 203.0.113.1/24 dev wan0
	n_client ip neigh flush all
	n_server ip neigh flush all
}
vip fwA

if [ "$face" = cthelper ]; then
	# the helper is registered for every netns; fwA's daemon serves it
	n_fwA "$ngd" --backend cthelper --user nobody --foreground --socket "$out/ngd.sock" \
		--gre-timeout 60 -v >"$out/pptp-ngd.log" 2>&1 &
	bg_pids+=($!)
	for ((i = 0; i < 50; i++)); do [ -S "$out/ngd.sock" ] && break; sleep 0.1; done
	[ -S "$out/ngd.sock" ] || { cat "$out/pptp-ngd.log" >&2; die "pptp-ngd did not start"; }
fi
sed -e "s/type \"pptp\" protocol tcp/type \"$helper\" protocol tcp/" tests/ha/fw-stock.nft >"$out/fw.nft"
for fw in fwA fwB; do
	n "$fw" nft -f "$out/fw.nft"
	# pptpd-ngd nfqueue's state is nf_tables map elements: its map, alone
	n "$fw" nft -f - <<-EOF
	table ip ha_maps {
		map gre_in_addr {
			typeof ip saddr . ip daddr . @th,48,16 : ip daddr
			flags timeout
		}
	}
	EOF
	mkdir -p "$out/$fw"
	sed "s|/run/pptp-ng-ha/$fw|$out/$fw|" "nft/ha/conntrackd-$fw.conf" \
		>"$out/$fw/conntrackd.conf"
	bg "$fw" conntrackd -C "$out/$fw/conntrackd.conf"
done
for fw in fwA fwB; do
	wait_for "$fw" conntrackd -C "$out/$fw/conntrackd.conf" -s
done

# --- the traffic, through fwA -----------------------------------------------

# what conntrackd sends fwB, as it crosses the sync link
n_fwB tcpdump -Z root -i sync0 -U -w "$out/sync.pcap" udp port 3780 >"$out/tcpdump.log" 2>&1 &
tcpdump_pid=$!
bg_pids+=("$tcpdump_pid")
wait_for fwB grep -q listening "$out/tcpdump.log"
bg fwA conntrack -E expect >"$out/fwA-expect-events" 2>&1
bg fwA conntrack -E -p gre >"$out/fwA-gre-events" 2>&1

tcpecho=
if command -v python3 >/dev/null; then
	pretty probe "a TCP connection to port 1723 (the helper attached), open across the failover"
	bg server python3 tests/ha/tcpecho.py server 203.0.113.4 1723
	wait_for server sh -c "ss -Hltn 'sport = :1723' | grep -q 203.0.113.4"
	n_client python3 tests/ha/tcpecho.py client 203.0.113.4 1723 192.0.2.11 "$out/go" \
		>"$out/tcpecho.log" 2>&1 &
	tcpecho=$!
	bg_pids+=("$tcpecho")
fi

pretty probe "call A: GRE through fwA, then a pause"
bg server "$sim" --role pac --listen 203.0.113.2 --expect-sessions 1 --calls 1 \
	--packets 6 --gre-pause "$pause" --timeout $((pause + 30)) --gre-after-peer --json >"$out/simA-pac.json" 2>"$out/simA-pac.err"
wait_for_tcp server 1723
n_client "$sim" --role pns --connect 203.0.113.2 --bind 192.0.2.11 --calls 1 \
	--packets 6 --gre-pause "$pause" --timeout $((pause + 30)) --gre-after-peer --json >"$out/simA-pns.json" 2>"$out/simA-pns.err" &
simA=$!
bg_pids+=("$simA")
# call A's first three GRE packets each way have crossed fwA (the PAC
# sends only after the PNS's first, --gre-after-peer: a PAC packet before
# the stock helper's expectation would make a conntrack of its own)
# gre_flowing: fwA has call A's GRE both ways, as the face tracks it: one
# assured conntrack, or (cthelper) one related one-way conntrack each way
gre_flowing() {
	local l
	l=$(n_fwA conntrack -L -p gre 2>/dev/null | grep 'mark=1048576') || return 1
	if [ "$face" = cthelper ]; then
		grep -Eq 'gre +47 +[0-9]+ src=192.0.2.11 dst=203.0.113.2 ' <<<"$l" &&
			grep -Eq 'gre +47 +[0-9]+ src=203.0.113.2 dst=203.0.113.1 ' <<<"$l"
	else
		grep -q ASSURED <<<"$l"
	fi
}
for ((i = 0; i < 100; i++)); do
	gre_flowing && break
	sleep 0.1
done
t_gre=$SECONDS
gre_flowing || die "call A's GRE did not cross fwA both ways: nothing to fail over"

pretty probe "calls B1 (NATed) and B2 (routed): GRE dropped before conntrack"
n_fwA nft add rule ip ha raw meta l4proto gre ip saddr 203.0.113.3 drop
n_fwA nft add rule ip ha raw meta l4proto gre ip daddr 203.0.113.3 drop
bg server "$sim" --role pac --listen 203.0.113.3 --expect-sessions 2 --calls 1 \
	--timeout 120 -v >"$out/simB-pac.log" 2>&1
wait_for server sh -c "ss -Hltn 'sport = :1723' | grep -q 203.0.113.3"
bg client "$sim" --role pns --connect 203.0.113.3 --bind 192.0.2.11 --call-id-base 0x100 \
	--timeout 120 -v >"$out/simB1.log" 2>&1
bg client "$sim" --role pns --connect 203.0.113.3 --bind 192.0.2.12 --call-id-base 0x200 \
	--timeout 120 -v >"$out/simB2.log" 2>&1
for ((i = 0; i < 50; i++)); do
	[ "$(n_fwA conntrack -L expect 2>/dev/null | grep -c 203.0.113.3)" -ge 4 ] && break
	sleep 0.1
done

[ "$face" = cthelper ] || pretty probe "two expectations shaped like pptp-ngd cthelper's, on call A's control connection"
# (on A's: the stock helper allows a master 2 expectations and evicts the
# oldest for a third, so B1's own would go; A's were used by its GRE)
a=$(n_fwA conntrack -L -p tcp --orig-src 192.0.2.11 --orig-dst 203.0.113.2 2>/dev/null |
	grep -o 'sport=[0-9]*' | head -1 | cut -d= -f2)
b1=$(n_fwA conntrack -L -p tcp --orig-src 192.0.2.11 --orig-dst 203.0.113.3 2>/dev/null |
	grep -o 'sport=[0-9]*' | head -1 | cut -d= -f2)
[ -n "$a" ] && [ -n "$b1" ] || die "A's or B1's control connection is not in fwA's table"
if [ "$face" != cthelper ]; then
	# inbound half: peer:0 -> public:0x4242, NAT to the inside host's own
	# 0x4343, which the tuple's source key, out of the mask, carries too
	# (what a backup could rebuild the NAT from: "Failover design")
	n_fwA "$ctdump" expect-new 192.0.2.11 203.0.113.2 "$a" 1723 \
		203.0.113.2 203.0.113.1 0x4242 1 192.0.2.11 0x4343 300 0x4343
	# outbound half: inside:0 -> peer:0x4444, source NAT to the public address
	n_fwA "$ctdump" expect-new 192.0.2.11 203.0.113.2 "$a" 1723 \
		192.0.2.11 203.0.113.2 0x4444 0 203.0.113.2 0x4444 300
fi

pretty probe "an nft map element like pptp-ngd nfqueue's, on fwA"
n_fwA nft add element ip ha_maps gre_in_addr \
	"{ 203.0.113.3 . 203.0.113.1 . 0x4545 timeout 300s comment \"pptp-ngd probe\" : 192.0.2.11 }"

sleep 2	# conntrackd's events, FTFW's acknowledgements

# --- the dumps ----------------------------------------------------------------

# dump FW WHEN: every view of FW's state, into $out/FW-WHEN.*
dump() {
	local fw=$1 f="$out/$1-$2"
	n "$fw" conntrack -L -o extended >"$f.ct" 2>/dev/null
	n "$fw" conntrack -L -o xml >"$f.ct.xml" 2>/dev/null
	n "$fw" conntrack -L expect >"$f.exp" 2>/dev/null
	n "$fw" conntrack -L expect -o xml >"$f.exp.xml" 2>/dev/null
	n "$fw" "$ctdump" ct | sort >"$f.ctnl-ct"
	n "$fw" "$ctdump" expect | sort >"$f.ctnl-exp"
	ctd "$fw" -i >"$f.int" 2>&1 || true
	ctd "$fw" -i expect >"$f.int-exp" 2>&1 || true
	ctd "$fw" -e >"$f.ext" 2>&1 || true
	ctd "$fw" -e expect >"$f.ext-exp" 2>&1 || true
	ctd "$fw" -e -x >"$f.ext.xml" 2>&1 || true
}
dump fwA active
dump fwB before-commit
kill "$tcpdump_pid" 2>/dev/null || true
wait "$tcpdump_pid" 2>/dev/null || true
# the captured payloads as one hex string (conntrackd's attributes: a
# 16-bit length, a 16-bit type, the value; network order)
tcpdump -r "$out/sync.pcap" -nn -x 2>/dev/null | sed -n 's/^[[:space:]]*0x[0-9a-f]*:[[:space:]]*//p' |
	tr -d ' \n' >"$out/sync.hex"
pretty probe "fwB: conntrackd -c (commit the external cache)"
ctd fwB -c >"$out/fwB-commit.log" 2>&1 || true
sleep 1
dump fwB committed
n_fwA nft list map ip ha_maps gre_in_addr >"$out/fwA-active.map"
n_fwB nft list map ip ha_maps gre_in_addr >"$out/fwB-committed.map"

pretty probe "fwB: libnetfilter_conntrack's two expectation builders, on B1's master"
n_fwB "$libexp" old 192.0.2.11 203.0.113.3 "$b1" 1723 \
	203.0.113.3 203.0.113.1 0x5151 1 192.0.2.11 0x5353 300 "$helper" >"$out/libexp-old" 2>&1
n_fwB "$libexp" mnl 192.0.2.11 203.0.113.3 "$b1" 1723 \
	203.0.113.3 203.0.113.1 0x5252 1 192.0.2.11 0x5353 300 "$helper" >"$out/libexp-mnl" 2>&1
n_fwB "$ctdump" expect | sort >"$out/fwB-libexp.ctnl-exp"

pretty probe "failover: fwA's links down, fwB takes the addresses"
n_fwA ip link set lan0 down
n_fwA ip link set wan0 down
t_fail=$SECONDS
vip fwB
ctd fwB -f >/dev/null 2>&1 || true	# what primary-backup.sh does next
ctd fwB -R >/dev/null 2>&1 || true
ctd fwB -B >/dev/null 2>&1 || true
if [ "$face" = cthelper ]; then
	# what a backup does after the commit (docs/ha.md, "Failover design"):
	# its pptp-ngd, started on the committed state, takes the sessions over
	pretty probe "fwB: pptp-ngd started on what conntrackd committed"
	n_fwB "$ngd" --backend cthelper --user nobody --foreground --socket "$out/ngdB.sock" \
		--gre-timeout 60 -v >"$out/pptp-ngd-fwB.log" 2>&1 &
	bg_pids+=($!)
	for ((i = 0; i < 100; i++)); do [ -S "$out/ngdB.sock" ] && break; sleep 0.1; done
	"$ngd" --status --socket "$out/ngdB.sock" >"$out/fwB-ngd.status" 2>&1 || true
	n_fwB "$ctdump" ct | sort >"$out/fwB-takeover.ctnl-ct"
	n_fwB "$ctdump" expect | sort >"$out/fwB-takeover.ctnl-exp"
fi
touch "$out/go"
tcpecho_rc=0
[ -z "$tcpecho" ] || wait "$tcpecho" || tcpecho_rc=$?
# fwB as call A's second half of GRE left it: 3 s after the pause, before
# the conntracks that half made time out (GRE unreplied: 30 s)
while [ $((SECONDS - t_gre)) -lt $((pause + 3)) ]; do sleep 0.5; done
n_fwB nft list ruleset >"$out/fwB-after.nft"
grep gre "$out/fwB-after.nft" >"$out/fwB-after.forward" || true
dump fwB after
simA_rc=0
wait "$simA" || simA_rc=$?

if [ -n "$PROBE_PRINT" ]; then
	for f in fwA-active.ctnl-ct fwB-committed.ctnl-ct fwA-active.ctnl-exp fwB-committed.ctnl-exp \
		fwA-active.int fwB-before-commit.ext fwA-active.int-exp fwB-before-commit.ext-exp \
		fwB-after.ctnl-ct fwB-after.forward fwB-libexp.ctnl-exp simA-pns.err fwB/conntrackd.log; do
		echo "--- $face: $f"
		cat "$out/$f" 2>/dev/null || true
	done
	[ "$face" != cthelper ] || for f in pptp-ngd.log pptp-ngd-fwB.log fwB-takeover.ctnl-exp; do
		echo "--- $face: $f"
		tail -30 "$out/$f"
	done
fi

# --- the facts ----------------------------------------------------------------

# fld FILE PATTERN NAME: field NAME of the first line of dump FILE that
# matches PATTERN, volatile part left out.
fld() {
	grep -E -- "$2" "$out/$1" | head -1 | cut -d'|' -f1 | tr ' ' '\n' | sed -n "s/^$3=//p"
}
# carried PATTERN NAME...: fwA's and fwB's (committed) conntrack matching
# PATTERN have the same NAME fields, and fwA's are not empty.
carried() {
	local p=$1 name a b; shift
	for name in "$@"; do
		a=$(fld fwA-active.ctnl-ct "$p" "$name")
		b=$(fld fwB-committed.ctnl-ct "$p" "$name")
		[ -n "$a" ] && [ "$a" = "$b" ] || { echo "    $name: fwA '$a' fwB '$b'"; return 1; }
	done
}
# exp_carried PATTERN: fwA's and fwB's expectations matching PATTERN are
# the same, every field but the volatile ones (timeout, id).
exp_carried() {
	[ -n "$(grep -E -- "$1" "$out/fwA-active.ctnl-exp")" ] &&
		diff <(grep -E -- "$1" "$out/fwA-active.ctnl-exp" | cut -d'|' -f1) \
			<(grep -E -- "$1" "$out/fwB-committed.ctnl-exp" | cut -d'|' -f1) >&2
}
# exp_field FILE KEY NAME: field NAME of the expectation keyed KEY.
exp_field() { fld "$1" "tuple=[^ ]*,p47,0x[0-9a-f]+>$2 " "$3"; }

ctl_nat='orig=192.0.2.11>203.0.113.2,p6'	# call A's control connection, NATed
# shellcheck disable=SC2034 # used inside eval'd facts
ctl_b1='orig=192.0.2.11>203.0.113.3,p6'		# B1's, NATed
ctl_b2='orig=192.0.2.12>203.0.113.3,p6'		# B2's, routed
gre_a='p47,.*master=192.0.2.11>203.0.113.2,p6'	# call A's GRE conntrack

echo "=== control connections (conntrack -L -o extended; ha-ctdump ct)"
show fwA-active.ctnl-ct "$ctl_nat"
show fwB-committed.ctnl-ct "$ctl_nat"
fact "control connection: tuples, NAT binding, TCP state carried" \
	carried "$ctl_nat" orig reply status tcpstate
fact "control connection: helper name carried" carried "$ctl_nat" helper
fact "control connection: ct mark carried" carried "$ctl_nat" mark
fact "control connection: ct labels carried (bits 5 and 77)" \
	carried "$ctl_nat" labels
fact "control connection: labels are bits 5 and 77" \
	[ "$(fld fwB-committed.ctnl-ct "$ctl_nat" labels)" = 20000000000000000020000000000000 ]
fact "routed control connection: tuples, helper, mark, labels carried" \
	carried "$ctl_b2" orig reply tcpstate helper mark labels
fact "routed control connection: arrives without SRC_NAT_DONE,DST_NAT_DONE" \
	[ "$(fld fwB-committed.ctnl-ct "$ctl_b2" status)" = SEEN_REPLY,ASSURED,CONFIRMED,HELPER ]
fact "control connection on fwB: TCP window tracking off (flags BE_LIBERAL 08/08)" \
	has fwB-committed.ctnl-ct "$ctl_nat.* \| tcpflags=08/08"
if [ "$face" = cthelper ]; then
	fact "cthelper: fwA's control connections carry the daemon's helper data (CTA_HELP_INFO, version 2)" \
		eval 'has fwA-active.ctnl-ct "$ctl_b1.* helpinfo=02" && has fwA-active.ctnl-ct "$ctl_b2.* helpinfo=02"'
	fact "cthelper: helper data LOST, fwB's is 32 zero bytes" \
		eval 'has fwB-committed.ctnl-ct "$ctl_b1.* helpinfo=0{64} " && has fwB-committed.ctnl-ct "$ctl_b2.* helpinfo=0{64} "'
else
	fact "the $helper helper dumps no private data (CTA_HELP_INFO): nothing to carry" \
		hasnt fwA-active.ctnl-ct helpinfo=
fi

echo "=== call A's GRE conntrack"
show fwA-active.ctnl-ct "$gre_a"
show fwB-committed.ctnl-ct "$gre_a"
show fwA-active.int 'gre '
show fwB-before-commit.ext 'gre '
# the first GRE packet of either side makes the conntrack: its orig tuple
# is that side's
# shellcheck disable=SC2034 # used inside eval'd facts
ga_orig=$(fld fwA-active.ctnl-ct "$gre_a" orig) ga_reply=$(fld fwA-active.ctnl-ct "$gre_a" reply)
# shellcheck disable=SC2034
gb_orig=$(fld fwB-committed.ctnl-ct "$gre_a" orig) gb_reply=$(fld fwB-committed.ctnl-ct "$gre_a" reply)
fact "GRE conntrack on fwA: keyed (no tuple keyed 0>0)" \
	eval '[[ -n $ga_orig && $ga_orig != *,p47,0x0\>0x0 && $ga_reply != *,p47,0x0\>0x0 ]]'
if [ "$face" = stock ]; then
	fact "GRE conntrack: NAT status, mark, master carried" carried "$gre_a" status mark master
	fact "GRE conntrack: addresses carried, keys LOST (every key 0 on fwB)" \
		eval '[ "$gb_orig" = "${ga_orig%%,p47,*},p47,0x0>0x0" ] &&
			[ "$gb_reply" = "${ga_reply%%,p47,*},p47,0x0>0x0" ]'
fi
if [ "$face" = module ]; then
	fact "module: its GRE conntrack is not committed at all (helper pptp-ng on GRE: EOPNOTSUPP)" \
		eval 'has fwA-active.ctnl-ct "$gre_a" && hasnt fwB-committed.ctnl-ct ",p47," &&
			has fwB/conntrackd.log "commit-create: Operation not supported" &&
			has fwB/conntrackd.log "^.*gre +47 .* helper=pptp-ng"'
fi
if [ "$face" = cthelper ]; then
	fact "cthelper: the call's two one-way GRE conntracks become one on fwB (keyed 0>0, the second's orig is the first's reply)" \
		eval '[ "$(grep -Ec -- "$gre_a" "$out/fwA-active.ctnl-ct")" = 2 ] &&
			[ "$(grep -Ec -- "$gre_a" "$out/fwB-committed.ctnl-ct")" = 1 ]'
fi
fact "no GRE conntrack on fwB has a key: every one keyed 0>0" \
	hasnt fwB-committed.ctnl-ct ',p47,(0x[0-9a-f]*[1-9a-f][0-9a-f]*>|0x0>0x[0-9a-f]*[1-9a-f])'
fact "GRE keys are lost on the wire: fwA's internal cache has them, fwB's external cache not" \
	eval 'has fwA-active.int "^gre .*dstkey=0x[0-9a-f]*[1-9a-f]" &&
		has fwB-before-commit.ext "^gre .*srckey=0x0 dstkey=0x0" &&
		hasnt fwB-before-commit.ext "^gre .*dstkey=0x[0-9a-f]*[1-9a-f]"'

echo "=== expectations (conntrack -L expect; ha-ctdump expect)"
show fwA-active.ctnl-exp .
show fwB-committed.ctnl-exp .
# exp_lost PATTERN: fwA's expectations matching PATTERN all have
# CTA_EXPECT_NAT, fwB's have neither NAT nor expectfn, and they are
# otherwise the same (tuple, mask, master, flags, class, helper).
exp_lost() {
	[ "$(grep -Ec -- "$1" "$out/fwA-active.ctnl-exp")" -ge 1 ] &&
		! grep -E -- "$1" "$out/fwA-active.ctnl-exp" | grep -q ' nat=(none)' &&
		! grep -E -- "$1" "$out/fwB-committed.ctnl-exp" | grep -Eqv ' fn=\(none\) nat=\(none\) ' &&
		diff <(grep -E -- "$1" "$out/fwA-active.ctnl-exp" | cut -d'|' -f1 | sed 's/ fn=.*//') \
			<(grep -E -- "$1" "$out/fwB-committed.ctnl-exp" | cut -d'|' -f1 | sed 's/ fn=.*//') >&2
}
case $face in
stock) fn=none flags=0 ;;
module) fn=pptp-ng flags=PERMANENT ;;
cthelper) fn=nat-follow-master flags=PERMANENT ;;
esac
fact "$helper's expectations of the NATed B1 on fwA: flags $flags, expectfn $fn, CTA_EXPECT_NAT" \
	eval '! grep "master=192.0.2.11>203.0.113.3," "$out/fwA-active.ctnl-exp" |
		grep -Ev " flags=$flags class=0 helper=$helper fn=\(?$fn\)? nat_dir=" | grep -q . &&
		has fwA-active.ctnl-exp "master=192.0.2.11>203.0.113.3,"'
fact "NATed B1's expectations: CTA_EXPECT_NAT and expectfn LOST, the rest (flags $flags) carried" \
	exp_lost "master=192.0.2.11>203.0.113.3,"
if [ "$face" = module ]; then
	fact "module: routed B2's expectations have CTA_EXPECT_NAT too (saved_addr holds the pair mark \"PPNG\")" \
		has fwA-active.ctnl-exp "master=192.0.2.12>.* fn=pptp-ng nat_dir=[a-z]+ nat=71.78.80.80>"
	fact "module: routed B2's expectations: CTA_EXPECT_NAT and expectfn LOST, the rest carried" \
		exp_lost "master=192.0.2.12>"
else
	fact "routed B2's expectations (no CTA_EXPECT_NAT, no expectfn): carried whole (tuple, mask, master, flags $flags, class, helper)" \
		eval 'exp_carried "master=192.0.2.12>" && has fwB-committed.ctnl-exp "master=192.0.2.12>.* flags=$flags "'
fi
if [ "$face" = cthelper ]; then
	# routed B2 (PNS 192.0.2.12 ID 0x200, PAC B's ID 2): its outbound half
	fact "cthelper: the daemon's source key (the inside host's ID 0x200, its pairing) carried" \
		eval 'has fwA-active.ctnl-exp "tuple=192.0.2.12>203.0.113.3,p47,0x200>0x[0-9a-f]+ " &&
			has fwB-committed.ctnl-exp "tuple=192.0.2.12>203.0.113.3,p47,0x200>0x[0-9a-f]+ "'
	fact "cthelper: an inbound half made at the request carries the inside host's ID too (NATed B1: 0x100)" \
		eval 'has fwA-active.ctnl-exp "tuple=203.0.113.3>203.0.113.1,p47,0x100>0x[0-9a-f]+ " &&
			has fwB-committed.ctnl-exp "tuple=203.0.113.3>203.0.113.1,p47,0x100>0x[0-9a-f]+ "'
fi
[ "$face" = cthelper ] ||
fact "an expectation's source key outside its mask (0x4343) carried" \
	eval '[ "$(exp_field fwA-active.ctnl-exp 0x4242 tuple)" = "$(exp_field fwB-committed.ctnl-exp 0x4242 tuple)" ] &&
		exp_field fwB-committed.ctnl-exp 0x4242 tuple | grep -q ",p47,0x4343>0x4242$"'
[ "$face" = cthelper ] ||
for key in 0x4242 0x4444; do
	fact "cthelper-shaped expectation $key: PERMANENT and class 0 carried" \
		eval '[ "$(exp_field fwB-committed.ctnl-exp '$key' flags)" = PERMANENT ] &&
			[ "$(exp_field fwB-committed.ctnl-exp '$key' class)" = 0 ]'
	fact "cthelper-shaped expectation $key: expectfn nat-follow-master LOST" \
		eval '[ "$(exp_field fwA-active.ctnl-exp '$key' fn)" = nat-follow-master ] &&
			[ "$(exp_field fwB-committed.ctnl-exp '$key' fn)" = "(none)" ]'
	fact "cthelper-shaped expectation $key: CTA_EXPECT_NAT LOST" \
		eval '[ -n "$(exp_field fwA-active.ctnl-exp '$key' nat_dir)" ] &&
			[ "$(exp_field fwB-committed.ctnl-exp '$key' nat)" = "(none)" ]'
	fact "cthelper-shaped expectation $key: tuple, mask, master carried" \
		eval '[ "$(exp_field fwA-active.ctnl-exp '$key' mask)" = "$(exp_field fwB-committed.ctnl-exp '$key' mask)" ] &&
			[ "$(exp_field fwA-active.ctnl-exp '$key' master)" = "$(exp_field fwB-committed.ctnl-exp '$key' master)" ]'
done

echo "=== conntrackd's expectation messages on the sync link (tcpdump on fwB's sync0)"
# NTA_EXP_NAT_IPV4 (15) of a NAT to 192.0.2.11, NTA_EXP_FN (20) with the
# expectfn's name, NTA_EXP_CLASS (14) with class 0 (include/network.h)
hexstr() { printf '%s' "$1" | od -An -tx1 | tr -d ' \n'; }
nat_attr=000c000fc000020b00000000
case $face in
module) fn_name=pptp-ng ;;
*) fn_name=nat-follow-master ;;
esac
fn_attr=$(printf '%04x0014' $((4 + ${#fn_name} + 1)))$(hexstr "$fn_name")00
class_attr=0008000e00000000
echo "    sync.hex: $(wc -c <"$out/sync.hex") hex digits captured"
fact "conntrackd sends an expectation's CTA_EXPECT_NAT (NTA_EXP_NAT_IPV4, 192.0.2.11) to the backup" \
	has sync.hex "$nat_attr"
fact "conntrackd sends the expectfn's name ($fn_name, NTA_EXP_FN) to the backup" \
	has sync.hex "$fn_attr"
fact "conntrackd sends the class (NTA_EXP_CLASS) to the backup" \
	has sync.hex "$class_attr"

echo "=== libnetfilter_conntrack's builders (ha-libexp, on fwB)"
show libexp-old builds
show libexp-mnl builds
show fwB-libexp.ctnl-exp '0x5[12]5[12] '
fact "nfexp_query(NFCT_Q_CREATE), conntrackd's path, sends no CLASS, NAT or FN" \
	has libexp-old '^old builds: TUPLE MASTER MASK TIMEOUT FLAGS HELP_NAME$'
fact "nfexp_nlmsg_build() neither" \
	has libexp-mnl '^mnl builds: TUPLE MASTER MASK TIMEOUT FLAGS HELP_NAME$'
fact "so the kernel gets PERMANENT without NAT or expectfn, by either builder" \
	eval 'has fwB-libexp.ctnl-exp ",p47,0x0>0x5151 .* flags=PERMANENT class=0 helper=$helper fn=\(none\) nat=\(none\) " &&
		has fwB-libexp.ctnl-exp ",p47,0x0>0x5252 .* flags=PERMANENT class=0 helper=$helper fn=\(none\) nat=\(none\) "'

echo "=== nf_tables map elements (pptp-ngd nfqueue's state)"
show fwA-active.map 'comment'
fact "an nft map element on fwA does not reach fwB" \
	eval 'has fwA-active.map 0x4545 && hasnt fwB-committed.map 0x4545'

if [ -n "$tcpecho" ]; then
	echo "=== failover: a TCP connection (port 1723, helper $helper, NATed) through fwB"
	show tcpecho.log .
	fact "the TCP connection goes on through fwB" [ "$tcpecho_rc" = 0 ]
fi

echo "=== failover: call A's second half of GRE through fwB"
show fwB-after.forward 'gre'
show fwB-after.ctnl-ct 'p47'
echo "    pptp-sim PNS of call A exited $simA_rc"
show simA-pns.err 'GRE packets of|PASS'
fact "the failover came inside call A's pause ($((t_fail - t_gre)) s of $pause)" \
	[ $((t_fail - t_gre)) -lt $((pause - 3)) ]
if [ "$face" = cthelper ]; then
	show fwB-ngd.status '"calls_recovered":[0-9]*'
	show pptp-ngd-fwB.log 'taken over|recovered call'
	fact "cthelper: pptp-ngd on fwB takes call A over from the zeroed helper data and NAT-less expectations" \
		eval 'has pptp-ngd-fwB.log "192.0.2.11:$a>203.0.113.2:1723: taken over from a peer" &&
			has pptp-ngd-fwB.log "recovered call: .*192.0.2.11:$a>203.0.113.2:1723"'
	fact "cthelper: call A's expectations made again on fwB with their NAT and expectfn" \
		has fwB-takeover.ctnl-exp "master=192.0.2.11>203.0.113.2,p6,0x[0-9a-f]+>0x6bb .* fn=nat-follow-master nat_dir="
	fact "cthelper: call A survives: pptp-sim PNS got all 6 GRE packets, then cleared the call through fwB" \
		[ "$simA_rc" = 0 ]
else
	fact "call A does not survive: pptp-sim PNS got 3 of 6 GRE packets, the 3 after the failover lost" \
		has simA-pns.err 'call 1: received 3 GRE packets of 6'
	fact "the PAC's GRE to the public address met no conntrack of the call on fwB: a new one, not NATed, to fwB itself" \
		has fwB-after.ctnl-ct "orig=203.0.113.2>203.0.113.1,p47,0x0>0x[0-9a-f]+ reply=203.0.113.1>203.0.113.2,p47,0x[0-9a-f]+>0x0 status=CONFIRMED,SRC_NAT_DONE,DST_NAT_DONE mark=0x0 "
	fact "fwB dropped GRE as not related (forward chain's GRE drop counter > 0)" \
		has fwB-after.forward 'meta l4proto gre counter packets [1-9][0-9]* bytes [0-9]+ drop'
fi

echo "$facts facts checked, $failed no longer hold (dumps: ${PROBE_KEEP:-removed})"
echo "$((facts - failed)) passed, $failed failed"
[ "$failed" = 0 ]
