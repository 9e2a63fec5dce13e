// SPDX-License-Identifier: Apache-2.0
/*
 * Writes tests/vectors/codec_vectors.h: the sample message of every opcode
 * and direction, and a table of malformed messages derived from them, each
 * with the error that sealfs_hdr_decode() and sealfs_msg_parse() must give.
 * The expected errors are stated here, by hand, and the generator refuses
 * to write the file when the codec disagrees; test_codec and the kernel's
 * tests then check the same bytes against the codec they link.
 *
 *   build/tests/gen_codec_vectors > tests/vectors/codec_vectors.h
 */
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "unit/codec_samples.h"

#define HDR		SEALFS_HDR_SIZE
#define BODY(t, f)	(HDR + offsetof(struct t, f))
#define HOFF(f)		offsetof(struct sealfs_hdr, f)
#define REC0		0x10000u	/* offsets from the first record */
#define TAIL0		0x20000u	/* offsets from the first tail */

enum gv_op { GV_END, GV_SET8, GV_SET16, GV_SET32, GV_LEN, GV_CUT, GV_GROW };

/**
 * struct gv_edit - one change to a sample message
 * @op: what to do
 * @off: byte offset (plus %REC0 or %TAIL0 to count from there)
 * @val: value for the GV_SET* ops, hdr.len for GV_LEN, bytes for GV_CUT
 *	(drop them from the end, hdr.len follows) and GV_GROW (append zeros)
 */
struct gv_edit {
	enum gv_op op;
	unsigned int off;
	unsigned long long val;
};

/**
 * struct gv_case - a malformed message and what the codec must say
 * @name: identifier (C name suffix)
 * @what: one line for the reader
 * @opcode: sample it starts from
 * @reply: from the reply sample
 * @edits: changes, ending with GV_END
 * @hdr_err: from sealfs_hdr_decode(), max_payload %SEALFS_MAX_PAYLOAD
 * @parse_err: from sealfs_msg_parse() with every byte available
 */
struct gv_case {
	const char *name;
	const char *what;
	unsigned int opcode;
	bool reply;
	struct gv_edit edits[4];
	int hdr_err;
	int parse_err;
};

#define E(op, off, val)	{ GV_##op, off, val }

static const struct gv_case gv_cases[] = {
	/* header */
	{ "bad_magic", "magic is not SEAL", SEALFS_OP_PING, false,
	  { E(SET32, HOFF(magic), 0x4c414554) }, -EBADMSG, 0 },
	{ "big_endian_magic", "magic in the wrong byte order", SEALFS_OP_PING, false,
	  { E(SET32, HOFF(magic), 0x5345414c) }, -EBADMSG, 0 },
	{ "version_2", "major version 2", SEALFS_OP_PING, false,
	  { E(SET16, HOFF(version), 2) }, -EPROTONOSUPPORT, 0 },
	{ "version_0", "major version 0", SEALFS_OP_PING, false,
	  { E(SET16, HOFF(version), 0) }, -EPROTONOSUPPORT, 0 },
	{ "unknown_flag", "header flag bit 2", SEALFS_OP_GETATTR, false,
	  { E(SET32, HOFF(flags), 0x4) }, -EBADMSG, 0 },
	{ "unknown_flag_high", "header flag bit 31", SEALFS_OP_GETATTR, true,
	  { E(SET32, HOFF(flags), 0x80000001u) }, -EBADMSG, 0 },
	{ "hdr_reserved", "non-zero header padding", SEALFS_OP_PING, false,
	  { E(SET8, HOFF(reserved) + 3, 1) }, -EBADMSG, 0 },
	{ "status_in_request", "a request carrying a status", SEALFS_OP_LOOKUP, false,
	  { E(SET32, HOFF(status), SEALFS_S_NOENT) }, -EBADMSG, 0 },
	{ "oversize", "hdr.len one past the maximum payload", SEALFS_OP_PING, false,
	  { E(LEN, 0, SEALFS_MAX_PAYLOAD + 1ull) }, -EMSGSIZE, 0 },
	{ "len_all_ones", "hdr.len 0xffffffff", SEALFS_OP_PING, false,
	  { E(LEN, 0, 0xffffffffull) }, -EMSGSIZE, 0 },

	/* opcodes */
	{ "opcode_0", "opcode 0", SEALFS_OP_PING, false,
	  { E(SET16, HOFF(opcode), 0) }, 0, -EOPNOTSUPP },
	{ "opcode_unassigned", "opcode 31 (unassigned)", SEALFS_OP_PING, false,
	  { E(SET16, HOFF(opcode), 31) }, 0, -EOPNOTSUPP },
	{ "opcode_max", "opcode SEALFS_OP_MAX", SEALFS_OP_PING, false,
	  { E(SET16, HOFF(opcode), SEALFS_OP_MAX) }, 0, -EOPNOTSUPP },
	{ "opcode_ffff", "opcode 0xffff", SEALFS_OP_PING, true,
	  { E(SET16, HOFF(opcode), 0xffff) }, 0, -EOPNOTSUPP },

	/* fixed bodies */
	{ "short_body", "LOOKUP body one byte short", SEALFS_OP_LOOKUP, false,
	  { E(LEN, 0, sizeof(struct sealfs_name_req) - 1) }, 0, -EBADMSG },
	{ "empty_body", "GETATTR without a body", SEALFS_OP_GETATTR, false,
	  { E(LEN, 0, 0) }, 0, -EBADMSG },
	{ "trailing_byte", "a byte after the name", SEALFS_OP_LOOKUP, false,
	  { E(GROW, 0, 1) }, 0, -EBADMSG },
	{ "trailing_after_empty", "PING with a payload", SEALFS_OP_PING, false,
	  { E(GROW, 0, 8) }, 0, -EBADMSG },
	{ "body_padding", "non-zero padding in LOOKUP", SEALFS_OP_LOOKUP, false,
	  { E(SET8, BODY(sealfs_name_req, reserved), 1) }, 0, -EBADMSG },
	{ "create_padding", "non-zero reserved1 in CREATE", SEALFS_OP_CREATE, false,
	  { E(SET8, BODY(sealfs_create_req, reserved1) + 3, 0x80) }, 0, -EBADMSG },
	{ "hello_padding", "non-zero reserved1 in HELLO", SEALFS_OP_HELLO, false,
	  { E(SET32, BODY(sealfs_hello_req, reserved1), 1) }, 0, -EBADMSG },
	{ "attr_padding", "non-zero attr.reserved in a GETATTR reply",
	  SEALFS_OP_GETATTR, true,
	  { E(SET8, BODY(sealfs_attr_rep, attr.reserved), 1) }, 0, -EBADMSG },
	{ "create_unknown_flag", "CREATE flag bit 31", SEALFS_OP_CREATE, false,
	  { E(SET32, BODY(sealfs_create_req, flags), 0x80000000u) }, 0, -EBADMSG },
	{ "entry_unknown_flag", "entry reply flag bit 1", SEALFS_OP_LOOKUP, true,
	  { E(SET32, BODY(sealfs_entry_rep, flags), 0x2) }, 0, -EBADMSG },

	/* variable parts */
	{ "name_past_end", "name_len one past the end", SEALFS_OP_LOOKUP, false,
	  { E(SET16, BODY(sealfs_name_req, name_len), sizeof(cs_name)) }, 0, -EBADMSG },
	{ "name_len_ffff", "name_len 0xffff", SEALFS_OP_LOOKUP, false,
	  { E(SET16, BODY(sealfs_name_req, name_len), 0xffff) }, 0, -EBADMSG },
	{ "name_short", "name_len one short (a byte left over)", SEALFS_OP_LOOKUP, false,
	  { E(SET16, BODY(sealfs_name_req, name_len), sizeof(cs_name) - 2) }, 0, -EBADMSG },
	{ "name_empty", "an empty name", SEALFS_OP_LOOKUP, false,
	  { E(SET16, BODY(sealfs_name_req, name_len), 0),
	    E(CUT, 0, sizeof(cs_name) - 1) }, 0, -EBADMSG },
	{ "name_slash", "a name with '/'", SEALFS_OP_LOOKUP, false,
	  { E(SET8, TAIL0 + 3, '/') }, 0, -EBADMSG },
	{ "name_nul", "a name with a NUL byte", SEALFS_OP_LOOKUP, false,
	  { E(SET8, TAIL0 + 5, 0) }, 0, -EBADMSG },
	{ "name_dot", "the name dot", SEALFS_OP_CREATE, false,
	  { E(SET16, BODY(sealfs_create_req, name_len), 1), E(SET8, TAIL0, '.'),
	    E(CUT, 0, sizeof(cs_name) - 2) }, 0, -EBADMSG },
	{ "name_dotdot", "the name dot-dot", SEALFS_OP_LOOKUP, false,
	  { E(SET16, BODY(sealfs_name_req, name_len), 2), E(SET8, TAIL0, '.'),
	    E(SET8, TAIL0 + 1, '.'), E(CUT, 0, sizeof(cs_name) - 3) }, 0, -EBADMSG },
	{ "target_past_end", "symlink target one past the end", SEALFS_OP_SYMLINK, false,
	  { E(SET16, BODY(sealfs_symlink_req, target_len), sizeof(cs_target)) },
	  0, -EBADMSG },
	{ "target_nul", "symlink target with a NUL", SEALFS_OP_SYMLINK, false,
	  { E(SET8, TAIL0 + sizeof(cs_name) - 1 + 2, 0) }, 0, -EBADMSG },
	{ "xvalue_past_end", "xattr value one past the end", SEALFS_OP_SETXATTR, false,
	  { E(SET32, BODY(sealfs_setxattr_req, value_len), sizeof(cs_xvalue)) },
	  0, -EBADMSG },
	{ "xlist_unterminated", "listxattr names without the last NUL",
	  SEALFS_OP_LISTXATTR, true,
	  { E(SET32, BODY(sealfs_xattr_rep, len), sizeof(cs_xlist) - 1),
	    E(CUT, 0, 1) }, 0, -EBADMSG },
	{ "data_past_end", "WRITE data one past the end", SEALFS_OP_WRITE, false,
	  { E(SET32, BODY(sealfs_write_req, length), sizeof(cs_data)) }, 0, -EBADMSG },
	{ "data_over_max_io", "WRITE length above SEALFS_MAX_IO", SEALFS_OP_WRITE, false,
	  { E(SET32, BODY(sealfs_write_req, length), SEALFS_MAX_IO + 1ull) },
	  0, -EBADMSG },
	{ "volname_slash", "a volume name with '/'", SEALFS_OP_VOL_CREATE, false,
	  { E(SET8, TAIL0 + 2, '/') }, 0, -EBADMSG },

	/* records */
	{ "count_high", "READDIR count one above the records", SEALFS_OP_READDIR, true,
	  { E(SET32, BODY(sealfs_readdir_rep, count), 6) }, 0, -EBADMSG },
	{ "count_low", "READDIR count one below the records", SEALFS_OP_READDIR, true,
	  { E(SET32, BODY(sealfs_readdir_rep, count), 4) }, 0, -EBADMSG },
	{ "count_huge", "MAP_GET count 0xffffffff", SEALFS_OP_MAP_GET, true,
	  { E(SET32, BODY(sealfs_map_rep, count), 0xffffffffu) }, 0, -EBADMSG },
	{ "rec_unknown_kind", "record kind 9", SEALFS_OP_READDIR, true,
	  { E(SET16, REC0 + offsetof(struct sealfs_rec_hdr, kind), 9) }, 0, -EBADMSG },
	{ "rec_wrong_kind", "a cluster-map record in a READDIR reply",
	  SEALFS_OP_READDIR, true,
	  { E(SET16, REC0 + offsetof(struct sealfs_rec_hdr, kind),
	      SEALFS_REC_MAP_SERVER) }, 0, -EBADMSG },
	{ "rec_len_odd", "record length not a multiple of 8", SEALFS_OP_READDIR, true,
	  { E(SET32, REC0 + offsetof(struct sealfs_rec_hdr, len), 129) }, 0, -EBADMSG },
	{ "rec_len_huge", "record length past the end", SEALFS_OP_VOL_LIST, true,
	  { E(SET32, REC0 + offsetof(struct sealfs_rec_hdr, len), 0xfffffff8u) },
	  0, -EBADMSG },
	{ "rec_len_zero", "record length 0", SEALFS_OP_CLUSTER_STATUS, true,
	  { E(SET32, REC0 + offsetof(struct sealfs_rec_hdr, len), 0) }, 0, -EBADMSG },
	{ "rec_reserved", "non-zero record header padding", SEALFS_OP_READDIR, true,
	  { E(SET8, REC0 + offsetof(struct sealfs_rec_hdr, reserved), 1) }, 0, -EBADMSG },
	{ "rec_name_past", "dirent name_len past its record", SEALFS_OP_READDIR, true,
	  { E(SET16, REC0 + sizeof(struct sealfs_rec_hdr) +
	      offsetof(struct sealfs_dirent, name_len), 200) }, 0, -EBADMSG },
	{ "rec_pad_nonzero", "non-zero bytes after a record's name",
	  SEALFS_OP_READDIR, true,
	  { E(SET8, REC0 + sizeof(struct sealfs_rec_hdr) + sizeof(struct sealfs_dirent) +
	      sizeof(cs_name) - 1, 0x5a) }, 0, -EBADMSG },
	{ "rec_truncated", "last record cut short", SEALFS_OP_READDIR, true,
	  { E(CUT, 0, 8) }, 0, -EBADMSG },

	/* replies */
	{ "error_with_body", "an error reply carrying a body", SEALFS_OP_LOOKUP, true,
	  { E(SET32, HOFF(status), SEALFS_S_NOENT) }, 0, -EBADMSG },
	{ "error_empty", "an error reply without a body (valid)", SEALFS_OP_LOOKUP, true,
	  { E(SET32, HOFF(status), SEALFS_S_NOENT), E(LEN, 0, 0) }, 0, 0 },
	{ "unknown_status_empty", "an unknown status without a body (valid)",
	  SEALFS_OP_GETATTR, true,
	  { E(SET32, HOFF(status), 0x7fffffffu), E(LEN, 0, 0) }, 0, 0 },
};

static unsigned int gv_rec0(unsigned int op)
{
	return HDR + sealfs_op_fixed_size(op, true);
}

static unsigned int gv_tail0(unsigned int op, bool reply)
{
	return HDR + sealfs_op_fixed_size(op, reply);
}

static void gv_put(unsigned char *p, unsigned int off, unsigned long long v,
		   unsigned int size, unsigned int len)
{
	unsigned int i;

	if (off + size > len) {
		fprintf(stderr, "gen_codec_vectors: edit at %u past the message (%u)\n",
			off, len);
		exit(1);
	}
	for (i = 0; i < size; i++)
		p[off + i] = v >> (8 * i);
}

/* Applies a case's edits to its sample; returns the message length. */
static unsigned int gv_apply(const struct gv_case *c, unsigned char *p,
			     unsigned int len)
{
	const struct gv_edit *e;
	unsigned int off;

	for (e = c->edits; e->op != GV_END; e++) {
		off = e->off;
		if (off >= TAIL0)
			off = off - TAIL0 + gv_tail0(c->opcode, c->reply);
		else if (off >= REC0)
			off = off - REC0 + gv_rec0(c->opcode);
		switch (e->op) {
		case GV_SET8:
			gv_put(p, off, e->val, 1, len);
			break;
		case GV_SET16:
			gv_put(p, off, e->val, 2, len);
			break;
		case GV_SET32:
			gv_put(p, off, e->val, 4, len);
			break;
		case GV_LEN:
			gv_put(p, HOFF(len), e->val, 4, len);
			if (e->val < len - HDR)
				len = HDR + e->val;
			break;
		case GV_CUT:
			len -= e->val;
			gv_put(p, HOFF(len), len - HDR, 4, len);
			break;
		case GV_GROW:
			memset(p + len, 0, e->val);
			len += e->val;
			gv_put(p, HOFF(len), len - HDR, 4, len);
			break;
		case GV_END:
			break;
		}
	}
	return len;
}

static void gv_bytes(const char *name, const unsigned char *p, unsigned int len)
{
	unsigned int i;

	printf("static const u8 sealfs_cv_%s[] = {", name);
	for (i = 0; i < len; i++)
		printf("%s0x%02x,", i % 12 ? " " : "\n\t", p[i]);
	printf("\n};\n\n");
}

static const char *gv_errname(int err)
{
	switch (err) {
	case 0:
		return "0";
	case -EBADMSG:
		return "-EBADMSG";
	case -EMSGSIZE:
		return "-EMSGSIZE";
	case -EPROTONOSUPPORT:
		return "-EPROTONOSUPPORT";
	case -EOPNOTSUPP:
		return "-EOPNOTSUPP";
	}
	fprintf(stderr, "gen_codec_vectors: unexpected error %d\n", err);
	exit(1);
}

/* Decodes and parses like a receiver; reports each step's error. */
static void gv_check(const unsigned char *p, unsigned int len, int *hdr_err,
		     int *parse_err)
{
	struct sealfs_hdr_info h;
	struct sealfs_msg m;

	*parse_err = 0;
	*hdr_err = sealfs_hdr_decode(p, SEALFS_MAX_PAYLOAD, &h);
	if (!*hdr_err)
		*parse_err = sealfs_msg_parse(&h, p + HDR, len - HDR, &m);
}

struct gv_row {
	char name[48];
	const char *what;
	unsigned int len;
	int hdr_err;
	int parse_err;
};

static struct gv_row gv_rows[512];
static unsigned int gv_nrows;

static void gv_emit(const char *name, const char *what, const unsigned char *p,
		    unsigned int len, int hdr_err, int parse_err)
{
	struct gv_row *r = &gv_rows[gv_nrows++];

	snprintf(r->name, sizeof(r->name), "%s", name);
	r->what = what;
	r->len = len;
	r->hdr_err = hdr_err;
	r->parse_err = parse_err;
	gv_bytes(name, p, len);
}

int main(void)
{
	static unsigned char mem[CS_BUF_SIZE + 64];
	static char names[2 * SEALFS_OP_MAX][48];
	unsigned int op, i, len, nvalid = 0;
	struct sealfs_buf b;
	struct cs_expect e;
	int rep, he, pe, bad = 0;

	printf("/* SPDX-License-Identifier: GPL-2.0-only OR Apache-2.0 */\n"
	       "/*\n * Generated by tests/tools/gen_codec_vectors.c; do not edit.\n"
	       " * `make vectors` rewrites it, `make vectors-check` compares.\n *\n"
	       " * Every opcode's sample request and reply (valid), then malformed\n"
	       " * messages with the errors sealfs_hdr_decode() (max_payload\n"
	       " * SEALFS_MAX_PAYLOAD) and sealfs_msg_parse() (all bytes available)\n"
	       " * must return. Checked by tests/unit/test_codec.c and by the kernel.\n"
	       " */\n#ifndef SEALFS_CODEC_VECTORS_H\n#define SEALFS_CODEC_VECTORS_H\n\n"
	       "/**\n * struct sealfs_codec_vector - one message and its verdict\n"
	       " * @name: identifier\n * @what: description\n * @msg: header and payload\n"
	       " * @len: bytes of @msg\n * @hdr_err: sealfs_hdr_decode()'s result\n"
	       " * @parse_err: sealfs_msg_parse()'s result when @hdr_err is 0\n */\n"
	       "struct sealfs_codec_vector {\n\tconst char *name;\n\tconst char *what;\n"
	       "\tconst u8 *msg;\n\tu32 len;\n\tint hdr_err;\n\tint parse_err;\n};\n\n");

	for (op = 0; op < SEALFS_OP_MAX; op++) {
		for (rep = 0; rep < 2; rep++) {
			sealfs_buf_init(&b, mem, CS_BUF_SIZE);
			if (cs_build(&b, op, rep, &e) == -ENOENT)
				continue;
			if (b.err || b.len > 4096) {
				fprintf(stderr, "gen_codec_vectors: sample %u/%d: %d, %u bytes\n",
					op, rep, b.err, b.len);
				return 1;
			}
			gv_check(mem, b.len, &he, &pe);
			if (he || pe) {
				fprintf(stderr, "gen_codec_vectors: sample %s %s rejected: %d %d\n",
					sealfs_op_name(op), rep ? "reply" : "request", he, pe);
				return 1;
			}
			snprintf(names[nvalid], sizeof(names[0]), "ok_%s_%s",
				 sealfs_op_name(op), rep ? "rep" : "req");
			for (i = 0; names[nvalid][i]; i++)
				if (names[nvalid][i] >= 'A' && names[nvalid][i] <= 'Z')
					names[nvalid][i] += 'a' - 'A';
			gv_emit(names[nvalid], "valid sample", mem, b.len, 0, 0);
			nvalid++;
		}
	}
	for (i = 0; i < ARRAY_SIZE(gv_cases); i++) {
		const struct gv_case *c = &gv_cases[i];

		sealfs_buf_init(&b, mem, CS_BUF_SIZE);
		if (cs_build(&b, c->opcode, c->reply, &e) || b.err)
			return 1;
		len = gv_apply(c, mem, b.len);
		gv_check(mem, len, &he, &pe);
		if (he != c->hdr_err || pe != c->parse_err) {
			fprintf(stderr, "gen_codec_vectors: %s: codec says %d/%d, expected %d/%d\n",
				c->name, he, pe, c->hdr_err, c->parse_err);
			bad = 1;
		}
		gv_emit(c->name, c->what, mem, len, c->hdr_err, c->parse_err);
	}
	if (bad)
		return 1;

	printf("static const struct sealfs_codec_vector sealfs_codec_vectors[] = {\n");
	for (i = 0; i < gv_nrows; i++) {
		const struct gv_row *r = &gv_rows[i];

		printf("\t{ \"%s\", \"%s\", sealfs_cv_%s, %u, %s, %s },\n", r->name,
		       r->what, r->name, r->len, gv_errname(r->hdr_err),
		       gv_errname(r->parse_err));
	}
	printf("};\n\n#define SEALFS_CODEC_VALID_VECTORS %u\n\n"
	       "#endif /* SEALFS_CODEC_VECTORS_H */\n", nvalid);
	return 0;
}
