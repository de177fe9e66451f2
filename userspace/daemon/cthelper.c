// SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
/*
 * Backend "cthelper": a userspace conntrack helper (nfnetlink_cthelper).
 *
 * The daemon registers the helper "pptp-ng", for IPv4 and IPv6; nft
 * attaches it to control connections with the same `ct helper` object as
 * the kernel module (nft/pptp-ngd-cthelper.nft).  The kernel then queues every packet of
 * those connections to our NFQUEUE after conntrack and NAT (the helper
 * hook), with the conntrack entry attached (NFQA_CT).  From there the
 * packet takes the nfqueue backend's path (nfqueue.c: sessions, the core,
 * equal-length rewrites, held segments); only the tuple is translated to
 * the forward-hook view sessions are keyed on, and GRE is opened with
 * ctnetlink expectations (expect.c) instead of nft maps.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <linux/netfilter/nf_conntrack_common.h>
#include <linux/netfilter/nfnetlink.h>
#include <linux/netfilter/nfnetlink_queue.h>
#include <linux/netfilter/nfnetlink_conntrack.h>
#include <linux/netfilter/nfnetlink_cthelper.h>
#include <linux/netfilter/nfnetlink_cttimeout.h>
#include <libmnl/libmnl.h>
#include <libnetfilter_conntrack/libnetfilter_conntrack.h>
#include <libnetfilter_cthelper/libnetfilter_cthelper.h>
#include <libnetfilter_cttimeout/libnetfilter_cttimeout.h>

#include "cth.h"
#include "session.h"

#define CTH_POLICY	"pptp-ng-gre"
#define CTH_MAX_EXPECT	255	/* the kernel's NF_CT_EXPECT_MAX_CNT */

static struct mnl_socket *evnl;	/* conntrack destroy events */
static bool registered;

/* One request on a fresh socket, its ack's error as -errno. */
static int request(struct nlmsghdr *nlh)
{
	char buf[NGD_NL_BUF];
	struct mnl_socket *nl = mnl_socket_open(NETLINK_NETFILTER);
	int ret;

	if (!nl)
		return -errno;
	if (mnl_socket_bind(nl, 0, MNL_SOCKET_AUTOPID) < 0 ||
	    mnl_socket_sendto(nl, nlh, nlh->nlmsg_len) < 0) {
		ret = -errno;
		goto out;
	}
	ret = mnl_socket_recvfrom(nl, buf, sizeof(buf));
	if (ret >= 0)
		ret = mnl_cb_run(buf, (size_t)ret, nlh->nlmsg_seq, mnl_socket_get_portid(nl),
				 NULL, NULL);
	ret = ret < 0 ? -errno : 0;
out:
	mnl_socket_close(nl);
	return ret;
}

/*
 * Register (or, after a restart, update) the helper of @family: TCP, our
 * queue, one expectation class for both GRE halves of every call, and
 * CTH_PRIV_LEN bytes of private data per control connection.  Without
 * NLM_F_EXCL the kernel updates a userspace helper of that name that
 * exists (a daemon killed before it could unregister): its connections
 * and expectations stay ours.
 */
static int helper_msg(uint16_t family, uint8_t cmd, uint16_t flags, uint32_t status)
{
	char buf[NGD_NL_BUF];
	struct nfct_helper *h = nfct_helper_alloc();
	struct nfct_helper_policy *p = nfct_helper_policy_alloc();
	unsigned int max = cfg.max_calls * 2 > CTH_MAX_EXPECT ? CTH_MAX_EXPECT : cfg.max_calls * 2;
	struct nlmsghdr *nlh;
	int ret;

	if (!h || !p) {
		nfct_helper_free(h);
		nfct_helper_policy_free(p);
		return -ENOMEM;
	}
	nfct_helper_attr_set_str(h, NFCTH_ATTR_NAME, CTH_NAME);
	nfct_helper_attr_set_u16(h, NFCTH_ATTR_PROTO_L3NUM, family);
	nfct_helper_attr_set_u8(h, NFCTH_ATTR_PROTO_L4NUM, IPPROTO_TCP);
	if (cmd == NFNL_MSG_CTHELPER_NEW) {
		nfct_helper_attr_set_u32(h, NFCTH_ATTR_QUEUE_NUM, cfg.queue);
		nfct_helper_attr_set_u32(h, NFCTH_ATTR_PRIV_DATA_LEN, CTH_PRIV_LEN);
		nfct_helper_attr_set_u32(h, NFCTH_ATTR_STATUS, status);
		nfct_helper_policy_attr_set_str(p, NFCTH_ATTR_POLICY_NAME, CTH_POLICY);
		nfct_helper_policy_attr_set_u32(p, NFCTH_ATTR_POLICY_TIMEOUT, cfg.gre_timeout);
		nfct_helper_policy_attr_set_u32(p, NFCTH_ATTR_POLICY_MAX, max);
		nfct_helper_attr_set(h, NFCTH_ATTR_POLICY1, p);	/* h owns p now */
		p = NULL;
	}
	nlh = nfct_helper_nlmsg_build_hdr(buf, cmd, NLM_F_ACK | flags, (uint32_t)time(NULL));
	nfct_helper_nlmsg_build_payload(nlh, h);
	ret = request(nlh);
	nfct_helper_free(h);
	nfct_helper_policy_free(p);
	return ret;
}

/*
 * The helper is two to the kernel, one per family (a helper's tuple
 * names its layer 3): nft's `ct helper` object in an inet table takes
 * both, in an ip or ip6 table its family's.
 */
static const uint16_t cth_families[] = { AF_INET, AF_INET6 };

static const char *family_name(uint16_t family)
{
	return family == AF_INET6 ? "IPv6" : "IPv4";
}

/*
 * GRE conntracks of a call are two unreplied entries (see expect.c), so
 * the GRE tracker's unreplied timeout (30 s) would end an idle call.  Set
 * the network namespace's GRE defaults (nfnetlink_cttimeout) to the
 * control connection's idle timeout; sysctls net.netfilter.
 * nf_conntrack_gre_timeout{,_stream} are the same knobs.
 */
static void gre_timeouts(void)
{
	char buf[NGD_NL_BUF];
	struct nfct_timeout *t = nfct_timeout_alloc();
	struct nlmsghdr *nlh;
	int ret;

	if (!t)
		return;
	nfct_timeout_attr_set(t, NFCT_TIMEOUT_ATTR_NAME, CTH_POLICY);
	nfct_timeout_attr_set_u16(t, NFCT_TIMEOUT_ATTR_L3PROTO, AF_INET);
	nfct_timeout_attr_set_u8(t, NFCT_TIMEOUT_ATTR_L4PROTO, IPPROTO_GRE);
	nfct_timeout_policy_attr_set_u32(t, NFCT_TIMEOUT_ATTR_GRE_UNREPLIED, cfg.idle_timeout);
	nfct_timeout_policy_attr_set_u32(t, NFCT_TIMEOUT_ATTR_GRE_REPLIED, cfg.idle_timeout);
	nlh = nfct_timeout_nlmsg_build_hdr(buf, IPCTNL_MSG_TIMEOUT_DEFAULT_SET, NLM_F_ACK,
					   (uint32_t)time(NULL));
	nfct_timeout_nlmsg_build_payload(nlh, t);
	ret = request(nlh);
	nfct_timeout_free(t);
	if (ret < 0)
		ngd_err("cannot set GRE conntrack timeouts (nfnetlink_cttimeout: %s): idle calls end after net.netfilter.nf_conntrack_gre_timeout",
			strerror(-ret));
	else
		ngd_info("GRE conntrack timeouts set to %u s", cfg.idle_timeout);
}

/*
 * Destroyed control connections end their sessions (and expectations).
 * Conntrack sends a destroy event for every entry of the firewall, and a
 * flush sends them all at once: a large buffer, TCP only (filtered in the
 * kernel), and when some were lost anyway (ENOBUFS) every session is
 * looked up again.  Silently lost events would keep their sessions, and
 * their calls' IDs, until the next sweep a minute later.
 */
#define EVENTS_RCVBUF		(8 << 20)
#define EVENTS_RECHECK_S	1	/* at most one lookup of all sessions a second */

static bool events_lost;
static time_t events_rechecked;

/* PPTP_NGD_TEST_EVENT_RCVBUF: a test's small buffer, to lose events at will. */
static void events_rcvbuf(int fd)
{
	const char *v = getenv("PPTP_NGD_TEST_EVENT_RCVBUF");
	int size = v ? atoi(v) : EVENTS_RCVBUF;

	if (v || setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &size, sizeof(size)) < 0)
		setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &size, sizeof(size));
}

static void events_filter(int fd)
{
	struct nfct_filter *f = nfct_filter_create();

	if (!f)
		return;
	nfct_filter_add_attr_u32(f, NFCT_FILTER_L4PROTO, IPPROTO_TCP);
	if (nfct_filter_attach(fd, f) < 0)
		ngd_err("conntrack events: no filter (%s): every destroy event is read",
			strerror(errno));
	nfct_filter_destroy(f);
}

static int events_open(void)
{
	evnl = mnl_socket_open(NETLINK_NETFILTER);
	if (!evnl || mnl_socket_bind(evnl, 1u << (NFNLGRP_CONNTRACK_DESTROY - 1),
				     MNL_SOCKET_AUTOPID) < 0) {
		ngd_err("conntrack events: %s", strerror(errno));
		return -1;
	}
	events_rcvbuf(mnl_socket_get_fd(evnl));
	events_filter(mnl_socket_get_fd(evnl));
	fcntl(mnl_socket_get_fd(evnl), F_SETFL, O_NONBLOCK);
	return 0;
}

static int event_cb(const struct nlmsghdr *nlh, void *data)
{
	struct nf_conntrack *ct = nfct_new();
	struct ngd_conn c;

	(void)data;
	if (!ct)
		return MNL_CB_OK;
	if (nfct_nlmsg_parse(nlh, ct) >= 0 && nfct_get_attr_u8(ct, ATTR_L4PROTO) == IPPROTO_TCP &&
	    (nfct_get_attr_u8(ct, ATTR_L3PROTO) == AF_INET ||
	     nfct_get_attr_u8(ct, ATTR_L3PROTO) == AF_INET6)) {
		ct_tuples(ct, &c);
		sessions_conn_gone(&c);
	}
	nfct_destroy(ct);
	return MNL_CB_OK;
}

static void events_drain(void)
{
	char buf[NGD_NL_BUF];
	time_t now;
	int ret;

	for (;;) {
		ret = mnl_socket_recvfrom(evnl, buf, sizeof(buf));
		if (ret > 0) {
			mnl_cb_run(buf, (size_t)ret, 0, 0, event_cb, NULL);
		} else if (ret < 0 && errno == ENOBUFS) {
			stats.ct_events_lost++;
			events_lost = true;
		} else {
			break;
		}
	}
	if (ret < 0 && errno != EAGAIN && errno != EWOULDBLOCK) {
		stats.ct_errors++;
		ngd_err_ratelimited("conntrack events: %s", strerror(errno));
	}
	now = time(NULL);
	if (events_lost && now - events_rechecked >= EVENTS_RECHECK_S) {
		events_lost = false;
		events_rechecked = now;
		sessions_recheck();
	}
}

/*
 * The queued packet's tuple as the forward hook would show it (what
 * sessions are keyed on): the helper sees it after NAT, so take the
 * connection's tuples from the attached conntrack entry instead.  @tp
 * comes in as the packet's own, whose family the entry's attributes are
 * read in.
 */
static bool cth_tuple(struct nlattr **attr, struct ngd_tuple *tp)
{
	struct ngd_tuple fwd;
	struct ngd_conn c;
	uint32_t ctinfo;

	if (!attr[NFQA_CT] || !attr[NFQA_CT_INFO])
		return false;
	if (!ct_queued(mnl_attr_get_payload(attr[NFQA_CT]), mnl_attr_get_payload_len(attr[NFQA_CT]),
		       tp->src.family, &c))
		return false;
	ctinfo = ntohl(mnl_attr_get_u32(attr[NFQA_CT_INFO]));
	ct_forward_tuple(&c, &fwd);
	if (ctinfo >= IP_CT_IS_REPLY)
		*tp = (struct ngd_tuple){ fwd.dst, fwd.src, fwd.dport, fwd.sport };
	else
		*tp = fwd;
	return true;
}

/* What a refused registration of the helper says, for cth_probe(). */
static void probe_error(uint16_t family, int ret)
{
	if (ret == -EOPNOTSUPP || ret == -EPROTONOSUPPORT || ret == -ENOENT || ret == -EINVAL)
		ngd_err("backend cthelper: this kernel has no nfnetlink_cthelper (userspace conntrack helpers; modprobe nfnetlink_cthelper): %s; use --backend nfqueue",
			strerror(-ret));
	else if (ret == -EEXIST || ret == -EBUSY)
		/* EBUSY also when a userspace helper of that name has another data size */
		ngd_err("backend cthelper: a helper named \"%s\" exists for %s that pptp-ngd cannot take over (the pptp-ng kernel module, or one with %zu bytes of private data other than ours: `nfct helper delete %s %s tcp` once nft's ct helper object is gone): %s",
			CTH_NAME, family_name(family), CTH_PRIV_LEN, CTH_NAME,
			family == AF_INET6 ? "inet6" : "inet", strerror(-ret));
	else
		ngd_err("backend cthelper: cannot register helper \"%s\" for %s: %s", CTH_NAME,
			family_name(family), strerror(-ret));
}

/*
 * Register the helper, both families, before detaching: "no
 * nfnetlink_cthelper" goes to the terminal.  Half a helper is none: a
 * family that fails takes the other back.
 */
static int cth_probe(void)
{
	unsigned int i;
	int ret;

	for (i = 0; i < PPTP_ARRAY_SIZE(cth_families); i++) {
		ret = helper_msg(cth_families[i], NFNL_MSG_CTHELPER_NEW, NLM_F_CREATE,
				 NFCT_HELPER_STATUS_ENABLED);
		if (ret < 0) {
			probe_error(cth_families[i], ret);
			while (i--)
				helper_msg(cth_families[i], NFNL_MSG_CTHELPER_DEL, 0, 0);
			return -1;
		}
	}
	registered = true;
	return 0;
}

/*
 * The queue is bound before recovery: packets arriving meanwhile wait in
 * it (without a listener they would pass unseen), and are fed once the
 * old calls are back in their trackers.  The fail-closed guard's element
 * is added last, when packets have somewhere to go.
 */
/*
 * --max-expectations 0: half of what the kernel sized the netns's
 * expectation table for (nf_conntrack_expect_max), for every helper.
 */
static void expectation_share(void)
{
	unsigned int max = 0;
	FILE *f;

	if (cfg.max_expectations)
		return;
	f = fopen("/proc/sys/net/netfilter/nf_conntrack_expect_max", "r");
	if (f && fscanf(f, "%u", &max) != 1)
		max = 0;
	if (f)
		fclose(f);
	cfg.max_expectations = max >= 4 ? max / 2 : 256;
	ngd_info("GRE expectations: at most %u (half of nf_conntrack_expect_max %u)",
		 cfg.max_expectations, max);
}

static int cth_start(void)
{
	if (!registered && cth_probe() < 0)
		return -1;
	expectation_share();
	gre_timeouts();
	if (expect_open() < 0 || events_open() < 0)
		return -1;
	if (ngq_open(NFQA_CFG_F_CONNTRACK) < 0)
		return -1;
	ngd_queue_used = NGD_QUEUE_HELPER;	/* no rule of ours: the helper hook queues */
	cth_recover();
	if (guard_setup() < 0)
		return -1;
	ngd_info("helper \"%s\" registered: queue %u, attach it with `ct helper set \"%s\"`",
		 CTH_NAME, cfg.queue, CTH_NAME);
	return 0;
}

static void cth_tick(void)
{
	ngq_tick();
	if (evnl)
		events_drain();
	guard_tick();
}

/*
 * Unregister when nothing uses the helper.  While nft's `ct helper`
 * object holds it (EBUSY), leave it, with its connections and
 * expectations for our next start to adopt.  With --fail-open, disable
 * it: a disabled userspace helper lets its packets through at once, and
 * conntrack confirms new connections as usual.  An enabled one without a
 * listener lets them through by queue bypass, but a bypassed packet skips
 * the confirmation that only the queue's reinject path does for userspace
 * helpers (nf_conntrack_update), so no new control connection could come
 * up.  (After kill -9 that is what happens: nobody is left to disable it.)
 * With --fail-closed it stays enabled and the guard drops its packets.
 */
static void cth_stop(void)
{
	unsigned int i;
	int ret;

	ngq_close();
	guard_close();
	expect_close();
	if (evnl)
		mnl_socket_close(evnl);
	evnl = NULL;
	for (i = 0; registered && i < PPTP_ARRAY_SIZE(cth_families); i++) {
		uint16_t family = cth_families[i];

		ret = helper_msg(family, NFNL_MSG_CTHELPER_DEL, 0, 0);
		if (ret == -EBUSY && cfg.fail_open) {
			ret = helper_msg(family, NFNL_MSG_CTHELPER_NEW, 0, NFCT_HELPER_STATUS_DISABLED);
			if (!ret)
				ngd_info("helper \"%s\" for %s still attached by nft: left disabled, control connections pass unexamined until pptp-ngd is back",
					 CTH_NAME, family_name(family));
		}
		if (ret < 0 && ret != -EBUSY)
			ngd_err("cannot unregister or disable helper \"%s\" for %s: %s", CTH_NAME,
				family_name(family), strerror(-ret));
	}
	registered = false;
}

const struct ngd_backend ngd_backend_cthelper = {
	.name = "cthelper",
	.probe = cth_probe,
	.start = cth_start,
	.fd = ngq_fd,
	.input = ngq_input,
	.tick = cth_tick,
	.keepalive = guard_tick,
	.stop = cth_stop,
	.gre_update = expect_gre_update,
	.gre_batch = expect_gre_batch,
	.gre_refresh = expect_gre_refresh,
	.expectations_per_call = 2,
	.packet_tuple = cth_tuple,
};
