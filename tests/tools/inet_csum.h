/* SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause */
/* The Internet checksum (RFC 1071), for the test tools that forge packets. */
#ifndef PPTP_TOOLS_INET_CSUM_H
#define PPTP_TOOLS_INET_CSUM_H

#include <stddef.h>
#include <stdint.h>

/* Add @len bytes at @p to a running one's-complement sum. */
static inline uint32_t inet_sum(uint32_t sum, const uint8_t *p, size_t len)
{
	size_t i;

	for (i = 0; i + 1 < len; i += 2)
		sum += (uint32_t)(p[i] << 8 | p[i + 1]);
	if (len & 1)
		sum += (uint32_t)p[len - 1] << 8;
	return sum;
}

/* The checksum field's value for a running sum. */
static inline uint16_t inet_fold(uint32_t sum)
{
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

#endif /* PPTP_TOOLS_INET_CSUM_H */
