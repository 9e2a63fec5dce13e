// SPDX-License-Identifier: Apache-2.0
/*
 * ssrv_xop: namespace operations this server coordinates across servers:
 * RENAME (it owns the source entry), LINK (it owns the new entry) and
 * RMDIR when the ring has more than one server (it owns the entry).
 *
 * They run on a worker thread and call the other servers synchronously
 * through ssrv_peer.c (the worker waits, the loop thread does not). No
 * store lock is held while a peer is called: names and directories are
 * kept still by holds (smeta_xtxn_hold_*) and the participants' prepared
 * records, and the store transaction that decides is opened only at the
 * end.
 *
 * RENAME (txid from smeta_xtxn_alloc(), registered as running):
 *  1. look the source up; a directory moved to another parent must not go
 *     below itself: mark it as being moved on its inode's server, then
 *     walk the destination's parents (directory inodes keep their parent)
 *     here and on the other servers (DIR_WALK); see ssrv_walk.c. The mark
 *     is dropped after step 6 or on failure;
 *  2. hold the source name; the destination entry's owner checks and
 *     holds the destination: this server itself (hold + lookup), or
 *     ENTRY_PREPARE to the owner (durable there);
 *  3. a replaced directory is frozen on every other server of the ring
 *     (DIR_FREEZE; a DOWN server answers AGAIN) and here; any entry
 *     anywhere: NOTEMPTY;
 *  4. decide: one store transaction removes the source entry (or moves
 *     the entry when both are here), drops the replaced directory's state
 *     here, and records COMMIT with the participants ('T' 'c');
 *  5. TXN_FINISH COMMIT to every participant; the record is forgotten
 *     once all answered (else the recovery thread re-sends it);
 *  6. after the commit, best effort: the replaced inode loses a link
 *     (two for a directory) on its server, a moved directory gets its new
 *     parent, and the parents' link counts follow a directory (INODE_UPDATE
 *     for inodes of other servers). A crash or failure here leaves link
 *     counts one too high (an inode then outlives its last name; data is
 *     never destroyed too early) or a stale parent pointer.
 * A failure before step 4 aborts: TXN_FINISH ABORT to whoever prepared
 * (the recovery of a participant that misses it asks TXN_QUERY and gets
 * UNKNOWN, which it takes as ABORT).
 *
 * RMDIR: hold the name and freeze the directory here, DIR_FREEZE on every
 * other server of the ring (DOWN: AGAIN), NOTEMPTY if any holds an entry
 * (ABORT), else remove the entry with the COMMIT record in one
 * transaction and TXN_FINISH COMMIT (participants drop their state of the
 * directory and release the freeze).
 *
 * LINK to an inode of another server: INODE_UPDATE nlink +1 there first,
 * then the entry here (if that fails, INODE_UPDATE -1). A crash between
 * leaves the link count one too high, never too low.
 *
 * Replays: the stored reply is looked up first; the decision's store
 * transaction (RMDIR, LINK) or a second one right after the post-commit
 * steps (RENAME, whose reply reports the replaced inode's link count)
 * stores the reply. Answers found before the decision (errors such as
 * EEXIST or ENOTEMPTY, a rename that has nothing to do) are stored in a
 * transaction of their own; transient ones (AGAIN...) are not.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "server/ssrv.h"
#include "slog.h"

#define XOP_IU_TRIES	3	/* sends of one INODE_UPDATE */

/**
 * struct xop - a coordinated operation
 * @x: the request's context
 * @txid: transaction id
 * @act: its registration as running
 * @part: participants (servers with a prepared record)
 * @npart: their count
 */
struct xop {
	struct ssrv_ctx *x;
	u64 txid;
	struct ssrv_xact act;
	u32 part[SEALFS_MAX_SERVERS];
	u32 npart;
};

bool ssrv_xop_wanted(const struct ssrv_ctx *x)
{
	const struct ssrv_map_srv *me;

	if (x->rq->h.opcode != SEALFS_OP_RMDIR)
		return false;
	me = ssrv_map_srv(x->map, x->c->server_id);
	return x->map->ring.npoints &&
	       x->map->total_weight != (me ? me->weight : 0);
}

/**
 * ssrv_xop_call() - a call to another server
 * @x: context
 * @srv: its server id
 * @op: opcode
 * @req: request body
 * @len: its size
 * @rep: reply body
 * @cap: its exact size
 * Return: 0, the reply's status as -errno, -EAGAIN when no reply came,
 * -EPROTO for a reply of another size.
 */
int ssrv_xop_call(struct ssrv_ctx *x, u32 srv, u16 op, const void *req, u32 len,
		  void *rep, u32 cap)
{
	struct ssrv_peer_res res;

	ssrv_peer_call(x->c->peers, srv, x->map->epoch, op, req, len, rep, cap,
		       &res);
	if (res.err) {
		slog_debug("%s to server %u: %s", sealfs_op_name(op), srv,
			   strerror(-res.err));
		return -EAGAIN;
	}
	if (res.status != SEALFS_S_OK)
		return sealfs_status_to_errno(res.status);
	if (res.len != cap)
		return -EPROTO;
	return 0;
}

/**
 * ssrv_xop_iu() - INODE_UPDATE of an inode, wherever it is
 * @x: context
 * @ino: inode
 * @flags: %SEALFS_IU_* bits
 * @delta: link count change
 * @parent: new parent
 * @out: the inode afterwards
 *
 * An update sent to another server carries a transaction id of its own and
 * is sent again (same id) when no answer came or the owner answered AGAIN,
 * up to %XOP_IU_TRIES times; the owner applies it once (ssrv_core.c).
 * Return: 0 or -errno.
 */
int ssrv_xop_iu(struct ssrv_ctx *x, u64 ino, u32 flags, s32 delta, u64 parent,
		struct smeta_attr *out)
{
	struct sealfs_inode_update_req q = {
		.ino = cpu_to_le64(ino), .parent = cpu_to_le64(parent),
		.vol = cpu_to_le32(x->vol->id), .flags = cpu_to_le32(flags),
		.nlink_delta = cpu_to_le32((u32)delta),
	};
	u32 owner = ssrv_map_owner(x->map, sealfs_key_inode(x->vol->id, ino));
	struct sealfs_attr_rep rep;
	struct smeta_entry e;
	u64 txid;
	int i, rc;

	if (owner == x->c->server_id) {
		rc = smeta_inode_update(x->c->meta, NULL, x->vol->id, ino, flags,
					delta, parent, &e);
		if (!rc && (e.result & SMETA_RES_DESTROYED))
			ssrv_data_drop(x, ino, 0, SEALFS_TF_DESTROY);
		*out = e.attr;
		return rc;
	}
	/* Its own transaction id: the owner applies a re-sent update once. */
	rc = smeta_xtxn_alloc(x->c->meta, &txid);
	if (rc)
		return rc;
	q.txid = cpu_to_le64(txid);
	for (i = 0; i < XOP_IU_TRIES; i++) {
		rc = ssrv_xop_call(x, owner, SEALFS_OP_INODE_UPDATE, &q,
				   sizeof(q), &rep, sizeof(rep));
		if (rc != -EAGAIN)
			break;
	}
	if (!rc)
		smeta_attr_from_wire(&rep.attr, out);
	return rc;
}

/* Link count changes after the commit: logged, never failing the request. */
static void xop_nlink(struct ssrv_ctx *x, u64 ino, s32 delta)
{
	struct smeta_attr a;
	int rc = ssrv_xop_iu(x, ino, SEALFS_IU_NLINK, delta, 0, &a);

	if (rc)
		slog_warn("volume %u inode %llx: link count %+d not applied: %s",
			  x->vol->id, (unsigned long long)ino, delta, strerror(-rc));
}

/* The stored reply of a replayed request: 1 when sent. */
static int xop_replayed(struct ssrv_ctx *x)
{
	u32 len = 0;
	void *buf;

	if (!x->rq->client_id)
		return 0;
	buf = malloc(SMETA_REPLY_MAX);
	if (!buf)
		return 0;
	if (smeta_replay_get(x->c->meta, x->rq->client_id, x->rq->h.req_id, buf,
			     SMETA_REPLY_MAX, &len)) {
		free(buf);
		return 0;
	}
	free(x->rep->msg);
	x->rep->msg = buf;
	x->rep->len = len;
	return 1;
}

static int xop_begin(struct xop *o, struct ssrv_ctx *x)
{
	int rc;

	memset(o, 0, sizeof(*o));
	o->x = x;
	rc = smeta_xtxn_alloc(x->c->meta, &o->txid);
	if (!rc)
		ssrv_xact_begin(x->c, &o->act, o->txid);
	return rc;
}

/* Ends the transaction undecided: participants abort, holds go. */
static void xop_abort(struct xop *o)
{
	struct ssrv_ctx *x = o->x;

	if (o->npart &&
	    ssrv_txn_finish_all(x->c, x->map->epoch, o->txid, x->vol->id,
				SEALFS_TXN_ABORT, o->part, o->npart))
		slog_info("transaction %llx: abort not acknowledged by all; they will ask",
			  (unsigned long long)o->txid);
	smeta_xtxn_release(x->c->meta, o->txid);
	ssrv_xact_end(x->c, &o->act);
}

/* After the decision is durable: release, tell the participants. */
static void xop_finish(struct xop *o)
{
	struct ssrv_ctx *x = o->x;

	smeta_xtxn_release(x->c->meta, o->txid);
	ssrv_xact_end(x->c, &o->act);
	if (!o->npart)
		return;
	ssrv_crash_point("decided");
	if (!ssrv_txn_finish_all(x->c, x->map->epoch, o->txid, x->vol->id,
				 SEALFS_TXN_COMMIT, o->part, o->npart))
		smeta_xtxn_forget(x->c->meta, o->txid);
	else
		slog_info("transaction %llx: finish not acknowledged by all; retrying later",
			  (unsigned long long)o->txid);
}

static void xop_add_part(struct xop *o, u32 srv)
{
	u32 i;

	for (i = 0; i < o->npart; i++)
		if (o->part[i] == srv)
			return;
	o->part[o->npart++] = srv;
}

/* Freezes @dir here and on every other server of the ring; its entries. */
static int xop_freeze(struct xop *o, u64 dir, u64 *total)
{
	struct ssrv_ctx *x = o->x;
	struct sealfs_dir_freeze_req q = {
		.txid = cpu_to_le64(o->txid), .dir = cpu_to_le64(dir),
		.vol = cpu_to_le32(x->vol->id),
		.coordinator = cpu_to_le32(x->c->server_id),
	};
	struct sealfs_dir_freeze_rep rep;
	u64 n = 0;
	u32 i;
	int rc;

	rc = smeta_xtxn_hold_dir(x->c->meta, o->txid, x->vol->id, dir, &n);
	if (rc)
		return rc;
	*total = n;
	for (i = 0; i < x->map->nsrv; i++) {
		const struct ssrv_map_srv *s = &x->map->srv[i];

		if (s->id == x->c->server_id || !s->weight)
			continue;
		if (s->state != SEALFS_SRV_UP)
			return -EAGAIN;	/* cannot tell what it holds */
		xop_add_part(o, s->id);
		rc = ssrv_xop_call(x, s->id, SEALFS_OP_DIR_FREEZE, &q, sizeof(q),
				   &rep, sizeof(rep));
		if (rc)
			return rc;
		*total += le64_to_cpu(rep.entries);
	}
	return 0;
}

/* Stores @x's reply for replays in a transaction of its own. */
static void xop_store_reply(struct ssrv_ctx *x)
{
	struct smeta_txn *tx;

	if (!x->rq->client_id || !x->rep->msg || x->rep->len > SMETA_REPLY_MAX)
		return;
	if (smeta_txn_begin(x->c->meta, x->rq->client_id, x->rq->h.req_id, &tx))
		return;
	smeta_txn_reply(tx, x->rep->msg, x->rep->len);
	if (smeta_txn_commit(tx))
		slog_warn("reply to request %llu not stored for replays",
			  (unsigned long long)x->rq->h.req_id);
}

/*
 * An error answer before the decision (the operation changed nothing),
 * stored for replays like any other answer, so that a re-sent request gets
 * it again even if the namespace changed meanwhile. Transient failures
 * (AGAIN: a hold, a server down or silent; resources) are not stored: the
 * re-sent request runs again.
 */
static int xop_reply_err(struct ssrv_ctx *x, int err)
{
	int rc = ssrv_reply_err(x, err);

	switch (err) {
	case -EAGAIN:
	case -ENOMEM:
	case -ETIMEDOUT:
	case -EPROTO:
	case -EIO:
	case -EALREADY:
		break;
	default:
		if (!rc)
			xop_store_reply(x);
	}
	return rc;
}

/* ---- RMDIR ---- */

static int xop_rmdir(struct ssrv_ctx *x)
{
	const struct sealfs_name_req *q = x->rq->m.body;
	const char *name = (const char *)x->rq->m.tail[0];
	u32 len = x->rq->m.tail_len[0];
	u64 parent = le64_to_cpu(q->parent), total = 0;
	struct smeta_entry e;
	struct smeta_txn *tx;
	struct xop o;
	int rc;

	if (xop_replayed(x))
		return 0;
	rc = smeta_lookup(x->c->meta, x->vol->id, parent, name, len, &e);
	if (!rc && !S_ISDIR(e.attr.mode))
		rc = -ENOTDIR;
	if (rc)
		return xop_reply_err(x, rc);
	rc = xop_begin(&o, x);
	if (rc)
		return xop_reply_err(x, rc);
	rc = smeta_xtxn_hold_name(x->c->meta, o.txid, x->vol->id, parent, name,
				  len);
	if (!rc)
		rc = xop_freeze(&o, e.attr.ino, &total);
	if (!rc && total)
		rc = -ENOTEMPTY;
	if (!rc)
		ssrv_crash_point("undecided");
	if (!rc) {
		rc = smeta_txn_begin(x->c->meta, x->rq->client_id,
				     x->rq->h.req_id, &tx);
		if (rc == -EALREADY) {
			xop_abort(&o);
			return xop_replayed(x) ? 0 : ssrv_reply_err(x, -EAGAIN);
		}
	}
	if (rc) {
		xop_abort(&o);
		return xop_reply_err(x, rc);
	}
	smeta_xtxn_except(tx, o.txid);
	rc = smeta_rmdir(x->c->meta, tx, x->vol->id, parent, name, len, &e);
	if (!rc && o.npart)
		rc = smeta_xtxn_decide(tx, o.txid, x->vol->id, o.part, o.npart);
	if (!rc)
		rc = ssrv_reply(x, SEALFS_S_OK, NULL, 0, NULL, 0);
	if (!rc && x->rq->client_id)
		smeta_txn_reply(tx, x->rep->msg, x->rep->len);
	if (!rc)
		rc = smeta_txn_commit(tx);
	else
		smeta_txn_abort(tx);
	if (rc) {
		xop_abort(&o);
		return xop_reply_err(x, rc);
	}
	xop_finish(&o);
	if (e.result & SMETA_RES_INODE_REMOTE)
		xop_nlink(x, e.attr.ino, e.nlink_delta);
	if (e.result & SMETA_RES_PARENT_REMOTE)
		xop_nlink(x, parent, e.parent_delta);
	return 0;
}

/* ---- LINK ---- */

static int xop_link(struct ssrv_ctx *x)
{
	const struct sealfs_link_req *q = x->rq->m.body;
	const char *name = (const char *)x->rq->m.tail[0];
	u32 len = x->rq->m.tail_len[0];
	u64 ino = le64_to_cpu(q->ino), parent = le64_to_cpu(q->parent);
	bool remote = ssrv_map_owner(x->map, sealfs_key_inode(x->vol->id, ino)) !=
		      x->c->server_id;
	struct smeta_attr a = {};
	struct smeta_entry e;
	struct smeta_txn *tx = NULL;
	int rc;

	if (ssrv_map_owner(x->map, sealfs_key_entry(x->vol->id, parent,
						      (const u8 *)name, len)) !=
	    x->c->server_id)
		return ssrv_reply(x, SEALFS_S_WRONG_OWNER, NULL, 0, NULL, 0);
	if (xop_replayed(x))
		return 0;
	if (remote) {
		rc = ssrv_xop_iu(x, ino, SEALFS_IU_NLINK, 1, 0, &a);
		if (!rc && S_ISDIR(a.mode)) {
			xop_nlink(x, ino, -1);
			rc = -EPERM;
		}
		if (rc)
			return xop_reply_err(x, rc == -ESTALE ? -ENOENT : rc);
	}
	rc = smeta_txn_begin(x->c->meta, x->rq->client_id, x->rq->h.req_id, &tx);
	if (rc == -EALREADY) {
		if (remote)
			xop_nlink(x, ino, -1);
		return xop_replayed(x) ? 0 : ssrv_reply_err(x, -EAGAIN);
	}
	if (!rc)
		rc = smeta_link(x->c->meta, tx, x->vol->id, ino, a.mode, parent,
				name, len, &e);
	if (!rc && remote) {
		e.attr = a;
		e.flags = SEALFS_EF_ATTR;
	}
	if (rc) {
		if (tx)
			smeta_txn_abort(tx);
		if (remote)
			xop_nlink(x, ino, -1);
		return xop_reply_err(x, rc);
	}
	rc = ssrv_ns_entry_reply(x, 0, &e);
	if (!rc && x->rq->client_id && x->rep->len <= SMETA_REPLY_MAX)
		smeta_txn_reply(tx, x->rep->msg, x->rep->len);
	if (!rc)
		rc = smeta_txn_commit(tx);
	else
		smeta_txn_abort(tx);
	if (rc && remote)
		xop_nlink(x, ino, -1);
	return rc ? xop_reply_err(x, rc) : 0;
}

/* ---- RENAME ---- */

/**
 * struct xren - a rename's state
 * @sp: source directory
 * @dp: destination directory
 * @sn: source name
 * @dn: destination name
 * @sl: bytes of @sn
 * @dl: bytes of @dn
 * @flags: %SEALFS_RF_* bits
 * @ino: the renamed inode
 * @mode: its type bits
 * @old_ino: the replaced inode, 0 for none
 * @old_mode: its type bits
 * @dst_srv: owner of the destination entry
 */
struct xren {
	u64 sp, dp;
	const char *sn, *dn;
	u32 sl, dl;
	u32 flags;
	u64 ino;
	u32 mode;
	u64 old_ino;
	u32 old_mode;
	u32 dst_srv;
};

/* Checks and holds the destination here (it owns the entry). */
static int xren_dst_local(struct xop *o, struct xren *r)
{
	struct ssrv_ctx *x = o->x;
	struct smeta_entry e;
	int rc;

	rc = smeta_xtxn_hold_name(x->c->meta, o->txid, x->vol->id, r->dp, r->dn,
				  r->dl);
	if (rc)
		return rc;
	rc = smeta_lookup(x->c->meta, x->vol->id, r->dp, r->dn, r->dl, &e);
	if (rc == -ENOENT)
		return 0;
	if (rc)
		return rc;
	if (r->flags & SEALFS_RF_NOREPLACE)
		return -EEXIST;
	r->old_ino = e.attr.ino;
	r->old_mode = e.attr.mode & S_IFMT;
	return 0;
}

/* ENTRY_PREPARE on the destination's owner. */
static int xren_dst_remote(struct xop *o, struct xren *r)
{
	struct ssrv_ctx *x = o->x;
	struct {
		struct sealfs_entry_prepare_req q;
		char name[SEALFS_NAME_MAX];
	} req = {};
	struct sealfs_entry_prepare_rep rep;
	int rc;

	req.q.txid = cpu_to_le64(o->txid);
	req.q.parent = cpu_to_le64(r->dp);
	req.q.ino = cpu_to_le64(r->ino);
	req.q.vol = cpu_to_le32(x->vol->id);
	req.q.mode = cpu_to_le32(r->mode);
	req.q.flags = cpu_to_le32((r->flags & SEALFS_RF_NOREPLACE) ?
				  SEALFS_PF_NOREPLACE : 0);
	req.q.name_len = cpu_to_le16((u16)r->dl);
	memcpy(req.name, r->dn, r->dl);
	/* a participant from the first attempt on: it may have prepared */
	xop_add_part(o, r->dst_srv);
	rc = ssrv_xop_call(x, r->dst_srv, SEALFS_OP_ENTRY_PREPARE, &req,
			   (u32)sizeof(req.q) + r->dl, &rep, sizeof(rep));
	if (rc)
		return rc;
	r->old_ino = le64_to_cpu(rep.old_ino);
	r->old_mode = le32_to_cpu(rep.old_mode) & S_IFMT;
	return 0;
}

/* The kinds of the source and what it replaces. */
static int xren_kinds(const struct xren *r)
{
	if (!r->old_ino || r->old_ino == r->ino)
		return 0;
	if (S_ISDIR(r->mode) && !S_ISDIR(r->old_mode))
		return -ENOTDIR;
	if (!S_ISDIR(r->mode) && S_ISDIR(r->old_mode))
		return -EISDIR;
	return 0;
}

static int xren_reply(struct ssrv_ctx *x, const struct xren *r, u32 nlink)
{
	struct sealfs_rename_rep rep = {};

	rep.ino = cpu_to_le64(r->ino);
	if (r->old_ino != r->ino) {
		rep.replaced_ino = cpu_to_le64(r->old_ino);
		rep.replaced_nlink = cpu_to_le32(nlink);
	}
	return ssrv_reply(x, SEALFS_S_OK, &rep, sizeof(rep), NULL, 0);
}

/* The decision: this server's entries change, with the COMMIT record. */
static int xren_commit(struct xop *o, struct xren *r)
{
	struct ssrv_ctx *x = o->x;
	bool olddir = r->old_ino && r->old_ino != r->ino && S_ISDIR(r->old_mode);
	struct smeta_rename_out out;
	struct smeta_txn *tx;
	int rc;

	rc = smeta_txn_begin(x->c->meta, 0, 0, &tx);
	if (rc)
		return rc;
	smeta_xtxn_except(tx, o->txid);
	if (r->dst_srv == x->c->server_id) {
		rc = smeta_rename(x->c->meta, tx, x->vol->id, r->sp, r->sn, r->sl,
				  r->dp, r->dn, r->dl, r->flags, &out);
		if (!rc && out.old_ino != r->old_ino)
			rc = -EAGAIN;	/* changed under us: cannot be, held */
	} else {
		rc = smeta_rename_src(x->c->meta, tx, x->vol->id, r->sp, r->sn,
				      r->sl, r->ino, olddir ? r->old_ino : 0);
	}
	if (!rc && o->npart)
		rc = smeta_xtxn_decide(tx, o->txid, x->vol->id, o->part, o->npart);
	if (rc) {
		smeta_txn_abort(tx);
		return rc;
	}
	return smeta_txn_commit(tx);
}

/* Link counts and parent pointer after the commit (best effort). */
static u32 xren_after(struct ssrv_ctx *x, const struct xren *r)
{
	struct smeta_attr a = {};
	u32 nlink = 0;
	int rc;

	if (r->old_ino && r->old_ino != r->ino) {
		rc = ssrv_xop_iu(x, r->old_ino, SEALFS_IU_NLINK,
				 S_ISDIR(r->old_mode) ? -2 : -1, 0, &a);
		if (rc)
			slog_warn("volume %u inode %llx: replaced, link count not dropped: %s",
				  x->vol->id, (unsigned long long)r->old_ino,
				  strerror(-rc));
		else
			nlink = a.nlink;
		if (S_ISDIR(r->old_mode))
			xop_nlink(x, r->dp, -1);
	}
	if (S_ISDIR(r->mode) && r->sp != r->dp) {
		rc = ssrv_xop_iu(x, r->ino, SEALFS_IU_PARENT, 0, r->dp, &a);
		if (rc)
			slog_warn("volume %u directory %llx: parent not updated: %s",
				  x->vol->id, (unsigned long long)r->ino,
				  strerror(-rc));
		xop_nlink(x, r->sp, -1);
		xop_nlink(x, r->dp, 1);
	}
	return nlink;
}

/*
 * Drops the mark of a moved directory once its parent pointer is written
 * or the rename failed (a lost unmark lapses, see ssrv_mark.c).
 */
static void xren_unmark(struct ssrv_ctx *x, const struct xren *r, bool move,
			u64 txid)
{
	int rc;

	if (!move)
		return;
	rc = ssrv_walk_mark(x, r->ino, txid, false);
	if (rc)
		slog_info("volume %u directory %llx: mark not dropped (it lapses): %s",
			  x->vol->id, (unsigned long long)r->ino, strerror(-rc));
}

static int xop_rename(struct ssrv_ctx *x)
{
	const struct sealfs_rename_req *q = x->rq->m.body;
	const struct sealfs_msg *m = &x->rq->m;
	struct xren r = {
		.sp = le64_to_cpu(q->src_parent), .dp = le64_to_cpu(q->dst_parent),
		.sn = (const char *)m->tail[0], .sl = m->tail_len[0],
		.dn = (const char *)m->tail[1], .dl = m->tail_len[1],
		.flags = le32_to_cpu(q->flags),
	};
	struct smeta_entry e;
	u64 total = 0;
	struct xop o;
	bool move;
	int rc;

	if (xop_replayed(x))
		return 0;
	if (r.flags & ~SEALFS_RF_KNOWN)
		return xop_reply_err(x, -EINVAL);
	rc = smeta_lookup(x->c->meta, x->vol->id, r.sp, r.sn, r.sl, &e);
	if (rc)
		return xop_reply_err(x, rc);
	r.ino = e.attr.ino;
	r.mode = e.attr.mode & S_IFMT;
	if (r.sp == r.dp && r.sl == r.dl && !memcmp(r.sn, r.dn, r.sl)) {
		if (r.flags & SEALFS_RF_NOREPLACE)
			return xop_reply_err(x, -EEXIST);
		r.old_ino = r.ino;
		rc = xren_reply(x, &r, 0);
		if (!rc)
			xop_store_reply(x);
		return rc;
	}
	move = S_ISDIR(r.mode) && r.sp != r.dp;
	r.dst_srv = ssrv_map_owner(x->map, sealfs_key_entry(x->vol->id, r.dp,
							      m->tail[1], r.dl));
	rc = xop_begin(&o, x);
	if (rc)
		return xop_reply_err(x, rc);
	if (move) {
		rc = ssrv_walk_mark(x, r.ino, o.txid, true);
		if (!rc)
			rc = ssrv_walk_check(x, r.ino, r.dp, o.txid);
	}
	if (!rc)
		rc = smeta_xtxn_hold_name(x->c->meta, o.txid, x->vol->id, r.sp,
					  r.sn, r.sl);
	if (!rc)
		rc = r.dst_srv == x->c->server_id ? xren_dst_local(&o, &r) :
						    xren_dst_remote(&o, &r);
	if (!rc)
		rc = xren_kinds(&r);
	if (!rc && r.old_ino == r.ino) {
		/* two names of one inode: POSIX says do nothing */
		xop_abort(&o);
		xren_unmark(x, &r, move, o.txid);
		rc = xren_reply(x, &r, 0);
		if (!rc)
			xop_store_reply(x);
		return rc;
	}
	if (!rc && r.old_ino && S_ISDIR(r.old_mode)) {
		rc = xop_freeze(&o, r.old_ino, &total);
		if (!rc && total)
			rc = -ENOTEMPTY;
	}
	if (!rc)
		ssrv_crash_point("undecided");
	if (!rc)
		rc = xren_commit(&o, &r);
	if (rc) {
		xop_abort(&o);
		xren_unmark(x, &r, move, o.txid);
		return xop_reply_err(x, rc);
	}
	xop_finish(&o);
	rc = xren_reply(x, &r, xren_after(x, &r));
	xren_unmark(x, &r, move, o.txid);
	if (!rc)
		xop_store_reply(x);
	return rc;
}

/**
 * ssrv_xop_handle() - RENAME, LINK, or RMDIR in a multi-server ring
 * @x: context (volume checked; RENAME's source entry is this server's)
 * Return: 0 once a reply is built, -ENOMEM otherwise.
 */
int ssrv_xop_handle(struct ssrv_ctx *x)
{
	switch (x->rq->h.opcode) {
	case SEALFS_OP_RENAME:	return xop_rename(x);
	case SEALFS_OP_LINK:	return xop_link(x);
	case SEALFS_OP_RMDIR:	return xop_rmdir(x);
	default:
		return ssrv_reply_err(x, -EOPNOTSUPP);
	}
}
