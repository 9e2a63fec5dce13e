// SPDX-License-Identifier: Apache-2.0
/*
 * Status table tests: every wire status maps to the errno the protocol
 * specification gives it, unknown statuses mean EIO, and errnos map back.
 */
#include <errno.h>
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "sealfs_codec.h"
#include "sealfs_proto.h"

/* Documentation/protocol.rst, "Statuses": written out here on its own. */
static const struct {
	unsigned int status;
	int err;
	const char *name;
} ts_spec[] = {
	{ SEALFS_S_PERM, EPERM, "PERM" }, { SEALFS_S_NOENT, ENOENT, "NOENT" },
	{ SEALFS_S_IO, EIO, "IO" }, { SEALFS_S_EXIST, EEXIST, "EXIST" },
	{ SEALFS_S_NOTDIR, ENOTDIR, "NOTDIR" }, { SEALFS_S_ISDIR, EISDIR, "ISDIR" },
	{ SEALFS_S_INVAL, EINVAL, "INVAL" }, { SEALFS_S_NOSPC, ENOSPC, "NOSPC" },
	{ SEALFS_S_DQUOT, EDQUOT, "DQUOT" },
	{ SEALFS_S_NAMETOOLONG, ENAMETOOLONG, "NAMETOOLONG" },
	{ SEALFS_S_NOTEMPTY, ENOTEMPTY, "NOTEMPTY" }, { SEALFS_S_ACCES, EACCES, "ACCES" },
	{ SEALFS_S_ROFS, EROFS, "ROFS" }, { SEALFS_S_FBIG, EFBIG, "FBIG" },
	{ SEALFS_S_MLINK, EMLINK, "MLINK" }, { SEALFS_S_XDEV, EXDEV, "XDEV" },
	{ SEALFS_S_NODATA, ENODATA, "NODATA" }, { SEALFS_S_RANGE, ERANGE, "RANGE" },
	{ SEALFS_S_NOTSUPP, EOPNOTSUPP, "NOTSUPP" }, { SEALFS_S_STALE, ESTALE, "STALE" },
	{ SEALFS_S_AGAIN, EAGAIN, "AGAIN" }, { SEALFS_S_BUSY, EBUSY, "BUSY" },
	{ SEALFS_S_LOOP, ELOOP, "LOOP" }, { SEALFS_S_NOMEM, ENOMEM, "NOMEM" },
	{ SEALFS_S_TIMEDOUT, ETIMEDOUT, "TIMEDOUT" }, { SEALFS_S_E2BIG, E2BIG, "E2BIG" },
	{ SEALFS_S_OVERFLOW, EOVERFLOW, "OVERFLOW" }, { SEALFS_S_BADMSG, EPROTO, "BADMSG" },
	{ SEALFS_S_VERSION, EPROTONOSUPPORT, "VERSION" },
	/* Retried by the client after refreshing its map; EAGAIN if it gives up. */
	{ SEALFS_S_STALE_EPOCH, EAGAIN, "STALE_EPOCH" },
	{ SEALFS_S_WRONG_OWNER, EAGAIN, "WRONG_OWNER" },
	{ SEALFS_S_NOTREADY, EAGAIN, "NOTREADY" }, { SEALFS_S_BADF, EBADF, "BADF" },
};

static void test_every_status_specified(void **state)
{
	unsigned int s, i, found;

	(void)state;
	assert_int_equal(ARRAY_SIZE(ts_spec), SEALFS_S_MAX - 1);
	for (s = 1; s < SEALFS_S_MAX; s++) {
		found = 0;
		for (i = 0; i < ARRAY_SIZE(ts_spec); i++) {
			if (ts_spec[i].status != s)
				continue;
			found++;
			assert_int_equal(sealfs_status_to_errno(s), -ts_spec[i].err);
			assert_string_equal(sealfs_status_name(s), ts_spec[i].name);
		}
		assert_int_equal(found, 1);
	}
	assert_int_equal(sealfs_status_to_errno(SEALFS_S_OK), 0);
	assert_string_equal(sealfs_status_name(SEALFS_S_OK), "OK");
}

static void test_unknown_status_is_eio(void **state)
{
	static const unsigned int unknown[] = {
		SEALFS_S_MAX, SEALFS_S_MAX + 1, 1000, 0x7fffffff, 0x80000000u, 0xffffffffu,
	};
	unsigned int i;

	(void)state;
	for (i = 0; i < ARRAY_SIZE(unknown); i++) {
		assert_int_equal(sealfs_status_to_errno(unknown[i]), -EIO);
		assert_string_equal(sealfs_status_name(unknown[i]), "UNKNOWN");
	}
}

static void test_errno_to_status(void **state)
{
	unsigned int i;

	(void)state;
	for (i = 0; i < ARRAY_SIZE(ts_spec); i++) {
		unsigned int s = sealfs_errno_to_status(ts_spec[i].err);

		/* Shared errnos go to the plain status, which maps back. */
		assert_int_equal(sealfs_status_to_errno(s), -ts_spec[i].err);
		assert_int_equal(sealfs_errno_to_status(-ts_spec[i].err), s);
		if (ts_spec[i].err != EAGAIN)
			assert_int_equal(s, ts_spec[i].status);
	}
	assert_int_equal(sealfs_errno_to_status(EAGAIN), SEALFS_S_AGAIN);
	assert_int_equal(sealfs_errno_to_status(EWOULDBLOCK), SEALFS_S_AGAIN);
	assert_int_equal(sealfs_errno_to_status(ENOTSUP), SEALFS_S_NOTSUPP);
	assert_int_equal(sealfs_errno_to_status(0), SEALFS_S_OK);
	/* What the codec says of a malformed message is a BADMSG answer. */
	assert_int_equal(sealfs_errno_to_status(-EBADMSG), SEALFS_S_BADMSG);
	assert_int_equal(sealfs_errno_to_status(-EMSGSIZE), SEALFS_S_BADMSG);
	assert_int_equal(sealfs_errno_to_status(-EPROTONOSUPPORT), SEALFS_S_VERSION);
	assert_int_equal(sealfs_errno_to_status(-EOPNOTSUPP), SEALFS_S_NOTSUPP);
	assert_int_equal(sealfs_errno_to_status(-ENOTTY), SEALFS_S_IO);
	assert_int_equal(sealfs_errno_to_status(4095), SEALFS_S_IO);
	assert_int_equal(sealfs_errno_to_status(INT_MIN), SEALFS_S_IO);
	assert_int_equal(sealfs_errno_to_status(INT_MAX), SEALFS_S_IO);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_every_status_specified),
		cmocka_unit_test(test_unknown_status_is_eio),
		cmocka_unit_test(test_errno_to_status),
	};

	return cmocka_run_group_tests_name("status", tests, NULL, NULL);
}
