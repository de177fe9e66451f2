// SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
/*
 * pptp-sim's PPTP: the control connection and call state machines of one
 * role, the messages it sends, and the checks on what it receives.
 *
 * The side that opened the connection sends SCCRQ and, once every call is
 * up with its GRE complete both ways, clears the calls (a PNS with CCRQ,
 * answered by CDN; a PAC with an unsolicited CDN) and ends with StopCCRQ.
 * Who originates calls depends only on the roles and the call direction:
 * the PNS for outgoing calls (OCRQ), the PAC for incoming ones (ICRQ).
 */
#include <stdio.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>

#include "sim.h"

static bool is_originator(void)
{
	return sim->o.role == (sim->o.incoming ? PPTP_PAC : PPTP_PNS);
}

static struct call *call_new(struct session *s, bool originator)
{
	unsigned int size = sim->calls_size;
	struct call *c;
	u16 id;

	if (sim->next_id_off >= 65535) {
		fprintf(stderr, "pptp-sim: out of call IDs\n");
		exit(1);
	}
	/*
	 * IDs wrap past 65535 to 1 (to 0 when counting from 0): unique across
	 * every session of the process.
	 */
	if (sim->o.call_id_base)
		id = (u16)((sim->o.call_id_base + sim->next_id_off++ - 1) % 65535 + 1);
	else
		id = (u16)sim->next_id_off++;
	c = calloc(1, sizeof(*c));
	if (!c) {
		fprintf(stderr, "pptp-sim: out of memory\n");
		exit(1);
	}
	if (sim->n_calls + 1 > size) {
		size = size ? size * 2 : 64;
		sim->calls = realloc(sim->calls, size * sizeof(*sim->calls));
		if (!sim->calls) {
			fprintf(stderr, "pptp-sim: out of memory\n");
			exit(1);
		}
		sim->calls_size = size;
	}
	c->idx = sim->n_calls;
	c->sess = s->idx;
	c->own_id = id;
	c->originator = originator;
	c->t_req = now_ms();
	if (!sim->st.t_first_req)
		sim->st.t_first_req = c->t_req;
	sim->calls[sim->n_calls++] = c;
	sim->own_map[id] = c->idx + 1;
	return c;
}

/* The call of session @s whose ID, as this process allocated it, is @id. */
static struct call *find_own(const struct session *s, u16 id)
{
	u32 i = sim->own_map[id];

	if (!i || sim->calls[i - 1]->sess != s->idx)
		return NULL;
	return sim->calls[i - 1];
}

static void set_peer_id(struct session *s, struct call *c, u16 peer_id)
{
	c->peer_id = peer_id;
	hash_put(KEY_PEER_ID(s->idx, peer_id), c->idx);
}

static void set_serial(struct session *s, struct call *c, u16 serial)
{
	c->serial = serial;
	hash_put(KEY_SERIAL(s->idx, serial), c->idx);
}

/* ---- sending ---- */

static void send_msg(struct session *s, u8 *m)
{
	ctrl_queue(s, m, pptp_get16(m + PPTP_OFF_LENGTH));
}

static void send_scc(struct session *s, u16 type)
{
	u8 m[PPTP_MSG_MAX_LEN];

	pptp_msg_init(m, type);
	pptp_put16(m + PPTP_SCC_OFF_VERSION, PPTP_PROTOCOL_VERSION);
	if (type == PPTP_SCCRP)
		m[PPTP_SCCRP_OFF_RESULT] = PPTP_SCCRP_OK;
	pptp_put32(m + PPTP_SCC_OFF_FRAMING_CAPS, 3);
	pptp_put32(m + PPTP_SCC_OFF_BEARER_CAPS, 3);
	pptp_put16(m + PPTP_SCC_OFF_MAX_CHANNELS, 0xffff);
	pptp_put16(m + PPTP_SCC_OFF_FIRMWARE, 1);
	snprintf((char *)m + PPTP_SCC_OFF_HOSTNAME, 64, SIM_HOST_PREFIX "%08x", s->token);
	snprintf((char *)m + PPTP_SCC_OFF_VENDOR, 64, "pptp-ng pptp-sim");
	send_msg(s, m);
}

static void send_short(struct session *s, u16 type, unsigned int off, u8 val)
{
	u8 m[PPTP_MSG_MAX_LEN];

	pptp_msg_init(m, type);
	m[off] = val;
	send_msg(s, m);
}

static void send_ccrq(struct session *s, const struct call *c)
{
	u8 m[PPTP_MSG_MAX_LEN];

	pptp_msg_init(m, PPTP_CCRQ);
	pptp_put16(m + PPTP_CCRQ_OFF_CALL_ID, c->own_id);
	send_msg(s, m);
}

static void send_call_request(struct session *s, struct call *c, bool flood)
{
	u8 m[PPTP_MSG_MAX_LEN];

	set_serial(s, c, sim->next_serial++);
	if (sim->o.incoming) {
		pptp_msg_init(m, PPTP_ICRQ);
		pptp_put16(m + PPTP_ICRQ_OFF_CALL_ID, c->own_id);
		pptp_put16(m + PPTP_ICRQ_OFF_SERIAL, c->serial);
		pptp_put32(m + PPTP_ICRQ_OFF_BEARER, 1);
		pptp_put32(m + PPTP_ICRQ_OFF_CHANNEL, c->own_id);
	} else {
		pptp_msg_init(m, PPTP_OCRQ);
		pptp_put16(m + PPTP_OCRQ_OFF_CALL_ID, c->own_id);
		pptp_put16(m + PPTP_OCRQ_OFF_SERIAL, c->serial);
		pptp_put32(m + PPTP_OCRQ_OFF_MIN_BPS, 300);
		pptp_put32(m + PPTP_OCRQ_OFF_MAX_BPS, 100000000);
		pptp_put32(m + PPTP_OCRQ_OFF_BEARER, 3);
		pptp_put32(m + PPTP_OCRQ_OFF_FRAMING, 3);
		pptp_put16(m + PPTP_OCRQ_OFF_WINDOW, 64);
		if (flood) {
			/* Tells a pptp-sim PAC the call carries no GRE. */
			pptp_put16(m + PPTP_OCRQ_OFF_PHONE_LEN, sizeof(SIM_FLOOD_PHONE) - 1);
			memcpy(m + PPTP_OCRQ_OFF_PHONE, SIM_FLOOD_PHONE, sizeof(SIM_FLOOD_PHONE) - 1);
		}
	}
	send_msg(s, m);
}

/* @result: 4 (Request) answers a CCRQ, 3 (Admin Shutdown) clears on our own. */
static void send_cdn(struct session *s, struct call *c, u8 result)
{
	u8 m[PPTP_MSG_MAX_LEN];

	pptp_msg_init(m, PPTP_CDN);
	pptp_put16(m + PPTP_CDN_OFF_CALL_ID, sim->o.cdn_peer_id ? c->peer_id : c->own_id);
	m[PPTP_CDN_OFF_RESULT] = result;
	send_msg(s, m);
}

/* What --hostile sends once the session is up. */
static void send_hostile(struct session *s)
{
	u8 m[PPTP_MSG_MAX_LEN];

	switch (sim->o.hostile) {
	case SIM_HOSTILE_BAD_COOKIE:
		pptp_msg_init(m, PPTP_ECHORQ);
		pptp_put32(m + PPTP_OFF_MAGIC, 0xdeadbeef);
		break;
	case SIM_HOSTILE_BAD_LENGTH:
		pptp_msg_init(m, PPTP_ECHORQ);
		memset(m + PPTP_ECHORQ_LEN, 0, 4);
		pptp_put16(m + PPTP_OFF_LENGTH, PPTP_ECHORQ_LEN + 4);
		break;
	case SIM_HOSTILE_UNKNOWN_TYPE:
		pptp_msg_init(m, PPTP_ECHORQ);
		pptp_put16(m + PPTP_OFF_CTRL_TYPE, 99);
		break;
	case SIM_HOSTILE_MGMT_TYPE:
		pptp_msg_init(m, PPTP_ECHORQ);
		pptp_put16(m + PPTP_OFF_MSG_TYPE, PPTP_MSG_MANAGEMENT);
		break;
	default:
		return;
	}
	logv(1, "session %u: hostile message", s->idx);
	send_msg(s, m);
}

static void session_up(struct session *s)
{
	unsigned int i;

	s->state = SESS_UP;
	s->was_up = true;
	if (sim->o.echo) {
		u8 m[PPTP_MSG_MAX_LEN];

		s->echo_ident = s->token ^ 0x5a5a5a5a;
		pptp_msg_init(m, PPTP_ECHORQ);
		pptp_put32(m + PPTP_ECHO_OFF_IDENT, s->echo_ident);
		s->echo_sent = true;
		send_msg(s, m);
	}
	send_hostile(s);
	if (!is_originator())
		return;
	for (i = 0; i < sim->o.calls; i++) {
		send_call_request(s, call_new(s, true), false);
		s->n_calls++;
	}
	if (sim->o.hostile != SIM_HOSTILE_OCRQ_FLOOD)
		return;
	for (i = 0; i < sim->o.flood; i++) {
		struct call *c = call_new(s, true);

		c->flood = true;
		send_call_request(s, c, true);
		s->flood_sent++;
	}
}

void proto_start(struct session *s)
{
	send_scc(s, PPTP_SCCRQ);
	s->state = SESS_WAIT_SCCRP;
}

/* ---- clearing: only the side that connected does it ---- */

static void maybe_stop(struct session *s)
{
	if (!s->clearing || s->state != SESS_UP || s->n_cleared < s->n_calls)
		return;
	send_short(s, PPTP_STOPCCRQ, PPTP_STOPCCRQ_OFF_REASON, 1);
	s->state = SESS_STOPPING;
	s->t_stop = now_ms();
}

/*
 * --hold: no session clears before every call of every session is done, so
 * all of them are up at the same moment; the process then stops itself for
 * whoever measures that moment (a benchmark), and clears once continued.
 */
static unsigned int hold_done;
static bool hold_over;

static void maybe_clear(struct session *s);

static bool holding(void)
{
	return sim->o.hold && !sim->o.listen && !hold_over;
}

static void hold_count(void)
{
	unsigned int i;

	if (!holding() || ++hold_done < sim->o.sessions * sim->o.calls)
		return;
	fprintf(stderr, "pptp-sim: holding %u calls, every one verified both ways\n", hold_done);
	raise(SIGSTOP);
	hold_over = true;
	for (i = 0; i < sim->n_sess; i++)
		maybe_clear(sim->sess[i]);
}

static void maybe_clear(struct session *s)
{
	unsigned int i;

	if (holding() || !s->connector || s->clearing || s->state != SESS_UP ||
	    s->n_calls < sim->o.calls || s->n_done < s->n_calls ||
	    (s->echo_sent && !s->echo_ok))
		return;
	s->clearing = true;
	for (i = 0; i < sim->n_calls; i++) {
		struct call *c = sim->calls[i];

		if (c->sess != s->idx || c->state != CALL_UP)
			continue;
		if (sim->o.role == PPTP_PNS) {
			send_ccrq(s, c);
			c->state = CALL_CLEARING;
		} else {
			send_cdn(s, c, 3);
			c->state = CALL_CLEARED;
			s->n_cleared += !c->flood;
		}
	}
	maybe_stop(s);
	ctrl_flush(s);
}

/* The call's state changed: is it complete, and is its session? */
void proto_call_progress(struct call *c)
{
	struct session *s = call_sess(c);
	u32 k = sim->o.packets;

	if (c->done || c->flood || c->state != CALL_UP || c->tx_next < k || c->rx < k ||
	    (script_active() && !script_done(c)) ||
	    (k && (!c->peer_acked || c->peer_ack < k - 1)) ||
	    (sim->o.extras && !c->extra_rx))
		return;
	c->done = true;
	s->n_done++;
	hold_count();
	maybe_clear(s);
}

static void call_up(struct session *s, struct call *c)
{
	u8 m[PPTP_MSG_MAX_LEN];

	c->state = CALL_UP;
	c->was_up = true;
	c->t_up = now_ms();
	sim->st.t_last_up = c->t_up;
	logv(1, "session %u: call %u (peer %u, serial %u) up", s->idx, c->own_id,
	     c->peer_id, c->serial);
	if (c->flood) {
		s->flood_answered += c->originator;
		return;
	}
	if (sim->o.extras) {
		u16 type = sim->o.role == PPTP_PNS ? PPTP_SLI : PPTP_WEN;

		pptp_msg_init(m, type);
		pptp_put16(m + (type == PPTP_SLI ? PPTP_SLI_OFF_PEER_ID : PPTP_WEN_OFF_PEER_ID),
			   c->peer_id);
		if (type == PPTP_SLI) {
			pptp_put32(m + PPTP_SLI_OFF_SEND_ACCM, 0xffffffff);
			pptp_put32(m + PPTP_SLI_OFF_RECV_ACCM, 0xffffffff);
		}
		send_msg(s, m);
	}
	gre_call_up(c);
	proto_call_progress(c);
}

/* ---- receiving ---- */

static bool msg_valid(const u8 *m, u16 len)
{
	u16 type = pptp_get16(m + PPTP_OFF_CTRL_TYPE);

	return pptp_get16(m + PPTP_OFF_MSG_TYPE) == PPTP_MSG_CONTROL &&
	       pptp_get32(m + PPTP_OFF_MAGIC) == PPTP_MAGIC &&
	       pptp_msg_len(type) && len == pptp_msg_len(type);
}

static void bad_id(struct session *s, const char *what, u16 id)
{
	logv(0, "session %u: %s names call ID %u, which is not one of ours", s->idx, what, id);
	sim->st.ctrl_bad_id++;
}

static void unexpected(struct session *s, u16 type)
{
	logv(0, "session %u: unexpected %s", s->idx, pptp_msg_name(type));
	sim->st.ctrl_unexpected++;
}

static void rx_request(struct session *s, const u8 *m, u16 type)
{
	bool flood = type == PPTP_OCRQ &&
		     !memcmp(m + PPTP_OCRQ_OFF_PHONE, SIM_FLOOD_PHONE, sizeof(SIM_FLOOD_PHONE));
	struct call *c = call_new(s, false);
	u8 r[PPTP_MSG_MAX_LEN];

	c->flood = flood;
	s->n_calls += !flood;
	/* OCRQ and ICRQ put Call ID and Serial at the same offsets. */
	set_peer_id(s, c, pptp_get16(m + PPTP_OCRQ_OFF_CALL_ID));
	set_serial(s, c, pptp_get16(m + PPTP_OCRQ_OFF_SERIAL));
	if (type == PPTP_OCRQ) {
		pptp_msg_init(r, PPTP_OCRP);
		pptp_put16(r + PPTP_OCRP_OFF_CALL_ID, c->own_id);
		pptp_put16(r + PPTP_OCRP_OFF_PEER_ID, c->peer_id);
		r[PPTP_OCRP_OFF_RESULT] = PPTP_OCRP_CONNECTED;
		pptp_put32(r + PPTP_OCRP_OFF_SPEED, 100000000);
		pptp_put16(r + PPTP_OCRP_OFF_WINDOW, 64);
		pptp_put32(r + PPTP_OCRP_OFF_CHANNEL, c->own_id);
		send_msg(s, r);
		call_up(s, c);
		return;
	}
	pptp_msg_init(r, PPTP_ICRP);
	pptp_put16(r + PPTP_ICRP_OFF_CALL_ID, c->own_id);
	pptp_put16(r + PPTP_ICRP_OFF_PEER_ID, c->peer_id);
	r[PPTP_ICRP_OFF_RESULT] = PPTP_ICRP_CONNECT;
	pptp_put16(r + PPTP_ICRP_OFF_WINDOW, 64);
	send_msg(s, r);
	c->state = CALL_WAIT_ICCN;
}

/* OCRP and ICRP: the answer to a call we originated. */
static void rx_reply(struct session *s, const u8 *m, u16 type)
{
	unsigned int peer_off = type == PPTP_OCRP ? PPTP_OCRP_OFF_PEER_ID : PPTP_ICRP_OFF_PEER_ID;
	u8 result = m[type == PPTP_OCRP ? PPTP_OCRP_OFF_RESULT : PPTP_ICRP_OFF_RESULT];
	struct call *c = find_own(s, pptp_get16(m + peer_off));
	u8 r[PPTP_MSG_MAX_LEN];

	if (!c || !c->originator) {
		bad_id(s, pptp_msg_name(type), pptp_get16(m + peer_off));
		return;
	}
	if (c->state != CALL_REQ) {
		unexpected(s, type);
		return;
	}
	if (result != 1) {
		logv(0, "session %u: call %u refused, result %u", s->idx, c->own_id, result);
		sim->st.ctrl_refused++;
		c->state = CALL_FAILED;
		return;
	}
	/* Both replies put the sender's Call ID at the same offset. */
	set_peer_id(s, c, pptp_get16(m + PPTP_OCRP_OFF_CALL_ID));
	if (type == PPTP_ICRP) {
		pptp_msg_init(r, PPTP_ICCN);
		pptp_put16(r + PPTP_ICCN_OFF_PEER_ID, c->peer_id);
		pptp_put32(r + PPTP_ICCN_OFF_SPEED, 100000000);
		pptp_put16(r + PPTP_ICCN_OFF_WINDOW, 64);
		pptp_put32(r + PPTP_ICCN_OFF_FRAMING, 1);
		send_msg(s, r);
	}
	call_up(s, c);
}

/* ICCN, SLI and WEN name the receiver's call: ours. */
static void rx_peer_named(struct session *s, const u8 *m, u16 type)
{
	u16 id = pptp_get16(m + PPTP_ICCN_OFF_PEER_ID);	/* same offset in all three */
	struct call *c = find_own(s, id);

	if (!c) {
		bad_id(s, pptp_msg_name(type), id);
		return;
	}
	if (type == PPTP_ICCN) {
		if (c->state != CALL_WAIT_ICCN) {
			unexpected(s, type);
			return;
		}
		call_up(s, c);
		return;
	}
	c->extra_rx = true;
	proto_call_progress(c);
}

static void rx_clear(struct session *s, const u8 *m, u16 type)
{
	u16 id = pptp_get16(m + PPTP_CCRQ_OFF_CALL_ID);	/* CDN's is there too */
	struct call *c;

	/*
	 * CCRQ carries the PNS's ID, the peer's.  CDN carries the PAC's by
	 * the RFC, also the peer's; real PACs put the PNS's there: ours.
	 * Guessing would hide a NAT that rewrote the wrong way.
	 */
	if (type == PPTP_CDN && sim->o.cdn_peer_id)
		c = find_own(s, id);
	else
		c = hash_get(KEY_PEER_ID(s->idx, id));
	if (!c) {
		bad_id(s, pptp_msg_name(type), id);
		return;
	}
	if (c->state == CALL_CLEARED)
		return;
	if (type == PPTP_CCRQ)
		send_cdn(s, c, 4);
	c->state = CALL_CLEARED;
	s->n_cleared += !c->flood;
	maybe_stop(s);
}

static void rx_session(struct session *s, const u8 *m, u16 type)
{
	switch (type) {
	case PPTP_SCCRQ:
	case PPTP_SCCRP:
		if (s->state != (type == PPTP_SCCRQ ? SESS_WAIT_SCCRQ : SESS_WAIT_SCCRP)) {
			unexpected(s, type);
			return;
		}
		if (!strncmp((const char *)m + PPTP_SCC_OFF_HOSTNAME, SIM_HOST_PREFIX,
			     strlen(SIM_HOST_PREFIX)))
			s->peer_token = (u32)strtoul((const char *)m + PPTP_SCC_OFF_HOSTNAME +
						     strlen(SIM_HOST_PREFIX), NULL, 16);
		if (type == PPTP_SCCRQ) {
			send_scc(s, PPTP_SCCRP);
		} else if (m[PPTP_SCCRP_OFF_RESULT] != PPTP_SCCRP_OK) {
			logv(0, "session %u: SCCRP result %u", s->idx, m[PPTP_SCCRP_OFF_RESULT]);
			sim->st.ctrl_refused++;
			ctrl_close(s, true);
			return;
		}
		session_up(s);
		break;
	case PPTP_STOPCCRQ:
		send_short(s, PPTP_STOPCCRP, PPTP_STOPCCRP_OFF_RESULT, PPTP_STOPCCRP_OK);
		s->stopped = true;
		s->state = SESS_STOPPED;
		sim->stopped_open++;
		sim->last_stop_ms = now_ms();
		break;
	case PPTP_STOPCCRP:
		if (s->state != SESS_STOPPING) {
			unexpected(s, type);
			return;
		}
		s->stopped = true;
		s->state = SESS_STOPPED;
		sim->stopped_open++;
		ctrl_close(s, false);
		break;
	case PPTP_ECHORQ: {
		u8 r[PPTP_MSG_MAX_LEN];

		pptp_msg_init(r, PPTP_ECHORP);
		memcpy(r + PPTP_ECHO_OFF_IDENT, m + PPTP_ECHO_OFF_IDENT, 4);
		r[PPTP_ECHORP_OFF_RESULT] = 1;
		send_msg(s, r);
		break;
	}
	case PPTP_ECHORP:
		if (!s->echo_sent || pptp_get32(m + PPTP_ECHO_OFF_IDENT) != s->echo_ident) {
			unexpected(s, type);
			return;
		}
		s->echo_ok = true;
		maybe_clear(s);
		break;
	}
}

void proto_handle(struct session *s, const u8 *m, u16 len)
{
	u16 type = pptp_get16(m + PPTP_OFF_CTRL_TYPE);
	const struct pptp_msg_desc *d;

	sim->st.ctrl_rx++;
	if (!msg_valid(m, len)) {
		logv(0, "session %u: invalid message (type %u, length %u)", s->idx, type, len);
		sim->st.ctrl_invalid++;
		return;
	}
	logv(1, "session %u: <- %s", s->idx, pptp_msg_name(type));
	d = pptp_msg_desc(type);
	if (d->sender == sim->o.role ||
	    (type > PPTP_SCCRQ && s->state < SESS_UP && type != PPTP_SCCRP)) {
		unexpected(s, type);
		return;
	}
	switch (type) {
	case PPTP_OCRQ:
	case PPTP_ICRQ:
		if (s->state != SESS_UP || (type == PPTP_ICRQ) != sim->o.incoming) {
			unexpected(s, type);
			return;
		}
		rx_request(s, m, type);
		break;
	case PPTP_OCRP:
	case PPTP_ICRP:
		rx_reply(s, m, type);
		break;
	case PPTP_ICCN:
	case PPTP_SLI:
	case PPTP_WEN:
		rx_peer_named(s, m, type);
		break;
	case PPTP_CCRQ:
	case PPTP_CDN:
		rx_clear(s, m, type);
		break;
	default:
		rx_session(s, m, type);
		break;
	}
}

void proto_session_closed(struct session *s)
{
	unsigned int i;

	/* Calls still pending can no longer come up. */
	for (i = 0; i < sim->n_calls; i++) {
		struct call *c = sim->calls[i];

		if (c->sess == s->idx && (c->state == CALL_REQ || c->state == CALL_WAIT_ICCN))
			c->state = CALL_FAILED;
	}
}
