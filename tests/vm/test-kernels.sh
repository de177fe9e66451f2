#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
#
# tests/vm/test-kernels.sh [KERNEL...]   (make test-kernels)
#
# The kernel matrix CI has no time for: the whole scenario table
# (tests/kernel/faces.test, every row, module, daemon and stock helper) on
# each KERNEL, a VM_KVER of tests/vm/kernels.sh, by default
#
#   6.12-cloud   Debian's 6.12 cloud kernel (bookworm-security/backports)
#   6.12-rt      its PREEMPT_RT flavour, where spinlocks sleep
#   debug        tests/vm/debug-kernel.sh's KASAN/kmemleak/lockdep kernel,
#                which also runs tests/vm/teardown-stress.sh (100 rounds
#                of netns deletion and rmmod with live calls, a kmemleak
#                scan after each rmmod; TEARDOWN_ROUNDS changes the count)
#
# and 6.1-cloud (CI's kernel) when named: CI runs its table without the
# stock helper's column, this with it.
#
# one guest at a time; ROWS="02-real-clients 07-hostile" runs only those
# rows of the table, FACES="pptp-ng pptp-ngd" only those faces (on the
# debug kernel the module's alone unless FACES says otherwise).  Installs the kernels and builds the debug kernel
# first when run as root.  Each kernel's log goes to build/kernels/, its
# results to build/kernels/KERNEL.results; the table of every kernel that
# has results is written to build/kernels/results.md and into
# docs/testing.md between its test-kernels markers.  Fails when any
# kernel's run failed.

cd "$(dirname "$0")/../.."
set -e
source tests/vm/kernels.sh

out=build/kernels
doc=docs/testing.md
mkdir -p "$out"
[ $# -gt 0 ] || set -- 6.12-cloud 6.12-rt debug

pretty() { printf '\e[1;36m[%s]\e[0m %s\n' "$1" "$2" >&2; }

if [ "$(id -u)" = 0 ]; then
	scripts/deps.sh kernels
	for k in "$@"; do
		[ "$k" != debug ] || tests/vm/debug-kernel.sh >/dev/null
	done
fi
make -s all >/dev/null

# run_kernel K: the table (and on the debug kernel the stress) on K; its
# results file: "kver", "date", then RESULT lines, "guest EXIT" and
# "stress EXIT".
run_kernel() {
	local k=$1 res=$out/$1.results rc=0 src=0
	export VM_KVER=$k
	vm_find_kernel
	if [ -z "$vm_kver" ] || [ ! -r "$vm_kernel" ]; then
		pretty "$k" "not installed ($vm_kwhat): skipped"
		return 1
	fi
	pretty "$k" "faces.test (${ROWS:-every row}) on $vm_kver (log: $out/$k.log)"
	# KASAN, lockdep and kmemleak under TCG: a row takes 5 to 7 minutes
	# on the debug kernel, 08-teardown more than run.sh's 150 s a face.
	# Row 17 keeps its calls idle IDLE_SECONDS (10 minutes here, 45 s in
	# CI), so a face may take that much longer.
	local idle=${IDLE_SECONDS:-600}
	local st=${SCENARIO_TIMEOUT:-$((idle + 150))} vt=${VM_TIMEOUT:-9000}
	[ "$k" != debug ] || st=${SCENARIO_TIMEOUT:-$((idle + 900))} vt=${VM_TIMEOUT:-21000}
	# The debug kernel's detectors are there for the module: by default it
	# runs the module's column alone (a third of the time), FACES others.
	local faces=${FACES:-pptp-ng pptp-ngd pptp}
	[ "$k" != debug ] || faces=${FACES:-pptp-ng}
	# shellcheck disable=SC2086
	FACES=$faces IDLE_SECONDS=$idle SCENARIO_TIMEOUT=$st VM_TIMEOUT=$vt tests/kernel/faces.test ${ROWS:-} \
		>"$out/$k.log" 2>&1 || rc=$?
	{
		echo "kver $vm_kver"
		echo "date $(date -u +%Y-%m-%d)"
		tr -d '\r' <"$out/$k.log" | grep '^RESULT ' || true
		echo "guest $rc"
	} >"$res"
	if [ "$k" = debug ]; then
		pretty "$k" "teardown stress, ${TEARDOWN_ROUNDS:-100} rounds (log: $out/$k-stress.log)"
		stress >"$out/$k-stress.log" 2>&1 || src=$?
		echo "stress $src" >>"$res"
		[ "$src" = 0 ] || rc=1
	fi
	pretty "$k" "faces.test exited $rc"
	[ "$rc" = 0 ]
}

# stress: tests/vm/teardown-stress.sh in a guest on $VM_KVER.
stress() {
	(source tests/kernel/lib.sh && kmod_build) || return 1
	# Rounds of about 40 s under TCG with KASAN: 100 need 70 minutes.
	tests/vm/guest.sh --module kernel/nf_conntrack_pptp_ng.ko --timeout 7200 -- \
		tests/vm/teardown-stress.sh "${TEARDOWN_ROUNDS:-100}"
}

# cell RESULTS ROW: "module / daemon / stock" for ROW.
cell() {
	local line f r c=""
	line=$(grep "^RESULT $2:" "$1" | tail -n 1)
	[ -n "$line" ] || { echo "not run"; return; }
	for f in pptp-ng pptp-ngd pptp; do
		r=$(tr ' ' '\n' <<<"$line" | sed -n "s/^$f=//p")
		c="$c / ${r:-not run}"
	done
	echo "${c# / }"
}

# guest_word EXIT: what guest.sh's exit status means.
guest_word() {
	case $1 in
	0) echo pass ;;
	1) echo "fail (a row)" ;;
	120) echo "FAIL: kernel report (120)" ;;
	121) echo "FAIL: guest hung (121)" ;;
	122) echo "FAIL: module load (122)" ;;
	124) echo "FAIL: timeout (124)" ;;
	77) echo skip ;;
	*) echo "FAIL ($1)" ;;
	esac
}

# table: markdown of every kernel with a results file.
table() {
	local k f rows row hdr sep line
	local -a ks=()
	for k in 6.12-cloud 6.12-rt debug "$@"; do
		[ -s "$out/$k.results" ] || continue
		[[ " ${ks[*]} " == *" $k "* ]] || ks+=("$k")
	done
	rows=$(for k in "${ks[@]}"; do sed -n 's/^RESULT \([^:]*\):.*/\1/p' "$out/$k.results"; done | sort -u)
	hdr="| scenario |" sep="|---|"
	for k in "${ks[@]}"; do
		f=$out/$k.results
		hdr="$hdr $(sed -n 's/^kver //p' "$f") ($(sed -n 's/^date //p' "$f")) |"
		sep="$sep---|"
	done
	echo "$hdr"
	echo "$sep"
	for row in $rows; do
		line="| $row |"
		for k in "${ks[@]}"; do line="$line $(cell "$out/$k.results" "$row") |"; done
		echo "$line"
	done
	line="| whole guest run |"
	for k in "${ks[@]}"; do
		line="$line $(guest_word "$(sed -n 's/^guest //p' "$out/$k.results")") |"
	done
	echo "$line"
	line="| teardown stress (debug only) |"
	for k in "${ks[@]}"; do
		f=$(sed -n 's/^stress //p' "$out/$k.results")
		line="$line ${f:+$(guest_word "$f")} |"
	done
	echo "$line"
}

fail=0
for k in "$@"; do
	run_kernel "$k" || fail=1
done

table "$@" >"$out/results.md"
cat "$out/results.md"
# The doc keeps the last table: between the markers, replaced whole.
if grep -q '^<!-- test-kernels:begin -->' "$doc"; then
	awk -v table="$out/results.md" '
		/^<!-- test-kernels:begin -->/ {
			print
			while ((getline l < table) > 0) print l
			skip = 1
			next
		}
		/^<!-- test-kernels:end -->/ { skip = 0 }
		!skip
	' "$doc" >"$doc.tmp" && mv "$doc.tmp" "$doc"
	pretty doc "results written into $doc"
fi
exit $fail
