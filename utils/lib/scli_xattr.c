// SPDX-License-Identifier: Apache-2.0
/*
 * scli_xattr: extended attribute calls of the client library, sent to the
 * owner of the inode. See scli.h.
 */
#include <errno.h>
#include <string.h>

#include "scli_int.h"

static int xname_ok(struct scli *cl, const char *what, const char *name)
{
	size_t n = strlen(name);

	if (!n || n > SEALFS_XATTR_NAME_MAX)
		return scli_fail(cl, n ? -ERANGE : -EINVAL, "%s name", what);
	return 0;
}

static int x_call(struct scli *cl, u16 op, u64 ino, const struct scli_pl *p,
		  struct srpc_result *res)
{
	struct scli_req q = {
		.op = op, .key = sealfs_key_inode(cl->vol, ino), .payload = p->b,
		.len = p->n,
	};

	return scli_call(cl, &q, res, NULL);
}

/* The value or list of a GETXATTR or LISTXATTR reply into @buf. */
static ssize_t x_value(struct scli *cl, struct srpc_result *res, void *buf,
		       size_t size)
{
	const struct sealfs_xattr_rep *x = res->m.body;
	u32 full = le32_to_cpu(x->size), len = le32_to_cpu(x->len);
	ssize_t rc = full;

	if (size && (len != full || len > size || res->m.tail_len[0] != len))
		rc = scli_fail(cl, -EPROTO, "xattr reply of %u bytes for %zu", len, size);
	else if (size)
		memcpy(buf, res->m.tail[0], len);
	srpc_result_free(res);
	return rc;
}

/**
 * scli_getxattr() - an extended attribute's value
 * @cl: the client
 * @ino: inode
 * @name: attribute name ("user.x", ...)
 * @buf: output
 * @size: room in @buf; 0 asks for the value's size only
 * Return: the value's size, or -errno (-ENODATA, -ERANGE: @buf too small).
 */
ssize_t scli_getxattr(struct scli *cl, u64 ino, const char *name, void *buf,
		      size_t size)
{
	struct sealfs_getxattr_req q = {
		.ino = cpu_to_le64(ino), .vol = cpu_to_le32(cl->vol),
		.size = cpu_to_le32(size > SEALFS_XATTR_SIZE_MAX ? SEALFS_XATTR_SIZE_MAX : size),
		.name_len = cpu_to_le16(strlen(name)),
	};
	struct srpc_result res;
	struct scli_pl p = { .n = 0 };
	int rc = xname_ok(cl, "getxattr", name);

	if (rc)
		return rc;
	scli_pl_put(&p, &q, sizeof(q));
	scli_pl_put(&p, name, strlen(name));
	rc = x_call(cl, SEALFS_OP_GETXATTR, ino, &p, &res);
	if (rc)
		return rc;
	return x_value(cl, &res, buf, size);
}

/**
 * scli_setxattr() - set an extended attribute
 * @cl: the client
 * @ino: inode
 * @name: attribute name
 * @value: its value
 * @size: bytes of @value, at most %SEALFS_XATTR_SIZE_MAX
 * @flags: %SEALFS_XF_CREATE, %SEALFS_XF_REPLACE or 0
 * Return: 0 or -errno.
 */
int scli_setxattr(struct scli *cl, u64 ino, const char *name,
		  const void *value, size_t size, u32 flags)
{
	struct sealfs_setxattr_req q = {
		.ino = cpu_to_le64(ino), .vol = cpu_to_le32(cl->vol),
		.flags = cpu_to_le32(flags), .value_len = cpu_to_le32(size),
		.name_len = cpu_to_le16(strlen(name)),
	};
	struct iovec iov = { .iov_base = (void *)value, .iov_len = size };
	struct scli_req r = { .op = SEALFS_OP_SETXATTR };
	struct srpc_result res;
	struct scli_pl p = { .n = 0 };
	int rc = xname_ok(cl, "setxattr", name);

	if (rc)
		return rc;
	if (size > SEALFS_XATTR_SIZE_MAX)
		return scli_fail(cl, -E2BIG, "setxattr %s", name);
	if (flags & ~SEALFS_XF_KNOWN)
		return scli_fail(cl, -EINVAL, "setxattr flags %#x", flags);
	scli_pl_put(&p, &q, sizeof(q));
	scli_pl_put(&p, name, strlen(name));
	r.key = sealfs_key_inode(cl->vol, ino);
	r.payload = p.b;
	r.len = p.n;
	r.data = size ? &iov : NULL;
	r.ndata = size ? 1 : 0;
	rc = scli_call(cl, &r, &res, NULL);
	if (!rc)
		srpc_result_free(&res);
	return rc;
}

/**
 * scli_listxattr() - the names of an inode's extended attributes
 * @cl: the client
 * @ino: inode
 * @buf: output: names, each followed by a NUL
 * @size: room in @buf; 0 asks for the list's size only
 * Return: the list's size, or -errno.
 */
ssize_t scli_listxattr(struct scli *cl, u64 ino, char *buf, size_t size)
{
	struct sealfs_listxattr_req q = {
		.ino = cpu_to_le64(ino), .vol = cpu_to_le32(cl->vol),
		.size = cpu_to_le32(size > SEALFS_XATTR_LIST_MAX ? SEALFS_XATTR_LIST_MAX : size),
	};
	struct srpc_result res;
	struct scli_pl p = { .n = 0 };
	int rc;

	scli_pl_put(&p, &q, sizeof(q));
	rc = x_call(cl, SEALFS_OP_LISTXATTR, ino, &p, &res);
	if (rc)
		return rc;
	return x_value(cl, &res, buf, size);
}

/**
 * scli_removexattr() - remove an extended attribute
 * @cl: the client
 * @ino: inode
 * @name: attribute name
 * Return: 0 or -errno (-ENODATA).
 */
int scli_removexattr(struct scli *cl, u64 ino, const char *name)
{
	struct sealfs_removexattr_req q = {
		.ino = cpu_to_le64(ino), .vol = cpu_to_le32(cl->vol),
		.name_len = cpu_to_le16(strlen(name)),
	};
	struct srpc_result res;
	struct scli_pl p = { .n = 0 };
	int rc = xname_ok(cl, "removexattr", name);

	if (rc)
		return rc;
	scli_pl_put(&p, &q, sizeof(q));
	scli_pl_put(&p, name, strlen(name));
	rc = x_call(cl, SEALFS_OP_REMOVEXATTR, ino, &p, &res);
	if (!rc)
		srpc_result_free(&res);
	return rc;
}
