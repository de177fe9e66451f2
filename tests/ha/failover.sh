#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
#
# tests/ha/failover.sh: PPTP calls across the failover of a firewall pair
# and back, set up as it is deployed (issue 15 §3, docs/ha.md): conntrackd
# FTFW between the firewalls, keepalived moving the virtual addresses and
# running nft/ha/pptp-ng-failover, pptp-ngd --backend cthelper on both.
#
#                        ┌──── fwA (VRRP priority 150) ────┐
#                   lan0 │ 192.0.2.2, VIP 192.0.2.1        │ wan0: VIP 203.0.113.1
#   clients ── br lan ───┤ keepalived, conntrackd, pptp-ngd├──── br wan ── servers
#   .11-.13 pptp-linux   │ sync0 198.51.100.241            │   .2 pptpd (fake-pppd)
#   .14 pptp-sim, 8 calls└───────────────┬─────────────────┘   .3 pptp-sim PAC
#   .15 pptp-sim, 1 call        FTFW, UDP 3780, own veth       .4 pptp-sim PAC
#       (stock helper)   ┌───────────────┴─────────────────┐      (stock helper)
#                   lan0 │ 192.0.2.3  sync0 198.51.100.242 │ wan0     .5 pptp-sim PAC
#                        └──── fwB (VRRP priority 100) ────┘          (scripted PNS's)
#
#   up        fwA is master: 3 pptp-linux clients (pptp-echo) call pptpd,
#             pptp-sim places 8 calls on one control connection; beside
#             them one pptp-sim call goes through the kernel's stock
#             helper (`pptp`).  Each pptp-sim call sends a third of its
#             GRE, then waits
#   failover  fwA fails: its links go down, its conntrackd and pptp-ngd
#             die.  keepalived moves the addresses to fwB, whose notify
#             commits conntrackd's state and restarts pptp-ngd (it takes
#             the sessions over).  Then every call's GRE must flow both
#             ways within 3 s of the move: a round of echoes per client,
#             pptp-sim's next third
#   newcall   a scripted PNS (tests/tools/pns.sh), up with call 100 since
#             before the failover, places call 101 on the same control
#             connection through fwB; GRE sent from each end with its keys
#             must leave fwB translated
#   cleanup   its CDN and StopCCRQ, and client 3's hangup: fwB's pptp-ngd
#             drops the calls, their expectations go
#   failback  fwA comes back with the table it had (FAILOVER_REBOOT=1:
#             emptied, as after a reboot): links, conntrackd and pptp-ngd
#             up; keepalived makes it backup (it asks fwB for its state),
#             then master after 5 s: within 3 s of that move every
#             remaining call's GRE flows both ways again
#   end       every call hangs up through fwA; pptp-sim checks that each of
#             its packets arrived
#
# The stock helper's call is reported, not judged: it is expected to lose
# its GRE (docs/ha.md).  Needs root, a kernel with nfnetlink_cthelper and
# the stock helper (tests/ha/failover-guest.sh runs it in one QEMU guest),
# conntrackd, keepalived, pptpd, pptp, nft, conntrack and `make`.

set -e
cd "$(dirname "$0")/../.."
source tests/lib/netns.sh
source tests/lib/pns.sh

needs conntrackd keepalived conntrack nft pptpd pptp nsenter pgrep
# HA_FACE: cthelper (pptp-ngd --backend cthelper on both firewalls),
# module (nf_conntrack_pptp_ng, loaded already: a QEMU guest) or nfqueue
# (pptp-ngd --backend nfqueue on both, this machine's kernel will do).
# nfqueue, and the module loaded without failover=1, are expected to lose
# their calls' GRE (docs/ha.md): the run then checks that, reports, and
# ends after the failover.
face=${HA_FACE:-cthelper}
module_param() { cat "/sys/module/nf_conntrack_pptp_ng/parameters/$1" 2>/dev/null; }
loses=
[ "$face" != nfqueue ] || loses=yes
[ "$face" != module ] || [ "$(module_param failover)" = Y ] || loses=yes
case $face in
cthelper) ruleset=nft/pptp-ngd-cthelper.nft helper_rule='tcp dport 1723 ct state new meta l4proto @pptp_ngd_alive' ;;
module) ruleset=nft/pptp-ng.nft helper_rule='tcp dport 1723 ct state new ct helper set "pptp-ng"' ;;
nfqueue) ruleset= ;;
*) die "HA_FACE: cthelper, module or nfqueue" ;;
esac
ngd_args=(--backend cthelper)
[ "$face" != nfqueue ] || ngd_args=(--backend nfqueue --ruleset "$PWD/nft/pptp-ngd-nfqueue.nft")
ngd=$PWD/build/pptp-ngd
sim=$PWD/build/tests/pptp-sim
echo_bin=$PWD/build/tests/pptp-echo
fake_pppd=$PWD/build/tests/fake-pppd
attack=$PWD/build/tests/pptp-attack
ctdump=$PWD/build/tests/ha-ctdump
for b in "$ngd" "$sim" "$echo_bin" "$fake_pppd" "$attack" "$ctdump"; do
	[ -x "$b" ] || die "$b missing (make first)"
done
limit=3			# seconds from the move to GRE flowing again
out=${FAILOVER_KEEP:-$(mktemp -d)}
mkdir -p "$out"
[ -n "$FAILOVER_KEEP" ] || trap 'cleanup; rm -rf "$out"' EXIT

failed=0
check() {	# check TEXT CMD...: CMD must succeed
	local text=$1; shift
	if "$@"; then
		printf '  ok   %s\n' "$text"
	else
		printf '  FAIL %s\n' "$text"
		failed=$((failed + 1))
	fi
}
now() { date +%s.%N; }
secs() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", b - a }'; }
within() { awk -v s="$1" -v l="$2" 'BEGIN { exit !(s <= l) }'; }

# --- the network ------------------------------------------------------------

for ns in client server fwA fwB; do ns_add "$ns"; done
n client ip link add lan type bridge
n client ip link set lan up
n server ip link add wan type bridge
n server ip link set wan up
for fw in fwA fwB; do
	veth "$fw" lan0 client "l$fw"
	veth "$fw" wan0 server "w$fw"
	n client ip link set "l$fw" master lan
	n server ip link set "w$fw" master wan
	n "$fw" sysctl -qw net.ipv4.ip_forward=1
done
veth fwA sync0 fwB sync0
n fwA ip addr add 198.51.100.241/30 dev sync0
n fwB ip addr add 198.51.100.242/30 dev sync0
n fwA ip addr add 192.0.2.2/24 dev lan0
n fwB ip addr add 192.0.2.3/24 dev lan0
for i in 11 12 13 14 15; do n client ip addr add "192.0.2.$i/24" dev lan; done
n client ip route add default via 192.0.2.1
for i in 2 3 4 5; do n server ip addr add "203.0.113.$i/24" dev wan; done
n server ip route add default via 203.0.113.1

# --- the firewalls ----------------------------------------------------------

# FW/ngd-stop and FW/ngd-start: what systemctl stop|start pptp-ngd does on
# a real firewall (PPTPNGD_STOP, PPTPNGD_START); start returns once the
# daemon answers, stop once it is gone.
for fw in fwA fwB; do
	mkdir -p "$out/$fw"
	cat >"$out/$fw/ngd-stop" <<-EOF
	#!/bin/sh
	pkill -f -- "--socket $out/$fw/ngd.sock" || true
	while pgrep -f -- "--socket $out/$fw/ngd.sock" >/dev/null; do sleep 0.05; done
	EOF
	cat >"$out/$fw/ngd-start" <<-EOF
	#!/bin/sh
	"$out/$fw/ngd-stop"
	echo "---- start \$(date +%s.%N)" >>"$out/$fw/pptp-ngd.log"
	setsid "$ngd" ${ngd_args[*]} --user nobody --foreground --gre-timeout 120 -v \\
		--socket "$out/$fw/ngd.sock" >>"$out/$fw/pptp-ngd.log" 2>&1 </dev/null &
	for i in \$(seq 200); do
		"$ngd" --status --socket "$out/$fw/ngd.sock" >/dev/null 2>&1 && exit 0
		sleep 0.05
	done
	echo "pptp-ngd did not start" >&2
	exit 1
	EOF
	chmod +x "$out/$fw/ngd-stop" "$out/$fw/ngd-start"
	stop=$out/$fw/ngd-stop start=$out/$fw/ngd-start
	[ "$face" != module ] || stop= start=
	cat >"$out/$fw/failover.env" <<-EOF
	CONNTRACKD_CONF=$out/$fw/conntrackd.conf
	PPTPNGD_STOP=$stop
	PPTPNGD_START=$start
	FAILOVER_LOG=$out/$fw/failover.log
	EOF
	sed "s|/run/pptp-ng-ha/$fw|$out/$fw|" "nft/ha/conntrackd-$fw.conf" >"$out/$fw/conntrackd.conf"
	sed "s|\"/usr/lib/pptp-ng/pptp-ng-failover /etc/pptp-ng/failover.env\"|\"$PWD/nft/ha/pptp-ng-failover $out/$fw/failover.env\"|" \
		"nft/ha/keepalived-$fw.conf" >"$out/$fw/keepalived.conf"
	grep -q "$out/$fw/failover.env" "$out/$fw/keepalived.conf" || die "keepalived-$fw.conf: no notify line"
	# the product's ruleset, its interfaces named, source NAT to the
	# virtual address instead of masquerading (docs/ha.md: on a link
	# down, masquerade deletes its conntracks and conntrackd deletes
	# them on the peer too); 203.0.113.4 gets the stock helper instead
	# (the reference)
	if [ -n "$ruleset" ]; then
		sed -e 's/^define LAN_IF = .*/define LAN_IF = "lan0"/' -e 's/^define WAN_IF = .*/define WAN_IF = "wan0"/' \
			-e 's/meta nfproto ipv4 masquerade$/meta nfproto ipv4 snat ip to 203.0.113.1/' \
			-e "s/\\($helper_rule\\)/ip daddr != 203.0.113.4 \\1/" \
			"$ruleset" >"$out/$fw/fw.nft"
		grep -q 'ip daddr != 203.0.113.4' "$out/$fw/fw.nft" || die "$ruleset: no helper rule to narrow"
		grep -q 'snat ip to 203.0.113.1' "$out/$fw/fw.nft" || die "no masquerade rule to replace"
	else	# nfqueue: pptp-ngd loads its own tables; the firewall's around them
		cat >"$out/$fw/fw.nft" <<-EOF
		table ip fw {
			chain forward {
				type filter hook forward priority filter; policy drop;
				ct state established,related accept
				meta l4proto gre ct state untracked accept
				iifname "lan0" oifname "wan0" accept
			}
			chain post {
				type nat hook postrouting priority srcnat; policy accept;
				oifname "wan0" ip saddr 192.0.2.0/24 snat ip to 203.0.113.1
			}
		}
		EOF
	fi
	cat >>"$out/$fw/fw.nft" <<-EOF
	table ip stock_ref {
		ct helper pptp-stock {
			type "pptp" protocol tcp
			l3proto ip
		}
		chain pre {
			type filter hook prerouting priority mangle; policy accept;
			ip daddr 203.0.113.4 tcp dport 1723 ct state new ct helper set "pptp-stock" ct mark set ct mark or 0x00100000
		}
	}
	EOF
done

ctd_start() { bg "$1" conntrackd -C "$out/$1/conntrackd.conf"; wait_for "$1" conntrackd -C "$out/$1/conntrackd.conf" -s; }
ctd_kill() {
	pkill -9 -f -- "conntrackd -C $out/$1/conntrackd.conf" || true
	rm -f "$out/$1/conntrackd.lock" "$out/$1/conntrackd.ctl"
}
ka_start() {
	bg "$1" keepalived -n -l -D -P -f "$out/$1/keepalived.conf" -p "$out/$1/keepalived.pid" \
		-r "$out/$1/vrrp.pid" >>"$out/$1/keepalived.log" 2>&1
}
masters() { cat "$out/$1/failover.log" 2>/dev/null | grep -c '^MASTER' || true; }
has_vip() { n "$1" ip -4 addr show dev lan0 | grep -q 'inet 192.0.2.1/'; }
master_count_is() { [ "$(masters "$1")" -ge "$2" ]; }

for fw in fwA fwB; do
	[ "$face" = module ] || n "$fw" "$out/$fw/ngd-start" || die "$fw: pptp-ngd did not start"
	n "$fw" nft -f "$out/$fw/fw.nft"
	ctd_start "$fw"
done
pretty up "fwA: keepalived, then fwB's"
ka_start fwA
wait_until 20 master_count_is fwA 1 || die "fwA did not become master"
ka_start fwB
sleep 2
[ "$(masters fwB)" = 0 ] || die "fwB became master beside fwA"
has_vip fwA || die "fwA is master without the virtual address"

# --- the calls, through fwA -------------------------------------------------

cat >"$out/pptpd.conf" <<EOF
listen 203.0.113.2
localip 198.51.100.1
remoteip 198.51.100.11-19
EOF
bg server pptpd -f -c "$out/pptpd.conf" -p "$out/pptpd.pid" --ppp "$fake_pppd" \
	>"$out/pptpd.log" 2>&1
wait_for server sh -c "ss -Hltn 'sport = :1723' | grep -q 203.0.113.2"

# echo_client I ADDR [PID]: pptp-echo from ADDR, held after its echoes;
# each line appended to $out/echoI.in sends a round, hangup I ends it.
# With PID, in that process's mount namespace: its pptp call manager,
# and so a new call on the same control connection.
echo_client() {
	local i=$1 addr=$2 pre=() priv=-m
	: >"$out/echo$i.in"
	[ -z "$3" ] || { pre=(nsenter -t "$3" -m --); priv=; }
	n client bash -c 'tail -f "$1" | { shift; exec "$@"; }' _ "$out/echo$i.in" \
		"${pre[@]}" "$echo_bin" $priv -H -t 120 -T "$limit" -n 8 203.0.113.2 -- \
		--localbind "$addr" >"$out/echo$i.log" 2>&1 &
	bg_pids+=($!)
}
hangup() { pkill -f -- "tail -f $out/echo$1.in" || true; }
echo_up() { grep -q '^pptp-echo: ok' "$out/echo$1.log"; }
rounds_done() {	# rounds_done K I...: each echo I printed round K
	local k=$1 i; shift
	for i in "$@"; do grep -q "^pptp-echo: round $k " "$out/echo$i.log" || return 1; done
}
round_secs() { sed -n "s/^pptp-echo: round $2 ok .*(\([0-9.]*\) s)$/\1/p" "$out/echo$1.log"; }

bg server "$sim" --role pac --listen 203.0.113.3 --expect-sessions 1 --calls 8 --packets 9 \
	--gre-pauses 2 --gre-pause 600 --timeout 150 --json >"$out/pac.json" 2>"$out/pac.err"
bg server "$sim" --role pac --listen 203.0.113.4 --expect-sessions 1 --calls 1 --packets 9 \
	--gre-pauses 2 --gre-pause 600 --timeout 150 --json >"$out/stock-pac.json" 2>"$out/stock-pac.err"
wait_for server sh -c "ss -Hltn 'sport = :1723' | grep -q 203.0.113.4"
n client "$sim" --role pns --connect 203.0.113.3 --bind 192.0.2.14 --calls 8 --packets 9 \
	--gre-pauses 2 --gre-pause 600 --timeout 150 --json >"$out/pns.json" 2>"$out/pns.err" &
pns_pid=$!
bg_pids+=($pns_pid)
n client "$sim" --role pns --connect 203.0.113.4 --bind 192.0.2.15 --calls 1 --packets 9 \
	--gre-pauses 2 --gre-pause 600 --timeout 60 --json >"$out/stock-pns.json" 2>"$out/stock-pns.err" &
stock_pid=$!
bg_pids+=($stock_pid)
for i in 1 2 3; do echo_client "$i" "192.0.2.1$i"; done
bg server "$sim" --role pac --listen 203.0.113.5 --expect-sessions 1 --packets 0 --timeout 150 \
	--json >"$out/new-pac.json" 2>"$out/new-pac.err"
wait_for server sh -c "ss -Hltn 'sport = :1723' | grep -q 203.0.113.5"
pns_start new client 203.0.113.5
pns new start | grep -q '^SCCRP type 2 result 1$' || die "the scripted PNS got no SCCRP"
pns new call 100 | grep -q '^OCRP 100 type 8 pac [0-9]* peer 100 result 1$' || die "the scripted PNS's call 100"

sims_paused() {	# sims_paused K: every pptp-sim side reached pause K
	local f
	for f in pac pns stock-pac stock-pns; do
		grep -q "GRE paused ($1 of 2)" "$out/$f.err" || return 1
	done
}
all_up() { echo_up 1 && echo_up 2 && echo_up 3 && sims_paused 1; }
wait_until 60 all_up || die "the calls did not come up through fwA"
grep -h '^pptp-echo:' "$out"/echo[123].log
pretty up "3 pptp-linux calls echoed, 8 + 1 pptp-sim calls sent a third of their GRE"

# resume K I...: the echoes' round K and pptp-sim's next third, at once
resume() {
	local k=$1 i p; shift
	for i in "$@"; do echo >>"$out/echo$i.in"; done
	for p in $(ip netns pids "$pfx-client") $(ip netns pids "$pfx-server"); do
		[ "$(cat "/proc/$p/comm" 2>/dev/null)" = pptp-sim ] && kill -USR1 "$p"
	done
	wait_until 20 rounds_done "$k" "$@" || true
}

# takeover FROM TO K: FROM's links down (after the caller broke it), the
# move to TO, the GRE of clients I... within $limit s; round K
report_move() {
	local to=$1 k=$2 t_move=$3 t_ready=$4 i s; shift 4
	echo "    $to holds the addresses; its notify was done $(secs "$t_move" "$t_ready") s later"
	for i in "$@"; do
		s=$(round_secs "$i" "$k")
		grep "^pptp-echo: round $k " "$out/echo$i.log" | sed 's/^/    /'
		check "client $i: its echoes back within $limit s of the move" \
			eval '[ -n "$s" ] && within "$(secs "$t_move" "$t_ready") + $s" "$limit"'
	done
}

# --- failover ----------------------------------------------------------------

if [ -n "$FAILOVER_PRINT" ]; then
	echo "--- fwA: conntrackd -i"; conntrackd -C "$out/fwA/conntrackd.conf" -i 2>&1 | head -20 || true
	echo "--- fwB: conntrackd -e"; conntrackd -C "$out/fwB/conntrackd.conf" -e 2>&1 | head -20 || true
	echo "--- fwB: conntrackd -s"; conntrackd -C "$out/fwB/conntrackd.conf" -s 2>&1 | head -40 || true
fi
pretty failover "fwA fails: links down, conntrackd and pptp-ngd killed (${SECONDS} s in)"
n fwA ip link set lan0 down
n fwA ip link set wan0 down
n fwA ip link set sync0 down
ctd_kill fwA
[ "$face" = module ] || pkill -9 -f -- "--socket $out/fwA/ngd.sock" || true
wait_until 20 has_vip fwB || die "the addresses did not move to fwB"
t_move=$(now)
wait_until 20 master_count_is fwB 1 || die "fwB's notify did not finish"
t_ready=$(now)
n fwB "$ctdump" expect >"$out/fwB-committed.exp" 2>&1 || true
resume 1 1 2 3
pretty failover "round 1 through fwB"
module_count() { n "$1" awk -v k="$2" '$1 == k { print $2 }' /proc/net/nf_pptp_ng; }
if [ -n "$loses" ]; then
	for i in 1 2 3; do grep "^pptp-echo: round 1 " "$out/echo$i.log" | sed 's/^/    /'; done
	if [ "$face" = module ]; then
		n fwB cat /proc/net/nf_pptp_ng 2>/dev/null | sed 's/^/    fwB module: /' | head -20
	else
		echo "    fwB's pptp-ngd maps: $(n fwB nft list table ip pptp_ngd 2>/dev/null | grep -o 'comment "' | wc -l) elements (fwA's are not synchronised)"
	fi
	check "$face: the calls lose their GRE at the failover (docs/ha.md)" \
		eval '! grep -q "^pptp-echo: round 1 ok" "$out"/echo[123].log'
	echo "failover ($face): $failed check(s) failed"
	[ "$failed" = 0 ]
	exit
fi
report_move fwB 1 "$t_move" "$t_ready" 1 2 3
if [ "$face" = cthelper ]; then
	"$ngd" --status --socket "$out/fwB/ngd.sock" >"$out/fwB-takeover.status"
	took=$(grep -o '"calls_recovered":[0-9]*' "$out/fwB-takeover.status" | cut -d: -f2)
	check "fwB's pptp-ngd took over the 12 pptp-ng calls (3 pptp-linux, 8 pptp-sim, the scripted PNS's): $took" \
		[ "$took" = 12 ]
else
	n fwB "$ctdump" ct >"$out/fwB-round1.ct" 2>&1 || true
	n fwB "$ctdump" expect >"$out/fwB-round1.exp" 2>&1 || true
	n fwB awk '$2 != "0"' /proc/net/nf_pptp_ng | tr '\n' ' ' | fold -s -w 100 | sed 's/^/    fwB module: /'
	echo
	# the module takes a session over at its first packet: the
	# scripted PNS's has had none yet
	took=$(module_count fwB failover_calls)
	check "fwB's module took over the 11 calls that spoke (3 pptp-linux, 8 pptp-sim): $took, GRE set up from copies $(module_count fwB failover_gre) times" \
		[ "$took" = 11 ]
fi

# --- a new call on an existing control connection, through fwB --------------

pretty newcall "the scripted PNS places call 101 beside its call 100, through fwB"
ans=$(pns new call 101)
echo "    $ans"
check "OCRP through fwB: call 101 connected" grep -q '^OCRP 101 type 8 pac [0-9]* peer 101 result 1$' <<<"$ans"
peer=$(sed -n 's/.* pac \([0-9]*\) .*/\1/p' <<<"$ans")
if [ "$face" = cthelper ]; then
	xid=$("$ngd" --status --socket "$out/fwB/ngd.sock" | grep -o '"pns_id":101,"pns_xid":[0-9]*' | cut -d: -f3)
else
	# the PAC's GRE to the PNS is expected keyed the ID it knows,
	# with the PAC's own ID as the carrier's source key
	xid=$(n fwB "$ctdump" expect |
		sed -n "s/.* tuple=203\.0\.113\.5>203\.0\.113\.1,p47,$(printf '0x%x' "${peer:-0}")>0x\([0-9a-f]*\) .*/\1/p" | head -1)
	xid=$((16#${xid:-0}))
	took=$(module_count fwB failover_calls)
	check "fwB's module took the scripted PNS's call 100 over at its OCRQ: $took of 12 calls" [ "$took" = 12 ]
fi
# its GRE both ways, sent from each end with the call's keys (the PAC's to
# the translated ID), counted where it arrives: the module writes the
# receiver's key at the end of postrouting, after any chain of fwB's
arrived() {
	n "$1" nft -f - <<-EOF
	table ip newcall {
		counter gre {}
		chain in {
			type filter hook input priority 0; policy accept;
			ip saddr $2 ip daddr $3 ip protocol gre @th,48,16 $4 counter name gre
		}
	}
	EOF
}
arrived client 203.0.113.5 192.0.2.11 101
arrived server 203.0.113.1 203.0.113.5 "${peer:-0}"
n server "$attack" gre --from 203.0.113.5 --to 203.0.113.1 --version 1 --key "${xid:-0}" --count 3
n client "$attack" gre --from 192.0.2.11 --to 203.0.113.5 --version 1 --key "${peer:-0}" --count 3
counted() { n "$1" nft list counter ip newcall gre | awk '/packets/ { print $2 }'; }
check "call 101's GRE through fwB both ways (to the PNS keyed 101: $(counted client) of 3, to the PAC keyed $peer: $(counted server) of 3; sent to the translated ID $xid)" \
	eval '[ "$(counted client)" = 3 ] && [ "$(counted server)" = 3 ]'

# --- cleanup through fwB -----------------------------------------------------

pretty cleanup "CDN of call 101, StopCCRQ of the scripted PNS, client 3 hangs up"
exps() { n fwB conntrack -L expect 2>/dev/null | grep -c "proto=47 " || true; }
before=$(exps)
pns new clear 101 | sed 's/^/    /'
wait_until 10 eval '[ "$(exps)" -lt "$before" ]' || true
check "CDN: fwB ($face) removed call 101's two expectations ($before before, $(exps) after)" \
	eval '[ "$(exps)" = $((before - 2)) ]'
before=$(exps)
pns new stop | sed 's/^/    /'
wait_until 10 eval '[ "$(exps)" -lt "$before" ]' || true
check "StopCCRQ: call 100's expectations went with its session ($before before, $(exps) after)" \
	eval '[ "$(exps)" = $((before - 2)) ]'
hangup 3
wait_until 10 eval '[ "$(n fwB conntrack -L expect 2>/dev/null | grep -c "master-src=192.0.2.13 ")" = 0 ]' || true
check "pptp-linux's hangup (client 3): its expectations gone from fwB" \
	eval '[ "$(n fwB conntrack -L expect 2>/dev/null | grep -c "master-src=192.0.2.13 ")" = 0 ]'

# --- failback -----------------------------------------------------------------

pretty failback "fwA back${FAILOVER_REBOOT:+ (rebooted: an empty table)}: sync link, conntrackd, pptp-ngd, then its other links"
if [ -n "$FAILOVER_REBOOT" ]; then
	n fwA conntrack -F >/dev/null 2>&1 || true
	n fwA conntrack -F expect >/dev/null 2>&1 || true
fi
bg fwA conntrack -E -o timestamp >"$out/fwA-events" 2>&1
n fwA ip link set sync0 up
ctd_start fwA
[ "$face" = module ] || n fwA "$out/fwA/ngd-start"
n fwA ip link set lan0 up
n fwA ip link set wan0 up
wait_until 30 has_vip fwA || die "the addresses did not move back to fwA"
t_move=$(now)
wait_until 20 master_count_is fwA 2 || die "fwA's notify did not finish"
t_ready=$(now)
resume 2 1 2
pretty failback "round 2 through fwA"
report_move fwA 2 "$t_move" "$t_ready" 1 2

# --- the end ---------------------------------------------------------------------

pretty end "every call hangs up through fwA (${SECONDS} s in)"
hangup 1
hangup 2
rc=0
wait "$pns_pid" || rc=$?
check "pptp-sim: all 8 calls got every GRE packet through both moves, then cleared ($(grep -o '"received":[0-9]*' "$out/pns.json" | head -1))" \
	[ "$rc" = 0 ]
stock_rc=0
wait "$stock_pid" || stock_rc=$?
echo "    the stock helper's call (reference): pptp-sim exited $stock_rc: $(grep -h 'received .* GRE packets of' "$out/stock-pns.err" | head -1)"
ngd_exps() { n fwA "$ctdump" expect | grep -c " helper=pptp-ng " || true; }
wait_until 20 eval '[ "$(ngd_exps)" = 0 ]' || true
check "no pptp-ng expectation left on fwA" eval '[ "$(ngd_exps)" = 0 ]'

if [ "$failed" != 0 ] || [ -n "$FAILOVER_PRINT" ]; then
	for f in fwB-committed.exp fwB-round1.ct fwB-round1.exp fwA-events fwA/failover.log fwB/failover.log fwA/pptp-ngd.log fwB/pptp-ngd.log fwB/keepalived.log \
		pns.err pac.err stock-pns.err echo1.log echo2.log echo3.log echo4.log; do
		echo "--- $f"
		tail -80 "$out/$f" 2>/dev/null || true
	done
fi
echo "failover: $failed check(s) failed"
[ "$failed" = 0 ]
