// SPDX-License-Identifier: Apache-2.0
/*
 * smeta keys and values: big-endian integers in keys (bytewise order is
 * numeric order), versioned little-endian values. Decoders check every
 * length before they read and return -EIO for a value they cannot parse.
 */
#include <endian.h>
#include <string.h>

#include "smeta_int.h"

void smeta_put_le32(u8 *p, u32 v)
{
	v = htole32(v);
	memcpy(p, &v, 4);
}

void smeta_put_le64(u8 *p, u64 v)
{
	v = htole64(v);
	memcpy(p, &v, 8);
}

u32 smeta_get_le32(const u8 *p)
{
	u32 v;

	memcpy(&v, p, 4);
	return le32toh(v);
}

u64 smeta_get_le64(const u8 *p)
{
	u64 v;

	memcpy(&v, p, 8);
	return le64toh(v);
}

void smeta_put_be64(u8 *p, u64 v)
{
	v = htobe64(v);
	memcpy(p, &v, 8);
}

u64 smeta_get_be64(const u8 *p)
{
	u64 v;

	memcpy(&v, p, 8);
	return be64toh(v);
}

static void key_put_be32(struct smeta_key *k, u32 v)
{
	v = htobe32(v);
	memcpy(k->b + k->len, &v, 4);
	k->len += 4;
}

static void key_put_be64(struct smeta_key *k, u64 v)
{
	smeta_put_be64(k->b + k->len, v);
	k->len += 8;
}

static void key_put_bytes(struct smeta_key *k, const char *p, u32 n)
{
	memcpy(k->b + k->len, p, n);
	k->len += n;
}

static void key_start(struct smeta_key *k, char tag)
{
	k->b[0] = (u8)tag;
	k->len = 1;
}

void smeta_key_entry(struct smeta_key *k, u32 vol, u64 parent,
		     const char *name, u32 len)
{
	key_start(k, SMETA_T_ENTRY);
	key_put_be32(k, vol);
	key_put_be64(k, parent);
	key_put_bytes(k, name, len);
}

void smeta_key_rdx(struct smeta_key *k, u32 vol, u64 dir, u64 cookie)
{
	key_start(k, SMETA_T_RDX);
	key_put_be32(k, vol);
	key_put_be64(k, dir);
	key_put_be64(k, cookie);
}

void smeta_key_dir(struct smeta_key *k, u32 vol, u64 dir)
{
	key_start(k, SMETA_T_DIR);
	key_put_be32(k, vol);
	key_put_be64(k, dir);
}

void smeta_key_inode(struct smeta_key *k, u32 vol, u64 ino)
{
	key_start(k, SMETA_T_INODE);
	key_put_be32(k, vol);
	key_put_be64(k, ino);
}

void smeta_key_xattr(struct smeta_key *k, u32 vol, u64 ino, const char *name,
		     u32 len)
{
	key_start(k, SMETA_T_XATTR);
	key_put_be32(k, vol);
	key_put_be64(k, ino);
	key_put_bytes(k, name, len);
}

void smeta_key_usage(struct smeta_key *k, u32 vol)
{
	key_start(k, SMETA_T_USAGE);
	key_put_be32(k, vol);
}

void smeta_key_replay(struct smeta_key *k, u64 client, u64 req)
{
	key_start(k, SMETA_T_REPLAY);
	key_put_be64(k, client);
	key_put_be64(k, req);
}

void smeta_key_rorder(struct smeta_key *k, u64 seq)
{
	key_start(k, SMETA_T_RORDER);
	key_put_be64(k, seq);
}

void smeta_key_store(struct smeta_key *k, const char *name)
{
	key_start(k, SMETA_T_STORE);
	key_put_bytes(k, name, (u32)strlen(name));
}

bool smeta_key_has_prefix(const char *key, size_t len,
			  const struct smeta_key *prefix)
{
	return len >= prefix->len && !memcmp(key, prefix->b, prefix->len);
}

/* 'D': v1 | 0 | 0 0 | mode | ino | cookie */
void smeta_dent_encode(const struct smeta_dent *d, u8 *buf)
{
	memset(buf, 0, SMETA_DENT_LEN);
	buf[0] = SMETA_FMT_V1;
	smeta_put_le32(buf + 4, d->mode);
	smeta_put_le64(buf + 8, d->ino);
	smeta_put_le64(buf + 16, d->cookie);
}

int smeta_dent_decode(const char *v, size_t n, struct smeta_dent *d)
{
	const u8 *p = (const u8 *)v;

	if (n != SMETA_DENT_LEN || p[0] != SMETA_FMT_V1)
		return -EIO;
	d->mode = smeta_get_le32(p + 4);
	d->ino = smeta_get_le64(p + 8);
	d->cookie = smeta_get_le64(p + 16);
	return 0;
}

/* 'R': v1 | 0 | le16 name_len | mode | ino | name (cookie is in the key) */
size_t smeta_rdx_encode(const struct smeta_dent *d, const char *name,
			u32 name_len, u8 *buf)
{
	memset(buf, 0, SMETA_RDX_HDR);
	buf[0] = SMETA_FMT_V1;
	buf[2] = (u8)name_len;
	buf[3] = (u8)(name_len >> 8);
	smeta_put_le32(buf + 4, d->mode);
	smeta_put_le64(buf + 8, d->ino);
	memcpy(buf + SMETA_RDX_HDR, name, name_len);
	return SMETA_RDX_HDR + name_len;
}

int smeta_rdx_decode(const char *v, size_t n, struct smeta_dent *d,
		     const char **name, u32 *name_len)
{
	const u8 *p = (const u8 *)v;
	u32 nl;

	if (n < SMETA_RDX_HDR || p[0] != SMETA_FMT_V1)
		return -EIO;
	nl = p[2] | (u32)p[3] << 8;
	if (nl == 0 || nl > SEALFS_NAME_MAX || n != SMETA_RDX_HDR + nl)
		return -EIO;
	d->mode = smeta_get_le32(p + 4);
	d->ino = smeta_get_le64(p + 8);
	*name = v + SMETA_RDX_HDR;
	*name_len = nl;
	return 0;
}

/* 'C': v1 | 0 x7 | next cookie | count */
void smeta_dirst_encode(const struct smeta_dirst *s, u8 *buf)
{
	memset(buf, 0, SMETA_DIRST_LEN);
	buf[0] = SMETA_FMT_V1;
	smeta_put_le64(buf + 8, s->next_cookie);
	smeta_put_le64(buf + 16, s->count);
}

int smeta_dirst_decode(const char *v, size_t n, struct smeta_dirst *s)
{
	const u8 *p = (const u8 *)v;

	if (n != SMETA_DIRST_LEN || p[0] != SMETA_FMT_V1)
		return -EIO;
	s->next_cookie = smeta_get_le64(p + 8);
	s->count = smeta_get_le64(p + 16);
	return 0;
}

/* 'U': v1 | 0 x7 | bytes | inodes */
void smeta_usage_encode(const struct smeta_usage *u, u8 *buf)
{
	memset(buf, 0, SMETA_USAGE_LEN);
	buf[0] = SMETA_FMT_V1;
	smeta_put_le64(buf + 8, u->bytes);
	smeta_put_le64(buf + 16, u->inodes);
}

int smeta_usage_decode(const char *v, size_t n, struct smeta_usage *u)
{
	const u8 *p = (const u8 *)v;

	if (n != SMETA_USAGE_LEN || p[0] != SMETA_FMT_V1)
		return -EIO;
	u->bytes = smeta_get_le64(p + 8);
	u->inodes = smeta_get_le64(p + 16);
	return 0;
}

/*
 * 'I': v1 | 0 | le16 target_len | 0 x4 |
 *	le64 ino size blocks change atime_sec mtime_sec ctime_sec parent |
 *	le32 atime_nsec mtime_nsec ctime_nsec mode nlink uid gid rdev
 *	     generation 0 | target
 */
size_t smeta_inode_encode(const struct smeta_attr *a, const char *target,
			  u32 target_len, u8 *buf)
{
	const u64 w64[] = { a->ino, a->size, a->blocks, a->change,
			    (u64)a->atime_sec, (u64)a->mtime_sec,
			    (u64)a->ctime_sec, a->parent };
	const u32 w32[] = { a->atime_nsec, a->mtime_nsec, a->ctime_nsec,
			    a->mode, a->nlink, a->uid, a->gid, a->rdev,
			    a->generation, 0 };
	size_t i;

	memset(buf, 0, SMETA_INODE_HDR);
	buf[0] = SMETA_FMT_V1;
	buf[2] = (u8)target_len;
	buf[3] = (u8)(target_len >> 8);
	for (i = 0; i < ARRAY_SIZE(w64); i++)
		smeta_put_le64(buf + 8 + 8 * i, w64[i]);
	for (i = 0; i < ARRAY_SIZE(w32); i++)
		smeta_put_le32(buf + 72 + 4 * i, w32[i]);
	if (target_len)
		memcpy(buf + SMETA_INODE_HDR, target, target_len);
	return SMETA_INODE_HDR + target_len;
}

int smeta_inode_decode(const char *v, size_t n, struct smeta_attr *a,
		       const char **target, u32 *target_len)
{
	const u8 *p = (const u8 *)v;
	u32 tl;

	if (n < SMETA_INODE_HDR || p[0] != SMETA_FMT_V1)
		return -EIO;
	tl = p[2] | (u32)p[3] << 8;
	if (tl > SEALFS_TARGET_MAX || n != SMETA_INODE_HDR + tl)
		return -EIO;
	a->ino = smeta_get_le64(p + 8);
	a->size = smeta_get_le64(p + 16);
	a->blocks = smeta_get_le64(p + 24);
	a->change = smeta_get_le64(p + 32);
	a->atime_sec = (s64)smeta_get_le64(p + 40);
	a->mtime_sec = (s64)smeta_get_le64(p + 48);
	a->ctime_sec = (s64)smeta_get_le64(p + 56);
	a->parent = smeta_get_le64(p + 64);
	a->atime_nsec = smeta_get_le32(p + 72);
	a->mtime_nsec = smeta_get_le32(p + 76);
	a->ctime_nsec = smeta_get_le32(p + 80);
	a->mode = smeta_get_le32(p + 84);
	a->nlink = smeta_get_le32(p + 88);
	a->uid = smeta_get_le32(p + 92);
	a->gid = smeta_get_le32(p + 96);
	a->rdev = smeta_get_le32(p + 100);
	a->generation = smeta_get_le32(p + 104);
	a->reserved = 0;
	if (target)
		*target = v + SMETA_INODE_HDR;
	if (target_len)
		*target_len = tl;
	return 0;
}

void smeta_attr_to_wire(const struct smeta_attr *a, struct sealfs_attr *w)
{
	memset(w, 0, sizeof(*w));
	w->ino = cpu_to_le64(a->ino);
	w->size = cpu_to_le64(a->size);
	w->blocks = cpu_to_le64(a->blocks);
	w->change = cpu_to_le64(a->change);
	w->atime_sec = cpu_to_le64((u64)a->atime_sec);
	w->mtime_sec = cpu_to_le64((u64)a->mtime_sec);
	w->ctime_sec = cpu_to_le64((u64)a->ctime_sec);
	w->atime_nsec = cpu_to_le32(a->atime_nsec);
	w->mtime_nsec = cpu_to_le32(a->mtime_nsec);
	w->ctime_nsec = cpu_to_le32(a->ctime_nsec);
	w->mode = cpu_to_le32(a->mode);
	w->nlink = cpu_to_le32(a->nlink);
	w->uid = cpu_to_le32(a->uid);
	w->gid = cpu_to_le32(a->gid);
	w->rdev = cpu_to_le32(a->rdev);
	w->generation = cpu_to_le32(a->generation);
}

void smeta_attr_from_wire(const struct sealfs_attr *w, struct smeta_attr *a)
{
	memset(a, 0, sizeof(*a));
	a->ino = le64_to_cpu(w->ino);
	a->size = le64_to_cpu(w->size);
	a->blocks = le64_to_cpu(w->blocks);
	a->change = le64_to_cpu(w->change);
	a->atime_sec = (s64)le64_to_cpu(w->atime_sec);
	a->mtime_sec = (s64)le64_to_cpu(w->mtime_sec);
	a->ctime_sec = (s64)le64_to_cpu(w->ctime_sec);
	a->atime_nsec = le32_to_cpu(w->atime_nsec);
	a->mtime_nsec = le32_to_cpu(w->mtime_nsec);
	a->ctime_nsec = le32_to_cpu(w->ctime_nsec);
	a->mode = le32_to_cpu(w->mode);
	a->nlink = le32_to_cpu(w->nlink);
	a->uid = le32_to_cpu(w->uid);
	a->gid = le32_to_cpu(w->gid);
	a->rdev = le32_to_cpu(w->rdev);
	a->generation = le32_to_cpu(w->generation);
}
