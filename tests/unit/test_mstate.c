// SPDX-License-Identifier: Apache-2.0
/*
 * mstate tests: the manager's LevelDB state survives close and reopen,
 * ids stay with their uuid and are never reused, the epoch only grows and
 * only with changes the map shows, bad input is refused, and a damaged
 * database fails to open with a message naming the key. Each test works in
 * its own temporary directory (on tmpfs when /dev/shm is there, which
 * keeps synchronous writes fast), removed afterwards.
 */
#include <errno.h>
#include <ftw.h>
#include <leveldb/c.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "manager/mstate.h"
#include "sealfs_placement.h"

#define TS_SRV_STATE_OFF	12	/* offsetof(struct mstate_srv_rec, state) */
#define TS_VOL_CHUNK_OFF	8	/* offsetof(struct mstate_vol_rec, chunk_size) */

struct ts_ctx {
	char dir[256];
	char db[300];
};

static char ts_err[512];

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

static int ts_setup(void **state)
{
	struct ts_ctx *c = calloc(1, sizeof(*c));

	if (!c)
		return -1;
	snprintf(c->dir, sizeof(c->dir), "%s/mstate-XXXXXX", ts_tmpbase());
	if (!mkdtemp(c->dir)) {
		free(c);
		return -1;
	}
	snprintf(c->db, sizeof(c->db), "%s/state", c->dir);
	*state = c;
	return 0;
}

static int ts_teardown(void **state)
{
	struct ts_ctx *c = *state;
	int ret = nftw(c->dir, ts_rm, 16, FTW_DEPTH | FTW_PHYS);

	free(c);
	return ret;
}

static struct mstate *ts_open(const char *db)
{
	struct mstate *ms = NULL;
	int ret = mstate_open(db, &ms, ts_err, sizeof(ts_err));

	if (ret)
		fail_msg("mstate_open: %d: %s", ret, ts_err);
	return ms;
}

static struct mstate_server ts_server(u8 tag, u16 port)
{
	struct mstate_server s = {
		.weight = 100,
		.state = SEALFS_SRV_UP,
		.capacity = 1ull << 40,
	};

	memset(s.uuid, tag, sizeof(s.uuid));
	s.addr[SEALFS_TRANSPORT_TCP].family = cpu_to_le16(SEALFS_AF_INET);
	s.addr[SEALFS_TRANSPORT_TCP].port = cpu_to_le16(port);
	s.addr[SEALFS_TRANSPORT_TCP].addr[0] = 10;
	s.addr[SEALFS_TRANSPORT_TCP].addr[3] = tag;
	return s;
}

static struct mstate_volume ts_volume(const char *name)
{
	struct mstate_volume v = {
		.chunk_size = 1u << 20,
		.quota_bytes = 100ull << 30,
		.state = SEALFS_VOL_ACTIVE,
	};

	v.name_len = strlen(name);
	memcpy(v.name, name, v.name_len);
	return v;
}

static u32 ts_register(struct mstate *ms, const struct mstate_server *s)
{
	u32 id = 0;

	assert_int_equal(mstate_server_register(ms, s, &id), 0);
	assert_int_not_equal(id, 0);
	return id;
}

static u32 ts_add_volume(struct mstate *ms, const char *name)
{
	struct mstate_volume v = ts_volume(name);
	u32 id = 0;

	assert_int_equal(mstate_volume_add(ms, &v, &id), 0);
	assert_int_not_equal(id, 0);
	return id;
}

/* Raw LevelDB access to damage a closed state. */
static leveldb_t *ts_raw_open(const char *db, leveldb_options_t **o)
{
	char *err = NULL;
	leveldb_t *l;

	*o = leveldb_options_create();
	l = leveldb_open(*o, db, &err);
	if (err)
		fail_msg("leveldb_open: %s", err);
	return l;
}

static void ts_raw_close(leveldb_t *l, leveldb_options_t *o)
{
	leveldb_close(l);
	leveldb_options_destroy(o);
}

static void ts_raw_put(const char *db, const char *key, size_t klen,
		       const void *val, size_t vlen)
{
	leveldb_writeoptions_t *w = leveldb_writeoptions_create();
	leveldb_options_t *o;
	leveldb_t *l = ts_raw_open(db, &o);
	char *err = NULL;

	if (val)
		leveldb_put(l, w, key, klen, val, vlen, &err);
	else
		leveldb_delete(l, w, key, klen, &err);
	assert_null(err);
	leveldb_writeoptions_destroy(w);
	ts_raw_close(l, o);
}

/* Reads @key into @buf (at most 256 bytes); returns its length. */
static size_t ts_raw_get(const char *db, const char *key, u8 *buf)
{
	leveldb_readoptions_t *r = leveldb_readoptions_create();
	leveldb_options_t *o;
	leveldb_t *l = ts_raw_open(db, &o);
	char *err = NULL, *v;
	size_t n = 0;

	v = leveldb_get(l, r, key, strlen(key), &n, &err);
	assert_null(err);
	assert_non_null(v);
	assert_true(n <= 256);
	memcpy(buf, v, n);
	leveldb_free(v);
	leveldb_readoptions_destroy(r);
	ts_raw_close(l, o);
	return n;
}

static void ts_same_server(const struct mstate_server *a, const struct mstate_server *b)
{
	assert_int_equal(a->id, b->id);
	assert_int_equal(a->weight, b->weight);
	assert_int_equal(a->state, b->state);
	assert_memory_equal(a->uuid, b->uuid, sizeof(a->uuid));
	assert_memory_equal(a->addr, b->addr, sizeof(a->addr));
	assert_true(a->capacity == b->capacity);
}

static void ts_same_volume(const struct mstate_volume *a, const struct mstate_volume *b)
{
	assert_int_equal(a->id, b->id);
	assert_int_equal(a->chunk_size, b->chunk_size);
	assert_true(a->quota_bytes == b->quota_bytes);
	assert_true(a->quota_inodes == b->quota_inodes);
	assert_int_equal(a->state, b->state);
	assert_int_equal(a->name_len, b->name_len);
	assert_string_equal(a->name, b->name);
}

/* ---- tests ------------------------------------------------------------------ */

static void test_new_state(void **state)
{
	struct ts_ctx *c = *state;
	struct mstate *ms = ts_open(c->db);

	assert_true(mstate_epoch(ms) == 1);
	assert_int_equal(mstate_server_count(ms), 0);
	assert_int_equal(mstate_volume_count(ms), 0);
	assert_null(mstate_server_at(ms, 0));
	assert_null(mstate_volume_at(ms, 0));
	assert_null(mstate_server_get(ms, 1));
	assert_string_equal(mstate_last_error(ms), "");
	mstate_close(ms);
	/* reopening an empty state keeps epoch 1 */
	ms = ts_open(c->db);
	assert_true(mstate_epoch(ms) == 1);
	mstate_close(ms);
	mstate_close(NULL);
}

static void test_persistence(void **state)
{
	struct ts_ctx *c = *state;
	struct mstate_server srv[3], s;
	struct mstate_volume vol[2], v;
	struct mstate *ms = ts_open(c->db);
	u32 i, vid;
	u64 epoch;

	for (i = 0; i < 3; i++) {
		srv[i] = ts_server(0x10 + i, 7421 + i);
		srv[i].id = ts_register(ms, &srv[i]);
		assert_int_equal(srv[i].id, i + 1);
	}
	/* IPv6 and RDMA endpoints, weight 0, a down server */
	srv[2].addr[SEALFS_TRANSPORT_RDMA].family = cpu_to_le16(SEALFS_AF_INET6);
	srv[2].addr[SEALFS_TRANSPORT_RDMA].port = cpu_to_le16(4791);
	memset(srv[2].addr[SEALFS_TRANSPORT_RDMA].addr, 0xfe, 16);
	srv[2].weight = 0;
	srv[2].state = SEALFS_SRV_DOWN;
	assert_int_equal(mstate_server_update(ms, &srv[2]), 0);
	vol[0] = ts_volume("alpha");
	vol[0].id = ts_add_volume(ms, "alpha");
	vid = ts_add_volume(ms, "gone");
	vol[1] = ts_volume("beta.2_x-y");
	assert_int_equal(mstate_volume_add(ms, &vol[1], &vol[1].id), 0);
	assert_int_equal(vol[1].id, 3);
	vol[1].quota_inodes = 1000000;
	vol[1].state = SEALFS_VOL_DELETING;
	assert_int_equal(mstate_volume_update(ms, &vol[1]), 0);
	assert_int_equal(mstate_volume_remove(ms, vid), 0);
	epoch = mstate_epoch(ms);
	mstate_close(ms);

	ms = ts_open(c->db);
	assert_true(mstate_epoch(ms) == epoch);
	assert_int_equal(mstate_server_count(ms), 3);
	for (i = 0; i < 3; i++) {
		ts_same_server(mstate_server_at(ms, i), &srv[i]);
		ts_same_server(mstate_server_get(ms, srv[i].id), &srv[i]);
		ts_same_server(mstate_server_by_uuid(ms, srv[i].uuid), &srv[i]);
	}
	assert_int_equal(mstate_volume_count(ms), 2);
	ts_same_volume(mstate_volume_at(ms, 0), &vol[0]);
	ts_same_volume(mstate_volume_at(ms, 1), &vol[1]);
	ts_same_volume(mstate_volume_by_name(ms, "beta.2_x-y", 10), &vol[1]);
	assert_null(mstate_volume_get(ms, vid));
	assert_null(mstate_volume_by_name(ms, "gone", 4));
	/* ids are never reused, across reopens too */
	s = ts_server(0x20, 1);
	assert_int_equal(ts_register(ms, &s), 4);
	v = ts_volume("gone");
	assert_int_equal(mstate_volume_add(ms, &v, &vid), 0);
	assert_int_equal(vid, 4);
	mstate_close(ms);
}

static void test_uuid_keeps_its_id(void **state)
{
	struct ts_ctx *c = *state;
	struct mstate *ms = ts_open(c->db);
	struct mstate_server a = ts_server(0xaa, 7421), b = ts_server(0xbb, 7421);
	u64 epoch;
	u32 id;

	assert_int_equal(ts_register(ms, &a), 1);
	assert_int_equal(ts_register(ms, &b), 2);
	epoch = mstate_epoch(ms);
	/* same uuid, same everything: same id, nothing written */
	assert_int_equal(ts_register(ms, &a), 1);
	assert_true(mstate_epoch(ms) == epoch);
	/* same uuid, new address: same id, new epoch */
	a.addr[0].port = cpu_to_le16(9000);
	assert_int_equal(ts_register(ms, &a), 1);
	assert_true(mstate_epoch(ms) == epoch + 1);
	assert_int_equal(le16_to_cpu(mstate_server_get(ms, 1)->addr[0].port), 9000);
	/* the id passed in is ignored */
	a.id = 77;
	assert_int_equal(mstate_server_register(ms, &a, &id), 0);
	assert_int_equal(id, 1);
	mstate_close(ms);
	ms = ts_open(c->db);
	assert_int_equal(ts_register(ms, &b), 2);
	assert_int_equal(ts_register(ms, &a), 1);
	assert_int_equal(mstate_server_count(ms), 2);
	mstate_close(ms);
}

static void test_epoch_only_grows(void **state)
{
	struct ts_ctx *c = *state;
	struct mstate *ms = ts_open(c->db);
	struct mstate_server a = ts_server(1, 7421), b = ts_server(2, 7421);
	struct mstate_volume v;
	u32 ids[2];
	u64 e = mstate_epoch(ms);

	a.id = ts_register(ms, &a);
	assert_true(mstate_epoch(ms) == ++e);
	b.id = ts_register(ms, &b);
	assert_true(mstate_epoch(ms) == ++e);
	/* capacity is not in the map: written, no new epoch */
	a.capacity = 5;
	assert_int_equal(mstate_server_update(ms, &a), 0);
	assert_true(mstate_epoch(ms) == e);
	assert_true(mstate_server_get(ms, a.id)->capacity == 5);
	/* weight is */
	a.weight = 200;
	assert_int_equal(mstate_server_update(ms, &a), 0);
	assert_true(mstate_epoch(ms) == ++e);
	/* two servers down: one batch, one epoch; again: nothing */
	ids[0] = a.id;
	ids[1] = b.id;
	assert_int_equal(mstate_servers_set_state(ms, ids, 2, SEALFS_SRV_DOWN), 0);
	assert_true(mstate_epoch(ms) == ++e);
	assert_int_equal(mstate_server_get(ms, b.id)->state, SEALFS_SRV_DOWN);
	assert_int_equal(mstate_servers_set_state(ms, ids, 2, SEALFS_SRV_DOWN), 0);
	assert_true(mstate_epoch(ms) == e);
	mstate_close(ms);

	ms = ts_open(c->db);
	assert_true(mstate_epoch(ms) == e);
	assert_int_equal(mstate_server_get(ms, a.id)->state, SEALFS_SRV_DOWN);
	assert_true(mstate_server_get(ms, a.id)->capacity == 5);
	v = ts_volume("v");
	assert_int_equal(mstate_volume_add(ms, &v, &v.id), 0);
	assert_true(mstate_epoch(ms) == ++e);
	assert_int_equal(mstate_volume_update(ms, &v), 0);	/* no change */
	assert_true(mstate_epoch(ms) == e);
	v.quota_bytes++;
	assert_int_equal(mstate_volume_update(ms, &v), 0);
	assert_true(mstate_epoch(ms) == ++e);
	assert_int_equal(mstate_volume_remove(ms, v.id), 0);
	assert_true(mstate_epoch(ms) == ++e);
	mstate_close(ms);
	ms = ts_open(c->db);
	assert_true(mstate_epoch(ms) == e);
	mstate_close(ms);
}

static void test_volume_errors(void **state)
{
	struct ts_ctx *c = *state;
	struct mstate *ms = ts_open(c->db);
	struct mstate_volume v, w;
	u32 id = 0, a, b;
	u64 e;

	a = ts_add_volume(ms, "a");
	b = ts_add_volume(ms, "b");
	e = mstate_epoch(ms);
	v = ts_volume("a");
	assert_int_equal(mstate_volume_add(ms, &v, &id), -EEXIST);
	v = ts_volume("bad name");
	assert_int_equal(mstate_volume_add(ms, &v, &id), -EINVAL);
	v = ts_volume("-a");
	assert_int_equal(mstate_volume_add(ms, &v, &id), -EINVAL);
	v = ts_volume("");
	assert_int_equal(mstate_volume_add(ms, &v, &id), -EINVAL);
	v = ts_volume("c");
	v.name_len = SEALFS_VOLNAME_MAX + 1;
	assert_int_equal(mstate_volume_add(ms, &v, &id), -EINVAL);
	v = ts_volume("c");
	v.chunk_size = 3 << 20;
	assert_int_equal(mstate_volume_add(ms, &v, &id), -EINVAL);
	v.chunk_size = 0;
	assert_int_equal(mstate_volume_add(ms, &v, &id), -EINVAL);
	v = ts_volume("c");
	v.state = 9;
	assert_int_equal(mstate_volume_add(ms, &v, &id), -EINVAL);
	/* updates and removals */
	w = *mstate_volume_get(ms, b);
	memcpy(w.name, "a", 2);
	w.name_len = 1;
	assert_int_equal(mstate_volume_update(ms, &w), -EEXIST);
	w.id = 99;
	assert_int_equal(mstate_volume_update(ms, &w), -ENOENT);
	assert_int_equal(mstate_volume_remove(ms, 99), -ENOENT);
	assert_int_equal(mstate_volume_remove(ms, 0), -ENOENT);
	assert_true(mstate_epoch(ms) == e);
	assert_int_equal(mstate_volume_count(ms), 2);
	/* a volume may be renamed to a free name */
	w = *mstate_volume_get(ms, a);
	memcpy(w.name, "z", 2);
	assert_int_equal(mstate_volume_update(ms, &w), 0);
	assert_non_null(mstate_volume_by_name(ms, "z", 1));
	assert_null(mstate_volume_by_name(ms, "a", 1));
	mstate_close(ms);
}

static void test_server_errors(void **state)
{
	struct ts_ctx *c = *state;
	struct mstate *ms = ts_open(c->db);
	struct mstate_server a = ts_server(1, 7421), b = ts_server(2, 7421), s;
	u32 id = 0, ids[2];
	u64 e;

	a.id = ts_register(ms, &a);
	b.id = ts_register(ms, &b);
	e = mstate_epoch(ms);
	s = ts_server(0, 7421);
	assert_int_equal(mstate_server_register(ms, &s, &id), -EINVAL);
	s = ts_server(3, 7421);
	s.weight = SEALFS_WEIGHT_MAX + 1;
	assert_int_equal(mstate_server_register(ms, &s, &id), -EINVAL);
	s = ts_server(3, 7421);
	s.state = 0;
	assert_int_equal(mstate_server_register(ms, &s, &id), -EINVAL);
	s = ts_server(3, 0);
	assert_int_equal(mstate_server_register(ms, &s, &id), -EINVAL);
	s = ts_server(3, 7421);
	s.addr[0].family = cpu_to_le16(5);
	assert_int_equal(mstate_server_register(ms, &s, &id), -EINVAL);
	s = ts_server(3, 7421);
	s.addr[0].addr[4] = 1;	/* IPv4 with bytes past the fourth */
	assert_int_equal(mstate_server_register(ms, &s, &id), -EINVAL);
	s = ts_server(3, 7421);
	s.addr[0].reserved = cpu_to_le32(1);
	assert_int_equal(mstate_server_register(ms, &s, &id), -EINVAL);
	s = ts_server(3, 7421);
	s.addr[1].port = cpu_to_le16(1);	/* no RDMA endpoint, but a port */
	assert_int_equal(mstate_server_register(ms, &s, &id), -EINVAL);
	/* updates */
	s = a;
	s.id = 99;
	assert_int_equal(mstate_server_update(ms, &s), -ENOENT);
	s = a;
	memcpy(s.uuid, b.uuid, sizeof(s.uuid));
	assert_int_equal(mstate_server_update(ms, &s), -EEXIST);
	ids[0] = a.id;
	ids[1] = 99;
	assert_int_equal(mstate_servers_set_state(ms, ids, 2, SEALFS_SRV_DOWN), -ENOENT);
	assert_int_equal(mstate_server_get(ms, a.id)->state, SEALFS_SRV_UP);
	assert_int_equal(mstate_servers_set_state(ms, ids, 1, 7), -EINVAL);
	assert_true(mstate_epoch(ms) == e);
	assert_int_equal(mstate_server_count(ms), 2);
	mstate_close(ms);
}

/* A state with two servers and two volumes, closed. */
static void ts_make_state(const char *db)
{
	struct mstate *ms = ts_open(db);
	struct mstate_server s = ts_server(1, 7421);

	ts_register(ms, &s);
	s = ts_server(2, 7421);
	ts_register(ms, &s);
	ts_add_volume(ms, "one");
	ts_add_volume(ms, "two");
	mstate_close(ms);
}

static void test_corrupt_records(void **state)
{
	static const char *const msgs[] = {
		"key 'server/00000001': bad server record length",
		"key 'server/00000002': bad server state",
		"key 'server/00000002': id differs from the key's",
		"key 'volume/00000002': chunk size not a power of two",
		"key 'volume/00000001': bad volume record length",
		"key 'volume/00000001': bad volume name",
		"key 'volume/00000002': name used by another volume",
		"key 'meta/epoch': bad value length",
		"key 'zzz\\x01': unknown key",
		"key 'meta/next-volume': missing",
		"key 'meta/next-server': not above every server id",
		"key 'server/00000002': uuid used by another server",
		"key 'meta/format': format version not supported",
		"key 'server/0000000g': unknown key",
	};
	struct ts_ctx *c = *state;
	struct mstate *ms;
	u8 rec[256], other[256];
	char db[320];
	size_t n;
	u32 v32;
	int i, ret;

	for (i = 0; i < 14; i++) {
		snprintf(db, sizeof(db), "%s/c%d", c->dir, i);
		ts_make_state(db);
		ts_err[0] = '\0';
		switch (i) {
		case 0:	/* server record of the wrong length */
			ts_raw_put(db, "server/00000001", 15, "garbage", 7);
			break;
		case 1:	/* server record with a bad state */
			n = ts_raw_get(db, "server/00000002", rec);
			rec[TS_SRV_STATE_OFF] = 9;
			ts_raw_put(db, "server/00000002", 15, rec, n);
			break;
		case 2:	/* server record under another id's key */
			n = ts_raw_get(db, "server/00000001", rec);
			ts_raw_put(db, "server/00000002", 15, rec, n);
			break;
		case 3:	/* volume record with a bad chunk size */
			n = ts_raw_get(db, "volume/00000002", rec);
			rec[TS_VOL_CHUNK_OFF] = 3;
			ts_raw_put(db, "volume/00000002", 15, rec, n);
			break;
		case 4:	/* volume record cut short */
			n = ts_raw_get(db, "volume/00000001", rec);
			ts_raw_put(db, "volume/00000001", 15, rec, n - 1);
			break;
		case 5:	/* volume with a bad name */
			n = ts_raw_get(db, "volume/00000001", rec);
			rec[n - 1] = '/';
			ts_raw_put(db, "volume/00000001", 15, rec, n);
			break;
		case 6:	/* two volumes of one name */
			n = ts_raw_get(db, "volume/00000001", rec);
			ts_raw_get(db, "volume/00000002", other);
			memcpy(other + 32, rec + 32, 3);
			ts_raw_put(db, "volume/00000002", 15, other, n);
			break;
		case 7:	/* epoch of the wrong size */
			ts_raw_put(db, "meta/epoch", 10, "\1\0\0\0", 4);
			break;
		case 8:	/* a key nobody wrote */
			ts_raw_put(db, "zzz\001", 4, "x", 1);
			break;
		case 9:	/* a missing key */
			ts_raw_put(db, "meta/next-volume", 16, NULL, 0);
			break;
		case 10: /* next id not above the ids in use */
			v32 = cpu_to_le32(2);
			ts_raw_put(db, "meta/next-server", 16, &v32, 4);
			break;
		case 11: /* two servers of one uuid */
			n = ts_raw_get(db, "server/00000001", rec);
			ts_raw_get(db, "server/00000002", other);
			memcpy(other + 16, rec + 16, 16);
			ts_raw_put(db, "server/00000002", 15, other, n);
			break;
		case 12: /* a format from the future */
			v32 = cpu_to_le32(2);
			ts_raw_put(db, "meta/format", 11, &v32, 4);
			break;
		case 13: /* a server key that is not hex */
			n = ts_raw_get(db, "server/00000001", rec);
			ts_raw_put(db, "server/0000000g", 15, rec, n);
			break;
		}
		ms = (struct mstate *)0x1;
		ret = mstate_open(db, &ms, ts_err, sizeof(ts_err));
		assert_null(ms);
		if (ret != (i == 12 ? -EPROTONOSUPPORT : -EUCLEAN))
			fail_msg("case %d: %d: %s", i, ret, ts_err);
		if (strncmp(ts_err, db, strlen(db)))
			fail_msg("case %d: \"%s\" does not name the directory", i, ts_err);
		if (!strstr(ts_err, msgs[i]))
			fail_msg("case %d: \"%s\" lacks \"%s\"", i, ts_err, msgs[i]);
	}
}

static void test_open_errors(void **state)
{
	struct ts_ctx *c = *state;
	struct mstate *ms = ts_open(c->db), *ms2 = NULL;
	char path[320];
	FILE *f;

	/* one manager per state directory */
	assert_int_equal(mstate_open(c->db, &ms2, ts_err, sizeof(ts_err)), -EIO);
	assert_null(ms2);
	if (!strstr(ts_err, c->db))
		fail_msg("\"%s\" does not name the directory", ts_err);
	mstate_close(ms);
	snprintf(path, sizeof(path), "%s/no/such/dir", c->dir);
	assert_int_equal(mstate_open(path, &ms2, ts_err, sizeof(ts_err)), -EIO);
	assert_null(ms2);
	snprintf(path, sizeof(path), "%s/file", c->dir);
	f = fopen(path, "w");
	assert_non_null(f);
	fclose(f);
	assert_int_equal(mstate_open(path, &ms2, ts_err, sizeof(ts_err)), -EIO);
	assert_null(ms2);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_new_state, ts_setup, ts_teardown),
		cmocka_unit_test_setup_teardown(test_persistence, ts_setup, ts_teardown),
		cmocka_unit_test_setup_teardown(test_uuid_keeps_its_id, ts_setup, ts_teardown),
		cmocka_unit_test_setup_teardown(test_epoch_only_grows, ts_setup, ts_teardown),
		cmocka_unit_test_setup_teardown(test_volume_errors, ts_setup, ts_teardown),
		cmocka_unit_test_setup_teardown(test_server_errors, ts_setup, ts_teardown),
		cmocka_unit_test_setup_teardown(test_corrupt_records, ts_setup, ts_teardown),
		cmocka_unit_test_setup_teardown(test_open_errors, ts_setup, ts_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
