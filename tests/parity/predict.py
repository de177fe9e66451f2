#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
#
# predict.py BASE: what pptp-replay must print for BASE.script if the
# firewall does what `pptp-ng explain` says (BASE.explain.json, explain
# --json of BASE.pcap, whose frame numbers BASE.frames gives per script
# line), on stdout:
#
#   seg, inside host to server: the captured bytes with explain's rewrites
#   seg, back: the captured bytes (the firewall puts the inside host's IDs
#     back where the server echoed the ones it was shown)
#   gre: delivered with the key explain says while a call of that host
#     has that half open, else dropped; the server sends the key explain
#     mapped the inside host's ID to (pptp-replay learns it the same way)
#
# Explain's text is parsed here, so a change of its wording fails the
# parity test rather than passing it.

import json
import re
import sys

REWRITE = re.compile(r"rewrite (\w+) offset (\d+): (\d+) -> (\d+) \((\d+) bytes? at segment offset (\d+)\)")
MAP = re.compile(r"map (?:PNS|PAC) call ID (\d+) of (\S+) -> (\d+) as")
HALF = re.compile(r"GRE (\d)->(\d): key (\d+) on the wire, delivered as (\d+)")
DOWN = re.compile(r"call down, forget its GRE: PNS id/seen-as (\S+), PAC id/seen-as (\S+),")


def load(base):
    script = [l.split() for l in open(base + ".script")]
    frames = [int(l) for l in open(base + ".frames")]
    decisions = json.load(open(base + ".explain.json"))["explain"]["decisions"]
    return script, frames, decisions


def msg_starts(stream):
    """Start offsets of the messages of a control stream."""
    starts, m = [], 0
    while m + 12 <= len(stream):
        n = int.from_bytes(stream[m:m + 2], "big")
        if n < 12:
            break
        starts.append(m)
        m += n
    return starts


def outbound(script):
    """Per connection: the inside host's whole stream, and where each of its segments starts."""
    streams, at = {}, {}
    for i, w in enumerate(script):
        if w[0] == "seg" and w[2] == "0":
            s = streams.setdefault(w[1], bytearray())
            at[i] = len(s)
            s += bytes.fromhex(w[3])
    return streams, at


def rewritten(script, frames, decisions):
    """Per script line of an outbound segment, its bytes as explain says they leave."""
    streams, at = outbound(script)
    by_frame = {f: i for i, f in enumerate(frames)}
    out = {i: bytearray.fromhex(script[i][3]) for i in at}
    for d in decisions:
        m = REWRITE.fullmatch(d["text"])
        if not m or d["dir"] != 0:
            continue
        i = by_frame[d["frame"]]
        field, new, n, off = int(m[2]), int(m[4]), int(m[5]), int(m[6])
        pos = at[i] + off
        start = max(s for s in msg_starts(streams[script[i][1]]) if s <= pos)
        k = pos - start - field		# 1: the field's second byte opens the segment
        out[i][off:off + n] = new.to_bytes(2, "big")[k:k + n]
    return out


class Gre:
    """The open GRE halves, per session, as explain's decisions go."""

    def __init__(self, decisions):
        self.decisions = sorted(decisions, key=lambda d: d["frame"])
        self.host_of = {}		# session -> inside host (it opened the connection)
        self.pns_dir = {}		# session -> the PNS's direction
        self.open = {}			# (session, sender's direction, key on the wire) -> key delivered
        self.xid = {}			# (host, id) -> id the server is shown
        self.next = 0

    def close(self, session, pns, pac):
        """A call is down: both its halves go (an ID that is "?" never opened one)."""
        pd = self.pns_dir.get(session, 0)
        for sender, ids in ((pd, pac), (1 - pd, pns)):
            if ids != "?":
                self.open.pop((session, sender, int(ids.split("/")[1])), None)

    def until(self, frame):
        """Apply every decision of frames before @frame."""
        while self.next < len(self.decisions) and self.decisions[self.next]["frame"] < frame:
            d = self.decisions[self.next]
            self.next += 1
            if d["dir"] == 0:
                self.host_of[d["session"]] = d["from"]
            if d["kind"] == "message" and d["sender"] in ("PNS", "PAC"):
                self.pns_dir[d["session"]] = d["dir"] if d["sender"] == "PNS" else 1 - d["dir"]
            m = MAP.match(d["text"])
            if m:
                self.xid[(m[2], int(m[1]))] = int(m[3])
            m = HALF.search(d["text"])
            if m and d["kind"] == "gre-half":
                self.open[(d["session"], int(m[1]), int(m[3]))] = int(m[4])
            m = DOWN.match(d["text"])
            if m:
                self.close(d["session"], m[1], m[2])

    def deliver(self, host, sender, wire):
        """The key a packet from @sender's side (0 inside) keyed @wire arrives with, or None."""
        for (session, frm, key), to in self.open.items():
            if self.host_of.get(session) == host and frm == sender and key == wire:
                return to
        return None


def main():
    base = sys.argv[1]
    script, frames, decisions = load(base)
    out = rewritten(script, frames, decisions)
    gre = Gre(decisions)
    for i, w in enumerate(script):
        if w[0] == "conn":
            print("conn %s %s connected" % (w[1], w[2]))
        elif w[0] == "close":
            print("close %s" % w[1])
        elif w[0] == "seg":
            data = out[i] if w[2] == "0" else bytes.fromhex(w[3])
            print("seg %s %s %d delivered %s" % (w[1], w[2], len(data), data.hex()))
        elif w[0] == "gre":
            gre.until(frames[i])
            sender, host, g = int(w[1]), w[2], bytes.fromhex(w[4])
            key = int.from_bytes(g[6:8], "big")
            wire = gre.xid.get((host, key), key) if sender else key
            to = gre.deliver(host, sender, wire)
            print("gre %d %s key %d sent %d %s" % (sender, host, key, wire,
                                                   "dropped" if to is None else "delivered %d" % to))


if __name__ == "__main__":
    main()
