// SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
/*
 * PPTP wire format: the table of control messages (RFC 2637 section 2)
 * and the enhanced GRE header (section 4.1).
 */
#include "wire.h"

#define ANY PPTP_ROLE_UNKNOWN
#define RSV(o, l) { .off = (o), .len = (l) }
#define IDS_END(off) ((off) + 2)

const struct pptp_msg_desc pptp_msg_descs[PPTP_CTRL_TYPE_MAX + 1] = {
	[PPTP_SCCRQ] = { PPTP_SCCRQ_LEN, ANY, 0, 0, 0, 0, 1,
			 { RSV(PPTP_SCCRQ_OFF_RESERVED1, 2) }, 0 },
	[PPTP_SCCRP] = { PPTP_SCCRP_LEN, ANY, 0, 0, PPTP_SCCRP_OFF_RESULT,
			 PPTP_SCCRP_RESULT_MAX, 0, { RSV(0, 0) }, 0 },
	[PPTP_STOPCCRQ] = { PPTP_STOPCCRQ_LEN, ANY, 0, 0, 0, 0, 2,
			    { RSV(PPTP_STOPCCRQ_OFF_RESERVED1, 1),
			      RSV(PPTP_STOPCCRQ_OFF_RESERVED2, 2) }, 0 },
	[PPTP_STOPCCRP] = { PPTP_STOPCCRP_LEN, ANY, 0, 0, PPTP_STOPCCRP_OFF_RESULT,
			    PPTP_STOPCCRP_RESULT_MAX, 1,
			    { RSV(PPTP_STOPCCRP_OFF_RESERVED1, 2) }, 0 },
	[PPTP_ECHORQ] = { PPTP_ECHORQ_LEN, ANY, 0, 0, 0, 0, 0, { RSV(0, 0) }, 0 },
	[PPTP_ECHORP] = { PPTP_ECHORP_LEN, ANY, 0, 0, PPTP_ECHORP_OFF_RESULT,
			  PPTP_ECHORP_RESULT_MAX, 1,
			  { RSV(PPTP_ECHORP_OFF_RESERVED1, 2) }, 0 },
	[PPTP_OCRQ] = { PPTP_OCRQ_LEN, PPTP_PNS, PPTP_OCRQ_OFF_CALL_ID, 0, 0, 0, 1,
			{ RSV(PPTP_OCRQ_OFF_RESERVED1, 2) }, IDS_END(PPTP_OCRQ_OFF_CALL_ID) },
	[PPTP_OCRP] = { PPTP_OCRP_LEN, PPTP_PAC, PPTP_OCRP_OFF_CALL_ID,
			PPTP_OCRP_OFF_PEER_ID, PPTP_OCRP_OFF_RESULT,
			PPTP_OCRP_RESULT_MAX, 0, { RSV(0, 0) }, IDS_END(PPTP_OCRP_OFF_PEER_ID) },
	[PPTP_ICRQ] = { PPTP_ICRQ_LEN, PPTP_PAC, PPTP_ICRQ_OFF_CALL_ID, 0, 0, 0, 0,
			{ RSV(0, 0) }, IDS_END(PPTP_ICRQ_OFF_CALL_ID) },
	[PPTP_ICRP] = { PPTP_ICRP_LEN, PPTP_PNS, PPTP_ICRP_OFF_CALL_ID,
			PPTP_ICRP_OFF_PEER_ID, PPTP_ICRP_OFF_RESULT,
			PPTP_ICRP_RESULT_MAX, 1, { RSV(PPTP_ICRP_OFF_RESERVED1, 2) },
			IDS_END(PPTP_ICRP_OFF_PEER_ID) },
	[PPTP_ICCN] = { PPTP_ICCN_LEN, PPTP_PAC, 0, PPTP_ICCN_OFF_PEER_ID, 0, 0, 1,
			{ RSV(PPTP_ICCN_OFF_RESERVED1, 2) }, IDS_END(PPTP_ICCN_OFF_PEER_ID) },
	[PPTP_CCRQ] = { PPTP_CCRQ_LEN, PPTP_PNS, PPTP_CCRQ_OFF_CALL_ID, 0, 0, 0, 1,
			{ RSV(PPTP_CCRQ_OFF_RESERVED1, 2) }, IDS_END(PPTP_CCRQ_OFF_CALL_ID) },
	[PPTP_CDN] = { PPTP_CDN_LEN, PPTP_PAC, PPTP_CDN_OFF_CALL_ID, 0,
		       PPTP_CDN_OFF_RESULT, PPTP_CDN_RESULT_MAX, 1,
		       { RSV(PPTP_CDN_OFF_RESERVED1, 2) }, IDS_END(PPTP_CDN_OFF_CALL_ID) },
	[PPTP_WEN] = { PPTP_WEN_LEN, PPTP_PAC, 0, PPTP_WEN_OFF_PEER_ID, 0, 0, 1,
		       { RSV(PPTP_WEN_OFF_RESERVED1, 2) }, IDS_END(PPTP_WEN_OFF_PEER_ID) },
	[PPTP_SLI] = { PPTP_SLI_LEN, ANY, 0, PPTP_SLI_OFF_PEER_ID, 0, 0, 1,
		       { RSV(PPTP_SLI_OFF_RESERVED1, 2) }, IDS_END(PPTP_SLI_OFF_PEER_ID) },
};

static const char *const msg_names[PPTP_CTRL_TYPE_MAX + 1][2] = {
	[PPTP_SCCRQ] = { "SCCRQ", "Start-Control-Connection-Request" },
	[PPTP_SCCRP] = { "SCCRP", "Start-Control-Connection-Reply" },
	[PPTP_STOPCCRQ] = { "StopCCRQ", "Stop-Control-Connection-Request" },
	[PPTP_STOPCCRP] = { "StopCCRP", "Stop-Control-Connection-Reply" },
	[PPTP_ECHORQ] = { "EchoRQ", "Echo-Request" },
	[PPTP_ECHORP] = { "EchoRP", "Echo-Reply" },
	[PPTP_OCRQ] = { "OCRQ", "Outgoing-Call-Request" },
	[PPTP_OCRP] = { "OCRP", "Outgoing-Call-Reply" },
	[PPTP_ICRQ] = { "ICRQ", "Incoming-Call-Request" },
	[PPTP_ICRP] = { "ICRP", "Incoming-Call-Reply" },
	[PPTP_ICCN] = { "ICCN", "Incoming-Call-Connected" },
	[PPTP_CCRQ] = { "CCRQ", "Call-Clear-Request" },
	[PPTP_CDN] = { "CDN", "Call-Disconnect-Notify" },
	[PPTP_WEN] = { "WEN", "WAN-Error-Notify" },
	[PPTP_SLI] = { "SLI", "Set-Link-Info" },
};

u16 pptp_msg_len(u16 type)
{
	const struct pptp_msg_desc *d = pptp_msg_desc(type);

	return d ? d->len : 0;
}

const char *pptp_msg_name(u16 type)
{
	return pptp_msg_desc(type) ? msg_names[type][0] : "?";
}

const char *pptp_msg_long_name(u16 type)
{
	return pptp_msg_desc(type) ? msg_names[type][1] : "?";
}

u16 pptp_msg_init(u8 *buf, u16 type)
{
	u16 len = pptp_msg_len(type);

	if (!len)
		return 0;
	memset(buf, 0, len);
	pptp_put16(buf + PPTP_OFF_LENGTH, len);
	pptp_put16(buf + PPTP_OFF_MSG_TYPE, PPTP_MSG_CONTROL);
	pptp_put32(buf + PPTP_OFF_MAGIC, PPTP_MAGIC);
	pptp_put16(buf + PPTP_OFF_CTRL_TYPE, type);
	return len;
}

static enum pptp_gre_status gre_check_fixed(const u8 *p)
{
	if ((p[1] & PPTP_GRE_VERSION_MASK) == PPTP_GRE_VERSION_0)
		return PPTP_GRE_VERSION0;
	if ((p[1] & PPTP_GRE_VERSION_MASK) != PPTP_GRE_VERSION_PPTP)
		return PPTP_GRE_BAD_VERSION;
	if ((p[0] & (PPTP_GRE_FLAG_C | PPTP_GRE_FLAG_R | PPTP_GRE_FLAG_s | PPTP_GRE_RECUR_MASK)) ||
	    !(p[0] & PPTP_GRE_FLAG_K) || (p[1] & PPTP_GRE_FLAGS2_MASK))
		return PPTP_GRE_BAD_FLAGS;
	if (pptp_get16(p + 2) != PPTP_GRE_PROTO_PPP)
		return PPTP_GRE_BAD_PROTOCOL;
	return PPTP_GRE_OK;
}

enum pptp_gre_status pptp_gre_parse(const u8 *p, u32 len, struct pptp_gre *g)
{
	enum pptp_gre_status st;
	u32 off = PPTP_GRE_V1_BASE_LEN;

	memset(g, 0, sizeof(*g));
	if (len < 4)
		return PPTP_GRE_TRUNCATED;
	st = gre_check_fixed(p);
	if (st != PPTP_GRE_OK)
		return st;
	g->has_seq = !!(p[0] & PPTP_GRE_FLAG_S);
	g->has_ack = !!(p[1] & PPTP_GRE_FLAG_A);
	if (len < PPTP_GRE_V1_BASE_LEN + 4u * (g->has_seq + g->has_ack))
		return PPTP_GRE_TRUNCATED;
	g->payload_len = pptp_get16(p + 4);
	g->call_id = pptp_get16(p + 6);
	if (g->has_seq) {
		g->seq = pptp_get32(p + off);
		off += 4;
	}
	if (g->has_ack) {
		g->ack = pptp_get32(p + off);
		off += 4;
	}
	g->hdr_len = (u16)off;
	if (g->payload_len > len - off)
		return PPTP_GRE_BAD_LENGTH;
	return PPTP_GRE_OK;
}

u16 pptp_gre_build(u8 *p, const struct pptp_gre *g)
{
	u16 off = PPTP_GRE_V1_BASE_LEN;

	p[0] = PPTP_GRE_FLAG_K | (g->has_seq ? PPTP_GRE_FLAG_S : 0);
	p[1] = PPTP_GRE_VERSION_PPTP | (g->has_ack ? PPTP_GRE_FLAG_A : 0);
	pptp_put16(p + 2, PPTP_GRE_PROTO_PPP);
	pptp_put16(p + 4, g->payload_len);
	pptp_put16(p + 6, g->call_id);
	if (g->has_seq) {
		pptp_put32(p + off, g->seq);
		off += 4;
	}
	if (g->has_ack) {
		pptp_put32(p + off, g->ack);
		off += 4;
	}
	return off;
}

const char *pptp_gre_status_name(enum pptp_gre_status s)
{
	static const char *const names[PPTP_GRE_STATUS_COUNT] = {
		[PPTP_GRE_OK] = "ok",
		[PPTP_GRE_TRUNCATED] = "truncated",
		[PPTP_GRE_VERSION0] = "version-0",
		[PPTP_GRE_BAD_VERSION] = "bad-version",
		[PPTP_GRE_BAD_FLAGS] = "bad-flags",
		[PPTP_GRE_BAD_PROTOCOL] = "bad-protocol",
		[PPTP_GRE_BAD_LENGTH] = "bad-length",
	};

	return (unsigned int)s < PPTP_GRE_STATUS_COUNT ? names[s] : "?";
}
