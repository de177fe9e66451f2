#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
#
# tests/vm/debug-kernel.sh [--dir | --build]
#
# A small guest kernel with the bug detectors on (KASAN, kmemleak,
# lockdep, PROVE_RCU, DEBUG_ATOMIC_SLEEP, DEBUG_LIST, UBSAN), built from
# Debian's linux-source-6.12 once and cached outside the repository:
#
#   $VM_DEBUG_CACHE/KEY/     (default /var/cache/pptp-ng/debug-kernel)
#       bzImage              the kernel guest.sh boots
#       config               its .config
#       kver                 its release, e.g. 6.12.117-pptpng-debug
#       lib/modules/KVER/    modules.dep, modules.builtin... (no modules:
#                            netfilter is built in, see debug-kernel.config)
#       headers/             enough to build an external module (KDIR=)
#
# KEY is the source package's version and a hash of the config fragment
# (tests/vm/debug-kernel.config) and of this recipe, so a new Debian
# source or a changed config builds anew and everything else reuses.
#
#   (no option)  build when missing (about 20 minutes on two cores, at
#                nice 10), then print the cached directory
#   --dir        print the directory when it is built, else exit 1
#   --build      same as no option
#
# Exit status: 0, 1 when the build failed (its log is kept in
# $VM_DEBUG_CACHE/KEY.log), 77 when the tools or the source are missing and
# cannot be installed here.

set -e

top=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
frag=$top/tests/vm/debug-kernel.config
cache=${VM_DEBUG_CACHE:-/var/cache/pptp-ng/debug-kernel}
src_pkg=linux-source-6.12
tarball=/usr/src/$src_pkg.tar.xz
# Bumped whenever the steps below change what comes out.
recipe=1

say() { echo "debug-kernel: $*" >&2; }
skip() { say "SKIP: $*"; exit 77; }

src_version() { dpkg-query -W -f='${Version}' "$src_pkg" 2>/dev/null; }

# key: the source version and a hash of what shapes the build.
key() {
	local v
	v=$(src_version)
	[ -n "$v" ] || return 1
	printf '%s-%s\n' "${v//[^A-Za-z0-9.+]/_}" \
		"$( { echo "$recipe"; cat "$frag"; } | sha256sum | cut -c1-12)"
}

built() { [ -s "$1/bzImage" ] && [ -s "$1/kver" ] && [ -e "$1/ok" ]; }

# want_config CONFIG: every line of the fragment holds in CONFIG.
want_config() {
	local line sym bad=0
	while IFS= read -r line; do
		case $line in
		CONFIG_*=*) grep -qxF "$line" "$1" && continue ;;
		"# CONFIG_"*" is not set")
			sym=${line#\# }
			sym=${sym%% *}
			! grep -q "^$sym=" "$1" && continue ;;
		*) continue ;;
		esac
		say "config: wanted '$line', got '$(grep -E "^(# )?${line#\# }" "$1" | head -n 1)'"
		bad=1
	done <"$frag"
	return $bad
}

# build DIR: configure, build and install into DIR (a staging directory
# that the caller renames into place).
build() {
	local out=$1 tree=$1/src jobs kver
	jobs=$(nproc)
	mkdir -p "$tree"
	say "unpacking $tarball"
	tar -xf "$tarball" -C "$tree" --strip-components=1
	cd "$tree"
	# tinyconfig alone is 32-bit on an x86_64 host (ARCH defaults to
	# x86, where 64BIT is a question allnoconfig answers no).
	mk() { nice -n 10 make -s ARCH=x86_64 "$@"; }
	mk tinyconfig >/dev/null
	scripts/kconfig/merge_config.sh -m -O . .config "$frag" >/dev/null
	mk olddefconfig >/dev/null
	want_config .config || { say "the config fragment does not hold (above)"; return 1; }
	say "building with -j$jobs at nice 10"
	mk -j"$jobs" bzImage modules
	kver=$(cat include/config/kernel.release)
	mk INSTALL_MOD_PATH="$out" INSTALL_MOD_STRIP=1 modules_install >/dev/null
	# install-extmod-build copies what an external module build needs
	# (about 64 MB) from an in-tree build.
	srctree=. SRCARCH=x86 CC=gcc HOSTCC=gcc MAKE=make \
		sh scripts/package/install-extmod-build "$out/headers"
	cp arch/x86/boot/bzImage "$out/bzImage"
	cp .config "$out/config"
	cp System.map "$out/System.map"
	echo "$kver" >"$out/kver"
	# Where modules_install points, so `modprobe` and depmod agree.
	rm -f "$out/lib/modules/$kver/build"
	ln -s ../../../headers "$out/lib/modules/$kver/build"
	cd /
	rm -rf "$tree"
	touch "$out/ok"
}

mode=build
case $1 in
--dir) mode=dir ;;
--build|"") ;;
-h|--help) sed -n '4,/^$/s/^# \{0,1\}//p' "${BASH_SOURCE[0]}"; exit 0 ;;
*) echo "usage: $0 [--dir | --build]" >&2; exit 2 ;;
esac

if [ ! -r "$tarball" ] && [ "$mode" = build ] && [ "$(id -u)" = 0 ]; then
	"$top/scripts/deps.sh" kbuild >&2 || true
fi
k=$(key) || skip "$src_pkg is not installed"
dir=$cache/$k
if built "$dir"; then
	echo "$dir"
	exit 0
fi
[ "$mode" = build ] || exit 1

[ -r "$tarball" ] || skip "no $tarball (apt-get install $src_pkg)"
"$top/scripts/deps.sh" kbuild >&2 || skip "the kernel build tools are missing"
mkdir -p "$cache"
# One build at a time; whoever waited finds it done.
exec 9>"$cache/.lock"
flock 9
if ! built "$dir"; then
	stage=$cache/$k.tmp
	rm -rf "$stage"
	say "building the debug kernel into $dir (log: $cache/$k.log)"
	# In the background, not under `if`, where bash ignores set -e.
	(build "$stage") >"$cache/$k.log" 2>&1 &
	rc=0
	wait $! || rc=$?
	if [ "$rc" != 0 ]; then
		tail -n 30 "$cache/$k.log" >&2
		say "FAIL: the build failed, log in $cache/$k.log"
		exit 1
	fi
	rm -rf "$dir"
	mv "$stage" "$dir"
	# Older keys: a new source or config replaces them.
	for old in "$cache"/*/; do
		[ "${old%/}" = "$dir" ] || rm -rf "$old"
	done
	say "done: $dir"
fi
echo "$dir"
