// SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
/*
 * pptp_adopt_call: a call that came up before the tracker existed (a
 * restarted daemon rebuilding its calls) is tracked and translated like
 * one the tracker saw come up, and refused when it contradicts the table.
 */
#include "harness.h"

static struct pptp_call up_call(u16 pns, u16 pns_x, u16 pac)
{
	struct pptp_call c = { 0 };

	c.state = PPTP_CALL_STATE_UP;
	c.outgoing = 1;
	c.has_id[PPTP_PNS] = c.has_id[PPTP_PAC] = 1;
	c.id[PPTP_PNS] = pns;
	c.xid[PPTP_PNS] = pns_x;
	c.id[PPTP_PAC] = c.xid[PPTP_PAC] = pac;
	return c;
}

static void test_adopt_then_clear(void **state)
{
	struct world *w = w_new(MAP_PNS, 4, PPTP_F_MIDSTREAM);
	struct pptp_call in = up_call(0x0100, PNS_X(0x0100), 0x0200);
	const struct rec_event *e;
	struct pptp_call *c;
	u8 b[PPTP_MSG_MAX_LEN];

	(void)state;
	c = pptp_adopt_call(&w->t, 1, &in);	/* the PNS sends in dir 1 */
	assert_non_null(c);
	assert_int_equal(w->t.role[1], PPTP_PNS);
	assert_int_equal(w->t.role[0], PPTP_PAC);
	assert_int_equal(w->t.session, PPTP_SESS_UP);
	assert_int_equal(w->t.live_calls, 1);
	assert_ptr_equal(pptp_find_by_xid(&w->t, PPTP_PNS, PNS_X(0x0100)), c);
	assert_int_equal(w->n, 0);		/* adopting reports nothing */
	assert_int_equal(w->t.cnt.calls_opened, 1);	/* but counts the call */
	assert_int_equal(w->t.cnt.calls_up, 1);

	/* PAC -> PNS names the PNS's ID as the PAC sees it: translated back */
	w->mark = w->n;
	mk_sli(b, PNS_X(0x0100));
	w_send(w, 0, b);
	assert_int_equal(get16(b + PPTP_SLI_OFF_PEER_ID), 0x0100);
	assert_int_equal(n_last(w, PPTP_EV_ANOMALY), 0);

	/* the PNS's CCRQ goes out with the translated ID, the CDN ends it */
	mk_ccrq(b, 0x0100);
	w_send(w, 1, b);
	assert_int_equal(get16(b + PPTP_CCRQ_OFF_CALL_ID), PNS_X(0x0100));
	w->mark = w->n;
	mk_cdn(b, 0x0200, 4);
	w_send(w, 0, b);
	e = ev_last(w, PPTP_EV_CALL_DOWN, 0);
	assert_non_null(e);
	assert_int_equal(e->call.id[PPTP_PNS], 0x0100);
	assert_int_equal(e->call.xid[PPTP_PNS], PNS_X(0x0100));
	assert_int_equal(w->t.live_calls, 0);
	w_free(w);
}

static void test_adopt_refused(void **state)
{
	struct world *w = w_new(MAP_PNS, 2, PPTP_F_MIDSTREAM);
	struct pptp_call a = up_call(0x0100, PNS_X(0x0100), 0x0200);
	struct pptp_call b = up_call(0x0101, PNS_X(0x0101), 0x0201);
	struct pptp_call x;

	(void)state;
	x = a;
	x.state = PPTP_CALL_STATE_OUT_REQ;			/* not up */
	assert_null(pptp_adopt_call(&w->t, 0, &x));
	x = a;
	x.has_id[PPTP_PAC] = 0;				/* half a call */
	assert_null(pptp_adopt_call(&w->t, 0, &x));
	assert_non_null(pptp_adopt_call(&w->t, 0, &a));
	assert_null(pptp_adopt_call(&w->t, 0, &a));	/* IDs already live */
	x = b;
	x.xid[PPTP_PNS] = PNS_X(0x0100);		/* translated ID taken */
	assert_null(pptp_adopt_call(&w->t, 0, &x));
	assert_null(pptp_adopt_call(&w->t, 1, &b));	/* the PNS is on dir 0 */
	assert_non_null(pptp_adopt_call(&w->t, 0, &b));
	x = up_call(0x0102, PNS_X(0x0102), 0x0202);
	assert_null(pptp_adopt_call(&w->t, 0, &x));	/* table full */
	assert_int_equal(w->t.live_calls, 2);
	w_free(w);
}

int run_adopt_tests(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_adopt_then_clear),
		cmocka_unit_test(test_adopt_refused),
	};

	return cmocka_run_group_tests_name("adopt", tests, NULL, NULL);
}
