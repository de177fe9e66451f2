# SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
#
# pptp-ngd, the userspace helper daemon (userspace/daemon/).

NGD_SRCS	:= $(wildcard userspace/daemon/*.c)
NGD_OBJS	:= $(patsubst userspace/daemon/%.c,$(B)/daemon/%.o,$(NGD_SRCS))
NGD_PKGS	:= libmnl libnetfilter_queue libnetfilter_conntrack libnftnl \
		   libnetfilter_cthelper libnetfilter_cttimeout
NGD_CFLAGS	= $(shell pkg-config --cflags $(NGD_PKGS))
NGD_LIBS	= $(shell pkg-config --libs $(NGD_PKGS))

$(B)/daemon/%.o: userspace/daemon/%.c $(wildcard userspace/daemon/*.h) $(CORE_HDRS)
	@mkdir -p $(@D)
	$(CC) $(PPTP_CFLAGS) $(NGD_CFLAGS) -DNGD_DATADIR='"$(DATADIR)"' -c -o $@ $<

# The default ruleset's directory is compiled in: rebuild when DATADIR changes.
$(B)/daemon/datadir: FORCE
	@mkdir -p $(@D)
	@echo '$(DATADIR)' | cmp -s - $@ || echo '$(DATADIR)' >$@
$(B)/daemon/main.o: $(B)/daemon/datadir
.PHONY: FORCE
FORCE:

$(B)/pptp-ngd: $(NGD_OBJS) $(CORE_LIB)
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $(NGD_OBJS) $(CORE_LIB) $(NGD_LIBS)

BINS		+= $(B)/pptp-ngd
