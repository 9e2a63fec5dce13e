// SPDX-License-Identifier: GPL-2.0-only
/*
 * SealFS kernel client: the cluster map.
 *
 * The map comes from the manager (MAP_GET) and is replaced as a whole when
 * a server reports a newer epoch. Readers look owners up under RCU; the
 * refresh path is serialized by fs->map_lock and frees the old map after a
 * grace period.
 */
#include <linux/log2.h>
#include <linux/slab.h>
#include <linux/sort.h>

#include "internal.h"

/**
 * sealfs_map_free() - free a map
 * @map: the map; %NULL is ignored
 */
void sealfs_map_free(struct sealfs_map *map)
{
	if (!map)
		return;
	sealfs_ring_destroy(&map->ring);
	kfree(map->srv);
	kfree(map);
}

/**
 * sealfs_mgr_call() - send a request to a manager
 * @fs: the mount
 * @req: the request
 *
 * Tries each of the mount's managers in turn, each within the mount's
 * time-out and retransmissions, starting with the one that answered last.
 *
 * Return: 0 with the reply in @req, or the last error.
 */
int sealfs_mgr_call(struct sealfs_fs *fs, struct sealfs_req *req)
{
	unsigned int i;
	int err = -EIO;

	for (i = 0; i < fs->opts.nmgr; i++) {
		unsigned int idx = (fs->mgr_idx + i) % fs->opts.nmgr;

		if (!fs->mgr || fs->mgr_idx != idx) {
			sealfs_conn_destroy(fs->mgr);
			fs->mgr = sealfs_conn_new(fs, 0, &fs->opts.mgr[idx]);
			fs->mgr_idx = idx;
			if (!fs->mgr)
				return -ENOMEM;
		}
		req->id = 0;
		err = sealfs_rpc_call(fs->mgr, req, true);
		if (!err || err == -EINTR)
			return err;
		pr_warn("manager %pISpc not responding (%d)%s\n",
			&fs->opts.mgr[idx].sa, err,
			i + 1 < fs->opts.nmgr ? "; trying the next one" : "");
		fs->mgr_idx = (idx + 1) % fs->opts.nmgr;
	}
	return err;
}

static int sealfs_srv_cmp(const void *a, const void *b)
{
	const struct sealfs_map_srv *x = a, *y = b;

	return x->id < y->id ? -1 : x->id > y->id;
}

static void sealfs_addr_from_wire(union sealfs_inet_addr *to,
				  const struct sealfs_addr *a)
{
	memset(to, 0, sizeof(*to));
	if (le16_to_cpu(a->family) == SEALFS_AF_INET6) {
		to->sin6.sin6_family = AF_INET6;
		to->sin6.sin6_port = htons(le16_to_cpu(a->port));
		memcpy(&to->sin6.sin6_addr, a->addr, 16);
	} else if (le16_to_cpu(a->family) == SEALFS_AF_INET) {
		to->sin.sin_family = AF_INET;
		to->sin.sin_port = htons(le16_to_cpu(a->port));
		memcpy(&to->sin.sin_addr, a->addr, 4);
	}
}

/**
 * sealfs_map_parse() - build a map from a MAP_GET reply
 * @fs: the mount; its options name the volume looked for
 * @m: the reply's payload, validated by sealfs_msg_parse()
 * @out: set to the new map on success; the caller owns it
 *
 * Takes the mounted volume's record (an active volume of that name), the
 * servers sorted by id and a placement ring built from their weights.
 *
 * Context: process; may sleep (allocates with GFP_NOFS).
 * Return: 0; -ENOENT when the volume is not in the map or is being
 * deleted; -EPROTO for an unusable chunk size or duplicate server ids;
 * -ENOMEM.
 */
int sealfs_map_parse(struct sealfs_fs *fs, const struct sealfs_msg *m,
		     struct sealfs_map **out)
{
	const struct sealfs_map_rep *rep = m->body;
	struct sealfs_place_server *ps = NULL;
	struct sealfs_rec_iter it;
	struct sealfs_map *map;
	struct sealfs_rec rec;
	size_t vlen = strlen(fs->opts.volume);
	bool found = false;
	u32 i;
	int err;

	map = kzalloc(sizeof(*map), GFP_NOFS);
	if (!map)
		return -ENOMEM;
	map->epoch = le64_to_cpu(rep->epoch);
	map->srv = kcalloc(max(m->nrecs, 1U), sizeof(*map->srv), GFP_NOFS);
	ps = kcalloc(max(m->nrecs, 1U), sizeof(*ps), GFP_NOFS);
	err = -ENOMEM;
	if (!map->srv || !ps)
		goto out;
	sealfs_rec_iter_init(&it, m);
	while (sealfs_rec_next(&it, &rec)) {
		if (rec.kind == SEALFS_REC_MAP_SERVER) {
			const struct sealfs_map_server *s = rec.body;
			struct sealfs_map_srv *d = &map->srv[map->nsrv];

			d->id = le32_to_cpu(s->id);
			d->state = le32_to_cpu(s->state);
			sealfs_addr_from_wire(&d->addr,
					      &s->addr[SEALFS_TRANSPORT_TCP]);
			ps[map->nsrv].id = d->id;
			ps[map->nsrv].weight = le32_to_cpu(s->weight);
			map->nsrv++;
		} else if (rec.kind == SEALFS_REC_MAP_VOLUME) {
			const struct sealfs_map_volume *v = rec.body;

			if (rec.name_len != vlen ||
			    memcmp(rec.name, fs->opts.volume, vlen) ||
			    le32_to_cpu(v->state) != SEALFS_VOL_ACTIVE)
				continue;
			map->vol = le32_to_cpu(v->id);
			map->chunk_size = le32_to_cpu(v->chunk_size);
			map->quota_bytes = le64_to_cpu(v->quota_bytes);
			map->quota_inodes = le64_to_cpu(v->quota_inodes);
			found = true;
		}
	}
	err = -ENOENT;
	if (!found)
		goto out;
	err = -EPROTO;
	if (!is_power_of_2(map->chunk_size) || map->chunk_size < PAGE_SIZE) {
		pr_warn("volume %s: unusable chunk size %u\n", fs->opts.volume,
			map->chunk_size);
		goto out;
	}
	map->chunk_shift = ilog2(map->chunk_size);
	sort(map->srv, map->nsrv, sizeof(*map->srv), sealfs_srv_cmp, NULL);
	for (i = 1; i < map->nsrv; i++)
		if (map->srv[i].id == map->srv[i - 1].id)
			goto out;
	err = sealfs_ring_build(&map->ring, ps, map->nsrv);
out:
	kfree(ps);
	if (err) {
		sealfs_map_free(map);
		return err;
	}
	*out = map;
	return 0;
}

/**
 * sealfs_map_fetch() - fetch the map from the manager and install it
 * @fs: the mount
 * @known: the epoch the caller has (0 for none)
 * @wait_ms: with @known, how long the manager may hold the reply until the
 *	map changes
 *
 * A map older than the one installed is ignored. A map without the
 * mounted volume fails with -ENOENT (unknown or deleted volume). Caller
 * holds fs->map_lock, or is the mount itself.
 *
 * Return: 0 or a negative errno.
 */
int sealfs_map_fetch(struct sealfs_fs *fs, u64 known, u32 wait_ms)
{
	struct sealfs_map_get_req r = {
		.known_epoch = cpu_to_le64(known),
		.wait_ms = cpu_to_le32(wait_ms),
	};
	struct sealfs_map *map;
	struct sealfs_req *req;
	struct sealfs_buf b;
	struct sealfs_msg m;
	int err;

	req = sealfs_req_alloc(SEALFS_OP_MAP_GET, sizeof(r));
	if (!req)
		return -ENOMEM;
	sealfs_req_buf(req, &b);
	sealfs_buf_put(&b, &r, sizeof(r));
	err = sealfs_req_finish(req, &b, 0);
	if (!err)
		err = sealfs_mgr_call(fs, req);
	if (!err)
		err = sealfs_req_reply(req, &m);
	if (!err)
		err = sealfs_map_parse(fs, &m, &map);
	sealfs_req_put(req);
	if (err)
		return err;
	sealfs_map_install(fs, map);
	return 0;
}

/**
 * sealfs_map_install() - install a map unless the installed one is as new
 * @fs: the mount
 * @map: a map from sealfs_map_parse(); this function owns it from now on
 *
 * A map whose epoch is not newer than the installed one's is ignored, and
 * so is one in which the mounted volume has another id (the volume was
 * deleted and created again) or another chunk size. An installed map is
 * freed after an RCU grace period. Caller holds fs->map_lock, or is the
 * mount itself.
 *
 * Context: process; sleeps (synchronize_rcu()).
 * Return: true when @map was installed, false when it was ignored (and
 * freed).
 */
bool sealfs_map_install(struct sealfs_fs *fs, struct sealfs_map *map)
{
	struct sealfs_map *old;

	old = rcu_dereference_protected(fs->map, true);
	if (old && (map->epoch <= old->epoch || map->vol != old->vol ||
		    map->chunk_size != old->chunk_size)) {
		if (map->vol != old->vol)
			pr_warn("volume %s was replaced; keeping the old map\n",
				fs->opts.volume);
		sealfs_map_free(map);
		return false;
	}
	rcu_assign_pointer(fs->map, map);
	if (old) {
		synchronize_rcu();
		sealfs_map_free(old);
	}
	return true;
}

/**
 * sealfs_map_refresh() - make sure the map's epoch is at least @want
 * @fs: the mount
 * @want: the epoch a server reported
 *
 * When the manager has nothing newer yet, waits up to a second for it.
 *
 * Context: process; sleeps; killable.
 * Return: 0 or a negative errno.
 */
int sealfs_map_refresh(struct sealfs_fs *fs, u64 want)
{
	u64 have;
	int err;

	if (mutex_lock_killable(&fs->map_lock))
		return -EINTR;
	have = sealfs_map_epoch(fs);
	err = 0;
	if (have < want)
		err = sealfs_map_fetch(fs, have, 1000);
	mutex_unlock(&fs->map_lock);
	return err;
}

/**
 * sealfs_map_epoch() - the epoch of the installed map
 * @fs: the mount
 *
 * Return: the epoch, 0 before the first map.
 */
u64 sealfs_map_epoch(struct sealfs_fs *fs)
{
	struct sealfs_map *map;
	u64 epoch;

	rcu_read_lock();
	map = rcu_dereference(fs->map);
	epoch = map ? map->epoch : 0;
	rcu_read_unlock();
	return epoch;
}

/**
 * sealfs_map_owner() - the server that owns a placement key
 * @fs: the mount
 * @key: from sealfs_key_entry(), sealfs_key_inode() or sealfs_key_chunk()
 * @epoch: set to the epoch of the map that answered
 *
 * Return: the server id, 0 when no server takes keys.
 */
u32 sealfs_map_owner(struct sealfs_fs *fs, u64 key, u64 *epoch)
{
	struct sealfs_map *map;
	u32 id = 0;

	rcu_read_lock();
	map = rcu_dereference(fs->map);
	*epoch = map->epoch;
	if (map->ring.npoints)
		id = sealfs_ring_owner(&map->ring, key);
	rcu_read_unlock();
	return id;
}

/**
 * sealfs_map_srv_addr() - a server's TCP address in the current map
 * @fs: the mount
 * @id: server id
 * @addr: filled in
 *
 * Return: 0, or -ENXIO when the map has no such server or no address.
 */
int sealfs_map_srv_addr(struct sealfs_fs *fs, u32 id,
			union sealfs_inet_addr *addr)
{
	struct sealfs_map *map;
	int err = -ENXIO;
	u32 i;

	rcu_read_lock();
	map = rcu_dereference(fs->map);
	for (i = 0; map && i < map->nsrv; i++) {
		if (map->srv[i].id == id &&
		    map->srv[i].addr.sa.sa_family != AF_UNSPEC) {
			*addr = map->srv[i].addr;
			err = 0;
			break;
		}
	}
	rcu_read_unlock();
	return err;
}

/**
 * sealfs_map_servers() - the ids of the servers in the map
 * @fs: the mount
 * @ids: filled with up to @max ids, increasing
 * @max: room in @ids
 *
 * Return: the number of servers in the map (may exceed @max).
 */
u32 sealfs_map_servers(struct sealfs_fs *fs, u32 *ids, u32 max)
{
	struct sealfs_map *map;
	u32 i, n;

	rcu_read_lock();
	map = rcu_dereference(fs->map);
	n = map->nsrv;
	for (i = 0; i < n && i < max; i++)
		ids[i] = map->srv[i].id;
	rcu_read_unlock();
	return n;
}
