/* SPDX-License-Identifier: Apache-2.0 */
/*
 * ssrv: the request-serving side of sealfs-server.
 *
 *  - ssrv_map.c: the cluster map as the server keeps it (decoded MAP_GET
 *    reply, placement ring, reference counted so that workers can use a
 *    map while the loop installs a newer one).
 *  - ssrv_core.c: the storage core (smeta + sdata + the current map) and
 *    request dispatch: steering checks (NOTREADY, STALE_EPOCH,
 *    WRONG_OWNER), the replay wrapper for non-idempotent requests, and
 *    reply building. No sockets: unit tests call ssrv_handle() directly.
 *  - ssrv_ns.c, ssrv_data.c: the namespace and data handlers.
 *  - ssrv_net.c: the TCP front end (listener, HELLO, worker pool).
 *  - ssrv_mgr.c: the manager link (register, heartbeat, MAP_GET polls).
 *  - ssrv_id.c: the persistent server uuid.
 *
 * Ring: every server of the map with a non-zero weight keeps its points,
 * whatever its state: a server that is briefly DOWN keeps ownership of its
 * keys (clients get errors or retry, nothing moves).
 */
#ifndef SSRV_H
#define SSRV_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>

#include "sealfs_codec.h"
#include "sealfs_placement.h"
#include "sealfs_proto.h"
#include "server/sdata.h"
#include "server/smeta.h"
#include "sloop.h"

/* ---- map ------------------------------------------------------------- */

/**
 * struct ssrv_map_srv - a server of the map
 * @id: server id
 * @weight: placement weight
 * @state: %SEALFS_SRV_UP or %SEALFS_SRV_DOWN
 * @uuid: identity
 * @addr: endpoints per transport
 */
struct ssrv_map_srv {
	u32 id;
	u32 weight;
	u32 state;
	u8 uuid[16];
	struct sealfs_addr addr[SEALFS_TRANSPORTS];
};

/**
 * struct ssrv_map_vol - a volume of the map
 * @id: volume id
 * @chunk_size: chunk size in bytes
 * @state: %SEALFS_VOL_ACTIVE or %SEALFS_VOL_DELETING
 * @quota_bytes: byte quota, 0 for none
 * @quota_inodes: inode quota, 0 for none
 * @name: NUL-terminated name
 */
struct ssrv_map_vol {
	u32 id;
	u32 chunk_size;
	u32 state;
	u64 quota_bytes;
	u64 quota_inodes;
	char name[SEALFS_VOLNAME_MAX + 1];
};

/**
 * struct ssrv_map - an immutable cluster map with its ring
 * @ref: references
 * @epoch: map epoch
 * @nsrv: servers
 * @srv: the servers, ascending ids
 * @nvol: volumes
 * @vol: the volumes
 * @ring: placement ring over every server with weight (UP or DOWN)
 * @total_weight: sum of the weights in the ring
 */
struct ssrv_map {
	atomic_int ref;
	u64 epoch;
	u32 nsrv;
	struct ssrv_map_srv *srv;
	u32 nvol;
	struct ssrv_map_vol *vol;
	struct sealfs_ring ring;
	u64 total_weight;
};

int ssrv_map_decode(const struct sealfs_msg *m, struct ssrv_map **mp);
int ssrv_map_build(u64 epoch, const struct ssrv_map_srv *srv, u32 nsrv,
		   const struct ssrv_map_vol *vol, u32 nvol,
		   struct ssrv_map **mp);
struct ssrv_map *ssrv_map_get(struct ssrv_map *map);
void ssrv_map_put(struct ssrv_map *map);
const struct ssrv_map_vol *ssrv_map_vol(const struct ssrv_map *map, u32 id);
const struct ssrv_map_srv *ssrv_map_srv(const struct ssrv_map *map, u32 id);
u32 ssrv_map_owner(const struct ssrv_map *map, u64 key);
u32 ssrv_map_up(const struct ssrv_map *map);

/* ---- core ------------------------------------------------------------ */

/**
 * struct ssrv_core - storage and map of one server
 * @meta: metadata store, %NULL until the server id is known
 * @data: data store
 * @server_id: id the manager gave, 0 before registration
 * @boot_id: changes every start
 * @lock: protects @map and @meta's installation
 * @map: current map, or %NULL
 * @peers: connections to the other servers, %NULL when not serving
 * @xacts: transactions this server coordinates that are not decided yet
 *	(under @lock; TXN_QUERY answers PENDING for them)
 * @marks: directories of this server being moved to another parent
 *	(under @lock; ssrv_mark.c)
 */
struct ssrv_core {
	struct smeta *meta;
	struct sdata *data;
	u32 server_id;
	u64 boot_id;
	pthread_mutex_t lock;
	struct ssrv_map *map;
	struct ssrv_peers *peers;
	struct ssrv_xact *xacts;
	struct ssrv_mark *marks;
};

/**
 * struct ssrv_xact - a transaction being coordinated
 * @next: list link
 * @txid: its id
 */
struct ssrv_xact {
	struct ssrv_xact *next;
	u64 txid;
};

/**
 * struct ssrv_req - a request handed to ssrv_handle()
 * @h: its header
 * @m: its parsed payload
 * @client_id: client id bound to the connection when REPLAY was
 *	negotiated, else 0
 * @max_payload: largest reply payload the peer accepts
 * @role: the role the peer stated in HELLO (%SEALFS_ROLE_*)
 */
struct ssrv_req {
	struct sealfs_hdr_info h;
	struct sealfs_msg m;
	u64 client_id;
	u32 max_payload;
	u16 role;
};

/**
 * struct ssrv_rep - a complete reply message (header and payload)
 * @msg: malloc'ed bytes
 * @len: their count
 */
struct ssrv_rep {
	void *msg;
	u32 len;
};

int ssrv_core_init(struct ssrv_core *c, const char *data_dir, u64 boot_id);
int ssrv_core_open_meta(struct ssrv_core *c, const char *meta_dir,
			u32 server_id);
void ssrv_core_fini(struct ssrv_core *c);
void ssrv_core_set_map(struct ssrv_core *c, struct ssrv_map *map);
struct ssrv_map *ssrv_core_map(struct ssrv_core *c);
u64 ssrv_core_epoch(struct ssrv_core *c);
void ssrv_core_make_roots(struct ssrv_core *c);
int ssrv_handle(struct ssrv_core *c, const struct ssrv_req *rq,
		struct ssrv_rep *rep);

/* ---- handlers (ssrv_ns.c, ssrv_data.c), internal ---------------------- */

/**
 * struct ssrv_ctx - what a handler gets
 * @c: the core
 * @rq: the request
 * @map: the map the request is checked against (referenced)
 * @vol: the request's volume in @map
 * @rep: the reply to fill
 * @abort: the handler asks to drop its transaction (nothing is written,
 *	no reply stored)
 * @post: after the commit, drop this server's data of @post_ino past
 *	@post_size (%SEALFS_TF_DESTROY in @post_flags: all of it)
 * @post_ino: inode
 * @post_size: size
 * @post_flags: %SEALFS_TF_* bits
 * @post_iu_ino: after the commit, change this remote inode's link count
 *	by @post_iu_delta with INODE_UPDATE (0: none)
 * @post_iu_delta: the change
 */
struct ssrv_ctx {
	struct ssrv_core *c;
	const struct ssrv_req *rq;
	struct ssrv_map *map;
	const struct ssrv_map_vol *vol;
	struct ssrv_rep *rep;
	bool abort;
	bool post;
	u64 post_ino;
	u64 post_size;
	u32 post_flags;
	u64 post_iu_ino;
	s32 post_iu_delta;
};

int ssrv_reply(struct ssrv_ctx *x, u32 status, const void *body, u32 blen,
	       const void *tail, u32 tlen);
int ssrv_reply_err(struct ssrv_ctx *x, int err);
u64 ssrv_share(const struct ssrv_ctx *x, u64 quota);
int ssrv_ns_handle(struct ssrv_ctx *x, struct smeta_txn *tx);
int ssrv_ns_entry_reply(struct ssrv_ctx *x, int rc,
			const struct smeta_entry *e);
int ssrv_data_handle(struct ssrv_ctx *x);
int ssrv_readdir(struct ssrv_ctx *x);
int ssrv_data_drop(struct ssrv_ctx *x, u64 ino, u64 size, u32 flags);

/* ---- cross-server operations (ssrv_xop.c, ssrv_txn.c) ---------------- */

/* Replay table client id of INODE_UPDATEs, kept by transaction id. */
#define SSRV_IU_REPLAY		0x5345414c46534955ull	/* "SEALFSIU" */

bool ssrv_xop_wanted(const struct ssrv_ctx *x);
int ssrv_xop_call(struct ssrv_ctx *x, u32 srv, u16 op, const void *req, u32 len,
		  void *rep, u32 cap);
int ssrv_xop_iu(struct ssrv_ctx *x, u64 ino, u32 flags, s32 delta, u64 parent,
		struct smeta_attr *out);
int ssrv_xop_handle(struct ssrv_ctx *x);
int ssrv_txn_handle(struct ssrv_ctx *x);
void ssrv_crash_point(const char *name);
void ssrv_xact_begin(struct ssrv_core *c, struct ssrv_xact *a, u64 txid);
void ssrv_xact_end(struct ssrv_core *c, struct ssrv_xact *a);
int ssrv_txn_finish_all(struct ssrv_core *c, u64 epoch, u64 txid, u32 vol,
			u32 decision, const u32 *srv, u32 n);

/* ---- directory moves: marks and ancestry walks (ssrv_mark.c, ssrv_walk.c) */

/* A mark outlives a coordinator that never clears it by this long. */
#define SSRV_MARK_TTL_MS	30000

struct ssrv_mark;

int ssrv_mark_set(struct ssrv_core *c, u32 vol, u64 ino, u64 txid);
void ssrv_mark_clear(struct ssrv_core *c, u32 vol, u64 ino, u64 txid);
bool ssrv_mark_other(struct ssrv_core *c, u32 vol, u64 ino, u64 txid);
void ssrv_mark_fini(struct ssrv_core *c);
int ssrv_walk_mark(struct ssrv_ctx *x, u64 dir, u64 txid, bool on);
int ssrv_walk_check(struct ssrv_ctx *x, u64 stop, u64 dir, u64 txid);
int ssrv_walk_handle(struct ssrv_ctx *x);

struct ssrv_recover;

int ssrv_recover_start(struct ssrv_core *c, struct ssrv_recover **rp);
void ssrv_recover_stop(struct ssrv_recover *r, struct sloop *loop);

/* ---- peer calls (ssrv_peer.c) ----------------------------------------- */

/**
 * struct ssrv_peer_res - outcome of ssrv_peer_call()
 * @err: 0 when a reply came, else the transport's -errno
 * @status: the reply's status
 * @epoch: the reply's epoch
 * @len: bytes of reply body copied
 */
struct ssrv_peer_res {
	int err;
	u32 status;
	u64 epoch;
	u32 len;
};

struct ssrv_peers;

int ssrv_peers_new(struct sloop *loop, struct ssrv_core *core,
		   struct ssrv_peers **psp);
void ssrv_peers_free(struct ssrv_peers *ps);
void ssrv_peer_call(struct ssrv_peers *ps, u32 srv, u64 epoch, u16 op,
		    const void *req, u32 len, void *rep, u32 cap,
		    struct ssrv_peer_res *res);

/* ---- identity (ssrv_id.c) -------------------------------------------- */

int ssrv_uuid_load(const char *data_dir, u8 uuid[16], char *err, size_t errlen);

/* ---- front end (ssrv_net.c) ------------------------------------------ */

struct ssrv_net;

int ssrv_net_start(struct sloop *loop, struct ssrv_core *core,
		   const char *listen, unsigned int threads,
		   struct ssrv_net **np, char *err, size_t errlen);
u16 ssrv_net_port(const struct ssrv_net *n);
void ssrv_net_stop(struct ssrv_net *n);

/* ---- manager link (ssrv_mgr.c) --------------------------------------- */

/**
 * struct ssrv_mgr_opts - what the manager link needs
 * @manager: HOST:PORT of the manager
 * @meta_dir: metadata directory, opened once the server id is known
 * @data_dir: data directory (statvfs for capacity)
 * @uuid: the server's identity
 * @addr: advertised TCP endpoint (wire form); a wildcard address is
 *	replaced by the local address towards the manager
 * @weight: placement weight
 */
struct ssrv_mgr_opts {
	const char *manager;
	const char *meta_dir;
	const char *data_dir;
	u8 uuid[16];
	struct sealfs_addr addr;
	u32 weight;
};

struct ssrv_mgr;

int ssrv_mgr_start(struct sloop *loop, struct ssrv_core *core,
		   const struct ssrv_mgr_opts *o, struct ssrv_mgr **mp);
int ssrv_mgr_failed(const struct ssrv_mgr *g);
void ssrv_mgr_stop(struct ssrv_mgr *g);

#endif /* SSRV_H */
