// SPDX-License-Identifier: Apache-2.0
/*
 * sconn input: framing. Bytes are read into the connection's receive
 * buffer; each complete message is copied into a payload buffer of exactly
 * its size, checked with sealfs_hdr_decode() and sealfs_msg_parse() and
 * delivered. A payload too large for the receive buffer is read straight
 * into its own buffer. Any split of the bytes across reads works; the
 * state between reads is the header (@have_hdr) and the partial payload.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "slog.h"
#include "sconn_int.h"

static u64 sconn_le(const u8 *p, unsigned int size)
{
	u64 v = 0;

	while (size--)
		v = (v << 8) | p[size];
	return v;
}

/*
 * Decodes a header. Also fills @h when the major version differs, since
 * the header's layout is the same in every version and the answer
 * (VERSION) carries the request id. *@decoded tells whether @h is usable.
 */
static int sconn_decode(const struct sconn *c, const u8 *raw,
			struct sealfs_hdr_info *h, bool *decoded)
{
	/*
	 * sealfs_hdr_decode() reads a field through a struct sealfs_hdr
	 * pointer, so hand it an aligned copy: in the stream a header can
	 * start anywhere.
	 */
	struct sealfs_hdr aligned;
	int err;

	memcpy(&aligned, raw, sizeof(aligned));
	err = sealfs_hdr_decode(&aligned, c->opts.max_payload, h);

	*decoded = true;
	if (sconn_le(raw + offsetof(struct sealfs_hdr, magic), 4) != SEALFS_MAGIC) {
		*decoded = false;
	} else if (err == -EPROTONOSUPPORT) {
		h->opcode = sconn_le(raw + offsetof(struct sealfs_hdr, opcode), 2);
		h->flags = sconn_le(raw + offsetof(struct sealfs_hdr, flags), 4);
		h->len = sconn_le(raw + offsetof(struct sealfs_hdr, len), 4);
		h->req_id = sconn_le(raw + offsetof(struct sealfs_hdr, req_id), 8);
		h->epoch = sconn_le(raw + offsetof(struct sealfs_hdr, epoch), 8);
		h->status = sconn_le(raw + offsetof(struct sealfs_hdr, status), 4);
	}
	return err;
}

static const char *sconn_dir(const struct sealfs_hdr_info *h)
{
	return h->flags & SEALFS_HF_REPLY ? "reply" : "request";
}

/*
 * A message that cannot be used: one log line, the error callback (which
 * may queue an answer), then a graceful close.
 */
static void sconn_bad(struct sconn *c, int err, const struct sealfs_hdr_info *h,
		      const u8 *raw, bool payload)
{
	c->st.rx_bad++;
	if (!h)
		slog_warn("%s: bad message: bad magic 0x%08llx; closing connection",
			  c->name, (unsigned long long)sconn_le(raw, 4));
	else if (err == -EPROTONOSUPPORT)
		slog_warn("%s: bad message: protocol version %llu, this side speaks %u; closing connection",
			  c->name, (unsigned long long)sconn_le(raw + 4, 2),
			  SEALFS_PROTO_MAJOR);
	else if (err == -EMSGSIZE)
		slog_warn("%s: bad message: %s %s id %llu has a %u-byte payload, over the limit of %u; closing connection",
			  c->name, sealfs_op_name(h->opcode), sconn_dir(h),
			  (unsigned long long)h->req_id, h->len,
			  c->opts.max_payload);
	else
		slog_warn("%s: bad message: malformed %s of %s %s id %llu; closing connection",
			  c->name, payload ? "payload" : "header",
			  sealfs_op_name(h->opcode), sconn_dir(h),
			  (unsigned long long)h->req_id);
	if (c->cbs.error)
		c->cbs.error(c, err, h, c->arg);
	sconn_shutdown(c, err);
}

/* Delivers a complete message; takes @pl (malloc'ed, or %NULL if empty). */
static void sconn_deliver(struct sconn *c, u8 *pl)
{
	struct sealfs_hdr_info h = c->hdr;
	struct sconn_buf b = { .data = pl, .len = h.len };
	struct sealfs_msg m;
	int err;

	c->have_hdr = false;
	err = sealfs_msg_parse(&h, pl, h.len, &m);
	if (err == -EOPNOTSUPP) {
		free(pl);
		c->st.rx_bad++;
		slog_debug("%s: unknown opcode %u in %s id %llu", c->name,
			   h.opcode, sconn_dir(&h), (unsigned long long)h.req_id);
		if (c->cbs.error)
			c->cbs.error(c, err, &h, c->arg);
		return;
	}
	if (err) {
		free(pl);
		sconn_bad(c, err, &h, NULL, true);
		return;
	}
	c->st.rx_msgs++;
	if (c->cbs.msg)
		c->cbs.msg(c, &h, &m, &b, c->arg);
	else
		slog_debug("%s: no owner: %s %s dropped", c->name,
			   sealfs_op_name(h.opcode), sconn_dir(&h));
	free(b.data);
}

static bool sconn_rx_on(const struct sconn *c)
{
	return c->state == SCONN_OPEN && !c->read_stopped && !c->rx_paused;
}

/* Takes the complete messages out of the receive buffer. */
static void sconn_rx_parse(struct sconn *c)
{
	while (sconn_rx_on(c) && !c->pl) {
		u32 avail = c->rx_w - c->rx_r;
		u32 len;
		u8 *pl;

		if (!c->have_hdr) {
			const u8 *raw = c->rx + c->rx_r;
			bool decoded;
			int err;

			if (avail < SEALFS_HDR_SIZE)
				break;
			err = sconn_decode(c, raw, &c->hdr, &decoded);
			if (err) {
				sconn_bad(c, err, decoded ? &c->hdr : NULL, raw,
					  false);
				return;
			}
			c->have_hdr = true;
			c->rx_r += SEALFS_HDR_SIZE;
			avail -= SEALFS_HDR_SIZE;
		}
		len = c->hdr.len;
		if (avail < len && len <= c->opts.rx_buf / 2)
			break;		/* the rest will fit in the buffer */
		pl = NULL;
		if (len) {
			pl = malloc(len);
			if (!pl) {
				slog_err("%s: no memory for a %u-byte payload",
					 c->name, len);
				sconn_close(c, -ENOMEM);
				return;
			}
		}
		if (avail < len) {
			/* large: the rest goes straight into the payload */
			memcpy(pl, c->rx + c->rx_r, avail);
			c->pl = pl;
			c->pl_have = avail;
			c->rx_r = c->rx_w = 0;
			return;
		}
		if (len)
			memcpy(pl, c->rx + c->rx_r, len);
		c->rx_r += len;
		sconn_deliver(c, pl);
	}
	if (c->rx && c->rx_r == c->rx_w)
		c->rx_r = c->rx_w = 0;
}

static void sconn_rx_eof(struct sconn *c)
{
	if (c->state == SCONN_CLOSING) {
		c->rx_eof = true;
		sconn_close(c, c->close_err);
		return;
	}
	if (c->have_hdr || c->rx_w > c->rx_r) {
		slog_info("%s: peer closed the connection in the middle of a message",
			  c->name);
		sconn_close(c, -ECONNRESET);
		return;
	}
	slog_debug("%s: peer closed the connection", c->name);
	sconn_close(c, 0);
}

/**
 * sconn__rx_read() - read what the transport has and deliver messages
 * @c: the connection, open or closing (closing: input is discarded)
 *
 * A bounded number of reads per call, so one busy peer cannot starve the
 * others; the transport reports readiness again for what is left.
 */
void sconn__rx_read(struct sconn *c)
{
	int budget = SCONN_READS_PER_EVENT;

	while (budget-- > 0) {
		size_t room;
		ssize_t n;
		u8 *dst;

		if (c->state == SCONN_CLOSING) {
			if (c->rx_eof)
				return;
			dst = c->rx;
			room = c->opts.rx_buf;
		} else if (!sconn_rx_on(c)) {
			return;
		} else if (c->pl) {
			dst = c->pl + c->pl_have;
			room = c->hdr.len - c->pl_have;
		} else {
			if (c->rx_r) {
				memmove(c->rx, c->rx + c->rx_r, c->rx_w - c->rx_r);
				c->rx_w -= c->rx_r;
				c->rx_r = 0;
			}
			dst = c->rx + c->rx_w;
			room = c->opts.rx_buf - c->rx_w;
		}
		if (c->opts.io_max && room > c->opts.io_max)
			room = c->opts.io_max;
		n = c->ops->read(c, dst, room);
		if (n == -EAGAIN)
			return;
		if (n < 0) {
			slog_info("%s: read: %s", c->name, strerror((int)-n));
			sconn_close(c, (int)n);
			return;
		}
		if (n == 0) {
			sconn_rx_eof(c);
			return;
		}
		c->st.rx_bytes += n;
		if (c->state == SCONN_CLOSING)
			continue;
		if (c->pl) {
			c->pl_have += n;
			if (c->pl_have == c->hdr.len) {
				u8 *pl = c->pl;

				c->pl = NULL;
				sconn_deliver(c, pl);
				sconn_rx_parse(c);
			}
		} else {
			c->rx_w += n;
			sconn_rx_parse(c);
		}
	}
}

/* Forgets partial input (closing or closed). */
void sconn__rx_reset(struct sconn *c)
{
	free(c->pl);
	c->pl = NULL;
	c->pl_have = 0;
	c->have_hdr = false;
	c->rx_r = c->rx_w = 0;
}

static void sconn_rx_work(struct sloop *loop, void *arg)
{
	struct sconn *c = arg;

	(void)loop;
	c->rx_queued = false;
	if (sconn_rx_on(c)) {
		sconn_rx_parse(c);
		sconn__update_events(c);
	}
	sconn_put(c);
}

/* After reading resumes: deliver complete messages already buffered. */
void sconn__rx_kick(struct sconn *c)
{
	if (c->rx_queued || c->state != SCONN_OPEN || c->rx_w == c->rx_r)
		return;
	c->rx_queued = true;
	sconn_get(c);
	sloop_defer(c->loop, &c->rx_work, sconn_rx_work, c);
}

/**
 * sconn_read_stop() - stop reading from the peer
 * @c: the connection
 *
 * No msg callback runs until sconn_read_start(); the peer is held back by
 * TCP flow control. For an owner that limits its own work.
 *
 * Context: loop thread.
 */
void sconn_read_stop(struct sconn *c)
{
	c->read_stopped = true;
	sconn__update_events(c);
}

/**
 * sconn_read_start() - resume reading after sconn_read_stop()
 * @c: the connection
 *
 * Messages already buffered are delivered from the loop, not from inside
 * this call.
 *
 * Context: loop thread.
 */
void sconn_read_start(struct sconn *c)
{
	if (!c->read_stopped)
		return;
	c->read_stopped = false;
	sconn__rx_kick(c);
	sconn__update_events(c);
}
