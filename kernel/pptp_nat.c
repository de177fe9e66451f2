// SPDX-License-Identifier: GPL-2.0-only
/* The shared call-ID translation policy, compiled into the module from its one source. */
#include "../include/pptp_ng/nat.c"
