# SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
#
# Unit tests of the shared core with cmocka (tests/unit/core.test runs them).

UNIT_SRCS	:= $(wildcard tests/unit/*.c)
UNIT_OBJS	:= $(patsubst tests/unit/%.c,$(B)/tests/unit/%.o,$(UNIT_SRCS))
UNIT_BIN	:= $(B)/tests/unit-core

$(B)/tests/unit/%.o: tests/unit/%.c tests/unit/harness.h $(CORE_HDRS)
	@mkdir -p $(@D)
	$(CC) $(PPTP_CFLAGS) -c -o $@ $<

$(UNIT_BIN): $(UNIT_OBJS) $(CORE_LIB)
	$(CC) $(CFLAGS) -o $@ $(UNIT_OBJS) $(CORE_LIB) -lcmocka

BINS		+= $(UNIT_BIN)
