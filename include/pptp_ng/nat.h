/* SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause */
/*
 * Call-ID translation policy, shared by every face so that they all pick
 * the same translated IDs for the same traffic (and `pptp-ng explain` can
 * say which ones a firewall will pick).
 *
 * A translated call ID must be unique among the IDs that the same peer
 * sends GRE with to the same address: that pair and the key are all a GRE
 * packet from the peer carries.  The face keeps one struct pptp_id_space
 * per (address the inside host is seen as, peer), wherever it likes; the
 * core only reads and writes the bits.  Memory is the caller's: the space
 * is a plain bitmap of 65536 IDs (8 KiB), so choosing an ID costs at most
 * one pass over it, however full it is.
 */
#ifndef PPTP_NG_NAT_H
#define PPTP_NG_NAT_H

#include "core.h"

#define PPTP_ID_WORDS	(65536 / 32)

struct pptp_id_space {
	u32 used[PPTP_ID_WORDS];	/* bit set: the other side sees this ID already */
	u32 live;			/* bits set, ID 0 not counted */
};

/* An empty space.  ID 0 is never handed out (see pptp_nat_pick). */
void pptp_ids_init(struct pptp_id_space *sp);

static inline int pptp_ids_used(const struct pptp_id_space *sp, u16 id)
{
	return (sp->used[id / 32] >> (id % 32)) & 1;
}

/* Mark @id taken (it must be free) or free again. */
void pptp_ids_take(struct pptp_id_space *sp, u16 id);
void pptp_ids_put(struct pptp_id_space *sp, u16 id);

/*
 * Choose the ID the other side will see for @role's new call ID @id in
 * tracker @t, and take it in @sp.  The policy:
 *   - @id itself when it is free (NAT keeps ports when it can);
 *   - otherwise the highest free ID, skipping, for a PNS ID, every ID the
 *     session's PAC uses itself: a CDN names either side's ID (RFC 2637
 *     says the PAC's, Windows sends the PNS's), and the tracker tells them
 *     apart by value.  PACs count their IDs up from small numbers, so
 *     translated IDs come from the top.
 *   - never 0: a GRE packet keyed 0 looks like GRE version 0 to conntrack.
 * Deterministic: the same traffic gets the same IDs in every face.
 * Returns 0, or -1 when every ID is taken.
 */
int pptp_nat_pick(const struct pptp_tracker *t, struct pptp_id_space *sp, u8 role, u16 id,
		  u16 *xid);

#endif /* PPTP_NG_NAT_H */
