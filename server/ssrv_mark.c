// SPDX-License-Identifier: Apache-2.0
/*
 * ssrv_mark: directories of this server that a rename is moving to
 * another parent.
 *
 * The coordinator of such a rename marks the moved directory on the
 * server that holds its inode before it walks the destination's ancestry,
 * and clears the mark once the directory's new parent pointer is written
 * (or the rename failed). An ancestry walk of another rename that meets a
 * directory marked by someone else answers AGAIN: that directory's parent
 * pointer is about to change, so what lies above it cannot be trusted.
 * See ssrv_walk.c for why this makes crossing moves safe.
 *
 * Marks live in memory only, under the core's lock. A mark a coordinator
 * never clears (it crashed, or the clear was lost) lapses after
 * %SSRV_MARK_TTL_MS.
 */
#include <errno.h>
#include <stdlib.h>
#include <time.h>

#include "server/ssrv.h"

/**
 * struct ssrv_mark - a directory being moved
 * @next: list link
 * @vol: volume
 * @ino: the directory
 * @txid: the rename's transaction id
 * @until: monotonic milliseconds after which the mark lapses
 */
struct ssrv_mark {
	struct ssrv_mark *next;
	u32 vol;
	u64 ino;
	u64 txid;
	u64 until;
};

static u64 mark_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (u64)ts.tv_sec * 1000 + (u64)ts.tv_nsec / 1000000;
}

/* The live mark of (vol, ino), dropping lapsed ones; under c->lock. */
static struct ssrv_mark **mark_find(struct ssrv_core *c, u32 vol, u64 ino)
{
	struct ssrv_mark **pp = &c->marks, *k;
	u64 now = mark_now();

	while ((k = *pp)) {
		if (k->until <= now) {
			*pp = k->next;
			free(k);
			continue;
		}
		if (k->vol == vol && k->ino == ino)
			return pp;
		pp = &k->next;
	}
	return NULL;
}

/**
 * ssrv_mark_set() - mark a directory as being moved
 * @c: core
 * @vol: volume
 * @ino: directory
 * @txid: the rename's transaction id
 *
 * Marking again with the same @txid renews the mark.
 * Return: 0, -EAGAIN when another rename has marked it, -ENOMEM.
 */
int ssrv_mark_set(struct ssrv_core *c, u32 vol, u64 ino, u64 txid)
{
	struct ssrv_mark **pp, *k;
	int rc = 0;

	pthread_mutex_lock(&c->lock);
	pp = mark_find(c, vol, ino);
	if (pp) {
		if ((*pp)->txid == txid)
			(*pp)->until = mark_now() + SSRV_MARK_TTL_MS;
		else
			rc = -EAGAIN;
		goto out;
	}
	k = malloc(sizeof(*k));
	if (!k) {
		rc = -ENOMEM;
		goto out;
	}
	k->vol = vol;
	k->ino = ino;
	k->txid = txid;
	k->until = mark_now() + SSRV_MARK_TTL_MS;
	k->next = c->marks;
	c->marks = k;
out:
	pthread_mutex_unlock(&c->lock);
	return rc;
}

/**
 * ssrv_mark_clear() - drop a rename's mark of a directory
 * @c: core
 * @vol: volume
 * @ino: directory
 * @txid: the rename's transaction id; another's mark stays
 */
void ssrv_mark_clear(struct ssrv_core *c, u32 vol, u64 ino, u64 txid)
{
	struct ssrv_mark **pp, *k;

	pthread_mutex_lock(&c->lock);
	pp = mark_find(c, vol, ino);
	if (pp && (*pp)->txid == txid) {
		k = *pp;
		*pp = k->next;
		free(k);
	}
	pthread_mutex_unlock(&c->lock);
}

/**
 * ssrv_mark_other() - is a directory marked by another rename?
 * @c: core
 * @vol: volume
 * @ino: directory
 * @txid: the asking rename's transaction id
 * Return: true when a live mark of another transaction exists.
 */
bool ssrv_mark_other(struct ssrv_core *c, u32 vol, u64 ino, u64 txid)
{
	struct ssrv_mark **pp;
	bool other;

	pthread_mutex_lock(&c->lock);
	pp = mark_find(c, vol, ino);
	other = pp && (*pp)->txid != txid;
	pthread_mutex_unlock(&c->lock);
	return other;
}

/**
 * ssrv_mark_fini() - drop every mark
 * @c: core; no handler may run
 */
void ssrv_mark_fini(struct ssrv_core *c)
{
	struct ssrv_mark *k;

	while ((k = c->marks)) {
		c->marks = k->next;
		free(k);
	}
}
