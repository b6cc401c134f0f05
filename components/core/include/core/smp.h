/* SPDX-License-Identifier: MIT */
/*
 * Running work on another CPU.  Secondary CPUs that have nothing to do
 * wait in kernel_secondary_main() polling their mailbox; smp_call() posts
 * a function there and waits until it has run.  No IPIs are needed, so
 * this works the same on every architecture.
 */
#ifndef CORE_SMP_H
#define CORE_SMP_H

/*
 * Runs fn(arg) on CPU cpu (directly when it is the calling CPU) and waits
 * for it to return.  0, or -ENODEV when that CPU is not online.
 */
int smp_call(unsigned int cpu, void (*fn)(void *arg), void *arg);

/*
 * Posts fn(arg) to CPU cpu and returns at once, without waiting for it to
 * run: for work that lasts, such as a vCPU's run loop.  The CPU is busy
 * until fn returns; a later smp_call() to it waits until then.  0,
 * -ENODEV when that CPU is not online, -EINVAL for the calling CPU itself
 * (it cannot run something in the background), -EBUSY while that CPU
 * still runs an earlier asynchronous call.
 */
int smp_call_async(unsigned int cpu, void (*fn)(void *arg), void *arg);

/* Called by kernel_secondary_main() forever: runs posted work. */
__attribute__((noreturn)) void smp_secondary_loop(void);

#endif
