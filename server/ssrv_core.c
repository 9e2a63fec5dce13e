// SPDX-License-Identifier: Apache-2.0
/*
 * ssrv_core: storage core and request dispatch of sealfs-server.
 *
 * ssrv_handle() runs on a worker thread. It takes a reference to the
 * current map and checks, in order: a map and the metadata store exist
 * (else NOTREADY), the request's epoch is not older than the map's (else
 * STALE_EPOCH, with the server's epoch in hdr.epoch) nor newer (else
 * NOTREADY: the server's map is behind the sender's), the volume is in the
 * map and active (else NOENT), and this server owns the key the request
 * addresses (else WRONG_OWNER): the entry key for name operations, the
 * inode key for inode operations, the chunk key for READ, WRITE and
 * FALLOCATE. READDIR and STATFS address this server's slice, COMMIT and
 * DATA_TRUNCATE this server's data of an inode: they have no owner check.
 * VOL_USAGE and VOL_PURGE (from the manager) take any volume id.
 *
 * RENAME, LINK and (with more than one server in the ring) RMDIR are
 * coordinated by ssrv_xop.c; the messages other servers send for them
 * (ENTRY_PREPARE, DIR_FREEZE, TXN_FINISH, TXN_QUERY) by ssrv_txn.c, and
 * INODE_UPDATE like a namespace request; DIR_WALK (ancestry checks of
 * directory moves) by ssrv_walk.c. TXN_FINISH and TXN_QUERY are answered
 * whatever the state of their volume. These server-to-server messages are
 * answered PERM on a session whose HELLO did not state the server role.
 *
 * Non-idempotent requests (CREATE, SYMLINK, UNLINK, RMDIR, SETATTR,
 * SETXATTR, REMOVEXATTR) from a connection with a client id run in an
 * smeta transaction that also stores the reply (success or error) in the
 * replay table; a second request with the same (client id, request id)
 * gets the stored bytes back without running again. INODE_UPDATE is kept
 * there by its transaction id (every update has its own, see
 * ssrv_xop_iu()) under the client id %SSRV_IU_REPLAY: a re-sent update
 * gets the first answer, with its own request id.
 */
#include <errno.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>

#include "server/ssrv.h"
#include "slog.h"

static bool ssrv_owns(void *arg, u32 vol, u64 ino)
{
	struct ssrv_core *c = arg;
	bool own = false;

	pthread_mutex_lock(&c->lock);
	if (c->map)
		own = ssrv_map_owner(c->map, sealfs_key_inode(vol, ino)) ==
		      c->server_id;
	pthread_mutex_unlock(&c->lock);
	return own;
}

/**
 * ssrv_core_init() - open the data store; metadata waits for the server id
 * @c: core to initialise
 * @data_dir: --data-dir
 * @boot_id: this start's boot id
 * Return: 0 or -errno.
 */
int ssrv_core_init(struct ssrv_core *c, const char *data_dir, u64 boot_id)
{
	struct sdata_opts o = { .dir = data_dir };
	struct rlimit rl;

	/* Cached data-file descriptors leave room for sockets and LevelDB. */
	if (!getrlimit(RLIMIT_NOFILE, &rl) && rl.rlim_cur != RLIM_INFINITY &&
	    rl.rlim_cur < SDATA_MAX_OPEN + 512) {
		o.max_open = rl.rlim_cur > 576 ? rl.rlim_cur - 512 : 64;
		slog_warn("open-file limit %lu: keeping at most %u data files open",
			  (unsigned long)rl.rlim_cur, o.max_open);
	}
	memset(c, 0, sizeof(*c));
	c->boot_id = boot_id;
	pthread_mutex_init(&c->lock, NULL);
	return sdata_open(&o, &c->data);
}

/**
 * ssrv_core_open_meta() - open the metadata store once the id is known
 * @c: core
 * @meta_dir: --meta-dir
 * @server_id: id from the manager
 * Return: 0 (also when open already with that id) or -errno.
 */
int ssrv_core_open_meta(struct ssrv_core *c, const char *meta_dir,
			u32 server_id)
{
	struct smeta_opts o = {
		.dir = meta_dir, .server_id = server_id,
		.owns = ssrv_owns, .owns_arg = c,
	};
	struct smeta *m;
	int rc;

	if (c->meta)
		return server_id == c->server_id ? 0 : -EINVAL;
	pthread_mutex_lock(&c->lock);
	c->server_id = server_id;
	pthread_mutex_unlock(&c->lock);
	rc = smeta_open(&o, &m);
	if (rc)
		return rc;
	pthread_mutex_lock(&c->lock);
	c->meta = m;
	pthread_mutex_unlock(&c->lock);
	return 0;
}

/**
 * ssrv_core_fini() - close the stores and drop the map
 * @c: core; no handler may run
 */
void ssrv_core_fini(struct ssrv_core *c)
{
	smeta_close(c->meta);
	sdata_close(c->data);
	ssrv_map_put(c->map);
	ssrv_mark_fini(c);
	pthread_mutex_destroy(&c->lock);
	memset(c, 0, sizeof(*c));
}

/**
 * ssrv_core_set_map() - install a newer map (takes over the reference)
 * @c: core
 * @map: the map
 */
void ssrv_core_set_map(struct ssrv_core *c, struct ssrv_map *map)
{
	struct ssrv_map *old;

	pthread_mutex_lock(&c->lock);
	old = c->map;
	c->map = map;
	pthread_mutex_unlock(&c->lock);
	ssrv_map_put(old);
}

/**
 * ssrv_core_map() - a reference to the current map
 * @c: core
 * Return: the map or %NULL.
 */
struct ssrv_map *ssrv_core_map(struct ssrv_core *c)
{
	struct ssrv_map *map;

	pthread_mutex_lock(&c->lock);
	map = ssrv_map_get(c->map);
	pthread_mutex_unlock(&c->lock);
	return map;
}

/**
 * ssrv_core_epoch() - epoch of the current map
 * @c: core
 * Return: the epoch, 0 without a map.
 */
u64 ssrv_core_epoch(struct ssrv_core *c)
{
	u64 e;

	pthread_mutex_lock(&c->lock);
	e = c->map ? c->map->epoch : 0;
	pthread_mutex_unlock(&c->lock);
	return e;
}

/**
 * ssrv_core_make_roots() - create the root directory of every active
 * volume whose root inode key this server owns (no-op where it exists)
 * @c: core with metadata open
 */
void ssrv_core_make_roots(struct ssrv_core *c)
{
	struct ssrv_map *map = ssrv_core_map(c);
	struct smeta_attr a;
	u32 i;
	int rc;

	if (!map || !c->meta)
		goto out;
	for (i = 0; i < map->nvol; i++) {
		const struct ssrv_map_vol *v = &map->vol[i];

		if (v->state != SEALFS_VOL_ACTIVE ||
		    ssrv_map_owner(map, sealfs_key_inode(v->id, SEALFS_ROOT_INO)) !=
		    c->server_id)
			continue;
		rc = smeta_mkroot(c->meta, NULL, v->id, 0755, 0, 0, &a);
		if (rc)
			slog_err("volume %s: cannot create the root directory: %s",
				 v->name, strerror(-rc));
	}
out:
	ssrv_map_put(map);
}

/**
 * ssrv_reply() - build the reply of the handler's request
 * @x: context
 * @status: &enum sealfs_status; not OK drops the body
 * @body: fixed body
 * @blen: its size
 * @tail: variable part after it, or %NULL
 * @tlen: its size
 * Return: 0 or -ENOMEM.
 */
int ssrv_reply(struct ssrv_ctx *x, u32 status, const void *body, u32 blen,
	       const void *tail, u32 tlen)
{
	struct sealfs_hdr_info h = {
		.opcode = x->rq->h.opcode, .flags = SEALFS_HF_REPLY,
		.req_id = x->rq->h.req_id, .epoch = x->map ? x->map->epoch : 0,
		.status = status,
	};
	struct sealfs_buf b;
	u32 cap;
	void *mem;

	if (status != SEALFS_S_OK)
		blen = tlen = 0;
	cap = SEALFS_HDR_SIZE + blen + tlen;
	mem = malloc(cap);
	if (!mem)
		return -ENOMEM;
	sealfs_buf_init(&b, mem, cap);
	sealfs_msg_start(&b);
	sealfs_buf_put(&b, body, blen);
	sealfs_buf_put(&b, tail, tlen);
	if (sealfs_msg_end(&b, &h, 0)) {
		free(mem);
		return -EMSGSIZE;
	}
	free(x->rep->msg);
	x->rep->msg = mem;
	x->rep->len = b.len;
	return 0;
}

/**
 * ssrv_reply_err() - reply with the status of an errno
 * @x: context
 * @err: -errno
 * Return: as ssrv_reply().
 */
int ssrv_reply_err(struct ssrv_ctx *x, int err)
{
	return ssrv_reply(x, sealfs_errno_to_status(err), NULL, 0, NULL, 0);
}

/**
 * ssrv_share() - this server's share of a volume quota
 * @x: context
 * @quota: the volume's quota, 0 for none
 *
 * Keys spread over the servers in proportion to their weights, so each
 * server enforces quota * weight / total weight (rounded up) against its
 * own usage. This is approximate: a volume can be refused on a server
 * that got more than its share while others have room, and the sum of
 * the shares may exceed the quota by one unit per server.
 * Return: the share, 0 for none.
 */
u64 ssrv_share(const struct ssrv_ctx *x, u64 quota)
{
	const struct ssrv_map_srv *me;
	unsigned __int128 q;

	if (!quota || !x->map->total_weight)
		return quota;
	me = ssrv_map_srv(x->map, x->c->server_id);
	if (!me || !me->weight)
		return quota;
	q = (unsigned __int128)quota * me->weight + x->map->total_weight - 1;
	q /= x->map->total_weight;
	return q ? (u64)q : 1;
}

/**
 * ssrv_data_drop() - drop this server's data of an inode past a size and
 * account it
 * @x: context
 * @ino: inode
 * @size: new size
 * @flags: %SEALFS_TF_DESTROY for all of it
 * Return: 0 or -errno.
 */
int ssrv_data_drop(struct ssrv_ctx *x, u64 ino, u64 size, u32 flags)
{
	u64 before = 0, after = 0;
	int rc;

	sdata_used(x->c->data, x->vol->id, ino, &before);
	rc = sdata_truncate(x->c->data, x->vol->id, ino, size, flags);
	if (rc)
		return rc;
	sdata_used(x->c->data, x->vol->id, ino, &after);
	if (after < before)
		smeta_usage_add(x->c->meta, NULL, x->vol->id,
				-(s64)(before - after), 0, 0);
	return 0;
}

/* Where a request's volume and key are. */
enum ssrv_keykind { SK_NONE, SK_ENTRY, SK_INODE, SK_CHUNK };

struct ssrv_route {
	enum ssrv_keykind kind;
	u32 vol_off;
	bool txn;
	bool data;
	bool anyvol;
	bool xop;	/* coordinated across servers (ssrv_xop.c) */
	bool srvop;	/* transaction message of another server (ssrv_txn.c) */
	bool peer;	/* only from a session that said it is a server */
	bool novol;	/* the volume need not be active */
};

static bool ssrv_route(u16 op, struct ssrv_route *r)
{
	memset(r, 0, sizeof(*r));
	switch (op) {
	case SEALFS_OP_CREATE:
	case SEALFS_OP_SYMLINK:
	case SEALFS_OP_UNLINK:
	case SEALFS_OP_RMDIR:
		r->txn = true;
		/* fall through */
	case SEALFS_OP_LOOKUP:
		r->kind = SK_ENTRY;
		r->vol_off = 8;
		return true;
	case SEALFS_OP_RENAME:
		r->kind = SK_ENTRY;
		r->vol_off = 16;
		r->xop = true;
		return true;
	case SEALFS_OP_LINK:
		r->vol_off = 16;
		r->xop = true;
		return true;
	case SEALFS_OP_INODE_UPDATE:
		r->txn = true;
		r->kind = SK_INODE;
		r->vol_off = 24;
		r->peer = true;
		return true;
	case SEALFS_OP_ENTRY_PREPARE:
		r->vol_off = 24;
		r->srvop = r->peer = true;
		return true;
	case SEALFS_OP_DIR_FREEZE:
		r->vol_off = 16;
		r->srvop = r->peer = true;
		return true;
	case SEALFS_OP_DIR_WALK:
		r->kind = SK_INODE;
		r->vol_off = 24;
		r->srvop = r->peer = true;
		return true;
	case SEALFS_OP_TXN_FINISH:
	case SEALFS_OP_TXN_QUERY:
		r->vol_off = 8;
		r->srvop = r->peer = true;
		r->novol = true;
		return true;
	case SEALFS_OP_SETATTR:
	case SEALFS_OP_SETXATTR:
	case SEALFS_OP_REMOVEXATTR:
		r->txn = true;
		/* fall through */
	case SEALFS_OP_GETATTR:
	case SEALFS_OP_READLINK:
	case SEALFS_OP_GETXATTR:
	case SEALFS_OP_LISTXATTR:
		r->kind = SK_INODE;
		r->vol_off = 8;
		return true;
	case SEALFS_OP_READ:
	case SEALFS_OP_WRITE:
		r->kind = SK_CHUNK;
		r->vol_off = 16;
		r->data = true;
		return true;
	case SEALFS_OP_FALLOCATE:
		r->kind = SK_CHUNK;
		r->vol_off = 24;
		r->data = true;
		return true;
	case SEALFS_OP_COMMIT:
		r->vol_off = 8;
		r->data = true;
		return true;
	case SEALFS_OP_DATA_TRUNCATE:
		r->vol_off = 16;
		r->data = true;
		return true;
	case SEALFS_OP_READDIR:
		r->vol_off = 16;
		return true;
	case SEALFS_OP_STATFS:
		r->vol_off = 0;
		return true;
	case SEALFS_OP_VOL_USAGE:
	case SEALFS_OP_VOL_PURGE:
		r->vol_off = 0;
		r->anyvol = true;
		return true;
	default:
		return false;
	}
}

static u64 ssrv_key(const struct ssrv_ctx *x, const struct ssrv_route *r)
{
	const struct sealfs_msg *m = &x->rq->m;
	const u8 *b = m->body;
	u64 a, off;

	memcpy(&a, b, 8);
	a = le64_to_cpu(a);
	switch (r->kind) {
	case SK_ENTRY:
		return sealfs_key_entry(x->vol->id, a, m->tail[0], m->tail_len[0]);
	case SK_INODE:
		return sealfs_key_inode(x->vol->id, a);
	default:
		memcpy(&off, b + 8, 8);
		off = le64_to_cpu(off);
		return sealfs_key_chunk(x->vol->id, a, off / x->vol->chunk_size);
	}
}

/*
 * The replay key of a request: (client id, request id) of its connection,
 * or for INODE_UPDATE with a transaction id (SSRV_IU_REPLAY, txid), so that
 * a re-sent update, on whatever connection, is applied once.
 */
static void ssrv_replay_key(const struct ssrv_ctx *x, u64 *cid, u64 *rid)
{
	const struct sealfs_inode_update_req *q = x->rq->m.body;

	*cid = x->rq->client_id;
	*rid = x->rq->h.req_id;
	if (x->rq->h.opcode == SEALFS_OP_INODE_UPDATE) {
		*rid = le64_to_cpu(q->txid);
		*cid = *rid ? SSRV_IU_REPLAY : 0;
	}
}

/* Runs a non-idempotent request, in a replay transaction if it can. */
static int ssrv_run_txn(struct ssrv_ctx *x)
{
	struct smeta *meta = x->c->meta;
	struct smeta_txn *tx = NULL;
	u64 cid, rid, le_rid;
	u32 len = 0;
	void *buf;
	int rc;

	ssrv_replay_key(x, &cid, &rid);
	if (cid) {
		rc = smeta_txn_begin(meta, cid, rid, &tx);
		if (rc == -EALREADY) {
			buf = malloc(SMETA_REPLY_MAX);
			if (!buf)
				return -ENOMEM;
			rc = smeta_replay_get(meta, cid, rid, buf,
					      SMETA_REPLY_MAX, &len);
			if (rc || len < SEALFS_HDR_SIZE) {
				free(buf);
				return ssrv_reply_err(x, rc == -ENOENT || !rc ?
						      -EAGAIN : rc);
			}
			slog_debug("replayed %s %llu of client %llx",
				   sealfs_op_name(x->rq->h.opcode),
				   (unsigned long long)rid,
				   (unsigned long long)cid);
			/* a re-sent INODE_UPDATE has a request id of its own */
			le_rid = cpu_to_le64(x->rq->h.req_id);
			memcpy((u8 *)buf + offsetof(struct sealfs_hdr, req_id),
			       &le_rid, sizeof(le_rid));
			free(x->rep->msg);
			x->rep->msg = buf;
			x->rep->len = len;
			return 0;
		}
		if (rc)
			return ssrv_reply_err(x, rc);
	}
	rc = ssrv_ns_handle(x, tx);
	if (tx) {
		if (rc || x->abort) {
			smeta_txn_abort(tx);
		} else {
			if (x->rep->len <= SMETA_REPLY_MAX)
				smeta_txn_reply(tx, x->rep->msg, x->rep->len);
			rc = smeta_txn_commit(tx);
			if (rc) {
				x->post = false;
				return ssrv_reply_err(x, rc);
			}
		}
	}
	if (!rc && x->post) {
		int err = ssrv_data_drop(x, x->post_ino, x->post_size, x->post_flags);

		if (err)
			slog_warn("volume %u inode %llx: cannot drop data: %s",
				  x->vol->id, (unsigned long long)x->post_ino,
				  strerror(-err));
	}
	if (!rc && x->post_iu_ino) {
		struct smeta_attr a;
		int err = ssrv_xop_iu(x, x->post_iu_ino, SEALFS_IU_NLINK,
				      x->post_iu_delta, 0, &a);

		if (err)
			slog_warn("volume %u inode %llx: link count not dropped on its server: %s",
				  x->vol->id, (unsigned long long)x->post_iu_ino,
				  strerror(-err));
	}
	return rc;
}

/*
 * VOL_USAGE (any volume this server may hold data of) and VOL_PURGE (only
 * a volume that is no longer active in the map: deleting or gone).
 */
static int ssrv_vol_admin(struct ssrv_ctx *x, u32 vol)
{
	const struct ssrv_map_vol *v = ssrv_map_vol(x->map, vol);
	struct sealfs_vol_usage_rep rep = {};
	struct smeta_usage u;
	int rc;

	if (x->rq->h.opcode == SEALFS_OP_VOL_USAGE) {
		rc = smeta_usage_get(x->c->meta, vol, &u);
		if (rc)
			return ssrv_reply_err(x, rc);
		rep.bytes = cpu_to_le64(u.bytes);
		rep.inodes = cpu_to_le64(u.inodes);
		return ssrv_reply(x, SEALFS_S_OK, &rep, sizeof(rep), NULL, 0);
	}
	if (v && v->state == SEALFS_VOL_ACTIVE)
		return ssrv_reply_err(x, -EBUSY);
	rc = smeta_vol_purge(x->c->meta, vol);
	if (!rc)
		rc = sdata_vol_purge(x->c->data, vol);
	if (!rc)
		slog_notice("volume %u purged", vol);
	return ssrv_reply(x, sealfs_errno_to_status(rc), NULL, 0, NULL, 0);
}

/**
 * ssrv_handle() - answer one request
 * @c: core
 * @rq: the request (validated by the codec)
 * @rep: set to the complete reply message (malloc'ed), for every request
 *
 * Context: any thread; smeta and sdata calls block.
 * Return: 0, or -ENOMEM when no reply could be built.
 */
int ssrv_handle(struct ssrv_core *c, const struct ssrv_req *rq,
		struct ssrv_rep *rep)
{
	struct ssrv_ctx x = { .c = c, .rq = rq, .rep = rep };
	struct smeta *meta;
	struct ssrv_route r;
	u32 vol;
	int rc;

	rep->msg = NULL;
	rep->len = 0;
	pthread_mutex_lock(&c->lock);
	x.map = ssrv_map_get(c->map);
	meta = c->meta;
	pthread_mutex_unlock(&c->lock);
	if (rq->h.opcode == SEALFS_OP_PING) {
		rc = ssrv_reply(&x, SEALFS_S_OK, NULL, 0, NULL, 0);
		goto out;
	}
	if (!ssrv_route(rq->h.opcode, &r)) {
		rc = ssrv_reply(&x, SEALFS_S_NOTSUPP, NULL, 0, NULL, 0);
		goto out;
	}
	if (r.peer && rq->role != SEALFS_ROLE_SERVER) {
		rc = ssrv_reply(&x, SEALFS_S_PERM, NULL, 0, NULL, 0);
		goto out;
	}
	if (!x.map || !meta) {
		rc = ssrv_reply(&x, SEALFS_S_NOTREADY, NULL, 0, NULL, 0);
		goto out;
	}
	if (rq->h.epoch < x.map->epoch) {
		rc = ssrv_reply(&x, SEALFS_S_STALE_EPOCH, NULL, 0, NULL, 0);
		goto out;
	}
	/*
	 * Routed by a newer map than ours: answering from ours could say
	 * NOENT for a volume just created, or WRONG_OWNER for a key that has
	 * just come to us. Our long poll brings the map; the sender retries.
	 */
	if (rq->h.epoch > x.map->epoch) {
		rc = ssrv_reply(&x, SEALFS_S_NOTREADY, NULL, 0, NULL, 0);
		goto out;
	}
	memcpy(&vol, (const u8 *)rq->m.body + r.vol_off, 4);
	if (r.novol) {
		rc = ssrv_txn_handle(&x);
		goto out;
	}
	if (r.anyvol) {
		rc = ssrv_vol_admin(&x, le32_to_cpu(vol));
		goto out;
	}
	x.vol = ssrv_map_vol(x.map, le32_to_cpu(vol));
	if (!x.vol || x.vol->state != SEALFS_VOL_ACTIVE) {
		rc = ssrv_reply(&x, SEALFS_S_NOENT, NULL, 0, NULL, 0);
		goto out;
	}
	if (r.kind != SK_NONE &&
	    ssrv_map_owner(x.map, ssrv_key(&x, &r)) != c->server_id) {
		rc = ssrv_reply(&x, SEALFS_S_WRONG_OWNER, NULL, 0, NULL, 0);
		goto out;
	}
	if (r.srvop)
		rc = ssrv_txn_handle(&x);
	else if (r.xop || ssrv_xop_wanted(&x))
		rc = ssrv_xop_handle(&x);
	else if (r.data)
		rc = ssrv_data_handle(&x);
	else if (rq->h.opcode == SEALFS_OP_READDIR)
		rc = ssrv_readdir(&x);
	else if (r.txn)
		rc = ssrv_run_txn(&x);
	else
		rc = ssrv_ns_handle(&x, NULL);
	if (rc && !rep->msg)
		rc = ssrv_reply_err(&x, rc);
	else
		rc = 0;
out:
	ssrv_map_put(x.map);
	return rc;
}
