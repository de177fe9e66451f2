// SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
/* The default output: a tree, capture -> session -> calls -> GRE directions. */
#include <math.h>
#include <time.h>
#include "out.h"

static void counts(FILE *f, const char *title, const u32 *v, unsigned int n,
		   const char *(*name)(unsigned int))
{
	unsigned int i, any = 0;

	for (i = 0; i < n; i++) {
		if (!v[i])
			continue;
		fprintf(f, "%s%s %u", any ? ", " : title, name(i), v[i]);
		any = 1;
	}
	if (any)
		fputc('\n', f);
}

static void mppe_desc(FILE *f, u32 bits)
{
	fprintf(f, "0x%08x (%s%s%s%s%s)", bits, bits & MPPE_S ? "128-bit " : "",
		bits & MPPE_M ? "56-bit " : "", bits & MPPE_L ? "40-bit " : "",
		bits & MPPE_H ? "stateless" : "stateful",
		bits & MPPE_C ? " compression" : "");
}

/* ", name N" for each non-zero counter: a tree shows what happened. */
static void nz(FILE *f, const char *name, u64 v)
{
	if (v)
		fprintf(f, ", %s %llu", name, (unsigned long long)v);
}

static void ppp_line(FILE *f, const char *pfx, const struct insp_ppp_dir *p)
{
	fprintf(f, "%s  PPP: %u frames", pfx, p->frames);
	nz(f, "ACFC", p->acfc);
	nz(f, "PFC", p->pfc);
	nz(f, "lcp", p->lcp);
	nz(f, "pap", p->pap);
	nz(f, "chap", p->chap);
	nz(f, "eap", p->eap);
	nz(f, "ccp", p->ccp);
	nz(f, "ipcp", p->ipcp);
	nz(f, "ipv6cp", p->ipv6cp);
	nz(f, "ip", p->ip);
	nz(f, "ipv6", p->ipv6);
	nz(f, "mppe", p->mppe);
	nz(f, "other", p->other);
	nz(f, "malformed", p->malformed);
	fputc('\n', f);
}

static void gre_dir(FILE *f, const char *pfx, const char *what, const struct insp_gre_dir *g)
{
	const struct insp_ppp_dir *p = &g->ppp;

	fprintf(f, "%s%s key %u: %u packets", pfx, what, g->key, g->packets);
	nz(f, "data", g->data);
	nz(f, "ack-only", g->ack_only);
	fprintf(f, ", %llu bytes", (unsigned long long)g->bytes);
	if (g->seq_known)
		fprintf(f, ", seq %u..%u", g->seq_first, g->seq_max);
	nz(f, "lost", g->lost);
	nz(f, "reordered", g->reordered);
	nz(f, "duplicates", g->duplicates);
	nz(f, "truncated", g->truncated);
	if (g->window)
		fprintf(f, ", outstanding max %u / window %u", g->max_outstanding, g->window);
	if (g->window_exceeded)
		fprintf(f, " EXCEEDED %u times", g->window_exceeded);
	fputc('\n', f);
	if (!p->frames)
		return;
	ppp_line(f, pfx, p);
	if (p->mppe_offered) {
		fprintf(f, "%s  CCP requests MPPE ", pfx);
		mppe_desc(f, p->mppe_bits);
		fputc('\n', f);
	}
	if (p->mppe) {
		fprintf(f, "%s  MPPE: %u encrypted", pfx, p->mppe_encrypted);
		nz(f, "flushed", p->mppe_flushed);
		nz(f, "coherency-count gaps", p->mppe_cc_gaps);
		fputc('\n', f);
	}
	if (p->plain_ip_after_auth)
		fprintf(f, "%s  WARNING: %u unencrypted IP frames after authentication\n",
			pfx, p->plain_ip_after_auth);
}

/* A timestamp as UTC time of day, to the microsecond. */
static const char *clock_str(double ts, char *buf, size_t len)
{
	time_t t = (time_t)ts;
	struct tm tm;

	if (!isfinite(ts) || !gmtime_r(&t, &tm)) {
		snprintf(buf, len, "?");
		return buf;
	}
	snprintf(buf, len, "%04d-%02d-%02d %02d:%02d:%09.6f", tm.tm_year + 1900, tm.tm_mon + 1,
		 tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec + (ts - (double)t));
	return buf;
}

static void call_times(FILE *f, const struct insp_call *r, double last_ts)
{
	char b[48];

	fprintf(f, "    from %s UTC for %.6f s%s\n", clock_str(r->first_ts, b, sizeof(b)),
		(r->live ? last_ts : r->end_ts) - r->first_ts,
		r->live ? " (up to the end of the capture)" : "");
}

/* "OCRP connected", "CDN lost-carrier (general error bad-call-id)" */
static void call_results(FILE *f, const struct insp_call *r)
{
	u16 reply = r->c.outgoing ? PPTP_OCRP : PPTP_ICRP;

	if (r->reply_result < 0 && r->cdn_result < 0)
		return;
	fputs("    results:", f);
	if (r->reply_result >= 0) {
		fprintf(f, " %s %s", pptp_msg_name(reply), insp_result_name(reply, r->reply_result));
		if (r->reply_error > 0)
			fprintf(f, " (error %s)", insp_error_name(r->reply_error));
	}
	if (r->cdn_result >= 0) {
		fprintf(f, " CDN %s", insp_result_name(PPTP_CDN, r->cdn_result));
		if (r->cdn_error > 0)
			fprintf(f, " (error %s)", insp_error_name(r->cdn_error));
		if (r->cdn_cause)
			fprintf(f, " cause %u", r->cdn_cause);
	}
	fputc('\n', f);
}

/* pcap --audit: the verdict line, then the negotiation that led to it. */
static void audit_text(FILE *f, const struct insp_call *r)
{
	static const char *const codes[] = { "?", "Request", "Ack", "Nak", "Reject" };
	struct insp_audit a;
	char line[1024];
	u8 i;

	insp_audit(&a, &r->ppp, r->gre);
	insp_audit_line(&a, line, sizeof(line));
	fprintf(f, "    AUDIT %s\n", line);
	fprintf(f, "      auth %s", insp_auth_name(r->ppp.auth));
	if (r->ppp.chap_name[0])
		fprintf(f, " (name \"%s\")", r->ppp.chap_name);
	fprintf(f, ", MPPE %s%s%s\n", insp_mppe_name(&r->ppp),
		r->ppp.mppe_acked ? (r->ppp.mppe_bits & MPPE_H ? " stateless" : " stateful") : "",
		a.optional ? ", encryption optional (IP flowed without it)" : "");
	for (i = 0; i < r->ppp.n_neg; i++) {
		const struct insp_neg *n = &r->ppp.neg[i];

		fprintf(f, "      %s %s from %s: ", n->ccp ? "CCP" : "LCP",
			codes[n->code < 5 ? n->code : 0], pptp_role_name(n->from));
		if (n->ccp)
			mppe_desc(f, n->bits);
		else
			fputs(insp_auth_name(n->auth), f);
		fputc('\n', f);
	}
}

static void call(FILE *f, const struct insp_call *r, u32 idx, double last_ts, int audit)
{
	if (!r->outgoing_known)
		fprintf(f, "  call %u: up before the capture started, PNS id ", idx);
	else
		fprintf(f, "  call %u: %s%s, serial %u, PNS id ", idx,
			r->c.outgoing ? "outgoing" : "incoming",
			r->before_capture ? " (requested before the capture)" : "", r->c.serial);
	if (r->c.has_id[PPTP_PNS])
		fprintf(f, "%u", r->c.id[PPTP_PNS]);
	else
		fputc('?', f);
	fputs(", PAC id ", f);
	if (r->c.has_id[PPTP_PAC])
		fprintf(f, "%u", r->c.id[PPTP_PAC]);
	else
		fputc('?', f);
	fprintf(f, ", %s", r->live ? pptp_call_state_name(r->c.state) : "closed");
	if (!r->live)
		fprintf(f, " (%s, frame %llu)", insp_end_name(r->end),
			(unsigned long long)r->end_frame);
	fprintf(f, ", windows PNS %u PAC %u\n", r->c.window[PPTP_PNS], r->c.window[PPTP_PAC]);
	call_times(f, r, last_ts);
	call_results(f, r);
	if (r->cdn_without_ccrq)
		fputs("    anomaly: CDN without CCRQ\n", f);
	if (r->ppp.auth_seen || r->ppp.auth || r->ppp.mppe_acked) {
		fprintf(f, "    PPP auth %s (%s)", insp_auth_name(r->ppp.auth),
			r->ppp.auth_ok ? "success" : r->ppp.auth_failed ? "failure" : "no result");
		if (r->ppp.mppe_acked) {
			fputs(", MPPE ", f);
			mppe_desc(f, r->ppp.mppe_bits);
		}
		fputc('\n', f);
	}
	if (audit)
		audit_text(f, r);
	if (!r->gre[0].packets && !r->gre[1].packets) {
		fputs("    no GRE seen\n", f);
		return;
	}
	if (r->gre_outside)
		fprintf(f, "    %u GRE packets while the call was not up\n", r->gre_outside);
	gre_dir(f, "    ", "GRE PNS->PAC", &r->gre[PPTP_PNS]);
	gre_dir(f, "    ", "GRE PAC->PNS", &r->gre[PPTP_PAC]);
}

/* "192.0.2.11 (PNS)": who sent direction @dir. */
static const char *endpoint(const struct insp_session *s, unsigned int dir, char *buf,
			    size_t len)
{
	char a[64];

	snprintf(buf, len, "%s (%s)", insp_addr_str(&s->addr[dir & 1], a, sizeof(a)),
		 pptp_role_name(insp_role(s, dir)));
	return buf;
}

/* A 64-byte name field as text: printable ASCII, the rest as '?'. */
static void name_str(FILE *f, const char *v)
{
	fputc('"', f);
	for (; *v; v++)
		fputc(*v >= 0x20 && *v < 0x7f && *v != '"' ? *v : '?', f);
	fputc('"', f);
}

static void peer_line(FILE *f, const struct insp_session *s, unsigned int dir)
{
	const struct insp_peer *p = &s->peer[dir];
	char a[96];

	if (!p->seen)
		return;
	fprintf(f, "  %s from %s: host ", pptp_msg_name(p->seen), endpoint(s, dir, a, sizeof(a)));
	name_str(f, p->host);
	fputs(", vendor ", f);
	name_str(f, p->vendor);
	fprintf(f, ", firmware %u, version %u.%u", p->firmware, (unsigned int)p->version >> 8,
		(unsigned int)p->version & 0xff);
	if (p->seen == PPTP_SCCRP) {
		fprintf(f, ", result %s", insp_result_name(PPTP_SCCRP, p->result));
		if (p->error > 0)
			fprintf(f, " (error %s)", insp_error_name(p->error));
	}
	fputc('\n', f);
}

static void stop_line(FILE *f, const struct insp_session *s)
{
	if (s->stop_reason < 0 && s->stop_result < 0)
		return;
	fputs("  stopped:", f);
	if (s->stop_reason >= 0)
		fprintf(f, " StopCCRQ reason %s", insp_result_name(PPTP_STOPCCRQ, s->stop_reason));
	if (s->stop_result >= 0)
		fprintf(f, " StopCCRP %s", insp_result_name(PPTP_STOPCCRP, s->stop_result));
	fputc('\n', f);
}

static void session(FILE *f, const struct insp_session *s, u32 idx)
{
	const struct pptp_counters *n = &s->t.cnt;
	u32 all[PPTP_CTRL_TYPE_MAX + 1], an[PPTP_AN_COUNT];
	char a0[96], a1[64];
	u32 i;

	fprintf(f, "session %u: %s:%u (%s) <-> %s:%u (%s), %s%s, from frame %llu\n", idx,
		insp_addr_str(&s->addr[0], a0, sizeof(a0)), s->port[0],
		pptp_role_name(insp_role(s, 0)),
		insp_addr_str(&s->addr[1], a1, sizeof(a1)), s->port[1],
		pptp_role_name(insp_role(s, 1)), pptp_session_name(s->t.session),
		s->closed ? ", TCP closed" : "", (unsigned long long)s->first_frame);
	for (i = 0; i < 2; i++)
		peer_line(f, s, i);
	stop_line(f, s);
	for (i = 0; i < 2; i++) {
		const struct insp_tcp_dir *d = &s->tcp[i];

		fprintf(f, "  tcp from %s: %u segments, %llu payload bytes",
			endpoint(s, i, a0, sizeof(a0)), d->segments,
			(unsigned long long)d->payload_bytes);
		nz(f, "retransmitted", d->retransmitted);
		nz(f, "overlapping", d->overlapping);
		nz(f, "out of order", d->out_of_order);
		if (d->gaps)
			fprintf(f, ", %u gaps (%llu bytes)", d->gaps, (unsigned long long)d->gap_bytes);
		if (d->budget_gaps)
			fprintf(f, ", %u given up for the hold budget", d->budget_gaps);
		nz(f, "after close", d->after_close);
		fputc('\n', f);
	}
	for (i = 0; i <= PPTP_CTRL_TYPE_MAX; i++)
		all[i] = n->messages[0][i] + n->messages[1][i];
	counts(f, "  messages: ", all + 1, PPTP_CTRL_TYPE_MAX, msg_name_1);
	counts(f, "  invalid: ", n->invalid, PPTP_INV_COUNT, pptp_invalid_name);
	for (i = 0; i < PPTP_AN_COUNT; i++)
		an[i] = n->anomalies[i] - s->before_capture[i];
	counts(f, "  anomalies: ", an, PPTP_AN_COUNT, pptp_anomaly_name);
	counts(f, "  only because the capture started late: ", s->before_capture, PPTP_AN_COUNT,
	       pptp_anomaly_name);
	counts(f, "  refused: ", n->refused, PPTP_REFUSE_COUNT, pptp_refusal_name);
	for (i = 0; i < s->n_events; i++) {
		const struct insp_event *e = &s->events[i];

		fprintf(f, "    frame %llu from %s: %s%s%s%s%s\n", (unsigned long long)e->frame,
			endpoint(s, e->dir, a0, sizeof(a0)), insp_event_kind(e->kind), *insp_event_reason(e) ? " " : "",
			insp_event_reason(e),
			e->msg_type ? " in " : "", e->msg_type ? pptp_msg_name(e->msg_type) : "");
		if (e->kind == INSP_EV_TCP_GAP)
			fprintf(f, "      %u bytes never captured\n", e->value);
		if (e->kind == INSP_EV_HOLD_BUDGET)
			fprintf(f, "      hold budget full: gap given up, %u bytes after it decoded without waiting for it\n",
				e->value);
	}
	for (i = 0; i < s->n_calls; i++)
		call(f, &s->calls[i], i + 1, s->cap->ts, s->cap->audit);
}

static void not_decoded(FILE *f, const struct insp_capture *c)
{
	char a[64], b[64];
	u32 i;

	fprintf(f, "  memory budget (%llu bytes, --max-memory) full: %u control connections not decoded (%llu packets)%s\n",
		(unsigned long long)insp_mem_budget(c), c->sessions_dropped,
		(unsigned long long)c->tcp_not_decoded, c->n_not_decoded ? ", the first:" : "");
	for (i = 0; i < c->n_not_decoded; i++) {
		const struct insp_tuple *t = &c->not_decoded[i];

		fprintf(f, "    %s:%u -> %s:%u from frame %llu\n",
			insp_addr_str(&t->addr[0], a, sizeof(a)), t->port[0],
			insp_addr_str(&t->addr[1], b, sizeof(b)), t->port[1],
			(unsigned long long)t->first_frame);
	}
}

static void capture(FILE *f, const struct insp_capture *c)
{
	char a0[64], a1[64];
	u32 i;

	fprintf(f, "%s: %s, %llu packets, %llu GRE v1, %llu GRE v0 (not PPTP)\n", c->file,
		c->linkname ? c->linkname : "unknown", (unsigned long long)c->packets,
		(unsigned long long)c->gre_v1, (unsigned long long)c->gre_v0);
	if (c->error)
		fprintf(f, "  not read whole: %s\n", c->error);
	counts(f, "  invalid GRE: ", c->gre_bad + 1, PPTP_GRE_STATUS_COUNT - 1, gre_name_1);
	if (c->budget_gaps)
		fprintf(f, "  hold budget (%llu bytes, --max-held) full: %llu gaps in %u control connections given up before they could fill, %llu bytes after them decoded without waiting; at most %llu bytes held\n",
			(unsigned long long)insp_hold_budget(c), (unsigned long long)c->budget_gaps,
			c->budget_sessions, (unsigned long long)c->budget_bytes,
			(unsigned long long)c->held_peak);
	if (c->sessions_dropped)
		not_decoded(f, c);
	for (i = 0; i < c->n_sessions; i++)
		session(f, c->sessions[i], i + 1);
	for (i = 0; i < c->n_orphans; i++) {
		const struct insp_orphan *o = &c->orphans[i];
		char what[160];

		snprintf(what, sizeof(what), "orphan %u GRE %s -> %s", i + 1,
			 insp_addr_str(&o->src, a0, sizeof(a0)),
			 insp_addr_str(&o->dst, a1, sizeof(a1)));
		gre_dir(f, "", what, &o->gre);
		if (o->pair >= 0)
			fprintf(f, "  the other way of orphan %d (key %u)\n", o->pair + 1,
				c->orphans[o->pair].gre.key);
		if (o->ppp.auth_seen || o->ppp.auth)
			fprintf(f, "  PPP auth %s (%s)\n", insp_auth_name(o->ppp.auth),
				o->ppp.auth_ok ? "success" : o->ppp.auth_failed ? "failure" : "no result");
	}
}

void insp_tree(FILE *f, struct insp_capture **caps, int n)
{
	int i;

	for (i = 0; i < n; i++)
		capture(f, caps[i]);
}
