/* SPDX-License-Identifier: Apache-2.0 */
/*
 * mcluster: the manager's cluster logic, without sockets or clocks.
 *
 * Membership: servers register under their uuid and get their id (the
 * same one every time), then heartbeat. A server whose last heartbeat (or
 * registration) is older than the failure time-out is marked down by
 * mcl_tick(); a heartbeat or registration from a down server marks it up.
 * Volumes: create, resize, delete (the volume stays in the map in state
 * DELETING until mcl_vol_purged()). Every change the cluster map shows is
 * persisted through mstate in one synchronous batch with a new epoch.
 *
 * Time is passed in by the caller: milliseconds of a monotonic clock.
 * After mcl_create() every known server counts as seen at that time, so a
 * restarted manager gives each a full time-out before marking it down.
 *
 * Replies: mcl_encode_map(), mcl_encode_status() and mcl_encode_vol_list()
 * write whole messages (header included) that sealfs_msg_parse() accepts.
 * Volume creation and server registration are refused (-ENOSPC) when the
 * MAP_GET or VOL_LIST reply payload would grow past the configured limit
 * (SEALFS_MAX_PAYLOAD by default), so every reply can always be sent.
 *
 * Size limit: with SEALFS_MAX_SERVERS servers the servers take 360,448
 * bytes of the map; 65,536 volumes then fit only while their names average
 * no more than 8 bytes (VOL_LIST records are 64 bytes with such a name,
 * MAP_GET records 48). Longer names lower the number of volumes.
 *
 * Not thread-safe: the manager's event loop owns it.
 */
#ifndef MCLUSTER_H
#define MCLUSTER_H

#include "sealfs_env.h"
#include "sealfs_codec.h"
#include "sealfs_proto.h"
#include "mstate.h"

#define MCL_HEARTBEAT_MS	1000u		/* default heartbeat interval */
#define MCL_FAILURE_FACTOR	10u		/* default time-out, in intervals */
#define MCL_CHUNK_MIN		(64u << 10)	/* chunk sizes: powers of two */
#define MCL_CHUNK_MAX		(64u << 20)
#define MCL_CHUNK_DEFAULT	(1u << 20)
#define MCL_QUOTA_MAX		((u64)INT64_MAX)

/**
 * struct mcl_config - the manager's cluster settings
 * @heartbeat_ms: interval servers are told to heartbeat at; 0: 1000
 * @failure_ms: a server is marked down when its last heartbeat is older;
 *	0: 10 intervals; else at least two intervals
 * @max_payload: largest MAP_GET and VOL_LIST reply payload the map may
 *	grow to; 0: %SEALFS_MAX_PAYLOAD (a smaller value keeps the map
 *	within reach of peers that negotiated a smaller HELLO max_payload)
 */
struct mcl_config {
	u32 heartbeat_ms;
	u32 failure_ms;
	u32 max_payload;
};

/**
 * struct mcl_register - an SRV_REGISTER request, host byte order
 * @uuid: the server's persistent identity, not all zero
 * @addr: endpoints in wire format; the TCP one is required
 * @weight: placement weight, at most %SEALFS_WEIGHT_MAX
 * @capacity: bytes of storage
 */
struct mcl_register {
	u8 uuid[MSTATE_UUID_LEN];
	struct sealfs_addr addr[SEALFS_TRANSPORTS];
	u32 weight;
	u64 capacity;
};

/**
 * struct mcl_server_info - a server as the manager sees it now
 * @id: server id
 * @state: %SEALFS_SRV_UP or %SEALFS_SRV_DOWN
 * @weight: placement weight
 * @capacity: bytes of storage, as last reported
 * @used: bytes used, as last reported (0 before the first heartbeat)
 * @boot_id: boot id of the last heartbeat (0 before it)
 * @last_seen_ms: milliseconds since the last heartbeat or registration
 */
struct mcl_server_info {
	u32 id;
	u32 state;
	u32 weight;
	u64 capacity;
	u64 used;
	u64 boot_id;
	u64 last_seen_ms;
};

/* Fills in a volume's usage for VOL_LIST (SEALFS_VL_USAGE). */
typedef void (*mcl_usage_fn)(void *ctx, u32 vol, u64 *bytes, u64 *inodes);

struct mcl;

int mcl_create(struct mstate *ms, const struct mcl_config *cfg, u64 now_ms,
	       struct mcl **cp);
void mcl_destroy(struct mcl *c);
u64 mcl_epoch(const struct mcl *c);
u32 mcl_heartbeat_ms(const struct mcl *c);

/* membership */
int mcl_server_register(struct mcl *c, const struct mcl_register *r,
			u64 now_ms, u32 *id);
int mcl_server_heartbeat(struct mcl *c, u32 id, u64 boot_id, u64 capacity,
			 u64 used, u64 now_ms);
int mcl_tick(struct mcl *c, u64 now_ms);
u64 mcl_next_deadline(const struct mcl *c);
int mcl_server_info(const struct mcl *c, u32 id, u64 now_ms,
		    struct mcl_server_info *info);
const struct mstate_server *mcl_server_at(const struct mcl *c, u32 i);

/* volumes */
int mcl_vol_create(struct mcl *c, const u8 *name, u32 name_len,
		   u64 quota_bytes, u64 quota_inodes, u32 chunk_size, u32 *id);
int mcl_vol_resize(struct mcl *c, const u8 *name, u32 name_len, u32 flags,
		   u64 quota_bytes, u64 quota_inodes);
int mcl_vol_delete(struct mcl *c, const u8 *name, u32 name_len);
int mcl_vol_purged(struct mcl *c, u32 id);
const struct mstate_volume *mcl_vol_at(const struct mcl *c, u32 i);

/* replies */
u32 mcl_reply_size(const struct mcl *c, u16 opcode);
int mcl_encode_map(const struct mcl *c, u64 req_id, struct sealfs_buf *b);
int mcl_encode_status(const struct mcl *c, u64 req_id, u64 now_ms,
		      struct sealfs_buf *b);
int mcl_encode_vol_list(const struct mcl *c, u64 req_id, mcl_usage_fn usage,
			void *ctx, struct sealfs_buf *b);

#endif /* MCLUSTER_H */
