/* SPDX-License-Identifier: Apache-2.0 */
/*
 * smeta: the metadata store of sealfs-server, on LevelDB under --meta-dir.
 * No networking: the request handlers call it, and it answers with
 * attributes in host order and negative errnos.
 *
 * Keyspace. Every key starts with a one-byte tag; integers in keys are
 * big-endian so that LevelDB's bytewise order is numeric order. Values
 * are little-endian, and versioned where they have a layout (the first
 * byte is the version, SMETA_FMT_V1).
 *
 *   'D' be32 vol | be64 parent | name        directory entry
 *        -> v1 | mode (type bits) le32 | ino le64 | cookie le64
 *   'R' be32 vol | be64 parent | be64 cookie readdir index of this server's
 *        slice of the directory -> v1 | name_len | mode | ino | name
 *   'C' be32 vol | be64 dir                  this server's state of a
 *        directory -> v1 | next cookie le64 | entries here le64
 *   'I' be32 vol | be64 ino                  inode -> v1 | every field of
 *        struct sealfs_attr | parent | symbolic link target
 *   'X' be32 vol | be64 ino | name           extended attribute -> value
 *   'U' be32 vol                             the volume's usage on this
 *        server -> v1 | bytes le64 | inodes le64
 *   'P' be64 client | be64 request           replay table: the reply sent
 *        -> seq le64 | reply bytes
 *   'Q' be64 seq                             replay table in insertion
 *        order -> be64 client | be64 request | le32 reply length
 *   'S' name                                 store-wide: "format" (le32),
 *        "server_id" (le32), "ino_next" (le64, the inode allocator),
 *        "txid_next" (le64, transaction ids reserved so far)
 *   'T' 'c' be64 txid                        coordinator: a cross-server
 *        transaction decided COMMIT whose TXN_FINISH is not yet answered
 *        by every participant -> v1 | vol le32 | n le32 | n x server le32
 *   'T' 'p' be64 txid | kind u8              participant: what it
 *        prepared -> v1 | kind le32 | vol le32 | parent le64 | ino le64 |
 *        mode le32 | old_ino le64 | old_mode le32 | name_len le32 | name
 *
 * Cookies: each directory has, on each server, a counter ('C') from which
 * every new entry there takes the next cookie (1, 2, ...). A cookie names
 * its entry's position for the entry's whole life and is never reused in
 * that directory on that server, so READDIR from a cookie (iterating 'R'
 * keys after it) resumes correctly across creates and deletes and across
 * restarts.
 *
 * Inode numbers: (server_id << SMETA_INO_SEQ_BITS) | seq. Servers draw from
 * disjoint ranges, and seq comes from the persistent counter "ino_next",
 * which is written in the same batch as the inode it numbers. A candidate
 * is taken only if the caller's owns(vol, ino) predicate accepts it, so
 * the server that creates an entry also holds the new inode.
 *
 * Durability: every mutation is one LevelDB write batch handed to the
 * durability seam (struct smeta_durability), by default a LevelDB write
 * with sync=true. When an operation returns 0 its change is durable.
 *
 * Transactions: mutations are serialized. A caller that must record its
 * reply for replays opens a transaction with the request's (client id,
 * request id), runs one operation in it, encodes the reply from the
 * operation's result, adds it with smeta_txn_reply() and commits: the
 * change and the stored reply are written in one atomic batch. Operations
 * given a NULL transaction commit on their own.
 *
 * Errors are negative errnos: -ENOENT (no such entry), -ESTALE (no such
 * inode), -EEXIST, -ENOTDIR, -EISDIR, -ENOTEMPTY, -ENAMETOOLONG, -EINVAL,
 * -ERANGE, -ENODATA, -E2BIG, -EDQUOT, -EMLINK, -EPERM, -ENOSPC, -EIO, ...
 */
#ifndef SMETA_H
#define SMETA_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#include <leveldb/c.h>

#include "sealfs_env.h"
#include "sealfs_proto.h"

#define SMETA_FMT_V1		1	/* on-disk format of keys and values */
#define SMETA_INO_SEQ_BITS	44	/* low bits of an inode number: seq */
#define SMETA_SERVER_ID_MAX	((1u << (63 - SMETA_INO_SEQ_BITS)) - 1)
#define SMETA_LINK_MAX		65000u	/* largest nlink of a non-directory */
#define SMETA_REPLY_MAX		4096u	/* largest stored reply, bytes */
#define SMETA_REPLAY_ENTRIES	65536u	/* default bound of the replay table */
#define SMETA_REPLAY_BYTES	(16u << 20)
/* candidates the allocator tries before giving up with -EAGAIN */
#define SMETA_ALLOC_TRIES	(1u << 22)

/* setattr valid bit beyond the protocol's: set attr.blocks (server use) */
#define SMETA_SA_BLOCKS		0x10000u

/* struct smeta_entry.result: what an operation did, what is left to do */
#define SMETA_RES_EXISTED	0x1u	/* create found the name: nothing made */
/* the inode is on another server: apply nlink_delta there (INODE_UPDATE) */
#define SMETA_RES_INODE_REMOTE	0x2u
/* the parent's inode is on another server: apply parent_delta there */
#define SMETA_RES_PARENT_REMOTE	0x4u
/* the inode lost its last link and was deleted here: drop its data */
#define SMETA_RES_DESTROYED	0x8u

struct smeta;
struct smeta_txn;

/**
 * struct smeta_attr - attributes of an inode, in host order
 * @ino..@generation: as in struct sealfs_attr
 * @parent: for a directory, the directory holding its name
 * @reserved: zero (no padding: attributes compare with memcmp())
 */
struct smeta_attr {
	u64 ino;
	u64 size;
	u64 blocks;
	u64 change;
	s64 atime_sec;
	s64 mtime_sec;
	s64 ctime_sec;
	u64 parent;
	u32 atime_nsec;
	u32 mtime_nsec;
	u32 ctime_nsec;
	u32 mode;
	u32 nlink;
	u32 uid;
	u32 gid;
	u32 rdev;
	u32 generation;
	u32 reserved;
};

static_assert(sizeof(struct smeta_attr) == 104, "smeta_attr has no padding");

/**
 * struct smeta_entry - a directory entry and its inode, as an operation
 * left them
 * @attr: the inode; only @attr.ino and the type bits of @attr.mode unless
 *	@flags has %SEALFS_EF_ATTR (the inode is held on this server)
 * @cookie: the entry's readdir cookie
 * @flags: %SEALFS_EF_ATTR or 0, as the wire wants it
 * @result: %SMETA_RES_* bits
 * @nlink_delta: with %SMETA_RES_INODE_REMOTE: link count change for the
 *	inode's server (-2 and below on a directory: it is removed)
 * @parent_delta: with %SMETA_RES_PARENT_REMOTE: link count change for the
 *	parent directory's server
 */
struct smeta_entry {
	struct smeta_attr attr;
	u64 cookie;
	u32 flags;
	u32 result;
	s32 nlink_delta;
	s32 parent_delta;
};

/**
 * typedef smeta_owns_fn - does this server hold the inode (vol, ino)?
 * Called by the inode allocator and to tell a missing local inode from a
 * remote one. Usually sealfs_ring_owner(ring, sealfs_key_inode(vol, ino))
 * == my id, under the caller's lock of its current map.
 */
typedef bool (*smeta_owns_fn)(void *arg, u32 vol, u64 ino);

/**
 * struct smeta_durability - the durability seam
 * @commit: make @wb durable and visible to reads of @db, atomically;
 *	return 0 or -errno. On error nothing of @wb may be visible.
 * @arg: passed to @commit
 *
 * The default writes to LevelDB with sync=true; a persistent-memory
 * journal can take its place.
 */
struct smeta_durability {
	int (*commit)(void *arg, leveldb_t *db, leveldb_writebatch_t *wb);
	void *arg;
};

/**
 * smeta_commit_sync - the default commit: leveldb_write() with sync=true
 * @arg: unused
 * @db: database
 * @wb: batch
 *
 * Return: 0 or -errno.
 */
int smeta_commit_sync(void *arg, leveldb_t *db, leveldb_writebatch_t *wb);

/**
 * struct smeta_opts - how to open a store
 * @dir: the --meta-dir directory (created if missing)
 * @server_id: this server's id, 1 to %SMETA_SERVER_ID_MAX; a store keeps
 *	the id it was created with and refuses another (-EINVAL)
 * @owns: see &smeta_owns_fn; NULL accepts every inode
 * @owns_arg: passed to @owns
 * @dur: durability seam; NULL for smeta_commit_sync()
 * @now: clock; NULL for CLOCK_REALTIME
 * @now_arg: passed to @now
 * @replay_entries: bound of the replay table, 0 for %SMETA_REPLAY_ENTRIES
 * @replay_bytes: bound of its reply bytes, 0 for %SMETA_REPLAY_BYTES
 * @cache_bytes: LevelDB block cache, 0 for LevelDB's default
 */
struct smeta_opts {
	const char *dir;
	u32 server_id;
	smeta_owns_fn owns;
	void *owns_arg;
	const struct smeta_durability *dur;
	void (*now)(void *arg, struct timespec *ts);
	void *now_arg;
	u32 replay_entries;
	u64 replay_bytes;
	size_t cache_bytes;
};

/**
 * smeta_open - open (or create) the store
 * @o: options; copied
 * @mp: the store, on success
 *
 * Return: 0, -EBUSY when it is open already (this or another process),
 * -EINVAL for a bad server id or a store of another server, -ENOENT when
 * the parent of @o->dir is missing, -EIO for an unreadable store.
 */
int smeta_open(const struct smeta_opts *o, struct smeta **mp);

/**
 * smeta_close - close the store; no transaction may be open. NULL is a no-op.
 * @m: store
 */
void smeta_close(struct smeta *m);

/**
 * smeta_errno_from_leveldb - map a LevelDB error message to a -errno
 * @msg: the message, or NULL
 *
 * Return: 0 for NULL, else -ENOSPC, -EDQUOT, -EBUSY, -EACCES, -EROFS,
 * -ENOENT, -EINVAL or -EIO.
 */
int smeta_errno_from_leveldb(const char *msg);

/* ---- transactions ------------------------------------------------------ */

/**
 * smeta_txn_begin - start a transaction for one mutating operation
 * @m: store
 * @client_id: the request's client id, 0 for none (no replay protection)
 * @req_id: the request id
 * @txp: the transaction; it holds the store's write lock until
 *	smeta_txn_commit() or smeta_txn_abort()
 *
 * A transaction takes one operation, then optionally its reply. The
 * operation's results are not visible to readers before the commit.
 *
 * Transactions of a store are serialized: a second one waits. A thread
 * that holds one and begins another (also by calling an operation with a
 * NULL transaction) gets -EDEADLK.
 *
 * Return: 0; -EALREADY when (@client_id, @req_id) was already answered:
 * fetch the answer with smeta_replay_get() (no transaction is open then).
 */
int smeta_txn_begin(struct smeta *m, u64 client_id, u64 req_id,
		    struct smeta_txn **txp);

/**
 * smeta_txn_reply - store @reply as the answer to the transaction's
 * request, in the same batch as the change
 * @tx: transaction begun with a non-zero client id
 * @reply: the reply's bytes (header and payload, as the caller sends them)
 * @len: 1 to %SMETA_REPLY_MAX
 *
 * The oldest stored replies beyond the table's bounds are evicted in the
 * same batch. May follow a failed operation, to keep its error answer.
 * Return: 0 or -EINVAL.
 */
int smeta_txn_reply(struct smeta_txn *tx, const void *reply, u32 len);

/**
 * smeta_txn_commit - write the transaction's batch durably and end it
 * @tx: transaction
 *
 * Return: 0, or -errno from the durability seam (nothing was written).
 */
int smeta_txn_commit(struct smeta_txn *tx);

/**
 * smeta_txn_abort - end a transaction without writing anything
 * @tx: transaction
 */
void smeta_txn_abort(struct smeta_txn *tx);

/**
 * smeta_replay_get - the stored reply to (@client_id, @req_id)
 * @m: store
 * @client_id: client id
 * @req_id: request id
 * @buf: where to copy it
 * @cap: bytes at @buf
 * @len: the reply's length, also on -ERANGE
 *
 * Return: 0, -ENOENT when none is stored, -ERANGE when @cap is too small.
 */
int smeta_replay_get(struct smeta *m, u64 client_id, u64 req_id, void *buf,
		     u32 cap, u32 *len);

/**
 * smeta_replay_count - replies in the replay table (not while holding a
 * transaction)
 * @m: store
 *
 * Return: the number of stored replies.
 */
u64 smeta_replay_count(struct smeta *m);

/* ---- inode numbers ----------------------------------------------------- */

/**
 * smeta_ino_alloc - reserve a new inode number that owns() accepts
 * @m: store
 * @tx: transaction or NULL
 * @vol: volume
 * @ino: the number
 *
 * Creates allocate their numbers themselves; this is for callers that
 * need a number ahead of its inode. The counter advance is durable.
 * Return: 0, -EAGAIN when owns() accepted none of %SMETA_ALLOC_TRIES
 * candidates, -ENOSPC when the server's range is used up.
 */
int smeta_ino_alloc(struct smeta *m, struct smeta_txn *tx, u32 vol, u64 *ino);

/* ---- namespace --------------------------------------------------------- */

/**
 * struct smeta_create_args - what to create
 * @mode: type and permission bits: S_IFREG, S_IFDIR, S_IFIFO, S_IFSOCK,
 *	S_IFCHR, S_IFBLK or S_IFLNK
 * @uid: owner
 * @gid: group
 * @rdev: device number (new_encode_dev) for S_IFCHR and S_IFBLK
 * @flags: %SEALFS_CF_EXCL; without it an existing regular file's entry is
 *	returned with %SMETA_RES_EXISTED (other types always fail -EEXIST)
 * @target: symbolic link target, S_IFLNK only
 * @target_len: 1 to %SEALFS_TARGET_MAX, no NUL
 * @quota_inodes: this server's inode limit for the volume, 0 for none
 */
struct smeta_create_args {
	u32 mode;
	u32 uid;
	u32 gid;
	u32 rdev;
	u32 flags;
	const char *target;
	u32 target_len;
	u64 quota_inodes;
};

/**
 * smeta_create - create an entry and a new inode, numbered by the allocator
 * @m: store
 * @tx: transaction or NULL
 * @vol: volume
 * @parent: directory; checked when its inode is on this server
 * @name: entry name, 1 to %SEALFS_NAME_MAX bytes, no '/' or NUL, not "."
 *	or ".."
 * @name_len: bytes of @name
 * @a: what to create
 * @out: the entry and inode (%SEALFS_EF_ATTR); for a directory whose
 *	parent is remote, %SMETA_RES_PARENT_REMOTE with @parent_delta 1
 *
 * A new directory has nlink 2 (its name and "."); a local parent's nlink
 * goes up by one for the new directory's "..".
 * Return: 0, -EEXIST, -ENOENT or -ENOTDIR (parent), -EDQUOT, -EINVAL,
 * -ENAMETOOLONG, -EAGAIN/-ENOSPC (allocator), -errno of the commit.
 */
int smeta_create(struct smeta *m, struct smeta_txn *tx, u32 vol, u64 parent,
		 const char *name, u32 name_len,
		 const struct smeta_create_args *a, struct smeta_entry *out);

/**
 * smeta_mkdir - smeta_create() of a directory (always exclusive)
 * @m: store
 * @tx: transaction or NULL
 * @vol: volume
 * @parent: parent directory
 * @name: name
 * @name_len: bytes of @name
 * @mode: permission bits
 * @uid: owner
 * @gid: group
 * @quota_inodes: inode limit, 0 for none
 * @out: result
 *
 * Return: as smeta_create().
 */
int smeta_mkdir(struct smeta *m, struct smeta_txn *tx, u32 vol, u64 parent,
		const char *name, u32 name_len, u32 mode, u32 uid, u32 gid,
		u64 quota_inodes, struct smeta_entry *out);

/**
 * smeta_mknod - smeta_create() of a fifo, socket or device (exclusive)
 * @m: store
 * @tx: transaction or NULL
 * @vol: volume
 * @parent: parent directory
 * @name: name
 * @name_len: bytes of @name
 * @mode: S_IFIFO, S_IFSOCK, S_IFCHR or S_IFBLK and permission bits
 * @rdev: device number for devices
 * @uid: owner
 * @gid: group
 * @quota_inodes: inode limit, 0 for none
 * @out: result
 *
 * Return: as smeta_create().
 */
int smeta_mknod(struct smeta *m, struct smeta_txn *tx, u32 vol, u64 parent,
		const char *name, u32 name_len, u32 mode, u32 rdev, u32 uid,
		u32 gid, u64 quota_inodes, struct smeta_entry *out);

/**
 * smeta_symlink - smeta_create() of a symbolic link (exclusive)
 * @m: store
 * @tx: transaction or NULL
 * @vol: volume
 * @parent: parent directory
 * @name: name
 * @name_len: bytes of @name
 * @target: link target
 * @target_len: bytes of @target
 * @uid: owner
 * @gid: group
 * @quota_inodes: inode limit, 0 for none
 * @out: result
 *
 * Return: as smeta_create().
 */
int smeta_symlink(struct smeta *m, struct smeta_txn *tx, u32 vol, u64 parent,
		  const char *name, u32 name_len, const char *target,
		  u32 target_len, u32 uid, u32 gid, u64 quota_inodes,
		  struct smeta_entry *out);

/**
 * smeta_mkroot - create a volume's root directory (%SEALFS_ROOT_INO) on
 * this server if it is not there
 * @m: store
 * @tx: transaction or NULL
 * @vol: volume
 * @mode: permission bits
 * @uid: owner
 * @gid: group
 * @out: the root's attributes (also when it existed)
 *
 * Return: 0 or -errno.
 */
int smeta_mkroot(struct smeta *m, struct smeta_txn *tx, u32 vol, u32 mode,
		 u32 uid, u32 gid, struct smeta_attr *out);

/**
 * smeta_lookup - look a name up
 * @m: store
 * @vol: volume
 * @parent: directory
 * @name: name
 * @name_len: bytes of @name
 * @out: the entry; with the inode's attributes when it is held here
 *
 * Return: 0, -ENOENT, -EINVAL, -ENAMETOOLONG.
 */
int smeta_lookup(struct smeta *m, u32 vol, u64 parent, const char *name,
		 u32 name_len, struct smeta_entry *out);

/**
 * smeta_link - add an entry for an existing inode
 * @m: store
 * @tx: transaction or NULL
 * @vol: volume
 * @ino: inode
 * @mode: the inode's type bits, used when the inode is on another server
 * @parent: directory
 * @name: new name
 * @name_len: bytes of @name
 * @out: the entry; a local inode's nlink is raised, for a remote one
 *	%SMETA_RES_INODE_REMOTE with @nlink_delta 1
 *
 * Return: 0, -EEXIST, -EPERM (a directory), -EMLINK, -ESTALE (an inode of
 * this server that does not exist), -ENOENT/-ENOTDIR (parent), -EINVAL.
 */
int smeta_link(struct smeta *m, struct smeta_txn *tx, u32 vol, u64 ino,
	       u32 mode, u64 parent, const char *name, u32 name_len,
	       struct smeta_entry *out);

/**
 * smeta_unlink - remove a non-directory entry
 * @m: store
 * @tx: transaction or NULL
 * @vol: volume
 * @parent: directory
 * @name: name
 * @name_len: bytes of @name
 * @out: the inode as the unlink left it: a local inode's nlink lowered
 *	(deleted at 0: %SMETA_RES_DESTROYED), a remote one
 *	%SMETA_RES_INODE_REMOTE with @nlink_delta -1
 *
 * Return: 0, -ENOENT, -EISDIR, -EINVAL, -ENAMETOOLONG.
 */
int smeta_unlink(struct smeta *m, struct smeta_txn *tx, u32 vol, u64 parent,
		 const char *name, u32 name_len, struct smeta_entry *out);

/**
 * smeta_rmdir - remove a directory entry whose directory is empty here
 * @m: store
 * @tx: transaction or NULL
 * @vol: volume
 * @parent: directory holding the entry
 * @name: name
 * @name_len: bytes of @name
 * @out: the removed directory: deleted here (%SMETA_RES_DESTROYED) or on
 *	its server (%SMETA_RES_INODE_REMOTE, @nlink_delta -2); a remote
 *	parent gets %SMETA_RES_PARENT_REMOTE with @parent_delta -1
 *
 * Only this server's slice is checked: the caller learns from every other
 * server (smeta_dir_count() there, under DIR_FREEZE) that it is empty.
 * Return: 0, -ENOENT, -ENOTDIR, -ENOTEMPTY, -EINVAL, -ENAMETOOLONG.
 */
int smeta_rmdir(struct smeta *m, struct smeta_txn *tx, u32 vol, u64 parent,
		const char *name, u32 name_len, struct smeta_entry *out);

/**
 * smeta_dir_count - entries of a directory held on this server
 * @m: store
 * @vol: volume
 * @dir: directory
 * @count: the number
 *
 * Return: 0 or -EIO.
 */
int smeta_dir_count(struct smeta *m, u32 vol, u64 dir, u64 *count);

/**
 * smeta_dir_forget - drop this server's state of a removed directory
 * @m: store
 * @tx: transaction or NULL
 * @vol: volume
 * @dir: directory, gone from the namespace
 *
 * Return: 0 (also when there was none), -ENOTEMPTY when entries remain.
 */
int smeta_dir_forget(struct smeta *m, struct smeta_txn *tx, u32 vol, u64 dir);

/**
 * typedef smeta_readdir_fn - receives one entry of smeta_readdir()
 * @arg: the caller's
 * @e: the entry (attributes when the inode is here)
 * @name: its name, not NUL-terminated
 * @name_len: bytes of @name
 *
 * Return: 0 to go on, 1 to stop without taking this entry (reply full),
 * -errno to fail the readdir.
 */
typedef int (*smeta_readdir_fn)(void *arg, const struct smeta_entry *e,
				const char *name, u32 name_len);

/**
 * smeta_readdir - this server's slice of a directory, after a cookie
 * @m: store
 * @vol: volume
 * @dir: directory
 * @cookie: 0 to start, else the cookie of an entry returned before
 * @fn: called for each entry in cookie order
 * @arg: passed to @fn
 * @eof: true when @fn saw the slice's last entry
 *
 * Reads one consistent snapshot. Entries created after it and before the
 * next call are seen by the next call if their cookie lies ahead (new
 * entries always get the highest cookie); removed ones are not.
 * Return: 0, -ENOTDIR (a local inode that is not a directory), -errno
 * from @fn, -EIO.
 */
int smeta_readdir(struct smeta *m, u32 vol, u64 dir, u64 cookie,
		  smeta_readdir_fn fn, void *arg, bool *eof);

/* ---- inodes ------------------------------------------------------------ */

/**
 * smeta_getattr - an inode's attributes
 * @m: store
 * @vol: volume
 * @ino: inode
 * @out: attributes
 *
 * Return: 0 or -ESTALE.
 */
int smeta_getattr(struct smeta *m, u32 vol, u64 ino, struct smeta_attr *out);

/**
 * struct smeta_setattr - SETATTR's request, in host order
 * @valid: %SEALFS_SA_* bits, and %SMETA_SA_BLOCKS
 * @size: with %SEALFS_SA_SIZE or %SEALFS_SA_SIZE_EXTEND
 * @atime_sec: with %SEALFS_SA_ATIME
 * @atime_nsec: below 10^9
 * @mtime_sec: with %SEALFS_SA_MTIME
 * @mtime_nsec: below 10^9
 * @mode: with %SEALFS_SA_MODE: permission bits; type bits 0 or the inode's
 * @uid: with %SEALFS_SA_UID
 * @gid: with %SEALFS_SA_GID
 * @blocks: with %SMETA_SA_BLOCKS
 */
struct smeta_setattr {
	u32 valid;
	u64 size;
	s64 atime_sec;
	u32 atime_nsec;
	s64 mtime_sec;
	u32 mtime_nsec;
	u32 mode;
	u32 uid;
	u32 gid;
	u64 blocks;
};

/**
 * smeta_setattr - change an inode's attributes
 * @m: store
 * @tx: transaction or NULL
 * @vol: volume
 * @ino: inode
 * @sa: what to change; every change sets ctime to now and bumps change.
 *	A size change of %SEALFS_SA_SIZE also sets mtime to now unless
 *	%SEALFS_SA_MTIME(_NOW) is given. Data past a smaller size is the
 *	caller's to drop (DATA_TRUNCATE).
 * @out: the attributes afterwards; may be NULL
 *
 * Return: 0, -ESTALE, -EINVAL (unknown bits, bad nsec, type change, size
 * of a non-regular file), -EISDIR (size of a directory).
 */
int smeta_setattr(struct smeta *m, struct smeta_txn *tx, u32 vol, u64 ino,
		  const struct smeta_setattr *sa, struct smeta_attr *out);

/**
 * smeta_readlink - a symbolic link's target
 * @m: store
 * @vol: volume
 * @ino: inode
 * @buf: where to copy the target (not NUL-terminated)
 * @cap: bytes at @buf
 * @len: the target's length, also on -ERANGE
 *
 * Return: 0, -ESTALE, -EINVAL (not a symbolic link), -ERANGE.
 */
int smeta_readlink(struct smeta *m, u32 vol, u64 ino, char *buf, u32 cap,
		   u32 *len);

/**
 * smeta_inode_update - INODE_UPDATE: change a local inode for a namespace
 * operation of another server
 * @m: store
 * @tx: transaction or NULL
 * @vol: volume
 * @ino: inode
 * @flags: %SEALFS_IU_NLINK and/or %SEALFS_IU_PARENT
 * @nlink_delta: added to nlink (%SEALFS_IU_NLINK). A non-directory at 0
 *	links is deleted; a directory is deleted by a delta of -2 or less
 *	and otherwise keeps at least 2.
 * @parent: new parent of a directory (%SEALFS_IU_PARENT)
 * @out: the inode afterwards (nlink 0 and %SMETA_RES_DESTROYED in
 *	@out->result when deleted); attributes always complete
 *
 * Return: 0, -ESTALE, -EINVAL, -ENOTDIR (parent of a non-directory),
 * -EMLINK.
 */
int smeta_inode_update(struct smeta *m, struct smeta_txn *tx, u32 vol,
		       u64 ino, u32 flags, s32 nlink_delta, u64 parent,
		       struct smeta_entry *out);

/* ---- extended attributes ----------------------------------------------- */

/**
 * smeta_xattr_get - an extended attribute's value
 * @m: store
 * @vol: volume
 * @ino: inode
 * @name: attribute name, 1 to %SEALFS_XATTR_NAME_MAX bytes, no NUL
 * @name_len: bytes of @name
 * @buf: where to copy the value
 * @cap: bytes at @buf; 0 asks only for the size
 * @size: the value's size, also on -ERANGE
 *
 * Return: 0, -ENODATA, -ERANGE, -ESTALE, -EINVAL, -ENAMETOOLONG.
 */
int smeta_xattr_get(struct smeta *m, u32 vol, u64 ino, const char *name,
		    u32 name_len, void *buf, u32 cap, u32 *size);

/**
 * smeta_xattr_set - set an extended attribute
 * @m: store
 * @tx: transaction or NULL
 * @vol: volume
 * @ino: inode
 * @name: attribute name
 * @name_len: bytes of @name
 * @value: value
 * @value_len: 0 to %SEALFS_XATTR_SIZE_MAX
 * @flags: %SEALFS_XF_CREATE (fail -EEXIST if set) or %SEALFS_XF_REPLACE
 *	(fail -ENODATA if not), or 0
 *
 * Sets the inode's ctime. Return: 0, -EEXIST, -ENODATA, -E2BIG (value or
 * the inode's list too large), -EINVAL, -ENAMETOOLONG, -ESTALE.
 */
int smeta_xattr_set(struct smeta *m, struct smeta_txn *tx, u32 vol, u64 ino,
		    const char *name, u32 name_len, const void *value,
		    u32 value_len, u32 flags);

/**
 * smeta_xattr_list - the names of an inode's extended attributes, each
 * followed by a NUL
 * @m: store
 * @vol: volume
 * @ino: inode
 * @buf: where to copy the list
 * @cap: bytes at @buf; 0 asks only for the size
 * @size: the list's size, also on -ERANGE
 *
 * Return: 0, -ERANGE, -ESTALE.
 */
int smeta_xattr_list(struct smeta *m, u32 vol, u64 ino, char *buf, u32 cap,
		     u32 *size);

/**
 * smeta_xattr_remove - remove an extended attribute
 * @m: store
 * @tx: transaction or NULL
 * @vol: volume
 * @ino: inode
 * @name: attribute name
 * @name_len: bytes of @name
 *
 * Return: 0, -ENODATA, -ESTALE, -EINVAL, -ENAMETOOLONG.
 */
int smeta_xattr_remove(struct smeta *m, struct smeta_txn *tx, u32 vol,
		       u64 ino, const char *name, u32 name_len);

/* ---- usage and volumes --------------------------------------------------- */

/**
 * struct smeta_usage - a volume's usage on this server
 * @bytes: data bytes (kept by the data path with smeta_usage_add())
 * @inodes: inodes held here
 */
struct smeta_usage {
	u64 bytes;
	u64 inodes;
};

/**
 * smeta_usage_get - STATFS and VOL_USAGE counters of a volume
 * @m: store
 * @vol: volume
 * @out: usage (zero for a volume never used here)
 *
 * Return: 0 or -EIO.
 */
int smeta_usage_get(struct smeta *m, u32 vol, struct smeta_usage *out);

/**
 * smeta_usage_add - change a volume's usage counters
 * @m: store
 * @tx: transaction or NULL
 * @vol: volume
 * @bytes: change of the byte counter (never below 0)
 * @inodes: change of the inode counter (never below 0)
 * @quota_bytes: byte limit that a growth may not pass, 0 for none
 *
 * Return: 0, -EDQUOT (nothing changed).
 */
int smeta_usage_add(struct smeta *m, struct smeta_txn *tx, u32 vol,
		    s64 bytes, s64 inodes, u64 quota_bytes);

/**
 * smeta_vol_purge - delete every key of a volume (VOL_PURGE)
 * @m: store
 * @vol: volume
 *
 * Commits in batches; a purge cut short is finished by calling again.
 * Return: 0 or -errno.
 */
int smeta_vol_purge(struct smeta *m, u32 vol);

/* ---- cross-server transactions (smeta_xtxn.c, smeta_rename.c) --------- */

/*
 * Transaction ids are (server id << SMETA_TXID_SEQ_BITS) | seq: unique in
 * the cluster, and a participant finds the coordinator in the id.
 */
#define SMETA_TXID_SEQ_BITS	40
#define SMETA_TXID_RESERVE	4096u	/* ids reserved per durable write */

/* kinds of holds (what a transaction keeps on this server) */
#define SMETA_XK_ENTRY	1	/* participant: a prepared entry (durable) */
#define SMETA_XK_FREEZE	2	/* participant: a frozen directory (durable) */
#define SMETA_XK_NAME	3	/* coordinator: a held name (memory) */
#define SMETA_XK_DIR	4	/* coordinator: a frozen directory (memory) */

/**
 * smeta_txid_coord - the coordinating server of a transaction id
 * @txid: transaction id
 * Return: the server id.
 */
static inline u32 smeta_txid_coord(u64 txid)
{
	return (u32)(txid >> SMETA_TXID_SEQ_BITS);
}

/**
 * smeta_xtxn_alloc - a new transaction id of this server
 * @m: store
 * @txid: the id; ids are never reused, also across restarts
 * Return: 0 or -errno of the reservation's commit.
 */
int smeta_xtxn_alloc(struct smeta *m, u64 *txid);

/**
 * smeta_xtxn_except - let @tx change what transaction @txid holds
 * @tx: open transaction
 * @txid: the coordinator's own transaction
 */
void smeta_xtxn_except(struct smeta_txn *tx, u64 txid);

/**
 * smeta_xtxn_hold_name - hold a name for a transaction (memory only):
 * creates, links, removals and renames of it get -EAGAIN until released
 * @m: store
 * @txid: transaction
 * @vol: volume
 * @parent: directory
 * @name: name
 * @len: bytes of @name
 * Return: 0, -EAGAIN (held by another transaction), -EINVAL.
 */
int smeta_xtxn_hold_name(struct smeta *m, u64 txid, u32 vol, u64 parent,
			 const char *name, u32 len);

/**
 * smeta_xtxn_hold_dir - freeze a directory for a transaction (memory
 * only): no new entries in it here until released
 * @m: store
 * @txid: transaction
 * @vol: volume
 * @dir: directory
 * @count: its entries on this server
 * Return: 0 or -errno.
 */
int smeta_xtxn_hold_dir(struct smeta *m, u64 txid, u32 vol, u64 dir,
			u64 *count);

/**
 * smeta_xtxn_release - drop the memory holds of a transaction
 * @m: store
 * @txid: transaction
 */
void smeta_xtxn_release(struct smeta *m, u64 txid);

/**
 * smeta_xtxn_decide - stage a COMMIT decision in @tx, with the servers
 * that must still learn it (TXN_FINISH)
 * @tx: the transaction that also holds the coordinator's own change
 * @txid: transaction
 * @vol: volume
 * @srv: participants
 * @n: their count, 1 to %SEALFS_MAX_SERVERS
 * Return: 0 or -EINVAL.
 */
int smeta_xtxn_decide(struct smeta_txn *tx, u64 txid, u32 vol,
		      const u32 *srv, u32 n);

/**
 * smeta_xtxn_decided - the decision record of a transaction
 * @m: store
 * @txid: transaction
 * Return: 1 when a COMMIT is recorded, 0 when none, -errno.
 */
int smeta_xtxn_decided(struct smeta *m, u64 txid);

/**
 * smeta_xtxn_forget - delete a decision record (every participant answered)
 * @m: store
 * @txid: transaction
 * Return: 0 or -errno.
 */
int smeta_xtxn_forget(struct smeta *m, u64 txid);

/**
 * typedef smeta_xdecision_fn - one recorded decision
 * @arg: the caller's
 * @txid: transaction
 * @vol: volume
 * @srv: participants still to be told
 * @n: their count
 */
typedef void (*smeta_xdecision_fn)(void *arg, u64 txid, u32 vol,
				   const u32 *srv, u32 n);

/**
 * smeta_xtxn_decisions - every recorded, unfinished decision
 * @m: store
 * @fn: called for each
 * @arg: passed to @fn
 * Return: 0 or -EIO.
 */
int smeta_xtxn_decisions(struct smeta *m, smeta_xdecision_fn fn, void *arg);

/**
 * smeta_xtxn_prepare_entry - ENTRY_PREPARE: check the name and hold it,
 * durably, until smeta_xtxn_finish()
 * @m: store
 * @txid: transaction
 * @vol: volume
 * @parent: directory of the name
 * @name: name
 * @len: bytes of @name
 * @ino: inode the entry will name
 * @mode: its type bits
 * @noreplace: fail with -EEXIST when the name exists
 * @old_ino: inode the name holds now, 0 for none
 * @old_mode: its type bits
 *
 * A replaced directory is frozen here too (no new entries) and must be
 * empty here. Preparing the same transaction again answers as the first
 * time.
 * Return: 0, -EEXIST, -EISDIR (a directory over a non-directory),
 * -ENOTDIR, -ENOTEMPTY, -EAGAIN (held by another transaction, or its
 * directory frozen), -ENOENT/-ENOTDIR (parent), -EINVAL, -errno.
 */
int smeta_xtxn_prepare_entry(struct smeta *m, u64 txid, u32 vol, u64 parent,
			     const char *name, u32 len, u64 ino, u32 mode,
			     bool noreplace, u64 *old_ino, u32 *old_mode);

/**
 * smeta_xtxn_freeze - DIR_FREEZE: freeze a directory durably until
 * smeta_xtxn_finish() and count its entries here
 * @m: store
 * @txid: transaction
 * @vol: volume
 * @dir: directory
 * @count: its entries on this server
 * Return: 0 or -errno.
 */
int smeta_xtxn_freeze(struct smeta *m, u64 txid, u32 vol, u64 dir,
		      u64 *count);

/**
 * smeta_xtxn_finish - TXN_FINISH on a participant: apply (COMMIT) or drop
 * (ABORT) what @txid prepared here, in one batch with the records' removal
 * @m: store
 * @txid: transaction
 * @decision: %SEALFS_TXN_COMMIT or %SEALFS_TXN_ABORT
 *
 * COMMIT of an entry replaces whatever the name holds by the prepared
 * inode (the replaced inode's link count is the coordinator's to drop);
 * COMMIT of a freeze forgets the removed directory's state here.
 * Unknown transactions are finished already: 0.
 * Return: 0 or -errno.
 */
int smeta_xtxn_finish(struct smeta *m, u64 txid, u32 decision);

/**
 * typedef smeta_xprep_fn - one durable participant record
 * @arg: the caller's
 * @txid: transaction
 * @age: seconds since it was prepared or loaded
 */
typedef void (*smeta_xprep_fn)(void *arg, u64 txid, u64 age);

/**
 * smeta_xtxn_prepared - every transaction this server is a participant of
 * and not finished (one call per record)
 * @m: store
 * @fn: called for each
 * @arg: passed to @fn
 */
void smeta_xtxn_prepared(struct smeta *m, smeta_xprep_fn fn, void *arg);

/**
 * smeta_xtxn_in_doubt - is a name prepared by a transaction not finished
 * here? Its entry may appear at any moment: LOOKUP answers AGAIN rather
 * than a NOENT that the transaction's outcome could contradict.
 * @m: store
 * @vol: volume
 * @parent: directory
 * @name: name
 * @len: bytes of @name
 * A transaction may finish between a caller's lookup and this check:
 * when this returns 1, look the name up again (a finished transaction's
 * entry is in the store before its hold goes).
 * Return: -EAGAIN when in doubt, 0 when no transaction is prepared here,
 * 1 when some are but not for this name.
 */
int smeta_xtxn_in_doubt(struct smeta *m, u32 vol, u64 parent, const char *name,
			u32 len);

/**
 * struct smeta_rename_out - what smeta_rename() did
 * @ino: the renamed inode
 * @mode: its type bits
 * @old_ino: the inode the destination named before, 0 for none (its
 *	link count is the caller's to drop)
 * @old_mode: its type bits
 */
struct smeta_rename_out {
	u64 ino;
	u32 mode;
	u64 old_ino;
	u32 old_mode;
};

/**
 * smeta_rename - move an entry within this server (both names held here)
 * @m: store
 * @tx: transaction or NULL
 * @vol: volume
 * @sp: source directory
 * @sn: source name
 * @sl: bytes of @sn
 * @dp: destination directory
 * @dn: destination name
 * @dl: bytes of @dn
 * @flags: %SEALFS_RF_NOREPLACE
 * @out: result
 *
 * Replaces a destination of the same kind (an empty directory: its state
 * here is dropped). Renaming a name onto a link of the same inode does
 * nothing. Link counts and parent pointers are the caller's.
 * Return: 0, -ENOENT, -EEXIST, -EISDIR, -ENOTDIR, -ENOTEMPTY (here),
 * -EAGAIN (held), -EINVAL, -ENAMETOOLONG, -errno.
 */
int smeta_rename(struct smeta *m, struct smeta_txn *tx, u32 vol, u64 sp,
		 const char *sn, u32 sl, u64 dp, const char *dn, u32 dl,
		 u32 flags, struct smeta_rename_out *out);

/**
 * smeta_rename_src - the source half of a cross-server rename: remove the
 * entry, which must still name @ino
 * @m: store
 * @tx: transaction or NULL
 * @vol: volume
 * @sp: source directory
 * @sn: source name
 * @sl: bytes of @sn
 * @ino: the inode it must name (else -EAGAIN)
 * @forget_dir: a replaced directory whose state here is dropped (it must
 *	be empty here), 0 for none
 * Return: 0, -ENOENT, -EAGAIN, -ENOTEMPTY, -errno.
 */
int smeta_rename_src(struct smeta *m, struct smeta_txn *tx, u32 vol, u64 sp,
		     const char *sn, u32 sl, u64 ino, u64 forget_dir);

/* ---- conversions ------------------------------------------------------- */

/**
 * smeta_attr_to_wire - encode attributes for the wire
 * @a: attributes
 * @w: wire attributes (reserved zeroed)
 */
void smeta_attr_to_wire(const struct smeta_attr *a, struct sealfs_attr *w);

/**
 * smeta_attr_from_wire - decode wire attributes (parent becomes 0)
 * @w: wire attributes
 * @a: attributes
 */
void smeta_attr_from_wire(const struct sealfs_attr *w, struct smeta_attr *a);

#endif /* SMETA_H */
