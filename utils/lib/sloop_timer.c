// SPDX-License-Identifier: Apache-2.0
/*
 * sloop timers: a binary min-heap of embedded timers ordered by deadline
 * (CLOCK_MONOTONIC), ties broken by start order. See sloop.h.
 */
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <time.h>

#include "sloop_int.h"

#define NSEC_PER_MS	1000000ull

static uint64_t sloop_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

/**
 * sloop_now_ms() - the monotonic clock timers use
 *
 * Context: any.
 * Return: CLOCK_MONOTONIC in milliseconds.
 */
uint64_t sloop_now_ms(void)
{
	return sloop_now_ns() / NSEC_PER_MS;
}

static bool sloop_timer_before(const struct sloop_timer *a,
			       const struct sloop_timer *b)
{
	return a->deadline < b->deadline ||
	       (a->deadline == b->deadline && a->seq < b->seq);
}

static void sloop_heap_set(struct sloop *loop, uint32_t i, struct sloop_timer *t)
{
	loop->heap[i] = t;
	t->idx = i;
}

static void sloop_heap_up(struct sloop *loop, uint32_t i)
{
	struct sloop_timer *t = loop->heap[i];

	while (i > 0) {
		uint32_t parent = (i - 1) / 2;

		if (!sloop_timer_before(t, loop->heap[parent]))
			break;
		sloop_heap_set(loop, i, loop->heap[parent]);
		i = parent;
	}
	sloop_heap_set(loop, i, t);
}

static void sloop_heap_down(struct sloop *loop, uint32_t i)
{
	struct sloop_timer *t = loop->heap[i];

	for (;;) {
		uint32_t l = 2 * i + 1, r = l + 1, m = l;

		if (l >= loop->nheap)
			break;
		if (r < loop->nheap &&
		    sloop_timer_before(loop->heap[r], loop->heap[l]))
			m = r;
		if (!sloop_timer_before(loop->heap[m], t))
			break;
		sloop_heap_set(loop, i, loop->heap[m]);
		i = m;
	}
	sloop_heap_set(loop, i, t);
}

static void sloop_heap_remove(struct sloop *loop, struct sloop_timer *t)
{
	uint32_t i = t->idx;
	struct sloop_timer *last = loop->heap[--loop->nheap];

	if (i == loop->nheap)
		return;
	sloop_heap_set(loop, i, last);
	if (i > 0 && sloop_timer_before(last, loop->heap[(i - 1) / 2]))
		sloop_heap_up(loop, i);
	else
		sloop_heap_down(loop, i);
}

static void sloop_heap_push(struct sloop *loop, struct sloop_timer *t)
{
	sloop_heap_set(loop, loop->nheap++, t);
	sloop_heap_up(loop, t->idx);
}

/**
 * sloop_timer_init() - set up a timer
 * @loop: the loop
 * @t: the timer; embedded in the caller's object
 * @fn: called on the loop thread when the timer fires; it may restart or
 *	cancel the timer, and free it when the timer is no longer active
 * @arg: for @fn
 *
 * An initialised timer that is not active needs no cleanup.
 *
 * Context: loop thread.
 */
void sloop_timer_init(struct sloop *loop, struct sloop_timer *t,
		      sloop_timer_fn fn, void *arg)
{
	*t = (struct sloop_timer){ .loop = loop, .fn = fn, .arg = arg };
}

/**
 * sloop_timer_start() - arm a timer
 * @t: an initialised timer; an active one is re-armed
 * @delay_ms: milliseconds until it fires (0: in this or the next
 *	iteration, after the fd events)
 * @period_ms: 0 for one-shot, else it fires again every @period_ms (from
 *	the previous deadline, so it does not drift) until cancelled
 *
 * Timers with equal deadlines fire in the order they were started.
 *
 * Context: loop thread.
 * Return: 0, or -ENOMEM (an active timer stays armed as before).
 */
int sloop_timer_start(struct sloop_timer *t, uint64_t delay_ms,
		      uint64_t period_ms)
{
	struct sloop *loop = t->loop;
	uint64_t now = sloop_now_ns();
	uint64_t delay, period;

	if (!loop || !t->fn)
		return -EINVAL;
	if (!t->active && loop->nheap == loop->heapcap) {
		uint32_t cap = loop->heapcap ? loop->heapcap * 2 : 16;
		struct sloop_timer **heap;

		heap = reallocarray(loop->heap, cap, sizeof(*heap));
		if (!heap)
			return -ENOMEM;
		loop->heap = heap;
		loop->heapcap = cap;
	}
	delay = delay_ms > (UINT64_MAX - now) / NSEC_PER_MS ?
		UINT64_MAX - now : delay_ms * NSEC_PER_MS;
	period = period_ms > UINT64_MAX / 2 / NSEC_PER_MS ?
		 UINT64_MAX / 2 : period_ms * NSEC_PER_MS;
	if (t->active)
		sloop_heap_remove(loop, t);
	t->deadline = now + delay;
	t->period = period;
	t->seq = ++loop->tseq;
	t->active = true;
	sloop_heap_push(loop, t);
	return 0;
}

/**
 * sloop_timer_cancel() - disarm a timer
 * @t: an initialised timer; nothing happens when it is not active
 *
 * After it returns @fn is not called until the timer is started again.
 *
 * Context: loop thread, also from any callback.
 */
void sloop_timer_cancel(struct sloop_timer *t)
{
	if (!t->active)
		return;
	sloop_heap_remove(t->loop, t);
	t->active = false;
}

/* Milliseconds until the first deadline (rounded up), or -1. */
int sloop__timer_timeout(struct sloop *loop)
{
	uint64_t now, d;

	if (!loop->nheap)
		return -1;
	now = sloop_now_ns();
	if (loop->heap[0]->deadline <= now)
		return 0;
	d = (loop->heap[0]->deadline - now + NSEC_PER_MS - 1) / NSEC_PER_MS;
	return d > INT_MAX ? INT_MAX : (int)d;
}

/*
 * Fires the timers due now. Timers (re)started by a callback during this
 * pass wait for the next one, so a callback re-arming with delay 0 cannot
 * starve the loop.
 */
void sloop__timers_run(struct sloop *loop)
{
	uint64_t now = sloop_now_ns(), last = loop->tseq;

	while (loop->nheap) {
		struct sloop_timer *t = loop->heap[0];

		if (t->deadline > now || t->seq > last)
			break;
		sloop_heap_remove(loop, t);
		if (t->period) {
			t->deadline += t->period;
			if (t->deadline <= now)
				t->deadline = now + t->period;
			t->seq = ++loop->tseq;
			sloop_heap_push(loop, t);
		} else {
			t->active = false;
		}
		t->fn(t, t->arg);
	}
}
