// SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
/*
 * A small JSON reader for `nft -j list ruleset` (doctor.c) and pptp-ngd's
 * status document (show.c): the whole document into a tree of jv nodes.
 * Strings keep their escapes decoded only for the ASCII ones nft
 * produces; \uXXXX becomes '?'.
 *
 * Each level of nesting is a stack frame here, in jv_free and in every
 * walk of the tree, and show.c copies the tree into a writer of bounded
 * depth: the text comes from another process, so nesting is limited and
 * a document beyond the limit is refused whole, never cut.
 */
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include "jparse.h"

struct jp {
	const char *p, *end;
	unsigned int depth, max_depth;	/* arrays and objects open */
	enum jv_err err;		/* JV_OK: a syntax error, if any */
};

static void skip_ws(struct jp *j)
{
	while (j->p < j->end && (*j->p == ' ' || *j->p == '\t' || *j->p == '\n' || *j->p == '\r'))
		j->p++;
}

static struct jv *jv_new(struct jp *j, enum jv_type t)
{
	struct jv *v = calloc(1, sizeof(*v));

	if (v)
		v->type = t;
	else
		j->err = JV_NOMEM;
	return v;
}

static char *parse_string(struct jp *j)
{
	size_t cap = 16, n = 0;
	char *s;

	if (j->p >= j->end || *j->p != '"')
		return NULL;
	j->p++;
	s = malloc(cap);
	if (!s) {
		j->err = JV_NOMEM;
		return NULL;
	}
	while (j->p < j->end && *j->p != '"') {
		char c = *j->p++;

		if (c == '\\') {
			if (j->p >= j->end)
				break;
			c = *j->p++;
			switch (c) {
			case 'n': c = '\n'; break;
			case 't': c = '\t'; break;
			case 'r': c = '\r'; break;
			case 'b': c = '\b'; break;
			case 'f': c = '\f'; break;
			case 'u':
				if (j->end - j->p < 4)
					goto bad;
				j->p += 4;
				c = '?';
				break;
			case '"': case '\\': case '/':
				break;
			default:
				goto bad;
			}
		}
		if (n + 2 > cap) {
			char *t = realloc(s, cap *= 2);

			if (!t) {
				j->err = JV_NOMEM;
				goto bad;
			}
			s = t;
		}
		s[n++] = c;
	}
	if (j->p >= j->end)
		goto bad;
	j->p++;
	s[n] = 0;
	return s;
bad:
	free(s);
	return NULL;
}

static struct jv *parse_value(struct jp *j);

/* Members of an object or elements of an array, up to the closing char. */
static struct jv *parse_list(struct jp *j, enum jv_type t, char close)
{
	struct jv *v = jv_new(j, t), **tail;

	if (!v)
		return NULL;
	tail = &v->kids;
	j->p++;
	skip_ws(j);
	if (j->p < j->end && *j->p == close) {
		j->p++;
		return v;
	}
	for (;;) {
		char *key = NULL;
		struct jv *k;

		skip_ws(j);
		if (t == JV_OBJ) {
			key = parse_string(j);
			skip_ws(j);
			if (!key || j->p >= j->end || *j->p != ':') {
				free(key);
				goto bad;
			}
			j->p++;
		}
		k = parse_value(j);
		if (!k) {
			free(key);
			goto bad;
		}
		k->key = key;
		*tail = k;
		tail = &k->next;
		skip_ws(j);
		if (j->p < j->end && *j->p == ',') {
			j->p++;
			continue;
		}
		if (j->p < j->end && *j->p == close) {
			j->p++;
			return v;
		}
		goto bad;
	}
bad:
	jv_free(v);
	return NULL;
}

/* An array or object one level deeper, if the limit allows. */
static struct jv *parse_nested(struct jp *j, enum jv_type t, char close)
{
	struct jv *v;

	if (j->depth >= j->max_depth) {
		j->err = JV_TOO_DEEP;
		return NULL;
	}
	j->depth++;
	v = parse_list(j, t, close);
	j->depth--;
	return v;
}

static struct jv *parse_word(struct jp *j)
{
	static const struct { const char *w; enum jv_type t; } words[] = {
		{ "null", JV_NULL }, { "true", JV_TRUE }, { "false", JV_FALSE },
	};
	size_t i;

	for (i = 0; i < sizeof(words) / sizeof(words[0]); i++) {
		size_t l = strlen(words[i].w);

		if ((size_t)(j->end - j->p) >= l && !memcmp(j->p, words[i].w, l)) {
			j->p += l;
			return jv_new(j, words[i].t);
		}
	}
	return NULL;
}

static struct jv *parse_value(struct jp *j)
{
	struct jv *v = NULL;

	skip_ws(j);
	if (j->p >= j->end)
		return NULL;
	if (*j->p == '{') {
		v = parse_nested(j, JV_OBJ, '}');
	} else if (*j->p == '[') {
		v = parse_nested(j, JV_ARR, ']');
	} else if (*j->p == '"') {
		char *s = parse_string(j);

		if (s) {
			v = jv_new(j, JV_STR);
			if (v)
				v->s = s;
			else
				free(s);
		}
	} else if (*j->p == '-' || (*j->p >= '0' && *j->p <= '9')) {
		char buf[64];
		size_t n = 0;

		while (j->p < j->end && n < sizeof(buf) - 1 &&
		       strchr("+-.eE0123456789", *j->p))
			buf[n++] = *j->p++;
		buf[n] = 0;
		v = jv_new(j, JV_NUM);
		if (v)
			v->n = strtod(buf, NULL);
	} else {
		v = parse_word(j);
	}
	return v;
}

struct jv *jv_parse_limit(const char *text, size_t len, unsigned int max_depth,
			  enum jv_err *err)
{
	struct jp j = { .p = text, .end = text + len, .max_depth = max_depth };
	struct jv *v = parse_value(&j);

	skip_ws(&j);
	if (v && j.p != j.end) {
		jv_free(v);
		v = NULL;
	}
	if (err)
		*err = v ? JV_OK : j.err != JV_OK ? j.err : JV_SYNTAX;
	return v;
}

struct jv *jv_parse(const char *text, size_t len)
{
	return jv_parse_limit(text, len, JV_MAX_DEPTH, NULL);
}

void jv_free(struct jv *v)
{
	while (v) {
		struct jv *next = v->next;

		jv_free(v->kids);
		free(v->key);
		free(v->s);
		free(v);
		v = next;
	}
}

struct jv *jv_get(const struct jv *obj, const char *key)
{
	struct jv *k;

	if (!obj || obj->type != JV_OBJ)
		return NULL;
	for (k = obj->kids; k; k = k->next)
		if (!strcmp(k->key, key))
			return k;
	return NULL;
}

const char *jv_str(const struct jv *obj, const char *key)
{
	const struct jv *v = key ? jv_get(obj, key) : obj;

	return v && v->type == JV_STR ? v->s : NULL;
}

long jv_num(const struct jv *obj, const char *key, long def)
{
	const struct jv *v = key ? jv_get(obj, key) : obj;

	/* Out of range, the conversion would be undefined: the default instead. */
	if (!v || v->type != JV_NUM || !(v->n >= (double)LONG_MIN && v->n < -(double)LONG_MIN))
		return def;
	return (long)v->n;
}
