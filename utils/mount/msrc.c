// SPDX-License-Identifier: Apache-2.0
/*
 * mount.sealfs: the mount source. See msrc.h.
 *
 * "MGR[:PORT][,MGR[:PORT]...]:/VOLUME" is split as sealfs.ko splits it
 * (kmod/options.c): the volume follows the last ":/", managers are
 * separated by commas. Each manager that is not already an IPv4 address
 * or a bracketed IPv6 address is a host name, handed to the resolver; an
 * IPv4 result is preferred, an IPv6 one is written in brackets. Ports are
 * kept (as plain decimal); a manager without one stays without one, so
 * the kernel applies its default.
 */
#include <arpa/inet.h>
#include <netdb.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include "sealfs_codec.h"
#include "msrc.h"

/* Longest manager (host name and port) looked at. */
#define MSRC_MGR_MAX	300

static const char msrc_form[] = "source must be HOST[:PORT][,HOST[:PORT]...]:/VOLUME";

/* printf into the error buffer; returns @code. */
static int msrc_fail(char *err, size_t errlen, int code, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
	return code;
}

/* Appends to @buf (@cap bytes, @pos used); false when it does not fit. */
static bool msrc_append(char *buf, size_t cap, size_t *pos, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(buf + *pos, cap - *pos, fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= cap - *pos)
		return false;
	*pos += n;
	return true;
}

/* ":PORT" (1 to 65535) or nothing; 0 for nothing, -1 if malformed. */
static long msrc_port(const char *p)
{
	long v = 0;

	if (!*p)
		return 0;
	if (*p++ != ':' || !*p || strlen(p) > 5)
		return -1;
	for (; *p; p++) {
		if (*p < '0' || *p > '9')
			return -1;
		v = v * 10 + (*p - '0');
	}
	return v >= 1 && v <= 65535 ? v : -1;
}

/* The address of @host the kernel should get, as text; IPv4 preferred. */
static int msrc_resolve(const char *host, msrc_resolver resolve, void *ctx,
			char *addr, size_t len, char *err, size_t errlen)
{
	struct msrc_addr a[MSRC_MAX_ADDR];
	const struct msrc_addr *pick = NULL;
	char text[INET6_ADDRSTRLEN];
	size_t i, n = 0;
	int rc;

	rc = resolve(ctx, host, a, MSRC_MAX_ADDR, &n);
	if (rc)
		return msrc_fail(err, errlen, MSRC_ERESOLVE, "cannot resolve %s: %s",
				 host, gai_strerror(rc));
	for (i = 0; i < n && i < MSRC_MAX_ADDR; i++) {
		if (a[i].family == AF_INET) {
			pick = &a[i];
			break;
		}
		if (a[i].family == AF_INET6 && !pick)
			pick = &a[i];
	}
	if (!pick)
		return msrc_fail(err, errlen, MSRC_ERESOLVE,
				 "cannot resolve %s: no IPv4 or IPv6 address", host);
	inet_ntop(pick->family, pick->addr, text, sizeof(text));
	snprintf(addr, len, pick->family == AF_INET ? "%s" : "[%s]", text);
	return MSRC_OK;
}

/*
 * One manager, @len bytes at @p: its numeric form appended to @buf. With
 * no @resolve, only checks the syntax (a host name is not looked up).
 */
static int msrc_manager(const char *p, size_t len, msrc_resolver resolve,
			msrc_note note, void *ctx, char *buf, size_t cap,
			size_t *pos, char *err, size_t errlen)
{
	char m[MSRC_MGR_MAX], addr[INET6_ADDRSTRLEN + 2], text[INET6_ADDRSTRLEN];
	char *host = m, *rest;
	uint8_t bin[16];
	long port;
	int rc;

	if (!len)
		return msrc_fail(err, errlen, MSRC_ESYNTAX, "empty manager in the source");
	/* Room for the '\0' and for splitting host and port below. */
	if (len + 2 > sizeof(m))
		return msrc_fail(err, errlen, MSRC_ESYNTAX, "manager name too long");
	memcpy(m, p, len);
	m[len] = '\0';
	if (m[0] == '[') {
		/* [IPv6]: must be numeric already. */
		rest = strchr(m, ']');
		if (!rest)
			return msrc_fail(err, errlen, MSRC_ESYNTAX, "'%s': no ']'", m);
		*rest++ = '\0';
		host = m + 1;
		if (inet_pton(AF_INET6, host, bin) != 1)
			return msrc_fail(err, errlen, MSRC_ESYNTAX,
					 "'%s' is not an IPv6 address", host);
		inet_ntop(AF_INET6, bin, text, sizeof(text));
		snprintf(addr, sizeof(addr), "[%s]", text);
		port = msrc_port(rest);
		if (port < 0)
			goto bad_port;
	} else {
		rest = m + strcspn(m, ":");
		if (strchr(rest + (*rest != '\0'), ':'))
			return msrc_fail(err, errlen, MSRC_ESYNTAX,
					 "'%s': IPv6 addresses go in brackets, [ADDR]:PORT", m);
		if (rest == m)
			return msrc_fail(err, errlen, MSRC_ESYNTAX, "'%s': no host", m);
		/* Cut the host off; the port keeps its ':' in a copy. */
		memmove(rest + 1, rest, strlen(rest) + 1);
		*rest++ = '\0';
		port = msrc_port(rest);
		if (port < 0)
			goto bad_port;
		if (inet_pton(AF_INET, host, bin) == 1) {
			inet_ntop(AF_INET, bin, addr, sizeof(addr));
		} else if (!resolve) {
			/* No address is shorter: no false "too long". */
			strcpy(addr, "0.0.0.0");
		} else {
			rc = msrc_resolve(host, resolve, ctx, addr, sizeof(addr), err, errlen);
			if (rc)
				return rc;
			if (note)
				note(ctx, host, addr);
		}
	}
	if (!(port ? msrc_append(buf, cap, pos, "%s:%ld", addr, port) :
		     msrc_append(buf, cap, pos, "%s", addr)))
		return msrc_fail(err, errlen, MSRC_ESYNTAX,
				 "source longer than %d bytes", MSRC_MAX_LEN);
	return MSRC_OK;

bad_port:
	return msrc_fail(err, errlen, MSRC_ESYNTAX, "'%s': bad port (1 to 65535)", rest);
}

/* Every manager in [@src, @sep) through msrc_manager(), into @buf. */
static int msrc_managers(const char *src, const char *sep, msrc_resolver resolve,
			 msrc_note note, void *ctx, char *buf, size_t cap,
			 size_t *pos, char *err, size_t errlen)
{
	const char *p, *end;
	int rc;

	for (p = src;; p = end + 1) {
		end = memchr(p, ',', sep - p);
		if (!end)
			end = sep;
		if (p != src && !msrc_append(buf, cap, pos, ","))
			return msrc_fail(err, errlen, MSRC_ESYNTAX,
					 "source longer than %d bytes", MSRC_MAX_LEN);
		rc = msrc_manager(p, end - p, resolve, note, ctx, buf, cap, pos,
				  err, errlen);
		if (rc || end == sep)
			return rc;
	}
}

/**
 * msrc_rewrite() - the mount source with every manager as a number
 * @src: "HOST[:PORT][,HOST[:PORT]...]:/VOLUME"
 * @resolve: looks a host name up
 * @note: told of each name resolved, or NULL
 * @ctx: passed to @resolve and @note
 * @out: the rewritten source
 * @outlen: its size
 * @err: the reason of a failure, without a program name
 * @errlen: its size
 *
 * Return: MSRC_OK, MSRC_ESYNTAX or MSRC_ERESOLVE (&enum msrc_err).
 */
int msrc_rewrite(const char *src, msrc_resolver resolve, msrc_note note,
		 void *ctx, char *out, size_t outlen, char *err, size_t errlen)
{
	char buf[MSRC_MAX_LEN + 1];
	const char *sep, *p, *vol;
	size_t pos = 0, nmgr = 1;
	int rc;

	if (strlen(src) > MSRC_MAX_LEN)
		return msrc_fail(err, errlen, MSRC_ESYNTAX,
				 "source longer than %d bytes", MSRC_MAX_LEN);
	sep = strstr(src, ":/");
	if (!sep || sep == src)
		return msrc_fail(err, errlen, MSRC_ESYNTAX, "%s", msrc_form);
	while ((p = strstr(sep + 1, ":/")))
		sep = p;
	vol = sep + 2;
	if (sealfs_check_volname((const u8 *)vol, strlen(vol)))
		return msrc_fail(err, errlen, MSRC_ESYNTAX,
				 "bad volume name '%s' (1 to %d of A-Z a-z 0-9 . _ -, starting with a letter or digit)",
				 vol, SEALFS_VOLNAME_MAX);
	for (p = src; p < sep; p++)
		nmgr += *p == ',';
	if (nmgr > MSRC_MAX_MGR)
		return msrc_fail(err, errlen, MSRC_ESYNTAX,
				 "too many managers (at most %d)", MSRC_MAX_MGR);
	/* The syntax of all managers first, then the look-ups. */
	rc = msrc_managers(src, sep, NULL, NULL, NULL, buf, sizeof(buf), &pos,
			   err, errlen);
	if (rc)
		return rc;
	pos = 0;
	rc = msrc_managers(src, sep, resolve, note, ctx, buf, sizeof(buf), &pos,
			   err, errlen);
	if (rc)
		return rc;
	if (!msrc_append(buf, sizeof(buf), &pos, ":/%s", vol))
		return msrc_fail(err, errlen, MSRC_ESYNTAX,
				 "source longer than %d bytes", MSRC_MAX_LEN);
	if (pos >= outlen)
		return msrc_fail(err, errlen, MSRC_ESYNTAX, "source too long");
	memcpy(out, buf, pos + 1);
	return MSRC_OK;
}
