// SPDX-License-Identifier: Apache-2.0
/*
 * ldbbench: the raw LevelDB rates that bound sealfs-server's metadata
 * operations on this machine, for tests/bench/server.
 *
 *   ldbbench -d DIR [-n COUNT] [-r REPEATS] [-o OUT.jsonl]
 *
 * DIR must not exist or be empty; every database goes below it (put it on
 * the disk the server's --meta-dir would be on). Writes use the options of
 * the server's store (server/smeta.c): sync=true (smeta_commit_sync), a
 * bloom filter of 10 bits per key, LevelDB's default block cache.
 *
 * The server writes one WriteBatch per operation. Its shape is taken from
 * the server's own store code: a scratch store (smeta_open) with a
 * recording durability seam runs each operation as the server runs it
 * (transaction with a client and request id, the operation, the stored
 * reply of the size the server sends) and keeps the puts and deletes, with
 * their key and value sizes, of the batch it commits. Each figure then
 * replays COUNT batches of that shape, with fresh keys of the same sizes
 * and tag bytes, into a fresh database:
 *
 *   put      one Put (24-byte key, 104-byte value, an inode's size), sync
 *   create   a batch shaped like CREATE of a regular file, sync
 *   mkdir    a batch shaped like CREATE of a directory, sync
 *   rename   two batches shaped like RENAME's in one directory, each
 *            synced: the server coordinates RENAME (server/ssrv_xop.c),
 *            commits the change and then stores the reply in a
 *            transaction of its own
 *   unlink   a batch shaped like UNLINK of a file, sync
 *   rmdir    a batch shaped like RMDIR of an empty directory, sync
 *   getattr  one Get of an existing key (an inode read)
 *   stat     two Gets of existing keys (LOOKUP reads the entry, then the
 *            inode)
 *
 * The server's reads during a mutation (replay check, parent, entry,
 * usage) are not part of the write figures; Gets are timed on a database
 * of COUNT keys, mostly in the memtable and level 0.
 *
 * Output: one JSON Lines record per figure, group "server", system
 * "leveldb", unit ops/s, and "shape" for the batches. Progress on
 * standard error.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <leveldb/c.h>

#include "server/smeta.h"

#define MAX_ITEMS	64
#define MAX_REPEATS	100
#define VOL		1

struct item {
	bool del;
	u8 tag;
	size_t klen, vlen;
};

/* One or two batches: it[0..split) is written first when split is non-zero. */
struct shape {
	struct item it[MAX_ITEMS];
	unsigned int n;
	unsigned int split;
};

/* The last batch committed through the recording seam. */
static struct shape last;

static void rec_put(void *arg, const char *k, size_t kl, const char *v, size_t vl)
{
	struct shape *s = arg;

	(void)v;
	if (s->n < MAX_ITEMS)
		s->it[s->n++] = (struct item){ false, kl ? (u8)k[0] : 0, kl, vl };
}

static void rec_del(void *arg, const char *k, size_t kl)
{
	struct shape *s = arg;

	if (s->n < MAX_ITEMS)
		s->it[s->n++] = (struct item){ true, kl ? (u8)k[0] : 0, kl, 0 };
}

static int rec_commit(void *arg, leveldb_t *db, leveldb_writebatch_t *wb)
{
	memset(&last, 0, sizeof(last));
	leveldb_writebatch_iterate(wb, &last, rec_put, rec_del);
	return smeta_commit_sync(arg, db, wb);
}

static const char *dir;
static char *path_of(const char *name)
{
	static char p[4096];

	snprintf(p, sizeof(p), "%s/%s", dir, name);
	return p;
}

static int die(const char *what, int rc)
{
	fprintf(stderr, "ldbbench: %s: %s\n", what, strerror(rc < 0 ? -rc : rc));
	exit(1);
}

enum { S_CREATE, S_MKDIR, S_RENAME, S_UNLINK, S_RMDIR, NSHAPE };
static const char *const shape_name[NSHAPE] = {
	"create", "mkdir", "rename", "unlink", "rmdir",
};
static struct shape shapes[NSHAPE];

/*
 * Runs each operation a few times in a scratch store as the server does
 * (client and request id, operation, stored reply) and keeps the shape of
 * the last batch of each.
 */
static void derive_shapes(void)
{
	static const struct smeta_durability dur = { .commit = rec_commit };
	const u32 entry_rep = SEALFS_HDR_SIZE + sizeof(struct sealfs_entry_rep);
	const u32 rename_rep = SEALFS_HDR_SIZE + sizeof(struct sealfs_rename_rep);
	struct smeta_opts o = { .dir = path_of("shape"), .server_id = 1, .dur = &dur };
	u8 reply[SMETA_REPLY_MAX] = { 0 };
	struct smeta_create_args ca = { 0 };
	struct smeta_rename_out ro;
	struct smeta_attr root;
	struct smeta_entry e;
	struct shape first = { 0 };
	struct smeta_txn *tx;
	struct smeta *m;
	char n1[16], n2[16], n3[16];
	u64 req = 1;
	int i, rc, s;

	rc = smeta_open(&o, &m);
	if (!rc)
		rc = smeta_mkroot(m, NULL, VOL, 0755, 0, 0, &root);
	if (rc)
		die("scratch store", rc);
	for (s = 0; s < NSHAPE; s++) {
		for (i = 0; i < 8; i++) {
			snprintf(n1, sizeof(n1), "f%07d", i);
			snprintf(n2, sizeof(n2), "g%07d", i);
			rc = smeta_txn_begin(m, 1, req++, &tx);
			if (rc)
				die("smeta_txn_begin", rc);
			switch (s) {
			case S_CREATE:	/* files f..., then directories g... */
			case S_MKDIR:
				ca.mode = s == S_CREATE ? S_IFREG | 0644 : S_IFDIR | 0755;
				ca.flags = SEALFS_CF_EXCL;
				rc = smeta_create(m, tx, VOL, root.ino, s == S_CREATE ? n1 : n2,
						  8, &ca, &e);
				if (!rc)
					rc = smeta_txn_reply(tx, reply, entry_rep);
				break;
			case S_RENAME:	/* f... to h..., as server/ssrv_xop.c does */
				smeta_txn_abort(tx);
				n3[0] = 'h';
				memcpy(n3 + 1, n1 + 1, sizeof(n3) - 1);
				rc = smeta_txn_begin(m, 0, 0, &tx);
				if (!rc)
					rc = smeta_rename(m, tx, VOL, root.ino, n1, 8, root.ino,
							  n3, 8, 0, &ro);
				if (!rc)
					rc = smeta_txn_commit(tx);
				if (rc)
					die("rename in the scratch store", rc);
				first = last;
				rc = smeta_txn_begin(m, 1, req++, &tx);
				if (!rc)
					rc = smeta_txn_reply(tx, reply, rename_rep);
				break;
			case S_UNLINK:	/* h... */
				n1[0] = 'h';
				rc = smeta_unlink(m, tx, VOL, root.ino, n1, 8, &e);
				if (!rc)
					rc = smeta_txn_reply(tx, reply, entry_rep);
				break;
			case S_RMDIR:	/* g...; the server's RMDIR reply is a bare header */
				rc = smeta_rmdir(m, tx, VOL, root.ino, n2, 8, &e);
				if (!rc)
					rc = smeta_txn_reply(tx, reply, SEALFS_HDR_SIZE);
				break;
			}
			if (rc) {
				smeta_txn_abort(tx);
				fprintf(stderr, "ldbbench: %s in the scratch store\n",
					shape_name[s]);
				die(shape_name[s], rc);
			}
			rc = smeta_txn_commit(tx);
			if (rc)
				die("commit", rc);
		}
		shapes[s] = last;
		if (s == S_RENAME && first.n + last.n <= MAX_ITEMS) {
			shapes[s] = first;
			memcpy(shapes[s].it + first.n, last.it, last.n * sizeof(last.it[0]));
			shapes[s].split = first.n;
			shapes[s].n = first.n + last.n;
		}
	}
	smeta_close(m);
}

static void shape_text(const struct shape *s, char *buf, size_t len)
{
	unsigned int i, puts = 0, dels = 0;
	size_t bytes = 0;
	int n;

	for (i = 0; i < s->n; i++) {
		if (s->it[i].del)
			dels++;
		else
			puts++;
		bytes += s->it[i].klen + s->it[i].vlen;
	}
	n = snprintf(buf, len, "%u batch%s, %u puts, %u deletes, %zu bytes:",
		     s->split ? 2 : 1, s->split ? "es" : "", puts, dels, bytes);
	for (i = 0; i < s->n && n > 0 && (size_t)n < len; i++)
		n += snprintf(buf + n, len - n, "%s %s%c%zu/%zu",
			      s->split && i == s->split ? " |" : "",
			      s->it[i].del ? "-" : "+",
			      s->it[i].tag >= 'A' && s->it[i].tag <= 'Z' ? s->it[i].tag : '?',
			      s->it[i].klen, s->it[i].vlen);
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static leveldb_t *db_open(const char *name, leveldb_options_t **op,
			  leveldb_filterpolicy_t **fp)
{
	leveldb_options_t *o = leveldb_options_create();
	leveldb_filterpolicy_t *f = leveldb_filterpolicy_create_bloom(10);
	char *err = NULL;
	leveldb_t *db;

	leveldb_options_set_create_if_missing(o, 1);
	leveldb_options_set_error_if_exists(o, 1);
	leveldb_options_set_filter_policy(o, f);
	db = leveldb_open(o, path_of(name), &err);
	if (err) {
		fprintf(stderr, "ldbbench: open %s: %s\n", path_of(name), err);
		exit(1);
	}
	*op = o;
	*fp = f;
	return db;
}

static void db_close(leveldb_t *db, leveldb_options_t *o, leveldb_filterpolicy_t *f)
{
	leveldb_close(db);
	leveldb_options_destroy(o);
	leveldb_filterpolicy_destroy(f);
}

/* A key of @len bytes: @tag, then @seq big-endian, then @salt. */
static void make_key(char *k, size_t len, u8 tag, u64 seq, unsigned int salt)
{
	size_t i;

	memset(k, 0, len);
	if (!len)
		return;
	k[0] = (char)tag;
	for (i = 0; i < 8 && 1 + i < len; i++)
		k[1 + i] = (char)(seq >> (56 - 8 * i));
	if (len > 9)
		k[9] = (char)salt;
}

static char value[SMETA_REPLY_MAX + 4096];

/* COUNT synced batches of @s (or single Puts when @s is NULL): ops/s. */
static double write_run(const char *name, const struct shape *s, unsigned int count)
{
	leveldb_writeoptions_t *wo = leveldb_writeoptions_create();
	leveldb_writebatch_t *wb = leveldb_writebatch_create();
	leveldb_filterpolicy_t *f;
	leveldb_options_t *o;
	leveldb_t *db = db_open(name, &o, &f);
	char key[512], *err = NULL;
	unsigned int i, j;
	double t0, t;

	leveldb_writeoptions_set_sync(wo, 1);
	t0 = now_s();
	for (i = 0; i < count && !err; i++) {
		if (!s) {
			make_key(key, 24, 'I', i, 0);
			leveldb_put(db, wo, key, 24, value + (i % 64), 104, &err);
			continue;
		}
		leveldb_writebatch_clear(wb);
		for (j = 0; j < s->n && !err; j++) {
			const struct item *it = &s->it[j];
			size_t kl = it->klen < sizeof(key) ? it->klen : sizeof(key);

			if (s->split && j == s->split) {
				leveldb_write(db, wo, wb, &err);
				leveldb_writebatch_clear(wb);
			}

			make_key(key, kl, it->tag, i, j);
			if (it->del)
				leveldb_writebatch_delete(wb, key, kl);
			else
				leveldb_writebatch_put(wb, key, kl, value + (i % 64),
						       it->vlen < SMETA_REPLY_MAX + 1024 ?
						       it->vlen : SMETA_REPLY_MAX + 1024);
		}
		leveldb_write(db, wo, wb, &err);
	}
	t = now_s() - t0;
	if (err) {
		fprintf(stderr, "ldbbench: write %s: %s\n", name, err);
		exit(1);
	}
	leveldb_writebatch_destroy(wb);
	leveldb_writeoptions_destroy(wo);
	db_close(db, o, f);
	return count / t;
}

/* Gets of @per existing keys per operation, COUNT operations: ops/s. */
static double get_run(const char *name, unsigned int count, unsigned int per)
{
	leveldb_writeoptions_t *wo = leveldb_writeoptions_create();
	leveldb_readoptions_t *ro = leveldb_readoptions_create();
	leveldb_writebatch_t *wb = leveldb_writebatch_create();
	leveldb_filterpolicy_t *f;
	leveldb_options_t *o;
	leveldb_t *db = db_open(name, &o, &f);
	unsigned int i, j, x = 12345;
	char key[24], *err = NULL, *v;
	size_t vl;
	double t0, t;

	/* the keys, written without sync: only the reads are timed */
	for (i = 0; i < count; i++) {
		make_key(key, sizeof(key), 'I', i, 0);
		leveldb_writebatch_put(wb, key, sizeof(key), value + (i % 64), 104);
		if (i % 1024 == 1023 || i + 1 == count) {
			leveldb_write(db, wo, wb, &err);
			leveldb_writebatch_clear(wb);
			if (err)
				break;
		}
	}
	t0 = now_s();
	for (i = 0; i < count && !err; i++)
		for (j = 0; j < per && !err; j++) {
			x = x * 1103515245u + 12345u;
			make_key(key, sizeof(key), 'I', (x >> 8) % count, 0);
			v = leveldb_get(db, ro, key, sizeof(key), &vl, &err);
			if (!err && !v)
				err = strdup("a written key is missing");
			leveldb_free(v);
		}
	t = now_s() - t0;
	if (err) {
		fprintf(stderr, "ldbbench: get %s: %s\n", name, err);
		exit(1);
	}
	leveldb_writebatch_destroy(wb);
	leveldb_readoptions_destroy(ro);
	leveldb_writeoptions_destroy(wo);
	db_close(db, o, f);
	return count / t;
}

static void emit(FILE *out, const char *name, const double *v, int n, const char *shape)
{
	int i;

	fprintf(out, "{\"group\": \"server\", \"name\": \"%s\", \"system\": \"leveldb\", "
		"\"unit\": \"ops/s\", \"better\": \"higher\", \"samples\": [", name);
	for (i = 0; i < n; i++)
		fprintf(out, "%s%.6g", i ? ", " : "", v[i]);
	fprintf(out, "], \"shape\": \"%s\"}\n", shape);
}

static int usage(void)
{
	fprintf(stderr, "usage: ldbbench -d DIR [-n COUNT] [-r REPEATS] [-o OUT.jsonl]\n");
	return 2;
}

int main(int argc, char **argv)
{
	static const char *const fig_name[] = {
		"put", "create", "mkdir", "rename", "unlink", "rmdir", "getattr", "stat",
	};
	enum { NFIG = sizeof(fig_name) / sizeof(fig_name[0]) };
	static double res[NFIG][MAX_REPEATS];
	static char text[NSHAPE][2048];
	unsigned int count = 1000, i;
	int repeats = 3, c, r, f, s;
	const char *outpath = NULL;
	char name[64];
	FILE *out = stdout;

	while ((c = getopt(argc, argv, "d:n:r:o:h")) != -1) {
		switch (c) {
		case 'd': dir = optarg; break;
		case 'n': count = strtoul(optarg, NULL, 10); break;
		case 'r': repeats = atoi(optarg); break;
		case 'o': outpath = optarg; break;
		default: return usage();
		}
	}
	if (!dir || optind != argc || !count || repeats < 1 || repeats > MAX_REPEATS)
		return usage();
	if (mkdir(dir, 0700) && errno != EEXIST)
		die(dir, errno);
	for (i = 0; i < sizeof(value); i++)
		value[i] = (char)(i * 131 + (i >> 3));
	derive_shapes();
	for (s = 0; s < NSHAPE; s++) {
		shape_text(&shapes[s], text[s], sizeof(text[s]));
		fprintf(stderr, "ldbbench: %-7s %s\n", shape_name[s], text[s]);
	}
	for (r = 0; r < repeats; r++) {
		for (f = 0; f < NFIG; f++) {
			snprintf(name, sizeof(name), "%s-%d", fig_name[f], r);
			if (f == 0)
				res[f][r] = write_run(name, NULL, count);
			else if (f <= NSHAPE)
				res[f][r] = write_run(name, &shapes[f - 1], count);
			else
				res[f][r] = get_run(name, count * 10, f == NFIG - 1 ? 2 : 1);
			fprintf(stderr, "  leveldb %-8s %10.0f ops/s\n", fig_name[f], res[f][r]);
		}
	}
	if (outpath) {
		out = fopen(outpath, "a");
		if (!out)
			die(outpath, errno);
	}
	for (f = 0; f < NFIG; f++)
		emit(out, fig_name[f], res[f], repeats,
		     f == 0 ? "1 put, 24/104 bytes" :
		     f <= NSHAPE ? text[f - 1] :
		     f == NFIG - 1 ? "2 gets" : "1 get");
	if (out != stdout && fclose(out))
		die(outpath, errno);
	return 0;
}
