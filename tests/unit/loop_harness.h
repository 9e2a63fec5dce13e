/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Test helper: run an event loop until a condition holds, failing the test
 * (instead of hanging) when a watchdog timer expires first. Include after
 * <cmocka.h> and "sloop.h".
 */
#ifndef LOOP_HARNESS_H
#define LOOP_HARNESS_H

#include <stdbool.h>

struct watchdog {
	struct sloop_timer t;
	bool expired;
};

static inline void watchdog_fire(struct sloop_timer *t, void *arg)
{
	(void)t;
	*(bool *)arg = true;
}

/* Runs @loop until @cond holds; fails the test after @ms milliseconds. */
#define RUN_UNTIL_MS(loop, cond, ms) do { \
	struct watchdog wd_ = { .expired = false }; \
	sloop_timer_init((loop), &wd_.t, watchdog_fire, &wd_.expired); \
	assert_int_equal(sloop_timer_start(&wd_.t, (ms), 0), 0); \
	while (!(cond) && !wd_.expired) \
		assert_true(sloop_run_once((loop), -1) >= 0); \
	sloop_timer_cancel(&wd_.t); \
	if (!(cond)) \
		fail_msg("timed out waiting for: %s", #cond); \
} while (0)
#define RUN_UNTIL(loop, cond) RUN_UNTIL_MS(loop, cond, 20000)

#endif /* LOOP_HARNESS_H */
