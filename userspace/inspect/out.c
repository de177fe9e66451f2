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
