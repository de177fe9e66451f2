// SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
/*
 * A set element that says pptp-ngd is alive: the element "tcp", added
 * with a timeout and refreshed well before it expires, so that rules can
 * tell whether a daemon runs.  Killed, the daemon refreshes nothing and
 * the element expires; no exit path has to run.  The cthelper backend
 * keeps one in its --fail-closed guard table and one in the ruleset's
 * set that gates `ct helper set` (guard_cth.c).
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <linux/netfilter.h>
#include <linux/netfilter/nf_tables.h>
#include <libmnl/libmnl.h>
#include <libnftnl/common.h>
#include <libnftnl/set.h>

#include "alive.h"

static const struct {
	const char *name;
	uint32_t family;
} families[] = {
	{ "ip", NFPROTO_IPV4 },
	{ "ip6", NFPROTO_IPV6 },
	{ "inet", NFPROTO_INET },
};

/* "FAMILY/TABLE/SET" into @a; -1 when it is not one. */
int ngd_alive_parse(struct ngd_alive *a, const char *spec)
{
	char family[8];
	unsigned int i;
	int n = 0;

	memset(a, 0, sizeof(*a));
	if (sscanf(spec, "%7[^/]/%63[^/]/%63[^/]%n", family, a->table, a->set, &n) != 3 ||
	    spec[n])
		return -1;
	for (i = 0; i < sizeof(families) / sizeof(families[0]); i++) {
		if (!strcmp(family, families[i].name)) {
			a->family = families[i].family;
			snprintf(a->spec, sizeof(a->spec), "%s", spec);
			/*
			 * A predecessor killed moments ago left its element,
			 * and adding one that exists may keep its old timeout
			 * (kernels differ): so the first refresh deletes and
			 * adds, as later ones do (a missing element fails
			 * that, and is then added alone).
			 */
			a->present = true;
			return 0;
		}
	}
	return -1;
}

static void put_elem(struct mnl_nlmsg_batch *b, const struct ngd_alive *a, uint32_t *seq,
		     uint16_t type, uint16_t flags)
{
	struct nftnl_set *s = nftnl_set_alloc();
	struct nftnl_set_elem *e = nftnl_set_elem_alloc();
	uint8_t proto = IPPROTO_TCP;
	struct nlmsghdr *nlh;

	if (!s || !e) {
		nftnl_set_free(s);
		nftnl_set_elem_free(e);
		return;
	}
	nftnl_set_set_str(s, NFTNL_SET_TABLE, a->table);
	nftnl_set_set_str(s, NFTNL_SET_NAME, a->set);
	nftnl_set_elem_set(e, NFTNL_SET_ELEM_KEY, &proto, sizeof(proto));
	if (type == NFT_MSG_NEWSETELEM)
		nftnl_set_elem_set_u64(e, NFTNL_SET_ELEM_TIMEOUT, NGD_ALIVE_TIMEOUT);
	nftnl_set_elem_add(s, e);
	nlh = nftnl_nlmsg_build_hdr(mnl_nlmsg_batch_current(b), type, (uint16_t)a->family,
				    flags | NLM_F_ACK, (*seq)++);
	nftnl_set_elems_nlmsg_build_payload(nlh, s);
	nftnl_set_free(s);
	mnl_nlmsg_batch_next(b);
}

/*
 * Add the element with a fresh timeout: delete and add in one transaction
 * when it is there (adding an existing element does not reset its timeout
 * on this kernel), add alone when not (deleting a missing one would fail
 * the whole transaction).
 */
static int refresh_once(struct mnl_socket *nl, uint32_t *seq, const struct ngd_alive *a)
{
	char buf[4096] = { 0 }, ack[NGD_NL_BUF];
	struct mnl_nlmsg_batch *b = mnl_nlmsg_batch_start(buf, sizeof(buf));
	int fd = mnl_socket_get_fd(nl), err = 0, ret;

	nftnl_batch_begin(mnl_nlmsg_batch_current(b), (*seq)++);
	mnl_nlmsg_batch_next(b);
	if (a->present)
		put_elem(b, a, seq, NFT_MSG_DELSETELEM, 0);
	put_elem(b, a, seq, NFT_MSG_NEWSETELEM, NLM_F_CREATE);
	nftnl_batch_end(mnl_nlmsg_batch_current(b), (*seq)++);
	mnl_nlmsg_batch_next(b);
	ret = (int)mnl_socket_sendto(nl, mnl_nlmsg_batch_head(b), mnl_nlmsg_batch_size(b));
	mnl_nlmsg_batch_stop(b);
	if (ret < 0)
		return -errno;
	/* the kernel handles the batch in sendmsg: every ack is queued by now */
	while ((ret = (int)recv(fd, ack, sizeof(ack), MSG_DONTWAIT)) > 0) {
		if (mnl_cb_run(ack, (size_t)ret, 0, mnl_socket_get_portid(nl), NULL, NULL) < 0 &&
		    !err)
			err = -errno;
	}
	return err;
}

/* Refresh @a's element: 0, or -errno (-ENOENT: no such set, or table). */
int ngd_alive_refresh(struct mnl_socket *nl, uint32_t *seq, struct ngd_alive *a)
{
	int ret = refresh_once(nl, seq, a);

	if (ret == -ENOENT && a->present) {
		a->present = false;	/* expired meanwhile (or the set was loaded anew) */
		ret = refresh_once(nl, seq, a);
	}
	a->present = ret == 0;
	return ret;
}
