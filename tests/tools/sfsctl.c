// SPDX-License-Identifier: Apache-2.0
/*
 * sfsctl: file operations on a SealFS volume through the client library
 * (utils/lib/scli.h), for scripts and the cluster tests.
 *
 *   sfsctl -m MANAGER -v VOLUME [-t TIMEOUT_MS] COMMAND ARGS...
 *
 * Paths are resolved by the client, one component at a time from the
 * volume's root; the servers never see them. Commands:
 *
 *   mkdir PATH              create [-f] [-t reg|fifo|sock] PATH
 *   write [-s] PATH < DATA  cat PATH
 *   truncate PATH SIZE      ls [-l] [DIR]
 *   stat PATH               rm PATH
 *   rmdir PATH              mv SRC DST
 *   ln SRC DST              symlink TARGET PATH
 *   readlink PATH           setxattr PATH NAME VALUE
 *   getxattr PATH NAME      listxattr PATH
 *   removexattr PATH NAME   statfs
 *   batch                   one command per line of standard input
 *                           (words split at blanks), in one client
 *
 * create is exclusive unless -f. write creates the file if need be,
 * replaces its contents with standard input and commits (-s: stable
 * writes). Exit status: 0 on success, 1 with "sfsctl: OP PATH: error" on
 * a failure (batch: after running every line), 2 for a usage error.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "scli.h"

#define MAXWORDS	16

static struct scli *cl;

static int fail(const char *op, const char *path, int rc)
{
	fprintf(stderr, "sfsctl: %s %s: %s\n", op, path, strerror(-rc));
	return 1;
}

static int usage(void)
{
	fprintf(stderr,
		"usage: sfsctl -m MANAGER -v VOLUME [-t TIMEOUT_MS] COMMAND ARGS...\n"
		"  mkdir PATH | create [-f] [-t reg|fifo|sock] PATH | write [-s] PATH\n"
		"  cat PATH | truncate PATH SIZE | ls [-l] [DIR] | stat PATH | rm PATH\n"
		"  rmdir PATH | mv SRC DST | ln SRC DST | symlink TARGET PATH\n"
		"  readlink PATH | setxattr PATH NAME VALUE | getxattr PATH NAME\n"
		"  listxattr PATH | removexattr PATH NAME | statfs | batch\n");
	return 2;
}

static char type_char(u32 mode)
{
	switch (mode & S_IFMT) {
	case S_IFDIR:	return 'd';
	case S_IFLNK:	return 'l';
	case S_IFIFO:	return 'p';
	case S_IFSOCK:	return 's';
	case S_IFCHR:	return 'c';
	case S_IFBLK:	return 'b';
	default:	return '-';
	}
}

static void print_long(const struct scli_attr *a, const char *name)
{
	printf("%c%04o %u %u %u %llu %llu %s\n", type_char(a->mode), a->mode & 07777,
	       a->nlink, a->uid, a->gid, (unsigned long long)a->size,
	       (unsigned long long)a->ino, name);
}

/*
 * The parent and last name of @path. The last directory resolved is
 * remembered for the next command (batch runs many in one directory); a
 * command that removes or moves a directory forgets it.
 */
static char last_dir[4096];
static u64 last_dir_ino;

static int parent_of(const char *op, const char *path, u64 *parent, char *name)
{
	const char *slash = strrchr(path, '/');
	size_t dl = slash ? (size_t)(slash - path) : 0;
	int rc;

	if (last_dir_ino && slash && slash[1] && dl < sizeof(last_dir) &&
	    strlen(last_dir) == dl && !strncmp(path, last_dir, dl) &&
	    strlen(slash + 1) <= SEALFS_NAME_MAX) {
		strcpy(name, slash + 1);
		*parent = last_dir_ino;
		return 0;
	}
	rc = scli_resolve_parent(cl, path, parent, name, SEALFS_NAME_MAX + 1);
	if (rc)
		return fail(op, path, rc);
	if (slash && slash[1] && dl && dl < sizeof(last_dir)) {
		memcpy(last_dir, path, dl);
		last_dir[dl] = '\0';
		last_dir_ino = *parent;
	}
	return 0;
}

static int cmd_create(const char *op, const char *path, u32 mode, bool excl)
{
	char name[SEALFS_NAME_MAX + 1];
	u64 parent;
	int rc;

	if (parent_of(op, path, &parent, name))
		return 1;
	rc = scli_create(cl, parent, name, mode, 0, excl, NULL);
	return rc ? fail(op, path, rc) : 0;
}

static int cmd_write(const char *path, bool stable)
{
	char name[SEALFS_NAME_MAX + 1];
	static char buf[1 << 20];
	struct scli_attr a;
	u64 parent, off = 0, size = 0;
	ssize_t n;
	int rc;

	if (parent_of("write", path, &parent, name))
		return 1;
	rc = scli_create(cl, parent, name, S_IFREG | 0644, 0, false, &a);
	if (!rc && a.size)
		rc = scli_truncate(cl, a.ino, 0);
	if (rc)
		return fail("write", path, rc);
	while ((n = read(STDIN_FILENO, buf, sizeof(buf))) > 0) {
		ssize_t w = scli_write(cl, a.ino, off, buf, n, stable, &size);

		if (w < 0)
			return fail("write", path, (int)w);
		off += n;
	}
	if (n < 0)
		return fail("write", path, -errno);
	rc = scli_commit(cl, a.ino);
	return rc ? fail("write", path, rc) : 0;
}

static int cmd_cat(const char *path)
{
	static char buf[1 << 20];
	struct scli_attr a;
	u64 off = 0;
	ssize_t n;
	int rc;

	rc = scli_resolve(cl, path, &a);
	if (rc)
		return fail("cat", path, rc);
	while ((n = scli_read(cl, a.ino, off, buf, sizeof(buf))) > 0) {
		if (fwrite(buf, 1, n, stdout) != (size_t)n)
			return fail("cat", path, -EIO);
		off += n;
	}
	return n < 0 ? fail("cat", path, (int)n) : 0;
}

static int cmd_ls(const char *path, bool lng)
{
	struct scli_dirent d;
	struct scli_attr a;
	struct scli_dir *dir;
	int rc;

	rc = scli_resolve(cl, path, &a);
	if (rc)
		return fail("ls", path, rc);
	if (!S_ISDIR(a.mode)) {
		if (lng)
			print_long(&a, path);
		else
			printf("%s\n", path);
		return 0;
	}
	rc = scli_opendir(cl, a.ino, &dir);
	if (rc)
		return fail("ls", path, rc);
	while ((rc = scli_readdir(dir, &d)) > 0) {
		if (!lng) {
			printf("%s\n", d.name);
			continue;
		}
		if (!d.has_attr) {
			rc = scli_getattr(cl, d.attr.ino, &d.attr);
			if (rc)
				break;
		}
		print_long(&d.attr, d.name);
	}
	scli_closedir(dir);
	return rc < 0 ? fail("ls", path, rc) : 0;
}

static int cmd_stat(const char *path)
{
	struct scli_attr a;
	int rc = scli_resolve(cl, path, &a);

	if (rc)
		return fail("stat", path, rc);
	printf("ino=%llu type=%c mode=%04o nlink=%u uid=%u gid=%u size=%llu blocks=%llu "
	       "mtime=%lld.%09u ctime=%lld.%09u\n",
	       (unsigned long long)a.ino, type_char(a.mode), a.mode & 07777, a.nlink,
	       a.uid, a.gid, (unsigned long long)a.size, (unsigned long long)a.blocks,
	       (long long)a.mtime, a.mtime_nsec, (long long)a.ctime, a.ctime_nsec);
	return 0;
}

static int cmd_name(const char *op, const char *path)
{
	char name[SEALFS_NAME_MAX + 1];
	u64 parent;
	int rc;

	if (parent_of(op, path, &parent, name))
		return 1;
	if (!strcmp(op, "rmdir"))
		last_dir_ino = 0;
	rc = !strcmp(op, "rm") ? scli_unlink(cl, parent, name) :
	     !strcmp(op, "rmdir") ? scli_rmdir(cl, parent, name) :
	     scli_create(cl, parent, name, S_IFDIR | 0755, 0, true, NULL);
	return rc ? fail(op, path, rc) : 0;
}

static int cmd_two(const char *op, const char *src, const char *dst)
{
	char sname[SEALFS_NAME_MAX + 1], dname[SEALFS_NAME_MAX + 1];
	struct scli_attr a;
	u64 sp, dp;
	int rc;

	if (parent_of(op, dst, &dp, dname))
		return 1;
	if (!strcmp(op, "symlink")) {
		rc = scli_symlink(cl, dp, dname, src, NULL);
		return rc ? fail(op, dst, rc) : 0;
	}
	if (!strcmp(op, "ln")) {
		rc = scli_resolve(cl, src, &a);
		if (!rc)
			rc = scli_link(cl, a.ino, dp, dname, NULL);
		return rc ? fail(op, src, rc) : 0;
	}
	if (parent_of(op, src, &sp, sname))
		return 1;
	last_dir_ino = 0;
	rc = scli_rename(cl, sp, sname, dp, dname, 0);
	return rc ? fail(op, src, rc) : 0;
}

static int cmd_xattr(const char *op, int argc, char **argv)
{
	static char buf[SEALFS_XATTR_SIZE_MAX + 1];
	struct scli_attr a;
	ssize_t n = 0;
	int rc;

	if ((!strcmp(op, "setxattr") && argc != 4) ||
	    ((!strcmp(op, "getxattr") || !strcmp(op, "removexattr")) && argc != 3) ||
	    (!strcmp(op, "listxattr") && argc != 2))
		return usage();
	rc = scli_resolve(cl, argv[1], &a);
	if (rc)
		return fail(op, argv[1], rc);
	if (!strcmp(op, "setxattr"))
		rc = scli_setxattr(cl, a.ino, argv[2], argv[3], strlen(argv[3]), 0);
	else if (!strcmp(op, "removexattr"))
		rc = scli_removexattr(cl, a.ino, argv[2]);
	else if (!strcmp(op, "getxattr"))
		n = scli_getxattr(cl, a.ino, argv[2], buf, sizeof(buf) - 1);
	else
		n = scli_listxattr(cl, a.ino, buf, sizeof(buf) - 1);
	if (n < 0)
		rc = (int)n;
	if (rc)
		return fail(op, argv[1], rc);
	if (!strcmp(op, "getxattr")) {
		fwrite(buf, 1, n, stdout);
		putchar('\n');
	} else if (!strcmp(op, "listxattr")) {
		ssize_t i;

		for (i = 0; i < n; i += strlen(buf + i) + 1)
			printf("%s\n", buf + i);
	}
	return 0;
}

static int cmd_statfs(void)
{
	struct scli_statfs st;
	int rc = scli_statfs(cl, &st);

	if (rc)
		return fail("statfs", "/", rc);
	printf("servers=%u vol_bytes=%llu vol_inodes=%llu quota_bytes=%llu quota_inodes=%llu "
	       "disk_bytes=%llu disk_free=%llu\n", st.servers,
	       (unsigned long long)st.vol_bytes, (unsigned long long)st.vol_inodes,
	       (unsigned long long)st.quota_bytes, (unsigned long long)st.quota_inodes,
	       (unsigned long long)st.disk_bytes, (unsigned long long)st.disk_free);
	return 0;
}

static int run(int argc, char **argv);

static int cmd_batch(void)
{
	char line[8192];
	int status = 0;

	while (fgets(line, sizeof(line), stdin)) {
		char *words[MAXWORDS + 1], *save = NULL, *w;
		int n = 0;

		for (w = strtok_r(line, " \t\n", &save); w && n < MAXWORDS;
		     w = strtok_r(NULL, " \t\n", &save))
			words[n++] = w;
		words[n] = NULL;
		if (!n || words[0][0] == '#')
			continue;
		if (!strcmp(words[0], "batch") || !strcmp(words[0], "write")) {
			status = usage();
			continue;
		}
		if (run(n, words))
			status = 1;
		fflush(stdout);	/* a script may wait for each answer */
		fflush(stderr);
	}
	fflush(stdout);
	return status;
}

static int run(int argc, char **argv)
{
	const char *op = argv[0];
	bool lng = false, excl = true, stable = false;
	u32 type = S_IFREG;
	int c;

	optind = 0;
	while ((c = getopt(argc, argv, "+lfst:")) != -1) {
		switch (c) {
		case 'l': lng = true; break;
		case 'f': excl = false; break;
		case 's': stable = true; break;
		case 't':
			type = !strcmp(optarg, "fifo") ? S_IFIFO :
			       !strcmp(optarg, "sock") ? S_IFSOCK :
			       !strcmp(optarg, "reg") ? S_IFREG : 0;
			if (!type)
				return usage();
			break;
		default:
			return usage();
		}
	}
	argv += optind - 1;
	argc -= optind - 1;
	if (!strcmp(op, "ls") && argc <= 2)
		return cmd_ls(argc == 2 ? argv[1] : "/", lng);
	if (!strcmp(op, "statfs") && argc == 1)
		return cmd_statfs();
	if (!strcmp(op, "batch") && argc == 1)
		return cmd_batch();
	if (strstr(op, "xattr"))
		return cmd_xattr(op, argc, argv);
	if (argc == 2) {
		if (!strcmp(op, "create"))
			return cmd_create(op, argv[1], type | 0644, excl);
		if (!strcmp(op, "write"))
			return cmd_write(argv[1], stable);
		if (!strcmp(op, "cat"))
			return cmd_cat(argv[1]);
		if (!strcmp(op, "stat"))
			return cmd_stat(argv[1]);
		if (!strcmp(op, "mkdir") || !strcmp(op, "rm") || !strcmp(op, "rmdir"))
			return cmd_name(op, argv[1]);
		if (!strcmp(op, "readlink")) {
			char buf[SEALFS_TARGET_MAX + 1];
			struct scli_attr a;
			ssize_t n;
			int rc = scli_resolve(cl, argv[1], &a);

			n = rc ? rc : scli_readlink(cl, a.ino, buf, sizeof(buf));
			if (n < 0)
				return fail(op, argv[1], (int)n);
			printf("%s\n", buf);
			return 0;
		}
	}
	if (argc == 3) {
		if (!strcmp(op, "mv") || !strcmp(op, "ln") || !strcmp(op, "symlink"))
			return cmd_two(op, argv[1], argv[2]);
		if (!strcmp(op, "truncate")) {
			struct scli_attr a;
			int rc = scli_resolve(cl, argv[1], &a);

			if (!rc)
				rc = scli_truncate(cl, a.ino, strtoull(argv[2], NULL, 0));
			return rc ? fail(op, argv[1], rc) : 0;
		}
	}
	return usage();
}

int main(int argc, char **argv)
{
	const char *mgr = NULL, *vol = NULL;
	struct scli_opts o = {};
	char err[SCLI_ERR_MAX];
	int c, rc;

	while ((c = getopt(argc, argv, "+m:v:t:h")) != -1) {
		switch (c) {
		case 'm': mgr = optarg; break;
		case 'v': vol = optarg; break;
		case 't': o.timeout_ms = strtoul(optarg, NULL, 10); break;
		default: return usage();
		}
	}
	if (!mgr || !vol || optind >= argc)
		return usage();
	rc = scli_open(mgr, vol, &o, &cl, err, sizeof(err));
	if (rc) {
		fprintf(stderr, "sfsctl: open %s: %s\n", vol, err);
		return 1;
	}
	rc = run(argc - optind, argv + optind);
	fflush(stdout);
	scli_close(cl);
	return rc;
}
