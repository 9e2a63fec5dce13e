// SPDX-License-Identifier: Apache-2.0
/*
 * srpc HELLO handshake and the synchronous helpers for CLI tools and tests.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "slog.h"
#include "srpc_int.h"

/**
 * struct srpc_hello_ctx - a HELLO in flight
 * @done: the caller's callback
 * @arg: for @done
 * @offered: the request as sent
 */
struct srpc_hello_ctx {
	srpc_hello_fn done;
	void *arg;
	struct sealfs_hello_req offered;
};

/* Checks a HELLO reply against what was offered (protocol.rst, HELLO). */
static int srpc_hello_check(struct srpc *r, const struct sealfs_hello_req *req,
			    const struct sealfs_hello_rep *rep,
			    struct srpc_peer *p)
{
	const char *why = NULL;

	p->major = le16_to_cpu(rep->major);
	p->minor = le16_to_cpu(rep->minor);
	p->role = le16_to_cpu(rep->role);
	p->features = le64_to_cpu(rep->features);
	p->boot_id = le64_to_cpu(rep->boot_id);
	p->max_payload = le32_to_cpu(rep->max_payload);
	p->server_id = le32_to_cpu(rep->server_id);
	if (p->major != le16_to_cpu(req->major))
		why = "another major version";
	else if (p->minor > le16_to_cpu(req->minor))
		why = "a minor version above ours";
	else if (p->role < SEALFS_ROLE_CLIENT || p->role > SEALFS_ROLE_MANAGER)
		why = "an unknown role";
	else if (p->features & ~le64_to_cpu(req->features))
		why = "features we did not offer";
	else if (!p->max_payload ||
		 p->max_payload > le32_to_cpu(req->max_payload))
		why = "a payload limit of 0 or above ours";
	if (!why)
		return 0;
	slog_warn("%s: HELLO reply has %s (version %u.%u, role %u, features 0x%llx, max payload %u)",
		  sconn_name(r->c), why, p->major, p->minor, p->role,
		  (unsigned long long)p->features, p->max_payload);
	return -EPROTO;
}

static void srpc_hello_done(struct srpc *r, int err,
			    const struct sealfs_hdr_info *h,
			    const struct sealfs_msg *m, struct sconn_buf *payload,
			    void *arg)
{
	struct srpc_hello_ctx *x = arg;
	struct srpc_peer peer = { 0 };

	(void)h;
	(void)payload;
	if (!err)
		err = srpc_hello_check(r, &x->offered, m->body, &peer);
	if (!err) {
		srpc__set_peer(r, &peer);
		slog_debug("%s: HELLO: version %u.%u, role %u, features 0x%llx, max payload %u, server id %u",
			   sconn_name(r->c), peer.major, peer.minor, peer.role,
			   (unsigned long long)peer.features, peer.max_payload,
			   peer.server_id);
	} else if (r->up && !r->freed) {
		if (err != -EPROTO)
			slog_warn("%s: HELLO failed: %s", sconn_name(r->c),
				  strerror(-err));
		sconn_close(r->c, err);	/* the session cannot be used */
	}
	x->done(r, err, err ? NULL : &r->peer, x->arg);
	free(x);
}

/**
 * srpc_hello() - negotiate the session: the first call on a connection
 * @r: the client
 * @done: called with 0 and the negotiated &struct srpc_peer (also kept,
 *	see srpc_peer()), or with the error: the status's errno (e.g.
 *	-EPROTONOSUPPORT for VERSION), -EPROTO for a reply that breaks the
 *	rules (features not offered, larger payload limit, other major, ...),
 *	or a call error. On error the connection is closed.
 * @arg: for @done
 *
 * Sends the role, features, client id and payload limit of the srpc's
 * options. On success the negotiated payload limit applies in both
 * directions.
 *
 * Context: loop thread.
 * Return: 0, or an error of srpc_call() (then @done is never called).
 */
int srpc_hello(struct srpc *r, srpc_hello_fn done, void *arg)
{
	struct srpc_hello_ctx *x;
	struct srpc_call call = { .opcode = SEALFS_OP_HELLO };
	int err;

	if (!done)
		return -EINVAL;
	x = calloc(1, sizeof(*x));
	if (!x)
		return -ENOMEM;
	x->done = done;
	x->arg = arg;
	x->offered = (struct sealfs_hello_req){
		.major = cpu_to_le16(SEALFS_PROTO_MAJOR),
		.minor = cpu_to_le16(SEALFS_PROTO_MINOR),
		.role = cpu_to_le16(r->opts.role),
		.features = cpu_to_le64(r->opts.features),
		.client_id = cpu_to_le64(r->session->client_id),
		.max_payload = cpu_to_le32(r->opts.max_payload),
	};
	call.payload = &x->offered;
	call.len = sizeof(x->offered);
	err = srpc_call(r, &call, srpc_hello_done, x, NULL);
	if (err)
		free(x);
	return err;
}

/* ---- synchronous helpers -------------------------------------------------- */

/**
 * struct srpc_sync - a synchronous call's state on the caller's stack
 * @done: the outcome arrived
 * @res: where it goes
 * @peer: HELLO result (srpc_hello_sync())
 */
struct srpc_sync {
	bool done;
	struct srpc_result *res;
	struct srpc_peer *peer;
};

static void srpc_sync_done(struct srpc *r, int err,
			   const struct sealfs_hdr_info *h,
			   const struct sealfs_msg *m, struct sconn_buf *payload,
			   void *arg)
{
	struct srpc_sync *s = arg;

	(void)r;
	s->res->err = err;
	if (h) {
		s->res->replied = true;
		s->res->h = *h;
		s->res->m = *m;
		s->res->payload = sconn_buf_steal(payload);
	}
	s->done = true;
}

/* Runs the loop until @s is done; the call's timer bounds the wait. */
static void srpc_sync_wait(struct srpc *r, struct srpc_sync *s)
{
	while (!s->done) {
		int n = sloop_run_once(r->loop, -1);

		if (n < 0 && n != -EINTR) {
			/* only a broken loop (bad epoll fd) gets here */
			slog_err("srpc: event loop failed: %s", strerror(-n));
			abort();
		}
	}
}

/**
 * srpc_call_sync() - send a request and wait for the outcome
 * @r: the client
 * @call: the request; its timeout (or the srpc's default) bounds the wait
 * @res: set to the outcome; when @res->replied, free it with
 *	srpc_result_free()
 *
 * Runs the loop (other connections and timers of the loop keep working)
 * until the call completes.
 *
 * Context: loop thread, not from a loop callback.
 * Return: @res->err: 0, the reply status's errno, or the error of the call
 * (-ETIMEDOUT, -ECONNRESET, -EPROTO, ...); or -EDEADLK when called from a
 * callback, or an error of srpc_call().
 */
int srpc_call_sync(struct srpc *r, const struct srpc_call *call,
		   struct srpc_result *res)
{
	struct srpc_sync s = { .res = res };
	int err;

	memset(res, 0, sizeof(*res));
	if (sloop_in_callback(r->loop))
		return res->err = -EDEADLK;
	err = srpc_call(r, call, srpc_sync_done, &s, NULL);
	if (err)
		return res->err = err;
	srpc_sync_wait(r, &s);
	return res->err;
}

/**
 * srpc_result_free() - free the reply of srpc_call_sync()
 * @res: the result; may be freed twice
 *
 * Context: any.
 */
void srpc_result_free(struct srpc_result *res)
{
	free(res->payload);
	res->payload = NULL;
	res->replied = false;
}

static void srpc_hello_sync_done(struct srpc *r, int err,
				 const struct srpc_peer *peer, void *arg)
{
	struct srpc_sync *s = arg;

	(void)r;
	s->res->err = err;
	if (peer && s->peer)
		*s->peer = *peer;
	s->done = true;
}

/**
 * srpc_hello_sync() - HELLO, waiting for the outcome
 * @r: the client
 * @peer: set to the negotiated result on success; may be %NULL
 *
 * Also waits for the connect of srpc_connect(), so a CLI tool needs only
 * srpc_connect() and this to have a session.
 *
 * Context: loop thread, not from a loop callback.
 * Return: as srpc_hello()'s callback, or -EDEADLK, or an error of
 * srpc_call().
 */
int srpc_hello_sync(struct srpc *r, struct srpc_peer *peer)
{
	struct srpc_result res = { 0 };
	struct srpc_sync s = { .res = &res, .peer = peer };
	int err;

	if (sloop_in_callback(r->loop))
		return -EDEADLK;
	err = srpc_hello(r, srpc_hello_sync_done, &s);
	if (err)
		return err;
	srpc_sync_wait(r, &s);
	return res.err;
}
