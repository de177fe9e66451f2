// SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
/*
 * pptp-sim control connections: listening, connecting, reading whole
 * messages out of the byte stream, and writing them the way a test asks.
 *
 * TCP_NODELAY is always on, so by default each message leaves in its own
 * segment (one send() each).  --coalesce queues every message produced
 * while handling one event and sends them with a single send(), so a
 * segment carries several messages.  --split N sends each message as two
 * send()s cut at byte N, pausing before each send() so that no two writes
 * share a segment; the pause is a timer, the loop never sleeps.
 */
#include <errno.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <unistd.h>

#include "sim.h"

/*
 * @p, an array of *@size elements of @elem bytes, grown to hold at least
 * @need (doubling, new elements zeroed); exits when memory runs out.
 */
void *sim_grow(void *p, unsigned int *size, unsigned int need, size_t elem)
{
	unsigned int n = *size ? *size : 16;

	if (need <= *size)
		return p;
	while (n < need)
		n *= 2;
	p = realloc(p, (size_t)n * elem);
	if (!p) {
		fprintf(stderr, "pptp-sim: out of memory\n");
		exit(1);
	}
	memset((char *)p + (size_t)*size * elem, 0, (size_t)(n - *size) * elem);
	*size = n;
	return p;
}

static struct session *sess_new(int fd, bool connector)
{
	struct session *s = calloc(1, sizeof(*s));

	if (!s || sim->n_sess >= 65536) {
		fprintf(stderr, "pptp-sim: too many sessions\n");
		exit(1);
	}
	sim->sess = sim_grow(sim->sess, &sim->sess_size, sim->n_sess + 1, sizeof(*sim->sess));
	s->idx = sim->n_sess;
	s->fd = fd;
	s->connector = connector;
	s->token = ((u32)sim->nonce << 16) | s->idx;
	sim->sess[sim->n_sess++] = s;
	sim->live_sess++;
	return s;
}

static void sock_opts(int fd)
{
	int one = 1;

	if (setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one)) < 0)
		perror("pptp-sim: TCP_NODELAY");
}

/* A v4-mapped IPv6 peer is an IPv4 peer as far as GRE is concerned. */
static void unmap_v4(struct sockaddr_storage *ss)
{
	struct sockaddr_in6 a6;
	struct sockaddr_in *a4 = (struct sockaddr_in *)ss;

	if (ss->ss_family != AF_INET6)
		return;
	memcpy(&a6, ss, sizeof(a6));
	if (!IN6_IS_ADDR_V4MAPPED(&a6.sin6_addr))
		return;
	memset(ss, 0, sizeof(*ss));
	a4->sin_family = AF_INET;
	a4->sin_port = a6.sin6_port;
	memcpy(&a4->sin_addr, &a6.sin6_addr.s6_addr[12], 4);
}

static void sess_addrs(struct session *s)
{
	socklen_t l = sizeof(s->peer);
	char a[64], b[64];

	getpeername(s->fd, (struct sockaddr *)&s->peer, &l);
	l = sizeof(s->local);
	getsockname(s->fd, (struct sockaddr *)&s->local, &l);
	unmap_v4(&s->peer);
	unmap_v4(&s->local);
	logv(1, "session %u: %s -> %s", s->idx, addr_str(&s->local, a, sizeof(a)),
	     addr_str(&s->peer, b, sizeof(b)));
}

int ctrl_listen(void)
{
	const struct sim_opts *o = &sim->o;
	int one = 1, fd;

	fd = socket(o->addr.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		perror("pptp-sim: socket");
		return -1;
	}
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bind(fd, (const struct sockaddr *)&o->addr, o->addr_len) < 0 ||
	    listen(fd, 4096) < 0) {
		perror("pptp-sim: bind/listen");
		close(fd);
		return -1;
	}
	sim->listen_fd = fd;
	ep_set(fd, EP_LISTEN, 0, EPOLLIN, true);
	logv(1, "listening");
	return 0;
}

void ctrl_accept(void)
{
	struct session *s;
	int fd;

	for (;;) {
		fd = accept4(sim->listen_fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
		if (fd < 0) {
			if (errno != EAGAIN && errno != EINTR)
				perror("pptp-sim: accept");
			return;
		}
		sock_opts(fd);
		s = sess_new(fd, false);
		s->state = SESS_WAIT_SCCRQ;
		sim->st.sessions_accepted++;
		sess_addrs(s);
		ep_set(fd, EP_SESS, s->idx, EPOLLIN, true);
	}
}

static int connect_one(void)
{
	const struct sim_opts *o = &sim->o;
	struct session *s;
	int fd;

	fd = socket(o->addr.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		perror("pptp-sim: socket");
		return -1;
	}
	sock_opts(fd);
	if (o->bind_len && bind(fd, (const struct sockaddr *)&o->bind, o->bind_len) < 0) {
		perror("pptp-sim: bind");
		close(fd);
		return -1;
	}
	s = sess_new(fd, true);
	s->state = SESS_CONNECTING;
	sim->st.sessions_opened++;
	if (connect(fd, (const struct sockaddr *)&o->addr, o->addr_len) < 0 &&
	    errno != EINPROGRESS) {
		perror("pptp-sim: connect");
		ctrl_close(s, true);
		return 0;
	}
	ep_set(fd, EP_SESS, s->idx, EPOLLOUT, true);
	s->want_out = true;
	return 0;
}

static unsigned int connects_left;
static u64 next_connect;

/* Open every session now, or with --interval the first one. */
int ctrl_connect_all(void)
{
	unsigned int i;

	if (sim->o.interval_ms) {
		connects_left = sim->o.sessions;
		return ctrl_connect_due(now_ms()) < -1 ? -1 : 0;
	}
	for (i = 0; i < sim->o.sessions; i++)
		if (connect_one())
			return -1;
	return 0;
}

/*
 * --interval: open the sessions that are due, one per interval, so a
 * measurement sees a steady trickle instead of one burst.  Returns ms
 * until the next one, -1 when all are open, -2 on error.
 */
int ctrl_connect_due(u64 now)
{
	while (connects_left && now >= next_connect) {
		if (connect_one())
			return -2;
		connects_left--;
		next_connect = (next_connect ? next_connect : now) + sim->o.interval_ms;
	}
	if (!connects_left)
		return -1;
	return (int)(next_connect - now);
}

void ctrl_close(struct session *s, bool failed)
{
	if (s->state == SESS_CLOSED)
		return;
	if (s->state == SESS_STOPPED)
		sim->stopped_open--;
	if (failed && !s->stopped)
		s->failed = true;
	if (s->resume_at) {
		s->resume_at = 0;
		sim->n_paused--;
	}
	close(s->fd);
	s->fd = -1;
	s->state = SESS_CLOSED;
	sim->live_sess--;
	free(s->tx);
	free(s->breaks);
	s->tx = NULL;
	s->breaks = NULL;
	s->tx_len = s->tx_off = s->tx_size = 0;
	logv(1, "session %u closed%s", s->idx, s->failed ? " (failed)" : "");
	proto_session_closed(s);
}

static void want_out(struct session *s, bool on)
{
	if (s->want_out == on)
		return;
	s->want_out = on;
	ep_set(s->fd, EP_SESS, s->idx, EPOLLIN | (on ? EPOLLOUT : 0), false);
}

static void pause_until(struct session *s, u64 t)
{
	if (!s->resume_at)
		sim->n_paused++;
	s->resume_at = t;
}

/* Send what may be sent now; stops at a split point to pause. */
void ctrl_flush(struct session *s)
{
	ssize_t n;
	size_t end;

	while (s->state != SESS_CLOSED && s->tx_off < s->tx_len) {
		if (s->resume_at)
			return;
		end = s->n_breaks ? s->breaks[0] : s->tx_len;
		n = send(s->fd, s->tx + s->tx_off, end - s->tx_off, MSG_NOSIGNAL);
		if (n < 0) {
			if (errno == EAGAIN || errno == EINTR) {
				want_out(s, true);
				return;
			}
			logv(0, "session %u: send: %s", s->idx, strerror(errno));
			ctrl_close(s, true);
			return;
		}
		s->tx_off += (size_t)n;
		if (s->n_breaks && s->tx_off == s->breaks[0]) {
			memmove(s->breaks, s->breaks + 1, --s->n_breaks * sizeof(*s->breaks));
			pause_until(s, now_ms() + sim->o.split_pause_ms);
		}
	}
	if (s->state != SESS_CLOSED && s->tx_off == s->tx_len) {
		s->tx_off = s->tx_len = 0;
		want_out(s, false);
	}
}

void ctrl_queue(struct session *s, const u8 *msg, u16 len)
{
	unsigned int size = (unsigned int)s->tx_size;

	if (s->state == SESS_CLOSED)
		return;
	s->tx = sim_grow(s->tx, &size, (unsigned int)(s->tx_len + len), 1);
	s->tx_size = size;
	if (sim->o.split && len > 1) {
		/* Pause before the message too, or its head rides on the last tail. */
		s->breaks = sim_grow(s->breaks, &s->breaks_size, s->n_breaks + 2,
				 sizeof(*s->breaks));
		if (s->tx_len > s->tx_off)
			s->breaks[s->n_breaks++] = s->tx_len;
		s->breaks[s->n_breaks++] = s->tx_len +
			(sim->o.split < len ? sim->o.split : len - 1u);
	}
	memcpy(s->tx + s->tx_len, msg, len);
	s->tx_len += len;
	sim->st.ctrl_tx++;
	rtt_sent(s, pptp_get16(msg + PPTP_OFF_CTRL_TYPE));
	logv(1, "session %u: -> %s", s->idx, pptp_msg_name(pptp_get16(msg + PPTP_OFF_CTRL_TYPE)));
	if (!sim->o.coalesce)
		ctrl_flush(s);
}

void ctrl_resume_due(u64 now)
{
	unsigned int i;

	for (i = 0; i < sim->n_sess && sim->n_paused; i++) {
		struct session *s = sim->sess[i];

		if (s->resume_at && s->resume_at <= now) {
			s->resume_at = 0;
			sim->n_paused--;
			ctrl_flush(s);
		}
	}
}

int ctrl_next_timer(u64 now)
{
	u64 next = now + 1000;
	unsigned int i;

	for (i = 0; i < sim->n_sess; i++)
		if (sim->sess[i]->resume_at && sim->sess[i]->resume_at < next)
			next = sim->sess[i]->resume_at;
	return next > now ? (int)(next - now) : 0;
}

static void connected(struct session *s)
{
	int err = 0;
	socklen_t l = sizeof(err);

	getsockopt(s->fd, SOL_SOCKET, SO_ERROR, &err, &l);
	if (err) {
		logv(0, "session %u: connect: %s", s->idx, strerror(err));
		ctrl_close(s, true);
		return;
	}
	sess_addrs(s);
	want_out(s, false);
	proto_start(s);
	ctrl_flush(s);
}

/* Whole messages out of the receive buffer; false when the stream is unusable. */
static bool parse_rx(struct session *s)
{
	unsigned int off = 0;

	while (s->state != SESS_CLOSED && s->rx_len - off >= PPTP_HDR_LEN) {
		u16 len = pptp_get16(s->rx + off + PPTP_OFF_LENGTH);

		if (len < PPTP_HDR_LEN || len > SIM_MSG_LIMIT) {
			logv(0, "session %u: message length %u: cannot frame, closing",
			     s->idx, len);
			sim->st.ctrl_invalid++;
			return false;
		}
		if (s->rx_len - off < len)
			break;
		rtt_received(s, pptp_get16(s->rx + off + PPTP_OFF_CTRL_TYPE));
		proto_handle(s, s->rx + off, len);
		off += len;
	}
	if (s->state == SESS_CLOSED)
		return true;
	memmove(s->rx, s->rx + off, s->rx_len - off);
	s->rx_len -= off;
	return true;
}

static void readable(struct session *s)
{
	ssize_t n;

	while (s->state != SESS_CLOSED) {
		n = recv(s->fd, s->rx + s->rx_len, sizeof(s->rx) - s->rx_len, 0);
		if (n < 0) {
			if (errno == EAGAIN || errno == EINTR)
				return;
			logv(0, "session %u: recv: %s", s->idx, strerror(errno));
			ctrl_close(s, true);
			return;
		}
		if (n == 0) {
			s->peer_closed = true;
			ctrl_close(s, true);
			return;
		}
		s->rx_len += (unsigned int)n;
		if (!parse_rx(s)) {
			ctrl_close(s, true);
			return;
		}
	}
}

void ctrl_event(struct session *s, u32 events)
{
	if (s->state == SESS_CONNECTING) {
		if (events & (EPOLLOUT | EPOLLERR | EPOLLHUP))
			connected(s);
		return;
	}
	if (events & (EPOLLIN | EPOLLERR | EPOLLHUP))
		readable(s);
	if (s->state != SESS_CLOSED)
		ctrl_flush(s);
}
