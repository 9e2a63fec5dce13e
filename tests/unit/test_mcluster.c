// SPDX-License-Identifier: Apache-2.0
/*
 * mcluster tests: registration by uuid, heartbeats and the failure
 * time-out (down, up, one epoch per change, a restart's grace period),
 * volume operations and their validation, and the MAP_GET, CLUSTER_STATUS
 * and VOL_LIST replies: sealfs_msg_parse() accepts them and they hold what
 * was put in. A map of SEALFS_MAX_SERVERS servers fits one reply; growth
 * past the payload limit is refused. Time is simulated; state lives in a
 * temporary directory (tmpfs when /dev/shm is there), removed afterwards.
 */
#include <errno.h>
#include <ftw.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "manager/mcluster.h"
#include "sealfs_placement.h"

#define T0		1000000ull	/* simulated start time, ms */
#define TS_HB		1000u
#define TS_FAIL		5000u

struct ts_ctx {
	char dir[256];
	struct mstate *ms;
	struct mcl *c;
	struct mcl_config cfg;
};

/* ---- helpers --------------------------------------------------------------- */

static int ts_rm(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
	(void)sb;
	(void)flag;
	(void)ftw;
	return remove(path);
}

static const char *ts_tmpbase(void)
{
	const char *tmp = getenv("TMPDIR");

	if (tmp && *tmp)
		return tmp;
	return access("/dev/shm", W_OK) == 0 ? "/dev/shm" : "/tmp";
}

/* Opens the state and the cluster as a (re)started manager would at @now. */
static void ts_start(struct ts_ctx *t, u64 now)
{
	char err[512];
	int ret = mstate_open(t->dir, &t->ms, err, sizeof(err));

	if (ret)
		fail_msg("mstate_open: %s", err);
	assert_int_equal(mcl_create(t->ms, &t->cfg, now, &t->c), 0);
}

static void ts_stop(struct ts_ctx *t)
{
	mcl_destroy(t->c);
	mstate_close(t->ms);
	t->c = NULL;
	t->ms = NULL;
}

static int ts_setup_limit(void **state, u32 max_payload)
{
	struct ts_ctx *t = calloc(1, sizeof(*t));

	if (!t)
		return -1;
	snprintf(t->dir, sizeof(t->dir), "%s/mcluster-XXXXXX", ts_tmpbase());
	if (!mkdtemp(t->dir)) {
		free(t);
		return -1;
	}
	t->cfg = (struct mcl_config){ TS_HB, TS_FAIL, max_payload };
	ts_start(t, T0);
	*state = t;
	return 0;
}

static int ts_setup(void **state)
{
	return ts_setup_limit(state, 0);
}

static int ts_setup_small(void **state)
{
	return ts_setup_limit(state, 1024);
}

static int ts_teardown(void **state)
{
	struct ts_ctx *t = *state;
	int ret;

	ts_stop(t);
	ret = nftw(t->dir, ts_rm, 16, FTW_DEPTH | FTW_PHYS);
	free(t);
	return ret;
}

/* A registration for uuid (tag, n); TCP endpoint 10.0.x.y:7421. */
static struct mcl_register ts_reg(u8 tag, u16 n)
{
	struct mcl_register r = { .weight = 100, .capacity = 1ull << 40 };

	memset(r.uuid, tag, sizeof(r.uuid));
	r.uuid[0] = n >> 8;
	r.uuid[1] = n;
	r.addr[SEALFS_TRANSPORT_TCP].family = cpu_to_le16(SEALFS_AF_INET);
	r.addr[SEALFS_TRANSPORT_TCP].port = cpu_to_le16(7421);
	r.addr[SEALFS_TRANSPORT_TCP].addr[0] = 10;
	r.addr[SEALFS_TRANSPORT_TCP].addr[2] = n >> 8;
	r.addr[SEALFS_TRANSPORT_TCP].addr[3] = n;
	return r;
}

static u32 ts_register(struct mcl *c, const struct mcl_register *r, u64 now)
{
	u32 id = 0;
	int ret = mcl_server_register(c, r, now, &id);

	if (ret)
		fail_msg("mcl_server_register: %d", ret);
	assert_int_not_equal(id, 0);
	return id;
}

static u32 ts_state(struct mcl *c, u32 id, u64 now)
{
	struct mcl_server_info info;

	assert_int_equal(mcl_server_info(c, id, now, &info), 0);
	return info.state;
}

static u32 ts_vol(struct mcl *c, const char *name, u64 qb, u64 qi, u32 chunk)
{
	u32 id = 0;
	int ret = mcl_vol_create(c, (const u8 *)name, strlen(name), qb, qi, chunk, &id);

	if (ret)
		fail_msg("mcl_vol_create(%s): %d", name, ret);
	return id;
}

static int ts_vol_ret(struct mcl *c, const char *name, u64 qb, u64 qi, u32 chunk)
{
	u32 id;

	return mcl_vol_create(c, (const u8 *)name, strlen(name), qb, qi, chunk, &id);
}

/*
 * A reply in a heap buffer of exactly mcl_reply_size() bytes, decoded and
 * parsed as a receiver would; @raw is freed by the caller.
 */
static void ts_parse(struct mcl *c, u16 opcode, u64 req_id, int rc, u8 *raw,
		     u32 size, struct sealfs_msg *m)
{
	struct sealfs_hdr_info h;

	assert_int_equal(rc, 0);
	assert_int_equal(sealfs_hdr_decode(raw, SEALFS_MAX_PAYLOAD, &h), 0);
	assert_int_equal(h.opcode, opcode);
	assert_int_equal(h.flags, SEALFS_HF_REPLY);
	assert_int_equal(h.status, SEALFS_S_OK);
	assert_true(h.req_id == req_id);
	assert_true(h.epoch == mcl_epoch(c));
	assert_int_equal(h.len + SEALFS_HDR_SIZE, size);
	assert_int_equal(sealfs_msg_parse(&h, raw + SEALFS_HDR_SIZE, h.len, m), 0);
}

static u8 *ts_encode(struct mcl *c, u16 opcode, u64 req_id, u64 now,
		     struct sealfs_msg *m)
{
	u32 size = mcl_reply_size(c, opcode);
	u8 *raw = malloc(size);
	struct sealfs_buf b;
	int rc = -1;

	assert_non_null(raw);
	sealfs_buf_init(&b, raw, size);
	if (opcode == SEALFS_OP_MAP_GET)
		rc = mcl_encode_map(c, req_id, &b);
	else if (opcode == SEALFS_OP_CLUSTER_STATUS)
		rc = mcl_encode_status(c, req_id, now, &b);
	assert_int_equal(b.len, size);
	ts_parse(c, opcode, req_id, rc, raw, size, m);
	return raw;
}

/* ---- membership ---------------------------------------------------------------- */

static void test_register_and_reregister(void **state)
{
	struct ts_ctx *t = *state;
	struct mcl_register a = ts_reg(0xa0, 1), b = ts_reg(0xb0, 2), c = ts_reg(0xc0, 3);
	struct mcl_server_info info;
	u64 e = mcl_epoch(t->c);
	u32 id;

	assert_int_equal(mcl_heartbeat_ms(t->c), TS_HB);
	assert_int_equal(ts_register(t->c, &a, T0), 1);
	assert_true(mcl_epoch(t->c) == ++e);
	assert_int_equal(ts_register(t->c, &b, T0), 2);
	assert_true(mcl_epoch(t->c) == ++e);
	/* the same registration again: same id, same map */
	assert_int_equal(ts_register(t->c, &a, T0 + 10), 1);
	assert_true(mcl_epoch(t->c) == e);
	/* a new weight or address: same id, new map */
	a.weight = 50;
	assert_int_equal(ts_register(t->c, &a, T0 + 20), 1);
	assert_true(mcl_epoch(t->c) == ++e);
	assert_int_equal(mcl_server_info(t->c, 1, T0 + 25, &info), 0);
	assert_int_equal(info.weight, 50);
	assert_int_equal(info.state, SEALFS_SRV_UP);
	assert_true(info.last_seen_ms == 5);
	assert_true(info.capacity == 1ull << 40);
	assert_int_equal(mcl_server_info(t->c, 9, T0, &info), -ENOENT);

	/* after a restart, the uuids keep their ids; new ones never reuse */
	ts_stop(t);
	ts_start(t, T0 + 100);
	assert_true(mcl_epoch(t->c) == e);
	assert_int_equal(ts_register(t->c, &b, T0 + 100), 2);
	assert_int_equal(ts_register(t->c, &a, T0 + 100), 1);
	assert_int_equal(ts_register(t->c, &c, T0 + 100), 3);

	/* refused registrations change nothing */
	e = mcl_epoch(t->c);
	c = ts_reg(0, 0);
	memset(c.uuid, 0, sizeof(c.uuid));
	assert_int_equal(mcl_server_register(t->c, &c, T0, &id), -EINVAL);
	c = ts_reg(0xd0, 4);
	c.weight = SEALFS_WEIGHT_MAX + 1;
	assert_int_equal(mcl_server_register(t->c, &c, T0, &id), -EINVAL);
	c = ts_reg(0xd0, 4);
	memset(&c.addr[SEALFS_TRANSPORT_TCP], 0, sizeof(c.addr[0]));
	c.addr[SEALFS_TRANSPORT_RDMA] = a.addr[SEALFS_TRANSPORT_TCP];
	assert_int_equal(mcl_server_register(t->c, &c, T0, &id), -EINVAL);	/* no TCP */
	c = ts_reg(0xd0, 4);
	c.addr[SEALFS_TRANSPORT_TCP].port = 0;
	assert_int_equal(mcl_server_register(t->c, &c, T0, &id), -EINVAL);
	c = ts_reg(0xd0, 4);
	c.addr[SEALFS_TRANSPORT_TCP].family = cpu_to_le16(3);
	assert_int_equal(mcl_server_register(t->c, &c, T0, &id), -EINVAL);
	assert_true(mcl_epoch(t->c) == e);
	/* weight 0 and an IPv6 RDMA endpoint are fine */
	c = ts_reg(0xd0, 4);
	c.weight = 0;
	c.addr[SEALFS_TRANSPORT_RDMA].family = cpu_to_le16(SEALFS_AF_INET6);
	c.addr[SEALFS_TRANSPORT_RDMA].port = cpu_to_le16(4791);
	c.addr[SEALFS_TRANSPORT_RDMA].addr[15] = 1;
	assert_int_equal(ts_register(t->c, &c, T0), 4);
}

static void test_heartbeat_timeout_down_up(void **state)
{
	struct ts_ctx *t = *state;
	struct mcl_register a = ts_reg(1, 1), b = ts_reg(2, 2);
	struct mcl_server_info info;
	u32 ida, idb;
	u64 e;

	ida = ts_register(t->c, &a, T0);
	idb = ts_register(t->c, &b, T0);
	e = mcl_epoch(t->c);
	assert_true(mcl_next_deadline(t->c) == T0 + TS_FAIL + 1);
	/* a heartbeats, b falls silent */
	assert_int_equal(mcl_server_heartbeat(t->c, ida, 77, 1000, 400, T0 + 3000), 0);
	assert_int_equal(mcl_tick(t->c, T0 + TS_FAIL), 0);	/* exactly the time-out: not older */
	assert_int_equal(ts_state(t->c, idb, T0 + TS_FAIL), SEALFS_SRV_UP);
	assert_true(mcl_epoch(t->c) == e);
	assert_int_equal(mcl_tick(t->c, T0 + TS_FAIL + 1), 1);
	assert_int_equal(ts_state(t->c, idb, T0 + TS_FAIL + 1), SEALFS_SRV_DOWN);
	assert_int_equal(ts_state(t->c, ida, T0 + TS_FAIL + 1), SEALFS_SRV_UP);
	assert_true(mcl_epoch(t->c) == ++e);
	assert_int_equal(mcl_tick(t->c, T0 + TS_FAIL + 2), 0);	/* already down */
	assert_true(mcl_epoch(t->c) == e);
	assert_true(mcl_next_deadline(t->c) == T0 + 3000 + TS_FAIL + 1);
	/* usage from the heartbeat */
	assert_int_equal(mcl_server_info(t->c, ida, T0 + 3500, &info), 0);
	assert_true(info.used == 400 && info.capacity == 1000 && info.boot_id == 77);
	assert_true(info.last_seen_ms == 500);
	/* a heartbeat from the down server marks it up */
	assert_int_equal(mcl_server_heartbeat(t->c, idb, 5, 1, 0, T0 + 6000), 0);
	assert_int_equal(ts_state(t->c, idb, T0 + 6000), SEALFS_SRV_UP);
	assert_true(mcl_epoch(t->c) == ++e);
	assert_int_equal(mcl_server_heartbeat(t->c, idb, 5, 1, 0, T0 + 6500), 0);
	assert_true(mcl_epoch(t->c) == e);	/* up already: no change */
	/* both silent: both down in one tick, one epoch */
	assert_int_equal(mcl_tick(t->c, T0 + 6500 + TS_FAIL + 1), 2);
	assert_true(mcl_epoch(t->c) == ++e);
	assert_true(mcl_next_deadline(t->c) == UINT64_MAX);
	/* registering again marks a down server up */
	assert_int_equal(ts_register(t->c, &a, T0 + 20000), ida);
	assert_int_equal(ts_state(t->c, ida, T0 + 20000), SEALFS_SRV_UP);
	assert_true(mcl_epoch(t->c) == ++e);
	/* unknown ids must register; a clock that went back does no harm */
	assert_int_equal(mcl_server_heartbeat(t->c, 99, 1, 1, 1, T0), -ENOENT);
	assert_int_equal(mcl_server_heartbeat(t->c, ida, 1, 1, 1, T0), 0);
	assert_int_equal(mcl_server_info(t->c, ida, T0 - 10, &info), 0);
	assert_true(info.last_seen_ms == 0);
	assert_int_equal(mcl_tick(t->c, T0 - 100), 0);
}

static void test_restart_grace_and_state(void **state)
{
	struct ts_ctx *t = *state;
	struct mcl_register a = ts_reg(1, 1), b = ts_reg(2, 2);
	u32 ida, idb;
	u64 e, t1 = T0 + 1000000;

	ida = ts_register(t->c, &a, T0);
	idb = ts_register(t->c, &b, T0);
	assert_int_equal(mcl_tick(t->c, T0 + TS_FAIL + 1), 2);
	assert_int_equal(mcl_server_heartbeat(t->c, ida, 1, 1, 1, T0 + TS_FAIL + 2), 0);
	e = mcl_epoch(t->c);
	/* restart much later: states and epoch as before, a full time-out of grace */
	ts_stop(t);
	ts_start(t, t1);
	assert_true(mcl_epoch(t->c) == e);
	assert_int_equal(ts_state(t->c, ida, t1), SEALFS_SRV_UP);
	assert_int_equal(ts_state(t->c, idb, t1), SEALFS_SRV_DOWN);
	assert_int_equal(mcl_tick(t->c, t1 + TS_FAIL), 0);
	assert_int_equal(mcl_tick(t->c, t1 + TS_FAIL + 1), 1);
	assert_int_equal(ts_state(t->c, ida, t1 + TS_FAIL + 1), SEALFS_SRV_DOWN);
	assert_true(mcl_epoch(t->c) == e + 1);
}

static void test_config_checks(void **state)
{
	struct ts_ctx *t = *state;
	struct mcl_config cfg = { 1000, 1999, 0 };
	struct mcl *c = (struct mcl *)0x1;

	assert_int_equal(mcl_create(t->ms, &cfg, T0, &c), -EINVAL);
	assert_null(c);
	cfg = (struct mcl_config){ 0, 0, SEALFS_MAX_PAYLOAD + 1 };
	assert_int_equal(mcl_create(t->ms, &cfg, T0, &c), -EINVAL);
	cfg = (struct mcl_config){ UINT32_MAX, 0, 0 };
	assert_int_equal(mcl_create(t->ms, &cfg, T0, &c), -EINVAL);
	cfg = (struct mcl_config){ 0, 0, 0 };
	assert_int_equal(mcl_create(t->ms, &cfg, T0, &c), 0);
	assert_int_equal(mcl_heartbeat_ms(c), MCL_HEARTBEAT_MS);
	mcl_destroy(c);
	mcl_destroy(NULL);
}

/* ---- volumes -------------------------------------------------------------------- */

static void test_volume_create_validation(void **state)
{
	struct ts_ctx *t = *state;
	struct mcl *c = t->c;
	u32 id;
	u64 e;

	assert_int_equal(ts_vol(c, "vol1", 0, 0, 0), 1);
	assert_int_equal(mstate_volume_get(t->ms, 1)->chunk_size, MCL_CHUNK_DEFAULT);
	assert_int_equal(ts_vol(c, "small", 1, 1, MCL_CHUNK_MIN), 2);
	assert_int_equal(ts_vol(c, "big", MCL_QUOTA_MAX, MCL_QUOTA_MAX, MCL_CHUNK_MAX), 3);
	e = mcl_epoch(c);
	assert_int_equal(ts_vol_ret(c, "vol1", 0, 0, 0), -EEXIST);
	assert_int_equal(ts_vol_ret(c, "x", 0, 0, MCL_CHUNK_MIN / 2), -EINVAL);
	assert_int_equal(ts_vol_ret(c, "x", 0, 0, MCL_CHUNK_MAX * 2u), -EINVAL);
	assert_int_equal(ts_vol_ret(c, "x", 0, 0, 3 * MCL_CHUNK_MIN), -EINVAL);
	assert_int_equal(ts_vol_ret(c, "x", 0, 0, 1), -EINVAL);
	assert_int_equal(ts_vol_ret(c, "x", MCL_QUOTA_MAX + 1, 0, 0), -EINVAL);
	assert_int_equal(ts_vol_ret(c, "x", 0, UINT64_MAX, 0), -EINVAL);
	assert_int_equal(ts_vol_ret(c, "", 0, 0, 0), -EINVAL);
	assert_int_equal(ts_vol_ret(c, ".x", 0, 0, 0), -EINVAL);
	assert_int_equal(ts_vol_ret(c, "a/b", 0, 0, 0), -EINVAL);
	assert_int_equal(ts_vol_ret(c, "a b", 0, 0, 0), -EINVAL);
	assert_int_equal(ts_vol_ret(c, "0123456789012345678901234567890123456789012345678901234567890123x",
				    0, 0, 0), -EINVAL);	/* 65 bytes */
	assert_int_equal(mcl_vol_create(c, (const u8 *)"ab\0", 3, 0, 0, 0, &id), -EINVAL);
	assert_true(mcl_epoch(c) == e);
	assert_int_equal(ts_vol(c, "0123456789012345678901234567890123456789012345678901234567890123",
				0, 0, 0), 4);	/* 64 bytes */
	assert_true(mcl_epoch(c) == e + 1);
}

static int ts_resize(struct mcl *c, const char *name, u32 flags, u64 qb, u64 qi)
{
	return mcl_vol_resize(c, (const u8 *)name, strlen(name), flags, qb, qi);
}

static int ts_delete(struct mcl *c, const char *name)
{
	return mcl_vol_delete(c, (const u8 *)name, strlen(name));
}

static void test_volume_resize_delete(void **state)
{
	struct ts_ctx *t = *state;
	struct mcl *c = t->c;
	const struct mstate_volume *v;
	u32 id = ts_vol(c, "v", 100, 10, 0);
	u64 e = mcl_epoch(c);

	assert_int_equal(ts_resize(c, "v", SEALFS_VR_BYTES, 200, 999), 0);
	v = mstate_volume_get(t->ms, id);
	assert_true(v->quota_bytes == 200 && v->quota_inodes == 10);
	assert_true(mcl_epoch(c) == ++e);
	assert_int_equal(ts_resize(c, "v", SEALFS_VR_INODES, 999, 20), 0);
	v = mstate_volume_get(t->ms, id);
	assert_true(v->quota_bytes == 200 && v->quota_inodes == 20);
	assert_true(mcl_epoch(c) == ++e);
	assert_int_equal(ts_resize(c, "v", SEALFS_VR_BYTES | SEALFS_VR_INODES, 0, 0), 0);
	v = mstate_volume_get(t->ms, id);
	assert_true(v->quota_bytes == 0 && v->quota_inodes == 0);
	assert_true(mcl_epoch(c) == ++e);
	assert_int_equal(ts_resize(c, "v", SEALFS_VR_BYTES, 0, 0), 0);	/* no change */
	assert_true(mcl_epoch(c) == e);
	assert_int_equal(ts_resize(c, "v", 0, 1, 1), -EINVAL);
	assert_int_equal(ts_resize(c, "v", 4, 1, 1), -EINVAL);
	assert_int_equal(ts_resize(c, "v", SEALFS_VR_BYTES, MCL_QUOTA_MAX + 1, 0), -EINVAL);
	assert_int_equal(ts_resize(c, "w", SEALFS_VR_BYTES, 1, 0), -ENOENT);
	assert_int_equal(ts_resize(c, "-", SEALFS_VR_BYTES, 1, 0), -EINVAL);
	assert_true(mcl_epoch(c) == e);

	/* delete: the volume stays in the map, deleting, its name taken */
	assert_int_equal(ts_delete(c, "v"), 0);
	assert_int_equal(mstate_volume_get(t->ms, id)->state, SEALFS_VOL_DELETING);
	assert_true(mcl_epoch(c) == ++e);
	assert_int_equal(ts_delete(c, "v"), 0);
	assert_true(mcl_epoch(c) == e);
	assert_int_equal(ts_vol_ret(c, "v", 0, 0, 0), -EEXIST);
	assert_int_equal(ts_resize(c, "v", SEALFS_VR_BYTES, 1, 0), -EBUSY);
	assert_int_equal(ts_delete(c, "w"), -ENOENT);
	assert_int_equal(ts_delete(c, ""), -EINVAL);
	/* purged: gone; the id is never used again */
	assert_int_equal(mcl_vol_purged(c, id), 0);
	assert_true(mcl_epoch(c) == ++e);
	assert_null(mstate_volume_get(t->ms, id));
	assert_int_equal(mcl_vol_purged(c, id), -ENOENT);
	assert_int_equal(ts_vol(c, "v", 0, 0, 0), id + 1);
	assert_int_equal(mcl_vol_purged(c, id + 1), -EINVAL);	/* not being deleted */
}

/* ---- replies ---------------------------------------------------------------------- */

static void test_map_reply(void **state)
{
	struct ts_ctx *t = *state;
	struct mcl_register a = ts_reg(1, 1), b = ts_reg(2, 2);
	const struct sealfs_map_server *ms;
	const struct sealfs_map_volume *mv;
	const struct sealfs_map_rep *rep;
	struct sealfs_rec_iter it;
	struct sealfs_rec rec;
	struct sealfs_msg m;
	struct sealfs_buf buf;
	u8 *raw, small[64];
	u32 n = 0;

	/* an empty map parses too */
	raw = ts_encode(t->c, SEALFS_OP_MAP_GET, 7, 0, &m);
	assert_int_equal(m.nrecs, 0);
	free(raw);

	a.addr[SEALFS_TRANSPORT_RDMA].family = cpu_to_le16(SEALFS_AF_INET6);
	a.addr[SEALFS_TRANSPORT_RDMA].port = cpu_to_le16(4791);
	a.addr[SEALFS_TRANSPORT_RDMA].addr[0] = 0xfd;
	ts_register(t->c, &a, T0);
	b.weight = 250;
	ts_register(t->c, &b, T0);
	assert_int_equal(mcl_tick(t->c, T0 + TS_FAIL + 1), 2);
	ts_vol(t->c, "alpha", 5, 6, 0);
	ts_vol(t->c, "b", 0, 0, MCL_CHUNK_MIN);
	assert_int_equal(ts_delete(t->c, "b"), 0);

	raw = ts_encode(t->c, SEALFS_OP_MAP_GET, 0x123456789ull, 0, &m);
	rep = m.body;
	assert_true(le64_to_cpu(rep->epoch) == mcl_epoch(t->c));
	assert_int_equal(le32_to_cpu(rep->count), 4);
	assert_int_equal(m.nrecs, 4);
	sealfs_rec_iter_init(&it, &m);
	while (sealfs_rec_next(&it, &rec)) {
		if (n < 2) {
			assert_int_equal(rec.kind, SEALFS_REC_MAP_SERVER);
			ms = rec.body;
			assert_int_equal(le32_to_cpu(ms->id), n + 1);
			assert_int_equal(le32_to_cpu(ms->state), SEALFS_SRV_DOWN);
			assert_int_equal(le32_to_cpu(ms->weight), n ? 250 : 100);
			assert_memory_equal(ms->uuid, n ? b.uuid : a.uuid, 16);
			assert_memory_equal(ms->addr, n ? b.addr : a.addr, sizeof(ms->addr));
			assert_null(rec.name);
		} else {
			assert_int_equal(rec.kind, SEALFS_REC_MAP_VOLUME);
			mv = rec.body;
			assert_int_equal(le32_to_cpu(mv->id), n - 1);
			if (n == 2) {
				assert_int_equal(rec.name_len, 5);
				assert_memory_equal(rec.name, "alpha", 5);
				assert_int_equal(le32_to_cpu(mv->chunk_size), MCL_CHUNK_DEFAULT);
				assert_true(le64_to_cpu(mv->quota_bytes) == 5);
				assert_true(le64_to_cpu(mv->quota_inodes) == 6);
				assert_int_equal(le32_to_cpu(mv->state), SEALFS_VOL_ACTIVE);
			} else {
				assert_int_equal(rec.name_len, 1);
				assert_memory_equal(rec.name, "b", 1);
				assert_int_equal(le32_to_cpu(mv->chunk_size), MCL_CHUNK_MIN);
				assert_int_equal(le32_to_cpu(mv->state), SEALFS_VOL_DELETING);
			}
		}
		n++;
	}
	assert_int_equal(n, 4);
	free(raw);
	/* a buffer too small */
	sealfs_buf_init(&buf, small, sizeof(small));
	assert_int_equal(mcl_encode_map(t->c, 1, &buf), -EMSGSIZE);
	assert_int_equal(mcl_reply_size(t->c, SEALFS_OP_PING), 0);
}

static void test_status_reply(void **state)
{
	struct ts_ctx *t = *state;
	struct mcl_register a = ts_reg(1, 1), b = ts_reg(2, 2);
	const struct sealfs_srv_status *st;
	struct sealfs_rec_iter it;
	struct sealfs_rec rec;
	struct sealfs_msg m;
	u32 ida, idb, n = 0;
	u8 *raw;

	ida = ts_register(t->c, &a, T0);
	idb = ts_register(t->c, &b, T0);
	assert_int_equal(mcl_server_heartbeat(t->c, ida, 9, 5000, 1234, T0 + 4000), 0);
	assert_int_equal(mcl_tick(t->c, T0 + TS_FAIL + 1), 1);
	raw = ts_encode(t->c, SEALFS_OP_CLUSTER_STATUS, 42, T0 + 6000, &m);
	assert_int_equal(m.nrecs, 2);
	sealfs_rec_iter_init(&it, &m);
	while (sealfs_rec_next(&it, &rec)) {
		assert_int_equal(rec.kind, SEALFS_REC_SRV_STATUS);
		st = rec.body;
		assert_int_equal(le32_to_cpu(st->id), n ? idb : ida);
		assert_int_equal(le32_to_cpu(st->state), n ? SEALFS_SRV_DOWN : SEALFS_SRV_UP);
		assert_int_equal(le32_to_cpu(st->weight), 100);
		assert_memory_equal(st->uuid, n ? b.uuid : a.uuid, 16);
		assert_memory_equal(st->addr, n ? b.addr : a.addr, sizeof(st->addr));
		assert_true(le64_to_cpu(st->capacity) == (n ? 1ull << 40 : 5000));
		assert_true(le64_to_cpu(st->used) == (n ? 0 : 1234));
		assert_true(le64_to_cpu(st->last_seen_ms) == (n ? 6000 : 2000));
		n++;
	}
	assert_int_equal(n, 2);
	free(raw);
}

static void ts_usage(void *ctx, u32 vol, u64 *bytes, u64 *inodes)
{
	(*(int *)ctx)++;
	*bytes = vol * 1000ull;
	*inodes = vol * 10ull;
}

static void test_vol_list_reply(void **state)
{
	struct ts_ctx *t = *state;
	const struct sealfs_volinfo *vi;
	struct sealfs_rec_iter it;
	struct sealfs_rec rec;
	struct sealfs_msg m;
	struct sealfs_buf b;
	int calls = 0, pass;
	u32 size, n;
	u8 *raw;

	ts_vol(t->c, "one", 1ull << 40, 100, 0);
	ts_vol(t->c, "two-2", 0, 0, MCL_CHUNK_MAX);
	assert_int_equal(ts_delete(t->c, "two-2"), 0);
	for (pass = 0; pass < 2; pass++) {
		size = mcl_reply_size(t->c, SEALFS_OP_VOL_LIST);
		raw = malloc(size);
		assert_non_null(raw);
		sealfs_buf_init(&b, raw, size);
		ts_parse(t->c, SEALFS_OP_VOL_LIST, 3,
			 mcl_encode_vol_list(t->c, 3, pass ? ts_usage : NULL, &calls, &b),
			 raw, size, &m);
		assert_int_equal(m.nrecs, 2);
		n = 0;
		sealfs_rec_iter_init(&it, &m);
		while (sealfs_rec_next(&it, &rec)) {
			assert_int_equal(rec.kind, SEALFS_REC_VOLINFO);
			vi = rec.body;
			assert_int_equal(le32_to_cpu(vi->id), n + 1);
			assert_int_equal(rec.name_len, n ? 5 : 3);
			assert_memory_equal(rec.name, n ? "two-2" : "one", rec.name_len);
			assert_int_equal(le32_to_cpu(vi->chunk_size),
					 n ? MCL_CHUNK_MAX : MCL_CHUNK_DEFAULT);
			assert_true(le64_to_cpu(vi->quota_bytes) == (n ? 0 : 1ull << 40));
			assert_true(le64_to_cpu(vi->quota_inodes) == (n ? 0 : 100));
			assert_int_equal(le32_to_cpu(vi->state),
					 n ? SEALFS_VOL_DELETING : SEALFS_VOL_ACTIVE);
			assert_true(le64_to_cpu(vi->used_bytes) == (pass ? (n + 1) * 1000ull : 0));
			assert_true(le64_to_cpu(vi->used_inodes) == (pass ? (n + 1) * 10ull : 0));
			n++;
		}
		assert_int_equal(n, 2);
		free(raw);
	}
	assert_int_equal(calls, 2);
	/* a buffer too small */
	raw = malloc(SEALFS_HDR_SIZE);
	assert_non_null(raw);
	sealfs_buf_init(&b, raw, SEALFS_HDR_SIZE);
	assert_int_equal(mcl_encode_vol_list(t->c, 3, NULL, NULL, &b), -EMSGSIZE);
	free(raw);
}

/*
 * SEALFS_MAX_SERVERS servers: all register, the next is refused, and the
 * map and status replies fit one message and parse.
 */
static void test_full_map_fits(void **state)
{
	struct ts_ctx *t = *state;
	struct mcl_register r;
	struct sealfs_msg m;
	u32 i, id;
	u8 *raw;

	for (i = 0; i < SEALFS_MAX_SERVERS; i++) {
		r = ts_reg(0x5e, i);
		assert_int_equal(ts_register(t->c, &r, T0), i + 1);
	}
	r = ts_reg(0x5f, 0);
	assert_int_equal(mcl_server_register(t->c, &r, T0, &id), -ENOSPC);
	assert_int_equal(mcl_reply_size(t->c, SEALFS_OP_MAP_GET),
			 SEALFS_HDR_SIZE + 16 + SEALFS_MAX_SERVERS * 88);
	raw = ts_encode(t->c, SEALFS_OP_MAP_GET, 1, 0, &m);
	assert_int_equal(m.nrecs, SEALFS_MAX_SERVERS);
	free(raw);
	raw = ts_encode(t->c, SEALFS_OP_CLUSTER_STATUS, 1, T0, &m);
	assert_int_equal(m.nrecs, SEALFS_MAX_SERVERS);
	free(raw);
	/*
	 * The documented limit (mcluster.h): next to the full server list,
	 * SEALFS_MAX_VOLUMES volumes fit with names of up to 8 bytes, not 9.
	 */
	assert_true(16 + SEALFS_MAX_SERVERS * 88 + SEALFS_MAX_VOLUMES * 48ull <=
		    SEALFS_MAX_PAYLOAD);
	assert_true(8 + SEALFS_MAX_VOLUMES * 64ull <= SEALFS_MAX_PAYLOAD);
	assert_true(8 + SEALFS_MAX_VOLUMES * 72ull > SEALFS_MAX_PAYLOAD);
}

/* With a 1024-byte payload limit, growth past it is refused. */
static void test_payload_limit(void **state)
{
	struct ts_ctx *t = *state;
	static const char long_name[] =
		"0123456789012345678901234567890123456789012345678901234567890-%02u";
	struct mcl_register r = ts_reg(1, 1);
	struct sealfs_msg m;
	char name[80];
	u32 i, id;
	u8 *raw;

	ts_register(t->c, &r, T0);	/* map: 16 + 88 */
	for (i = 0; i < 8; i++) {	/* volinfo records of 120 bytes */
		snprintf(name, sizeof(name), long_name, i);
		assert_int_equal(strlen(name), SEALFS_VOLNAME_MAX);
		ts_vol(t->c, name, 0, 0, 0);
	}
	assert_int_equal(mcl_reply_size(t->c, SEALFS_OP_VOL_LIST), SEALFS_HDR_SIZE + 968);
	assert_int_equal(ts_vol_ret(t->c, "x", 0, 0, 0), -ENOSPC);	/* 968 + 64 */
	/* the map (16 + 88 + 8 * 104 = 936) takes exactly one more server */
	r = ts_reg(2, 2);
	ts_register(t->c, &r, T0);
	assert_int_equal(mcl_reply_size(t->c, SEALFS_OP_MAP_GET), SEALFS_HDR_SIZE + 1024);
	r = ts_reg(3, 3);
	assert_int_equal(mcl_server_register(t->c, &r, T0, &id), -ENOSPC);
	r = ts_reg(1, 1);	/* known servers still register */
	r.weight = 1;
	assert_int_equal(mcl_server_register(t->c, &r, T0, &id), 0);
	raw = ts_encode(t->c, SEALFS_OP_MAP_GET, 1, 0, &m);
	assert_int_equal(m.nrecs, 10);
	free(raw);
	/* after a purge there is room again */
	snprintf(name, sizeof(name), long_name, 0);
	assert_int_equal(ts_delete(t->c, name), 0);
	assert_int_equal(mcl_vol_purged(t->c, 1), 0);
	ts_vol(t->c, "x", 0, 0, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_register_and_reregister, ts_setup, ts_teardown),
		cmocka_unit_test_setup_teardown(test_heartbeat_timeout_down_up, ts_setup, ts_teardown),
		cmocka_unit_test_setup_teardown(test_restart_grace_and_state, ts_setup, ts_teardown),
		cmocka_unit_test_setup_teardown(test_config_checks, ts_setup, ts_teardown),
		cmocka_unit_test_setup_teardown(test_volume_create_validation, ts_setup, ts_teardown),
		cmocka_unit_test_setup_teardown(test_volume_resize_delete, ts_setup, ts_teardown),
		cmocka_unit_test_setup_teardown(test_map_reply, ts_setup, ts_teardown),
		cmocka_unit_test_setup_teardown(test_status_reply, ts_setup, ts_teardown),
		cmocka_unit_test_setup_teardown(test_vol_list_reply, ts_setup, ts_teardown),
		cmocka_unit_test_setup_teardown(test_full_map_fits, ts_setup, ts_teardown),
		cmocka_unit_test_setup_teardown(test_payload_limit, ts_setup_small, ts_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
