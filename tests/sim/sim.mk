# SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
#
# pptp-sim, the PPTP peer simulator (tests/sim/): libc and the core only.

SIM_SRCS	:= $(wildcard tests/sim/*.c)
SIM_OBJS	:= $(patsubst tests/sim/%.c,$(B)/tests/sim/%.o,$(SIM_SRCS))

$(B)/tests/sim/%.o: tests/sim/%.c tests/sim/sim.h $(CORE_HDRS)
	@mkdir -p $(@D)
	$(CC) $(PPTP_CFLAGS) -c -o $@ $<

$(B)/tests/pptp-sim: $(SIM_OBJS) $(CORE_LIB)
	$(CC) $(CFLAGS) -o $@ $(SIM_OBJS) $(CORE_LIB)

BINS		+= $(B)/tests/pptp-sim
