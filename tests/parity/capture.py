#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
#
# capture.py IN OUT [--twice]: turn a capture (pcap) into what the parity
# test replays, as seen from the inside of a NAT firewall:
#
#   OUT.script  for pptp-replay: each control connection's payload
#               segments per direction and every GRE v1 packet, in
#               capture order (retransmitted bytes left out)
#   OUT.pcap    the same events as a clean capture (handshake, segments,
#               GRE, FIN), which `pptp-ng explain` reads
#
# Hosts are renamed into the test topology (tests/lib/netns.sh): the side
# that opened a control connection is inside (192.0.2.11, .12, ...), the
# other is the server (203.0.113.2).  With --twice every inside host's
# traffic is also played by a second inside host right after it, so the
# two use the same call IDs towards the server and the NAT must tell
# them apart.  IPv4 only; connections whose start is not in the capture
# are left out, GRE between hosts that have no connection too.

import os
import struct
import sys

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "inspect"))
from craft import ETH, ip, tcp  # noqa: E402

SERVER = "203.0.113.2"
INSIDE = "192.0.2.%d"


def frames(path):
    """(linktype, frame bytes) of each packet of a pcap file."""
    data = open(path, "rb").read()
    magic = data[:4]
    if magic in (b"\xd4\xc3\xb2\xa1", b"\x4d\x3c\xb2\xa1"):
        end = "<"
    elif magic in (b"\xa1\xb2\xc3\xd4", b"\xa1\xb2\x3c\x4d"):
        end = ">"
    else:
        sys.exit("capture.py: %s: not a pcap file (pcapng is not read here)" % path)
    link = struct.unpack(end + "I", data[20:24])[0]
    off = 24
    while off + 16 <= len(data):
        incl = struct.unpack(end + "I", data[off + 8:off + 12])[0]
        yield link, data[off + 16:off + 16 + incl]
        off += 16 + incl


def ipv4_of(link, f):
    """The IPv4 datagram in a frame, or None."""
    if link == 1:
        etype, off = struct.unpack(">H", f[12:14])[0], 14
        while etype in (0x8100, 0x88A8) and len(f) >= off + 4:
            etype, off = struct.unpack(">H", f[off + 2:off + 4])[0], off + 4
        return f[off:] if etype == 0x0800 else None
    if link == 113:
        return f[16:] if struct.unpack(">H", f[14:16])[0] == 0x0800 else None
    if link in (101, 228):
        return f if f and f[0] >> 4 == 4 else None
    return None


def addr(b):
    return ".".join(str(x) for x in b)


class Conn:
    def __init__(self, cid, client, server, cport):
        self.cid, self.client, self.server, self.cport = cid, client, server, cport
        self.next = [None, None]	# next sequence number per direction, 0: client's


def read_events(path):
    """Connections and GRE of a capture: a list of events in capture order."""
    conns, events = {}, []
    for link, f in frames(path):
        p = ipv4_of(link, f)
        if not p or len(p) < 20:
            continue
        hl = (p[0] & 15) * 4
        total = min(struct.unpack(">H", p[2:4])[0], len(p))
        src, dst, proto, body = addr(p[12:16]), addr(p[16:20]), p[9], p[hl:total]
        if proto == 47 and len(body) >= 8 and body[1] & 7 == 1:
            events.append(("gre", src, dst, bytes(body)))
        if proto != 6 or len(body) < 20:
            continue
        sport, dport, seq = struct.unpack(">HHI", body[:8])
        flags, doff = body[13], (body[12] >> 4) * 4
        if 1723 not in (sport, dport):
            continue
        key = frozenset([(src, sport), (dst, dport)])
        c = conns.get(key)
        if flags & 0x12 == 0x02 and (c is None or c.closed):
            c = Conn(len([e for e in events if e[0] == "conn"]), src, dst, sport)
            c.closed = False
            conns[key] = c
            c.next[0] = (seq + 1) & 0xFFFFFFFF
            events.append(("conn", c))
            continue
        if c is None or c.closed:
            continue
        d = 0 if src == c.client and sport == c.cport else 1
        if flags & 0x12 == 0x12:
            c.next[1] = (seq + 1) & 0xFFFFFFFF
            continue
        data = bytes(body[doff:])
        if data and c.next[d] is not None:
            skip = (c.next[d] - seq) & 0xFFFFFFFF
            if skip < 0x80000000:		# bytes already seen: a retransmission
                data = data[skip:]
                seq = (seq + skip) & 0xFFFFFFFF
            if seq == c.next[d] and data:
                events.append(("seg", c, d, data))
                c.next[d] = (seq + len(data)) & 0xFFFFFFFF
        if flags & 0x05:
            c.closed = True
            events.append(("close", c))
    return events


def rename(events, twice):
    """Inside hosts become 192.0.2.11 and up, servers 203.0.113.2; GRE keeps to them."""
    inside, renamed = {}, []
    for e in events:
        if e[0] == "conn":
            inside.setdefault(e[1].client, INSIDE % (11 + 2 * len(inside) if twice else 11 + len(inside)))
    for e in events:
        if e[0] == "gre":
            src, dst = e[1], e[2]
            if src in inside and dst not in inside:
                sender, host = 0, inside[src]
            elif dst in inside and src not in inside:
                sender, host = 1, inside[dst]
            else:
                continue
            hosts = [host] + ([next_host(host)] if twice else [])
            renamed += [("gre", sender, h, e[3]) for h in hosts]
        else:
            c = e[1]
            copies = [(c.cid * 2 if twice else c.cid, inside[c.client])]
            if twice:
                copies.append((c.cid * 2 + 1, next_host(inside[c.client])))
            renamed += [(e[0], cid, host) + e[2:] for cid, host in copies]
    return renamed


def next_host(h):
    a = h.split(".")
    return ".".join(a[:3] + [str(int(a[3]) + 1)])


def write_script(path, events):
    with open(path, "w") as f:
        for e in events:
            if e[0] == "conn":
                f.write("conn %d %s %s\n" % (e[1], e[2], SERVER))
            elif e[0] == "seg":
                f.write("seg %d %d %s\n" % (e[1], e[3], e[4].hex()))
            elif e[0] == "close":
                f.write("close %d\n" % e[1])
            else:
                f.write("gre %d %s %s %s\n" % (e[1], e[2], SERVER, e[3].hex()))


def octets(a):
    return bytes(map(int, a.split(".")))


def tcp_frame(src, dst, sport, dport, seq, ack, flags, payload=b""):
    return tcp(octets(src), octets(dst), sport, dport, seq, ack, flags, payload)


def write_pcap(path, events):
    """A clean capture of @events; returns the frame number (from 1) of each event."""
    out = open(path, "wb")
    out.write(struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 65535, 1))
    t, n, numbers, conns = [1700000000 * 1000000], [0], [], {}

    def put(frame):
        t[0] += 1000
        n[0] += 1
        out.write(struct.pack("<IIII", t[0] // 1000000, t[0] % 1000000, len(frame), len(frame)))
        out.write(frame)

    for e in events:
        if e[0] == "conn":
            c = conns[e[1]] = {"host": e[2], "port": 40000 + e[1], "seq": [1000, 5000]}
            hosts = (c["host"], SERVER)
            put(tcp_frame(hosts[0], hosts[1], c["port"], 1723, 999, 0, 0x02))
            put(tcp_frame(hosts[1], hosts[0], 1723, c["port"], 4999, 1000, 0x12))
            put(tcp_frame(hosts[0], hosts[1], c["port"], 1723, 1000, 5000, 0x10))
        elif e[0] in ("seg", "close"):
            c = conns[e[1]]
            d = e[3] if e[0] == "seg" else 0
            hosts, ports = (c["host"], SERVER), (c["port"], 1723)
            data = e[4] if e[0] == "seg" else b""
            put(tcp_frame(hosts[d], hosts[1 - d], ports[d], ports[1 - d], c["seq"][d],
                          c["seq"][1 - d], 0x18 if data else 0x11, data))
            c["seq"][d] += len(data)
        else:
            s, d = (e[2], SERVER) if e[1] == 0 else (SERVER, e[2])
            put(ETH + ip(octets(s), octets(d), 47, e[3]))
        numbers.append(n[0])
    return numbers


def main():
    args = [a for a in sys.argv[1:] if a != "--twice"]
    if len(args) != 2:
        sys.exit("usage: capture.py IN OUT [--twice]")
    events = rename(read_events(args[0]), "--twice" in sys.argv)
    if not any(e[0] == "seg" for e in events):
        sys.exit("capture.py: %s: no control connection starts in it" % args[0])
    write_script(args[1] + ".script", events)
    numbers = write_pcap(args[1] + ".pcap", events)
    with open(args[1] + ".frames", "w") as f:
        f.write("".join("%d\n" % x for x in numbers))


if __name__ == "__main__":
    main()
