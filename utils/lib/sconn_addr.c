// SPDX-License-Identifier: Apache-2.0
/*
 * sconn addresses: "HOST:PORT" text to socket addresses and back.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sconn.h"

static int sconn_addr_err(char *err, size_t errlen, int code,
			  const char *fmt, const char *what, const char *why)
{
	if (err && errlen)
		snprintf(err, errlen, fmt, what, why);
	return code;
}

/* Splits "HOST:PORT", "[V6]:PORT", "HOST", "[V6]", ":PORT", "*:PORT". */
static int sconn_split(const char *s, char *host, size_t hostlen,
		       const char **port)
{
	const char *colon, *end;
	size_t n;

	*port = NULL;
	if (s[0] == '[') {
		end = strchr(s, ']');
		if (!end || (end[1] && end[1] != ':'))
			return -EINVAL;
		n = end - s - 1;
		if (end[1] == ':')
			*port = end + 2;
		s++;
	} else {
		colon = strrchr(s, ':');
		if (colon && strchr(s, ':') != colon)
			colon = NULL;	/* bare IPv6 address: no port */
		n = colon ? (size_t)(colon - s) : strlen(s);
		if (colon)
			*port = colon + 1;
	}
	if (n >= hostlen)
		return -EINVAL;
	memcpy(host, s, n);
	host[n] = '\0';
	return 0;
}

/**
 * sconn_parse_addr() - parse an address
 * @hostport: "HOST:PORT", "[IPV6]:PORT", or HOST alone when @default_port
 *	is set; HOST is an IPv4 or IPv6 address or a name (resolved with
 *	getaddrinfo(), which may block). With @passive, "*", "" or "[::]"
 *	mean every address (IPv6 and IPv4 where the host has IPv6).
 * @default_port: port when @hostport has none, 0 for none
 * @passive: for listening: port 0 (any free port) and the wildcard allowed
 * @ss: set to the address
 * @sslen: set to its length
 * @err: set to an error text on failure; may be %NULL
 * @errlen: room in @err
 *
 * Context: any.
 * Return: 0; -EINVAL for a malformed address or port; -EADDRNOTAVAIL when
 * a name does not resolve.
 */
int sconn_parse_addr(const char *hostport, u16 default_port, bool passive,
		     struct sockaddr_storage *ss, socklen_t *sslen,
		     char *err, size_t errlen)
{
	struct addrinfo hints = { .ai_socktype = SOCK_STREAM,
				  .ai_flags = AI_NUMERICSERV };
	struct addrinfo *res;
	char host[256], portstr[8];
	const char *port;
	unsigned long p;
	char *end;
	int r;

	if (!hostport || sconn_split(hostport, host, sizeof(host), &port))
		return sconn_addr_err(err, errlen, -EINVAL,
				      "invalid address '%s'%s: expected HOST:PORT or [IPV6]:PORT",
				      hostport ? hostport : "(null)", "");
	if (port) {
		errno = 0;
		p = strtoul(port, &end, 10);
		if (!*port || *end || errno || p > 65535 || port[0] == '-' ||
		    port[0] == '+' || (p == 0 && !passive))
			return sconn_addr_err(err, errlen, -EINVAL,
					      "invalid port in '%s'%s: expected a number from 1 to 65535",
					      hostport, passive ? " (0: any free port)" : "");
	} else if (default_port) {
		p = default_port;
	} else {
		return sconn_addr_err(err, errlen, -EINVAL,
				      "invalid address '%s'%s: no port; expected HOST:PORT or [IPV6]:PORT",
				      hostport, "");
	}
	memset(ss, 0, sizeof(*ss));
	if (passive && (!host[0] || !strcmp(host, "*"))) {
		struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)ss;

		s6->sin6_family = AF_INET6;
		s6->sin6_addr = in6addr_any;
		s6->sin6_port = htons((u16)p);
		*sslen = sizeof(*s6);
		return 0;
	}
	if (!host[0])
		return sconn_addr_err(err, errlen, -EINVAL,
				      "invalid address '%s'%s: no host; expected HOST:PORT or [IPV6]:PORT",
				      hostport, "");
	snprintf(portstr, sizeof(portstr), "%lu", p);
	if (passive)
		hints.ai_flags |= AI_PASSIVE;
	r = getaddrinfo(host, portstr, &hints, &res);
	if (r)
		return sconn_addr_err(err, errlen, -EADDRNOTAVAIL,
				      "cannot resolve '%s': %s", host,
				      r == EAI_SYSTEM ? strerror(errno) :
				      gai_strerror(r));
	memcpy(ss, res->ai_addr, res->ai_addrlen);
	*sslen = res->ai_addrlen;
	freeaddrinfo(res);
	return 0;
}

/**
 * sconn_format_addr() - an address as text
 * @sa: an AF_INET or AF_INET6 address
 * @buf: set to "1.2.3.4:80" or "[::1]:80"
 * @len: room in @buf, %SCONN_NAME_MAX is enough
 *
 * Context: any.
 */
void sconn_format_addr(const struct sockaddr *sa, char *buf, size_t len)
{
	char ip[INET6_ADDRSTRLEN] = "?";

	if (sa->sa_family == AF_INET) {
		const struct sockaddr_in *s4 = (const struct sockaddr_in *)sa;

		inet_ntop(AF_INET, &s4->sin_addr, ip, sizeof(ip));
		snprintf(buf, len, "%s:%u", ip, ntohs(s4->sin_port));
	} else if (sa->sa_family == AF_INET6) {
		const struct sockaddr_in6 *s6 = (const struct sockaddr_in6 *)sa;

		inet_ntop(AF_INET6, &s6->sin6_addr, ip, sizeof(ip));
		snprintf(buf, len, "[%s]:%u", ip, ntohs(s6->sin6_port));
	} else if (sa->sa_family == AF_UNIX) {
		snprintf(buf, len, "unix");
	} else {
		snprintf(buf, len, "family %u", sa->sa_family);
	}
}
