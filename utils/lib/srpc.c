// SPDX-License-Identifier: Apache-2.0
/*
 * srpc calls: submit, match replies by request id, time out, fail on
 * connection loss. See srpc.h.
 *
 * A call that has an outcome goes on the completion queue, which is run at
 * the end of every entry point (reply, error, timeout, close, sent), so no
 * callback runs while the tables are being walked, and a callback may call
 * srpc_call() or srpc_free() freely. A call whose data the connection
 * still references waits off the queue until its sent callback.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "slog.h"
#include "srpc_int.h"

/**
 * srpc_session_init() - set up a client identity
 * @s: the session; it must outlive the srpc instances that use it
 * @client_id: random and non-zero for replay protection, 0 to opt out
 *
 * Context: any.
 */
void srpc_session_init(struct srpc_session *s, u64 client_id)
{
	s->client_id = client_id;
	atomic_init(&s->next_req_id, 1);
}

void srpc__hold(struct srpc *r)
{
	r->depth++;
}

void srpc__release(struct srpc *r)
{
	if (--r->depth || !r->freed || r->nreqs)
		return;
	free(r->tab);
	free(r);
}

static void srpc_req_unlink(struct srpc *r, struct srpc_req *q)
{
	if (q->prev)
		q->prev->next = q->next;
	else
		r->reqs = q->next;
	if (q->next)
		q->next->prev = q->prev;
	else
		r->reqs_tail = q->prev;
	r->nreqs--;
}

/* Frees a call that was told its outcome and whose data is released. */
static void srpc_req_maybe_free(struct srpc_req *q)
{
	if (q->done || q->wmsg || q->in_table || q->queued)
		return;
	srpc_req_unlink(q->r, q);
	free(q->payload);
	free(q);
}

static bool srpc_data_busy(const struct srpc_req *q)
{
	return q->wmsg && q->r->up;
}

static void srpc_cq_push(struct srpc *r, struct srpc_req *q)
{
	if (q->queued || !q->done)
		return;
	q->queued = true;
	q->cqnext = NULL;
	if (r->cq_tail)
		r->cq_tail->cqnext = q;
	else
		r->cq_head = q;
	r->cq_tail = q;
}

/* Records the outcome of a call; its callback runs from srpc_run_cq(). */
static void srpc_finish(struct srpc_req *q, int err,
			const struct sealfs_hdr_info *h,
			const struct sealfs_msg *m, struct sconn_buf *pb)
{
	struct srpc *r = q->r;

	srpc__tab_remove(r, q);
	sloop_timer_cancel(&q->timer);
	if (q->finished)
		return;
	q->finished = true;
	q->err = err;
	if (h) {
		q->replied = true;
		q->h = *h;
		q->m = *m;
		q->payload = pb ? sconn_buf_steal(pb) : NULL;
	}
	if (!srpc_data_busy(q))
		srpc_cq_push(r, q);
}

static void srpc_deliver(struct srpc_req *q)
{
	srpc_done_fn done = q->done;
	struct sconn_buf b = { .data = q->payload, .len = q->h.len };

	if (!done)
		return;
	q->done = NULL;
	q->payload = NULL;
	if (q->replied)
		done(q->r, q->err, &q->h, &q->m, &b, q->arg);
	else
		done(q->r, q->err, NULL, NULL, NULL, q->arg);
	free(b.data);
	srpc_req_maybe_free(q);
}

static void srpc_run_cq(struct srpc *r)
{
	struct srpc_req *q;

	while ((q = r->cq_head)) {
		r->cq_head = q->cqnext;
		if (!r->cq_head)
			r->cq_tail = NULL;
		q->cqnext = NULL;
		q->queued = false;
		srpc_deliver(q);
	}
}

/* ---- connection callbacks ------------------------------------------------ */

static void srpc_on_connected(struct sconn *c, int err, void *arg)
{
	struct srpc *r = arg;

	(void)c;
	if (!err)
		r->was_open = true;
}

static void srpc_on_msg(struct sconn *c, const struct sealfs_hdr_info *h,
			const struct sealfs_msg *m, struct sconn_buf *payload,
			void *arg)
{
	struct srpc *r = arg;
	struct srpc_req *q;

	srpc__hold(r);
	if (!(h->flags & SEALFS_HF_REPLY)) {
		slog_debug("%s: %s request from a server: not supported",
			   sconn_name(c), sealfs_op_name(h->opcode));
		sconn_send_status(c, h, SEALFS_S_NOTSUPP, r->epoch);
	} else if (!(q = srpc__tab_find(r, h->req_id))) {
		slog_debug("%s: %s reply to request id %llu, which is not pending (timed out?): dropped",
			   sconn_name(c), sealfs_op_name(h->opcode),
			   (unsigned long long)h->req_id);
	} else if (q->opcode != h->opcode) {
		slog_warn("%s: %s reply to %s request id %llu", sconn_name(c),
			  sealfs_op_name(h->opcode), sealfs_op_name(q->opcode),
			  (unsigned long long)h->req_id);
		srpc_finish(q, -EPROTO, NULL, NULL, NULL);
	} else {
		srpc_finish(q, sealfs_status_to_errno(h->status), h, m, payload);
	}
	srpc_run_cq(r);
	srpc__release(r);
}

static void srpc_on_error(struct sconn *c, int err,
			  const struct sealfs_hdr_info *h, void *arg)
{
	struct srpc *r = arg;
	struct srpc_req *q;

	if (!h)
		return;
	srpc__hold(r);
	if (h->flags & SEALFS_HF_REPLY) {
		q = srpc__tab_find(r, h->req_id);
		if (q)
			srpc_finish(q, -EPROTO, NULL, NULL, NULL);
	} else {
		sconn_send_status(c, h, err == -EPROTONOSUPPORT ? SEALFS_S_VERSION :
				  err == -EOPNOTSUPP ? SEALFS_S_NOTSUPP :
				  SEALFS_S_BADMSG, r->epoch);
	}
	srpc_run_cq(r);
	srpc__release(r);
}

static void srpc_on_closed(struct sconn *c, int err, void *arg)
{
	struct srpc *r = arg;
	int e = r->was_open || !err ? -ECONNRESET : err;
	struct srpc_req *q;

	(void)c;
	srpc__hold(r);
	r->up = false;
	for (q = r->reqs; q; q = q->next) {
		if (q->in_table)
			srpc_finish(q, e, NULL, NULL, NULL);
		else if (q->finished)
			srpc_cq_push(r, q);	/* its data is released now */
	}
	srpc_run_cq(r);
	if (r->opts.down && !r->freed)
		r->opts.down(r, err, r->opts.arg);
	srpc__release(r);
}

static const struct sconn_cbs srpc_cbs = {
	.connected	= srpc_on_connected,
	.msg		= srpc_on_msg,
	.error		= srpc_on_error,
	.closed		= srpc_on_closed,
};

/* ---- setup ------------------------------------------------------------- */

static int srpc_alloc(struct sloop *loop, const struct srpc_opts *opts,
		      struct srpc **rp)
{
	struct srpc *r = calloc(1, sizeof(*r));

	if (!r)
		return -ENOMEM;
	if (opts)
		r->opts = *opts;
	if (!r->opts.timeout_ms)
		r->opts.timeout_ms = SRPC_DEF_TIMEOUT_MS;
	if (!r->opts.role)
		r->opts.role = SEALFS_ROLE_CLIENT;
	if (!r->opts.max_payload || r->opts.max_payload > SEALFS_MAX_PAYLOAD)
		r->opts.max_payload = SEALFS_MAX_PAYLOAD;
	r->loop = loop;
	r->session = r->opts.session;
	if (!r->session) {
		srpc_session_init(&r->own_session, 0);
		r->session = &r->own_session;
	}
	r->send_max = SEALFS_MAX_PAYLOAD;
	if (srpc__tab_init(r)) {
		free(r);
		return -ENOMEM;
	}
	*rp = r;
	return 0;
}

/**
 * srpc_connect() - connect to a server or the manager
 * @loop: the loop
 * @hostport: "HOST:PORT" (see sconn_parse_addr())
 * @default_port: port when @hostport has none (%SEALFS_SERVER_PORT,
 *	%SEALFS_MANAGER_PORT), 0 for none
 * @opts: options, or %NULL
 * @rp: set to the client; calls may be made at once (they are sent when
 *	the connect completes), HELLO first (srpc_hello())
 * @err: set to an error text on failure; may be %NULL
 * @errlen: room in @err (%SCONN_ERR_MAX is enough)
 *
 * If the connect fails later, pending calls fail with its error.
 *
 * Context: loop thread.
 * Return: 0 or -errno.
 */
int srpc_connect(struct sloop *loop, const char *hostport, u16 default_port,
		 const struct srpc_opts *opts, struct srpc **rp, char *err,
		 size_t errlen)
{
	struct sconn *c;
	struct srpc *r;
	int e;

	e = srpc_alloc(loop, opts, &r);
	if (e) {
		if (err && errlen)
			snprintf(err, errlen, "%s", strerror(-e));
		return e;
	}
	e = sconn_tcp_connect(loop, hostport, default_port, &r->opts.conn,
			      &srpc_cbs, r, &c, err, errlen);
	if (e) {
		free(r->tab);
		free(r);
		return e;
	}
	sconn_get(c);
	r->c = c;
	r->up = true;
	*rp = r;
	return 0;
}

/**
 * srpc_attach() - run the client side on an open connection
 * @c: the connection (e.g. from sconn_tcp_adopt()); the srpc becomes its
 *	owner and holds a reference
 * @opts: options, or %NULL (@opts->conn is not used)
 * @rp: set to the client
 *
 * Context: loop thread.
 * Return: 0, -ENOTCONN when @c is closing or closed, or -ENOMEM.
 */
int srpc_attach(struct sconn *c, const struct srpc_opts *opts,
		struct srpc **rp)
{
	struct srpc *r;
	int err;

	if (!sconn_is_open(c))
		return -ENOTCONN;
	err = srpc_alloc(sconn_loop(c), opts, &r);
	if (err)
		return err;
	sconn_get(c);
	r->c = c;
	r->up = true;
	r->was_open = true;
	sconn_set_owner(c, &srpc_cbs, r);
	*rp = r;
	return 0;
}

/**
 * srpc_free() - close the connection and free the client
 * @r: the client, or %NULL
 *
 * Pending calls complete with -ECANCELED before it returns (calls that had
 * an outcome but waited for their data get that outcome). The @down
 * callback is not called. Memory still referenced by the connection's
 * queue is released from the loop later.
 *
 * Context: loop thread, also from an srpc callback.
 */
void srpc_free(struct srpc *r)
{
	struct srpc_req *q;

	if (!r || r->freed)
		return;
	srpc__hold(r);
	r->freed = true;
	r->up = false;
	sconn_set_owner(r->c, NULL, NULL);
	sconn_close(r->c, -ECANCELED);
	for (q = r->reqs; q; q = q->next) {
		if (q->wmsg && !sconn_cancel(r->c, q->wmsg))
			q->wmsg = NULL;
		if (q->in_table)
			srpc_finish(q, -ECANCELED, NULL, NULL, NULL);
		else if (q->finished)
			srpc_cq_push(r, q);
	}
	srpc_run_cq(r);
	sconn_put(r->c);
	r->c = NULL;
	srpc__release(r);
}

/* ---- calls --------------------------------------------------------------- */

static void srpc_timeout(struct sloop_timer *t, void *arg)
{
	struct srpc_req *q = arg;
	struct srpc *r = q->r;

	(void)t;
	srpc__hold(r);
	slog_debug("%s: %s request id %llu timed out", sconn_name(r->c),
		   sealfs_op_name(q->opcode), (unsigned long long)q->id);
	if (q->wmsg && !sconn_cancel(r->c, q->wmsg))
		q->wmsg = NULL;
	srpc_finish(q, -ETIMEDOUT, NULL, NULL, NULL);
	srpc_run_cq(r);
	srpc__release(r);
}

static void srpc_sent(struct sconn *c, int err, void *arg)
{
	struct srpc_req *q = arg;
	struct srpc *r = q->r;

	(void)c;
	(void)err;
	srpc__hold(r);
	q->wmsg = NULL;
	if (q->finished && q->done) {
		srpc_cq_push(r, q);
		srpc_run_cq(r);		/* frees q after its callback */
	} else {
		srpc_req_maybe_free(q);
	}
	srpc__release(r);
}

/**
 * srpc_call() - send a request
 * @r: the client
 * @call: the request
 * @done: called once with the outcome (see srpc.h)
 * @arg: for @done
 * @req_id: set to the request id (keep it to resend); may be %NULL
 *
 * Context: loop thread.
 * Return: 0; -ENOTCONN when the connection is down; -EINVAL for a bad
 * argument; -EMSGSIZE when the payload exceeds the negotiated limit;
 * -EEXIST when @call->req_id is pending already; -ENOMEM. On error @done
 * is never called.
 */
int srpc_call(struct srpc *r, const struct srpc_call *call, srpc_done_fn done,
	      void *arg, u64 *req_id)
{
	struct sealfs_hdr_info h = { 0 };
	u8 raw[SEALFS_HDR_SIZE];
	struct iovec copy[2];
	struct srpc_req *q;
	u64 len = 0;
	unsigned int i;
	u32 timeout;
	int err;

	if (r->freed || !r->up)
		return -ENOTCONN;
	if (!call || !done || (call->len && !call->payload) ||
	    (call->ndata && !call->data) || (call->flags & ~SEALFS_HF_RETRY))
		return -EINVAL;
	len = call->len;
	for (i = 0; i < call->ndata; i++)
		len += call->data[i].iov_len;
	if (len > r->send_max)
		return -EMSGSIZE;
	if (call->req_id && srpc__tab_find(r, call->req_id))
		return -EEXIST;
	q = calloc(1, sizeof(*q));
	if (!q)
		return -ENOMEM;
	q->r = r;
	q->id = call->req_id ? call->req_id :
		atomic_fetch_add(&r->session->next_req_id, 1);
	q->opcode = call->opcode;
	q->done = done;
	q->arg = arg;
	sloop_timer_init(r->loop, &q->timer, srpc_timeout, q);
	timeout = call->timeout_ms ? call->timeout_ms : r->opts.timeout_ms;
	if (timeout != SRPC_NO_TIMEOUT) {
		err = sloop_timer_start(&q->timer, timeout, 0);
		if (err)
			goto fail;
	}
	h.opcode = call->opcode;
	h.flags = call->flags;
	h.len = (u32)len;
	h.req_id = q->id;
	h.epoch = r->epoch;
	sealfs_hdr_encode(raw, &h);
	copy[0] = (struct iovec){ .iov_base = raw, .iov_len = sizeof(raw) };
	copy[1] = (struct iovec){ .iov_base = (void *)call->payload,
				  .iov_len = call->len };
	err = sconn_sendv(r->c, copy, 2, call->data, call->ndata,
			  call->ndata ? srpc_sent : NULL, q,
			  call->ndata ? &q->wmsg : NULL);
	if (err)
		goto fail;
	srpc__tab_insert(r, q);
	q->prev = r->reqs_tail;
	if (r->reqs_tail)
		r->reqs_tail->next = q;
	else
		r->reqs = q;
	r->reqs_tail = q;
	r->nreqs++;
	if (req_id)
		*req_id = q->id;
	return 0;

fail:
	sloop_timer_cancel(&q->timer);
	free(q);
	return err;
}

/* ---- accessors ----------------------------------------------------------- */

void srpc__set_peer(struct srpc *r, const struct srpc_peer *peer)
{
	r->peer = *peer;
	r->hello_done = true;
	r->send_max = peer->max_payload;
	sconn_set_max_payload(r->c, peer->max_payload);
}

/**
 * srpc_peer() - what HELLO negotiated
 * @r: the client
 *
 * Return: the result, or %NULL before a successful HELLO.
 */
const struct srpc_peer *srpc_peer(const struct srpc *r)
{
	return r->hello_done ? &r->peer : NULL;
}

/**
 * srpc_is_up() - whether calls can be made
 * @r: the client
 *
 * Return: false once the connection closed.
 */
bool srpc_is_up(const struct srpc *r)
{
	return r->up && !r->freed;
}

/**
 * srpc_pending() - calls waiting for their reply
 * @r: the client
 *
 * Return: the count.
 */
unsigned int srpc_pending(const struct srpc *r)
{
	return r->npending;
}

/**
 * srpc_set_epoch() - set the epoch sent in request headers
 * @r: the client
 * @epoch: the cluster-map epoch the caller acts on
 *
 * Context: loop thread.
 */
void srpc_set_epoch(struct srpc *r, u64 epoch)
{
	r->epoch = epoch;
}

/**
 * srpc_conn() - the connection of a client
 * @r: the client
 *
 * Return: the connection (e.g. for sconn_stats()), %NULL after srpc_free().
 */
struct sconn *srpc_conn(const struct srpc *r)
{
	return r->c;
}
