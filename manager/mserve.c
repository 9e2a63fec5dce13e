// SPDX-License-Identifier: Apache-2.0
/*
 * mserve: the manager's network service. See mserve.h.
 *
 * Every connection starts with HELLO; anything else first is answered
 * BADMSG and the connection closed. Requests are answered in the order
 * they are handled, except MAP_GET long polls, which are parked until the
 * epoch moves past the one the caller knows or its wait runs out, and
 * VOL_LIST with SEALFS_VL_USAGE, parked while the servers are asked.
 *
 * Purges: every volume in state DELETING (after VOL_DELETE, or found so
 * at start after a restart) is purged with VOL_PURGE on every server of
 * the map; a server that answers OK is done, any other outcome (BUSY
 * while it still has the map where the volume is active, a connection
 * failure, a time-out) is retried with back-off, and a server that is
 * DOWN is retried once it is UP again. When every server of the map has
 * purged it, mcl_vol_purged() removes the volume from the map.
 *
 * Usage: VOL_LIST with SEALFS_VL_USAGE asks every UP server for VOL_USAGE
 * of every volume and replies with the sums once all answered or after
 * MSRV_USAGE_MS; servers that did not answer in time are missing from
 * the sums.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

#include "mlink.h"
#include "mserve.h"
#include "sconn.h"
#include "slog.h"
#include "ssess.h"

#include "mserve_int.h"

/* The manager's clock: monotonic milliseconds. */
u64 msrv_now(void)
{
	return sloop_now_ms();
}

/* Sends a reply: header from the request, @status, the manager's epoch. */
static int msrv_reply(struct mpeer *p, const struct sealfs_hdr_info *req,
		      struct sealfs_buf *b, u32 status)
{
	struct sealfs_hdr_info h = {
		.opcode = req->opcode, .flags = SEALFS_HF_REPLY,
		.req_id = req->req_id, .epoch = mcl_epoch(p->s->mcl),
		.status = status,
	};
	int err;

	if (status != SEALFS_S_OK)
		return sconn_send_status(p->c, req, status, h.epoch);
	err = sealfs_msg_end(b, &h, 0);
	if (!err)
		err = sconn_send_buf(p->c, b, NULL, 0, NULL, NULL, NULL);
	if (err)
		slog_warn("%s: cannot send %s reply: %s", sconn_name(p->c),
			  sealfs_op_name(req->opcode), strerror(-err));
	return err;
}

/* Replies with a fixed body (or none, @len 0). */
static void msrv_reply_body(struct mpeer *p, const struct sealfs_hdr_info *req,
			    const void *body, u32 len)
{
	u8 mem[SEALFS_HDR_SIZE + MSRV_SMALL_REPLY];
	struct sealfs_buf b;

	sealfs_buf_init(&b, mem, sizeof(mem));
	sealfs_msg_start(&b);
	sealfs_buf_put(&b, body, len);
	msrv_reply(p, req, &b, SEALFS_S_OK);
}

/* Replies with the status of @err (a negative errno). */
void msrv_reply_err(struct mpeer *p, const struct sealfs_hdr_info *req,
			   int err)
{
	msrv_reply(p, req, NULL, sealfs_errno_to_status(err));
}

/* Replies with a list built by @encode into a buffer of mcl_reply_size(). */
void msrv_reply_list(struct mpeer *p, const struct sealfs_hdr_info *req,
			    int (*encode)(struct mserve *s, u64 req_id,
					  struct sealfs_buf *b))
{
	u32 size = mcl_reply_size(p->s->mcl, req->opcode);
	struct sealfs_buf b;
	void *mem;
	int err;

	mem = malloc(size);
	if (!mem) {
		msrv_reply_err(p, req, -ENOMEM);
		return;
	}
	sealfs_buf_init(&b, mem, size);
	err = encode(p->s, req->req_id, &b);
	if (!err && b.len - SEALFS_HDR_SIZE > p->sess.max_payload)
		err = -E2BIG;
	if (err) {
		msrv_reply_err(p, req, err);
	} else {
		err = sconn_send_buf(p->c, &b, NULL, 0, NULL, NULL, NULL);
		if (err)
			slog_warn("%s: cannot send %s reply: %s", sconn_name(p->c),
				  sealfs_op_name(req->opcode), strerror(-err));
	}
	free(mem);
}

static int msrv_enc_map(struct mserve *s, u64 req_id, struct sealfs_buf *b)
{
	return mcl_encode_map(s->mcl, req_id, b);
}

static int msrv_enc_status(struct mserve *s, u64 req_id, struct sealfs_buf *b)
{
	return mcl_encode_status(s->mcl, req_id, msrv_now(), b);
}

/* ---- MAP_GET long polls ---------------------------------------------------- */

static void msrv_wait_answer(struct mserve *s, struct mwait *w)
{
	struct sealfs_hdr_info req = {
		.opcode = SEALFS_OP_MAP_GET, .req_id = w->req_id,
	};
	struct mwait **pp;

	for (pp = &s->waits; *pp; pp = &(*pp)->next) {
		if (*pp == w) {
			*pp = w->next;
			break;
		}
	}
	sloop_timer_cancel(&w->timer);
	if (sconn_is_open(w->p->c))
		msrv_reply_list(w->p, &req, msrv_enc_map);
	free(w);
}

static void msrv_wait_expired(struct sloop_timer *t, void *arg)
{
	struct mwait *w = arg;

	(void)t;
	msrv_wait_answer(w->p->s, w);
}

/* Answers every parked MAP_GET whose epoch is out of date. */
void msrv_epoch_moved(struct mserve *s)
{
	u64 epoch = mcl_epoch(s->mcl);
	struct mwait *w, *next;

	for (w = s->waits; w; w = next) {
		next = w->next;
		if (w->known != epoch)
			msrv_wait_answer(s, w);
	}
}

static void msrv_drop_waits(struct mserve *s, struct mpeer *p)
{
	struct mwait **pp = &s->waits, *w;

	while ((w = *pp)) {
		if (w->p == p) {
			*pp = w->next;
			sloop_timer_cancel(&w->timer);
			free(w);
		} else {
			pp = &w->next;
		}
	}
}

static void msrv_map_get(struct mpeer *p, const struct sealfs_hdr_info *h,
			 const struct sealfs_msg *m)
{
	const struct sealfs_map_get_req *r = m->body;
	u64 known = le64_to_cpu(r->known_epoch);
	u32 wait = le32_to_cpu(r->wait_ms);
	struct mwait *w;

	if (!wait || known != mcl_epoch(p->s->mcl)) {
		msrv_reply_list(p, h, msrv_enc_map);
		return;
	}
	w = calloc(1, sizeof(*w));
	if (!w) {
		msrv_reply_err(p, h, -ENOMEM);
		return;
	}
	w->p = p;
	w->req_id = h->req_id;
	w->known = known;
	sloop_timer_init(p->s->loop, &w->timer, msrv_wait_expired, w);
	if (sloop_timer_start(&w->timer, wait < MSRV_WAIT_MAX_MS ? wait : MSRV_WAIT_MAX_MS, 0)) {
		free(w);
		msrv_reply_list(p, h, msrv_enc_map);
		return;
	}
	w->next = p->s->waits;
	p->s->waits = w;
}

/* ---- requests --------------------------------------------------------------- */

static void msrv_register(struct mpeer *p, const struct sealfs_hdr_info *h,
			  const struct sealfs_msg *m)
{
	const struct sealfs_srv_register_req *r = m->body;
	struct mcl_register reg = {
		.weight = le32_to_cpu(r->weight),
		.capacity = le64_to_cpu(r->capacity),
	};
	struct sealfs_srv_register_rep rep = {};
	u32 id;
	int err;

	memcpy(reg.uuid, r->uuid, sizeof(reg.uuid));
	memcpy(reg.addr, r->addr, sizeof(reg.addr));
	err = mcl_server_register(p->s->mcl, &reg, msrv_now(), &id);
	if (err) {
		slog_warn("%s: registration refused: %s", sconn_name(p->c), strerror(-err));
		msrv_reply_err(p, h, err);
		return;
	}
	slog_info("server %u registered from %s", id, sconn_name(p->c));
	rep.server_id = cpu_to_le32(id);
	rep.heartbeat_ms = cpu_to_le32(mcl_heartbeat_ms(p->s->mcl));
	msrv_reply_body(p, h, &rep, sizeof(rep));
}

static void msrv_heartbeat(struct mpeer *p, const struct sealfs_hdr_info *h,
			   const struct sealfs_msg *m)
{
	const struct sealfs_heartbeat_req *r = m->body;
	struct sealfs_heartbeat_rep rep = {
		.heartbeat_ms = cpu_to_le32(mcl_heartbeat_ms(p->s->mcl)),
	};
	int err;

	err = mcl_server_heartbeat(p->s->mcl, le32_to_cpu(r->server_id),
				   le64_to_cpu(r->boot_id), le64_to_cpu(r->capacity),
				   le64_to_cpu(r->used), msrv_now());
	if (err)
		msrv_reply_err(p, h, err);
	else
		msrv_reply_body(p, h, &rep, sizeof(rep));
}

static void msrv_vol_create(struct mpeer *p, const struct sealfs_hdr_info *h,
			    const struct sealfs_msg *m)
{
	const struct sealfs_vol_create_req *r = m->body;
	struct sealfs_vol_id_rep rep = {};
	u32 id;
	int err;

	err = mcl_vol_create(p->s->mcl, m->tail[0], m->tail_len[0],
			     le64_to_cpu(r->quota_bytes), le64_to_cpu(r->quota_inodes),
			     le32_to_cpu(r->chunk_size), &id);
	if (err) {
		msrv_reply_err(p, h, err);
		return;
	}
	slog_notice("volume %.*s created (id %u)", (int)m->tail_len[0],
		    (const char *)m->tail[0], id);
	rep.vol = cpu_to_le32(id);
	msrv_reply_body(p, h, &rep, sizeof(rep));
}

static void msrv_vol_resize(struct mpeer *p, const struct sealfs_hdr_info *h,
			    const struct sealfs_msg *m)
{
	const struct sealfs_vol_resize_req *r = m->body;
	int err;

	err = mcl_vol_resize(p->s->mcl, m->tail[0], m->tail_len[0],
			     le32_to_cpu(r->flags), le64_to_cpu(r->quota_bytes),
			     le64_to_cpu(r->quota_inodes));
	if (err)
		msrv_reply_err(p, h, err);
	else
		msrv_reply_body(p, h, NULL, 0);
}

static void msrv_vol_delete(struct mpeer *p, const struct sealfs_hdr_info *h,
			    const struct sealfs_msg *m)
{
	int err = mcl_vol_delete(p->s->mcl, m->tail[0], m->tail_len[0]);

	if (err) {
		msrv_reply_err(p, h, err);
		return;
	}
	slog_notice("volume %.*s marked for deletion", (int)m->tail_len[0],
		    (const char *)m->tail[0]);
	msrv_reply_body(p, h, NULL, 0);
	msrv_purge_run(p->s);
}

static void msrv_request(struct mpeer *p, const struct sealfs_hdr_info *h,
			 const struct sealfs_msg *m)
{
	u64 epoch = mcl_epoch(p->s->mcl);

	if (ssess_gate(&p->sess, p->c, &p->s->self, epoch, h, m))
		return;
	switch (h->opcode) {
	case SEALFS_OP_PING:
		msrv_reply_body(p, h, NULL, 0);
		break;
	case SEALFS_OP_MAP_GET:
		msrv_map_get(p, h, m);
		break;
	case SEALFS_OP_SRV_REGISTER:
		msrv_register(p, h, m);
		break;
	case SEALFS_OP_SRV_HEARTBEAT:
		msrv_heartbeat(p, h, m);
		break;
	case SEALFS_OP_CLUSTER_STATUS:
		msrv_reply_list(p, h, msrv_enc_status);
		break;
	case SEALFS_OP_VOL_CREATE:
		msrv_vol_create(p, h, m);
		break;
	case SEALFS_OP_VOL_LIST:
		msrv_vol_list(p, h, m);
		break;
	case SEALFS_OP_VOL_RESIZE:
		msrv_vol_resize(p, h, m);
		break;
	case SEALFS_OP_VOL_DELETE:
		msrv_vol_delete(p, h, m);
		break;
	default:
		sconn_send_status(p->c, h, SEALFS_S_NOTSUPP, epoch);
		break;
	}
	if (mcl_epoch(p->s->mcl) != epoch)
		msrv_epoch_moved(p->s);
}

/* ---- connections ------------------------------------------------------------ */

static void msrv_msg(struct sconn *c, const struct sealfs_hdr_info *h,
		     const struct sealfs_msg *m, struct sconn_buf *payload,
		     void *arg)
{
	(void)c;
	(void)payload;
	msrv_request(arg, h, m);
}

static void msrv_error(struct sconn *c, int err, const struct sealfs_hdr_info *h,
		       void *arg)
{
	struct mpeer *p = arg;

	ssess_error(c, err, h, mcl_epoch(p->s->mcl));
}

static void msrv_closed(struct sconn *c, int err, void *arg)
{
	struct mpeer *p = arg, **pp;
	struct musage *u;

	if (err)
		slog_debug("%s: closed: %s", sconn_name(c), strerror(-err));
	msrv_drop_waits(p->s, p);
	for (u = p->s->usages; u; u = u->next)
		if (u->p == p)
			u->p = NULL;
	for (pp = &p->s->peers; *pp; pp = &(*pp)->next) {
		if (*pp == p) {
			*pp = p->next;
			break;
		}
	}
	free(p);
}

static const struct sconn_cbs msrv_cbs = {
	.msg = msrv_msg,
	.error = msrv_error,
	.closed = msrv_closed,
};

static void msrv_accept(struct slisten *l, struct sconn *c, void *arg)
{
	struct mserve *s = arg;
	struct mpeer *p;

	(void)l;
	p = calloc(1, sizeof(*p));
	if (!p) {
		slog_err("%s: out of memory; closing", sconn_name(c));
		return;	/* left without callbacks, the connection is closed */
	}
	p->s = s;
	p->c = c;
	ssess_init(&p->sess);
	p->next = s->peers;
	s->peers = p;
	sconn_set_owner(c, &msrv_cbs, p);
}

static void msrv_tick(struct sloop_timer *t, void *arg)
{
	struct mserve *s = arg;
	u64 epoch = mcl_epoch(s->mcl);
	int err;

	(void)t;
	err = mcl_tick(s->mcl, msrv_now());
	if (err)
		slog_err("failure detection: cannot record server states: %s",
			 strerror(-err));
	if (mcl_epoch(s->mcl) != epoch) {
		slog_notice("cluster map epoch %llu",
			    (unsigned long long)mcl_epoch(s->mcl));
		msrv_epoch_moved(s);
	}
	msrv_purge_run(s);
}

/**
 * mserve_start() - listen and serve
 * @loop: the event loop to run on
 * @mcl: the cluster logic (stays the caller's)
 * @listen: HOST:PORT to listen on (port 0: any free port)
 * @sp: the service
 * @err: room for the reason of a failure
 * @errlen: its size
 *
 * Return: 0, or -errno with the reason in @err.
 */
int mserve_start(struct sloop *loop, struct mcl *mcl, const char *listen,
		 struct mserve **sp, char *err, size_t errlen)
{
	u32 period = mcl_heartbeat_ms(mcl) / 2;
	struct mserve *s;
	int rc;

	s = calloc(1, sizeof(*s));
	if (!s) {
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	s->loop = loop;
	s->mcl = mcl;
	s->self.role = SEALFS_ROLE_MANAGER;
	if (getrandom(&s->self.boot_id, sizeof(s->self.boot_id), 0) !=
	    sizeof(s->self.boot_id))
		s->self.boot_id = sloop_now_ms();
	s->self.boot_id |= 1;
	rc = mlink_create(loop, &s->links);
	if (rc) {
		snprintf(err, errlen, "out of memory");
		free(s);
		return rc;
	}
	rc = slisten_tcp(loop, listen, NULL, msrv_accept, s, &s->l, err, errlen);
	if (rc) {
		mlink_destroy(s->links);
		free(s);
		return rc;
	}
	sloop_timer_init(loop, &s->tick, msrv_tick, s);
	rc = sloop_timer_start(&s->tick, period ? period : 1, period ? period : 1);
	if (rc) {
		snprintf(err, errlen, "cannot start the failure detector: %s", strerror(-rc));
		slisten_close(s->l);
		mlink_destroy(s->links);
		free(s);
		return rc;
	}
	*sp = s;
	return 0;
}

/**
 * mserve_port() - the port the service listens on
 * @s: the service
 *
 * Return: the port number.
 */
u16 mserve_port(const struct mserve *s)
{
	return slisten_port(s->l);
}

/**
 * mserve_stop() - stop listening, close every connection and free
 * @s: the service
 *
 * Runs @s's loop until the connections' closes have been delivered;
 * parked requests are dropped with their connections, the connections to
 * the servers are closed and unfinished purges are left to the next start
 * (the volumes stay DELETING in the state).
 */
void mserve_stop(struct mserve *s)
{
	struct mpeer *p;
	int i;

	s->stopping = true;
	sloop_timer_cancel(&s->tick);
	mlink_destroy(s->links);	/* completions only count down now */
	s->links = NULL;
	while (s->purges)
		msrv_purge_free(s, s->purges);
	while (s->usages)
		msrv_usage_free(s->usages);
	slisten_close(s->l);
	for (p = s->peers; p; p = p->next)
		sconn_close(p->c, 0);
	while (s->peers)
		sloop_run_once(s->loop, 100);
	/* Let the loop deliver the closes of the connections to the servers. */
	for (i = 0; i < 50 && sloop_live(s->loop); i++)
		if (sloop_run_once(s->loop, 100) < 0)
			break;
	free(s);
}
