/* SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause */
/* Shared by the printers (json.c, tree.c, explain.c). */
#ifndef PPTP_NG_INSPECT_OUT_H
#define PPTP_NG_INSPECT_OUT_H

#include "inspect.h"

/* MPPE option bits (RFC 3078 2.1) */
#define MPPE_H	0x01000000u	/* stateless */
#define MPPE_M	0x00000080u	/* 56-bit */
#define MPPE_S	0x00000040u	/* 128-bit */
#define MPPE_L	0x00000020u	/* 40-bit */
#define MPPE_C	0x00000001u	/* MPPC compression */

/*
 * The JSON writer.  At most JW_DEPTH - 1 arrays and objects are open at
 * once: one opened beyond that is written as null and everything it would
 * hold is left out (counted in cut), so the output stays one well-formed
 * document whatever the caller copies into it.  Readers of untrusted
 * input (show.c) refuse what would be cut before writing anything.
 */
#define JW_DEPTH 32

struct jw {
	FILE *f;
	int depth;		/* arrays and objects open and written */
	int skip;		/* opened beyond the limit: not written */
	u32 cut;		/* containers written as null for that */
	u8 first[JW_DEPTH];	/* nothing written yet at this depth */
};

void jw_obj(struct jw *j, const char *key);
void jw_arr(struct jw *j, const char *key);
void jw_end(struct jw *j, char c);
void jw_u64(struct jw *j, const char *key, u64 v);
void jw_bool(struct jw *j, const char *key, int v);
void jw_null(struct jw *j, const char *key);
void jw_ts(struct jw *j, const char *key, double v);
void jw_str(struct jw *j, const char *key, const char *s);

/* Names by index + 1, for counter arrays that start at type 1. */
const char *msg_name_1(unsigned int i);
const char *gre_name_1(unsigned int i);
const char *insp_event_kind(unsigned int kind);
const char *insp_event_reason(const struct insp_event *e);
const char *insp_result_name(u16 type, int code);
const char *insp_error_name(int code);

/* audit.c: pcap --audit */
#define INSP_AUDIT_MAX 12
struct insp_audit {
	u8 level;			/* the worst: 0 none .. 4 critical */
	u8 n;
	struct {
		u8 level;
		const char *text;
	} f[INSP_AUDIT_MAX];
	u32 clear_ip;			/* IP frames unencrypted, both ways */
	u8 optional;			/* IP flowed without MPPE: encryption not required */
	u8 mppe_refused;		/* CCP Nak'd or rejected an MPPE option */
	u8 auth_downgrade, key_downgrade;
};

void insp_audit(struct insp_audit *a, const struct insp_ppp_call *c,
		const struct insp_gre_dir *g);
void insp_audit_line(const struct insp_audit *a, char *buf, size_t len);
const char *insp_audit_level_name(unsigned int level);
const char *insp_mppe_name(const struct insp_ppp_call *c);

#endif /* PPTP_NG_INSPECT_OUT_H */
