// SPDX-License-Identifier: GPL-2.0-only
/*
 * SealFS kernel client: file system type and mount context.
 *
 * The mount path (option parsing, cluster map, root inode) is built on top
 * of this; until a volume can be reached, get_tree refuses with a message.
 */
#include <linux/fs.h>
#include <linux/fs_context.h>
#include <linux/module.h>

#include "internal.h"

static int sealfs_get_tree(struct fs_context *fc)
{
	return invalfc(fc, "mounting volumes is not available in this build");
}

static const struct fs_context_operations sealfs_context_ops = {
	.get_tree	= sealfs_get_tree,
};

static int sealfs_init_fs_context(struct fs_context *fc)
{
	fc->ops = &sealfs_context_ops;
	return 0;
}

/*
 * The "sealfs" file system type. Module init registers it last, once
 * everything it depends on exists.
 */
struct file_system_type sealfs_fs_type = {
	.owner			= THIS_MODULE,
	.name			= "sealfs",
	.init_fs_context	= sealfs_init_fs_context,
	.kill_sb		= kill_anon_super,
	.fs_flags		= FS_RENAME_DOES_D_MOVE,
};
MODULE_ALIAS_FS("sealfs");
