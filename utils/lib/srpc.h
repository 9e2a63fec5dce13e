/* SPDX-License-Identifier: Apache-2.0 */
/*
 * srpc: the client side of SealFS RPC on one connection (sconn).
 *
 * Each call gets a request id (u64, from 1, never reused under a client
 * id: ids come from a &struct srpc_session that outlives connections) and
 * waits in a hash table keyed by that id until its reply arrives, in any
 * order. A call completes exactly once, with one of:
 *
 *   - the reply: err is 0 or the errno of the reply's status
 *     (sealfs_status_to_errno()); h, m and payload are the reply. Steering
 *     statuses (STALE_EPOCH, WRONG_OWNER, NOTREADY) arrive as -EAGAIN with
 *     h->status and h->epoch for the caller's routing layer.
 *   - -ETIMEDOUT: no reply within the call's timeout (a late reply is
 *     dropped);
 *   - -EPROTO: a reply with the call's id but another opcode, or a
 *     malformed one;
 *   - -ECONNRESET: the connection dropped (or the connect's own error,
 *     e.g. -ECONNREFUSED, if it never opened);
 *   - -ECANCELED: srpc_free().
 *
 * h, m and payload are %NULL except for a reply. The callback runs on the
 * loop thread, never inside srpc_call(); when srpc_call() returns an error
 * it never runs. A call with referenced data completes only once the
 * connection no longer uses the data, so the callback may free it.
 *
 * Threading: loop thread only. srpc_call_sync() and srpc_hello_sync() run
 * the loop themselves (for CLI tools and tests) and must not be called from
 * a loop callback.
 */
#ifndef SRPC_H
#define SRPC_H

#include <stdatomic.h>

#include "sconn.h"

struct srpc;

#define SRPC_DEF_TIMEOUT_MS	30000u
#define SRPC_NO_TIMEOUT		UINT32_MAX

/**
 * struct srpc_session - a client identity: client id and request ids
 * @client_id: sent in HELLO; 0 opts out of replay protection
 * @next_req_id: next request id; shared by every connection of the
 *	identity, so ids are never reused under @client_id
 */
struct srpc_session {
	u64 client_id;
	_Atomic u64 next_req_id;
};

/**
 * struct srpc_opts - options; zero fields take the defaults
 * @session: the client identity; %NULL: a private one (client id 0, ids
 *	from 1)
 * @timeout_ms: default call timeout (%SRPC_DEF_TIMEOUT_MS);
 *	%SRPC_NO_TIMEOUT for none
 * @role: role sent in HELLO (%SEALFS_ROLE_CLIENT)
 * @features: features offered in HELLO (none by default)
 * @max_payload: payload limit offered in HELLO (%SEALFS_MAX_PAYLOAD)
 * @conn: connection options (srpc_connect())
 * @down: called once when the connection closed, after the pending calls
 *	failed; may be %NULL
 * @arg: for @down
 */
struct srpc_opts {
	struct srpc_session *session;
	u32 timeout_ms;
	u16 role;
	u64 features;
	u32 max_payload;
	struct sconn_opts conn;
	void (*down)(struct srpc *r, int err, void *arg);
	void *arg;
};

/**
 * struct srpc_call - a request
 * @opcode: &enum sealfs_op
 * @flags: 0, or %SEALFS_HF_RETRY for a resend
 * @req_id: 0 for a new request id; a resend after a reconnect passes the
 *	id the first send got (under the same session)
 * @payload: fixed body and variable parts (copied by srpc_call())
 * @len: bytes of @payload
 * @data: detached payload parts (e.g. WRITE data), sent from the caller's
 *	memory, which must stay valid until the call completes; may be %NULL
 * @ndata: entries of @data
 * @timeout_ms: 0 for the srpc's default; %SRPC_NO_TIMEOUT for none
 */
struct srpc_call {
	u16 opcode;
	u32 flags;
	u64 req_id;
	const void *payload;
	u32 len;
	const struct iovec *data;
	unsigned int ndata;
	u32 timeout_ms;
};

/**
 * struct srpc_peer - what HELLO negotiated
 * @major: protocol major version
 * @minor: dialect, min of both minors
 * @role: the peer's role
 * @features: features both sides support
 * @boot_id: the peer's boot id; a change means unstable writes may be lost
 * @max_payload: largest payload either side sends
 * @server_id: the peer's server id, 0 for the manager
 */
struct srpc_peer {
	u16 major;
	u16 minor;
	u16 role;
	u64 features;
	u64 boot_id;
	u32 max_payload;
	u32 server_id;
};

/**
 * struct srpc_result - outcome of srpc_call_sync()
 * @err: 0, the status's errno, or the local error
 * @replied: a reply arrived: @h, @m and @payload are valid
 * @h: the reply's header
 * @m: the reply, pointing into @payload
 * @payload: the reply's payload; srpc_result_free() frees it
 */
struct srpc_result {
	int err;
	bool replied;
	struct sealfs_hdr_info h;
	struct sealfs_msg m;
	void *payload;
};

typedef void (*srpc_done_fn)(struct srpc *r, int err,
			     const struct sealfs_hdr_info *h,
			     const struct sealfs_msg *m,
			     struct sconn_buf *payload, void *arg);
typedef void (*srpc_hello_fn)(struct srpc *r, int err,
			      const struct srpc_peer *peer, void *arg);

void srpc_session_init(struct srpc_session *s, u64 client_id);

int srpc_connect(struct sloop *loop, const char *hostport, u16 default_port,
		 const struct srpc_opts *opts, struct srpc **rp, char *err,
		 size_t errlen);
int srpc_attach(struct sconn *c, const struct srpc_opts *opts,
		struct srpc **rp);
void srpc_free(struct srpc *r);

int srpc_call(struct srpc *r, const struct srpc_call *call, srpc_done_fn done,
	      void *arg, u64 *req_id);
int srpc_hello(struct srpc *r, srpc_hello_fn done, void *arg);

int srpc_call_sync(struct srpc *r, const struct srpc_call *call,
		   struct srpc_result *res);
void srpc_result_free(struct srpc_result *res);
int srpc_hello_sync(struct srpc *r, struct srpc_peer *peer);

const struct srpc_peer *srpc_peer(const struct srpc *r);
bool srpc_is_up(const struct srpc *r);
unsigned int srpc_pending(const struct srpc *r);
void srpc_set_epoch(struct srpc *r, u64 epoch);
struct sconn *srpc_conn(const struct srpc *r);

#endif /* SRPC_H */
