#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
#
# The module beside the stock helper, loaded after it: a firewall moving
# from nf_conntrack_pptp to pptp-ng keeps both while it does.
#
#   client1 pptp-sim PNS, 1 call ──┐                      ┌ server 203.0.113.2 PAC: helper "pptp"
#   client2 pptp-sim PNS, 4 calls ─┴─ fw (masquerade) ─ wan ┤
#                                                         └ server 203.0.113.3 PAC: helper "pptp-ng"
#
# nf_conntrack_pptp and nf_nat_pptp are loaded first, then
# nf_conntrack_pptp_ng (again, from the copy guest.sh keeps); the ruleset
# attaches the stock helper to control connections to one server address
# and pptp-ng to the other.  Both control connections run at once, each
# with its GRE verified both ways by pptp-sim.  Module face only: the
# daemon's helper is another program's registration.

cd "$(dirname "$0")/../../.."
source tests/kernel/scenarios/lib.sh

[ "$helper" = pptp-ng ] ||
	{ echo "SKIP: coexistence of two kernel modules: the module's face only" >&2; exit 77; }
ko=$(ls /vm/modules/*nf_conntrack_pptp_ng.ko 2>/dev/null | head -n 1)
[ -n "$ko" ] || { echo "SKIP: no nf_conntrack_pptp_ng.ko in /vm/modules (run in tests/vm/guest.sh)" >&2; exit 77; }
ng_server=203.0.113.3

pretty load "nf_conntrack_pptp and nf_nat_pptp first, then nf_conntrack_pptp_ng"
rmmod nf_conntrack_pptp_ng 2>/dev/null || true
modprobe nf_conntrack_pptp
modprobe nf_nat_pptp
# A loaded module must stay loaded beside ours.  A built-in one (the
# debug kernel's) is not in /proc/modules and cannot go: the ruleset's
# ct helper "pptp" below only loads while the kernel has the helper.
stock_module=$(grep -c '^nf_conntrack_pptp ' /proc/modules || true)
insmod "$ko"
[ "$stock_module" = 0 ] || grep -q '^nf_conntrack_pptp ' /proc/modules ||
	die "the stock helper did not stay loaded"

topology 2
n_server ip addr add "$ng_server/24" dev eth0
n_fw nft -f - <<EOF
table inet coexist {
	ct helper stock { type "pptp" protocol tcp; }
	ct helper ng { type "pptp-ng" protocol tcp; }
	chain pre {
		type filter hook prerouting priority mangle; policy accept;
		ip daddr $server_ip4 tcp dport 1723 ct state new ct helper set "stock"
		ip daddr $ng_server tcp dport 1723 ct state new ct helper set "ng"
	}
	chain forward {
		type filter hook forward priority filter; policy drop;
		ct state invalid drop
		meta l4proto gre ct state related,established accept
		meta l4proto gre drop
		ct state established,related accept
		iifname "br0" oifname "wan" accept
	}
	chain post {
		type nat hook postrouting priority srcnat; policy accept;
		oifname "wan" masquerade
	}
}
EOF
# The stock pair's PAC sends GRE only once its PNS's first packet is in
# (--gre-after-peer): when both sides' first packets meet, each made from
# one of the stock helper's two expectations on its own CPU, one loses at
# confirmation, and its conntrack's death destroys the master's keymaps,
# so every later packet of the call misses (what the 2-CPU guest showed,
# one run in three: one packet of the stock call passed, then none).
# That race is the stock helper's alone; this scenario is about both
# helpers working side by side.
sim_listen stockpac server "$server_ip4" --role pac --expect-sessions 1 --calls 1 --timeout 40 \
	--packets 20 --gre-interval 100 --gre-after-peer
sim_listen ngpac server "$ng_server" --role pac --expect-sessions 1 --calls 4 --timeout 40 \
	--packets 20 --gre-interval 100
sim_connect stock client1 "$server_ip4" --role pns --calls 1 --packets 20 --gre-interval 100 \
	--gre-after-peer --timeout 40
sim_connect ng client2 "$ng_server" --role pns --calls 4 --packets 20 --gre-interval 100 \
	--timeout 40
sleep 2
ctl=$(n_fw conntrack -L -p tcp --dport 1723 2>/dev/null)
printf '%s\n' "$ctl"
grep "dst=$server_ip4 " <<<"$ctl" | grep -q "helper=pptp " || fail "no control connection on the stock helper"
grep "dst=$ng_server " <<<"$ctl" | grep -q "helper=pptp-ng " || fail "no control connection on pptp-ng"
sim_wait_status
sims_passed stockpac ngpac stock ng
expect_gre stock 20
expect_gre ng 80
[ "$(fw_counter calls_up)" = 4 ] || fail "pptp-ng did not bring its 4 calls up"
pretty done "the stock helper (1 call) and pptp-ng (4 calls) side by side, both working"
