// SPDX-License-Identifier: GPL-2.0-only
/*
 * SealFS kernel client: one typed call per protocol operation, as 9p's
 * client.c has. Each builds its request, sends it to the owner of its key
 * (Documentation/protocol.rst gives the owner of every request) and
 * copies what it needs out of the validated reply.
 */
#include <linux/slab.h>
#include <linux/statfs.h>

#include "internal.h"

/* Builds a request: fixed body, then up to two variable parts. */
static struct sealfs_req *sealfs_build(u16 op, const void *body, u32 blen,
				       const void *t1, u32 l1,
				       const void *t2, u32 l2, u32 detached)
{
	struct sealfs_req *req = sealfs_req_alloc(op, blen + l1 + l2);
	struct sealfs_buf b;

	if (!req)
		return ERR_PTR(-ENOMEM);
	sealfs_req_buf(req, &b);
	sealfs_buf_put(&b, body, blen);
	if (l1)
		sealfs_buf_put(&b, t1, l1);
	if (l2)
		sealfs_buf_put(&b, t2, l2);
	if (sealfs_req_finish(req, &b, detached)) {
		sealfs_req_put(req);
		return ERR_PTR(-ENAMETOOLONG);
	}
	return req;
}

/* Sends a fixed-size request to the owner of @key and copies @rlen bytes
 * of the reply body into @rep.
 */
static int sealfs_simple(struct sealfs_fs *fs, u32 server, u64 key, u16 op,
			 const void *body, u32 blen, void *rep, u32 rlen)
{
	struct sealfs_req *req;
	struct sealfs_msg m;
	int err;

	req = sealfs_build(op, body, blen, NULL, 0, NULL, 0, 0);
	if (IS_ERR(req))
		return PTR_ERR(req);
	err = sealfs_call(fs, server, key, req, &m);
	if (!err && rlen)
		memcpy(rep, m.body, min(rlen, m.body_len));
	sealfs_req_put(req);
	return err;
}

static u64 sealfs_ikey(struct sealfs_fs *fs, u64 ino)
{
	return sealfs_key_inode(fs->vol, ino);
}

static u64 sealfs_ekey(struct sealfs_fs *fs, u64 dir, const struct qstr *n)
{
	return sealfs_key_entry(fs->vol, dir, n->name, n->len);
}

/**
 * sealfs_op_getattr() - GETATTR
 * @fs: the mount
 * @ino: inode number
 * @a: the attributes
 *
 * Return: 0 or a negative errno (-ESTALE when the inode is gone).
 */
int sealfs_op_getattr(struct sealfs_fs *fs, u64 ino, struct sealfs_attr *a)
{
	struct sealfs_ino_req r = {
		.ino = cpu_to_le64(ino), .vol = cpu_to_le32(fs->vol),
	};

	return sealfs_simple(fs, 0, sealfs_ikey(fs, ino), SEALFS_OP_GETATTR,
			     &r, sizeof(r), a, sizeof(*a));
}

/* LOOKUP, CREATE, SYMLINK, LINK: an entry reply. */
static int sealfs_entry_call(struct sealfs_fs *fs, struct sealfs_req *req,
			     u64 key, struct sealfs_attr *a, bool *full)
{
	const struct sealfs_entry_rep *e;
	struct sealfs_msg m;
	int err;

	if (IS_ERR(req))
		return PTR_ERR(req);
	err = sealfs_call(fs, 0, key, req, &m);
	if (!err) {
		e = m.body;
		*a = e->attr;
		if (full)
			*full = le32_to_cpu(e->flags) & SEALFS_EF_ATTR;
	}
	sealfs_req_put(req);
	return err;
}

/**
 * sealfs_op_lookup() - LOOKUP
 * @fs: the mount
 * @dir: directory inode number
 * @name: the name
 * @a: the entry's inode
 * @full: whether every field of @a is valid (else only ino and type)
 *
 * Return: 0 or a negative errno (-ENOENT when there is no such entry).
 */
int sealfs_op_lookup(struct sealfs_fs *fs, u64 dir, const struct qstr *name,
		     struct sealfs_attr *a, bool *full)
{
	struct sealfs_name_req r = {
		.parent = cpu_to_le64(dir), .vol = cpu_to_le32(fs->vol),
		.name_len = cpu_to_le16(name->len),
	};

	return sealfs_entry_call(fs, sealfs_build(SEALFS_OP_LOOKUP, &r,
						  sizeof(r), name->name,
						  name->len, NULL, 0, 0),
				 sealfs_ekey(fs, dir, name), a, full);
}

/**
 * sealfs_op_create() - CREATE a file, directory, FIFO, socket or device
 * @fs: the mount
 * @dir: directory inode number
 * @name: the new name
 * @mode: type and permission bits
 * @rdev: device number
 * @excl: fail with -EEXIST when the name exists
 * @a: the new inode
 * @full: whether every field of @a is valid
 *
 * Return: 0 or a negative errno.
 */
int sealfs_op_create(struct sealfs_fs *fs, u64 dir, const struct qstr *name,
		     umode_t mode, dev_t rdev, bool excl,
		     struct sealfs_attr *a, bool *full)
{
	struct sealfs_create_req r = {
		.parent = cpu_to_le64(dir), .vol = cpu_to_le32(fs->vol),
		.mode = cpu_to_le32(mode),
		.uid = cpu_to_le32(from_kuid(&init_user_ns, current_fsuid())),
		.gid = cpu_to_le32(from_kgid(&init_user_ns, current_fsgid())),
		.rdev = cpu_to_le32(new_encode_dev(rdev)),
		.flags = cpu_to_le32(excl ? SEALFS_CF_EXCL : 0),
		.name_len = cpu_to_le16(name->len),
	};

	return sealfs_entry_call(fs, sealfs_build(SEALFS_OP_CREATE, &r,
						  sizeof(r), name->name,
						  name->len, NULL, 0, 0),
				 sealfs_ekey(fs, dir, name), a, full);
}

/**
 * sealfs_op_symlink() - SYMLINK
 * @fs: the mount
 * @dir: directory inode number
 * @name: the new name
 * @target: the link's target, NUL-terminated
 * @a: the new inode
 * @full: whether every field of @a is valid
 *
 * Return: 0 or a negative errno.
 */
int sealfs_op_symlink(struct sealfs_fs *fs, u64 dir, const struct qstr *name,
		      const char *target, struct sealfs_attr *a, bool *full)
{
	size_t tlen = strlen(target);
	struct sealfs_symlink_req r = {
		.parent = cpu_to_le64(dir), .vol = cpu_to_le32(fs->vol),
		.uid = cpu_to_le32(from_kuid(&init_user_ns, current_fsuid())),
		.gid = cpu_to_le32(from_kgid(&init_user_ns, current_fsgid())),
		.name_len = cpu_to_le16(name->len),
		.target_len = cpu_to_le16(tlen),
	};

	if (!tlen || tlen > SEALFS_TARGET_MAX)
		return -ENAMETOOLONG;
	return sealfs_entry_call(fs, sealfs_build(SEALFS_OP_SYMLINK, &r,
						  sizeof(r), name->name,
						  name->len, target, tlen, 0),
				 sealfs_ekey(fs, dir, name), a, full);
}

/**
 * sealfs_op_readlink() - READLINK
 * @fs: the mount
 * @ino: the link's inode number
 * @target: set to the target, NUL-terminated, kmalloc'd
 *
 * Return: 0 or a negative errno.
 */
int sealfs_op_readlink(struct sealfs_fs *fs, u64 ino, char **target)
{
	struct sealfs_ino_req r = {
		.ino = cpu_to_le64(ino), .vol = cpu_to_le32(fs->vol),
	};
	struct sealfs_req *req;
	struct sealfs_msg m;
	int err;

	req = sealfs_build(SEALFS_OP_READLINK, &r, sizeof(r), NULL, 0, NULL,
			   0, 0);
	if (IS_ERR(req))
		return PTR_ERR(req);
	err = sealfs_call(fs, 0, sealfs_ikey(fs, ino), req, &m);
	if (!err) {
		*target = kmemdup_nul(m.tail[0], m.tail_len[0], GFP_NOFS);
		if (!*target)
			err = -ENOMEM;
	}
	sealfs_req_put(req);
	return err;
}

/**
 * sealfs_op_link() - LINK
 * @fs: the mount
 * @ino: the inode to link
 * @dir: the directory to link it into
 * @name: the new name
 * @a: the inode after the link
 * @full: whether every field of @a is valid
 *
 * Return: 0 or a negative errno.
 */
int sealfs_op_link(struct sealfs_fs *fs, u64 ino, u64 dir,
		   const struct qstr *name, struct sealfs_attr *a, bool *full)
{
	struct sealfs_link_req r = {
		.ino = cpu_to_le64(ino), .parent = cpu_to_le64(dir),
		.vol = cpu_to_le32(fs->vol), .name_len = cpu_to_le16(name->len),
	};

	return sealfs_entry_call(fs, sealfs_build(SEALFS_OP_LINK, &r,
						  sizeof(r), name->name,
						  name->len, NULL, 0, 0),
				 sealfs_ekey(fs, dir, name), a, full);
}

/**
 * sealfs_op_unlink() - UNLINK or RMDIR
 * @fs: the mount
 * @dir: directory inode number
 * @name: the name to remove
 * @isdir: RMDIR rather than UNLINK
 * @a: UNLINK: the inode as the unlink left it (its nlink after)
 * @full: UNLINK: whether @a is valid (the inode lives on the entry's
 *	server)
 *
 * Return: 0 or a negative errno.
 */
int sealfs_op_unlink(struct sealfs_fs *fs, u64 dir, const struct qstr *name,
		     bool isdir, struct sealfs_attr *a, bool *full)
{
	struct sealfs_name_req r = {
		.parent = cpu_to_le64(dir), .vol = cpu_to_le32(fs->vol),
		.name_len = cpu_to_le16(name->len),
	};
	struct sealfs_req *req;

	req = sealfs_build(isdir ? SEALFS_OP_RMDIR : SEALFS_OP_UNLINK, &r,
			   sizeof(r), name->name, name->len, NULL, 0, 0);
	if (isdir) {
		struct sealfs_msg m;
		int err;

		if (IS_ERR(req))
			return PTR_ERR(req);
		err = sealfs_call(fs, 0, sealfs_ekey(fs, dir, name), req, &m);
		sealfs_req_put(req);
		return err;
	}
	return sealfs_entry_call(fs, req, sealfs_ekey(fs, dir, name), a, full);
}

/**
 * sealfs_op_rename() - RENAME
 * @fs: the mount
 * @odir: source directory
 * @oname: source name
 * @ndir: destination directory
 * @nname: destination name
 * @flags: %SEALFS_RF_* bits
 * @out: the reply
 *
 * Return: 0 or a negative errno.
 */
int sealfs_op_rename(struct sealfs_fs *fs, u64 odir, const struct qstr *oname,
		     u64 ndir, const struct qstr *nname, u32 flags,
		     struct sealfs_rename_rep *out)
{
	struct sealfs_rename_req r = {
		.src_parent = cpu_to_le64(odir), .dst_parent = cpu_to_le64(ndir),
		.vol = cpu_to_le32(fs->vol), .flags = cpu_to_le32(flags),
		.src_len = cpu_to_le16(oname->len),
		.dst_len = cpu_to_le16(nname->len),
	};
	struct sealfs_req *req;
	struct sealfs_msg m;
	int err;

	req = sealfs_build(SEALFS_OP_RENAME, &r, sizeof(r), oname->name,
			   oname->len, nname->name, nname->len, 0);
	if (IS_ERR(req))
		return PTR_ERR(req);
	err = sealfs_call(fs, 0, sealfs_ekey(fs, odir, oname), req, &m);
	if (!err)
		memcpy(out, m.body, sizeof(*out));
	sealfs_req_put(req);
	return err;
}

/**
 * sealfs_op_setattr() - SETATTR
 * @fs: the mount
 * @r: the request body (ino, vol and valid set by the caller)
 * @a: the inode after the change
 *
 * Return: 0 or a negative errno.
 */
int sealfs_op_setattr(struct sealfs_fs *fs, const struct sealfs_setattr_req *r,
		      struct sealfs_attr *a)
{
	return sealfs_simple(fs, 0, sealfs_ikey(fs, le64_to_cpu(r->ino)),
			     SEALFS_OP_SETATTR, r, sizeof(*r), a, sizeof(*a));
}

/**
 * sealfs_op_statfs() - STATFS summed over every server
 * @fs: the mount
 * @st: filled in (sizes in blocks of st->f_bsize, which is set here)
 *
 * The volume's quotas, when set, bound what is reported as its size.
 *
 * Return: 0 or a negative errno.
 */
int sealfs_op_statfs(struct sealfs_fs *fs, struct kstatfs *st)
{
	struct sealfs_vol_req r = { .vol = cpu_to_le32(fs->vol) };
	u64 bytes = 0, bfree = 0, files = 0, ffree = 0, vb = 0, vi = 0;
	u32 ids[64], n, i;
	struct sealfs_map *map;
	u64 qb, qi;
	int err;

	n = min_t(u32, sealfs_map_servers(fs, ids, ARRAY_SIZE(ids)),
		  ARRAY_SIZE(ids));
	for (i = 0; i < n; i++) {
		struct sealfs_statfs_rep s;

		err = sealfs_simple(fs, ids[i], 0, SEALFS_OP_STATFS, &r,
				    sizeof(r), &s, sizeof(s));
		if (err)
			return err;
		bytes += le64_to_cpu(s.disk_bytes);
		bfree += le64_to_cpu(s.disk_free);
		files += le64_to_cpu(s.disk_files);
		ffree += le64_to_cpu(s.disk_ffree);
		vb += le64_to_cpu(s.vol_bytes);
		vi += le64_to_cpu(s.vol_inodes);
	}
	rcu_read_lock();
	map = rcu_dereference(fs->map);
	qb = map->quota_bytes;
	qi = map->quota_inodes;
	rcu_read_unlock();
	if (qb) {
		bytes = min(bytes, qb);
		bfree = min(bfree, qb > vb ? qb - vb : 0);
	}
	if (qi) {
		files = min(files, qi);
		ffree = min(ffree, qi > vi ? qi - vi : 0);
	}
	st->f_bsize = PAGE_SIZE;
	st->f_frsize = PAGE_SIZE;
	st->f_blocks = bytes >> PAGE_SHIFT;
	st->f_bfree = bfree >> PAGE_SHIFT;
	st->f_bavail = st->f_bfree;
	st->f_files = files;
	st->f_ffree = ffree;
	st->f_namelen = SEALFS_NAME_MAX;
	return 0;
}

static u64 sealfs_ckey(struct sealfs_fs *fs, u64 ino, u64 off)
{
	return sealfs_key_chunk(fs->vol, ino, off >> fs->chunk_shift);
}

/**
 * sealfs_op_read() - READ bytes of one chunk
 * @fs: the mount
 * @ino: inode number
 * @off: file offset
 * @len: bytes, not crossing a chunk
 * @buf: receives the bytes
 *
 * Return: bytes read (fewer means the server holds nothing past them), or
 * a negative errno.
 */
int sealfs_op_read(struct sealfs_fs *fs, u64 ino, u64 off, u32 len,
		   void *buf)
{
	struct sealfs_read_req r = {
		.ino = cpu_to_le64(ino), .offset = cpu_to_le64(off),
		.vol = cpu_to_le32(fs->vol), .length = cpu_to_le32(len),
	};
	struct sealfs_req *req;
	struct sealfs_msg m;
	int err;

	req = sealfs_build(SEALFS_OP_READ, &r, sizeof(r), NULL, 0, NULL, 0, 0);
	if (IS_ERR(req))
		return PTR_ERR(req);
	err = sealfs_call(fs, 0, sealfs_ckey(fs, ino, off), req, &m);
	if (!err) {
		if (m.tail_len[0] > len) {
			err = -EIO;
		} else {
			memcpy(buf, m.tail[0], m.tail_len[0]);
			err = m.tail_len[0];
		}
	}
	sealfs_req_put(req);
	return err;
}

/**
 * sealfs_op_write() - WRITE bytes of one chunk
 * @fs: the mount
 * @ino: inode number
 * @off: file offset
 * @len: bytes, not crossing a chunk
 * @data: the bytes
 * @stable: commit before replying
 * @wb: set to the server that took the bytes and its boot id
 *
 * Return: 0 or a negative errno (a short write is -EIO).
 */
int sealfs_op_write(struct sealfs_fs *fs, u64 ino, u64 off, u32 len,
		    struct iov_iter *data, bool stable, struct sealfs_wboot *wb)
{
	struct sealfs_write_req r = {
		.ino = cpu_to_le64(ino), .offset = cpu_to_le64(off),
		.vol = cpu_to_le32(fs->vol), .length = cpu_to_le32(len),
		.flags = cpu_to_le32(stable ? SEALFS_WF_STABLE : 0),
	};
	const struct sealfs_write_rep *w;
	struct sealfs_req *req;
	struct sealfs_msg m;
	int err;

	req = sealfs_build(SEALFS_OP_WRITE, &r, sizeof(r), NULL, 0, NULL, 0,
			   len);
	if (IS_ERR(req))
		return PTR_ERR(req);
	req->data = data;
	err = sealfs_call(fs, 0, sealfs_ckey(fs, ino, off), req, &m);
	if (!err) {
		w = m.body;
		if (le32_to_cpu(w->written) != len)
			err = -EIO;
		wb->server = req->server;
		wb->boot = le64_to_cpu(w->boot_id);
	}
	sealfs_req_put(req);
	return err;
}

/* Sends the same fixed-size request to every server in the map. */
static int sealfs_all(struct sealfs_fs *fs, u16 op, const void *body,
		      u32 blen)
{
	u32 ids[64], n, i;
	int err, first = 0;

	n = min_t(u32, sealfs_map_servers(fs, ids, ARRAY_SIZE(ids)),
		  ARRAY_SIZE(ids));
	for (i = 0; i < n; i++) {
		err = sealfs_simple(fs, ids[i], 0, op, body, blen, NULL, 0);
		if (err && !first)
			first = err;
	}
	return first;
}

/**
 * sealfs_op_commit() - COMMIT an inode's unstable writes on every server
 * @fs: the mount
 * @ino: inode number
 * @wb: the servers that acknowledged unstable writes, with their boot ids
 * @n: entries in @wb
 *
 * A server whose boot id changed since it acknowledged writes restarted
 * and may have lost them: that is reported, not hidden.
 *
 * Return: 0, -EIO when writes may have been lost, or a negative errno.
 */
int sealfs_op_commit(struct sealfs_fs *fs, u64 ino,
		     const struct sealfs_wboot *wb, unsigned int n)
{
	struct sealfs_ino_req r = {
		.ino = cpu_to_le64(ino), .vol = cpu_to_le32(fs->vol),
	};
	u32 ids[64], nsrv, i, j;
	int err, first = 0;

	nsrv = min_t(u32, sealfs_map_servers(fs, ids, ARRAY_SIZE(ids)),
		     ARRAY_SIZE(ids));
	for (i = 0; i < nsrv; i++) {
		struct sealfs_commit_rep c;

		err = sealfs_simple(fs, ids[i], 0, SEALFS_OP_COMMIT, &r,
				    sizeof(r), &c, sizeof(c));
		for (j = 0; !err && j < n; j++) {
			if (wb[j].server == ids[i] &&
			    wb[j].boot != le64_to_cpu(c.boot_id)) {
				pr_warn_ratelimited("server %u restarted before committing writes of inode %llu\n",
						    ids[i], ino);
				err = -EIO;
			}
		}
		if (err && !first)
			first = err;
	}
	return first;
}

/**
 * sealfs_op_truncate() - DATA_TRUNCATE on every server
 * @fs: the mount
 * @ino: inode number
 * @size: data past this goes
 * @destroy: the inode is gone: drop all its data
 *
 * Return: 0 or a negative errno.
 */
int sealfs_op_truncate(struct sealfs_fs *fs, u64 ino, u64 size, bool destroy)
{
	struct sealfs_truncate_req r = {
		.ino = cpu_to_le64(ino), .size = cpu_to_le64(size),
		.vol = cpu_to_le32(fs->vol),
		.flags = cpu_to_le32(destroy ? SEALFS_TF_DESTROY : 0),
	};

	return sealfs_all(fs, SEALFS_OP_DATA_TRUNCATE, &r, sizeof(r));
}
