// SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
/*
 * `pptp-ng pcap --audit`: how safe each call was, from what its PPP
 * negotiated.  PPTP's own security is all in PPP: the authentication
 * LCP agreed on, and MPPE, whose keys come from MS-CHAP only.  Findings
 * are ranked; a call's verdict is its worst finding, in one line.
 *
 *   critical  IP in clear inside the tunnel; PAP (the password in clear)
 *   high      no MPPE; MPPE with 40- or 56-bit keys; MS-CHAPv1, CHAP-MD5;
 *             a downgrade (the agreed auth or key weaker than one offered)
 *   medium    MS-CHAPv2: one captured handshake is cracked offline, and
 *             every MPPE key derives from it
 *   low       EAP (its method decides), stateful MPPE
 *   none      nothing to say
 */
#include "out.h"

static const char *const level_names[] = { "none", "low", "medium", "high", "critical" };

const char *insp_audit_level_name(unsigned int level)
{
	return level < PPTP_ARRAY_SIZE(level_names) ? level_names[level] : "?";
}

/* Stronger auth ranks higher: a downgrade acks less than was offered. */
static int auth_rank(unsigned int auth)
{
	static const int rank[] = {
		[INSP_AUTH_NONE] = 0, [INSP_AUTH_PAP] = 1, [INSP_AUTH_CHAP_MD5] = 2,
		[INSP_AUTH_CHAP_OTHER] = 2, [INSP_AUTH_MSCHAP] = 3, [INSP_AUTH_MSCHAPV2] = 4,
		[INSP_AUTH_EAP] = 4,
	};

	return auth < PPTP_ARRAY_SIZE(rank) ? rank[auth] : 0;
}

static int key_bits(u32 bits)
{
	return bits & MPPE_S ? 128 : bits & MPPE_M ? 56 : bits & MPPE_L ? 40 : 0;
}

static void add(struct insp_audit *a, u8 level, const char *text)
{
	if (a->n >= INSP_AUDIT_MAX)
		return;
	a->f[a->n].level = level;
	a->f[a->n].text = text;
	a->n++;
	if (level > a->level)
		a->level = level;
}

/* What was offered, against what was agreed. */
static void downgrades(struct insp_audit *a, const struct insp_ppp_call *c)
{
	int best_auth = 0, best_key = 0;
	u8 i;

	for (i = 0; i < c->n_neg; i++) {
		const struct insp_neg *n = &c->neg[i];

		if (n->code != 1)
			continue;
		if (!n->ccp && auth_rank(n->auth) > best_auth)
			best_auth = auth_rank(n->auth);
		if (n->ccp && key_bits(n->bits) > best_key)
			best_key = key_bits(n->bits);
	}
	if (c->auth != INSP_AUTH_NONE && auth_rank(c->auth) < best_auth) {
		a->auth_downgrade = 1;
		add(a, 3, "authentication downgraded: a stronger protocol was offered, a weaker agreed");
	}
	if (c->mppe_acked && key_bits(c->mppe_bits) < best_key) {
		a->key_downgrade = 1;
		add(a, 3, "MPPE downgraded: a longer key was offered, a shorter agreed");
	}
}

static void auth_findings(struct insp_audit *a, const struct insp_ppp_call *c)
{
	switch (c->auth) {
	case INSP_AUTH_PAP:
		add(a, 4, "PAP: the password crosses in clear");
		break;
	case INSP_AUTH_CHAP_MD5:
	case INSP_AUTH_CHAP_OTHER:
		add(a, 3, "CHAP-MD5: no MPPE keys can come from it, the password hash is guessable offline");
		break;
	case INSP_AUTH_MSCHAP:
		add(a, 3, "MS-CHAPv1: LM/NT hashes, cracked offline from one handshake");
		break;
	case INSP_AUTH_MSCHAPV2:
		add(a, 2, "MS-CHAPv2: cracked offline from one captured handshake (DES keyspace), and MPPE's keys with it");
		break;
	case INSP_AUTH_EAP:
		add(a, 1, "EAP: as strong as its method");
		break;
	}
}

static void mppe_findings(struct insp_audit *a, const struct insp_ppp_call *c, u32 clear_ip)
{
	if (clear_ip)
		add(a, 4, "IP in clear inside the tunnel");
	if (!c->mppe_acked) {
		add(a, 3, "no MPPE agreed: the tunnel is not encrypted");
		return;
	}
	if (key_bits(c->mppe_bits) && key_bits(c->mppe_bits) < 128)
		add(a, 3, key_bits(c->mppe_bits) == 40 ? "MPPE 40-bit keys" : "MPPE 56-bit keys");
	if (!(c->mppe_bits & MPPE_H))
		add(a, 1, "stateful MPPE: one lost packet stalls until a resync");
}

void insp_audit(struct insp_audit *a, const struct insp_ppp_call *c,
		const struct insp_gre_dir *g)
{
	u32 clear_ip = g[0].ppp.ip + g[0].ppp.ipv6 + g[1].ppp.ip + g[1].ppp.ipv6;
	u8 i;

	memset(a, 0, sizeof(*a));
	a->clear_ip = clear_ip;
	for (i = 0; i < c->n_neg; i++)
		if (c->neg[i].ccp && c->neg[i].code >= 3)
			a->mppe_refused = 1;
	/* Encryption was optional when the link carried IP after MPPE was refused or never agreed. */
	a->optional = clear_ip && !c->mppe_acked;
	mppe_findings(a, c, clear_ip);
	auth_findings(a, c);
	downgrades(a, c);
	if (!c->auth && !c->auth_seen)
		add(a, 1, "no authentication seen");
}

/* The verdict's one line: the level, then every finding, worst first. */
void insp_audit_line(const struct insp_audit *a, char *buf, size_t len)
{
	size_t at;
	int lvl;
	u8 i;

	at = (size_t)snprintf(buf, len, "%s", insp_audit_level_name(a->level));
	for (lvl = 4; lvl >= 0; lvl--)
		for (i = 0; i < a->n; i++)
			if (a->f[i].level == lvl && at < len)
				at += (size_t)snprintf(buf + at, len - at, "%s%s",
						       at == strlen(insp_audit_level_name(a->level)) ?
						       ": " : "; ", a->f[i].text);
}

const char *insp_mppe_name(const struct insp_ppp_call *c)
{
	if (!c->mppe_acked)
		return "none";
	switch (key_bits(c->mppe_bits)) {
	case 128:
		return "128-bit";
	case 56:
		return "56-bit";
	case 40:
		return "40-bit";
	}
	return "no-key";
}
