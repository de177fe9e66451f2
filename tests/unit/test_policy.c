// SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
/*
 * The call-ID translation policy (nat.h): keep the ID when free, else the
 * highest free one in its row of 256 (same first byte), else the highest
 * free one of all, never a PAC ID of the session for a PNS, never 0, and a
 * bounded search however full the space is.
 */
#include <stdlib.h>

#include "harness.h"

static struct pptp_id_space *space(void)
{
	struct pptp_id_space *sp = malloc(sizeof(*sp));

	assert_non_null(sp);
	pptp_ids_init(sp);
	return sp;
}

static void test_keep_then_highest_in_row(void **state)
{
	struct world *w = w_new(MAP_NULL, 4, 0);
	struct pptp_id_space *sp = space();
	unsigned int id;
	u16 x;

	(void)state;
	assert_int_equal(pptp_nat_pick(&w->t, sp, PPTP_PNS, 500, &x), 0);
	assert_int_equal(x, 500);			/* 0x01f4 */
	assert_int_equal(pptp_nat_pick(&w->t, sp, PPTP_PNS, 500, &x), 0);
	assert_int_equal(x, 0x01ff);
	assert_int_equal(pptp_nat_pick(&w->t, sp, PPTP_PNS, 500, &x), 0);
	assert_int_equal(x, 0x01fe);
	assert_int_equal(sp->live, 3);
	pptp_ids_put(sp, 0x01ff);
	assert_int_equal(pptp_nat_pick(&w->t, sp, PPTP_PAC, 500, &x), 0);
	assert_int_equal(x, 0x01ff);
	/* The row full: the highest free ID of all. */
	for (id = 0x0100; id <= 0x01ff; id++)
		pptp_ids_take(sp, (u16)id);
	assert_int_equal(pptp_nat_pick(&w->t, sp, PPTP_PNS, 500, &x), 0);
	assert_int_equal(x, 0xffff);
	free(sp);
	w_free(w);
}

static void test_never_zero(void **state)
{
	struct world *w = w_new(MAP_NULL, 4, 0);
	struct pptp_id_space *sp = space();
	unsigned int id;
	u16 x;

	(void)state;
	assert_int_equal(pptp_nat_pick(&w->t, sp, PPTP_PNS, 0, &x), 0);
	assert_int_equal(x, 0x00ff);
	/* Row 0 full but for ID 0: elsewhere, still never 0. */
	for (id = 1; id <= 0xff; id++)
		pptp_ids_take(sp, (u16)id);
	assert_int_equal(pptp_nat_pick(&w->t, sp, PPTP_PNS, 0, &x), 0);
	assert_int_equal(x, 0xffff);
	assert_int_equal(sp->live, 256);
	free(sp);
	w_free(w);
}

/* A translated PNS ID never equals a PAC ID of its session (CDN guard). */
static void test_cdn_guard(void **state)
{
	struct world *w = w_new(MAP_NULL, 4, 0);
	struct pptp_id_space *sp = space();
	u16 x;

	(void)state;
	w_session_up(w, 0);
	w_out_call(w, 0, 0x0100, 0x01ff);
	w_out_call(w, 0, 0x0101, 0x01fe);
	pptp_ids_take(sp, 0x0102);
	assert_int_equal(pptp_nat_pick(&w->t, sp, PPTP_PNS, 0x0102, &x), 0);
	assert_int_equal(x, 0x01fd);
	/* The PAC's own IDs are not guarded against anything. */
	pptp_ids_take(sp, 0x0102);
	assert_int_equal(pptp_nat_pick(&w->t, sp, PPTP_PAC, 0x0102, &x), 0);
	assert_int_equal(x, 0x01ff);
	free(sp);
	w_free(w);
}

/* Full: -1, in one bounded pass; one ID freed anywhere is found. */
static void test_exhausted(void **state)
{
	struct world *w = w_new(MAP_NULL, 4, 0);
	struct pptp_id_space *sp = space();
	unsigned int id;
	u16 x;

	(void)state;
	for (id = 1; id <= 0xffff; id++)
		pptp_ids_take(sp, (u16)id);
	assert_int_equal(sp->live, 0xffff);
	assert_int_equal(pptp_nat_pick(&w->t, sp, PPTP_PNS, 7, &x), -1);
	pptp_ids_put(sp, 4242);
	assert_int_equal(pptp_nat_pick(&w->t, sp, PPTP_PNS, 7, &x), 0);
	assert_int_equal(x, 4242);
	assert_int_equal(pptp_nat_pick(&w->t, sp, PPTP_PNS, 7, &x), -1);
	free(sp);
	w_free(w);
}

int run_policy_tests(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_keep_then_highest_in_row),
		cmocka_unit_test(test_never_zero),
		cmocka_unit_test(test_cdn_guard),
		cmocka_unit_test(test_exhausted),
	};

	return cmocka_run_group_tests_name("nat policy", tests, NULL, NULL);
}
