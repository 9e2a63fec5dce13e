/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * SealFS kernel client: internal declarations shared by the files of
 * sealfs.ko, grouped by the file that defines them.
 */
#ifndef SEALFS_INTERNAL_H
#define SEALFS_INTERNAL_H

#include <linux/fs.h>

/* super.c */
extern struct file_system_type sealfs_fs_type;

#endif /* SEALFS_INTERNAL_H */
