// SPDX-License-Identifier: Apache-2.0
/*
 * mcluster: membership, failure detection, volumes and the replies that
 * describe them. See mcluster.h.
 *
 * What the map shows lives in mstate (and is persisted there); what it
 * does not (last heartbeat, usage, boot id) lives in struct mcl_rt, one per
 * server, in the same order as mstate's servers (ascending ids: servers are
 * only ever added, with growing ids).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "sealfs_placement.h"
#include "mcluster.h"

/* Record sizes as the codec lays them out: header, body, name, padding. */
#define MCL_REC(body, name)	((8u + (u32)(body) + (u32)(name) + 7u) & ~7u)

/**
 * struct mcl_rt - what the manager knows of a server beyond the map
 * @id: server id
 * @last_seen: time of the last heartbeat or registration (ms)
 * @capacity: bytes of storage, as last reported
 * @used: bytes used, as last reported
 * @boot_id: boot id of the last heartbeat
 */
struct mcl_rt {
	u32 id;
	u64 last_seen;
	u64 capacity;
	u64 used;
	u64 boot_id;
};

/**
 * struct mcl - the cluster
 * @ms: persistent state (not owned)
 * @heartbeat_ms: interval servers are told
 * @failure_ms: time-out after which a silent server is marked down
 * @max_payload: limit of the MAP_GET and VOL_LIST reply payloads
 * @rt: per-server runtime, parallel to mstate's servers
 * @nrt: how many
 * @rt_cap: room in @rt
 */
struct mcl {
	struct mstate *ms;
	u32 heartbeat_ms;
	u32 failure_ms;
	u32 max_payload;
	struct mcl_rt *rt;
	u32 nrt;
	u32 rt_cap;
};

/* ---- runtime table ------------------------------------------------------------ */

static struct mcl_rt *mcl_rt_get(const struct mcl *c, u32 id)
{
	u32 lo = 0, hi = c->nrt;

	while (lo < hi) {
		u32 mid = lo + (hi - lo) / 2;

		if (c->rt[mid].id == id)
			return &c->rt[mid];
		if (c->rt[mid].id < id)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

/* Room for one more entry. */
static int mcl_rt_reserve(struct mcl *c)
{
	struct mcl_rt *p;
	u32 cap;

	if (c->nrt < c->rt_cap)
		return 0;
	cap = c->rt_cap ? 2 * c->rt_cap : 64;
	p = realloc(c->rt, (size_t)cap * sizeof(*p));
	if (!p)
		return -ENOMEM;
	c->rt = p;
	c->rt_cap = cap;
	return 0;
}

/* Appends an entry (ids only grow, so the table stays sorted); reserved. */
static struct mcl_rt *mcl_rt_append(struct mcl *c, u32 id, u64 capacity, u64 now)
{
	struct mcl_rt *rt = &c->rt[c->nrt++];

	*rt = (struct mcl_rt){ .id = id, .last_seen = now, .capacity = capacity };
	return rt;
}

/**
 * mcl_create() - the cluster over an open state
 * @ms: the state; must outlive the cluster
 * @cfg: settings (see &struct mcl_config)
 * @now_ms: current time: every known server counts as seen now
 * @cp: set to the cluster
 *
 * Return: 0; -EINVAL for a time-out shorter than two intervals or a
 * payload limit above %SEALFS_MAX_PAYLOAD; -ENOMEM.
 */
int mcl_create(struct mstate *ms, const struct mcl_config *cfg, u64 now_ms,
	       struct mcl **cp)
{
	u32 hb = cfg->heartbeat_ms ? cfg->heartbeat_ms : MCL_HEARTBEAT_MS;
	u64 fail = cfg->failure_ms ? cfg->failure_ms : (u64)hb * MCL_FAILURE_FACTOR;
	const struct mstate_server *s;
	struct mcl *c;
	u32 i;

	*cp = NULL;
	if (fail / 2 < hb || fail > UINT32_MAX || cfg->max_payload > SEALFS_MAX_PAYLOAD)
		return -EINVAL;
	c = calloc(1, sizeof(*c));
	if (!c)
		return -ENOMEM;
	c->ms = ms;
	c->heartbeat_ms = hb;
	c->failure_ms = fail;
	c->max_payload = cfg->max_payload ? cfg->max_payload : SEALFS_MAX_PAYLOAD;
	for (i = 0; (s = mstate_server_at(ms, i)); i++) {
		if (mcl_rt_reserve(c)) {
			mcl_destroy(c);
			return -ENOMEM;
		}
		mcl_rt_append(c, s->id, s->capacity, now_ms);
	}
	*cp = c;
	return 0;
}

/**
 * mcl_destroy() - free the cluster (not the state)
 * @c: the cluster, or NULL
 */
void mcl_destroy(struct mcl *c)
{
	if (!c)
		return;
	free(c->rt);
	free(c);
}

/**
 * mcl_epoch() - the current map epoch
 * @c: the cluster
 *
 * Return: the epoch (for hdr.epoch of every reply).
 */
u64 mcl_epoch(const struct mcl *c)
{
	return mstate_epoch(c->ms);
}

/**
 * mcl_heartbeat_ms() - the interval servers are told to heartbeat at
 * @c: the cluster
 *
 * Return: milliseconds (SRV_REGISTER and SRV_HEARTBEAT replies).
 */
u32 mcl_heartbeat_ms(const struct mcl *c)
{
	return c->heartbeat_ms;
}

/* ---- sizes ------------------------------------------------------------------------ */

static u32 mcl_map_payload(const struct mcl *c, u32 nsrv, u32 extra_name)
{
	const struct mstate_volume *v;
	u64 n = sizeof(struct sealfs_map_rep) +
		(u64)nsrv * MCL_REC(sizeof(struct sealfs_map_server), 0);
	u32 i;

	for (i = 0; (v = mstate_volume_at(c->ms, i)); i++)
		n += MCL_REC(sizeof(struct sealfs_map_volume), v->name_len);
	if (extra_name)
		n += MCL_REC(sizeof(struct sealfs_map_volume), extra_name);
	return n > UINT32_MAX ? UINT32_MAX : (u32)n;
}

static u32 mcl_list_payload(const struct mcl *c, u32 extra_name)
{
	const struct mstate_volume *v;
	u64 n = sizeof(struct sealfs_list_rep);
	u32 i;

	for (i = 0; (v = mstate_volume_at(c->ms, i)); i++)
		n += MCL_REC(sizeof(struct sealfs_volinfo), v->name_len);
	if (extra_name)
		n += MCL_REC(sizeof(struct sealfs_volinfo), extra_name);
	return n > UINT32_MAX ? UINT32_MAX : (u32)n;
}

static u32 mcl_status_payload(const struct mcl *c)
{
	return sizeof(struct sealfs_list_rep) +
	       mstate_server_count(c->ms) * MCL_REC(sizeof(struct sealfs_srv_status), 0);
}

/**
 * mcl_reply_size() - bytes of a whole reply message, header included
 * @c: the cluster
 * @opcode: %SEALFS_OP_MAP_GET, %SEALFS_OP_CLUSTER_STATUS or
 *	%SEALFS_OP_VOL_LIST
 *
 * Return: the size a &struct sealfs_buf needs for the encoder, or 0 for
 * another opcode.
 */
u32 mcl_reply_size(const struct mcl *c, u16 opcode)
{
	switch (opcode) {
	case SEALFS_OP_MAP_GET:
		return SEALFS_HDR_SIZE + mcl_map_payload(c, mstate_server_count(c->ms), 0);
	case SEALFS_OP_CLUSTER_STATUS:
		return SEALFS_HDR_SIZE + mcl_status_payload(c);
	case SEALFS_OP_VOL_LIST:
		return SEALFS_HDR_SIZE + mcl_list_payload(c, 0);
	}
	return 0;
}

/* ---- membership ------------------------------------------------------------------ */

static int mcl_check_register(const struct mcl_register *r)
{
	static const u8 zero[MSTATE_UUID_LEN];
	u32 i;

	if (!memcmp(r->uuid, zero, sizeof(zero)) || r->weight > SEALFS_WEIGHT_MAX)
		return -EINVAL;
	for (i = 0; i < SEALFS_TRANSPORTS; i++)
		if (mstate_check_addr(&r->addr[i]))
			return -EINVAL;
	if (le16_to_cpu(r->addr[SEALFS_TRANSPORT_TCP].family) == SEALFS_AF_NONE)
		return -EINVAL;
	return 0;
}

/**
 * mcl_server_register() - register a server (SRV_REGISTER)
 * @c: the cluster
 * @r: the request
 * @now_ms: current time
 * @id: set to the server's id: the one its uuid already has, else a new one
 *
 * The server is up and seen now. A change of its endpoints, weight or
 * state publishes a new epoch; registering again unchanged does not.
 *
 * Return: 0; -EINVAL for a zero uuid, a weight above %SEALFS_WEIGHT_MAX,
 * a bad endpoint or no TCP endpoint; -ENOSPC for a new server when the
 * map is full (%SEALFS_MAX_SERVERS, or the payload limit); -EIO when the
 * state cannot be written; -ENOMEM.
 */
int mcl_server_register(struct mcl *c, const struct mcl_register *r,
			u64 now_ms, u32 *id)
{
	struct mstate_server s = {
		.weight = r->weight,
		.state = SEALFS_SRV_UP,
		.capacity = r->capacity,
	};
	const struct mstate_server *old;
	struct mcl_rt *rt;
	int ret;

	ret = mcl_check_register(r);
	if (ret)
		return ret;
	memcpy(s.uuid, r->uuid, sizeof(s.uuid));
	memcpy(s.addr, r->addr, sizeof(s.addr));
	old = mstate_server_by_uuid(c->ms, r->uuid);
	if (!old) {
		if (mcl_map_payload(c, mstate_server_count(c->ms) + 1, 0) >
		    c->max_payload)
			return -ENOSPC;
		/* room first: a registered server always has its entry */
		if (mcl_rt_reserve(c))
			return -ENOMEM;
	}
	ret = mstate_server_register(c->ms, &s, id);
	if (ret)
		return ret;
	rt = mcl_rt_get(c, *id);
	if (!rt)
		rt = mcl_rt_append(c, *id, 0, 0);
	rt->last_seen = now_ms;
	rt->capacity = r->capacity;
	return 0;
}

/**
 * mcl_server_heartbeat() - a heartbeat (SRV_HEARTBEAT)
 * @c: the cluster
 * @id: the sender's server id
 * @boot_id: its boot id
 * @capacity: bytes of storage
 * @used: bytes used
 * @now_ms: current time
 *
 * Usage is kept in memory only. A down server is marked up (new epoch).
 *
 * Return: 0; -ENOENT for an unknown id (the server must register);
 * -EIO when marking the server up could not be written (retried by the
 * next heartbeat).
 */
int mcl_server_heartbeat(struct mcl *c, u32 id, u64 boot_id, u64 capacity,
			 u64 used, u64 now_ms)
{
	const struct mstate_server *s = mstate_server_get(c->ms, id);
	struct mcl_rt *rt = mcl_rt_get(c, id);

	if (!s || !rt)
		return -ENOENT;
	rt->last_seen = now_ms;
	rt->capacity = capacity;
	rt->used = used;
	rt->boot_id = boot_id;
	if (s->state == SEALFS_SRV_UP)
		return 0;
	return mstate_servers_set_state(c->ms, &id, 1, SEALFS_SRV_UP);
}

static bool mcl_expired(const struct mcl *c, const struct mcl_rt *rt, u64 now)
{
	return now > rt->last_seen && now - rt->last_seen > c->failure_ms;
}

/**
 * mcl_tick() - failure detection
 * @c: the cluster
 * @now_ms: current time
 *
 * Marks down every up server whose last heartbeat is more than the
 * failure time-out old: one batch, one new epoch for all of them.
 *
 * Return: the number of servers marked down; -EIO when that could not be
 * written (they stay up; the next tick tries again); -ENOMEM.
 */
int mcl_tick(struct mcl *c, u64 now_ms)
{
	const struct mstate_server *s;
	u32 *ids, n = 0, i;
	int ret;

	ids = malloc((c->nrt ? c->nrt : 1) * sizeof(*ids));
	if (!ids)
		return -ENOMEM;
	for (i = 0; i < c->nrt; i++) {
		s = mstate_server_get(c->ms, c->rt[i].id);
		if (s && s->state == SEALFS_SRV_UP && mcl_expired(c, &c->rt[i], now_ms))
			ids[n++] = c->rt[i].id;
	}
	ret = n ? mstate_servers_set_state(c->ms, ids, n, SEALFS_SRV_DOWN) : 0;
	free(ids);
	return ret ? ret : (int)n;
}

/**
 * mcl_next_deadline() - when mcl_tick() may next have something to do
 * @c: the cluster
 *
 * Return: the earliest time at which an up server becomes overdue, or
 * UINT64_MAX when no server is up.
 */
u64 mcl_next_deadline(const struct mcl *c)
{
	const struct mstate_server *s;
	u64 best = UINT64_MAX, t;
	u32 i;

	for (i = 0; i < c->nrt; i++) {
		s = mstate_server_get(c->ms, c->rt[i].id);
		if (!s || s->state != SEALFS_SRV_UP)
			continue;
		t = c->rt[i].last_seen + c->failure_ms + 1;
		if (t < best)
			best = t;
	}
	return best;
}

/**
 * mcl_server_info() - a server's state, usage and silence
 * @c: the cluster
 * @id: server id
 * @now_ms: current time
 * @info: filled in
 *
 * Return: 0, or -ENOENT for an unknown id.
 */
int mcl_server_info(const struct mcl *c, u32 id, u64 now_ms,
		    struct mcl_server_info *info)
{
	const struct mstate_server *s = mstate_server_get(c->ms, id);
	const struct mcl_rt *rt = mcl_rt_get(c, id);

	if (!s || !rt)
		return -ENOENT;
	*info = (struct mcl_server_info){
		.id = id,
		.state = s->state,
		.weight = s->weight,
		.capacity = rt->capacity,
		.used = rt->used,
		.boot_id = rt->boot_id,
		.last_seen_ms = now_ms > rt->last_seen ? now_ms - rt->last_seen : 0,
	};
	return 0;
}

/* ---- volumes ---------------------------------------------------------------------- */

static int mcl_check_quotas(u64 quota_bytes, u64 quota_inodes)
{
	return quota_bytes > MCL_QUOTA_MAX || quota_inodes > MCL_QUOTA_MAX ?
	       -EINVAL : 0;
}

/* The volume named @name; -EINVAL for a bad name, -ENOENT for none. */
static int mcl_vol_find(const struct mcl *c, const u8 *name, u32 len,
			const struct mstate_volume **v)
{
	if (sealfs_check_volname(name, len))
		return -EINVAL;
	*v = mstate_volume_by_name(c->ms, (const char *)name, len);
	return *v ? 0 : -ENOENT;
}

/**
 * mcl_vol_create() - create a volume (VOL_CREATE)
 * @c: the cluster
 * @name: its name (sealfs_check_volname())
 * @name_len: bytes of @name
 * @quota_bytes: byte quota, 0 for none, at most %MCL_QUOTA_MAX
 * @quota_inodes: inode quota, 0 for none, at most %MCL_QUOTA_MAX
 * @chunk_size: 0 for %MCL_CHUNK_DEFAULT, else a power of two from
 *	%MCL_CHUNK_MIN to %MCL_CHUNK_MAX
 * @id: set to the new volume's id
 *
 * Return: 0; -EINVAL for a bad name, quota or chunk size; -EEXIST when a
 * volume has the name (also one being deleted); -ENOSPC when the map is
 * full (count or size); -EIO; -ENOMEM.
 */
int mcl_vol_create(struct mcl *c, const u8 *name, u32 name_len,
		   u64 quota_bytes, u64 quota_inodes, u32 chunk_size, u32 *id)
{
	struct mstate_volume v = {
		.chunk_size = chunk_size ? chunk_size : MCL_CHUNK_DEFAULT,
		.quota_bytes = quota_bytes,
		.quota_inodes = quota_inodes,
		.state = SEALFS_VOL_ACTIVE,
		.name_len = name_len,
	};

	if (sealfs_check_volname(name, name_len) ||
	    mcl_check_quotas(quota_bytes, quota_inodes))
		return -EINVAL;
	if (v.chunk_size < MCL_CHUNK_MIN || v.chunk_size > MCL_CHUNK_MAX ||
	    (v.chunk_size & (v.chunk_size - 1)))
		return -EINVAL;
	if (mstate_volume_by_name(c->ms, (const char *)name, name_len))
		return -EEXIST;
	if (mcl_map_payload(c, mstate_server_count(c->ms), name_len) > c->max_payload ||
	    mcl_list_payload(c, name_len) > c->max_payload)
		return -ENOSPC;
	memcpy(v.name, name, name_len);
	return mstate_volume_add(c->ms, &v, id);
}

/**
 * mcl_vol_resize() - change a volume's quotas (VOL_RESIZE)
 * @c: the cluster
 * @name: the volume's name
 * @name_len: bytes of @name
 * @flags: %SEALFS_VR_BYTES and/or %SEALFS_VR_INODES: which quotas to set
 * @quota_bytes: new byte quota, 0 for none (with %SEALFS_VR_BYTES)
 * @quota_inodes: new inode quota, 0 for none (with %SEALFS_VR_INODES)
 *
 * Setting a quota to its current value changes nothing (same epoch).
 *
 * Return: 0; -EINVAL for a bad name, no flag or an unknown one, or a quota
 * above %MCL_QUOTA_MAX; -ENOENT for no such volume; -EBUSY while it is
 * being deleted; -EIO.
 */
int mcl_vol_resize(struct mcl *c, const u8 *name, u32 name_len, u32 flags,
		   u64 quota_bytes, u64 quota_inodes)
{
	const struct mstate_volume *cur;
	struct mstate_volume v;
	int ret;

	if (!flags || (flags & ~(SEALFS_VR_BYTES | SEALFS_VR_INODES)) ||
	    mcl_check_quotas(quota_bytes, quota_inodes))
		return -EINVAL;
	ret = mcl_vol_find(c, name, name_len, &cur);
	if (ret)
		return ret;
	if (cur->state != SEALFS_VOL_ACTIVE)
		return -EBUSY;
	v = *cur;
	if (flags & SEALFS_VR_BYTES)
		v.quota_bytes = quota_bytes;
	if (flags & SEALFS_VR_INODES)
		v.quota_inodes = quota_inodes;
	return mstate_volume_update(c->ms, &v);
}

/**
 * mcl_vol_delete() - start deleting a volume (VOL_DELETE)
 * @c: the cluster
 * @name: the volume's name
 * @name_len: bytes of @name
 *
 * The volume turns %SEALFS_VOL_DELETING and stays in the map (its name
 * stays taken) until mcl_vol_purged(). Deleting it again succeeds and
 * changes nothing.
 *
 * Return: 0; -EINVAL for a bad name; -ENOENT for no such volume; -EIO.
 */
int mcl_vol_delete(struct mcl *c, const u8 *name, u32 name_len)
{
	const struct mstate_volume *cur;
	struct mstate_volume v;
	int ret;

	ret = mcl_vol_find(c, name, name_len, &cur);
	if (ret)
		return ret;
	v = *cur;
	v.state = SEALFS_VOL_DELETING;
	return mstate_volume_update(c->ms, &v);
}

/**
 * mcl_vol_purged() - forget a deleted volume once the servers purged it
 * @c: the cluster
 * @id: volume id
 *
 * Return: 0; -ENOENT for no such volume; -EINVAL when it is not being
 * deleted; -EIO.
 */
int mcl_vol_purged(struct mcl *c, u32 id)
{
	const struct mstate_volume *v = mstate_volume_get(c->ms, id);

	if (!v)
		return -ENOENT;
	if (v->state != SEALFS_VOL_DELETING)
		return -EINVAL;
	return mstate_volume_remove(c->ms, id);
}

/**
 * mcl_server_at() - the map's servers, in ascending ids
 * @c: the cluster
 * @i: index, from 0
 *
 * Valid until the next change of the cluster.
 *
 * Return: the @i-th server, or %NULL past the last one.
 */
const struct mstate_server *mcl_server_at(const struct mcl *c, u32 i)
{
	return mstate_server_at(c->ms, i);
}

/**
 * mcl_vol_at() - the map's volumes, in ascending ids
 * @c: the cluster
 * @i: index, from 0
 *
 * Valid until the next change of the cluster.
 *
 * Return: the @i-th volume (also one being deleted), or %NULL past the
 * last one.
 */
const struct mstate_volume *mcl_vol_at(const struct mcl *c, u32 i)
{
	return i < mstate_volume_count(c->ms) ? mstate_volume_at(c->ms, i) : NULL;
}

/* ---- replies ------------------------------------------------------------------------ */

static int mcl_end(const struct mcl *c, u16 opcode, u64 req_id,
		   struct sealfs_buf *b)
{
	struct sealfs_hdr_info h = {
		.opcode = opcode,
		.flags = SEALFS_HF_REPLY,
		.status = SEALFS_S_OK,
		.req_id = req_id,
		.epoch = mcl_epoch(c),
	};

	return sealfs_msg_end(b, &h, 0);
}

static void mcl_put_map_server(struct sealfs_buf *b, const struct mstate_server *s)
{
	struct sealfs_map_server w = {
		.id = cpu_to_le32(s->id),
		.weight = cpu_to_le32(s->weight),
		.state = cpu_to_le32(s->state),
	};

	memcpy(w.uuid, s->uuid, sizeof(w.uuid));
	memcpy(w.addr, s->addr, sizeof(w.addr));
	sealfs_msg_put_rec(b, SEALFS_REC_MAP_SERVER, &w, sizeof(w), NULL, 0);
}

static void mcl_put_map_volume(struct sealfs_buf *b, const struct mstate_volume *v)
{
	struct sealfs_map_volume w = {
		.id = cpu_to_le32(v->id),
		.chunk_size = cpu_to_le32(v->chunk_size),
		.quota_bytes = cpu_to_le64(v->quota_bytes),
		.quota_inodes = cpu_to_le64(v->quota_inodes),
		.state = cpu_to_le32(v->state),
		.name_len = cpu_to_le16(v->name_len),
	};

	sealfs_msg_put_rec(b, SEALFS_REC_MAP_VOLUME, &w, sizeof(w), v->name,
			   v->name_len);
}

/**
 * mcl_encode_map() - the MAP_GET reply
 * @c: the cluster
 * @req_id: the request's id
 * @b: buffer for the whole message (mcl_reply_size() bytes suffice)
 *
 * &struct sealfs_map_rep, then a %SEALFS_REC_MAP_SERVER record per server
 * and a %SEALFS_REC_MAP_VOLUME record per volume, in ascending ids; the
 * header and the body carry the current epoch.
 *
 * Return: 0, or -EMSGSIZE when @b is too small.
 */
int mcl_encode_map(const struct mcl *c, u64 req_id, struct sealfs_buf *b)
{
	u32 nsrv = mstate_server_count(c->ms), nvol = mstate_volume_count(c->ms), i;
	struct sealfs_map_rep rep = {
		.epoch = cpu_to_le64(mcl_epoch(c)),
		.count = cpu_to_le32(nsrv + nvol),
	};

	sealfs_msg_start(b);
	sealfs_buf_put(b, &rep, sizeof(rep));
	for (i = 0; i < nsrv; i++)
		mcl_put_map_server(b, mstate_server_at(c->ms, i));
	for (i = 0; i < nvol; i++)
		mcl_put_map_volume(b, mstate_volume_at(c->ms, i));
	return mcl_end(c, SEALFS_OP_MAP_GET, req_id, b);
}

static void mcl_put_status(const struct mcl *c, struct sealfs_buf *b,
			   const struct mstate_server *s, u64 now_ms)
{
	struct mcl_server_info info = { 0 };
	struct sealfs_srv_status w;

	mcl_server_info(c, s->id, now_ms, &info);
	w = (struct sealfs_srv_status){
		.id = cpu_to_le32(s->id),
		.state = cpu_to_le32(s->state),
		.weight = cpu_to_le32(s->weight),
		.capacity = cpu_to_le64(info.capacity),
		.used = cpu_to_le64(info.used),
		.last_seen_ms = cpu_to_le64(info.last_seen_ms),
	};
	memcpy(w.uuid, s->uuid, sizeof(w.uuid));
	memcpy(w.addr, s->addr, sizeof(w.addr));
	sealfs_msg_put_rec(b, SEALFS_REC_SRV_STATUS, &w, sizeof(w), NULL, 0);
}

/**
 * mcl_encode_status() - the CLUSTER_STATUS reply
 * @c: the cluster
 * @req_id: the request's id
 * @now_ms: current time, for each server's last_seen_ms
 * @b: buffer for the whole message (mcl_reply_size() bytes suffice)
 *
 * Return: 0, or -EMSGSIZE when @b is too small.
 */
int mcl_encode_status(const struct mcl *c, u64 req_id, u64 now_ms,
		      struct sealfs_buf *b)
{
	u32 n = mstate_server_count(c->ms), i;
	struct sealfs_list_rep rep = { .count = cpu_to_le32(n) };

	sealfs_msg_start(b);
	sealfs_buf_put(b, &rep, sizeof(rep));
	for (i = 0; i < n; i++)
		mcl_put_status(c, b, mstate_server_at(c->ms, i), now_ms);
	return mcl_end(c, SEALFS_OP_CLUSTER_STATUS, req_id, b);
}

static void mcl_put_volinfo(struct sealfs_buf *b, const struct mstate_volume *v,
			    mcl_usage_fn usage, void *ctx)
{
	u64 bytes = 0, inodes = 0;
	struct sealfs_volinfo w;

	if (usage)
		usage(ctx, v->id, &bytes, &inodes);
	w = (struct sealfs_volinfo){
		.id = cpu_to_le32(v->id),
		.chunk_size = cpu_to_le32(v->chunk_size),
		.quota_bytes = cpu_to_le64(v->quota_bytes),
		.quota_inodes = cpu_to_le64(v->quota_inodes),
		.used_bytes = cpu_to_le64(bytes),
		.used_inodes = cpu_to_le64(inodes),
		.state = cpu_to_le32(v->state),
		.name_len = cpu_to_le16(v->name_len),
	};
	sealfs_msg_put_rec(b, SEALFS_REC_VOLINFO, &w, sizeof(w), v->name, v->name_len);
}

/**
 * mcl_encode_vol_list() - the VOL_LIST reply
 * @c: the cluster
 * @req_id: the request's id
 * @usage: fills in each volume's usage (the caller gathered it with
 *	VOL_USAGE for %SEALFS_VL_USAGE), or NULL for zeros
 * @ctx: passed to @usage
 * @b: buffer for the whole message (mcl_reply_size() bytes suffice)
 *
 * Every volume, in ascending ids, also those being deleted.
 *
 * Return: 0, or -EMSGSIZE when @b is too small.
 */
int mcl_encode_vol_list(const struct mcl *c, u64 req_id, mcl_usage_fn usage,
			void *ctx, struct sealfs_buf *b)
{
	u32 n = mstate_volume_count(c->ms), i;
	struct sealfs_list_rep rep = { .count = cpu_to_le32(n) };

	sealfs_msg_start(b);
	sealfs_buf_put(b, &rep, sizeof(rep));
	for (i = 0; i < n; i++)
		mcl_put_volinfo(b, mstate_volume_at(c->ms, i), usage, ctx);
	return mcl_end(c, SEALFS_OP_VOL_LIST, req_id, b);
}
