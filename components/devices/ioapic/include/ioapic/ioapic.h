/* SPDX-License-Identifier: MIT */
/*
 * The I/O APIC: 24 interrupt inputs turned into messages for the local
 * APICs, compatible with the Intel 82093AA (register version 0x20, which
 * adds the EOI register at offset 0x40).
 *
 *   device irq_line --> ioapic_input_sink(io, pin = GSI, level)
 *   redirection entry of the pin --> ops->deliver(ctx, destination,
 *                         logical, vector, delivery mode, level_triggered)
 *   LAPIC EOI broadcast --> ioapic_eoi(io, vector): clears remote IRR
 *
 * Registers are reached indirectly: the guest writes a register index to
 * IOREGSEL (offset 0x00) and reads or writes it through IOWIN (0x10),
 * both with aligned 32-bit accesses (the bus rejects anything else).
 *
 * Input levels are the electrical levels at the pins.  The polarity bit
 * of each entry says which level is "asserted".  Sources that are active
 * high (ISA devices) connect straight; for a source wired active low (PCI
 * INTx, the ACPI SCI, which firmware describes as active-low), the machine
 * calls ioapic_wire_inverted() once and connects the device's line as
 * usual: the device raises its line to assert, the pin sees it low.
 *
 * Edge-triggered pins deliver on the edge into the asserted state; an edge
 * on a masked pin is lost.  Level-triggered pins deliver while asserted,
 * then set remote IRR and stay quiet until an EOI for their vector clears
 * it; a pin still asserted then delivers again, as does a pin asserted
 * while masked when it is unmasked.
 */
#ifndef IOAPIC_IOAPIC_H
#define IOAPIC_IOAPIC_H

#include <stdbool.h>
#include <stdint.h>
#include <bus/bus.h>

#define IOAPIC_DEFAULT_BASE 0xFEC00000ull
#define IOAPIC_MMIO_SIZE 0x1000u
#define IOAPIC_PINS 24
#define IOAPIC_VERSION_VALUE 0x00170020u   /* max entry 23, version 0x20 */

/* MMIO offsets. */
#define IOAPIC_IOREGSEL 0x00
#define IOAPIC_IOWIN 0x10
#define IOAPIC_EOI 0x40

/* Register indexes. */
#define IOAPIC_REG_ID 0x00
#define IOAPIC_REG_VERSION 0x01
#define IOAPIC_REG_ARBITRATION 0x02
#define IOAPIC_REG_REDIRECTION 0x10     /* 0x10 + 2 * pin: low, +1: high */

/* Redirection entry bits. */
#define IOAPIC_RTE_VECTOR_MASK 0xFFull
#define IOAPIC_RTE_DELIVERY_SHIFT 8
#define IOAPIC_RTE_LOGICAL (1ull << 11)
#define IOAPIC_RTE_DELIVERY_STATUS (1ull << 12)
#define IOAPIC_RTE_ACTIVE_LOW (1ull << 13)
#define IOAPIC_RTE_REMOTE_IRR (1ull << 14)
#define IOAPIC_RTE_LEVEL (1ull << 15)
#define IOAPIC_RTE_MASKED (1ull << 16)
#define IOAPIC_RTE_DEST_SHIFT 56

struct ioapic_ops {
	/*
	 * One interrupt message.  delivery uses the LAPIC's numbering (0
	 * fixed, 1 lowest priority, 2 SMI, 4 NMI, 5 INIT, 7 ExtINT); the
	 * machine hands it to every LAPIC that lapic_matches_destination()
	 * (the first one for lowest priority).
	 */
	void (*deliver)(void *ctx, uint8_t destination, bool logical, uint8_t vector,
			unsigned delivery, bool level_triggered);
};

struct ioapic {
	struct bus *bus;
	uint64_t base;
	const struct ioapic_ops *ops;
	void *ctx;

	uint32_t ioregsel;
	uint32_t id;                        /* register value, ID in 27:24 */
	uint64_t redirection[IOAPIC_PINS];
	uint32_t pin_level;                 /* electrical level of each pin */
	uint32_t inverted;                  /* pins wired active-low        */

	unsigned long delivered;            /* statistics                   */
	unsigned warnings;
};

/*
 * Power-up state (every entry masked, ID 0) and, when bus is not NULL,
 * its MMIO window at base.  0 or the bus_register error.
 */
int ioapic_init(struct ioapic *io, struct bus *bus, uint64_t base, const struct ioapic_ops *ops,
		void *ctx);
struct ioapic *ioapic_create(struct bus *bus, uint64_t base, const struct ioapic_ops *ops, void *ctx);
void ioapic_destroy(struct ioapic *io);
/* Registers back to power-up; pin levels and wiring are kept. */
void ioapic_reset(struct ioapic *io);

/* irq_sink_fn: sink is the struct ioapic, pin the GSI (0-23). */
void ioapic_input_sink(void *io, unsigned pin, bool level);
void ioapic_set_input(struct ioapic *io, unsigned pin, bool level);
/* Pin is driven through an inverter (an active-low source), see above. */
void ioapic_wire_inverted(struct ioapic *io, unsigned pin);

/* A LAPIC's EOI broadcast for a level-triggered vector. */
void ioapic_eoi(struct ioapic *io, uint8_t vector);

/* Register access by index (what IOWIN reaches). */
uint32_t ioapic_read_register(struct ioapic *io, uint32_t index);
void ioapic_write_register(struct ioapic *io, uint32_t index, uint32_t value);

#endif
