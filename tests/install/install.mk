# SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
#
# make test-install [DKMS_KO_DIR=DIR]: the Debian packages installed with
# apt into a fresh Debian 12 chroot (mmdebstrap), DKMS building the module
# for its 6.1 and 6.12 cloud kernels, then purged without a trace
# (tests/install/chroot.test; the modules land in DKMS_KO_DIR, default
# build/dkms, for tests/install/dkms_guest.sh).  Not part of `make test`:
# it takes 3 to 6 minutes and downloads 167 MiB from Debian's mirror.
.PHONY: test-install
test-install:
	@scripts/deps.sh build test
	tests/run install/chroot
