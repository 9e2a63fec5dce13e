// SPDX-License-Identifier: Apache-2.0
/*
 * fsbench: metadata, latency and small-file figures of a mounted file system.
 *
 *   fsbench meta [-p PROCS] [-n FILES] [-S] DIR
 *	PROCS processes (default 1) each create FILES empty files (default
 *	1000), stat them, list the directory, rename each file, unlink them,
 *	then mkdir and rmdir FILES directories, phase by phase: all processes
 *	start each phase together and the phase lasts until the last one is
 *	done. With -S all processes share one directory, otherwise each has
 *	its own. Prints "PHASE VALUE ops/s" for create, stat, readdir (entries
 *	returned per second), rename, unlink, mkdir and rmdir.
 *   fsbench lat [-n FILES] DIR
 *	One process: create (open O_CREAT|O_EXCL, close), stat and unlink
 *	FILES files, timing each call. Prints "OP_median VALUE us" and
 *	"OP_p99 VALUE us" for create, stat and unlink.
 *   fsbench small [-p PROCS] [-n FILES] [-b BYTES] DIR
 *	PROCS processes each write FILES files of BYTES (default 4096) with
 *	distinct content and syncfs; then the page cache is dropped
 *	(/proc/sys/vm/drop_caches) and every file is read back and compared.
 *	Prints "write VALUE files/s" and "read VALUE files/s". A content
 *	mismatch is an error.
 *
 * Everything happens in a new directory under DIR, removed at the end.
 * Times come from CLOCK_MONOTONIC. An operation failing with EAGAIN is
 * retried (after 1 ms, up to 1000 times) and counted in a warning on stderr.
 * Exits 0 on success, 1 when an operation
 * failed or data did not match, 2 on a usage error.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "tests/tools/bench_io.h"

#define PATHMAX 4096
#define MAXPROCS 256

static unsigned nprocs = 1, nfiles = 1000, fbytes = 4096;
static bool shared_dir;
static char top[PATHMAX];

static void die(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));
static void die(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fputs("fsbench: ", stderr);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(1);
}

static void pathf(char *buf, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void pathf(char *buf, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(buf, PATHMAX, fmt, ap);
	va_end(ap);
	if (n < 0 || n >= PATHMAX)
		die("path too long");
}

/* The directory process P works in. */
static void procdir(char *buf, unsigned p)
{
	if (shared_dir)
		pathf(buf, "%s/shared", top);
	else
		pathf(buf, "%s/p%u", top, p);
}

/* Deterministic content of small file I of process P. */
static void fill(unsigned char *buf, size_t len, unsigned p, unsigned i)
{
	uint64_t x = 0x9e3779b97f4a7c15ULL ^ ((uint64_t)p << 32 | i);

	for (size_t k = 0; k < len; k++) {
		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		buf[k] = (unsigned char)x;
	}
}

/* ---- phases ------------------------------------------------------------ */

enum phase {
	PH_CREATE, PH_STAT, PH_READDIR, PH_RENAME, PH_UNLINK_RENAMED, PH_MKDIR, PH_RMDIR,
	PH_WRITE, PH_READ, PH_UNLINK,
};

static const char *const phase_name[] = {
	[PH_CREATE] = "create", [PH_STAT] = "stat", [PH_READDIR] = "readdir",
	[PH_RENAME] = "rename", [PH_UNLINK_RENAMED] = "unlink", [PH_MKDIR] = "mkdir",
	[PH_RMDIR] = "rmdir", [PH_WRITE] = "write", [PH_READ] = "read", [PH_UNLINK] = "unlink",
};

static unsigned long retried;

/*
 * One operation of phase PH on file I of process P (paths A and B): 0, -1
 * with errno set, -EAGAIN for a transient failure worth retrying, or -2
 * after printing a content mismatch.
 */
static int one_op(enum phase ph, unsigned p, unsigned i, const char *a, const char *b,
		  unsigned char *buf, unsigned char *want)
{
	struct stat st;
	int rc = 0, fd;

	switch (ph) {
	case PH_CREATE:
		fd = open(a, O_WRONLY | O_CREAT | O_EXCL, 0644);
		rc = fd < 0 ? -1 : close(fd);
		break;
	case PH_STAT:
		rc = stat(a, &st);
		break;
	case PH_RENAME:
		rc = rename(a, b);
		break;
	case PH_UNLINK_RENAMED:
		rc = unlink(b);
		break;
	case PH_UNLINK:
		rc = unlink(a);
		break;
	case PH_MKDIR:
		rc = mkdir(a, 0755);
		break;
	case PH_RMDIR:
		rc = rmdir(a);
		break;
	case PH_WRITE:
		fill(buf, fbytes, p, i);
		fd = open(a, O_WRONLY | O_CREAT | O_TRUNC, 0644);
		if (fd < 0)
			return errno == EAGAIN ? -EAGAIN : -1;
		if (!bio_write_all(fd, buf, fbytes)) {
			int e = errno;

			close(fd);
			errno = e;
			return errno == EAGAIN ? -EAGAIN : -1;
		}
		rc = close(fd);
		break;
	case PH_READ:
		fill(want, fbytes, p, i);
		fd = open(a, O_RDONLY);
		if (fd < 0)
			return errno == EAGAIN ? -EAGAIN : -1;
		if (!bio_read_all(fd, buf, fbytes)) {
			int e = errno;

			close(fd);
			errno = e ? e : EIO;
			return errno == EAGAIN ? -EAGAIN : -1;
		}
		if (fstat(fd, &st) || st.st_size != (off_t)fbytes || memcmp(buf, want, fbytes)) {
			fprintf(stderr, "fsbench: %s: content or size mismatch\n", a);
			close(fd);
			return -2;
		}
		rc = close(fd);
		break;
	case PH_READDIR:
		break;
	}
	if (rc && errno == EAGAIN)
		return -EAGAIN;
	return rc ? -1 : 0;
}

/*
 * Runs phase PH in process P; returns the number of operations done (entries
 * returned for readdir) or -1 after printing what failed.
 */
static long long run_phase(enum phase ph, unsigned p)
{
	char dir[PATHMAX], a[PATHMAX], b[PATHMAX];
	unsigned char *buf = NULL, *want = NULL;
	long long ops = 0;
	bool after_retry = false;
	int fd;

	procdir(dir, p);
	if (ph == PH_WRITE || ph == PH_READ) {
		buf = malloc(fbytes ? fbytes : 1);
		want = malloc(fbytes ? fbytes : 1);
		if (!buf || !want)
			die("out of memory");
	}
	if (ph == PH_READDIR) {
		DIR *d = opendir(dir);
		struct dirent *de;

		if (!d) {
			fprintf(stderr, "fsbench: opendir %s: %s\n", dir, strerror(errno));
			return -1;
		}
		errno = 0;
		while ((de = readdir(d)))
			if (strcmp(de->d_name, ".") && strcmp(de->d_name, ".."))
				ops++;
		if (errno) {
			fprintf(stderr, "fsbench: readdir %s: %s\n", dir, strerror(errno));
			closedir(d);
			return -1;
		}
		closedir(d);
		if (ops < (long long)nfiles * (shared_dir ? nprocs : 1)) {
			fprintf(stderr, "fsbench: readdir %s: %lld entries, want %llu\n", dir, ops,
				(unsigned long long)nfiles * (shared_dir ? nprocs : 1));
			return -1;
		}
		return ops;
	}
	for (unsigned i = 0; i < nfiles; i++) {
		const char *what = phase_name[ph];
		int rc = 0;

		pathf(a, "%s/f.%u.%u", dir, p, i);
		pathf(b, "%s/r.%u.%u", dir, p, i);
		for (unsigned tries = 0;; tries++) {
			rc = one_op(ph, p, i, a, b, buf, want);
			if (rc != -EAGAIN)
				break;
			/* A transient conflict: count it and try again. */
			if (tries == 1000) {
				errno = EAGAIN;
				break;
			}
			retried++;
			usleep(1000);
			if (ph == PH_CREATE || ph == PH_MKDIR || ph == PH_UNLINK ||
			    ph == PH_UNLINK_RENAMED || ph == PH_RMDIR || ph == PH_RENAME)
				after_retry = true;
		}
		if (rc == -2) {
			free(buf);
			free(want);
			return -1;
		}
		if (rc && after_retry) {
			/* The retried call may have been done the first time. */
			bool done = ((ph == PH_CREATE || ph == PH_MKDIR) && errno == EEXIST) ||
				    (ph != PH_CREATE && ph != PH_MKDIR && errno == ENOENT);

			if (done)
				rc = 0;
		}
		after_retry = false;
		if (rc) {
			fprintf(stderr, "fsbench: %s %s: %s\n", what, a, strerror(errno));
			free(buf);
			free(want);
			return -1;
		}
		ops++;
	}
	if (ph == PH_WRITE) {
		/* The files must be on the servers, not just in the page cache. */
		fd = open(dir, O_RDONLY | O_DIRECTORY);
		if (fd < 0 || syncfs(fd)) {
			fprintf(stderr, "fsbench: syncfs %s: %s\n", dir, strerror(errno));
			ops = -1;
		}
		if (fd >= 0)
			close(fd);
	}
	free(buf);
	free(want);
	return ops;
}

/* ---- processes and the barrier ------------------------------------------ */

struct msg {
	int32_t proc;
	int32_t ok;
	int64_t ops;
	uint64_t retries;
};

/* Results go up one shared pipe; each worker has its own start pipe. */
static int up[2], down[MAXPROCS][2];
static pid_t pids[MAXPROCS];

static void child(unsigned p, const enum phase *phases, unsigned nph)
{
	struct msg m = { .proc = (int32_t)p, .ok = 1, .ops = 0 };
	char go;

	close(up[0]);
	for (unsigned q = 0; q <= p; q++)
		close(down[q][1]);
	/* Ready for the first phase. */
	if (!bio_write_all(up[1], &m, sizeof(m)))
		_exit(1);
	for (unsigned k = 0; k < nph; k++) {
		if (!bio_read_all(down[p][0], &go, 1))
			_exit(1);
		m.ops = run_phase(phases[k], p);
		m.ok = m.ops >= 0;
		m.retries = retried;
		if (!bio_write_all(up[1], &m, sizeof(m)))
			_exit(1);
		if (!m.ok)
			_exit(1);
	}
	_exit(0);
}

static void drop_caches(void)
{
	int fd;

	sync();
	fd = open("/proc/sys/vm/drop_caches", O_WRONLY);
	if (fd < 0 || !bio_write_all(fd, "3\n", 2))
		fprintf(stderr, "fsbench: warning: cannot drop caches: %s\n", strerror(errno));
	if (fd >= 0)
		close(fd);
}

/*
 * Runs PHASES in NPROCS processes; RESULT[k] gets phase k's operations per
 * second over all processes. Returns false when a process failed.
 */
static bool run_procs(const enum phase *phases, unsigned nph, double *result, bool drop_before_read)
{
	static uint64_t last_retries[MAXPROCS];
	uint64_t retries = 0;
	struct msg m;
	bool ok = true;
	unsigned started = 0;

	if (pipe(up))
		die("pipe: %s", strerror(errno));
	for (unsigned p = 0; p < nprocs; p++) {
		if (pipe(down[p]))
			die("pipe: %s", strerror(errno));
		pids[p] = fork();
		if (pids[p] < 0)
			die("fork: %s", strerror(errno));
		if (pids[p] == 0)
			child(p, phases, nph);
		started++;
		close(down[p][0]);
	}
	close(up[1]);
	for (unsigned p = 0; p < nprocs; p++)
		if (!bio_read_all(up[0], &m, sizeof(m)))
			die("a worker died before starting");
	for (unsigned k = 0; k < nph && ok; k++) {
		long long ops = 0;
		double t0, t1;
		if (drop_before_read && phases[k] == PH_READ)
			drop_caches();
		t0 = bio_now();
		for (unsigned p = 0; p < nprocs; p++)
			if (!bio_write_all(down[p][1], "g", 1))
				die("cannot start worker %u", p);
		for (unsigned p = 0; p < nprocs; p++) {
			if (!bio_read_all(up[0], &m, sizeof(m))) {
				ok = false;
				break;
			}
			if (!m.ok)
				ok = false;
			else
				ops += m.ops;
			if (m.proc >= 0 && (unsigned)m.proc < nprocs)
				last_retries[m.proc] = m.retries;
		}
		t1 = bio_now();
		result[k] = t1 > t0 ? (double)ops / (t1 - t0) : 0;
	}
	/* Each message counts a worker's retries since it started. */
	for (unsigned p = 0; p < nprocs; p++)
		retries += last_retries[p];
	if (retries)
		fprintf(stderr, "fsbench: warning: %llu operation(s) failed with EAGAIN and were retried\n",
			(unsigned long long)retries);
	for (unsigned p = 0; p < nprocs; p++)
		close(down[p][1]);
	close(up[0]);
	for (unsigned p = 0; p < started; p++) {
		int st;

		if (waitpid(pids[p], &st, 0) < 0 || !WIFEXITED(st) || WEXITSTATUS(st))
			ok = false;
	}
	return ok;
}

static void make_dirs(void)
{
	char d[PATHMAX];

	for (unsigned p = 0; p < (shared_dir ? 1 : nprocs); p++) {
		procdir(d, p);
		if (mkdir(d, 0755))
			die("mkdir %s: %s", d, strerror(errno));
	}
}

static void remove_dirs(void)
{
	char d[PATHMAX];

	for (unsigned p = 0; p < (shared_dir ? 1 : nprocs); p++) {
		procdir(d, p);
		if (rmdir(d))
			die("rmdir %s: %s", d, strerror(errno));
	}
	if (rmdir(top))
		die("rmdir %s: %s", top, strerror(errno));
}

/* ---- modes --------------------------------------------------------------- */

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

static double percentile(double *v, unsigned n, double q)
{
	size_t i;

	if (!n)
		return 0;
	qsort(v, n, sizeof(*v), cmp_double);
	i = (size_t)(q * (double)(n - 1) + 0.5);
	return v[i < n ? i : n - 1];
}

static int mode_meta(void)
{
	static const enum phase ph[] = { PH_CREATE, PH_STAT, PH_READDIR, PH_RENAME,
					 PH_UNLINK_RENAMED, PH_MKDIR, PH_RMDIR };
	double r[sizeof(ph) / sizeof(ph[0])];
	unsigned n = sizeof(ph) / sizeof(ph[0]);

	make_dirs();
	if (!run_procs(ph, n, r, false))
		return 1;
	remove_dirs();
	for (unsigned k = 0; k < n; k++)
		printf("%s %.1f ops/s\n", phase_name[ph[k]], r[k]);
	return 0;
}

static int mode_small(void)
{
	static const enum phase ph[] = { PH_WRITE, PH_READ, PH_UNLINK };
	double r[3];

	make_dirs();
	if (!run_procs(ph, 3, r, true))
		return 1;
	remove_dirs();
	printf("write %.1f files/s\n", r[0]);
	printf("read %.1f files/s\n", r[1]);
	return 0;
}

static int mode_lat(void)
{
	static const char *const ops[] = { "create", "stat", "unlink" };
	double *t = calloc((size_t)nfiles * 3, sizeof(double));
	char dir[PATHMAX], a[PATHMAX];
	struct stat st;

	if (!t)
		die("out of memory");
	nprocs = 1;
	shared_dir = true;
	make_dirs();
	procdir(dir, 0);
	for (unsigned k = 0; k < 3; k++) {
		for (unsigned i = 0; i < nfiles; i++) {
			double t0, t1;
			int rc, fd;

			pathf(a, "%s/l.%u", dir, i);
			t0 = bio_now();
			switch (k) {
			case 0:
				fd = open(a, O_WRONLY | O_CREAT | O_EXCL, 0644);
				rc = fd < 0 ? -1 : close(fd);
				break;
			case 1:
				rc = stat(a, &st);
				break;
			default:
				rc = unlink(a);
				break;
			}
			t1 = bio_now();
			if (rc)
				die("%s %s: %s", ops[k], a, strerror(errno));
			t[(size_t)k * nfiles + i] = (t1 - t0) * 1e6;
		}
	}
	remove_dirs();
	for (unsigned k = 0; k < 3; k++) {
		double *v = t + (size_t)k * nfiles;

		printf("%s_median %.1f us\n", ops[k], percentile(v, nfiles, 0.5));
		printf("%s_p99 %.1f us\n", ops[k], percentile(v, nfiles, 0.99));
	}
	free(t);
	return 0;
}

static void usage(void) __attribute__((noreturn));
static void usage(void)
{
	fputs("usage: fsbench meta [-p PROCS] [-n FILES] [-S] DIR\n"
	      "       fsbench lat [-n FILES] DIR\n"
	      "       fsbench small [-p PROCS] [-n FILES] [-b BYTES] DIR\n", stderr);
	exit(2);
}

static unsigned number(const char *s, unsigned lo, unsigned hi)
{
	unsigned v;

	if (!bio_number(s, lo, hi, &v))
		usage();
	return v;
}

int main(int argc, char **argv)
{
	const char *mode, *dir;
	int c, rc;

	if (argc < 2)
		usage();
	mode = argv[1];
	optind = 2;
	while ((c = getopt(argc, argv, "p:n:b:S")) != -1) {
		switch (c) {
		case 'p':
			nprocs = number(optarg, 1, MAXPROCS);
			break;
		case 'n':
			nfiles = number(optarg, 1, 100000000);
			break;
		case 'b':
			fbytes = number(optarg, 0, 1U << 30);
			break;
		case 'S':
			shared_dir = true;
			break;
		default:
			usage();
		}
	}
	if (optind != argc - 1)
		usage();
	dir = argv[optind];
	if (strcmp(mode, "meta") && strcmp(mode, "lat") && strcmp(mode, "small"))
		usage();
	pathf(top, "%s/fsbench.%ld", dir, (long)getpid());
	if (mkdir(top, 0755))
		die("mkdir %s: %s", top, strerror(errno));
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (!strcmp(mode, "meta"))
		rc = mode_meta();
	else if (!strcmp(mode, "lat"))
		rc = mode_lat();
	else
		rc = mode_small();
	return rc;
}
