// SPDX-License-Identifier: Apache-2.0
/*
 * srv_probe: drives sealfs-server processes over the wire, routing by the
 * cluster map as a client does (tests/cluster/server_basic.sh).
 *
 *   srv_probe MANAGER VOLUME run STATEFILE
 *	fetch the map, then on the owning servers: create, lookup,
 *	getattr, setattr, mkdir, readdir (merged over all servers), write,
 *	read, commit, xattrs, unlink, rmdir's refusal, WRONG_OWNER from a
 *	non-owner, STALE_EPOCH for an old epoch, a replayed exclusive CREATE
 *	returning the first reply on a new connection, 500 pipelined
 *	requests on one connection, and a malformed
 *	message closing only its own connection. Writes "NAME INO" of an
 *	acknowledged create to STATEFILE.
 *   srv_probe MANAGER VOLUME check NAME INO
 *	look NAME up in the root on its owner (retrying while the owner is
 *	unreachable or not ready, up to 20 s) and check its inode number.
 * Exits 0 on success, 1 with a message on the first failure.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "server/ssrv.h"
#include "srpc.h"

#define MAXSRV	16

static struct sloop *loop;
static struct ssrv_map *map;
static u32 vol, chunk;
static struct srpc_session sess;
static const char *mgr_addr, *vol_name;
static struct srpc *conns[MAXSRV];
static u32 conn_ids[MAXSRV];

static void die(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fprintf(stderr, "srv_probe: FAIL: ");
	vfprintf(stderr, fmt, ap);
	fprintf(stderr, "\n");
	va_end(ap);
	exit(1);
}

static void addr_text(const struct ssrv_map_srv *s, char *buf, size_t len)
{
	const struct sealfs_addr *a = &s->addr[SEALFS_TRANSPORT_TCP];
	char ip[INET6_ADDRSTRLEN];

	if (le16_to_cpu(a->family) == SEALFS_AF_INET6) {
		inet_ntop(AF_INET6, a->addr, ip, sizeof(ip));
		snprintf(buf, len, "[%s]:%u", ip, le16_to_cpu(a->port));
	} else {
		inet_ntop(AF_INET, a->addr, ip, sizeof(ip));
		snprintf(buf, len, "%s:%u", ip, le16_to_cpu(a->port));
	}
}

static struct srpc *open_srv(u32 id)
{
	const struct ssrv_map_srv *s = ssrv_map_srv(map, id);
	struct srpc_opts o = {
		.session = &sess, .features = SEALFS_FEAT_ALL,
		.role = SEALFS_ROLE_CLIENT, .timeout_ms = 10000,
	};
	char addr[96], err[SCONN_ERR_MAX];
	struct srpc *r;
	int rc;

	if (!s)
		die("server %u not in the map", id);
	addr_text(s, addr, sizeof(addr));
	if (srpc_connect(loop, addr, 0, &o, &r, err, sizeof(err)))
		return NULL;
	rc = srpc_hello_sync(r, NULL);
	if (rc) {
		srpc_free(r);
		return NULL;
	}
	srpc_set_epoch(r, map->epoch);
	return r;
}

/* The cached connection to server @id. */
static struct srpc *srv(u32 id)
{
	u32 i;

	for (i = 0; i < MAXSRV && conn_ids[i]; i++)
		if (conn_ids[i] == id && srpc_is_up(conns[i]))
			return conns[i];
	for (i = 0; i < MAXSRV; i++) {
		if (!conn_ids[i] || conn_ids[i] == id) {
			if (conns[i])
				srpc_free(conns[i]);
			conns[i] = open_srv(id);
			conn_ids[i] = conns[i] ? id : 0;
			return conns[i];
		}
	}
	die("too many servers");
	return NULL;
}

static void get_map(const char *mgr, const char *volname)
{
	struct sealfs_map_get_req q = {};
	struct srpc_call call = {
		.opcode = SEALFS_OP_MAP_GET, .payload = &q, .len = sizeof(q),
	};
	struct srpc_result res;
	char err[SCONN_ERR_MAX];
	struct srpc *r;
	u32 i;

	if (srpc_connect(loop, mgr, SEALFS_MANAGER_PORT, NULL, &r, err, sizeof(err)) ||
	    srpc_hello_sync(r, NULL))
		die("cannot reach the manager %s", mgr);
	if (srpc_call_sync(r, &call, &res) || ssrv_map_decode(&res.m, &map))
		die("MAP_GET failed");
	srpc_result_free(&res);
	srpc_free(r);
	for (i = 0; i < map->nvol; i++) {
		if (!strcmp(map->vol[i].name, volname)) {
			vol = map->vol[i].id;
			chunk = map->vol[i].chunk_size;
		}
	}
	if (!vol)
		die("volume %s not in the map", volname);
}

/* Payload builder. */
struct pl {
	u8 b[8192];
	u32 n;
};

static void pl_put(struct pl *p, const void *d, u32 n)
{
	memcpy(p->b + p->n, d, n);
	p->n += n;
}

/*
 * srpc_call_sync(), sent again while the server answers NOTREADY (it has
 * not got the map the request was routed by yet, and did nothing).
 */
static int call_sync(struct srpc *r, struct srpc_call *c, struct srpc_result *res)
{
	int rc = -EAGAIN, i;

	for (i = 0; i < 200; i++) {
		rc = srpc_call_sync(r, c, res);
		if (!(rc == -EAGAIN && res->replied && res->h.status == SEALFS_S_NOTREADY))
			return rc;
		srpc_result_free(res);
		usleep(100000);
	}
	return rc;
}

/* One call; returns the errno, fills @res (freed by the caller if replied). */
static int call(struct srpc *r, u16 op, const struct pl *p,
		const struct iovec *data, unsigned int ndata,
		struct srpc_result *res)
{
	struct srpc_call c = {
		.opcode = op, .payload = p->b, .len = p->n, .data = data,
		.ndata = ndata,
	};


	if (!r)
		die("%s: no connection", sealfs_op_name(op));
	return call_sync(r, &c, res);
}

static u32 owner_entry(u64 parent, const char *name)
{
	return ssrv_map_owner(map, sealfs_key_entry(vol, parent, (const u8 *)name,
						    strlen(name)));
}

static u32 owner_inode(u64 ino)
{
	return ssrv_map_owner(map, sealfs_key_inode(vol, ino));
}

static u32 owner_chunk(u64 ino, u64 off)
{
	return ssrv_map_owner(map, sealfs_key_chunk(vol, ino, off / chunk));
}

static void name_pl(struct pl *p, u64 parent, const char *name)
{
	struct sealfs_name_req q = {
		.parent = cpu_to_le64(parent), .vol = cpu_to_le32(vol),
		.name_len = cpu_to_le16(strlen(name)),
	};

	p->n = 0;
	pl_put(p, &q, sizeof(q));
	pl_put(p, name, strlen(name));
}

static int lookup(struct srpc *r, u64 parent, const char *name,
		  struct sealfs_attr *a, struct srpc_result *out)
{
	struct srpc_result res;
	struct pl p;
	int rc;

	name_pl(&p, parent, name);
	rc = call(r, SEALFS_OP_LOOKUP, &p, NULL, 0, &res);
	if (!rc && a)
		*a = ((const struct sealfs_entry_rep *)res.m.body)->attr;
	if (out)
		*out = res;
	else
		srpc_result_free(&res);
	return rc;
}

static int create(struct srpc *r, u64 parent, const char *name, u32 mode,
		  u32 flags, u64 req_id, u32 hflags, struct sealfs_attr *a)
{
	struct sealfs_create_req q = {
		.parent = cpu_to_le64(parent), .vol = cpu_to_le32(vol),
		.mode = cpu_to_le32(mode), .flags = cpu_to_le32(flags),
		.name_len = cpu_to_le16(strlen(name)),
	};
	struct srpc_call c = { .opcode = SEALFS_OP_CREATE, .req_id = req_id,
			       .flags = hflags };
	struct srpc_result res;
	struct pl p = {};
	int rc;

	pl_put(&p, &q, sizeof(q));
	pl_put(&p, name, strlen(name));
	c.payload = p.b;
	c.len = p.n;
	rc = call_sync(r, &c, &res);
	if (!rc && a)
		*a = ((const struct sealfs_entry_rep *)res.m.body)->attr;
	srpc_result_free(&res);
	return rc;
}

static int ino_call(struct srpc *r, u16 op, u64 ino, struct srpc_result *res)
{
	struct sealfs_ino_req q = { .ino = cpu_to_le64(ino), .vol = cpu_to_le32(vol) };
	struct pl p = {};

	pl_put(&p, &q, sizeof(q));
	return call(r, op, &p, NULL, 0, res);
}

#define CHECK(cond, ...) do { if (!(cond)) die(__VA_ARGS__); } while (0)

/* Retries @op until it stops answering EAGAIN-like errors (20 s). */
static u64 root_ready(void)
{
	struct srpc_result res;
	int rc = -1, i;

	for (i = 0; i < 200; i++) {
		struct srpc *r = srv(owner_inode(SEALFS_ROOT_INO));

		if (r) {
			rc = ino_call(r, SEALFS_OP_GETATTR, SEALFS_ROOT_INO, &res);
			srpc_result_free(&res);
			if (!rc)
				return SEALFS_ROOT_INO;
		}
		usleep(100000);
	}
	die("root of the volume not available: %s", strerror(-rc));
	return 0;
}

static void readdir_all(u64 dir, const char *want, bool *found, bool *attr)
{
	u32 i;

	*found = *attr = false;
	for (i = 0; i < map->nsrv; i++) {
		struct sealfs_readdir_req q = {
			.dir = cpu_to_le64(dir), .vol = cpu_to_le32(vol),
			.max_bytes = cpu_to_le32(65536),
		};
		struct sealfs_rec_iter it;
		struct srpc_result res;
		struct sealfs_rec rec;
		struct pl p = {};
		int rc;

		pl_put(&p, &q, sizeof(q));
		rc = call(srv(map->srv[i].id), SEALFS_OP_READDIR, &p, NULL, 0, &res);
		CHECK(!rc, "READDIR on server %u: %s", map->srv[i].id, strerror(-rc));
		CHECK(le32_to_cpu(((const struct sealfs_readdir_rep *)res.m.body)->flags) &
		      SEALFS_RD_EOF, "READDIR: no EOF");
		sealfs_rec_iter_init(&it, &res.m);
		while (sealfs_rec_next(&it, &rec)) {
			const struct sealfs_dirent *d = rec.body;

			if (rec.name_len == strlen(want) &&
			    !memcmp(rec.name, want, rec.name_len)) {
				*found = true;
				*attr = le32_to_cpu(d->flags) & SEALFS_EF_ATTR;
			}
		}
		srpc_result_free(&res);
	}
}

static void xattrs(u64 ino)
{
	struct srpc *r = srv(owner_inode(ino));
	struct sealfs_setxattr_req sq = {
		.ino = cpu_to_le64(ino), .vol = cpu_to_le32(vol),
		.value_len = cpu_to_le32(5), .name_len = cpu_to_le16(6),
	};
	struct sealfs_getxattr_req gq = {
		.ino = cpu_to_le64(ino), .vol = cpu_to_le32(vol),
		.size = cpu_to_le32(100), .name_len = cpu_to_le16(6),
	};
	struct sealfs_listxattr_req lq = {
		.ino = cpu_to_le64(ino), .vol = cpu_to_le32(vol),
		.size = cpu_to_le32(100),
	};
	struct sealfs_removexattr_req rq = {
		.ino = cpu_to_le64(ino), .vol = cpu_to_le32(vol),
		.name_len = cpu_to_le16(6),
	};
	const struct sealfs_xattr_rep *xr;
	struct srpc_result res;
	struct pl p = {};
	int rc;

	pl_put(&p, &sq, sizeof(sq));
	pl_put(&p, "user.a", 6);
	pl_put(&p, "hello", 5);
	rc = call(r, SEALFS_OP_SETXATTR, &p, NULL, 0, &res);
	CHECK(!rc, "SETXATTR: %s", strerror(-rc));
	srpc_result_free(&res);
	p.n = 0;
	pl_put(&p, &gq, sizeof(gq));
	pl_put(&p, "user.a", 6);
	rc = call(r, SEALFS_OP_GETXATTR, &p, NULL, 0, &res);
	CHECK(!rc, "GETXATTR: %s", strerror(-rc));
	xr = res.m.body;
	CHECK(le32_to_cpu(xr->size) == 5 && res.m.tail_len[0] == 5 &&
	      !memcmp(res.m.tail[0], "hello", 5), "GETXATTR value");
	srpc_result_free(&res);
	p.n = 0;
	pl_put(&p, &lq, sizeof(lq));
	rc = call(r, SEALFS_OP_LISTXATTR, &p, NULL, 0, &res);
	CHECK(!rc, "LISTXATTR: %s", strerror(-rc));
	CHECK(res.m.tail_len[0] == 7 && !memcmp(res.m.tail[0], "user.a", 7),
	      "LISTXATTR list");
	srpc_result_free(&res);
	p.n = 0;
	pl_put(&p, &rq, sizeof(rq));
	pl_put(&p, "user.a", 6);
	rc = call(r, SEALFS_OP_REMOVEXATTR, &p, NULL, 0, &res);
	CHECK(!rc, "REMOVEXATTR: %s", strerror(-rc));
	srpc_result_free(&res);
	p.n = 0;
	pl_put(&p, &gq, sizeof(gq));
	pl_put(&p, "user.a", 6);
	rc = call(r, SEALFS_OP_GETXATTR, &p, NULL, 0, &res);
	CHECK(rc == -ENODATA, "GETXATTR after remove: %s", strerror(-rc));
	srpc_result_free(&res);
}

static u64 write_at(u64 ino, u64 off, const char *data, u32 stable)
{
	struct sealfs_write_req q = {
		.ino = cpu_to_le64(ino), .offset = cpu_to_le64(off),
		.vol = cpu_to_le32(vol), .length = cpu_to_le32(strlen(data)),
		.flags = cpu_to_le32(stable),
	};
	struct iovec iov = { .iov_base = (void *)data, .iov_len = strlen(data) };
	const struct sealfs_write_rep *wr;
	struct srpc_result res;
	struct pl p = {};
	u64 boot;
	int rc;

	pl_put(&p, &q, sizeof(q));
	rc = call(srv(owner_chunk(ino, off)), SEALFS_OP_WRITE, &p, &iov, 1, &res);
	CHECK(!rc, "WRITE at %llu: %s", (unsigned long long)off, strerror(-rc));
	wr = res.m.body;
	CHECK(le32_to_cpu(wr->written) == strlen(data), "WRITE short");
	CHECK(le32_to_cpu(wr->committed) == !!stable, "WRITE committed flag");
	boot = le64_to_cpu(wr->boot_id);
	srpc_result_free(&res);
	return boot;
}

static void read_at(u64 ino, u64 off, const char *want)
{
	struct sealfs_read_req q = {
		.ino = cpu_to_le64(ino), .offset = cpu_to_le64(off),
		.vol = cpu_to_le32(vol), .length = cpu_to_le32(strlen(want) + 3),
	};
	struct srpc_result res;
	struct pl p = {};
	int rc;

	if ((off % chunk) + strlen(want) + 3 > chunk)
		q.length = cpu_to_le32(chunk - off % chunk);
	pl_put(&p, &q, sizeof(q));
	rc = call(srv(owner_chunk(ino, off)), SEALFS_OP_READ, &p, NULL, 0, &res);
	CHECK(!rc, "READ: %s", strerror(-rc));
	CHECK(res.m.tail_len[0] == strlen(want) &&
	      !memcmp(res.m.tail[0], want, strlen(want)),
	      "READ at %llu: got %u bytes", (unsigned long long)off, res.m.tail_len[0]);
	srpc_result_free(&res);
}

static void commit(u64 ino, u64 off, u64 boot)
{
	struct srpc_result res;
	int rc;

	rc = ino_call(srv(owner_chunk(ino, off)), SEALFS_OP_COMMIT, ino, &res);
	CHECK(!rc, "COMMIT: %s", strerror(-rc));
	CHECK(le64_to_cpu(((const struct sealfs_commit_rep *)res.m.body)->boot_id) == boot,
	      "COMMIT boot id differs from WRITE's");
	srpc_result_free(&res);
}

/* A malformed message closes its connection only. */
static void malformed(u32 id)
{
	const struct ssrv_map_srv *s = ssrv_map_srv(map, id);
	const struct sealfs_addr *a = &s->addr[SEALFS_TRANSPORT_TCP];
	struct sockaddr_in sin = { .sin_family = AF_INET };
	struct pollfd pfd;
	struct srpc_result res;
	u8 junk[64];
	ssize_t n;
	int fd, rc, i;

	sin.sin_port = htons(le16_to_cpu(a->port));
	memcpy(&sin.sin_addr, a->addr, 4);
	fd = socket(AF_INET, SOCK_STREAM, 0);
	CHECK(fd >= 0 && !connect(fd, (struct sockaddr *)&sin, sizeof(sin)),
	      "raw connect");
	memset(junk, 0x5a, sizeof(junk));
	CHECK(write(fd, junk, sizeof(junk)) == sizeof(junk), "raw write");
	for (i = 0; i < 100; i++) {
		pfd.fd = fd;
		pfd.events = POLLIN;
		CHECK(poll(&pfd, 1, 10000) == 1, "malformed: connection not closed");
		n = read(fd, junk, sizeof(junk));
		if (n <= 0)
			break;
	}
	CHECK(i < 100, "malformed: connection not closed");
	close(fd);
	{
		struct sealfs_vol_req q = { .vol = cpu_to_le32(vol) };
		struct pl p = {};

		pl_put(&p, &q, sizeof(q));
		rc = call(srv(id), SEALFS_OP_STATFS, &p, NULL, 0, &res);
		CHECK(!rc, "other connection after a malformed one: %s", strerror(-rc));
		srpc_result_free(&res);
	}
}

static unsigned int burst_ok, burst_done;

static void burst_cb(struct srpc *r, int err, const struct sealfs_hdr_info *h,
		     const struct sealfs_msg *m, struct sconn_buf *payload,
		     void *arg)
{
	(void)r;
	(void)h;
	(void)m;
	(void)payload;
	(void)arg;
	burst_done++;
	burst_ok += !err;
}

/* Many requests in flight on one connection: all answered. */
static void burst(u64 ino, unsigned int n)
{
	struct sealfs_ino_req q = { .ino = cpu_to_le64(ino), .vol = cpu_to_le32(vol) };
	struct srpc_call c = {
		.opcode = SEALFS_OP_GETATTR, .payload = &q, .len = sizeof(q),
	};
	struct srpc *r = srv(owner_inode(ino));
	u64 end = sloop_now_ms() + 20000;
	unsigned int i;

	for (i = 0; i < n; i++)
		CHECK(!srpc_call(r, &c, burst_cb, NULL, NULL), "burst: srpc_call");
	while (burst_done < n && sloop_now_ms() < end)
		sloop_run_once(loop, 100);
	CHECK(burst_ok == n, "burst: %u of %u requests answered OK", burst_ok, n);
}

static int run(const char *state)
{
	struct sealfs_attr a, f, d, x;
	struct srpc_result res;
	u64 root, fino, boot1, boot2, rid;
	u32 own, other, i;
	bool found, attr;
	FILE *fp;
	int rc;

	root = root_ready();
	/* create, lookup, getattr */
	own = owner_entry(root, "f1");
	rc = create(srv(own), root, "f1", S_IFREG | 0644, SEALFS_CF_EXCL, 0, 0, &f);
	CHECK(!rc, "CREATE f1: %s", strerror(-rc));
	fino = le64_to_cpu(f.ino);
	CHECK(owner_inode(fino) == own, "new inode not on the entry's server");
	rc = lookup(srv(own), root, "f1", &a, NULL);
	CHECK(!rc && a.ino == f.ino, "LOOKUP f1: %s", strerror(-rc));
	rc = ino_call(srv(owner_inode(fino)), SEALFS_OP_GETATTR, fino, &res);
	CHECK(!rc && S_ISREG(le32_to_cpu(((const struct sealfs_attr_rep *)res.m.body)->attr.mode)),
	      "GETATTR f1: %s", strerror(-rc));
	srpc_result_free(&res);
	/* setattr */
	{
		struct sealfs_setattr_req q = {
			.ino = cpu_to_le64(fino), .vol = cpu_to_le32(vol),
			.valid = cpu_to_le32(SEALFS_SA_MODE | SEALFS_SA_SIZE_EXTEND),
			.mode = cpu_to_le32(0600), .size = cpu_to_le64(chunk + 10),
		};
		struct pl p = {};

		pl_put(&p, &q, sizeof(q));
		rc = call(srv(owner_inode(fino)), SEALFS_OP_SETATTR, &p, NULL, 0, &res);
		CHECK(!rc, "SETATTR: %s", strerror(-rc));
		a = ((const struct sealfs_attr_rep *)res.m.body)->attr;
		CHECK((le32_to_cpu(a.mode) & 07777) == 0600 &&
		      le64_to_cpu(a.size) == chunk + 10, "SETATTR result");
		srpc_result_free(&res);
	}
	/* mkdir, create inside, readdir over all servers */
	rc = create(srv(owner_entry(root, "d1")), root, "d1", S_IFDIR | 0755,
		    SEALFS_CF_EXCL, 0, 0, &d);
	CHECK(!rc && S_ISDIR(le32_to_cpu(d.mode)), "MKDIR d1: %s", strerror(-rc));
	rc = create(srv(owner_entry(le64_to_cpu(d.ino), "x")), le64_to_cpu(d.ino),
		    "x", S_IFIFO | 0644, 0, 0, 0, &x);
	CHECK(!rc, "MKNOD d1/x: %s", strerror(-rc));
	readdir_all(le64_to_cpu(d.ino), "x", &found, &attr);
	CHECK(found && attr, "READDIR d1: x missing or without attributes");
	/* data across two chunks */
	boot1 = write_at(fino, chunk - 5, "abcde", 0);
	boot2 = write_at(fino, chunk, "0123456789", SEALFS_WF_STABLE);
	read_at(fino, chunk - 5, "abcde");
	read_at(fino, chunk, "0123456789");
	commit(fino, chunk - 5, boot1);
	commit(fino, chunk, boot2);
	/* xattrs */
	xattrs(fino);
	/* pipelining beyond the per-connection limit */
	burst(fino, 500);
	/* unlink, rmdir */
	{
		struct pl p;

		name_pl(&p, le64_to_cpu(d.ino), "x");
		rc = call(srv(owner_entry(le64_to_cpu(d.ino), "x")), SEALFS_OP_UNLINK,
			  &p, NULL, 0, &res);
		CHECK(!rc, "UNLINK d1/x: %s", strerror(-rc));
		srpc_result_free(&res);
		rc = lookup(srv(owner_entry(le64_to_cpu(d.ino), "x")), le64_to_cpu(d.ino),
			    "x", NULL, NULL);
		CHECK(rc == -ENOENT, "LOOKUP after UNLINK: %s", strerror(-rc));
		name_pl(&p, root, "d1");
		rc = call(srv(owner_entry(root, "d1")), SEALFS_OP_RMDIR, &p, NULL, 0, &res);
		CHECK(rc == -EOPNOTSUPP || (map->nsrv == 1 && !rc),
		      "RMDIR in a multi-server cluster: %s", strerror(-rc));
		srpc_result_free(&res);
	}
	/* WRONG_OWNER */
	other = 0;
	for (i = 0; i < map->nsrv; i++)
		if (map->srv[i].id != own)
			other = map->srv[i].id;
	if (other) {
		rc = lookup(srv(other), root, "f1", NULL, &res);
		CHECK(rc == -EAGAIN && res.replied && res.h.status == SEALFS_S_WRONG_OWNER,
		      "LOOKUP on a non-owner: %s", strerror(-rc));
		srpc_result_free(&res);
	}
	/* STALE_EPOCH */
	srpc_set_epoch(srv(own), map->epoch - 1);
	rc = lookup(srv(own), root, "f1", NULL, &res);
	CHECK(rc == -EAGAIN && res.replied && res.h.status == SEALFS_S_STALE_EPOCH &&
	      res.h.epoch == map->epoch, "old epoch not refused with STALE_EPOCH");
	srpc_result_free(&res);
	srpc_set_epoch(srv(own), map->epoch);
	/* replay: an exclusive create resent on a new connection */
	own = owner_entry(root, "r1");
	rid = 1ull << 40;
	rc = create(srv(own), root, "r1", S_IFREG | 0644, SEALFS_CF_EXCL, rid, 0, &a);
	CHECK(!rc, "CREATE r1: %s", strerror(-rc));
	for (i = 0; i < MAXSRV; i++) {
		if (conn_ids[i] == own) {
			srpc_free(conns[i]);
			conns[i] = open_srv(own);
		}
	}
	rc = create(srv(own), root, "r1", S_IFREG | 0644, SEALFS_CF_EXCL, rid,
		    SEALFS_HF_RETRY, &x);
	CHECK(!rc && x.ino == a.ino, "replayed CREATE: %s", strerror(-rc));
	rc = create(srv(own), root, "r1", S_IFREG | 0644, SEALFS_CF_EXCL, 0, 0, &x);
	CHECK(rc == -EEXIST, "new exclusive CREATE of r1: %s", strerror(-rc));
	/* malformed message */
	malformed(own);
	/* an acknowledged create for the restart check */
	own = owner_entry(root, "keep");
	rc = create(srv(own), root, "keep", S_IFREG | 0644, SEALFS_CF_EXCL, 0, 0, &a);
	CHECK(!rc, "CREATE keep: %s", strerror(-rc));
	fp = fopen(state, "w");
	CHECK(fp, "cannot write %s", state);
	fprintf(fp, "keep %llu %u %u\n", (unsigned long long)le64_to_cpu(a.ino), own,
		le16_to_cpu(ssrv_map_srv(map, own)->addr[SEALFS_TRANSPORT_TCP].port));
	fclose(fp);
	printf("ok\n");
	return 0;
}

static int check(const char *name, u64 ino)
{
	struct sealfs_attr a;
	int rc = -1, i;

	for (i = 0; i < 200; i++) {
		struct srpc *r;
		u32 j;

		/* A restarted server may have moved the epoch: refetch. */
		for (j = 0; j < MAXSRV; j++) {
			if (conns[j])
				srpc_free(conns[j]);
			conns[j] = NULL;
			conn_ids[j] = 0;
		}
		ssrv_map_put(map);
		map = NULL;
		get_map(mgr_addr, vol_name);
		r = srv(owner_entry(SEALFS_ROOT_INO, name));

		if (r) {
			rc = lookup(r, SEALFS_ROOT_INO, name, &a, NULL);
			if (!rc)
				break;
		}
		usleep(100000);
	}
	CHECK(!rc, "LOOKUP %s after restart: %s", name, strerror(-rc));
	CHECK(le64_to_cpu(a.ino) == ino, "%s has inode %llx, not %llx", name,
	      (unsigned long long)le64_to_cpu(a.ino), (unsigned long long)ino);
	printf("ok\n");
	return 0;
}

int main(int argc, char **argv)
{
	u64 cid;

	if (argc < 4) {
		fprintf(stderr, "usage: srv_probe MANAGER VOLUME run STATEFILE | check NAME INO\n");
		return 2;
	}
	if (getrandom(&cid, sizeof(cid), 0) != sizeof(cid))
		cid = (u64)getpid() << 20;
	srpc_session_init(&sess, cid | 1);
	if (sloop_new(&loop))
		die("sloop_new");
	mgr_addr = argv[1];
	vol_name = argv[2];
	get_map(argv[1], argv[2]);
	if (!strcmp(argv[3], "run") && argc == 5)
		return run(argv[4]);
	if (!strcmp(argv[3], "check") && argc == 6)
		return check(argv[4], strtoull(argv[5], NULL, 10));
	fprintf(stderr, "srv_probe: bad command\n");
	return 2;
}
