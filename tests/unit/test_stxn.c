// SPDX-License-Identifier: Apache-2.0
/*
 * Store-level tests of cross-server transactions (smeta_xtxn.c and
 * smeta_rename.c), each on a fresh store: transaction ids, prepared
 * entries (hold, commit, abort, replace checks, durability across a
 * reopen), directory freezes, decision records, name holds and the
 * local rename.
 */
#include <errno.h>
#include <ftw.h>
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <cmocka.h>

#include "server/smeta.h"

#define VOL		3
#define ROOT		SEALFS_ROOT_INO
#define SERVER_ID	7
#define FOREIGN_INO	((9ull << SMETA_INO_SEQ_BITS) | 77)

struct fx {
	char dir[PATH_MAX];
	struct smeta *m;
	struct smeta_opts o;
};

static bool fx_owns(void *arg, u32 vol, u64 ino)
{
	(void)arg, (void)vol;
	return (ino >> SMETA_INO_SEQ_BITS) != 9;
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
	snprintf(f->dir, sizeof(f->dir), "%s/sealfs-stxn-XXXXXX",
		 tmp && *tmp ? tmp : "/tmp");
	if (!mkdtemp(f->dir)) {
		free(f);
		return -1;
	}
	f->o.dir = f->dir;
	f->o.server_id = SERVER_ID;
	f->o.owns = fx_owns;
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

static void reopen(struct fx *f)
{
	smeta_close(f->m);
	f->m = NULL;
	assert_int_equal(smeta_open(&f->o, &f->m), 0);
}

static u32 slen(const char *s)
{
	return (u32)strlen(s);
}

static u64 mk(struct fx *f, u64 parent, const char *name, u32 mode)
{
	struct smeta_create_args a = { .mode = mode, .flags = SEALFS_CF_EXCL };
	struct smeta_entry e;

	assert_int_equal(smeta_create(f->m, NULL, VOL, parent, name,
				      slen(name), &a, &e), 0);
	return e.attr.ino;
}

static int try_mk(struct fx *f, u64 parent, const char *name)
{
	struct smeta_create_args a = { .mode = S_IFREG | 0644,
				       .flags = SEALFS_CF_EXCL };
	struct smeta_entry e;

	return smeta_create(f->m, NULL, VOL, parent, name, slen(name), &a, &e);
}

/* The inode a name holds, 0 when there is none. */
static u64 ino_of(struct fx *f, u64 parent, const char *name)
{
	struct smeta_entry e;
	int rc = smeta_lookup(f->m, VOL, parent, name, slen(name), &e);

	if (rc == -ENOENT)
		return 0;
	assert_int_equal(rc, 0);
	return e.attr.ino;
}

static u64 count_of(struct fx *f, u64 dir)
{
	u64 n = ~0ull;

	assert_int_equal(smeta_dir_count(f->m, VOL, dir, &n), 0);
	return n;
}

static int prep(struct fx *f, u64 txid, u64 parent, const char *name, u64 ino,
		u32 mode, bool noreplace, u64 *old)
{
	u32 om = 0;
	u64 o = 0;
	int rc;

	rc = smeta_xtxn_prepare_entry(f->m, txid, VOL, parent, name, slen(name),
				      ino, mode, noreplace, &o, &om);
	if (old)
		*old = o;
	return rc;
}

static void count_cb(void *arg, u64 txid, u64 age)
{
	(void)txid, (void)age;
	(*(unsigned int *)arg)++;
}

static unsigned int prepared(struct fx *f)
{
	unsigned int n = 0;

	smeta_xtxn_prepared(f->m, count_cb, &n);
	return n;
}

/* ---- tests ---- */

static void test_txid(void **state)
{
	struct fx *f = *state;
	u64 a, b, c;

	assert_int_equal(smeta_xtxn_alloc(f->m, &a), 0);
	assert_int_equal(smeta_xtxn_alloc(f->m, &b), 0);
	assert_true(b > a);
	assert_int_equal(smeta_txid_coord(a), SERVER_ID);
	reopen(f);
	assert_int_equal(smeta_xtxn_alloc(f->m, &c), 0);
	assert_true(c > b);		/* never reused after a restart */
	assert_int_equal(smeta_txid_coord(c), SERVER_ID);
}

static void test_prepare_commit(void **state)
{
	struct fx *f = *state;
	u64 old = 1;

	assert_int_equal(prep(f, 11, ROOT, "dst", FOREIGN_INO, S_IFREG, false,
			      &old), 0);
	assert_int_equal(old, 0);
	assert_int_equal(prepared(f), 1);
	/* not visible before the commit, in doubt, and the name is held */
	assert_int_equal(ino_of(f, ROOT, "dst"), 0);
	assert_int_equal(smeta_xtxn_in_doubt(f->m, VOL, ROOT, "dst", 3), -EAGAIN);
	assert_int_equal(smeta_xtxn_in_doubt(f->m, VOL, ROOT, "other", 5), 1);
	assert_int_equal(try_mk(f, ROOT, "dst"), -EAGAIN);
	assert_int_equal(prep(f, 12, ROOT, "dst", FOREIGN_INO + 1, S_IFREG,
			      false, NULL), -EAGAIN);
	/* preparing again answers as the first time */
	assert_int_equal(prep(f, 11, ROOT, "dst", FOREIGN_INO, S_IFREG, false,
			      &old), 0);
	assert_int_equal(smeta_xtxn_finish(f->m, 11, SEALFS_TXN_COMMIT), 0);
	assert_int_equal(ino_of(f, ROOT, "dst"), FOREIGN_INO);
	assert_int_equal(smeta_xtxn_in_doubt(f->m, VOL, ROOT, "dst", 3), 0);
	assert_int_equal(count_of(f, ROOT), 1);
	assert_int_equal(prepared(f), 0);
	/* finishing again is a no-op */
	assert_int_equal(smeta_xtxn_finish(f->m, 11, SEALFS_TXN_COMMIT), 0);
	assert_int_equal(count_of(f, ROOT), 1);
}

static void test_prepare_abort(void **state)
{
	struct fx *f = *state;
	u64 file = mk(f, ROOT, "x", S_IFREG | 0644), old = 0;

	assert_int_equal(prep(f, 21, ROOT, "x", FOREIGN_INO, S_IFREG, false,
			      &old), 0);
	assert_int_equal(old, file);
	assert_int_equal(smeta_xtxn_finish(f->m, 21, SEALFS_TXN_ABORT), 0);
	assert_int_equal(ino_of(f, ROOT, "x"), file);
	assert_int_equal(prepared(f), 0);
	assert_int_equal(try_mk(f, ROOT, "y"), 0);
}

static void test_prepare_replace(void **state)
{
	struct fx *f = *state;
	u64 file = mk(f, ROOT, "f", S_IFREG | 0644);
	u64 dir = mk(f, ROOT, "d", S_IFDIR | 0755);
	u64 full = mk(f, ROOT, "full", S_IFDIR | 0755), old = 0;

	mk(f, full, "inside", S_IFREG | 0644);
	assert_int_equal(prep(f, 31, ROOT, "f", FOREIGN_INO, S_IFREG, true,
			      NULL), -EEXIST);
	assert_int_equal(prep(f, 31, ROOT, "f", FOREIGN_INO, S_IFDIR, false,
			      NULL), -ENOTDIR);
	assert_int_equal(prep(f, 31, ROOT, "d", FOREIGN_INO, S_IFREG, false,
			      NULL), -EISDIR);
	assert_int_equal(prep(f, 31, ROOT, "full", FOREIGN_INO, S_IFDIR, false,
			      NULL), -ENOTEMPTY);
	assert_int_equal(prepared(f), 0);
	/* an empty directory over an empty directory: frozen meanwhile */
	assert_int_equal(prep(f, 32, ROOT, "d", FOREIGN_INO, S_IFDIR, false,
			      &old), 0);
	assert_int_equal(old, dir);
	assert_int_equal(try_mk(f, dir, "late"), -EAGAIN);
	assert_int_equal(smeta_xtxn_finish(f->m, 32, SEALFS_TXN_COMMIT), 0);
	assert_int_equal(ino_of(f, ROOT, "d"), FOREIGN_INO);
	/* file over file */
	assert_int_equal(prep(f, 33, ROOT, "f", FOREIGN_INO + 1, S_IFREG, false,
			      &old), 0);
	assert_int_equal(old, file);
	assert_int_equal(smeta_xtxn_finish(f->m, 33, SEALFS_TXN_COMMIT), 0);
	assert_int_equal(ino_of(f, ROOT, "f"), FOREIGN_INO + 1);
	assert_int_equal(count_of(f, ROOT), 3);
}

static void test_prepare_survives_reopen(void **state)
{
	struct fx *f = *state;

	assert_int_equal(prep(f, 41, ROOT, "p", FOREIGN_INO, S_IFREG, false,
			      NULL), 0);
	reopen(f);
	assert_int_equal(prepared(f), 1);
	assert_int_equal(try_mk(f, ROOT, "p"), -EAGAIN);
	assert_int_equal(smeta_xtxn_finish(f->m, 41, SEALFS_TXN_COMMIT), 0);
	assert_int_equal(ino_of(f, ROOT, "p"), FOREIGN_INO);
	reopen(f);
	assert_int_equal(prepared(f), 0);
	assert_int_equal(ino_of(f, ROOT, "p"), FOREIGN_INO);
}

static void test_freeze(void **state)
{
	struct fx *f = *state;
	u64 dir = mk(f, ROOT, "d", S_IFDIR | 0755), n = 9;

	mk(f, dir, "a", S_IFREG | 0644);
	assert_int_equal(smeta_xtxn_freeze(f->m, 51, VOL, dir, &n), 0);
	assert_int_equal(n, 1);
	assert_int_equal(try_mk(f, dir, "b"), -EAGAIN);
	assert_int_equal(try_mk(f, ROOT, "elsewhere"), 0);
	reopen(f);
	assert_int_equal(try_mk(f, dir, "b"), -EAGAIN);
	assert_int_equal(smeta_xtxn_finish(f->m, 51, SEALFS_TXN_ABORT), 0);
	assert_int_equal(try_mk(f, dir, "b"), 0);
	assert_int_equal(count_of(f, dir), 2);
	/* COMMIT of a freeze of an empty directory forgets its state */
	dir = mk(f, ROOT, "e", S_IFDIR | 0755);
	assert_int_equal(smeta_xtxn_freeze(f->m, 52, VOL, dir, &n), 0);
	assert_int_equal(n, 0);
	assert_int_equal(smeta_xtxn_finish(f->m, 52, SEALFS_TXN_COMMIT), 0);
	assert_int_equal(count_of(f, dir), 0);
	assert_int_equal(prepared(f), 0);
}

static void dec_cb(void *arg, u64 txid, u32 vol, const u32 *srv, u32 n)
{
	u64 *seen = arg;

	assert_int_equal(vol, VOL);
	assert_int_equal(n, 2);
	assert_int_equal(srv[0], 3);
	assert_int_equal(srv[1], 4);
	*seen = txid;
}

static void test_decision(void **state)
{
	struct fx *f = *state;
	const u32 srv[2] = { 3, 4 };
	struct smeta_txn *tx;
	u64 txid, seen = 0;

	assert_int_equal(smeta_xtxn_alloc(f->m, &txid), 0);
	assert_int_equal(smeta_xtxn_decided(f->m, txid), 0);
	/* the decision and the coordinator's change in one batch */
	mk(f, ROOT, "src", S_IFREG | 0644);
	assert_int_equal(smeta_txn_begin(f->m, 0, 0, &tx), 0);
	assert_int_equal(smeta_xtxn_hold_name(f->m, txid, VOL, ROOT, "src", 3),
			 -EDEADLK);
	assert_int_equal(smeta_rename_src(f->m, tx, VOL, ROOT, "src", 3,
					  ino_of(f, ROOT, "src"), 0), 0);
	assert_int_equal(smeta_xtxn_decide(tx, txid, VOL, srv, 2), 0);
	smeta_txn_abort(tx);
	assert_int_equal(smeta_xtxn_decided(f->m, txid), 0);
	assert_true(ino_of(f, ROOT, "src") != 0);
	assert_int_equal(smeta_txn_begin(f->m, 0, 0, &tx), 0);
	assert_int_equal(smeta_rename_src(f->m, tx, VOL, ROOT, "src", 3,
					  ino_of(f, ROOT, "src"), 0), 0);
	assert_int_equal(smeta_xtxn_decide(tx, txid, VOL, srv, 2), 0);
	assert_int_equal(smeta_txn_commit(tx), 0);
	assert_int_equal(ino_of(f, ROOT, "src"), 0);
	reopen(f);
	assert_int_equal(smeta_xtxn_decided(f->m, txid), 1);
	assert_int_equal(smeta_xtxn_decisions(f->m, dec_cb, &seen), 0);
	assert_int_equal(seen, txid);
	assert_int_equal(smeta_xtxn_forget(f->m, txid), 0);
	assert_int_equal(smeta_xtxn_decided(f->m, txid), 0);
}

static void test_name_hold(void **state)
{
	struct fx *f = *state;
	struct smeta_entry e;
	u64 n;

	mk(f, ROOT, "h", S_IFREG | 0644);
	assert_int_equal(smeta_xtxn_hold_name(f->m, 61, VOL, ROOT, "h", 1), 0);
	assert_int_equal(smeta_unlink(f->m, NULL, VOL, ROOT, "h", 1, &e),
			 -EAGAIN);
	assert_int_equal(smeta_xtxn_hold_name(f->m, 62, VOL, ROOT, "h", 1),
			 -EAGAIN);
	assert_int_equal(smeta_xtxn_hold_dir(f->m, 61, VOL, ROOT, &n), 0);
	assert_int_equal(n, 1);
	assert_int_equal(try_mk(f, ROOT, "new"), -EAGAIN);
	smeta_xtxn_release(f->m, 61);
	assert_int_equal(try_mk(f, ROOT, "new"), 0);
	assert_int_equal(smeta_unlink(f->m, NULL, VOL, ROOT, "h", 1, &e), 0);
	assert_int_equal(prepared(f), 0);
}

static void test_rename_local(void **state)
{
	struct fx *f = *state;
	u64 a = mk(f, ROOT, "a", S_IFREG | 0644);
	u64 b = mk(f, ROOT, "b", S_IFREG | 0644);
	u64 d = mk(f, ROOT, "d", S_IFDIR | 0755);
	u64 e = mk(f, ROOT, "e", S_IFDIR | 0755);
	u64 g = mk(f, ROOT, "g", S_IFDIR | 0755);
	struct smeta_rename_out o;

	mk(f, g, "inside", S_IFREG | 0644);
	assert_int_equal(count_of(f, ROOT), 5);
	/* same directory, new name */
	assert_int_equal(smeta_rename(f->m, NULL, VOL, ROOT, "a", 1, ROOT, "a2",
				      2, 0, &o), 0);
	assert_int_equal(o.ino, a);
	assert_int_equal(o.old_ino, 0);
	assert_int_equal(ino_of(f, ROOT, "a"), 0);
	assert_int_equal(ino_of(f, ROOT, "a2"), a);
	assert_int_equal(count_of(f, ROOT), 5);
	/* over an existing file */
	assert_int_equal(smeta_rename(f->m, NULL, VOL, ROOT, "a2", 2, ROOT, "b",
				      1, SEALFS_RF_NOREPLACE, &o), -EEXIST);
	assert_int_equal(smeta_rename(f->m, NULL, VOL, ROOT, "a2", 2, ROOT, "b",
				      1, 0, &o), 0);
	assert_int_equal(o.old_ino, b);
	assert_int_equal(ino_of(f, ROOT, "b"), a);
	assert_int_equal(count_of(f, ROOT), 4);
	/* kinds */
	assert_int_equal(smeta_rename(f->m, NULL, VOL, ROOT, "b", 1, ROOT, "d",
				      1, 0, &o), -EISDIR);
	assert_int_equal(smeta_rename(f->m, NULL, VOL, ROOT, "d", 1, ROOT, "b",
				      1, 0, &o), -ENOTDIR);
	assert_int_equal(smeta_rename(f->m, NULL, VOL, ROOT, "d", 1, ROOT, "g",
				      1, 0, &o), -ENOTEMPTY);
	/* empty directory over empty directory */
	assert_int_equal(smeta_rename(f->m, NULL, VOL, ROOT, "d", 1, ROOT, "e",
				      1, 0, &o), 0);
	assert_int_equal(o.old_ino, e);
	assert_int_equal(ino_of(f, ROOT, "e"), d);
	/* into another directory */
	assert_int_equal(smeta_rename(f->m, NULL, VOL, ROOT, "b", 1, g, "b", 1,
				      0, &o), 0);
	assert_int_equal(count_of(f, ROOT), 2);
	assert_int_equal(count_of(f, g), 2);
	assert_int_equal(ino_of(f, g, "b"), a);
	assert_int_equal(smeta_rename(f->m, NULL, VOL, ROOT, "zz", 2, g, "c", 1,
				      0, &o), -ENOENT);
	/* a held destination */
	assert_int_equal(smeta_xtxn_hold_name(f->m, 71, VOL, ROOT, "held", 4), 0);
	assert_int_equal(smeta_rename(f->m, NULL, VOL, g, "b", 1, ROOT, "held",
				      4, 0, &o), -EAGAIN);
	smeta_xtxn_release(f->m, 71);
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_txid),
		T(test_prepare_commit),
		T(test_prepare_abort),
		T(test_prepare_replace),
		T(test_prepare_survives_reopen),
		T(test_freeze),
		T(test_decision),
		T(test_name_hold),
		T(test_rename_local),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
