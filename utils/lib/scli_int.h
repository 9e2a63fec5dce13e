/* SPDX-License-Identifier: Apache-2.0 */
/*
 * scli internals shared by scli_conn.c, scli_ns.c, scli_dir.c and
 * scli_data.c. Not for users of the library.
 */
#ifndef SCLI_INT_H
#define SCLI_INT_H

#include <sys/uio.h>

#include "scli.h"
#include "sealfs_codec.h"
#include "sloop.h"
#include "srpc.h"

/**
 * struct scli_conn - a lazily opened connection to one server
 * @id: server id
 * @addr: the address it was opened to ("IP:PORT")
 * @rpc: the connection, or %NULL
 */
struct scli_conn {
	u32 id;
	char addr[80];
	struct srpc *rpc;
};

/**
 * struct scli_unstable - a server holding unstable writes of an inode
 * @ino: inode
 * @server: server id
 * @boot_id: the server's boot id in the WRITE replies
 */
struct scli_unstable {
	u64 ino;
	u32 server;
	u64 boot_id;
};

/**
 * struct scli - a client of one volume
 * @loop: its own event loop
 * @session: client id and request ids, shared by every connection
 * @mgr: connection to the manager, or %NULL
 * @manager: the manager's address
 * @volname: the volume's name
 * @map: the map the client acts on
 * @vol: the volume's id in @map
 * @chunk: its chunk size
 * @opts: options with defaults filled in
 * @conns: server connections
 * @nconns: entries of @conns
 * @uns: servers holding unstable writes
 * @nuns: entries of @uns
 * @err: reason of the last failure
 */
struct scli {
	struct sloop *loop;
	struct srpc_session session;
	struct srpc *mgr;
	char manager[128];
	char volname[SEALFS_VOLNAME_MAX + 1];
	struct scli_map *map;
	u32 vol;
	u32 chunk;
	struct scli_opts opts;
	struct scli_conn *conns;
	u32 nconns;
	struct scli_unstable *uns;
	u32 nuns;
	char err[SCLI_ERR_MAX];
};

/**
 * struct scli_req - one routed request
 * @op: opcode
 * @server: the server to send to, or 0 for the owner of @key under the
 *	current map (recomputed after every refetch)
 * @key: a sealfs_key_*() value when @server is 0
 * @payload: fixed body and variable parts
 * @len: bytes of @payload
 * @data: detached data (WRITE), or %NULL
 * @ndata: entries of @data
 */
struct scli_req {
	u16 op;
	u32 server;
	u64 key;
	const void *payload;
	u32 len;
	const struct iovec *data;
	unsigned int ndata;
};

/* Payload builder for requests with names. */
struct scli_pl {
	u8 b[SEALFS_TARGET_MAX + 2 * SEALFS_NAME_MAX + 128];
	u32 n;
};

static inline void scli_pl_put(struct scli_pl *p, const void *d, u32 n)
{
	memcpy(p->b + p->n, d, n);
	p->n += n;
}

int scli_call(struct scli *cl, const struct scli_req *q,
	      struct srpc_result *res, u32 *served_by);
struct srpc *scli_conn_get(struct scli *cl, u32 id, int *rcp);
int scli_fail(struct scli *cl, int rc, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
int scli_name_ok(struct scli *cl, const char *what, const char *name);

#endif /* SCLI_INT_H */
