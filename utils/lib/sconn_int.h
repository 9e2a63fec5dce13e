/* SPDX-License-Identifier: Apache-2.0 */
/*
 * sconn internals shared by sconn.c (lifetime, state), sconn_rx.c
 * (framing of received messages) and sconn_tx.c (output queue).
 * Transports see only sconn.h.
 */
#ifndef SCONN_INT_H
#define SCONN_INT_H

#include <stdatomic.h>

#include "sconn.h"

enum sconn_state {
	SCONN_CONNECTING,	/* outgoing connect in progress */
	SCONN_OPEN,
	SCONN_CLOSING,		/* graceful close: flushing, input discarded */
	SCONN_CLOSED,		/* transport and buffers released */
};

#define SCONN_DEF_RX_BUF	(32u << 10)
#define SCONN_DEF_WQ_CAP	((size_t)8 << 20)
#define SCONN_DEF_CONNECT_MS	10000u
#define SCONN_DEF_LINGER_MS	2000u
#define SCONN_MAX_REF		64	/* referenced parts per message */
#define SCONN_IOV_BATCH		64	/* iovecs per writev */
#define SCONN_READS_PER_EVENT	16	/* read calls per readiness report */

/**
 * struct sconn_wmsg - a queued outgoing message
 * @prev: queue link
 * @next: queue link
 * @len: bytes of the whole message
 * @done: bytes written so far
 * @sent: called when the referenced parts are released, or %NULL
 * @arg: for @sent
 * @niov: entries in @iov
 * @iov: the copied bytes first (they follow the array), then the
 *	referenced parts
 */
struct sconn_wmsg {
	struct sconn_wmsg *prev;
	struct sconn_wmsg *next;
	size_t len;
	size_t done;
	sconn_sent_fn sent;
	void *arg;
	unsigned int niov;
	struct iovec iov[];
};

/**
 * struct sconn - a connection
 * @loop: its loop
 * @ops: the transport
 * @tp: the transport's private data (%NULL once closed)
 * @ref: references: one for the open connection (dropped after the closed
 *	callback), one per scheduled work item, plus the owner's
 * @state: &enum sconn_state
 * @was_connecting: closed before the connect finished
 * @read_stopped: the owner stopped reading (sconn_read_stop())
 * @rx_paused: reading stopped by backpressure
 * @tx_blocked: the last write would block; waiting for %SLOOP_OUT
 * @wr_shut: end-of-stream sent (graceful close)
 * @rx_eof: the peer closed its side (graceful close)
 * @flush_queued: @flush_work is scheduled
 * @rx_queued: @rx_work is scheduled
 * @want: events asked of the transport
 * @cbs: the owner's callbacks
 * @arg: for @cbs
 * @opts: options, defaults filled in
 * @name: peer address, for logs
 * @close_err: why it closed
 * @rx: receive buffer, @opts.rx_buf bytes
 * @rx_r: first unparsed byte in @rx
 * @rx_w: end of the bytes in @rx
 * @have_hdr: @hdr holds the header of the message being received
 * @hdr: that header
 * @pl: payload being read straight into its own buffer, or %NULL
 * @pl_have: bytes of it received
 * @wq_head: output queue, oldest first
 * @wq_tail: newest
 * @dropped: queue taken at close, for the sent callbacks
 * @flush_work: deferred flush
 * @rx_work: deferred parse of buffered input after reading resumes
 * @close_work: deferred close notification
 * @timer: connect timeout, then graceful-close bound
 * @st: counters
 */
struct sconn {
	struct sloop *loop;
	const struct sconn_ops *ops;
	void *tp;
	atomic_uint ref;
	int state;
	bool was_connecting;
	bool read_stopped;
	bool rx_paused;
	bool tx_blocked;
	bool wr_shut;
	bool rx_eof;
	bool flush_queued;
	bool rx_queued;
	unsigned int want;
	struct sconn_cbs cbs;
	void *arg;
	struct sconn_opts opts;
	char name[SCONN_NAME_MAX];
	int close_err;

	u8 *rx;
	u32 rx_r;
	u32 rx_w;
	bool have_hdr;
	struct sealfs_hdr_info hdr;
	u8 *pl;
	u32 pl_have;

	struct sconn_wmsg *wq_head;
	struct sconn_wmsg *wq_tail;
	struct sconn_wmsg *dropped;
	struct sloop_work flush_work;
	struct sloop_work rx_work;
	struct sloop_work close_work;
	struct sloop_timer timer;
	struct sconn_stats st;
};

/* sconn.c */
void sconn__update_events(struct sconn *c);

/* sconn_rx.c */
void sconn__rx_read(struct sconn *c);
void sconn__rx_kick(struct sconn *c);
void sconn__rx_reset(struct sconn *c);

/* sconn_tx.c */
void sconn__tx_kick(struct sconn *c);
void sconn__flush(struct sconn *c);
void sconn__check_pause(struct sconn *c);
void sconn__drop_queue(struct sconn *c);

#endif /* SCONN_INT_H */
