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
 *   srv_probe MANAGER VOLUME xrun
 *	operations across servers (tests/cluster/xserver.sh), names chosen
 *	by placement so that their entries land on different servers:
 *	RENAME of a file and a directory, over a file (the old inode gone),
 *	over an empty directory, NOREPLACE, kind mismatches, a directory
 *	into its own subtree, a non-empty target directory whose entry is on
 *	a third server, a replayed RENAME; RMDIR of a directory whose only
 *	entry is on another server; LINK to an inode of another server and
 *	UNLINK of that link (link counts by GETATTR).
 *   srv_probe MANAGER VOLUME xprep STATEFILE
 *	create a file in the root and pick a destination name owned by
 *	another server; writes "SRC DST INO SRC_PORT DST_PORT".
 *   srv_probe MANAGER VOLUME xrename SRC DST
 *	one RENAME in the root; prints its outcome (a crash test expects the
 *	connection to drop).
 *   srv_probe MANAGER VOLUME xstate SRC DST INO
 *	once both names have a definite answer (retrying while a server is
 *	down or a name is in doubt, up to 20 s), prints "src" (only SRC
 *	names INO), "dst" (only DST does), or "both", "none", "other".
 *   srv_probe MANAGER VOLUME xprepdir STATEFILE
 *	create a directory in the root; writes "NAME INO OWNER_PORT".
 *   srv_probe MANAGER VOLUME xrmdir NAME
 *	one RMDIR in the root; prints its outcome.
 *   srv_probe MANAGER VOLUME xgone NAME
 *	once LOOKUP of NAME in the root has a definite answer, prints "gone"
 *	or "there".
 *   srv_probe MANAGER VOLUME xrmdir_down
 *	with a server of the ring DOWN, RMDIR of an empty directory answers
 *	AGAIN and removes nothing.
 *   srv_probe MANAGER VOLUME xcreate NAME
 *	exclusive CREATE of NAME in the root, retried up to 20 s while the
 *	name is held; then UNLINK.
 *   srv_probe MANAGER VOLUME xdeep
 *	a chain of 12 directories whose inodes go round the servers: moving
 *	any of them below itself or a descendant answers EINVAL and moves
 *	nothing; moves that are allowed after the chain is cut and joined
 *	again go through (parent pointers follow).
 *   srv_probe MANAGER VOLUME xcross_prep STATEFILE
 *	directories A and B in the root with a subdirectory each, inodes on
 *	three servers; writes "A B INO_A INO_B INO_A1 INO_B1".
 *   srv_probe MANAGER VOLUME xcross STATEFILE a|b|check SECONDS
 *	for SECONDS, move A (a) or B (b) into the other's subdirectory and
 *	back, checking that the other is never inside its own subdirectory
 *	meanwhile (run both at once); "check": both are in the root.
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
#include <time.h>
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
		CHECK(!rc, "RMDIR of the empty d1: %s", strerror(-rc));
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

/* ---- operations across servers (xrun, xprep, xrename, xstate, xcreate) ---- */

/* A name "PREFIX<n>" in @parent whose entry @want owns (0: any) and @avoid
 * does not (0: none). */
static void pick(u64 parent, const char *prefix, u32 want, u32 avoid,
		 char *name, size_t len)
{
	u32 i, o;

	for (i = 0; i < 100000; i++) {
		snprintf(name, len, "%s%u", prefix, i);
		o = owner_entry(parent, name);
		if ((!want || o == want) && (!avoid || o != avoid))
			return;
	}
	die("no name %s* with the wanted placement", prefix);
}

static u64 xmk(u64 parent, const char *name, u32 mode)
{
	struct sealfs_attr a;
	int rc;

	rc = create(srv(owner_entry(parent, name)), parent, name, mode,
		    SEALFS_CF_EXCL, 0, 0, &a);
	CHECK(!rc, "CREATE %s: %s", name, strerror(-rc));
	return le64_to_cpu(a.ino);
}

static int xgetattr(u64 ino, struct sealfs_attr *a)
{
	struct srpc_result res;
	int rc;

	rc = ino_call(srv(owner_inode(ino)), SEALFS_OP_GETATTR, ino, &res);
	if (!rc && a)
		*a = ((const struct sealfs_attr_rep *)res.m.body)->attr;
	srpc_result_free(&res);
	return rc;
}

static u32 xnlink(u64 ino)
{
	struct sealfs_attr a;
	int rc = xgetattr(ino, &a);

	CHECK(!rc, "GETATTR %llx: %s", (unsigned long long)ino, strerror(-rc));
	return le32_to_cpu(a.nlink);
}

/* The inode @name holds in @parent (on its owner), 0 for none. */
static u64 xino(u64 parent, const char *name)
{
	struct sealfs_attr a;
	int rc = lookup(srv(owner_entry(parent, name)), parent, name, &a, NULL);

	if (rc == -ENOENT)
		return 0;
	CHECK(!rc, "LOOKUP %s: %s", name, strerror(-rc));
	return le64_to_cpu(a.ino);
}

static int xrename(struct srpc *r, u64 sp, const char *sn, u64 dp,
		   const char *dn, u32 flags, u64 req_id,
		   struct sealfs_rename_rep *out)
{
	struct sealfs_rename_req q = {
		.src_parent = cpu_to_le64(sp), .dst_parent = cpu_to_le64(dp),
		.vol = cpu_to_le32(vol), .flags = cpu_to_le32(flags),
		.src_len = cpu_to_le16(strlen(sn)),
		.dst_len = cpu_to_le16(strlen(dn)),
	};
	struct srpc_call c = { .opcode = SEALFS_OP_RENAME, .req_id = req_id,
			       .flags = req_id ? SEALFS_HF_RETRY : 0 };
	struct srpc_result res;
	struct pl p = {};
	int rc;

	if (!r)
		return -ECONNREFUSED;
	pl_put(&p, &q, sizeof(q));
	pl_put(&p, sn, strlen(sn));
	pl_put(&p, dn, strlen(dn));
	c.payload = p.b;
	c.len = p.n;
	rc = call_sync(r, &c, &res);
	if (!rc && out)
		*out = *(const struct sealfs_rename_rep *)res.m.body;
	if (res.replied || !rc)
		srpc_result_free(&res);
	return rc;
}

static int xren(u64 sp, const char *sn, u64 dp, const char *dn, u32 flags,
		struct sealfs_rename_rep *out)
{
	return xrename(srv(owner_entry(sp, sn)), sp, sn, dp, dn, flags, 0, out);
}

static int xname_op(u16 op, u64 parent, const char *name)
{
	struct srpc_result res;
	struct pl p;
	int rc;

	name_pl(&p, parent, name);
	rc = call(srv(owner_entry(parent, name)), op, &p, NULL, 0, &res);
	srpc_result_free(&res);
	return rc;
}

static int xlink(u64 ino, u64 parent, const char *name, struct sealfs_attr *a)
{
	struct sealfs_link_req q = {
		.ino = cpu_to_le64(ino), .parent = cpu_to_le64(parent),
		.vol = cpu_to_le32(vol), .name_len = cpu_to_le16(strlen(name)),
	};
	struct srpc_result res;
	struct pl p = {};
	int rc;

	pl_put(&p, &q, sizeof(q));
	pl_put(&p, name, strlen(name));
	rc = call(srv(owner_entry(parent, name)), SEALFS_OP_LINK, &p, NULL, 0, &res);
	if (!rc && a)
		*a = ((const struct sealfs_entry_rep *)res.m.body)->attr;
	srpc_result_free(&res);
	return rc;
}

static void xrun_rename_files(u64 root)
{
	struct sealfs_rename_rep rep;
	char a[32], b[32], c[32];
	u64 ia, ic;
	u32 x, y;
	int rc;

	/* a file moves to a name another server owns */
	pick(root, "rf", 0, 0, a, sizeof(a));
	x = owner_entry(root, a);
	pick(root, "rg", 0, x, b, sizeof(b));
	y = owner_entry(root, b);
	ia = xmk(root, a, S_IFREG | 0644);
	rc = xren(root, a, root, b, 0, &rep);
	CHECK(!rc && le64_to_cpu(rep.ino) == ia && !rep.replaced_ino,
	      "RENAME %s (server %u) -> %s (server %u): %s", a, x, b, y, strerror(-rc));
	CHECK(xino(root, a) == 0, "source %s still there after RENAME", a);
	CHECK(xino(root, b) == ia, "destination %s does not name the inode", b);
	CHECK(xnlink(ia) == 1, "renamed file's nlink");
	/* over an existing file of another server: the old inode goes */
	pick(root, "rh", 0, y, c, sizeof(c));
	ic = xmk(root, c, S_IFREG | 0644);
	rc = xren(root, b, root, c, SEALFS_RF_NOREPLACE, NULL);
	CHECK(rc == -EEXIST, "RENAME NOREPLACE over %s: %s", c, strerror(-rc));
	CHECK(xino(root, b) == ia && xino(root, c) == ic, "NOREPLACE changed names");
	rc = xren(root, b, root, c, 0, &rep);
	CHECK(!rc && le64_to_cpu(rep.replaced_ino) == ic && rep.replaced_nlink == 0,
	      "RENAME over %s: %s", c, strerror(-rc));
	CHECK(xino(root, b) == 0 && xino(root, c) == ia, "names after RENAME over a file");
	rc = xgetattr(ic, NULL);
	CHECK(rc == -ESTALE, "replaced inode still exists: %s", strerror(-rc));
	/* a replayed RENAME returns the first reply */
	pick(root, "ri", 0, owner_entry(root, c), a, sizeof(a));
	{
		u64 rid = (2ull << 40) | 7;
		struct srpc *r = srv(owner_entry(root, c));
		u32 i;

		rc = xrename(r, root, c, root, a, 0, rid, &rep);
		CHECK(!rc && le64_to_cpu(rep.ino) == ia, "RENAME with a request id: %s",
		      strerror(-rc));
		for (i = 0; i < MAXSRV; i++) {
			if (conn_ids[i] == owner_entry(root, c)) {
				srpc_free(conns[i]);
				conns[i] = open_srv(conn_ids[i]);
			}
		}
		rc = xrename(srv(owner_entry(root, c)), root, c, root, a, 0, rid, &rep);
		CHECK(!rc && le64_to_cpu(rep.ino) == ia, "replayed RENAME: %s",
		      strerror(-rc));
		CHECK(xino(root, a) == ia, "after the replayed RENAME");
	}
}

static void xrun_rename_dirs(u64 root)
{
	struct sealfs_rename_rep rep;
	char a[32], b[32], c[32], d[32], in[32];
	u64 ia, ib, ic, id, ii;
	u32 x, y, z;
	int rc;

	/* a directory with a file inside moves to another server's name */
	pick(root, "da", 0, 0, a, sizeof(a));
	x = owner_entry(root, a);
	pick(root, "db", 0, x, b, sizeof(b));
	y = owner_entry(root, b);
	ia = xmk(root, a, S_IFDIR | 0755);
	ii = xmk(ia, "inner", S_IFREG | 0644);
	rc = xren(root, a, root, b, 0, &rep);
	CHECK(!rc && le64_to_cpu(rep.ino) == ia, "RENAME dir %s -> %s: %s", a, b,
	      strerror(-rc));
	CHECK(xino(root, a) == 0 && xino(root, b) == ia, "names after RENAME of a dir");
	CHECK(xino(ia, "inner") == ii, "the renamed directory lost its entry");
	/* kinds: a directory over a file, a file over a directory */
	pick(root, "dc", 0, y, c, sizeof(c));
	ic = xmk(root, c, S_IFREG | 0644);
	rc = xren(root, b, root, c, 0, NULL);
	CHECK(rc == -ENOTDIR, "RENAME dir over file: %s", strerror(-rc));
	rc = xren(root, c, root, b, 0, NULL);
	CHECK(rc == -EISDIR, "RENAME file over dir: %s", strerror(-rc));
	CHECK(xino(root, c) == ic && xino(root, b) == ia, "failed RENAMEs changed names");
	/* a non-empty directory as the target: its only entry on a third server */
	pick(root, "dd", 0, y, d, sizeof(d));
	z = owner_entry(root, d);
	id = xmk(root, d, S_IFDIR | 0755);
	pick(id, "e", 0, z, in, sizeof(in));
	xmk(id, in, S_IFREG | 0644);
	rc = xren(root, b, root, d, 0, NULL);
	CHECK(rc == -ENOTEMPTY, "RENAME over a directory whose entry is on server %u: %s",
	      owner_entry(id, in), strerror(-rc));
	/* empty once that entry goes: the old directory is replaced */
	rc = xname_op(SEALFS_OP_UNLINK, id, in);
	CHECK(!rc, "UNLINK %s: %s", in, strerror(-rc));
	rc = xren(root, b, root, d, 0, &rep);
	CHECK(!rc && le64_to_cpu(rep.replaced_ino) == id,
	      "RENAME over an empty directory: %s", strerror(-rc));
	CHECK(xino(root, d) == ia && xino(root, b) == 0, "names after dir over dir");
	rc = xgetattr(id, NULL);
	CHECK(rc == -ESTALE, "replaced directory still exists: %s", strerror(-rc));
	/* into its own subtree: EINVAL; its child's inode on the same server */
	pick(ia, "sub", owner_entry(root, d), 0, in, sizeof(in));
	ib = xmk(ia, in, S_IFDIR | 0755);
	rc = xren(root, d, ib, "loop", 0, NULL);
	CHECK(rc == -EINVAL, "RENAME a directory into its own subtree: %s", strerror(-rc));
	rc = xren(root, d, ia, "self", 0, NULL);
	CHECK(rc == -EINVAL, "RENAME a directory into itself: %s", strerror(-rc));
	CHECK(xino(root, d) == ia, "failed RENAME moved the directory");
	/*
	 * A directory moved into a subdirectory, its entry to another server.
	 * The walk up from the destination reads parent pointers, here on
	 * the coordinator (xdeep walks across servers).
	 */
	pick(root, "p1_", 0, 0, a, sizeof(a));
	z = owner_entry(root, a);
	ib = xmk(root, a, S_IFDIR | 0755);
	pick(ib, "p2_", z, 0, in, sizeof(in));
	ib = xmk(ib, in, S_IFDIR | 0755);
	pick(root, "mv", z, 0, a, sizeof(a));
	ic = xmk(root, a, S_IFDIR | 0755);
	pick(ib, "moved", 0, z, c, sizeof(c));
	rc = xren(root, a, ib, c, 0, NULL);
	CHECK(!rc, "RENAME %s into a subdirectory: %s", a, strerror(-rc));
	CHECK(xino(ib, c) == ic && xino(root, a) == 0, "names after RENAME into a dir");
	/* and back up into the root is not "into itself" */
	rc = xren(ib, c, root, a, 0, NULL);
	CHECK(!rc && xino(root, a) == ic, "RENAME back to the root: %s", strerror(-rc));
	/* nor is it allowed to go below itself through the moved parent */
	rc = xren(root, a, ic, "x", 0, NULL);
	CHECK(rc == -EINVAL, "RENAME into itself after moves: %s", strerror(-rc));
	(void)x;
}

static void xrun_rmdir(u64 root)
{
	char d[32], in[32];
	u64 id;
	u32 nl;
	int rc;

	/* its entry elsewhere than the root's inode: the root's nlink follows */
	pick(root, "rm", 0, owner_inode(root), d, sizeof(d));
	nl = xnlink(root);
	id = xmk(root, d, S_IFDIR | 0755);
	CHECK(xnlink(root) == nl + 1, "root nlink after MKDIR on server %u: %u, not %u",
	      owner_entry(root, d), xnlink(root), nl + 1);
	pick(id, "only", 0, owner_entry(root, d), in, sizeof(in));
	xmk(id, in, S_IFREG | 0644);
	rc = xname_op(SEALFS_OP_RMDIR, root, d);
	CHECK(rc == -ENOTEMPTY, "RMDIR %s whose only entry is on server %u: %s", d,
	      owner_entry(id, in), strerror(-rc));
	/* the freeze is released: the directory takes entries again */
	xmk(id, "again", S_IFREG | 0644);
	rc = xname_op(SEALFS_OP_UNLINK, id, "again");
	CHECK(!rc, "UNLINK again: %s", strerror(-rc));
	rc = xname_op(SEALFS_OP_UNLINK, id, in);
	CHECK(!rc, "UNLINK %s: %s", in, strerror(-rc));
	rc = xname_op(SEALFS_OP_RMDIR, root, d);
	CHECK(!rc, "RMDIR of the emptied %s: %s", d, strerror(-rc));
	CHECK(xino(root, d) == 0, "%s still there after RMDIR", d);
	CHECK(xnlink(root) == nl, "root nlink after RMDIR: %u, not %u", xnlink(root), nl);
	rc = xgetattr(id, NULL);
	CHECK(rc == -ESTALE, "removed directory's inode: %s", strerror(-rc));
}

static void xrun_link(u64 root)
{
	struct sealfs_attr a;
	char f[32], l[32];
	u64 ino;
	int rc;

	pick(root, "lf", 0, 0, f, sizeof(f));
	ino = xmk(root, f, S_IFREG | 0644);
	pick(root, "ll", 0, owner_inode(ino), l, sizeof(l));
	rc = xlink(ino, root, l, &a);
	CHECK(!rc && le64_to_cpu(a.ino) == ino && le32_to_cpu(a.nlink) == 2,
	      "LINK %s to an inode of server %u: %s", l, owner_inode(ino),
	      strerror(-rc));
	CHECK(xnlink(ino) == 2, "nlink after LINK");
	CHECK(xino(root, l) == ino, "the link does not name the inode");
	rc = xlink(ino, root, l, NULL);
	CHECK(rc == -EEXIST, "second LINK: %s", strerror(-rc));
	CHECK(xnlink(ino) == 2, "nlink after a refused LINK");
	rc = xname_op(SEALFS_OP_UNLINK, root, l);
	CHECK(!rc, "UNLINK of the link: %s", strerror(-rc));
	CHECK(xnlink(ino) == 1, "nlink after UNLINK of the link");
	rc = xname_op(SEALFS_OP_UNLINK, root, f);
	CHECK(!rc, "UNLINK %s: %s", f, strerror(-rc));
	rc = xgetattr(ino, NULL);
	CHECK(rc == -ESTALE, "inode after its last UNLINK: %s", strerror(-rc));
}

static int xrun(void)
{
	u64 root = root_ready();

	CHECK(map->nsrv >= 3, "xrun needs three servers");
	xrun_rename_files(root);
	xrun_rename_dirs(root);
	xrun_rmdir(root);
	xrun_link(root);
	printf("ok\n");
	return 0;
}

static u16 srv_port(u32 id)
{
	return le16_to_cpu(ssrv_map_srv(map, id)->addr[SEALFS_TRANSPORT_TCP].port);
}

static int xprep(const char *state)
{
	u64 root = root_ready(), ino;
	char a[48], b[48], pa[24], pb[24];
	FILE *fp;
	u32 x, y;

	/* fresh names for every run: the pid in them */
	snprintf(pa, sizeof(pa), "cs%u_", (unsigned int)getpid());
	snprintf(pb, sizeof(pb), "cd%u_", (unsigned int)getpid());
	pick(root, pa, 0, 0, a, sizeof(a));
	x = owner_entry(root, a);
	pick(root, pb, 0, x, b, sizeof(b));
	y = owner_entry(root, b);
	ino = xmk(root, a, S_IFREG | 0644);
	fp = fopen(state, "w");
	CHECK(fp, "cannot write %s", state);
	fprintf(fp, "%s %s %llu %u %u\n", a, b, (unsigned long long)ino,
		srv_port(x), srv_port(y));
	fclose(fp);
	return 0;
}

static int xrename_cmd(const char *a, const char *b)
{
	int rc = xren(SEALFS_ROOT_INO, a, SEALFS_ROOT_INO, b, 0, NULL);

	printf("%s\n", rc ? strerror(-rc) : "ok");
	return 0;
}

/* Drops every connection and fetches the map again. */
static void xrefresh(void)
{
	u32 j;

	for (j = 0; j < MAXSRV; j++) {
		if (conns[j])
			srpc_free(conns[j]);
		conns[j] = NULL;
		conn_ids[j] = 0;
	}
	ssrv_map_put(map);
	map = NULL;
	get_map(mgr_addr, vol_name);
}

/* LOOKUP with a definite answer: 0 (and the inode), -ENOENT, or other. */
static int xsettled(const char *name, u64 *ino)
{
	struct sealfs_attr a;
	struct srpc *r = srv(owner_entry(SEALFS_ROOT_INO, name));
	int rc;

	if (!r)
		return -EAGAIN;
	rc = lookup(r, SEALFS_ROOT_INO, name, &a, NULL);
	*ino = rc ? 0 : le64_to_cpu(a.ino);
	return rc;
}

static int xstate(const char *a, const char *b, u64 ino)
{
	u64 ia = 0, ib = 0;
	int ra = -EAGAIN, rb = -EAGAIN, i;

	for (i = 0; i < 200; i++) {
		xrefresh();
		ra = xsettled(a, &ia);
		rb = xsettled(b, &ib);
		if ((ra == 0 || ra == -ENOENT) && (rb == 0 || rb == -ENOENT))
			break;
		usleep(100000);
	}
	CHECK((ra == 0 || ra == -ENOENT) && (rb == 0 || rb == -ENOENT),
	      "no definite answer: %s %s", strerror(-ra), strerror(-rb));
	if (!ra && ia == ino && rb)
		printf("src\n");
	else if (!rb && ib == ino && ra)
		printf("dst\n");
	else if (!ra && !rb)
		printf("both\n");
	else if (ra && rb)
		printf("none\n");
	else
		printf("other\n");
	return 0;
}

/* A directory in the root for a crash test of RMDIR: "NAME INO PORT". */
static int xprepdir(const char *state)
{
	u64 root = root_ready(), ino;
	char d[48], pfx[24];
	FILE *fp;

	snprintf(pfx, sizeof(pfx), "rd%u_", (unsigned int)getpid());
	pick(root, pfx, 0, 0, d, sizeof(d));
	ino = xmk(root, d, S_IFDIR | 0755);
	fp = fopen(state, "w");
	CHECK(fp, "cannot write %s", state);
	fprintf(fp, "%s %llu %u\n", d, (unsigned long long)ino,
		srv_port(owner_entry(root, d)));
	fclose(fp);
	return 0;
}

static int xrmdir_cmd(const char *name)
{
	int rc = xname_op(SEALFS_OP_RMDIR, SEALFS_ROOT_INO, name);

	printf("%s\n", rc ? strerror(-rc) : "ok");
	return 0;
}

/* Once LOOKUP of NAME in the root has a definite answer: "gone", "there". */
static int xgone(const char *name)
{
	u64 ino = 0;
	int rc = -EAGAIN, i;

	for (i = 0; i < 200; i++) {
		xrefresh();
		rc = xsettled(name, &ino);
		if (rc == 0 || rc == -ENOENT)
			break;
		usleep(100000);
	}
	CHECK(rc == 0 || rc == -ENOENT, "no definite answer: %s", strerror(-rc));
	printf("%s\n", rc ? "gone" : "there");
	return 0;
}

/* RMDIR while a server of the ring is DOWN: AGAIN, nothing removed. */
static int xrmdir_down(void)
{
	struct srpc_result res;
	u64 root = SEALFS_ROOT_INO, ino;	/* its server may be the one down */
	char d[48], pfx[24];
	struct pl p;
	u32 i, o;
	int rc;

	snprintf(pfx, sizeof(pfx), "down%u_", (unsigned int)getpid());
	for (i = 0;; i++) {
		const struct ssrv_map_srv *s;

		snprintf(d, sizeof(d), "%s%u", pfx, i);
		o = owner_entry(root, d);
		s = ssrv_map_srv(map, o);
		if (s && s->state == SEALFS_SRV_UP)
			break;
		CHECK(i < 100000, "no name owned by a server that is up");
	}
	ino = xmk(root, d, S_IFDIR | 0755);
	name_pl(&p, root, d);
	rc = call(srv(o), SEALFS_OP_RMDIR, &p, NULL, 0, &res);
	CHECK(rc == -EAGAIN && res.replied && res.h.status == SEALFS_S_AGAIN,
	      "RMDIR with a server down: %s (status %u)", strerror(-rc),
	      res.replied ? res.h.status : 0);
	srpc_result_free(&res);
	CHECK(xino(root, d) == ino, "RMDIR refused but %s is gone", d);
	printf("ok\n");
	return 0;
}

static int xcreate(const char *name)
{
	int rc = -EAGAIN, i;

	for (i = 0; i < 200; i++) {
		xrefresh();
		rc = create(srv(owner_entry(SEALFS_ROOT_INO, name)), SEALFS_ROOT_INO,
			    name, S_IFREG | 0644, SEALFS_CF_EXCL, 0, 0, NULL);
		if (rc != -EAGAIN && rc != -ECONNRESET && rc != -ECONNREFUSED)
			break;
		usleep(100000);
	}
	CHECK(!rc, "CREATE %s: %s", name, strerror(-rc));
	rc = xname_op(SEALFS_OP_UNLINK, SEALFS_ROOT_INO, name);
	CHECK(!rc, "UNLINK %s: %s", name, strerror(-rc));
	printf("ok\n");
	return 0;
}

/* ---- directory moves below themselves (xdeep, xcross_prep, xcross) ---- */

#define DEEP	12

/*
 * A chain of DEEP directories whose inodes go round the servers (a new
 * directory's inode is on its entry's server), so a walk up from the
 * deepest crosses servers at every level.
 */
static int xdeep(void)
{
	u64 root = root_ready(), ino[DEEP], up;
	char name[DEEP][48], pfx[24], x[48];
	u32 i, j, want;
	int rc;

	CHECK(map->nsrv >= 3, "xdeep needs three servers");
	for (i = 0, up = root; i < DEEP; i++) {
		want = map->srv[i % map->nsrv].id;
		snprintf(pfx, sizeof(pfx), "deep%u_%u_", (unsigned int)getpid(), i);
		pick(up, pfx, want, 0, name[i], sizeof(name[i]));
		ino[i] = xmk(up, name[i], S_IFDIR | 0755);
		CHECK(owner_inode(ino[i]) == want, "level %u's inode not on server %u",
		      i, want);
		up = ino[i];
	}
	/* every ancestor below every descendant: EINVAL, nothing moves */
	for (i = 0; i < DEEP; i++) {
		for (j = i; j < DEEP; j++) {
			up = i ? ino[i - 1] : root;
			rc = xren(up, name[i], ino[j], "cycle", 0, NULL);
			CHECK(rc == -EINVAL, "RENAME level %u below level %u: %s, not EINVAL",
			      i, j, rc ? strerror(-rc) : "done");
		}
	}
	for (i = 0, up = root; i < DEEP; up = ino[i], i++)
		CHECK(xino(up, name[i]) == ino[i], "level %u no longer in level %u",
		      i, i - 1);
	/* the lower half moves up to the root and back: allowed, and the
	 * parent pointers follow (below its old parent: EINVAL) */
	i = DEEP / 2;
	rc = xren(ino[i - 1], name[i], root, name[i], 0, NULL);
	CHECK(!rc, "RENAME level %u to the root: %s", i, strerror(-rc));
	rc = xren(root, name[0], ino[DEEP - 1], "cycle", 0, NULL);
	CHECK(!rc, "RENAME level 0 below the detached level %u: %s", DEEP - 1,
	      strerror(-rc));
	rc = xren(root, name[i], ino[i - 1], name[i], 0, NULL);
	CHECK(rc == -EINVAL, "RENAME level %u back below level 0's moved chain: %s",
	      i, rc ? strerror(-rc) : "done");
	rc = xren(ino[DEEP - 1], "cycle", root, name[0], 0, NULL);
	CHECK(!rc, "RENAME level 0 back to the root: %s", strerror(-rc));
	rc = xren(root, name[i], ino[i - 1], name[i], 0, NULL);
	CHECK(!rc, "RENAME level %u back: %s", i, strerror(-rc));
	for (i = 0, up = root; i < DEEP; up = ino[i], i++)
		CHECK(xino(up, name[i]) == ino[i], "level %u not in place at the end", i);
	snprintf(x, sizeof(x), "cycle");
	CHECK(xino(ino[DEEP - 1], x) == 0, "a moved directory stayed below the chain");
	printf("ok\n");
	return 0;
}

/* A and B at the root, A/a1 and B/b1, every inode on another server. */
static int xcross_prep(const char *state)
{
	u64 root = root_ready(), ia, ib, ia1, ib1;
	char a[48], b[48], a1[48], b1[48], pfx[24];
	FILE *fp;

	CHECK(map->nsrv >= 3, "xcross needs three servers");
	snprintf(pfx, sizeof(pfx), "xa%u_", (unsigned int)getpid());
	pick(root, pfx, map->srv[0].id, 0, a, sizeof(a));
	snprintf(pfx, sizeof(pfx), "xb%u_", (unsigned int)getpid());
	pick(root, pfx, map->srv[1].id, 0, b, sizeof(b));
	ia = xmk(root, a, S_IFDIR | 0755);
	ib = xmk(root, b, S_IFDIR | 0755);
	pick(ia, "a1_", map->srv[2].id, 0, a1, sizeof(a1));
	pick(ib, "b1_", map->srv[2].id, 0, b1, sizeof(b1));
	ia1 = xmk(ia, a1, S_IFDIR | 0755);
	ib1 = xmk(ib, b1, S_IFDIR | 0755);
	fp = fopen(state, "w");
	CHECK(fp, "cannot write %s", state);
	fprintf(fp, "%s %s %llu %llu %llu %llu\n", a, b, (unsigned long long)ia,
		(unsigned long long)ib, (unsigned long long)ia1,
		(unsigned long long)ib1);
	fclose(fp);
	return 0;
}

/* LOOKUP until it has a definite answer. */
static u64 xino_settled(u64 parent, const char *name)
{
	struct sealfs_attr a;
	int rc = -EAGAIN, i;

	for (i = 0; i < 200; i++) {
		rc = lookup(srv(owner_entry(parent, name)), parent, name, &a, NULL);
		if (rc != -EAGAIN)
			break;
		usleep(10000);
	}
	if (rc == -ENOENT)
		return 0;
	CHECK(!rc, "LOOKUP %s: %s", name, strerror(-rc));
	return le64_to_cpu(a.ino);
}

/*
 * For @secs seconds: move X (A or B) into the other's subdirectory and
 * back, while another process does the same with the other one. Whenever
 * X is inside, the other must not be inside X's subdirectory (a cycle,
 * both cut off from the root). "check": both are at the root.
 */
static int xcross(const char *state, const char *which, int secs)
{
	char a[48], b[48], a1[48], b1[48];
	unsigned long long ia, ib, ia1, ib1;
	u32 moved = 0, refused = 0, again = 0;
	const char *xn, *yn;
	u64 xi, yi, x1, y1;
	time_t end = time(NULL) + secs;
	FILE *fp = fopen(state, "r");
	int rc, i;

	CHECK(fp && fscanf(fp, "%47s %47s %llu %llu %llu %llu", a, b, &ia, &ib,
			   &ia1, &ib1) == 6, "cannot read %s", state);
	fclose(fp);
	(void)a1;
	(void)b1;
	if (!strcmp(which, "check")) {
		CHECK(xino_settled(SEALFS_ROOT_INO, a) == ia &&
		      xino_settled(SEALFS_ROOT_INO, b) == ib, "A or B not at the root");
		printf("ok\n");
		return 0;
	}
	xn = *which == 'a' ? a : b;
	yn = *which == 'a' ? b : a;
	xi = *which == 'a' ? ia : ib;
	yi = *which == 'a' ? ib : ia;
	x1 = *which == 'a' ? ia1 : ib1;
	y1 = *which == 'a' ? ib1 : ia1;
	while (time(NULL) < end) {
		rc = xren(SEALFS_ROOT_INO, xn, y1, xn, 0, NULL);
		if (rc == -EINVAL) {
			refused++;
			continue;
		}
		if (rc == -EAGAIN) {
			again++;
			usleep(1000);
			continue;
		}
		CHECK(!rc, "RENAME %s into %s's subdirectory: %s", xn, yn, strerror(-rc));
		moved++;
		/* a crossing move that passed its walk meanwhile has landed */
		usleep(150000);
		CHECK(xino_settled(x1, yn) != yi, "cycle: %s in %s's subdirectory and %s in %s's",
		      xn, yn, yn, xn);
		for (i = 0; i < 2000; i++) {
			rc = xren(y1, xn, SEALFS_ROOT_INO, xn, 0, NULL);
			if (rc != -EAGAIN)
				break;
			usleep(10000);
		}
		CHECK(!rc, "RENAME %s back to the root: %s", xn, strerror(-rc));
	}
	printf("%s: moved %u refused %u again %u\n", which, moved, refused, again);
	CHECK(xino_settled(SEALFS_ROOT_INO, xn) == xi, "%s not back at the root", xn);
	return 0;
}

int main(int argc, char **argv)
{
	u64 cid;

	if (argc < 4) {
		fprintf(stderr, "usage: srv_probe MANAGER VOLUME run STATEFILE | check NAME INO | xrun | xprep STATEFILE | xrename SRC DST | xstate SRC DST INO | xprepdir STATEFILE | xrmdir NAME | xgone NAME | xrmdir_down | xcreate NAME | xdeep | xcross_prep STATEFILE | xcross STATEFILE a|b|check SECONDS\n");
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
	if (!strcmp(argv[3], "xrun") && argc == 4)
		return xrun();
	if (!strcmp(argv[3], "xprep") && argc == 5)
		return xprep(argv[4]);
	if (!strcmp(argv[3], "xrename") && argc == 6)
		return xrename_cmd(argv[4], argv[5]);
	if (!strcmp(argv[3], "xstate") && argc == 7)
		return xstate(argv[4], argv[5], strtoull(argv[6], NULL, 10));
	if (!strcmp(argv[3], "xprepdir") && argc == 5)
		return xprepdir(argv[4]);
	if (!strcmp(argv[3], "xrmdir") && argc == 5)
		return xrmdir_cmd(argv[4]);
	if (!strcmp(argv[3], "xgone") && argc == 5)
		return xgone(argv[4]);
	if (!strcmp(argv[3], "xrmdir_down") && argc == 4)
		return xrmdir_down();
	if (!strcmp(argv[3], "xcreate") && argc == 5)
		return xcreate(argv[4]);
	if (!strcmp(argv[3], "xdeep") && argc == 4)
		return xdeep();
	if (!strcmp(argv[3], "xcross_prep") && argc == 5)
		return xcross_prep(argv[4]);
	if (!strcmp(argv[3], "xcross") && argc == 7)
		return xcross(argv[4], argv[5], atoi(argv[6]));
	fprintf(stderr, "srv_probe: bad command\n");
	return 2;
}
