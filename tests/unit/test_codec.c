// SPDX-License-Identifier: Apache-2.0
/*
 * Codec tests: every message round trips; malformed messages (the shared
 * vectors, every truncation, byte mutations, random payloads) are rejected
 * without a read outside the bytes given. Built with ASan and UBSan, and
 * every message under test sits in a heap block of exactly its size, so an
 * over-read is a test failure.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "unit/codec_samples.h"
#include "vectors/codec_vectors.h"

/* Heap copy of exactly @len bytes (at least one, for malloc's sake). */
static unsigned char *tc_dup(const void *p, size_t len)
{
	unsigned char *q = malloc(len ? len : 1);

	assert_non_null(q);
	memcpy(q, p, len);
	return q;
}

static bool tc_within(const void *p, size_t n, const void *base, size_t len)
{
	const unsigned char *b = base, *q = p;

	return q >= b && n <= len && (size_t)(q - b) <= len - n;
}

/* A parsed message's pointers all lie in its payload; walks the records. */
static void tc_check_bounds(const struct sealfs_msg *m, const void *payload,
			    size_t avail)
{
	struct sealfs_rec_iter it;
	struct sealfs_rec rec;
	unsigned int i, n = 0;

	if (m->body)
		assert_true(tc_within(m->body, m->body_len, payload, avail));
	for (i = 0; i < m->ntails; i++)
		if (m->tail[i])
			assert_true(tc_within(m->tail[i], m->tail_len[i], payload, avail));
	if (!m->nrecs)
		return;
	assert_true(tc_within(m->recs, m->recs_len, payload, avail));
	sealfs_rec_iter_init(&it, m);
	while (sealfs_rec_next(&it, &rec)) {
		assert_true(rec.kind > 0 && rec.kind < SEALFS_REC_MAX);
		assert_true(tc_within(rec.body, 1, m->recs, m->recs_len));
		if (rec.name)
			assert_true(tc_within(rec.name, rec.name_len, m->recs, m->recs_len));
		n++;
	}
	assert_int_equal(n, m->nrecs);
}

static bool tc_known_error(int err)
{
	return err == -EBADMSG || err == -EMSGSIZE || err == -EPROTONOSUPPORT ||
	       err == -EOPNOTSUPP;
}

/* Decodes and parses @len bytes the way a receiver does. */
static int tc_receive(const unsigned char *msg, size_t len, size_t avail,
		      struct sealfs_hdr_info *h, struct sealfs_msg *m)
{
	int err;

	memset(m, 0, sizeof(*m));
	if (len < SEALFS_HDR_SIZE)
		return -EBADMSG;
	err = sealfs_hdr_decode(msg, SEALFS_MAX_PAYLOAD, h);
	if (err)
		return err;
	return sealfs_msg_parse(h, msg + SEALFS_HDR_SIZE, avail, m);
}

struct tc_sample {
	unsigned int op;
	bool reply;
	unsigned int len;
	struct cs_expect e;
	unsigned char *msg;
};

static struct tc_sample tc_samples[2 * SEALFS_OP_MAX];
static unsigned int tc_nsamples;
static unsigned char tc_mem[CS_BUF_SIZE];

static int tc_setup(void **state)
{
	struct sealfs_buf b;
	unsigned int op;
	int rep;

	(void)state;
	for (op = 0; op < SEALFS_OP_MAX; op++) {
		for (rep = 0; rep < 2; rep++) {
			struct tc_sample *s = &tc_samples[tc_nsamples];

			sealfs_buf_init(&b, tc_mem, sizeof(tc_mem));
			if (cs_build(&b, op, rep, &s->e) == -ENOENT)
				continue;
			if (b.err)
				return -1;
			s->op = op;
			s->reply = rep;
			s->len = b.len;
			s->msg = malloc(b.len);
			if (!s->msg)
				return -1;
			memcpy(s->msg, tc_mem, b.len);
			tc_nsamples++;
		}
	}
	return 0;
}

static int tc_teardown(void **state)
{
	unsigned int i;

	(void)state;
	for (i = 0; i < tc_nsamples; i++)
		free(tc_samples[i].msg);
	return 0;
}

/* Every assigned opcode has a request and a reply sample, none other. */
static void test_every_opcode_has_samples(void **state)
{
	unsigned int op, known = 0;

	(void)state;
	for (op = 0; op < 0x10000; op++) {
		if (sealfs_op_known(op)) {
			known++;
			assert_string_not_equal(sealfs_op_name(op), "UNKNOWN");
		} else {
			assert_string_equal(sealfs_op_name(op), "UNKNOWN");
			assert_int_equal(sealfs_op_fixed_size(op, false), 0);
		}
	}
	assert_true(known >= 30);
	assert_int_equal(tc_nsamples, 2 * known);
	assert_int_equal(SEALFS_CODEC_VALID_VECTORS, tc_nsamples);
}

/* Build, decode, parse: every field and variable part comes back. */
static void test_round_trip(void **state)
{
	struct sealfs_hdr_info h;
	struct sealfs_msg m;
	unsigned int i, t;

	(void)state;
	for (i = 0; i < tc_nsamples; i++) {
		const struct tc_sample *s = &tc_samples[i];
		unsigned char *msg = tc_dup(s->msg, s->len);
		const unsigned char *payload = msg + SEALFS_HDR_SIZE;

		assert_int_equal(tc_receive(msg, s->len, s->len - SEALFS_HDR_SIZE, &h, &m), 0);
		assert_int_equal(h.opcode, s->op);
		assert_int_equal(h.flags, s->reply ? SEALFS_HF_REPLY : 0);
		assert_int_equal(h.len, s->len - SEALFS_HDR_SIZE);
		assert_true(h.req_id == CS_REQ_ID);
		assert_true(h.epoch == CS_EPOCH);
		assert_int_equal(h.status, 0);
		assert_int_equal(m.body_len, sealfs_op_fixed_size(s->op, s->reply));
		assert_ptr_equal(m.body, m.body_len ? payload : NULL);
		assert_int_equal(m.ntails, s->e.ntails);
		for (t = 0; t < m.ntails; t++) {
			assert_int_equal(m.tail_len[t], s->e.tail_len[t]);
			assert_memory_equal(m.tail[t], s->e.tail[t], m.tail_len[t]);
		}
		assert_int_equal(m.nrecs, s->e.nrecs);
		tc_check_bounds(&m, payload, h.len);
		free(msg);
	}
}

/* The header's wire layout: little-endian, at the documented offsets. */
static void test_header_layout(void **state)
{
	struct sealfs_hdr_info in = {
		.opcode = SEALFS_OP_READ, .flags = SEALFS_HF_REPLY | SEALFS_HF_RETRY,
		.len = 0x01020304 & (SEALFS_MAX_PAYLOAD - 1), .status = SEALFS_S_NOENT,
		.req_id = 0x0102030405060708ull, .epoch = 0xa1a2a3a4a5a6a7a8ull,
	}, out;
	unsigned char raw[SEALFS_HDR_SIZE];

	(void)state;
	memset(raw, 0xee, sizeof(raw));
	sealfs_hdr_encode(raw, &in);
	assert_memory_equal(raw, "SEAL", 4);
	assert_int_equal(raw[4], SEALFS_PROTO_MAJOR);
	assert_int_equal(raw[5], 0);
	assert_int_equal(raw[6], SEALFS_OP_READ);
	assert_int_equal(raw[offsetof(struct sealfs_hdr, flags)], 3);
	assert_int_equal(raw[offsetof(struct sealfs_hdr, req_id)], 0x08);
	assert_int_equal(raw[offsetof(struct sealfs_hdr, req_id) + 7], 0x01);
	assert_int_equal(raw[offsetof(struct sealfs_hdr, epoch)], 0xa8);
	assert_int_equal(raw[offsetof(struct sealfs_hdr, status)], SEALFS_S_NOENT);
	assert_int_equal(raw[36] | raw[37] | raw[38] | raw[39], 0);
	assert_int_equal(sealfs_hdr_decode(raw, SEALFS_MAX_PAYLOAD, &out), 0);
	assert_int_equal(out.opcode, in.opcode);
	assert_int_equal(out.flags, in.flags);
	assert_int_equal(out.len, in.len);
	assert_int_equal(out.status, in.status);
	assert_true(out.req_id == in.req_id && out.epoch == in.epoch);
	/* The receiver's own limit applies too. */
	assert_int_equal(sealfs_hdr_decode(raw, in.len - 1, &out), -EMSGSIZE);

	/* Any alignment (UBSan checks the reads). */
	{
		unsigned char *odd = malloc(SEALFS_HDR_SIZE + 1);

		assert_non_null(odd);
		memcpy(odd + 1, raw, SEALFS_HDR_SIZE);
		memset(&out, 0, sizeof(out));
		assert_int_equal(sealfs_hdr_decode(odd + 1, SEALFS_MAX_PAYLOAD, &out), 0);
		assert_true(out.req_id == in.req_id);
		free(odd);
	}
	/* Another major version: refused, but the request id is known. */
	raw[offsetof(struct sealfs_hdr, version)] = SEALFS_PROTO_MAJOR + 1;
	memset(&out, 0, sizeof(out));
	assert_int_equal(sealfs_hdr_decode(raw, SEALFS_MAX_PAYLOAD, &out), -EPROTONOSUPPORT);
	assert_true(out.req_id == in.req_id);
	assert_int_equal(out.opcode, in.opcode);
}

/* The shared vectors: the same bytes the kernel tests check. */
static void test_vectors(void **state)
{
	struct sealfs_hdr_info h;
	struct sealfs_msg m;
	unsigned int i, bad = 0;

	(void)state;
	assert_true(ARRAY_SIZE(sealfs_codec_vectors) > SEALFS_CODEC_VALID_VECTORS + 40);
	for (i = 0; i < ARRAY_SIZE(sealfs_codec_vectors); i++) {
		const struct sealfs_codec_vector *v = &sealfs_codec_vectors[i];
		unsigned char *msg = tc_dup(v->msg, v->len);
		int he, pe = 0;

		assert_true(v->len >= SEALFS_HDR_SIZE);
		he = sealfs_hdr_decode(msg, SEALFS_MAX_PAYLOAD, &h);
		if (!he) {
			/* Oversize headers never get here; others carry all bytes. */
			pe = sealfs_msg_parse(&h, msg + SEALFS_HDR_SIZE,
					      v->len - SEALFS_HDR_SIZE, &m);
			if (!pe)
				tc_check_bounds(&m, msg + SEALFS_HDR_SIZE, h.len);
		}
		if (he != v->hdr_err || pe != v->parse_err) {
			print_error("vector %s (%s): got %d/%d, want %d/%d\n", v->name,
				    v->what, he, pe, v->hdr_err, v->parse_err);
			bad++;
		}
		free(msg);
	}
	assert_int_equal(bad, 0);
}

/*
 * A message cut short at every byte, its length field saying so, is
 * rejected; and one whose bytes have not all arrived is either rejected
 * or accepted with only its last data part detached.
 */
static void test_truncation(void **state)
{
	struct sealfs_hdr_info h;
	struct sealfs_msg m;
	unsigned int i, cut, t;

	(void)state;
	for (i = 0; i < tc_nsamples; i++) {
		const struct tc_sample *s = &tc_samples[i];
		unsigned int plen = s->len - SEALFS_HDR_SIZE;

		for (cut = 0; cut < plen; cut++) {
			unsigned char *msg = tc_dup(s->msg, SEALFS_HDR_SIZE + cut);
			int err;

			msg[offsetof(struct sealfs_hdr, len)] = cut & 0xff;
			msg[offsetof(struct sealfs_hdr, len) + 1] = cut >> 8;
			err = tc_receive(msg, SEALFS_HDR_SIZE + cut, cut, &h, &m);
			if (err != -EBADMSG)
				print_error("%s %s cut to %u: %d\n", sealfs_op_name(s->op),
					    s->reply ? "reply" : "request", cut, err);
			assert_int_equal(err, -EBADMSG);

			/* The full length announced, @cut bytes there so far. */
			memcpy(msg, s->msg, SEALFS_HDR_SIZE);
			err = tc_receive(msg, SEALFS_HDR_SIZE + cut, cut, &h, &m);
			if (err) {
				assert_int_equal(err, -EBADMSG);
			} else {
				assert_true(m.ntails > 0);
				t = m.ntails - 1;
				assert_null(m.tail[t]);
				assert_int_equal(m.tail_len[t], s->e.tail_len[t]);
				assert_true(cut >= plen - m.tail_len[t]);
				tc_check_bounds(&m, msg + SEALFS_HDR_SIZE, cut);
			}
			free(msg);
		}
	}
}

/*
 * Every byte of every sample set to each single-bit flip, 0x00 and 0xff:
 * the codec accepts or rejects with a known error, and what it accepts
 * points inside the message.
 */
static void test_mutations(void **state)
{
	static const unsigned char vals[] = { 0x00, 0xff, 0x7f, 0x80 };
	struct sealfs_hdr_info h;
	struct sealfs_msg m;
	unsigned int i, pos, k, accepted = 0, rejected = 0;

	(void)state;
	for (i = 0; i < tc_nsamples; i++) {
		const struct tc_sample *s = &tc_samples[i];

		for (pos = 0; pos < s->len; pos++) {
			for (k = 0; k < 8 + sizeof(vals); k++) {
				unsigned char *msg = tc_dup(s->msg, s->len);
				int err;

				msg[pos] = k < 8 ? msg[pos] ^ (1u << k) : vals[k - 8];
				err = tc_receive(msg, s->len, s->len - SEALFS_HDR_SIZE, &h, &m);
				if (err) {
					assert_true(tc_known_error(err));
					rejected++;
				} else {
					tc_check_bounds(&m, msg + SEALFS_HDR_SIZE,
							s->len - SEALFS_HDR_SIZE);
					accepted++;
				}
				free(msg);
			}
		}
	}
	/* Both outcomes must occur, or the mutations touched nothing. */
	assert_true(accepted > 1000);
	assert_true(rejected > 1000);
}

/* Random payloads behind valid headers of every opcode. */
static void test_random_payloads(void **state)
{
	unsigned long long x = 0x9e3779b97f4a7c15ull;
	unsigned char raw[SEALFS_HDR_SIZE];
	struct sealfs_hdr_info h, d;
	struct sealfs_msg m;
	unsigned int iter, j;

	(void)state;
	for (iter = 0; iter < 200000; iter++) {
		unsigned int len;
		unsigned char *p;
		int err;

		x ^= x << 13, x ^= x >> 7, x ^= x << 17;
		len = x % 600;
		h = (struct sealfs_hdr_info){
			.opcode = (x >> 16) % SEALFS_OP_MAX,
			.flags = (x >> 24) & 1 ? SEALFS_HF_REPLY : 0, .len = len,
		};
		sealfs_hdr_encode(raw, &h);
		assert_int_equal(sealfs_hdr_decode(raw, SEALFS_MAX_PAYLOAD, &d), 0);
		p = malloc(len ? len : 1);
		assert_non_null(p);
		for (j = 0; j < len; j++) {
			x ^= x << 13, x ^= x >> 7, x ^= x << 17;
			/* Mostly small bytes, so lengths sometimes fit. */
			p[j] = x & 0x100 ? x & 0x7 : x;
		}
		err = sealfs_msg_parse(&d, p, len, &m);
		if (err)
			assert_true(tc_known_error(err));
		else
			tc_check_bounds(&m, p, len);
		free(p);
	}
}

/* Building never writes past the buffer and reports what did not fit. */
static void test_build_bounds(void **state)
{
	unsigned int i, cap;

	(void)state;
	for (i = 0; i < tc_nsamples; i++) {
		const struct tc_sample *s = &tc_samples[i];

		for (cap = 0; cap <= s->len; cap += cap < 64 ? 1 : 7) {
			unsigned char *mem = malloc(cap ? cap : 1);
			struct sealfs_buf b;
			struct cs_expect e;

			assert_non_null(mem);
			sealfs_buf_init(&b, mem, cap);
			assert_int_equal(cs_build(&b, s->op, s->reply, &e),
					 cap < s->len ? -EMSGSIZE : 0);
			if (cap == s->len)
				assert_memory_equal(mem, s->msg, s->len);
			free(mem);
		}
	}
}

/* A payload sent after the buffer (WRITE data from pages) is announced. */
static void test_detached_build(void **state)
{
	struct sealfs_write_req w = { .ino = L64(5), .vol = L32(1), .length = L32(1 << 20) };
	struct sealfs_hdr_info h = { .opcode = SEALFS_OP_WRITE }, d;
	unsigned char mem[256];
	struct sealfs_buf b;
	struct sealfs_msg m;

	(void)state;
	sealfs_buf_init(&b, mem, sizeof(mem));
	sealfs_msg_start(&b);
	sealfs_buf_put(&b, &w, sizeof(w));
	assert_int_equal(sealfs_msg_end(&b, &h, 1 << 20), 0);
	assert_int_equal(h.len, sizeof(w) + (1 << 20));
	assert_int_equal(sealfs_hdr_decode(mem, SEALFS_MAX_PAYLOAD, &d), 0);
	assert_int_equal(sealfs_msg_parse(&d, mem + SEALFS_HDR_SIZE, sizeof(w), &m), 0);
	assert_null(m.tail[0]);
	assert_int_equal(m.tail_len[0], 1 << 20);
	/* The same request cannot carry more than SEALFS_MAX_PAYLOAD. */
	assert_int_equal(sealfs_msg_end(&b, &h, SEALFS_MAX_PAYLOAD), -EMSGSIZE);
	/* A name is never detached: it must be there to be checked. */
	{
		struct sealfs_name_req n = { .parent = L64(1), .name_len = L16(4) };

		sealfs_msg_start(&b);
		sealfs_buf_put(&b, &n, sizeof(n));
		assert_int_equal(sealfs_msg_end(&b, &h, 4), 0);
		h.opcode = SEALFS_OP_LOOKUP;
		sealfs_hdr_encode(mem, &h);
		assert_int_equal(sealfs_hdr_decode(mem, SEALFS_MAX_PAYLOAD, &d), 0);
		assert_int_equal(sealfs_msg_parse(&d, mem + SEALFS_HDR_SIZE, sizeof(n), &m),
				 -EBADMSG);
	}
}

static void test_names(void **state)
{
	static const struct {
		const char *s;
		unsigned int len;
		bool ok;
	} names[] = {
		{ "a", 1, true }, { "...", 3, true }, { ".a", 2, true },
		{ "a b\xff", 4, true }, { "", 0, false }, { ".", 1, false },
		{ "..", 2, false }, { "a/b", 3, false }, { "/", 1, false },
		{ "a\0b", 3, false },
	}, vols[] = {
		{ "a", 1, true }, { "Vol-1.x_y", 9, true }, { "", 0, false },
		{ "a b", 3, false }, { "a/b", 3, false }, { "\xc3\xa9", 2, false },
		{ "a\0", 2, false }, { ".", 1, false }, { "..", 2, false },
	};
	unsigned char big[SEALFS_NAME_MAX + 1];
	unsigned int i;

	(void)state;
	for (i = 0; i < ARRAY_SIZE(names); i++)
		assert_int_equal(!sealfs_check_name((const u8 *)names[i].s, names[i].len),
				 names[i].ok);
	for (i = 0; i < ARRAY_SIZE(vols); i++)
		assert_int_equal(!sealfs_check_volname((const u8 *)vols[i].s, vols[i].len),
				 vols[i].ok);
	memset(big, 'x', sizeof(big));
	assert_int_equal(sealfs_check_name(big, SEALFS_NAME_MAX), 0);
	assert_int_not_equal(sealfs_check_name(big, SEALFS_NAME_MAX + 1), 0);
	assert_int_equal(sealfs_check_volname(big, SEALFS_VOLNAME_MAX), 0);
	assert_int_not_equal(sealfs_check_volname(big, SEALFS_VOLNAME_MAX + 1), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_every_opcode_has_samples),
		cmocka_unit_test(test_round_trip),
		cmocka_unit_test(test_header_layout),
		cmocka_unit_test(test_vectors),
		cmocka_unit_test(test_truncation),
		cmocka_unit_test(test_mutations),
		cmocka_unit_test(test_random_payloads),
		cmocka_unit_test(test_build_bounds),
		cmocka_unit_test(test_detached_build),
		cmocka_unit_test(test_names),
	};

	return cmocka_run_group_tests_name("codec", tests, tc_setup, tc_teardown);
}
