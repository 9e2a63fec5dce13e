// SPDX-License-Identifier: Apache-2.0
/*
 * slog: one write(2) per line to stderr (or the fd given), plain or
 * journal format. See slog.h.
 */
#include <errno.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "slog.h"

static atomic_int slog_level = SLOG_INFO;
static atomic_int slog_fd = STDERR_FILENO;
static atomic_bool slog_is_journal;
static atomic_bool slog_ready;
static char slog_component[64] = "sealfs";

static const char *const slog_names[] = {
	[SLOG_ERR]	= "error",
	[SLOG_WARN]	= "warn",
	[SLOG_NOTICE]	= "notice",
	[SLOG_INFO]	= "info",
	[SLOG_DEBUG]	= "debug",
};

/* JOURNAL_STREAM is "DEV:INO" of the journal's stream socket. */
static bool slog_detect_journal(int fd)
{
	const char *env = getenv("JOURNAL_STREAM");
	unsigned long long dev, ino;
	struct stat st;
	char end;

	if (!env || sscanf(env, "%llu:%llu%c", &dev, &ino, &end) != 2)
		return false;
	if (fstat(fd, &st))
		return false;
	return st.st_dev == (dev_t)dev && st.st_ino == (ino_t)ino;
}

/**
 * slog_init() - set the component name and detect the journal
 * @component: name printed in plain-format lines, e.g. "sealfs-server";
 *	%NULL keeps the current one ("sealfs" by default)
 *
 * Also checks JOURNAL_STREAM against the log fd again. Without a call the
 * component is "sealfs" and the journal is detected on the first line.
 *
 * Context: start-up, before other threads log.
 */
void slog_init(const char *component)
{
	int saved = errno;

	if (component)
		snprintf(slog_component, sizeof(slog_component), "%s", component);
	atomic_store(&slog_is_journal, slog_detect_journal(atomic_load(&slog_fd)));
	atomic_store(&slog_ready, true);
	errno = saved;
}

/**
 * slog_set_fd() - write to another fd than stderr
 * @fd: an open fd (tests pass one end of a pipe)
 *
 * The journal is detected again for @fd.
 *
 * Context: start-up, before other threads log.
 */
void slog_set_fd(int fd)
{
	atomic_store(&slog_fd, fd);
	slog_init(NULL);
}

/**
 * slog_set_level() - set the least important level written
 * @level: %SLOG_ERR ... %SLOG_DEBUG
 *
 * Context: any thread.
 * Return: 0, or -EINVAL for an unknown level (the level is not changed).
 */
int slog_set_level(int level)
{
	if (level < SLOG_ERR || level > SLOG_DEBUG)
		return -EINVAL;
	atomic_store(&slog_level, level);
	return 0;
}

/**
 * slog_get_level() - the least important level written
 *
 * Context: any thread.
 * Return: %SLOG_ERR ... %SLOG_DEBUG.
 */
int slog_get_level(void)
{
	return atomic_load_explicit(&slog_level, memory_order_relaxed);
}

/**
 * slog_level_parse() - parse a level name
 * @s: "error" (or "err"), "warn" (or "warning"), "notice", "info" or
 *	"debug", in any case
 *
 * Context: any.
 * Return: the level, or -EINVAL.
 */
int slog_level_parse(const char *s)
{
	int i;

	if (!s)
		return -EINVAL;
	if (!strcasecmp(s, "err"))
		return SLOG_ERR;
	if (!strcasecmp(s, "warning"))
		return SLOG_WARN;
	for (i = SLOG_ERR; i <= SLOG_DEBUG; i++)
		if (!strcasecmp(s, slog_names[i]))
			return i;
	return -EINVAL;
}

/**
 * slog_level_name() - name of a level
 * @level: %SLOG_ERR ... %SLOG_DEBUG
 *
 * Context: any.
 * Return: a static string; "?" for an unknown level.
 */
const char *slog_level_name(int level)
{
	if (level < SLOG_ERR || level > SLOG_DEBUG)
		return "?";
	return slog_names[level];
}

/**
 * slog_journal() - whether lines are written in the journal format
 *
 * Context: any thread.
 * Return: true when the log fd is the systemd journal.
 */
bool slog_journal(void)
{
	if (!atomic_load(&slog_ready))
		slog_init(NULL);
	return atomic_load(&slog_is_journal);
}

static void slog_write_all(int fd, const char *p, size_t n)
{
	while (n) {
		ssize_t w = write(fd, p, n);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return;
		p += w;
		n -= w;
	}
}

/**
 * slog_vprintf() - write one line
 * @level: %SLOG_ERR ... %SLOG_DEBUG
 * @fmt: printf format (glibc's %m works); no trailing newline needed
 * @ap: arguments
 *
 * Newlines inside the message become spaces, so one call is one line (and
 * one journal entry). errno is preserved.
 *
 * Context: any thread.
 */
void slog_vprintf(int level, const char *fmt, va_list ap)
{
	char line[SLOG_LINE_MAX];
	int saved = errno;
	size_t n, start, i;
	int r;

	if (level > slog_get_level())
		return;
	if (level < SLOG_ERR)
		level = SLOG_ERR;
	if (slog_journal()) {
		r = snprintf(line, sizeof(line), "<%d>", level);
	} else {
		struct timespec ts;
		struct tm tm;

		clock_gettime(CLOCK_REALTIME, &ts);
		gmtime_r(&ts.tv_sec, &tm);
		r = snprintf(line, sizeof(line),
			     "%04d-%02d-%02dT%02d:%02d:%02d.%03ldZ %-6s %s: ",
			     tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday,
			     tm.tm_hour, tm.tm_min, tm.tm_sec,
			     ts.tv_nsec / 1000000, slog_level_name(level),
			     slog_component);
	}
	start = r < 0 ? 0 : (size_t)r;
	if (start >= sizeof(line))
		start = sizeof(line) - 1;
	errno = saved;
	r = vsnprintf(line + start, sizeof(line) - start, fmt, ap);
	n = r < 0 ? start : start + (size_t)r;
	if (n > sizeof(line) - 2) {
		/* cut: keep room for "...\n" */
		n = sizeof(line) - 5;
		memcpy(line + n, "...", 3);
		n += 3;
	}
	while (n > start && line[n - 1] == '\n')
		n--;
	for (i = start; i < n; i++)
		if (line[i] == '\n' || line[i] == '\r')
			line[i] = ' ';
	line[n++] = '\n';
	slog_write_all(atomic_load(&slog_fd), line, n);
	errno = saved;
}

/**
 * slog_printf() - write one line
 * @level: %SLOG_ERR ... %SLOG_DEBUG
 * @fmt: printf format
 *
 * See slog_vprintf(). The slog_err() ... slog_debug() macros call this
 * after checking the level.
 *
 * Context: any thread.
 */
void slog_printf(int level, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	slog_vprintf(level, fmt, ap);
	va_end(ap);
}
