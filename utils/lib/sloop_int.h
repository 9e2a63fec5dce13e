/* SPDX-License-Identifier: Apache-2.0 */
/*
 * sloop internals shared by sloop.c, sloop_timer.c and sloop_signal.c.
 */
#ifndef SLOOP_INT_H
#define SLOOP_INT_H

#include <pthread.h>
#include <stdatomic.h>
#include <sys/epoll.h>

#include "sloop.h"

#define SLOOP_BATCH	64	/* events taken per epoll_wait() */

/**
 * struct sloop - an event loop
 * @epfd: epoll instance
 * @evfd: eventfd that wakes the loop for posts and sloop_stop()
 * @evw: internal watch of @evfd
 * @ev: events of the batch being dispatched
 * @nev: events in @ev (0 outside dispatch)
 * @cur: index of the event being dispatched
 * @in_cb: inside sloop_run_once()
 * @stop: sloop_stop() was called
 * @nwatches: live user watches
 * @heap: timer min-heap, by (deadline, seq)
 * @nheap: timers in @heap
 * @heapcap: room in @heap
 * @tseq: last timer sequence number given out
 * @sigfd: signalfd, or -1 before the first signal handler
 * @sigw: internal watch of @sigfd
 * @sigmask: signals @sigfd reads
 * @sigblocked: signals this loop blocked (and unblocks when done)
 * @sigs: signal handlers
 * @sig_iter: next handler while dispatching a signal
 * @nsignals: live signal handlers
 * @mu: protects the post queue
 * @post_head: posted work, oldest first
 * @post_tail: link to append to
 * @def_head: deferred work (loop thread only), oldest first
 * @def_tail: link to append to
 * @nworks: posted and deferred work not yet run
 */
struct sloop {
	int epfd;
	int evfd;
	struct sloop_watch evw;
	struct epoll_event ev[SLOOP_BATCH];
	int nev;
	int cur;
	bool in_cb;
	atomic_bool stop;
	unsigned int nwatches;

	struct sloop_timer **heap;
	uint32_t nheap;
	uint32_t heapcap;
	uint64_t tseq;

	int sigfd;
	struct sloop_watch sigw;
	sigset_t sigmask;
	sigset_t sigblocked;
	struct sloop_signal *sigs;
	struct sloop_signal *sig_iter;
	unsigned int nsignals;

	pthread_mutex_t mu;
	struct sloop_work *post_head;
	struct sloop_work **post_tail;
	struct sloop_work *def_head;
	struct sloop_work **def_tail;
	atomic_uint nworks;
};

int sloop__watch_add(struct sloop *loop, struct sloop_watch *w, int fd,
		     unsigned int events, sloop_io_fn fn, void *arg,
		     bool internal);

/* sloop_timer.c */
int sloop__timer_timeout(struct sloop *loop);
void sloop__timers_run(struct sloop *loop);

/* sloop_signal.c */
void sloop__signals_close(struct sloop *loop);

#endif /* SLOOP_INT_H */
