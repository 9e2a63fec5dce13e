// SPDX-License-Identifier: Apache-2.0
/*
 * ssrv_map: the cluster map as sealfs-server keeps it. See ssrv.h.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "server/ssrv.h"

/**
 * ssrv_map_build() - make a map (reference count 1) and its ring
 * @epoch: map epoch
 * @srv: servers (copied)
 * @nsrv: how many
 * @vol: volumes (copied)
 * @nvol: how many
 * @mp: the map
 *
 * Every server with a non-zero weight gets its points, UP or DOWN.
 * Return: 0, -ENOMEM or -EINVAL.
 */
int ssrv_map_build(u64 epoch, const struct ssrv_map_srv *srv, u32 nsrv,
		   const struct ssrv_map_vol *vol, u32 nvol,
		   struct ssrv_map **mp)
{
	struct sealfs_place_server *ps = NULL;
	struct ssrv_map *map;
	u32 i, n = 0;
	int rc;

	map = calloc(1, sizeof(*map));
	if (!map)
		return -ENOMEM;
	atomic_init(&map->ref, 1);
	map->epoch = epoch;
	map->srv = calloc(nsrv ? nsrv : 1, sizeof(*srv));
	map->vol = calloc(nvol ? nvol : 1, sizeof(*vol));
	ps = calloc(nsrv ? nsrv : 1, sizeof(*ps));
	if (!map->srv || !map->vol || !ps) {
		rc = -ENOMEM;
		goto fail;
	}
	if (nsrv)
		memcpy(map->srv, srv, nsrv * sizeof(*srv));
	if (nvol)
		memcpy(map->vol, vol, nvol * sizeof(*vol));
	map->nsrv = nsrv;
	map->nvol = nvol;
	for (i = 0; i < nsrv; i++) {
		if (!srv[i].weight)
			continue;
		ps[n].id = srv[i].id;
		ps[n].weight = srv[i].weight;
		map->total_weight += srv[i].weight;
		n++;
	}
	rc = sealfs_ring_build(&map->ring, ps, n);
	if (rc)
		goto fail;
	free(ps);
	*mp = map;
	return 0;
fail:
	free(ps);
	free(map->srv);
	free(map->vol);
	free(map);
	return rc;
}

/**
 * ssrv_map_decode() - a map from a validated MAP_GET reply
 * @m: the reply
 * @mp: the map (reference count 1)
 *
 * Return: 0, -EPROTO for unexpected records, -ENOMEM.
 */
int ssrv_map_decode(const struct sealfs_msg *m, struct ssrv_map **mp)
{
	const struct sealfs_map_rep *rep = m->body;
	struct ssrv_map_srv *srv;
	struct ssrv_map_vol *vol;
	struct sealfs_rec_iter it;
	struct sealfs_rec rec;
	u32 nsrv = 0, nvol = 0;
	int rc = 0;

	if (!rep || m->body_len < sizeof(*rep))
		return -EPROTO;
	srv = calloc(m->nrecs + 1, sizeof(*srv));
	vol = calloc(m->nrecs + 1, sizeof(*vol));
	if (!srv || !vol) {
		rc = -ENOMEM;
		goto out;
	}
	sealfs_rec_iter_init(&it, m);
	while (sealfs_rec_next(&it, &rec)) {
		if (rec.kind == SEALFS_REC_MAP_SERVER) {
			const struct sealfs_map_server *w = rec.body;
			struct ssrv_map_srv *s = &srv[nsrv++];

			s->id = le32_to_cpu(w->id);
			s->weight = le32_to_cpu(w->weight);
			s->state = le32_to_cpu(w->state);
			memcpy(s->uuid, w->uuid, sizeof(s->uuid));
			memcpy(s->addr, w->addr, sizeof(s->addr));
		} else if (rec.kind == SEALFS_REC_MAP_VOLUME) {
			const struct sealfs_map_volume *w = rec.body;
			struct ssrv_map_vol *v = &vol[nvol++];
			u32 nl = rec.name_len < SEALFS_VOLNAME_MAX ?
				 rec.name_len : SEALFS_VOLNAME_MAX;

			v->id = le32_to_cpu(w->id);
			v->chunk_size = le32_to_cpu(w->chunk_size);
			v->state = le32_to_cpu(w->state);
			v->quota_bytes = le64_to_cpu(w->quota_bytes);
			v->quota_inodes = le64_to_cpu(w->quota_inodes);
			if (rec.name)
				memcpy(v->name, rec.name, nl);
			if (!v->chunk_size || (v->chunk_size & (v->chunk_size - 1))) {
				rc = -EPROTO;
				goto out;
			}
		} else {
			rc = -EPROTO;
			goto out;
		}
	}
	rc = ssrv_map_build(le64_to_cpu(rep->epoch), srv, nsrv, vol, nvol, mp);
out:
	free(srv);
	free(vol);
	return rc;
}

/**
 * ssrv_map_get() - take a reference
 * @map: the map, or %NULL
 * Return: @map.
 */
struct ssrv_map *ssrv_map_get(struct ssrv_map *map)
{
	if (map)
		atomic_fetch_add(&map->ref, 1);
	return map;
}

/**
 * ssrv_map_put() - drop a reference; the last frees the map
 * @map: the map, or %NULL
 */
void ssrv_map_put(struct ssrv_map *map)
{
	if (!map || atomic_fetch_sub(&map->ref, 1) != 1)
		return;
	sealfs_ring_destroy(&map->ring);
	free(map->srv);
	free(map->vol);
	free(map);
}

/**
 * ssrv_map_vol() - a volume by id
 * @map: the map
 * @id: volume id
 * Return: the volume or %NULL.
 */
const struct ssrv_map_vol *ssrv_map_vol(const struct ssrv_map *map, u32 id)
{
	u32 i;

	for (i = 0; i < map->nvol; i++)
		if (map->vol[i].id == id)
			return &map->vol[i];
	return NULL;
}

/**
 * ssrv_map_srv() - a server by id
 * @map: the map
 * @id: server id
 * Return: the server or %NULL.
 */
const struct ssrv_map_srv *ssrv_map_srv(const struct ssrv_map *map, u32 id)
{
	u32 i;

	for (i = 0; i < map->nsrv; i++)
		if (map->srv[i].id == id)
			return &map->srv[i];
	return NULL;
}

/**
 * ssrv_map_owner() - the server that owns a key
 * @map: the map
 * @key: sealfs_key_*() value
 * Return: server id, 0 when no server has weight.
 */
u32 ssrv_map_owner(const struct ssrv_map *map, u64 key)
{
	if (!map->ring.npoints)
		return 0;
	return sealfs_ring_owner(&map->ring, key);
}

/**
 * ssrv_map_up() - servers in state UP
 * @map: the map
 * Return: their number.
 */
u32 ssrv_map_up(const struct ssrv_map *map)
{
	u32 i, n = 0;

	for (i = 0; i < map->nsrv; i++)
		n += map->srv[i].state == SEALFS_SRV_UP;
	return n;
}
