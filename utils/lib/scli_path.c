// SPDX-License-Identifier: Apache-2.0
/*
 * scli_path: client-side path resolution for tools. Servers never see
 * paths: a path is looked up one component at a time from the volume's
 * root (%SEALFS_ROOT_INO). Symbolic links are not followed, "." is
 * skipped and ".." is refused (entries do not name their parent).
 */
#include <errno.h>
#include <string.h>
#include <sys/stat.h>

#include "scli_int.h"

/* Copies the next component of *@pp into @name; 0 at the end. */
static int next_comp(struct scli *cl, const char **pp, char *name)
{
	const char *p = *pp, *e;
	size_t n;

	for (;;) {
		while (*p == '/')
			p++;
		if (!*p)
			return 0;
		e = strchrnul(p, '/');
		n = e - p;
		if (n == 1 && p[0] == '.') {
			p = e;
			continue;
		}
		break;
	}
	if (n > SEALFS_NAME_MAX)
		return scli_fail(cl, -ENAMETOOLONG, "path component %.40s...", p);
	if (n == 2 && p[0] == '.' && p[1] == '.')
		return scli_fail(cl, -EINVAL, "'..' in a path");
	memcpy(name, p, n);
	name[n] = '\0';
	*pp = e;
	return 1;
}

/**
 * scli_resolve() - the inode a path names
 * @cl: the client
 * @path: "/a/b/c" (relative paths start at the root too)
 * @attr: output
 * Return: 0 or -errno (-ENOENT, -ENOTDIR, ...).
 */
int scli_resolve(struct scli *cl, const char *path, struct scli_attr *attr)
{
	char name[SEALFS_NAME_MAX + 1];
	struct scli_attr a;
	int rc;

	rc = scli_getattr(cl, SEALFS_ROOT_INO, &a);
	while (!rc && (rc = next_comp(cl, &path, name)) > 0) {
		if (!S_ISDIR(a.mode))
			return scli_fail(cl, -ENOTDIR, "lookup %s", name);
		rc = scli_lookup(cl, a.ino, name, &a);
	}
	if (rc)
		return rc;
	*attr = a;
	return 0;
}

/**
 * scli_resolve_parent() - the directory and last name of a path
 * @cl: the client
 * @path: "/a/b/c"
 * @parent: set to the inode of "/a/b"
 * @name: set to "c"
 * @namelen: room in @name (at least %SEALFS_NAME_MAX + 1)
 * Return: 0 or -errno (-EINVAL for the root itself).
 */
int scli_resolve_parent(struct scli *cl, const char *path, u64 *parent,
			char *name, size_t namelen)
{
	char dir[4096];
	const char *end = path + strlen(path), *slash;
	struct scli_attr a;
	size_t n;
	int rc;

	while (end > path && end[-1] == '/')
		end--;
	slash = end;
	while (slash > path && slash[-1] != '/')
		slash--;
	n = end - slash;
	if (n > SEALFS_NAME_MAX || n >= namelen)
		return scli_fail(cl, -ENAMETOOLONG, "name %.40s...", slash);
	if (!n || (n == 1 && *slash == '.') ||
	    (n == 2 && slash[0] == '.' && slash[1] == '.'))
		return scli_fail(cl, -EINVAL, "path '%s' has no last name", path);
	if ((size_t)(slash - path) >= sizeof(dir))
		return scli_fail(cl, -ENAMETOOLONG, "path");
	memcpy(name, slash, n);
	name[n] = '\0';
	memcpy(dir, path, slash - path);
	dir[slash - path] = '\0';
	rc = scli_resolve(cl, dir, &a);
	if (rc)
		return rc;
	if (!S_ISDIR(a.mode))
		return scli_fail(cl, -ENOTDIR, "%s", dir);
	*parent = a.ino;
	return 0;
}
