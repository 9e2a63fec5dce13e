// SPDX-License-Identifier: GPL-2.0-only
/*
 * SealFS kernel client: inodes and their attributes.
 *
 * The inode's server is the authority for its attributes. They are cached
 * for a while that starts at acregmin/acdirmin and doubles, up to
 * acregmax/acdirmax, while they stay unchanged (as NFS does); a changed
 * change counter drops the cached pages of a regular file. A local size
 * ahead of the server's (dirty pages past its end) wins until written.
 */
#include <linux/namei.h>
#include <linux/pagemap.h>
#include <linux/slab.h>
#include <linux/xattr.h>

#include "internal.h"

static void sealfs_set_ops(struct inode *inode)
{
	switch (inode->i_mode & S_IFMT) {
	case S_IFREG:
		inode->i_op = &sealfs_file_iops;
		inode->i_fop = &sealfs_file_fops;
		inode->i_mapping->a_ops = &sealfs_aops;
		break;
	case S_IFDIR:
		inode->i_op = &sealfs_dir_iops;
		inode->i_fop = &sealfs_dir_fops;
		break;
	case S_IFLNK:
		inode->i_op = &sealfs_symlink_iops;
		inode_nohighmem(inode);
		break;
	default:
		inode->i_op = &sealfs_special_iops;
		init_special_inode(inode, inode->i_mode, inode->i_rdev);
		break;
	}
}

static struct timespec64 sealfs_ts(__le64 sec, __le32 nsec)
{
	struct timespec64 t = {
		.tv_sec = (s64)le64_to_cpu(sec),
		.tv_nsec = min_t(u32, le32_to_cpu(nsec), NSEC_PER_SEC - 1),
	};

	return t;
}

static unsigned long sealfs_ac_min(struct inode *inode)
{
	struct sealfs_fs *fs = SEALFS_FS(inode->i_sb);

	return (S_ISDIR(inode->i_mode) ? fs->opts.acdirmin :
		fs->opts.acregmin) * HZ;
}

static unsigned long sealfs_ac_max(struct inode *inode)
{
	struct sealfs_fs *fs = SEALFS_FS(inode->i_sb);

	return (S_ISDIR(inode->i_mode) ? fs->opts.acdirmax :
		fs->opts.acregmax) * HZ;
}

static void __sealfs_attr_apply(struct inode *inode,
				const struct sealfs_attr *a, bool ours)
{
	struct sealfs_inode *si = SEALFS_I(inode);
	u32 mode = le32_to_cpu(a->mode);
	u64 change = le64_to_cpu(a->change);
	loff_t size = le64_to_cpu(a->size);
	bool changed;

	if ((mode & S_IFMT) != (inode->i_mode & S_IFMT) || size < 0)
		return;
	spin_lock(&inode->i_lock);
	changed = change != si->change;
	si->change = change;
	inode->i_mode = mode;
	set_nlink(inode, le32_to_cpu(a->nlink));
	inode->i_uid = make_kuid(&init_user_ns, le32_to_cpu(a->uid));
	inode->i_gid = make_kgid(&init_user_ns, le32_to_cpu(a->gid));
	inode->i_blocks = le64_to_cpu(a->blocks);
	si->generation = le32_to_cpu(a->generation);
	sealfs_set_times(inode, sealfs_ts(a->atime_sec, a->atime_nsec),
			 sealfs_ts(a->mtime_sec, a->mtime_nsec),
			 sealfs_ts(a->ctime_sec, a->ctime_nsec));
	si->srv_size = size;
	if (!si->size_dirty || size > i_size_read(inode))
		i_size_write(inode, size);
	if (changed)
		si->attr_timeo = sealfs_ac_min(inode);
	else
		si->attr_timeo = min(max(si->attr_timeo * 2,
					 sealfs_ac_min(inode)),
				     sealfs_ac_max(inode));
	si->attr_time = jiffies;
	spin_unlock(&inode->i_lock);
	if (changed && !ours && S_ISREG(mode) && inode->i_mapping->nrpages &&
	    !mapping_tagged(inode->i_mapping, PAGECACHE_TAG_DIRTY))
		invalidate_inode_pages2(inode->i_mapping);
}

/**
 * sealfs_attr_apply() - take attributes from the inode's server
 * @inode: the inode
 * @a: its attributes, all fields valid
 *
 * A changed change counter means someone else changed the file: its
 * cached pages go. The file type never changes; a reply claiming it did is
 * ignored.
 */
void sealfs_attr_apply(struct inode *inode, const struct sealfs_attr *a)
{
	__sealfs_attr_apply(inode, a, false);
}

/**
 * sealfs_attr_own() - take attributes a change of this client returned
 * @inode: the inode
 * @a: its attributes after the change (SETATTR, size extension, LINK)
 *
 * The change counter moved because of this client: the cached pages stay.
 */
void sealfs_attr_own(struct inode *inode, const struct sealfs_attr *a)
{
	__sealfs_attr_apply(inode, a, true);
}

static int sealfs_iget_test(struct inode *inode, void *data)
{
	return inode->i_ino == *(u64 *)data;
}

static int sealfs_iget_set(struct inode *inode, void *data)
{
	inode->i_ino = *(u64 *)data;
	return 0;
}

/**
 * sealfs_iget() - the inode for attributes from a server
 * @sb: the super block
 * @a: the attributes
 * @full: every field of @a is valid; else only the number and the type,
 *	and a new inode's attributes are fetched
 *
 * Return: the inode (referenced) or an ERR_PTR.
 */
struct inode *sealfs_iget(struct super_block *sb,
			  const struct sealfs_attr *a, bool full)
{
	u64 ino = le64_to_cpu(a->ino);
	u32 mode = le32_to_cpu(a->mode);
	struct sealfs_attr fetched;
	struct inode *inode;
	int err;

	if (!ino || !(mode & S_IFMT))
		return ERR_PTR(-EIO);
	inode = iget5_locked(sb, ino, sealfs_iget_test, sealfs_iget_set, &ino);
	if (!inode)
		return ERR_PTR(-ENOMEM);
	if (!(inode->i_state & I_NEW)) {
		if ((inode->i_mode & S_IFMT) != (mode & S_IFMT)) {
			iput(inode);
			return ERR_PTR(-ESTALE);
		}
		if (full)
			sealfs_attr_apply(inode, a);
		return inode;
	}
	if (!full) {
		err = sealfs_op_getattr(SEALFS_FS(sb), ino, &fetched);
		if (err) {
			iget_failed(inode);
			return ERR_PTR(err);
		}
		a = &fetched;
		if ((le32_to_cpu(a->mode) & S_IFMT) != (mode & S_IFMT)) {
			iget_failed(inode);
			return ERR_PTR(-ESTALE);
		}
	}
	inode->i_mode = le32_to_cpu(a->mode);
	inode->i_rdev = new_decode_dev(le32_to_cpu(a->rdev));
	SEALFS_I(inode)->change = le64_to_cpu(a->change);
	sealfs_set_ops(inode);
	sealfs_attr_apply(inode, a);
	unlock_new_inode(inode);
	return inode;
}

/**
 * sealfs_revalidate() - refresh an inode's attributes when they are old
 * @inode: the inode
 * @force: refresh even if they are fresh (open: close-to-open)
 *
 * Return: 0 or a negative errno.
 */
int sealfs_revalidate(struct inode *inode, bool force)
{
	struct sealfs_inode *si = SEALFS_I(inode);
	struct sealfs_fs *fs = SEALFS_FS(inode->i_sb);
	struct sealfs_attr a;
	bool touch;
	int err;

	spin_lock(&inode->i_lock);
	touch = si->touch;
	si->touch = false;
	spin_unlock(&inode->i_lock);
	if (touch) {
		struct sealfs_setattr_req r = {
			.ino = cpu_to_le64(inode->i_ino),
			.vol = cpu_to_le32(fs->vol),
			.valid = cpu_to_le32(SEALFS_SA_MTIME_NOW),
		};

		err = sealfs_op_setattr(fs, &r, &a);
		if (!err && le64_to_cpu(a.ino) == inode->i_ino) {
			sealfs_attr_own(inode, &a);
			return 0;
		}
		if (err == -EINTR)
			si->touch = true;
	}
	if (!force && time_before(jiffies, si->attr_time + si->attr_timeo))
		return 0;
	err = sealfs_op_getattr(fs, inode->i_ino, &a);
	if (err)
		return err;
	if (le64_to_cpu(a.ino) != inode->i_ino)
		return -EIO;
	sealfs_attr_apply(inode, &a);
	return 0;
}

/**
 * sealfs_getattr() - &inode_operations.getattr
 * @idmap: the mount's id mapping
 * @path: what to stat
 * @stat: filled in
 * @request_mask: STATX_* the caller wants
 * @flags: AT_STATX_* synchronisation flags
 *
 * Return: 0 or a negative errno.
 */
int sealfs_getattr(struct sealfs_idmap *idmap, const struct path *path,
		   struct kstat *stat, u32 request_mask, unsigned int flags)
{
	struct inode *inode = d_inode(path->dentry);
	int err = 0;

	if ((flags & AT_STATX_SYNC_TYPE) != AT_STATX_DONT_SYNC) {
		if (S_ISREG(inode->i_mode))
			filemap_write_and_wait(inode->i_mapping);
		err = sealfs_revalidate(inode, (flags & AT_STATX_SYNC_TYPE) ==
					AT_STATX_FORCE_SYNC);
	}
	if (err)
		return err;
	sealfs_fillattr(idmap, request_mask, inode, stat);
	stat->blksize = 1 << SEALFS_FS(inode->i_sb)->chunk_shift;
	return 0;
}

/**
 * sealfs_setattr() - &inode_operations.setattr: chmod, chown, truncate,
 * utimes
 * @idmap: the mount's id mapping
 * @dentry: what to change
 * @iattr: the change
 *
 * Return: 0 or a negative errno.
 */
int sealfs_setattr(struct sealfs_idmap *idmap, struct dentry *dentry,
		   struct iattr *iattr)
{
	struct inode *inode = d_inode(dentry);
	struct sealfs_fs *fs = SEALFS_FS(inode->i_sb);
	struct sealfs_setattr_req r = {
		.ino = cpu_to_le64(inode->i_ino), .vol = cpu_to_le32(fs->vol),
	};
	unsigned int v = iattr->ia_valid;
	struct sealfs_attr a;
	u32 valid = 0;
	int err;

	err = setattr_prepare(idmap, dentry, iattr);
	if (err)
		return err;
	if (v & ATTR_MODE) {
		valid |= SEALFS_SA_MODE;
		r.mode = cpu_to_le32((inode->i_mode & S_IFMT) |
				     (iattr->ia_mode & ~S_IFMT));
	}
	if (v & ATTR_UID) {
		valid |= SEALFS_SA_UID;
		r.uid = cpu_to_le32(from_kuid(&init_user_ns, iattr->ia_uid));
	}
	if (v & ATTR_GID) {
		valid |= SEALFS_SA_GID;
		r.gid = cpu_to_le32(from_kgid(&init_user_ns, iattr->ia_gid));
	}
	if (v & ATTR_ATIME) {
		valid |= (v & ATTR_ATIME_SET) ? SEALFS_SA_ATIME :
			 SEALFS_SA_ATIME_NOW;
		r.atime_sec = cpu_to_le64(iattr->ia_atime.tv_sec);
		r.atime_nsec = cpu_to_le32(iattr->ia_atime.tv_nsec);
	}
	if (v & ATTR_MTIME) {
		valid |= (v & ATTR_MTIME_SET) ? SEALFS_SA_MTIME :
			 SEALFS_SA_MTIME_NOW;
		r.mtime_sec = cpu_to_le64(iattr->ia_mtime.tv_sec);
		r.mtime_nsec = cpu_to_le32(iattr->ia_mtime.tv_nsec);
	}
	if (v & ATTR_SIZE) {
		if (!S_ISREG(inode->i_mode))
			return -EINVAL;
		/* Everything dirty goes first, so nothing lands past the
		 * new end afterwards.
		 */
		err = filemap_write_and_wait(inode->i_mapping);
		if (err)
			return err;
		valid |= SEALFS_SA_SIZE | SEALFS_SA_MTIME_NOW;
		r.size = cpu_to_le64(iattr->ia_size);
		if (iattr->ia_size < i_size_read(inode)) {
			err = sealfs_op_truncate(fs, inode->i_ino,
						 iattr->ia_size, false);
			if (err)
				return err;
		}
	}
	if (!valid)
		return 0;
	r.valid = cpu_to_le32(valid);
	err = sealfs_op_setattr(fs, &r, &a);
	if (err == -ESTALE && !inode->i_nlink) {
		/* Unlinked while open: only its opener sees it. */
		if (v & ATTR_SIZE)
			truncate_setsize(inode, iattr->ia_size);
		setattr_copy(idmap, inode, iattr);
		return 0;
	}
	if (err)
		return err;
	if (v & ATTR_SIZE) {
		SEALFS_I(inode)->size_dirty = false;
		truncate_setsize(inode, iattr->ia_size);
	}
	sealfs_attr_own(inode, &a);
	return 0;
}

/**
 * sealfs_evict_inode() - &super_operations.evict_inode
 * @inode: the inode going away
 *
 * When its last link went while it was open, its data goes now.
 */
void sealfs_evict_inode(struct inode *inode)
{
	truncate_inode_pages_final(&inode->i_data);
	clear_inode(inode);
	if (!inode->i_nlink && S_ISREG(inode->i_mode) &&
	    !SEALFS_FS(inode->i_sb)->shutdown)
		sealfs_op_truncate(SEALFS_FS(inode->i_sb), inode->i_ino, 0,
				   true);
}

static const char *sealfs_get_link(struct dentry *dentry, struct inode *inode,
				   struct delayed_call *done)
{
	char *target;
	int err;

	if (!dentry)
		return ERR_PTR(-ECHILD);
	err = sealfs_op_readlink(SEALFS_FS(inode->i_sb), inode->i_ino, &target);
	if (err)
		return ERR_PTR(err);
	set_delayed_call(done, kfree_link, target);
	return target;
}

const struct inode_operations sealfs_file_iops = {
	.getattr	= sealfs_getattr,
	.setattr	= sealfs_setattr,
	.listxattr	= sealfs_listxattr,
};

const struct inode_operations sealfs_symlink_iops = {
	.get_link	= sealfs_get_link,
	.getattr	= sealfs_getattr,
	.setattr	= sealfs_setattr,
	.listxattr	= sealfs_listxattr,
};

const struct inode_operations sealfs_special_iops = {
	.getattr	= sealfs_getattr,
	.setattr	= sealfs_setattr,
	.listxattr	= sealfs_listxattr,
};
