// SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
/*
 * Backend "nfqueue": the firewall's forward hook queues TCP 1723 (both
 * ports) to us.  We hand the payload to the session it belongs to, write
 * the core's rewrites into the packet, fix the TCP checksum and give the
 * packet back.
 *
 * The forward hook sees an outbound packet before its source is
 * translated and an inbound one after its destination was translated
 * back, so both directions of a connection show the same two address:port
 * pairs (inside host and peer); the translated address comes from
 * conntrack (ct.c).  Equal-length rewrites of the payload do not care
 * where the addresses are translated.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <sys/socket.h>
#include <netinet/ip.h>
#include <netinet/ip6.h>
#include <netinet/tcp.h>
#include <linux/netfilter.h>
#include <linux/netfilter/nfnetlink_queue.h>
#include <libmnl/libmnl.h>
#include <libnetfilter_queue/libnetfilter_queue.h>

#include "pptp_ngd.h"

#define NGQ_PROC	"/proc/net/netfilter/nfnetlink_queue"
static int qstat_fd = -1;	/* NGQ_PROC, kept open across the switch to our user */
static struct mnl_socket *qnl;
static uint32_t qportid;
static char *qbuf;		/* NGQ_READS buffers of QBUF_LEN, one per datagram */
static uint32_t qflags;		/* NFQA_CFG_F_* a backend asks for */

/* The cthelper backend's: the queued packet's tuple as the forward hook sees it. */

/*
 * Room for bursts: hundreds of control connections opening at once queue
 * a packet each before we answer the first.  The kernel's default queue
 * (1024 packets) and socket buffer (rmem_default, some 200 queued
 * packets) overflow there.
 */
#define NGQ_MAXLEN	16384		/* packets waiting for a verdict */
#define NGQ_RCVBUF	(32 << 20)	/* bytes of them in our socket */
#define NGQ_BURST	256		/* packets per turn, so ticks and --status still run */
#define NGQ_READS	16		/* datagrams per recvmmsg() */
#define QBUF_LEN	(0xffff + 4096)	/* a whole packet and its attributes */
#define HOLD_SLOTS	16		/* segments held (see held below) */

/*
 * No NFQA_CFG_F_FAIL_OPEN: with it, a packet that finds the queue or our
 * socket full passes unseen, and the core then waits forever for bytes
 * it will never get (TCP does not resend what arrived): it drops every
 * later segment of that connection and the calls on it never get GRE.
 * Without it the kernel drops the packet, TCP resends it and we see it.
 * --fail-open keeps its meaning, passing packets while no daemon listens:
 * that is the queue rules' bypass flag (nftmaps.c).
 */
static int queue_config(uint8_t cmd_or_0, bool params)
{
	char buf[NGD_NL_BUF] = { 0 };
	struct nlmsghdr *nlh = nfq_nlmsg_put(buf, NFQNL_MSG_CONFIG, cfg.queue);
	int ret;

	nlh->nlmsg_flags |= NLM_F_ACK;
	if (!params) {
		nfq_nlmsg_cfg_put_cmd(nlh, AF_INET, cmd_or_0);
	} else {
		nfq_nlmsg_cfg_put_params(nlh, NFQNL_COPY_PACKET, 0xffff);
		nfq_nlmsg_cfg_put_qmaxlen(nlh, NGQ_MAXLEN);
		/* no NFQA_CFG_F_GSO: the kernel segments and completes checksums for us */
		mnl_attr_put_u32(nlh, NFQA_CFG_FLAGS, htonl(qflags));
		mnl_attr_put_u32(nlh, NFQA_CFG_MASK,
				 htonl(NFQA_CFG_F_FAIL_OPEN | NFQA_CFG_F_GSO | qflags));
	}
	if (mnl_socket_sendto(qnl, nlh, nlh->nlmsg_len) < 0)
		return -1;
	ret = mnl_socket_recvfrom(qnl, buf, sizeof(buf));
	if (ret < 0)
		return -1;
	return mnl_cb_run(buf, (size_t)ret, 0, qportid, NULL, NULL) < 0 ? -1 : 0;
}

/* A big receive buffer: beyond rmem_max too when we may (CAP_NET_ADMIN). */
static void rcvbuf(void)
{
	int fd = mnl_socket_get_fd(qnl), size = NGQ_RCVBUF, got = 0;
	socklen_t len = sizeof(got);

	if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &size, sizeof(size)) < 0)
		setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &size, sizeof(size));
	getsockopt(fd, SOL_SOCKET, SO_RCVBUF, &got, &len);
	ngd_dbg("nfqueue: queue length %u, socket buffer %d bytes", NGQ_MAXLEN, got);
}

/* Bind and configure the queue; @flags: more NFQA_CFG_F_* (cthelper: CONNTRACK). */
int ngq_open(uint32_t flags)
{
	int one = 1, tries;

	qflags = flags;
	/* 0440 root: opened now, read with pread once we run as our user */
	if (qstat_fd < 0)
		qstat_fd = open(NGQ_PROC, O_RDONLY | O_CLOEXEC);

	qnl = mnl_socket_open(NETLINK_NETFILTER);
	if (!qnl || mnl_socket_bind(qnl, 0, MNL_SOCKET_AUTOPID) < 0) {
		ngd_err("netlink: %s", strerror(errno));
		return -1;
	}
	qportid = mnl_socket_get_portid(qnl);
	qbuf = malloc((size_t)NGQ_READS * QBUF_LEN);
	if (!qbuf)
		return -1;
	/* a killed predecessor's binding goes away shortly after its socket */
	for (tries = 0; queue_config(NFQNL_CFG_CMD_BIND, false) < 0; tries++) {
		if (errno == EPERM && tries < 30) {
			usleep(100 * 1000);
			continue;
		}
		if (errno == EPERM)
			ngd_err("cannot bind NFQUEUE %u: another program holds it", cfg.queue);
		else
			ngd_err("cannot bind NFQUEUE %u: %s (kernel without nfnetlink_queue?)",
				cfg.queue, strerror(errno));
		return -1;
	}
	if (queue_config(0, true) < 0) {
		ngd_err("cannot configure NFQUEUE %u: %s", cfg.queue, strerror(errno));
		return -1;
	}
	rcvbuf();
	/*
	 * A full socket buffer must not kill us: the kernel drops the packet
	 * and TCP resends it (ngq_counters() counts them).
	 */
	mnl_socket_setsockopt(qnl, NETLINK_NO_ENOBUFS, &one, sizeof(one));
	return 0;
}

/*
 * The nft table holds the GRE pinholes and the queue rules: set it up,
 * take over the calls a previous run left in its maps, then queue.
 */
static int nq_start(void)
{
	if (nft_setup(cfg.ruleset) < 0)
		return -1;
	if (sessions_recover() < 0)
		ngd_err("recovery from the GRE maps failed: starting without old calls");
	if (ngq_open(0) < 0)
		return -1;
	return nft_queue_rules(cfg.queue, cfg.fail_open, cfg.queue_rule);
}

int ngq_fd(void)
{
	return mnl_socket_get_fd(qnl);
}

void ngq_close(void)
{
	if (qstat_fd >= 0)
		close(qstat_fd);
	qstat_fd = -1;
	if (qnl) {
		queue_config(NFQNL_CFG_CMD_UNBIND, false);
		mnl_socket_close(qnl);
		qnl = NULL;
	}
	free(qbuf);
	qbuf = NULL;
}

/* A queued IPv4 or IPv6 TCP packet, parsed. */
struct qpkt {
	uint32_t id;
	uint8_t *pkt;
	uint32_t len;
	uint8_t *tcp;
	uint8_t *data;		/* TCP payload */
	uint32_t dlen;
	uint32_t seq;
	uint8_t flags;
	bool changed;
	uint8_t family;		/* the packet's, AF_INET or AF_INET6 */
	/*
	 * The connection as sessions know it: the packet's own addresses,
	 * or for backend cthelper the forward-hook view (before NAT)
	 */
	struct ngd_tuple tp;
	uint64_t t_recv;	/* us, when we read it */
};

/*
 * Recompute the TCP checksum (segments here are small) over the
 * addresses in the packet's header: with backend cthelper they are
 * translated already, and differ from @q->tp's.
 */
static void tcp_checksum(const struct qpkt *q)
{
	uint32_t tcp_len = (uint32_t)(q->pkt + q->len - q->tcp), sum = 0;
	uint8_t ph[4] = { 0, IPPROTO_TCP, (uint8_t)(tcp_len >> 8), (uint8_t)tcp_len };

	q->tcp[16] = q->tcp[17] = 0;
	if (q->family == AF_INET6)	/* ip6_hdr: source and destination from byte 8 */
		sum = pptp_csum_add(sum, q->pkt + 8, 32);
	else				/* iphdr: from byte 12 */
		sum = pptp_csum_add(sum, q->pkt + 12, 8);
	/* IPv6's is a 32-bit length and 24 zero bits before the protocol: the same sum */
	sum = pptp_csum_add(sum, ph, 4);
	sum = pptp_csum_add(sum, q->tcp, tcp_len);
	pptp_put16(q->tcp + 16, pptp_csum_fold(sum));
}

/* The TCP header at @off of @q, its payload and the tuple's ports. */
static bool parse_tcp(struct qpkt *q, uint32_t off)
{
	unsigned int thl;

	if (q->len < off + 20)
		return false;
	q->tcp = q->pkt + off;
	thl = (q->tcp[12] >> 4) * 4u;
	if (thl < 20 || off + thl > q->len)
		return false;
	q->data = q->tcp + thl;
	q->dlen = q->len - off - thl;
	q->seq = pptp_get32(q->tcp + 4);
	q->flags = q->tcp[13];
	memcpy(&q->tp.sport, q->tcp, 2);
	memcpy(&q->tp.dport, q->tcp + 2, 2);
	return true;
}

static bool parse4(struct qpkt *q)
{
	struct iphdr *ip = (struct iphdr *)q->pkt;
	unsigned int ihl = ip->ihl * 4u;

	if (ip->protocol != IPPROTO_TCP || ihl < 20 || q->len < ihl ||
	    ntohs(ip->tot_len) != q->len || (ntohs(ip->frag_off) & 0x3fff))
		return false;
	q->family = AF_INET;
	q->tp.src = ngd_addr4(ip->saddr);
	q->tp.dst = ngd_addr4(ip->daddr);
	return parse_tcp(q, ihl);
}

/*
 * IPv6: TCP after any hop-by-hop, routing and destination options
 * headers.  A fragment cannot come here (conntrack reassembles before
 * the forward hook); anything else is not what the queue rules match.
 */
static bool parse6(struct qpkt *q)
{
	struct ip6_hdr *ip6 = (struct ip6_hdr *)q->pkt;
	uint8_t nh = ip6->ip6_nxt;
	uint32_t off = sizeof(*ip6);

	if (q->len < off || ntohs(ip6->ip6_plen) + off != q->len)
		return false;
	while (nh == IPPROTO_HOPOPTS || nh == IPPROTO_ROUTING || nh == IPPROTO_DSTOPTS) {
		if (q->len < off + 8)
			return false;
		nh = q->pkt[off];
		off += (q->pkt[off + 1] + 1u) * 8;
	}
	if (nh != IPPROTO_TCP)
		return false;
	q->family = AF_INET6;
	q->tp.src.family = q->tp.dst.family = AF_INET6;
	memcpy(q->tp.src.v6, &ip6->ip6_src, 16);
	memcpy(q->tp.dst.v6, &ip6->ip6_dst, 16);
	return parse_tcp(q, off);
}

static bool parse(struct qpkt *q)
{
	if (q->len < 20)
		return false;
	switch (q->pkt[0] >> 4) {
	case 4:
		return parse4(q);
	case 6:
		return parse6(q);
	}
	return false;
}

/*
 * How long packets wait in the daemon, from our read to our verdict, in
 * microseconds: 8 buckets per power of two (within 1/8), for --status.
 */
#define LAT_SUB		8
#define LAT_BUCKETS	(32 * LAT_SUB)

static uint64_t lat_hist[LAT_BUCKETS], lat_count, lat_max;

static uint64_t now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000 + (uint64_t)ts.tv_nsec / 1000;
}

static unsigned int lat_bucket(uint64_t us)
{
	unsigned int octave = 0;

	if (us < LAT_SUB)
		return (unsigned int)us;
	while ((us >> octave) >= 2 * LAT_SUB)
		octave++;
	/* values [LAT_SUB << octave, 2 * LAT_SUB << octave) */
	return (octave + 1) * LAT_SUB + (unsigned int)((us >> octave) - LAT_SUB);
}

/* The upper end of a bucket: what a percentile in it is reported as. */
static uint64_t lat_value(unsigned int b)
{
	unsigned int octave = b / LAT_SUB;

	if (!octave)
		return b;
	return ((uint64_t)(LAT_SUB + b % LAT_SUB + 1) << (octave - 1)) - 1;
}

static void lat_add(uint64_t t_recv)
{
	uint64_t us = now_us() - t_recv;
	unsigned int b = lat_bucket(us);

	lat_hist[b < LAT_BUCKETS ? b : LAT_BUCKETS - 1]++;
	lat_count++;
	if (us > lat_max)
		lat_max = us;
}

static uint64_t lat_pct(unsigned int pct)
{
	uint64_t rank = (lat_count * pct + 99) / 100, seen = 0;
	unsigned int b;

	for (b = 0; b < LAT_BUCKETS; b++) {
		seen += lat_hist[b];
		if (seen >= rank && seen)
			return lat_value(b) < lat_max ? lat_value(b) : lat_max;
	}
	return lat_max;
}

/* ,"verdict_latency_us":{...} for state_json(). */
void ngq_latency_json(FILE *f)
{
	fprintf(f, ",\"verdict_latency_us\":{\"packets\":%llu,\"p50\":%llu,\"p90\":%llu,\"p99\":%llu,\"max\":%llu}",
		(unsigned long long)lat_count, (unsigned long long)lat_pct(50),
		(unsigned long long)lat_pct(90), (unsigned long long)lat_pct(99),
		(unsigned long long)lat_max);
}

/*
 * Verdicts wait here until the packets read in one turn are processed,
 * then go in one sendmsg() (netlink takes several messages in a buffer):
 * on a burst, one system call instead of one per packet.  Verdicts of one
 * connection keep their order; a verdict never waits past its turn.
 */
#define VBUF_LEN	(4 * QBUF_LEN)
static char vbuf[VBUF_LEN];
static size_t vbuf_used;
static uint64_t vbuf_t_recv[NGQ_BURST + NGQ_READS + HOLD_SLOTS];
static unsigned int vbuf_n;

/*
 * The GRE changes the packets read so far asked for (calls.c), their
 * verdicts, then the closings of calls they ended (closing.c).
 */
static void verdicts_flush(void)
{
	unsigned int i;

	calls_commit();		/* what the packets asked for, in place before they leave */
	if (vbuf_used && mnl_socket_sendto(qnl, vbuf, vbuf_used) < 0)
		ngd_err("verdict: %s", strerror(errno));
	else
		for (i = 0; i < vbuf_n; i++)
			if (vbuf_t_recv[i])
				lat_add(vbuf_t_recv[i]);
	vbuf_used = 0;
	vbuf_n = 0;
	sessions_after_verdicts();
}

static void verdict(struct qpkt *q, int v)
{
	struct nlmsghdr *nlh;

	if (VBUF_LEN - vbuf_used < QBUF_LEN || vbuf_n == PPTP_ARRAY_SIZE(vbuf_t_recv))
		verdicts_flush();
	nlh = nfq_nlmsg_put(vbuf + vbuf_used, NFQNL_MSG_VERDICT, cfg.queue);
	nfq_nlmsg_verdict_put(nlh, (int)q->id, v);
	if (v == NF_ACCEPT && q->changed) {
		tcp_checksum(q);
		nfq_nlmsg_verdict_put_pkt(nlh, q->pkt, q->len);
		stats.mangled++;
	}
	vbuf_used += NLMSG_ALIGN(nlh->nlmsg_len);
	vbuf_t_recv[vbuf_n++] = q->t_recv;
}

static bool hold(const struct qpkt *q);

/* The IP header's length fields for a packet cut to @q->len bytes. */
static void ip_set_len(struct qpkt *q)
{
	struct iphdr *ip = (struct iphdr *)q->pkt;

	if (q->family == AF_INET6) {
		struct ip6_hdr *ip6 = (struct ip6_hdr *)q->pkt;

		ip6->ip6_plen = htons((uint16_t)(q->len - sizeof(*ip6)));
		return;		/* no header checksum */
	}
	ip->tot_len = htons((uint16_t)q->len);
	ip->check = 0;
	ip->check = htons(pptp_csum_fold(pptp_csum_add(0, (const uint8_t *)ip,
						       (uint32_t)ip->ihl * 4)));
}

/*
 * Give @q its verdict when the core refused the run but took its first
 * bytes, @keep of them in @q: it passes cut to those (sequence numbers
 * unchanged, the sender resends the rest), so the receiver acknowledges
 * them and a sender whose window ended at the refusal sends what follows
 * (see docs/kernel.md, "Refused segments").  A FIN would land in the
 * wrong place: dropped.
 */
static void verdict_taken(struct qpkt *q, uint32_t keep)
{
	if (keep && keep >= q->dlen) {
		verdict(q, NF_ACCEPT);
		return;
	}
	if (!keep || (q->flags & TH_FIN)) {
		verdict(q, NF_DROP);
		return;
	}
	q->len = (uint32_t)(q->data - q->pkt) + keep;
	q->dlen = keep;
	ip_set_len(q);
	q->changed = true;
	stats.cut++;
	verdict(q, NF_ACCEPT);
}

/*
 * Feed @n segments of one direction that follow each other as one run of
 * bytes, write the rewrites into whichever packet holds each byte, and
 * give every packet its verdict, in order.  A lone segment the core
 * refused only for ending inside a call ID waits for the next one
 * (@may_hold): the core took none of it, so the two are fed as one run.
 */
static void process(struct qpkt **qs, unsigned int n, bool may_hold)
{
	static struct ngd_seg_result res;
	static uint8_t run[2 * 0x10000];
	const uint8_t *data = qs[0]->data;
	uint32_t total = qs[0]->dlen, i, b, at;
	uint8_t flags = 0;

	for (i = 0; i < n; i++)
		flags |= qs[i]->flags;
	if (n > 1) {
		for (i = 0, total = 0; i < n; i++) {
			memcpy(run + total, qs[i]->data, qs[i]->dlen);
			total += qs[i]->dlen;
		}
		data = run;
	}
	res.nrw = 0;
	res.drop = false;
	res.split = false;
	res.pass_len = 0;
	sessions_segment(&qs[0]->tp, flags, qs[0]->seq, data, total, &res);
	if (res.drop && res.split && may_hold && n == 1 && hold(qs[0]))
		return;
	if (!res.drop)
		res.pass_len = total;
	for (i = 0; res.pass_len && i < res.nrw; i++) {
		/* The core names at most a field's two bytes in the run: refuse anything else. */
		if (res.rw[i].n > total || res.rw[i].off > total - res.rw[i].n) {
			stats.bad_rewrites++;
			res.drop = true;
			res.pass_len = 0;
			break;
		}
		for (b = 0; b < res.rw[i].n; b++) {
			uint32_t off = res.rw[i].off + b;
			unsigned int k = 0;

			while (k < n - 1 && off >= qs[k]->dlen)
				off -= qs[k++]->dlen;
			qs[k]->data[off] = res.rw[i].bytes[b];
			qs[k]->changed = true;
		}
	}
	for (i = 0, at = 0; i < n; at += qs[i]->dlen, i++) {
		if (!res.drop)
			verdict(qs[i], NF_ACCEPT);
		else
			verdict_taken(qs[i], res.pass_len > at ? res.pass_len - at : 0);
	}
}

/*
 * Held segments.  A segment that ends inside a message's call ID fields
 * (the core refuses it: PPTP_DROP_SPLIT_ID) waits here for the next one,
 * so a call ID cut by the sender can still be rewritten whole: the core
 * reads both as one run.  Released alone when nothing follows within
 * HOLD_MS, and then dropped: TCP sends it again, usually merged.
 */
#define HOLD_MS		50

struct held {
	bool used;
	uint64_t since;
	struct qpkt q;
};

static struct held held[HOLD_SLOTS];

static uint64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

static struct held *held_for(const struct ngd_tuple *tp)
{
	unsigned int i;

	for (i = 0; i < HOLD_SLOTS; i++)
		if (held[i].used && ngd_tuple_eq(&held[i].q.tp, tp))
			return &held[i];
	return NULL;
}

static void release(struct held *h)
{
	struct qpkt *one = &h->q;

	process(&one, 1, false);
	free(h->q.pkt);
	h->used = false;
}

/* Keep a copy of @q (the queue's buffer is reused); false if no room. */
static bool hold(const struct qpkt *q)
{
	unsigned int i;

	for (i = 0; i < HOLD_SLOTS && held[i].used; i++)
		;
	if (i == HOLD_SLOTS)
		return false;
	held[i].q = *q;
	held[i].q.pkt = malloc(q->len);
	if (!held[i].q.pkt)
		return false;
	memcpy(held[i].q.pkt, q->pkt, q->len);
	/* re-point into the copy */
	held[i].q.tcp = held[i].q.pkt + (q->tcp - q->pkt);
	held[i].q.data = held[i].q.pkt + (q->data - q->pkt);
	held[i].since = now_ms();
	held[i].used = true;
	stats.held++;
	return true;
}

static void handle(struct qpkt *q)
{
	struct held *h = held_for(&q->tp);

	if (h && q->dlen && q->seq == h->q.seq + h->q.dlen &&
	    !(q->flags & (TH_SYN | TH_RST))) {
		struct qpkt *two[2] = { &h->q, q };

		process(two, 2, false);
		free(h->q.pkt);
		h->used = false;
		return;
	}
	if (h && (q->dlen || (q->flags & (TH_FIN | TH_RST))))
		release(h);	/* not its continuation: the held one goes alone */
	process(&q, 1, true);
}

void ngq_tick(void)
{
	uint64_t now = now_ms();
	unsigned int i;

	for (i = 0; i < HOLD_SLOTS; i++)
		if (held[i].used && now - held[i].since >= HOLD_MS)
			release(&held[i]);
	verdicts_flush();
}

/*
 * What the kernel could not queue to us, from its own counters (this
 * network namespace's): the queue was full, or our socket buffer.  Those
 * packets were dropped, and TCP sends them again.
 */
void ngq_counters(void)
{
	unsigned int num, total, mode, range;
	unsigned long long full, nobufs;
	char buf[16384], *line, *save;
	ssize_t n;

	if (qstat_fd < 0)
		return;
	/* a seq_file read at offset 0 starts over: fresh counters each time */
	n = pread(qstat_fd, buf, sizeof(buf) - 1, 0);
	if (n <= 0)
		return;
	buf[n] = '\0';
	for (line = strtok_r(buf, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		if (sscanf(line, "%u %*u %u %u %u %llu %llu", &num, &total, &mode, &range, &full,
			   &nobufs) == 6 && num == cfg.queue) {
			stats.queue_full = full;
			stats.queue_nobufs = nobufs;
		}
	}
}

static int queue_cb(const struct nlmsghdr *nlh, void *data)
{
	struct nlattr *attr[NFQA_MAX + 1] = { NULL };
	struct nfqnl_msg_packet_hdr *ph;
	struct qpkt q = { 0 };

	if (nfq_nlmsg_parse(nlh, attr) < 0 || !attr[NFQA_PACKET_HDR])
		return MNL_CB_OK;
	ph = mnl_attr_get_payload(attr[NFQA_PACKET_HDR]);
	q.id = ntohl(ph->packet_id);
	q.t_recv = *(const uint64_t *)data;
	stats.packets++;
	if (attr[NFQA_PAYLOAD]) {
		q.pkt = mnl_attr_get_payload(attr[NFQA_PAYLOAD]);
		q.len = mnl_attr_get_payload_len(attr[NFQA_PAYLOAD]);
	}
	if (!q.pkt || !parse(&q)) {
		stats.unparsable++;
		verdict(&q, NF_ACCEPT);
		return MNL_CB_OK;
	}
	if (ngd_active->packet_tuple && !ngd_active->packet_tuple(attr, &q.tp)) {
		stats.no_conntrack++;
		verdict(&q, NF_ACCEPT);
		return MNL_CB_OK;
	}
	handle(&q);
	return MNL_CB_OK;
}

/*
 * Everything queued so far, up to NGQ_BURST packets: one wake-up per
 * packet would let a burst pile up in the socket while the loop turns.
 * recvmmsg() reads what is there in one call and tells when the socket
 * ran dry (fewer datagrams than asked), so an idle socket costs no extra
 * read; the turn's verdicts then leave together.
 */
int ngq_input(void)
{
	struct mmsghdr msg[NGQ_READS];
	struct iovec iov[NGQ_READS];
	unsigned int i, got = 0;
	uint64_t t;
	int n;

	for (i = 0; i < NGQ_READS; i++) {
		iov[i].iov_base = qbuf + (size_t)i * QBUF_LEN;
		iov[i].iov_len = QBUF_LEN;
		memset(&msg[i], 0, sizeof(msg[i]));
		msg[i].msg_hdr.msg_iov = &iov[i];
		msg[i].msg_hdr.msg_iovlen = 1;
	}
	do {
		n = recvmmsg(ngq_fd(), msg, NGQ_READS, MSG_DONTWAIT, NULL);
		if (n < 0) {
			int err = errno;	/* the flush talks to the kernel too */

			verdicts_flush();
			if (err == ENOBUFS || err == EINTR || err == EAGAIN)
				return 0;
			ngd_err("nfqueue: %s", strerror(err));
			return -1;
		}
		t = now_us();
		for (i = 0; i < (unsigned int)n; i++)
			if (mnl_cb_run(iov[i].iov_base, msg[i].msg_len, 0, qportid, queue_cb,
				       &t) < 0 && errno != 0)
				ngd_dbg("nfqueue message: %s", strerror(errno));
		got += (unsigned int)n;
		ngd_keepalive();	/* a long burst must not outlast the alive elements */
	} while (n == NGQ_READS && got < NGQ_BURST);
	verdicts_flush();
	return 0;
}

const struct ngd_backend ngd_backend_nfqueue = {
	.name = "nfqueue",
	.start = nq_start,
	.fd = ngq_fd,
	.input = ngq_input,
	.tick = ngq_tick,
	.stop = ngq_close,
	.gre_update = nft_gre_update,
	.gre_batch = nft_gre_batch,
	.gre_refresh = nft_gre_refresh,
	.left_behind = "pinholes stay until they time out (nft delete table ip " NGD_TABLE
		       "; nft delete table ip6 " NGD_TABLE " to remove)",
};
