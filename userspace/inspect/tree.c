// SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
/* The default output: a tree, capture -> session -> calls -> GRE directions. */
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

static void gre_dir(FILE *f, const char *pfx, const char *what, const struct insp_gre_dir *g)
{
	const struct insp_ppp_dir *p = &g->ppp;

	fprintf(f, "%s%s key %u: %u packets (%u data, %u ack-only), %llu bytes",
		pfx, what, g->key, g->packets, g->data, g->ack_only,
		(unsigned long long)g->bytes);
	if (g->seq_known)
		fprintf(f, ", seq %u..%u", g->seq_first, g->seq_max);
	fprintf(f, ", lost %u, reordered %u, duplicates %u", g->lost, g->reordered,
		g->duplicates);
	if (g->window)
		fprintf(f, ", outstanding max %u / window %u", g->max_outstanding, g->window);
	if (g->window_exceeded)
		fprintf(f, " EXCEEDED %u times", g->window_exceeded);
	fputc('\n', f);
	if (!p->frames)
		return;
	fprintf(f, "%s  PPP: %u frames (%u ACFC, %u PFC)", pfx, p->frames, p->acfc, p->pfc);
	fprintf(f, " lcp %u pap %u chap %u eap %u ccp %u ipcp %u ipv6cp %u ip %u ipv6 %u mppe %u other %u",
		p->lcp, p->pap, p->chap, p->eap, p->ccp, p->ipcp, p->ipv6cp, p->ip, p->ipv6,
		p->mppe, p->other);
	if (p->malformed)
		fprintf(f, " malformed %u", p->malformed);
	fputc('\n', f);
	if (p->mppe_offered) {
		fprintf(f, "%s  CCP requests MPPE ", pfx);
		mppe_desc(f, p->mppe_bits);
		fputc('\n', f);
	}
	if (p->mppe)
		fprintf(f, "%s  MPPE: %u encrypted, %u flushed, %u coherency-count gaps\n",
			pfx, p->mppe_encrypted, p->mppe_flushed, p->mppe_cc_gaps);
	if (p->plain_ip_after_auth)
		fprintf(f, "%s  WARNING: %u unencrypted IP frames after authentication\n",
			pfx, p->plain_ip_after_auth);
}

static void call(FILE *f, const struct insp_call *r, u32 idx)
{
	fprintf(f, "  call %u: %s, serial %u, PNS id ", idx,
		r->c.outgoing ? "outgoing" : "incoming", r->c.serial);
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
	if (!r->gre[0].packets && !r->gre[1].packets) {
		fputs("    no GRE seen\n", f);
		return;
	}
	if (r->gre_outside)
		fprintf(f, "    %u GRE packets while the call was not up\n", r->gre_outside);
	gre_dir(f, "    ", "GRE PNS->PAC", &r->gre[PPTP_PNS]);
	gre_dir(f, "    ", "GRE PAC->PNS", &r->gre[PPTP_PAC]);
}

static void session(FILE *f, const struct insp_session *s, u32 idx)
{
	const struct pptp_counters *n = &s->t.cnt;
	u32 all[PPTP_CTRL_TYPE_MAX + 1];
	char a0[64], a1[64];
	u32 i;

	fprintf(f, "session %u: %s:%u (%s) <-> %s:%u (%s), %s%s, from frame %llu\n", idx,
		insp_addr_str(&s->addr[0], a0, sizeof(a0)), s->port[0],
		pptp_role_name(s->t.role[0]),
		insp_addr_str(&s->addr[1], a1, sizeof(a1)), s->port[1],
		pptp_role_name(s->t.role[1]), pptp_session_name(s->t.session),
		s->closed ? ", TCP closed" : "", (unsigned long long)s->first_frame);
	for (i = 0; i < 2; i++) {
		const struct insp_tcp_dir *d = &s->tcp[i];

		fprintf(f, "  tcp %s: %u segments, %llu payload bytes, %u retransmitted, %u out of order, %u gaps (%llu bytes)",
			i ? "1->0" : "0->1", d->segments, (unsigned long long)d->payload_bytes,
			d->retransmitted, d->out_of_order, d->gaps,
			(unsigned long long)d->gap_bytes);
		if (d->budget_gaps)
			fprintf(f, ", %u given up for the hold budget", d->budget_gaps);
		fputc('\n', f);
	}
	for (i = 0; i <= PPTP_CTRL_TYPE_MAX; i++)
		all[i] = n->messages[0][i] + n->messages[1][i];
	counts(f, "  messages: ", all + 1, PPTP_CTRL_TYPE_MAX, msg_name_1);
	counts(f, "  invalid: ", n->invalid, PPTP_INV_COUNT, pptp_invalid_name);
	counts(f, "  anomalies: ", n->anomalies, PPTP_AN_COUNT, pptp_anomaly_name);
	counts(f, "  refused: ", n->refused, PPTP_REFUSE_COUNT, pptp_refusal_name);
	for (i = 0; i < s->n_events; i++) {
		const struct insp_event *e = &s->events[i];

		fprintf(f, "    frame %llu dir %u: %s%s%s%s%s\n", (unsigned long long)e->frame,
			e->dir, insp_event_kind(e->kind), *insp_event_reason(e) ? " " : "",
			insp_event_reason(e),
			e->msg_type ? " in " : "", e->msg_type ? pptp_msg_name(e->msg_type) : "");
		if (e->kind == INSP_EV_TCP_GAP)
			fprintf(f, "      %u bytes never captured\n", e->value);
		if (e->kind == INSP_EV_HOLD_BUDGET)
			fprintf(f, "      hold budget full: gap given up, %u bytes after it decoded without waiting for it\n",
				e->value);
	}
	for (i = 0; i < s->n_calls; i++)
		call(f, &s->calls[i], i + 1);
}

static void capture(FILE *f, const struct insp_capture *c)
{
	char a0[64], a1[64];
	u32 i;

	fprintf(f, "%s: %s, %llu packets, %llu GRE v1, %llu GRE v0 (not PPTP)\n", c->file,
		c->linkname ? c->linkname : "unknown", (unsigned long long)c->packets,
		(unsigned long long)c->gre_v1, (unsigned long long)c->gre_v0);
	counts(f, "  invalid GRE: ", c->gre_bad + 1, PPTP_GRE_STATUS_COUNT - 1, gre_name_1);
	if (c->budget_gaps)
		fprintf(f, "  hold budget (%llu bytes, --max-held) full: %llu gaps in %u control connections given up before they could fill, %llu bytes after them decoded without waiting; at most %llu bytes held\n",
			(unsigned long long)insp_hold_budget(c), (unsigned long long)c->budget_gaps,
			c->budget_sessions, (unsigned long long)c->budget_bytes,
			(unsigned long long)c->held_peak);
	for (i = 0; i < c->n_sessions; i++)
		session(f, c->sessions[i], i + 1);
	for (i = 0; i < c->n_orphans; i++) {
		const struct insp_orphan *o = &c->orphans[i];
		char what[160];

		snprintf(what, sizeof(what), "orphan GRE %s -> %s",
			 insp_addr_str(&o->src, a0, sizeof(a0)),
			 insp_addr_str(&o->dst, a1, sizeof(a1)));
		gre_dir(f, "", what, &o->gre);
	}
}

void insp_tree(FILE *f, struct insp_capture **caps, int n)
{
	int i;

	for (i = 0; i < n; i++)
		capture(f, caps[i]);
}
