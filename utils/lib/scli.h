/* SPDX-License-Identifier: Apache-2.0 */
/*
 * scli: the userspace file client library of SealFS, for sealfs-admin,
 * the tests, benchmarks and userspace clients.
 *
 *  - scli_map.c: the cluster map (MAP_GET reply decoded and checked), its
 *    placement ring and the owners of entry, inode and chunk keys;
 *  - scli_conn.c: a client: its event loop, the manager, the map it acts
 *    on, lazily opened server connections (HELLO as a client with a
 *    random client id and %SEALFS_FEAT_REPLAY) and the routed call with
 *    steering (STALE_EPOCH, WRONG_OWNER, NOTREADY: refetch the map, back
 *    off, retry a bounded number of times) and replayed resends after a
 *    lost connection;
 *  - scli_ns.c: namespace calls (lookup .. removexattr);
 *  - scli_dir.c: readdir, one server's slice or merged over all servers;
 *  - scli_data.c: read, write, commit, truncate and statfs.
 *
 * Calls are synchronous and return 0 (or a byte count) or a negative
 * errno: a reply's status through sealfs_status_to_errno(), -EAGAIN when
 * steering gave up, or the local error. scli_error() holds a one-line
 * reason for the last failure. A client is used by one thread at a time.
 * Paths are not part of the library: names are resolved one component at
 * a time with scli_lookup() from %SEALFS_ROOT_INO.
 */
#ifndef SCLI_H
#define SCLI_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "sealfs_env.h"
#include "sealfs_placement.h"
#include "sealfs_proto.h"

struct sealfs_msg;
struct scli;

#define SCLI_ERR_MAX		256

/* ---- map (scli_map.c) --------------------------------------------------- */

/**
 * struct scli_map_srv - a server of the map
 * @id: server id
 * @weight: placement weight
 * @state: %SEALFS_SRV_UP or %SEALFS_SRV_DOWN
 * @uuid: persistent identity
 * @addr: endpoints per transport
 */
struct scli_map_srv {
	u32 id;
	u32 weight;
	u32 state;
	u8 uuid[16];
	struct sealfs_addr addr[SEALFS_TRANSPORTS];
};

/**
 * struct scli_map_vol - a volume of the map
 * @id: volume id
 * @chunk_size: bytes per chunk, a power of two
 * @state: %SEALFS_VOL_ACTIVE or %SEALFS_VOL_DELETING
 * @quota_bytes: byte quota, 0 for none
 * @quota_inodes: inode quota, 0 for none
 * @name: NUL-terminated
 */
struct scli_map_vol {
	u32 id;
	u32 chunk_size;
	u32 state;
	u64 quota_bytes;
	u64 quota_inodes;
	char name[SEALFS_VOLNAME_MAX + 1];
};

/**
 * struct scli_map - a decoded cluster map with its ring; immutable
 * @epoch: map epoch
 * @srv: servers, as the manager sent them (ascending ids)
 * @nsrv: how many
 * @vol: volumes
 * @nvol: how many
 * @ring: placement over every server with a non-zero weight, up or down
 *	(as the servers build it)
 */
struct scli_map {
	u64 epoch;
	struct scli_map_srv *srv;
	u32 nsrv;
	struct scli_map_vol *vol;
	u32 nvol;
	struct sealfs_ring ring;
};

int scli_map_decode(const struct sealfs_msg *m, struct scli_map **mp);
void scli_map_free(struct scli_map *map);
const struct scli_map_srv *scli_map_srv(const struct scli_map *map, u32 id);
const struct scli_map_vol *scli_map_vol(const struct scli_map *map,
					const char *name);
u32 scli_map_owner(const struct scli_map *map, u64 key);
u32 scli_owner_entry(const struct scli_map *map, u32 vol, u64 parent,
		     const char *name);
u32 scli_owner_inode(const struct scli_map *map, u32 vol, u64 ino);
u32 scli_owner_chunk(const struct scli_map *map, u32 vol, u32 chunk_size,
		     u64 ino, u64 offset);
int scli_addr_text(const struct sealfs_addr *a, char *buf, size_t len);

/* ---- client (scli_conn.c) ----------------------------------------------- */

/**
 * struct scli_opts - options of scli_open(); zero fields take defaults
 * @timeout_ms: bound on one call to one server or the manager (10 s)
 * @retries: steering retries of one operation (20)
 * @backoff_max_ms: longest pause between retries (1 s; the first is
 *	10 ms, doubling)
 */
struct scli_opts {
	u32 timeout_ms;
	u32 retries;
	u32 backoff_max_ms;
};

int scli_open(const char *manager, const char *volume,
	      const struct scli_opts *opts, struct scli **clp, char *err,
	      size_t errlen);
void scli_close(struct scli *cl);
const char *scli_error(const struct scli *cl);
const struct scli_map *scli_cur_map(const struct scli *cl);
const struct scli_map_vol *scli_volume(const struct scli *cl);
int scli_refresh(struct scli *cl, u64 min_epoch);
int scli_map_wait(struct scli *cl, u32 wait_ms);
u64 scli_client_id(const struct scli *cl);

/* ---- namespace (scli_ns.c) ---------------------------------------------- */

/**
 * struct scli_attr - inode attributes in host order
 * @ino: inode number
 * @size: bytes
 * @blocks: 512-byte blocks, as the inode's server knows them
 * @change: change counter
 * @atime: access time, seconds
 * @mtime: modification time, seconds
 * @ctime: status change time, seconds
 * @atime_nsec: nanoseconds of @atime
 * @mtime_nsec: nanoseconds of @mtime
 * @ctime_nsec: nanoseconds of @ctime
 * @mode: type and permission bits
 * @nlink: link count
 * @uid: owner
 * @gid: group
 * @rdev: device number
 * @generation: inode generation
 */
struct scli_attr {
	u64 ino;
	u64 size;
	u64 blocks;
	u64 change;
	s64 atime;
	s64 mtime;
	s64 ctime;
	u32 atime_nsec;
	u32 mtime_nsec;
	u32 ctime_nsec;
	u32 mode;
	u32 nlink;
	u32 uid;
	u32 gid;
	u32 rdev;
	u32 generation;
};

/**
 * struct scli_setattr - what scli_setattr() changes
 * @valid: %SEALFS_SA_* bits
 * @mode: permission bits (%SEALFS_SA_MODE)
 * @uid: owner (%SEALFS_SA_UID)
 * @gid: group (%SEALFS_SA_GID)
 * @size: size (%SEALFS_SA_SIZE, %SEALFS_SA_SIZE_EXTEND)
 * @atime: access time (%SEALFS_SA_ATIME)
 * @mtime: modification time (%SEALFS_SA_MTIME)
 * @atime_nsec: its nanoseconds
 * @mtime_nsec: its nanoseconds
 */
struct scli_setattr {
	u32 valid;
	u32 mode;
	u32 uid;
	u32 gid;
	u64 size;
	s64 atime;
	s64 mtime;
	u32 atime_nsec;
	u32 mtime_nsec;
};

void scli_attr_from_wire(struct scli_attr *a, const struct sealfs_attr *w);

int scli_lookup(struct scli *cl, u64 parent, const char *name,
		struct scli_attr *attr);
int scli_getattr(struct scli *cl, u64 ino, struct scli_attr *attr);
int scli_setattr(struct scli *cl, u64 ino, const struct scli_setattr *sa,
		 struct scli_attr *attr);
int scli_create(struct scli *cl, u64 parent, const char *name, u32 mode,
		u32 rdev, bool excl, struct scli_attr *attr);
int scli_symlink(struct scli *cl, u64 parent, const char *name,
		 const char *target, struct scli_attr *attr);
ssize_t scli_readlink(struct scli *cl, u64 ino, char *buf, size_t size);
int scli_link(struct scli *cl, u64 ino, u64 parent, const char *name,
	      struct scli_attr *attr);
int scli_unlink(struct scli *cl, u64 parent, const char *name);
int scli_rmdir(struct scli *cl, u64 parent, const char *name);
int scli_rename(struct scli *cl, u64 src_parent, const char *src,
		u64 dst_parent, const char *dst, u32 flags);
ssize_t scli_getxattr(struct scli *cl, u64 ino, const char *name, void *buf,
		      size_t size);
int scli_setxattr(struct scli *cl, u64 ino, const char *name,
		  const void *value, size_t size, u32 flags);
ssize_t scli_listxattr(struct scli *cl, u64 ino, char *buf, size_t size);
int scli_removexattr(struct scli *cl, u64 ino, const char *name);
int scli_resolve(struct scli *cl, const char *path, struct scli_attr *attr);
int scli_resolve_parent(struct scli *cl, const char *path, u64 *parent,
			char *name, size_t namelen);

/* ---- directories (scli_dir.c) ------------------------------------------- */

/**
 * struct scli_dirent - one entry of a directory listing
 * @name: NUL-terminated
 * @cookie: position after the entry in its server's slice
 * @server: the server whose slice holds it
 * @has_attr: every field of @attr is valid; else only ino and the type
 *	bits of mode
 * @attr: the entry's inode
 */
struct scli_dirent {
	char name[SEALFS_NAME_MAX + 1];
	u64 cookie;
	u32 server;
	bool has_attr;
	struct scli_attr attr;
};

typedef int (*scli_dirent_fn)(const struct scli_dirent *d, void *arg);

struct scli_dir;

int scli_readdir_slice(struct scli *cl, u32 server, u64 dir, u64 cookie,
		       u32 max_bytes, scli_dirent_fn fn, void *arg,
		       u64 *next_cookie, bool *eof);
int scli_opendir(struct scli *cl, u64 dir, struct scli_dir **dp);
int scli_readdir(struct scli_dir *d, struct scli_dirent *out);
void scli_closedir(struct scli_dir *d);

/* ---- data (scli_data.c) ------------------------------------------------- */

/**
 * struct scli_statfs - a volume's usage summed over the servers
 * @disk_bytes: size of the file systems holding the servers' data
 * @disk_free: free bytes there
 * @disk_files: inodes there
 * @disk_ffree: free inodes there
 * @vol_bytes: bytes of the volume
 * @vol_inodes: inodes of the volume
 * @quota_bytes: the volume's byte quota, 0 for none
 * @quota_inodes: the volume's inode quota, 0 for none
 * @servers: servers that answered
 */
struct scli_statfs {
	u64 disk_bytes;
	u64 disk_free;
	u64 disk_files;
	u64 disk_ffree;
	u64 vol_bytes;
	u64 vol_inodes;
	u64 quota_bytes;
	u64 quota_inodes;
	u32 servers;
};

ssize_t scli_read(struct scli *cl, u64 ino, u64 offset, void *buf,
		  size_t len);
ssize_t scli_write(struct scli *cl, u64 ino, u64 offset, const void *buf,
		   size_t len, bool stable, u64 *size);
int scli_commit(struct scli *cl, u64 ino);
int scli_truncate(struct scli *cl, u64 ino, u64 size);
int scli_statfs(struct scli *cl, struct scli_statfs *st);

#endif /* SCLI_H */
