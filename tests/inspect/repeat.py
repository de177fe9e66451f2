#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
#
# repeat.py (--copies N | --bytes N) OUT FILE...: one pcap made of FILEs
# (classic pcap, either byte order, micro- or nanosecond; turn pcapng into
# pcap with editcap first) one after the other, that whole sequence
# repeated N times or until OUT has N bytes.  Packets are kept byte for
# byte; only timestamps move, so that time runs forward through OUT: each
# file starts a second after the one before ended, and a pause of more
# than a minute inside one (captures made of captures jump years) is cut
# to a minute.  Files of another link type than the first are left out.
# Prints: packets written, copies, packets per copy, files left out.
#
# bench/inspect_speed.sh builds its large capture with it;
# tests/inspect/many.test its capture of thousands of connections.

import struct
import sys

KINDS = {b'\xd4\xc3\xb2\xa1': ('<', 1), b'\xa1\xb2\xc3\xd4': ('>', 1),
	 b'\x4d\x3c\xb2\xa1': ('<', 1000), b'\xa1\xb2\x3c\x4d': ('>', 1000)}
MINUTE = 60 * 1000000
START = 1700000000 * 1000000	# 2023-11-14, in microseconds


def read_unit(files):
	"""(records, link type, snaplen, period in us, files left out)"""
	unit, cursor, snap, link, skipped = [], 0, 0, None, 0
	for f in files:
		b = open(f, 'rb').read()
		if b[:4] not in KINDS or len(b) < 24:
			sys.exit(f'repeat.py: {f}: not a classic pcap file')
		end, div = KINDS[b[:4]]
		lt = struct.unpack(end + 'I', b[20:24])[0] & 0x0fffffff
		if link is None:
			link = lt
		if lt != link:
			skipped += 1
			continue
		snap = max(snap, struct.unpack(end + 'I', b[16:20])[0])
		off, prev = 24, None
		while off + 16 <= len(b):
			sec, frac, incl, orig = struct.unpack(end + 'IIII', b[off:off + 16])
			us = sec * 1000000 + frac // div
			if prev is not None:
				cursor += min(max(us - prev, 0), MINUTE)
			prev = us
			data = b[off + 16:off + 16 + incl]
			unit.append((cursor, struct.pack('<II', len(data), orig) + data))
			off += 16 + incl
		cursor += 1000000
	return unit, link, snap, cursor, skipped


def main(argv):
	if len(argv) < 4 or argv[0] not in ('--copies', '--bytes'):
		sys.exit('usage: repeat.py (--copies N | --bytes N) OUT FILE...')
	n, out, files = int(argv[1]), argv[2], argv[3:]
	unit, link, snap, period, skipped = read_unit(files)
	if not unit:
		sys.exit('repeat.py: no packets')
	unit_bytes = sum(8 + len(t) for _, t in unit)
	copies = n if argv[0] == '--copies' else max(1, -(-(n - 24) // unit_bytes))
	with open(out, 'wb') as o:
		o.write(struct.pack('<IHHiIII', 0xa1b2c3d4, 2, 4, 0, 0, snap, link))
		for k in range(copies):
			base = START + k * period
			o.write(b''.join(struct.pack('<II', *divmod(base + r, 1000000)) + t
					 for r, t in unit))
	print(copies * len(unit), copies, len(unit), skipped)


if __name__ == '__main__':
	main(sys.argv[1:])
