#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
#
# faces.sh [SCENARIO...]: in one guest, the scenario table (default: every
# NN-*.sh but the cthelper ones, which start the daemon their own way) with
# pptp-ng's three faces side by side, one run.sh per row:
#
#   pptp-ng    the module, nf_conntrack_pptp_ng
#   pptp-ngd   the daemon, pptp-ngd --backend cthelper
#   pptp       the stock helper, for comparison only
#
# then the matrix, scenario by face: pass, skip (the scenario says why in
# its output) or fail(exit status).  Fails when a row fails for the module
# or the daemon (run.sh decides), or skips for either of them where that
# is not on the list below; the stock helper's column never fails it.

cd "$(dirname "$0")/../../.."
# FACES="pptp-ng" runs only that column (make test-kernels on the debug
# kernel, whose detectors are there for the module): the others show "none".
read -r -a faces <<<"${FACES:-pptp-ng pptp-ngd pptp}"
# Rows pptp-ng's own faces may skip, and why: anything else skipping
# (a missing tool, a module that did not load) is a failure.
may_skip=(
	16-coexist:pptp-ngd	# two kernel modules side by side: the module's row
	19-expect-table:pptp-ngd	# the daemon keeps its expectations for a call's life
)
if [ $# = 0 ]; then
	for s in tests/kernel/scenarios/[0-9][0-9]-*.sh; do
		s=${s##*/}
		s=${s%.sh}
		[[ $s == *cthelper* ]] && continue
		set -- "$@" "$s"
	done
fi

log=$(mktemp)
trap 'rm -f "$log"' EXIT
rc=0 passed=0 failed=()
for s in "$@"; do
	tests/kernel/scenarios/run.sh "$s" "${faces[@]}" 2>&1 | tee -a "$log"
	r=${PIPESTATUS[0]}
	case $r in 0) passed=$((passed + 1)) ;; 77) ;; *) rc=1 failed+=("$s") ;; esac
done

echo
echo "===== scenario x face (stock pptp: comparison only)"
printf '%-22s' scenario
printf '%-10s' "${faces[@]}"
echo
for s in "$@"; do
	line=$(tr -d '\r' <"$log" | grep "^RESULT $s:" | tail -n 1)
	printf '%-22s' "$s"
	for f in "${faces[@]}"; do
		res=$(tr ' ' '\n' <<<"$line" | sed -n "s/^$f=//p")
		printf '%-10s' "${res:-none}"
	done
	echo
done
for s in "$@"; do
	line=$(tr -d '\r' <"$log" | grep "^RESULT $s:" | tail -n 1)
	for f in pptp-ng pptp-ngd; do
		grep -qw "$f=skip" <<<"$line" || continue
		[[ " ${may_skip[*]} " == *" $s:$f "* ]] && continue
		rc=1 failed+=("$s:$f(skipped)")
	done
done
# What failed, after the table: a CI report keeps the end of the output.
for s in "${failed[@]}"; do
	s=${s%%:*}
	echo "--- $s: the module's and the daemon's FAIL lines"
	tr -d '\r' <"$log" | awk -v head="===== $s with helper " '
		/^===== / { on = index($0, head) == 1 && $0 !~ / pptp =====$/; face = $5 }
		on && /FAIL|clash_resolve=[1-9]|counter packets [1-9]/ { print face ": " $0 }' |
		head -n 20
done
[ "$rc" = 0 ] || echo "FAIL: the module or the daemon failed: ${failed[*]}"
[ "$rc" != 0 ] || [ "$passed" -gt 0 ] || { echo "SKIP: no row could run here"; exit 77; }
exit $rc
