// SPDX-License-Identifier: Apache-2.0
/*
 * sdata_io_posix: the system calls behind struct sdata_io, returning
 * -errno instead of setting errno, and retrying EINTR.
 */
#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include "sdata.h"

static int ret_int(int rc)
{
	return rc < 0 ? -errno : rc;
}

static int px_openat(void *arg, int dirfd, const char *path, int flags,
		     mode_t mode)
{
	int fd;

	(void)arg;
	do {
		fd = openat(dirfd, path, flags, mode);
	} while (fd < 0 && errno == EINTR);
	return ret_int(fd);
}

static int px_mkdirat(void *arg, int dirfd, const char *path, mode_t mode)
{
	(void)arg;
	return ret_int(mkdirat(dirfd, path, mode));
}

static int px_unlinkat(void *arg, int dirfd, const char *path, int flags)
{
	(void)arg;
	return ret_int(unlinkat(dirfd, path, flags));
}

static ssize_t px_pread(void *arg, int fd, void *buf, size_t n, off_t off)
{
	ssize_t r;

	(void)arg;
	do {
		r = pread(fd, buf, n, off);
	} while (r < 0 && errno == EINTR);
	return r < 0 ? -errno : r;
}

static ssize_t px_pwrite(void *arg, int fd, const void *buf, size_t n,
			 off_t off)
{
	ssize_t r;

	(void)arg;
	do {
		r = pwrite(fd, buf, n, off);
	} while (r < 0 && errno == EINTR);
	return r < 0 ? -errno : r;
}

static int px_fdatasync(void *arg, int fd)
{
	(void)arg;
	return ret_int(fdatasync(fd));
}

static int px_fsync(void *arg, int fd)
{
	(void)arg;
	return ret_int(fsync(fd));
}

static int px_ftruncate(void *arg, int fd, off_t len)
{
	(void)arg;
	return ret_int(ftruncate(fd, len));
}

static int px_fallocate(void *arg, int fd, int mode, off_t off, off_t len)
{
	(void)arg;
	return ret_int(fallocate(fd, mode, off, len));
}

static int px_fstat(void *arg, int fd, struct stat *st)
{
	(void)arg;
	return ret_int(fstat(fd, st));
}

static int px_fstatvfs(void *arg, int fd, struct statvfs *st)
{
	(void)arg;
	return ret_int(fstatvfs(fd, st));
}

static int px_close(void *arg, int fd)
{
	(void)arg;
	/* the descriptor is gone even on EINTR: never retry close */
	return ret_int(close(fd));
}

const struct sdata_io sdata_io_posix = {
	.openat = px_openat,
	.mkdirat = px_mkdirat,
	.unlinkat = px_unlinkat,
	.pread = px_pread,
	.pwrite = px_pwrite,
	.fdatasync = px_fdatasync,
	.fsync = px_fsync,
	.ftruncate = px_ftruncate,
	.fallocate = px_fallocate,
	.fstat = px_fstat,
	.fstatvfs = px_fstatvfs,
	.close = px_close,
};
