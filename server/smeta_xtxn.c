// SPDX-License-Identifier: Apache-2.0
/*
 * smeta cross-server transactions: transaction ids, the coordinator's
 * decision records, the participant's prepared records, and the holds that
 * keep names and directories still while a transaction is open.
 *
 * Holds live in a list in the store, under the store's write lock, so the
 * checks in smeta_entry_stage_add()/_del() see them atomically with the
 * change they guard. Durable holds (ENTRY, FREEZE) mirror a 'T' 'p' record
 * and are rebuilt from it at open; memory holds (NAME, DIR) belong to a
 * transaction this server coordinates and vanish with a restart (the
 * transaction is then undecided, which means aborted).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "smeta_int.h"

#define XT_PREP_HDR	52	/* v1 .. name_len, before the name */
#define XT_DEC_HDR	12	/* v1 | vol | n, before the servers */

static u64 xt_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (u64)ts.tv_sec;
}

static void key_dec(struct smeta_key *k, u64 txid)
{
	k->b[0] = SMETA_T_XTXN;
	k->b[1] = 'c';
	smeta_put_be64(k->b + 2, txid);
	k->len = 10;
}

static void key_prep(struct smeta_key *k, u64 txid, u32 kind)
{
	k->b[0] = SMETA_T_XTXN;
	k->b[1] = 'p';
	smeta_put_be64(k->b + 2, txid);
	k->b[10] = (u8)kind;
	k->len = 11;
}

static size_t prep_encode(const struct smeta_xhold *h, u8 *b)
{
	memset(b, 0, XT_PREP_HDR);
	b[0] = SMETA_FMT_V1;
	smeta_put_le32(b + 4, h->kind);
	smeta_put_le32(b + 8, h->vol);
	smeta_put_le64(b + 12, h->parent);
	smeta_put_le64(b + 20, h->ino);
	smeta_put_le32(b + 28, h->mode);
	smeta_put_le64(b + 32, h->old_ino);
	smeta_put_le32(b + 40, h->old_mode);
	smeta_put_le32(b + 44, h->name_len);
	memcpy(b + XT_PREP_HDR, h->name, h->name_len);
	return XT_PREP_HDR + h->name_len;
}

static int prep_decode(const char *v, size_t n, struct smeta_xhold *h)
{
	const u8 *b = (const u8 *)v;

	if (n < XT_PREP_HDR || b[0] != SMETA_FMT_V1)
		return -EIO;
	h->kind = smeta_get_le32(b + 4);
	h->vol = smeta_get_le32(b + 8);
	h->parent = smeta_get_le64(b + 12);
	h->ino = smeta_get_le64(b + 20);
	h->mode = smeta_get_le32(b + 28);
	h->old_ino = smeta_get_le64(b + 32);
	h->old_mode = smeta_get_le32(b + 40);
	h->name_len = smeta_get_le32(b + 44);
	if (h->name_len > SEALFS_NAME_MAX || n != XT_PREP_HDR + h->name_len)
		return -EIO;
	memcpy(h->name, b + XT_PREP_HDR, h->name_len);
	return 0;
}

static void hold_add(struct smeta *m, struct smeta_xhold *h)
{
	if (h->durable)
		atomic_fetch_add(&m->nprep, 1);
	h->born = xt_now();
	h->next = m->holds;
	m->holds = h;
}

static struct smeta_xhold *hold_find(struct smeta *m, u64 txid, u32 kind)
{
	struct smeta_xhold *h;

	for (h = m->holds; h; h = h->next)
		if (h->txid == txid && h->kind == kind)
			return h;
	return NULL;
}

/* Removes the holds of @txid that are (durable) or are not (!durable). */
static void hold_drop(struct smeta *m, u64 txid, bool durable)
{
	struct smeta_xhold **pp = &m->holds, *h;

	while ((h = *pp)) {
		if (h->txid == txid && h->durable == durable) {
			if (durable)
				atomic_fetch_sub(&m->nprep, 1);
			*pp = h->next;
			free(h);
		} else {
			pp = &h->next;
		}
	}
}

int smeta_xtxn_load(struct smeta *m)
{
	leveldb_iterator_t *it;
	struct smeta_key pfx, k;
	struct smeta_xhold *h;
	const char *key, *val;
	size_t klen, vlen;
	char *err = NULL, *v;
	int rc = 0;

	smeta_key_store(&k, "txid_next");
	if (!smeta_db_get(m, &k, &v, &vlen)) {
		if (vlen == 8)
			m->txid_next = smeta_get_le64((const u8 *)v);
		leveldb_free(v);
	}
	if (!m->txid_next)
		m->txid_next = 1;
	m->txid_limit = m->txid_next;
	pfx.b[0] = SMETA_T_XTXN;
	pfx.b[1] = 'p';
	pfx.len = 2;
	it = leveldb_create_iterator(m->db, m->ropts);
	for (leveldb_iter_seek(it, (const char *)pfx.b, pfx.len);
	     leveldb_iter_valid(it); leveldb_iter_next(it)) {
		key = leveldb_iter_key(it, &klen);
		if (!smeta_key_has_prefix(key, klen, &pfx))
			break;
		if (klen != 11)
			continue;
		val = leveldb_iter_value(it, &vlen);
		h = calloc(1, sizeof(*h));
		if (!h) {
			rc = -ENOMEM;
			break;
		}
		if (prep_decode(val, vlen, h)) {
			free(h);
			continue;
		}
		h->txid = smeta_get_be64((const u8 *)key + 2);
		h->durable = true;
		hold_add(m, h);
	}
	leveldb_iter_get_error(it, &err);
	leveldb_iter_destroy(it);
	if (err) {
		leveldb_free(err);
		return -EIO;
	}
	return rc;
}

void smeta_xtxn_free(struct smeta *m)
{
	struct smeta_xhold *h;

	atomic_store(&m->nprep, 0);
	while ((h = m->holds)) {
		m->holds = h->next;
		free(h);
	}
}

static bool name_eq(const struct smeta_xhold *h, u32 vol, u64 parent,
		    const char *name, u32 len)
{
	return h->vol == vol && h->parent == parent && h->name_len == len &&
	       !memcmp(h->name, name, len);
}

int smeta_xhold_check(struct smeta_txn *tx, u32 vol, u64 parent,
		      const char *name, u32 len, bool add)
{
	const struct smeta_xhold *h;

	for (h = tx->m->holds; h; h = h->next) {
		if (tx->except_txid && h->txid == tx->except_txid)
			continue;
		switch (h->kind) {
		case SMETA_XK_ENTRY:
			if (add && S_ISDIR(h->old_mode) && h->old_ino == parent &&
			    h->vol == vol)
				return -EAGAIN;
			/* fall through */
		case SMETA_XK_NAME:
			if (name_eq(h, vol, parent, name, len))
				return -EAGAIN;
			break;
		default:
			if (add && h->vol == vol && h->parent == parent)
				return -EAGAIN;
			break;
		}
	}
	return 0;
}

/* Writes @tx's batch now, keeping the lock (the caller aborts after). */
static int xt_write(struct smeta_txn *tx)
{
	return tx->m->dur.commit(tx->m->dur.arg, tx->m->db, tx->wb);
}

int smeta_xtxn_alloc(struct smeta *m, u64 *txid)
{
	struct smeta_txn *t;
	struct smeta_key k;
	u8 v[8];
	int rc;

	rc = smeta_txn_begin(m, 0, 0, &t);
	if (rc)
		return rc;
	if (m->txid_next >= m->txid_limit) {
		smeta_key_store(&k, "txid_next");
		smeta_put_le64(v, m->txid_next + SMETA_TXID_RESERVE);
		smeta_stage_put(t, &k, v, sizeof(v));
		rc = xt_write(t);
		if (!rc)
			m->txid_limit = m->txid_next + SMETA_TXID_RESERVE;
	}
	if (!rc)
		*txid = ((u64)m->o.server_id << SMETA_TXID_SEQ_BITS) |
			m->txid_next++;
	smeta_txn_abort(t);
	return rc;
}

void smeta_xtxn_except(struct smeta_txn *tx, u64 txid)
{
	tx->except_txid = txid;
}

int smeta_xtxn_hold_name(struct smeta *m, u64 txid, u32 vol, u64 parent,
			 const char *name, u32 len)
{
	struct smeta_xhold *h;
	struct smeta_txn *t;
	int rc;

	rc = smeta_name_check(name, len);
	if (rc)
		return rc;
	rc = smeta_txn_begin(m, 0, 0, &t);
	if (rc)
		return rc;
	t->except_txid = txid;
	rc = smeta_xhold_check(t, vol, parent, name, len, false);
	if (!rc) {
		h = calloc(1, sizeof(*h));
		if (!h) {
			rc = -ENOMEM;
		} else {
			h->txid = txid;
			h->kind = SMETA_XK_NAME;
			h->vol = vol;
			h->parent = parent;
			h->name_len = len;
			memcpy(h->name, name, len);
			hold_add(m, h);
		}
	}
	smeta_txn_abort(t);
	return rc;
}

int smeta_xtxn_hold_dir(struct smeta *m, u64 txid, u32 vol, u64 dir,
			u64 *count)
{
	struct smeta_xhold *h;
	struct smeta_dirst s;
	struct smeta_txn *t;
	int rc;

	rc = smeta_txn_begin(m, 0, 0, &t);
	if (rc)
		return rc;
	rc = smeta_dirst_load(m, vol, dir, &s);
	if (!rc) {
		h = calloc(1, sizeof(*h));
		if (!h) {
			rc = -ENOMEM;
		} else {
			h->txid = txid;
			h->kind = SMETA_XK_DIR;
			h->vol = vol;
			h->parent = dir;
			hold_add(m, h);
			*count = s.count;
		}
	}
	smeta_txn_abort(t);
	return rc;
}

void smeta_xtxn_release(struct smeta *m, u64 txid)
{
	struct smeta_txn *t;

	if (smeta_txn_begin(m, 0, 0, &t))
		return;
	hold_drop(m, txid, false);
	smeta_txn_abort(t);
}

int smeta_xtxn_decide(struct smeta_txn *tx, u64 txid, u32 vol,
		      const u32 *srv, u32 n)
{
	struct smeta_key k;
	u8 *v;
	u32 i;

	if (!n || n > SEALFS_MAX_SERVERS)
		return -EINVAL;
	v = calloc(1, XT_DEC_HDR + 4 * (size_t)n);
	if (!v)
		return -ENOMEM;
	v[0] = SMETA_FMT_V1;
	smeta_put_le32(v + 4, vol);
	smeta_put_le32(v + 8, n);
	for (i = 0; i < n; i++)
		smeta_put_le32(v + XT_DEC_HDR + 4 * i, srv[i]);
	key_dec(&k, txid);
	smeta_stage_put(tx, &k, v, XT_DEC_HDR + 4 * (size_t)n);
	free(v);
	return 0;
}

int smeta_xtxn_decided(struct smeta *m, u64 txid)
{
	struct smeta_key k;
	size_t len;
	char *v;
	int rc;

	key_dec(&k, txid);
	rc = smeta_db_get(m, &k, &v, &len);
	if (rc)
		return rc == -ENOENT ? 0 : rc;
	leveldb_free(v);
	return 1;
}

int smeta_xtxn_forget(struct smeta *m, u64 txid)
{
	struct smeta_txn *t;
	struct smeta_key k;
	int rc;

	rc = smeta_txn_begin(m, 0, 0, &t);
	if (rc)
		return rc;
	key_dec(&k, txid);
	smeta_stage_del(t, &k);
	rc = xt_write(t);
	smeta_txn_abort(t);
	return rc;
}

int smeta_xtxn_decisions(struct smeta *m, smeta_xdecision_fn fn, void *arg)
{
	leveldb_iterator_t *it;
	struct smeta_key pfx;
	const char *key, *val;
	size_t klen, vlen;
	char *err = NULL;
	u32 *srv, n, i;
	const u8 *b;
	int rc = 0;

	pfx.b[0] = SMETA_T_XTXN;
	pfx.b[1] = 'c';
	pfx.len = 2;
	it = leveldb_create_iterator(m->db, m->ropts);
	for (leveldb_iter_seek(it, (const char *)pfx.b, pfx.len);
	     leveldb_iter_valid(it); leveldb_iter_next(it)) {
		key = leveldb_iter_key(it, &klen);
		if (!smeta_key_has_prefix(key, klen, &pfx))
			break;
		val = leveldb_iter_value(it, &vlen);
		b = (const u8 *)val;
		if (klen != 10 || vlen < XT_DEC_HDR || b[0] != SMETA_FMT_V1)
			continue;
		n = smeta_get_le32(b + 8);
		if (!n || n > SEALFS_MAX_SERVERS ||
		    vlen != XT_DEC_HDR + 4 * (size_t)n)
			continue;
		srv = malloc(4 * (size_t)n);
		if (!srv) {
			rc = -ENOMEM;
			break;
		}
		for (i = 0; i < n; i++)
			srv[i] = smeta_get_le32(b + XT_DEC_HDR + 4 * i);
		fn(arg, smeta_get_be64((const u8 *)key + 2),
		   smeta_get_le32(b + 4), srv, n);
		free(srv);
	}
	leveldb_iter_get_error(it, &err);
	leveldb_iter_destroy(it);
	if (err) {
		leveldb_free(err);
		return -EIO;
	}
	return rc;
}

/* Stages @h's record and writes it; the hold joins the list on success. */
static int prep_write(struct smeta_txn *t, struct smeta_xhold *h)
{
	u8 v[XT_PREP_HDR + SEALFS_NAME_MAX];
	struct smeta_key k;
	int rc;

	key_prep(&k, h->txid, h->kind);
	smeta_stage_put(t, &k, v, prep_encode(h, v));
	rc = xt_write(t);
	if (rc) {
		free(h);
		return rc;
	}
	h->durable = true;
	hold_add(t->m, h);
	return 0;
}

int smeta_xtxn_in_doubt(struct smeta *m, u32 vol, u64 parent, const char *name,
			u32 len)
{
	const struct smeta_xhold *h;
	struct smeta_txn *t;
	bool doubt = false;

	if (!atomic_load(&m->nprep))
		return 0;
	if (smeta_txn_begin(m, 0, 0, &t))
		return 0;
	for (h = m->holds; h && !doubt; h = h->next)
		doubt = h->kind == SMETA_XK_ENTRY && name_eq(h, vol, parent, name, len);
	smeta_txn_abort(t);
	return doubt ? -EAGAIN : 1;
}

/* The checks of ENTRY_PREPARE; fills h->old_*. */
static int prepare_check(struct smeta_txn *t, struct smeta_xhold *h,
			 bool noreplace)
{
	struct smeta *m = t->m;
	struct smeta_attr pa;
	struct smeta_dirst s;
	struct smeta_dent d;
	int rc;

	rc = smeta_name_check(h->name, h->name_len);
	if (rc)
		return rc;
	rc = smeta_inode_load(m, h->vol, h->parent, &pa, NULL, NULL);
	if (rc == -ENOENT && smeta_owns(m, h->vol, h->parent))
		return -ENOENT;
	if (!rc && !S_ISDIR(pa.mode))
		return -ENOTDIR;
	if (rc && rc != -ENOENT)
		return rc;
	rc = smeta_xhold_check(t, h->vol, h->parent, h->name, h->name_len, true);
	if (rc)
		return rc;
	rc = smeta_entry_load(m, h->vol, h->parent, h->name, h->name_len, &d);
	if (rc == -ENOENT)
		return 0;
	if (rc)
		return rc;
	if (noreplace)
		return -EEXIST;
	h->old_ino = d.ino;
	h->old_mode = d.mode & S_IFMT;
	if (d.ino == h->ino)
		return 0;
	if (S_ISDIR(h->mode) && !S_ISDIR(d.mode))
		return -ENOTDIR;
	if (!S_ISDIR(h->mode) && S_ISDIR(d.mode))
		return -EISDIR;
	if (!S_ISDIR(d.mode))
		return 0;
	rc = smeta_dirst_load(m, h->vol, d.ino, &s);
	if (!rc && s.count)
		rc = -ENOTEMPTY;
	return rc;
}

int smeta_xtxn_prepare_entry(struct smeta *m, u64 txid, u32 vol, u64 parent,
			     const char *name, u32 len, u64 ino, u32 mode,
			     bool noreplace, u64 *old_ino, u32 *old_mode)
{
	struct smeta_xhold *h, *old;
	struct smeta_txn *t;
	int rc;

	if (len > SEALFS_NAME_MAX || !ino)
		return -EINVAL;
	rc = smeta_txn_begin(m, 0, 0, &t);
	if (rc)
		return rc;
	old = hold_find(m, txid, SMETA_XK_ENTRY);
	if (old) {
		*old_ino = old->old_ino;
		*old_mode = old->old_mode;
		smeta_txn_abort(t);
		return 0;
	}
	h = calloc(1, sizeof(*h));
	if (!h) {
		smeta_txn_abort(t);
		return -ENOMEM;
	}
	h->txid = txid;
	h->kind = SMETA_XK_ENTRY;
	h->vol = vol;
	h->parent = parent;
	h->ino = ino;
	h->mode = mode & S_IFMT;
	h->name_len = len;
	memcpy(h->name, name, len);
	rc = prepare_check(t, h, noreplace);
	*old_ino = h->old_ino;
	*old_mode = h->old_mode;
	if (rc)
		free(h);
	else
		rc = prep_write(t, h);
	smeta_txn_abort(t);
	return rc;
}

int smeta_xtxn_freeze(struct smeta *m, u64 txid, u32 vol, u64 dir,
		      u64 *count)
{
	struct smeta_xhold *h;
	struct smeta_dirst s;
	struct smeta_txn *t;
	int rc;

	rc = smeta_txn_begin(m, 0, 0, &t);
	if (rc)
		return rc;
	rc = smeta_dirst_load(m, vol, dir, &s);
	if (!rc)
		*count = s.count;
	if (!rc && !hold_find(m, txid, SMETA_XK_FREEZE)) {
		h = calloc(1, sizeof(*h));
		if (!h) {
			rc = -ENOMEM;
		} else {
			h->txid = txid;
			h->kind = SMETA_XK_FREEZE;
			h->vol = vol;
			h->parent = dir;
			rc = prep_write(t, h);
		}
	}
	smeta_txn_abort(t);
	return rc;
}

static void dir_forget(struct smeta_txn *t, u32 vol, u64 dir)
{
	struct smeta_key k;

	smeta_key_dir(&k, vol, dir);
	smeta_stage_del(t, &k);
}

/* Stages the COMMIT of one prepared entry: the name now names h->ino. */
static int finish_entry(struct smeta_txn *t, const struct smeta_xhold *h)
{
	struct smeta_dirst s;
	struct smeta_dent d, nd;
	int rc;

	rc = smeta_entry_load(t->m, h->vol, h->parent, h->name, h->name_len, &d);
	if (rc == 0 && d.ino == h->ino)
		return 0;
	if (rc && rc != -ENOENT)
		return rc;
	memset(&nd, 0, sizeof(nd));
	nd.ino = h->ino;
	nd.mode = h->mode;
	if (rc == -ENOENT)
		return smeta_entry_stage_add(t, h->vol, h->parent, h->name,
					     h->name_len, &nd);
	/* replace: one counter update for the removal and the addition */
	rc = smeta_dirst_load(t->m, h->vol, h->parent, &s);
	if (rc)
		return rc;
	smeta_dent_del_keys(t, h->vol, h->parent, h->name, h->name_len, &d);
	if (S_ISDIR(d.mode))
		dir_forget(t, h->vol, d.ino);
	nd.cookie = s.next_cookie++;
	smeta_dirst_stage(t, h->vol, h->parent, &s);
	smeta_dent_put_keys(t, h->vol, h->parent, h->name, h->name_len, &nd);
	return 0;
}

int smeta_xtxn_finish(struct smeta *m, u64 txid, u32 decision)
{
	struct smeta_xhold *h;
	struct smeta_txn *t;
	struct smeta_key k;
	bool any = false;
	int rc;

	if (decision != SEALFS_TXN_COMMIT && decision != SEALFS_TXN_ABORT)
		return -EINVAL;
	rc = smeta_txn_begin(m, 0, 0, &t);
	if (rc)
		return rc;
	t->except_txid = txid;
	for (h = m->holds; h && !rc; h = h->next) {
		if (h->txid != txid || !h->durable)
			continue;
		any = true;
		key_prep(&k, txid, h->kind);
		smeta_stage_del(t, &k);
		if (decision != SEALFS_TXN_COMMIT)
			continue;
		if (h->kind == SMETA_XK_FREEZE) {
			dir_forget(t, h->vol, h->parent);
			continue;
		}
		rc = finish_entry(t, h);
	}
	if (!rc && any)
		rc = xt_write(t);
	if (!rc)
		hold_drop(m, txid, true);
	smeta_txn_abort(t);
	return rc;
}

void smeta_xtxn_prepared(struct smeta *m, smeta_xprep_fn fn, void *arg)
{
	struct smeta_xhold *h;
	struct smeta_txn *t;
	u64 ids[256], age[256], now = xt_now();
	unsigned int n = 0, i;

	if (smeta_txn_begin(m, 0, 0, &t))
		return;
	for (h = m->holds; h && n < 256; h = h->next) {
		if (!h->durable)
			continue;
		ids[n] = h->txid;
		age[n++] = now - h->born;
	}
	smeta_txn_abort(t);
	for (i = 0; i < n; i++)
		fn(arg, ids[i], age[i]);
}
