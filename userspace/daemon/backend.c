// SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
/*
 * The backends: how control packets reach the daemon.  "nfqueue" works on
 * any kernel with nf_tables, conntrack and a queue rule (nft_queue, or
 * nft_compat with xt_NFQUEUE); "cthelper" needs nfnetlink_cthelper
 * (userspace conntrack helpers, cthelper.c).
 */
#include <string.h>

#include <sched.h>
#include <stdio.h>
#include <sys/resource.h>

#include "pptp_ngd.h"

extern const struct ngd_backend ngd_backend_nfqueue;

const struct ngd_backend *ngd_active;
enum ngd_queue_rule ngd_queue_used;

static const struct {
	const char *name, *text;
} queue_rules[] = {
	[NGD_QUEUE_AUTO] = { "auto", "nft queue, else xt NFQUEUE" },
	[NGD_QUEUE_NFT] = { "nft", "nft queue" },
	[NGD_QUEUE_XT] = { "xt", "xt NFQUEUE (nft_compat)" },
	[NGD_QUEUE_HELPER] = { "helper", "conntrack helper" },
};

const char *ngd_queue_rule_name(enum ngd_queue_rule r)
{
	return queue_rules[r].name;
}

const char *ngd_queue_rule_text(enum ngd_queue_rule r)
{
	return queue_rules[r].text;
}

/* The helper is no rule to ask for: only auto, nft and xt are words of --queue-rule. */
int ngd_queue_rule_parse(const char *word)
{
	int r;

	for (r = NGD_QUEUE_AUTO; r <= NGD_QUEUE_XT; r++)
		if (!strcmp(queue_rules[r].name, word))
			return r;
	return -1;
}

/*
 * Long work may outlast the 2 s of the cthelper backend's alive element
 * (the periodic refresh of 10,000 calls' expectations took 1.1-2.2 s in
 * the benchmark's emulated guest): while it is gone, nft gives new control
 * connections no helper, and their calls come up without GRE.  Such loops
 * call this between their steps.
 */
void ngd_keepalive(void)
{
	if (ngd_active && ngd_active->keepalive)
		ngd_active->keepalive();
}

/* Closings of ended calls first: a change after them may reopen what they close. */
int ngd_gre_update(const struct ngd_gre *g, unsigned int del, unsigned int add,
		   const char *comment)
{
	closing_run();
	return ngd_active->gre_update(g, del, add, comment);
}

void ngd_gre_batch(struct ngd_gre_change *ch, unsigned int n)
{
	unsigned int i;

	closing_run();
	if (ngd_active->gre_batch) {
		ngd_active->gre_batch(ch, n);
		return;
	}
	for (i = 0; i < n; i++)
		ch[i].ret = ngd_active->gre_update(&ch[i].g, ch[i].del, ch[i].add, ch[i].comment);
}

int ngd_gre_refresh(const struct ngd_gre *g, const char *const *comments, unsigned int n)
{
	closing_run();
	return ngd_active->gre_refresh(g, comments, n);
}

static const struct ngd_backend *const backends[] = {
	&ngd_backend_nfqueue,
	&ngd_backend_cthelper,
};

const struct ngd_backend *ngd_backend_find(const char *name)
{
	unsigned int i;

	for (i = 0; i < PPTP_ARRAY_SIZE(backends); i++)
		if (!strcmp(backends[i]->name, name))
			return backends[i];
	return NULL;
}

/*
 * How the daemon is scheduled, for --status and the log: "fifo 10" when
 * its unit (or chrt) made it real-time, else "other nice N".  Every
 * control message waits for the daemon to wake up twice (pptp-ngd(8),
 * SCHEDULING), so this is the first thing to look at for latency.
 */
const char *ngd_scheduling(void)
{
	static char text[32];
	struct sched_param sp = { 0 };
	int policy = sched_getscheduler(0);

	sched_getparam(0, &sp);
	if (policy == SCHED_FIFO || policy == SCHED_RR)
		snprintf(text, sizeof(text), "%s %d", policy == SCHED_FIFO ? "fifo" : "rr",
			 sp.sched_priority);
	else
		snprintf(text, sizeof(text), "other nice %d", getpriority(PRIO_PROCESS, 0));
	return text;
}
