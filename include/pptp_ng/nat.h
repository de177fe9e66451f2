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
 *   - otherwise the highest free ID with the same first byte as @id (its
 *     row of 256), else the highest free ID of all; for a PNS ID skipping
 *     every ID the session's PAC uses itself: a CDN names either side's
 *     ID (RFC 2637 says the PAC's, Windows sends the PNS's), and the
 *     tracker tells them apart by value.  Hosts count their IDs up from
 *     small numbers, so translated IDs come from the top of the row.
 *     Keeping the row keeps an ID's first byte: a segment that ends after
 *     it can pass before the second arrives (the core's ids_fixed()).
 *   - never 0: a GRE packet keyed 0 looks like GRE version 0 to conntrack.
 * Deterministic: the same traffic gets the same IDs in every face.
 * Returns 0, or -1 when every ID is taken.
 */
int pptp_nat_pick(const struct pptp_tracker *t, struct pptp_id_space *sp, u8 role, u16 id,
		  u16 *xid);

/*
 * One direction of a call's GRE.  The host that sends in control
 * connection direction @dir sends the call's GRE keyed @key_wire (the
 * receiver's call ID as the sender knows it); the receiver must get it
 * keyed @key_deliver (its own ID; the same unless translated).
 *
 * A half opens as soon as its receiver's ID is known: the half to the
 * side that named its ID at PPTP_EV_CALL_ID (OCRQ, ICRQ, ICRP), both at
 * PPTP_EV_CALL_UP; both close at PPTP_EV_CALL_DOWN, which every call ends
 * with, up or not.  A face carries that out in its own terms
 * (expectations, map elements, printed lines), opening a half once.
 */
struct pptp_gre_half {
	u8 dir;
	u16 key_wire;
	u16 key_deliver;
};

#define PPTP_GRE_TO_PAC		0x1	/* h[0]: the PNS's GRE to the PAC */
#define PPTP_GRE_TO_PNS		0x2	/* h[1]: the PAC's GRE to the PNS */
#define PPTP_GRE_BOTH		(PPTP_GRE_TO_PAC | PPTP_GRE_TO_PNS)

/*
 * The halves of @c in tracker @t that may be open: [0] to the PAC, filled
 * once the PAC's ID is known, [1] to the PNS once the PNS's is.  Returns
 * which (PPTP_GRE_*), 0 while the roles are not known.
 */
unsigned int pptp_gre_halves(const struct pptp_tracker *t, const struct pptp_call *c,
			     struct pptp_gre_half h[2]);

/* The half to @role: PPTP_GRE_TO_PAC or PPTP_GRE_TO_PNS. */
static inline unsigned int pptp_gre_to(u8 role)
{
	return role == PPTP_PAC ? PPTP_GRE_TO_PAC : PPTP_GRE_TO_PNS;
}

#endif /* PPTP_NG_NAT_H */
