// SPDX-License-Identifier: Apache-2.0
/*
 * ssrv tests: the request handlers of sealfs-server called directly
 * (ssrv_handle(), no sockets) on a fresh metadata and data store in
 * temporary directories: steering statuses (NOTREADY, STALE_EPOCH,
 * WRONG_OWNER, unknown volume), create/lookup/getattr/readdir, the
 * replay of an exclusive CREATE, data at true offsets with SETATTR
 * truncation, xattrs, symlinks, unlink, the byte quota, VOL_USAGE and
 * VOL_PURGE.
 */
#include <errno.h>
#include <ftw.h>
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "server/ssrv.h"

#define VOL	7
#define CHUNK	65536u
#define EPOCH	10

struct fx {
	char dir[PATH_MAX];
	char meta[PATH_MAX + 8];
	char data[PATH_MAX + 8];
	struct ssrv_core core;
	u64 next_req;
	u16 role;
};

/* A reply, parsed. */
struct rep {
	struct ssrv_rep raw;
	struct sealfs_hdr_info h;
	struct sealfs_msg m;
};

static int rm_one(const char *p, const struct stat *st, int flag, struct FTW *f)
{
	(void)st;
	(void)flag;
	(void)f;
	return remove(p);
}

static void set_map(struct fx *f, u64 epoch, u32 nsrv, u64 quota_bytes)
{
	struct ssrv_map_srv srv[2] = {
		{ .id = 1, .weight = 100, .state = SEALFS_SRV_UP },
		{ .id = 2, .weight = 100, .state = SEALFS_SRV_DOWN },
	};
	struct ssrv_map_vol vol = {
		.id = VOL, .chunk_size = CHUNK, .state = SEALFS_VOL_ACTIVE,
		.quota_bytes = quota_bytes, .name = "v",
	};
	struct ssrv_map *map;

	assert_int_equal(ssrv_map_build(epoch, srv, nsrv, &vol, 1, &map), 0);
	ssrv_core_set_map(&f->core, map);
}

static int setup(void **state)
{
	struct fx *f = calloc(1, sizeof(*f));

	assert_non_null(f);
	snprintf(f->dir, sizeof(f->dir), "/tmp/test_ssrv.XXXXXX");
	assert_non_null(mkdtemp(f->dir));
	snprintf(f->meta, sizeof(f->meta), "%s/meta", f->dir);
	snprintf(f->data, sizeof(f->data), "%s/data", f->dir);
	assert_int_equal(mkdir(f->data, 0700), 0);
	assert_int_equal(ssrv_core_init(&f->core, f->data, 0x1234), 0);
	f->next_req = 1;
	f->role = SEALFS_ROLE_CLIENT;
	*state = f;
	return 0;
}

/* Metadata open, a one-server map, the root made. */
static int setup_ready(void **state)
{
	struct fx *f;

	setup(state);
	f = *state;
	assert_int_equal(ssrv_core_open_meta(&f->core, f->meta, 1), 0);
	set_map(f, EPOCH, 1, 0);
	ssrv_core_make_roots(&f->core);
	return 0;
}

static int teardown(void **state)
{
	struct fx *f = *state;

	ssrv_core_fini(&f->core);
	nftw(f->dir, rm_one, 16, FTW_DEPTH | FTW_PHYS);
	free(f);
	return 0;
}

/*
 * Builds a request from a body and up to two tails, runs it and parses
 * the reply. @client_id 0: no replay; @req_id 0: a fresh one.
 */
static void do_req(struct fx *f, u16 op, u64 epoch, u64 client_id, u64 req_id,
		   const void *body, u32 blen, const void *t0, u32 l0,
		   const void *t1, u32 l1, struct rep *r)
{
	struct sealfs_hdr_info h = { .opcode = op, .epoch = epoch };
	static u8 mem[SEALFS_HDR_SIZE + 2 * CHUNK];
	struct ssrv_req rq = { .client_id = client_id,
			       .max_payload = SEALFS_MAX_PAYLOAD,
			       .role = f->role };
	struct sealfs_buf b;

	h.req_id = req_id ? req_id : f->next_req++;
	sealfs_buf_init(&b, mem, sizeof(mem));
	sealfs_msg_start(&b);
	sealfs_buf_put(&b, body, blen);
	sealfs_buf_put(&b, t0, l0);
	sealfs_buf_put(&b, t1, l1);
	assert_int_equal(sealfs_msg_end(&b, &h, 0), 0);
	assert_int_equal(sealfs_hdr_decode(mem, SEALFS_MAX_PAYLOAD, &rq.h), 0);
	assert_int_equal(sealfs_msg_parse(&rq.h, mem + SEALFS_HDR_SIZE, rq.h.len,
					  &rq.m), 0);
	memset(r, 0, sizeof(*r));
	assert_int_equal(ssrv_handle(&f->core, &rq, &r->raw), 0);
	assert_non_null(r->raw.msg);
	assert_int_equal(sealfs_hdr_decode(r->raw.msg, SEALFS_MAX_PAYLOAD, &r->h), 0);
	assert_int_equal(r->h.req_id, h.req_id);
	assert_true(r->h.flags & SEALFS_HF_REPLY);
	assert_int_equal(sealfs_msg_parse(&r->h, (u8 *)r->raw.msg + SEALFS_HDR_SIZE,
					  r->h.len, &r->m), 0);
}

static void rep_free(struct rep *r)
{
	free(r->raw.msg);
	r->raw.msg = NULL;
}

static u32 lookup(struct fx *f, u64 parent, const char *name, u64 *ino)
{
	struct sealfs_name_req q = {
		.parent = cpu_to_le64(parent), .vol = cpu_to_le32(VOL),
		.name_len = cpu_to_le16(strlen(name)),
	};
	struct rep r;
	u32 st;

	do_req(f, SEALFS_OP_LOOKUP, EPOCH, 0, 0, &q, sizeof(q), name,
	       strlen(name), NULL, 0, &r);
	st = r.h.status;
	if (!st && ino)
		*ino = le64_to_cpu(((const struct sealfs_entry_rep *)r.m.body)->attr.ino);
	rep_free(&r);
	return st;
}

static u32 create(struct fx *f, u64 parent, const char *name, u32 mode,
		  u32 flags, u64 cid, u64 rid, u64 *ino)
{
	struct sealfs_create_req q = {
		.parent = cpu_to_le64(parent), .vol = cpu_to_le32(VOL),
		.mode = cpu_to_le32(mode), .flags = cpu_to_le32(flags),
		.name_len = cpu_to_le16(strlen(name)),
	};
	struct rep r;
	u32 st;

	do_req(f, SEALFS_OP_CREATE, EPOCH, cid, rid, &q, sizeof(q), name,
	       strlen(name), NULL, 0, &r);
	st = r.h.status;
	if (!st && ino)
		*ino = le64_to_cpu(((const struct sealfs_entry_rep *)r.m.body)->attr.ino);
	rep_free(&r);
	return st;
}

static void test_notready(void **state)
{
	struct fx *f = *state;
	struct sealfs_ino_req q = { .ino = cpu_to_le64(1), .vol = cpu_to_le32(VOL) };
	struct rep r;

	do_req(f, SEALFS_OP_GETATTR, 0, 0, 0, &q, sizeof(q), NULL, 0, NULL, 0, &r);
	assert_int_equal(r.h.status, SEALFS_S_NOTREADY);
	rep_free(&r);
	set_map(f, EPOCH, 1, 0);	/* a map but no metadata store yet */
	do_req(f, SEALFS_OP_GETATTR, EPOCH, 0, 0, &q, sizeof(q), NULL, 0, NULL, 0, &r);
	assert_int_equal(r.h.status, SEALFS_S_NOTREADY);
	rep_free(&r);
	do_req(f, SEALFS_OP_PING, 0, 0, 0, NULL, 0, NULL, 0, NULL, 0, &r);
	assert_int_equal(r.h.status, SEALFS_S_OK);
	rep_free(&r);
}

static void test_steering(void **state)
{
	struct fx *f = *state;
	struct sealfs_ino_req q = { .ino = cpu_to_le64(1), .vol = cpu_to_le32(VOL) };
	char name[32];
	struct rep r;
	int i;

	do_req(f, SEALFS_OP_GETATTR, EPOCH - 1, 0, 0, &q, sizeof(q), NULL, 0,
	       NULL, 0, &r);
	assert_int_equal(r.h.status, SEALFS_S_STALE_EPOCH);
	assert_int_equal(r.h.epoch, EPOCH);
	assert_int_equal(r.h.len, 0);
	rep_free(&r);
	/* routed by a newer map than the server's: retry once it has it */
	do_req(f, SEALFS_OP_GETATTR, EPOCH + 5, 0, 0, &q, sizeof(q), NULL, 0,
	       NULL, 0, &r);
	assert_int_equal(r.h.status, SEALFS_S_NOTREADY);
	assert_int_equal(r.h.len, 0);
	rep_free(&r);
	do_req(f, SEALFS_OP_GETATTR, EPOCH, 0, 0, &q, sizeof(q), NULL, 0, NULL, 0, &r);
	assert_int_equal(r.h.status, SEALFS_S_OK);
	rep_free(&r);
	/* an unknown volume */
	q.vol = cpu_to_le32(VOL + 1);
	do_req(f, SEALFS_OP_GETATTR, EPOCH, 0, 0, &q, sizeof(q), NULL, 0, NULL, 0, &r);
	assert_int_equal(r.h.status, SEALFS_S_NOENT);
	rep_free(&r);
	/* with a second (DOWN) server in the ring, some names are its */
	set_map(f, EPOCH, 2, 0);
	for (i = 0; i < 1000; i++) {
		snprintf(name, sizeof(name), "n%d", i);
		if (ssrv_map_owner(f->core.map, sealfs_key_entry(VOL, 1, (u8 *)name,
								 strlen(name))) == 2)
			break;
	}
	assert_true(i < 1000);
	assert_int_equal(lookup(f, 1, name, NULL), SEALFS_S_WRONG_OWNER);
	/* RENAME is routed by its source entry */
	do_req(f, SEALFS_OP_RENAME, EPOCH, 0, 0, &(struct sealfs_rename_req){
		.src_parent = cpu_to_le64(1), .dst_parent = cpu_to_le64(1),
		.vol = cpu_to_le32(VOL), .src_len = cpu_to_le16(strlen(name)),
		.dst_len = cpu_to_le16(1) }, sizeof(struct sealfs_rename_req),
		name, strlen(name), "b", 1, &r);
	assert_int_equal(r.h.status, SEALFS_S_WRONG_OWNER);
	rep_free(&r);
	/* unknown opcodes for a server */
	do_req(f, SEALFS_OP_MAP_GET, EPOCH, 0, 0, &(struct sealfs_map_get_req){},
	       sizeof(struct sealfs_map_get_req), NULL, 0, NULL, 0, &r);
	assert_int_equal(r.h.status, SEALFS_S_NOTSUPP);
	rep_free(&r);
}

static void test_namespace(void **state)
{
	struct fx *f = *state;
	struct sealfs_readdir_req rq = {
		.vol = cpu_to_le32(VOL), .max_bytes = cpu_to_le32(65536),
	};
	struct sealfs_rec_iter it;
	struct sealfs_rec rec;
	u64 ino, dir, got, sym;
	struct rep r;
	int n = 0;

	assert_int_equal(lookup(f, 1, "a", NULL), SEALFS_S_NOENT);
	assert_int_equal(create(f, 1, "a", S_IFREG | 0644, 0, 0, 0, &ino), 0);
	assert_int_equal(lookup(f, 1, "a", &got), 0);
	assert_int_equal(got, ino);
	assert_int_equal(create(f, 1, "d", S_IFDIR | 0755, 0, 0, 0, &dir), 0);
	assert_int_equal(create(f, dir, "p", S_IFIFO | 0600, 0, 0, 0, NULL), 0);
	assert_int_equal(create(f, dir, "s", S_IFSOCK | 0600, 0, 0, 0, NULL), 0);
	assert_int_equal(create(f, dir, "bad", S_IFLNK | 0600, 0, 0, 0, NULL),
			 SEALFS_S_INVAL);
	rq.dir = cpu_to_le64(dir);
	do_req(f, SEALFS_OP_READDIR, EPOCH, 0, 0, &rq, sizeof(rq), NULL, 0, NULL, 0, &r);
	assert_int_equal(r.h.status, 0);
	assert_true(le32_to_cpu(((const struct sealfs_readdir_rep *)r.m.body)->flags) &
		    SEALFS_RD_EOF);
	sealfs_rec_iter_init(&it, &r.m);
	while (sealfs_rec_next(&it, &rec)) {
		const struct sealfs_dirent *d = rec.body;

		assert_true(le32_to_cpu(d->flags) & SEALFS_EF_ATTR);
		n++;
	}
	assert_int_equal(n, 2);
	rep_free(&r);
	/* symlink and readlink */
	{
		struct sealfs_symlink_req q = {
			.parent = cpu_to_le64(1), .vol = cpu_to_le32(VOL),
			.name_len = cpu_to_le16(1), .target_len = cpu_to_le16(4),
		};
		struct sealfs_ino_req iq = { .vol = cpu_to_le32(VOL) };

		do_req(f, SEALFS_OP_SYMLINK, EPOCH, 0, 0, &q, sizeof(q), "l", 1,
		       "/tgt", 4, &r);
		assert_int_equal(r.h.status, 0);
		sym = le64_to_cpu(((const struct sealfs_entry_rep *)r.m.body)->attr.ino);
		rep_free(&r);
		iq.ino = cpu_to_le64(sym);
		do_req(f, SEALFS_OP_READLINK, EPOCH, 0, 0, &iq, sizeof(iq), NULL, 0,
		       NULL, 0, &r);
		assert_int_equal(r.h.status, 0);
		assert_int_equal(r.m.tail_len[0], 4);
		assert_memory_equal(r.m.tail[0], "/tgt", 4);
		rep_free(&r);
	}
	/* unlink, then the name is gone */
	{
		struct sealfs_name_req q = {
			.parent = cpu_to_le64(1), .vol = cpu_to_le32(VOL),
			.name_len = cpu_to_le16(1),
		};

		do_req(f, SEALFS_OP_UNLINK, EPOCH, 0, 0, &q, sizeof(q), "a", 1,
		       NULL, 0, &r);
		assert_int_equal(r.h.status, 0);
		rep_free(&r);
		assert_int_equal(lookup(f, 1, "a", NULL), SEALFS_S_NOENT);
		/* rmdir of a non-empty directory on a one-server ring */
		do_req(f, SEALFS_OP_RMDIR, EPOCH, 0, 0, &q, sizeof(q), "d", 1,
		       NULL, 0, &r);
		assert_int_equal(r.h.status, SEALFS_S_NOTEMPTY);
		rep_free(&r);
	}
	/* statfs counts the inodes */
	{
		struct sealfs_vol_req q = { .vol = cpu_to_le32(VOL) };

		do_req(f, SEALFS_OP_STATFS, EPOCH, 0, 0, &q, sizeof(q), NULL, 0,
		       NULL, 0, &r);
		assert_int_equal(r.h.status, 0);
		assert_true(le64_to_cpu(((const struct sealfs_statfs_rep *)r.m.body)->vol_inodes) >= 4);
		rep_free(&r);
	}
}

static void test_replay(void **state)
{
	struct fx *f = *state;
	u64 a, b;

	assert_int_equal(create(f, 1, "r", S_IFREG | 0644, SEALFS_CF_EXCL, 99, 500, &a), 0);
	/* the same (client, request): the first reply, not EEXIST */
	assert_int_equal(create(f, 1, "r", S_IFREG | 0644, SEALFS_CF_EXCL, 99, 500, &b), 0);
	assert_int_equal(a, b);
	/* a new request id runs again */
	assert_int_equal(create(f, 1, "r", S_IFREG | 0644, SEALFS_CF_EXCL, 99, 501, NULL),
			 SEALFS_S_EXIST);
	/* the error answer is replayed too */
	assert_int_equal(create(f, 1, "r", S_IFREG | 0644, SEALFS_CF_EXCL, 99, 501, NULL),
			 SEALFS_S_EXIST);
	/* without a client id: no replay */
	assert_int_equal(create(f, 1, "r", S_IFREG | 0644, SEALFS_CF_EXCL, 0, 500, NULL),
			 SEALFS_S_EXIST);
}

static void test_data(void **state)
{
	struct fx *f = *state;
	struct sealfs_write_req wq = { .vol = cpu_to_le32(VOL) };
	struct sealfs_read_req rq = { .vol = cpu_to_le32(VOL) };
	struct sealfs_ino_req cq = { .vol = cpu_to_le32(VOL) };
	struct sealfs_setattr_req sq = { .vol = cpu_to_le32(VOL) };
	const struct sealfs_write_rep *w;
	struct rep r;
	u64 ino;

	assert_int_equal(create(f, 1, "f", S_IFREG | 0644, 0, 0, 0, &ino), 0);
	wq.ino = rq.ino = cq.ino = sq.ino = cpu_to_le64(ino);
	/* crossing a chunk is refused */
	wq.offset = cpu_to_le64(CHUNK - 2);
	wq.length = cpu_to_le32(4);
	do_req(f, SEALFS_OP_WRITE, EPOCH, 0, 0, &wq, sizeof(wq), "abcd", 4, NULL, 0, &r);
	assert_int_equal(r.h.status, SEALFS_S_INVAL);
	rep_free(&r);
	wq.offset = cpu_to_le64(CHUNK + 10);
	do_req(f, SEALFS_OP_WRITE, EPOCH, 0, 0, &wq, sizeof(wq), "abcd", 4, NULL, 0, &r);
	assert_int_equal(r.h.status, 0);
	w = r.m.body;
	assert_int_equal(le32_to_cpu(w->written), 4);
	assert_int_equal(le32_to_cpu(w->committed), 0);
	assert_int_equal(le64_to_cpu(w->boot_id), 0x1234);
	rep_free(&r);
	do_req(f, SEALFS_OP_COMMIT, EPOCH, 0, 0, &cq, sizeof(cq), NULL, 0, NULL, 0, &r);
	assert_int_equal(r.h.status, 0);
	assert_int_equal(le64_to_cpu(((const struct sealfs_commit_rep *)r.m.body)->boot_id), 0x1234);
	rep_free(&r);
	rq.offset = cpu_to_le64(CHUNK + 8);
	rq.length = cpu_to_le32(100);
	do_req(f, SEALFS_OP_READ, EPOCH, 0, 0, &rq, sizeof(rq), NULL, 0, NULL, 0, &r);
	assert_int_equal(r.h.status, 0);
	assert_int_equal(r.m.tail_len[0], 6);
	assert_memory_equal(r.m.tail[0], "\0\0abcd", 6);
	rep_free(&r);
	/* SETATTR size shrinks the data held here */
	sq.valid = cpu_to_le32(SEALFS_SA_SIZE);
	sq.size = cpu_to_le64(CHUNK + 12);
	do_req(f, SEALFS_OP_SETATTR, EPOCH, 0, 0, &sq, sizeof(sq), NULL, 0, NULL, 0, &r);
	assert_int_equal(r.h.status, 0);
	assert_int_equal(le64_to_cpu(((const struct sealfs_attr_rep *)r.m.body)->attr.size),
			 CHUNK + 12);
	rep_free(&r);
	do_req(f, SEALFS_OP_READ, EPOCH, 0, 0, &rq, sizeof(rq), NULL, 0, NULL, 0, &r);
	assert_int_equal(r.m.tail_len[0], 4);
	assert_memory_equal(r.m.tail[0], "\0\0ab", 4);
	rep_free(&r);
	/* DATA_TRUNCATE with DESTROY drops everything */
	{
		struct sealfs_truncate_req tq = {
			.ino = cpu_to_le64(ino), .vol = cpu_to_le32(VOL),
			.flags = cpu_to_le32(SEALFS_TF_DESTROY),
		};

		do_req(f, SEALFS_OP_DATA_TRUNCATE, EPOCH, 0, 0, &tq, sizeof(tq),
		       NULL, 0, NULL, 0, &r);
		assert_int_equal(r.h.status, 0);
		rep_free(&r);
	}
	do_req(f, SEALFS_OP_READ, EPOCH, 0, 0, &rq, sizeof(rq), NULL, 0, NULL, 0, &r);
	assert_int_equal(r.m.tail_len[0], 0);
	rep_free(&r);
}

static void test_quota(void **state)
{
	struct fx *f = *state;
	struct sealfs_write_req wq = { .vol = cpu_to_le32(VOL) };
	static char buf[32768];
	struct rep r;
	u64 ino;

	set_map(f, EPOCH, 1, 16384);
	assert_int_equal(create(f, 1, "q", S_IFREG | 0644, 0, 0, 0, &ino), 0);
	wq.ino = cpu_to_le64(ino);
	wq.length = cpu_to_le32(8192);
	do_req(f, SEALFS_OP_WRITE, EPOCH, 0, 0, &wq, sizeof(wq), buf, 8192, NULL, 0, &r);
	assert_int_equal(r.h.status, 0);
	rep_free(&r);
	wq.offset = cpu_to_le64(8192);
	wq.length = cpu_to_le32(sizeof(buf));
	do_req(f, SEALFS_OP_WRITE, EPOCH, 0, 0, &wq, sizeof(wq), buf, sizeof(buf),
	       NULL, 0, &r);
	assert_int_equal(r.h.status, SEALFS_S_DQUOT);
	rep_free(&r);
}

static void test_xattr(void **state)
{
	struct fx *f = *state;
	struct sealfs_setxattr_req sq = {
		.vol = cpu_to_le32(VOL), .value_len = cpu_to_le32(3),
		.name_len = cpu_to_le16(6), .flags = cpu_to_le32(SEALFS_XF_CREATE),
	};
	struct sealfs_getxattr_req gq = {
		.vol = cpu_to_le32(VOL), .name_len = cpu_to_le16(6),
	};
	struct sealfs_listxattr_req lq = { .vol = cpu_to_le32(VOL), .size = cpu_to_le32(64) };
	struct rep r;
	u64 ino;

	assert_int_equal(create(f, 1, "x", S_IFREG | 0644, 0, 0, 0, &ino), 0);
	sq.ino = gq.ino = lq.ino = cpu_to_le64(ino);
	do_req(f, SEALFS_OP_SETXATTR, EPOCH, 0, 0, &sq, sizeof(sq), "user.k", 6,
	       "val", 3, &r);
	assert_int_equal(r.h.status, 0);
	rep_free(&r);
	do_req(f, SEALFS_OP_SETXATTR, EPOCH, 0, 0, &sq, sizeof(sq), "user.k", 6,
	       "val", 3, &r);
	assert_int_equal(r.h.status, SEALFS_S_EXIST);
	rep_free(&r);
	do_req(f, SEALFS_OP_GETXATTR, EPOCH, 0, 0, &gq, sizeof(gq), "user.k", 6,
	       NULL, 0, &r);
	assert_int_equal(r.h.status, 0);
	assert_int_equal(le32_to_cpu(((const struct sealfs_xattr_rep *)r.m.body)->size), 3);
	assert_int_equal(r.m.tail_len[0], 0);
	rep_free(&r);
	gq.size = cpu_to_le32(2);
	do_req(f, SEALFS_OP_GETXATTR, EPOCH, 0, 0, &gq, sizeof(gq), "user.k", 6,
	       NULL, 0, &r);
	assert_int_equal(r.h.status, SEALFS_S_RANGE);
	rep_free(&r);
	do_req(f, SEALFS_OP_LISTXATTR, EPOCH, 0, 0, &lq, sizeof(lq), NULL, 0,
	       NULL, 0, &r);
	assert_int_equal(r.h.status, 0);
	assert_int_equal(r.m.tail_len[0], 7);
	assert_memory_equal(r.m.tail[0], "user.k", 7);
	rep_free(&r);
}

static void test_vol_admin(void **state)
{
	struct fx *f = *state;
	struct sealfs_vol_req q = { .vol = cpu_to_le32(VOL) };
	struct rep r;

	assert_int_equal(create(f, 1, "u", S_IFREG | 0644, 0, 0, 0, NULL), 0);
	do_req(f, SEALFS_OP_VOL_USAGE, EPOCH, 0, 0, &q, sizeof(q), NULL, 0, NULL, 0, &r);
	assert_int_equal(r.h.status, 0);
	assert_int_equal(le64_to_cpu(((const struct sealfs_vol_usage_rep *)r.m.body)->inodes), 2);
	rep_free(&r);
	do_req(f, SEALFS_OP_VOL_PURGE, EPOCH, 0, 0, &q, sizeof(q), NULL, 0, NULL, 0, &r);
	assert_int_equal(r.h.status, SEALFS_S_BUSY);
	rep_free(&r);
	/* a volume gone from the map can be purged */
	q.vol = cpu_to_le32(VOL + 1);
	do_req(f, SEALFS_OP_VOL_PURGE, EPOCH, 0, 0, &q, sizeof(q), NULL, 0, NULL, 0, &r);
	assert_int_equal(r.h.status, 0);
	rep_free(&r);
}

static u32 rename_req(struct fx *f, u64 sp, const char *sn, u64 dp,
		      const char *dn, u32 flags, u64 cid, u64 rid,
		      struct sealfs_rename_rep *out)
{
	struct sealfs_rename_req q = {
		.src_parent = cpu_to_le64(sp), .dst_parent = cpu_to_le64(dp),
		.vol = cpu_to_le32(VOL), .flags = cpu_to_le32(flags),
		.src_len = cpu_to_le16(strlen(sn)),
		.dst_len = cpu_to_le16(strlen(dn)),
	};
	struct rep r;
	u32 st;

	do_req(f, SEALFS_OP_RENAME, EPOCH, cid, rid, &q, sizeof(q), sn,
	       strlen(sn), dn, strlen(dn), &r);
	st = r.h.status;
	if (!st && out)
		*out = *(const struct sealfs_rename_rep *)r.m.body;
	rep_free(&r);
	return st;
}

/* One server: RENAME, LINK and the transaction messages, no peer calls. */
static void test_rename_link(void **state)
{
	struct fx *f = *state;
	struct sealfs_rename_rep rr;
	struct sealfs_txn_req tq = { .vol = cpu_to_le32(VOL) };
	struct sealfs_link_req lq = { .vol = cpu_to_le32(VOL),
				      .parent = cpu_to_le64(1),
				      .name_len = cpu_to_le16(2) };
	u64 a, b, d, sub, got;
	struct rep r;

	assert_int_equal(create(f, 1, "a", S_IFREG | 0644, SEALFS_CF_EXCL, 0, 0, &a), 0);
	assert_int_equal(create(f, 1, "b", S_IFREG | 0644, SEALFS_CF_EXCL, 0, 0, &b), 0);
	assert_int_equal(create(f, 1, "d", S_IFDIR | 0755, SEALFS_CF_EXCL, 0, 0, &d), 0);
	assert_int_equal(create(f, d, "s", S_IFDIR | 0755, SEALFS_CF_EXCL, 0, 0, &sub), 0);
	/* over a file, replayed */
	assert_int_equal(rename_req(f, 1, "a", 1, "b", SEALFS_RF_NOREPLACE, 0, 0,
				    NULL), SEALFS_S_EXIST);
	assert_int_equal(rename_req(f, 1, "a", 1, "b", 0, 77, 5, &rr), 0);
	assert_int_equal(le64_to_cpu(rr.ino), a);
	assert_int_equal(le64_to_cpu(rr.replaced_ino), b);
	assert_int_equal(le32_to_cpu(rr.replaced_nlink), 0);
	assert_int_equal(rename_req(f, 1, "a", 1, "b", 0, 77, 5, &rr), 0);
	assert_int_equal(le64_to_cpu(rr.ino), a);
	assert_int_equal(rename_req(f, 1, "a", 1, "c", 0, 0, 0, NULL), SEALFS_S_NOENT);
	assert_int_equal(lookup(f, 1, "b", &got), 0);
	assert_int_equal(got, a);
	/* directories: into its own subtree, kinds, into a subdirectory */
	assert_int_equal(rename_req(f, 1, "d", sub, "x", 0, 0, 0, NULL), SEALFS_S_INVAL);
	assert_int_equal(rename_req(f, 1, "d", 1, "b", 0, 0, 0, NULL), SEALFS_S_NOTDIR);
	assert_int_equal(rename_req(f, 1, "b", 1, "d", 0, 0, 0, NULL), SEALFS_S_ISDIR);
	assert_int_equal(rename_req(f, 1, "b", sub, "b2", 0, 0, 0, NULL), 0);
	assert_int_equal(lookup(f, sub, "b2", &got), 0);
	assert_int_equal(got, a);
	/* LINK: nlink 2 */
	lq.ino = cpu_to_le64(a);
	do_req(f, SEALFS_OP_LINK, EPOCH, 0, 0, &lq, sizeof(lq), "l2", 2, NULL, 0, &r);
	assert_int_equal(r.h.status, 0);
	assert_int_equal(le32_to_cpu(((const struct sealfs_entry_rep *)r.m.body)->attr.nlink), 2);
	rep_free(&r);
	/* TXN_QUERY of an unknown transaction of ours; TXN_FINISH of one */
	f->role = SEALFS_ROLE_SERVER;
	tq.txid = cpu_to_le64((1ull << SMETA_TXID_SEQ_BITS) | 999);
	do_req(f, SEALFS_OP_TXN_QUERY, EPOCH, 0, 0, &tq, sizeof(tq), NULL, 0, NULL, 0, &r);
	assert_int_equal(r.h.status, 0);
	assert_int_equal(le32_to_cpu(((const struct sealfs_txn_rep *)r.m.body)->state),
			 SEALFS_TXN_UNKNOWN);
	rep_free(&r);
	tq.decision = cpu_to_le32(SEALFS_TXN_COMMIT);
	do_req(f, SEALFS_OP_TXN_FINISH, EPOCH, 0, 0, &tq, sizeof(tq), NULL, 0, NULL, 0, &r);
	assert_int_equal(r.h.status, 0);
	rep_free(&r);
	/* RMDIR: empty payload */
	{
		struct sealfs_name_req q = { .parent = cpu_to_le64(d),
					     .vol = cpu_to_le32(VOL),
					     .name_len = cpu_to_le16(1) };

		assert_int_equal(create(f, sub, "z", S_IFREG, SEALFS_CF_EXCL, 0, 0, NULL), 0);
		do_req(f, SEALFS_OP_RMDIR, EPOCH, 0, 0, &q, sizeof(q), "s", 1, NULL, 0, &r);
		assert_int_equal(r.h.status, SEALFS_S_NOTEMPTY);
		rep_free(&r);
	}
}

static u32 walk_req(struct fx *f, u64 dir, u64 stop, u64 txid, u32 flags,
		    struct sealfs_dir_walk_rep *out)
{
	struct sealfs_dir_walk_req q = {
		.dir = cpu_to_le64(dir), .stop = cpu_to_le64(stop),
		.txid = cpu_to_le64(txid), .vol = cpu_to_le32(VOL),
		.flags = cpu_to_le32(flags),
	};
	struct rep r;
	u32 st;

	do_req(f, SEALFS_OP_DIR_WALK, EPOCH, 0, 0, &q, sizeof(q), NULL, 0, NULL,
	       0, &r);
	st = r.h.status;
	if (!st && out)
		memcpy(out, r.m.body, sizeof(*out));
	rep_free(&r);
	return st;
}

/* DIR_WALK: ancestry, the moved directory, marks; RENAME meets marks. */
static void test_dir_walk(void **state)
{
	struct fx *f = *state;
	struct sealfs_dir_walk_rep w;
	u64 a, b, c, o;

	assert_int_equal(create(f, 1, "a", S_IFDIR | 0755, SEALFS_CF_EXCL, 0, 0, &a), 0);
	assert_int_equal(create(f, a, "b", S_IFDIR | 0755, SEALFS_CF_EXCL, 0, 0, &b), 0);
	assert_int_equal(create(f, b, "c", S_IFDIR | 0755, SEALFS_CF_EXCL, 0, 0, &c), 0);
	assert_int_equal(create(f, 1, "o", S_IFDIR | 0755, SEALFS_CF_EXCL, 0, 0, &o), 0);
	/* from a client: refused */
	assert_int_equal(walk_req(f, c, a, 5, 0, NULL), SEALFS_S_PERM);
	f->role = SEALFS_ROLE_SERVER;
	assert_int_equal(walk_req(f, c, a, 5, 0, NULL), SEALFS_S_INVAL);
	assert_int_equal(walk_req(f, c, c, 5, 0, NULL), SEALFS_S_INVAL);
	assert_int_equal(walk_req(f, c, o, 5, 0, &w), 0);
	assert_int_equal(le64_to_cpu(w.next), 0);
	assert_int_equal(le32_to_cpu(w.steps), 3);
	/* malformed: no txid, both flags, a mark with a stop */
	assert_int_equal(walk_req(f, c, o, 0, 0, NULL), SEALFS_S_INVAL);
	assert_int_equal(walk_req(f, b, 0, 5, SEALFS_DW_KNOWN, NULL), SEALFS_S_INVAL);
	assert_int_equal(walk_req(f, b, o, 5, SEALFS_DW_MARK, NULL), SEALFS_S_INVAL);
	/* b is being moved by 6: walks of others through b wait */
	assert_int_equal(walk_req(f, b, 0, 6, SEALFS_DW_MARK, NULL), 0);
	assert_int_equal(walk_req(f, b, 0, 6, SEALFS_DW_MARK, NULL), 0);
	assert_int_equal(walk_req(f, b, 0, 7, SEALFS_DW_MARK, NULL), SEALFS_S_AGAIN);
	assert_int_equal(walk_req(f, c, o, 5, 0, NULL), SEALFS_S_AGAIN);
	assert_int_equal(walk_req(f, c, o, 6, 0, NULL), 0);
	assert_int_equal(walk_req(f, a, o, 5, 0, NULL), 0);
	f->role = SEALFS_ROLE_CLIENT;
	assert_int_equal(rename_req(f, 1, "o", c, "o", 0, 0, 0, NULL), SEALFS_S_AGAIN);
	assert_int_equal(rename_req(f, 1, "a", o, "a", 0, 0, 0, NULL), 0);
	f->role = SEALFS_ROLE_SERVER;
	assert_int_equal(walk_req(f, b, 0, 7, SEALFS_DW_UNMARK, NULL), 0);
	assert_int_equal(walk_req(f, c, o, 5, 0, NULL), SEALFS_S_AGAIN);
	assert_int_equal(walk_req(f, b, 0, 6, SEALFS_DW_UNMARK, NULL), 0);
	assert_int_equal(walk_req(f, c, o, 5, 0, NULL), SEALFS_S_INVAL);
	f->role = SEALFS_ROLE_CLIENT;
	/* a now lives in o: o below c is a cycle, the reverse is fine */
	assert_int_equal(rename_req(f, 1, "o", c, "o", 0, 0, 0, NULL), SEALFS_S_INVAL);
	assert_int_equal(rename_req(f, o, "a", 1, "a", 0, 0, 0, NULL), 0);
	assert_int_equal(rename_req(f, 1, "o", c, "o", 0, 0, 0, NULL), 0);
	assert_int_equal(lookup(f, c, "o", NULL), 0);
}

/* Server-to-server messages from a session that is not a server's. */
static void test_peer_role(void **state)
{
	struct fx *f = *state;
	struct sealfs_txn_req tq = { .vol = cpu_to_le32(VOL), .txid = cpu_to_le64(9),
				     .decision = cpu_to_le32(SEALFS_TXN_ABORT) };
	struct sealfs_inode_update_req iu = {
		.ino = cpu_to_le64(1), .vol = cpu_to_le32(VOL),
		.flags = cpu_to_le32(SEALFS_IU_NLINK), .nlink_delta = cpu_to_le32(1),
	};
	struct sealfs_dir_freeze_req fq = { .txid = cpu_to_le64(9), .dir = cpu_to_le64(1),
					    .vol = cpu_to_le32(VOL),
					    .coordinator = cpu_to_le32(1) };
	static const u16 roles[] = { 0, SEALFS_ROLE_CLIENT, SEALFS_ROLE_ADMIN,
				     SEALFS_ROLE_MANAGER };
	struct sealfs_ino_req gq = { .ino = cpu_to_le64(1), .vol = cpu_to_le32(VOL) };
	struct rep r;
	u32 nlink;
	size_t i;

	do_req(f, SEALFS_OP_GETATTR, EPOCH, 0, 0, &gq, sizeof(gq), NULL, 0, NULL, 0, &r);
	assert_int_equal(r.h.status, 0);
	nlink = le32_to_cpu(((const struct sealfs_attr_rep *)r.m.body)->attr.nlink);
	rep_free(&r);
	for (i = 0; i < sizeof(roles) / sizeof(roles[0]); i++) {
		f->role = roles[i];
		do_req(f, SEALFS_OP_TXN_FINISH, EPOCH, 0, 0, &tq, sizeof(tq), NULL, 0,
		       NULL, 0, &r);
		assert_int_equal(r.h.status, SEALFS_S_PERM);
		rep_free(&r);
		tq.decision = 0;
		do_req(f, SEALFS_OP_TXN_QUERY, EPOCH, 0, 0, &tq, sizeof(tq), NULL, 0,
		       NULL, 0, &r);
		assert_int_equal(r.h.status, SEALFS_S_PERM);
		rep_free(&r);
		tq.decision = cpu_to_le32(SEALFS_TXN_ABORT);
		do_req(f, SEALFS_OP_INODE_UPDATE, EPOCH, 0, 0, &iu, sizeof(iu), NULL, 0,
		       NULL, 0, &r);
		assert_int_equal(r.h.status, SEALFS_S_PERM);
		rep_free(&r);
		do_req(f, SEALFS_OP_DIR_FREEZE, EPOCH, 0, 0, &fq, sizeof(fq), NULL, 0,
		       NULL, 0, &r);
		assert_int_equal(r.h.status, SEALFS_S_PERM);
		rep_free(&r);
		assert_int_equal(walk_req(f, 1, 0, 9, 0, NULL), SEALFS_S_PERM);
	}
	/* nothing changed; a server's INODE_UPDATE goes through */
	f->role = SEALFS_ROLE_CLIENT;
	do_req(f, SEALFS_OP_GETATTR, EPOCH, 0, 0, &gq, sizeof(gq), NULL, 0, NULL, 0, &r);
	assert_int_equal(le32_to_cpu(((const struct sealfs_attr_rep *)r.m.body)->attr.nlink),
			 nlink);
	rep_free(&r);
	f->role = SEALFS_ROLE_SERVER;
	do_req(f, SEALFS_OP_INODE_UPDATE, EPOCH, 0, 0, &iu, sizeof(iu), NULL, 0, NULL,
	       0, &r);
	assert_int_equal(r.h.status, 0);
	assert_int_equal(le32_to_cpu(((const struct sealfs_attr_rep *)r.m.body)->attr.nlink),
			 nlink + 1);
	rep_free(&r);
}

/* INODE_UPDATE re-sent with its transaction id: applied once. */
static void test_iu_resend(void **state)
{
	struct fx *f = *state;
	struct sealfs_inode_update_req iu = {
		.vol = cpu_to_le32(VOL), .flags = cpu_to_le32(SEALFS_IU_NLINK),
		.nlink_delta = cpu_to_le32(1), .txid = cpu_to_le64(0x2000000005ull),
	};
	struct rep r;
	u64 ino;
	int i;

	assert_int_equal(create(f, 1, "f", S_IFREG | 0644, SEALFS_CF_EXCL, 0, 0, &ino), 0);
	iu.ino = cpu_to_le64(ino);
	f->role = SEALFS_ROLE_SERVER;
	/* three sends, each with a request id of its own (do_req checks the
	 * reply carries it): nlink 2 every time */
	for (i = 0; i < 3; i++) {
		do_req(f, SEALFS_OP_INODE_UPDATE, EPOCH, 0, 0, &iu, sizeof(iu), NULL, 0,
		       NULL, 0, &r);
		assert_int_equal(r.h.status, 0);
		assert_int_equal(le32_to_cpu(((const struct sealfs_attr_rep *)
					      r.m.body)->attr.nlink), 2);
		rep_free(&r);
	}
	/* another update: applied */
	iu.txid = cpu_to_le64(0x2000000006ull);
	iu.nlink_delta = cpu_to_le32((u32)-1);
	for (i = 0; i < 2; i++) {
		do_req(f, SEALFS_OP_INODE_UPDATE, EPOCH, 0, 0, &iu, sizeof(iu), NULL, 0,
		       NULL, 0, &r);
		assert_int_equal(r.h.status, 0);
		assert_int_equal(le32_to_cpu(((const struct sealfs_attr_rep *)
					      r.m.body)->attr.nlink), 1);
		rep_free(&r);
	}
	/* without a transaction id nothing is deduplicated */
	iu.txid = 0;
	iu.nlink_delta = cpu_to_le32(1);
	for (i = 0; i < 2; i++) {
		do_req(f, SEALFS_OP_INODE_UPDATE, EPOCH, 0, 0, &iu, sizeof(iu), NULL, 0,
		       NULL, 0, &r);
		assert_int_equal(r.h.status, 0);
		assert_int_equal(le32_to_cpu(((const struct sealfs_attr_rep *)
					      r.m.body)->attr.nlink), 2 + i);
		rep_free(&r);
	}
}

/* Answers found before a cross-server decision are replayed as given. */
static void test_xop_replay_err(void **state)
{
	struct fx *f = *state;
	struct sealfs_link_req lq = { .vol = cpu_to_le32(VOL),
				      .parent = cpu_to_le64(1),
				      .name_len = cpu_to_le16(2) };
	struct rep r;
	u64 a, b;

	/* RENAME of a missing source: NOENT, and again once it exists */
	assert_int_equal(rename_req(f, 1, "s", 1, "t", 0, 77, 21, NULL), SEALFS_S_NOENT);
	assert_int_equal(create(f, 1, "s", S_IFREG | 0644, SEALFS_CF_EXCL, 0, 0, &a), 0);
	assert_int_equal(rename_req(f, 1, "s", 1, "t", 0, 77, 21, NULL), SEALFS_S_NOENT);
	assert_int_equal(lookup(f, 1, "s", NULL), 0);
	/* NOREPLACE over an existing name: EXIST, and again once it is gone */
	assert_int_equal(create(f, 1, "t", S_IFREG | 0644, SEALFS_CF_EXCL, 0, 0, &b), 0);
	assert_int_equal(rename_req(f, 1, "s", 1, "t", SEALFS_RF_NOREPLACE, 77, 22, NULL),
			 SEALFS_S_EXIST);
	do_req(f, SEALFS_OP_UNLINK, EPOCH, 0, 0,
	       &(struct sealfs_name_req){ .parent = cpu_to_le64(1), .vol = cpu_to_le32(VOL),
					  .name_len = cpu_to_le16(1) },
	       sizeof(struct sealfs_name_req), "t", 1, NULL, 0, &r);
	assert_int_equal(r.h.status, 0);
	rep_free(&r);
	assert_int_equal(rename_req(f, 1, "s", 1, "t", SEALFS_RF_NOREPLACE, 77, 22, NULL),
			 SEALFS_S_EXIST);
	assert_int_equal(lookup(f, 1, "s", NULL), 0);
	assert_int_equal(lookup(f, 1, "t", NULL), SEALFS_S_NOENT);
	/* LINK over an existing name: EXIST, and again once it is gone */
	lq.ino = cpu_to_le64(a);
	lq.name_len = cpu_to_le16(1);
	do_req(f, SEALFS_OP_LINK, EPOCH, 77, 23, &lq, sizeof(lq), "s", 1, NULL, 0, &r);
	assert_int_equal(r.h.status, SEALFS_S_EXIST);
	rep_free(&r);
	/* a fresh request id runs */
	assert_int_equal(rename_req(f, 1, "s", 1, "t", 0, 77, 24, NULL), 0);
	assert_int_equal(lookup(f, 1, "t", NULL), 0);
	do_req(f, SEALFS_OP_LINK, EPOCH, 77, 23, &lq, sizeof(lq), "s", 1, NULL, 0, &r);
	assert_int_equal(r.h.status, SEALFS_S_EXIST);
	rep_free(&r);
	assert_int_equal(lookup(f, 1, "s", NULL), SEALFS_S_NOENT);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_notready, setup, teardown),
		cmocka_unit_test_setup_teardown(test_steering, setup_ready, teardown),
		cmocka_unit_test_setup_teardown(test_namespace, setup_ready, teardown),
		cmocka_unit_test_setup_teardown(test_replay, setup_ready, teardown),
		cmocka_unit_test_setup_teardown(test_data, setup_ready, teardown),
		cmocka_unit_test_setup_teardown(test_quota, setup_ready, teardown),
		cmocka_unit_test_setup_teardown(test_xattr, setup_ready, teardown),
		cmocka_unit_test_setup_teardown(test_vol_admin, setup_ready, teardown),
		cmocka_unit_test_setup_teardown(test_rename_link, setup_ready, teardown),
		cmocka_unit_test_setup_teardown(test_dir_walk, setup_ready, teardown),
		cmocka_unit_test_setup_teardown(test_peer_role, setup_ready, teardown),
		cmocka_unit_test_setup_teardown(test_iu_resend, setup_ready, teardown),
		cmocka_unit_test_setup_teardown(test_xop_replay_err, setup_ready, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
