/* SPDX-License-Identifier: GPL-2.0-only OR Apache-2.0 */
/*
 * SealFS placement: which server owns a directory entry, an inode or a
 * data chunk. Weighted consistent hashing over the cluster map, with
 * xxHash64 (the kernel's lib/xxhash and libxxhash compute the same values).
 *
 * Keys are built from inode numbers, never from paths:
 *
 *   entry  (volume, parent inode, name)   "E" 0 0 0 | le32 vol | le64 parent | name
 *   inode  (volume, inode)                "I" 0 0 0 | le32 vol | le64 ino
 *   chunk  (volume, inode, chunk index)   "C" 0 0 0 | le32 vol | le64 ino | le64 idx
 *
 * Each key's bytes are hashed with xxh64(seed = SEALFS_PLACE_SEED). Each
 * server with weight w > 0 puts round(w * SEALFS_VNODES_NOMINAL /
 * SEALFS_WEIGHT_NOMINAL) (at least 1) points on a 64-bit ring, point i at
 * xxh64(le32 id | le32 i, SEALFS_PLACE_SEED). A key belongs to the server
 * of the first point at or after its hash, wrapping around. Points are
 * ordered by hash, then by server id, so equal hashes resolve the same way
 * everywhere. Documentation/placement.rst has the measured balance.
 */
#ifndef SEALFS_PLACEMENT_H
#define SEALFS_PLACEMENT_H

#include "sealfs_env.h"

#define SEALFS_PLACE_SEED	0x5365616c46533031ull	/* "SealFS01" */
#define SEALFS_WEIGHT_NOMINAL	100
#define SEALFS_WEIGHT_MAX	10000
#define SEALFS_VNODES_NOMINAL	256
#define SEALFS_RING_MAX_POINTS	(4u << 20)

/**
 * struct sealfs_place_server - a server as placement sees it
 * @id: server id (non-zero, unique)
 * @weight: 0 to %SEALFS_WEIGHT_MAX; %SEALFS_WEIGHT_NOMINAL is nominal
 */
struct sealfs_place_server {
	u32 id;
	u32 weight;
};

/**
 * struct sealfs_ring_point - one point on the ring
 * @hash: position
 * @server: owning server id
 * @vnode: index of the point among the server's points
 */
struct sealfs_ring_point {
	u64 hash;
	u32 server;
	u32 vnode;
};

/**
 * struct sealfs_ring - the placement ring of one cluster map
 * @points: sorted by hash, then server id
 * @npoints: number of points; 0 when no server has weight
 */
struct sealfs_ring {
	struct sealfs_ring_point *points;
	u32 npoints;
};

int sealfs_ring_build(struct sealfs_ring *ring,
		      const struct sealfs_place_server *servers, u32 n);
void sealfs_ring_destroy(struct sealfs_ring *ring);
u32 sealfs_ring_owner(const struct sealfs_ring *ring, u64 key);
u32 sealfs_ring_vnodes(u32 weight);

u64 sealfs_key_entry(u32 vol, u64 parent, const u8 *name, u32 name_len);
u64 sealfs_key_inode(u32 vol, u64 ino);
u64 sealfs_key_chunk(u32 vol, u64 ino, u64 chunk);

#endif /* SEALFS_PLACEMENT_H */
