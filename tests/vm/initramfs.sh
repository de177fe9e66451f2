# SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
# shellcheck shell=bash
#
# The guest's initramfs, sourced by tests/vm/guest.sh.  It comes in three
# newc cpio layers that the kernel unpacks one after the other (it accepts
# concatenated archives):
#
#   sys-KVER-KEY.cpio
#                   the userland (this host's Debian binaries, their shared
#                   libraries, busybox for the rest), /etc bits, the guest
#                   kernel's network modules (decompressed: busybox
#                   cannot load a .ko.xz) with a modules.dep, /init;
#                   KEY covers dpkg's status, the kernel and these
#                   scripts; one per kernel, so runs on different kernels
#                   do not rebuild each other's
#   proj-KEY.cpio   the project tree under /pptp-ng at the same relative
#                   layout: tests/ scripts/ nft/ include/ build/ (less
#                   build/vm and build/fuzz); KEY covers every file's size
#                   and mtime
#   run.cpio        made for each run by guest.sh: /vm/conf, /vm/args and
#                   the --module files
#
# Both cached layers live in build/vm/ and are rebuilt when their key
# changes, under a lock so concurrent runs share them.
#
# guest.sh sets vm_dir, vm_top, vm_cache, vm_kver, vm_moddir and
# vm_busybox.
# shellcheck disable=SC2154

# The modules the guest gets (with what they depend on): every module
# under these directories of the kernel's tree, and these single ones,
# whatever their compression (.ko on 6.1, .ko.xz on 6.12).  A kernel that
# builds one in (6.12's nft_objref, the debug kernel's netfilter) lists it
# in modules.builtin, which modprobe reads.  crc32c: libcrc32c (nf_nat,
# nf_tables) loads it first (a softdep), and the RT kernel has it as a
# module where the cloud kernels build it in.
vm_module_dirs="kernel/net/netfilter kernel/net/ipv4 kernel/net/ipv6
	kernel/net/bridge kernel/net/sched kernel/net/802 kernel/net/llc"
vm_module_names="veth dummy tun macvlan crc32c_generic crc32c-intel"

# Packages whose programs the guest gets; the second list only if installed.
vm_pkgs="bash coreutils procps grep sed mawk findutils kmod iproute2
	nftables conntrack tcpdump pptp-linux pptpd iputils-ping util-linux
	mount psmisc libc-bin"
vm_pkgs_optional="strace ethtool conntrackd keepalived"

# The project directories the guest sees under /pptp-ng.
vm_proj_dirs="tests scripts nft include build"

# stage_file ROOT PATH: copy PATH into ROOT at the same place, keeping
# symlinks as symlinks (and bringing their targets along).
stage_file() {
	local root=$1 p=$2 t
	[ -e "$root$p" ] || [ -L "$root$p" ] && return 0
	mkdir -p "$root${p%/*}"
	if [ -L "$p" ]; then
		t=$(readlink "$p")
		ln -s "$t" "$root$p"
		case $t in
		/*) stage_file "$root" "$t" ;;
		*) stage_file "$root" "$(realpath -m "${p%/*}/$t")" ;;
		esac
	elif [ -f "$p" ]; then
		cp -p "$p" "$root$p"
	fi
}

# stage_libs ROOT HAVE FILE...: the shared libraries the ELF FILEs need
# that the list HAVE (paths without the leading /) lacks, each in its
# directory's real path: a layer that held /lib as a directory would
# replace the /lib -> usr/lib symlink when the kernel unpacks it.
stage_libs() {
	local root=$1 have=$2 lib dir; shift 2
	for lib in $(for f in "$@"; do ldd "$f" 2>/dev/null; done |
		grep -o '/[^ ]*\.so[^ ]*' | sort -u); do
		dir=$(realpath "${lib%/*}")
		[ -e "$root$dir/${lib##*/}" ] && continue
		grep -qxF "${dir#/}/${lib##*/}" "$have" && continue
		mkdir -p "$root$dir"
		cp -L "$lib" "$root$dir/${lib##*/}"
	done
}

# is_elf FILE
is_elf() { [ "$(head -c 4 "$1" 2>/dev/null | od -An -c | tr -d ' ')" = '177ELF' ]; }

stage_skeleton() {
	local root=$1 d
	mkdir -p "$root"/{usr/bin,usr/sbin,usr/lib,usr/lib64,etc,proc,sys,dev,tmp,run,root,var,vm}
	for d in bin sbin lib lib64; do ln -s "usr/$d" "$root/$d"; done
	ln -s ../run "$root/var/run"
	mkdir -p "$root/var/tmp" "$root/var/lib" "$root/var/log"
}

stage_etc() {
	local root=$1 f tcpdump_ids
	tcpdump_ids=$(getent passwd tcpdump | cut -d: -f3,4)
	cat >"$root/etc/passwd" <<-EOF
	root:x:0:0:root:/root:/bin/bash
	tcpdump:x:${tcpdump_ids:-104:110}:tcpdump:/nonexistent:/usr/sbin/nologin
	nobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin
	EOF
	cat >"$root/etc/group" <<-EOF
	root:x:0:
	tty:x:5:
	tcpdump:x:${tcpdump_ids#*:}:
	nogroup:x:65534:
	EOF
	printf '%s\n' 'passwd: files' 'group: files' 'shadow: files' \
		'hosts: files' 'networks: files' 'protocols: files' \
		'services: files' >"$root/etc/nsswitch.conf"
	printf '127.0.0.1\tlocalhost\n::1\tlocalhost\n' >"$root/etc/hosts"
	echo pptpng-vm >"$root/etc/hostname"
	for f in /etc/protocols /etc/services /etc/ethertypes /etc/iproute2 \
		/usr/share/iproute2 /usr/lib/iproute2 /etc/ld.so.conf /etc/ld.so.conf.d; do
		[ -e "$f" ] && mkdir -p "$root${f%/*}" && cp -a "$f" "$root$f"
	done
	ldconfig -r "$root" 2>/dev/null || true
}

# stage_programs ROOT: every program of $vm_pkgs, their libraries, and
# busybox applets for whatever else a script may call.
stage_programs() {
	local root=$1 p f elves=() a pkgs=$vm_pkgs
	for p in $vm_pkgs_optional; do
		dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'ok installed' &&
			pkgs="$pkgs $p"
	done
	for p in $pkgs; do
		for f in $(dpkg -L "$p" | grep -E '^/(usr/)?s?bin/[^/]+$'); do
			[ -f "$f" ] || continue
			stage_file "$root" "$f"
			is_elf "$f" && elves+=("$(realpath "$f")")
		done
	done
	# glibc dlopens libgcc_s for pthread_cancel; ldd cannot see that.
	f=/lib/x86_64-linux-gnu/libgcc_s.so.1
	[ -e "$f" ] && elves+=("$f") && stage_file "$root" "$f"
	stage_libs "$root" /dev/null "${elves[@]}"
	cp "$vm_busybox" "$root/usr/bin/busybox"
	for a in $("$vm_busybox" --list-full); do
		[ -e "$root/$a" ] || [ -L "$root/$a" ] || ln -s /usr/bin/busybox "$root/$a"
	done
}

# stage_modules ROOT: the network modules, everything they depend on, and
# a modules.dep made for just these.  The wanted ones are picked from
# modules.dep itself, not looked up by path: a path that does not exist
# on this kernel would stop the build under set -e without a word.
stage_modules() {
	local root=$1 src=$vm_moddir dst m
	dst=$root/lib/modules/$vm_kver
	mkdir -p "$dst"
	# modules.dep lines: "kernel/a.ko.xz: kernel/b.ko.xz kernel/c.ko.xz".
	for m in $(awk -v dirs="$(echo $vm_module_dirs)" -v names="$(echo $vm_module_names)" '
		BEGIN {
			nd = split(dirs, d, " ")
			n = split(names, w, " "); for (i = 1; i <= n; i++) name[w[i]] = 1
		}
		{
			sub(":", "", $1)
			base = $1; sub(/.*\//, "", base); sub(/\.ko.*/, "", base)
			ok = (base in name)
			for (i = 1; i <= nd && !ok; i++) ok = index($1, d[i] "/") == 1
			if (ok) for (i = 1; i <= NF; i++) print $i
		}
	' "$src/modules.dep" | sort -u); do
		mkdir -p "$dst/${m%/*}"
		case $m in
		*.ko.xz) xz -dc "$src/$m" >"$dst/${m%.xz}" ;;
		*.ko.zst) zstd -qdc "$src/$m" >"$dst/${m%.zst}" ;;
		*.ko.gz) gzip -dc "$src/$m" >"$dst/${m%.gz}" ;;
		*) cp "$src/$m" "$dst/$m" ;;
		esac
	done
	for m in modules.order modules.builtin modules.builtin.modinfo; do
		[ -e "$src/$m" ] && cp "$src/$m" "$dst/"
	done
	depmod -b "$root" "$vm_kver"
}

# cpio_of DIR OUT: DIR's contents as a newc archive, written atomically.
cpio_of() {
	(cd "$1" && find . -mindepth 1 | LC_ALL=C sort |
		cpio -o -H newc -R 0:0 --quiet) >"$2.tmp" && mv "$2.tmp" "$2"
}

build_sys_layer() {
	local out=$1 root
	root=$(mktemp -d "$vm_cache/sys.XXXXXX")
	stage_skeleton "$root"
	stage_programs "$root"
	stage_etc "$root"
	stage_modules "$root"
	install -m 755 "$vm_dir/init" "$root/init"
	cpio_of "$root" "$out"
	rm -rf "$root"
}

# build_proj_layer OUT SYS_CPIO
build_proj_layer() {
	local out=$1 sys=$2 root d elves=()
	root=$(mktemp -d "$vm_cache/proj.XXXXXX")
	mkdir -p "$root/pptp-ng"
	for d in $vm_proj_dirs; do
		[ -d "$vm_top/$d" ] || continue
		(cd "$vm_top" && find "$d" \( -path build/vm -o -path build/fuzz \) -prune -o \
			\( -type f -o -type l \) ! -name '*.o' ! -name '*.d' -print |
			cpio -pdm --quiet "$root/pptp-ng")
	done
	# Libraries the project's programs need that the sys layer lacks
	# (ASan's runtime, say).
	while IFS= read -r -d '' f; do
		is_elf "$f" && elves+=("$f")
	done < <(find "$root/pptp-ng" -type f -perm -u+x -print0)
	cpio -t --quiet <"$sys" >"$root.have"
	[ ${#elves[@]} = 0 ] || stage_libs "$root" "$root.have" "${elves[@]}"
	rm -f "$root.have"
	cpio_of "$root" "$out"
	rm -rf "$root"
}

sys_key() {
	{
		echo "$vm_kver"
		cat "$vm_dir/initramfs.sh" "$vm_dir/init"
		stat -c '%n %s %Y' /var/lib/dpkg/status "$vm_busybox" \
			"$vm_moddir/modules.dep"
	} | sha256sum | cut -c1-16
}

proj_key() {
	{
		cat "$vm_dir/initramfs.sh"
		cd "$vm_top" && for d in $vm_proj_dirs; do
			[ -d "$d" ] || continue
			find "$d" \( -path build/vm -o -path build/fuzz \) -prune -o \
				\( -type f -o -type l \) ! -name '*.o' ! -name '*.d' \
				-printf '%p %s %T@\n'
		done | LC_ALL=C sort
	} | sha256sum | cut -c1-16
}

# vm_initrd RUN_CPIO OUT: OUT is the current cached layers and RUN_CPIO,
# concatenated under the lock, so no other run replaces a layer midway.
vm_initrd() {
	local sys proj rc=0
	mkdir -p "$vm_cache"
	exec 8>"$vm_cache/.lock"
	flock 8
	# Staging left by a build that failed or was killed.
	rm -rf "$vm_cache"/sys.?????? "$vm_cache"/proj.??????*
	sys=$vm_cache/sys-$vm_kver-$(sys_key).cpio
	if [ ! -s "$sys" ]; then
		echo "vm: building the guest userland ($sys)" >&2
		# This kernel's older layers, and those of before one per kernel.
		rm -f "$vm_cache/sys-$vm_kver-"*.cpio "$vm_cache"/sys-????????????????.cpio
		(set -e; build_sys_layer "$sys") >&2
	fi
	proj=$vm_cache/proj-$(proj_key).cpio
	if [ -s "$sys" ] && [ ! -s "$proj" ]; then
		rm -f "$vm_cache"/proj-*.cpio
		(set -e; build_proj_layer "$proj" "$sys") >&2
	fi
	if [ -s "$sys" ] && [ -s "$proj" ]; then
		cat "$sys" "$proj" "$1" >"$2" || rc=1
	else
		rc=1
	fi
	exec 8>&-
	return $rc
}
