/* SPDX-License-Identifier: Apache-2.0 */
/*
 * sconn: message connections of the SealFS daemons and tools.
 *
 * A connection is an endpoint behind an ops table (struct sconn_ops; TCP in
 * sconn_tcp.c, RDMA later) plus the transport-independent part here: the
 * framing of received messages (header, sealfs_hdr_decode(), payload,
 * sealfs_msg_parse(), delivery), a queue of outgoing messages flushed with
 * writev, backpressure, and the connection's lifetime.
 *
 * Threading: a connection belongs to the thread of its loop; every
 * function here must be called on that thread, except sconn_get() and
 * sconn_put(), which any thread may call. A worker thread that finished a
 * request holds a reference and hands the reply to the loop thread with
 * sloop_post(); if the connection closed meanwhile, sconn_send*() returns
 * -ENOTCONN and the worker's reference keeps the memory valid until it is
 * put.
 *
 * Lifetime: a connection lives from its creation (sconn_tcp_connect(),
 * sconn_tcp_adopt(), a listener's accept callback) until its closed
 * callback has returned; the owner may use the pointer until then without
 * a reference of its own. Closing (sconn_close(), a transport error, the
 * peer, a malformed message) releases the transport and all buffers at
 * once; the callbacks that follow (sent with -ECANCELED for messages never
 * written, then closed) run from the loop later, never from inside the
 * call that closed. A reference taken with sconn_get() keeps the (closed)
 * structure valid until sconn_put().
 *
 * Callbacks: functions that take a callback and return an error never call
 * it. No callback is called from inside the function that caused it.
 */
#ifndef SCONN_H
#define SCONN_H

#include <stddef.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <sys/uio.h>

#include "sealfs_codec.h"
#include "sloop.h"

struct sconn;
struct sconn_wmsg;
struct slisten;

/* Longest address text, e.g. "[ffff:...:ffff%eth0]:65535". */
#define SCONN_NAME_MAX	80
/* Room for the error text of a failed listen or connect. */
#define SCONN_ERR_MAX	256

/**
 * struct sconn_opts - connection options; zero fields take the defaults
 * @max_payload: largest payload accepted from the peer (default
 *	%SEALFS_MAX_PAYLOAD); srpc lowers it to the HELLO result
 * @rx_buf: receive buffer bytes (default 32 KiB); larger payloads are read
 *	straight into their own buffer
 * @wq_cap: output queue bytes above which reading from the peer stops
 *	(default 8 MiB); reading resumes when the queue drains to half
 * @connect_timeout_ms: outgoing connect timeout (default 10000)
 * @linger_ms: bound on a graceful close (sconn_shutdown()) waiting for
 *	the output to drain and the peer to close (default 2000)
 * @io_max: testing: the most bytes one read or write call may move
 *	(default 0, no limit); 1 splits every message into single bytes
 */
struct sconn_opts {
	u32 max_payload;
	u32 rx_buf;
	size_t wq_cap;
	u32 connect_timeout_ms;
	u32 linger_ms;
	u32 io_max;
};

/**
 * struct sconn_buf - the payload of a received message
 * @data: the payload (malloc'ed, exactly @len bytes), or %NULL when empty
 * @len: its size
 *
 * The &struct sealfs_msg delivered with it points into @data. The
 * connection frees @data when the message callback returns, unless the
 * callback took it with sconn_buf_steal().
 */
struct sconn_buf {
	void *data;
	u32 len;
};

/**
 * struct sconn_cbs - the owner's callbacks; any may be %NULL
 * @connected: outgoing connections: the connect finished; @err is 0, or
 *	-errno when it failed (then @closed follows)
 * @msg: a message passed sealfs_hdr_decode() and sealfs_msg_parse();
 *	@h and @m are valid during the call, @payload as described above
 * @error: a message that could not be used. @h is the header when it
 *	could be decoded (all cases but a bad magic), so the owner can answer
 *	BADMSG or VERSION with the request id (sconn_send_status()). @err is
 *	-EBADMSG (bad magic, bad header or payload), -EPROTONOSUPPORT (other
 *	major version), -EMSGSIZE (payload over the limit) or -EOPNOTSUPP
 *	(unknown opcode). Except for -EOPNOTSUPP, after which the connection
 *	goes on, the connection is then closed gracefully: what the owner
 *	queued is flushed first.
 * @closed: the connection closed; @err is 0 for an orderly close by the
 *	peer or by sconn_close(c, 0), else why. Called once per connection
 *	(also after a failed connect); the connection is freed after it
 *	returns unless references remain.
 */
struct sconn_cbs {
	void (*connected)(struct sconn *c, int err, void *arg);
	void (*msg)(struct sconn *c, const struct sealfs_hdr_info *h,
		    const struct sealfs_msg *m, struct sconn_buf *payload,
		    void *arg);
	void (*error)(struct sconn *c, int err, const struct sealfs_hdr_info *h,
		      void *arg);
	void (*closed)(struct sconn *c, int err, void *arg);
};

/**
 * typedef sconn_sent_fn - the referenced parts of a message are released
 * @c: the connection (perhaps closed)
 * @err: 0 when the whole message was written, -ECANCELED when it was
 *	dropped because the connection closed
 * @arg: the argument given to sconn_sendv()
 */
typedef void (*sconn_sent_fn)(struct sconn *c, int err, void *arg);

/**
 * struct sconn_stats - counters of a connection
 * @rx_msgs: messages delivered to the msg callback
 * @rx_bytes: bytes read
 * @rx_bad: messages reported to the error callback
 * @tx_msgs: messages written completely
 * @tx_bytes: bytes written
 * @wq_bytes: bytes queued and not yet written
 * @wq_peak: highest @wq_bytes seen
 * @rx_pauses: times reading stopped because of @wq_bytes
 * @rx_paused: reading is stopped by backpressure now
 */
struct sconn_stats {
	u64 rx_msgs;
	u64 rx_bytes;
	u64 rx_bad;
	u64 tx_msgs;
	u64 tx_bytes;
	size_t wq_bytes;
	size_t wq_peak;
	u64 rx_pauses;
	bool rx_paused;
};

/**
 * typedef slisten_fn - a listener accepted a connection
 * @l: the listener
 * @c: the new connection; the callback sets its owner with
 *	sconn_set_owner() (a connection left without callbacks is closed)
 * @arg: the listener's argument
 */
typedef void (*slisten_fn)(struct slisten *l, struct sconn *c, void *arg);

/* ---- connections ----------------------------------------------------- */

void sconn_opts_init(struct sconn_opts *o);
int sconn_tcp_connect(struct sloop *loop, const char *hostport,
		      u16 default_port, const struct sconn_opts *opts,
		      const struct sconn_cbs *cbs, void *arg,
		      struct sconn **cp, char *err, size_t errlen);
int sconn_tcp_adopt(struct sloop *loop, int fd, const struct sconn_opts *opts,
		    const struct sconn_cbs *cbs, void *arg, struct sconn **cp);
void sconn_set_owner(struct sconn *c, const struct sconn_cbs *cbs, void *arg);

int sconn_sendv(struct sconn *c, const struct iovec *copy, unsigned int ncopy,
		const struct iovec *ref, unsigned int nref, sconn_sent_fn sent,
		void *arg, struct sconn_wmsg **wp);
int sconn_send_buf(struct sconn *c, const struct sealfs_buf *b,
		   const struct iovec *ref, unsigned int nref,
		   sconn_sent_fn sent, void *arg, struct sconn_wmsg **wp);
int sconn_send_status(struct sconn *c, const struct sealfs_hdr_info *req,
		      u32 status, u64 epoch);
int sconn_cancel(struct sconn *c, struct sconn_wmsg *w);

void sconn_read_stop(struct sconn *c);
void sconn_read_start(struct sconn *c);
void sconn_close(struct sconn *c, int err);
void sconn_shutdown(struct sconn *c, int err);

void sconn_get(struct sconn *c);
void sconn_put(struct sconn *c);

bool sconn_is_open(const struct sconn *c);
const char *sconn_name(const struct sconn *c);
void sconn_set_max_payload(struct sconn *c, u32 max_payload);
size_t sconn_wq_bytes(const struct sconn *c);
void sconn_stats(const struct sconn *c, struct sconn_stats *st);
long sconn_live_count(void);

void *sconn_buf_steal(struct sconn_buf *b);

/* ---- addresses and listeners -------------------------------------------- */

int sconn_parse_addr(const char *hostport, u16 default_port, bool passive,
		     struct sockaddr_storage *ss, socklen_t *sslen,
		     char *err, size_t errlen);
void sconn_format_addr(const struct sockaddr *sa, char *buf, size_t len);

int slisten_tcp(struct sloop *loop, const char *hostport,
		const struct sconn_opts *opts, slisten_fn fn, void *arg,
		struct slisten **lp, char *err, size_t errlen);
u16 slisten_port(const struct slisten *l);
const char *slisten_name(const struct slisten *l);
void slisten_close(struct slisten *l);

/* ---- for transports ----------------------------------------------------- */

/**
 * struct sconn_ops - a transport: how a connection moves bytes
 * @name: "tcp", ...
 * @read: read up to @len bytes: the count, 0 at end of stream, -EAGAIN
 *	when nothing is available, or another -errno
 * @writev: write from @iov: the count written (maybe partial), -EAGAIN, or
 *	another -errno (no SIGPIPE)
 * @set_events: report readiness for %SLOOP_IN and/or %SLOOP_OUT through
 *	sconn_transport_ready() (0: none)
 * @shutdown_write: send end-of-stream after the queued bytes
 * @close: release everything the transport holds; no readiness reports
 *	after it returns
 * @peer_name: the peer's address as text
 *
 * For connections it makes, the transport calls sconn_transport_new(),
 * then sconn_transport_ready() on readiness and
 * sconn_transport_connected() when an outgoing connect finishes.
 */
struct sconn_ops {
	const char *name;
	ssize_t (*read)(struct sconn *c, void *buf, size_t len);
	ssize_t (*writev)(struct sconn *c, const struct iovec *iov, int iovcnt);
	int (*set_events)(struct sconn *c, unsigned int events);
	int (*shutdown_write)(struct sconn *c);
	void (*close)(struct sconn *c);
	int (*peer_name)(struct sconn *c, char *buf, size_t len);
};

int sconn_transport_new(struct sloop *loop, const struct sconn_ops *ops,
			void *tp, bool connecting,
			const struct sconn_opts *opts, struct sconn **cp);
void *sconn_transport_priv(const struct sconn *c);
struct sloop *sconn_loop(const struct sconn *c);
void sconn_transport_ready(struct sconn *c, unsigned int events);
void sconn_transport_connected(struct sconn *c, int err);
void sconn_transport_start(struct sconn *c);

#endif /* SCONN_H */
