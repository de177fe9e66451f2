/* SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause */
/*
 * The input format of the core fuzzer (fuzz_core.c), shared with the seed
 * generator (gen_seeds.c) so the two cannot drift apart.
 *
 * An input is a script: a fixed header that configures the tracker and
 * the caller's call-ID policy, then chunks until the input runs out.  A
 * truncated chunk is played with what is there, so every byte string is a
 * valid script and the fuzzer never wastes inputs on "parse errors".
 *
 * Header (FZ_HDR_LEN bytes):
 *   [0]     bits 0-3: max_calls - 1;  FZ_CFG_MIDSTREAM: PPTP_F_MIDSTREAM;
 *           FZ_CFG_NO_MAP: ops->map_id is NULL;  FZ_CFG_NO_OPS: no ops at all
 *   [1]     bits 0-1: PNS ID policy, bits 2-3: PAC ID policy (FZ_MAP_*),
 *           FZ_POL_TRANSLATED0/1: pptp_set_translated for direction 0/1,
 *           FZ_POL_REFUSE_INVALID: PPTP_F_REFUSE_INVALID
 *   [2..5]  fail mask, big endian: the n-th map_id call fails if bit n % 32
 *           is set (policies FZ_MAP_FAILING and FZ_MAP_OFFSET only)
 *   [6], [7] initial sequence number of direction 0 and 1, times 0x01010101
 *
 * Chunk: an op byte, then the op's operands.  Op bit 0 is the direction,
 * bits 1-3 the kind (FZ_OP_*), bit 4 a modifier.  Lengths are "short
 * lengths": one byte below 0xf0, else ((b & 0x0f) << 8 | next byte).
 *   NEXT:    len, bytes            feed the next bytes of the stream
 *   RETRANS: back, len, [pos], bytes
 *            start @back bytes before the next sequence number (clamped to
 *            what was fed contiguously), @len bytes in all: the old ones are
 *            replayed from the stream copy, the rest are new from the input.
 *            Modifier: flip the old byte at pos % old (retransmission mismatch).
 *   GAP:     skip, len, bytes      feed starting skip+1 bytes too far ahead
 *   RESYNC:  skip                  pptp_resync at next + skip
 *   GRE:     len, bytes            pptp_gre_parse on the bytes
 */
#ifndef PPTP_FUZZ_SCRIPT_H
#define PPTP_FUZZ_SCRIPT_H

#define FZ_HDR_LEN		8

#define FZ_CFG_CALLS_MASK	0x0f
#define FZ_CFG_MIDSTREAM	0x10
#define FZ_CFG_NO_MAP		0x20
#define FZ_CFG_NO_OPS		0x40

#define FZ_POL_TRANSLATED0	0x10
#define FZ_POL_TRANSLATED1	0x20
#define FZ_POL_REFUSE_INVALID	0x40

enum fz_map_policy {
	FZ_MAP_KEEP = 0,	/* map_id leaves the ID as it is */
	FZ_MAP_POOL,		/* unique xid from a small pool, fails when empty */
	FZ_MAP_FAILING,		/* FZ_MAP_POOL, failing by the fail mask too */
	FZ_MAP_OFFSET,		/* xid = id ^ 0x00a5 (same row, like pptp_nat_pick
				 * while it can): not unique; fail mask applies */
};

#define FZ_OP_DIR		0x01
#define FZ_OP_KIND_SHIFT	1
#define FZ_OP_KIND_MASK		0x07
#define FZ_OP_MOD		0x10

/* Kinds 0..3 are all NEXT, so that most chunks simply continue the stream. */
enum fz_op_kind {
	FZ_OP_NEXT = 0,
	FZ_OP_RETRANS = 4,
	FZ_OP_GAP = 5,
	FZ_OP_RESYNC = 6,
	FZ_OP_GRE = 7,
};

#define FZ_OP(kind, dir)	((unsigned char)(((kind) << FZ_OP_KIND_SHIFT) | (dir)))

#define FZ_SHORT_LEN_MAX	0x0fff

#endif /* PPTP_FUZZ_SCRIPT_H */
