#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
#
# tests/vm/guest.sh [--module FILE.ko[:PARAMS]]... [--timeout SECONDS] [--mem MB] -- COMMAND [ARGS...]
#
# Run COMMAND as root inside a QEMU guest booting Debian's cloud kernel (or
# the one VM_KVER names), so kernel-module tests run on a real kernel that
# can load modules.
#
#   --module FILE.ko  insmod FILE in the guest before COMMAND, in the order
#                     given, after modprobe'ing what `modinfo -F depends`
#                     names (from the guest kernel's own modules); with
#                     :PARAMS, insmod FILE PARAMS (e.g. FILE.ko:failover=1)
#   --timeout S       COMMAND's time limit in the guest (default 300)
#   --mem MB          guest memory (default 512)
#
# The guest sees the project at /pptp-ng with the same layout (tests/,
# scripts/, nft/, include/, build/), and COMMAND runs from there with
# bash, stdin from /dev/null.  It has this host's bash, coreutils, iproute2,
# nft, conntrack, tcpdump, pptp, pptpd, kmod, procps, util-linux and
# busybox for the rest, and the kernel's netfilter, bridge, veth, sched...
# modules: `modprobe NAME` works and the kernel autoloads them.  Nothing is
# shared with the host at run time (no 9p): the initramfs carries it all,
# cached in build/vm/ and rebuilt when the project tree, the installed
# packages or the kernel change.
#
# The guest's console (COMMAND's output, kernel errors) streams to stdout.
# Exit status:
#   COMMAND's own   when the guest ran it and the kernel stayed clean
#   77              SKIP: no qemu, guest kernel or modules here (under
#                   CI=true that is a failure, exit 1: CI installs them)
#   120             the guest kernel panicked or logged an Oops, BUG,
#                   WARNING, KASAN, UBSAN, lockdep or kmemleak report
#                   (console or dmesg), even if COMMAND passed
#   121             the guest hung (host-side timeout) or never reported
#   122             a --module failed to load in the guest
#   124             COMMAND ran past --timeout and was killed
#   125             usage error, a --module file missing, build failure
#
# Environment: VM_KVER picks the kernel (tests/vm/kernels.sh: unset for
# Debian 12's cloud kernel, 6.12-cloud, 6.12-rt, debug, or a release),
# VM_KERNEL_DIR boots a kernel built like tests/vm/debug-kernel.sh's,
# VM_ACCEL the QEMU accelerator (default tcg), VM_VERBOSE=1 also shows the
# guest's dmesg, VM_BOOT_MARGIN the seconds qemu gets on top of --timeout
# before it counts as hung (120).  A kernel with KASAN boots with
# kasan_multi_shot (every report, not just the first), one with kmemleak
# with kmemleak.verbose=1 (the leaks' stacks in dmesg) and gets a last
# scan after COMMAND.

vm_dir=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
vm_top=$(cd "$vm_dir/../.." && pwd)
vm_cache=$vm_top/build/vm
source "$vm_dir/kernels.sh"
source "$vm_dir/initramfs.sh"

usage() {
	sed -n '4p' "${BASH_SOURCE[0]}" | sed 's/^# /usage: /' >&2
	exit 125
}
help() { sed -n '4,/^$/s/^# \{0,1\}//p' "${BASH_SOURCE[0]}"; exit 0; }
err() { printf 'guest.sh: %s\n' "$*" >&2; exit 125; }
loud() { printf '\e[1;31mVM FAIL:\e[0m %s\n' "$*" >&2; }
# CI installs everything a guest needs (scripts/deps.sh vm), so a guest
# that cannot run there is a broken CI machine, not a reason to skip.
skip() {
	[ "${CI:-}" = true ] && { loud "CI=true, yet $*"; exit 1; }
	echo "SKIP: $*" >&2
	exit 77
}

modules=() timeout=300 mem=512
while [ $# -gt 0 ]; do
	case $1 in
	--module) [ $# -ge 2 ] || usage; modules+=("$2"); shift 2 ;;
	--timeout) [[ $2 =~ ^[1-9][0-9]*$ ]] || err "--timeout wants whole seconds"; timeout=$2; shift 2 ;;
	--mem) [[ $2 =~ ^[1-9][0-9]*$ ]] || err "--mem wants megabytes"; mem=$2; shift 2 ;;
	--) shift; break ;;
	-h|--help) help ;;
	*) err "unknown option '$1' (COMMAND goes after --)" ;;
	esac
done
[ $# -gt 0 ] || usage
for m in "${modules[@]}"; do
	m=${m%%:*}
	[ -f "$m" ] && [ -r "$m" ] || err "--module $m: no such file"
	[[ $m == *.ko ]] || err "--module $m: not a .ko file"
done

# find_kernel: the guest kernel (tests/vm/kernels.sh) and busybox.
find_kernel() {
	vm_find_kernel
	vm_busybox=$(command -v busybox)
}

# missing: what this machine lacks to run a guest, empty when nothing.
missing() {
	local c
	find_kernel
	for c in qemu-system-x86_64 cpio depmod ldd flock timeout; do
		command -v "$c" >/dev/null || echo "$c"
	done
	[ -n "$vm_kver" ] && [ -r "$vm_kernel" ] || echo "a readable kernel image for $vm_kwhat"
	[ -n "$vm_kver" ] && [ -e "$vm_moddir/modules.dep" ] || echo "the modules of $vm_kwhat"
	[ -n "$vm_busybox" ] && ! ldd "$vm_busybox" >/dev/null 2>&1 ||
		echo "a static busybox (busybox-static)"
}

lack=$(missing)
if [ -n "$lack" ] && [ "$(id -u)" = 0 ]; then
	"$vm_top/scripts/deps.sh" vm >&2 || true
	lack=$(missing)
fi
[ -z "$lack" ] || skip "the QEMU guest needs: $(echo $lack)"
find_kernel

mkdir -p "$vm_cache"
run=$(mktemp -d "$vm_cache/run.XXXXXX") || err "cannot make a run directory"
# On the way out, for whatever reason: stop qemu (timeout passes the
# signal on), then remove this run's files.
trap '[ -s "$run/qemu.pid" ] && kill "$(cat "$run/qemu.pid")" 2>/dev/null; wait; rm -rf "$run"' EXIT
trap 'exit 130' INT TERM HUP
mkdir -p "$run/root/vm/modules"
nonce=$(od -An -N8 -tx8 /dev/urandom | tr -d ' ')
printf 'nonce=%s\ntimeout=%s\n' "$nonce" "$timeout" >"$run/root/vm/conf"
printf '%q ' "$@" >"$run/root/vm/args"
i=0
for m in "${modules[@]}"; do
	ko=${m%%:*}
	cp "$ko" "$run/root/vm/modules/$(printf %02d $i)-${ko##*/}"
	[ "$ko" = "$m" ] || printf '%s\n' "${m#*:}" >"$run/root/vm/modules/$(printf %02d $i)-${ko##*/}.params"
	i=$((i + 1))
done
cpio_of "$run/root" "$run/run.cpio"
# Not `vm_initrd || err`: that would switch off the set -e its builds use.
vm_initrd "$run/run.cpio" "$run/initrd"
[ $? = 0 ] || err "building the initramfs failed"

bios=()
[ -r /usr/share/qemu/qboot.rom ] && bios=(-bios /usr/share/qemu/qboot.rom)
# A big log buffer: quiet keeps reports off the console, so the dmesg dump
# at the end is where their stacks are, and KASAN and lockdep write a lot.
append="console=ttyS0 panic=-1 oops=panic quiet loglevel=3 log_buf_len=4M rdinit=/init"
vm_kconfig_has KASAN && append="$append kasan_multi_shot"
vm_kconfig_has DEBUG_KMEMLEAK && append="$append kmemleak.verbose=1"
# Boot, modules and the dmesg dump get this much on top of COMMAND's time.
host_timeout=$((timeout + ${VM_BOOT_MARGIN:-120}))
log=$run/console.log
start=$SECONDS

# show: the console as it comes, less the report lines and (unless
# VM_VERBOSE) the dmesg dump, which the checks below read from $log.
show() {
	awk -v tag="@@pptpng-vm $nonce " -v verbose="${VM_VERBOSE:-0}" '
		index($0, tag) == 1 {
			what = substr($0, length(tag) + 1)
			if (what == "DMESG-BEGIN") dm = 1
			if (what == "DMESG-END") dm = 0
			next
		}
		!dm || verbose { print; fflush() }
	'
}

# In the background, so a signal to this script ends qemu too (EXIT trap).
{
	# Two sockets of one core: a kernel without ACPI (the debug kernel)
	# finds the second CPU only in the MP table, which lists sockets.
	# The guest ends with a reboot, which -no-reboot turns into an exit
	# (without ACPI a power-off only halts).
	timeout -k 5 "$host_timeout" qemu-system-x86_64 -accel "${VM_ACCEL:-tcg}" \
		-nographic -no-reboot -nic none -m "$mem" -smp 2,sockets=2,cores=1 \
		"${bios[@]}" -kernel "$vm_kernel" -initrd "$run/initrd" -append "$append" \
		</dev/null 2>&1 &
	echo $! >"$run/qemu.pid"
	wait $!
	echo $? >"$run/qemu.rc"
} | tr -d '\r' | tee "$log" | show &
wait $!
qemu_rc=$(cat "$run/qemu.rc" 2>/dev/null)
elapsed=$((SECONDS - start))

# Kernel reports: "[  12.345678] BUG: ...", "WARNING: CPU: ...", a panic,
# and what the debug kernel's detectors say (KASAN and lockdep reports
# start with BUG: or WARNING:; kmemleak's "initialized" must not count).
kbad='^\[ *[0-9]+\.[0-9]+\] .*(Kernel panic|Oops|BUG:|WARNING:|general protection fault|KASAN|UBSAN:|kmemleak: [0-9]+ new suspected|kmemleak: unreferenced object|INFO: trying to register non-static key|Unable to handle kernel)'
report() { sed -n "s/^@@pptpng-vm $nonce $1 *//p" "$log" | tail -n 1; }
dmesg_of() { sed -n "/^@@pptpng-vm $nonce DMESG-BEGIN/,/^@@pptpng-vm $nonce DMESG-END/p" "$log"; }
console_of() { sed "/^@@pptpng-vm $nonce DMESG-BEGIN/,/^@@pptpng-vm $nonce DMESG-END/d" "$log"; }

# show_reports TEXT: each kernel report with the lines after it.
show_reports() { grep -E -A 40 "$kbad" <<<"$1" >&2; }

console=$(console_of)
if grep -Eq "$kbad" <<<"$console"; then
	loud "the guest kernel crashed or complained on the console:"
	show_reports "$console"
	exit 120
fi
if [ "$qemu_rc" = 124 ] || [ "$qemu_rc" = 137 ]; then
	loud "the guest hung: qemu killed after ${host_timeout}s (--timeout $timeout + ${VM_BOOT_MARGIN:-120}s to boot)"
	exit 121
fi
status=$(report EXIT)
if [ -z "$status" ]; then
	loud "the guest never reported COMMAND's exit status (qemu exited $qemu_rc after ${elapsed}s)"
	exit 121
fi
dmesg=$(dmesg_of)
# The last run's guest dmesg, for whoever debugs a failure.
grep -v '^@@pptpng-vm ' <<<"$dmesg" >"$vm_cache/dmesg.log"
if ! grep -q "DMESG-END" <<<"$dmesg"; then
	loud "the guest's dmesg dump is missing or cut short"
	exit 121
fi
if grep -Eq "$kbad" <<<"$dmesg"; then
	loud "COMMAND exited $status, but the guest kernel logged a report in dmesg:"
	show_reports "$dmesg"
	exit 120
fi
modfail=$(report MODFAIL)
if [ -n "$modfail" ]; then
	loud "--module ${modules[10#${modfail%%-*}]} failed to load in the guest"
	exit 122
fi
if [ -n "$(report TIMEOUT)" ]; then
	loud "COMMAND ran past --timeout ${timeout}s in the guest and was killed"
	exit 124
fi
echo "vm: COMMAND exited $status on $vm_kver; guest run took ${elapsed}s; its dmesg: build/vm/dmesg.log" >&2
exit "$status"
