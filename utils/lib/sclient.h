/* SPDX-License-Identifier: Apache-2.0 */
/*
 * sclient: the userspace client library of SealFS. Typed, synchronous
 * calls to the manager (cluster map, membership, volumes) on top of srpc,
 * for sealfs-admin, the tests and the benchmarks.
 *
 * A client owns its event loop and one connection to the manager, opened
 * and greeted (HELLO) by sclient_open(). Calls block until the reply, the
 * time-out or a connection failure; they return 0 or -errno (a reply's
 * status mapped through the status table), and leave a one-line reason in
 * sclient_error().
 */
#ifndef SCLIENT_H
#define SCLIENT_H

#include <stdbool.h>
#include <stddef.h>

#include "sealfs_env.h"
#include "sealfs_proto.h"

#define SCLIENT_ERR_MAX		256

struct sclient;

/**
 * struct sclient_volume - a volume as the manager lists it
 * @id: volume id
 * @name: its name, NUL-terminated
 * @chunk_size: bytes per data chunk
 * @quota_bytes: byte quota, 0 for none
 * @quota_inodes: inode quota, 0 for none
 * @used_bytes: bytes in use, as far as the manager knows
 * @used_inodes: inodes in use, as far as the manager knows
 * @state: %SEALFS_VOL_ACTIVE or %SEALFS_VOL_DELETING
 */
struct sclient_volume {
	u32 id;
	char name[SEALFS_VOLNAME_MAX + 1];
	u32 chunk_size;
	u64 quota_bytes;
	u64 quota_inodes;
	u64 used_bytes;
	u64 used_inodes;
	u32 state;
};

/**
 * struct sclient_server - a server as CLUSTER_STATUS reports it
 * @id: server id
 * @state: %SEALFS_SRV_UP or %SEALFS_SRV_DOWN
 * @weight: placement weight
 * @capacity: bytes of storage
 * @used: bytes used
 * @last_seen_ms: milliseconds since its last heartbeat
 * @addr: endpoints per transport
 * @uuid: persistent identity
 */
struct sclient_server {
	u32 id;
	u32 state;
	u32 weight;
	u64 capacity;
	u64 used;
	u64 last_seen_ms;
	struct sealfs_addr addr[SEALFS_TRANSPORTS];
	u8 uuid[16];
};

/**
 * struct sclient_status - the cluster as the manager sees it
 * @epoch: cluster-map epoch
 * @servers: the servers
 * @nservers: how many
 */
struct sclient_status {
	u64 epoch;
	struct sclient_server *servers;
	u32 nservers;
};

int sclient_open(const char *manager, u32 timeout_ms, struct sclient **clp,
		 char *err, size_t errlen);
void sclient_close(struct sclient *cl);
const char *sclient_error(const struct sclient *cl);

int sclient_ping(struct sclient *cl);
int sclient_vol_create(struct sclient *cl, const char *name, u64 quota_bytes,
		       u64 quota_inodes, u32 chunk_size, u32 *id);
int sclient_vol_resize(struct sclient *cl, const char *name, u32 flags,
		       u64 quota_bytes, u64 quota_inodes);
int sclient_vol_delete(struct sclient *cl, const char *name);
int sclient_vol_list(struct sclient *cl, bool usage,
		     struct sclient_volume **vols, u32 *n);
int sclient_cluster_status(struct sclient *cl, struct sclient_status *st);
void sclient_status_free(struct sclient_status *st);

#endif /* SCLIENT_H */
