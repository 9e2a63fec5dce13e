/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * SealFS kernel client: internal declarations shared by the files of
 * sealfs.ko, grouped by the file that defines them.
 */
#ifndef SEALFS_INTERNAL_H
#define SEALFS_INTERNAL_H

#include <linux/fs.h>
#include <linux/rcupdate.h>
#include <linux/xarray.h>

#include "compat.h"
#include "options.h"
#include "rpc.h"
#include "sealfs_placement.h"

/**
 * struct sealfs_map_srv - a server as the client's map holds it
 * @id: server id
 * @state: %SEALFS_SRV_UP or %SEALFS_SRV_DOWN
 * @addr: its TCP endpoint
 */
struct sealfs_map_srv {
	u32 id;
	u32 state;
	union sealfs_inet_addr addr;
};

/**
 * struct sealfs_map - the cluster map as one mount uses it; replaced as a
 * whole when a newer epoch arrives, read under RCU
 * @epoch: map epoch
 * @vol: the mounted volume's id
 * @chunk_size: its chunk size, a power of two
 * @chunk_shift: log2 of @chunk_size
 * @quota_bytes: its byte quota, 0 for none
 * @quota_inodes: its inode quota, 0 for none
 * @nsrv: servers in @srv
 * @srv: the servers, by increasing id
 * @ring: placement ring
 * @rcu: for freeing
 */
struct sealfs_map {
	u64 epoch;
	u32 vol;
	u32 chunk_size;
	u32 chunk_shift;
	u64 quota_bytes;
	u64 quota_inodes;
	u32 nsrv;
	struct sealfs_map_srv *srv;
	struct sealfs_ring ring;
	struct rcu_head rcu;
};

/**
 * struct sealfs_fs - one mount of a volume (the super block's s_fs_info)
 * @opts: the mount's options
 * @sb: the super block
 * @client_id: random non-zero id; with a request id it names a request
 *	for the servers' replay tables
 * @next_id: last request id used
 * @mgr: connection to the manager in use
 * @mgr_idx: which of @opts.mgr it goes to
 * @map_lock: serializes map refreshes
 * @map: current map
 * @conns: connections to servers, by server id
 * @debugfs: this mount's debugfs directory
 * @op_count: requests sent, per opcode
 * @vol: the volume's id
 * @chunk_shift: log2 of its chunk size
 * @shutdown: umount -f: every request fails at once
 * @op_lat: latency histogram per opcode, buckets of powers of two in
 *	microseconds
 */
struct sealfs_fs {
	struct sealfs_mount_opts opts;
	struct super_block *sb;
	u64 client_id;
	atomic64_t next_id;
	struct sealfs_conn *mgr;
	unsigned int mgr_idx;
	struct mutex map_lock;		/* one map refresh at a time */
	struct sealfs_map __rcu *map;
	struct xarray conns;
	struct dentry *debugfs;
	u32 vol;
	u32 chunk_shift;
	bool shutdown;
	atomic64_t op_count[SEALFS_OP_MAX];
	atomic64_t op_lat[SEALFS_OP_MAX][16];
};

#define SEALFS_WBOOT_MAX	8

/**
 * struct sealfs_wboot - a server holding unstable writes of an inode
 * @server: server id
 * @boot: the server's boot id when it acknowledged them
 */
struct sealfs_wboot {
	u32 server;
	u64 boot;
};

/**
 * struct sealfs_inode - a SealFS inode
 * @vfs: the VFS inode
 * @attr_time: jiffies when the attributes were last fetched
 * @attr_timeo: how long they are trusted, jiffies (grows while unchanged)
 * @change: the server's change counter at that time
 * @generation: the server's generation
 * @size_dirty: the local size is ahead of the server's
 * @srv_size: the size the inode's server last reported
 * @need_commit: unstable writes were sent since the last commit
 * @wboot: the servers holding them, with their boot ids (under i_lock)
 * @nwboot: entries in @wboot
 * @wlost: a server restarted before committing them: they may be lost
 * @touch: a directory whose entries changed: its mtime and ctime are
 *	moved on its server at the next revalidation
 */
struct sealfs_inode {
	struct inode vfs;
	unsigned long attr_time;
	unsigned long attr_timeo;
	u64 change;
	u32 generation;
	bool size_dirty;
	u64 srv_size;
	bool need_commit;
	struct sealfs_wboot wboot[SEALFS_WBOOT_MAX];
	unsigned int nwboot;
	bool wlost;
	bool touch;
};

static inline struct sealfs_inode *SEALFS_I(struct inode *inode)
{
	return container_of(inode, struct sealfs_inode, vfs);
}

static inline struct sealfs_fs *SEALFS_FS(struct super_block *sb)
{
	return sb->s_fs_info;
}

/* super.c */
extern struct file_system_type sealfs_fs_type;
int sealfs_inode_cache_init(void);
void sealfs_inode_cache_destroy(void);

/* map.c */
int sealfs_map_parse(struct sealfs_fs *fs, const struct sealfs_msg *m,
		     struct sealfs_map **out);
bool sealfs_map_install(struct sealfs_fs *fs, struct sealfs_map *map);
int sealfs_map_fetch(struct sealfs_fs *fs, u64 known, u32 wait_ms);
int sealfs_map_refresh(struct sealfs_fs *fs, u64 want);
void sealfs_map_free(struct sealfs_map *map);
u32 sealfs_map_owner(struct sealfs_fs *fs, u64 key, u64 *epoch);
u64 sealfs_map_epoch(struct sealfs_fs *fs);
int sealfs_map_srv_addr(struct sealfs_fs *fs, u32 id,
			union sealfs_inet_addr *addr);
u32 sealfs_map_servers(struct sealfs_fs *fs, u32 *ids, u32 max);
int sealfs_mgr_call(struct sealfs_fs *fs, struct sealfs_req *req);

/* call.c */
int sealfs_call(struct sealfs_fs *fs, u32 server, u64 key,
		struct sealfs_req *req, struct sealfs_msg *m);
struct sealfs_conn *sealfs_conn_get(struct sealfs_fs *fs, u32 server);
void sealfs_conns_destroy(struct sealfs_fs *fs);

/* inode.c */
struct inode *sealfs_iget(struct super_block *sb,
			  const struct sealfs_attr *a, bool full);
void sealfs_attr_apply(struct inode *inode, const struct sealfs_attr *a);
void sealfs_attr_own(struct inode *inode, const struct sealfs_attr *a);
int sealfs_revalidate(struct inode *inode, bool force);
int sealfs_getattr(struct sealfs_idmap *idmap, const struct path *path,
		   struct kstat *stat, u32 request_mask, unsigned int flags);
int sealfs_setattr(struct sealfs_idmap *idmap, struct dentry *dentry,
		   struct iattr *iattr);
void sealfs_evict_inode(struct inode *inode);
extern const struct inode_operations sealfs_file_iops;
extern const struct inode_operations sealfs_symlink_iops;
extern const struct inode_operations sealfs_special_iops;

/* dir.c */
extern const struct inode_operations sealfs_dir_iops;
extern const struct file_operations sealfs_dir_fops;
extern const struct dentry_operations sealfs_dentry_ops;

/* file.c */
extern const struct file_operations sealfs_file_fops;
extern const struct address_space_operations sealfs_aops;

/* xattr.c */
extern const struct xattr_handler *sealfs_xattr_handlers[];
ssize_t sealfs_listxattr(struct dentry *dentry, char *buf, size_t size);

/* ops.c: one typed call per operation */
int sealfs_op_getattr(struct sealfs_fs *fs, u64 ino, struct sealfs_attr *a);
int sealfs_op_lookup(struct sealfs_fs *fs, u64 dir, const struct qstr *name,
		     struct sealfs_attr *a, bool *full);
int sealfs_op_create(struct sealfs_fs *fs, u64 dir, const struct qstr *name,
		     umode_t mode, dev_t rdev, bool excl,
		     struct sealfs_attr *a, bool *full);
int sealfs_op_symlink(struct sealfs_fs *fs, u64 dir, const struct qstr *name,
		      const char *target, struct sealfs_attr *a, bool *full);
int sealfs_op_readlink(struct sealfs_fs *fs, u64 ino, char **target);
int sealfs_op_link(struct sealfs_fs *fs, u64 ino, u64 dir,
		   const struct qstr *name, struct sealfs_attr *a, bool *full);
int sealfs_op_unlink(struct sealfs_fs *fs, u64 dir, const struct qstr *name,
		     bool isdir, struct sealfs_attr *a, bool *full);
int sealfs_op_rename(struct sealfs_fs *fs, u64 odir, const struct qstr *oname,
		     u64 ndir, const struct qstr *nname, u32 flags,
		     struct sealfs_rename_rep *out);
int sealfs_op_setattr(struct sealfs_fs *fs, const struct sealfs_setattr_req *r,
		      struct sealfs_attr *a);
int sealfs_op_statfs(struct sealfs_fs *fs, struct kstatfs *st);
int sealfs_op_read(struct sealfs_fs *fs, u64 ino, u64 off, u32 len,
		   void *buf);
int sealfs_op_write(struct sealfs_fs *fs, u64 ino, u64 off, u32 len,
		    struct iov_iter *data, bool stable, struct sealfs_wboot *wb);
int sealfs_op_commit(struct sealfs_fs *fs, u64 ino,
		     const struct sealfs_wboot *wb, unsigned int n);
int sealfs_op_truncate(struct sealfs_fs *fs, u64 ino, u64 size, bool destroy);

/* debugfs.c */
void sealfs_debugfs_init(void);
void sealfs_debugfs_exit(void);
void sealfs_debugfs_mount(struct sealfs_fs *fs, const char *name);
void sealfs_debugfs_umount(struct sealfs_fs *fs);

#endif /* SEALFS_INTERNAL_H */
