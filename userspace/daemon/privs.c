// SPDX-License-Identifier: GPL-2.0-only OR BSD-2-Clause
/*
 * pptp-ngd needs root only to set up: bind its netlink sockets, load its
 * table, create the control socket.  What it does afterwards (queue
 * verdicts, ctnetlink, nf_tables batches, running nft) needs CAP_NET_ADMIN
 * and nothing else, so it then becomes its own user (--user, default
 * pptp-ngd) with that one capability.  A bug in the packet path then
 * gives an attacker a firewall, not the machine.
 *
 * Plain syscalls rather than libcap: one capability, four steps.
 */
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <pwd.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <linux/capability.h>

#include "pptp_ngd.h"
#include "privs.h"

static struct {
	const char *name;
	uid_t uid;
	gid_t gid;
	bool root;	/* --user root (or a uid 0 account): stay root */
} who = { .name = "root", .root = true };

/*
 * Look @user up before anything is set up or the daemon detaches, so a
 * missing account is reported on the terminal.  Falling back to root
 * silently would hide exactly what the administrator asked for.
 */
int privs_resolve(const char *user)
{
	struct passwd *pw;

	who.name = user;
	who.root = !strcmp(user, "root");
	if (who.root)
		return 0;
	errno = 0;
	pw = getpwnam(user);
	if (!pw) {
		if (errno && errno != ENOENT && errno != ESRCH)
			ngd_err("cannot look up user \"%s\": %s", user, strerror(errno));
		else
			ngd_err("user \"%s\" does not exist: create it (useradd --system --user-group --no-create-home --home-dir /nonexistent --shell /usr/sbin/nologin %s), name another with --user, or keep pptp-ngd running as root with --user root",
				user, user);
		return -1;
	}
	who.uid = pw->pw_uid;
	who.gid = pw->pw_gid;
	who.root = who.uid == 0;
	if (!who.root && geteuid() != 0 && getuid() != who.uid) {
		ngd_err("cannot become user \"%s\": pptp-ngd was not started as root (or as that user with CAP_NET_ADMIN)",
			user);
		return -1;
	}
	return 0;
}

/* Whether privs_drop() leaves root for another user. */
bool privs_unprivileged(void)
{
	return !who.root;
}

/* The control socket's group: the daemon user's, so its members may ask. */
gid_t privs_gid(void)
{
	return who.root ? 0 : who.gid;
}

/* Leave CAP_NET_ADMIN alone in the bounding set (needs CAP_SETPCAP). */
static void bset_drop(void)
{
	int cap, in;

	for (cap = 0; (in = prctl(PR_CAPBSET_READ, cap, 0, 0, 0)) >= 0; cap++) {
		if (!in || cap == CAP_NET_ADMIN)
			continue;
		/* without CAP_SETPCAP: no_new_privs below still bars gaining any */
		if (prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) < 0)
			return;
	}
}

/* CAP_NET_ADMIN effective, permitted, inheritable and ambient; nothing else. */
static int caps_set(void)
{
	struct __user_cap_header_struct hdr = { .version = _LINUX_CAPABILITY_VERSION_3 };
	struct __user_cap_data_struct data[_LINUX_CAPABILITY_U32S_3] = { { 0 } };
	const unsigned int bit = 1u << (CAP_NET_ADMIN % 32);

	data[CAP_NET_ADMIN / 32].effective = bit;
	data[CAP_NET_ADMIN / 32].permitted = bit;
	data[CAP_NET_ADMIN / 32].inheritable = bit;
	if (syscall(SYS_capset, &hdr, data) < 0)
		return -1;
	/* ambient: nft(8), which we exec, keeps it too */
	if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) < 0 ||
	    prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_RAISE, CAP_NET_ADMIN, 0, 0) < 0)
		return -1;
	return 0;
}

static int become_user(void)
{
	if (geteuid() != 0)
		return 0;	/* started as the user already (privs_resolve checked) */
	/* keep the permitted set across setuid: caps_set narrows it afterwards */
	if (prctl(PR_SET_KEEPCAPS, 1, 0, 0, 0) < 0)
		return -1;
	bset_drop();
	if (setgroups(0, NULL) < 0 || setresgid(who.gid, who.gid, who.gid) < 0 ||
	    setresuid(who.uid, who.uid, who.uid) < 0)
		return -1;
	return prctl(PR_SET_KEEPCAPS, 0, 0, 0, 0);
}

/* After setup: become the user with CAP_NET_ADMIN alone, for good. */
int privs_drop(void)
{
	if (who.root)
		return 0;
	if (become_user() < 0) {
		ngd_err("cannot become user \"%s\" (uid %u, gid %u): %s", who.name,
			(unsigned int)who.uid, (unsigned int)who.gid, strerror(errno));
		return -1;
	}
	if (caps_set() < 0) {
		ngd_err("cannot keep CAP_NET_ADMIN as user \"%s\": %s", who.name, strerror(errno));
		return -1;
	}
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0) {
		ngd_err("cannot set no_new_privs: %s", strerror(errno));
		return -1;
	}
	/* the saved uid too: there must be no way back */
	if (setuid(0) == 0) {
		ngd_err("still able to become root after dropping privileges: refusing to run");
		return -1;
	}
	return 0;
}

static void __attribute__((noreturn)) nft_child(const char *file, int in)
{
	if (in >= 0 && dup2(in, 0) < 0)
		_exit(127);
	/* our netlink sockets, the queue and the control socket are not nft's */
	closefrom(3);
	execl(NGD_NFT, "nft", "-f", file, (char *)NULL);
	_exit(127);
}

/*
 * nft -f @file, or nft -f - with @text on its standard input.  By absolute
 * path: the daemon must not run whatever "nft" its PATH finds first.  The
 * child inherits CAP_NET_ADMIN as an ambient capability.  0 on success.
 */
int ngd_nft(const char *file, const char *text)
{
	int fds[2] = { -1, -1 }, status;
	size_t len = text ? strlen(text) : 0, off = 0;
	ssize_t n;
	pid_t pid;

	if (access(NGD_NFT, X_OK) < 0) {
		ngd_err("cannot run %s: %s (install nftables)", NGD_NFT, strerror(errno));
		return -1;
	}
	if (text && pipe2(fds, O_CLOEXEC) < 0)
		return -1;
	pid = fork();
	if (pid == 0)
		nft_child(file, fds[0]);
	if (fds[0] >= 0)
		close(fds[0]);
	while (pid > 0 && off < len && (n = write(fds[1], text + off, len - off)) > 0)
		off += (size_t)n;
	if (fds[1] >= 0)
		close(fds[1]);
	if (pid < 0)
		return -1;
	while (waitpid(pid, &status, 0) < 0) {
		if (errno != EINTR)
			return -1;
	}
	return WIFEXITED(status) && !WEXITSTATUS(status) ? 0 : -1;
}
