// SPDX-License-Identifier: Apache-2.0
/*
 * sconn over TCP: non-blocking sockets with TCP_NODELAY, watched by the
 * loop; outgoing connects and adopted sockets. Listening is in slisten.c.
 */
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "slog.h"
#include "sconn_int.h"
#include "sconn_tcp.h"

/**
 * struct stcp - a TCP endpoint
 * @fd: the socket
 * @w: its watch
 * @connecting: an outgoing connect is in progress
 * @name: peer address
 */
struct stcp {
	int fd;
	struct sloop_watch w;
	bool connecting;
	char name[SCONN_NAME_MAX];
};

static struct stcp *stcp(struct sconn *c)
{
	return sconn_transport_priv(c);
}

static ssize_t stcp_read(struct sconn *c, void *buf, size_t len)
{
	ssize_t n;

	do {
		n = read(stcp(c)->fd, buf, len);
	} while (n < 0 && errno == EINTR);
	if (n < 0)
		return errno == EWOULDBLOCK ? -EAGAIN : -errno;
	return n;
}

static ssize_t stcp_writev(struct sconn *c, const struct iovec *iov, int iovcnt)
{
	struct msghdr mh = { .msg_iov = (struct iovec *)iov,
			     .msg_iovlen = iovcnt };
	ssize_t n;

	do {
		n = sendmsg(stcp(c)->fd, &mh, MSG_NOSIGNAL | MSG_DONTWAIT);
	} while (n < 0 && errno == EINTR);
	if (n < 0)
		return errno == EWOULDBLOCK ? -EAGAIN : -errno;
	return n;
}

static int stcp_set_events(struct sconn *c, unsigned int events)
{
	return sloop_watch_mod(&stcp(c)->w, events);
}

static int stcp_shutdown_write(struct sconn *c)
{
	return shutdown(stcp(c)->fd, SHUT_WR) ? -errno : 0;
}

static void stcp_close(struct sconn *c)
{
	struct stcp *t = stcp(c);

	sloop_watch_del(&t->w);
	if (t->fd >= 0)
		close(t->fd);
	free(t);
}

static int stcp_peer_name(struct sconn *c, char *buf, size_t len)
{
	snprintf(buf, len, "%s", stcp(c)->name);
	return 0;
}

static const struct sconn_ops stcp_ops = {
	.name		= "tcp",
	.read		= stcp_read,
	.writev		= stcp_writev,
	.set_events	= stcp_set_events,
	.shutdown_write	= stcp_shutdown_write,
	.close		= stcp_close,
	.peer_name	= stcp_peer_name,
};

static void stcp_io(struct sloop *loop, int fd, unsigned int events, void *arg)
{
	struct sconn *c = arg;
	struct stcp *t = stcp(c);

	(void)loop;
	if (t->connecting) {
		int soerr = 0;
		socklen_t len = sizeof(soerr);

		if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &soerr, &len))
			soerr = errno;
		if (!soerr && (events & (SLOOP_ERR | SLOOP_HUP)))
			soerr = ECONNREFUSED;
		t->connecting = false;
		sconn_transport_connected(c, -soerr);
		return;
	}
	sconn_transport_ready(c, events);
}

/* Socket options every connection gets. */
static int stcp_setup_fd(int fd)
{
	int one = 1, fl;

	fl = fcntl(fd, F_GETFL);
	if (fl < 0 || fcntl(fd, F_SETFL, fl | O_NONBLOCK))
		return -errno;
	if (setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one)) &&
	    errno != EOPNOTSUPP && errno != ENOPROTOOPT)
		return -errno;		/* (AF_UNIX pairs have no Nagle) */
	return 0;
}

/*
 * Wraps a socket in a connection: watch parked, owner set, not started.
 * On error the caller still owns @fd.
 */
int sconn__tcp_wrap(struct sloop *loop, int fd, bool connecting,
		   const char *name, const struct sconn_opts *opts,
		   const struct sconn_cbs *cbs, void *arg, struct sconn **cp)
{
	struct stcp *t = calloc(1, sizeof(*t));
	struct sconn *c;
	int err;

	if (!t)
		return -ENOMEM;
	t->fd = fd;
	t->connecting = connecting;
	snprintf(t->name, sizeof(t->name), "%s", name);
	err = sconn_transport_new(loop, &stcp_ops, t, connecting, opts, &c);
	if (err) {
		free(t);
		return err;
	}
	err = sloop_watch_add(loop, &t->w, fd, 0, stcp_io, c);
	if (err) {
		t->fd = -1;	/* the caller keeps @fd */
		sconn_close(c, err);
		return err;
	}
	sconn_set_owner(c, cbs, arg);
	*cp = c;
	return 0;
}

/**
 * sconn_tcp_adopt() - make a connection of a connected socket
 * @loop: the loop
 * @fd: a connected stream socket (TCP, or an AF_UNIX pair in tests); made
 *	non-blocking. The connection owns it from a successful return on.
 * @opts: options, or %NULL
 * @cbs: the owner's callbacks
 * @arg: for @cbs
 * @cp: set to the connection, which reads at once
 *
 * Context: loop thread.
 * Return: 0 or -errno (then @fd is still the caller's, and no callback
 * runs).
 */
int sconn_tcp_adopt(struct sloop *loop, int fd, const struct sconn_opts *opts,
		    const struct sconn_cbs *cbs, void *arg, struct sconn **cp)
{
	struct sockaddr_storage ss;
	socklen_t len = sizeof(ss);
	char name[SCONN_NAME_MAX];
	int err;

	err = stcp_setup_fd(fd);
	if (err)
		return err;
	if (getpeername(fd, (struct sockaddr *)&ss, &len))
		return -errno;
	sconn_format_addr((struct sockaddr *)&ss, name, sizeof(name));
	err = sconn__tcp_wrap(loop, fd, false, name, opts, cbs, arg, cp);
	if (err)
		return err;
	sconn_transport_start(*cp);
	return 0;
}

/**
 * sconn_tcp_connect() - connect to a peer
 * @loop: the loop
 * @hostport: see sconn_parse_addr() (a name is resolved synchronously)
 * @default_port: port when @hostport has none, 0 for none
 * @opts: options, or %NULL
 * @cbs: the owner's callbacks; connected reports the result
 * @arg: for @cbs
 * @cp: set to the connection; messages may be queued at once and are sent
 *	when the connect completes
 * @err: set to an error text on failure; may be %NULL
 * @errlen: room in @err (%SCONN_ERR_MAX is enough)
 *
 * Context: loop thread.
 * Return: 0, then the connected callback reports the outcome; or -errno
 * (e.g. -EINVAL for a bad address, or -ECONNREFUSED when the kernel knew
 * at once), then no callback runs.
 */
int sconn_tcp_connect(struct sloop *loop, const char *hostport,
		      u16 default_port, const struct sconn_opts *opts,
		      const struct sconn_cbs *cbs, void *arg,
		      struct sconn **cp, char *err, size_t errlen)
{
	struct sockaddr_storage ss;
	char name[SCONN_NAME_MAX];
	socklen_t len;
	int fd, r;

	r = sconn_parse_addr(hostport, default_port, false, &ss, &len, err,
			     errlen);
	if (r)
		return r;
	sconn_format_addr((struct sockaddr *)&ss, name, sizeof(name));
	fd = socket(ss.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		r = -errno;
		goto fail;
	}
	r = stcp_setup_fd(fd);
	if (r)
		goto fail;
	if (connect(fd, (struct sockaddr *)&ss, len) && errno != EINPROGRESS) {
		r = -errno;
		goto fail;
	}
	r = sconn__tcp_wrap(loop, fd, true, name, opts, cbs, arg, cp);
	if (r)
		goto fail;
	sconn_transport_start(*cp);
	return 0;

fail:
	if (err && errlen)
		snprintf(err, errlen, "cannot connect to %s: %s", name,
			 strerror(-r));
	if (fd >= 0)
		close(fd);
	return r;
}
