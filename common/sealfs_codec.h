/* SPDX-License-Identifier: GPL-2.0-only OR Apache-2.0 */
/*
 * SealFS message codec: building messages into bounded buffers and
 * validating received ones. Shared by sealfs.ko and the userspace programs.
 *
 * Validation is driven by one table (codec.c) that gives, for every opcode
 * and direction, the size of the fixed body, where the lengths of its
 * variable parts sit, what those parts may contain, which fields must be
 * zero and which flag bits are known. A message that passes
 * sealfs_hdr_decode() and sealfs_msg_parse() can be read through the
 * pointers those return without any further length check.
 */
#ifndef SEALFS_CODEC_H
#define SEALFS_CODEC_H

#include "sealfs_env.h"
#include "sealfs_proto.h"

#define SEALFS_MAX_TAILS	2

/**
 * struct sealfs_hdr_info - a message header in host byte order
 * @opcode: &enum sealfs_op
 * @flags: %SEALFS_HF_* bits
 * @len: payload bytes
 * @status: &enum sealfs_status (replies)
 * @req_id: request id
 * @epoch: sender's map epoch
 */
struct sealfs_hdr_info {
	u16 opcode;
	u32 flags;
	u32 len;
	u32 status;
	u64 req_id;
	u64 epoch;
};

/**
 * struct sealfs_msg - a validated payload
 * @body: the fixed body (%NULL when the payload is empty)
 * @body_len: its size
 * @tail: the variable parts in order; a detached last part of kind bytes
 *	(see sealfs_msg_parse()) is %NULL
 * @tail_len: their sizes
 * @ntails: how many variable parts the message has
 * @recs: the records of a list reply, or %NULL
 * @recs_len: bytes of records
 * @nrecs: number of records
 */
struct sealfs_msg {
	const void *body;
	u32 body_len;
	const u8 *tail[SEALFS_MAX_TAILS];
	u32 tail_len[SEALFS_MAX_TAILS];
	u32 ntails;
	const u8 *recs;
	u32 recs_len;
	u32 nrecs;
};

/**
 * struct sealfs_rec - one record of a validated list reply
 * @kind: &enum sealfs_rec_kind
 * @body: the record's fixed body (after its &struct sealfs_rec_hdr)
 * @name: the name that follows the body, or %NULL
 * @name_len: bytes of @name
 */
struct sealfs_rec {
	u16 kind;
	const void *body;
	const u8 *name;
	u32 name_len;
};

/**
 * struct sealfs_rec_iter - walks the records of a validated message
 * @p: next record
 * @left: records left
 */
struct sealfs_rec_iter {
	const u8 *p;
	u32 left;
};

/**
 * struct sealfs_buf - a bounded output buffer
 * @data: memory
 * @len: bytes written
 * @cap: size of @data
 * @err: 0, or -EMSGSIZE once a write did not fit (later writes are ignored)
 */
struct sealfs_buf {
	u8 *data;
	u32 len;
	u32 cap;
	int err;
};

/* header */
int sealfs_hdr_decode(const void *raw, u32 max_payload,
		      struct sealfs_hdr_info *h);
void sealfs_hdr_encode(void *raw, const struct sealfs_hdr_info *h);

/* payload */
int sealfs_msg_parse(const struct sealfs_hdr_info *h, const void *payload,
		     u32 avail, struct sealfs_msg *m);
bool sealfs_op_known(u16 opcode);
const char *sealfs_op_name(u16 opcode);
u32 sealfs_op_fixed_size(u16 opcode, bool reply);

/* records */
void sealfs_rec_iter_init(struct sealfs_rec_iter *it, const struct sealfs_msg *m);
bool sealfs_rec_next(struct sealfs_rec_iter *it, struct sealfs_rec *rec);

/* building */
void sealfs_buf_init(struct sealfs_buf *b, void *mem, u32 cap);
void sealfs_buf_put(struct sealfs_buf *b, const void *p, u32 n);
void sealfs_msg_start(struct sealfs_buf *b);
void sealfs_msg_put_rec(struct sealfs_buf *b, u16 kind, const void *body,
			u32 body_len, const void *name, u32 name_len);
int sealfs_msg_end(struct sealfs_buf *b, struct sealfs_hdr_info *h,
		   u32 detached);

/* names */
int sealfs_check_name(const u8 *name, u32 len);
int sealfs_check_volname(const u8 *name, u32 len);

/* status.c */
int sealfs_status_to_errno(u32 status);
u32 sealfs_errno_to_status(int err);
const char *sealfs_status_name(u32 status);

#endif /* SEALFS_CODEC_H */
