// SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
/*
 * The control message table of wire.h against RFC 2637 section 2: lengths,
 * names, headers pptp_msg_init writes, and the per-type descriptions
 * (senders, call ID fields, result codes, must-be-zero fields).  The
 * expected values are typed in from the RFC, not taken from wire.h.
 */
#include "harness.h"

struct rfc_msg {
	u16 type;
	u16 len;
	const char *name;
	const char *long_name;
	u8 sender;
	u8 own_off;
	u8 peer_off;
	u8 result_off;
	u8 result_max;
	u8 n_reserved;
	u8 rsv_off[2];
	u8 rsv_len[2];
};

#define ANY PPTP_ROLE_UNKNOWN
#define PNS PPTP_PNS
#define PAC PPTP_PAC

/*
 * Section 2.1-2.15.  CDN's Call ID is the sender's own by the RFC; SLI is
 * the PNS's by the RFC but PACs send it too, so the table says either.
 */
static const struct rfc_msg rfc[] = {
	{ 1, 156, "SCCRQ", "Start-Control-Connection-Request", ANY, 0, 0, 0, 0,
	  1, { 14 }, { 2 } },
	{ 2, 156, "SCCRP", "Start-Control-Connection-Reply", ANY, 0, 0, 14, 5, 0, { 0 }, { 0 } },
	{ 3, 16, "StopCCRQ", "Stop-Control-Connection-Request", ANY, 0, 0, 0, 0,
	  2, { 13, 14 }, { 1, 2 } },
	{ 4, 16, "StopCCRP", "Stop-Control-Connection-Reply", ANY, 0, 0, 12, 2,
	  1, { 14 }, { 2 } },
	{ 5, 16, "EchoRQ", "Echo-Request", ANY, 0, 0, 0, 0, 0, { 0 }, { 0 } },
	{ 6, 20, "EchoRP", "Echo-Reply", ANY, 0, 0, 16, 2, 1, { 18 }, { 2 } },
	{ 7, 168, "OCRQ", "Outgoing-Call-Request", PNS, 12, 0, 0, 0, 1, { 38 }, { 2 } },
	{ 8, 32, "OCRP", "Outgoing-Call-Reply", PAC, 12, 14, 16, 7, 0, { 0 }, { 0 } },
	{ 9, 220, "ICRQ", "Incoming-Call-Request", PAC, 12, 0, 0, 0, 0, { 0 }, { 0 } },
	{ 10, 24, "ICRP", "Incoming-Call-Reply", PNS, 12, 14, 16, 3, 1, { 22 }, { 2 } },
	{ 11, 28, "ICCN", "Incoming-Call-Connected", PAC, 0, 12, 0, 0, 1, { 14 }, { 2 } },
	{ 12, 16, "CCRQ", "Call-Clear-Request", PNS, 12, 0, 0, 0, 1, { 14 }, { 2 } },
	{ 13, 148, "CDN", "Call-Disconnect-Notify", PAC, 12, 0, 14, 4, 1, { 18 }, { 2 } },
	{ 14, 40, "WEN", "WAN-Error-Notify", PAC, 0, 12, 0, 0, 1, { 14 }, { 2 } },
	{ 15, 24, "SLI", "Set-Link-Info", ANY, 0, 12, 0, 0, 1, { 14 }, { 2 } },
};

static void test_msg_len_and_names(void **state)
{
	unsigned int i;

	(void)state;
	assert_int_equal(PPTP_ARRAY_SIZE(rfc), 15);
	for (i = 0; i < PPTP_ARRAY_SIZE(rfc); i++) {
		assert_int_equal(pptp_msg_len(rfc[i].type), rfc[i].len);
		assert_string_equal(pptp_msg_name(rfc[i].type), rfc[i].name);
		assert_string_equal(pptp_msg_long_name(rfc[i].type), rfc[i].long_name);
	}
	assert_int_equal(pptp_msg_len(0), 0);
	assert_int_equal(pptp_msg_len(16), 0);
	assert_int_equal(pptp_msg_len(0xFFFF), 0);
	assert_string_equal(pptp_msg_name(0), "?");
	assert_string_equal(pptp_msg_name(16), "?");
	assert_string_equal(pptp_msg_long_name(16), "?");
	/* ICRQ is the longest message: the reassembly buffer must hold it. */
	assert_int_equal(PPTP_MSG_MAX_LEN, 220);
}

static void test_msg_init_header(void **state)
{
	u8 b[PPTP_MSG_MAX_LEN + 8];
	unsigned int i, k;

	(void)state;
	for (i = 0; i < PPTP_ARRAY_SIZE(rfc); i++) {
		memset(b, 0xAA, sizeof(b));
		assert_int_equal(pptp_msg_init(b, rfc[i].type), rfc[i].len);
		assert_int_equal(get16(b + 0), rfc[i].len);	/* Length */
		assert_int_equal(get16(b + 2), 1);		/* PPTP Message Type */
		assert_int_equal(pptp_get32(b + 4), 0x1A2B3C4D); /* Magic Cookie */
		assert_int_equal(get16(b + 8), rfc[i].type);	/* Control Message Type */
		assert_int_equal(get16(b + 10), 0);		/* Reserved0 */
		for (k = 12; k < rfc[i].len; k++)
			assert_int_equal(b[k], 0);
		/* Not a byte past the message. */
		assert_int_equal(b[rfc[i].len], 0xAA);
	}
	assert_int_equal(pptp_msg_init(b, 0), 0);
	assert_int_equal(pptp_msg_init(b, 16), 0);
}

static void test_msg_desc(void **state)
{
	unsigned int i, k;

	(void)state;
	for (i = 0; i < PPTP_ARRAY_SIZE(rfc); i++) {
		const struct rfc_msg *r = &rfc[i];
		const struct pptp_msg_desc *d = pptp_msg_desc(r->type);

		assert_non_null(d);
		assert_int_equal(d->len, r->len);
		assert_int_equal(d->sender, r->sender);
		assert_int_equal(d->own_off, r->own_off);
		assert_int_equal(d->peer_off, r->peer_off);
		/* where the last ID field ends: the core decides there */
		if (r->own_off || r->peer_off)
			assert_int_equal(d->ids_end, (r->own_off > r->peer_off ?
						      r->own_off : r->peer_off) + 2);
		else
			assert_int_equal(d->ids_end, 0);
		assert_int_equal(d->result_off, r->result_off);
		assert_int_equal(d->result_max, r->result_max);
		assert_int_equal(d->n_reserved, r->n_reserved);
		for (k = 0; k < r->n_reserved; k++) {
			assert_int_equal(d->reserved[k].off, r->rsv_off[k]);
			assert_int_equal(d->reserved[k].len, r->rsv_len[k]);
			/* the core checks one or two bytes per reserved field */
			assert_in_range(d->reserved[k].len, 1, 2);
		}
	}
	assert_null(pptp_msg_desc(0));
	assert_null(pptp_msg_desc(16));
	assert_null(pptp_msg_desc(0x0107));
}

/* The builders the other tests use put each field where the RFC says. */
static void test_builders_fill_rfc_offsets(void **state)
{
	u8 b[PPTP_MSG_MAX_LEN];

	(void)state;
	assert_int_equal(mk_ocrp(b, 0x1234, 0x5678, 1), 32);
	assert_int_equal(get16(b + PPTP_OCRP_OFF_CALL_ID), 0x1234);
	assert_int_equal(get16(b + PPTP_OCRP_OFF_PEER_ID), 0x5678);
	assert_int_equal(b[PPTP_OCRP_OFF_RESULT], 1);
	assert_int_equal(get16(b + PPTP_OCRP_OFF_WINDOW), 32);
	assert_int_equal(mk_icrp(b, 0x1234, 0x5678, 3), 24);
	assert_int_equal(get16(b + PPTP_ICRP_OFF_PEER_ID), 0x5678);
	assert_int_equal(b[PPTP_ICRP_OFF_RESULT], 3);
	assert_int_equal(get16(b + PPTP_ICRP_OFF_WINDOW), 48);
	assert_int_equal(mk_iccn(b, 0x4321), 28);
	assert_int_equal(get16(b + PPTP_ICCN_OFF_PEER_ID), 0x4321);
	assert_int_equal(get16(b + PPTP_ICCN_OFF_WINDOW), 16);
	assert_int_equal(mk_ocrq(b, 0x1111, 0x2222), 168);
	assert_int_equal(get16(b + PPTP_OCRQ_OFF_SERIAL), 0x2222);
	assert_int_equal(get16(b + PPTP_OCRQ_OFF_WINDOW), 64);
	assert_int_equal(mk_cdn(b, 0x3333, 4), 148);
	assert_int_equal(b[PPTP_CDN_OFF_RESULT], 4);
	assert_int_equal(mk_echorp(b, 0xDEADBEEF), 20);
	assert_int_equal(pptp_get32(b + PPTP_ECHO_OFF_IDENT), 0xDEADBEEF);
	assert_int_equal(b[PPTP_ECHORP_OFF_RESULT], 1);
}

int run_wire_tests(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_msg_len_and_names),
		cmocka_unit_test(test_msg_init_header),
		cmocka_unit_test(test_msg_desc),
		cmocka_unit_test(test_builders_fill_rfc_offsets),
	};

	return cmocka_run_group_tests_name("wire", tests, NULL, NULL);
}
