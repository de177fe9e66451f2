// SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
/*
 * nfq-hold QUEUE MS: accept every packet NFQUEUE QUEUE gives, each MS
 * milliseconds after it came, in order.  A test puts the first packet of
 * each new GRE conntrack here (nft: ct state related queue num QUEUE) to
 * keep its conntrack unconfirmed while the sender's next packets reach
 * the firewall: the window two first packets of one direction on two
 * CPUs open now and then, held open on purpose.  Runs until killed.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <libmnl/libmnl.h>
#include <linux/netfilter.h>
#include <linux/netfilter/nfnetlink_queue.h>
#include <libnetfilter_queue/libnetfilter_queue.h>

#define HELD_MAX	4096

static struct mnl_socket *nl;
static unsigned int queue;
static struct { uint32_t id; long long due; } held[HELD_MAX];
static unsigned int n_held, first_held;

static long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000LL + ts.tv_nsec / 1000000;
}

static void send_or_die(struct nlmsghdr *nlh, const char *what)
{
	if (mnl_socket_sendto(nl, nlh, nlh->nlmsg_len) < 0) {
		fprintf(stderr, "nfq-hold: %s: %s\n", what, strerror(errno));
		exit(1);
	}
}

static void accept_packet(uint32_t id)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh = nfq_nlmsg_put(buf, NFQNL_MSG_VERDICT, queue);

	nfq_nlmsg_verdict_put(nlh, id, NF_ACCEPT);
	send_or_die(nlh, "verdict");
}

static int on_packet(const struct nlmsghdr *nlh, void *data)
{
	struct nlattr *attr[NFQA_MAX + 1] = { 0 };
	const struct nfqnl_msg_packet_hdr *ph;
	long long hold = *(const long long *)data;
	unsigned int slot;

	if (nfq_nlmsg_parse(nlh, attr) < 0 || !attr[NFQA_PACKET_HDR])
		return MNL_CB_OK;
	ph = mnl_attr_get_payload(attr[NFQA_PACKET_HDR]);
	if (n_held == HELD_MAX) {
		accept_packet(ntohl(ph->packet_id));	/* never lose one */
		return MNL_CB_OK;
	}
	slot = (first_held + n_held++) % HELD_MAX;
	held[slot].id = ntohl(ph->packet_id);
	held[slot].due = now_ms() + hold;
	return MNL_CB_OK;
}

static void bind_queue(void)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh;

	nlh = nfq_nlmsg_put(buf, NFQNL_MSG_CONFIG, queue);
	nfq_nlmsg_cfg_put_cmd(nlh, AF_INET, NFQNL_CFG_CMD_BIND);
	send_or_die(nlh, "bind");
	nlh = nfq_nlmsg_put(buf, NFQNL_MSG_CONFIG, queue);
	nfq_nlmsg_cfg_put_params(nlh, NFQNL_COPY_META, 0);
	send_or_die(nlh, "copy mode");
}

int main(int argc, char **argv)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	long long hold;
	int len;

	if (argc != 3) {
		fprintf(stderr, "usage: nfq-hold QUEUE MS\n");
		return 2;
	}
	queue = (unsigned int)atoi(argv[1]);
	hold = atoll(argv[2]);
	nl = mnl_socket_open(NETLINK_NETFILTER);
	if (!nl || mnl_socket_bind(nl, 0, MNL_SOCKET_AUTOPID) < 0) {
		perror("nfq-hold: netlink");
		return 1;
	}
	bind_queue();
	fprintf(stderr, "nfq-hold: queue %u, %lld ms\n", queue, hold);
	for (;;) {
		struct pollfd p = { .fd = mnl_socket_get_fd(nl), .events = POLLIN };
		long long wait = -1;

		if (n_held) {
			wait = held[first_held].due - now_ms();
			if (wait <= 0) {
				accept_packet(held[first_held].id);
				first_held = (first_held + 1) % HELD_MAX;
				n_held--;
				continue;
			}
		}
		if (poll(&p, 1, (int)wait) <= 0)
			continue;
		len = (int)mnl_socket_recvfrom(nl, buf, sizeof(buf));
		if (len < 0) {
			perror("nfq-hold: recv");
			return 1;
		}
		mnl_cb_run(buf, (size_t)len, 0, 0, on_packet, &hold);
	}
}
