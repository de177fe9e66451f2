# SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
#
# Benchmarks (bench/): `make bench` runs every bench/*.sh at full size and
# regenerates docs/benchmarks.md.  Not part of `make test`, which runs each
# script once at a tiny size (tests/bench/smoke.test).

$(B)/bench/core_driver.o: bench/core_driver.c $(CORE_HDRS)
	@mkdir -p $(@D)
	$(CC) $(PPTP_CFLAGS) -c -o $@ $<

$(B)/bench/core-driver: $(B)/bench/core_driver.o $(CORE_LIB)
	$(CC) $(CFLAGS) -o $@ $< $(CORE_LIB)

BINS		+= $(B)/bench/core-driver

.PHONY: bench
bench:
	@scripts/deps.sh build test
	@$(MAKE) --no-print-directory all
	bench/run.sh

# The floor of benchmark 4: an NFQUEUE reader that accepts every packet unread.
$(B)/bench/queue-floor: bench/queue_floor.c
	@mkdir -p $(@D)
	$(CC) $(PPTP_CFLAGS) $(NGD_CFLAGS) -o $@ $< $(shell pkg-config --libs libmnl libnetfilter_queue)

BINS		+= $(B)/bench/queue-floor
