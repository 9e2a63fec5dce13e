// SPDX-License-Identifier: Apache-2.0
/*
 * Unit tests for common/placement.c: the golden vectors shared with the
 * kernel, the ring's contract (errors, limits, ordering, ties), and the
 * statistical properties consistent hashing promises (balance, weights,
 * minimal movement) measured over one million inode keys.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include <xxhash.h>

#include "sealfs_placement.h"
#include "sealfs_proto.h"
#include "vectors/placement_vectors.h"

#define NKEYS		1000000u
#define VOL		1u

/*
 * Bounds for the statistical tests, all in thousandths. The keys and the
 * ring are deterministic, so each test measures one fixed value; the
 * values measured when these bounds were set are in the comments. With
 * 256 points per nominal server a server's share has a relative standard
 * deviation of about 1/sqrt(256) = 6 %; the bounds sit about four of
 * those from the ideal, so they fail on a real regression (fewer points,
 * a biased hash, a broken wrap-around) and not on a harmless change of
 * seed or key set.
 */
#define BAL_MAX_MILLI		1250	/* max/mean, 10 equal: measured 1.104 */
#define BAL_MIN_MILLI		750	/* min/mean, 10 equal: measured 0.896 */
#define WEIGHT_RATIO_LO		1700	/* mean keys(200)/keys(100): measured 2.018 */
#define WEIGHT_RATIO_HI		2300
#define WEIGHT_SPREAD_MILLI	1500	/* min keys(200)/max keys(100): 1.742 */
#define JOIN_LO_MILLI		60	/* 10 -> 11: ideal 90.9, measured 97.5 */
#define JOIN_HI_MILLI		125
#define LEAVE_LO_MILLI		65	/* 10 -> 9: ideal 100, measured 89.6 */
#define LEAVE_HI_MILLI		135

static u64 *keys;	/* sealfs_key_inode(VOL, 1..NKEYS), set up once */

/* ---- helpers ------------------------------------------------------------ */

static void ring_build_ok(struct sealfs_ring *r,
			  const struct sealfs_place_server *s, u32 n)
{
	assert_int_equal(sealfs_ring_build(r, s, n), 0);
}

/* A failed or empty build must leave the ring empty, whatever was in it. */
static void ring_build_fails(const struct sealfs_place_server *s, u32 n,
			     int want)
{
	struct sealfs_ring_point junk;
	struct sealfs_ring r = { .points = &junk, .npoints = 77 };

	assert_int_equal(sealfs_ring_build(&r, s, n), want);
	assert_null(r.points);
	assert_int_equal(r.npoints, 0);
}

/* A valid map: builds, has points, releases cleanly. */
static void ring_build_succeeds(const struct sealfs_place_server *s, u32 n)
{
	struct sealfs_ring r;

	ring_build_ok(&r, s, n);
	assert_non_null(r.points);
	assert_true(r.npoints > 0);
	sealfs_ring_destroy(&r);
}

static void owners_of_keys(const struct sealfs_ring *r, u32 *owner)
{
	for (u32 i = 0; i < NKEYS; i++)
		owner[i] = sealfs_ring_owner(r, keys[i]);
}

static u32 *alloc_owners(void)
{
	u32 *o = malloc(NKEYS * sizeof(*o));

	assert_non_null(o);
	return o;
}

/* ids 1..n, all of weight w */
static void servers_equal(struct sealfs_place_server *s, u32 n, u32 w)
{
	for (u32 i = 0; i < n; i++) {
		s[i].id = i + 1;
		s[i].weight = w;
	}
}

/* Point i of server id, from the documented rule, not from placement.c. */
static u64 doc_point_hash(u32 id, u32 i)
{
	u8 b[8] = {
		(u8)id, (u8)(id >> 8), (u8)(id >> 16), (u8)(id >> 24),
		(u8)i, (u8)(i >> 8), (u8)(i >> 16), (u8)(i >> 24),
	};

	return XXH64(b, sizeof(b), SEALFS_PLACE_SEED);
}

static int group_setup(void **state)
{
	(void)state;
	keys = malloc(NKEYS * sizeof(*keys));
	if (!keys)
		return -1;
	for (u32 i = 0; i < NKEYS; i++)
		keys[i] = sealfs_key_inode(VOL, (u64)i + 1);
	return 0;
}

static int group_teardown(void **state)
{
	(void)state;
	free(keys);
	keys = NULL;
	return 0;
}

/* ---- golden vectors ----------------------------------------------------- */

static void test_vectors_entry(void **state)
{
	(void)state;
	assert_true(ARRAY_SIZE(sealfs_pv_entry_keys) >= 10);
	for (size_t i = 0; i < ARRAY_SIZE(sealfs_pv_entry_keys); i++) {
		const struct sealfs_pv_entry_key *v = &sealfs_pv_entry_keys[i];

		assert_true(v->name_off + v->name_len <= sizeof(sealfs_pv_names));
		assert_int_equal(sealfs_key_entry(v->vol, v->parent,
						  sealfs_pv_names + v->name_off,
						  v->name_len), v->hash);
	}
}

static void test_vectors_inode(void **state)
{
	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(sealfs_pv_inode_keys); i++) {
		const struct sealfs_pv_inode_key *v = &sealfs_pv_inode_keys[i];

		assert_int_equal(sealfs_key_inode(v->vol, v->ino), v->hash);
	}
}

static void test_vectors_chunk(void **state)
{
	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(sealfs_pv_chunk_keys); i++) {
		const struct sealfs_pv_chunk_key *v = &sealfs_pv_chunk_keys[i];

		assert_int_equal(sealfs_key_chunk(v->vol, v->ino, v->chunk),
				 v->hash);
	}
}

static void test_vectors_vnodes(void **state)
{
	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(sealfs_pv_vnodes); i++)
		assert_int_equal(sealfs_ring_vnodes(sealfs_pv_vnodes[i].weight),
				 sealfs_pv_vnodes[i].vnodes);
}

static void test_vectors_rings(void **state)
{
	(void)state;
	for (size_t r = 0; r < ARRAY_SIZE(sealfs_pv_rings); r++) {
		const struct sealfs_pv_ring *v = &sealfs_pv_rings[r];
		struct sealfs_ring ring;

		ring_build_ok(&ring, v->servers, v->nservers);
		assert_int_equal(ring.npoints, v->npoints);
		for (u32 i = 0; i < v->nowners; i++) {
			u32 got = sealfs_ring_owner(&ring, v->owners[i].key);

			if (got != v->owners[i].owner)
				fail_msg("ring \"%s\" key %#llx: owner %u, want %u",
					 v->name,
					 (unsigned long long)v->owners[i].key,
					 got, v->owners[i].owner);
		}
		sealfs_ring_destroy(&ring);
		assert_null(ring.points);
		assert_int_equal(ring.npoints, 0);
	}
}

/* Entry keys hash at most SEALFS_NAME_MAX bytes of the name. */
static void test_entry_name_truncated(void **state)
{
	u8 name[SEALFS_NAME_MAX + 10];

	(void)state;
	memset(name, 'x', sizeof(name));
	assert_int_equal(sealfs_key_entry(1, 2, name, sizeof(name)),
			 sealfs_key_entry(1, 2, name, SEALFS_NAME_MAX));
	assert_int_not_equal(sealfs_key_entry(1, 2, name, SEALFS_NAME_MAX),
			     sealfs_key_entry(1, 2, name, SEALFS_NAME_MAX - 1));
}

/* ---- ring structure ----------------------------------------------------- */

/*
 * Every vector ring: points strictly ordered by (hash, server), each
 * server with exactly vnodes(weight) points numbered 0..v-1, each point at
 * the documented position.
 */
static void test_ring_points(void **state)
{
	(void)state;
	for (size_t r = 0; r < ARRAY_SIZE(sealfs_pv_rings); r++) {
		const struct sealfs_pv_ring *v = &sealfs_pv_rings[r];
		struct sealfs_ring ring;

		ring_build_ok(&ring, v->servers, v->nservers);
		for (u32 i = 1; i < ring.npoints; i++) {
			const struct sealfs_ring_point *a = &ring.points[i - 1];
			const struct sealfs_ring_point *b = &ring.points[i];

			assert_true(a->hash < b->hash ||
				    (a->hash == b->hash && a->server < b->server));
		}
		for (u32 s = 0; s < v->nservers; s++) {
			u32 want = sealfs_ring_vnodes(v->servers[s].weight);
			u8 *seen = calloc(want + 1, 1);
			u32 count = 0;

			assert_non_null(seen);
			for (u32 i = 0; i < ring.npoints; i++) {
				const struct sealfs_ring_point *p = &ring.points[i];

				if (p->server != v->servers[s].id)
					continue;
				assert_true(p->vnode < want);
				assert_false(seen[p->vnode]);
				seen[p->vnode] = 1;
				assert_int_equal(p->hash,
						 doc_point_hash(p->server, p->vnode));
				count++;
			}
			assert_int_equal(count, want);
			free(seen);
		}
		sealfs_ring_destroy(&ring);
	}
}

/*
 * A key at a point's hash belongs to that point, a key just past it to the
 * next point, a key past the last point to the first.
 */
static void test_owner_at_points(void **state)
{
	static const struct sealfs_place_server s[] = {
		{ 4, 100 }, { 9, 50 }, { 1000, 200 }, { 77, 1 },
	};
	struct sealfs_ring ring;

	(void)state;
	ring_build_ok(&ring, s, ARRAY_SIZE(s));
	assert_true(ring.npoints > 1);
	for (u32 i = 0; i < ring.npoints; i++) {
		const struct sealfs_ring_point *p = &ring.points[i];
		u32 next = (i + 1) % ring.npoints;

		/* no hash collisions among these few points */
		assert_true(ring.points[next].hash != p->hash);
		assert_int_equal(sealfs_ring_owner(&ring, p->hash), p->server);
		if (p->hash != UINT64_MAX)
			assert_int_equal(sealfs_ring_owner(&ring, p->hash + 1),
					 ring.points[next].server);
		if (p->hash && i > 0)
			assert_int_equal(sealfs_ring_owner(&ring, p->hash - 1),
					 p->server);
	}
	assert_int_equal(sealfs_ring_owner(&ring, 0), ring.points[0].server);
	if (ring.points[ring.npoints - 1].hash != UINT64_MAX)
		assert_int_equal(sealfs_ring_owner(&ring, UINT64_MAX),
				 ring.points[0].server);
	sealfs_ring_destroy(&ring);
}

/*
 * Equal hashes: sealfs_ring_build() orders them by server id, and a key at
 * that hash belongs to the first, i.e. the lowest id. Real collisions of
 * 64-bit hashes cannot be produced on demand, so the ring is assembled by
 * hand in the documented order.
 */
static void test_owner_ties(void **state)
{
	struct sealfs_ring_point pts[] = {
		{ 100, 5, 0 }, { 100, 7, 0 }, { 100, 9, 3 },
		{ 200, 3, 0 }, { 200, 8, 1 },
	};
	struct sealfs_ring ring = { pts, ARRAY_SIZE(pts) };

	(void)state;
	assert_int_equal(sealfs_ring_owner(&ring, 0), 5);
	assert_int_equal(sealfs_ring_owner(&ring, 99), 5);
	assert_int_equal(sealfs_ring_owner(&ring, 100), 5);
	assert_int_equal(sealfs_ring_owner(&ring, 101), 3);
	assert_int_equal(sealfs_ring_owner(&ring, 200), 3);
	assert_int_equal(sealfs_ring_owner(&ring, 201), 5);
	assert_int_equal(sealfs_ring_owner(&ring, UINT64_MAX), 5);
}

static void test_owner_empty_ring(void **state)
{
	struct sealfs_ring ring = { NULL, 0 };

	(void)state;
	assert_int_equal(sealfs_ring_owner(&ring, 0), 0);
	assert_int_equal(sealfs_ring_owner(&ring, 12345), 0);
	assert_int_equal(sealfs_ring_owner(&ring, UINT64_MAX), 0);
}

/* ---- build contract ----------------------------------------------------- */

static void test_build_empty(void **state)
{
	static const struct sealfs_place_server zero[] = {
		{ 1, 0 }, { 2, 0 }, { 3, 0 },
	};
	struct sealfs_ring ring;

	(void)state;
	ring_build_fails(NULL, 0, 0);
	ring_build_fails(zero, 0, 0);
	ring_build_fails(zero, ARRAY_SIZE(zero), 0);	/* all weights 0 */

	ring_build_ok(&ring, zero, ARRAY_SIZE(zero));
	assert_int_equal(sealfs_ring_owner(&ring, 42), 0);
	sealfs_ring_destroy(&ring);
}

static void test_build_weight_limit(void **state)
{
	struct sealfs_place_server s[] = { { 1, 100 }, { 2, SEALFS_WEIGHT_MAX } };
	struct sealfs_ring ring;

	(void)state;
	ring_build_ok(&ring, s, 2);
	assert_int_equal(ring.npoints, 256 + 25600);
	sealfs_ring_destroy(&ring);

	s[1].weight = SEALFS_WEIGHT_MAX + 1;
	ring_build_fails(s, 2, -EINVAL);
	s[1].weight = UINT32_MAX;
	ring_build_fails(s, 2, -EINVAL);
	s[0].weight = 0;		/* checked even next to a weight-0 server */
	ring_build_fails(s, 2, -EINVAL);
}

static void test_build_zero_id(void **state)
{
	struct sealfs_place_server s[] = { { 1, 100 }, { 0, 100 }, { 3, 100 } };

	(void)state;
	ring_build_fails(s, 3, -EINVAL);
	s[1].weight = 0;		/* id 0 is invalid even without points */
	ring_build_fails(s, 3, -EINVAL);
	s[1].id = 2;
	ring_build_succeeds(s, 3);
}

static void test_build_duplicate_id(void **state)
{
	struct sealfs_place_server s[] = {
		{ 5, 100 }, { 6, 100 }, { 7, 100 }, { 5, 100 },
	};

	(void)state;
	ring_build_fails(s, 4, -EINVAL);	/* same weight, apart */
	s[3].weight = 1;			/* different weights */
	ring_build_fails(s, 4, -EINVAL);
	s[3].weight = SEALFS_WEIGHT_MAX;
	ring_build_fails(s, 4, -EINVAL);
	s[3].weight = 0;			/* a copy without points */
	ring_build_fails(s, 4, -EINVAL);
	s[0].weight = 0;			/* two copies without points */
	ring_build_fails(s, 4, -EINVAL);
	s[3].id = 8;
	ring_build_succeeds(s, 4);
}

static void test_build_too_many_servers(void **state)
{
	u32 n = SEALFS_MAX_SERVERS + 1;
	struct sealfs_place_server *s = calloc(n, sizeof(*s));
	struct sealfs_ring ring;

	(void)state;
	assert_non_null(s);
	servers_equal(s, n, 1);
	ring_build_fails(s, n, -E2BIG);
	ring_build_ok(&ring, s, SEALFS_MAX_SERVERS);
	assert_int_equal(ring.npoints, SEALFS_MAX_SERVERS * sealfs_ring_vnodes(1));
	sealfs_ring_destroy(&ring);
	free(s);
}

/*
 * 163 servers of the maximum weight (25600 points each) and one of weight
 * 8400 (21504 points) fill the ring exactly; weight 8401 (21507 points)
 * is three points too many.
 */
static void test_build_too_many_points(void **state)
{
	struct sealfs_place_server s[164];
	struct sealfs_ring ring;

	(void)state;
	servers_equal(s, 164, SEALFS_WEIGHT_MAX);
	s[163].weight = 8400;
	assert_int_equal(163u * sealfs_ring_vnodes(SEALFS_WEIGHT_MAX) +
			 sealfs_ring_vnodes(8400), SEALFS_RING_MAX_POINTS);
	ring_build_ok(&ring, s, 164);
	assert_int_equal(ring.npoints, SEALFS_RING_MAX_POINTS);
	sealfs_ring_destroy(&ring);

	s[163].weight = 8401;
	ring_build_fails(s, 164, -E2BIG);
	s[163].weight = SEALFS_WEIGHT_MAX;
	ring_build_fails(s, 164, -E2BIG);
}

/* ---- vnodes ------------------------------------------------------------- */

static void test_vnodes_rounding(void **state)
{
	u32 prev = 0;

	(void)state;
	assert_int_equal(sealfs_ring_vnodes(0), 0);
	assert_int_equal(sealfs_ring_vnodes(1), 3);		/* 2.56 */
	assert_int_equal(sealfs_ring_vnodes(2), 5);		/* 5.12 */
	assert_int_equal(sealfs_ring_vnodes(3), 8);		/* 7.68 */
	assert_int_equal(sealfs_ring_vnodes(SEALFS_WEIGHT_NOMINAL),
			 SEALFS_VNODES_NOMINAL);
	assert_int_equal(sealfs_ring_vnodes(SEALFS_WEIGHT_MAX), 25600);
	/* weights above the maximum count as the maximum, never wrap */
	assert_int_equal(sealfs_ring_vnodes(SEALFS_WEIGHT_MAX + 1), 25600);
	assert_int_equal(sealfs_ring_vnodes(0xffffffffu), 25600);
	/* nearest integer to w * 2.56, never 0, never decreasing */
	for (u32 w = 1; w <= SEALFS_WEIGHT_MAX; w++) {
		u32 v = sealfs_ring_vnodes(w);
		s64 err = (s64)v * SEALFS_WEIGHT_NOMINAL -
			  (s64)w * SEALFS_VNODES_NOMINAL;

		if (err < -SEALFS_WEIGHT_NOMINAL / 2 ||
		    err > SEALFS_WEIGHT_NOMINAL / 2 || !v || v < prev)
			fail_msg("vnodes(%u) = %u", w, v);
		prev = v;
	}
}

/* ---- determinism -------------------------------------------------------- */

static u32 xorshift(u32 *x)
{
	*x ^= *x << 13;
	*x ^= *x >> 17;
	*x ^= *x << 5;
	return *x;
}

static void swap_servers(struct sealfs_place_server *a,
			 struct sealfs_place_server *b)
{
	struct sealfs_place_server t = *a;

	*a = *b;
	*b = t;
}

static void reverse_servers(struct sealfs_place_server *s, u32 n)
{
	for (u32 i = 0; i < n / 2; i++)
		swap_servers(&s[i], &s[n - 1 - i]);
}

/* Fisher-Yates */
static void shuffle_servers(struct sealfs_place_server *s, u32 n, u32 *seed)
{
	for (u32 i = n - 1; i > 0; i--)
		swap_servers(&s[i], &s[xorshift(seed) % (i + 1)]);
}

/* Any order of the same servers gives the same ring, point for point. */
static void test_build_order_independent(void **state)
{
	struct sealfs_place_server s[12];
	struct sealfs_ring ref, ring;
	u32 seed = 2463534242u;

	(void)state;
	for (u32 i = 0; i < ARRAY_SIZE(s); i++) {
		s[i].id = 1000 - 37 * i;
		s[i].weight = (i % 4) * 70;	/* includes weight 0 */
	}
	ring_build_ok(&ref, s, ARRAY_SIZE(s));
	for (int round = 0; round < 8; round++) {
		if (!round)
			reverse_servers(s, ARRAY_SIZE(s));
		else
			shuffle_servers(s, ARRAY_SIZE(s), &seed);
		ring_build_ok(&ring, s, ARRAY_SIZE(s));
		assert_int_equal(ring.npoints, ref.npoints);
		for (u32 i = 0; i < ref.npoints; i++) {
			assert_int_equal(ring.points[i].hash, ref.points[i].hash);
			assert_int_equal(ring.points[i].server, ref.points[i].server);
			assert_int_equal(ring.points[i].vnode, ref.points[i].vnode);
		}
		for (u32 i = 0; i < 10000; i++)
			assert_int_equal(sealfs_ring_owner(&ring, keys[i]),
					 sealfs_ring_owner(&ref, keys[i]));
		sealfs_ring_destroy(&ring);
	}
	sealfs_ring_destroy(&ref);
}

/* ---- balance, weights, movement ----------------------------------------- */

/* 1M keys over 10 equal servers: max/mean and min/mean within bounds. */
static void test_balance_equal(void **state)
{
	struct sealfs_place_server s[10];
	u64 count[11] = { 0 }, max = 0, min = UINT64_MAX;
	u64 mean = NKEYS / 10;
	struct sealfs_ring ring;

	(void)state;
	servers_equal(s, 10, SEALFS_WEIGHT_NOMINAL);
	ring_build_ok(&ring, s, 10);
	for (u32 i = 0; i < NKEYS; i++) {
		u32 o = sealfs_ring_owner(&ring, keys[i]);

		assert_true(o >= 1 && o <= 10);
		count[o]++;
	}
	sealfs_ring_destroy(&ring);
	for (u32 i = 1; i <= 10; i++) {
		max = count[i] > max ? count[i] : max;
		min = count[i] < min ? count[i] : min;
	}
	print_message("# balance: max/mean %.3f, min/mean %.3f\n",
		      (double)max / mean, (double)min / mean);
	if (max * 1000 > mean * BAL_MAX_MILLI || min * 1000 < mean * BAL_MIN_MILLI)
		fail_msg("max %llu, min %llu, mean %llu",
			 (unsigned long long)max, (unsigned long long)min,
			 (unsigned long long)mean);
}

/*
 * Ten servers, weights alternating 100 and 200, and one of weight 0: the
 * weight-200 servers get about twice the keys of the weight-100 ones, each
 * on average and the least loaded of them against the most loaded of the
 * others; the weight-0 server gets none.
 */
static void test_weights(void **state)
{
	struct sealfs_place_server s[11];
	u64 count[12] = { 0 }, sum100 = 0, sum200 = 0;
	u64 max100 = 0, min200 = UINT64_MAX;
	struct sealfs_ring ring;

	(void)state;
	for (u32 i = 0; i < 10; i++) {
		s[i].id = i + 1;
		s[i].weight = i % 2 ? 200 : 100;
	}
	s[10].id = 11;
	s[10].weight = 0;
	ring_build_ok(&ring, s, 11);
	for (u32 i = 0; i < NKEYS; i++)
		count[sealfs_ring_owner(&ring, keys[i])]++;
	sealfs_ring_destroy(&ring);
	assert_int_equal(count[0], 0);
	assert_int_equal(count[11], 0);
	for (u32 i = 0; i < 10; i++) {
		u64 c = count[s[i].id];

		if (s[i].weight == 200) {
			sum200 += c;
			min200 = c < min200 ? c : min200;
		} else {
			sum100 += c;
			max100 = c > max100 ? c : max100;
		}
	}
	print_message("# weights: 200/100 mean ratio %.3f, min(200)/max(100) %.3f\n",
		      (double)sum200 / sum100, (double)min200 / max100);
	if (sum200 * 1000 < sum100 * WEIGHT_RATIO_LO ||
	    sum200 * 1000 > sum100 * WEIGHT_RATIO_HI)
		fail_msg("weight 200: %llu keys, weight 100: %llu keys",
			 (unsigned long long)sum200, (unsigned long long)sum100);
	/* every 200 beats every 100 by a clear margin */
	if (min200 * 1000 < max100 * WEIGHT_SPREAD_MILLI)
		fail_msg("least loaded weight-200 server %llu, most loaded "
			 "weight-100 server %llu", (unsigned long long)min200,
			 (unsigned long long)max100);
}

/* 10 -> 11 servers: keys move only to the newcomer, about 1/11 of them. */
static void test_movement_join(void **state)
{
	struct sealfs_place_server s[11];
	u32 *before = alloc_owners(), *after = alloc_owners();
	struct sealfs_ring ring;
	u64 moved = 0;

	(void)state;
	servers_equal(s, 11, SEALFS_WEIGHT_NOMINAL);
	ring_build_ok(&ring, s, 10);
	owners_of_keys(&ring, before);
	sealfs_ring_destroy(&ring);
	ring_build_ok(&ring, s, 11);
	owners_of_keys(&ring, after);
	sealfs_ring_destroy(&ring);

	for (u32 i = 0; i < NKEYS; i++) {
		assert_true(before[i] != 11);
		if (before[i] == after[i])
			continue;
		if (after[i] != 11)
			fail_msg("key %u moved from %u to %u, not to the new "
				 "server", i, before[i], after[i]);
		moved++;
	}
	print_message("# join: %.2f%% moved, ideal %.2f%%\n",
		      100.0 * moved / NKEYS, 100.0 / 11);
	if (moved * 1000 < (u64)NKEYS * JOIN_LO_MILLI ||
	    moved * 1000 > (u64)NKEYS * JOIN_HI_MILLI)
		fail_msg("%llu of %u keys moved", (unsigned long long)moved, NKEYS);
	free(before);
	free(after);
}

/*
 * 10 -> 9 servers: exactly the keys of the server that left move, to the
 * others, and nothing else; tried for a server at each end of the list.
 */
static void check_leave(u32 gone)
{
	struct sealfs_place_server s[10], rest[9];
	u32 *before = alloc_owners(), *after = alloc_owners();
	struct sealfs_ring ring;
	u64 moved = 0, owned = 0;
	u32 k = 0;

	servers_equal(s, 10, SEALFS_WEIGHT_NOMINAL);
	for (u32 i = 0; i < 10; i++)
		if (s[i].id != gone)
			rest[k++] = s[i];
	assert_int_equal(k, 9);
	ring_build_ok(&ring, s, 10);
	owners_of_keys(&ring, before);
	sealfs_ring_destroy(&ring);
	ring_build_ok(&ring, rest, 9);
	owners_of_keys(&ring, after);
	sealfs_ring_destroy(&ring);

	for (u32 i = 0; i < NKEYS; i++) {
		assert_true(after[i] != gone);
		if (before[i] == gone)
			owned++;
		if (before[i] == after[i])
			continue;
		if (before[i] != gone)
			fail_msg("key %u moved from %u to %u though %u left",
				 i, before[i], after[i], gone);
		moved++;
	}
	assert_int_equal(moved, owned);
	print_message("# leave %u: %.2f%% moved, ideal 10%%\n", gone,
		      100.0 * moved / NKEYS);
	if (moved * 1000 < (u64)NKEYS * LEAVE_LO_MILLI ||
	    moved * 1000 > (u64)NKEYS * LEAVE_HI_MILLI)
		fail_msg("%llu of %u keys moved", (unsigned long long)moved, NKEYS);
	free(before);
	free(after);
}

static void test_movement_leave(void **state)
{
	(void)state;
	check_leave(1);
	check_leave(10);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_vectors_entry),
		cmocka_unit_test(test_vectors_inode),
		cmocka_unit_test(test_vectors_chunk),
		cmocka_unit_test(test_vectors_vnodes),
		cmocka_unit_test(test_vectors_rings),
		cmocka_unit_test(test_entry_name_truncated),
		cmocka_unit_test(test_ring_points),
		cmocka_unit_test(test_owner_at_points),
		cmocka_unit_test(test_owner_ties),
		cmocka_unit_test(test_owner_empty_ring),
		cmocka_unit_test(test_build_empty),
		cmocka_unit_test(test_build_weight_limit),
		cmocka_unit_test(test_build_zero_id),
		cmocka_unit_test(test_build_duplicate_id),
		cmocka_unit_test(test_build_too_many_servers),
		cmocka_unit_test(test_build_too_many_points),
		cmocka_unit_test(test_vnodes_rounding),
		cmocka_unit_test(test_build_order_independent),
		cmocka_unit_test(test_balance_equal),
		cmocka_unit_test(test_weights),
		cmocka_unit_test(test_movement_join),
		cmocka_unit_test(test_movement_leave),
	};

	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
