// SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
/*
 * Progress of `pptp-ng pcap` on stderr, for a person waiting on a large
 * capture: bytes read of the file's size, or packets for a pipe.  Only
 * when stderr is a terminal (a log or a script gets nothing), never on
 * stdout (where --json goes), first after PROGRESS_DELAY so quick runs
 * never flicker, at most every PROGRESS_EVERY after that, and erased when
 * the file is done so the report starts on a clean line.
 * PPTP_NG_PROGRESS_DELAY (seconds) moves the first line: 0 shows it at once
 * (the test uses that to see a short read's progress).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include "inspect.h"

#define PROGRESS_DELAY	0.5	/* seconds before the first line */
#define PROGRESS_EVERY	0.25	/* seconds between refreshes */

static int progress_enabled;
static double progress_delay = PROGRESS_DELAY;

static double now(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + t.tv_nsec / 1e9;
}

/* main.c, for pcap: on from now, if stderr is a terminal. */
void insp_progress_init(void)
{
	const char *env = getenv("PPTP_NG_PROGRESS_DELAY");
	char *end;
	double d;

	progress_enabled = isatty(STDERR_FILENO);
	if (progress_enabled && env && *env) {
		d = strtod(env, &end);
		if (*end || !(d >= 0 && d <= 3600))	/* NaN too */
			fprintf(stderr, "pptp-ng: PPTP_NG_PROGRESS_DELAY=%s ignored: not 0..3600 seconds\n",
				env);
		else
			progress_delay = d;
	}
}

/* F is the stream the capture is read from; total is 0 unless it is a regular file. */
void insp_progress_begin(struct insp_capture *cap, FILE *f)
{
	struct insp_progress *pr = &cap->progress;
	struct stat st;

	memset(pr, 0, sizeof(*pr));
	if (!progress_enabled || !f)
		return;
	pr->f = f;
	if (!fstat(fileno(f), &st) && S_ISREG(st.st_mode))
		pr->total = (u64)st.st_size;
	pr->next = now() + progress_delay;
}

static void draw(struct insp_capture *cap)
{
	struct insp_progress *pr = &cap->progress;
	long pos;

	if (pr->total) {
		pos = ftell(pr->f);
		if (pos < 0)
			pos = 0;
		fprintf(stderr, "\r\033[Kpptp-ng: %s: %.1f of %.1f MB (%u%%), %llu packets",
			cap->file, pos / 1e6, pr->total / 1e6,
			(unsigned int)((u64)pos * 100 / pr->total),
			(unsigned long long)cap->packets);
	} else {
		fprintf(stderr, "\r\033[Kpptp-ng: %s: %llu packets", cap->file,
			(unsigned long long)cap->packets);
	}
	fflush(stderr);
	pr->shown = 1;
}

/* After every packet: a clock read, a line now and then. */
void insp_progress_tick(struct insp_capture *cap)
{
	struct insp_progress *pr = &cap->progress;
	double t;

	if (!pr->f)
		return;
	t = now();
	if (t < pr->next)
		return;
	pr->next = t + PROGRESS_EVERY;
	draw(cap);
}

void insp_progress_end(struct insp_capture *cap)
{
	struct insp_progress *pr = &cap->progress;

	if (pr->shown) {
		fputs("\r\033[K", stderr);
		fflush(stderr);
	}
	memset(pr, 0, sizeof(*pr));
}
