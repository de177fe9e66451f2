// SPDX-License-Identifier: GPL-2.0-only
/* The shared core, compiled into the module from its one source. */
#include "../include/pptp_ng/core.c"
