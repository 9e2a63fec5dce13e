// SPDX-License-Identifier: GPL-2.0-only
/*
 * SealFS kernel client: file system type, mount context and super block.
 *
 * Mounting parses the source and the options (options.c), fetches the
 * cluster map from a manager (failing within the time-out when none
 * answers, with ENOENT for an unknown volume) and reads the root inode
 * from its server. Connections to servers open on first use. Every mount
 * is its own client: two mounts of one volume behave as two machines.
 */
#include <linux/fs.h>
#include <linux/fs_context.h>
#include <linux/module.h>
#include <linux/random.h>
#include <linux/seq_file.h>
#include <linux/slab.h>
#include <linux/statfs.h>

#include "internal.h"

static struct kmem_cache *sealfs_inode_cachep;

static struct inode *sealfs_alloc_inode(struct super_block *sb)
{
	struct sealfs_inode *si;

	si = alloc_inode_sb(sb, sealfs_inode_cachep, GFP_KERNEL);
	if (!si)
		return NULL;
	si->attr_time = 0;
	si->attr_timeo = 0;
	si->change = 0;
	si->generation = 0;
	si->size_dirty = false;
	si->srv_size = 0;
	si->need_commit = false;
	si->nwboot = 0;
	si->wlost = false;
	si->touch = false;
	return &si->vfs;
}

static void sealfs_free_inode(struct inode *inode)
{
	kmem_cache_free(sealfs_inode_cachep, SEALFS_I(inode));
}

static void sealfs_inode_init_once(void *p)
{
	struct sealfs_inode *si = p;

	inode_init_once(&si->vfs);
}

/**
 * sealfs_inode_cache_init() - create the inode cache (module init)
 *
 * Return: 0 or -ENOMEM.
 */
int sealfs_inode_cache_init(void)
{
	sealfs_inode_cachep = kmem_cache_create("sealfs_inode",
						sizeof(struct sealfs_inode), 0,
						SLAB_RECLAIM_ACCOUNT |
						SLAB_ACCOUNT,
						sealfs_inode_init_once);
	return sealfs_inode_cachep ? 0 : -ENOMEM;
}

/**
 * sealfs_inode_cache_destroy() - destroy the inode cache (module exit)
 */
void sealfs_inode_cache_destroy(void)
{
	rcu_barrier();
	kmem_cache_destroy(sealfs_inode_cachep);
}

static int sealfs_statfs(struct dentry *dentry, struct kstatfs *st)
{
	int err = sealfs_op_statfs(SEALFS_FS(dentry->d_sb), st);

	st->f_type = dentry->d_sb->s_magic;
	return err;
}

static int sealfs_show_options(struct seq_file *m, struct dentry *root)
{
	const struct sealfs_mount_opts *o = &SEALFS_FS(root->d_sb)->opts;

	seq_puts(m, ",transport=tcp");
	seq_printf(m, ",acregmin=%u,acregmax=%u,acdirmin=%u,acdirmax=%u",
		   o->acregmin, o->acregmax, o->acdirmin, o->acdirmax);
	seq_printf(m, ",negtimeo=%u,rsize=%u,wsize=%u,timeo=%u,retrans=%u,%s",
		   o->negtimeo, o->rsize, o->wsize, o->timeo, o->retrans,
		   o->soft ? "soft" : "hard");
	return 0;
}

static int sealfs_show_devname(struct seq_file *m, struct dentry *root)
{
	const struct sealfs_mount_opts *o = &SEALFS_FS(root->d_sb)->opts;
	unsigned int i;

	for (i = 0; i < o->nmgr; i++)
		seq_printf(m, o->mgr[i].sa.sa_family == AF_INET6 ?
			   "%s[%pI6c]:%u" : "%s%pI4:%u", i ? "," : "",
			   o->mgr[i].sa.sa_family == AF_INET6 ?
			   (const void *)&o->mgr[i].sin6.sin6_addr :
			   (const void *)&o->mgr[i].sin.sin_addr,
			   ntohs(o->mgr[i].sa.sa_family == AF_INET6 ?
				 o->mgr[i].sin6.sin6_port :
				 o->mgr[i].sin.sin_port));
	seq_printf(m, ":/%s", o->volume);
	return 0;
}

/* umount -f: fail every request at once, even on a hard mount. */
static void sealfs_umount_begin(struct super_block *sb)
{
	struct sealfs_fs *fs = SEALFS_FS(sb);
	struct sealfs_conn *c;
	unsigned long id;

	WRITE_ONCE(fs->shutdown, true);
	xa_for_each(&fs->conns, id, c)
		sealfs_conn_reset(c);
}

static const struct super_operations sealfs_sops = {
	.alloc_inode	= sealfs_alloc_inode,
	.free_inode	= sealfs_free_inode,
	.evict_inode	= sealfs_evict_inode,
	.statfs		= sealfs_statfs,
	.show_options	= sealfs_show_options,
	.show_devname	= sealfs_show_devname,
	.umount_begin	= sealfs_umount_begin,
};

static void sealfs_fs_free(struct sealfs_fs *fs)
{
	if (!fs)
		return;
	sealfs_debugfs_umount(fs);
	sealfs_conns_destroy(fs);
	sealfs_conn_destroy(fs->mgr);
	sealfs_map_free(rcu_dereference_protected(fs->map, true));
	mutex_destroy(&fs->map_lock);
	kfree(fs);
}

static int sealfs_fill_super(struct super_block *sb, struct fs_context *fc)
{
	struct sealfs_fs *fs = sb->s_fs_info;
	struct sealfs_attr a;
	struct sealfs_map *map;
	struct inode *root;
	int err;

	fs->sb = sb;
	err = sealfs_map_fetch(fs, 0, 0);
	if (err == -ENOENT)
		return errorfc(fc, "volume %s: no such volume", fs->opts.volume),
		       -ENOENT;
	if (err)
		return errorfc(fc, "cannot fetch the cluster map from the manager (%d)",
			       err), err;
	map = rcu_dereference_protected(fs->map, true);
	fs->vol = map->vol;
	fs->chunk_shift = map->chunk_shift;

	sb->s_magic = SEALFS_MAGIC;
	sb->s_op = &sealfs_sops;
	sb->s_d_op = &sealfs_dentry_ops;
	sb->s_xattr = sealfs_xattr_handlers;
	sb->s_maxbytes = MAX_LFS_FILESIZE;
	sb->s_time_gran = 1;
	sb->s_blocksize = PAGE_SIZE;
	sb->s_blocksize_bits = PAGE_SHIFT;
	err = super_setup_bdi(sb);
	if (err)
		return err;
	sb->s_bdi->ra_pages = max_t(unsigned long, VM_READAHEAD_PAGES,
				    fs->opts.rsize / PAGE_SIZE * 2);
	sb->s_bdi->io_pages = fs->opts.rsize / PAGE_SIZE;

	err = sealfs_op_getattr(fs, SEALFS_ROOT_INO, &a);
	if (err)
		return errorfc(fc, "cannot read the volume's root: %d", err),
		       err;
	root = sealfs_iget(sb, &a, true);
	if (IS_ERR(root))
		return PTR_ERR(root);
	if (!S_ISDIR(root->i_mode)) {
		iput(root);
		return errorfc(fc, "the volume's root is not a directory"),
		       -EIO;
	}
	sb->s_root = d_make_root(root);
	if (!sb->s_root)
		return -ENOMEM;
	snprintf(sb->s_id, sizeof(sb->s_id), "%u:%u", MAJOR(sb->s_dev),
		 MINOR(sb->s_dev));
	sealfs_debugfs_mount(fs, sb->s_id);
	return 0;
}

static int sealfs_parse_param(struct fs_context *fc, struct fs_parameter *param)
{
	struct sealfs_mount_opts *o = fc->fs_private;
	struct fs_parse_result result;
	const char *why;
	int opt, err;

	opt = fs_parse(fc, sealfs_fs_parameters, param, &result);
	if (opt < 0)
		return opt;
	if (fc->purpose == FS_CONTEXT_FOR_RECONFIGURE &&
	    opt == SEALFS_OPT_TRANSPORT &&
	    result.uint_32 != o->transport)
		return invalfc(fc, "transport cannot change on remount");
	err = sealfs_opt_apply(o, opt, result.uint_32, &why);
	if (err)
		return invalfc(fc, "%s: %s", param->key, why);
	return 0;
}

static int sealfs_get_tree(struct fs_context *fc)
{
	struct sealfs_mount_opts *o = fc->fs_private;
	struct sealfs_fs *fs;
	const char *why;

	if (!fc->source)
		return invalfc(fc, "no source: mount -t sealfs MANAGER[:PORT]:/VOLUME DIR");
	if (sealfs_parse_source(o, fc->source, &why) || sealfs_opts_check(o, &why))
		return invalfc(fc, "%s", why);

	fs = kzalloc(sizeof(*fs), GFP_KERNEL);
	if (!fs)
		return -ENOMEM;
	fs->opts = *o;
	do {
		fs->client_id = get_random_u64();
	} while (!fs->client_id);
	mutex_init(&fs->map_lock);
	xa_init(&fs->conns);
	fc->s_fs_info = fs;
	return get_tree_nodev(fc, sealfs_fill_super);
}

static int sealfs_reconfigure(struct fs_context *fc)
{
	struct sealfs_mount_opts *o = fc->fs_private;
	struct sealfs_fs *fs = SEALFS_FS(fc->root->d_sb);
	const char *why;

	if (o->acregmin > o->acregmax || o->acdirmin > o->acdirmax) {
		why = "acregmin and acdirmin must not exceed acregmax and acdirmax";
		return invalfc(fc, "%s", why);
	}
	fs->opts.acregmin = o->acregmin;
	fs->opts.acregmax = o->acregmax;
	fs->opts.acdirmin = o->acdirmin;
	fs->opts.acdirmax = o->acdirmax;
	fs->opts.negtimeo = o->negtimeo;
	fs->opts.timeo = o->timeo;
	fs->opts.retrans = o->retrans;
	fs->opts.soft = o->soft;
	fs->opts.rsize = o->rsize;
	fs->opts.wsize = o->wsize;
	return 0;
}

static void sealfs_free_fc(struct fs_context *fc)
{
	sealfs_fs_free(fc->s_fs_info);
	kfree(fc->fs_private);
}

static const struct fs_context_operations sealfs_context_ops = {
	.parse_param	= sealfs_parse_param,
	.get_tree	= sealfs_get_tree,
	.reconfigure	= sealfs_reconfigure,
	.free		= sealfs_free_fc,
};

static int sealfs_init_fs_context(struct fs_context *fc)
{
	struct sealfs_mount_opts *o;

	o = kzalloc(sizeof(*o), GFP_KERNEL);
	if (!o)
		return -ENOMEM;
	if (fc->purpose == FS_CONTEXT_FOR_RECONFIGURE)
		*o = SEALFS_FS(fc->root->d_sb)->opts;
	else
		sealfs_opts_defaults(o);
	fc->fs_private = o;
	fc->ops = &sealfs_context_ops;
	return 0;
}

static void sealfs_kill_sb(struct super_block *sb)
{
	struct sealfs_fs *fs = SEALFS_FS(sb);

	kill_anon_super(sb);
	sealfs_fs_free(fs);
}

/*
 * The "sealfs" file system type. Module init registers it last, once
 * everything it depends on exists.
 */
struct file_system_type sealfs_fs_type = {
	.owner			= THIS_MODULE,
	.name			= "sealfs",
	.init_fs_context	= sealfs_init_fs_context,
	.parameters		= sealfs_fs_parameters,
	.kill_sb		= sealfs_kill_sb,
};
MODULE_ALIAS_FS("sealfs");
