// SPDX-License-Identifier: Apache-2.0
/*
 * sdata tests on a temporary data directory: reads, writes at true offsets,
 * holes, truncate, fallocate modes, commit and what it syncs, the bounded
 * descriptor cache, volume purge, and failures injected through the I/O
 * ops (ENOSPC, EDQUOT, EIO, short transfers) that must surface as errors
 * without losing what was committed.
 */
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <limits.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include <cmocka.h>

#include "server/sdata.h"

#define VOL	2
#define MiB	(1u << 20)

enum op {
	OP_OPENAT, OP_MKDIRAT, OP_UNLINKAT, OP_PREAD, OP_PWRITE, OP_FDATASYNC,
	OP_FSYNC, OP_FTRUNCATE, OP_FALLOCATE, OP_FSTAT, OP_FSTATVFS, OP_CLOSE,
	OP_COUNT
};

struct fx {
	char top[1024];		/* temporary directory */
	char dir[1100];		/* the data directory in it */
	struct sdata *d;
	struct sdata_opts o;
	struct sdata_io io;
	pthread_mutex_t lock;
	unsigned long calls[OP_COUNT];
	int fail_err[OP_COUNT];		/* injected error ... */
	int fail_times[OP_COUNT];	/* ... for this many calls */
	size_t max_xfer;		/* cap of one pread/pwrite, 0: none */
	size_t fail_after_bytes;	/* pwrite: fail once this much is done */
	size_t written;
};


/* Counts the call; returns the error to inject, or 0. */
static int hit(struct fx *f, enum op op)
{
	int err = 0;

	pthread_mutex_lock(&f->lock);
	f->calls[op]++;
	if (f->fail_times[op] > 0) {
		f->fail_times[op]--;
		err = f->fail_err[op];
	}
	pthread_mutex_unlock(&f->lock);
	return err;
}

static unsigned long calls(struct fx *f, enum op op)
{
	unsigned long n;

	pthread_mutex_lock(&f->lock);
	n = f->calls[op];
	pthread_mutex_unlock(&f->lock);
	return n;
}

static void inject(struct fx *f, enum op op, int err, int times)
{
	pthread_mutex_lock(&f->lock);
	f->fail_err[op] = err;
	f->fail_times[op] = times;
	pthread_mutex_unlock(&f->lock);
}

static int t_openat(void *arg, int dirfd, const char *path, int flags,
		    mode_t mode)
{
	int err = hit(arg, OP_OPENAT);

	return err ? err : sdata_io_posix.openat(NULL, dirfd, path, flags, mode);
}

static int t_mkdirat(void *arg, int dirfd, const char *path, mode_t mode)
{
	int err = hit(arg, OP_MKDIRAT);

	return err ? err : sdata_io_posix.mkdirat(NULL, dirfd, path, mode);
}

static int t_unlinkat(void *arg, int dirfd, const char *path, int flags)
{
	int err = hit(arg, OP_UNLINKAT);

	return err ? err : sdata_io_posix.unlinkat(NULL, dirfd, path, flags);
}

static ssize_t t_pread(void *arg, int fd, void *buf, size_t n, off_t off)
{
	struct fx *f = arg;
	int err = hit(f, OP_PREAD);

	if (err)
		return err;
	if (f->max_xfer && n > f->max_xfer)
		n = f->max_xfer;
	return sdata_io_posix.pread(NULL, fd, buf, n, off);
}

static ssize_t t_pwrite(void *arg, int fd, const void *buf, size_t n,
			off_t off)
{
	struct fx *f = arg;
	int err = hit(f, OP_PWRITE);
	ssize_t r;

	if (err)
		return err;
	if (f->max_xfer && n > f->max_xfer)
		n = f->max_xfer;
	if (f->fail_after_bytes) {
		if (f->written >= f->fail_after_bytes)
			return -ENOSPC;
		if (n > f->fail_after_bytes - f->written)
			n = f->fail_after_bytes - f->written;
	}
	r = sdata_io_posix.pwrite(NULL, fd, buf, n, off);
	if (r > 0 && f->fail_after_bytes)
		f->written += (size_t)r;	/* single-threaded tests only */
	return r;
}

static int t_fdatasync(void *arg, int fd)
{
	int err = hit(arg, OP_FDATASYNC);

	return err ? err : sdata_io_posix.fdatasync(NULL, fd);
}

static int t_fsync(void *arg, int fd)
{
	int err = hit(arg, OP_FSYNC);

	return err ? err : sdata_io_posix.fsync(NULL, fd);
}

static int t_ftruncate(void *arg, int fd, off_t len)
{
	int err = hit(arg, OP_FTRUNCATE);

	return err ? err : sdata_io_posix.ftruncate(NULL, fd, len);
}

static int t_fallocate(void *arg, int fd, int mode, off_t off, off_t len)
{
	int err = hit(arg, OP_FALLOCATE);

	return err ? err : sdata_io_posix.fallocate(NULL, fd, mode, off, len);
}

static int t_fstat(void *arg, int fd, struct stat *st)
{
	int err = hit(arg, OP_FSTAT);

	return err ? err : sdata_io_posix.fstat(NULL, fd, st);
}

static int t_fstatvfs(void *arg, int fd, struct statvfs *st)
{
	int err = hit(arg, OP_FSTATVFS);

	return err ? err : sdata_io_posix.fstatvfs(NULL, fd, st);
}

static int t_close(void *arg, int fd)
{
	hit(arg, OP_CLOSE);
	return sdata_io_posix.close(NULL, fd);
}

static void fx_open(struct fx *f)
{
	assert_int_equal(sdata_open(&f->o, &f->d), 0);
}

static void fx_reopen(struct fx *f)
{
	sdata_close(f->d);
	f->d = NULL;
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

	if (!f)
		return -1;
	snprintf(f->top, sizeof(f->top), "%s/sealfs-sdata-XXXXXX",
		 tmp && *tmp ? tmp : "/tmp");
	if (!mkdtemp(f->top)) {
		free(f);
		return -1;
	}
	snprintf(f->dir, sizeof(f->dir), "%s/data", f->top);
	if (mkdir(f->dir, 0700))
		return -1;
	pthread_mutex_init(&f->lock, NULL);
	f->io = (struct sdata_io){
		.openat = t_openat, .mkdirat = t_mkdirat,
		.unlinkat = t_unlinkat, .pread = t_pread, .pwrite = t_pwrite,
		.fdatasync = t_fdatasync, .fsync = t_fsync,
		.ftruncate = t_ftruncate, .fallocate = t_fallocate,
		.fstat = t_fstat, .fstatvfs = t_fstatvfs, .close = t_close,
		.arg = f,
	};
	f->o.dir = f->dir;
	f->o.io = &f->io;
	if (sdata_open(&f->o, &f->d))
		return -1;
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fx *f = *state;

	sdata_close(f->d);
	nftw(f->top, rm_one, 16, FTW_DEPTH | FTW_PHYS);
	pthread_mutex_destroy(&f->lock);
	free(f);
	return 0;
}

/* ---- helpers ---- */

static void fill(char *buf, size_t n, unsigned int seed)
{
	size_t i;

	for (i = 0; i < n; i++)
		buf[i] = (char)('a' + (seed + i * 7) % 26);
}

static void put(struct fx *f, u64 ino, u64 off, size_t n, unsigned int seed)
{
	char *buf = malloc(n);

	assert_non_null(buf);
	fill(buf, n, seed);
	assert_int_equal(sdata_write(f->d, VOL, ino, off, buf, n, 0),
			 (ssize_t)n);
	free(buf);
}

/* Reads [off, off + n) and checks it holds the pattern of @seed. */
static void check(struct fx *f, u64 ino, u64 off, size_t n, unsigned int seed)
{
	char *want = malloc(n), *got = malloc(n);

	assert_non_null(want);
	assert_non_null(got);
	fill(want, n, seed);
	assert_int_equal(sdata_read(f->d, VOL, ino, off, got, n), (ssize_t)n);
	assert_memory_equal(got, want, n);
	free(want);
	free(got);
}

static bool all_zero(const char *p, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (p[i])
			return false;
	return true;
}

static void check_zero(struct fx *f, u64 ino, u64 off, size_t n)
{
	char *got = malloc(n);

	assert_non_null(got);
	memset(got, 'x', n);
	assert_int_equal(sdata_read(f->d, VOL, ino, off, got, n), (ssize_t)n);
	assert_true(all_zero(got, n));
	free(got);
}

/* The file sdata keeps for (VOL, ino), found by its name. */
static char found[PATH_MAX];
static char want_name[32];

static int find_one(const char *path, const struct stat *st, int flag,
		    struct FTW *ftw)
{
	(void)st;
	if (flag == FTW_F && !strcmp(path + ftw->base, want_name)) {
		snprintf(found, sizeof(found), "%s", path);
		return 1;
	}
	return 0;
}

static bool file_of(struct fx *f, u32 vol, u64 ino, struct stat *st)
{
	char voldir[PATH_MAX];

	snprintf(want_name, sizeof(want_name), "%016llx",
		 (unsigned long long)ino);
	snprintf(voldir, sizeof(voldir), "%s/%08x", f->dir, vol);
	found[0] = '\0';
	if (nftw(voldir, find_one, 16, FTW_PHYS) != 1)
		return false;
	return stat(found, st) == 0;
}

/* ---- tests ---- */

static void test_open_close(void **state)
{
	struct fx *f = *state;
	struct sdata_opts o = { 0 };
	struct sdata *d;
	char path[PATH_MAX];

	assert_int_equal(sdata_open(NULL, &d), -EINVAL);
	assert_int_equal(sdata_open(&o, &d), -EINVAL);
	snprintf(path, sizeof(path), "%s/nope", f->top);
	o.dir = path;
	assert_int_equal(sdata_open(&o, &d), -ENOENT);
	o.dir = f->dir;		/* the plain system calls */
	assert_int_equal(sdata_open(&o, &d), 0);
	assert_int_equal(sdata_write(d, VOL, 1, 0, "x", 1, 0), 1);
	sdata_close(d);
	sdata_close(NULL);
}

static void test_read_write(void **state)
{
	struct fx *f = *state;
	char buf[64];

	/* no file: nothing held, nothing created */
	assert_int_equal(sdata_read(f->d, VOL, 10, 0, buf, sizeof(buf)), 0);
	assert_int_equal(sdata_commit(f->d, VOL, 10), 0);
	assert_false(file_of(f, VOL, 10, &(struct stat){ 0 }));

	assert_int_equal(sdata_write(f->d, VOL, 10, 0, "hello", 5, 0), 5);
	assert_int_equal(sdata_read(f->d, VOL, 10, 0, buf, sizeof(buf)), 5);
	assert_memory_equal(buf, "hello", 5);
	assert_int_equal(sdata_read(f->d, VOL, 10, 2, buf, 2), 2);
	assert_memory_equal(buf, "ll", 2);
	/* short at the end of what this server holds */
	assert_int_equal(sdata_read(f->d, VOL, 10, 5, buf, 10), 0);
	assert_int_equal(sdata_read(f->d, VOL, 10, 100, buf, 10), 0);
	/* overwrite in the middle */
	assert_int_equal(sdata_write(f->d, VOL, 10, 1, "EL", 2, 0), 2);
	assert_int_equal(sdata_read(f->d, VOL, 10, 0, buf, 5), 5);
	assert_memory_equal(buf, "hELlo", 5);
	/* other inodes and volumes are other files */
	assert_int_equal(sdata_read(f->d, VOL, 11, 0, buf, 5), 0);
	assert_int_equal(sdata_read(f->d, VOL + 1, 10, 0, buf, 5), 0);
	assert_int_equal(sdata_write(f->d, VOL + 1, 10, 0, "other", 5, 0), 5);
	assert_int_equal(sdata_read(f->d, VOL, 10, 0, buf, 5), 5);
	assert_memory_equal(buf, "hELlo", 5);
	/* a zero-length write creates the file and writes nothing */
	assert_int_equal(sdata_write(f->d, VOL, 12, 0, buf, 0, 0), 0);
	assert_int_equal(sdata_read(f->d, VOL, 12, 0, buf, 5), 0);
}

static void test_true_offsets_and_holes(void **state)
{
	struct fx *f = *state;
	const u64 ino = 0x123456789abcull;
	struct stat st;
	u64 used;

	/* chunks 0, 64 and 1024 of 1 MiB, 4 KiB each */
	put(f, ino, 0, 4096, 1);
	put(f, ino, 64ull * MiB, 4096, 2);
	put(f, ino, 1024ull * MiB + 100, 4096, 3);
	assert_int_equal(sdata_commit(f->d, VOL, ino), 0);
	check(f, ino, 0, 4096, 1);
	check(f, ino, 64ull * MiB, 4096, 2);
	check(f, ino, 1024ull * MiB + 100, 4096, 3);
	/* holes read as zeros */
	check_zero(f, ino, 4096, 64 * 1024);
	check_zero(f, ino, 64ull * MiB - 8192, 8192);
	check_zero(f, ino, 512ull * MiB, 1 * MiB);
	{
		char buf[8192];

		/* across data and hole */
		assert_int_equal(sdata_read(f->d, VOL, ino, 64ull * MiB - 4096,
					    buf, sizeof(buf)), 8192);
		assert_true(all_zero(buf, 4096));
		assert_false(all_zero(buf + 4096, 4096));
	}
	/* really sparse */
	assert_true(file_of(f, VOL, ino, &st));
	assert_int_equal(st.st_size, 1024ll * MiB + 100 + 4096);
	assert_true((u64)st.st_blocks * 512 < 1 * MiB);
	assert_int_equal(sdata_used(f->d, VOL, ino, &used), 0);
	assert_int_equal(used, (u64)st.st_blocks * 512);
	assert_true(used >= 3 * 4096);
	assert_int_equal(sdata_used(f->d, VOL, ino + 1, &used), 0);
	assert_int_equal(used, 0);
}

static void test_layout(void **state)
{
	struct fx *f = *state;
	char want[PATH_MAX];
	struct stat st;
	const char *rel;

	put(f, 0xfedcba9876543210ull, 0, 10, 0);
	assert_true(file_of(f, VOL, 0xfedcba9876543210ull, &st));
	/* DATA/<vol>/<xx>/<yy>/<ino> */
	snprintf(want, sizeof(want), "%s/%08x/", f->dir, VOL);
	assert_int_equal(strncmp(found, want, strlen(want)), 0);
	rel = found + strlen(want);
	assert_int_equal(strlen(rel), 2 + 1 + 2 + 1 + 16);
	assert_int_equal(rel[2], '/');
	assert_int_equal(rel[5], '/');
	assert_string_equal(rel + 6, "fedcba9876543210");
	assert_true(S_ISREG(st.st_mode));
	assert_int_equal(st.st_mode & 0777, 0600);
}

static void test_truncate(void **state)
{
	struct fx *f = *state;
	unsigned long syncs;
	struct stat st;
	char buf[128];

	put(f, 5, 0, 10000, 4);
	syncs = calls(f, OP_FDATASYNC);
	assert_int_equal(sdata_truncate(f->d, VOL, 5, 4096, 0), 0);
	assert_true(calls(f, OP_FDATASYNC) > syncs);	/* durable */
	assert_int_equal(sdata_read(f->d, VOL, 5, 4000, buf, sizeof(buf)), 96);
	check(f, 5, 0, 4096, 4);
	/* never extends */
	assert_int_equal(sdata_truncate(f->d, VOL, 5, 1 << 30, 0), 0);
	assert_true(file_of(f, VOL, 5, &st));
	assert_int_equal(st.st_size, 4096);
	assert_int_equal(sdata_truncate(f->d, VOL, 5, UINT64_MAX, 0), 0);
	/* a later write past the cut sees zeros in between */
	put(f, 5, 8192, 10, 6);
	check_zero(f, 5, 4096, 4096);
	assert_int_equal(sdata_truncate(f->d, VOL, 5, 0, 0), 0);
	assert_int_equal(sdata_read(f->d, VOL, 5, 0, buf, sizeof(buf)), 0);
	/* nothing to truncate; bad flags */
	assert_int_equal(sdata_truncate(f->d, VOL, 99, 0, 0), 0);
	assert_false(file_of(f, VOL, 99, &st));
	assert_int_equal(sdata_truncate(f->d, VOL, 5, 0, 0x2), -EINVAL);
	/* destroy */
	put(f, 5, 0, 10, 7);
	assert_int_equal(sdata_truncate(f->d, VOL, 5, 3, SEALFS_TF_DESTROY), 0);
	assert_false(file_of(f, VOL, 5, &st));
	assert_int_equal(sdata_read(f->d, VOL, 5, 0, buf, sizeof(buf)), 0);
	/* errors come back */
	put(f, 5, 0, 10, 7);
	inject(f, OP_FTRUNCATE, -EIO, 1);
	assert_int_equal(sdata_truncate(f->d, VOL, 5, 3, 0), -EIO);
	inject(f, OP_FDATASYNC, -EIO, 1);
	assert_int_equal(sdata_truncate(f->d, VOL, 5, 3, 0), -EIO);
}

static void test_fallocate(void **state)
{
	struct fx *f = *state;
	u64 used0, used;
	struct stat st;
	char buf[8];

	/* punching and zeroing where nothing is held: nothing happens */
	assert_int_equal(sdata_fallocate(f->d, VOL, 20, 0, 4096,
					 SEALFS_FA_PUNCH_HOLE |
					 SEALFS_FA_KEEP_SIZE), 0);
	assert_int_equal(sdata_fallocate(f->d, VOL, 20, 0, 4096,
					 SEALFS_FA_ZERO_RANGE), 0);
	assert_false(file_of(f, VOL, 20, &st));

	put(f, 20, 0, 256 * 1024, 8);
	assert_int_equal(sdata_commit(f->d, VOL, 20), 0);
	assert_int_equal(sdata_used(f->d, VOL, 20, &used0), 0);
	/* punch a hole (KEEP_SIZE implied) */
	assert_int_equal(sdata_fallocate(f->d, VOL, 20, 64 * 1024, 128 * 1024,
					 SEALFS_FA_PUNCH_HOLE), 0);
	check_zero(f, 20, 64 * 1024, 128 * 1024);
	check(f, 20, 0, 64 * 1024, 8);
	assert_int_equal(sdata_used(f->d, VOL, 20, &used), 0);
	assert_true(used <= used0 - 128 * 1024);
	assert_true(file_of(f, VOL, 20, &st));
	assert_int_equal(st.st_size, 256 * 1024);
	/* zero a range */
	assert_int_equal(sdata_fallocate(f->d, VOL, 20, 200 * 1024, 8192,
					 SEALFS_FA_ZERO_RANGE |
					 SEALFS_FA_KEEP_SIZE), 0);
	check_zero(f, 20, 200 * 1024, 8192);
	/* allocate: past the end with KEEP_SIZE keeps the size ... */
	assert_int_equal(sdata_fallocate(f->d, VOL, 20, 1 * MiB, 1 * MiB,
					 SEALFS_FA_KEEP_SIZE), 0);
	assert_true(file_of(f, VOL, 20, &st));
	assert_int_equal(st.st_size, 256 * 1024);
	assert_int_equal(sdata_read(f->d, VOL, 20, 1 * MiB, buf, sizeof(buf)),
			 0);
	assert_int_equal(sdata_used(f->d, VOL, 20, &used), 0);
	assert_true(used >= 1 * MiB);
	/* ... without, it grows and reads zeros */
	assert_int_equal(sdata_fallocate(f->d, VOL, 21, 4096, 4096, 0), 0);
	assert_true(file_of(f, VOL, 21, &st));
	assert_int_equal(st.st_size, 8192);
	check_zero(f, 21, 0, 8192);

	/* bad requests */
	assert_int_equal(sdata_fallocate(f->d, VOL, 20, 0, 4096, 0x8), -EINVAL);
	assert_int_equal(sdata_fallocate(f->d, VOL, 20, 0, 4096,
					 SEALFS_FA_PUNCH_HOLE |
					 SEALFS_FA_ZERO_RANGE), -EINVAL);
	assert_int_equal(sdata_fallocate(f->d, VOL, 20, 0, 0, 0), -EINVAL);
	assert_int_equal(sdata_fallocate(f->d, VOL, 20, INT64_MAX, 2, 0),
			 -EFBIG);
	inject(f, OP_FALLOCATE, -EOPNOTSUPP, 1);
	assert_int_equal(sdata_fallocate(f->d, VOL, 20, 0, 4096,
					 SEALFS_FA_PUNCH_HOLE), -EOPNOTSUPP);
	inject(f, OP_FALLOCATE, -ENOSPC, 1);
	assert_int_equal(sdata_fallocate(f->d, VOL, 20, 0, 4096, 0), -ENOSPC);
	check(f, 20, 0, 64 * 1024, 8);
}

static void test_commit_syncs(void **state)
{
	struct fx *f = *state;
	unsigned long ds, fs;

	/* a new file in a new volume: data, then its 3 directories and the
	 * data directory's entry for the volume */
	put(f, 30, 0, 100, 1);
	ds = calls(f, OP_FDATASYNC);
	fs = calls(f, OP_FSYNC);
	assert_int_equal(sdata_commit(f->d, VOL, 30), 0);
	assert_int_equal(calls(f, OP_FDATASYNC), ds + 1);
	assert_int_equal(calls(f, OP_FSYNC), fs + 4);
	/* then only the data */
	put(f, 30, 100, 100, 2);
	assert_int_equal(sdata_commit(f->d, VOL, 30), 0);
	assert_int_equal(calls(f, OP_FDATASYNC), ds + 2);
	assert_int_equal(calls(f, OP_FSYNC), fs + 4);
	/* a stable write commits before it returns */
	assert_int_equal(sdata_write(f->d, VOL, 30, 0, "s", 1,
				     SEALFS_WF_STABLE), 1);
	assert_int_equal(calls(f, OP_FDATASYNC), ds + 3);
	/* a new file in an existing directory syncs that directory */
	put(f, 30 + 1, 0, 1, 1);
	fs = calls(f, OP_FSYNC);
	assert_int_equal(sdata_commit(f->d, VOL, 31), 0);
	assert_true(calls(f, OP_FSYNC) >= fs + 1);
	assert_int_equal(sdata_write(f->d, VOL, 30, 0, "s", 1, 0x2), -EINVAL);
}

static void test_fd_cache_lru(void **state)
{
	struct fx *f = *state;
	unsigned long opens, syncs;
	u64 ino;

	sdata_close(f->d);
	f->o.max_open = 4;
	fx_open(f);
	for (ino = 1; ino <= 10; ino++) {
		put(f, ino, 0, 100, (unsigned int)ino);
		assert_true(sdata_open_count(f->d) <= 4);
	}
	assert_int_equal(sdata_open_count(f->d), 4);
	for (ino = 7; ino <= 10; ino++)
		assert_int_equal(sdata_commit(f->d, VOL, ino), 0);
	/* the most recent are cached: no open */
	opens = calls(f, OP_OPENAT);
	check(f, 10, 0, 100, 10);
	check(f, 7, 0, 100, 7);
	assert_int_equal(calls(f, OP_OPENAT), opens);
	/* an evicted one is opened again, and evicts the least recent */
	check(f, 1, 0, 100, 1);
	assert_int_equal(calls(f, OP_OPENAT), opens + 1);
	assert_int_equal(sdata_open_count(f->d), 4);
	/* eviction syncs uncommitted writes first */
	put(f, 7, 100, 100, 7);
	check(f, 1, 0, 100, 1);
	check(f, 10, 0, 100, 10);
	check(f, 9, 0, 100, 9);		/* 7 is the least recent */
	syncs = calls(f, OP_FDATASYNC);
	put(f, 11, 0, 100, 11);		/* evicts 7 */
	assert_int_equal(calls(f, OP_FDATASYNC), syncs + 1);
	put(f, 12, 0, 100, 12);		/* evicts 1: clean, no sync */
	assert_int_equal(calls(f, OP_FDATASYNC), syncs + 1);
	check(f, 7, 100, 100, 7);
	for (ino = 1; ino <= 12; ino++)
		check(f, ino, 0, 100, (unsigned int)ino);
	/* reads of evicted, committed files need no sync */
	for (ino = 1; ino <= 12; ino++)
		assert_int_equal(sdata_commit(f->d, VOL, ino), 0);
	syncs = calls(f, OP_FDATASYNC);
	for (ino = 1; ino <= 12; ino++)
		check(f, ino, 0, 100, (unsigned int)ino);
	assert_int_equal(calls(f, OP_FDATASYNC), syncs);
}

static void test_eviction_sync_failure_reported(void **state)
{
	struct fx *f = *state;

	sdata_close(f->d);
	f->o.max_open = 1;
	fx_open(f);
	put(f, 1, 0, 100, 1);		/* uncommitted */
	inject(f, OP_FDATASYNC, -EIO, 1);
	put(f, 2, 0, 100, 2);		/* evicting 1 fails: 1 stays */
	assert_int_equal(sdata_open_count(f->d), 2);
	assert_int_equal(sdata_commit(f->d, VOL, 2), 0);
	/* the next COMMIT of 1 reports it, once */
	assert_int_equal(sdata_commit(f->d, VOL, 1), -EIO);
	assert_int_equal(sdata_commit(f->d, VOL, 1), 0);
	put(f, 3, 0, 100, 3);
	assert_true(sdata_open_count(f->d) <= 2);
	put(f, 4, 0, 100, 4);
	assert_int_equal(sdata_open_count(f->d), 1);
	check(f, 1, 0, 100, 1);
}

static void test_enospc_edquot(void **state)
{
	struct fx *f = *state;
	char buf[4096];

	put(f, 40, 0, 4096, 1);
	assert_int_equal(sdata_commit(f->d, VOL, 40), 0);
	fill(buf, sizeof(buf), 9);
	inject(f, OP_PWRITE, -ENOSPC, 1);
	assert_int_equal(sdata_write(f->d, VOL, 40, 0, buf, sizeof(buf), 0),
			 -ENOSPC);
	inject(f, OP_PWRITE, -EDQUOT, 1);
	assert_int_equal(sdata_write(f->d, VOL, 40, 0, buf, sizeof(buf), 0),
			 -EDQUOT);
	/* a new file cannot be made */
	inject(f, OP_OPENAT, -ENOSPC, 1);
	assert_int_equal(sdata_write(f->d, VOL, 41, 0, buf, 10, 0), -ENOSPC);
	inject(f, OP_MKDIRAT, -ENOSPC, 1);
	assert_int_equal(sdata_write(f->d, VOL + 5, 41, 0, buf, 10, 0),
			 -ENOSPC);
	/* part way: the bytes written are reported */
	f->written = 0;
	f->fail_after_bytes = 1000;
	assert_int_equal(sdata_write(f->d, VOL, 40, 8192, buf, sizeof(buf), 0),
			 1000);
	assert_int_equal(sdata_write(f->d, VOL, 40, 9192, buf, sizeof(buf), 0),
			 -ENOSPC);
	f->fail_after_bytes = 0;
	/* what was committed is intact, here and after a reopen */
	check(f, 40, 0, 4096, 1);
	fx_reopen(f);
	check(f, 40, 0, 4096, 1);
	assert_int_equal(sdata_read(f->d, VOL, 41, 0, buf, 10), 0);
}

static void test_eio_on_sync(void **state)
{
	struct fx *f = *state;

	put(f, 50, 0, 4096, 1);
	assert_int_equal(sdata_commit(f->d, VOL, 50), 0);
	put(f, 50, 4096, 4096, 2);
	inject(f, OP_FDATASYNC, -EIO, 1);
	assert_int_equal(sdata_commit(f->d, VOL, 50), -EIO);
	inject(f, OP_FSYNC, -EIO, 1);
	put(f, 51, 0, 10, 1);		/* a new file: its directory fails */
	assert_int_equal(sdata_commit(f->d, VOL, 51), -EIO);
	assert_int_equal(sdata_commit(f->d, VOL, 51), 0);	/* retried */
	inject(f, OP_FDATASYNC, -EIO, 1);
	assert_int_equal(sdata_write(f->d, VOL, 50, 0, "x", 1,
				     SEALFS_WF_STABLE), -EIO);
	inject(f, OP_PREAD, -EIO, 1);
	{
		char buf[8];

		assert_int_equal(sdata_read(f->d, VOL, 50, 0, buf, 8), -EIO);
	}
	inject(f, OP_FSTAT, -EIO, 1);
	{
		u64 used;

		assert_int_equal(sdata_used(f->d, VOL, 50, &used), -EIO);
	}
	fx_reopen(f);
	check(f, 50, 4096, 4096, 2);
	check(f, 50, 1, 4095, 1 + 7);	/* byte 0 was rewritten */
}

static void test_short_transfers(void **state)
{
	struct fx *f = *state;

	f->max_xfer = 1000;
	put(f, 60, 3, 100000, 5);
	check(f, 60, 3, 100000, 5);
	assert_true(calls(f, OP_PWRITE) >= 100);
	assert_true(calls(f, OP_PREAD) >= 100);
	f->max_xfer = 0;
	check(f, 60, 3, 100000, 5);
}

static void test_remove(void **state)
{
	struct fx *f = *state;
	struct stat st;
	char buf[8];
	u64 used;

	put(f, 70, 0, 100, 1);
	assert_int_equal(sdata_open_count(f->d), 1);
	assert_int_equal(sdata_remove(f->d, VOL, 70), 0);
	assert_int_equal(sdata_open_count(f->d), 0);
	assert_false(file_of(f, VOL, 70, &st));
	assert_int_equal(sdata_read(f->d, VOL, 70, 0, buf, sizeof(buf)), 0);
	assert_int_equal(sdata_used(f->d, VOL, 70, &used), 0);
	assert_int_equal(used, 0);
	assert_int_equal(sdata_remove(f->d, VOL, 70), 0);
	/* not cached */
	put(f, 71, 0, 100, 1);
	fx_reopen(f);
	assert_int_equal(sdata_remove(f->d, VOL, 71), 0);
	assert_false(file_of(f, VOL, 71, &st));
	inject(f, OP_UNLINKAT, -EIO, 1);
	put(f, 72, 0, 1, 1);
	assert_int_equal(sdata_remove(f->d, VOL, 72), -EIO);
	/* a new file with the same number starts empty */
	put(f, 70, 50, 10, 2);
	assert_int_equal(sdata_read(f->d, VOL, 70, 0, buf, sizeof(buf)), 8);
	assert_true(all_zero(buf, 8));
}

static void test_statfs(void **state)
{
	struct fx *f = *state;
	struct sdata_statfs s;
	struct statvfs sv;

	assert_int_equal(sdata_statfs(f->d, &s), 0);
	assert_int_equal(statvfs(f->dir, &sv), 0);
	assert_int_equal(s.bytes, (u64)sv.f_blocks * sv.f_frsize);
	assert_int_equal(s.files, sv.f_files);
	assert_true(s.bytes > 0);
	assert_true(s.free <= s.bytes);
	assert_true(s.ffree <= s.files);
	inject(f, OP_FSTATVFS, -EIO, 1);
	assert_int_equal(sdata_statfs(f->d, &s), -EIO);
}

static void test_vol_purge(void **state)
{
	struct fx *f = *state;
	char path[PATH_MAX];
	struct stat st;
	char buf[8];
	u64 ino;

	for (ino = 1; ino <= 50; ino++) {
		put(f, ino, ino * MiB, 10, 1);
		assert_int_equal(sdata_write(f->d, VOL + 1, ino, 0, "keep", 4,
					     0), 4);
	}
	assert_int_equal(sdata_vol_purge(f->d, VOL), 0);
	snprintf(path, sizeof(path), "%s/%08x", f->dir, VOL);
	assert_int_equal(stat(path, &st), -1);
	assert_int_equal(errno, ENOENT);
	assert_int_equal(sdata_read(f->d, VOL, 3, 3 * MiB, buf, 4), 0);
	assert_int_equal(sdata_read(f->d, VOL + 1, 3, 0, buf, 4), 4);
	assert_memory_equal(buf, "keep", 4);
	assert_int_equal(sdata_vol_purge(f->d, VOL), 0);	/* again */
	put(f, 1, 0, 10, 2);	/* and the volume can come back */
	check(f, 1, 0, 10, 2);
}

static void test_persistence(void **state)
{
	struct fx *f = *state;
	u64 ino;

	for (ino = 100; ino < 120; ino++) {
		put(f, ino, ino * 4096, 5000, (unsigned int)ino);
		assert_int_equal(sdata_commit(f->d, VOL, ino), 0);
	}
	fx_reopen(f);
	for (ino = 100; ino < 120; ino++) {
		check(f, ino, ino * 4096, 5000, (unsigned int)ino);
		check_zero(f, ino, 0, 4096);
	}
}

static void test_ranges(void **state)
{
	struct fx *f = *state;
	char buf[8];

	assert_int_equal(sdata_write(f->d, VOL, 1, (u64)INT64_MAX + 1, "x", 1,
				     0), -EFBIG);
	assert_int_equal(sdata_write(f->d, VOL, 1, INT64_MAX, "xy", 2, 0),
			 -EFBIG);
	assert_int_equal(sdata_read(f->d, VOL, 1, UINT64_MAX, buf, 1), -EFBIG);
	/* far out is fine, and sparse */
	assert_int_equal(sdata_write(f->d, VOL, 1, 1ull << 40, "x", 1, 0), 1);
	assert_int_equal(sdata_read(f->d, VOL, 1, 1ull << 40, buf, 8), 1);
	assert_int_equal(buf[0], 'x');
}

struct worker {
	struct fx *f;
	unsigned int id;
	int bad;
};

static void *io_many(void *arg)
{
	struct worker *w = arg;
	char buf[512], got[512];
	unsigned int i;
	u64 ino;

	for (i = 0; i < 400 && !w->bad; i++) {
		ino = 1000 + (w->id * 7 + i) % 9;
		fill(buf, sizeof(buf), (unsigned int)ino);
		if (sdata_write(w->f->d, VOL, ino, ino * 4096, buf, sizeof(buf),
				0) != (ssize_t)sizeof(buf))
			w->bad = 1;
		if (sdata_read(w->f->d, VOL, ino, ino * 4096, got,
			       sizeof(got)) != (ssize_t)sizeof(got) ||
		    memcmp(buf, got, sizeof(got)))
			w->bad = 2;
		if (i % 50 == 0 && sdata_commit(w->f->d, VOL, ino))
			w->bad = 3;
	}
	return NULL;
}

static void test_threads(void **state)
{
	struct fx *f = *state;
	struct worker w[2] = { { f, 0, 0 }, { f, 1, 0 } };
	pthread_t t[2];
	int i;

	sdata_close(f->d);
	f->o.max_open = 2;
	fx_open(f);
	for (i = 0; i < 2; i++)
		assert_int_equal(pthread_create(&t[i], NULL, io_many, &w[i]), 0);
	for (i = 0; i < 2; i++) {
		pthread_join(t[i], NULL);
		assert_int_equal(w[i].bad, 0);
	}
	assert_true(sdata_open_count(f->d) <= 2);
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_open_close),
		T(test_read_write),
		T(test_true_offsets_and_holes),
		T(test_layout),
		T(test_truncate),
		T(test_fallocate),
		T(test_commit_syncs),
		T(test_fd_cache_lru),
		T(test_eviction_sync_failure_reported),
		T(test_enospc_edquot),
		T(test_eio_on_sync),
		T(test_short_transfers),
		T(test_remove),
		T(test_statfs),
		T(test_vol_purge),
		T(test_persistence),
		T(test_ranges),
		T(test_threads),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
