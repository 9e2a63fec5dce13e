// SPDX-License-Identifier: Apache-2.0
/*
 * scli_ns: namespace calls of the client library. See scli.h.
 *
 * Name operations go to the owner of the entry (volume, parent, name),
 * inode operations to the owner of the inode (volume, ino). LINK goes to
 * the owner of the new entry and RENAME to the owner of the source entry;
 * the server reaches any other server involved.
 */
#include <errno.h>
#include <string.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "scli_int.h"

/**
 * scli_attr_from_wire() - attributes in host order
 * @a: output
 * @w: wire attributes
 */
void scli_attr_from_wire(struct scli_attr *a, const struct sealfs_attr *w)
{
	a->ino = le64_to_cpu(w->ino);
	a->size = le64_to_cpu(w->size);
	a->blocks = le64_to_cpu(w->blocks);
	a->change = le64_to_cpu(w->change);
	a->atime = (s64)le64_to_cpu(w->atime_sec);
	a->mtime = (s64)le64_to_cpu(w->mtime_sec);
	a->ctime = (s64)le64_to_cpu(w->ctime_sec);
	a->atime_nsec = le32_to_cpu(w->atime_nsec);
	a->mtime_nsec = le32_to_cpu(w->mtime_nsec);
	a->ctime_nsec = le32_to_cpu(w->ctime_nsec);
	a->mode = le32_to_cpu(w->mode);
	a->nlink = le32_to_cpu(w->nlink);
	a->uid = le32_to_cpu(w->uid);
	a->gid = le32_to_cpu(w->gid);
	a->rdev = le32_to_cpu(w->rdev);
	a->generation = le32_to_cpu(w->generation);
}

static u64 key_entry(const struct scli *cl, u64 parent, const char *name)
{
	return sealfs_key_entry(cl->vol, parent, (const u8 *)name, strlen(name));
}

static u64 key_inode(const struct scli *cl, u64 ino)
{
	return sealfs_key_inode(cl->vol, ino);
}

/* A call whose reply is an entry_rep or attr_rep; fills @attr if given. */
static int attr_call(struct scli *cl, u16 op, u64 key, const struct scli_pl *p,
		     bool entry, struct scli_attr *attr, u32 *served_by)
{
	struct scli_req q = { .op = op, .key = key, .payload = p->b, .len = p->n };
	struct srpc_result res;
	int rc;

	rc = scli_call(cl, &q, &res, served_by);
	if (rc)
		return rc;
	if (attr) {
		const struct sealfs_attr *w = entry ?
			&((const struct sealfs_entry_rep *)res.m.body)->attr :
			&((const struct sealfs_attr_rep *)res.m.body)->attr;

		scli_attr_from_wire(attr, w);
	}
	srpc_result_free(&res);
	return 0;
}

static void name_pl(const struct scli *cl, struct scli_pl *p, u64 parent,
		    const char *name)
{
	struct sealfs_name_req q = {
		.parent = cpu_to_le64(parent), .vol = cpu_to_le32(cl->vol),
		.name_len = cpu_to_le16(strlen(name)),
	};

	p->n = 0;
	scli_pl_put(p, &q, sizeof(q));
	scli_pl_put(p, name, strlen(name));
}

static void ino_pl(const struct scli *cl, struct scli_pl *p, u64 ino)
{
	struct sealfs_ino_req q = { .ino = cpu_to_le64(ino), .vol = cpu_to_le32(cl->vol) };

	p->n = 0;
	scli_pl_put(p, &q, sizeof(q));
}

/**
 * scli_lookup() - look a name up in a directory
 * @cl: the client
 * @parent: directory inode
 * @name: the name
 * @attr: the entry's inode; may be %NULL
 * Return: 0 or -errno (-ENOENT, ...).
 */
int scli_lookup(struct scli *cl, u64 parent, const char *name,
		struct scli_attr *attr)
{
	struct scli_pl p;
	int rc = scli_name_ok(cl, "lookup", name);

	if (rc)
		return rc;
	name_pl(cl, &p, parent, name);
	return attr_call(cl, SEALFS_OP_LOOKUP, key_entry(cl, parent, name), &p, true,
			 attr, NULL);
}

/**
 * scli_getattr() - an inode's attributes
 * @cl: the client
 * @ino: inode
 * @attr: output
 * Return: 0 or -errno (-ESTALE when the inode is gone).
 */
int scli_getattr(struct scli *cl, u64 ino, struct scli_attr *attr)
{
	struct scli_pl p;

	ino_pl(cl, &p, ino);
	return attr_call(cl, SEALFS_OP_GETATTR, key_inode(cl, ino), &p, false, attr,
			 NULL);
}

/* DATA_TRUNCATE to every server of the map; the first error is returned. */
static int truncate_all(struct scli *cl, u64 ino, u64 size, u32 flags)
{
	struct sealfs_truncate_req t = {
		.ino = cpu_to_le64(ino), .size = cpu_to_le64(size),
		.vol = cpu_to_le32(cl->vol), .flags = cpu_to_le32(flags),
	};
	struct scli_req q = {
		.op = SEALFS_OP_DATA_TRUNCATE, .payload = &t, .len = sizeof(t),
	};
	u32 i, n = cl->map->nsrv, *ids;
	int rc = 0;

	ids = calloc(n ? n : 1, sizeof(*ids));
	if (!ids)
		return -ENOMEM;
	for (i = 0; i < n; i++)
		ids[i] = cl->map->srv[i].id;
	for (i = 0; i < n; i++) {
		struct srpc_result res;
		int e;

		q.server = ids[i];
		e = scli_call(cl, &q, &res, NULL);
		if (!e)
			srpc_result_free(&res);
		else if (!rc)
			rc = e;
	}
	free(ids);
	return rc;
}

/**
 * scli_setattr() - change an inode's attributes
 * @cl: the client
 * @ino: inode
 * @sa: what to change
 * @attr: the inode afterwards; may be %NULL
 *
 * A new size (%SEALFS_SA_SIZE) is set on the inode's server, then every
 * server drops its data past it (DATA_TRUNCATE).
 * Return: 0 or -errno.
 */
int scli_setattr(struct scli *cl, u64 ino, const struct scli_setattr *sa,
		 struct scli_attr *attr)
{
	struct sealfs_setattr_req q = {
		.ino = cpu_to_le64(ino), .vol = cpu_to_le32(cl->vol),
		.valid = cpu_to_le32(sa->valid), .size = cpu_to_le64(sa->size),
		.atime_sec = cpu_to_le64((u64)sa->atime),
		.mtime_sec = cpu_to_le64((u64)sa->mtime),
		.atime_nsec = cpu_to_le32(sa->atime_nsec),
		.mtime_nsec = cpu_to_le32(sa->mtime_nsec),
		.mode = cpu_to_le32(sa->mode), .uid = cpu_to_le32(sa->uid),
		.gid = cpu_to_le32(sa->gid),
	};
	struct scli_attr a;
	struct scli_pl p = { .n = 0 };
	int rc;

	if (sa->valid & ~SEALFS_SA_KNOWN)
		return scli_fail(cl, -EINVAL, "setattr: unknown bits %#x", sa->valid);
	scli_pl_put(&p, &q, sizeof(q));
	rc = attr_call(cl, SEALFS_OP_SETATTR, key_inode(cl, ino), &p, false, &a, NULL);
	if (rc)
		return rc;
	if ((sa->valid & SEALFS_SA_SIZE) && S_ISREG(a.mode)) {
		rc = truncate_all(cl, ino, sa->size, 0);
		if (rc)
			return rc;
	}
	if (attr)
		*attr = a;
	return 0;
}

/**
 * scli_create() - create a file, directory, FIFO, socket or device
 * @cl: the client
 * @parent: directory inode
 * @name: the new name
 * @mode: type and permission bits (S_IFREG, S_IFDIR, S_IFIFO, ...)
 * @rdev: device number for devices, else 0
 * @excl: fail with -EEXIST if the name exists (directories always do)
 * @attr: the new (or, without @excl, the existing regular file's) inode;
 *	may be %NULL
 *
 * The owner and group are the calling process's.
 * Return: 0 or -errno (-EEXIST, -EDQUOT, -ENOENT, ...).
 */
int scli_create(struct scli *cl, u64 parent, const char *name, u32 mode,
		u32 rdev, bool excl, struct scli_attr *attr)
{
	struct sealfs_create_req q = {
		.parent = cpu_to_le64(parent), .vol = cpu_to_le32(cl->vol),
		.mode = cpu_to_le32(mode), .uid = cpu_to_le32(geteuid()),
		.gid = cpu_to_le32(getegid()), .rdev = cpu_to_le32(rdev),
		.flags = cpu_to_le32(excl ? SEALFS_CF_EXCL : 0),
		.name_len = cpu_to_le16(strlen(name)),
	};
	struct scli_pl p = { .n = 0 };
	int rc = scli_name_ok(cl, "create", name);

	if (rc)
		return rc;
	scli_pl_put(&p, &q, sizeof(q));
	scli_pl_put(&p, name, strlen(name));
	return attr_call(cl, SEALFS_OP_CREATE, key_entry(cl, parent, name), &p, true,
			 attr, NULL);
}

/**
 * scli_symlink() - create a symbolic link
 * @cl: the client
 * @parent: directory inode
 * @name: the link's name
 * @target: what it points to (1 to %SEALFS_TARGET_MAX bytes)
 * @attr: the new inode; may be %NULL
 * Return: 0 or -errno.
 */
int scli_symlink(struct scli *cl, u64 parent, const char *name,
		 const char *target, struct scli_attr *attr)
{
	size_t tl = strlen(target);
	struct sealfs_symlink_req q = {
		.parent = cpu_to_le64(parent), .vol = cpu_to_le32(cl->vol),
		.uid = cpu_to_le32(geteuid()), .gid = cpu_to_le32(getegid()),
		.name_len = cpu_to_le16(strlen(name)), .target_len = cpu_to_le16(tl),
	};
	struct scli_pl p = { .n = 0 };
	int rc = scli_name_ok(cl, "symlink", name);

	if (rc)
		return rc;
	if (!tl || tl > SEALFS_TARGET_MAX)
		return scli_fail(cl, tl ? -ENAMETOOLONG : -ENOENT, "symlink target");
	scli_pl_put(&p, &q, sizeof(q));
	scli_pl_put(&p, name, strlen(name));
	scli_pl_put(&p, target, tl);
	return attr_call(cl, SEALFS_OP_SYMLINK, key_entry(cl, parent, name), &p, true,
			 attr, NULL);
}

/**
 * scli_readlink() - the target of a symbolic link
 * @cl: the client
 * @ino: the link's inode
 * @buf: output, NUL-terminated when there is room
 * @size: room in @buf
 * Return: the target's length (may exceed @size - 1: truncated), or -errno.
 */
ssize_t scli_readlink(struct scli *cl, u64 ino, char *buf, size_t size)
{
	struct srpc_result res;
	struct scli_pl p;
	struct scli_req q = { .op = SEALFS_OP_READLINK };
	u32 n;
	int rc;

	ino_pl(cl, &p, ino);
	q.key = key_inode(cl, ino);
	q.payload = p.b;
	q.len = p.n;
	rc = scli_call(cl, &q, &res, NULL);
	if (rc)
		return rc;
	n = res.m.tail_len[0];
	if (size) {
		size_t c = n < size - 1 ? n : size - 1;

		memcpy(buf, res.m.tail[0], c);
		buf[c] = '\0';
	}
	srpc_result_free(&res);
	return n;
}

/**
 * scli_link() - give an inode another name
 * @cl: the client
 * @ino: the inode
 * @parent: directory of the new name
 * @name: the new name
 * @attr: the inode afterwards; may be %NULL
 * Return: 0 or -errno (-EOPNOTSUPP from servers that cannot do it yet).
 */
int scli_link(struct scli *cl, u64 ino, u64 parent, const char *name,
	      struct scli_attr *attr)
{
	struct sealfs_link_req q = {
		.ino = cpu_to_le64(ino), .parent = cpu_to_le64(parent),
		.vol = cpu_to_le32(cl->vol), .name_len = cpu_to_le16(strlen(name)),
	};
	struct scli_pl p = { .n = 0 };
	int rc = scli_name_ok(cl, "link", name);

	if (rc)
		return rc;
	scli_pl_put(&p, &q, sizeof(q));
	scli_pl_put(&p, name, strlen(name));
	return attr_call(cl, SEALFS_OP_LINK, key_entry(cl, parent, name), &p, true,
			 attr, NULL);
}

/**
 * scli_unlink() - remove a name (not a directory)
 * @cl: the client
 * @parent: directory inode
 * @name: the name
 *
 * When that was the last link of a regular file with data, every server
 * drops its chunks (DATA_TRUNCATE with %SEALFS_TF_DESTROY; the entry's
 * server has dropped its own). An empty file has no chunks to drop: data
 * written past the size and never followed by SIZE_EXTEND (a writer that
 * died in between) is left behind.
 * Return: 0 or -errno.
 */
int scli_unlink(struct scli *cl, u64 parent, const char *name)
{
	struct scli_attr a;
	struct scli_pl p;
	int rc = scli_name_ok(cl, "unlink", name);

	if (rc)
		return rc;
	name_pl(cl, &p, parent, name);
	rc = attr_call(cl, SEALFS_OP_UNLINK, key_entry(cl, parent, name), &p, true,
		       &a, NULL);
	if (rc || a.nlink || !S_ISREG(a.mode) || !a.size)
		return rc;
	/* Best effort: the name is gone whatever happens to the chunks. */
	truncate_all(cl, a.ino, 0, SEALFS_TF_DESTROY);
	return 0;
}

/**
 * scli_rmdir() - remove an empty directory
 * @cl: the client
 * @parent: directory inode
 * @name: the name
 * Return: 0 or -errno (-ENOTEMPTY, -ENOTDIR, ...).
 */
int scli_rmdir(struct scli *cl, u64 parent, const char *name)
{
	struct scli_req q = { .op = SEALFS_OP_RMDIR };
	struct srpc_result res;
	struct scli_pl p;
	int rc = scli_name_ok(cl, "rmdir", name);

	if (rc)
		return rc;
	name_pl(cl, &p, parent, name);
	q.key = key_entry(cl, parent, name);
	q.payload = p.b;
	q.len = p.n;
	rc = scli_call(cl, &q, &res, NULL);
	if (!rc)
		srpc_result_free(&res);
	return rc;
}

/**
 * scli_rename() - move a directory entry
 * @cl: the client
 * @src_parent: source directory
 * @src: source name
 * @dst_parent: destination directory
 * @dst: destination name
 * @flags: %SEALFS_RF_NOREPLACE or 0
 * Return: 0 or -errno (-EOPNOTSUPP from servers that cannot do it yet).
 */
int scli_rename(struct scli *cl, u64 src_parent, const char *src,
		u64 dst_parent, const char *dst, u32 flags)
{
	struct sealfs_rename_req r = {
		.src_parent = cpu_to_le64(src_parent),
		.dst_parent = cpu_to_le64(dst_parent), .vol = cpu_to_le32(cl->vol),
		.flags = cpu_to_le32(flags), .src_len = cpu_to_le16(strlen(src)),
		.dst_len = cpu_to_le16(strlen(dst)),
	};
	struct scli_req q = { .op = SEALFS_OP_RENAME };
	struct srpc_result res;
	struct scli_pl p = { .n = 0 };
	int rc;

	rc = scli_name_ok(cl, "rename", src);
	if (!rc)
		rc = scli_name_ok(cl, "rename", dst);
	if (rc)
		return rc;
	if (flags & ~SEALFS_RF_KNOWN)
		return scli_fail(cl, -EINVAL, "rename flags %#x", flags);
	scli_pl_put(&p, &r, sizeof(r));
	scli_pl_put(&p, src, strlen(src));
	scli_pl_put(&p, dst, strlen(dst));
	q.key = key_entry(cl, src_parent, src);
	q.payload = p.b;
	q.len = p.n;
	rc = scli_call(cl, &q, &res, NULL);
	if (!rc)
		srpc_result_free(&res);
	return rc;
}
