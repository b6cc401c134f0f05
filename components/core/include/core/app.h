/* SPDX-License-Identifier: MIT */
/*
 * The application the image runs once the machine is up (apps/vmm).
 * kernel_main() calls app_main() on the boot CPU after every CPU is online
 * and every INIT_CALL has run.
 */
#ifndef CORE_APP_H
#define CORE_APP_H

/* Returns when the application is done; the value is its exit status. */
int app_main(void);

/*
 * Ends the run: powers the machine off when the image command line says
 * "poweroff", otherwise reports and halts every CPU.
 */
__attribute__((noreturn)) void kernel_exit(int status);

#endif
