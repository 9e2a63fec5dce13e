// SPDX-License-Identifier: Apache-2.0
/*
 * sealfs-admin: sizes and counts, in and out.
 */
#include <inttypes.h>
#include <stdio.h>

#include "admin.h"
#include "scfg.h"

/**
 * adm_size() - a byte count for people: 1023B, 1.5K, 100G, ...
 * @bytes: the count
 * @buf: where to write
 * @len: room in @buf
 */
void adm_size(uint64_t bytes, char *buf, size_t len)
{
	static const char units[] = "BKMGTPE";
	double v = bytes;
	int u = 0;

	while (v >= 1024 && units[u + 1]) {
		v /= 1024;
		u++;
	}
	if (!u)
		snprintf(buf, len, "%" PRIu64 "B", bytes);
	else if (v < 10 && v != (uint64_t)v)
		snprintf(buf, len, "%.1f%c", v, units[u]);
	else
		snprintf(buf, len, "%.0f%c", v, units[u]);
}

/**
 * adm_parse_size() - a size option: bytes, or with a K/M/G/T/P suffix
 * @opt: the option, for the message
 * @s: its value
 * @v: set to the bytes
 *
 * Return: 0, or -1 after printing why.
 */
int adm_parse_size(const char *opt, const char *s, uint64_t *v)
{
	const char *why;

	if (!scfg_parse_size(s, v, &why))
		return 0;
	fprintf(stderr, "sealfs-admin: %s %s: %s\n", opt, s, why);
	return -1;
}

/**
 * adm_parse_count() - a count option: a non-negative integer
 * @opt: the option, for the message
 * @s: its value
 * @v: set to the count
 *
 * Return: 0, or -1 after printing why.
 */
int adm_parse_count(const char *opt, const char *s, uint64_t *v)
{
	const char *why = "must not be negative";
	int64_t n;

	if (!scfg_parse_int(s, &n, &why) && n >= 0) {
		*v = n;
		return 0;
	}
	fprintf(stderr, "sealfs-admin: %s %s: %s\n", opt, s, why);
	return -1;
}
