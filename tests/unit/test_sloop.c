// SPDX-License-Identifier: Apache-2.0
/*
 * Event loop tests: timers fire in deadline order and can be cancelled,
 * periodic timers, work posted from other threads runs on the loop thread,
 * signals arrive through the signalfd, fd watches (parking, removal of a
 * watch whose event is pending in the same batch), sloop_free() refusing
 * while handles are live. Also the logger (slog): level names, the plain
 * and journal line formats, one write per line across threads.
 *
 * Every test ends with no live handle (sloop_free() must succeed); nothing
 * waits by sleeping: the loop runs until a condition holds, bounded by a
 * watchdog timer that fails the test.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <regex.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "slog.h"
#include "sloop.h"
#include "unit/loop_harness.h"

/* ---- harness ------------------------------------------------------------ */

static int setup(void **state)
{
	struct sloop *loop;

	if (sloop_new(&loop))
		return -1;
	*state = loop;
	return 0;
}

static int teardown(void **state)
{
	struct sloop *loop = *state;

	/* a leaked handle fails the test */
	return sloop_free(loop) ? -1 : 0;
}

/* ---- timers ------------------------------------------------------------- */

struct fired {
	int order[16];
	uint64_t at[16];
	int n;
};

struct tmr {
	struct sloop_timer t;
	struct fired *f;
	int id;
	int count;
	int stop_after;
	struct sloop_timer *cancel;
};

static void tmr_fire(struct sloop_timer *t, void *arg)
{
	struct tmr *x = arg;

	assert_ptr_equal(t, &x->t);
	x->f->at[x->f->n] = sloop_now_ms();
	x->f->order[x->f->n++] = x->id;
	x->count++;
	if (x->cancel)
		sloop_timer_cancel(x->cancel);
	if (x->stop_after && x->count == x->stop_after)
		sloop_timer_cancel(t);
}

static void test_timers_fire_in_order(void **state)
{
	static const uint64_t delay[] = { 40, 10, 25, 0, 10, 1 };
	static const int expect[] = { 3, 5, 1, 4, 2, 0 };
	struct sloop *loop = *state;
	struct fired f = { .n = 0 };
	struct tmr t[6];
	uint64_t start = sloop_now_ms();
	int i;

	for (i = 0; i < 6; i++) {
		t[i] = (struct tmr){ .f = &f, .id = i };
		sloop_timer_init(loop, &t[i].t, tmr_fire, &t[i]);
		assert_int_equal(sloop_timer_start(&t[i].t, delay[i], 0), 0);
	}
	assert_int_equal(sloop_live(loop), 6);
	RUN_UNTIL(loop, f.n == 6);
	for (i = 0; i < 6; i++) {
		assert_int_equal(f.order[i], expect[i]);
		/* never early */
		assert_true(f.at[i] - start >= delay[expect[i]]);
		assert_false(sloop_timer_active(&t[i].t));
	}
	assert_int_equal(sloop_live(loop), 0);
}

static void test_timer_cancel(void **state)
{
	struct sloop *loop = *state;
	struct fired f = { .n = 0 };
	struct tmr a = { .f = &f, .id = 0 }, b = { .f = &f, .id = 1 },
		   c = { .f = &f, .id = 2 }, d = { .f = &f, .id = 3 };

	sloop_timer_init(loop, &a.t, tmr_fire, &a);
	sloop_timer_init(loop, &b.t, tmr_fire, &b);
	sloop_timer_init(loop, &c.t, tmr_fire, &c);
	sloop_timer_init(loop, &d.t, tmr_fire, &d);
	/* b cancels a from its callback before a is due */
	b.cancel = &a.t;
	assert_int_equal(sloop_timer_start(&a.t, 20, 0), 0);
	assert_int_equal(sloop_timer_start(&b.t, 5, 0), 0);
	/* d is cancelled before the loop runs, twice (idempotent) */
	assert_int_equal(sloop_timer_start(&d.t, 1, 0), 0);
	sloop_timer_cancel(&d.t);
	sloop_timer_cancel(&d.t);
	/* c restarted: only the later deadline counts */
	assert_int_equal(sloop_timer_start(&c.t, 1, 0), 0);
	assert_int_equal(sloop_timer_start(&c.t, 30, 0), 0);
	assert_int_equal(sloop_live(loop), 3);
	RUN_UNTIL(loop, c.count == 1);
	assert_int_equal(f.n, 2);
	assert_int_equal(f.order[0], 1);
	assert_int_equal(f.order[1], 2);
	assert_int_equal(a.count, 0);
	assert_int_equal(d.count, 0);
	assert_int_equal(sloop_live(loop), 0);
}

static void test_timer_periodic(void **state)
{
	struct sloop *loop = *state;
	struct fired f = { .n = 0 };
	struct tmr p = { .f = &f, .id = 7, .stop_after = 4 };
	uint64_t start = sloop_now_ms();
	int i;

	sloop_timer_init(loop, &p.t, tmr_fire, &p);
	assert_int_equal(sloop_timer_start(&p.t, 2, 3), 0);
	RUN_UNTIL(loop, p.count == 4);
	assert_false(sloop_timer_active(&p.t));
	for (i = 0; i < 4; i++)
		assert_true(f.at[i] - start >= 2 + 3 * (uint64_t)i);
	/* once more through the loop: it stays stopped */
	assert_true(sloop_run_once(loop, 0) >= 0);
	assert_int_equal(p.count, 4);
	assert_int_equal(sloop_live(loop), 0);
}

static void rearm_zero(struct sloop_timer *t, void *arg)
{
	int *n = arg;

	if (++*n < 3)
		assert_int_equal(sloop_timer_start(t, 0, 0), 0);
}

/* A timer re-armed with delay 0 from its callback fires once per pass. */
static void test_timer_rearm_zero(void **state)
{
	struct sloop *loop = *state;
	struct sloop_timer t;
	int n = 0;

	sloop_timer_init(loop, &t, rearm_zero, &n);
	assert_int_equal(sloop_timer_start(&t, 0, 0), 0);
	assert_true(sloop_run_once(loop, -1) >= 0);
	assert_int_equal(n, 1);
	assert_true(sloop_run_once(loop, -1) >= 0);
	assert_int_equal(n, 2);
	assert_true(sloop_run_once(loop, -1) >= 0);
	assert_int_equal(n, 3);
	assert_false(sloop_timer_active(&t));
}

static void test_free_refuses_live_handles(void **state)
{
	struct sloop *loop = *state;
	struct sloop_counts c;
	struct sloop_timer t;
	struct fired f = { .n = 0 };
	struct tmr x = { .f = &f };
	int fds[2], logp[2];
	struct sloop_watch w;
	char log[1024];
	ssize_t n;

	sloop_timer_init(loop, &t, tmr_fire, &x);
	assert_int_equal(sloop_timer_start(&t, 100000, 0), 0);
	assert_int_equal(pipe2(fds, O_CLOEXEC), 0);
	assert_int_equal(sloop_watch_add(loop, &w, fds[0], SLOOP_IN,
					 (sloop_io_fn)abort, NULL), 0);
	sloop_counts(loop, &c);
	assert_int_equal(c.timers, 1);
	assert_int_equal(c.watches, 1);
	/* refused, and reported */
	assert_int_equal(pipe2(logp, O_NONBLOCK | O_CLOEXEC), 0);
	slog_set_fd(logp[1]);
	assert_int_equal(sloop_free(loop), -EBUSY);
	sloop_timer_cancel(&t);
	assert_int_equal(sloop_free(loop), -EBUSY);
	slog_set_fd(STDERR_FILENO);
	n = read(logp[0], log, sizeof(log) - 1);
	assert_true(n > 0);
	log[n] = '\0';
	assert_non_null(strstr(log, "1 watches, 1 timers, 0 signal handlers, 0 work items"));
	assert_non_null(strstr(log, "1 watches, 0 timers"));
	close(logp[0]);
	close(logp[1]);
	sloop_watch_del(&w);
	sloop_watch_del(&w);	/* idempotent */
	close(fds[0]);
	close(fds[1]);
	assert_int_equal(sloop_live(loop), 0);
	/* teardown frees it */
}

/* ---- work items --------------------------------------------------------- */

#define POST_THREADS	4
#define POST_EACH	2000

struct post_ctx {
	struct sloop *loop;
	pthread_t loop_thread;
	int ran;
	int wrong_thread;
	int last_seen[POST_THREADS];
	int out_of_order;
	struct sloop_work works[POST_THREADS][8];
};

struct post_arg {
	struct post_ctx *ctx;
	int thread;
	int seq;
};

static void post_run(struct sloop *loop, void *arg)
{
	struct post_arg *a = arg;
	struct post_ctx *ctx = a->ctx;

	assert_ptr_equal(loop, ctx->loop);
	if (!pthread_equal(pthread_self(), ctx->loop_thread))
		ctx->wrong_thread++;
	/* each thread's posts run in posting order */
	if (a->seq != ctx->last_seen[a->thread] + 1)
		ctx->out_of_order++;
	ctx->last_seen[a->thread] = a->seq;
	ctx->ran++;
	free(a);
}

static void *post_thread(void *arg)
{
	struct post_arg *base = arg;
	int i;

	for (i = 1; i <= POST_EACH; i++) {
		struct post_arg *a = malloc(sizeof(*a));

		if (!a)
			abort();
		*a = (struct post_arg){ base->ctx, base->thread, i };
		if (sloop_post(base->ctx->loop, post_run, a))
			abort();
	}
	return NULL;
}

static void test_post_from_threads(void **state)
{
	struct sloop *loop = *state;
	struct post_ctx ctx = { .loop = loop, .loop_thread = pthread_self() };
	struct post_arg args[POST_THREADS];
	pthread_t th[POST_THREADS];
	int i;

	for (i = 0; i < POST_THREADS; i++) {
		args[i] = (struct post_arg){ &ctx, i, 0 };
		assert_int_equal(pthread_create(&th[i], NULL, post_thread,
						&args[i]), 0);
	}
	RUN_UNTIL(loop, ctx.ran == POST_THREADS * POST_EACH);
	for (i = 0; i < POST_THREADS; i++) {
		assert_int_equal(pthread_join(th[i], NULL), 0);
		assert_int_equal(ctx.last_seen[i], POST_EACH);
	}
	assert_int_equal(ctx.wrong_thread, 0);
	assert_int_equal(ctx.out_of_order, 0);
	assert_int_equal(sloop_live(loop), 0);
}

struct stop_ctx {
	struct sloop *loop;
	int efd;
	struct sloop_work w;
	bool posted_ran;
};

static void stop_posted(struct sloop *loop, void *arg)
{
	struct stop_ctx *s = arg;

	(void)loop;
	s->posted_ran = true;
}

/* Waits until the loop is running (it wrote the eventfd), then stops it. */
static void *stop_thread(void *arg)
{
	struct stop_ctx *s = arg;
	uint64_t v;

	if (read(s->efd, &v, sizeof(v)) != sizeof(v))
		abort();
	sloop_post_work(s->loop, &s->w, stop_posted, s);
	sloop_stop(s->loop);
	return NULL;
}

static void stop_started(struct sloop_timer *t, void *arg)
{
	struct stop_ctx *s = arg;
	uint64_t one = 1;

	(void)t;
	if (write(s->efd, &one, sizeof(one)) != sizeof(one))
		abort();
}

static void test_stop_from_thread(void **state)
{
	struct sloop *loop = *state;
	struct stop_ctx s = { .loop = loop };
	struct sloop_timer t;
	pthread_t th;

	s.efd = eventfd(0, EFD_CLOEXEC);
	assert_true(s.efd >= 0);
	assert_int_equal(pthread_create(&th, NULL, stop_thread, &s), 0);
	sloop_timer_init(loop, &t, stop_started, &s);
	assert_int_equal(sloop_timer_start(&t, 0, 0), 0);
	assert_int_equal(sloop_run(loop), 0);
	assert_int_equal(pthread_join(th, NULL), 0);
	close(s.efd);
	/* the posted item may run before or after the stop was seen */
	if (!s.posted_ran)
		assert_true(sloop_run_once(loop, -1) >= 0);
	assert_true(s.posted_ran);
	assert_int_equal(sloop_live(loop), 0);
}

struct defer_ctx;

struct defer_item {
	struct sloop_work w;
	struct defer_ctx *d;
	int id;
};

struct defer_ctx {
	struct defer_item it[3];
	int order[3];
	int n;
	int busy;
};

static void defer_run(struct sloop *loop, void *arg)
{
	struct defer_item *it = arg;

	(void)loop;
	it->d->order[it->d->n++] = it->id;
}

static void defer_from_cb(struct sloop_timer *t, void *arg)
{
	struct defer_ctx *d = arg;
	int i;

	/* run_once refuses to nest */
	d->busy = sloop_run_once(t->loop, 0);
	for (i = 0; i < 3; i++) {
		d->it[i].d = d;
		d->it[i].id = i;
		sloop_defer(t->loop, &d->it[i].w, defer_run, &d->it[i]);
	}
	assert_int_equal(sloop_live(t->loop), 3);
}

static void test_defer_and_nesting(void **state)
{
	struct sloop *loop = *state;
	struct defer_ctx d = { .n = 0 };
	struct sloop_timer t;

	sloop_timer_init(loop, &t, defer_from_cb, &d);
	assert_int_equal(sloop_timer_start(&t, 0, 0), 0);
	assert_true(sloop_run_once(loop, -1) >= 0);
	/* deferred work ran in the same iteration, in order */
	assert_int_equal(d.n, 3);
	assert_int_equal(d.order[0], 0);
	assert_int_equal(d.order[1], 1);
	assert_int_equal(d.order[2], 2);
	assert_int_equal(d.busy, -EBUSY);
	assert_false(sloop_in_callback(loop));
	assert_int_equal(sloop_live(loop), 0);
}

/* ---- signals ------------------------------------------------------------ */

struct sig_ctx {
	int got[3];
	int last;
};

static void sig_handler(struct sloop *loop, int signo, void *arg)
{
	int *n = arg;

	(void)loop;
	(void)signo;
	(*n)++;
}

static bool sig_blocked(int signo)
{
	sigset_t cur;

	pthread_sigmask(SIG_BLOCK, NULL, &cur);
	return sigismember(&cur, signo);
}

static void test_signals(void **state)
{
	struct sloop *loop = *state;
	struct sloop_signal s1, s2, hup, term;
	int n1 = 0, n2 = 0, nhup = 0, nterm = 0;

	assert_false(sig_blocked(SIGUSR1));
	assert_int_equal(sloop_signal_add(loop, &s1, SIGUSR1, sig_handler, &n1), 0);
	assert_int_equal(sloop_signal_add(loop, &s2, SIGUSR1, sig_handler, &n2), 0);
	assert_int_equal(sloop_signal_add(loop, &hup, SIGHUP, sig_handler, &nhup), 0);
	assert_int_equal(sloop_signal_add(loop, &term, SIGTERM, sig_handler, &nterm), 0);
	assert_int_equal(sloop_signal_add(loop, &term, SIGKILL, sig_handler, &nterm),
			 -EINVAL);
	assert_true(sig_blocked(SIGUSR1));

	/* to this thread, and to the process */
	assert_int_equal(pthread_kill(pthread_self(), SIGUSR1), 0);
	RUN_UNTIL(loop, n1 == 1 && n2 == 1);
	assert_int_equal(kill(getpid(), SIGHUP), 0);
	RUN_UNTIL(loop, nhup == 1);
	/* SIGTERM would kill the test if it were not read from the signalfd */
	assert_int_equal(raise(SIGTERM), 0);
	RUN_UNTIL(loop, nterm == 1);

	sloop_signal_del(&s1);
	assert_true(sig_blocked(SIGUSR1));	/* s2 still wants it */
	assert_int_equal(pthread_kill(pthread_self(), SIGUSR1), 0);
	RUN_UNTIL(loop, n2 == 2);
	assert_int_equal(n1, 1);
	sloop_signal_del(&s2);
	sloop_signal_del(&s2);
	sloop_signal_del(&hup);
	sloop_signal_del(&term);
	/* the loop restored the mask it found */
	assert_false(sig_blocked(SIGUSR1));
	assert_false(sig_blocked(SIGHUP));
	assert_false(sig_blocked(SIGTERM));
	assert_int_equal(nhup, 1);
	assert_int_equal(sloop_live(loop), 0);
}

/* ---- fd watches ----------------------------------------------------------- */

struct pipe_watch {
	int fds[2];
	struct sloop_watch w;
	unsigned int events;
	int calls;
	struct pipe_watch *other;
};

static struct pipe_watch *survivor;

static void pipe_cb(struct sloop *loop, int fd, unsigned int events, void *arg)
{
	struct pipe_watch *p = arg;
	char buf[64];

	(void)loop;
	assert_int_equal(fd, p->w.fd);
	p->events = events;
	p->calls++;
	if ((events & SLOOP_IN) && read(fd, buf, sizeof(buf)) < 0)
		fail();
	if (p->other) {
		/* its event is pending in this batch: it must be dropped */
		sloop_watch_del(&p->other->w);
		close(p->other->fds[0]);
		close(p->other->fds[1]);
		free(p->other);
		p->other = NULL;
		survivor = p;
	}
}

static void test_watch(void **state)
{
	struct sloop *loop = *state;
	struct pipe_watch p = { .calls = 0 }, q = { .calls = 0 };
	struct sloop_watch dup = { .active = false };

	assert_int_equal(pipe2(p.fds, O_NONBLOCK | O_CLOEXEC), 0);
	assert_int_equal(sloop_watch_add(loop, &p.w, p.fds[0], SLOOP_IN, pipe_cb, &p), 0);
	assert_int_equal(sloop_watch_add(loop, &q.w, p.fds[1], SLOOP_OUT, pipe_cb, &q), 0);
	/* a second watch of one fd: refused, and nothing changes */
	assert_int_equal(sloop_watch_add(loop, &dup, p.fds[1], SLOOP_OUT, pipe_cb, &q),
			 -EEXIST);
	assert_false(sloop_watch_active(&dup));
	assert_int_equal(sloop_watch_add(loop, &dup, -1, SLOOP_IN, pipe_cb, &q), -EINVAL);
	assert_int_equal(sloop_live(loop), 2);

	assert_true(sloop_run_once(loop, 0) >= 0);
	assert_int_equal(p.calls, 0);
	assert_int_equal(q.calls, 1);
	assert_true(q.events & SLOOP_OUT);
	assert_int_equal(sloop_watch_mod(&q.w, 0), 0);	/* parked */
	assert_int_equal(write(p.fds[1], "x", 1), 1);
	assert_true(sloop_run_once(loop, -1) >= 0);
	assert_int_equal(p.calls, 1);
	assert_true(p.events & SLOOP_IN);
	assert_int_equal(q.calls, 1);

	/* a parked reader sees nothing */
	assert_int_equal(sloop_watch_mod(&p.w, 0), 0);
	assert_int_equal(write(p.fds[1], "y", 1), 1);
	assert_true(sloop_run_once(loop, 0) >= 0);
	assert_int_equal(p.calls, 1);
	assert_int_equal(sloop_watch_mod(&p.w, SLOOP_IN), 0);
	assert_true(sloop_run_once(loop, -1) >= 0);
	assert_int_equal(p.calls, 2);

	/* the write end closes: the reader gets HUP */
	sloop_watch_del(&q.w);
	close(p.fds[1]);
	assert_true(sloop_run_once(loop, -1) >= 0);
	assert_int_equal(p.calls, 3);
	assert_true(p.events & SLOOP_HUP);
	sloop_watch_del(&p.w);
	close(p.fds[0]);
	assert_int_equal(sloop_live(loop), 0);
}

static void test_watch_del_pending_event(void **state)
{
	struct sloop *loop = *state;
	/* on the heap: the callback frees the other one, so a stale event is
	 * a use after free */
	struct pipe_watch *a = calloc(1, sizeof(*a)), *b = calloc(1, sizeof(*b));
	struct pipe_watch *left;

	assert_non_null(a);
	assert_non_null(b);
	survivor = NULL;
	assert_int_equal(pipe2(a->fds, O_NONBLOCK | O_CLOEXEC), 0);
	assert_int_equal(pipe2(b->fds, O_NONBLOCK | O_CLOEXEC), 0);
	a->other = b;
	b->other = a;
	assert_int_equal(sloop_watch_add(loop, &a->w, a->fds[0], SLOOP_IN, pipe_cb, a), 0);
	assert_int_equal(sloop_watch_add(loop, &b->w, b->fds[0], SLOOP_IN, pipe_cb, b), 0);
	/* both readable before one epoll_wait: one batch holds both events */
	assert_int_equal(write(a->fds[1], "a", 1), 1);
	assert_int_equal(write(b->fds[1], "b", 1), 1);
	assert_int_equal(sloop_run_once(loop, -1), 2);
	/* whichever ran first removed and freed the other */
	left = survivor;
	assert_true(left == a || left == b);
	assert_int_equal(left->calls, 1);
	sloop_watch_del(&left->w);
	close(left->fds[0]);
	close(left->fds[1]);
	free(left);
	assert_int_equal(sloop_live(loop), 0);
}

/* ---- slog ----------------------------------------------------------------- */

static void test_slog_levels(void **state)
{
	(void)state;
	assert_int_equal(slog_level_parse("error"), SLOG_ERR);
	assert_int_equal(slog_level_parse("ERR"), SLOG_ERR);
	assert_int_equal(slog_level_parse("warn"), SLOG_WARN);
	assert_int_equal(slog_level_parse("Warning"), SLOG_WARN);
	assert_int_equal(slog_level_parse("notice"), SLOG_NOTICE);
	assert_int_equal(slog_level_parse("info"), SLOG_INFO);
	assert_int_equal(slog_level_parse("debug"), SLOG_DEBUG);
	assert_int_equal(slog_level_parse("verbose"), -EINVAL);
	assert_int_equal(slog_level_parse(""), -EINVAL);
	assert_int_equal(slog_level_parse(NULL), -EINVAL);
	assert_string_equal(slog_level_name(SLOG_NOTICE), "notice");
	assert_int_equal(slog_set_level(99), -EINVAL);
	assert_int_equal(slog_set_level(SLOG_WARN), 0);
	assert_int_equal(slog_get_level(), SLOG_WARN);
	assert_true(slog_enabled(SLOG_ERR));
	assert_false(slog_enabled(SLOG_INFO));
	assert_int_equal(slog_set_level(SLOG_INFO), 0);
}

/* Reads what is in the pipe (non-blocking). */
static size_t drain(int fd, char *buf, size_t cap)
{
	size_t n = 0;
	ssize_t r;

	while (n < cap - 1 && (r = read(fd, buf + n, cap - 1 - n)) > 0)
		n += r;
	buf[n] = '\0';
	return n;
}

static void test_slog_format(void **state)
{
	char buf[8192], env[64];
	struct stat st;
	regex_t re;
	int fds[2];
	int evaluated = 0;

	(void)state;
	assert_int_equal(pipe2(fds, O_NONBLOCK | O_CLOEXEC), 0);
	unsetenv("JOURNAL_STREAM");
	slog_set_fd(fds[1]);
	slog_init("tcomp");
	assert_false(slog_journal());

	slog_warn("hello %d", 42);
	slog_debug("hidden %d", evaluated++);	/* level info: not evaluated */
	slog_err("two\nlines");
	drain(fds[0], buf, sizeof(buf));
	assert_int_equal(evaluated, 0);
	assert_int_equal(regcomp(&re,
		"^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}\\.[0-9]{3}Z "
		"warn   tcomp: hello 42\n"
		"[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:.]{12}Z error  tcomp: two lines\n$",
		REG_EXTENDED | REG_NOSUB), 0);
	if (regexec(&re, buf, 0, NULL, 0))
		fail_msg("unexpected log output: '%s'", buf);
	regfree(&re);

	/* a long message is cut, and still one line */
	memset(env, 'x', sizeof(env) - 1);
	env[sizeof(env) - 1] = '\0';
	{
		char big[3 * SLOG_LINE_MAX];

		memset(big, 'y', sizeof(big) - 1);
		big[sizeof(big) - 1] = '\0';
		slog_info("%s", big);
		assert_int_equal(drain(fds[0], buf, sizeof(buf)), SLOG_LINE_MAX - 1);
		assert_int_equal(buf[SLOG_LINE_MAX - 2], '\n');
		assert_memory_equal(buf + SLOG_LINE_MAX - 5, "...", 3);
	}

	/* journal: JOURNAL_STREAM names the log fd's device and inode */
	assert_int_equal(fstat(fds[1], &st), 0);
	snprintf(env, sizeof(env), "%llu:%llu", (unsigned long long)st.st_dev,
		 (unsigned long long)st.st_ino);
	setenv("JOURNAL_STREAM", env, 1);
	slog_set_fd(fds[1]);
	assert_true(slog_journal());
	slog_warn("hello %s", "journal");
	slog_notice("n");
	slog_err("e: %s", strerror(ENOENT));
	drain(fds[0], buf, sizeof(buf));
	assert_string_equal(buf, "<4>hello journal\n<5>n\n<3>e: No such file or directory\n");

	/* inherited but stale (stderr redirected elsewhere): plain format */
	setenv("JOURNAL_STREAM", "1:2", 1);
	slog_set_fd(fds[1]);
	assert_false(slog_journal());
	setenv("JOURNAL_STREAM", "garbage", 1);
	slog_set_fd(fds[1]);
	assert_false(slog_journal());

	unsetenv("JOURNAL_STREAM");
	slog_set_fd(STDERR_FILENO);
	slog_init("sealfs");
	close(fds[0]);
	close(fds[1]);
}

#define LOG_THREADS	4
#define LOG_LINES	300

static void *log_thread(void *arg)
{
	int id = (int)(intptr_t)arg, i;

	for (i = 0; i < LOG_LINES; i++)
		slog_notice("thread %d line %d %s", id, i,
			    "padding-padding-padding-padding-padding-padding");
	return NULL;
}

static void *log_reader(void *arg)
{
	int fd = (int)(intptr_t)arg;
	size_t cap = 1 << 20, n = 0;
	char *buf = malloc(cap);
	ssize_t r;

	if (!buf)
		abort();
	while (n < cap - 1 && (r = read(fd, buf + n, cap - 1 - n)) > 0)
		n += r;
	buf[n] = '\0';
	return buf;
}

/* Lines from many threads never interleave. */
static void test_slog_threads(void **state)
{
	pthread_t th[LOG_THREADS], rd;
	int seen[LOG_THREADS] = { 0 };
	int fds[2], i, lines = 0;
	char *buf, *line, *save;

	(void)state;
	assert_int_equal(pipe2(fds, O_CLOEXEC), 0);
	assert_int_equal(pthread_create(&rd, NULL, log_reader,
					(void *)(intptr_t)fds[0]), 0);
	slog_set_fd(fds[1]);
	for (i = 0; i < LOG_THREADS; i++)
		assert_int_equal(pthread_create(&th[i], NULL, log_thread,
						(void *)(intptr_t)i), 0);
	for (i = 0; i < LOG_THREADS; i++)
		assert_int_equal(pthread_join(th[i], NULL), 0);
	slog_set_fd(STDERR_FILENO);
	close(fds[1]);
	assert_int_equal(pthread_join(rd, (void **)&buf), 0);
	close(fds[0]);
	for (line = strtok_r(buf, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save)) {
		int id, no;
		char pad[64];

		assert_int_equal(sscanf(strstr(line, "thread "), "thread %d line %d %63s",
					&id, &no, pad), 3);
		assert_true(id >= 0 && id < LOG_THREADS);
		assert_int_equal(no, seen[id]);
		assert_string_equal(pad, "padding-padding-padding-padding-padding-padding");
		seen[id]++;
		lines++;
	}
	assert_int_equal(lines, LOG_THREADS * LOG_LINES);
	free(buf);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_timers_fire_in_order, setup, teardown),
		cmocka_unit_test_setup_teardown(test_timer_cancel, setup, teardown),
		cmocka_unit_test_setup_teardown(test_timer_periodic, setup, teardown),
		cmocka_unit_test_setup_teardown(test_timer_rearm_zero, setup, teardown),
		cmocka_unit_test_setup_teardown(test_free_refuses_live_handles, setup, teardown),
		cmocka_unit_test_setup_teardown(test_post_from_threads, setup, teardown),
		cmocka_unit_test_setup_teardown(test_stop_from_thread, setup, teardown),
		cmocka_unit_test_setup_teardown(test_defer_and_nesting, setup, teardown),
		cmocka_unit_test_setup_teardown(test_signals, setup, teardown),
		cmocka_unit_test_setup_teardown(test_watch, setup, teardown),
		cmocka_unit_test_setup_teardown(test_watch_del_pending_event, setup, teardown),
		cmocka_unit_test(test_slog_levels),
		cmocka_unit_test(test_slog_format),
		cmocka_unit_test(test_slog_threads),
	};

	return cmocka_run_group_tests_name("sloop", tests, NULL, NULL);
}
