# SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
#
# pptp-ng top level.  `make` builds the userspace parts into build/ and
# nothing else, `make install` installs them (PREFIX, DESTDIR), `make deps`
# installs the Debian packages the build needs, `make test` runs every
# test suite (tests/run), `make demo` shows PPTP clients behind NAT,
# `make fuzz` fuzzes the core.  deps, test and demo install missing
# Debian packages first when run as root.

B		:= build
CC		?= cc
CFLAGS		?= -O2 -g

# Where make install puts things; the Debian packages use PREFIX=/usr.
PREFIX		?= /usr/local
SBINDIR		?= $(PREFIX)/sbin
BINDIR		?= $(PREFIX)/bin
MANDIR		?= $(PREFIX)/share/man
DATADIR		?= $(PREFIX)/share/pptp-ng
SYSCONFDIR	?= $(if $(filter /usr,$(PREFIX)),/etc,$(PREFIX)/etc)
UNITDIR		?= $(if $(filter /usr,$(PREFIX)),/lib/systemd/system,$(PREFIX)/lib/systemd/system)
SYSUSERSDIR	?= $(if $(filter /usr,$(PREFIX)),/usr/lib/sysusers.d,$(PREFIX)/lib/sysusers.d)

PPTP_WARN	:= -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes -Wmissing-prototypes
# CPPFLAGS and LDFLAGS as distributions pass them (Debian: fortify, relro, now)
PPTP_CFLAGS	:= -std=c11 -D_GNU_SOURCE $(PPTP_WARN) -Iinclude $(CPPFLAGS) $(CFLAGS)

# The shared core: one source, compiled into every face.
CORE_SRCS	:= include/pptp_ng/core.c include/pptp_ng/wire.c include/pptp_ng/nat.c
CORE_HDRS	:= $(wildcard include/pptp_ng/*.h)
CORE_LIB	:= $(B)/libpptp_core.a

# Each area appends its programs to BINS and may add its own targets.
BINS		:=

.PHONY: all deps test demo fuzz clean lint install uninstall
all: $(CORE_LIB) bins

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

# The packages first, then the build (a fresh machine has neither).
test:
	@scripts/deps.sh build test
	@$(MAKE) --no-print-directory all
	@scripts/deps.sh vm || echo "make test: the QEMU suites (tests/vm, tests/kernel) will skip" >&2
	tests/run

# PPTP clients behind a NAT firewall in network namespaces (needs root).
demo:
	@scripts/deps.sh build test
	@$(MAKE) --no-print-directory all
	scripts/demo.sh

# The programs, their man pages, the rulesets, the systemd unit, the
# daemon's user and its defaults.  The module: make install-kernel, or DKMS.
INSTALL		?= install
SUBST		= sed -e 's|@SBINDIR@|$(SBINDIR)|g' -e 's|@SYSCONFDIR@|$(SYSCONFDIR)|g' \
		      -e 's|@DATADIR@|$(DATADIR)|g'

install: $(B)/pptp-ngd $(B)/pptp-ng
	$(INSTALL) -D -m 0755 $(B)/pptp-ngd $(DESTDIR)$(SBINDIR)/pptp-ngd
	$(INSTALL) -D -m 0755 $(B)/pptp-ng $(DESTDIR)$(BINDIR)/pptp-ng
	$(INSTALL) -D -m 0644 docs/pptp-ngd.8 $(DESTDIR)$(MANDIR)/man8/pptp-ngd.8
	$(INSTALL) -D -m 0644 docs/pptp-ng.8 $(DESTDIR)$(MANDIR)/man8/pptp-ng.8
	$(INSTALL) -d $(DESTDIR)$(DATADIR)
	$(INSTALL) -m 0644 nft/*.nft $(DESTDIR)$(DATADIR)/
	$(INSTALL) -d $(DESTDIR)$(UNITDIR) $(DESTDIR)$(SYSCONFDIR)/default
	$(SUBST) userspace/daemon/pptp-ngd.service.in >$(DESTDIR)$(UNITDIR)/pptp-ngd.service
	chmod 0644 $(DESTDIR)$(UNITDIR)/pptp-ngd.service
	$(SUBST) userspace/daemon/pptp-ngd.default >$(DESTDIR)$(SYSCONFDIR)/default/pptp-ngd
	chmod 0644 $(DESTDIR)$(SYSCONFDIR)/default/pptp-ngd
	$(INSTALL) -D -m 0644 userspace/daemon/pptp-ngd.sysusers \
		$(DESTDIR)$(SYSUSERSDIR)/pptp-ngd.conf

uninstall:
	rm -f $(DESTDIR)$(SBINDIR)/pptp-ngd $(DESTDIR)$(BINDIR)/pptp-ng \
	      $(DESTDIR)$(MANDIR)/man8/pptp-ngd.8 $(DESTDIR)$(MANDIR)/man8/pptp-ng.8 \
	      $(DESTDIR)$(UNITDIR)/pptp-ngd.service $(DESTDIR)$(SYSCONFDIR)/default/pptp-ngd \
	      $(DESTDIR)$(SYSUSERSDIR)/pptp-ngd.conf
	rm -rf $(DESTDIR)$(DATADIR)

lint:
	tests/lint/cppcheck.test

clean:
	rm -rf $(B)
