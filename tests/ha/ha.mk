# SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
#
# ha-ctdump, every ctnetlink attribute of conntracks and expectations, one
# entry a line, for tests/ha/probe.sh (firewall failover with conntrackd).

$(B)/tests/ha-ctdump: tests/ha/ctdump.c
	@mkdir -p $(@D)
	$(CC) $(PPTP_CFLAGS) $(shell pkg-config --cflags libmnl) -o $@ \
		tests/ha/ctdump.c $(shell pkg-config --libs libmnl)

BINS		+= $(B)/tests/ha-ctdump

# ha-libexp, one expectation through libnetfilter_conntrack's two builders.
$(B)/tests/ha-libexp: tests/ha/libexp.c
	@mkdir -p $(@D)
	$(CC) $(PPTP_CFLAGS) $(shell pkg-config --cflags libmnl libnetfilter_conntrack) -o $@ \
		tests/ha/libexp.c $(shell pkg-config --libs libmnl libnetfilter_conntrack)

BINS		+= $(B)/tests/ha-libexp

# ha-strip, pptp-ngd's state as conntrackd's commit leaves it on a backup.
$(B)/tests/ha-strip: tests/ha/strip.c
	@mkdir -p $(@D)
	$(CC) $(PPTP_CFLAGS) $(shell pkg-config --cflags libmnl) -o $@ \
		tests/ha/strip.c $(shell pkg-config --libs libmnl)

BINS		+= $(B)/tests/ha-strip

# make test-ha: the HA suites CI does not run: the probe of what conntrackd
# carries (tests/ha/probe-guest.sh, about 15 min under TCG) and the
# failover scenario's module face without failover=1 (its calls lost,
# checked as such).  tests/ha/failover.test (the cthelper face) and
# failover_module.test (the module, failover=1) are part of `make test`.
.PHONY: test-ha
test-ha: all
	@scripts/deps.sh vm test
	tests/ha/probe-guest.sh
	MODULE_FAILOVER=0 tests/ha/failover-guest.sh module
