// SPDX-License-Identifier: Apache-2.0
/*
 * fsmodel: a random-operation model checker for a file system's data path,
 * in the spirit of fsx.
 *
 *   fsmodel [OPTIONS] FILE_OR_DIR
 *
 * Keeps an in-memory model of each test file's bytes and size and runs a
 * seeded, reproducible sequence of operations on the real files, checking
 * every result against the model: pwrite (sometimes past EOF, leaving a
 * hole), pread (holes must read as zeros), ftruncate up and down, mmap
 * read (MAP_SHARED; the tail of the page holding EOF must read as zeros),
 * mmap write (MAP_SHARED, msync MS_SYNC, munmap), fallocate (modes 0,
 * KEEP_SIZE, PUNCH_HOLE|KEEP_SIZE, ZERO_RANGE; a mode the file system
 * answers EOPNOTSUPP for is disabled for the rest of the run), fsync,
 * fdatasync, close and reopen, and every -V operations a full verification
 * (fstat size and every byte).
 *
 * With a directory, the files are DIR/fsmodel.0 .. DIR/fsmodel.<N-1>; with
 * a file and -N 1 (the default), that file; with a file and -N > 1,
 * FILE.0 .. FILE.<N-1>. The files are created or truncated at the start.
 *
 * Options:
 *   -s SEED      PRNG seed (default: from the time and pid); printed first
 *   -n OPS       number of operations (default 100000)
 *   -l MAXLEN    maximum file size in bytes (default 4 MiB; k, m suffixes)
 *   -o MAXOPLEN  maximum length of one operation (default 64 KiB)
 *   -N NFILES    number of files operated on (default 1)
 *   -V N         full verification every N operations (default 1000)
 *   -P N         a progress line on stderr every N operations (default 0,
 *                none)
 *   -w KIND=W[,KIND=W...]
 *                relative weight of an operation kind (write, read,
 *                truncate, mapread, mapwrite, fallocate, fsync, fdatasync,
 *                reopen; defaults 24, 22, 6, 10, 10, 10, 3, 3, 5); 0
 *                disables the kind
 *   -M           no mmap operations
 *   -F           no fallocate operations
 *   -R           no close and reopen
 *   -k           keep the files at the end (they are removed on success)
 *   --self-test-corrupt[=OP]
 *                flip one byte of the model at operation OP (default: the
 *                middle of the run, or the first later operation with a
 *                non-empty file) and verify at once: the run must then
 *                fail. Proves the checker detects a corruption.
 *
 * On the first mismatch or unexpected error: prints the operation number,
 * the last 32 operations, the file offset of the first differing byte with
 * the expected and actual values, and exits 1. On success prints a summary
 * line with the number of operations of each kind and exits 0. Exit 2 on a
 * usage error.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <time.h>
#include <unistd.h>

#ifndef FALLOC_FL_KEEP_SIZE
#define FALLOC_FL_KEEP_SIZE 0x01
#endif
#ifndef FALLOC_FL_PUNCH_HOLE
#define FALLOC_FL_PUNCH_HOLE 0x02
#endif
#ifndef FALLOC_FL_ZERO_RANGE
#define FALLOC_FL_ZERO_RANGE 0x10
#endif

enum op_kind {
	OP_WRITE,
	OP_READ,
	OP_TRUNCATE,
	OP_MAPREAD,
	OP_MAPWRITE,
	OP_FALLOC,
	OP_FSYNC,
	OP_FDATASYNC,
	OP_REOPEN,
	OP_VERIFY,
	OP_NKINDS
};

static const char *const op_names[OP_NKINDS] = {
	"write", "read", "truncate", "mapread", "mapwrite",
	"fallocate", "fsync", "fdatasync", "reopen", "verify",
};

/* Relative weights of the randomly chosen operations (verify is periodic). */
static unsigned op_weight[OP_NKINDS] = {
	[OP_WRITE] = 24, [OP_READ] = 22, [OP_TRUNCATE] = 6, [OP_MAPREAD] = 10,
	[OP_MAPWRITE] = 10, [OP_FALLOC] = 10, [OP_FSYNC] = 3,
	[OP_FDATASYNC] = 3, [OP_REOPEN] = 5,
};

enum falloc_mode { FA_ALLOC, FA_KEEP, FA_PUNCH, FA_ZERO, FA_NMODES };
static const int fa_flags[FA_NMODES] = {
	0, FALLOC_FL_KEEP_SIZE, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE,
	FALLOC_FL_ZERO_RANGE,
};
static const char *const fa_names[FA_NMODES] = {
	"0", "KEEP_SIZE", "PUNCH_HOLE|KEEP_SIZE", "ZERO_RANGE",
};

struct tfile {
	char *path;
	int fd;
	unsigned char *model; /* maxlen bytes; zero at and beyond size */
	uint64_t size;
};

#define LOG_LEN 32
struct log_entry {
	uint64_t opno;
	enum op_kind kind;
	unsigned file;
	uint64_t off, len;
	uint64_t size_before, size_after;
	int extra; /* fallocate mode */
};

static struct {
	uint64_t seed, nops, maxlen, maxoplen, verify_every, progress;
	unsigned nfiles;
	bool no_mmap, no_falloc, no_reopen, keep;
	bool corrupt;
	uint64_t corrupt_at;
} opt = {
	.nops = 100000,
	.maxlen = 4 << 20,
	.maxoplen = 64 << 10,
	.verify_every = 1000,
	.nfiles = 1,
};

static struct tfile *files;
static uint64_t rng_state;
static uint64_t opno;
static struct log_entry oplog[LOG_LEN];
static uint64_t nlogged;
static uint64_t counts[OP_NKINDS];
static double op_time[OP_NKINDS];
static uint64_t fa_counts[FA_NMODES];
static bool fa_disabled[FA_NMODES];
static unsigned char *iobuf, *databuf;
static long pagesize;
static struct timespec start_time;

static double elapsed(void)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return (now.tv_sec - start_time.tv_sec) + (now.tv_nsec - start_time.tv_nsec) / 1e9;
}

static uint64_t next_rand(void)
{
	/* splitmix64 */
	uint64_t z = (rng_state += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

/* Uniform in [0, n); n > 0. */
static uint64_t rnd(uint64_t n)
{
	return next_rand() % n;
}

static void fill_random(unsigned char *p, uint64_t len)
{
	uint64_t i, r;

	for (i = 0; i + 8 <= len; i += 8) {
		r = next_rand();
		memcpy(p + i, &r, 8);
	}
	if (i < len) {
		r = next_rand();
		memcpy(p + i, &r, len - i);
	}
}

static void print_entry(FILE *f, const struct log_entry *e)
{
	fprintf(f, "  %8" PRIu64 " %-9s", e->opno, op_names[e->kind]);
	if (opt.nfiles > 1)
		fprintf(f, " file %u", e->file);
	switch (e->kind) {
	case OP_WRITE:
	case OP_READ:
	case OP_MAPREAD:
	case OP_MAPWRITE:
		fprintf(f, " off 0x%" PRIx64 " len 0x%" PRIx64 " (end 0x%" PRIx64 ")",
			e->off, e->len, e->off + e->len);
		break;
	case OP_TRUNCATE:
		fprintf(f, " to 0x%" PRIx64, e->off);
		break;
	case OP_FALLOC:
		if (e->extra < 0) {
			fprintf(f, " (no mode supported)");
			break;
		}
		fprintf(f, " mode %s off 0x%" PRIx64 " len 0x%" PRIx64 " (end 0x%" PRIx64 ")",
			fa_names[e->extra], e->off, e->len, e->off + e->len);
		break;
	default:
		break;
	}
	if (e->size_before != e->size_after)
		fprintf(f, " size 0x%" PRIx64 " -> 0x%" PRIx64, e->size_before, e->size_after);
	else
		fprintf(f, " size 0x%" PRIx64, e->size_after);
	fputc('\n', f);
}

static struct log_entry *log_op(enum op_kind kind, unsigned fi, uint64_t off, uint64_t len,
				int extra)
{
	struct log_entry *e = &oplog[nlogged++ % LOG_LEN];

	e->opno = opno;
	e->kind = kind;
	e->file = fi;
	e->off = off;
	e->len = len;
	e->extra = extra;
	e->size_before = e->size_after = files[fi].size;
	counts[kind]++;
	return e;
}

static void print_weights(FILE *f)
{
	unsigned k;

	for (k = 0; k < OP_VERIFY; k++)
		fprintf(f, "%s%s=%u", k ? "," : "", op_names[k], op_weight[k]);
}

static void dump_log(void)
{
	uint64_t first = nlogged > LOG_LEN ? nlogged - LOG_LEN : 0, i;

	fprintf(stderr, "fsmodel: last %" PRIu64 " operations (seed %" PRIu64 "):\n",
		nlogged - first, opt.seed);
	for (i = first; i < nlogged; i++)
		print_entry(stderr, &oplog[i % LOG_LEN]);
}

static void __attribute__((noreturn, format(printf, 1, 2))) fail(const char *fmt, ...)
{
	va_list ap;

	fflush(stdout);
	fprintf(stderr, "fsmodel: FAIL: seed %" PRIu64 " op %" PRIu64 ": ", opt.seed, opno);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	dump_log();
	fprintf(stderr, "fsmodel: reproduce with: fsmodel -s %" PRIu64 " -n %" PRIu64
		" -l %" PRIu64 " -o %" PRIu64 " -N %u -V %" PRIu64 " -w ",
		opt.seed, opt.nops, opt.maxlen, opt.maxoplen, opt.nfiles, opt.verify_every);
	print_weights(stderr);
	fprintf(stderr, " FILE_OR_DIR\n");
	exit(1);
}

static void __attribute__((noreturn)) fail_errno(const char *what, unsigned fi)
{
	int e = errno;

	fail("%s on %s: %s (errno %d)", what, files[fi].path, strerror(e), e);
}

/*
 * Compares GOT (LEN bytes, file offset OFF) with the model; on a difference
 * reports the first differing byte and how many differ, then fails.
 */
static void check_bytes(unsigned fi, const char *what, uint64_t off, const unsigned char *got,
			const unsigned char *want, uint64_t len)
{
	uint64_t i, first, last, ndiff = 0;

	if (memcmp(got, want, len) == 0)
		return;
	for (i = 0; i < len && got[i] == want[i]; i++)
		;
	first = i;
	last = i;
	for (; i < len; i++) {
		if (got[i] != want[i]) {
			ndiff++;
			last = i;
		}
	}
	fflush(stdout);
	fprintf(stderr, "fsmodel: %s mismatch in %s at file offset 0x%" PRIx64 " (%" PRIu64
		"): expected 0x%02x, got 0x%02x; %" PRIu64 " bytes differ in [0x%" PRIx64
		", 0x%" PRIx64 "], last at 0x%" PRIx64 "; model size 0x%" PRIx64 "\n",
		what, files[fi].path, off + first, off + first, want[first], got[first], ndiff,
		off, off + len, off + last, files[fi].size);
	fprintf(stderr, "fsmodel: expected:");
	for (i = first; i < len && i < first + 16; i++)
		fprintf(stderr, " %02x", want[i]);
	fprintf(stderr, "\nfsmodel: got:     ");
	for (i = first; i < len && i < first + 16; i++)
		fprintf(stderr, " %02x", got[i]);
	fputc('\n', stderr);
	fail("%s: data mismatch at file offset 0x%" PRIx64, what, off + first);
}

static void do_open(unsigned fi, int extra_flags)
{
	files[fi].fd = open(files[fi].path, O_RDWR | O_CREAT | extra_flags, 0644);
	if (files[fi].fd < 0)
		fail_errno("open", fi);
}

static void full_pwrite(unsigned fi, const unsigned char *buf, uint64_t len, uint64_t off)
{
	uint64_t done = 0;
	ssize_t n;

	while (done < len) {
		n = pwrite(files[fi].fd, buf + done, len - done, off + done);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			fail_errno("pwrite", fi);
		}
		if (n == 0)
			fail("pwrite on %s returned 0 at 0x%" PRIx64, files[fi].path, off + done);
		done += n;
	}
}

/* Reads up to LEN bytes at OFF until EOF; returns the count read. */
static uint64_t full_pread(unsigned fi, unsigned char *buf, uint64_t len, uint64_t off)
{
	uint64_t done = 0;
	ssize_t n;

	while (done < len) {
		n = pread(files[fi].fd, buf + done, len - done, off + done);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			fail_errno("pread", fi);
		}
		if (n == 0)
			break;
		done += n;
	}
	return done;
}

static void check_read(unsigned fi, const char *what, uint64_t off, uint64_t len)
{
	struct tfile *t = &files[fi];
	uint64_t want = off >= t->size ? 0 : (t->size - off < len ? t->size - off : len);
	uint64_t got = full_pread(fi, iobuf, len, off);

	if (got != want) {
		if (got < want)
			check_bytes(fi, what, off, iobuf, t->model + off, got);
		fail("%s: pread of 0x%" PRIx64 " bytes at 0x%" PRIx64 " returned 0x%" PRIx64
		     " bytes, expected 0x%" PRIx64 " (model size 0x%" PRIx64 ")",
		     what, len, off, got, want, t->size);
	}
	check_bytes(fi, what, off, iobuf, t->model + off, got);
}

static void check_size(unsigned fi, const char *what)
{
	struct stat st;

	if (fstat(files[fi].fd, &st) < 0)
		fail_errno("fstat", fi);
	if ((uint64_t)st.st_size != files[fi].size)
		fail("%s: fstat size 0x%" PRIx64 " (%" PRIu64 "), model size 0x%" PRIx64
		     " (%" PRIu64 ")", what, (uint64_t)st.st_size, (uint64_t)st.st_size,
		     files[fi].size, files[fi].size);
}

static void verify_file(unsigned fi)
{
	log_op(OP_VERIFY, fi, 0, files[fi].size, 0);
	check_size(fi, "verify");
	check_read(fi, "verify", 0, opt.maxlen);
}

/* Sets the model's size to NEWSIZE, keeping bytes beyond the size zero. */
static void model_resize(unsigned fi, uint64_t newsize)
{
	struct tfile *t = &files[fi];

	if (newsize < t->size)
		memset(t->model + newsize, 0, t->size - newsize);
	t->size = newsize;
}

/* An operation's offset: mostly uniform, sometimes at or just past EOF. */
static uint64_t pick_off(unsigned fi, bool past_eof_ok)
{
	uint64_t size = files[fi].size, off;

	switch (rnd(8)) {
	case 0: /* at EOF: appends and reads of the last bytes */
		off = size > 0 && rnd(2) ? size - 1 - rnd(size < 4096 ? size : 4096) : size;
		break;
	case 1: /* past EOF, leaving a hole */
		off = past_eof_ok ? size + rnd(2 * opt.maxoplen) : rnd(opt.maxlen);
		break;
	case 2: /* page aligned */
		off = rnd(opt.maxlen) & ~(uint64_t)(pagesize - 1);
		break;
	default:
		off = rnd(opt.maxlen);
		break;
	}
	if (off >= opt.maxlen)
		off = opt.maxlen - 1;
	return off;
}

static uint64_t pick_len(uint64_t off)
{
	uint64_t len;

	switch (rnd(6)) {
	case 0:
		len = 1 + rnd(64);
		break;
	case 1:
		len = pagesize * (1 + rnd(opt.maxoplen / pagesize ? opt.maxoplen / pagesize : 1));
		break;
	default:
		len = 1 + rnd(opt.maxoplen);
		break;
	}
	if (len > opt.maxoplen)
		len = opt.maxoplen;
	if (off + len > opt.maxlen)
		len = opt.maxlen - off;
	return len;
}

static void op_write(unsigned fi)
{
	struct tfile *t = &files[fi];
	uint64_t off = pick_off(fi, true), len = pick_len(off);
	struct log_entry *e = log_op(OP_WRITE, fi, off, len, 0);

	fill_random(databuf, len);
	full_pwrite(fi, databuf, len, off);
	memcpy(t->model + off, databuf, len);
	if (off + len > t->size)
		t->size = off + len;
	e->size_after = t->size;
}

static void op_read(unsigned fi)
{
	uint64_t off = pick_off(fi, true), len = pick_len(off);

	log_op(OP_READ, fi, off, len, 0);
	check_read(fi, "read", off, len);
}

static void op_truncate(unsigned fi)
{
	struct tfile *t = &files[fi];
	uint64_t newsize;
	struct log_entry *e;

	switch (rnd(6)) {
	case 0:
		newsize = 0;
		break;
	case 1: /* a little up or down */
		newsize = t->size + rnd(2 * pagesize);
		newsize = newsize > (uint64_t)pagesize ? newsize - pagesize : 0;
		break;
	default:
		newsize = rnd(opt.maxlen + 1);
		break;
	}
	if (newsize > opt.maxlen)
		newsize = opt.maxlen;
	e = log_op(OP_TRUNCATE, fi, newsize, 0, 0);
	if (ftruncate(t->fd, newsize) < 0)
		fail_errno("ftruncate", fi);
	model_resize(fi, newsize);
	e->size_after = newsize;
}

static void op_mapread(unsigned fi)
{
	struct tfile *t = &files[fi];
	uint64_t off, len, pg, maplen, eofpage_end;
	unsigned char *p;
	struct log_entry *e;

	if (t->size == 0) {
		e = log_op(OP_MAPREAD, fi, 0, 0, 0);
		return;
	}
	off = rnd(t->size);
	len = pick_len(off);
	if (off + len > t->size)
		len = t->size - off;
	e = log_op(OP_MAPREAD, fi, off, len, 0);
	pg = off & ~(uint64_t)(pagesize - 1);
	maplen = off + len - pg;
	p = mmap(NULL, maplen, PROT_READ, MAP_SHARED, t->fd, pg);
	if (p == MAP_FAILED)
		fail_errno("mmap(PROT_READ)", fi);
	check_bytes(fi, "mapread", off, p + (off - pg), t->model + off, len);
	munmap(p, maplen);

	/* The rest of the page holding EOF must read as zeros. */
	if (t->size % pagesize && off + len == t->size) {
		pg = t->size & ~(uint64_t)(pagesize - 1);
		eofpage_end = pg + pagesize;
		p = mmap(NULL, pagesize, PROT_READ, MAP_SHARED, t->fd, pg);
		if (p == MAP_FAILED)
			fail_errno("mmap(PROT_READ) of the EOF page", fi);
		memset(iobuf, 0, pagesize);
		check_bytes(fi, "mapread beyond EOF in the EOF page", t->size,
			    p + (t->size - pg), iobuf, eofpage_end - t->size);
		munmap(p, pagesize);
	}
	(void)e;
}

static void op_mapwrite(unsigned fi)
{
	struct tfile *t = &files[fi];
	uint64_t off = pick_off(fi, false), len = pick_len(off), pg, maplen;
	unsigned char *p;
	struct log_entry *e = log_op(OP_MAPWRITE, fi, off, len, 0);

	/* A mapping cannot extend the file: extend it first, as fsx does. */
	if (off + len > t->size) {
		if (ftruncate(t->fd, off + len) < 0)
			fail_errno("ftruncate before mapwrite", fi);
		model_resize(fi, off + len);
		e->size_after = t->size;
	}
	pg = off & ~(uint64_t)(pagesize - 1);
	maplen = off + len - pg;
	p = mmap(NULL, maplen, PROT_READ | PROT_WRITE, MAP_SHARED, t->fd, pg);
	if (p == MAP_FAILED)
		fail_errno("mmap(PROT_READ|PROT_WRITE)", fi);
	fill_random(databuf, len);
	memcpy(p + (off - pg), databuf, len);
	memcpy(t->model + off, databuf, len);
	if (msync(p, maplen, MS_SYNC) < 0)
		fail_errno("msync(MS_SYNC)", fi);
	if (munmap(p, maplen) < 0)
		fail_errno("munmap", fi);
}

static void op_falloc(unsigned fi)
{
	struct tfile *t = &files[fi];
	uint64_t off, len, end;
	unsigned nenabled = 0, m, k;
	struct log_entry *e;

	for (m = 0; m < FA_NMODES; m++)
		nenabled += !fa_disabled[m];
	if (nenabled == 0) {
		/* Every mode is unsupported: count it as a no-op. */
		log_op(OP_FALLOC, fi, 0, 0, -1);
		return;
	}
	k = rnd(nenabled);
	for (m = 0; m < FA_NMODES; m++)
		if (!fa_disabled[m] && k-- == 0)
			break;
	off = pick_off(fi, true);
	len = pick_len(off);
	end = off + len;
	e = log_op(OP_FALLOC, fi, off, len, m);
	if (fallocate(t->fd, fa_flags[m], off, len) < 0) {
		if (errno == EOPNOTSUPP) {
			fa_disabled[m] = true;
			printf("fsmodel: fallocate mode %s: not supported, disabled for the rest "
			       "of the run\n", fa_names[m]);
			fflush(stdout);
			counts[OP_FALLOC]--;
			nlogged--;
			op_falloc(fi);
			return;
		}
		fail_errno("fallocate", fi);
	}
	fa_counts[m]++;
	switch (m) {
	case FA_ALLOC:
		if (end > t->size)
			t->size = end;
		break;
	case FA_KEEP:
		break;
	case FA_PUNCH:
		if (off < t->size)
			memset(t->model + off, 0, (end < t->size ? end : t->size) - off);
		break;
	case FA_ZERO:
		memset(t->model + off, 0, len);
		if (end > t->size)
			t->size = end;
		break;
	}
	e->size_after = t->size;
}

static void op_sync(unsigned fi, bool data_only)
{
	log_op(data_only ? OP_FDATASYNC : OP_FSYNC, fi, 0, 0, 0);
	if ((data_only ? fdatasync(files[fi].fd) : fsync(files[fi].fd)) < 0)
		fail_errno(data_only ? "fdatasync" : "fsync", fi);
}

static void op_reopen(unsigned fi)
{
	log_op(OP_REOPEN, fi, 0, 0, 0);
	if (close(files[fi].fd) < 0)
		fail_errno("close", fi);
	do_open(fi, 0);
}

static enum op_kind pick_kind(void)
{
	unsigned total = 0, k, r;

	for (k = 0; k < OP_NKINDS; k++)
		total += op_weight[k];
	r = rnd(total);
	for (k = 0; k < OP_NKINDS; k++) {
		if (r < op_weight[k])
			break;
		r -= op_weight[k];
	}
	return k;
}

static void self_test_corrupt(void)
{
	unsigned fi;
	uint64_t off;

	for (fi = 0; fi < opt.nfiles; fi++)
		if (files[fi].size > 0)
			break;
	if (fi == opt.nfiles)
		return; /* every file empty: try again at the next operation */
	off = rnd(files[fi].size);
	printf("fsmodel: self-test: flipping model byte at 0x%" PRIx64 " of %s at op %" PRIu64
	       "; the verification must now fail\n", off, files[fi].path, opno);
	fflush(stdout);
	files[fi].model[off] ^= 0x5a;
	opt.corrupt = false;
	verify_file(fi);
	fail("self-test: a corrupted model byte was not detected");
}

static uint64_t parse_num(const char *s, const char *what);

/* -w write=40,read=40,...: sets op_weight[]. */
static void parse_weights(const char *arg)
{
	char *copy = strdup(arg), *item, *save = NULL, *eq;
	unsigned k, total = 0;

	if (!copy)
		exit(2);
	for (item = strtok_r(copy, ",", &save); item; item = strtok_r(NULL, ",", &save)) {
		eq = strchr(item, '=');
		if (!eq)
			goto bad;
		*eq = 0;
		for (k = 0; k < OP_VERIFY; k++)
			if (!strcmp(item, op_names[k]))
				break;
		if (k == OP_VERIFY)
			goto bad;
		op_weight[k] = parse_num(eq + 1, "weight");
		if (op_weight[k] > 1000000)
			goto bad;
	}
	for (k = 0; k < OP_VERIFY; k++)
		total += op_weight[k];
	if (total == 0)
		goto bad;
	free(copy);
	return;
bad:
	fprintf(stderr, "fsmodel: bad -w '%s'\n", arg);
	exit(2);
}

static uint64_t parse_num(const char *s, const char *what)
{
	char *end;
	unsigned long long v;

	errno = 0;
	v = strtoull(s, &end, 0);
	if (errno || end == s)
		goto bad;
	switch (*end) {
	case 'k': case 'K': v <<= 10; end++; break;
	case 'm': case 'M': v <<= 20; end++; break;
	case 'g': case 'G': v <<= 30; end++; break;
	default: break;
	}
	if (*end)
		goto bad;
	return v;
bad:
	fprintf(stderr, "fsmodel: bad %s '%s'\n", what, s);
	exit(2);
}

static void __attribute__((noreturn)) usage(int status)
{
	fprintf(status ? stderr : stdout,
		"usage: fsmodel [-s SEED] [-n OPS] [-l MAXLEN] [-o MAXOPLEN] [-N NFILES]\n"
		"               [-V VERIFY_EVERY] [-P PROGRESS_EVERY] [-w KIND=W,...]\n"
		"               [-M] [-F] [-R] [-k]\n"
		"               [--self-test-corrupt[=OP]] FILE_OR_DIR\n");
	exit(status);
}

int main(int argc, char **argv)
{
	const char *target = NULL;
	bool have_seed = false;
	unsigned total;
	struct stat st;
	unsigned fi;
	int i;

	pagesize = sysconf(_SC_PAGESIZE);
	for (i = 1; i < argc; i++) {
		const char *a = argv[i];

#define NEXT() (i + 1 < argc ? argv[++i] : (usage(2), ""))
		if (!strcmp(a, "-s")) {
			opt.seed = parse_num(NEXT(), "seed");
			have_seed = true;
		} else if (!strcmp(a, "-n")) {
			opt.nops = parse_num(NEXT(), "operation count");
		} else if (!strcmp(a, "-l")) {
			opt.maxlen = parse_num(NEXT(), "maximum length");
		} else if (!strcmp(a, "-o")) {
			opt.maxoplen = parse_num(NEXT(), "maximum operation length");
		} else if (!strcmp(a, "-N")) {
			opt.nfiles = parse_num(NEXT(), "file count");
		} else if (!strcmp(a, "-V")) {
			opt.verify_every = parse_num(NEXT(), "verification interval");
		} else if (!strcmp(a, "-P")) {
			opt.progress = parse_num(NEXT(), "progress interval");
		} else if (!strcmp(a, "-w")) {
			parse_weights(NEXT());
		} else if (!strcmp(a, "-M")) {
			opt.no_mmap = true;
		} else if (!strcmp(a, "-F")) {
			opt.no_falloc = true;
		} else if (!strcmp(a, "-R")) {
			opt.no_reopen = true;
		} else if (!strcmp(a, "-k")) {
			opt.keep = true;
		} else if (!strcmp(a, "--self-test-corrupt")) {
			opt.corrupt = true;
			opt.corrupt_at = UINT64_MAX;
		} else if (!strncmp(a, "--self-test-corrupt=", 20)) {
			opt.corrupt = true;
			opt.corrupt_at = parse_num(a + 20, "self-test operation");
		} else if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
			usage(0);
		} else if (a[0] == '-' && a[1]) {
			fprintf(stderr, "fsmodel: unknown option %s\n", a);
			usage(2);
		} else if (!target) {
			target = a;
		} else {
			usage(2);
		}
#undef NEXT
	}
	if (!target)
		usage(2);
	if (opt.maxlen < 2 || opt.maxoplen < 1 || opt.nfiles < 1 || opt.nfiles > 1000) {
		fprintf(stderr, "fsmodel: bad -l, -o or -N\n");
		exit(2);
	}
	if (opt.maxoplen > opt.maxlen)
		opt.maxoplen = opt.maxlen;
	if (opt.no_mmap)
		op_weight[OP_MAPREAD] = op_weight[OP_MAPWRITE] = 0;
	if (opt.no_falloc)
		op_weight[OP_FALLOC] = 0;
	if (opt.no_reopen)
		op_weight[OP_REOPEN] = 0;
	for (i = 0, total = 0; i < OP_VERIFY; i++)
		total += op_weight[i];
	if (total == 0) {
		fprintf(stderr, "fsmodel: every operation kind is disabled\n");
		exit(2);
	}
	if (!have_seed) {
		struct timespec ts;

		clock_gettime(CLOCK_REALTIME, &ts);
		opt.seed = ((uint64_t)ts.tv_sec * 1000000007ULL ^ (uint64_t)ts.tv_nsec ^
			    ((uint64_t)getpid() << 32)) % 1000000000ULL;
	}
	if (opt.corrupt && opt.corrupt_at == UINT64_MAX)
		opt.corrupt_at = opt.nops / 2;
	printf("fsmodel: seed %" PRIu64 "\n", opt.seed);
	printf("fsmodel: %" PRIu64 " ops, max size %" PRIu64 ", max op length %" PRIu64
	       ", %u file(s), verify every %" PRIu64 ", weights ",
	       opt.nops, opt.maxlen, opt.maxoplen, opt.nfiles, opt.verify_every);
	print_weights(stdout);
	putchar('\n');
	fflush(stdout);
	rng_state = opt.seed;

	iobuf = malloc(opt.maxlen + pagesize);
	databuf = malloc(opt.maxoplen);
	files = calloc(opt.nfiles, sizeof(*files));
	if (!iobuf || !databuf || !files) {
		fprintf(stderr, "fsmodel: out of memory\n");
		exit(2);
	}
	for (fi = 0; fi < opt.nfiles; fi++) {
		struct tfile *t = &files[fi];
		bool isdir = stat(target, &st) == 0 && S_ISDIR(st.st_mode);
		size_t n = strlen(target) + 32;

		t->path = malloc(n);
		t->model = calloc(1, opt.maxlen);
		if (!t->path || !t->model) {
			fprintf(stderr, "fsmodel: out of memory\n");
			exit(2);
		}
		if (isdir)
			snprintf(t->path, n, "%s/fsmodel.%u", target, fi);
		else if (opt.nfiles > 1)
			snprintf(t->path, n, "%s.%u", target, fi);
		else
			snprintf(t->path, n, "%s", target);
		do_open(fi, O_TRUNC);
		check_size(fi, "open with O_TRUNC");
	}

	clock_gettime(CLOCK_MONOTONIC, &start_time);
	for (opno = 1; opno <= opt.nops; opno++) {
		enum op_kind k;
		double t0;

		if (opt.corrupt && opno >= opt.corrupt_at)
			self_test_corrupt();
		fi = opt.nfiles > 1 ? rnd(opt.nfiles) : 0;
		k = pick_kind();
		t0 = elapsed();
		switch (k) {
		case OP_WRITE: op_write(fi); break;
		case OP_READ: op_read(fi); break;
		case OP_TRUNCATE: op_truncate(fi); break;
		case OP_MAPREAD: op_mapread(fi); break;
		case OP_MAPWRITE: op_mapwrite(fi); break;
		case OP_FALLOC: op_falloc(fi); break;
		case OP_FSYNC: op_sync(fi, false); break;
		case OP_FDATASYNC: op_sync(fi, true); break;
		case OP_REOPEN: op_reopen(fi); break;
		default: break;
		}
		op_time[k] += elapsed() - t0;
		if (opt.verify_every && opno % opt.verify_every == 0) {
			t0 = elapsed();
			for (fi = 0; fi < opt.nfiles; fi++)
				verify_file(fi);
			op_time[OP_VERIFY] += elapsed() - t0;
		}
		if (opt.progress && opno % opt.progress == 0) {
			fprintf(stderr, "fsmodel: %" PRIu64 " ops done, %.1f s\n", opno, elapsed());
			fflush(stderr);
		}
	}
	opno = opt.nops;
	if (opt.corrupt)
		fail("self-test: the run ended before the model was corrupted");
	/* A last verification, also through a fresh open. */
	for (fi = 0; fi < opt.nfiles; fi++) {
		verify_file(fi);
		op_reopen(fi);
		verify_file(fi);
		if (close(files[fi].fd) < 0)
			fail_errno("close", fi);
		if (!opt.keep && unlink(files[fi].path) < 0)
			fail_errno("unlink", fi);
	}

	printf("fsmodel: seed %" PRIu64 ": %" PRIu64 " ops ok:", opt.seed, opt.nops);
	for (i = 0; i < OP_NKINDS; i++)
		printf(" %s %" PRIu64, op_names[i], counts[i]);
	printf(" (fallocate modes:");
	for (i = 0; i < FA_NMODES; i++)
		printf(" %s %" PRIu64 "%s", fa_names[i], fa_counts[i],
		       fa_disabled[i] ? " unsupported" : "");
	printf("), %.1f s\n", elapsed());
	printf("fsmodel: seconds spent:");
	for (i = 0; i < OP_NKINDS; i++)
		printf(" %s %.2f", op_names[i], op_time[i]);
	printf("\n");
	return 0;
}
