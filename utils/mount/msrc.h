/* SPDX-License-Identifier: Apache-2.0 */
/*
 * mount.sealfs internals: the mount source and the mount options.
 *
 * sealfs.ko takes "MGR[:PORT][,MGR[:PORT]...]:/VOLUME" where MGR is an
 * IPv4 address or a bracketed IPv6 address: the kernel resolves no names.
 * msrc_rewrite() turns a source with host names into that form, asking a
 * resolver given by the caller (getaddrinfo in mount.sealfs, a table in
 * the unit tests). mopts_parse() splits an option string into MS_* flags
 * and the data string for the file system, as mount(8) does.
 */
#ifndef MSRC_H
#define MSRC_H

#include <stddef.h>
#include <stdint.h>

/* As sealfs.ko: at most 8 managers, a source of at most 1024 bytes. */
#define MSRC_MAX_MGR	8
#define MSRC_MAX_LEN	1024
/* Addresses a resolver may return for one name; the rest is ignored. */
#define MSRC_MAX_ADDR	16

/* Results of msrc_rewrite() and mopts_parse(). */
enum msrc_err {
	MSRC_OK = 0,
	MSRC_ESYNTAX,	/* malformed; the message says what */
	MSRC_ERESOLVE,	/* a host name did not resolve */
};

/**
 * struct msrc_addr - one address a name resolves to
 * @family: AF_INET or AF_INET6
 * @addr: 4 or 16 bytes in network order
 */
struct msrc_addr {
	int family;
	uint8_t addr[16];
};

/*
 * A resolver: fills @out with up to @max addresses of @host and sets @n.
 * Returns 0, or an EAI_* code (getaddrinfo's) that gai_strerror() explains.
 */
typedef int (*msrc_resolver)(void *ctx, const char *host,
			     struct msrc_addr *out, size_t max, size_t *n);

/* Called for each host name resolved (for -v); may be NULL. */
typedef void (*msrc_note)(void *ctx, const char *host, const char *addr);

int msrc_rewrite(const char *src, msrc_resolver resolve, msrc_note note,
		 void *ctx, char *out, size_t outlen, char *err, size_t errlen);

int mopts_parse(const char *opts, unsigned long *flags, char *data,
		size_t datalen, char *err, size_t errlen);

#endif /* MSRC_H */
