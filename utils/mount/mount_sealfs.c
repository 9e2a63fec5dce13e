// SPDX-License-Identifier: Apache-2.0
/*
 * mount.sealfs: the helper mount(8) runs for `mount -t sealfs`.
 *
 *   mount.sealfs SOURCE DIR [-sfnv] [-N NAMESPACE] [-o OPTIONS] [-t TYPE]
 *
 * Resolves the manager host names in SOURCE (sealfs.ko takes numeric
 * addresses only), turns the generic options into MS_* flags and calls
 * mount(2) with type "sealfs". -f does everything but mount(2); -n is
 * accepted (nothing is written to an mtab); -s is accepted (sealfs.ko
 * decides which options it knows); -v says what is done.
 *
 * Exit status as mount(8)'s: 0 mounted, 1 bad usage or a malformed
 * SOURCE or OPTIONS, 32 a host name did not resolve or mount(2) failed.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <netdb.h>
#include <netinet/in.h>
#include <sched.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <unistd.h>

#include "msrc.h"

#define MS_EXIT_USAGE	1
#define MS_EXIT_FAIL	32
/* mount(2) reads at most a page of data. */
#define MS_DATA_MAX	4096

static const char ms_usage[] =
	"Usage: mount.sealfs SOURCE DIR [-sfnvh] [-N NAMESPACE] [-o OPTIONS]\n"
	"Mount a SealFS volume; SOURCE is HOST[:PORT][,HOST[:PORT]...]:/VOLUME.\n"
	"\n"
	"  -o OPTIONS    mount options (mount(8)'s generic ones and sealfs's)\n"
	"  -f            do everything but the mount(2) call\n"
	"  -n            do not write /etc/mtab (accepted; there is none)\n"
	"  -s            tolerate sloppy options (accepted)\n"
	"  -v            say what is done\n"
	"  -N NAMESPACE  mount in another mount namespace (PID or path)\n"
	"  -h            print this help and exit\n"
	"\n"
	"Exit status: 0 mounted, 1 bad usage, 32 mount failure.\n";

static bool ms_verbose;

/* getaddrinfo(), every IPv4 and IPv6 address of @host. */
static int ms_resolve(void *ctx, const char *host, struct msrc_addr *out,
		      size_t max, size_t *n)
{
	struct addrinfo hints = { .ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM };
	struct addrinfo *res, *ai;
	int rc;

	(void)ctx;
	*n = 0;
	rc = getaddrinfo(host, NULL, &hints, &res);
	if (rc)
		return rc;
	for (ai = res; ai && *n < max; ai = ai->ai_next) {
		if (ai->ai_family == AF_INET) {
			out[*n].family = AF_INET;
			memcpy(out[*n].addr, &((struct sockaddr_in *)ai->ai_addr)->sin_addr, 4);
			(*n)++;
		} else if (ai->ai_family == AF_INET6) {
			out[*n].family = AF_INET6;
			memcpy(out[*n].addr, &((struct sockaddr_in6 *)ai->ai_addr)->sin6_addr, 16);
			(*n)++;
		}
	}
	freeaddrinfo(res);
	return 0;
}

static void ms_note(void *ctx, const char *host, const char *addr)
{
	(void)ctx;
	if (ms_verbose)
		printf("mount.sealfs: resolved %s to %s\n", host, addr);
}

/* -N: a PID (its mount namespace) or a namespace file. */
static int ms_setns(const char *ns)
{
	char path[64];
	int fd, rc;

	if (ns[0] && strspn(ns, "0123456789") == strlen(ns)) {
		snprintf(path, sizeof(path), "/proc/%s/ns/mnt", ns);
		ns = path;
	}
	fd = open(ns, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		fprintf(stderr, "mount.sealfs: %s: %s\n", ns, strerror(errno));
		return -1;
	}
	rc = setns(fd, CLONE_NEWNS);
	if (rc)
		fprintf(stderr, "mount.sealfs: setns %s: %s\n", ns, strerror(errno));
	close(fd);
	return rc;
}

/* Joins repeated -o arguments with commas. */
static char *ms_add_opts(char *opts, const char *more)
{
	size_t a = opts ? strlen(opts) : 0;
	char *p = realloc(opts, a + strlen(more) + 2);

	if (!p) {
		fprintf(stderr, "mount.sealfs: out of memory\n");
		exit(MS_EXIT_FAIL);
	}
	if (a)
		p[a++] = ',';
	strcpy(p + a, more);
	return p;
}

int main(int argc, char **argv)
{
	char src[MSRC_MAX_LEN + 1], data[MS_DATA_MAX], err[512];
	const char *ns = NULL, *why = "";
	char *opts = NULL;
	bool fake = false;
	unsigned long flags;
	int c, rc;

	while ((c = getopt(argc, argv, "o:sfnvhN:t:")) != -1) {
		switch (c) {
		case 'o':
			opts = ms_add_opts(opts, optarg);
			break;
		case 'f':
			fake = true;
			break;
		case 'v':
			ms_verbose = true;
			break;
		case 's':
		case 'n':
			break;
		case 'N':
			ns = optarg;
			break;
		case 't':
			/* mount(8) may pass "sealfs" or "sealfs.SUBTYPE". */
			if (strcmp(optarg, "sealfs") && strncmp(optarg, "sealfs.", 7)) {
				fprintf(stderr, "mount.sealfs: -t %s: this helper mounts sealfs only\n",
					optarg);
				return MS_EXIT_USAGE;
			}
			break;
		case 'h':
			fputs(ms_usage, stdout);
			return 0;
		default:
			fputs(ms_usage, stderr);
			return MS_EXIT_USAGE;
		}
	}
	if (argc - optind != 2 || !argv[optind][0] || !argv[optind + 1][0]) {
		fprintf(stderr, "mount.sealfs: expected SOURCE and DIR\n");
		fputs(ms_usage, stderr);
		return MS_EXIT_USAGE;
	}
	if (mopts_parse(opts, &flags, data, sizeof(data), err, sizeof(err))) {
		fprintf(stderr, "mount.sealfs: %s\n", err);
		return MS_EXIT_USAGE;
	}
	rc = msrc_rewrite(argv[optind], ms_resolve, ms_note, NULL, src, sizeof(src),
			  err, sizeof(err));
	if (rc) {
		fprintf(stderr, "mount.sealfs: %s\n", err);
		return rc == MSRC_ERESOLVE ? MS_EXIT_FAIL : MS_EXIT_USAGE;
	}
	if (ms_verbose) {
		printf("mount.sealfs: mount(2) source=%s target=%s type=sealfs flags=0x%lx data=%s%s\n",
		       src, argv[optind + 1], flags, data, fake ? " (-f: not called)" : "");
		fflush(stdout);
	}
	if (fake)
		return 0;
	if (ns && ms_setns(ns))
		return MS_EXIT_FAIL;
	if (mount(src, argv[optind + 1], "sealfs", flags, data)) {
		if (errno == EINVAL || errno == EOPNOTSUPP)
			why = " (the kernel log says why)";
		else if (errno == ENODEV)
			why = " (is sealfs.ko loaded? modprobe sealfs)";
		fprintf(stderr, "mount.sealfs: mounting %s on %s failed: %s%s\n",
			src, argv[optind + 1], strerror(errno), why);
		return MS_EXIT_FAIL;
	}
	if (ms_verbose)
		printf("mount.sealfs: %s mounted on %s\n", src, argv[optind + 1]);
	free(opts);
	return 0;
}
