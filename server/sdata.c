// SPDX-License-Identifier: Apache-2.0
/*
 * sdata: one sparse flat file per inode, a bounded LRU cache of open
 * descriptors, and READ, WRITE, COMMIT, DATA_TRUNCATE and FALLOCATE on
 * them. See sdata.h for the layout and the durability rules.
 *
 * Cache: entries are found by (vol, ino) in a hash table and ordered by
 * use in a list. An entry in use has refs > 0 and is never closed under
 * its user. Eviction syncs an entry with uncommitted writes before closing
 * it, keeping it in the table meanwhile, so a concurrent user simply picks
 * it up again; if that sync fails the entry stays, holding the error, until
 * a COMMIT reports it.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sdata.h"

#define SDATA_PATH_MAX	40	/* "vvvvvvvv/xx/yy/iiiiiiiiiiiiiiii" */
#define SDATA_LEVEL_VOL	0	/* path levels: volume directory ... */
#define SDATA_LEVEL_FAN2 2	/* ... the inode's directory ... */
#define SDATA_LEVEL_FILE 3	/* ... and its file */
#define SDATA_DSYNC_NONE 3	/* no directory awaits an fsync */
#define SDATA_DSYNC_ROOT (-1)	/* level of the data directory itself */

struct sdata_file {
	struct sdata_file *hnext;	/* hash chain */
	struct sdata_file *prev;	/* use order, newest first */
	struct sdata_file *next;
	u64 ino;
	u32 vol;
	int fd;
	u32 refs;
	int err;		/* failed sync while evicting, for COMMIT */
	u64 wgen;		/* writes done */
	u64 sgen;		/* writes known durable */
	int dsync;		/* lowest directory level awaiting fsync */
	bool in_lru;
	bool hashed;
};

struct sdata {
	struct sdata_io io;
	int dirfd;
	u32 max_open;
	u32 nopen;		/* hashed entries */
	u32 nbuckets;		/* power of two */
	pthread_mutex_t lock;
	struct sdata_file **table;
	struct sdata_file lru;	/* list head */
};

static u64 sdata_mix(u64 x)
{
	x ^= x >> 30;
	x *= 0xbf58476d1ce4e5b9ull;
	x ^= x >> 27;
	x *= 0x94d049bb133111ebull;
	return x ^ (x >> 31);
}

/* Path of @level (SDATA_LEVEL_VOL .. SDATA_LEVEL_FILE) for (vol, ino). */
static void sdata_path(u32 vol, u64 ino, int level, char *buf)
{
	const u64 h = sdata_mix(ino);
	const unsigned int x = h & 0xff, y = (h >> 8) & 0xff;

	switch (level) {
	case 0:
		snprintf(buf, SDATA_PATH_MAX, "%08" PRIx32, vol);
		break;
	case 1:
		snprintf(buf, SDATA_PATH_MAX, "%08" PRIx32 "/%02x", vol, x);
		break;
	case 2:
		snprintf(buf, SDATA_PATH_MAX, "%08" PRIx32 "/%02x/%02x", vol,
			 x, y);
		break;
	default:
		snprintf(buf, SDATA_PATH_MAX, "%08" PRIx32 "/%02x/%02x/%016llx",
			 vol, x, y, (unsigned long long)ino);
	}
}

/* ---- files on disk ---- */

/* Creates the inode's directories; *dsync: the lowest one to fsync. */
static int dirs_create(struct sdata *d, u32 vol, u64 ino, int *dsync)
{
	char path[SDATA_PATH_MAX];
	int level, rc;

	*dsync = SDATA_LEVEL_FAN2;
	for (level = SDATA_LEVEL_VOL; level <= SDATA_LEVEL_FAN2; level++) {
		sdata_path(vol, ino, level, path);
		rc = d->io.mkdirat(d->io.arg, d->dirfd, path, 0700);
		if (rc == 0 && *dsync == SDATA_LEVEL_FAN2)
			*dsync = (int)(level - 1);
		else if (rc && rc != -EEXIST)
			return rc;
	}
	return 0;
}

/*
 * Opens the inode's file, creating it (and its directories) if @create;
 * *dsync says which directories must be synced to make a new file durable.
 */
static int file_open(struct sdata *d, u32 vol, u64 ino, bool create,
		     int *dsync)
{
	const int fl = O_RDWR | O_CLOEXEC;
	char path[SDATA_PATH_MAX];
	int fd, rc;

	*dsync = SDATA_DSYNC_NONE;
	sdata_path(vol, ino, SDATA_LEVEL_FILE, path);
	fd = d->io.openat(d->io.arg, d->dirfd, path, fl, 0);
	if (fd != -ENOENT || !create)
		return fd;
	rc = dirs_create(d, vol, ino, dsync);
	if (rc)
		return rc;
	fd = d->io.openat(d->io.arg, d->dirfd, path, fl | O_CREAT | O_EXCL,
			  0600);
	if (fd == -EEXIST) {
		/* someone else created it and syncs its directory */
		fd = d->io.openat(d->io.arg, d->dirfd, path, fl, 0);
	}
	return fd;
}

/* fsyncs the directories from the inode's own up to level @dsync. */
static int dirs_sync(struct sdata *d, u32 vol, u64 ino, int dsync)
{
	char path[SDATA_PATH_MAX];
	int level, fd, rc = 0;

	for (level = SDATA_LEVEL_FAN2; level >= dsync && !rc; level--) {
		if (level == SDATA_DSYNC_ROOT) {
			rc = d->io.fsync(d->io.arg, d->dirfd);
			break;
		}
		sdata_path(vol, ino, level, path);
		fd = d->io.openat(d->io.arg, d->dirfd, path,
				  O_RDONLY | O_DIRECTORY | O_CLOEXEC, 0);
		if (fd < 0)
			return fd;
		rc = d->io.fsync(d->io.arg, fd);
		d->io.close(d->io.arg, fd);
	}
	return rc;
}

/* ---- the descriptor cache ---- */

static struct sdata_file **bucket(struct sdata *d, u32 vol, u64 ino)
{
	return &d->table[sdata_mix(ino ^ ((u64)vol << 40)) & (d->nbuckets - 1)];
}

static struct sdata_file *lookup(struct sdata *d, u32 vol, u64 ino)
{
	struct sdata_file *f;

	for (f = *bucket(d, vol, ino); f; f = f->hnext)
		if (f->ino == ino && f->vol == vol)
			return f;
	return NULL;
}

static void lru_del(struct sdata_file *f)
{
	if (!f->in_lru)
		return;
	f->prev->next = f->next;
	f->next->prev = f->prev;
	f->in_lru = false;
}

static void lru_add(struct sdata *d, struct sdata_file *f)
{
	lru_del(f);
	f->next = d->lru.next;
	f->prev = &d->lru;
	d->lru.next->prev = f;
	d->lru.next = f;
	f->in_lru = true;
}

static void unhash(struct sdata *d, struct sdata_file *f)
{
	struct sdata_file **pp = bucket(d, f->vol, f->ino);

	while (*pp != f)
		pp = &(*pp)->hnext;
	*pp = f->hnext;
	f->hashed = false;
	d->nopen--;
	lru_del(f);
}

static void file_free(struct sdata *d, struct sdata_file *f)
{
	d->io.close(d->io.arg, f->fd);
	free(f);
}

/* Drops a reference; closes an entry that left the table. */
static void file_put(struct sdata *d, struct sdata_file *f)
{
	bool gone;

	pthread_mutex_lock(&d->lock);
	gone = --f->refs == 0 && !f->hashed;
	pthread_mutex_unlock(&d->lock);
	if (gone)
		file_free(d, f);
}

static bool file_dirty(const struct sdata_file *f)
{
	return f->wgen != f->sgen || f->dsync != SDATA_DSYNC_NONE;
}

/* Makes the file's writes and its new directory entries durable. */
static int file_sync(struct sdata *d, struct sdata_file *f)
{
	u64 gen;
	int dsync;
	int rc;

	pthread_mutex_lock(&d->lock);
	gen = f->wgen;
	dsync = f->dsync;
	pthread_mutex_unlock(&d->lock);
	rc = d->io.fdatasync(d->io.arg, f->fd);
	if (!rc && dsync != SDATA_DSYNC_NONE)
		rc = dirs_sync(d, f->vol, f->ino, dsync);
	if (rc)
		return rc;
	pthread_mutex_lock(&d->lock);
	if (f->sgen < gen)
		f->sgen = gen;
	if (f->dsync >= dsync)
		f->dsync = SDATA_DSYNC_NONE;
	pthread_mutex_unlock(&d->lock);
	return 0;
}

/* Syncs and closes an entry picked for eviction, unless used meanwhile. */
static void evict(struct sdata *d, struct sdata_file *f)
{
	bool dirty, gone = false;
	int rc;

	pthread_mutex_lock(&d->lock);
	dirty = file_dirty(f);
	pthread_mutex_unlock(&d->lock);
	rc = dirty ? file_sync(d, f) : 0;
	pthread_mutex_lock(&d->lock);
	if (rc)
		f->err = rc;
	if (--f->refs == 0 && !rc && f->hashed) {
		unhash(d, f);
		gone = true;
	} else if (f->hashed) {
		lru_add(d, f);
	} else {
		gone = f->refs == 0;
	}
	pthread_mutex_unlock(&d->lock);
	if (gone)
		file_free(d, f);
}

/* Under the lock: the least recently used idle entry, taken for eviction. */
static struct sdata_file *pick_victim(struct sdata *d)
{
	struct sdata_file *f;

	if (d->nopen <= d->max_open)
		return NULL;
	for (f = d->lru.prev; f != &d->lru; f = f->prev) {
		if (f->refs || f->err)
			continue;
		lru_del(f);
		f->refs++;
		return f;
	}
	return NULL;
}

static void evict_some(struct sdata *d)
{
	struct sdata_file *f;

	for (;;) {
		pthread_mutex_lock(&d->lock);
		f = pick_victim(d);
		pthread_mutex_unlock(&d->lock);
		if (!f)
			return;
		evict(d, f);
	}
}

/* Under the lock: takes a reference on a cached entry. */
static struct sdata_file *file_ref(struct sdata *d, u32 vol, u64 ino)
{
	struct sdata_file *f = lookup(d, vol, ino);

	if (f) {
		f->refs++;
		if (f->in_lru)
			lru_add(d, f);
	}
	return f;
}

static struct sdata_file *file_new(struct sdata *d, u32 vol, u64 ino, int fd,
				   int dsync)
{
	struct sdata_file *f = calloc(1, sizeof(*f));
	struct sdata_file **b;

	if (!f)
		return NULL;
	f->vol = vol;
	f->ino = ino;
	f->fd = fd;
	f->refs = 1;
	f->dsync = dsync;
	b = bucket(d, vol, ino);
	f->hnext = *b;
	*b = f;
	f->hashed = true;
	d->nopen++;
	lru_add(d, f);
	return f;
}

/*
 * The inode's file, referenced (give it back with file_put()). Without
 * @create, -ENOENT when the server holds no file for the inode.
 */
static int file_get(struct sdata *d, u32 vol, u64 ino, bool create,
		    struct sdata_file **fp)
{
	struct sdata_file *f;
	int dsync;
	int fd;

	pthread_mutex_lock(&d->lock);
	f = file_ref(d, vol, ino);
	pthread_mutex_unlock(&d->lock);
	if (f) {
		*fp = f;
		return 0;
	}
	fd = file_open(d, vol, ino, create, &dsync);
	if (fd < 0)
		return fd;
	pthread_mutex_lock(&d->lock);
	f = file_ref(d, vol, ino);
	if (f) {
		if (dsync < f->dsync)
			f->dsync = dsync;
	} else {
		f = file_new(d, vol, ino, fd, dsync);
		fd = f ? -1 : fd;
	}
	pthread_mutex_unlock(&d->lock);
	if (fd >= 0)
		d->io.close(d->io.arg, fd);
	if (!f)
		return -ENOMEM;
	evict_some(d);
	*fp = f;
	return 0;
}

/* ---- open and close ---- */

int sdata_open(const struct sdata_opts *o, struct sdata **dp)
{
	struct sdata *d;
	int fd;

	if (!o || !o->dir)
		return -EINVAL;
	d = calloc(1, sizeof(*d));
	if (!d)
		return -ENOMEM;
	d->io = o->io ? *o->io : sdata_io_posix;
	d->max_open = o->max_open ? o->max_open : SDATA_MAX_OPEN;
	d->nbuckets = 16;
	while (d->nbuckets < 2 * d->max_open && d->nbuckets < (1u << 20))
		d->nbuckets <<= 1;
	d->table = calloc(d->nbuckets, sizeof(*d->table));
	d->lru.next = d->lru.prev = &d->lru;
	fd = d->io.openat(d->io.arg, AT_FDCWD, o->dir,
			  O_RDONLY | O_DIRECTORY | O_CLOEXEC, 0);
	if (!d->table || fd < 0 || pthread_mutex_init(&d->lock, NULL)) {
		if (fd >= 0)
			d->io.close(d->io.arg, fd);
		free(d->table);
		free(d);
		return fd < 0 ? fd : -ENOMEM;
	}
	d->dirfd = fd;
	*dp = d;
	return 0;
}

void sdata_close(struct sdata *d)
{
	struct sdata_file *f, *next;
	u32 i;

	if (!d)
		return;
	for (i = 0; i < d->nbuckets; i++) {
		for (f = d->table[i]; f; f = next) {
			next = f->hnext;
			file_free(d, f);
		}
	}
	d->io.close(d->io.arg, d->dirfd);
	pthread_mutex_destroy(&d->lock);
	free(d->table);
	free(d);
}

u32 sdata_open_count(struct sdata *d)
{
	u32 n;

	pthread_mutex_lock(&d->lock);
	n = d->nopen;
	pthread_mutex_unlock(&d->lock);
	return n;
}

/* ---- I/O ---- */

static int range_check(u64 off, u64 len)
{
	if (off > (u64)INT64_MAX || len > (u64)INT64_MAX - off)
		return -EFBIG;
	return 0;
}

ssize_t sdata_read(struct sdata *d, u32 vol, u64 ino, u64 off, void *buf,
		   size_t len)
{
	struct sdata_file *f;
	size_t done = 0;
	ssize_t r = 0;
	int rc;

	rc = range_check(off, len);
	if (!rc)
		rc = file_get(d, vol, ino, false, &f);
	if (rc)
		return rc == -ENOENT ? 0 : rc;
	while (done < len) {
		r = d->io.pread(d->io.arg, f->fd, (char *)buf + done,
				len - done, (off_t)(off + done));
		if (r <= 0)
			break;
		done += (size_t)r;
	}
	file_put(d, f);
	return r < 0 && !done ? r : (ssize_t)done;
}

static int commit_file(struct sdata *d, struct sdata_file *f)
{
	int rc;

	pthread_mutex_lock(&d->lock);
	rc = f->err;
	f->err = 0;
	pthread_mutex_unlock(&d->lock);
	return rc ? rc : file_sync(d, f);
}

ssize_t sdata_write(struct sdata *d, u32 vol, u64 ino, u64 off,
		    const void *buf, size_t len, u32 flags)
{
	struct sdata_file *f;
	size_t done = 0;
	ssize_t r = 0;
	int rc;

	if (flags & ~SEALFS_WF_STABLE)
		return -EINVAL;
	rc = range_check(off, len);
	if (!rc)
		rc = file_get(d, vol, ino, true, &f);
	if (rc)
		return rc;
	while (done < len) {
		r = d->io.pwrite(d->io.arg, f->fd, (const char *)buf + done,
				 len - done, (off_t)(off + done));
		if (r <= 0)
			break;
		done += (size_t)r;
	}
	pthread_mutex_lock(&d->lock);
	f->wgen++;
	pthread_mutex_unlock(&d->lock);
	if (r == 0 && done < len)
		r = -EIO;
	if (done && (flags & SEALFS_WF_STABLE)) {
		rc = commit_file(d, f);
		if (rc)
			r = rc, done = 0;
	}
	file_put(d, f);
	return r < 0 && !done ? r : (ssize_t)done;
}

int sdata_commit(struct sdata *d, u32 vol, u64 ino)
{
	struct sdata_file *f;
	int rc;

	rc = file_get(d, vol, ino, false, &f);
	if (rc)
		return rc == -ENOENT ? 0 : rc;
	rc = commit_file(d, f);
	file_put(d, f);
	return rc;
}

int sdata_truncate(struct sdata *d, u32 vol, u64 ino, u64 size, u32 flags)
{
	struct sdata_file *f;
	struct stat st;
	int rc;

	if (flags & ~SEALFS_TF_DESTROY)
		return -EINVAL;
	if (flags & SEALFS_TF_DESTROY)
		return sdata_remove(d, vol, ino);
	if (size > (u64)INT64_MAX)
		return 0;
	rc = file_get(d, vol, ino, false, &f);
	if (rc)
		return rc == -ENOENT ? 0 : rc;
	rc = d->io.fstat(d->io.arg, f->fd, &st);
	if (!rc && (u64)st.st_size > size)
		rc = d->io.ftruncate(d->io.arg, f->fd, (off_t)size);
	if (!rc)
		rc = commit_file(d, f);
	file_put(d, f);
	return rc;
}

static int fallocate_mode(u32 mode, int *lmode)
{
	if (mode & ~SEALFS_FA_KNOWN)
		return -EINVAL;
	if ((mode & SEALFS_FA_PUNCH_HOLE) && (mode & SEALFS_FA_ZERO_RANGE))
		return -EINVAL;
	*lmode = (mode & SEALFS_FA_KEEP_SIZE) ? FALLOC_FL_KEEP_SIZE : 0;
	if (mode & SEALFS_FA_PUNCH_HOLE)
		*lmode |= FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE;
	if (mode & SEALFS_FA_ZERO_RANGE)
		*lmode |= FALLOC_FL_ZERO_RANGE;
	return 0;
}

int sdata_fallocate(struct sdata *d, u32 vol, u64 ino, u64 off, u64 len,
		    u32 mode)
{
	const bool clear = mode & (SEALFS_FA_PUNCH_HOLE | SEALFS_FA_ZERO_RANGE);
	struct sdata_file *f;
	int lmode, rc;

	rc = fallocate_mode(mode, &lmode);
	if (!rc && !len)
		rc = -EINVAL;
	if (!rc)
		rc = range_check(off, len);
	if (!rc)
		rc = file_get(d, vol, ino, !clear, &f);
	if (rc)
		return rc == -ENOENT && clear ? 0 : rc;
	rc = d->io.fallocate(d->io.arg, f->fd, lmode, (off_t)off, (off_t)len);
	if (!rc && clear)
		rc = commit_file(d, f);
	file_put(d, f);
	return rc;
}

int sdata_remove(struct sdata *d, u32 vol, u64 ino)
{
	char path[SDATA_PATH_MAX];
	struct sdata_file *f;
	bool gone = false;
	int rc;

	pthread_mutex_lock(&d->lock);
	f = lookup(d, vol, ino);
	if (f) {
		unhash(d, f);
		gone = f->refs == 0;
	}
	pthread_mutex_unlock(&d->lock);
	if (gone)
		file_free(d, f);
	sdata_path(vol, ino, SDATA_LEVEL_FILE, path);
	rc = d->io.unlinkat(d->io.arg, d->dirfd, path, 0);
	return rc == -ENOENT ? 0 : rc;
}

int sdata_used(struct sdata *d, u32 vol, u64 ino, u64 *bytes)
{
	struct sdata_file *f;
	struct stat st;
	int rc;

	*bytes = 0;
	rc = file_get(d, vol, ino, false, &f);
	if (rc)
		return rc == -ENOENT ? 0 : rc;
	rc = d->io.fstat(d->io.arg, f->fd, &st);
	if (!rc)
		*bytes = (u64)st.st_blocks * 512;
	file_put(d, f);
	return rc;
}

int sdata_statfs(struct sdata *d, struct sdata_statfs *out)
{
	struct statvfs sv;
	int rc;

	rc = d->io.fstatvfs(d->io.arg, d->dirfd, &sv);
	if (rc)
		return rc;
	out->bytes = (u64)sv.f_blocks * sv.f_frsize;
	out->free = (u64)sv.f_bavail * sv.f_frsize;
	out->files = sv.f_files;
	out->ffree = sv.f_favail;
	return 0;
}

/* ---- volume purge ---- */

/* Removes @name under @dirfd and everything below it. */
static int rm_tree(int dirfd, const char *name, int depth)
{
	struct dirent *de;
	int fd, rc = 0;
	DIR *dir;

	if (unlinkat(dirfd, name, 0) == 0)
		return 0;
	if (errno == ENOENT)
		return 0;
	if ((errno != EISDIR && errno != EPERM) || depth > SDATA_LEVEL_FILE)
		return -errno;
	fd = openat(dirfd, name, O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0)
		return -errno;
	dir = fdopendir(fd);
	if (!dir) {
		close(fd);
		return -ENOMEM;
	}
	while (!rc && (de = readdir(dir))) {
		if (strcmp(de->d_name, ".") && strcmp(de->d_name, ".."))
			rc = rm_tree(fd, de->d_name, depth + 1);
	}
	closedir(dir);
	if (!rc && unlinkat(dirfd, name, AT_REMOVEDIR))
		rc = errno == ENOENT ? 0 : -errno;
	return rc;
}

/* Takes every cached file of @vol out of the table. */
static void forget_vol(struct sdata *d, u32 vol)
{
	struct sdata_file *f, *next, *dead = NULL;
	u32 i;

	pthread_mutex_lock(&d->lock);
	for (i = 0; i < d->nbuckets; i++) {
		for (f = d->table[i]; f; f = next) {
			next = f->hnext;
			if (f->vol != vol)
				continue;
			unhash(d, f);
			if (f->refs == 0) {
				f->hnext = dead;
				dead = f;
			}
		}
	}
	pthread_mutex_unlock(&d->lock);
	for (f = dead; f; f = next) {
		next = f->hnext;
		file_free(d, f);
	}
}

int sdata_vol_purge(struct sdata *d, u32 vol)
{
	char path[SDATA_PATH_MAX];

	forget_vol(d, vol);
	sdata_path(vol, 0, SDATA_LEVEL_VOL, path);
	return rm_tree(d->dirfd, path, SDATA_LEVEL_VOL);
}
