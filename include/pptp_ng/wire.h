/* SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause */
/*
 * PPTP wire format (RFC 2637): the control messages carried on TCP 1723 and
 * the enhanced GRE (version 1) header of the data channel.
 *
 * Fields are described by byte offsets from the start of a control message
 * rather than packed structs, so the same definitions serve the kernel, the
 * daemon and the inspector on any architecture.
 */
#ifndef PPTP_NG_WIRE_H
#define PPTP_NG_WIRE_H

#include "shim.h"

#define PPTP_TCP_PORT		1723
#define PPTP_MAGIC		0x1A2B3C4Du
#define PPTP_PROTOCOL_VERSION	0x0100
#define PPTP_MSG_CONTROL	1	/* PPTP Message Type */
#define PPTP_MSG_MANAGEMENT	2	/* defined, never specified: invalid */
#define PPTP_HDR_LEN		12
#define PPTP_MSG_MAX_LEN	220	/* ICRQ, the longest message */

/* Control Message Types */
enum pptp_ctrl_type {
	PPTP_SCCRQ = 1,		/* Start-Control-Connection-Request */
	PPTP_SCCRP = 2,		/* Start-Control-Connection-Reply */
	PPTP_STOPCCRQ = 3,	/* Stop-Control-Connection-Request */
	PPTP_STOPCCRP = 4,	/* Stop-Control-Connection-Reply */
	PPTP_ECHORQ = 5,	/* Echo-Request */
	PPTP_ECHORP = 6,	/* Echo-Reply */
	PPTP_OCRQ = 7,		/* Outgoing-Call-Request */
	PPTP_OCRP = 8,		/* Outgoing-Call-Reply */
	PPTP_ICRQ = 9,		/* Incoming-Call-Request */
	PPTP_ICRP = 10,		/* Incoming-Call-Reply */
	PPTP_ICCN = 11,		/* Incoming-Call-Connected */
	PPTP_CCRQ = 12,		/* Call-Clear-Request */
	PPTP_CDN = 13,		/* Call-Disconnect-Notify */
	PPTP_WEN = 14,		/* WAN-Error-Notify */
	PPTP_SLI = 15,		/* Set-Link-Info */
};
#define PPTP_CTRL_TYPE_MAX	15

/* Header: every control message starts with these. */
#define PPTP_OFF_LENGTH		0
#define PPTP_OFF_MSG_TYPE	2
#define PPTP_OFF_MAGIC		4
#define PPTP_OFF_CTRL_TYPE	8
#define PPTP_OFF_RESERVED0	10

/* Per-type lengths (the Length field must equal these). */
#define PPTP_SCCRQ_LEN		156
#define PPTP_SCCRP_LEN		156
#define PPTP_STOPCCRQ_LEN	16
#define PPTP_STOPCCRP_LEN	16
#define PPTP_ECHORQ_LEN		16
#define PPTP_ECHORP_LEN		20
#define PPTP_OCRQ_LEN		168
#define PPTP_OCRP_LEN		32
#define PPTP_ICRQ_LEN		220
#define PPTP_ICRP_LEN		24
#define PPTP_ICCN_LEN		28
#define PPTP_CCRQ_LEN		16
#define PPTP_CDN_LEN		148
#define PPTP_WEN_LEN		40
#define PPTP_SLI_LEN		24

/* SCCRQ and SCCRP share their layout up to the result code. */
#define PPTP_SCC_OFF_VERSION		12
#define PPTP_SCCRQ_OFF_RESERVED1	14	/* 16 bits */
#define PPTP_SCCRP_OFF_RESULT		14	/* 8 bits */
#define PPTP_SCCRP_OFF_ERROR		15	/* 8 bits */
#define PPTP_SCC_OFF_FRAMING_CAPS	16
#define PPTP_SCC_OFF_BEARER_CAPS	20
#define PPTP_SCC_OFF_MAX_CHANNELS	24
#define PPTP_SCC_OFF_FIRMWARE		26
#define PPTP_SCC_OFF_HOSTNAME		28	/* 64 bytes */
#define PPTP_SCC_OFF_VENDOR		92	/* 64 bytes */

#define PPTP_STOPCCRQ_OFF_REASON	12	/* 8 bits */
#define PPTP_STOPCCRQ_OFF_RESERVED1	13	/* 8 bits */
#define PPTP_STOPCCRQ_OFF_RESERVED2	14	/* 16 bits */
#define PPTP_STOPCCRP_OFF_RESULT	12
#define PPTP_STOPCCRP_OFF_ERROR		13
#define PPTP_STOPCCRP_OFF_RESERVED1	14	/* 16 bits */

#define PPTP_ECHO_OFF_IDENT		12	/* 32 bits */
#define PPTP_ECHORP_OFF_RESULT		16
#define PPTP_ECHORP_OFF_ERROR		17
#define PPTP_ECHORP_OFF_RESERVED1	18	/* 16 bits */

#define PPTP_OCRQ_OFF_CALL_ID		12
#define PPTP_OCRQ_OFF_SERIAL		14
#define PPTP_OCRQ_OFF_MIN_BPS		16
#define PPTP_OCRQ_OFF_MAX_BPS		20
#define PPTP_OCRQ_OFF_BEARER		24
#define PPTP_OCRQ_OFF_FRAMING		28
#define PPTP_OCRQ_OFF_WINDOW		32
#define PPTP_OCRQ_OFF_DELAY		34
#define PPTP_OCRQ_OFF_PHONE_LEN		36
#define PPTP_OCRQ_OFF_RESERVED1		38	/* 16 bits */
#define PPTP_OCRQ_OFF_PHONE		40	/* 64 bytes */
#define PPTP_OCRQ_OFF_SUBADDR		104	/* 64 bytes */

#define PPTP_OCRP_OFF_CALL_ID		12
#define PPTP_OCRP_OFF_PEER_ID		14
#define PPTP_OCRP_OFF_RESULT		16
#define PPTP_OCRP_OFF_ERROR		17
#define PPTP_OCRP_OFF_CAUSE		18
#define PPTP_OCRP_OFF_SPEED		20
#define PPTP_OCRP_OFF_WINDOW		24
#define PPTP_OCRP_OFF_DELAY		26
#define PPTP_OCRP_OFF_CHANNEL		28

#define PPTP_ICRQ_OFF_CALL_ID		12
#define PPTP_ICRQ_OFF_SERIAL		14
#define PPTP_ICRQ_OFF_BEARER		16
#define PPTP_ICRQ_OFF_CHANNEL		20
#define PPTP_ICRQ_OFF_DIALED_LEN	24
#define PPTP_ICRQ_OFF_DIALING_LEN	26
#define PPTP_ICRQ_OFF_DIALED		28	/* 64 bytes */
#define PPTP_ICRQ_OFF_DIALING		92	/* 64 bytes */
#define PPTP_ICRQ_OFF_SUBADDR		156	/* 64 bytes */

#define PPTP_ICRP_OFF_CALL_ID		12
#define PPTP_ICRP_OFF_PEER_ID		14
#define PPTP_ICRP_OFF_RESULT		16
#define PPTP_ICRP_OFF_ERROR		17
#define PPTP_ICRP_OFF_WINDOW		18
#define PPTP_ICRP_OFF_DELAY		20
#define PPTP_ICRP_OFF_RESERVED1		22	/* 16 bits */

#define PPTP_ICCN_OFF_PEER_ID		12
#define PPTP_ICCN_OFF_RESERVED1		14	/* 16 bits */
#define PPTP_ICCN_OFF_SPEED		16
#define PPTP_ICCN_OFF_WINDOW		20
#define PPTP_ICCN_OFF_DELAY		22
#define PPTP_ICCN_OFF_FRAMING		24

#define PPTP_CCRQ_OFF_CALL_ID		12
#define PPTP_CCRQ_OFF_RESERVED1		14	/* 16 bits */

#define PPTP_CDN_OFF_CALL_ID		12
#define PPTP_CDN_OFF_RESULT		14
#define PPTP_CDN_OFF_ERROR		15
#define PPTP_CDN_OFF_CAUSE		16
#define PPTP_CDN_OFF_RESERVED1		18	/* 16 bits */
#define PPTP_CDN_OFF_STATS		20	/* 128 bytes */

#define PPTP_WEN_OFF_PEER_ID		12
#define PPTP_WEN_OFF_RESERVED1		14	/* 16 bits */
#define PPTP_WEN_OFF_CRC_ERRORS		16
#define PPTP_WEN_OFF_FRAMING_ERRORS	20
#define PPTP_WEN_OFF_HW_OVERRUNS	24
#define PPTP_WEN_OFF_BUF_OVERRUNS	28
#define PPTP_WEN_OFF_TIMEOUTS		32
#define PPTP_WEN_OFF_ALIGNMENT		36

#define PPTP_SLI_OFF_PEER_ID		12
#define PPTP_SLI_OFF_RESERVED1		14	/* 16 bits */
#define PPTP_SLI_OFF_SEND_ACCM		16
#define PPTP_SLI_OFF_RECV_ACCM		20

/* Result codes that mean "yes" in the replies the tracker acts on. */
#define PPTP_SCCRP_OK		1
#define PPTP_STOPCCRP_OK	1
#define PPTP_OCRP_CONNECTED	1
#define PPTP_ICRP_CONNECT	1

/* Highest defined result code per reply, for the inspector's range checks. */
#define PPTP_SCCRP_RESULT_MAX	5
#define PPTP_STOPCCRP_RESULT_MAX 2
#define PPTP_ECHORP_RESULT_MAX	2
#define PPTP_OCRP_RESULT_MAX	7
#define PPTP_ICRP_RESULT_MAX	3
#define PPTP_CDN_RESULT_MAX	4

/*
 * Enhanced GRE (RFC 2637 section 4.1): the key holds the payload length in
 * its upper half and the receiver's call ID in its lower half.  Sequence and
 * acknowledgment numbers are optional; a packet with only an acknowledgment
 * carries no payload.
 */
#define PPTP_GRE_PROTO_PPP	0x880B
#define PPTP_GRE_FLAG_C		0x80	/* first flags byte */
#define PPTP_GRE_FLAG_R		0x40
#define PPTP_GRE_FLAG_K		0x20
#define PPTP_GRE_FLAG_S		0x10
#define PPTP_GRE_FLAG_s		0x08
#define PPTP_GRE_RECUR_MASK	0x07
#define PPTP_GRE_FLAG_A		0x80	/* second flags byte */
#define PPTP_GRE_FLAGS2_MASK	0x78
#define PPTP_GRE_VERSION_MASK	0x07
#define PPTP_GRE_VERSION_0	0
#define PPTP_GRE_VERSION_PPTP	1
#define PPTP_GRE_V1_BASE_LEN	8	/* flags, protocol, key */
#define PPTP_GRE_OFF_CALL_ID	6	/* the key's call ID, after the payload length */
#define PPTP_GRE_V1_MAX_LEN	16	/* plus sequence and acknowledgment */

enum pptp_gre_status {
	PPTP_GRE_OK = 0,
	PPTP_GRE_TRUNCATED,	/* shorter than its own flags say */
	PPTP_GRE_VERSION0,	/* plain GRE: not PPTP, leave it alone */
	PPTP_GRE_BAD_VERSION,	/* neither 0 nor 1 */
	PPTP_GRE_BAD_FLAGS,	/* C, R, s, recursion or byte 1 flags set, or K clear */
	PPTP_GRE_BAD_PROTOCOL,	/* not PPP (0x880B) */
	PPTP_GRE_BAD_LENGTH,	/* payload length disagrees with the packet */
	PPTP_GRE_STATUS_COUNT
};

struct pptp_gre {
	u16 payload_len;	/* from the key */
	u16 call_id;		/* the receiver's call ID */
	u8 has_seq;
	u8 has_ack;
	u32 seq;
	u32 ack;
	u16 hdr_len;		/* bytes before the PPP payload */
};

/*
 * Parse a GRE header at @p (@len bytes to the end of the IP payload).
 * PPTP_GRE_BAD_LENGTH is returned, with @g filled, when the key's payload
 * length exceeds what follows the header; callers that see a truncated
 * capture may still use @g.
 */
enum pptp_gre_status pptp_gre_parse(const u8 *p, u32 len, struct pptp_gre *g);

/* Write a GRE v1 header for @g into @p (room for PPTP_GRE_V1_MAX_LEN); returns its length. */
u16 pptp_gre_build(u8 *p, const struct pptp_gre *g);

const char *pptp_gre_status_name(enum pptp_gre_status s);

enum pptp_role {
	PPTP_PNS = 0,		/* network server: places outgoing calls */
	PPTP_PAC = 1,		/* access concentrator: the "server" side */
	PPTP_ROLE_UNKNOWN = 2,
};

/*
 * What the RFC says of each control message: its length, who sends it,
 * where the call IDs sit and which fields must be zero.  Call ID fields
 * come in two kinds: the sender's own Call ID, and the receiver's ID (the
 * "Peer's Call ID").  CDN's Call ID is the sender's by the RFC, but real
 * PACs put the PNS's ID there; the tracker resolves it per message.
 */
struct pptp_msg_desc {
	u16 len;
	u8 sender;		/* enum pptp_role; PPTP_ROLE_UNKNOWN: either side */
	u8 own_off;		/* offset of the sender's Call ID, 0 if none */
	u8 peer_off;		/* offset of the receiver's Call ID, 0 if none */
	u8 result_off;		/* offset of the Result Code, 0 if none */
	u8 result_max;		/* highest Result Code the RFC defines */
	u8 n_reserved;
	struct {
		u8 off;
		u8 len;
	} reserved[3];		/* must-be-zero fields after the header: 1 or 2 bytes each */
	u8 ids_end;		/* where the last call ID field ends, 0 if none */
};

/* Indexed by control message type; entry 0 is unused (zero length). */
extern const struct pptp_msg_desc pptp_msg_descs[PPTP_CTRL_TYPE_MAX + 1];

/* The description of @type, NULL when the type is unknown.  Inline: every message asks. */
static inline const struct pptp_msg_desc *pptp_msg_desc(u16 type)
{
	if (type == 0 || type > PPTP_CTRL_TYPE_MAX)
		return NULL;
	return &pptp_msg_descs[type];
}

/*
 * Zero @buf and write a valid header for @type (length, message type,
 * cookie).  Returns the message length, or 0 for an unknown type.  The
 * caller then fills the type's fields with pptp_put16/pptp_put32.
 */
u16 pptp_msg_init(u8 *buf, u16 type);

/* The RFC's length for @type, 0 when the type is unknown. */
u16 pptp_msg_len(u16 type);

/* Short name ("OCRQ") and RFC name ("Outgoing-Call-Request"); "?" if unknown. */
const char *pptp_msg_name(u16 type);
const char *pptp_msg_long_name(u16 type);

/*
 * The Internet checksum (RFC 1071), for the faces and tools that write
 * IP, TCP and GRE packets themselves: add @len bytes at @p to a running
 * one's-complement sum, then fold it into the checksum field's value.
 */
static inline u32 pptp_csum_add(u32 sum, const u8 *p, u32 len)
{
	u32 i;

	for (i = 0; i + 1 < len; i += 2)
		sum += (u32)(p[i] << 8 | p[i + 1]);
	if (len & 1)
		sum += (u32)p[len - 1] << 8;
	return sum;
}

static inline u16 pptp_csum_fold(u32 sum)
{
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (u16)~sum;
}

#endif /* PPTP_NG_WIRE_H */
