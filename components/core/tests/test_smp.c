/* SPDX-License-Identifier: MIT */
/*
 * core/smp.c with a host thread playing a secondary CPU: it runs
 * smp_secondary_loop() exactly as a CPU does after kernel_secondary_main().
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <core/percpu.h>
#include <host/support.h>
#include <threads.h>

static _Thread_local struct percpu *current_cpu;
static unsigned int possible_cpus = 3;

static struct percpu *test_this_cpu(void)
{
	return current_cpu ? current_cpu : &percpu_table[0];
}

static unsigned int test_cpu_possible_count(void)
{
	return possible_cpus;
}

static _Noreturn void test_arch_halt(void)
{
	thrd_exit(0);
}

/*
 * The secondary sleeps between looks at its mailbox (arch_cpu_idle());
 * here it yields.  Kicks are counted per CPU: every post must kick.
 */
static unsigned int kicks[3];

static void test_arch_kick_cpu(unsigned int cpu)
{
	if (cpu < 3)
		__atomic_add_fetch(&kicks[cpu], 1, __ATOMIC_SEQ_CST);
}

static void test_arch_cpu_idle(uint64_t deadline_ns)
{
	(void)deadline_ns;
	thrd_yield();
}

static void test_arch_irq_disable(void)
{
}

#define this_cpu test_this_cpu
#define cpu_possible_count test_cpu_possible_count
#define arch_halt test_arch_halt
#define arch_kick_cpu test_arch_kick_cpu
#define arch_cpu_idle test_arch_cpu_idle
#define arch_irq_disable test_arch_irq_disable
#include "../smp.c"

static thrd_t cpu1_thread;

static int cpu1_main(void *arg)
{
	(void)arg;
	current_cpu = percpu_get(1);
	__atomic_store_n(&current_cpu->online, true, __ATOMIC_RELEASE);
	smp_secondary_loop();
}

static int start_cpu1(void **state)
{
	(void)state;
	for (unsigned int i = 0; i < 3; i++) {
		percpu_get(i)->id = i;
		percpu_get(i)->online = i == 0;
	}
	assert_int_equal(thrd_create(&cpu1_thread, cpu1_main, NULL), thrd_success);
	while (!__atomic_load_n(&percpu_get(1)->online, __ATOMIC_ACQUIRE))
		thrd_yield();
	return 0;
}

static int stop_cpu1(void **state)
{
	int res;

	(void)state;
	smp_stop_others();
	assert_int_equal(thrd_join(cpu1_thread, &res), thrd_success);
	return 0;
}

struct call_record {
	unsigned int ran_on;
	unsigned long value;
};

static void record_cpu(void *arg)
{
	struct call_record *r = arg;

	r->ran_on = test_this_cpu()->id;
	r->value += 1;
}

static void test_call_runs_on_the_target_and_waits(void **state)
{
	struct call_record r = { 99, 0 };

	(void)state;
	assert_int_equal(smp_call(1, record_cpu, &r), 0);
	/* Returned only after the call completed there. */
	assert_int_equal(r.ran_on, 1);
	assert_int_equal(r.value, 1);

	for (int i = 0; i < 10000; i++)
		assert_int_equal(smp_call(1, record_cpu, &r), 0);
	assert_int_equal(r.value, 10001);
}

static void test_call_on_self_runs_directly(void **state)
{
	struct call_record r = { 99, 0 };

	(void)state;
	assert_int_equal(smp_call(0, record_cpu, &r), 0);
	assert_int_equal(r.ran_on, 0);
	assert_int_equal(r.value, 1);
}

static void test_offline_or_absent_cpus(void **state)
{
	struct call_record r = { 99, 0 };

	(void)state;
	assert_int_equal(smp_call(2, record_cpu, &r), -ENODEV);   /* possible, offline */
	assert_int_equal(smp_call(3, record_cpu, &r), -ENODEV);   /* not possible */
	assert_int_equal(smp_call(MAX_CPUS + 5, record_cpu, &r), -ENODEV);
	assert_int_equal(r.value, 0);
}

struct async_record {
	volatile int release;       /* the test lets the call finish       */
	volatile int started;
	unsigned int ran_on;
};

static void wait_for_release(void *arg)
{
	struct async_record *r = arg;

	r->ran_on = test_this_cpu()->id;
	__atomic_store_n(&r->started, 1, __ATOMIC_RELEASE);
	while (!__atomic_load_n(&r->release, __ATOMIC_ACQUIRE))
		thrd_yield();
}

static void test_async_call_returns_before_it_runs_to_the_end(void **state)
{
	struct async_record r = { 0, 0, 99 };
	struct call_record later = { 99, 0 };

	(void)state;
	assert_int_equal(smp_call_async(1, wait_for_release, &r), 0);
	while (!__atomic_load_n(&r.started, __ATOMIC_ACQUIRE))
		thrd_yield();
	assert_int_equal(r.ran_on, 1);
	/* Still running: a second asynchronous call is refused. */
	assert_int_equal(smp_call_async(1, record_cpu, &later), -EBUSY);
	assert_int_equal(later.value, 0);
	__atomic_store_n(&r.release, 1, __ATOMIC_RELEASE);
	/* A synchronous call waits for the first one, then runs. */
	assert_int_equal(smp_call(1, record_cpu, &later), 0);
	assert_int_equal(later.ran_on, 1);
	assert_int_equal(later.value, 1);
}

/* The target sleeps between calls: a call (synchronous or not) kicks it; stopping does too. */
static void test_calls_kick_the_target(void **state)
{
	struct call_record r = { 0, 0 };
	unsigned int before = __atomic_load_n(&kicks[1], __ATOMIC_SEQ_CST);

	(void)state;
	assert_int_equal(smp_call(1, record_cpu, &r), 0);
	assert_int_equal(__atomic_load_n(&kicks[1], __ATOMIC_SEQ_CST), before + 1);
	assert_int_equal(r.ran_on, 1);
	assert_int_equal(kicks[0], 0);
}

static void test_async_call_refuses_self_and_offline(void **state)
{
	struct call_record r = { 99, 0 };

	(void)state;
	assert_int_equal(smp_call_async(0, record_cpu, &r), -EINVAL);
	assert_int_equal(smp_call_async(2, record_cpu, &r), -ENODEV);
	assert_int_equal(smp_call_async(MAX_CPUS + 5, record_cpu, &r), -ENODEV);
	assert_int_equal(r.value, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_call_runs_on_the_target_and_waits),
		cmocka_unit_test(test_call_on_self_runs_directly),
		cmocka_unit_test(test_offline_or_absent_cpus),
		cmocka_unit_test(test_async_call_returns_before_it_runs_to_the_end),
		cmocka_unit_test(test_async_call_refuses_self_and_offline),
		cmocka_unit_test(test_calls_kick_the_target),
	};

	/* The test plays three CPUs. */
	if (MAX_CPUS < 3) {
		print_message("skipped: CONFIG_MAX_CPUS < 3\n");
		return 0;
	}
	return cmocka_run_group_tests(tests, start_cpu1, stop_cpu1);
}
