// SPDX-License-Identifier: Apache-2.0
/*
 * placement_report - how evenly placement spreads keys, how many move when
 * the cluster changes, and what the ring costs. `make placement-report`.
 *
 * For 3, 10 and 100 servers, with equal weights and with weights cycling
 * 50/100/200, over one million inode keys and one million chunk keys:
 *
 *   max/mean, min/mean  the most and least loaded server's keys divided by
 *                       its expected keys (keys * weight / total weight)
 *   join                share of keys whose owner changes when a server of
 *                       weight 100 joins, and the ideal share 100 / (W + 100)
 *   leave               share that changes when the first server leaves,
 *                       and the ideal share w / W
 *   stray               keys that moved between two servers that were both
 *                       present before and after (0 for consistent hashing)
 *   build               mean sealfs_ring_build() time
 *   lookup              mean sealfs_ring_owner() time, best of three passes
 *
 * Everything is measured when the program runs.
 */
#include <inttypes.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

#include "sealfs_placement.h"

#define NKEYS		1000000u
#define CHUNK_FILES	1000u		/* chunk keys: 1000 files x 1000 chunks */
#define VOL		1u
#define JOIN_WEIGHT	100u
#define BUILD_MIN_NS	200000000ull	/* time builds for at least 0.2 s */
#define BUILD_MIN_RUNS	5u
#define LOOKUP_PASSES	3u

/* keeps timed loops from being optimised away */
static volatile u64 sink;

static const u32 cluster_sizes[] = { 3, 10, 100 };
static const u32 mixed_weights[] = { 50, 100, 200 };

struct layout {
	const char *name;
	u32 nservers;
	int mixed;
};

struct result {
	u32 npoints;
	double max_load, min_load;
	double join_moved, join_ideal, leave_moved, leave_ideal;
	u64 stray;
	double build_us, lookup_ns;
};

static void die(const char *what, int err)
{
	fprintf(stderr, "placement_report: %s: %d\n", what, err);
	exit(1);
}

static u64 now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (u64)ts.tv_sec * 1000000000ull + (u64)ts.tv_nsec;
}

static u64 *alloc_keys(void)
{
	u64 *k = malloc(NKEYS * sizeof(*k));

	if (!k)
		die("malloc", -ENOMEM);
	return k;
}

/* ino 1..NKEYS */
static u64 *inode_keys(void)
{
	u64 *k = alloc_keys();

	for (u32 i = 0; i < NKEYS; i++)
		k[i] = sealfs_key_inode(VOL, (u64)i + 1);
	return k;
}

/* CHUNK_FILES files (ino 1..), NKEYS / CHUNK_FILES chunks each */
static u64 *chunk_keys(void)
{
	u64 *k = alloc_keys();
	u32 per_file = NKEYS / CHUNK_FILES;

	for (u32 i = 0; i < NKEYS; i++)
		k[i] = sealfs_key_chunk(VOL, i / per_file + 1, i % per_file);
	return k;
}

/* Servers are ids 1..n; a joining server gets id n + 1. */
static void make_servers(struct sealfs_place_server *s, const struct layout *l,
			 u32 n)
{
	for (u32 i = 0; i < n; i++) {
		s[i].id = i + 1;
		s[i].weight = l->mixed ?
			mixed_weights[i % ARRAY_SIZE(mixed_weights)] :
			SEALFS_WEIGHT_NOMINAL;
	}
}

static void build(struct sealfs_ring *r, const struct sealfs_place_server *s,
		  u32 n)
{
	int err = sealfs_ring_build(r, s, n);

	if (err)
		die("sealfs_ring_build", err);
}

/* owner[i] = owner of keys[i]; ids are small, so they fit in a u32 array */
static void owners(const struct sealfs_ring *r, const u64 *keys, u32 *owner)
{
	for (u32 i = 0; i < NKEYS; i++)
		owner[i] = sealfs_ring_owner(r, keys[i]);
}

static double build_time_us(const struct sealfs_place_server *s, u32 n)
{
	u64 start = now_ns(), elapsed;
	u32 runs = 0;

	do {
		struct sealfs_ring r;

		build(&r, s, n);
		sealfs_ring_destroy(&r);
		runs++;
		elapsed = now_ns() - start;
	} while (runs < BUILD_MIN_RUNS || elapsed < BUILD_MIN_NS);
	return (double)elapsed / runs / 1000.0;
}

static double lookup_time_ns(const struct sealfs_ring *r, const u64 *keys)
{
	u64 best = UINT64_MAX;

	for (u32 p = 0; p < LOOKUP_PASSES; p++) {
		u64 start = now_ns(), t;
		u32 acc = 0;

		for (u32 i = 0; i < NKEYS; i++)
			acc += sealfs_ring_owner(r, keys[i]);
		t = now_ns() - start;
		sink = acc;
		if (t < best)
			best = t;
	}
	return (double)best / NKEYS;
}

static void load(const struct sealfs_place_server *s, u32 n, const u32 *owner,
		 struct result *res)
{
	u64 *count = calloc(n + 1, sizeof(*count));
	u64 wsum = 0;

	if (!count)
		die("calloc", -ENOMEM);
	for (u32 i = 0; i < NKEYS; i++)
		count[owner[i]]++;		/* ids are 1..n */
	for (u32 i = 0; i < n; i++)
		wsum += s[i].weight;
	res->max_load = 0;
	res->min_load = 1e300;
	for (u32 i = 0; i < n; i++) {
		double expect = (double)NKEYS * s[i].weight / (double)wsum;
		double rel = (double)count[s[i].id] / expect;

		if (rel > res->max_load)
			res->max_load = rel;
		if (rel < res->min_load)
			res->min_load = rel;
	}
	free(count);
}

/*
 * Share of keys whose owner differs between @before and @after; keys that
 * moved between two servers other than @changed are counted in @stray.
 */
static double moved(const u32 *before, const u32 *after, u32 changed,
		    u64 *stray)
{
	u64 m = 0;

	for (u32 i = 0; i < NKEYS; i++) {
		if (before[i] == after[i])
			continue;
		m++;
		if (before[i] != changed && after[i] != changed)
			(*stray)++;
	}
	return (double)m / NKEYS;
}

static void measure(const struct layout *l, const u64 *keys, struct result *res)
{
	u32 n = l->nservers;
	struct sealfs_place_server *s = calloc(n + 1, sizeof(*s));
	u32 *base = malloc(NKEYS * sizeof(*base));
	u32 *other = malloc(NKEYS * sizeof(*other));
	struct sealfs_ring r;
	u64 wsum = 0;

	if (!s || !base || !other)
		die("malloc", -ENOMEM);
	make_servers(s, l, n);
	for (u32 i = 0; i < n; i++)
		wsum += s[i].weight;

	build(&r, s, n);
	res->npoints = r.npoints;
	owners(&r, keys, base);
	load(s, n, base, res);
	res->lookup_ns = lookup_time_ns(&r, keys);
	sealfs_ring_destroy(&r);
	res->build_us = build_time_us(s, n);

	res->stray = 0;
	s[n].id = n + 1;
	s[n].weight = JOIN_WEIGHT;
	build(&r, s, n + 1);
	owners(&r, keys, other);
	sealfs_ring_destroy(&r);
	res->join_moved = moved(base, other, n + 1, &res->stray);
	res->join_ideal = (double)JOIN_WEIGHT / (double)(wsum + JOIN_WEIGHT);

	/* the first server leaves */
	build(&r, s + 1, n - 1);
	owners(&r, keys, other);
	sealfs_ring_destroy(&r);
	res->leave_moved = moved(base, other, s[0].id, &res->stray);
	res->leave_ideal = (double)s[0].weight / (double)wsum;

	free(other);
	free(base);
	free(s);
}

static void table(const char *title, const u64 *keys)
{
	static const char *const names[] = { "equal", "50/100/200" };

	printf("\n%s\n", title);
	printf("%7s %-10s %6s %8s %8s %7s %7s %7s %7s %5s %9s %9s\n",
	       "servers", "weights", "points", "max/mean", "min/mean",
	       "join", "ideal", "leave", "ideal", "stray", "build_us",
	       "lookup_ns");
	for (size_t c = 0; c < ARRAY_SIZE(cluster_sizes); c++) {
		for (int mixed = 0; mixed < 2; mixed++) {
			struct layout l = { names[mixed], cluster_sizes[c], mixed };
			struct result res;

			measure(&l, keys, &res);
			printf("%7" PRIu32 " %-10s %6" PRIu32 " %8.3f %8.3f "
			       "%6.2f%% %6.2f%% %6.2f%% %6.2f%% %5llu"
			       " %9.1f %9.1f\n", l.nservers, l.name,
			       res.npoints, res.max_load, res.min_load,
			       100 * res.join_moved, 100 * res.join_ideal,
			       100 * res.leave_moved, 100 * res.leave_ideal,
			       (unsigned long long)res.stray, res.build_us, res.lookup_ns);
		}
	}
}

/* Mean time to compute one key hash of each kind. */
static void key_costs(void)
{
	static const u8 name[] = "a-typical-file-name.txt";
	u64 t0, t1, t2, t3, acc = 0;

	t0 = now_ns();
	for (u32 i = 0; i < NKEYS; i++)
		acc += sealfs_key_entry(VOL, i, name, sizeof(name) - 1);
	t1 = now_ns();
	for (u32 i = 0; i < NKEYS; i++)
		acc += sealfs_key_inode(VOL, i);
	t2 = now_ns();
	for (u32 i = 0; i < NKEYS; i++)
		acc += sealfs_key_chunk(VOL, 2, i);
	t3 = now_ns();
	sink = acc;
	printf("\nkey hash, mean ns: entry (23-byte name) %.1f, inode %.1f, "
	       "chunk %.1f\n", (double)(t1 - t0) / NKEYS,
	       (double)(t2 - t1) / NKEYS, (double)(t3 - t2) / NKEYS);
}

int main(void)
{
	u64 *keys;

	printf("SealFS placement report: %u keys per table, %ld online CPUs\n",
	       NKEYS, sysconf(_SC_NPROCESSORS_ONLN));
	printf("load is keys over expected keys (keys x weight / total weight);\n"
	       "join adds a server of weight %u, leave removes server 1\n",
	       JOIN_WEIGHT);

	keys = inode_keys();
	table("inode keys (vol 1, ino 1..1000000)", keys);
	free(keys);
	keys = chunk_keys();
	table("chunk keys (vol 1, ino 1..1000, chunk 0..999)", keys);
	free(keys);
	key_costs();
	return 0;
}
