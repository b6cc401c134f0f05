/* SPDX-License-Identifier: MIT */
/* VM clock and timers: ordering, re-arming, callbacks changing the list. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <bus/vclock.h>

static uint64_t source_ns;

static uint64_t manual_now(void *ctx)
{
	(void)ctx;
	return source_ns;
}

static char order[64];
static unsigned norder;

struct tctx {
	char tag;
	struct vclock *clk;
	struct vtimer *self;
	struct vtimer *other;
	uint64_t period;
	unsigned fired;
	unsigned limit;
};

static void record(void *opaque)
{
	struct tctx *c = opaque;

	c->fired++;
	if (norder < sizeof(order) - 1)
		order[norder++] = c->tag;
	order[norder] = 0;
}

static void reset_order(void)
{
	norder = 0;
	order[0] = 0;
}

static void test_clock_starts_at_zero(void **state)
{
	struct vclock clk;

	(void)state;
	source_ns = 5000000;
	vclock_init(&clk, manual_now, NULL);
	assert_int_equal(vclock_now(&clk), 0);
	source_ns += 1234;
	assert_int_equal(vclock_now(&clk), 1234);
	assert_int_equal(vclock_next_deadline(&clk), UINT64_MAX);
}

static void test_order_and_expiry(void **state)
{
	struct vclock clk;
	struct vtimer a, b, c, d;
	struct tctx ca = { .tag = 'a' }, cb = { .tag = 'b' }, cc = { .tag = 'c' }, cd = { .tag = 'd' };

	(void)state;
	source_ns = 100;
	vclock_init(&clk, manual_now, NULL);
	reset_order();
	vtimer_init(&a, record, &ca);
	vtimer_init(&b, record, &cb);
	vtimer_init(&c, record, &cc);
	vtimer_init(&d, record, &cd);
	vtimer_arm(&clk, &c, 300);
	vtimer_arm(&clk, &a, 100);
	vtimer_arm(&clk, &b, 200);
	vtimer_arm(&clk, &d, 200);   /* same deadline as b: after b */
	assert_int_equal(vclock_next_deadline(&clk), 100);

	source_ns = 100 + 99;
	vclock_run_expired(&clk);
	assert_string_equal(order, "");
	source_ns = 100 + 100;       /* deadline == now fires */
	vclock_run_expired(&clk);
	assert_string_equal(order, "a");
	assert_false(a.armed);
	assert_int_equal(vclock_next_deadline(&clk), 200);
	source_ns = 100 + 1000;
	vclock_run_expired(&clk);
	assert_string_equal(order, "abdc");
	assert_int_equal(vclock_next_deadline(&clk), UINT64_MAX);
	vclock_run_expired(&clk);
	assert_string_equal(order, "abdc");
}

static void test_rearm_and_cancel(void **state)
{
	struct vclock clk;
	struct vtimer a, b;
	struct tctx ca = { .tag = 'a' }, cb = { .tag = 'b' };

	(void)state;
	source_ns = 0;
	vclock_init(&clk, manual_now, NULL);
	reset_order();
	vtimer_init(&a, record, &ca);
	vtimer_init(&b, record, &cb);
	vtimer_arm(&clk, &a, 100);
	vtimer_arm(&clk, &b, 200);
	vtimer_arm(&clk, &a, 300);   /* moves, not duplicated */
	assert_int_equal(vclock_next_deadline(&clk), 200);
	vtimer_cancel(&clk, &b);
	vtimer_cancel(&clk, &b);     /* harmless twice */
	assert_false(b.armed);
	assert_int_equal(vclock_next_deadline(&clk), 300);
	source_ns = 1000;
	vclock_run_expired(&clk);
	assert_string_equal(order, "a");
	assert_int_equal(ca.fired, 1);
	assert_int_equal(cb.fired, 0);
}

/* Periodic: re-arms itself relative to its own deadline. */
static void periodic(void *opaque)
{
	struct tctx *c = opaque;

	record(c);
	if (c->fired < c->limit)
		vtimer_arm(c->clk, c->self, c->self->deadline + c->period);
}

static void test_periodic_self_rearm(void **state)
{
	struct vclock clk;
	struct vtimer t;
	struct tctx c = { .tag = 'p', .period = 10, .limit = 100 };

	(void)state;
	source_ns = 0;
	vclock_init(&clk, manual_now, NULL);
	reset_order();
	c.clk = &clk;
	c.self = &t;
	vtimer_init(&t, periodic, &c);
	vtimer_arm(&clk, &t, 10);
	source_ns = 35;
	/* Catching up on missed periods takes one call per period. */
	vclock_run_expired(&clk);
	assert_int_equal(c.fired, 1);
	assert_int_equal(vclock_next_deadline(&clk), 20);
	vclock_run_expired(&clk);
	vclock_run_expired(&clk);
	assert_int_equal(c.fired, 3);
	assert_int_equal(vclock_next_deadline(&clk), 40);
	vclock_run_expired(&clk);
	assert_int_equal(c.fired, 3);
}

static void test_zero_period_does_not_stall(void **state)
{
	struct vclock clk;
	struct vtimer t;
	struct tctx c = { .tag = 'z', .period = 0, .limit = 1000000 };

	(void)state;
	source_ns = 0;
	vclock_init(&clk, manual_now, NULL);
	reset_order();
	c.clk = &clk;
	c.self = &t;
	vtimer_init(&t, periodic, &c);
	vtimer_arm(&clk, &t, 0);
	vclock_run_expired(&clk);
	assert_int_equal(c.fired, 1);
	assert_true(t.armed);
	vclock_run_expired(&clk);
	assert_int_equal(c.fired, 2);
}

/* Cancels another timer that is due in the same run. */
static void cancel_other(void *opaque)
{
	struct tctx *c = opaque;

	record(c);
	vtimer_cancel(c->clk, c->other);
}

/* Re-arms another due timer into the future. */
static void push_other(void *opaque)
{
	struct tctx *c = opaque;

	record(c);
	vtimer_arm(c->clk, c->other, 500);
}

static void test_callback_modifies_others(void **state)
{
	struct vclock clk;
	struct vtimer a, b, c, d;
	struct tctx ca = { .tag = 'a' }, cb = { .tag = 'b' }, cc = { .tag = 'c' }, cd = { .tag = 'd' };

	(void)state;
	source_ns = 0;
	vclock_init(&clk, manual_now, NULL);
	reset_order();
	ca.clk = cc.clk = &clk;
	ca.other = &b;
	cc.other = &d;
	vtimer_init(&a, cancel_other, &ca);
	vtimer_init(&b, record, &cb);
	vtimer_init(&c, push_other, &cc);
	vtimer_init(&d, record, &cd);
	vtimer_arm(&clk, &a, 10);
	vtimer_arm(&clk, &b, 20);
	vtimer_arm(&clk, &c, 30);
	vtimer_arm(&clk, &d, 40);
	source_ns = 100;
	vclock_run_expired(&clk);
	assert_string_equal(order, "ac");
	assert_false(b.armed);
	assert_true(d.armed);
	assert_int_equal(vclock_next_deadline(&clk), 500);
	source_ns = 500;
	vclock_run_expired(&clk);
	assert_string_equal(order, "acd");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_clock_starts_at_zero),
		cmocka_unit_test(test_order_and_expiry),
		cmocka_unit_test(test_rearm_and_cancel),
		cmocka_unit_test(test_periodic_self_rearm),
		cmocka_unit_test(test_zero_period_does_not_stall),
		cmocka_unit_test(test_callback_modifies_others),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
