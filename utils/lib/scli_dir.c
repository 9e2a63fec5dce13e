// SPDX-License-Identifier: Apache-2.0
/*
 * scli_dir: directory listings of the client library. See scli.h.
 *
 * Every server holds a slice of every directory (the entries whose keys it
 * owns). scli_readdir_slice() reads one server's slice from a cookie;
 * the scli_opendir() iterator reads the slices of all the servers of the
 * map, one after the other, each with its own cookie, and returns every
 * entry once. Entries carry attributes when the answering server also
 * holds the inode (always, for entries created by CREATE).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "scli_int.h"

#define SCLI_READDIR_BYTES	65536u

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
	const struct sealfs_readdir_rep *rep;
	struct sealfs_rec_iter it;
	struct srpc_result res;
	struct sealfs_rec rec;
	struct scli_dirent d;
	int rc;

	rc = scli_call(cl, &q, &res, NULL);
	if (rc)
		return rc;
	if (res.h.len > le32_to_cpu(r.max_bytes)) {
		srpc_result_free(&res);
		return scli_fail(cl, -EPROTO, "READDIR reply from server %u too large",
				 server);
	}
	rep = res.m.body;
	*eof = le32_to_cpu(rep->flags) & SEALFS_RD_EOF;
	*next_cookie = cookie;
	sealfs_rec_iter_init(&it, &res.m);
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
	srpc_result_free(&res);
	return rc;
}

/**
 * struct scli_dir - a merged listing in progress
 * @cl: the client
 * @dir: directory inode
 * @srv: server ids of the map at opendir time
 * @cookie: per server: where its slice continues
 * @nsrv: entries of @srv
 * @cur: the server being read
 * @eof: @srv[@cur] has no more entries after @ents
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
	u32 nsrv;
	u32 cur;
	bool eof;
	struct scli_dirent *ents;
	u32 nents;
	u32 pos;
	u32 cap;
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
	if (!d->srv || !d->cookie) {
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

/**
 * scli_readdir() - the next entry of a merged listing
 * @d: the listing
 * @out: the entry
 * Return: 1 for an entry, 0 at the end, or -errno.
 */
int scli_readdir(struct scli_dir *d, struct scli_dirent *out)
{
	while (d->pos == d->nents) {
		int rc;

		if (d->cur == d->nsrv)
			return 0;
		if (d->eof) {
			d->cur++;
			d->eof = false;
			continue;
		}
		d->nents = d->pos = 0;
		rc = scli_readdir_slice(d->cl, d->srv[d->cur], d->dir, d->cookie[d->cur],
					0, dir_keep, d, &d->cookie[d->cur], &d->eof);
		if (rc)
			return rc;
		if (!d->nents && !d->eof)	/* no progress: a broken server */
			return scli_fail(d->cl, -EPROTO, "READDIR on server %u: no entries and no EOF",
					 d->srv[d->cur]);
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
	free(d->ents);
	free(d);
}
