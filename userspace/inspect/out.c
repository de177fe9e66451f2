// SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
/* Names the printers share. */
#include "out.h"

const char *msg_name_1(unsigned int i)
{
	return pptp_msg_name((u16)(i + 1));
}

const char *gre_name_1(unsigned int i)
{
	return pptp_gre_status_name((enum pptp_gre_status)(i + 1));
}

const char *insp_event_kind(unsigned int kind)
{
	if (kind == INSP_EV_CDN_NO_CCRQ)
		return "cdn-without-ccrq";
	if (kind == INSP_EV_TCP_GAP)
		return "tcp-gap";
	if (kind == INSP_EV_HOLD_BUDGET)
		return "hold-budget";
	return pptp_event_name(kind);
}

const char *insp_event_reason(const struct insp_event *e)
{
	switch (e->kind) {
	case PPTP_EV_INVALID:
		return pptp_invalid_name(e->reason);
	case PPTP_EV_ANOMALY:
		return pptp_anomaly_name(e->reason);
	case PPTP_EV_REFUSED:
		return pptp_refusal_name(e->reason);
	}
	return "";
}

/* RFC 2637's meanings of a Result Code (and of StopCCRQ's Reason), by message. */
const char *insp_result_name(u16 type, int code)
{
	static const char *const sccrp[] = { NULL, "ok", "general-error", "already-exists",
					     "not-authorized", "bad-version" };
	static const char *const stoprq[] = { NULL, "none", "stop-protocol", "local-shutdown" };
	static const char *const ok_err[] = { NULL, "ok", "general-error" };
	static const char *const ocrp[] = { NULL, "connected", "general-error", "no-carrier",
					    "busy", "no-dial-tone", "time-out", "do-not-accept" };
	static const char *const icrp[] = { NULL, "connect", "general-error", "do-not-accept" };
	static const char *const cdn[] = { NULL, "lost-carrier", "general-error",
					   "admin-shutdown", "request" };
	const char *const *t;
	unsigned int n;

#define PICK(tab) (t = (tab), n = PPTP_ARRAY_SIZE(tab))
	switch (type) {
	case PPTP_SCCRP: PICK(sccrp); break;
	case PPTP_STOPCCRQ: PICK(stoprq); break;
	case PPTP_STOPCCRP: case PPTP_ECHORP: PICK(ok_err); break;
	case PPTP_OCRP: PICK(ocrp); break;
	case PPTP_ICRP: PICK(icrp); break;
	case PPTP_CDN: PICK(cdn); break;
	default: return "?";
	}
#undef PICK
	return code > 0 && (unsigned int)code < n ? t[code] : "out-of-range";
}

/* The General Error Code that comes with a result (RFC 2637 2.16 and on). */
const char *insp_error_name(int code)
{
	static const char *const names[] = { "none", "not-connected", "bad-format",
					     "bad-value", "no-resource", "bad-call-id",
					     "pac-error" };

	return code >= 0 && (unsigned int)code < PPTP_ARRAY_SIZE(names) ? names[code] : "?";
}
