#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
#
# check.py [--gre-only] CAPTURE JSON: compare pptp-ng's JSON for CAPTURE with what
# tshark dissects from the same file, then run the hand-verified facts
# given on stdin (Python statements; `j` is the JSON's first capture,
# `s` its sessions, `calls(i)` the calls of session i).  Exit 1 on any
# difference, printing each.
#
# Compared with tshark:
#   - control messages by type per control connection (TCP 4-tuple); our
#     count is valid messages plus invalid ones of that type
#   - the (PNS call ID, PAC call ID) pairs of OCRP and ICRP
#   - GRE v1 packets per (source, destination, call ID)
# Wireshark's PPTP dissector reads one message per TCP segment, so for
# captures with coalesced or split messages --gre-only compares GRE only
# (the facts then carry the message counts).

import collections
import json
import subprocess
import sys

MSG = {1: "SCCRQ", 2: "SCCRP", 3: "StopCCRQ", 4: "StopCCRP", 5: "EchoRQ",
       6: "EchoRP", 7: "OCRQ", 8: "OCRP", 9: "ICRQ", 10: "ICRP", 11: "ICCN",
       12: "CCRQ", 13: "CDN", 14: "WEN", 15: "SLI"}
errors = []


def tshark(cap, flt, fields):
    cmd = ["tshark", "-n", "-r", cap, "-Y", flt, "-T", "fields", "-E", "occurrence=a",
           "-E", "aggregator=,"]
    for f in fields:
        cmd += ["-e", f]
    out = subprocess.run(cmd, capture_output=True, text=True, check=True).stdout
    return [line.split("\t") for line in out.splitlines()]


def first(v):
    return v.split(",")[0] if v else ""


def tshark_facts(cap):
    msgs = collections.defaultdict(collections.Counter)
    pairs = set()
    rows = tshark(cap, "pptp", ["ip.src", "ipv6.src", "tcp.srcport", "ip.dst", "ipv6.dst",
                                "tcp.dstport", "pptp.control_message_type",
                                "pptp.call_id", "pptp.peer_call_id"])
    for r in rows:
        src = first(r[0]) or first(r[1])
        dst = first(r[3]) or first(r[4])
        key = frozenset([(src, int(r[2])), (dst, int(r[5]))])
        types = [int(t) for t in r[6].split(",") if t]
        for t in types:
            msgs[key][MSG.get(t, str(t))] += 1
        # call IDs per message, in order, only for OCRP/ICRP (both IDs present)
        ids = r[7].split(",") if r[7] else []
        peers = r[8].split(",") if r[8] else []
        i_id = i_peer = 0
        for t in types:
            has_id = t in (7, 8, 9, 10, 12, 13)
            has_peer = t in (8, 10, 11, 14, 15)
            cid = ids[i_id] if has_id and i_id < len(ids) else None
            pid = peers[i_peer] if has_peer and i_peer < len(peers) else None
            i_id += has_id
            i_peer += has_peer
            if t == 8 and cid is not None and pid is not None:
                pairs.add((int(pid), int(cid)))     # OCRP: PAC's own, PNS's as peer
            if t == 10 and cid is not None and pid is not None:
                pairs.add((int(cid), int(pid)))     # ICRP: PNS's own, PAC's as peer
    gre = collections.Counter()
    rows = tshark(cap, "gre", ["ip.src", "ipv6.src", "ip.dst", "ipv6.dst",
                               "gre.flags.version", "gre.key.call_id"])
    for r in rows:
        if first(r[4]) != "1":
            continue
        src = first(r[0]) or first(r[1])
        dst = first(r[2]) or first(r[3])
        gre[(src, dst, int(first(r[5])))] += 1
    return msgs, pairs, gre


def our_facts(j):
    msgs = {}
    pairs = set()
    gre = collections.Counter()
    for s in j["sessions"]:
        e = s["endpoints"]
        key = frozenset([(e[0]["addr"], e[0]["port"]), (e[1]["addr"], e[1]["port"])])
        c = collections.Counter(s["messages"])
        for ev in s["events"]:
            if ev["kind"] == "invalid" and "message" in ev:
                c[ev["message"]] += 1
        msgs[key] = c
        role = {e[0]["role"]: e[0]["addr"], e[1]["role"]: e[1]["addr"]}
        for call in s["calls"]:
            if call["pns_call_id"] is not None and call["pac_call_id"] is not None:
                pairs.add((call["pns_call_id"], call["pac_call_id"]))
            for g in call["gre"]:
                if g["packets"]:
                    gre[(role[g["from"]], role[g["to"]], g["call_id"])] += g["packets"]
    for o in j["orphan_gre"]:
        for g in o["gre"]:
            gre[(o["src"], o["dst"], g["call_id"])] += g["packets"]
    return msgs, pairs, gre


def compare(what, ours, theirs):
    if ours != theirs:
        errors.append(f"{what}: pptp-ng {ours} but tshark {theirs}")


def main():
    args = sys.argv[1:]
    gre_only = args[0] == "--gre-only"
    if gre_only:
        args = args[1:]
    cap, jfile = args[0], args[1]
    with open(jfile) as f:
        doc = json.load(f)
    j = doc["captures"][0]
    t_msgs, t_pairs, t_gre = tshark_facts(cap)
    o_msgs, o_pairs, o_gre = our_facts(j)
    if gre_only:
        t_msgs, t_pairs = {}, set()
    else:
        for key in set(t_msgs) | set(o_msgs):
            compare(f"messages of {sorted(key)}", dict(o_msgs.get(key, {})),
                    dict(t_msgs.get(key, {})))
        compare("call ID pairs", sorted(o_pairs), sorted(t_pairs))
    compare("GRE v1 packets", dict(sorted(o_gre.items())), dict(sorted(t_gre.items())))
    s = j["sessions"]

    def calls(i):
        return s[i]["calls"]

    facts = sys.stdin.read() if not sys.stdin.isatty() else ""
    for n, line in enumerate(facts.splitlines(), 1):
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        try:
            ok = eval(line, {"j": j, "s": s, "calls": calls, "len": len, "sum": sum})
        except Exception as e:  # a fact that cannot be evaluated is a failure
            errors.append(f"fact {n} `{line}`: {type(e).__name__}: {e}")
            continue
        if not ok:
            errors.append(f"fact {n} does not hold: {line}")
    for e in errors:
        print(f"{cap}: {e}", file=sys.stderr)
    print(f"{cap}: tshark agrees on {sum(sum(c.values()) for c in t_msgs.values())} messages, "
          f"{len(t_pairs)} calls, {sum(t_gre.values())} GRE packets; "
          f"{len([l for l in facts.splitlines() if l.strip() and not l.strip().startswith('#')])} facts checked"
          if not errors else f"{cap}: {len(errors)} differences", file=sys.stderr)
    return 1 if errors else 0


sys.exit(main())
