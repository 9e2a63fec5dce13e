/* SPDX-License-Identifier: Apache-2.0 */
/*
 * sdata: file data of sealfs-server under --data-dir. No networking.
 *
 * Each inode whose chunks this server owns has one sparse flat file that
 * holds those chunks at their true file offsets; bytes the server does not
 * hold are holes. Layout:
 *
 *   DATA/<vol, 8 hex digits>/<xx>/<yy>/<ino, 16 hex digits>
 *
 * where xx and yy are two bytes of a hash of the inode number, so that no
 * directory grows past a few thousand files. Files are opened lazily and
 * kept in a bounded LRU cache of descriptors.
 *
 * Durability: WRITE lands in the page cache (unstable, as the protocol
 * allows) unless %SEALFS_WF_STABLE; COMMIT makes the inode's data and, for
 * a new file, its directory entries durable. DATA_TRUNCATE and hole
 * punching/zeroing are durable when they return. A descriptor evicted from
 * the cache with uncommitted writes is synced first; if that fails, the
 * next COMMIT of the inode reports the error.
 *
 * Every system call goes through struct sdata_io, so tests can inject
 * failures. Functions return 0 (or a byte count) or a negative errno;
 * -ENOSPC, -EDQUOT and -EIO from the file system come back unchanged.
 */
#ifndef SDATA_H
#define SDATA_H

#include <stdbool.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/types.h>

#include "sealfs_env.h"
#include "sealfs_proto.h"

#define SDATA_MAX_OPEN		1024	/* default bound of the fd cache */

/**
 * struct sdata_io - the system calls sdata uses; each returns what the
 * call returns on success and -errno on failure
 * @arg: passed to every call
 */
struct sdata_io {
	int (*openat)(void *arg, int dirfd, const char *path, int flags,
		      mode_t mode);
	int (*mkdirat)(void *arg, int dirfd, const char *path, mode_t mode);
	int (*unlinkat)(void *arg, int dirfd, const char *path, int flags);
	ssize_t (*pread)(void *arg, int fd, void *buf, size_t n, off_t off);
	ssize_t (*pwrite)(void *arg, int fd, const void *buf, size_t n,
			  off_t off);
	int (*fdatasync)(void *arg, int fd);
	int (*fsync)(void *arg, int fd);
	int (*ftruncate)(void *arg, int fd, off_t len);
	int (*fallocate)(void *arg, int fd, int mode, off_t off, off_t len);
	int (*fstat)(void *arg, int fd, struct stat *st);
	int (*fstatvfs)(void *arg, int fd, struct statvfs *st);
	int (*close)(void *arg, int fd);
	void *arg;
};

/* The plain system calls. */
extern const struct sdata_io sdata_io_posix;

/**
 * struct sdata_opts - how to open the data store
 * @dir: the --data-dir directory; must exist
 * @max_open: descriptors kept open, 0 for %SDATA_MAX_OPEN
 * @io: system calls; NULL for &sdata_io_posix
 */
struct sdata_opts {
	const char *dir;
	u32 max_open;
	const struct sdata_io *io;
};

/**
 * struct sdata_statfs - the file system holding the data
 * @bytes: its size
 * @free: bytes available
 * @files: inodes
 * @ffree: inodes available
 */
struct sdata_statfs {
	u64 bytes;
	u64 free;
	u64 files;
	u64 ffree;
};

struct sdata;

/**
 * sdata_open - open the data store
 * @o: options; copied
 * @dp: the store
 *
 * Return: 0 or -errno (-ENOENT when @o->dir does not exist).
 */
int sdata_open(const struct sdata_opts *o, struct sdata **dp);

/**
 * sdata_close - close every descriptor and free the store; NULL is a no-op.
 * Uncommitted writes stay in the page cache (not synced).
 * @d: store
 */
void sdata_close(struct sdata *d);

/**
 * sdata_read - read this server's bytes of an inode
 * @d: store
 * @vol: volume
 * @ino: inode
 * @off: file offset
 * @buf: destination
 * @len: bytes wanted
 *
 * Holes read as zeros. Short at the end of this server's file: the server
 * holds nothing past it (0 when it holds no file at all).
 * Return: bytes read, or -errno (-EFBIG for a range past the largest offset).
 */
ssize_t sdata_read(struct sdata *d, u32 vol, u64 ino, u64 off, void *buf,
		   size_t len);

/**
 * sdata_write - write at the true file offset
 * @d: store
 * @vol: volume
 * @ino: inode
 * @off: file offset
 * @buf: data
 * @len: bytes
 * @flags: %SEALFS_WF_STABLE to commit before returning
 *
 * Return: bytes written (fewer than @len only if an error stopped it part
 * way), or -errno: -ENOSPC, -EDQUOT, -EIO, -EFBIG, -EINVAL (flags).
 */
ssize_t sdata_write(struct sdata *d, u32 vol, u64 ino, u64 off,
		    const void *buf, size_t len, u32 flags);

/**
 * sdata_commit - make the inode's writes on this server durable (COMMIT)
 * @d: store
 * @vol: volume
 * @ino: inode
 *
 * Return: 0 or -errno (-EIO: writes since the last good commit may be lost).
 */
int sdata_commit(struct sdata *d, u32 vol, u64 ino);

/**
 * sdata_truncate - DATA_TRUNCATE: drop this server's bytes past @size
 * @d: store
 * @vol: volume
 * @ino: inode
 * @size: new size; the file is never extended
 * @flags: %SEALFS_TF_DESTROY: drop all the inode's data (sdata_remove())
 *
 * Durable on return. Return: 0 or -errno.
 */
int sdata_truncate(struct sdata *d, u32 vol, u64 ino, u64 size, u32 flags);

/**
 * sdata_fallocate - FALLOCATE within this server's file
 * @d: store
 * @vol: volume
 * @ino: inode
 * @off: file offset
 * @len: bytes, not 0
 * @mode: 0 (allocate), %SEALFS_FA_PUNCH_HOLE or %SEALFS_FA_ZERO_RANGE,
 *	optionally with %SEALFS_FA_KEEP_SIZE
 *
 * Punching and zeroing are durable on return and do nothing where the
 * server holds no file. Return: 0 or -errno (-EINVAL, -EOPNOTSUPP,
 * -ENOSPC, ...).
 */
int sdata_fallocate(struct sdata *d, u32 vol, u64 ino, u64 off, u64 len,
		    u32 mode);

/**
 * sdata_remove - delete the inode's file (not synced: a crash may leave it
 * for a later scrub)
 * @d: store
 * @vol: volume
 * @ino: inode
 *
 * Return: 0 (also when there was none) or -errno.
 */
int sdata_remove(struct sdata *d, u32 vol, u64 ino);

/**
 * sdata_used - bytes the inode's file occupies (st_blocks * 512)
 * @d: store
 * @vol: volume
 * @ino: inode
 * @bytes: the count; 0 without a file
 *
 * Return: 0 or -errno.
 */
int sdata_used(struct sdata *d, u32 vol, u64 ino, u64 *bytes);

/**
 * sdata_statfs - size and free space of the data file system (STATFS)
 * @d: store
 * @out: the numbers
 *
 * Return: 0 or -errno.
 */
int sdata_statfs(struct sdata *d, struct sdata_statfs *out);

/**
 * sdata_vol_purge - delete all data of a volume (VOL_PURGE)
 * @d: store
 * @vol: volume
 *
 * Return: 0 or -errno.
 */
int sdata_vol_purge(struct sdata *d, u32 vol);

/**
 * sdata_open_count - descriptors in the cache
 * @d: store
 *
 * Return: the number.
 */
u32 sdata_open_count(struct sdata *d);

#endif /* SDATA_H */
