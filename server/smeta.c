// SPDX-License-Identifier: Apache-2.0
/*
 * smeta: opening the store, the durability seam, transactions, the replay
 * table and the inode allocator. Namespace operations are in smeta_ns.c,
 * inode operations in smeta_inode.c, extended attributes in smeta_xattr.c,
 * keys and values in smeta_codec.c.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "smeta_int.h"

#define SMETA_PURGE_BATCH	4096

static const char *const smeta_tags_of_vol = "DRCIXU";

int smeta_errno_from_leveldb(const char *msg)
{
	static const struct {
		const char *text;
		int err;
	} map[] = {
		{ "No space left", ENOSPC },
		{ "Disk quota exceeded", EDQUOT },
		{ "already held by process", EBUSY },
		{ "Resource temporarily unavailable", EBUSY },
		{ "Permission denied", EACCES },
		{ "Read-only file system", EROFS },
		{ "does not exist", ENOENT },
		{ "No such file or directory", ENOENT },
		{ "Invalid argument", EINVAL },
	};
	size_t i;

	if (!msg)
		return 0;
	for (i = 0; i < ARRAY_SIZE(map); i++)
		if (strstr(msg, map[i].text))
			return -map[i].err;
	return -EIO;
}

/* Turns a LevelDB error string into -errno and frees it. */
static int smeta_lerr(char *err)
{
	int rc = smeta_errno_from_leveldb(err);

	leveldb_free(err);
	return rc;
}

int smeta_commit_sync(void *arg, leveldb_t *db, leveldb_writebatch_t *wb)
{
	leveldb_writeoptions_t *wo = leveldb_writeoptions_create();
	char *err = NULL;

	(void)arg;
	leveldb_writeoptions_set_sync(wo, 1);
	leveldb_write(db, wo, wb, &err);
	leveldb_writeoptions_destroy(wo);
	return err ? smeta_lerr(err) : 0;
}

int smeta_db_get(struct smeta *m, const struct smeta_key *k, char **val,
		 size_t *len)
{
	char *err = NULL;

	*val = leveldb_get(m->db, m->ropts, (const char *)k->b, k->len, len,
			   &err);
	if (err)
		return smeta_lerr(err);
	return *val ? 0 : -ENOENT;
}

void smeta_stage_put(struct smeta_txn *tx, const struct smeta_key *k,
		     const void *val, size_t len)
{
	leveldb_writebatch_put(tx->wb, (const char *)k->b, k->len,
			       val, len);
}

void smeta_stage_del(struct smeta_txn *tx, const struct smeta_key *k)
{
	leveldb_writebatch_delete(tx->wb, (const char *)k->b,
				  k->len);
}

void smeta_now(struct smeta *m, struct timespec *ts)
{
	if (m->o.now)
		m->o.now(m->o.now_arg, ts);
	else
		clock_gettime(CLOCK_REALTIME, ts);
}

bool smeta_owns(struct smeta *m, u32 vol, u64 ino)
{
	return !m->o.owns || m->o.owns(m->o.owns_arg, vol, ino);
}

/* ---- store-wide records ---- */

static int store_get_u64(struct smeta *m, const char *name, u64 *v)
{
	struct smeta_key k;
	size_t len;
	char *val;
	int rc;

	smeta_key_store(&k, name);
	rc = smeta_db_get(m, &k, &val, &len);
	if (rc)
		return rc;
	rc = 0;
	if (len == 8)
		*v = smeta_get_le64((const u8 *)val);
	else if (len == 4)
		*v = smeta_get_le32((const u8 *)val);
	else
		rc = -EIO;
	leveldb_free(val);
	return rc;
}

/* A new store gets its format and owner; an old one must match them. */
static int store_check_identity(struct smeta *m)
{
	leveldb_writebatch_t *wb;
	struct smeta_key k;
	u64 fmt, id;
	u8 v[4];
	int rc;

	rc = store_get_u64(m, "format", &fmt);
	if (rc == 0) {
		rc = store_get_u64(m, "server_id", &id);
		if (rc)
			return rc == -ENOENT ? -EIO : rc;
		if (fmt != SMETA_FMT_V1 || id != m->o.server_id)
			return -EINVAL;
		return 0;
	}
	if (rc != -ENOENT)
		return rc;
	wb = leveldb_writebatch_create();
	smeta_key_store(&k, "format");
	smeta_put_le32(v, SMETA_FMT_V1);
	leveldb_writebatch_put(wb, (const char *)k.b, k.len, (char *)v, 4);
	smeta_key_store(&k, "server_id");
	smeta_put_le32(v, m->o.server_id);
	leveldb_writebatch_put(wb, (const char *)k.b, k.len, (char *)v, 4);
	rc = m->dur.commit(m->dur.arg, m->db, wb);
	leveldb_writebatch_destroy(wb);
	return rc;
}

/* Counts the replay table and finds its next sequence number. */
static int replay_scan(struct smeta *m)
{
	leveldb_iterator_t *it;
	struct smeta_key pfx;
	const char *key, *val;
	size_t klen, vlen;
	char *err = NULL;

	pfx.b[0] = SMETA_T_RORDER;
	pfx.len = 1;
	m->rp_count = 0;
	m->rp_bytes = 0;
	m->rp_next_seq = 1;
	m->rp_first_seq = 0;
	it = leveldb_create_iterator(m->db, m->ropts);
	for (leveldb_iter_seek(it, (const char *)pfx.b, pfx.len);
	     leveldb_iter_valid(it); leveldb_iter_next(it)) {
		key = leveldb_iter_key(it, &klen);
		if (!smeta_key_has_prefix(key, klen, &pfx))
			break;
		val = leveldb_iter_value(it, &vlen);
		if (klen != 9 || vlen != SMETA_RORDER_LEN)
			continue;
		if (!m->rp_count)
			m->rp_first_seq = smeta_get_be64((const u8 *)key + 1);
		m->rp_count++;
		m->rp_bytes += smeta_get_le32((const u8 *)val + 16);
		m->rp_next_seq = smeta_get_be64((const u8 *)key + 1) + 1;
	}
	leveldb_iter_get_error(it, &err);
	leveldb_iter_destroy(it);
	return err ? smeta_lerr(err) : 0;
}

static int store_open_db(struct smeta *m)
{
	char *err = NULL;

	m->lopts = leveldb_options_create();
	leveldb_options_set_create_if_missing(m->lopts, 1);
	m->filter = leveldb_filterpolicy_create_bloom(10);
	leveldb_options_set_filter_policy(m->lopts, m->filter);
	if (m->o.cache_bytes) {
		m->cache = leveldb_cache_create_lru(m->o.cache_bytes);
		leveldb_options_set_cache(m->lopts, m->cache);
	}
	m->ropts = leveldb_readoptions_create();
	m->db = leveldb_open(m->lopts, m->o.dir, &err);
	return err ? smeta_lerr(err) : 0;
}

static void store_free(struct smeta *m)
{
	smeta_xtxn_free(m);
	if (m->db)
		leveldb_close(m->db);
	if (m->txn.wb)
		leveldb_writebatch_destroy(m->txn.wb);
	if (m->ropts)
		leveldb_readoptions_destroy(m->ropts);
	if (m->lopts)
		leveldb_options_destroy(m->lopts);
	if (m->filter)
		leveldb_filterpolicy_destroy(m->filter);
	if (m->cache)
		leveldb_cache_destroy(m->cache);
	free(m);
}

/* An error-checking mutex: a thread that already holds it gets -EDEADLK. */
static int lock_init(pthread_mutex_t *lock)
{
	pthread_mutexattr_t attr;
	int rc;

	if (pthread_mutexattr_init(&attr))
		return -ENOMEM;
	pthread_mutexattr_settype(&attr, PTHREAD_MUTEX_ERRORCHECK);
	rc = pthread_mutex_init(lock, &attr);
	pthread_mutexattr_destroy(&attr);
	return -rc;
}

int smeta_open(const struct smeta_opts *o, struct smeta **mp)
{
	struct smeta *m;
	int rc;

	if (!o || !o->dir || !o->server_id || o->server_id > SMETA_SERVER_ID_MAX)
		return -EINVAL;
	m = calloc(1, sizeof(*m));
	if (!m)
		return -ENOMEM;
	m->o = *o;
	m->dur.commit = smeta_commit_sync;
	if (o->dur)
		m->dur = *o->dur;
	if (!m->o.replay_entries)
		m->o.replay_entries = SMETA_REPLAY_ENTRIES;
	if (!m->o.replay_bytes)
		m->o.replay_bytes = SMETA_REPLAY_BYTES;
	m->txn.wb = leveldb_writebatch_create();
	m->txn.m = m;
	rc = store_open_db(m);
	if (!rc)
		rc = store_check_identity(m);
	if (!rc) {
		rc = store_get_u64(m, "ino_next", &m->ino_next);
		if (rc == -ENOENT) {
			m->ino_next = 1;
			rc = 0;
		}
	}
	if (!rc)
		rc = replay_scan(m);
	if (!rc)
		rc = smeta_xtxn_load(m);
	if (!rc)
		rc = lock_init(&m->lock);
	if (rc) {
		store_free(m);
		return rc;
	}
	*mp = m;
	return 0;
}

void smeta_close(struct smeta *m)
{
	if (!m)
		return;
	pthread_mutex_destroy(&m->lock);
	store_free(m);
}

/* ---- transactions ---- */

static bool replay_known(struct smeta *m, u64 client, u64 req)
{
	struct smeta_key k;
	size_t len;
	char *val;

	smeta_key_replay(&k, client, req);
	if (smeta_db_get(m, &k, &val, &len))
		return false;
	leveldb_free(val);
	return true;
}

int smeta_txn_begin(struct smeta *m, u64 client_id, u64 req_id,
		    struct smeta_txn **txp)
{
	struct smeta_txn *tx = &m->txn;
	int rc;

	rc = pthread_mutex_lock(&m->lock);
	if (rc)
		return -rc;
	if (client_id && replay_known(m, client_id, req_id)) {
		pthread_mutex_unlock(&m->lock);
		return -EALREADY;
	}
	leveldb_writebatch_clear(tx->wb);
	tx->client_id = client_id;
	tx->req_id = req_id;
	tx->op_done = false;
	tx->has_reply = false;
	tx->except_txid = 0;
	tx->rp_count = m->rp_count;
	tx->rp_bytes = m->rp_bytes;
	tx->rp_next_seq = m->rp_next_seq;
	tx->rp_first_seq = m->rp_first_seq;
	*txp = tx;
	return 0;
}

static void txn_end(struct smeta_txn *tx)
{
	leveldb_writebatch_clear(tx->wb);
	pthread_mutex_unlock(&tx->m->lock);
}

void smeta_txn_abort(struct smeta_txn *tx)
{
	txn_end(tx);
}

/* Counts what a batch holds: an empty one needs no write. */
static void count_put(void *arg, const char *k, size_t kl, const char *v,
		      size_t vl)
{
	(void)k, (void)kl, (void)v, (void)vl;
	(*(size_t *)arg)++;
}

static void count_del(void *arg, const char *k, size_t kl)
{
	(void)k, (void)kl;
	(*(size_t *)arg)++;
}

int smeta_txn_commit(struct smeta_txn *tx)
{
	struct smeta *m = tx->m;
	size_t n = 0;
	int rc = 0;

	leveldb_writebatch_iterate(tx->wb, &n, count_put, count_del);
	if (n)
		rc = m->dur.commit(m->dur.arg, m->db, tx->wb);
	if (!rc) {
		m->rp_count = tx->rp_count;
		m->rp_bytes = tx->rp_bytes;
		m->rp_next_seq = tx->rp_next_seq;
		m->rp_first_seq = tx->rp_first_seq;
	}
	txn_end(tx);
	return rc;
}

int smeta_op_enter(struct smeta *m, struct smeta_txn *tx,
		   struct smeta_txn **txp)
{
	if (!tx)
		return smeta_txn_begin(m, 0, 0, txp);
	/* one operation per transaction, before its reply */
	if (tx->m != m || tx->op_done || tx->has_reply)
		return -EINVAL;
	*txp = tx;
	return 0;
}

int smeta_op_leave(struct smeta_txn *tx, struct smeta_txn *given, int rc)
{
	tx->op_done = true;
	if (rc < 0)
		leveldb_writebatch_clear(tx->wb);
	if (given)
		return rc;
	if (rc < 0) {
		smeta_txn_abort(tx);
		return rc;
	}
	return smeta_txn_commit(tx);
}

/* ---- replay table ---- */

/* Stages the eviction of the oldest replies until @len more bytes fit. */
/*
 * Drops the oldest replies until one of @len bytes fits. The search starts
 * at rp_first_seq, past the order records already deleted: LevelDB skips
 * deleted keys one by one until a compaction drops them, so starting at the
 * beginning of the range would cost more with every eviction.
 */
static int replay_evict(struct smeta_txn *tx, u32 len)
{
	struct smeta *m = tx->m;
	leveldb_iterator_t *it;
	struct smeta_key pfx, k, start;
	const char *key, *val;
	size_t klen, vlen;
	char *err = NULL;
	const u8 *p;

	pfx.b[0] = SMETA_T_RORDER;
	pfx.len = 1;
	smeta_key_rorder(&start, tx->rp_first_seq);
	it = leveldb_create_iterator(m->db, m->ropts);
	for (leveldb_iter_seek(it, (const char *)start.b, start.len);
	     leveldb_iter_valid(it) &&
	     (tx->rp_count + 1 > m->o.replay_entries ||
	      tx->rp_bytes + len > m->o.replay_bytes);
	     leveldb_iter_next(it)) {
		key = leveldb_iter_key(it, &klen);
		if (!smeta_key_has_prefix(key, klen, &pfx))
			break;
		val = leveldb_iter_value(it, &vlen);
		p = (const u8 *)val;
		if (vlen == SMETA_RORDER_LEN) {
			smeta_key_replay(&k, smeta_get_be64(p),
					 smeta_get_be64(p + 8));
			smeta_stage_del(tx, &k);
			tx->rp_bytes -= smeta_get_le32(p + 16);
		}
		memcpy(k.b, key, klen);
		k.len = klen;
		smeta_stage_del(tx, &k);
		tx->rp_count--;
		if (klen == 9)
			tx->rp_first_seq = smeta_get_be64((const u8 *)key + 1) + 1;
	}
	leveldb_iter_get_error(it, &err);
	leveldb_iter_destroy(it);
	return err ? smeta_lerr(err) : 0;
}

int smeta_txn_reply(struct smeta_txn *tx, const void *reply, u32 len)
{
	u8 *buf, ord[SMETA_RORDER_LEN];
	struct smeta_key k;
	int rc;

	if (!tx->client_id || tx->has_reply || !len || len > SMETA_REPLY_MAX)
		return -EINVAL;
	rc = replay_evict(tx, len);
	if (rc)
		return rc;
	buf = malloc(SMETA_RSEQ_LEN + len);
	if (!buf)
		return -ENOMEM;
	smeta_put_le64(buf, tx->rp_next_seq);
	memcpy(buf + SMETA_RSEQ_LEN, reply, len);
	smeta_key_replay(&k, tx->client_id, tx->req_id);
	smeta_stage_put(tx, &k, buf, SMETA_RSEQ_LEN + len);
	free(buf);
	memset(ord, 0, sizeof(ord));
	smeta_put_be64(ord, tx->client_id);
	smeta_put_be64(ord + 8, tx->req_id);
	smeta_put_le32(ord + 16, len);
	smeta_key_rorder(&k, tx->rp_next_seq);
	smeta_stage_put(tx, &k, ord, sizeof(ord));
	tx->rp_next_seq++;
	tx->rp_count++;
	tx->rp_bytes += len;
	tx->has_reply = true;
	return 0;
}

int smeta_replay_get(struct smeta *m, u64 client_id, u64 req_id, void *buf,
		     u32 cap, u32 *len)
{
	struct smeta_key k;
	size_t vlen;
	char *val;
	int rc;

	smeta_key_replay(&k, client_id, req_id);
	rc = smeta_db_get(m, &k, &val, &vlen);
	if (rc)
		return rc;
	if (vlen <= SMETA_RSEQ_LEN || vlen > SMETA_RSEQ_LEN + SMETA_REPLY_MAX) {
		rc = -EIO;
	} else {
		*len = (u32)(vlen - SMETA_RSEQ_LEN);
		if (*len > cap)
			rc = -ERANGE;
		else
			memcpy(buf, val + SMETA_RSEQ_LEN, *len);
	}
	leveldb_free(val);
	return rc;
}

u64 smeta_replay_count(struct smeta *m)
{
	u64 n;

	if (pthread_mutex_lock(&m->lock))
		return m->rp_count;	/* this thread holds the lock */
	n = m->rp_count;
	pthread_mutex_unlock(&m->lock);
	return n;
}

/* ---- inode allocator ---- */

int smeta_alloc_locked(struct smeta_txn *tx, u32 vol, u64 *ino)
{
	struct smeta *m = tx->m;
	const u64 limit = 1ull << SMETA_INO_SEQ_BITS;
	const u64 base = (u64)m->o.server_id << SMETA_INO_SEQ_BITS;
	struct smeta_key k;
	u64 seq = m->ino_next, cand;
	u8 v[8];
	u32 i;

	for (i = 0; i < SMETA_ALLOC_TRIES; i++) {
		if (seq >= limit) {
			m->ino_next = seq;
			return -ENOSPC;
		}
		cand = base | seq++;
		if (!smeta_owns(m, vol, cand))
			continue;
		/* never handed out twice, even if this batch fails */
		m->ino_next = seq;
		smeta_key_store(&k, "ino_next");
		smeta_put_le64(v, seq);
		smeta_stage_put(tx, &k, v, sizeof(v));
		*ino = cand;
		return 0;
	}
	m->ino_next = seq;
	return -EAGAIN;
}

int smeta_ino_alloc(struct smeta *m, struct smeta_txn *tx, u32 vol, u64 *ino)
{
	struct smeta_txn *t;
	int rc;

	rc = smeta_op_enter(m, tx, &t);
	if (rc)
		return rc;
	rc = smeta_alloc_locked(t, vol, ino);
	return smeta_op_leave(t, tx, rc);
}

/* ---- usage ---- */

int smeta_usage_get(struct smeta *m, u32 vol, struct smeta_usage *out)
{
	struct smeta_key k;
	size_t len;
	char *val;
	int rc;

	memset(out, 0, sizeof(*out));
	smeta_key_usage(&k, vol);
	rc = smeta_db_get(m, &k, &val, &len);
	if (rc)
		return rc == -ENOENT ? 0 : rc;
	rc = smeta_usage_decode(val, len, out);
	leveldb_free(val);
	return rc;
}

static u64 add_clamped(u64 v, s64 d)
{
	if (d < 0 && (u64)-(d + 1) + 1 > v)
		return 0;
	return v + (u64)d;
}

int smeta_usage_stage(struct smeta_txn *tx, u32 vol, s64 bytes, s64 inodes,
		      u64 quota_bytes, u64 quota_inodes)
{
	struct smeta_usage u;
	struct smeta_key k;
	u8 v[SMETA_USAGE_LEN];
	int rc;

	rc = smeta_usage_get(tx->m, vol, &u);
	if (rc)
		return rc;
	if (bytes > 0 && quota_bytes && u.bytes + (u64)bytes > quota_bytes)
		return -EDQUOT;
	if (inodes > 0 && quota_inodes && u.inodes + (u64)inodes > quota_inodes)
		return -EDQUOT;
	u.bytes = add_clamped(u.bytes, bytes);
	u.inodes = add_clamped(u.inodes, inodes);
	smeta_key_usage(&k, vol);
	smeta_usage_encode(&u, v);
	smeta_stage_put(tx, &k, v, sizeof(v));
	return 0;
}

int smeta_usage_add(struct smeta *m, struct smeta_txn *tx, u32 vol,
		    s64 bytes, s64 inodes, u64 quota_bytes)
{
	struct smeta_txn *t;
	int rc;

	rc = smeta_op_enter(m, tx, &t);
	if (rc)
		return rc;
	rc = smeta_usage_stage(t, vol, bytes, inodes, quota_bytes, 0);
	return smeta_op_leave(t, tx, rc);
}

/* ---- volume purge ---- */

/* Deletes up to SMETA_PURGE_BATCH keys with prefix @pfx; *n says how many. */
static int purge_some(struct smeta *m, const struct smeta_key *pfx, size_t *n)
{
	struct smeta_txn *tx;
	leveldb_iterator_t *it;
	struct smeta_key k;
	const char *key;
	size_t klen;
	char *err = NULL;
	int rc;

	rc = smeta_txn_begin(m, 0, 0, &tx);
	if (rc)
		return rc;
	*n = 0;
	it = leveldb_create_iterator(m->db, m->ropts);
	for (leveldb_iter_seek(it, (const char *)pfx->b, pfx->len);
	     leveldb_iter_valid(it) && *n < SMETA_PURGE_BATCH;
	     leveldb_iter_next(it)) {
		key = leveldb_iter_key(it, &klen);
		if (!smeta_key_has_prefix(key, klen, pfx) || klen > SMETA_KEY_MAX)
			break;
		memcpy(k.b, key, klen);
		k.len = klen;
		smeta_stage_del(tx, &k);
		(*n)++;
	}
	leveldb_iter_get_error(it, &err);
	leveldb_iter_destroy(it);
	if (err) {
		smeta_txn_abort(tx);
		return smeta_lerr(err);
	}
	return smeta_txn_commit(tx);
}

int smeta_vol_purge(struct smeta *m, u32 vol)
{
	struct smeta_key pfx;
	const char *t;
	size_t n;
	int rc;

	for (t = smeta_tags_of_vol; *t; t++) {
		smeta_key_usage(&pfx, vol);	/* tag | be32 vol */
		pfx.b[0] = (u8)*t;
		do {
			rc = purge_some(m, &pfx, &n);
			if (rc)
				return rc;
		} while (n == SMETA_PURGE_BATCH);
	}
	return 0;
}
