// SPDX-License-Identifier: Apache-2.0
/*
 * scfg tests: every kind of value and its errors, libconfig files (types,
 * bounds, unknown settings, FILE:LINE in every message, integers libconfig
 * would wrap), the command line and its precedence over the file, --help
 * and the dump. Files live in a temporary directory removed at the end.
 */
#include <errno.h>
#include <ftw.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <syslog.h>
#include <unistd.h>

#include <cmocka.h>

#include "scfg.h"

struct tcfg {
	char *name;
	char *dir;
	int64_t threads;
	int64_t offset;
	bool fg;
	uint64_t cache;
	uint64_t timeout;
	struct scfg_addr listen;
	struct scfg_addr manager;
	int level;
};

static const struct scfg_opt ts_opts[] = {
	SCFG_OPT_STRING("name", struct tcfg, name, "node-a", "name of this node"),
	SCFG_OPT_PATH("data-dir", struct tcfg, dir, "/var/lib/sealfs", "where data lives"),
	SCFG_OPT_INT("threads", struct tcfg, threads, "4", 1, 64, "worker threads"),
	SCFG_OPT_INT("offset", struct tcfg, offset, "-3", INT64_MIN, INT64_MAX,
		     "a signed number"),
	SCFG_OPT_BOOL("foreground", struct tcfg, fg, "false", "stay in the foreground"),
	SCFG_OPT_SIZE("cache-size", struct tcfg, cache, "64M", 4096, UINT64_MAX,
		      "size of the cache"),
	SCFG_OPT_DURATION("timeout", struct tcfg, timeout, "10s", 100, 3600000,
			  "failure time-out"),
	SCFG_OPT_ADDR("listen", struct tcfg, listen, "0.0.0.0", 7420, "address to listen on"),
	SCFG_OPT_ADDR("manager", struct tcfg, manager, NULL, 7420, "the manager"),
	SCFG_OPT_LOGLEVEL("log-level", struct tcfg, level, "info", "what to log"),
};

static struct scfg_program ts_prog = {
	.name = "sealfs-test",
	.summary = "Test program.",
	.opts = ts_opts,
	.nopts = ARRAY_SIZE(ts_opts),
};

static char ts_dir[256];
static char ts_err[SCFG_ERR_MAX];

/* ---- helpers --------------------------------------------------------------- */

static int ts_rm(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
	(void)sb;
	(void)flag;
	(void)ftw;
	return remove(path);
}

static int ts_setup(void **state)
{
	const char *tmp = getenv("TMPDIR");

	(void)state;
	snprintf(ts_dir, sizeof(ts_dir), "%s/scfg-XXXXXX", tmp && *tmp ? tmp : "/tmp");
	return mkdtemp(ts_dir) ? 0 : -1;
}

static int ts_teardown(void **state)
{
	(void)state;
	return nftw(ts_dir, ts_rm, 16, FTW_DEPTH | FTW_PHYS);
}

/* Writes @len bytes (or the string) to a file in the temporary directory. */
static const char *ts_write_n(const char *name, const char *text, size_t len)
{
	static char path[512];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", ts_dir, name);
	f = fopen(path, "w");
	assert_non_null(f);
	assert_int_equal(fwrite(text, 1, len, f), len);
	assert_int_equal(fclose(f), 0);
	return path;
}

static const char *ts_write(const char *name, const char *text)
{
	return ts_write_n(name, text, strlen(text));
}

#define ts_contains(hay, needle) do { \
	if (!strstr((hay), (needle))) \
		fail_msg("\"%s\" does not contain \"%s\"", (hay), (needle)); \
} while (0)

static void ts_defaults(struct tcfg *c)
{
	memset(c, 0, sizeof(*c));
	assert_int_equal(scfg_defaults(&ts_prog, c, ts_err, sizeof(ts_err)), 0);
}

/* scfg_parse on a NULL-terminated list of arguments. */
static int ts_parse(struct tcfg *c, struct scfg_cmdline *cl, ...)
{
	char *argv[32];
	int argc = 0, ret;
	va_list ap;

	argv[argc++] = (char *)"sealfs-test";
	va_start(ap, cl);
	while ((argv[argc] = va_arg(ap, char *)))
		argc++;
	va_end(ap);
	memset(c, 0, sizeof(*c));
	ts_err[0] = '\0';
	ret = scfg_parse(&ts_prog, c, argc, argv, cl, ts_err, sizeof(ts_err));
	return ret;
}

/* ---- values ----------------------------------------------------------------- */

static void test_int_values(void **state)
{
	static const struct {
		const char *s;
		int ret;
		int64_t v;
	} t[] = {
		{ "0", 0, 0 }, { "-0", 0, 0 }, { "+5", 0, 5 }, { "42", 0, 42 },
		{ "9223372036854775807", 0, INT64_MAX },
		{ "-9223372036854775808", 0, INT64_MIN },
		{ "9223372036854775808", -ERANGE, 0 },
		{ "-9223372036854775809", -ERANGE, 0 },
		{ "99999999999999999999999", -ERANGE, 0 },
		{ "", -EINVAL, 0 }, { "-", -EINVAL, 0 }, { "1x", -EINVAL, 0 },
		{ " 1", -EINVAL, 0 }, { "1 ", -EINVAL, 0 }, { "0x10", -EINVAL, 0 },
		{ "--1", -EINVAL, 0 }, { "1.0", -EINVAL, 0 },
	};
	const char *why;
	int64_t v;
	size_t i;

	(void)state;
	for (i = 0; i < ARRAY_SIZE(t); i++) {
		v = 12345;
		why = NULL;
		assert_int_equal(scfg_parse_int(t[i].s, &v, &why), t[i].ret);
		if (t[i].ret)
			assert_non_null(why);
		else
			assert_true(v == t[i].v);
	}
}

static void test_bool_values(void **state)
{
	static const char *const yes[] = { "true", "TRUE", "yes", "on", "1", "On" };
	static const char *const no[] = { "false", "No", "off", "0" };
	static const char *const bad[] = { "", "2", "tru", "y", "truee", " true" };
	const char *why;
	bool v;
	size_t i;

	(void)state;
	for (i = 0; i < ARRAY_SIZE(yes); i++) {
		v = false;
		assert_int_equal(scfg_parse_bool(yes[i], &v, &why), 0);
		assert_true(v);
	}
	for (i = 0; i < ARRAY_SIZE(no); i++) {
		v = true;
		assert_int_equal(scfg_parse_bool(no[i], &v, &why), 0);
		assert_false(v);
	}
	for (i = 0; i < ARRAY_SIZE(bad); i++)
		assert_int_equal(scfg_parse_bool(bad[i], &v, &why), -EINVAL);
}

static void test_size_values(void **state)
{
	static const struct {
		const char *s;
		int ret;
		uint64_t v;
	} t[] = {
		{ "0", 0, 0 }, { "0K", 0, 0 }, { "1", 0, 1 }, { "4096", 0, 4096 },
		{ "1K", 0, 1024 }, { "1k", 0, 1024 }, { "1KiB", 0, 1024 },
		{ "64M", 0, 64ull << 20 }, { "3G", 0, 3ull << 30 }, { "2T", 0, 2ull << 40 },
		{ "5P", 0, 5ull << 50 }, { "16383P", 0, 16383ull << 50 },
		{ "18446744073709551615", 0, UINT64_MAX },
		{ "16384P", -ERANGE, 0 }, { "17179869184G", -ERANGE, 0 },
		{ "18446744073709551616", -ERANGE, 0 },
		{ "-1", -ERANGE, 0 }, { "-1K", -ERANGE, 0 },
		{ "", -EINVAL, 0 }, { "K", -EINVAL, 0 }, { "1KB", -EINVAL, 0 },
		{ "1.5G", -EINVAL, 0 }, { "1 K", -EINVAL, 0 }, { "1E", -EINVAL, 0 },
		{ "1Ki", -EINVAL, 0 }, { "1KK", -EINVAL, 0 }, { "+1", -EINVAL, 0 },
		{ "0x10", -EINVAL, 0 },
	};
	const char *why;
	uint64_t v;
	size_t i;

	(void)state;
	for (i = 0; i < ARRAY_SIZE(t); i++) {
		v = 777;
		why = NULL;
		if (scfg_parse_size(t[i].s, &v, &why) != t[i].ret)
			fail_msg("size \"%s\": expected %d", t[i].s, t[i].ret);
		if (t[i].ret)
			assert_non_null(why);
		else
			assert_true(v == t[i].v);
	}
}

static void test_duration_values(void **state)
{
	static const struct {
		const char *s;
		int ret;
		uint64_t v;
	} t[] = {
		{ "0", 0, 0 }, { "0ms", 0, 0 }, { "0h", 0, 0 }, { "1ms", 0, 1 },
		{ "250ms", 0, 250 }, { "1s", 0, 1000 }, { "90s", 0, 90000 },
		{ "5m", 0, 300000 }, { "2h", 0, 7200000 },
		{ "18446744073709551615ms", 0, UINT64_MAX },
		{ "5124095576030h", 0, 5124095576030ull * 3600000 },
		{ "5124095576031h", -ERANGE, 0 },
		{ "18446744073709551615s", -ERANGE, 0 },
		{ "18446744073709551616ms", -ERANGE, 0 },
		{ "-1s", -ERANGE, 0 },
		{ "5", -EINVAL, 0 }, { "", -EINVAL, 0 }, { "s", -EINVAL, 0 },
		{ "1d", -EINVAL, 0 }, { "1S", -EINVAL, 0 }, { "1.5s", -EINVAL, 0 },
		{ "1 s", -EINVAL, 0 }, { "1sec", -EINVAL, 0 }, { "1mss", -EINVAL, 0 },
	};
	const char *why;
	uint64_t v;
	size_t i;

	(void)state;
	for (i = 0; i < ARRAY_SIZE(t); i++) {
		v = 777;
		why = NULL;
		if (scfg_parse_duration(t[i].s, &v, &why) != t[i].ret)
			fail_msg("duration \"%s\": expected %d", t[i].s, t[i].ret);
		if (t[i].ret)
			assert_non_null(why);
		else
			assert_true(v == t[i].v);
	}
}

static void test_addr_values(void **state)
{
	static const struct {
		const char *s;
		const char *host;
		unsigned int port;
		int family;
	} t[] = {
		{ "1.2.3.4:80", "1.2.3.4", 80, AF_INET },
		{ "1.2.3.4", "1.2.3.4", 7420, AF_INET },
		{ "0.0.0.0:65535", "0.0.0.0", 65535, AF_INET },
		{ "localhost", "localhost", 7420, AF_UNSPEC },
		{ "mgr-1.example.com:1", "mgr-1.example.com", 1, AF_UNSPEC },
		{ "[::1]:80", "::1", 80, AF_INET6 },
		{ "[::1]", "::1", 7420, AF_INET6 },
		{ "[fe80::1:2]:7421", "fe80::1:2", 7421, AF_INET6 },
		{ "[::ffff:1.2.3.4]:9", "::ffff:1.2.3.4", 9, AF_INET6 },
	};
	static const struct {
		const char *s;
		int ret;
	} bad[] = {
		{ "::1", -EINVAL }, { "fe80::1:80", -EINVAL }, { "[::1", -EINVAL },
		{ "[::1]x", -EINVAL }, { "[::1]:", -EINVAL }, { "[]:80", -EINVAL },
		{ "[1.2.3.4]:80", -EINVAL }, { "[zz::1]", -EINVAL },
		{ "1.2.3.4:", -EINVAL }, { "1.2.3.4:0", -ERANGE },
		{ "1.2.3.4:65536", -ERANGE }, { "1.2.3.4:99999999999999999999", -EINVAL },
		{ "1.2.3.4:-1", -EINVAL }, { "1.2.3.4:8a", -EINVAL },
		{ "1.2.3.4: 80", -EINVAL }, { ":80", -EINVAL }, { "", -EINVAL },
		{ "300.1.1.1", -EINVAL }, { "1.2.3", -EINVAL }, { "-bad.example", -EINVAL },
		{ "bad-.example", -EINVAL }, { "a..b", -EINVAL }, { "host name", -EINVAL },
		{ "host_name", -EINVAL }, { "example.com.", -EINVAL },
	};
	struct scfg_addr a;
	const char *why;
	char buf[SCFG_VALUE_MAX];
	size_t i;

	(void)state;
	for (i = 0; i < ARRAY_SIZE(t); i++) {
		memset(&a, 0x5a, sizeof(a));
		why = NULL;
		if (scfg_parse_addr(t[i].s, 7420, &a, &why))
			fail_msg("address \"%s\": %s", t[i].s, why);
		assert_string_equal(a.host, t[i].host);
		assert_int_equal(a.port, t[i].port);
		assert_int_equal(a.family, t[i].family);
	}
	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		why = NULL;
		if (scfg_parse_addr(bad[i].s, 7420, &a, &why) != bad[i].ret)
			fail_msg("address \"%s\": expected %d", bad[i].s, bad[i].ret);
		assert_non_null(why);
	}
	/* no default port: the port is required */
	assert_int_equal(scfg_parse_addr("1.2.3.4", 0, &a, &why), -EINVAL);
	assert_int_equal(scfg_parse_addr("1.2.3.4:5", 0, &a, &why), 0);
	/* canonical text reads back */
	assert_int_equal(scfg_parse_addr("[::1]", 80, &a, &why), 0);
	scfg_format_addr(&a, buf, sizeof(buf));
	assert_string_equal(buf, "[::1]:80");
	/* 253 bytes is the longest host name */
	memset(buf, 'a', 253);
	for (i = 63; i < 253; i += 64)
		buf[i] = '.';
	buf[253] = '\0';
	assert_int_equal(scfg_parse_addr(buf, 1, &a, &why), 0);
	buf[253] = 'a';
	buf[254] = '\0';
	assert_int_equal(scfg_parse_addr(buf, 1, &a, &why), -EINVAL);
}

static void test_addr_to_wire(void **state)
{
	struct sealfs_addr w;
	struct scfg_addr a;
	const char *why;

	(void)state;
	assert_int_equal(scfg_parse_addr("10.1.2.3:7421", 0, &a, &why), 0);
	assert_int_equal(scfg_addr_to_wire(&a, &w), 0);
	assert_int_equal(le16_to_cpu(w.family), SEALFS_AF_INET);
	assert_int_equal(le16_to_cpu(w.port), 7421);
	assert_int_equal(w.addr[0], 10);
	assert_int_equal(w.addr[3], 3);
	assert_int_equal(w.addr[4], 0);
	assert_int_equal(w.reserved, 0);
	assert_int_equal(scfg_parse_addr("[2001:db8::7]:9", 0, &a, &why), 0);
	assert_int_equal(scfg_addr_to_wire(&a, &w), 0);
	assert_int_equal(le16_to_cpu(w.family), SEALFS_AF_INET6);
	assert_int_equal(w.addr[0], 0x20);
	assert_int_equal(w.addr[15], 7);
	assert_int_equal(scfg_parse_addr("manager.example", 1, &a, &why), 0);
	assert_int_equal(scfg_addr_to_wire(&a, &w), -EINVAL);
}

static void test_loglevel_values(void **state)
{
	static const struct {
		const char *s;
		int level;
	} t[] = {
		{ "error", LOG_ERR }, { "warn", LOG_WARNING }, { "notice", LOG_NOTICE },
		{ "info", LOG_INFO }, { "debug", LOG_DEBUG }, { "DEBUG", LOG_DEBUG },
	};
	static const char *const bad[] = { "", "warning", "err", "trace", "3" };
	const char *why;
	size_t i;
	int v;

	(void)state;
	for (i = 0; i < ARRAY_SIZE(t); i++) {
		assert_int_equal(scfg_parse_loglevel(t[i].s, &v, &why), 0);
		assert_int_equal(v, t[i].level);
	}
	for (i = 0; i < ARRAY_SIZE(bad); i++)
		assert_int_equal(scfg_parse_loglevel(bad[i], &v, &why), -EINVAL);
	assert_string_equal(scfg_loglevel_name(LOG_WARNING), "warn");
	assert_string_equal(scfg_loglevel_name(LOG_EMERG), "?");
}

static void test_canonical_formats(void **state)
{
	static const uint64_t sizes[] = {
		0, 1, 1000, 1024, 1536, 65536, 1ull << 20, 3ull << 30, 1ull << 40,
		1ull << 50, 1ull << 60, UINT64_MAX,
	};
	static const uint64_t durations[] = {
		0, 1, 999, 1000, 1500, 60000, 90000, 3600000, 5400000, UINT64_MAX,
	};
	const char *why;
	char buf[32];
	uint64_t v;
	size_t i;

	(void)state;
	scfg_format_size(65536, buf, sizeof(buf));
	assert_string_equal(buf, "64K");
	scfg_format_size(1000, buf, sizeof(buf));
	assert_string_equal(buf, "1000");
	scfg_format_duration(90000, buf, sizeof(buf));
	assert_string_equal(buf, "90s");
	scfg_format_duration(5400000, buf, sizeof(buf));
	assert_string_equal(buf, "90m");
	for (i = 0; i < ARRAY_SIZE(sizes); i++) {
		scfg_format_size(sizes[i], buf, sizeof(buf));
		assert_int_equal(scfg_parse_size(buf, &v, &why), 0);
		assert_true(v == sizes[i]);
	}
	for (i = 0; i < ARRAY_SIZE(durations); i++) {
		scfg_format_duration(durations[i], buf, sizeof(buf));
		assert_int_equal(scfg_parse_duration(buf, &v, &why), 0);
		assert_true(v == durations[i]);
	}
}

/* ---- table ------------------------------------------------------------------ */

static void test_defaults(void **state)
{
	struct tcfg c;

	(void)state;
	ts_defaults(&c);
	assert_string_equal(c.name, "node-a");
	assert_string_equal(c.dir, "/var/lib/sealfs");
	assert_int_equal(c.threads, 4);
	assert_int_equal(c.offset, -3);
	assert_false(c.fg);
	assert_true(c.cache == 64ull << 20);
	assert_true(c.timeout == 10000);
	assert_string_equal(c.listen.host, "0.0.0.0");
	assert_int_equal(c.listen.port, 7420);
	assert_int_equal(c.manager.port, 0);
	assert_int_equal(c.level, LOG_INFO);
	/* defaults again: strings replaced, not leaked */
	assert_int_equal(scfg_defaults(&ts_prog, &c, ts_err, sizeof(ts_err)), 0);
	scfg_free(&ts_prog, &c);
	assert_null(c.name);
	assert_null(c.dir);
}

static void test_bad_tables(void **state)
{
	static const struct scfg_opt dup[] = {
		SCFG_OPT_INT("a", struct tcfg, threads, "1", 0, 9, "x"),
		SCFG_OPT_INT("a", struct tcfg, offset, "1", 0, 9, "x"),
	};
	static const struct scfg_opt upper[] = {
		SCFG_OPT_INT("Threads", struct tcfg, threads, "1", 0, 9, "x"),
	};
	static const struct scfg_opt reserved[] = {
		SCFG_OPT_BOOL("help", struct tcfg, fg, "false", "x"),
	};
	static const struct scfg_opt bounds[] = {
		SCFG_OPT_INT("a", struct tcfg, threads, "1", 9, 0, "x"),
	};
	static const struct scfg_opt nodef[] = {
		SCFG_OPT_SIZE("a", struct tcfg, cache, NULL, 0, 10, "x"),
	};
	static const struct scfg_opt baddef[] = {
		SCFG_OPT_INT("a", struct tcfg, threads, "10", 0, 9, "x"),
	};
	static const struct {
		const struct scfg_opt *opts;
		size_t n;
		const char *msg;
	} t[] = {
		{ dup, ARRAY_SIZE(dup), "listed twice" },
		{ upper, ARRAY_SIZE(upper), "bad setting name" },
		{ reserved, ARRAY_SIZE(reserved), "bad setting name" },
		{ bounds, ARRAY_SIZE(bounds), "min above max" },
		{ nodef, ARRAY_SIZE(nodef), "needs a default" },
		{ baddef, ARRAY_SIZE(baddef), "default of a" },
	};
	struct scfg_program p = { .name = "t" };
	struct tcfg c;
	size_t i;

	(void)state;
	for (i = 0; i < ARRAY_SIZE(t); i++) {
		memset(&c, 0, sizeof(c));
		p.opts = t[i].opts;
		p.nopts = t[i].n;
		assert_int_equal(scfg_defaults(&p, &c, ts_err, sizeof(ts_err)), -EINVAL);
		ts_contains(ts_err, t[i].msg);
	}
}

static void test_set_by_name(void **state)
{
	struct tcfg c;

	(void)state;
	ts_defaults(&c);
	assert_int_equal(scfg_set(&ts_prog, &c, "threads", "64", ts_err, sizeof(ts_err)), 0);
	assert_int_equal(c.threads, 64);
	assert_int_equal(scfg_set(&ts_prog, &c, "threads", "65", ts_err, sizeof(ts_err)),
			 -ERANGE);
	ts_contains(ts_err, "threads: 65 is out of range (1 to 64)");
	assert_int_equal(c.threads, 64);
	assert_int_equal(scfg_set(&ts_prog, &c, "threads", "0", ts_err, sizeof(ts_err)),
			 -ERANGE);
	assert_int_equal(scfg_set(&ts_prog, &c, "cache-size", "1K", ts_err, sizeof(ts_err)),
			 -ERANGE);
	ts_contains(ts_err, "1K is out of range (at least 4K)");
	assert_int_equal(scfg_set(&ts_prog, &c, "timeout", "2h", ts_err, sizeof(ts_err)),
			 -ERANGE);
	ts_contains(ts_err, "2h is out of range (100ms to 1h)");
	assert_int_equal(scfg_set(&ts_prog, &c, "data-dir", "", ts_err, sizeof(ts_err)),
			 -EINVAL);
	assert_string_equal(c.dir, "/var/lib/sealfs");
	assert_int_equal(scfg_set(&ts_prog, &c, "name", "", ts_err, sizeof(ts_err)), 0);
	assert_string_equal(c.name, "");
	assert_int_equal(scfg_set(&ts_prog, &c, "nope", "1", ts_err, sizeof(ts_err)),
			 -ENOENT);
	assert_null(scfg_find(&ts_prog, "nope"));
	assert_non_null(scfg_find(&ts_prog, "log-level"));
	scfg_free(&ts_prog, &c);
}

/* ---- files ------------------------------------------------------------------ */

static void test_file_every_type(void **state)
{
	const char *path = ts_write("all.conf",
		"# every kind\n"
		"name = \"node \\\"b\\\"\";\n"
		"data-dir = \"/srv/data\";\n"
		"threads = 16;\n"
		"offset = -5000000000L;\n"
		"foreground = true;\n"
		"cache-size = \"2G\";\n"
		"timeout = \"1500ms\";\n"
		"listen = \"[::]:7000\";\n"
		"manager = \"mgr.example\";\n"
		"log-level = \"debug\";\n");
	struct tcfg c;

	(void)state;
	ts_defaults(&c);
	assert_int_equal(scfg_load_file(&ts_prog, &c, path, ts_err, sizeof(ts_err)), 0);
	assert_string_equal(c.name, "node \"b\"");
	assert_string_equal(c.dir, "/srv/data");
	assert_int_equal(c.threads, 16);
	assert_true(c.offset == -5000000000LL);
	assert_true(c.fg);
	assert_true(c.cache == 2ull << 30);
	assert_true(c.timeout == 1500);
	assert_string_equal(c.listen.host, "::");
	assert_int_equal(c.listen.port, 7000);
	assert_string_equal(c.manager.host, "mgr.example");
	assert_int_equal(c.manager.port, 7420);
	assert_int_equal(c.level, LOG_DEBUG);
	scfg_free(&ts_prog, &c);

	/* sizes as integers (bytes), 64-bit with L; duration 0 as integer */
	path = ts_write("ints.conf", "cache-size = 8192;\nsize2 = 0;\n");
	ts_defaults(&c);
	assert_int_equal(scfg_load_file(&ts_prog, &c, path, ts_err, sizeof(ts_err)), -EINVAL);
	ts_contains(ts_err, "ints.conf:2: unknown setting 'size2'");
	assert_true(c.cache == 8192);
	path = ts_write("ints2.conf", "cache-size = 8589934592L; timeout = 0;\n");
	assert_int_equal(scfg_load_file(&ts_prog, &c, path, ts_err, sizeof(ts_err)),
			 -ERANGE);	/* timeout 0 is below its minimum */
	ts_contains(ts_err, "ints2.conf:1: timeout: 0 is out of range");
	assert_true(c.cache == 8ull << 30);
	scfg_free(&ts_prog, &c);
}

static void test_file_errors(void **state)
{
	static const struct {
		const char *text;
		int ret;
		const char *msg;	/* after "PATH:" */
	} t[] = {
		{ "threads = 4\n\nthreads2 = ;\n", -EINVAL, "3: syntax error" },
		{ "name = \"x\";\n\n\nbogus = 1;\n", -EINVAL, "4: unknown setting 'bogus'" },
		{ "data_dir = \"/x\";\n", -EINVAL,
		  "1: unknown setting 'data_dir' (did you mean 'data-dir'?)" },
		{ "\nthreads = \"4\";\n", -EINVAL, "2: threads: expected an integer, not a string" },
		{ "threads = 4.0;\n", -EINVAL, "1: threads: expected an integer, not a floating-point" },
		{ "threads = true;\n", -EINVAL, "1: threads: expected an integer, not a boolean" },
		{ "name = 5;\n", -EINVAL, "1: name: expected a string, not an integer" },
		{ "foreground = \"yes\";\n", -EINVAL, "1: foreground: expected true or false, not a string" },
		{ "foreground = 1;\n", -EINVAL, "1: foreground: expected true or false, not an integer" },
		{ "cache-size = 1.5;\n", -EINVAL, "1: cache-size: expected a size, not a floating-point" },
		{ "listen = { host = \"x\"; };\n", -EINVAL, "1: listen: expected an address, not a group" },
		{ "listen = [1, 2];\n", -EINVAL, "1: listen: expected an address, not an array" },
		{ "listen = (1, \"x\");\n", -EINVAL, "1: listen: expected an address, not a list" },
		{ "threads = 65;\n", -ERANGE, "1: threads: 65 is out of range (1 to 64)" },
		{ "threads = -1;\n", -ERANGE, "1: threads: -1 is out of range (1 to 64)" },
		{ "cache-size = \"2K\";\n", -ERANGE, "1: cache-size: 2K is out of range" },
		{ "cache-size = -4096;\n", -ERANGE, "1: cache-size: -4096: must not be negative" },
		{ "cache-size = \"64Q\";\n", -EINVAL, "1: cache-size: \"64Q\": unknown size suffix" },
		{ "cache-size = \"99999999999P\";\n", -ERANGE,
		  "1: cache-size: \"99999999999P\": size too large" },
		{ "timeout = 5;\n", -EINVAL, "1: timeout: 5: a duration needs a unit" },
		{ "timeout = \"5\";\n", -EINVAL, "1: timeout: \"5\": needs a unit" },
		{ "timeout = \"2h\";\n", -ERANGE, "1: timeout: 2h is out of range (100ms to 1h)" },
		{ "data-dir = \"\";\n", -EINVAL, "1: data-dir: a path must not be empty" },
		{ "listen = \"::1\";\n", -EINVAL, "1: listen: \"::1\": IPv6 addresses need brackets" },
		{ "listen = \"1.2.3.4:0\";\n", -ERANGE, "1: listen: \"1.2.3.4:0\": port must be 1 to 65535" },
		{ "log-level = \"loud\";\n", -EINVAL, "1: log-level: \"loud\": expected error, warn" },
		{ "a = 1;\n# 5000000000\noffset = 5000000000;\n", -ERANGE,
		  "3: integer 5000000000 does not fit in 32 bits (add an L suffix" },
		{ "offset = -2147483649;\n", -ERANGE, "1: integer -2147483649 does not fit in 32 bits" },
		{ "offset = 0x80000000;\n", -ERANGE, "1: integer 0x80000000 does not fit in 32 bits" },
		{ "offset = 99999999999999999999L;\n", -ERANGE,
		  "1: integer 99999999999999999999L does not fit in 64 bits" },
		{ "offset = 0xffffffffffffffffL;\n", -ERANGE,
		  "1: integer 0xffffffffffffffffL does not fit in 64 bits" },
		{ "/* a\n b */ name = \"x\"; // c\n@include \"other.conf\"\n", -EINVAL,
		  "3: @include and other directives are not supported" },
		{ "name = \"a\nb\";\nthreads = 100;\n", -ERANGE, "3: threads: 100 is out of range" },
	};
	char path[512], name[32];
	struct tcfg c;
	size_t i;
	int ret;

	(void)state;
	for (i = 0; i < ARRAY_SIZE(t); i++) {
		snprintf(name, sizeof(name), "bad%zu.conf", i);
		snprintf(path, sizeof(path), "%s", ts_write(name, t[i].text));
		ts_defaults(&c);
		ts_err[0] = '\0';
		ret = scfg_load_file(&ts_prog, &c, path, ts_err, sizeof(ts_err));
		if (ret != t[i].ret)
			fail_msg("case %zu: returned %d, expected %d (%s)", i, ret, t[i].ret, ts_err);
		if (strncmp(ts_err, path, strlen(path)) || ts_err[strlen(path)] != ':')
			fail_msg("case %zu: \"%s\" does not start with the path", i, ts_err);
		ts_contains(ts_err + strlen(path) + 1, t[i].msg);
		scfg_free(&ts_prog, &c);
	}
}

static void test_file_io_errors(void **state)
{
	char path[512];
	struct tcfg c;

	(void)state;
	ts_defaults(&c);
	snprintf(path, sizeof(path), "%s/missing.conf", ts_dir);
	assert_int_equal(scfg_load_file(&ts_prog, &c, path, ts_err, sizeof(ts_err)), -ENOENT);
	ts_contains(ts_err, "missing.conf: No such file or directory");
	assert_int_equal(scfg_load_file(&ts_prog, &c, ts_dir, ts_err, sizeof(ts_err)), -EISDIR);
	snprintf(path, sizeof(path), "%s", ts_write_n("nul.conf", "a = 1;\0b = 2;\n", 14));
	assert_int_equal(scfg_load_file(&ts_prog, &c, path, ts_err, sizeof(ts_err)), -EINVAL);
	ts_contains(ts_err, "contains a NUL byte");
	/* an empty file, and one of comments only, change nothing */
	snprintf(path, sizeof(path), "%s", ts_write("empty.conf", ""));
	assert_int_equal(scfg_load_file(&ts_prog, &c, path, ts_err, sizeof(ts_err)), 0);
	snprintf(path, sizeof(path), "%s", ts_write("comments.conf", "# x = 1;\n// y\n/* z */\n"));
	assert_int_equal(scfg_load_file(&ts_prog, &c, path, ts_err, sizeof(ts_err)), 0);
	assert_int_equal(c.threads, 4);
	scfg_free(&ts_prog, &c);
}

/* ---- command line ------------------------------------------------------------ */

static void test_args_forms(void **state)
{
	struct scfg_cmdline cl;
	struct tcfg c;

	(void)state;
	assert_int_equal(ts_parse(&c, &cl, "--threads", "8", "--cache-size=1G",
				  "--foreground", "--listen", "[::1]:9", "--offset=-7",
				  "--log-level", "warn", "--timeout=250ms", "--name=",
				  "--data-dir", "/d", "--manager=10.0.0.1", NULL), 0);
	assert_false(cl.help);
	assert_null(cl.file);
	assert_int_equal(cl.argind, 15);
	assert_int_equal(c.threads, 8);
	assert_true(c.cache == 1ull << 30);
	assert_true(c.fg);
	assert_string_equal(c.listen.host, "::1");
	assert_int_equal(c.listen.port, 9);
	assert_int_equal(c.offset, -7);
	assert_int_equal(c.level, LOG_WARNING);
	assert_true(c.timeout == 250);
	assert_string_equal(c.name, "");
	assert_string_equal(c.dir, "/d");
	assert_int_equal(c.manager.port, 7420);
	scfg_free(&ts_prog, &c);

	assert_int_equal(ts_parse(&c, &cl, "--foreground=no", NULL), 0);
	assert_false(c.fg);
	scfg_free(&ts_prog, &c);
	/* --name VALUE: a boolean takes its value only with '=' */
	assert_int_equal(ts_parse(&c, &cl, "--foreground", "false", NULL), -EINVAL);
	ts_contains(ts_err, "unexpected argument 'false'");
	scfg_free(&ts_prog, &c);
	assert_int_equal(ts_parse(&c, &cl, "-h", NULL), 0);
	assert_true(cl.help);
	scfg_free(&ts_prog, &c);
	assert_int_equal(ts_parse(&c, &cl, "--threads=9", "--help", "-c", "/nonexistent", NULL), 0);
	assert_true(cl.help);
	assert_int_equal(c.threads, 4);	/* help: only defaults */
	scfg_free(&ts_prog, &c);
}

static void test_args_errors(void **state)
{
	static const struct {
		const char *a, *b;
		int ret;
		const char *msg;
	} t[] = {
		{ "--bogus", NULL, -EINVAL, "unknown option or bad use of --bogus" },
		{ "--bogus=1", NULL, -EINVAL, "--bogus (see --help)" },
		{ "-x", NULL, -EINVAL, "unknown option or bad use of -x" },
		{ "--help=1", NULL, -EINVAL, "bad use of --help" },
		{ "--threads", NULL, -EINVAL, "option --threads needs a value" },
		{ "-c", NULL, -EINVAL, "option -c needs a value" },
		{ "--config", NULL, -EINVAL, "option --config needs a value" },
		{ "--threads", "abc", -EINVAL, "option --threads: \"abc\": expected a decimal integer" },
		{ "--threads=100", NULL, -ERANGE, "option --threads: 100 is out of range (1 to 64)" },
		{ "--cache-size=-1", NULL, -ERANGE, "option --cache-size: \"-1\": must not be negative" },
		{ "--timeout", "7", -EINVAL, "option --timeout: \"7\": needs a unit" },
		{ "--listen", "[::1", -EINVAL, "option --listen: \"[::1\": missing ']'" },
		{ "--foreground=maybe", NULL, -EINVAL, "option --foreground: \"maybe\": expected true or false" },
		{ "--log-level", "", -EINVAL, "option --log-level: \"\": expected error" },
		{ "extra", NULL, -EINVAL, "unexpected argument 'extra'" },
		{ "--threads=2", "extra", -EINVAL, "unexpected argument 'extra'" },
	};
	struct scfg_cmdline cl;
	struct tcfg c;
	size_t i;
	int ret;

	(void)state;
	for (i = 0; i < ARRAY_SIZE(t); i++) {
		ret = ts_parse(&c, &cl, t[i].a, t[i].b, NULL);
		if (ret != t[i].ret)
			fail_msg("case %zu: returned %d, expected %d (%s)", i, ret, t[i].ret, ts_err);
		ts_contains(ts_err, t[i].msg);
		scfg_free(&ts_prog, &c);
	}
}

static void test_args_positional(void **state)
{
	char *argv[] = { (char *)"sealfs-admin", (char *)"--threads", (char *)"2",
			 (char *)"volume", (char *)"create", (char *)"--quota", (char *)"1G",
			 NULL };
	char *copy[ARRAY_SIZE(argv)];
	struct scfg_program p = ts_prog;
	struct scfg_cmdline cl;
	struct tcfg c = { 0 };

	(void)state;
	memcpy(copy, argv, sizeof(argv));
	p.args = "COMMAND [ARG]...";
	assert_int_equal(scfg_parse(&p, &c, 7, argv, &cl, ts_err, sizeof(ts_err)), 0);
	assert_int_equal(cl.argind, 3);
	assert_int_equal(c.threads, 2);
	assert_memory_equal(copy, argv, sizeof(argv));	/* argv untouched */
	scfg_free(&p, &c);
	/* "--" ends the options */
	argv[3] = (char *)"--";
	assert_int_equal(scfg_parse(&p, &c, 7, argv, &cl, ts_err, sizeof(ts_err)), 0);
	assert_int_equal(cl.argind, 4);
	scfg_free(&p, &c);
}

static void test_file_and_args_precedence(void **state)
{
	char path[512];
	struct scfg_cmdline cl;
	struct tcfg c;

	(void)state;
	snprintf(path, sizeof(path), "%s",
		 ts_write("prec.conf", "threads = 8;\ncache-size = \"1G\";\nname = \"file\";\n"));
	/* flag after -c, flag before -c, --config=, repeated flag */
	assert_int_equal(ts_parse(&c, &cl, "-c", path, "--threads", "3", NULL), 0);
	assert_int_equal(c.threads, 3);
	assert_true(c.cache == 1ull << 30);
	assert_string_equal(c.name, "file");
	assert_string_equal(cl.file, path);
	scfg_free(&ts_prog, &c);
	assert_int_equal(ts_parse(&c, &cl, "--threads=3", "--name", "flag", "-c", path, NULL), 0);
	assert_int_equal(c.threads, 3);
	assert_string_equal(c.name, "flag");
	assert_true(c.cache == 1ull << 30);
	scfg_free(&ts_prog, &c);
	assert_int_equal(ts_parse(&c, &cl, "--threads=2", "--config=", NULL), -ENOENT);
	scfg_free(&ts_prog, &c);
	assert_int_equal(ts_parse(&c, &cl, "--threads=2", "--threads=5", "--config", path, NULL), 0);
	assert_int_equal(c.threads, 5);
	scfg_free(&ts_prog, &c);
	/* no flag: the file's value */
	assert_int_equal(ts_parse(&c, &cl, "-c", path, NULL), 0);
	assert_int_equal(c.threads, 8);
	scfg_free(&ts_prog, &c);
	/* a bad value in the file fails even when a flag would override it */
	snprintf(path, sizeof(path), "%s", ts_write("prec2.conf", "threads = 99;\n"));
	assert_int_equal(ts_parse(&c, &cl, "-c", path, "--threads=3", NULL), -ERANGE);
	ts_contains(ts_err, "prec2.conf:1: threads: 99 is out of range");
	scfg_free(&ts_prog, &c);
}

static void test_config_file_lookup(void **state)
{
	struct scfg_program p = ts_prog;
	char path[512], missing[512];
	struct scfg_cmdline cl;
	struct tcfg c = { 0 };

	(void)state;
	snprintf(missing, sizeof(missing), "%s/none.conf", ts_dir);
	/* -c FILE that does not exist: an error */
	assert_int_equal(ts_parse(&c, &cl, "-c", missing, NULL), -ENOENT);
	ts_contains(ts_err, "none.conf: No such file or directory");
	scfg_free(&ts_prog, &c);
	/* a default file that does not exist: fine */
	p.default_file = missing;
	assert_int_equal(scfg_parse(&p, &c, 1, (char *[]){ (char *)"t", NULL }, &cl,
				    ts_err, sizeof(ts_err)), 0);
	assert_null(cl.file);
	scfg_free(&p, &c);
	/* a default file that exists is read; -c replaces it */
	snprintf(path, sizeof(path), "%s", ts_write("default.conf", "threads = 12;\n"));
	p.default_file = path;
	assert_int_equal(scfg_parse(&p, &c, 1, (char *[]){ (char *)"t", NULL }, &cl,
				    ts_err, sizeof(ts_err)), 0);
	assert_int_equal(c.threads, 12);
	assert_string_equal(cl.file, path);
	scfg_free(&p, &c);
	snprintf(path, sizeof(path), "%s", ts_write("other.conf", "threads = 13;\n"));
	assert_int_equal(scfg_parse(&p, &c, 3,
				    (char *[]){ (char *)"t", (char *)"-c", path, NULL }, &cl,
				    ts_err, sizeof(ts_err)), 0);
	assert_int_equal(c.threads, 13);
	scfg_free(&p, &c);
}

/* ---- text ------------------------------------------------------------------- */

static void test_help_lists_every_option(void **state)
{
	char *help = NULL, line[128];
	size_t i;

	(void)state;
	assert_int_equal(scfg_help(&ts_prog, &help), 0);
	assert_non_null(help);
	ts_contains(help, "Usage: sealfs-test [OPTION]...");
	ts_contains(help, "-c, --config=FILE");
	ts_contains(help, "-h, --help");
	for (i = 0; i < ARRAY_SIZE(ts_opts); i++) {
		const struct scfg_opt *o = &ts_opts[i];

		if (o->type == SCFG_T_BOOL)
			snprintf(line, sizeof(line), "--%s[=BOOL]\n", o->name);
		else
			snprintf(line, sizeof(line), "--%s=%s\n", o->name,
				 scfg_type_name(o->type));
		ts_contains(help, line);
		ts_contains(help, o->help);
		snprintf(line, sizeof(line), "(default: %s", o->def ? o->def : "none");
		ts_contains(help, line);
	}
	ts_contains(help, "(default: 4; 1 to 64)");
	ts_contains(help, "(default: -3)\n");
	ts_contains(help, "(default: 64M; at least 4K)");
	ts_contains(help, "(default: 10s; 100ms to 1h)");
	ts_contains(help, "(default: 0.0.0.0; default port 7420)");
	ts_contains(help, "SIZE      bytes, or with K, M, G, T, P");
	free(help);
}

static void test_dump_reads_back(void **state)
{
	char *dump = NULL, *again = NULL, path[512];
	struct tcfg c, d;

	(void)state;
	ts_defaults(&c);
	assert_int_equal(scfg_set(&ts_prog, &c, "name", "a \"q\" \\ b\n\tc", ts_err,
				  sizeof(ts_err)), 0);
	assert_int_equal(scfg_set(&ts_prog, &c, "offset", "-9223372036854775808", ts_err,
				  sizeof(ts_err)), 0);
	assert_int_equal(scfg_set(&ts_prog, &c, "cache-size", "1536K", ts_err,
				  sizeof(ts_err)), 0);
	assert_int_equal(scfg_set(&ts_prog, &c, "listen", "[::1]:80", ts_err,
				  sizeof(ts_err)), 0);
	assert_int_equal(scfg_dump(&ts_prog, &c, &dump), 0);
	ts_contains(dump, "threads = 4;\n");
	ts_contains(dump, "offset = -9223372036854775808L;\n");
	ts_contains(dump, "foreground = false;\n");
	ts_contains(dump, "cache-size = \"1536K\";\n");
	ts_contains(dump, "timeout = \"10s\";\n");
	ts_contains(dump, "listen = \"[::1]:80\";\n");
	ts_contains(dump, "# manager is not set\n");
	ts_contains(dump, "log-level = \"info\";\n");
	snprintf(path, sizeof(path), "%s", ts_write("dump.conf", dump));
	memset(&d, 0, sizeof(d));
	assert_int_equal(scfg_defaults(&ts_prog, &d, ts_err, sizeof(ts_err)), 0);
	assert_int_equal(scfg_set(&ts_prog, &d, "threads", "60", ts_err, sizeof(ts_err)), 0);
	if (scfg_load_file(&ts_prog, &d, path, ts_err, sizeof(ts_err)))
		fail_msg("%s", ts_err);
	assert_string_equal(d.name, c.name);
	assert_int_equal(d.threads, 4);
	assert_int_equal(scfg_dump(&ts_prog, &d, &again), 0);
	assert_string_equal(again, dump);
	free(dump);
	free(again);
	scfg_free(&ts_prog, &c);
	scfg_free(&ts_prog, &d);
}

static void test_format_one(void **state)
{
	char buf[8];
	struct tcfg c;

	(void)state;
	ts_defaults(&c);
	assert_int_equal(scfg_format(scfg_find(&ts_prog, "cache-size"), &c, buf, sizeof(buf)), 0);
	assert_string_equal(buf, "64M");
	assert_int_equal(scfg_format(scfg_find(&ts_prog, "manager"), &c, buf, sizeof(buf)),
			 -ENOENT);
	assert_int_equal(scfg_format(scfg_find(&ts_prog, "data-dir"), &c, buf, sizeof(buf)),
			 -ENOSPC);
	assert_int_equal(scfg_format(scfg_find(&ts_prog, "log-level"), &c, buf, sizeof(buf)), 0);
	assert_string_equal(buf, "info");
	scfg_free(&ts_prog, &c);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_int_values),
		cmocka_unit_test(test_bool_values),
		cmocka_unit_test(test_size_values),
		cmocka_unit_test(test_duration_values),
		cmocka_unit_test(test_addr_values),
		cmocka_unit_test(test_addr_to_wire),
		cmocka_unit_test(test_loglevel_values),
		cmocka_unit_test(test_canonical_formats),
		cmocka_unit_test(test_defaults),
		cmocka_unit_test(test_bad_tables),
		cmocka_unit_test(test_set_by_name),
		cmocka_unit_test(test_file_every_type),
		cmocka_unit_test(test_file_errors),
		cmocka_unit_test(test_file_io_errors),
		cmocka_unit_test(test_args_forms),
		cmocka_unit_test(test_args_errors),
		cmocka_unit_test(test_args_positional),
		cmocka_unit_test(test_file_and_args_precedence),
		cmocka_unit_test(test_config_file_lookup),
		cmocka_unit_test(test_help_lists_every_option),
		cmocka_unit_test(test_dump_reads_back),
		cmocka_unit_test(test_format_one),
	};

	return cmocka_run_group_tests(tests, ts_setup, ts_teardown);
}
