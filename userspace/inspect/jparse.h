/* SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause */
/* A small JSON reader, enough for `nft -j list ruleset` (doctor.c). */
#ifndef PPTP_NG_INSPECT_JPARSE_H
#define PPTP_NG_INSPECT_JPARSE_H

#include <stddef.h>

enum jv_type { JV_NULL, JV_TRUE, JV_FALSE, JV_NUM, JV_STR, JV_ARR, JV_OBJ };

struct jv {
	enum jv_type type;
	char *key;		/* member name inside an object */
	char *s;		/* JV_STR */
	double n;		/* JV_NUM */
	struct jv *kids;	/* JV_ARR, JV_OBJ: first element or member */
	struct jv *next;
};

/* NULL when the text is not one well-formed JSON value. */
struct jv *jv_parse(const char *text, size_t len);
void jv_free(struct jv *v);
struct jv *jv_get(const struct jv *obj, const char *key);
/* key NULL: obj itself */
const char *jv_str(const struct jv *obj, const char *key);
long jv_num(const struct jv *obj, const char *key, long def);

#endif /* PPTP_NG_INSPECT_JPARSE_H */
