// SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
/*
 * --gre-two-cpus: a call's first two GRE packets leave at the same moment
 * from two CPUs, this process's and a twin thread's, each pinned to its
 * own.  A firewall then sees two first packets of one direction at once,
 * each making a conntrack for the same tuple on its CPU: the race a
 * sender whose packets are handled on two CPUs (a multi-queue NIC, a
 * process moving between CPUs) produces now and then, made to happen on
 * every call.  Both packets must arrive.
 */
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <semaphore.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>

#include "sim.h"

static struct {
	pthread_t thread;
	sem_t armed_sem;		/* a packet is waiting for the twin */
	atomic_int armed;		/* the twin is spinning, ready to send */
	atomic_int go;			/* both send now */
	atomic_int done;		/* the twin sent */
	const struct session *s;
	const u8 *pkt;
	size_t len;
	int ret;
} twin;

static int pin_to(pthread_t t, int cpu)
{
	cpu_set_t set;

	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	return pthread_setaffinity_np(t, sizeof(set), &set);
}

static void *twin_main(void *arg)
{
	(void)arg;
	for (;;) {
		while (sem_wait(&twin.armed_sem) && errno == EINTR)
			;
		atomic_store(&twin.armed, 1);
		while (!atomic_load(&twin.go))
			;	/* a few microseconds: the main thread is about to say go */
		atomic_store(&twin.go, 0);
		twin.ret = gre_raw_send(twin.s, twin.pkt, twin.len);
		atomic_store(&twin.done, 1);
	}
	return NULL;
}

/* Start the twin on CPU 1 and keep this process on CPU 0. */
int twin_start(void)
{
	int err;

	if (sem_init(&twin.armed_sem, 0, 0))
		return -errno;
	err = pthread_create(&twin.thread, NULL, twin_main, NULL);
	if (err)
		return -err;
	err = pin_to(twin.thread, 1);
	if (!err)
		err = pin_to(pthread_self(), 0);
	return -err;
}

/*
 * Send @a here and @b from the twin at the same moment.  Returns 0, or
 * -EAGAIN when either could not be sent for now (a full socket buffer:
 * both go again later, and the receiver may count the other twice).
 */
int twin_send(const struct session *s, const u8 *a, size_t a_len, const u8 *b, size_t b_len)
{
	int ret;

	twin.s = s;
	twin.pkt = b;
	twin.len = b_len;
	atomic_store(&twin.done, 0);
	atomic_store(&twin.armed, 0);
	sem_post(&twin.armed_sem);
	while (!atomic_load(&twin.armed))
		;
	atomic_store(&twin.go, 1);
	ret = gre_raw_send(s, a, a_len);
	while (!atomic_load(&twin.done))
		;
	return ret ? ret : twin.ret;
}
