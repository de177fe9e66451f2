#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
#
# Shared by bench/*.sh.  A benchmark measures the reference and every
# available candidate in one invocation, prints figures and ratios, and
# writes one markdown section that bench/run.sh puts into
# docs/benchmarks.md.  Faces that cannot run here get a row saying why,
# never a number.
#
#   bench_begin NUM TITLE       start section NUM (the issue's numbering)
#   bench_size TINY FULL        the value for $BENCH_SIZE (tiny or full)
#   bench_text TEXT             a paragraph of the section
#   bench_cols COL...           the table's header
#   bench_row COL...            one table row
#   bench_na FACE WHY           a row: FACE not available, because WHY
#   bench_ratio A B             A / B to two decimals, "-" if either is no number
#   bench_end                   print the section; write it to $BENCH_OUT/NUM.md
#
# BENCH_SIZE=tiny runs everything at a size that only proves the script
# works (tests/bench/smoke.test); its figures mean nothing.

set -e
cd "$(dirname "${BASH_SOURCE[0]}")/.."

BENCH_SIZE=${BENCH_SIZE:-full}
case $BENCH_SIZE in
tiny|full) ;;
*) echo "BENCH_SIZE must be tiny or full, not '$BENCH_SIZE'" >&2; exit 2 ;;
esac

bench_num= bench_title= bench_body=

bench_size() {
	[ "$BENCH_SIZE" = tiny ] && echo "$1" || echo "$2"
}

bench_machine() {
	local cpu
	cpu=$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -1)
	printf '%s CPUs (%s), Linux %s' "$(nproc)" "${cpu:-unknown CPU}" "$(uname -r)"
}

bench_begin() {
	bench_num=$1 bench_title=$2 bench_body=
	printf '\e[1;36m[bench %s]\e[0m %s (size %s)\n' "$1" "$2" "$BENCH_SIZE" >&2
}

# A blank line between a table and what follows.
bench_break() {
	[ -z "$bench_body" ] || [[ $bench_body == *$'\n\n' ]] || bench_body+=$'\n'
}

bench_text() {
	bench_break
	bench_body+="$*"$'\n\n'
}

bench_cols() {
	local c line="|" sep="|"
	bench_break
	for c in "$@"; do
		line+=" $c |"
		sep+="---|"
	done
	bench_body+="$line"$'\n'"$sep"$'\n'
}

bench_row() {
	local c line="|"
	for c in "$@"; do line+=" ${c//|/\\|} |"; done
	bench_body+="$line"$'\n'
	printf '  %s\n' "$*" >&2
}

bench_na() {
	bench_row "$1" "not available: $2"
}

bench_ratio() {
	awk -v a="$1" -v b="$2" 'BEGIN {
		if (a !~ /^[0-9.]+$/ || b !~ /^[0-9.]+$/ || b + 0 == 0) print "-";
		else printf "%.2f\n", a / b }'
}

bench_end() {
	local section script=${0#"$PWD"/}

	section="## $bench_num. $bench_title"$'\n\n'
	section+="Command: \`BENCH_SIZE=$BENCH_SIZE $script\`  "$'\n'
	section+="Machine: $(bench_machine)  "$'\n'
	section+="Date: $(date -u '+%Y-%m-%d %H:%M UTC')"$'\n\n'
	section+="$bench_body"
	printf '%s' "$section"
	if [ -n "$BENCH_OUT" ]; then
		printf '%s' "$section" >"$BENCH_OUT/$bench_num.md"
	fi
}
