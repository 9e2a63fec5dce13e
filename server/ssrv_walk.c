// SPDX-License-Identifier: Apache-2.0
/*
 * ssrv_walk: a directory must not be moved below itself, across servers.
 *
 * Every directory inode keeps its parent (smeta, the inode record); the
 * server that holds the inode knows it. The coordinator of a rename that
 * moves directory S to another parent D walks up from D: through the
 * inodes it holds itself, and through those of other servers with
 * DIR_WALK, which walks on the receiver as far as its own inodes go and
 * answers where to go on (the first ancestor held elsewhere, 0 at the
 * root). Meeting S answers INVAL.
 *
 * Crossing moves (S1 into a descendant of S2 while S2 moves into a
 * descendant of S1) would each pass a walk done alone. So before its walk,
 * the coordinator marks S on the server of S's inode (ssrv_mark.c; DIR_WALK
 * with SEALFS_DW_MARK), and clears the mark only once S's new parent
 * pointer is written or the rename failed; a walk that meets a directory
 * marked by another rename answers AGAIN. Of moves that would close a
 * cycle, the one whose walk starts last finds every other one's directory
 * marked, or its new parent pointer already written: following the
 * pointers from its destination it reaches either a marked directory
 * (AGAIN) or its own directory (INVAL).
 *
 * What is left: marks are in memory, so a restart of the server holding a
 * moved directory's inode loses them while the rename runs; a mark lapses
 * after SSRV_MARK_TTL_MS even if the rename is still running; and a parent
 * pointer whose post-commit update is lost (coordinator crash after the
 * decision, owner unreachable) stays stale, so later walks follow the old
 * parent.
 *
 * Test hook: SEALFS_TEST_WALK_DELAY_MS=N in the environment makes the
 * coordinator wait N milliseconds after a walk that found no cycle, so
 * that crossing moves overlap (tests/cluster/xmove.sh).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "server/ssrv.h"
#include "slog.h"

#define WALK_MAX	4096	/* directories walked before ELOOP */

static u32 walk_owner(const struct ssrv_ctx *x, u64 ino)
{
	return ssrv_map_owner(x->map, sealfs_key_inode(x->vol->id, ino));
}

/*
 * Walks up from @p while the inodes are this server's. 0 with *@next the
 * ancestor held elsewhere, or 0 at the root; -EINVAL at @stop; -EAGAIN at
 * a directory another rename moves.
 */
static int walk_here(struct ssrv_ctx *x, u64 p, u64 stop, u64 txid,
		     u32 *steps, u64 *next)
{
	struct smeta_attr a;
	int rc;

	*next = 0;
	for (;;) {
		if (p == stop)
			return -EINVAL;
		if (p == SEALFS_ROOT_INO)
			return 0;
		if (walk_owner(x, p) != x->c->server_id) {
			*next = p;
			return 0;
		}
		if (++*steps > WALK_MAX)
			return -ELOOP;
		if (ssrv_mark_other(x->c, x->vol->id, p, txid))
			return -EAGAIN;
		rc = smeta_getattr(x->c->meta, x->vol->id, p, &a);
		if (rc)
			return rc == -ESTALE ? -ENOENT : rc;
		if (!S_ISDIR(a.mode))
			return -ENOTDIR;
		if (!a.parent || a.parent == p)
			return 0;
		p = a.parent;
	}
}

static void walk_test_delay(void)
{
	const char *ms = getenv("SEALFS_TEST_WALK_DELAY_MS");

	if (ms)
		usleep((useconds_t)strtoul(ms, NULL, 10) * 1000);
}

/**
 * ssrv_walk_check() - EINVAL when @dir is @stop or below it
 * @x: context
 * @stop: the directory being moved
 * @dir: its new parent
 * @txid: the rename's transaction id (its own mark does not count)
 *
 * A receiver that does not know DIR_WALK (an older server) ends the walk
 * there, as the check did before the message existed.
 * Return: 0, -EINVAL, -EAGAIN (a directory on the way is being moved, or
 * a server did not answer), -ENOENT, -ENOTDIR, -ELOOP, or another -errno.
 */
int ssrv_walk_check(struct ssrv_ctx *x, u64 stop, u64 dir, u64 txid)
{
	struct sealfs_dir_walk_req q = {
		.stop = cpu_to_le64(stop), .txid = cpu_to_le64(txid),
		.vol = cpu_to_le32(x->vol->id),
	};
	struct sealfs_dir_walk_rep rep;
	u32 steps = 0, srv;
	u64 p = dir, next;
	int rc;

	while (p) {
		srv = walk_owner(x, p);
		if (srv == x->c->server_id) {
			rc = walk_here(x, p, stop, txid, &steps, &next);
			if (rc)
				return rc;
			p = next;
			continue;
		}
		if (p == stop)
			return -EINVAL;
		q.dir = cpu_to_le64(p);
		rc = ssrv_xop_call(x, srv, SEALFS_OP_DIR_WALK, &q, sizeof(q),
				   &rep, sizeof(rep));
		if (rc == -EOPNOTSUPP) {
			slog_debug("server %u has no DIR_WALK: ancestry not checked past it",
				   srv);
			return 0;
		}
		if (rc)
			return rc;
		steps += le32_to_cpu(rep.steps) + 1;
		if (steps > WALK_MAX)
			return -ELOOP;
		p = le64_to_cpu(rep.next);
	}
	walk_test_delay();
	return 0;
}

/**
 * ssrv_walk_mark() - mark or unmark a directory as being moved, wherever
 * its inode is
 * @x: context
 * @dir: the directory
 * @txid: the rename's transaction id
 * @on: mark, else unmark
 * Return: 0, -EAGAIN when another rename marked it (or its server did not
 * answer), or another -errno. A server without DIR_WALK counts as done.
 */
int ssrv_walk_mark(struct ssrv_ctx *x, u64 dir, u64 txid, bool on)
{
	struct sealfs_dir_walk_req q = {
		.dir = cpu_to_le64(dir), .txid = cpu_to_le64(txid),
		.vol = cpu_to_le32(x->vol->id),
		.flags = cpu_to_le32(on ? SEALFS_DW_MARK : SEALFS_DW_UNMARK),
	};
	struct sealfs_dir_walk_rep rep;
	u32 srv = walk_owner(x, dir);
	int rc;

	if (srv == x->c->server_id) {
		if (!on) {
			ssrv_mark_clear(x->c, x->vol->id, dir, txid);
			return 0;
		}
		return ssrv_mark_set(x->c, x->vol->id, dir, txid);
	}
	rc = ssrv_xop_call(x, srv, SEALFS_OP_DIR_WALK, &q, sizeof(q), &rep,
			   sizeof(rep));
	return rc == -EOPNOTSUPP ? 0 : rc;
}

/**
 * ssrv_walk_handle() - DIR_WALK from another server
 * @x: context (volume checked, @dir's inode is this server's)
 * Return: 0 once a reply is built, -ENOMEM otherwise.
 */
int ssrv_walk_handle(struct ssrv_ctx *x)
{
	const struct sealfs_dir_walk_req *q = x->rq->m.body;
	u64 dir = le64_to_cpu(q->dir), stop = le64_to_cpu(q->stop);
	u64 txid = le64_to_cpu(q->txid), next = 0;
	u32 flags = le32_to_cpu(q->flags), steps = 0;
	struct sealfs_dir_walk_rep rep = {};
	int rc;

	if (!txid || flags == SEALFS_DW_KNOWN || (flags && stop))
		return ssrv_reply_err(x, -EINVAL);
	if (flags & SEALFS_DW_MARK) {
		rc = ssrv_mark_set(x->c, x->vol->id, dir, txid);
	} else if (flags & SEALFS_DW_UNMARK) {
		ssrv_mark_clear(x->c, x->vol->id, dir, txid);
		rc = 0;
	} else {
		rc = walk_here(x, dir, stop, txid, &steps, &next);
	}
	if (rc)
		return ssrv_reply_err(x, rc);
	rep.next = cpu_to_le64(next);
	rep.steps = cpu_to_le32(steps);
	return ssrv_reply(x, SEALFS_S_OK, &rep, sizeof(rep), NULL, 0);
}
