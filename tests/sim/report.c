// SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
/*
 * pptp-sim's verdict and summary.  The run passes only when every session
 * ended cleanly, every call came up, and every call received exactly the
 * GRE packets its peer sent, each with the right call ID in its key and
 * from the right address.  Each reason for failing is printed (the first
 * few of each kind), then one summary, for people or as JSON.
 */
#include <stdarg.h>
#include <stdio.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/ioctl.h>
#include <linux/sockios.h>

#include "sim.h"

#define FAIL_LOG_LIMIT	10

struct totals {
	unsigned int sess_up, sess_stopped, sess_bad, echo_sent, echo_ok;
	unsigned int calls_expected, calls, calls_up, calls_cleared, calls_done;
	unsigned int extras, flood_sent, flood_answered;
	u64 wrong_id, wrong_src, dup, lost, setup_sum, setup_max;
	unsigned int fails;
};

static void fail(struct totals *t, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void fail(struct totals *t, const char *fmt, ...)
{
	va_list ap;

	if (t->fails++ < FAIL_LOG_LIMIT) {
		fprintf(stderr, "pptp-sim[%s] FAIL: ", pptp_role_name(sim->o.role));
		va_start(ap, fmt);
		vfprintf(stderr, fmt, ap);
		va_end(ap);
		fputc('\n', stderr);
	} else if (t->fails == FAIL_LOG_LIMIT + 1) {
		fprintf(stderr, "pptp-sim[%s] FAIL: ... (more)\n", pptp_role_name(sim->o.role));
	}
}

/* Does this side know how many calls a session must carry? */
static bool calls_known(const struct session *s)
{
	bool originator = sim->o.role == (sim->o.incoming ? PPTP_PAC : PPTP_PNS);

	return s->connector || originator || sim->o.calls_given;
}

/*
 * Where a session that did not stop is stuck, as its socket tells: what
 * it still has to send or have acked, how often TCP sent it again, when
 * data last went and came.  Empty once the socket is closed.
 */
static const char *stuck_text(const struct session *s)
{
	static char text[256];
	struct tcp_info ti;
	socklen_t len = sizeof(ti);
	int outq = 0, inq = 0;
	u64 now = now_ms();

	text[0] = '\0';
	if (s->fd < 0 || getsockopt(s->fd, IPPROTO_TCP, TCP_INFO, &ti, &len) < 0)
		return text;
	ioctl(s->fd, SIOCOUTQ, &outq);
	ioctl(s->fd, SIOCINQ, &inq);
	snprintf(text, sizeof(text),
		 " (StopCCRQ sent %llu ms ago; tcp state %u, %d bytes not acked, %d unread, %u retransmissions in a row, %u in all, rto %u ms, last data sent %u ms ago, received %u ms ago)",
		 s->t_stop ? (unsigned long long)(now - s->t_stop) : 0ull, ti.tcpi_state, outq,
		 inq, ti.tcpi_retransmits, ti.tcpi_total_retrans, ti.tcpi_rto / 1000,
		 ti.tcpi_last_data_sent, ti.tcpi_last_data_recv);
	return text;
}

static void check_session(struct totals *t, const struct session *s)
{
	bool open_ok = s->state != SESS_CLOSED && !s->failed && !sim->timed_out;

	t->sess_up += s->was_up;
	t->sess_stopped += s->stopped;
	t->echo_sent += s->echo_sent;
	t->echo_ok += s->echo_ok;
	t->flood_sent += s->flood_sent;
	t->flood_answered += s->flood_answered;
	t->calls_expected += calls_known(s) ? sim->o.calls : s->n_calls;
	if (!s->was_up || (!s->stopped && !open_ok)) {
		t->sess_bad++;
		fail(t, "session %u %s%s", s->idx, !s->was_up ? "never came up" :
		     s->peer_closed ? "closed by the peer before StopCCRQ/StopCCRP (its timeout?)" :
		     "did not end with StopCCRQ/StopCCRP", s->was_up ? stuck_text(s) : "");
	}
	if (calls_known(s) && s->n_calls != sim->o.calls)
		fail(t, "session %u carried %u calls, expected %u", s->idx, s->n_calls,
		     sim->o.calls);
	if (s->echo_sent && !s->echo_ok)
		fail(t, "session %u: no Echo-Reply", s->idx);
}

static void check_call(struct totals *t, const struct call *c)
{
	u32 k = sim->o.packets;

	if (c->flood)
		return;
	t->calls++;
	t->calls_up += c->was_up;
	t->calls_cleared += c->state == CALL_CLEARED;
	t->extras += c->extra_rx;
	t->wrong_id += c->wrong_id;
	t->wrong_src += c->wrong_src;
	t->dup += c->dup;
	if (!c->was_up) {
		fail(t, "call %u (session %u) never came up (state %u)", c->own_id, c->sess,
		     (unsigned int)c->state);
		return;
	}
	if (c->t_up - c->t_req > t->setup_max)
		t->setup_max = c->t_up - c->t_req;
	t->setup_sum += c->t_up - c->t_req;
	if (c->wrong_id || c->wrong_src)
		fail(t, "call %u: %u packets with a wrong call ID, %u from a wrong address",
		     c->own_id, (unsigned int)c->wrong_id, (unsigned int)c->wrong_src);
	if (script_active()) {
		t->calls_done += script_done(c) && !c->script_bad;
		if (c->script_bad || !script_done(c))
			fail(t, "call %u: PPP script stopped at line %u, %u frames not the script's",
			     c->own_id, c->script_pos + 1, (unsigned int)c->script_bad);
		return;
	}
	t->lost += c->rx < k ? k - c->rx : 0;
	t->calls_done += c->rx == k && c->tx_next == k && (!sim->o.extras || c->extra_rx);
	if (c->rx != k || c->dup)
		fail(t, "call %u: received %u GRE packets of %u", c->own_id,
		     (unsigned int)(c->rx + c->dup), (unsigned int)k);
	if (c->tx_next != k)
		fail(t, "call %u: sent %u GRE packets of %u", c->own_id, (unsigned int)c->tx_next,
		     (unsigned int)k);
	if (sim->o.extras && !c->extra_rx)
		fail(t, "call %u: no %s from the peer", c->own_id,
		     sim->o.role == PPTP_PNS ? "WEN" : "SLI");
}

/* What a timed-out run still waited for: its open sessions, by state. */
static void report_live(struct totals *t)
{
	static const char *const names[] = { "connecting", "waiting for SCCRQ",
		"waiting for SCCRP", "up", "stopping", "stopped" };
	unsigned int n[PPTP_ARRAY_SIZE(names)] = { 0 }, i;

	for (i = 0; i < sim->n_sess; i++)
		if (sim->sess[i]->state < PPTP_ARRAY_SIZE(names))
			n[sim->sess[i]->state]++;
	for (i = 0; i < PPTP_ARRAY_SIZE(names); i++)
		if (n[i])
			fail(t, "timed out with %u sessions %s", n[i], names[i]);
}

static void check_global(struct totals *t)
{
	const struct sim_stats *st = &sim->st;

	if (sim->timed_out) {
		fail(t, "timed out after %u s", sim->o.timeout_ms / 1000);
		report_live(t);
	}
	if (!sim->o.listen && st->sessions_opened != sim->o.sessions)
		fail(t, "opened %u sessions of %u", (unsigned int)st->sessions_opened,
		     sim->o.sessions);
	if (sim->o.listen && st->sessions_accepted < sim->o.expect_sessions)
		fail(t, "served %u sessions, expected %u", (unsigned int)st->sessions_accepted,
		     sim->o.expect_sessions);
	if (st->gre_unknown || st->gre_bad)
		fail(t, "GRE: %llu packets for no known call, %llu malformed",
		     (unsigned long long)st->gre_unknown, (unsigned long long)st->gre_bad);
	if (st->ctrl_invalid && !sim->o.allow_invalid)
		fail(t, "%llu malformed control messages received",
		     (unsigned long long)st->ctrl_invalid);
	if (st->ctrl_unexpected || st->ctrl_bad_id || st->ctrl_refused)
		fail(t, "control: %llu unexpected, %llu naming unknown calls, %llu refusals",
		     (unsigned long long)st->ctrl_unexpected, (unsigned long long)st->ctrl_bad_id,
		     (unsigned long long)st->ctrl_refused);
}

static void print_text(FILE *f, const struct totals *t, bool pass)
{
	const struct sim_stats *st = &sim->st;
	u64 span = st->t_last_up > st->t_first_req ? st->t_last_up - st->t_first_req : 0;
	char a[64];

	fprintf(f, "pptp-sim %s %s %s: %s\n", pptp_role_name(sim->o.role),
		sim->o.listen ? "listening on" : "connected to", addr_str(&sim->o.addr, a, sizeof(a)),
		pass ? "PASS" : "FAIL");
	fprintf(f, "  sessions: %u, up %u, stopped %u, failed %u\n", sim->n_sess,
		t->sess_up, t->sess_stopped, t->sess_bad);
	fprintf(f, "  calls:    expected %u, up %u, complete %u, cleared %u; setup %.1f ms avg, %llu ms max, %.0f calls/s\n",
		t->calls_expected, t->calls_up, t->calls_done, t->calls_cleared,
		t->calls_up ? (double)t->setup_sum / t->calls_up : 0.0,
		(unsigned long long)t->setup_max, span ? t->calls_up * 1000.0 / span : 0.0);
	fprintf(f, "  gre:      sent %llu, received %llu, misrouted %llu (wrong call ID %llu, wrong source %llu), unknown %llu, lost %llu\n",
		(unsigned long long)st->gre_sent, (unsigned long long)st->gre_rx,
		(unsigned long long)(t->wrong_id + t->wrong_src), (unsigned long long)t->wrong_id,
		(unsigned long long)t->wrong_src, (unsigned long long)st->gre_unknown,
		(unsigned long long)t->lost);
	fprintf(f, "            acks sent %llu, received %llu; duplicates %llu, foreign %llu, malformed %llu, send errors %llu\n",
		(unsigned long long)st->acks_sent, (unsigned long long)st->acks_rx,
		(unsigned long long)t->dup, (unsigned long long)st->gre_foreign,
		(unsigned long long)st->gre_bad, (unsigned long long)st->gre_tx_err);
	fprintf(f, "  control:  sent %llu, received %llu, invalid %llu, unexpected %llu, unknown call ID %llu, refused %llu; echo %u/%u, extras %u, flood %u/%u\n",
		(unsigned long long)st->ctrl_tx, (unsigned long long)st->ctrl_rx,
		(unsigned long long)st->ctrl_invalid, (unsigned long long)st->ctrl_unexpected,
		(unsigned long long)st->ctrl_bad_id, (unsigned long long)st->ctrl_refused,
		t->echo_ok, t->echo_sent, t->extras, t->flood_answered, t->flood_sent);
	rtt_text(f);
}

static void print_json(const struct totals *t, bool pass)
{
	const struct sim_stats *st = &sim->st;
	u64 span = st->t_last_up > st->t_first_req ? st->t_last_up - st->t_first_req : 0;

	printf("{\"role\":\"%s\",\"mode\":\"%s\",\"pass\":%s,\"timed_out\":%s,\"elapsed_ms\":%llu,\n",
	       sim->o.role == PPTP_PNS ? "pns" : "pac", sim->o.listen ? "listen" : "connect",
	       pass ? "true" : "false", sim->timed_out ? "true" : "false",
	       (unsigned long long)(now_ms() - sim->t_start));
	printf(" \"sessions\":{\"total\":%u,\"up\":%u,\"stopped\":%u,\"failed\":%u},\n",
	       sim->n_sess, t->sess_up, t->sess_stopped, t->sess_bad);
	printf(" \"calls\":{\"expected\":%u,\"up\":%u,\"complete\":%u,\"cleared\":%u,\"setup_avg_ms\":%.2f,\"setup_max_ms\":%llu,\"setup_span_ms\":%llu},\n",
	       t->calls_expected, t->calls_up, t->calls_done, t->calls_cleared,
	       t->calls_up ? (double)t->setup_sum / t->calls_up : 0.0,
	       (unsigned long long)t->setup_max, (unsigned long long)span);
	printf(" \"gre\":{\"sent\":%llu,\"received\":%llu,\"misrouted\":%llu,\"wrong_call_id\":%llu,\"wrong_source\":%llu,\"unknown\":%llu,\"lost\":%llu,\"duplicates\":%llu,\"acks_sent\":%llu,\"acks_received\":%llu,\"foreign\":%llu,\"malformed\":%llu,\"send_errors\":%llu},\n",
	       (unsigned long long)st->gre_sent, (unsigned long long)st->gre_rx,
	       (unsigned long long)(t->wrong_id + t->wrong_src), (unsigned long long)t->wrong_id,
	       (unsigned long long)t->wrong_src, (unsigned long long)st->gre_unknown,
	       (unsigned long long)t->lost, (unsigned long long)t->dup,
	       (unsigned long long)st->acks_sent, (unsigned long long)st->acks_rx,
	       (unsigned long long)st->gre_foreign, (unsigned long long)st->gre_bad,
	       (unsigned long long)st->gre_tx_err);
	printf(" \"control\":{\"sent\":%llu,\"received\":%llu,\"invalid\":%llu,\"unexpected\":%llu,\"unknown_call_id\":%llu,\"refused\":%llu,\"echo_sent\":%u,\"echo_ok\":%u,\"extras\":%u,\"flood_sent\":%u,\"flood_answered\":%u}",
	       (unsigned long long)st->ctrl_tx, (unsigned long long)st->ctrl_rx,
	       (unsigned long long)st->ctrl_invalid, (unsigned long long)st->ctrl_unexpected,
	       (unsigned long long)st->ctrl_bad_id, (unsigned long long)st->ctrl_refused,
	       t->echo_sent, t->echo_ok, t->extras, t->flood_sent, t->flood_answered);
	rtt_json(stdout);
	printf("}\n");
}

int report(void)
{
	struct totals t = { 0 };
	unsigned int i;
	bool pass;

	/* causes first: a lost GRE packet explains a session that never ended */
	check_global(&t);
	for (i = 0; i < sim->n_calls; i++)
		check_call(&t, sim->calls[i]);
	for (i = 0; i < sim->n_sess; i++)
		check_session(&t, sim->sess[i]);
	pass = !t.fails;
	print_text(sim->o.json ? stderr : stdout, &t, pass);
	if (sim->o.json)
		print_json(&t, pass);
	return pass ? 0 : 1;
}
