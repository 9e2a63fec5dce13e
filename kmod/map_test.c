// SPDX-License-Identifier: GPL-2.0-only
/*
 * KUnit suite "sealfs_map": the cluster map as the client builds it from a
 * MAP_GET reply and installs it when its epoch is newer. Built into
 * sealfs.ko on kernels with KUnit and run when the module loads.
 *
 * The replies are encoded in memory with the codec and validated with
 * sealfs_msg_parse(), as the client does with what the manager sends.
 */
#include <kunit/test.h>
#include <linux/in6.h>
#include <linux/slab.h>

#include "internal.h"

#define MAP_T_BUF	4096

/**
 * struct map_t_srv - a server record to encode
 * @id: server id
 * @weight: placement weight
 * @state: %SEALFS_SRV_UP or %SEALFS_SRV_DOWN
 * @family: %SEALFS_AF_NONE, %SEALFS_AF_INET or %SEALFS_AF_INET6
 */
struct map_t_srv {
	u32 id;
	u32 weight;
	u32 state;
	u16 family;
};

/**
 * struct map_t_vol - a volume record to encode
 * @name: its name
 * @id: volume id
 * @chunk: chunk size
 * @qbytes: byte quota
 * @qinodes: inode quota
 * @state: %SEALFS_VOL_ACTIVE or %SEALFS_VOL_DELETING
 */
struct map_t_vol {
	const char *name;
	u32 id;
	u32 chunk;
	u64 qbytes;
	u64 qinodes;
	u32 state;
};

static int map_t_init(struct kunit *test)
{
	struct sealfs_fs *fs = kzalloc(sizeof(*fs), GFP_KERNEL);

	if (!fs)
		return -ENOMEM;
	sealfs_opts_defaults(&fs->opts);
	strscpy(fs->opts.volume, "vol1", sizeof(fs->opts.volume));
	mutex_init(&fs->map_lock);
	test->priv = fs;
	return 0;
}

static void map_t_exit(struct kunit *test)
{
	struct sealfs_fs *fs = test->priv;

	sealfs_map_free(rcu_dereference_protected(fs->map, true));
	mutex_destroy(&fs->map_lock);
	kfree(fs);
}

/* The address server @id has in the encoded maps: port 7000 + id, and
 * 10.0.0.id or fd00::id.
 */
static void map_t_addr(struct sealfs_addr *a, u32 id, u16 family)
{
	memset(a, 0, sizeof(*a));
	a->family = cpu_to_le16(family);
	if (family == SEALFS_AF_NONE)
		return;
	a->port = cpu_to_le16(7000 + id);
	if (family == SEALFS_AF_INET) {
		a->addr[0] = 10;
		a->addr[3] = id;
	} else {
		a->addr[0] = 0xfd;
		a->addr[15] = id;
	}
}

/* Encodes a MAP_GET reply, validates it like the client and builds a map
 * from it with sealfs_map_parse().
 */
static int map_t_parse(struct kunit *test, u64 epoch,
		       const struct map_t_srv *s, unsigned int ns,
		       const struct map_t_vol *v, unsigned int nv,
		       struct sealfs_map **out)
{
	struct sealfs_hdr_info h = {
		.opcode = SEALFS_OP_MAP_GET,
		.flags = SEALFS_HF_REPLY,
	};
	struct sealfs_map_rep rep = {
		.epoch = cpu_to_le64(epoch),
		.count = cpu_to_le32(ns + nv),
	};
	struct sealfs_hdr_info rh;
	struct sealfs_buf b;
	struct sealfs_msg m;
	unsigned int i;
	u8 *buf;

	*out = NULL;
	buf = kunit_kzalloc(test, MAP_T_BUF, GFP_KERNEL);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, buf);
	sealfs_buf_init(&b, buf, MAP_T_BUF);
	sealfs_msg_start(&b);
	sealfs_buf_put(&b, &rep, sizeof(rep));
	for (i = 0; i < ns; i++) {
		struct sealfs_map_server ms = {
			.id = cpu_to_le32(s[i].id),
			.weight = cpu_to_le32(s[i].weight),
			.state = cpu_to_le32(s[i].state),
		};

		ms.uuid[0] = s[i].id;
		map_t_addr(&ms.addr[SEALFS_TRANSPORT_TCP], s[i].id,
			   s[i].family);
		sealfs_msg_put_rec(&b, SEALFS_REC_MAP_SERVER, &ms, sizeof(ms),
				   NULL, 0);
	}
	for (i = 0; i < nv; i++) {
		u32 len = strlen(v[i].name);
		struct sealfs_map_volume mv = {
			.id = cpu_to_le32(v[i].id),
			.chunk_size = cpu_to_le32(v[i].chunk),
			.quota_bytes = cpu_to_le64(v[i].qbytes),
			.quota_inodes = cpu_to_le64(v[i].qinodes),
			.state = cpu_to_le32(v[i].state),
			.name_len = cpu_to_le16(len),
		};

		sealfs_msg_put_rec(&b, SEALFS_REC_MAP_VOLUME, &mv, sizeof(mv),
				   v[i].name, len);
	}
	KUNIT_ASSERT_EQ(test, sealfs_msg_end(&b, &h, 0), 0);
	KUNIT_ASSERT_EQ(test, sealfs_hdr_decode(buf, SEALFS_MAX_PAYLOAD, &rh), 0);
	KUNIT_ASSERT_EQ(test, sealfs_msg_parse(&rh, buf + SEALFS_HDR_SIZE,
					       rh.len, &m), 0);
	KUNIT_ASSERT_EQ(test, m.nrecs, ns + nv);
	return sealfs_map_parse(test->priv, &m, out);
}

static const struct map_t_srv map_t_three[] = {
	{ .id = 30, .weight = 200, .state = SEALFS_SRV_UP, .family = SEALFS_AF_INET },
	{ .id = 10, .weight = 100, .state = SEALFS_SRV_UP, .family = SEALFS_AF_INET6 },
	{ .id = 20, .weight = 100, .state = SEALFS_SRV_DOWN, .family = SEALFS_AF_INET },
	{ .id = 40, .weight = 0, .state = SEALFS_SRV_UP, .family = SEALFS_AF_NONE },
};

static const struct map_t_vol map_t_vol1 = {
	.name = "vol1", .id = 9, .chunk = 1 << 20, .qbytes = 1ull << 40,
	.qinodes = 1000000, .state = SEALFS_VOL_ACTIVE,
};

static void map_t_volume_test(struct kunit *test)
{
	const struct map_t_vol v[] = {
		{ "vol", 3, 1 << 16, 0, 0, SEALFS_VOL_ACTIVE },
		{ "other", 5, 1 << 16, 0, 0, SEALFS_VOL_ACTIVE },
		map_t_vol1,
		{ "vol10", 11, 1 << 16, 0, 0, SEALFS_VOL_ACTIVE },
	};
	const struct map_t_vol w = {
		"vol1", 2, PAGE_SIZE, 0, 0, SEALFS_VOL_ACTIVE
	};
	struct sealfs_map *map;

	KUNIT_ASSERT_EQ(test, map_t_parse(test, 7, map_t_three, 3, v,
					  ARRAY_SIZE(v), &map), 0);
	KUNIT_EXPECT_EQ(test, map->epoch, 7ull);
	KUNIT_EXPECT_EQ(test, map->vol, 9u);
	KUNIT_EXPECT_EQ(test, map->chunk_size, 1u << 20);
	KUNIT_EXPECT_EQ(test, map->chunk_shift, 20u);
	KUNIT_EXPECT_EQ(test, map->quota_bytes, 1ull << 40);
	KUNIT_EXPECT_EQ(test, map->quota_inodes, 1000000ull);
	sealfs_map_free(map);

	/* No quotas, the smallest chunk size. */
	KUNIT_ASSERT_EQ(test, map_t_parse(test, 1, map_t_three, 1, &w, 1,
					  &map), 0);
	KUNIT_EXPECT_EQ(test, map->vol, 2u);
	KUNIT_EXPECT_EQ(test, map->chunk_size, (u32)PAGE_SIZE);
	KUNIT_EXPECT_EQ(test, map->chunk_shift, (u32)PAGE_SHIFT);
	KUNIT_EXPECT_EQ(test, map->quota_bytes, 0ull);
	KUNIT_EXPECT_EQ(test, map->quota_inodes, 0ull);
	sealfs_map_free(map);
}

static void map_t_servers_test(struct kunit *test)
{
	struct sealfs_fs *fs = test->priv;
	union sealfs_inet_addr a;
	struct sealfs_map *map;
	u32 ids[8];

	KUNIT_ASSERT_EQ(test, map_t_parse(test, 3, map_t_three,
					  ARRAY_SIZE(map_t_three),
					  &map_t_vol1, 1, &map), 0);
	KUNIT_ASSERT_EQ(test, map->nsrv, 4u);
	KUNIT_EXPECT_EQ(test, map->srv[0].id, 10u);
	KUNIT_EXPECT_EQ(test, map->srv[1].id, 20u);
	KUNIT_EXPECT_EQ(test, map->srv[2].id, 30u);
	KUNIT_EXPECT_EQ(test, map->srv[3].id, 40u);
	KUNIT_EXPECT_EQ(test, map->srv[1].state, (u32)SEALFS_SRV_DOWN);
	KUNIT_EXPECT_EQ(test, map->srv[2].state, (u32)SEALFS_SRV_UP);

	/* fd00::10, port 7010 */
	KUNIT_EXPECT_EQ(test, map->srv[0].addr.sin6.sin6_family, AF_INET6);
	KUNIT_EXPECT_EQ(test, ntohs(map->srv[0].addr.sin6.sin6_port), 7010);
	KUNIT_EXPECT_EQ(test, map->srv[0].addr.sin6.sin6_addr.s6_addr[0], 0xfd);
	KUNIT_EXPECT_EQ(test, map->srv[0].addr.sin6.sin6_addr.s6_addr[15], 10);
	/* 10.0.0.30, port 7030 */
	KUNIT_EXPECT_EQ(test, map->srv[2].addr.sin.sin_family, AF_INET);
	KUNIT_EXPECT_EQ(test, ntohs(map->srv[2].addr.sin.sin_port), 7030);
	KUNIT_EXPECT_EQ(test, ntohl(map->srv[2].addr.sin.sin_addr.s_addr),
			0x0a00001eu);
	/* no endpoint */
	KUNIT_EXPECT_EQ(test, map->srv[3].addr.sa.sa_family, AF_UNSPEC);

	/* The same through the accessors, once installed. */
	mutex_lock(&fs->map_lock);
	KUNIT_EXPECT_TRUE(test, sealfs_map_install(fs, map));
	mutex_unlock(&fs->map_lock);
	KUNIT_EXPECT_EQ(test, sealfs_map_servers(fs, ids, ARRAY_SIZE(ids)), 4u);
	KUNIT_EXPECT_EQ(test, ids[0], 10u);
	KUNIT_EXPECT_EQ(test, ids[3], 40u);
	KUNIT_EXPECT_EQ(test, sealfs_map_servers(fs, ids, 1), 4u);
	KUNIT_EXPECT_EQ(test, sealfs_map_srv_addr(fs, 20, &a), 0);
	KUNIT_EXPECT_EQ(test, ntohl(a.sin.sin_addr.s_addr), 0x0a000014u);
	KUNIT_EXPECT_EQ(test, ntohs(a.sin.sin_port), 7020);
	KUNIT_EXPECT_EQ(test, sealfs_map_srv_addr(fs, 40, &a), -ENXIO);
	KUNIT_EXPECT_EQ(test, sealfs_map_srv_addr(fs, 50, &a), -ENXIO);
}

static void map_t_missing_volume_test(struct kunit *test)
{
	const struct map_t_vol v[] = {
		{ "vol", 3, 1 << 16, 0, 0, SEALFS_VOL_ACTIVE },
		{ "vol12", 4, 1 << 16, 0, 0, SEALFS_VOL_ACTIVE },
	};
	struct sealfs_map *map;

	KUNIT_EXPECT_EQ(test, map_t_parse(test, 1, map_t_three, 3, v,
					  ARRAY_SIZE(v), &map), -ENOENT);
	KUNIT_EXPECT_EQ(test, map_t_parse(test, 1, map_t_three, 3, NULL, 0,
					  &map), -ENOENT);
	KUNIT_EXPECT_EQ(test, map_t_parse(test, 1, NULL, 0, NULL, 0, &map),
			-ENOENT);
}

static void map_t_deleting_volume_test(struct kunit *test)
{
	struct map_t_vol v[] = { map_t_vol1, map_t_vol1 };
	struct sealfs_map *map;

	v[0].state = SEALFS_VOL_DELETING;
	KUNIT_EXPECT_EQ(test, map_t_parse(test, 1, map_t_three, 3, v, 1, &map),
			-ENOENT);

	/* Deleted and created again: the active one counts. */
	v[1].id = 12;
	KUNIT_ASSERT_EQ(test, map_t_parse(test, 1, map_t_three, 3, v, 2, &map),
			0);
	KUNIT_EXPECT_EQ(test, map->vol, 12u);
	sealfs_map_free(map);
}

static void map_t_bad_chunk_test(struct kunit *test)
{
	static const u32 bad[] = { 0, 1, 3000, PAGE_SIZE / 2, PAGE_SIZE + 1,
				   (1u << 20) + 4096, 0x80000001u };
	struct map_t_vol v = map_t_vol1;
	struct sealfs_map *map;
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		v.chunk = bad[i];
		KUNIT_EXPECT_EQ_MSG(test, map_t_parse(test, 1, map_t_three, 3,
						      &v, 1, &map), -EPROTO,
				    "chunk size %u", bad[i]);
	}
}

static void map_t_duplicate_server_test(struct kunit *test)
{
	const struct map_t_srv s[] = {
		map_t_three[0], map_t_three[1], map_t_three[2], map_t_three[1],
	};
	struct sealfs_map *map;

	KUNIT_EXPECT_EQ(test, map_t_parse(test, 1, s, ARRAY_SIZE(s),
					  &map_t_vol1, 1, &map), -EPROTO);
}

static void map_t_owner_test(struct kunit *test)
{
	struct sealfs_fs *fs = test->priv;
	struct sealfs_place_server ps[ARRAY_SIZE(map_t_three)];
	unsigned int hits[4] = {}, i;
	struct sealfs_ring ring;
	struct sealfs_map *map;
	u64 epoch;

	for (i = 0; i < ARRAY_SIZE(map_t_three); i++) {
		ps[i].id = map_t_three[i].id;
		ps[i].weight = map_t_three[i].weight;
	}
	KUNIT_ASSERT_EQ(test, sealfs_ring_build(&ring, ps, ARRAY_SIZE(ps)), 0);
	if (map_t_parse(test, 5, map_t_three, ARRAY_SIZE(map_t_three),
			&map_t_vol1, 1, &map)) {
		KUNIT_FAIL(test, "map not built");
		sealfs_ring_destroy(&ring);
		return;
	}
	mutex_lock(&fs->map_lock);
	sealfs_map_install(fs, map);
	mutex_unlock(&fs->map_lock);
	for (i = 0; i < 1000; i++) {
		u64 key = sealfs_key_inode(map_t_vol1.id, i + 1);
		u32 id = sealfs_map_owner(fs, key, &epoch);

		KUNIT_EXPECT_EQ(test, epoch, 5ull);
		KUNIT_EXPECT_EQ(test, id, sealfs_ring_owner(&ring, key));
		KUNIT_EXPECT_EQ(test, id, sealfs_ring_owner(&map->ring, key));
		/* 40 has weight 0: it takes no keys. */
		KUNIT_EXPECT_NE(test, id, 40u);
		if (id % 10 == 0 && id >= 10 && id <= 40)
			hits[id / 10 - 1]++;
	}
	KUNIT_EXPECT_GT(test, hits[0], 0u);
	KUNIT_EXPECT_GT(test, hits[1], 0u);
	KUNIT_EXPECT_GT(test, hits[2], 0u);
	KUNIT_EXPECT_EQ(test, hits[0] + hits[1] + hits[2], 1000u);
	sealfs_ring_destroy(&ring);
}

/* Builds and installs a map; returns whether it was installed. */
static bool map_t_install(struct kunit *test, u64 epoch, unsigned int ns,
			  const struct map_t_vol *v)
{
	struct sealfs_fs *fs = test->priv;
	struct sealfs_map *map;
	bool installed;

	if (map_t_parse(test, epoch, map_t_three, ns, v, 1, &map)) {
		KUNIT_FAIL(test, "map of epoch %llu not built", epoch);
		return false;
	}
	mutex_lock(&fs->map_lock);
	installed = sealfs_map_install(fs, map);
	mutex_unlock(&fs->map_lock);
	return installed;
}

static void map_t_epoch_test(struct kunit *test)
{
	struct sealfs_fs *fs = test->priv;
	struct map_t_vol v = map_t_vol1;
	struct sealfs_map *cur;

	KUNIT_EXPECT_EQ(test, sealfs_map_epoch(fs), 0ull);
	KUNIT_EXPECT_TRUE(test, map_t_install(test, 5, 2, &v));
	KUNIT_EXPECT_EQ(test, sealfs_map_epoch(fs), 5ull);
	cur = rcu_dereference_protected(fs->map, true);

	/* Not newer: ignored, whatever it holds. */
	KUNIT_EXPECT_FALSE(test, map_t_install(test, 5, 3, &v));
	KUNIT_EXPECT_FALSE(test, map_t_install(test, 4, 3, &v));
	KUNIT_EXPECT_PTR_EQ(test, rcu_dereference_protected(fs->map, true), cur);
	KUNIT_EXPECT_EQ(test, cur->nsrv, 2u);

	/* Newer: replaces the map. */
	KUNIT_EXPECT_TRUE(test, map_t_install(test, 6, 3, &v));
	KUNIT_EXPECT_EQ(test, sealfs_map_epoch(fs), 6ull);
	cur = rcu_dereference_protected(fs->map, true);
	KUNIT_EXPECT_EQ(test, cur->nsrv, 3u);

	/* Newer, but the volume was re-created or changed its chunk size:
	 * the mount keeps its map.
	 */
	v.id = 10;
	KUNIT_EXPECT_FALSE(test, map_t_install(test, 7, 3, &v));
	v.id = map_t_vol1.id;
	v.chunk = 1 << 16;
	KUNIT_EXPECT_FALSE(test, map_t_install(test, 8, 3, &v));
	KUNIT_EXPECT_EQ(test, sealfs_map_epoch(fs), 6ull);
	KUNIT_EXPECT_PTR_EQ(test, rcu_dereference_protected(fs->map, true), cur);

	v = map_t_vol1;
	KUNIT_EXPECT_TRUE(test, map_t_install(test, 100, 1, &v));
	KUNIT_EXPECT_EQ(test, sealfs_map_epoch(fs), 100ull);
}

static struct kunit_case sealfs_map_cases[] = {
	KUNIT_CASE(map_t_volume_test),
	KUNIT_CASE(map_t_servers_test),
	KUNIT_CASE(map_t_missing_volume_test),
	KUNIT_CASE(map_t_deleting_volume_test),
	KUNIT_CASE(map_t_bad_chunk_test),
	KUNIT_CASE(map_t_duplicate_server_test),
	KUNIT_CASE(map_t_owner_test),
	KUNIT_CASE(map_t_epoch_test),
	{}
};

static struct kunit_suite sealfs_map_suite = {
	.name = "sealfs_map",
	.init = map_t_init,
	.exit = map_t_exit,
	.test_cases = sealfs_map_cases,
};

kunit_test_suite(sealfs_map_suite);
