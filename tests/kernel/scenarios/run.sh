#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
#
# run.sh SCENARIO [FACE...]: in the guest, run tests/kernel/scenarios/
# SCENARIO.sh once per FACE (default: pptp-ng), print each result side by
# side on a "RESULT SCENARIO: FACE=pass|skip|fail(N)..." line, and fail
# when pptp-ng's own faces, the module "pptp-ng" or the daemon
# "pptp-ngd", fail; exit 77 when they all skip.  The stock helper "pptp"
# is for comparison only: its failures are recorded, never fatal.
#
# The module and the daemon both register a conntrack helper named
# "pptp-ng", so only one can be there at a time: before the daemon's turn
# the module is removed, before the module's it is loaded again from the
# copy guest.sh keeps in /vm/modules.

cd "$(dirname "$0")/../../.."
scenario=$1; shift
[ $# -gt 0 ] || set -- pptp-ng
script=tests/kernel/scenarios/$scenario.sh
[ -x "$script" ] || { echo "run.sh: no scenario $script" >&2; exit 2; }

mod=nf_conntrack_pptp_ng
mod_loaded() { grep -q "^$mod " /proc/modules; }

# Conntrack entries of a just deleted netns go away in the background,
# and with them the module's last references: retry for a while.
mod_unload() {
	local t
	for ((t = 0; t < 100; t++)); do
		mod_loaded || return 0
		rmmod "$mod" 2>/dev/null && return 0
		sleep 0.1
	done
	echo "run.sh: cannot remove $mod for pptp-ngd" >&2
	return 1
}

# A daemon killed while its ruleset held the helper leaves "pptp-ng"
# registered; a daemon started and stopped with nothing attached takes it
# away (its start updates the registration, its stop deletes it).
ngd_release() {
	local sock=/tmp/run-ngd-release.sock pid t
	"${NGD:-build/pptp-ngd}" --backend cthelper --user nobody --foreground --socket "$sock" >/dev/null 2>&1 &
	pid=$!
	for ((t = 0; t < 50; t++)); do
		[ -S "$sock" ] && break
		sleep 0.1
	done
	kill "$pid" 2>/dev/null
	wait "$pid" 2>/dev/null
}

mod_load() {
	local ko t
	mod_loaded && return 0
	ko=$(ls /vm/modules/*"$mod".ko 2>/dev/null | head -n 1)
	[ -n "$ko" ] || return 0	# not a module run (cthelper.test): nothing to restore
	for ((t = 0; t < 20; t++)); do
		insmod "$ko" 2>/dev/null && return 0
		ngd_release
		sleep 0.2
	done
	echo "run.sh: cannot load $ko again (helper \"pptp-ng\" still registered?)" >&2
	return 1
}

rc=0 ran=0 summary=""
for face in "$@"; do
	printf '\n===== %s with helper %s =====\n' "$scenario" "$face"
	r=0
	case $face in
	pptp-ngd) mod_unload || r=1 ;;
	*) mod_load || r=1 ;;
	esac
	[ "$r" != 0 ] || timeout "${SCENARIO_TIMEOUT:-150}" "$script" "$face" || r=$?
	case $r in 0) res=pass ;; 77) res=skip ;; *) res="fail($r)" ;; esac
	summary="$summary $face=$res"
	case $face in
	pptp-ng|pptp-ngd)
		[ "$r" = 77 ] && continue
		ran=1
		[ "$rc" = 0 ] && rc=$r ;;
	esac
done
mod_load || true
echo "RESULT $scenario:$summary"
[ "$ran" = 1 ] || exit 77
exit $rc
