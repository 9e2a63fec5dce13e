// SPDX-License-Identifier: Apache-2.0
/*
 * scli_data: file data and volume usage calls of the client library. See
 * scli.h.
 *
 * A read or write is split at chunk boundaries (and at %SEALFS_MAX_IO);
 * each piece goes to the owner of its chunk. A write past the end of the
 * file is followed by SETATTR %SEALFS_SA_SIZE_EXTEND to the inode's
 * server, the authority for the size. Servers that acknowledged unstable
 * writes of an inode are remembered with their boot id until
 * scli_commit() sends them COMMIT; a boot id that changed in between
 * means those writes may be lost, reported as -EIO (the library does not
 * keep the data to resend it).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "scli_int.h"

/* Bytes of the piece at @off: up to the chunk's end and SEALFS_MAX_IO. */
static u32 piece(const struct scli *cl, u64 off, size_t left)
{
	u64 n = cl->chunk - (off & (cl->chunk - 1));

	if (n > SEALFS_MAX_IO)
		n = SEALFS_MAX_IO;
	return n < left ? (u32)n : (u32)left;
}

/**
 * scli_read() - read file data
 * @cl: the client
 * @ino: inode
 * @offset: file offset
 * @buf: output
 * @len: bytes wanted
 *
 * Gets the size from the inode's server first; holes and ranges a chunk
 * owner holds nothing for read as zeros up to the size.
 * Return: bytes read (short at the end of the file), or -errno.
 */
ssize_t scli_read(struct scli *cl, u64 ino, u64 offset, void *buf, size_t len)
{
	struct scli_attr a;
	size_t done = 0;
	int rc;

	rc = scli_getattr(cl, ino, &a);
	if (rc)
		return rc;
	if (S_ISDIR(a.mode))
		return scli_fail(cl, -EISDIR, "read");
	if (offset >= a.size)
		return 0;
	if (len > a.size - offset)
		len = a.size - offset;
	while (done < len) {
		u64 off = offset + done;
		u32 n = piece(cl, off, len - done), got;
		struct sealfs_read_req r = {
			.ino = cpu_to_le64(ino), .offset = cpu_to_le64(off),
			.vol = cpu_to_le32(cl->vol), .length = cpu_to_le32(n),
		};
		struct scli_req q = {
			.op = SEALFS_OP_READ, .key = sealfs_key_chunk(cl->vol, ino, off / cl->chunk),
			.payload = &r, .len = sizeof(r),
		};
		struct srpc_result res;

		rc = scli_call(cl, &q, &res, NULL);
		if (rc)
			return done ? (ssize_t)done : rc;
		got = res.m.tail_len[0];
		if (got > n) {
			srpc_result_free(&res);
			return scli_fail(cl, -EPROTO, "READ returned %u bytes for %u", got, n);
		}
		memcpy((u8 *)buf + done, res.m.tail[0], got);
		memset((u8 *)buf + done + got, 0, n - got);
		srpc_result_free(&res);
		done += n;
	}
	return done;
}

/* Remembers that @server holds unstable writes of @ino. */
static int unstable_add(struct scli *cl, u64 ino, u32 server, u64 boot_id)
{
	struct scli_unstable *n;
	u32 i;

	for (i = 0; i < cl->nuns; i++) {
		if (cl->uns[i].ino == ino && cl->uns[i].server == server) {
			if (cl->uns[i].boot_id != boot_id)
				return scli_fail(cl, -EIO, "server %u restarted: unstable writes of inode %llu may be lost",
						 server, (unsigned long long)ino);
			return 0;
		}
	}
	n = realloc(cl->uns, (cl->nuns + 1) * sizeof(*n));
	if (!n)
		return -ENOMEM;
	cl->uns = n;
	cl->uns[cl->nuns++] = (struct scli_unstable){ .ino = ino, .server = server,
						      .boot_id = boot_id };
	return 0;
}

/**
 * scli_write() - write file data
 * @cl: the client
 * @ino: inode
 * @offset: file offset
 * @buf: the data
 * @len: bytes
 * @stable: each server commits before it answers (O_SYNC); else the data
 *	may sit in the servers' memory until scli_commit()
 * @size: the file size the caller knows, updated; %NULL when unknown.
 *	SIZE_EXTEND is sent when the write ends past it (always when %NULL).
 * Return: bytes written (all of @len), or -errno (-EDQUOT, -ENOSPC, ...);
 * after a partial failure the pieces before it are written but the size
 * may not cover them.
 */
ssize_t scli_write(struct scli *cl, u64 ino, u64 offset, const void *buf,
		   size_t len, bool stable, u64 *size)
{
	size_t done = 0;
	int rc;

	while (done < len) {
		u64 off = offset + done;
		u32 n = piece(cl, off, len - done), srv = 0;
		struct sealfs_write_req w = {
			.ino = cpu_to_le64(ino), .offset = cpu_to_le64(off),
			.vol = cpu_to_le32(cl->vol), .length = cpu_to_le32(n),
			.flags = cpu_to_le32(stable ? SEALFS_WF_STABLE : 0),
		};
		struct iovec iov = { .iov_base = (u8 *)buf + done, .iov_len = n };
		struct scli_req q = {
			.op = SEALFS_OP_WRITE, .key = sealfs_key_chunk(cl->vol, ino, off / cl->chunk),
			.payload = &w, .len = sizeof(w), .data = &iov, .ndata = 1,
		};
		const struct sealfs_write_rep *rep;
		struct srpc_result res;

		rc = scli_call(cl, &q, &res, &srv);
		if (rc)
			return rc;
		rep = res.m.body;
		if (le32_to_cpu(rep->written) != n) {
			srpc_result_free(&res);
			return scli_fail(cl, -EIO, "WRITE on server %u: %u of %u bytes", srv,
					 le32_to_cpu(rep->written), n);
		}
		rc = 0;
		if (!le32_to_cpu(rep->committed))
			rc = unstable_add(cl, ino, srv, le64_to_cpu(rep->boot_id));
		srpc_result_free(&res);
		if (rc)
			return rc;
		done += n;
	}
	if (len && (!size || offset + len > *size)) {
		struct scli_setattr sa = { .valid = SEALFS_SA_SIZE_EXTEND,
					   .size = offset + len };
		struct scli_attr a;

		rc = scli_setattr(cl, ino, &sa, &a);
		if (rc)
			return rc;
		if (size)
			*size = a.size;
	}
	return len;
}

/**
 * scli_commit() - make an inode's unstable writes durable
 * @cl: the client
 * @ino: inode
 *
 * Sends COMMIT to every server that acknowledged unstable writes of @ino
 * since the last commit.
 * Return: 0, -EIO when a server restarted since (writes may be lost), or
 * another -errno.
 */
int scli_commit(struct scli *cl, u64 ino)
{
	struct sealfs_ino_req r = { .ino = cpu_to_le64(ino), .vol = cpu_to_le32(cl->vol) };
	int first = 0;
	u32 i = 0;

	while (i < cl->nuns) {
		struct scli_unstable u = cl->uns[i];
		struct scli_req q = {
			.op = SEALFS_OP_COMMIT, .server = u.server, .payload = &r,
			.len = sizeof(r),
		};
		struct srpc_result res;
		int rc;

		if (u.ino != ino) {
			i++;
			continue;
		}
		cl->uns[i] = cl->uns[--cl->nuns];
		rc = scli_call(cl, &q, &res, NULL);
		if (!rc) {
			u64 boot = le64_to_cpu(((const struct sealfs_commit_rep *)res.m.body)->boot_id);

			srpc_result_free(&res);
			if (boot != u.boot_id)
				rc = scli_fail(cl, -EIO, "server %u restarted: unstable writes of inode %llu may be lost",
					       u.server, (unsigned long long)ino);
		}
		if (rc && !first)
			first = rc;
	}
	return first;
}

/**
 * scli_truncate() - set a file's size
 * @cl: the client
 * @ino: inode
 * @size: new size
 * Return: 0 or -errno.
 */
int scli_truncate(struct scli *cl, u64 ino, u64 size)
{
	struct scli_setattr sa = { .valid = SEALFS_SA_SIZE, .size = size };

	return scli_setattr(cl, ino, &sa, NULL);
}

/**
 * scli_statfs() - the volume's usage, summed over every server that is up
 * @cl: the client
 * @st: output
 * Return: 0 or -errno (a server that is up did not answer).
 */
int scli_statfs(struct scli *cl, struct scli_statfs *st)
{
	struct sealfs_vol_req r = { .vol = cpu_to_le32(cl->vol) };
	const struct scli_map_vol *v = scli_volume(cl);
	u32 i, n = cl->map->nsrv, *ids;
	int rc = 0;

	memset(st, 0, sizeof(*st));
	st->quota_bytes = v ? v->quota_bytes : 0;
	st->quota_inodes = v ? v->quota_inodes : 0;
	ids = calloc(n ? n : 1, sizeof(*ids));
	if (!ids)
		return -ENOMEM;
	for (i = 0; i < n; i++)
		ids[i] = cl->map->srv[i].state == SEALFS_SRV_UP ? cl->map->srv[i].id : 0;
	for (i = 0; i < n && !rc; i++) {
		struct scli_req q = {
			.op = SEALFS_OP_STATFS, .server = ids[i], .payload = &r,
			.len = sizeof(r),
		};
		const struct sealfs_statfs_rep *s;
		struct srpc_result res;

		if (!ids[i])
			continue;
		rc = scli_call(cl, &q, &res, NULL);
		if (rc)
			break;
		s = res.m.body;
		st->disk_bytes += le64_to_cpu(s->disk_bytes);
		st->disk_free += le64_to_cpu(s->disk_free);
		st->disk_files += le64_to_cpu(s->disk_files);
		st->disk_ffree += le64_to_cpu(s->disk_ffree);
		st->vol_bytes += le64_to_cpu(s->vol_bytes);
		st->vol_inodes += le64_to_cpu(s->vol_inodes);
		st->servers++;
		srpc_result_free(&res);
	}
	free(ids);
	return rc;
}
