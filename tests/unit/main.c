// SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
/*
 * unit-core: cmocka unit tests of the shared core (include/pptp_ng).
 * Runs every group; exits 1 if any test failed (never 77, which would
 * read as "cannot run here" to tests/run).
 */
#include "harness.h"

int main(void)
{
	int failed = 0;

	failed += run_wire_tests();
	failed += run_gre_tests();
	failed += run_session_tests();
	failed += run_call_tests();
	failed += run_nat_tests();
	failed += run_stream_tests();
	failed += run_framing_tests();
	failed += run_adopt_tests();
	failed += run_refuse_tests();
	failed += run_policy_tests();
	failed += run_inplace_tests();
	return failed ? 1 : 0;
}
