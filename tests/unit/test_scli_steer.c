// SPDX-License-Identifier: Apache-2.0
/*
 * Unit tests for utils/lib/scli_conn.c: the routed call against a scripted
 * fake manager and two fake servers on 127.0.0.1 (one thread, blocking
 * sockets): the HELLO a client sends; STALE_EPOCH refetching a map at
 * least as new as the server's; WRONG_OWNER refetching and going to the
 * new owner; NOTREADY retried without refetching; a connection lost
 * before the answer resent on a new connection with the same request id
 * and SEALFS_HF_RETRY; giving up with -EAGAIN; errors mapped to errno;
 * a merged directory listing whose parallel round meets NOTREADY;
 * following epoch changes (scli_map_wait()).
 */
#include <arpa/inet.h>
#include <poll.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>

#include "scli.h"
#include "sealfs_codec.h"

#define NLIS	3	/* 0: manager, 1 and 2: servers with those ids */
#define NCONN	32
#define VOL	1u

struct logent {
	u16 op;
	u32 srv;
	u32 flags;
	u64 req_id;
	u64 epoch;
};

static struct fake {
	int lfd[NLIS];
	u16 port[NLIS];
	int conn[NCONN];
	int kind[NCONN];
	int stop[2];
	pthread_t thr;
	pthread_mutex_t mu;
	/* script, under mu */
	u64 epoch;
	u32 w1;
	u32 script[16];
	u32 nscript;
	u32 pos;
	u64 stale_epoch;
	bool drop_next;
	/* observations, under mu */
	struct logent log[64];
	u32 nlog;
	u32 map_gets;
	u16 hello_role;
	u64 hello_features;
	u64 hello_client_id;
} fk;

/* The fake's thread must not use cmocka's asserts (they jump). */
#define FK_CHECK(c) do { \
	if (!(c)) { \
		fprintf(stderr, "fake: %s:%d: %s\n", __FILE__, __LINE__, #c); \
		abort(); \
	} \
} while (0)
#define FK_EQ(a, b)	FK_CHECK((a) == (b))

static void send_msg(int fd, const struct sealfs_hdr_info *req, u32 status, u64 epoch,
		     const void *body, u32 len)
{
	u8 buf[4096];
	struct sealfs_buf b;
	struct sealfs_hdr_info h = {
		.opcode = req->opcode, .flags = SEALFS_HF_REPLY, .req_id = req->req_id,
		.epoch = epoch, .status = status,
	};

	sealfs_buf_init(&b, buf, sizeof(buf));
	sealfs_msg_start(&b);
	if (len)
		sealfs_buf_put(&b, body, len);
	FK_EQ(sealfs_msg_end(&b, &h, 0), 0);
	FK_EQ(send(fd, buf, b.len, MSG_NOSIGNAL), (ssize_t)b.len);
}

static void send_map(int fd, const struct sealfs_hdr_info *req)
{
	struct sealfs_map_rep rep = { .epoch = cpu_to_le64(fk.epoch), .count = cpu_to_le32(3) };
	struct sealfs_map_volume v = {
		.id = cpu_to_le32(VOL), .chunk_size = cpu_to_le32(65536),
		.state = cpu_to_le32(SEALFS_VOL_ACTIVE), .name_len = cpu_to_le16(1),
	};
	struct sealfs_hdr_info h = {
		.opcode = req->opcode, .flags = SEALFS_HF_REPLY, .req_id = req->req_id,
		.epoch = fk.epoch,
	};
	u8 buf[4096];
	struct sealfs_buf b;
	u32 i;

	sealfs_buf_init(&b, buf, sizeof(buf));
	sealfs_msg_start(&b);
	sealfs_buf_put(&b, &rep, sizeof(rep));
	for (i = 1; i <= 2; i++) {
		struct sealfs_map_server s = {
			.id = cpu_to_le32(i), .weight = cpu_to_le32(i == 1 ? fk.w1 : 100),
			.state = cpu_to_le32(SEALFS_SRV_UP),
		};

		s.addr[0].family = cpu_to_le16(SEALFS_AF_INET);
		s.addr[0].port = cpu_to_le16(fk.port[i]);
		s.addr[0].addr[0] = 127;
		s.addr[0].addr[3] = 1;
		sealfs_msg_put_rec(&b, SEALFS_REC_MAP_SERVER, &s, sizeof(s), NULL, 0);
	}
	sealfs_msg_put_rec(&b, SEALFS_REC_MAP_VOLUME, &v, sizeof(v), "v", 1);
	FK_EQ(sealfs_msg_end(&b, &h, 0), 0);
	FK_EQ(send(fd, buf, b.len, MSG_NOSIGNAL), (ssize_t)b.len);
}

/* Server @kind's slice of every directory: one entry, "s<kind>". */
static void send_dirents(int fd, const struct sealfs_hdr_info *req, int kind)
{
	struct sealfs_readdir_rep rep = {
		.count = cpu_to_le32(1), .flags = cpu_to_le32(SEALFS_RD_EOF),
	};
	struct sealfs_dirent d = {
		.cookie = cpu_to_le64(1), .flags = cpu_to_le32(SEALFS_EF_ATTR),
		.name_len = cpu_to_le16(2),
	};
	struct sealfs_hdr_info h = {
		.opcode = req->opcode, .flags = SEALFS_HF_REPLY, .req_id = req->req_id,
		.epoch = fk.epoch,
	};
	char name[3] = { 's', (char)('0' + kind), 0 };
	u8 buf[4096];
	struct sealfs_buf b;

	d.attr.ino = cpu_to_le64(100 + kind);
	d.attr.mode = cpu_to_le32(S_IFREG | 0600);
	sealfs_buf_init(&b, buf, sizeof(buf));
	sealfs_msg_start(&b);
	sealfs_buf_put(&b, &rep, sizeof(rep));
	sealfs_msg_put_rec(&b, SEALFS_REC_DIRENT, &d, sizeof(d), name, 2);
	FK_EQ(sealfs_msg_end(&b, &h, 0), 0);
	FK_EQ(send(fd, buf, b.len, MSG_NOSIGNAL), (ssize_t)b.len);
}

/* Serves one message on connection @i; false when it closed. */
static bool serve(int i)
{
	int fd = fk.conn[i], kind = fk.kind[i];
	u8 raw[SEALFS_HDR_SIZE], payload[8192];
	struct sealfs_hdr_info h;
	u32 status;

	if (recv(fd, raw, sizeof(raw), MSG_WAITALL) != sizeof(raw))
		return false;
	FK_EQ(sealfs_hdr_decode(raw, SEALFS_MAX_PAYLOAD, &h), 0);
	FK_CHECK(h.len <= sizeof(payload));
	if (h.len)
		FK_EQ(recv(fd, payload, h.len, MSG_WAITALL), (ssize_t)h.len);
	pthread_mutex_lock(&fk.mu);
	if (h.opcode == SEALFS_OP_HELLO) {
		const struct sealfs_hello_req *q = (const void *)payload;
		struct sealfs_hello_rep r = {
			.major = cpu_to_le16(1), .role = cpu_to_le16(kind ? 2 : 4),
			.features = q->features, .boot_id = cpu_to_le64(77),
			.max_payload = cpu_to_le32(SEALFS_MAX_PAYLOAD),
			.server_id = cpu_to_le32(kind),
		};

		if (kind) {
			fk.hello_role = le16_to_cpu(q->role);
			fk.hello_features = le64_to_cpu(q->features);
			fk.hello_client_id = le64_to_cpu(q->client_id);
		}
		send_msg(fd, &h, 0, fk.epoch, &r, sizeof(r));
	} else if (h.opcode == SEALFS_OP_MAP_GET) {
		fk.map_gets++;
		send_map(fd, &h);
	} else {
		struct logent *l = &fk.log[fk.nlog < 64 ? fk.nlog++ : 63];

		*l = (struct logent){ h.opcode, kind, h.flags, h.req_id, h.epoch };
		if (fk.drop_next) {
			fk.drop_next = false;
			pthread_mutex_unlock(&fk.mu);
			return false;
		}
		status = fk.pos < fk.nscript ? fk.script[fk.pos++] : SEALFS_S_OK;
		if (status) {
			send_msg(fd, &h, status, status == SEALFS_S_STALE_EPOCH ?
				 fk.stale_epoch : fk.epoch, NULL, 0);
		} else if (h.opcode == SEALFS_OP_READDIR) {
			send_dirents(fd, &h, kind);
		} else if (h.opcode == SEALFS_OP_CREATE) {
			struct sealfs_entry_rep r = { .flags = cpu_to_le32(SEALFS_EF_ATTR) };

			r.attr.ino = cpu_to_le64(1234);
			r.attr.mode = cpu_to_le32(S_IFREG | 0644);
			r.attr.nlink = cpu_to_le32(1);
			send_msg(fd, &h, 0, fk.epoch, &r, sizeof(r));
		} else {
			struct sealfs_attr_rep r = {};

			memcpy(&r.attr.ino, payload, 8);	/* ino_req.ino */
			r.attr.mode = cpu_to_le32(S_IFDIR | 0755);
			send_msg(fd, &h, 0, fk.epoch, &r, sizeof(r));
		}
	}
	pthread_mutex_unlock(&fk.mu);
	return true;
}

static void *fake_main(void *arg)
{
	(void)arg;
	for (;;) {
		struct pollfd p[NLIS + NCONN + 1];
		int i, n = 0;

		p[n++] = (struct pollfd){ .fd = fk.stop[0], .events = POLLIN };
		for (i = 0; i < NLIS; i++)
			p[n++] = (struct pollfd){ .fd = fk.lfd[i], .events = POLLIN };
		for (i = 0; i < NCONN; i++)
			p[n++] = (struct pollfd){ .fd = fk.conn[i], .events = POLLIN };
		if (poll(p, n, -1) < 0)
			continue;
		if (p[0].revents)
			return NULL;
		for (i = 0; i < NLIS; i++) {
			int c, j;

			if (!p[1 + i].revents)
				continue;
			c = accept(fk.lfd[i], NULL, NULL);
			for (j = 0; j < NCONN && fk.conn[j] >= 0; j++)
				;
			if (c < 0 || j == NCONN) {
				close(c);
				continue;
			}
			fk.conn[j] = c;
			fk.kind[j] = i;
		}
		for (i = 0; i < NCONN; i++) {
			if (fk.conn[i] < 0 || !p[1 + NLIS + i].revents)
				continue;
			if (!serve(i)) {
				close(fk.conn[i]);
				fk.conn[i] = -1;
			}
		}
	}
}

static int fk_setup(void **state)
{
	int i;

	(void)state;
	memset(&fk, 0, sizeof(fk));
	pthread_mutex_init(&fk.mu, NULL);
	fk.epoch = 5;
	fk.w1 = 100;
	for (i = 0; i < NCONN; i++)
		fk.conn[i] = -1;
	for (i = 0; i < NLIS; i++) {
		struct sockaddr_in sa = { .sin_family = AF_INET };
		socklen_t sl = sizeof(sa);

		sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
		fk.lfd[i] = socket(AF_INET, SOCK_STREAM, 0);
		if (fk.lfd[i] < 0 || bind(fk.lfd[i], (struct sockaddr *)&sa, sizeof(sa)) ||
		    listen(fk.lfd[i], 16) ||
		    getsockname(fk.lfd[i], (struct sockaddr *)&sa, &sl))
			return -1;
		fk.port[i] = ntohs(sa.sin_port);
	}
	if (pipe(fk.stop) || pthread_create(&fk.thr, NULL, fake_main, NULL))
		return -1;
	return 0;
}

static int fk_teardown(void **state)
{
	int i;

	(void)state;
	assert_int_equal(write(fk.stop[1], "x", 1), 1);
	pthread_join(fk.thr, NULL);
	for (i = 0; i < NCONN; i++)
		if (fk.conn[i] >= 0)
			close(fk.conn[i]);
	for (i = 0; i < NLIS; i++)
		close(fk.lfd[i]);
	close(fk.stop[0]);
	close(fk.stop[1]);
	return 0;
}

static struct scli *open_client(u32 retries)
{
	struct scli_opts o = { .timeout_ms = 5000, .retries = retries, .backoff_max_ms = 20 };
	char mgr[32], err[SCLI_ERR_MAX];
	struct scli *cl = NULL;

	snprintf(mgr, sizeof(mgr), "127.0.0.1:%u", fk.port[0]);
	assert_int_equal(scli_open(mgr, "v", &o, &cl, err, sizeof(err)), 0);
	return cl;
}

static void script(const u32 *st, u32 n)
{
	pthread_mutex_lock(&fk.mu);
	if (n)
		memcpy(fk.script, st, n * sizeof(*st));
	fk.nscript = n;
	fk.pos = 0;
	fk.nlog = 0;
	fk.map_gets = 0;
	pthread_mutex_unlock(&fk.mu);
}

/* An inode owned by server @srv under the client's map. */
static u64 ino_on(struct scli *cl, u32 srv)
{
	u64 ino;

	for (ino = 2; scli_owner_inode(scli_cur_map(cl), VOL, ino) != srv; ino++)
		;
	return ino;
}

static void test_hello_and_open(void **state)
{
	struct scli *cl = open_client(0);
	struct scli_attr a;
	char err[SCLI_ERR_MAX], mgr[32];
	struct scli *none = NULL;

	(void)state;
	assert_true(scli_cur_map(cl)->epoch == 5);
	assert_int_equal(scli_volume(cl)->id, VOL);
	assert_int_equal(scli_getattr(cl, ino_on(cl, 2), &a), 0);
	assert_true(S_ISDIR(a.mode));
	assert_int_equal(fk.hello_role, SEALFS_ROLE_CLIENT);
	assert_true(fk.hello_features & SEALFS_FEAT_REPLAY);
	assert_true(fk.hello_client_id != 0 && fk.hello_client_id == scli_client_id(cl));
	assert_true(fk.log[0].epoch == 5 && fk.log[0].srv == 2);
	scli_close(cl);
	/* No such volume. */
	snprintf(mgr, sizeof(mgr), "127.0.0.1:%u", fk.port[0]);
	assert_int_equal(scli_open(mgr, "w", NULL, &none, err, sizeof(err)), -ENOENT);
	assert_null(none);
}

static void test_stale_epoch_refetches(void **state)
{
	static const u32 st[] = { SEALFS_S_STALE_EPOCH };
	struct scli *cl = open_client(0);
	struct scli_attr a;
	u64 ino = ino_on(cl, 1);

	(void)state;
	script(st, 1);
	pthread_mutex_lock(&fk.mu);
	fk.epoch = 6;
	fk.stale_epoch = 6;
	pthread_mutex_unlock(&fk.mu);
	assert_int_equal(scli_getattr(cl, ino, &a), 0);
	assert_true(a.ino == ino);
	assert_int_equal(fk.nlog, 2);
	assert_true(fk.log[0].epoch == 5 && fk.log[1].epoch == 6);
	assert_true(fk.log[1].req_id != fk.log[0].req_id && !(fk.log[1].flags & SEALFS_HF_RETRY));
	assert_true(fk.map_gets >= 1);
	assert_true(scli_cur_map(cl)->epoch == 6);
	scli_close(cl);
}

static void test_wrong_owner_goes_to_new_owner(void **state)
{
	static const u32 st[] = { SEALFS_S_WRONG_OWNER };
	struct scli *cl = open_client(0);
	struct scli_attr a;
	u64 ino = ino_on(cl, 1);

	(void)state;
	script(st, 1);
	pthread_mutex_lock(&fk.mu);
	fk.epoch = 7;
	fk.w1 = 0;	/* server 2 now owns every key */
	pthread_mutex_unlock(&fk.mu);
	assert_int_equal(scli_getattr(cl, ino, &a), 0);
	assert_int_equal(fk.nlog, 2);
	assert_true(fk.log[0].srv == 1 && fk.log[1].srv == 2);
	assert_true(fk.log[1].epoch == 7);
	scli_close(cl);
}

static void test_notready_retries_in_place(void **state)
{
	static const u32 st[] = { SEALFS_S_NOTREADY, SEALFS_S_NOTREADY };
	struct scli *cl = open_client(0);
	struct scli_attr a;

	(void)state;
	script(st, 2);
	assert_int_equal(scli_getattr(cl, 1, &a), 0);
	assert_int_equal(fk.nlog, 3);
	assert_int_equal(fk.map_gets, 0);
	assert_true(fk.log[0].srv == fk.log[2].srv);
	scli_close(cl);
}

static void test_lost_connection_replays(void **state)
{
	struct scli *cl = open_client(0);
	struct scli_attr a;

	(void)state;
	script(NULL, 0);
	pthread_mutex_lock(&fk.mu);
	fk.drop_next = true;
	pthread_mutex_unlock(&fk.mu);
	assert_int_equal(scli_create(cl, 1, "f", S_IFREG | 0644, 0, true, &a), 0);
	assert_true(a.ino == 1234);
	assert_int_equal(fk.nlog, 2);
	assert_true(fk.log[0].op == SEALFS_OP_CREATE && fk.log[1].op == SEALFS_OP_CREATE);
	assert_true(fk.log[1].req_id == fk.log[0].req_id);
	assert_false(fk.log[0].flags & SEALFS_HF_RETRY);
	assert_true(fk.log[1].flags & SEALFS_HF_RETRY);
	scli_close(cl);
}

static void test_gives_up_and_maps_errors(void **state)
{
	static const u32 st[] = { SEALFS_S_NOTREADY, SEALFS_S_NOTREADY, SEALFS_S_NOTREADY,
				  SEALFS_S_NOTREADY, SEALFS_S_NOENT };
	static const u32 dq[] = { SEALFS_S_DQUOT };
	struct scli *cl = open_client(3);
	struct scli_attr a;

	(void)state;
	script(st, 5);
	assert_int_equal(scli_getattr(cl, 1, &a), -EAGAIN);
	assert_int_equal(fk.nlog, 4);	/* the first try and 3 retries */
	assert_int_equal(scli_getattr(cl, 1, &a), -ENOENT);
	assert_int_equal(fk.nlog, 5);
	assert_non_null(strstr(scli_error(cl), "GETATTR"));
	script(dq, 1);
	assert_int_equal(scli_create(cl, 1, "g", S_IFREG | 0644, 0, true, NULL), -EDQUOT);
	/* Bad names never leave the client. */
	assert_int_equal(scli_create(cl, 1, "a/b", S_IFREG | 0644, 0, true, NULL), -EINVAL);
	assert_int_equal(scli_lookup(cl, 1, "..", NULL), -EINVAL);
	assert_int_equal(fk.nlog, 1);
	scli_close(cl);
}

static void test_readdir_merges_with_steering(void **state)
{
	static const u32 st[] = { SEALFS_S_OK, SEALFS_S_NOTREADY };
	struct scli *cl = open_client(0);
	struct scli_dirent e[3];
	struct scli_dir *d;
	u32 i, reads = 0;

	(void)state;
	assert_int_equal(scli_opendir(cl, 1, &d), 0);
	/* The first READDIR of the round is answered NOTREADY: read again. */
	script(st, 2);
	assert_int_equal(scli_readdir(d, &e[0]), 1);
	assert_int_equal(scli_readdir(d, &e[1]), 1);
	assert_int_equal(scli_readdir(d, &e[2]), 0);
	scli_closedir(d);
	assert_true(e[0].server != e[1].server);
	for (i = 0; i < 2; i++) {
		assert_int_equal(e[i].name[1] - '0', (int)e[i].server);
		assert_true(e[i].has_attr && e[i].attr.ino == 100 + e[i].server);
	}
	for (i = 0; i < fk.nlog; i++)
		reads += fk.log[i].op == SEALFS_OP_READDIR;
	assert_int_equal(reads, 3);
	scli_close(cl);
}

static void test_map_wait_follows_epochs(void **state)
{
	struct scli *cl = open_client(0);

	(void)state;
	/* The fake answers a long poll at once: no newer map. */
	assert_int_equal(scli_map_wait(cl, 50), 0);
	assert_true(scli_cur_map(cl)->epoch == 5);
	pthread_mutex_lock(&fk.mu);
	fk.epoch = 9;
	fk.w1 = 300;
	pthread_mutex_unlock(&fk.mu);
	assert_int_equal(scli_map_wait(cl, 50), 1);
	assert_true(scli_cur_map(cl)->epoch == 9);
	assert_int_equal(scli_map_srv(scli_cur_map(cl), 1)->weight, 300);
	assert_int_equal(scli_refresh(cl, 0), 0);
	assert_true(scli_cur_map(cl)->epoch == 9);
	scli_close(cl);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_hello_and_open, fk_setup, fk_teardown),
		cmocka_unit_test_setup_teardown(test_stale_epoch_refetches, fk_setup, fk_teardown),
		cmocka_unit_test_setup_teardown(test_wrong_owner_goes_to_new_owner, fk_setup,
						fk_teardown),
		cmocka_unit_test_setup_teardown(test_notready_retries_in_place, fk_setup,
						fk_teardown),
		cmocka_unit_test_setup_teardown(test_lost_connection_replays, fk_setup, fk_teardown),
		cmocka_unit_test_setup_teardown(test_gives_up_and_maps_errors, fk_setup,
						fk_teardown),
		cmocka_unit_test_setup_teardown(test_readdir_merges_with_steering, fk_setup,
						fk_teardown),
		cmocka_unit_test_setup_teardown(test_map_wait_follows_epochs, fk_setup,
						fk_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
