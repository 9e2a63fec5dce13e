// SPDX-License-Identifier: Apache-2.0
/*
 * ssrv_data: READ, WRITE, COMMIT, FALLOCATE, DATA_TRUNCATE and READDIR of
 * sealfs-server.
 *
 * Data sits at true file offsets in one sparse file per inode (sdata).
 * Byte quota: before a WRITE or FALLOCATE, this server's usage of the
 * volume plus the request's length must stay within its share of the
 * quota (ssrv_share()); the usage counter then moves by the change of the
 * inode file's allocated bytes. Overwrites are counted as growth by the
 * check (conservative), concurrent writers may overshoot it a little.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "server/ssrv.h"

/* The request's range must lie within one chunk. */
static bool data_in_chunk(const struct ssrv_ctx *x, u64 off, u64 len)
{
	u64 cs = x->vol->chunk_size;

	return len <= cs && (off & (cs - 1)) + len <= cs;
}

static int data_quota(struct ssrv_ctx *x, u64 grow)
{
	u64 share = ssrv_share(x, x->vol->quota_bytes);
	struct smeta_usage u;

	if (!share)
		return 0;
	if (smeta_usage_get(x->c->meta, x->vol->id, &u))
		return -EIO;
	return u.bytes + grow > share ? -EDQUOT : 0;
}

static void data_account(struct ssrv_ctx *x, u64 ino, u64 before)
{
	u64 after = 0;

	if (sdata_used(x->c->data, x->vol->id, ino, &after) || after == before)
		return;
	smeta_usage_add(x->c->meta, NULL, x->vol->id,
			(s64)after - (s64)before, 0, 0);
}

static int data_read(struct ssrv_ctx *x)
{
	const struct sealfs_read_req *q = x->rq->m.body;
	u64 off = le64_to_cpu(q->offset);
	u32 len = le32_to_cpu(q->length);
	struct sealfs_read_rep rep = {};
	ssize_t n;
	void *buf;
	int rc;

	if (len > SEALFS_MAX_IO || len > x->rq->max_payload - sizeof(rep) ||
	    !data_in_chunk(x, off, len))
		return ssrv_reply_err(x, -EINVAL);
	buf = malloc(len ? len : 1);
	if (!buf)
		return -ENOMEM;
	n = sdata_read(x->c->data, x->vol->id, le64_to_cpu(q->ino), off, buf, len);
	if (n < 0) {
		free(buf);
		return ssrv_reply_err(x, (int)n);
	}
	rep.length = cpu_to_le32((u32)n);
	rc = ssrv_reply(x, SEALFS_S_OK, &rep, sizeof(rep), buf, (u32)n);
	free(buf);
	return rc;
}

static int data_write(struct ssrv_ctx *x)
{
	const struct sealfs_write_req *q = x->rq->m.body;
	u64 off = le64_to_cpu(q->offset), ino = le64_to_cpu(q->ino), before = 0;
	u32 len = le32_to_cpu(q->length), flags = le32_to_cpu(q->flags);
	struct sealfs_write_rep rep = {};
	ssize_t n;
	int rc;

	if (!x->rq->m.tail[0] || x->rq->m.tail_len[0] != len ||
	    !data_in_chunk(x, off, len))
		return ssrv_reply_err(x, -EINVAL);
	rc = data_quota(x, len);
	if (rc)
		return ssrv_reply_err(x, rc);
	sdata_used(x->c->data, x->vol->id, ino, &before);
	n = sdata_write(x->c->data, x->vol->id, ino, off, x->rq->m.tail[0], len,
			flags);
	data_account(x, ino, before);
	if (n < 0)
		return ssrv_reply_err(x, (int)n);
	rep.boot_id = cpu_to_le64(x->c->boot_id);
	rep.written = cpu_to_le32((u32)n);
	rep.committed = cpu_to_le32(flags & SEALFS_WF_STABLE ? 1 : 0);
	return ssrv_reply(x, SEALFS_S_OK, &rep, sizeof(rep), NULL, 0);
}

static int data_commit(struct ssrv_ctx *x)
{
	const struct sealfs_ino_req *q = x->rq->m.body;
	struct sealfs_commit_rep rep = {
		.boot_id = cpu_to_le64(x->c->boot_id),
	};
	int rc;

	rc = sdata_commit(x->c->data, x->vol->id, le64_to_cpu(q->ino));
	if (rc)
		return ssrv_reply_err(x, rc);
	return ssrv_reply(x, SEALFS_S_OK, &rep, sizeof(rep), NULL, 0);
}

static int data_fallocate(struct ssrv_ctx *x)
{
	const struct sealfs_fallocate_req *q = x->rq->m.body;
	u64 off = le64_to_cpu(q->offset), len = le64_to_cpu(q->length);
	u64 ino = le64_to_cpu(q->ino), before = 0;
	u32 mode = le32_to_cpu(q->mode);
	int rc;

	if (!len || !data_in_chunk(x, off, len))
		return ssrv_reply_err(x, -EINVAL);
	if (!(mode & SEALFS_FA_PUNCH_HOLE)) {
		rc = data_quota(x, len);
		if (rc)
			return ssrv_reply_err(x, rc);
	}
	sdata_used(x->c->data, x->vol->id, ino, &before);
	rc = sdata_fallocate(x->c->data, x->vol->id, ino, off, len, mode);
	data_account(x, ino, before);
	return ssrv_reply(x, sealfs_errno_to_status(rc), NULL, 0, NULL, 0);
}

static int data_truncate(struct ssrv_ctx *x)
{
	const struct sealfs_truncate_req *q = x->rq->m.body;
	int rc;

	rc = ssrv_data_drop(x, le64_to_cpu(q->ino), le64_to_cpu(q->size),
			    le32_to_cpu(q->flags));
	return ssrv_reply(x, sealfs_errno_to_status(rc), NULL, 0, NULL, 0);
}

/**
 * ssrv_data_handle() - run a data request
 * @x: context (volume and ownership checked)
 * Return: 0 once a reply is built, -ENOMEM otherwise.
 */
int ssrv_data_handle(struct ssrv_ctx *x)
{
	switch (x->rq->h.opcode) {
	case SEALFS_OP_READ:		return data_read(x);
	case SEALFS_OP_WRITE:		return data_write(x);
	case SEALFS_OP_COMMIT:		return data_commit(x);
	case SEALFS_OP_FALLOCATE:	return data_fallocate(x);
	case SEALFS_OP_DATA_TRUNCATE:	return data_truncate(x);
	default:
		return ssrv_reply_err(x, -EOPNOTSUPP);
	}
}

/* ---- READDIR ------------------------------------------------------------ */

struct rd_state {
	struct sealfs_buf b;
	u32 limit;
	u32 count;
};

static int rd_one(void *arg, const struct smeta_entry *e, const char *name,
		  u32 name_len)
{
	struct rd_state *st = arg;
	struct sealfs_dirent d = {};
	u32 rec = (sizeof(struct sealfs_rec_hdr) + sizeof(d) + name_len + 7) & ~7u;

	if (st->b.len + rec > st->limit)
		return 1;
	d.cookie = cpu_to_le64(e->cookie);
	smeta_attr_to_wire(&e->attr, &d.attr);
	d.flags = cpu_to_le32(e->flags);
	d.name_len = cpu_to_le16((u16)name_len);
	sealfs_msg_put_rec(&st->b, SEALFS_REC_DIRENT, &d, sizeof(d), name,
			   name_len);
	st->count++;
	return 0;
}

/**
 * ssrv_readdir() - READDIR: this server's slice of a directory, entries
 * with their attributes where the inode is held here
 * @x: context
 * Return: 0 once a reply is built, -ENOMEM otherwise.
 */
int ssrv_readdir(struct ssrv_ctx *x)
{
	const struct sealfs_readdir_req *q = x->rq->m.body;
	struct sealfs_readdir_rep *rep;
	struct sealfs_hdr_info h = {
		.opcode = x->rq->h.opcode, .flags = SEALFS_HF_REPLY,
		.req_id = x->rq->h.req_id, .epoch = x->map->epoch,
	};
	u32 max = le32_to_cpu(q->max_bytes);
	struct rd_state st = {};
	bool eof = false;
	void *mem;
	int rc;

	if (max > x->rq->max_payload)
		max = x->rq->max_payload;
	if (max > (1u << 20))
		max = 1u << 20;
	if (max < sizeof(*rep) + sizeof(struct sealfs_rec_hdr) +
		  sizeof(struct sealfs_dirent) + 8)
		return ssrv_reply_err(x, -EINVAL);
	mem = malloc(SEALFS_HDR_SIZE + max);
	if (!mem)
		return -ENOMEM;
	sealfs_buf_init(&st.b, mem, SEALFS_HDR_SIZE + max);
	st.limit = SEALFS_HDR_SIZE + max;
	sealfs_msg_start(&st.b);
	sealfs_buf_put(&st.b, NULL, sizeof(*rep));
	rc = smeta_readdir(x->c->meta, x->vol->id, le64_to_cpu(q->dir),
			   le64_to_cpu(q->cookie), rd_one, &st, &eof);
	if (!rc && !st.count && !eof)
		rc = -EINVAL;	/* max_bytes too small for the next entry */
	if (rc) {
		free(mem);
		return ssrv_reply_err(x, rc);
	}
	rep = (struct sealfs_readdir_rep *)((u8 *)mem + SEALFS_HDR_SIZE);
	rep->count = cpu_to_le32(st.count);
	rep->flags = cpu_to_le32(eof ? SEALFS_RD_EOF : 0);
	if (sealfs_msg_end(&st.b, &h, 0)) {
		free(mem);
		return ssrv_reply_err(x, -EOVERFLOW);
	}
	free(x->rep->msg);
	x->rep->msg = mem;
	x->rep->len = st.b.len;
	return 0;
}
