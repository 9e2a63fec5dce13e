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

/* Largest fixed reply body the manager sends. */
#define MSRV_SMALL_REPLY	128
/* Bound on a MAP_GET long poll. */
#define MSRV_WAIT_MAX_MS	60000u
/* Bound on gathering usage for VOL_LIST. */
#define MSRV_USAGE_MS		2000u
/* Back-off of purge retries. */
#define MSRV_PURGE_MIN_MS	100u
#define MSRV_PURGE_MAX_MS	5000u

struct mserve;

/**
 * struct mpeer - one accepted connection
 * @s: the service
 * @c: the connection
 * @next: next peer of the service
 * @sess: HELLO and what it negotiated
 */
struct mpeer {
	struct mserve *s;
	struct sconn *c;
	struct mpeer *next;
	struct ssess sess;
};

/**
 * struct mwait - a parked MAP_GET
 * @p: the asking peer
 * @req_id: its request id
 * @known: the epoch the peer has
 * @timer: the end of the wait
 * @next: next parked request
 */
struct mwait {
	struct mpeer *p;
	u64 req_id;
	u64 known;
	struct sloop_timer timer;
	struct mwait *next;
};

/**
 * struct mpsrv - one server's part of a purge
 * @id: server id
 * @done: the server purged the volume
 * @busy: a VOL_PURGE is in flight
 * @backoff: current retry delay (ms)
 * @next: no retry before this time (ms)
 */
struct mpsrv {
	u32 id;
	bool done;
	bool busy;
	u32 backoff;
	u64 next;
};

/**
 * struct mpurge - a volume being purged
 * @s: the service
 * @vol: volume id
 * @srv: per-server progress
 * @nsrv: entries of @srv
 * @cap: room in @srv
 * @seen: still DELETING in the map (scratch of msrv_purge_run())
 * @next: next purge
 */
struct mpurge {
	struct mserve *s;
	u32 vol;
	struct mpsrv *srv;
	u32 nsrv;
	u32 cap;
	bool seen;
	struct mpurge *next;
};

struct musage;

/**
 * struct musage_call - one VOL_USAGE call of a parked VOL_LIST
 * @u: the VOL_LIST
 * @idx: index of the volume in @u
 */
struct musage_call {
	struct musage *u;
	u32 idx;
};

/**
 * struct musage - a parked VOL_LIST with %SEALFS_VL_USAGE
 * @s: the service
 * @p: the asking peer, %NULL once it closed
 * @req_id: its request id
 * @pending: VOL_USAGE calls in flight
 * @answered: the reply was sent (or the peer is gone)
 * @timer: the bound on the wait
 * @nvol: volumes asked about
 * @vols: their ids, ascending
 * @bytes: sums of the answers, per volume
 * @inodes: likewise
 * @calls: call contexts
 * @next: next parked VOL_LIST
 */
struct musage {
	struct mserve *s;
	struct mpeer *p;
	u64 req_id;
	u32 pending;
	bool answered;
	struct sloop_timer timer;
	u32 nvol;
	u32 *vols;
	u64 *bytes;
	u64 *inodes;
	struct musage_call *calls;
	struct musage *next;
};

/**
 * struct mserve - the service
 * @loop: its event loop
 * @mcl: the cluster logic
 * @l: the listener
 * @peers: open connections
 * @waits: parked MAP_GETs
 * @tick: failure detection timer
 * @self: what the manager says of itself in HELLO
 * @links: connections to the servers
 * @purges: volumes being purged
 * @usages: parked VOL_LISTs
 * @cur_usage: the sums msrv_enc_usage() reads
 * @stopping: mserve_stop() runs: completions only free
 */
struct mserve {
	struct sloop *loop;
	struct mcl *mcl;
	struct slisten *l;
	struct mpeer *peers;
	struct mwait *waits;
	struct sloop_timer tick;
	struct ssess_self self;
	struct mlink *links;
	struct mpurge *purges;
	struct musage *usages;
	struct musage *cur_usage;
	bool stopping;
};

static u64 msrv_now(void)
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

static void msrv_reply_err(struct mpeer *p, const struct sealfs_hdr_info *req,
			   int err)
{
	msrv_reply(p, req, NULL, sealfs_errno_to_status(err));
}

/* Replies with a list built by @encode into a buffer of mcl_reply_size(). */
static void msrv_reply_list(struct mpeer *p, const struct sealfs_hdr_info *req,
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

static int msrv_enc_vols(struct mserve *s, u64 req_id, struct sealfs_buf *b)
{
	return mcl_encode_vol_list(s->mcl, req_id, NULL, NULL, b);
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
static void msrv_epoch_moved(struct mserve *s)
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

/* ---- purges ------------------------------------------------------------------ */

static void msrv_purge_run(struct mserve *s);

static struct mpsrv *msrv_purge_srv(struct mpurge *j, u32 id, bool add)
{
	struct mpsrv *e;
	u32 i;

	for (i = 0; i < j->nsrv; i++)
		if (j->srv[i].id == id)
			return &j->srv[i];
	if (!add)
		return NULL;
	if (j->nsrv == j->cap) {
		u32 cap = j->cap ? 2 * j->cap : 8;

		e = realloc(j->srv, (size_t)cap * sizeof(*e));
		if (!e)
			return NULL;
		j->srv = e;
		j->cap = cap;
	}
	e = &j->srv[j->nsrv++];
	*e = (struct mpsrv){ .id = id };
	return e;
}

static void msrv_purge_retry(struct mpsrv *e)
{
	e->backoff = e->backoff ? 2 * e->backoff : MSRV_PURGE_MIN_MS;
	if (e->backoff > MSRV_PURGE_MAX_MS)
		e->backoff = MSRV_PURGE_MAX_MS;
	e->next = msrv_now() + e->backoff;
}

static void msrv_purge_done(void *arg, u32 server, int err,
			    const struct sealfs_msg *m)
{
	struct mpurge *j = arg;
	struct mpsrv *e;

	(void)m;
	if (j->s->stopping)
		return;
	e = msrv_purge_srv(j, server, false);
	if (!e)
		return;
	e->busy = false;
	if (err) {
		slog_debug("volume %u: purge on server %u: %s; retrying", j->vol,
			   server, strerror(-err));
		msrv_purge_retry(e);
		return;
	}
	slog_info("volume %u purged on server %u", j->vol, server);
	e->done = true;
	msrv_purge_run(j->s);
}

static void msrv_purge_free(struct mserve *s, struct mpurge *j)
{
	struct mpurge **pp;

	for (pp = &s->purges; *pp; pp = &(*pp)->next) {
		if (*pp == j) {
			*pp = j->next;
			break;
		}
	}
	free(j->srv);
	free(j);
}

/* Sends what is due of one purge; true when every server has purged. */
static bool msrv_purge_step(struct mserve *s, struct mpurge *j, u64 now)
{
	const struct mstate_server *srv;
	struct sealfs_vol_req req = { .vol = cpu_to_le32(j->vol) };
	bool all = true;
	struct mpsrv *e;
	u32 i;
	int err;

	for (i = 0; (srv = mcl_server_at(s->mcl, i)); i++) {
		e = msrv_purge_srv(j, srv->id, true);
		if (!e)
			return false;
		if (e->done)
			continue;
		all = false;
		if (e->busy || srv->state != SEALFS_SRV_UP || now < e->next)
			continue;
		err = mlink_call(s->links, srv->id, &srv->addr[SEALFS_TRANSPORT_TCP],
				 mcl_epoch(s->mcl), SEALFS_OP_VOL_PURGE, &req,
				 sizeof(req), 0, msrv_purge_done, j);
		if (err) {
			slog_debug("volume %u: cannot send a purge to server %u: %s",
				   j->vol, srv->id, strerror(-err));
			msrv_purge_retry(e);
		} else {
			e->busy = true;
		}
	}
	return all;
}

/* Starts, advances and finishes the purges of every DELETING volume. */
static void msrv_purge_run(struct mserve *s)
{
	const struct mstate_volume *v;
	u64 now = msrv_now(), epoch = mcl_epoch(s->mcl);
	struct mpurge *j, *next;
	u32 i;
	int err;

	if (s->stopping)
		return;
	for (j = s->purges; j; j = j->next)
		j->seen = false;
	for (i = 0; (v = mcl_vol_at(s->mcl, i)); i++) {
		if (v->state != SEALFS_VOL_DELETING)
			continue;
		for (j = s->purges; j && j->vol != v->id; j = j->next)
			;
		if (!j) {
			j = calloc(1, sizeof(*j));
			if (!j)
				break;
			j->s = s;
			j->vol = v->id;
			j->next = s->purges;
			s->purges = j;
			slog_info("volume %u: purging it on the servers", v->id);
		}
		j->seen = true;
	}
	for (j = s->purges; j; j = next) {
		bool busy = false;

		next = j->next;
		if (j->seen && !msrv_purge_step(s, j, now))
			continue;
		for (i = 0; i < j->nsrv; i++)
			busy |= j->srv[i].busy;
		if (busy)
			continue;
		if (j->seen) {
			err = mcl_vol_purged(s->mcl, j->vol);
			if (err) {
				slog_err("volume %u: purged, but cannot remove it from the map: %s",
					 j->vol, strerror(-err));
				continue;
			}
			slog_notice("volume %u purged from every server and removed",
				    j->vol);
		}
		msrv_purge_free(s, j);
	}
	if (mcl_epoch(s->mcl) != epoch)
		msrv_epoch_moved(s);
}

/* ---- VOL_LIST with usage ------------------------------------------------------ */

static void msrv_usage_fn(void *ctx, u32 vol, u64 *bytes, u64 *inodes)
{
	const struct musage *u = ctx;
	u32 lo = 0, hi = u->nvol;

	while (lo < hi) {
		u32 mid = lo + (hi - lo) / 2;

		if (u->vols[mid] == vol) {
			*bytes = u->bytes[mid];
			*inodes = u->inodes[mid];
			return;
		}
		if (u->vols[mid] < vol)
			lo = mid + 1;
		else
			hi = mid;
	}
}

static int msrv_enc_usage(struct mserve *s, u64 req_id, struct sealfs_buf *b)
{
	return mcl_encode_vol_list(s->mcl, req_id, msrv_usage_fn, s->cur_usage, b);
}

static void msrv_usage_free(struct musage *u)
{
	struct musage **pp;

	for (pp = &u->s->usages; *pp; pp = &(*pp)->next) {
		if (*pp == u) {
			*pp = u->next;
			break;
		}
	}
	sloop_timer_cancel(&u->timer);
	free(u->vols);
	free(u->bytes);
	free(u->inodes);
	free(u->calls);
	free(u);
}

static void msrv_reply_list(struct mpeer *p, const struct sealfs_hdr_info *req,
			    int (*encode)(struct mserve *s, u64 req_id,
					  struct sealfs_buf *b));

/* Replies (once) with the sums so far; frees @u when no call is left. */
static void msrv_usage_answer(struct musage *u)
{
	struct sealfs_hdr_info req = {
		.opcode = SEALFS_OP_VOL_LIST, .req_id = u->req_id,
	};

	if (!u->answered) {
		u->answered = true;
		sloop_timer_cancel(&u->timer);
		if (u->p && sconn_is_open(u->p->c)) {
			u->s->cur_usage = u;
			msrv_reply_list(u->p, &req, msrv_enc_usage);
			u->s->cur_usage = NULL;
		}
	}
	if (!u->pending)
		msrv_usage_free(u);
}

static void msrv_usage_expired(struct sloop_timer *t, void *arg)
{
	(void)t;
	msrv_usage_answer(arg);
}

static void msrv_usage_done(void *arg, u32 server, int err,
			    const struct sealfs_msg *m)
{
	struct musage_call *k = arg;
	struct musage *u = k->u;
	const struct sealfs_vol_usage_rep *r;

	u->pending--;
	if (u->s->stopping)
		return;
	if (!err && m && m->body) {
		r = m->body;
		u->bytes[k->idx] += le64_to_cpu(r->bytes);
		u->inodes[k->idx] += le64_to_cpu(r->inodes);
	} else if (err) {
		slog_debug("volume %u: no usage from server %u: %s",
			   u->vols[k->idx], server, strerror(-err));
	}
	if (!u->pending || u->answered)
		msrv_usage_answer(u);
}

static void msrv_vol_list(struct mpeer *p, const struct sealfs_hdr_info *h,
			  const struct sealfs_msg *m)
{
	const struct sealfs_vol_list_req *r = m->body;
	struct mserve *s = p->s;
	const struct mstate_server *srv;
	const struct mstate_volume *v;
	struct sealfs_vol_req req = {};
	struct musage *u;
	u32 nsrv = 0, i, k;

	if (!(le32_to_cpu(r->flags) & SEALFS_VL_USAGE)) {
		msrv_reply_list(p, h, msrv_enc_vols);
		return;
	}
	u = calloc(1, sizeof(*u));
	if (!u)
		goto nomem;
	u->s = s;
	u->p = p;
	u->req_id = h->req_id;
	while (mcl_server_at(s->mcl, nsrv))
		nsrv++;
	while (mcl_vol_at(s->mcl, u->nvol))
		u->nvol++;
	u->vols = calloc(u->nvol + 1, sizeof(*u->vols));
	u->bytes = calloc(u->nvol + 1, sizeof(*u->bytes));
	u->inodes = calloc(u->nvol + 1, sizeof(*u->inodes));
	u->calls = calloc((size_t)u->nvol * nsrv + 1, sizeof(*u->calls));
	u->next = s->usages;
	s->usages = u;
	sloop_timer_init(s->loop, &u->timer, msrv_usage_expired, u);
	if (!u->vols || !u->bytes || !u->inodes || !u->calls) {
		msrv_usage_free(u);
		goto nomem;
	}
	for (i = 0; i < u->nvol; i++)
		u->vols[i] = mcl_vol_at(s->mcl, i)->id;
	for (i = 0; (srv = mcl_server_at(s->mcl, i)); i++) {
		if (srv->state != SEALFS_SRV_UP)
			continue;
		for (k = 0; k < u->nvol; k++) {
			struct musage_call *c = &u->calls[(size_t)i * u->nvol + k];

			v = mcl_vol_at(s->mcl, k);
			c->u = u;
			c->idx = k;
			req.vol = cpu_to_le32(v->id);
			if (!mlink_call(s->links, srv->id, &srv->addr[SEALFS_TRANSPORT_TCP],
					mcl_epoch(s->mcl), SEALFS_OP_VOL_USAGE, &req,
					sizeof(req), MSRV_USAGE_MS, msrv_usage_done, c))
				u->pending++;
		}
	}
	if (!u->pending || sloop_timer_start(&u->timer, MSRV_USAGE_MS, 0))
		msrv_usage_answer(u);
	return;
nomem:
	msrv_reply_err(p, h, -ENOMEM);
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
