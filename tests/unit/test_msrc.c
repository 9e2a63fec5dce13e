// SPDX-License-Identifier: Apache-2.0
/*
 * mount.sealfs tests: the mount source is rewritten into the numeric form
 * sealfs.ko accepts, with host names looked up in a table instead of DNS
 * (IPv4 preferred, IPv6 in brackets, ports kept); malformed sources and
 * names that do not resolve are refused with a reason; mount options are
 * split into MS_* flags and the data for the kernel.
 */
#include <arpa/inet.h>
#include <netdb.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/socket.h>

#include <cmocka.h>

#include "utils/mount/msrc.h"

#define ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

/* The fake name service: NAME -> addresses in the order "DNS" gives them. */
static const struct {
	const char *name;
	const char *addrs[3];
} tm_hosts[] = {
	{ "localhost", { "::1", "127.0.0.1" } },
	{ "mgr1", { "10.1.0.1" } },
	{ "mgr2.example", { "10.1.0.2", "10.1.0.3" } },
	{ "v6only", { "fd00::7", "fd00::8" } },
	{ "empty", { NULL } },
};

/* Counts lookups; the note hook records the last one. */
struct tm_ctx {
	int lookups;
	char noted[128];
};

static int tm_resolve(void *ctx, const char *host, struct msrc_addr *out,
		      size_t max, size_t *n)
{
	struct tm_ctx *c = ctx;
	size_t i, j;

	c->lookups++;
	*n = 0;
	for (i = 0; i < ARRAY_LEN(tm_hosts); i++) {
		if (strcmp(host, tm_hosts[i].name))
			continue;
		for (j = 0; j < 3 && tm_hosts[i].addrs[j] && *n < max; j++) {
			const char *a = tm_hosts[i].addrs[j];

			out[*n].family = strchr(a, ':') ? AF_INET6 : AF_INET;
			assert_int_equal(inet_pton(out[*n].family, a, out[*n].addr), 1);
			(*n)++;
		}
		return 0;
	}
	return strcmp(host, "tryagain") ? EAI_NONAME : EAI_AGAIN;
}

static void tm_note(void *ctx, const char *host, const char *addr)
{
	struct tm_ctx *c = ctx;

	snprintf(c->noted, sizeof(c->noted), "%s=%s", host, addr);
}

static int tm_rewrite(struct tm_ctx *c, const char *src, char *out, char *err)
{
	memset(out, 0, MSRC_MAX_LEN + 1);
	err[0] = '\0';
	return msrc_rewrite(src, tm_resolve, tm_note, c, out, MSRC_MAX_LEN + 1, err, 256);
}

static void test_rewrite(void **state)
{
	static const struct {
		const char *in;
		const char *out;
		int lookups;
	} cases[] = {
		/* Numeric already: as is (canonical), nothing looked up. */
		{ "10.0.0.1:/vol", "10.0.0.1:/vol", 0 },
		{ "10.0.0.1:7000:/vol", "10.0.0.1:7000:/vol", 0 },
		{ "[fd00::1]:/v", "[fd00::1]:/v", 0 },
		{ "[FD00:0:0::1]:7001:/v", "[fd00::1]:7001:/v", 0 },
		{ "10.0.0.1:07000:/v", "10.0.0.1:7000:/v", 0 },
		/* Names: IPv4 preferred even when IPv6 comes first. */
		{ "localhost:/vol1", "127.0.0.1:/vol1", 1 },
		{ "localhost:7420:/vol1", "127.0.0.1:7420:/vol1", 1 },
		{ "mgr2.example:1:/a", "10.1.0.2:1:/a", 1 },
		{ "v6only:65535:/a", "[fd00::7]:65535:/a", 1 },
		/* Several managers, mixed. */
		{ "mgr1,10.0.0.9:7001,[::1]:7002,localhost:/v.1_-x",
		  "10.1.0.1,10.0.0.9:7001,[::1]:7002,127.0.0.1:/v.1_-x", 2 },
		{ "10.0.0.1,10.0.0.2,10.0.0.3,10.0.0.4,mgr1,10.0.0.6,10.0.0.7,[::8]:/v",
		  "10.0.0.1,10.0.0.2,10.0.0.3,10.0.0.4,10.1.0.1,10.0.0.6,10.0.0.7,[::8]:/v", 1 },
	};
	char out[MSRC_MAX_LEN + 1], err[256];
	struct tm_ctx c;
	size_t i;

	(void)state;
	for (i = 0; i < ARRAY_LEN(cases); i++) {
		memset(&c, 0, sizeof(c));
		assert_int_equal(tm_rewrite(&c, cases[i].in, out, err), MSRC_OK);
		assert_string_equal(out, cases[i].out);
		assert_int_equal(c.lookups, cases[i].lookups);
	}
}

static void test_note(void **state)
{
	char out[MSRC_MAX_LEN + 1], err[256];
	struct tm_ctx c = { 0 };

	(void)state;
	assert_int_equal(tm_rewrite(&c, "10.0.0.1,v6only:9:/v", out, err), MSRC_OK);
	assert_string_equal(c.noted, "v6only=[fd00::7]");
}

static void test_resolve_failures(void **state)
{
	static const struct {
		const char *in;
		const char *err;
	} cases[] = {
		{ "nohost:/v", "cannot resolve nohost: " },
		{ "tryagain:7000:/v", "cannot resolve tryagain: " },
		{ "mgr1,nohost:/v", "cannot resolve nohost: " },
		{ "empty:/v", "cannot resolve empty: no IPv4 or IPv6 address" },
	};
	char out[MSRC_MAX_LEN + 1], err[256], want[256];
	struct tm_ctx c;
	size_t i;

	(void)state;
	for (i = 0; i < ARRAY_LEN(cases); i++) {
		memset(&c, 0, sizeof(c));
		assert_int_equal(tm_rewrite(&c, cases[i].in, out, err), MSRC_ERESOLVE);
		assert_memory_equal(err, cases[i].err, strlen(cases[i].err));
	}
	/* The resolver's code is explained by gai_strerror(). */
	memset(&c, 0, sizeof(c));
	tm_rewrite(&c, "tryagain:/v", out, err);
	snprintf(want, sizeof(want), "cannot resolve tryagain: %s", gai_strerror(EAI_AGAIN));
	assert_string_equal(err, want);
}

static void test_malformed(void **state)
{
	static const struct {
		const char *in;
		const char *err;	/* a part of the reason */
	} cases[] = {
		{ "", "source must be" },
		{ "none", "source must be" },
		{ "10.0.0.1", "source must be" },
		{ ":/vol", "source must be" },
		{ "h:/", "bad volume name" },
		{ "h:/.v", "bad volume name" },
		{ "h:/a/b", "bad volume name" },
		{ "h:/a b", "bad volume name" },
		{ "h:/aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", "bad volume name" },
		{ ",h:/v", "empty manager" },
		{ "h,,i:/v", "empty manager" },
		{ "h,:/v", "empty manager" },
		{ ":7000,h:/v", "no host" },
		{ "h:0:/v", "bad port" },
		{ "h:65536:/v", "bad port" },
		{ "h:123456:/v", "bad port" },
		{ "h:x:/v", "bad port" },
		{ "h::/v", "bad port" },
		{ "[fd00::1]x:/v", "bad port" },
		{ "fd00::1:/v", "go in brackets" },
		{ "[fd00::1:/v", "no ']'" },
		{ "[mgr1]:/v", "not an IPv6 address" },
		{ "[10.0.0.1]:/v", "not an IPv6 address" },
		{ "a,b,c,d,e,f,g,h,i:/v", "too many managers" },
	};
	char out[MSRC_MAX_LEN + 1], err[256];
	struct tm_ctx c;
	size_t i;

	(void)state;
	for (i = 0; i < ARRAY_LEN(cases); i++) {
		memset(&c, 0, sizeof(c));
		assert_int_equal(tm_rewrite(&c, cases[i].in, out, err), MSRC_ESYNTAX);
		if (!strstr(err, cases[i].err))
			fail_msg("'%s': '%s' has no '%s'", cases[i].in, err, cases[i].err);
		/* A malformed manager is found before any lookup. */
		assert_int_equal(c.lookups, 0);
	}
}

static void test_lengths(void **state)
{
	char src[MSRC_MAX_LEN + 64], out[MSRC_MAX_LEN + 1], err[256];
	struct tm_ctx c = { 0 };
	size_t n;

	(void)state;
	/* A source over 1024 bytes, as sealfs.ko refuses it. */
	memset(src, 'a', sizeof(src));
	src[MSRC_MAX_LEN + 1] = '\0';
	memcpy(src, "h:/", 3);
	assert_int_equal(tm_rewrite(&c, src, out, err), MSRC_ESYNTAX);
	/* A name too long for one manager. */
	memset(src, 'a', sizeof(src));
	memcpy(src + 400, ":/v", 4);
	assert_int_equal(tm_rewrite(&c, src, out, err), MSRC_ESYNTAX);
	assert_non_null(strstr(err, "too long"));
	/* The output buffer bounds what is written. */
	assert_int_equal(msrc_rewrite("localhost:/vol", tm_resolve, NULL, &c, out, 10,
				      err, sizeof(err)), MSRC_ESYNTAX);
	n = strlen("127.0.0.1:/vol") + 1;
	assert_int_equal(msrc_rewrite("localhost:/vol", tm_resolve, NULL, &c, out, n,
				      err, sizeof(err)), MSRC_OK);
	assert_string_equal(out, "127.0.0.1:/vol");
}

static void test_options(void **state)
{
	static const struct {
		const char *in;
		unsigned long flags;
		const char *data;
	} cases[] = {
		{ NULL, 0, "" },
		{ "", 0, "" },
		{ "soft", 0, "soft" },
		{ "ro,nosuid,nodev,noexec,sync,dirsync", MS_RDONLY | MS_NOSUID | MS_NODEV |
		  MS_NOEXEC | MS_SYNCHRONOUS | MS_DIRSYNC, "" },
		{ "noatime,nodiratime,lazytime", MS_NOATIME | MS_NODIRATIME | MS_LAZYTIME, "" },
		{ "relatime,strictatime", MS_RELATIME | MS_STRICTATIME, "" },
		{ "remount,ro", MS_REMOUNT | MS_RDONLY, "" },
		{ "bind", MS_BIND, "" },
		{ "ro,rw", 0, "" },
		{ "noexec,exec,nosuid,suid,nodev,dev,sync,async", 0, "" },
		{ "noatime,atime,relatime,norelatime", 0, "" },
		{ "acregmin=1,ro,acregmax=30,,soft", MS_RDONLY, "acregmin=1,acregmax=30,soft" },
		{ "defaults,_netdev,noauto,nofail,user,x-systemd.automount,comment=\"a,b\",timeo=20",
		  0, "timeo=20" },
		{ "foo=\"a,b\",rw", 0, "foo=\"a,b\"" },
		{ "ro=1", 0, "ro=1" },
	};
	char data[64], err[128];
	unsigned long flags;
	size_t i;

	(void)state;
	for (i = 0; i < ARRAY_LEN(cases); i++) {
		assert_int_equal(mopts_parse(cases[i].in, &flags, data, sizeof(data), err,
					     sizeof(err)), MSRC_OK);
		assert_int_equal(flags, cases[i].flags);
		assert_string_equal(data, cases[i].data);
	}
	assert_int_equal(mopts_parse("a=\"b,c", &flags, data, sizeof(data), err, sizeof(err)),
			 MSRC_ESYNTAX);
	assert_non_null(strstr(err, "unbalanced"));
	/* Data exactly filling the buffer fits; one byte more does not. */
	assert_int_equal(mopts_parse("aaaaaaa,bbbbbbb", &flags, data, 16, err, sizeof(err)),
			 MSRC_OK);
	assert_string_equal(data, "aaaaaaa,bbbbbbb");
	assert_int_equal(mopts_parse("aaaaaaa,bbbbbbbb", &flags, data, 16, err, sizeof(err)),
			 MSRC_ESYNTAX);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rewrite),
		cmocka_unit_test(test_note),
		cmocka_unit_test(test_resolve_failures),
		cmocka_unit_test(test_malformed),
		cmocka_unit_test(test_lengths),
		cmocka_unit_test(test_options),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
