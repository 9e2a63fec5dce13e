// SPDX-License-Identifier: Apache-2.0
/*
 * sclient: typed, synchronous calls to the SealFS manager. See sclient.h.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

#include "sclient.h"
#include "sealfs_codec.h"
#include "sloop.h"
#include "srpc.h"

/**
 * struct sclient - a client of the manager
 * @loop: its own event loop
 * @rpc: the connection to the manager
 * @session: client id and request ids
 * @timeout_ms: bound on every call
 * @manager: the manager's address, for messages
 * @err: reason of the last failure
 */
struct sclient {
	struct sloop *loop;
	struct srpc *rpc;
	struct srpc_session session;
	u32 timeout_ms;
	char manager[SCONN_NAME_MAX + 8];
	char err[SCLIENT_ERR_MAX];
};

/* Sets the reason of a failure and returns @rc. */
static int scl_fail(struct sclient *cl, int rc, const char *what)
{
	if (rc == -ETIMEDOUT)
		snprintf(cl->err, sizeof(cl->err), "%s: no answer from the manager at %s",
			 what, cl->manager);
	else if (rc == -ECONNREFUSED || rc == -ECONNRESET || rc == -EHOSTUNREACH)
		snprintf(cl->err, sizeof(cl->err), "%s: manager at %s: %s", what,
			 cl->manager, strerror(-rc));
	else
		snprintf(cl->err, sizeof(cl->err), "%s: %s", what, strerror(-rc));
	return rc;
}

/**
 * sclient_open() - connect to the manager and greet it
 * @manager: "HOST[:PORT]" (default port %SEALFS_MANAGER_PORT)
 * @timeout_ms: bound on the connect and on every call (0: 10 s)
 * @clp: the client
 * @err: reason of a failure
 * @errlen: room in @err
 *
 * Return: 0 or -errno (-ECONNREFUSED, -ETIMEDOUT, -EPROTONOSUPPORT, ...).
 */
int sclient_open(const char *manager, u32 timeout_ms, struct sclient **clp,
		 char *err, size_t errlen)
{
	struct srpc_opts o = { .role = SEALFS_ROLE_ADMIN };
	struct sclient *cl;
	u64 client_id;
	int rc;

	cl = calloc(1, sizeof(*cl));
	if (!cl) {
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	cl->timeout_ms = timeout_ms ? timeout_ms : 10000;
	snprintf(cl->manager, sizeof(cl->manager), "%s", manager);
	if (getrandom(&client_id, sizeof(client_id), 0) != sizeof(client_id))
		client_id = sloop_now_ms();
	srpc_session_init(&cl->session, client_id | 1);
	o.session = &cl->session;
	o.timeout_ms = cl->timeout_ms;
	sconn_opts_init(&o.conn);
	o.conn.connect_timeout_ms = cl->timeout_ms;
	rc = sloop_new(&cl->loop);
	if (rc) {
		snprintf(err, errlen, "cannot create an event loop: %s", strerror(-rc));
		free(cl);
		return rc;
	}
	rc = srpc_connect(cl->loop, manager, SEALFS_MANAGER_PORT, &o, &cl->rpc,
			  err, errlen);
	if (!rc) {
		rc = srpc_hello_sync(cl->rpc, NULL);
		if (rc) {
			scl_fail(cl, rc, "connect");
			snprintf(err, errlen, "%s", cl->err);
		}
	}
	if (rc) {
		sclient_close(cl);
		return rc;
	}
	*clp = cl;
	return 0;
}

/**
 * sclient_close() - disconnect and free
 * @cl: the client, or %NULL
 */
void sclient_close(struct sclient *cl)
{
	if (!cl)
		return;
	if (cl->rpc)
		srpc_free(cl->rpc);
	/* Let the loop deliver the connection's close before freeing it. */
	while (cl->loop && sloop_live(cl->loop))
		if (sloop_run_once(cl->loop, 100) < 0)
			break;
	if (cl->loop)
		sloop_free(cl->loop);
	free(cl);
}

/**
 * sclient_error() - the reason of the last failed call
 * @cl: the client
 *
 * Return: a one-line message.
 */
const char *sclient_error(const struct sclient *cl)
{
	return cl->err;
}

/* One call; @res must be freed with srpc_result_free() when it returns 0. */
static int scl_call(struct sclient *cl, u16 op, const void *body, u32 blen,
		    const void *tail, u32 tlen, struct srpc_result *res)
{
	u8 *payload = NULL;
	struct srpc_call call = {
		.opcode = op, .timeout_ms = cl->timeout_ms,
	};
	int rc;

	if (blen + tlen) {
		payload = malloc(blen + tlen);
		if (!payload)
			return scl_fail(cl, -ENOMEM, sealfs_op_name(op));
		if (blen)
			memcpy(payload, body, blen);
		if (tlen)
			memcpy(payload + blen, tail, tlen);
	}
	call.payload = payload;
	call.len = blen + tlen;
	rc = srpc_call_sync(cl->rpc, &call, res);
	free(payload);
	if (rc) {
		srpc_result_free(res);
		return scl_fail(cl, rc, sealfs_op_name(op));
	}
	return 0;
}

/**
 * sclient_ping() - check the manager answers
 * @cl: the client
 *
 * Return: 0 or -errno.
 */
int sclient_ping(struct sclient *cl)
{
	struct srpc_result res;
	int rc = scl_call(cl, SEALFS_OP_PING, NULL, 0, NULL, 0, &res);

	if (!rc)
		srpc_result_free(&res);
	return rc;
}

static int scl_volname(struct sclient *cl, const char *name, u32 *len)
{
	size_t n = strlen(name);

	if (n > SEALFS_VOLNAME_MAX || sealfs_check_volname((const u8 *)name, n)) {
		snprintf(cl->err, sizeof(cl->err),
			 "invalid volume name '%s' (1 to %d letters, digits, '.', '_' or '-', starting with a letter or digit)",
			 name, SEALFS_VOLNAME_MAX);
		return -EINVAL;
	}
	*len = n;
	return 0;
}

/**
 * sclient_vol_create() - create a volume
 * @cl: the client
 * @name: its name
 * @quota_bytes: byte quota, 0 for none
 * @quota_inodes: inode quota, 0 for none
 * @chunk_size: bytes per chunk, 0 for the manager's default
 * @id: set to the new volume's id; may be %NULL
 *
 * Return: 0 or -errno (-EEXIST, -EINVAL, ...).
 */
int sclient_vol_create(struct sclient *cl, const char *name, u64 quota_bytes,
		       u64 quota_inodes, u32 chunk_size, u32 *id)
{
	struct sealfs_vol_create_req r = {
		.quota_bytes = cpu_to_le64(quota_bytes),
		.quota_inodes = cpu_to_le64(quota_inodes),
		.chunk_size = cpu_to_le32(chunk_size),
	};
	const struct sealfs_vol_id_rep *rep;
	struct srpc_result res;
	u32 len;
	int rc;

	rc = scl_volname(cl, name, &len);
	if (rc)
		return rc;
	r.name_len = cpu_to_le16(len);
	rc = scl_call(cl, SEALFS_OP_VOL_CREATE, &r, sizeof(r), name, len, &res);
	if (rc)
		return rc;
	rep = res.m.body;
	if (id)
		*id = le32_to_cpu(rep->vol);
	srpc_result_free(&res);
	return 0;
}

/**
 * sclient_vol_resize() - change a volume's quotas
 * @cl: the client
 * @name: the volume
 * @flags: %SEALFS_VR_BYTES and/or %SEALFS_VR_INODES: which to set
 * @quota_bytes: new byte quota (0: none)
 * @quota_inodes: new inode quota (0: none)
 *
 * Return: 0 or -errno.
 */
int sclient_vol_resize(struct sclient *cl, const char *name, u32 flags,
		       u64 quota_bytes, u64 quota_inodes)
{
	struct sealfs_vol_resize_req r = {
		.quota_bytes = cpu_to_le64(quota_bytes),
		.quota_inodes = cpu_to_le64(quota_inodes),
		.flags = cpu_to_le32(flags),
	};
	struct srpc_result res;
	u32 len;
	int rc;

	rc = scl_volname(cl, name, &len);
	if (rc)
		return rc;
	r.name_len = cpu_to_le16(len);
	rc = scl_call(cl, SEALFS_OP_VOL_RESIZE, &r, sizeof(r), name, len, &res);
	if (!rc)
		srpc_result_free(&res);
	return rc;
}

/**
 * sclient_vol_delete() - delete a volume with its data on every server
 * @cl: the client
 * @name: the volume
 *
 * Return: 0 or -errno (-ENOENT).
 */
int sclient_vol_delete(struct sclient *cl, const char *name)
{
	struct sealfs_vol_name_req r = {};
	struct srpc_result res;
	u32 len;
	int rc;

	rc = scl_volname(cl, name, &len);
	if (rc)
		return rc;
	r.name_len = cpu_to_le16(len);
	rc = scl_call(cl, SEALFS_OP_VOL_DELETE, &r, sizeof(r), name, len, &res);
	if (!rc)
		srpc_result_free(&res);
	return rc;
}

/**
 * sclient_vol_list() - the volumes
 * @cl: the client
 * @usage: ask for usage gathered from the servers
 * @vols: set to an array to free(); %NULL when there are none
 * @n: set to its length
 *
 * Return: 0 or -errno.
 */
int sclient_vol_list(struct sclient *cl, bool usage,
		     struct sclient_volume **vols, u32 *n)
{
	struct sealfs_vol_list_req r = {
		.flags = cpu_to_le32(usage ? SEALFS_VL_USAGE : 0),
	};
	struct sclient_volume *v = NULL;
	struct sealfs_rec_iter it;
	struct srpc_result res;
	struct sealfs_rec rec;
	u32 i = 0;
	int rc;

	rc = scl_call(cl, SEALFS_OP_VOL_LIST, &r, sizeof(r), NULL, 0, &res);
	if (rc)
		return rc;
	if (res.m.nrecs) {
		v = calloc(res.m.nrecs, sizeof(*v));
		if (!v) {
			srpc_result_free(&res);
			return scl_fail(cl, -ENOMEM, "VOL_LIST");
		}
	}
	sealfs_rec_iter_init(&it, &res.m);
	while (sealfs_rec_next(&it, &rec)) {
		const struct sealfs_volinfo *w = rec.body;

		v[i].id = le32_to_cpu(w->id);
		v[i].chunk_size = le32_to_cpu(w->chunk_size);
		v[i].quota_bytes = le64_to_cpu(w->quota_bytes);
		v[i].quota_inodes = le64_to_cpu(w->quota_inodes);
		v[i].used_bytes = le64_to_cpu(w->used_bytes);
		v[i].used_inodes = le64_to_cpu(w->used_inodes);
		v[i].state = le32_to_cpu(w->state);
		memcpy(v[i].name, rec.name, rec.name_len);
		i++;
	}
	srpc_result_free(&res);
	*vols = v;
	*n = i;
	return 0;
}

/**
 * sclient_cluster_status() - the servers and the map epoch
 * @cl: the client
 * @st: filled in; free with sclient_status_free()
 *
 * Return: 0 or -errno.
 */
int sclient_cluster_status(struct sclient *cl, struct sclient_status *st)
{
	struct sealfs_rec_iter it;
	struct srpc_result res;
	struct sealfs_rec rec;
	u32 i = 0;
	int rc;

	memset(st, 0, sizeof(*st));
	rc = scl_call(cl, SEALFS_OP_CLUSTER_STATUS, NULL, 0, NULL, 0, &res);
	if (rc)
		return rc;
	st->epoch = res.h.epoch;
	if (res.m.nrecs) {
		st->servers = calloc(res.m.nrecs, sizeof(*st->servers));
		if (!st->servers) {
			srpc_result_free(&res);
			return scl_fail(cl, -ENOMEM, "CLUSTER_STATUS");
		}
	}
	sealfs_rec_iter_init(&it, &res.m);
	while (sealfs_rec_next(&it, &rec)) {
		const struct sealfs_srv_status *w = rec.body;
		struct sclient_server *s = &st->servers[i++];

		s->id = le32_to_cpu(w->id);
		s->state = le32_to_cpu(w->state);
		s->weight = le32_to_cpu(w->weight);
		s->capacity = le64_to_cpu(w->capacity);
		s->used = le64_to_cpu(w->used);
		s->last_seen_ms = le64_to_cpu(w->last_seen_ms);
		memcpy(s->addr, w->addr, sizeof(s->addr));
		memcpy(s->uuid, w->uuid, sizeof(s->uuid));
	}
	st->nservers = i;
	srpc_result_free(&res);
	return 0;
}

/**
 * sclient_status_free() - free what sclient_cluster_status() filled in
 * @st: the status
 */
void sclient_status_free(struct sclient_status *st)
{
	free(st->servers);
	st->servers = NULL;
	st->nservers = 0;
}
