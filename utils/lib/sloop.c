// SPDX-License-Identifier: Apache-2.0
/*
 * sloop core: the loop, fd watches and work items. Timers are in
 * sloop_timer.c, signals in sloop_signal.c. See sloop.h.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "slog.h"
#include "sloop_int.h"

static uint32_t sloop_to_epoll(unsigned int events)
{
	return (events & SLOOP_IN ? EPOLLIN : 0) |
	       (events & SLOOP_OUT ? EPOLLOUT : 0);
}

static unsigned int sloop_from_epoll(uint32_t ev)
{
	return (ev & EPOLLIN ? SLOOP_IN : 0) | (ev & EPOLLOUT ? SLOOP_OUT : 0) |
	       (ev & EPOLLERR ? SLOOP_ERR : 0) | (ev & EPOLLHUP ? SLOOP_HUP : 0);
}

/* Drops events of @w still waiting in the batch being dispatched. */
static void sloop_invalidate(struct sloop *loop, struct sloop_watch *w)
{
	int i;

	for (i = loop->cur + 1; i < loop->nev; i++)
		if (loop->ev[i].data.ptr == w)
			loop->ev[i].data.ptr = NULL;
}

static void sloop_wake(struct sloop *loop)
{
	uint64_t one = 1;
	ssize_t r;

	do {
		r = write(loop->evfd, &one, sizeof(one));
	} while (r < 0 && errno == EINTR);
	/* EAGAIN: the counter is huge, so the loop is awake already */
}

/* Queues @w for the loop thread; wakes the loop when the queue was empty. */
static void sloop_enqueue(struct sloop *loop, struct sloop_work *w,
			  sloop_work_fn fn, void *arg)
{
	bool was_empty;

	w->fn = fn;
	w->arg = arg;
	w->next = NULL;
	pthread_mutex_lock(&loop->mu);
	was_empty = !loop->post_head;
	*loop->post_tail = w;
	loop->post_tail = &w->next;
	atomic_fetch_add(&loop->nworks, 1);
	pthread_mutex_unlock(&loop->mu);
	if (was_empty)
		sloop_wake(loop);
}

static void sloop_run_posts(struct sloop *loop, int fd, unsigned int events,
			    void *arg)
{
	struct sloop_work *w, *next;
	uint64_t v;
	ssize_t r;

	(void)events;
	(void)arg;
	do {
		r = read(fd, &v, sizeof(v));
	} while (r < 0 && errno == EINTR);
	pthread_mutex_lock(&loop->mu);
	w = loop->post_head;
	loop->post_head = NULL;
	loop->post_tail = &loop->post_head;
	pthread_mutex_unlock(&loop->mu);
	for (; w; w = next) {
		sloop_work_fn fn = w->fn;
		void *fn_arg = w->arg;

		next = w->next;
		if (w->allocated)
			free(w);
		atomic_fetch_sub(&loop->nworks, 1);
		fn(loop, fn_arg);
	}
}

/**
 * sloop_new() - create an event loop
 * @loopp: set to the new loop
 *
 * Context: the thread that will run the loop.
 * Return: 0 or -errno.
 */
int sloop_new(struct sloop **loopp)
{
	struct sloop *loop = calloc(1, sizeof(*loop));
	int err;

	if (!loop)
		return -ENOMEM;
	loop->evfd = -1;
	loop->epfd = epoll_create1(EPOLL_CLOEXEC);
	if (loop->epfd < 0)
		goto fail_errno;
	loop->evfd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	if (loop->evfd < 0)
		goto fail_errno;
	loop->sigfd = -1;
	sigemptyset(&loop->sigmask);
	sigemptyset(&loop->sigblocked);
	loop->post_tail = &loop->post_head;
	loop->def_tail = &loop->def_head;
	err = pthread_mutex_init(&loop->mu, NULL);
	if (err) {
		err = -err;
		goto fail;
	}
	err = sloop__watch_add(loop, &loop->evw, loop->evfd, SLOOP_IN,
			       sloop_run_posts, NULL, true);
	if (err) {
		pthread_mutex_destroy(&loop->mu);
		goto fail;
	}
	*loopp = loop;
	return 0;

fail_errno:
	err = -errno;
fail:
	if (loop->evfd >= 0)
		close(loop->evfd);
	if (loop->epfd >= 0)
		close(loop->epfd);
	free(loop);
	return err;
}

/**
 * sloop_live() - number of live handles
 * @loop: the loop
 *
 * Context: loop thread (or any thread once the loop no longer runs).
 * Return: watches + timers + signal handlers + pending work items.
 */
unsigned int sloop_live(const struct sloop *loop)
{
	struct sloop_counts c;

	sloop_counts(loop, &c);
	return c.watches + c.timers + c.signals + c.works;
}

/**
 * sloop_counts() - live handles by kind
 * @loop: the loop
 * @c: filled in
 *
 * Context: loop thread.
 */
void sloop_counts(const struct sloop *loop, struct sloop_counts *c)
{
	c->watches = loop->nwatches;
	c->timers = loop->nheap;
	c->signals = loop->nsignals;
	c->works = atomic_load(&((struct sloop *)loop)->nworks);
}

/**
 * sloop_free() - destroy a loop that has no live handles
 * @loop: the loop, or %NULL
 *
 * A loop with live handles is not freed: the error is logged with the
 * counts, so a leak is visible, and the caller can clean up and retry.
 *
 * Context: loop thread, not inside a callback; no other thread may post.
 * Return: 0, or -EBUSY when handles are live (see sloop_counts()).
 */
int sloop_free(struct sloop *loop)
{
	struct sloop_counts c;

	if (!loop)
		return 0;
	sloop_counts(loop, &c);
	if (c.watches || c.timers || c.signals || c.works || loop->in_cb) {
		slog_err("sloop_free: loop still has %u watches, %u timers, %u signal handlers, %u work items%s",
			 c.watches, c.timers, c.signals, c.works,
			 loop->in_cb ? " and is running" : "");
		return -EBUSY;
	}
	sloop__signals_close(loop);
	sloop_watch_del(&loop->evw);
	close(loop->evfd);
	close(loop->epfd);
	pthread_mutex_destroy(&loop->mu);
	free(loop->heap);
	free(loop);
	return 0;
}

static void sloop_run_deferred(struct sloop *loop)
{
	struct sloop_work *w = loop->def_head, *next;

	loop->def_head = NULL;
	loop->def_tail = &loop->def_head;
	for (; w; w = next) {
		next = w->next;
		atomic_fetch_sub(&loop->nworks, 1);
		w->fn(loop, w->arg);
	}
}

/**
 * sloop_run_once() - wait for events once and dispatch them
 * @loop: the loop
 * @timeout_ms: longest wait, -1 for no limit; shortened by timers and by
 *	pending work, which make it 0
 *
 * Dispatches the fd events, then the expired timers, then the work items
 * deferred so far.
 *
 * Context: loop thread, not inside a callback of this loop.
 * Return: the number of fd events, or -EBUSY when called from a callback,
 * or another -errno from epoll_wait().
 */
int sloop_run_once(struct sloop *loop, int timeout_ms)
{
	int n, t;

	if (loop->in_cb)
		return -EBUSY;
	loop->in_cb = true;
	if (loop->def_head || atomic_load(&loop->stop))
		timeout_ms = 0;
	t = sloop__timer_timeout(loop);
	if (t >= 0 && (timeout_ms < 0 || t < timeout_ms))
		timeout_ms = t;
	n = epoll_wait(loop->epfd, loop->ev, SLOOP_BATCH, timeout_ms);
	if (n < 0) {
		n = -errno;
		if (n != -EINTR) {
			loop->in_cb = false;
			return n;
		}
		n = 0;
	}
	loop->nev = n;
	for (loop->cur = 0; loop->cur < n; loop->cur++) {
		struct sloop_watch *w = loop->ev[loop->cur].data.ptr;
		unsigned int events;

		if (!w || !w->in_epoll)
			continue;
		events = sloop_from_epoll(loop->ev[loop->cur].events) &
			 (w->events | SLOOP_ERR | SLOOP_HUP);
		if (events)
			w->fn(loop, w->fd, events, w->arg);
	}
	loop->nev = 0;
	loop->cur = 0;
	sloop__timers_run(loop);
	sloop_run_deferred(loop);
	loop->in_cb = false;
	return n;
}

/**
 * sloop_run() - run the loop until sloop_stop()
 * @loop: the loop
 *
 * A sloop_stop() that came before the call makes it return at once.
 *
 * Context: loop thread, not inside a callback of this loop.
 * Return: 0 after sloop_stop(), or -errno.
 */
int sloop_run(struct sloop *loop)
{
	int err;

	while (!atomic_exchange(&loop->stop, false)) {
		err = sloop_run_once(loop, -1);
		if (err < 0)
			return err;
	}
	return 0;
}

/**
 * sloop_stop() - make sloop_run() return
 * @loop: the loop
 *
 * sloop_run() returns after the current iteration.
 *
 * Context: any thread.
 */
void sloop_stop(struct sloop *loop)
{
	atomic_store(&loop->stop, true);
	sloop_wake(loop);
}

/**
 * sloop_in_callback() - whether the loop is dispatching
 * @loop: the loop
 *
 * Synchronous helpers use this to refuse to run the loop recursively.
 *
 * Context: loop thread.
 * Return: true inside sloop_run_once().
 */
bool sloop_in_callback(const struct sloop *loop)
{
	return loop->in_cb;
}

int sloop__watch_add(struct sloop *loop, struct sloop_watch *w, int fd,
		     unsigned int events, sloop_io_fn fn, void *arg,
		     bool internal)
{
	struct sloop_watch nw = { .loop = loop, .fd = fd, .fn = fn, .arg = arg,
				  .internal = internal, .active = true };

	if (fd < 0 || !fn)
		return -EINVAL;
	nw.events = events & (SLOOP_IN | SLOOP_OUT);
	if (nw.events) {
		struct epoll_event ev = { .events = sloop_to_epoll(nw.events),
					  .data.ptr = w };

		if (epoll_ctl(loop->epfd, EPOLL_CTL_ADD, fd, &ev))
			return -errno;
		nw.in_epoll = true;
	}
	*w = nw;	/* only now: a failed add leaves @w as it was */
	if (!internal)
		loop->nwatches++;
	return 0;
}

/**
 * sloop_watch_add() - watch an fd
 * @loop: the loop
 * @w: the watch, not live; the caller keeps it in place until
 *	sloop_watch_del()
 * @fd: the fd; it must stay open while watched
 * @events: %SLOOP_IN and/or %SLOOP_OUT; 0 adds a parked watch
 * @fn: called on the loop thread with the events that occurred
 *	(level-triggered: again while the condition holds)
 * @arg: for @fn
 *
 * Context: loop thread.
 * Return: 0 or -errno (-EINVAL, or epoll_ctl()'s error, e.g. -EEXIST when
 * @fd is watched already); on error @fn is never called.
 */
int sloop_watch_add(struct sloop *loop, struct sloop_watch *w, int fd,
		    unsigned int events, sloop_io_fn fn, void *arg)
{
	return sloop__watch_add(loop, w, fd, events, fn, arg, false);
}

/**
 * sloop_watch_mod() - change the events a watch waits for
 * @w: a live watch
 * @events: %SLOOP_IN and/or %SLOOP_OUT; 0 parks the watch (no callbacks,
 *	not even for errors, until events are wanted again)
 *
 * Events of the old set still pending in the current batch are filtered
 * through the new set.
 *
 * Context: loop thread.
 * Return: 0 or -errno; on error the watch is unchanged.
 */
int sloop_watch_mod(struct sloop_watch *w, unsigned int events)
{
	struct sloop *loop = w->loop;
	struct epoll_event ev = { .data.ptr = w };

	if (!w->active)
		return -EINVAL;
	events &= SLOOP_IN | SLOOP_OUT;
	if (events == w->events && w->in_epoll == (events != 0))
		return 0;
	ev.events = sloop_to_epoll(events);
	if (!events) {
		if (w->in_epoll)
			epoll_ctl(loop->epfd, EPOLL_CTL_DEL, w->fd, &ev);
		w->in_epoll = false;
		sloop_invalidate(loop, w);
	} else if (epoll_ctl(loop->epfd, w->in_epoll ? EPOLL_CTL_MOD :
			     EPOLL_CTL_ADD, w->fd, &ev)) {
		return -errno;
	} else {
		w->in_epoll = true;
	}
	w->events = events;
	return 0;
}

/**
 * sloop_watch_del() - stop watching an fd
 * @w: the watch; nothing happens when it is not live
 *
 * Call it before closing the fd. After it returns @fn is not called again,
 * not even for an event already taken in the current batch, and @w may be
 * freed.
 *
 * Context: loop thread, also from any callback.
 */
void sloop_watch_del(struct sloop_watch *w)
{
	struct sloop *loop = w->loop;
	struct epoll_event ev = { 0 };

	if (!w->active)
		return;
	if (w->in_epoll)
		epoll_ctl(loop->epfd, EPOLL_CTL_DEL, w->fd, &ev);
	sloop_invalidate(loop, w);
	w->in_epoll = false;
	w->active = false;
	if (!w->internal)
		loop->nwatches--;
}

/**
 * sloop_post_work() - run a closure on the loop thread, without allocating
 * @loop: the loop
 * @w: the work item, not queued; it must stay valid until @fn starts
 *	(@fn may reuse or free it)
 * @fn: called on the loop thread, in posting order
 * @arg: for @fn
 *
 * Context: any thread.
 */
void sloop_post_work(struct sloop *loop, struct sloop_work *w,
		     sloop_work_fn fn, void *arg)
{
	w->allocated = false;
	sloop_enqueue(loop, w, fn, arg);
}

/**
 * sloop_post() - run a closure on the loop thread
 * @loop: the loop
 * @fn: called on the loop thread, in posting order
 * @arg: for @fn
 *
 * The hand-off from worker threads to the loop: e.g. a worker that
 * finished a request posts the function that sends the reply.
 *
 * Context: any thread.
 * Return: 0, or -ENOMEM (then @fn is never called).
 */
int sloop_post(struct sloop *loop, sloop_work_fn fn, void *arg)
{
	struct sloop_work *w = malloc(sizeof(*w));

	if (!w)
		return -ENOMEM;
	w->allocated = true;
	sloop_enqueue(loop, w, fn, arg);
	return 0;
}

/**
 * sloop_defer() - run a closure on the loop thread after the current
 * dispatch
 * @loop: the loop
 * @w: the work item, not queued; valid until @fn starts
 * @fn: called at the end of this iteration (or the next one when deferred
 *	from a deferred closure), in deferral order
 * @arg: for @fn
 *
 * Cheaper than sloop_post() (no lock, no wake-up); used to run follow-up
 * work outside the caller's stack, e.g. a flush or a close notification.
 *
 * Context: loop thread.
 */
void sloop_defer(struct sloop *loop, struct sloop_work *w, sloop_work_fn fn,
		 void *arg)
{
	w->fn = fn;
	w->arg = arg;
	w->next = NULL;
	w->allocated = false;
	*loop->def_tail = w;
	loop->def_tail = &w->next;
	atomic_fetch_add(&loop->nworks, 1);
}
