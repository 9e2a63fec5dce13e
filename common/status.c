// SPDX-License-Identifier: GPL-2.0-only OR Apache-2.0
/*
 * SealFS wire status <-> errno: the one table both directions use.
 */
#include "sealfs_env.h"
#include "sealfs_proto.h"
#include "sealfs_codec.h"

/**
 * struct sealfs_status_map - one wire status
 * @name: for logs
 * @err: positive errno it stands for
 */
struct sealfs_status_map {
	const char *name;
	int err;
};

/*
 * Statuses that only steer the client (stale epoch, wrong owner, not
 * ready) map to EAGAIN: the RPC layer acts on the status itself and only
 * surfaces the errno when it gives up retrying.
 */
static const struct sealfs_status_map sealfs_status_tab[SEALFS_S_MAX] = {
	[SEALFS_S_OK]		= { "OK",		0 },
	[SEALFS_S_PERM]		= { "PERM",		EPERM },
	[SEALFS_S_NOENT]	= { "NOENT",		ENOENT },
	[SEALFS_S_IO]		= { "IO",		EIO },
	[SEALFS_S_EXIST]	= { "EXIST",		EEXIST },
	[SEALFS_S_NOTDIR]	= { "NOTDIR",		ENOTDIR },
	[SEALFS_S_ISDIR]	= { "ISDIR",		EISDIR },
	[SEALFS_S_INVAL]	= { "INVAL",		EINVAL },
	[SEALFS_S_NOSPC]	= { "NOSPC",		ENOSPC },
	[SEALFS_S_DQUOT]	= { "DQUOT",		EDQUOT },
	[SEALFS_S_NAMETOOLONG]	= { "NAMETOOLONG",	ENAMETOOLONG },
	[SEALFS_S_NOTEMPTY]	= { "NOTEMPTY",		ENOTEMPTY },
	[SEALFS_S_ACCES]	= { "ACCES",		EACCES },
	[SEALFS_S_ROFS]		= { "ROFS",		EROFS },
	[SEALFS_S_FBIG]		= { "FBIG",		EFBIG },
	[SEALFS_S_MLINK]	= { "MLINK",		EMLINK },
	[SEALFS_S_XDEV]		= { "XDEV",		EXDEV },
	[SEALFS_S_NODATA]	= { "NODATA",		ENODATA },
	[SEALFS_S_RANGE]	= { "RANGE",		ERANGE },
	[SEALFS_S_NOTSUPP]	= { "NOTSUPP",		EOPNOTSUPP },
	[SEALFS_S_STALE]	= { "STALE",		ESTALE },
	[SEALFS_S_AGAIN]	= { "AGAIN",		EAGAIN },
	[SEALFS_S_BUSY]		= { "BUSY",		EBUSY },
	[SEALFS_S_LOOP]		= { "LOOP",		ELOOP },
	[SEALFS_S_NOMEM]	= { "NOMEM",		ENOMEM },
	[SEALFS_S_TIMEDOUT]	= { "TIMEDOUT",		ETIMEDOUT },
	[SEALFS_S_E2BIG]	= { "E2BIG",		E2BIG },
	[SEALFS_S_OVERFLOW]	= { "OVERFLOW",		EOVERFLOW },
	[SEALFS_S_BADMSG]	= { "BADMSG",		EPROTO },
	[SEALFS_S_VERSION]	= { "VERSION",		EPROTONOSUPPORT },
	[SEALFS_S_STALE_EPOCH]	= { "STALE_EPOCH",	EAGAIN },
	[SEALFS_S_WRONG_OWNER]	= { "WRONG_OWNER",	EAGAIN },
	[SEALFS_S_NOTREADY]	= { "NOTREADY",		EAGAIN },
	[SEALFS_S_BADF]		= { "BADF",		EBADF },
};

/**
 * sealfs_status_to_errno() - errno for a wire status
 * @status: a status from a reply header, possibly one this side does not
 *	know
 *
 * Context: any.
 * Return: 0 for %SEALFS_S_OK, a negative errno otherwise; -EIO for a status
 * not in the table.
 */
int sealfs_status_to_errno(u32 status)
{
	if (status == SEALFS_S_OK)
		return 0;
	if (status >= SEALFS_S_MAX || !sealfs_status_tab[status].name)
		return -EIO;
	return -sealfs_status_tab[status].err;
}

/**
 * sealfs_errno_to_status() - wire status for an errno
 * @err: an errno, negative or positive; 0 for success
 *
 * Where several statuses share an errno, the first in the table (the plain
 * one) is chosen. Aliases of the same errno value (EWOULDBLOCK, ENOTSUP,
 * EDEADLOCK) resolve by value. The codec's verdicts on a malformed message,
 * -EBADMSG and -EMSGSIZE, become %SEALFS_S_BADMSG, so a receiver can answer
 * with what its decoder returned.
 *
 * Context: any.
 * Return: the status; %SEALFS_S_IO for an errno not in the table.
 */
u32 sealfs_errno_to_status(int err)
{
	u32 e = err < 0 ? 0u - (u32)err : (u32)err;	/* INT_MIN too */
	u32 i;

	if (e == 0)
		return SEALFS_S_OK;
	if (e == EBADMSG || e == EMSGSIZE)
		return SEALFS_S_BADMSG;
	for (i = 1; i < SEALFS_S_MAX; i++)
		if (sealfs_status_tab[i].name && (u32)sealfs_status_tab[i].err == e)
			return i;
	return SEALFS_S_IO;
}

/**
 * sealfs_status_name() - name of a wire status, for logs
 * @status: the status
 *
 * Context: any.
 * Return: a static string; "UNKNOWN" for a status not in the table.
 */
const char *sealfs_status_name(u32 status)
{
	if (status >= SEALFS_S_MAX || !sealfs_status_tab[status].name)
		return "UNKNOWN";
	return sealfs_status_tab[status].name;
}
