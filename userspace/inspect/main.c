// SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
/*
 * pptp-ng: the inspection face.
 *
 *   pptp-ng pcap [--json] FILE...    decode PPTP control, GRE and PPP
 *   pptp-ng explain FILE [...]       replay control through the NAT helper's logic
 *
 *   pptp-ng show [--json] [--watch]  live conntrack: control, GRE, expectations
 *   pptp-ng doctor [--json]          why PPTP would fail on this host
 */
#include <stdlib.h>
#include <string.h>
#include "inspect.h"
#include "live.h"

static void usage(FILE *f)
{
	fputs("usage: pptp-ng pcap [--json] FILE...     (FILE - reads stdin)\n"
	      "       pptp-ng explain FILE [--inside ADDR/PREFIX] [--nat-to ADDR] [--max-calls N]\n"
	      "       pptp-ng show [--json] [--watch] [--socket PATH]\n"
	      "       pptp-ng doctor [--json] [--socket PATH]\n"
	      "       pptp-ng help\n"
	      "see pptp-ng(8)\n", f);
}

static int cmd_pcap(int argc, char **argv)
{
	struct insp_capture **caps;
	int i, n = 0, json = 0, rc = 0;

	caps = calloc((size_t)argc, sizeof(*caps));
	if (!caps) {
		perror("pptp-ng");
		return 3;
	}
	insp_progress_init();	/* stderr, on a terminal only */
	for (i = 1; i < argc; i++) {
		char err[512] = "";
		struct insp_capture *c;

		if (!strcmp(argv[i], "--json")) {
			json = 1;
			continue;
		}
		if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help")) {
			usage(stdout);
			free(caps);
			return 0;
		}
		if (argv[i][0] == '-' && argv[i][1]) {
			fprintf(stderr, "pptp-ng pcap: unknown option %s\n", argv[i]);
			usage(stderr);
			free(caps);
			return 2;
		}
		c = calloc(1, sizeof(*c));
		if (!c) {
			perror("pptp-ng");
			return 3;
		}
		switch (insp_read_file(c, argv[i], err, sizeof(err))) {
		case 0:
			caps[n++] = c;
			break;
		case 1:		/* read error part way: report what was read */
			fprintf(stderr, "pptp-ng: %s\n", err);
			caps[n++] = c;
			rc = 1;
			break;
		default:
			fprintf(stderr, "pptp-ng: %s\n", err);
			insp_capture_free(c);
			free(c);
			rc = 1;
		}
	}
	if (!n && rc == 0) {
		fputs("pptp-ng pcap: no capture file given\n", stderr);
		usage(stderr);
		free(caps);
		return 2;
	}
	if (json)
		insp_json(stdout, caps, n);
	else
		insp_tree(stdout, caps, n);
	for (i = 0; i < n; i++) {
		insp_capture_free(caps[i]);
		free(caps[i]);
	}
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
	if (!strcmp(cmd, "show"))
		return insp_show_main(argc - 1, argv + 1);
	if (!strcmp(cmd, "doctor"))
		return insp_doctor_main(argc - 1, argv + 1);
	fprintf(stderr, "pptp-ng: unknown command '%s'\n", cmd);
	usage(stderr);
	return 2;
}
