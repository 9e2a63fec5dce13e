// SPDX-License-Identifier: GPL-2.0-only
/*
 * SealFS kernel client: the TCP transport (struct sealfs_xprt_ops).
 *
 * A kernel socket per connection. Its allocations use GFP_NOFS so that
 * reclaim never recurses into SealFS while a request is being sent or a
 * reply received. The connect and the HELLO exchange are bounded by the
 * mount's time-out; afterwards the receive thread blocks in recv until
 * data arrives or shutdown wakes it.
 */
#include <linux/net.h>
#include <linux/slab.h>
#include <linux/tcp.h>
#include <net/sock.h>
#include <net/tcp.h>

#include "internal.h"

static struct socket *sealfs_tcp_sock(struct sealfs_conn *c)
{
	return c->xprt;
}

static int sealfs_tcp_connect(struct sealfs_conn *c, unsigned long timeout)
{
	union sealfs_inet_addr *a = &c->addr;
	struct socket *sock;
	int len, err;

	len = a->sa.sa_family == AF_INET6 ? sizeof(a->sin6) : sizeof(a->sin);
	err = sock_create_kern(&init_net, a->sa.sa_family, SOCK_STREAM,
			       IPPROTO_TCP, &sock);
	if (err)
		return err;
	sock->sk->sk_allocation = GFP_NOFS;
	sock->sk->sk_use_task_frag = false;
	sock->sk->sk_sndtimeo = timeout;
	sock->sk->sk_rcvtimeo = timeout;
	tcp_sock_set_nodelay(sock->sk);
	err = kernel_connect(sock, &a->sa, len, 0);
	if (err) {
		sock_release(sock);
		return err == -EINPROGRESS || err == -EAGAIN ? -ETIMEDOUT : err;
	}
	c->xprt = sock;
	return 0;
}

static int sealfs_tcp_recv(struct sealfs_conn *c, void *buf, size_t len)
{
	struct socket *sock = sealfs_tcp_sock(c);
	size_t got = 0;

	while (got < len) {
		struct kvec v = { .iov_base = buf + got, .iov_len = len - got };
		struct msghdr msg = { .msg_flags = MSG_NOSIGNAL };
		int r;

		r = kernel_recvmsg(sock, &msg, &v, 1, len - got,
				   MSG_WAITALL | MSG_NOSIGNAL);
		if (r == 0)
			return -ECONNRESET;
		if (r == -EAGAIN)
			return -ETIMEDOUT;
		if (r < 0)
			return r;
		got += r;
	}
	return 0;
}

static int sealfs_tcp_send_iter(struct socket *sock, struct msghdr *msg)
{
	while (msg_data_left(msg)) {
		int r = sock_sendmsg(sock, msg);

		if (r == -EAGAIN)
			return -ETIMEDOUT;
		if (r < 0)
			return r;
		if (r == 0)
			return -ECONNRESET;
	}
	return 0;
}

static int sealfs_tcp_send(struct sealfs_conn *c, const void *buf, size_t len,
			   struct iov_iter *data)
{
	struct socket *sock = sealfs_tcp_sock(c);
	struct kvec v = { .iov_base = (void *)buf, .iov_len = len };
	struct msghdr msg = { .msg_flags = MSG_NOSIGNAL };
	int err;

	if (data && iov_iter_count(data))
		msg.msg_flags |= MSG_MORE;
	iov_iter_kvec(&msg.msg_iter, WRITE, &v, 1, len);
	err = sealfs_tcp_send_iter(sock, &msg);
	if (err || !data || !iov_iter_count(data))
		return err;
	msg.msg_flags = MSG_NOSIGNAL;
	msg.msg_iter = *data;
	return sealfs_tcp_send_iter(sock, &msg);
}

static void sealfs_tcp_ready(struct sealfs_conn *c)
{
	struct socket *sock = sealfs_tcp_sock(c);

	lock_sock(sock->sk);
	sock->sk->sk_rcvtimeo = MAX_SCHEDULE_TIMEOUT;
	release_sock(sock->sk);
}

static void sealfs_tcp_shutdown(struct sealfs_conn *c)
{
	struct socket *sock = sealfs_tcp_sock(c);

	if (sock)
		kernel_sock_shutdown(sock, SHUT_RDWR);
}

static void sealfs_tcp_release(struct sealfs_conn *c)
{
	struct socket *sock = sealfs_tcp_sock(c);

	c->xprt = NULL;
	if (sock)
		sock_release(sock);
}

const struct sealfs_xprt_ops sealfs_tcp_ops = {
	.name		= "tcp",
	.connect	= sealfs_tcp_connect,
	.recv		= sealfs_tcp_recv,
	.send		= sealfs_tcp_send,
	.ready		= sealfs_tcp_ready,
	.shutdown	= sealfs_tcp_shutdown,
	.release	= sealfs_tcp_release,
};
