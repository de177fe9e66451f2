# SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
# shellcheck shell=bash disable=SC2034
#
# Which kernel a guest boots, and what goes with it; sourced by
# tests/vm/guest.sh and tests/kernel/lib.sh so the module is always built
# for the kernel the guest boots.
#
# VM_KVER chooses, explicitly:
#
#   (unset)            Debian 12's own cloud kernel: the one the
#                      linux-image-cloud-amd64 metapackage depends on
#                      (6.1 on bookworm), else the newest installed
#                      6.1.0-N-cloud-amd64.  Never just "the newest": a
#                      backports or security 6.12 installed beside it
#                      must not change what `make test` runs on.
#   6.12-cloud         the newest installed 6.12.*-cloud-amd64 (any
#   6.12-rt            MAJOR.MINOR-FLAVOUR works, flavour cloud or rt)
#   debug              the debug kernel tests/vm/debug-kernel.sh builds
#   RELEASE            exactly that release, e.g. 6.12.117+deb12-rt-amd64
#
# VM_KERNEL_DIR=DIR boots a kernel laid out like debug-kernel.sh's cache
# (DIR/bzImage, DIR/kver, DIR/lib/modules/KVER, DIR/headers) and wins
# over VM_KVER.
#
# vm_find_kernel sets, and leaves vm_kver empty when nothing fits:
#   vm_kver     the release
#   vm_kernel   the image to boot
#   vm_moddir   its modules (with modules.dep)
#   vm_kdir     its headers, to build external modules against
#   vm_kconfig  its .config
#   vm_kwhat    what was asked for, for messages

# vm_debian_cloud_kver: the release Debian 12's cloud metapackage points at.
vm_debian_cloud_kver() {
	local k dep
	dep=$(dpkg-query -W -f='${Depends}' linux-image-cloud-amd64 2>/dev/null |
		grep -o 'linux-image-[^ ,]*-cloud-amd64' | head -n 1)
	if [ -n "$dep" ]; then
		echo "${dep#linux-image-}"
		return
	fi
	# No metapackage: Debian 12's own ABI names are 6.1.0-N-cloud-amd64.
	for k in /boot/vmlinuz-6.1.0-*-cloud-amd64; do
		[ -e "$k" ] && echo "${k#/boot/vmlinuz-}"
	done | sort -V | tail -n 1
}

# vm_newest_kver MAJOR.MINOR FLAVOUR: the newest installed release of that
# series and flavour, with its modules.
vm_newest_kver() {
	local k
	for k in /boot/vmlinuz-"$1".*-"$2"-amd64; do
		k=${k#/boot/vmlinuz-}
		[ -e "/lib/modules/$k/modules.dep" ] && echo "$k"
	done | sort -V | tail -n 1
}

# vm_use_dir DIR: a kernel laid out like the debug kernel's cache.
vm_use_dir() {
	[ -s "$1/kver" ] || return 0
	vm_kver=$(cat "$1/kver")
	vm_kernel=$1/bzImage
	vm_moddir=$1/lib/modules/$vm_kver
	vm_kdir=$1/headers
	vm_kconfig=$1/config
}

vm_find_kernel() {
	local spec=${VM_KVER:-} dir
	vm_kver='' vm_kernel='' vm_moddir='' vm_kdir='' vm_kconfig=''
	vm_kwhat=${spec:-Debian 12\'s cloud kernel}
	if [ -n "${VM_KERNEL_DIR:-}" ]; then
		vm_kwhat="the kernel in $VM_KERNEL_DIR"
		vm_use_dir "$VM_KERNEL_DIR"
		return 0
	fi
	case $spec in
	"") vm_kver=$(vm_debian_cloud_kver) ;;
	debug)
		vm_kwhat="the debug kernel (tests/vm/debug-kernel.sh)"
		dir=$("$(dirname "${BASH_SOURCE[0]}")/debug-kernel.sh" --dir 2>/dev/null) &&
			vm_use_dir "$dir"
		return 0 ;;
	[0-9]*.[0-9]*-cloud|[0-9]*.[0-9]*-rt)
		vm_kver=$(vm_newest_kver "${spec%-*}" "${spec##*-}") ;;
	*) vm_kver=$spec ;;
	esac
	[ -n "$vm_kver" ] || return 0
	vm_kernel=/boot/vmlinuz-$vm_kver
	vm_moddir=/lib/modules/$vm_kver
	vm_kdir=/usr/src/linux-headers-$vm_kver
	[ -d "$vm_kdir" ] || vm_kdir=$vm_moddir/build
	vm_kconfig=/boot/config-$vm_kver
}

# vm_kconfig_has SYMBOL: the guest kernel was built with CONFIG_SYMBOL=y.
vm_kconfig_has() { grep -q "^CONFIG_$1=y" "$vm_kconfig" 2>/dev/null; }
