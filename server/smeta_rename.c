// SPDX-License-Identifier: Apache-2.0
/*
 * smeta RENAME: a rename whose two entries are both held here, and the
 * source half of a rename whose destination entry is on another server.
 * Only entries change; link counts and a moved directory's parent pointer
 * are the caller's (they may be on other servers).
 */
#include <errno.h>
#include <string.h>
#include <sys/stat.h>

#include "smeta_int.h"

static void dir_forget(struct smeta_txn *t, u32 vol, u64 dir)
{
	struct smeta_key k;

	smeta_key_dir(&k, vol, dir);
	smeta_stage_del(t, &k);
}

/* Checks that a replaced directory is empty here and drops its state. */
static int replaced_dir(struct smeta_txn *t, u32 vol, u64 dir)
{
	struct smeta_dirst s;
	int rc;

	rc = smeta_dirst_load(t->m, vol, dir, &s);
	if (rc)
		return rc;
	if (s.count)
		return -ENOTEMPTY;
	dir_forget(t, vol, dir);
	return 0;
}

/* Checks the destination; *replace when it exists and is to be replaced. */
static int rename_dst(struct smeta_txn *t, u32 vol, const struct smeta_dent *sd,
		      u64 dp, const char *dn, u32 dl, u32 flags,
		      struct smeta_dent *dd, bool *replace)
{
	struct smeta_attr pa;
	int rc;

	*replace = false;
	rc = smeta_inode_load(t->m, vol, dp, &pa, NULL, NULL);
	if (rc == -ENOENT && smeta_owns(t->m, vol, dp))
		return -ENOENT;
	if (!rc && !S_ISDIR(pa.mode))
		return -ENOTDIR;
	if (rc && rc != -ENOENT)
		return rc;
	rc = smeta_entry_load(t->m, vol, dp, dn, dl, dd);
	if (rc == -ENOENT)
		return 0;
	if (rc)
		return rc;
	if (flags & SEALFS_RF_NOREPLACE)
		return -EEXIST;
	if (dd->ino == sd->ino)
		return 1;	/* two links of one inode: nothing to do */
	if (S_ISDIR(sd->mode) && !S_ISDIR(dd->mode))
		return -ENOTDIR;
	if (!S_ISDIR(sd->mode) && S_ISDIR(dd->mode))
		return -EISDIR;
	if (S_ISDIR(dd->mode)) {
		rc = replaced_dir(t, vol, dd->ino);
		if (rc)
			return rc;
	}
	*replace = true;
	return 0;
}

static int rename_locked(struct smeta_txn *t, u32 vol, u64 sp, const char *sn,
			 u32 sl, u64 dp, const char *dn, u32 dl, u32 flags,
			 struct smeta_rename_out *out)
{
	struct smeta_dirst ss, ds;
	struct smeta_dent sd, dd, nd;
	bool replace;
	int rc;

	memset(out, 0, sizeof(*out));
	if (flags & ~SEALFS_RF_KNOWN)
		return -EINVAL;
	rc = smeta_name_check(sn, sl);
	if (!rc)
		rc = smeta_name_check(dn, dl);
	if (!rc)
		rc = smeta_entry_load(t->m, vol, sp, sn, sl, &sd);
	if (rc)
		return rc;
	out->ino = sd.ino;
	out->mode = sd.mode & S_IFMT;
	if (sp == dp && sl == dl && !memcmp(sn, dn, sl))
		return (flags & SEALFS_RF_NOREPLACE) ? -EEXIST : 0;
	rc = smeta_xhold_check(t, vol, sp, sn, sl, false);
	if (!rc)
		rc = smeta_xhold_check(t, vol, dp, dn, dl, true);
	if (!rc)
		rc = rename_dst(t, vol, &sd, dp, dn, dl, flags, &dd, &replace);
	if (rc)
		return rc > 0 ? 0 : rc;
	if (replace) {
		out->old_ino = dd.ino;
		out->old_mode = dd.mode & S_IFMT;
	}
	/* one load and one store of each directory's counters */
	rc = smeta_dirst_load(t->m, vol, sp, &ss);
	if (!rc && dp != sp)
		rc = smeta_dirst_load(t->m, vol, dp, &ds);
	if (rc)
		return rc;
	smeta_dent_del_keys(t, vol, sp, sn, sl, &sd);
	if (ss.count)
		ss.count--;
	if (replace)
		smeta_dent_del_keys(t, vol, dp, dn, dl, &dd);
	nd = sd;
	if (dp == sp) {
		nd.cookie = ss.next_cookie++;
		if (!replace)
			ss.count++;
	} else {
		nd.cookie = ds.next_cookie++;
		if (!replace)
			ds.count++;
		smeta_dirst_stage(t, vol, dp, &ds);
	}
	smeta_dirst_stage(t, vol, sp, &ss);
	smeta_dent_put_keys(t, vol, dp, dn, dl, &nd);
	return 0;
}

int smeta_rename(struct smeta *m, struct smeta_txn *tx, u32 vol, u64 sp,
		 const char *sn, u32 sl, u64 dp, const char *dn, u32 dl,
		 u32 flags, struct smeta_rename_out *out)
{
	struct smeta_txn *t;
	int rc;

	rc = smeta_op_enter(m, tx, &t);
	if (rc)
		return rc;
	rc = rename_locked(t, vol, sp, sn, sl, dp, dn, dl, flags, out);
	return smeta_op_leave(t, tx, rc);
}

static int rename_src_locked(struct smeta_txn *t, u32 vol, u64 sp,
			     const char *sn, u32 sl, u64 ino, u64 forget_dir)
{
	struct smeta_dent sd;
	int rc;

	rc = smeta_name_check(sn, sl);
	if (!rc)
		rc = smeta_entry_load(t->m, vol, sp, sn, sl, &sd);
	if (rc)
		return rc;
	if (sd.ino != ino)
		return -EAGAIN;
	if (forget_dir) {
		rc = replaced_dir(t, vol, forget_dir);
		if (rc)
			return rc;
	}
	return smeta_entry_stage_del(t, vol, sp, sn, sl, &sd);
}

int smeta_rename_src(struct smeta *m, struct smeta_txn *tx, u32 vol, u64 sp,
		     const char *sn, u32 sl, u64 ino, u64 forget_dir)
{
	struct smeta_txn *t;
	int rc;

	rc = smeta_op_enter(m, tx, &t);
	if (rc)
		return rc;
	rc = rename_src_locked(t, vol, sp, sn, sl, ino, forget_dir);
	return smeta_op_leave(t, tx, rc);
}
