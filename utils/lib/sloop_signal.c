// SPDX-License-Identifier: Apache-2.0
/*
 * sloop signals through a signalfd: the signals handled are blocked on the
 * loop thread and read from the signalfd, so handlers are ordinary loop
 * callbacks (no async-signal-safety rules). See sloop.h.
 */
#include <errno.h>
#include <string.h>
#include <sys/signalfd.h>
#include <time.h>
#include <unistd.h>

#include "slog.h"
#include "sloop_int.h"

static void sloop_signal_read(struct sloop *loop, int fd, unsigned int events,
			      void *arg)
{
	struct signalfd_siginfo si;
	struct sloop_signal *s;
	ssize_t r;

	(void)events;
	(void)arg;
	for (;;) {
		r = read(fd, &si, sizeof(si));
		if (r < 0 && errno == EINTR)
			continue;
		if (r != sizeof(si))
			return;
		for (s = loop->sigs; s; s = loop->sig_iter) {
			loop->sig_iter = s->next;
			if (s->signo == (int)si.ssi_signo)
				s->fn(loop, s->signo, s->arg);
		}
		loop->sig_iter = NULL;
	}
}

static int sloop_signal_open(struct sloop *loop)
{
	sigset_t none;
	int fd, err;

	sigemptyset(&none);
	fd = signalfd(-1, &none, SFD_NONBLOCK | SFD_CLOEXEC);
	if (fd < 0)
		return -errno;
	err = sloop__watch_add(loop, &loop->sigw, fd, SLOOP_IN,
			       sloop_signal_read, NULL, true);
	if (err) {
		close(fd);
		return err;
	}
	loop->sigfd = fd;
	return 0;
}

/**
 * sloop_signal_add() - handle a signal on the loop thread
 * @loop: the loop
 * @s: the handler, not live; the caller keeps it in place until
 *	sloop_signal_del()
 * @signo: the signal, e.g. SIGTERM, SIGINT, SIGHUP
 * @fn: called on the loop thread for each delivery
 * @arg: for @fn
 *
 * The signal is blocked on the calling thread and read from the loop's
 * signalfd. A signal sent to the process can be taken by any thread that
 * does not block it, so add handlers before creating other threads (they
 * inherit the mask). Several handlers of one signal all run.
 *
 * Context: loop thread.
 * Return: 0, -EINVAL (SIGKILL, SIGSTOP, out of range), or -errno.
 */
int sloop_signal_add(struct sloop *loop, struct sloop_signal *s, int signo,
		     sloop_signal_fn fn, void *arg)
{
	int err;

	if (signo <= 0 || signo >= NSIG || signo == SIGKILL ||
	    signo == SIGSTOP || !fn)
		return -EINVAL;
	if (loop->sigfd < 0) {
		err = sloop_signal_open(loop);
		if (err)
			return err;
	}
	if (!sigismember(&loop->sigmask, signo)) {
		sigset_t one, old, mask = loop->sigmask;

		sigemptyset(&one);
		sigaddset(&one, signo);
		err = pthread_sigmask(SIG_BLOCK, &one, &old);
		if (err)
			return -err;
		sigaddset(&mask, signo);
		if (signalfd(loop->sigfd, &mask, 0) < 0) {
			err = -errno;
			if (!sigismember(&old, signo))
				pthread_sigmask(SIG_UNBLOCK, &one, NULL);
			return err;
		}
		loop->sigmask = mask;
		if (!sigismember(&old, signo))
			sigaddset(&loop->sigblocked, signo);
	}
	*s = (struct sloop_signal){ .loop = loop, .next = loop->sigs,
				    .signo = signo, .fn = fn, .arg = arg,
				    .active = true };
	loop->sigs = s;
	loop->nsignals++;
	return 0;
}

/**
 * sloop_signal_del() - stop handling a signal
 * @s: the handler; nothing happens when it is not live
 *
 * When the last handler of a signal goes, the signal is taken out of the
 * signalfd and, if the loop blocked it, a pending instance is discarded
 * and the signal unblocked again.
 *
 * Context: loop thread, also from any callback.
 */
void sloop_signal_del(struct sloop_signal *s)
{
	struct sloop *loop = s->loop;
	struct sloop_signal **pp, *o;
	sigset_t one;

	if (!s->active)
		return;
	for (pp = &loop->sigs; *pp != s; pp = &(*pp)->next)
		;
	*pp = s->next;
	if (loop->sig_iter == s)
		loop->sig_iter = s->next;
	s->active = false;
	loop->nsignals--;
	for (o = loop->sigs; o; o = o->next)
		if (o->signo == s->signo)
			return;
	sigdelset(&loop->sigmask, s->signo);
	if (signalfd(loop->sigfd, &loop->sigmask, 0) < 0)
		slog_warn("signalfd: cannot drop signal %d: %s", s->signo,
			  strerror(errno));
	if (!sigismember(&loop->sigblocked, s->signo))
		return;
	sigdelset(&loop->sigblocked, s->signo);
	sigemptyset(&one);
	sigaddset(&one, s->signo);
	while (sigtimedwait(&one, NULL, &(struct timespec){ 0 }) == s->signo)
		;
	pthread_sigmask(SIG_UNBLOCK, &one, NULL);
}

void sloop__signals_close(struct sloop *loop)
{
	if (loop->sigfd < 0)
		return;
	sloop_watch_del(&loop->sigw);
	close(loop->sigfd);
	loop->sigfd = -1;
}
