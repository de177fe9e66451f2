// SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
/* Call-ID translation policy (see nat.h). */
#include "nat.h"

void pptp_ids_init(struct pptp_id_space *sp)
{
	memset(sp, 0, sizeof(*sp));
	sp->used[0] = 1;	/* ID 0 */
}

void pptp_ids_take(struct pptp_id_space *sp, u16 id)
{
	if (!id || pptp_ids_used(sp, id))
		return;
	sp->used[id / 32] |= 1u << (id % 32);
	sp->live++;
}

void pptp_ids_put(struct pptp_id_space *sp, u16 id)
{
	if (!id || !pptp_ids_used(sp, id))
		return;
	sp->used[id / 32] &= ~(1u << (id % 32));
	sp->live--;
}

/* 32-bit words per row of 256 IDs: IDs with the same first byte. */
#define ROW_WORDS	(256 / 32)

/* The PAC of this session uses @id as its own call ID. */
static int pac_uses(const struct pptp_tracker *t, u16 id)
{
	return pptp_find_by_id(t, PPTP_PAC, id) != NULL;
}

/*
 * The highest free ID in words @lo to @hi that a PNS may see (@guard),
 * scanning down; 0 when none.  Each guarded ID is skipped once, so the
 * scan costs one pass over the words plus the session's PAC IDs.
 */
static u16 highest_free(const struct pptp_tracker *t, const struct pptp_id_space *sp,
			int guard, int lo, int hi)
{
	int w, b;

	for (w = hi; w >= lo; w--) {
		u32 free_bits = ~sp->used[w];

		for (b = 31; free_bits && b >= 0; b--) {
			u16 cand = (u16)(w * 32 + b);

			if (!((free_bits >> b) & 1))
				continue;
			if (!guard || !pac_uses(t, cand))
				return cand;
		}
	}
	return 0;
}

int pptp_nat_pick(const struct pptp_tracker *t, struct pptp_id_space *sp, u8 role, u16 id,
		  u16 *xid)
{
	int guard = role == PPTP_PNS, row = id >> 8;
	u16 cand = id;

	if (!id || pptp_ids_used(sp, id)) {
		cand = highest_free(t, sp, guard, row * ROW_WORDS, row * ROW_WORDS + ROW_WORDS - 1);
		if (!cand)
			cand = highest_free(t, sp, guard, 0, PPTP_ID_WORDS - 1);
	}
	if (!cand)
		return -1;
	pptp_ids_take(sp, cand);
	*xid = cand;
	return 0;
}

unsigned int pptp_gre_halves(const struct pptp_tracker *t, const struct pptp_call *c,
			     struct pptp_gre_half h[2])
{
	unsigned int pns_dir, open = 0;

	if (t->role[0] == PPTP_PNS)
		pns_dir = 0;
	else if (t->role[1] == PPTP_PNS)
		pns_dir = 1;
	else
		return 0;
	/* The PNS keys its GRE with the PAC's ID, the PAC with the PNS's. */
	if (c->has_id[PPTP_PAC]) {
		h[0].dir = (u8)pns_dir;
		h[0].key_wire = c->xid[PPTP_PAC];
		h[0].key_deliver = c->id[PPTP_PAC];
		open |= PPTP_GRE_TO_PAC;
	}
	if (c->has_id[PPTP_PNS]) {
		h[1].dir = (u8)!pns_dir;
		h[1].key_wire = c->xid[PPTP_PNS];
		h[1].key_deliver = c->id[PPTP_PNS];
		open |= PPTP_GRE_TO_PNS;
	}
	return open;
}
