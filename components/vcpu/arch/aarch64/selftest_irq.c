/* SPDX-License-Identifier: MIT */
/*
 * The interrupt self-test of the EL2 backend: a guest (selftest_irq_guest.S)
 * with a vGIC (components/devices/vgic3) on its bus, wired to the vCPU the
 * way a VM does it (the irq ops below are the whole glue):
 *
 *   timer(level)  -> vgic3_set_ppi(vgic, 0, 27, level)
 *   fill()        -> vgic3_pending_for() -> vcpu_aarch64_load_lrs()
 *   sync()        -> vcpu_aarch64_saved_lrs() -> vgic3_sync_lr()
 *   SYSREG write of ICC_SGI1R_EL1 -> vgic3_write_sgi1r()
 *   WFI           -> vcpu_wait_for_interrupt(vgic3_has_pending)
 *
 * The guest counts five timer interrupts 20 ms apart (two while
 * spinning, three from WFI), then sends itself SGI 3 and takes it.  Before the first entry the
 * host sends its own CPU the kick SGI: the guest's first run must end
 * with an IRQ exit, and the host GIC driver must have taken exactly one
 * kick.  Checked: the guest's counts, that its virtual time started near
 * zero and ran at least five tick periods, that it read the host's
 * CNTFRQ_EL0, the exits of each kind, the kick, and that the EL2 timer
 * woke the sleeping vCPU.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include <aarch64/aarch64.h>
#include <aarch64/sysreg.h>
#include <bus/bus.h>
#include <core/arch.h>
#include <core/log.h>
#include <core/mm.h>
#include <core/percpu.h>
#include <vcpu/aarch64_gic.h>
#include <vcpu/gspace.h>
#include <vcpu/selftest.h>
#include <vcpu/vcpu.h>
#include <vgic3/vgic3.h>

extern const char vcpu_selftest_irq_guest_start[], vcpu_selftest_irq_guest_end[];

#define IRQ_TEST_RAM_GPA   0x40000000ull
#define IRQ_TEST_RAM_PAGES 4
#define IRQ_TEST_SPIS      32
#define IRQ_TEST_MAX_EXITS 400
#define IRQ_TEST_TICKS     5
#define IRQ_TEST_TICK_HZ   50
#define IRQ_TEST_SGI       3
#define IRQ_TEST_REPORT    2        /* hvc #2: the guest's counts */
#define IRQ_TEST_FAILED    1        /* hvc #1: x0 = what failed  */
#define PSCI_SYSTEM_OFF_ID 0x84000008u

struct irq_test {
	struct bus *bus;
	struct gspace *gs;
	void *ram;
	struct vcpu *vcpu;
	struct vgic3 *vgic;
	unsigned int exits;
	unsigned int timer_rises;
	unsigned int sgi_writes;
	bool reported, powered_off;
	uint64_t ticks, sgis, start_count, frequency, end_count;
	char failure[200];
};

static void fail(struct irq_test *t, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void fail(struct irq_test *t, const char *fmt, ...)
{
	va_list ap;

	if (t->failure[0])
		return;
	va_start(ap, fmt);
	vsnprintf(t->failure, sizeof(t->failure), fmt, ap);
	va_end(ap);
}

/* ---- the glue between the vCPU and the vGIC, as a VM has it ---- */

static void irq_fill(struct vcpu *v, void *opaque)
{
	struct irq_test *t = opaque;
	struct vgic3_lr lr[VCPU_AARCH64_MAX_LRS];
	uint64_t values[VCPU_AARCH64_MAX_LRS];
	unsigned int max = vcpu_aarch64_lr_count();
	unsigned int n = vgic3_pending_for(t->vgic, vcpu_index(v), lr, max);

	for (unsigned int i = 0; i < n; i++)
		values[i] = vgic3_lr_to_ich_lr(&lr[i]);
	vcpu_aarch64_load_lrs(v, values, n, n == max && vgic3_has_pending(t->vgic, vcpu_index(v)));
}

static void irq_sync(struct vcpu *v, void *opaque)
{
	struct irq_test *t = opaque;
	uint64_t values[VCPU_AARCH64_MAX_LRS];
	unsigned int n = vcpu_aarch64_saved_lrs(v, values, VCPU_AARCH64_MAX_LRS);

	for (unsigned int i = 0; i < n; i++)
		vgic3_sync_lr(t->vgic, vcpu_index(v), vgic3_ich_lr_intid(values[i]),
			      vgic3_ich_lr_state(values[i]));
}

static void irq_timer(struct vcpu *v, void *opaque, bool level)
{
	struct irq_test *t = opaque;

	if (level) {
		t->timer_rises++;
		log_info("vcpu selftest: interrupts: virtual timer PPI 27 up (%u)", t->timer_rises);
	}
	vgic3_set_ppi(t->vgic, vcpu_index(v), VCPU_AARCH64_VTIMER_INTID, level);
}

static bool irq_has_pending(struct vcpu *v, void *ctx)
{
	struct irq_test *t = ctx;

	return vgic3_has_pending(t->vgic, vcpu_index(v));
}

static const struct vcpu_irq_ops irq_ops = {
	.fill = irq_fill, .sync = irq_sync, .timer = irq_timer,
};

/* The vGIC's registers: the vCPU's trapped accesses go straight to the bus. */
static enum bus_result irq_io_access(void *opaque, struct vcpu *v, struct bus_access *acc)
{
	struct irq_test *t = opaque;

	(void)v;
	return bus_dispatch(t->bus, acc);
}

static const struct vcpu_io_ops irq_io_ops = { .access = irq_io_access };

/* ---- the run ---- */

static bool handle_exit(struct irq_test *t, struct vcpu_exit *exit)
{
	char line[200];

	vcpu_exit_describe(exit, line, sizeof(line));
	switch (exit->reason) {
	case VCPU_EXIT_MMIO:
		/* Performed already, from inside vcpu_run(). */
		log_info("vcpu selftest: interrupts: exit %u: %s", t->exits, line);
		return true;
	case VCPU_EXIT_SYSREG:
		log_info("vcpu selftest: interrupts: exit %u: %s", t->exits, line);
		if (!exit->sysreg.is_write || exit->sysreg.id != VCPU_SYSREG_ICC_SGI1R_EL1) {
			fail(t, "unexpected system register access: %s", line);
			return false;
		}
		t->sgi_writes++;
		vgic3_write_sgi1r(t->vgic, vcpu_index(t->vcpu), exit->sysreg.value);
		return true;
	case VCPU_EXIT_WFI: {
		uint64_t start = arch_timer_ns();
		int rc = vcpu_wait_for_interrupt(t->vcpu, irq_has_pending, t);

		log_info("vcpu selftest: interrupts: exit %u: %s, slept %llu us%s", t->exits, line,
			 (unsigned long long)(arch_timer_ns() - start) / 1000,
			 rc == -EINTR ? " (kicked)" : "");
		return true;
	}
	case VCPU_EXIT_IRQ:
	case VCPU_EXIT_KICK:
		log_info("vcpu selftest: interrupts: exit %u: %s", t->exits, line);
		return true;
	case VCPU_EXIT_HYPERCALL:
		log_info("vcpu selftest: interrupts: exit %u: %s", t->exits, line);
		if (exit->hypercall.imm == IRQ_TEST_FAILED) {
			fail(t, "the guest's check %llu failed",
			     (unsigned long long)exit->hypercall.function);
			return false;
		}
		if (exit->hypercall.imm == IRQ_TEST_REPORT) {
			t->reported = true;
			t->ticks = exit->hypercall.function;
			t->sgis = exit->hypercall.args[0];
			t->start_count = exit->hypercall.args[1];
			t->frequency = exit->hypercall.args[2];
			t->end_count = exit->hypercall.args[3];
			return true;
		}
		if (exit->hypercall.function == PSCI_SYSTEM_OFF_ID) {
			t->powered_off = true;
			return false;
		}
		fail(t, "unexpected hypercall: %s", line);
		return false;
	default:
		log_info("vcpu selftest: interrupts: exit %u: %s", t->exits, line);
		fail(t, "unexpected exit: %s", line);
		return false;
	}
}

static int set_up(struct irq_test *t)
{
	size_t size = (size_t)(vcpu_selftest_irq_guest_end - vcpu_selftest_irq_guest_start);
	int rc;

	t->bus = bus_create("vcpu-irq-selftest");
	t->gs = gspace_create();
	t->ram = page_alloc(IRQ_TEST_RAM_PAGES);
	if (!t->bus || !t->gs || !t->ram || size > IRQ_TEST_RAM_PAGES * PAGE_SIZE)
		return -ENOMEM;
	t->vgic = vgic3_create(t->bus, VGIC3_VIRT_DIST_BASE, VGIC3_VIRT_REDIST_BASE, 1,
			       IRQ_TEST_SPIS);
	if (!t->vgic)
		return -ENOMEM;
	rc = gspace_map(t->gs, IRQ_TEST_RAM_GPA, (uint64_t)(uintptr_t)t->ram,
			IRQ_TEST_RAM_PAGES * PAGE_SIZE, GSPACE_RWX, GSPACE_MEM_NORMAL);
	if (!rc)
		rc = gspace_write(t->gs, IRQ_TEST_RAM_GPA, vcpu_selftest_irq_guest_start, size);
	if (rc)
		return rc;
	t->vcpu = vcpu_create(t->gs, 0);
	if (!t->vcpu)
		return -ENOMEM;
	vcpu_set_entry(t->vcpu, IRQ_TEST_RAM_GPA, NULL, 0);
	vcpu_set_irq_ops(t->vcpu, &irq_ops, t);
	vcpu_set_io_ops(t->vcpu, &irq_io_ops, t);
	return 0;
}

static void tear_down(struct irq_test *t)
{
	if (t->vcpu)
		vcpu_destroy(t->vcpu);
	if (t->vgic)
		vgic3_destroy(t->vgic);
	if (t->gs)
		gspace_destroy(t->gs);
	if (t->ram)
		page_free(t->ram, IRQ_TEST_RAM_PAGES);
	if (t->bus)
		bus_destroy(t->bus);
}

static void check(struct irq_test *t, const struct aarch64_gic_stats *before,
		  const struct aarch64_gic_stats *after)
{
	uint64_t host_frequency = read_sysreg(cntfrq_el0) & 0xffffffffu;
	uint64_t period = host_frequency / IRQ_TEST_TICK_HZ;

	if (!t->reported || !t->powered_off)
		fail(t, "the guest did not report and power off");
	else if (t->ticks != IRQ_TEST_TICKS || t->sgis != 1)
		fail(t, "the guest counted %llu timer ticks and %llu SGIs, expected %u and 1",
		     (unsigned long long)t->ticks, (unsigned long long)t->sgis, IRQ_TEST_TICKS);
	else if (t->frequency != host_frequency)
		fail(t, "the guest read CNTFRQ_EL0 %llu, the host %llu",
		     (unsigned long long)t->frequency, (unsigned long long)host_frequency);
	else if (t->start_count >= host_frequency)
		fail(t, "the guest's virtual counter started at %llu, more than a second",
		     (unsigned long long)t->start_count);
	else if (t->end_count - t->start_count < IRQ_TEST_TICKS * period)
		fail(t, "five ticks took %llu counts, less than five periods of %llu",
		     (unsigned long long)(t->end_count - t->start_count),
		     (unsigned long long)period);
	if (t->sgi_writes != 1)
		fail(t, "%u trapped ICC_SGI1R_EL1 writes, expected 1", t->sgi_writes);
	if (t->timer_rises < 1 || t->timer_rises > IRQ_TEST_TICKS)
		fail(t, "the virtual timer went up %u times, expected 1 to %u", t->timer_rises,
		     IRQ_TEST_TICKS);
	/*
	 * Normally one WFI exit and one EL2 timer wake-up per tick of the
	 * second phase; a host that stalls the emulator for a whole period
	 * lets a deadline pass before the guest reaches its WFI, so only
	 * "at least one" is certain.
	 */
	if (vcpu_exit_count(t->vcpu, VCPU_EXIT_WFI) < 1)
		fail(t, "no WFI exit");
	if (after->kicks - before->kicks != 1)
		fail(t, "the host GIC took %llu kick SGIs, expected 1",
		     (unsigned long long)(after->kicks - before->kicks));
	if (after->hyp_timer == before->hyp_timer)
		fail(t, "the EL2 timer never woke the sleeping vCPU");
}

int vcpu_arch_selftest_interrupts(void)
{
	struct percpu *cpu = this_cpu();
	struct aarch64_gic_stats before, after;
	struct vcpu_exit exit;
	struct irq_test *t;
	int rc;

	if (!aarch64_gic_ready() || vcpu_aarch64_lr_count() == 0) {
		log_info("vcpu selftest: interrupts: no GICv3 CPU interface, skipped");
		return -ENOSYS;
	}
	t = kzalloc(sizeof(*t));
	if (!t)
		return -ENOMEM;
	log_info("vcpu selftest: interrupts: guest of %zu bytes, vGIC at 0x%llx, %u list registers",
		 (size_t)(vcpu_selftest_irq_guest_end - vcpu_selftest_irq_guest_start),
		 (unsigned long long)VGIC3_VIRT_DIST_BASE, vcpu_aarch64_lr_count());
	rc = set_up(t);
	before = aarch64_gic_stats(cpu->id);
	if (rc) {
		fail(t, "set-up failed (error %d)", rc);
	} else {
		/* Pending at the host GIC before the entry: the first run ends with an IRQ exit. */
		arch_kick_cpu(cpu->id);
		for (;;) {
			if (t->exits == IRQ_TEST_MAX_EXITS) {
				fail(t, "no power-off after %u exits", t->exits);
				break;
			}
			rc = vcpu_run(t->vcpu, &exit);
			t->exits++;
			if (rc) {
				fail(t, "vcpu_run failed (error %d): %s", rc, exit.failed.reason);
				break;
			}
			if (t->exits == 1 && exit.reason != VCPU_EXIT_IRQ)
				fail(t, "the first exit is %s, not the IRQ of the kick SGI",
				     vcpu_exit_reason_name(exit.reason));
			if (!handle_exit(t, &exit))
				break;
		}
		after = aarch64_gic_stats(cpu->id);
		check(t, &before, &after);
	}
	if (t->failure[0]) {
		log_error("vcpu selftest: interrupts: FAILED: %s", t->failure);
		rc = -EIO;
	} else {
		log_info("vcpu selftest: interrupts: guest counted %llu timer ticks and %llu SGI %u; "
			 "kick SGI taken; passed (%u exits: %llu IRQ, %llu WFI)",
			 (unsigned long long)t->ticks, (unsigned long long)t->sgis, IRQ_TEST_SGI,
			 t->exits, (unsigned long long)vcpu_exit_count(t->vcpu, VCPU_EXIT_IRQ),
			 (unsigned long long)vcpu_exit_count(t->vcpu, VCPU_EXIT_WFI));
		rc = 0;
	}
	tear_down(t);
	kfree(t);
	return rc;
}
