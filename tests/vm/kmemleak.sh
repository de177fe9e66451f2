#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
#
# tests/vm/kmemleak.sh scan: in the guest, have kmemleak scan now, print
# what it suspects and fail when it suspects anything.  A scenario calls
# it where a leak would show, after an rmmod say; on a kernel without
# kmemleak it does nothing.  The kernel also logs "N new suspected memory
# leaks", which fails the guest run (tests/vm/guest.sh) whatever the
# scenario does with this exit status.
#
# kmemleak reports only objects older than 5 s: what was freed late is
# not a leak, what leaked in the last 5 s shows at the next scan (and at
# the scan tests/vm/init makes after COMMAND).

ctl=/sys/kernel/debug/kmemleak

[ "$1" = scan ] || { echo "usage: $0 scan" >&2; exit 2; }
[ -e "$ctl" ] || exit 0
echo scan >"$ctl" || { echo "kmemleak.sh: cannot scan (kmemleak off?)" >&2; exit 1; }
leaks=$(cat "$ctl")
[ -z "$leaks" ] && exit 0
echo "kmemleak.sh: kmemleak suspects leaks:" >&2
echo "$leaks" >&2
exit 1
