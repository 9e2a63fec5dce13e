// SPDX-License-Identifier: Apache-2.0
/*
 * ssess: HELLO and the session rules on accepted connections. See ssess.h.
 */
#include <errno.h>

#include "slog.h"
#include "ssess.h"

/**
 * ssess_init() - a session before HELLO
 * @s: the session
 */
void ssess_init(struct ssess *s)
{
	s->hello = false;
	s->features = 0;
	s->client_id = 0;
	s->max_payload = SEALFS_MAX_PAYLOAD;
	s->role = 0;
}

static void ssess_hello(struct ssess *s, struct sconn *c,
			const struct ssess_self *self, u64 epoch,
			const struct sealfs_hdr_info *h, const struct sealfs_msg *m)
{
	const struct sealfs_hello_req *r = m->body;
	u32 maxp = le32_to_cpu(r->max_payload);
	u16 minor = le16_to_cpu(r->minor);
	u64 feat = le64_to_cpu(r->features) & SEALFS_FEAT_ALL;
	struct sealfs_hello_rep rep = {
		.major = cpu_to_le16(SEALFS_PROTO_MAJOR),
		.role = cpu_to_le16(self->role),
		.features = cpu_to_le64(feat),
		.boot_id = cpu_to_le64(self->boot_id),
		.server_id = cpu_to_le32(self->server_id),
	};
	struct sealfs_hdr_info rh = {
		.opcode = h->opcode, .flags = SEALFS_HF_REPLY,
		.req_id = h->req_id, .epoch = epoch,
	};
	u8 mem[SEALFS_HDR_SIZE + sizeof(rep)];
	struct sealfs_buf b;

	if (le16_to_cpu(r->major) != SEALFS_PROTO_MAJOR) {
		slog_warn("%s: protocol version %u, not %u; closing", sconn_name(c),
			  le16_to_cpu(r->major), SEALFS_PROTO_MAJOR);
		sconn_send_status(c, h, SEALFS_S_VERSION, epoch);
		sconn_shutdown(c, -EPROTONOSUPPORT);
		return;
	}
	rep.minor = cpu_to_le16(minor > SEALFS_PROTO_MINOR ? SEALFS_PROTO_MINOR : minor);
	if (!maxp || maxp > SEALFS_MAX_PAYLOAD)
		maxp = SEALFS_MAX_PAYLOAD;
	rep.max_payload = cpu_to_le32(maxp);
	s->hello = true;
	s->features = feat;
	s->client_id = (feat & SEALFS_FEAT_REPLAY) ? le64_to_cpu(r->client_id) : 0;
	s->max_payload = maxp;
	s->role = le16_to_cpu(r->role);
	sealfs_buf_init(&b, mem, sizeof(mem));
	sealfs_msg_start(&b);
	sealfs_buf_put(&b, &rep, sizeof(rep));
	if (!sealfs_msg_end(&b, &rh, 0))
		sconn_send_buf(c, &b, NULL, 0, NULL, NULL, NULL);
}

/**
 * ssess_gate() - apply the session rules to a received message
 * @s: the peer's session
 * @c: its connection
 * @self: what this side says of itself in HELLO
 * @epoch: this side's map epoch, for the replies it sends
 * @h: the message's header
 * @m: the message
 *
 * Answers HELLO; answers a request before HELLO, or a second HELLO, with
 * BADMSG and closes the connection; closes it on a reply too (nothing is
 * asked of the peer).
 *
 * Return: true when the message was dealt with here; false for a request
 * the owner must serve.
 */
bool ssess_gate(struct ssess *s, struct sconn *c, const struct ssess_self *self,
		u64 epoch, const struct sealfs_hdr_info *h,
		const struct sealfs_msg *m)
{
	if (h->flags & SEALFS_HF_REPLY) {
		slog_warn("%s: unexpected reply (%s); closing", sconn_name(c),
			  sealfs_op_name(h->opcode));
		sconn_close(c, -EPROTO);
		return true;
	}
	if (h->opcode == SEALFS_OP_HELLO && s->hello) {
		/* The session is bound (client id, limits): no renegotiation. */
		slog_warn("%s: second HELLO; closing", sconn_name(c));
		sconn_send_status(c, h, SEALFS_S_BADMSG, epoch);
		sconn_shutdown(c, -EPROTO);
		return true;
	}
	if (h->opcode == SEALFS_OP_HELLO) {
		ssess_hello(s, c, self, epoch, h, m);
		return true;
	}
	if (s->hello)
		return false;
	slog_warn("%s: %s before HELLO; closing", sconn_name(c),
		  sealfs_op_name(h->opcode));
	sconn_send_status(c, h, SEALFS_S_BADMSG, epoch);
	sconn_shutdown(c, -EPROTO);
	return true;
}

/**
 * ssess_error() - answer a message the connection could not use
 * @c: the connection
 * @err: what sconn reported (-EBADMSG, -EPROTONOSUPPORT, -EMSGSIZE,
 *	-EOPNOTSUPP)
 * @h: its header, when it could be decoded
 * @epoch: this side's map epoch
 *
 * Requests get VERSION, NOTSUPP or BADMSG; sconn logs the problem and
 * closes the connection where it must.
 */
void ssess_error(struct sconn *c, int err, const struct sealfs_hdr_info *h,
		 u64 epoch)
{
	u32 status = err == -EPROTONOSUPPORT ? SEALFS_S_VERSION :
		     err == -EOPNOTSUPP ? SEALFS_S_NOTSUPP : SEALFS_S_BADMSG;

	if (h && !(h->flags & SEALFS_HF_REPLY))
		sconn_send_status(c, h, status, epoch);
}
