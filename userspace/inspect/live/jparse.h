/* SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause */
/*
 * A small JSON reader, enough for `nft -j list ruleset` (doctor.c) and
 * pptp-ngd's status document (show.c).
 */
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

/* Containers nested deeper than this are refused by jv_parse. */
#define JV_MAX_DEPTH 64

enum jv_err {
	JV_OK,
	JV_SYNTAX,		/* not one well-formed JSON value */
	JV_TOO_DEEP,		/* arrays and objects nested beyond the limit */
	JV_NOMEM,
};

/* NULL when the text is not one well-formed JSON value. */
struct jv *jv_parse(const char *text, size_t len);
/*
 * The same with a nesting limit of the caller's (at most max_depth arrays
 * and objects inside one another; 0 allows scalars only) and the reason
 * when it returns NULL.
 */
struct jv *jv_parse_limit(const char *text, size_t len, unsigned int max_depth,
			  enum jv_err *err);
void jv_free(struct jv *v);
struct jv *jv_get(const struct jv *obj, const char *key);
/* key NULL: obj itself */
const char *jv_str(const struct jv *obj, const char *key);
long jv_num(const struct jv *obj, const char *key, long def);

#endif /* PPTP_NG_INSPECT_JPARSE_H */
