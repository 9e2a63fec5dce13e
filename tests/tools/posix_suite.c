// SPDX-License-Identifier: Apache-2.0
/*
 * posix_suite DIR: POSIX (and Linux VFS) conformance checks for the file
 * system DIR is on, printed as TAP: one "ok N - name" or "not ok N - name:
 * got X, expected Y" line per check, the plan "1..N" last. Exit status 0
 * only when every check passed (a "# SKIP" line counts as passed).
 *
 * Every test works in a fresh subdirectory DIR/<test> and removes it at the
 * end; the removal is a check of its own. Data comes from a seeded xorshift
 * generator, so a run is deterministic. Run as root to get the ownership,
 * trusted.* and permission checks (those run in a child with effective
 * uid and gid 65534, so DIR must be searchable by that user); as another
 * user they are skipped.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <grp.h>
#include <inttypes.h>
#include <limits.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/statvfs.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <sys/xattr.h>
#include <time.h>
#include <unistd.h>

#ifndef RENAME_NOREPLACE
#define RENAME_NOREPLACE (1 << 0)
#endif

#define KiB 1024L
#define MiB (1024L * KiB)
#define GiB (1024L * MiB)

/* ---- TAP reporting ------------------------------------------------------ */

static int n_checks, n_failed;
static const char *cur_test = "";
static char base_dir[PATH_MAX];
static bool is_root;

static const char *ename(int e)
{
	static char buf[16];
	const char *n;

	if (e == 0)
		return "success";
	n = strerrorname_np(e);
	if (n)
		return n;
	snprintf(buf, sizeof(buf), "errno %d", e);
	return buf;
}

static void report(bool pass, const char *name, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static void report(bool pass, const char *name, const char *fmt, ...)
{
	va_list ap;

	n_checks++;
	if (pass) {
		printf("ok %d - %s: %s\n", n_checks, cur_test, name);
		return;
	}
	n_failed++;
	printf("not ok %d - %s: %s: ", n_checks, cur_test, name);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
}

static void skip(const char *name, const char *reason)
{
	n_checks++;
	printf("ok %d - %s: %s # SKIP %s\n", n_checks, cur_test, name, reason);
}

/* A call that must succeed (return >= 0). */
static long expect_ok_(const char *name, long rc, int e)
{
	if (rc >= 0)
		report(true, name, " ");
	else
		report(false, name, "got %ld, expected success (%s)", rc, ename(e));
	return rc;
}

/* A call that must fail with errno WANT. */
static void expect_err_(const char *name, long rc, int e, int want)
{
	if (rc == -1 && e == want)
		report(true, name, " ");
	else if (rc == -1)
		report(false, name, "got -1 (%s), expected -1 (%s)", ename(e), ename(want));
	else
		report(false, name, "got %ld (success), expected -1 (%s)", rc, ename(want));
}

#define EXPECT_OK(name, expr) ({ \
	errno = 0; \
	long r_ = (long)(expr); \
	expect_ok_((name), r_, errno); \
})
#define EXPECT_ERR(name, expr, want) ({ \
	errno = 0; \
	long r_ = (long)(expr); \
	expect_err_((name), r_, errno, (want)); \
	r_; \
})

static void expect_mode(const char *name, unsigned int got, unsigned int want)
{
	if (got == want)
		report(true, name, " ");
	else
		report(false, name, "got 0%o, expected 0%o", got, want);
}

/* A value; a negative one is shown with the errno the call left. */
static void expect_int_(const char *name, long long got, int e, long long want)
{
	if (got == want)
		report(true, name, " ");
	else if (got < 0 && e)
		report(false, name, "got %lld (%s), expected %lld", got, ename(e), want);
	else
		report(false, name, "got %lld, expected %lld", got, want);
}

#define expect_int(name, got, want) ({ \
	errno = 0; \
	long long g_ = (long long)(got); \
	expect_int_((name), g_, errno, (want)); \
})

/* An errno value (0 for success) reported by a child process. */
static void expect_errno(const char *name, int got, int want)
{
	if (got == want)
		report(true, name, " ");
	else
		report(false, name, "got %s, expected %s", ename(got), ename(want));
}

static void expect_true(const char *name, bool cond, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static void expect_true(const char *name, bool cond, const char *fmt, ...)
{
	char buf[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	report(cond, name, "%s", buf);
}

/* Compares N bytes; reports the first differing offset. */
static void expect_mem(const char *name, const void *got, const void *want, size_t n)
{
	const unsigned char *g = got, *w = want;
	size_t i;

	for (i = 0; i < n && g[i] == w[i]; i++)
		;
	if (i == n)
		report(true, name, " ");
	else
		report(false, name, "got byte 0x%02x at offset %zu, expected 0x%02x", g[i], i,
		       w[i]);
}

/* ---- helpers ------------------------------------------------------------ */

static uint64_t rng_state;

static void rng_seed(uint64_t seed)
{
	rng_state = seed ? seed : 0x9e3779b97f4a7c15ULL;
}

static uint64_t rng_next(void)
{
	uint64_t x = rng_state;

	x ^= x << 13;
	x ^= x >> 7;
	x ^= x << 17;
	rng_state = x;
	return x * 0x2545f4914f6cdd1dULL;
}

static void rng_fill(void *buf, size_t n, uint64_t seed)
{
	unsigned char *p = buf;
	size_t i;

	rng_seed(seed);
	for (i = 0; i + 8 <= n; i += 8) {
		uint64_t v = rng_next();

		memcpy(p + i, &v, 8);
	}
	for (; i < n; i++)
		p[i] = (unsigned char)rng_next();
}

static void *xmalloc(size_t n)
{
	void *p = calloc(1, n ? n : 1);

	if (!p) {
		perror("calloc");
		exit(2);
	}
	return p;
}

static ssize_t write_all(int fd, const void *buf, size_t n)
{
	const char *p = buf;
	size_t done = 0;

	while (done < n) {
		ssize_t w = write(fd, p + done, n - done);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return done ? (ssize_t)done : w;
		done += (size_t)w;
	}
	return (ssize_t)done;
}

static ssize_t read_all(int fd, void *buf, size_t n)
{
	char *p = buf;
	size_t done = 0;

	while (done < n) {
		ssize_t r = read(fd, p + done, n - done);

		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return done ? (ssize_t)done : r;
		if (r == 0)
			break;
		done += (size_t)r;
	}
	return (ssize_t)done;
}

/* Creates or truncates PATH with content BUF[N]; -1 with errno on failure. */
static int put_file(const char *path, const void *buf, size_t n)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	int e;

	if (fd < 0)
		return -1;
	if (write_all(fd, buf, n) != (ssize_t)n) {
		e = errno ? errno : EIO;
		close(fd);
		errno = e;
		return -1;
	}
	return close(fd);
}

static int put_str(const char *path, const char *s)
{
	return put_file(path, s, strlen(s));
}

/* Reads up to MAX bytes of PATH; -1 with errno on failure. */
static ssize_t get_file(const char *path, void *buf, size_t max)
{
	int fd = open(path, O_RDONLY);
	ssize_t r;
	int e;

	if (fd < 0)
		return -1;
	r = read_all(fd, buf, max);
	e = errno;
	close(fd);
	errno = e;
	return r;
}

/* PATH's content must be the string WANT. */
static void expect_content(const char *name, const char *path, const char *want)
{
	char buf[4096];
	ssize_t r;

	errno = 0;
	r = get_file(path, buf, sizeof(buf) - 1);
	if (r < 0) {
		report(false, name, "got open/read error (%s), expected \"%s\"", ename(errno),
		       want);
		return;
	}
	buf[r] = 0;
	if (strcmp(buf, want) == 0)
		report(true, name, " ");
	else
		report(false, name, "got \"%.64s\", expected \"%s\"", buf, want);
}

/* lstat that returns the struct zeroed on failure; the errno is kept. */
static struct stat lst(const char *path)
{
	struct stat st;

	if (lstat(path, &st) < 0)
		memset(&st, 0, sizeof(st));
	return st;
}

static struct stat fst(int fd)
{
	struct stat st;

	if (fstat(fd, &st) < 0)
		memset(&st, 0, sizeof(st));
	return st;
}

static int renameat2_(const char *from, const char *to, unsigned int flags)
{
	return (int)syscall(SYS_renameat2, AT_FDCWD, from, AT_FDCWD, to, flags);
}

static bool all_zero(const void *buf, size_t n)
{
	const unsigned char *p = buf;
	size_t i;

	for (i = 0; i < n; i++)
		if (p[i])
			return false;
	return true;
}

static int ts_cmp(struct timespec a, struct timespec b)
{
	if (a.tv_sec != b.tv_sec)
		return a.tv_sec < b.tv_sec ? -1 : 1;
	if (a.tv_nsec != b.tv_nsec)
		return a.tv_nsec < b.tv_nsec ? -1 : 1;
	return 0;
}

/* ---- per-test directories ----------------------------------------------- */

static int rm_first_errno;
static char rm_first_path[PATH_MAX];

static int rm_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)ftw;
	if ((flag == FTW_DP ? rmdir(path) : unlink(path)) < 0 && !rm_first_errno) {
		rm_first_errno = errno;
		snprintf(rm_first_path, sizeof(rm_first_path), "%s", path);
	}
	return 0;
}

static int rm_rf(const char *path)
{
	struct stat st;

	rm_first_errno = 0;
	if (lstat(path, &st) < 0)
		return errno == ENOENT ? 0 : -1;
	if (nftw(path, rm_one, 32, FTW_DEPTH | FTW_PHYS) < 0 && !rm_first_errno)
		rm_first_errno = errno;
	if (rm_first_errno) {
		errno = rm_first_errno;
		return -1;
	}
	return 0;
}

/* Starts test NAME in a fresh DIR/NAME, the current directory until tend(). */
static bool tbegin(const char *name)
{
	cur_test = name;
	printf("# %s\n", name);
	if (chdir(base_dir) < 0 || rm_rf(name) < 0) {
		report(false, "fresh test directory",
		       "got %s removing the old one, expected success", ename(errno));
		return false;
	}
	if (mkdir(name, 0755) < 0 || chdir(name) < 0) {
		report(false, "fresh test directory", "got %s, expected success", ename(errno));
		return false;
	}
	return true;
}

static void tend(void)
{
	int rc;

	if (chdir(base_dir) < 0) {
		report(false, "cleanup", "got %s entering %s, expected success", ename(errno),
		       base_dir);
		return;
	}
	rc = rm_rf(cur_test);
	if (rc < 0)
		report(false, "cleanup", "got %s removing %s, expected success", ename(errno),
		       rm_first_path[0] ? rm_first_path : cur_test);
	else
		EXPECT_ERR("cleanup: directory gone", access(cur_test, F_OK), ENOENT);
}

/*
 * Runs FN in a child whose effective uid and gid are 65534 and no
 * supplementary groups; FN stores up to N errno values (0 for success) in
 * RES, which come back to the parent. A child that fails to run leaves every
 * result at -1 ("child failed").
 */
#define NOBODY 65534
static void as_nobody(void (*fn)(int *res), int *res, int n)
{
	int p[2], status, i;
	pid_t pid;

	for (i = 0; i < n; i++)
		res[i] = -1;
	fflush(stdout);
	if (pipe(p) < 0)
		return;
	pid = fork();
	if (pid < 0) {
		close(p[0]);
		close(p[1]);
		return;
	}
	if (pid == 0) {
		int *r = xmalloc(sizeof(int) * (size_t)n);

		close(p[0]);
		if (setgroups(0, NULL) < 0 || setegid(NOBODY) < 0 || seteuid(NOBODY) < 0)
			_exit(1);
		for (i = 0; i < n; i++)
			r[i] = -1;
		fn(r);
		if (write(p[1], r, sizeof(int) * (size_t)n) < 0)
			_exit(1);
		_exit(0);
	}
	close(p[1]);
	if (read(p[0], res, sizeof(int) * (size_t)n) != (ssize_t)(sizeof(int) * (size_t)n))
		for (i = 0; i < n; i++)
			res[i] = -1;
	close(p[0]);
	waitpid(pid, &status, 0);
}

/* -1 when any of several calls joined with || failed, else 0. */
#define ALL(expr) ((expr) ? -1 : 0)

/* errno of a call in a child: 0 for success. */
#define E(expr) ((expr) < 0 ? errno : 0)

static int try_open(const char *path, int flags)
{
	int fd = open(path, flags, 0644);

	if (fd < 0)
		return errno;
	close(fd);
	return 0;
}

static int try_opendir(const char *path)
{
	DIR *d = opendir(path);

	if (!d)
		return errno;
	closedir(d);
	return 0;
}

/* ---- open, creat -------------------------------------------------------- */

static void test_open(void)
{
	char name[300], buf[64];
	int fd, fd2;
	struct stat st;

	if (!tbegin("open"))
		return;
	fd = EXPECT_OK("O_CREAT|O_EXCL on a new name", open("f", O_RDWR | O_CREAT | O_EXCL, 0666));
	expect_int("write to the new file", write(fd, "hello", 5), 5);
	close(fd);
	expect_mode("O_CREAT mode less umask 022", lst("f").st_mode & 07777, 0644);
	EXPECT_ERR("O_CREAT|O_EXCL on an existing file", open("f", O_RDWR | O_CREAT | O_EXCL, 0644),
		   EEXIST);
	fd = EXPECT_OK("O_CREAT without O_EXCL on an existing file",
		       open("f", O_RDWR | O_CREAT, 0644));
	expect_int("O_CREAT keeps the existing content", read(fd, buf, sizeof(buf)), 5);
	close(fd);
	fd = EXPECT_OK("O_TRUNC on an existing file", open("f", O_RDWR | O_TRUNC));
	expect_int("O_TRUNC empties the file", fst(fd).st_size, 0);
	close(fd);
	expect_int("size after O_TRUNC and close", lst("f").st_size, 0);
	EXPECT_OK("put 10 bytes", put_str("f", "0123456789"));
	fd = EXPECT_OK("creat() on an existing file", creat("f", 0644));
	close(fd);
	expect_int("creat() truncates", lst("f").st_size, 0);

	fd = open("f", O_WRONLY | O_APPEND);
	fd2 = open("f", O_WRONLY | O_APPEND);
	expect_true("two O_APPEND descriptors", fd >= 0 && fd2 >= 0, "got fds %d %d (%s)", fd, fd2,
		    ename(errno));
	expect_int("O_APPEND write 1", write(fd, "AAAA", 4), 4);
	expect_int("O_APPEND write 2", write(fd2, "BBBB", 4), 4);
	lseek(fd, 0, SEEK_SET);
	expect_int("O_APPEND write 3 after lseek to 0", write(fd, "CC", 2), 2);
	expect_int("O_APPEND offset is the new end", lseek(fd, 0, SEEK_CUR), 10);
	close(fd);
	close(fd2);
	expect_content("O_APPEND writes from two fds all land at the end", "f", "AAAABBBBCC");

	EXPECT_ERR("open a missing file", open("missing", O_RDONLY), ENOENT);
	EXPECT_ERR("O_CREAT in a missing directory", open("nodir/x", O_RDWR | O_CREAT, 0644),
		   ENOENT);
	EXPECT_ERR("path through a regular file", open("f/x", O_RDONLY), ENOTDIR);
	EXPECT_ERR("O_CREAT through a regular file", open("f/x", O_RDWR | O_CREAT, 0644), ENOTDIR);
	EXPECT_ERR("O_DIRECTORY on a regular file", open("f", O_RDONLY | O_DIRECTORY), ENOTDIR);
	EXPECT_OK("mkdir d", mkdir("d", 0755));
	EXPECT_ERR("open a directory O_WRONLY", open("d", O_WRONLY), EISDIR);
	EXPECT_ERR("open a directory O_RDWR", open("d", O_RDWR), EISDIR);
	EXPECT_ERR("O_CREAT on a directory", open("d", O_WRONLY | O_CREAT, 0644), EISDIR);
	fd = EXPECT_OK("open a directory O_RDONLY|O_DIRECTORY", open("d", O_RDONLY | O_DIRECTORY));
	if (fd >= 0)
		close(fd);
	fd = EXPECT_OK("O_CREAT|O_EXCL in a subdirectory",
		       open("d/g", O_RDWR | O_CREAT | O_EXCL, 0600));
	if (fd >= 0)
		close(fd);
	expect_mode("subdirectory file mode", lst("d/g").st_mode & 07777, 0600);
	expect_true("subdirectory file is regular", S_ISREG(lst("d/g").st_mode), "mode 0%o",
		    lst("d/g").st_mode);

	memset(name, 'n', 256);
	name[256] = 0;
	EXPECT_ERR("O_CREAT with a 256-byte name", open(name, O_RDWR | O_CREAT, 0644),
		   ENAMETOOLONG);
	EXPECT_ERR("stat of a 256-byte name", stat(name, &st), ENAMETOOLONG);
	name[255] = 0;
	fd = EXPECT_OK("O_CREAT with a 255-byte name", open(name, O_RDWR | O_CREAT, 0644));
	if (fd >= 0)
		close(fd);
	EXPECT_OK("stat of a 255-byte name", stat(name, &st));
	EXPECT_OK("unlink a 255-byte name", unlink(name));

	EXPECT_OK("symlink to a missing target", symlink("nowhere", "dangling"));
	EXPECT_ERR("O_CREAT|O_EXCL on a dangling symlink",
		   open("dangling", O_RDWR | O_CREAT | O_EXCL, 0644), EEXIST);
	fd = EXPECT_OK("O_RDONLY open", open("f", O_RDONLY));
	EXPECT_ERR("write to an O_RDONLY fd", write(fd, "x", 1), EBADF);
	close(fd);
	fd = EXPECT_OK("O_WRONLY open", open("f", O_WRONLY));
	EXPECT_ERR("read from an O_WRONLY fd", read(fd, buf, 1), EBADF);
	close(fd);
	tend();
}

/* ---- mkdir, rmdir ------------------------------------------------------- */

static void test_mkdir(void)
{
	char name[300];

	if (!tbegin("mkdir"))
		return;
	EXPECT_OK("mkdir a", mkdir("a", 0777));
	expect_true("a is a directory", S_ISDIR(lst("a").st_mode), "mode 0%o", lst("a").st_mode);
	expect_mode("mkdir mode less umask", lst("a").st_mode & 07777, 0755);
	expect_int("empty directory nlink", lst("a").st_nlink, 2);
	EXPECT_ERR("mkdir on an existing directory", mkdir("a", 0755), EEXIST);
	EXPECT_ERR("mkdir with a missing parent", mkdir("a/x/y", 0755), ENOENT);
	EXPECT_OK("mkdir a/b", mkdir("a/b", 0755));
	EXPECT_OK("mkdir a/b/c", mkdir("a/b/c", 0755));
	EXPECT_OK("mkdir a/b/c/d", mkdir("a/b/c/d", 0700));
	expect_mode("nested mkdir mode 0700", lst("a/b/c/d").st_mode & 07777, 0700);
	expect_int("parent nlink counts a subdirectory", lst("a").st_nlink, 3);
	EXPECT_OK("file in the deepest directory", put_str("a/b/c/d/f", "deep"));
	expect_content("deep file content", "a/b/c/d/f", "deep");
	EXPECT_OK("put a file", put_str("file", "x"));
	EXPECT_ERR("mkdir under a regular file", mkdir("file/x", 0755), ENOTDIR);
	EXPECT_ERR("mkdir on an existing file", mkdir("file", 0755), EEXIST);
	EXPECT_OK("dangling symlink", symlink("nowhere", "dl"));
	EXPECT_ERR("mkdir on a dangling symlink", mkdir("dl", 0755), EEXIST);
	memset(name, 'm', 256);
	name[256] = 0;
	EXPECT_ERR("mkdir with a 256-byte name", mkdir(name, 0755), ENAMETOOLONG);

	EXPECT_ERR("rmdir a non-empty directory", rmdir("a/b/c/d"), ENOTEMPTY);
	EXPECT_ERR("rmdir a directory with subdirectories", rmdir("a"), ENOTEMPTY);
	EXPECT_ERR("rmdir a missing name", rmdir("missing"), ENOENT);
	EXPECT_ERR("rmdir a regular file", rmdir("file"), ENOTDIR);
	EXPECT_ERR("rmdir a symlink", rmdir("dl"), ENOTDIR);
	EXPECT_ERR("rmdir \".\"", rmdir("a/b/."), EINVAL);
	EXPECT_OK("unlink the deep file", unlink("a/b/c/d/f"));
	EXPECT_OK("rmdir a/b/c/d", rmdir("a/b/c/d"));
	EXPECT_ERR("removed directory is gone", access("a/b/c/d", F_OK), ENOENT);
	EXPECT_OK("rmdir a/b/c", rmdir("a/b/c"));
	EXPECT_OK("rmdir a/b", rmdir("a/b"));
	expect_int("parent nlink after rmdir", lst("a").st_nlink, 2);
	EXPECT_OK("rmdir a", rmdir("a"));
	EXPECT_ERR("rmdir twice", rmdir("a"), ENOENT);
	EXPECT_OK("mkdir again after rmdir", mkdir("a", 0755));
	tend();
}

/* ---- mknod: FIFO, socket, device ---------------------------------------- */

static void test_mknod(void)
{
	char buf[8] = "";
	int rfd, wfd;

	if (!tbegin("mknod"))
		return;
	EXPECT_OK("mknod S_IFIFO", mknod("fifo", S_IFIFO | 0640, 0));
	expect_true("stat says FIFO", S_ISFIFO(lst("fifo").st_mode), "mode 0%o",
		    lst("fifo").st_mode);
	expect_mode("FIFO permissions", lst("fifo").st_mode & 07777, 0640);
	EXPECT_OK("mkfifo", mkfifo("fifo2", 0600));
	expect_true("mkfifo makes a FIFO", S_ISFIFO(lst("fifo2").st_mode), "mode 0%o",
		    lst("fifo2").st_mode);
	EXPECT_OK("mknod S_IFSOCK", mknod("sock", S_IFSOCK | 0755, 0));
	expect_true("stat says socket", S_ISSOCK(lst("sock").st_mode), "mode 0%o",
		    lst("sock").st_mode);
	EXPECT_OK("mknod S_IFREG", mknod("reg", S_IFREG | 0600, 0));
	expect_true("mknod S_IFREG makes an empty regular file",
		    S_ISREG(lst("reg").st_mode) && lst("reg").st_size == 0, "mode 0%o size %lld",
		    lst("reg").st_mode, (long long)lst("reg").st_size);
	EXPECT_ERR("mknod on an existing name", mknod("fifo", S_IFIFO | 0600, 0), EEXIST);
	rfd = EXPECT_OK("open the FIFO for reading, non-blocking",
			open("fifo", O_RDONLY | O_NONBLOCK));
	wfd = EXPECT_OK("open the FIFO for writing", open("fifo", O_WRONLY | O_NONBLOCK));
	if (rfd >= 0 && wfd >= 0) {
		expect_int("write into the FIFO", write(wfd, "pipe", 4), 4);
		expect_int("read from the FIFO", read(rfd, buf, sizeof(buf)), 4);
		expect_mem("FIFO data", buf, "pipe", 4);
	}
	if (rfd >= 0)
		close(rfd);
	if (wfd >= 0)
		close(wfd);
	EXPECT_ERR("open a socket file", open("sock", O_RDONLY), ENXIO);
	if (is_root) {
		EXPECT_OK("mknod a character device", mknod("null", S_IFCHR | 0666, makedev(1, 3)));
		expect_true("character device type and rdev",
			    S_ISCHR(lst("null").st_mode) && lst("null").st_rdev == makedev(1, 3),
			    "mode 0%o rdev %u:%u", lst("null").st_mode, major(lst("null").st_rdev),
			    minor(lst("null").st_rdev));
		EXPECT_OK("mknod a block device", mknod("blk", S_IFBLK | 0600, makedev(7, 200)));
		expect_true("block device type and rdev",
			    S_ISBLK(lst("blk").st_mode) && lst("blk").st_rdev == makedev(7, 200),
			    "mode 0%o rdev %u:%u", lst("blk").st_mode, major(lst("blk").st_rdev),
			    minor(lst("blk").st_rdev));
	} else {
		skip("mknod a character device", "not root");
		skip("mknod a block device", "not root");
	}
	EXPECT_OK("unlink the FIFO", unlink("fifo"));
	EXPECT_OK("unlink the socket", unlink("sock"));
	EXPECT_ERR("FIFO gone", access("fifo", F_OK), ENOENT);
	tend();
}

/* ---- unlink, open-unlinked files ---------------------------------------- */

static void test_unlink(void)
{
	char buf[16] = "";
	struct stat st;
	int fd;

	if (!tbegin("unlink"))
		return;
	EXPECT_OK("put a file", put_str("f", "data"));
	EXPECT_OK("unlink a file", unlink("f"));
	EXPECT_ERR("unlinked name is gone", stat("f", &st), ENOENT);
	EXPECT_ERR("unlink it again", unlink("f"), ENOENT);
	EXPECT_OK("mkdir", mkdir("d", 0755));
	EXPECT_ERR("unlink a directory", unlink("d"), EISDIR);
	EXPECT_OK("put a file", put_str("g", "target"));
	EXPECT_ERR("unlink through a regular file", unlink("g/x"), ENOTDIR);
	EXPECT_OK("symlink", symlink("g", "s"));
	EXPECT_OK("unlink the symlink", unlink("s"));
	expect_content("unlinking a symlink leaves its target", "g", "target");

	fd = EXPECT_OK("open a new file", open("open", O_RDWR | O_CREAT, 0644));
	expect_int("write before unlink", write(fd, "abc", 3), 3);
	EXPECT_OK("unlink the open file", unlink("open"));
	EXPECT_ERR("name gone while open", access("open", F_OK), ENOENT);
	expect_int("fstat nlink after unlink", fst(fd).st_nlink, 0);
	expect_int("write after unlink", write(fd, "def", 3), 3);
	expect_int("fstat size after unlink and write", fst(fd).st_size, 6);
	expect_int("pread after unlink", pread(fd, buf, sizeof(buf), 0), 6);
	expect_mem("content after unlink", buf, "abcdef", 6);
	EXPECT_OK("ftruncate after unlink", ftruncate(fd, 2));
	expect_int("size after ftruncate of an unlinked file", fst(fd).st_size, 2);
	EXPECT_OK("close the unlinked file", close(fd));
	fd = open("open", O_RDWR | O_CREAT | O_EXCL, 0644);
	expect_true("the name can be created again", fd >= 0 && fst(fd).st_size == 0, "fd %d (%s)",
		    fd, ename(errno));
	if (fd >= 0)
		close(fd);
	tend();
}

/* ---- link --------------------------------------------------------------- */

static void test_link(void)
{
	if (!tbegin("link"))
		return;
	/* Each scenario has names of its own, so one failure does not cascade. */
	EXPECT_OK("put a", put_str("a", "shared"));
	EXPECT_OK("link a b", link("a", "b"));
	expect_int("nlink of the old name", lst("a").st_nlink, 2);
	expect_int("nlink of the new name", lst("b").st_nlink, 2);
	expect_true("both names are the same inode", lst("a").st_ino == lst("b").st_ino,
		    "inodes %ju and %ju", (uintmax_t)lst("a").st_ino, (uintmax_t)lst("b").st_ino);
	expect_content("content through the new name", "b", "shared");
	EXPECT_OK("write through the new name", put_str("b", "changed"));
	expect_content("write through one name seen through the other", "a", "changed");
	EXPECT_OK("unlink the first name", unlink("a"));
	expect_int("nlink after unlinking one name", lst("b").st_nlink, 1);
	expect_content("content survives unlinking one name", "b", "changed");

	EXPECT_OK("put e1 and e2", ALL(put_str("e1", "1") || put_str("e2", "2")));
	EXPECT_ERR("link onto an existing name", link("e1", "e2"), EEXIST);
	expect_content("failed link leaves the target", "e2", "2");
	EXPECT_OK("mkdir d", mkdir("d", 0755));
	EXPECT_ERR("link to a directory", link("d", "dlink"), EPERM);
	EXPECT_ERR("link a missing file", link("missing", "x"), ENOENT);
	EXPECT_ERR("link into a missing directory", link("e1", "nodir/x"), ENOENT);
	EXPECT_ERR("link with a file as directory", link("e1", "e2/x"), ENOTDIR);

	EXPECT_OK("put m", put_str("m", "many names"));
	EXPECT_OK("mkdir s1 and s2", ALL(mkdir("s1", 0755) || mkdir("s2", 0755)));
	EXPECT_OK("link into a subdirectory", link("m", "s1/m1"));
	EXPECT_OK("link from a subdirectory into another", link("m", "s2/m2"));
	EXPECT_OK("link a third name in the same directory", link("m", "m3"));
	expect_int("nlink with four names", lst("m").st_nlink, 4);
	expect_int("nlink seen through another directory", lst("s2/m2").st_nlink, 4);
	expect_content("content through a subdirectory link", "s1/m1", "many names");
	EXPECT_OK("unlink m", unlink("m"));
	EXPECT_OK("unlink s1/m1", unlink("s1/m1"));
	EXPECT_OK("unlink m3", unlink("m3"));
	expect_int("nlink of the last name", lst("s2/m2").st_nlink, 1);
	expect_content("content at the last name", "s2/m2", "many names");
	tend();
}

/* ---- symlink, readlink -------------------------------------------------- */

static void test_symlink(void)
{
	char buf[PATH_MAX], target[1001];
	struct stat st;
	ssize_t n;
	int fd;

	if (!tbegin("symlink"))
		return;
	EXPECT_OK("put the target", put_str("target", "through link"));
	EXPECT_OK("symlink", symlink("target", "s"));
	n = readlink("s", buf, sizeof(buf));
	expect_true("readlink returns the target", n == 6 && memcmp(buf, "target", 6) == 0,
		    "got %zd \"%.*s\"", n, n > 0 ? (int)n : 0, buf);
	expect_true("lstat says symlink", S_ISLNK(lst("s").st_mode), "mode 0%o", lst("s").st_mode);
	expect_int("lstat size is the target length", lst("s").st_size, 6);
	EXPECT_OK("stat follows the link", stat("s", &st));
	expect_true("stat of the link is the target",
		    S_ISREG(st.st_mode) && st.st_ino == lst("target").st_ino,
		    "mode 0%o ino %ju, target ino %ju", st.st_mode, (uintmax_t)st.st_ino,
		    (uintmax_t)lst("target").st_ino);
	expect_content("open through the link", "s", "through link");
	EXPECT_ERR("O_NOFOLLOW on a symlink", open("s", O_RDONLY | O_NOFOLLOW), ELOOP);
	EXPECT_ERR("symlink onto an existing name", symlink("x", "s"), EEXIST);
	EXPECT_ERR("readlink of a regular file", readlink("target", buf, sizeof(buf)), EINVAL);
	expect_int("readlink with a small buffer truncates", readlink("s", buf, 3), 3);

	EXPECT_OK("dangling symlink", symlink("nowhere/at/all", "dangle"));
	EXPECT_OK("lstat of a dangling link", lstat("dangle", &st));
	EXPECT_ERR("stat of a dangling link", stat("dangle", &st), ENOENT);
	EXPECT_ERR("open of a dangling link", open("dangle", O_RDONLY), ENOENT);
	n = readlink("dangle", buf, sizeof(buf));
	expect_true("readlink of a dangling link",
		    n == 14 && memcmp(buf, "nowhere/at/all", 14) == 0, "got %zd (%s)", n,
		    ename(n < 0 ? errno : 0));
	EXPECT_OK("self-referencing symlink", symlink("loop", "loop"));
	EXPECT_ERR("stat of a self loop", stat("loop", &st), ELOOP);
	EXPECT_ERR("open of a self loop", open("loop", O_RDONLY), ELOOP);
	EXPECT_OK("two-link loop a", symlink("lb", "la"));
	EXPECT_OK("two-link loop b", symlink("la", "lb"));
	EXPECT_ERR("stat of a two-link loop", stat("la", &st), ELOOP);

	memset(target, 't', 1000);
	for (int i = 50; i < 1000; i += 50)
		target[i] = '/';
	target[1000] = 0;
	EXPECT_OK("symlink with a 1000-byte target", symlink(target, "long"));
	n = readlink("long", buf, sizeof(buf));
	expect_true("1000-byte target round trip", n == 1000 && memcmp(buf, target, 1000) == 0,
		    "got %zd bytes", n);

	EXPECT_OK("mkdir", mkdir("d", 0755));
	EXPECT_OK("put a file in it", put_str("d/f", "in dir"));
	EXPECT_OK("symlink to a directory", symlink("d", "sd"));
	expect_true("stat of a directory link", stat("sd", &st) == 0 && S_ISDIR(st.st_mode),
		    "mode 0%o", st.st_mode);
	expect_content("path through a directory link", "sd/f", "in dir");
	EXPECT_OK("symlink in a subdirectory with a relative target", symlink("../target", "d/up"));
	expect_content("relative target resolves from the link's directory", "d/up",
		       "through link");
	EXPECT_OK("absolute symlink", symlink(base_dir, "abs"));
	expect_true("absolute target", stat("abs", &st) == 0 && S_ISDIR(st.st_mode), "mode 0%o",
		    st.st_mode);
	EXPECT_OK("dangling symlink to a plain name", symlink("created", "dangle2"));
	fd = EXPECT_OK("O_CREAT through a dangling link",
		       open("dangle2", O_WRONLY | O_CREAT, 0644));
	if (fd >= 0)
		close(fd);
	EXPECT_OK("O_CREAT through a dangling link created its target", access("created", F_OK));
	EXPECT_OK("unlink the symlink", unlink("s"));
	expect_content("target survives unlinking the link", "target", "through link");
	tend();
}

/* ---- rename ------------------------------------------------------------- */

static void test_rename(void)
{
	char buf[32], from[64], to[64];
	struct stat st;
	ino_t ino;
	int fd, i, good;

	if (!tbegin("rename"))
		return;
	/* Each scenario has names of its own, so one failure does not cascade. */
	EXPECT_OK("put a", put_str("a", "AAA"));
	ino = lst("a").st_ino;
	EXPECT_OK("rename a file to a new name", rename("a", "b"));
	EXPECT_ERR("old name gone", access("a", F_OK), ENOENT);
	expect_content("content at the new name", "b", "AAA");
	expect_true("same inode after rename", lst("b").st_ino == ino, "got %ju, expected %ju",
		    (uintmax_t)lst("b").st_ino, (uintmax_t)ino);

	EXPECT_OK("put src and victim",
		  ALL(put_str("src", "new content") || put_str("victim", "old content")));
	ino = lst("src").st_ino;
	fd = open("victim", O_RDONLY);
	EXPECT_OK("rename over an existing file", rename("src", "victim"));
	expect_content("target has the renamed file's content", "victim", "new content");
	expect_true("target is the renamed inode", lst("victim").st_ino == ino,
		    "got %ju, expected %ju", (uintmax_t)lst("victim").st_ino, (uintmax_t)ino);
	EXPECT_ERR("source name gone", access("src", F_OK), ENOENT);
	expect_int("replaced inode nlink drops to 0", fst(fd).st_nlink, 0);
	memset(buf, 0, sizeof(buf));
	expect_true("replaced inode still readable through an open fd",
		    pread(fd, buf, sizeof(buf), 0) == 11 && memcmp(buf, "old content", 11) == 0,
		    "got \"%.31s\"", buf);
	if (fd >= 0)
		close(fd);

	EXPECT_OK("mkdir d1 d2", ALL(mkdir("d1", 0755) || mkdir("d2", 0755)));
	EXPECT_OK("put d1/x", put_str("d1/x", "moved"));
	EXPECT_OK("rename a file between directories", rename("d1/x", "d2/y"));
	expect_content("file in the other directory", "d2/y", "moved");
	EXPECT_ERR("source gone from the first directory", access("d1/x", F_OK), ENOENT);

	EXPECT_OK("make a tree D/s1/s2 with files",
		  ALL(mkdir("D", 0755) || mkdir("D/s1", 0755) || mkdir("D/s1/s2", 0755) ||
		      put_str("D/f", "top") || put_str("D/s1/s2/g", "bottom")));
	EXPECT_OK("rename a directory tree", rename("D", "E"));
	EXPECT_ERR("old directory name gone", access("D", F_OK), ENOENT);
	EXPECT_ERR("old child path gone", access("D/s1/s2/g", F_OK), ENOENT);
	expect_content("child reachable under the new name", "E/f", "top");
	expect_content("grandchild reachable under the new name", "E/s1/s2/g", "bottom");
	EXPECT_OK("create under the renamed directory", put_str("E/s1/new", "n"));
	expect_true("E/s1/.. is E", lst("E").st_ino && lst("E/s1/..").st_ino == lst("E").st_ino,
		    "got inode %ju, expected %ju (0: lstat failed)",
		    (uintmax_t)lst("E/s1/..").st_ino, (uintmax_t)lst("E").st_ino);

	EXPECT_OK("mkdir P1 P1/X P2",
		  ALL(mkdir("P1", 0755) || mkdir("P1/X", 0755) || mkdir("P2", 0755)));
	EXPECT_OK("rename a directory to another parent", rename("P1/X", "P2/X"));
	expect_int("old parent nlink", lst("P1").st_nlink, 2);
	expect_int("new parent nlink", lst("P2").st_nlink, 3);
	expect_true("moved directory's .. is the new parent",
		    lst("P2").st_ino && lst("P2/X/..").st_ino == lst("P2").st_ino,
		    "got inode %ju, expected %ju (0: lstat failed)",
		    (uintmax_t)lst("P2/X/..").st_ino, (uintmax_t)lst("P2").st_ino);

	EXPECT_OK("mkdir F with a file and an empty G",
		  ALL(mkdir("F", 0755) || put_str("F/f", "in F") || mkdir("G", 0755)));
	ino = lst("F").st_ino;
	EXPECT_OK("rename a directory over an empty directory", rename("F", "G"));
	expect_true("target is the renamed directory", lst("G").st_ino == ino,
		    "got %ju, expected %ju", (uintmax_t)lst("G").st_ino, (uintmax_t)ino);
	expect_content("its content came along", "G/f", "in F");
	EXPECT_ERR("old name of the directory gone", access("F", F_OK), ENOENT);

	EXPECT_OK("mkdir H and a non-empty I",
		  ALL(mkdir("H", 0755) || mkdir("I", 0755) || put_str("I/f", "i")));
	EXPECT_ERR("rename a directory over a non-empty directory", rename("H", "I"), ENOTEMPTY);
	expect_content("failed rename leaves the target's content", "I/f", "i");
	EXPECT_OK("put a plain file and mkdir J", ALL(put_str("plain", "p") || mkdir("J", 0755)));
	EXPECT_ERR("rename a file over a directory", rename("plain", "J"), EISDIR);
	EXPECT_ERR("rename a directory over a file", rename("J", "plain"), ENOTDIR);
	EXPECT_OK("mkdir K/k1", ALL(mkdir("K", 0755) || mkdir("K/k1", 0755)));
	EXPECT_ERR("rename a directory into its own subtree", rename("K", "K/k1/inside"), EINVAL);
	EXPECT_ERR("rename a directory onto its own child", rename("K", "K/k1"), EINVAL);
	EXPECT_ERR("rename a missing name", rename("missing", "x"), ENOENT);
	EXPECT_ERR("rename into a missing directory", rename("plain", "nodir/x"), ENOENT);

	EXPECT_OK("put n1 n2", ALL(put_str("n1", "one") || put_str("n2", "two")));
	EXPECT_ERR("RENAME_NOREPLACE onto an existing file",
		   renameat2_("n1", "n2", RENAME_NOREPLACE), EEXIST);
	expect_content("NOREPLACE left the source", "n1", "one");
	expect_content("NOREPLACE left the target", "n2", "two");
	EXPECT_OK("mkdir L M", ALL(mkdir("L", 0755) || mkdir("M", 0755)));
	EXPECT_ERR("RENAME_NOREPLACE onto an existing directory",
		   renameat2_("L", "M", RENAME_NOREPLACE), EEXIST);
	EXPECT_OK("RENAME_NOREPLACE to a new name", renameat2_("n1", "n3", RENAME_NOREPLACE));
	expect_content("NOREPLACE rename content", "n3", "one");
	EXPECT_ERR("NOREPLACE source gone", access("n1", F_OK), ENOENT);
	EXPECT_OK("put r1 r2", ALL(put_str("r1", "first") || put_str("r2", "second")));
	EXPECT_OK("renameat2 with flags 0 over a file", renameat2_("r1", "r2", 0));
	expect_content("flags 0 replaced the target", "r2", "first");

	EXPECT_OK("put self", put_str("self", "me"));
	EXPECT_OK("rename a file to itself", rename("self", "self"));
	expect_content("rename to itself keeps the file", "self", "me");
	expect_int("rename to itself keeps nlink", lst("self").st_nlink, 1);
	EXPECT_OK("put h1 and link h2", ALL(put_str("h1", "hard") || link("h1", "h2")));
	EXPECT_OK("rename between two links of one inode", rename("h1", "h2"));
	expect_true("both links of one inode remain",
		    access("h1", F_OK) == 0 && access("h2", F_OK) == 0, "h1 %s, h2 %s",
		    ename(access("h1", F_OK) ? errno : 0), ename(access("h2", F_OK) ? errno : 0));
	EXPECT_OK("mkdir N", mkdir("N", 0755));
	EXPECT_OK("rename a directory to itself", rename("N", "N"));
	expect_true("directory renamed to itself stays", stat("N", &st) == 0 && S_ISDIR(st.st_mode),
		    "%s", ename(errno));

	EXPECT_OK("mkdir many many2", ALL(mkdir("many", 0755) || mkdir("many2", 0755)));
	good = 0;
	for (i = 0; i < 40; i++) {
		snprintf(from, sizeof(from), "many/src%02d", i);
		snprintf(buf, sizeof(buf), "payload %d", i);
		if (put_str(from, buf) == 0)
			good++;
	}
	expect_int("create 40 files to rename", good, 40);
	good = 0;
	for (i = 0; i < 40; i++) {
		snprintf(from, sizeof(from), "many/src%02d", i);
		snprintf(to, sizeof(to), i % 2 ? "many/dst%02d" : "many2/moved%02d", i);
		if (rename(from, to) == 0)
			good++;
		else
			printf("# rename %s %s: %s\n", from, to, ename(errno));
	}
	expect_int("rename 40 files to other names in two directories", good, 40);
	good = 0;
	for (i = 0; i < 40; i++) {
		char want[32], got[32] = "";
		ssize_t n;

		snprintf(to, sizeof(to), i % 2 ? "many/dst%02d" : "many2/moved%02d", i);
		snprintf(want, sizeof(want), "payload %d", i);
		n = get_file(to, got, sizeof(got) - 1);
		if (n == (ssize_t)strlen(want) && memcmp(got, want, (size_t)n) == 0)
			good++;
	}
	expect_int("all 40 renamed files have their content", good, 40);
	tend();
}

/* ---- getattr, setattr --------------------------------------------------- */

static void test_attr(void)
{
	static char big[10000], back[10000];
	struct timespec old[2] = { { 1000000000, 0 }, { 1000000000, 0 } };
	struct timespec before, after;
	struct stat st0, st1;
	int fd;

	if (!tbegin("attr"))
		return;
	EXPECT_OK("put a file", put_str("f", "attr"));
	fd = open("f", O_RDONLY);
	EXPECT_OK("chmod 0600", chmod("f", 0600));
	expect_mode("mode after chmod", lst("f").st_mode & 07777, 0600);
	EXPECT_OK("chmod 0", chmod("f", 0));
	expect_mode("mode after chmod 0", lst("f").st_mode & 07777, 0);
	if (is_root) {
		EXPECT_OK("chmod 04755 as root", chmod("f", 04755));
		expect_mode("setuid bit kept", lst("f").st_mode & 07777, 04755);
	}
	EXPECT_OK("fchmod 0640", fchmod(fd, 0640));
	expect_mode("mode after fchmod", lst("f").st_mode & 07777, 0640);
	expect_true("still a regular file after chmod", S_ISREG(lst("f").st_mode), "mode 0%o",
		    lst("f").st_mode);
	EXPECT_ERR("chmod a missing file", chmod("missing", 0644), ENOENT);
	if (is_root) {
		EXPECT_OK("chown to another uid and gid", chown("f", 1234, 5678));
		expect_true("owner after chown", lst("f").st_uid == 1234 && lst("f").st_gid == 5678,
			    "got %u:%u, expected 1234:5678", lst("f").st_uid, lst("f").st_gid);
		EXPECT_OK("chown -1 -1", chown("f", (uid_t)-1, (gid_t)-1));
		expect_true("chown -1 -1 changes nothing",
			    lst("f").st_uid == 1234 && lst("f").st_gid == 5678, "got %u:%u",
			    lst("f").st_uid, lst("f").st_gid);
		EXPECT_OK("fchown the gid only", fchown(fd, (uid_t)-1, 42));
		expect_true("fchown gid only", lst("f").st_uid == 1234 && lst("f").st_gid == 42,
			    "got %u:%u, expected 1234:42", lst("f").st_uid, lst("f").st_gid);
		EXPECT_OK("symlink", symlink("f", "s"));
		EXPECT_OK("lchown the symlink", lchown("s", 77, 88));
		expect_true("lchown changes the link",
			    lst("s").st_uid == 77 && lst("s").st_gid == 88, "got %u:%u",
			    lst("s").st_uid, lst("s").st_gid);
		expect_true("lchown leaves the target", lst("f").st_uid == 1234, "got uid %u",
			    lst("f").st_uid);
	} else {
		skip("chown to another uid and gid", "not root");
	}
	if (fd >= 0)
		close(fd);

	rng_fill(big, sizeof(big), 11);
	EXPECT_OK("put 10000 bytes", put_file("t", big, sizeof(big)));
	EXPECT_OK("utimensat to the past", utimensat(AT_FDCWD, "t", old, 0));
	EXPECT_OK("truncate down to 100", truncate("t", 100));
	expect_int("size after truncate down", lst("t").st_size, 100);
	expect_true("truncate changes mtime", lst("t").st_mtim.tv_sec > old[1].tv_sec, "mtime %lld",
		    (long long)lst("t").st_mtim.tv_sec);
	EXPECT_OK("truncate up to 10000", truncate("t", 10000));
	expect_int("size after truncate up", lst("t").st_size, 10000);
	memset(back, 0xff, sizeof(back));
	expect_int("read the truncated file", get_file("t", back, sizeof(back)), 10000);
	expect_mem("first 100 bytes kept", back, big, 100);
	expect_true("bytes after the old end are zero", all_zero(back + 100, 9900), "not all zero");
	fd = open("t", O_RDWR);
	EXPECT_OK("ftruncate to 0", ftruncate(fd, 0));
	expect_int("size after ftruncate 0", fst(fd).st_size, 0);
	EXPECT_OK("ftruncate to 3 MiB", ftruncate(fd, 3 * MiB));
	expect_int("size after ftruncate up", fst(fd).st_size, 3 * MiB);
	EXPECT_ERR("ftruncate to a negative size", ftruncate(fd, -1), EINVAL);
	if (fd >= 0)
		close(fd);
	EXPECT_OK("mkdir", mkdir("d", 0755));
	EXPECT_ERR("truncate a directory", truncate("d", 0), EISDIR);

	{
		struct timespec t[2] = { { 1000000001, 250000000 }, { 1100000000, 500000000 } };

		EXPECT_OK("utimensat with explicit times", utimensat(AT_FDCWD, "t", t, 0));
		st0 = lst("t");
		expect_int("explicit atime seconds", st0.st_atim.tv_sec, 1000000001);
		expect_int("explicit atime nanoseconds", st0.st_atim.tv_nsec, 250000000);
		expect_int("explicit mtime seconds", st0.st_mtim.tv_sec, 1100000000);
		expect_int("explicit mtime nanoseconds", st0.st_mtim.tv_nsec, 500000000);
		t[0].tv_nsec = UTIME_OMIT;
		t[1].tv_sec = 1200000000;
		t[1].tv_nsec = 0;
		EXPECT_OK("utimensat UTIME_OMIT for atime", utimensat(AT_FDCWD, "t", t, 0));
		st1 = lst("t");
		expect_true("UTIME_OMIT leaves atime", ts_cmp(st1.st_atim, st0.st_atim) == 0,
			    "got %lld.%09ld", (long long)st1.st_atim.tv_sec, st1.st_atim.tv_nsec);
		expect_int("mtime set next to UTIME_OMIT", st1.st_mtim.tv_sec, 1200000000);
		t[0].tv_nsec = UTIME_NOW;
		t[1].tv_nsec = UTIME_OMIT;
		clock_gettime(CLOCK_REALTIME_COARSE, &before);
		EXPECT_OK("utimensat UTIME_NOW for atime", utimensat(AT_FDCWD, "t", t, 0));
		clock_gettime(CLOCK_REALTIME, &after);
		st0 = lst("t");
		expect_true("UTIME_NOW sets atime to now",
			    st0.st_atim.tv_sec >= before.tv_sec &&
				    st0.st_atim.tv_sec <= after.tv_sec,
			    "got %lld, expected %lld..%lld", (long long)st0.st_atim.tv_sec,
			    (long long)before.tv_sec, (long long)after.tv_sec);
		expect_int("UTIME_OMIT leaves mtime", st0.st_mtim.tv_sec, 1200000000);
		clock_gettime(CLOCK_REALTIME_COARSE, &before);
		EXPECT_OK("utimensat(NULL) sets both to now", utimensat(AT_FDCWD, "t", NULL, 0));
		clock_gettime(CLOCK_REALTIME, &after);
		st0 = lst("t");
		expect_true("mtime is now",
			    st0.st_mtim.tv_sec >= before.tv_sec &&
				    st0.st_mtim.tv_sec <= after.tv_sec,
			    "got %lld, expected %lld..%lld", (long long)st0.st_mtim.tv_sec,
			    (long long)before.tv_sec, (long long)after.tv_sec);
	}

	fd = open("w", O_RDWR | O_CREAT, 0644);
	EXPECT_OK("utimensat to the past before a write", futimens(fd, old));
	st0 = fst(fd);
	expect_int("write 3000 bytes", write(fd, big, 3000), 3000);
	st1 = fst(fd);
	expect_true("write advances mtime", st1.st_mtim.tv_sec > old[1].tv_sec, "mtime %lld",
		    (long long)st1.st_mtim.tv_sec);
	expect_true("write's mtime is not before the previous ctime",
		    ts_cmp(st1.st_mtim, st0.st_ctim) >= 0,
		    "mtime %lld.%09ld ctime before %lld.%09ld", (long long)st1.st_mtim.tv_sec,
		    st1.st_mtim.tv_nsec, (long long)st0.st_ctim.tv_sec, st0.st_ctim.tv_nsec);
	expect_true("write does not move ctime back", ts_cmp(st1.st_ctim, st0.st_ctim) >= 0,
		    "ctime %lld.%09ld before %lld.%09ld", (long long)st1.st_ctim.tv_sec,
		    st1.st_ctim.tv_nsec, (long long)st0.st_ctim.tv_sec, st0.st_ctim.tv_nsec);
	expect_int("size after a write", st1.st_size, 3000);
	expect_int("pwrite past the end", pwrite(fd, big, 1000, 5000), 1000);
	expect_int("size after pwrite past the end", fst(fd).st_size, 6000);
	expect_int("write at the offset after the first write", write(fd, big, 10), 10);
	expect_int("size unchanged by a write inside", fst(fd).st_size, 6000);
	EXPECT_OK("close", close(fd));
	expect_int("size after close", lst("w").st_size, 6000);
	EXPECT_OK("utimensat to the past before chmod", utimensat(AT_FDCWD, "w", old, 0));
	st0 = lst("w");
	EXPECT_OK("chmod", chmod("w", 0600));
	st1 = lst("w");
	expect_true("chmod does not move ctime back", ts_cmp(st1.st_ctim, st0.st_ctim) >= 0,
		    "ctime went back");
	expect_int("chmod leaves mtime", st1.st_mtim.tv_sec, old[1].tv_sec);
	EXPECT_OK("utimensat to the past before a read", utimensat(AT_FDCWD, "w", old, 0));
	expect_int("read the file", get_file("w", back, sizeof(back)), 6000);
	expect_int("read leaves mtime", lst("w").st_mtim.tv_sec, old[1].tv_sec);
	EXPECT_OK("mkdir for directory times", mkdir("dt", 0755));
	EXPECT_OK("utimensat a directory to the past", utimensat(AT_FDCWD, "dt", old, 0));
	EXPECT_OK("create in the directory", put_str("dt/x", "x"));
	expect_true("creating an entry advances the directory mtime",
		    lst("dt").st_mtim.tv_sec > old[1].tv_sec, "mtime %lld",
		    (long long)lst("dt").st_mtim.tv_sec);
	EXPECT_OK("utimensat a directory to the past again", utimensat(AT_FDCWD, "dt", old, 0));
	EXPECT_OK("unlink in the directory", unlink("dt/x"));
	expect_true("removing an entry advances the directory mtime",
		    lst("dt").st_mtim.tv_sec > old[1].tv_sec, "mtime %lld",
		    (long long)lst("dt").st_mtim.tv_sec);
	tend();
}

/* ---- permissions as a non-root user ------------------------------------- */

enum {
	P_0600_READ,
	P_0700_STAT,
	P_0700_OPENDIR,
	P_0444_WRITE,
	P_0444_READ,
	P_0644_READ,
	P_0644_WRITE,
	P_0755_CREATE,
	P_0755_UNLINK,
	P_0755_MKDIR,
	P_0777_CREATE,
	P_STICKY_UNLINK,
	P_STICKY_RENAME,
	P_CHMOD_OTHER,
	P_CHOWN_OWN,
	P_UTIME_NOW_OTHER,
	P_UTIME_SET_OTHER,
	P_TRUNCATE_OTHER,
	P_0711_OPENDIR,
	P_0711_STAT,
	P_XATTR_OTHER,
	P_CHMOD_OWN,
	P_N
};

static void perm_child(int *r)
{
	struct timespec t[2] = { { 1, 0 }, { 1, 0 } };
	struct stat st;

	r[P_0600_READ] = try_open("r0600", O_RDONLY);
	r[P_0700_STAT] = E(stat("d0700/f", &st));
	r[P_0700_OPENDIR] = try_opendir("d0700");
	r[P_0444_WRITE] = try_open("n0444", O_WRONLY);
	r[P_0444_READ] = try_open("n0444", O_RDONLY);
	r[P_0644_READ] = try_open("r0644", O_RDONLY);
	r[P_0644_WRITE] = try_open("r0644", O_WRONLY);
	r[P_0755_CREATE] = try_open("d0755/new", O_WRONLY | O_CREAT);
	r[P_0755_UNLINK] = E(unlink("d0755/f"));
	r[P_0755_MKDIR] = E(mkdir("d0755/sub", 0755));
	r[P_0777_CREATE] = try_open("d0777/mine", O_WRONLY | O_CREAT);
	r[P_STICKY_UNLINK] = E(unlink("sticky/rootfile"));
	r[P_STICKY_RENAME] = E(rename("sticky/rootfile", "sticky/moved"));
	r[P_CHMOD_OTHER] = E(chmod("r0644", 0666));
	r[P_CHOWN_OWN] = E(chown("d0777/mine", 0, 0));
	r[P_UTIME_NOW_OTHER] = E(utimensat(AT_FDCWD, "r0644", NULL, 0));
	r[P_UTIME_SET_OTHER] = E(utimensat(AT_FDCWD, "r0644", t, 0));
	r[P_TRUNCATE_OTHER] = E(truncate("r0644", 0));
	r[P_0711_OPENDIR] = try_opendir("d0711");
	r[P_0711_STAT] = E(stat("d0711/f", &st));
	r[P_XATTR_OTHER] = E(setxattr("r0644", "user.x", "1", 1, 0));
	r[P_CHMOD_OWN] = E(chmod("d0777/mine", 0600));
}

static void test_perm(void)
{
	int r[P_N];

	if (!tbegin("perm"))
		return;
	if (!is_root) {
		skip("permission checks as uid 65534", "not root");
		tend();
		return;
	}
	EXPECT_OK("0600 root file", ALL(put_str("r0600", "secret") || chmod("r0600", 0600)));
	EXPECT_OK("0700 directory with a file",
		  ALL(mkdir("d0700", 0700) || put_str("d0700/f", "x")));
	EXPECT_OK("0444 file owned by 65534",
		  ALL(put_str("n0444", "ro") || chown("n0444", NOBODY, NOBODY) ||
		      chmod("n0444", 0444)));
	EXPECT_OK("0644 root file", ALL(put_str("r0644", "readable") || chmod("r0644", 0644)));
	EXPECT_OK("0755 root directory", ALL(mkdir("d0755", 0755) || put_str("d0755/f", "x")));
	EXPECT_OK("0777 directory", ALL(mkdir("d0777", 0777) || chmod("d0777", 0777)));
	EXPECT_OK("sticky 01777 directory with a root file",
		  ALL(mkdir("sticky", 0777) || chmod("sticky", 01777) ||
		      put_str("sticky/rootfile", "r")));
	EXPECT_OK("0711 directory with a file",
		  ALL(mkdir("d0711", 0711) || put_str("d0711/f", "x")));
	as_nobody(perm_child, r, P_N);
	expect_errno("read a 0600 file of root", r[P_0600_READ], EACCES);
	expect_errno("stat inside a 0700 directory of root", r[P_0700_STAT], EACCES);
	expect_errno("opendir a 0700 directory of root", r[P_0700_OPENDIR], EACCES);
	expect_errno("write to an own 0444 file", r[P_0444_WRITE], EACCES);
	expect_errno("read an own 0444 file", r[P_0444_READ], 0);
	expect_errno("read a 0644 file of root", r[P_0644_READ], 0);
	expect_errno("write to a 0644 file of root", r[P_0644_WRITE], EACCES);
	expect_errno("create in a 0755 directory of root", r[P_0755_CREATE], EACCES);
	expect_errno("unlink in a 0755 directory of root", r[P_0755_UNLINK], EACCES);
	expect_errno("mkdir in a 0755 directory of root", r[P_0755_MKDIR], EACCES);
	expect_errno("create in a 0777 directory", r[P_0777_CREATE], 0);
	expect_true("new file is owned by the creator",
		    lst("d0777/mine").st_uid == NOBODY && lst("d0777/mine").st_gid == NOBODY,
		    "got %u:%u, expected 65534:65534", lst("d0777/mine").st_uid,
		    lst("d0777/mine").st_gid);
	expect_errno("unlink another user's file in a sticky directory", r[P_STICKY_UNLINK], EPERM);
	expect_errno("rename another user's file in a sticky directory", r[P_STICKY_RENAME], EPERM);
	expect_errno("chmod another user's file", r[P_CHMOD_OTHER], EPERM);
	expect_errno("chown an own file to root", r[P_CHOWN_OWN], EPERM);
	expect_errno("utimensat(NULL) on a non-writable file of another user", r[P_UTIME_NOW_OTHER],
		     EACCES);
	expect_errno("utimensat with times on a file of another user", r[P_UTIME_SET_OTHER], EPERM);
	expect_errno("truncate a 0644 file of root", r[P_TRUNCATE_OTHER], EACCES);
	expect_errno("opendir a 0711 directory", r[P_0711_OPENDIR], EACCES);
	expect_errno("stat a known name in a 0711 directory", r[P_0711_STAT], 0);
	expect_errno("set a user xattr on a non-writable file", r[P_XATTR_OTHER], EACCES);
	expect_errno("chmod an own file", r[P_CHMOD_OWN], 0);
	expect_mode("mode set by the owner", lst("d0777/mine").st_mode & 07777, 0600);
	expect_content("root file unchanged", "r0644", "readable");
	EXPECT_OK("root may write a 0444 file", ALL(try_open("n0444", O_WRONLY)));
	EXPECT_OK("root may read a 0000 file",
		  ALL(chmod("r0600", 0) || try_open("r0600", O_RDONLY)));
	tend();
}

/* ---- readdir, getdents -------------------------------------------------- */

#define NFILES 500
static char seq_a[NFILES + 2][256], seq_b[NFILES + 2][256];

struct linux_dirent64_ {
	uint64_t d_ino;
	int64_t d_off;
	unsigned short d_reclen;
	unsigned char d_type;
	char d_name[];
};

/* Reads the rest of D into SEQ; returns the count. */
static int read_rest(DIR *d, char (*seq)[256], int max)
{
	struct dirent *de;
	int n = 0;

	while ((de = readdir(d))) {
		if (n < max)
			snprintf(seq[n], 256, "%s", de->d_name);
		n++;
	}
	return n;
}

static void test_readdir(void)
{
	static int seen[NFILES];
	char name[64];
	struct dirent *de;
	int i, made = 0, dots = 0, extra = 0, dup = 0, missing = 0, na, nb, same, ino_ok, stat_ok;
	long pos;
	DIR *d;

	if (!tbegin("readdir"))
		return;
	for (i = 0; i < NFILES; i++) {
		snprintf(name, sizeof(name), "f%03d", i);
		if (put_file(name, name, (size_t)(i % 7)) == 0)
			made++;
	}
	expect_int("create 500 files", made, NFILES);
	d = opendir(".");
	expect_true("opendir", d != NULL, "got %s, expected success", ename(errno));
	if (!d) {
		tend();
		return;
	}
	memset(seen, 0, sizeof(seen));
	ino_ok = 0;
	while ((de = readdir(d))) {
		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, "..")) {
			dots++;
			continue;
		}
		if (sscanf(de->d_name, "f%d", &i) == 1 && i >= 0 && i < NFILES) {
			if (seen[i]++)
				dup++;
			if (de->d_ino == lst(de->d_name).st_ino)
				ino_ok++;
		} else {
			extra++;
		}
	}
	for (i = 0; i < NFILES; i++)
		missing += !seen[i];
	expect_int("readdir: no file missing", missing, 0);
	expect_int("readdir: no file twice", dup, 0);
	expect_int("readdir: no unknown names", extra, 0);
	expect_int("readdir: \".\" and \"..\" once each", dots, 2);
	expect_int("readdir: d_ino matches lstat for every file", ino_ok, NFILES);

	rewinddir(d);
	for (i = 0; i < 100 && readdir(d); i++)
		;
	pos = telldir(d);
	na = read_rest(d, seq_a, NFILES + 2);
	expect_int("entries after telldir at 100", na, NFILES + 2 - 100);
	seekdir(d, pos);
	nb = read_rest(d, seq_b, NFILES + 2);
	for (same = 0; same < na && same < nb && !strcmp(seq_a[same], seq_b[same]); same++)
		;
	expect_true("seekdir to the telldir position repeats the same sequence",
		    na == nb && same == na, "first %d entries the same, %d then %d entries", same,
		    na, nb);
	rewinddir(d);
	expect_int("rewinddir: full listing again", read_rest(d, seq_b, NFILES + 2), NFILES + 2);
	closedir(d);

	stat_ok = 0;
	for (i = 0; i < NFILES; i++) {
		struct stat st;

		snprintf(name, sizeof(name), "f%03d", i);
		if (lstat(name, &st) == 0 && S_ISREG(st.st_mode) && st.st_size == i % 7 &&
		    st.st_nlink == 1 && (st.st_mode & 0777) == 0644)
			stat_ok++;
	}
	expect_int("ls -l: stat of every entry has type, size, nlink and mode", stat_ok, NFILES);

	made = 0;
	for (i = 0; i < NFILES; i++) {
		snprintf(name, sizeof(name), "f%03d", i);
		made += unlink(name) == 0;
	}
	expect_int("unlink 500 files", made, NFILES);
	d = opendir(".");
	expect_int("readdir of the emptied directory", d ? read_rest(d, seq_a, NFILES + 2) : -1, 2);
	if (d)
		closedir(d);

	{
		static const struct { const char *name; unsigned char type;
		} want[] = {
			{"sub", DT_DIR},   {"reg", DT_REG},   {"lnk", DT_LNK},
			{"fifo", DT_FIFO}, {"sock", DT_SOCK},
		};
		unsigned char types[5] = { 0 };
		int found[5] = { 0 };
		char buf[4096];
		long n, off;
		int fd, k;

		EXPECT_OK("make one entry of each type",
			  ALL(mkdir("sub", 0755) || put_str("reg", "r") || symlink("reg", "lnk") ||
			      mkfifo("fifo", 0644) || mknod("sock", S_IFSOCK | 0644, 0)));
		fd = open(".", O_RDONLY | O_DIRECTORY);
		while (fd >= 0 && (n = syscall(SYS_getdents64, fd, buf, sizeof(buf))) > 0) {
			for (off = 0; off < n;) {
				struct linux_dirent64_ *e = (struct linux_dirent64_ *)(buf + off);

				for (k = 0; k < 5; k++)
					if (!strcmp(e->d_name, want[k].name)) {
						types[k] = e->d_type;
						found[k]++;
					}
				off += e->d_reclen;
			}
		}
		if (fd >= 0)
			close(fd);
		for (k = 0; k < 5; k++) {
			snprintf(name, sizeof(name), "getdents64: d_type of %s", want[k].name);
			expect_true(name, found[k] == 1 && types[k] == want[k].type,
				    "seen %d times, got d_type %u, expected %u", found[k], types[k],
				    want[k].type);
		}
	}
	tend();
}

/* ---- statfs, statvfs ---------------------------------------------------- */

static void test_statfs(void)
{
	struct statvfs sv, fsv;
	struct statfs sf;
	int fd;

	if (!tbegin("statfs"))
		return;
	EXPECT_OK("statfs", statfs(".", &sf));
	expect_true("statfs f_bsize > 0", sf.f_bsize > 0, "got %ld", (long)sf.f_bsize);
	expect_true("statfs f_blocks >= f_bfree >= f_bavail",
		    sf.f_blocks >= sf.f_bfree && sf.f_bfree >= sf.f_bavail,
		    "blocks %llu free %llu avail %llu", (unsigned long long)sf.f_blocks,
		    (unsigned long long)sf.f_bfree, (unsigned long long)sf.f_bavail);
	expect_true("statfs f_blocks > 0", sf.f_blocks > 0, "got %llu",
		    (unsigned long long)sf.f_blocks);
	expect_true("statfs f_files >= f_ffree", sf.f_files >= sf.f_ffree, "files %llu free %llu",
		    (unsigned long long)sf.f_files, (unsigned long long)sf.f_ffree);
	EXPECT_OK("statvfs", statvfs(".", &sv));
	expect_true("statvfs f_bsize and f_frsize > 0", sv.f_bsize > 0 && sv.f_frsize > 0,
		    "bsize %lu frsize %lu", sv.f_bsize, sv.f_frsize);
	expect_true("statvfs f_blocks >= f_bfree >= f_bavail",
		    sv.f_blocks >= sv.f_bfree && sv.f_bfree >= sv.f_bavail,
		    "blocks %llu free %llu avail %llu", (unsigned long long)sv.f_blocks,
		    (unsigned long long)sv.f_bfree, (unsigned long long)sv.f_bavail);
	expect_true("statvfs f_namemax >= 255", sv.f_namemax >= 255, "got %lu", sv.f_namemax);
	fd = open(".", O_RDONLY | O_DIRECTORY);
	EXPECT_OK("fstatvfs", fstatvfs(fd, &fsv));
	expect_true("fstatvfs and statvfs agree on f_fsid and f_frsize",
		    fsv.f_fsid == sv.f_fsid && fsv.f_frsize == sv.f_frsize, "fsid %lu/%lu",
		    fsv.f_fsid, sv.f_fsid);
	if (fd >= 0)
		close(fd);
	tend();
}

/* ---- extended attributes ------------------------------------------------ */


static void xattr_child(int *r)
{
	char list[4096];
	ssize_t n = listxattr("t", list, sizeof(list));
	ssize_t i;

	r[0] = n < 0 ? errno : 0;
	r[1] = 0;
	for (i = 0; n > 0 && i < n; i += (ssize_t)strlen(list + i) + 1)
		if (!strncmp(list + i, "trusted.", 8))
			r[1] = 1;
	r[2] = E(getxattr("t", "trusted.t", list, sizeof(list)));
}

static bool list_has(const char *list, ssize_t n, const char *name)
{
	ssize_t i;

	for (i = 0; i < n; i += (ssize_t)strlen(list + i) + 1)
		if (!strcmp(list + i, name))
			return true;
	return false;
}

static void test_xattr(void)
{
	static char big[4000], back[4096];
	char list[4096], small[2], val[64];
	ssize_t n;
	int fd;

	if (!tbegin("xattr"))
		return;
	EXPECT_OK("put a file", put_str("f", "x"));
	EXPECT_OK("setxattr user.a", setxattr("f", "user.a", "one", 3, 0));
	n = getxattr("f", "user.a", val, sizeof(val));
	expect_true("getxattr user.a", n == 3 && !memcmp(val, "one", 3), "got %zd (%s)", n,
		    ename(n < 0 ? errno : 0));
	expect_int("getxattr size query with size 0", getxattr("f", "user.a", NULL, 0), 3);
	EXPECT_ERR("getxattr into a too small buffer",
		   getxattr("f", "user.a", small, sizeof(small)), ERANGE);
	EXPECT_ERR("XATTR_CREATE on an existing name",
		   setxattr("f", "user.a", "two", 3, XATTR_CREATE), EEXIST);
	EXPECT_ERR("XATTR_REPLACE on a missing name",
		   setxattr("f", "user.none", "v", 1, XATTR_REPLACE), ENODATA);
	EXPECT_OK("XATTR_REPLACE on an existing name",
		  setxattr("f", "user.a", "three", 5, XATTR_REPLACE));
	n = getxattr("f", "user.a", val, sizeof(val));
	expect_true("replaced value", n == 5 && !memcmp(val, "three", 5), "got %zd (%s)", n,
		    ename(n < 0 ? errno : 0));
	EXPECT_OK("XATTR_CREATE on a new name", setxattr("f", "user.b", "bee", 3, XATTR_CREATE));
	EXPECT_ERR("getxattr of a missing name", getxattr("f", "user.none", val, sizeof(val)),
		   ENODATA);
	n = listxattr("f", list, sizeof(list));
	expect_true("listxattr has user.a and user.b",
		    n > 0 && list_has(list, n, "user.a") && list_has(list, n, "user.b"),
		    "got %zd (%s)", n, ename(n < 0 ? errno : 0));
	expect_int("listxattr size query", listxattr("f", NULL, 0), n);
	EXPECT_ERR("listxattr into a too small buffer", listxattr("f", small, sizeof(small)),
		   ERANGE);
	EXPECT_OK("removexattr", removexattr("f", "user.a"));
	EXPECT_ERR("getxattr after removexattr", getxattr("f", "user.a", val, sizeof(val)),
		   ENODATA);
	EXPECT_ERR("removexattr of a missing name", removexattr("f", "user.a"), ENODATA);
	n = listxattr("f", list, sizeof(list));
	expect_true("listxattr after removexattr", n > 0 && !list_has(list, n, "user.a") &&
		    list_has(list, n, "user.b"), "got %zd (%s)", n, ename(n < 0 ? errno : 0));
	EXPECT_OK("setxattr an empty value", setxattr("f", "user.empty", "", 0, 0));
	expect_int("getxattr of an empty value", getxattr("f", "user.empty", val, sizeof(val)), 0);
	rng_fill(big, sizeof(big), 77);
	big[0] = 0;
	big[100] = 0;
	EXPECT_OK("setxattr a 4000-byte binary value",
		  setxattr("f", "user.big", big, sizeof(big), 0));
	memset(back, 0, sizeof(back));
	expect_int("getxattr of the binary value", getxattr("f", "user.big", back, sizeof(back)),
		   4000);
	expect_mem("binary value round trip", back, big, sizeof(big));
	EXPECT_OK("mkdir", mkdir("d", 0755));
	EXPECT_OK("setxattr on a directory", setxattr("d", "user.dir", "dv", 2, 0));
	expect_int("getxattr on a directory", getxattr("d", "user.dir", val, sizeof(val)), 2);
	EXPECT_OK("symlink", symlink("f", "s"));
	EXPECT_ERR("user xattr on a symlink itself", lsetxattr("s", "user.l", "v", 1, 0), EPERM);
	n = getxattr("s", "user.b", val, sizeof(val));
	expect_true("getxattr follows a symlink", n == 3 && !memcmp(val, "bee", 3), "got %zd (%s)",
		    n, ename(n < 0 ? errno : 0));
	fd = open("f", O_RDWR);
	EXPECT_OK("fsetxattr", fsetxattr(fd, "user.fd", "viafd", 5, 0));
	n = fgetxattr(fd, "user.fd", val, sizeof(val));
	expect_true("fgetxattr", n == 5 && !memcmp(val, "viafd", 5), "got %zd (%s)", n,
		    ename(n < 0 ? errno : 0));
	expect_int("getxattr by path sees fsetxattr", getxattr("f", "user.fd", val, sizeof(val)),
		   5);
	if (fd >= 0)
		close(fd);
	EXPECT_ERR("getxattr on a missing file", getxattr("missing", "user.a", val, sizeof(val)),
		   ENOENT);
	EXPECT_ERR("unknown namespace", setxattr("f", "bogus.a", "v", 1, 0), EOPNOTSUPP);
	EXPECT_OK("rename keeps xattrs", rename("f", "g"));
	n = getxattr("g", "user.b", val, sizeof(val));
	expect_true("xattr after rename", n == 3 && !memcmp(val, "bee", 3), "got %zd (%s)", n,
		    ename(n < 0 ? errno : 0));
	if (is_root) {
		int r[3];

		EXPECT_OK("put t", put_str("t", "t"));
		EXPECT_OK("setxattr trusted.t as root", setxattr("t", "trusted.t", "tv", 2, 0));
		n = getxattr("t", "trusted.t", val, sizeof(val));
		expect_true("getxattr trusted.t", n == 2 && !memcmp(val, "tv", 2), "got %zd (%s)",
			    n, ename(n < 0 ? errno : 0));
		n = listxattr("t", list, sizeof(list));
		expect_true("listxattr as root has trusted.t",
			    n > 0 && list_has(list, n, "trusted.t"), "got %zd (%s)", n,
			    ename(n < 0 ? errno : 0));
		as_nobody(xattr_child, r, 3);
		expect_errno("listxattr as a non-root user", r[0], 0);
		expect_int("listxattr as a non-root user hides trusted.*", r[1], 0);
		expect_errno("getxattr trusted.* as a non-root user", r[2], ENODATA);
		EXPECT_OK("removexattr trusted.t", removexattr("t", "trusted.t"));
		EXPECT_ERR("trusted.t gone", getxattr("t", "trusted.t", val, sizeof(val)), ENODATA);
	} else {
		skip("trusted.* xattrs", "not root");
	}
	tend();
}

/* ---- data --------------------------------------------------------------- */

static void test_data(void)
{
	static char buf[16384], back[16384], zero[4096];
	char small[8];
	off_t r;
	int fd;

	if (!tbegin("data"))
		return;
	rng_fill(buf, sizeof(buf), 1);
	fd = EXPECT_OK("create", open("f", O_RDWR | O_CREAT, 0644));
	expect_int("write 10000 bytes", write_all(fd, buf, 10000), 10000);
	expect_int("lseek SEEK_SET", lseek(fd, 1234, SEEK_SET), 1234);
	expect_int("read at the lseek offset", read_all(fd, back, 100), 100);
	expect_mem("data at 1234", back, buf + 1234, 100);
	expect_int("lseek SEEK_CUR", lseek(fd, 0, SEEK_CUR), 1334);
	expect_int("lseek SEEK_END", lseek(fd, 0, SEEK_END), 10000);
	expect_int("lseek SEEK_END - 10", lseek(fd, -10, SEEK_END), 9990);
	EXPECT_ERR("lseek to a negative offset", lseek(fd, -1, SEEK_SET), EINVAL);
	expect_int("read at EOF returns 0", pread(fd, back, 10, 10000), 0);
	expect_int("pread across EOF is short", pread(fd, back, 100, 9950), 50);
	expect_int("pwrite inside", pwrite(fd, buf + 12000, 3000, 4095), 3000);
	memcpy(buf + 4095, buf + 12000, 3000);
	expect_int("pread of the whole file", pread(fd, back, 10000, 0), 10000);
	expect_mem("pwrite over page boundaries", back, buf, 10000);
	expect_int("pwrite leaves the file offset", lseek(fd, 0, SEEK_CUR), 9990);
	expect_int("write 10 bytes at 20000 leaving a gap", pwrite(fd, "0123456789", 10, 20000),
		   10);
	expect_int("size after the gap write", fst(fd).st_size, 20010);
	expect_int("read the gap", pread(fd, back, 10000, 10000), 10000);
	expect_true("gap reads as zeros", all_zero(back, 10000), "gap not zero");
	EXPECT_OK("ftruncate to the middle of a page", ftruncate(fd, 5000));
	EXPECT_OK("ftruncate back up", ftruncate(fd, 9000));
	expect_int("read after truncate down and up", pread(fd, back, 9000, 0), 9000);
	expect_mem("data before the cut kept", back, buf, 5000);
	expect_true("data after the cut reads as zeros", all_zero(back + 5000, 4000),
		    "stale data after the cut");
	EXPECT_OK("fsync", fsync(fd));
	EXPECT_OK("fdatasync", fdatasync(fd));
	EXPECT_OK("syncfs", syncfs(fd));
	close(fd);
	fd = open(".", O_RDONLY | O_DIRECTORY);
	EXPECT_OK("fsync of a directory", fsync(fd));
	if (fd >= 0)
		close(fd);

	/* close-to-open */
	EXPECT_OK("write and close", put_file("cto", buf, 7777));
	memset(back, 0, sizeof(back));
	expect_int("reopen and read", get_file("cto", back, sizeof(back)), 7777);
	expect_mem("close-to-open data", back, buf, 7777);

	/* O_SYNC */
	fd = EXPECT_OK("open O_SYNC", open("sync", O_RDWR | O_CREAT | O_SYNC, 0644));
	expect_int("O_SYNC write", write(fd, buf, 5000), 5000);
	expect_int("read after O_SYNC write", pread(fd, back, 5000, 0), 5000);
	expect_mem("O_SYNC data", back, buf, 5000);
	if (fd >= 0)
		close(fd);
	fd = EXPECT_OK("open O_DSYNC", open("dsync", O_RDWR | O_CREAT | O_DSYNC, 0644));
	expect_int("O_DSYNC write", write(fd, buf, 3000), 3000);
	if (fd >= 0)
		close(fd);
	expect_int("read after O_DSYNC write and close", get_file("dsync", back, sizeof(back)),
		   3000);

	/* sparse files, 1 MiB and beyond 4 GiB */
	fd = open("sparse", O_RDWR | O_CREAT, 0644);
	expect_int("pwrite at 1 MiB", pwrite(fd, buf, 4096, 1 * MiB), 4096);
	expect_int("size after the 1 MiB write", fst(fd).st_size, 1 * MiB + 4096);
	{
		char *hole = xmalloc(MiB);
		long got = pread(fd, hole, MiB, 0);

		expect_true("first 1 MiB hole reads as zeros", got == MiB && all_zero(hole, MiB),
			    "read %ld", got);
		free(hole);
	}
	expect_int("read the data at 1 MiB", pread(fd, back, 4096, 1 * MiB), 4096);
	expect_mem("data at 1 MiB", back, buf, 4096);
	errno = 0;
	r = lseek(fd, 0, SEEK_DATA);
	if (r < 0 && errno == EINVAL) {
		skip("SEEK_DATA", "not supported (EINVAL)");
		skip("SEEK_HOLE", "not supported (EINVAL)");
		skip("SEEK_DATA at EOF", "not supported (EINVAL)");
	} else {
		expect_true("SEEK_DATA from 0 finds data at or before 1 MiB", r >= 0 && r <= MiB,
			    "got %lld (%s)", (long long)r, ename(r < 0 ? errno : 0));
		errno = 0;
		r = lseek(fd, 0, SEEK_HOLE);
		expect_true("SEEK_HOLE from 0 is within the file", r >= 0 && r <= MiB + 4096,
			    "got %lld (%s)", (long long)r, ename(r < 0 ? errno : 0));
		EXPECT_ERR("SEEK_DATA at EOF", lseek(fd, MiB + 4096, SEEK_DATA), ENXIO);
	}
	expect_int("pwrite at 5 GiB", pwrite(fd, buf + 4096, 4096, 5 * GiB), 4096);
	expect_int("size beyond 4 GiB", fst(fd).st_size, 5 * GiB + 4096);
	expect_int("pwrite across the 4 GiB boundary", pwrite(fd, buf + 8192, 4096, 4 * GiB - 2048),
		   4096);
	if (fd >= 0)
		close(fd);
	fd = open("sparse", O_RDONLY);
	expect_int("size beyond 4 GiB after reopen", fst(fd).st_size, 5 * GiB + 4096);
	memset(back, 0, sizeof(back));
	expect_int("pread at 5 GiB", pread(fd, back, 4096, 5 * GiB), 4096);
	expect_mem("data at 5 GiB", back, buf + 4096, 4096);
	expect_int("pread across the 4 GiB boundary", pread(fd, back, 4096, 4 * GiB - 2048), 4096);
	expect_mem("data across the 4 GiB boundary", back, buf + 8192, 4096);
	expect_int("pread of a hole at 3 GiB", pread(fd, back, 4096, 3 * GiB), 4096);
	expect_mem("hole at 3 GiB reads as zeros", back, zero, 4096);
	expect_int("pread of a hole just below 5 GiB", pread(fd, back, 4096, 5 * GiB - 4096), 4096);
	expect_mem("hole below 5 GiB reads as zeros", back, zero, 4096);
	expect_int("pread at the end past 5 GiB", pread(fd, back, 8192, 5 * GiB + 2048), 2048);
	expect_int("lseek SEEK_END beyond 4 GiB", lseek(fd, 0, SEEK_END), 5 * GiB + 4096);
	if (fd >= 0)
		close(fd);
	EXPECT_OK("truncate the big sparse file to 4 GiB + 1", truncate("sparse", 4 * GiB + 1));
	expect_int("size after truncating beyond 4 GiB", lst("sparse").st_size, 4 * GiB + 1);
	fd = open("sparse", O_RDONLY);
	expect_int("pread of the last byte", pread(fd, small, sizeof(small), 4 * GiB), 1);
	expect_int("last byte kept", (unsigned char)small[0], (unsigned char)buf[8192 + 2048]);
	if (fd >= 0)
		close(fd);
	EXPECT_OK("unlink the sparse file", unlink("sparse"));
	tend();
}

/* ---- mmap --------------------------------------------------------------- */

static void test_mmap(void)
{
	static char buf[16384], back[16384];
	char *m;
	int fd;

	if (!tbegin("mmap"))
		return;
	rng_fill(buf, sizeof(buf), 2);
	fd = open("shared", O_RDWR | O_CREAT, 0644);
	EXPECT_OK("ftruncate to 3 pages", ftruncate(fd, 12288));
	m = mmap(NULL, 12288, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	expect_true("mmap MAP_SHARED read-write", m != MAP_FAILED, "got %s", ename(errno));
	if (m != MAP_FAILED) {
		memcpy(m, buf, 12288);
		expect_int("read() sees the mapping's writes before msync",
			   pread(fd, back, 12288, 0), 12288);
		expect_mem("data written through memory, before msync", back, buf, 12288);
		EXPECT_OK("msync MS_SYNC", msync(m, 12288, MS_SYNC));
		EXPECT_OK("munmap", munmap(m, 12288));
	}
	if (fd >= 0)
		close(fd);
	memset(back, 0, sizeof(back));
	expect_int("read after munmap and close", get_file("shared", back, sizeof(back)), 12288);
	expect_mem("data written through memory, after reopen", back, buf, 12288);
	expect_int("size unchanged by mmap writes", lst("shared").st_size, 12288);

	fd = open("shared", O_RDWR);
	expect_int("pwrite into the file", pwrite(fd, buf + 4000, 5000, 1000), 5000);
	m = mmap(NULL, 12288, PROT_READ, MAP_SHARED, fd, 0);
	expect_true("fresh MAP_SHARED mapping", m != MAP_FAILED, "got %s", ename(errno));
	if (m != MAP_FAILED) {
		memcpy(back, buf, 12288);
		memcpy(back + 1000, buf + 4000, 5000);
		expect_mem("write() data visible through a fresh mapping", m, back, 12288);
		munmap(m, 12288);
	}
	if (fd >= 0)
		close(fd);

	EXPECT_OK("put a file with write()", put_file("plain", buf, 10000));
	fd = open("plain", O_RDONLY);
	m = mmap(NULL, 10000, PROT_READ, MAP_PRIVATE, fd, 0);
	expect_true("mmap MAP_PRIVATE read-only", m != MAP_FAILED, "got %s", ename(errno));
	if (m != MAP_FAILED) {
		expect_mem("mmap read of a file written with write()", m, buf, 10000);
		expect_true("bytes past EOF in the last page are zero",
			    all_zero(m + 10000, 12288 - 10000), "not zero");
		munmap(m, 10000);
	}
	if (fd >= 0)
		close(fd);

	fd = open("plain", O_RDWR);
	m = mmap(NULL, 10000, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0);
	if (m != MAP_FAILED) {
		memset(m, 'P', 100);
		expect_int("read after a MAP_PRIVATE write", pread(fd, back, 100, 0), 100);
		expect_mem("MAP_PRIVATE writes do not reach the file", back, buf, 100);
		munmap(m, 10000);
	} else {
		report(false, "MAP_PRIVATE writes do not reach the file", "mmap failed: %s",
		       ename(errno));
	}
	if (fd >= 0)
		close(fd);
	tend();
}

/* ---- O_DIRECT ----------------------------------------------------------- */

static void test_direct(void)
{
	static char plain[16384];
	void *wbuf = NULL, *rbuf = NULL;
	int fd;

	if (!tbegin("direct"))
		return;
	if (posix_memalign(&wbuf, 4096, 16384) || posix_memalign(&rbuf, 4096, 16384)) {
		report(false, "posix_memalign", "failed");
		tend();
		return;
	}
	rng_fill(wbuf, 16384, 3);
	fd = EXPECT_OK("open O_DIRECT", open("d", O_RDWR | O_CREAT | O_DIRECT, 0644));
	if (fd >= 0) {
		expect_int("O_DIRECT aligned write of 16 KiB", pwrite(fd, wbuf, 16384, 0), 16384);
		expect_int("O_DIRECT aligned write at 64 KiB", pwrite(fd, wbuf, 8192, 65536), 8192);
		memset(rbuf, 0, 16384);
		expect_int("O_DIRECT aligned read", pread(fd, rbuf, 16384, 0), 16384);
		expect_mem("O_DIRECT read data", rbuf, wbuf, 16384);
		expect_int("O_DIRECT read at 64 KiB", pread(fd, rbuf, 16384, 65536), 8192);
		expect_mem("O_DIRECT data at 64 KiB", rbuf, wbuf, 8192);
		expect_int("size after O_DIRECT writes", fst(fd).st_size, 65536 + 8192);
		close(fd);
		expect_int("buffered read of O_DIRECT data", get_file("d", plain, sizeof(plain)),
			   16384);
		expect_mem("buffered read sees O_DIRECT data", plain, wbuf, 16384);
		rng_fill(plain, sizeof(plain), 4);
		EXPECT_OK("buffered write", put_file("d", plain, sizeof(plain)));
		fd = open("d", O_RDONLY | O_DIRECT);
		expect_int("O_DIRECT read of buffered data",
			   fd >= 0 ? pread(fd, rbuf, 16384, 0) : -1, 16384);
		expect_mem("O_DIRECT read sees buffered data", rbuf, plain, 16384);
		if (fd >= 0)
			close(fd);
	}
	free(wbuf);
	free(rbuf);
	tend();
}

/* ---- bulk data ---------------------------------------------------------- */

static void test_bulk(void)
{
	const size_t size = 8 * MiB;
	char *want = xmalloc(size), *got = xmalloc(size);
	char name[32], sb[4096], sw[4096];
	size_t off;
	int fd, i, good, werr = 0;

	if (!tbegin("bulk")) {
		free(want);
		free(got);
		return;
	}
	rng_fill(want, size, 0x5ea1f5);
	fd = EXPECT_OK("create the 8 MiB file", open("big", O_WRONLY | O_CREAT | O_TRUNC, 0644));
	for (off = 0; fd >= 0 && off < size; off += 65537) {
		size_t n = size - off < 65537 ? size - off : 65537;

		if (write_all(fd, want + off, n) != (ssize_t)n)
			werr = errno ? errno : EIO;
	}
	expect_errno("write 8 MiB in 65537-byte pieces", werr, 0);
	if (fd >= 0)
		EXPECT_OK("close after the 8 MiB write", close(fd));
	expect_int("size of the 8 MiB file", lst("big").st_size, (long long)size);
	fd = open("big", O_RDONLY);
	for (off = 0; fd >= 0 && off < size;) {
		ssize_t r = read(fd, got + off, size - off < 100000 ? size - off : 100000);

		if (r <= 0)
			break;
		off += (size_t)r;
	}
	if (fd >= 0)
		close(fd);
	expect_int("read back 8 MiB in 100000-byte pieces", (long long)off, (long long)size);
	expect_mem("8 MiB content identical", got, want, size);

	good = 0;
	for (i = 0; i < 200; i++) {
		snprintf(name, sizeof(name), "small%03d", i);
		rng_fill(sw, sizeof(sw), 1000 + (uint64_t)i);
		good += put_file(name, sw, sizeof(sw)) == 0;
	}
	expect_int("write 200 files of 4 KiB", good, 200);
	good = 0;
	for (i = 0; i < 200; i++) {
		snprintf(name, sizeof(name), "small%03d", i);
		rng_fill(sw, sizeof(sw), 1000 + (uint64_t)i);
		memset(sb, 0, sizeof(sb));
		if (get_file(name, sb, sizeof(sb)) == (ssize_t)sizeof(sb) &&
		    !memcmp(sb, sw, sizeof(sb)) && lst(name).st_size == 4096)
			good++;
	}
	expect_int("200 files of 4 KiB read back identical", good, 200);
	free(want);
	free(got);
	tend();
}

/* ---- main --------------------------------------------------------------- */

int main(int argc, char **argv)
{
	static const struct { const char *name; void (*fn)(void); } tests[] = {
		{ "open", test_open },       { "mkdir", test_mkdir },   { "mknod", test_mknod },
		{ "unlink", test_unlink },   { "link", test_link },     { "symlink", test_symlink },
		{ "rename", test_rename },   { "attr", test_attr },     { "perm", test_perm },
		{ "readdir", test_readdir }, { "statfs", test_statfs }, { "xattr", test_xattr },
		{ "data", test_data },       { "mmap", test_mmap },     { "direct", test_direct },
		{ "bulk", test_bulk },
	};
	size_t i;
	int j;

	if (argc < 2 || argv[1][0] == '-') {
		fprintf(stderr, "usage: %s DIR [TEST...]\ntests:", argv[0]);
		for (i = 0; i < sizeof(tests) / sizeof(tests[0]); i++)
			fprintf(stderr, " %s", tests[i].name);
		fprintf(stderr, "\n");
		return 2;
	}
	if (mkdir(argv[1], 0755) < 0 && errno != EEXIST) {
		fprintf(stderr, "%s: mkdir %s: %s\n", argv[0], argv[1], strerror(errno));
		return 2;
	}
	if (!realpath(argv[1], base_dir)) {
		fprintf(stderr, "%s: %s: %s\n", argv[0], argv[1], strerror(errno));
		return 2;
	}
	setvbuf(stdout, NULL, _IOLBF, 0);
	umask(022);
	is_root = geteuid() == 0;
	printf("# posix_suite %s%s\n", base_dir,
	       is_root ? "" : " (not root: root-only checks skipped)");
	for (i = 0; i < sizeof(tests) / sizeof(tests[0]); i++) {
		bool run = argc == 2;

		for (j = 2; j < argc; j++)
			run |= !strcmp(argv[j], tests[i].name);
		if (run)
			tests[i].fn();
	}
	printf("1..%d\n", n_checks);
	printf("# %d checks, %d failed\n", n_checks, n_failed);
	return n_failed ? 1 : 0;
}
