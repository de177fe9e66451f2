#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
#
# held.py OUT SESSIONS SEGS SEGLEN: a pcap of SESSIONS PPTP control
# connections whose every direction must be held by the inspector: after
# the handshake, each side's first SEGLEN bytes are lost (never in the
# capture) and its next SEGS segments of SEGLEN bytes arrive, never
# acknowledged past the gap.  Segments go round the connections, so all
# of them hold data at once: SESSIONS x 2 x SEGS x SEGLEN bytes in all.
# The client sends Echo-Requests, the server Echo-Replies (SEGLEN a
# multiple of 80 keeps both whole in each segment).  Ethernet, IPv4.

import struct
import sys

SERVER = bytes([192, 0, 2, 1])
ETH = b"\x02\x00\x00\x00\x00\x01\x02\x00\x00\x00\x00\x02\x08\x00"
MAGIC = 0x1A2B3C4D


def client_addr(i):
    return bytes([10, 1 + i // 62500, i // 250 % 250, 2 + i % 250])


def echo_rq(n):
    return b"".join(struct.pack(">HHIHHI", 16, 1, MAGIC, 5, 0, k) for k in range(n))


def echo_rp(n):
    return b"".join(struct.pack(">HHIHHIBBH", 20, 1, MAGIC, 6, 0, k, 1, 0, 0) for k in range(n))


def packet(src, dst, sport, dport, seq, ack, flags, payload=b""):
    tcp = struct.pack(">HHIIBBHHH", sport, dport, seq & 0xFFFFFFFF, ack & 0xFFFFFFFF,
                      5 << 4, flags, 65535, 0, 0)
    ip = struct.pack(">BBHHHBBH4s4s", 0x45, 0, 20 + len(tcp) + len(payload), 0, 0x4000,
                     64, 6, 0, src, dst)
    return ETH + ip + tcp + payload


class Pcap:
    def __init__(self, path):
        self.f = open(path, "wb")
        self.f.write(struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 65535, 1))
        self.t = 1700000000 * 1000000

    def write(self, frame):
        self.t += 10
        self.f.write(struct.pack("<IIII", self.t // 1000000, self.t % 1000000,
                                 len(frame), len(frame)))
        self.f.write(frame)


def main(argv):
    if len(argv) != 4:
        sys.exit("usage: held.py OUT SESSIONS SEGS SEGLEN")
    out, sessions, segs, seglen = argv[0], int(argv[1]), int(argv[2]), int(argv[3])
    if seglen % 80 or seglen > 65000:
        sys.exit("held.py: SEGLEN a multiple of 80, at most 65000")
    rq, rp = echo_rq(seglen // 16), echo_rp(seglen // 20)
    p = Pcap(out)
    cisn, sisn = 1000, 500000
    for i in range(sessions):
        c, port = client_addr(i), 1024 + i % 60000
        p.write(packet(c, SERVER, port, 1723, cisn, 0, 0x02))
        p.write(packet(SERVER, c, 1723, port, sisn, cisn + 1, 0x12))
        p.write(packet(c, SERVER, port, 1723, cisn + 1, sisn + 1, 0x10))
    # Segment 0 of each direction is the one lost.
    for k in range(1, segs + 1):
        for i in range(sessions):
            c, port = client_addr(i), 1024 + i % 60000
            p.write(packet(c, SERVER, port, 1723, cisn + 1 + k * seglen, sisn + 1, 0x18, rq))
            p.write(packet(SERVER, c, 1723, port, sisn + 1 + k * seglen, cisn + 1, 0x18, rp))
    p.f.close()


main(sys.argv[1:])
