// SPDX-License-Identifier: GPL-2.0-only
/*
 * A test module that plants one bug, chosen by its bug= parameter, when it
 * is loaded, so that tests/vm/checkers can require the debug kernel's
 * checkers to report it. Loading succeeds whatever the bug, so the module
 * can be removed afterwards. Never load it outside a throw-away guest.
 *
 *   kasan         reads one byte past a kmalloc()ed buffer
 *   lockdep       takes two mutexes in one order, then in the other
 *   atomic_sleep  calls might_sleep() under a spinlock
 *   list          list_add() onto a head whose neighbour does not point
 *                 back (refused by DEBUG_LIST, nothing is written)
 *   leak          kmalloc()s objects and drops the only pointers
 *   hung          a kthread sleeps uninterruptibly for hung_secs seconds,
 *                 or until the module is removed
 */

#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/err.h>
#include <linux/kernel.h>
#include <linux/kthread.h>
#include <linux/list.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/sched.h>
#include <linux/sched/task.h>
#include <linux/slab.h>
#include <linux/spinlock.h>
#include <linux/string.h>

static char *bug = "";
module_param(bug, charp, 0444);
MODULE_PARM_DESC(bug, "kasan, lockdep, atomic_sleep, list, leak or hung");

static unsigned int hung_secs = 10;
module_param(hung_secs, uint, 0444);
MODULE_PARM_DESC(hung_secs, "how long the hung kthread sleeps (seconds)");

static DEFINE_MUTEX(canary_a);
static DEFINE_MUTEX(canary_b);
static DEFINE_SPINLOCK(canary_lock);
static struct task_struct *canary_thread;

static noinline void canary_kasan(void)
{
	size_t size = 123;
	size_t i = size;
	char *buf;

	buf = kmalloc(size, GFP_KERNEL);
	if (!buf)
		return;
	memset(buf, 0, size);
	OPTIMIZER_HIDE_VAR(i);
	pr_info("read past the buffer: %d\n", READ_ONCE(buf[i]));
	kfree(buf);
}

static noinline void canary_lockdep(void)
{
	mutex_lock(&canary_a);
	mutex_lock(&canary_b);
	mutex_unlock(&canary_b);
	mutex_unlock(&canary_a);

	mutex_lock(&canary_b);
	mutex_lock(&canary_a);
	mutex_unlock(&canary_a);
	mutex_unlock(&canary_b);
}

static noinline void canary_atomic_sleep(void)
{
	spin_lock(&canary_lock);
	might_sleep();
	spin_unlock(&canary_lock);
}

static noinline void canary_list(void)
{
	struct list_head head, other, entry;

	INIT_LIST_HEAD(&head);
	INIT_LIST_HEAD(&other);
	/* head points at other, but other does not point back. */
	head.next = &other;
	list_add(&entry, &head);
	pr_info("list_add %s the entry\n",
		head.next == &entry ? "linked" : "refused");
}

static noinline void canary_leak(void)
{
	void *p;
	int i;

	/* Four objects: a stale copy of the last pointer may survive. */
	for (i = 0; i < 4; i++) {
		p = kmalloc(64, GFP_KERNEL);
		if (!p)
			return;
		memset(p, 0xa5, 64);
		OPTIMIZER_HIDE_VAR(p);
	}
}

static int canary_hung_fn(void *data)
{
	schedule_timeout_uninterruptible((long)hung_secs * HZ);
	return 0;
}

static int canary_hung(void)
{
	struct task_struct *t;

	t = kthread_run(canary_hung_fn, NULL, "canary_hung");
	if (IS_ERR(t))
		return PTR_ERR(t);
	get_task_struct(t);
	canary_thread = t;
	return 0;
}

static int __init canary_init(void)
{
	pr_info("planting bug '%s'\n", bug);
	if (!strcmp(bug, "kasan"))
		canary_kasan();
	else if (!strcmp(bug, "lockdep"))
		canary_lockdep();
	else if (!strcmp(bug, "atomic_sleep"))
		canary_atomic_sleep();
	else if (!strcmp(bug, "list"))
		canary_list();
	else if (!strcmp(bug, "leak"))
		canary_leak();
	else if (!strcmp(bug, "hung"))
		return canary_hung();
	else if (*bug)
		return -EINVAL;
	return 0;
}

static void __exit canary_exit(void)
{
	/* Wakes the sleeper early if it still sleeps; waits for it to end. */
	if (canary_thread) {
		kthread_stop(canary_thread);
		put_task_struct(canary_thread);
	}
}

module_init(canary_init);
module_exit(canary_exit);
MODULE_DESCRIPTION("SealFS test module: plants bugs for the kernel's checkers");
MODULE_LICENSE("GPL");
