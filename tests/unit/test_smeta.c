// SPDX-License-Identifier: Apache-2.0
/*
 * smeta tests, each on a fresh store in a temporary directory: every
 * operation and its errors, readdir cookies (10,000 entries, resumed from
 * every cookie, with creates and deletes in between, across a reopen),
 * persistence across close/reopen and a killed process, the inode
 * allocator, the replay table, quotas and injected commit failures.
 */
#include <errno.h>
#include <ftw.h>
#include <limits.h>
#include <pthread.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "sealfs_placement.h"
#include "server/smeta.h"

#define VOL		3
#define ROOT		SEALFS_ROOT_INO
#define SERVER_ID	5
/* inode numbers with this bit are held by "another server" */
#define REMOTE_BIT	(1ull << 62)
#define BIG_N		10000

struct fx {
	char dir[PATH_MAX];
	struct smeta *m;
	struct smeta_opts o;
	struct smeta_durability dur;
	bool nosync;		/* bulk tests: LevelDB writes without sync */
	int fail_err;		/* injected commit error ... */
	int fail_times;		/* ... for this many commits */
	u64 commits;		/* commits that reached LevelDB */
	u32 owns_mod;		/* accept ino when mix(ino) % owns_mod == 0 */
	bool owns_none;		/* accept nothing that is not the root */
	const struct sealfs_ring *ring;	/* accept what the ring gives us */
	struct timespec clock;	/* fixed clock when tv_sec != 0 */
};

/* ---- fixture ---- */

static u64 mix(u64 x)
{
	x ^= x >> 33;
	x *= 0xff51afd7ed558ccdull;
	x ^= x >> 33;
	return x;
}

static bool fx_owns(void *arg, u32 vol, u64 ino)
{
	struct fx *f = arg;

	if (ino & REMOTE_BIT)
		return false;
	if (ino == ROOT)
		return true;
	if (f->owns_none)
		return false;
	if (f->ring)
		return sealfs_ring_owner(f->ring, sealfs_key_inode(vol, ino)) ==
		       f->o.server_id;
	return !f->owns_mod || mix(ino) % f->owns_mod == 0;
}

static int fx_commit(void *arg, leveldb_t *db, leveldb_writebatch_t *wb)
{
	struct fx *f = arg;
	leveldb_writeoptions_t *wo;
	char *err = NULL;

	if (f->fail_times > 0) {
		f->fail_times--;
		return f->fail_err;
	}
	f->commits++;
	if (!f->nosync)
		return smeta_commit_sync(NULL, db, wb);
	wo = leveldb_writeoptions_create();
	leveldb_write(db, wo, wb, &err);
	leveldb_writeoptions_destroy(wo);
	if (err) {
		leveldb_free(err);
		return -EIO;
	}
	return 0;
}

static void fx_now(void *arg, struct timespec *ts)
{
	struct fx *f = arg;

	if (f->clock.tv_sec)
		*ts = f->clock;
	else
		clock_gettime(CLOCK_REALTIME, ts);
}

static void fx_open(struct fx *f)
{
	assert_int_equal(smeta_open(&f->o, &f->m), 0);
}

static void fx_reopen(struct fx *f)
{
	smeta_close(f->m);
	f->m = NULL;
	fx_open(f);
}

static int rm_one(const char *path, const struct stat *st, int flag,
		  struct FTW *ftw)
{
	(void)st, (void)flag, (void)ftw;
	return remove(path);
}

static int setup(void **state)
{
	const char *tmp = getenv("TMPDIR");
	struct fx *f = calloc(1, sizeof(*f));
	struct smeta_attr root;

	if (!f)
		return -1;
	snprintf(f->dir, sizeof(f->dir), "%s/sealfs-smeta-XXXXXX",
		 tmp && *tmp ? tmp : "/tmp");
	if (!mkdtemp(f->dir)) {
		free(f);
		return -1;
	}
	f->dur.commit = fx_commit;
	f->dur.arg = f;
	f->o.dir = f->dir;
	f->o.server_id = SERVER_ID;
	f->o.owns = fx_owns;
	f->o.owns_arg = f;
	f->o.dur = &f->dur;
	f->o.now = fx_now;
	f->o.now_arg = f;
	if (smeta_open(&f->o, &f->m) ||
	    smeta_mkroot(f->m, NULL, VOL, 0755, 0, 0, &root))
		return -1;
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fx *f = *state;

	smeta_close(f->m);
	nftw(f->dir, rm_one, 16, FTW_DEPTH | FTW_PHYS);
	free(f);
	return 0;
}

/* ---- helpers ---- */

static u32 slen(const char *s)
{
	return (u32)strlen(s);
}

static struct smeta_entry mk(struct fx *f, u64 parent, const char *name,
			     u32 mode)
{
	struct smeta_create_args a = { .mode = mode, .uid = 1, .gid = 2,
				       .flags = SEALFS_CF_EXCL };
	struct smeta_entry e;

	assert_int_equal(smeta_create(f->m, NULL, VOL, parent, name,
				      slen(name), &a, &e), 0);
	return e;
}

static int create(struct fx *f, u64 parent, const char *name, u32 mode,
		  u32 flags, struct smeta_entry *e)
{
	struct smeta_create_args a = { .mode = mode, .flags = flags };

	return smeta_create(f->m, NULL, VOL, parent, name, slen(name), &a, e);
}

static struct smeta_attr attr_of(struct fx *f, u64 ino)
{
	struct smeta_attr a;

	assert_int_equal(smeta_getattr(f->m, VOL, ino, &a), 0);
	return a;
}

static int unlink_(struct fx *f, u64 parent, const char *name)
{
	struct smeta_entry e;

	return smeta_unlink(f->m, NULL, VOL, parent, name, slen(name), &e);
}

static int lookup(struct fx *f, u64 parent, const char *name,
		  struct smeta_entry *e)
{
	return smeta_lookup(f->m, VOL, parent, name, slen(name), e);
}

/* ---- open ---- */

static void test_open_identity(void **state)
{
	struct fx *f = *state;
	struct smeta_opts o = f->o;
	struct smeta *m2;

	/* the directory is locked while open */
	assert_int_equal(smeta_open(&o, &m2), -EBUSY);
	smeta_close(f->m);
	f->m = NULL;
	o.server_id = SERVER_ID + 1;
	assert_int_equal(smeta_open(&o, &m2), -EINVAL);
	o.server_id = 0;
	assert_int_equal(smeta_open(&o, &m2), -EINVAL);
	o.server_id = SMETA_SERVER_ID_MAX + 1;
	assert_int_equal(smeta_open(&o, &m2), -EINVAL);
	o.server_id = SERVER_ID;
	o.dir = NULL;
	assert_int_equal(smeta_open(&o, &m2), -EINVAL);
	/* LevelDB makes the last directory only */
	{
		char path[PATH_MAX + 32];

		snprintf(path, sizeof(path), "%s/no/such", f->dir);
		o.dir = path;
		assert_int_equal(smeta_open(&o, &m2), -ENOENT);
	}
	fx_open(f);
	/* NULL is a no-op */
	smeta_close(NULL);
}

static void test_errno_from_leveldb(void **state)
{
	(void)state;
	assert_int_equal(smeta_errno_from_leveldb(NULL), 0);
	assert_int_equal(smeta_errno_from_leveldb(
		"IO error: /x/000005.log: No space left on device"), -ENOSPC);
	assert_int_equal(smeta_errno_from_leveldb(
		"IO error: /x/000005.log: Disk quota exceeded"), -EDQUOT);
	assert_int_equal(smeta_errno_from_leveldb(
		"IO error: lock /x/LOCK: already held by process"), -EBUSY);
	assert_int_equal(smeta_errno_from_leveldb(
		"IO error: lock /x/LOCK: Resource temporarily unavailable"),
		-EBUSY);
	assert_int_equal(smeta_errno_from_leveldb(
		"IO error: /x/LOCK: Permission denied"), -EACCES);
	assert_int_equal(smeta_errno_from_leveldb(
		"IO error: /x/LOCK: Read-only file system"), -EROFS);
	assert_int_equal(smeta_errno_from_leveldb(
		"Invalid argument: /x: does not exist (create_if_missing is false)"),
		-ENOENT);
	assert_int_equal(smeta_errno_from_leveldb(
		"IO error: /no/such/LOCK: No such file or directory"), -ENOENT);
	assert_int_equal(smeta_errno_from_leveldb(
		"Corruption: bad record length"), -EIO);
	assert_int_equal(smeta_errno_from_leveldb("anything else"), -EIO);
}

/* ---- create, lookup, getattr ---- */

static void test_create_lookup(void **state)
{
	struct fx *f = *state;
	struct smeta_entry e, l;
	struct smeta_usage u;
	struct smeta_attr a;

	f->clock.tv_sec = 1700000000;
	f->clock.tv_nsec = 123;
	e = mk(f, ROOT, "a.txt", S_IFREG | 0644);
	assert_int_equal(e.flags, SEALFS_EF_ATTR);
	assert_int_equal(e.result, 0);
	assert_true(e.cookie > 0);
	assert_int_equal(e.attr.ino >> SMETA_INO_SEQ_BITS, SERVER_ID);
	assert_int_equal(e.attr.mode, S_IFREG | 0644);
	assert_int_equal(e.attr.nlink, 1);
	assert_int_equal(e.attr.uid, 1);
	assert_int_equal(e.attr.gid, 2);
	assert_int_equal(e.attr.size, 0);
	assert_int_equal(e.attr.change, 1);
	assert_int_equal(e.attr.mtime_sec, 1700000000);
	assert_int_equal(e.attr.ctime_nsec, 123);
	assert_int_equal(e.attr.atime_sec, 1700000000);

	assert_int_equal(lookup(f, ROOT, "a.txt", &l), 0);
	assert_int_equal(l.flags, SEALFS_EF_ATTR);
	assert_int_equal(l.cookie, e.cookie);
	assert_memory_equal(&l.attr, &e.attr, sizeof(l.attr));
	a = attr_of(f, e.attr.ino);
	assert_memory_equal(&a, &e.attr, sizeof(a));

	/* exclusive: the name exists */
	assert_int_equal(create(f, ROOT, "a.txt", S_IFREG | 0600,
				SEALFS_CF_EXCL, &l), -EEXIST);
	/* not exclusive: the existing regular file comes back */
	assert_int_equal(create(f, ROOT, "a.txt", S_IFREG | 0600, 0, &l), 0);
	assert_int_equal(l.result, SMETA_RES_EXISTED);
	assert_int_equal(l.attr.ino, e.attr.ino);
	assert_int_equal(l.attr.mode, S_IFREG | 0644);
	/* other types are always exclusive */
	assert_int_equal(create(f, ROOT, "a.txt", S_IFDIR | 0700, 0, &l),
			 -EEXIST);
	assert_int_equal(create(f, ROOT, "a.txt", S_IFIFO | 0700, 0, &l),
			 -EEXIST);

	assert_int_equal(lookup(f, ROOT, "b.txt", &l), -ENOENT);
	assert_int_equal(lookup(f, e.attr.ino + 1, "a.txt", &l), -ENOENT);
	assert_int_equal(smeta_lookup(f->m, VOL + 1, ROOT, "a.txt", 5, &l),
			 -ENOENT);
	assert_int_equal(smeta_getattr(f->m, VOL, e.attr.ino + 1, &a), -ESTALE);
	assert_int_equal(smeta_getattr(f->m, VOL + 1, e.attr.ino, &a), -ESTALE);

	assert_int_equal(smeta_usage_get(f->m, VOL, &u), 0);
	assert_int_equal(u.inodes, 2);	/* root and a.txt */
	assert_int_equal(u.bytes, 0);
}

static void test_names(void **state)
{
	struct fx *f = *state;
	char name[SEALFS_NAME_MAX + 2];
	struct smeta_entry e;

	memset(name, 'n', sizeof(name));
	assert_int_equal(smeta_lookup(f->m, VOL, ROOT, name, 0, &e), -EINVAL);
	assert_int_equal(smeta_lookup(f->m, VOL, ROOT, NULL, 0, &e), -EINVAL);
	assert_int_equal(create(f, ROOT, ".", S_IFREG, 0, &e), -EINVAL);
	assert_int_equal(create(f, ROOT, "..", S_IFREG, 0, &e), -EINVAL);
	assert_int_equal(create(f, ROOT, "a/b", S_IFREG, 0, &e), -EINVAL);
	assert_int_equal(smeta_lookup(f->m, VOL, ROOT, "a\0b", 3, &e), -EINVAL);
	assert_int_equal(smeta_unlink(f->m, NULL, VOL, ROOT, ".", 1, &e),
			 -EINVAL);
	assert_int_equal(smeta_rmdir(f->m, NULL, VOL, ROOT, "..", 2, &e),
			 -EINVAL);
	{
		struct smeta_create_args a = { .mode = S_IFREG | 0600 };

		assert_int_equal(smeta_create(f->m, NULL, VOL, ROOT, name,
					      SEALFS_NAME_MAX + 1, &a, &e),
				 -ENAMETOOLONG);
		assert_int_equal(smeta_create(f->m, NULL, VOL, ROOT, name,
					      SEALFS_NAME_MAX, &a, &e), 0);
	}
	assert_int_equal(smeta_lookup(f->m, VOL, ROOT, name, SEALFS_NAME_MAX,
				      &e), 0);
	assert_int_equal(smeta_lookup(f->m, VOL, ROOT, name,
				      SEALFS_NAME_MAX + 1, &e), -ENAMETOOLONG);
	/* names are bytes: ".a", "..." and non-UTF-8 are fine */
	mk(f, ROOT, ".a", S_IFREG);
	mk(f, ROOT, "...", S_IFREG);
	mk(f, ROOT, "\xff\xfe", S_IFREG);
}

static void test_create_args(void **state)
{
	struct fx *f = *state;
	struct smeta_create_args a = { .mode = S_IFREG | 0644 };
	struct smeta_entry e;

	a.mode = 0644;		/* no type */
	assert_int_equal(smeta_create(f->m, NULL, VOL, ROOT, "x", 1, &a, &e),
			 -EINVAL);
	a.mode = S_IFREG | 010000;	/* stray bits */
	assert_int_equal(smeta_create(f->m, NULL, VOL, ROOT, "x", 1, &a, &e),
			 -EINVAL);
	a.mode = S_IFREG | 0644;
	a.flags = 0x2;
	assert_int_equal(smeta_create(f->m, NULL, VOL, ROOT, "x", 1, &a, &e),
			 -EINVAL);
	a.flags = 0;
	a.rdev = 7;		/* rdev only for devices */
	assert_int_equal(smeta_create(f->m, NULL, VOL, ROOT, "x", 1, &a, &e),
			 -EINVAL);
	a.rdev = 0;
	a.target = "t";
	a.target_len = 1;	/* target only for symbolic links */
	assert_int_equal(smeta_create(f->m, NULL, VOL, ROOT, "x", 1, &a, &e),
			 -EINVAL);
	a.target = NULL;
	a.target_len = 0;
	a.mode = S_IFLNK | 0777;	/* a link needs one */
	assert_int_equal(smeta_create(f->m, NULL, VOL, ROOT, "x", 1, &a, &e),
			 -EINVAL);
	assert_int_equal(smeta_lookup(f->m, VOL, ROOT, "x", 1, &e), -ENOENT);
}

static void test_parent_checks(void **state)
{
	struct fx *f = *state;
	struct smeta_entry file, e;

	file = mk(f, ROOT, "file", S_IFREG | 0644);
	/* a local parent that is not a directory */
	assert_int_equal(create(f, file.attr.ino, "x", S_IFREG, 0, &e),
			 -ENOTDIR);
	/* a parent this server should hold but does not */
	assert_int_equal(create(f, file.attr.ino + 1, "x", S_IFREG, 0, &e),
			 -ENOENT);
	/* a parent held elsewhere is taken on trust */
	e = mk(f, REMOTE_BIT | 77, "x", S_IFREG | 0600);
	assert_int_equal(e.flags, SEALFS_EF_ATTR);
	assert_int_equal(e.result, 0);
	assert_int_equal(lookup(f, REMOTE_BIT | 77, "x", &e), 0);
}

/* ---- directories ---- */

static void test_mkdir_nlink(void **state)
{
	struct fx *f = *state;
	struct smeta_entry d, s, e;
	u64 n;

	assert_int_equal(attr_of(f, ROOT).nlink, 2);
	assert_int_equal(smeta_mkdir(f->m, NULL, VOL, ROOT, "d", 1, 0750, 4, 5,
				     0, &d), 0);
	assert_int_equal(d.attr.mode, S_IFDIR | 0750);
	assert_int_equal(d.attr.nlink, 2);	/* its name and "." */
	assert_int_equal(d.attr.parent, ROOT);
	assert_int_equal(d.attr.uid, 4);
	assert_int_equal(d.result, 0);
	assert_int_equal(attr_of(f, ROOT).nlink, 3);	/* d's ".." */
	s = mk(f, d.attr.ino, "s", S_IFDIR | 0700);
	assert_int_equal(attr_of(f, d.attr.ino).nlink, 3);
	assert_int_equal(smeta_dir_count(f->m, VOL, d.attr.ino, &n), 0);
	assert_int_equal(n, 1);
	assert_int_equal(smeta_rmdir(f->m, NULL, VOL, d.attr.ino, "s", 1, &e),
			 0);
	assert_int_equal(e.result, SMETA_RES_DESTROYED);
	assert_int_equal(e.attr.ino, s.attr.ino);
	assert_int_equal(e.attr.nlink, 0);
	assert_int_equal(attr_of(f, d.attr.ino).nlink, 2);
	assert_int_equal(smeta_dir_count(f->m, VOL, d.attr.ino, &n), 0);
	assert_int_equal(n, 0);

	/* a directory whose parent is held elsewhere */
	assert_int_equal(smeta_mkdir(f->m, NULL, VOL, REMOTE_BIT | 9, "r", 1,
				     0700, 0, 0, 0, &e), 0);
	assert_int_equal(e.result, SMETA_RES_PARENT_REMOTE);
	assert_int_equal(e.parent_delta, 1);
	assert_int_equal(smeta_rmdir(f->m, NULL, VOL, REMOTE_BIT | 9, "r", 1,
				     &e), 0);
	assert_int_equal(e.result,
			 SMETA_RES_DESTROYED | SMETA_RES_PARENT_REMOTE);
	assert_int_equal(e.parent_delta, -1);
}

static void test_rmdir(void **state)
{
	struct fx *f = *state;
	struct smeta_entry d, e;
	struct smeta_usage u0, u;
	u64 n;

	assert_int_equal(smeta_usage_get(f->m, VOL, &u0), 0);
	d = mk(f, ROOT, "d", S_IFDIR | 0755);
	mk(f, d.attr.ino, "f", S_IFREG | 0644);
	assert_int_equal(smeta_rmdir(f->m, NULL, VOL, ROOT, "d", 1, &e),
			 -ENOTEMPTY);
	assert_int_equal(smeta_dir_forget(f->m, NULL, VOL, d.attr.ino),
			 -ENOTEMPTY);
	assert_int_equal(smeta_rmdir(f->m, NULL, VOL, d.attr.ino, "f", 1, &e),
			 -ENOTDIR);
	assert_int_equal(smeta_rmdir(f->m, NULL, VOL, ROOT, "nope", 4, &e),
			 -ENOENT);
	assert_int_equal(unlink_(f, ROOT, "d"), -EISDIR);
	assert_int_equal(unlink_(f, d.attr.ino, "f"), 0);
	assert_int_equal(smeta_dir_count(f->m, VOL, d.attr.ino, &n), 0);
	assert_int_equal(n, 0);
	assert_int_equal(smeta_rmdir(f->m, NULL, VOL, ROOT, "d", 1, &e), 0);
	assert_int_equal(e.result, SMETA_RES_DESTROYED);
	assert_int_equal(smeta_getattr(f->m, VOL, d.attr.ino, &e.attr),
			 -ESTALE);
	assert_int_equal(lookup(f, ROOT, "d", &e), -ENOENT);
	assert_int_equal(smeta_usage_get(f->m, VOL, &u), 0);
	assert_int_equal(u.inodes, u0.inodes);
	/* forgetting an empty or unknown directory is fine */
	assert_int_equal(smeta_dir_forget(f->m, NULL, VOL, d.attr.ino), 0);
	assert_int_equal(smeta_dir_forget(f->m, NULL, VOL, 12345), 0);
	assert_int_equal(attr_of(f, ROOT).nlink, 2);
}

/* ---- other types ---- */

static void test_mknod(void **state)
{
	struct fx *f = *state;
	struct smeta_entry e;

	assert_int_equal(smeta_mknod(f->m, NULL, VOL, ROOT, "fifo", 4,
				     S_IFIFO | 0600, 0, 0, 0, 0, &e), 0);
	assert_int_equal(e.attr.mode, S_IFIFO | 0600);
	assert_int_equal(e.attr.rdev, 0);
	assert_int_equal(smeta_mknod(f->m, NULL, VOL, ROOT, "sock", 4,
				     S_IFSOCK | 0600, 0, 0, 0, 0, &e), 0);
	assert_int_equal(e.attr.mode, S_IFSOCK | 0600);
	assert_int_equal(smeta_mknod(f->m, NULL, VOL, ROOT, "chr", 3,
				     S_IFCHR | 0600, 0x10203, 0, 0, 0, &e), 0);
	assert_int_equal(attr_of(f, e.attr.ino).rdev, 0x10203);
	assert_int_equal(smeta_mknod(f->m, NULL, VOL, ROOT, "blk", 3,
				     S_IFBLK | 0600, 0x801, 0, 0, 0, &e), 0);
	assert_int_equal(attr_of(f, e.attr.ino).rdev, 0x801);
	assert_int_equal(attr_of(f, e.attr.ino).mode, S_IFBLK | 0600);
	assert_int_equal(smeta_mknod(f->m, NULL, VOL, ROOT, "fifo2", 5,
				     S_IFIFO | 0600, 5, 0, 0, 0, &e), -EINVAL);
	assert_int_equal(smeta_mknod(f->m, NULL, VOL, ROOT, "reg", 3,
				     S_IFREG | 0600, 0, 0, 0, 0, &e), -EINVAL);
	assert_int_equal(smeta_mknod(f->m, NULL, VOL, ROOT, "fifo", 4,
				     S_IFIFO | 0600, 0, 0, 0, 0, &e), -EEXIST);
	assert_int_equal(lookup(f, ROOT, "chr", &e), 0);
	assert_int_equal(e.attr.mode, S_IFCHR | 0600);
}

static void test_symlink_readlink(void **state)
{
	struct fx *f = *state;
	char target[SEALFS_TARGET_MAX + 1], buf[SEALFS_TARGET_MAX];
	struct smeta_entry e, r;
	u32 len;

	assert_int_equal(smeta_symlink(f->m, NULL, VOL, ROOT, "l", 1,
				       "../x/y", 6, 3, 4, 0, &e), 0);
	assert_int_equal(e.attr.mode, S_IFLNK | 0777);
	assert_int_equal(e.attr.size, 6);
	assert_int_equal(e.attr.uid, 3);
	assert_int_equal(smeta_readlink(f->m, VOL, e.attr.ino, buf, sizeof(buf),
					&len), 0);
	assert_int_equal(len, 6);
	assert_memory_equal(buf, "../x/y", 6);
	assert_int_equal(smeta_readlink(f->m, VOL, e.attr.ino, buf, 5, &len),
			 -ERANGE);
	assert_int_equal(len, 6);
	r = mk(f, ROOT, "reg", S_IFREG | 0644);
	assert_int_equal(smeta_readlink(f->m, VOL, r.attr.ino, buf, sizeof(buf),
					&len), -EINVAL);
	assert_int_equal(smeta_readlink(f->m, VOL, r.attr.ino + 99, buf,
					sizeof(buf), &len), -ESTALE);

	memset(target, 't', sizeof(target));
	assert_int_equal(smeta_symlink(f->m, NULL, VOL, ROOT, "long", 4,
				       target, SEALFS_TARGET_MAX + 1, 0, 0, 0,
				       &e), -ENAMETOOLONG);
	assert_int_equal(smeta_symlink(f->m, NULL, VOL, ROOT, "long", 4,
				       target, SEALFS_TARGET_MAX, 0, 0, 0, &e),
			 0);
	assert_int_equal(smeta_symlink(f->m, NULL, VOL, ROOT, "nul", 3,
				       "a\0b", 3, 0, 0, 0, &e), -EINVAL);
	assert_int_equal(smeta_symlink(f->m, NULL, VOL, ROOT, "empty", 5,
				       "", 0, 0, 0, 0, &e), -EINVAL);
	assert_int_equal(smeta_symlink(f->m, NULL, VOL, ROOT, "l", 1, "z", 1,
				       0, 0, 0, &e), -EEXIST);

	/* the target survives other changes of the inode and a reopen */
	assert_int_equal(lookup(f, ROOT, "long", &e), 0);
	assert_int_equal(smeta_link(f->m, NULL, VOL, e.attr.ino, 0, ROOT,
				    "long3", 5, &r), 0);
	assert_int_equal(smeta_xattr_set(f->m, NULL, VOL, e.attr.ino, "user.a",
					 6, "v", 1, 0), 0);
	fx_reopen(f);
	assert_int_equal(smeta_readlink(f->m, VOL, e.attr.ino, buf, sizeof(buf),
					&len), 0);
	assert_int_equal(len, SEALFS_TARGET_MAX);
	assert_memory_equal(buf, target, len);
	assert_int_equal(attr_of(f, e.attr.ino).nlink, 2);
}

/* ---- setattr ---- */

static void test_setattr(void **state)
{
	struct fx *f = *state;
	struct smeta_setattr sa;
	struct smeta_entry e, d, l;
	struct smeta_attr a, b;

	f->clock.tv_sec = 1000;
	e = mk(f, ROOT, "f", S_IFREG | 0644);
	d = mk(f, ROOT, "d", S_IFDIR | 0755);
	assert_int_equal(smeta_symlink(f->m, NULL, VOL, ROOT, "l", 1, "t", 1,
				       0, 0, 0, &l), 0);
	f->clock.tv_sec = 2000;
	f->clock.tv_nsec = 5;

	memset(&sa, 0, sizeof(sa));
	sa.valid = SEALFS_SA_MODE | SEALFS_SA_UID | SEALFS_SA_GID;
	sa.mode = 04711;
	sa.uid = 10;
	sa.gid = 20;
	assert_int_equal(smeta_setattr(f->m, NULL, VOL, e.attr.ino, &sa, &a), 0);
	assert_int_equal(a.mode, S_IFREG | 04711);
	assert_int_equal(a.uid, 10);
	assert_int_equal(a.gid, 20);
	assert_int_equal(a.ctime_sec, 2000);
	assert_int_equal(a.ctime_nsec, 5);
	assert_int_equal(a.mtime_sec, 1000);
	assert_int_equal(a.change, 2);
	b = attr_of(f, e.attr.ino);
	assert_memory_equal(&a, &b, sizeof(a));

	/* type bits must be absent or match */
	sa.valid = SEALFS_SA_MODE;
	sa.mode = S_IFREG | 0600;
	assert_int_equal(smeta_setattr(f->m, NULL, VOL, e.attr.ino, &sa, &a), 0);
	sa.mode = S_IFDIR | 0600;
	assert_int_equal(smeta_setattr(f->m, NULL, VOL, e.attr.ino, &sa, &a),
			 -EINVAL);

	/* size: regular files only; sets mtime when it changes */
	f->clock.tv_sec = 3000;
	sa.valid = SEALFS_SA_SIZE;
	sa.size = 1 << 20;
	assert_int_equal(smeta_setattr(f->m, NULL, VOL, e.attr.ino, &sa, &a), 0);
	assert_int_equal(a.size, 1 << 20);
	assert_int_equal(a.mtime_sec, 3000);
	assert_int_equal(smeta_setattr(f->m, NULL, VOL, d.attr.ino, &sa, &a),
			 -EISDIR);
	assert_int_equal(smeta_setattr(f->m, NULL, VOL, l.attr.ino, &sa, &a),
			 -EINVAL);
	sa.size = (u64)INT64_MAX + 1;
	assert_int_equal(smeta_setattr(f->m, NULL, VOL, e.attr.ino, &sa, &a),
			 -EFBIG);
	/* SIZE_EXTEND only grows, and leaves mtime */
	f->clock.tv_sec = 4000;
	sa.valid = SEALFS_SA_SIZE_EXTEND;
	sa.size = 100;
	assert_int_equal(smeta_setattr(f->m, NULL, VOL, e.attr.ino, &sa, &a), 0);
	assert_int_equal(a.size, 1 << 20);
	sa.size = 5u << 20;
	assert_int_equal(smeta_setattr(f->m, NULL, VOL, e.attr.ino, &sa, &a), 0);
	assert_int_equal(a.size, 5u << 20);
	assert_int_equal(a.mtime_sec, 3000);
	assert_int_equal(a.ctime_sec, 4000);

	/* times, given and now */
	sa.valid = SEALFS_SA_ATIME | SEALFS_SA_MTIME;
	sa.atime_sec = -5;
	sa.atime_nsec = 999999999;
	sa.mtime_sec = 77;
	sa.mtime_nsec = 1;
	assert_int_equal(smeta_setattr(f->m, NULL, VOL, e.attr.ino, &sa, &a), 0);
	assert_int_equal(a.atime_sec, -5);
	assert_int_equal(a.atime_nsec, 999999999);
	assert_int_equal(a.mtime_sec, 77);
	assert_int_equal(a.mtime_nsec, 1);
	sa.valid = SEALFS_SA_ATIME_NOW | SEALFS_SA_MTIME_NOW;
	assert_int_equal(smeta_setattr(f->m, NULL, VOL, e.attr.ino, &sa, &a), 0);
	assert_int_equal(a.atime_sec, 4000);
	assert_int_equal(a.mtime_sec, 4000);
	/* an explicit mtime wins over the size rule */
	sa.valid = SEALFS_SA_SIZE | SEALFS_SA_MTIME;
	sa.size = 1;
	sa.mtime_sec = 9;
	sa.mtime_nsec = 0;
	assert_int_equal(smeta_setattr(f->m, NULL, VOL, e.attr.ino, &sa, &a), 0);
	assert_int_equal(a.mtime_sec, 9);
	assert_int_equal(a.size, 1);

	/* bad requests change nothing */
	b = attr_of(f, e.attr.ino);
	sa.valid = SEALFS_SA_ATIME;
	sa.atime_nsec = 1000000000;
	assert_int_equal(smeta_setattr(f->m, NULL, VOL, e.attr.ino, &sa, &a),
			 -EINVAL);
	sa.valid = SEALFS_SA_MTIME;
	sa.mtime_nsec = 1000000000;
	assert_int_equal(smeta_setattr(f->m, NULL, VOL, e.attr.ino, &sa, &a),
			 -EINVAL);
	sa.mtime_nsec = 0;
	sa.valid = SEALFS_SA_MTIME | SEALFS_SA_MTIME_NOW;
	assert_int_equal(smeta_setattr(f->m, NULL, VOL, e.attr.ino, &sa, &a),
			 -EINVAL);
	sa.valid = SEALFS_SA_ATIME | SEALFS_SA_ATIME_NOW;
	assert_int_equal(smeta_setattr(f->m, NULL, VOL, e.attr.ino, &sa, &a),
			 -EINVAL);
	sa.valid = SEALFS_SA_SIZE | SEALFS_SA_SIZE_EXTEND;
	assert_int_equal(smeta_setattr(f->m, NULL, VOL, e.attr.ino, &sa, &a),
			 -EINVAL);
	sa.valid = 0x200;
	assert_int_equal(smeta_setattr(f->m, NULL, VOL, e.attr.ino, &sa, &a),
			 -EINVAL);
	sa.valid = SEALFS_SA_MODE;
	sa.mode = 0x100000;
	assert_int_equal(smeta_setattr(f->m, NULL, VOL, e.attr.ino, &sa, &a),
			 -EINVAL);
	a = attr_of(f, e.attr.ino);
	assert_memory_equal(&a, &b, sizeof(a));

	/* nothing valid: no change at all */
	sa.valid = 0;
	assert_int_equal(smeta_setattr(f->m, NULL, VOL, e.attr.ino, &sa, &a), 0);
	assert_memory_equal(&a, &b, sizeof(a));
	/* blocks, for the server's own accounting */
	sa.valid = SMETA_SA_BLOCKS;
	sa.blocks = 88;
	assert_int_equal(smeta_setattr(f->m, NULL, VOL, e.attr.ino, &sa, NULL),
			 0);
	assert_int_equal(attr_of(f, e.attr.ino).blocks, 88);
	assert_int_equal(attr_of(f, e.attr.ino).change, b.change + 1);

	sa.valid = SEALFS_SA_UID;
	assert_int_equal(smeta_setattr(f->m, NULL, VOL, e.attr.ino + 1000, &sa,
				       &a), -ESTALE);
}

/* ---- link and unlink ---- */

static void test_link_unlink(void **state)
{
	struct fx *f = *state;
	struct smeta_entry e, d, l, x;
	struct smeta_usage u0, u;

	e = mk(f, ROOT, "f", S_IFREG | 0644);
	d = mk(f, ROOT, "d", S_IFDIR | 0755);
	assert_int_equal(smeta_usage_get(f->m, VOL, &u0), 0);
	f->clock.tv_sec = 5000;
	assert_int_equal(smeta_link(f->m, NULL, VOL, e.attr.ino, 0, d.attr.ino,
				    "g", 1, &l), 0);
	assert_int_equal(l.flags, SEALFS_EF_ATTR);
	assert_int_equal(l.result, 0);
	assert_int_equal(l.attr.ino, e.attr.ino);
	assert_int_equal(l.attr.nlink, 2);
	assert_int_equal(l.attr.ctime_sec, 5000);
	assert_true(l.cookie > 0);
	assert_int_equal(lookup(f, d.attr.ino, "g", &x), 0);
	assert_int_equal(x.attr.ino, e.attr.ino);
	assert_int_equal(x.attr.nlink, 2);

	assert_int_equal(smeta_link(f->m, NULL, VOL, e.attr.ino, 0, d.attr.ino,
				    "g", 1, &l), -EEXIST);
	assert_int_equal(smeta_link(f->m, NULL, VOL, d.attr.ino, 0, ROOT, "d2",
				    2, &l), -EPERM);
	assert_int_equal(smeta_link(f->m, NULL, VOL, e.attr.ino + 500, 0, ROOT,
				    "gone", 4, &l), -ESTALE);
	assert_int_equal(smeta_link(f->m, NULL, VOL, e.attr.ino, 0, e.attr.ino,
				    "in-a-file", 9, &l), -ENOTDIR);
	assert_int_equal(attr_of(f, e.attr.ino).nlink, 2);

	assert_int_equal(smeta_unlink(f->m, NULL, VOL, ROOT, "f", 1, &x), 0);
	assert_int_equal(x.flags, SEALFS_EF_ATTR);
	assert_int_equal(x.result, 0);
	assert_int_equal(x.attr.nlink, 1);
	assert_int_equal(lookup(f, ROOT, "f", &x), -ENOENT);
	assert_int_equal(attr_of(f, e.attr.ino).nlink, 1);
	assert_int_equal(smeta_xattr_set(f->m, NULL, VOL, e.attr.ino, "user.x",
					 6, "1", 1, 0), 0);
	assert_int_equal(smeta_unlink(f->m, NULL, VOL, d.attr.ino, "g", 1, &x),
			 0);
	assert_int_equal(x.result, SMETA_RES_DESTROYED);
	assert_int_equal(x.attr.nlink, 0);
	assert_int_equal(smeta_getattr(f->m, VOL, e.attr.ino, &x.attr),
			 -ESTALE);
	assert_int_equal(smeta_usage_get(f->m, VOL, &u), 0);
	assert_int_equal(u.inodes, u0.inodes - 1);
	assert_int_equal(unlink_(f, ROOT, "f"), -ENOENT);
	assert_int_equal(unlink_(f, ROOT, "d"), -EISDIR);
}

static void test_link_remote_inode(void **state)
{
	struct fx *f = *state;
	const u64 rino = REMOTE_BIT | 4242;
	struct smeta_entry l, x;
	struct smeta_usage u0, u;

	assert_int_equal(smeta_usage_get(f->m, VOL, &u0), 0);
	assert_int_equal(smeta_link(f->m, NULL, VOL, rino, S_IFREG | 0644, ROOT,
				    "r", 1, &l), 0);
	assert_int_equal(l.flags, 0);
	assert_int_equal(l.result, SMETA_RES_INODE_REMOTE);
	assert_int_equal(l.nlink_delta, 1);
	assert_int_equal(l.attr.ino, rino);
	assert_int_equal(l.attr.mode, S_IFREG);
	assert_int_equal(lookup(f, ROOT, "r", &x), 0);
	assert_int_equal(x.flags, 0);	/* no attributes: held elsewhere */
	assert_int_equal(x.attr.ino, rino);
	assert_int_equal(x.attr.mode, S_IFREG);
	assert_int_equal(smeta_link(f->m, NULL, VOL, rino, S_IFDIR, ROOT, "rd",
				    2, &l), -EPERM);
	assert_int_equal(smeta_link(f->m, NULL, VOL, rino, 0, ROOT, "r0", 2,
				    &l), -EINVAL);
	assert_int_equal(smeta_unlink(f->m, NULL, VOL, ROOT, "r", 1, &x), 0);
	assert_int_equal(x.result, SMETA_RES_INODE_REMOTE);
	assert_int_equal(x.nlink_delta, -1);
	assert_int_equal(x.flags, 0);
	assert_int_equal(x.attr.ino, rino);
	assert_int_equal(smeta_usage_get(f->m, VOL, &u), 0);
	assert_int_equal(u.inodes, u0.inodes);
}

static void test_inode_update(void **state)
{
	struct fx *f = *state;
	struct smeta_entry e, d, x;
	struct smeta_attr a;

	e = mk(f, ROOT, "f", S_IFREG | 0644);
	d = mk(f, ROOT, "d", S_IFDIR | 0755);
	f->clock.tv_sec = 7000;
	assert_int_equal(smeta_inode_update(f->m, NULL, VOL, e.attr.ino,
					    SEALFS_IU_NLINK, 3, 0, &x), 0);
	assert_int_equal(x.attr.nlink, 4);
	assert_int_equal(x.attr.ctime_sec, 7000);
	assert_int_equal(x.flags, SEALFS_EF_ATTR);
	assert_int_equal(x.result, 0);
	assert_int_equal(smeta_inode_update(f->m, NULL, VOL, e.attr.ino,
					    SEALFS_IU_PARENT, 0, 9, &x),
			 -ENOTDIR);
	assert_int_equal(smeta_inode_update(f->m, NULL, VOL, e.attr.ino, 0, 1,
					    0, &x), -EINVAL);
	assert_int_equal(smeta_inode_update(f->m, NULL, VOL, e.attr.ino, 0x4, 1,
					    0, &x), -EINVAL);
	assert_int_equal(smeta_inode_update(f->m, NULL, VOL, e.attr.ino + 77,
					    SEALFS_IU_NLINK, 1, 0, &x),
			 -ESTALE);
	/* link count limit */
	assert_int_equal(smeta_inode_update(f->m, NULL, VOL, e.attr.ino,
					    SEALFS_IU_NLINK,
					    (s32)SMETA_LINK_MAX - 4, 0, &x), 0);
	assert_int_equal(x.attr.nlink, SMETA_LINK_MAX);
	assert_int_equal(smeta_link(f->m, NULL, VOL, e.attr.ino, 0, ROOT, "g",
				    1, &x), -EMLINK);
	assert_int_equal(smeta_inode_update(f->m, NULL, VOL, e.attr.ino,
					    SEALFS_IU_NLINK, 1, 0, &x),
			 -EMLINK);
	/* the last link goes: the inode goes */
	assert_int_equal(smeta_inode_update(f->m, NULL, VOL, e.attr.ino,
					    SEALFS_IU_NLINK,
					    -(s32)SMETA_LINK_MAX - 5, 0, &x), 0);
	assert_int_equal(x.result, SMETA_RES_DESTROYED);
	assert_int_equal(x.attr.nlink, 0);
	assert_int_equal(smeta_getattr(f->m, VOL, e.attr.ino, &a), -ESTALE);

	/* a directory: new parent; -1 keeps at least 2; -2 removes it */
	assert_int_equal(smeta_inode_update(f->m, NULL, VOL, d.attr.ino,
					    SEALFS_IU_PARENT | SEALFS_IU_NLINK,
					    1, REMOTE_BIT | 5, &x), 0);
	assert_int_equal(x.attr.parent, REMOTE_BIT | 5);
	assert_int_equal(x.attr.nlink, 3);
	assert_int_equal(smeta_inode_update(f->m, NULL, VOL, d.attr.ino,
					    SEALFS_IU_NLINK, -1, 0, &x), 0);
	assert_int_equal(smeta_inode_update(f->m, NULL, VOL, d.attr.ino,
					    SEALFS_IU_NLINK, -1, 0, &x), 0);
	assert_int_equal(x.attr.nlink, 2);
	assert_int_equal(attr_of(f, d.attr.ino).parent, REMOTE_BIT | 5);
	assert_int_equal(smeta_inode_update(f->m, NULL, VOL, d.attr.ino,
					    SEALFS_IU_NLINK, -2, 0, &x), 0);
	assert_int_equal(x.result, SMETA_RES_DESTROYED);
	assert_int_equal(smeta_getattr(f->m, VOL, d.attr.ino, &a), -ESTALE);
}

/* ---- extended attributes ---- */

static void test_xattr(void **state)
{
	struct fx *f = *state;
	static char big[SEALFS_XATTR_SIZE_MAX + 1];
	char buf[64], name[SEALFS_XATTR_NAME_MAX + 1];
	struct smeta_entry e;
	struct smeta_attr a;
	u64 ino, gone;
	u32 size;

	e = mk(f, ROOT, "f", S_IFREG | 0644);
	ino = e.attr.ino;
	gone = ino + 1000;
	f->clock.tv_sec = 8000;
	assert_int_equal(smeta_xattr_set(f->m, NULL, VOL, ino, "user.b", 6,
					 "hello", 5, 0), 0);
	assert_int_equal(attr_of(f, ino).ctime_sec, 8000);
	assert_int_equal(attr_of(f, ino).change, 2);
	assert_int_equal(smeta_xattr_set(f->m, NULL, VOL, ino, "user.a", 6,
					 "", 0, SEALFS_XF_CREATE), 0);
	assert_int_equal(smeta_xattr_get(f->m, VOL, ino, "user.b", 6, buf,
					 sizeof(buf), &size), 0);
	assert_int_equal(size, 5);
	assert_memory_equal(buf, "hello", 5);
	assert_int_equal(smeta_xattr_get(f->m, VOL, ino, "user.b", 6, NULL, 0,
					 &size), 0);
	assert_int_equal(size, 5);
	assert_int_equal(smeta_xattr_get(f->m, VOL, ino, "user.b", 6, buf, 4,
					 &size), -ERANGE);
	assert_int_equal(size, 5);
	assert_int_equal(smeta_xattr_get(f->m, VOL, ino, "user.a", 6, buf,
					 sizeof(buf), &size), 0);
	assert_int_equal(size, 0);
	assert_int_equal(smeta_xattr_get(f->m, VOL, ino, "user.c", 6, buf,
					 sizeof(buf), &size), -ENODATA);

	/* create and replace flags */
	assert_int_equal(smeta_xattr_set(f->m, NULL, VOL, ino, "user.b", 6, "x",
					 1, SEALFS_XF_CREATE), -EEXIST);
	assert_int_equal(smeta_xattr_set(f->m, NULL, VOL, ino, "user.c", 6, "x",
					 1, SEALFS_XF_REPLACE), -ENODATA);
	assert_int_equal(smeta_xattr_set(f->m, NULL, VOL, ino, "user.b", 6, "x",
					 1, SEALFS_XF_CREATE |
					 SEALFS_XF_REPLACE), -EINVAL);
	assert_int_equal(smeta_xattr_set(f->m, NULL, VOL, ino, "user.b", 6, "x",
					 1, 0x4), -EINVAL);
	assert_int_equal(smeta_xattr_set(f->m, NULL, VOL, ino, "user.b", 6,
					 "bye", 3, SEALFS_XF_REPLACE), 0);
	assert_int_equal(smeta_xattr_get(f->m, VOL, ino, "user.b", 6, buf,
					 sizeof(buf), &size), 0);
	assert_int_equal(size, 3);
	assert_memory_equal(buf, "bye", 3);

	/* list: names in byte order, each with a NUL */
	assert_int_equal(smeta_xattr_list(f->m, VOL, ino, NULL, 0, &size), 0);
	assert_int_equal(size, 14);
	assert_int_equal(smeta_xattr_list(f->m, VOL, ino, buf, sizeof(buf),
					  &size), 0);
	assert_int_equal(size, 14);
	assert_memory_equal(buf, "user.a\0user.b\0", 14);
	assert_int_equal(smeta_xattr_list(f->m, VOL, ino, buf, 13, &size),
			 -ERANGE);
	assert_int_equal(size, 14);

	/* remove */
	assert_int_equal(smeta_xattr_remove(f->m, NULL, VOL, ino, "user.a", 6),
			 0);
	assert_int_equal(smeta_xattr_remove(f->m, NULL, VOL, ino, "user.a", 6),
			 -ENODATA);
	assert_int_equal(smeta_xattr_list(f->m, VOL, ino, buf, sizeof(buf),
					  &size), 0);
	assert_int_equal(size, 7);
	assert_memory_equal(buf, "user.b\0", 7);

	/* limits */
	memset(name, 'n', sizeof(name));
	assert_int_equal(smeta_xattr_set(f->m, NULL, VOL, ino, name,
					 SEALFS_XATTR_NAME_MAX + 1, "x", 1, 0),
			 -ENAMETOOLONG);
	assert_int_equal(smeta_xattr_get(f->m, VOL, ino, name,
					 SEALFS_XATTR_NAME_MAX + 1, buf,
					 sizeof(buf), &size), -ENAMETOOLONG);
	assert_int_equal(smeta_xattr_remove(f->m, NULL, VOL, ino, name,
					    SEALFS_XATTR_NAME_MAX + 1),
			 -ENAMETOOLONG);
	assert_int_equal(smeta_xattr_set(f->m, NULL, VOL, ino, name,
					 SEALFS_XATTR_NAME_MAX, "x", 1, 0), 0);
	assert_int_equal(smeta_xattr_set(f->m, NULL, VOL, ino, "", 0, "x", 1,
					 0), -EINVAL);
	assert_int_equal(smeta_xattr_get(f->m, VOL, ino, "a\0b", 3, buf,
					 sizeof(buf), &size), -EINVAL);
	memset(big, 'v', sizeof(big));
	assert_int_equal(smeta_xattr_set(f->m, NULL, VOL, ino, "user.big", 8,
					 big, SEALFS_XATTR_SIZE_MAX + 1, 0),
			 -E2BIG);
	assert_int_equal(smeta_xattr_set(f->m, NULL, VOL, ino, "user.big", 8,
					 big, SEALFS_XATTR_SIZE_MAX, 0), 0);
	assert_int_equal(smeta_xattr_get(f->m, VOL, ino, "user.big", 8, NULL,
					 0, &size), 0);
	assert_int_equal(size, SEALFS_XATTR_SIZE_MAX);

	/* a missing inode */
	assert_int_equal(smeta_xattr_get(f->m, VOL, gone, "user.b", 6, buf,
					 sizeof(buf), &size), -ESTALE);
	assert_int_equal(smeta_xattr_set(f->m, NULL, VOL, gone, "user.b", 6,
					 "x", 1, 0), -ESTALE);
	assert_int_equal(smeta_xattr_list(f->m, VOL, gone, buf, sizeof(buf),
					  &size), -ESTALE);
	assert_int_equal(smeta_xattr_remove(f->m, NULL, VOL, gone, "user.b", 6),
			 -ESTALE);
	assert_int_equal(smeta_getattr(f->m, VOL, ino, &a), 0);
}

static void test_xattr_list_limit(void **state)
{
	struct fx *f = *state;
	char name[SEALFS_XATTR_NAME_MAX];
	struct smeta_entry e;
	u32 i, size;

	f->nosync = true;
	e = mk(f, ROOT, "f", S_IFREG | 0644);
	memset(name, 'n', sizeof(name));
	/* 256 names of 255 bytes and a NUL fill the list exactly */
	for (i = 0; i < SEALFS_XATTR_LIST_MAX / (SEALFS_XATTR_NAME_MAX + 1);
	     i++) {
		snprintf(name, sizeof(name), "%05u", i);
		name[5] = 'n';
		assert_int_equal(smeta_xattr_set(f->m, NULL, VOL, e.attr.ino,
						 name, sizeof(name), "", 0, 0),
				 0);
	}
	assert_int_equal(smeta_xattr_list(f->m, VOL, e.attr.ino, NULL, 0,
					  &size), 0);
	assert_int_equal(size, SEALFS_XATTR_LIST_MAX);
	assert_int_equal(smeta_xattr_set(f->m, NULL, VOL, e.attr.ino, "u", 1,
					 "", 0, 0), -E2BIG);
	/* replacing an existing one is still fine */
	assert_int_equal(smeta_xattr_set(f->m, NULL, VOL, e.attr.ino, name,
					 sizeof(name), "new", 3, 0), 0);
}

/* Scans the raw LevelDB for keys starting with @tag. */
static size_t raw_count(const char *dir, char tag)
{
	leveldb_options_t *o = leveldb_options_create();
	leveldb_readoptions_t *ro = leveldb_readoptions_create();
	leveldb_iterator_t *it;
	const char *k;
	char *err = NULL;
	leveldb_t *db;
	size_t n = 0, kl;

	db = leveldb_open(o, dir, &err);
	assert_null(err);
	it = leveldb_create_iterator(db, ro);
	for (leveldb_iter_seek(it, &tag, 1); leveldb_iter_valid(it);
	     leveldb_iter_next(it)) {
		k = leveldb_iter_key(it, &kl);
		if (k[0] != tag)
			break;
		n++;
	}
	leveldb_iter_destroy(it);
	leveldb_close(db);
	leveldb_readoptions_destroy(ro);
	leveldb_options_destroy(o);
	return n;
}

static void test_destroy_drops_xattrs(void **state)
{
	struct fx *f = *state;
	struct smeta_entry e;

	e = mk(f, ROOT, "f", S_IFREG | 0644);
	assert_int_equal(smeta_xattr_set(f->m, NULL, VOL, e.attr.ino, "user.1",
					 6, "a", 1, 0), 0);
	assert_int_equal(smeta_xattr_set(f->m, NULL, VOL, e.attr.ino, "user.2",
					 6, "b", 1, 0), 0);
	smeta_close(f->m);
	f->m = NULL;
	assert_int_equal(raw_count(f->dir, 'X'), 2);
	fx_open(f);
	assert_int_equal(unlink_(f, ROOT, "f"), 0);
	smeta_close(f->m);
	f->m = NULL;
	assert_int_equal(raw_count(f->dir, 'X'), 0);
	assert_int_equal(raw_count(f->dir, 'I'), 1);	/* the root */
	assert_int_equal(raw_count(f->dir, 'D'), 0);
	assert_int_equal(raw_count(f->dir, 'R'), 0);
	fx_open(f);
}

/* ---- readdir ---- */

struct rd {
	u64 *cookies;
	u32 *seen;		/* per index, from the name "e%05u" */
	size_t n;		/* entries taken */
	size_t limit;		/* stop after this many (1 = one per call) */
	size_t cap;
	u64 last;		/* cookie of the last entry taken */
	u32 with_attr;
	char first[SEALFS_NAME_MAX + 1];
};

static int rd_take(void *arg, const struct smeta_entry *e, const char *name,
		   u32 len)
{
	struct rd *r = arg;
	unsigned long idx;

	if (r->limit && r->n >= r->limit)
		return 1;
	if (r->cookies && r->n < r->cap)
		r->cookies[r->n] = e->cookie;
	if (!r->n) {
		memcpy(r->first, name, len);
		r->first[len] = '\0';
	}
	if (r->seen && len == 6 && name[0] == 'e') {
		char num[6];

		memcpy(num, name + 1, 5);	/* names are not terminated */
		num[5] = '\0';
		idx = strtoul(num, NULL, 10);
		if (idx < r->cap)
			r->seen[idx]++;
	}
	if (e->flags & SEALFS_EF_ATTR)
		r->with_attr++;
	assert_true(e->cookie > r->last);	/* cookie order */
	r->last = e->cookie;
	r->n++;
	return 0;
}

static void test_readdir_basic(void **state)
{
	struct fx *f = *state;
	struct rd r = { 0 };
	struct smeta_entry d, x;
	bool eof;

	d = mk(f, ROOT, "d", S_IFDIR | 0755);
	assert_int_equal(smeta_readdir(f->m, VOL, d.attr.ino, 0, rd_take, &r,
				       &eof), 0);
	assert_true(eof);
	assert_int_equal(r.n, 0);
	mk(f, d.attr.ino, "a", S_IFREG | 0644);
	mk(f, d.attr.ino, "b", S_IFDIR | 0755);
	assert_int_equal(smeta_link(f->m, NULL, VOL, REMOTE_BIT | 1, S_IFREG,
				    d.attr.ino, "c", 1, &x), 0);
	assert_int_equal(smeta_readdir(f->m, VOL, d.attr.ino, 0, rd_take, &r,
				       &eof), 0);
	assert_true(eof);
	assert_int_equal(r.n, 3);
	assert_int_equal(r.with_attr, 2);	/* c's inode is elsewhere */
	assert_string_equal(r.first, "a");

	/* a full reply: stop before an entry; it comes next time */
	memset(&r, 0, sizeof(r));
	r.limit = 2;
	assert_int_equal(smeta_readdir(f->m, VOL, d.attr.ino, 0, rd_take, &r,
				       &eof), 0);
	assert_false(eof);
	assert_int_equal(r.n, 2);
	{
		u64 c = r.last;

		memset(&r, 0, sizeof(r));
		r.limit = 1;
		assert_int_equal(smeta_readdir(f->m, VOL, d.attr.ino, c,
					       rd_take, &r, &eof), 0);
		/* the last entry was taken and nothing follows */
		assert_true(eof);
		assert_string_equal(r.first, "c");
		assert_int_equal(smeta_readdir(f->m, VOL, d.attr.ino, r.last,
					       rd_take, &r, &eof), 0);
		assert_true(eof);
		assert_int_equal(smeta_readdir(f->m, VOL, d.attr.ino,
					       UINT64_MAX, rd_take, &r, &eof),
				 0);
		assert_true(eof);
	}
	x = mk(f, ROOT, "file", S_IFREG);
	assert_int_equal(smeta_readdir(f->m, VOL, x.attr.ino, 0, rd_take, &r,
				       &eof), -ENOTDIR);
	/* a directory held elsewhere: only this server's slice */
	memset(&r, 0, sizeof(r));
	assert_int_equal(smeta_readdir(f->m, VOL, REMOTE_BIT | 3, 0, rd_take,
				       &r, &eof), 0);
	assert_true(eof);
	assert_int_equal(r.n, 0);
}

static int rd_fail(void *arg, const struct smeta_entry *e, const char *name,
		   u32 len)
{
	(void)arg, (void)e, (void)name, (void)len;
	return -EMSGSIZE;
}

static void test_readdir_callback_error(void **state)
{
	struct fx *f = *state;
	bool eof;

	mk(f, ROOT, "a", S_IFREG);
	assert_int_equal(smeta_readdir(f->m, VOL, ROOT, 0, rd_fail, NULL, &eof),
			 -EMSGSIZE);
	assert_false(eof);
}

static void make_big_dir(struct fx *f, u64 dir, u32 n)
{
	struct smeta_create_args a = { .mode = S_IFREG | 0644,
				       .flags = SEALFS_CF_EXCL };
	struct smeta_entry e;
	char name[16];
	u32 i;

	for (i = 0; i < n; i++) {
		snprintf(name, sizeof(name), "e%05u", i);
		assert_int_equal(smeta_create(f->m, NULL, VOL, dir, name, 6, &a,
					      &e), 0);
	}
}

/* READDIR from @cookie returns @n entries and reaches the end. */
static void check_suffix(struct fx *f, u64 cookie, size_t n)
{
	struct rd r = { 0 };
	bool eof;

	assert_int_equal(smeta_readdir(f->m, VOL, ROOT, cookie, rd_take, &r,
				       &eof), 0);
	assert_true(eof);
	assert_int_equal(r.n, n);
}

static void test_readdir_10000_every_cookie(void **state)
{
	struct fx *f = *state;
	struct rd r = { 0 };
	u64 *cookies, c;
	u32 *seen, i;
	size_t n;
	bool eof;

	f->nosync = true;
	cookies = calloc(BIG_N, sizeof(*cookies));
	seen = calloc(BIG_N, sizeof(*seen));
	assert_non_null(cookies);
	assert_non_null(seen);
	make_big_dir(f, ROOT, BIG_N);

	/* one entry per call, resuming from each cookie in turn */
	c = 0;
	n = 0;
	do {
		memset(&r, 0, sizeof(r));
		r.limit = 1;
		r.seen = seen;
		r.cap = BIG_N;
		assert_int_equal(smeta_readdir(f->m, VOL, ROOT, c, rd_take, &r,
					       &eof), 0);
		if (r.n) {
			assert_true(n < BIG_N);
			cookies[n++] = r.last;
			c = r.last;
		}
	} while (!eof);
	assert_int_equal(n, BIG_N);
	for (i = 0; i < BIG_N; i++)
		assert_int_equal(seen[i], 1);

	/* from a cookie: exactly the entries after it (a sample, and the last) */
	for (i = 0; i < BIG_N; i += 211)
		check_suffix(f, cookies[i], BIG_N - 1 - i);
	check_suffix(f, cookies[BIG_N - 1], 0);
	free(cookies);
	free(seen);
}

/* Reads pages of @page entries; between pages, deletes and creates. */
static void test_readdir_with_changes(void **state)
{
	struct fx *f = *state;
	enum { PAGE = 100, DEL = 20, ADD = 10, MAXN = BIG_N + 2000 };
	struct smeta_create_args a = { .mode = S_IFREG | 0644,
				       .flags = SEALFS_CF_EXCL };
	u32 *seen = calloc(MAXN, sizeof(u32));
	bool *alive = calloc(MAXN, sizeof(bool));
	bool *no_see = calloc(MAXN, sizeof(bool));
	struct smeta_entry e;
	struct rd r;
	u32 next = BIG_N, i, k, idx;
	u64 c = 0, rng = 12345;
	char name[16];
	bool eof;

	assert_non_null(seen);
	assert_non_null(alive);
	assert_non_null(no_see);
	f->nosync = true;
	make_big_dir(f, ROOT, BIG_N);
	for (i = 0; i < BIG_N; i++)
		alive[i] = true;
	do {
		memset(&r, 0, sizeof(r));
		r.limit = PAGE;
		r.seen = seen;
		r.cap = MAXN;
		assert_int_equal(smeta_readdir(f->m, VOL, ROOT, c, rd_take, &r,
					       &eof), 0);
		if (eof)
			break;
		c = r.last;
		for (k = 0; k < DEL; k++) {
			rng = rng * 6364136223846793005ull + 1442695040888963407ull;
			idx = (u32)((rng >> 33) % next);
			if (!alive[idx])
				continue;
			snprintf(name, sizeof(name), "e%05u", idx);
			assert_int_equal(unlink_(f, ROOT, name), 0);
			alive[idx] = false;
			if (!seen[idx])
				no_see[idx] = true;
		}
		for (k = 0; k < ADD && next < MAXN; k++, next++) {
			snprintf(name, sizeof(name), "e%05u", next);
			assert_int_equal(smeta_create(f->m, NULL, VOL, ROOT,
						      name, 6, &a, &e), 0);
			alive[next] = true;
		}
	} while (true);
	for (i = 0; i < next; i++) {
		assert_true(seen[i] <= 1);
		if (no_see[i])
			assert_int_equal(seen[i], 0);
		if (alive[i])
			assert_int_equal(seen[i], 1);
	}
	free(seen);
	free(alive);
	free(no_see);
}

static void test_cookies_stable_after_reopen(void **state)
{
	struct fx *f = *state;
	enum { N = 100 };
	u64 before[N], after[N], maxc;
	struct smeta_entry e;
	struct rd r = { 0 };
	char name[16];
	bool eof;
	u32 i;

	make_big_dir(f, ROOT, N);
	r.cookies = before;
	r.cap = N;
	assert_int_equal(smeta_readdir(f->m, VOL, ROOT, 0, rd_take, &r, &eof),
			 0);
	assert_int_equal(r.n, N);
	maxc = r.last;
	/* drop the newest entries: their cookies must not come back */
	for (i = N - 10; i < N; i++) {
		snprintf(name, sizeof(name), "e%05u", i);
		assert_int_equal(unlink_(f, ROOT, name), 0);
	}
	fx_reopen(f);
	memset(&r, 0, sizeof(r));
	r.cookies = after;
	r.cap = N;
	assert_int_equal(smeta_readdir(f->m, VOL, ROOT, 0, rd_take, &r, &eof),
			 0);
	assert_int_equal(r.n, N - 10);
	assert_memory_equal(before, after, (N - 10) * sizeof(u64));
	/* resuming from a cookie handed out before the reopen */
	memset(&r, 0, sizeof(r));
	assert_int_equal(smeta_readdir(f->m, VOL, ROOT, before[49], rd_take,
				       &r, &eof), 0);
	assert_int_equal(r.n, N - 10 - 50);
	e = mk(f, ROOT, "new", S_IFREG);
	assert_true(e.cookie > maxc);
	assert_int_equal(lookup(f, ROOT, "e00003", &e), 0);
	assert_int_equal(e.cookie, before[3]);
}

static void test_readdir_entries_with_attrs(void **state)
{
	struct fx *f = *state;
	struct smeta_entry d;
	struct rd r = { 0 };
	bool eof;

	f->owns_mod = 2;	/* half the new inodes are elsewhere ... */
	d = mk(f, ROOT, "d", S_IFDIR | 0755);
	make_big_dir(f, d.attr.ino, 50);
	f->owns_mod = 0;
	assert_int_equal(smeta_readdir(f->m, VOL, d.attr.ino, 0, rd_take, &r,
				       &eof), 0);
	/* ... but create only picks numbers it holds: all have attributes */
	assert_int_equal(r.n, 50);
	assert_int_equal(r.with_attr, 50);
}

/* ---- persistence ---- */

static void test_persistence(void **state)
{
	struct fx *f = *state;
	struct smeta_entry e, d, s, l, x;
	struct smeta_attr before[4], after;
	struct smeta_setattr sa = { .valid = SEALFS_SA_SIZE | SEALFS_SA_UID,
				    .size = 4096, .uid = 77 };
	struct smeta_usage u, u2;
	char buf[16];
	u32 len;
	int i;

	e = mk(f, ROOT, "f", S_IFREG | 0644);
	d = mk(f, ROOT, "d", S_IFDIR | 0755);
	assert_int_equal(smeta_symlink(f->m, NULL, VOL, d.attr.ino, "s", 1,
				       "target", 6, 0, 0, 0, &s), 0);
	assert_int_equal(smeta_link(f->m, NULL, VOL, e.attr.ino, 0, d.attr.ino,
				    "f2", 2, &l), 0);
	assert_int_equal(smeta_setattr(f->m, NULL, VOL, e.attr.ino, &sa, NULL),
			 0);
	assert_int_equal(smeta_xattr_set(f->m, NULL, VOL, d.attr.ino, "user.k",
					 6, "val", 3, 0), 0);
	mk(f, ROOT, "gone", S_IFREG);
	assert_int_equal(unlink_(f, ROOT, "gone"), 0);
	assert_int_equal(smeta_usage_add(f->m, NULL, VOL, 12345, 0, 0), 0);
	before[0] = attr_of(f, ROOT);
	before[1] = attr_of(f, e.attr.ino);
	before[2] = attr_of(f, d.attr.ino);
	before[3] = attr_of(f, s.attr.ino);
	assert_int_equal(smeta_usage_get(f->m, VOL, &u), 0);

	fx_reopen(f);
	after = attr_of(f, ROOT);
	assert_memory_equal(&after, &before[0], sizeof(after));
	after = attr_of(f, e.attr.ino);
	assert_memory_equal(&after, &before[1], sizeof(after));
	assert_int_equal(after.size, 4096);
	assert_int_equal(after.nlink, 2);
	after = attr_of(f, d.attr.ino);
	assert_memory_equal(&after, &before[2], sizeof(after));
	after = attr_of(f, s.attr.ino);
	assert_memory_equal(&after, &before[3], sizeof(after));
	assert_int_equal(lookup(f, ROOT, "f", &x), 0);
	assert_int_equal(x.attr.ino, e.attr.ino);
	assert_int_equal(lookup(f, d.attr.ino, "f2", &x), 0);
	assert_int_equal(x.cookie, l.cookie);
	assert_int_equal(lookup(f, ROOT, "gone", &x), -ENOENT);
	assert_int_equal(smeta_readlink(f->m, VOL, s.attr.ino, buf, sizeof(buf),
					&len), 0);
	assert_memory_equal(buf, "target", 6);
	assert_int_equal(smeta_xattr_get(f->m, VOL, d.attr.ino, "user.k", 6,
					 buf, sizeof(buf), &len), 0);
	assert_memory_equal(buf, "val", 3);
	assert_int_equal(smeta_usage_get(f->m, VOL, &u2), 0);
	assert_memory_equal(&u, &u2, sizeof(u));
	for (i = 0; i < 2; i++)
		fx_reopen(f);
	assert_int_equal(attr_of(f, e.attr.ino).uid, 77);
}

/*
 * A child process creates entries and reports each one it got 0 for; it is
 * killed at some point. Every reported entry must be in the store.
 */
static void test_killed_process_keeps_acked(void **state)
{
	struct fx *f = *state;
	struct smeta_entry e;
	int p[2], status, n = 0, got;
	char name[16];
	pid_t pid;
	u32 i;

	smeta_close(f->m);
	f->m = NULL;
	assert_int_equal(pipe(p), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		close(p[0]);
		if (smeta_open(&f->o, &f->m))
			_exit(2);
		for (i = 0;; i++) {
			snprintf(name, sizeof(name), "k%06u", i);
			if (create(f, ROOT, name, S_IFREG | 0600,
				   SEALFS_CF_EXCL, &e))
				_exit(3);
			if (write(p[1], &i, sizeof(i)) != sizeof(i))
				_exit(4);
		}
	}
	close(p[1]);
	while (n < 40 && read(p[0], &got, sizeof(got)) == sizeof(got))
		n++;
	kill(pid, SIGKILL);
	while (read(p[0], &got, sizeof(got)) == sizeof(got))
		n++;
	close(p[0]);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFSIGNALED(status));
	assert_true(n >= 40);
	fx_open(f);
	for (i = 0; i < (u32)n; i++) {
		snprintf(name, sizeof(name), "k%06u", i);
		assert_int_equal(lookup(f, ROOT, name, &e), 0);
	}
}

/* ---- inode allocator ---- */

static int cmp_u64(const void *a, const void *b)
{
	const u64 x = *(const u64 *)a, y = *(const u64 *)b;

	return x < y ? -1 : x > y;
}

static void test_ino_alloc(void **state)
{
	struct fx *f = *state;
	enum { N = 2000 };
	u64 *inos = calloc(2 * N, sizeof(u64));
	u32 i;

	assert_non_null(inos);
	f->nosync = true;
	f->owns_mod = 3;
	for (i = 0; i < N; i++) {
		assert_int_equal(smeta_ino_alloc(f->m, NULL, VOL, &inos[i]), 0);
		assert_true(fx_owns(f, VOL, inos[i]));
		assert_int_equal(inos[i] >> SMETA_INO_SEQ_BITS, SERVER_ID);
		if (i)
			assert_true(inos[i] > inos[i - 1]);
	}
	fx_reopen(f);
	for (i = N; i < 2 * N; i++) {
		assert_int_equal(smeta_ino_alloc(f->m, NULL, VOL, &inos[i]), 0);
		assert_true(fx_owns(f, VOL, inos[i]));
		assert_true(inos[i] > inos[N - 1]);
	}
	qsort(inos, 2 * N, sizeof(u64), cmp_u64);
	for (i = 1; i < 2 * N; i++)
		assert_true(inos[i] != inos[i - 1]);
	free(inos);
}

static void test_ino_alloc_failures(void **state)
{
	struct fx *f = *state;
	struct smeta_entry e;
	u64 a, b;

	/* a number taken by a failed create is not handed out again */
	assert_int_equal(smeta_ino_alloc(f->m, NULL, VOL, &a), 0);
	f->fail_err = -EIO;
	f->fail_times = 1;
	assert_int_equal(create(f, ROOT, "x", S_IFREG, 0, &e), -EIO);
	assert_int_equal(create(f, ROOT, "x", S_IFREG, 0, &e), 0);
	assert_true(e.attr.ino > a + 1);
	f->fail_times = 1;
	assert_int_equal(smeta_ino_alloc(f->m, NULL, VOL, &b), -EIO);
	fx_reopen(f);
	assert_int_equal(smeta_ino_alloc(f->m, NULL, VOL, &a), 0);
	assert_true(a > e.attr.ino);

	/* nothing acceptable */
	f->owns_none = true;
	assert_int_equal(smeta_ino_alloc(f->m, NULL, VOL, &a), -EAGAIN);
	assert_int_equal(create(f, ROOT, "y", S_IFREG, 0, &e), -EAGAIN);
	assert_int_equal(lookup(f, ROOT, "y", &e), -ENOENT);
}

/* Sets the stored allocator counter, as if the range were nearly used. */
static void raw_put_ino_next(const char *dir, u64 seq)
{
	leveldb_options_t *o = leveldb_options_create();
	leveldb_writeoptions_t *wo = leveldb_writeoptions_create();
	const char key[] = "Sino_next";
	char *err = NULL;
	leveldb_t *db;
	u64 v = htole64(seq);

	db = leveldb_open(o, dir, &err);
	assert_null(err);
	leveldb_put(db, wo, key, sizeof(key) - 1, (const char *)&v, sizeof(v),
		    &err);
	assert_null(err);
	leveldb_close(db);
	leveldb_writeoptions_destroy(wo);
	leveldb_options_destroy(o);
}

static void test_ino_alloc_range_end(void **state)
{
	struct fx *f = *state;
	u64 ino;

	smeta_close(f->m);
	f->m = NULL;
	raw_put_ino_next(f->dir, (1ull << SMETA_INO_SEQ_BITS) - 1);
	fx_open(f);
	assert_int_equal(smeta_ino_alloc(f->m, NULL, VOL, &ino), 0);
	assert_int_equal(ino, ((u64)SERVER_ID << SMETA_INO_SEQ_BITS) |
				((1ull << SMETA_INO_SEQ_BITS) - 1));
	assert_int_equal(smeta_ino_alloc(f->m, NULL, VOL, &ino), -ENOSPC);
}

/* Two servers placing by one ring never pick the same number. */
static void test_ino_alloc_two_servers(void **state)
{
	struct fx *f = *state;
	const struct sealfs_place_server servers[] = {
		{ .id = SERVER_ID, .weight = 100 },
		{ .id = SERVER_ID + 1, .weight = 100 },
		{ .id = SERVER_ID + 2, .weight = 100 },
	};
	enum { N = 300 };
	struct sealfs_ring ring;
	struct fx *g;
	u64 *inos = calloc(2 * N, sizeof(u64));
	u32 i;

	assert_non_null(inos);
	assert_int_equal(sealfs_ring_build(&ring, servers, 3), 0);
	assert_int_equal(setup((void **)&g), 0);
	f->nosync = g->nosync = true;
	f->ring = g->ring = &ring;
	smeta_close(g->m);
	g->o.server_id = SERVER_ID + 1;
	/* a fresh directory for the second server */
	nftw(g->dir, rm_one, 16, FTW_DEPTH | FTW_PHYS);
	fx_open(g);
	for (i = 0; i < N; i++) {
		assert_int_equal(smeta_ino_alloc(f->m, NULL, VOL, &inos[i]), 0);
		assert_int_equal(smeta_ino_alloc(g->m, NULL, VOL, &inos[N + i]),
				 0);
		assert_int_equal(sealfs_ring_owner(&ring,
				sealfs_key_inode(VOL, inos[i])), SERVER_ID);
		assert_int_equal(sealfs_ring_owner(&ring,
				sealfs_key_inode(VOL, inos[N + i])),
				SERVER_ID + 1);
	}
	qsort(inos, 2 * N, sizeof(u64), cmp_u64);
	for (i = 1; i < 2 * N; i++)
		assert_true(inos[i] != inos[i - 1]);
	teardown((void **)&g);
	sealfs_ring_destroy(&ring);
	free(inos);
}

/* ---- transactions and the replay table ---- */

static void test_replay(void **state)
{
	struct fx *f = *state;
	struct smeta_create_args a = { .mode = S_IFREG | 0644,
				       .flags = SEALFS_CF_EXCL };
	struct smeta_txn *tx;
	struct smeta_entry e;
	char buf[64];
	u32 len;

	assert_int_equal(smeta_txn_begin(f->m, 42, 1, &tx), 0);
	assert_int_equal(smeta_create(f->m, tx, VOL, ROOT, "a", 1, &a, &e), 0);
	/* a second operation in one transaction is refused */
	assert_int_equal(smeta_create(f->m, tx, VOL, ROOT, "b", 1, &a, &e),
			 -EINVAL);
	assert_int_equal(smeta_txn_reply(tx, "reply-1", 7), 0);
	assert_int_equal(smeta_txn_reply(tx, "again", 5), -EINVAL);
	/* not visible before the commit */
	assert_int_equal(lookup(f, ROOT, "a", &e), -ENOENT);
	assert_int_equal(smeta_txn_commit(tx), 0);
	assert_int_equal(lookup(f, ROOT, "a", &e), 0);
	assert_int_equal(smeta_replay_count(f->m), 1);

	/* the retransmission gets the first answer */
	assert_int_equal(smeta_txn_begin(f->m, 42, 1, &tx), -EALREADY);
	assert_int_equal(smeta_replay_get(f->m, 42, 1, buf, sizeof(buf), &len),
			 0);
	assert_int_equal(len, 7);
	assert_memory_equal(buf, "reply-1", 7);
	assert_int_equal(smeta_replay_get(f->m, 42, 1, buf, 6, &len), -ERANGE);
	assert_int_equal(len, 7);
	assert_int_equal(smeta_replay_get(f->m, 42, 2, buf, sizeof(buf), &len),
			 -ENOENT);
	assert_int_equal(smeta_replay_get(f->m, 43, 1, buf, sizeof(buf), &len),
			 -ENOENT);

	/* an error answer is kept as well */
	assert_int_equal(smeta_txn_begin(f->m, 42, 2, &tx), 0);
	assert_int_equal(smeta_create(f->m, tx, VOL, ROOT, "a", 1, &a, &e),
			 -EEXIST);
	assert_int_equal(smeta_txn_reply(tx, "EEXIST", 6), 0);
	assert_int_equal(smeta_txn_commit(tx), 0);
	assert_int_equal(smeta_replay_get(f->m, 42, 2, buf, sizeof(buf), &len),
			 0);
	assert_memory_equal(buf, "EEXIST", 6);

	/* an operation after the reply, bad replies */
	assert_int_equal(smeta_txn_begin(f->m, 42, 3, &tx), 0);
	assert_int_equal(smeta_txn_reply(tx, "", 0), -EINVAL);
	assert_int_equal(smeta_txn_reply(tx, buf, SMETA_REPLY_MAX + 1),
			 -EINVAL);
	assert_int_equal(smeta_txn_reply(tx, "r", 1), 0);
	assert_int_equal(smeta_create(f->m, tx, VOL, ROOT, "c", 1, &a, &e),
			 -EINVAL);
	smeta_txn_abort(tx);
	assert_int_equal(smeta_replay_get(f->m, 42, 3, buf, sizeof(buf), &len),
			 -ENOENT);
	/* no client id: no reply */
	assert_int_equal(smeta_txn_begin(f->m, 0, 3, &tx), 0);
	assert_int_equal(smeta_txn_reply(tx, "r", 1), -EINVAL);
	smeta_txn_abort(tx);

	/* one transaction at a time per thread */
	assert_int_equal(smeta_txn_begin(f->m, 42, 5, &tx), 0);
	{
		struct smeta_txn *tx2;

		assert_int_equal(smeta_txn_begin(f->m, 42, 6, &tx2), -EDEADLK);
		assert_int_equal(create(f, ROOT, "n", S_IFREG, 0, &e),
				 -EDEADLK);
		assert_int_equal(smeta_replay_count(f->m), 2);
	}
	smeta_txn_abort(tx);

	/* an aborted transaction writes nothing */
	assert_int_equal(smeta_txn_begin(f->m, 42, 4, &tx), 0);
	assert_int_equal(smeta_create(f->m, tx, VOL, ROOT, "d", 1, &a, &e), 0);
	smeta_txn_abort(tx);
	assert_int_equal(lookup(f, ROOT, "d", &e), -ENOENT);

	fx_reopen(f);
	assert_int_equal(smeta_replay_count(f->m), 2);
	assert_int_equal(smeta_txn_begin(f->m, 42, 1, &tx), -EALREADY);
	assert_int_equal(smeta_replay_get(f->m, 42, 1, buf, sizeof(buf), &len),
			 0);
	assert_memory_equal(buf, "reply-1", 7);
}

static void replay_put(struct fx *f, u64 client, u64 req, const char *s,
		       u32 len, int want)
{
	struct smeta_txn *tx;

	assert_int_equal(smeta_txn_begin(f->m, client, req, &tx), 0);
	assert_int_equal(smeta_txn_reply(tx, s, len), 0);
	assert_int_equal(smeta_txn_commit(tx), want);
}

static void test_replay_eviction(void **state)
{
	struct fx *f = *state;
	char buf[64], rep[32];
	u32 i, len;

	smeta_close(f->m);
	f->o.replay_entries = 8;
	f->o.replay_bytes = 1000;
	fx_open(f);
	for (i = 1; i <= 20; i++) {
		snprintf(rep, sizeof(rep), "reply %u", i);
		replay_put(f, 7, i, rep, slen(rep), 0);
		assert_true(smeta_replay_count(f->m) <= 8);
	}
	assert_int_equal(smeta_replay_count(f->m), 8);
	for (i = 1; i <= 20; i++) {
		snprintf(rep, sizeof(rep), "reply %u", i);
		if (i <= 12) {
			assert_int_equal(smeta_replay_get(f->m, 7, i, buf,
							  sizeof(buf), &len),
					 -ENOENT);
			continue;
		}
		assert_int_equal(smeta_replay_get(f->m, 7, i, buf, sizeof(buf),
						  &len), 0);
		assert_int_equal(len, slen(rep));
		assert_memory_equal(buf, rep, len);
	}
	/* the bound and the order survive a reopen */
	fx_reopen(f);
	assert_int_equal(smeta_replay_count(f->m), 8);
	replay_put(f, 8, 1, "x", 1, 0);
	assert_int_equal(smeta_replay_get(f->m, 7, 13, buf, sizeof(buf), &len),
			 -ENOENT);
	assert_int_equal(smeta_replay_get(f->m, 7, 14, buf, sizeof(buf), &len),
			 0);
	/* a failed commit changes nothing */
	f->fail_err = -EIO;
	f->fail_times = 1;
	replay_put(f, 8, 2, "y", 1, -EIO);
	assert_int_equal(smeta_replay_count(f->m), 8);
	assert_int_equal(smeta_replay_get(f->m, 8, 2, buf, sizeof(buf), &len),
			 -ENOENT);
	assert_int_equal(smeta_replay_get(f->m, 7, 14, buf, sizeof(buf), &len),
			 0);
	/* the next eviction starts where the last committed one stopped */
	replay_put(f, 8, 3, "z", 1, 0);
	assert_int_equal(smeta_replay_count(f->m), 8);
	assert_int_equal(smeta_replay_get(f->m, 7, 14, buf, sizeof(buf), &len),
			 -ENOENT);
	assert_int_equal(smeta_replay_get(f->m, 7, 15, buf, sizeof(buf), &len),
			 0);
	for (i = 1; i <= 3; i++)
		assert_int_equal(smeta_replay_get(f->m, 8, i, buf, sizeof(buf),
						  &len), i == 2 ? -ENOENT : 0);

	/* the byte bound: 30-byte replies, at most 100 bytes */
	smeta_close(f->m);
	f->o.replay_entries = 0;
	f->o.replay_bytes = 100;
	fx_open(f);
	memset(rep, 'r', sizeof(rep));
	for (i = 1; i <= 5; i++)
		replay_put(f, 9, i, rep, 30, 0);
	assert_int_equal(smeta_replay_count(f->m), 3);
	assert_int_equal(smeta_replay_get(f->m, 9, 2, buf, sizeof(buf), &len),
			 -ENOENT);
	assert_int_equal(smeta_replay_get(f->m, 9, 3, buf, sizeof(buf), &len),
			 0);
}

/* A change and its reply are one batch: both or neither. */
static void test_replay_atomic_with_change(void **state)
{
	struct fx *f = *state;
	struct smeta_create_args a = { .mode = S_IFREG | 0644 };
	struct smeta_txn *tx;
	struct smeta_entry e;
	char buf[8];
	u32 len;

	f->fail_err = -ENOSPC;
	f->fail_times = 1;
	assert_int_equal(smeta_txn_begin(f->m, 5, 5, &tx), 0);
	assert_int_equal(smeta_create(f->m, tx, VOL, ROOT, "a", 1, &a, &e), 0);
	assert_int_equal(smeta_txn_reply(tx, "ok", 2), 0);
	assert_int_equal(smeta_txn_commit(tx), -ENOSPC);
	assert_int_equal(lookup(f, ROOT, "a", &e), -ENOENT);
	assert_int_equal(smeta_replay_get(f->m, 5, 5, buf, sizeof(buf), &len),
			 -ENOENT);
	/* the retry runs for real */
	assert_int_equal(smeta_txn_begin(f->m, 5, 5, &tx), 0);
	assert_int_equal(smeta_create(f->m, tx, VOL, ROOT, "a", 1, &a, &e), 0);
	assert_int_equal(smeta_txn_reply(tx, "ok", 2), 0);
	assert_int_equal(smeta_txn_commit(tx), 0);
	fx_reopen(f);
	assert_int_equal(lookup(f, ROOT, "a", &e), 0);
	assert_int_equal(smeta_replay_get(f->m, 5, 5, buf, sizeof(buf), &len),
			 0);
}

/* ---- injected failures ---- */

static void test_injected_failures(void **state)
{
	struct fx *f = *state;
	struct smeta_setattr sa = { .valid = SEALFS_SA_UID, .uid = 9 };
	struct smeta_entry e, x;
	struct smeta_usage u0, u;
	struct smeta_attr a0, a;
	u64 n0, n;

	e = mk(f, ROOT, "kept", S_IFREG | 0644);
	assert_int_equal(smeta_xattr_set(f->m, NULL, VOL, e.attr.ino, "user.k",
					 6, "v", 1, 0), 0);
	assert_int_equal(smeta_usage_get(f->m, VOL, &u0), 0);
	assert_int_equal(smeta_dir_count(f->m, VOL, ROOT, &n0), 0);
	a0 = attr_of(f, e.attr.ino);

	f->fail_err = -ENOSPC;
	f->fail_times = 100;
	assert_int_equal(create(f, ROOT, "lost", S_IFREG, 0, &x), -ENOSPC);
	assert_int_equal(smeta_mkdir(f->m, NULL, VOL, ROOT, "lostd", 5, 0755, 0,
				     0, 0, &x), -ENOSPC);
	assert_int_equal(unlink_(f, ROOT, "kept"), -ENOSPC);
	assert_int_equal(smeta_setattr(f->m, NULL, VOL, e.attr.ino, &sa, &a),
			 -ENOSPC);
	assert_int_equal(smeta_xattr_set(f->m, NULL, VOL, e.attr.ino, "user.k",
					 6, "w", 1, 0), -ENOSPC);
	assert_int_equal(smeta_xattr_remove(f->m, NULL, VOL, e.attr.ino,
					    "user.k", 6), -ENOSPC);
	assert_int_equal(smeta_usage_add(f->m, NULL, VOL, 10, 0, 0), -ENOSPC);
	f->fail_err = -EIO;
	assert_int_equal(smeta_link(f->m, NULL, VOL, e.attr.ino, 0, ROOT, "l",
				    1, &x), -EIO);
	assert_int_equal(smeta_inode_update(f->m, NULL, VOL, e.attr.ino,
					    SEALFS_IU_NLINK, 1, 0, &x), -EIO);

	/* nothing changed, in memory or on disk */
	f->fail_times = 0;
	for (int round = 0; round < 2; round++) {
		assert_int_equal(lookup(f, ROOT, "lost", &x), -ENOENT);
		assert_int_equal(lookup(f, ROOT, "lostd", &x), -ENOENT);
		assert_int_equal(lookup(f, ROOT, "l", &x), -ENOENT);
		assert_int_equal(lookup(f, ROOT, "kept", &x), 0);
		a = attr_of(f, e.attr.ino);
		assert_memory_equal(&a, &a0, sizeof(a));
		assert_int_equal(smeta_usage_get(f->m, VOL, &u), 0);
		assert_memory_equal(&u, &u0, sizeof(u));
		assert_int_equal(smeta_dir_count(f->m, VOL, ROOT, &n), 0);
		assert_int_equal(n, n0);
		{
			char v[4];
			u32 len;

			assert_int_equal(smeta_xattr_get(f->m, VOL, e.attr.ino,
							 "user.k", 6, v,
							 sizeof(v), &len), 0);
			assert_memory_equal(v, "v", 1);
		}
		fx_reopen(f);
	}
	/* and the store works again */
	mk(f, ROOT, "after", S_IFREG);
	fx_reopen(f);
	assert_int_equal(lookup(f, ROOT, "after", &x), 0);
}

/* ---- quotas and usage ---- */

static void test_quota(void **state)
{
	struct fx *f = *state;
	struct smeta_create_args a = { .mode = S_IFREG | 0644 };
	struct smeta_usage u;
	struct smeta_entry e;

	assert_int_equal(smeta_usage_get(f->m, VOL, &u), 0);
	assert_int_equal(u.inodes, 1);
	a.quota_inodes = 3;
	assert_int_equal(smeta_create(f->m, NULL, VOL, ROOT, "a", 1, &a, &e), 0);
	assert_int_equal(smeta_create(f->m, NULL, VOL, ROOT, "b", 1, &a, &e), 0);
	assert_int_equal(smeta_create(f->m, NULL, VOL, ROOT, "c", 1, &a, &e),
			 -EDQUOT);
	assert_int_equal(smeta_mkdir(f->m, NULL, VOL, ROOT, "d", 1, 0755, 0, 0,
				     3, &e), -EDQUOT);
	assert_int_equal(smeta_symlink(f->m, NULL, VOL, ROOT, "s", 1, "t", 1,
				       0, 0, 3, &e), -EDQUOT);
	assert_int_equal(lookup(f, ROOT, "c", &e), -ENOENT);
	/* the existing name needs no new inode */
	assert_int_equal(smeta_create(f->m, NULL, VOL, ROOT, "a", 1, &a, &e), 0);
	assert_int_equal(e.result, SMETA_RES_EXISTED);
	assert_int_equal(unlink_(f, ROOT, "b"), 0);
	assert_int_equal(smeta_create(f->m, NULL, VOL, ROOT, "c", 1, &a, &e), 0);

	assert_int_equal(smeta_usage_add(f->m, NULL, VOL, 1000, 0, 1500), 0);
	assert_int_equal(smeta_usage_add(f->m, NULL, VOL, 501, 0, 1500),
			 -EDQUOT);
	assert_int_equal(smeta_usage_add(f->m, NULL, VOL, 500, 0, 1500), 0);
	/* shrinking is never refused, and stops at 0 */
	assert_int_equal(smeta_usage_add(f->m, NULL, VOL, -300, 0, 1000), 0);
	assert_int_equal(smeta_usage_get(f->m, VOL, &u), 0);
	assert_int_equal(u.bytes, 1200);
	assert_int_equal(smeta_usage_add(f->m, NULL, VOL, INT64_MIN, -100, 0),
			 0);
	assert_int_equal(smeta_usage_get(f->m, VOL, &u), 0);
	assert_int_equal(u.bytes, 0);
	assert_int_equal(u.inodes, 0);
	/* other volumes are apart */
	assert_int_equal(smeta_usage_get(f->m, VOL + 1, &u), 0);
	assert_int_equal(u.bytes, 0);
	assert_int_equal(u.inodes, 0);
}

static void test_vol_purge(void **state)
{
	struct fx *f = *state;
	struct smeta_attr root;
	struct smeta_entry e, x;
	struct smeta_usage u;
	char name[16];
	u32 i;

	f->nosync = true;
	assert_int_equal(smeta_mkroot(f->m, NULL, VOL + 1, 0755, 0, 0, &root),
			 0);
	assert_int_equal(smeta_mkroot(f->m, NULL, VOL + 1, 0700, 0, 0, &root),
			 0);	/* exists: unchanged */
	assert_int_equal(root.mode, S_IFDIR | 0755);
	for (i = 0; i < 5000; i++) {
		snprintf(name, sizeof(name), "p%u", i);
		e = mk(f, ROOT, name, S_IFREG);
		assert_int_equal(smeta_xattr_set(f->m, NULL, VOL, e.attr.ino,
						 "user.x", 6, "1", 1, 0), 0);
	}
	assert_int_equal(smeta_create(f->m, NULL, VOL + 1, ROOT, "keep", 4,
				      &(struct smeta_create_args){
					      .mode = S_IFREG }, &x), 0);
	assert_int_equal(smeta_vol_purge(f->m, VOL), 0);
	assert_int_equal(lookup(f, ROOT, "p1", &e), -ENOENT);
	assert_int_equal(smeta_getattr(f->m, VOL, ROOT, &root), -ESTALE);
	assert_int_equal(smeta_usage_get(f->m, VOL, &u), 0);
	assert_int_equal(u.inodes, 0);
	assert_int_equal(smeta_lookup(f->m, VOL + 1, ROOT, "keep", 4, &e), 0);
	assert_int_equal(smeta_usage_get(f->m, VOL + 1, &u), 0);
	assert_int_equal(u.inodes, 2);
	smeta_close(f->m);
	f->m = NULL;
	assert_int_equal(raw_count(f->dir, 'X'), 0);
	assert_int_equal(raw_count(f->dir, 'D'), 1);
	fx_open(f);
	assert_int_equal(smeta_mkroot(f->m, NULL, VOL, 0755, 0, 0, &root), 0);
}

/* ---- conversions ---- */

static void test_attr_wire(void **state)
{
	struct smeta_attr a = {
		.ino = 0x0102030405060708ull, .size = 2, .blocks = 3,
		.change = 4, .atime_sec = -1, .mtime_sec = 6, .ctime_sec = 7,
		.atime_nsec = 8, .mtime_nsec = 9, .ctime_nsec = 10,
		.mode = S_IFREG | 0644, .nlink = 12, .uid = 13, .gid = 14,
		.rdev = 15, .generation = 16, .parent = 17,
	}, b;
	struct sealfs_attr w;
	const u8 *p = (const u8 *)&w;

	(void)state;
	smeta_attr_to_wire(&a, &w);
	assert_int_equal(p[0], 0x08);	/* little-endian */
	assert_int_equal(p[7], 0x01);
	assert_int_equal(w.reserved, 0);
	smeta_attr_from_wire(&w, &b);
	a.parent = 0;
	assert_memory_equal(&a, &b, sizeof(a));
}

/* ---- concurrency ---- */

struct worker {
	struct fx *f;
	u32 id;
	int rc;
};

static void *create_many(void *arg)
{
	struct worker *w = arg;
	struct smeta_create_args a = { .mode = S_IFREG | 0644,
				       .flags = SEALFS_CF_EXCL };
	struct smeta_entry e;
	char name[16];
	u32 i;

	for (i = 0; i < 500 && !w->rc; i++) {
		snprintf(name, sizeof(name), "t%u-%u", w->id, i);
		w->rc = smeta_create(w->f->m, NULL, VOL, ROOT, name, slen(name),
				     &a, &e);
	}
	return NULL;
}

static void test_threads(void **state)
{
	struct fx *f = *state;
	struct worker w[2] = { { f, 0, 0 }, { f, 1, 0 } };
	pthread_t t[2];
	struct rd r = { 0 };
	struct smeta_usage u;
	bool eof;
	u64 n;
	int i;

	f->nosync = true;
	for (i = 0; i < 2; i++)
		assert_int_equal(pthread_create(&t[i], NULL, create_many, &w[i]),
				 0);
	for (i = 0; i < 2; i++) {
		pthread_join(t[i], NULL);
		assert_int_equal(w[i].rc, 0);
	}
	assert_int_equal(smeta_dir_count(f->m, VOL, ROOT, &n), 0);
	assert_int_equal(n, 1000);
	assert_int_equal(smeta_readdir(f->m, VOL, ROOT, 0, rd_take, &r, &eof),
			 0);
	assert_int_equal(r.n, 1000);	/* rd_take checks cookie order */
	assert_int_equal(smeta_usage_get(f->m, VOL, &u), 0);
	assert_int_equal(u.inodes, 1001);
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_open_identity),
		T(test_errno_from_leveldb),
		T(test_create_lookup),
		T(test_names),
		T(test_create_args),
		T(test_parent_checks),
		T(test_mkdir_nlink),
		T(test_rmdir),
		T(test_mknod),
		T(test_symlink_readlink),
		T(test_setattr),
		T(test_link_unlink),
		T(test_link_remote_inode),
		T(test_inode_update),
		T(test_xattr),
		T(test_xattr_list_limit),
		T(test_destroy_drops_xattrs),
		T(test_readdir_basic),
		T(test_readdir_callback_error),
		T(test_readdir_10000_every_cookie),
		T(test_readdir_with_changes),
		T(test_cookies_stable_after_reopen),
		T(test_readdir_entries_with_attrs),
		T(test_persistence),
		T(test_killed_process_keeps_acked),
		T(test_ino_alloc),
		T(test_ino_alloc_failures),
		T(test_ino_alloc_range_end),
		T(test_ino_alloc_two_servers),
		T(test_replay),
		T(test_replay_eviction),
		T(test_replay_atomic_with_change),
		T(test_injected_failures),
		T(test_quota),
		T(test_vol_purge),
		T(test_attr_wire),
		T(test_threads),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
