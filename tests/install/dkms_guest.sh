#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
#
# DKMS_KO_DIR=DIR tests/install/dkms_guest.sh [KVER...]
#
# The second half of "tested on a clean system" (issue 17, section 3),
# run by tests/install/chroot.test at its end: the modules DKMS built from
# the pptp-ng-dkms package in chroot.test's fresh Debian 12, which it
# copied to DKMS_KO_DIR (one directory a kernel release), each loaded in
# a QEMU guest booting that very kernel (tests/vm/guest.sh --module,
# VM_KVER=KVER), one guest at a time.  The file must be DKMS's build (its
# strings name DKMS's build directory, /var/lib/dkms/pptp-ng/VERSION/
# build, where the tree's build names this checkout), at version.h's
# version; the module loaded in the guest must be that file (its GNU
# build ID in /sys/module/MODULE/notes, which no other build shares), and
# carry the real-client scenario (tests/kernel/scenarios/02-real-clients.sh:
# three pptp-linux clients behind one NAT, pptpd outside, every PPP frame
# echoed byte-exact) as the module face.  By default every KVER in
# DKMS_KO_DIR: Debian 12's 6.1 cloud kernel and its newest 6.12 cloud
# kernel.  This machine must have those kernels installed (scripts/deps.sh
# vm installs the newest of each, from the same mirror as the chroot).
#
# To keep the modules and boot them again by hand:
#
#   DKMS_KO_DIR=build/dkms tests/install/chroot.test
#   DKMS_KO_DIR=build/dkms tests/install/dkms_guest.sh
#
# Exits 0 when every kernel passed, 1 when one failed or could not run
# (guest.sh's status is printed: 77 no qemu or kernel, 120 a kernel
# report, 122 the module did not load, ...): chroot.test runs this in
# `make test`, where a guest that cannot boot is a failure, not a skip.

[ -z "${DKMS_KO_DIR:-}" ] || DKMS_KO_DIR=$(realpath -m "$DKMS_KO_DIR")
cd "$(dirname "$0")/../.."
# shellcheck source=tests/vm/kernels.sh
source tests/vm/kernels.sh
pretty() { printf '\e[1;36m[%s]\e[0m %s\n' "$1" "$2" >&2; }
die() { printf '\e[1;31mFAIL:\e[0m %s\n' "$*" >&2; exit 1; }
set -e

[ -n "${DKMS_KO_DIR:-}" ] || die "DKMS_KO_DIR: where tests/install/chroot.test put the modules (see the top of $0)"
module=nf_conntrack_pptp_ng
ko_dir=$DKMS_KO_DIR
version=$(sed -n 's/^#define PPTP_NG_VERSION "\(.*\)"$/\1/p' include/pptp_ng/version.h)
if [ $# = 0 ]; then
	for d in "$ko_dir"/*/; do
		[ -d "$d" ] && set -- "$@" "$(basename "$d")"
	done
fi
[ $# -gt 0 ] || die "no modules in $ko_dir: run DKMS_KO_DIR=$ko_dir tests/install/chroot.test first"
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
	# DKMS builds in its own tree; the tree's build would name this checkout.
	grep -qaF "/var/lib/dkms/pptp-ng/$version/build/" "$ko" ||
		die "$ko_dir/$k: not built by DKMS (no /var/lib/dkms/pptp-ng/$version/build/ in it)"
	id=$(readelf -n "$ko" | sed -n 's/^ *Build ID: *//p')
	[[ $id =~ ^[0-9a-f]{40}$ ]] || die "$ko_dir/$k: no GNU build ID ('$id')"
	pretty "$k" "DKMS's $module $version (build ID $id) in a guest, 02-real-clients"
	r=0
	# In the guest: the module loaded is this file (the build ID ends the
	# note sysfs shows), at the package's version; then the scenario with
	# the module face (run.sh keeps it loaded).
	VM_KVER=$k tests/vm/guest.sh --module "$ko" --timeout 600 -- bash -c '
		m=/sys/module/'"$module"'
		note=$(od -An -v -tx1 $m/notes/.note.gnu.build-id | tr -d " \n")
		v=$(cat $m/version)
		[ "$v" = "$1" ] && [[ $note == *"$2" ]] ||
			{ echo "FAIL: the loaded module is $v, build ID note $note; DKMS built $1, $2"; exit 1; }
		echo "loaded: '"$module"' $v, build ID $2"
		exec tests/kernel/scenarios/run.sh 02-real-clients pptp-ng' - "$version" "$id" || r=$?
	[ "$r" = 0 ] || rc=1
	results+=("$k: $([ "$r" = 0 ] && echo pass || echo "fail($r)")")
done
for r in "${results[@]}"; do echo "RESULT dkms $r"; done
exit $rc
