// SPDX-License-Identifier: Apache-2.0
/*
 * ssrv_txn: the participant side of cross-server transactions, the
 * coordinator's answers to TXN_QUERY, and recovery.
 *
 *  - ENTRY_PREPARE (this server owns the entry): smeta_xtxn_prepare_entry()
 *    records the intent durably and holds the name; DIR_FREEZE:
 *    smeta_xtxn_freeze() records the freeze durably and counts the
 *    directory's entries here; TXN_FINISH: smeta_xtxn_finish() applies or
 *    drops them (unknown ids: done already, OK).
 *  - TXN_QUERY (this server coordinated the id): PENDING while the
 *    transaction runs, COMMIT while its decision record exists, else
 *    UNKNOWN. Only COMMIT is ever recorded, so UNKNOWN means it was never
 *    decided (the coordinator restarted before deciding) or every
 *    participant has finished it: a participant still holding a prepared
 *    record takes UNKNOWN as ABORT (presumed abort).
 *  - Recovery, a thread that runs once a second: re-sends TXN_FINISH
 *    COMMIT for every decision record (then forgets it once every
 *    participant answered OK), and asks the coordinator of every prepared
 *    record older than %SSRV_TXN_QUERY_AGE seconds (after a restart: every
 *    one) with TXN_QUERY, finishing it on COMMIT, ABORT or UNKNOWN.
 *
 * Test hook: when the environment variable SEALFS_TEST_CRASH_AT names a
 * point passed to ssrv_crash_point(), the process kills itself with
 * SIGKILL there (cluster tests of crash safety). Points: "prepared" (a
 * participant wrote its prepared record, before it answers),
 * "undecided" (the coordinator prepared everything, before it decides),
 * "decided" (the coordinator's decision is durable, before TXN_FINISH).
 */
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "server/ssrv.h"
#include "slog.h"

#define SSRV_TXN_QUERY_AGE	3	/* seconds before a participant asks */

/**
 * ssrv_crash_point() - the crash test hook (see the file comment)
 * @name: the point
 */
void ssrv_crash_point(const char *name)
{
	const char *at = getenv("SEALFS_TEST_CRASH_AT");

	if (at && !strcmp(at, name)) {
		slog_warn("SEALFS_TEST_CRASH_AT=%s: killing myself", name);
		raise(SIGKILL);
	}
}

/**
 * ssrv_xact_begin() - register a transaction as being coordinated
 * @c: core
 * @a: its list node (the caller's until ssrv_xact_end())
 * @txid: its id
 */
void ssrv_xact_begin(struct ssrv_core *c, struct ssrv_xact *a, u64 txid)
{
	a->txid = txid;
	pthread_mutex_lock(&c->lock);
	a->next = c->xacts;
	c->xacts = a;
	pthread_mutex_unlock(&c->lock);
}

/**
 * ssrv_xact_end() - the transaction is decided (or abandoned)
 * @c: core
 * @a: its node
 */
void ssrv_xact_end(struct ssrv_core *c, struct ssrv_xact *a)
{
	struct ssrv_xact **pp;

	pthread_mutex_lock(&c->lock);
	for (pp = &c->xacts; *pp; pp = &(*pp)->next) {
		if (*pp == a) {
			*pp = a->next;
			break;
		}
	}
	pthread_mutex_unlock(&c->lock);
}

static bool xact_running(struct ssrv_core *c, u64 txid)
{
	struct ssrv_xact *a;
	bool yes = false;

	pthread_mutex_lock(&c->lock);
	for (a = c->xacts; a && !yes; a = a->next)
		yes = a->txid == txid;
	pthread_mutex_unlock(&c->lock);
	return yes;
}

/**
 * ssrv_txn_finish_all() - send TXN_FINISH to participants
 * @c: core
 * @epoch: map epoch to send
 * @txid: transaction
 * @vol: volume
 * @decision: %SEALFS_TXN_COMMIT or %SEALFS_TXN_ABORT
 * @srv: participants
 * @n: their count
 * Return: 0 when every one answered OK, else -errno of a failure.
 */
int ssrv_txn_finish_all(struct ssrv_core *c, u64 epoch, u64 txid, u32 vol,
			u32 decision, const u32 *srv, u32 n)
{
	struct sealfs_txn_req q = {
		.txid = cpu_to_le64(txid), .vol = cpu_to_le32(vol),
		.decision = cpu_to_le32(decision),
		.coordinator = cpu_to_le32(c->server_id),
	};
	struct ssrv_peer_res res;
	int rc = 0;
	u32 i;

	for (i = 0; i < n; i++) {
		if (srv[i] == c->server_id) {
			int err = smeta_xtxn_finish(c->meta, txid, decision);

			if (err)
				rc = err;
			continue;
		}
		ssrv_peer_call(c->peers, srv[i], epoch, SEALFS_OP_TXN_FINISH, &q,
			       sizeof(q), NULL, 0, &res);
		if (res.err)
			rc = res.err;
		else if (res.status != SEALFS_S_OK)
			rc = -EAGAIN;
	}
	return rc;
}

static int txn_prepare(struct ssrv_ctx *x)
{
	const struct sealfs_entry_prepare_req *q = x->rq->m.body;
	const struct sealfs_msg *m = &x->rq->m;
	struct sealfs_entry_prepare_rep rep = {};
	u64 parent = le64_to_cpu(q->parent), old = 0;
	u32 flags = le32_to_cpu(q->flags), om = 0;
	int rc;

	if (ssrv_map_owner(x->map, sealfs_key_entry(x->vol->id, parent, m->tail[0],
						      m->tail_len[0])) !=
	    x->c->server_id)
		return ssrv_reply(x, SEALFS_S_WRONG_OWNER, NULL, 0, NULL, 0);
	if (flags & ~SEALFS_PF_KNOWN)
		return ssrv_reply_err(x, -EINVAL);
	rc = smeta_xtxn_prepare_entry(x->c->meta, le64_to_cpu(q->txid),
				      x->vol->id, parent, (const char *)m->tail[0],
				      m->tail_len[0], le64_to_cpu(q->ino),
				      le32_to_cpu(q->mode),
				      flags & SEALFS_PF_NOREPLACE, &old, &om);
	if (rc)
		return ssrv_reply_err(x, rc);
	ssrv_crash_point("prepared");
	rep.old_ino = cpu_to_le64(old);
	rep.old_mode = cpu_to_le32(om);
	return ssrv_reply(x, SEALFS_S_OK, &rep, sizeof(rep), NULL, 0);
}

static int txn_freeze(struct ssrv_ctx *x)
{
	const struct sealfs_dir_freeze_req *q = x->rq->m.body;
	struct sealfs_dir_freeze_rep rep = {};
	u64 n = 0;
	int rc;

	rc = smeta_xtxn_freeze(x->c->meta, le64_to_cpu(q->txid), x->vol->id,
			       le64_to_cpu(q->dir), &n);
	if (rc)
		return ssrv_reply_err(x, rc);
	rep.entries = cpu_to_le64(n);
	return ssrv_reply(x, SEALFS_S_OK, &rep, sizeof(rep), NULL, 0);
}

static int txn_finish(struct ssrv_ctx *x)
{
	const struct sealfs_txn_req *q = x->rq->m.body;
	int rc;

	rc = smeta_xtxn_finish(x->c->meta, le64_to_cpu(q->txid),
			       le32_to_cpu(q->decision));
	slog_info("transaction %llx: %s by its coordinator: %s",
		  (unsigned long long)le64_to_cpu(q->txid),
		  le32_to_cpu(q->decision) == SEALFS_TXN_COMMIT ? "committed" : "aborted",
		  rc ? strerror(-rc) : "done");
	return ssrv_reply(x, sealfs_errno_to_status(rc), NULL, 0, NULL, 0);
}

static u32 txn_state(struct ssrv_core *c, u64 txid)
{
	int rc;

	/* running first: a decision is recorded before the run ends */
	if (xact_running(c, txid))
		return SEALFS_TXN_PENDING;
	rc = smeta_xtxn_decided(c->meta, txid);
	if (rc < 0)
		return SEALFS_TXN_PENDING;
	return rc ? SEALFS_TXN_COMMIT : SEALFS_TXN_UNKNOWN;
}

static int txn_query(struct ssrv_ctx *x)
{
	const struct sealfs_txn_req *q = x->rq->m.body;
	struct sealfs_txn_rep rep = {};
	u64 txid = le64_to_cpu(q->txid);

	if (smeta_txid_coord(txid) != x->c->server_id)
		return ssrv_reply_err(x, -EINVAL);
	rep.state = cpu_to_le32(txn_state(x->c, txid));
	slog_info("transaction %llx: asked, state %u", (unsigned long long)txid,
		  le32_to_cpu(rep.state));
	return ssrv_reply(x, SEALFS_S_OK, &rep, sizeof(rep), NULL, 0);
}

/**
 * ssrv_txn_handle() - a transaction message of another server
 * @x: context (volume checked except for TXN_FINISH and TXN_QUERY)
 * Return: 0 once a reply is built, -ENOMEM otherwise.
 */
int ssrv_txn_handle(struct ssrv_ctx *x)
{
	switch (x->rq->h.opcode) {
	case SEALFS_OP_ENTRY_PREPARE:	return txn_prepare(x);
	case SEALFS_OP_DIR_FREEZE:	return txn_freeze(x);
	case SEALFS_OP_TXN_FINISH:	return txn_finish(x);
	case SEALFS_OP_TXN_QUERY:	return txn_query(x);
	case SEALFS_OP_DIR_WALK:	return ssrv_walk_handle(x);
	default:
		return ssrv_reply_err(x, -EOPNOTSUPP);
	}
}

/* ---- recovery ---- */

/**
 * struct ssrv_recover - the recovery thread
 * @c: core
 * @thread: the thread
 * @lock: protects @stop
 * @cond: wakes the thread for @stop
 * @stop: exit
 */
struct ssrv_recover {
	struct ssrv_core *c;
	pthread_t thread;
	pthread_mutex_t lock;
	pthread_cond_t cond;
	bool stop;
};

struct rec_pass {
	struct ssrv_core *c;
	u64 epoch;
	u64 ids[64];
	u32 n;
};

static void rec_decision(void *arg, u64 txid, u32 vol, const u32 *srv, u32 n)
{
	struct rec_pass *p = arg;

	if (xact_running(p->c, txid))
		return;
	if (!ssrv_txn_finish_all(p->c, p->epoch, txid, vol, SEALFS_TXN_COMMIT,
				 srv, n)) {
		slog_info("transaction %llx: finished", (unsigned long long)txid);
		smeta_xtxn_forget(p->c->meta, txid);
	}
}

static void rec_prepared(void *arg, u64 txid, u64 age)
{
	struct rec_pass *p = arg;
	u32 i;

	if (age < SSRV_TXN_QUERY_AGE || p->n == 64)
		return;
	for (i = 0; i < p->n; i++)
		if (p->ids[i] == txid)
			return;
	p->ids[p->n++] = txid;
}

static void rec_query(struct rec_pass *p, u64 txid)
{
	struct ssrv_core *c = p->c;
	u32 coord = smeta_txid_coord(txid), state;
	struct sealfs_txn_req q = {
		.txid = cpu_to_le64(txid),
		.coordinator = cpu_to_le32(coord),
	};
	struct sealfs_txn_rep rep = {};
	struct ssrv_peer_res res;

	if (coord == c->server_id) {
		state = txn_state(c, txid);
	} else {
		ssrv_peer_call(c->peers, coord, p->epoch, SEALFS_OP_TXN_QUERY, &q,
			       sizeof(q), &rep, sizeof(rep), &res);
		if (res.err || res.status != SEALFS_S_OK || res.len != sizeof(rep))
			return;	/* ask again next time */
		state = le32_to_cpu(rep.state);
	}
	if (state == SEALFS_TXN_PENDING)
		return;
	if (state != SEALFS_TXN_COMMIT)
		state = SEALFS_TXN_ABORT;
	slog_notice("transaction %llx of server %u: %s as its coordinator says",
		    (unsigned long long)txid, coord,
		    state == SEALFS_TXN_COMMIT ? "committed" : "aborted");
	smeta_xtxn_finish(c->meta, txid, state);
}

static void rec_run(struct ssrv_core *c)
{
	struct rec_pass p = { .c = c };
	bool ready;
	u32 i;

	pthread_mutex_lock(&c->lock);
	ready = c->meta && c->map;
	pthread_mutex_unlock(&c->lock);
	p.epoch = ssrv_core_epoch(c);
	if (!ready || !p.epoch)
		return;
	smeta_xtxn_decisions(c->meta, rec_decision, &p);
	smeta_xtxn_prepared(c->meta, rec_prepared, &p);
	for (i = 0; i < p.n; i++)
		rec_query(&p, p.ids[i]);
}

static void *rec_thread(void *arg)
{
	struct ssrv_recover *r = arg;
	struct timespec ts;

	pthread_mutex_lock(&r->lock);
	while (!r->stop) {
		pthread_mutex_unlock(&r->lock);
		rec_run(r->c);
		pthread_mutex_lock(&r->lock);
		clock_gettime(CLOCK_REALTIME, &ts);
		ts.tv_sec += 1;
		if (!r->stop)
			pthread_cond_timedwait(&r->cond, &r->lock, &ts);
	}
	pthread_mutex_unlock(&r->lock);
	return NULL;
}

/**
 * ssrv_recover_start() - start the recovery thread
 * @c: core (with its peers)
 * @rp: the thread's handle
 * Return: 0 or -errno.
 */
int ssrv_recover_start(struct ssrv_core *c, struct ssrv_recover **rp)
{
	struct ssrv_recover *r = calloc(1, sizeof(*r));
	int rc;

	if (!r)
		return -ENOMEM;
	r->c = c;
	pthread_mutex_init(&r->lock, NULL);
	pthread_cond_init(&r->cond, NULL);
	rc = -pthread_create(&r->thread, NULL, rec_thread, r);
	if (rc) {
		free(r);
		return rc;
	}
	*rp = r;
	return 0;
}

/**
 * ssrv_recover_stop() - stop the recovery thread; runs @loop meanwhile
 * (the thread may be waiting for a peer call)
 * @r: handle, or %NULL
 * @loop: the event loop, on its thread
 */
void ssrv_recover_stop(struct ssrv_recover *r, struct sloop *loop)
{
	if (!r)
		return;
	pthread_mutex_lock(&r->lock);
	r->stop = true;
	pthread_cond_signal(&r->cond);
	pthread_mutex_unlock(&r->lock);
	while (pthread_tryjoin_np(r->thread, NULL) == EBUSY)
		sloop_run_once(loop, 50);
	pthread_mutex_destroy(&r->lock);
	pthread_cond_destroy(&r->cond);
	free(r);
}
