// SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
/*
 * GRE expectations of calls, and the helper data naming them: backend
 * cthelper's gre_update, gre_batch and gre_refresh, all one path.
 *
 * ctnetlink has no transactions, but the kernel runs the requests of one
 * send in order, in the sender's context, and leaves an ack for each in
 * our socket before the send returns.  So the changes the packets of one
 * read from the queue ask for (a client clearing its calls at once: two
 * requests per half of each call) cost one send and no wait, where each
 * request made alone is a round trip.  Each ack is matched to its request
 * by sequence number.  A single change is a batch of one.
 */
#include <errno.h>
#include <string.h>
#include <sys/socket.h>
#include <arpa/inet.h>
#include <libmnl/libmnl.h>

#include "cth.h"
#include "session.h"

/* the nft map bits naming a call's halves, as gre_exps() orders them */
static const unsigned int half_map[EXP_HALVES] = { NGD_MAP_IN, NGD_MAP_OUT_ADDR };

/* a batch's worth: a removal is two requests per half */
#define PIPE_MSGS	(NFT_REFRESH_MAX * EXP_HALVES * 2)

static char pipe_buf[PIPE_MSGS * EXPECT_MSG_MAX] __attribute__((aligned(8)));
static size_t pipe_len;
static unsigned int pipe_n;
static uint32_t pipe_seq0;
static int pipe_ret[PIPE_MSGS];

/* Where the next request is built. */
static char *pipe_space(void)
{
	return pipe_buf + pipe_len;
}

/* Take the request just built at pipe_space(): its index in pipe_ret[]. */
static unsigned int pipe_put(const struct nlmsghdr *nlh)
{
	if (!pipe_n)
		pipe_seq0 = nlh->nlmsg_seq;
	pipe_len += MNL_ALIGN(nlh->nlmsg_len);
	return pipe_n++;
}

/* The acks in @buf into pipe_ret[]: how many were ours. */
static unsigned int pipe_acks(const char *buf, size_t len)
{
	const struct nlmsghdr *nlh = (const struct nlmsghdr *)buf;
	const struct nlmsgerr *err;
	unsigned int n = 0;
	uint32_t i;
	int left = (int)len;

	for (; mnl_nlmsg_ok(nlh, left); nlh = mnl_nlmsg_next(nlh, &left)) {
		i = nlh->nlmsg_seq - pipe_seq0;
		if (nlh->nlmsg_type != NLMSG_ERROR || i >= pipe_n ||
		    nlh->nlmsg_len < mnl_nlmsg_size(sizeof(*err)))
			continue;
		err = mnl_nlmsg_get_payload(nlh);
		pipe_ret[i] = err->error;
		n++;
	}
	return n;
}

/*
 * Send the requests built, and read each one's ack into pipe_ret[]: 0 or
 * -errno.  They are all there when the send returns; one the socket had
 * no room for (ENOBUFS) leaves its request's result unknown, as an error.
 */
static void pipe_run(void)
{
	int fd = mnl_socket_get_fd(expect_socket());
	char buf[NGD_NL_BUF];
	unsigned int i, left = pipe_n;
	int err = -ENOBUFS;
	ssize_t len;

	for (i = 0; i < pipe_n; i++)
		pipe_ret[i] = 1;	/* no ack yet */
	stats.ctnetlink_sends += pipe_n > 0;
	if (pipe_n && send(fd, pipe_buf, pipe_len, 0) < 0) {
		err = -errno;
		left = 0;
	}
	while (left) {
		len = recv(fd, buf, sizeof(buf), MSG_DONTWAIT);
		if (len < 0 && errno == ENOBUFS)
			continue;	/* what is left is still to be read */
		if (len <= 0)
			break;
		left -= pipe_acks(buf, (size_t)len);
	}
	for (i = 0; i < pipe_n; i++)
		if (pipe_ret[i] > 0)
			pipe_ret[i] = err;
	pipe_len = pipe_n = 0;
}

/* Requests for half @h of @c: @at[] their indexes in pipe_ret[], -1: none. */
static void half_queue(const struct ngd_gre_change *c, const struct gre_exp *e, unsigned int h,
		       int at[2])
{
	unsigned int bit = half_map[h];
	uint16_t key = htons(e->key);

	at[0] = at[1] = -1;
	if (c->add & bit) {
		/* add over an existing one: the kernel only refreshes its timeout */
		at[0] = (int)pipe_put(exp_new_msg(pipe_space(), &c->g.conn, e));
	} else if (c->del & bit) {
		/* the GRE conntrack the expectation made goes with it */
		at[0] = (int)pipe_put(exp_unexpect_msg(pipe_space(), &e->src, &e->dst, key));
		at[1] = (int)pipe_put(gre_ct_delete_msg(pipe_space(), &e->src, &e->dst, key));
	}
}

/*
 * What removing an expectation (result @exp_ret) and the GRE conntrack it
 * created (@ct_ret) came to.  Gone already (master destroyed, timed out,
 * never used) is what we want: 0 then too.  Otherwise the first error
 * (counted: expect_errors for the expectation, ct_errors for the
 * conntrack), and either may still be there.
 */
static int forget_result(int exp_ret, int ct_ret)
{
	int err = exp_ret == -ENOENT ? 0 : exp_ret;

	if (err < 0)
		stats.expect_errors++;
	ct_ret = ct_counted(ct_ret);
	if (ct_ret < 0 && ct_ret != -ENOENT && !err)
		err = ct_ret;
	return err;
}

/* What half @h of @c came to, counted and logged: 0 or -errno. */
static int half_result(const struct ngd_gre_change *c, const struct gre_exp *e, unsigned int h,
		       const int at[2])
{
	char a[INET6_ADDRSTRLEN], b[INET6_ADDRSTRLEN];
	bool add = c->add & half_map[h];
	int ret;

	if (at[0] < 0)
		return 0;
	ret = add ? pipe_ret[at[0]] : forget_result(pipe_ret[at[0]], pipe_ret[at[1]]);
	if (!ret) {
		if (add)
			stats.expect_set++;
		else
			stats.expect_deleted++;
		return 0;
	}
	if (add)
		stats.expect_errors++;
	ngd_err_ratelimited("cannot %s %s GRE %s -> %s key %u: %s", add ? "expect" : "unexpect",
			    e->what, ngd_addr_str(&e->src, a, sizeof(a)),
			    ngd_addr_str(&e->dst, b, sizeof(b)), e->key, strerror(-ret));
	return ret;
}

/* Did @c bring a whole call up (not refresh it)?  Its session then. */
static struct session *came_up(const struct ngd_gre_change *c)
{
	if (c->ret || !c->comment || (c->add & NGD_MAP_ALL) != NGD_MAP_ALL)
		return NULL;
	return cth_pairs_session(&c->g);
}

/* Send the helper data messages built, and log those that failed. */
static void pairs_run(void)
{
	unsigned int i, n = pipe_n;

	pipe_run();
	for (i = 0; i < n; i++)
		if (ct_counted(pipe_ret[i]) < 0)
			ngd_err_ratelimited("cannot store the call in the session's helper data: %s (a restart will not recover it)",
					    strerror(-pipe_ret[i]));
}

/*
 * The helper data of each session a call of @ch came up in: one write
 * per session, naming its calls that came up here newest first (a write
 * per call would leave only the last one's view).
 */
static void pairs_batch(const struct ngd_gre_change *ch, unsigned int n)
{
	const struct ngd_gre *first[NFT_REFRESH_MAX];
	struct session *s[NFT_REFRESH_MAX];
	struct nlmsghdr *nlh;
	unsigned int i, j, k;

	for (i = 0; i < n; i++)
		s[i] = came_up(&ch[i]);
	for (i = n; i-- > 0;) {
		if (!s[i])
			continue;
		for (j = i + 1, k = 0; j-- > 0;) {
			if (s[j] != s[i])
				continue;
			first[k++] = &ch[j].g;
			if (j != i)
				s[j] = NULL;
		}
		nlh = cth_pairs_msg(pipe_space(), s[i], first, k);
		if (nlh)
			pipe_put(nlh);
	}
	pairs_run();
}

/* Helper data for all of @s's calls at once (a session taken over from a peer). */
void cth_pairs_save(const struct session *s)
{
	struct nlmsghdr *nlh = cth_pairs_msg(pipe_space(), s, NULL, 0);

	if (nlh)
		pipe_put(nlh);
	pairs_run();
}

/*
 * @n (at most NFT_REFRESH_MAX) calls' changes, in order (the nft map bits
 * name the halves; a comment means a complete call, CALL_UP or its
 * refresh): each one's result in its ret.  All or nothing per call, as an
 * nft transaction is: when one half failed, a half the change opened
 * (not one it refreshed) is closed again, once every result is read, and
 * if even that fails it is left to leftover.c.
 */
void expect_gre_batch(struct ngd_gre_change *ch, unsigned int n)
{
	struct gre_exp e[NFT_REFRESH_MAX][EXP_HALVES];
	int at[NFT_REFRESH_MAX][EXP_HALVES][2], ret;
	unsigned int i, h, opened[NFT_REFRESH_MAX];

	for (i = 0; i < n; i++) {
		gre_exps(&ch[i].g, ch[i].comment != NULL, e[i]);
		for (h = 0; h < EXP_HALVES; h++)
			half_queue(&ch[i], &e[i][h], h, at[i][h]);
	}
	pipe_run();
	for (i = 0; i < n; i++) {
		ch[i].ret = 0;
		opened[i] = 0;
		for (h = 0; h < EXP_HALVES; h++) {
			ret = half_result(&ch[i], &e[i][h], h, at[i][h]);
			if (ret < 0 && !ch[i].ret)
				ch[i].ret = ret;
			else if (!ret && (ch[i].add & ~ch[i].del & half_map[h]))
				opened[i] |= half_map[h];
		}
	}
	for (i = 0; i < n; i++)
		if (ch[i].ret && opened[i] && expect_gre_update(&ch[i].g, opened[i], 0, NULL) < 0)
			leftover_add(&ch[i].g, opened[i], 0);
	pairs_batch(ch, n);
}

/* One call's change: a batch of one. */
int expect_gre_update(const struct ngd_gre *g, unsigned int del, unsigned int add,
		      const char *comment)
{
	struct ngd_gre_change c = { .g = *g, .del = del, .add = add, .comment = comment };

	expect_gre_batch(&c, 1);
	return c.ret;
}

/* Refresh @n (at most NFT_REFRESH_MAX) calls in one send: how many failed. */
int expect_gre_refresh(const struct ngd_gre *g, const char *const *comments, unsigned int n)
{
	struct ngd_gre_change ch[NFT_REFRESH_MAX];
	unsigned int i, failed = 0;

	for (i = 0; i < n; i++)
		ch[i] = (struct ngd_gre_change){ .g = g[i], .del = NGD_MAP_ALL,
						 .add = NGD_MAP_ALL, .comment = comments[i] };
	expect_gre_batch(ch, n);
	for (i = 0; i < n; i++)
		failed += ch[i].ret < 0;
	return (int)failed;
}
