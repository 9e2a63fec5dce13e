// SPDX-License-Identifier: Apache-2.0
/*
 * ssrv_ns: namespace handlers of sealfs-server (LOOKUP .. REMOVEXATTR).
 *
 * Each handler decodes its validated request, calls smeta (in @tx when
 * the dispatcher opened a replay transaction) and builds the reply; it
 * returns 0 once a reply is built, success or error, and -ENOMEM only
 * when it could not build one.
 *
 * RENAME, LINK and RMDIR in a multi-server ring are in ssrv_xop.c.
 * UNLINK of an entry whose inode is on another server removes the entry
 * and, after the commit, sends INODE_UPDATE (nlink -1) to the inode's
 * server (best effort: a failure leaves the link count one too high). Its
 * reply is built before that, so it carries the entry without attributes
 * (no %SEALFS_EF_ATTR): the client does not learn the new link count.
 * MKDIR under a parent directory held by another server raises the
 * parent's link count there after the commit, the same way (best effort).
 * Not handled across servers:
 *  - RMDIR of an entry whose directory inode is on another server answers
 *    NOTSUPP in a one-server ring (it cannot happen there);
 *  - data chunks of a destroyed inode are dropped on this server only;
 *    the client sends DATA_TRUNCATE to the others.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "server/ssrv.h"

int ssrv_ns_entry_reply(struct ssrv_ctx *x, int rc,
			const struct smeta_entry *e)
{
	struct sealfs_entry_rep rep = {};

	if (rc)
		return ssrv_reply_err(x, rc);
	rep.flags = cpu_to_le32(e->flags);
	smeta_attr_to_wire(&e->attr, &rep.attr);
	return ssrv_reply(x, SEALFS_S_OK, &rep, sizeof(rep), NULL, 0);
}

static int ns_attr_reply(struct ssrv_ctx *x, int rc, const struct smeta_attr *a)
{
	struct sealfs_attr_rep rep = {};

	if (rc)
		return ssrv_reply_err(x, rc);
	smeta_attr_to_wire(a, &rep.attr);
	return ssrv_reply(x, SEALFS_S_OK, &rep, sizeof(rep), NULL, 0);
}

static int ns_lookup(struct ssrv_ctx *x)
{
	const struct sealfs_name_req *q = x->rq->m.body;
	struct smeta_entry e;
	int rc;

	rc = smeta_lookup(x->c->meta, x->vol->id, le64_to_cpu(q->parent),
			  (const char *)x->rq->m.tail[0], x->rq->m.tail_len[0], &e);
	/* a name a transaction prepared here may appear: not NOENT yet */
	if (rc == -ENOENT) {
		rc = smeta_xtxn_in_doubt(x->c->meta, x->vol->id,
					 le64_to_cpu(q->parent),
					 (const char *)x->rq->m.tail[0],
					 x->rq->m.tail_len[0]);
		if (rc == 1)	/* one may have finished since: read again */
			rc = smeta_lookup(x->c->meta, x->vol->id,
					  le64_to_cpu(q->parent),
					  (const char *)x->rq->m.tail[0],
					  x->rq->m.tail_len[0], &e);
		else if (!rc)
			rc = -ENOENT;
	}
	return ssrv_ns_entry_reply(x, rc, &e);
}

static int ns_getattr(struct ssrv_ctx *x)
{
	const struct sealfs_ino_req *q = x->rq->m.body;
	struct smeta_attr a;
	int rc;

	rc = smeta_getattr(x->c->meta, x->vol->id, le64_to_cpu(q->ino), &a);
	return ns_attr_reply(x, rc, &a);
}

static int ns_setattr(struct ssrv_ctx *x, struct smeta_txn *tx)
{
	const struct sealfs_setattr_req *q = x->rq->m.body;
	struct smeta_setattr sa = {
		.valid = le32_to_cpu(q->valid),
		.size = le64_to_cpu(q->size),
		.atime_sec = (s64)le64_to_cpu(q->atime_sec),
		.atime_nsec = le32_to_cpu(q->atime_nsec),
		.mtime_sec = (s64)le64_to_cpu(q->mtime_sec),
		.mtime_nsec = le32_to_cpu(q->mtime_nsec),
		.mode = le32_to_cpu(q->mode),
		.uid = le32_to_cpu(q->uid),
		.gid = le32_to_cpu(q->gid),
	};
	u64 ino = le64_to_cpu(q->ino);
	struct smeta_attr a;
	int rc;

	rc = smeta_setattr(x->c->meta, tx, x->vol->id, ino, &sa, &a);
	if (!rc && (sa.valid & SEALFS_SA_SIZE)) {
		/* Drop this server's chunks past the new size after the commit. */
		x->post = true;
		x->post_ino = ino;
		x->post_size = a.size;
		x->post_flags = 0;
	}
	return ns_attr_reply(x, rc, &a);
}

static int ns_create(struct ssrv_ctx *x, struct smeta_txn *tx)
{
	const struct sealfs_create_req *q = x->rq->m.body;
	struct smeta_create_args a = {
		.mode = le32_to_cpu(q->mode),
		.uid = le32_to_cpu(q->uid),
		.gid = le32_to_cpu(q->gid),
		.rdev = le32_to_cpu(q->rdev),
		.flags = le32_to_cpu(q->flags),
		.quota_inodes = ssrv_share(x, x->vol->quota_inodes),
	};
	struct smeta_entry e;
	int rc;

	switch (a.mode & S_IFMT) {
	case S_IFREG: case S_IFDIR: case S_IFIFO: case S_IFSOCK:
	case S_IFCHR: case S_IFBLK:
		break;
	default:
		return ssrv_reply_err(x, -EINVAL);
	}
	rc = smeta_create(x->c->meta, tx, x->vol->id, le64_to_cpu(q->parent),
			  (const char *)x->rq->m.tail[0], x->rq->m.tail_len[0],
			  &a, &e);
	if (!rc && (e.result & SMETA_RES_PARENT_REMOTE)) {
		/* the new directory's "..": the parent's server, after the commit */
		x->post_iu_ino = le64_to_cpu(q->parent);
		x->post_iu_delta = e.parent_delta;
	}
	return ssrv_ns_entry_reply(x, rc, &e);
}

static int ns_symlink(struct ssrv_ctx *x, struct smeta_txn *tx)
{
	const struct sealfs_symlink_req *q = x->rq->m.body;
	const struct sealfs_msg *m = &x->rq->m;
	struct smeta_entry e;
	int rc;

	rc = smeta_symlink(x->c->meta, tx, x->vol->id, le64_to_cpu(q->parent),
			   (const char *)m->tail[0], m->tail_len[0],
			   (const char *)m->tail[1], m->tail_len[1],
			   le32_to_cpu(q->uid), le32_to_cpu(q->gid),
			   ssrv_share(x, x->vol->quota_inodes), &e);
	return ssrv_ns_entry_reply(x, rc, &e);
}

static int ns_readlink(struct ssrv_ctx *x)
{
	const struct sealfs_ino_req *q = x->rq->m.body;
	struct sealfs_readlink_rep rep = {};
	char buf[SEALFS_TARGET_MAX];
	u32 len = 0;
	int rc;

	rc = smeta_readlink(x->c->meta, x->vol->id, le64_to_cpu(q->ino), buf,
			    sizeof(buf), &len);
	if (rc)
		return ssrv_reply_err(x, rc);
	rep.target_len = cpu_to_le32(len);
	return ssrv_reply(x, SEALFS_S_OK, &rep, sizeof(rep), buf, len);
}

static int ns_remove(struct ssrv_ctx *x, struct smeta_txn *tx, bool dir)
{
	const struct sealfs_name_req *q = x->rq->m.body;
	const struct sealfs_msg *m = &x->rq->m;
	struct smeta_entry e;
	int rc;

	if (dir)
		rc = smeta_rmdir(x->c->meta, tx, x->vol->id, le64_to_cpu(q->parent),
				 (const char *)m->tail[0], m->tail_len[0], &e);
	else
		rc = smeta_unlink(x->c->meta, tx, x->vol->id, le64_to_cpu(q->parent),
				  (const char *)m->tail[0], m->tail_len[0], &e);
	if (!rc && dir && (e.result & SMETA_RES_INODE_REMOTE)) {
		x->abort = true;
		return ssrv_reply_err(x, -EOPNOTSUPP);
	}
	if (!rc && (e.result & SMETA_RES_INODE_REMOTE)) {
		/* the inode's server drops the link after the commit */
		x->post_iu_ino = e.attr.ino;
		x->post_iu_delta = e.nlink_delta;
	}
	if (!rc && !dir && (e.result & SMETA_RES_DESTROYED)) {
		x->post = true;
		x->post_ino = e.attr.ino;
		x->post_size = 0;
		x->post_flags = SEALFS_TF_DESTROY;
	}
	if (dir)
		return ssrv_reply(x, sealfs_errno_to_status(rc), NULL, 0, NULL, 0);
	return ssrv_ns_entry_reply(x, rc, &e);
}

static int ns_inode_update(struct ssrv_ctx *x, struct smeta_txn *tx)
{
	const struct sealfs_inode_update_req *q = x->rq->m.body;
	struct smeta_entry e;
	int rc;

	rc = smeta_inode_update(x->c->meta, tx, x->vol->id, le64_to_cpu(q->ino),
				le32_to_cpu(q->flags),
				(s32)le32_to_cpu(q->nlink_delta),
				le64_to_cpu(q->parent), &e);
	if (!rc && (e.result & SMETA_RES_DESTROYED)) {
		x->post = true;
		x->post_ino = e.attr.ino;
		x->post_size = 0;
		x->post_flags = SEALFS_TF_DESTROY;
	}
	return ns_attr_reply(x, rc, &e.attr);
}

static int ns_statfs(struct ssrv_ctx *x)
{
	struct sealfs_statfs_rep rep = {};
	struct sdata_statfs st;
	struct smeta_usage u;
	int rc;

	rc = sdata_statfs(x->c->data, &st);
	if (!rc)
		rc = smeta_usage_get(x->c->meta, x->vol->id, &u);
	if (rc)
		return ssrv_reply_err(x, rc);
	rep.disk_bytes = cpu_to_le64(st.bytes);
	rep.disk_free = cpu_to_le64(st.free);
	rep.disk_files = cpu_to_le64(st.files);
	rep.disk_ffree = cpu_to_le64(st.ffree);
	rep.vol_bytes = cpu_to_le64(u.bytes);
	rep.vol_inodes = cpu_to_le64(u.inodes);
	return ssrv_reply(x, SEALFS_S_OK, &rep, sizeof(rep), NULL, 0);
}

static int ns_xattr_reply(struct ssrv_ctx *x, int rc, u32 size, void *buf,
			  u32 want)
{
	struct sealfs_xattr_rep rep = {};

	if (rc) {
		free(buf);
		return ssrv_reply_err(x, rc);
	}
	rep.size = cpu_to_le32(size);
	rep.len = cpu_to_le32(want ? size : 0);
	rc = ssrv_reply(x, SEALFS_S_OK, &rep, sizeof(rep), buf, want ? size : 0);
	free(buf);
	return rc;
}

static int ns_getxattr(struct ssrv_ctx *x)
{
	const struct sealfs_getxattr_req *q = x->rq->m.body;
	u32 want = le32_to_cpu(q->size), size = 0;
	void *buf = NULL;
	int rc;

	if (want > SEALFS_XATTR_SIZE_MAX)
		want = SEALFS_XATTR_SIZE_MAX;
	if (want && !(buf = malloc(want)))
		return -ENOMEM;
	rc = smeta_xattr_get(x->c->meta, x->vol->id, le64_to_cpu(q->ino),
			     (const char *)x->rq->m.tail[0], x->rq->m.tail_len[0],
			     buf, want, &size);
	return ns_xattr_reply(x, rc, size, buf, want);
}

static int ns_listxattr(struct ssrv_ctx *x)
{
	const struct sealfs_listxattr_req *q = x->rq->m.body;
	u32 want = le32_to_cpu(q->size), size = 0;
	char *buf = NULL;
	int rc;

	if (want > SEALFS_XATTR_LIST_MAX)
		want = SEALFS_XATTR_LIST_MAX;
	if (want && !(buf = malloc(want)))
		return -ENOMEM;
	rc = smeta_xattr_list(x->c->meta, x->vol->id, le64_to_cpu(q->ino), buf,
			      want, &size);
	return ns_xattr_reply(x, rc, size, buf, want);
}

static int ns_setxattr(struct ssrv_ctx *x, struct smeta_txn *tx)
{
	const struct sealfs_setxattr_req *q = x->rq->m.body;
	const struct sealfs_msg *m = &x->rq->m;
	int rc;

	rc = smeta_xattr_set(x->c->meta, tx, x->vol->id, le64_to_cpu(q->ino),
			     (const char *)m->tail[0], m->tail_len[0], m->tail[1],
			     m->tail_len[1], le32_to_cpu(q->flags));
	return ssrv_reply(x, sealfs_errno_to_status(rc), NULL, 0, NULL, 0);
}

static int ns_removexattr(struct ssrv_ctx *x, struct smeta_txn *tx)
{
	const struct sealfs_removexattr_req *q = x->rq->m.body;
	int rc;

	rc = smeta_xattr_remove(x->c->meta, tx, x->vol->id, le64_to_cpu(q->ino),
				(const char *)x->rq->m.tail[0],
				x->rq->m.tail_len[0]);
	return ssrv_reply(x, sealfs_errno_to_status(rc), NULL, 0, NULL, 0);
}

/**
 * ssrv_ns_handle() - run a namespace request
 * @x: context (volume and ownership checked)
 * @tx: replay transaction, or %NULL
 * Return: 0 once a reply is built, -ENOMEM otherwise.
 */
int ssrv_ns_handle(struct ssrv_ctx *x, struct smeta_txn *tx)
{
	switch (x->rq->h.opcode) {
	case SEALFS_OP_LOOKUP:		return ns_lookup(x);
	case SEALFS_OP_GETATTR:		return ns_getattr(x);
	case SEALFS_OP_SETATTR:		return ns_setattr(x, tx);
	case SEALFS_OP_CREATE:		return ns_create(x, tx);
	case SEALFS_OP_SYMLINK:		return ns_symlink(x, tx);
	case SEALFS_OP_READLINK:	return ns_readlink(x);
	case SEALFS_OP_UNLINK:		return ns_remove(x, tx, false);
	case SEALFS_OP_RMDIR:		return ns_remove(x, tx, true);
	case SEALFS_OP_STATFS:		return ns_statfs(x);
	case SEALFS_OP_GETXATTR:	return ns_getxattr(x);
	case SEALFS_OP_LISTXATTR:	return ns_listxattr(x);
	case SEALFS_OP_SETXATTR:	return ns_setxattr(x, tx);
	case SEALFS_OP_REMOVEXATTR:	return ns_removexattr(x, tx);
	case SEALFS_OP_INODE_UPDATE:	return ns_inode_update(x, tx);
	default:
		return ssrv_reply_err(x, -EOPNOTSUPP);
	}
}
