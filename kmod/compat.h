/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * SealFS kernel client: every difference between the kernel versions the
 * client builds for (Debian's 6.1 and 6.12) is isolated here. Kbuild
 * defines the SEALFS_HAVE_* feature macros from the kernel's version.
 *
 *  - 6.3 replaced the user_namespace argument of inode and xattr
 *    operations with struct mnt_idmap: "struct sealfs_idmap" names
 *    whichever the kernel has, and sealfs_fillattr() hides the added
 *    request_mask of generic_fillattr().
 *  - 6.3 passes folios to write_cache_pages() callbacks and 6.12 passes a
 *    folio to ->write_begin/->write_end.
 *  - 6.5 renamed generic_file_splice_read() to filemap_splice_read().
 *  - 6.6/6.7 hid the inode time fields behind accessors.
 */
#ifndef SEALFS_COMPAT_H
#define SEALFS_COMPAT_H

#include <linux/fs.h>
#include <linux/pagemap.h>
#include <linux/writeback.h>

#ifdef SEALFS_HAVE_MNT_IDMAP
#define sealfs_idmap mnt_idmap
#define SEALFS_NOP_IDMAP (&nop_mnt_idmap)
#define sealfs_fillattr(idmap, mask, inode, stat) \
	generic_fillattr(idmap, mask, inode, stat)
#else
#define sealfs_idmap user_namespace
#define SEALFS_NOP_IDMAP (&init_user_ns)
#define sealfs_fillattr(idmap, mask, inode, stat) \
	generic_fillattr(idmap, inode, stat)
#endif

/* "struct sealfs_wcp_arg": what write_cache_pages() hands its callback. */
#ifdef SEALFS_HAVE_WCP_FOLIO
#define sealfs_wcp_arg folio
#define sealfs_wcp_folio(arg) (arg)
#else
#define sealfs_wcp_arg page
#define sealfs_wcp_folio(arg) page_folio(arg)
#endif

/* "struct sealfs_wb_page": what ->write_begin hands back. */
#ifdef SEALFS_HAVE_WRITE_BEGIN_FOLIO
#define sealfs_wb_page folio
#define sealfs_wb_folio(p) (p)
#define sealfs_wb_from_folio(f) (f)
#else
#define sealfs_wb_page page
#define sealfs_wb_folio(p) page_folio(p)
#define sealfs_wb_from_folio(f) (&(f)->page)
#endif

/**
 * sealfs_grab_folio() - the locked page-cache folio for a write at @pos
 * @mapping: the file's mapping
 * @pos: file offset
 *
 * Return: the folio, or an ERR_PTR.
 */
static inline struct folio *sealfs_grab_folio(struct address_space *mapping,
					      loff_t pos)
{
#ifdef SEALFS_HAVE_FILEMAP_GET_FOLIO_ERR
	return __filemap_get_folio(mapping, pos >> PAGE_SHIFT, FGP_WRITEBEGIN,
				   mapping_gfp_mask(mapping));
#else
	struct page *page;

	page = grab_cache_page_write_begin(mapping, pos >> PAGE_SHIFT);
	return page ? page_folio(page) : ERR_PTR(-ENOMEM);
#endif
}

/* Splicing from the page cache. */
#ifdef SEALFS_HAVE_FILEMAP_SPLICE_READ
#define sealfs_splice_read filemap_splice_read
#else
#define sealfs_splice_read generic_file_splice_read
#endif

/**
 * sealfs_set_times() - set an inode's three time stamps
 * @inode: the inode
 * @a: access time
 * @m: modification time
 * @c: status change time
 */
static inline void sealfs_set_times(struct inode *inode, struct timespec64 a,
				    struct timespec64 m, struct timespec64 c)
{
#ifdef SEALFS_HAVE_INODE_TIME_ACCESSORS
	inode_set_atime_to_ts(inode, a);
	inode_set_mtime_to_ts(inode, m);
	inode_set_ctime_to_ts(inode, c);
#else
	inode->i_atime = a;
	inode->i_mtime = m;
	inode->i_ctime = c;
#endif
}

#endif /* SEALFS_COMPAT_H */
