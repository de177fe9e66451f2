#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
#
# run.sh SCENARIO [HELPER...]: in the guest, run tests/kernel/scenarios/
# SCENARIO.sh once per HELPER (default: pptp-ng), print each result side
# by side, and exit with pptp-ng's.  Other helpers (the stock "pptp") are
# for comparison only: their failures are recorded, never fatal.

cd "$(dirname "$0")/../../.."
scenario=$1; shift
[ $# -gt 0 ] || set -- pptp-ng
script=tests/kernel/scenarios/$scenario.sh
[ -x "$script" ] || { echo "run.sh: no scenario $script" >&2; exit 2; }

rc=0 summary=""
for helper in "$@"; do
	printf '\n===== %s with helper %s =====\n' "$scenario" "$helper"
	r=0
	timeout 150 "$script" "$helper" || r=$?
	case $r in 0) res=pass ;; 77) res=skip ;; *) res="fail($r)" ;; esac
	summary="$summary $helper=$res"
	[ "$helper" = pptp-ng ] && rc=$r
done
echo "RESULT $scenario:$summary"
exit $rc
