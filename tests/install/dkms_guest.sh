#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
#
# tests/install/dkms_guest.sh [KVER...]
#
# The second half of "tested on a clean system" (issue 17, section 3): the
# modules DKMS built from the pptp-ng-dkms package in tests/install/
# chroot.test's fresh Debian 12, which it copied to DKMS_KO_DIR (default
# build/dkms, one directory a kernel release), each loaded in a QEMU guest
# booting that very kernel (tests/vm/guest.sh --module, VM_KVER=KVER): the
# loaded module must be that file, at version.h's version, and carry the
# real-client scenario (tests/kernel/scenarios/02-real-clients.sh: three
# pptp-linux clients behind one NAT, pptpd outside, every PPP frame
# echoed byte-exact) as the module face.  By default every KVER in
# DKMS_KO_DIR: Debian 12's 6.1 cloud kernel and its newest 6.12 cloud
# kernel.  This machine must have those kernels installed (scripts/deps.sh
# vm installs the newest of each, from the same mirror as the chroot).
#
#   DKMS_KO_DIR=DIR tests/install/chroot.test && DKMS_KO_DIR=DIR tests/install/dkms_guest.sh
#
# Exits 0 when every kernel passed, 1 when one failed (guest.sh's status
# is printed: 77 no qemu or kernel, 120 a kernel report, 122 the module
# did not load, ...).

[ -z "${DKMS_KO_DIR:-}" ] || DKMS_KO_DIR=$(realpath -m "$DKMS_KO_DIR")
cd "$(dirname "$0")/../.."
# shellcheck source=tests/vm/kernels.sh
source tests/vm/kernels.sh
pretty() { printf '\e[1;36m[%s]\e[0m %s\n' "$1" "$2" >&2; }
die() { printf '\e[1;31mFAIL:\e[0m %s\n' "$*" >&2; exit 1; }
set -e

module=nf_conntrack_pptp_ng
ko_dir=${DKMS_KO_DIR:-$PWD/build/dkms}
version=$(sed -n 's/^#define PPTP_NG_VERSION "\(.*\)"$/\1/p' include/pptp_ng/version.h)
if [ $# = 0 ]; then
	for d in "$ko_dir"/*/; do
		[ -d "$d" ] && set -- "$@" "$(basename "$d")"
	done
fi
[ $# -gt 0 ] || die "no modules in $ko_dir: run tests/install/chroot.test first (make test-install)"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
# The scenario's peers and tools, in the guest's copy of build/.
make -s all >/dev/null || die "make all"

rc=0 results=()
for k in "$@"; do
	ko=$(find "$ko_dir/$k" -maxdepth 1 \( -name "$module.ko" -o -name "$module.ko.xz" \) | head -n 1)
	[ -n "$ko" ] || die "no $module.ko in $ko_dir/$k"
	# guest.sh takes a plain .ko (busybox cannot load a compressed one)
	mkdir -p "$tmp/$k"
	case $ko in
	*.xz) xz -dc "$ko" >"$tmp/$k/$module.ko" ;;
	*) cp "$ko" "$tmp/$k/$module.ko" ;;
	esac
	ko=$tmp/$k/$module.ko
	modinfo -F vermagic "$ko" | grep -q "^$k " || die "$ko_dir/$k: the module is not built for $k"
	[ "$(modinfo -F version "$ko")" = "$version" ] || die "$ko_dir/$k: version $(modinfo -F version "$ko"), version.h's is $version"
	VM_KVER=$k vm_find_kernel
	[ -r "$vm_kernel" ] && [ -e "$vm_moddir/modules.dep" ] ||
		die "$k is not installed here: the chroot's mirror has a newer kernel than this machine (apt-get upgrade, scripts/deps.sh vm)"
	src=$(modinfo -F srcversion "$ko")
	pretty "$k" "DKMS's $module $version (srcversion $src) in a guest, 02-real-clients"
	r=0
	# In the guest: the module loaded is DKMS's (version and srcversion),
	# then the scenario with the module face (run.sh keeps it loaded).
	VM_KVER=$k tests/vm/guest.sh --module "$ko" --timeout 600 -- bash -c '
		m=/sys/module/'"$module"'
		[ "$(cat $m/version)" = "$1" ] && [ "$(cat $m/srcversion)" = "$2" ] ||
			{ echo "FAIL: the loaded module is $(cat $m/version 2>&1) $(cat $m/srcversion 2>&1), not DKMS'"'"'s $1 $2"; exit 1; }
		echo "loaded: '"$module"' $1, srcversion $2"
		exec tests/kernel/scenarios/run.sh 02-real-clients pptp-ng' - "$version" "$src" || r=$?
	[ "$r" = 0 ] || rc=1
	results+=("$k: $([ "$r" = 0 ] && echo pass || echo "fail($r)")")
done
for r in "${results[@]}"; do echo "RESULT dkms $r"; done
exit $rc
