/* SPDX-License-Identifier: Apache-2.0 */
/*
 * mserve internals shared by mserve.c (the service: connections, requests,
 * MAP_GET long polls), mserve_purge.c (purging deleted volumes on the
 * servers) and mserve_usage.c (VOL_LIST with usage gathered from them).
 */
#ifndef MSERVE_INT_H
#define MSERVE_INT_H

#include "mcluster.h"
#include "mlink.h"
#include "sconn.h"
#include "sloop.h"
#include "ssess.h"

/* Largest fixed reply body the manager sends. */
#define MSRV_SMALL_REPLY	128
/* Bound on a MAP_GET long poll. */
#define MSRV_WAIT_MAX_MS	60000u
/* Bound on gathering usage for VOL_LIST. */
#define MSRV_USAGE_MS		2000u
/* Back-off of purge retries. */
#define MSRV_PURGE_MIN_MS	100u
#define MSRV_PURGE_MAX_MS	5000u

struct mserve;

/**
 * struct mpeer - one accepted connection
 * @s: the service
 * @c: the connection
 * @next: next peer of the service
 * @sess: HELLO and what it negotiated
 */
struct mpeer {
	struct mserve *s;
	struct sconn *c;
	struct mpeer *next;
	struct ssess sess;
};

/**
 * struct mwait - a parked MAP_GET
 * @p: the asking peer
 * @req_id: its request id
 * @known: the epoch the peer has
 * @timer: the end of the wait
 * @next: next parked request
 */
struct mwait {
	struct mpeer *p;
	u64 req_id;
	u64 known;
	struct sloop_timer timer;
	struct mwait *next;
};

/**
 * struct mpsrv - one server's part of a purge
 * @id: server id
 * @done: the server purged the volume
 * @busy: a VOL_PURGE is in flight
 * @backoff: current retry delay (ms)
 * @next: no retry before this time (ms)
 */
struct mpsrv {
	u32 id;
	bool done;
	bool busy;
	u32 backoff;
	u64 next;
};

/**
 * struct mpurge - a volume being purged
 * @s: the service
 * @vol: volume id
 * @srv: per-server progress
 * @nsrv: entries of @srv
 * @cap: room in @srv
 * @seen: still DELETING in the map (scratch of msrv_purge_run())
 * @next: next purge
 */
struct mpurge {
	struct mserve *s;
	u32 vol;
	struct mpsrv *srv;
	u32 nsrv;
	u32 cap;
	bool seen;
	struct mpurge *next;
};

struct musage;

/**
 * struct musage_call - one VOL_USAGE call of a parked VOL_LIST
 * @u: the VOL_LIST
 * @idx: index of the volume in @u
 */
struct musage_call {
	struct musage *u;
	u32 idx;
};

/**
 * struct musage - a parked VOL_LIST with %SEALFS_VL_USAGE
 * @s: the service
 * @p: the asking peer, %NULL once it closed
 * @req_id: its request id
 * @pending: VOL_USAGE calls in flight
 * @answered: the reply was sent (or the peer is gone)
 * @timer: the bound on the wait
 * @nvol: volumes asked about
 * @vols: their ids, ascending
 * @bytes: sums of the answers, per volume
 * @inodes: likewise
 * @calls: call contexts
 * @next: next parked VOL_LIST
 */
struct musage {
	struct mserve *s;
	struct mpeer *p;
	u64 req_id;
	u32 pending;
	bool answered;
	struct sloop_timer timer;
	u32 nvol;
	u32 *vols;
	u64 *bytes;
	u64 *inodes;
	struct musage_call *calls;
	struct musage *next;
};

/**
 * struct mserve - the service
 * @loop: its event loop
 * @mcl: the cluster logic
 * @l: the listener
 * @peers: open connections
 * @waits: parked MAP_GETs
 * @tick: failure detection timer
 * @self: what the manager says of itself in HELLO
 * @links: connections to the servers
 * @purges: volumes being purged
 * @usages: parked VOL_LISTs
 * @cur_usage: the sums msrv_enc_usage() reads
 * @stopping: mserve_stop() runs: completions only free
 */
struct mserve {
	struct sloop *loop;
	struct mcl *mcl;
	struct slisten *l;
	struct mpeer *peers;
	struct mwait *waits;
	struct sloop_timer tick;
	struct ssess_self self;
	struct mlink *links;
	struct mpurge *purges;
	struct musage *usages;
	struct musage *cur_usage;
	bool stopping;
};

/* mserve.c */
u64 msrv_now(void);
void msrv_reply_err(struct mpeer *p, const struct sealfs_hdr_info *req, int err);
void msrv_reply_list(struct mpeer *p, const struct sealfs_hdr_info *req,
		     int (*encode)(struct mserve *s, u64 req_id,
				   struct sealfs_buf *b));
void msrv_epoch_moved(struct mserve *s);

/* mserve_purge.c */
void msrv_purge_run(struct mserve *s);
void msrv_purge_free(struct mserve *s, struct mpurge *j);

/* mserve_usage.c */
void msrv_vol_list(struct mpeer *p, const struct sealfs_hdr_info *h,
		   const struct sealfs_msg *m);
void msrv_usage_free(struct musage *u);

#endif /* MSERVE_INT_H */
