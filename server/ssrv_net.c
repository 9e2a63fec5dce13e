// SPDX-License-Identifier: Apache-2.0
/*
 * ssrv_net: the TCP front end of sealfs-server.
 *
 * The loop thread accepts connections, answers HELLO itself (binding the
 * client id to the connection when REPLAY is negotiated) and queues every
 * other request, with its payload taken from the connection
 * (sconn_buf_steal()) and a reference on the connection, to a pool of
 * worker threads. A worker runs ssrv_handle() and hands the finished reply
 * back with sloop_post(); the loop sends it if the connection is still
 * open. Replies leave in completion order; the peer matches them by
 * request id. A connection with %SSRV_PEER_INFLIGHT requests in the pool
 * stops being read (TCP holds the peer back) until half of them are done.
 *
 * Requests of other servers (the cross-server transaction messages,
 * opcodes from %SEALFS_OP_ENTRY_PREPARE up) have a queue of their own,
 * which the workers serve first and %SSRV_SRV_WORKERS more threads serve
 * alone. Their handlers only touch this server's store, while a worker
 * coordinating a transaction waits for other servers' answers: were both
 * in one queue, servers whose workers all coordinate would wait for each
 * other until their calls time out.
 *
 * Once ssrv_net_stop() has begun, new requests are answered NOTREADY
 * rather than queued: the workers drain the queue and exit.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

#include "server/ssrv.h"
#include "sconn.h"
#include "slog.h"
#include "ssess.h"

/* Requests of one connection in the pool before reading from it stops. */
#define SSRV_PEER_INFLIGHT	64
/* Threads that serve only the requests of other servers. */
#define SSRV_SRV_WORKERS	2

struct ssrv_net;

/**
 * struct speer - one accepted connection
 * @n: the front end
 * @c: the connection
 * @next: next peer
 * @sess: HELLO and what it negotiated (replay identity, payload limit)
 * @inflight: requests of this connection in the pool
 * @paused: reading stopped because of @inflight
 * @closed: the connection closed; freed when @inflight drops to 0
 */
struct speer {
	struct ssrv_net *n;
	struct sconn *c;
	struct speer *next;
	struct ssess sess;
	u32 inflight;
	bool paused;
	bool closed;
};

/**
 * struct swork - a request on its way through the pool
 * @next: queue link
 * @n: the front end
 * @p: the connection's peer (kept while requests are in flight)
 * @c: the connection (referenced)
 * @rq: the request
 * @payload: its payload memory
 * @rep: the reply
 */
struct swork {
	struct swork *next;
	struct ssrv_net *n;
	struct speer *p;
	struct sconn *c;
	struct ssrv_req rq;
	void *payload;
	struct ssrv_rep rep;
};

/**
 * struct swork_queue - requests waiting for a thread
 * @head: the oldest
 * @tail: the newest
 */
struct swork_queue {
	struct swork *head, *tail;
};

/**
 * struct ssrv_net - the front end
 * @loop: event loop
 * @core: storage core
 * @l: listener
 * @peers: open connections
 * @lock: protects the queues and @stopping
 * @cond: signals the workers
 * @srv_cond: signals the threads that serve only @srv
 * @cli: requests of clients
 * @srv: requests of other servers
 * @stopping: workers exit when the queues are empty
 * @nthreads: threads started, workers first
 * @threads: their ids
 * @inflight: requests queued or running or posted back
 */
struct ssrv_net {
	struct sloop *loop;
	struct ssrv_core *core;
	struct slisten *l;
	struct speer *peers;
	pthread_mutex_t lock;
	pthread_cond_t cond;
	pthread_cond_t srv_cond;
	struct swork_queue cli, srv;
	bool stopping;
	unsigned int nthreads;
	pthread_t *threads;
	atomic_long inflight;
};

static void net_done(struct sloop *loop, void *arg)
{
	struct swork *w = arg;
	struct iovec iov = { .iov_base = w->rep.msg, .iov_len = w->rep.len };
	int rc;

	(void)loop;
	if (w->rep.msg && sconn_is_open(w->c)) {
		rc = sconn_sendv(w->c, &iov, 1, NULL, 0, NULL, NULL, NULL);
		if (rc)
			slog_warn("%s: cannot send %s reply: %s", sconn_name(w->c),
				  sealfs_op_name(w->rq.h.opcode), strerror(-rc));
	} else if (!w->rep.msg && sconn_is_open(w->c)) {
		sconn_send_status(w->c, &w->rq.h, SEALFS_S_NOMEM,
				  ssrv_core_epoch(w->n->core));
	}
	w->p->inflight--;
	if (w->p->closed) {
		if (!w->p->inflight)
			free(w->p);
	} else if (w->p->paused && w->p->inflight <= SSRV_PEER_INFLIGHT / 2) {
		w->p->paused = false;
		sconn_read_start(w->c);
	}
	sconn_put(w->c);
	free(w->rep.msg);
	free(w->payload);
	atomic_fetch_sub(&w->n->inflight, 1);
	free(w);
}

static struct swork *queue_pop(struct swork_queue *q)
{
	struct swork *w = q->head;

	if (w) {
		q->head = w->next;
		if (!q->head)
			q->tail = NULL;
	}
	return w;
}

static void queue_push(struct swork_queue *q, struct swork *w)
{
	if (q->tail)
		q->tail->next = w;
	else
		q->head = w;
	q->tail = w;
}

/* Server-to-server requests: handled without waiting for other servers. */
static bool net_srv_op(u16 opcode)
{
	return opcode >= SEALFS_OP_ENTRY_PREPARE;
}

static void net_run(struct ssrv_net *n, struct swork *w)
{
	if (ssrv_handle(n->core, &w->rq, &w->rep)) {
		free(w->rep.msg);
		w->rep.msg = NULL;
	}
	while (sloop_post(n->loop, net_done, w))
		;	/* -ENOMEM: nothing better to do than retry */
}

static void *net_worker(void *arg)
{
	struct ssrv_net *n = arg;
	struct swork *w;

	for (;;) {
		pthread_mutex_lock(&n->lock);
		while (!n->srv.head && !n->cli.head && !n->stopping)
			pthread_cond_wait(&n->cond, &n->lock);
		w = queue_pop(&n->srv);
		if (!w)
			w = queue_pop(&n->cli);
		pthread_mutex_unlock(&n->lock);
		if (!w)
			return NULL;
		net_run(n, w);
	}
}

static void *net_srv_worker(void *arg)
{
	struct ssrv_net *n = arg;
	struct swork *w;

	for (;;) {
		pthread_mutex_lock(&n->lock);
		while (!n->srv.head && !n->stopping)
			pthread_cond_wait(&n->srv_cond, &n->lock);
		w = queue_pop(&n->srv);
		pthread_mutex_unlock(&n->lock);
		if (!w)
			return NULL;
		net_run(n, w);
	}
}

static void net_msg(struct sconn *c, const struct sealfs_hdr_info *h,
		    const struct sealfs_msg *m, struct sconn_buf *payload,
		    void *arg)
{
	struct speer *p = arg;
	struct ssrv_net *n = p->n;
	struct ssess_self self = {
		.role = SEALFS_ROLE_SERVER, .boot_id = n->core->boot_id,
		.server_id = n->core->server_id,
	};
	struct swork *w;
	bool stopping;

	if (ssess_gate(&p->sess, c, &self, ssrv_core_epoch(n->core), h, m))
		return;
	/*
	 * Stopping: the workers may be gone already, and a request queued
	 * now would never be answered nor let ssrv_net_stop() finish. It did
	 * not run; the sender tries again.
	 */
	pthread_mutex_lock(&n->lock);
	stopping = n->stopping;
	pthread_mutex_unlock(&n->lock);
	if (stopping) {
		sconn_send_status(c, h, SEALFS_S_NOTREADY, ssrv_core_epoch(n->core));
		return;
	}
	w = calloc(1, sizeof(*w));
	if (!w) {
		sconn_send_status(c, h, SEALFS_S_NOMEM, ssrv_core_epoch(n->core));
		return;
	}
	w->n = n;
	w->p = p;
	w->c = c;
	w->rq.h = *h;
	w->rq.m = *m;		/* points into the payload, which we keep */
	w->rq.client_id = p->sess.client_id;
	w->rq.max_payload = p->sess.max_payload;
	w->rq.role = p->sess.role;
	w->payload = sconn_buf_steal(payload);
	sconn_get(c);
	if (++p->inflight >= SSRV_PEER_INFLIGHT && !p->paused) {
		p->paused = true;
		sconn_read_stop(c);
	}
	atomic_fetch_add(&n->inflight, 1);
	pthread_mutex_lock(&n->lock);
	if (net_srv_op(h->opcode)) {
		queue_push(&n->srv, w);
		pthread_cond_signal(&n->srv_cond);
	} else {
		queue_push(&n->cli, w);
	}
	pthread_cond_signal(&n->cond);
	pthread_mutex_unlock(&n->lock);
}

static void net_error(struct sconn *c, int err, const struct sealfs_hdr_info *h,
		      void *arg)
{
	struct speer *p = arg;

	ssess_error(c, err, h, ssrv_core_epoch(p->n->core));
}

static void net_closed(struct sconn *c, int err, void *arg)
{
	struct speer *p = arg, **pp;

	if (err)
		slog_debug("%s: closed: %s", sconn_name(c), strerror(-err));
	for (pp = &p->n->peers; *pp; pp = &(*pp)->next) {
		if (*pp == p) {
			*pp = p->next;
			break;
		}
	}
	p->closed = true;
	if (!p->inflight)
		free(p);
}

static const struct sconn_cbs net_cbs = {
	.msg = net_msg,
	.error = net_error,
	.closed = net_closed,
};

static void net_accept(struct slisten *l, struct sconn *c, void *arg)
{
	struct ssrv_net *n = arg;
	struct speer *p;

	(void)l;
	p = calloc(1, sizeof(*p));
	if (!p)
		return;
	p->n = n;
	p->c = c;
	ssess_init(&p->sess);
	p->next = n->peers;
	n->peers = p;
	sconn_set_owner(c, &net_cbs, p);
}

/**
 * ssrv_net_start() - listen and serve with a worker pool
 * @loop: event loop
 * @core: storage core
 * @listen: HOST:PORT (port 0: any)
 * @threads: workers, at least 1 (and %SSRV_SRV_WORKERS more threads for
 *	the requests of other servers)
 * @np: the front end
 * @err: room for the reason of a failure
 * @errlen: its size
 * Return: 0 or -errno.
 */
int ssrv_net_start(struct sloop *loop, struct ssrv_core *core,
		   const char *listen, unsigned int threads,
		   struct ssrv_net **np, char *err, size_t errlen)
{
	struct ssrv_net *n;
	unsigned int i;
	int rc;

	threads = threads ? threads : 1;
	n = calloc(1, sizeof(*n));
	if (!n || !(n->threads = calloc(threads + SSRV_SRV_WORKERS, sizeof(pthread_t)))) {
		free(n);
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	n->loop = loop;
	n->core = core;
	pthread_mutex_init(&n->lock, NULL);
	pthread_cond_init(&n->cond, NULL);
	pthread_cond_init(&n->srv_cond, NULL);
	rc = slisten_tcp(loop, listen, NULL, net_accept, n, &n->l, err, errlen);
	if (rc)
		goto fail;
	for (i = 0; i < threads + SSRV_SRV_WORKERS; i++) {
		rc = -pthread_create(&n->threads[i], NULL,
				     i < threads ? net_worker : net_srv_worker, n);
		if (rc) {
			snprintf(err, errlen, "cannot start workers: %s", strerror(-rc));
			n->nthreads = i;
			ssrv_net_stop(n);
			return rc;
		}
		n->nthreads = i + 1;
	}
	*np = n;
	return 0;
fail:
	free(n->threads);
	free(n);
	return rc;
}

/**
 * ssrv_net_port() - the listening port
 * @n: the front end
 * Return: the port.
 */
u16 ssrv_net_port(const struct ssrv_net *n)
{
	return slisten_port(n->l);
}

/**
 * ssrv_net_stop() - stop listening, finish queued requests, close every
 * connection and free
 * @n: the front end
 */
void ssrv_net_stop(struct ssrv_net *n)
{
	struct speer *p;
	unsigned int i;

	if (n->l)
		slisten_close(n->l);
	pthread_mutex_lock(&n->lock);
	n->stopping = true;
	pthread_cond_broadcast(&n->cond);
	pthread_cond_broadcast(&n->srv_cond);
	pthread_mutex_unlock(&n->lock);
	/* a worker may wait for a call to another server: keep the loop going */
	for (i = 0; i < n->nthreads; i++)
		while (pthread_tryjoin_np(n->threads[i], NULL) == EBUSY)
			sloop_run_once(n->loop, 50);
	while (atomic_load(&n->inflight))
		sloop_run_once(n->loop, 100);
	for (p = n->peers; p; p = p->next)
		sconn_close(p->c, 0);
	while (n->peers)
		sloop_run_once(n->loop, 100);
	pthread_mutex_destroy(&n->lock);
	pthread_cond_destroy(&n->cond);
	pthread_cond_destroy(&n->srv_cond);
	free(n->threads);
	free(n);
}
