// SPDX-License-Identifier: Apache-2.0
/*
 * ssrv_mgr: the link of sealfs-server to the manager.
 *
 * Connect, HELLO (role SERVER), SRV_REGISTER (uuid, advertised address,
 * weight, capacity), then SRV_HEARTBEAT every heartbeat_ms and a MAP_GET
 * long poll always outstanding (known_epoch = the server's, wait 30 s).
 * Each new map is installed in the core (the ring is built there) and the
 * roots of the volumes whose root inode this server owns are created.
 * The metadata store opens after the first registration, when the server
 * id is known. When the manager cannot be reached or the connection
 * drops, the link retries with exponential back-off (100 ms doubling to
 * 5 s) and logs it; requests keep being served with the last map.
 * An advertised wildcard address (0.0.0.0, ::) is replaced by the local
 * address the kernel picks towards the manager (a connected UDP socket's
 * getsockname(): the same route as the manager connection's).
 */
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include "server/ssrv.h"
#include "slog.h"
#include "srpc.h"

#define MGR_BACKOFF_MIN_MS	100u
#define MGR_BACKOFF_MAX_MS	5000u
#define MGR_POLL_WAIT_MS	30000u

/**
 * struct ssrv_mgr - the manager link
 * @loop: event loop
 * @core: storage core
 * @o: options
 * @r: the RPC client while connected
 * @retry: reconnect timer
 * @hb: heartbeat timer
 * @backoff_ms: next reconnect delay
 * @hb_ms: heartbeat interval
 * @server_id: id from the manager
 * @registered: registration answered on this connection
 * @fatal: -errno that stops the daemon, 0 if none
 * @failures: consecutive failed attempts (to log once per outage)
 */
struct ssrv_mgr {
	struct sloop *loop;
	struct ssrv_core *core;
	struct ssrv_mgr_opts o;
	struct srpc *r;
	struct sloop_timer retry;
	struct sloop_timer hb;
	u32 backoff_ms;
	u32 hb_ms;
	u32 server_id;
	bool registered;
	int fatal;
	unsigned int failures;
};

static void mgr_fail(struct ssrv_mgr *g, const char *what, int err)
{
	struct srpc *r = g->r;

	if (!r)
		return;
	g->r = NULL;
	g->registered = false;
	sloop_timer_cancel(&g->hb);
	if (!g->failures++)
		slog_warn("manager %s: %s: %s; retrying (back-off up to %u ms), serving with map epoch %llu",
			  g->o.manager, what, strerror(-err), MGR_BACKOFF_MAX_MS,
			  (unsigned long long)ssrv_core_epoch(g->core));
	else
		slog_debug("manager %s: %s: %s; retry in %u ms", g->o.manager,
			   what, strerror(-err), g->backoff_ms);
	srpc_free(r);
	sloop_timer_start(&g->retry, g->backoff_ms, 0);
	g->backoff_ms = g->backoff_ms * 2 > MGR_BACKOFF_MAX_MS ?
			MGR_BACKOFF_MAX_MS : g->backoff_ms * 2;
}

static void mgr_down(struct srpc *r, int err, void *arg)
{
	struct ssrv_mgr *g = arg;

	if (r == g->r)
		mgr_fail(g, "connection lost", err ? err : -ECONNRESET);
}

static void mgr_space(const struct ssrv_mgr *g, u64 *cap, u64 *used)
{
	struct statvfs st;

	*cap = *used = 0;
	if (statvfs(g->o.data_dir, &st))
		return;
	*cap = (u64)st.f_blocks * st.f_frsize;
	*used = (u64)(st.f_blocks - st.f_bfree) * st.f_frsize;
}

static void mgr_poll(struct ssrv_mgr *g);

static void mgr_map_done(struct srpc *r, int err, const struct sealfs_hdr_info *h,
			 const struct sealfs_msg *m, struct sconn_buf *payload,
			 void *arg)
{
	struct ssrv_mgr *g = arg;
	struct ssrv_map *map;
	int rc;

	(void)h;
	(void)payload;
	if (r != g->r)
		return;
	if (err) {
		mgr_fail(g, "MAP_GET", err);
		return;
	}
	rc = ssrv_map_decode(m, &map);
	if (rc) {
		mgr_fail(g, "bad map", rc);
		return;
	}
	if (map->epoch != ssrv_core_epoch(g->core)) {
		/*
		 * The manager is the authority: a lower epoch (its state was
		 * reset) is installed too, else every poll would return at once.
		 */
		if (map->epoch < ssrv_core_epoch(g->core))
			slog_warn("manager went back to map epoch %llu from %llu",
				  (unsigned long long)map->epoch,
				  (unsigned long long)ssrv_core_epoch(g->core));
		slog_info("cluster map epoch %llu: %u servers (%u up), %u volumes",
			  (unsigned long long)map->epoch, map->nsrv,
			  ssrv_map_up(map), map->nvol);
		ssrv_core_set_map(g->core, map);
		srpc_set_epoch(r, map->epoch);
		ssrv_core_make_roots(g->core);
	} else {
		ssrv_map_put(map);
	}
	mgr_poll(g);
}

static void mgr_poll(struct ssrv_mgr *g)
{
	u64 known = ssrv_core_epoch(g->core);
	struct sealfs_map_get_req q = {
		.known_epoch = cpu_to_le64(known),
		.wait_ms = cpu_to_le32(known ? MGR_POLL_WAIT_MS : 0),
	};
	struct srpc_call call = {
		.opcode = SEALFS_OP_MAP_GET, .payload = &q, .len = sizeof(q),
		.timeout_ms = MGR_POLL_WAIT_MS + 10000,
	};
	int rc = srpc_call(g->r, &call, mgr_map_done, g, NULL);

	if (rc)
		mgr_fail(g, "MAP_GET", rc);
}

static void mgr_hb_done(struct srpc *r, int err, const struct sealfs_hdr_info *h,
			const struct sealfs_msg *m, struct sconn_buf *payload,
			void *arg)
{
	struct ssrv_mgr *g = arg;
	const struct sealfs_heartbeat_rep *rep;
	u32 ms;

	(void)h;
	(void)payload;
	if (r != g->r)
		return;
	if (err == -ENOENT || err == -ESTALE) {
		/* The manager forgot us (e.g. state reset): register again. */
		mgr_fail(g, "heartbeat refused", err);
		return;
	}
	if (err) {
		mgr_fail(g, "SRV_HEARTBEAT", err);
		return;
	}
	rep = m->body;
	ms = le32_to_cpu(rep->heartbeat_ms);
	if (ms && ms != g->hb_ms) {
		g->hb_ms = ms;
		sloop_timer_start(&g->hb, ms, ms);
	}
}

static void mgr_hb(struct sloop_timer *t, void *arg)
{
	struct ssrv_mgr *g = arg;
	struct sealfs_heartbeat_req q = {
		.server_id = cpu_to_le32(g->server_id),
		.boot_id = cpu_to_le64(g->core->boot_id),
	};
	struct srpc_call call = {
		.opcode = SEALFS_OP_SRV_HEARTBEAT, .payload = &q, .len = sizeof(q),
		.timeout_ms = 10000,
	};
	u64 cap, used;
	int rc;

	(void)t;
	if (!g->r || !g->registered)
		return;
	mgr_space(g, &cap, &used);
	q.capacity = cpu_to_le64(cap);
	q.used = cpu_to_le64(used);
	rc = srpc_call(g->r, &call, mgr_hb_done, g, NULL);
	if (rc)
		mgr_fail(g, "SRV_HEARTBEAT", rc);
}

static void mgr_reg_done(struct srpc *r, int err, const struct sealfs_hdr_info *h,
			 const struct sealfs_msg *m, struct sconn_buf *payload,
			 void *arg)
{
	struct ssrv_mgr *g = arg;
	const struct sealfs_srv_register_rep *rep;
	u32 id;
	int rc;

	(void)h;
	(void)payload;
	if (r != g->r)
		return;
	if (err) {
		mgr_fail(g, "SRV_REGISTER", err);
		return;
	}
	rep = m->body;
	id = le32_to_cpu(rep->server_id);
	g->hb_ms = le32_to_cpu(rep->heartbeat_ms);
	if (!g->hb_ms)
		g->hb_ms = 1000;
	if (g->server_id && id != g->server_id) {
		slog_err("manager gave server id %u, this server is %u", id, g->server_id);
		g->fatal = -EINVAL;
		sloop_stop(g->loop);
		return;
	}
	if (!g->server_id) {
		rc = ssrv_core_open_meta(g->core, g->o.meta_dir, id);
		if (rc) {
			slog_err("cannot open the metadata store in %s: %s",
				 g->o.meta_dir, strerror(-rc));
			fprintf(stderr, "sealfs-server: cannot open the metadata store in %s: %s\n",
				g->o.meta_dir, strerror(-rc));
			g->fatal = rc;
			sloop_stop(g->loop);
			return;
		}
	}
	if (g->failures || !g->server_id)
		slog_notice("registered with manager %s as server %u (heartbeat %u ms)",
			    g->o.manager, id, g->hb_ms);
	g->server_id = id;
	g->registered = true;
	g->failures = 0;
	g->backoff_ms = MGR_BACKOFF_MIN_MS;
	sloop_timer_start(&g->hb, g->hb_ms, g->hb_ms);
	mgr_poll(g);
}

/* The address to advertise: the configured one, or for a wildcard the
 * local address towards the manager. */
static void mgr_addr(const struct ssrv_mgr *g, struct sealfs_addr *a)
{
	static const u8 zero[16];
	struct sockaddr_storage ss, me;
	socklen_t len, mlen = sizeof(me);
	char err[SCONN_ERR_MAX];
	int fd;

	*a = g->o.addr;
	if (memcmp(a->addr, zero, 16))
		return;
	if (sconn_parse_addr(g->o.manager, SEALFS_MANAGER_PORT, false, &ss, &len,
			     err, sizeof(err)))
		return;
	fd = socket(ss.ss_family, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return;
	if (!connect(fd, (struct sockaddr *)&ss, len) &&
	    !getsockname(fd, (struct sockaddr *)&me, &mlen)) {
		if (me.ss_family == AF_INET) {
			const struct sockaddr_in *s4 = (const void *)&me;

			a->family = cpu_to_le16(SEALFS_AF_INET);
			memset(a->addr, 0, 16);
			memcpy(a->addr, &s4->sin_addr, 4);
		} else if (me.ss_family == AF_INET6) {
			const struct sockaddr_in6 *s6 = (const void *)&me;

			a->family = cpu_to_le16(SEALFS_AF_INET6);
			memcpy(a->addr, &s6->sin6_addr, 16);
		}
	}
	close(fd);
}

static void mgr_hello_done(struct srpc *r, int err, const struct srpc_peer *peer,
			   void *arg)
{
	struct ssrv_mgr *g = arg;
	struct sealfs_srv_register_req q = {
		.weight = cpu_to_le32(g->o.weight),
	};
	struct srpc_call call = {
		.opcode = SEALFS_OP_SRV_REGISTER, .payload = &q, .len = sizeof(q),
		.timeout_ms = 10000,
	};
	u64 cap, used;
	int rc;

	(void)peer;
	if (r != g->r)
		return;
	if (err) {
		mgr_fail(g, "HELLO", err);
		return;
	}
	memcpy(q.uuid, g->o.uuid, 16);
	mgr_addr(g, &q.addr[SEALFS_TRANSPORT_TCP]);
	mgr_space(g, &cap, &used);
	q.capacity = cpu_to_le64(cap);
	rc = srpc_call(r, &call, mgr_reg_done, g, NULL);
	if (rc)
		mgr_fail(g, "SRV_REGISTER", rc);
}

static void mgr_connect(struct sloop_timer *t, void *arg)
{
	struct ssrv_mgr *g = arg;
	struct srpc_opts o = {
		.role = SEALFS_ROLE_SERVER, .timeout_ms = 10000,
		.down = mgr_down, .arg = g,
	};
	char err[SCONN_ERR_MAX] = "";
	int rc;

	(void)t;
	o.conn.connect_timeout_ms = 3000;
	rc = srpc_connect(g->loop, g->o.manager, SEALFS_MANAGER_PORT, &o, &g->r,
			  err, sizeof(err));
	if (!rc) {
		rc = srpc_hello(g->r, mgr_hello_done, g);
		if (rc)
			mgr_fail(g, "HELLO", rc);
		return;
	}
	g->r = NULL;
	if (!g->failures++)
		slog_warn("manager %s: cannot connect: %s; retrying", g->o.manager, err);
	sloop_timer_start(&g->retry, g->backoff_ms, 0);
	g->backoff_ms = g->backoff_ms * 2 > MGR_BACKOFF_MAX_MS ?
			MGR_BACKOFF_MAX_MS : g->backoff_ms * 2;
}

/**
 * ssrv_mgr_start() - start the manager link (connects from the loop)
 * @loop: event loop
 * @core: storage core
 * @o: options (copied; the strings must outlive the link)
 * @mp: the link
 * Return: 0 or -errno.
 */
int ssrv_mgr_start(struct sloop *loop, struct ssrv_core *core,
		   const struct ssrv_mgr_opts *o, struct ssrv_mgr **mp)
{
	struct ssrv_mgr *g = calloc(1, sizeof(*g));
	int rc;

	if (!g)
		return -ENOMEM;
	g->loop = loop;
	g->core = core;
	g->o = *o;
	g->backoff_ms = MGR_BACKOFF_MIN_MS;
	sloop_timer_init(loop, &g->retry, mgr_connect, g);
	sloop_timer_init(loop, &g->hb, mgr_hb, g);
	rc = sloop_timer_start(&g->retry, 0, 0);
	if (rc) {
		free(g);
		return rc;
	}
	*mp = g;
	return 0;
}

/**
 * ssrv_mgr_failed() - why the link stopped the daemon
 * @g: the link
 * Return: 0 or -errno.
 */
int ssrv_mgr_failed(const struct ssrv_mgr *g)
{
	return g->fatal;
}

/**
 * ssrv_mgr_stop() - close the link and free it
 * @g: the link
 */
void ssrv_mgr_stop(struct ssrv_mgr *g)
{
	struct srpc *r = g->r;

	sloop_timer_cancel(&g->retry);
	sloop_timer_cancel(&g->hb);
	g->r = NULL;
	if (r)
		srpc_free(r);
	free(g);
}
