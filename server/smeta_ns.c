// SPDX-License-Identifier: Apache-2.0
/*
 * smeta namespace operations: directory entries, their readdir index and
 * per-directory cookie counters; CREATE (all types), LOOKUP, LINK, UNLINK,
 * RMDIR, READDIR and the per-server entry count that RMDIR needs.
 */
#include <errno.h>
#include <stdint.h>
#include <string.h>
#include <sys/stat.h>

#include "smeta_int.h"

#define SMETA_PERM_MASK	07777u

int smeta_name_check(const char *name, u32 len)
{
	if (!name || !len)
		return -EINVAL;
	if (len > SEALFS_NAME_MAX)
		return -ENAMETOOLONG;
	if (memchr(name, '/', len) || memchr(name, '\0', len))
		return -EINVAL;
	if (name[0] == '.' && (len == 1 || (len == 2 && name[1] == '.')))
		return -EINVAL;
	return 0;
}

int smeta_dirst_load(struct smeta *m, u32 vol, u64 dir, struct smeta_dirst *s)
{
	struct smeta_key k;
	size_t len;
	char *val;
	int rc;

	s->next_cookie = 1;
	s->count = 0;
	smeta_key_dir(&k, vol, dir);
	rc = smeta_db_get(m, &k, &val, &len);
	if (rc)
		return rc == -ENOENT ? 0 : rc;
	rc = smeta_dirst_decode(val, len, s);
	leveldb_free(val);
	return rc;
}

void smeta_dirst_stage(struct smeta_txn *tx, u32 vol, u64 dir,
		       const struct smeta_dirst *s)
{
	u8 v[SMETA_DIRST_LEN];
	struct smeta_key k;

	smeta_key_dir(&k, vol, dir);
	smeta_dirst_encode(s, v);
	smeta_stage_put(tx, &k, v, sizeof(v));
}

/* Stages an entry's key and readdir index at d->cookie (no counters). */
void smeta_dent_put_keys(struct smeta_txn *tx, u32 vol, u64 parent,
			 const char *name, u32 len, const struct smeta_dent *d)
{
	u8 dv[SMETA_DENT_LEN], rv[SMETA_RDX_HDR + SEALFS_NAME_MAX];
	struct smeta_key k;
	size_t n;

	smeta_key_entry(&k, vol, parent, name, len);
	smeta_dent_encode(d, dv);
	smeta_stage_put(tx, &k, dv, sizeof(dv));
	smeta_key_rdx(&k, vol, parent, d->cookie);
	n = smeta_rdx_encode(d, name, len, rv);
	smeta_stage_put(tx, &k, rv, n);
}

/* Stages the removal of an entry's key and readdir index (no counters). */
void smeta_dent_del_keys(struct smeta_txn *tx, u32 vol, u64 parent,
			 const char *name, u32 len, const struct smeta_dent *d)
{
	struct smeta_key k;

	smeta_key_entry(&k, vol, parent, name, len);
	smeta_stage_del(tx, &k);
	smeta_key_rdx(&k, vol, parent, d->cookie);
	smeta_stage_del(tx, &k);
}

int smeta_entry_load(struct smeta *m, u32 vol, u64 parent, const char *name,
		      u32 len, struct smeta_dent *d)
{
	struct smeta_key k;
	size_t vlen;
	char *val;
	int rc;

	smeta_key_entry(&k, vol, parent, name, len);
	rc = smeta_db_get(m, &k, &val, &vlen);
	if (rc)
		return rc;
	rc = smeta_dent_decode(val, vlen, d);
	leveldb_free(val);
	return rc;
}

/*
 * Stages a new entry with the directory's next cookie, in d->cookie;
 * -EAGAIN while a cross-server transaction holds the name or freezes the
 * directory.
 */
int smeta_entry_stage_add(struct smeta_txn *tx, u32 vol, u64 parent,
			  const char *name, u32 len, struct smeta_dent *d)
{
	struct smeta_dirst s;
	int rc;

	rc = smeta_xhold_check(tx, vol, parent, name, len, true);
	if (rc)
		return rc;
	rc = smeta_dirst_load(tx->m, vol, parent, &s);
	if (rc)
		return rc;
	d->cookie = s.next_cookie++;
	s.count++;
	smeta_dirst_stage(tx, vol, parent, &s);
	smeta_dent_put_keys(tx, vol, parent, name, len, d);
	return 0;
}

/* Stages an entry's removal; -EAGAIN while a transaction holds the name. */
int smeta_entry_stage_del(struct smeta_txn *tx, u32 vol, u64 parent,
			  const char *name, u32 len,
			  const struct smeta_dent *d)
{
	struct smeta_dirst s;
	int rc;

	rc = smeta_xhold_check(tx, vol, parent, name, len, false);
	if (rc)
		return rc;
	rc = smeta_dirst_load(tx->m, vol, parent, &s);
	if (rc)
		return rc;
	if (s.count)
		s.count--;
	smeta_dirst_stage(tx, vol, parent, &s);
	smeta_dent_del_keys(tx, vol, parent, name, len, d);
	return 0;
}

/* The entry, with its inode's attributes when the inode is held here. */
static int entry_fill(struct smeta *m, u32 vol, const struct smeta_dent *d,
		      struct smeta_entry *out)
{
	int rc;

	memset(out, 0, sizeof(*out));
	out->cookie = d->cookie;
	rc = smeta_inode_load(m, vol, d->ino, &out->attr, NULL, NULL);
	if (rc == 0) {
		out->flags = SEALFS_EF_ATTR;
		return 0;
	}
	out->attr.ino = d->ino;
	out->attr.mode = d->mode & S_IFMT;
	return rc == -ENOENT ? 0 : rc;
}

/*
 * A directory to add an entry to: checked when its inode is here (*local)
 * or should be; a directory held by another server is taken on trust.
 */
static int parent_load(struct smeta *m, u32 vol, u64 parent,
		       struct smeta_attr *pa, bool *local)
{
	int rc = smeta_inode_load(m, vol, parent, pa, NULL, NULL);

	*local = rc == 0;
	if (rc == -ENOENT)
		return smeta_owns(m, vol, parent) ? -ENOENT : 0;
	if (rc)
		return rc;
	return S_ISDIR(pa->mode) ? 0 : -ENOTDIR;
}

/* Changes a directory's link count for a subdirectory's "..". */
static int parent_nlink(struct smeta_txn *tx, u32 vol, u64 parent, s32 delta,
			struct smeta_entry *out)
{
	struct smeta_attr pa;
	int rc;

	rc = smeta_inode_load(tx->m, vol, parent, &pa, NULL, NULL);
	if (rc == -ENOENT) {
		if (!smeta_owns(tx->m, vol, parent)) {
			out->result |= SMETA_RES_PARENT_REMOTE;
			out->parent_delta = delta;
		}
		return 0;
	}
	if (rc)
		return rc;
	if (delta > 0)
		pa.nlink++;
	else if (pa.nlink > 2)
		pa.nlink--;
	smeta_attr_touch(tx->m, &pa, true);
	smeta_inode_stage(tx, vol, &pa, NULL, 0);
	return 0;
}

/* ---- CREATE ---- */

static bool type_creatable(u32 type)
{
	return type == S_IFREG || type == S_IFDIR || type == S_IFIFO ||
	       type == S_IFSOCK || type == S_IFCHR || type == S_IFBLK ||
	       type == S_IFLNK;
}

static int create_args_check(const struct smeta_create_args *a)
{
	const u32 type = a->mode & S_IFMT;

	if (!type_creatable(type) || (a->mode & ~(S_IFMT | SMETA_PERM_MASK)))
		return -EINVAL;
	if (a->flags & ~SEALFS_CF_EXCL)
		return -EINVAL;
	if (a->rdev && type != S_IFCHR && type != S_IFBLK)
		return -EINVAL;
	if (type != S_IFLNK)
		return a->target_len ? -EINVAL : 0;
	if (!a->target || !a->target_len)
		return -EINVAL;
	if (a->target_len > SEALFS_TARGET_MAX)
		return -ENAMETOOLONG;
	return memchr(a->target, '\0', a->target_len) ? -EINVAL : 0;
}

static void attr_init(struct smeta *m, struct smeta_attr *a, u64 ino,
		      u32 mode, u32 uid, u32 gid)
{
	struct timespec ts;

	smeta_now(m, &ts);
	memset(a, 0, sizeof(*a));
	a->ino = ino;
	a->mode = mode;
	a->nlink = S_ISDIR(mode) ? 2 : 1;
	a->uid = uid;
	a->gid = gid;
	a->atime_sec = a->mtime_sec = a->ctime_sec = ts.tv_sec;
	a->atime_nsec = a->mtime_nsec = a->ctime_nsec = (u32)ts.tv_nsec;
	a->change = 1;
	a->generation = 1;
}

static int create_locked(struct smeta_txn *tx, u32 vol, u64 parent,
			 const char *name, u32 len,
			 const struct smeta_create_args *a,
			 struct smeta_entry *out)
{
	struct smeta *m = tx->m;
	struct smeta_attr pa, na;
	struct smeta_dent d;
	bool plocal;
	int rc;

	rc = smeta_name_check(name, len);
	if (!rc)
		rc = create_args_check(a);
	if (!rc)
		rc = parent_load(m, vol, parent, &pa, &plocal);
	if (rc)
		return rc;
	rc = smeta_entry_load(m, vol, parent, name, len, &d);
	if (rc == 0) {
		if ((a->flags & SEALFS_CF_EXCL) || !S_ISREG(a->mode))
			return -EEXIST;
		rc = entry_fill(m, vol, &d, out);
		out->result = SMETA_RES_EXISTED;
		return rc;
	}
	if (rc != -ENOENT)
		return rc;
	rc = smeta_usage_stage(tx, vol, 0, 1, 0, a->quota_inodes);
	if (!rc)
		rc = smeta_alloc_locked(tx, vol, &d.ino);
	if (rc)
		return rc;
	attr_init(m, &na, d.ino, a->mode, a->uid, a->gid);
	if (S_ISCHR(a->mode) || S_ISBLK(a->mode))
		na.rdev = a->rdev;
	if (S_ISLNK(a->mode))
		na.size = a->target_len;
	if (S_ISDIR(a->mode))
		na.parent = parent;
	d.mode = a->mode & S_IFMT;
	rc = smeta_entry_stage_add(tx, vol, parent, name, len, &d);
	if (rc)
		return rc;
	smeta_inode_stage(tx, vol, &na, a->target, a->target_len);
	memset(out, 0, sizeof(*out));
	if (S_ISDIR(a->mode))
		rc = parent_nlink(tx, vol, parent, 1, out);
	out->attr = na;
	out->cookie = d.cookie;
	out->flags = SEALFS_EF_ATTR;
	return rc;
}

int smeta_create(struct smeta *m, struct smeta_txn *tx, u32 vol, u64 parent,
		 const char *name, u32 name_len,
		 const struct smeta_create_args *a, struct smeta_entry *out)
{
	struct smeta_txn *t;
	int rc;

	rc = smeta_op_enter(m, tx, &t);
	if (rc)
		return rc;
	rc = create_locked(t, vol, parent, name, name_len, a, out);
	return smeta_op_leave(t, tx, rc);
}

int smeta_mkdir(struct smeta *m, struct smeta_txn *tx, u32 vol, u64 parent,
		const char *name, u32 name_len, u32 mode, u32 uid, u32 gid,
		u64 quota_inodes, struct smeta_entry *out)
{
	struct smeta_create_args a = {
		.mode = S_IFDIR | (mode & SMETA_PERM_MASK), .uid = uid,
		.gid = gid, .flags = SEALFS_CF_EXCL,
		.quota_inodes = quota_inodes,
	};

	return smeta_create(m, tx, vol, parent, name, name_len, &a, out);
}

int smeta_mknod(struct smeta *m, struct smeta_txn *tx, u32 vol, u64 parent,
		const char *name, u32 name_len, u32 mode, u32 rdev, u32 uid,
		u32 gid, u64 quota_inodes, struct smeta_entry *out)
{
	struct smeta_create_args a = {
		.mode = mode, .uid = uid, .gid = gid, .rdev = rdev,
		.flags = SEALFS_CF_EXCL, .quota_inodes = quota_inodes,
	};
	const u32 type = mode & S_IFMT;

	if (type != S_IFIFO && type != S_IFSOCK && type != S_IFCHR &&
	    type != S_IFBLK)
		return -EINVAL;
	return smeta_create(m, tx, vol, parent, name, name_len, &a, out);
}

int smeta_symlink(struct smeta *m, struct smeta_txn *tx, u32 vol, u64 parent,
		  const char *name, u32 name_len, const char *target,
		  u32 target_len, u32 uid, u32 gid, u64 quota_inodes,
		  struct smeta_entry *out)
{
	struct smeta_create_args a = {
		.mode = S_IFLNK | 0777, .uid = uid, .gid = gid,
		.flags = SEALFS_CF_EXCL, .target = target,
		.target_len = target_len, .quota_inodes = quota_inodes,
	};

	return smeta_create(m, tx, vol, parent, name, name_len, &a, out);
}

static int mkroot_locked(struct smeta_txn *tx, u32 vol, u32 mode, u32 uid,
			 u32 gid, struct smeta_attr *out)
{
	int rc;

	rc = smeta_inode_load(tx->m, vol, SEALFS_ROOT_INO, out, NULL, NULL);
	if (rc != -ENOENT)
		return rc;
	if (mode & ~SMETA_PERM_MASK)
		return -EINVAL;
	rc = smeta_usage_stage(tx, vol, 0, 1, 0, 0);
	if (rc)
		return rc;
	attr_init(tx->m, out, SEALFS_ROOT_INO, S_IFDIR | mode, uid, gid);
	out->parent = SEALFS_ROOT_INO;
	smeta_inode_stage(tx, vol, out, NULL, 0);
	return 0;
}

int smeta_mkroot(struct smeta *m, struct smeta_txn *tx, u32 vol, u32 mode,
		 u32 uid, u32 gid, struct smeta_attr *out)
{
	struct smeta_txn *t;
	int rc;

	rc = smeta_op_enter(m, tx, &t);
	if (rc)
		return rc;
	rc = mkroot_locked(t, vol, mode, uid, gid, out);
	return smeta_op_leave(t, tx, rc);
}

/* ---- LOOKUP ---- */

int smeta_lookup(struct smeta *m, u32 vol, u64 parent, const char *name,
		 u32 name_len, struct smeta_entry *out)
{
	struct smeta_dent d;
	int rc;

	rc = smeta_name_check(name, name_len);
	if (!rc)
		rc = smeta_entry_load(m, vol, parent, name, name_len, &d);
	if (!rc)
		rc = entry_fill(m, vol, &d, out);
	return rc;
}

/* ---- LINK ---- */

/* Raises a local inode's nlink, or asks the caller to (remote inode). */
static int link_inode(struct smeta_txn *tx, u32 vol, u64 ino, u32 mode,
		      struct smeta_entry *out)
{
	char target[SEALFS_TARGET_MAX];
	struct smeta_attr a;
	u32 tl;
	int rc;

	memset(out, 0, sizeof(*out));
	rc = smeta_inode_load(tx->m, vol, ino, &a, target, &tl);
	if (rc == -ENOENT) {
		if (smeta_owns(tx->m, vol, ino))
			return -ESTALE;
		if (!type_creatable(mode & S_IFMT))
			return -EINVAL;
		if (S_ISDIR(mode))
			return -EPERM;
		out->attr.ino = ino;
		out->attr.mode = mode & S_IFMT;
		out->result = SMETA_RES_INODE_REMOTE;
		out->nlink_delta = 1;
		return 0;
	}
	if (rc)
		return rc;
	if (S_ISDIR(a.mode))
		return -EPERM;
	if (a.nlink >= SMETA_LINK_MAX)
		return -EMLINK;
	a.nlink++;
	smeta_attr_touch(tx->m, &a, false);
	smeta_inode_stage(tx, vol, &a, target, tl);
	out->attr = a;
	out->flags = SEALFS_EF_ATTR;
	return 0;
}

static int link_locked(struct smeta_txn *tx, u32 vol, u64 ino, u32 mode,
		       u64 parent, const char *name, u32 len,
		       struct smeta_entry *out)
{
	struct smeta_attr pa;
	struct smeta_dent d;
	bool plocal;
	int rc;

	rc = smeta_name_check(name, len);
	if (!rc)
		rc = parent_load(tx->m, vol, parent, &pa, &plocal);
	if (rc)
		return rc;
	rc = smeta_entry_load(tx->m, vol, parent, name, len, &d);
	if (rc != -ENOENT)
		return rc ? rc : -EEXIST;
	rc = link_inode(tx, vol, ino, mode, out);
	if (rc)
		return rc;
	d.ino = ino;
	d.mode = out->attr.mode & S_IFMT;
	rc = smeta_entry_stage_add(tx, vol, parent, name, len, &d);
	out->cookie = d.cookie;
	return rc;
}

int smeta_link(struct smeta *m, struct smeta_txn *tx, u32 vol, u64 ino,
	       u32 mode, u64 parent, const char *name, u32 name_len,
	       struct smeta_entry *out)
{
	struct smeta_txn *t;
	int rc;

	rc = smeta_op_enter(m, tx, &t);
	if (rc)
		return rc;
	rc = link_locked(t, vol, ino, mode, parent, name, name_len, out);
	return smeta_op_leave(t, tx, rc);
}

/* ---- UNLINK ---- */

/* Drops one link of the entry's inode, here or by the caller. */
static int unlink_inode(struct smeta_txn *tx, u32 vol,
			const struct smeta_dent *d, struct smeta_entry *out)
{
	char target[SEALFS_TARGET_MAX];
	struct smeta_attr a;
	u32 tl;
	int rc;

	rc = smeta_inode_load(tx->m, vol, d->ino, &a, target, &tl);
	if (rc == -ENOENT) {
		if (!smeta_owns(tx->m, vol, d->ino)) {
			out->result = SMETA_RES_INODE_REMOTE;
			out->nlink_delta = -1;
		}
		return 0;
	}
	if (rc)
		return rc;
	if (a.nlink)
		a.nlink--;
	smeta_attr_touch(tx->m, &a, false);
	out->attr = a;
	out->flags = SEALFS_EF_ATTR;
	if (a.nlink) {
		smeta_inode_stage(tx, vol, &a, target, tl);
		return 0;
	}
	out->result = SMETA_RES_DESTROYED;
	return smeta_inode_destroy(tx, vol, d->ino);
}

static int unlink_locked(struct smeta_txn *tx, u32 vol, u64 parent,
			 const char *name, u32 len, struct smeta_entry *out)
{
	struct smeta_dent d;
	int rc;

	rc = smeta_name_check(name, len);
	if (!rc)
		rc = smeta_entry_load(tx->m, vol, parent, name, len, &d);
	if (rc)
		return rc;
	if (S_ISDIR(d.mode))
		return -EISDIR;
	rc = smeta_entry_stage_del(tx, vol, parent, name, len, &d);
	if (rc)
		return rc;
	memset(out, 0, sizeof(*out));
	out->cookie = d.cookie;
	out->attr.ino = d.ino;
	out->attr.mode = d.mode & S_IFMT;
	return unlink_inode(tx, vol, &d, out);
}

int smeta_unlink(struct smeta *m, struct smeta_txn *tx, u32 vol, u64 parent,
		 const char *name, u32 name_len, struct smeta_entry *out)
{
	struct smeta_txn *t;
	int rc;

	rc = smeta_op_enter(m, tx, &t);
	if (rc)
		return rc;
	rc = unlink_locked(t, vol, parent, name, name_len, out);
	return smeta_op_leave(t, tx, rc);
}

/* ---- RMDIR ---- */

/* Deletes the removed directory's inode here, or asks the caller to. */
static int rmdir_inode(struct smeta_txn *tx, u32 vol,
		       const struct smeta_dent *d, struct smeta_entry *out)
{
	struct smeta_attr a;
	int rc;

	rc = smeta_inode_load(tx->m, vol, d->ino, &a, NULL, NULL);
	if (rc == -ENOENT) {
		if (!smeta_owns(tx->m, vol, d->ino)) {
			out->result = SMETA_RES_INODE_REMOTE;
			out->nlink_delta = -2;
		}
		return 0;
	}
	if (rc)
		return rc;
	a.nlink = 0;
	smeta_attr_touch(tx->m, &a, false);
	out->attr = a;
	out->flags = SEALFS_EF_ATTR;
	out->result = SMETA_RES_DESTROYED;
	return smeta_inode_destroy(tx, vol, d->ino);
}

static int rmdir_locked(struct smeta_txn *tx, u32 vol, u64 parent,
			const char *name, u32 len, struct smeta_entry *out)
{
	struct smeta_dirst s;
	struct smeta_dent d;
	struct smeta_key k;
	int rc;

	rc = smeta_name_check(name, len);
	if (!rc)
		rc = smeta_entry_load(tx->m, vol, parent, name, len, &d);
	if (rc)
		return rc;
	if (!S_ISDIR(d.mode))
		return -ENOTDIR;
	rc = smeta_dirst_load(tx->m, vol, d.ino, &s);
	if (rc)
		return rc;
	if (s.count)
		return -ENOTEMPTY;
	rc = smeta_entry_stage_del(tx, vol, parent, name, len, &d);
	if (rc)
		return rc;
	smeta_key_dir(&k, vol, d.ino);
	smeta_stage_del(tx, &k);
	memset(out, 0, sizeof(*out));
	out->cookie = d.cookie;
	out->attr.ino = d.ino;
	out->attr.mode = S_IFDIR;
	rc = rmdir_inode(tx, vol, &d, out);
	if (rc)
		return rc;
	return parent_nlink(tx, vol, parent, -1, out);
}

int smeta_rmdir(struct smeta *m, struct smeta_txn *tx, u32 vol, u64 parent,
		const char *name, u32 name_len, struct smeta_entry *out)
{
	struct smeta_txn *t;
	int rc;

	rc = smeta_op_enter(m, tx, &t);
	if (rc)
		return rc;
	rc = rmdir_locked(t, vol, parent, name, name_len, out);
	return smeta_op_leave(t, tx, rc);
}

int smeta_dir_count(struct smeta *m, u32 vol, u64 dir, u64 *count)
{
	struct smeta_dirst s;
	int rc;

	rc = smeta_dirst_load(m, vol, dir, &s);
	if (!rc)
		*count = s.count;
	return rc;
}

static int dir_forget_locked(struct smeta_txn *tx, u32 vol, u64 dir)
{
	struct smeta_dirst s;
	struct smeta_key k;
	int rc;

	rc = smeta_dirst_load(tx->m, vol, dir, &s);
	if (rc)
		return rc;
	if (s.count)
		return -ENOTEMPTY;
	smeta_key_dir(&k, vol, dir);
	smeta_stage_del(tx, &k);
	return 0;
}

int smeta_dir_forget(struct smeta *m, struct smeta_txn *tx, u32 vol, u64 dir)
{
	struct smeta_txn *t;
	int rc;

	rc = smeta_op_enter(m, tx, &t);
	if (rc)
		return rc;
	rc = dir_forget_locked(t, vol, dir);
	return smeta_op_leave(t, tx, rc);
}

/* ---- READDIR ---- */

/* Calls @fn for one index record; returns its verdict. */
static int readdir_one(struct smeta *m, u32 vol, const char *key,
		       const char *val, size_t vlen, smeta_readdir_fn fn,
		       void *arg)
{
	struct smeta_entry e;
	struct smeta_dent d;
	const char *name;
	u32 nl;
	int rc;

	rc = smeta_rdx_decode(val, vlen, &d, &name, &nl);
	if (rc)
		return rc;
	d.cookie = smeta_get_be64((const u8 *)key + 13);
	rc = entry_fill(m, vol, &d, &e);
	if (rc)
		return rc;
	return fn(arg, &e, name, nl);
}

int smeta_readdir(struct smeta *m, u32 vol, u64 dir, u64 cookie,
		  smeta_readdir_fn fn, void *arg, bool *eof)
{
	leveldb_iterator_t *it;
	struct smeta_key pfx, start;
	struct smeta_attr da;
	const char *key, *val;
	size_t klen, vlen;
	char *err = NULL;
	int rc = 0;

	*eof = true;
	rc = smeta_inode_load(m, vol, dir, &da, NULL, NULL);
	if (rc == 0 && !S_ISDIR(da.mode))
		return -ENOTDIR;
	if (rc && rc != -ENOENT)
		return rc;
	if (cookie == UINT64_MAX)
		return 0;
	smeta_key_dir(&pfx, vol, dir);
	pfx.b[0] = SMETA_T_RDX;
	smeta_key_rdx(&start, vol, dir, cookie + 1);
	it = leveldb_create_iterator(m->db, m->ropts);
	rc = 0;
	for (leveldb_iter_seek(it, (const char *)start.b, start.len);
	     leveldb_iter_valid(it); leveldb_iter_next(it)) {
		key = leveldb_iter_key(it, &klen);
		if (!smeta_key_has_prefix(key, klen, &pfx))
			break;
		if (klen != pfx.len + 8)
			continue;
		val = leveldb_iter_value(it, &vlen);
		rc = readdir_one(m, vol, key, val, vlen, fn, arg);
		if (rc) {
			*eof = false;
			break;
		}
	}
	leveldb_iter_get_error(it, &err);
	leveldb_iter_destroy(it);
	if (err) {
		leveldb_free(err);
		return -EIO;
	}
	return rc > 0 ? 0 : rc;
}
