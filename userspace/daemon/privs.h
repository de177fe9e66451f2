/* SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause */
/*
 * Who pptp-ngd runs as: root while it sets up, then its own user with
 * CAP_NET_ADMIN alone (privs.c); and the one program it runs, nft(8),
 * by absolute path.  The control socket's clients (ctl.c) are polled by
 * the main loop.
 */
#ifndef NGD_PRIVS_H
#define NGD_PRIVS_H

#include <poll.h>
#include <stdbool.h>
#include <sys/types.h>

#define NGD_DEFAULT_USER	"pptp-ngd"
#define NGD_NFT			"/usr/sbin/nft"	/* never looked up in PATH */

int privs_resolve(const char *user);
bool privs_unprivileged(void);
gid_t privs_gid(void);
int privs_drop(void);
int ngd_nft(const char *file, const char *text);

/* ctl.c: clients still being answered, polled for POLLOUT. */
#define CTL_CLIENTS		16
unsigned int ctl_pollfds(struct pollfd *pfd);
void ctl_service(const struct pollfd *pfd, unsigned int n);

#endif /* NGD_PRIVS_H */
