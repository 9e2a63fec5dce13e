// SPDX-License-Identifier: Apache-2.0
/*
 * Session rules on accepted connections (ssess), over real TCP on
 * 127.0.0.1: HELLO negotiation, requests before HELLO, another major
 * version, replies from the peer, and malformed messages answered with the
 * request id. The peer is a plain blocking socket writing raw bytes.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cmocka.h>

#include "sconn.h"
#include "sloop.h"
#include "ssess.h"
#include "unit/loop_harness.h"

#define TS_EPOCH	7

struct ts {
	struct sloop *loop;
	struct slisten *l;
	struct sconn *c;
	struct ssess sess;
	unsigned int requests;	/* requests the gate left to the owner */
	bool closed;
	int fd;			/* the peer */
};

static const struct ssess_self ts_self = {
	.role = SEALFS_ROLE_SERVER, .boot_id = 0xb007, .server_id = 3,
};

static void ts_msg(struct sconn *c, const struct sealfs_hdr_info *h,
		   const struct sealfs_msg *m, struct sconn_buf *payload, void *arg)
{
	struct ts *t = arg;

	(void)payload;
	if (!ssess_gate(&t->sess, c, &ts_self, TS_EPOCH, h, m))
		t->requests++;
}

static void ts_error(struct sconn *c, int err, const struct sealfs_hdr_info *h,
		     void *arg)
{
	(void)arg;
	ssess_error(c, err, h, TS_EPOCH);
}

static void ts_closed(struct sconn *c, int err, void *arg)
{
	struct ts *t = arg;

	(void)c;
	(void)err;
	t->closed = true;
	t->c = NULL;
}

static const struct sconn_cbs ts_cbs = {
	.msg = ts_msg, .error = ts_error, .closed = ts_closed,
};

static void ts_accept(struct slisten *l, struct sconn *c, void *arg)
{
	struct ts *t = arg;

	(void)l;
	t->c = c;
	ssess_init(&t->sess);
	sconn_set_owner(c, &ts_cbs, t);
}

static bool ts_readable(struct ts *t)
{
	struct pollfd p = { .fd = t->fd, .events = POLLIN };

	return poll(&p, 1, 0) > 0;
}

static int ts_setup(void **state)
{
	struct sockaddr_in sa = { .sin_family = AF_INET };
	char err[SCONN_ERR_MAX];
	struct ts *t = calloc(1, sizeof(*t));

	if (!t || sloop_new(&t->loop) ||
	    slisten_tcp(t->loop, "127.0.0.1:0", NULL, ts_accept, t, &t->l, err, sizeof(err)))
		return -1;
	sa.sin_port = htons(slisten_port(t->l));
	sa.sin_addr.s_addr = htonl(0x7f000001);
	t->fd = socket(AF_INET, SOCK_STREAM, 0);
	if (t->fd < 0 || connect(t->fd, (struct sockaddr *)&sa, sizeof(sa)))
		return -1;
	RUN_UNTIL(t->loop, t->c);
	*state = t;
	return 0;
}

static int ts_teardown(void **state)
{
	struct ts *t = *state;

	close(t->fd);
	RUN_UNTIL(t->loop, t->closed);
	slisten_close(t->l);
	while (sloop_live(t->loop))
		sloop_run_once(t->loop, 10);
	assert_int_equal(sloop_free(t->loop), 0);
	assert_int_equal(sconn_live_count(), 0);
	free(t);
	return 0;
}

/* Sends a message with @body as its payload. */
static void ts_send(struct ts *t, u16 op, u32 flags, u64 req_id, u16 version,
		    const void *body, u32 len)
{
	u8 buf[SEALFS_HDR_SIZE + 64];
	struct sealfs_hdr_info h = {
		.opcode = op, .flags = flags, .req_id = req_id, .len = len,
	};

	assert_true(len <= 64);
	sealfs_hdr_encode(buf, &h);
	buf[offsetof(struct sealfs_hdr, version)] = version;
	if (len)
		memcpy(buf + SEALFS_HDR_SIZE, body, len);
	assert_int_equal(write(t->fd, buf, SEALFS_HDR_SIZE + len), SEALFS_HDR_SIZE + len);
}

/* Reads one reply; returns its payload length. */
static u32 ts_reply(struct ts *t, struct sealfs_hdr_info *h, void *body, u32 room)
{
	u8 raw[SEALFS_HDR_SIZE];

	RUN_UNTIL(t->loop, ts_readable(t));
	assert_int_equal(recv(t->fd, raw, sizeof(raw), MSG_WAITALL), sizeof(raw));
	assert_int_equal(sealfs_hdr_decode(raw, SEALFS_MAX_PAYLOAD, h), 0);
	assert_true(h->flags & SEALFS_HF_REPLY);
	assert_true(h->len <= room);
	if (h->len)
		assert_int_equal(recv(t->fd, body, h->len, MSG_WAITALL), h->len);
	return h->len;
}

/* The peer sees the end of the stream. */
static void ts_eof(struct ts *t)
{
	char c;

	RUN_UNTIL(t->loop, ts_readable(t));
	assert_int_equal(recv(t->fd, &c, 1, 0), 0);
}

static struct sealfs_hello_req ts_hello(u16 major, u64 features, u32 maxp)
{
	struct sealfs_hello_req r = {
		.major = cpu_to_le16(major), .minor = cpu_to_le16(9),
		.role = cpu_to_le16(SEALFS_ROLE_CLIENT), .features = cpu_to_le64(features),
		.client_id = cpu_to_le64(0xc11e47), .max_payload = cpu_to_le32(maxp),
	};
	return r;
}

static void test_hello_negotiates(void **state)
{
	struct sealfs_hello_req q = ts_hello(SEALFS_PROTO_MAJOR, ~0ull, 65536);
	struct ts *t = *state;
	struct sealfs_hello_rep rep;
	struct sealfs_hdr_info h;

	ts_send(t, SEALFS_OP_HELLO, 0, 11, SEALFS_PROTO_MAJOR, &q, sizeof(q));
	assert_int_equal(ts_reply(t, &h, &rep, sizeof(rep)), sizeof(rep));
	assert_int_equal(h.status, SEALFS_S_OK);
	assert_true(h.req_id == 11 && h.epoch == TS_EPOCH);
	assert_int_equal(le16_to_cpu(rep.major), SEALFS_PROTO_MAJOR);
	assert_int_equal(le16_to_cpu(rep.minor), SEALFS_PROTO_MINOR);
	assert_int_equal(le16_to_cpu(rep.role), SEALFS_ROLE_SERVER);
	assert_true(le64_to_cpu(rep.features) == SEALFS_FEAT_ALL);
	assert_true(le64_to_cpu(rep.boot_id) == 0xb007);
	assert_int_equal(le32_to_cpu(rep.server_id), 3);
	assert_int_equal(le32_to_cpu(rep.max_payload), 65536);
	assert_true(t->sess.hello && t->sess.client_id == 0xc11e47);
	assert_int_equal(t->sess.max_payload, 65536);

	/* Requests now reach the owner. */
	ts_send(t, SEALFS_OP_PING, 0, 12, SEALFS_PROTO_MAJOR, NULL, 0);
	RUN_UNTIL(t->loop, t->requests == 1);
}

static void test_hello_without_replay(void **state)
{
	struct sealfs_hello_req q = ts_hello(SEALFS_PROTO_MAJOR, SEALFS_FEAT_XATTR, 0);
	struct ts *t = *state;
	struct sealfs_hello_rep rep;
	struct sealfs_hdr_info h;

	ts_send(t, SEALFS_OP_HELLO, 0, 1, SEALFS_PROTO_MAJOR, &q, sizeof(q));
	ts_reply(t, &h, &rep, sizeof(rep));
	assert_true(le64_to_cpu(rep.features) == SEALFS_FEAT_XATTR);
	assert_true(t->sess.client_id == 0);
	/* No limit offered: the protocol's. */
	assert_int_equal(le32_to_cpu(rep.max_payload), SEALFS_MAX_PAYLOAD);
}

static void test_request_before_hello(void **state)
{
	struct ts *t = *state;
	struct sealfs_hdr_info h;
	u8 body[64];

	ts_send(t, SEALFS_OP_PING, 0, 5, SEALFS_PROTO_MAJOR, NULL, 0);
	assert_int_equal(ts_reply(t, &h, body, sizeof(body)), 0);
	assert_int_equal(h.status, SEALFS_S_BADMSG);
	assert_true(h.req_id == 5);
	ts_eof(t);
	assert_int_equal(t->requests, 0);
}

static void test_hello_other_major(void **state)
{
	struct sealfs_hello_req q = ts_hello(SEALFS_PROTO_MAJOR + 1, 0, 0);
	struct ts *t = *state;
	struct sealfs_hdr_info h;
	u8 body[64];

	/* Same header version, another major in the body. */
	ts_send(t, SEALFS_OP_HELLO, 0, 8, SEALFS_PROTO_MAJOR, &q, sizeof(q));
	assert_int_equal(ts_reply(t, &h, body, sizeof(body)), 0);
	assert_int_equal(h.status, SEALFS_S_VERSION);
	assert_true(h.req_id == 8);
	ts_eof(t);
	assert_false(t->sess.hello);
}

static void test_header_of_other_version(void **state)
{
	struct sealfs_hello_req q = ts_hello(SEALFS_PROTO_MAJOR + 1, 0, 0);
	struct ts *t = *state;
	struct sealfs_hdr_info h;
	u8 body[64];

	/* The header itself of another version: answered, with its id. */
	ts_send(t, SEALFS_OP_HELLO, 0, 9, SEALFS_PROTO_MAJOR + 1, &q, sizeof(q));
	assert_int_equal(ts_reply(t, &h, body, sizeof(body)), 0);
	assert_int_equal(h.status, SEALFS_S_VERSION);
	assert_true(h.req_id == 9);
	ts_eof(t);
}

static void test_second_hello_closes(void **state)
{
	struct sealfs_hello_req q = ts_hello(SEALFS_PROTO_MAJOR, SEALFS_FEAT_ALL, 0);
	struct ts *t = *state;
	struct sealfs_hello_rep rep;
	struct sealfs_hdr_info h;

	ts_send(t, SEALFS_OP_HELLO, 0, 1, SEALFS_PROTO_MAJOR, &q, sizeof(q));
	ts_reply(t, &h, &rep, sizeof(rep));
	assert_int_equal(h.status, SEALFS_S_OK);
	/* Another client id on the bound connection: refused, not rebound. */
	q.client_id = cpu_to_le64(0xbad);
	ts_send(t, SEALFS_OP_HELLO, 0, 2, SEALFS_PROTO_MAJOR, &q, sizeof(q));
	assert_int_equal(ts_reply(t, &h, &rep, sizeof(rep)), 0);
	assert_int_equal(h.status, SEALFS_S_BADMSG);
	assert_true(h.req_id == 2);
	ts_eof(t);
	assert_true(t->sess.client_id == 0xc11e47);
}

static void test_reply_from_peer_closes(void **state)
{
	struct ts *t = *state;

	ts_send(t, SEALFS_OP_PING, SEALFS_HF_REPLY, 3, SEALFS_PROTO_MAJOR, NULL, 0);
	ts_eof(t);
	assert_int_equal(t->requests, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_hello_negotiates, ts_setup, ts_teardown),
		cmocka_unit_test_setup_teardown(test_hello_without_replay, ts_setup, ts_teardown),
		cmocka_unit_test_setup_teardown(test_request_before_hello, ts_setup, ts_teardown),
		cmocka_unit_test_setup_teardown(test_hello_other_major, ts_setup, ts_teardown),
		cmocka_unit_test_setup_teardown(test_header_of_other_version, ts_setup, ts_teardown),
		cmocka_unit_test_setup_teardown(test_second_hello_closes, ts_setup, ts_teardown),
		cmocka_unit_test_setup_teardown(test_reply_from_peer_closes, ts_setup, ts_teardown),
	};

	return cmocka_run_group_tests_name("ssess", tests, NULL, NULL);
}
