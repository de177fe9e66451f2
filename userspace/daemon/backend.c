// SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
/*
 * The backends: how control packets reach the daemon.  "nfqueue" works on
 * any kernel with nf_tables, conntrack and NFQUEUE; "cthelper" needs
 * nfnetlink_cthelper (userspace conntrack helpers, cthelper.c).
 */
#include <string.h>

#include "pptp_ngd.h"

extern const struct ngd_backend ngd_backend_nfqueue;
extern const struct ngd_backend ngd_backend_cthelper;

const struct ngd_backend *ngd_active;

int ngd_gre_update(const struct ngd_gre *g, unsigned int del, unsigned int add,
		   const char *comment)
{
	return ngd_active->gre_update(g, del, add, comment);
}

int ngd_gre_refresh(const struct ngd_gre *g, const char *const *comments, unsigned int n)
{
	return ngd_active->gre_refresh(g, comments, n);
}

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
