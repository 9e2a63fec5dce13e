/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * SealFS kernel client: mount source and options.
 *
 *   mount -t sealfs MGR[:PORT][,MGR2[:PORT]...]:/VOLUME DIR -o OPTIONS
 *
 * Managers are IPv4 addresses or bracketed IPv6 addresses (the kernel does
 * not resolve names; mount.sealfs does). Options and their defaults are in
 * Documentation/administration.rst.
 */
#ifndef SEALFS_OPTIONS_H
#define SEALFS_OPTIONS_H

#include <linux/fs_parser.h>
#include <linux/in.h>
#include <linux/in6.h>

#include "sealfs_proto.h"

#define SEALFS_MAX_MANAGERS	8

/* Defaults. */
#define SEALFS_DEF_ACREGMIN	3	/* seconds */
#define SEALFS_DEF_ACREGMAX	60
#define SEALFS_DEF_ACDIRMIN	30
#define SEALFS_DEF_ACDIRMAX	60
#define SEALFS_DEF_NEGTIMEO	1
#define SEALFS_DEF_IOSIZE	1048576u
#define SEALFS_MIN_IOSIZE	4096u
#define SEALFS_DEF_TIMEO	600	/* tenths of a second */
#define SEALFS_DEF_RETRANS	3
#define SEALFS_MAX_CACHE_SECS	3600

/**
 * enum sealfs_opt - the mount options, as sealfs_fs_parameters numbers them
 * @SEALFS_OPT_TRANSPORT: transport=tcp
 * @SEALFS_OPT_ACREGMIN: acregmin=SECONDS
 * @SEALFS_OPT_ACREGMAX: acregmax=SECONDS
 * @SEALFS_OPT_ACDIRMIN: acdirmin=SECONDS
 * @SEALFS_OPT_ACDIRMAX: acdirmax=SECONDS
 * @SEALFS_OPT_ACTIMEO: actimeo=SECONDS, all four above
 * @SEALFS_OPT_NEGTIMEO: negtimeo=SECONDS
 * @SEALFS_OPT_RSIZE: rsize=BYTES
 * @SEALFS_OPT_WSIZE: wsize=BYTES
 * @SEALFS_OPT_TIMEO: timeo=TENTHS
 * @SEALFS_OPT_RETRANS: retrans=N
 * @SEALFS_OPT_HARD: hard
 * @SEALFS_OPT_SOFT: soft
 */
enum sealfs_opt {
	SEALFS_OPT_TRANSPORT,
	SEALFS_OPT_ACREGMIN,
	SEALFS_OPT_ACREGMAX,
	SEALFS_OPT_ACDIRMIN,
	SEALFS_OPT_ACDIRMAX,
	SEALFS_OPT_ACTIMEO,
	SEALFS_OPT_NEGTIMEO,
	SEALFS_OPT_RSIZE,
	SEALFS_OPT_WSIZE,
	SEALFS_OPT_TIMEO,
	SEALFS_OPT_RETRANS,
	SEALFS_OPT_HARD,
	SEALFS_OPT_SOFT,
};

/**
 * enum sealfs_transport - how the client reaches the servers
 * @SEALFS_XPRT_TCP: kernel TCP sockets
 */
enum sealfs_transport {
	SEALFS_XPRT_TCP,
};

/**
 * union sealfs_inet_addr - a manager's address
 * @sa: its family
 * @sin: IPv4
 * @sin6: IPv6
 */
union sealfs_inet_addr {
	struct sockaddr sa;
	struct sockaddr_in sin;
	struct sockaddr_in6 sin6;
};

/**
 * struct sealfs_mount_opts - what a mount asks for
 * @mgr: manager addresses
 * @nmgr: how many
 * @volume: the volume's name, NUL-terminated
 * @transport: &enum sealfs_transport
 * @acregmin: least seconds file attributes are cached
 * @acregmax: most seconds file attributes are cached
 * @acdirmin: least seconds directory attributes are cached
 * @acdirmax: most seconds directory attributes are cached
 * @negtimeo: seconds a negative directory entry is cached
 * @rsize: largest READ request, bytes (a multiple of 4096)
 * @wsize: largest WRITE request, bytes (a multiple of 4096)
 * @timeo: tenths of a second before a request is retransmitted
 * @retrans: retransmissions before a soft mount gives up
 * @soft: fail requests with EIO after @retrans retransmissions rather
 *	than retrying for ever
 */
struct sealfs_mount_opts {
	union sealfs_inet_addr mgr[SEALFS_MAX_MANAGERS];
	unsigned int nmgr;
	char volume[SEALFS_VOLNAME_MAX + 1];
	unsigned int transport;
	unsigned int acregmin;
	unsigned int acregmax;
	unsigned int acdirmin;
	unsigned int acdirmax;
	unsigned int negtimeo;
	unsigned int rsize;
	unsigned int wsize;
	unsigned int timeo;
	unsigned int retrans;
	bool soft;
};

extern const struct fs_parameter_spec sealfs_fs_parameters[];

void sealfs_opts_defaults(struct sealfs_mount_opts *o);
int sealfs_parse_source(struct sealfs_mount_opts *o, const char *src,
			const char **why);
int sealfs_opt_apply(struct sealfs_mount_opts *o, int opt, u32 val,
		     const char **why);
int sealfs_opts_check(const struct sealfs_mount_opts *o, const char **why);

#endif /* SEALFS_OPTIONS_H */
