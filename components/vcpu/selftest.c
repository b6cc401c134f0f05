/* SPDX-License-Identifier: MIT */
/*
 * The vCPU self-test: the whole path from a guest instruction to a device
 * and back, with nothing else of a VM around it.
 *
 *   guest RAM (one gspace mapping) <- the backend's tiny guest program
 *   a device bus with one device: a UART-like register block
 *   the run loop: vcpu_run() -> print the exit -> handle it -> again; the
 *   device accesses reach the bus from inside vcpu_run() (vcpu_io_ops)
 *
 * Each exit is logged (the start of a teaching trace); the checks are
 * exact: the text the guest wrote, the number of exits of every kind, the
 * values the guest read back (the guest checks its sign extension itself
 * and reports a failed check with a hypercall of immediate 1).
 *
 * When it passed, the backend's interrupt self-test runs next
 * (vcpu_arch_selftest_interrupts(): timer interrupts and an SGI through
 * the VM's interrupt controller model), where the backend has one.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include <bus/bus.h>
#include <core/cmdline.h>
#include <core/init.h>
#include <core/log.h>
#include <core/mm.h>
#include <vcpu/gspace.h>
#include <vcpu/selftest.h>
#include <vcpu/vcpu.h>

/* The hypercalls of the guest use PSCI function numbers on every architecture. */
#define SELFTEST_PSCI_VERSION    0x84000000u
#define SELFTEST_PSCI_SYSTEM_OFF 0x84000008u
#define SELFTEST_PSCI_VERSION_1_0 0x10000u
#define SELFTEST_HCALL_CHECK_FAILED 1   /* hypercall immediate: x0 = which check */

#define SELFTEST_RAM_PAGES 16
#define SELFTEST_MAX_EXITS 200
#define SELFTEST_UART_SIZE 0x1000
#define SELFTEST_UART_DATA 0x0      /* write: a character                    */
#define SELFTEST_UART_ID   0x4      /* read: 0xa5, negative as a signed byte */
#define SELFTEST_UART_ID_VALUE 0xa5
#define SELFTEST_SYSREG_VALUE  0x5a /* the answer to every system register read */

static const char expected_text[] = "Hello from EL1\n";

struct selftest_uart {
	char text[64];
	size_t len;
	unsigned int writes, reads;
};

static uint64_t uart_read(void *opaque, uint64_t offset, unsigned width)
{
	struct selftest_uart *u = opaque;

	(void)width;
	u->reads++;
	return offset == SELFTEST_UART_ID ? SELFTEST_UART_ID_VALUE : 0;
}

static void uart_write(void *opaque, uint64_t offset, unsigned width, uint64_t value)
{
	struct selftest_uart *u = opaque;

	(void)width;
	u->writes++;
	if (offset != SELFTEST_UART_DATA || u->len + 1 >= sizeof(u->text))
		return;
	u->text[u->len++] = (char)value;
	if ((char)value == '\n') {
		u->text[u->len] = '\0';
		log_info("vcpu selftest: guest says: %.*s", (int)u->len - 1, u->text);
	}
}

static const struct bus_ops uart_ops = { .read = uart_read, .write = uart_write };
static const struct bus_rules uart_rules = { .min_width = 1, .max_width = 4 };

struct selftest_run {
	struct bus *bus;
	struct gspace *gs;
	void *ram;
	struct vcpu *vcpu;
	struct selftest_uart uart;
	unsigned int exits;
	bool psci_version_asked;
	bool powered_off;
	char failure[200];
};

static void fail(struct selftest_run *r, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
static void fail(struct selftest_run *r, const char *fmt, ...)
{
	va_list ap;

	if (r->failure[0])
		return;
	va_start(ap, fmt);
	vsnprintf(r->failure, sizeof(r->failure), fmt, ap);
	va_end(ap);
}

/* The vCPU's trapped accesses: straight to the self-test's bus. */
static enum bus_result selftest_io_access(void *opaque, struct vcpu *v, struct bus_access *acc)
{
	struct selftest_run *r = opaque;

	(void)v;
	return bus_dispatch(r->bus, acc);
}

static const struct vcpu_io_ops selftest_io_ops = { .access = selftest_io_access };

/* Handles one exit; false when the run is over (powered off or failed). */
static bool handle_exit(struct selftest_run *r, struct vcpu_exit *exit)
{
	char line[200];

	vcpu_exit_describe(exit, line, sizeof(line));
	switch (exit->reason) {
	case VCPU_EXIT_MMIO:
		/* Already performed: the device saw it, a read's data is in its register. */
		if (exit->access.dir == BUS_WRITE)
			log_info("vcpu selftest: exit %u: %s", r->exits, line);
		else
			log_info("vcpu selftest: exit %u: %s -> data 0x%llx", r->exits, line,
				 (unsigned long long)exit->access.data);
		return true;
	case VCPU_EXIT_SYSREG:
		log_info("vcpu selftest: exit %u: %s", r->exits, line);
		if (exit->sysreg.is_write) {
			fail(r, "unexpected system register write (id 0x%x)", exit->sysreg.id);
			return false;
		}
		vcpu_complete_read(r->vcpu, SELFTEST_SYSREG_VALUE);
		return true;
	case VCPU_EXIT_WFI:
		log_info("vcpu selftest: exit %u: %s", r->exits, line);
		return true;     /* nothing will interrupt it: just continue */
	case VCPU_EXIT_HYPERCALL:
		log_info("vcpu selftest: exit %u: %s", r->exits, line);
		if (exit->hypercall.imm == SELFTEST_HCALL_CHECK_FAILED) {
			fail(r, "the guest's check %llu failed",
			     (unsigned long long)exit->hypercall.function);
			return false;
		}
		if (exit->hypercall.function == SELFTEST_PSCI_VERSION) {
			const uint64_t version = SELFTEST_PSCI_VERSION_1_0;

			r->psci_version_asked = true;
			vcpu_complete_hypercall(r->vcpu, &version, 1);
			return true;
		}
		if (exit->hypercall.function == SELFTEST_PSCI_SYSTEM_OFF) {
			r->powered_off = true;
			return false;
		}
		fail(r, "unexpected hypercall function 0x%llx",
		     (unsigned long long)exit->hypercall.function);
		return false;
	case VCPU_EXIT_IRQ:
	case VCPU_EXIT_KICK:
		log_info("vcpu selftest: exit %u: %s", r->exits, line);
		return true;
	default:
		log_info("vcpu selftest: exit %u: %s", r->exits, line);
		fail(r, "unexpected exit: %s", line);
		return false;
	}
}

static int set_up(struct selftest_run *r, const struct vcpu_selftest_guest *g)
{
	int rc;

	r->bus = bus_create("vcpu-selftest");
	r->gs = gspace_create();
	r->ram = page_alloc(SELFTEST_RAM_PAGES);
	if (!r->bus || !r->gs || !r->ram || g->size > SELFTEST_RAM_PAGES * PAGE_SIZE)
		return -ENOMEM;
	rc = bus_register_mmio(r->bus, "selftest-uart", g->uart_gpa, SELFTEST_UART_SIZE,
			       &uart_ops, &r->uart, &uart_rules);
	if (rc)
		return rc;
	rc = gspace_map(r->gs, g->ram_gpa, (uint64_t)(uintptr_t)r->ram,
			SELFTEST_RAM_PAGES * PAGE_SIZE, GSPACE_RWX, GSPACE_MEM_NORMAL);
	if (rc)
		return rc;
	rc = gspace_write(r->gs, g->ram_gpa, g->code, g->size);
	if (rc)
		return rc;
	r->vcpu = vcpu_create(r->gs, 0);
	if (!r->vcpu)
		return -ENOMEM;
	vcpu_set_io_ops(r->vcpu, &selftest_io_ops, r);
	vcpu_set_entry(r->vcpu, g->ram_gpa, NULL, 0);
	return 0;
}

static void tear_down(struct selftest_run *r)
{
	if (r->vcpu)
		vcpu_destroy(r->vcpu);
	if (r->gs)
		gspace_destroy(r->gs);
	if (r->ram)
		page_free(r->ram, SELFTEST_RAM_PAGES);
	if (r->bus)
		bus_destroy(r->bus);
}

/* The exact exits the guest must have made. */
static void check_counts(struct selftest_run *r)
{
	size_t text_len = sizeof(expected_text) - 1;
	struct {
		enum vcpu_exit_reason reason;
		uint64_t expected;
	} counts[] = {
		{ VCPU_EXIT_MMIO, text_len + 2 },   /* the characters, two reads */
		{ VCPU_EXIT_SYSREG, 1 },
		{ VCPU_EXIT_WFI, 1 },
		{ VCPU_EXIT_HYPERCALL, 2 },
	};

	if (r->uart.len != text_len || memcmp(r->uart.text, expected_text, text_len) != 0)
		fail(r, "the guest wrote \"%.*s\" (%zu bytes), expected \"Hello from EL1\\n\"",
		     (int)r->uart.len, r->uart.text, r->uart.len);
	if (r->uart.writes != text_len || r->uart.reads != 2)
		fail(r, "the device saw %u writes and %u reads, expected %zu and 2",
		     r->uart.writes, r->uart.reads, text_len);
	for (size_t i = 0; i < sizeof(counts) / sizeof(counts[0]); i++) {
		uint64_t n = vcpu_exit_count(r->vcpu, counts[i].reason);

		if (n != counts[i].expected)
			fail(r, "%llu %s exits, expected %llu", (unsigned long long)n,
			     vcpu_exit_reason_name(counts[i].reason),
			     (unsigned long long)counts[i].expected);
	}
	if (!r->psci_version_asked || !r->powered_off)
		fail(r, "the guest did not ask for the PSCI version and then power off");
}

int vcpu_selftest_run(void)
{
	const struct vcpu_selftest_guest *guest = vcpu_arch_selftest_guest();
	struct selftest_run *r;
	struct vcpu_exit exit;
	int rc;

	if (!guest) {
		log_info("vcpu selftest: not supported on this architecture yet");
		return -ENOSYS;
	}
	if (guest->run)
		return guest->run(guest);
	r = kzalloc(sizeof(*r));
	if (!r) {
		log_error("vcpu selftest: FAILED: out of memory");
		return -ENOMEM;
	}
	log_info("vcpu selftest: guest of %zu bytes at 0x%llx, UART at 0x%llx", guest->size,
		 (unsigned long long)guest->ram_gpa, (unsigned long long)guest->uart_gpa);
	rc = set_up(r, guest);
	if (rc) {
		fail(r, "set-up failed (error %d)", rc);
	} else {
		for (;;) {
			if (r->exits == SELFTEST_MAX_EXITS) {
				fail(r, "no power-off after %u exits", r->exits);
				break;
			}
			rc = vcpu_run(r->vcpu, &exit);
			r->exits++;
			if (rc) {
				fail(r, "vcpu_run failed (error %d): %s", rc, exit.failed.reason);
				break;
			}
			if (!handle_exit(r, &exit))
				break;
		}
		if (!r->failure[0])
			check_counts(r);
	}
	if (r->failure[0]) {
		log_error("vcpu selftest: FAILED: %s", r->failure);
		rc = -EIO;
	} else {
		log_info("vcpu selftest: passed (%u exits)", r->exits);
		rc = 0;
	}
	tear_down(r);
	kfree(r);
	if (rc == 0) {
		int irq_rc = vcpu_arch_selftest_interrupts();

		if (irq_rc != 0 && irq_rc != -ENOSYS)
			rc = irq_rc;
	}
	return rc;
}

/* Backends without an interrupt self-test keep this one. */
__attribute__((weak)) int vcpu_arch_selftest_interrupts(void)
{
	return -ENOSYS;
}

static bool selftest_requested;

static int request_selftest(const char *value)
{
	(void)value;
	selftest_requested = true;
	return 0;
}
CMDLINE_OPTION("vcpu-selftest", request_selftest,
	       "run a tiny guest through the vCPU backend at boot and report every exit");

static int selftest_at_boot(void)
{
	if (!selftest_requested)
		return 0;
	vcpu_selftest_run();
	return 0;     /* the result is in the log; boot goes on either way */
}
INIT_CALL(selftest_at_boot, INIT_LATE);
