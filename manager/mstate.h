/* SPDX-License-Identifier: Apache-2.0 */
/*
 * mstate: the manager's persistent state, in LevelDB under a state
 * directory.
 *
 * What it keeps: the servers (the uuid each chose and keeps in its data
 * directory, the id assigned to it, endpoints, weight, state, registered
 * capacity), the volumes (id, name, quotas, chunk size, state), the next
 * server and volume ids (ids are never reused) and the cluster-map epoch.
 *
 * Every change is one LevelDB write batch written with sync=true; memory
 * is updated only after the batch is on disk. A change of anything the
 * cluster map shows (every field but a server's capacity) writes epoch + 1
 * in the same batch, so an epoch always names one map, across restarts.
 * A change that changes nothing writes nothing.
 *
 * Opening loads everything and checks every record; a record that does
 * not decode, an unknown key or a missing one fails the open with a
 * message naming the key.
 *
 * The pointers the lookup functions return stay valid until the next
 * change. Not thread-safe: the manager's event loop owns it.
 *
 * Keys (values are little-endian, see mstate.c):
 *   meta/format        le32 format version (1)
 *   meta/epoch         le64 map epoch (1 for a new state)
 *   meta/next-server   le32 next server id (ids start at 1)
 *   meta/next-volume   le32 next volume id (ids start at 1)
 *   server/%08x        server record, by id
 *   volume/%08x        volume record, by id
 */
#ifndef MSTATE_H
#define MSTATE_H

#include <stddef.h>

#include "sealfs_env.h"
#include "sealfs_proto.h"

#define MSTATE_UUID_LEN		16

/**
 * struct mstate_server - a server as the manager keeps it
 * @id: server id, non-zero, assigned by mstate_server_register()
 * @weight: placement weight, at most %SEALFS_WEIGHT_MAX
 * @state: %SEALFS_SRV_UP or %SEALFS_SRV_DOWN
 * @uuid: persistent identity, not all zero
 * @addr: endpoint per transport in wire format (%SEALFS_AF_NONE for none;
 *	reserved fields zero; an IPv4 address leaves bytes 4-15 zero)
 * @capacity: bytes of storage as of the last registration
 */
struct mstate_server {
	u32 id;
	u32 weight;
	u32 state;
	u8 uuid[MSTATE_UUID_LEN];
	struct sealfs_addr addr[SEALFS_TRANSPORTS];
	u64 capacity;
};

/**
 * struct mstate_volume - a volume
 * @id: volume id, non-zero, assigned by mstate_volume_add()
 * @chunk_size: chunk size in bytes, a power of two
 * @quota_bytes: byte quota, 0 for none
 * @quota_inodes: inode quota, 0 for none
 * @state: %SEALFS_VOL_ACTIVE or %SEALFS_VOL_DELETING
 * @name_len: bytes of @name
 * @name: the name (sealfs_check_volname()), NUL-terminated
 */
struct mstate_volume {
	u32 id;
	u32 chunk_size;
	u64 quota_bytes;
	u64 quota_inodes;
	u32 state;
	u32 name_len;
	char name[SEALFS_VOLNAME_MAX + 1];
};

struct mstate;

int mstate_open(const char *dir, struct mstate **msp, char *err, size_t errlen);
void mstate_close(struct mstate *ms);
const char *mstate_last_error(const struct mstate *ms);
u64 mstate_epoch(const struct mstate *ms);

/* servers */
u32 mstate_server_count(const struct mstate *ms);
const struct mstate_server *mstate_server_at(const struct mstate *ms, u32 i);
const struct mstate_server *mstate_server_get(const struct mstate *ms, u32 id);
const struct mstate_server *mstate_server_by_uuid(const struct mstate *ms,
						  const u8 *uuid);
int mstate_server_register(struct mstate *ms, const struct mstate_server *s,
			   u32 *id);
int mstate_server_update(struct mstate *ms, const struct mstate_server *s);
int mstate_servers_set_state(struct mstate *ms, const u32 *ids, u32 n,
			     u32 state);

/* volumes */
u32 mstate_volume_count(const struct mstate *ms);
const struct mstate_volume *mstate_volume_at(const struct mstate *ms, u32 i);
const struct mstate_volume *mstate_volume_get(const struct mstate *ms, u32 id);
const struct mstate_volume *mstate_volume_by_name(const struct mstate *ms,
						  const char *name, u32 len);
int mstate_volume_add(struct mstate *ms, const struct mstate_volume *v,
		      u32 *id);
int mstate_volume_update(struct mstate *ms, const struct mstate_volume *v);
int mstate_volume_remove(struct mstate *ms, u32 id);

/* checks shared with the manager's request validation */
int mstate_check_addr(const struct sealfs_addr *a);

#endif /* MSTATE_H */
