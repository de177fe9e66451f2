# SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
#
# pptp-ng top level.  `make` builds the userspace parts into build/,
# `make test` runs every test suite (tests/run), `make demo` shows PPTP
# clients behind NAT, `make fuzz` fuzzes the core.
# Both install missing Debian packages first when run as root.

B		:= build
CC		?= cc
CFLAGS		?= -O2 -g
PPTP_WARN	:= -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes -Wmissing-prototypes
PPTP_CFLAGS	:= -std=c11 -D_GNU_SOURCE $(PPTP_WARN) -Iinclude $(CFLAGS)

# The shared core: one source, compiled into every face.
CORE_SRCS	:= include/pptp_ng/core.c include/pptp_ng/wire.c include/pptp_ng/nat.c
CORE_HDRS	:= $(wildcard include/pptp_ng/*.h)
CORE_LIB	:= $(B)/libpptp_core.a

# Each area appends its programs to BINS and may add its own targets.
BINS		:=

.PHONY: all deps test demo fuzz clean lint
all: deps $(CORE_LIB) bins

deps:
	@scripts/deps.sh build

$(B)/core/%.o: include/pptp_ng/%.c $(CORE_HDRS)
	@mkdir -p $(@D)
	$(CC) $(PPTP_CFLAGS) -c -o $@ $<

$(CORE_LIB): $(patsubst include/pptp_ng/%.c,$(B)/core/%.o,$(CORE_SRCS))
	$(AR) rcs $@ $^

# Each area brings its own fragment: kernel/kernel.mk, userspace/*/*.mk, tests/*/*.mk.
include $(wildcard kernel/*.mk userspace/*/*.mk tests/*/*.mk)
include bench/bench.mk	# `make bench`: bench/*.sh, docs/benchmarks.md

.PHONY: bins
bins: $(BINS)

test: all
	@scripts/deps.sh build test
	@scripts/deps.sh vm || echo "make test: the QEMU suites (tests/vm, tests/kernel) will skip" >&2
	tests/run

# PPTP clients behind a NAT firewall in network namespaces (needs root).
demo: all
	@scripts/deps.sh test
	scripts/demo.sh

lint:
	tests/lint/cppcheck.test

clean:
	rm -rf $(B)
