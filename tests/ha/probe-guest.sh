#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
#
# tests/ha/probe-guest.sh [FACE...]: tests/ha/probe.sh in ONE QEMU guest
# (tests/vm/guest.sh, Debian 12's cloud kernel), once per FACE (default:
# stock module cthelper): the kernel's stock helper, the
# nf_conntrack_pptp_ng module, pptp-ngd --backend cthelper.  The guest
# keeps no files, so each run prints its dumps (PROBE_PRINT=1).  Needs
# conntrackd installed on this host (the guest gets this host's programs).
cd "$(dirname "$0")/../.." || exit 1
source tests/kernel/lib.sh
command -v conntrackd >/dev/null || kmod_skip "conntrackd not installed"
make -s build/pptp-ngd build/tests/pptp-sim build/tests/ha-ctdump build/tests/ha-libexp >/dev/null ||
	{ echo "FAIL: build" >&2; exit 1; }
kmod_build
[ $# -gt 0 ] || set -- stock module cthelper
# The module and the daemon both register "pptp-ng": the module goes
# before the daemon's turn (the stock helper is built into nothing: it is
# a module here, loaded on demand).
exec tests/vm/guest.sh --module kernel/nf_conntrack_pptp_ng.ko --mem 1024 --timeout "${VM_TIMEOUT:-1500}" -- \
	env PROBE_PAUSE="${PROBE_PAUSE:-150}" \
	bash -c '
	rc=0
	modprobe nf_conntrack_pptp; modprobe nf_nat_pptp
	for m in nfnetlink_cthelper nfnetlink_queue nfnetlink_cttimeout nf_conntrack_netlink nf_nat nft_ct; do
		modprobe $m
	done
	for face in "$@"; do
		if [ "$face" = cthelper ]; then
			for t in $(seq 100); do
				grep -q "^nf_conntrack_pptp_ng " /proc/modules || break
				rmmod nf_conntrack_pptp_ng 2>/dev/null && break
				sleep 0.1
			done
		fi
		echo "=== HA_FACE=$face"
		HA_FACE=$face PROBE_PRINT=1 PROBE_PAUSE=${PROBE_PAUSE:-150} tests/ha/probe.sh
		r=$?
		echo "=== HA_FACE=$face: exit $r"
		[ "$r" = 0 ] || rc=1
	done
	exit $rc' probe "$@"
