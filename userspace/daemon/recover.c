// SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
/*
 * Restart recovery.  The GRE maps outlive the daemon (their elements time
 * out on their own), so after a crash the calls keep flowing; at start the
 * daemon reads the gre_in_addr elements back, checks with conntrack that
 * each one's control connection still exists, and adopts the calls into
 * midstream trackers (pptp_adopt_call), so later control messages
 * (CCRQ, CDN, SLI...) are translated and end them as before.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>

#include "session.h"

struct recovered {
	struct ngd_gre g;
	struct ngd_tuple fwd;		/* the session's direction 0, forward hook view */
	unsigned int dir;
	u8 role;
	bool pending;
	bool ok;
};

/* The role's words in a comment: "PNS" or "PAC" (pptp_role_name), either case. */
static bool parse_role(const char *role, u8 *out)
{
	if (!strcmp(role, "PNS") || !strcmp(role, "pns"))
		*out = PPTP_PNS;
	else if (!strcmp(role, "PAC") || !strcmp(role, "pac"))
		*out = PPTP_PAC;
	else
		return false;
	return true;
}

/*
 * IPv6's connection, "[inside]:p>[peer]:q" or "[peer]:p>[inside]:q":
 * the addresses are the element's, named by role (call_comment()).
 */
static int parse_conn6(const char *s, struct recovered *r, unsigned int *dir)
{
	char a[8], b[8];
	unsigned short ap, bp;
	int n = 0;

	if (sscanf(s, "pptp-ngd [%7[a-z]]:%hu>[%7[a-z]]:%hu %n", a, &ap, b, &bp, &n) != 4 || !n)
		return -1;
	if (!strcmp(a, "inside") && !strcmp(b, "peer"))
		*dir = 0;
	else if (!strcmp(a, "peer") && !strcmp(b, "inside"))
		*dir = 1;
	else
		return -1;
	r->fwd.src = *dir ? r->g.peer : r->g.inside;
	r->fwd.dst = *dir ? r->g.inside : r->g.peer;
	r->fwd.sport = htons(ap);
	r->fwd.dport = htons(bp);
	return n;
}

/* IPv4's, "A:p>B:q" with the addresses themselves. */
static int parse_conn4(const char *s, struct recovered *r)
{
	char a[16], b[16];
	unsigned short ap, bp;
	int n = 0;

	if (sscanf(s, "pptp-ngd %15[0-9.]:%hu>%15[0-9.]:%hu %n", a, &ap, b, &bp, &n) != 4 || !n)
		return -1;
	r->fwd.src.family = r->fwd.dst.family = AF_INET;
	if (inet_pton(AF_INET, a, &r->fwd.src.v4) != 1 ||
	    inet_pton(AF_INET, b, &r->fwd.dst.v4) != 1)
		return -1;
	r->fwd.sport = htons(ap);
	r->fwd.dport = htons(bp);
	return n;
}

/* "pptp-ngd CONN dir D role R id X xid Y peer Z" (call_comment()). */
static bool parse_comment(const char *s, struct recovered *r)
{
	char role[4];
	unsigned short id, xid, peer;
	unsigned int dir, dir6 = 0;
	int n = r->g.peer.family == AF_INET6 ? parse_conn6(s, r, &dir6) : parse_conn4(s, r);

	if (n < 0 || sscanf(s + n, "dir %u role %3s id %hu xid %hu peer %hu", &dir, role, &id,
			    &xid, &peer) != 5)
		return false;
	if (dir > 1 || xid != r->g.in_xid || !parse_role(role, &r->role) ||
	    (r->g.peer.family == AF_INET6 && dir != dir6))
		return false;
	r->dir = dir;
	r->g.in_id = id;
	r->g.peer_id = peer;
	return true;
}

static void adopt(struct recovered *r, const struct ngd_conn *conn)
{
	struct pptp_call call = { 0 }, *c;
	unsigned int d = 0;
	struct session *s = session_find(&r->fwd, &d);
	u8 inside_role = r->role;

	if (!s) {
		s = session_new(&r->fwd, conn, true);
		if (!s)
			return;
		stats.sessions_recovered++;
	}
	if (!ngd_addr_eq(&s->inside, &r->g.inside) || !ngd_addr_eq(&s->public, &r->g.public) ||
	    !ngd_addr_eq(&s->peer, &r->g.peer) || s->inside_dir != r->dir || d != 0)
		return;
	call.state = PPTP_CALL_STATE_UP;
	call.outgoing = 1;
	call.has_id[PPTP_PNS] = call.has_id[PPTP_PAC] = 1;
	call.id[inside_role] = r->g.in_id;
	call.xid[inside_role] = r->g.in_xid;
	call.id[!inside_role] = call.xid[!inside_role] = r->g.peer_id;
	if (xid_used(&s->public, &s->peer, r->g.in_xid))
		return;
	c = pptp_adopt_call(&s->t, inside_role == PPTP_PNS ? r->dir : !r->dir, &call);
	if (!c || xid_take(&s->public, &s->peer, r->g.in_xid) < 0)
		return;
	sessions_call_adopted(s, c, &r->g);
	r->ok = true;
}

struct found {
	struct recovered *r;
	unsigned int n, cap;
};

static void collect(const struct ngd_gre *g, const char *comment, void *arg)
{
	struct found *f = arg;
	struct recovered *r;

	if (f->n == f->cap) {
		unsigned int cap = f->cap ? f->cap * 2 : 64;

		r = realloc(f->r, cap * sizeof(*r));
		if (!r)
			return;
		f->r = r;
		f->cap = cap;
	}
	r = &f->r[f->n];
	memset(r, 0, sizeof(*r));
	r->g = *g;
	if (!parse_comment(comment, r)) {
		r->pending = true;	/* a call that never came up, or not ours */
	}
	f->n++;
}

/*
 * Take @r over when its control connection lives; remove it when not.
 * When conntrack cannot say (an error, counted in ct_errors), neither:
 * removing could cut a live call, and its elements, refreshed by nobody,
 * are gone within --gre-timeout anyway.
 */
static void recover_one(struct recovered *r)
{
	struct ngd_conn c;
	struct ngd_tuple fwd;
	int ret = r->pending ? -ENOENT : ct_lookup(&r->fwd, &c);

	if (ret < 0 && ret != -ENOENT) {
		ngd_err("call %u: cannot look up its control connection (%s): left to time out, not followed",
			r->g.in_xid, strerror(-ret));
		return;
	}
	if (!ret) {
		ct_forward_tuple(&c, &fwd);
		if (ngd_tuple_eq(&fwd, &r->fwd))
			adopt(r, &c);
	}
	/* the element's key and data name its siblings; no call holds its ID */
	if (!r->ok && gre_close_or_leave(&r->g, r->pending ? NGD_MAP_IN : NGD_MAP_ALL,
					 LEFTOVER_TAKE_XID))
		ngd_info("stale call %u (control connection gone): pinhole removed", r->g.in_xid);
}

/* Dump first, change after: never modify the maps while reading them. */
int sessions_recover(void)
{
	struct found f = { 0 };
	unsigned int i;
	int ret = nft_gre_dump(collect, &f);

	if (ret < 0)
		stats.nft_errors++;
	for (i = 0; ret == 0 && i < f.n; i++)
		recover_one(&f.r[i]);
	free(f.r);
	return ret;
}
