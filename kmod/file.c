// SPDX-License-Identifier: GPL-2.0-only
/*
 * SealFS kernel client: regular files and the page-cache data path.
 *
 * Reads fill the page cache from the chunks' servers (readahead in
 * requests of up to rsize that never cross a chunk). Writes dirty pages;
 * writeback gathers contiguous dirty pages of one chunk into WRITE
 * requests of up to wsize, unstable, then tells the inode's server
 * (SETATTR SIZE_EXTEND with MTIME_NOW), which moves its size, mtime and
 * change counter. fsync and close
 * write back and COMMIT on the servers. Open revalidates the attributes
 * (close-to-open: a change made by another client drops cached pages).
 * O_DIRECT bypasses the page cache through a bounce buffer.
 */
#include <linux/bvec.h>
#include <linux/mm.h>
#include <linux/pagemap.h>
#include <linux/slab.h>
#include <linux/uio.h>
#include <linux/writeback.h>

#include "internal.h"

#define SEALFS_WB_MAX	(SEALFS_MAX_IO / PAGE_SIZE)

static u64 sealfs_chunk_end(struct sealfs_fs *fs, u64 pos)
{
	return (pos | ((1ULL << fs->chunk_shift) - 1)) + 1;
}

/* Fills a locked folio from the servers; zeros past what they hold. */
static int sealfs_fill_folio(struct inode *inode, struct folio *folio)
{
	struct sealfs_fs *fs = SEALFS_FS(inode->i_sb);
	size_t len = folio_size(folio);
	loff_t pos = folio_pos(folio);
	loff_t isize = i_size_read(inode);
	void *buf;
	int n = 0;

	buf = kmap_local_folio(folio, 0);
	if (pos < isize)
		n = sealfs_op_read(fs, inode->i_ino, pos, len, buf);
	if (n >= 0 && n < len)
		memset(buf + n, 0, len - n);
	kunmap_local(buf);
	if (n < 0)
		return n;
	flush_dcache_folio(folio);
	folio_mark_uptodate(folio);
	return 0;
}

static int sealfs_read_folio(struct file *file, struct folio *folio)
{
	int err = sealfs_fill_folio(folio->mapping->host, folio);

	folio_unlock(folio);
	return err;
}

static void sealfs_readahead(struct readahead_control *rac)
{
	struct inode *inode = rac->mapping->host;
	struct sealfs_fs *fs = SEALFS_FS(inode->i_sb);
	loff_t end = readahead_pos(rac) + readahead_length(rac);
	loff_t bstart = 0, bend = 0;
	size_t cap = min_t(size_t, fs->opts.rsize, 1UL << fs->chunk_shift);
	struct folio *folio;
	int valid = -EIO;
	u8 *buf;

	buf = kvmalloc(cap, GFP_KERNEL);
	while ((folio = readahead_folio(rac))) {
		loff_t pos = folio_pos(folio);
		size_t len = folio_size(folio), have;
		void *dst;

		if (!buf)
			goto unlock;
		if (pos >= bend) {
			size_t n = min_t(u64, end - pos, cap);

			n = min_t(u64, n, sealfs_chunk_end(fs, pos) - pos);
			n = max(n, len);
			bstart = pos;
			bend = pos + n;
			valid = sealfs_op_read(fs, inode->i_ino, pos, n, buf);
		}
		if (valid < 0 || pos + len > bend)
			goto unlock;
		have = clamp_t(s64, bstart + valid - pos, 0, len);
		dst = kmap_local_folio(folio, 0);
		memcpy(dst, buf + (pos - bstart), have);
		memset(dst + have, 0, len - have);
		kunmap_local(dst);
		flush_dcache_folio(folio);
		folio_mark_uptodate(folio);
unlock:
		folio_unlock(folio);
	}
	kvfree(buf);
}

static int sealfs_write_begin(struct file *file, struct address_space *mapping,
			      loff_t pos, unsigned int len,
			      struct sealfs_wb_page **pagep,
			      void **fsdata)
{
	struct folio *folio;
	int err;

	folio = sealfs_grab_folio(mapping, pos);
	if (IS_ERR(folio))
		return PTR_ERR(folio);
	if (!folio_test_uptodate(folio) && len != folio_size(folio)) {
		loff_t fpos = folio_pos(folio);

		if (fpos >= i_size_read(mapping->host)) {
			folio_zero_segment(folio, 0, folio_size(folio));
			folio_mark_uptodate(folio);
		} else {
			err = sealfs_fill_folio(mapping->host, folio);
			if (err) {
				folio_unlock(folio);
				folio_put(folio);
				return err;
			}
		}
	}
	*pagep = sealfs_wb_from_folio(folio);
	return 0;
}

static int sealfs_write_end(struct file *file, struct address_space *mapping,
			    loff_t pos, unsigned int len, unsigned int copied,
			    struct sealfs_wb_page *page, void *fsdata)
{
	struct folio *folio = sealfs_wb_folio(page);
	struct inode *inode = mapping->host;

	if (!folio_test_uptodate(folio)) {
		if (copied < len) {
			copied = 0;
			goto out;
		}
		folio_mark_uptodate(folio);
	}
	if (pos + copied > i_size_read(inode)) {
		spin_lock(&inode->i_lock);
		SEALFS_I(inode)->size_dirty = true;
		i_size_write(inode, pos + copied);
		spin_unlock(&inode->i_lock);
	}
	folio_mark_dirty(folio);
out:
	folio_unlock(folio);
	folio_put(folio);
	return copied;
}

/**
 * struct sealfs_wb - folios gathered for one WRITE
 * @inode: the file
 * @folio: the folios, contiguous, in one chunk, under writeback
 * @len: bytes of each to send
 * @n: how many
 * @bytes: their sum
 * @end: furthest byte written in this writeback
 * @err: first error
 */
struct sealfs_wb {
	struct inode *inode;
	struct folio *folio[SEALFS_WB_MAX];
	u32 len[SEALFS_WB_MAX];
	unsigned int n;
	u32 bytes;
	loff_t end;
	int err;
};

/* Remembers which server holds unstable writes under which boot id. */
static void sealfs_wboot_note(struct inode *inode, const struct sealfs_wboot *w)
{
	struct sealfs_inode *si = SEALFS_I(inode);
	unsigned int i;

	spin_lock(&inode->i_lock);
	for (i = 0; i < si->nwboot; i++)
		if (si->wboot[i].server == w->server)
			break;
	if (i == si->nwboot) {
		if (si->nwboot < SEALFS_WBOOT_MAX)
			si->wboot[si->nwboot++] = *w;
	} else if (si->wboot[i].boot != w->boot) {
		si->wlost = true;
	}
	si->need_commit = true;
	spin_unlock(&inode->i_lock);
}

/* WRITE without commit; stable when the inode already tracks as many
 * servers as it can check at COMMIT.
 */
static int sealfs_write_unstable(struct inode *inode, loff_t pos, u32 len,
				 struct iov_iter *it)
{
	struct sealfs_fs *fs = SEALFS_FS(inode->i_sb);
	struct sealfs_wboot w;
	bool stable;
	int err;

	stable = READ_ONCE(SEALFS_I(inode)->nwboot) >= SEALFS_WBOOT_MAX;
	err = sealfs_op_write(fs, inode->i_ino, pos, len, it, stable, &w);
	if (!err && !stable)
		sealfs_wboot_note(inode, &w);
	return err;
}

static void sealfs_wb_flush(struct sealfs_wb *wb)
{
	struct inode *inode = wb->inode;
	struct bio_vec *bv;
	struct iov_iter it;
	loff_t pos;
	unsigned int i;
	int err = -ENOMEM;

	if (!wb->n)
		return;
	pos = folio_pos(wb->folio[0]);
	bv = kmalloc_array(wb->n, sizeof(*bv), GFP_NOFS);
	if (bv) {
		for (i = 0; i < wb->n; i++)
			bvec_set_page(&bv[i], &wb->folio[i]->page, wb->len[i], 0);
		iov_iter_bvec(&it, WRITE, bv, wb->n, wb->bytes);
		err = sealfs_write_unstable(inode, pos, wb->bytes, &it);
		kfree(bv);
	}
	if (!err)
		wb->end = max(wb->end, pos + wb->bytes);
	else if (!wb->err)
		wb->err = err;
	for (i = 0; i < wb->n; i++) {
		if (err)
			mapping_set_error(inode->i_mapping, err);
		folio_end_writeback(wb->folio[i]);
	}
	wb->n = 0;
	wb->bytes = 0;
}

static int sealfs_writepage_cb(struct sealfs_wcp_arg *arg,
			       struct writeback_control *wbc, void *data)
{
	struct folio *folio = sealfs_wcp_folio(arg);
	struct sealfs_wb *wb = data;
	struct inode *inode = wb->inode;
	struct sealfs_fs *fs = SEALFS_FS(inode->i_sb);
	loff_t pos = folio_pos(folio), isize = i_size_read(inode);
	u32 len;

	if (pos >= isize) {
		folio_unlock(folio);
		return 0;
	}
	len = min_t(u64, folio_size(folio), isize - pos);
	if (wb->n) {
		struct folio *last = wb->folio[wb->n - 1];
		loff_t next = folio_pos(last) + wb->len[wb->n - 1];

		if (next != pos || wb->n == SEALFS_WB_MAX ||
		    wb->bytes + len > fs->opts.wsize ||
		    sealfs_chunk_end(fs, folio_pos(wb->folio[0])) <= pos)
			sealfs_wb_flush(wb);
	}
	folio_start_writeback(folio);
	folio_unlock(folio);
	wb->folio[wb->n] = folio;
	wb->len[wb->n] = len;
	wb->n++;
	wb->bytes += len;
	return 0;
}

/* Tells the inode's server about a size the writes extended. */
static int sealfs_extend_size(struct inode *inode, loff_t end)
{
	struct sealfs_fs *fs = SEALFS_FS(inode->i_sb);
	struct sealfs_setattr_req r = {
		.ino = cpu_to_le64(inode->i_ino), .vol = cpu_to_le32(fs->vol),
		.valid = cpu_to_le32(SEALFS_SA_SIZE_EXTEND |
				     SEALFS_SA_MTIME_NOW),
		.size = cpu_to_le64(end),
	};
	struct sealfs_attr a;
	int err;

	err = sealfs_op_setattr(fs, &r, &a);
	if (err == -ESTALE && !inode->i_nlink)
		return 0;	/* unlinked while open: nobody else sees it */
	if (err)
		return err;
	sealfs_attr_own(inode, &a);
	return 0;
}

static int sealfs_writepages(struct address_space *mapping,
			     struct writeback_control *wbc)
{
	struct inode *inode = mapping->host;
	struct sealfs_inode *si = SEALFS_I(inode);
	struct sealfs_wb *wb;
	int err;

	wb = kzalloc(sizeof(*wb), GFP_NOFS);
	if (!wb)
		return -ENOMEM;
	wb->inode = inode;
	err = write_cache_pages(mapping, wbc, sealfs_writepage_cb, wb);
	sealfs_wb_flush(wb);
	if (!err)
		err = wb->err;
	/* The inode's server learns of every write: its size, mtime and
	 * change counter move, so other clients' open sees the change.
	 */
	if (!err && (wb->end || si->size_dirty)) {
		loff_t end = max_t(loff_t, wb->end, i_size_read(inode));

		err = sealfs_extend_size(inode, end);
		if (!err && !mapping_tagged(mapping, PAGECACHE_TAG_DIRTY))
			si->size_dirty = false;
	}
	kfree(wb);
	return err;
}

/* Writes back everything dirty and commits it on the servers. */
static int sealfs_flush_commit(struct inode *inode, loff_t start, loff_t end)
{
	struct sealfs_wboot wb[SEALFS_WBOOT_MAX];
	struct sealfs_inode *si = SEALFS_I(inode);
	unsigned int n, i;
	bool lost;
	int err;

	err = filemap_write_and_wait_range(inode->i_mapping, start, end);
	if (err)
		return err;
	spin_lock(&inode->i_lock);
	if (!si->need_commit) {
		spin_unlock(&inode->i_lock);
		return 0;
	}
	n = si->nwboot;
	memcpy(wb, si->wboot, n * sizeof(*wb));
	lost = si->wlost;
	si->need_commit = false;
	si->nwboot = 0;
	si->wlost = false;
	spin_unlock(&inode->i_lock);

	err = sealfs_op_commit(SEALFS_FS(inode->i_sb), inode->i_ino, wb, n);
	if (!err && lost)
		err = -EIO;
	if (err == -EIO) {
		mapping_set_error(inode->i_mapping, err);
	} else if (err) {
		/* Not lost: the next fsync commits them again. */
		for (i = 0; i < n; i++)
			sealfs_wboot_note(inode, &wb[i]);
	}
	return err;
}

static int sealfs_fsync(struct file *file, loff_t start, loff_t end,
			int datasync)
{
	struct inode *inode = file_inode(file);
	int err, werr;

	err = sealfs_flush_commit(inode, start, end);
	werr = file_check_and_advance_wb_err(file);
	return err ? err : werr;
}

static int sealfs_flush(struct file *file, fl_owner_t id)
{
	if (!(file->f_mode & FMODE_WRITE))
		return 0;
	return sealfs_flush_commit(file_inode(file), 0, LLONG_MAX);
}

/* O_DIRECT: straight between the caller's buffer and the chunks' servers
 * through a bounce buffer of up to rsize/wsize, never crossing a chunk.
 */
static ssize_t sealfs_direct_IO(struct kiocb *iocb, struct iov_iter *iter)
{
	struct inode *inode = file_inode(iocb->ki_filp);
	struct sealfs_fs *fs = SEALFS_FS(inode->i_sb);
	bool write = iov_iter_rw(iter) == WRITE;
	size_t cap = min_t(size_t, write ? fs->opts.wsize : fs->opts.rsize,
			   1UL << fs->chunk_shift);
	loff_t pos = iocb->ki_pos, isize = i_size_read(inode);
	ssize_t done = 0;
	int err = 0;
	u8 *buf;

	if (!write && pos >= isize)
		return 0;
	buf = kvmalloc(cap, GFP_KERNEL);
	if (!buf)
		return -ENOMEM;
	while (iov_iter_count(iter)) {
		size_t n = min_t(u64, iov_iter_count(iter),
				 sealfs_chunk_end(fs, pos) - pos);
		struct kvec v = { .iov_base = buf };
		struct iov_iter kit;
		int got;

		n = min(n, cap);
		if (!write) {
			n = min_t(u64, n, isize - pos);
			if (!n)
				break;
			got = sealfs_op_read(fs, inode->i_ino, pos, n, buf);
			if (got < 0) {
				err = got;
				break;
			}
			memset(buf + got, 0, n - got);
			if (copy_to_iter(buf, n, iter) != n) {
				err = -EFAULT;
				break;
			}
		} else {
			if (copy_from_iter(buf, n, iter) != n) {
				err = -EFAULT;
				break;
			}
			v.iov_len = n;
			iov_iter_kvec(&kit, WRITE, &v, 1, n);
			if (iocb->ki_flags & IOCB_DSYNC) {
				struct sealfs_wboot w;

				err = sealfs_op_write(fs, inode->i_ino, pos, n,
						      &kit, true, &w);
			} else {
				err = sealfs_write_unstable(inode, pos, n, &kit);
			}
			if (err)
				break;
		}
		pos += n;
		done += n;
	}
	kvfree(buf);
	if (write && done) {
		int e = sealfs_extend_size(inode, pos);

		if (e && !err)
			err = e;
		if (!e && pos > i_size_read(inode))
			i_size_write(inode, pos);
	}
	return done ? done : err;
}

static int sealfs_open(struct inode *inode, struct file *file)
{
	int err = sealfs_revalidate(inode, true);

	if (err)
		return err;
	return generic_file_open(inode, file);
}

static ssize_t sealfs_write_iter(struct kiocb *iocb, struct iov_iter *from)
{
	struct inode *inode = file_inode(iocb->ki_filp);
	int err;

	/* Appending writes start at the end the server knows. */
	if (iocb->ki_flags & IOCB_APPEND) {
		err = sealfs_revalidate(inode, true);
		if (err)
			return err;
	}
	return generic_file_write_iter(iocb, from);
}

static ssize_t sealfs_read_iter(struct kiocb *iocb, struct iov_iter *to)
{
	return generic_file_read_iter(iocb, to);
}

const struct address_space_operations sealfs_aops = {
	.read_folio	= sealfs_read_folio,
	.readahead	= sealfs_readahead,
	.writepages	= sealfs_writepages,
	.dirty_folio	= filemap_dirty_folio,
	.write_begin	= sealfs_write_begin,
	.write_end	= sealfs_write_end,
	.direct_IO	= sealfs_direct_IO,
};

const struct file_operations sealfs_file_fops = {
	.open		= sealfs_open,
	.flush		= sealfs_flush,
	.fsync		= sealfs_fsync,
	.llseek		= generic_file_llseek,
	.read_iter	= sealfs_read_iter,
	.write_iter	= sealfs_write_iter,
	.mmap		= generic_file_mmap,
	.splice_read	= sealfs_splice_read,
	.splice_write	= iter_file_splice_write,
};
