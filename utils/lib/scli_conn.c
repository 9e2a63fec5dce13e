// SPDX-License-Identifier: Apache-2.0
/*
 * scli_conn: a client of one volume: the manager, the map, the server
 * connections and the routed call with steering. See scli.h.
 *
 * scli_call() sends a request to the owner of its key under the current
 * map (or to a given server) and handles what is not the operation's
 * answer:
 *  - STALE_EPOCH: refetch a map at least as new as the server's epoch;
 *  - WRONG_OWNER, a connection that cannot be opened: refetch the map;
 *  - NOTREADY (the server is behind) and AGAIN: just wait;
 * then back off (10 ms doubling up to backoff_max_ms) and resend, at most
 * opts.retries times. None of those statuses means the request ran, so
 * the resend is a new request. A request whose connection dropped or
 * timed out may have run: it is resent to the same server with its
 * request id and %SEALFS_HF_RETRY, and the server's replay table answers
 * it with the first reply if it did.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <unistd.h>

#include "scli_int.h"

/**
 * scli_fail() - record the reason of a failure
 * @cl: the client
 * @rc: -errno, returned
 * @fmt: printf format of the reason; ": strerror" is appended
 * Return: @rc.
 */
int scli_fail(struct scli *cl, int rc, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(cl->err, sizeof(cl->err), fmt, ap);
	va_end(ap);
	if (n >= 0 && (size_t)n < sizeof(cl->err))
		snprintf(cl->err + n, sizeof(cl->err) - n, ": %s", strerror(-rc));
	return rc;
}

/**
 * scli_name_ok() - check an entry name before sending it
 * @cl: the client
 * @what: operation, for the message
 * @name: the name
 * Return: 0, -ENAMETOOLONG or -EINVAL.
 */
int scli_name_ok(struct scli *cl, const char *what, const char *name)
{
	size_t n = strlen(name);

	if (n > SEALFS_NAME_MAX)
		return scli_fail(cl, -ENAMETOOLONG, "%s %.40s...", what, name);
	if (sealfs_check_name((const u8 *)name, n))
		return scli_fail(cl, -EINVAL, "%s '%s'", what, name);
	return 0;
}

static struct srpc *conn_get(struct scli *cl, u32 id, int *rcp);

static void conn_drop(struct scli *cl, struct scli_conn *c)
{
	(void)cl;
	if (!c)
		return;
	if (c->rpc)
		srpc_free(c->rpc);
	c->rpc = NULL;
}

static struct scli_conn *conn_slot(struct scli *cl, u32 id)
{
	struct scli_conn *n;
	u32 i;

	for (i = 0; i < cl->nconns; i++)
		if (cl->conns[i].id == id)
			return &cl->conns[i];
	n = realloc(cl->conns, (cl->nconns + 1) * sizeof(*n));
	if (!n)
		return NULL;
	cl->conns = n;
	n = &cl->conns[cl->nconns++];
	memset(n, 0, sizeof(*n));
	n->id = id;
	return n;
}

/**
 * scli_conn_get() - the open connection to a server
 * @cl: the client
 * @id: server id in the current map
 * @rcp: set to -errno when %NULL is returned
 *
 * Opens and greets it if need be; the epoch of its requests is set to the
 * current map's.
 * Return: the connection, or %NULL.
 */
struct srpc *scli_conn_get(struct scli *cl, u32 id, int *rcp)
{
	struct srpc *r = conn_get(cl, id, rcp);

	if (r)
		srpc_set_epoch(r, cl->map->epoch);
	return r;
}

/* The open connection to server @id, opened and greeted if need be. */
static struct srpc *conn_get(struct scli *cl, u32 id, int *rcp)
{
	const struct scli_map_srv *s = scli_map_srv(cl->map, id);
	struct srpc_opts o = {
		.session = &cl->session, .role = SEALFS_ROLE_CLIENT,
		.features = SEALFS_FEAT_ALL, .timeout_ms = cl->opts.timeout_ms,
	};
	char addr[80], err[SCONN_ERR_MAX];
	struct srpc_peer peer;
	struct scli_conn *c;
	int rc;

	if (!s || scli_addr_text(&s->addr[SEALFS_TRANSPORT_TCP], addr, sizeof(addr))) {
		*rcp = scli_fail(cl, -EHOSTUNREACH, "server %u has no TCP address", id);
		return NULL;
	}
	c = conn_slot(cl, id);
	if (!c) {
		*rcp = scli_fail(cl, -ENOMEM, "server %u", id);
		return NULL;
	}
	if (c->rpc && srpc_is_up(c->rpc) && !strcmp(c->addr, addr))
		return c->rpc;
	conn_drop(cl, c);
	snprintf(c->addr, sizeof(c->addr), "%s", addr);
	sconn_opts_init(&o.conn);
	o.conn.connect_timeout_ms = cl->opts.timeout_ms;
	rc = srpc_connect(cl->loop, addr, 0, &o, &c->rpc, err, sizeof(err));
	if (rc) {
		c->rpc = NULL;
		*rcp = scli_fail(cl, rc, "server %u at %s", id, addr);
		return NULL;
	}
	rc = srpc_hello_sync(c->rpc, &peer);
	if (!rc && peer.server_id != id)
		rc = -ESTALE;	/* another server now answers there */
	if (rc) {
		conn_drop(cl, c);
		*rcp = scli_fail(cl, rc, "HELLO to server %u at %s", id, addr);
		return NULL;
	}
	return c->rpc;
}

static int mgr_get(struct scli *cl)
{
	struct srpc_opts o = {
		.session = &cl->session, .role = SEALFS_ROLE_CLIENT,
		.timeout_ms = cl->opts.timeout_ms,
	};
	char err[SCONN_ERR_MAX];
	int rc;

	if (cl->mgr && srpc_is_up(cl->mgr))
		return 0;
	if (cl->mgr)
		srpc_free(cl->mgr);
	cl->mgr = NULL;
	sconn_opts_init(&o.conn);
	o.conn.connect_timeout_ms = cl->opts.timeout_ms;
	rc = srpc_connect(cl->loop, cl->manager, SEALFS_MANAGER_PORT, &o, &cl->mgr,
			  err, sizeof(err));
	if (rc) {
		cl->mgr = NULL;
		return scli_fail(cl, rc, "manager %s", cl->manager);
	}
	rc = srpc_hello_sync(cl->mgr, NULL);
	if (rc) {
		srpc_free(cl->mgr);
		cl->mgr = NULL;
		return scli_fail(cl, rc, "HELLO to the manager %s", cl->manager);
	}
	return 0;
}

/* Installs @map: finds the volume, drops connections whose server moved. */
static int map_install(struct scli *cl, struct scli_map *map)
{
	const struct scli_map_vol *v = scli_map_vol(map, cl->volname);
	u32 i;

	if (!v || v->state != SEALFS_VOL_ACTIVE) {
		scli_fail(cl, -ENOENT, "volume %s (map epoch %llu)", cl->volname,
			  (unsigned long long)map->epoch);
		scli_map_free(map);
		return -ENOENT;
	}
	cl->vol = v->id;
	cl->chunk = v->chunk_size;
	for (i = 0; i < cl->nconns; i++) {
		const struct scli_map_srv *s = scli_map_srv(map, cl->conns[i].id);
		char addr[80];

		if (!s || scli_addr_text(&s->addr[SEALFS_TRANSPORT_TCP], addr, sizeof(addr)) ||
		    strcmp(addr, cl->conns[i].addr))
			conn_drop(cl, &cl->conns[i]);
	}
	scli_map_free(cl->map);
	cl->map = map;
	return 0;
}

/* One MAP_GET; *@mp is %NULL when a long poll ended without a change. */
static int map_get(struct scli *cl, u64 known, u32 wait_ms, struct scli_map **mp)
{
	struct sealfs_map_get_req q = {
		.known_epoch = cpu_to_le64(known), .wait_ms = cpu_to_le32(wait_ms),
	};
	struct srpc_call call = {
		.opcode = SEALFS_OP_MAP_GET, .payload = &q, .len = sizeof(q),
		.timeout_ms = cl->opts.timeout_ms + wait_ms,
	};
	struct srpc_result res;
	int rc, tries;

	*mp = NULL;
	for (tries = 0; tries < 2; tries++) {
		rc = mgr_get(cl);
		if (rc)
			return rc;
		rc = srpc_call_sync(cl->mgr, &call, &res);
		if (rc != -ECONNRESET)
			break;
		srpc_result_free(&res);	/* the manager restarted: once more */
	}
	if (rc) {
		srpc_result_free(&res);
		return scli_fail(cl, rc, "MAP_GET from %s", cl->manager);
	}
	if (known && wait_ms && le64_to_cpu(((const struct sealfs_map_rep *)res.m.body)->epoch) == known) {
		srpc_result_free(&res);
		return 0;
	}
	rc = scli_map_decode(&res.m, mp);
	srpc_result_free(&res);
	if (rc)
		return scli_fail(cl, rc, "map from %s", cl->manager);
	return 0;
}

/**
 * scli_refresh() - fetch the map from the manager
 * @cl: the client
 * @min_epoch: the epoch wanted at least (a server's, from STALE_EPOCH);
 *	while the manager's is older, wait for it with a long poll (bounded
 *	by the call timeout)
 * Return: 0 or -errno; -ENOENT when the volume left the map.
 */
int scli_refresh(struct scli *cl, u64 min_epoch)
{
	struct scli_map *map;
	u64 deadline = sloop_now_ms() + cl->opts.timeout_ms;
	int rc;

	rc = map_get(cl, 0, 0, &map);
	while (!rc && map->epoch < min_epoch && sloop_now_ms() < deadline) {
		struct scli_map *newer;

		rc = map_get(cl, map->epoch, 1000, &newer);
		if (!rc && newer) {
			scli_map_free(map);
			map = newer;
		}
	}
	if (rc)
		return rc;
	return map_install(cl, map);
}

/**
 * scli_map_wait() - follow epoch changes: wait for a newer map
 * @cl: the client
 * @wait_ms: longest wait
 * Return: 1 when a newer map was installed, 0 when none came, or -errno.
 */
int scli_map_wait(struct scli *cl, u32 wait_ms)
{
	struct scli_map *map;
	int rc;

	rc = map_get(cl, cl->map->epoch, wait_ms, &map);
	if (rc || !map)
		return rc;
	if (map->epoch <= cl->map->epoch) {
		scli_map_free(map);
		return 0;
	}
	rc = map_install(cl, map);
	return rc ? rc : 1;
}

static bool steering(const struct srpc_result *res)
{
	return res->replied && (res->h.status == SEALFS_S_STALE_EPOCH ||
				res->h.status == SEALFS_S_WRONG_OWNER ||
				res->h.status == SEALFS_S_NOTREADY ||
				res->h.status == SEALFS_S_AGAIN);
}

/**
 * scli_call() - send a routed request and wait for its answer
 * @cl: the client
 * @q: the request
 * @res: the reply when 0 is returned; free with srpc_result_free()
 * @served_by: set to the server that answered; may be %NULL
 *
 * Return: 0, or -errno (the reply's status, -EAGAIN when steering gave up,
 * a connection error).
 */
int scli_call(struct scli *cl, const struct scli_req *q,
	      struct srpc_result *res, u32 *served_by)
{
	u32 backoff = 10, attempt, srv, last = 0;
	u64 req_id = 0;
	int rc = -EAGAIN;

	for (attempt = 0;; attempt++) {
		u64 need_epoch = 0;
		bool refresh = true;
		struct srpc *r;

		srv = q->server ? q->server : scli_map_owner(cl->map, q->key);
		r = srv ? conn_get(cl, srv, &rc) : NULL;
		if (!srv)
			rc = scli_fail(cl, -EAGAIN, "%s: no server in the map",
				       sealfs_op_name(q->op));
		if (r) {
			struct srpc_call call = {
				.opcode = q->op, .payload = q->payload, .len = q->len,
				.data = q->data, .ndata = q->ndata,
			};

			if (req_id && srv == last) {
				call.req_id = req_id;
				call.flags = SEALFS_HF_RETRY;
			} else {
				call.req_id = req_id =
					atomic_fetch_add(&cl->session.next_req_id, 1);
			}
			last = srv;
			srpc_set_epoch(r, cl->map->epoch);
			rc = srpc_call_sync(r, &call, res);
			if (!rc) {
				if (served_by)
					*served_by = srv;
				return 0;
			}
			if (rc == -EAGAIN && steering(res)) {
				u32 st = res->h.status;

				need_epoch = st == SEALFS_S_STALE_EPOCH ? res->h.epoch : 0;
				refresh = st == SEALFS_S_STALE_EPOCH ||
					  st == SEALFS_S_WRONG_OWNER;
				req_id = 0;	/* it did not run: a new request */
				scli_fail(cl, rc, "%s on server %u: %s", sealfs_op_name(q->op),
					  srv, sealfs_status_name(st));
			} else if (!res->replied && (rc == -ECONNRESET || rc == -ETIMEDOUT)) {
				conn_drop(cl, conn_slot(cl, srv));
				scli_fail(cl, rc, "%s on server %u", sealfs_op_name(q->op), srv);
			} else {
				srpc_result_free(res);
				if (rc == -EAGAIN)
					return scli_fail(cl, rc, "%s on server %u",
							 sealfs_op_name(q->op), srv);
				return scli_fail(cl, rc, "%s", sealfs_op_name(q->op));
			}
			srpc_result_free(res);
		}
		if (attempt >= cl->opts.retries)
			return rc;
		usleep(backoff * 1000);
		backoff = backoff * 2 > cl->opts.backoff_max_ms ?
			  cl->opts.backoff_max_ms : backoff * 2;
		if (refresh) {
			int e = scli_refresh(cl, need_epoch);

			if (e == -ENOENT)
				return e;	/* the volume is gone */
		}
	}
}

/**
 * scli_open() - a client of one volume
 * @manager: "HOST[:PORT]" of the manager (default port 7420)
 * @volume: the volume's name
 * @opts: options, or %NULL for the defaults
 * @clp: the client, freed with scli_close()
 * @err: reason of a failure
 * @errlen: room in @err
 *
 * Fetches the map and finds the volume; server connections open on first
 * use.
 * Return: 0 or -errno (-ENOENT: no such volume).
 */
int scli_open(const char *manager, const char *volume,
	      const struct scli_opts *opts, struct scli **clp, char *err,
	      size_t errlen)
{
	struct scli *cl;
	u64 cid = 0;
	int rc;

	cl = calloc(1, sizeof(*cl));
	if (!cl) {
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	if (opts)
		cl->opts = *opts;
	if (!cl->opts.timeout_ms)
		cl->opts.timeout_ms = 10000;
	if (!cl->opts.retries)
		cl->opts.retries = 20;
	if (!cl->opts.backoff_max_ms)
		cl->opts.backoff_max_ms = 1000;
	snprintf(cl->manager, sizeof(cl->manager), "%s", manager);
	snprintf(cl->volname, sizeof(cl->volname), "%s", volume);
	while (!cid)
		if (getrandom(&cid, sizeof(cid), 0) != sizeof(cid))
			cid = sloop_now_ms() ^ ((u64)getpid() << 32);
	srpc_session_init(&cl->session, cid);
	rc = sloop_new(&cl->loop);
	if (rc) {
		snprintf(err, errlen, "cannot create an event loop: %s", strerror(-rc));
		free(cl);
		return rc;
	}
	rc = scli_refresh(cl, 0);
	if (rc) {
		snprintf(err, errlen, "%s", cl->err);
		scli_close(cl);
		return rc;
	}
	*clp = cl;
	return 0;
}

/**
 * scli_close() - close every connection and free the client
 * @cl: the client, or %NULL
 */
void scli_close(struct scli *cl)
{
	u32 i;

	if (!cl)
		return;
	for (i = 0; i < cl->nconns; i++)
		conn_drop(cl, &cl->conns[i]);
	if (cl->mgr)
		srpc_free(cl->mgr);
	while (cl->loop && sloop_live(cl->loop))
		if (sloop_run_once(cl->loop, 100) < 0)
			break;
	if (cl->loop)
		sloop_free(cl->loop);
	scli_map_free(cl->map);
	free(cl->conns);
	free(cl->uns);
	free(cl);
}

/**
 * scli_error() - the reason of the last failure
 * @cl: the client
 * Return: a one-line message.
 */
const char *scli_error(const struct scli *cl)
{
	return cl->err;
}

/**
 * scli_cur_map() - the map the client acts on
 * @cl: the client
 * Return: the map; valid until the next call on @cl.
 */
const struct scli_map *scli_cur_map(const struct scli *cl)
{
	return cl->map;
}

/**
 * scli_volume() - the client's volume in the current map
 * @cl: the client
 * Return: the volume; valid until the next call on @cl.
 */
const struct scli_map_vol *scli_volume(const struct scli *cl)
{
	return scli_map_vol(cl->map, cl->volname);
}

/**
 * scli_client_id() - the client id sent in HELLO
 * @cl: the client
 * Return: the id (random, non-zero).
 */
u64 scli_client_id(const struct scli *cl)
{
	return cl->session.client_id;
}
