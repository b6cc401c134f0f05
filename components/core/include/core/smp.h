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

/* Called by kernel_secondary_main() forever: runs posted work. */
__attribute__((noreturn)) void smp_secondary_loop(void);

#endif
