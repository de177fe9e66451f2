// SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
/*
 * bench/queue_floor: the least an NFQUEUE costs.  Binds queue N (the
 * queue rules pptp-ngd left behind, see bench/latency.sh) and gives every
 * packet NF_ACCEPT as soon as it is read, unread: no parsing, no state,
 * one blocking read and one verdict a packet.  What a round trip through
 * it adds is the queue's own price on this machine (the wake-up of a
 * userspace reader and the reinjection), which no daemon can go under.
 *
 * usage: queue-floor QUEUE_NUM   (runs until killed)
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <linux/netfilter.h>
#include <linux/netfilter/nfnetlink_queue.h>
#include <libmnl/libmnl.h>
#include <libnetfilter_queue/libnetfilter_queue.h>

#define BUF_LEN	(0xffff + 4096)

static struct mnl_socket *nl;
static unsigned int queue;

static int config(struct nlmsghdr *nlh)
{
	char buf[8192];
	int ret;

	nlh->nlmsg_flags |= NLM_F_ACK;
	if (mnl_socket_sendto(nl, nlh, nlh->nlmsg_len) < 0)
		return -1;
	ret = (int)mnl_socket_recvfrom(nl, buf, sizeof(buf));
	if (ret < 0)
		return -1;
	return mnl_cb_run(buf, (size_t)ret, 0, mnl_socket_get_portid(nl), NULL, NULL) < 0 ? -1 : 0;
}

static int bind_queue(void)
{
	char buf[8192];
	struct nlmsghdr *nlh = nfq_nlmsg_put(buf, NFQNL_MSG_CONFIG, queue);

	nfq_nlmsg_cfg_put_cmd(nlh, AF_INET, NFQNL_CFG_CMD_BIND);
	if (config(nlh) < 0)
		return -1;
	/* the same copy as pptp-ngd's: whole packets */
	nlh = nfq_nlmsg_put(buf, NFQNL_MSG_CONFIG, queue);
	nfq_nlmsg_cfg_put_params(nlh, NFQNL_COPY_PACKET, 0xffff);
	return config(nlh);
}

static int accept_cb(const struct nlmsghdr *nlh, void *data)
{
	struct nlattr *attr[NFQA_MAX + 1] = { NULL };
	struct nfqnl_msg_packet_hdr *ph;
	char buf[256];
	struct nlmsghdr *v;

	(void)data;
	if (nfq_nlmsg_parse(nlh, attr) < 0 || !attr[NFQA_PACKET_HDR])
		return MNL_CB_OK;
	ph = mnl_attr_get_payload(attr[NFQA_PACKET_HDR]);
	v = nfq_nlmsg_put(buf, NFQNL_MSG_VERDICT, queue);
	nfq_nlmsg_verdict_put(v, (int)ntohl(ph->packet_id), NF_ACCEPT);
	if (mnl_socket_sendto(nl, v, v->nlmsg_len) < 0)
		return MNL_CB_ERROR;
	return MNL_CB_OK;
}

int main(int argc, char **argv)
{
	static char buf[BUF_LEN];
	ssize_t n;

	if (argc != 2) {
		fprintf(stderr, "usage: queue-floor QUEUE_NUM\n");
		return 2;
	}
	queue = (unsigned int)strtoul(argv[1], NULL, 0);
	nl = mnl_socket_open(NETLINK_NETFILTER);
	if (!nl || mnl_socket_bind(nl, 0, MNL_SOCKET_AUTOPID) < 0 || bind_queue() < 0) {
		fprintf(stderr, "queue-floor: cannot bind queue %u: %s\n", queue, strerror(errno));
		return 1;
	}
	for (;;) {
		n = recv(mnl_socket_get_fd(nl), buf, sizeof(buf), 0);
		if (n < 0 && errno != ENOBUFS && errno != EINTR) {
			fprintf(stderr, "queue-floor: %s\n", strerror(errno));
			return 1;
		}
		if (n > 0 && mnl_cb_run(buf, (size_t)n, 0, mnl_socket_get_portid(nl), accept_cb,
					NULL) == MNL_CB_ERROR) {
			fprintf(stderr, "queue-floor: verdict: %s\n", strerror(errno));
			return 1;
		}
	}
}
