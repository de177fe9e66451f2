// SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
/*
 * `pptp-ng explain`: replay each control connection of a capture through
 * the shared core as the NAT helper runs it, and print every decision.
 *
 * Call IDs of the side inside --inside are translated the helpers' way,
 * by the core's policy (nat.h): an ID is kept when it is free for
 * (translated address, server), else the highest free one is taken.  The
 * translated address is --nat-to, or the inside host's own address when
 * the NAT does not change it.
 */
#include <arpa/inet.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include "out.h"
#include "pptp_ng/nat.h"

/* The IDs the other side sees, one space per (translated address, server). */
struct id_space {
	struct insp_addr xaddr, server;
	struct pptp_id_space ids;
};

/* An ID a session holds, to give back when its call ends. */
struct id_use {
	const struct insp_session *s;
	struct id_space *space;
	u8 role;
	u16 id, xid;
};

struct insp_explain {
	FILE *f;
	struct jw *j;			/* --json: decisions as objects */
	u8 role;			/* the sender's role the core gave the event, if known */
	struct insp_addr inside;
	unsigned int inside_len;
	u8 has_inside, has_nat;
	struct insp_addr nat_to;
	struct id_space **spaces;
	u32 n_spaces, cap_spaces;
	struct id_use *ids;
	u32 n_ids, cap_ids;
	u32 rewrites, calls_up, calls_down, refused, invalid, anomalies, dropped;
	u8 *seg;			/* the inbound segment as the NAT saw it */
};

static int parse_addr(const char *s, struct insp_addr *a)
{
	memset(a, 0, sizeof(*a));
	if (inet_pton(AF_INET, s, a->a) == 1) {
		a->family = 4;
		return 0;
	}
	if (inet_pton(AF_INET6, s, a->a) == 1) {
		a->family = 6;
		return 0;
	}
	return -1;
}

static int in_prefix(const struct insp_explain *x, const struct insp_addr *a)
{
	unsigned int i, bits = x->inside_len;

	if (!x->has_inside || a->family != x->inside.family)
		return 0;
	for (i = 0; bits >= 8; i++, bits -= 8)
		if (a->a[i] != x->inside.a[i])
			return 0;
	return !bits || !((a->a[i] ^ x->inside.a[i]) & (0xff00 >> bits));
}

/* A short, stable name for a session: its index in the capture. */
static u32 session_no(const struct insp_capture *cap, const struct insp_session *s)
{
	u32 i;

	for (i = 0; i < cap->n_sessions; i++)
		if (cap->sessions[i] == s)
			return i + 1;
	return cap->n_sessions + 1;
}

static void line(struct insp_capture *cap, const struct insp_session *s, unsigned int dir,
		 const char *kind, const char *fmt, ...) __attribute__((format(printf, 5, 6)));

/*
 * One decision: a line of text, or with --json an object holding the
 * same text and where it happened, the sender's role and address
 * included (the text's 0->1 is the session's own direction).
 */
static void line(struct insp_capture *cap, const struct insp_session *s, unsigned int dir,
		 const char *kind, const char *fmt, ...)
{
	struct insp_explain *x = cap->replay_ctx;
	char text[512], a[64];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(text, sizeof(text), fmt, ap);
	va_end(ap);
	if (!x->j) {
		fprintf(x->f, "frame %llu session %u %s: %s\n", (unsigned long long)cap->frame,
			session_no(cap, s), dir ? "1->0" : "0->1", text);
		return;
	}
	jw_obj(x->j, NULL);
	jw_u64(x->j, "frame", cap->frame);
	jw_u64(x->j, "session", session_no(cap, s));
	jw_u64(x->j, "dir", dir);
	jw_str(x->j, "from", insp_addr_str(&s->addr[dir & 1], a, sizeof(a)));
	jw_str(x->j, "sender", pptp_role_name(x->role != PPTP_ROLE_UNKNOWN ? x->role :
					       s->t.role[dir & 1]));
	jw_str(x->j, "kind", kind);
	jw_str(x->j, "text", text);
	jw_end(x->j, '}');
}

static struct id_space *space_of(struct insp_explain *x, const struct insp_addr *xa,
				 const struct insp_addr *srv)
{
	struct id_space *sp;
	u32 i;

	for (i = 0; i < x->n_spaces; i++)
		if (insp_addr_eq(&x->spaces[i]->xaddr, xa) &&
		    insp_addr_eq(&x->spaces[i]->server, srv))
			return x->spaces[i];
	sp = malloc(sizeof(*sp));
	if (!sp) {
		perror("pptp-ng");
		exit(3);
	}
	sp->xaddr = *xa;
	sp->server = *srv;
	pptp_ids_init(&sp->ids);
	x->spaces = insp_grow(x->spaces, &x->cap_spaces, x->n_spaces + 1, sizeof(*x->spaces));
	x->spaces[x->n_spaces++] = sp;
	return sp;
}

/*
 * The call ID field of an inbound message that names the inside side's
 * call, as the capture shows it (after the NAT) translated to what the
 * NAT itself received: id -> xid.  Offsets come from the core's message
 * descriptions; CDN's Call ID is the inside side's only when it is not the
 * sender's own.
 */
static int inbound_field(const struct insp_session *s, u8 in_role, const u8 *head,
			 u16 *off, u16 *xid)
{
	const struct pptp_msg_desc *md = pptp_msg_desc(pptp_get16(head + PPTP_OFF_CTRL_TYPE));
	const struct pptp_call *c;
	u16 v;

	if (!md)
		return 0;
	*off = md->peer_off;
	if (pptp_get16(head + PPTP_OFF_CTRL_TYPE) == PPTP_CDN) {
		*off = md->own_off;
		if (pptp_find_by_id(&s->t, in_role == PPTP_PNS ? PPTP_PAC : PPTP_PNS,
				    pptp_get16(head + *off)))
			return 0;
	}
	if (!*off || *off + 2 > PPTP_DECIDE_LEN)
		return 0;
	v = pptp_get16(head + *off);
	c = pptp_find_by_id(&s->t, in_role, v);
	if (!c || c->xid[in_role] == v)
		return 0;
	*xid = c->xid[in_role];
	return 1;
}

/* Where the core decides on the message @head starts (pptp_decide_len). */
static u16 head_len(const u8 *head)
{
	return pptp_decide_len(pptp_get16(head + PPTP_OFF_CTRL_TYPE));
}

/*
 * Put back the translated ID @xid of the field at @off of the message
 * @head, whose first byte is at @at in the segment being fed (before it
 * when negative).  A field whose first byte went in an earlier segment
 * gets its second: the core's policy keeps a translated ID's first byte
 * (nat.h), so the first was already right.
 */
static void translate_back(struct insp_capture *cap, struct insp_session *s, unsigned int dir,
			   const u8 *head, long at, u16 off, u16 xid)
{
	struct insp_explain *x = cap->replay_ctx;
	const char *name = pptp_msg_name(pptp_get16(head + PPTP_OFF_CTRL_TYPE));

	if (at < -1 || (at == -1 && head[off] != xid >> 8)) {
		line(cap, s, dir, "not-translated-back", "%s offset %u: split before this segment, not translated back",
		     name, off);
		return;
	}
	line(cap, s, dir, "translated-back", "%s offset %u: %u as captured inside was %u at the NAT",
	     name, off, pptp_get16(head + off), xid);
	if (at == -1)
		x->seg[0] = (u8)xid;
	else
		pptp_put16(x->seg + at, xid);
}

/*
 * A capture shows inbound messages as they left the NAT, with the inside
 * side's own call IDs put back.  The helper saw them before that: give the
 * core the translated IDs again, so it replays what the helper would do.
 */
static const u8 *explain_feed_begin(struct insp_capture *cap, struct insp_session *s,
				    unsigned int dir, u32 seq, const u8 *data, u32 len)
{
	struct insp_explain *x = cap->replay_ctx;
	struct insp_inbound *in = &s->inbound[dir];
	u8 in_role = s->t.role[!dir];
	u32 i;

	/* The helper refuses what would carry an inside host's raw ID out. */
	if (in_prefix(x, &s->addr[dir]) && !in_prefix(x, &s->addr[!dir]))
		pptp_set_translated(&s->t, dir, 1);
	if (!in_prefix(x, &s->addr[!dir]) || in_prefix(x, &s->addr[dir]) || !len)
		return data;
	if (in->state == INBOUND_NOT_STARTED) {
		in->state = INBOUND_FOLLOWING;
		in->next = seq;
	}
	if (seq != in->next) {
		if ((s32)(seq - in->next) > 0 && in->state == INBOUND_FOLLOWING) {
			in->state = INBOUND_LOST;
			line(cap, s, dir, "gap", "inbound stream has a gap: call IDs no longer translated back");
		}
		return data;
	}
	in->next = seq + len;
	if (in->state != INBOUND_FOLLOWING)
		return data;
	free(x->seg);
	x->seg = malloc(len);
	if (!x->seg) {
		perror("pptp-ng");
		exit(3);
	}
	memcpy(x->seg, data, len);
	for (i = 0; i < len; i++) {
		u16 off, xid;

		if (in->pos < PPTP_DECIDE_LEN)
			in->head[in->pos] = data[i];
		in->pos++;
		if (in->pos == 2) {
			in->len = pptp_get16(in->head);
			if (in->len < PPTP_DECIDE_LEN || in->len > PPTP_MSG_MAX_LEN) {
				in->state = INBOUND_LOST;
				line(cap, s, dir, "framing-lost", "inbound framing lost: call IDs no longer translated back");
				return x->seg;
			}
		}
		/* Before the core decides on the message: when its ID fields are in. */
		if (in->pos >= PPTP_HDR_LEN && in->pos == head_len(in->head) &&
		    in_role != PPTP_ROLE_UNKNOWN && inbound_field(s, in_role, in->head, &off, &xid))
			translate_back(cap, s, dir, in->head, (long)i - (in->pos - 1 - off), off, xid);
		if (in->pos == in->len)
			in->pos = 0;
	}
	return x->seg;
}

static int explain_map(struct insp_capture *cap, struct insp_session *s, unsigned int dir, u8 role,
		       u16 id, u16 *xid)
{
	struct insp_explain *x = cap->replay_ctx;
	unsigned int owner = dir;
	const struct insp_addr *xa;
	struct id_space *sp;
	struct id_use *u;
	char a[64], b[64], c[64];
	u16 v;

	if (s->t.role[dir] != PPTP_ROLE_UNKNOWN && s->t.role[dir] != role)
		owner = !dir;
	if (!in_prefix(x, &s->addr[owner]))
		return 0;
	xa = x->has_nat ? &x->nat_to : &s->addr[owner];
	sp = space_of(x, xa, &s->addr[!owner]);
	if (pptp_nat_pick(&s->t, &sp->ids, role, id, &v) < 0) {
		line(cap, s, dir, "no-free-id", "map %s call ID %u: no free ID at %s towards %s",
		     pptp_role_name(role), id, insp_addr_str(xa, a, sizeof(a)),
		     insp_addr_str(&s->addr[!owner], b, sizeof(b)));
		return -1;
	}
	x->ids = insp_grow(x->ids, &x->cap_ids, x->n_ids + 1, sizeof(*x->ids));
	u = &x->ids[x->n_ids++];
	u->space = sp;
	u->s = s;
	u->role = role;
	u->id = id;
	u->xid = v;
	*xid = v;
	line(cap, s, dir, "map", "map %s call ID %u of %s -> %u as %s towards %s%s",
	     pptp_role_name(role), id, insp_addr_str(&s->addr[owner], a, sizeof(a)), v,
	     insp_addr_str(xa, b, sizeof(b)), insp_addr_str(&s->addr[!owner], c, sizeof(c)),
	     v == id ? " (kept)" : " (in use: changed)");
	return 0;
}

static void release(struct insp_capture *cap, const struct insp_session *s, u8 role, u16 id)
{
	struct insp_explain *x = cap->replay_ctx;
	u32 i;

	for (i = 0; i < x->n_ids; i++) {
		if (x->ids[i].s != s || x->ids[i].role != role || x->ids[i].id != id)
			continue;
		pptp_ids_put(&x->ids[i].space->ids, x->ids[i].xid);
		x->ids[i] = x->ids[--x->n_ids];
		return;
	}
}

static void call_desc(char *buf, size_t len, const struct pptp_call *c)
{
	char pns[24] = "?", pac[24] = "?";

	if (c->has_id[PPTP_PNS])
		snprintf(pns, sizeof(pns), "%u/%u", c->id[PPTP_PNS], c->xid[PPTP_PNS]);
	if (c->has_id[PPTP_PAC])
		snprintf(pac, sizeof(pac), "%u/%u", c->id[PPTP_PAC], c->xid[PPTP_PAC]);
	snprintf(buf, len, "PNS id/seen-as %s, PAC id/seen-as %s, serial %u", pns, pac,
		 c->serial);
}

/* The GRE the helpers open for a call: the core's halves (nat.h), as every face opens them. */
static void gre_halves(struct insp_capture *cap, struct insp_session *s,
		       const struct pptp_event *ev, unsigned int which)
{
	struct pptp_gre_half h[2];
	unsigned int i, open = pptp_gre_halves(&s->t, ev->call, h) & which;

	for (i = 0; i < 2; i++)
		if (open & (1u << i))
			line(cap, s, ev->dir, "gre-half", "  GRE %s: key %u on the wire, delivered as %u",
			     h[i].dir ? "1->0" : "0->1", h[i].key_wire, h[i].key_deliver);
}

static void explain_event(struct insp_capture *cap, struct insp_session *s,
			  const struct pptp_event *ev)
{
	struct insp_explain *x = cap->replay_ctx;
	char cd[96];

	x->role = ev->role;

	switch (ev->type) {
	case PPTP_EV_MESSAGE:
		line(cap, s, ev->dir, "message", "%s from %s", pptp_msg_name(ev->msg_type),
		     pptp_role_name(ev->role));
		break;
	case PPTP_EV_INVALID:
		x->invalid++;
		line(cap, s, ev->dir, "invalid", "INVALID %s: %s, ignored", pptp_msg_name(ev->msg_type),
		     pptp_invalid_name(ev->reason));
		break;
	case PPTP_EV_ANOMALY:
		x->anomalies++;
		line(cap, s, ev->dir, "anomaly", "ANOMALY %s: %s", pptp_msg_name(ev->msg_type),
		     pptp_anomaly_name(ev->reason));
		break;
	case PPTP_EV_REFUSED:
		x->refused++;
		line(cap, s, ev->dir, "refused", "REFUSED %s: %s, call not tracked",
		     pptp_msg_name(ev->msg_type), pptp_refusal_name(ev->reason));
		break;
	case PPTP_EV_REWRITE:
		x->rewrites++;
		line(cap, s, ev->dir, "rewrite", "rewrite %s offset %u: %u -> %u (%u byte%s at segment offset %u)",
		     pptp_msg_name(ev->msg_type), ev->field_off, ev->old_val, ev->new_val,
		     ev->nbytes, ev->nbytes == 1 ? "" : "s", ev->seg_off);
		break;
	case PPTP_EV_CALL_UP:
		x->calls_up++;
		call_desc(cd, sizeof(cd), ev->call);
		line(cap, s, ev->dir, "call-up", "call up, expect GRE both ways: %s", cd);
		gre_halves(cap, s, ev, PPTP_GRE_BOTH);
		break;
	case PPTP_EV_CALL_ID:
		call_desc(cd, sizeof(cd), ev->call);
		line(cap, s, ev->dir, "call-id", "%s named its ID, expect GRE to it: %s",
		     pptp_role_name(ev->role), cd);
		gre_halves(cap, s, ev, pptp_gre_to(ev->role));
		break;
	case PPTP_EV_CALL_DOWN:
		x->calls_down++;
		call_desc(cd, sizeof(cd), ev->call);
		line(cap, s, ev->dir, "call-down", "call down, forget its GRE: %s", cd);
		if (ev->call->has_id[PPTP_PNS])
			release(cap, s, PPTP_PNS, ev->call->id[PPTP_PNS]);
		if (ev->call->has_id[PPTP_PAC])
			release(cap, s, PPTP_PAC, ev->call->id[PPTP_PAC]);
		break;
	case PPTP_EV_UNMAP:
		line(cap, s, ev->dir, "unmap", "unmap %s call ID %u (was seen as %u): unused",
		     pptp_role_name(ev->role), ev->old_val, ev->new_val);
		release(cap, s, ev->role, ev->old_val);
		break;
	case PPTP_EV_SESSION:
		line(cap, s, ev->dir, "session", "control connection %s", pptp_session_name(ev->new_val));
		break;
	case PPTP_EV_DROP:
		x->dropped++;
		line(cap, s, ev->dir, "drop", "DROP segment: %s (TCP sends it again)",
		     pptp_drop_name(ev->reason));
		break;
	}
	x->role = PPTP_ROLE_UNKNOWN;
}

/* The last line, or with --json the end of the document; @err: why reading stopped. */
static void summary(struct insp_explain *x, const struct insp_capture *cap, const char *err)
{
	struct jw *j = x->j;

	if (!j) {
		fprintf(x->f, "summary: %u control connections, %u calls up, %u calls down, %u rewrites, %u refused, %u invalid, %u anomalies, %u segments dropped\n",
			cap->n_sessions, x->calls_up, x->calls_down, x->rewrites, x->refused,
			x->invalid, x->anomalies, x->dropped);
		return;
	}
	jw_end(j, ']');
	if (err)
		jw_str(j, "error", err);
	else
		jw_null(j, "error");
	jw_obj(j, "summary");
	jw_u64(j, "control_connections", cap->n_sessions);
	jw_u64(j, "calls_up", x->calls_up);
	jw_u64(j, "calls_down", x->calls_down);
	jw_u64(j, "rewrites", x->rewrites);
	jw_u64(j, "refused", x->refused);
	jw_u64(j, "invalid", x->invalid);
	jw_u64(j, "anomalies", x->anomalies);
	jw_u64(j, "segments_dropped", x->dropped);
	jw_end(j, '}');
	jw_end(j, '}');
	jw_end(j, '}');
}

#define EXPLAIN_USAGE \
	"usage: pptp-ng explain FILE [--json] [--inside ADDR/PREFIX] [--nat-to ADDR] [--max-calls N]\n"

static int parse_prefix(const char *arg, struct insp_explain *x)
{
	char buf[64], *slash, *end;
	long len;

	snprintf(buf, sizeof(buf), "%s", arg);
	slash = strchr(buf, '/');
	if (slash)
		*slash = 0;
	if (parse_addr(buf, &x->inside))
		return -1;
	len = x->inside.family == 4 ? 32 : 128;
	if (slash) {
		long max = len;

		len = strtol(slash + 1, &end, 10);
		if (*end || end == slash + 1 || len < 0 || len > max)
			return -1;
	}
	x->inside_len = (unsigned int)len;
	x->has_inside = 1;
	return 0;
}

static const struct insp_replay_hooks explain_hooks = {
	.feed_begin = explain_feed_begin,
	.event = explain_event,
	.map_id = explain_map,
};

int insp_explain_main(int argc, char **argv)
{
	struct insp_explain x = { .f = stdout, .role = PPTP_ROLE_UNKNOWN };
	struct insp_capture cap = { .replay = &explain_hooks, .replay_ctx = &x };
	struct jw j = { .f = stdout };
	const char *file = NULL;
	char err[512] = "";
	long max_calls = INSP_MAX_CALLS;
	int i, rc, json = 0;

	for (i = 1; i < argc; i++) {
		const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;

		if (!strcmp(a, "--json")) {
			json = 1;
		} else if (!strcmp(a, "--inside") && v) {
			if (parse_prefix(v, &x)) {
				fprintf(stderr, "pptp-ng explain: bad prefix '%s'\n", v);
				return 2;
			}
			i++;
		} else if (!strcmp(a, "--nat-to") && v) {
			if (parse_addr(v, &x.nat_to)) {
				fprintf(stderr, "pptp-ng explain: bad address '%s'\n", v);
				return 2;
			}
			x.has_nat = 1;
			i++;
		} else if (!strcmp(a, "--max-calls") && v) {
			max_calls = strtol(v, NULL, 10);
			if (max_calls < 1 || max_calls > INSP_MAX_CALLS) {
				fprintf(stderr, "pptp-ng explain: --max-calls 1..%d\n", INSP_MAX_CALLS);
				return 2;
			}
			i++;
		} else if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
			fputs(EXPLAIN_USAGE, stdout);
			return 0;
		} else if ((a[0] != '-' || !a[1]) && !file) {
			file = a;
		} else {
			fprintf(stderr, "pptp-ng explain: unexpected argument '%s'\n", a);
			return 2;
		}
	}
	if (!file) {
		fputs(EXPLAIN_USAGE, stderr);
		return 2;
	}
	if (x.has_nat && !x.has_inside) {
		fputs("pptp-ng explain: --nat-to needs --inside\n", stderr);
		return 2;
	}
	cap.max_calls = (u16)max_calls;
	if (json) {
		x.j = &j;
		jw_obj(&j, NULL);
		jw_u64(&j, "pptp_ng_json", 1);
		jw_obj(&j, "explain");
		jw_str(&j, "file", file);
		jw_arr(&j, "decisions");
	}
	rc = insp_read_file(&cap, file, err, sizeof(err));
	if (rc < 0 && !json) {
		fprintf(stderr, "pptp-ng: %s\n", err);
		insp_capture_free(&cap);
		return 1;
	}
	summary(&x, &cap, rc ? err : NULL);
	if (rc)
		fprintf(stderr, "pptp-ng: %s\n", err);
	insp_capture_free(&cap);
	while (x.n_spaces)
		free(x.spaces[--x.n_spaces]);
	free(x.spaces);
	free(x.ids);
	free(x.seg);
	return rc ? 1 : 0;
}
