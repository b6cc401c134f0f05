/* SPDX-License-Identifier: MIT */
/*
 * Random APIC-page accesses, interrupt arrivals, INTA cycles, LINT pin
 * changes, MSR writes and jumps of VM time on one LAPIC whose IPIs the
 * "machine" delivers back to it.  Invariants: a pending vector is legal,
 * the current count never exceeds the initial count, and after the VM's
 * timers ran none is still due.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <bus/bus.h>
#include <bus/vclock.h>
#include <lapic/lapic.h>

static uint64_t fuzz_clock(void *ctx)
{
	return *(uint64_t *)ctx;
}

static void loop_back_ipi(void *ctx, const struct lapic_ipi *ipi)
{
	struct lapic *l = ctx;

	if (lapic_ipi_targets(l, ipi))
		lapic_deliver(l, ipi->delivery, ipi->vector, ipi->level_triggered);
}

static const struct lapic_ops ops = { .send_ipi = loop_back_ipi };

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint64_t now = 0;
	struct vclock clock;
	struct lapic_config config = { .apic_id = 0, .bsp = true, .tsc_hz = 3000000000ull };
	struct lapic *l;

	vclock_init(&clock, fuzz_clock, &now);
	l = lapic_create(&clock, &config, &ops, NULL);
	if (!l)
		return 0;
	l->ctx = l;
	while (size >= 6) {
		uint8_t op = data[0], arg = data[1];
		uint32_t value;
		struct bus_access acc = {
			.space = BUS_SPACE_MMIO,
			.addr = LAPIC_DEFAULT_BASE + ((uint64_t)arg << 4),
			.width = 4,
		};
		int pending;

		memcpy(&value, data + 2, 4);
		data += 6;
		size -= 6;
		acc.data = value;
		switch (op & 7) {
		case 0:
		case 1:
			acc.dir = BUS_WRITE;
			lapic_mmio_access(l, &acc);
			break;
		case 2:
			acc.dir = BUS_READ;
			lapic_mmio_access(l, &acc);
			break;
		case 3:
			/* any width and offset, most of them refused */
			acc.dir = (op >> 3) & 1 ? BUS_WRITE : BUS_READ;
			acc.width = 1u << ((op >> 4) & 3);
			acc.addr = LAPIC_DEFAULT_BASE - 16 + (value & 0x1FFF);
			lapic_mmio_access(l, &acc);
			break;
		case 4:
			lapic_deliver(l, (enum lapic_delivery)((op >> 3) & 7), arg, value & 1);
			break;
		case 5:
			pending = lapic_pending_vector(l);
			if (pending >= 0) {
				if (pending < 16)
					abort();
				lapic_accept(l, (uint8_t)pending);
			}
			if (op & 8)
				lapic_extint_taken(l);
			lapic_take_nmi(l);
			lapic_take_init(l);
			lapic_take_sipi(l, NULL);
			break;
		case 6:
			switch ((op >> 3) & 3) {
			case 0:
				lapic_lint_sink(l, arg & 3, value & 1);
				break;
			case 1:
				lapic_set_tsc_deadline(l, lapic_guest_tsc(l) + value);
				break;
			case 2:
				lapic_set_apic_base(l, (uint64_t)value << (arg & 31));
				break;
			default:
				lapic_init_reset(l);
				break;
			}
			break;
		default:
			/* VM time stays below 2^62 ns (146 years): it never wraps */
			if (now + ((uint64_t)value << ((arg & 3) * 8)) < (1ull << 62))
				now += (uint64_t)value << ((arg & 3) * 8);
			vclock_run_expired(&clock);
			if (vclock_next_deadline(&clock) <= now)
				abort();
			break;
		}
		if (lapic_timer_current(l) > l->timer_initial)
			abort();
	}
	lapic_destroy(l);
	if (vclock_next_deadline(&clock) != UINT64_MAX)
		abort();
	return 0;
}
