#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
#
# craft.py KIND OUT: small captures the inspector's tests need that no
# peer produces on demand, written byte by byte (Ethernet, IPv4), and the
# PPP conversations pptp-sim plays for the audit captures:
#
#   lcp-codes    one call whose PNS sends LCP Identification (code 12),
#                Time-Remaining (13) and a code 40 nobody defines
#   bad-epb      pcapng whose second EPB claims more captured bytes than
#                its block holds (a reader must refuse it, not read on)
#   script-*     a pptp-sim --ppp-script (the PAC authenticates the PNS):
#                chap-md5 (no CCP, IP in clear), mschapv1 (MPPE 40-bit
#                stateful), downgrade (MS-CHAPv2 offered, Nak'd to
#                CHAP-MD5; MPPE 128 offered, Nak'd to 40), eap (MPPE
#                128-bit stateless), mschapv2-56 (MPPE 56-bit stateful),
#                noauth-reject (no authentication; MPPE offered, Rejected,
#                IP in clear); make-captures.sh --audit records
#                two pptp-sim peers playing them
#
# Everything else comes from real peers (make-captures.sh).

import struct
import sys

PNS, PAC = bytes([192, 0, 2, 11]), bytes([203, 0, 113, 2])
ETH = b"\x02\x00\x00\x00\x00\x01\x02\x00\x00\x00\x00\x02\x08\x00"
MAGIC = 0x1A2B3C4D


def ip(src, dst, proto, payload):
    return struct.pack(">BBHHHBBH4s4s", 0x45, 0, 20 + len(payload), 0, 0x4000, 64, proto,
                       0, src, dst) + payload


def tcp(src, dst, sport, dport, seq, ack, flags, payload=b""):
    h = struct.pack(">HHIIBBHHH", sport, dport, seq & 0xFFFFFFFF, ack & 0xFFFFFFFF,
                    5 << 4, flags, 65535, 0, 0)
    return ETH + ip(src, dst, 6, h + payload)


def gre(src, dst, key, seq, payload):
    h = struct.pack(">BBHHHI", 0x30, 0x01, 0x880B, len(payload), key, seq)
    return ETH + ip(src, dst, 47, h + payload)


def msg(ctype, body):
    """A control message: header, then @body zero-padded to the type's length."""
    lens = {1: 156, 2: 156, 7: 168, 8: 32, 12: 16, 13: 148, 3: 16, 4: 16}
    m = struct.pack(">HHIHH", lens[ctype], 1, MAGIC, ctype, 0) + body
    return m + bytes(lens[ctype] - len(m))


def sccrq():
    return msg(1, struct.pack(">HHIIHH", 0x100, 0, 3, 3, 1, 1) + b"craft".ljust(64, b"\0") +
               b"pptp-ng craft.py".ljust(64, b"\0"))


def sccrp():
    return msg(2, struct.pack(">HBBIIHH", 0x100, 1, 0, 3, 3, 1, 1) +
               b"craft-pac".ljust(64, b"\0") + b"pptp-ng craft.py".ljust(64, b"\0"))


def ocrq(call_id, serial=0):
    return msg(7, struct.pack(">HHIIIIHHHH", call_id, serial, 300, 100000000, 3, 3, 64, 0, 0, 0))


def ocrp(call_id, peer_id, result=1):
    return msg(8, struct.pack(">HHBBHIHHI", call_id, peer_id, result, 0, 0, 100000000, 64, 0, 0))


class Pcap:
    def __init__(self, path):
        self.f = open(path, "wb")
        self.f.write(struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 65535, 1))
        self.t = 1700000000 * 1000000

    def write(self, frame):
        self.t += 1000
        self.f.write(struct.pack("<IIII", self.t // 1000000, self.t % 1000000,
                                 len(frame), len(frame)))
        self.f.write(frame)


class Control:
    """One control connection, PNS 192.0.2.11:40000 to PAC 203.0.113.2:1723."""

    def __init__(self, out):
        self.out = out
        self.seq = {PNS: 1000, PAC: 5000}

    def handshake(self):
        self.out.write(tcp(PNS, PAC, 40000, 1723, self.seq[PNS] - 1, 0, 0x02))
        self.out.write(tcp(PAC, PNS, 1723, 40000, self.seq[PAC] - 1, self.seq[PNS], 0x12))
        self.out.write(tcp(PNS, PAC, 40000, 1723, self.seq[PNS], self.seq[PAC], 0x10))

    def send(self, src, payload):
        dst = PAC if src == PNS else PNS
        sp, dp = (40000, 1723) if src == PNS else (1723, 40000)
        self.out.write(tcp(src, dst, sp, dp, self.seq[src], self.seq[dst], 0x18, payload))
        self.seq[src] += len(payload)


def lcp_codes(path):
    out = Pcap(path)
    c = Control(out)
    c.handshake()
    c.send(PNS, sccrq())
    c.send(PAC, sccrp())
    c.send(PNS, ocrq(7))
    c.send(PAC, ocrp(9, 7))
    # Identification (12) as Windows sends it, Time-Remaining (13), code 40
    frames = [b"\xff\x03\xc0\x21\x0c\x01\x00\x0c\x12\x34\x56\x78MSRA",
              b"\xff\x03\xc0\x21\x0d\x02\x00\x0c\x12\x34\x56\x78\x00\x00\x0e\x10",
              b"\xff\x03\xc0\x21\x28\x03\x00\x04"]
    for n, f in enumerate(frames):
        out.write(gre(PNS, PAC, 9, n, f))


def bad_epb(path):
    frame = tcp(PNS, PAC, 40000, 1723, 999, 0, 0x02)
    with open(path, "wb") as f:
        f.write(struct.pack("<IIIHHq", 0x0A0D0D0A, 28, 0x1A2B3C4D, 1, 0, -1) +
                struct.pack("<I", 28))
        # two interfaces of different link types: libpcap refuses the file,
        # so the inspector's own reader reads it
        f.write(struct.pack("<IIHHI", 1, 20, 1, 0, 65535) + struct.pack("<I", 20))
        f.write(struct.pack("<IIHHI", 1, 20, 101, 0, 65535) + struct.pack("<I", 20))

        def epb(caplen):
            body = frame + bytes(-len(frame) % 4)
            blen = 32 + len(body)
            return struct.pack("<IIIIIII", 6, blen, 0, 0, 0, caplen, len(frame)) + body + \
                struct.pack("<I", blen)
        f.write(epb(len(frame)))
        f.write(epb(len(frame) + 400))	# claims more than the block holds
        f.write(epb(len(frame)))


AUTH = {"pap": b"\xc0\x23", "md5": b"\xc2\x23\x05", "mschap": b"\xc2\x23\x80",
        "mschapv2": b"\xc2\x23\x81", "eap": b"\xc2\x27"}
MPPE = {"40": 0x20, "56": 0x80, "128s": 0x01000040, "128": 0x40}


def ppp(proto, code, ident, body=b""):
    return b"\xff\x03" + proto + struct.pack(">BBH", code, ident, 4 + len(body)) + body


def lcp_auth(code, ident, auth):
    opt = AUTH[auth]
    return ppp(b"\xc0\x21", code, ident, struct.pack(">BB", 3, 2 + len(opt)) + opt)


def lcp_mru(code, ident):
    """LCP Configure-* with an MRU of 1400 and no authentication option."""
    return ppp(b"\xc0\x21", code, ident, struct.pack(">BBH", 1, 4, 1400))


def ccp_mppe(code, ident, bits):
    return ppp(b"\x80\xfd", code, ident, struct.pack(">BBI", 18, 6, MPPE[bits]))


def chap(code, ident, name=b""):
    if code == 2:
        return ppp(b"\xc2\x23", 2, ident, b"\x31" + bytes(49) + name)
    return ppp(b"\xc2\x23", code, ident, b"\x10" + bytes(16) + b"pac" if code == 1 else b"")


IP = b"\xff\x03\x00\x21" + bytes.fromhex("450000140000400040010000c6336402c6336401")
MPPE_FRAME = b"\xff\x03\x00\xfd\x90\x00" + bytes(16)


# The PPP conversations of the audit cases: (sender, frame), in order.
AUDIT_FRAMES = {
    "chap-md5": [(PAC, lcp_auth(1, 1, "md5")), (PNS, lcp_auth(2, 1, "md5")),
                 (PAC, chap(1, 1)), (PNS, chap(2, 1, b"alice")), (PAC, chap(3, 1)),
                 (PNS, IP), (PAC, IP)],
    "mschapv1": [(PAC, lcp_auth(1, 1, "mschap")), (PNS, lcp_auth(2, 1, "mschap")),
                 (PAC, chap(1, 1)), (PNS, chap(2, 1, b"CORP\\bob")), (PAC, chap(3, 1)),
                 (PNS, ccp_mppe(1, 1, "40")), (PAC, ccp_mppe(2, 1, "40")),
                 (PAC, ccp_mppe(1, 2, "40")), (PNS, ccp_mppe(2, 2, "40")),
                 (PNS, MPPE_FRAME), (PAC, MPPE_FRAME)],
    "downgrade": [(PAC, lcp_auth(1, 1, "mschapv2")), (PNS, lcp_auth(3, 1, "md5")),
                  (PAC, lcp_auth(1, 2, "md5")), (PNS, lcp_auth(2, 2, "md5")),
                  (PAC, chap(1, 1)), (PNS, chap(2, 1, b"carol")), (PAC, chap(3, 1)),
                  (PNS, ccp_mppe(1, 1, "128")), (PAC, ccp_mppe(3, 1, "40")),
                  (PNS, ccp_mppe(1, 2, "40")), (PAC, ccp_mppe(2, 2, "40")),
                  (PNS, MPPE_FRAME)],
    "eap": [(PAC, lcp_auth(1, 1, "eap")), (PNS, lcp_auth(2, 1, "eap")),
            (PAC, ppp(b"\xc2\x27", 1, 1, b"\x01")), (PNS, ppp(b"\xc2\x27", 2, 1, b"\x01dave")),
            (PAC, ppp(b"\xc2\x27", 3, 1)),
            (PNS, ccp_mppe(1, 1, "128s")), (PAC, ccp_mppe(2, 1, "128s")),
            (PNS, MPPE_FRAME), (PAC, MPPE_FRAME)],
    "mschapv2-56": [(PAC, lcp_auth(1, 1, "mschapv2")), (PNS, lcp_auth(2, 1, "mschapv2")),
                    (PAC, chap(1, 1)), (PNS, chap(2, 1, b"erin")), (PAC, chap(3, 1)),
                    (PNS, ccp_mppe(1, 1, "56")), (PAC, ccp_mppe(2, 1, "56")),
                    (PAC, ccp_mppe(1, 2, "56")), (PNS, ccp_mppe(2, 2, "56")),
                    (PNS, MPPE_FRAME), (PAC, MPPE_FRAME)],
    "noauth-reject": [(PAC, lcp_mru(1, 1)), (PNS, lcp_mru(2, 1)),
                      (PNS, ccp_mppe(1, 1, "56")), (PAC, ccp_mppe(4, 1, "56")),
                      (PNS, IP), (PAC, IP)],
}


def audit_script(case):
    """pptp-sim --ppp-script lines: the same conversation between real peers."""
    def write(path):
        with open(path, "w") as f:
            for who, frame in AUDIT_FRAMES[case]:
                f.write("%s %s\n" % ("PNS" if who == PNS else "PAC", frame.hex()))
    return write


KINDS = {"lcp-codes": lcp_codes, "bad-epb": bad_epb}
for _case in AUDIT_FRAMES:
    KINDS["script-" + _case] = audit_script(_case)

if __name__ == "__main__":
    if len(sys.argv) != 3 or sys.argv[1] not in KINDS:
        sys.exit("usage: craft.py {%s} OUT" % ",".join(KINDS))
    KINDS[sys.argv[1]](sys.argv[2])
