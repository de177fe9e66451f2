// SPDX-License-Identifier: GPL-2.0-only
/* The shared wire format, compiled into the module from its one source. */
#include "../include/pptp_ng/wire.c"
