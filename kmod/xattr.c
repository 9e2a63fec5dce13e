// SPDX-License-Identifier: GPL-2.0-only
/*
 * SealFS kernel client: extended attributes (user.* and trusted.*), kept
 * by the inode's server under their full names.
 */
#include <linux/slab.h>
#include <linux/xattr.h>

#include "internal.h"

/* Full attribute name: the handler's prefix and @name. */
static char *sealfs_xname(const struct xattr_handler *h, const char *name,
			  size_t *len)
{
	char *full = kasprintf(GFP_NOFS, "%s%s", h->prefix, name);

	if (!full)
		return ERR_PTR(-ENOMEM);
	*len = strlen(full);
	if (*len > SEALFS_XATTR_NAME_MAX) {
		kfree(full);
		return ERR_PTR(-ERANGE);
	}
	return full;
}

static int sealfs_xattr_get(const struct xattr_handler *h,
			    struct dentry *dentry, struct inode *inode,
			    const char *name, void *buf, size_t size)
{
	struct sealfs_fs *fs = SEALFS_FS(inode->i_sb);
	struct sealfs_getxattr_req r = {
		.ino = cpu_to_le64(inode->i_ino), .vol = cpu_to_le32(fs->vol),
		.size = cpu_to_le32(min_t(size_t, size, SEALFS_XATTR_SIZE_MAX)),
	};
	const struct sealfs_xattr_rep *rep;
	struct sealfs_req *req;
	struct sealfs_buf b;
	struct sealfs_msg m;
	size_t nlen;
	char *full;
	int err;

	full = sealfs_xname(h, name, &nlen);
	if (IS_ERR(full))
		return PTR_ERR(full);
	r.name_len = cpu_to_le16(nlen);
	req = sealfs_req_alloc(SEALFS_OP_GETXATTR, sizeof(r) + nlen);
	err = -ENOMEM;
	if (!req)
		goto out;
	sealfs_req_buf(req, &b);
	sealfs_buf_put(&b, &r, sizeof(r));
	sealfs_buf_put(&b, full, nlen);
	err = sealfs_req_finish(req, &b, 0);
	if (!err)
		err = sealfs_call(fs, 0, sealfs_key_inode(fs->vol, inode->i_ino),
				  req, &m);
	if (!err) {
		rep = m.body;
		err = le32_to_cpu(rep->size);
		if (size && m.tail_len[0] > size)
			err = -ERANGE;
		else if (size)
			memcpy(buf, m.tail[0], m.tail_len[0]);
	}
	sealfs_req_put(req);
out:
	kfree(full);
	return err;
}

static int sealfs_xattr_set(const struct xattr_handler *h,
			    struct sealfs_idmap *idmap, struct dentry *dentry,
			    struct inode *inode, const char *name,
			    const void *value, size_t size, int flags)
{
	struct sealfs_fs *fs = SEALFS_FS(inode->i_sb);
	u32 xf = (flags & XATTR_CREATE ? SEALFS_XF_CREATE : 0) |
		 (flags & XATTR_REPLACE ? SEALFS_XF_REPLACE : 0);
	struct sealfs_req *req;
	struct sealfs_buf b;
	struct sealfs_msg m;
	size_t nlen;
	char *full;
	int err;

	if (size > SEALFS_XATTR_SIZE_MAX)
		return -E2BIG;
	full = sealfs_xname(h, name, &nlen);
	if (IS_ERR(full))
		return PTR_ERR(full);
	if (value) {
		struct sealfs_setxattr_req r = {
			.ino = cpu_to_le64(inode->i_ino),
			.vol = cpu_to_le32(fs->vol), .flags = cpu_to_le32(xf),
			.value_len = cpu_to_le32(size),
			.name_len = cpu_to_le16(nlen),
		};

		req = sealfs_req_alloc(SEALFS_OP_SETXATTR,
				       sizeof(r) + nlen + size);
		if (req) {
			sealfs_req_buf(req, &b);
			sealfs_buf_put(&b, &r, sizeof(r));
			sealfs_buf_put(&b, full, nlen);
			sealfs_buf_put(&b, value, size);
		}
	} else {
		struct sealfs_removexattr_req r = {
			.ino = cpu_to_le64(inode->i_ino),
			.vol = cpu_to_le32(fs->vol),
			.name_len = cpu_to_le16(nlen),
		};

		req = sealfs_req_alloc(SEALFS_OP_REMOVEXATTR, sizeof(r) + nlen);
		if (req) {
			sealfs_req_buf(req, &b);
			sealfs_buf_put(&b, &r, sizeof(r));
			sealfs_buf_put(&b, full, nlen);
		}
	}
	err = -ENOMEM;
	if (req)
		err = sealfs_req_finish(req, &b, 0);
	if (!err)
		err = sealfs_call(fs, 0, sealfs_key_inode(fs->vol, inode->i_ino),
				  req, &m);
	sealfs_req_put(req);
	kfree(full);
	if (!err)
		SEALFS_I(inode)->attr_time = jiffies -
					     SEALFS_I(inode)->attr_timeo - 1;
	return err;
}

/* Drops trusted.* names (callers without CAP_SYS_ADMIN must not see them);
 * returns the new length of the NUL-separated list.
 */
static size_t sealfs_xattr_filter(char *list, size_t len)
{
	size_t in = 0, out = 0;

	while (in < len) {
		size_t n = strnlen(list + in, len - in) + 1;

		if (strncmp(list + in, XATTR_TRUSTED_PREFIX,
			    XATTR_TRUSTED_PREFIX_LEN)) {
			memmove(list + out, list + in, n);
			out += n;
		}
		in += n;
	}
	return min(out, len);
}

/**
 * sealfs_listxattr() - &inode_operations.listxattr
 * @dentry: whose attributes
 * @buf: receives the NUL-separated names, or %NULL with @size 0
 * @size: room in @buf
 *
 * trusted.* names are listed only to callers with CAP_SYS_ADMIN.
 *
 * Return: bytes of the list, or a negative errno.
 */
ssize_t sealfs_listxattr(struct dentry *dentry, char *buf, size_t size)
{
	struct inode *inode = d_inode(dentry);
	struct sealfs_fs *fs = SEALFS_FS(inode->i_sb);
	struct sealfs_listxattr_req r = {
		.ino = cpu_to_le64(inode->i_ino), .vol = cpu_to_le32(fs->vol),
		.size = cpu_to_le32(SEALFS_XATTR_LIST_MAX),
	};
	struct sealfs_req *req;
	struct sealfs_buf b;
	struct sealfs_msg m;
	ssize_t err;
	size_t len;

	req = sealfs_req_alloc(SEALFS_OP_LISTXATTR, sizeof(r));
	if (!req)
		return -ENOMEM;
	sealfs_req_buf(req, &b);
	sealfs_buf_put(&b, &r, sizeof(r));
	err = sealfs_req_finish(req, &b, 0);
	if (!err)
		err = sealfs_call(fs, 0, sealfs_key_inode(fs->vol, inode->i_ino),
				  req, &m);
	if (err)
		goto out;
	/* The list is in the reply buffer, which this call owns. */
	len = m.tail_len[0];
	if (!capable(CAP_SYS_ADMIN))
		len = sealfs_xattr_filter((char *)m.tail[0], len);
	err = len;
	if (size && len > size)
		err = -ERANGE;
	else if (size)
		memcpy(buf, m.tail[0], len);
out:
	sealfs_req_put(req);
	return err;
}

static const struct xattr_handler sealfs_user_xattr = {
	.prefix	= XATTR_USER_PREFIX,
	.get	= sealfs_xattr_get,
	.set	= sealfs_xattr_set,
};

static const struct xattr_handler sealfs_trusted_xattr = {
	.prefix	= XATTR_TRUSTED_PREFIX,
	.get	= sealfs_xattr_get,
	.set	= sealfs_xattr_set,
};

/* The handlers sb->s_xattr points at. */
const struct xattr_handler *sealfs_xattr_handlers[] = {
	&sealfs_user_xattr,
	&sealfs_trusted_xattr,
	NULL,
};
