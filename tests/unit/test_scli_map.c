// SPDX-License-Identifier: Apache-2.0
/*
 * Unit tests for utils/lib/scli_map.c: decoding MAP_GET replies built with
 * the shared codec (fields, volume lookup by name, the checks the codec
 * leaves to the receiver), and routing: the client's owner of every entry,
 * inode and chunk key is the one the server's own map code computes from
 * the same reply (server/ssrv_map.c), with down and zero-weight servers.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "scli.h"
#include "sealfs_codec.h"
#include "server/ssrv.h"

#define BUFSZ	65536

struct tsrv {
	u32 id, weight, state;
	u16 family;
	u8 ip[16];
	u16 port;
};

struct tvol {
	u32 id, chunk, state;
	u64 qb, qi;
	const char *name;
};

/* A MAP_GET reply: servers and volumes in the given order (kinds mixed). */
struct tmap {
	u8 raw[BUFSZ];
	struct sealfs_hdr_info h;
	struct sealfs_msg m;
};

static void put_srv(struct sealfs_buf *b, const struct tsrv *s)
{
	struct sealfs_map_server w = {
		.id = cpu_to_le32(s->id), .weight = cpu_to_le32(s->weight),
		.state = cpu_to_le32(s->state),
	};

	w.uuid[0] = (u8)s->id;
	w.addr[SEALFS_TRANSPORT_TCP].family = cpu_to_le16(s->family);
	w.addr[SEALFS_TRANSPORT_TCP].port = cpu_to_le16(s->port);
	memcpy(w.addr[SEALFS_TRANSPORT_TCP].addr, s->ip, 16);
	sealfs_msg_put_rec(b, SEALFS_REC_MAP_SERVER, &w, sizeof(w), NULL, 0);
}

static void put_vol(struct sealfs_buf *b, const struct tvol *v)
{
	struct sealfs_map_volume w = {
		.id = cpu_to_le32(v->id), .chunk_size = cpu_to_le32(v->chunk),
		.quota_bytes = cpu_to_le64(v->qb), .quota_inodes = cpu_to_le64(v->qi),
		.state = cpu_to_le32(v->state), .name_len = cpu_to_le16(strlen(v->name)),
	};

	sealfs_msg_put_rec(b, SEALFS_REC_MAP_VOLUME, &w, sizeof(w), v->name,
			   strlen(v->name));
}

/* @order: 's' or 'v' per record, taking the next server or volume. */
static void build(struct tmap *t, u64 epoch, const struct tsrv *srv,
		  const struct tvol *vol, const char *order)
{
	struct sealfs_map_rep rep = {
		.epoch = cpu_to_le64(epoch), .count = cpu_to_le32(strlen(order)),
	};
	struct sealfs_hdr_info h = {
		.opcode = SEALFS_OP_MAP_GET, .flags = SEALFS_HF_REPLY, .epoch = epoch,
	};
	struct sealfs_buf b;
	const char *o;

	sealfs_buf_init(&b, t->raw, sizeof(t->raw));
	sealfs_msg_start(&b);
	sealfs_buf_put(&b, &rep, sizeof(rep));
	for (o = order; *o; o++) {
		if (*o == 's')
			put_srv(&b, srv++);
		else
			put_vol(&b, vol++);
	}
	assert_int_equal(sealfs_msg_end(&b, &h, 0), 0);
	assert_int_equal(sealfs_hdr_decode(t->raw, SEALFS_MAX_PAYLOAD, &t->h), 0);
	assert_int_equal(sealfs_msg_parse(&t->h, t->raw + SEALFS_HDR_SIZE, t->h.len,
					  &t->m), 0);
}

static const struct tsrv three[] = {
	{ 1, 100, SEALFS_SRV_UP, SEALFS_AF_INET, { 127, 0, 0, 1 }, 7421 },
	{ 2, 200, SEALFS_SRV_DOWN, SEALFS_AF_INET, { 10, 1, 2, 3 }, 7422 },
	{ 5, 0, SEALFS_SRV_UP, SEALFS_AF_INET6, { [15] = 1 }, 7423 },
	{ 9, 50, SEALFS_SRV_UP, SEALFS_AF_INET, { 192, 168, 0, 9 }, 9000 },
};

static const struct tvol two[] = {
	{ 3, 65536, SEALFS_VOL_ACTIVE, 1 << 30, 1000, "vol1" },
	{ 4, 1 << 20, SEALFS_VOL_DELETING, 0, 0, "old" },
};

static void test_decode_fields(void **state)
{
	static struct tmap t;
	const struct scli_map_vol *v;
	const struct scli_map_srv *s;
	struct scli_map *map;
	char addr[80];

	(void)state;
	build(&t, 42, three, two, "ssssvv");
	assert_int_equal(scli_map_decode(&t.m, &map), 0);
	assert_true(map->epoch == 42);
	assert_int_equal(map->nsrv, 4);
	assert_int_equal(map->nvol, 2);
	s = scli_map_srv(map, 2);
	assert_non_null(s);
	assert_int_equal(s->weight, 200);
	assert_int_equal(s->state, SEALFS_SRV_DOWN);
	assert_int_equal(s->uuid[0], 2);
	assert_null(scli_map_srv(map, 3));
	assert_int_equal(scli_addr_text(&s->addr[SEALFS_TRANSPORT_TCP], addr, sizeof(addr)), 0);
	assert_string_equal(addr, "10.1.2.3:7422");
	assert_int_equal(scli_addr_text(&scli_map_srv(map, 5)->addr[SEALFS_TRANSPORT_TCP],
					addr, sizeof(addr)), 0);
	assert_string_equal(addr, "[::1]:7423");
	assert_int_equal(scli_addr_text(&s->addr[SEALFS_TRANSPORT_RDMA], addr, sizeof(addr)),
			 -EADDRNOTAVAIL);
	v = scli_map_vol(map, "vol1");
	assert_non_null(v);
	assert_int_equal(v->id, 3);
	assert_int_equal(v->chunk_size, 65536);
	assert_true(v->quota_bytes == 1 << 30 && v->quota_inodes == 1000);
	assert_int_equal(v->state, SEALFS_VOL_ACTIVE);
	v = scli_map_vol(map, "old");
	assert_non_null(v);
	assert_int_equal(v->state, SEALFS_VOL_DELETING);
	assert_null(scli_map_vol(map, "vol"));
	assert_null(scli_map_vol(map, "vol11"));
	/* Weight 0 takes no keys; down servers keep theirs. */
	assert_int_equal(map->ring.npoints, sealfs_ring_vnodes(100) + sealfs_ring_vnodes(200) +
			 sealfs_ring_vnodes(50));
	scli_map_free(map);
}

/* Every key routes to the server the servers' own map code picks. */
static void test_owners_match_server(void **state)
{
	static struct tmap t;
	struct scli_map *map;
	struct ssrv_map *sm;
	u32 i, hits[10] = { 0 };
	char name[32];

	(void)state;
	build(&t, 7, three, two, "ssssvv");
	assert_int_equal(scli_map_decode(&t.m, &map), 0);
	assert_int_equal(ssrv_map_decode(&t.m, &sm), 0);
	for (i = 0; i < 20000; i++) {
		u64 ino = 0x1000 + i * 7919ull;
		u32 o;

		snprintf(name, sizeof(name), "f%u", i);
		o = scli_owner_entry(map, 3, i % 5 + 1, name);
		assert_int_equal(o, ssrv_map_owner(sm, sealfs_key_entry(3, i % 5 + 1,
								    (const u8 *)name, strlen(name))));
		hits[o]++;
		assert_int_equal(scli_owner_inode(map, 3, ino),
				 ssrv_map_owner(sm, sealfs_key_inode(3, ino)));
		assert_int_equal(scli_owner_chunk(map, 3, 65536, ino, i * 40000ull),
				 ssrv_map_owner(sm, sealfs_key_chunk(3, ino, i * 40000ull / 65536)));
	}
	/* All weighted servers, up or down, own keys; the unweighted none. */
	assert_true(hits[1] > 0 && hits[2] > 0 && hits[9] > 0);
	assert_int_equal(hits[5], 0);
	assert_true(hits[2] > hits[1] && hits[1] > hits[9]);
	ssrv_map_put(sm);
	scli_map_free(map);
}

static void test_chunk_routing(void **state)
{
	static struct tmap t;
	struct scli_map *map;
	u32 c;

	(void)state;
	build(&t, 7, three, two, "ssssvv");
	assert_int_equal(scli_map_decode(&t.m, &map), 0);
	for (c = 0; c < 64; c++) {
		u64 base = (u64)c << 16;
		u32 o = scli_map_owner(map, sealfs_key_chunk(3, 77, c));

		/* Every offset of a chunk goes to the chunk's owner. */
		assert_int_equal(scli_owner_chunk(map, 3, 65536, 77, base), o);
		assert_int_equal(scli_owner_chunk(map, 3, 65536, 77, base + 65535), o);
		assert_int_equal(scli_owner_chunk(map, 3, 65536, 77, base + 4096), o);
	}
	scli_map_free(map);
}

static void test_empty_map(void **state)
{
	static struct tmap t;
	struct scli_map *map;

	(void)state;
	build(&t, 1, NULL, NULL, "");
	assert_int_equal(scli_map_decode(&t.m, &map), 0);
	assert_int_equal(map->nsrv, 0);
	assert_int_equal(scli_owner_inode(map, 1, 1), 0);
	assert_null(scli_map_vol(map, "vol1"));
	scli_map_free(map);
}

static void expect_eproto(const struct tsrv *srv, const struct tvol *vol,
			  const char *order)
{
	static struct tmap t;
	struct scli_map *map = NULL;

	build(&t, 3, srv, vol, order);
	assert_int_equal(scli_map_decode(&t.m, &map), -EPROTO);
	assert_null(map);
}

static void test_rejects(void **state)
{
	struct tsrv s[2] = { three[0], three[3] };
	struct tvol v[2] = { two[0], two[1] };

	(void)state;
	/* servers after volumes */
	expect_eproto(s, v, "svs");
	/* duplicate ids */
	s[1].id = s[0].id;
	expect_eproto(s, v, "ss");
	s[1] = three[3];
	v[1].id = v[0].id;
	expect_eproto(s, v, "svv");
	v[1] = two[1];
	/* server id 0, unknown states, weight above the maximum */
	s[0].id = 0;
	expect_eproto(s, v, "s");
	s[0] = three[0];
	s[0].state = 3;
	expect_eproto(s, v, "s");
	s[0] = three[0];
	s[0].weight = SEALFS_WEIGHT_MAX + 1;
	expect_eproto(s, v, "s");
	s[0] = three[0];
	/* IPv4 with bytes past the address, unknown family */
	s[0].ip[5] = 1;
	expect_eproto(s, v, "s");
	s[0] = three[0];
	s[0].family = 5;
	expect_eproto(s, v, "s");
	s[0] = three[0];
	/* chunk size not a power of two, zero; volume state; volume id 0 */
	v[0].chunk = 65536 + 4096;
	expect_eproto(s, v, "sv");
	v[0].chunk = 0;
	expect_eproto(s, v, "sv");
	v[0] = two[0];
	v[0].state = 0;
	expect_eproto(s, v, "sv");
	v[0] = two[0];
	v[0].id = 0;
	expect_eproto(s, v, "sv");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_decode_fields),
		cmocka_unit_test(test_owners_match_server),
		cmocka_unit_test(test_chunk_routing),
		cmocka_unit_test(test_empty_map),
		cmocka_unit_test(test_rejects),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
