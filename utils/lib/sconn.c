// SPDX-License-Identifier: Apache-2.0
/*
 * sconn: connection lifetime, state and the transport interface. Framing
 * of input is in sconn_rx.c, the output queue in sconn_tx.c, TCP in
 * sconn_tcp.c and slisten.c. See sconn.h.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "slog.h"
#include "sconn_int.h"

static atomic_long sconn_live;

/**
 * sconn_opts_init() - fill options with the defaults
 * @o: the options
 *
 * Context: any.
 */
void sconn_opts_init(struct sconn_opts *o)
{
	*o = (struct sconn_opts){
		.max_payload = SEALFS_MAX_PAYLOAD,
		.rx_buf = SCONN_DEF_RX_BUF,
		.wq_cap = SCONN_DEF_WQ_CAP,
		.connect_timeout_ms = SCONN_DEF_CONNECT_MS,
		.linger_ms = SCONN_DEF_LINGER_MS,
	};
}

static void sconn_opts_fill(struct sconn_opts *o, const struct sconn_opts *in)
{
	struct sconn_opts d;

	sconn_opts_init(&d);
	*o = in ? *in : d;
	if (!o->max_payload || o->max_payload > SEALFS_MAX_PAYLOAD)
		o->max_payload = d.max_payload;
	if (o->rx_buf < 2 * SEALFS_HDR_SIZE)
		o->rx_buf = d.rx_buf;
	if (!o->wq_cap)
		o->wq_cap = d.wq_cap;
	if (!o->connect_timeout_ms)
		o->connect_timeout_ms = d.connect_timeout_ms;
	if (!o->linger_ms)
		o->linger_ms = d.linger_ms;
}

/**
 * sconn_live_count() - connections allocated in this process
 *
 * Tests assert it returns to its starting value, i.e. that every
 * connection was freed.
 *
 * Context: any thread.
 * Return: the count.
 */
long sconn_live_count(void)
{
	return atomic_load(&sconn_live);
}

/**
 * sconn_get() - take a reference
 * @c: the connection
 *
 * Keeps the structure valid (not the connection open) until sconn_put().
 *
 * Context: any thread, while the caller already holds a reference or is on
 * the loop thread before the closed callback returned.
 */
void sconn_get(struct sconn *c)
{
	atomic_fetch_add_explicit(&c->ref, 1, memory_order_relaxed);
}

/**
 * sconn_put() - drop a reference
 * @c: the connection
 *
 * The last reference frees the structure; by then the connection is closed
 * and its buffers are gone.
 *
 * Context: any thread.
 */
void sconn_put(struct sconn *c)
{
	if (atomic_fetch_sub_explicit(&c->ref, 1, memory_order_acq_rel) != 1)
		return;
	if (c->state != SCONN_CLOSED || c->tp || c->wq_head || c->dropped)
		slog_err("%s: connection freed while not closed", c->name);
	free(c);
	atomic_fetch_sub(&sconn_live, 1);
}

static void sconn_timer_fn(struct sloop_timer *t, void *arg)
{
	struct sconn *c = arg;

	(void)t;
	if (c->state == SCONN_CONNECTING) {
		slog_info("%s: connect timed out after %u ms", c->name,
			  c->opts.connect_timeout_ms);
		sconn_close(c, -ETIMEDOUT);
	} else if (c->state == SCONN_CLOSING) {
		slog_debug("%s: graceful close timed out", c->name);
		sconn_close(c, c->close_err);
	}
}

/**
 * sconn_transport_new() - create a connection on a transport endpoint
 * @loop: the loop
 * @ops: the transport
 * @tp: the transport's data for this endpoint (sconn_transport_priv())
 * @connecting: an outgoing connect is in progress; the transport calls
 *	sconn_transport_connected() when it finishes (a timeout closes the
 *	connection with -ETIMEDOUT)
 * @opts: options, or %NULL for the defaults
 * @cp: set to the connection
 *
 * The connection does not read until sconn_transport_start().
 *
 * Context: loop thread.
 * Return: 0 or -ENOMEM.
 */
int sconn_transport_new(struct sloop *loop, const struct sconn_ops *ops,
			void *tp, bool connecting,
			const struct sconn_opts *opts, struct sconn **cp)
{
	struct sconn *c = calloc(1, sizeof(*c));

	if (!c)
		return -ENOMEM;
	c->loop = loop;
	c->ops = ops;
	c->tp = tp;
	atomic_init(&c->ref, 1);
	c->state = connecting ? SCONN_CONNECTING : SCONN_OPEN;
	sconn_opts_fill(&c->opts, opts);
	c->rx = malloc(c->opts.rx_buf);
	if (!c->rx) {
		free(c);
		return -ENOMEM;
	}
	sloop_timer_init(loop, &c->timer, sconn_timer_fn, c);
	if (connecting && sloop_timer_start(&c->timer,
					    c->opts.connect_timeout_ms, 0)) {
		free(c->rx);
		free(c);
		return -ENOMEM;
	}
	if (!ops->peer_name || ops->peer_name(c, c->name, sizeof(c->name)))
		snprintf(c->name, sizeof(c->name), "%s peer", ops->name);
	atomic_fetch_add(&sconn_live, 1);
	*cp = c;
	return 0;
}

/**
 * sconn_transport_priv() - the transport's data of a connection
 * @c: the connection
 *
 * Return: the @tp given to sconn_transport_new(), %NULL once closed.
 */
void *sconn_transport_priv(const struct sconn *c)
{
	return c->tp;
}

/**
 * sconn_loop() - the loop of a connection
 * @c: the connection
 *
 * Return: the loop.
 */
struct sloop *sconn_loop(const struct sconn *c)
{
	return c->loop;
}

/* Asks the transport for the events the state calls for. */
void sconn__update_events(struct sconn *c)
{
	unsigned int want = 0;
	int err;

	switch (c->state) {
	case SCONN_CONNECTING:
		want = SLOOP_OUT;
		break;
	case SCONN_OPEN:
		if (!c->read_stopped && !c->rx_paused)
			want |= SLOOP_IN;
		if (c->tx_blocked)
			want |= SLOOP_OUT;
		break;
	case SCONN_CLOSING:
		if (!c->rx_eof)
			want |= SLOOP_IN;
		if (c->tx_blocked)
			want |= SLOOP_OUT;
		break;
	default:
		return;
	}
	if (want == c->want)
		return;
	err = c->ops->set_events(c, want);
	if (err) {
		slog_warn("%s: cannot wait for events: %s", c->name,
			  strerror(-err));
		sconn_close(c, err);
		return;
	}
	c->want = want;
}

/**
 * sconn_transport_start() - start reading (and writing what is queued)
 * @c: a new connection, its owner set
 *
 * Context: loop thread.
 */
void sconn_transport_start(struct sconn *c)
{
	if (c->state == SCONN_OPEN && c->wq_head)
		sconn__tx_kick(c);
	sconn__update_events(c);
}

/**
 * sconn_transport_ready() - the transport reports readiness
 * @c: the connection
 * @events: %SLOOP_IN, %SLOOP_OUT, %SLOOP_ERR, %SLOOP_HUP
 *
 * Context: loop thread, from the transport's event callback.
 */
void sconn_transport_ready(struct sconn *c, unsigned int events)
{
	if (c->state == SCONN_CLOSED || c->state == SCONN_CONNECTING)
		return;
	sconn_get(c);
	if ((c->want & SLOOP_OUT) && (events & (SLOOP_OUT | SLOOP_ERR | SLOOP_HUP))) {
		c->tx_blocked = false;
		sconn__flush(c);
	}
	if ((c->want & SLOOP_IN) && c->state != SCONN_CLOSED &&
	    (events & (SLOOP_IN | SLOOP_ERR | SLOOP_HUP)))
		sconn__rx_read(c);
	sconn__update_events(c);
	sconn_put(c);
}

/**
 * sconn_transport_connected() - an outgoing connect finished
 * @c: the connection
 * @err: 0, or -errno when it failed (the connection is then closed)
 *
 * Context: loop thread, from the transport's event callback.
 */
void sconn_transport_connected(struct sconn *c, int err)
{
	if (c->state != SCONN_CONNECTING)
		return;
	if (err) {
		slog_info("%s: connect failed: %s", c->name, strerror(-err));
		sconn_close(c, err);
		return;
	}
	sloop_timer_cancel(&c->timer);
	c->state = SCONN_OPEN;
	sconn_get(c);
	if (c->cbs.connected)
		c->cbs.connected(c, 0, c->arg);
	if (c->state == SCONN_OPEN) {
		if (c->wq_head)
			sconn__tx_kick(c);
		sconn__update_events(c);
	}
	sconn_put(c);
}

/**
 * sconn_set_owner() - set the callbacks
 * @c: the connection
 * @cbs: the callbacks (copied), or %NULL for none
 * @arg: for the callbacks
 *
 * With %NULL the owner detaches: no callback of it runs afterwards, not
 * even closed (sent callbacks of queued messages still do).
 *
 * Context: loop thread.
 */
void sconn_set_owner(struct sconn *c, const struct sconn_cbs *cbs, void *arg)
{
	if (cbs)
		c->cbs = *cbs;
	else
		memset(&c->cbs, 0, sizeof(c->cbs));
	c->arg = arg;
}

static void sconn_close_work(struct sloop *loop, void *arg)
{
	struct sconn *c = arg;
	struct sconn_wmsg *w;

	(void)loop;
	while ((w = c->dropped)) {
		c->dropped = w->next;
		if (c->dropped)
			c->dropped->prev = NULL;
		if (w->sent)
			w->sent(c, -ECANCELED, w->arg);
		free(w);
	}
	if (c->was_connecting && c->cbs.connected)
		c->cbs.connected(c, c->close_err ? c->close_err : -ECANCELED,
				 c->arg);
	if (c->cbs.closed)
		c->cbs.closed(c, c->close_err, c->arg);
	sconn_put(c);
}

/**
 * sconn_close() - close a connection now
 * @c: the connection; nothing happens when it is closed already
 * @err: the reason the closed callback reports (0: orderly)
 *
 * Releases the transport, the buffers and the queued output at once (what
 * was not written is lost). Later, from the loop: the sent callbacks of
 * the dropped messages (-ECANCELED), connected (-ECANCELED or @err) if the
 * connect had not finished, then closed.
 *
 * Context: loop thread, also from callbacks.
 */
void sconn_close(struct sconn *c, int err)
{
	if (c->state == SCONN_CLOSED)
		return;
	c->was_connecting = c->state == SCONN_CONNECTING;
	c->state = SCONN_CLOSED;
	c->close_err = err;
	sloop_timer_cancel(&c->timer);
	c->ops->close(c);
	c->tp = NULL;
	c->want = 0;
	sconn__rx_reset(c);
	free(c->rx);
	c->rx = NULL;
	sconn__drop_queue(c);
	slog_debug("%s: closed (%s)", c->name, err ? strerror(-err) : "ok");
	/* the open connection's reference passes to the close work */
	sloop_defer(c->loop, &c->close_work, sconn_close_work, c);
}

/**
 * sconn_shutdown() - close a connection after flushing its output
 * @c: the connection; nothing happens when it is closing already
 * @err: the reason the closed callback reports
 *
 * Stops delivering input (what arrives is discarded), writes what is
 * queued, sends end-of-stream and closes when the peer closes too, or
 * after the linger time (&sconn_opts.linger_ms). This is how an answer to
 * a malformed message reaches the peer before the connection goes.
 *
 * Context: loop thread, also from callbacks.
 */
void sconn_shutdown(struct sconn *c, int err)
{
	if (c->state == SCONN_CLOSING || c->state == SCONN_CLOSED)
		return;
	if (c->state == SCONN_CONNECTING) {
		sconn_close(c, err);
		return;
	}
	c->state = SCONN_CLOSING;
	c->close_err = err;
	c->rx_paused = false;
	sconn__rx_reset(c);
	if (sloop_timer_start(&c->timer, c->opts.linger_ms, 0)) {
		sconn_close(c, err);
		return;
	}
	if (!c->wq_head) {
		c->ops->shutdown_write(c);
		c->wr_shut = true;
	} else {
		sconn__tx_kick(c);
	}
	sconn__update_events(c);
}

/**
 * sconn_is_open() - whether messages can be sent
 * @c: the connection
 *
 * Return: true while connecting or open (not closing or closed).
 */
bool sconn_is_open(const struct sconn *c)
{
	return c->state == SCONN_OPEN || c->state == SCONN_CONNECTING;
}

/**
 * sconn_name() - the peer's address, for logs
 * @c: the connection
 *
 * Return: e.g. "127.0.0.1:7421" or "[::1]:7421"; valid as long as @c.
 */
const char *sconn_name(const struct sconn *c)
{
	return c->name;
}

/**
 * sconn_set_max_payload() - change the largest payload accepted
 * @c: the connection
 * @max_payload: the new limit (e.g. the HELLO result), at most
 *	%SEALFS_MAX_PAYLOAD; 0 restores the default
 *
 * Applies to headers received from now on.
 *
 * Context: loop thread.
 */
void sconn_set_max_payload(struct sconn *c, u32 max_payload)
{
	if (!max_payload || max_payload > SEALFS_MAX_PAYLOAD)
		max_payload = SEALFS_MAX_PAYLOAD;
	c->opts.max_payload = max_payload;
}

/**
 * sconn_wq_bytes() - bytes queued and not yet written
 * @c: the connection
 *
 * Return: the count; over &sconn_opts.wq_cap the connection stops reading.
 */
size_t sconn_wq_bytes(const struct sconn *c)
{
	return c->st.wq_bytes;
}

/**
 * sconn_stats() - counters of a connection
 * @c: the connection
 * @st: filled in
 *
 * Context: loop thread.
 */
void sconn_stats(const struct sconn *c, struct sconn_stats *st)
{
	*st = c->st;
	st->rx_paused = c->rx_paused;
}

/**
 * sconn_buf_steal() - take a received payload
 * @b: the payload given to the msg callback
 *
 * The pointers of the &struct sealfs_msg delivered with it stay valid in
 * the returned memory, so a worker thread can use the message without a
 * copy.
 *
 * Context: the msg callback.
 * Return: the payload, which the caller frees with free(); %NULL for an
 * empty payload.
 */
void *sconn_buf_steal(struct sconn_buf *b)
{
	void *p = b->data;

	b->data = NULL;
	return p;
}
