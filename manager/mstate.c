// SPDX-License-Identifier: Apache-2.0
/*
 * mstate: the manager's persistent state in LevelDB. See mstate.h.
 *
 * Records are fixed little-endian layouts (struct mstate_srv_rec,
 * struct mstate_vol_rec) that start with a version byte. The same checks
 * run on every record written and every record read, so what one manager
 * writes the next one opens.
 */
#include <errno.h>
#include <inttypes.h>
#include <leveldb/c.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sealfs_codec.h"
#include "sealfs_placement.h"
#include "mstate.h"

#define MSTATE_FORMAT		1	/* meta/format */
#define MSTATE_REC_VERSION	1	/* first byte of every record */
#define MSTATE_KEY_MAX		32

#define MSTATE_K_FORMAT		"meta/format"
#define MSTATE_K_EPOCH		"meta/epoch"
#define MSTATE_K_NEXT_SRV	"meta/next-server"
#define MSTATE_K_NEXT_VOL	"meta/next-volume"
#define MSTATE_P_SRV		"server/"
#define MSTATE_P_VOL		"volume/"

/**
 * struct mstate_srv_rec - a server record on disk (value of server/ID)
 * @version: %MSTATE_REC_VERSION
 * @reserved: zero
 * @id: server id, equal to the key's
 * @weight: placement weight
 * @state: %SEALFS_SRV_UP or %SEALFS_SRV_DOWN
 * @uuid: persistent identity
 * @addr: endpoints, wire format
 * @capacity: bytes of storage at registration
 */
struct mstate_srv_rec {
	u8 version;
	u8 reserved[3];
	__le32 id;
	__le32 weight;
	__le32 state;
	u8 uuid[MSTATE_UUID_LEN];
	struct sealfs_addr addr[SEALFS_TRANSPORTS];
	__le64 capacity;
};

/**
 * struct mstate_vol_rec - a volume record on disk (value of volume/ID);
 * the name follows
 * @version: %MSTATE_REC_VERSION
 * @reserved: zero
 * @name_len: bytes of the name
 * @id: volume id, equal to the key's
 * @chunk_size: chunk size
 * @state: %SEALFS_VOL_ACTIVE or %SEALFS_VOL_DELETING
 * @quota_bytes: byte quota
 * @quota_inodes: inode quota
 */
struct mstate_vol_rec {
	u8 version;
	u8 reserved;
	__le16 name_len;
	__le32 id;
	__le32 chunk_size;
	__le32 state;
	__le64 quota_bytes;
	__le64 quota_inodes;
};

static_assert(sizeof(struct mstate_srv_rec) == 88, "server record size");
static_assert(offsetof(struct mstate_srv_rec, capacity) == 80, "capacity");
static_assert(sizeof(struct mstate_vol_rec) == 32, "volume record size");

/**
 * struct mstate - the open state
 * @db: the database
 * @opts: its options
 * @wopts: write options (sync)
 * @ropts: read options
 * @epoch: map epoch
 * @next_srv: next server id
 * @next_vol: next volume id
 * @srv: servers, sorted by id
 * @nsrv: how many
 * @srv_cap: room in @srv
 * @vol: volumes, sorted by id
 * @nvol: how many
 * @vol_cap: room in @vol
 * @error: message of the last failed write
 */
struct mstate {
	leveldb_t *db;
	leveldb_options_t *opts;
	leveldb_writeoptions_t *wopts;
	leveldb_readoptions_t *ropts;
	u64 epoch;
	u32 next_srv;
	u32 next_vol;
	struct mstate_server *srv;
	u32 nsrv;
	u32 srv_cap;
	struct mstate_volume *vol;
	u32 nvol;
	u32 vol_cap;
	char error[256];
};

static int mstate_err(char *err, size_t len, int code, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static int mstate_err(char *err, size_t len, int code, const char *fmt, ...)
{
	va_list ap;

	if (err && len) {
		va_start(ap, fmt);
		vsnprintf(err, len, fmt, ap);
		va_end(ap);
	}
	return code;
}

/* ---- checks ---------------------------------------------------------------- */

static bool mstate_zero(const void *p, size_t n)
{
	const u8 *b = p;

	while (n--)
		if (*b++)
			return false;
	return true;
}

/**
 * mstate_check_addr() - check an endpoint in wire format
 * @a: the endpoint
 *
 * Return: 0 if @a is %SEALFS_AF_NONE with every other byte zero, or
 * %SEALFS_AF_INET (bytes 4-15 of the address zero) or %SEALFS_AF_INET6
 * with a non-zero port; reserved zero in every case. Else -EINVAL.
 */
int mstate_check_addr(const struct sealfs_addr *a)
{
	u16 family = le16_to_cpu(a->family);

	if (a->reserved)
		return -EINVAL;
	switch (family) {
	case SEALFS_AF_NONE:
		return !a->port && mstate_zero(a->addr, sizeof(a->addr)) ? 0 : -EINVAL;
	case SEALFS_AF_INET:
		if (!mstate_zero(a->addr + 4, sizeof(a->addr) - 4))
			return -EINVAL;
		return a->port ? 0 : -EINVAL;
	case SEALFS_AF_INET6:
		return a->port ? 0 : -EINVAL;
	}
	return -EINVAL;
}

/* A server as mstate stores it (the id is checked by the callers). */
static const char *mstate_check_server(const struct mstate_server *s)
{
	u32 i;

	if (mstate_zero(s->uuid, sizeof(s->uuid)))
		return "uuid is all zero";
	if (s->weight > SEALFS_WEIGHT_MAX)
		return "weight above the maximum";
	if (s->state != SEALFS_SRV_UP && s->state != SEALFS_SRV_DOWN)
		return "bad server state";
	for (i = 0; i < SEALFS_TRANSPORTS; i++)
		if (mstate_check_addr(&s->addr[i]))
			return "bad endpoint";
	return NULL;
}

static bool mstate_pow2(u32 v)
{
	return v && !(v & (v - 1));
}

/* A volume as mstate stores it. */
static const char *mstate_check_volume(const struct mstate_volume *v)
{
	if (v->name_len > SEALFS_VOLNAME_MAX ||
	    sealfs_check_volname((const u8 *)v->name, v->name_len))
		return "bad volume name";
	if (!mstate_pow2(v->chunk_size))
		return "chunk size not a power of two";
	if (v->state != SEALFS_VOL_ACTIVE && v->state != SEALFS_VOL_DELETING)
		return "bad volume state";
	return NULL;
}

/* ---- records ---------------------------------------------------------------- */

static void mstate_srv_encode(const struct mstate_server *s,
			      struct mstate_srv_rec *r)
{
	memset(r, 0, sizeof(*r));
	r->version = MSTATE_REC_VERSION;
	r->id = cpu_to_le32(s->id);
	r->weight = cpu_to_le32(s->weight);
	r->state = cpu_to_le32(s->state);
	memcpy(r->uuid, s->uuid, sizeof(r->uuid));
	memcpy(r->addr, s->addr, sizeof(r->addr));
	r->capacity = cpu_to_le64(s->capacity);
}

static const char *mstate_srv_decode(const void *val, size_t len, u32 key_id,
				     struct mstate_server *s)
{
	struct mstate_srv_rec r;

	if (len != sizeof(r))
		return "bad server record length";
	memcpy(&r, val, sizeof(r));
	if (r.version != MSTATE_REC_VERSION)
		return "unknown server record version";
	if (!mstate_zero(r.reserved, sizeof(r.reserved)))
		return "reserved bytes not zero";
	memset(s, 0, sizeof(*s));
	s->id = le32_to_cpu(r.id);
	s->weight = le32_to_cpu(r.weight);
	s->state = le32_to_cpu(r.state);
	memcpy(s->uuid, r.uuid, sizeof(s->uuid));
	memcpy(s->addr, r.addr, sizeof(s->addr));
	s->capacity = le64_to_cpu(r.capacity);
	if (s->id != key_id)
		return "id differs from the key's";
	return mstate_check_server(s);
}

/* Encodes into @buf (sizeof(struct mstate_vol_rec) + name); returns the size. */
static size_t mstate_vol_encode(const struct mstate_volume *v, u8 *buf)
{
	struct mstate_vol_rec r = {
		.version	= MSTATE_REC_VERSION,
		.name_len	= cpu_to_le16(v->name_len),
		.id		= cpu_to_le32(v->id),
		.chunk_size	= cpu_to_le32(v->chunk_size),
		.state		= cpu_to_le32(v->state),
		.quota_bytes	= cpu_to_le64(v->quota_bytes),
		.quota_inodes	= cpu_to_le64(v->quota_inodes),
	};

	memcpy(buf, &r, sizeof(r));
	memcpy(buf + sizeof(r), v->name, v->name_len);
	return sizeof(r) + v->name_len;
}

static const char *mstate_vol_decode(const void *val, size_t len, u32 key_id,
				     struct mstate_volume *v)
{
	struct mstate_vol_rec r;

	if (len < sizeof(r))
		return "volume record too short";
	memcpy(&r, val, sizeof(r));
	if (r.version != MSTATE_REC_VERSION)
		return "unknown volume record version";
	if (r.reserved)
		return "reserved bytes not zero";
	memset(v, 0, sizeof(*v));
	v->name_len = le16_to_cpu(r.name_len);
	if (len != sizeof(r) + v->name_len || v->name_len > SEALFS_VOLNAME_MAX)
		return "bad volume record length";
	memcpy(v->name, (const u8 *)val + sizeof(r), v->name_len);
	v->id = le32_to_cpu(r.id);
	v->chunk_size = le32_to_cpu(r.chunk_size);
	v->state = le32_to_cpu(r.state);
	v->quota_bytes = le64_to_cpu(r.quota_bytes);
	v->quota_inodes = le64_to_cpu(r.quota_inodes);
	if (v->id != key_id)
		return "id differs from the key's";
	return mstate_check_volume(v);
}

static void mstate_key(char *k, const char *prefix, u32 id)
{
	snprintf(k, MSTATE_KEY_MAX, "%s%08" PRIx32, prefix, id);
}

/* The id of "PREFIX%08x", or 0 when @key is not one. */
static u32 mstate_key_id(const char *key, size_t len, const char *prefix)
{
	size_t n = strlen(prefix), i;
	u32 id = 0;

	if (len != n + 8 || memcmp(key, prefix, n))
		return 0;
	for (i = n; i < len; i++) {
		char c = key[i];

		if (c >= '0' && c <= '9')
			id = id << 4 | (u32)(c - '0');
		else if (c >= 'a' && c <= 'f')
			id = id << 4 | (u32)(c - 'a' + 10);
		else
			return 0;
	}
	return id;
}

/* ---- memory ------------------------------------------------------------------- */

static int mstate_grow(void **arr, u32 *cap, u32 need, size_t size)
{
	u32 ncap = *cap ? *cap : 16;
	void *p;

	if (need <= *cap)
		return 0;
	while (ncap < need)
		ncap *= 2;
	p = realloc(*arr, (size_t)ncap * size);
	if (!p)
		return -ENOMEM;
	*arr = p;
	*cap = ncap;
	return 0;
}

static int mstate_srv_append(struct mstate *ms, const struct mstate_server *s)
{
	if (mstate_grow((void **)&ms->srv, &ms->srv_cap, ms->nsrv + 1, sizeof(*s)))
		return -ENOMEM;
	ms->srv[ms->nsrv++] = *s;
	return 0;
}

static int mstate_vol_append(struct mstate *ms, const struct mstate_volume *v)
{
	if (mstate_grow((void **)&ms->vol, &ms->vol_cap, ms->nvol + 1, sizeof(*v)))
		return -ENOMEM;
	ms->vol[ms->nvol++] = *v;
	return 0;
}

/* ---- loading -------------------------------------------------------------------- */

/**
 * struct mstate_load - what the load has seen
 * @format: meta/format was there
 * @epoch: meta/epoch was there
 * @next_srv: meta/next-server was there
 * @next_vol: meta/next-volume was there
 * @keys: keys seen
 */
struct mstate_load {
	bool format;
	bool epoch;
	bool next_srv;
	bool next_vol;
	u64 keys;
};

static bool mstate_is(const char *k, size_t klen, const char *name)
{
	return klen == strlen(name) && !memcmp(k, name, klen);
}

/* A meta value: @len must be @size, a little-endian integer at least 1. */
static const char *mstate_meta(const void *val, size_t len, size_t size,
			       u64 *out, bool *seen)
{
	const u8 *p = val;
	u64 v = 0;

	if (len != size)
		return "bad value length";
	while (size--)
		v = v << 8 | p[size];
	if (!v)
		return "zero";
	*out = v;
	*seen = true;
	return NULL;
}

static const char *mstate_load_meta(struct mstate *ms, struct mstate_load *l,
				    const char *k, size_t klen,
				    const void *val, size_t vlen, int *ret)
{
	const char *why = "unknown key";
	u64 v = 0;

	if (mstate_is(k, klen, MSTATE_K_FORMAT)) {
		why = mstate_meta(val, vlen, 4, &v, &l->format);
		if (!why && v != MSTATE_FORMAT) {
			*ret = -EPROTONOSUPPORT;
			why = "format version not supported";
		}
	} else if (mstate_is(k, klen, MSTATE_K_EPOCH)) {
		why = mstate_meta(val, vlen, 8, &ms->epoch, &l->epoch);
	} else if (mstate_is(k, klen, MSTATE_K_NEXT_SRV)) {
		why = mstate_meta(val, vlen, 4, &v, &l->next_srv);
		ms->next_srv = v;
	} else if (mstate_is(k, klen, MSTATE_K_NEXT_VOL)) {
		why = mstate_meta(val, vlen, 4, &v, &l->next_vol);
		ms->next_vol = v;
	}
	return why;
}

/* One key and value; returns the reason it is bad, or NULL. */
static const char *mstate_load_one(struct mstate *ms, struct mstate_load *l,
				   const char *k, size_t klen,
				   const void *val, size_t vlen, int *ret)
{
	struct mstate_server s;
	struct mstate_volume v;
	const char *why;
	u32 id;

	l->keys++;
	id = mstate_key_id(k, klen, MSTATE_P_SRV);
	if (id) {
		why = mstate_srv_decode(val, vlen, id, &s);
		if (!why && mstate_srv_append(ms, &s))
			*ret = -ENOMEM;
		return why;
	}
	id = mstate_key_id(k, klen, MSTATE_P_VOL);
	if (id) {
		why = mstate_vol_decode(val, vlen, id, &v);
		if (!why && mstate_vol_append(ms, &v))
			*ret = -ENOMEM;
		return why;
	}
	return mstate_load_meta(ms, l, k, klen, val, vlen, ret);
}

/* @k as printable text for a message. */
static void mstate_key_text(const char *k, size_t klen, char *buf, size_t len)
{
	size_t i, o = 0;

	for (i = 0; i < klen && i < 64 && o + 5 < len; i++) {
		unsigned char c = k[i];

		if (c >= 0x20 && c < 0x7f && c != '\\')
			buf[o++] = c;
		else
			o += snprintf(buf + o, len - o, "\\x%02x", c);
	}
	buf[o] = '\0';
}

static int mstate_scan(struct mstate *ms, struct mstate_load *l, char *err,
		       size_t errlen)
{
	leveldb_iterator_t *it = leveldb_create_iterator(ms->db, ms->ropts);
	char *lerr = NULL, key[300];
	const char *why = NULL;
	int ret = 0;

	for (leveldb_iter_seek_to_first(it); !why && !ret && leveldb_iter_valid(it);
	     leveldb_iter_next(it)) {
		size_t klen, vlen;
		const char *k = leveldb_iter_key(it, &klen);
		const char *v = leveldb_iter_value(it, &vlen);

		why = mstate_load_one(ms, l, k, klen, v, vlen, &ret);
		if (why) {
			mstate_key_text(k, klen, key, sizeof(key));
			ret = mstate_err(err, errlen, ret ? ret : -EUCLEAN,
					 "key '%s': %s", key, why);
		}
	}
	if (!ret) {
		leveldb_iter_get_error(it, &lerr);
		if (lerr)
			ret = mstate_err(err, errlen, -EIO, "reading: %s", lerr);
		leveldb_free(lerr);
	}
	leveldb_iter_destroy(it);
	return ret;
}

static int mstate_cmp_uuid(const void *a, const void *b)
{
	const struct mstate_server *const *x = a, *const *y = b;

	return memcmp((*x)->uuid, (*y)->uuid, MSTATE_UUID_LEN);
}

static int mstate_cmp_name(const void *a, const void *b)
{
	const struct mstate_volume *const *x = a, *const *y = b;

	return strcmp((*x)->name, (*y)->name);
}

/*
 * Whether two elements of @arr (n pointers into one array sorted by id)
 * compare equal; sorts @arr. Returns the later of such a pair (the higher
 * id), or NULL.
 */
static const void *mstate_dup(const void **arr, u32 n,
			      int (*cmp)(const void *, const void *))
{
	u32 i;

	qsort(arr, n, sizeof(*arr), cmp);
	for (i = 1; i < n; i++)
		if (!cmp(&arr[i - 1], &arr[i]))
			return (const char *)arr[i - 1] > (const char *)arr[i] ?
			       arr[i - 1] : arr[i];
	return NULL;
}

/* Unique uuids and names, ids below the next ids. */
static int mstate_cross_check(struct mstate *ms, char *err, size_t errlen)
{
	const struct mstate_server *s;
	const struct mstate_volume *v;
	const void **idx;
	u32 i, n = ms->nsrv > ms->nvol ? ms->nsrv : ms->nvol;
	char key[MSTATE_KEY_MAX];

	if (ms->nsrv && ms->srv[ms->nsrv - 1].id >= ms->next_srv)
		return mstate_err(err, errlen, -EUCLEAN,
				  "key '" MSTATE_K_NEXT_SRV "': not above every server id");
	if (ms->nvol && ms->vol[ms->nvol - 1].id >= ms->next_vol)
		return mstate_err(err, errlen, -EUCLEAN,
				  "key '" MSTATE_K_NEXT_VOL "': not above every volume id");
	idx = calloc(n ? n : 1, sizeof(*idx));
	if (!idx)
		return -ENOMEM;
	for (i = 0; i < ms->nsrv; i++)
		idx[i] = &ms->srv[i];
	s = mstate_dup(idx, ms->nsrv, mstate_cmp_uuid);
	for (i = 0; !s && i < ms->nvol; i++)
		idx[i] = &ms->vol[i];
	v = s ? NULL : mstate_dup(idx, ms->nvol, mstate_cmp_name);
	free(idx);
	if (s)
		mstate_key(key, MSTATE_P_SRV, s->id);
	else if (v)
		mstate_key(key, MSTATE_P_VOL, v->id);
	if (s || v)
		return mstate_err(err, errlen, -EUCLEAN, "key '%s': %s", key,
				  s ? "uuid used by another server" :
				      "name used by another volume");
	return 0;
}

static void mstate_put_le(leveldb_writebatch_t *b, const char *key, u64 v,
			  size_t size)
{
	u64 le = cpu_to_le64(v);

	leveldb_writebatch_put(b, key, strlen(key), (const char *)&le, size);
}

/* Writes @b with sync; on failure keeps LevelDB's message. */
static int mstate_commit(struct mstate *ms, leveldb_writebatch_t *b)
{
	char *lerr = NULL;

	leveldb_write(ms->db, ms->wopts, b, &lerr);
	leveldb_writebatch_destroy(b);
	if (!lerr)
		return 0;
	snprintf(ms->error, sizeof(ms->error), "%s", lerr);
	leveldb_free(lerr);
	return -EIO;
}

/* A new state: format, epoch 1, ids from 1. */
static int mstate_init(struct mstate *ms)
{
	leveldb_writebatch_t *b = leveldb_writebatch_create();

	mstate_put_le(b, MSTATE_K_FORMAT, MSTATE_FORMAT, 4);
	mstate_put_le(b, MSTATE_K_EPOCH, 1, 8);
	mstate_put_le(b, MSTATE_K_NEXT_SRV, 1, 4);
	mstate_put_le(b, MSTATE_K_NEXT_VOL, 1, 4);
	ms->epoch = 1;
	ms->next_srv = 1;
	ms->next_vol = 1;
	return mstate_commit(ms, b);
}

static int mstate_load(struct mstate *ms, char *err, size_t errlen)
{
	struct mstate_load l = { 0 };
	int ret;

	ret = mstate_scan(ms, &l, err, errlen);
	if (ret)
		return ret;
	if (!l.keys) {
		ret = mstate_init(ms);
		return ret ? mstate_err(err, errlen, ret, "%s", ms->error) : 0;
	}
	if (!l.format || !l.epoch || !l.next_srv || !l.next_vol)
		return mstate_err(err, errlen, -EUCLEAN, "key '%s': missing",
				  !l.format ? MSTATE_K_FORMAT : !l.epoch ? MSTATE_K_EPOCH :
				  !l.next_srv ? MSTATE_K_NEXT_SRV : MSTATE_K_NEXT_VOL);
	return mstate_cross_check(ms, err, errlen);
}

/* ---- open and close -------------------------------------------------------------- */

/**
 * mstate_close() - close the state
 * @ms: the state, or NULL
 */
void mstate_close(struct mstate *ms)
{
	if (!ms)
		return;
	if (ms->db)
		leveldb_close(ms->db);
	if (ms->opts)
		leveldb_options_destroy(ms->opts);
	if (ms->wopts)
		leveldb_writeoptions_destroy(ms->wopts);
	if (ms->ropts)
		leveldb_readoptions_destroy(ms->ropts);
	free(ms->srv);
	free(ms->vol);
	free(ms);
}

static int mstate_db_open(struct mstate *ms, const char *dir, char *err,
			  size_t errlen)
{
	char *lerr = NULL;
	int ret = 0;

	ms->opts = leveldb_options_create();
	ms->wopts = leveldb_writeoptions_create();
	ms->ropts = leveldb_readoptions_create();
	leveldb_options_set_create_if_missing(ms->opts, 1);
	leveldb_options_set_paranoid_checks(ms->opts, 1);
	leveldb_writeoptions_set_sync(ms->wopts, 1);
	leveldb_readoptions_set_verify_checksums(ms->ropts, 1);
	ms->db = leveldb_open(ms->opts, dir, &lerr);
	if (lerr)
		ret = mstate_err(err, errlen, -EIO, "%s", lerr);
	leveldb_free(lerr);
	return ret;
}

/**
 * mstate_open() - open (or create) the state in a directory
 * @dir: the state directory; created if missing (its parent must exist)
 * @msp: set to the open state
 * @err: buffer for a message: "DIR: ..." naming the bad key, if any
 * @errlen: its size
 *
 * Return: 0; -EUCLEAN when a record does not decode, a key is unknown or
 * missing, or records contradict each other; -EPROTONOSUPPORT for a state
 * of another format; -EIO when LevelDB fails (also when another process
 * holds the directory); -ENOMEM.
 */
int mstate_open(const char *dir, struct mstate **msp, char *err, size_t errlen)
{
	struct mstate *ms = calloc(1, sizeof(*ms));
	char why[256] = "";
	int ret;

	*msp = NULL;
	if (!ms)
		return -ENOMEM;
	ret = mstate_db_open(ms, dir, why, sizeof(why));
	if (!ret)
		ret = mstate_load(ms, why, sizeof(why));
	if (ret) {
		mstate_close(ms);
		return mstate_err(err, errlen, ret, "%s: %s", dir, why);
	}
	*msp = ms;
	return 0;
}

/**
 * mstate_last_error() - LevelDB's message for the last failed change
 * @ms: the state
 *
 * Return: the message, "" when no change has failed.
 */
const char *mstate_last_error(const struct mstate *ms)
{
	return ms->error;
}

/**
 * mstate_epoch() - the map epoch
 * @ms: the state
 *
 * Return: the epoch, at least 1; it only grows, across reopens too.
 */
u64 mstate_epoch(const struct mstate *ms)
{
	return ms->epoch;
}

/* ---- servers ------------------------------------------------------------------ */

/**
 * mstate_server_count() - number of servers
 * @ms: the state
 *
 * Return: the count.
 */
u32 mstate_server_count(const struct mstate *ms)
{
	return ms->nsrv;
}

/**
 * mstate_server_at() - a server by position (ascending ids)
 * @ms: the state
 * @i: index below mstate_server_count()
 *
 * Return: the server, NULL when @i is out of range.
 */
const struct mstate_server *mstate_server_at(const struct mstate *ms, u32 i)
{
	return i < ms->nsrv ? &ms->srv[i] : NULL;
}

/* Index of server @id in ms->srv, or UINT32_MAX. */
static u32 mstate_srv_index(const struct mstate *ms, u32 id)
{
	u32 lo = 0, hi = ms->nsrv;

	while (lo < hi) {
		u32 mid = lo + (hi - lo) / 2;

		if (ms->srv[mid].id == id)
			return mid;
		if (ms->srv[mid].id < id)
			lo = mid + 1;
		else
			hi = mid;
	}
	return UINT32_MAX;
}

/* Index of the server with @uuid, or UINT32_MAX. */
static u32 mstate_srv_uuid_index(const struct mstate *ms, const u8 *uuid)
{
	u32 i;

	for (i = 0; i < ms->nsrv; i++)
		if (!memcmp(ms->srv[i].uuid, uuid, MSTATE_UUID_LEN))
			return i;
	return UINT32_MAX;
}

/**
 * mstate_server_get() - a server by id
 * @ms: the state
 * @id: server id
 *
 * Return: the server, or NULL.
 */
const struct mstate_server *mstate_server_get(const struct mstate *ms, u32 id)
{
	u32 i = mstate_srv_index(ms, id);

	return i == UINT32_MAX ? NULL : &ms->srv[i];
}

/**
 * mstate_server_by_uuid() - a server by persistent identity
 * @ms: the state
 * @uuid: %MSTATE_UUID_LEN bytes
 *
 * Return: the server, or NULL.
 */
const struct mstate_server *mstate_server_by_uuid(const struct mstate *ms,
						  const u8 *uuid)
{
	u32 i = mstate_srv_uuid_index(ms, uuid);

	return i == UINT32_MAX ? NULL : &ms->srv[i];
}

/* Whether the map shows a difference between @a and @b. */
static bool mstate_srv_visible(const struct mstate_server *a,
			       const struct mstate_server *b)
{
	return a->weight != b->weight || a->state != b->state ||
	       memcmp(a->uuid, b->uuid, sizeof(a->uuid)) ||
	       memcmp(a->addr, b->addr, sizeof(a->addr));
}

static void mstate_batch_srv(leveldb_writebatch_t *b, const struct mstate_server *s)
{
	struct mstate_srv_rec r;
	char key[MSTATE_KEY_MAX];

	mstate_key(key, MSTATE_P_SRV, s->id);
	mstate_srv_encode(s, &r);
	leveldb_writebatch_put(b, key, strlen(key), (const char *)&r, sizeof(r));
}

/* Writes @s over the record with its id (which exists). */
static int mstate_srv_put(struct mstate *ms, struct mstate_server *cur,
			  const struct mstate_server *s)
{
	bool visible = mstate_srv_visible(cur, s);
	leveldb_writebatch_t *b;
	int ret;

	if (!visible && cur->capacity == s->capacity)
		return 0;
	b = leveldb_writebatch_create();
	mstate_batch_srv(b, s);
	if (visible)
		mstate_put_le(b, MSTATE_K_EPOCH, ms->epoch + 1, 8);
	ret = mstate_commit(ms, b);
	if (ret)
		return ret;
	*cur = *s;
	ms->epoch += visible;
	return 0;
}

static int mstate_srv_add(struct mstate *ms, const struct mstate_server *s,
			  u32 *id)
{
	struct mstate_server t = *s;
	leveldb_writebatch_t *b;
	int ret;

	if (ms->nsrv >= SEALFS_MAX_SERVERS || ms->next_srv == UINT32_MAX)
		return -ENOSPC;
	if (mstate_grow((void **)&ms->srv, &ms->srv_cap, ms->nsrv + 1, sizeof(t)))
		return -ENOMEM;
	t.id = ms->next_srv;
	b = leveldb_writebatch_create();
	mstate_batch_srv(b, &t);
	mstate_put_le(b, MSTATE_K_NEXT_SRV, t.id + 1, 4);
	mstate_put_le(b, MSTATE_K_EPOCH, ms->epoch + 1, 8);
	ret = mstate_commit(ms, b);
	if (ret)
		return ret;
	ms->srv[ms->nsrv++] = t;
	ms->next_srv++;
	ms->epoch++;
	*id = t.id;
	return 0;
}

/**
 * mstate_server_register() - add a server, or update the one with its uuid
 * @ms: the state
 * @s: the server; @s->id is ignored
 * @id: set to the server's id: the existing one for a known uuid, else a
 *	new one (never used before)
 *
 * Return: 0; -EINVAL for a bad server (zero uuid, weight above
 * %SEALFS_WEIGHT_MAX, bad state or endpoint); -ENOSPC with
 * %SEALFS_MAX_SERVERS servers or no id left; -EIO; -ENOMEM.
 */
int mstate_server_register(struct mstate *ms, const struct mstate_server *s,
			   u32 *id)
{
	struct mstate_server t = *s;
	u32 i;
	int ret;

	if (mstate_check_server(s))
		return -EINVAL;
	i = mstate_srv_uuid_index(ms, s->uuid);
	if (i == UINT32_MAX)
		return mstate_srv_add(ms, s, id);
	t.id = ms->srv[i].id;
	ret = mstate_srv_put(ms, &ms->srv[i], &t);
	if (!ret)
		*id = t.id;
	return ret;
}

/**
 * mstate_server_update() - change a server
 * @ms: the state
 * @s: the server's new fields, found by @s->id
 *
 * Return: 0; -ENOENT for an unknown id; -EINVAL for a bad server; -EEXIST
 * when the new uuid is another server's; -EIO.
 */
int mstate_server_update(struct mstate *ms, const struct mstate_server *s)
{
	u32 i = mstate_srv_index(ms, s->id), other;

	if (i == UINT32_MAX)
		return -ENOENT;
	if (mstate_check_server(s))
		return -EINVAL;
	other = mstate_srv_uuid_index(ms, s->uuid);
	if (other != UINT32_MAX && other != i)
		return -EEXIST;
	return mstate_srv_put(ms, &ms->srv[i], s);
}

/**
 * mstate_servers_set_state() - set the state of several servers at once
 * @ms: the state
 * @ids: server ids
 * @n: how many
 * @state: %SEALFS_SRV_UP or %SEALFS_SRV_DOWN
 *
 * One batch and at most one new epoch for all of them; servers already in
 * @state are left alone.
 *
 * Return: 0; -ENOENT when an id is unknown (nothing changed); -EINVAL for
 * a bad state; -EIO.
 */
int mstate_servers_set_state(struct mstate *ms, const u32 *ids, u32 n,
			     u32 state)
{
	leveldb_writebatch_t *b;
	struct mstate_server t;
	u32 i, changed = 0;
	int ret;

	if (state != SEALFS_SRV_UP && state != SEALFS_SRV_DOWN)
		return -EINVAL;
	for (i = 0; i < n; i++)
		if (mstate_srv_index(ms, ids[i]) == UINT32_MAX)
			return -ENOENT;
	b = leveldb_writebatch_create();
	for (i = 0; i < n; i++) {
		t = ms->srv[mstate_srv_index(ms, ids[i])];
		if (t.state == state)
			continue;
		t.state = state;
		mstate_batch_srv(b, &t);
		changed++;
	}
	if (!changed) {
		leveldb_writebatch_destroy(b);
		return 0;
	}
	mstate_put_le(b, MSTATE_K_EPOCH, ms->epoch + 1, 8);
	ret = mstate_commit(ms, b);
	if (ret)
		return ret;
	for (i = 0; i < n; i++)
		ms->srv[mstate_srv_index(ms, ids[i])].state = state;
	ms->epoch++;
	return 0;
}

/* ---- volumes ---------------------------------------------------------------- */

/**
 * mstate_volume_count() - number of volumes
 * @ms: the state
 *
 * Return: the count.
 */
u32 mstate_volume_count(const struct mstate *ms)
{
	return ms->nvol;
}

/**
 * mstate_volume_at() - a volume by position (ascending ids)
 * @ms: the state
 * @i: index below mstate_volume_count()
 *
 * Return: the volume, NULL when @i is out of range.
 */
const struct mstate_volume *mstate_volume_at(const struct mstate *ms, u32 i)
{
	return i < ms->nvol ? &ms->vol[i] : NULL;
}

static u32 mstate_vol_index(const struct mstate *ms, u32 id)
{
	u32 lo = 0, hi = ms->nvol;

	while (lo < hi) {
		u32 mid = lo + (hi - lo) / 2;

		if (ms->vol[mid].id == id)
			return mid;
		if (ms->vol[mid].id < id)
			lo = mid + 1;
		else
			hi = mid;
	}
	return UINT32_MAX;
}

/**
 * mstate_volume_get() - a volume by id
 * @ms: the state
 * @id: volume id
 *
 * Return: the volume, or NULL.
 */
const struct mstate_volume *mstate_volume_get(const struct mstate *ms, u32 id)
{
	u32 i = mstate_vol_index(ms, id);

	return i == UINT32_MAX ? NULL : &ms->vol[i];
}

/**
 * mstate_volume_by_name() - a volume by name
 * @ms: the state
 * @name: the name (need not be NUL-terminated)
 * @len: its length
 *
 * Return: the volume, or NULL.
 */
const struct mstate_volume *mstate_volume_by_name(const struct mstate *ms,
						  const char *name, u32 len)
{
	u32 i;

	for (i = 0; i < ms->nvol; i++)
		if (ms->vol[i].name_len == len && !memcmp(ms->vol[i].name, name, len))
			return &ms->vol[i];
	return NULL;
}

static void mstate_batch_vol(leveldb_writebatch_t *b, const struct mstate_volume *v)
{
	u8 buf[sizeof(struct mstate_vol_rec) + SEALFS_VOLNAME_MAX];
	char key[MSTATE_KEY_MAX];
	size_t n = mstate_vol_encode(v, buf);

	mstate_key(key, MSTATE_P_VOL, v->id);
	leveldb_writebatch_put(b, key, strlen(key), (const char *)buf, n);
}

static bool mstate_vol_same(const struct mstate_volume *a,
			    const struct mstate_volume *b)
{
	return a->id == b->id && a->chunk_size == b->chunk_size &&
	       a->quota_bytes == b->quota_bytes &&
	       a->quota_inodes == b->quota_inodes && a->state == b->state &&
	       a->name_len == b->name_len && !memcmp(a->name, b->name, a->name_len);
}

/* A copy of @v with the name NUL-terminated and checked. */
static int mstate_vol_copy(const struct mstate_volume *v, struct mstate_volume *t)
{
	if (v->name_len > SEALFS_VOLNAME_MAX)
		return -EINVAL;
	*t = *v;
	t->name[t->name_len] = '\0';
	return mstate_check_volume(t) ? -EINVAL : 0;
}

/**
 * mstate_volume_add() - add a volume
 * @ms: the state
 * @v: the volume; @v->id is ignored
 * @id: set to the new volume's id (never used before)
 *
 * Return: 0; -EINVAL for a bad name, chunk size (not a power of two) or
 * state; -EEXIST when the name is taken; -ENOSPC with
 * %SEALFS_MAX_VOLUMES volumes or no id left; -EIO; -ENOMEM.
 */
int mstate_volume_add(struct mstate *ms, const struct mstate_volume *v, u32 *id)
{
	leveldb_writebatch_t *b;
	struct mstate_volume t;
	int ret;

	if (mstate_vol_copy(v, &t))
		return -EINVAL;
	if (mstate_volume_by_name(ms, t.name, t.name_len))
		return -EEXIST;
	if (ms->nvol >= SEALFS_MAX_VOLUMES || ms->next_vol == UINT32_MAX)
		return -ENOSPC;
	if (mstate_grow((void **)&ms->vol, &ms->vol_cap, ms->nvol + 1, sizeof(t)))
		return -ENOMEM;
	t.id = ms->next_vol;
	b = leveldb_writebatch_create();
	mstate_batch_vol(b, &t);
	mstate_put_le(b, MSTATE_K_NEXT_VOL, t.id + 1, 4);
	mstate_put_le(b, MSTATE_K_EPOCH, ms->epoch + 1, 8);
	ret = mstate_commit(ms, b);
	if (ret)
		return ret;
	ms->vol[ms->nvol++] = t;
	ms->next_vol++;
	ms->epoch++;
	*id = t.id;
	return 0;
}

/**
 * mstate_volume_update() - change a volume
 * @ms: the state
 * @v: the volume's new fields, found by @v->id
 *
 * Return: 0; -ENOENT for an unknown id; -EINVAL for a bad volume; -EEXIST
 * when a new name is taken; -EIO.
 */
int mstate_volume_update(struct mstate *ms, const struct mstate_volume *v)
{
	u32 i = mstate_vol_index(ms, v->id);
	const struct mstate_volume *other;
	struct mstate_volume t, *cur;
	leveldb_writebatch_t *b;
	int ret;

	if (i == UINT32_MAX)
		return -ENOENT;
	cur = &ms->vol[i];
	if (mstate_vol_copy(v, &t))
		return -EINVAL;
	other = mstate_volume_by_name(ms, t.name, t.name_len);
	if (other && other != cur)
		return -EEXIST;
	if (mstate_vol_same(cur, &t))
		return 0;
	b = leveldb_writebatch_create();
	mstate_batch_vol(b, &t);
	mstate_put_le(b, MSTATE_K_EPOCH, ms->epoch + 1, 8);
	ret = mstate_commit(ms, b);
	if (ret)
		return ret;
	*cur = t;
	ms->epoch++;
	return 0;
}

/**
 * mstate_volume_remove() - remove a volume for good
 * @ms: the state
 * @id: volume id; never assigned again
 *
 * Return: 0; -ENOENT for an unknown id; -EIO.
 */
int mstate_volume_remove(struct mstate *ms, u32 id)
{
	u32 i = mstate_vol_index(ms, id);
	char key[MSTATE_KEY_MAX];
	leveldb_writebatch_t *b;
	int ret;

	if (i == UINT32_MAX)
		return -ENOENT;
	b = leveldb_writebatch_create();
	mstate_key(key, MSTATE_P_VOL, id);
	leveldb_writebatch_delete(b, key, strlen(key));
	mstate_put_le(b, MSTATE_K_EPOCH, ms->epoch + 1, 8);
	ret = mstate_commit(ms, b);
	if (ret)
		return ret;
	memmove(&ms->vol[i], &ms->vol[i + 1], (ms->nvol - i - 1) * sizeof(*ms->vol));
	ms->nvol--;
	ms->epoch++;
	return 0;
}
