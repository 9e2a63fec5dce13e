// SPDX-License-Identifier: Apache-2.0
/*
 * Connection tests, over real TCP sockets on 127.0.0.1 (and ::1): framing
 * with any split of the bytes (a peer writing one byte at a time to a
 * connection that reads one byte at a time), many messages in one write, a
 * 4 MiB payload both ways, backpressure against a peer that does not read,
 * every kind of malformed header or payload closing only its connection
 * (with one log line and the BADMSG/VERSION answer delivered first), a peer
 * vanishing in the middle of a message, a worker thread holding a request
 * across the close of its connection, listen errors.
 *
 * Every test ends with all connections freed (sconn_live_count()), no live
 * loop handle (sloop_free() succeeds) and ASan's leak check.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cmocka.h>

#include "sconn.h"
#include "slog.h"
#include "sloop.h"
#include "unit/loop_harness.h"

/* ---- harness ------------------------------------------------------------ */

#define MAX_CONNS	32
#define MAX_RECS	4096

/* What a test server saw of one message. */
struct rec {
	struct sealfs_hdr_info h;
	u32 sum;		/* byte sum of the payload */
	u32 len;
	char name[32];		/* LOOKUP name */
};

struct srv;

/*
 * A test server: a listener and its connections. @mode says what it does
 * with requests.
 */
enum srv_mode {
	SRV_ECHO,	/* answer every request with an empty OK reply */
	SRV_RECORD,	/* record, do not answer */
	SRV_READ,	/* answer READ with @reply_len bytes of @reply_data */
	SRV_WORKER,	/* hand the request to the worker thread */
	SRV_ECHO_DATA,	/* answer WRITE with a READ reply carrying its data */
};

struct srv {
	struct sloop *loop;
	struct slisten *l;
	enum srv_mode mode;
	struct sconn_opts opts;
	struct sconn *conns[MAX_CONNS];
	int nconns;
	int accepted;
	int closed;
	int last_close_err;
	/* received */
	struct rec *recs;
	int nrecs;
	/* errors */
	int nerrors;
	int last_err;
	bool last_had_hdr;
	struct sealfs_hdr_info last_err_hdr;
	/* SRV_READ */
	const u8 *reply_data;
	u32 reply_len;
	/* SRV_WORKER */
	void (*worker_fn)(struct srv *s, struct sconn *c,
			  const struct sealfs_hdr_info *h, void *payload);
	/* SRV_ECHO_DATA */
	int freed_payloads;
};

struct fixture {
	struct sloop *loop;
	struct srv srv;
	long live0;
	char addr[64];
};

static u32 byte_sum(const void *p, size_t n)
{
	const u8 *b = p;
	u32 s = 0;

	while (n--)
		s = s * 31 + *b++;
	return s;
}

static void srv_forget(struct srv *s, struct sconn *c)
{
	int i;

	for (i = 0; i < s->nconns; i++)
		if (s->conns[i] == c) {
			s->conns[i] = s->conns[--s->nconns];
			return;
		}
}

static void srv_closed(struct sconn *c, int err, void *arg)
{
	struct srv *s = arg;

	s->closed++;
	s->last_close_err = err;
	srv_forget(s, c);
}

static void srv_error(struct sconn *c, int err, const struct sealfs_hdr_info *h,
		      void *arg)
{
	struct srv *s = arg;

	s->nerrors++;
	s->last_err = err;
	s->last_had_hdr = h != NULL;
	if (h)
		s->last_err_hdr = *h;
	/* the answers protocol.rst asks for */
	if (h && !(h->flags & SEALFS_HF_REPLY))
		assert_int_equal(sconn_send_status(c, h,
			err == -EPROTONOSUPPORT ? SEALFS_S_VERSION :
			err == -EOPNOTSUPP ? SEALFS_S_NOTSUPP : SEALFS_S_BADMSG,
			0), 0);
}

static void free_sent(struct sconn *c, int err, void *arg)
{
	struct srv *s = sconn_loop(c) ? NULL : NULL;

	(void)s;
	(void)err;
	free(arg);
}

static void srv_msg(struct sconn *c, const struct sealfs_hdr_info *h,
		   const struct sealfs_msg *m, struct sconn_buf *payload,
		   void *arg)
{
	struct srv *s = arg;
	struct rec *r;

	assert_true(s->nrecs < MAX_RECS);
	r = &s->recs[s->nrecs++];
	r->h = *h;
	r->len = payload->len;
	r->sum = byte_sum(payload->data, payload->len);
	r->name[0] = '\0';
	if (h->opcode == SEALFS_OP_LOOKUP && m->ntails == 1)
		snprintf(r->name, sizeof(r->name), "%.*s", (int)m->tail_len[0],
			 (const char *)m->tail[0]);
	if (h->flags & SEALFS_HF_REPLY)
		return;
	switch (s->mode) {
	case SRV_ECHO:
		assert_int_equal(sconn_send_status(c, h, SEALFS_S_OK, 0), 0);
		break;
	case SRV_RECORD:
		break;
	case SRV_READ: {
		u8 buf[SEALFS_HDR_SIZE + sizeof(struct sealfs_read_rep)];
		struct sealfs_read_rep rep = { .length = cpu_to_le32(s->reply_len) };
		struct sealfs_hdr_info rh = { .opcode = SEALFS_OP_READ,
					      .flags = SEALFS_HF_REPLY,
					      .req_id = h->req_id };
		struct sealfs_buf b;
		struct iovec ref = { (void *)s->reply_data, s->reply_len };

		sealfs_buf_init(&b, buf, sizeof(buf));
		sealfs_msg_start(&b);
		sealfs_buf_put(&b, &rep, sizeof(rep));
		assert_int_equal(sealfs_msg_end(&b, &rh, s->reply_len), 0);
		assert_int_equal(sconn_send_buf(c, &b, &ref, 1, NULL, NULL, NULL), 0);
		break;
	}
	case SRV_WORKER:
		s->worker_fn(s, c, h, sconn_buf_steal(payload));
		break;
	case SRV_ECHO_DATA: {
		/* keep the payload, send its data back by reference */
		u8 buf[SEALFS_HDR_SIZE + sizeof(struct sealfs_read_rep)];
		struct sealfs_read_rep rep = { .length = cpu_to_le32(m->tail_len[0]) };
		struct sealfs_hdr_info rh = { .opcode = SEALFS_OP_READ,
					      .flags = SEALFS_HF_REPLY,
					      .req_id = h->req_id };
		struct iovec ref = { (void *)m->tail[0], m->tail_len[0] };
		struct sealfs_buf b;
		void *keep;

		assert_int_equal(h->opcode, SEALFS_OP_WRITE);
		sealfs_buf_init(&b, buf, sizeof(buf));
		sealfs_msg_start(&b);
		sealfs_buf_put(&b, &rep, sizeof(rep));
		assert_int_equal(sealfs_msg_end(&b, &rh, m->tail_len[0]), 0);
		keep = sconn_buf_steal(payload);
		assert_int_equal(sconn_send_buf(c, &b, &ref, 1, free_sent, keep,
						NULL), 0);
		s->freed_payloads++;
		break;
	}
	}
}

static const struct sconn_cbs srv_cbs = {
	.msg = srv_msg,
	.error = srv_error,
	.closed = srv_closed,
};

static void srv_accept(struct slisten *l, struct sconn *c, void *arg)
{
	struct srv *s = arg;

	(void)l;
	assert_true(s->nconns < MAX_CONNS);
	s->conns[s->nconns++] = c;
	s->accepted++;
	sconn_set_owner(c, &srv_cbs, s);
}

static void srv_start(struct fixture *f, const char *addr)
{
	char err[SCONN_ERR_MAX];
	int r;

	r = slisten_tcp(f->loop, addr, &f->srv.opts, srv_accept, &f->srv,
			&f->srv.l, err, sizeof(err));
	if (r)
		fail_msg("listen: %s", err);
	snprintf(f->addr, sizeof(f->addr), "%s", slisten_name(f->srv.l));
}

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));

	if (!f || sloop_new(&f->loop))
		return -1;
	f->live0 = sconn_live_count();
	f->srv.loop = f->loop;
	f->srv.recs = calloc(MAX_RECS, sizeof(*f->srv.recs));
	sconn_opts_init(&f->srv.opts);
	*state = f;
	return 0;
}

/* Closes what is left, runs the loop until everything is freed. */
static int teardown(void **state)
{
	struct fixture *f = *state;
	struct sloop_counts c;
	int i, rc = 0;

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
	sloop_counts(f->loop, &c);
	if (sloop_free(f->loop))
		rc = -1;
	free(f->srv.recs);
	free(f);
	return rc;
}

/* ---- building messages ---------------------------------------------------- */

static size_t build_lookup(u8 *buf, size_t cap, u64 id, const char *name)
{
	struct sealfs_name_req body = {
		.parent = cpu_to_le64(1),
		.vol = cpu_to_le32(2),
		.name_len = cpu_to_le16(strlen(name)),
	};
	struct sealfs_hdr_info h = { .opcode = SEALFS_OP_LOOKUP, .req_id = id,
				     .epoch = 3 };
	struct sealfs_buf b;

	sealfs_buf_init(&b, buf, cap);
	sealfs_msg_start(&b);
	sealfs_buf_put(&b, &body, sizeof(body));
	sealfs_buf_put(&b, name, strlen(name));
	assert_int_equal(sealfs_msg_end(&b, &h, 0), 0);
	return b.len;
}

/* WRITE request header and body; @len data bytes follow. */
static size_t build_write(u8 *buf, size_t cap, u64 id, u32 len)
{
	struct sealfs_write_req body = {
		.ino = cpu_to_le64(5),
		.offset = cpu_to_le64(0),
		.vol = cpu_to_le32(2),
		.length = cpu_to_le32(len),
	};
	struct sealfs_hdr_info h = { .opcode = SEALFS_OP_WRITE, .req_id = id };
	struct sealfs_buf b;

	sealfs_buf_init(&b, buf, cap);
	sealfs_msg_start(&b);
	sealfs_buf_put(&b, &body, sizeof(body));
	assert_int_equal(sealfs_msg_end(&b, &h, len), 0);
	return b.len;
}

static size_t build_ping(u8 *buf, u64 id)
{
	struct sealfs_hdr_info h = { .opcode = SEALFS_OP_PING, .req_id = id };

	sealfs_hdr_encode(buf, &h);
	return SEALFS_HDR_SIZE;
}

static void fill_pattern(u8 *p, size_t n, u32 seed)
{
	size_t i;

	for (i = 0; i < n; i++)
		p[i] = (u8)((i * 2654435761u + seed) >> 13);
}

/* ---- raw client: a plain socket, watched by the loop to collect input ---- */

struct raw {
	int fd;
	struct sloop_watch w;
	u8 *in;
	size_t nin;
	size_t cap;
	bool eof;
};

static void raw_io(struct sloop *loop, int fd, unsigned int events, void *arg)
{
	struct raw *r = arg;
	ssize_t n;

	(void)loop;
	(void)events;
	for (;;) {
		if (r->nin == r->cap) {
			r->cap = r->cap ? 2 * r->cap : 4096;
			r->in = realloc(r->in, r->cap);
			assert_non_null(r->in);
		}
		n = read(fd, r->in + r->nin, r->cap - r->nin);
		if (n > 0) {
			r->nin += n;
			continue;
		}
		if (n < 0 && (errno == EAGAIN || errno == EINTR))
			return;
		/* EOF (or reset): done */
		r->eof = true;
		sloop_watch_del(&r->w);
		return;
	}
}

static void raw_connect(struct raw *r, struct fixture *f, bool watch)
{
	struct sockaddr_in6 s6 = { .sin6_family = AF_INET6 };
	struct sockaddr_in s4 = { .sin_family = AF_INET };
	bool v6 = f->addr[0] == '[';

	memset(r, 0, sizeof(*r));
	r->fd = socket(v6 ? AF_INET6 : AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	assert_true(r->fd >= 0);
	if (v6) {
		s6.sin6_addr = in6addr_loopback;
		s6.sin6_port = htons(slisten_port(f->srv.l));
		assert_int_equal(connect(r->fd, (struct sockaddr *)&s6, sizeof(s6)), 0);
	} else {
		s4.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
		s4.sin_port = htons(slisten_port(f->srv.l));
		assert_int_equal(connect(r->fd, (struct sockaddr *)&s4, sizeof(s4)), 0);
	}
	if (watch) {
		assert_int_equal(fcntl(r->fd, F_SETFL, O_NONBLOCK), 0);
		assert_int_equal(sloop_watch_add(f->loop, &r->w, r->fd, SLOOP_IN,
						 raw_io, r), 0);
	}
}

static void raw_close(struct raw *r)
{
	sloop_watch_del(&r->w);
	if (r->fd >= 0)
		close(r->fd);
	r->fd = -1;
	free(r->in);
	r->in = NULL;
}

static void write_all(int fd, const void *p, size_t n)
{
	const u8 *b = p;

	while (n) {
		ssize_t w = write(fd, b, n);

		if (w < 0 && errno == EINTR)
			continue;
		assert_true(w > 0);
		b += w;
		n -= w;
	}
}

/* ---- framing ------------------------------------------------------------- */

/*
 * The peer writes one byte per write() and the connection reads one byte
 * per read() (io_max = 1), with a receive buffer so small that the WRITE
 * payloads take the direct-read path: every split of header and payload.
 */
static void test_frame_one_byte(void **state)
{
	struct fixture *f = *state;
	static u8 out[64 << 10];
	u8 data[600];
	size_t n = 0, i;
	struct raw r;
	int k;

	f->srv.mode = SRV_RECORD;
	f->srv.opts.io_max = 1;
	f->srv.opts.rx_buf = 128;
	srv_start(f, "127.0.0.1:0");
	for (k = 0; k < 12; k++) {
		char name[24];

		snprintf(name, sizeof(name), "file-%d", k);
		n += build_lookup(out + n, sizeof(out) - n, 100 + k, name);
		if (k % 3 == 0) {
			fill_pattern(data, sizeof(data) - k, k);
			n += build_write(out + n, sizeof(out) - n, 200 + k,
					 sizeof(data) - k);
			memcpy(out + n, data, sizeof(data) - k);
			n += sizeof(data) - k;
		}
		n += build_ping(out + n, 300 + k);
	}
	raw_connect(&r, f, false);
	for (i = 0; i < n; i++)
		write_all(r.fd, out + i, 1);
	RUN_UNTIL(f->loop, f->srv.nrecs == 12 * 2 + 4);
	for (i = 0, k = 0; k < 12; k++) {
		char name[24];

		snprintf(name, sizeof(name), "file-%d", k);
		assert_int_equal(f->srv.recs[i].h.opcode, SEALFS_OP_LOOKUP);
		assert_int_equal(f->srv.recs[i].h.req_id, 100 + k);
		assert_int_equal(f->srv.recs[i].h.epoch, 3);
		assert_string_equal(f->srv.recs[i].name, name);
		i++;
		if (k % 3 == 0) {
			u8 body[32 + sizeof(data)];

			assert_int_equal(f->srv.recs[i].h.opcode, SEALFS_OP_WRITE);
			assert_int_equal(f->srv.recs[i].h.req_id, 200 + k);
			assert_int_equal(f->srv.recs[i].len, 32 + sizeof(data) - k);
			/* the payload as sent: body, then data */
			memcpy(body, out, 0);
			build_write(body, sizeof(body), 200 + k, sizeof(data) - k);
			memcpy(body, body + SEALFS_HDR_SIZE, 32);
			fill_pattern(body + 32, sizeof(data) - k, k);
			assert_int_equal(f->srv.recs[i].sum,
					 byte_sum(body, 32 + sizeof(data) - k));
			i++;
		}
		assert_int_equal(f->srv.recs[i].h.opcode, SEALFS_OP_PING);
		assert_int_equal(f->srv.recs[i].h.req_id, 300 + k);
		assert_int_equal(f->srv.recs[i].len, 0);
		i++;
	}
	assert_int_equal(f->srv.nerrors, 0);
	raw_close(&r);
	RUN_UNTIL(f->loop, f->srv.closed == 1);
	assert_int_equal(f->srv.last_close_err, 0);
}

struct blob {
	int fd;
	const u8 *p;
	size_t n;
};

static void *blob_writer(void *arg)
{
	struct blob *b = arg;
	ssize_t w = write(b->fd, b->p, b->n);	/* one write for everything */

	while (w > 0 && (size_t)w < b->n) {
		b->p += w;
		b->n -= w;
		w = write(b->fd, b->p, b->n);
	}
	return NULL;
}

static void test_frame_many_in_one_write(void **state)
{
	struct fixture *f = *state;
	const int count = 3000;
	size_t cap = (size_t)count * 80, n = 0;
	u8 *out = malloc(cap);
	struct blob b;
	pthread_t th;
	struct raw r;
	int k;

	assert_non_null(out);
	f->srv.mode = SRV_RECORD;
	srv_start(f, "127.0.0.1:0");
	for (k = 0; k < count; k++) {
		char name[24];

		snprintf(name, sizeof(name), "n%d", k);
		if (k % 2)
			n += build_ping(out + n, k + 1);
		else
			n += build_lookup(out + n, cap - n, k + 1, name);
	}
	raw_connect(&r, f, false);
	b = (struct blob){ r.fd, out, n };
	assert_int_equal(pthread_create(&th, NULL, blob_writer, &b), 0);
	RUN_UNTIL(f->loop, f->srv.nrecs == count);
	assert_int_equal(pthread_join(th, NULL), 0);
	for (k = 0; k < count; k++) {
		assert_int_equal(f->srv.recs[k].h.req_id, k + 1);
		assert_int_equal(f->srv.recs[k].h.opcode,
				 k % 2 ? SEALFS_OP_PING : SEALFS_OP_LOOKUP);
	}
	assert_int_equal(f->srv.nerrors, 0);
	raw_close(&r);
	free(out);
	RUN_UNTIL(f->loop, f->srv.closed == 1);
}

/* ---- an sconn client --------------------------------------------------------- */

struct cli {
	struct sconn *c;
	int connected;
	int connect_err;
	int closed;
	int close_err;
	int sent;
	int sent_err;
	int cancelled;
	/* replies */
	int nmsgs;
	u64 last_id;
	u64 next_expected;
	int out_of_order;
	u32 last_len;
	u32 last_sum;
	int bad_data;
	const u8 *expect_data;
	u32 expect_len;
};

static void cli_connected(struct sconn *c, int err, void *arg)
{
	struct cli *k = arg;

	(void)c;
	k->connected++;
	k->connect_err = err;
}

static void cli_closed(struct sconn *c, int err, void *arg)
{
	struct cli *k = arg;

	(void)c;
	k->closed++;
	k->close_err = err;
}

static void cli_msg(struct sconn *c, const struct sealfs_hdr_info *h,
		    const struct sealfs_msg *m, struct sconn_buf *payload,
		    void *arg)
{
	struct cli *k = arg;

	(void)c;
	k->nmsgs++;
	k->last_id = h->req_id;
	if (k->next_expected) {
		if (h->req_id != k->next_expected)
			k->out_of_order++;
		k->next_expected++;
	}
	k->last_len = payload->len;
	k->last_sum = byte_sum(payload->data, payload->len);
	if (k->expect_data && h->opcode == SEALFS_OP_READ &&
	    (m->tail_len[0] != k->expect_len ||
	     memcmp(m->tail[0], k->expect_data, k->expect_len)))
		k->bad_data++;
}

static void cli_sent(struct sconn *c, int err, void *arg)
{
	struct cli *k = arg;

	(void)c;
	k->sent++;
	if (err)
		k->sent_err = err;
}

static const struct sconn_cbs cli_cbs = {
	.connected = cli_connected,
	.msg = cli_msg,
	.closed = cli_closed,
};

static void cli_connect(struct fixture *f, struct cli *k,
			const struct sconn_opts *opts)
{
	char err[SCONN_ERR_MAX];
	int r;

	memset(k, 0, sizeof(*k));
	r = sconn_tcp_connect(f->loop, f->addr, 0, opts, &cli_cbs, k, &k->c,
			      err, sizeof(err));
	if (r)
		fail_msg("connect: %s", err);
}

static void cli_ping(struct fixture *f, struct cli *k, u64 id)
{
	u8 buf[SEALFS_HDR_SIZE];
	struct iovec v = { buf, build_ping(buf, id) };
	int before = k->nmsgs;

	assert_int_equal(sconn_sendv(k->c, &v, 1, NULL, 0, NULL, NULL, NULL), 0);
	RUN_UNTIL(f->loop, k->nmsgs == before + 1);
	assert_int_equal(k->last_id, id);
}

/* A 4 MiB WRITE (sent with short writes), echoed back as a 4 MiB READ reply. */
static void test_large_payload(void **state)
{
	struct fixture *f = *state;
	size_t len = SEALFS_MAX_IO;
	u8 *data = malloc(len), hdr[SEALFS_HDR_SIZE + 32];
	struct sconn_opts o;
	struct iovec ref[3];
	struct sealfs_buf b;
	struct cli k;

	assert_non_null(data);
	fill_pattern(data, len, 99);
	f->srv.mode = SRV_ECHO_DATA;
	srv_start(f, "127.0.0.1:0");
	sconn_opts_init(&o);
	o.io_max = 100003;	/* partial writes and reads everywhere */
	cli_connect(f, &k, &o);
	k.expect_data = data;
	k.expect_len = len;
	/* the data in three referenced parts */
	ref[0] = (struct iovec){ data, 1 };
	ref[1] = (struct iovec){ data + 1, len / 2 };
	ref[2] = (struct iovec){ data + 1 + len / 2, len - 1 - len / 2 };
	sealfs_buf_init(&b, hdr, sizeof(hdr));
	{
		struct sealfs_write_req body = { .ino = cpu_to_le64(1),
						 .vol = cpu_to_le32(1),
						 .length = cpu_to_le32(len) };
		struct sealfs_hdr_info h = { .opcode = SEALFS_OP_WRITE, .req_id = 42 };

		sealfs_msg_start(&b);
		sealfs_buf_put(&b, &body, sizeof(body));
		assert_int_equal(sealfs_msg_end(&b, &h, len), 0);
	}
	/* queued while the connect is in progress */
	assert_int_equal(sconn_send_buf(k.c, &b, ref, 3, cli_sent, &k, NULL), 0);
	assert_int_equal(sconn_wq_bytes(k.c), SEALFS_HDR_SIZE + 32 + len);
	RUN_UNTIL(f->loop, k.nmsgs == 1);
	assert_int_equal(k.connected, 1);
	assert_int_equal(k.connect_err, 0);
	assert_int_equal(k.sent, 1);
	assert_int_equal(k.sent_err, 0);
	assert_int_equal(k.last_id, 42);
	assert_int_equal(k.last_len, 8 + len);
	assert_int_equal(k.bad_data, 0);
	assert_int_equal(f->srv.nrecs, 1);
	assert_int_equal(f->srv.recs[0].len, 32 + len);
	assert_int_equal(sconn_wq_bytes(k.c), 0);
	sconn_close(k.c, 0);
	RUN_UNTIL(f->loop, k.closed == 1 && f->srv.closed == 1);
	assert_int_equal(k.close_err, 0);
	free(data);
}

/*
 * The client sends many READs and does not read the replies: the server's
 * queue grows past its cap, the server stops reading, and stays stopped
 * until the client reads again. Then everything arrives, in order.
 */
static void test_backpressure(void **state)
{
	struct fixture *f = *state;
	const int count = 1500;
	const u32 reply = 64 << 10;
	const size_t cap = 256 << 10;
	u8 *data = malloc(reply);
	struct sconn_stats st;
	struct sconn *sc;
	struct cli k;
	u64 got;
	int i;

	assert_non_null(data);
	fill_pattern(data, reply, 5);
	f->srv.mode = SRV_READ;
	f->srv.reply_data = data;
	f->srv.reply_len = reply;
	f->srv.opts.wq_cap = cap;
	srv_start(f, "127.0.0.1:0");
	cli_connect(f, &k, NULL);
	k.expect_data = data;
	k.expect_len = reply;
	k.next_expected = 1;
	sconn_read_stop(k.c);
	for (i = 1; i <= count; i++) {
		struct sealfs_read_req body = { .ino = cpu_to_le64(i),
						.length = cpu_to_le32(reply) };
		struct sealfs_hdr_info h = { .opcode = SEALFS_OP_READ, .req_id = i };
		u8 buf[SEALFS_HDR_SIZE + sizeof(body)];
		struct sealfs_buf b;

		sealfs_buf_init(&b, buf, sizeof(buf));
		sealfs_msg_start(&b);
		sealfs_buf_put(&b, &body, sizeof(body));
		assert_int_equal(sealfs_msg_end(&b, &h, 0), 0);
		assert_int_equal(sconn_send_buf(k.c, &b, NULL, 0, NULL, NULL, NULL), 0);
	}
	RUN_UNTIL(f->loop, f->srv.nconns == 1);
	sc = f->srv.conns[0];
	sconn_stats(sc, &st);
	RUN_UNTIL(f->loop, (sconn_stats(sc, &st), st.rx_paused));
	got = st.rx_msgs;
	assert_true(got < (u64)count);
	assert_true(st.wq_bytes > cap);
	/* it stays paused: nothing more is read while nobody drains */
	for (i = 0; i < 20; i++)
		assert_true(sloop_run_once(f->loop, 0) >= 0);
	sconn_stats(sc, &st);
	assert_true(st.rx_paused);
	assert_int_equal(st.rx_msgs, got);
	assert_int_equal(k.nmsgs, 0);

	sconn_read_start(k.c);
	RUN_UNTIL(f->loop, k.nmsgs == count);
	assert_int_equal(k.out_of_order, 0);
	assert_int_equal(k.bad_data, 0);
	sconn_stats(sc, &st);
	assert_int_equal(st.rx_msgs, count);
	assert_int_equal(st.tx_msgs, count);
	assert_true(st.rx_pauses >= 1);
	assert_false(st.rx_paused);
	/* never more than one reply beyond the cap */
	assert_true(st.wq_peak <= cap + SEALFS_HDR_SIZE + 8 + reply);
	sconn_close(k.c, 0);
	RUN_UNTIL(f->loop, k.closed == 1 && f->srv.closed == 1);
	free(data);
}

/* ---- malformed input ------------------------------------------------------ */

enum bad_kind {
	BAD_MAGIC,
	BAD_VERSION,
	BAD_FLAGS,
	BAD_RESERVED,
	BAD_REQ_STATUS,
	BAD_OVERSIZE,
	BAD_NAME,
	BAD_SHORT_BODY,
	BAD_EXTRA_BYTES,
	BAD_BODY_RESERVED,
	BAD_ERROR_REPLY_PAYLOAD,
	BAD_KINDS
};

static const char *const bad_names[BAD_KINDS] = {
	"bad magic", "version 2", "unknown flag", "reserved header field",
	"request with a status", "payload over the limit", "bad name",
	"short body", "bytes after the body", "reserved body field",
	"error reply with a payload",
};

/* Builds bad message @kind with request id 77; returns its size. */
static size_t build_bad(u8 *buf, size_t cap, enum bad_kind kind, u32 limit)
{
	size_t n = build_lookup(buf, cap, 77, "okname");
	u32 v;

	switch (kind) {
	case BAD_MAGIC:
		buf[0] ^= 0xff;
		/* and garbage after it, which the closing side must discard */
		memset(buf + n, 0xa5, 1000);
		return n + 1000;
	case BAD_VERSION:
		buf[4] = 2;
		return n;
	case BAD_FLAGS:
		buf[8] |= 0x4;
		return n;
	case BAD_RESERVED:
		buf[37] = 1;
		return n;
	case BAD_REQ_STATUS:
		buf[32] = 2;
		return n;
	case BAD_OVERSIZE:
		v = limit + 1;
		memcpy(buf + 12, &v, 4);	/* little-endian host */
		return SEALFS_HDR_SIZE;		/* no payload follows */
	case BAD_NAME:
		return build_lookup(buf, cap, 77, "a/b");
	case BAD_SHORT_BODY:
		buf[12] = 8;			/* len 8: half the body */
		return SEALFS_HDR_SIZE + 8;
	case BAD_EXTRA_BYTES:
		n = build_ping(buf, 77);
		buf[12] = 3;
		memcpy(buf + n, "xyz", 3);
		return n + 3;
	case BAD_BODY_RESERVED:
		buf[SEALFS_HDR_SIZE + 15] = 9;	/* name_req.reserved */
		return n;
	case BAD_ERROR_REPLY_PAYLOAD: {
		struct sealfs_hdr_info h = { .opcode = SEALFS_OP_LOOKUP,
					     .flags = SEALFS_HF_REPLY,
					     .status = SEALFS_S_NOENT,
					     .req_id = 77, .len = 4 };

		sealfs_hdr_encode(buf, &h);
		memset(buf + SEALFS_HDR_SIZE, 0, 4);
		return SEALFS_HDR_SIZE + 4;
	}
	default:
		fail();
	}
	return 0;
}

/* Counts the lines in @fd that contain @s. */
static int count_lines(int fd, const char *s)
{
	char buf[16384], *p;
	ssize_t n = read(fd, buf, sizeof(buf) - 1);
	int lines = 0;

	if (n <= 0)
		return 0;
	buf[n] = '\0';
	for (p = buf; (p = strstr(p, s)); p += strlen(s))
		lines++;
	return lines;
}

static void test_malformed_closes_only_that_connection(void **state)
{
	struct fixture *f = *state;
	const u32 limit = 65536;
	int logp[2], kind;
	struct cli good;

	f->srv.mode = SRV_ECHO;
	f->srv.opts.max_payload = limit;
	/* the end of stream must come from the graceful close, not a timer */
	f->srv.opts.linger_ms = 600000;
	srv_start(f, "127.0.0.1:0");
	/* a good connection on the same loop, used between the cases */
	cli_connect(f, &good, NULL);
	cli_ping(f, &good, 1);
	assert_int_equal(pipe2(logp, O_NONBLOCK | O_CLOEXEC), 0);

	for (kind = 0; kind < BAD_KINDS; kind++) {
		u8 buf[4096];
		size_t n = build_bad(buf, sizeof(buf), kind, limit);
		int closed0 = f->srv.closed, err0 = f->srv.nerrors;
		struct sealfs_hdr_info h;
		u8 in[256];
		size_t nin;
		struct raw r;

		print_message("case: %s\n", bad_names[kind]);
		slog_set_fd(logp[1]);
		raw_connect(&r, f, true);
		write_all(r.fd, buf, n);
		RUN_UNTIL(f->loop, r.eof);
		nin = r.nin;
		assert_true(nin <= sizeof(in));
		memcpy(in, r.in, nin);
		raw_close(&r);
		RUN_UNTIL(f->loop, f->srv.closed == closed0 + 1);
		slog_set_fd(STDERR_FILENO);

		/* one error report, the right one; one log line */
		assert_int_equal(f->srv.nerrors, err0 + 1);
		assert_int_equal(count_lines(logp[0], "closing connection"), 1);
		assert_int_equal(f->srv.last_close_err, f->srv.last_err);
		switch (kind) {
		case BAD_MAGIC:
			assert_int_equal(f->srv.last_err, -EBADMSG);
			assert_false(f->srv.last_had_hdr);
			assert_int_equal(nin, 0);	/* nothing to answer */
			continue;
		case BAD_VERSION:
			assert_int_equal(f->srv.last_err, -EPROTONOSUPPORT);
			break;
		case BAD_OVERSIZE:
			assert_int_equal(f->srv.last_err, -EMSGSIZE);
			assert_int_equal(f->srv.last_err_hdr.len, limit + 1);
			break;
		default:
			assert_int_equal(f->srv.last_err, -EBADMSG);
		}
		assert_true(f->srv.last_had_hdr);
		assert_int_equal(f->srv.last_err_hdr.req_id, 77);
		if (kind == BAD_ERROR_REPLY_PAYLOAD) {
			assert_int_equal(nin, 0);	/* replies get no answer */
			continue;
		}
		/* the answer arrived before the end of the stream */
		assert_int_equal(nin, SEALFS_HDR_SIZE);
		assert_int_equal(sealfs_hdr_decode(in, SEALFS_MAX_PAYLOAD, &h), 0);
		assert_int_equal(h.flags, SEALFS_HF_REPLY);
		assert_int_equal(h.req_id, 77);
		assert_int_equal(h.status, kind == BAD_VERSION ? SEALFS_S_VERSION :
				 SEALFS_S_BADMSG);
		/* the other connection is unaffected */
		cli_ping(f, &good, 100 + kind);
	}
	close(logp[0]);
	close(logp[1]);
	assert_int_equal(good.closed, 0);
	sconn_close(good.c, 0);
	RUN_UNTIL(f->loop, good.closed == 1 && f->srv.nconns == 0);
}

/* Unknown opcodes are answered NOTSUPP and the connection goes on. */
static void test_unknown_opcode_keeps_connection(void **state)
{
	struct fixture *f = *state;
	struct sealfs_hdr_info h = { .opcode = 127, .req_id = 5, .len = 5 };
	u8 buf[128];
	struct raw r;
	size_t n;

	f->srv.mode = SRV_ECHO;
	srv_start(f, "127.0.0.1:0");
	sealfs_hdr_encode(buf, &h);
	memcpy(buf + SEALFS_HDR_SIZE, "12345", 5);
	n = SEALFS_HDR_SIZE + 5;
	n += build_ping(buf + n, 6);
	raw_connect(&r, f, true);
	write_all(r.fd, buf, n);
	RUN_UNTIL(f->loop, r.nin == 2 * SEALFS_HDR_SIZE);
	assert_int_equal(f->srv.nerrors, 1);
	assert_int_equal(f->srv.last_err, -EOPNOTSUPP);
	assert_int_equal(sealfs_hdr_decode(r.in, SEALFS_MAX_PAYLOAD, &h), 0);
	assert_int_equal(h.req_id, 5);
	assert_int_equal(h.status, SEALFS_S_NOTSUPP);
	assert_int_equal(sealfs_hdr_decode(r.in + SEALFS_HDR_SIZE,
					   SEALFS_MAX_PAYLOAD, &h), 0);
	assert_int_equal(h.req_id, 6);
	assert_int_equal(h.status, SEALFS_S_OK);
	assert_int_equal(f->srv.closed, 0);
	raw_close(&r);
	RUN_UNTIL(f->loop, f->srv.closed == 1);
}

/* The peer vanishes in the middle of a header, or of a large payload. */
static void test_disconnect_mid_message(void **state)
{
	struct fixture *f = *state;
	u8 *buf = calloc(1, 200 << 10);
	struct raw r;
	size_t n;

	assert_non_null(buf);
	f->srv.mode = SRV_RECORD;
	srv_start(f, "127.0.0.1:0");

	/* half a header */
	n = build_ping(buf, 1);
	raw_connect(&r, f, false);
	write_all(r.fd, buf, n / 2);
	RUN_UNTIL(f->loop, f->srv.accepted == 1);
	raw_close(&r);
	RUN_UNTIL(f->loop, f->srv.closed == 1);
	assert_int_equal(f->srv.last_close_err, -ECONNRESET);

	/* a 1 MiB WRITE of which 100 KiB arrive: read into its own buffer */
	n = build_write(buf, 200 << 10, 2, 1 << 20);
	raw_connect(&r, f, false);
	write_all(r.fd, buf, n + (100 << 10));
	RUN_UNTIL(f->loop, f->srv.accepted == 2 && f->srv.nconns == 1);
	{
		struct sconn_stats st;

		RUN_UNTIL(f->loop, (sconn_stats(f->srv.conns[0], &st),
				    st.rx_bytes == n + (100 << 10)));
	}
	raw_close(&r);
	RUN_UNTIL(f->loop, f->srv.closed == 2);
	assert_int_equal(f->srv.last_close_err, -ECONNRESET);
	assert_int_equal(f->srv.nrecs, 0);
	assert_int_equal(f->srv.nerrors, 0);
	free(buf);
	/* teardown checks that nothing leaked */
}

/* ---- lifetime: a worker thread holds a request across the close ---------- */

struct job {
	struct srv *srv;
	struct sconn *c;
	struct sealfs_hdr_info h;
	void *payload;
	struct sloop_work w;
	int send_result;
};

struct workq {
	pthread_mutex_t mu;
	pthread_cond_t cv;
	struct job *jobs[4];
	int njobs;
	int go;			/* jobs the worker may finish */
	int done;		/* completions run on the loop */
	int results[4];
	bool quit;
};

static struct workq wq;

static void job_complete(struct sloop *loop, void *arg)
{
	struct job *j = arg;

	(void)loop;
	/* on the loop thread: reply if the connection is still there */
	j->send_result = sconn_send_status(j->c, &j->h, SEALFS_S_OK, 0);
	wq.results[wq.done++] = j->send_result;
	sconn_put(j->c);
	free(j->payload);
	free(j);
}

static void *worker(void *arg)
{
	int next = 0;

	(void)arg;
	pthread_mutex_lock(&wq.mu);
	while (!wq.quit) {
		if (next < wq.njobs && next < wq.go) {
			struct job *j = wq.jobs[next++];

			pthread_mutex_unlock(&wq.mu);
			/* "work": look at the payload the loop handed over */
			if (j->payload && byte_sum(j->payload, j->h.len) == 0)
				j->h.epoch = 1;
			sloop_post_work(j->srv->loop, &j->w, job_complete, j);
			pthread_mutex_lock(&wq.mu);
			continue;
		}
		pthread_cond_wait(&wq.cv, &wq.mu);
	}
	pthread_mutex_unlock(&wq.mu);
	return NULL;
}

static void to_worker(struct srv *s, struct sconn *c,
		      const struct sealfs_hdr_info *h, void *payload)
{
	struct job *j = calloc(1, sizeof(*j));

	assert_non_null(j);
	j->srv = s;
	j->c = c;
	j->h = *h;
	j->payload = payload;
	sconn_get(c);		/* the worker's reference */
	pthread_mutex_lock(&wq.mu);
	wq.jobs[wq.njobs++] = j;
	pthread_cond_signal(&wq.cv);
	pthread_mutex_unlock(&wq.mu);
}

static void worker_go(int n)
{
	pthread_mutex_lock(&wq.mu);
	wq.go = n;
	pthread_cond_signal(&wq.cv);
	pthread_mutex_unlock(&wq.mu);
}

static void test_worker_holds_request_across_close(void **state)
{
	struct fixture *f = *state;
	struct sealfs_hdr_info h;
	pthread_t th;
	u8 buf[256];
	struct raw r;
	size_t n;

	memset(&wq, 0, sizeof(wq));
	pthread_mutex_init(&wq.mu, NULL);
	pthread_cond_init(&wq.cv, NULL);
	assert_int_equal(pthread_create(&th, NULL, worker, NULL), 0);
	f->srv.mode = SRV_WORKER;
	f->srv.worker_fn = to_worker;
	srv_start(f, "127.0.0.1:0");
	raw_connect(&r, f, true);
	n = build_lookup(buf, sizeof(buf), 1, "first");
	n += build_lookup(buf + n, sizeof(buf) - n, 2, "second");
	write_all(r.fd, buf, n);
	RUN_UNTIL(f->loop, f->srv.nrecs == 2);

	/* the first job finishes while the connection is open: answered */
	worker_go(1);
	RUN_UNTIL(f->loop, wq.done == 1 && r.nin == SEALFS_HDR_SIZE);
	assert_int_equal(wq.results[0], 0);
	assert_int_equal(sealfs_hdr_decode(r.in, SEALFS_MAX_PAYLOAD, &h), 0);
	assert_int_equal(h.req_id, 1);

	/* the peer goes; the second job still holds its connection */
	raw_close(&r);
	RUN_UNTIL(f->loop, f->srv.closed == 1);
	assert_true(sconn_live_count() > f->live0);
	worker_go(2);
	RUN_UNTIL(f->loop, wq.done == 2);
	assert_int_equal(wq.results[1], -ENOTCONN);
	/* the worker's reference was the last: freed */
	assert_int_equal(sconn_live_count(), f->live0);

	pthread_mutex_lock(&wq.mu);
	wq.quit = true;
	pthread_cond_signal(&wq.cv);
	pthread_mutex_unlock(&wq.mu);
	assert_int_equal(pthread_join(th, NULL), 0);
	pthread_cond_destroy(&wq.cv);
	pthread_mutex_destroy(&wq.mu);
}

/* ---- closing with queued output, cancel, connect failures --------------- */

static void test_close_drops_queue_once(void **state)
{
	struct fixture *f = *state;
	static u8 data[1000];
	u8 hdr[SEALFS_HDR_SIZE + 32];
	struct iovec ref = { data, sizeof(data) };
	struct sconn_wmsg *w[3];
	struct sealfs_buf b;
	struct cli k;
	int i;

	f->srv.mode = SRV_RECORD;
	srv_start(f, "127.0.0.1:0");
	cli_connect(f, &k, NULL);
	sealfs_buf_init(&b, hdr, sizeof(hdr));
	sealfs_msg_start(&b);
	sealfs_buf_put(&b, &(struct sealfs_write_req){
		.length = cpu_to_le32(sizeof(data)) }, 32);
	assert_int_equal(sealfs_msg_end(&b, &(struct sealfs_hdr_info){
		.opcode = SEALFS_OP_WRITE, .req_id = 1 }, sizeof(data)), 0);
	for (i = 0; i < 3; i++)
		assert_int_equal(sconn_send_buf(k.c, &b, &ref, 1, cli_sent, &k,
						&w[i]), 0);
	/* nothing written yet: the second can be taken back */
	assert_int_equal(sconn_cancel(k.c, w[1]), 0);
	assert_int_equal(sconn_wq_bytes(k.c), 2 * (sizeof(hdr) + sizeof(data)));
	/* a message whose header length disagrees with its size is refused */
	b.len -= 1;
	assert_int_equal(sconn_send_buf(k.c, &b, &ref, 1, cli_sent, &k, NULL),
			 -EINVAL);
	b.len += 1;
	/* close before the connect finished: nothing is called from inside */
	sconn_close(k.c, 0);
	assert_int_equal(k.sent, 0);
	assert_int_equal(k.closed, 0);
	assert_int_equal(sconn_send_buf(k.c, &b, &ref, 1, cli_sent, &k, NULL),
			 -ENOTCONN);
	RUN_UNTIL(f->loop, k.closed == 1);
	assert_int_equal(k.sent, 2);
	assert_int_equal(k.sent_err, -ECANCELED);
	assert_int_equal(k.connected, 1);
	assert_int_equal(k.connect_err, -ECANCELED);
	/* nothing more: run the loop a little */
	for (i = 0; i < 5; i++)
		assert_true(sloop_run_once(f->loop, 0) >= 0);
	assert_int_equal(k.closed, 1);
	assert_int_equal(k.sent, 2);
}

static void test_connect_refused(void **state)
{
	struct fixture *f = *state;
	char err[SCONN_ERR_MAX], addr[64];
	struct cli k;
	int r;

	/* a port nobody listens on: listen, note it, close */
	srv_start(f, "127.0.0.1:0");
	snprintf(addr, sizeof(addr), "%s", f->addr);
	slisten_close(f->srv.l);
	f->srv.l = NULL;
	memset(&k, 0, sizeof(k));
	r = sconn_tcp_connect(f->loop, addr, 0, NULL, &cli_cbs, &k, &k.c, err,
			      sizeof(err));
	if (r) {
		/* the kernel knew at once: an error and no callback */
		assert_int_equal(r, -ECONNREFUSED);
		assert_non_null(strstr(err, addr));
	} else {
		RUN_UNTIL(f->loop, k.closed == 1);
		assert_int_equal(k.connected, 1);
		assert_int_equal(k.connect_err, -ECONNREFUSED);
		assert_int_equal(k.close_err, -ECONNREFUSED);
	}
	for (r = 0; r < 5; r++)
		assert_true(sloop_run_once(f->loop, 0) >= 0);
	assert_true(k.closed <= 1);
	/* a malformed address: a clear error, no callback */
	assert_int_equal(sconn_tcp_connect(f->loop, "127.0.0.1", 0, NULL, &cli_cbs,
					   &k, &k.c, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "HOST:PORT"));
	assert_int_equal(sconn_tcp_connect(f->loop, "127.0.0.1:0", 0, NULL, &cli_cbs,
					   &k, &k.c, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "invalid port"));
}

/* ---- listening ------------------------------------------------------------- */

static void test_listen_errors(void **state)
{
	struct fixture *f = *state;
	char err[SCONN_ERR_MAX], addr[64], want[160];
	struct slisten *l2;

	srv_start(f, "127.0.0.1:0");
	assert_true(slisten_port(f->srv.l) > 0);
	snprintf(addr, sizeof(addr), "127.0.0.1:%u", slisten_port(f->srv.l));
	assert_string_equal(slisten_name(f->srv.l), addr);
	assert_int_equal(slisten_tcp(f->loop, addr, NULL, srv_accept, &f->srv,
				     &l2, err, sizeof(err)), -EADDRINUSE);
	snprintf(want, sizeof(want), "cannot listen on %s: address already in use",
		 addr);
	assert_non_null(strstr(err, want));
	assert_int_equal(slisten_tcp(f->loop, "127.0.0.1", NULL, srv_accept,
				     &f->srv, &l2, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "HOST:PORT"));
	assert_int_equal(slisten_tcp(f->loop, "127.0.0.1:65536", NULL, srv_accept,
				     &f->srv, &l2, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "invalid port"));
	assert_int_equal(slisten_tcp(f->loop, "[::1:80", NULL, srv_accept,
				     &f->srv, &l2, err, sizeof(err)), -EINVAL);
	assert_int_equal(slisten_tcp(f->loop, "192.0.2.1:0", NULL, srv_accept,
				     &f->srv, &l2, err, sizeof(err)), -EADDRNOTAVAIL);
	assert_non_null(strstr(err, "not an address of this host"));
	assert_int_equal(slisten_tcp(f->loop, "no-such-host.invalid:1", NULL,
				     srv_accept, &f->srv, &l2, err, sizeof(err)),
			 -EADDRNOTAVAIL);
	assert_non_null(strstr(err, "cannot resolve"));
}

static void test_ipv6_and_wildcard(void **state)
{
	struct fixture *f = *state;
	char err[SCONN_ERR_MAX];
	struct slisten *l;
	struct cli k;
	int r;

	f->srv.mode = SRV_ECHO;
	r = slisten_tcp(f->loop, "[::1]:0", NULL, srv_accept, &f->srv,
			&f->srv.l, err, sizeof(err));
	if (r == -EADDRNOTAVAIL || r == -EAFNOSUPPORT)
		skip();
	assert_int_equal(r, 0);
	snprintf(f->addr, sizeof(f->addr), "%s", slisten_name(f->srv.l));
	assert_memory_equal(f->addr, "[::1]:", 6);
	cli_connect(f, &k, NULL);
	cli_ping(f, &k, 9);
	assert_memory_equal(sconn_name(k.c), "[::1]:", 6);
	sconn_close(k.c, 0);
	RUN_UNTIL(f->loop, k.closed == 1 && f->srv.closed == 1);

	/* the wildcard takes IPv4 too */
	assert_int_equal(slisten_tcp(f->loop, "*:0", NULL, srv_accept, &f->srv,
				     &l, err, sizeof(err)), 0);
	snprintf(f->addr, sizeof(f->addr), "127.0.0.1:%u", slisten_port(l));
	cli_connect(f, &k, NULL);
	cli_ping(f, &k, 10);
	sconn_close(k.c, 0);
	RUN_UNTIL(f->loop, k.closed == 1 && f->srv.closed == 2);
	slisten_close(l);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_frame_one_byte, setup, teardown),
		cmocka_unit_test_setup_teardown(test_frame_many_in_one_write, setup, teardown),
		cmocka_unit_test_setup_teardown(test_large_payload, setup, teardown),
		cmocka_unit_test_setup_teardown(test_backpressure, setup, teardown),
		cmocka_unit_test_setup_teardown(test_malformed_closes_only_that_connection,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_unknown_opcode_keeps_connection,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_disconnect_mid_message, setup, teardown),
		cmocka_unit_test_setup_teardown(test_worker_holds_request_across_close,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_close_drops_queue_once, setup, teardown),
		cmocka_unit_test_setup_teardown(test_connect_refused, setup, teardown),
		cmocka_unit_test_setup_teardown(test_listen_errors, setup, teardown),
		cmocka_unit_test_setup_teardown(test_ipv6_and_wildcard, setup, teardown),
	};

	return cmocka_run_group_tests_name("sconn", tests, NULL, NULL);
}
