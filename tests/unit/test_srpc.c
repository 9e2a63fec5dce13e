// SPDX-License-Identifier: Apache-2.0
/*
 * RPC client tests against a small server in the test (slisten + sconn on
 * 127.0.0.1, port 0): many concurrent calls answered out of order and
 * matched by request id, timeouts (and the late reply dropped), a dropped
 * connection failing every pending call exactly once with -ECONNRESET, a
 * reply with the wrong opcode, HELLO negotiation and its failures, request
 * ids under a session, the synchronous helpers, and srpc_free() with calls
 * pending. Every test ends with no connection, loop handle or memory left.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "sconn.h"
#include "sloop.h"
#include "unit/loop_harness.h"
#include "srpc.h"

/* ---- harness ------------------------------------------------------------ */

#define MAX_HELD	1024

/* ---- the test server ---------------------------------------------------- */

/*
 * PING: answered at once. READ: answered with @length bytes derived from
 * the request, at once, or held until @batch requests are held and then
 * answered in a shuffled order. MAP_GET: held (for timeouts). GETATTR:
 * answered with a PING reply (wrong opcode). LOOKUP: answered NOENT.
 * WRITE: checked and answered. HELLO: answered from @hello_* below.
 */
struct held {
	struct sconn *c;
	struct sealfs_hdr_info h;
	struct sealfs_read_req rd;
};

struct srv {
	struct sloop *loop;
	struct slisten *l;
	struct sconn *conns[8];
	int nconns;
	int accepted;
	int closed;
	int batch;
	struct held held[MAX_HELD];
	int nheld;
	u64 ids[MAX_HELD];
	u32 flags[MAX_HELD];
	int nids;
	int writes;
	int bad_writes;
	bool hold_writes;
	bool no_read;
	/* HELLO */
	struct sealfs_hello_req hello_got;
	int hellos;
	u16 hello_major;
	u16 hello_minor;
	u64 hello_features;
	u32 hello_max;
	bool hello_version_error;
	bool hello_superset;
	bool hello_bigger;
	u64 boot_id;
	u32 server_id;
};

struct fixture {
	struct sloop *loop;
	struct srv srv;
	long live0;
	char addr[64];
	struct srpc *r;
};

static void srv_reply_read(struct srv *s, struct sconn *c,
			   const struct sealfs_hdr_info *h,
			   const struct sealfs_read_req *rd)
{
	u32 len = le32_to_cpu(rd->length);
	u64 ino = le64_to_cpu(rd->ino);
	struct sealfs_read_rep rep = { .length = cpu_to_le32(len) };
	struct sealfs_hdr_info rh = { .opcode = SEALFS_OP_READ,
				      .flags = SEALFS_HF_REPLY,
				      .req_id = h->req_id };
	u8 *buf = malloc(SEALFS_HDR_SIZE + sizeof(rep) + len);
	struct sealfs_buf b;
	u32 i;

	(void)s;
	assert_non_null(buf);
	sealfs_buf_init(&b, buf, SEALFS_HDR_SIZE + sizeof(rep) + len);
	sealfs_msg_start(&b);
	sealfs_buf_put(&b, &rep, sizeof(rep));
	for (i = 0; i < len; i++) {
		u8 v = (u8)(ino * 7 + i);

		sealfs_buf_put(&b, &v, 1);
	}
	assert_int_equal(sealfs_msg_end(&b, &rh, 0), 0);
	/* the connection may be going (tests that drop it) */
	sconn_send_buf(c, &b, NULL, 0, NULL, NULL, NULL);
	free(buf);
}

static void srv_hello(struct srv *s, struct sconn *c,
		      const struct sealfs_hdr_info *h, const struct sealfs_msg *m)
{
	const struct sealfs_hello_req *q = m->body;
	struct sealfs_hello_rep rep = { 0 };
	struct sealfs_hdr_info rh = { .opcode = SEALFS_OP_HELLO,
				      .flags = SEALFS_HF_REPLY,
				      .req_id = h->req_id };
	u8 buf[SEALFS_HDR_SIZE + sizeof(rep)];
	struct sealfs_buf b;
	u32 max = le32_to_cpu(q->max_payload);

	s->hello_got = *q;
	s->hellos++;
	if (s->hello_version_error) {
		assert_int_equal(sconn_send_status(c, h, SEALFS_S_VERSION, 0), 0);
		sconn_shutdown(c, 0);
		return;
	}
	rep.major = cpu_to_le16(s->hello_major ? s->hello_major : SEALFS_PROTO_MAJOR);
	rep.minor = cpu_to_le16(s->hello_minor);
	rep.role = cpu_to_le16(SEALFS_ROLE_SERVER);
	rep.features = cpu_to_le64(s->hello_superset ? ~0ull :
				   le64_to_cpu(q->features) & s->hello_features);
	rep.boot_id = cpu_to_le64(s->boot_id);
	rep.max_payload = cpu_to_le32(s->hello_bigger ? max + 1 :
				      max < s->hello_max ? max : s->hello_max);
	rep.server_id = cpu_to_le32(s->server_id);
	sealfs_buf_init(&b, buf, sizeof(buf));
	sealfs_msg_start(&b);
	sealfs_buf_put(&b, &rep, sizeof(rep));
	assert_int_equal(sealfs_msg_end(&b, &rh, 0), 0);
	assert_int_equal(sconn_send_buf(c, &b, NULL, 0, NULL, NULL, NULL), 0);
}

static void srv_flush_batch(struct srv *s)
{
	int i, j;
	u32 seed = 12345;

	/* shuffle (fixed seed), then answer */
	for (i = s->nheld - 1; i > 0; i--) {
		struct held t;

		seed = seed * 1103515245 + 12345;
		j = (seed >> 8) % (i + 1);
		t = s->held[i];
		s->held[i] = s->held[j];
		s->held[j] = t;
	}
	for (i = 0; i < s->nheld; i++)
		srv_reply_read(s, s->held[i].c, &s->held[i].h, &s->held[i].rd);
	s->nheld = 0;
}

static void srv_msg(struct sconn *c, const struct sealfs_hdr_info *h,
		   const struct sealfs_msg *m, struct sconn_buf *payload,
		   void *arg)
{
	struct srv *s = arg;

	(void)payload;
	assert_false(h->flags & SEALFS_HF_REPLY);
	if (s->nids < MAX_HELD) {
		s->ids[s->nids] = h->req_id;
		s->flags[s->nids++] = h->flags;
	}
	switch (h->opcode) {
	case SEALFS_OP_HELLO:
		srv_hello(s, c, h, m);
		break;
	case SEALFS_OP_PING:
		assert_int_equal(sconn_send_status(c, h, SEALFS_S_OK, 0), 0);
		break;
	case SEALFS_OP_READ:
		if (!s->batch) {
			srv_reply_read(s, c, h, m->body);
			break;
		}
		/* fall through */
	case SEALFS_OP_MAP_GET:
		assert_true(s->nheld < MAX_HELD);
		s->held[s->nheld].c = c;
		s->held[s->nheld].h = *h;
		if (h->opcode == SEALFS_OP_READ)
			memcpy(&s->held[s->nheld].rd, m->body, sizeof(s->held[0].rd));
		s->nheld++;
		if (h->opcode == SEALFS_OP_READ && s->nheld == s->batch)
			srv_flush_batch(s);
		break;
	case SEALFS_OP_GETATTR: {
		struct sealfs_hdr_info wrong = *h;

		wrong.opcode = SEALFS_OP_PING;
		assert_int_equal(sconn_send_status(c, &wrong, SEALFS_S_OK, 0), 0);
		break;
	}
	case SEALFS_OP_LOOKUP:
		assert_int_equal(sconn_send_status(c, h, SEALFS_S_NOENT, 0), 0);
		break;
	case SEALFS_OP_WRITE: {
		struct sealfs_write_rep rep = {
			.written = cpu_to_le32(m->tail_len[0]) };
		struct sealfs_hdr_info rh = { .opcode = SEALFS_OP_WRITE,
					      .flags = SEALFS_HF_REPLY,
					      .req_id = h->req_id };
		u8 buf[SEALFS_HDR_SIZE + sizeof(rep)];
		struct sealfs_buf b;
		u32 i;

		s->writes++;
		for (i = 0; i < m->tail_len[0]; i++)
			if (m->tail[0][i] != (u8)i) {
				s->bad_writes++;
				break;
			}
		if (s->hold_writes) {
			assert_true(s->nheld < MAX_HELD);
			s->held[s->nheld].c = c;
			s->held[s->nheld++].h = *h;
			break;
		}
		sealfs_buf_init(&b, buf, sizeof(buf));
		sealfs_msg_start(&b);
		sealfs_buf_put(&b, &rep, sizeof(rep));
		assert_int_equal(sealfs_msg_end(&b, &rh, 0), 0);
		assert_int_equal(sconn_send_buf(c, &b, NULL, 0, NULL, NULL, NULL), 0);
		break;
	}
	default:
		assert_int_equal(sconn_send_status(c, h, SEALFS_S_NOTSUPP, 0), 0);
	}
}

static void srv_closed(struct sconn *c, int err, void *arg)
{
	struct srv *s = arg;
	int i;

	(void)err;
	s->closed++;
	for (i = 0; i < s->nconns; i++)
		if (s->conns[i] == c)
			s->conns[i] = s->conns[--s->nconns];
	for (i = 0; i < s->nheld; i++)
		if (s->held[i].c == c)
			s->held[i--] = s->held[--s->nheld];
}

static const struct sconn_cbs srv_cbs = {
	.msg = srv_msg,
	.closed = srv_closed,
};

static void srv_accept(struct slisten *l, struct sconn *c, void *arg)
{
	struct srv *s = arg;

	(void)l;
	assert_true(s->nconns < 8);
	s->conns[s->nconns++] = c;
	s->accepted++;
	sconn_set_owner(c, &srv_cbs, s);
	if (s->no_read)
		sconn_read_stop(c);
}

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));
	char err[SCONN_ERR_MAX];

	if (!f || sloop_new(&f->loop))
		return -1;
	f->live0 = sconn_live_count();
	f->srv.loop = f->loop;
	f->srv.hello_features = SEALFS_FEAT_ALL;
	f->srv.hello_max = SEALFS_MAX_PAYLOAD;
	if (slisten_tcp(f->loop, "127.0.0.1:0", NULL, srv_accept, &f->srv,
			&f->srv.l, err, sizeof(err))) {
		fprintf(stderr, "%s\n", err);
		return -1;
	}
	snprintf(f->addr, sizeof(f->addr), "%s", slisten_name(f->srv.l));
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;
	int i, rc = 0;

	srpc_free(f->r);
	slisten_close(f->srv.l);
	for (i = f->srv.nconns - 1; i >= 0; i--)
		sconn_close(f->srv.conns[i], 0);
	for (i = 0; i < 1000 && (sconn_live_count() != f->live0 ||
				 sloop_live(f->loop)); i++)
		sloop_run_once(f->loop, 100);
	if (sconn_live_count() != f->live0) {
		fprintf(stderr, "teardown: %ld connections leaked\n",
			sconn_live_count() - f->live0);
		rc = -1;
	}
	if (sloop_free(f->loop))
		rc = -1;
	free(f);
	return rc;
}

static void connect_rpc(struct fixture *f, const struct srpc_opts *o)
{
	char err[SCONN_ERR_MAX];

	if (srpc_connect(f->loop, f->addr, 0, o, &f->r, err, sizeof(err)))
		fail_msg("srpc_connect: %s", err);
}

/* ---- completions ---------------------------------------------------------- */

#define MAX_CALLS	512

struct calls {
	int n;			/* completions */
	int count[MAX_CALLS];	/* per call */
	int err[MAX_CALLS];
	u64 id[MAX_CALLS];	/* from srpc_call() */
	u64 got_id[MAX_CALLS];	/* from the reply */
	int order[MAX_CALLS];
	int bad;
};

struct call_arg {
	struct calls *k;
	int i;
	u32 len;
};

static struct call_arg args[MAX_CALLS];

static void call_done(struct srpc *r, int err, const struct sealfs_hdr_info *h,
		      const struct sealfs_msg *m, struct sconn_buf *payload,
		      void *arg)
{
	struct call_arg *a = arg;
	struct calls *k = a->k;

	(void)r;
	k->order[k->n++] = a->i;
	k->count[a->i]++;
	k->err[a->i] = err;
	assert_true((h != NULL) == (m != NULL));
	assert_true((h != NULL) == (payload != NULL));
	if (!h)
		return;
	k->got_id[a->i] = h->req_id;
	if (h->opcode == SEALFS_OP_READ && !err) {
		const struct sealfs_read_rep *rep = m->body;
		u32 i;

		/* the data belongs to this call: derived from its ino (a->i) */
		if (le32_to_cpu(rep->length) != a->len || m->tail_len[0] != a->len)
			k->bad++;
		for (i = 0; i < m->tail_len[0]; i++)
			if (m->tail[0][i] != (u8)((u64)a->i * 7 + i))
				k->bad++;
	}
}

static int call_read(struct fixture *f, struct calls *k, int i, u32 len,
		     u32 timeout_ms)
{
	struct sealfs_read_req rd = { .ino = cpu_to_le64(i),
				      .offset = cpu_to_le64((u64)i * 4096),
				      .vol = cpu_to_le32(1),
				      .length = cpu_to_le32(len) };
	struct srpc_call call = { .opcode = SEALFS_OP_READ, .payload = &rd,
				  .len = sizeof(rd), .timeout_ms = timeout_ms };

	args[i] = (struct call_arg){ k, i, len };
	return srpc_call(f->r, &call, call_done, &args[i], &k->id[i]);
}

static int call_empty(struct fixture *f, struct calls *k, int i, u16 opcode,
		      u32 timeout_ms)
{
	static const struct sealfs_map_get_req mg = { 0 };
	static const struct sealfs_ino_req ino = { 0 };
	struct srpc_call call = { .opcode = opcode, .timeout_ms = timeout_ms };

	if (opcode == SEALFS_OP_MAP_GET) {
		call.payload = &mg;
		call.len = sizeof(mg);
	} else if (opcode == SEALFS_OP_GETATTR) {
		call.payload = &ino;
		call.len = sizeof(ino);
	}
	args[i] = (struct call_arg){ k, i, 0 };
	return srpc_call(f->r, &call, call_done, &args[i], &k->id[i]);
}

/* ---- tests ---------------------------------------------------------------- */

static void test_concurrent_out_of_order(void **state)
{
	struct fixture *f = *state;
	const int n = 300;
	struct calls k = { 0 };
	int i, in_order = 1;

	f->srv.batch = n;
	connect_rpc(f, NULL);
	for (i = 0; i < n; i++)
		assert_int_equal(call_read(f, &k, i, 1 + i % 200, 0), 0);
	assert_int_equal(srpc_pending(f->r), n);
	/* no callback from inside srpc_call() */
	assert_int_equal(k.n, 0);
	RUN_UNTIL(f->loop, k.n == n);
	for (i = 0; i < n; i++) {
		assert_int_equal(k.count[i], 1);
		assert_int_equal(k.err[i], 0);
		/* ids from 1, in submission order; the reply carried it */
		assert_int_equal(k.id[i], i + 1);
		assert_int_equal(k.got_id[i], k.id[i]);
		if (k.order[i] != i)
			in_order = 0;
	}
	assert_int_equal(k.bad, 0);
	assert_false(in_order);		/* they really came out of order */
	assert_int_equal(srpc_pending(f->r), 0);
	assert_true(srpc_is_up(f->r));
}

static void test_timeout(void **state)
{
	struct fixture *f = *state;
	struct calls k = { 0 };
	struct sconn_stats st;
	u64 t0;

	connect_rpc(f, NULL);
	t0 = sloop_now_ms();
	assert_int_equal(call_empty(f, &k, 0, SEALFS_OP_MAP_GET, 50), 0);
	assert_int_equal(call_empty(f, &k, 1, SEALFS_OP_PING, 0), 0);
	RUN_UNTIL(f->loop, k.count[0] == 1);
	assert_true(sloop_now_ms() - t0 >= 50);
	assert_int_equal(k.err[0], -ETIMEDOUT);
	assert_int_equal(k.count[1], 1);
	assert_int_equal(k.err[1], 0);
	assert_int_equal(srpc_pending(f->r), 0);

	/* the late reply arrives and is dropped */
	assert_int_equal(f->srv.nheld, 1);
	sconn_stats(srpc_conn(f->r), &st);
	assert_int_equal(sconn_send_status(f->srv.held[0].c, &f->srv.held[0].h,
					   SEALFS_S_AGAIN, 0), 0);
	f->srv.nheld = 0;
	{
		u64 before = st.rx_msgs;

		RUN_UNTIL(f->loop, (sconn_stats(srpc_conn(f->r), &st),
				    st.rx_msgs == before + 1));
	}
	assert_int_equal(k.count[0], 1);
	assert_int_equal(k.n, 2);
	/* and the connection still works */
	assert_int_equal(call_empty(f, &k, 2, SEALFS_OP_PING, 0), 0);
	RUN_UNTIL(f->loop, k.count[2] == 1);
	assert_int_equal(k.err[2], 0);
}

struct tw {
	int calls;
	int err;
	u8 *data;
	bool freed;
};

static void tw_done(struct srpc *r, int err, const struct sealfs_hdr_info *h,
		    const struct sealfs_msg *m, struct sconn_buf *payload,
		    void *arg)
{
	struct tw *t = arg;

	(void)r;
	(void)h;
	(void)m;
	(void)payload;
	t->calls++;
	t->err = err;
	/* the call is over: its data may go (ASan sees any later use) */
	free(t->data);
	t->data = NULL;
}

/*
 * Calls time out while their data waits in the queue of a peer that does
 * not read. Those not started are taken back at once; one partly written
 * completes only when its data is released, here when the peer reads again.
 */
static void test_timeout_with_data_in_flight(void **state)
{
	struct fixture *f = *state;
	const int n = 8;
	const u32 len = SEALFS_MAX_IO;
	struct tw t[8] = { { 0 } };
	int i, done = 0;

	f->srv.no_read = true;
	connect_rpc(f, NULL);
	for (i = 0; i < n; i++) {
		struct sealfs_write_req w = { .length = cpu_to_le32(len) };
		struct iovec iov;
		struct srpc_call call = { .opcode = SEALFS_OP_WRITE, .payload = &w,
					  .len = sizeof(w), .data = &iov,
					  .ndata = 1, .timeout_ms = 100 };
		u32 k;

		t[i].data = malloc(len);
		assert_non_null(t[i].data);
		for (k = 0; k < len; k++)
			t[i].data[k] = (u8)k;
		iov = (struct iovec){ t[i].data, len };
		assert_int_equal(srpc_call(f->r, &call, tw_done, &t[i], NULL), 0);
	}
	/* all time out; none is pending any more */
	RUN_UNTIL(f->loop, srpc_pending(f->r) == 0);
	for (i = 0; i < n; i++)
		done += t[i].calls;
	/* 32 MiB do not fit in the socket buffers: one is partly written */
	assert_true(done == n - 1 || done == n);
	assert_true(sconn_wq_bytes(srpc_conn(f->r)) < (size_t)len + 100);
	/* the peer reads again: the partial one is written, then told */
	RUN_UNTIL(f->loop, f->srv.nconns == 1);
	sconn_read_start(f->srv.conns[0]);
	RUN_UNTIL(f->loop, t[0].calls + t[1].calls + t[2].calls + t[3].calls +
		  t[4].calls + t[5].calls + t[6].calls + t[7].calls == n);
	for (i = 0; i < n; i++) {
		assert_int_equal(t[i].calls, 1);
		assert_int_equal(t[i].err, -ETIMEDOUT);
	}
	/* what the server got is intact */
	RUN_UNTIL(f->loop, sconn_wq_bytes(srpc_conn(f->r)) == 0 &&
		  f->srv.writes >= n - done);
	assert_int_equal(f->srv.bad_writes, 0);
	assert_true(srpc_is_up(f->r));
}

static int downs, down_err;

static void on_down(struct srpc *r, int err, void *arg)
{
	(void)r;
	(void)arg;
	downs++;
	down_err = err;
}

static void test_connection_drop_fails_pending_once(void **state)
{
	struct fixture *f = *state;
	struct srpc_opts o = { .down = on_down };
	static u8 data[2 << 20];
	struct iovec iov = { data, sizeof(data) };
	struct sealfs_write_req w = { .length = cpu_to_le32(sizeof(data)) };
	struct srpc_call wc = { .opcode = SEALFS_OP_WRITE, .payload = &w,
				.len = sizeof(w), .data = &iov, .ndata = 1 };
	struct calls k = { 0 };
	int i, n = 60, nw = 4;

	downs = 0;
	f->srv.hold_writes = true;
	connect_rpc(f, &o);
	for (i = 0; i < n; i++)
		assert_int_equal(call_empty(f, &k, i, SEALFS_OP_MAP_GET, 0), 0);
	RUN_UNTIL(f->loop, f->srv.nheld == n);
	/*
	 * WRITEs with referenced data: the first is read and held by the
	 * server, then it stops reading, so the others stay queued here.
	 */
	args[n] = (struct call_arg){ &k, n, 0 };
	assert_int_equal(srpc_call(f->r, &wc, call_done, &args[n], &k.id[n]), 0);
	RUN_UNTIL(f->loop, f->srv.nheld == n + 1);
	sconn_read_stop(f->srv.conns[0]);
	for (i = n + 1; i < n + nw; i++) {
		args[i] = (struct call_arg){ &k, i, 0 };
		assert_int_equal(srpc_call(f->r, &wc, call_done, &args[i], &k.id[i]), 0);
	}
	for (i = 0; i < 20; i++)
		assert_true(sloop_run_once(f->loop, 0) >= 0);
	assert_true(sconn_wq_bytes(srpc_conn(f->r)) > 0);
	assert_int_equal(srpc_pending(f->r), n + nw);
	assert_int_equal(k.n, 0);
	/* the server goes away */
	sconn_close(f->srv.conns[0], 0);
	RUN_UNTIL(f->loop, k.n == n + nw);
	for (i = 0; i < n + nw; i++) {
		assert_int_equal(k.count[i], 1);
		assert_int_equal(k.err[i], -ECONNRESET);
	}
	RUN_UNTIL(f->loop, downs == 1);
	assert_false(srpc_is_up(f->r));
	assert_int_equal(srpc_pending(f->r), 0);
	/* no call on a dead connection, and no callback for it */
	assert_int_equal(call_empty(f, &k, 0, SEALFS_OP_PING, 0), -ENOTCONN);
	for (i = 0; i < 5; i++)
		assert_true(sloop_run_once(f->loop, 0) >= 0);
	assert_int_equal(k.n, n + nw);
	assert_int_equal(k.count[0], 1);
	assert_int_equal(downs, 1);
}

/* WRITE data is referenced, not copied: it must be intact on the server. */
static void test_write_data_and_drop(void **state)
{
	struct fixture *f = *state;
	static u8 data[1 << 20];
	struct iovec iov[2] = { { data, 1000 }, { data + 1000, sizeof(data) - 1000 } };
	struct sealfs_write_req w = { .length = cpu_to_le32(sizeof(data)) };
	struct srpc_call call = { .opcode = SEALFS_OP_WRITE, .payload = &w,
				  .len = sizeof(w), .data = iov, .ndata = 2 };
	struct calls k = { 0 };
	size_t i;

	for (i = 0; i < sizeof(data); i++)
		data[i] = (u8)i;
	connect_rpc(f, NULL);
	args[0] = (struct call_arg){ &k, 0, 0 };
	assert_int_equal(srpc_call(f->r, &call, call_done, &args[0], NULL), 0);
	args[1] = (struct call_arg){ &k, 1, 0 };
	assert_int_equal(srpc_call(f->r, &call, call_done, &args[1], NULL), 0);
	RUN_UNTIL(f->loop, k.n == 2);
	assert_int_equal(k.err[0], 0);
	assert_int_equal(k.err[1], 0);
	assert_int_equal(f->srv.writes, 2);
	assert_int_equal(f->srv.bad_writes, 0);

	/* a payload over the limit is refused up front: no callback */
	call.len = SEALFS_MAX_PAYLOAD;
	assert_int_equal(srpc_call(f->r, &call, call_done, &args[2], NULL), -EMSGSIZE);
	call.len = sizeof(w);
	call.flags = SEALFS_HF_REPLY;
	assert_int_equal(srpc_call(f->r, &call, call_done, &args[2], NULL), -EINVAL);
	for (i = 0; i < 5; i++)
		assert_true(sloop_run_once(f->loop, 0) >= 0);
	assert_int_equal(k.n, 2);
}

static void test_wrong_opcode(void **state)
{
	struct fixture *f = *state;
	struct calls k = { 0 };

	connect_rpc(f, NULL);
	assert_int_equal(call_empty(f, &k, 0, SEALFS_OP_GETATTR, 0), 0);
	RUN_UNTIL(f->loop, k.n == 1);
	assert_int_equal(k.err[0], -EPROTO);
	/* the connection goes on */
	assert_int_equal(call_empty(f, &k, 1, SEALFS_OP_PING, 0), 0);
	RUN_UNTIL(f->loop, k.n == 2);
	assert_int_equal(k.err[1], 0);
	assert_true(srpc_is_up(f->r));
}

static void test_hello(void **state)
{
	struct fixture *f = *state;
	struct srpc_session sess;
	struct srpc_opts o = { .session = &sess, .role = SEALFS_ROLE_ADMIN,
			       .features = SEALFS_FEAT_ALL,
			       .max_payload = 1 << 20 };
	const struct srpc_peer *pp;
	struct srpc_peer peer;
	struct calls k = { 0 };

	srpc_session_init(&sess, 0xc1c1);
	f->srv.hello_features = SEALFS_FEAT_REPLAY | SEALFS_FEAT_XATTR;
	f->srv.hello_max = 2 << 20;
	f->srv.boot_id = 0xb007b007;
	f->srv.server_id = 7;
	connect_rpc(f, &o);
	assert_null(srpc_peer(f->r));
	assert_int_equal(srpc_hello_sync(f->r, &peer), 0);
	/* what the server saw */
	assert_int_equal(le16_to_cpu(f->srv.hello_got.major), SEALFS_PROTO_MAJOR);
	assert_int_equal(le16_to_cpu(f->srv.hello_got.role), SEALFS_ROLE_ADMIN);
	assert_int_equal(le64_to_cpu(f->srv.hello_got.features), SEALFS_FEAT_ALL);
	assert_int_equal(le64_to_cpu(f->srv.hello_got.client_id), 0xc1c1);
	assert_int_equal(le32_to_cpu(f->srv.hello_got.max_payload), 1 << 20);
	/* what was negotiated */
	pp = srpc_peer(f->r);
	assert_non_null(pp);
	assert_int_equal(peer.features, SEALFS_FEAT_REPLAY | SEALFS_FEAT_XATTR);
	assert_int_equal(pp->features, peer.features);
	assert_int_equal(pp->max_payload, 1 << 20);
	assert_int_equal(pp->boot_id, 0xb007b007);
	assert_int_equal(pp->server_id, 7);
	assert_int_equal(pp->role, SEALFS_ROLE_SERVER);
	assert_int_equal(pp->major, SEALFS_PROTO_MAJOR);
	/* the limit applies to sending ... */
	{
		static u8 big[(1 << 20) + 1];
		struct iovec iov = { big, sizeof(big) - 32 };
		struct sealfs_write_req w = { .length = cpu_to_le32(iov.iov_len) };
		struct srpc_call call = { .opcode = SEALFS_OP_WRITE, .payload = &w,
					  .len = sizeof(w), .data = &iov, .ndata = 1 };

		assert_int_equal(srpc_call(f->r, &call, call_done, &args[0], NULL),
				 -EMSGSIZE);
	}
	/* ... and to receiving: a reply over it fails the call and the link */
	assert_int_equal(call_read(f, &k, 0, 1 << 20, 0), 0);
	RUN_UNTIL(f->loop, k.n == 1);
	assert_int_equal(k.err[0], -EPROTO);
	RUN_UNTIL(f->loop, !srpc_is_up(f->r));
}

struct hello_res {
	int calls;
	int err;
};

static void hello_done(struct srpc *r, int err, const struct srpc_peer *peer,
		       void *arg)
{
	struct hello_res *h = arg;

	(void)r;
	h->calls++;
	h->err = err;
	assert_true((peer != NULL) == (err == 0));
}

static void test_hello_failures(void **state)
{
	struct fixture *f = *state;
	struct srpc_opts o = { .features = SEALFS_FEAT_REPLAY, .max_payload = 65536 };
	struct hello_res h;
	int round;

	for (round = 0; round < 4; round++) {
		int closed0 = f->srv.closed;

		f->srv.hello_version_error = round == 0;
		f->srv.hello_superset = round == 1;
		f->srv.hello_bigger = round == 2;
		f->srv.hello_minor = round == 3 ? SEALFS_PROTO_MINOR + 1 : 0;
		connect_rpc(f, &o);
		memset(&h, 0, sizeof(h));
		assert_int_equal(srpc_hello(f->r, hello_done, &h), 0);
		assert_int_equal(h.calls, 0);
		RUN_UNTIL(f->loop, h.calls == 1);
		assert_int_equal(h.err, round == 0 ? -EPROTONOSUPPORT : -EPROTO);
		assert_null(srpc_peer(f->r));
		/* the connection is closed after a failed HELLO */
		RUN_UNTIL(f->loop, !srpc_is_up(f->r) && f->srv.closed == closed0 + 1);
		srpc_free(f->r);
		f->r = NULL;
		assert_int_equal(h.calls, 1);
	}
}

static void test_request_ids_and_session(void **state)
{
	struct fixture *f = *state;
	struct srpc_session sess;
	struct srpc_opts o = { .session = &sess };
	struct calls k = { 0 };
	struct srpc_call call = { .opcode = SEALFS_OP_PING };
	int i;

	srpc_session_init(&sess, 99);
	connect_rpc(f, &o);
	for (i = 0; i < 3; i++)
		assert_int_equal(call_empty(f, &k, i, SEALFS_OP_PING, 0), 0);
	RUN_UNTIL(f->loop, k.n == 3);
	srpc_free(f->r);
	f->r = NULL;
	/* a new connection of the same client id continues the ids */
	connect_rpc(f, &o);
	assert_int_equal(call_empty(f, &k, 3, SEALFS_OP_PING, 0), 0);
	/* a resend keeps its id and says so; a duplicate pending id is refused */
	call.flags = SEALFS_HF_RETRY;
	call.req_id = 2;
	args[4] = (struct call_arg){ &k, 4, 0 };
	assert_int_equal(srpc_call(f->r, &call, call_done, &args[4], &k.id[4]), 0);
	assert_int_equal(k.id[4], 2);
	assert_int_equal(srpc_call(f->r, &call, call_done, &args[5], NULL), -EEXIST);
	RUN_UNTIL(f->loop, k.n == 5);
	for (i = 0; i < 4; i++)
		assert_int_equal(k.id[i], i + 1);
	assert_int_equal(f->srv.nids, 5);
	assert_int_equal(f->srv.ids[3], 4);
	assert_int_equal(f->srv.ids[4], 2);
	assert_int_equal(f->srv.flags[4], SEALFS_HF_RETRY);
	assert_int_equal(k.got_id[4], 2);
	assert_int_equal(k.count[5], 0);
}

static void sync_in_callback(struct srpc *r, int err,
			     const struct sealfs_hdr_info *h,
			     const struct sealfs_msg *m, struct sconn_buf *payload,
			     void *arg)
{
	struct srpc_call call = { .opcode = SEALFS_OP_PING };
	struct srpc_result res;

	(void)err;
	(void)h;
	(void)m;
	(void)payload;
	*(int *)arg = srpc_call_sync(r, &call, &res);
}

static void test_call_sync(void **state)
{
	struct fixture *f = *state;
	struct sealfs_name_req nr = { .parent = cpu_to_le64(1),
				      .name_len = cpu_to_le16(1) };
	u8 lookup[sizeof(nr) + 1];
	struct sealfs_read_req rd = { .ino = cpu_to_le64(3),
				      .length = cpu_to_le32(10) };
	struct srpc_call call = { .opcode = SEALFS_OP_PING };
	struct srpc_result res;
	int nested = 1;

	connect_rpc(f, NULL);
	assert_int_equal(srpc_hello_sync(f->r, NULL), 0);
	assert_int_equal(srpc_call_sync(f->r, &call, &res), 0);
	assert_true(res.replied);
	assert_int_equal(res.h.opcode, SEALFS_OP_PING);
	srpc_result_free(&res);

	/* a reply with data */
	call = (struct srpc_call){ .opcode = SEALFS_OP_READ, .payload = &rd,
				   .len = sizeof(rd) };
	assert_int_equal(srpc_call_sync(f->r, &call, &res), 0);
	assert_int_equal(res.m.tail_len[0], 10);
	assert_int_equal(res.m.tail[0][9], (u8)(3 * 7 + 9));
	srpc_result_free(&res);
	srpc_result_free(&res);

	/* an error status */
	memcpy(lookup, &nr, sizeof(nr));
	lookup[sizeof(nr)] = 'x';
	call = (struct srpc_call){ .opcode = SEALFS_OP_LOOKUP, .payload = lookup,
				   .len = sizeof(lookup) };
	assert_int_equal(srpc_call_sync(f->r, &call, &res), -ENOENT);
	assert_true(res.replied);
	assert_int_equal(res.h.status, SEALFS_S_NOENT);
	srpc_result_free(&res);

	/* a timeout */
	call = (struct srpc_call){ .opcode = SEALFS_OP_MAP_GET,
				   .payload = &(struct sealfs_map_get_req){ 0 },
				   .len = sizeof(struct sealfs_map_get_req),
				   .timeout_ms = 30 };
	assert_int_equal(srpc_call_sync(f->r, &call, &res), -ETIMEDOUT);
	assert_false(res.replied);

	/* not from a callback of the loop */
	call = (struct srpc_call){ .opcode = SEALFS_OP_PING };
	assert_int_equal(srpc_call(f->r, &call, sync_in_callback, &nested, NULL), 0);
	RUN_UNTIL(f->loop, nested != 1);
	assert_int_equal(nested, -EDEADLK);
}

static void free_in_callback(struct srpc *r, int err,
			     const struct sealfs_hdr_info *h,
			     const struct sealfs_msg *m, struct sconn_buf *payload,
			     void *arg)
{
	call_done(r, err, h, m, payload, arg);
	srpc_free(r);
}

/* srpc_free() with calls pending, also from inside a callback. */
static void test_free_with_pending(void **state)
{
	struct fixture *f = *state;
	static u8 data[2 << 20];
	struct iovec iov = { data, sizeof(data) };
	struct sealfs_write_req w = { .length = cpu_to_le32(sizeof(data)) };
	struct srpc_call wc = { .opcode = SEALFS_OP_WRITE, .payload = &w,
				.len = sizeof(w), .data = &iov, .ndata = 1 };
	struct calls k = { 0 };
	int i;

	connect_rpc(f, NULL);
	for (i = 0; i < 10; i++)
		assert_int_equal(call_empty(f, &k, i, SEALFS_OP_MAP_GET, 0), 0);
	args[10] = (struct call_arg){ &k, 10, 0 };
	assert_int_equal(srpc_call(f->r, &wc, call_done, &args[10], NULL), 0);
	args[11] = (struct call_arg){ &k, 11, 0 };
	assert_int_equal(srpc_call(f->r, &wc, call_done, &args[11], NULL), 0);
	RUN_UNTIL(f->loop, f->srv.nheld >= 1);
	srpc_free(f->r);
	f->r = NULL;
	/* all told before srpc_free() returned, each once */
	assert_int_equal(k.n, 12);
	for (i = 0; i < 12; i++) {
		assert_int_equal(k.count[i], 1);
		assert_true(k.err[i] == -ECANCELED || (i >= 10 && k.err[i] == 0));
	}
	RUN_UNTIL(f->loop, f->srv.closed == 1);

	/* freed from inside a completion */
	memset(&k, 0, sizeof(k));
	connect_rpc(f, NULL);
	for (i = 0; i < 5; i++)
		assert_int_equal(call_empty(f, &k, i, SEALFS_OP_MAP_GET, 0), 0);
	args[5] = (struct call_arg){ &k, 5, 0 };
	{
		struct srpc_call ping = { .opcode = SEALFS_OP_PING };

		assert_int_equal(srpc_call(f->r, &ping, free_in_callback, &args[5],
					   NULL), 0);
	}
	RUN_UNTIL(f->loop, k.n == 6);
	f->r = NULL;
	assert_int_equal(k.err[5], 0);
	for (i = 0; i < 5; i++) {
		assert_int_equal(k.count[i], 1);
		assert_int_equal(k.err[i], -ECANCELED);
	}
	RUN_UNTIL(f->loop, f->srv.closed == 2);
}

static void test_connect_failure(void **state)
{
	struct fixture *f = *state;
	char err[SCONN_ERR_MAX];
	int r;

	slisten_close(f->srv.l);
	f->srv.l = NULL;
	r = srpc_connect(f->loop, f->addr, 0, NULL, &f->r, err, sizeof(err));
	if (r) {
		assert_int_equal(r, -ECONNREFUSED);
		f->r = NULL;
		return;
	}
	/* the connect's own error, not ECONNRESET */
	assert_int_equal(srpc_hello_sync(f->r, NULL), -ECONNREFUSED);
	assert_false(srpc_is_up(f->r));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_concurrent_out_of_order, setup, teardown),
		cmocka_unit_test_setup_teardown(test_timeout, setup, teardown),
		cmocka_unit_test_setup_teardown(test_timeout_with_data_in_flight,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_connection_drop_fails_pending_once,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_write_data_and_drop, setup, teardown),
		cmocka_unit_test_setup_teardown(test_wrong_opcode, setup, teardown),
		cmocka_unit_test_setup_teardown(test_hello, setup, teardown),
		cmocka_unit_test_setup_teardown(test_hello_failures, setup, teardown),
		cmocka_unit_test_setup_teardown(test_request_ids_and_session, setup, teardown),
		cmocka_unit_test_setup_teardown(test_call_sync, setup, teardown),
		cmocka_unit_test_setup_teardown(test_free_with_pending, setup, teardown),
		cmocka_unit_test_setup_teardown(test_connect_failure, setup, teardown),
	};

	return cmocka_run_group_tests_name("srpc", tests, NULL, NULL);
}
