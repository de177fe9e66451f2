/* SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause */
/* alive.c: a set element that says pptp-ngd is alive. */
#ifndef PPTP_NGD_ALIVE_H
#define PPTP_NGD_ALIVE_H

#include <stdbool.h>
#include <stdint.h>

#include "pptp_ngd.h"

#define NGD_ALIVE_TIMEOUT	2000	/* ms the element lives unrefreshed */
#define NGD_ALIVE_REFRESH	500	/* ms between refreshes */

struct mnl_socket;

struct ngd_alive {
	char spec[136];		/* FAMILY/TABLE/SET, as given */
	char table[64], set[64];
	uint32_t family;	/* NFPROTO_* */
	bool present;		/* our element is in the set, as far as we know */
	bool failing;		/* the last refresh failed (logged once) */
};

int ngd_alive_parse(struct ngd_alive *a, const char *spec);
int ngd_alive_refresh(struct mnl_socket *nl, uint32_t *seq, struct ngd_alive *a);

#endif /* PPTP_NGD_ALIVE_H */
