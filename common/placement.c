// SPDX-License-Identifier: GPL-2.0-only OR Apache-2.0
/*
 * SealFS placement: weighted consistent hashing. See sealfs_placement.h
 * for the key encodings and the ring.
 */
#include "sealfs_env.h"
#include "sealfs_proto.h"
#include "sealfs_placement.h"

#define SEALFS_KEY_HDR	16	/* tag, 3 zero bytes, le32 vol, le64 a */

/**
 * sealfs_ring_vnodes() - points a server of a given weight puts on the ring
 * @weight: the server's weight; weights above %SEALFS_WEIGHT_MAX count as
 *	%SEALFS_WEIGHT_MAX
 *
 * Context: any.
 * Return: round(@weight * %SEALFS_VNODES_NOMINAL / %SEALFS_WEIGHT_NOMINAL):
 * 0 for weight 0, at least 3 for any other.
 */
u32 sealfs_ring_vnodes(u32 weight)
{
	if (weight > SEALFS_WEIGHT_MAX)
		weight = SEALFS_WEIGHT_MAX;
	return (weight * SEALFS_VNODES_NOMINAL + SEALFS_WEIGHT_NOMINAL / 2) /
	       SEALFS_WEIGHT_NOMINAL;
}

static void sealfs_put_le32(u8 *p, u32 v)
{
	__le32 w = cpu_to_le32(v);

	memcpy(p, &w, sizeof(w));
}

static void sealfs_put_le64(u8 *p, u64 v)
{
	__le64 w = cpu_to_le64(v);

	memcpy(p, &w, sizeof(w));
}

static int sealfs_point_cmp(const void *a, const void *b)
{
	const struct sealfs_ring_point *x = a, *y = b;

	if (x->hash != y->hash)
		return x->hash < y->hash ? -1 : 1;
	if (x->server != y->server)
		return x->server < y->server ? -1 : 1;
	return 0;
}

static int sealfs_id_cmp(const void *a, const void *b)
{
	u32 x = *(const u32 *)a, y = *(const u32 *)b;

	return x < y ? -1 : x > y;
}

/* -EINVAL if two servers share an id, whatever their weights. */
static int sealfs_check_unique(const struct sealfs_place_server *servers, u32 n)
{
	u32 *ids, i;
	int err = 0;

	if (n < 2)
		return 0;
	ids = sealfs_alloc_array(n, sizeof(*ids));
	if (!ids)
		return -ENOMEM;
	for (i = 0; i < n; i++)
		ids[i] = servers[i].id;
	sealfs_sort(ids, n, sizeof(*ids), sealfs_id_cmp);
	for (i = 1; i < n && !err; i++)
		if (ids[i - 1] == ids[i])
			err = -EINVAL;
	sealfs_free(ids);
	return err;
}

static u64 sealfs_point_hash(u32 server, u32 vnode)
{
	u8 b[8];

	sealfs_put_le32(b, server);
	sealfs_put_le32(b + 4, vnode);
	return sealfs_xxh64(b, sizeof(b), SEALFS_PLACE_SEED);
}

/**
 * sealfs_ring_build() - build the ring for a set of servers
 * @ring: filled in (not holding a ring: destroy an old one first); release
 *	with sealfs_ring_destroy()
 * @servers: the servers (any order); servers of weight 0 own nothing
 * @n: how many, at most %SEALFS_MAX_SERVERS
 *
 * A map without servers, or whose servers all weigh 0, gives an empty ring
 * (sealfs_ring_owner() then answers 0).
 *
 * Context: may sleep (allocates).
 * Return: 0; -EINVAL for a zero or duplicate id or a weight above
 * %SEALFS_WEIGHT_MAX; -E2BIG for too many servers; -ENOMEM.
 */
int sealfs_ring_build(struct sealfs_ring *ring,
		      const struct sealfs_place_server *servers, u32 n)
{
	u32 i, j, total = 0, k = 0;
	int err;

	ring->points = NULL;
	ring->npoints = 0;
	if (n > SEALFS_MAX_SERVERS)
		return -E2BIG;
	for (i = 0; i < n; i++) {
		if (!servers[i].id || servers[i].weight > SEALFS_WEIGHT_MAX)
			return -EINVAL;
		total += sealfs_ring_vnodes(servers[i].weight);
	}
	err = sealfs_check_unique(servers, n);
	if (err)
		return err;
	if (total > SEALFS_RING_MAX_POINTS)
		return -E2BIG;
	if (!total)
		return 0;
	ring->points = sealfs_alloc_array(total, sizeof(*ring->points));
	if (!ring->points)
		return -ENOMEM;
	for (i = 0; i < n; i++) {
		u32 v = sealfs_ring_vnodes(servers[i].weight);

		for (j = 0; j < v; j++, k++) {
			ring->points[k].hash = sealfs_point_hash(servers[i].id, j);
			ring->points[k].server = servers[i].id;
			ring->points[k].vnode = j;
		}
	}
	sealfs_sort(ring->points, total, sizeof(*ring->points), sealfs_point_cmp);
	ring->npoints = total;
	return 0;
}

/**
 * sealfs_ring_destroy() - release a ring
 * @ring: the ring; left empty
 *
 * Context: any.
 */
void sealfs_ring_destroy(struct sealfs_ring *ring)
{
	sealfs_free(ring->points);
	ring->points = NULL;
	ring->npoints = 0;
}

/**
 * sealfs_ring_owner() - owner of a key
 * @ring: the ring
 * @key: a key hash from sealfs_key_entry(), _inode() or _chunk()
 *
 * O(log points).
 *
 * Context: any.
 * Return: the owning server id; 0 when the ring is empty.
 */
u32 sealfs_ring_owner(const struct sealfs_ring *ring, u64 key)
{
	u32 lo = 0, hi = ring->npoints;

	if (!hi)
		return 0;
	while (lo < hi) {
		u32 mid = lo + (hi - lo) / 2;

		if (ring->points[mid].hash < key)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo == ring->npoints)
		lo = 0;
	return ring->points[lo].server;
}

static void sealfs_key_hdr(u8 *b, u8 tag, u32 vol, u64 a)
{
	b[0] = tag;
	b[1] = 0;
	b[2] = 0;
	b[3] = 0;
	sealfs_put_le32(b + 4, vol);
	sealfs_put_le64(b + 8, a);
}

/**
 * sealfs_key_entry() - key hash of a directory entry
 * @vol: volume id
 * @parent: directory inode
 * @name: entry name
 * @name_len: its length; callers pass valid names (at most
 *	%SEALFS_NAME_MAX), longer ones are hashed truncated
 *
 * Context: any.
 * Return: the hash.
 */
u64 sealfs_key_entry(u32 vol, u64 parent, const u8 *name, u32 name_len)
{
	u8 b[SEALFS_KEY_HDR + SEALFS_NAME_MAX];

	if (name_len > SEALFS_NAME_MAX)
		name_len = SEALFS_NAME_MAX;
	sealfs_key_hdr(b, 'E', vol, parent);
	memcpy(b + SEALFS_KEY_HDR, name, name_len);
	return sealfs_xxh64(b, SEALFS_KEY_HDR + name_len, SEALFS_PLACE_SEED);
}

/**
 * sealfs_key_inode() - key hash of an inode
 * @vol: volume id
 * @ino: inode number
 *
 * Context: any.
 * Return: the hash.
 */
u64 sealfs_key_inode(u32 vol, u64 ino)
{
	u8 b[SEALFS_KEY_HDR];

	sealfs_key_hdr(b, 'I', vol, ino);
	return sealfs_xxh64(b, sizeof(b), SEALFS_PLACE_SEED);
}

/**
 * sealfs_key_chunk() - key hash of a data chunk
 * @vol: volume id
 * @ino: inode number
 * @chunk: chunk index (file offset / chunk size)
 *
 * Context: any.
 * Return: the hash.
 */
u64 sealfs_key_chunk(u32 vol, u64 ino, u64 chunk)
{
	u8 b[SEALFS_KEY_HDR + 8];

	sealfs_key_hdr(b, 'C', vol, ino);
	sealfs_put_le64(b + SEALFS_KEY_HDR, chunk);
	return sealfs_xxh64(b, sizeof(b), SEALFS_PLACE_SEED);
}
