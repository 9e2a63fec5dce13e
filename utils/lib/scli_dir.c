// SPDX-License-Identifier: Apache-2.0
/*
 * scli_dir: directory listings of the client library. See scli.h.
 *
 * Every server holds a slice of every directory (the entries whose keys it
 * owns). scli_readdir_slice() reads one server's slice from a cookie;
 * the scli_opendir() iterator reads the slices of all the servers of the
 * map in parallel rounds, each server with its own cookie, and returns
 * every entry once. A listing that spans a map change can miss or repeat
 * entries whose keys moved between servers. Entries carry attributes when the answering server also
 * holds the inode (always, for entries created by CREATE).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "scli_int.h"

#define SCLI_READDIR_BYTES	65536u

/* Checks a READDIR reply and hands its entries to @fn. */
static int slice_parse(struct scli *cl, u32 server, const struct sealfs_hdr_info *h,
		       const struct sealfs_msg *m, u32 max_bytes, u64 cookie,
		       scli_dirent_fn fn, void *arg, u64 *next_cookie, bool *eof)
{
	const struct sealfs_readdir_rep *rep = m->body;
	struct sealfs_rec_iter it;
	struct sealfs_rec rec;
	struct scli_dirent d;
	int rc = 0;

	if (h->len > max_bytes)
		return scli_fail(cl, -EPROTO, "READDIR reply from server %u too large", server);
	*eof = le32_to_cpu(rep->flags) & SEALFS_RD_EOF;
	*next_cookie = cookie;
	sealfs_rec_iter_init(&it, m);
	while (sealfs_rec_next(&it, &rec)) {
		const struct sealfs_dirent *w = rec.body;

		memcpy(d.name, rec.name, rec.name_len);
		d.name[rec.name_len] = '\0';
		d.cookie = le64_to_cpu(w->cookie);
		d.server = server;
		d.has_attr = le32_to_cpu(w->flags) & SEALFS_EF_ATTR;
		scli_attr_from_wire(&d.attr, &w->attr);
		*next_cookie = d.cookie;
		rc = fn(&d, arg);
		if (rc)
			break;
	}
	return rc;
}

/**
 * scli_readdir_slice() - one READDIR on one server
 * @cl: the client
 * @server: server id
 * @dir: directory inode
 * @cookie: 0 to start, else a cookie from an entry of an earlier call
 * @max_bytes: largest reply wanted (0: 64 KiB)
 * @fn: called for each entry; a non-zero return stops the walk and is
 *	returned
 * @arg: for @fn
 * @next_cookie: set to the cookie to continue from
 * @eof: set when the slice has no entries after these
 * Return: 0, @fn's non-zero value, or -errno.
 */
int scli_readdir_slice(struct scli *cl, u32 server, u64 dir, u64 cookie,
		       u32 max_bytes, scli_dirent_fn fn, void *arg,
		       u64 *next_cookie, bool *eof)
{
	struct sealfs_readdir_req r = {
		.dir = cpu_to_le64(dir), .cookie = cpu_to_le64(cookie),
		.vol = cpu_to_le32(cl->vol),
		.max_bytes = cpu_to_le32(max_bytes ? max_bytes : SCLI_READDIR_BYTES),
	};
	struct scli_req q = {
		.op = SEALFS_OP_READDIR, .server = server, .payload = &r,
		.len = sizeof(r),
	};
	struct srpc_result res;
	int rc;

	rc = scli_call(cl, &q, &res, NULL);
	if (rc)
		return rc;
	rc = slice_parse(cl, server, &res.h, &res.m, le32_to_cpu(r.max_bytes), cookie,
			 fn, arg, next_cookie, eof);
	srpc_result_free(&res);
	return rc;
}

/**
 * struct scli_dir - a merged listing in progress
 * @cl: the client
 * @dir: directory inode
 * @srv: server ids of the map at opendir time
 * @cookie: per server: where its slice continues
 * @eof: per server: its slice is read to the end
 * @nsrv: entries of @srv
 * @ents: entries read and not returned yet
 * @nents: how many @ents holds
 * @pos: next of @ents to return
 * @cap: room in @ents
 */
struct scli_dir {
	struct scli *cl;
	u64 dir;
	u32 *srv;
	u64 *cookie;
	bool *eof;
	u32 nsrv;
	struct scli_dirent *ents;
	u32 nents;
	u32 pos;
	u32 cap;
};

/**
 * struct dir_fetch - one server's READDIR of a round, in flight
 * @req: the request
 * @sent: it was sent
 * @done: it completed
 * @err: its outcome
 * @h: the reply's header
 * @m: the reply
 * @payload: the reply's payload (owned)
 */
struct dir_fetch {
	struct sealfs_readdir_req req;
	bool sent;
	bool done;
	int err;
	struct sealfs_hdr_info h;
	struct sealfs_msg m;
	void *payload;
};

/**
 * scli_opendir() - start a listing merged over all servers
 * @cl: the client
 * @dir: directory inode
 * @dp: the listing, freed with scli_closedir()
 * Return: 0 or -errno (-ENOTDIR, -ENOENT, ...).
 */
int scli_opendir(struct scli *cl, u64 dir, struct scli_dir **dp)
{
	struct scli_attr a;
	struct scli_dir *d;
	u32 i;
	int rc;

	rc = scli_getattr(cl, dir, &a);
	if (rc)
		return rc;
	if (!S_ISDIR(a.mode))
		return scli_fail(cl, -ENOTDIR, "opendir inode %llu", (unsigned long long)dir);
	d = calloc(1, sizeof(*d));
	if (!d)
		return -ENOMEM;
	d->cl = cl;
	d->dir = dir;
	d->nsrv = cl->map->nsrv;
	d->srv = calloc(d->nsrv + 1, sizeof(*d->srv));
	d->cookie = calloc(d->nsrv + 1, sizeof(*d->cookie));
	d->eof = calloc(d->nsrv + 1, sizeof(*d->eof));
	if (!d->srv || !d->cookie || !d->eof) {
		scli_closedir(d);
		return -ENOMEM;
	}
	for (i = 0; i < d->nsrv; i++)
		d->srv[i] = cl->map->srv[i].id;
	*dp = d;
	return 0;
}

static int dir_keep(const struct scli_dirent *e, void *arg)
{
	struct scli_dir *d = arg;

	if (d->nents == d->cap) {
		u32 cap = d->cap ? d->cap * 2 : 256;
		struct scli_dirent *n = realloc(d->ents, cap * sizeof(*n));

		if (!n)
			return -ENOMEM;
		d->ents = n;
		d->cap = cap;
	}
	d->ents[d->nents++] = *e;
	return 0;
}

static void fetch_done(struct srpc *r, int err, const struct sealfs_hdr_info *h,
		       const struct sealfs_msg *m, struct sconn_buf *payload,
		       void *arg)
{
	struct dir_fetch *f = arg;

	(void)r;
	f->done = true;
	f->err = err;
	if (!err && h && m) {
		f->h = *h;
		f->m = *m;	/* points into the payload we keep */
		f->payload = sconn_buf_steal(payload);
	}
}

/*
 * One round: READDIR to every server whose slice is not at its end, all at
 * once, then the replies in server order. A server whose request could not
 * be sent or was not answered OK (steering, a lost connection) is read
 * again through scli_readdir_slice(), which retries and refetches the map.
 */
static int dir_round(struct scli_dir *d)
{
	struct scli *cl = d->cl;
	struct dir_fetch *f;
	u32 i, pending = 0;
	int rc = 0;

	f = calloc(d->nsrv, sizeof(*f));
	if (!f)
		return -ENOMEM;
	for (i = 0; i < d->nsrv; i++) {
		struct srpc_call call = {
			.opcode = SEALFS_OP_READDIR, .payload = &f[i].req,
			.len = sizeof(f[i].req),
		};
		struct srpc *r;
		int e;

		if (d->eof[i])
			continue;
		f[i].req = (struct sealfs_readdir_req){
			.dir = cpu_to_le64(d->dir), .cookie = cpu_to_le64(d->cookie[i]),
			.vol = cpu_to_le32(cl->vol), .max_bytes = cpu_to_le32(SCLI_READDIR_BYTES),
		};
		r = scli_conn_get(cl, d->srv[i], &e);
		if (r && !srpc_call(r, &call, fetch_done, &f[i], NULL)) {
			f[i].sent = true;
			pending++;
		}
	}
	while (pending) {
		if (sloop_run_once(cl->loop, -1) < 0)
			continue;
		for (pending = 0, i = 0; i < d->nsrv; i++)
			pending += f[i].sent && !f[i].done;
	}
	for (i = 0; i < d->nsrv; i++) {
		if (d->eof[i])
			continue;
		if (!rc && f[i].sent && !f[i].err)
			rc = slice_parse(cl, d->srv[i], &f[i].h, &f[i].m, SCLI_READDIR_BYTES,
					 d->cookie[i], dir_keep, d, &d->cookie[i], &d->eof[i]);
		else if (!rc)
			rc = scli_readdir_slice(cl, d->srv[i], d->dir, d->cookie[i], 0, dir_keep,
						d, &d->cookie[i], &d->eof[i]);
		free(f[i].payload);
	}
	free(f);
	return rc;
}

/**
 * scli_readdir() - the next entry of a merged listing
 * @d: the listing
 * @out: the entry
 *
 * Entries come in rounds: each round asks every server whose slice is not
 * read to its end for its next entries, in parallel.
 * Return: 1 for an entry, 0 at the end, or -errno.
 */
int scli_readdir(struct scli_dir *d, struct scli_dirent *out)
{
	while (d->pos == d->nents) {
		u32 i, open = 0;
		int rc;

		for (i = 0; i < d->nsrv; i++)
			open += !d->eof[i];
		if (!open)
			return 0;
		d->nents = d->pos = 0;
		rc = dir_round(d);
		if (rc)
			return rc;
		if (!d->nents) {
			u32 still = 0;

			for (i = 0; i < d->nsrv; i++)
				still += !d->eof[i];
			if (still == open)	/* no progress: a broken server */
				return scli_fail(d->cl, -EPROTO, "READDIR: no entries and no EOF");
		}
	}
	*out = d->ents[d->pos++];
	return 1;
}

/**
 * scli_closedir() - end a listing
 * @d: the listing, or %NULL
 */
void scli_closedir(struct scli_dir *d)
{
	if (!d)
		return;
	free(d->srv);
	free(d->cookie);
	free(d->eof);
	free(d->ents);
	free(d);
}
