// SPDX-License-Identifier: Apache-2.0
/*
 * sconn output: a queue of messages flushed with writev. A message is the
 * bytes the sender gave to copy (header, body, small parts) followed by
 * parts it gave by reference (bulk data), which must stay valid until the
 * sent callback. Flushes run from the loop (deferred after a send, or on
 * writability), so many sends coalesce into one writev and no callback runs
 * inside a send. Over &sconn_opts.wq_cap queued bytes the connection stops
 * reading from the peer until the queue drains to half.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "slog.h"
#include "sconn_int.h"

static void sconn_wq_unlink(struct sconn_wmsg **head, struct sconn_wmsg **tail,
			    struct sconn_wmsg *w)
{
	if (w->prev)
		w->prev->next = w->next;
	else
		*head = w->next;
	if (w->next)
		w->next->prev = w->prev;
	else if (tail)
		*tail = w->prev;
	w->prev = w->next = NULL;
}

/* Stops reading over the cap; resumes at half of it. */
void sconn__check_pause(struct sconn *c)
{
	if (c->state != SCONN_OPEN)
		return;
	if (!c->rx_paused && c->st.wq_bytes > c->opts.wq_cap) {
		c->rx_paused = true;
		c->st.rx_pauses++;
		slog_debug("%s: %zu bytes queued: reading paused", c->name,
			   c->st.wq_bytes);
	} else if (c->rx_paused && c->st.wq_bytes <= c->opts.wq_cap / 2) {
		c->rx_paused = false;
		slog_debug("%s: reading resumed", c->name);
		sconn__rx_kick(c);
	} else {
		return;
	}
	sconn__update_events(c);
}

static void sconn_flush_work(struct sloop *loop, void *arg)
{
	struct sconn *c = arg;

	(void)loop;
	c->flush_queued = false;
	if (!c->tx_blocked)
		sconn__flush(c);
	sconn__update_events(c);
	sconn_put(c);
}

/* Schedules a flush unless one is pending or the transport is full. */
void sconn__tx_kick(struct sconn *c)
{
	if (c->flush_queued || c->tx_blocked || c->state == SCONN_CONNECTING ||
	    c->state == SCONN_CLOSED)
		return;
	c->flush_queued = true;
	sconn_get(c);
	sloop_defer(c->loop, &c->flush_work, sconn_flush_work, c);
}

/* Gathers the unwritten parts of the queue, at most @limit bytes. */
static int sconn_gather(struct sconn *c, struct iovec *iov, size_t limit,
			size_t *total)
{
	struct sconn_wmsg *w;
	int n = 0;

	*total = 0;
	for (w = c->wq_head; w && n < SCONN_IOV_BATCH && *total < limit;
	     w = w->next) {
		size_t skip = w->done;
		unsigned int i;

		for (i = 0; i < w->niov && n < SCONN_IOV_BATCH &&
		     *total < limit; i++) {
			size_t len = w->iov[i].iov_len;

			if (skip >= len) {
				skip -= len;
				continue;
			}
			len -= skip;
			if (len > limit - *total)
				len = limit - *total;
			iov[n].iov_base = (u8 *)w->iov[i].iov_base + skip;
			iov[n].iov_len = len;
			*total += len;
			skip = 0;
			n++;
		}
	}
	return n;
}

/**
 * sconn__flush() - write as much of the queue as the transport takes
 * @c: the connection
 *
 * Sent callbacks run here, after their message left the queue; one may
 * close the connection, which ends the flush.
 */
void sconn__flush(struct sconn *c)
{
	struct iovec iov[SCONN_IOV_BATCH];

	while (c->wq_head &&
	       (c->state == SCONN_OPEN || c->state == SCONN_CLOSING)) {
		struct sconn_wmsg *done = NULL, **done_tail = &done, *w;
		size_t total;	/* bytes gathered */
		ssize_t r;
		int n;

		n = sconn_gather(c, iov, c->opts.io_max ? c->opts.io_max :
				 SIZE_MAX, &total);
		r = c->ops->writev(c, iov, n);
		if (r == -EAGAIN) {
			c->tx_blocked = true;
			break;
		}
		if (r < 0) {
			slog_info("%s: write: %s", c->name, strerror((int)-r));
			sconn_close(c, (int)r);
			return;
		}
		c->st.tx_bytes += r;
		c->st.wq_bytes -= r;
		while (r > 0) {
			size_t left;

			w = c->wq_head;
			left = w->len - w->done;
			if ((size_t)r < left) {
				w->done += r;
				break;
			}
			r -= left;
			w->done = w->len;
			sconn_wq_unlink(&c->wq_head, &c->wq_tail, w);
			*done_tail = w;
			done_tail = &w->next;
		}
		while ((w = done)) {
			done = w->next;
			c->st.tx_msgs++;
			if (w->sent)
				w->sent(c, 0, w->arg);
			free(w);
		}
		/* after a short write the next writev says EAGAIN */
	}
	if (!c->wq_head && c->state == SCONN_CLOSING && !c->wr_shut) {
		c->ops->shutdown_write(c);
		c->wr_shut = true;
	}
	sconn__check_pause(c);
}

/* At close: the queue waits in @dropped for the close work's callbacks. */
void sconn__drop_queue(struct sconn *c)
{
	struct sconn_wmsg *w;

	if (c->dropped) {
		for (w = c->dropped; w->next; w = w->next)
			;
		w->next = c->wq_head;
		if (c->wq_head)
			c->wq_head->prev = w;
	} else {
		c->dropped = c->wq_head;
	}
	c->wq_head = c->wq_tail = NULL;
	c->st.wq_bytes = 0;
}

/**
 * sconn_sendv() - queue a message
 * @c: the connection (connecting or open)
 * @copy: parts copied now: together at least the 40-byte header, whose len
 *	field must match the total of all parts less the header
 * @ncopy: entries of @copy
 * @ref: parts sent from the caller's memory (e.g. WRITE data), which must
 *	stay valid and unchanged until @sent is called; may be %NULL
 * @nref: entries of @ref, at most 64
 * @sent: called once when the message was written (0) or dropped because
 *	the connection closed (-ECANCELED); may be %NULL when @nref is 0
 * @arg: for @sent
 * @wp: set to a handle for sconn_cancel(), valid until @sent runs; may be
 *	%NULL
 *
 * Messages are written in the order they were queued. Queuing never
 * blocks; the caller can watch sconn_wq_bytes().
 *
 * Context: loop thread.
 * Return: 0; -ENOTCONN when the connection is closing or closed; -EINVAL
 * for a malformed message; -EMSGSIZE over the protocol limit; -ENOMEM.
 * On error @sent is never called and nothing is kept.
 */
int sconn_sendv(struct sconn *c, const struct iovec *copy, unsigned int ncopy,
		const struct iovec *ref, unsigned int nref, sconn_sent_fn sent,
		void *arg, struct sconn_wmsg **wp)
{
	size_t clen = 0, rlen = 0, off = 0;
	struct sconn_wmsg *w;
	unsigned int i;
	u8 *bytes;

	if (!sconn_is_open(c))
		return -ENOTCONN;
	if (nref > SCONN_MAX_REF || (nref && !ref))
		return -EINVAL;
	for (i = 0; i < ncopy; i++)
		clen += copy[i].iov_len;
	for (i = 0; i < nref; i++)
		rlen += ref[i].iov_len;
	if (clen < SEALFS_HDR_SIZE)
		return -EINVAL;
	if (clen + rlen > SEALFS_HDR_SIZE + (size_t)SEALFS_MAX_PAYLOAD)
		return -EMSGSIZE;
	w = malloc(sizeof(*w) + (1 + nref) * sizeof(struct iovec) + clen);
	if (!w)
		return -ENOMEM;
	bytes = (u8 *)&w->iov[1 + nref];
	for (i = 0; i < ncopy; i++) {
		if (copy[i].iov_len)
			memcpy(bytes + off, copy[i].iov_base, copy[i].iov_len);
		off += copy[i].iov_len;
	}
	if (((u32)bytes[12] | (u32)bytes[13] << 8 | (u32)bytes[14] << 16 |
	     (u32)bytes[15] << 24) != clen + rlen - SEALFS_HDR_SIZE) {
		slog_err("%s: refusing to send a message whose header length does not match its %zu bytes",
			 c->name, clen + rlen);
		free(w);
		return -EINVAL;
	}
	w->prev = c->wq_tail;
	w->next = NULL;
	w->len = clen + rlen;
	w->done = 0;
	w->sent = sent;
	w->arg = arg;
	w->iov[0].iov_base = bytes;
	w->iov[0].iov_len = clen;
	w->niov = 1;
	for (i = 0; i < nref; i++)
		if (ref[i].iov_len)
			w->iov[w->niov++] = ref[i];
	if (c->wq_tail)
		c->wq_tail->next = w;
	else
		c->wq_head = w;
	c->wq_tail = w;
	c->st.wq_bytes += w->len;
	if (c->st.wq_bytes > c->st.wq_peak)
		c->st.wq_peak = c->st.wq_bytes;
	if (wp)
		*wp = w;
	sconn__tx_kick(c);
	sconn__check_pause(c);
	return 0;
}

/**
 * sconn_send_buf() - queue a message built in a &struct sealfs_buf
 * @c: the connection
 * @b: a buffer finished with sealfs_msg_end() (copied)
 * @ref: detached payload parts, counted by sealfs_msg_end()'s @detached
 * @nref: entries of @ref
 * @sent: as for sconn_sendv()
 * @arg: for @sent
 * @wp: as for sconn_sendv()
 *
 * Context: loop thread.
 * Return: as sconn_sendv(); -EMSGSIZE also when @b overflowed.
 */
int sconn_send_buf(struct sconn *c, const struct sealfs_buf *b,
		   const struct iovec *ref, unsigned int nref,
		   sconn_sent_fn sent, void *arg, struct sconn_wmsg **wp)
{
	struct iovec v = { .iov_base = b->data, .iov_len = b->len };

	if (b->err)
		return b->err;
	return sconn_sendv(c, &v, 1, ref, nref, sent, arg, wp);
}

/**
 * sconn_send_status() - answer a request with a status and no payload
 * @c: the connection
 * @req: the request's header (also one the error callback gave)
 * @status: &enum sealfs_status, e.g. %SEALFS_S_BADMSG, %SEALFS_S_VERSION,
 *	%SEALFS_S_NOTSUPP
 * @epoch: the epoch to put in the reply
 *
 * Context: loop thread.
 * Return: as sconn_sendv().
 */
int sconn_send_status(struct sconn *c, const struct sealfs_hdr_info *req,
		      u32 status, u64 epoch)
{
	struct sealfs_hdr_info h = {
		.opcode = req->opcode,
		.flags = SEALFS_HF_REPLY,
		.len = 0,
		.status = status,
		.req_id = req->req_id,
		.epoch = epoch,
	};
	u8 raw[SEALFS_HDR_SIZE];
	struct iovec v = { .iov_base = raw, .iov_len = sizeof(raw) };

	sealfs_hdr_encode(raw, &h);
	return sconn_sendv(c, &v, 1, NULL, 0, NULL, NULL, NULL);
}

/**
 * sconn_cancel() - take back a queued message nothing of which was written
 * @c: the connection
 * @w: the handle sconn_sendv() gave, before its sent callback ran
 *
 * Lets a caller whose request timed out release referenced memory at
 * once. Also works after the connection closed, until the sent callback.
 *
 * Context: loop thread.
 * Return: 0 when the message was removed (its sent callback will not run);
 * -EBUSY when writing it has begun (the sent callback will run).
 */
int sconn_cancel(struct sconn *c, struct sconn_wmsg *w)
{
	if (w->done)
		return -EBUSY;
	if (c->state == SCONN_CLOSED) {
		sconn_wq_unlink(&c->dropped, NULL, w);
	} else {
		sconn_wq_unlink(&c->wq_head, &c->wq_tail, w);
		c->st.wq_bytes -= w->len;
		sconn__check_pause(c);
	}
	free(w);
	return 0;
}
