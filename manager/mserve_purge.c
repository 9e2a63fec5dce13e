// SPDX-License-Identifier: Apache-2.0
/*
 * mserve_purge: purging deleted volumes on every server. See mserve.c.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "mserve_int.h"
#include "slog.h"

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

/* Drops purge job @j (its calls in flight only count down). */
void msrv_purge_free(struct mserve *s, struct mpurge *j)
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
void msrv_purge_run(struct mserve *s)
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
