/* SPDX-License-Identifier: GPL-2.0-only OR Apache-2.0 */
/*
 * SealFS wire protocol, version 1.
 *
 * One header, compiled unchanged into sealfs.ko and the userspace programs.
 * Documentation/protocol.rst describes every message field by field; this
 * file is the source of truth for sizes and offsets, which the static
 * assertions at the bottom pin.
 *
 * Rules (see Documentation/protocol.rst, "Encoding rules"):
 *  - every field is fixed-width little-endian (__le16/__le32/__le64) or a
 *    byte string; no enum, bool, long, pointer, bitfield or packed struct;
 *  - fields are naturally aligned and every struct is a multiple of 8 bytes;
 *  - reserved fields and padding are sent as zero and rejected when not;
 *  - a message is a 40-byte header and a payload of hdr.len bytes: the
 *    fixed body of its opcode, then the variable parts ("tails") whose
 *    lengths the fixed body gives, in order, then for list replies a
 *    sequence of records, each 8-byte aligned.
 *
 * Changelog:
 *  1.0  first version.
 */
#ifndef SEALFS_PROTO_H
#define SEALFS_PROTO_H

#include "sealfs_env.h"

#define SEALFS_MAGIC		0x4c414553u	/* "SEAL" in wire byte order */
#define SEALFS_PROTO_MAJOR	1
#define SEALFS_PROTO_MINOR	0

/* Default TCP ports. */
#define SEALFS_MANAGER_PORT	7420
#define SEALFS_SERVER_PORT	7421

/* Limits. */
#define SEALFS_NAME_MAX		255	/* directory entry name, bytes */
#define SEALFS_TARGET_MAX	4095	/* symbolic link target, bytes */
#define SEALFS_XATTR_NAME_MAX	255	/* extended attribute name, bytes */
#define SEALFS_XATTR_SIZE_MAX	65536	/* extended attribute value, bytes */
#define SEALFS_XATTR_LIST_MAX	65536	/* listxattr reply, bytes */
#define SEALFS_VOLNAME_MAX	64	/* volume name, bytes */
#define SEALFS_MAX_IO		(4u << 20)	/* data bytes in one READ/WRITE */
#define SEALFS_MAX_PAYLOAD	(SEALFS_MAX_IO + 4096u) /* hdr.len limit */
#define SEALFS_MAX_SERVERS	4096	/* servers in a cluster map */
#define SEALFS_MAX_VOLUMES	65536	/* volumes in a cluster map */
#define SEALFS_ROOT_INO		1	/* inode number of a volume's root */

/* ---- message header ----------------------------------------------------- */

/* hdr.flags */
#define SEALFS_HF_REPLY		0x0001u	/* this is a reply */
#define SEALFS_HF_RETRY		0x0002u	/* request resent after a reconnect */
#define SEALFS_HF_KNOWN		(SEALFS_HF_REPLY | SEALFS_HF_RETRY)

/**
 * struct sealfs_hdr - header that starts every message
 * @magic: %SEALFS_MAGIC
 * @version: protocol major version, %SEALFS_PROTO_MAJOR
 * @opcode: one of &enum sealfs_op; a reply echoes the request's opcode
 * @flags: %SEALFS_HF_* bits; unknown bits are rejected
 * @len: payload bytes after the header, at most %SEALFS_MAX_PAYLOAD
 * @req_id: request id chosen by the sender, echoed in the reply; never
 *	reused by one client id (so also never on one connection)
 * @epoch: the sender's cluster-map epoch
 * @status: replies: &enum sealfs_status; requests: zero
 * @reserved: zero
 */
struct sealfs_hdr {
	__le32 magic;
	__le16 version;
	__le16 opcode;
	__le32 flags;
	__le32 len;
	__le64 req_id;
	__le64 epoch;
	__le32 status;
	__le32 reserved;
};

#define SEALFS_HDR_SIZE		40

/* ---- opcodes -------------------------------------------------------------- */

/*
 * Opcodes are grouped by who sends them: 1-31 sessions, membership and
 * volumes (manager), 32-63 namespace, 64-79 data, 96-127 server to server.
 * Values are fixed forever; unknown opcodes are answered with
 * SEALFS_S_NOTSUPP.
 */
enum sealfs_op {
	SEALFS_OP_HELLO		= 1,
	SEALFS_OP_PING		= 2,
	SEALFS_OP_MAP_GET	= 3,
	SEALFS_OP_SRV_REGISTER	= 4,
	SEALFS_OP_SRV_HEARTBEAT	= 5,
	SEALFS_OP_CLUSTER_STATUS = 6,
	SEALFS_OP_VOL_CREATE	= 7,
	SEALFS_OP_VOL_LIST	= 8,
	SEALFS_OP_VOL_RESIZE	= 9,
	SEALFS_OP_VOL_DELETE	= 10,
	SEALFS_OP_VOL_USAGE	= 11,
	SEALFS_OP_VOL_PURGE	= 12,

	SEALFS_OP_LOOKUP	= 32,
	SEALFS_OP_GETATTR	= 33,
	SEALFS_OP_SETATTR	= 34,
	SEALFS_OP_CREATE	= 35,
	SEALFS_OP_SYMLINK	= 36,
	SEALFS_OP_READLINK	= 37,
	SEALFS_OP_LINK		= 38,
	SEALFS_OP_UNLINK	= 39,
	SEALFS_OP_RMDIR		= 40,
	SEALFS_OP_RENAME	= 41,
	SEALFS_OP_READDIR	= 42,
	SEALFS_OP_STATFS	= 43,
	SEALFS_OP_GETXATTR	= 44,
	SEALFS_OP_SETXATTR	= 45,
	SEALFS_OP_LISTXATTR	= 46,
	SEALFS_OP_REMOVEXATTR	= 47,

	SEALFS_OP_READ		= 64,
	SEALFS_OP_WRITE		= 65,
	SEALFS_OP_COMMIT	= 66,
	SEALFS_OP_FALLOCATE	= 67,
	SEALFS_OP_DATA_TRUNCATE	= 68,

	SEALFS_OP_ENTRY_PREPARE	= 96,
	SEALFS_OP_TXN_FINISH	= 97,
	SEALFS_OP_TXN_QUERY	= 98,
	SEALFS_OP_INODE_UPDATE	= 99,
	SEALFS_OP_DIR_FREEZE	= 100,
	SEALFS_OP_DIR_WALK	= 101,

	SEALFS_OP_MAX		= 128	/* opcodes are below this */
};

/* ---- status --------------------------------------------------------------- */

/*
 * Reply status. Each maps to one errno through sealfs_status_to_errno();
 * values not listed there become EIO. A reply whose status is not
 * SEALFS_S_OK carries no payload (hdr.len == 0).
 */
enum sealfs_status {
	SEALFS_S_OK		= 0,
	SEALFS_S_PERM		= 1,
	SEALFS_S_NOENT		= 2,
	SEALFS_S_IO		= 3,
	SEALFS_S_EXIST		= 4,
	SEALFS_S_NOTDIR		= 5,
	SEALFS_S_ISDIR		= 6,
	SEALFS_S_INVAL		= 7,
	SEALFS_S_NOSPC		= 8,
	SEALFS_S_DQUOT		= 9,
	SEALFS_S_NAMETOOLONG	= 10,
	SEALFS_S_NOTEMPTY	= 11,
	SEALFS_S_ACCES		= 12,
	SEALFS_S_ROFS		= 13,
	SEALFS_S_FBIG		= 14,
	SEALFS_S_MLINK		= 15,
	SEALFS_S_XDEV		= 16,
	SEALFS_S_NODATA		= 17,	/* no such extended attribute */
	SEALFS_S_RANGE		= 18,	/* buffer too small for the value */
	SEALFS_S_NOTSUPP	= 19,	/* operation or opcode not supported */
	SEALFS_S_STALE		= 20,	/* inode no longer exists */
	SEALFS_S_AGAIN		= 21,	/* transient; retry later */
	SEALFS_S_BUSY		= 22,
	SEALFS_S_LOOP		= 23,
	SEALFS_S_NOMEM		= 24,
	SEALFS_S_TIMEDOUT	= 25,
	SEALFS_S_E2BIG		= 26,
	SEALFS_S_OVERFLOW	= 27,
	SEALFS_S_BADMSG		= 28,	/* malformed request */
	SEALFS_S_VERSION	= 29,	/* protocol major version mismatch */
	/* request epoch older than the server's; hdr.epoch carries the server's */
	SEALFS_S_STALE_EPOCH	= 30,
	SEALFS_S_WRONG_OWNER	= 31,	/* key not owned by this server */
	SEALFS_S_NOTREADY	= 32,	/* server not registered / no map yet */
	SEALFS_S_BADF		= 33,

	SEALFS_S_MAX
};

/* ---- shared sub-structures ------------------------------------------------ */

/**
 * struct sealfs_attr - attributes of an inode
 * @ino: inode number, unique in its volume
 * @size: file size in bytes (the inode's server is the authority)
 * @blocks: allocated 512-byte blocks, summed as known to the inode's server
 * @change: change counter, bumped on every change of data or attributes
 * @atime_sec: access time, seconds since the epoch (signed)
 * @mtime_sec: modification time, seconds (signed)
 * @ctime_sec: status change time, seconds (signed)
 * @atime_nsec: nanoseconds of @atime_sec, below 10^9
 * @mtime_nsec: nanoseconds of @mtime_sec, below 10^9
 * @ctime_nsec: nanoseconds of @ctime_sec, below 10^9
 * @mode: file type and permission bits, as in st_mode
 * @nlink: number of directory entries naming the inode
 * @uid: owner
 * @gid: group
 * @rdev: device number for character and block devices (new_encode_dev)
 * @generation: inode generation, for file handles
 * @reserved: zero
 */
struct sealfs_attr {
	__le64 ino;
	__le64 size;
	__le64 blocks;
	__le64 change;
	__le64 atime_sec;
	__le64 mtime_sec;
	__le64 ctime_sec;
	__le32 atime_nsec;
	__le32 mtime_nsec;
	__le32 ctime_nsec;
	__le32 mode;
	__le32 nlink;
	__le32 uid;
	__le32 gid;
	__le32 rdev;
	__le32 generation;
	__le32 reserved;
};

/* address families in struct sealfs_addr */
#define SEALFS_AF_NONE		0
#define SEALFS_AF_INET		4
#define SEALFS_AF_INET6		6

/* transports, indexing sealfs_map_server.addr[] */
#define SEALFS_TRANSPORT_TCP	0
#define SEALFS_TRANSPORT_RDMA	1
#define SEALFS_TRANSPORTS	2

/**
 * struct sealfs_addr - a network endpoint
 * @family: %SEALFS_AF_NONE (no endpoint), %SEALFS_AF_INET or %SEALFS_AF_INET6
 * @port: port number
 * @reserved: zero
 * @addr: IPv4 address in the first 4 bytes (rest zero), or IPv6 address,
 *	in network byte order
 */
struct sealfs_addr {
	__le16 family;
	__le16 port;
	__le32 reserved;
	__u8 addr[16];
};

/* ---- records: elements of list replies ------------------------------------ */

enum sealfs_rec_kind {
	SEALFS_REC_DIRENT	= 1,
	SEALFS_REC_MAP_SERVER	= 2,
	SEALFS_REC_MAP_VOLUME	= 3,
	SEALFS_REC_SRV_STATUS	= 4,
	SEALFS_REC_VOLINFO	= 5,
	SEALFS_REC_MAX
};

/**
 * struct sealfs_rec_hdr - starts every record of a list reply
 * @kind: &enum sealfs_rec_kind
 * @reserved: zero
 * @len: record bytes including this header and the zero padding that
 *	rounds it up to a multiple of 8
 */
struct sealfs_rec_hdr {
	__le16 kind;
	__le16 reserved;
	__le32 len;
};

/* sealfs_dirent.flags and sealfs_entry_rep.flags */
/*
 * SEALFS_EF_ATTR: every field of attr is valid; without it only attr.ino
 * and the type bits of attr.mode are.
 */
#define SEALFS_EF_ATTR		0x1u

/**
 * struct sealfs_dirent - a directory entry in a READDIR reply
 * @cookie: position after this entry; READDIR from it resumes after it
 * @attr: the entry's inode (see %SEALFS_EF_ATTR)
 * @flags: %SEALFS_EF_* bits
 * @name_len: bytes of the name that follows
 * @reserved: zero
 */
struct sealfs_dirent {
	__le64 cookie;
	struct sealfs_attr attr;
	__le32 flags;
	__le16 name_len;
	__le16 reserved;
};

/* server states */
#define SEALFS_SRV_UP		1
#define SEALFS_SRV_DOWN		2

/**
 * struct sealfs_map_server - a server in the cluster map
 * @id: server id, assigned by the manager, never reused
 * @weight: placement weight; 100 is nominal, 0 takes no keys
 * @state: %SEALFS_SRV_UP or %SEALFS_SRV_DOWN
 * @reserved: zero
 * @uuid: the server's persistent identity
 * @addr: endpoint per transport (%SEALFS_TRANSPORT_TCP, ...)
 */
struct sealfs_map_server {
	__le32 id;
	__le32 weight;
	__le32 state;
	__le32 reserved;
	__u8 uuid[16];
	struct sealfs_addr addr[SEALFS_TRANSPORTS];
};

/* volume states */
#define SEALFS_VOL_ACTIVE	1
#define SEALFS_VOL_DELETING	2

/**
 * struct sealfs_map_volume - a volume in the cluster map; its name follows
 * @id: volume id, assigned by the manager, never reused
 * @chunk_size: data chunk size in bytes, a power of two
 * @quota_bytes: byte quota, 0 for none
 * @quota_inodes: inode quota, 0 for none
 * @state: %SEALFS_VOL_ACTIVE or %SEALFS_VOL_DELETING
 * @name_len: bytes of the name that follows
 * @reserved: zero
 */
struct sealfs_map_volume {
	__le32 id;
	__le32 chunk_size;
	__le64 quota_bytes;
	__le64 quota_inodes;
	__le32 state;
	__le16 name_len;
	__le16 reserved;
};

/**
 * struct sealfs_srv_status - a server as CLUSTER_STATUS reports it
 * @id: server id
 * @state: %SEALFS_SRV_UP or %SEALFS_SRV_DOWN
 * @weight: placement weight
 * @reserved: zero
 * @uuid: persistent identity
 * @addr: endpoint per transport
 * @capacity: bytes of storage the server reports
 * @used: bytes used
 * @last_seen_ms: milliseconds since the last heartbeat
 */
struct sealfs_srv_status {
	__le32 id;
	__le32 state;
	__le32 weight;
	__le32 reserved;
	__u8 uuid[16];
	struct sealfs_addr addr[SEALFS_TRANSPORTS];
	__le64 capacity;
	__le64 used;
	__le64 last_seen_ms;
};

/**
 * struct sealfs_volinfo - a volume as VOL_LIST reports it; its name follows
 * @id: volume id
 * @chunk_size: chunk size in bytes
 * @quota_bytes: byte quota, 0 for none
 * @quota_inodes: inode quota, 0 for none
 * @used_bytes: bytes used, summed over the servers that answered
 * @used_inodes: inodes used, likewise
 * @state: %SEALFS_VOL_ACTIVE or %SEALFS_VOL_DELETING
 * @name_len: bytes of the name
 * @reserved: zero
 */
struct sealfs_volinfo {
	__le32 id;
	__le32 chunk_size;
	__le64 quota_bytes;
	__le64 quota_inodes;
	__le64 used_bytes;
	__le64 used_inodes;
	__le32 state;
	__le16 name_len;
	__le16 reserved;
};

/* ---- session -------------------------------------------------------------- */

/* roles in HELLO */
#define SEALFS_ROLE_CLIENT	1	/* kernel or userspace file client */
#define SEALFS_ROLE_SERVER	2	/* storage server (also server to server) */
#define SEALFS_ROLE_ADMIN	3	/* administration tool */
#define SEALFS_ROLE_MANAGER	4	/* the manager */

/* feature bits negotiated by HELLO: the reply carries the intersection */
#define SEALFS_FEAT_REPLAY	0x1ull		/* replay cache for client ids */
#define SEALFS_FEAT_XATTR	0x2ull		/* extended attributes */
#define SEALFS_FEAT_FALLOCATE	0x4ull		/* FALLOCATE */
#define SEALFS_FEAT_ALL		(SEALFS_FEAT_REPLAY | SEALFS_FEAT_XATTR | \
				 SEALFS_FEAT_FALLOCATE)

/**
 * struct sealfs_hello_req - HELLO request: first message on a connection
 * @major: sender's major version
 * @minor: sender's minor version
 * @role: sender's role (%SEALFS_ROLE_*)
 * @reserved0: zero
 * @features: %SEALFS_FEAT_* the sender supports
 * @client_id: the sender's persistent id for replay protection (random,
 *	non-zero, kept across reconnects); 0 opts out
 * @max_payload: largest payload the sender accepts, at most
 *	%SEALFS_MAX_PAYLOAD
 * @reserved1: zero
 */
struct sealfs_hello_req {
	__le16 major;
	__le16 minor;
	__le16 role;
	__le16 reserved0;
	__le64 features;
	__le64 client_id;
	__le32 max_payload;
	__le32 reserved1;
};

/**
 * struct sealfs_hello_rep - HELLO reply
 * @major: receiver's major version, equal to the request's. A receiver of
 *	another major version answers with status %SEALFS_S_VERSION, no body,
 *	its own major in hdr.version, and closes the connection; the header's
 *	layout is the same in every version, so the sender's
 *	sealfs_hdr_decode() reports that reply as -EPROTONOSUPPORT.
 * @minor: min(request minor, receiver minor): the dialect spoken
 * @role: receiver's role
 * @reserved0: zero
 * @features: features both sides support
 * @boot_id: changes every time the receiver starts; a client that sees it
 *	change knows uncommitted writes may be lost and resends them
 * @max_payload: min of both sides' limits
 * @server_id: receiver's server id, 0 for the manager
 */
struct sealfs_hello_rep {
	__le16 major;
	__le16 minor;
	__le16 role;
	__le16 reserved0;
	__le64 features;
	__le64 boot_id;
	__le32 max_payload;
	__le32 server_id;
};

/* ---- manager: map, membership, volumes ------------------------------------ */

/**
 * struct sealfs_map_get_req - MAP_GET request
 * @known_epoch: the epoch the sender has, 0 for none
 * @wait_ms: if non-zero and the map's epoch equals @known_epoch, the reply
 *	is held until the map changes or @wait_ms pass (long poll)
 * @reserved: zero
 */
struct sealfs_map_get_req {
	__le64 known_epoch;
	__le32 wait_ms;
	__le32 reserved;
};

/**
 * struct sealfs_map_rep - MAP_GET reply; @count records follow: the
 * servers (%SEALFS_REC_MAP_SERVER), then the volumes (%SEALFS_REC_MAP_VOLUME)
 * @epoch: map epoch
 * @count: records that follow
 * @reserved: zero
 */
struct sealfs_map_rep {
	__le64 epoch;
	__le32 count;
	__le32 reserved;
};

/**
 * struct sealfs_srv_register_req - SRV_REGISTER request
 * @uuid: the server's persistent identity
 * @addr: endpoints per transport
 * @weight: placement weight asked for (100 nominal)
 * @reserved: zero
 * @capacity: bytes of storage
 */
struct sealfs_srv_register_req {
	__u8 uuid[16];
	struct sealfs_addr addr[SEALFS_TRANSPORTS];
	__le32 weight;
	__le32 reserved;
	__le64 capacity;
};

/**
 * struct sealfs_srv_register_rep - SRV_REGISTER reply
 * @server_id: id assigned to the uuid (the same on every registration)
 * @heartbeat_ms: interval at which the server must heartbeat
 */
struct sealfs_srv_register_rep {
	__le32 server_id;
	__le32 heartbeat_ms;
};

/**
 * struct sealfs_heartbeat_req - SRV_HEARTBEAT request
 * @server_id: sender's server id
 * @reserved: zero
 * @boot_id: sender's boot id
 * @capacity: bytes of storage
 * @used: bytes used
 */
struct sealfs_heartbeat_req {
	__le32 server_id;
	__le32 reserved;
	__le64 boot_id;
	__le64 capacity;
	__le64 used;
};

/**
 * struct sealfs_heartbeat_rep - SRV_HEARTBEAT reply; hdr.epoch tells the
 * server whether to fetch the map
 * @heartbeat_ms: interval at which the server must heartbeat
 * @reserved: zero
 */
struct sealfs_heartbeat_rep {
	__le32 heartbeat_ms;
	__le32 reserved;
};

/**
 * struct sealfs_list_rep - reply body of CLUSTER_STATUS and VOL_LIST; that
 * many records follow
 * @count: records that follow
 * @reserved: zero
 */
struct sealfs_list_rep {
	__le32 count;
	__le32 reserved;
};

/**
 * struct sealfs_vol_create_req - VOL_CREATE request; the name follows
 * @quota_bytes: byte quota, 0 for none
 * @quota_inodes: inode quota, 0 for none
 * @chunk_size: chunk size, a power of two, 0 for the default
 * @name_len: bytes of the name
 * @reserved: zero
 */
struct sealfs_vol_create_req {
	__le64 quota_bytes;
	__le64 quota_inodes;
	__le32 chunk_size;
	__le16 name_len;
	__le16 reserved;
};

/**
 * struct sealfs_vol_id_rep - VOL_CREATE reply
 * @vol: id of the new volume
 * @reserved: zero
 */
struct sealfs_vol_id_rep {
	__le32 vol;
	__le32 reserved;
};

/* sealfs_vol_list_req.flags */
#define SEALFS_VL_USAGE		0x1u	/* gather usage from the servers */

/**
 * struct sealfs_vol_list_req - VOL_LIST request
 * @flags: %SEALFS_VL_* bits
 * @reserved: zero
 */
struct sealfs_vol_list_req {
	__le32 flags;
	__le32 reserved;
};

/* sealfs_vol_resize_req.flags */
#define SEALFS_VR_BYTES		0x1u	/* set quota_bytes */
#define SEALFS_VR_INODES	0x2u	/* set quota_inodes */

/**
 * struct sealfs_vol_resize_req - VOL_RESIZE request; the name follows
 * @quota_bytes: new byte quota, 0 for none
 * @quota_inodes: new inode quota, 0 for none
 * @flags: %SEALFS_VR_* bits: which quotas to set
 * @name_len: bytes of the name
 * @reserved: zero
 */
struct sealfs_vol_resize_req {
	__le64 quota_bytes;
	__le64 quota_inodes;
	__le32 flags;
	__le16 name_len;
	__le16 reserved;
};

/**
 * struct sealfs_vol_name_req - VOL_DELETE request; the name follows
 * @name_len: bytes of the name
 * @reserved0: zero
 * @reserved1: zero
 */
struct sealfs_vol_name_req {
	__le16 name_len;
	__le16 reserved0;
	__le32 reserved1;
};

/**
 * struct sealfs_vol_req - VOL_USAGE, VOL_PURGE and STATFS request
 * @vol: volume id
 * @reserved: zero
 */
struct sealfs_vol_req {
	__le32 vol;
	__le32 reserved;
};

/**
 * struct sealfs_vol_usage_rep - VOL_USAGE reply: one server's share
 * @bytes: bytes of the volume's data on the server
 * @inodes: inodes of the volume on the server
 */
struct sealfs_vol_usage_rep {
	__le64 bytes;
	__le64 inodes;
};

/* ---- namespace ------------------------------------------------------------ */

/**
 * struct sealfs_name_req - LOOKUP, UNLINK and RMDIR request; the name follows
 * @parent: directory inode
 * @vol: volume id
 * @name_len: bytes of the name
 * @reserved: zero
 */
struct sealfs_name_req {
	__le64 parent;
	__le32 vol;
	__le16 name_len;
	__le16 reserved;
};

/**
 * struct sealfs_entry_rep - reply naming an inode: LOOKUP, CREATE, SYMLINK,
 * LINK, UNLINK (the inode as the unlink left it)
 * @flags: %SEALFS_EF_* bits
 * @reserved: zero
 * @attr: the inode
 */
struct sealfs_entry_rep {
	__le32 flags;
	__le32 reserved;
	struct sealfs_attr attr;
};

/**
 * struct sealfs_ino_req - GETATTR, READLINK and COMMIT request
 * @ino: inode
 * @vol: volume id
 * @reserved: zero
 */
struct sealfs_ino_req {
	__le64 ino;
	__le32 vol;
	__le32 reserved;
};

/**
 * struct sealfs_attr_rep - GETATTR, SETATTR and INODE_UPDATE reply
 * @attr: the inode after the operation
 */
struct sealfs_attr_rep {
	struct sealfs_attr attr;
};

/* sealfs_setattr_req.valid */
#define SEALFS_SA_MODE		0x001u
#define SEALFS_SA_UID		0x002u
#define SEALFS_SA_GID		0x004u
#define SEALFS_SA_SIZE		0x008u	/* set size (truncate or extend) */
#define SEALFS_SA_ATIME		0x010u	/* set atime to the given time */
#define SEALFS_SA_MTIME		0x020u	/* set mtime to the given time */
#define SEALFS_SA_ATIME_NOW	0x040u	/* set atime to the server's time */
#define SEALFS_SA_MTIME_NOW	0x080u	/* set mtime to the server's time */
/* size = max(size, given): after writes past the end */
#define SEALFS_SA_SIZE_EXTEND	0x100u
#define SEALFS_SA_KNOWN		0x1ffu

/**
 * struct sealfs_setattr_req - SETATTR request
 * @ino: inode
 * @vol: volume id
 * @valid: %SEALFS_SA_* bits: which fields to set; ctime is set to the
 *	server's time by every change
 * @size: new size
 * @atime_sec: new atime, seconds
 * @mtime_sec: new mtime, seconds
 * @atime_nsec: new atime, nanoseconds
 * @mtime_nsec: new mtime, nanoseconds
 * @mode: new permission bits (the type bits must match the inode's)
 * @uid: new owner
 * @gid: new group
 * @reserved: zero
 */
struct sealfs_setattr_req {
	__le64 ino;
	__le32 vol;
	__le32 valid;
	__le64 size;
	__le64 atime_sec;
	__le64 mtime_sec;
	__le32 atime_nsec;
	__le32 mtime_nsec;
	__le32 mode;
	__le32 uid;
	__le32 gid;
	__le32 reserved;
};

/* sealfs_create_req.flags */
#define SEALFS_CF_EXCL		0x1u	/* fail with EXIST if the name exists */

/**
 * struct sealfs_create_req - CREATE request (regular file, directory,
 * fifo, socket, device: by the type bits of @mode); the name follows
 * @parent: directory inode
 * @vol: volume id
 * @mode: type and permission bits
 * @uid: owner
 * @gid: group
 * @rdev: device number for devices, else zero
 * @flags: %SEALFS_CF_* bits
 * @name_len: bytes of the name
 * @reserved0: zero
 * @reserved1: zero
 */
struct sealfs_create_req {
	__le64 parent;
	__le32 vol;
	__le32 mode;
	__le32 uid;
	__le32 gid;
	__le32 rdev;
	__le32 flags;
	__le16 name_len;
	__le16 reserved0;
	__le32 reserved1;
};

/**
 * struct sealfs_symlink_req - SYMLINK request; the name, then the target,
 * follow
 * @parent: directory inode
 * @vol: volume id
 * @uid: owner
 * @gid: group
 * @name_len: bytes of the name
 * @target_len: bytes of the target
 */
struct sealfs_symlink_req {
	__le64 parent;
	__le32 vol;
	__le32 uid;
	__le32 gid;
	__le16 name_len;
	__le16 target_len;
};

/**
 * struct sealfs_readlink_rep - READLINK reply; the target follows
 * @target_len: bytes of the target
 * @reserved: zero
 */
struct sealfs_readlink_rep {
	__le32 target_len;
	__le32 reserved;
};

/**
 * struct sealfs_link_req - LINK request; the new name follows
 * @ino: inode to link
 * @parent: directory to link it into
 * @vol: volume id
 * @name_len: bytes of the name
 * @reserved: zero
 */
struct sealfs_link_req {
	__le64 ino;
	__le64 parent;
	__le32 vol;
	__le16 name_len;
	__le16 reserved;
};

/* sealfs_rename_req.flags */
#define SEALFS_RF_NOREPLACE	0x1u	/* RENAME_NOREPLACE */
#define SEALFS_RF_KNOWN		SEALFS_RF_NOREPLACE

/**
 * struct sealfs_rename_req - RENAME request; the source name, then the
 * destination name, follow
 * @src_parent: source directory
 * @dst_parent: destination directory
 * @vol: volume id
 * @flags: %SEALFS_RF_* bits
 * @src_len: bytes of the source name
 * @dst_len: bytes of the destination name
 * @reserved: zero
 */
struct sealfs_rename_req {
	__le64 src_parent;
	__le64 dst_parent;
	__le32 vol;
	__le32 flags;
	__le16 src_len;
	__le16 dst_len;
	__le32 reserved;
};

/**
 * struct sealfs_rename_rep - RENAME reply
 * @ino: the renamed inode
 * @replaced_ino: inode the destination named before, 0 for none
 * @replaced_nlink: its link count afterwards
 * @reserved: zero
 */
struct sealfs_rename_rep {
	__le64 ino;
	__le64 replaced_ino;
	__le32 replaced_nlink;
	__le32 reserved;
};

/**
 * struct sealfs_readdir_req - READDIR request: one server's slice
 * @dir: directory inode
 * @cookie: 0 to start, else a cookie from a previous reply's record
 * @vol: volume id
 * @max_bytes: largest reply payload wanted
 */
struct sealfs_readdir_req {
	__le64 dir;
	__le64 cookie;
	__le32 vol;
	__le32 max_bytes;
};

/* sealfs_readdir_rep.flags */
#define SEALFS_RD_EOF		0x1u	/* no entries after the last record */

/**
 * struct sealfs_readdir_rep - READDIR reply; @count %SEALFS_REC_DIRENT
 * records follow
 * @count: records that follow
 * @flags: %SEALFS_RD_* bits
 */
struct sealfs_readdir_rep {
	__le32 count;
	__le32 flags;
};

/**
 * struct sealfs_statfs_rep - STATFS reply: one server's share
 * @disk_bytes: size of the file system holding the server's data
 * @disk_free: bytes free there
 * @disk_files: inodes there
 * @disk_ffree: inodes free there
 * @vol_bytes: bytes of the volume's data on the server
 * @vol_inodes: inodes of the volume on the server
 */
struct sealfs_statfs_rep {
	__le64 disk_bytes;
	__le64 disk_free;
	__le64 disk_files;
	__le64 disk_ffree;
	__le64 vol_bytes;
	__le64 vol_inodes;
};

/**
 * struct sealfs_getxattr_req - GETXATTR request; the name follows
 * @ino: inode
 * @vol: volume id
 * @size: largest value wanted; 0 asks only for the size
 * @name_len: bytes of the name
 * @reserved0: zero
 * @reserved1: zero
 */
struct sealfs_getxattr_req {
	__le64 ino;
	__le32 vol;
	__le32 size;
	__le16 name_len;
	__le16 reserved0;
	__le32 reserved1;
};

/**
 * struct sealfs_xattr_rep - GETXATTR and LISTXATTR reply; @len bytes follow
 * @size: full size of the value (or list)
 * @len: bytes that follow: @size, or 0 when the request's size was 0
 */
struct sealfs_xattr_rep {
	__le32 size;
	__le32 len;
};

/* sealfs_setxattr_req.flags */
#define SEALFS_XF_CREATE	0x1u	/* XATTR_CREATE */
#define SEALFS_XF_REPLACE	0x2u	/* XATTR_REPLACE */
#define SEALFS_XF_KNOWN		(SEALFS_XF_CREATE | SEALFS_XF_REPLACE)

/**
 * struct sealfs_setxattr_req - SETXATTR request; the name, then the value,
 * follow
 * @ino: inode
 * @vol: volume id
 * @flags: %SEALFS_XF_* bits
 * @value_len: bytes of the value
 * @name_len: bytes of the name
 * @reserved0: zero
 * @reserved1: zero
 */
struct sealfs_setxattr_req {
	__le64 ino;
	__le32 vol;
	__le32 flags;
	__le32 value_len;
	__le16 name_len;
	__le16 reserved0;
	__le64 reserved1;
};

/**
 * struct sealfs_listxattr_req - LISTXATTR request
 * @ino: inode
 * @vol: volume id
 * @size: largest list wanted; 0 asks only for the size
 */
struct sealfs_listxattr_req {
	__le64 ino;
	__le32 vol;
	__le32 size;
};

/**
 * struct sealfs_removexattr_req - REMOVEXATTR request; the name follows
 * @ino: inode
 * @vol: volume id
 * @name_len: bytes of the name
 * @reserved: zero
 */
struct sealfs_removexattr_req {
	__le64 ino;
	__le32 vol;
	__le16 name_len;
	__le16 reserved;
};

/* ---- data ----------------------------------------------------------------- */

/**
 * struct sealfs_read_req - READ request: bytes of one chunk
 * @ino: inode
 * @offset: file offset
 * @vol: volume id
 * @length: bytes wanted, at most %SEALFS_MAX_IO, not crossing a chunk
 */
struct sealfs_read_req {
	__le64 ino;
	__le64 offset;
	__le32 vol;
	__le32 length;
};

/**
 * struct sealfs_read_rep - READ reply; @length bytes follow. Fewer bytes
 * than asked means the server holds nothing past them: the client supplies
 * zeros up to the file size.
 * @length: bytes that follow
 * @reserved: zero
 */
struct sealfs_read_rep {
	__le32 length;
	__le32 reserved;
};

/* sealfs_write_req.flags */
#define SEALFS_WF_STABLE	0x1u	/* commit before replying (O_SYNC) */

/**
 * struct sealfs_write_req - WRITE request; @length bytes follow
 * @ino: inode
 * @offset: file offset
 * @vol: volume id
 * @length: bytes, at most %SEALFS_MAX_IO, not crossing a chunk
 * @flags: %SEALFS_WF_* bits
 * @reserved: zero
 */
struct sealfs_write_req {
	__le64 ino;
	__le64 offset;
	__le32 vol;
	__le32 length;
	__le32 flags;
	__le32 reserved;
};

/**
 * struct sealfs_write_rep - WRITE reply
 * @boot_id: the server's boot id; if it differs at COMMIT, unstable writes
 *	may be lost and must be resent
 * @written: bytes written
 * @committed: 1 if the bytes are on stable storage
 */
struct sealfs_write_rep {
	__le64 boot_id;
	__le32 written;
	__le32 committed;
};

/**
 * struct sealfs_commit_rep - COMMIT reply
 * @boot_id: the server's boot id
 */
struct sealfs_commit_rep {
	__le64 boot_id;
};

/* sealfs_fallocate_req.mode */
#define SEALFS_FA_KEEP_SIZE	0x1u
#define SEALFS_FA_PUNCH_HOLE	0x2u
#define SEALFS_FA_ZERO_RANGE	0x4u
#define SEALFS_FA_KNOWN		0x7u

/**
 * struct sealfs_fallocate_req - FALLOCATE request within one chunk
 * @ino: inode
 * @offset: file offset
 * @length: bytes
 * @vol: volume id
 * @mode: %SEALFS_FA_* bits
 */
struct sealfs_fallocate_req {
	__le64 ino;
	__le64 offset;
	__le64 length;
	__le32 vol;
	__le32 mode;
};

/* sealfs_truncate_req.flags */
#define SEALFS_TF_DESTROY	0x1u	/* the inode is gone: drop all data */

/**
 * struct sealfs_truncate_req - DATA_TRUNCATE request: drop a server's data
 * past @size
 * @ino: inode
 * @size: new size
 * @vol: volume id
 * @flags: %SEALFS_TF_* bits
 */
struct sealfs_truncate_req {
	__le64 ino;
	__le64 size;
	__le32 vol;
	__le32 flags;
};

/* ---- server to server ----------------------------------------------------- */

/* sealfs_entry_prepare_req.flags */
#define SEALFS_PF_NOREPLACE	0x1u	/* fail with EXIST if the name exists */
#define SEALFS_PF_KNOWN		SEALFS_PF_NOREPLACE

/**
 * struct sealfs_entry_prepare_req - ENTRY_PREPARE: first phase of placing
 * an entry on another server (cross-server rename and link); the name
 * follows. The receiver checks the target, records the intent durably and
 * holds the name until TXN_FINISH.
 * @txid: transaction id, unique per coordinating server
 * @parent: directory of the entry
 * @ino: inode the entry will name
 * @vol: volume id
 * @mode: type bits of @ino
 * @flags: %SEALFS_PF_* bits
 * @name_len: bytes of the name
 * @reserved: zero
 */
struct sealfs_entry_prepare_req {
	__le64 txid;
	__le64 parent;
	__le64 ino;
	__le32 vol;
	__le32 mode;
	__le32 flags;
	__le16 name_len;
	__le16 reserved;
};

/**
 * struct sealfs_entry_prepare_rep - ENTRY_PREPARE reply
 * @old_ino: inode the name currently holds, 0 for none
 * @old_mode: its type bits
 * @reserved: zero
 */
struct sealfs_entry_prepare_rep {
	__le64 old_ino;
	__le32 old_mode;
	__le32 reserved;
};

/* transaction decisions and states */
#define SEALFS_TXN_COMMIT	1
#define SEALFS_TXN_ABORT	2
#define SEALFS_TXN_PENDING	3	/* TXN_QUERY only: not decided yet */
#define SEALFS_TXN_UNKNOWN	4	/* TXN_QUERY only: never seen or gone */

/**
 * struct sealfs_txn_req - TXN_FINISH and TXN_QUERY request
 * @txid: transaction id
 * @vol: volume id
 * @decision: TXN_FINISH: %SEALFS_TXN_COMMIT or %SEALFS_TXN_ABORT;
 *	TXN_QUERY: zero
 * @coordinator: server id of the coordinating server
 * @reserved: zero
 */
struct sealfs_txn_req {
	__le64 txid;
	__le32 vol;
	__le32 decision;
	__le32 coordinator;
	__le32 reserved;
};

/**
 * struct sealfs_txn_rep - TXN_QUERY reply
 * @state: %SEALFS_TXN_COMMIT, _ABORT, _PENDING or _UNKNOWN
 * @reserved: zero
 */
struct sealfs_txn_rep {
	__le32 state;
	__le32 reserved;
};

/* sealfs_inode_update_req.flags */
#define SEALFS_IU_NLINK		0x1u	/* add nlink_delta to nlink */
#define SEALFS_IU_PARENT	0x2u	/* set a directory's parent */
#define SEALFS_IU_KNOWN		(SEALFS_IU_NLINK | SEALFS_IU_PARENT)

/**
 * struct sealfs_inode_update_req - INODE_UPDATE: change an inode held by
 * another server on behalf of a namespace operation
 * @ino: inode
 * @parent: new parent (%SEALFS_IU_PARENT)
 * @txid: transaction id, 0 outside a transaction
 * @vol: volume id
 * @flags: %SEALFS_IU_* bits
 * @nlink_delta: signed change of the link count (%SEALFS_IU_NLINK)
 * @reserved: zero
 */
struct sealfs_inode_update_req {
	__le64 ino;
	__le64 parent;
	__le64 txid;
	__le32 vol;
	__le32 flags;
	__le32 nlink_delta;
	__le32 reserved;
};

/**
 * struct sealfs_dir_freeze_req - DIR_FREEZE: hold a directory's entries on
 * the receiver against new ones until TXN_FINISH (rmdir, rename over a
 * directory), and count them
 * @txid: transaction id
 * @dir: directory inode
 * @vol: volume id
 * @coordinator: server id of the coordinating server
 */
struct sealfs_dir_freeze_req {
	__le64 txid;
	__le64 dir;
	__le32 vol;
	__le32 coordinator;
};

/**
 * struct sealfs_dir_freeze_rep - DIR_FREEZE reply
 * @entries: entries of the directory on the receiver
 */
struct sealfs_dir_freeze_rep {
	__le64 entries;
};

/* sealfs_dir_walk_req.flags; neither: walk */
#define SEALFS_DW_MARK		0x1u	/* mark @dir as being moved by @txid */
#define SEALFS_DW_UNMARK	0x2u	/* drop @txid's mark of @dir */
#define SEALFS_DW_KNOWN		(SEALFS_DW_MARK | SEALFS_DW_UNMARK)

/**
 * struct sealfs_dir_walk_req - DIR_WALK: walk a directory's ancestry on the
 * owner of its inode, or mark a directory as being moved
 * @dir: directory inode (its owner receives the message)
 * @stop: walk: the directory being moved; meeting it answers %SEALFS_S_INVAL.
 *	Zero with %SEALFS_DW_MARK and %SEALFS_DW_UNMARK
 * @txid: transaction id of the rename asking
 * @vol: volume id
 * @flags: %SEALFS_DW_* bits, at most one
 */
struct sealfs_dir_walk_req {
	__le64 dir;
	__le64 stop;
	__le64 txid;
	__le32 vol;
	__le32 flags;
};

/**
 * struct sealfs_dir_walk_rep - DIR_WALK reply
 * @next: walk: the first ancestor whose inode the receiver does not hold,
 *	where the walk goes on; 0 when it reached the root. Zero for the marks
 * @steps: directories the receiver walked through
 * @reserved: zero
 */
struct sealfs_dir_walk_rep {
	__le64 next;
	__le32 steps;
	__le32 reserved;
};

/* ---- layout assertions ---------------------------------------------------- */

#define SEALFS_ASSERT_SIZE(type, size) \
	static_assert(sizeof(struct type) == (size), \
		      "wire size of struct " #type)
#define SEALFS_ASSERT_OFF(type, field, off) \
	static_assert(offsetof(struct type, field) == (off), \
		      "wire offset of " #type "." #field)

SEALFS_ASSERT_SIZE(sealfs_hdr, SEALFS_HDR_SIZE);
SEALFS_ASSERT_OFF(sealfs_hdr, version, 4);
SEALFS_ASSERT_OFF(sealfs_hdr, opcode, 6);
SEALFS_ASSERT_OFF(sealfs_hdr, flags, 8);
SEALFS_ASSERT_OFF(sealfs_hdr, len, 12);
SEALFS_ASSERT_OFF(sealfs_hdr, req_id, 16);
SEALFS_ASSERT_OFF(sealfs_hdr, epoch, 24);
SEALFS_ASSERT_OFF(sealfs_hdr, status, 32);
SEALFS_ASSERT_OFF(sealfs_hdr, reserved, 36);

SEALFS_ASSERT_SIZE(sealfs_attr, 96);
SEALFS_ASSERT_OFF(sealfs_attr, change, 24);
SEALFS_ASSERT_OFF(sealfs_attr, ctime_sec, 48);
SEALFS_ASSERT_OFF(sealfs_attr, atime_nsec, 56);
SEALFS_ASSERT_OFF(sealfs_attr, mode, 68);
SEALFS_ASSERT_OFF(sealfs_attr, rdev, 84);
SEALFS_ASSERT_OFF(sealfs_attr, reserved, 92);
SEALFS_ASSERT_SIZE(sealfs_addr, 24);
SEALFS_ASSERT_OFF(sealfs_addr, addr, 8);
SEALFS_ASSERT_SIZE(sealfs_rec_hdr, 8);
SEALFS_ASSERT_SIZE(sealfs_dirent, 112);
SEALFS_ASSERT_OFF(sealfs_dirent, attr, 8);
SEALFS_ASSERT_OFF(sealfs_dirent, name_len, 108);
SEALFS_ASSERT_SIZE(sealfs_map_server, 80);
SEALFS_ASSERT_OFF(sealfs_map_server, uuid, 16);
SEALFS_ASSERT_OFF(sealfs_map_server, addr, 32);
SEALFS_ASSERT_SIZE(sealfs_map_volume, 32);
SEALFS_ASSERT_OFF(sealfs_map_volume, name_len, 28);
SEALFS_ASSERT_SIZE(sealfs_srv_status, 104);
SEALFS_ASSERT_OFF(sealfs_srv_status, capacity, 80);
SEALFS_ASSERT_SIZE(sealfs_volinfo, 48);
SEALFS_ASSERT_OFF(sealfs_volinfo, name_len, 44);

SEALFS_ASSERT_SIZE(sealfs_hello_req, 32);
SEALFS_ASSERT_OFF(sealfs_hello_req, features, 8);
SEALFS_ASSERT_OFF(sealfs_hello_req, max_payload, 24);
SEALFS_ASSERT_SIZE(sealfs_hello_rep, 32);
SEALFS_ASSERT_OFF(sealfs_hello_rep, boot_id, 16);
SEALFS_ASSERT_SIZE(sealfs_map_get_req, 16);
SEALFS_ASSERT_SIZE(sealfs_map_rep, 16);
SEALFS_ASSERT_OFF(sealfs_map_rep, count, 8);
SEALFS_ASSERT_SIZE(sealfs_srv_register_req, 80);
SEALFS_ASSERT_OFF(sealfs_srv_register_req, weight, 64);
SEALFS_ASSERT_OFF(sealfs_srv_register_req, capacity, 72);
SEALFS_ASSERT_SIZE(sealfs_srv_register_rep, 8);
SEALFS_ASSERT_SIZE(sealfs_heartbeat_req, 32);
SEALFS_ASSERT_SIZE(sealfs_heartbeat_rep, 8);
SEALFS_ASSERT_SIZE(sealfs_list_rep, 8);
SEALFS_ASSERT_SIZE(sealfs_vol_create_req, 24);
SEALFS_ASSERT_OFF(sealfs_vol_create_req, name_len, 20);
SEALFS_ASSERT_SIZE(sealfs_vol_id_rep, 8);
SEALFS_ASSERT_SIZE(sealfs_vol_list_req, 8);
SEALFS_ASSERT_SIZE(sealfs_vol_resize_req, 24);
SEALFS_ASSERT_OFF(sealfs_vol_resize_req, name_len, 20);
SEALFS_ASSERT_SIZE(sealfs_vol_name_req, 8);
SEALFS_ASSERT_SIZE(sealfs_vol_req, 8);
SEALFS_ASSERT_SIZE(sealfs_vol_usage_rep, 16);

SEALFS_ASSERT_SIZE(sealfs_name_req, 16);
SEALFS_ASSERT_OFF(sealfs_name_req, name_len, 12);
SEALFS_ASSERT_SIZE(sealfs_entry_rep, 104);
SEALFS_ASSERT_OFF(sealfs_entry_rep, attr, 8);
SEALFS_ASSERT_SIZE(sealfs_ino_req, 16);
SEALFS_ASSERT_SIZE(sealfs_attr_rep, 96);
SEALFS_ASSERT_SIZE(sealfs_setattr_req, 64);
SEALFS_ASSERT_OFF(sealfs_setattr_req, size, 16);
SEALFS_ASSERT_OFF(sealfs_setattr_req, atime_nsec, 40);
SEALFS_ASSERT_OFF(sealfs_setattr_req, reserved, 60);
SEALFS_ASSERT_SIZE(sealfs_create_req, 40);
SEALFS_ASSERT_OFF(sealfs_create_req, flags, 28);
SEALFS_ASSERT_OFF(sealfs_create_req, name_len, 32);
SEALFS_ASSERT_SIZE(sealfs_symlink_req, 24);
SEALFS_ASSERT_OFF(sealfs_symlink_req, name_len, 20);
SEALFS_ASSERT_OFF(sealfs_symlink_req, target_len, 22);
SEALFS_ASSERT_SIZE(sealfs_readlink_rep, 8);
SEALFS_ASSERT_SIZE(sealfs_link_req, 24);
SEALFS_ASSERT_OFF(sealfs_link_req, name_len, 20);
SEALFS_ASSERT_SIZE(sealfs_rename_req, 32);
SEALFS_ASSERT_OFF(sealfs_rename_req, src_len, 24);
SEALFS_ASSERT_OFF(sealfs_rename_req, dst_len, 26);
SEALFS_ASSERT_SIZE(sealfs_rename_rep, 24);
SEALFS_ASSERT_SIZE(sealfs_readdir_req, 24);
SEALFS_ASSERT_SIZE(sealfs_readdir_rep, 8);
SEALFS_ASSERT_SIZE(sealfs_statfs_rep, 48);
SEALFS_ASSERT_SIZE(sealfs_getxattr_req, 24);
SEALFS_ASSERT_OFF(sealfs_getxattr_req, name_len, 16);
SEALFS_ASSERT_SIZE(sealfs_xattr_rep, 8);
SEALFS_ASSERT_SIZE(sealfs_setxattr_req, 32);
SEALFS_ASSERT_OFF(sealfs_setxattr_req, value_len, 16);
SEALFS_ASSERT_OFF(sealfs_setxattr_req, name_len, 20);
SEALFS_ASSERT_SIZE(sealfs_listxattr_req, 16);
SEALFS_ASSERT_SIZE(sealfs_removexattr_req, 16);
SEALFS_ASSERT_OFF(sealfs_removexattr_req, name_len, 12);

SEALFS_ASSERT_SIZE(sealfs_read_req, 24);
SEALFS_ASSERT_SIZE(sealfs_read_rep, 8);
SEALFS_ASSERT_SIZE(sealfs_write_req, 32);
SEALFS_ASSERT_OFF(sealfs_write_req, length, 20);
SEALFS_ASSERT_SIZE(sealfs_write_rep, 16);
SEALFS_ASSERT_SIZE(sealfs_commit_rep, 8);
SEALFS_ASSERT_SIZE(sealfs_fallocate_req, 32);
SEALFS_ASSERT_SIZE(sealfs_truncate_req, 24);

SEALFS_ASSERT_SIZE(sealfs_entry_prepare_req, 40);
SEALFS_ASSERT_OFF(sealfs_entry_prepare_req, name_len, 36);
SEALFS_ASSERT_SIZE(sealfs_entry_prepare_rep, 16);
SEALFS_ASSERT_SIZE(sealfs_txn_req, 24);
SEALFS_ASSERT_SIZE(sealfs_txn_rep, 8);
SEALFS_ASSERT_SIZE(sealfs_inode_update_req, 40);
SEALFS_ASSERT_SIZE(sealfs_dir_freeze_req, 24);
SEALFS_ASSERT_SIZE(sealfs_dir_freeze_rep, 8);
SEALFS_ASSERT_SIZE(sealfs_dir_walk_req, 32);
SEALFS_ASSERT_OFF(sealfs_dir_walk_req, vol, 24);
SEALFS_ASSERT_SIZE(sealfs_dir_walk_rep, 16);
SEALFS_ASSERT_OFF(sealfs_dir_walk_rep, steps, 8);

#endif /* SEALFS_PROTO_H */
