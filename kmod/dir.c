// SPDX-License-Identifier: GPL-2.0-only
/*
 * SealFS kernel client: directories.
 *
 * Every server holds a slice of every directory. readdir reads the slices
 * one server after the other, in increasing server id; the position of an
 * entry is (server id << 40 | the server's cookie), so telldir/seekdir
 * positions stay valid while the map's servers stay. Entries carry
 * attributes when their server holds the inode, so ls -l needs no further
 * round trips for those.
 *
 * Dentries are trusted for the attribute-cache lifetime of their
 * directory, negative ones for negtimeo seconds.
 */
#include <linux/moduleparam.h>
#include <linux/namei.h>
#include <linux/slab.h>

#include "internal.h"

static unsigned int readdir_bytes = 32768;
module_param(readdir_bytes, uint, 0644);
MODULE_PARM_DESC(readdir_bytes,
		 "largest READDIR reply asked of a server, bytes (4096 to 1048576, default 32768)");

#define SEALFS_POS_SHIFT	40
#define SEALFS_COOKIE_MASK	((1ULL << SEALFS_POS_SHIFT) - 1)
#define SEALFS_POS_END		((loff_t)LLONG_MAX)

static u64 sealfs_dir_ino(struct inode *dir)
{
	return dir->i_ino;
}

/* An entry of @dir was added or removed: its times must move on its
 * server (the next getattr of the directory does it) and its cached
 * attributes are stale.
 */
static void sealfs_dir_changed(struct inode *dir)
{
	struct sealfs_inode *si = SEALFS_I(dir);

	spin_lock(&dir->i_lock);
	si->touch = true;
	si->attr_time = jiffies - si->attr_timeo - 1;
	spin_unlock(&dir->i_lock);
}

static void sealfs_dentry_stamp(struct dentry *dentry)
{
	dentry->d_time = jiffies;
}

static int sealfs_d_revalidate(struct dentry *dentry, unsigned int flags)
{
	struct sealfs_fs *fs = SEALFS_FS(dentry->d_sb);
	struct inode *inode = d_inode_rcu(dentry);
	unsigned long life;
	struct sealfs_attr a;
	struct dentry *parent;
	bool full;
	int err;

	if (inode)
		life = (S_ISDIR(inode->i_mode) ? fs->opts.acdirmin :
			fs->opts.acregmin) * HZ;
	else
		life = fs->opts.negtimeo * HZ;
	/* An open of a negative dentry or with O_CREAT/O_EXCL asks again. */
	if (inode || !(flags & (LOOKUP_CREATE | LOOKUP_EXCL))) {
		if (time_before(jiffies, dentry->d_time + life))
			return 1;
	}
	if (flags & LOOKUP_RCU)
		return -ECHILD;

	parent = dget_parent(dentry);
	err = sealfs_op_lookup(fs, sealfs_dir_ino(d_inode(parent)),
			       &dentry->d_name, &a, &full);
	dput(parent);
	if (err == -ENOENT)
		return inode ? 0 : 1;
	if (err)
		return err == -EINTR ? err : 0;
	if (!inode || le64_to_cpu(a.ino) != inode->i_ino ||
	    (le32_to_cpu(a.mode) & S_IFMT) != (inode->i_mode & S_IFMT))
		return 0;
	if (full)
		sealfs_attr_apply(inode, &a);
	sealfs_dentry_stamp(dentry);
	return 1;
}

const struct dentry_operations sealfs_dentry_ops = {
	.d_revalidate	= sealfs_d_revalidate,
};

static struct dentry *sealfs_lookup(struct inode *dir, struct dentry *dentry,
				    unsigned int flags)
{
	struct sealfs_fs *fs = SEALFS_FS(dir->i_sb);
	struct inode *inode = NULL;
	struct sealfs_attr a;
	bool full;
	int err;

	if (dentry->d_name.len > SEALFS_NAME_MAX)
		return ERR_PTR(-ENAMETOOLONG);
	err = sealfs_op_lookup(fs, sealfs_dir_ino(dir), &dentry->d_name, &a,
			       &full);
	if (err && err != -ENOENT)
		return ERR_PTR(err);
	if (!err) {
		inode = sealfs_iget(dir->i_sb, &a, full);
		if (IS_ERR(inode))
			return ERR_CAST(inode);
	}
	sealfs_dentry_stamp(dentry);
	return d_splice_alias(inode, dentry);
}

/* Instantiates @dentry with a newly created inode. */
static int sealfs_instantiate(struct inode *dir, struct dentry *dentry,
			      const struct sealfs_attr *a, bool full)
{
	struct inode *inode = sealfs_iget(dir->i_sb, a, full);

	if (IS_ERR(inode))
		return PTR_ERR(inode);
	sealfs_dentry_stamp(dentry);
	d_instantiate(dentry, inode);
	/* The directory changed: its attributes are stale. */
	sealfs_dir_changed(dir);
	return 0;
}

static int sealfs_mknod_common(struct inode *dir, struct dentry *dentry,
			       umode_t mode, dev_t rdev, bool excl)
{
	struct sealfs_attr a;
	bool full;
	int err;

	err = sealfs_op_create(SEALFS_FS(dir->i_sb), sealfs_dir_ino(dir),
			       &dentry->d_name, mode, rdev, excl, &a, &full);
	if (err)
		return err;
	return sealfs_instantiate(dir, dentry, &a, full);
}

static int sealfs_create(struct sealfs_idmap *idmap, struct inode *dir,
			 struct dentry *dentry, umode_t mode, bool excl)
{
	return sealfs_mknod_common(dir, dentry, S_IFREG | (mode & 07777), 0,
				   excl);
}

static int sealfs_mkdir(struct sealfs_idmap *idmap, struct inode *dir,
			struct dentry *dentry, umode_t mode)
{
	return sealfs_mknod_common(dir, dentry, S_IFDIR | (mode & 07777), 0,
				   true);
}

static int sealfs_mknod(struct sealfs_idmap *idmap, struct inode *dir,
			struct dentry *dentry, umode_t mode, dev_t rdev)
{
	return sealfs_mknod_common(dir, dentry, mode, rdev, true);
}

static int sealfs_symlink(struct sealfs_idmap *idmap, struct inode *dir,
			  struct dentry *dentry, const char *target)
{
	struct sealfs_attr a;
	bool full;
	int err;

	err = sealfs_op_symlink(SEALFS_FS(dir->i_sb), sealfs_dir_ino(dir),
				&dentry->d_name, target, &a, &full);
	if (err)
		return err;
	return sealfs_instantiate(dir, dentry, &a, full);
}

static int sealfs_link(struct dentry *old, struct inode *dir,
		       struct dentry *dentry)
{
	struct inode *inode = d_inode(old);
	struct sealfs_attr a;
	bool full;
	int err;

	err = sealfs_op_link(SEALFS_FS(dir->i_sb), inode->i_ino,
			     sealfs_dir_ino(dir), &dentry->d_name, &a, &full);
	if (err)
		return err;
	if (full)
		sealfs_attr_own(inode, &a);
	else
		inc_nlink(inode);
	ihold(inode);
	sealfs_dentry_stamp(dentry);
	d_instantiate(dentry, inode);
	sealfs_dir_changed(dir);
	return 0;
}

static int sealfs_unlink(struct inode *dir, struct dentry *dentry)
{
	struct inode *inode = d_inode(dentry);
	struct sealfs_attr a;
	bool full = false;
	int err;

	err = sealfs_op_unlink(SEALFS_FS(dir->i_sb), sealfs_dir_ino(dir),
			       &dentry->d_name, false, &a, &full);
	if (err)
		return err;
	if (full && le64_to_cpu(a.ino) == inode->i_ino) {
		set_nlink(inode, le32_to_cpu(a.nlink));
	} else {
		/* The inode lives elsewhere: its server has the count. When
		 * it cannot be asked, the inode is kept: a leak is better
		 * than dropping data another name still reaches.
		 */
		err = sealfs_op_getattr(SEALFS_FS(dir->i_sb), inode->i_ino, &a);
		if (err == -ESTALE)
			clear_nlink(inode);
		else if (!err && le64_to_cpu(a.ino) == inode->i_ino)
			sealfs_attr_own(inode, &a);
		err = 0;
	}
	sealfs_dir_changed(dir);
	return 0;
}

static int sealfs_rmdir(struct inode *dir, struct dentry *dentry)
{
	struct inode *inode = d_inode(dentry);
	int err;

	err = sealfs_op_unlink(SEALFS_FS(dir->i_sb), sealfs_dir_ino(dir),
			       &dentry->d_name, true, NULL, NULL);
	if (err)
		return err;
	clear_nlink(inode);
	sealfs_dir_changed(dir);
	return 0;
}

static int sealfs_rename(struct sealfs_idmap *idmap, struct inode *odir,
			 struct dentry *odentry, struct inode *ndir,
			 struct dentry *ndentry, unsigned int flags)
{
	struct inode *target = d_inode(ndentry);
	struct sealfs_rename_rep rep;
	int err;

	if (flags & ~RENAME_NOREPLACE)
		return -EINVAL;
	err = sealfs_op_rename(SEALFS_FS(odir->i_sb), sealfs_dir_ino(odir),
			       &odentry->d_name, sealfs_dir_ino(ndir),
			       &ndentry->d_name,
			       flags & RENAME_NOREPLACE ? SEALFS_RF_NOREPLACE :
			       0, &rep);
	if (err)
		return err;
	if (target && le64_to_cpu(rep.replaced_ino) == target->i_ino)
		set_nlink(target, le32_to_cpu(rep.replaced_nlink));
	else if (target)
		drop_nlink(target);
	sealfs_dentry_stamp(ndentry);
	sealfs_dir_changed(odir);
	sealfs_dir_changed(ndir);
	return 0;
}

/* Reads one batch of server @id's slice from @cookie and emits it.
 * Returns SEALFS_RD_MORE, SEALFS_RD_DONE (slice exhausted),
 * SEALFS_RD_FULL (the caller's buffer is full) or a negative errno.
 */
enum { SEALFS_RD_MORE, SEALFS_RD_DONE, SEALFS_RD_FULL };

static int sealfs_readdir_batch(struct file *file, struct dir_context *ctx,
				u32 id, u64 cookie)
{
	struct inode *dir = file_inode(file);
	struct sealfs_fs *fs = SEALFS_FS(dir->i_sb);
	struct sealfs_readdir_req r = {
		.dir = cpu_to_le64(dir->i_ino), .cookie = cpu_to_le64(cookie),
		.vol = cpu_to_le32(fs->vol),
		.max_bytes = cpu_to_le32(clamp(READ_ONCE(readdir_bytes), 4096U,
					       1048576U)),
	};
	const struct sealfs_readdir_rep *rep;
	struct sealfs_rec_iter it;
	struct sealfs_req *req;
	struct sealfs_rec rec;
	struct sealfs_buf b;
	struct sealfs_msg m;
	int err;

	req = sealfs_req_alloc(SEALFS_OP_READDIR, sizeof(r));
	if (!req)
		return -ENOMEM;
	sealfs_req_buf(req, &b);
	sealfs_buf_put(&b, &r, sizeof(r));
	err = sealfs_req_finish(req, &b, 0);
	if (!err)
		err = sealfs_call(fs, id, 0, req, &m);
	if (err)
		goto out;
	rep = m.body;
	sealfs_rec_iter_init(&it, &m);
	while (sealfs_rec_next(&it, &rec)) {
		const struct sealfs_dirent *d = rec.body;
		u64 c = le64_to_cpu(d->cookie);
		u32 mode = le32_to_cpu(d->attr.mode);

		if (rec.kind != SEALFS_REC_DIRENT || c <= cookie ||
		    c > SEALFS_COOKIE_MASK) {
			err = -EIO;
			goto out;
		}
		if (!dir_emit(ctx, rec.name, rec.name_len,
			      le64_to_cpu(d->attr.ino), (mode & S_IFMT) >> 12)) {
			err = SEALFS_RD_FULL;
			goto out;
		}
		cookie = c;
		ctx->pos = ((loff_t)id << SEALFS_POS_SHIFT) | cookie;
		if (le32_to_cpu(d->flags) & SEALFS_EF_ATTR) {
			struct inode *inode;

			inode = ilookup(dir->i_sb, le64_to_cpu(d->attr.ino));
			if (inode) {
				sealfs_attr_apply(inode, &d->attr);
				iput(inode);
			}
		}
	}
	if (le32_to_cpu(rep->flags) & SEALFS_RD_EOF)
		err = SEALFS_RD_DONE;
	else if (!m.nrecs)
		err = -EIO;	/* neither progress nor an end: broken server */
	else
		err = SEALFS_RD_MORE;
out:
	sealfs_req_put(req);
	return err;
}

static int sealfs_readdir(struct file *file, struct dir_context *ctx)
{
	struct sealfs_fs *fs = SEALFS_FS(file_inode(file)->i_sb);
	u32 ids[64], n, i;
	int err;

	if (!dir_emit_dots(file, ctx))
		return 0;
	if (ctx->pos == SEALFS_POS_END)
		return 0;
	n = min_t(u32, sealfs_map_servers(fs, ids, ARRAY_SIZE(ids)),
		  ARRAY_SIZE(ids));
	for (i = 0; i < n; i++) {
		u32 at = ctx->pos > 2 ? ctx->pos >> SEALFS_POS_SHIFT : 0;
		u64 cookie = 0;

		if (at > ids[i])
			continue;
		if (at == ids[i])
			cookie = ctx->pos & SEALFS_COOKIE_MASK;
		do {
			err = sealfs_readdir_batch(file, ctx, ids[i], cookie);
			if (err < 0)
				return err;
			if (err == SEALFS_RD_FULL)
				return 0;
			cookie = ctx->pos & SEALFS_COOKIE_MASK;
		} while (err == SEALFS_RD_MORE);
		/* Slice done: the next server's starts at its cookie 0. */
		ctx->pos = i + 1 < n ? (loff_t)ids[i + 1] << SEALFS_POS_SHIFT :
			   SEALFS_POS_END;
	}
	ctx->pos = SEALFS_POS_END;
	return 0;
}

static loff_t sealfs_dir_llseek(struct file *file, loff_t off, int whence)
{
	return generic_file_llseek_size(file, off, whence, SEALFS_POS_END,
					SEALFS_POS_END);
}

static int sealfs_dir_open(struct inode *inode, struct file *file)
{
	return sealfs_revalidate(inode, true);
}

const struct inode_operations sealfs_dir_iops = {
	.lookup		= sealfs_lookup,
	.create		= sealfs_create,
	.mkdir		= sealfs_mkdir,
	.mknod		= sealfs_mknod,
	.symlink	= sealfs_symlink,
	.link		= sealfs_link,
	.unlink		= sealfs_unlink,
	.rmdir		= sealfs_rmdir,
	.rename		= sealfs_rename,
	.getattr	= sealfs_getattr,
	.setattr	= sealfs_setattr,
	.listxattr	= sealfs_listxattr,
};

const struct file_operations sealfs_dir_fops = {
	.open		= sealfs_dir_open,
	.llseek		= sealfs_dir_llseek,
	.read		= generic_read_dir,
	.iterate_shared	= sealfs_readdir,
	.fsync		= noop_fsync,
};
