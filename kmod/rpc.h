/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * SealFS kernel client: the RPC engine and the transport interface.
 *
 * A connection (struct sealfs_conn) joins the client to one server or to
 * the manager. Requests carry u64 ids unique per client id; the requests
 * in flight on a connection sit in a red-black tree keyed by id, so a
 * reply finds its request in O(log n). One receive thread per connection
 * reads messages through the transport's recv operation, validates the
 * header, claims the matching request and wakes its caller; it never takes
 * the connection's mutex and allocates with GFP_NOFS, so it cannot recurse
 * into the file system or deadlock against a sender.
 *
 * Transports (TCP in tcp.c; RDMA can be added as its own module) provide
 * struct sealfs_xprt_ops: connect, a blocking exact-length receive, send,
 * shutdown (wakes a blocked receive) and release.
 */
#ifndef SEALFS_RPC_H
#define SEALFS_RPC_H

#include <linux/completion.h>
#include <linux/mutex.h>
#include <linux/rbtree.h>
#include <linux/spinlock.h>
#include <linux/uio.h>

#include "sealfs_codec.h"
#include "options.h"

struct sealfs_fs;
struct sealfs_conn;

/**
 * struct sealfs_xprt_ops - a transport
 * @name: its name, as in the transport= mount option
 * @connect: open the endpoint to @c->addr; may sleep; bounded by @timeout
 *	(jiffies)
 * @recv: read exactly @len bytes; blocks; returns 0 or a negative errno
 *	(also after @shutdown)
 * @send: send @len bytes of @buf, then all of @data if not %NULL
 * @ready: the handshake is done; from now on @recv may block for ever
 * @shutdown: make a blocked @recv and @send return; the endpoint stays
 *	allocated
 * @release: free the endpoint
 */
struct sealfs_xprt_ops {
	const char *name;
	int (*connect)(struct sealfs_conn *c, unsigned long timeout);
	int (*recv)(struct sealfs_conn *c, void *buf, size_t len);
	int (*send)(struct sealfs_conn *c, const void *buf, size_t len,
		    struct iov_iter *data);
	void (*ready)(struct sealfs_conn *c);
	void (*shutdown)(struct sealfs_conn *c);
	void (*release)(struct sealfs_conn *c);
};

extern const struct sealfs_xprt_ops sealfs_tcp_ops;

/* connection states */
enum {
	SEALFS_CONN_DOWN,	/* no endpoint, or a failed one not yet reaped */
	SEALFS_CONN_UP,		/* HELLO done, receive thread running */
};

/**
 * struct sealfs_conn - a connection to one server or to the manager
 * @fs: the mount
 * @server_id: the server's id; 0 for the manager
 * @addr: where it is
 * @ops: transport
 * @xprt: transport's private endpoint
 * @lock: serializes connecting and tearing down
 * @send_lock: serializes sends
 * @state: %SEALFS_CONN_*
 * @rx_task: receive thread while an endpoint exists
 * @req_lock: protects @reqs
 * @reqs: requests in flight, by id
 * @inflight: how many
 * @next_try: jiffies before which no reconnect is tried
 * @backoff: current reconnect back-off, jiffies
 * @boot_id: the server's boot id from HELLO
 * @features: negotiated features
 * @max_payload: negotiated payload limit
 * @connects: connections made
 * @unknown_replies: replies that matched no request (late or bogus)
 * @said_down: a "not responding" message was logged
 */
struct sealfs_conn {
	struct sealfs_fs *fs;
	u32 server_id;
	union sealfs_inet_addr addr;
	const struct sealfs_xprt_ops *ops;
	void *xprt;
	struct mutex lock;		/* connecting and tearing down */
	struct mutex send_lock;		/* one message at a time; @xprt */
	int state;
	struct task_struct *rx_task;
	spinlock_t req_lock;		/* @reqs, @inflight, @state */
	struct rb_root reqs;
	unsigned int inflight;
	unsigned long next_try;
	unsigned long backoff;
	u64 boot_id;
	u64 features;
	u32 max_payload;
	u64 connects;
	u64 unknown_replies;
	bool said_down;
};

/**
 * struct sealfs_req - one request and, once answered, its reply
 * @node: in &sealfs_conn.reqs while in flight; the receive thread takes
 *	the request out and sets @done under &sealfs_conn.req_lock, so the
 *	caller owns the request again once it has seen @done or taken it
 *	out itself under that lock
 * @id: request id
 * @opcode: &enum sealfs_op
 * @sh: the request's header fields (id, epoch and flags are set per send)
 * @sbuf: the encoded request (header and fixed parts)
 * @slen: bytes of @sbuf
 * @scap: size of @sbuf
 * @data: data sent after @sbuf (WRITE), or %NULL
 * @done: set once the reply (or @err) is in
 * @wait: the caller waits here
 * @err: 0 when a reply arrived, else why not
 * @rh: the reply's header
 * @rbuf: the reply's payload (kvmalloc'd), @rh.len bytes
 * @conn: the connection the request was last sent on
 * @sent: jiffies of the last send
 * @server: the server it was last sent to (0: the manager)
 */
struct sealfs_req {
	struct rb_node node;
	u64 id;
	u16 opcode;
	struct sealfs_hdr_info sh;
	u8 *sbuf;
	u32 slen;
	u32 scap;
	struct iov_iter *data;
	bool done;
	wait_queue_head_t wait;
	int err;
	struct sealfs_hdr_info rh;
	u8 *rbuf;
	struct sealfs_conn *conn;
	unsigned long sent;
	u32 server;
};

struct sealfs_req *sealfs_req_alloc(u16 opcode, u32 cap);
void sealfs_req_put(struct sealfs_req *req);
void sealfs_req_buf(struct sealfs_req *req, struct sealfs_buf *b);
int sealfs_req_finish(struct sealfs_req *req, struct sealfs_buf *b,
		      u32 detached);
int sealfs_req_reply(struct sealfs_req *req, struct sealfs_msg *m);

struct sealfs_conn *sealfs_conn_new(struct sealfs_fs *fs, u32 server_id,
				    const union sealfs_inet_addr *addr);
void sealfs_conn_destroy(struct sealfs_conn *c);
void sealfs_conn_reset(struct sealfs_conn *c);
int sealfs_rpc_call(struct sealfs_conn *c, struct sealfs_req *req,
		    bool bounded);

#endif /* SEALFS_RPC_H */
