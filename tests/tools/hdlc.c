// SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
/*
 * Async-HDLC-like framing of PPP (RFC 1662), shared by fake-pppd and
 * pptp-echo.  See hdlc.h.
 */
#include <string.h>

#include "hdlc.h"

#define FCS_INIT	0xffff
#define FCS_GOOD	0xf0b8	/* residue over payload + transmitted FCS */

/* Bitwise CRC-CCITT, reflected (RFC 1662 appendix C, without the table). */
uint16_t hdlc_fcs(uint16_t fcs, const uint8_t *p, size_t len)
{
	int i;

	while (len--) {
		fcs ^= *p++;
		for (i = 0; i < 8; i++)
			fcs = (fcs & 1) ? (fcs >> 1) ^ 0x8408 : fcs >> 1;
	}
	return fcs;
}

void hdlc_dec_init(struct hdlc_dec *d)
{
	memset(d, 0, sizeof(*d));
}

static void hdlc_end_frame(struct hdlc_dec *d, hdlc_frame_fn fn, void *ctx)
{
	bool ok;

	/* Back-to-back flags are just idle fill between frames. */
	if (d->len == 0 && !d->esc && !d->overflow)
		return;
	ok = d->len >= 4 && !d->esc && !d->overflow &&
	     hdlc_fcs(FCS_INIT, d->buf, d->len) == FCS_GOOD;
	fn(ctx, d->buf, d->len >= 2 ? d->len - 2 : 0, ok);
	d->len = 0;
	d->esc = false;
	d->overflow = false;
}

void hdlc_feed(struct hdlc_dec *d, const uint8_t *in, size_t n,
	       hdlc_frame_fn fn, void *ctx)
{
	uint8_t c;

	while (n--) {
		c = *in++;
		if (c == HDLC_FLAG) {
			hdlc_end_frame(d, fn, ctx);
			continue;
		}
		if (c == HDLC_ESC && !d->esc) {
			d->esc = true;
			continue;
		}
		if (d->esc) {
			c ^= 0x20;
			d->esc = false;
		}
		if (d->len < sizeof(d->buf))
			d->buf[d->len++] = c;
		else
			d->overflow = true;
	}
}

static size_t hdlc_put(uint8_t *out, size_t pos, uint8_t c)
{
	if (c < 0x20 || c == HDLC_FLAG || c == HDLC_ESC) {
		out[pos++] = HDLC_ESC;
		c ^= 0x20;
	}
	out[pos++] = c;
	return pos;
}

/* out must hold HDLC_ENC_MAX(len) bytes; returns the bytes used. */
size_t hdlc_encode(uint8_t *out, const uint8_t *payload, size_t len)
{
	uint16_t fcs = hdlc_fcs(FCS_INIT, payload, len) ^ 0xffff;
	size_t i, pos = 0;

	out[pos++] = HDLC_FLAG;
	for (i = 0; i < len; i++)
		pos = hdlc_put(out, pos, payload[i]);
	pos = hdlc_put(out, pos, fcs & 0xff);
	pos = hdlc_put(out, pos, fcs >> 8);
	out[pos++] = HDLC_FLAG;
	return pos;
}
