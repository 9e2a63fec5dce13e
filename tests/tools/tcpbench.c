// SPDX-License-Identifier: Apache-2.0
/*
 * tcpbench: raw TCP over loopback, server and client in one program.
 *
 *   tcpbench rtt [-n ROUNDS] [-s BYTES]
 *	The client sends BYTES (default 64) and waits for the server to echo
 *	them, ROUNDS times (default 10000), TCP_NODELAY on both ends. Prints
 *	"rtt_median VALUE us" and "rtt_p99 VALUE us".
 *   tcpbench stream [-m MIB] [-s BYTES]
 *	The client sends MIB MiB (default 256) in writes of BYTES (default
 *	128 KiB); the server reads them all and answers one byte. Prints
 *	"stream VALUE MiB/s" (from the first write to the answer).
 *
 * The server is a child process listening on an ephemeral port of
 * 127.0.0.1. Exits 0 on success, 1 on an error, 2 on a usage error.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "tests/tools/bench_io.h"

static unsigned rounds = 10000, mib = 256;
static size_t msgsize;

static void die(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));
static void die(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fputs("tcpbench: ", stderr);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(1);
}

static void nodelay(int fd)
{
	int one = 1;

	if (setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one)))
		die("TCP_NODELAY: %s", strerror(errno));
}

static void serve(int lfd, bool stream)
{
	char *buf = malloc(msgsize);
	int fd = accept(lfd, NULL, NULL);

	if (!buf || fd < 0)
		_exit(1);
	nodelay(fd);
	if (stream) {
		uint64_t want = (uint64_t)mib << 20, got = 0;

		while (got < want) {
			ssize_t n = read(fd, buf, msgsize);

			if (n < 0 && errno == EINTR)
				continue;
			if (n <= 0)
				_exit(1);
			got += (uint64_t)n;
		}
		_exit(bio_write_all(fd, "k", 1) ? 0 : 1);
	}
	for (;;) {
		if (!bio_read_all(fd, buf, msgsize))
			_exit(0); /* the client is done */
		if (!bio_write_all(fd, buf, msgsize))
			_exit(1);
	}
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

static void usage(void) __attribute__((noreturn));
static void usage(void)
{
	fputs("usage: tcpbench rtt [-n ROUNDS] [-s BYTES]\n"
	      "       tcpbench stream [-m MIB] [-s BYTES]\n", stderr);
	exit(2);
}

static unsigned number(const char *s, unsigned lo, unsigned hi)
{
	unsigned v;

	if (!bio_number(s, lo, hi, &v))
		usage();
	return v;
}

int main(int argc, char **argv)
{
	struct sockaddr_in sa = { .sin_family = AF_INET };
	socklen_t salen = sizeof(sa);
	bool stream;
	pid_t pid;
	char *buf;
	int c, lfd, fd, st;

	if (argc < 2)
		usage();
	if (!strcmp(argv[1], "rtt"))
		stream = false;
	else if (!strcmp(argv[1], "stream"))
		stream = true;
	else
		usage();
	msgsize = stream ? 128 << 10 : 64;
	optind = 2;
	while ((c = getopt(argc, argv, "n:m:s:")) != -1) {
		switch (c) {
		case 'n':
			rounds = number(optarg, 1, 100000000);
			break;
		case 'm':
			mib = number(optarg, 1, 1U << 22);
			break;
		case 's':
			msgsize = number(optarg, 1, 64U << 20);
			break;
		default:
			usage();
		}
	}
	if (optind != argc)
		usage();
	buf = calloc(1, msgsize);
	if (!buf)
		die("out of memory");

	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	lfd = socket(AF_INET, SOCK_STREAM, 0);
	if (lfd < 0 || bind(lfd, (struct sockaddr *)&sa, sizeof(sa)) || listen(lfd, 1) ||
	    getsockname(lfd, (struct sockaddr *)&sa, &salen))
		die("listen on 127.0.0.1: %s", strerror(errno));
	pid = fork();
	if (pid < 0)
		die("fork: %s", strerror(errno));
	if (pid == 0)
		serve(lfd, stream);
	close(lfd);
	fd = socket(AF_INET, SOCK_STREAM, 0);
	if (fd < 0 || connect(fd, (struct sockaddr *)&sa, sizeof(sa)))
		die("connect: %s", strerror(errno));
	nodelay(fd);

	if (stream) {
		uint64_t left = (uint64_t)mib << 20;
		double t0 = bio_now(), t1;
		char k;

		while (left) {
			size_t n = left < msgsize ? (size_t)left : msgsize;

			if (!bio_write_all(fd, buf, n))
				die("write: %s", strerror(errno));
			left -= n;
		}
		if (!bio_read_all(fd, &k, 1))
			die("no answer from the server");
		t1 = bio_now();
		printf("stream %.1f MiB/s\n", (double)mib / (t1 - t0));
	} else {
		double *t = calloc(rounds, sizeof(double));

		if (!t)
			die("out of memory");
		for (unsigned i = 0; i < rounds; i++) {
			double t0 = bio_now();

			if (!bio_write_all(fd, buf, msgsize) || !bio_read_all(fd, buf, msgsize))
				die("round trip %u failed: %s", i, strerror(errno));
			t[i] = (bio_now() - t0) * 1e6;
		}
		qsort(t, rounds, sizeof(*t), cmp_double);
		printf("rtt_median %.1f us\n", t[(rounds - 1) / 2]);
		printf("rtt_p99 %.1f us\n", t[(size_t)(0.99 * (rounds - 1) + 0.5)]);
		free(t);
	}
	close(fd);
	if (waitpid(pid, &st, 0) < 0 || !WIFEXITED(st) || WEXITSTATUS(st))
		die("the server failed");
	free(buf);
	return 0;
}
