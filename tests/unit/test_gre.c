// SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
/*
 * Enhanced GRE (RFC 2637 section 4.1): pptp_gre_build writes the bytes the
 * RFC draws, pptp_gre_parse reads them back, and each way a header can be
 * wrong has its own status.  Layout, typed in from the RFC:
 *
 *   byte 0: C R K S s Recur(3)   byte 1: A Flags(4) Ver(3)
 *   2-3 Protocol 0x880B, 4-5 Payload Length, 6-7 Call ID,
 *   then Sequence Number (if S), then Acknowledgment Number (if A).
 */
#include "harness.h"

struct gre_case {
	u8 has_seq;
	u8 has_ack;
	u16 payload_len;
	u8 hdr_len;
	u8 bytes[16];
};

static const struct gre_case cases[] = {
	{ 1, 1, 5, 16, { 0x30, 0x81, 0x88, 0x0B, 0x00, 0x05, 0xBE, 0xEF,
			 0x01, 0x02, 0x03, 0x04, 0xF1, 0xF2, 0xF3, 0xF4 } },
	{ 1, 0, 300, 12, { 0x30, 0x01, 0x88, 0x0B, 0x01, 0x2C, 0xBE, 0xEF,
			   0x01, 0x02, 0x03, 0x04 } },
	/* Ack only: no payload. */
	{ 0, 1, 0, 12, { 0x20, 0x81, 0x88, 0x0B, 0x00, 0x00, 0xBE, 0xEF,
			 0xF1, 0xF2, 0xF3, 0xF4 } },
	{ 0, 0, 2, 8, { 0x20, 0x01, 0x88, 0x0B, 0x00, 0x02, 0xBE, 0xEF } },
};

static void fill_case(struct pptp_gre *g, const struct gre_case *c)
{
	memset(g, 0, sizeof(*g));
	g->payload_len = c->payload_len;
	g->call_id = 0xBEEF;
	g->has_seq = c->has_seq;
	g->has_ack = c->has_ack;
	g->seq = c->has_seq ? 0x01020304 : 0;
	g->ack = c->has_ack ? 0xF1F2F3F4 : 0;
}

static void test_gre_build_parse(void **state)
{
	unsigned int i;

	(void)state;
	for (i = 0; i < PPTP_ARRAY_SIZE(cases); i++) {
		const struct gre_case *c = &cases[i];
		u8 pkt[16 + 300];
		struct pptp_gre g, back;

		fill_case(&g, c);
		memset(pkt, 0x77, sizeof(pkt));
		assert_int_equal(pptp_gre_build(pkt, &g), c->hdr_len);
		assert_memory_equal(pkt, c->bytes, c->hdr_len);
		assert_int_equal(pkt[c->hdr_len], 0x77);

		memset(&back, 0xCC, sizeof(back));
		assert_int_equal(pptp_gre_parse(pkt, c->hdr_len + c->payload_len, &back),
				 PPTP_GRE_OK);
		assert_int_equal(back.payload_len, c->payload_len);
		assert_int_equal(back.call_id, 0xBEEF);
		assert_int_equal(back.has_seq, c->has_seq);
		assert_int_equal(back.has_ack, c->has_ack);
		if (c->has_seq)
			assert_int_equal(back.seq, 0x01020304);
		if (c->has_ack)
			assert_int_equal(back.ack, 0xF1F2F3F4);
		assert_int_equal(back.hdr_len, c->hdr_len);
	}
}

static enum pptp_gre_status parse_bytes(const u8 *p, u32 len)
{
	struct pptp_gre g;

	return pptp_gre_parse(p, len, &g);
}

static void test_gre_version0(void **state)
{
	static const u8 plain[] = { 0x00, 0x00, 0x08, 0x00, 0x45, 0, 0, 0 };
	static const u8 keyed[] = { 0x20, 0x00, 0x88, 0x0B, 0, 0, 0, 1, 0, 0, 0, 0 };
	static const u8 csum[] = { 0x80, 0x00, 0x08, 0x00, 0, 0, 0, 0, 0x45, 0, 0, 0 };

	(void)state;
	assert_int_equal(parse_bytes(plain, sizeof(plain)), PPTP_GRE_VERSION0);
	/* Even with PPTP's flags and protocol, version 0 is not PPTP. */
	assert_int_equal(parse_bytes(keyed, sizeof(keyed)), PPTP_GRE_VERSION0);
	assert_int_equal(parse_bytes(csum, sizeof(csum)), PPTP_GRE_VERSION0);
}

static void test_gre_truncated(void **state)
{
	u8 pkt[16];
	struct pptp_gre g;
	u32 len;
	unsigned int i;

	(void)state;
	for (i = 0; i < PPTP_ARRAY_SIZE(cases); i++) {
		fill_case(&g, &cases[i]);
		g.payload_len = 0;
		pptp_gre_build(pkt, &g);
		for (len = 0; len < cases[i].hdr_len; len++) {
			assert_int_equal(parse_bytes(pkt, len), PPTP_GRE_TRUNCATED);
		}
		assert_int_equal(parse_bytes(pkt, cases[i].hdr_len), PPTP_GRE_OK);
	}
}

static void test_gre_bad_version(void **state)
{
	u8 pkt[16];
	u8 v;

	(void)state;
	for (v = 2; v <= 7; v++) {
		memcpy(pkt, cases[0].bytes, 16);
		pkt[4] = pkt[5] = 0;
		pkt[1] = (u8)((pkt[1] & ~0x07) | v);
		assert_int_equal(parse_bytes(pkt, 16), PPTP_GRE_BAD_VERSION);
	}
}

static void expect_bad_flags(u8 byte, u8 set, u8 clear)
{
	u8 pkt[32] = { 0 };

	memcpy(pkt, cases[0].bytes, 16);
	pkt[4] = pkt[5] = 0;	/* no payload: any header length fits */
	pkt[byte] = (u8)((pkt[byte] | set) & ~clear);
	if (parse_bytes(pkt, sizeof(pkt)) != PPTP_GRE_BAD_FLAGS)
		fail_msg("flags %02x %02x: %s, want BAD_FLAGS", pkt[0], pkt[1],
			 pptp_gre_status_name(parse_bytes(pkt, sizeof(pkt))));
}

static void test_gre_bad_flags(void **state)
{
	(void)state;
	expect_bad_flags(0, 0x80, 0);	/* C */
	expect_bad_flags(0, 0x40, 0);	/* R */
	expect_bad_flags(0, 0x08, 0);	/* s (strict source route) */
	expect_bad_flags(0, 0x01, 0);	/* Recur */
	expect_bad_flags(0, 0x02, 0);
	expect_bad_flags(0, 0x04, 0);
	expect_bad_flags(0, 0, 0x20);	/* K clear */
}

/* RFC 2637 4.1: "Flags (bits 9 through 12) MUST be set to zero." */
static void test_gre_bad_flags2(void **state)
{
	(void)state;
	expect_bad_flags(1, 0x40, 0);
	expect_bad_flags(1, 0x20, 0);
	expect_bad_flags(1, 0x10, 0);
	expect_bad_flags(1, 0x08, 0);
}

static void test_gre_bad_protocol(void **state)
{
	u8 pkt[16];

	(void)state;
	memcpy(pkt, cases[0].bytes, 16);
	pkt[4] = pkt[5] = 0;
	put16(pkt + 2, 0x0800);
	assert_int_equal(parse_bytes(pkt, 16), PPTP_GRE_BAD_PROTOCOL);
	put16(pkt + 2, 0x880A);
	assert_int_equal(parse_bytes(pkt, 16), PPTP_GRE_BAD_PROTOCOL);
}

static void test_gre_bad_length(void **state)
{
	u8 pkt[16 + 10];
	struct pptp_gre g;

	(void)state;
	memset(pkt, 0, sizeof(pkt));
	memcpy(pkt, cases[0].bytes, 16);
	put16(pkt + 4, 100);	/* says 100, 10 follow */
	memset(&g, 0, sizeof(g));
	assert_int_equal(pptp_gre_parse(pkt, sizeof(pkt), &g), PPTP_GRE_BAD_LENGTH);
	/* Filled anyway, for callers that see truncated captures. */
	assert_int_equal(g.payload_len, 100);
	assert_int_equal(g.call_id, 0xBEEF);
	assert_int_equal(g.seq, 0x01020304);
	assert_int_equal(g.ack, 0xF1F2F3F4);
	assert_int_equal(g.hdr_len, 16);
	put16(pkt + 4, 10);
	assert_int_equal(pptp_gre_parse(pkt, sizeof(pkt), &g), PPTP_GRE_OK);
	put16(pkt + 4, 11);
	assert_int_equal(pptp_gre_parse(pkt, sizeof(pkt), &g), PPTP_GRE_BAD_LENGTH);
}

static void test_gre_status_names(void **state)
{
	unsigned int i, j;

	(void)state;
	for (i = 0; i < PPTP_GRE_STATUS_COUNT; i++) {
		const char *n = pptp_gre_status_name((enum pptp_gre_status)i);

		assert_non_null(n);
		assert_string_not_equal(n, "?");
		for (j = 0; j < i; j++)
			assert_string_not_equal(n, pptp_gre_status_name((enum pptp_gre_status)j));
	}
	assert_string_equal(pptp_gre_status_name(PPTP_GRE_STATUS_COUNT), "?");
}

int run_gre_tests(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_gre_build_parse),
		cmocka_unit_test(test_gre_version0),
		cmocka_unit_test(test_gre_truncated),
		cmocka_unit_test(test_gre_bad_version),
		cmocka_unit_test(test_gre_bad_flags),
		cmocka_unit_test(test_gre_bad_flags2),
		cmocka_unit_test(test_gre_bad_protocol),
		cmocka_unit_test(test_gre_bad_length),
		cmocka_unit_test(test_gre_status_names),
	};

	return cmocka_run_group_tests_name("gre", tests, NULL, NULL);
}
