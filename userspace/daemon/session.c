// SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
/*
 * Control connections: one shared-core tracker per conntrack entry, and
 * what the daemon does with the tracker's decisions.
 *
 * NAT: the host behind the NAT is the sender of the direction whose
 * address conntrack translates (original direction for SNAT/masquerade,
 * reply direction for a published server).  Its call IDs are the ones
 * translated (ops->map_id): unique per (translated address, peer), the
 * original kept when free.  The peer's IDs are never translated.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <linux/netfilter/nf_conntrack_tcp.h>

#include "pptp_ngd.h"
#include "pptp_ng/nat.h"

#include "session.h"

struct session *sessions;
unsigned int nsessions;
static time_t last_refresh;

/*
 * Translated call IDs in use, one space (the core's bitmap, nat.h) per
 * (public address, peer) with IDs in it: the core's policy picks from it,
 * so the daemon picks what the module and `pptp-ng explain` pick.
 */
struct id_space {
	struct id_space *next;
	struct ngd_addr public, peer;
	struct pptp_id_space ids;
};

#define SPACE_BUCKETS 1024
static struct id_space *spaces[SPACE_BUCKETS];

static unsigned int space_hash(const struct ngd_addr *public, const struct ngd_addr *peer)
{
	uint32_t h = ngd_addr_hash(public) * 2654435761u ^ ngd_addr_hash(peer) * 40503u;

	return (h ^ (h >> 16)) % SPACE_BUCKETS;
}

static bool space_is(const struct id_space *sp, const struct ngd_addr *public,
		     const struct ngd_addr *peer)
{
	return ngd_addr_eq(&sp->public, public) && ngd_addr_eq(&sp->peer, peer);
}

static struct id_space *space_find(const struct ngd_addr *public, const struct ngd_addr *peer,
				   bool create)
{
	struct id_space **head = &spaces[space_hash(public, peer)], *sp;

	for (sp = *head; sp; sp = sp->next)
		if (space_is(sp, public, peer))
			return sp;
	if (!create)
		return NULL;
	sp = malloc(sizeof(*sp));
	if (!sp)
		return NULL;
	sp->public = *public;
	sp->peer = *peer;
	pptp_ids_init(&sp->ids);
	sp->next = *head;
	*head = sp;
	return sp;
}

bool xid_used(const struct ngd_addr *public, const struct ngd_addr *peer, uint16_t xid)
{
	const struct id_space *sp = space_find(public, peer, false);

	return sp && pptp_ids_used(&sp->ids, xid);
}

/* Take @xid (a recovered call's): it must be free. */
int xid_take(const struct ngd_addr *public, const struct ngd_addr *peer, uint16_t xid)
{
	struct id_space *sp = space_find(public, peer, true);

	if (!sp || !xid || pptp_ids_used(&sp->ids, xid))
		return -1;
	pptp_ids_take(&sp->ids, xid);
	return 0;
}

/* Put @xid back in its space (freed with its last ID). */
void xid_put(const struct ngd_addr *public, const struct ngd_addr *peer, uint16_t xid)
{
	struct id_space **p, *sp;

	for (p = &spaces[space_hash(public, peer)]; (sp = *p); p = &sp->next) {
		if (!space_is(sp, public, peer))
			continue;
		pptp_ids_put(&sp->ids, xid);
		if (!sp->ids.live) {
			*p = sp->next;
			free(sp);
		}
		return;
	}
}

/* A call, or an ID it did not use, gives @xid back: kept while a leftover needs it. */
void xid_release(const struct ngd_addr *public, const struct ngd_addr *peer, uint16_t xid)
{
	if (!leftover_takes_xid(public, peer, xid))
		xid_put(public, peer, xid);
}

static int map_id(void *ctx, const struct pptp_tracker *t, unsigned int dir, u8 role, u16 id,
		  u16 *xid)
{
	struct session *s = ctx;
	struct id_space *sp;

	/* A new ID is always the sender's own: the peer's are kept as they are. */
	if (dir != s->inside_dir)
		return 0;
	/*
	 * The inside host's: the core's policy (the original when free,
	 * else the highest free one clear of the peer's own IDs), unique
	 * per (public, peer), whether or not the address is translated:
	 * a routed host keeps its ID only while nobody else uses it there.
	 */
	sp = space_find(&s->public, &s->peer, true);
	if (!sp || pptp_nat_pick(t, &sp->ids, role, id, xid) < 0)
		return -1;
	return 0;
}

const char *ngd_addr_str(const struct ngd_addr *a, char *buf, size_t len)
{
	if (!inet_ntop(a->family == AF_INET6 ? AF_INET6 : AF_INET,
		       a->family == AF_INET6 ? (const void *)a->v6 : (const void *)&a->v4, buf,
		       (socklen_t)len))
		snprintf(buf, len, "?");
	return buf;
}

/* addr:port>addr:port, IPv6 addresses in brackets (recover.c reads it back). */
void tuple_str(const struct ngd_tuple *t, char *buf, size_t len)
{
	char a[INET6_ADDRSTRLEN], b[INET6_ADDRSTRLEN];
	const char *fmt = t->src.family == AF_INET6 ? "[%s]:%u>[%s]:%u" : "%s:%u>%s:%u";

	snprintf(buf, len, fmt, ngd_addr_str(&t->src, a, sizeof(a)), ntohs(t->sport),
		 ngd_addr_str(&t->dst, b, sizeof(b)), ntohs(t->dport));
}

/*
 * The comment on a call's gre_in_addr element: enough to rebuild the call.
 * The control connection's two addresses are the element's inside host
 * and peer (the forward hook sees no other), so IPv6 names them by role,
 * "[inside]:p>[peer]:q": with two global IPv6 addresses the comment would
 * outgrow the 128 characters nft reads back (a saved ruleset holding it
 * would not load).  IPv4 keeps the addresses, as before.
 */
void call_comment(const struct session *s, const struct ngd_gre *g, char *buf, size_t len)
{
	char conn[NGD_TUPLE_STRLEN];

	if (s->fwd.src.family == AF_INET6)
		snprintf(conn, sizeof(conn), "[%s]:%u>[%s]:%u",
			 s->inside_dir ? "peer" : "inside", ntohs(s->fwd.sport),
			 s->inside_dir ? "inside" : "peer", ntohs(s->fwd.dport));
	else
		tuple_str(&s->fwd, conn, sizeof(conn));
	snprintf(buf, len, "pptp-ngd %s dir %u role %s id %u xid %u peer %u", conn,
		 s->inside_dir, pptp_role_name(s->t.role[s->inside_dir]), g->in_id, g->in_xid,
		 g->peer_id);
}

static void add_rewrite(struct ngd_seg_result *res, const struct pptp_event *ev)
{
	if (res->nrw == res->cap) {
		unsigned int cap = res->cap ? res->cap * 2 : 16;
		struct ngd_rewrite *rw = realloc(res->rw, cap * sizeof(*rw));

		if (!rw) {	/* cannot rewrite: better lose the segment than pass it wrong */
			res->drop = true;
			return;
		}
		res->rw = rw;
		res->cap = cap;
	}
	res->rw[res->nrw].off = ev->seg_off;
	res->rw[res->nrw].n = ev->nbytes;
	memcpy(res->rw[res->nrw].bytes, ev->bytes, 2);
	res->nrw++;
}

static void on_event(void *ctx, const struct pptp_tracker *t, const struct pptp_event *ev)
{
	struct session *s = ctx;

	(void)t;
	switch (ev->type) {
	case PPTP_EV_REWRITE:
		if (s->res && ev->nbytes >= 1 && ev->nbytes <= 2)
			add_rewrite(s->res, ev);
		break;
	case PPTP_EV_CALL_ID:
		call_half(s, ev->call, ev->role);
		break;
	case PPTP_EV_CALL_UP:
		call_up(s, ev->call);
		break;
	case PPTP_EV_CALL_DOWN:
		call_down(s, ev->call);
		break;
	case PPTP_EV_UNMAP:
		/* an ID map_id gave is unused after all (no call has it: no GRE) */
		if (ev->dir == s->inside_dir)
			xid_release(&s->public, &s->peer, ev->new_val);
		break;
	case PPTP_EV_INVALID:
		ngd_dbg("invalid message (%s) dir %u", pptp_invalid_name(ev->reason), ev->dir);
		break;
	case PPTP_EV_ANOMALY:
		ngd_dbg("anomaly (%s) dir %u type %u", pptp_anomaly_name(ev->reason), ev->dir,
			ev->msg_type);
		break;
	case PPTP_EV_REFUSED:
		ngd_info("call refused: %s", pptp_refusal_name(ev->reason));
		break;
	case PPTP_EV_DROP:
		if (s->res)
			s->res->split = ev->reason == PPTP_DROP_SPLIT_ID;
		ngd_dbg("segment refused (%s) dir %u", pptp_drop_name(ev->reason), ev->dir);
		break;
	default:
		break;
	}
}

static const struct pptp_ops ngd_ops = {
	.map_id = map_id,
	.event = on_event,
	.quiet = PPTP_EV_BIT(PPTP_EV_MESSAGE) | PPTP_EV_BIT(PPTP_EV_SESSION),
};

/*
 * Sessions by forward tuple, either direction: every queued packet looks
 * its session up, and with thousands of control connections a list walk
 * was the daemon's biggest cost.  A power of two of buckets, at least
 * --max-sessions.
 */
static struct session **buckets;
static unsigned int nbuckets;

static int buckets_init(void)
{
	unsigned int n;

	for (n = 1024; n < cfg.max_sessions && n < (1u << 20); )
		n <<= 1;
	buckets = calloc(n, sizeof(*buckets));
	if (!buckets) {
		ngd_err("out of memory");
		return -1;
	}
	nbuckets = n;
	return 0;
}

int sessions_init(void)
{
	last_refresh = time(NULL);
	return buckets || buckets_init() == 0 ? 0 : -1;
}

/* The same for a tuple and its inverse: both directions land together. */
static unsigned int bucket_of(const struct ngd_tuple *t)
{
	uint64_t a = (uint64_t)ngd_addr_hash(&t->src) << 16 | t->sport;
	uint64_t b = (uint64_t)ngd_addr_hash(&t->dst) << 16 | t->dport;
	uint64_t h = (a < b ? a * 31 + b : b * 31 + a) * 0x9e3779b97f4a7c15ull;

	return (unsigned int)(h >> 32) & (nbuckets - 1);
}

static void bucket_add(struct session *s)
{
	struct session **b;

	if (!buckets && buckets_init() < 0)
		return;
	b = &buckets[bucket_of(&s->fwd)];
	s->hnext = *b;
	*b = s;
}

static void bucket_del(struct session *s)
{
	struct session **p;

	if (!buckets)
		return;
	for (p = &buckets[bucket_of(&s->fwd)]; *p; p = &(*p)->hnext) {
		if (*p == s) {
			*p = s->hnext;
			return;
		}
	}
}

/* The session a forward-hook packet belongs to, and its direction. */
struct session *session_find(const struct ngd_tuple *pkt, unsigned int *dir)
{
	struct ngd_tuple inv = { pkt->dst, pkt->src, pkt->dport, pkt->sport };
	struct session *s;

	if (!buckets)
		return NULL;
	for (s = buckets[bucket_of(pkt)]; s; s = s->hnext) {
		if (ngd_tuple_eq(&s->fwd, pkt)) {
			*dir = 0;
			return s;
		}
		if (ngd_tuple_eq(&s->fwd, &inv)) {
			*dir = 1;
			return s;
		}
	}
	return NULL;
}

/* Which side is behind the NAT, from the conntrack tuples. */
static void session_nat(struct session *s, const struct ngd_conn *c)
{
	s->c = *c;
	s->nat_known = true;
	if (!ngd_addr_eq(&c->reply.dst, &c->orig.src)) {	/* source NAT: client inside */
		s->inside_dir = 0;
		s->inside = c->orig.src;
		s->public = c->reply.dst;
		s->peer = c->reply.src;
	} else if (!ngd_addr_eq(&c->reply.src, &c->orig.dst)) {	/* destination NAT: server inside */
		s->inside_dir = 1;
		s->inside = c->reply.src;
		s->public = c->orig.dst;
		s->peer = c->orig.src;
	} else {					/* routed: pinholes, no translation */
		s->inside_dir = 0;
		s->inside = s->public = c->orig.src;
		s->peer = c->orig.dst;
	}
	/*
	 * The inside host's IDs go through map_id (translated on a clash
	 * even when routed: the GRE maps rewrite keys), so the core must
	 * refuse whatever would carry one out untranslated.
	 */
	pptp_set_translated(&s->t, s->inside_dir, 1);
}

/*
 * Control connections per source address (the host that opened them):
 * without a share each, one host could take all of --max-sessions and
 * leave everybody else untracked.
 */
struct source {
	struct source *next;
	struct ngd_addr addr;
	unsigned int sessions;
};

#define SOURCE_BUCKETS 1024
static struct source *source_tab[SOURCE_BUCKETS];

static struct source *source_get(const struct ngd_addr *addr)
{
	struct source **head = &source_tab[(ngd_addr_hash(addr) * 2654435761u) >> 22], *src;

	for (src = *head; src; src = src->next) {
		if (!ngd_addr_eq(&src->addr, addr))
			continue;
		if (cfg.max_sessions_per_source && src->sessions >= cfg.max_sessions_per_source)
			return NULL;
		src->sessions++;
		return src;
	}
	src = calloc(1, sizeof(*src));
	if (!src)
		return NULL;
	src->addr = *addr;
	src->sessions = 1;
	src->next = *head;
	*head = src;
	return src;
}

static void source_put(struct source *src)
{
	struct source **p;

	if (!src || --src->sessions)
		return;
	for (p = &source_tab[(ngd_addr_hash(&src->addr) * 2654435761u) >> 22]; *p;
	     p = &(*p)->next) {
		if (*p == src) {
			*p = src->next;
			free(src);
			return;
		}
	}
}

/* @c NULL: conntrack has no entry yet (the SYN), learnt later. */
struct session *session_new(const struct ngd_tuple *fwd, const struct ngd_conn *c,
			    bool midstream)
{
	struct pptp_tracker_config tc = { .ops = &ngd_ops, .max_calls = (u16)cfg.max_calls };
	struct session *s;

	if (nsessions >= cfg.max_sessions) {
		stats.sessions_refused++;
		return NULL;
	}
	s = calloc(1, sizeof(*s));
	if (!s)
		return NULL;
	s->calls = calloc(cfg.max_calls, sizeof(*s->calls));
	s->ext = calloc(cfg.max_calls, sizeof(*s->ext));
	s->src = s->calls && s->ext ? source_get(&fwd->src) : NULL;
	if (!s->src) {
		if (s->calls && s->ext)
			stats.sessions_refused_source++;
		free(s->calls);
		free(s->ext);
		free(s);
		return NULL;
	}
	s->fwd = *fwd;
	tc.ctx = s;
	tc.calls = s->calls;
	tc.flags = midstream ? PPTP_F_MIDSTREAM : 0;
	pptp_tracker_init(&s->t, &tc);
	if (c)
		session_nat(s, c);
	s->last = time(NULL);
	s->next = sessions;
	sessions = s;
	bucket_add(s);
	nsessions++;
	stats.sessions_opened++;
	if (cfg.verbose) {
		char buf[64];

		tuple_str(fwd, buf, sizeof(buf));
		ngd_info("session %s%s", buf, midstream ? " (midstream)" : "");
	}
	return s;
}

static void account(const struct pptp_counters *cnt)
{
	unsigned int i;

	for (i = 0; i < PPTP_INV_COUNT; i++)
		stats.invalid[i] += cnt->invalid[i];
	for (i = 0; i < PPTP_AN_COUNT; i++)
		stats.anomalies[i] += cnt->anomalies[i];
	for (i = 0; i < PPTP_REFUSE_COUNT; i++)
		stats.refused[i] += cnt->refused[i];
	for (i = 0; i < PPTP_DROP_COUNT; i++)
		stats.dropped[i] += cnt->dropped[i];
	stats.calls_opened += cnt->calls_opened;
	stats.calls_up += cnt->calls_up;
	stats.calls_failed += cnt->calls_failed;
	stats.calls_closed += cnt->calls_closed;
	stats.rewrites += cnt->rewrites;
}

static void session_free(struct session *s)
{
	struct session **p;

	calls_commit();		/* nothing may wait on a change for a session that is gone */
	s->res = NULL;
	pptp_tracker_close(&s->t);
	account(&s->t.cnt);
	for (p = &sessions; *p; p = &(*p)->next) {
		if (*p == s) {
			*p = s->next;
			break;
		}
	}
	bucket_del(s);
	nsessions--;
	stats.sessions_closed++;
	source_put(s->src);
	free(s->calls);
	free(s->ext);
	free(s);
}

/* Two RFC 2637 keepalive intervals: a live control connection speaks by then. */
#define RST_GRACE_S	120

#define TCP_FIN 0x01
#define TCP_SYN 0x02
#define TCP_RST 0x04
#define TCP_ACK 0x10

/*
 * Feed the core and turn its verdict into the packet's: a refused segment
 * is cut to the bytes the core took, or dropped when it took none (TCP
 * sends the rest again), or held by the queue when it only ends inside a
 * message's call ID fields (the next segment completes them).
 */
static enum pptp_feed_verdict feed(struct session *s, unsigned int dir, uint32_t seq,
				   const uint8_t *data, uint32_t len, struct ngd_seg_result *res)
{
	enum pptp_feed_verdict v = pptp_feed(&s->t, dir, seq, data, len);

	if (v == PPTP_FEED_DROP) {
		res->drop = true;	/* res->split: from the DROP event */
		res->pass_len = pptp_pass_len(&s->t);
		stats.dropped_refused++;
	}
	return v;
}

/*
 * Whether a RST is at the next sequence number of its direction, the only
 * one an RFC 5961 receiver takes (it answers any other in its window with
 * a challenge ACK and keeps the connection).  Conntrack may take one off
 * it too, right after a SYN it let pass: that ends nothing here.  With no
 * position known there is nothing to hold it against.
 */
static bool rst_exact(const struct session *s, unsigned int dir, uint32_t seq)
{
	u32 next;

	return !pptp_next_seq(&s->t, dir, &next) || seq == next;
}

/*
 * Whether conntrack ended the connection a RST or SYN claims to end: it
 * has no entry for it any more, or its entry is CLOSE (or, for a SYN, a
 * new connection in SYN_SENT).  An out-of-window RST never gets here
 * (the queue rule drops what conntrack finds invalid), but one in the
 * window without the exact sequence number leaves the connection up (the
 * receiver answers with a challenge ACK), and a SYN on an established
 * connection is ignored by conntrack: neither may end a session.
 */
static bool conntrack_ended(const struct session *s, bool syn)
{
	int st = ct_tcp_state(&s->fwd);

	if (st == -ENOENT)
		return true;
	if (st < 0)
		return false;	/* unsure: keep following */
	return syn ? st == TCP_CONNTRACK_SYN_SENT || st == TCP_CONNTRACK_SYN_SENT2 :
	       st == TCP_CONNTRACK_CLOSE;
}

/*
 * A lookup of the segment's connection failed for another reason than
 * "no such entry" (counted in ct_errors): dropped rather than passed
 * unfollowed, which could let a call ID out untranslated.  TCP sends it
 * again, and the lookup is made again.
 */
static void ct_unsure(int ret, struct ngd_seg_result *res)
{
	res->drop = true;
	ngd_err_ratelimited("conntrack lookup of a control connection: %s: segment dropped (TCP resends it)",
			    strerror(-ret));
}

/*
 * A session learns its NAT binding from a lookup, not from the copy of
 * the entry cthelper's queue attaches: that is from when the packet was
 * queued, and the entry may have been flushed since, its destroy event
 * read already (faces.test row 15 then kept sessions nothing ended).
 * Made when the first data arrives, the lookup held up the SCCRQ (a round
 * trip to conntrack on every session's first request); made after the
 * verdict of a packet without data (the handshake's), it is done by then.
 * The data path still looks up what this could not.
 */
#define NAT_LATER_MAX	64

static struct ngd_tuple nat_later_tab[NAT_LATER_MAX];
static unsigned int nat_later_n;

static void nat_later(const struct session *s)
{
	unsigned int i;

	for (i = 0; i < nat_later_n; i++)
		if (ngd_tuple_eq(&nat_later_tab[i], &s->fwd))
			return;
	if (nat_later_n < NAT_LATER_MAX)
		nat_later_tab[nat_later_n++] = s->fwd;
}

/* Once the verdicts of the packets read so far are out: what waited for them. */
void sessions_after_verdicts(void)
{
	struct session *s;
	struct ngd_conn c;
	unsigned int i, dir;

	closing_run();
	for (i = 0; i < nat_later_n; i++) {
		s = session_find(&nat_later_tab[i], &dir);
		if (s && !s->nat_known && ct_lookup(&s->fwd, &c) == 0)
			session_nat(s, &c);
	}
	nat_later_n = 0;
}

/*
 * The session of a packet, created if needed; NULL to pass the packet as
 * is, or to drop it when @res says so.  *@ignore: the session's, but
 * nothing in it to feed (a SYN that conntrack ignored, or a repeated one).
 */
static struct session *session_of(const struct ngd_tuple *pkt, uint8_t flags, uint32_t len,
				  unsigned int *dir, bool *ignore, struct ngd_seg_result *res)
{
	struct session *s = session_find(pkt, dir);
	struct ngd_tuple fwd;
	struct ngd_conn c;
	u32 next;
	int ret;

	*ignore = false;
	if (s && (flags & TCP_SYN) && !(flags & TCP_ACK) && pptp_next_seq(&s->t, 0, &next)) {
		if (!conntrack_ended(s, true)) {
			*ignore = true;
			return s;
		}
		/* a new connection on the same tuple: the old one is over */
		session_free(s);
		s = NULL;
	}
	if (!s) {
		if ((flags & TCP_SYN) && !(flags & TCP_ACK)) {
			/* conntrack confirms the entry (and binds source NAT) after us */
			*dir = 0;
			return session_new(pkt, NULL, false);
		}
		if (!len)
			return NULL;
		/* no SYN seen: we joined late (a restart), follow midstream */
		ret = ct_lookup(pkt, &c);
		if (ret < 0) {
			if (ret == -ENOENT)
				stats.no_conntrack++;
			else
				ct_unsure(ret, res);
			return NULL;
		}
		ct_forward_tuple(&c, &fwd);
		s = session_new(&fwd, &c, true);
		return s ? session_find(pkt, dir) : NULL;
	}
	/* A SYN-ACK again (or a forgery): its sequence number must not move the stream. */
	if ((flags & TCP_SYN) && pptp_next_seq(&s->t, *dir, &next)) {
		*ignore = true;
		return s;
	}
	if (!s->nat_known && !len)
		nat_later(s);
	if (!s->nat_known && len) {
		ret = ct_lookup(&s->fwd, &c);
		if (ret < 0 && ret != -ENOENT) {
			ct_unsure(ret, res);
			return NULL;
		}
		if (ret < 0) {
			stats.no_conntrack++;
			session_free(s);
			return NULL;
		}
		session_nat(s, &c);
	}
	return s;
}

/*
 * A segment after bytes we have not seen: drop it, and TCP sends the gap
 * again.  A gap that stays longer than any retransmission takes means its
 * bytes passed us by (e.g. while no daemon listened, with --fail-open):
 * waiting on would stall the connection for good, so the core gives up
 * on them (stream-gap) and hunts for the next message instead.
 */
#define GAP_GIVE_UP	10	/* seconds */

static void gap(struct session *s, unsigned int dir, uint32_t seq, const uint8_t *data,
		uint32_t len, struct ngd_seg_result *res)
{
	time_t now = time(NULL);

	if (!s->gap_since[dir])
		s->gap_since[dir] = now;
	if (now - s->gap_since[dir] < GAP_GIVE_UP) {
		stats.dropped_future++;
		res->drop = true;
		return;
	}
	ngd_info("bytes before a segment missing for %ds: tracking resumes after them",
		 GAP_GIVE_UP);
	s->gap_since[dir] = 0;
	pptp_resync(&s->t, dir, seq);
	feed(s, dir, seq, data, len, res);
}

void sessions_segment(const struct ngd_tuple *pkt, uint8_t flags, uint32_t seq,
		      const uint8_t *data, uint32_t len, struct ngd_seg_result *res)
{
	unsigned int dir;
	bool ignore, exact;
	struct session *s = session_of(pkt, flags, len, &dir, &ignore, res);
	int ret;

	if (!s || ignore)
		return;
	s->last = time(NULL);
	if (flags & TCP_SYN)
		seq++;		/* the SYN takes a sequence number: data starts after it */
	if (len || (flags & TCP_SYN)) {
		s->res = res;
		if (feed(s, dir, seq, data, len, res) == PPTP_FEED_FUTURE)
			gap(s, dir, seq, data, len, res);
		else
			s->gap_since[dir] = 0;
		s->res = NULL;
	}
	if (res->drop)
		return;		/* the receiver does not get it: nothing ends */
	if (flags & TCP_FIN)
		s->fin |= 1u << dir;
	exact = (flags & TCP_RST) && rst_exact(s, dir, seq);
	if ((exact && conntrack_ended(s, false)) || s->fin == 3) {
		session_free(s);
		return;
	}
	if (!(flags & TCP_RST))
		return;
	ret = ct_rst_grace(&s->fwd, RST_GRACE_S, !exact);
	if (ret > 0)
		stats.rst_grace++;
	else if (ret < 0 && ret != -ENOENT)
		ngd_err_ratelimited("cannot give a control connection %ds after a RST: %s (conntrack may end it in 10 s)",
				    RST_GRACE_S, strerror(-ret));
}

/*
 * A fresh timeout for @n calls' GRE.  A call whose refresh fails stays
 * programmed: it is up at both ends, which nothing here can take back,
 * and its GRE may still be there (a failed transaction changes nothing)
 * or have timed out.  Either way the next refresh tries again, adding
 * afresh what is gone, and the call's end removes whatever is left.
 */
static void gre_refresh(const struct ngd_gre *g, const char *const *comments, unsigned int n)
{
	int failed = ngd_gre_refresh(g, comments, n);

	if (failed <= 0)
		return;
	stats.gre_refresh_errors += (unsigned int)failed;
	ngd_err_ratelimited("cannot refresh the GRE of %d of %u calls: tried again at the next refresh",
			    failed, n);
}

/*
 * Pinholes to refresh, gathered so the backend gets them NFT_REFRESH_MAX
 * calls at a time (the nft maps: one transaction).
 */
static struct ngd_gre refresh_g[NFT_REFRESH_MAX];
static char refresh_comment[NFT_REFRESH_MAX][NGD_COMMENT_LEN];
static unsigned int refresh_n;

static void refresh_flush(void)
{
	const char *comments[NFT_REFRESH_MAX];
	unsigned int i;

	for (i = 0; i < refresh_n; i++)
		comments[i] = refresh_comment[i];
	if (refresh_n)
		gre_refresh(refresh_g, comments, refresh_n);
	refresh_n = 0;
}

/*
 * A call a previous run left up (recover.c, recover_cth.c), adopted as
 * @c: programmed, since its GRE is in the kernel, with a fresh timeout.
 */
void sessions_call_adopted(struct session *s, const struct pptp_call *c, const struct ngd_gre *g)
{
	unsigned int slot = (unsigned int)(c - s->calls);
	char comment[NGD_COMMENT_LEN];
	const char *comments[1] = { comment };

	sessions_call_programmed(s, slot);
	s->ext[slot].g = *g;
	call_comment(s, g, comment, sizeof(comment));
	gre_refresh(g, comments, 1);
	stats.calls_recovered++;
	ngd_info("recovered call: %s", comment);
}

/*
 * calls_up for --status: the core's count of calls that reached UP, less
 * those refused for want of GRE (max-expectations or an error).  For the
 * daemon, as for the module, a call is up when its GRE is open.
 */
uint64_t sessions_calls_up(uint64_t core_calls_up)
{
	return core_calls_up - stats.expect_refused - stats.calls_refused_gre_error;
}

static void refresh(const struct session *s, const struct ngd_gre *g)
{
	char comment[NGD_COMMENT_LEN];

	call_comment(s, g, comment, sizeof(comment));
	refresh_g[refresh_n] = *g;
	memcpy(refresh_comment[refresh_n], comment, sizeof(comment));
	if (++refresh_n == NFT_REFRESH_MAX)
		refresh_flush();
}

/*
 * Tests only (tests/kernel/scenarios/13-cthelper-restart.sh, "busy"): the
 * environment's PPTP_NGD_TEST_SLOW_REFRESH_MS makes each call's refresh
 * take that long, so that ten calls stand for the 10,000 whose refresh
 * outlasts the alive elements.
 */
static void test_slow_refresh(void)
{
	static long ms = -1;

	if (ms < 0) {
		const char *v = getenv("PPTP_NGD_TEST_SLOW_REFRESH_MS");

		ms = v ? strtol(v, NULL, 10) : 0;
	}
	if (ms > 0)
		usleep((useconds_t)ms * 1000);
}

/*
 * A session made by a SYN whose conntrack entry never made it into the
 * table (the SYN dropped after us, or lost a clash at confirmation) gets
 * no destroy event.  Once it has been quiet a while, ask conntrack once;
 * an entry that exists ends with its event or timeout as usual.
 */
#define SYN_CHECK_S	2

static bool syn_orphan(struct session *s, time_t now)
{
	if (s->nat_known || s->syn_checked || now - s->last < SYN_CHECK_S)
		return false;
	s->syn_checked = true;
	return !ct_alive(&s->fwd);
}

/*
 * Refresh every pinhole well before it times out; forget idle sessions.
 * Once a second: every check counts whole seconds, and a walk of every
 * session on each turn of the loop (each queued packet, in quiet times)
 * cost as much as the packet with thousands of sessions.
 */
void sessions_tick(time_t now)
{
	static time_t last_walk;
	struct session *s, *next;
	unsigned int i;

	if (now == last_walk)
		return;
	last_walk = now;
	for (s = sessions; s; s = next) {
		next = s->next;
		if (now - s->last > (time_t)cfg.idle_timeout) {
			ngd_info("session idle for %us: closed", cfg.idle_timeout);
			session_free(s);
		} else if (syn_orphan(s, now)) {
			ngd_info("session closed: conntrack kept no entry for its SYN");
			session_free(s);
		}
	}
	leftover_tick(now);
	if (now - last_refresh < (time_t)(cfg.gre_timeout / 4 ? cfg.gre_timeout / 4 : 1))
		return;
	last_refresh = now;
	for (s = sessions; s; s = next) {
		next = s->next;
		if (now - s->last > (time_t)cfg.gre_timeout / 2 && !ct_alive(&s->fwd)) {
			/* its end passed while we were not looking (a restart) */
			ngd_info("control connection gone from conntrack: session closed");
			session_free(s);
			continue;
		}
		for (i = 0; i < cfg.max_calls; i++)
			if (s->ext[i].programmed) {
				refresh(s, &s->ext[i].g);
				test_slow_refresh();
			}
		ngd_keepalive();
	}
	refresh_flush();
}

/*
 * Conntrack destroyed a control connection (cthelper: its events).  Its
 * session is keyed the way round of its first packet we saw: a SYN in the
 * reply direction (a simultaneous open, or a forgery on a connection
 * whose own session was refused or had ended) makes one keyed from the
 * other end.  Both go: while the entry lived no other could hold either
 * tuple.
 */
void sessions_conn_gone(const struct ngd_conn *c)
{
	struct ngd_tuple fwd;
	struct session *s;
	unsigned int dir;

	ct_forward_tuple(c, &fwd);
	while ((s = session_find(&fwd, &dir))) {
		ngd_info("control connection destroyed by conntrack: session closed%s",
			 dir ? " (keyed from its reply direction)" : "");
		session_free(s);
	}
}

/* Conntrack events were lost: end the sessions whose connection is gone. */
void sessions_recheck(void)
{
	struct session *s, *next;
	unsigned int gone = 0;

	for (s = sessions; s; s = next) {
		next = s->next;
		if (!ct_alive(&s->fwd)) {
			session_free(s);
			gone++;
		}
	}
	ngd_info("conntrack events lost: sessions looked up again, %u closed", gone);
}

/* Leave the live calls' elements alone: they outlive us (restart recovery). */
void sessions_shutdown(void)
{
	struct session *s;

	calls_commit();
	leftover_shutdown();

	while ((s = sessions)) {
		sessions = s->next;
		bucket_del(s);
		account(&s->t.cnt);
		free(s->calls);
		free(s->ext);
		free(s);
	}
	nsessions = 0;
}
