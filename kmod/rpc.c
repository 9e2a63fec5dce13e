// SPDX-License-Identifier: GPL-2.0-only
/*
 * SealFS kernel client: the RPC engine. See rpc.h.
 *
 * A caller builds a request (sealfs_req_alloc(), sealfs_req_buf(),
 * sealfs_req_finish()), sends it on a connection with sealfs_rpc_call()
 * and reads the validated reply with sealfs_req_reply(). sealfs_rpc_call()
 * connects when needed (with back-off after failures), resends after a
 * lost connection or a time-out with the same request id and
 * %SEALFS_HF_RETRY (the servers' replay tables make that safe for
 * requests that are not idempotent) and gives up after the mount's
 * retransmissions only on soft mounts or when told to be bounded. Waits
 * are killable.
 */
#include <linux/kthread.h>
#include <linux/sched/mm.h>
#include <linux/slab.h>

#include "internal.h"

/**
 * sealfs_req_alloc() - a request with room for @cap bytes after the header
 * @opcode: &enum sealfs_op
 * @cap: bytes of fixed body and variable parts
 *
 * Context: process; may sleep.
 * Return: the request, or %NULL when out of memory.
 */
struct sealfs_req *sealfs_req_alloc(u16 opcode, u32 cap)
{
	struct sealfs_req *req;

	req = kzalloc(sizeof(*req), GFP_NOFS);
	if (!req)
		return NULL;
	req->scap = SEALFS_HDR_SIZE + cap;
	req->sbuf = kmalloc(req->scap, GFP_NOFS);
	if (!req->sbuf) {
		kfree(req);
		return NULL;
	}
	req->opcode = opcode;
	RB_CLEAR_NODE(&req->node);
	init_waitqueue_head(&req->wait);
	return req;
}

/**
 * sealfs_req_put() - free a request and its reply
 * @req: the request, not in flight; %NULL is ignored
 */
void sealfs_req_put(struct sealfs_req *req)
{
	if (!req)
		return;
	kvfree(req->rbuf);
	kfree(req->sbuf);
	kfree(req);
}

/**
 * sealfs_req_buf() - start encoding a request into its buffer
 * @req: the request
 * @b: the buffer to append the body and variable parts to
 */
void sealfs_req_buf(struct sealfs_req *req, struct sealfs_buf *b)
{
	sealfs_buf_init(b, req->sbuf, req->scap);
	sealfs_msg_start(b);
}

/**
 * sealfs_req_finish() - finish encoding a request
 * @req: the request
 * @b: its buffer
 * @detached: bytes sent after the buffer from &sealfs_req.data
 *
 * Return: 0, or -EMSGSIZE when the request did not fit.
 */
int sealfs_req_finish(struct sealfs_req *req, struct sealfs_buf *b,
		      u32 detached)
{
	int err;

	req->sh.opcode = req->opcode;
	err = sealfs_msg_end(b, &req->sh, detached);
	if (err)
		return err;
	req->slen = b->len;
	return 0;
}

/**
 * sealfs_req_reply() - the outcome of an answered request
 * @req: the request, answered
 * @m: filled with the validated payload when the status is OK
 *
 * A reply is never trusted: its payload is validated against the opcode's
 * layout, and a status the client does not know becomes EIO.
 *
 * Return: 0, the errno of the reply's status, or -EIO for a malformed
 * reply.
 */
int sealfs_req_reply(struct sealfs_req *req, struct sealfs_msg *m)
{
	int err;

	if (req->rh.status != SEALFS_S_OK)
		return sealfs_status_to_errno(req->rh.status);
	err = sealfs_msg_parse(&req->rh, req->rbuf, req->rh.len, m);
	if (err) {
		pr_warn_ratelimited("malformed %s reply from server %u: %d\n",
				    sealfs_op_name(req->opcode), req->server,
				    err);
		return -EIO;
	}
	return 0;
}

static struct sealfs_req *sealfs_req_find(struct sealfs_conn *c, u64 id)
{
	struct rb_node *n = c->reqs.rb_node;

	while (n) {
		struct sealfs_req *req = rb_entry(n, struct sealfs_req, node);

		if (id < req->id)
			n = n->rb_left;
		else if (id > req->id)
			n = n->rb_right;
		else
			return req;
	}
	return NULL;
}

static void sealfs_req_insert(struct sealfs_conn *c, struct sealfs_req *req)
{
	struct rb_node **p = &c->reqs.rb_node, *parent = NULL;

	while (*p) {
		struct sealfs_req *r = rb_entry(*p, struct sealfs_req, node);

		parent = *p;
		p = req->id < r->id ? &(*p)->rb_left : &(*p)->rb_right;
	}
	rb_link_node(&req->node, parent, p);
	rb_insert_color(&req->node, &c->reqs);
	c->inflight++;
}

/* Takes @req out of the tree and completes it. Called under req_lock. */
static void sealfs_req_complete(struct sealfs_conn *c, struct sealfs_req *req,
				int err)
{
	rb_erase(&req->node, &c->reqs);
	RB_CLEAR_NODE(&req->node);
	c->inflight--;
	req->err = err;
	WRITE_ONCE(req->done, true);
	wake_up(&req->wait);
}

/* The endpoint failed: every request in flight is completed with
 * -ECONNRESET and will be resent once the connection is back.
 */
static void sealfs_conn_fail(struct sealfs_conn *c)
{
	struct rb_node *n;

	spin_lock(&c->req_lock);
	WRITE_ONCE(c->state, SEALFS_CONN_DOWN);
	while ((n = rb_first(&c->reqs)))
		sealfs_req_complete(c, rb_entry(n, struct sealfs_req, node),
				    -ECONNRESET);
	spin_unlock(&c->req_lock);
}

/* Reads one message and hands it to its request. */
static int sealfs_rx_one(struct sealfs_conn *c)
{
	u8 raw[SEALFS_HDR_SIZE];
	struct sealfs_hdr_info h;
	struct sealfs_req *req;
	u8 *buf = NULL;
	int err;

	err = c->ops->recv(c, raw, sizeof(raw));
	if (err)
		return err;
	err = sealfs_hdr_decode(raw, c->max_payload, &h);
	if (!err && !(h.flags & SEALFS_HF_REPLY))
		err = -EPROTO;
	if (err) {
		pr_warn_ratelimited("bad message header from server %u: %d; reconnecting\n",
				    c->server_id, err);
		return err;
	}
	if (h.len) {
		buf = kvmalloc(h.len, GFP_NOFS);
		if (!buf)
			return -ENOMEM;
		err = c->ops->recv(c, buf, h.len);
		if (err) {
			kvfree(buf);
			return err;
		}
	}
	spin_lock(&c->req_lock);
	req = sealfs_req_find(c, h.req_id);
	if (req && req->opcode == h.opcode) {
		req->rh = h;
		req->rbuf = buf;
		buf = NULL;
		sealfs_req_complete(c, req, 0);
	} else {
		c->unknown_replies++;
	}
	spin_unlock(&c->req_lock);
	kvfree(buf);
	return 0;
}

static int sealfs_rx_thread(void *arg)
{
	struct sealfs_conn *c = arg;
	unsigned int nofs = memalloc_nofs_save();

	while (!kthread_should_stop() && !sealfs_rx_one(c))
		;
	sealfs_conn_fail(c);
	memalloc_nofs_restore(nofs);
	/* The endpoint is reaped by whoever reconnects or tears down. */
	while (!kthread_should_stop()) {
		set_current_state(TASK_INTERRUPTIBLE);
		if (!kthread_should_stop())
			schedule();
		__set_current_state(TASK_RUNNING);
	}
	return 0;
}

/* HELLO on a fresh endpoint, before the receive thread starts. */
static int sealfs_hello(struct sealfs_conn *c)
{
	struct sealfs_fs *fs = c->fs;
	struct {
		u8 hdr[SEALFS_HDR_SIZE];
		struct sealfs_hello_req r;
	} out = {};
	u8 in[SEALFS_HDR_SIZE + sizeof(struct sealfs_hello_rep)];
	const struct sealfs_hello_rep *rep;
	struct sealfs_hdr_info h = {
		.opcode = SEALFS_OP_HELLO,
		.len = sizeof(out.r),
		.req_id = atomic64_inc_return(&fs->next_id),
		.epoch = c->server_id ? sealfs_map_epoch(fs) : 0,
	};
	struct sealfs_hdr_info rh;
	struct sealfs_msg m;
	int err;

	out.r.major = cpu_to_le16(SEALFS_PROTO_MAJOR);
	out.r.minor = cpu_to_le16(SEALFS_PROTO_MINOR);
	out.r.role = cpu_to_le16(SEALFS_ROLE_CLIENT);
	out.r.features = cpu_to_le64(SEALFS_FEAT_ALL);
	out.r.client_id = cpu_to_le64(fs->client_id);
	out.r.max_payload = cpu_to_le32(SEALFS_MAX_PAYLOAD);
	sealfs_hdr_encode(out.hdr, &h);
	err = c->ops->send(c, &out, sizeof(out), NULL);
	if (err)
		return err;
	err = c->ops->recv(c, in, SEALFS_HDR_SIZE);
	if (err)
		return err;
	err = sealfs_hdr_decode(in, sizeof(*rep), &rh);
	if (err)
		return err;
	if (rh.opcode != SEALFS_OP_HELLO || rh.req_id != h.req_id ||
	    !(rh.flags & SEALFS_HF_REPLY))
		return -EPROTO;
	if (rh.status != SEALFS_S_OK)
		return sealfs_status_to_errno(rh.status);
	err = c->ops->recv(c, in + SEALFS_HDR_SIZE, rh.len);
	if (err)
		return err;
	err = sealfs_msg_parse(&rh, in + SEALFS_HDR_SIZE, rh.len, &m);
	if (err)
		return -EPROTO;
	rep = m.body;
	c->boot_id = le64_to_cpu(rep->boot_id);
	c->features = le64_to_cpu(rep->features);
	c->max_payload = min_t(u32, le32_to_cpu(rep->max_payload),
			       SEALFS_MAX_PAYLOAD);
	if (c->max_payload < 4096)
		return -EPROTO;
	return 0;
}

/* Stops the receive thread and frees the endpoint. Under c->lock. */
static void sealfs_conn_reap(struct sealfs_conn *c)
{
	if (!c->xprt)
		return;
	c->ops->shutdown(c);
	if (c->rx_task) {
		kthread_stop(c->rx_task);
		put_task_struct(c->rx_task);
		c->rx_task = NULL;
	}
	sealfs_conn_fail(c);
	/* A sender may still hold the endpoint. */
	mutex_lock(&c->send_lock);
	c->ops->release(c);
	mutex_unlock(&c->send_lock);
}

static void sealfs_conn_backoff(struct sealfs_conn *c)
{
	c->backoff = clamp(c->backoff * 2, (unsigned long)HZ / 10,
			   5UL * HZ);
	c->next_try = jiffies + c->backoff;
}

/* Makes sure @c is up: reaps a failed endpoint, waits out the back-off,
 * connects and says HELLO.
 */
static int sealfs_conn_up(struct sealfs_conn *c, unsigned long timeo)
{
	struct task_struct *t;
	long wait;
	int err = 0;

	if (READ_ONCE(c->state) == SEALFS_CONN_UP)
		return 0;
	if (mutex_lock_killable(&c->lock))
		return -EINTR;
	while (c->state != SEALFS_CONN_UP) {
		sealfs_conn_reap(c);
		wait = (long)(c->next_try - jiffies);
		if (wait > 0) {
			mutex_unlock(&c->lock);
			if (schedule_timeout_killable(wait) &&
			    fatal_signal_pending(current))
				return -EINTR;
			if (mutex_lock_killable(&c->lock))
				return -EINTR;
			continue;
		}
		if (c->server_id) {
			err = sealfs_map_srv_addr(c->fs, c->server_id, &c->addr);
			if (err)
				break;
		}
		mutex_lock(&c->send_lock);
		err = c->ops->connect(c, timeo);
		if (!err) {
			c->max_payload = SEALFS_MAX_PAYLOAD;
			err = sealfs_hello(c);
			if (err)
				c->ops->release(c);
		}
		mutex_unlock(&c->send_lock);
		if (err) {
			sealfs_conn_backoff(c);
			break;
		}
		c->ops->ready(c);
		t = kthread_create(sealfs_rx_thread, c, "sealfs-rx/%u",
				   c->server_id);
		if (IS_ERR(t)) {
			err = PTR_ERR(t);
			mutex_lock(&c->send_lock);
			c->ops->release(c);
			mutex_unlock(&c->send_lock);
			sealfs_conn_backoff(c);
			break;
		}
		get_task_struct(t);
		c->rx_task = t;
		c->backoff = 0;
		c->connects++;
		if (c->said_down)
			pr_info("server %u OK\n", c->server_id);
		c->said_down = false;
		spin_lock(&c->req_lock);
		c->state = SEALFS_CONN_UP;
		spin_unlock(&c->req_lock);
		wake_up_process(t);
	}
	mutex_unlock(&c->lock);
	return c->state == SEALFS_CONN_UP ? 0 : err;
}

static int sealfs_send(struct sealfs_conn *c, struct sealfs_req *req,
		       bool retry)
{
	struct sealfs_hdr_info h = req->sh;
	unsigned int nofs;
	bool stale;
	int err;

	h.req_id = req->id;
	h.epoch = sealfs_map_epoch(c->fs);
	h.flags = retry ? SEALFS_HF_RETRY : 0;
	sealfs_hdr_encode(req->sbuf, &h);
	if (h.len > c->max_payload)
		return -EMSGSIZE;

	spin_lock(&c->req_lock);
	if (c->state != SEALFS_CONN_UP) {
		spin_unlock(&c->req_lock);
		return -ECONNRESET;
	}
	req->done = false;
	req->err = 0;
	req->conn = c;
	req->server = c->server_id;
	sealfs_req_insert(c, req);
	spin_unlock(&c->req_lock);

	req->sent = jiffies;
	nofs = memalloc_nofs_save();
	mutex_lock(&c->send_lock);
	/* The endpoint may have failed (and the request with it) meanwhile. */
	spin_lock(&c->req_lock);
	stale = req->done || !c->xprt;
	spin_unlock(&c->req_lock);
	if (!stale) {
		struct iov_iter data;

		if (req->data)
			data = *req->data;
		err = c->ops->send(c, req->sbuf, req->slen,
				   req->data ? &data : NULL);
		/* A partial message leaves the stream unusable: start over. */
		if (err)
			c->ops->shutdown(c);
	}
	mutex_unlock(&c->send_lock);
	memalloc_nofs_restore(nofs);
	return 0;
}

/* Waits for the reply; on time-out or a fatal signal takes the request
 * back out of the tree.
 */
static int sealfs_wait(struct sealfs_conn *c, struct sealfs_req *req,
		       unsigned long timeo)
{
	long left;
	bool done;

	left = wait_event_killable_timeout(req->wait, READ_ONCE(req->done),
					   timeo);
	spin_lock(&c->req_lock);
	done = req->done;
	if (!done && !RB_EMPTY_NODE(&req->node)) {
		rb_erase(&req->node, &c->reqs);
		RB_CLEAR_NODE(&req->node);
		c->inflight--;
	}
	spin_unlock(&c->req_lock);
	if (done)
		return req->err;
	return left < 0 ? -EINTR : -ETIMEDOUT;
}

/**
 * sealfs_rpc_call() - send a request and wait for its reply
 * @c: the connection
 * @req: the request, encoded
 * @bounded: give up after the mount's retransmissions even on a hard mount
 *
 * On success the reply's header is in &sealfs_req.rh and its payload in
 * &sealfs_req.rbuf; read it with sealfs_req_reply().
 *
 * Context: process; sleeps; killable.
 * Return: 0 when a reply arrived; -EINTR on a fatal signal; -EIO when a
 * soft call ran out of retransmissions, the last error (-ETIMEDOUT,
 * -ECONNREFUSED...) when a bounded one did; -EMSGSIZE for a request
 * larger than the connection allows.
 */
int sealfs_rpc_call(struct sealfs_conn *c, struct sealfs_req *req,
		    bool bounded)
{
	struct sealfs_fs *fs = c->fs;
	unsigned long timeo = max(1UL, fs->opts.timeo * HZ / 10);
	unsigned int tries = 0;
	int err;

	if (!req->id)
		req->id = atomic64_inc_return(&fs->next_id);
	kvfree(req->rbuf);
	req->rbuf = NULL;
	for (;;) {
		if (fs->shutdown)
			return -EIO;
		err = sealfs_conn_up(c, timeo);
		if (!err)
			err = sealfs_send(c, req, tries > 0);
		if (!err)
			err = sealfs_wait(c, req, timeo);
		if (!err || err == -EINTR || err == -EMSGSIZE)
			return err;
		if (!c->said_down && !bounded) {
			c->said_down = true;
			pr_warn("server %u (%pISpc) not responding (%d), %s\n",
				c->server_id, &c->addr.sa, err,
				fs->opts.soft ? "timed out" : "still trying");
		}
		if (fatal_signal_pending(current))
			return -EINTR;
		if (++tries > fs->opts.retrans && (bounded || fs->opts.soft))
			return bounded ? err : -EIO;
	}
}

/**
 * sealfs_conn_new() - a connection, not yet connected
 * @fs: the mount
 * @server_id: the server's id, 0 for the manager
 * @addr: the manager's address; a server's is taken from the map at
 *	every connect
 *
 * Return: the connection or %NULL when out of memory.
 */
struct sealfs_conn *sealfs_conn_new(struct sealfs_fs *fs, u32 server_id,
				    const union sealfs_inet_addr *addr)
{
	struct sealfs_conn *c = kzalloc(sizeof(*c), GFP_KERNEL);

	if (!c)
		return NULL;
	c->fs = fs;
	c->server_id = server_id;
	if (addr)
		c->addr = *addr;
	c->ops = &sealfs_tcp_ops;
	mutex_init(&c->lock);
	mutex_init(&c->send_lock);
	spin_lock_init(&c->req_lock);
	c->reqs = RB_ROOT;
	c->state = SEALFS_CONN_DOWN;
	c->next_try = jiffies;
	return c;
}

/**
 * sealfs_conn_reset() - drop a connection's endpoint (umount -f)
 * @c: the connection
 *
 * Requests in flight complete with -ECONNRESET; the next call reconnects.
 */
void sealfs_conn_reset(struct sealfs_conn *c)
{
	mutex_lock(&c->lock);
	sealfs_conn_reap(c);
	mutex_unlock(&c->lock);
}

/**
 * sealfs_conn_destroy() - close and free a connection
 * @c: the connection; no request may be in flight on it; %NULL is ignored
 */
void sealfs_conn_destroy(struct sealfs_conn *c)
{
	if (!c)
		return;
	sealfs_conn_reset(c);
	mutex_destroy(&c->lock);
	mutex_destroy(&c->send_lock);
	kfree(c);
}
