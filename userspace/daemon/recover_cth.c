// SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
/*
 * Restart recovery for the cthelper backend.
 *
 * What a live call needs outlives the daemon in the kernel: the helper
 * stays registered, the control connections keep it and our helper data
 * (the inside host's role and which halves pair up), and every call that
 * is up keeps its two permanent GRE expectations.  So GRE keeps flowing
 * while we are gone, and at start we rebuild the call table from there:
 * dump the expectations, read each master's conntrack entry and helper
 * data, and adopt every complete pair into a midstream tracker with
 * pptp_adopt_call().  The halves' source keys pair them (keyed_sibling()
 * below); the helper data pairs those whose keys say nothing.  A master
 * whose helper data is all zero is conntrackd's copy on a firewall taking
 * over from its peer (docs/ha.md): it is taken over the same way, its
 * copied expectations made again with the NAT they lost.  Later control
 * messages (CCRQ, CDN, StopCCRQ...) are then translated and end the calls
 * as if the daemon had never gone; new calls on those sessions are
 * tracked as usual.
 *
 * Removed: halves without a sibling (a call still being set up when the
 * daemon went: its replies were not seen), halves neither their keys nor
 * the helper data pair (without source keys, more than CTH_PRIV_PAIRS
 * calls on one connection, and more than one left over), and the
 * expectations of masters that are gone, closing, or without our helper
 * data.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <arpa/inet.h>

#include "cth.h"
#include "session.h"

struct recovered_exp {
	struct cth_exp e;
	bool used;		/* adopted, or dealt with */
};

/* The inside host's ID the inbound half @in delivers to (network order). */
static uint16_t in_id_of(const struct cth_exp *in)
{
	return in->nat ? in->nat_key : in->tuple.dport;
}

struct recovered_set {
	struct recovered_exp *v;
	unsigned int n, cap;
	bool nomem;
};

static void collect(const struct cth_exp *e, void *arg)
{
	struct recovered_set *r = arg;
	struct recovered_exp *v;

	if (r->n == r->cap) {
		unsigned int cap = r->cap ? r->cap * 2 : 64;

		v = realloc(r->v, cap * sizeof(*v));
		if (!v) {
			r->nomem = true;
			return;
		}
		r->v = v;
		r->cap = cap;
	}
	r->v[r->n].e = *e;
	r->v[r->n].used = false;
	r->n++;
}

static bool natted(const struct session *s)
{
	return !ngd_addr_eq(&s->inside, &s->public);
}

/*
 * A half conntrackd copied from a peer (docs/ha.md, row 32): the session
 * is translated, but the inbound half has no NAT.
 */
static bool copied(const struct session *s, const struct cth_exp *in)
{
	return natted(s) && !in->nat;
}

/*
 * The inside host's own ID of a copied pair: the outbound half's source
 * key.  That half was made before the inside host answered when the peer
 * placed the call, and has 0 there: the ID is then taken to be the
 * translated one, which it is unless it clashed with another host's
 * (map_id translates only then).
 */
static uint16_t copied_in_id(const struct cth_exp *in, const struct cth_exp *out)
{
	if (out->tuple.sport)
		return out->tuple.sport;
	ngd_info("a call's inside ID is not in what the peer firewall left (its outbound half was made first): taken to be %u, the translated one",
		 ntohs(in->tuple.dport));
	return in->tuple.dport;
}

/*
 * Take one call (its inbound and outbound halves) into @s's tracker.  A
 * copied pair is removed before its refresh, which then makes it again,
 * NAT and expectfn included: a new expectation over it would only reset
 * its timeout.
 */
static bool adopt(struct session *s, uint8_t inside_role, const struct cth_exp *in,
		  const struct cth_exp *out)
{
	struct pptp_call call = { 0 }, *c;
	struct ngd_gre g = {
		.inside = s->inside, .public = s->public, .peer = s->peer,
		.in_xid = ntohs(in->tuple.dport),
		.in_id = ntohs(copied(s, in) ? copied_in_id(in, out) : in_id_of(in)),
		.peer_id = ntohs(out->tuple.dport),
		.conn = s->c,
	};

	call.state = PPTP_CALL_STATE_UP;
	call.outgoing = 1;	/* not known; nothing after CALL_UP depends on it */
	call.has_id[PPTP_PNS] = call.has_id[PPTP_PAC] = 1;
	call.id[inside_role] = g.in_id;
	call.xid[inside_role] = g.in_xid;
	call.id[!inside_role] = call.xid[!inside_role] = g.peer_id;
	if (xid_used(&s->public, &s->peer, g.in_xid))
		return false;
	c = pptp_adopt_call(&s->t, inside_role == PPTP_PNS ? s->inside_dir : !s->inside_dir, &call);
	if (!c || xid_take(&s->public, &s->peer, g.in_xid) < 0)
		return false;
	if (copied(s, in) && (cth_exp_remove(in) < 0 || cth_exp_remove(out) < 0))
		ngd_err("cannot remove a copied GRE expectation: the call's GRE goes on without NAT");
	sessions_call_adopted(s, c, &g);
	return true;
}

/* Whether @x is a half of @master going @src -> @dst not adopted yet. */
static bool free_half(const struct recovered_exp *x, const struct ngd_tuple *master,
		      const struct ngd_addr *src, const struct ngd_addr *dst)
{
	return !x->used && ngd_tuple_eq(&x->e.master, master) &&
	       ngd_addr_eq(&x->e.tuple.src, src) && ngd_addr_eq(&x->e.tuple.dst, dst);
}

/* An unused half of @master going @src -> @dst, with destination key @key (any key if @any). */
static struct recovered_exp *unused_half(struct recovered_set *r,
					 const struct ngd_tuple *master, const struct ngd_addr *src,
					 const struct ngd_addr *dst, bool any, uint16_t key,
					 bool by_in_id)
{
	unsigned int i;

	for (i = 0; i < r->n; i++) {
		const struct cth_exp *e = &r->v[i].e;

		if (free_half(&r->v[i], master, src, dst) &&
		    (any || (by_in_id ? in_id_of(e) : e->tuple.dport) == key))
			return &r->v[i];
	}
	return NULL;
}

static unsigned int unused_halves(struct recovered_set *r, const struct ngd_tuple *master,
				  const struct ngd_addr *src, const struct ngd_addr *dst)
{
	unsigned int i, n = 0;

	for (i = 0; i < r->n; i++)
		n += free_half(&r->v[i], master, src, dst);
	return n;
}

static void adopt_pair(struct session *s, uint8_t inside_role, struct recovered_exp *in,
		       struct recovered_exp *out)
{
	if (in && out && adopt(s, inside_role, &in->e, &out->e))
		in->used = out->used = true;
}

/*
 * Helper data all zero on a master with our helper: conntrackd's copy of
 * a session a peer firewall followed (docs/ha.md, row 29: the data is not
 * carried).
 */
static bool blank(const struct cth_priv *p)
{
	static const struct cth_priv zero;

	return !memcmp(p, &zero, sizeof(zero));
}

/* The session of @master's expectations and our data on it; NULL: cannot follow. */
static struct session *master_session(const struct ngd_tuple *master, struct cth_priv *p,
				      bool *takeover)
{
	struct ngd_conn c = { 0 };
	struct ngd_tuple fwd;
	struct session *s;
	unsigned int dir;
	char buf[64];
	int ret;

	tuple_str(master, buf, sizeof(buf));
	ret = cth_master_get(master, &c, p);
	if (ret == -ENOENT) {
		ngd_info("control connection %s gone or closing: its expectations removed", buf);
		return NULL;
	}
	if (ret < 0) {
		ngd_err("cannot read control connection %s (%s): its calls cannot be followed, expectations removed",
			buf, strerror(-ret));
		return NULL;
	}
	*takeover = blank(p);
	if (!*takeover && (p->version != CTH_PRIV_VERSION || p->inside_role > PPTP_PAC ||
			   p->npairs > CTH_PRIV_PAIRS)) {
		ngd_err("control connection %s: no pptp-ngd data in its helper data, its calls cannot be followed: expectations removed",
			buf);
		return NULL;
	}
	ct_forward_tuple(&c, &fwd);
	s = session_find(&fwd, &dir);
	if (!s) {
		s = session_new(&fwd, &c, true);
		if (!s)
			return NULL;
		stats.sessions_recovered++;
	}
	if (*takeover) {
		/* the usual role: PNS where it opened the connection, PAC behind DNAT */
		p->version = CTH_PRIV_VERSION;
		p->inside_role = s->inside_dir ? PPTP_PAC : PPTP_PNS;
		ngd_info("control connection %s: taken over from a peer (no helper data), inside host the %s",
			 buf, pptp_role_name(p->inside_role));
	}
	return s;
}

/*
 * The unused outbound half of @m that pairs with @in by their source
 * keys (expect.c, gre_exps() and expect_gre_update()).  Pass 0: the
 * outbound half made at CALL_UP carries the inside host's own ID, which
 * @in delivers to (its NAT key) and, made before the peer's ID was
 * known, carries too.  Pass 1: @in, made at CALL_UP, carries the peer's
 * ID, the outbound half's key.  A half made before both IDs were known
 * has 0 where the other has nothing to say, and so have those of a
 * pptp-ngd before source keys: 0 claims nothing (an ID can be 0, and the
 * helper data still pairs those).  IDs are unique among one connection's
 * calls on each side, and the NAT key, where there is one, says which
 * kind an inbound half's source key is.  Without it (routed, or copied
 * from a peer) an inside host's ID equal to the peer's ID of a call in
 * the other direction can pair the wrong halves: pass 0 runs over all
 * halves before pass 1 to make that less likely.
 */
static struct recovered_exp *keyed_sibling(struct recovered_set *r, const struct ngd_tuple *m,
					   const struct session *s, const struct cth_exp *in,
					   unsigned int pass)
{
	uint16_t in_skey = in->tuple.sport;
	unsigned int i;

	for (i = 0; i < r->n; i++) {
		const struct cth_exp *e = &r->v[i].e;
		uint16_t out_skey = e->tuple.sport;

		if (!free_half(&r->v[i], m, &s->inside, &s->peer))
			continue;
		if (pass == 0 && out_skey &&
		    (out_skey == in_id_of(in) || (!in->nat && out_skey == in_skey)))
			return &r->v[i];
		if (pass == 1 && in_skey && in_skey == e->tuple.dport)
			return &r->v[i];
	}
	return NULL;
}

/* Every pair of @m's halves their source keys name. */
static void adopt_keyed(struct recovered_set *r, const struct ngd_tuple *m, struct session *s,
			uint8_t inside_role)
{
	unsigned int i, pass;

	for (pass = 0; pass < 2; pass++)
		for (i = 0; i < r->n; i++)
			if (free_half(&r->v[i], m, &s->peer, &s->public))
				adopt_pair(s, inside_role, &r->v[i],
					   keyed_sibling(r, m, s, &r->v[i].e, pass));
}

/*
 * All halves of one master: the pairs their source keys name, then those
 * the helper data names, then one inbound and one outbound half left over
 * (unambiguous); the rest stays unused and is removed.
 */
static void recover_master(struct recovered_set *r, unsigned int first)
{
	const struct ngd_tuple *m = &r->v[first].e.master;
	struct cth_priv p = { 0 };
	bool takeover = false;
	struct session *s = master_session(m, &p, &takeover);
	unsigned int i;

	if (!s)
		return;
	adopt_keyed(r, m, s, p.inside_role);
	for (i = 0; i < p.npairs; i++)
		adopt_pair(s, p.inside_role,
			   unused_half(r, m, &s->peer, &s->public, false, p.pair[i].in_id, true),
			   unused_half(r, m, &s->inside, &s->peer, false, p.pair[i].peer_id, false));
	if (unused_halves(r, m, &s->peer, &s->public) == 1 &&
	    unused_halves(r, m, &s->inside, &s->peer) == 1)
		adopt_pair(s, p.inside_role, unused_half(r, m, &s->peer, &s->public, true, 0, false),
			   unused_half(r, m, &s->inside, &s->peer, true, 0, false));
	if (takeover)
		cth_pairs_save(s);	/* so that a restart here finds them */
}

/*
 * An expectation no call is left to follow: removed with its GRE
 * conntrack, or left to leftover.c when that fails.  Whichever half it
 * was, its tuple reads as an inbound half's (peer -> public, key xid),
 * which is all a removal needs.
 */
static void remove_stale(const struct ngd_tuple *t)
{
	struct ngd_gre g = { .peer = t->src, .public = t->dst, .in_xid = ntohs(t->dport) };
	char buf[64];

	tuple_str(t, buf, sizeof(buf));
	if (gre_close_or_leave(&g, NGD_MAP_IN, 0))
		ngd_info("stale GRE expectation %s (no call to follow): removed", buf);
}

static long ms_since(const struct timespec *t0)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (t.tv_sec - t0->tv_sec) * 1000 + (t.tv_nsec - t0->tv_nsec) / 1000000;
}

int cth_recover(void)
{
	struct recovered_set r = { 0 };
	struct timespec t0;
	unsigned int i;
	int ret;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	ret = expect_dump(collect, &r);

	if (ret < 0 || r.nomem) {
		if (ret < 0)
			stats.expect_errors++;
		ngd_err("cannot read the GRE expectations back (%s): starting without old calls",
			ret < 0 ? strerror(-ret) : "out of memory");
		free(r.v);
		return -1;
	}
	for (i = 0; i < r.n; i++) {
		unsigned int j;
		bool seen = false;

		for (j = 0; j < i && !seen; j++)
			seen = ngd_tuple_eq(&r.v[j].e.master, &r.v[i].e.master);
		if (!seen)
			recover_master(&r, i);
	}
	for (i = 0; i < r.n; i++)
		if (!r.v[i].used)
			remove_stale(&r.v[i].e.tuple);
	if (r.n)
		ngd_info("recovery: %u expectations read, %llu calls adopted in %ld ms", r.n,
			 (unsigned long long)stats.calls_recovered, ms_since(&t0));
	free(r.v);
	return 0;
}
