/* SPDX-License-Identifier: MIT */
/*
 * The x86 vCPU self-test: selftest_guest.S from the reset vector through
 * real, protected and long mode, with a VM around it that is just large
 * enough: 64 KiB of RAM at 0, a ROM page at 0xFFFFF000 with the reset
 * vector, a bus with a UART data port (0x3F8), the POST port (0x80), an
 * exit port (0xF4) and an MMIO register block at 0xD0000 (not mapped:
 * every access is an EPT violation emulated by x86emu), and a fill() hook
 * that injects one interrupt (vector 0x20) after the guest's first HLT.
 *
 * Every exit is logged; the checks are exact: the text, each MMIO access
 * (address, width, value), the number of exits of each kind, the
 * interrupt's delivery, and the guest's own checks (CPUID signature, the
 * MMIO read values, EFER.LMA), which it reports through the exit port.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include <bus/bus.h>
#include <core/log.h>
#include <core/mm.h>
#include <vcpu/gspace.h>
#include <vcpu/hwvirt.h>
#include <vcpu/selftest.h>
#include <vcpu/vcpu.h>
#include <vcpu/x86_regs.h>

extern const char vcpu_x86_selftest_guest_start[], vcpu_x86_selftest_guest_end[];

#define GUEST_RAM_PAGES 16             /* 0 .. 64 KiB                    */
#define GUEST_CODE_GPA  0x1000         /* where selftest_guest.S is linked */
#define GUEST_ROM_GPA   0xfffff000ull
#define RESET_VECTOR_OFFSET 0xff0
#define UART_PORT 0x3f8
#define POST_PORT 0x80
#define EXIT_PORT 0xf4
#define MMIO_BASE 0xd0000
#define MMIO_SIZE 0x1000
#define MMIO_ID_OFFSET 0x14
#define MMIO_ID_VALUE 0xcafef00du
#define INJECTED_VECTOR 0x20
#define MAX_EXITS 100

static const char expected_text[] = "Hello from real mode\n";

/* The MMIO writes the guest makes, in order (real, protected, long mode). */
static const struct {
	uint64_t offset;
	unsigned int width;
	uint64_t value;
} expected_writes[] = {
	{ 0x10, 4, 0x12345678 },
	{ 0x20, 4, 0xabcd0001 },
	{ 0x28, 8, 0x1122334455667788ull },
};
#define EXPECTED_WRITES (sizeof(expected_writes) / sizeof(expected_writes[0]))

struct x86_selftest {
	struct bus *bus;
	struct gspace *gs;
	void *ram, *rom;
	struct vcpu *vcpu;
	char text[64];
	size_t text_len;
	unsigned int mmio_writes, mmio_reads, wfis, exits;
	bool mmio_writes_ok;
	bool irq_pending, irq_injected, irq_handled;
	bool ended;
	int guest_result;
	char failure[200];
};

static void fail(struct x86_selftest *t, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void fail(struct x86_selftest *t, const char *fmt, ...)
{
	va_list ap;

	if (t->failure[0])
		return;
	va_start(ap, fmt);
	vsnprintf(t->failure, sizeof(t->failure), fmt, ap);
	va_end(ap);
}

static uint64_t port_read(void *opaque, uint64_t offset, unsigned width)
{
	(void)opaque, (void)offset, (void)width;
	return 0;
}

static void uart_write(void *opaque, uint64_t offset, unsigned width, uint64_t value)
{
	struct x86_selftest *t = opaque;

	(void)offset, (void)width;
	if (t->text_len + 1 >= sizeof(t->text))
		return;
	t->text[t->text_len++] = (char)value;
	if ((char)value == '\n')
		log_info("vcpu selftest: guest says: %.*s", (int)t->text_len - 1, t->text);
}

static void post_write(void *opaque, uint64_t offset, unsigned width, uint64_t value)
{
	struct x86_selftest *t = opaque;

	(void)offset, (void)width;
	if (value == INJECTED_VECTOR && t->irq_injected)
		t->irq_handled = true;
}

static void exit_port_write(void *opaque, uint64_t offset, unsigned width, uint64_t value)
{
	struct x86_selftest *t = opaque;

	(void)offset, (void)width;
	t->ended = true;
	t->guest_result = (int)value;
}

static uint64_t mmio_read(void *opaque, uint64_t offset, unsigned width)
{
	struct x86_selftest *t = opaque;

	(void)width;
	t->mmio_reads++;
	return offset == MMIO_ID_OFFSET ? MMIO_ID_VALUE : 0;
}

static void mmio_write(void *opaque, uint64_t offset, unsigned width, uint64_t value)
{
	struct x86_selftest *t = opaque;
	unsigned int i = t->mmio_writes++;

	if (i >= EXPECTED_WRITES || expected_writes[i].offset != offset ||
	    expected_writes[i].width != width || expected_writes[i].value != value) {
		t->mmio_writes_ok = false;
		fail(t, "MMIO write %u: offset 0x%llx width %u value 0x%llx is not the expected one", i,
		     (unsigned long long)offset, width, (unsigned long long)value);
	}
}

static const struct bus_ops uart_ops = { .read = port_read, .write = uart_write };
static const struct bus_ops post_ops = { .read = port_read, .write = post_write };
static const struct bus_ops exit_ops = { .read = port_read, .write = exit_port_write };
static const struct bus_ops mmio_ops = { .read = mmio_read, .write = mmio_write };
static const struct bus_rules byte_rules = { .min_width = 1, .max_width = 1 };
static const struct bus_rules mmio_rules = { .min_width = 1, .max_width = 8 };

/* The VM's interrupt controller in miniature: one vector, once. */
static void selftest_fill(struct vcpu *v, void *opaque)
{
	struct x86_selftest *t = opaque;

	if (!t->irq_pending)
		return;
	if (vcpu_x86_can_inject_interrupt(v)) {
		vcpu_x86_inject_interrupt(v, INJECTED_VECTOR);
		t->irq_pending = false;
		t->irq_injected = true;
	} else {
		vcpu_x86_request_interrupt_window(v);
	}
}

static const struct vcpu_irq_ops selftest_irq_ops = { .fill = selftest_fill };

/* The vCPU's ports and MMIO: straight to the self-test's bus, from inside vcpu_run(). */
static enum bus_result selftest_io_access(void *opaque, struct vcpu *v, struct bus_access *acc)
{
	struct x86_selftest *t = opaque;

	(void)v;
	return bus_dispatch(t->bus, acc);
}

static const struct vcpu_io_ops selftest_io_ops = { .access = selftest_io_access };

static int set_up(struct x86_selftest *t)
{
	static const uint8_t reset_jump[] = { 0xea, 0x00, 0x10, 0x00, 0x00 };  /* ljmp 0000:1000 */
	size_t size = (size_t)(vcpu_x86_selftest_guest_end - vcpu_x86_selftest_guest_start);
	int rc;

	t->mmio_writes_ok = true;
	t->guest_result = -1;
	t->bus = bus_create("vcpu-selftest");
	t->gs = gspace_create();
	t->ram = page_alloc(GUEST_RAM_PAGES);
	t->rom = page_alloc(1);
	if (!t->bus || !t->gs || !t->ram || !t->rom)
		return -ENOMEM;
	if ((rc = bus_register_pio(t->bus, "uart", UART_PORT, 1, &uart_ops, t, &byte_rules)) ||
	    (rc = bus_register_pio(t->bus, "post", POST_PORT, 1, &post_ops, t, &byte_rules)) ||
	    (rc = bus_register_pio(t->bus, "exit", EXIT_PORT, 1, &exit_ops, t, &byte_rules)) ||
	    (rc = bus_register_mmio(t->bus, "selftest-mmio", MMIO_BASE, MMIO_SIZE, &mmio_ops, t,
				    &mmio_rules)))
		return rc;
	rc = gspace_map(t->gs, 0, (uint64_t)(uintptr_t)t->ram, GUEST_RAM_PAGES * PAGE_SIZE,
			GSPACE_RWX, GSPACE_MEM_NORMAL);
	if (!rc)
		rc = gspace_map(t->gs, GUEST_ROM_GPA, (uint64_t)(uintptr_t)t->rom, PAGE_SIZE,
				GSPACE_READ | GSPACE_EXEC, GSPACE_MEM_NORMAL);
	if (rc)
		return rc;
	memcpy((uint8_t *)t->rom + RESET_VECTOR_OFFSET, reset_jump, sizeof(reset_jump));
	rc = gspace_write(t->gs, GUEST_CODE_GPA, vcpu_x86_selftest_guest_start, size);
	if (rc)
		return rc;
	t->vcpu = vcpu_create(t->gs, 0);
	if (!t->vcpu)
		return -ENODEV;
	vcpu_set_irq_ops(t->vcpu, &selftest_irq_ops, t);
	vcpu_set_io_ops(t->vcpu, &selftest_io_ops, t);
	log_info("vcpu selftest: x86 guest of %zu bytes at 0x%x, reset vector at 0x%llx", size,
		 GUEST_CODE_GPA, (unsigned long long)X86_RESET_VECTOR);
	return 0;
}

static void tear_down(struct x86_selftest *t)
{
	if (t->vcpu)
		vcpu_destroy(t->vcpu);
	if (t->gs)
		gspace_destroy(t->gs);
	if (t->ram)
		page_free(t->ram, GUEST_RAM_PAGES);
	if (t->rom)
		page_free(t->rom, 1);
	if (t->bus)
		bus_destroy(t->bus);
}

/* One exit; false when the run is over. */
static bool handle_exit(struct x86_selftest *t, struct vcpu_exit *exit)
{
	char line[200];

	vcpu_exit_describe(exit, line, sizeof(line));
	switch (exit->reason) {
	case VCPU_EXIT_PIO:
	case VCPU_EXIT_MMIO:
		/* Performed already: the device saw it, a read's data is in place. */
		if (exit->access.dir == BUS_READ)
			log_info("vcpu selftest: exit %u: %s -> data 0x%llx", t->exits, line,
				 (unsigned long long)exit->access.data);
		else if (exit->accesses > 1)
			log_info("vcpu selftest: exit %u: %s (the last of %u)", t->exits, line,
				 exit->accesses);
		else
			log_info("vcpu selftest: exit %u: %s", t->exits, line);
		return !t->ended;
	case VCPU_EXIT_WFI:
		log_info("vcpu selftest: exit %u: %s", t->exits, line);
		/* The first HLT waits for the interrupt; the second one just goes on. */
		if (t->wfis++ == 0)
			t->irq_pending = true;
		return true;
	case VCPU_EXIT_IRQ:
	case VCPU_EXIT_KICK:
		log_info("vcpu selftest: exit %u: %s", t->exits, line);
		return true;
	default:
		log_info("vcpu selftest: exit %u: %s", t->exits, line);
		fail(t, "unexpected exit: %s", line);
		return false;
	}
}

static void check_result(struct x86_selftest *t)
{
	size_t text_len = sizeof(expected_text) - 1;
	struct {
		enum vcpu_exit_reason reason;
		uint64_t expected;
	} counts[] = {
		/* five OUTs, one REP OUTSB for the rest of the text, the POST code, the exit port */
		{ VCPU_EXIT_PIO, 5 + 1 + 2 },
		{ VCPU_EXIT_MMIO, EXPECTED_WRITES + 2 },
		{ VCPU_EXIT_WFI, 2 },
	};

	if (t->guest_result != 0)
		fail(t, "the guest's check %d failed", t->guest_result);
	if (t->text_len != text_len || memcmp(t->text, expected_text, text_len) != 0)
		fail(t, "the guest wrote \"%.*s\" (%zu bytes), expected \"Hello from real mode\\n\"",
		     (int)t->text_len, t->text, t->text_len);
	if (t->mmio_writes != EXPECTED_WRITES || t->mmio_reads != 2 || !t->mmio_writes_ok)
		fail(t, "the MMIO device saw %u writes and %u reads, expected %zu and 2",
		     t->mmio_writes, t->mmio_reads, EXPECTED_WRITES);
	if (!t->irq_handled)
		fail(t, "the injected interrupt (vector 0x%x) did not reach the guest's handler",
		     INJECTED_VECTOR);
	for (size_t i = 0; i < sizeof(counts) / sizeof(counts[0]); i++) {
		uint64_t n = vcpu_exit_count(t->vcpu, counts[i].reason);

		if (n != counts[i].expected)
			fail(t, "%llu %s exits, expected %llu", (unsigned long long)n,
			     vcpu_exit_reason_name(counts[i].reason),
			     (unsigned long long)counts[i].expected);
	}
}

static int run_x86_selftest(const struct vcpu_selftest_guest *guest)
{
	struct x86_selftest *t;
	struct vcpu_exit exit;
	char info[240];
	int rc;

	(void)guest;
	if (hwvirt_probe(info, sizeof(info)) < 0) {
		log_warn("vcpu selftest: cannot run: %s", info);
		return -ENODEV;
	}
	/* It may run before the VMM turned VMX on (INIT_LATE); VMXON twice is harmless. */
	if (hwvirt_enable_cpu(info, sizeof(info)) < 0) {
		log_error("vcpu selftest: FAILED: %s", info);
		return -ENODEV;
	}
	t = kzalloc(sizeof(*t));
	if (!t) {
		log_error("vcpu selftest: FAILED: out of memory");
		return -ENOMEM;
	}
	rc = set_up(t);
	if (rc) {
		fail(t, "set-up failed (error %d)", rc);
	} else {
		while (!t->failure[0]) {
			if (t->exits == MAX_EXITS) {
				fail(t, "no write to the exit port after %u exits", t->exits);
				break;
			}
			rc = vcpu_run(t->vcpu, &exit);
			t->exits++;
			if (rc) {
				fail(t, "vcpu_run failed (error %d): %s", rc, exit.failed.reason);
				break;
			}
			if (!handle_exit(t, &exit))
				break;
		}
		if (!t->failure[0])
			check_result(t);
	}
	if (t->failure[0]) {
		log_error("vcpu selftest: FAILED: %s", t->failure);
		rc = -EIO;
	} else {
		log_info("vcpu selftest: passed (%u exits)", t->exits);
		rc = 0;
	}
	tear_down(t);
	kfree(t);
	return rc;
}

const struct vcpu_selftest_guest *vcpu_arch_selftest_guest(void)
{
	static const struct vcpu_selftest_guest guest = {
		.ram_gpa = GUEST_CODE_GPA,
		.uart_gpa = UART_PORT,           /* a port number on x86 */
		.run = run_x86_selftest,
	};

	return &guest;
}
