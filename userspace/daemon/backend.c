// SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
/*
 * The backends: how control packets reach the daemon.  "nfqueue" works on
 * any kernel with nf_tables, conntrack and NFQUEUE; "cthelper" (userspace
 * conntrack helpers through nfnetlink_cthelper) is planned.
 */
#include <string.h>

#include "pptp_ngd.h"

extern const struct ngd_backend ngd_backend_nfqueue;

static int cthelper_start(void)
{
	ngd_err("backend cthelper is not implemented yet (it will need the kernel's nfnetlink_cthelper); use --backend nfqueue");
	return -1;
}

static const struct ngd_backend ngd_backend_cthelper = {
	.name = "cthelper",
	.start = cthelper_start,
};

static const struct ngd_backend *const backends[] = {
	&ngd_backend_nfqueue,
	&ngd_backend_cthelper,
};

const struct ngd_backend *ngd_backend_find(const char *name)
{
	unsigned int i;

	for (i = 0; i < PPTP_ARRAY_SIZE(backends); i++)
		if (!strcmp(backends[i]->name, name))
			return backends[i];
	return NULL;
}
