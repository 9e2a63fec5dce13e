/* SPDX-License-Identifier: Apache-2.0 */
/*
 * srpc internals shared by srpc.c (calls), srpc_tab.c (pending table) and
 * srpc_hello.c (HELLO and the synchronous helpers).
 */
#ifndef SRPC_INT_H
#define SRPC_INT_H

#include "srpc.h"

/**
 * struct srpc_req - a call
 * @hnext: hash chain
 * @cqnext: completion queue link
 * @prev: list of all live calls
 * @next: list of all live calls
 * @r: its srpc
 * @id: request id
 * @opcode: request opcode
 * @done: the caller's callback; %NULL once told (orphan after srpc_free())
 * @arg: for @done
 * @timer: the call's timeout
 * @wmsg: the queued message while it references the caller's data
 * @in_table: waiting for its reply
 * @queued: on the completion queue
 * @finished: outcome known, held until the data is released
 * @err: that outcome
 * @replied: the outcome is a reply: @h, @m, @payload
 * @h: the reply's header
 * @m: the reply
 * @payload: its payload (taken from the connection)
 */
struct srpc_req {
	struct srpc_req *hnext;
	struct srpc_req *cqnext;
	struct srpc_req *prev;
	struct srpc_req *next;
	struct srpc *r;
	u64 id;
	u16 opcode;
	srpc_done_fn done;
	void *arg;
	struct sloop_timer timer;
	struct sconn_wmsg *wmsg;
	bool in_table;
	bool queued;
	bool finished;
	int err;
	bool replied;
	struct sealfs_hdr_info h;
	struct sealfs_msg m;
	void *payload;
};

/**
 * struct srpc - an RPC client on one connection
 * @loop: the loop
 * @c: the connection (a reference is held)
 * @opts: options, defaults filled in
 * @own_session: the session when none was given
 * @session: the session in use
 * @epoch: epoch put in request headers
 * @up: the connection is open (or connecting)
 * @was_open: the connect completed
 * @hello_done: @peer is valid
 * @peer: HELLO result
 * @send_max: largest payload sent (HELLO result)
 * @tab: pending calls by id
 * @tab_bits: log2 of the table size
 * @npending: calls in @tab
 * @reqs: all live calls (pending, held, orphaned), oldest first
 * @reqs_tail: newest
 * @nreqs: entries of @reqs
 * @cq_head: calls whose callback is due, oldest first
 * @cq_tail: newest
 * @depth: callbacks of this srpc running
 * @freed: srpc_free() was called; freed when @depth and @nreqs are 0
 */
struct srpc {
	struct sloop *loop;
	struct sconn *c;
	struct srpc_opts opts;
	struct srpc_session own_session;
	struct srpc_session *session;
	u64 epoch;
	bool up;
	bool was_open;
	bool hello_done;
	struct srpc_peer peer;
	u32 send_max;
	struct srpc_req **tab;
	unsigned int tab_bits;
	unsigned int npending;
	struct srpc_req *reqs;
	struct srpc_req *reqs_tail;
	unsigned int nreqs;
	struct srpc_req *cq_head;
	struct srpc_req *cq_tail;
	int depth;
	bool freed;
};

/* srpc_tab.c */
int srpc__tab_init(struct srpc *r);
void srpc__tab_insert(struct srpc *r, struct srpc_req *q);
struct srpc_req *srpc__tab_find(struct srpc *r, u64 id);
void srpc__tab_remove(struct srpc *r, struct srpc_req *q);

/* srpc.c */
void srpc__hold(struct srpc *r);
void srpc__release(struct srpc *r);
void srpc__set_peer(struct srpc *r, const struct srpc_peer *peer);

#endif /* SRPC_INT_H */
