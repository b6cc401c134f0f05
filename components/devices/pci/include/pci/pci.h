/* SPDX-License-Identifier: MIT */
/*
 * PCI: functions with a configuration space, and the host that reaches
 * them through configuration mechanism #1 (ports 0xCF8/0xCFC) or ECAM.
 *
 * A device model embeds a struct pci_function, describes it (ids, BARs,
 * capabilities) and plugs it into the host at (bus 0, device, function):
 *
 *   static const struct pci_function_info info = {
 *       .name = "virtio-blk", .vendor_id = 0x1AF4, .device_id = 0x1042,
 *       .class_code = 0x010000, .interrupt_pin = 1, .ops = &my_ops,
 *   };
 *   pci_function_init(&dev->pci, &info, dev);
 *   pci_declare_bar(&dev->pci, 4, PCI_BAR_MEM64, 0x4000, true);
 *   cap = pci_add_capability(&dev->pci, PCI_CAP_ID_VENDOR, 16);
 *   pci_host_attach(host, 3, 0, &dev->pci);
 *
 * The generic code keeps the bytes, the write masks and the BAR state;
 * the device hears about what it must act on through its ops: a BAR that
 * moved or was switched on/off, and writes to its own registers.
 *
 * A device that gives a BAR its register handlers with
 * pci_bar_set_handler() never deals with the bus itself: the generic
 * code registers the BAR's region where the guest programs it, and
 * removes or moves it when the guest rewrites the BAR or switches the
 * command register's I/O or memory decoding.  MSI-X lives in
 * <pci/msix.h>; the machine delivers its messages through
 * pci_host_set_msi_handler().
 */
#ifndef PCI_PCI_H
#define PCI_PCI_H

#include <stdbool.h>
#include <stdint.h>
#include <bus/bus.h>
#include <bus/irq.h>

/* Type 0 configuration header. */
#define PCI_VENDOR_ID           0x00
#define PCI_DEVICE_ID           0x02
#define PCI_COMMAND             0x04
#define PCI_STATUS              0x06
#define PCI_REVISION_ID         0x08
#define PCI_CLASS_PROG          0x09
#define PCI_CLASS_DEVICE        0x0A
#define PCI_CACHE_LINE_SIZE     0x0C
#define PCI_LATENCY_TIMER       0x0D
#define PCI_HEADER_TYPE         0x0E
#define PCI_BASE_ADDRESS_0      0x10
#define PCI_SUBSYSTEM_VENDOR_ID 0x2C
#define PCI_SUBSYSTEM_ID        0x2E
#define PCI_ROM_ADDRESS         0x30
#define PCI_CAPABILITY_LIST     0x34
#define PCI_INTERRUPT_LINE      0x3C
#define PCI_INTERRUPT_PIN       0x3D

#define PCI_COMMAND_IO          0x0001
#define PCI_COMMAND_MEMORY      0x0002
#define PCI_COMMAND_MASTER      0x0004
#define PCI_COMMAND_INTX_DISABLE 0x0400

#define PCI_STATUS_INTERRUPT    0x0008
#define PCI_STATUS_CAP_LIST     0x0010

#define PCI_HEADER_TYPE_NORMAL  0x00
#define PCI_HEADER_TYPE_BRIDGE  0x01   /* type 1: PCI-to-PCI bridge, <pci/bridge.h> */
#define PCI_HEADER_TYPE_MULTI_FUNCTION 0x80

#define PCI_BAR_SPACE_IO        0x01
#define PCI_BAR_MEM_TYPE_64     0x04
#define PCI_BAR_MEM_PREFETCH    0x08

#define PCI_CAP_ID_PM           0x01
#define PCI_CAP_ID_MSI          0x05
#define PCI_CAP_ID_VENDOR       0x09
#define PCI_CAP_ID_EXP          0x10
#define PCI_CAP_ID_MSIX         0x11

#define PCI_CONFIG_SPACE_SIZE   256
#define PCIE_CONFIG_SPACE_SIZE  4096
#define PCI_NUM_BARS            6
#define PCI_DEVICES_PER_BUS     32
#define PCI_FUNCTIONS_PER_DEVICE 8

/* Subsystem ids every function gets unless it says otherwise (as QEMU). */
#define PCI_DEFAULT_SUBSYSTEM_VENDOR_ID 0x1AF4
#define PCI_DEFAULT_SUBSYSTEM_ID        0x1100

enum pci_bar_type {
	PCI_BAR_NONE = 0,
	PCI_BAR_IO,      /* I/O space, size 4 .. 256 bytes typically        */
	PCI_BAR_MEM32,   /* memory below 4 GiB                              */
	PCI_BAR_MEM64,   /* memory anywhere; uses this BAR and the next one */
};

struct pci_bar {
	enum pci_bar_type type;
	bool prefetchable;
	uint64_t size;           /* power of two; 0 = BAR not implemented   */
	/* Last state told to the device through bar_update. */
	uint64_t base;
	bool enabled;
	/* Handlers given with pci_bar_set_handler(); NULL: the device maps. */
	const struct bus_ops *ops;
	void *opaque;
	struct bus_rules rules;
	/* Where the generic code put the BAR's region, if anywhere. */
	bool mapped;
	struct bus *mapped_bus;
	enum bus_space mapped_space;
	uint64_t mapped_addr;
};

struct pci_function;

struct pci_function_ops {
	/*
	 * The BAR's programmed base or its decoding changed.  enabled is
	 * true when the command register enables the BAR's space and the
	 * base is a usable address (not the sizing pattern, not zero, and
	 * the whole BAR fits the space); only then should the device have
	 * a bus region at base.
	 */
	void (*bar_update)(struct pci_function *fn, unsigned bar, uint64_t base, bool enabled);
	/*
	 * After the generic code stored a guest write (masks applied); for
	 * registers with side effects.  offset/width are as the guest wrote.
	 */
	void (*config_write)(struct pci_function *fn, unsigned offset, unsigned width,
			     uint32_t value);
	/*
	 * Optional: the value about to be returned for a read, which the
	 * device may replace (registers that reflect live state).
	 */
	uint32_t (*config_read)(struct pci_function *fn, unsigned offset, unsigned width,
				uint32_t value);
	/* Device part of a reset, after the generic registers were reset. */
	void (*reset)(struct pci_function *fn);
};

struct pci_function_info {
	const char *name;
	uint16_t vendor_id;
	uint16_t device_id;
	uint32_t class_code;     /* base class << 16 | sub-class << 8 | prog-if */
	uint8_t revision;
	uint8_t header_type;     /* 0 for endpoints; the multi-function bit is
				    set by the host when functions 1..7 exist */
	uint16_t subsystem_vendor_id;  /* both 0: 1AF4:1100 */
	uint16_t subsystem_id;
	uint8_t interrupt_pin;   /* 0 none, 1..4 = INTA..INTD              */
	bool express;            /* 4 KiB configuration space (ECAM only)  */
	const struct pci_function_ops *ops;
};

struct pci_host;
struct pci_bus;
struct pci_bridge;
struct pci_msi;
struct pci_msix;

struct pci_function {
	const struct pci_function_info *info;
	void *opaque;            /* the device, for the callbacks           */
	struct pci_host *host;   /* set by pci_host_attach / pci_bus_attach */
	struct pci_bus *parent_bus;  /* the bus it is attached to, or NULL  */
	struct pci_bridge *bridge;   /* set when fn is a bridge's function  */
	uint8_t devfn;           /* device << 3 | function                  */
	unsigned config_size;    /* 256 or 4096                             */
	uint8_t *config;         /* current bytes                           */
	uint8_t *wmask;          /* bits the guest may write                */
	uint8_t *w1cmask;        /* bits a guest 1 clears                   */
	struct pci_bar bar[PCI_NUM_BARS];
	unsigned cap_next;       /* where the next capability goes          */
	unsigned cap_last;       /* offset of the last capability, 0 none   */
	struct irq_line intx;    /* INTx output; wired by the machine       */
	bool intx_level;         /* the device's wish, before INTx disable  */
	struct pci_msix *msix;   /* set by pci_msix_init(), else NULL       */
	struct pci_msi *msi;     /* set by pci_msi_init(), else NULL        */
};

/*
 * Prepares fn from info (kept by pointer; must outlive fn).  The header
 * is filled, the standard write masks set.  0 or -ENOMEM / -EINVAL.
 */
int pci_function_init(struct pci_function *fn, const struct pci_function_info *info,
		      void *opaque);
/* Removes the BAR regions it mapped and frees the configuration arrays. */
void pci_function_release(struct pci_function *fn);

/*
 * Declares BAR n (0..5, or 0..1 for a type 1 header; a 64-bit BAR takes
 * n and n+1).  size is a power
 * of two, at least 4 for I/O and 16 for memory; I/O BARs at most 64 KiB,
 * 32-bit memory BARs at most 2 GiB.  0 or -EINVAL.
 */
int pci_declare_bar(struct pci_function *fn, unsigned bar, enum pci_bar_type type,
		    uint64_t size, bool prefetchable);
/* The BAR's programmed base (without the flag bits). */
uint64_t pci_bar_address(const struct pci_function *fn, unsigned bar);

/*
 * Gives a declared BAR its register handlers.  From then on the BAR's
 * region (size bytes, offsets from 0) is on the host's bus exactly while
 * the BAR decodes: the command register enables its space and its base
 * is usable (see bar_update below).  I/O BARs land in the host's I/O
 * window (pci_host_set_io_window).  A base that overlaps another region
 * is not mapped and is reported (rate-limited); the BAR is tried again
 * the next time the guest moves it or toggles decoding.  rules may be
 * NULL (any width).  0 or -EINVAL (BAR not declared).
 */
int pci_bar_set_handler(struct pci_function *fn, unsigned bar, const struct bus_ops *ops,
			void *opaque, const struct bus_rules *rules);

/*
 * Adds a capability of size bytes (at least 2: id and next pointer),
 * chained from 0x34, dword aligned, from 0x40 upwards.  Returns its
 * offset, or -ENOSPC / -EINVAL.  The body is read-only until the device
 * opens bits with pci_config_set_wmask().
 */
int pci_add_capability(struct pci_function *fn, uint8_t id, unsigned size);
/* Makes the next capability start at offset or later (device registers below). */
void pci_reserve_config(struct pci_function *fn, unsigned end);

/* Host-side access to the bytes, no masks, no side effects. */
uint8_t pci_config_get8(const struct pci_function *fn, unsigned offset);
uint16_t pci_config_get16(const struct pci_function *fn, unsigned offset);
uint32_t pci_config_get32(const struct pci_function *fn, unsigned offset);
void pci_config_set8(struct pci_function *fn, unsigned offset, uint8_t value);
void pci_config_set16(struct pci_function *fn, unsigned offset, uint16_t value);
void pci_config_set32(struct pci_function *fn, unsigned offset, uint32_t value);
/* Write masks for width (1, 2, 4) bytes at offset; mask is little-endian. */
void pci_config_set_wmask(struct pci_function *fn, unsigned offset, unsigned width,
			  uint32_t mask);
void pci_config_set_w1cmask(struct pci_function *fn, unsigned offset, unsigned width,
			    uint32_t mask);

/*
 * Guest-visible configuration access on one function (masks, BARs,
 * callbacks).  Any width 1, 2 or 4 at any offset with offset + width
 * inside the configuration space; anything else reads all-ones and
 * writes nothing.
 */
uint32_t pci_function_config_read(struct pci_function *fn, unsigned offset, unsigned width);
void pci_function_config_write(struct pci_function *fn, unsigned offset, unsigned width,
			       uint32_t value);

/* Back to power-on state: command, BARs, status errors, line, then ops->reset. */
void pci_function_reset(struct pci_function *fn);

/*
 * The device's legacy interrupt: drives fn->intx unless the guest set
 * INTx disable or enabled MSI-X, and keeps the status interrupt bit.
 */
void pci_set_irq(struct pci_function *fn, bool level);

/*
 * A message-signalled interrupt from fn: a 32-bit write of data to
 * address, handed to the host's MSI handler (dropped, and reported once,
 * when the machine set none).
 */
void pci_send_msi(struct pci_function *fn, uint64_t address, uint32_t data);

/* The device bus the host sits on (for BAR regions). */
struct bus *pci_function_bus(const struct pci_function *fn);

/* ------------------------------------------------------------------ */
/* The host: bus 0 with 32 devices x 8 functions.  Buses behind        */
/* PCI-to-PCI bridges are in <pci/bridge.h>.                           */

struct pci_host *pci_host_create(struct bus *bus, const char *name);
/* Unregisters its regions; functions stay with their owners. */
void pci_host_destroy(struct pci_host *host);
struct bus *pci_host_bus(const struct pci_host *host);

/*
 * Plugs fn in at bus 0, device (0..31), function (0..7): the same as
 * pci_bus_attach(pci_host_root_bus(host), ...).  Sets the
 * multi-function bit of function 0 when any other function of the
 * device exists.  0, -EINVAL or -EBUSY (slot taken, or fn already
 * attached).
 */
int pci_host_attach(struct pci_host *host, unsigned device, unsigned function,
		    struct pci_function *fn);
/*
 * Unplugs fn, on whichever bus of the host it is.  Regions of BARs with
 * handlers are removed; BARs the device maps itself are left as they are
 * (the owner tears them down).  Unplugging a bridge's function cuts its
 * whole secondary side off the host.
 */
void pci_host_detach(struct pci_host *host, struct pci_function *fn);
/* The function at bus 0, device, function, or NULL. */
struct pci_function *pci_host_function(const struct pci_host *host, unsigned device,
				       unsigned function);

/*
 * Configuration access by address.  Bus 0 is the host's; another bus
 * number is looked for behind the bridges whose secondary..subordinate
 * range (as the guest programmed it) holds it.  Absent functions and
 * buses read all-ones and drop writes.
 */
uint32_t pci_host_config_read(struct pci_host *host, unsigned bus, unsigned device,
			      unsigned function, unsigned offset, unsigned width);
void pci_host_config_write(struct pci_host *host, unsigned bus, unsigned device,
			   unsigned function, unsigned offset, unsigned width, uint32_t value);

/* Resets every attached function, on every bus, once. */
void pci_host_reset(struct pci_host *host);

/*
 * Where I/O BARs appear: by default I/O port n is port n of the bus's PIO
 * space (x86).  Machines without port I/O (QEMU's virt board maps PCI
 * I/O space at 0x3EFF0000) put it in MMIO space: port n is then at
 * base + n.  Mapped I/O BARs move at once.
 */
void pci_host_set_io_window(struct pci_host *host, enum bus_space space, uint64_t base);

/*
 * How message-signalled interrupts reach the interrupt controllers: the
 * machine turns (address, data) into an interrupt (x86: a LAPIC message
 * at 0xFEExxxxx).  Called with the VM's device lock held, like every
 * device model.
 */
typedef void (*pci_msi_fn)(void *opaque, uint64_t address, uint32_t data);
void pci_host_set_msi_handler(struct pci_host *host, pci_msi_fn fn, void *opaque);

/*
 * Configuration mechanism #1: 0xCF8 address, 0xCFC..0xCFF data, on the
 * host's bus.  0 or the error of bus_register.
 */
int pci_host_register_cf8(struct pci_host *host);
/* The address register as the guest last wrote it (reserved bits 0). */
uint32_t pci_host_cf8_address(const struct pci_host *host);
/*
 * Port 0xCF9 is one byte inside the 0xCF8 dword: the chipset that owns
 * it (the PIIX3 reset control register) plugs its handlers in here.
 */
void pci_host_set_port_cf9(struct pci_host *host, const struct bus_ops *ops, void *opaque);

/*
 * ECAM: bus_count (1..256) buses of 1 MiB each at base (1 MiB aligned)
 * in MMIO space.  Called again, it moves the window;
 * bus_count 0 removes it.  0, -EINVAL or the error of bus_register.
 */
int pci_host_map_ecam(struct pci_host *host, uint64_t base, unsigned bus_count);

#endif
