/* SPDX-License-Identifier: Apache-2.0 */
/*
 * sloop: the epoll event loop of the SealFS daemons and tools.
 *
 * No protocol code. One loop per thread: every function here must be called
 * on the thread that runs the loop, except sloop_post(), sloop_post_work()
 * and sloop_stop(), which any thread may call.
 *
 * Handles (fd watches, timers, signal handlers, work items) are structures
 * the caller embeds in its own objects; the loop allocates nothing for
 * them except sloop_post()'s item and room in the timer heap. A handle is
 * "live" from a successful add/start/post until it is removed, cancelled,
 * or (one-shot timers, work items) has run; sloop_free() refuses while any
 * handle is live, and sloop_live() lets tests assert that nothing leaked.
 *
 * Removing a watch from inside any callback is safe, even when its fd has
 * an event pending in the batch being dispatched: that event is dropped.
 * Functions that take a callback and return an error never call it.
 */
#ifndef SLOOP_H
#define SLOOP_H

#include <signal.h>
#include <stdbool.h>
#include <stdint.h>

struct sloop;

/* Events of an fd watch. SLOOP_ERR and SLOOP_HUP are always reported. */
#define SLOOP_IN	0x1u
#define SLOOP_OUT	0x2u
#define SLOOP_ERR	0x4u
#define SLOOP_HUP	0x8u

typedef void (*sloop_io_fn)(struct sloop *loop, int fd, unsigned int events,
			    void *arg);
struct sloop_timer;
typedef void (*sloop_timer_fn)(struct sloop_timer *t, void *arg);
typedef void (*sloop_signal_fn)(struct sloop *loop, int signo, void *arg);
typedef void (*sloop_work_fn)(struct sloop *loop, void *arg);

/**
 * struct sloop_watch - an fd watch; fields are private
 * @loop: the loop, while live
 * @fd: the watched fd
 * @events: %SLOOP_IN and/or %SLOOP_OUT wanted (0 parks the watch)
 * @fn: called with the events that occurred
 * @arg: for @fn
 * @active: live
 * @in_epoll: registered with epoll (not when parked)
 * @internal: the loop's own, not counted as live
 */
struct sloop_watch {
	struct sloop *loop;
	int fd;
	unsigned int events;
	sloop_io_fn fn;
	void *arg;
	bool active;
	bool in_epoll;
	bool internal;
};

/**
 * struct sloop_timer - a one-shot or periodic timer; fields are private
 * @loop: the loop
 * @fn: called when the timer fires
 * @arg: for @fn
 * @deadline: CLOCK_MONOTONIC nanoseconds of the next expiry
 * @period: nanoseconds between expiries, 0 for one-shot
 * @seq: start order, breaks ties between equal deadlines
 * @idx: position in the loop's heap
 * @active: started and not yet fired (one-shot) or cancelled
 */
struct sloop_timer {
	struct sloop *loop;
	sloop_timer_fn fn;
	void *arg;
	uint64_t deadline;
	uint64_t period;
	uint64_t seq;
	uint32_t idx;
	bool active;
};

/**
 * struct sloop_signal - a signal handler; fields are private
 * @loop: the loop, while live
 * @next: next handler of the loop
 * @signo: the signal
 * @fn: called on the loop thread for each delivery
 * @arg: for @fn
 * @active: live
 */
struct sloop_signal {
	struct sloop *loop;
	struct sloop_signal *next;
	int signo;
	sloop_signal_fn fn;
	void *arg;
	bool active;
};

/**
 * struct sloop_work - a closure to run on the loop thread; fields are private
 * @next: queue link
 * @fn: the function
 * @arg: for @fn
 * @allocated: made by sloop_post(), freed before @fn runs
 */
struct sloop_work {
	struct sloop_work *next;
	sloop_work_fn fn;
	void *arg;
	bool allocated;
};

/**
 * struct sloop_counts - live handles of a loop
 * @watches: fd watches added and not removed
 * @timers: timers started and not yet expired (one-shot) or cancelled
 * @signals: signal handlers added and not removed
 * @works: work items posted or deferred that have not run yet
 */
struct sloop_counts {
	unsigned int watches;
	unsigned int timers;
	unsigned int signals;
	unsigned int works;
};

/* loop */
int sloop_new(struct sloop **loopp);
int sloop_free(struct sloop *loop);
int sloop_run(struct sloop *loop);
int sloop_run_once(struct sloop *loop, int timeout_ms);
void sloop_stop(struct sloop *loop);
bool sloop_in_callback(const struct sloop *loop);
unsigned int sloop_live(const struct sloop *loop);
void sloop_counts(const struct sloop *loop, struct sloop_counts *c);
uint64_t sloop_now_ms(void);

/* fd watches */
int sloop_watch_add(struct sloop *loop, struct sloop_watch *w, int fd,
		    unsigned int events, sloop_io_fn fn, void *arg);
int sloop_watch_mod(struct sloop_watch *w, unsigned int events);
void sloop_watch_del(struct sloop_watch *w);

/**
 * sloop_watch_active() - whether a watch is live
 * @w: the watch (zeroed or added)
 *
 * Return: true between sloop_watch_add() and sloop_watch_del().
 */
static inline bool sloop_watch_active(const struct sloop_watch *w)
{
	return w->active;
}

/* timers */
void sloop_timer_init(struct sloop *loop, struct sloop_timer *t,
		      sloop_timer_fn fn, void *arg);
int sloop_timer_start(struct sloop_timer *t, uint64_t delay_ms,
		      uint64_t period_ms);
void sloop_timer_cancel(struct sloop_timer *t);

/**
 * sloop_timer_active() - whether a timer will fire
 * @t: an initialised timer
 *
 * Return: true while started and neither cancelled nor (one-shot) fired.
 */
static inline bool sloop_timer_active(const struct sloop_timer *t)
{
	return t->active;
}

/* signals */
int sloop_signal_add(struct sloop *loop, struct sloop_signal *s, int signo,
		     sloop_signal_fn fn, void *arg);
void sloop_signal_del(struct sloop_signal *s);

/* work items */
int sloop_post(struct sloop *loop, sloop_work_fn fn, void *arg);
void sloop_post_work(struct sloop *loop, struct sloop_work *w,
		     sloop_work_fn fn, void *arg);
void sloop_defer(struct sloop *loop, struct sloop_work *w, sloop_work_fn fn,
		 void *arg);

#endif /* SLOOP_H */
