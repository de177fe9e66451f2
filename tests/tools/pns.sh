#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
#
# pns.sh SERVER: a scripted PPTP PNS for the tests (tests/lib/pns.sh), one
# control message per command read on stdin, each reply's fields printed
# as a line:
#   start     SCCRQ  -> "SCCRP type 2 result R"
#   call ID   OCRQ with call ID ID -> "OCRP ID type 8 pac P peer ID result R"
#   clear ID  CCRQ   -> "CDN ID type 13 pac P"
#   stop      StopCCRQ -> "STOPCCRP type 4", and the script ends
# pptp-sim places all its calls at once; this places each when told, so a
# test can open a call on a control connection that already carries some.
set -e
exec 3<>"/dev/tcp/$1/1723"
z() { printf '%0*d' $(($1 * 2)) 0; }
hdr() { printf '%04x00011a2b3c4d%04x0000' "$1" "$2"; }
send() { printf "$(sed 's/../\\x&/g' <<<"$1")" >&3; }
rd() { dd bs=1 count="$1" <&3 2>/dev/null | od -An -v -tx1 | tr -d ' \n'; }
f16() { echo $((16#${1:$(($2 * 2)):4})); }
f8() { echo $((16#${1:$(($2 * 2)):2})); }
while read -r cmd id; do
	case $cmd in
	start)	send "$(hdr 156 1)01000000000000010000000100000001$(z 128)"
		r=$(rd 156); echo "SCCRP type $(f16 "$r" 8) result $(f8 "$r" 14)" ;;
	call)	send "$(hdr 168 7)$(printf %04x "$id")0001$(printf %08x 2400)$(printf %08x 10000000)00000003000000030040000000000000$(z 128)"
		r=$(rd 32); echo "OCRP $id type $(f16 "$r" 8) pac $(f16 "$r" 12) peer $(f16 "$r" 14) result $(f8 "$r" 16)" ;;
	clear)	send "$(hdr 16 12)$(printf %04x "$id")0000"
		r=$(rd 148); echo "CDN $id type $(f16 "$r" 8) pac $(f16 "$r" 12)" ;;
	stop)	send "$(hdr 16 3)01000000"
		r=$(rd 16); echo "STOPCCRP type $(f16 "$r" 8)"; exit 0 ;;
	esac
done
