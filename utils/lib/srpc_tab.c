// SPDX-License-Identifier: Apache-2.0
/*
 * srpc pending table: chained hash table of calls keyed by request id,
 * doubled when it holds more calls than buckets.
 */
#include <errno.h>
#include <stdlib.h>

#include "srpc_int.h"

#define SRPC_TAB_MIN_BITS	6

static u32 srpc_hash(u64 id, unsigned int bits)
{
	return (u32)((id * 0x9e3779b97f4a7c15ull) >> (64 - bits));
}

int srpc__tab_init(struct srpc *r)
{
	r->tab_bits = SRPC_TAB_MIN_BITS;
	r->tab = calloc(1u << r->tab_bits, sizeof(*r->tab));
	return r->tab ? 0 : -ENOMEM;
}

/* Doubles the table; on allocation failure the chains just get longer. */
static void srpc_tab_grow(struct srpc *r)
{
	unsigned int bits = r->tab_bits + 1, i;
	struct srpc_req **tab = calloc(1u << bits, sizeof(*tab));

	if (!tab)
		return;
	for (i = 0; i < 1u << r->tab_bits; i++) {
		struct srpc_req *q = r->tab[i], *next;

		for (; q; q = next) {
			u32 h = srpc_hash(q->id, bits);

			next = q->hnext;
			q->hnext = tab[h];
			tab[h] = q;
		}
	}
	free(r->tab);
	r->tab = tab;
	r->tab_bits = bits;
}

void srpc__tab_insert(struct srpc *r, struct srpc_req *q)
{
	u32 h;

	if (r->npending >= 1u << r->tab_bits && r->tab_bits < 24)
		srpc_tab_grow(r);
	h = srpc_hash(q->id, r->tab_bits);
	q->hnext = r->tab[h];
	r->tab[h] = q;
	q->in_table = true;
	r->npending++;
}

struct srpc_req *srpc__tab_find(struct srpc *r, u64 id)
{
	struct srpc_req *q = r->tab[srpc_hash(id, r->tab_bits)];

	while (q && q->id != id)
		q = q->hnext;
	return q;
}

void srpc__tab_remove(struct srpc *r, struct srpc_req *q)
{
	struct srpc_req **pp = &r->tab[srpc_hash(q->id, r->tab_bits)];

	if (!q->in_table)
		return;
	while (*pp != q)
		pp = &(*pp)->hnext;
	*pp = q->hnext;
	q->hnext = NULL;
	q->in_table = false;
	r->npending--;
}
