#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
#
# Shared by tests/inspect/*.test: the inspector under AddressSanitizer and
# UndefinedBehaviorSanitizer (build/inspect-asan/pptp-ng) and helpers.
#
#   inspect ARGS...         run it; any sanitizer report fails the test
#   check_json CAP [--gre-only] <<FACTS
#                           decode CAP to $tmp/NAME.json, compare with
#                           tshark and evaluate the facts (check.py)

set -e
cd "$(dirname "$0")/../.."

die() { printf '\e[1;31mFAIL:\e[0m %s\n' "$*" >&2; exit 1; }
pretty() { printf '\e[1;36m[%s]\e[0m %s\n' "$1" "$2" >&2; }
skip() { echo "SKIP: $*" >&2; exit 77; }

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

insp=build/inspect-asan/pptp-ng
export ASAN_OPTIONS=detect_leaks=1:abort_on_error=0:exitcode=99
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1:exitcode=99

build_asan() {
	make -s "$insp" >"$tmp/build.log" 2>&1 || { cat "$tmp/build.log" >&2; die "cannot build $insp"; }
}

inspect() {
	local rc=0
	"$insp" "$@" 2>"$tmp/stderr" || rc=$?
	if grep -q "Sanitizer\|runtime error" "$tmp/stderr"; then
		cat "$tmp/stderr" >&2
		die "sanitizer report for pptp-ng $*"
	fi
	cat "$tmp/stderr" >&2
	return $rc
}

check_json() {
	local cap=$1 name
	shift
	name=$(basename "$cap")
	inspect pcap --json "$cap" >"$tmp/$name.json" || die "pptp-ng pcap --json $cap failed"
	python3 tests/inspect/check.py "$@" "$cap" "$tmp/$name.json" ||
		die "$cap: pptp-ng disagrees with tshark or the facts"
}
