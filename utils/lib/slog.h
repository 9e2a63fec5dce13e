/* SPDX-License-Identifier: Apache-2.0 */
/*
 * slog: logging for the SealFS daemons and tools.
 *
 * One line per call, written with one write(2) so lines from different
 * threads never interleave. Two formats:
 *
 *   plain:   2025-01-31T12:00:00.123Z warn   sealfs-server: message
 *   journal: <4>message
 *
 * The journal format (a syslog level marker, no timestamp: journald adds
 * its own) is used when the log fd is the systemd journal, i.e. when the
 * JOURNAL_STREAM environment variable names the log fd's device and inode,
 * as systemd.exec(5) documents. A program that inherited JOURNAL_STREAM but
 * whose stderr was redirected keeps the plain format.
 *
 * Levels use the syslog numbers, so the journal marker is the level itself.
 * Thread safety: slog_printf() and the macros, slog_set_level() and
 * slog_get_level() may be called from any thread; slog_init() and
 * slog_set_fd() are meant for start-up, before other threads log.
 */
#ifndef SLOG_H
#define SLOG_H

#include <stdarg.h>
#include <stdbool.h>

/* Levels, with their syslog numbers. */
#define SLOG_ERR	3
#define SLOG_WARN	4
#define SLOG_NOTICE	5
#define SLOG_INFO	6
#define SLOG_DEBUG	7

/* Longest line written, newline included; longer messages are cut. */
#define SLOG_LINE_MAX	2048

void slog_init(const char *component);
void slog_set_fd(int fd);
int slog_set_level(int level);
int slog_get_level(void);
int slog_level_parse(const char *s);
const char *slog_level_name(int level);
bool slog_journal(void);

/**
 * slog_enabled() - whether messages of a level are written
 * @level: %SLOG_ERR ... %SLOG_DEBUG
 *
 * Return: true when @level is at or above the configured level's priority.
 */
static inline bool slog_enabled(int level)
{
	return level <= slog_get_level();
}

void slog_printf(int level, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
void slog_vprintf(int level, const char *fmt, va_list ap)
	__attribute__((format(printf, 2, 0)));

/* The arguments are evaluated only when the level is enabled. */
#define slog_at(level, ...) \
	do { \
		if (slog_enabled(level)) \
			slog_printf((level), __VA_ARGS__); \
	} while (0)
#define slog_err(...)		slog_at(SLOG_ERR, __VA_ARGS__)
#define slog_warn(...)		slog_at(SLOG_WARN, __VA_ARGS__)
#define slog_notice(...)	slog_at(SLOG_NOTICE, __VA_ARGS__)
#define slog_info(...)		slog_at(SLOG_INFO, __VA_ARGS__)
#define slog_debug(...)		slog_at(SLOG_DEBUG, __VA_ARGS__)

#endif /* SLOG_H */
