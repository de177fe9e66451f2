#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
#
# tests/parity/prepare.sh: the parity test's input, in build/parity/, from
# the project's captures and, when ../shared/pcaps is there, the public
# ones: per capture NAME, capture.py's NAME.script, NAME.pcap and
# NAME.frames (every inside host played twice, so call IDs collide at the
# NAT), `pptp-ng explain --json` of NAME.pcap, and predict.py's
# NAME.expected, what pptp-replay prints if the firewall does what explain
# says.  Run on the host (the QEMU guest has no python); the guest's
# scenario 18-parity reads the result from its copy of build/.

cd "$(dirname "$0")/../.."
set -e
command -v python3 >/dev/null || { echo "SKIP: python3 not installed" >&2; exit 77; }
[ -x build/pptp-ng ] || { echo "SKIP: build/pptp-ng missing, run make first" >&2; exit 77; }
dir=build/parity
rm -rf "$dir"
mkdir -p "$dir"

# Ours: collisions between inside hosts, Windows-style CDNs, several
# messages per segment, IDs cut by segment boundaries, real clients, and
# a PAC that opens the control connection (inside, as the connection's
# opener is) and makes incoming calls: the PAC's IDs are translated.
captures=(tests/data/twoclients.pcap tests/data/coalesce.pcap tests/data/split.pcap
	  tests/data/realclients.pcap tests/data/hostile.pcap tests/data/incoming.pcap)
shared=../shared/pcaps
if [ -d "$shared" ]; then
	for f in tcpdump-pptp.pcap ndpi-pptp.pcap packetlife-PPTP_negotiation.cap \
		 chapcrack-sample.dump; do
		[ -f "$shared/$f" ] && captures+=("$shared/$f")
	done
else
	echo "parity: $shared not here: the project's captures only" >&2
fi
for f in "${captures[@]}"; do
	name=$(basename "${f%.*}")
	python3 tests/parity/capture.py "$f" "$dir/$name" --twice
	build/pptp-ng explain "$dir/$name.pcap" --json --inside 192.0.2.0/24 \
		--nat-to 203.0.113.1 >"$dir/$name.explain.json"
	python3 tests/parity/predict.py "$dir/$name" >"$dir/$name.expected"
done
ls "$dir"/*.script | wc -l
