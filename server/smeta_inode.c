// SPDX-License-Identifier: Apache-2.0
/*
 * smeta inode operations: loading and staging inode records, GETATTR,
 * SETATTR, READLINK, INODE_UPDATE and deleting an inode with its extended
 * attributes.
 */
#include <errno.h>
#include <stdint.h>
#include <string.h>
#include <sys/stat.h>

#include "smeta_int.h"

#define SMETA_NSEC	1000000000u

int smeta_inode_load(struct smeta *m, u32 vol, u64 ino, struct smeta_attr *a,
		     char *target, u32 *target_len)
{
	struct smeta_attr tmp;
	struct smeta_key k;
	const char *t;
	size_t len;
	char *val;
	u32 tl;
	int rc;

	smeta_key_inode(&k, vol, ino);
	rc = smeta_db_get(m, &k, &val, &len);
	if (rc)
		return rc;
	rc = smeta_inode_decode(val, len, &tmp, &t, &tl);
	if (!rc) {
		*a = tmp;
		if (target)
			memcpy(target, t, tl);
		if (target_len)
			*target_len = tl;
	}
	leveldb_free(val);
	return rc;
}

void smeta_inode_stage(struct smeta_txn *tx, u32 vol,
		       const struct smeta_attr *a, const char *target,
		       u32 target_len)
{
	u8 buf[SMETA_INODE_HDR + SEALFS_TARGET_MAX];
	struct smeta_key k;
	size_t n;

	n = smeta_inode_encode(a, target, target_len, buf);
	smeta_key_inode(&k, vol, a->ino);
	smeta_stage_put(tx, &k, buf, n);
}

/* Stages the deletion of every extended attribute of (vol, ino). */
static int xattrs_destroy(struct smeta_txn *tx, u32 vol, u64 ino)
{
	struct smeta *m = tx->m;
	leveldb_iterator_t *it;
	struct smeta_key pfx, k;
	const char *key;
	size_t klen;
	char *err = NULL;

	smeta_key_xattr(&pfx, vol, ino, "", 0);
	it = leveldb_create_iterator(m->db, m->ropts);
	for (leveldb_iter_seek(it, (const char *)pfx.b, pfx.len);
	     leveldb_iter_valid(it); leveldb_iter_next(it)) {
		key = leveldb_iter_key(it, &klen);
		if (!smeta_key_has_prefix(key, klen, &pfx) || klen > SMETA_KEY_MAX)
			break;
		memcpy(k.b, key, klen);
		k.len = klen;
		smeta_stage_del(tx, &k);
	}
	leveldb_iter_get_error(it, &err);
	leveldb_iter_destroy(it);
	if (err) {
		leveldb_free(err);
		return -EIO;
	}
	return 0;
}

int smeta_inode_destroy(struct smeta_txn *tx, u32 vol, u64 ino)
{
	struct smeta_key k;
	int rc;

	rc = xattrs_destroy(tx, vol, ino);
	if (rc)
		return rc;
	smeta_key_inode(&k, vol, ino);
	smeta_stage_del(tx, &k);
	return smeta_usage_stage(tx, vol, 0, -1, 0, 0);
}

void smeta_attr_touch(struct smeta *m, struct smeta_attr *a, bool mtime)
{
	struct timespec ts;

	smeta_now(m, &ts);
	a->ctime_sec = ts.tv_sec;
	a->ctime_nsec = (u32)ts.tv_nsec;
	if (mtime) {
		a->mtime_sec = ts.tv_sec;
		a->mtime_nsec = (u32)ts.tv_nsec;
	}
	a->change++;
}

int smeta_getattr(struct smeta *m, u32 vol, u64 ino, struct smeta_attr *out)
{
	int rc = smeta_inode_load(m, vol, ino, out, NULL, NULL);

	return rc == -ENOENT ? -ESTALE : rc;
}

int smeta_readlink(struct smeta *m, u32 vol, u64 ino, char *buf, u32 cap,
		   u32 *len)
{
	char target[SEALFS_TARGET_MAX];
	struct smeta_attr a;
	u32 tl;
	int rc;

	rc = smeta_inode_load(m, vol, ino, &a, target, &tl);
	if (rc)
		return rc == -ENOENT ? -ESTALE : rc;
	if (!S_ISLNK(a.mode))
		return -EINVAL;
	*len = tl;
	if (tl > cap)
		return -ERANGE;
	memcpy(buf, target, tl);
	return 0;
}

/* ---- SETATTR ---- */

static int setattr_check(const struct smeta_setattr *sa)
{
	const u32 v = sa->valid;

	if (v & ~(SEALFS_SA_KNOWN | SMETA_SA_BLOCKS))
		return -EINVAL;
	if ((v & SEALFS_SA_SIZE) && (v & SEALFS_SA_SIZE_EXTEND))
		return -EINVAL;
	if ((v & SEALFS_SA_ATIME) && (v & SEALFS_SA_ATIME_NOW))
		return -EINVAL;
	if ((v & SEALFS_SA_MTIME) && (v & SEALFS_SA_MTIME_NOW))
		return -EINVAL;
	if ((v & SEALFS_SA_ATIME) && sa->atime_nsec >= SMETA_NSEC)
		return -EINVAL;
	if ((v & SEALFS_SA_MTIME) && sa->mtime_nsec >= SMETA_NSEC)
		return -EINVAL;
	if ((v & SEALFS_SA_MODE) && (sa->mode & ~(u32)(S_IFMT | 07777)))
		return -EINVAL;
	if ((v & (SEALFS_SA_SIZE | SEALFS_SA_SIZE_EXTEND)) &&
	    sa->size > (u64)INT64_MAX)
		return -EFBIG;
	return 0;
}

/* Applies the size bits; *changed says whether SA_SIZE moved the size. */
static int setattr_size(const struct smeta_setattr *sa, struct smeta_attr *a,
			bool *changed)
{
	*changed = false;
	if (!(sa->valid & (SEALFS_SA_SIZE | SEALFS_SA_SIZE_EXTEND)))
		return 0;
	if (S_ISDIR(a->mode))
		return -EISDIR;
	if (!S_ISREG(a->mode))
		return -EINVAL;
	if (sa->valid & SEALFS_SA_SIZE) {
		*changed = a->size != sa->size;
		a->size = sa->size;
	} else if (sa->size > a->size) {
		a->size = sa->size;
	}
	return 0;
}

static void setattr_times(struct smeta *m, const struct smeta_setattr *sa,
			  struct smeta_attr *a, bool size_changed)
{
	const u32 v = sa->valid;
	struct timespec now;

	smeta_now(m, &now);
	if (v & SEALFS_SA_ATIME) {
		a->atime_sec = sa->atime_sec;
		a->atime_nsec = sa->atime_nsec;
	} else if (v & SEALFS_SA_ATIME_NOW) {
		a->atime_sec = now.tv_sec;
		a->atime_nsec = (u32)now.tv_nsec;
	}
	if (v & SEALFS_SA_MTIME) {
		a->mtime_sec = sa->mtime_sec;
		a->mtime_nsec = sa->mtime_nsec;
	} else if ((v & SEALFS_SA_MTIME_NOW) || size_changed) {
		a->mtime_sec = now.tv_sec;
		a->mtime_nsec = (u32)now.tv_nsec;
	}
	a->ctime_sec = now.tv_sec;
	a->ctime_nsec = (u32)now.tv_nsec;
	a->change++;
}

static int setattr_locked(struct smeta_txn *tx, u32 vol, u64 ino,
			  const struct smeta_setattr *sa,
			  struct smeta_attr *out)
{
	char target[SEALFS_TARGET_MAX];
	struct smeta_attr a;
	bool size_changed;
	u32 tl;
	int rc;

	rc = setattr_check(sa);
	if (rc)
		return rc;
	rc = smeta_inode_load(tx->m, vol, ino, &a, target, &tl);
	if (rc)
		return rc == -ENOENT ? -ESTALE : rc;
	if (sa->valid & SEALFS_SA_MODE) {
		if ((sa->mode & S_IFMT) && (sa->mode & S_IFMT) != (a.mode & S_IFMT))
			return -EINVAL;
		a.mode = (a.mode & S_IFMT) | (sa->mode & 07777);
	}
	rc = setattr_size(sa, &a, &size_changed);
	if (rc)
		return rc;
	if (sa->valid & SEALFS_SA_UID)
		a.uid = sa->uid;
	if (sa->valid & SEALFS_SA_GID)
		a.gid = sa->gid;
	if (sa->valid & SMETA_SA_BLOCKS)
		a.blocks = sa->blocks;
	if (sa->valid) {
		setattr_times(tx->m, sa, &a, size_changed);
		smeta_inode_stage(tx, vol, &a, target, tl);
	}
	if (out)
		*out = a;
	return 0;
}

int smeta_setattr(struct smeta *m, struct smeta_txn *tx, u32 vol, u64 ino,
		  const struct smeta_setattr *sa, struct smeta_attr *out)
{
	struct smeta_txn *t;
	int rc;

	rc = smeta_op_enter(m, tx, &t);
	if (rc)
		return rc;
	rc = setattr_locked(t, vol, ino, sa, out);
	return smeta_op_leave(t, tx, rc);
}

/* ---- INODE_UPDATE ---- */

/* New link count; *destroy when the inode goes away. */
static int update_nlink(const struct smeta_attr *a, s32 delta, u32 *nlink,
			bool *destroy)
{
	s64 n = (s64)a->nlink + delta;

	*destroy = false;
	if (S_ISDIR(a->mode)) {
		/* its name and "." go: the directory is removed */
		if (delta <= -2) {
			*destroy = true;
			n = 0;
		} else if (n < 2) {
			n = 2;
		}
	} else if (n <= 0) {
		*destroy = true;
		n = 0;
	}
	if (delta > 0 && n > (S_ISDIR(a->mode) ? UINT32_MAX : SMETA_LINK_MAX))
		return -EMLINK;
	*nlink = (u32)n;
	return 0;
}

static int inode_update_locked(struct smeta_txn *tx, u32 vol, u64 ino,
			       u32 flags, s32 delta, u64 parent,
			       struct smeta_entry *out)
{
	char target[SEALFS_TARGET_MAX];
	bool destroy = false;
	struct smeta_attr a;
	u32 tl, nlink;
	int rc;

	if (!flags || (flags & ~SEALFS_IU_KNOWN))
		return -EINVAL;
	rc = smeta_inode_load(tx->m, vol, ino, &a, target, &tl);
	if (rc)
		return rc == -ENOENT ? -ESTALE : rc;
	if ((flags & SEALFS_IU_PARENT) && !S_ISDIR(a.mode))
		return -ENOTDIR;
	if (flags & SEALFS_IU_PARENT)
		a.parent = parent;
	if (flags & SEALFS_IU_NLINK) {
		rc = update_nlink(&a, delta, &nlink, &destroy);
		if (rc)
			return rc;
		a.nlink = nlink;
	}
	smeta_attr_touch(tx->m, &a, false);
	memset(out, 0, sizeof(*out));
	if (destroy) {
		rc = smeta_inode_destroy(tx, vol, ino);
		out->result = SMETA_RES_DESTROYED;
	} else {
		smeta_inode_stage(tx, vol, &a, target, tl);
	}
	out->attr = a;
	out->flags = SEALFS_EF_ATTR;
	return rc;
}

int smeta_inode_update(struct smeta *m, struct smeta_txn *tx, u32 vol,
		       u64 ino, u32 flags, s32 nlink_delta, u64 parent,
		       struct smeta_entry *out)
{
	struct smeta_txn *t;
	int rc;

	rc = smeta_op_enter(m, tx, &t);
	if (rc)
		return rc;
	rc = inode_update_locked(t, vol, ino, flags, nlink_delta, parent, out);
	return smeta_op_leave(t, tx, rc);
}
