/* SPDX-License-Identifier: MIT */
/*
 * Device classes and device instances: how a device model becomes part
 * of a VM without anybody editing a list.
 *
 * A device component describes its model once, as a *class*, and places
 * the description in a linker section:
 *
 *     static const struct device_prop doorbell_props[] = {
 *             { "rings", DEVICE_PROP_U64, "0", 0, 1000, "rings at reset" },
 *     };
 *     DEVICE_CLASS(doorbell_class) = {
 *             .name = "doorbell",
 *             .description = "a bell the guest rings",
 *             .ranges = { DEVICE_MMIO(0x1000) }, .range_count = 1,
 *             .irq_count = 1,
 *             .props = doorbell_props, .prop_count = 1,
 *             .create = doorbell_dev_create, .reset = ..., .destroy = ...,
 *             .fdt_name = "doorbell", .fdt_compatible = { "tessera,doorbell" },
 *     };
 *
 * A VM's devices are *instances* of classes: {class, name, the bases of
 * the class's ranges, its interrupt numbers, property values}.  A board
 * (struct machine_ops, <vm/machine.h>) lists its default instances and a
 * VM configuration adds, changes or removes instances, both in the same
 * words, a *device line*:
 *
 *     pl011 name=uart0 base=0x09000000 irq=1
 *     doorbell base=0x09050000 irq=5 rings=3
 *
 * Everything else follows from the instances, in generic code: the
 * class's create() gets the instance with its bases and the VM's services
 * (struct device_env) and registers the model on the bus there; the
 * model's interrupt outputs are connected to the board's interrupt
 * inputs the instance names; reset and destroy run for every instance;
 * and the guest's description of the device (a device-tree node on
 * aarch64, an ACPI device on x86) is written from the same instance, so
 * the address the guest is told and the address the bus routes cannot
 * differ.
 *
 * This header is plain C with no architecture in it: host tests create
 * instances of test classes with a bus of their own.
 */
#ifndef BUS_DEVICE_H
#define BUS_DEVICE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <bus/bus.h>
#include <bus/irq.h>
#include <core/spinlock.h>

struct chardev;
struct guest_mem;
struct vclock;
struct fdt_writer;
struct aml_writer;
struct device;

#define DEVICE_MAX_RANGES   4     /* address ranges of one instance       */
#define DEVICE_MAX_IRQS     4     /* interrupt outputs of one instance    */
#define DEVICE_MAX_PROPS    8     /* properties of one class              */
#define DEVICE_NAME_MAX     16    /* instance name with its NUL: "uart0"  */
#define DEVICE_VALUE_MAX    128   /* a string or file property with NUL   */
#define DEVICE_LINE_MAX     512   /* one device line                      */

/* ---- classes ---- */

enum device_prop_type {
	DEVICE_PROP_BOOL = 0,     /* on/off, yes/no, true/false, 1/0          */
	DEVICE_PROP_U64,          /* decimal, 0x hex, or a size: 64K, 16M     */
	DEVICE_PROP_STRING,       /* letters, digits and - _ . : / ,          */
	DEVICE_PROP_FILE,         /* a path inside the boot archive           */
};

struct device_prop {
	const char *name;
	enum device_prop_type type;
	const char *default_value;  /* as written in a line; NULL: required  */
	uint64_t min, max;          /* U64: accepted range (max 0: any)      */
	const char *help;           /* one line, shown in error messages     */
};

/* One address range of a class; each instance gives its base. */
struct device_range {
	enum bus_space space;       /* MMIO (base=) or PIO (port=)           */
	uint64_t size;
	/* Legacy devices whose model sits at a fixed address: the only base
	 * an instance may have (it may leave it out).  0 with fixed false:
	 * the instance must give a base. */
	bool fixed;
	uint64_t fixed_base;
};

/* Ranges in class descriptions: .ranges = { DEVICE_MMIO(0x1000) }. */
#define DEVICE_MMIO(bytes)  { .space = BUS_SPACE_MMIO, .size = (bytes) }
#define DEVICE_PIO(ports)   { .space = BUS_SPACE_PIO, .size = (ports) }
#define DEVICE_PIO_FIXED(port, ports) \
	{ .space = BUS_SPACE_PIO, .size = (ports), .fixed = true, .fixed_base = (port) }

/*
 * What the VM gives its devices.  The VM core fills the services, the
 * board the interrupt wiring and how the guest is told about devices.
 */
struct device_env {
	struct bus *bus;
	struct guest_mem *mem;          /* DMA: the VM's RAM, checked          */
	struct vclock *clock;           /* device timers                       */
	const struct chardev *console;  /* a UART's output: the VM's console   */
	const char *vm_name;            /* for messages: "VM <name>: ..."      */
	/* Wall-clock time at the VM's power-on, seconds since 1970 (UTC): where
	 * a real-time clock starts (the host's time, or the VM's rtc =). */
	uint64_t wall_clock_start;
	void *vm;                       /* opaque, for the callbacks below     */

	/* The board's interrupt inputs: instance irq n -> irq_sink(irq_ctx, n). */
	irq_sink_fn irq_sink;
	void *irq_ctx;
	unsigned int irq_limit;         /* instance irqs are below this         */

	/* Guest requests (a keyboard controller's reset pulse, ...). */
	void (*request_reset)(void *vm, const char *how);
	void (*request_off)(void *vm, const char *how);
	/* The lock every register access of the VM's devices runs under: a
	 * backend completing later takes it around the completion. */
	spinlock_t *device_lock;
	/* A file of the boot archive (FILE properties): data and size, or NULL. */
	const void *(*file)(void *vm, const char *path, size_t *size);
	/* The PCI host of a board that has one (PCI classes), else NULL, and
	 * where a PCI function's INTx goes: pin slot * 4 + (INTA 0 .. INTD 3)
	 * of pci_intx_sink (the board swizzles and routes it). */
	void *pci;
	irq_sink_fn pci_intx_sink;
	void *pci_intx_ctx;
	/* An instance made before this one, by name (bus=rp0 of a PCI
	 * function behind a bridge), or NULL. */
	struct device *(*find_device)(void *vm, const char *name);
};

/* How the guest's device tree names interrupts and the shared clock. */
struct device_fdt_env {
	/* Writes the interrupt specifier of board irq n (e.g. the GIC's three
	 * cells <SPI n level-high>) into cells; returns how many. */
	unsigned int (*irq_cells)(const struct device_fdt_env *fe, unsigned int irq,
				  uint32_t *cells);
	uint32_t apb_clock_phandle;     /* the PrimeCell bus clock; 0: none     */
	void *ctx;
};

/* How the guest's ACPI tables describe interrupts (ISA IRQ or GSI). */
struct device_acpi_env {
	bool isa_irqs;                  /* IRQNoFlags(){n}; else Interrupt(){n} */
	unsigned int irq_base;          /* Interrupt(){irq_base + n}: virt's SPIs
					   are GIC interrupt ids 32 + n        */
};

struct device_class {
	const char *name;               /* what device lines say: "pl011"      */
	const char *description;        /* one line for listings               */

	struct device_range ranges[DEVICE_MAX_RANGES];
	unsigned int range_count;
	unsigned int irq_count;         /* interrupt outputs, board numbered   */
	const struct device_prop *props;
	unsigned int prop_count;

	/*
	 * Makes the model of dev on dev->env: registers its regions on
	 * env->bus at dev->base[] (the bus refuses overlaps and says so),
	 * sets dev->state and dev->irq_out[0..irq_count) to its interrupt
	 * outputs (the generic code connects them).  0 or a negative errno
	 * after a log line "VM <name>: <instance>: ...".
	 */
	int (*create)(struct device *dev);
	void (*reset)(struct device *dev);              /* may be NULL        */
	void (*destroy)(struct device *dev);            /* frees dev->state   */
	/* A disk or another device firmware can boot from (a board with no
	 * kernel and no such device has nothing to boot). */
	bool boot_device;
	/*
	 * The OpenFirmware device path QEMU gives the same device in fw_cfg's
	 * "bootorder" file (QEMU docs/specs/fw_cfg.rst; what SeaBIOS, OVMF and
	 * AAVMF translate back: EDK2 OvmfPkg/Library/QemuBootOrderLib), e.g.
	 * "/virtio-mmio@000000000a003e00/disk@0,0".  Length written, or 0
	 * when the class has none.  May be NULL.
	 */
	size_t (*boot_path)(const struct device *dev, char *buf, size_t len);
	/* A PCI bridge's secondary bus (struct pci_bus *), where functions
	 * whose bus= names this instance go.  May be NULL. */
	void *(*pci_bus)(struct device *dev);
	/* Console input for a UART: how many bytes it took.  May be NULL. */
	size_t (*console_input)(struct device *dev, const uint8_t *buf, size_t len);

	/* Device tree (aarch64): node "<fdt_name>@<first base>", with
	 * compatible, reg (every MMIO range), interrupts, then fdt_extra().
	 * fdt_name NULL: the class has no node. */
	const char *fdt_name;
	const char *fdt_compatible[4];  /* most specific first, NULL-ended    */
	bool fdt_apb_clock;             /* needs the board's PrimeCell clock  */
	void (*fdt_extra)(const struct device *dev, struct fdt_writer *w,
			  const struct device_fdt_env *fe);

	/* ACPI (x86, and aarch64 with acpi = on): Device(<acpi_name><uid>) with _HID, _UID, _CRS (every
	 * range and interrupt), _STA when acpi_sta is not 0.  acpi_hid NULL:
	 * no ACPI description.  "PNP0501" style ids become EisaId()s. */
	const char *acpi_hid;
	const char *acpi_name;          /* three characters ("COM": COM1) or two
					 * ("VR": VR00..VR99), the uid's digits follow */
	unsigned int acpi_first_uid;    /* uid of the first instance (COM1: 1) */
	uint8_t acpi_sta;
	bool acpi_cca;                  /* _CCA 1: DMA is cache-coherent (arm64 needs it to do DMA) */
};

/* Registers a class: DEVICE_CLASS(my_class) = { .name = ..., ... }; */
#define DEVICE_CLASS(ident)                                                   \
	static const struct device_class ident                                \
		__attribute__((used, section("device_classes"), aligned(8)))

/* The table the linker builds (core/sections.ld; on the host, the linker's
 * own).  Weak: a host test program without any class links too. */
extern const struct device_class __start_device_classes[] __attribute__((weak));
extern const struct device_class __stop_device_classes[] __attribute__((weak));

#define for_each_device_class(c) \
	for (const struct device_class *c = __start_device_classes; c < __stop_device_classes; c++)

/* The class of that name, or NULL. */
const struct device_class *device_class_find(const char *name);
/* "fw-cfg-io i8042 pl011 ..." : every class name, for messages. */
size_t device_class_names(char *buf, size_t size);
/* "base=<MMIO 0x1000> irq=<1> rings=<0..1000, 0> ...": what a line for
 * the class accepts, for messages. */
size_t device_class_usage(const struct device_class *cls, char *buf, size_t size);

/* ---- instances ---- */

struct device_value {
	bool set;                       /* given by a line or by a default    */
	uint64_t num;                   /* BOOL: 0/1; U64                     */
	char text[DEVICE_VALUE_MAX];    /* STRING, FILE                       */
};

struct device {
	const struct device_class *cls;
	char name[DEVICE_NAME_MAX];
	uint64_t base[DEVICE_MAX_RANGES];   /* per class range                */
	bool base_set[DEVICE_MAX_RANGES];
	unsigned int irq[DEVICE_MAX_IRQS];  /* board interrupt numbers        */
	unsigned int irq_set;               /* how many were given            */
	struct device_value value[DEVICE_MAX_PROPS];  /* per class property   */
	unsigned int line;                  /* its .vm line, 0: the board     */
	unsigned int uid;                   /* ACPI uid / ordinal in its class */

	/* Once created. */
	const struct device_env *env;
	void *state;                        /* the model                      */
	struct irq_line *irq_out[DEVICE_MAX_IRQS];
	bool created;
};

/* A message buffer for the parsing functions below. */
struct device_error {
	char text[256];
};

/*
 * Starts dev as an instance of the class a device line begins with and
 * applies the rest of the line ("pl011 name=uart0 base=0x9000000 irq=1").
 * Without name=, the instance is named <class><n> by the caller
 * (device_default_name()).  0, or -EINVAL with err saying what is wrong
 * in one sentence (an unknown class lists the known ones, an unknown key
 * the ones the class accepts).
 */
int device_parse_line(struct device *dev, const char *line, size_t len,
		      struct device_error *err);
/*
 * Applies "key=value ..." words to an existing instance (the rest of a
 * line, or a change of a board's instance): name, base, port, irq and
 * the class's properties.
 */
int device_apply_words(struct device *dev, const char *words, size_t len,
		       struct device_error *err);
/* Fills the defaults of properties no line gave and checks that the
 * instance is complete (every range placed, irqs, required properties). */
int device_finish(struct device *dev, struct device_error *err);
/* <class name><n>, n the lowest number no instance in list[0..count) has. */
void device_default_name(struct device *dev, const struct device *list, unsigned int count);

/* Property values by name (the class must have the property). */
uint64_t device_prop_u64(const struct device *dev, const char *name);
bool device_prop_bool(const struct device *dev, const char *name);
const char *device_prop_text(const struct device *dev, const char *name);

/*
 * Creates the model (class create()), connects its interrupt outputs to
 * env->irq_sink with the instance's irq numbers.  0 or a negative errno
 * (reported).  device_destroy() undoes it and may be called on an
 * instance that was never created.
 */
int device_create(struct device *dev, const struct device_env *env);
void device_reset(struct device *dev);
void device_destroy(struct device *dev);

/* The node of dev in a device tree being written (nothing for classes
 * without fdt_name). */
void device_write_fdt(const struct device *dev, struct fdt_writer *w,
		      const struct device_fdt_env *fe);
/* The ACPI Device() of dev into an AML scope being written (nothing for
 * classes without acpi_hid). */
void device_write_aml(const struct device *dev, struct aml_writer *a,
		      const struct device_acpi_env *ae);

#endif
