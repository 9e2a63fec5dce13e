// SPDX-License-Identifier: Apache-2.0
/*
 * mserve_usage: VOL_LIST with usage gathered from the servers. See
 * mserve.c.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "mserve_int.h"
#include "slog.h"

static int msrv_enc_vols(struct mserve *s, u64 req_id, struct sealfs_buf *b)
{
	return mcl_encode_vol_list(s->mcl, req_id, NULL, NULL, b);
}

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

/* Frees a parked VOL_LIST. */
void msrv_usage_free(struct musage *u)
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

/* VOL_LIST: at once, or parked while the servers report usage. */
void msrv_vol_list(struct mpeer *p, const struct sealfs_hdr_info *h,
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
