#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
#
# relink.py IN OUT KIND: rewrite an Ethernet pcap (no VLAN tags) so each
# packet's IP datagram travels another way, for the inspector's link-layer
# tests.  KIND: sll, sll2, raw, ipv4, ipv6, null, loop, qinq, ip6tun
# (IPv4 in IPv6 with hop-by-hop and destination options headers).
# Or KIND swap, dup, drop: keep the link layer and change the order of the
# TCP stream towards port 1723: swap its 3rd and 4th segments with payload,
# send the 3rd twice, or lose it.

import struct
import sys

TCP_KINDS = ("swap", "dup", "drop")
LINKTYPE = {"swap": 1, "dup": 1, "drop": 1, "sll": 113, "sll2": 276, "raw": 101, "ipv4": 228, "ipv6": 229,
            "null": 0, "loop": 108, "qinq": 1, "ip6tun": 1}
ETH = b"\x02\x00\x00\x00\x00\x01\x02\x00\x00\x00\x00\x02"


def wrap(kind, ip):
    v6 = ip[0] >> 4 == 6
    etype = 0x86DD if v6 else 0x0800
    if kind == "sll":
        return struct.pack(">HHH8sH", 0, 1, 6, b"\x02\0\0\0\0\x01\0\0", etype) + ip
    if kind == "sll2":
        return struct.pack(">HHIHBB8s", etype, 0, 1, 1, 0, 6, b"\x02\0\0\0\0\x01\0\0") + ip
    if kind == "null":
        return struct.pack("<I", 24 if v6 else 2) + ip
    if kind == "loop":
        return struct.pack(">I", 24 if v6 else 2) + ip
    if kind == "qinq":
        return ETH + struct.pack(">HHHHH", 0x88A8, 100, 0x8100, 200, etype) + ip
    if kind == "ip6tun":
        hbh = bytes([60, 0, 1, 4, 0, 0, 0, 0])       # next: dest opts; PadN
        dst = bytes([4, 0, 1, 4, 0, 0, 0, 0])        # next: IPv4; PadN
        payload = hbh + dst + ip
        hdr = struct.pack(">IHBB16s16s", 6 << 28, len(payload), 0, 64,
                          bytes.fromhex("20010db800ff" + "00" * 9 + "01"),
                          bytes.fromhex("20010db800ff" + "00" * 9 + "02"))
        return ETH + struct.pack(">H", 0x86DD) + hdr + payload
    return ip


def to_pac_payload(pkt):
    ip = pkt[14:]
    if ip[0] >> 4 != 4 or ip[9] != 6:
        return False
    ihl = (ip[0] & 15) * 4
    tcp = ip[ihl:]
    dport = struct.unpack(">H", tcp[2:4])[0]
    total = struct.unpack(">H", ip[2:4])[0]
    return dport == 1723 and total - ihl - (tcp[12] >> 4) * 4 > 0


def mangle(kind, records):
    idx = [i for i, r in enumerate(records) if to_pac_payload(r[3])]
    a, b = idx[2], idx[3]
    if kind == "swap":
        records[a], records[b] = records[b], records[a]
    elif kind == "dup":
        records.insert(b, records[a])
    else:
        del records[a]
    return records


def main():
    src, dst, kind = sys.argv[1:4]
    data = open(src, "rb").read()
    magic = data[:4]
    end = "<" if magic in (b"\xd4\xc3\xb2\xa1", b"\x4d\x3c\xb2\xa1") else ">"
    ver_major, ver_minor, zone, sigfigs, snap, link = struct.unpack(end + "HHiIII", data[4:24])
    if link != 1:
        sys.exit("relink.py: input must be Ethernet")
    out = [data[:4], struct.pack(end + "HHiIII", ver_major, ver_minor, zone, sigfigs, 262144,
                                 LINKTYPE[kind])]
    off = 24
    records = []
    while off + 16 <= len(data):
        sec, frac, caplen, wirelen = struct.unpack(end + "IIII", data[off:off + 16])
        records.append((sec, frac, wirelen, data[off + 16:off + 16 + caplen]))
        off += 16 + caplen
    if kind in TCP_KINDS:
        records = mangle(kind, records)
    for sec, frac, wirelen, pkt in records:
        ip = pkt[14:]
        if kind == "ipv4" and ip[0] >> 4 != 4 or kind == "ipv6" and ip[0] >> 4 != 6:
            continue
        new = pkt if kind in TCP_KINDS else wrap(kind, ip)
        grow = len(new) - len(pkt)
        out.append(struct.pack(end + "IIII", sec, frac, len(new), wirelen + grow) + new)
    open(dst, "wb").write(b"".join(out))


main()
