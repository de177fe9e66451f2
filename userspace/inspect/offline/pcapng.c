// SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
/*
 * A small pcapng reader for files libpcap refuses: libpcap wants every
 * interface of a pcapng file to share one link type and snapshot length,
 * and real captures (PcapPlusPlus' test files, multi-interface dumpcap
 * runs) do not.  Each packet here is decoded with its own interface's
 * link type.  Only what the inspector needs: SHB, IDB (with if_tsresol),
 * EPB, SPB and the obsolete PB; every length is checked.
 */
#include <stdlib.h>
#include "inspect.h"

#define BT_SHB		0x0A0D0D0Au
#define BT_IDB		1
#define BT_PB		2
#define BT_SPB		3
#define BT_EPB		6
#define BLOCK_MAX	(16u << 20)
#define IFACES_MAX	256

struct ng_iface {
	int linktype;
	double tsunit;
};

struct ng {
	FILE *f;
	int swap;
	struct ng_iface ifs[IFACES_MAX];
	u32 n_ifs;
};

static u32 ng32(const struct ng *n, const u8 *p)
{
	return n->swap ? pptp_get32(p) :
	       (u32)p[0] | (u32)p[1] << 8 | (u32)p[2] << 16 | (u32)p[3] << 24;
}

static u16 ng16(const struct ng *n, const u8 *p)
{
	return n->swap ? pptp_get16(p) : (u16)(p[0] | p[1] << 8);
}

/* LINKTYPE_ values as libpcap's DLT_ values, for the types we decode. */
static int dlt_of(int linktype)
{
	return linktype == 101 ? 12 /* DLT_RAW */ : linktype;
}

static void idb(struct ng *n, const u8 *b, u32 len)
{
	struct ng_iface *i;
	u32 off = 16;

	if (n->n_ifs >= IFACES_MAX || len < 20)
		return;
	i = &n->ifs[n->n_ifs++];
	i->linktype = dlt_of(ng16(n, b + 8));
	i->tsunit = 1e-6;
	while (off + 4 <= len - 4) {
		u16 code = ng16(n, b + off), olen = ng16(n, b + off + 2);

		if (!code || off + 4 + olen > len - 4)
			break;
		if (code == 9 && olen >= 1) {
			u8 r = b[off + 4];
			double u = 1;
			unsigned int k;

			for (k = 0; k < (r & 0x7f) && k < 64; k++)
				u /= (r & 0x80) ? 2 : 10;
			i->tsunit = u;
		}
		off += 4 + ((olen + 3u) & ~3u);
	}
}

static void packet(struct insp_capture *cap, const struct ng *n, u32 iface, u64 ts,
		   const u8 *data, u32 caplen)
{
	if (iface >= n->n_ifs) {
		cap->undecoded++;
		return;
	}
	cap->frame++;
	cap->packets++;
	cap->linktype = n->ifs[iface].linktype;
	cap->ts = (double)ts * n->ifs[iface].tsunit;
	insp_link_packet(cap, data, caplen);
}

/* -1 when the block contradicts itself. */
static int block(struct insp_capture *cap, struct ng *n, u32 type, const u8 *b, u32 len)
{
	u32 caplen;

	switch (type) {
	case BT_IDB:
		idb(n, b, len);
		break;
	case BT_EPB:
	case BT_PB:
		if (len < 32)
			return -1;
		caplen = ng32(n, b + 20);
		if (caplen > len - 32)
			return -1;	/* would be read past the block */
		packet(cap, n, type == BT_EPB ? ng32(n, b + 8) : ng16(n, b + 8),
		       (u64)ng32(n, b + 12) << 32 | ng32(n, b + 16), b + 28, caplen);
		break;
	case BT_SPB:
		if (len < 16)
			return -1;
		/* An SPB's length is the packet's on the wire: the block may hold less. */
		caplen = ng32(n, b + 8);
		if (caplen > len - 16)
			caplen = len - 16;
		packet(cap, n, 0, 0, b + 12, caplen);
		break;
	}
	return 0;
}

int insp_read_pcapng(struct insp_capture *cap, const char *file, char *err, size_t errlen)
{
	FILE *f = fopen(file, "rb");
	int rc;

	if (!f) {
		snprintf(err, errlen, "%s: cannot open", file);
		return -1;
	}
	rc = insp_read_pcapng_fp(cap, f, err, errlen);
	fclose(f);
	return rc;
}

int insp_read_pcapng_fp(struct insp_capture *cap, FILE *f, char *err, size_t errlen)
{
	struct ng n = { .f = f };
	const char *file = cap->file;
	u8 hdr[12], *b = NULL;
	int rc = 0, seen_shb = 0;

	cap->linkname = "pcapng";
	insp_progress_begin(cap, f);
	while (fread(hdr, 1, 8, n.f) == 8) {
		u32 type = pptp_get32(hdr), len;

		if (type == BT_SHB) {
			if (fread(hdr + 8, 1, 4, n.f) != 4)
				break;
			n.swap = pptp_get32(hdr + 8) == 0x1A2B3C4D;
			n.n_ifs = 0;	/* interfaces are per section */
			seen_shb = 1;
			len = ng32(&n, hdr + 4);
			if (len < 28 || len > BLOCK_MAX || fseek(n.f, len - 12, SEEK_CUR)) {
				rc = 1;
				break;
			}
			continue;
		}
		if (!seen_shb) {
			snprintf(err, errlen, "%s: not a pcapng file", file);
			return -1;
		}
		type = ng32(&n, hdr);
		len = ng32(&n, hdr + 4);
		if (len < 12 || len > BLOCK_MAX || len % 4) {
			rc = 1;
			break;
		}
		free(b);
		b = malloc(len);
		if (!b) {
			rc = 1;
			break;
		}
		memcpy(b, hdr, 8);
		if (fread(b + 8, 1, len - 8, n.f) != len - 8) {
			rc = 1;
			break;
		}
		if (block(cap, &n, type, b, len)) {
			rc = 1;
			break;
		}
		insp_progress_tick(cap);
	}
	insp_progress_end(cap);
	if (rc)
		snprintf(err, errlen, "%s: truncated or corrupt pcapng block", file);
	free(b);
	insp_capture_end(cap);
	return rc;
}
