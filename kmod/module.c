// SPDX-License-Identifier: GPL-2.0-only
/*
 * SealFS kernel client: module init and exit.
 */
#include <linux/fs.h>
#include <linux/module.h>

#include "internal.h"

static int __init sealfs_init(void)
{
	int err;

	err = sealfs_inode_cache_init();
	if (err)
		return err;
	sealfs_debugfs_init();
	err = register_filesystem(&sealfs_fs_type);
	if (err) {
		sealfs_debugfs_exit();
		sealfs_inode_cache_destroy();
		return err;
	}
	pr_info("SealFS client loaded\n");
	return 0;
}

static void __exit sealfs_exit(void)
{
	unregister_filesystem(&sealfs_fs_type);
	sealfs_debugfs_exit();
	sealfs_inode_cache_destroy();
}

module_init(sealfs_init);
module_exit(sealfs_exit);

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("SealFS distributed file system client");
MODULE_AUTHOR("The SealFS developers");
