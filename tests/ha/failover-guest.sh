#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
#
# tests/ha/failover-guest.sh [FACE]: tests/ha/failover.sh in ONE QEMU
# guest (tests/vm/guest.sh, Debian 12's cloud kernel, where
# nfnetlink_cthelper and the stock helper are modules), with HA_FACE=FACE:
# cthelper (the default) or module (nf_conntrack_pptp_ng built for the
# guest and loaded with failover=1; MODULE_FAILOVER=0 loads it without,
# and the run checks that the calls are lost).  The guest gets this host's conntrackd and keepalived
# (scripts/deps.sh test installs them).  FAILOVER_PRINT=1 prints the logs
# of a run that passed too; FAILOVER_REBOOT=1 empties fwA's table before
# the failback (a rebooted firewall; by default it keeps the one it had).
cd "$(dirname "$0")/../.." || exit 1
source tests/kernel/lib.sh
for c in conntrackd keepalived; do
	command -v "$c" >/dev/null || { echo "FAIL: $c not installed (scripts/deps.sh ha)" >&2; exit 1; }
done
make -s build/pptp-ngd build/tests/pptp-sim build/tests/pptp-echo build/tests/fake-pppd \
	build/tests/pptp-attack build/tests/ha-ctdump >/dev/null ||
	{ echo "FAIL: build" >&2; exit 1; }
face=${1:-cthelper}
modules=()
if [ "$face" = module ]; then
	kmod_build
	modules=(--module "kernel/nf_conntrack_pptp_ng.ko:failover=${MODULE_FAILOVER:-1}")
fi
exec tests/vm/guest.sh "${modules[@]}" --mem 1024 --timeout "${VM_TIMEOUT:-900}" -- \
	env FAILOVER_PRINT="$FAILOVER_PRINT" FAILOVER_REBOOT="$FAILOVER_REBOOT" HA_FACE="$face" bash -c '
	for m in nf_conntrack_pptp nf_nat_pptp nfnetlink_cthelper nfnetlink_queue \
		nfnetlink_cttimeout nf_conntrack_netlink nf_nat nft_ct nft_nat nft_masq; do
		modprobe $m || { echo "guest: module $m missing"; exit 1; }
	done
	tests/ha/failover.sh'
