// SPDX-License-Identifier: Apache-2.0
/*
 * ssrv_peer: calls from this server to the other servers (the messages of
 * cross-server transactions, and LINK's INODE_UPDATE).
 *
 * One srpc connection per peer server, opened on first use to the TCP
 * address the map gives, with HELLO role SERVER (no client id: transaction
 * messages carry their own ids). Connections live on the loop thread. A
 * worker thread calls ssrv_peer_call(): the call is handed to the loop
 * with sloop_post() and the worker waits for its completion on a
 * condition variable; the loop thread never waits. Every call carries the
 * epoch of the map the caller works with; a connection that drops is
 * forgotten and the next call opens a new one.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "server/ssrv.h"
#include "slog.h"
#include "srpc.h"

#define PEER_TIMEOUT_MS	5000u

struct plink;

/**
 * struct pcall - one call of a worker
 * @next: queue link while the connection says HELLO
 * @ps: the peers
 * @srv: server id called
 * @epoch: map epoch sent
 * @call: the request
 * @rep: where the reply body goes
 * @cap: its size
 * @out: the result
 * @done: completed
 */
struct pcall {
	struct pcall *next;
	struct ssrv_peers *ps;
	u32 srv;
	u64 epoch;
	struct srpc_call call;
	void *rep;
	u32 cap;
	struct ssrv_peer_res out;
	bool done;
};

/**
 * struct plink - the connection to one server
 * @next: list link
 * @ps: the peers
 * @id: server id
 * @r: the connection
 * @up: HELLO answered
 * @wait: calls waiting for HELLO
 */
struct plink {
	struct plink *next;
	struct ssrv_peers *ps;
	u32 id;
	struct srpc *r;
	bool up;
	struct pcall *wait;
};

/**
 * struct ssrv_peers - the connections to the other servers
 * @loop: event loop
 * @core: storage core
 * @links: open connections (loop thread)
 * @lock: protects the completion of calls
 * @cond: signals completions
 */
struct ssrv_peers {
	struct sloop *loop;
	struct ssrv_core *core;
	struct plink *links;
	pthread_mutex_t lock;
	pthread_cond_t cond;
};

static void pcall_complete(struct pcall *pc, int err)
{
	struct ssrv_peers *ps = pc->ps;

	pthread_mutex_lock(&ps->lock);
	if (err)
		pc->out.err = err;
	pc->done = true;
	pthread_cond_broadcast(&ps->cond);
	pthread_mutex_unlock(&ps->lock);
}

static void plink_free_later(struct sloop *loop, void *arg)
{
	(void)loop;
	srpc_free(arg);
}

/* Forgets a connection; its waiting calls fail with @err. */
static void plink_drop(struct plink *l, int err)
{
	struct plink **pp;
	struct pcall *pc;

	for (pp = &l->ps->links; *pp; pp = &(*pp)->next) {
		if (*pp == l) {
			*pp = l->next;
			break;
		}
	}
	while ((pc = l->wait)) {
		l->wait = pc->next;
		pcall_complete(pc, err);
	}
	if (l->r && sloop_post(l->ps->loop, plink_free_later, l->r))
		slog_warn("server %u: connection not freed", l->id);
	free(l);
}

static void pcall_done(struct srpc *r, int err, const struct sealfs_hdr_info *h,
		       const struct sealfs_msg *m, struct sconn_buf *payload,
		       void *arg)
{
	struct pcall *pc = arg;

	(void)r;
	(void)payload;
	if (h) {
		pc->out.status = h->status;
		pc->out.epoch = h->epoch;
		if (h->status == SEALFS_S_OK && m && m->body_len) {
			pc->out.len = m->body_len < pc->cap ? m->body_len : pc->cap;
			memcpy(pc->rep, m->body, pc->out.len);
		}
		err = 0;
	}
	pcall_complete(pc, err);
}

static void pcall_send(struct plink *l, struct pcall *pc)
{
	int rc;

	srpc_set_epoch(l->r, pc->epoch);
	rc = srpc_call(l->r, &pc->call, pcall_done, pc, NULL);
	if (rc)
		pcall_complete(pc, rc);
}

static void plink_hello_done(struct srpc *r, int err,
			     const struct srpc_peer *peer, void *arg)
{
	struct plink *l = arg;
	struct pcall *pc;

	(void)r;
	if (!err && peer->server_id != l->id)
		err = -ESTALE;	/* another server behind that address */
	if (err) {
		slog_warn("server %u: HELLO failed: %s", l->id, strerror(-err));
		plink_drop(l, err);
		return;
	}
	l->up = true;
	while ((pc = l->wait)) {
		l->wait = pc->next;
		pcall_send(l, pc);
	}
}

static void plink_down(struct srpc *r, int err, void *arg)
{
	struct ssrv_peers *ps = arg;
	struct plink *l;

	for (l = ps->links; l; l = l->next)
		if (l->r == r)
			break;
	if (!l)
		return;
	slog_debug("server %u: connection closed: %s", l->id, strerror(-err));
	plink_drop(l, err ? err : -ECONNRESET);
}

static void addr_text(const struct ssrv_map_srv *s, char *buf, size_t len)
{
	const struct sealfs_addr *a = &s->addr[SEALFS_TRANSPORT_TCP];
	char ip[INET6_ADDRSTRLEN];

	if (le16_to_cpu(a->family) == SEALFS_AF_INET6) {
		inet_ntop(AF_INET6, a->addr, ip, sizeof(ip));
		snprintf(buf, len, "[%s]:%u", ip, le16_to_cpu(a->port));
	} else {
		inet_ntop(AF_INET, a->addr, ip, sizeof(ip));
		snprintf(buf, len, "%s:%u", ip, le16_to_cpu(a->port));
	}
}

static struct plink *plink_open(struct ssrv_peers *ps, u32 id, int *err)
{
	struct srpc_opts o = {
		.role = SEALFS_ROLE_SERVER, .timeout_ms = PEER_TIMEOUT_MS,
		.down = plink_down, .arg = ps,
	};
	struct ssrv_map *map = ssrv_core_map(ps->core);
	const struct ssrv_map_srv *s = map ? ssrv_map_srv(map, id) : NULL;
	char addr[96], msg[SCONN_ERR_MAX];
	struct plink *l;

	*err = -EHOSTUNREACH;
	if (!s) {
		ssrv_map_put(map);
		return NULL;
	}
	addr_text(s, addr, sizeof(addr));
	ssrv_map_put(map);
	l = calloc(1, sizeof(*l));
	if (!l) {
		*err = -ENOMEM;
		return NULL;
	}
	l->ps = ps;
	l->id = id;
	*err = srpc_connect(ps->loop, addr, 0, &o, &l->r, msg, sizeof(msg));
	if (!*err)
		*err = srpc_hello(l->r, plink_hello_done, l);
	if (*err) {
		slog_warn("server %u at %s: %s", id, addr, strerror(-*err));
		if (l->r)
			srpc_free(l->r);
		free(l);
		return NULL;
	}
	l->next = ps->links;
	ps->links = l;
	return l;
}

static void pcall_start(struct sloop *loop, void *arg)
{
	struct pcall *pc = arg;
	struct ssrv_peers *ps = pc->ps;
	struct plink *l;
	int err;

	(void)loop;
	for (l = ps->links; l; l = l->next)
		if (l->id == pc->srv)
			break;
	if (!l && !(l = plink_open(ps, pc->srv, &err))) {
		pcall_complete(pc, err);
		return;
	}
	if (l->up) {
		pcall_send(l, pc);
		return;
	}
	pc->next = l->wait;
	l->wait = pc;
}

/**
 * ssrv_peers_new() - the peer connections of a server
 * @loop: event loop
 * @core: storage core (its map gives the addresses)
 * @psp: the peers
 * Return: 0 or -ENOMEM.
 */
int ssrv_peers_new(struct sloop *loop, struct ssrv_core *core,
		   struct ssrv_peers **psp)
{
	struct ssrv_peers *ps = calloc(1, sizeof(*ps));

	if (!ps)
		return -ENOMEM;
	ps->loop = loop;
	ps->core = core;
	pthread_mutex_init(&ps->lock, NULL);
	pthread_cond_init(&ps->cond, NULL);
	*psp = ps;
	return 0;
}

/**
 * ssrv_peers_free() - close every peer connection (loop thread, no call
 * in flight)
 * @ps: the peers, or %NULL
 */
void ssrv_peers_free(struct ssrv_peers *ps)
{
	struct plink *l;

	if (!ps)
		return;
	while ((l = ps->links)) {
		ps->links = l->next;
		srpc_free(l->r);
		free(l);
	}
	pthread_mutex_destroy(&ps->lock);
	pthread_cond_destroy(&ps->cond);
	free(ps);
}

/**
 * ssrv_peer_call() - one request to another server, from a worker thread
 * @ps: the peers
 * @srv: server id
 * @epoch: map epoch to send
 * @op: opcode
 * @req: request payload (body and tails)
 * @len: its size
 * @rep: where the reply body goes
 * @cap: its size
 * @res: the outcome: @res->err is 0 when a reply came (its status in
 *	@res->status), else the transport error
 *
 * Context: a worker thread, never the loop thread (it blocks until the
 * reply, the call's timeout or the connection's end).
 */
void ssrv_peer_call(struct ssrv_peers *ps, u32 srv, u64 epoch, u16 op,
		    const void *req, u32 len, void *rep, u32 cap,
		    struct ssrv_peer_res *res)
{
	struct pcall pc = {
		.ps = ps, .srv = srv, .epoch = epoch,
		.call = { .opcode = op, .payload = req, .len = len },
		.rep = rep, .cap = cap,
	};

	if (!ps) {
		memset(res, 0, sizeof(*res));
		res->err = -ENOTCONN;
		return;
	}
	if (sloop_post(ps->loop, pcall_start, &pc)) {
		memset(res, 0, sizeof(*res));
		res->err = -ENOMEM;
		return;
	}
	pthread_mutex_lock(&ps->lock);
	while (!pc.done)
		pthread_cond_wait(&ps->cond, &ps->lock);
	pthread_mutex_unlock(&ps->lock);
	*res = pc.out;
}
