#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
#
# Calls set up one after another through an expectation table of 8:
#
#   client1 pptp-sim PNS ── fw (masquerade, HELPER) ── server pptp-sim PAC
#   24 control connections, 1 call each, one every 300 ms, all held up
#
# The kernel's expectation table is small by default (nf_conntrack_expect_max
# is 120 in a 1 GB box) and shared by every helper.  A call needs room in
# it only while it comes up: its first GRE packet consumes one of its
# expectations, and the helper removes the other.  On kernels whose
# expectations expire by garbage collection (Debian's 6.1.1xx and
# 6.12.1xx), nf_ct_unexpect_related() only marks one dead, and a dead one
# counts against the table until the conntrack gc next visits its master,
# up to a minute later: 8 calls would fill it, and the rest get no GRE.
# The module removes them at once (kernel/compat.h: pptp_ng_unexpect); the
# stock helper does not.  The daemon keeps two expectations a call for the
# call's life (docs/userspace.md), so 24 held calls do not fit in 8.

cd "$(dirname "$0")/../../.."
source tests/kernel/scenarios/lib.sh

[ "$helper" != pptp-ngd ] ||
	{ echo "SKIP: pptp-ngd holds two expectations a call while it lives: 24 held calls need 48" >&2; exit 77; }

sessions=24
table=8
topology 1
fw_ruleset
# A global sysctl (the init netns's): put it back whatever happens.
table0=$(sysctl -n net.netfilter.nf_conntrack_expect_max)
trap 'sysctl -qw net.netfilter.nf_conntrack_expect_max=$table0; face_stop $?; cleanup; rm -rf "$out"' EXIT
sysctl -qw net.netfilter.nf_conntrack_expect_max=$table

sim_listen pac server "$server_ip4" --role pac --expect-sessions $sessions --calls 1 \
	--packets 2 --gre-after-peer --timeout 60
sim_connect pns client1 "$server_ip4" --role pns --sessions $sessions --calls 1 \
	--packets 2 --gre-after-peer --interval 300 --hold --timeout 60
sim_held client1
pretty fw "$sessions calls held up, expectation table of $table"
live=$(n_fw conntrack -L -p gre 2>/dev/null | wc -l)
echo "GRE conntracks: $live"
if ng_face; then
	# what the table holds, dead or alive: the dump leaves dead ones out
	[ "$(fw_counter expectations_live)" = 0 ] ||
		fail "$(fw_counter expectations_live) expectations still count against the table"
fi
sim_release
sim_wait_status
bad=0
for name in pac pns; do
	[ "${sim_rc[$name]}" = 0 ] && continue
	echo "--- $name exited ${sim_rc[$name]}:" >&2
	tail -5 "$out/$name.err" >&2
	bad=1
done
fw_show
dmesg | grep -c 'expectation table full' >&2 || true
[ "$bad" = 0 ] || die "calls lost: the expectation table was full"
if ng_face; then
	[ "$(fw_counter calls_up)" = $sessions ] || die "calls_up is not $sessions"
	[ "$(fw_counter expect_failed)" = 0 ] || die "expectations refused: $(fw_counter expect_failed)"
fi
pretty done "$sessions calls through an expectation table of $table ($helper)"
