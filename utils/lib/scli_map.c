// SPDX-License-Identifier: Apache-2.0
/*
 * scli_map: the cluster map as the client library keeps it, and the
 * owners of keys. See scli.h.
 *
 * The ring holds every server with a non-zero weight, up or down, exactly
 * as sealfs-server builds it (server/ssrv_map.c): a client and a server
 * with the same map must agree on every owner, or the server answers
 * WRONG_OWNER.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "scli.h"
#include "sealfs_codec.h"

static bool map_addr_ok(const struct sealfs_addr *a)
{
	static const u8 zero[12];
	u16 fam = le16_to_cpu(a->family);

	if (fam == SEALFS_AF_NONE || fam == SEALFS_AF_INET6)
		return true;
	return fam == SEALFS_AF_INET && !memcmp(a->addr + 4, zero, sizeof(zero));
}

static int map_srv(struct scli_map *map, const struct sealfs_map_server *w)
{
	struct scli_map_srv *s;
	u32 i, id = le32_to_cpu(w->id), state = le32_to_cpu(w->state);

	if (map->nvol || map->nsrv >= SEALFS_MAX_SERVERS || !id ||
	    (state != SEALFS_SRV_UP && state != SEALFS_SRV_DOWN) ||
	    le32_to_cpu(w->weight) > SEALFS_WEIGHT_MAX)
		return -EPROTO;
	for (i = 0; i < SEALFS_TRANSPORTS; i++)
		if (!map_addr_ok(&w->addr[i]))
			return -EPROTO;
	if (scli_map_srv(map, id))
		return -EPROTO;
	s = &map->srv[map->nsrv++];
	s->id = id;
	s->weight = le32_to_cpu(w->weight);
	s->state = state;
	memcpy(s->uuid, w->uuid, sizeof(s->uuid));
	memcpy(s->addr, w->addr, sizeof(s->addr));
	return 0;
}

static int map_vol(struct scli_map *map, const struct sealfs_map_volume *w,
		   const u8 *name, u32 name_len)
{
	struct scli_map_vol *v;
	u32 i, id = le32_to_cpu(w->id), cs = le32_to_cpu(w->chunk_size);
	u32 state = le32_to_cpu(w->state);

	if (map->nvol >= SEALFS_MAX_VOLUMES || !id || !cs || (cs & (cs - 1)) ||
	    (state != SEALFS_VOL_ACTIVE && state != SEALFS_VOL_DELETING) ||
	    !name || name_len > SEALFS_VOLNAME_MAX)
		return -EPROTO;
	for (i = 0; i < map->nvol; i++)
		if (map->vol[i].id == id)
			return -EPROTO;
	v = &map->vol[map->nvol++];
	v->id = id;
	v->chunk_size = cs;
	v->state = state;
	v->quota_bytes = le64_to_cpu(w->quota_bytes);
	v->quota_inodes = le64_to_cpu(w->quota_inodes);
	memcpy(v->name, name, name_len);
	v->name[name_len] = '\0';
	return 0;
}

static int map_ring(struct scli_map *map)
{
	struct sealfs_place_server *ps;
	u32 i, n = 0;
	int rc;

	ps = calloc(map->nsrv ? map->nsrv : 1, sizeof(*ps));
	if (!ps)
		return -ENOMEM;
	for (i = 0; i < map->nsrv; i++) {
		if (!map->srv[i].weight)
			continue;
		ps[n].id = map->srv[i].id;
		ps[n].weight = map->srv[i].weight;
		n++;
	}
	rc = sealfs_ring_build(&map->ring, ps, n);
	free(ps);
	return rc;
}

/**
 * scli_map_decode() - a map from a validated MAP_GET reply
 * @m: the reply (sealfs_msg_parse() passed)
 * @mp: the map, freed with scli_map_free()
 *
 * Checks what the codec leaves to the receiver: servers before volumes,
 * unique non-zero ids, the limits, states and address families, chunk
 * sizes that are powers of two.
 * Return: 0, -EPROTO for a map that breaks those rules, -ENOMEM.
 */
int scli_map_decode(const struct sealfs_msg *m, struct scli_map **mp)
{
	const struct sealfs_map_rep *rep = m->body;
	struct sealfs_rec_iter it;
	struct sealfs_rec rec;
	struct scli_map *map;
	int rc = 0;

	if (!rep || m->body_len < sizeof(*rep))
		return -EPROTO;
	map = calloc(1, sizeof(*map));
	if (!map)
		return -ENOMEM;
	map->epoch = le64_to_cpu(rep->epoch);
	map->srv = calloc(m->nrecs + 1, sizeof(*map->srv));
	map->vol = calloc(m->nrecs + 1, sizeof(*map->vol));
	if (!map->srv || !map->vol) {
		rc = -ENOMEM;
		goto fail;
	}
	sealfs_rec_iter_init(&it, m);
	while (!rc && sealfs_rec_next(&it, &rec)) {
		if (rec.kind == SEALFS_REC_MAP_SERVER)
			rc = map_srv(map, rec.body);
		else if (rec.kind == SEALFS_REC_MAP_VOLUME)
			rc = map_vol(map, rec.body, rec.name, rec.name_len);
		else
			rc = -EPROTO;
	}
	if (!rc)
		rc = map_ring(map);
	if (rc)
		goto fail;
	*mp = map;
	return 0;
fail:
	scli_map_free(map);
	return rc;
}

/**
 * scli_map_free() - free a map
 * @map: the map, or %NULL
 */
void scli_map_free(struct scli_map *map)
{
	if (!map)
		return;
	sealfs_ring_destroy(&map->ring);
	free(map->srv);
	free(map->vol);
	free(map);
}

/**
 * scli_map_srv() - a server by id
 * @map: the map
 * @id: server id
 * Return: the server or %NULL.
 */
const struct scli_map_srv *scli_map_srv(const struct scli_map *map, u32 id)
{
	u32 i;

	for (i = 0; i < map->nsrv; i++)
		if (map->srv[i].id == id)
			return &map->srv[i];
	return NULL;
}

/**
 * scli_map_vol() - a volume by name
 * @map: the map
 * @name: its name
 * Return: the volume (also one being deleted) or %NULL.
 */
const struct scli_map_vol *scli_map_vol(const struct scli_map *map,
					const char *name)
{
	u32 i;

	for (i = 0; i < map->nvol; i++)
		if (!strcmp(map->vol[i].name, name))
			return &map->vol[i];
	return NULL;
}

/**
 * scli_map_owner() - the server that owns a key
 * @map: the map
 * @key: a sealfs_key_*() value
 * Return: server id, 0 when no server has weight.
 */
u32 scli_map_owner(const struct scli_map *map, u64 key)
{
	return map->ring.npoints ? sealfs_ring_owner(&map->ring, key) : 0;
}

/**
 * scli_owner_entry() - owner of a directory entry
 * @map: the map
 * @vol: volume id
 * @parent: directory inode
 * @name: entry name
 * Return: server id, 0 for none.
 */
u32 scli_owner_entry(const struct scli_map *map, u32 vol, u64 parent,
		     const char *name)
{
	return scli_map_owner(map, sealfs_key_entry(vol, parent, (const u8 *)name,
						    strlen(name)));
}

/**
 * scli_owner_inode() - owner of an inode
 * @map: the map
 * @vol: volume id
 * @ino: inode
 * Return: server id, 0 for none.
 */
u32 scli_owner_inode(const struct scli_map *map, u32 vol, u64 ino)
{
	return scli_map_owner(map, sealfs_key_inode(vol, ino));
}

/**
 * scli_owner_chunk() - owner of the chunk holding a file offset
 * @map: the map
 * @vol: volume id
 * @chunk_size: the volume's chunk size
 * @ino: inode
 * @offset: file offset
 * Return: server id, 0 for none.
 */
u32 scli_owner_chunk(const struct scli_map *map, u32 vol, u32 chunk_size,
		     u64 ino, u64 offset)
{
	return scli_map_owner(map, sealfs_key_chunk(vol, ino, offset / chunk_size));
}

/**
 * scli_addr_text() - "IP:PORT" or "[IP6]:PORT" of an endpoint
 * @a: the endpoint
 * @buf: output
 * @len: room in @buf
 * Return: 0, or -EADDRNOTAVAIL for %SEALFS_AF_NONE.
 */
int scli_addr_text(const struct sealfs_addr *a, char *buf, size_t len)
{
	char ip[INET6_ADDRSTRLEN];

	switch (le16_to_cpu(a->family)) {
	case SEALFS_AF_INET6:
		inet_ntop(AF_INET6, a->addr, ip, sizeof(ip));
		snprintf(buf, len, "[%s]:%u", ip, le16_to_cpu(a->port));
		return 0;
	case SEALFS_AF_INET:
		inet_ntop(AF_INET, a->addr, ip, sizeof(ip));
		snprintf(buf, len, "%s:%u", ip, le16_to_cpu(a->port));
		return 0;
	default:
		return -EADDRNOTAVAIL;
	}
}
