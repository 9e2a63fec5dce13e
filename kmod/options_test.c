// SPDX-License-Identifier: GPL-2.0-only
/*
 * KUnit suite "sealfs_options": mount sources and option values. Built
 * into sealfs.ko on kernels with KUnit and run when the module loads.
 */
#include <kunit/test.h>

#include "options.h"

/* Default options, in memory the test owns. */
static struct sealfs_mount_opts *sealfs_test_opts(struct kunit *test)
{
	struct sealfs_mount_opts *o = kunit_kzalloc(test, sizeof(*o), GFP_KERNEL);

	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, o);
	sealfs_opts_defaults(o);
	return o;
}

static void sealfs_options_defaults_test(struct kunit *test)
{
	struct sealfs_mount_opts *o = sealfs_test_opts(test);
	const char *why;

	KUNIT_EXPECT_EQ(test, o->acregmin, SEALFS_DEF_ACREGMIN);
	KUNIT_EXPECT_EQ(test, o->rsize, SEALFS_DEF_IOSIZE);
	KUNIT_EXPECT_EQ(test, o->timeo, SEALFS_DEF_TIMEO);
	KUNIT_EXPECT_FALSE(test, o->soft);
	/* Without a source the options are not complete. */
	KUNIT_EXPECT_EQ(test, sealfs_opts_check(o, &why), -EINVAL);
}

static void sealfs_options_source_test(struct kunit *test)
{
	struct sealfs_mount_opts *o = sealfs_test_opts(test);
	struct sockaddr_in *sin = &o->mgr[0].sin;
	struct sockaddr_in6 *sin6 = &o->mgr[1].sin6;
	const char *why;

	KUNIT_ASSERT_EQ(test, sealfs_parse_source(o, "10.0.0.1:/vol1", &why), 0);
	KUNIT_EXPECT_EQ(test, o->nmgr, 1u);
	KUNIT_EXPECT_STREQ(test, o->volume, "vol1");
	KUNIT_EXPECT_EQ(test, sin->sin_family, AF_INET);
	KUNIT_EXPECT_EQ(test, ntohs(sin->sin_port), SEALFS_MANAGER_PORT);
	KUNIT_EXPECT_EQ(test, ntohl(sin->sin_addr.s_addr), 0x0a000001u);
	KUNIT_EXPECT_EQ(test, sealfs_opts_check(o, &why), 0);

	KUNIT_ASSERT_EQ(test, sealfs_parse_source(o, "10.0.0.1:7000,[fd00::2]:7001:/a.b_c-d",
						  &why), 0);
	KUNIT_EXPECT_EQ(test, o->nmgr, 2u);
	KUNIT_EXPECT_EQ(test, ntohs(sin->sin_port), 7000);
	KUNIT_EXPECT_EQ(test, sin6->sin6_family, AF_INET6);
	KUNIT_EXPECT_EQ(test, ntohs(sin6->sin6_port), 7001);
	KUNIT_EXPECT_EQ(test, sin6->sin6_addr.s6_addr[0], 0xfd);
	KUNIT_EXPECT_EQ(test, sin6->sin6_addr.s6_addr[15], 2);
	KUNIT_EXPECT_STREQ(test, o->volume, "a.b_c-d");

	KUNIT_ASSERT_EQ(test, sealfs_parse_source(o, "[::1]:/v", &why), 0);
	KUNIT_EXPECT_EQ(test, ntohs(o->mgr[0].sin6.sin6_port), SEALFS_MANAGER_PORT);
}

static void sealfs_options_bad_source_test(struct kunit *test)
{
	static const char * const bad[] = {
		"", "10.0.0.1", "10.0.0.1:", "10.0.0.1:/", ":/vol", "10.0.0.1:/a/b",
		"10.0.0.1:/.hidden", "host.example:/vol", "10.0.0.256:/vol",
		"10.0.0.1:0:/vol", "10.0.0.1:65536:/vol", "10.0.0.1:x:/vol",
		"10.0.0.1,:/vol", ",10.0.0.1:/vol", "[fd00::1:/vol", "fd00::1:/vol",
		"[zz::1]:/vol",
		"1.1.1.1,2.2.2.2,3.3.3.3,4.4.4.4,5.5.5.5,6.6.6.6,7.7.7.7,8.8.8.8,9.9.9.9:/v",
	};
	struct sealfs_mount_opts *o = sealfs_test_opts(test);
	const char *why;
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		sealfs_opts_defaults(o);
		why = NULL;
		KUNIT_EXPECT_EQ_MSG(test, sealfs_parse_source(o, bad[i], &why), -EINVAL,
				    "source '%s'", bad[i]);
		KUNIT_EXPECT_NOT_ERR_OR_NULL(test, why);
	}
}

static void sealfs_options_values_test(struct kunit *test)
{
	struct sealfs_mount_opts *o = sealfs_test_opts(test);
	const char *why;

	KUNIT_EXPECT_EQ(test, sealfs_opt_apply(o, SEALFS_OPT_ACTIMEO, 7, &why), 0);
	KUNIT_EXPECT_EQ(test, o->acregmin, 7u);
	KUNIT_EXPECT_EQ(test, o->acdirmax, 7u);
	KUNIT_EXPECT_EQ(test, sealfs_opt_apply(o, SEALFS_OPT_ACREGMAX, 3601, &why), -EINVAL);
	KUNIT_EXPECT_EQ(test, o->acregmax, 7u);
	KUNIT_EXPECT_EQ(test, sealfs_opt_apply(o, SEALFS_OPT_RSIZE, 65537, &why), 0);
	KUNIT_EXPECT_EQ(test, o->rsize, 65536u);
	KUNIT_EXPECT_EQ(test, sealfs_opt_apply(o, SEALFS_OPT_WSIZE, 4095, &why), -EINVAL);
	KUNIT_EXPECT_EQ(test, sealfs_opt_apply(o, SEALFS_OPT_WSIZE, SEALFS_MAX_IO + 1, &why),
			-EINVAL);
	KUNIT_EXPECT_EQ(test, sealfs_opt_apply(o, SEALFS_OPT_TIMEO, 0, &why), -EINVAL);
	KUNIT_EXPECT_EQ(test, sealfs_opt_apply(o, SEALFS_OPT_RETRANS, 101, &why), -EINVAL);
	KUNIT_EXPECT_EQ(test, sealfs_opt_apply(o, SEALFS_OPT_SOFT, 0, &why), 0);
	KUNIT_EXPECT_TRUE(test, o->soft);
	KUNIT_EXPECT_EQ(test, sealfs_opt_apply(o, SEALFS_OPT_HARD, 0, &why), 0);
	KUNIT_EXPECT_FALSE(test, o->soft);
	KUNIT_EXPECT_EQ(test, sealfs_opt_apply(o, 999, 0, &why), -EINVAL);

	/* min above max is refused as a whole. */
	KUNIT_ASSERT_EQ(test, sealfs_parse_source(o, "10.0.0.1:/v", &why), 0);
	KUNIT_EXPECT_EQ(test, sealfs_opt_apply(o, SEALFS_OPT_ACDIRMIN, 9, &why), 0);
	KUNIT_EXPECT_EQ(test, sealfs_opts_check(o, &why), -EINVAL);
}

static struct kunit_case sealfs_options_cases[] = {
	KUNIT_CASE(sealfs_options_defaults_test),
	KUNIT_CASE(sealfs_options_source_test),
	KUNIT_CASE(sealfs_options_bad_source_test),
	KUNIT_CASE(sealfs_options_values_test),
	{}
};

static struct kunit_suite sealfs_options_suite = {
	.name = "sealfs_options",
	.test_cases = sealfs_options_cases,
};

kunit_test_suite(sealfs_options_suite);
