// SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
/*
 * Reading captures: libpcap offline (pcap and pcapng, "-" for stdin), link
 * layers down to IP, IPv4 and IPv6 (extension headers skipped), tunnels
 * of IP in IP, then TCP to session.c and GRE to gre.c.  Every length is
 * checked against what was captured: a short packet is counted, never read
 * past.
 */
#include <arpa/inet.h>
#include <pcap/pcap.h>
#include <stdlib.h>
#include <string.h>
#include "inspect.h"

#define ETH_P_IP	0x0800
#define ETH_P_IPV6	0x86DD
#define ETH_P_8021Q	0x8100
#define ETH_P_8021AD	0x88A8
#define ETH_P_QINQ	0x9100
#define IP_DEPTH_MAX	4	/* tunnels within tunnels */
#define READ_BUF	(1 << 20)	/* stdio buffer of a capture file */

#ifndef DLT_LINUX_SLL2
#define DLT_LINUX_SLL2	276
#endif
#ifndef DLT_IPV4
#define DLT_IPV4	228
#endif
#ifndef DLT_IPV6
#define DLT_IPV6	229
#endif

int insp_addr_eq(const struct insp_addr *a, const struct insp_addr *b)
{
	return a->family == b->family &&
	       !memcmp(a->a, b->a, a->family == 4 ? 4 : 16);
}

const char *insp_addr_str(const struct insp_addr *a, char *buf, size_t len)
{
	if (!inet_ntop(a->family == 4 ? AF_INET : AF_INET6, a->a, buf, (socklen_t)len))
		snprintf(buf, len, "?");
	return buf;
}

static void ip_packet(struct insp_capture *cap, const u8 *p, u32 len, int depth);

static void l4_packet(struct insp_capture *cap, struct insp_pkt *pkt, int depth)
{
	switch (pkt->proto) {
	case 6:
		insp_tcp_packet(cap, pkt);
		break;
	case 47:
		insp_gre_packet(cap, pkt);
		break;
	case 4:
	case 41:
		ip_packet(cap, pkt->l4, pkt->l4_len, depth + 1);
		break;
	default:
		cap->other_ip++;
	}
}

static void ipv4_packet(struct insp_capture *cap, const u8 *p, u32 len, int depth)
{
	struct insp_pkt pkt = { .frame = cap->frame, .ts = cap->ts };
	u32 hl, tot;
	u16 frag;

	if (len < 20 || (hl = (p[0] & 0x0f) * 4u) < 20 || hl > len) {
		cap->truncated++;
		return;
	}
	tot = pptp_get16(p + 2);
	if (tot < hl) {
		cap->undecoded++;
		return;
	}
	frag = pptp_get16(p + 6);
	if (frag & 0x3fff) {		/* MF or an offset: not reassembled */
		cap->fragments++;
		return;
	}
	pkt.src.family = pkt.dst.family = 4;
	memcpy(pkt.src.a, p + 12, 4);
	memcpy(pkt.dst.a, p + 16, 4);
	pkt.proto = p[9];
	pkt.l4 = p + hl;
	pkt.l4_wire_len = tot - hl;
	pkt.l4_len = (tot < len ? tot : len) - hl;
	l4_packet(cap, &pkt, depth);
}

static void ipv6_packet(struct insp_capture *cap, const u8 *p, u32 len, int depth)
{
	struct insp_pkt pkt = { .frame = cap->frame, .ts = cap->ts };
	u32 off = 40, end, wire;
	u8 nh;

	if (len < 40) {
		cap->truncated++;
		return;
	}
	wire = 40 + pptp_get16(p + 4);
	end = wire < len ? wire : len;
	nh = p[6];
	for (;;) {
		u32 hl;

		if (nh != 0 && nh != 43 && nh != 44 && nh != 60 && nh != 51)
			break;
		if (off + 8 > end) {
			cap->truncated++;
			return;
		}
		if (nh == 44) {
			/* Only a whole datagram (offset 0, no M) can be read. */
			if (pptp_get16(p + off + 2) & 0xfff9) {
				cap->fragments++;
				return;
			}
			hl = 8;
		} else if (nh == 51) {
			hl = (p[off + 1] + 2u) * 4;
		} else {
			hl = (p[off + 1] + 1u) * 8;
		}
		nh = p[off];
		off += hl;
	}
	if (off > end) {
		cap->truncated++;
		return;
	}
	pkt.src.family = pkt.dst.family = 6;
	memcpy(pkt.src.a, p + 8, 16);
	memcpy(pkt.dst.a, p + 24, 16);
	pkt.proto = nh;
	pkt.l4 = p + off;
	pkt.l4_len = end - off;
	pkt.l4_wire_len = wire > off ? wire - off : 0;
	l4_packet(cap, &pkt, depth);
}

static void ip_packet(struct insp_capture *cap, const u8 *p, u32 len, int depth)
{
	if (depth > IP_DEPTH_MAX || len < 1) {
		cap->undecoded++;
		return;
	}
	if (p[0] >> 4 == 4)
		ipv4_packet(cap, p, len, depth);
	else if (p[0] >> 4 == 6)
		ipv6_packet(cap, p, len, depth);
	else
		cap->undecoded++;
}

static void ethertype_packet(struct insp_capture *cap, u16 type, const u8 *p, u32 len)
{
	if (type == ETH_P_IP || type == ETH_P_IPV6)
		ip_packet(cap, p, len, 0);
	else
		cap->undecoded++;
}

static void ether_packet(struct insp_capture *cap, const u8 *p, u32 len)
{
	u32 off = 12;
	u16 type;

	for (;;) {
		if (off + 2 > len) {
			cap->truncated++;
			return;
		}
		type = pptp_get16(p + off);
		off += 2;
		if (type != ETH_P_8021Q && type != ETH_P_8021AD && type != ETH_P_QINQ)
			break;
		off += 2;	/* the tag's TCI */
	}
	ethertype_packet(cap, type, p + off, len - off);
}

/* DLT_NULL carries the host's AF_ value in its own byte order: try both. */
static void null_packet(struct insp_capture *cap, const u8 *p, u32 len, int big)
{
	u32 af;

	if (len < 4) {
		cap->truncated++;
		return;
	}
	af = big ? pptp_get32(p) : (u32)p[0] | (u32)p[1] << 8 | (u32)p[2] << 16 | (u32)p[3] << 24;
	if (!big && af > 0xffff)
		af = pptp_get32(p);
	switch (af) {
	case 2:				/* AF_INET everywhere */
	case 10: case 24: case 28: case 30:	/* AF_INET6: Linux, BSDs, macOS */
		ip_packet(cap, p + 4, len - 4, 0);
		break;
	default:
		cap->undecoded++;
	}
}

void insp_link_packet(struct insp_capture *cap, const u8 *p, u32 len)
{
	switch (cap->linktype) {
	case DLT_EN10MB:
		ether_packet(cap, p, len);
		break;
	case DLT_LINUX_SLL:
		if (len < 16)
			cap->truncated++;
		else
			ethertype_packet(cap, pptp_get16(p + 14), p + 16, len - 16);
		break;
	case DLT_LINUX_SLL2:
		if (len < 20)
			cap->truncated++;
		else
			ethertype_packet(cap, pptp_get16(p), p + 20, len - 20);
		break;
	case DLT_RAW:
	case DLT_IPV4:
	case DLT_IPV6:
		ip_packet(cap, p, len, 0);
		break;
	case DLT_NULL:
		null_packet(cap, p, len, 0);
		break;
	case DLT_LOOP:
		null_packet(cap, p, len, 1);
		break;
	default:
		cap->undecoded++;
	}
}

static int link_supported(int dlt)
{
	return dlt == DLT_EN10MB || dlt == DLT_LINUX_SLL || dlt == DLT_LINUX_SLL2 ||
	       dlt == DLT_RAW || dlt == DLT_IPV4 || dlt == DLT_IPV6 ||
	       dlt == DLT_NULL || dlt == DLT_LOOP;
}

/* libpcap refuses some valid pcapng files (mixed interfaces): read those ourselves. */
static int is_pcapng(const char *file)
{
	u8 magic[4] = { 0 };
	FILE *f;
	int ok;

	if (!strcmp(file, "-"))
		return 0;
	f = fopen(file, "rb");
	if (!f)
		return 0;
	ok = fread(magic, 1, 4, f) == 4 && pptp_get32(magic) == 0x0A0D0D0A;
	fclose(f);
	return ok;
}

/* Decode every packet of an open capture; 1 when reading stopped on an error. */
int insp_read_pcap(struct insp_capture *cap, pcap_t *pc, char *err, size_t errlen)
{
	struct pcap_pkthdr *h;
	const u_char *data;
	int rc;

	cap->linktype = pcap_datalink(pc);
	cap->linkname = pcap_datalink_val_to_name(cap->linktype);
	if (!cap->linkname)
		cap->linkname = "unknown";
	if (!link_supported(cap->linktype)) {
		snprintf(err, errlen, "%s: link type %d (%s) is not supported", cap->file,
			 cap->linktype, cap->linkname);
		return -1;
	}
	insp_progress_begin(cap, pcap_file(pc));
	while ((rc = pcap_next_ex(pc, &h, &data)) == 1) {
		cap->frame++;
		cap->packets++;
		cap->ts = (double)h->ts.tv_sec + h->ts.tv_usec / 1e6;
		insp_link_packet(cap, data, h->caplen);
		insp_progress_tick(cap);
	}
	insp_progress_end(cap);
	if (rc == -1) {
		snprintf(err, errlen, "%s: %s", cap->file, pcap_geterr(pc));
		return 1;
	}
	return 0;
}

/*
 * pcap_open_offline, but reading through a large stdio buffer: libpcap
 * freads each record header and each packet, which with the default
 * buffer is a read(2) every few packets on a large capture.
 */
static pcap_t *open_offline(const char *file, char *perr)
{
	/* One capture is open at a time; the buffer outlives its pcap_close. */
	static char buf[READ_BUF];
	FILE *f = strcmp(file, "-") ? fopen(file, "rb") : NULL;
	pcap_t *pc;

	if (!f || setvbuf(f, buf, _IOFBF, sizeof(buf))) {
		if (f)
			fclose(f);
		return pcap_open_offline(file, perr);	/* with libpcap's own error */
	}
	pc = pcap_fopen_offline(f, perr);
	if (!pc)
		fclose(f);
	return pc;
}

int insp_read_file(struct insp_capture *cap, const char *file, char *err, size_t errlen)
{
	char perr[PCAP_ERRBUF_SIZE] = "";
	pcap_t *pc;
	int rc;

	cap->file = file;
	pc = open_offline(file, perr);
	if (!pc) {
		if (is_pcapng(file))
			return insp_read_pcapng(cap, file, err, errlen);
		/* libpcap names the file itself when it cannot open it. */
		if (!strncmp(perr, file, strlen(file)) && perr[strlen(file)] == ':')
			snprintf(err, errlen, "%s", perr);
		else
			snprintf(err, errlen, "%s: %s", file, perr);
		return -1;
	}
	rc = insp_read_pcap(cap, pc, err, errlen);
	pcap_close(pc);
	if (rc == 1 && cap->packets == 0 && is_pcapng(file))
		return insp_read_pcapng(cap, file, err, errlen);
	if (rc >= 0)
		insp_capture_end(cap);	/* what was read before an error is still reported */
	return rc;
}
