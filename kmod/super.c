// SPDX-License-Identifier: GPL-2.0-only
/*
 * SealFS kernel client: file system type and mount context.
 *
 * The mount context parses the source and the options (options.c); the
 * rest of the mount path (cluster map, root inode) is built on top of
 * this. Until a volume can be reached, get_tree refuses a well-formed
 * mount with EOPNOTSUPP and a message; a malformed one gets EINVAL and
 * the reason.
 */
#include <linux/fs.h>
#include <linux/fs_context.h>
#include <linux/module.h>
#include <linux/slab.h>

#include "internal.h"
#include "options.h"

static int sealfs_parse_param(struct fs_context *fc, struct fs_parameter *param)
{
	struct sealfs_mount_opts *o = fc->fs_private;
	struct fs_parse_result result;
	const char *why;
	int opt, err;

	opt = fs_parse(fc, sealfs_fs_parameters, param, &result);
	if (opt < 0)
		return opt;
	err = sealfs_opt_apply(o, opt, result.uint_32, &why);
	if (err)
		return invalfc(fc, "%s: %s", param->key, why);
	return 0;
}

static int sealfs_get_tree(struct fs_context *fc)
{
	struct sealfs_mount_opts *o = fc->fs_private;
	const char *why;

	if (!fc->source)
		return invalfc(fc, "no source: mount -t sealfs MANAGER[:PORT]:/VOLUME DIR");
	if (sealfs_parse_source(o, fc->source, &why) || sealfs_opts_check(o, &why))
		return invalfc(fc, "%s", why);
	errorfc(fc, "mounting volumes is not available in this build");
	return -EOPNOTSUPP;
}

static void sealfs_free_fc(struct fs_context *fc)
{
	kfree(fc->fs_private);
}

static const struct fs_context_operations sealfs_context_ops = {
	.parse_param	= sealfs_parse_param,
	.get_tree	= sealfs_get_tree,
	.free		= sealfs_free_fc,
};

static int sealfs_init_fs_context(struct fs_context *fc)
{
	struct sealfs_mount_opts *o;

	o = kzalloc(sizeof(*o), GFP_KERNEL);
	if (!o)
		return -ENOMEM;
	sealfs_opts_defaults(o);
	fc->fs_private = o;
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
	.parameters		= sealfs_fs_parameters,
	.kill_sb		= kill_anon_super,
	.fs_flags		= FS_RENAME_DOES_D_MOVE,
};
MODULE_ALIAS_FS("sealfs");
