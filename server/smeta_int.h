/* SPDX-License-Identifier: Apache-2.0 */
/*
 * smeta internals shared by smeta*.c: the store, transactions, keys and
 * value codecs. Not for other modules.
 */
#ifndef SMETA_INT_H
#define SMETA_INT_H

#include <pthread.h>
#include <stdatomic.h>

#include "smeta.h"

/* key tags (see the keyspace in smeta.h) */
#define SMETA_T_ENTRY	'D'
#define SMETA_T_RDX	'R'
#define SMETA_T_DIR	'C'
#define SMETA_T_INODE	'I'
#define SMETA_T_XATTR	'X'
#define SMETA_T_USAGE	'U'
#define SMETA_T_REPLAY	'P'
#define SMETA_T_RORDER	'Q'
#define SMETA_T_STORE	'S'
#define SMETA_T_XTXN	'T'

/* longest key: tag, vol, ino, 255-byte name */
#define SMETA_KEY_MAX	(1 + 4 + 8 + 255)

/* sizes of the fixed value layouts */
#define SMETA_DENT_LEN	24
#define SMETA_RDX_HDR	16
#define SMETA_DIRST_LEN	24
#define SMETA_USAGE_LEN	24
#define SMETA_INODE_HDR	112
#define SMETA_RORDER_LEN 24
#define SMETA_RSEQ_LEN	8

struct smeta_key {
	size_t len;
	u8 b[SMETA_KEY_MAX];
};

/* a directory entry's value ('D') and readdir index value ('R') */
struct smeta_dent {
	u64 ino;
	u64 cookie;
	u32 mode;
};

/* this server's state of one directory ('C') */
struct smeta_dirst {
	u64 next_cookie;
	u64 count;
};

struct smeta_txn {
	struct smeta *m;
	leveldb_writebatch_t *wb;
	u64 client_id;
	u64 req_id;
	bool op_done;		/* one operation per transaction */
	bool has_reply;
	u64 except_txid;	/* holds of this transaction id do not apply */
	/* replay table after the commit */
	u64 rp_count;
	u64 rp_bytes;
	u64 rp_next_seq;
	u64 rp_first_seq;
};

struct smeta {
	struct smeta_opts o;
	struct smeta_durability dur;
	leveldb_t *db;
	leveldb_options_t *lopts;
	leveldb_cache_t *cache;
	leveldb_filterpolicy_t *filter;
	leveldb_readoptions_t *ropts;
	pthread_mutex_t lock;	/* serializes mutations: held by the txn */
	struct smeta_txn txn;	/* the one open transaction */
	u64 ino_next;		/* next allocator seq to try */
	u64 rp_count;		/* replay table: entries */
	u64 rp_bytes;		/* reply bytes */
	u64 rp_next_seq;	/* seq of the next insert */
	u64 rp_first_seq;	/* no live entry has a lower seq */
	struct smeta_xhold *holds; /* cross-server transaction holds */
	atomic_uint nprep;	/* durable holds in @holds (lock-free peek) */
	u64 txid_next;		/* next transaction seq to hand out */
	u64 txid_limit;		/* first seq not reserved on disk */
};

/**
 * struct smeta_xhold - what a cross-server transaction holds on this server
 * @next: list link
 * @txid: transaction id
 * @kind: %SMETA_XK_*
 * @durable: kept in a 'T' record (participant side), not only in memory
 * @born: CLOCK_MONOTONIC seconds when taken (or loaded)
 * @vol: volume
 * @parent: ENTRY and NAME: directory of the held name; FREEZE and DIR:
 *	the frozen directory
 * @ino: ENTRY: inode the entry will name
 * @mode: ENTRY: its type bits
 * @old_ino: ENTRY: inode the name held at prepare time, 0 for none
 * @old_mode: its type bits
 * @name_len: bytes of @name
 * @name: the held name
 */
struct smeta_xhold {
	struct smeta_xhold *next;
	u64 txid;
	u32 kind;
	bool durable;
	u64 born;
	u32 vol;
	u64 parent;
	u64 ino;
	u32 mode;
	u64 old_ino;
	u32 old_mode;
	u32 name_len;
	char name[SEALFS_NAME_MAX];
};

/* ---- cross-server transaction holds (smeta_xtxn.c) ---- */
int smeta_xtxn_load(struct smeta *m);
void smeta_xtxn_free(struct smeta *m);
int smeta_xhold_check(struct smeta_txn *tx, u32 vol, u64 parent,
		      const char *name, u32 len, bool add);
int smeta_entry_stage_add(struct smeta_txn *tx, u32 vol, u64 parent,
			  const char *name, u32 len, struct smeta_dent *d);
int smeta_entry_stage_del(struct smeta_txn *tx, u32 vol, u64 parent,
			  const char *name, u32 len,
			  const struct smeta_dent *d);
void smeta_dirst_stage(struct smeta_txn *tx, u32 vol, u64 dir,
		       const struct smeta_dirst *s);
void smeta_dent_put_keys(struct smeta_txn *tx, u32 vol, u64 parent,
			 const char *name, u32 len, const struct smeta_dent *d);
void smeta_dent_del_keys(struct smeta_txn *tx, u32 vol, u64 parent,
			 const char *name, u32 len, const struct smeta_dent *d);
int smeta_entry_load(struct smeta *m, u32 vol, u64 parent, const char *name,
		     u32 len, struct smeta_dent *d);

/* ---- keys (smeta_codec.c) ---- */
void smeta_key_entry(struct smeta_key *k, u32 vol, u64 parent,
		     const char *name, u32 len);
void smeta_key_rdx(struct smeta_key *k, u32 vol, u64 dir, u64 cookie);
void smeta_key_dir(struct smeta_key *k, u32 vol, u64 dir);
void smeta_key_inode(struct smeta_key *k, u32 vol, u64 ino);
void smeta_key_xattr(struct smeta_key *k, u32 vol, u64 ino, const char *name,
		     u32 len);
void smeta_key_usage(struct smeta_key *k, u32 vol);
void smeta_key_replay(struct smeta_key *k, u64 client, u64 req);
void smeta_key_rorder(struct smeta_key *k, u64 seq);
void smeta_key_store(struct smeta_key *k, const char *name);
bool smeta_key_has_prefix(const char *key, size_t len,
			  const struct smeta_key *prefix);

/* ---- values (smeta_codec.c) ---- */
void smeta_put_le32(u8 *p, u32 v);
void smeta_put_le64(u8 *p, u64 v);
u32 smeta_get_le32(const u8 *p);
u64 smeta_get_le64(const u8 *p);
void smeta_put_be64(u8 *p, u64 v);
u64 smeta_get_be64(const u8 *p);

void smeta_dent_encode(const struct smeta_dent *d, u8 *buf);
int smeta_dent_decode(const char *v, size_t n, struct smeta_dent *d);
size_t smeta_rdx_encode(const struct smeta_dent *d, const char *name,
			u32 name_len, u8 *buf);
int smeta_rdx_decode(const char *v, size_t n, struct smeta_dent *d,
		     const char **name, u32 *name_len);
void smeta_dirst_encode(const struct smeta_dirst *s, u8 *buf);
int smeta_dirst_decode(const char *v, size_t n, struct smeta_dirst *s);
void smeta_usage_encode(const struct smeta_usage *u, u8 *buf);
int smeta_usage_decode(const char *v, size_t n, struct smeta_usage *u);
size_t smeta_inode_encode(const struct smeta_attr *a, const char *target,
			  u32 target_len, u8 *buf);
int smeta_inode_decode(const char *v, size_t n, struct smeta_attr *a,
		       const char **target, u32 *target_len);

/* ---- store access (smeta.c) ---- */
int smeta_db_get(struct smeta *m, const struct smeta_key *k, char **val,
		 size_t *len);
void smeta_stage_put(struct smeta_txn *tx, const struct smeta_key *k,
		     const void *val, size_t len);
void smeta_stage_del(struct smeta_txn *tx, const struct smeta_key *k);
void smeta_now(struct smeta *m, struct timespec *ts);
bool smeta_owns(struct smeta *m, u32 vol, u64 ino);
int smeta_op_enter(struct smeta *m, struct smeta_txn *tx,
		   struct smeta_txn **txp);
int smeta_op_leave(struct smeta_txn *tx, struct smeta_txn *given, int rc);
int smeta_alloc_locked(struct smeta_txn *tx, u32 vol, u64 *ino);

/* ---- shared pieces of operations ---- */
int smeta_inode_load(struct smeta *m, u32 vol, u64 ino, struct smeta_attr *a,
		     char *target, u32 *target_len);
void smeta_inode_stage(struct smeta_txn *tx, u32 vol,
		       const struct smeta_attr *a, const char *target,
		       u32 target_len);
int smeta_inode_destroy(struct smeta_txn *tx, u32 vol, u64 ino);
void smeta_attr_touch(struct smeta *m, struct smeta_attr *a, bool mtime);
int smeta_dirst_load(struct smeta *m, u32 vol, u64 dir, struct smeta_dirst *s);
int smeta_usage_stage(struct smeta_txn *tx, u32 vol, s64 bytes, s64 inodes,
		      u64 quota_bytes, u64 quota_inodes);
int smeta_name_check(const char *name, u32 len);

#endif /* SMETA_INT_H */
