// SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
/*
 * pptp-ng show: the nfqueue backend's GRE maps, as pptp-ngd left them in
 * `table ip pptp_ngd` and its IPv6 twin `table ip6 pptp_ngd`
 * (docs/userspace.md), read with `nft -j list table`.
 *
 * Each call has one element in each of gre_in_addr, gre_in_id,
 * gre_out_addr and gre_out_ok.  Only gre_in_addr's element carries a
 * comment ("pptp-ngd CONN dir D role R id I xid X peer P"), which names
 * the control connection and both call IDs; the other three are found
 * from it by their keys.  So the tree is control connection -> call ->
 * its elements, and an element no comment explains is listed apart
 * (a half set up before the call came up, or a leftover).  An IPv6
 * comment names the connection's addresses by role ("[inside]:p>[peer]:q":
 * they are the element's own), which the tree shows as the addresses.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "live.h"
#include "jparse.h"
#include "out.h"

#define NGD_TABLE_CMD	"nft -j list table %s pptp_ngd 2>/dev/null"
static const char *const families[] = { "ip", "ip6" };
#define N_FAMILIES	2
#define ELEM_MAX	(LIVE_MAX * 4)	/* four per call */

static const char *const map_names[] = { "gre_in_addr", "gre_in_id", "gre_out_addr",
					  "gre_out_ok" };
enum { IN_ADDR, IN_ID, OUT_ADDR, OUT_OK, N_MAPS };

struct elem {
	u8 map;
	char key[3][48];	/* the three parts of the concatenation */
	char value[48];		/* empty for the set */
	long expires;		/* seconds, -1 unknown */
	const char *comment;	/* in the parsed document */
	u8 claimed;
};

struct call {
	char conn[128], role[8];
	unsigned int dir, id, xid, peer_id;
	const struct elem *in_addr;	/* the element with the comment */
};

struct ngd_maps {
	struct jv *root[N_FAMILIES];	/* NULL: no such table */
	char tables[48];		/* "table ip pptp_ngd, table ip6 pptp_ngd" */
	struct elem *e;
	u32 n, cap_e;
	struct call *c;
	u32 nc, cap_c;
};

/* The whole output of @cmd; NULL when it fails or prints nothing. */
char *insp_run(const char *cmd, size_t *len)
{
	FILE *p = popen(cmd, "r");
	size_t cap = 65536, n = 0;
	char *buf = malloc(cap + 1);

	if (!p || !buf) {
		if (p)
			pclose(p);
		free(buf);
		return NULL;
	}
	for (;;) {
		char *t;

		n += fread(buf + n, 1, cap - n, p);
		if (n < cap)
			break;
		t = realloc(buf, (cap *= 2) + 1);
		if (!t)
			break;
		buf = t;
	}
	if (pclose(p) != 0 || !n) {
		free(buf);
		return NULL;
	}
	buf[n] = 0;
	*len = n;
	return buf;
}

static void scalar(const struct jv *v, char *buf, size_t len)
{
	if (v && v->type == JV_STR)
		snprintf(buf, len, "%s", v->s);
	else if (v && v->type == JV_NUM)
		snprintf(buf, len, "%.0f", v->n);
	else
		snprintf(buf, len, "?");
}

/*
 * One element as nft -j writes it: a map's is [key, value], a set's the
 * key alone; a key with a timeout or comment is {"elem": {"val": ...}}.
 */
static void add_elem(struct ngd_maps *m, u8 map, const struct jv *it)
{
	const struct jv *key = it, *val = NULL, *k, *w;
	struct elem *e;
	int i = 0;

	if (m->n >= ELEM_MAX)
		return;
	m->e = insp_grow(m->e, &m->cap_e, m->n + 1, sizeof(*m->e));
	if (map != OUT_OK && it->type == JV_ARR && it->kids && it->kids->next) {
		key = it->kids;
		val = it->kids->next;
	}
	e = &m->e[m->n];
	memset(e, 0, sizeof(*e));
	e->map = map;
	e->expires = -1;
	w = jv_get(key, "elem");
	if (w) {
		e->expires = jv_num(w, "expires", -1);
		e->comment = jv_str(w, "comment");
		key = jv_get(w, "val");
	}
	k = jv_get(key, "concat");
	for (k = k ? k->kids : NULL; k && i < 3; k = k->next)
		scalar(k, e->key[i++], sizeof(e->key[0]));
	if (i != 3)
		return;		/* not this table's layout: leave it out */
	if (val)
		scalar(val, e->value, sizeof(e->value));
	m->n++;
}

static void read_elems(struct ngd_maps *m, const struct jv *root)
{
	const struct jv *it, *items = jv_get(root, "nftables");
	u8 i;

	for (it = items ? items->kids : NULL; it; it = it->next) {
		const struct jv *o = jv_get(it, "map"), *x;

		if (!o)
			o = jv_get(it, "set");
		if (!o || !jv_str(o, "name"))
			continue;
		for (i = 0; i < N_MAPS; i++)
			if (!strcmp(jv_str(o, "name"), map_names[i]))
				break;
		x = jv_get(o, "elem");
		for (x = i < N_MAPS && x ? x->kids : NULL; x; x = x->next)
			add_elem(m, i, x);
	}
}

/*
 * An IPv6 comment's "[inside]:p>[peer]:q" with the element's addresses
 * (@e: peer . public . xid : inside) in place of the words; anything else
 * is left as it is.
 */
static void conn_addrs(char *conn, size_t len, const struct elem *e)
{
	char a[8], b[8];
	unsigned int ap, bp;

	if (sscanf(conn, "[%7[a-z]]:%u>[%7[a-z]]:%u", a, &ap, b, &bp) != 4)
		return;
	if (!strcmp(a, "inside") && !strcmp(b, "peer"))
		snprintf(conn, len, "[%s]:%u>[%s]:%u", e->value, ap, e->key[0], bp);
	else if (!strcmp(a, "peer") && !strcmp(b, "inside"))
		snprintf(conn, len, "[%s]:%u>[%s]:%u", e->key[0], ap, e->value, bp);
}

/* A call from a gre_in_addr element's comment. */
static void read_calls(struct ngd_maps *m)
{
	u32 i;

	for (i = 0; i < m->n; i++) {
		struct call *c;

		if (m->e[i].map != IN_ADDR || !m->e[i].comment)
			continue;
		m->c = insp_grow(m->c, &m->cap_c, m->nc + 1, sizeof(*m->c));
		c = &m->c[m->nc];
		if (sscanf(m->e[i].comment, "pptp-ngd %127s dir %u role %7s id %u xid %u peer %u",
			   c->conn, &c->dir, c->role, &c->id, &c->xid, &c->peer_id) != 6)
			continue;
		conn_addrs(c->conn, sizeof(c->conn), &m->e[i]);
		c->in_addr = &m->e[i];
		m->e[i].claimed = 1;
		m->nc++;
	}
}

/* Its element in @map: keys as nft/pptp-ngd-nfqueue.nft lays them out. */
static struct elem *call_elem(struct ngd_maps *m, const struct call *c, u8 map)
{
	const struct elem *a = c->in_addr;	/* peer . public . xid : inside */
	char xid[8], peer_id[8];
	u32 i;

	snprintf(xid, sizeof(xid), "%u", c->xid);
	snprintf(peer_id, sizeof(peer_id), "%u", c->peer_id);
	for (i = 0; i < m->n; i++) {
		struct elem *e = &m->e[i];

		if (e->map != map)
			continue;
		if (map == IN_ID && !strcmp(e->key[0], a->key[0]) &&
		    !strcmp(e->key[1], a->value) && !strcmp(e->key[2], xid))
			return e;
		if ((map == OUT_ADDR || map == OUT_OK) && !strcmp(e->key[0], a->value) &&
		    !strcmp(e->key[1], a->key[0]) && !strcmp(e->key[2], peer_id))
			return e;
	}
	return NULL;
}

/* The JSON of `nft -j list table FAMILY pptp_ngd`; NULL without the table (or nft). */
static struct jv *table_load(const char *family)
{
	char cmd[128], *text;
	struct jv *root;
	size_t len;

	snprintf(cmd, sizeof(cmd), NGD_TABLE_CMD, family);
	text = insp_run(cmd, &len);
	if (!text)
		return NULL;
	root = jv_parse(text, len);
	free(text);
	return root;
}

/* NULL: neither table ip nor table ip6 pptp_ngd here (or no nft). */
static struct ngd_maps *maps_load(void)
{
	struct ngd_maps *m = calloc(1, sizeof(*m));
	u32 i, f, found = 0;
	u8 k;

	if (!m)
		return NULL;
	for (f = 0; f < N_FAMILIES; f++) {
		m->root[f] = table_load(families[f]);
		if (!m->root[f])
			continue;
		snprintf(m->tables + strlen(m->tables), sizeof(m->tables) - strlen(m->tables),
			 "%stable %s pptp_ngd", found++ ? ", " : "", families[f]);
		read_elems(m, m->root[f]);
	}
	if (!found) {
		free(m);
		return NULL;
	}
	read_calls(m);
	for (i = 0; i < m->nc; i++)
		for (k = IN_ID; k < N_MAPS; k++) {
			struct elem *e = call_elem(m, &m->c[i], k);

			if (e)
				e->claimed = 1;
		}
	return m;
}

static void maps_free(struct ngd_maps *m)
{
	u32 f;

	if (!m)
		return;
	for (f = 0; f < N_FAMILIES; f++)
		jv_free(m->root[f]);
	free(m->e);
	free(m->c);
	free(m);
}

static void elem_json(struct jw *j, const struct elem *e)
{
	u8 i;

	jw_obj(j, NULL);
	jw_str(j, "map", map_names[e->map]);
	jw_arr(j, "key");
	for (i = 0; i < 3; i++)
		jw_str(j, NULL, e->key[i]);
	jw_end(j, ']');
	if (e->map == OUT_OK)
		jw_null(j, "value");
	else
		jw_str(j, "value", e->value);
	if (e->expires >= 0)
		jw_u64(j, "expires", (u64)e->expires);
	else
		jw_null(j, "expires");
	jw_end(j, '}');
}

/* Calls of the control connection @conn that comes first at @first. */
static int first_of_conn(const struct ngd_maps *m, u32 first)
{
	u32 i;

	for (i = 0; i < first; i++)
		if (!strcmp(m->c[i].conn, m->c[first].conn))
			return 0;
	return 1;
}

static void call_json(struct jw *j, struct ngd_maps *m, const struct call *c)
{
	u8 k;

	jw_obj(j, NULL);
	jw_str(j, "inside", c->in_addr->value);
	jw_str(j, "public", c->in_addr->key[1]);
	jw_str(j, "peer", c->in_addr->key[0]);
	jw_str(j, "inside_role", c->role);
	jw_u64(j, "id", c->id);
	jw_u64(j, "xid", c->xid);
	jw_u64(j, "peer_id", c->peer_id);
	jw_arr(j, "elements");
	elem_json(j, c->in_addr);
	for (k = IN_ID; k < N_MAPS; k++) {
		const struct elem *e = call_elem(m, c, k);

		if (e)
			elem_json(j, e);
	}
	jw_end(j, ']');
	jw_end(j, '}');
}

void insp_ngd_maps_json(struct jw *j)
{
	struct ngd_maps *m = maps_load();
	u32 i, k;

	if (!m) {
		jw_null(j, "daemon_maps");
		return;
	}
	jw_obj(j, "daemon_maps");
	jw_arr(j, "controls");
	for (i = 0; i < m->nc; i++) {
		if (!first_of_conn(m, i))
			continue;
		jw_obj(j, NULL);
		jw_str(j, "control", m->c[i].conn);
		jw_arr(j, "calls");
		for (k = i; k < m->nc; k++)
			if (!strcmp(m->c[k].conn, m->c[i].conn))
				call_json(j, m, &m->c[k]);
		jw_end(j, ']');
		jw_end(j, '}');
	}
	jw_end(j, ']');
	jw_arr(j, "other_elements");
	for (i = 0; i < m->n; i++)
		if (!m->e[i].claimed)
			elem_json(j, &m->e[i]);
	jw_end(j, ']');
	jw_end(j, '}');
	maps_free(m);
}

static void elem_text(FILE *out, const char *ind, const struct elem *e)
{
	fprintf(out, "%s%-12s %s . %s . %s", ind, map_names[e->map], e->key[0], e->key[1],
		e->key[2]);
	if (e->map != OUT_OK)
		fprintf(out, " : %s", e->value);
	if (e->expires >= 0)
		fprintf(out, ", expires %lds", e->expires);
	fputc('\n', out);
}

void insp_ngd_maps_text(FILE *out)
{
	struct ngd_maps *m = maps_load();
	u32 i, k, other = 0;
	u8 x;

	if (!m) {
		fputs("pptp-ngd maps: no table ip or ip6 pptp_ngd\n", out);
		return;
	}
	fprintf(out, "pptp-ngd maps (%s): %u calls\n", m->tables, m->nc);
	for (i = 0; i < m->nc; i++) {
		if (!first_of_conn(m, i))
			continue;
		fprintf(out, "  control %s\n", m->c[i].conn);
		for (k = i; k < m->nc; k++) {
			const struct call *c = &m->c[k];

			if (strcmp(c->conn, m->c[i].conn))
				continue;
			fprintf(out, "    call: %s %s id %u (seen as %u from %s) <-> %s id %u\n",
				c->role, c->in_addr->value, c->id, c->xid, c->in_addr->key[1],
				c->in_addr->key[0], c->peer_id);
			elem_text(out, "      ", c->in_addr);
			for (x = IN_ID; x < N_MAPS; x++)
				if (call_elem(m, c, x))
					elem_text(out, "      ", call_elem(m, c, x));
		}
	}
	for (i = 0; i < m->n; i++)
		other += !m->e[i].claimed;
	if (other)
		fprintf(out, "  %u elements of no call:\n", other);
	for (i = 0; i < m->n; i++)
		if (!m->e[i].claimed)
			elem_text(out, "    ", &m->e[i]);
	maps_free(m);
}
