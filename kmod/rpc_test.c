// SPDX-License-Identifier: GPL-2.0-only
/*
 * KUnit suite "sealfs_rpc": the request table and the RPC engine, driven
 * through a fake transport. Built into sealfs.ko on kernels with KUnit and
 * run when the module loads.
 *
 * The fake transport's send() decodes what the client sends and hands each
 * request to a scripted responder, which queues reply bytes (whole, cut,
 * corrupted or none); recv() blocks until enough bytes are queued or the
 * endpoint was shut down or hit its scripted end of stream. The connection
 * is a manager-style one (server id 0), so connecting needs no map.
 */
#include <kunit/test.h>
#include <linux/kthread.h>
#include <linux/slab.h>
#include <linux/wait.h>

#include "internal.h"

#define RPC_T_RXCAP	4096	/* queued reply bytes */
#define RPC_T_SENT	16	/* request headers remembered */
#define RPC_T_CALLERS	8	/* callers in flight at once */
#define RPC_T_BOOT	0x5ea15ea1ull

/* How the fake server answers a request (HELLO is always answered). */
enum rpc_t_mode {
	RPC_T_NORMAL,		/* one reply */
	RPC_T_UNKNOWN_FIRST,	/* a reply for another id, then the reply */
	RPC_T_DUP,		/* the reply twice */
	RPC_T_WRONG_OP_FIRST,	/* a reply with another opcode, then the reply */
	RPC_T_SILENT,		/* nothing */
	RPC_T_SILENT_ONCE,	/* nothing to the first request, then normal */
	RPC_T_CUT_ONCE,		/* half a reply and end of stream, then normal */
	RPC_T_BAD_MAGIC_ONCE,	/* a header with a bad magic, then normal */
	RPC_T_SHORT_BODY,	/* status OK with an 8-byte body */
	RPC_T_STATUS,		/* status @status, no body */
	RPC_T_REVERSE,		/* wait for RPC_T_CALLERS requests, answer last first */
	RPC_T_LATE,		/* a reply for @late_id, then the reply */
};

/**
 * struct rpc_t_ctx - one test's mount, connection and fake server
 * @fs: the mount (kzalloc'd with the context)
 * @c: the connection, with the fake transport
 * @lock: protects everything below
 * @wq: recv() waits here
 * @rx: reply bytes queued for recv()
 * @rx_head: next byte recv() returns
 * @rx_tail: end of the queued bytes
 * @eof: scripted end of stream: recv() fails once the queue runs short
 * @shut: shutdown() was called on the endpoint
 * @connects: connect() calls
 * @refuse: connect() calls still to fail with -ECONNREFUSED
 * @refused: connect() calls that failed
 * @releases: release() calls
 * @hellos: HELLO requests seen
 * @nreq: other requests seen
 * @sent: their headers, the first %RPC_T_SENT
 * @bad: malformed requests or replies that did not fit
 * @mode: &enum rpc_t_mode
 * @status: the status %RPC_T_STATUS answers with
 * @late_id: the request id %RPC_T_LATE answers first
 * @pend_id: ids of the requests %RPC_T_REVERSE holds
 * @pend_ino: their inode numbers
 * @npend: how many it holds
 * @inflight_seen: &sealfs_conn.inflight when the last of them arrived
 */
struct rpc_t_ctx {
	struct sealfs_fs fs;
	struct sealfs_conn *c;
	spinlock_t lock;	/* all of the fake server's state */
	wait_queue_head_t wq;
	u8 rx[RPC_T_RXCAP];
	size_t rx_head;
	size_t rx_tail;
	bool eof;
	bool shut;
	unsigned int connects;
	unsigned int refuse;
	unsigned int refused;
	unsigned int releases;
	unsigned int hellos;
	unsigned int nreq;
	struct sealfs_hdr_info sent[RPC_T_SENT];
	unsigned int bad;
	int mode;
	u32 status;
	u64 late_id;
	u64 pend_id[RPC_T_CALLERS];
	u64 pend_ino[RPC_T_CALLERS];
	unsigned int npend;
	unsigned int inflight_seen;
};

static struct rpc_t_ctx *rpc_t_ctx(struct sealfs_conn *c)
{
	return container_of(c->fs, struct rpc_t_ctx, fs);
}

/* Queues reply bytes for recv(). */
static void rpc_t_queue(struct rpc_t_ctx *x, const void *p, size_t n)
{
	spin_lock(&x->lock);
	if (x->rx_head == x->rx_tail) {
		x->rx_head = 0;
		x->rx_tail = 0;
	}
	if (x->rx_tail + n > RPC_T_RXCAP) {
		memmove(x->rx, x->rx + x->rx_head, x->rx_tail - x->rx_head);
		x->rx_tail -= x->rx_head;
		x->rx_head = 0;
	}
	if (x->rx_tail + n <= RPC_T_RXCAP) {
		memcpy(x->rx + x->rx_tail, p, n);
		x->rx_tail += n;
	} else {
		x->bad++;
	}
	spin_unlock(&x->lock);
	wake_up(&x->wq);
}

/* The stream ends once the queued bytes are read. */
static void rpc_t_eof(struct rpc_t_ctx *x)
{
	spin_lock(&x->lock);
	x->eof = true;
	spin_unlock(&x->lock);
	wake_up(&x->wq);
}

/* Queues a reply: @cut bytes of it when non-zero, @bad_magic corrupts it. */
static void rpc_t_reply(struct rpc_t_ctx *x, u16 opcode, u64 id, u32 status,
			const void *body, u32 blen, size_t cut, bool bad_magic)
{
	u8 msg[SEALFS_HDR_SIZE + 192];
	struct sealfs_hdr_info h = {
		.opcode = opcode,
		.flags = SEALFS_HF_REPLY,
		.status = status,
		.req_id = id,
	};
	struct sealfs_buf b;

	sealfs_buf_init(&b, msg, sizeof(msg));
	sealfs_msg_start(&b);
	sealfs_buf_put(&b, body, blen);
	if (sealfs_msg_end(&b, &h, 0)) {
		spin_lock(&x->lock);
		x->bad++;
		spin_unlock(&x->lock);
		return;
	}
	if (bad_magic)
		msg[0] ^= 0xff;
	rpc_t_queue(x, msg, cut ? cut : b.len);
}

/* The GETATTR reply for inode @ino: it names the inode and its request. */
static void rpc_t_attr_reply(struct rpc_t_ctx *x, u16 opcode, u64 id, u64 ino)
{
	struct sealfs_attr_rep r = {};

	r.attr.ino = cpu_to_le64(ino);
	r.attr.change = cpu_to_le64(id);
	r.attr.nlink = cpu_to_le32(1);
	rpc_t_reply(x, opcode, id, SEALFS_S_OK, &r, sizeof(r), 0, false);
}

static void rpc_t_hello(struct rpc_t_ctx *x, const struct sealfs_hdr_info *h)
{
	struct sealfs_hello_rep r = {
		.major = cpu_to_le16(SEALFS_PROTO_MAJOR),
		.minor = cpu_to_le16(SEALFS_PROTO_MINOR),
		.role = cpu_to_le16(SEALFS_ROLE_MANAGER),
		.features = cpu_to_le64(SEALFS_FEAT_ALL),
		.boot_id = cpu_to_le64(RPC_T_BOOT),
		.max_payload = cpu_to_le32(SEALFS_MAX_PAYLOAD),
	};

	rpc_t_reply(x, SEALFS_OP_HELLO, h->req_id, SEALFS_S_OK, &r, sizeof(r),
		    0, false);
}

/* The fake server: answers one request as the test's mode says. */
static void rpc_t_respond(struct rpc_t_ctx *x, const struct sealfs_hdr_info *h,
			  u64 ino, unsigned int n)
{
	struct sealfs_entry_rep e = {};
	unsigned int i;

	switch (x->mode) {
	case RPC_T_NORMAL:
		rpc_t_attr_reply(x, h->opcode, h->req_id, ino);
		break;
	case RPC_T_UNKNOWN_FIRST:
		rpc_t_attr_reply(x, h->opcode, h->req_id + 1000, ino + 1000);
		rpc_t_attr_reply(x, h->opcode, h->req_id, ino);
		break;
	case RPC_T_DUP:
		rpc_t_attr_reply(x, h->opcode, h->req_id, ino);
		rpc_t_attr_reply(x, h->opcode, h->req_id, ino + 1);
		break;
	case RPC_T_WRONG_OP_FIRST:
		e.attr.ino = cpu_to_le64(ino + 1);
		rpc_t_reply(x, SEALFS_OP_LOOKUP, h->req_id, SEALFS_S_OK, &e,
			    sizeof(e), 0, false);
		rpc_t_attr_reply(x, h->opcode, h->req_id, ino);
		break;
	case RPC_T_SILENT:
		break;
	case RPC_T_SILENT_ONCE:
		if (n > 1)
			rpc_t_attr_reply(x, h->opcode, h->req_id, ino);
		break;
	case RPC_T_CUT_ONCE:
		if (n > 1) {
			rpc_t_attr_reply(x, h->opcode, h->req_id, ino);
			break;
		}
		rpc_t_reply(x, h->opcode, h->req_id, SEALFS_S_OK, &e, sizeof(e),
			    SEALFS_HDR_SIZE + sizeof(e) / 2, false);
		rpc_t_eof(x);
		break;
	case RPC_T_BAD_MAGIC_ONCE:
		if (n > 1)
			rpc_t_attr_reply(x, h->opcode, h->req_id, ino);
		else
			rpc_t_reply(x, h->opcode, h->req_id, SEALFS_S_OK, NULL,
				    0, 0, true);
		break;
	case RPC_T_SHORT_BODY:
		rpc_t_reply(x, h->opcode, h->req_id, SEALFS_S_OK, &e, 8, 0,
			    false);
		break;
	case RPC_T_STATUS:
		rpc_t_reply(x, h->opcode, h->req_id, x->status, NULL, 0, 0,
			    false);
		break;
	case RPC_T_REVERSE:
		spin_lock(&x->lock);
		for (i = 0; i < x->npend; i++)
			if (x->pend_id[i] == h->req_id)
				break;
		if (i == x->npend && i < RPC_T_CALLERS) {
			x->pend_id[i] = h->req_id;
			x->pend_ino[i] = ino;
			x->npend++;
		}
		if (x->npend < RPC_T_CALLERS || i < RPC_T_CALLERS - 1) {
			spin_unlock(&x->lock);
			break;
		}
		/* All requests were sent: they are all in the table. */
		x->inflight_seen = READ_ONCE(x->c->inflight);
		spin_unlock(&x->lock);
		for (i = RPC_T_CALLERS; i-- > 0;)
			rpc_t_attr_reply(x, SEALFS_OP_GETATTR, x->pend_id[i],
					 x->pend_ino[i]);
		break;
	case RPC_T_LATE:
		rpc_t_attr_reply(x, h->opcode, x->late_id, ino + 1);
		rpc_t_attr_reply(x, h->opcode, h->req_id, ino);
		break;
	}
}

static int rpc_t_connect(struct sealfs_conn *c, unsigned long timeout)
{
	struct rpc_t_ctx *x = rpc_t_ctx(c);

	spin_lock(&x->lock);
	x->connects++;
	if (x->refuse) {
		x->refuse--;
		x->refused++;
		spin_unlock(&x->lock);
		return -ECONNREFUSED;
	}
	x->rx_head = 0;
	x->rx_tail = 0;
	x->eof = false;
	x->shut = false;
	spin_unlock(&x->lock);
	c->xprt = x;
	return 0;
}

static bool rpc_t_readable(struct rpc_t_ctx *x, size_t len)
{
	bool r;

	spin_lock(&x->lock);
	r = x->rx_tail - x->rx_head >= len || x->eof || x->shut;
	spin_unlock(&x->lock);
	return r;
}

static int rpc_t_recv(struct sealfs_conn *c, void *buf, size_t len)
{
	struct rpc_t_ctx *x = rpc_t_ctx(c);
	int err;

	err = wait_event_interruptible(x->wq, rpc_t_readable(x, len));
	if (err)
		return err;
	spin_lock(&x->lock);
	if (x->shut) {
		err = -ESHUTDOWN;
	} else if (x->rx_tail - x->rx_head >= len) {
		memcpy(buf, x->rx + x->rx_head, len);
		x->rx_head += len;
	} else {
		err = -ECONNRESET;
	}
	spin_unlock(&x->lock);
	return err;
}

static int rpc_t_send(struct sealfs_conn *c, const void *buf, size_t len,
		      struct iov_iter *data)
{
	struct rpc_t_ctx *x = rpc_t_ctx(c);
	const struct sealfs_ino_req *r = buf + SEALFS_HDR_SIZE;
	struct sealfs_hdr_info h;
	unsigned int n;
	u64 ino = 0;

	if (len < SEALFS_HDR_SIZE || (data && iov_iter_count(data)) ||
	    sealfs_hdr_decode(buf, SEALFS_MAX_PAYLOAD, &h) ||
	    h.len != len - SEALFS_HDR_SIZE) {
		spin_lock(&x->lock);
		x->bad++;
		spin_unlock(&x->lock);
		return -EINVAL;
	}
	if (h.opcode == SEALFS_OP_HELLO) {
		spin_lock(&x->lock);
		x->hellos++;
		spin_unlock(&x->lock);
		rpc_t_hello(x, &h);
		return 0;
	}
	if (h.opcode == SEALFS_OP_GETATTR && h.len >= sizeof(*r))
		ino = le64_to_cpu(r->ino);
	spin_lock(&x->lock);
	n = ++x->nreq;
	if (n <= RPC_T_SENT)
		x->sent[n - 1] = h;
	spin_unlock(&x->lock);
	rpc_t_respond(x, &h, ino, n);
	return 0;
}

static void rpc_t_ready(struct sealfs_conn *c)
{
}

static void rpc_t_shutdown(struct sealfs_conn *c)
{
	struct rpc_t_ctx *x = rpc_t_ctx(c);

	spin_lock(&x->lock);
	x->shut = true;
	spin_unlock(&x->lock);
	wake_up(&x->wq);
}

static void rpc_t_release(struct sealfs_conn *c)
{
	struct rpc_t_ctx *x = rpc_t_ctx(c);

	spin_lock(&x->lock);
	x->releases++;
	spin_unlock(&x->lock);
	c->xprt = NULL;
}

static const struct sealfs_xprt_ops rpc_t_ops = {
	.name		= "kunit",
	.connect	= rpc_t_connect,
	.recv		= rpc_t_recv,
	.send		= rpc_t_send,
	.ready		= rpc_t_ready,
	.shutdown	= rpc_t_shutdown,
	.release	= rpc_t_release,
};

static int rpc_t_init(struct kunit *test)
{
	union sealfs_inet_addr addr = {};
	struct rpc_t_ctx *x;

	x = kzalloc(sizeof(*x), GFP_KERNEL);
	if (!x)
		return -ENOMEM;
	sealfs_opts_defaults(&x->fs.opts);
	x->fs.opts.timeo = 100;		/* 10 s: no time-out unless wanted */
	x->fs.opts.retrans = 2;
	x->fs.client_id = 0x5ea1f5;
	mutex_init(&x->fs.map_lock);
	spin_lock_init(&x->lock);
	init_waitqueue_head(&x->wq);
	addr.sin.sin_family = AF_INET;
	addr.sin.sin_port = htons(SEALFS_MANAGER_PORT);
	addr.sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	x->c = sealfs_conn_new(&x->fs, 0, &addr);
	if (!x->c) {
		kfree(x);
		return -ENOMEM;
	}
	x->c->ops = &rpc_t_ops;
	test->priv = x;
	return 0;
}

static void rpc_t_exit(struct kunit *test)
{
	struct rpc_t_ctx *x = test->priv;

	sealfs_conn_destroy(x->c);
	/* Every endpoint that was opened was released. */
	KUNIT_EXPECT_EQ(test, x->releases + x->refused, x->connects);
	KUNIT_EXPECT_EQ(test, x->bad, 0u);
	mutex_destroy(&x->fs.map_lock);
	kfree(x);
}

/* A GETATTR request for inode @ino. */
static struct sealfs_req *rpc_t_getattr(struct kunit *test, u64 ino)
{
	struct sealfs_ino_req r = { .ino = cpu_to_le64(ino) };
	struct sealfs_req *req;
	struct sealfs_buf b;

	req = sealfs_req_alloc(SEALFS_OP_GETATTR, sizeof(r));
	if (!req)
		return NULL;
	sealfs_req_buf(req, &b);
	sealfs_buf_put(&b, &r, sizeof(r));
	KUNIT_EXPECT_EQ(test, sealfs_req_finish(req, &b, 0), 0);
	return req;
}

/* Calls GETATTR of @ino; returns the call's error and the inode replied. */
static int rpc_t_call(struct kunit *test, u64 ino, bool bounded, u64 *got)
{
	struct rpc_t_ctx *x = test->priv;
	const struct sealfs_attr_rep *rep;
	struct sealfs_req *req;
	struct sealfs_msg m;
	int err;

	*got = 0;
	req = rpc_t_getattr(test, ino);
	if (!req)
		return -ENOMEM;
	err = sealfs_rpc_call(x->c, req, bounded);
	if (!err) {
		KUNIT_EXPECT_EQ(test, req->rh.req_id, req->id);
		KUNIT_EXPECT_EQ(test, req->rh.opcode, SEALFS_OP_GETATTR);
		err = sealfs_req_reply(req, &m);
	}
	if (!err) {
		rep = m.body;
		*got = le64_to_cpu(rep->attr.ino);
		KUNIT_EXPECT_EQ(test, le64_to_cpu(rep->attr.change), req->id);
	}
	sealfs_req_put(req);
	return err;
}

static void rpc_t_normal_test(struct kunit *test)
{
	struct rpc_t_ctx *x = test->priv;
	u64 got;

	KUNIT_EXPECT_EQ(test, rpc_t_call(test, 42, true, &got), 0);
	KUNIT_EXPECT_EQ(test, got, 42ull);
	KUNIT_EXPECT_EQ(test, x->connects, 1u);
	KUNIT_EXPECT_EQ(test, x->hellos, 1u);
	KUNIT_EXPECT_EQ(test, x->c->boot_id, RPC_T_BOOT);
	KUNIT_EXPECT_EQ(test, x->c->connects, 1ull);
	KUNIT_EXPECT_EQ(test, x->nreq, 1u);
	KUNIT_EXPECT_EQ(test, x->sent[0].opcode, SEALFS_OP_GETATTR);
	KUNIT_EXPECT_EQ(test, x->sent[0].flags, 0u);
	KUNIT_EXPECT_NE(test, x->sent[0].req_id, 0ull);

	/* The connection stays up; the next request gets a new id. */
	KUNIT_EXPECT_EQ(test, rpc_t_call(test, 43, true, &got), 0);
	KUNIT_EXPECT_EQ(test, got, 43ull);
	KUNIT_EXPECT_EQ(test, x->connects, 1u);
	KUNIT_EXPECT_GT(test, x->sent[1].req_id, x->sent[0].req_id);
	KUNIT_EXPECT_EQ(test, x->c->inflight, 0u);
	KUNIT_EXPECT_TRUE(test, RB_EMPTY_ROOT(&x->c->reqs));
	KUNIT_EXPECT_EQ(test, x->c->unknown_replies, 0ull);
}

/**
 * struct rpc_t_caller - one of several callers in flight at once
 * @test: the test
 * @req: its request
 * @ino: the inode it asks for
 * @got: the inode its reply names
 * @err: sealfs_rpc_call()'s result, then sealfs_req_reply()'s
 * @done: completed when it has its answer
 * @task: its thread
 */
struct rpc_t_caller {
	struct kunit *test;
	struct sealfs_req *req;
	u64 ino;
	u64 got;
	int err;
	struct completion done;
	struct task_struct *task;
};

static int rpc_t_caller_fn(void *arg)
{
	struct rpc_t_caller *cl = arg;
	struct rpc_t_ctx *x = cl->test->priv;
	const struct sealfs_attr_rep *rep;
	struct sealfs_msg m;

	cl->err = sealfs_rpc_call(x->c, cl->req, true);
	if (!cl->err)
		cl->err = sealfs_req_reply(cl->req, &m);
	if (!cl->err) {
		rep = m.body;
		cl->got = le64_to_cpu(rep->attr.ino);
	}
	complete(&cl->done);
	return 0;
}

static void rpc_t_reverse_test(struct kunit *test)
{
	struct rpc_t_ctx *x = test->priv;
	struct rpc_t_caller *cl;
	struct task_struct *t;
	unsigned int i;

	x->mode = RPC_T_REVERSE;
	cl = kunit_kcalloc(test, RPC_T_CALLERS, sizeof(*cl), GFP_KERNEL);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, cl);
	for (i = 0; i < RPC_T_CALLERS; i++) {
		cl[i].test = test;
		cl[i].ino = 100 + i;
		init_completion(&cl[i].done);
		cl[i].req = rpc_t_getattr(test, cl[i].ino);
		if (!cl[i].req)
			break;
		/* Ids in scrambled order, so that the tree rebalances. */
		cl[i].req->id = 1000 + (i * 5) % RPC_T_CALLERS;
	}
	KUNIT_EXPECT_EQ(test, i, RPC_T_CALLERS);
	for (i = 0; i < RPC_T_CALLERS && cl[i].req; i++) {
		t = kthread_create(rpc_t_caller_fn, &cl[i], "sealfs-kunit/%u", i);
		if (IS_ERR(t)) {
			KUNIT_FAIL(test, "kthread_create: %ld", PTR_ERR(t));
			break;
		}
		get_task_struct(t);
		cl[i].task = t;
		wake_up_process(t);
	}
	for (i = 0; i < RPC_T_CALLERS && cl[i].task; i++) {
		wait_for_completion(&cl[i].done);
		kthread_stop(cl[i].task);
		put_task_struct(cl[i].task);
		KUNIT_EXPECT_EQ_MSG(test, cl[i].err, 0, "caller %u", i);
		KUNIT_EXPECT_EQ_MSG(test, cl[i].got, cl[i].ino, "caller %u", i);
		KUNIT_EXPECT_EQ(test, cl[i].req->rh.req_id, cl[i].req->id);
	}
	for (i = 0; i < RPC_T_CALLERS; i++)
		sealfs_req_put(cl[i].req);
	KUNIT_EXPECT_EQ(test, x->npend, RPC_T_CALLERS);
	KUNIT_EXPECT_EQ(test, x->inflight_seen, RPC_T_CALLERS);
	KUNIT_EXPECT_EQ(test, x->nreq, RPC_T_CALLERS);
	KUNIT_EXPECT_EQ(test, x->c->inflight, 0u);
	KUNIT_EXPECT_TRUE(test, RB_EMPTY_ROOT(&x->c->reqs));
	KUNIT_EXPECT_EQ(test, x->c->unknown_replies, 0ull);
	KUNIT_EXPECT_EQ(test, x->connects, 1u);
}

static void rpc_t_unknown_id_test(struct kunit *test)
{
	struct rpc_t_ctx *x = test->priv;
	u64 got;

	x->mode = RPC_T_UNKNOWN_FIRST;
	KUNIT_EXPECT_EQ(test, rpc_t_call(test, 7, true, &got), 0);
	KUNIT_EXPECT_EQ(test, got, 7ull);
	KUNIT_EXPECT_EQ(test, x->c->unknown_replies, 1ull);
	KUNIT_EXPECT_EQ(test, x->nreq, 1u);
	KUNIT_EXPECT_EQ(test, x->connects, 1u);
}

static void rpc_t_duplicate_test(struct kunit *test)
{
	struct rpc_t_ctx *x = test->priv;
	u64 got;

	x->mode = RPC_T_DUP;
	KUNIT_EXPECT_EQ(test, rpc_t_call(test, 8, true, &got), 0);
	KUNIT_EXPECT_EQ(test, got, 8ull);
	/* The duplicate comes before the next call's reply on the stream. */
	x->mode = RPC_T_NORMAL;
	KUNIT_EXPECT_EQ(test, rpc_t_call(test, 9, true, &got), 0);
	KUNIT_EXPECT_EQ(test, got, 9ull);
	KUNIT_EXPECT_EQ(test, x->c->unknown_replies, 1ull);
	KUNIT_EXPECT_EQ(test, x->connects, 1u);
}

static void rpc_t_wrong_opcode_test(struct kunit *test)
{
	struct rpc_t_ctx *x = test->priv;
	u64 got;

	x->mode = RPC_T_WRONG_OP_FIRST;
	KUNIT_EXPECT_EQ(test, rpc_t_call(test, 10, true, &got), 0);
	/* The LOOKUP reply (inode 11) was not delivered. */
	KUNIT_EXPECT_EQ(test, got, 10ull);
	KUNIT_EXPECT_EQ(test, x->c->unknown_replies, 1ull);
	KUNIT_EXPECT_EQ(test, x->nreq, 1u);
}

static void rpc_t_lost_reply_test(struct kunit *test)
{
	struct rpc_t_ctx *x = test->priv;
	unsigned int i;
	u64 got;

	x->fs.opts.timeo = 1;
	x->mode = RPC_T_SILENT_ONCE;
	KUNIT_EXPECT_EQ(test, rpc_t_call(test, 12, true, &got), 0);
	KUNIT_EXPECT_EQ(test, got, 12ull);
	/* Two sends, or more if a reply came in after its 100 ms. */
	KUNIT_ASSERT_GE(test, x->nreq, 2u);
	KUNIT_EXPECT_EQ(test, x->sent[0].flags, 0u);
	for (i = 1; i < x->nreq && i < RPC_T_SENT; i++) {
		KUNIT_EXPECT_EQ(test, x->sent[i].req_id, x->sent[0].req_id);
		KUNIT_EXPECT_EQ(test, x->sent[i].flags, SEALFS_HF_RETRY);
	}
	/* A time-out alone does not drop the connection. */
	KUNIT_EXPECT_EQ(test, x->connects, 1u);
	KUNIT_EXPECT_EQ(test, x->c->inflight, 0u);
}

static void rpc_t_bounded_timeout_test(struct kunit *test)
{
	struct rpc_t_ctx *x = test->priv;
	unsigned int i;
	u64 got;

	x->fs.opts.timeo = 1;
	x->mode = RPC_T_SILENT;
	KUNIT_EXPECT_EQ(test, rpc_t_call(test, 13, true, &got), -ETIMEDOUT);
	KUNIT_ASSERT_EQ(test, x->nreq, x->fs.opts.retrans + 1);
	for (i = 1; i < x->nreq; i++) {
		KUNIT_EXPECT_EQ(test, x->sent[i].req_id, x->sent[0].req_id);
		KUNIT_EXPECT_EQ(test, x->sent[i].flags, SEALFS_HF_RETRY);
	}
	KUNIT_EXPECT_EQ(test, x->c->inflight, 0u);
	KUNIT_EXPECT_TRUE(test, RB_EMPTY_ROOT(&x->c->reqs));
}

static void rpc_t_soft_test(struct kunit *test)
{
	struct rpc_t_ctx *x = test->priv;
	u64 got;

	x->fs.opts.timeo = 1;
	x->fs.opts.retrans = 1;
	x->fs.opts.soft = true;
	x->mode = RPC_T_SILENT;
	KUNIT_EXPECT_EQ(test, rpc_t_call(test, 14, false, &got), -EIO);
	KUNIT_EXPECT_EQ(test, x->nreq, 2u);
	KUNIT_EXPECT_EQ(test, x->c->inflight, 0u);
}

static void rpc_t_disconnect_test(struct kunit *test)
{
	struct rpc_t_ctx *x = test->priv;
	u64 got;

	x->mode = RPC_T_CUT_ONCE;
	KUNIT_EXPECT_EQ(test, rpc_t_call(test, 15, true, &got), 0);
	KUNIT_EXPECT_EQ(test, got, 15ull);
	KUNIT_EXPECT_EQ(test, x->connects, 2u);
	KUNIT_EXPECT_EQ(test, x->hellos, 2u);
	KUNIT_EXPECT_EQ(test, x->c->connects, 2ull);
	KUNIT_ASSERT_EQ(test, x->nreq, 2u);
	KUNIT_EXPECT_EQ(test, x->sent[1].req_id, x->sent[0].req_id);
	KUNIT_EXPECT_EQ(test, x->sent[1].flags, SEALFS_HF_RETRY);
}

static void rpc_t_bad_magic_test(struct kunit *test)
{
	struct rpc_t_ctx *x = test->priv;
	u64 got;

	x->mode = RPC_T_BAD_MAGIC_ONCE;
	KUNIT_EXPECT_EQ(test, rpc_t_call(test, 16, true, &got), 0);
	KUNIT_EXPECT_EQ(test, got, 16ull);
	KUNIT_EXPECT_EQ(test, x->connects, 2u);
	KUNIT_ASSERT_EQ(test, x->nreq, 2u);
	KUNIT_EXPECT_EQ(test, x->sent[1].req_id, x->sent[0].req_id);
	KUNIT_EXPECT_EQ(test, x->sent[1].flags, SEALFS_HF_RETRY);
	KUNIT_EXPECT_EQ(test, x->c->unknown_replies, 0ull);
}

static void rpc_t_short_body_test(struct kunit *test)
{
	static const char name[] = "file";
	struct rpc_t_ctx *x = test->priv;
	struct sealfs_name_req r = {
		.parent = cpu_to_le64(1),
		.name_len = cpu_to_le16(sizeof(name) - 1),
	};
	struct sealfs_req *req;
	struct sealfs_buf b;
	struct sealfs_msg m;

	x->mode = RPC_T_SHORT_BODY;
	req = sealfs_req_alloc(SEALFS_OP_LOOKUP, sizeof(r) + sizeof(name));
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, req);
	sealfs_req_buf(req, &b);
	sealfs_buf_put(&b, &r, sizeof(r));
	sealfs_buf_put(&b, name, sizeof(name) - 1);
	KUNIT_EXPECT_EQ(test, sealfs_req_finish(req, &b, 0), 0);
	KUNIT_EXPECT_EQ(test, sealfs_rpc_call(x->c, req, true), 0);
	KUNIT_EXPECT_EQ(test, req->rh.len, 8u);
	KUNIT_EXPECT_EQ(test, sealfs_req_reply(req, &m), -EIO);
	sealfs_req_put(req);
}

static void rpc_t_status_test(struct kunit *test)
{
	struct rpc_t_ctx *x = test->priv;
	u64 got;

	x->mode = RPC_T_STATUS;
	x->status = SEALFS_S_NOENT;
	KUNIT_EXPECT_EQ(test, rpc_t_call(test, 17, true, &got), -ENOENT);
	x->status = SEALFS_S_STALE;
	KUNIT_EXPECT_EQ(test, rpc_t_call(test, 17, true, &got), -ESTALE);
	x->status = SEALFS_S_MAX + 100;
	KUNIT_EXPECT_EQ(test, rpc_t_call(test, 17, true, &got), -EIO);
	x->status = 0xffffffffu;
	KUNIT_EXPECT_EQ(test, rpc_t_call(test, 17, true, &got), -EIO);
	KUNIT_EXPECT_EQ(test, x->nreq, 4u);
	KUNIT_EXPECT_EQ(test, x->connects, 1u);
}

static void rpc_t_shutdown_test(struct kunit *test)
{
	struct rpc_t_ctx *x = test->priv;
	u64 got;

	x->fs.shutdown = true;
	KUNIT_EXPECT_EQ(test, rpc_t_call(test, 18, false, &got), -EIO);
	KUNIT_EXPECT_EQ(test, x->connects, 0u);
	KUNIT_EXPECT_EQ(test, x->nreq, 0u);

	/* Also on a connection that is up. */
	x->fs.shutdown = false;
	KUNIT_EXPECT_EQ(test, rpc_t_call(test, 19, true, &got), 0);
	x->fs.shutdown = true;
	KUNIT_EXPECT_EQ(test, rpc_t_call(test, 20, false, &got), -EIO);
	KUNIT_EXPECT_EQ(test, x->nreq, 1u);
}

static void rpc_t_late_reply_test(struct kunit *test)
{
	struct rpc_t_ctx *x = test->priv;
	u64 got;

	x->fs.opts.timeo = 1;
	x->mode = RPC_T_SILENT;
	KUNIT_EXPECT_EQ(test, rpc_t_call(test, 21, true, &got), -ETIMEDOUT);
	KUNIT_ASSERT_GE(test, x->nreq, 1u);

	/* The caller gave up and freed its request: its reply is dropped. */
	x->late_id = x->sent[0].req_id;
	x->fs.opts.timeo = 100;
	x->mode = RPC_T_LATE;
	KUNIT_EXPECT_EQ(test, rpc_t_call(test, 22, true, &got), 0);
	KUNIT_EXPECT_EQ(test, got, 22ull);
	KUNIT_EXPECT_EQ(test, x->c->unknown_replies, 1ull);
	KUNIT_EXPECT_EQ(test, x->connects, 1u);
}

static void rpc_t_refused_test(struct kunit *test)
{
	struct rpc_t_ctx *x = test->priv;
	u64 got;

	/* Refused once: the call waits out the back-off and connects. */
	x->refuse = 1;
	KUNIT_EXPECT_EQ(test, rpc_t_call(test, 23, true, &got), 0);
	KUNIT_EXPECT_EQ(test, got, 23ull);
	KUNIT_EXPECT_EQ(test, x->connects, 2u);
	KUNIT_EXPECT_EQ(test, x->refused, 1u);
	KUNIT_EXPECT_EQ(test, x->hellos, 1u);
	KUNIT_EXPECT_EQ(test, x->nreq, 1u);

	/* Refused for good: a bounded call ends with the connect's error
	 * after retrans more tries, and sends nothing.
	 */
	sealfs_conn_reset(x->c);
	x->refuse = 100;
	KUNIT_EXPECT_EQ(test, rpc_t_call(test, 24, true, &got),
			-ECONNREFUSED);
	KUNIT_EXPECT_EQ(test, x->connects, 3 + x->fs.opts.retrans);
	KUNIT_EXPECT_EQ(test, x->nreq, 1u);
	x->refuse = 0;
}

static struct kunit_case sealfs_rpc_cases[] = {
	KUNIT_CASE(rpc_t_normal_test),
	KUNIT_CASE(rpc_t_reverse_test),
	KUNIT_CASE(rpc_t_unknown_id_test),
	KUNIT_CASE(rpc_t_duplicate_test),
	KUNIT_CASE(rpc_t_wrong_opcode_test),
	KUNIT_CASE(rpc_t_lost_reply_test),
	KUNIT_CASE(rpc_t_bounded_timeout_test),
	KUNIT_CASE(rpc_t_soft_test),
	KUNIT_CASE(rpc_t_disconnect_test),
	KUNIT_CASE(rpc_t_bad_magic_test),
	KUNIT_CASE(rpc_t_short_body_test),
	KUNIT_CASE(rpc_t_status_test),
	KUNIT_CASE(rpc_t_shutdown_test),
	KUNIT_CASE(rpc_t_late_reply_test),
	KUNIT_CASE(rpc_t_refused_test),
	{}
};

static struct kunit_suite sealfs_rpc_suite = {
	.name = "sealfs_rpc",
	.init = rpc_t_init,
	.exit = rpc_t_exit,
	.test_cases = sealfs_rpc_cases,
};

kunit_test_suite(sealfs_rpc_suite);
