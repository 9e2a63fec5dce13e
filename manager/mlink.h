/* SPDX-License-Identifier: Apache-2.0 */
/*
 * mlink: the manager's client connections to the storage servers, for the
 * requests the manager sends them (VOL_PURGE, VOL_USAGE).
 *
 * One connection per server, opened on the first call to that server
 * (HELLO with role MANAGER first; calls made meanwhile wait for it) and
 * reused; a connection that fails is dropped and the next call opens a new
 * one. A server whose address in the map changed gets a new connection.
 *
 * Every call completes exactly once through its callback, on the loop
 * thread and never inside mlink_call(): with 0 and the reply, or with the
 * error (the reply status's errno, -ETIMEDOUT, -ECONNRESET, a connect
 * error, -ECANCELED from mlink_destroy(), ...).
 *
 * Not thread-safe: the manager's event loop owns it.
 */
#ifndef MLINK_H
#define MLINK_H

#include "sealfs_env.h"
#include "sealfs_codec.h"
#include "sealfs_proto.h"
#include "sloop.h"

/* Calls without their own time-out wait this long for a reply. */
#define MLINK_TIMEOUT_MS	5000u
/* Largest request body mlink_call() takes. */
#define MLINK_BODY_MAX		64u

struct mlink;

/* The outcome of a call; @m is the reply (valid during the call) or NULL. */
typedef void (*mlink_done_fn)(void *arg, u32 server, int err,
			      const struct sealfs_msg *m);

int mlink_create(struct sloop *loop, struct mlink **lp);
void mlink_destroy(struct mlink *l);
int mlink_call(struct mlink *l, u32 server, const struct sealfs_addr *addr,
	       u64 epoch, u16 opcode, const void *body, u32 len,
	       u32 timeout_ms, mlink_done_fn done, void *arg);
unsigned int mlink_count(const struct mlink *l);

#endif /* MLINK_H */
