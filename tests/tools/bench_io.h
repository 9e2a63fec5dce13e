/* SPDX-License-Identifier: Apache-2.0 */
/*
 * bench_io: what the benchmark tools (fsbench, tcpbench) share: a
 * monotonic clock in seconds, whole-buffer reads and writes on pipes,
 * sockets and files, and parsing of numeric arguments.
 */
#ifndef BENCH_IO_H
#define BENCH_IO_H

#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

static inline double bio_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Writes all of @buf; false on an error or a zero-length write. */
static inline bool bio_write_all(int fd, const void *buf, size_t len)
{
	const char *p = buf;

	while (len) {
		ssize_t n = write(fd, p, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return false;
		p += n;
		len -= (size_t)n;
	}
	return true;
}

/* Reads exactly @len bytes; false on an error or end of file first. */
static inline bool bio_read_all(int fd, void *buf, size_t len)
{
	char *p = buf;

	while (len) {
		ssize_t n = read(fd, p, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return false;
		p += n;
		len -= (size_t)n;
	}
	return true;
}

/* A decimal number within [@lo, @hi] into @v; false when @s is not one. */
static inline bool bio_number(const char *s, unsigned lo, unsigned hi,
			      unsigned *v)
{
	unsigned long n;
	char *end;

	errno = 0;
	n = strtoul(s, &end, 10);
	if (errno || *end || end == s || n < lo || n > hi)
		return false;
	*v = (unsigned)n;
	return true;
}

#endif /* BENCH_IO_H */
