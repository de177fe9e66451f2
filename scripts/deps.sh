#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
#
# deps.sh GROUP...: make sure the Debian packages a build or test group
# needs are installed.  As root it installs what is missing with apt-get;
# otherwise it names the packages and the command to install them.
#
# A name with a * is a pattern for packages whose names carry a version
# (kernels from bookworm-security and backports): any installed match
# will do, and when none is, the newest name apt-cache knows is installed.

set -e
# The patterns below must reach apt and dpkg as they are.
set -f

pkgs_build="gcc make pkg-config libcmocka-dev clang libclang-rt-14-dev cppcheck libmnl-dev libnetfilter-queue-dev libnetfilter-conntrack-dev libnftnl-dev libpcap-dev libnetfilter-cthelper-dev libnetfilter-cttimeout-dev"
# mmdebstrap: the fresh Debian 12 of tests/install/chroot.test (make test-install).
pkgs_test="nftables iproute2 iputils-ping pptp-linux pptpd conntrack conntrackd keepalived tcpdump tshark python3 valgrind time systemd debhelper dh-dkms dkms openssl lintian dpkg-dev git mmdebstrap"
# tests/vm/guest.sh: a QEMU guest on Debian 12's cloud kernel (6.1) and on
# the 6.12 cloud kernel (tests/kernel/faces_612.test), with headers to
# build the module; its initramfs takes the test group's programs from
# this host.
pkgs_vm="qemu-system-x86 linux-image-cloud-amd64 linux-headers-cloud-amd64
	linux-image-6.12.*+deb12-cloud-amd64-unsigned
	linux-headers-6.12.*+deb12-cloud-amd64
	busybox-static cpio xz-utils kmod procps psmisc util-linux mount $pkgs_test"
# make test-kernels: the PREEMPT_RT kernel too.
pkgs_kernels="$pkgs_vm linux-image-6.12.*+deb12-rt-amd64-unsigned
	linux-headers-6.12.*+deb12-rt-amd64"
# tests/vm/debug-kernel.sh: a guest kernel built from Debian's source.
pkgs_kbuild="linux-source-6.12 gcc make flex bison bc libelf-dev libssl-dev
	xz-utils cpio kmod"

# installed NAME: NAME, or a package matching the pattern NAME, is installed.
installed() {
	dpkg-query -W -f='${Status}\n' "$1" 2>/dev/null | grep -q 'ok installed'
}

# newest PATTERN: the newest package name apt knows that matches PATTERN.
newest() {
	re=$(printf '%s' "$1" | sed 's/[.+]/\\&/g; s/\*/.*/g')
	apt-cache pkgnames "${1%%\**}" | grep -xE "$re" | sort -V | tail -n 1
}

want=""
for group in "$@"; do
	eval "want=\"\$want \$pkgs_$group\""
done

missing=""
for p in $want; do
	installed "$p" || missing="$missing $p"
done
[ -z "$missing" ] && exit 0

if [ "$(id -u)" != 0 ]; then
	echo "pptp-ng needs these Debian packages:$missing" >&2
	echo "install them with: sudo apt-get install$missing" >&2
	echo "(for a name with a *, the newest version: apt-cache pkgnames lists them)" >&2
	exit 1
fi
export DEBIAN_FRONTEND=noninteractive
# The package lists may be missing or stale on a fresh machine.
apt-get update -qq >/dev/null || apt-get update
names=""
for p in $missing; do
	case $p in
	*\**)
		n=$(newest "$p")
		[ -n "$n" ] || { echo "deps: no package matches $p" >&2; exit 1; }
		names="$names $n" ;;
	*) names="$names $p" ;;
	esac
done
echo "deps: installing$names" >&2
# shellcheck disable=SC2086
apt-get install -y -qq --no-install-recommends $names >/dev/null
