/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Well-formed sample messages, one request and one reply for every opcode,
 * and the malformed variants derived from them. Used by test_codec (round
 * trips, truncation, mutation) and by gen_codec_vectors, which writes the
 * malformed cases as byte vectors that the kernel tests check too.
 */
#ifndef SEALFS_CODEC_SAMPLES_H
#define SEALFS_CODEC_SAMPLES_H

#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "sealfs_codec.h"
#include "sealfs_proto.h"

#define L16(x)	cpu_to_le16(x)
#define L32(x)	cpu_to_le32(x)
#define L64(x)	cpu_to_le64(x)

#define CS_BUF_SIZE	(SEALFS_HDR_SIZE + 70000)
#define CS_REQ_ID	0x1122334455667788ull
#define CS_EPOCH	42

/**
 * struct cs_expect - what parsing a sample must give back
 * @ntails: variable parts
 * @tail: their expected contents
 * @tail_len: their lengths
 * @nrecs: records
 */
struct cs_expect {
	unsigned int ntails;
	const void *tail[SEALFS_MAX_TAILS];
	unsigned int tail_len[SEALFS_MAX_TAILS];
	unsigned int nrecs;
};

static const char cs_name[] = "report-2026.txt";
static const char cs_name2[] = "r\xc3\xa9sum\xc3\xa9";	/* UTF-8 bytes */
static const char cs_target[] = "../lib/libfoo.so.1";
static const char cs_xname[] = "user.mime_type";
static const char cs_xvalue[] = "text/plain";
static const char cs_xlist[] = "user.a\0trusted.bb\0user.mime_type";	/* +NUL */
static const char cs_vol[] = "vol-01.a_b";
static const char cs_data[] = "The quick brown fox jumps over the lazy dog";

static struct sealfs_attr cs_attr(unsigned long long ino, unsigned int mode)
{
	struct sealfs_attr a = {
		.ino = L64(ino), .size = L64(123456789), .blocks = L64(241128),
		.change = L64(77), .atime_sec = L64(1700000000),
		.mtime_sec = L64(1700000001), .ctime_sec = L64(-5),
		.atime_nsec = L32(1), .mtime_nsec = L32(999999999),
		.ctime_nsec = L32(500), .mode = L32(mode), .nlink = L32(2),
		.uid = L32(1000), .gid = L32(100), .rdev = L32(0x801),
		.generation = L32(3),
	};
	return a;
}

static struct sealfs_addr cs_addr4(unsigned char last, unsigned short port)
{
	struct sealfs_addr a = { .family = L16(SEALFS_AF_INET), .port = L16(port) };

	a.addr[0] = 10;
	a.addr[3] = last;
	return a;
}

/* Appends a body and up to two tails and finishes the message. */
static int cs_msg(struct sealfs_buf *b, unsigned int op, bool reply,
		  const void *body, unsigned int blen, struct cs_expect *e,
		  const void *t0, unsigned int l0, const void *t1, unsigned int l1)
{
	struct sealfs_hdr_info h = {
		.opcode = op, .flags = reply ? SEALFS_HF_REPLY : 0,
		.req_id = CS_REQ_ID, .epoch = CS_EPOCH,
	};

	sealfs_msg_start(b);
	sealfs_buf_put(b, body, blen);
	e->ntails = 0;
	if (t0) {
		sealfs_buf_put(b, t0, l0);
		e->tail[e->ntails] = t0;
		e->tail_len[e->ntails++] = l0;
	}
	if (t1) {
		sealfs_buf_put(b, t1, l1);
		e->tail[e->ntails] = t1;
		e->tail_len[e->ntails++] = l1;
	}
	return sealfs_msg_end(b, &h, 0);
}

#define CS_BODY(b, op, rep, v, e) cs_msg(b, op, rep, &(v), sizeof(v), e, NULL, 0, NULL, 0)
#define CS_NONE(b, op, rep, e) cs_msg(b, op, rep, NULL, 0, e, NULL, 0, NULL, 0)
#define CS_T1(b, op, rep, v, e, t, l) cs_msg(b, op, rep, &(v), sizeof(v), e, t, l, NULL, 0)

static int cs_list(struct sealfs_buf *b, unsigned int op, const void *body,
		   unsigned int blen, struct cs_expect *e, unsigned int nrecs)
{
	struct sealfs_hdr_info h = {
		.opcode = op, .flags = SEALFS_HF_REPLY,
		.req_id = CS_REQ_ID, .epoch = CS_EPOCH,
	};
	unsigned int i;

	sealfs_msg_start(b);
	sealfs_buf_put(b, body, blen);
	for (i = 0; i < nrecs; i++) {
		if (op == SEALFS_OP_READDIR) {
			const char *n = i % 2 ? cs_name2 : cs_name;
			struct sealfs_dirent d = {
				.cookie = L64(1000 + i),
				.attr = cs_attr(100 + i, 0100644),
				.flags = L32(i % 2 ? 0 : SEALFS_EF_ATTR),
				.name_len = L16(strlen(n) - (i % 3)),
			};
			sealfs_msg_put_rec(b, SEALFS_REC_DIRENT, &d, sizeof(d), n,
					   strlen(n) - (i % 3));
		} else if (op == SEALFS_OP_CLUSTER_STATUS) {
			struct sealfs_srv_status s = {
				.id = L32(i + 1), .state = L32(SEALFS_SRV_UP),
				.weight = L32(100), .capacity = L64(1ull << 40),
				.used = L64(12345), .last_seen_ms = L64(250),
				.addr = { cs_addr4(i + 1, SEALFS_SERVER_PORT) },
			};
			s.uuid[0] = i + 1;
			sealfs_msg_put_rec(b, SEALFS_REC_SRV_STATUS, &s, sizeof(s), NULL, 0);
		} else if (op == SEALFS_OP_VOL_LIST) {
			struct sealfs_volinfo v = {
				.id = L32(i + 1), .chunk_size = L32(1 << 20),
				.quota_bytes = L64(1ull << 30), .quota_inodes = L64(1000),
				.used_bytes = L64(4096), .used_inodes = L64(3),
				.state = L32(SEALFS_VOL_ACTIVE), .name_len = L16(3 + i),
			};
			sealfs_msg_put_rec(b, SEALFS_REC_VOLINFO, &v, sizeof(v), cs_vol, 3 + i);
		} else if (i < 2) {	/* MAP_GET: two servers, then volumes */
			struct sealfs_map_server s = {
				.id = L32(i + 7), .weight = L32(100 + 100 * i),
				.state = L32(SEALFS_SRV_UP),
				.addr = { cs_addr4(i + 1, SEALFS_SERVER_PORT),
					  cs_addr4(i + 1, 20049) },
			};
			sealfs_msg_put_rec(b, SEALFS_REC_MAP_SERVER, &s, sizeof(s), NULL, 0);
		} else {
			struct sealfs_map_volume v = {
				.id = L32(i), .chunk_size = L32(1 << 20),
				.quota_bytes = L64(0), .quota_inodes = L64(0),
				.state = L32(SEALFS_VOL_ACTIVE), .name_len = L16(strlen(cs_vol)),
			};
			sealfs_msg_put_rec(b, SEALFS_REC_MAP_VOLUME, &v, sizeof(v), cs_vol,
					   strlen(cs_vol));
		}
	}
	e->ntails = 0;
	e->nrecs = nrecs;
	return sealfs_msg_end(b, &h, 0);
}

/* Session, membership and volume messages. */
static int cs_build_mgr(struct sealfs_buf *b, unsigned int op, bool rep,
			struct cs_expect *e)
{
	struct sealfs_list_rep lr = { .count = L32(3) };
	const unsigned int vl = strlen(cs_vol);

	switch (op) {
	case SEALFS_OP_HELLO:
		if (rep) {
			struct sealfs_hello_rep v = {
				.major = L16(1), .minor = L16(0), .role = L16(SEALFS_ROLE_SERVER),
				.features = L64(SEALFS_FEAT_ALL), .boot_id = L64(0xb007),
				.max_payload = L32(SEALFS_MAX_PAYLOAD), .server_id = L32(3),
			};
			return CS_BODY(b, op, rep, v, e);
		} else {
			struct sealfs_hello_req v = {
				.major = L16(1), .minor = L16(0), .role = L16(SEALFS_ROLE_CLIENT),
				.features = L64(~0ull), .client_id = L64(0xc11e47),
				.max_payload = L32(1 << 20),
			};
			return CS_BODY(b, op, rep, v, e);
		}
	case SEALFS_OP_PING:
	case SEALFS_OP_CLUSTER_STATUS:
		if (rep && op == SEALFS_OP_CLUSTER_STATUS)
			return cs_list(b, op, &lr, sizeof(lr), e, 3);
		return CS_NONE(b, op, rep, e);
	case SEALFS_OP_MAP_GET:
		if (rep) {
			struct sealfs_map_rep v = { .epoch = L64(9), .count = L32(4) };

			return cs_list(b, op, &v, sizeof(v), e, 4);
		} else {
			struct sealfs_map_get_req v = { .known_epoch = L64(8), .wait_ms = L32(5000) };

			return CS_BODY(b, op, rep, v, e);
		}
	case SEALFS_OP_SRV_REGISTER:
		if (rep) {
			struct sealfs_srv_register_rep v = { .server_id = L32(3), .heartbeat_ms = L32(1000) };

			return CS_BODY(b, op, rep, v, e);
		} else {
			struct sealfs_srv_register_req v = {
				.addr = { cs_addr4(9, SEALFS_SERVER_PORT) },
				.weight = L32(100), .capacity = L64(1ull << 40),
			};
			memset(v.uuid, 0xab, sizeof(v.uuid));
			return CS_BODY(b, op, rep, v, e);
		}
	case SEALFS_OP_SRV_HEARTBEAT:
		if (rep) {
			struct sealfs_heartbeat_rep v = { .heartbeat_ms = L32(1000) };

			return CS_BODY(b, op, rep, v, e);
		} else {
			struct sealfs_heartbeat_req v = {
				.server_id = L32(3), .boot_id = L64(0xb007),
				.capacity = L64(1ull << 40), .used = L64(1ull << 20),
			};
			return CS_BODY(b, op, rep, v, e);
		}
	case SEALFS_OP_VOL_CREATE:
		if (rep) {
			struct sealfs_vol_id_rep v = { .vol = L32(12) };

			return CS_BODY(b, op, rep, v, e);
		} else {
			struct sealfs_vol_create_req v = {
				.quota_bytes = L64(100ull << 30), .quota_inodes = L64(1000000),
				.chunk_size = L32(1 << 20), .name_len = L16(vl),
			};
			return CS_T1(b, op, rep, v, e, cs_vol, vl);
		}
	case SEALFS_OP_VOL_LIST:
		if (rep)
			return cs_list(b, op, &lr, sizeof(lr), e, 3);
		{
			struct sealfs_vol_list_req v = { .flags = L32(SEALFS_VL_USAGE) };

			return CS_BODY(b, op, rep, v, e);
		}
	case SEALFS_OP_VOL_RESIZE:
		if (rep)
			return CS_NONE(b, op, rep, e);
		{
			struct sealfs_vol_resize_req v = {
				.quota_bytes = L64(1ull << 40), .flags = L32(SEALFS_VR_BYTES),
				.name_len = L16(vl),
			};
			return CS_T1(b, op, rep, v, e, cs_vol, vl);
		}
	case SEALFS_OP_VOL_DELETE:
		if (rep)
			return CS_NONE(b, op, rep, e);
		{
			struct sealfs_vol_name_req v = { .name_len = L16(vl) };

			return CS_T1(b, op, rep, v, e, cs_vol, vl);
		}
	case SEALFS_OP_VOL_USAGE:
	case SEALFS_OP_VOL_PURGE:
	case SEALFS_OP_STATFS:
		if (!rep) {
			struct sealfs_vol_req v = { .vol = L32(12) };

			return CS_BODY(b, op, rep, v, e);
		}
		if (op == SEALFS_OP_VOL_USAGE) {
			struct sealfs_vol_usage_rep v = { .bytes = L64(1 << 20), .inodes = L64(17) };

			return CS_BODY(b, op, rep, v, e);
		}
		if (op == SEALFS_OP_STATFS) {
			struct sealfs_statfs_rep v = {
				.disk_bytes = L64(1ull << 40), .disk_free = L64(1ull << 39),
				.disk_files = L64(1 << 20), .disk_ffree = L64(1 << 19),
				.vol_bytes = L64(4096), .vol_inodes = L64(3),
			};
			return CS_BODY(b, op, rep, v, e);
		}
		return CS_NONE(b, op, rep, e);
	}
	return -ENOENT;
}

/* Namespace messages. */
static int cs_build_ns(struct sealfs_buf *b, unsigned int op, bool rep,
		       struct cs_expect *e)
{
	const unsigned int nl = strlen(cs_name), xl = strlen(cs_xname);
	struct sealfs_entry_rep er = { .flags = L32(SEALFS_EF_ATTR),
				       .attr = cs_attr(0x30000000001ull, 0100600) };
	struct sealfs_attr_rep ar = { .attr = cs_attr(0x30000000001ull, 040755) };
	struct sealfs_name_req nr = { .parent = L64(1), .vol = L32(12), .name_len = L16(nl) };
	struct sealfs_ino_req ir = { .ino = L64(0x30000000001ull), .vol = L32(12) };

	switch (op) {
	case SEALFS_OP_LOOKUP:
	case SEALFS_OP_UNLINK:
		if (rep)
			return CS_BODY(b, op, rep, er, e);
		return CS_T1(b, op, rep, nr, e, cs_name, nl);
	case SEALFS_OP_RMDIR:
		if (rep)
			return CS_NONE(b, op, rep, e);
		return CS_T1(b, op, rep, nr, e, cs_name, nl);
	case SEALFS_OP_GETATTR:
		if (rep)
			return CS_BODY(b, op, rep, ar, e);
		return CS_BODY(b, op, rep, ir, e);
	case SEALFS_OP_SETATTR:
		if (rep)
			return CS_BODY(b, op, rep, ar, e);
		{
			struct sealfs_setattr_req v = {
				.ino = L64(5), .vol = L32(12),
				.valid = L32(SEALFS_SA_SIZE | SEALFS_SA_MODE | SEALFS_SA_MTIME_NOW),
				.size = L64(1ull << 33), .mode = L32(0644),
			};
			return CS_BODY(b, op, rep, v, e);
		}
	case SEALFS_OP_CREATE:
		if (rep)
			return CS_BODY(b, op, rep, er, e);
		{
			struct sealfs_create_req v = {
				.parent = L64(1), .vol = L32(12), .mode = L32(0100644),
				.uid = L32(1000), .gid = L32(100), .flags = L32(SEALFS_CF_EXCL),
				.name_len = L16(nl),
			};
			return CS_T1(b, op, rep, v, e, cs_name, nl);
		}
	case SEALFS_OP_SYMLINK:
		if (rep)
			return CS_BODY(b, op, rep, er, e);
		{
			struct sealfs_symlink_req v = {
				.parent = L64(1), .vol = L32(12), .uid = L32(0), .gid = L32(0),
				.name_len = L16(nl), .target_len = L16(strlen(cs_target)),
			};
			return cs_msg(b, op, rep, &v, sizeof(v), e, cs_name, nl,
				      cs_target, strlen(cs_target));
		}
	case SEALFS_OP_READLINK:
		if (rep) {
			struct sealfs_readlink_rep v = { .target_len = L32(strlen(cs_target)) };

			return CS_T1(b, op, rep, v, e, cs_target, strlen(cs_target));
		}
		return CS_BODY(b, op, rep, ir, e);
	case SEALFS_OP_LINK:
		if (rep)
			return CS_BODY(b, op, rep, er, e);
		{
			struct sealfs_link_req v = {
				.ino = L64(77), .parent = L64(1), .vol = L32(12),
				.name_len = L16(nl),
			};
			return CS_T1(b, op, rep, v, e, cs_name, nl);
		}
	case SEALFS_OP_RENAME:
		if (rep) {
			struct sealfs_rename_rep v = { .ino = L64(77), .replaced_ino = L64(78) };

			return CS_BODY(b, op, rep, v, e);
		} else {
			struct sealfs_rename_req v = {
				.src_parent = L64(1), .dst_parent = L64(99), .vol = L32(12),
				.flags = L32(SEALFS_RF_NOREPLACE), .src_len = L16(nl),
				.dst_len = L16(strlen(cs_name2)),
			};
			return cs_msg(b, op, rep, &v, sizeof(v), e, cs_name, nl,
				      cs_name2, strlen(cs_name2));
		}
	case SEALFS_OP_READDIR:
		if (rep) {
			struct sealfs_readdir_rep v = { .count = L32(5), .flags = L32(SEALFS_RD_EOF) };

			return cs_list(b, op, &v, sizeof(v), e, 5);
		} else {
			struct sealfs_readdir_req v = {
				.dir = L64(1), .cookie = L64(1005), .vol = L32(12),
				.max_bytes = L32(65536),
			};
			return CS_BODY(b, op, rep, v, e);
		}
	case SEALFS_OP_GETXATTR:
		if (rep) {
			struct sealfs_xattr_rep v = { .size = L32(strlen(cs_xvalue)),
						      .len = L32(strlen(cs_xvalue)) };

			return CS_T1(b, op, rep, v, e, cs_xvalue, strlen(cs_xvalue));
		} else {
			struct sealfs_getxattr_req v = {
				.ino = L64(5), .vol = L32(12), .size = L32(256), .name_len = L16(xl),
			};
			return CS_T1(b, op, rep, v, e, cs_xname, xl);
		}
	case SEALFS_OP_SETXATTR:
		if (rep)
			return CS_NONE(b, op, rep, e);
		{
			struct sealfs_setxattr_req v = {
				.ino = L64(5), .vol = L32(12), .flags = L32(SEALFS_XF_CREATE),
				.value_len = L32(strlen(cs_xvalue)), .name_len = L16(xl),
			};
			return cs_msg(b, op, rep, &v, sizeof(v), e, cs_xname, xl,
				      cs_xvalue, strlen(cs_xvalue));
		}
	case SEALFS_OP_LISTXATTR:
		if (rep) {
			struct sealfs_xattr_rep v = { .size = L32(sizeof(cs_xlist)),
						      .len = L32(sizeof(cs_xlist)) };

			return CS_T1(b, op, rep, v, e, cs_xlist, sizeof(cs_xlist));
		} else {
			struct sealfs_listxattr_req v = { .ino = L64(5), .vol = L32(12),
							  .size = L32(4096) };

			return CS_BODY(b, op, rep, v, e);
		}
	case SEALFS_OP_REMOVEXATTR:
		if (rep)
			return CS_NONE(b, op, rep, e);
		{
			struct sealfs_removexattr_req v = { .ino = L64(5), .vol = L32(12),
							    .name_len = L16(xl) };

			return CS_T1(b, op, rep, v, e, cs_xname, xl);
		}
	}
	return -ENOENT;
}

/* Data and server-to-server messages. */
static int cs_build_data(struct sealfs_buf *b, unsigned int op, bool rep,
			 struct cs_expect *e)
{
	const unsigned int dl = strlen(cs_data), nl = strlen(cs_name);
	struct sealfs_ino_req ir = { .ino = L64(5), .vol = L32(12) };
	struct sealfs_txn_req tr = { .txid = L64(0x7000000001ull), .vol = L32(12),
				     .decision = L32(SEALFS_TXN_COMMIT), .coordinator = L32(2) };

	switch (op) {
	case SEALFS_OP_READ:
		if (rep) {
			struct sealfs_read_rep v = { .length = L32(dl) };

			return CS_T1(b, op, rep, v, e, cs_data, dl);
		} else {
			struct sealfs_read_req v = { .ino = L64(5), .offset = L64(5ull << 30),
						     .vol = L32(12), .length = L32(1 << 20) };

			return CS_BODY(b, op, rep, v, e);
		}
	case SEALFS_OP_WRITE:
		if (rep) {
			struct sealfs_write_rep v = { .boot_id = L64(0xb007), .written = L32(dl) };

			return CS_BODY(b, op, rep, v, e);
		} else {
			struct sealfs_write_req v = {
				.ino = L64(5), .offset = L64(4096), .vol = L32(12),
				.length = L32(dl), .flags = L32(SEALFS_WF_STABLE),
			};
			return CS_T1(b, op, rep, v, e, cs_data, dl);
		}
	case SEALFS_OP_COMMIT:
		if (rep) {
			struct sealfs_commit_rep v = { .boot_id = L64(0xb007) };

			return CS_BODY(b, op, rep, v, e);
		}
		return CS_BODY(b, op, rep, ir, e);
	case SEALFS_OP_FALLOCATE:
		if (rep)
			return CS_NONE(b, op, rep, e);
		{
			struct sealfs_fallocate_req v = {
				.ino = L64(5), .offset = L64(0), .length = L64(1 << 20),
				.vol = L32(12), .mode = L32(SEALFS_FA_PUNCH_HOLE | SEALFS_FA_KEEP_SIZE),
			};
			return CS_BODY(b, op, rep, v, e);
		}
	case SEALFS_OP_DATA_TRUNCATE:
		if (rep)
			return CS_NONE(b, op, rep, e);
		{
			struct sealfs_truncate_req v = { .ino = L64(5), .size = L64(100),
							 .vol = L32(12) };

			return CS_BODY(b, op, rep, v, e);
		}
	case SEALFS_OP_ENTRY_PREPARE:
		if (rep) {
			struct sealfs_entry_prepare_rep v = { .old_ino = L64(78),
							      .old_mode = L32(0100000) };

			return CS_BODY(b, op, rep, v, e);
		} else {
			struct sealfs_entry_prepare_req v = {
				.txid = L64(0x7000000001ull), .parent = L64(99), .ino = L64(77),
				.vol = L32(12), .mode = L32(0100000),
				.flags = L32(SEALFS_PF_NOREPLACE), .name_len = L16(nl),
			};
			return CS_T1(b, op, rep, v, e, cs_name, nl);
		}
	case SEALFS_OP_TXN_FINISH:
		if (rep)
			return CS_NONE(b, op, rep, e);
		return CS_BODY(b, op, rep, tr, e);
	case SEALFS_OP_TXN_QUERY:
		if (rep) {
			struct sealfs_txn_rep v = { .state = L32(SEALFS_TXN_PENDING) };

			return CS_BODY(b, op, rep, v, e);
		}
		tr.decision = 0;
		return CS_BODY(b, op, rep, tr, e);
	case SEALFS_OP_INODE_UPDATE:
		if (rep) {
			struct sealfs_attr_rep v = { .attr = cs_attr(77, 040755) };

			return CS_BODY(b, op, rep, v, e);
		} else {
			struct sealfs_inode_update_req v = {
				.ino = L64(77), .parent = L64(99), .txid = L64(1), .vol = L32(12),
				.flags = L32(SEALFS_IU_NLINK | SEALFS_IU_PARENT),
				.nlink_delta = L32((unsigned int)-1),
			};
			return CS_BODY(b, op, rep, v, e);
		}
	case SEALFS_OP_DIR_FREEZE:
		if (rep) {
			struct sealfs_dir_freeze_rep v = { .entries = L64(0) };

			return CS_BODY(b, op, rep, v, e);
		} else {
			struct sealfs_dir_freeze_req v = { .txid = L64(2), .dir = L64(99),
							   .vol = L32(12), .coordinator = L32(2) };

			return CS_BODY(b, op, rep, v, e);
		}
	case SEALFS_OP_DIR_WALK:
		if (rep) {
			struct sealfs_dir_walk_rep v = { .next = L64(0x1234), .steps = L32(3) };

			return CS_BODY(b, op, rep, v, e);
		} else {
			struct sealfs_dir_walk_req v = { .dir = L64(99), .stop = L64(77),
							 .txid = L64(0x7000000001ull),
							 .vol = L32(12) };

			return CS_BODY(b, op, rep, v, e);
		}
	}
	return -ENOENT;
}

/**
 * cs_build() - the sample message for an opcode and direction
 * @b: buffer of %CS_BUF_SIZE bytes
 * @op: opcode
 * @rep: the reply rather than the request
 * @e: what parsing it must give back
 *
 * Return: 0; -ENOENT when there is no sample for @op (unknown opcode).
 */
static int cs_build(struct sealfs_buf *b, unsigned int op, bool rep,
		    struct cs_expect *e)
{
	int err;

	memset(e, 0, sizeof(*e));
	err = cs_build_mgr(b, op, rep, e);
	if (err == -ENOENT)
		err = cs_build_ns(b, op, rep, e);
	if (err == -ENOENT)
		err = cs_build_data(b, op, rep, e);
	return err;
}

#endif /* SEALFS_CODEC_SAMPLES_H */
