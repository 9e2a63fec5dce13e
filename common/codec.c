// SPDX-License-Identifier: GPL-2.0-only OR Apache-2.0
/*
 * SealFS message codec: header encoding, table-driven payload validation,
 * records and bounded buffers. See sealfs_codec.h.
 *
 * Nothing here trusts a length it has not compared with the bytes that are
 * really there: every read is preceded by a bounds check against the
 * payload length and the bytes available.
 */
#include "sealfs_env.h"
#include "sealfs_proto.h"
#include "sealfs_codec.h"

/* What a variable part may contain. */
enum sealfs_tail_kind {
	SEALFS_T_NAME = 1,	/* entry name: 1..255, no '/', no NUL, not . or .. */
	SEALFS_T_TARGET,	/* symlink target: 1..4095, no NUL */
	SEALFS_T_XNAME,		/* xattr name: 1..255, no NUL */
	SEALFS_T_VOLNAME,	/* volume name: 1..64 of [A-Za-z0-9._-] */
	SEALFS_T_XVALUE,	/* xattr value: 0..65536 bytes */
	SEALFS_T_XLIST,		/* xattr names, each NUL-terminated */
	SEALFS_T_DATA,		/* file data: 0..SEALFS_MAX_IO bytes */
};

/**
 * struct sealfs_field - a field of a fixed body
 * @off: byte offset
 * @size: bytes (a length or flags field: 2, 4 or 8); 0 means unused
 * @kind: for a length field, &enum sealfs_tail_kind of the part it measures
 */
struct sealfs_field {
	u16 off;
	u8 size;
	u8 kind;
};

/**
 * struct sealfs_body_desc - layout of a fixed body and what follows it
 * @fixed: size of the fixed body
 * @rec_kinds: bit (1 << kind) per record kind allowed after the tails;
 *	0 when the message carries no records
 * @count: le32 record count field (when @rec_kinds)
 * @flags: flags field checked against @flags_known
 * @flags_known: flag bits that may be set
 * @tail: length fields of the variable parts, in wire order
 * @zero: fields that must be zero
 */
struct sealfs_body_desc {
	u16 fixed;
	u16 rec_kinds;
	struct sealfs_field count;
	struct sealfs_field flags;
	u32 flags_known;
	struct sealfs_field tail[SEALFS_MAX_TAILS];
	struct sealfs_field zero[4];
};

/**
 * struct sealfs_op_desc - an opcode
 * @name: name for logs and debugfs; %NULL for an unassigned opcode
 * @req: request body
 * @rep: reply body
 */
struct sealfs_op_desc {
	const char *name;
	struct sealfs_body_desc req;
	struct sealfs_body_desc rep;
};

/**
 * struct sealfs_rec_desc - layout of a record body
 * @fixed: size of the body after &struct sealfs_rec_hdr
 * @name: le16 length field of the trailing name (size 0: no name)
 * @flags: flags field checked against @flags_known
 * @flags_known: flag bits that may be set
 * @zero: fields that must be zero
 */
struct sealfs_rec_desc {
	u16 fixed;
	struct sealfs_field name;
	struct sealfs_field flags;
	u32 flags_known;
	struct sealfs_field zero[4];
};

/*
 * Table helpers. The member designator comes last, as the variadic
 * argument, and may name a nested field (attr.reserved).
 */
#define SEALFS_F(type, ...)	{ offsetof(struct type, __VA_ARGS__), \
				  sizeof(((struct type){}).__VA_ARGS__), 0 }
#define SEALFS_TAIL(type, kind, ...) { offsetof(struct type, __VA_ARGS__), \
				  sizeof(((struct type){}).__VA_ARGS__), kind }
#define SEALFS_BODY(type)	.fixed = sizeof(struct type)
#define SEALFS_BITS(type, mask, ...) .flags = SEALFS_F(type, __VA_ARGS__), \
				  .flags_known = (mask)
#define SEALFS_RECS(type, kinds) .count = SEALFS_F(type, count), \
				  .rec_kinds = (kinds)
#define SEALFS_RK(k)		(1u << (k))

/* The reply body shared by LOOKUP, CREATE, SYMLINK, LINK and UNLINK. */
#define SEALFS_ENTRY_REP { SEALFS_BODY(sealfs_entry_rep), \
	SEALFS_BITS(sealfs_entry_rep, SEALFS_EF_ATTR, flags), \
	.zero = { SEALFS_F(sealfs_entry_rep, reserved), \
		  SEALFS_F(sealfs_entry_rep, attr.reserved) } }
#define SEALFS_ATTR_REP { SEALFS_BODY(sealfs_attr_rep), \
	.zero = { SEALFS_F(sealfs_attr_rep, attr.reserved) } }
#define SEALFS_NAME_REQ { SEALFS_BODY(sealfs_name_req), \
	.tail = { SEALFS_TAIL(sealfs_name_req, SEALFS_T_NAME, name_len) }, \
	.zero = { SEALFS_F(sealfs_name_req, reserved) } }
#define SEALFS_INO_REQ { SEALFS_BODY(sealfs_ino_req), \
	.zero = { SEALFS_F(sealfs_ino_req, reserved) } }
#define SEALFS_VOL_REQ { SEALFS_BODY(sealfs_vol_req), \
	.zero = { SEALFS_F(sealfs_vol_req, reserved) } }
#define SEALFS_TXN_REQ { SEALFS_BODY(sealfs_txn_req), \
	.zero = { SEALFS_F(sealfs_txn_req, reserved) } }
#define SEALFS_EMPTY { .fixed = 0 }

static const struct sealfs_op_desc sealfs_ops[SEALFS_OP_MAX] = {
	[SEALFS_OP_HELLO] = { "HELLO",
		{ SEALFS_BODY(sealfs_hello_req),
		  .zero = { SEALFS_F(sealfs_hello_req, reserved0),
			    SEALFS_F(sealfs_hello_req, reserved1) } },
		{ SEALFS_BODY(sealfs_hello_rep),
		  .zero = { SEALFS_F(sealfs_hello_rep, reserved0) } } },
	[SEALFS_OP_PING] = { "PING", SEALFS_EMPTY, SEALFS_EMPTY },
	[SEALFS_OP_MAP_GET] = { "MAP_GET",
		{ SEALFS_BODY(sealfs_map_get_req),
		  .zero = { SEALFS_F(sealfs_map_get_req, reserved) } },
		{ SEALFS_BODY(sealfs_map_rep),
		  SEALFS_RECS(sealfs_map_rep,
			      SEALFS_RK(SEALFS_REC_MAP_SERVER) |
			      SEALFS_RK(SEALFS_REC_MAP_VOLUME)),
		  .zero = { SEALFS_F(sealfs_map_rep, reserved) } } },
	[SEALFS_OP_SRV_REGISTER] = { "SRV_REGISTER",
		{ SEALFS_BODY(sealfs_srv_register_req),
		  .zero = { SEALFS_F(sealfs_srv_register_req, reserved),
			    SEALFS_F(sealfs_srv_register_req, addr[0].reserved),
			    SEALFS_F(sealfs_srv_register_req, addr[1].reserved) } },
		{ SEALFS_BODY(sealfs_srv_register_rep) } },
	[SEALFS_OP_SRV_HEARTBEAT] = { "SRV_HEARTBEAT",
		{ SEALFS_BODY(sealfs_heartbeat_req),
		  .zero = { SEALFS_F(sealfs_heartbeat_req, reserved) } },
		{ SEALFS_BODY(sealfs_heartbeat_rep),
		  .zero = { SEALFS_F(sealfs_heartbeat_rep, reserved) } } },
	[SEALFS_OP_CLUSTER_STATUS] = { "CLUSTER_STATUS", SEALFS_EMPTY,
		{ SEALFS_BODY(sealfs_list_rep),
		  SEALFS_RECS(sealfs_list_rep, SEALFS_RK(SEALFS_REC_SRV_STATUS)),
		  .zero = { SEALFS_F(sealfs_list_rep, reserved) } } },
	[SEALFS_OP_VOL_CREATE] = { "VOL_CREATE",
		{ SEALFS_BODY(sealfs_vol_create_req),
		  .tail = { SEALFS_TAIL(sealfs_vol_create_req, SEALFS_T_VOLNAME, name_len) },
		  .zero = { SEALFS_F(sealfs_vol_create_req, reserved) } },
		{ SEALFS_BODY(sealfs_vol_id_rep),
		  .zero = { SEALFS_F(sealfs_vol_id_rep, reserved) } } },
	[SEALFS_OP_VOL_LIST] = { "VOL_LIST",
		{ SEALFS_BODY(sealfs_vol_list_req),
		  SEALFS_BITS(sealfs_vol_list_req, SEALFS_VL_USAGE, flags),
		  .zero = { SEALFS_F(sealfs_vol_list_req, reserved) } },
		{ SEALFS_BODY(sealfs_list_rep),
		  SEALFS_RECS(sealfs_list_rep, SEALFS_RK(SEALFS_REC_VOLINFO)),
		  .zero = { SEALFS_F(sealfs_list_rep, reserved) } } },
	[SEALFS_OP_VOL_RESIZE] = { "VOL_RESIZE",
		{ SEALFS_BODY(sealfs_vol_resize_req),
		  SEALFS_BITS(sealfs_vol_resize_req, SEALFS_VR_BYTES | SEALFS_VR_INODES, flags),
		  .tail = { SEALFS_TAIL(sealfs_vol_resize_req, SEALFS_T_VOLNAME, name_len) },
		  .zero = { SEALFS_F(sealfs_vol_resize_req, reserved) } },
		SEALFS_EMPTY },
	[SEALFS_OP_VOL_DELETE] = { "VOL_DELETE",
		{ SEALFS_BODY(sealfs_vol_name_req),
		  .tail = { SEALFS_TAIL(sealfs_vol_name_req, SEALFS_T_VOLNAME, name_len) },
		  .zero = { SEALFS_F(sealfs_vol_name_req, reserved0),
			    SEALFS_F(sealfs_vol_name_req, reserved1) } },
		SEALFS_EMPTY },
	[SEALFS_OP_VOL_USAGE] = { "VOL_USAGE", SEALFS_VOL_REQ,
		{ SEALFS_BODY(sealfs_vol_usage_rep) } },
	[SEALFS_OP_VOL_PURGE] = { "VOL_PURGE", SEALFS_VOL_REQ, SEALFS_EMPTY },

	[SEALFS_OP_LOOKUP] = { "LOOKUP", SEALFS_NAME_REQ, SEALFS_ENTRY_REP },
	[SEALFS_OP_GETATTR] = { "GETATTR", SEALFS_INO_REQ, SEALFS_ATTR_REP },
	[SEALFS_OP_SETATTR] = { "SETATTR",
		{ SEALFS_BODY(sealfs_setattr_req),
		  SEALFS_BITS(sealfs_setattr_req, SEALFS_SA_KNOWN, valid),
		  .zero = { SEALFS_F(sealfs_setattr_req, reserved) } },
		SEALFS_ATTR_REP },
	[SEALFS_OP_CREATE] = { "CREATE",
		{ SEALFS_BODY(sealfs_create_req),
		  SEALFS_BITS(sealfs_create_req, SEALFS_CF_EXCL, flags),
		  .tail = { SEALFS_TAIL(sealfs_create_req, SEALFS_T_NAME, name_len) },
		  .zero = { SEALFS_F(sealfs_create_req, reserved0),
			    SEALFS_F(sealfs_create_req, reserved1) } },
		SEALFS_ENTRY_REP },
	[SEALFS_OP_SYMLINK] = { "SYMLINK",
		{ SEALFS_BODY(sealfs_symlink_req),
		  .tail = { SEALFS_TAIL(sealfs_symlink_req, SEALFS_T_NAME, name_len),
			    SEALFS_TAIL(sealfs_symlink_req, SEALFS_T_TARGET, target_len) } },
		SEALFS_ENTRY_REP },
	[SEALFS_OP_READLINK] = { "READLINK", SEALFS_INO_REQ,
		{ SEALFS_BODY(sealfs_readlink_rep),
		  .tail = { SEALFS_TAIL(sealfs_readlink_rep, SEALFS_T_TARGET, target_len) },
		  .zero = { SEALFS_F(sealfs_readlink_rep, reserved) } } },
	[SEALFS_OP_LINK] = { "LINK",
		{ SEALFS_BODY(sealfs_link_req),
		  .tail = { SEALFS_TAIL(sealfs_link_req, SEALFS_T_NAME, name_len) },
		  .zero = { SEALFS_F(sealfs_link_req, reserved) } },
		SEALFS_ENTRY_REP },
	[SEALFS_OP_UNLINK] = { "UNLINK", SEALFS_NAME_REQ, SEALFS_ENTRY_REP },
	[SEALFS_OP_RMDIR] = { "RMDIR", SEALFS_NAME_REQ, SEALFS_EMPTY },
	[SEALFS_OP_RENAME] = { "RENAME",
		{ SEALFS_BODY(sealfs_rename_req),
		  SEALFS_BITS(sealfs_rename_req, SEALFS_RF_KNOWN, flags),
		  .tail = { SEALFS_TAIL(sealfs_rename_req, SEALFS_T_NAME, src_len),
			    SEALFS_TAIL(sealfs_rename_req, SEALFS_T_NAME, dst_len) },
		  .zero = { SEALFS_F(sealfs_rename_req, reserved) } },
		{ SEALFS_BODY(sealfs_rename_rep),
		  .zero = { SEALFS_F(sealfs_rename_rep, reserved) } } },
	[SEALFS_OP_READDIR] = { "READDIR",
		{ SEALFS_BODY(sealfs_readdir_req) },
		{ SEALFS_BODY(sealfs_readdir_rep),
		  SEALFS_BITS(sealfs_readdir_rep, SEALFS_RD_EOF, flags),
		  SEALFS_RECS(sealfs_readdir_rep,
			      SEALFS_RK(SEALFS_REC_DIRENT)) } },
	[SEALFS_OP_STATFS] = { "STATFS", SEALFS_VOL_REQ,
		{ SEALFS_BODY(sealfs_statfs_rep) } },
	[SEALFS_OP_GETXATTR] = { "GETXATTR",
		{ SEALFS_BODY(sealfs_getxattr_req),
		  .tail = { SEALFS_TAIL(sealfs_getxattr_req, SEALFS_T_XNAME, name_len) },
		  .zero = { SEALFS_F(sealfs_getxattr_req, reserved0),
			    SEALFS_F(sealfs_getxattr_req, reserved1) } },
		{ SEALFS_BODY(sealfs_xattr_rep),
		  .tail = { SEALFS_TAIL(sealfs_xattr_rep, SEALFS_T_XVALUE, len) } } },
	[SEALFS_OP_SETXATTR] = { "SETXATTR",
		{ SEALFS_BODY(sealfs_setxattr_req),
		  SEALFS_BITS(sealfs_setxattr_req, SEALFS_XF_KNOWN, flags),
		  .tail = { SEALFS_TAIL(sealfs_setxattr_req, SEALFS_T_XNAME, name_len),
			    SEALFS_TAIL(sealfs_setxattr_req, SEALFS_T_XVALUE, value_len) },
		  .zero = { SEALFS_F(sealfs_setxattr_req, reserved0),
			    SEALFS_F(sealfs_setxattr_req, reserved1) } },
		SEALFS_EMPTY },
	[SEALFS_OP_LISTXATTR] = { "LISTXATTR",
		{ SEALFS_BODY(sealfs_listxattr_req) },
		{ SEALFS_BODY(sealfs_xattr_rep),
		  .tail = { SEALFS_TAIL(sealfs_xattr_rep, SEALFS_T_XLIST, len) } } },
	[SEALFS_OP_REMOVEXATTR] = { "REMOVEXATTR",
		{ SEALFS_BODY(sealfs_removexattr_req),
		  .tail = { SEALFS_TAIL(sealfs_removexattr_req, SEALFS_T_XNAME, name_len) },
		  .zero = { SEALFS_F(sealfs_removexattr_req, reserved) } },
		SEALFS_EMPTY },

	[SEALFS_OP_READ] = { "READ",
		{ SEALFS_BODY(sealfs_read_req) },
		{ SEALFS_BODY(sealfs_read_rep),
		  .tail = { SEALFS_TAIL(sealfs_read_rep, SEALFS_T_DATA, length) },
		  .zero = { SEALFS_F(sealfs_read_rep, reserved) } } },
	[SEALFS_OP_WRITE] = { "WRITE",
		{ SEALFS_BODY(sealfs_write_req),
		  SEALFS_BITS(sealfs_write_req, SEALFS_WF_STABLE, flags),
		  .tail = { SEALFS_TAIL(sealfs_write_req, SEALFS_T_DATA, length) },
		  .zero = { SEALFS_F(sealfs_write_req, reserved) } },
		{ SEALFS_BODY(sealfs_write_rep) } },
	[SEALFS_OP_COMMIT] = { "COMMIT", SEALFS_INO_REQ,
		{ SEALFS_BODY(sealfs_commit_rep) } },
	[SEALFS_OP_FALLOCATE] = { "FALLOCATE",
		{ SEALFS_BODY(sealfs_fallocate_req),
		  SEALFS_BITS(sealfs_fallocate_req, SEALFS_FA_KNOWN, mode) },
		SEALFS_EMPTY },
	[SEALFS_OP_DATA_TRUNCATE] = { "DATA_TRUNCATE",
		{ SEALFS_BODY(sealfs_truncate_req),
		  SEALFS_BITS(sealfs_truncate_req, SEALFS_TF_DESTROY, flags) },
		SEALFS_EMPTY },

	[SEALFS_OP_ENTRY_PREPARE] = { "ENTRY_PREPARE",
		{ SEALFS_BODY(sealfs_entry_prepare_req),
		  SEALFS_BITS(sealfs_entry_prepare_req, SEALFS_PF_KNOWN, flags),
		  .tail = { SEALFS_TAIL(sealfs_entry_prepare_req, SEALFS_T_NAME, name_len) },
		  .zero = { SEALFS_F(sealfs_entry_prepare_req, reserved) } },
		{ SEALFS_BODY(sealfs_entry_prepare_rep),
		  .zero = { SEALFS_F(sealfs_entry_prepare_rep, reserved) } } },
	[SEALFS_OP_TXN_FINISH] = { "TXN_FINISH", SEALFS_TXN_REQ, SEALFS_EMPTY },
	[SEALFS_OP_TXN_QUERY] = { "TXN_QUERY", SEALFS_TXN_REQ,
		{ SEALFS_BODY(sealfs_txn_rep),
		  .zero = { SEALFS_F(sealfs_txn_rep, reserved) } } },
	[SEALFS_OP_INODE_UPDATE] = { "INODE_UPDATE",
		{ SEALFS_BODY(sealfs_inode_update_req),
		  SEALFS_BITS(sealfs_inode_update_req, SEALFS_IU_KNOWN, flags),
		  .zero = { SEALFS_F(sealfs_inode_update_req, reserved) } },
		SEALFS_ATTR_REP },
	[SEALFS_OP_DIR_FREEZE] = { "DIR_FREEZE",
		{ SEALFS_BODY(sealfs_dir_freeze_req) },
		{ SEALFS_BODY(sealfs_dir_freeze_rep) } },
	[SEALFS_OP_DIR_WALK] = { "DIR_WALK",
		{ SEALFS_BODY(sealfs_dir_walk_req),
		  SEALFS_BITS(sealfs_dir_walk_req, SEALFS_DW_KNOWN, flags) },
		{ SEALFS_BODY(sealfs_dir_walk_rep),
		  .zero = { SEALFS_F(sealfs_dir_walk_rep, reserved) } } },
};

static const struct sealfs_rec_desc sealfs_recs[SEALFS_REC_MAX] = {
	[SEALFS_REC_DIRENT] = {
		SEALFS_BODY(sealfs_dirent),
		.name = SEALFS_TAIL(sealfs_dirent, SEALFS_T_NAME, name_len),
		SEALFS_BITS(sealfs_dirent, SEALFS_EF_ATTR, flags),
		.zero = { SEALFS_F(sealfs_dirent, reserved),
			  SEALFS_F(sealfs_dirent, attr.reserved) } },
	[SEALFS_REC_MAP_SERVER] = {
		SEALFS_BODY(sealfs_map_server),
		.zero = { SEALFS_F(sealfs_map_server, reserved),
			  SEALFS_F(sealfs_map_server, addr[0].reserved),
			  SEALFS_F(sealfs_map_server, addr[1].reserved) } },
	[SEALFS_REC_MAP_VOLUME] = {
		SEALFS_BODY(sealfs_map_volume),
		.name = SEALFS_TAIL(sealfs_map_volume, SEALFS_T_VOLNAME, name_len),
		.zero = { SEALFS_F(sealfs_map_volume, reserved) } },
	[SEALFS_REC_SRV_STATUS] = {
		SEALFS_BODY(sealfs_srv_status),
		.zero = { SEALFS_F(sealfs_srv_status, reserved),
			  SEALFS_F(sealfs_srv_status, addr[0].reserved),
			  SEALFS_F(sealfs_srv_status, addr[1].reserved) } },
	[SEALFS_REC_VOLINFO] = {
		SEALFS_BODY(sealfs_volinfo),
		.name = SEALFS_TAIL(sealfs_volinfo, SEALFS_T_VOLNAME, name_len),
		.zero = { SEALFS_F(sealfs_volinfo, reserved) } },
};

/* Reads a little-endian field of 1 to 8 bytes; no alignment needed. */
static u64 sealfs_get_le(const u8 *p, u32 size)
{
	u64 v = 0;

	while (size--)
		v = (v << 8) | p[size];
	return v;
}

static bool sealfs_all_zero(const u8 *p, u32 n)
{
	while (n--)
		if (*p++)
			return false;
	return true;
}

/* Zero fields and known flag bits of a fixed body of @fixed bytes at @p. */
static int sealfs_check_fields(const u8 *p, const struct sealfs_field *zero,
			       u32 nzero, const struct sealfs_field *flags,
			       u32 known)
{
	u32 i;

	for (i = 0; i < nzero && zero[i].size; i++)
		if (!sealfs_all_zero(p + zero[i].off, zero[i].size))
			return -EBADMSG;
	if (flags->size && (sealfs_get_le(p + flags->off, flags->size) & ~(u64)known))
		return -EBADMSG;
	return 0;
}

/**
 * sealfs_check_name() - check a directory entry name
 * @name: the bytes
 * @len: how many
 *
 * Context: any.
 * Return: 0 if @name is 1 to %SEALFS_NAME_MAX bytes without '/' or NUL and
 * is not "." or "..", else -EINVAL (-ENAMETOOLONG when only too long).
 */
int sealfs_check_name(const u8 *name, u32 len)
{
	u32 i;

	if (len == 0)
		return -EINVAL;
	if (len > SEALFS_NAME_MAX)
		return -ENAMETOOLONG;
	if (name[0] == '.' && (len == 1 || (len == 2 && name[1] == '.')))
		return -EINVAL;
	for (i = 0; i < len; i++)
		if (name[i] == '/' || name[i] == '\0')
			return -EINVAL;
	return 0;
}

/**
 * sealfs_check_volname() - check a volume name
 * @name: the bytes
 * @len: how many
 *
 * Context: any.
 * Return: 0 if @name is 1 to %SEALFS_VOLNAME_MAX characters of
 * [A-Za-z0-9._-] starting with a letter or digit, else -EINVAL.
 */
int sealfs_check_volname(const u8 *name, u32 len)
{
	u32 i;

	if (len == 0 || len > SEALFS_VOLNAME_MAX)
		return -EINVAL;
	for (i = 0; i < len; i++) {
		u8 c = name[i];
		bool alnum = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
			     (c >= '0' && c <= '9');

		if (!alnum && (i == 0 || (c != '.' && c != '_' && c != '-')))
			return -EINVAL;
	}
	return 0;
}

static bool sealfs_has_nul(const u8 *p, u32 n)
{
	return memchr(p, '\0', n);
}

/* A listxattr list: names of 1..255 bytes, each followed by a NUL. */
static bool sealfs_xlist_ok(const u8 *p, u32 n)
{
	u32 start = 0, i;

	for (i = 0; i < n; i++) {
		if (p[i])
			continue;
		if (i == start || i - start > SEALFS_XATTR_NAME_MAX)
			return false;
		start = i + 1;
	}
	return start == n;
}

/* Size bounds and, when the bytes are at hand (@p), content of a part. */
static int sealfs_check_tail(u8 kind, const u8 *p, u32 n)
{
	switch (kind) {
	case SEALFS_T_NAME:
		return sealfs_check_name(p, n) ? -EBADMSG : 0;
	case SEALFS_T_VOLNAME:
		return sealfs_check_volname(p, n) ? -EBADMSG : 0;
	case SEALFS_T_TARGET:
		if (n == 0 || n > SEALFS_TARGET_MAX || sealfs_has_nul(p, n))
			return -EBADMSG;
		return 0;
	case SEALFS_T_XNAME:
		if (n == 0 || n > SEALFS_XATTR_NAME_MAX || sealfs_has_nul(p, n))
			return -EBADMSG;
		return 0;
	case SEALFS_T_XVALUE:
		return n > SEALFS_XATTR_SIZE_MAX ? -EBADMSG : 0;
	case SEALFS_T_XLIST:
		if (n > SEALFS_XATTR_LIST_MAX || (p && !sealfs_xlist_ok(p, n)))
			return -EBADMSG;
		return 0;
	case SEALFS_T_DATA:
		return n > SEALFS_MAX_IO ? -EBADMSG : 0;
	}
	return -EBADMSG;
}

static bool sealfs_tail_detachable(u8 kind)
{
	return kind == SEALFS_T_DATA || kind == SEALFS_T_XVALUE;
}

/**
 * sealfs_hdr_decode() - decode and check a message header
 * @raw: %SEALFS_HDR_SIZE bytes, at any alignment
 * @max_payload: largest payload this receiver accepts
 * @h: filled in on success, and on every error but a bad magic (so that
 *	a VERSION or BADMSG answer can carry the request id)
 *
 * Unknown opcodes pass: the receiver must still read the payload and answer
 * %SEALFS_S_NOTSUPP; sealfs_msg_parse() refuses them.
 *
 * Context: any.
 * Return: 0; -EBADMSG for a bad magic, unknown flags, non-zero reserved
 * bytes or a request with a status; -EPROTONOSUPPORT for another major
 * version; -EMSGSIZE when the payload exceeds @max_payload.
 */
int sealfs_hdr_decode(const void *raw, u32 max_payload,
		      struct sealfs_hdr_info *h)
{
	const u8 *p = raw;
	u32 version;

	if (sealfs_get_le(p + offsetof(struct sealfs_hdr, magic), 4) != SEALFS_MAGIC)
		return -EBADMSG;
	/* The layout is the same in every version: fill @h in first. */
	version = sealfs_get_le(p + offsetof(struct sealfs_hdr, version), 2);
	h->opcode = sealfs_get_le(p + offsetof(struct sealfs_hdr, opcode), 2);
	h->flags = sealfs_get_le(p + offsetof(struct sealfs_hdr, flags), 4);
	h->len = sealfs_get_le(p + offsetof(struct sealfs_hdr, len), 4);
	h->req_id = sealfs_get_le(p + offsetof(struct sealfs_hdr, req_id), 8);
	h->epoch = sealfs_get_le(p + offsetof(struct sealfs_hdr, epoch), 8);
	h->status = sealfs_get_le(p + offsetof(struct sealfs_hdr, status), 4);
	if (version != SEALFS_PROTO_MAJOR)
		return -EPROTONOSUPPORT;
	if (h->flags & ~SEALFS_HF_KNOWN)
		return -EBADMSG;
	if (sealfs_get_le(p + offsetof(struct sealfs_hdr, reserved), 4))
		return -EBADMSG;
	if (!(h->flags & SEALFS_HF_REPLY) && h->status)
		return -EBADMSG;
	if (h->len > max_payload || h->len > SEALFS_MAX_PAYLOAD)
		return -EMSGSIZE;
	return 0;
}

/**
 * sealfs_hdr_encode() - encode a message header
 * @raw: %SEALFS_HDR_SIZE bytes to write
 * @h: the header
 *
 * Context: any.
 */
void sealfs_hdr_encode(void *raw, const struct sealfs_hdr_info *h)
{
	struct sealfs_hdr w = {
		.magic	 = cpu_to_le32(SEALFS_MAGIC),
		.version = cpu_to_le16(SEALFS_PROTO_MAJOR),
		.opcode	 = cpu_to_le16(h->opcode),
		.flags	 = cpu_to_le32(h->flags),
		.len	 = cpu_to_le32(h->len),
		.req_id	 = cpu_to_le64(h->req_id),
		.epoch	 = cpu_to_le64(h->epoch),
		.status	 = cpu_to_le32(h->status),
	};

	memcpy(raw, &w, sizeof(w));
}

static const struct sealfs_op_desc *sealfs_op_desc(u16 opcode)
{
	if (opcode >= SEALFS_OP_MAX || !sealfs_ops[opcode].name)
		return NULL;
	return &sealfs_ops[opcode];
}

/**
 * sealfs_op_known() - whether an opcode is assigned
 * @opcode: the opcode
 *
 * Context: any.
 * Return: true if @opcode is one of &enum sealfs_op.
 */
bool sealfs_op_known(u16 opcode)
{
	return sealfs_op_desc(opcode);
}

/**
 * sealfs_op_name() - name of an opcode, for logs
 * @opcode: the opcode
 *
 * Context: any.
 * Return: a static string; "UNKNOWN" for an unassigned opcode.
 */
const char *sealfs_op_name(u16 opcode)
{
	const struct sealfs_op_desc *d = sealfs_op_desc(opcode);

	return d ? d->name : "UNKNOWN";
}

/**
 * sealfs_op_fixed_size() - size of an opcode's fixed body
 * @opcode: the opcode
 * @reply: the reply's body rather than the request's
 *
 * Context: any.
 * Return: the size in bytes, 0 for an empty body or an unknown opcode.
 */
u32 sealfs_op_fixed_size(u16 opcode, bool reply)
{
	const struct sealfs_op_desc *d = sealfs_op_desc(opcode);

	if (!d)
		return 0;
	return reply ? d->rep.fixed : d->req.fixed;
}

/* Checks one record at @p (@left bytes) and returns its length, or 0. */
static u32 sealfs_rec_check(const u8 *p, u32 left, u16 kinds)
{
	const struct sealfs_rec_desc *d;
	u32 len, kind, need, name_len = 0;
	const u8 *body = p + sizeof(struct sealfs_rec_hdr);

	if (left < sizeof(struct sealfs_rec_hdr))
		return 0;
	kind = sealfs_get_le(p + offsetof(struct sealfs_rec_hdr, kind), 2);
	len = sealfs_get_le(p + offsetof(struct sealfs_rec_hdr, len), 4);
	if (kind >= SEALFS_REC_MAX || !(kinds & SEALFS_RK(kind)) ||
	    sealfs_get_le(p + offsetof(struct sealfs_rec_hdr, reserved), 2) ||
	    len > left || len % 8)
		return 0;
	d = &sealfs_recs[kind];
	need = sizeof(struct sealfs_rec_hdr) + d->fixed;
	if (len < need)
		return 0;
	if (sealfs_check_fields(body, d->zero, ARRAY_SIZE(d->zero), &d->flags,
				d->flags_known))
		return 0;
	if (d->name.size) {
		name_len = sealfs_get_le(body + d->name.off, d->name.size);
		if (name_len > len - need ||
		    sealfs_check_tail(d->name.kind, body + d->fixed, name_len))
			return 0;
	}
	need += name_len;
	if (len != ((need + 7) & ~7u) || !sealfs_all_zero(p + need, len - need))
		return 0;
	return len;
}

static int sealfs_parse_recs(const struct sealfs_body_desc *d, const u8 *p,
			     u32 off, u32 total, struct sealfs_msg *m)
{
	u32 count = sealfs_get_le(p + d->count.off, d->count.size);
	u32 pos = off, n;

	for (n = 0; n < count; n++) {
		u32 len = sealfs_rec_check(p + pos, total - pos, d->rec_kinds);

		if (!len)
			return -EBADMSG;
		pos += len;
	}
	if (pos != total)
		return -EBADMSG;
	m->recs = count ? p + off : NULL;
	m->recs_len = total - off;
	m->nrecs = count;
	return 0;
}

/**
 * sealfs_msg_parse() - validate a payload against its opcode's layout
 * @h: the decoded header (sealfs_hdr_decode())
 * @payload: the payload bytes at hand
 * @avail: how many bytes @payload holds, at most @h->len. Fewer than
 *	@h->len is allowed only when the missing bytes are all inside the last
 *	variable part and that part is file data or an xattr value: the caller
 *	receives it separately (e.g. into pages), and @m->tail for it is %NULL.
 * @m: filled in on success
 *
 * Checks that the payload is exactly the fixed body, its variable parts and
 * (list replies) its records, that every length is within bounds, that
 * names are well formed, reserved fields are zero and flags known. A reply
 * with a non-OK status must have an empty payload.
 *
 * Context: any.
 * Return: 0; -EOPNOTSUPP for an unknown opcode; -EBADMSG when malformed.
 */
int sealfs_msg_parse(const struct sealfs_hdr_info *h, const void *payload,
		     u32 avail, struct sealfs_msg *m)
{
	const struct sealfs_op_desc *od = sealfs_op_desc(h->opcode);
	bool reply = h->flags & SEALFS_HF_REPLY;
	const struct sealfs_body_desc *d;
	const u8 *p = payload;
	u32 off, i;
	int err;

	memset(m, 0, sizeof(*m));
	if (!od)
		return -EOPNOTSUPP;
	if (avail > h->len)
		avail = h->len;
	if (reply && h->status != SEALFS_S_OK)
		return h->len ? -EBADMSG : 0;
	d = reply ? &od->rep : &od->req;
	if (avail < d->fixed)
		return -EBADMSG;
	if (d->fixed) {
		err = sealfs_check_fields(p, d->zero, ARRAY_SIZE(d->zero),
					  &d->flags, d->flags_known);
		if (err)
			return err;
		m->body = p;
		m->body_len = d->fixed;
	}
	off = d->fixed;
	for (i = 0; i < SEALFS_MAX_TAILS && d->tail[i].size; i++) {
		u32 n = sealfs_get_le(p + d->tail[i].off, d->tail[i].size);
		bool last = i + 1 == SEALFS_MAX_TAILS || !d->tail[i + 1].size;
		const u8 *t = p + off;

		if (n > h->len - off)
			return -EBADMSG;
		if (n > avail - off) {
			if (!last || d->rec_kinds ||
			    !sealfs_tail_detachable(d->tail[i].kind))
				return -EBADMSG;
			t = NULL;
		}
		err = sealfs_check_tail(d->tail[i].kind, t, n);
		if (err)
			return err;
		m->tail[i] = t;
		m->tail_len[i] = n;
		m->ntails++;
		off += n;
	}
	if (d->rec_kinds) {
		if (avail != h->len)
			return -EBADMSG;
		return sealfs_parse_recs(d, p, off, h->len, m);
	}
	return off == h->len ? 0 : -EBADMSG;
}

/**
 * sealfs_rec_iter_init() - start walking the records of a parsed message
 * @it: the iterator
 * @m: a message sealfs_msg_parse() accepted
 *
 * Context: any.
 */
void sealfs_rec_iter_init(struct sealfs_rec_iter *it, const struct sealfs_msg *m)
{
	it->p = m->recs;
	it->left = m->nrecs;
}

/**
 * sealfs_rec_next() - the next record
 * @it: the iterator
 * @rec: filled in with the record
 *
 * The records were validated by sealfs_msg_parse(); this only steps.
 *
 * Context: any.
 * Return: false when no records are left.
 */
bool sealfs_rec_next(struct sealfs_rec_iter *it, struct sealfs_rec *rec)
{
	const struct sealfs_rec_desc *d;
	const u8 *p = it->p;

	if (!it->left)
		return false;
	rec->kind = sealfs_get_le(p + offsetof(struct sealfs_rec_hdr, kind), 2);
	d = &sealfs_recs[rec->kind];
	rec->body = p + sizeof(struct sealfs_rec_hdr);
	rec->name = NULL;
	rec->name_len = 0;
	if (d->name.size) {
		rec->name = (const u8 *)rec->body + d->fixed;
		rec->name_len = sealfs_get_le((const u8 *)rec->body + d->name.off,
					      d->name.size);
	}
	it->p += sealfs_get_le(p + offsetof(struct sealfs_rec_hdr, len), 4);
	it->left--;
	return true;
}

/**
 * sealfs_buf_init() - set up a bounded output buffer
 * @b: the buffer
 * @mem: memory to write into
 * @cap: its size
 *
 * Context: any.
 */
void sealfs_buf_init(struct sealfs_buf *b, void *mem, u32 cap)
{
	b->data = mem;
	b->len = 0;
	b->cap = cap;
	b->err = 0;
}

/**
 * sealfs_buf_put() - append bytes
 * @b: the buffer
 * @p: the bytes, or %NULL to append zeros
 * @n: how many
 *
 * A write that does not fit sets @b->err to -EMSGSIZE; from then on writes
 * are ignored, so a sequence of puts needs one check at the end.
 *
 * Context: any.
 */
void sealfs_buf_put(struct sealfs_buf *b, const void *p, u32 n)
{
	if (b->err)
		return;
	if (n > b->cap - b->len) {
		b->err = -EMSGSIZE;
		return;
	}
	if (p)
		memcpy(b->data + b->len, p, n);
	else
		memset(b->data + b->len, 0, n);
	b->len += n;
}

/**
 * sealfs_msg_start() - start a message: reserve its header
 * @b: the buffer; the message starts at its beginning
 *
 * Append the fixed body and the variable parts with sealfs_buf_put() and
 * records with sealfs_msg_put_rec(), then call sealfs_msg_end().
 *
 * Context: any.
 */
void sealfs_msg_start(struct sealfs_buf *b)
{
	b->len = 0;
	b->err = 0;
	sealfs_buf_put(b, NULL, SEALFS_HDR_SIZE);
}

/**
 * sealfs_msg_put_rec() - append a record to a list reply
 * @b: the buffer
 * @kind: &enum sealfs_rec_kind
 * @body: the record body (without its &struct sealfs_rec_hdr)
 * @body_len: its size
 * @name: the name that follows the body, or %NULL
 * @name_len: bytes of @name
 *
 * Context: any.
 */
void sealfs_msg_put_rec(struct sealfs_buf *b, u16 kind, const void *body,
			u32 body_len, const void *name, u32 name_len)
{
	u32 len = sizeof(struct sealfs_rec_hdr) + body_len + name_len;
	u32 padded = (len + 7) & ~7u;
	struct sealfs_rec_hdr rh = {
		.kind	= cpu_to_le16(kind),
		.len	= cpu_to_le32(padded),
	};

	sealfs_buf_put(b, &rh, sizeof(rh));
	sealfs_buf_put(b, body, body_len);
	sealfs_buf_put(b, name, name_len);
	sealfs_buf_put(b, NULL, padded - len);
}

/**
 * sealfs_msg_end() - finish a message: write its header
 * @b: the buffer holding the message
 * @h: header fields; @h->len is set here
 * @detached: payload bytes the caller sends after the buffer's contents
 *	(e.g. WRITE data straight from pages)
 *
 * Context: any.
 * Return: 0; -EMSGSIZE if the message did not fit the buffer or exceeds
 * %SEALFS_MAX_PAYLOAD.
 */
int sealfs_msg_end(struct sealfs_buf *b, struct sealfs_hdr_info *h,
		   u32 detached)
{
	u64 len;

	if (b->err)
		return b->err;
	len = (u64)b->len - SEALFS_HDR_SIZE + detached;
	if (len > SEALFS_MAX_PAYLOAD)
		return -EMSGSIZE;
	h->len = len;
	sealfs_hdr_encode(b->data, h);
	return 0;
}
