/* SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause */
/* pptp-ng doctor: findings (doctor.c) and the ruleset checks (nftcheck.c). */
#ifndef PPTP_NG_INSPECT_DOCTOR_H
#define PPTP_NG_INSPECT_DOCTOR_H

#include "jparse.h"

#define DOC_MAX_FINDINGS 64
#define DOC_MAX_BACKENDS 16
#define DOC_TXT 768

struct finding {
	const char *id;
	char what[DOC_TXT], evidence[DOC_TXT], fix[2 * DOC_TXT];
};

struct doc {
	struct jv *root;
	struct jv *items;		/* the "nftables" array */
	struct finding f[DOC_MAX_FINDINGS];
	int n;
	char backend[DOC_MAX_BACKENDS][256];
	int nb;
};

/* A new finding named ID to fill in (the last one again when full). */
struct finding *doc_add(struct doc *d, const char *id);
/* A line for "backends": FMT with three strings. */
void doc_backend(struct doc *d, const char *fmt, const char *a, const char *b, const char *c);
/* The ruleset checks; SOCK is pptp-ngd's control socket. */
void doc_check_ruleset(struct doc *d, const char *sock);

#endif /* PPTP_NG_INSPECT_DOCTOR_H */
