// SPDX-License-Identifier: Apache-2.0
/*
 * slisten: TCP listeners. Accepted sockets become connections (sconn) that
 * the accept callback hands to their owner.
 */
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "slog.h"
#include "sconn_int.h"
#include "sconn_tcp.h"

#define SLISTEN_ACCEPTS_PER_EVENT	64
#define SLISTEN_BACKOFF_MS		100	/* after EMFILE and the like */

/**
 * struct slisten - a listening socket
 * @loop: the loop
 * @fd: the socket
 * @w: its watch
 * @backoff: resumes accepting after a shortage of fds or memory
 * @fn: the accept callback
 * @arg: for @fn
 * @opts: options of the accepted connections
 * @name: the bound address
 * @port: the bound port
 * @in_accept: inside @fn; a close there is finished afterwards
 * @closed: slisten_close() was called inside @fn
 */
struct slisten {
	struct sloop *loop;
	int fd;
	struct sloop_watch w;
	struct sloop_timer backoff;
	slisten_fn fn;
	void *arg;
	struct sconn_opts opts;
	char name[SCONN_NAME_MAX];
	u16 port;
	bool in_accept;
	bool closed;
};

static void slisten_resume(struct sloop_timer *t, void *arg)
{
	struct slisten *l = arg;

	(void)t;
	sloop_watch_mod(&l->w, SLOOP_IN);
}

static void slisten_accept_one(struct slisten *l, int fd,
			       const struct sockaddr_storage *ss)
{
	char name[SCONN_NAME_MAX];
	struct sconn *c;
	int err;

	sconn_format_addr((const struct sockaddr *)ss, name, sizeof(name));
	err = sconn__tcp_wrap(l->loop, fd, false, name, &l->opts, NULL, NULL, &c);
	if (err) {
		slog_warn("%s: cannot take connection from %s: %s", l->name,
			  name, strerror(-err));
		close(fd);
		return;
	}
	slog_debug("%s: connection from %s", l->name, name);
	l->in_accept = true;
	l->fn(l, c, l->arg);
	l->in_accept = false;
	if (!c->cbs.msg && !c->cbs.closed) {
		slog_warn("%s: no owner for the connection from %s", l->name,
			  name);
		sconn_close(c, -ECONNREFUSED);
		return;
	}
	sconn_transport_start(c);
}

static void slisten_io(struct sloop *loop, int fd, unsigned int events,
		       void *arg)
{
	struct slisten *l = arg;
	int i;

	(void)loop;
	(void)events;
	for (i = 0; i < SLISTEN_ACCEPTS_PER_EVENT && !l->closed; i++) {
		struct sockaddr_storage ss;
		socklen_t len = sizeof(ss);
		int cfd = accept4(fd, (struct sockaddr *)&ss, &len,
				  SOCK_NONBLOCK | SOCK_CLOEXEC);

		if (cfd >= 0) {
			slisten_accept_one(l, cfd, &ss);
			continue;
		}
		if (errno == EINTR || errno == ECONNABORTED)
			continue;
		if (errno == EAGAIN || errno == EWOULDBLOCK)
			break;
		if (errno == EMFILE || errno == ENFILE || errno == ENOBUFS ||
		    errno == ENOMEM) {
			slog_warn("%s: accept: %s; pausing for %d ms", l->name,
				  strerror(errno), SLISTEN_BACKOFF_MS);
			if (!sloop_timer_start(&l->backoff, SLISTEN_BACKOFF_MS, 0))
				sloop_watch_mod(&l->w, 0);
			break;
		}
		slog_warn("%s: accept: %s", l->name, strerror(errno));
		break;
	}
	if (l->closed)
		free(l);
}

static int slisten_fail(char *err, size_t errlen, const char *hostport,
			int code)
{
	const char *why;

	switch (-code) {
	case EADDRINUSE:
		why = "address already in use (another process is listening on this port)";
		break;
	case EACCES:
		why = "permission denied (ports below 1024 need root or CAP_NET_BIND_SERVICE)";
		break;
	case EADDRNOTAVAIL:
		why = "address not available (it is not an address of this host)";
		break;
	default:
		why = strerror(-code);
	}
	if (err && errlen)
		snprintf(err, errlen, "cannot listen on %s: %s", hostport, why);
	return code;
}

static int slisten_socket(const struct sockaddr_storage *ss, socklen_t len,
			  int *fdp)
{
	int one = 1, zero = 0, fd, err;

	fd = socket(ss->ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	if (setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)))
		goto fail;
	/* the IPv6 wildcard takes IPv4 too */
	if (ss->ss_family == AF_INET6 &&
	    setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &zero, sizeof(zero)))
		goto fail;
	if (bind(fd, (const struct sockaddr *)ss, len) ||
	    listen(fd, SOMAXCONN))
		goto fail;
	*fdp = fd;
	return 0;
fail:
	err = -errno;
	close(fd);
	return err;
}

/**
 * slisten_tcp() - listen for connections
 * @loop: the loop
 * @hostport: "HOST:PORT" or "[IPV6]:PORT" (see sconn_parse_addr()); port
 *	0 takes any free port (slisten_port() tells which); "*:PORT" or
 *	":PORT" listens on every IPv6 and IPv4 address (IPv4 only where the
 *	host has no IPv6)
 * @opts: options of the accepted connections, or %NULL
 * @fn: called for each accepted connection; it must set the owner
 * @arg: for @fn
 * @lp: set to the listener
 * @err: set to an error text on failure, e.g. "cannot listen on
 *	127.0.0.1:7421: address already in use (another process is
 *	listening on this port)"; may be %NULL
 * @errlen: room in @err (%SCONN_ERR_MAX is enough)
 *
 * The socket has SO_REUSEADDR, so a restarted daemon can bind while old
 * connections linger in TIME_WAIT.
 *
 * Context: loop thread.
 * Return: 0 or -errno (-EINVAL for a malformed address, -EADDRINUSE,
 * -EACCES, -EADDRNOTAVAIL, ...).
 */
int slisten_tcp(struct sloop *loop, const char *hostport,
		const struct sconn_opts *opts, slisten_fn fn, void *arg,
		struct slisten **lp, char *err, size_t errlen)
{
	struct sockaddr_storage ss;
	struct slisten *l;
	socklen_t len;
	int fd, r;

	if (!fn)
		return -EINVAL;
	r = sconn_parse_addr(hostport, 0, true, &ss, &len, err, errlen);
	if (r)
		return r;
	r = slisten_socket(&ss, len, &fd);
	if (r == -EAFNOSUPPORT && ss.ss_family == AF_INET6 &&
	    IN6_IS_ADDR_UNSPECIFIED(&((struct sockaddr_in6 *)&ss)->sin6_addr)) {
		/* no IPv6 on this host: the IPv4 wildcard */
		struct sockaddr_in s4 = {
			.sin_family = AF_INET,
			.sin_port = ((struct sockaddr_in6 *)&ss)->sin6_port,
			.sin_addr.s_addr = htonl(INADDR_ANY),
		};

		memset(&ss, 0, sizeof(ss));
		memcpy(&ss, &s4, sizeof(s4));
		len = sizeof(s4);
		r = slisten_socket(&ss, len, &fd);
	}
	if (r)
		return slisten_fail(err, errlen, hostport, r);
	l = calloc(1, sizeof(*l));
	if (!l) {
		close(fd);
		return slisten_fail(err, errlen, hostport, -ENOMEM);
	}
	l->loop = loop;
	l->fd = fd;
	l->fn = fn;
	l->arg = arg;
	if (opts)
		l->opts = *opts;
	else
		sconn_opts_init(&l->opts);
	len = sizeof(ss);
	if (getsockname(fd, (struct sockaddr *)&ss, &len) == 0) {
		sconn_format_addr((struct sockaddr *)&ss, l->name, sizeof(l->name));
		l->port = ntohs(ss.ss_family == AF_INET ?
				((struct sockaddr_in *)&ss)->sin_port :
				((struct sockaddr_in6 *)&ss)->sin6_port);
	}
	sloop_timer_init(loop, &l->backoff, slisten_resume, l);
	r = sloop_watch_add(loop, &l->w, fd, SLOOP_IN, slisten_io, l);
	if (r) {
		close(fd);
		free(l);
		return slisten_fail(err, errlen, hostport, r);
	}
	slog_debug("listening on %s", l->name);
	*lp = l;
	return 0;
}

/**
 * slisten_port() - the port a listener is bound to
 * @l: the listener
 *
 * Return: the port (the one the kernel chose for port 0).
 */
u16 slisten_port(const struct slisten *l)
{
	return l->port;
}

/**
 * slisten_name() - the address a listener is bound to
 * @l: the listener
 *
 * Return: e.g. "127.0.0.1:40123" or "[::]:7421".
 */
const char *slisten_name(const struct slisten *l)
{
	return l->name;
}

/**
 * slisten_close() - stop listening and free the listener
 * @l: the listener, or %NULL
 *
 * Connections accepted before stay open.
 *
 * Context: loop thread, also from the accept callback.
 */
void slisten_close(struct slisten *l)
{
	if (!l || l->closed)
		return;
	sloop_watch_del(&l->w);
	sloop_timer_cancel(&l->backoff);
	close(l->fd);
	if (l->in_accept)
		l->closed = true;	/* slisten_io() frees it */
	else
		free(l);
}
