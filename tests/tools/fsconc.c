// SPDX-License-Identifier: Apache-2.0
/*
 * fsconc: concurrency and coherence checks for a mounted file system.
 *
 *   fsconc create DIR
 *	4 processes each create 2,000 files (names unique per process) in one
 *	new directory under DIR; a listing must hold exactly the 8,000 names,
 *	once each; each file's stat (type, mode, size, link count, distinct
 *	inode numbers) and content must match; then the 4 processes remove
 *	their files in parallel and the directory must list empty.
 *   fsconc writers DIR
 *	4 processes each write their own 8 MiB file under DIR with distinct
 *	seeded content, in writes of varying sizes; then each file's size and
 *	content are verified through a fresh open, and the files removed.
 *   fsconc coherence DIR_A DIR_B
 *	DIR_A and DIR_B are two mounts of the same volume: a file written and
 *	closed through one is read identical through the other after a fresh
 *	open, both ways; overwrites, truncations and appends made and closed
 *	through one are seen by a fresh open through the other, over several
 *	rounds, while the other side still has the old content cached.
 *
 * Options (before the command): -s SEED (default 1), -p PROCS (default 4),
 * -f FILES per process (default 2000), -m MIB per writer (default 8),
 * -r ROUNDS of coherence (default 20).
 *
 * Output is TAP-like: "ok N - what" or "not ok N - what" with "# " detail
 * lines, and a plan line at the end. Exits 0 only if every check passed,
 * 1 otherwise, 2 on a usage error.
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

static uint64_t seed = 1;
static unsigned nprocs = 4, nfiles = 2000, mib = 8, rounds = 20;
static unsigned ntests, nfailed;
static char run_tag[64];

/* Directory arguments are at most DIRMAX bytes; paths under them PATHMAX. */
#define DIRMAX 3072
#define PATHMAX 4096

/* ---- reporting -------------------------------------------------------- */

static void result(bool ok, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void result(bool ok, const char *fmt, ...)
{
	va_list ap;

	printf("%s %u - ", ok ? "ok" : "not ok", ++ntests);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
	fflush(stdout);
	nfailed += !ok;
}

static void diag(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void diag(const char *fmt, ...)
{
	va_list ap;

	printf("# ");
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
	fflush(stdout);
}

/* ---- data ------------------------------------------------------------- */

static uint64_t splitmix(uint64_t *s)
{
	uint64_t z = (*s += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

/* Fills BUF with LEN bytes of the stream STREAM starting at byte 0. */
static void fill(unsigned char *buf, size_t len, uint64_t stream)
{
	uint64_t s = seed * 1000003ULL + stream, r;
	size_t i;

	for (i = 0; i < len; i += 8) {
		r = splitmix(&s);
		memcpy(buf + i, &r, len - i < 8 ? len - i : 8);
	}
}

static int write_all(int fd, const void *buf, size_t len)
{
	const char *p = buf;
	ssize_t n;

	while (len) {
		n = write(fd, p, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		p += n;
		len -= n;
	}
	return 0;
}

static int pwrite_all(int fd, const void *buf, size_t len, off_t off)
{
	const char *p = buf;
	ssize_t n;

	while (len) {
		n = pwrite(fd, p, len, off);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		p += n;
		off += n;
		len -= n;
	}
	return 0;
}

/* Reads the whole of PATH into *BUF (malloc'd); returns the length or -1. */
static ssize_t read_file(const char *path, unsigned char **buf)
{
	size_t cap = 1 << 16, len = 0;
	unsigned char *p = malloc(cap);
	ssize_t n;
	int fd = open(path, O_RDONLY);

	if (fd < 0 || !p) {
		free(p);
		if (fd >= 0)
			close(fd);
		return -1;
	}
	for (;;) {
		if (len == cap) {
			unsigned char *q = realloc(p, cap *= 2);

			if (!q)
				goto err;
			p = q;
		}
		n = read(fd, p + len, cap - len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			goto err;
		if (n == 0)
			break;
		len += n;
	}
	close(fd);
	*buf = p;
	return len;
err:
	close(fd);
	free(p);
	return -1;
}

/*
 * Compares GOT (GOTLEN bytes) with WANT (WANTLEN); on a difference writes a
 * description to MSG and returns false.
 */
static bool same(const unsigned char *got, size_t gotlen, const unsigned char *want,
		 size_t wantlen, char *msg, size_t msglen)
{
	size_t i, n = gotlen < wantlen ? gotlen : wantlen;

	for (i = 0; i < n && got[i] == want[i]; i++)
		;
	if (i < n) {
		snprintf(msg, msglen, "first difference at offset %zu (of %zu): expected 0x%02x, "
			 "got 0x%02x", i, wantlen, want[i], got[i]);
		return false;
	}
	if (gotlen != wantlen) {
		snprintf(msg, msglen, "read %zu bytes, expected %zu (the common part matches)",
			 gotlen, wantlen);
		return false;
	}
	return true;
}

/* Waits for every child; returns how many failed. */
static unsigned wait_children(pid_t *pids, unsigned n, const char *what)
{
	unsigned i, bad = 0;
	int st;

	for (i = 0; i < n; i++) {
		if (waitpid(pids[i], &st, 0) < 0 || !WIFEXITED(st) || WEXITSTATUS(st)) {
			diag("%s: process %u failed (status 0x%x)", what, i, st);
			bad++;
		}
	}
	return bad;
}

/* ---- create ----------------------------------------------------------- */

static void file_name(char *buf, size_t len, unsigned p, unsigned i)
{
	snprintf(buf, len, "p%u-file%05u", p, i);
}

static size_t file_content(char *buf, size_t len, unsigned p, unsigned i)
{
	/* A size that varies with the name, so a mixed-up stat shows. */
	int n = snprintf(buf, len, "%s process %u file %u seed %" PRIu64 "\n", run_tag, p, i,
			 seed);
	size_t extra = (p * 7 + i) % 61, k;

	for (k = 0; k < extra && n + k < len - 1; k++)
		buf[n + k] = 'a' + (i + k) % 26;
	return n + k;
}

static mode_t file_mode(unsigned p, unsigned i)
{
	return (i % 3 == 0) ? 0600 : (i % 3 == 1) ? 0644 : 0640 + p % 2 * 4;
}

static int create_child(const char *dir, unsigned p)
{
	char path[PATHMAX], name[64], buf[256];
	unsigned i;
	size_t len;
	int fd;

	for (i = 0; i < nfiles; i++) {
		file_name(name, sizeof(name), p, i);
		snprintf(path, sizeof(path), "%s/%s", dir, name);
		fd = open(path, O_WRONLY | O_CREAT | O_EXCL, 0600);
		if (fd < 0) {
			diag("process %u: create %s: %s", p, path, strerror(errno));
			return 1;
		}
		len = file_content(buf, sizeof(buf), p, i);
		if (write_all(fd, buf, len) < 0 || fchmod(fd, file_mode(p, i)) < 0) {
			diag("process %u: write or fchmod %s: %s", p, path, strerror(errno));
			return 1;
		}
		if (close(fd) < 0) {
			diag("process %u: close %s: %s", p, path, strerror(errno));
			return 1;
		}
	}
	return 0;
}

static int remove_child(const char *dir, unsigned p)
{
	char path[PATHMAX], name[64];
	unsigned i;

	for (i = 0; i < nfiles; i++) {
		file_name(name, sizeof(name), p, i);
		snprintf(path, sizeof(path), "%s/%s", dir, name);
		if (unlink(path) < 0) {
			diag("process %u: unlink %s: %s", p, path, strerror(errno));
			return 1;
		}
	}
	return 0;
}

static unsigned run_parallel(const char *dir, int (*fn)(const char *, unsigned), const char *what)
{
	pid_t pids[64];
	unsigned p;

	fflush(stdout);
	for (p = 0; p < nprocs; p++) {
		pids[p] = fork();
		if (pids[p] < 0) {
			perror("fork");
			exit(1);
		}
		if (pids[p] == 0)
			_exit(fn(dir, p));
	}
	return wait_children(pids, nprocs, what);
}

static int cmp_ino(const void *a, const void *b)
{
	ino_t x = *(const ino_t *)a, y = *(const ino_t *)b;

	return x < y ? -1 : x > y;
}

/* Lists DIR: counts entries per expected name in SEEN; returns unexpected names. */
static long list_dir(const char *dir, unsigned *seen, unsigned *nentries)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	long unexpected = 0;
	unsigned p, i;
	char extra;

	*nentries = 0;
	if (!d) {
		diag("opendir %s: %s", dir, strerror(errno));
		return -1;
	}
	memset(seen, 0, sizeof(*seen) * nprocs * nfiles);
	errno = 0;
	while ((de = readdir(d))) {
		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		++*nentries;
		if (sscanf(de->d_name, "p%u-file%5u%c", &p, &i, &extra) == 2 && p < nprocs &&
		    i < nfiles) {
			char want[64];

			file_name(want, sizeof(want), p, i);
			if (!strcmp(want, de->d_name)) {
				seen[p * nfiles + i]++;
				continue;
			}
		}
		if (unexpected++ < 5)
			diag("unexpected name '%s' in %s", de->d_name, dir);
	}
	if (errno) {
		diag("readdir %s: %s", dir, strerror(errno));
		unexpected = -1;
	}
	closedir(d);
	return unexpected;
}

static void cmd_create(const char *top)
{
	char dir[DIRMAX + 128], path[PATHMAX], name[64], want[256], msg[256];
	unsigned total = nprocs * nfiles, *seen = calloc(total, sizeof(*seen));
	ino_t *inos = calloc(total, sizeof(*inos));
	unsigned p, i, missing = 0, dup = 0, nentries, bad, nbadstat = 0, nbadcontent = 0;
	long unexpected;
	time_t t0 = time(NULL);

	if (!seen || !inos) {
		perror("calloc");
		exit(1);
	}
	snprintf(dir, sizeof(dir), "%s/fsconc-create-%s", top, run_tag);
	if (mkdir(dir, 0755) < 0) {
		result(false, "create: mkdir %s: %s", dir, strerror(errno));
		return;
	}
	bad = run_parallel(dir, create_child, "create");
	result(bad == 0, "create: %u processes created %u files each in %s (%ld s)", nprocs,
	       nfiles, dir, (long)(time(NULL) - t0));

	t0 = time(NULL);
	unexpected = list_dir(dir, seen, &nentries);
	for (i = 0; i < total; i++) {
		if (seen[i] == 0 && missing++ < 5)
			diag("missing from the listing: p%u-file%05u", i / nfiles, i % nfiles);
		if (seen[i] > 1 && dup++ < 5)
			diag("listed %u times: p%u-file%05u", seen[i], i / nfiles, i % nfiles);
	}
	if (missing > 5 || dup > 5)
		diag("%u names missing, %u listed more than once", missing, dup);
	result(unexpected == 0 && missing == 0 && dup == 0 && nentries == total,
	       "create: readdir lists the %u names exactly once each (%u entries, %u missing, "
	       "%u duplicated, %ld unexpected)", total, nentries, missing, dup, unexpected);

	for (p = 0; p < nprocs; p++) {
		for (i = 0; i < nfiles; i++) {
			struct stat st;
			unsigned char *buf;
			size_t wantlen = file_content(want, sizeof(want), p, i);
			ssize_t n;

			file_name(name, sizeof(name), p, i);
			snprintf(path, sizeof(path), "%s/%s", dir, name);
			if (stat(path, &st) < 0) {
				if (nbadstat++ < 5)
					diag("stat %s: %s", path, strerror(errno));
				continue;
			}
			inos[p * nfiles + i] = st.st_ino;
			if (!S_ISREG(st.st_mode) || (st.st_mode & 07777) != file_mode(p, i) ||
			    (size_t)st.st_size != wantlen || st.st_nlink != 1) {
				if (nbadstat++ < 5)
					diag("stat %s: mode 0%o size %jd nlink %ju, expected mode "
					     "0100%o size %zu nlink 1", path, st.st_mode,
					     (intmax_t)st.st_size, (uintmax_t)st.st_nlink,
					     file_mode(p, i), wantlen);
			}
			n = read_file(path, &buf);
			if (n < 0) {
				if (nbadcontent++ < 5)
					diag("read %s: %s", path, strerror(errno));
				continue;
			}
			if (!same(buf, n, (unsigned char *)want, wantlen, msg, sizeof(msg)) &&
			    nbadcontent++ < 5)
				diag("%s: %s", path, msg);
			free(buf);
		}
	}
	result(nbadstat == 0, "create: stat of each file matches (%u differ)", nbadstat);
	result(nbadcontent == 0, "create: content of each file matches (%u differ)", nbadcontent);
	qsort(inos, total, sizeof(*inos), cmp_ino);
	for (i = 1, bad = 0; i < total; i++)
		if (inos[i] && inos[i] == inos[i - 1] && bad++ < 5)
			diag("inode number %ju used by more than one file", (uintmax_t)inos[i]);
	result(bad == 0, "create: the %u files have distinct inode numbers (%ld s to check)",
	       total, (long)(time(NULL) - t0));

	t0 = time(NULL);
	bad = run_parallel(dir, remove_child, "remove");
	result(bad == 0, "create: %u processes removed their files in parallel (%ld s)", nprocs,
	       (long)(time(NULL) - t0));
	unexpected = list_dir(dir, seen, &nentries);
	result(unexpected == 0 && nentries == 0, "create: the directory lists empty (%u entries)",
	       nentries);
	if (rmdir(dir) < 0)
		diag("rmdir %s: %s (left in place)", dir, strerror(errno));
	free(seen);
	free(inos);
}

/* ---- writers ---------------------------------------------------------- */

static int writer_child(const char *path, unsigned p)
{
	size_t size = (size_t)mib << 20, off = 0, len;
	unsigned char *buf = malloc(size);
	uint64_t s = seed ^ (0x5bd1e995ULL * (p + 1));
	int fd;

	if (!buf)
		return 1;
	fill(buf, size, 1000 + p);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	if (fd < 0) {
		diag("writer %u: create %s: %s", p, path, strerror(errno));
		return 1;
	}
	while (off < size) {
		/* Writes of 1 byte to 256 KiB, unaligned as often as not. */
		len = 1 + splitmix(&s) % (256 << 10);
		if (splitmix(&s) % 4 == 0)
			len = 1 + splitmix(&s) % 4096;
		if (len > size - off)
			len = size - off;
		if (write_all(fd, buf + off, len) < 0) {
			diag("writer %u: write %s at %zu: %s", p, path, off, strerror(errno));
			return 1;
		}
		off += len;
	}
	if (close(fd) < 0) {
		diag("writer %u: close %s: %s", p, path, strerror(errno));
		return 1;
	}
	free(buf);
	return 0;
}

static char writer_dir[DIRMAX];

static void writer_path(char *buf, size_t len, unsigned p)
{
	snprintf(buf, len, "%s/fsconc-writer%u-%s", writer_dir, p, run_tag);
}

static int writer_run(const char *dir, unsigned p)
{
	char path[PATHMAX];

	(void)dir;
	writer_path(path, sizeof(path), p);
	return writer_child(path, p);
}

static void cmd_writers(const char *dir)
{
	size_t size = (size_t)mib << 20;
	unsigned char *want = malloc(size), *got;
	char path[PATHMAX], msg[256];
	unsigned p, bad;
	time_t t0 = time(NULL);
	ssize_t n;

	if (!want) {
		perror("malloc");
		exit(1);
	}
	snprintf(writer_dir, sizeof(writer_dir), "%s", dir);
	bad = run_parallel(dir, writer_run, "writers");
	result(bad == 0, "writers: %u processes wrote %u MiB each in parallel (%ld s)", nprocs, mib,
	       (long)(time(NULL) - t0));
	for (p = 0; p < nprocs; p++) {
		struct stat st;

		writer_path(path, sizeof(path), p);
		fill(want, size, 1000 + p);
		if (stat(path, &st) < 0) {
			result(false, "writers: stat %s: %s", path, strerror(errno));
			continue;
		}
		n = read_file(path, &got);
		if (n < 0) {
			result(false, "writers: read %s: %s", path, strerror(errno));
			continue;
		}
		bool ok = (size_t)st.st_size == size && same(got, n, want, size, msg, sizeof(msg));

		if ((size_t)st.st_size != size)
			diag("%s: stat size %jd, expected %zu", path, (intmax_t)st.st_size, size);
		else if (!ok)
			diag("%s: %s", path, msg);
		result(ok, "writers: file %u (%s) has its %zu bytes", p, path, size);
		free(got);
		if (unlink(path) < 0)
			diag("unlink %s: %s", path, strerror(errno));
	}
	free(want);
}

/* ---- coherence -------------------------------------------------------- */

/* Writes BUF as the whole new content of PATH (O_TRUNC) and closes it. */
static int put_file(const char *path, const unsigned char *buf, size_t len)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);

	if (fd < 0 || write_all(fd, buf, len) < 0) {
		diag("write %s: %s", path, strerror(errno));
		if (fd >= 0)
			close(fd);
		return -1;
	}
	if (close(fd) < 0) {
		diag("close %s: %s", path, strerror(errno));
		return -1;
	}
	return 0;
}

/* Reads PATH through a fresh open and compares with WANT; reports as one check. */
static bool expect_file(const char *path, const unsigned char *want, size_t len,
			const char *what)
{
	unsigned char *got;
	char msg[256];
	struct stat st;
	ssize_t n = read_file(path, &got);
	bool ok;

	if (n < 0) {
		result(false, "coherence: %s: read %s: %s", what, path, strerror(errno));
		return false;
	}
	ok = same(got, n, want, len, msg, sizeof(msg));
	if (!ok)
		diag("%s: %s", path, msg);
	if (stat(path, &st) < 0) {
		diag("stat %s: %s", path, strerror(errno));
		ok = false;
	} else if ((size_t)st.st_size != len) {
		diag("stat %s: size %jd, expected %zu", path, (intmax_t)st.st_size, len);
		ok = false;
	}
	result(ok, "coherence: %s", what);
	free(got);
	return ok;
}

static void cmd_coherence(const char *a, const char *b)
{
	const size_t maxsize = (2 << 20) + 12345;
	unsigned char *cont[2], *chunk = malloc(1 << 20);
	size_t len[2];
	char path[2][2][PATHMAX], what[256];
	const char *mnt[2] = { a, b };
	uint64_t s = seed * 31 + 7;
	unsigned f, r, from, to;

	cont[0] = malloc(maxsize);
	cont[1] = malloc(maxsize);
	if (!cont[0] || !cont[1] || !chunk) {
		perror("malloc");
		exit(1);
	}
	/* path[f][m]: file f through mount m; file 0 starts on A, file 1 on B. */
	for (f = 0; f < 2; f++)
		for (from = 0; from < 2; from++)
			snprintf(path[f][from], sizeof(path[f][from]), "%s/fsconc-coh%u-%s",
				 mnt[from], f, run_tag);

	for (f = 0; f < 2; f++) {
		from = f;
		to = !f;
		len[f] = (1 << 20) + 123 + f * 4096;
		fill(cont[f], len[f], 2000 + f);
		if (put_file(path[f][from], cont[f], len[f]) < 0) {
			result(false, "coherence: write file %u through %s", f, mnt[from]);
			continue;
		}
		snprintf(what, sizeof(what), "file %u written and closed through %s reads the same "
			 "through %s", f, mnt[from], mnt[to]);
		expect_file(path[f][to], cont[f], len[f], what);
		snprintf(what, sizeof(what), "file %u reads the same through %s", f, mnt[from]);
		expect_file(path[f][from], cont[f], len[f], what);
	}

	/*
	 * Rounds: one side changes the file (overwrite in place, truncate and
	 * rewrite, or append) and closes it; the other side, which has read the
	 * old content, must see the new one after a fresh open. Rounds follow
	 * each other within the same second, as fast as they can.
	 */
	for (r = 0; r < rounds; r++) {
		char kind[96];
		int fd;

		f = r % 2;
		from = (r / 2) % 2;
		to = !from;
		switch (splitmix(&s) % 3) {
		case 0: { /* overwrite a range in place */
			size_t off = splitmix(&s) % len[f], n = 1 + splitmix(&s) % (1 << 20);

			if (n > len[f] - off)
				n = len[f] - off;
			fill(chunk, n, 3000 + r);
			memcpy(cont[f] + off, chunk, n);
			snprintf(kind, sizeof(kind), "an overwrite of [%zu, %zu)", off, off + n);
			fd = open(path[f][from], O_WRONLY);
			if (fd < 0 || pwrite_all(fd, chunk, n, off) < 0 || close(fd) < 0) {
				result(false, "coherence: round %u: overwrite %s: %s", r,
				       path[f][from], strerror(errno));
				continue;
			}
			break;
		}
		case 1: /* a new, shorter or longer content */
			len[f] = 1 + splitmix(&s) % maxsize;
			fill(cont[f], len[f], 4000 + r);
			snprintf(kind, sizeof(kind), "a rewrite with O_TRUNC");
			if (put_file(path[f][from], cont[f], len[f]) < 0) {
				result(false, "coherence: round %u: rewrite %s", r, path[f][from]);
				continue;
			}
			break;
		default: { /* append */
			size_t n = 1 + splitmix(&s) % (64 << 10);

			if (n > maxsize - len[f])
				n = maxsize - len[f];
			fill(cont[f] + len[f], n, 5000 + r);
			snprintf(kind, sizeof(kind), "an append of %zu bytes", n);
			fd = open(path[f][from], O_WRONLY | O_APPEND);
			if (fd < 0 || write_all(fd, cont[f] + len[f], n) < 0 || close(fd) < 0) {
				result(false, "coherence: round %u: append to %s: %s", r,
				       path[f][from], strerror(errno));
				continue;
			}
			len[f] += n;
			break;
		}
		}
		snprintf(what, sizeof(what), "round %u: %s to file %u through %s (now %zu bytes) "
			 "is seen through %s", r, kind, f, mnt[from], len[f], mnt[to]);
		expect_file(path[f][to], cont[f], len[f], what);
	}

	for (f = 0; f < 2; f++)
		if (unlink(path[f][f]) < 0)
			diag("unlink %s: %s", path[f][f], strerror(errno));
	free(cont[0]);
	free(cont[1]);
	free(chunk);
}

/* ---- main ------------------------------------------------------------- */

static void __attribute__((noreturn)) usage(void)
{
	fprintf(stderr, "usage: fsconc [-s SEED] [-p PROCS] [-f FILES] [-m MIB] [-r ROUNDS] "
		"create DIR | writers DIR | coherence DIR_A DIR_B\n");
	exit(2);
}

static unsigned num(const char *s)
{
	char *end;
	unsigned long v = strtoul(s, &end, 0);

	if (!*s || *end || v > 1000000)
		usage();
	return v;
}

int main(int argc, char **argv)
{
	int c;

	while ((c = getopt(argc, argv, "+s:p:f:m:r:")) != -1) {
		switch (c) {
		case 's': seed = strtoull(optarg, NULL, 0); break;
		case 'p': nprocs = num(optarg); break;
		case 'f': nfiles = num(optarg); break;
		case 'm': mib = num(optarg); break;
		case 'r': rounds = num(optarg); break;
		default: usage();
		}
	}
	for (c = optind + 1; c < argc; c++)
		if (strlen(argv[c]) >= DIRMAX)
			usage();
	if (optind >= argc || nprocs < 1 || nprocs > 64 || nfiles < 1 || nfiles > 99999 ||
	    mib < 1 || mib > 1024)
		usage();
	/* Names unique to this run, so a directory left by an earlier run does not matter. */
	snprintf(run_tag, sizeof(run_tag), "%ld-%ld", (long)getpid(), (long)time(NULL));
	printf("# fsconc %s: seed %" PRIu64 ", tag %s\n", argv[optind], seed, run_tag);
	if (!strcmp(argv[optind], "create") && argc - optind == 2)
		cmd_create(argv[optind + 1]);
	else if (!strcmp(argv[optind], "writers") && argc - optind == 2)
		cmd_writers(argv[optind + 1]);
	else if (!strcmp(argv[optind], "coherence") && argc - optind == 3)
		cmd_coherence(argv[optind + 1], argv[optind + 2]);
	else
		usage();
	printf("1..%u\n", ntests);
	if (nfailed)
		printf("# %u of %u checks failed\n", nfailed, ntests);
	return nfailed ? 1 : 0;
}
