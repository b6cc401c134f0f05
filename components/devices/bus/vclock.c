/* SPDX-License-Identifier: MIT */
/*
 * VM time and device timers.  Armed timers form a singly linked list
 * sorted by deadline (timers with equal deadlines fire in arming order).
 * A VM has a handful of timers, so a list beats a heap in simplicity.
 *
 * vclock_run_expired() first moves every due timer to the 'expiring'
 * list and then runs that list one entry at a time.  Callbacks can
 * therefore re-arm or cancel anything: arm and cancel unlink a timer from
 * whichever of the two lists holds it.
 */
#include <stddef.h>

#include <bus/vclock.h>

void vclock_init(struct vclock *clk, uint64_t (*now_fn)(void *), void *ctx)
{
	clk->now_fn = now_fn;
	clk->ctx = ctx;
	clk->offset = now_fn(ctx);
	clk->armed = NULL;
	clk->expiring = NULL;
}

uint64_t vclock_now(const struct vclock *clk)
{
	uint64_t source = clk->now_fn(clk->ctx);

	return source >= clk->offset ? source - clk->offset : 0;
}

void vtimer_init(struct vtimer *t, void (*fn)(void *), void *opaque)
{
	t->fn = fn;
	t->opaque = opaque;
	t->deadline = 0;
	t->armed = false;
	t->next = NULL;
}

static bool list_remove(struct vtimer **head, struct vtimer *t)
{
	for (struct vtimer **p = head; *p; p = &(*p)->next) {
		if (*p == t) {
			*p = t->next;
			t->next = NULL;
			return true;
		}
	}
	return false;
}

void vtimer_cancel(struct vclock *clk, struct vtimer *t)
{
	if (!t->armed)
		return;
	if (!list_remove(&clk->armed, t))
		list_remove(&clk->expiring, t);
	t->armed = false;
}

void vtimer_arm(struct vclock *clk, struct vtimer *t, uint64_t deadline)
{
	struct vtimer **p;

	vtimer_cancel(clk, t);
	t->deadline = deadline;
	for (p = &clk->armed; *p && (*p)->deadline <= deadline; p = &(*p)->next)
		;
	t->next = *p;
	*p = t;
	t->armed = true;
}

void vclock_run_expired(struct vclock *clk)
{
	uint64_t now = vclock_now(clk);
	struct vtimer **tail = &clk->expiring;

	/* Append the due prefix of 'armed' to 'expiring' (kept in order). */
	while (*tail)
		tail = &(*tail)->next;
	while (clk->armed && clk->armed->deadline <= now) {
		struct vtimer *t = clk->armed;

		clk->armed = t->next;
		t->next = NULL;
		*tail = t;
		tail = &t->next;
	}

	while (clk->expiring) {
		struct vtimer *t = clk->expiring;

		clk->expiring = t->next;
		t->next = NULL;
		t->armed = false;
		if (t->fn)
			t->fn(t->opaque);
	}
}

uint64_t vclock_next_deadline(const struct vclock *clk)
{
	if (clk->expiring)
		return clk->expiring->deadline;
	return clk->armed ? clk->armed->deadline : UINT64_MAX;
}
