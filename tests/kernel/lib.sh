#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
#
# Host side of the kernel module tests: build nf_conntrack_pptp_ng for the
# guest's kernel (tests/vm/guest.sh then boots it with the module).  The
# kernel is the one guest.sh boots: both ask tests/vm/kernels.sh, so
# VM_KVER (unset: Debian 12's cloud kernel; 6.12-cloud, 6.12-rt, debug or
# a release) chooses for both.
#
#   kmod_kver     the guest kernel's release
#   kmod_build    the module for it, W=1, into kernel/
#   kmod_skip MSG exit 77, or fail under CI=true (CI installs the kernels)
#
# Exits 77 (SKIP) when there is no guest kernel or headers to build for.

cd "$(dirname "$0")/../.." || exit 1
source tests/vm/kernels.sh

kmod_skip() {
	if [ "${CI:-}" = true ]; then
		echo "FAIL: CI=true, yet $*" >&2
		exit 1
	fi
	echo "SKIP: $*" >&2
	exit 77
}

kmod_kver() {
	vm_find_kernel
	echo "$vm_kver"
}

kmod_build() {
	vm_find_kernel
	[ -n "$vm_kver" ] || kmod_skip "no guest kernel installed: $vm_kwhat"
	[ -d "$vm_kdir" ] || kmod_skip "no kernel headers for $vm_kver"
	# One build at a time: suites may run side by side.
	flock kernel/.build.lock make -s -C kernel KDIR="$vm_kdir" W=1 >/dev/null ||
		{ echo "FAIL: module build for $vm_kver" >&2; exit 1; }
}
