// SPDX-License-Identifier: Apache-2.0
/*
 * smeta extended attributes: one key per (volume, inode, name), with the
 * protocol's limits and the getxattr(2) family's ERANGE and ENODATA rules.
 */
#include <errno.h>
#include <string.h>

#include "smeta_int.h"

static int xname_check(const char *name, u32 len)
{
	if (!name || !len)
		return -EINVAL;
	if (len > SEALFS_XATTR_NAME_MAX)
		return -ENAMETOOLONG;
	return memchr(name, '\0', len) ? -EINVAL : 0;
}

/* -ESTALE unless the inode exists. */
static int inode_exists(struct smeta *m, u32 vol, u64 ino)
{
	struct smeta_attr a;
	int rc = smeta_inode_load(m, vol, ino, &a, NULL, NULL);

	return rc == -ENOENT ? -ESTALE : rc;
}

int smeta_xattr_get(struct smeta *m, u32 vol, u64 ino, const char *name,
		    u32 name_len, void *buf, u32 cap, u32 *size)
{
	struct smeta_key k;
	size_t len;
	char *val;
	int rc;

	rc = xname_check(name, name_len);
	if (rc)
		return rc;
	smeta_key_xattr(&k, vol, ino, name, name_len);
	rc = smeta_db_get(m, &k, &val, &len);
	if (rc == -ENOENT) {
		rc = inode_exists(m, vol, ino);
		return rc ? rc : -ENODATA;
	}
	if (rc)
		return rc;
	*size = (u32)len;
	if (cap && len > cap)
		rc = -ERANGE;
	else if (cap && len)
		memcpy(buf, val, len);
	leveldb_free(val);
	return rc;
}

/*
 * Walks the inode's attribute names in order, copying each with a NUL to
 * @buf while it fits in @cap; *size is the whole list's size.
 */
static int xattr_names(struct smeta *m, u32 vol, u64 ino, char *buf, u32 cap,
		       u64 *size)
{
	leveldb_iterator_t *it;
	struct smeta_key pfx;
	const char *key;
	size_t klen, nl;
	char *err = NULL;

	*size = 0;
	smeta_key_xattr(&pfx, vol, ino, "", 0);
	it = leveldb_create_iterator(m->db, m->ropts);
	for (leveldb_iter_seek(it, (const char *)pfx.b, pfx.len);
	     leveldb_iter_valid(it); leveldb_iter_next(it)) {
		key = leveldb_iter_key(it, &klen);
		if (!smeta_key_has_prefix(key, klen, &pfx))
			break;
		nl = klen - pfx.len;
		if (buf && *size + nl + 1 <= cap) {
			memcpy(buf + *size, key + pfx.len, nl);
			buf[*size + nl] = '\0';
		}
		*size += nl + 1;
	}
	leveldb_iter_get_error(it, &err);
	leveldb_iter_destroy(it);
	if (err) {
		leveldb_free(err);
		return -EIO;
	}
	return 0;
}

int smeta_xattr_list(struct smeta *m, u32 vol, u64 ino, char *buf, u32 cap,
		     u32 *size)
{
	u64 total;
	int rc;

	rc = inode_exists(m, vol, ino);
	if (!rc)
		rc = xattr_names(m, vol, ino, cap ? buf : NULL, cap, &total);
	if (rc)
		return rc;
	if (total > SEALFS_XATTR_LIST_MAX)
		return -E2BIG;
	*size = (u32)total;
	return cap && total > cap ? -ERANGE : 0;
}

static bool xattr_present(struct smeta *m, const struct smeta_key *k, int *rc)
{
	size_t len;
	char *val;

	*rc = smeta_db_get(m, k, &val, &len);
	if (*rc)
		return false;
	leveldb_free(val);
	return true;
}

/* Touches the inode's ctime for a change of its attributes. */
static int xattr_touch(struct smeta_txn *tx, u32 vol, u64 ino)
{
	char target[SEALFS_TARGET_MAX];
	struct smeta_attr a;
	u32 tl;
	int rc;

	rc = smeta_inode_load(tx->m, vol, ino, &a, target, &tl);
	if (rc)
		return rc == -ENOENT ? -ESTALE : rc;
	smeta_attr_touch(tx->m, &a, false);
	smeta_inode_stage(tx, vol, &a, target, tl);
	return 0;
}

static int xattr_set_check(const char *name, u32 name_len, const void *value,
			   u32 value_len, u32 flags)
{
	int rc = xname_check(name, name_len);

	if (rc)
		return rc;
	if ((flags & ~SEALFS_XF_KNOWN) || flags == SEALFS_XF_KNOWN)
		return -EINVAL;
	if (value_len > SEALFS_XATTR_SIZE_MAX)
		return -E2BIG;
	return value_len && !value ? -EINVAL : 0;
}

static int xattr_set_locked(struct smeta_txn *tx, u32 vol, u64 ino,
			    const char *name, u32 name_len, const void *value,
			    u32 value_len, u32 flags)
{
	struct smeta_key k;
	bool present;
	u64 total;
	int rc;

	rc = xattr_set_check(name, name_len, value, value_len, flags);
	if (!rc)
		rc = xattr_touch(tx, vol, ino);
	if (rc)
		return rc;
	smeta_key_xattr(&k, vol, ino, name, name_len);
	present = xattr_present(tx->m, &k, &rc);
	if (rc && rc != -ENOENT)
		return rc;
	if (present && (flags & SEALFS_XF_CREATE))
		return -EEXIST;
	if (!present && (flags & SEALFS_XF_REPLACE))
		return -ENODATA;
	if (!present) {
		rc = xattr_names(tx->m, vol, ino, NULL, 0, &total);
		if (rc)
			return rc;
		if (total + name_len + 1 > SEALFS_XATTR_LIST_MAX)
			return -E2BIG;
	}
	smeta_stage_put(tx, &k, value_len ? value : "", value_len);
	return 0;
}

int smeta_xattr_set(struct smeta *m, struct smeta_txn *tx, u32 vol, u64 ino,
		    const char *name, u32 name_len, const void *value,
		    u32 value_len, u32 flags)
{
	struct smeta_txn *t;
	int rc;

	rc = smeta_op_enter(m, tx, &t);
	if (rc)
		return rc;
	rc = xattr_set_locked(t, vol, ino, name, name_len, value, value_len,
			      flags);
	return smeta_op_leave(t, tx, rc);
}

static int xattr_remove_locked(struct smeta_txn *tx, u32 vol, u64 ino,
			       const char *name, u32 name_len)
{
	struct smeta_key k;
	int rc;

	rc = xname_check(name, name_len);
	if (!rc)
		rc = xattr_touch(tx, vol, ino);
	if (rc)
		return rc;
	smeta_key_xattr(&k, vol, ino, name, name_len);
	if (!xattr_present(tx->m, &k, &rc))
		return rc == -ENOENT ? -ENODATA : rc;
	smeta_stage_del(tx, &k);
	return 0;
}

int smeta_xattr_remove(struct smeta *m, struct smeta_txn *tx, u32 vol,
		       u64 ino, const char *name, u32 name_len)
{
	struct smeta_txn *t;
	int rc;

	rc = smeta_op_enter(m, tx, &t);
	if (rc)
		return rc;
	rc = xattr_remove_locked(t, vol, ino, name, name_len);
	return smeta_op_leave(t, tx, rc);
}
