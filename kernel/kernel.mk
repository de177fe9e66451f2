# SPDX-License-Identifier: GPL-2.0-only
#
# The kernel module, kept out of `make all`: it needs kernel headers.
#   make module [KDIR=...]       build kernel/nf_conntrack_pptp_ng.ko
#   make install-kernel [KDIR=]  install it (modules_install, depmod) and
#                                the ruleset to /usr/share/pptp-ng/
# KDIR defaults to the running kernel's build tree, else the newest
# installed headers with one.

KDIR ?= $(firstword $(wildcard /lib/modules/$(shell uname -r)/build) \
	$(lastword $(sort $(wildcard /usr/src/linux-headers-*-amd64))))

.PHONY: module install-kernel
module:
	@test -n "$(KDIR)" -a -d "$(KDIR)" || \
		{ echo "module: no kernel headers (install linux-headers-$$(uname -r) or set KDIR)" >&2; exit 1; }
	$(MAKE) -C kernel KDIR=$(KDIR)

install-kernel: module
	$(MAKE) -C kernel KDIR=$(KDIR) install
	install -D -m 0644 nft/pptp-ng.nft $(DESTDIR)/usr/share/pptp-ng/pptp-ng.nft
