#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
#
# deps.sh GROUP...: make sure the Debian packages a build or test group
# needs are installed.  As root it installs what is missing with apt-get;
# otherwise it names the packages and the command to install them.

set -e

pkgs_build="gcc make pkg-config libcmocka-dev clang libclang-rt-14-dev cppcheck libmnl-dev libnetfilter-queue-dev libnetfilter-conntrack-dev libnftnl-dev libpcap-dev libnetfilter-cthelper-dev libnetfilter-cttimeout-dev"
pkgs_test="nftables iproute2 iputils-ping pptp-linux pptpd conntrack tcpdump tshark python3 valgrind time"
# tests/vm/guest.sh: a QEMU guest on the cloud kernel; its initramfs takes
# the test group's programs from this host.
pkgs_vm="qemu-system-x86 linux-image-cloud-amd64 linux-headers-cloud-amd64
	busybox-static cpio kmod procps psmisc util-linux mount $pkgs_test"

want=""
for group in "$@"; do
	eval "want=\"\$want \$pkgs_$group\""
done

missing=""
for p in $want; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'ok installed' ||
		missing="$missing $p"
done
[ -z "$missing" ] && exit 0

if [ "$(id -u)" != 0 ]; then
	echo "pptp-ng needs these Debian packages:$missing" >&2
	echo "install them with: sudo apt-get install$missing" >&2
	exit 1
fi
echo "deps: installing$missing" >&2
export DEBIAN_FRONTEND=noninteractive
# The package lists may be missing or stale on a fresh machine.
apt-get update -qq >/dev/null || apt-get update
# shellcheck disable=SC2086
apt-get install -y -qq --no-install-recommends $missing >/dev/null
