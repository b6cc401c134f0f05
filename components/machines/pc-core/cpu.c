/* SPDX-License-Identifier: MIT */
/*
 * The vCPUs' side of the pc machine: one LAPIC per vCPU (APIC id = vCPU
 * index), interrupt injection before every VM entry, INIT/SIPI between
 * vCPUs and the LAPIC's MSRs.
 *
 *   LAPIC page 0xFEE00000   one bus region; the access goes to the LAPIC of
 *                           the vCPU that made it (the one on this CPU)
 *   fill() before entry     NMI, then the 8259 through ExtINT, then the
 *                           LAPIC's highest vector; or an interrupt window
 *   IPIs (ICR)              fixed/lowest/NMI to the LAPICs they name;
 *                           INIT + SIPI start APs (SeaBIOS: all-excluding-
 *                           self, vector 0x10; Linux: one AP at a time)
 *   MSR 0x1B, 0x6E0         IA32_APIC_BASE, IA32_TSC_DEADLINE (SYSREG exits)
 *
 * A SIPI for a vCPU that is off (after reset) starts its run loop with
 * vm_vcpu_start() and is applied by fill() on the vCPU's own CPU, right
 * before its first entry (vcpu_x86_init() + vcpu_x86_sipi() must run
 * there).  INIT and SIPI for a vCPU that is on arrive while it halts
 * (SeaBIOS parks its APs in HLT) and are applied while it waits, from
 * the machine's irq_pending() hook, which runs on its CPU.
 *
 * All of it runs under the VM's device lock: a LAPIC, the IOAPIC and
 * the 8259 call into each other.
 */
#include <errno.h>

#include <core/arch.h>
#include <core/compiler.h>
#include <core/log.h>
#include <core/percpu.h>
#include <core/spinlock.h>
#include <vcpu/x86_regs.h>

#include <pc/board.h>

static uint64_t rdtsc(void)
{
	uint32_t lo, hi;

	__asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
	return (uint64_t)hi << 32 | lo;
}

/* The host TSC rate: the guest's TSC is the host's plus an offset. */
static uint64_t measure_tsc_hz(void)
{
	uint64_t t0 = arch_timer_ns(), c0 = rdtsc(), t1, c1;

	do {
		t1 = arch_timer_ns();
	} while (t1 - t0 < 2000000);
	c1 = rdtsc();
	return (c1 - c0) * 1000000000ull / (t1 - t0);
}

/* ---- LAPIC wiring ---- */

static void start_ap(struct pc_board *m, struct pc_cpu *c, uint8_t vector)
{
	c->start_by_sipi = true;
	c->sipi_vector = vector;
	if (vm_vcpu_start(m->vm, c->index, X86_RESET_VECTOR, NULL, 0) != 0)
		c->start_by_sipi = false;
	else
		log_debug("VM %s: vCPU %u: SIPI vector 0x%02x starts it", m->vm->name, c->index,
			  vector);
}

static void lapic_send_ipi(void *ctx, const struct lapic_ipi *ipi)
{
	struct pc_cpu *from = ctx;
	struct pc_board *m = from->machine;

	for (unsigned int i = 0; i < m->vm->vcpu_count; i++) {
		struct pc_cpu *c = &m->cpus[i];
		bool off = READ_ONCE(m->vm->vcpus[i].power) == VM_VCPU_OFF;

		if (!lapic_ipi_targets(c->lapic, ipi))
			continue;
		if (ipi->delivery == LAPIC_DELIVERY_STARTUP && off) {
			start_ap(m, c, ipi->vector);
			continue;
		}
		if (ipi->delivery == LAPIC_DELIVERY_INIT && off)
			continue;                  /* already waiting for its SIPI */
		lapic_deliver(c->lapic, ipi->delivery, ipi->vector, ipi->level_triggered);
		if (ipi->delivery == LAPIC_DELIVERY_LOWEST)
			break;
	}
}

static void lapic_eoi_broadcast(void *ctx, uint8_t vector)
{
	struct pc_cpu *c = ctx;

	ioapic_eoi(c->machine->ioapic, vector);
}

static void lapic_kick(void *ctx)
{
	struct pc_cpu *c = ctx;

	vm_vcpu_kick(c->machine->vm, c->index);
}

static const struct lapic_ops pc_lapic_ops = {
	.send_ipi = lapic_send_ipi,
	.eoi_broadcast = lapic_eoi_broadcast,
	.kick = lapic_kick,
};

void pc_ioapic_deliver(void *ctx, uint8_t destination, bool logical, uint8_t vector,
		       unsigned delivery, bool level_triggered)
{
	struct pc_board *m = ctx;

	for (unsigned int i = 0; i < m->vm->vcpu_count; i++) {
		if (!lapic_matches_destination(m->cpus[i].lapic, destination, logical))
			continue;
		lapic_deliver(m->cpus[i].lapic, (enum lapic_delivery)delivery, vector,
			      level_triggered);
		if (delivery == LAPIC_DELIVERY_LOWEST)
			break;
	}
}

/* ---- the LAPIC page ---- */

/* The vCPU running on this physical CPU (one vCPU per CPU). */
static struct pc_cpu *calling_cpu(struct pc_board *m)
{
	unsigned int self = this_cpu()->id;

	for (unsigned int i = 0; i < m->vm->vcpu_count; i++)
		if (m->vm->vcpus[i].cpu == self)
			return &m->cpus[i];
	return NULL;
}

static uint64_t lapic_page_read(void *opaque, uint64_t offset, unsigned width)
{
	struct pc_board *m = opaque;
	struct pc_cpu *c = calling_cpu(m);
	struct bus_access a = { .space = BUS_SPACE_MMIO, .dir = BUS_READ,
				.addr = LAPIC_DEFAULT_BASE + offset, .width = width };

	if (!c || lapic_mmio_access(c->lapic, &a) != BUS_OK)
		return ~0ull;
	return a.data;
}

static void lapic_page_write(void *opaque, uint64_t offset, unsigned width, uint64_t value)
{
	struct pc_board *m = opaque;
	struct pc_cpu *c = calling_cpu(m);
	struct bus_access a = { .space = BUS_SPACE_MMIO, .dir = BUS_WRITE,
				.addr = LAPIC_DEFAULT_BASE + offset, .width = width, .data = value };

	if (c)
		lapic_mmio_access(c->lapic, &a);
}

static const struct bus_ops lapic_page_ops = {
	.read = lapic_page_read,
	.write = lapic_page_write,
};

/* The LAPIC checks widths and alignment itself (and reports misuse). */
static const struct bus_rules lapic_page_rules = {
	.min_width = 1,
	.max_width = 8,
	.unaligned_ok = true,
	.oversize = BUS_OVERSIZE_REJECT,
	.undersize = BUS_UNDERSIZE_REJECT,
};

int pc_lapic_mmio_register(struct pc_board *m)
{
	return bus_register_mmio(m->vm->bus, "lapic", LAPIC_DEFAULT_BASE, LAPIC_PAGE_SIZE,
				 &lapic_page_ops, m, &lapic_page_rules);
}

/* ---- injection ---- */

/*
 * How long the guest may run, or its halted vCPU sleep, before the VM must
 * look at its device timers (the next vclock deadline) or at the console.
 * Interrupts for a vCPU need no slice: they kick it.
 */
static uint64_t run_limit_ns(struct vm *vm)
{
	uint64_t now = vclock_now(&vm->clock), next = vclock_next_deadline(&vm->clock);
	uint64_t limit = next > now ? next - now : 0;

	if (limit < PC_MIN_SLICE_NS)
		limit = PC_MIN_SLICE_NS;
	return limit < PC_CONSOLE_SLICE_NS ? limit : PC_CONSOLE_SLICE_NS;
}

static void pc_fill(struct vcpu *v, void *opaque)
{
	struct pc_cpu *c = opaque;
	struct vm *vm = c->machine->vm;
	struct lapic *l = c->lapic;
	int vector;

	spin_lock(&vm->device_lock);
	vcpu_x86_set_run_limit(v, run_limit_ns(vm));
	if (c->start_by_sipi) {
		c->start_by_sipi = false;
		lapic_take_init(l);
		lapic_take_sipi(l, NULL);
		vcpu_x86_init(v);
		vcpu_x86_sipi(v, c->sipi_vector);
	}
	if (l->nmi_pending) {
		if (vcpu_x86_can_inject_nmi(v)) {
			lapic_take_nmi(l);
			vcpu_x86_inject_nmi(v);
		} else {
			vcpu_x86_request_nmi_window(v);
		}
	}
	vector = lapic_pending_vector(l);
	if (lapic_extint_pending(l) || vector >= 0) {
		if (!vcpu_x86_can_inject_interrupt(v)) {
			vcpu_x86_request_interrupt_window(v);
		} else if (lapic_extint_pending(l)) {
			uint8_t pic_vector = pc_pic_acknowledge(c->machine);

			lapic_extint_taken(l);
			vcpu_x86_inject_interrupt(v, pic_vector);
		} else {
			vcpu_x86_inject_interrupt(v, lapic_accept(l, (uint8_t)vector));
		}
	}
	spin_unlock(&vm->device_lock);
}

static const struct vcpu_irq_ops pc_irq_ops = {
	.fill = pc_fill,
};

/*
 * Asked while the vCPU halts, after each wake-up: the device timers that
 * are due run here (the PIT's next tick is what a halted BIOS waits for),
 * and the next one's deadline is how long the backend may sleep.
 */
bool pc_cpu_irq_pending(struct pc_board *m, struct vm_vcpu *vc)
{
	struct lapic *l = m->cpus[vc->index].lapic;
	struct vclock *clock = &m->vm->clock;
	bool pending;

	spin_lock(&m->vm->device_lock);
	if (vclock_next_deadline(clock) <= vclock_now(clock))
		vclock_run_expired(clock);
	pending = l->nmi_pending || lapic_extint_pending(l) || lapic_pending_vector(l) >= 0;
	if (!pending)
		vcpu_x86_set_run_limit(vc->vcpu, run_limit_ns(m->vm));
	spin_unlock(&m->vm->device_lock);
	return pending;
}

/*
 * A halted vCPU (or one waiting for SIPI) takes INIT and SIPI here, on its
 * own CPU; true when a SIPI started it (the wait must end).
 */
bool pc_cpu_start_requests(struct pc_board *m, struct vm_vcpu *vc)
{
	struct lapic *l = m->cpus[vc->index].lapic;
	bool init, sipi;
	uint8_t vector = 0;

	spin_lock(&m->vm->device_lock);
	sipi = lapic_take_sipi(l, &vector);
	init = lapic_take_init(l);
	if (init)
		lapic_init_reset(l);
	spin_unlock(&m->vm->device_lock);
	if (init)
		vcpu_x86_init(vc->vcpu);
	if (sipi && vcpu_x86_waiting_for_sipi(vc->vcpu)) {
		vcpu_x86_sipi(vc->vcpu, vector);
		log_debug("VM %s: vCPU %u: SIPI vector 0x%02x", m->vm->name, vc->index, vector);
		return true;
	}
	return false;
}

/* ---- MSRs ---- */

static uint64_t guest_tsc_now(struct vm_vcpu *vc)
{
	uint64_t offset = 0;

	vcpu_get_reg(vc->vcpu, VCPU_REG_X86_TSC_OFFSET, &offset);
	return rdtsc() + offset;
}

int pc_cpu_sysreg(struct pc_board *m, struct vm_vcpu *vc, struct vcpu_exit *exit)
{
	struct pc_cpu *c = &m->cpus[vc->index];
	const struct vcpu_sysreg_access *s = &exit->sysreg;
	uint64_t value = 0;

	spin_lock(&m->vm->device_lock);
	switch (s->id) {
	case X86_MSR_APIC_BASE:
		if (!s->is_write)
			value = lapic_get_apic_base(c->lapic);
		else if (lapic_set_apic_base(c->lapic, s->value) && m->msr_reports++ < PC_REPORT_LIMIT)
			log_warn("VM %s: vCPU %u: IA32_APIC_BASE 0x%llx refused (xAPIC only)",
				 m->vm->name, vc->index, (unsigned long long)s->value);
		break;
	case X86_MSR_TSC_DEADLINE:
		if (!s->is_write) {
			value = lapic_get_tsc_deadline(c->lapic) ? c->guest_deadline : 0;
		} else if (!s->value) {
			c->guest_deadline = 0;
			lapic_set_tsc_deadline(c->lapic, 0);
		} else {
			/* The LAPIC counts VM time at the host TSC rate: move the deadline over. */
			uint64_t now = guest_tsc_now(vc);
			uint64_t delta = s->value > now ? s->value - now : 0;

			c->guest_deadline = s->value;
			lapic_set_tsc_deadline(c->lapic, lapic_guest_tsc(c->lapic) + delta + 1);
		}
		break;
	default:
		if (m->msr_reports++ < PC_REPORT_LIMIT)
			log_warn("VM %s: vCPU %u: %s of MSR 0x%x %s", m->vm->name, vc->index,
				 s->is_write ? "write" : "read", s->id,
				 s->is_write ? "ignored" : "reads as zero");
		break;
	}
	spin_unlock(&m->vm->device_lock);
	if (!s->is_write)
		vcpu_complete_read(vc->vcpu, value);
	return 0;
}

/* ---- building ---- */

int pc_cpus_build(struct pc_board *m)
{
	struct vm *vm = m->vm;

	m->tsc_hz = measure_tsc_hz();
	for (unsigned int i = 0; i < vm->vcpu_count; i++) {
		struct pc_cpu *c = &m->cpus[i];
		struct lapic_config cfg = {
			.apic_id = (uint8_t)i,
			.bsp = i == 0,
			.tsc_hz = m->tsc_hz,
		};

		c->machine = m;
		c->index = i;
		vm->vcpus[i].hw_id = i;
		c->lapic = lapic_create(&vm->clock, &cfg, &pc_lapic_ops, c);
		if (!c->lapic)
			return -ENOMEM;
		vcpu_set_irq_ops(vm->vcpus[i].vcpu, &pc_irq_ops, c);
	}
	log_debug("VM %s: host TSC %llu Hz", vm->name, (unsigned long long)m->tsc_hz);
	return 0;
}

void pc_cpus_reset(struct pc_board *m)
{
	for (unsigned int i = 0; i < m->vm->vcpu_count; i++) {
		struct pc_cpu *c = &m->cpus[i];

		lapic_init_reset(c->lapic);
		lapic_set_apic_base(c->lapic, LAPIC_DEFAULT_BASE | LAPIC_BASE_ENABLE |
						      (i == 0 ? LAPIC_BASE_BSP : 0));
		/*
		 * The BSP's LINT0 starts as ExtINT, unmasked, as on QEMU (apic_reset_common):
		 * firmware that never touches the LAPIC (SeaBIOS with one CPU) gets the
		 * 8259's interrupts through it.
		 */
		if (i == 0)
			c->lapic->lvt[LAPIC_LVT_LINT0] = LAPIC_DELIVERY_EXTINT << LAPIC_DELIVERY_SHIFT;
		c->start_by_sipi = false;
		c->guest_deadline = 0;
	}
}

void pc_cpus_destroy(struct pc_board *m)
{
	for (unsigned int i = 0; i < m->vm->vcpu_count; i++) {
		if (m->cpus[i].lapic) {
			if (m->vm->vcpus[i].vcpu)
				vcpu_set_irq_ops(m->vm->vcpus[i].vcpu, NULL, NULL);
			lapic_destroy(m->cpus[i].lapic);
			m->cpus[i].lapic = NULL;
		}
	}
	bus_unregister(m->vm->bus, BUS_SPACE_MMIO, LAPIC_DEFAULT_BASE);
}
