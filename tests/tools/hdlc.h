/* SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause */
/*
 * Async-HDLC-like framing of PPP (RFC 1662), as pppd, pptp and pptpctrl
 * speak it on their ttys: 0x7e flags, 0x7d escapes (every byte below 0x20
 * is escaped, the default ACCM), FCS-16 sent low byte first.
 */
#ifndef PPTP_TOOLS_HDLC_H
#define PPTP_TOOLS_HDLC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define HDLC_FLAG	0x7e
#define HDLC_ESC	0x7d
#define HDLC_MAX	8192		/* largest frame, FCS included */

/* Worst case on the wire for an n byte payload: all escaped, and flags. */
#define HDLC_ENC_MAX(n)	(2 * ((n) + 2) + 2)

/*
 * A decoded frame: the payload without FCS.  ok is false when the frame
 * was damaged (bad FCS, too short, too long, or a dangling escape).
 */
typedef void (*hdlc_frame_fn)(void *ctx, const uint8_t *payload, size_t len,
			      bool ok);

struct hdlc_dec {
	uint8_t buf[HDLC_MAX];
	size_t len;
	bool esc;
	bool overflow;
};

void hdlc_dec_init(struct hdlc_dec *d);
void hdlc_feed(struct hdlc_dec *d, const uint8_t *in, size_t n,
	       hdlc_frame_fn fn, void *ctx);
size_t hdlc_encode(uint8_t *out, const uint8_t *payload, size_t len);
uint16_t hdlc_fcs(uint16_t fcs, const uint8_t *p, size_t len);

#endif
