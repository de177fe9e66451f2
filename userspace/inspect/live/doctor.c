// SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
/*
 * pptp-ng doctor: why PPTP would fail on this host, and what to type.
 *
 * Reads the ruleset as `nft -j list ruleset` prints it (libnftables-json(5)),
 * the conntrack sysctls in /proc/sys and the expectation table, and checks
 * each thing the PPTP helpers depend on.  Every finding names its evidence
 * (a rule handle, a sysctl and its value) and the command that fixes it.
 * Exit: 0 nothing found, 1 findings, 2 cannot inspect.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "live.h"
#include "doctor.h"
#include "out.h"

#define SYSCTL_NF "/proc/sys/net/netfilter/"

struct finding *doc_add(struct doc *d, const char *id)
{
	struct finding *f;

	if (d->n >= DOC_MAX_FINDINGS)
		return &d->f[DOC_MAX_FINDINGS - 1];	/* overwrite the last */
	f = &d->f[d->n++];
	memset(f, 0, sizeof(*f));
	f->id = id;
	return f;
}

void doc_backend(struct doc *d, const char *fmt, const char *a, const char *b, const char *c)
{
	if (d->nb < DOC_MAX_BACKENDS)
		snprintf(d->backend[d->nb++], sizeof(d->backend[0]), fmt, a, b, c);
}

static int read_sysctl(const char *name, long *v)
{
	char path[256];
	FILE *f;
	int ok;

	snprintf(path, sizeof(path), SYSCTL_NF "%s", name);
	f = fopen(path, "r");
	if (!f)
		return -1;
	ok = fscanf(f, "%ld", v) == 1;
	fclose(f);
	return ok ? 0 : -1;
}

static void check_gre(struct doc *d)
{
	static const struct { const char *name; long min, good; const char *why; } t[] = {
		{ "nf_conntrack_gre_timeout", 10, 30,
		  "GRE that has not been answered yet (the first packets of a call) expires" },
		{ "nf_conntrack_gre_timeout_stream", 60, 180,
		  "an idle call (PPP keepalives come every 30 to 60 s) loses its GRE entry and with it the NAT mapping" },
	};
	struct finding *f;
	long v;
	size_t i;

	if (read_sysctl("nf_conntrack_gre_timeout", &v)) {
		f = doc_add(d, "gre-not-tracked");
		snprintf(f->what, sizeof(f->what),
			 "conntrack has no GRE tracker: GRE entries cannot be keyed by call ID, expectations for PPTP's GRE never match");
		snprintf(f->evidence, sizeof(f->evidence), "%snf_conntrack_gre_timeout: %s",
			 SYSCTL_NF, strerror(errno));
		snprintf(f->fix, sizeof(f->fix),
			 "modprobe nf_conntrack_proto_gre (kernels before 5.1: a module; later: build with CONFIG_NF_CT_PROTO_GRE=y)");
		return;
	}
	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		if (read_sysctl(t[i].name, &v) || v >= t[i].min)
			continue;
		f = doc_add(d, "gre-timeout");
		snprintf(f->what, sizeof(f->what), "%s is %ld s, below %ld s: %s", t[i].name, v,
			 t[i].min, t[i].why);
		snprintf(f->evidence, sizeof(f->evidence), "%s%s = %ld", SYSCTL_NF, t[i].name, v);
		snprintf(f->fix, sizeof(f->fix), "sysctl -w net.netfilter.%s=%ld", t[i].name,
			 t[i].good);
	}
}

static void check_expect(struct doc *d)
{
	long max, used;
	struct finding *f;

	if (read_sysctl("nf_conntrack_expect_max", &max) || max <= 0)
		return;
	used = insp_ct_count_expect();
	if (used < 0 || used * 100 < max * 80)
		return;
	f = doc_add(d, "expect-table-full");
	snprintf(f->what, sizeof(f->what),
		 "the expectation table is %ld%% full: new calls get no GRE expectation when it is full (the helper refuses the call)",
		 used * 100 / max);
	snprintf(f->evidence, sizeof(f->evidence), "%ld expectations, %snf_conntrack_expect_max = %ld",
		 used, SYSCTL_NF, max);
	snprintf(f->fix, sizeof(f->fix), "sysctl -w net.netfilter.nf_conntrack_expect_max=%ld",
		 max * 4);
}

static void print_text(struct doc *d)
{
	int i;

	for (i = 0; i < d->nb; i++)
		printf("backend: %s\n", d->backend[i]);
	if (!d->n) {
		puts("no problems found");
		return;
	}
	printf("%d finding%s\n", d->n, d->n == 1 ? "" : "s");
	for (i = 0; i < d->n; i++)
		printf("\n[%s] %s\n  evidence: %s\n  fix: %s\n", d->f[i].id, d->f[i].what,
		       d->f[i].evidence, d->f[i].fix);
}

static void print_json(struct doc *d)
{
	struct jw j = { .f = stdout };
	int i;

	jw_obj(&j, NULL);
	jw_u64(&j, "pptp_ng_json", 1);
	jw_obj(&j, "doctor");
	jw_arr(&j, "backends");
	for (i = 0; i < d->nb; i++)
		jw_str(&j, NULL, d->backend[i]);
	jw_end(&j, ']');
	jw_arr(&j, "findings");
	for (i = 0; i < d->n; i++) {
		jw_obj(&j, NULL);
		jw_str(&j, "id", d->f[i].id);
		jw_str(&j, "what", d->f[i].what);
		jw_str(&j, "evidence", d->f[i].evidence);
		jw_str(&j, "fix", d->f[i].fix);
		jw_end(&j, '}');
	}
	jw_end(&j, ']');
	jw_end(&j, '}');
	jw_end(&j, '}');
}

int insp_doctor_main(int argc, char **argv)
{
	struct doc *d;
	const char *sock = INSP_DAEMON_SOCK;
	int i, json = 0, rc;
	size_t len = 0;
	char *text;

	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--json")) {
			json = 1;
		} else if (!strcmp(argv[i], "--socket") && i + 1 < argc) {
			sock = argv[++i];
		} else {
			fprintf(stderr, "pptp-ng doctor: unknown option %s\n"
				"usage: pptp-ng doctor [--json] [--socket PATH]\n", argv[i]);
			return 2;
		}
	}
	text = insp_run("nft -j list ruleset", &len);
	if (!text) {
		fputs("pptp-ng doctor: cannot read the ruleset with `nft -j list ruleset` (nft missing, or not root?)\n",
		      stderr);
		return 2;
	}
	d = calloc(1, sizeof(*d));
	if (!d) {
		free(text);
		return 2;
	}
	d->root = jv_parse(text, len);
	free(text);
	d->items = jv_get(d->root, "nftables");
	if (!d->items || d->items->type != JV_ARR) {
		fputs("pptp-ng doctor: `nft -j list ruleset` printed no nftables array\n", stderr);
		jv_free(d->root);
		free(d);
		return 2;
	}
	doc_check_ruleset(d, sock);
	check_gre(d);
	check_expect(d);
	if (json)
		print_json(d);
	else
		print_text(d);
	rc = d->n ? 1 : 0;
	jv_free(d->root);
	free(d);
	if (fflush(stdout))
		return 2;
	return rc;
}
