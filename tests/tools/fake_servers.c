// SPDX-License-Identifier: Apache-2.0
/*
 * fake_servers: registers N storage-server identities with a manager and
 * heartbeats for them, as real servers do, so the manager's membership
 * can be tested before (and apart from) sealfs-server.
 *
 *   fake_servers MANAGER N SECONDS [UUID_SEED]
 *
 * Registers servers with uuids derived from UUID_SEED (default 1) and
 * addresses 127.0.0.1:20000+i, prints "registered i id" per server,
 * heartbeats every interval the manager asks for during SECONDS, then
 * exits 0. Any refused request or lost connection exits 1.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sealfs_codec.h"
#include "sloop.h"
#include "srpc.h"

#define FS_MAX	64

static int fs_call(struct srpc *r, u16 op, const void *body, u32 len,
		   struct srpc_result *res)
{
	struct srpc_call call = { .opcode = op, .payload = body, .len = len };
	int rc = srpc_call_sync(r, &call, res);

	if (rc) {
		fprintf(stderr, "fake_servers: %s: %s\n", sealfs_op_name(op), strerror(-rc));
		srpc_result_free(res);
	}
	return rc;
}

int main(int argc, char **argv)
{
	u32 ids[FS_MAX], hb_ms = 1000;
	struct srpc_result res;
	struct sloop *loop;
	struct srpc *r;
	char err[SCONN_ERR_MAX];
	unsigned long n, secs, seed = 1, i;
	u64 end;

	if (argc < 4 || argc > 5) {
		fprintf(stderr, "usage: fake_servers MANAGER N SECONDS [UUID_SEED]\n");
		return 2;
	}
	n = strtoul(argv[2], NULL, 10);
	secs = strtoul(argv[3], NULL, 10);
	if (argc == 5)
		seed = strtoul(argv[4], NULL, 10);
	if (!n || n > FS_MAX) {
		fprintf(stderr, "fake_servers: N must be 1 to %d\n", FS_MAX);
		return 2;
	}
	if (sloop_new(&loop) ||
	    srpc_connect(loop, argv[1], SEALFS_MANAGER_PORT, NULL, &r, err, sizeof(err))) {
		fprintf(stderr, "fake_servers: cannot connect to %s: %s\n", argv[1], err);
		return 1;
	}
	if (srpc_hello_sync(r, NULL)) {
		fprintf(stderr, "fake_servers: HELLO failed\n");
		return 1;
	}
	for (i = 0; i < n; i++) {
		struct sealfs_srv_register_req q = {
			.weight = cpu_to_le32(100), .capacity = cpu_to_le64(1ull << 40),
		};
		const struct sealfs_srv_register_rep *rep;

		q.uuid[0] = seed;
		q.uuid[1] = seed >> 8;
		q.uuid[15] = i + 1;
		q.addr[SEALFS_TRANSPORT_TCP].family = cpu_to_le16(SEALFS_AF_INET);
		q.addr[SEALFS_TRANSPORT_TCP].port = cpu_to_le16(20000 + i);
		q.addr[SEALFS_TRANSPORT_TCP].addr[0] = 127;
		q.addr[SEALFS_TRANSPORT_TCP].addr[3] = 1;
		if (fs_call(r, SEALFS_OP_SRV_REGISTER, &q, sizeof(q), &res))
			return 1;
		rep = res.m.body;
		ids[i] = le32_to_cpu(rep->server_id);
		hb_ms = le32_to_cpu(rep->heartbeat_ms);
		srpc_result_free(&res);
		printf("registered %lu %u\n", i, ids[i]);
	}
	fflush(stdout);
	end = sloop_now_ms() + secs * 1000;
	while (sloop_now_ms() < end) {
		for (i = 0; i < n; i++) {
			struct sealfs_heartbeat_req q = {
				.server_id = cpu_to_le32(ids[i]), .boot_id = cpu_to_le64(7),
				.capacity = cpu_to_le64(1ull << 40),
				.used = cpu_to_le64((i + 1) << 20),
			};

			if (fs_call(r, SEALFS_OP_SRV_HEARTBEAT, &q, sizeof(q), &res))
				return 1;
			srpc_result_free(&res);
		}
		/* The loop's own wait paces the heartbeats. */
		sloop_run_once(loop, hb_ms);
	}
	srpc_free(r);
	while (sloop_live(loop))
		sloop_run_once(loop, 100);
	sloop_free(loop);
	return 0;
}
