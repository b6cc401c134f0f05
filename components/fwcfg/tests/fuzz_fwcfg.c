/* SPDX-License-Identifier: MIT */
/*
 * fw_cfg under random guest behaviour: port and MMIO accesses of any
 * width and DMA descriptors pointing anywhere (inside the small guest RAM,
 * at its edges, outside it, wrapping around the address space), with
 * buffers likewise.  Guest RAM is a heap buffer of exactly its size, so
 * the sanitizers catch any access outside it; the read-only items are
 * checked to be unchanged after every run.
 *
 * Input: commands, each an opcode byte followed by its operands.
 *   0 port selector write (2)        1 port data reads (count 1)
 *   2 MMIO selector write (2)        3 MMIO data read (width 1)
 *   4 DMA via ports   (desc 9)       5 DMA via MMIO 64-bit (desc 9)
 *   6 DMA via MMIO halves (desc 9)   7 raw bus access (space|dir 1, reg 1, width 1, data 8)
 *   8 reset
 * desc: address class + offset (3), then, if it lands in RAM, a descriptor
 *   is written there: control (4), length (2), buffer class + offset (3).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <bus/bus.h>
#include <bus/guest_mem.h>
#include <bus/vclock.h>
#include <core/log.h>
#include <fwcfg/fwcfg.h>

#define RAM_GPA   0x40000000ULL
#define RAM_SIZE  0x400ULL
#define MMIO_BASE 0x09020000ULL

static const uint8_t e820[20] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x40, 0, 0, 0, 0, 1, 0, 0, 0 };

struct input {
	const uint8_t *p;
	size_t left;
};

static uint64_t take(struct input *in, unsigned bytes)
{
	uint64_t v = 0;

	for (unsigned i = 0; i < bytes && in->left; i++, in->left--)
		v |= (uint64_t)*in->p++ << (8 * i);
	return v;
}

/* A guest address from a class byte and a 16-bit offset. */
static uint64_t guest_addr(uint8_t cls, uint16_t off)
{
	switch (cls & 7) {
	case 0: return RAM_GPA + off % RAM_SIZE;                 /* inside     */
	case 1: return RAM_GPA + RAM_SIZE - (off & 0x1F);         /* end edge   */
	case 2: return RAM_GPA - (off & 0x1F);                    /* start edge */
	case 3: return ~0ULL - (off & 0xFF);                      /* wraps      */
	case 4: return (uint64_t)off << (cls >> 3);               /* anywhere   */
	case 5: return RAM_GPA + 0x100000000ULL + off;            /* high half  */
	default: return RAM_GPA + (off & 0x3F0);                  /* aligned    */
	}
}

static void guest_access(struct bus *bus, enum bus_space space, enum bus_dir dir, uint64_t addr,
		   unsigned width, uint64_t data)
{
	struct bus_access acc = { .space = space, .dir = dir, .addr = addr, .width = width,
				  .data = data };

	bus_dispatch(bus, &acc);
}

static uint64_t prepare_descriptor(uint8_t *ram, struct input *in)
{
	uint8_t cls = (uint8_t)take(in, 1);
	uint64_t desc = guest_addr(cls, (uint16_t)take(in, 2));
	uint32_t control = (uint32_t)take(in, 4);
	uint32_t length = (uint32_t)take(in, 2);
	uint8_t bcls = (uint8_t)take(in, 1);
	uint64_t buf = guest_addr(bcls, (uint16_t)take(in, 2));

	if (bcls & 0x80)
		length |= 0xFFFF0000u;   /* huge lengths too */
	if (desc - RAM_GPA < RAM_SIZE && RAM_SIZE - (desc - RAM_GPA) >= 16) {
		uint8_t *d = ram + (desc - RAM_GPA);

		for (unsigned i = 0; i < 4; i++) {
			d[i] = (uint8_t)(control >> (24 - 8 * i));
			d[4 + i] = (uint8_t)(length >> (24 - 8 * i));
		}
		for (unsigned i = 0; i < 8; i++)
			d[8 + i] = (uint8_t)(buf >> (56 - 8 * i));
	}
	return desc;
}

static uint64_t fuzz_clock(void *ctx)
{
	(void)ctx;
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct input in = { data, size };
	struct guest_mem mem;
	struct vclock clock;
	struct bus *bus = bus_create("fuzz");
	uint8_t *ram = malloc(RAM_SIZE);
	struct fwcfg *fw;
	uint32_t len;

	log_set_level(LOG_ERROR);
	guest_mem_init(&mem);
	if (!bus || !ram || guest_mem_add(&mem, RAM_GPA, RAM_SIZE, ram, false))
		abort();
	memset(ram, 0xA5, RAM_SIZE);
	vclock_init(&clock, fuzz_clock, NULL);
	fw = fwcfg_create(&mem, &clock);
	if (!fw || fwcfg_attach_pio(fw, bus, FWCFG_PIO_BASE) ||
	    fwcfg_attach_mmio(fw, bus, MMIO_BASE) ||
	    fwcfg_add_item_u16(fw, FWCFG_NB_CPUS, 2) ||
	    fwcfg_add_file(fw, "etc/e820", e820, sizeof(e820)) ||
	    fwcfg_add_file(fw, "bootorder", "", 0) ||
	    fwcfg_add_file_writable(fw, "etc/wr", "01234567", 8, NULL, NULL))
		abort();

	while (in.left) {
		uint8_t op = (uint8_t)take(&in, 1);
		uint64_t desc;

		switch (op % 10) {
		case 0:
			guest_access(bus, BUS_SPACE_PIO, BUS_WRITE, 0x510, 2, take(&in, 2));
			break;
		case 1:
			for (unsigned n = (unsigned)take(&in, 1); n; n--)
				guest_access(bus, BUS_SPACE_PIO, BUS_READ, 0x511, 1, 0);
			break;
		case 2:
			guest_access(bus, BUS_SPACE_MMIO, BUS_WRITE, MMIO_BASE + 8, 2, take(&in, 2));
			break;
		case 3:
			guest_access(bus, BUS_SPACE_MMIO, BUS_READ, MMIO_BASE, 1u << (take(&in, 1) & 3), 0);
			break;
		case 4:
			desc = prepare_descriptor(ram, &in);
			guest_access(bus, BUS_SPACE_PIO, BUS_WRITE, 0x514, 4,
			       __builtin_bswap32((uint32_t)(desc >> 32)));
			guest_access(bus, BUS_SPACE_PIO, BUS_WRITE, 0x518, 4, __builtin_bswap32((uint32_t)desc));
			break;
		case 5:
			desc = prepare_descriptor(ram, &in);
			guest_access(bus, BUS_SPACE_MMIO, BUS_WRITE, MMIO_BASE + 0x10, 8, __builtin_bswap64(desc));
			break;
		case 6:
			desc = prepare_descriptor(ram, &in);
			guest_access(bus, BUS_SPACE_MMIO, BUS_WRITE, MMIO_BASE + 0x10, 4,
			       __builtin_bswap32((uint32_t)(desc >> 32)));
			guest_access(bus, BUS_SPACE_MMIO, BUS_WRITE, MMIO_BASE + 0x14, 4,
			       __builtin_bswap32((uint32_t)desc));
			break;
		case 7: {
			uint8_t sd = (uint8_t)take(&in, 1);
			uint8_t reg = (uint8_t)take(&in, 1);
			unsigned width = (unsigned)take(&in, 1) & 0xF;
			uint64_t value = take(&in, 8);

			if (sd & 1)
				guest_access(bus, BUS_SPACE_MMIO, (sd & 2) ? BUS_WRITE : BUS_READ,
				       MMIO_BASE + (reg % 0x20), width, value);
			else
				guest_access(bus, BUS_SPACE_PIO, (sd & 2) ? BUS_WRITE : BUS_READ,
				       0x50E + (reg % 0x10), width, value);
			break;
		}
		case 8:
			/* The VM's run loop: a long DMA transfer's next steps. */
			for (unsigned n = (unsigned)take(&in, 1) & 7; n; n--)
				vclock_run_expired(&clock);
			break;
		default:
			fwcfg_reset(fw);
			break;
		}
	}
	/* Every transfer ends: the steps go on until it has. */
	for (unsigned n = 0; fwcfg_dma_busy(fw); n++) {
		if (n > 20000)
			abort();
		vclock_run_expired(&clock);
	}

	/* Read-only items survive anything the guest did. */
	if (memcmp(fwcfg_file_data(fw, "etc/e820", &len), e820, sizeof(e820)) || len != 20)
		abort();
	fwcfg_destroy(fw);
	bus_destroy(bus);
	free(ram);
	return 0;
}
