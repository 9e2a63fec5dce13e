// SPDX-License-Identifier: Apache-2.0
/*
 * scfg values: parsers and canonical formatters for integers, booleans,
 * sizes, durations, addresses and log levels. See scfg.h.
 *
 * Every parser takes the whole string (no surrounding blanks, no trailing
 * garbage) and returns 0, -EINVAL when the text is malformed or -ERANGE
 * when it is well formed but does not fit; *why then points to a static
 * explanation.
 */
#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <syslog.h>

#include "scfg.h"

static int scfg_why(const char **why, const char *text, int err)
{
	*why = text;
	return err;
}

/*
 * Unsigned decimal digits at the start of @s: at least one, no sign.
 * Sets *end past them.
 */
static int scfg_digits(const char *s, uint64_t *v, const char **end,
		       const char **why)
{
	uint64_t n = 0;

	if (*s == '-')
		return scfg_why(why, "must not be negative", -ERANGE);
	if (!isdigit((unsigned char)*s))
		return scfg_why(why, "expected a number", -EINVAL);
	for (; isdigit((unsigned char)*s); s++) {
		unsigned int d = *s - '0';

		if (n > (UINT64_MAX - d) / 10)
			return scfg_why(why, "number too large", -ERANGE);
		n = n * 10 + d;
	}
	*v = n;
	*end = s;
	return 0;
}

/**
 * scfg_parse_int() - parse a signed decimal integer
 * @s: the text: an optional sign and decimal digits
 * @v: the value
 * @why: set to the reason on failure
 *
 * Return: 0, -EINVAL or -ERANGE (beyond 64 bits).
 */
int scfg_parse_int(const char *s, int64_t *v, const char **why)
{
	bool neg = false;
	const char *end;
	uint64_t u;
	int err;

	if (*s == '-' || *s == '+')
		neg = *s++ == '-';
	if (!isdigit((unsigned char)*s))
		return scfg_why(why, "expected a decimal integer", -EINVAL);
	err = scfg_digits(s, &u, &end, why);
	if (err)
		return err;
	if (*end)
		return scfg_why(why, "expected a decimal integer", -EINVAL);
	if (u > (uint64_t)INT64_MAX + neg)
		return scfg_why(why, "number too large", -ERANGE);
	*v = neg ? (int64_t)(0 - u) : (int64_t)u;
	return 0;
}

/**
 * scfg_parse_bool() - parse a boolean
 * @s: true, yes, on, 1, false, no, off or 0 (any case)
 * @v: the value
 * @why: set to the reason on failure
 *
 * Return: 0 or -EINVAL.
 */
int scfg_parse_bool(const char *s, bool *v, const char **why)
{
	static const char *const yes[] = { "true", "yes", "on", "1" };
	static const char *const no[] = { "false", "no", "off", "0" };
	size_t i;

	for (i = 0; i < ARRAY_SIZE(yes); i++) {
		if (!strcasecmp(s, yes[i]) || !strcasecmp(s, no[i])) {
			*v = !strcasecmp(s, yes[i]);
			return 0;
		}
	}
	return scfg_why(why, "expected true or false", -EINVAL);
}

/* Power-of-1024 exponent of a size suffix letter, or -1. */
static int scfg_size_shift(char c)
{
	static const char units[] = "KMGTP";
	const char *p = c ? strchr(units, toupper((unsigned char)c)) : NULL;

	return p ? 10 * (int)(p - units + 1) : -1;
}

/**
 * scfg_parse_size() - parse a size in bytes
 * @s: digits, optionally followed by K, M, G, T or P (any case, powers of
 *	1024), optionally followed by "iB": "0", "4096", "64M", "1GiB"
 * @v: bytes
 * @why: set to the reason on failure
 *
 * Return: 0, -EINVAL, or -ERANGE when negative or beyond 64 bits.
 */
int scfg_parse_size(const char *s, uint64_t *v, const char **why)
{
	const char *end;
	uint64_t n;
	int shift = 0, err;

	err = scfg_digits(s, &n, &end, why);
	if (err)
		return err;
	if (*end) {
		shift = scfg_size_shift(*end);
		if (shift < 0)
			return scfg_why(why, "unknown size suffix (use K, M, G, T or P)",
					-EINVAL);
		end++;
		if (*end && strcmp(end, "iB"))
			return scfg_why(why, "unknown size suffix (use K, M, G, T or P)",
					-EINVAL);
	}
	if (shift && n > UINT64_MAX >> shift)
		return scfg_why(why, "size too large", -ERANGE);
	*v = n << shift;
	return 0;
}

/**
 * scfg_parse_duration() - parse a duration
 * @s: digits and a unit, ms, s, m or h: "250ms", "10s", "5m", "1h"; "0"
 *	needs no unit
 * @ms: milliseconds
 * @why: set to the reason on failure
 *
 * Return: 0, -EINVAL, or -ERANGE when negative or beyond 64 bits of ms.
 */
int scfg_parse_duration(const char *s, uint64_t *ms, const char **why)
{
	static const struct {
		const char *unit;
		uint64_t ms;
	} units[] = { { "ms", 1 }, { "s", 1000 }, { "m", 60000 }, { "h", 3600000 } };
	const char *end;
	uint64_t n;
	size_t i;
	int err;

	err = scfg_digits(s, &n, &end, why);
	if (err)
		return err;
	if (!*end) {
		if (n)
			return scfg_why(why, "needs a unit: ms, s, m or h", -EINVAL);
		*ms = 0;
		return 0;
	}
	for (i = 0; i < ARRAY_SIZE(units); i++) {
		if (strcmp(end, units[i].unit))
			continue;
		if (n > UINT64_MAX / units[i].ms)
			return scfg_why(why, "duration too long", -ERANGE);
		*ms = n * units[i].ms;
		return 0;
	}
	return scfg_why(why, "unknown unit (use ms, s, m or h)", -EINVAL);
}

/* A port: decimal digits only, 1 to 65535. */
static int scfg_parse_port(const char *s, uint16_t *port, const char **why)
{
	const char *end;
	uint64_t n;

	if (!*s)
		return scfg_why(why, "missing port after ':'", -EINVAL);
	if (scfg_digits(s, &n, &end, why) || *end)
		return scfg_why(why, "port must be a decimal number", -EINVAL);
	if (n < 1 || n > 65535)
		return scfg_why(why, "port must be 1 to 65535", -ERANGE);
	*port = n;
	return 0;
}

/* One DNS label: 1 to 63 letters, digits and '-', not at either end. */
static bool scfg_label_ok(const char *s, size_t n)
{
	size_t i;

	if (n < 1 || n > 63 || s[0] == '-' || s[n - 1] == '-')
		return false;
	for (i = 0; i < n; i++)
		if (!isalnum((unsigned char)s[i]) && s[i] != '-')
			return false;
	return true;
}

/* A host name or IPv4 literal, @n bytes at @s. */
static int scfg_check_host(const char *s, size_t n, struct scfg_addr *a,
			   const char **why)
{
	struct in_addr in;
	size_t start = 0, i;

	if (n == 0)
		return scfg_why(why, "missing host", -EINVAL);
	if (n > 253)
		return scfg_why(why, "host name too long", -EINVAL);
	memcpy(a->host, s, n);
	a->host[n] = '\0';
	if (strspn(a->host, "0123456789.") == n) {
		if (inet_pton(AF_INET, a->host, &in) != 1)
			return scfg_why(why, "bad IPv4 address", -EINVAL);
		a->family = AF_INET;
		return 0;
	}
	for (i = 0; i <= n; i++) {
		if (i < n && s[i] != '.')
			continue;
		if (!scfg_label_ok(s + start, i - start))
			return scfg_why(why, "bad host name", -EINVAL);
		start = i + 1;
	}
	a->family = AF_UNSPEC;
	return 0;
}

/* "[v6]" at the start of @s; *rest is set past the ']'. */
static int scfg_parse_v6(const char *s, struct scfg_addr *a,
			 const char **rest, const char **why)
{
	const char *close = strchr(s, ']');
	struct in6_addr in6;
	size_t n;

	if (!close)
		return scfg_why(why, "missing ']' after IPv6 address", -EINVAL);
	n = close - (s + 1);
	if (n == 0)
		return scfg_why(why, "missing host", -EINVAL);
	if (n >= sizeof(a->host))
		return scfg_why(why, "bad IPv6 address", -EINVAL);
	memcpy(a->host, s + 1, n);
	a->host[n] = '\0';
	if (inet_pton(AF_INET6, a->host, &in6) != 1)
		return scfg_why(why, "bad IPv6 address", -EINVAL);
	a->family = AF_INET6;
	*rest = close + 1;
	return 0;
}

/**
 * scfg_parse_addr() - parse a network address
 * @s: HOST, HOST:PORT, [IPv6] or [IPv6]:PORT; HOST is a host name or an
 *	IPv4 literal; an IPv6 literal must be in brackets
 * @default_port: port when @s has none
 * @a: the address
 * @why: set to the reason on failure
 *
 * Return: 0, -EINVAL, or -ERANGE for a port outside 1 to 65535.
 */
int scfg_parse_addr(const char *s, uint16_t default_port,
		    struct scfg_addr *a, const char **why)
{
	struct scfg_addr t = { .port = default_port };
	const char *colon, *rest;
	int err;

	if (s[0] == '[') {
		err = scfg_parse_v6(s, &t, &rest, why);
		if (err)
			return err;
		if (*rest && *rest != ':')
			return scfg_why(why, "expected ':' after ']'", -EINVAL);
		colon = *rest ? rest : NULL;
	} else {
		colon = strchr(s, ':');
		if (colon && strchr(colon + 1, ':'))
			return scfg_why(why, "IPv6 addresses need brackets: [ADDR]:PORT",
					-EINVAL);
		err = scfg_check_host(s, colon ? (size_t)(colon - s) : strlen(s),
				      &t, why);
		if (err)
			return err;
	}
	if (colon) {
		err = scfg_parse_port(colon + 1, &t.port, why);
		if (err)
			return err;
	}
	if (t.port == 0)
		return scfg_why(why, "missing port", -EINVAL);
	*a = t;
	return 0;
}

static const struct {
	const char *name;
	int level;
} scfg_levels[] = {
	{ "error", LOG_ERR }, { "warn", LOG_WARNING }, { "notice", LOG_NOTICE },
	{ "info", LOG_INFO }, { "debug", LOG_DEBUG },
};

/**
 * scfg_parse_loglevel() - parse a log level
 * @s: error, warn, notice, info or debug (any case)
 * @level: the syslog priority (LOG_ERR ... LOG_DEBUG)
 * @why: set to the reason on failure
 *
 * Return: 0 or -EINVAL.
 */
int scfg_parse_loglevel(const char *s, int *level, const char **why)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(scfg_levels); i++) {
		if (!strcasecmp(s, scfg_levels[i].name)) {
			*level = scfg_levels[i].level;
			return 0;
		}
	}
	return scfg_why(why, "expected error, warn, notice, info or debug", -EINVAL);
}

/**
 * scfg_loglevel_name() - name of a log level
 * @level: a syslog priority
 *
 * Return: "error" ... "debug", or "?" for a priority scfg does not use.
 */
const char *scfg_loglevel_name(int level)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(scfg_levels); i++)
		if (scfg_levels[i].level == level)
			return scfg_levels[i].name;
	return "?";
}

/**
 * scfg_format_size() - canonical text of a size
 * @v: bytes
 * @buf: output
 * @len: its size
 *
 * Uses the largest suffix that divides @v exactly: 65536 is "64K", 1000
 * is "1000". scfg_parse_size() reads it back to @v.
 */
void scfg_format_size(uint64_t v, char *buf, size_t len)
{
	static const char units[] = "PTGMK";
	int i;

	for (i = 0; v && i < 5; i++) {
		int shift = 10 * (5 - i);

		if (!(v & ((1ull << shift) - 1))) {
			snprintf(buf, len, "%" PRIu64 "%c", v >> shift, units[i]);
			return;
		}
	}
	snprintf(buf, len, "%" PRIu64, v);
}

/**
 * scfg_format_duration() - canonical text of a duration
 * @ms: milliseconds
 * @buf: output
 * @len: its size
 *
 * Uses the largest unit that divides @ms exactly: 90000 is "90s", 0 is
 * "0". scfg_parse_duration() reads it back to @ms.
 */
void scfg_format_duration(uint64_t ms, char *buf, size_t len)
{
	if (!ms)
		snprintf(buf, len, "0");
	else if (!(ms % 3600000))
		snprintf(buf, len, "%" PRIu64 "h", ms / 3600000);
	else if (!(ms % 60000))
		snprintf(buf, len, "%" PRIu64 "m", ms / 60000);
	else if (!(ms % 1000))
		snprintf(buf, len, "%" PRIu64 "s", ms / 1000);
	else
		snprintf(buf, len, "%" PRIu64 "ms", ms);
}

/**
 * scfg_format_addr() - text of an address: HOST:PORT or [IPv6]:PORT
 * @a: the address
 * @buf: output
 * @len: its size
 */
void scfg_format_addr(const struct scfg_addr *a, char *buf, size_t len)
{
	if (a->family == AF_INET6)
		snprintf(buf, len, "[%s]:%u", a->host, a->port);
	else
		snprintf(buf, len, "%s:%u", a->host, a->port);
}

/**
 * scfg_addr_to_wire() - convert an address literal to a wire endpoint
 * @a: an address whose host is an IPv4 or IPv6 literal
 * @w: the endpoint (all fields written)
 *
 * Return: 0; -EINVAL when @a holds a host name (resolve it first).
 */
int scfg_addr_to_wire(const struct scfg_addr *a, struct sealfs_addr *w)
{
	memset(w, 0, sizeof(*w));
	if (a->family == AF_INET && inet_pton(AF_INET, a->host, w->addr) == 1)
		w->family = cpu_to_le16(SEALFS_AF_INET);
	else if (a->family == AF_INET6 && inet_pton(AF_INET6, a->host, w->addr) == 1)
		w->family = cpu_to_le16(SEALFS_AF_INET6);
	else
		return -EINVAL;
	w->port = cpu_to_le16(a->port);
	return 0;
}
