// SPDX-License-Identifier: Apache-2.0
/*
 * gen_placement_vectors - write the placement golden vectors
 *
 *   make build/tests/gen_placement_vectors
 *   build/tests/gen_placement_vectors > tests/vectors/placement_vectors.h
 *
 * The expected values come from common/placement.c. Before anything is
 * written, every one of them is computed a second time from the documented
 * rules alone (Documentation/placement.rst): key bytes assembled by hand and
 * hashed with XXH64(), ring owners found by a linear scan over points that
 * are never sorted. Any disagreement is an error and nothing is written, so
 * the header pins the documented placement, not whatever the code does.
 */
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <xxhash.h>

#include "sealfs_placement.h"
#include "sealfs_proto.h"

/* The documented rule, spelled out independently of sealfs_placement.h. */
#define REF_SEED		0x5365616c46533031ull	/* "SealFS01" */
#define REF_VNODES_PER_100	256u
#define REF_NAME_MAX		255u

#define OWNERS_PER_RING		64
#define MAX_NAME_BLOB		4096

static void die(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fputs("gen_placement_vectors: ", stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
	exit(1);
}

/* ---- reference implementation ------------------------------------------ */

static size_t ref_le32(uint8_t *p, uint32_t v)
{
	for (int i = 0; i < 4; i++)
		p[i] = (uint8_t)(v >> (8 * i));
	return 4;
}

static size_t ref_le64(uint8_t *p, uint64_t v)
{
	for (int i = 0; i < 8; i++)
		p[i] = (uint8_t)(v >> (8 * i));
	return 8;
}

/* tag, three zero bytes, le32 volume, le64 inode */
static size_t ref_hdr(uint8_t *p, char tag, uint32_t vol, uint64_t ino)
{
	size_t n = 0;

	p[n++] = (uint8_t)tag;
	p[n++] = 0;
	p[n++] = 0;
	p[n++] = 0;
	n += ref_le32(p + n, vol);
	n += ref_le64(p + n, ino);
	return n;
}

static uint64_t ref_key_entry(uint32_t vol, uint64_t parent,
			      const uint8_t *name, size_t len)
{
	uint8_t b[16 + REF_NAME_MAX];
	size_t n = ref_hdr(b, 'E', vol, parent);

	if (len > REF_NAME_MAX)
		die("entry name longer than %u bytes", REF_NAME_MAX);
	for (size_t i = 0; i < len; i++)
		b[n++] = name[i];
	return XXH64(b, n, REF_SEED);
}

static uint64_t ref_key_inode(uint32_t vol, uint64_t ino)
{
	uint8_t b[16];
	size_t n = ref_hdr(b, 'I', vol, ino);

	return XXH64(b, n, REF_SEED);
}

static uint64_t ref_key_chunk(uint32_t vol, uint64_t ino, uint64_t idx)
{
	uint8_t b[24];
	size_t n = ref_hdr(b, 'C', vol, ino);

	n += ref_le64(b + n, idx);
	return XXH64(b, n, REF_SEED);
}

/* round(weight * 256 / 100), at least 1 for a non-zero weight */
static uint32_t ref_vnodes(uint32_t weight)
{
	uint64_t scaled = (uint64_t)weight * REF_VNODES_PER_100;	/* x100 */
	uint64_t v = scaled / 100;

	if (scaled % 100 >= 50)
		v++;
	if (weight && !v)
		v = 1;
	return (uint32_t)v;
}

static uint64_t ref_point(uint32_t id, uint32_t i)
{
	uint8_t b[8];

	ref_le32(b, id);
	ref_le32(b + 4, i);
	return XXH64(b, sizeof(b), REF_SEED);
}

struct ref_point {
	uint64_t hash;
	uint32_t server;
};

struct ref_ring {
	struct ref_point *pt;
	size_t n;
};

static void ref_ring_build(struct ref_ring *r,
			   const struct sealfs_place_server *s, size_t ns)
{
	size_t total = 0, k = 0;

	for (size_t i = 0; i < ns; i++)
		total += ref_vnodes(s[i].weight);
	r->pt = calloc(total ? total : 1, sizeof(*r->pt));
	if (!r->pt)
		die("out of memory");
	for (size_t i = 0; i < ns; i++) {
		uint32_t v = ref_vnodes(s[i].weight);

		for (uint32_t j = 0; j < v; j++, k++) {
			r->pt[k].hash = ref_point(s[i].id, j);
			r->pt[k].server = s[i].id;
		}
	}
	r->n = total;
}

/* Is a before b in ring order (hash, then server id)? */
static int ref_before(const struct ref_point *a, const struct ref_point *b)
{
	return a->hash < b->hash || (a->hash == b->hash && a->server < b->server);
}

/*
 * First point at or after the key (lowest server id among equal hashes);
 * past the last point, wrap around to the very first one. O(points).
 */
static uint32_t ref_owner(const struct ref_ring *r, uint64_t key)
{
	const struct ref_point *at = NULL, *first = NULL;

	for (size_t i = 0; i < r->n; i++) {
		const struct ref_point *p = &r->pt[i];

		if (!first || ref_before(p, first))
			first = p;
		if (p->hash >= key && (!at || ref_before(p, at)))
			at = p;
	}
	if (!at)
		at = first;
	return at ? at->server : 0;
}

static void ref_extremes(const struct ref_ring *r, uint64_t *min, uint64_t *max)
{
	*min = UINT64_MAX;
	*max = 0;
	for (size_t i = 0; i < r->n; i++) {
		if (r->pt[i].hash < *min)
			*min = r->pt[i].hash;
		if (r->pt[i].hash > *max)
			*max = r->pt[i].hash;
	}
}

/* ---- vector inputs ------------------------------------------------------ */

static uint8_t name_blob[MAX_NAME_BLOB];
static uint32_t name_blob_len;

struct gen_entry {
	uint32_t vol;
	uint64_t parent;
	uint32_t off;
	uint32_t len;
	uint64_t hash;
};

struct gen_inode {
	uint32_t vol;
	uint64_t ino;
	uint64_t hash;
};

struct gen_chunk {
	uint32_t vol;
	uint64_t ino;
	uint64_t chunk;
	uint64_t hash;
};

static uint32_t blob_add(const uint8_t *p, uint32_t len)
{
	uint32_t off = name_blob_len;

	if (len > sizeof(name_blob) - name_blob_len)
		die("name blob full");
	memcpy(name_blob + off, p, len);
	name_blob_len += len;
	return off;
}

static uint32_t blob_add_str(const char *s)
{
	return blob_add((const uint8_t *)s, (uint32_t)strlen(s));
}

#define NENTRY 32
static struct gen_entry entries[NENTRY];
static size_t nentries;

static void add_entry(uint32_t vol, uint64_t parent, uint32_t off, uint32_t len)
{
	struct gen_entry *e;
	uint64_t ref;

	if (nentries == NENTRY)
		die("too many entry vectors");
	e = &entries[nentries++];

	e->vol = vol;
	e->parent = parent;
	e->off = off;
	e->len = len;
	e->hash = sealfs_key_entry(vol, parent, name_blob + off, len);
	ref = ref_key_entry(vol, parent, name_blob + off, len);
	if (e->hash != ref)
		die("entry key (%" PRIu32 ", %" PRIu64 ", %" PRIu32
		    " bytes): code %016" PRIx64 ", reference %016" PRIx64,
		    vol, parent, len, e->hash, ref);
}

static void make_entries(void)
{
	static const uint8_t invalid_utf8[] = { 0x80, 0xff, 0xfe, 0xc0, 0xaf, 0x7f };
	uint8_t longname[REF_NAME_MAX];
	uint32_t off;

	for (uint32_t i = 0; i < REF_NAME_MAX; i++)
		longname[i] = (uint8_t)('a' + i % 26);
	longname[REF_NAME_MAX - 1] = 'Z';

	off = blob_add_str("");
	add_entry(1, SEALFS_ROOT_INO, off, 0);		/* empty name */
	off = blob_add_str("a");
	add_entry(1, SEALFS_ROOT_INO, off, 1);
	add_entry(0, 0, off, 1);
	add_entry(0xffffffffu, UINT64_MAX, off, 1);
	off = blob_add_str("hello.txt");
	add_entry(1, SEALFS_ROOT_INO, off, 9);
	add_entry(2, SEALFS_ROOT_INO, off, 9);		/* other volume */
	add_entry(1, 0x0123456789abcdefull, off, 9);	/* byte order */
	add_entry(1, SEALFS_ROOT_INO, off, 5);		/* prefix "hello" */
	off = blob_add_str("..");
	add_entry(1, 42, off, 2);
	off = blob_add(longname, REF_NAME_MAX);
	add_entry(7, 1000, off, REF_NAME_MAX);		/* longest name */
	add_entry(7, 1000, off, REF_NAME_MAX - 1);
	off = blob_add_str("caf\xc3\xa9");		/* café, precomposed */
	add_entry(1, SEALFS_ROOT_INO, off, 5);
	off = blob_add_str("cafe\xcc\x81");		/* café, combining */
	add_entry(1, SEALFS_ROOT_INO, off, 6);
	off = blob_add_str("\xe6\x97\xa5\xe6\x9c\xac\xe8\xaa\x9e");	/* 日本語 */
	add_entry(1, 99, off, 9);
	off = blob_add_str("\xf0\x9f\x98\x80 smile");	/* U+1F600 */
	add_entry(1, 99, off, 10);
	off = blob_add(invalid_utf8, sizeof(invalid_utf8));
	add_entry(3, 0x8000000000000000ull, off, sizeof(invalid_utf8));
}

static const struct { uint32_t vol; uint64_t ino; } inode_in[] = {
	{ 0, 0 },
	{ 1, SEALFS_ROOT_INO },
	{ 1, 2 },
	{ 2, SEALFS_ROOT_INO },
	{ 1, 0x0123456789abcdefull },
	{ 1, 0x8000000000000000ull },
	{ 1, UINT64_MAX },
	{ 0xffffffffu, 12345 },
	{ 0xffffffffu, UINT64_MAX },
	{ 0x01020304u, 0x0102030405060708ull },
};

static const struct { uint32_t vol; uint64_t ino, chunk; } chunk_in[] = {
	{ 0, 0, 0 },
	{ 1, 2, 0 },
	{ 1, 2, 1 },
	{ 1, 2, 2 },
	{ 1, 2, 0x100000000ull },
	{ 1, 2, 0x8000000000000000ull },
	{ 1, 2, UINT64_MAX },
	{ 1, UINT64_MAX, UINT64_MAX },
	{ 0xffffffffu, 77, 4095 },
	{ 0x01020304u, 0x0102030405060708ull, 0x1112131415161718ull },
};

#define NINODE ARRAY_SIZE(inode_in)
#define NCHUNK ARRAY_SIZE(chunk_in)
static struct gen_inode inodes[NINODE];
static struct gen_chunk chunks[NCHUNK];

static void make_inodes(void)
{
	for (size_t i = 0; i < NINODE; i++) {
		struct gen_inode *k = &inodes[i];
		uint64_t ref;

		k->vol = inode_in[i].vol;
		k->ino = inode_in[i].ino;
		k->hash = sealfs_key_inode(k->vol, k->ino);
		ref = ref_key_inode(k->vol, k->ino);
		if (k->hash != ref)
			die("inode key (%" PRIu32 ", %" PRIu64 "): code %016"
			    PRIx64 ", reference %016" PRIx64,
			    k->vol, k->ino, k->hash, ref);
	}
}

static void make_chunks(void)
{
	for (size_t i = 0; i < NCHUNK; i++) {
		struct gen_chunk *k = &chunks[i];
		uint64_t ref;

		k->vol = chunk_in[i].vol;
		k->ino = chunk_in[i].ino;
		k->chunk = chunk_in[i].chunk;
		k->hash = sealfs_key_chunk(k->vol, k->ino, k->chunk);
		ref = ref_key_chunk(k->vol, k->ino, k->chunk);
		if (k->hash != ref)
			die("chunk key (%" PRIu32 ", %" PRIu64 ", %" PRIu64
			    "): code %016" PRIx64 ", reference %016" PRIx64,
			    k->vol, k->ino, k->chunk, k->hash, ref);
	}
}

static const uint32_t vnode_weights[] = {
	0, 1, 2, 3, 7, 10, 33, 50, 99, 100, 101, 150, 200, 333, 1000, 8400,
	9999, 10000,
};

#define NVNODES ARRAY_SIZE(vnode_weights)

static void check_vnodes(void)
{
	for (size_t i = 0; i < NVNODES; i++) {
		uint32_t w = vnode_weights[i];

		if (sealfs_ring_vnodes(w) != ref_vnodes(w))
			die("vnodes(%" PRIu32 "): code %" PRIu32 ", reference %"
			    PRIu32, w, sealfs_ring_vnodes(w), ref_vnodes(w));
	}
}

/* ---- rings -------------------------------------------------------------- */

struct gen_map {
	const char *name;
	const struct sealfs_place_server *servers;
	uint32_t nservers;
};

static const struct sealfs_place_server map_one[] = { { 1, 100 } };

static const struct sealfs_place_server map_three[] = {
	{ 1, 100 }, { 2, 100 }, { 3, 100 },
};

static const struct sealfs_place_server map_weighted[] = {
	{ 11, 0 }, { 12, 50 }, { 13, 100 }, { 14, 200 }, { 15, 10000 },
};

static const struct sealfs_place_server map_large_ids[] = {
	{ 0xffffffffu, 100 }, { 0x80000000u, 100 }, { 65536, 150 },
	{ 3, 1 }, { 1000000007u, 100 },
};

static const struct sealfs_place_server map_tiny[] = { { 9, 1 }, { 7, 1 } };

#define MAP(n, s) { n, s, ARRAY_SIZE(s) }
static const struct gen_map maps[] = {
	MAP("one server", map_one),
	MAP("three equal", map_three),
	MAP("weights 0/50/100/200/10000", map_weighted),
	MAP("large non-contiguous ids", map_large_ids),
	MAP("two servers of weight 1", map_tiny),
};

#define NMAPS ARRAY_SIZE(maps)

struct gen_owner {
	uint64_t key;
	uint32_t owner;
};

struct gen_ring {
	uint32_t npoints;
	struct gen_owner owners[OWNERS_PER_RING];
	size_t nowners;
};

static struct gen_ring rings[NMAPS];

static void add_key(struct gen_ring *g, uint64_t key)
{
	for (size_t i = 0; i < g->nowners; i++)
		if (g->owners[i].key == key)
			return;
	if (g->nowners < OWNERS_PER_RING)
		g->owners[g->nowners++].key = key;
}

/*
 * Keys for one ring: the ends of the hash space, the first and last points
 * and their neighbours (the wrap-around), each server's first point exactly
 * and one past it, then ordinary inode keys up to OWNERS_PER_RING.
 */
static void pick_keys(struct gen_ring *g, const struct gen_map *m,
		      const struct ref_ring *r)
{
	uint64_t min, max;

	add_key(g, 0);
	add_key(g, 1);
	add_key(g, 0x8000000000000000ull);
	add_key(g, UINT64_MAX - 1);
	add_key(g, UINT64_MAX);
	ref_extremes(r, &min, &max);
	add_key(g, min);
	if (min)
		add_key(g, min - 1);
	add_key(g, min + 1);
	add_key(g, max);
	add_key(g, max - 1);
	if (max != UINT64_MAX)
		add_key(g, max + 1);
	for (uint32_t i = 0; i < m->nservers; i++) {
		uint64_t p;

		if (!ref_vnodes(m->servers[i].weight))
			continue;
		p = ref_point(m->servers[i].id, 0);
		add_key(g, p);
		add_key(g, p + 1);
		if (p)
			add_key(g, p - 1);
	}
	for (uint64_t ino = 1; g->nowners < OWNERS_PER_RING; ino++)
		add_key(g, ref_key_inode(1, ino));
}

static void make_ring(struct gen_ring *g, const struct gen_map *m)
{
	struct sealfs_ring ring;
	struct ref_ring ref;
	int err;

	err = sealfs_ring_build(&ring, m->servers, m->nservers);
	if (err)
		die("%s: sealfs_ring_build: %d", m->name, err);
	ref_ring_build(&ref, m->servers, m->nservers);
	if (ring.npoints != ref.n)
		die("%s: %" PRIu32 " points, reference %zu", m->name,
		    ring.npoints, ref.n);
	g->npoints = ring.npoints;
	pick_keys(g, m, &ref);
	for (size_t i = 0; i < g->nowners; i++) {
		struct gen_owner *o = &g->owners[i];
		uint32_t want = ref_owner(&ref, o->key);

		o->owner = sealfs_ring_owner(&ring, o->key);
		if (o->owner != want)
			die("%s: key %016" PRIx64 ": owner %" PRIu32
			    ", reference %" PRIu32, m->name, o->key, o->owner,
			    want);
	}
	free(ref.pt);
	sealfs_ring_destroy(&ring);
}

/* ---- output ------------------------------------------------------------- */

static const char prologue[] =
"/* SPDX-License-Identifier: GPL-2.0-only OR Apache-2.0 */\n"
"/*\n"
" * SealFS placement golden vectors. Generated by\n"
" * tests/tools/gen_placement_vectors.c; do not edit, regenerate:\n"
" *\n"
" *   make build/tests/gen_placement_vectors\n"
" *   build/tests/gen_placement_vectors > tests/vectors/placement_vectors.h\n"
" *\n"
" * Every value was computed by common/placement.c and again, independently,\n"
" * from the rules in Documentation/placement.rst. Userspace and kernel tests\n"
" * both check common/ against these tables; the header needs only u8, u32,\n"
" * u64 and struct sealfs_place_server, so it builds in either environment.\n"
" */\n"
"#ifndef SEALFS_PLACEMENT_VECTORS_H\n"
"#define SEALFS_PLACEMENT_VECTORS_H\n"
"\n"
"#include \"sealfs_placement.h\"\n"
"\n"
"/* sealfs_key_entry(vol, parent, sealfs_pv_names + name_off, name_len) */\n"
"struct sealfs_pv_entry_key {\n"
"\tu32 vol;\n"
"\tu64 parent;\n"
"\tu32 name_off;\n"
"\tu32 name_len;\n"
"\tu64 hash;\n"
"};\n"
"\n"
"/* sealfs_key_inode(vol, ino) */\n"
"struct sealfs_pv_inode_key {\n"
"\tu32 vol;\n"
"\tu64 ino;\n"
"\tu64 hash;\n"
"};\n"
"\n"
"/* sealfs_key_chunk(vol, ino, chunk) */\n"
"struct sealfs_pv_chunk_key {\n"
"\tu32 vol;\n"
"\tu64 ino;\n"
"\tu64 chunk;\n"
"\tu64 hash;\n"
"};\n"
"\n"
"/* sealfs_ring_vnodes(weight) */\n"
"struct sealfs_pv_weight {\n"
"\tu32 weight;\n"
"\tu32 vnodes;\n"
"};\n"
"\n"
"/* sealfs_ring_owner(ring, key) */\n"
"struct sealfs_pv_owner {\n"
"\tu64 key;\n"
"\tu32 owner;\n"
"};\n"
"\n"
"/* a cluster map, the size of its ring and owners of keys on it */\n"
"struct sealfs_pv_ring {\n"
"\tconst char *name;\n"
"\tconst struct sealfs_place_server *servers;\n"
"\tu32 nservers;\n"
"\tu32 npoints;\n"
"\tconst struct sealfs_pv_owner *owners;\n"
"\tu32 nowners;\n"
"};\n";

static void print_names(void)
{
	printf("\n/* entry names, back to back; name_off and name_len index this */\n");
	printf("static const u8 sealfs_pv_names[%" PRIu32 "] = {", name_blob_len);
	for (uint32_t i = 0; i < name_blob_len; i++)
		printf("%s0x%02x,", i % 12 ? " " : "\n\t", name_blob[i]);
	printf("\n};\n");
}

/* The name of an entry vector as a comment: printable ASCII or \xNN. */
static void print_name_comment(const struct gen_entry *e)
{
	const uint8_t *p = name_blob + e->off;

	if (e->len > 32) {
		printf("\t/* %" PRIu32 " bytes */\n", e->len);
		return;
	}
	printf("\t/* \"");
	for (uint32_t i = 0; i < e->len; i++) {
		if (p[i] >= 0x20 && p[i] < 0x7f && p[i] != '\\' &&
		    p[i] != '"' && p[i] != '*' && p[i] != '/')
			putchar(p[i]);
		else
			printf("\\x%02x", p[i]);
	}
	printf("\" */\n");
}

static void print_keys(void)
{
	printf("\nstatic const struct sealfs_pv_entry_key sealfs_pv_entry_keys[%zu] = {\n",
	       nentries);
	for (size_t i = 0; i < nentries; i++) {
		print_name_comment(&entries[i]);
		printf("\t{ %" PRIu32 "u, 0x%016" PRIx64 "ull, %" PRIu32 ", %" PRIu32
		       ", 0x%016" PRIx64 "ull },\n", entries[i].vol,
		       entries[i].parent, entries[i].off, entries[i].len,
		       entries[i].hash);
	}
	printf("};\n");

	printf("\nstatic const struct sealfs_pv_inode_key sealfs_pv_inode_keys[%zu] = {\n",
	       NINODE);
	for (size_t i = 0; i < NINODE; i++)
		printf("\t{ %" PRIu32 "u, 0x%016" PRIx64 "ull, 0x%016" PRIx64
		       "ull },\n", inodes[i].vol, inodes[i].ino, inodes[i].hash);
	printf("};\n");

	printf("\nstatic const struct sealfs_pv_chunk_key sealfs_pv_chunk_keys[%zu] = {\n",
	       NCHUNK);
	for (size_t i = 0; i < NCHUNK; i++)
		printf("\t{ %" PRIu32 "u, 0x%016" PRIx64 "ull, 0x%016" PRIx64
		       "ull, 0x%016" PRIx64 "ull },\n", chunks[i].vol,
		       chunks[i].ino, chunks[i].chunk, chunks[i].hash);
	printf("};\n");
}

static void print_vnodes(void)
{
	printf("\nstatic const struct sealfs_pv_weight sealfs_pv_vnodes[%zu] = {\n",
	       NVNODES);
	for (size_t i = 0; i < NVNODES; i++)
		printf("\t{ %" PRIu32 ", %" PRIu32 " },\n", vnode_weights[i],
		       ref_vnodes(vnode_weights[i]));
	printf("};\n");
}

static void print_ring(size_t r)
{
	const struct gen_map *m = &maps[r];
	const struct gen_ring *g = &rings[r];

	printf("\n/* %s: %" PRIu32 " points */\n", m->name, g->npoints);
	printf("static const struct sealfs_place_server sealfs_pv_ring%zu_servers[%"
	       PRIu32 "] = {\n", r, m->nservers);
	for (uint32_t i = 0; i < m->nservers; i++)
		printf("\t{ %" PRIu32 "u, %" PRIu32 " },\n", m->servers[i].id,
		       m->servers[i].weight);
	printf("};\n\n");
	printf("static const struct sealfs_pv_owner sealfs_pv_ring%zu_owners[%zu] = {\n",
	       r, g->nowners);
	for (size_t i = 0; i < g->nowners; i++)
		printf("\t{ 0x%016" PRIx64 "ull, %" PRIu32 "u },\n",
		       g->owners[i].key, g->owners[i].owner);
	printf("};\n");
}

static void print_rings(void)
{
	for (size_t r = 0; r < NMAPS; r++)
		print_ring(r);
	printf("\nstatic const struct sealfs_pv_ring sealfs_pv_rings[%zu] = {\n",
	       NMAPS);
	for (size_t r = 0; r < NMAPS; r++)
		printf("\t{ \"%s\", sealfs_pv_ring%zu_servers, %" PRIu32 ", %" PRIu32
		       ",\n\t  sealfs_pv_ring%zu_owners, %zu },\n", maps[r].name, r,
		       maps[r].nservers, rings[r].npoints, r, rings[r].nowners);
	printf("};\n");
}

int main(void)
{
	make_entries();
	make_inodes();
	make_chunks();
	check_vnodes();
	for (size_t r = 0; r < NMAPS; r++)
		make_ring(&rings[r], &maps[r]);

	fputs(prologue, stdout);
	print_names();
	print_keys();
	print_vnodes();
	print_rings();
	printf("\n#endif /* SEALFS_PLACEMENT_VECTORS_H */\n");
	if (fflush(stdout) || ferror(stdout))
		die("write error");
	return 0;
}
