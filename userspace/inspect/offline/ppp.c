// SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
/*
 * PPP inside GRE (RFC 1661, 1662 framing without HDLC): address/control
 * present or omitted (ACFC), one- or two-byte protocol (PFC).  Counted by
 * protocol; LCP is read for the authentication protocol (CHAP algorithm
 * 0x81 is MS-CHAPv2), PAP/CHAP/EAP for the outcome, CCP for the MPPE
 * option (RFC 3078), and encrypted frames for their MPPE header.  IP sent
 * in clear after authentication succeeded is flagged.
 */
#include "inspect.h"

#define PPP_IP		0x0021
#define PPP_IPV6	0x0057
#define PPP_COMP	0x00FD	/* MPPE/MPPC compressed or encrypted datagram */
#define PPP_IPCP	0x8021
#define PPP_IPV6CP	0x8057
#define PPP_CCP		0x80FD
#define PPP_LCP		0xC021
#define PPP_PAP		0xC023
#define PPP_CHAP	0xC223
#define PPP_EAP		0xC227

#define LCP_OPT_AUTH	3
#define CCP_OPT_MPPE	18

const char *insp_auth_name(unsigned int auth)
{
	static const char *const names[] = {
		[INSP_AUTH_NONE] = "none", [INSP_AUTH_PAP] = "pap",
		[INSP_AUTH_CHAP_MD5] = "chap-md5", [INSP_AUTH_MSCHAP] = "ms-chap",
		[INSP_AUTH_MSCHAPV2] = "ms-chapv2", [INSP_AUTH_CHAP_OTHER] = "chap",
		[INSP_AUTH_EAP] = "eap",
	};

	return auth < PPTP_ARRAY_SIZE(names) ? names[auth] : "?";
}

static u8 auth_of(const u8 *o, u32 olen)
{
	u16 proto;

	if (olen < 4)
		return INSP_AUTH_NONE;
	proto = pptp_get16(o + 2);
	if (proto == PPP_PAP)
		return INSP_AUTH_PAP;
	if (proto == PPP_EAP)
		return INSP_AUTH_EAP;
	if (proto != PPP_CHAP)
		return INSP_AUTH_NONE;
	if (olen < 5)
		return INSP_AUTH_CHAP_OTHER;
	switch (o[4]) {
	case 5:
		return INSP_AUTH_CHAP_MD5;
	case 0x80:
		return INSP_AUTH_MSCHAP;
	case 0x81:
		return INSP_AUTH_MSCHAPV2;
	}
	return INSP_AUTH_CHAP_OTHER;
}

/*
 * Walk the options of a Configure packet (@p at the code, @len bytes of it
 * captured); call @fn for each whole option.
 */
static void options(const u8 *p, u32 len, void (*fn)(void *, u8, const u8 *, u32), void *arg)
{
	u32 plen, off = 4;

	if (len < 4)
		return;
	plen = pptp_get16(p + 2);
	if (plen < len)
		len = plen;
	while (off + 2 <= len) {
		u32 olen = p[off + 1];

		if (olen < 2 || off + olen > len)
			return;
		fn(arg, p[off], p + off, olen);
		off += olen;
	}
}

struct opt_ctx {
	struct insp_ppp_dir *d;
	struct insp_ppp_call *c;
	u8 code;
	u8 from;
};

/* A step of the negotiation, once: a retransmitted Request adds nothing. */
static void neg_add(struct opt_ctx *x, u8 ccp, u8 auth, u32 bits)
{
	struct insp_ppp_call *c = x->c;
	struct insp_neg n = { .ccp = ccp, .code = x->code, .from = x->from, .auth = auth,
			      .bits = bits };
	u8 i;

	for (i = 0; i < c->n_neg; i++)
		if (!memcmp(&c->neg[i], &n, sizeof(n)))
			return;
	if (c->n_neg >= INSP_NEG_MAX) {
		c->neg_dropped++;
		return;
	}
	c->neg[c->n_neg++] = n;
}

static void lcp_option(void *arg, u8 type, const u8 *o, u32 olen)
{
	struct opt_ctx *x = arg;
	u8 auth;

	if (type != LCP_OPT_AUTH)
		return;
	auth = auth_of(o, olen);
	neg_add(x, 0, auth, 0);
	if (x->code > 2)	/* a Nak suggests, a Reject refuses: neither agrees */
		return;
	if (x->code == 2 || x->c->auth == INSP_AUTH_NONE)
		x->c->auth = auth;
}

static void ccp_option(void *arg, u8 type, const u8 *o, u32 olen)
{
	struct opt_ctx *x = arg;

	if (type != CCP_OPT_MPPE || olen < 6)
		return;
	neg_add(x, 1, 0, pptp_get32(o + 2));
	if (x->code == 1) {
		x->d->mppe_offered = 1;
		x->d->mppe_bits = pptp_get32(o + 2);
	} else if (x->code == 2) {
		x->c->mppe_acked = 1;
		x->c->mppe_bits = pptp_get32(o + 2);
	}
}

/* A CHAP Response's Name: after the Value, to the packet's length. */
static void chap_name(struct insp_ppp_call *c, const u8 *p, u32 len)
{
	u32 plen, off, n, i;

	if (len < 5)
		return;
	plen = pptp_get16(p + 2);
	if (plen < len)
		len = plen;
	off = 5u + p[4];
	if (off >= len)
		return;
	n = len - off < sizeof(c->chap_name) - 1 ? len - off : (u32)sizeof(c->chap_name) - 1;
	for (i = 0; i < n; i++)
		c->chap_name[i] = p[off + i] ? (char)p[off + i] : '?';
	c->chap_name[n] = 0;
}

static void auth_packet(struct insp_ppp_call *c, u16 proto, u8 code)
{
	u8 ok = proto == PPP_PAP ? 2 : 3, fail = proto == PPP_PAP ? 3 : 4;

	c->auth_seen = 1;
	if (c->auth == INSP_AUTH_NONE)
		c->auth = proto == PPP_PAP ? INSP_AUTH_PAP :
			  proto == PPP_EAP ? INSP_AUTH_EAP : INSP_AUTH_CHAP_OTHER;
	if (code == ok)
		c->auth_ok = 1;
	else if (code == fail)
		c->auth_failed = 1;
}

static void mppe_frame(struct insp_ppp_dir *d, const u8 *p, u32 len)
{
	u16 cc;

	d->mppe++;
	if (len < 2) {
		d->malformed++;
		return;
	}
	cc = pptp_get16(p) & 0x0fff;
	if (p[0] & 0x80)
		d->mppe_flushed++;
	if (p[0] & 0x20)
		d->mppe_compressed++;
	if (p[0] & 0x10)
		d->mppe_encrypted++;
	if (d->mppe_cc_known && cc != ((d->mppe_cc_last + 1) & 0x0fff))
		d->mppe_cc_gaps++;
	d->mppe_cc_known = 1;
	d->mppe_cc_last = cc;
}

void insp_ppp_frame(struct insp_ppp_dir *d, struct insp_ppp_call *c, u8 from, const u8 *p,
		    u32 len)
{
	struct opt_ctx x = { .d = d, .c = c, .from = from };
	u16 proto;

	d->frames++;
	if (len >= 2 && p[0] == 0xff && p[1] == 0x03) {
		p += 2;
		len -= 2;
	} else {
		d->acfc++;
	}
	if (len >= 1 && (p[0] & 1)) {
		proto = p[0];
		p++;
		len--;
		d->pfc++;
	} else if (len >= 2 && (p[1] & 1)) {
		proto = pptp_get16(p);
		p += 2;
		len -= 2;
	} else {
		d->malformed++;
		return;
	}
	x.code = len ? p[0] : 0;
	switch (proto) {
	case PPP_LCP:
		d->lcp++;
		if (len)
			d->lcp_codes[p[0] < INSP_PPP_CODES ? p[0] : INSP_PPP_CODES]++;
		if (x.code >= 1 && x.code <= 4)
			options(p, len, lcp_option, &x);
		break;
	case PPP_PAP:
	case PPP_CHAP:
	case PPP_EAP:
		if (proto == PPP_PAP)
			d->pap++;
		else if (proto == PPP_CHAP)
			d->chap++;
		else
			d->eap++;
		if (len)
			auth_packet(c, proto, p[0]);
		if (proto == PPP_CHAP && len && p[0] == 2)
			chap_name(c, p, len);
		break;
	case PPP_CCP:
		d->ccp++;
		if (len)
			d->ccp_codes[p[0] < INSP_PPP_CODES ? p[0] : INSP_PPP_CODES]++;
		if (x.code >= 1 && x.code <= 4)
			options(p, len, ccp_option, &x);
		break;
	case PPP_IPCP:
		d->ipcp++;
		break;
	case PPP_IPV6CP:
		d->ipv6cp++;
		break;
	case PPP_IP:
	case PPP_IPV6:
		if (proto == PPP_IP)
			d->ip++;
		else
			d->ipv6++;
		if (c->auth_ok)
			d->plain_ip_after_auth++;
		break;
	case PPP_COMP:
		mppe_frame(d, p, len);
		break;
	default:
		d->other++;
	}
}
