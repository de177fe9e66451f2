# SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
#
# make test-kernels [KERNELS="6.12-cloud 6.12-rt debug"] [ROWS=...]: the scenario
# table on the kernels CI has no time for, plus the teardown stress on the
# debug kernel (tests/vm/test-kernels.sh).  Not part of `make test`: it
# takes hours under TCG.  The last results go into docs/testing.md.
.PHONY: test-kernels
test-kernels: all
	tests/vm/test-kernels.sh $(KERNELS)
