/* SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause */
/*
 * The live faces of the inspector: ct.c reads the kernel's conntrack table
 * (libnetfilter_conntrack) and ties GRE entries and expectations to their
 * control connections; show.c prints them; doctor.c checks the host.
 */
#ifndef PPTP_NG_INSPECT_LIVE_H
#define PPTP_NG_INSPECT_LIVE_H

#include <libnetfilter_conntrack/libnetfilter_conntrack.h>
#include "inspect.h"

#define LIVE_MAX 65536
#define LIVE_PROTO_GRE 47

struct live_tup {
	int fam;		/* AF_INET, AF_INET6, 0: not set */
	u8 proto;
	u8 src[16], dst[16];
	u16 sport, dport;	/* host order: ports or GRE keys */
};

struct live_table {
	struct nf_conntrack *ct[LIVE_MAX];
	int n;
	struct nf_expect *exp[LIVE_MAX];
	int ne;
	int acct;
	u32 dropped;		/* entries beyond LIVE_MAX */
};

/* Which tuple of an entry: original, reply, its master's original. */
enum { LIVE_ORIG, LIVE_REPL, LIVE_MASTER };

/* ct.c */
void live_tup_get(const struct nf_conntrack *ct, int which, struct live_tup *t);
const char *live_addr(const struct live_tup *t, int dst, char *buf);
const char *live_helper(const struct nf_conntrack *ct);
int live_is_control(const struct nf_conntrack *ct);
int live_is_gre(const struct nf_conntrack *ct);
int live_gre_of(const struct nf_conntrack *g, const struct nf_conntrack *c);
int live_exp_of(const struct nf_expect *e, const struct nf_conntrack *c);
void live_free(struct live_table *t);
int live_read(struct live_table *t);
/* Expectations in this network namespace's table, -1 when unreadable. */
long insp_ct_count_expect(void);

#define INSP_DAEMON_SOCK "/run/pptp-ngd.sock"
#define NGD_USER "pptp-ngd"	/* the account pptp-ngd runs as by default */
/*
 * How much of pptp-ngd's answer is read, and for how long: it sends its
 * whole state at once and closes, and drops a client after 5 s itself.
 */
#define INSP_DAEMON_MAX		(16u << 20)
#define INSP_DAEMON_WAIT_MS	5000
enum insp_daemon_cut { INSP_DAEMON_WHOLE, INSP_DAEMON_TOO_LONG, INSP_DAEMON_TOO_SLOW };
/*
 * pptp-ngd's status document (docs/userspace.md); NULL: no answer.  *cut
 * (may be NULL) says whether it ended before the daemon closed.
 */
char *insp_daemon_status(const char *path, enum insp_daemon_cut *cut);

/* ngdmaps.c: the nfqueue backend's GRE maps under "daemon_maps" */
struct jw;
void insp_ngd_maps_json(struct jw *j);
void insp_ngd_maps_text(FILE *out);
/* The whole output of a shell command, NUL-terminated; NULL when it fails. */
char *insp_run(const char *cmd, size_t *len);

/* show.c, doctor.c */
int insp_show_main(int argc, char **argv);
int insp_doctor_main(int argc, char **argv);

#endif /* PPTP_NG_INSPECT_LIVE_H */
