// SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
/* `--json`: one object for all captures; docs/json.md describes it. */
#include <math.h>
#include "inspect.h"
#include "out.h"

static void jw_indent(struct jw *j)
{
	int i;

	for (i = 0; i < j->depth; i++)
		fputs("  ", j->f);
}

/*
 * Comma, newline and indentation before a member, then its key; -1 when
 * the member is inside a container left out (see struct jw).
 */
static int jw_member(struct jw *j, const char *key)
{
	if (j->skip)
		return -1;
	if (j->depth > 0) {
		if (!j->first[j->depth])
			fputc(',', j->f);
		j->first[j->depth] = 0;
		fputc('\n', j->f);
	}
	jw_indent(j);
	if (key)
		fprintf(j->f, "\"%s\": ", key);
	return 0;
}

static void jw_open(struct jw *j, const char *key, char c)
{
	/* jw_end must undo exactly this: count what is not written too. */
	if (j->skip || j->depth >= JW_DEPTH - 1) {
		if (!jw_member(j, key)) {
			fputs("null", j->f);
			j->cut++;
		}
		j->skip++;
		return;
	}
	jw_member(j, key);
	fputc(c, j->f);
	j->depth++;
	j->first[j->depth] = 1;
}

void jw_obj(struct jw *j, const char *key)
{
	jw_open(j, key, '{');
}

void jw_arr(struct jw *j, const char *key)
{
	jw_open(j, key, '[');
}

void jw_end(struct jw *j, char c)
{
	int empty;

	if (j->skip) {
		j->skip--;
		return;
	}
	if (j->depth <= 0)	/* more ends than opens: a caller's bug, write nothing */
		return;
	empty = j->first[j->depth];
	j->depth--;
	if (!empty) {
		fputc('\n', j->f);
		jw_indent(j);
	}
	fputc(c, j->f);
	if (!j->depth)
		fputc('\n', j->f);
}

void jw_u64(struct jw *j, const char *key, u64 v)
{
	if (jw_member(j, key))
		return;
	fprintf(j->f, "%llu", (unsigned long long)v);
}

void jw_bool(struct jw *j, const char *key, int v)
{
	if (jw_member(j, key))
		return;
	fputs(v ? "true" : "false", j->f);
}

void jw_null(struct jw *j, const char *key)
{
	if (jw_member(j, key))
		return;
	fputs("null", j->f);
}

void jw_ts(struct jw *j, const char *key, double v)
{
	if (jw_member(j, key))
		return;
	/* printf's inf and nan are not JSON */
	if (isfinite(v))
		fprintf(j->f, "%.6f", v);
	else
		fputs("null", j->f);
}

void jw_str(struct jw *j, const char *key, const char *s)
{
	if (jw_member(j, key))
		return;
	fputc('"', j->f);
	for (; *s; s++) {
		unsigned char ch = (unsigned char)*s;

		if (ch == '"' || ch == '\\')
			fprintf(j->f, "\\%c", ch);
		else if (ch < 0x20 || ch >= 0x7f)
			fprintf(j->f, "\\u%04x", ch);
		else
			fputc(ch, j->f);
	}
	fputc('"', j->f);
}

/* Only the non-zero counters of a named set. */
static void jw_counts(struct jw *j, const char *key, const u32 *v, unsigned int n,
		      const char *(*name)(unsigned int))
{
	unsigned int i;

	jw_obj(j, key);
	for (i = 0; i < n; i++)
		if (v[i])
			jw_u64(j, name(i), v[i]);
	jw_end(j, '}');
}

static void mppe_bits(struct jw *j, const char *key, u32 bits)
{
	char hex[16];

	jw_obj(j, key);
	snprintf(hex, sizeof(hex), "0x%08x", bits);
	jw_str(j, "bits", hex);
	jw_bool(j, "stateless", !!(bits & MPPE_H));
	jw_bool(j, "40bit", !!(bits & MPPE_L));
	jw_bool(j, "56bit", !!(bits & MPPE_M));
	jw_bool(j, "128bit", !!(bits & MPPE_S));
	jw_bool(j, "compression", !!(bits & MPPE_C));
	jw_end(j, '}');
}

/* Non-zero counts by code number; codes past INSP_PPP_CODES as "other". */
static void ppp_codes(struct jw *j, const char *key, const u32 *v)
{
	unsigned int i;
	char code[8];

	jw_obj(j, key);
	for (i = 0; i < INSP_PPP_CODES; i++)
		if (v[i]) {
			snprintf(code, sizeof(code), "%u", i);
			jw_u64(j, code, v[i]);
		}
	if (v[INSP_PPP_CODES])
		jw_u64(j, "other", v[INSP_PPP_CODES]);
	jw_end(j, '}');
}

static void ppp_dir(struct jw *j, const struct insp_ppp_dir *d)
{
	static const char *const pn[] = { "lcp", "pap", "chap", "eap", "ccp", "ipcp",
					  "ipv6cp", "ip", "ipv6", "mppe", "other" };
	const u32 pv[] = { d->lcp, d->pap, d->chap, d->eap, d->ccp, d->ipcp,
			   d->ipv6cp, d->ip, d->ipv6, d->mppe, d->other };
	unsigned int i;

	jw_obj(j, "ppp");
	jw_u64(j, "frames", d->frames);
	jw_u64(j, "acfc", d->acfc);
	jw_u64(j, "pfc", d->pfc);
	jw_u64(j, "malformed", d->malformed);
	jw_obj(j, "protocols");
	for (i = 0; i < PPTP_ARRAY_SIZE(pn); i++)
		if (pv[i])
			jw_u64(j, pn[i], pv[i]);
	jw_end(j, '}');
	ppp_codes(j, "lcp_codes", d->lcp_codes);
	ppp_codes(j, "ccp_codes", d->ccp_codes);
	if (d->mppe_offered)
		mppe_bits(j, "mppe_requested", d->mppe_bits);
	else
		jw_null(j, "mppe_requested");
	jw_obj(j, "mppe_frames");
	jw_u64(j, "frames", d->mppe);
	jw_u64(j, "encrypted", d->mppe_encrypted);
	jw_u64(j, "flushed", d->mppe_flushed);
	jw_u64(j, "compressed", d->mppe_compressed);
	jw_u64(j, "coherency_gaps", d->mppe_cc_gaps);
	jw_end(j, '}');
	jw_u64(j, "plain_ip_after_auth", d->plain_ip_after_auth);
	jw_end(j, '}');
}

static void gre_dir(struct jw *j, const char *from, const char *to, const struct insp_gre_dir *g)
{
	jw_obj(j, NULL);
	if (from && to) {
		jw_str(j, "from", from);
		jw_str(j, "to", to);
	}
	jw_u64(j, "call_id", g->key);
	jw_u64(j, "packets", g->packets);
	jw_u64(j, "bytes", g->bytes);
	jw_u64(j, "data", g->data);
	jw_u64(j, "ack_only", g->ack_only);
	jw_u64(j, "acks", g->acks);
	if (g->seq_known) {
		jw_u64(j, "seq_first", g->seq_first);
		jw_u64(j, "seq_last", g->seq_max);
	} else {
		jw_null(j, "seq_first");
		jw_null(j, "seq_last");
	}
	jw_u64(j, "lost", g->lost);
	jw_u64(j, "reordered", g->reordered);
	jw_u64(j, "duplicates", g->duplicates);
	jw_u64(j, "window", g->window);
	jw_u64(j, "max_outstanding", g->max_outstanding);
	jw_u64(j, "window_exceeded", g->window_exceeded);
	jw_u64(j, "truncated", g->truncated);
	ppp_dir(j, &g->ppp);
	jw_end(j, '}');
}

static void ppp_call(struct jw *j, const struct insp_ppp_call *c, const struct insp_gre_dir *g)
{
	jw_obj(j, "ppp");
	jw_str(j, "auth", insp_auth_name(c->auth));
	jw_str(j, "auth_result", c->auth_ok ? "success" : c->auth_failed ? "failure" :
		c->auth_seen ? "pending" : "not-seen");
	if (c->mppe_acked)
		mppe_bits(j, "mppe", c->mppe_bits);
	else
		jw_null(j, "mppe");
	jw_u64(j, "encrypted_frames", g[0].ppp.mppe_encrypted + g[1].ppp.mppe_encrypted);
	jw_u64(j, "coherency_gaps", g[0].ppp.mppe_cc_gaps + g[1].ppp.mppe_cc_gaps);
	jw_u64(j, "plain_ip_after_auth",
	       g[0].ppp.plain_ip_after_auth + g[1].ppp.plain_ip_after_auth);
	jw_end(j, '}');
}

static void call_id(struct jw *j, const char *key, const struct pptp_call *c, int role)
{
	if (c->has_id[role])
		jw_u64(j, key, c->id[role]);
	else
		jw_null(j, key);
}

/* A Result Code (-1: the message was not seen) with its name and error code. */
static void result(struct jw *j, const char *key, u16 type, int code, int error)
{
	if (code < 0) {
		jw_null(j, key);
		return;
	}
	jw_obj(j, key);
	jw_u64(j, "result", (u64)code);
	jw_str(j, "name", insp_result_name(type, code));
	if (error >= 0) {
		jw_u64(j, "error", (u64)error);
		jw_str(j, "error_name", insp_error_name(error));
	}
	jw_end(j, '}');
}

static void call_times(struct jw *j, const struct insp_call *r, double last_ts)
{
	jw_ts(j, "first_ts", r->first_ts);
	if (r->live)
		jw_null(j, "end_ts");
	else
		jw_ts(j, "end_ts", r->end_ts);
	jw_ts(j, "duration", (r->live ? last_ts : r->end_ts) - r->first_ts);
}

static void neg_json(struct jw *j, const struct insp_ppp_call *c)
{
	static const char *const codes[] = { "?", "Configure-Request", "Configure-Ack",
					     "Configure-Nak", "Configure-Reject" };
	u8 i;

	jw_arr(j, "negotiation");
	for (i = 0; i < c->n_neg; i++) {
		const struct insp_neg *n = &c->neg[i];
		char hex[16];

		jw_obj(j, NULL);
		jw_str(j, "protocol", n->ccp ? "ccp" : "lcp");
		jw_str(j, "message", codes[n->code < 5 ? n->code : 0]);
		jw_str(j, "from", pptp_role_name(n->from));
		if (n->ccp) {
			snprintf(hex, sizeof(hex), "0x%08x", n->bits);
			jw_str(j, "mppe", hex);
		} else {
			jw_str(j, "auth", insp_auth_name(n->auth));
		}
		jw_end(j, '}');
	}
	jw_end(j, ']');
	jw_u64(j, "negotiation_dropped", c->neg_dropped);
}

/* pcap --audit: what the call's PPP negotiated, and the verdict. */
static void audit_json(struct jw *j, const struct insp_call *r)
{
	struct insp_audit a;
	char line[1024];
	u8 i;

	insp_audit(&a, &r->ppp, r->gre);
	insp_audit_line(&a, line, sizeof(line));
	jw_obj(j, "audit");
	jw_str(j, "auth", insp_auth_name(r->ppp.auth));
	if (r->ppp.chap_name[0])
		jw_str(j, "chap_name", r->ppp.chap_name);
	else
		jw_null(j, "chap_name");
	jw_str(j, "mppe", insp_mppe_name(&r->ppp));
	if (r->ppp.mppe_acked)
		jw_bool(j, "stateless", !!(r->ppp.mppe_bits & MPPE_H));
	else
		jw_null(j, "stateless");
	jw_str(j, "encryption", r->ppp.mppe_acked ? "negotiated" :
				a.optional ? "optional" : "not-seen");
	jw_u64(j, "cleartext_ip", a.clear_ip);
	jw_bool(j, "auth_downgrade", a.auth_downgrade);
	jw_bool(j, "mppe_downgrade", a.key_downgrade);
	neg_json(j, &r->ppp);
	jw_arr(j, "findings");
	for (i = 0; i < a.n; i++) {
		jw_obj(j, NULL);
		jw_str(j, "level", insp_audit_level_name(a.f[i].level));
		jw_str(j, "text", a.f[i].text);
		jw_end(j, '}');
	}
	jw_end(j, ']');
	jw_str(j, "level", insp_audit_level_name(a.level));
	jw_str(j, "verdict", line);
	jw_end(j, '}');
}

static void call(struct jw *j, const struct insp_call *r, u32 idx, double last_ts, int audit)
{
	jw_obj(j, NULL);
	jw_u64(j, "index", idx);
	jw_str(j, "direction", !r->outgoing_known ? "unknown" :
				r->c.outgoing ? "outgoing" : "incoming");
	jw_bool(j, "before_capture", r->before_capture);
	jw_u64(j, "serial", r->c.serial);
	call_id(j, "pns_call_id", &r->c, PPTP_PNS);
	call_id(j, "pac_call_id", &r->c, PPTP_PAC);
	jw_str(j, "state", r->live ? pptp_call_state_name(r->c.state) : "closed");
	jw_bool(j, "was_up", r->c.was_up);
	jw_str(j, "end", insp_end_name(r->end));
	jw_bool(j, "ccrq_seen", r->cleared);
	jw_bool(j, "cdn_without_ccrq", r->cdn_without_ccrq);
	jw_u64(j, "first_frame", r->first_frame);
	if (r->live)
		jw_null(j, "end_frame");
	else
		jw_u64(j, "end_frame", r->end_frame);
	call_times(j, r, last_ts);
	result(j, "reply", r->c.outgoing ? PPTP_OCRP : PPTP_ICRP, r->reply_result, r->reply_error);
	result(j, "cdn", PPTP_CDN, r->cdn_result, r->cdn_error);
	if (r->cdn_result >= 0)
		jw_u64(j, "cdn_cause", r->cdn_cause);
	jw_obj(j, "window");
	jw_u64(j, "pns", r->c.window[PPTP_PNS]);
	jw_u64(j, "pac", r->c.window[PPTP_PAC]);
	jw_end(j, '}');
	jw_bool(j, "no_gre", !r->gre[0].packets && !r->gre[1].packets);
	jw_u64(j, "gre_while_not_live", r->gre_outside);
	ppp_call(j, &r->ppp, r->gre);
	if (audit)
		audit_json(j, r);
	jw_arr(j, "gre");
	gre_dir(j, "PNS", "PAC", &r->gre[PPTP_PNS]);
	gre_dir(j, "PAC", "PNS", &r->gre[PPTP_PAC]);
	jw_end(j, ']');
	jw_end(j, '}');
}

static void log_entry(struct jw *j, const struct insp_msg *m)
{
	jw_obj(j, NULL);
	jw_u64(j, "frame", m->frame);
	jw_ts(j, "ts", m->ts);
	jw_u64(j, "dir", m->dir);
	jw_str(j, "sender", pptp_role_name(m->role));
	jw_str(j, "type", pptp_msg_name(m->type));
	if (m->own_id != UINT32_MAX)
		jw_u64(j, "call_id", m->own_id);
	if (m->peer_id != UINT32_MAX)
		jw_u64(j, "peer_call_id", m->peer_id);
	if (m->result >= 0)
		jw_u64(j, "result", (u64)m->result);
	jw_end(j, '}');
}

static void event_entry(struct jw *j, const struct insp_session *s, const struct insp_event *e)
{
	char buf[64];

	jw_obj(j, NULL);
	jw_u64(j, "frame", e->frame);
	jw_u64(j, "dir", e->dir);
	jw_str(j, "from", insp_addr_str(&s->addr[e->dir & 1], buf, sizeof(buf)));
	jw_str(j, "sender", pptp_role_name(insp_role(s, e->dir)));
	jw_str(j, "kind", insp_event_kind(e->kind));
	if (e->kind < PPTP_EV_COUNT)
		jw_str(j, "reason", insp_event_reason(e));
	if (e->msg_type)
		jw_str(j, "message", pptp_msg_name(e->msg_type));
	if (e->kind == INSP_EV_TCP_GAP || e->kind == INSP_EV_HOLD_BUDGET)
		jw_u64(j, "bytes", e->value);
	if (e->kind == INSP_EV_CDN_NO_CCRQ)
		jw_u64(j, "pns_call_id", e->value);
	jw_end(j, '}');
}

static void tcp_dir(struct jw *j, const struct insp_tcp_dir *d)
{
	jw_obj(j, NULL);
	jw_u64(j, "segments", d->segments);
	jw_u64(j, "payload_segments", d->payload_segments);
	jw_u64(j, "payload_bytes", d->payload_bytes);
	jw_u64(j, "retransmitted", d->retransmitted);
	jw_u64(j, "overlapping", d->overlapping);
	jw_u64(j, "out_of_order", d->out_of_order);
	jw_u64(j, "gaps", d->gaps);
	jw_u64(j, "gap_bytes", d->gap_bytes);
	jw_u64(j, "budget_gaps", d->budget_gaps);
	jw_u64(j, "budget_bytes", d->budget_bytes);
	jw_u64(j, "after_close", d->after_close);
	jw_bool(j, "syn", d->syn);
	jw_bool(j, "fin", d->fin);
	jw_bool(j, "rst", d->rst);
	jw_end(j, '}');
}

/* What an endpoint's SCCRQ or SCCRP said, or null. */
static void peer(struct jw *j, const struct insp_peer *p)
{
	if (!p->seen) {
		jw_null(j, "start");
		return;
	}
	jw_obj(j, "start");
	jw_str(j, "message", pptp_msg_name(p->seen));
	jw_str(j, "host_name", p->host);
	jw_str(j, "vendor", p->vendor);
	jw_u64(j, "firmware", p->firmware);
	jw_u64(j, "protocol_version", p->version);
	jw_u64(j, "framing_caps", p->framing);
	jw_u64(j, "bearer_caps", p->bearer);
	jw_u64(j, "max_channels", p->max_channels);
	if (p->seen == PPTP_SCCRP)
		result(j, "reply", PPTP_SCCRP, p->result, p->error);
	jw_end(j, '}');
}

static void session(struct jw *j, const struct insp_session *s, u32 idx)
{
	const struct pptp_counters *n = &s->t.cnt;
	u32 all[PPTP_CTRL_TYPE_MAX + 1], an[PPTP_AN_COUNT];
	char buf[64];
	unsigned int d, i;

	jw_obj(j, NULL);
	jw_u64(j, "index", idx);
	jw_arr(j, "endpoints");
	for (d = 0; d < 2; d++) {
		jw_obj(j, NULL);
		jw_str(j, "addr", insp_addr_str(&s->addr[d], buf, sizeof(buf)));
		jw_u64(j, "port", s->port[d]);
		jw_str(j, "role", pptp_role_name(insp_role(s, d)));
		peer(j, &s->peer[d]);
		jw_end(j, '}');
	}
	jw_end(j, ']');
	jw_u64(j, "first_frame", s->first_frame);
	jw_ts(j, "first_ts", s->first_ts);
	jw_ts(j, "last_ts", s->last_ts);
	jw_str(j, "state", pptp_session_name(s->t.session));
	jw_bool(j, "tcp_closed", s->closed);
	result(j, "stop_request", PPTP_STOPCCRQ, s->stop_reason, -1);
	result(j, "stop_reply", PPTP_STOPCCRP, s->stop_result, -1);
	jw_arr(j, "tcp");
	tcp_dir(j, &s->tcp[0]);
	tcp_dir(j, &s->tcp[1]);
	jw_end(j, ']');
	for (i = 0; i <= PPTP_CTRL_TYPE_MAX; i++)
		all[i] = n->messages[0][i] + n->messages[1][i];
	jw_counts(j, "messages", all + 1, PPTP_CTRL_TYPE_MAX, msg_name_1);
	jw_arr(j, "messages_by_dir");
	jw_counts(j, NULL, n->messages[0] + 1, PPTP_CTRL_TYPE_MAX, msg_name_1);
	jw_counts(j, NULL, n->messages[1] + 1, PPTP_CTRL_TYPE_MAX, msg_name_1);
	jw_end(j, ']');
	jw_counts(j, "invalid", n->invalid, PPTP_INV_COUNT, pptp_invalid_name);
	for (i = 0; i < PPTP_AN_COUNT; i++)
		an[i] = n->anomalies[i] - s->before_capture[i];
	jw_counts(j, "anomalies", an, PPTP_AN_COUNT, pptp_anomaly_name);
	jw_counts(j, "before_capture", s->before_capture, PPTP_AN_COUNT, pptp_anomaly_name);
	jw_counts(j, "refused", n->refused, PPTP_REFUSE_COUNT, pptp_refusal_name);
	jw_u64(j, "cdn_matching_no_call", s->cdn_no_call);
	jw_obj(j, "core");
	jw_u64(j, "calls_opened", n->calls_opened);
	jw_u64(j, "calls_up", n->calls_up);
	jw_u64(j, "calls_failed", n->calls_failed);
	jw_u64(j, "calls_closed", n->calls_closed);
	jw_u64(j, "bytes_0", n->bytes[0]);
	jw_u64(j, "bytes_1", n->bytes[1]);
	jw_u64(j, "retransmitted_bytes_0", n->retransmitted[0]);
	jw_u64(j, "retransmitted_bytes_1", n->retransmitted[1]);
	jw_end(j, '}');
	jw_arr(j, "log");
	for (i = 0; i < s->n_log; i++)
		log_entry(j, &s->log[i]);
	jw_end(j, ']');
	jw_u64(j, "log_dropped", s->log_dropped);
	jw_arr(j, "events");
	for (i = 0; i < s->n_events; i++)
		event_entry(j, s, &s->events[i]);
	jw_end(j, ']');
	jw_u64(j, "events_dropped", s->events_dropped);
	jw_arr(j, "calls");
	for (i = 0; i < s->n_calls; i++)
		call(j, &s->calls[i], i + 1, s->cap->ts, s->cap->audit);
	jw_end(j, ']');
	jw_end(j, '}');
}

static void orphan(struct jw *j, const struct insp_orphan *o)
{
	char buf[64];

	jw_obj(j, NULL);
	jw_str(j, "src", insp_addr_str(&o->src, buf, sizeof(buf)));
	jw_str(j, "dst", insp_addr_str(&o->dst, buf, sizeof(buf)));
	jw_u64(j, "first_frame", o->first_frame);
	if (o->pair >= 0)
		jw_u64(j, "paired_with", (u64)o->pair);
	else
		jw_null(j, "paired_with");
	jw_obj(j, "ppp_summary");
	jw_str(j, "auth", insp_auth_name(o->ppp.auth));
	jw_bool(j, "auth_ok", o->ppp.auth_ok);
	jw_str(j, "auth_result", o->ppp.auth_ok ? "success" : o->ppp.auth_failed ? "failure" :
		o->ppp.auth_seen ? "pending" : "not-seen");
	jw_end(j, '}');
	jw_arr(j, "gre");
	gre_dir(j, NULL, NULL, &o->gre);
	jw_end(j, ']');
	jw_end(j, '}');
}

/* Calls by verdict level, and the worst. */
static void audit_summary(struct jw *j, const struct insp_capture *c)
{
	u32 by[5] = { 0 }, i, k, worst = 0;
	struct insp_audit a;

	for (i = 0; i < c->n_sessions; i++)
		for (k = 0; k < c->sessions[i]->n_calls; k++) {
			const struct insp_call *r = &c->sessions[i]->calls[k];

			insp_audit(&a, &r->ppp, r->gre);
			by[a.level]++;
			if (a.level > worst)
				worst = a.level;
		}
	jw_obj(j, "audit");
	jw_obj(j, "calls_by_level");
	for (i = 0; i < 5; i++)
		jw_u64(j, insp_audit_level_name(i), by[i]);
	jw_end(j, '}');
	jw_str(j, "worst", insp_audit_level_name(worst));
	jw_end(j, '}');
}

/* The memory budget, and the connections it left out. */
static void memory(struct jw *j, const struct insp_capture *c)
{
	char a[64], b[64];
	u32 i;

	jw_obj(j, "memory");
	jw_u64(j, "budget", insp_mem_budget(c));
	jw_u64(j, "peak", c->mem_peak);
	jw_end(j, '}');
	jw_obj(j, "not_decoded");
	jw_u64(j, "connections", c->sessions_dropped);
	jw_u64(j, "packets", c->tcp_not_decoded);
	jw_arr(j, "first");
	for (i = 0; i < c->n_not_decoded; i++) {
		const struct insp_tuple *t = &c->not_decoded[i];

		jw_obj(j, NULL);
		jw_str(j, "src", insp_addr_str(&t->addr[0], a, sizeof(a)));
		jw_u64(j, "sport", t->port[0]);
		jw_str(j, "dst", insp_addr_str(&t->addr[1], b, sizeof(b)));
		jw_u64(j, "dport", t->port[1]);
		jw_u64(j, "first_frame", t->first_frame);
		jw_end(j, '}');
	}
	jw_end(j, ']');
	jw_end(j, '}');
}

static void capture(struct jw *j, const struct insp_capture *c)
{
	u32 i, no_gre = 0;

	jw_obj(j, NULL);
	jw_str(j, "file", c->file);
	if (c->error)
		jw_str(j, "error", c->error);
	else
		jw_null(j, "error");
	jw_str(j, "link_type", c->linkname ? c->linkname : "unknown");
	jw_u64(j, "packets", c->packets);
	jw_obj(j, "decode");
	jw_u64(j, "undecoded", c->undecoded);
	jw_u64(j, "truncated", c->truncated);
	jw_u64(j, "fragments", c->fragments);
	jw_u64(j, "other_ip", c->other_ip);
	jw_u64(j, "tcp_not_pptp", c->non_pptp_tcp);
	jw_u64(j, "sessions_dropped", c->sessions_dropped);
	jw_u64(j, "orphans_dropped", c->orphans_dropped);
	jw_end(j, '}');
	memory(j, c);
	jw_obj(j, "hold");
	jw_u64(j, "budget", insp_hold_budget(c));
	jw_u64(j, "peak", c->held_peak);
	jw_u64(j, "budget_gaps", c->budget_gaps);
	jw_u64(j, "budget_bytes", c->budget_bytes);
	jw_u64(j, "budget_sessions", c->budget_sessions);
	jw_end(j, '}');
	jw_obj(j, "gre");
	jw_u64(j, "v0_not_pptp", c->gre_v0);
	jw_u64(j, "v1", c->gre_v1);
	jw_counts(j, "invalid", c->gre_bad + 1, PPTP_GRE_STATUS_COUNT - 1, gre_name_1);
	jw_end(j, '}');
	jw_arr(j, "sessions");
	for (i = 0; i < c->n_sessions; i++) {
		const struct insp_session *s = c->sessions[i];
		u32 k;

		session(j, s, i + 1);
		for (k = 0; k < s->n_calls; k++)
			no_gre += s->calls[k].c.was_up && !s->calls[k].gre[0].packets &&
				  !s->calls[k].gre[1].packets;
	}
	jw_end(j, ']');
	jw_arr(j, "orphan_gre");
	for (i = 0; i < c->n_orphans; i++)
		orphan(j, &c->orphans[i]);
	jw_end(j, ']');
	jw_u64(j, "calls_up_without_gre", no_gre);
	if (c->audit)
		audit_summary(j, c);
	jw_end(j, '}');
}

void insp_json(FILE *f, struct insp_capture **caps, int n)
{
	struct jw j = { .f = f };
	int i;

	jw_obj(&j, NULL);
	jw_u64(&j, "pptp_ng_json", 1);
	jw_arr(&j, "captures");
	for (i = 0; i < n; i++)
		capture(&j, caps[i]);
	jw_end(&j, ']');
	jw_end(&j, '}');
}
