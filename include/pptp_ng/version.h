/* SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause */
/*
 * pptp-ng's version: the module (MODULE_VERSION), pptp-ngd and pptp-ng
 * (--version) say this.  kernel/dkms.conf's PACKAGE_VERSION and the top
 * entry of CHANGELOG.md must agree (tests/install/install.test checks).
 */
#ifndef PPTP_NG_VERSION_H
#define PPTP_NG_VERSION_H

#define PPTP_NG_VERSION "0.1"

#endif
