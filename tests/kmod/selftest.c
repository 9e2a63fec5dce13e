// SPDX-License-Identifier: GPL-2.0-only
/*
 * sealfs_selftest.ko: checks the kernel build of common/ (the kernel's
 * xxhash, sort and allocator behind the same code) against the golden
 * vectors the userspace tests check too, in tests/vectors/. Never
 * installed: the guest test tests/guest/kernel_vectors.sh loads it from
 * the build tree.
 *
 * On a kernel with KUnit the checks are a KUnit suite, "sealfs_vectors",
 * run when the module loads and reported in KTAP. Without KUnit (Debian's
 * stock kernels) loading the module runs the same checks, logs the counts
 * and refuses to load when one fails; the kernel log names each failure.
 */
#include <linux/module.h>
#include <linux/slab.h>
#if IS_ENABLED(CONFIG_KUNIT)
#include <kunit/test.h>
#endif

struct kunit;

#include "sealfs_codec.h"
#include "sealfs_placement.h"
#include "vectors/codec_vectors.h"
#include "vectors/placement_vectors.h"

/**
 * struct st_count - what a group of checks found
 * @checked: checks run
 * @failed: checks that failed
 * @test: the KUnit test the checks belong to, if any
 */
struct st_count {
	unsigned int checked;
	unsigned int failed;
	struct kunit *test;
};

static void st_result(struct st_count *c, bool ok)
{
	c->checked++;
	if (!ok)
		c->failed++;
#if IS_ENABLED(CONFIG_KUNIT)
	if (c->test)
		KUNIT_EXPECT_TRUE(c->test, ok);
#endif
}

/* Each message sits in a buffer of exactly its size, as on the wire. */
static void st_codec(struct st_count *c)
{
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(sealfs_codec_vectors); i++) {
		const struct sealfs_codec_vector *v = &sealfs_codec_vectors[i];
		struct sealfs_hdr_info h;
		struct sealfs_msg m;
		int he, pe = 0;
		u8 *msg;

		msg = kmemdup(v->msg, v->len, GFP_KERNEL);
		if (!msg) {
			st_result(c, false);
			pr_err("codec %s: out of memory\n", v->name);
			continue;
		}
		he = sealfs_hdr_decode(msg, SEALFS_MAX_PAYLOAD, &h);
		if (!he)
			pe = sealfs_msg_parse(&h, msg + SEALFS_HDR_SIZE,
					      v->len - SEALFS_HDR_SIZE, &m);
		kfree(msg);
		st_result(c, he == v->hdr_err && pe == v->parse_err);
		if (he != v->hdr_err || pe != v->parse_err)
			pr_err("codec %s (%s): got %d/%d, want %d/%d\n", v->name,
			       v->what, he, pe, v->hdr_err, v->parse_err);
	}
}

static void st_keys(struct st_count *c)
{
	unsigned int i;
	u64 got;

	for (i = 0; i < ARRAY_SIZE(sealfs_pv_entry_keys); i++) {
		const struct sealfs_pv_entry_key *k = &sealfs_pv_entry_keys[i];

		got = sealfs_key_entry(k->vol, k->parent,
				       sealfs_pv_names + k->name_off, k->name_len);
		st_result(c, got == k->hash);
		if (got != k->hash)
			pr_err("entry key %u: %016llx, want %016llx\n", i, got, k->hash);
	}
	for (i = 0; i < ARRAY_SIZE(sealfs_pv_inode_keys); i++) {
		const struct sealfs_pv_inode_key *k = &sealfs_pv_inode_keys[i];

		got = sealfs_key_inode(k->vol, k->ino);
		st_result(c, got == k->hash);
		if (got != k->hash)
			pr_err("inode key %u: %016llx, want %016llx\n", i, got, k->hash);
	}
	for (i = 0; i < ARRAY_SIZE(sealfs_pv_chunk_keys); i++) {
		const struct sealfs_pv_chunk_key *k = &sealfs_pv_chunk_keys[i];

		got = sealfs_key_chunk(k->vol, k->ino, k->chunk);
		st_result(c, got == k->hash);
		if (got != k->hash)
			pr_err("chunk key %u: %016llx, want %016llx\n", i, got, k->hash);
	}
	for (i = 0; i < ARRAY_SIZE(sealfs_pv_vnodes); i++) {
		const struct sealfs_pv_weight *w = &sealfs_pv_vnodes[i];
		u32 v = sealfs_ring_vnodes(w->weight);

		st_result(c, v == w->vnodes);
		if (v != w->vnodes)
			pr_err("vnodes(%u): %u, want %u\n", w->weight, v, w->vnodes);
	}
}

static void st_rings(struct st_count *c)
{
	struct sealfs_ring ring;
	unsigned int i, j;
	int err;

	for (i = 0; i < ARRAY_SIZE(sealfs_pv_rings); i++) {
		const struct sealfs_pv_ring *r = &sealfs_pv_rings[i];

		err = sealfs_ring_build(&ring, r->servers, r->nservers);
		st_result(c, !err && ring.npoints == r->npoints);
		if (err || ring.npoints != r->npoints) {
			pr_err("ring %s: error %d, %u points, want %u\n", r->name,
			       err, ring.npoints, r->npoints);
			continue;
		}
		for (j = 0; j < r->nowners; j++) {
			u32 owner = sealfs_ring_owner(&ring, r->owners[j].key);

			st_result(c, owner == r->owners[j].owner);
			if (owner != r->owners[j].owner)
				pr_err("ring %s: key %016llx owned by %u, want %u\n",
				       r->name, r->owners[j].key, owner,
				       r->owners[j].owner);
		}
		sealfs_ring_destroy(&ring);
	}
}

#if IS_ENABLED(CONFIG_KUNIT)

static void st_kunit_codec(struct kunit *test)
{
	struct st_count c = { .test = test };

	st_codec(&c);
	KUNIT_EXPECT_EQ(test, c.checked, ARRAY_SIZE(sealfs_codec_vectors));
}

static void st_kunit_keys(struct kunit *test)
{
	struct st_count c = { .test = test };

	st_keys(&c);
	KUNIT_EXPECT_GT(test, c.checked, 0u);
}

static void st_kunit_rings(struct kunit *test)
{
	struct st_count c = { .test = test };

	st_rings(&c);
	KUNIT_EXPECT_GT(test, c.checked, ARRAY_SIZE(sealfs_pv_rings));
}

static struct kunit_case st_cases[] = {
	KUNIT_CASE(st_kunit_codec),
	KUNIT_CASE(st_kunit_keys),
	KUNIT_CASE(st_kunit_rings),
	{}
};

static struct kunit_suite st_suite = {
	.name = "sealfs_vectors",
	.test_cases = st_cases,
};

kunit_test_suite(st_suite);

#else /* !CONFIG_KUNIT */

static int __init st_init(void)
{
	struct st_count codec = {}, keys = {}, rings = {};

	st_codec(&codec);
	st_keys(&keys);
	st_rings(&rings);
	pr_info("codec vectors: %u checked, %u failed\n", codec.checked, codec.failed);
	pr_info("placement keys: %u checked, %u failed\n", keys.checked, keys.failed);
	pr_info("placement rings: %u checked, %u failed\n", rings.checked, rings.failed);
	if (codec.failed || keys.failed || rings.failed)
		return -EINVAL;
	return 0;
}

static void __exit st_exit(void)
{
}

module_init(st_init);
module_exit(st_exit);

#endif /* CONFIG_KUNIT */

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("SealFS golden-vector checks of common/ in the kernel");
MODULE_AUTHOR("The SealFS developers");
