// SPDX-License-Identifier: Apache-2.0
/*
 * mlink: the manager's connections to the servers. See mlink.h.
 *
 * Each server has a &struct mlink_srv, kept until mlink_destroy(); its
 * connection (an srpc) is opened on demand. Calls made before HELLO
 * completed wait on the server's list and are sent when it did (or fail
 * with its error).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mlink.h"
#include "slog.h"
#include "srpc.h"

#define MLINK_ADDR_MAX		64
#define MLINK_CONNECT_MS	3000u

struct mlink_srv;

/**
 * struct mlink_op - one call
 * @srv: its server
 * @opcode: request opcode
 * @len: bytes of @body
 * @timeout_ms: call time-out
 * @epoch: epoch sent in the header
 * @body: the request body
 * @done: completion
 * @arg: for @done
 * @next: next call waiting for HELLO
 */
struct mlink_op {
	struct mlink_srv *srv;
	u16 opcode;
	u32 len;
	u32 timeout_ms;
	u64 epoch;
	u8 body[MLINK_BODY_MAX];
	mlink_done_fn done;
	void *arg;
	struct mlink_op *next;
};

/**
 * struct mlink_srv - a server and its connection
 * @l: the set
 * @id: server id
 * @addr: "HOST:PORT" the connection went to
 * @r: the connection, or %NULL
 * @ready: HELLO completed on @r
 * @wait: calls waiting for HELLO, in order
 * @next: next server
 */
struct mlink_srv {
	struct mlink *l;
	u32 id;
	char addr[MLINK_ADDR_MAX];
	struct srpc *r;
	bool ready;
	struct mlink_op *wait;
	struct mlink_srv *next;
};

/**
 * struct mlink - the manager's connections
 * @loop: the event loop
 * @srvs: servers called so far
 */
struct mlink {
	struct sloop *loop;
	struct mlink_srv *srvs;
};

static int mlink_addr_text(const struct sealfs_addr *a, char *buf, size_t len)
{
	char ip[INET6_ADDRSTRLEN];
	u16 fam = le16_to_cpu(a->family);

	if (fam == SEALFS_AF_INET && inet_ntop(AF_INET, a->addr, ip, sizeof(ip)))
		snprintf(buf, len, "%s:%u", ip, le16_to_cpu(a->port));
	else if (fam == SEALFS_AF_INET6 && inet_ntop(AF_INET6, a->addr, ip, sizeof(ip)))
		snprintf(buf, len, "[%s]:%u", ip, le16_to_cpu(a->port));
	else
		return -EINVAL;
	return 0;
}

static void mlink_complete(struct mlink_op *op, int err, const struct sealfs_msg *m)
{
	op->done(op->arg, op->srv->id, err, m);
	free(op);
}

/* Fails every call waiting for HELLO. */
static void mlink_fail_waiting(struct mlink_srv *s, int err)
{
	struct mlink_op *op = s->wait, *next;

	s->wait = NULL;
	for (; op; op = next) {
		next = op->next;
		mlink_complete(op, err, NULL);
	}
}

/* Drops the server's connection (pending calls complete with -ECANCELED). */
static void mlink_drop(struct mlink_srv *s)
{
	struct srpc *r = s->r;

	s->r = NULL;
	s->ready = false;
	srpc_free(r);
}

static void mlink_call_done(struct srpc *r, int err, const struct sealfs_hdr_info *h,
			    const struct sealfs_msg *m, struct sconn_buf *payload,
			    void *arg)
{
	(void)r;
	(void)h;
	(void)payload;
	mlink_complete(arg, err, err ? NULL : m);
}

static int mlink_send(struct mlink_srv *s, struct mlink_op *op)
{
	struct srpc_call call = {
		.opcode = op->opcode, .payload = op->body, .len = op->len,
		.timeout_ms = op->timeout_ms,
	};

	srpc_set_epoch(s->r, op->epoch);
	return srpc_call(s->r, &call, mlink_call_done, op, NULL);
}

static void mlink_hello_done(struct srpc *r, int err, const struct srpc_peer *peer,
			     void *arg)
{
	struct mlink_srv *s = arg;
	struct mlink_op *op, *next;

	(void)peer;
	if (s->r != r)
		return;
	if (err) {
		slog_debug("server %u (%s): HELLO failed: %s", s->id, s->addr,
			   strerror(-err));
		mlink_drop(s);
		mlink_fail_waiting(s, err);
		return;
	}
	s->ready = true;
	op = s->wait;
	s->wait = NULL;
	for (; op; op = next) {
		next = op->next;
		op->next = NULL;
		err = s->r ? mlink_send(s, op) : -ECONNRESET;
		if (err)
			mlink_complete(op, err, NULL);
	}
}

static void mlink_down(struct srpc *r, int err, void *arg)
{
	struct mlink_srv *s = arg;

	if (s->r != r)
		return;
	slog_debug("server %u (%s): connection closed: %s", s->id, s->addr,
		   strerror(err ? -err : ECONNRESET));
	mlink_drop(s);
	mlink_fail_waiting(s, err ? err : -ECONNRESET);
}

static int mlink_open(struct mlink_srv *s)
{
	struct srpc_opts o = {
		.timeout_ms = MLINK_TIMEOUT_MS,
		.role = SEALFS_ROLE_MANAGER,
		.conn = { .connect_timeout_ms = MLINK_CONNECT_MS },
		.down = mlink_down,
		.arg = s,
	};
	char err[SCONN_ERR_MAX];
	int rc;

	rc = srpc_connect(s->l->loop, s->addr, 0, &o, &s->r, err, sizeof(err));
	if (rc) {
		slog_debug("server %u: cannot connect to %s: %s", s->id, s->addr, err);
		s->r = NULL;
		return rc;
	}
	s->ready = false;
	rc = srpc_hello(s->r, mlink_hello_done, s);
	if (rc) {
		srpc_free(s->r);
		s->r = NULL;
	}
	return rc;
}

/**
 * mlink_create() - an empty set of connections
 * @loop: the event loop the connections run on
 * @lp: set to the set
 *
 * Return: 0 or -ENOMEM.
 */
int mlink_create(struct sloop *loop, struct mlink **lp)
{
	struct mlink *l = calloc(1, sizeof(*l));

	if (!l)
		return -ENOMEM;
	l->loop = loop;
	*lp = l;
	return 0;
}

/**
 * mlink_destroy() - close every connection and free the set
 * @l: the set, or %NULL
 *
 * Pending calls complete with -ECANCELED before it returns. The closes
 * are delivered by the loop later: run it until sloop_live() is 0 before
 * freeing the loop.
 */
void mlink_destroy(struct mlink *l)
{
	struct mlink_srv *s;

	if (!l)
		return;
	while ((s = l->srvs)) {
		l->srvs = s->next;
		if (s->r)
			mlink_drop(s);
		mlink_fail_waiting(s, -ECANCELED);
		free(s);
	}
	free(l);
}

/**
 * mlink_call() - send a request to a server
 * @l: the set
 * @server: the server's id
 * @addr: its TCP endpoint, from the map
 * @epoch: the map epoch to send in the header
 * @opcode: &enum sealfs_op
 * @body: the request body
 * @len: its size, at most %MLINK_BODY_MAX
 * @timeout_ms: time-out of the call; 0 for %MLINK_TIMEOUT_MS
 * @done: called once with the outcome, never from inside mlink_call()
 * @arg: for @done
 *
 * Return: 0; -EINVAL for a bad argument or address; -ENOMEM; the error of
 * opening a connection or of srpc_call(). On error @done is never called.
 */
int mlink_call(struct mlink *l, u32 server, const struct sealfs_addr *addr,
	       u64 epoch, u16 opcode, const void *body, u32 len,
	       u32 timeout_ms, mlink_done_fn done, void *arg)
{
	char text[MLINK_ADDR_MAX];
	struct mlink_srv *s;
	struct mlink_op *op;
	int rc;

	if (len > MLINK_BODY_MAX || !done || mlink_addr_text(addr, text, sizeof(text)))
		return -EINVAL;
	for (s = l->srvs; s && s->id != server; s = s->next)
		;
	if (!s) {
		s = calloc(1, sizeof(*s));
		if (!s)
			return -ENOMEM;
		s->l = l;
		s->id = server;
		s->next = l->srvs;
		l->srvs = s;
	}
	/* A new address: drop an idle connection to the old one. */
	if (strcmp(s->addr, text)) {
		if (s->r && !s->wait && !srpc_pending(s->r))
			mlink_drop(s);
		if (!s->r)
			snprintf(s->addr, sizeof(s->addr), "%s", text);
	}
	op = calloc(1, sizeof(*op));
	if (!op)
		return -ENOMEM;
	*op = (struct mlink_op){
		.srv = s, .opcode = opcode, .len = len, .epoch = epoch,
		.timeout_ms = timeout_ms ? timeout_ms : MLINK_TIMEOUT_MS,
		.done = done, .arg = arg,
	};
	if (len)
		memcpy(op->body, body, len);
	if (!s->r) {
		rc = mlink_open(s);
		if (rc) {
			free(op);
			return rc;
		}
	}
	if (s->ready) {
		rc = mlink_send(s, op);
		if (rc)
			free(op);
		return rc;
	}
	{
		struct mlink_op **pp = &s->wait;

		while (*pp)
			pp = &(*pp)->next;
		*pp = op;
	}
	return 0;
}

/**
 * mlink_count() - open connections
 * @l: the set
 *
 * Return: how many servers have a connection (open or opening).
 */
unsigned int mlink_count(const struct mlink *l)
{
	const struct mlink_srv *s;
	unsigned int n = 0;

	for (s = l->srvs; s; s = s->next)
		n += s->r != NULL;
	return n;
}
