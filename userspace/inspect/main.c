// SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
/*
 * pptp-ng: the inspection face.
 *
 *   pptp-ng pcap [--json] [--max-held SIZE] FILE...
 *                                    decode PPTP control, GRE and PPP
 *   pptp-ng explain FILE [...]       replay control through the NAT helper's logic
 *
 *   pptp-ng show [--json] [--watch]  live conntrack: control, GRE, expectations
 *   pptp-ng doctor [--json]          why PPTP would fail on this host
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <pptp_ng/version.h>

#include "inspect.h"
#include "live/live.h"

static void usage(FILE *f)
{
	fputs("usage: pptp-ng pcap [--json] [--audit] [--max-held SIZE] [--max-memory SIZE] FILE...\n"
	      "                                 (FILE - reads stdin)\n"
	      "       pptp-ng explain FILE [--json] [--inside ADDR/PREFIX] [--nat-to ADDR] [--max-calls N]\n"
	      "       pptp-ng show [--json] [--watch] [--socket PATH]\n"
	      "       pptp-ng doctor [--json] [--socket PATH]\n"
	      "       pptp-ng help | --version\n"
	      "see pptp-ng(8)\n", f);
}

/* SIZE: bytes, or K, M, G of them (powers of 1024). */
static int parse_size(const char *arg, u64 *out)
{
	unsigned long long v;
	unsigned int shift = 0;
	char *end;

	if (*arg < '0' || *arg > '9')
		return -1;
	errno = 0;
	v = strtoull(arg, &end, 10);
	if (errno)
		return -1;
	switch (*end) {
	case 'K': case 'k': shift = 10; end++; break;
	case 'M': case 'm': shift = 20; end++; break;
	case 'G': case 'g': shift = 30; end++; break;
	}
	if (*end || v > UINT64_MAX >> shift)
		return -1;
	*out = (u64)v << shift;
	return 0;
}

struct pcap_opts {
	int json;
	int audit;
	int max_held_set;
	u64 max_held;
	u64 max_mem;			/* 0: the default */
	char **files;		/* in command-line order */
	int n_files;
};

/* Options anywhere on the line apply to every file: read them all first. */
static int pcap_opts(int argc, char **argv, struct pcap_opts *o)
{
	int i;

	for (i = 1; i < argc; i++) {
		const char *a = argv[i];

		if (!strcmp(a, "--json")) {
			o->json = 1;
		} else if (!strcmp(a, "--audit")) {
			o->audit = 1;
		} else if (!strcmp(a, "--max-memory")) {
			if (i + 1 >= argc || parse_size(argv[i + 1], &o->max_mem)) {
				fputs("pptp-ng pcap: --max-memory SIZE: bytes, or with K, M or G\n", stderr);
				return 2;
			}
			if (!o->max_mem)
				o->max_mem = 1;	/* nothing fits: decode nothing */
			i++;
		} else if (!strcmp(a, "--max-held")) {
			if (i + 1 >= argc || parse_size(argv[i + 1], &o->max_held)) {
				fputs("pptp-ng pcap: --max-held SIZE: bytes, or with K, M or G\n", stderr);
				return 2;
			}
			o->max_held_set = 1;
			i++;
		} else if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
			usage(stdout);
			return 0;
		} else if (a[0] == '-' && a[1]) {
			fprintf(stderr, "pptp-ng pcap: unknown option %s\n", a);
			usage(stderr);
			return 2;
		} else {
			o->files[o->n_files++] = argv[i];
		}
	}
	return -1;
}

/* Read one file into caps[*n]; 1 when it could not be read whole. */
static int pcap_read(const struct pcap_opts *o, const char *file,
		     struct insp_capture **caps, int *n)
{
	char err[512] = "";
	struct insp_capture *c = calloc(1, sizeof(*c));

	if (!c) {
		perror("pptp-ng");
		exit(3);
	}
	c->max_held_set = (u8)o->max_held_set;
	c->audit = (u8)o->audit;
	c->max_mem = o->max_mem;
	c->max_held = o->max_held;
	caps[(*n)++] = c;
	if (!insp_read_file(c, file, err, sizeof(err)))
		return 0;
	/*
	 * Unreadable, or an error part way: what was read is reported, and
	 * the file keeps its place in the output with the reason.
	 */
	fprintf(stderr, "pptp-ng: %s\n", err);
	c->file = file;
	c->error = strdup(err);
	if (!c->error) {
		perror("pptp-ng");
		exit(3);
	}
	return 1;
}

static int cmd_pcap(int argc, char **argv)
{
	struct pcap_opts o = { 0 };
	struct insp_capture **caps;
	int i, n = 0, rc = 0;

	caps = calloc((size_t)argc, sizeof(*caps));
	o.files = calloc((size_t)argc, sizeof(*o.files));
	if (!caps || !o.files) {
		perror("pptp-ng");
		exit(3);
	}
	rc = pcap_opts(argc, argv, &o);
	if (rc < 0 && !o.n_files) {
		fputs("pptp-ng pcap: no capture file given\n", stderr);
		usage(stderr);
		rc = 2;
	}
	if (rc >= 0) {
		free(o.files);
		free(caps);
		return rc;
	}
	rc = 0;
	insp_progress_init();	/* stderr, on a terminal only */
	for (i = 0; i < o.n_files; i++)
		rc |= pcap_read(&o, o.files[i], caps, &n);
	if (o.json)
		insp_json(stdout, caps, n);
	else
		insp_tree(stdout, caps, n);
	for (i = 0; i < n; i++) {
		insp_capture_free(caps[i]);
		free(caps[i]);
	}
	free(o.files);
	free(caps);
	if (fflush(stdout)) {
		perror("pptp-ng: stdout");
		rc = 1;
	}
	return rc;
}

int main(int argc, char **argv)
{
	const char *cmd = argc > 1 ? argv[1] : NULL;

	if (!cmd) {
		usage(stderr);
		return 2;
	}
	if (!strcmp(cmd, "pcap"))
		return cmd_pcap(argc - 1, argv + 1);
	if (!strcmp(cmd, "explain"))
		return insp_explain_main(argc - 1, argv + 1);
	if (!strcmp(cmd, "help") || !strcmp(cmd, "-h") || !strcmp(cmd, "--help")) {
		usage(stdout);
		return 0;
	}
	if (!strcmp(cmd, "--version") || !strcmp(cmd, "version")) {
		puts("pptp-ng " PPTP_NG_VERSION);
		return 0;
	}
	if (!strcmp(cmd, "show"))
		return insp_show_main(argc - 1, argv + 1);
	if (!strcmp(cmd, "doctor"))
		return insp_doctor_main(argc - 1, argv + 1);
	fprintf(stderr, "pptp-ng: unknown command '%s'\n", cmd);
	usage(stderr);
	return 2;
}
