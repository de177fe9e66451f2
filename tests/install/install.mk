# SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
#
# make test-install [DKMS_KO_DIR=DIR]: tests/install/chroot.test alone (it
# is in `make test` too): the Debian packages installed with apt into a
# fresh Debian 12 chroot (mmdebstrap), DKMS building the module for its
# 6.1 and 6.12 cloud kernels, then purged without a trace; the modules DKMS
# built loaded in QEMU guests on those kernels (tests/install/
# dkms_guest.sh) with the real-client scenario.  DKMS_KO_DIR keeps the
# modules for dkms_guest.sh to boot again.  About 3 minutes, 170 MiB from
# Debian's mirror.
.PHONY: test-install
test-install:
	@scripts/deps.sh build test vm
	tests/run install/chroot
