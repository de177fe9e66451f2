// SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
/*
 * pptp-sim's control-message round trips: the time from handing a request
 * to TCP (SCCRQ, OCRQ, CCRQ...) to reading the message that answers it,
 * per message, in microseconds.  What a firewall in the path adds to them
 * is what bench/latency.sh measures.
 *
 * Requests wait per session in the order they were sent, and a reply
 * takes the oldest request of its kind: a pptp-sim peer answers in order.
 * A request that is never answered (a hostile message) is never counted.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "sim.h"

struct rtt_pending {
	u16 type;
	u64 t_us;
};

struct rtt_sess {
	struct rtt_pending *p;
	unsigned int n, cap;
};

static struct rtt_sess *pend;
static unsigned int pend_size;

/* Per request type: its samples (microseconds). */
struct rtt_samples {
	u32 *v;
	unsigned int n, cap;
};

#define RTT_TYPES	(PPTP_CDN + 1)
static struct rtt_samples samples[RTT_TYPES];

u64 now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (u64)ts.tv_sec * 1000000 + (u64)ts.tv_nsec / 1000;
}

/* The request a message of @type answers, 0 if it answers none. */
static u16 request_of(u16 type)
{
	switch (type) {
	case PPTP_SCCRP: return PPTP_SCCRQ;
	case PPTP_STOPCCRP: return PPTP_STOPCCRQ;
	case PPTP_ECHORP: return PPTP_ECHORQ;
	case PPTP_OCRP: return PPTP_OCRQ;
	case PPTP_ICRP: return PPTP_ICRQ;
	case PPTP_ICCN: return PPTP_ICRP;
	case PPTP_CDN: return PPTP_CCRQ;
	default: return 0;
	}
}

static bool is_request(u16 type)
{
	return type == PPTP_SCCRQ || type == PPTP_STOPCCRQ || type == PPTP_ECHORQ ||
	       type == PPTP_OCRQ || type == PPTP_ICRQ || type == PPTP_ICRP || type == PPTP_CCRQ;
}

/* A message of @type was handed to TCP on session @s. */
void rtt_sent(const struct session *s, u16 type)
{
	struct rtt_sess *r;

	if (!is_request(type))
		return;
	pend = sim_grow(pend, &pend_size, s->idx + 1, sizeof(*pend));
	r = &pend[s->idx];
	r->p = sim_grow(r->p, &r->cap, r->n + 1, sizeof(*r->p));
	r->p[r->n].type = type;
	r->p[r->n].t_us = now_us();
	r->n++;
}

/* A message of @type was read on session @s. */
void rtt_received(const struct session *s, u16 type)
{
	u16 req = request_of(type);
	struct rtt_samples *sm;
	struct rtt_sess *r;
	unsigned int i;
	u64 t;

	if (!req || s->idx >= pend_size)
		return;
	r = &pend[s->idx];
	for (i = 0; i < r->n && r->p[i].type != req; i++)
		;
	if (i == r->n)
		return;
	t = now_us() - r->p[i].t_us;
	memmove(r->p + i, r->p + i + 1, (r->n - i - 1) * sizeof(*r->p));
	r->n--;
	sm = &samples[req];
	sm->v = sim_grow(sm->v, &sm->cap, sm->n + 1, sizeof(*sm->v));
	sm->v[sm->n++] = t > UINT32_MAX ? UINT32_MAX : (u32)t;
}

static int cmp_u32(const void *a, const void *b)
{
	u32 x = *(const u32 *)a, y = *(const u32 *)b;

	return x < y ? -1 : x > y;
}

/* Nearest rank: the smallest sample with at least @pct percent at or below it. */
static u32 pct(const u32 *v, unsigned int n, unsigned int p)
{
	unsigned int rank = (n * p + 99) / 100;

	return v[rank ? rank - 1 : 0];
}

static void print_one(FILE *f, const char *name, u32 *v, unsigned int n)
{
	u64 sum = 0;
	unsigned int i;

	if (!n)
		return;
	qsort(v, n, sizeof(*v), cmp_u32);
	for (i = 0; i < n; i++)
		sum += v[i];
	fprintf(f, ",\n \"%s\":{\"samples\":%u,\"min_us\":%u,\"p50_us\":%u,\"p90_us\":%u,\"p99_us\":%u,\"max_us\":%u,\"avg_us\":%llu}",
		name, n, v[0], pct(v, n, 50), pct(v, n, 90), pct(v, n, 99), v[n - 1],
		(unsigned long long)(sum / n));
}

/* Every type's samples in one array (malloc'ed, NULL when none), *@n of them. */
static u32 *all_samples(unsigned int *n)
{
	unsigned int i;
	u32 *all;

	*n = 0;
	for (i = 0; i < RTT_TYPES; i++)
		*n += samples[i].n;
	all = *n ? malloc(*n * sizeof(*all)) : NULL;
	if (!all)
		return NULL;
	for (i = 0, *n = 0; i < RTT_TYPES; i++) {
		memcpy(all + *n, samples[i].v, samples[i].n * sizeof(*all));
		*n += samples[i].n;
	}
	return all;
}

/*
 * The JSON sections: "rtt" over every answered request, then "rtt_<type>"
 * per request type (rtt_sccrq, rtt_ocrq...).  Each starts with ",\n".
 */
void rtt_json(FILE *f)
{
	unsigned int i, n = 0;
	char name[32];
	u32 *all;
	size_t j;

	all = all_samples(&n);
	if (!all)
		return;
	print_one(f, "rtt", all, n);
	free(all);
	for (i = 0; i < RTT_TYPES; i++) {
		if (!samples[i].n)
			continue;
		snprintf(name, sizeof(name), "rtt_%s", pptp_msg_name((u16)i));
		for (j = 0; name[j]; j++)
			if (name[j] >= 'A' && name[j] <= 'Z')
				name[j] = (char)(name[j] - 'A' + 'a');
		print_one(f, name, samples[i].v, samples[i].n);
	}
}

/* One line for people: every answered request together. */
void rtt_text(FILE *f)
{
	unsigned int n;
	u32 *all;

	all = all_samples(&n);
	if (!all)
		return;
	qsort(all, n, sizeof(*all), cmp_u32);
	fprintf(f, "  rtt:      %u requests answered; p50 %u us, p99 %u us, max %u us\n", n,
		pct(all, n, 50), pct(all, n, 99), all[n - 1]);
	free(all);
}
