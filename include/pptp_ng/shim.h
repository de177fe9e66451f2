/* SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause */
/*
 * The only place the shared core touches its environment.  The core is
 * compiled into the kernel module, the daemon and the inspector, so it uses
 * nothing but fixed-width types and byte copies; everything else (memory,
 * locking, time, output) is the caller's.
 */
#ifndef PPTP_NG_SHIM_H
#define PPTP_NG_SHIM_H

#ifdef __KERNEL__
#include <linux/types.h>
#include <linux/string.h>
#else
#include <stdint.h>
#include <string.h>
typedef uint8_t u8;
typedef uint16_t u16;
typedef uint32_t u32;
typedef uint64_t u64;
typedef int32_t s32;
#endif
#ifndef __always_inline			/* glibc's sys/cdefs.h has it too */
#define __always_inline inline __attribute__((__always_inline__))
#endif

/* Wire integers are read byte by byte: no alignment or endianness games. */
static inline u16 pptp_get16(const u8 *p)
{
	return (u16)((p[0] << 8) | p[1]);
}

static inline u32 pptp_get32(const u8 *p)
{
	return ((u32)p[0] << 24) | ((u32)p[1] << 16) | ((u32)p[2] << 8) | p[3];
}

static inline void pptp_put16(u8 *p, u16 v)
{
	p[0] = (u8)(v >> 8);
	p[1] = (u8)v;
}

static inline void pptp_put32(u8 *p, u32 v)
{
	p[0] = (u8)(v >> 24);
	p[1] = (u8)(v >> 16);
	p[2] = (u8)(v >> 8);
	p[3] = (u8)v;
}

#define PPTP_ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

#endif /* PPTP_NG_SHIM_H */
