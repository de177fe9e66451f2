#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
#
# Sourced with $data set to a directory of captures make-captures.sh made,
# committed (own.test) or made in this run (live.test); this must hold:
#
#   - GRE packets per call and direction agree with tshark, and messages
#     and call IDs too where tshark can read them (it reads one PPTP
#     message per segment: not for coalesce and split)
#   - facts from pptp-sim's arguments hold (each side sends --packets data
#     packets per call; its one ack-only packet may leave after the
#     capture stops, so it is not counted on)
#   - the same capture through every other link layer (Linux cooked v1/v2,
#     raw IP, NULL, loopback, QinQ, IPv4 in IPv6 with extension headers,
#     pcapng, stdin) decodes to the same sessions and calls
#   - reordered, duplicated and lost TCP segments are handled as TCP does
#   - captures that start mid-session still follow the calls

check_json $data/coalesce.pcap --gre-only <<'FACTS'
len(s) == 1 and len(calls(0)) == 4 and s[0]['state'] == 'down'
s[0]['messages'] == {'SCCRQ': 1, 'SCCRP': 1, 'StopCCRQ': 1, 'StopCCRP': 1, 'EchoRQ': 2, 'EchoRP': 2, 'OCRQ': 4, 'OCRP': 4, 'CCRQ': 4, 'CDN': 4}
# the four OCRQs left in fewer segments than messages
s[0]['tcp'][0]['payload_segments'] < sum(s[0]['messages_by_dir'][0].values())
all(c['gre'][d]['data'] == 2 and c['gre'][d]['ack_only'] <= 1 for c in calls(0) for d in (0, 1))
[(c['pns_call_id'], c['pac_call_id']) for c in calls(0)] == [(1, 1), (2, 2), (3, 3), (4, 4)]
all(c['end'] == 'cdn' and c['ccrq_seen'] and not c['cdn_without_ccrq'] for c in calls(0))
s[0]['anomalies'] == {} and s[0]['invalid'] == {} and j['orphan_gre'] == []
FACTS

check_json $data/split.pcap --gre-only <<'FACTS'
s[0]['messages'] == {'SCCRQ': 1, 'SCCRP': 1, 'StopCCRQ': 1, 'StopCCRP': 1, 'OCRQ': 2, 'OCRP': 2, 'CCRQ': 2, 'CDN': 2}
# every message in two segments, cut at byte 13 (inside the Call ID)
all(s[0]['tcp'][d]['payload_segments'] == 2 * sum(s[0]['messages_by_dir'][d].values()) for d in (0, 1))
[(c['pns_call_id'], c['pac_call_id']) for c in calls(0)] == [(1, 1), (2, 2)]
s[0]['anomalies'] == {} and s[0]['invalid'] == {}
FACTS

check_json $data/incoming.pcap <<'FACTS'
s[0]['endpoints'][0]['role'] == 'PAC' and s[0]['endpoints'][1]['role'] == 'PNS'
s[0]['endpoints'][1]['port'] == 1723 and s[0]['endpoints'][1]['addr'] == '192.0.2.11'
s[0]['messages'] == {'SCCRQ': 1, 'SCCRP': 1, 'StopCCRQ': 1, 'StopCCRP': 1, 'ICRQ': 2, 'ICRP': 2, 'ICCN': 2, 'CDN': 2, 'WEN': 2, 'SLI': 2}
all(c['direction'] == 'incoming' and c['was_up'] for c in calls(0))
# the PAC clears with CDN alone: reported, the call still ends
all(c['cdn_without_ccrq'] and c['end'] == 'cdn' for c in calls(0))
[e['kind'] for e in s[0]['events']] == ['cdn-without-ccrq', 'cdn-without-ccrq']
FACTS

check_json $data/ipv6.pcap <<'FACTS'
s[0]['endpoints'][0]['addr'] == '2001:db8:1::11' and s[0]['endpoints'][1]['addr'] == '2001:db8:2::2'
s[0]['messages']['EchoRQ'] == 2 and s[0]['messages']['SLI'] == 2 and s[0]['messages']['WEN'] == 2
all(c['gre'][d]['data'] == 2 and c['gre'][d]['ack_only'] <= 1 for c in calls(0) for d in (0, 1))
FACTS

check_json $data/twoclients.pcap <<'FACTS'
len(s) == 2 and sorted(e['addr'] for e in (s[0]['endpoints'][0], s[1]['endpoints'][0])) == ['192.0.2.11', '192.0.2.12']
[c['pns_call_id'] for c in calls(0)] == [7, 8] and [c['pns_call_id'] for c in calls(1)] == [7, 8]
len({c['pac_call_id'] for c in calls(0) + calls(1)}) == 4
all(g['data'] == 2 and g['ack_only'] <= 1 for c in calls(0) + calls(1) for g in c['gre'])
FACTS

check_json $data/hostile.pcap <<'FACTS'
s[0]['invalid'] == {'bad-magic-cookie': 1} and s[0]['anomalies'] == {'framing-lost': 1}
# framing is found again: the call after the bad message is tracked
len(calls(0)) == 1 and calls(0)[0]['was_up'] and calls(0)[0]['gre'][0]['data'] == 2
j['orphan_gre'] == []
FACTS

# Same traffic, other link layers: sessions and orphans must not change.
same_as() {
	local orig=$1 variant=$2 what=$3
	inspect pcap --json "$orig" >"$tmp/orig.json" </dev/null || die "$orig: pptp-ng failed"
	inspect pcap --json "$variant" >"$tmp/variant.json" || die "$what: pptp-ng failed"
	python3 - "$tmp/orig.json" "$tmp/variant.json" <<-'PY' || die "$what decodes differently"
		import json, sys
		a, b = (json.load(open(f))["captures"][0] for f in sys.argv[1:3])
		assert a["sessions"] == b["sessions"], "sessions differ"
		assert a["orphan_gre"] == b["orphan_gre"], "orphan GRE differs"
		assert a["gre"] == b["gre"], "GRE counters differ"
	PY
	pretty link "$what: same sessions, calls and GRE"
}
for k in sll sll2 raw ipv4 null loop qinq ip6tun; do
	python3 tests/inspect/relink.py $data/coalesce.pcap "$tmp/$k.pcap" $k
	same_as $data/coalesce.pcap "$tmp/$k.pcap" "coalesce as $k"
done
python3 tests/inspect/relink.py $data/ipv6.pcap "$tmp/ipv6only.pcap" ipv6
same_as $data/ipv6.pcap "$tmp/ipv6only.pcap" "ipv6 as LINKTYPE_IPV6"
if command -v editcap >/dev/null; then
	editcap -F pcapng $data/incoming.pcap "$tmp/incoming.pcapng"
	same_as $data/incoming.pcap "$tmp/incoming.pcapng" "incoming as pcapng"
fi
same_as $data/split.pcap - "split from stdin" <$data/split.pcap

# TCP: reordered and duplicated segments change nothing but their counters.
python3 tests/inspect/relink.py $data/split.pcap "$tmp/swap.pcap" swap
inspect pcap --json "$tmp/swap.pcap" >"$tmp/swap.json"
python3 tests/inspect/relink.py $data/split.pcap "$tmp/dup.pcap" dup
inspect pcap --json "$tmp/dup.pcap" >"$tmp/dup.json"
python3 tests/inspect/relink.py $data/split.pcap "$tmp/drop.pcap" drop
inspect pcap --json "$tmp/drop.pcap" >"$tmp/drop.json"
inspect pcap --json $data/split.pcap >"$tmp/split.json"
python3 - "$tmp/split.json" "$tmp/swap.json" "$tmp/dup.json" "$tmp/drop.json" <<'EOF' || die "TCP stream handling"
import json, sys
o, sw, du, dr = (json.load(open(f))["captures"][0]["sessions"][0] for f in sys.argv[1:5])
for name, v in (("swap", sw), ("dup", du)):
    assert v["messages"] == o["messages"], name + ": messages differ"
    assert [c["pns_call_id"] for c in v["calls"]] == [1, 2], name + ": calls differ"
    assert v["anomalies"] == {} and v["invalid"] == {}, name + ": anomalies"
assert sw["tcp"][0]["out_of_order"] == 1 and sw["tcp"][0]["gaps"] == 0
assert du["tcp"][0]["retransmitted"] == 1 and du["core"]["retransmitted_bytes_0"] == 13
# the first half of the first OCRQ is lost: a gap, and only call 2 is known
assert dr["tcp"][0]["gaps"] == 1 and dr["tcp"][0]["gap_bytes"] == 13
assert dr["anomalies"]["stream-gap"] == 1 and dr["messages"]["OCRQ"] == 1
assert [c["pns_call_id"] for c in dr["calls"]] == [2]
assert [e["bytes"] for e in dr["events"] if e["kind"] == "tcp-gap"] == [13]
EOF
pretty tcp "reordered, duplicated and lost segments"

# Mid-session captures (PPTP_F_MIDSTREAM): starting at the first OCRQ, both
# calls are tracked; starting inside it, framing is hunted for, the second
# call is tracked and the first is rebuilt from its OCRP and GRE.
# (tests/inspect/midcall.test cuts captures in the middle of calls.)
if command -v editcap >/dev/null; then
	# first halves are the 13-byte segments to port 1723: SCCRQ's, then the first OCRQ's
	at=$(tshark -r $data/split.pcap -Y 'tcp.dstport == 1723 && tcp.len == 13' \
		-T fields -e frame.number 2>/dev/null | sed -n 2p)
	[ -n "$at" ] || die "split.pcap: no first half of the first OCRQ"
	editcap -r $data/split.pcap "$tmp/mid-a.pcap" "$at-100000"
	editcap -r $data/split.pcap "$tmp/mid-b.pcap" "$((at + 1))-100000"
	inspect pcap --json "$tmp/mid-a.pcap" >"$tmp/mid-a.json"
	inspect pcap --json "$tmp/mid-b.pcap" >"$tmp/mid-b.json"
	python3 - "$tmp/mid-a.json" "$tmp/mid-b.json" <<'EOF' || die "mid-session captures"
import json, sys
a, b = (json.load(open(f))["captures"][0] for f in sys.argv[1:3])
s = a["sessions"][0]
assert s["endpoints"][0]["role"] == "PNS" and "SCCRQ" not in s["messages"]
assert [(c["pns_call_id"], c["pac_call_id"], c["end"]) for c in s["calls"]] == [(1, 1, "cdn"), (2, 2, "cdn")]
assert a["orphan_gre"] == [] and s["anomalies"] == {}
s = b["sessions"][0]
assert s["anomalies"] == {"framing-lost": 1} and s["messages"]["OCRQ"] == 1
# the first call's OCRP names both its IDs: it is rebuilt (prior.c), with its GRE
assert s["before_capture"] == {"unknown-call-id": 1}
assert [(c["pns_call_id"], c["pac_call_id"], c["before_capture"], c["end"]) for c in s["calls"]] == \
    [(1, 1, True, "cdn"), (2, 2, False, "cdn")]
assert s["calls"][0]["ccrq_seen"] and s["calls"][0]["reply"]["name"] == "connected"
assert all(g["data"] == 2 for c in s["calls"] for g in c["gre"]) and b["orphan_gre"] == []
EOF
	pretty midstream "captures starting at and inside the first call request"
fi
