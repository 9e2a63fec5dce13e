// SPDX-License-Identifier: GPL-2.0-only
/*
 * SealFS kernel client: routing requests to the servers that own their
 * keys, following the map when servers steer the client elsewhere.
 */
#include <linux/delay.h>
#include <linux/ktime.h>
#include <linux/log2.h>
#include <linux/moduleparam.h>

#include "internal.h"

static unsigned int steer_max = 40;
module_param(steer_max, uint, 0644);
MODULE_PARM_DESC(steer_max,
		 "steering replies (STALE_EPOCH, WRONG_OWNER, NOTREADY) a request follows before it fails with EIO, and AGAIN replies before it fails with EAGAIN (default 40)");

/**
 * sealfs_conn_get() - the connection to a server, created on first use
 * @fs: the mount
 * @server: server id
 *
 * Return: the connection (owned by the mount) or an ERR_PTR.
 */
struct sealfs_conn *sealfs_conn_get(struct sealfs_fs *fs, u32 server)
{
	struct sealfs_conn *c, *old;

	c = xa_load(&fs->conns, server);
	if (c)
		return c;
	c = sealfs_conn_new(fs, server, NULL);
	if (!c)
		return ERR_PTR(-ENOMEM);
	old = xa_cmpxchg(&fs->conns, server, NULL, c, GFP_NOFS);
	if (xa_is_err(old)) {
		sealfs_conn_destroy(c);
		return ERR_PTR(xa_err(old));
	}
	if (old) {
		sealfs_conn_destroy(c);
		return old;
	}
	return c;
}

/**
 * sealfs_conns_destroy() - close every server connection of a mount
 * @fs: the mount, with no request in flight
 */
void sealfs_conns_destroy(struct sealfs_fs *fs)
{
	struct sealfs_conn *c;
	unsigned long id;

	xa_for_each(&fs->conns, id, c)
		sealfs_conn_destroy(c);
	xa_destroy(&fs->conns);
}

static void sealfs_account(struct sealfs_fs *fs, u16 op, ktime_t start)
{
	s64 us = ktime_us_delta(ktime_get(), start);
	unsigned int b = us > 0 ? min_t(unsigned int, ilog2(us) + 1, 15) : 0;

	if (op >= SEALFS_OP_MAX)
		return;
	atomic64_inc(&fs->op_count[op]);
	atomic64_inc(&fs->op_lat[op][b]);
}

/* Replies that ask for the request again, here or elsewhere. */
static bool sealfs_steered(u32 status)
{
	return status == SEALFS_S_STALE_EPOCH ||
	       status == SEALFS_S_WRONG_OWNER ||
	       status == SEALFS_S_NOTREADY || status == SEALFS_S_AGAIN;
}

/**
 * sealfs_call() - send a request to the server that owns its key
 * @fs: the mount
 * @server: a server id, or 0 to route by @key
 * @key: placement key of what the request addresses
 * @req: the request
 * @m: the validated reply payload on success
 *
 * Follows the servers' steering: STALE_EPOCH fetches the newer map,
 * WRONG_OWNER waits briefly for a newer map, NOTREADY backs off; each
 * retry goes to the owner under the new map with a new request id (the
 * steered request did not run). AGAIN (a name or directory held by a
 * transaction between servers, a server of the ring down) backs off and
 * tries again the same way, up to steer_max times before the caller gets
 * -EAGAIN.
 *
 * Context: process; sleeps; killable.
 * Return: 0 or a negative errno.
 */
int sealfs_call(struct sealfs_fs *fs, u32 server, u64 key,
		struct sealfs_req *req, struct sealfs_msg *m)
{
	ktime_t start = ktime_get();
	unsigned int tries;
	int err;

	for (tries = 0;; tries++) {
		struct sealfs_conn *c;
		u64 epoch = sealfs_map_epoch(fs);
		u32 id = server ? server : sealfs_map_owner(fs, key, &epoch);

		if (!id)
			return -EIO;
		c = sealfs_conn_get(fs, id);
		if (IS_ERR(c))
			return PTR_ERR(c);
		err = sealfs_rpc_call(c, req, false);
		if (err)
			return err;
		if (!sealfs_steered(req->rh.status))
			goto done;
		if (tries >= READ_ONCE(steer_max)) {
			if (req->rh.status == SEALFS_S_AGAIN)
				goto done;
			break;
		}
		err = 0;
		switch (req->rh.status) {
		case SEALFS_S_STALE_EPOCH:
			err = sealfs_map_refresh(fs, req->rh.epoch);
			break;
		case SEALFS_S_WRONG_OWNER:
			err = sealfs_map_refresh(fs, epoch + 1);
			break;
		default:	/* NOTREADY, AGAIN */
			if (msleep_interruptible(min(20U << min(tries, 6U), 1000U)) &&
			    fatal_signal_pending(current))
				err = -EINTR;
			break;
		}
		if (err == -EINTR)
			return err;
		req->id = 0;
	}
	pr_warn_ratelimited("%s: still steered elsewhere after %u tries\n",
			    sealfs_op_name(req->opcode), tries);
	return -EIO;
done:
	sealfs_account(fs, req->opcode, start);
	return sealfs_req_reply(req, m);
}
