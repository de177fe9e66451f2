#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
#
# Host side of the kernel module tests: build nf_conntrack_pptp_ng for the
# guest's kernel (tests/vm/guest.sh then boots it with the module).
#
#   kmod_kver     the guest kernel's version
#   kmod_build    the module for it, W=1
#
# Exits 77 (SKIP) when there is no guest kernel or headers to build for.

cd "$(dirname "$0")/../.."

# The guest boots the newest cloud kernel with modules, as guest.sh does.
kmod_kver() {
	local k v=$VM_KVER
	if [ -z "$v" ]; then
		for k in $(ls /boot/vmlinuz-*-cloud-amd64 2>/dev/null | sort -V); do
			k=${k#/boot/vmlinuz-}
			[ -e "/lib/modules/$k/modules.dep" ] && v=$k
		done
	fi
	echo "$v"
}

kmod_build() {
	local kver kdir
	kver=$(kmod_kver)
	[ -n "$kver" ] || { echo "SKIP: no cloud kernel with modules for the guest" >&2; exit 77; }
	kdir=/usr/src/linux-headers-$kver
	[ -d "$kdir" ] || kdir=/lib/modules/$kver/build
	[ -d "$kdir" ] || { echo "SKIP: no kernel headers for $kver" >&2; exit 77; }
	# One build at a time: suites may run side by side.
	flock kernel/.build.lock make -s -C kernel KDIR="$kdir" W=1 >/dev/null ||
		{ echo "FAIL: module build" >&2; exit 1; }
}
