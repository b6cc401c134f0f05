/* SPDX-License-Identifier: MIT */
/*
 * fw_cfg, compatible with QEMU's device as SeaBIOS, OVMF and AAVMF drive
 * it.  One state struct, the item store, the DMA engine, then the register
 * handlers of the two interfaces.
 *
 * Byte order, the part that is easy to get wrong: bus values are
 * little-endian numbers whose byte 0 is the first byte in guest memory.
 *  - The data register is "string-preserving": byte i of an access is
 *    byte offset+i of the item, on either interface.
 *  - The port selector is a little-endian 16-bit number; the MMIO
 *    selector and every DMA address register are big-endian, so their
 *    values are byte-swapped here (the guest swaps before writing).
 *  - DMA descriptors in guest memory are big-endian too.
 *
 * DMA in steps.  A descriptor may ask for 4 GiB (a READ past the end of an
 * item zero-fills all of it), and the doorbell runs under the VM's device
 * lock, where every other vCPU's device access waits.  So one step moves
 * at most FWCFG_DMA_STEP bytes; when more is left, the transfer stays busy
 * (its control word keeps its bits, which is what the guest polls: the
 * protocol says the transfer is over when the control word is 0 or
 * ERROR) and a VM-clock timer due at once continues it.  The VM's run loop
 * runs due timers after every exit and bounds how long a vCPU may run the
 * guest by the next deadline (x86: the VMX-preemption timer, aarch64: the
 * EL2 physical timer), so the steps go on even while the only vCPU polls
 * the control word in memory without ever exiting, and the device lock is
 * free between them.  A small transfer (everything firmware asks for
 * except the kernel and initrd) ends within the doorbell write, as on
 * QEMU.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include <bus/bus.h>
#include <bus/guest_mem.h>
#include <bus/vclock.h>
#include <core/log.h>
#include <core/mm.h>
#include <bus/device.h>
#include <fwcfg/fwcfg.h>
#include <lib/fdt_writer.h>

#define FWCFG_KEY_ARCH_BIT      0x8000
#define FWCFG_KEY_WRITE_CHANNEL 0x4000   /* ignored by QEMU since 2.4 */
#define FWCFG_KEY_INDEX_MASK    0x3FFF
#define FWCFG_DIR_ENTRY_SIZE    64
#define FWCFG_DMA_DESC_SIZE     16
#define FWCFG_WARN_LIMIT        16
/* Bytes one DMA step reads, writes or zero-fills (see the top of the file). */
#define FWCFG_DMA_STEP          (256u * 1024)

struct fwcfg_item {
	uint8_t *data;                /* kmalloc'd copy, NULL when len == 0 */
	uint32_t len;
	bool writable;
	fwcfg_write_fn on_write;
	void *opaque;
	fwcfg_select_fn on_select;    /* refreshes the data before it is read */
	void *select_opaque;
};

#define FWCFG_INDEX_MASK 0x3FFFu   /* the item index; bit 14 was a write flag */

struct fwcfg_file {
	char name[FWCFG_FILE_NAME_MAX + 1];
	struct fwcfg_item item;
};

struct fwcfg {
	struct guest_mem *dma_mem;                     /* NULL: no DMA      */
	/* Numbered items: [0] generic keys, [1] architecture keys. */
	struct fwcfg_item fixed[2][FWCFG_FILE_FIRST];
	struct fwcfg_file files[FWCFG_MAX_FILES];      /* sorted by name    */
	unsigned file_count;

	/* Where the register interfaces are attached (destroy removes them). */
	struct bus *pio_bus, *mmio_bus;
	uint16_t pio_base;
	uint64_t mmio_base;
	/* How often the guest selected each key: generic keys and files, arch keys. */
	uint32_t selections[FWCFG_FILE_FIRST + FWCFG_MAX_FILES];
	uint32_t arch_selections[FWCFG_FILE_FIRST];

	/* Guest-visible state. */
	uint16_t selector;
	uint32_t offset;                               /* into the item     */
	uint32_t dma_addr_high;
	unsigned warnings;

	/* The DMA transfer in progress, continued by dma_timer on clock. */
	struct vclock *clock;
	struct vtimer dma_timer;
	struct {
		bool busy;
		bool ok;
		uint32_t op;               /* READ, WRITE, SKIP or 0     */
		uint32_t length;           /* bytes left                 */
		uint64_t address;          /* guest address of the next  */
		uint64_t desc_addr;        /* where the control word is  */
	} dma;
	uint64_t dma_steps;                /* statistics, for the tests  */
};

static void fwcfg_warn_guest(struct fwcfg *fw, const char *what, uint64_t value)
{
	fw->warnings++;
	if (fw->warnings <= FWCFG_WARN_LIMIT)
		log_warn("fw_cfg: %s (0x%llx)", what, (unsigned long long)value);
	if (fw->warnings == FWCFG_WARN_LIMIT)
		log_warn("fw_cfg: further guest errors are not reported");
}

static uint32_t load_be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static uint64_t load_be64(const uint8_t *p)
{
	return (uint64_t)load_be32(p) << 32 | load_be32(p + 4);
}

static void store_be32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

static void store_be16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

/* ---- item store ---------------------------------------------------- */

static int item_set(struct fwcfg_item *item, const void *data, size_t len)
{
	uint8_t *copy = NULL;

	if (len > UINT32_MAX || (len && !data))
		return -EINVAL;
	if (len) {
		copy = kmalloc(len);
		if (!copy)
			return -ENOMEM;
		memcpy(copy, data, len);
	}
	kfree(item->data);
	*item = (struct fwcfg_item){ .data = copy, .len = (uint32_t)len };
	return 0;
}

/* The item a key names, or NULL for a key nobody can select. */
static struct fwcfg_item *fwcfg_item_for_key(struct fwcfg *fw, uint16_t key)
{
	unsigned index = key & FWCFG_KEY_INDEX_MASK;

	if (key & FWCFG_KEY_ARCH_BIT)
		return index < FWCFG_FILE_FIRST ? &fw->fixed[1][index] : NULL;
	if (index < FWCFG_FILE_FIRST)
		return &fw->fixed[0][index];
	index -= FWCFG_FILE_FIRST;
	return index < fw->file_count ? &fw->files[index].item : NULL;
}

static int fwcfg_rebuild_directory(struct fwcfg *fw)
{
	size_t size = 4 + (size_t)fw->file_count * FWCFG_DIR_ENTRY_SIZE;
	uint8_t *dir = kzalloc(size);
	struct fwcfg_item *item = &fw->fixed[0][FWCFG_FILE_DIR];

	if (!dir)
		return -ENOMEM;
	store_be32(dir, fw->file_count);
	for (unsigned i = 0; i < fw->file_count; i++) {
		uint8_t *entry = dir + 4 + (size_t)i * FWCFG_DIR_ENTRY_SIZE;

		store_be32(entry, fw->files[i].item.len);
		store_be16(entry + 4, (uint16_t)(FWCFG_FILE_FIRST + i));
		/* entry + 6: reserved, zero */
		memcpy(entry + 8, fw->files[i].name, sizeof(fw->files[i].name));
	}
	kfree(item->data);
	item->data = dir;
	item->len = (uint32_t)size;
	return 0;
}

/* Length of a usable file name, or 0 if it is empty or too long. */
static size_t file_name_length(const char *name)
{
	size_t n = 0;

	if (!name)
		return 0;
	while (n <= FWCFG_FILE_NAME_MAX && name[n])
		n++;
	return n <= FWCFG_FILE_NAME_MAX ? n : 0;
}

static struct fwcfg_file *fwcfg_find_file(const struct fwcfg *fw, const char *name)
{
	for (unsigned i = 0; i < fw->file_count; i++)
		if (strcmp(fw->files[i].name, name) == 0)
			return (struct fwcfg_file *)&fw->files[i];
	return NULL;
}

static int fwcfg_insert_file(struct fwcfg *fw, const char *name, const void *data, size_t len,
			     bool writable, fwcfg_write_fn on_write, void *opaque)
{
	struct fwcfg_item item = { 0 };
	size_t name_len = file_name_length(name);
	unsigned pos;
	int err;

	if (!fw || name_len == 0)
		return -EINVAL;
	if (fwcfg_find_file(fw, name))
		return -EEXIST;
	if (fw->file_count >= FWCFG_MAX_FILES)
		return -ENOSPC;
	err = item_set(&item, data, len);
	if (err)
		return err;
	item.writable = writable;
	item.on_write = on_write;
	item.opaque = opaque;

	for (pos = 0; pos < fw->file_count; pos++)
		if (strcmp(name, fw->files[pos].name) < 0)
			break;
	memmove(&fw->files[pos + 1], &fw->files[pos],
		(fw->file_count - pos) * sizeof(fw->files[0]));
	memset(&fw->files[pos], 0, sizeof(fw->files[pos]));
	memcpy(fw->files[pos].name, name, name_len);
	fw->files[pos].item = item;
	fw->file_count++;

	err = fwcfg_rebuild_directory(fw);
	if (err) {
		kfree(item.data);
		fw->file_count--;
		memmove(&fw->files[pos], &fw->files[pos + 1],
			(fw->file_count - pos) * sizeof(fw->files[0]));
	}
	return err;
}

int fwcfg_add_file(struct fwcfg *fw, const char *name, const void *data, size_t len)
{
	return fwcfg_insert_file(fw, name, data, len, false, NULL, NULL);
}

int fwcfg_add_file_writable(struct fwcfg *fw, const char *name, const void *data, size_t len,
			    fwcfg_write_fn on_write, void *opaque)
{
	return fwcfg_insert_file(fw, name, data, len, true, on_write, opaque);
}

const uint8_t *fwcfg_file_data(const struct fwcfg *fw, const char *name, uint32_t *len)
{
	const struct fwcfg_file *file = fw && name ? fwcfg_find_file(fw, name) : NULL;

	if (!file)
		return NULL;
	if (len)
		*len = file->item.len;
	return file->item.data;
}

int fwcfg_set_select_hook(struct fwcfg *fw, const char *name, fwcfg_select_fn fn, void *opaque)
{
	struct fwcfg_file *file = fw && name ? fwcfg_find_file(fw, name) : NULL;

	if (!file)
		return -ENOENT;
	file->item.on_select = fn;
	file->item.select_opaque = opaque;
	return 0;
}

int fwcfg_update_file(struct fwcfg *fw, const char *name, const void *data, size_t len)
{
	struct fwcfg_file *file = fw && name ? fwcfg_find_file(fw, name) : NULL;

	if (!file)
		return -ENOENT;
	/* Same size: the directory the guest may have read stays true. */
	if (len != file->item.len || (len && !data))
		return -EINVAL;
	if (len)
		memcpy(file->item.data, data, len);
	return 0;
}

int fwcfg_file_key(const struct fwcfg *fw, const char *name)
{
	const struct fwcfg_file *file = fw && name ? fwcfg_find_file(fw, name) : NULL;

	if (!file)
		return -ENOENT;
	return FWCFG_FILE_FIRST + (int)(file - fw->files);
}

int fwcfg_add_item(struct fwcfg *fw, uint16_t key, const void *data, size_t len)
{
	unsigned index = key & FWCFG_KEY_INDEX_MASK;
	bool arch = key & FWCFG_KEY_ARCH_BIT;

	if (!fw || (key & FWCFG_KEY_WRITE_CHANNEL) || index >= FWCFG_FILE_FIRST)
		return -EINVAL;
	if (!arch && (index == FWCFG_SIGNATURE || index == FWCFG_ID || index == FWCFG_FILE_DIR))
		return -EINVAL;
	return item_set(&fw->fixed[arch][index], data, len);
}

int fwcfg_add_item_u16(struct fwcfg *fw, uint16_t key, uint16_t value)
{
	uint8_t le[2] = { (uint8_t)value, (uint8_t)(value >> 8) };

	return fwcfg_add_item(fw, key, le, sizeof(le));
}

int fwcfg_add_item_u32(struct fwcfg *fw, uint16_t key, uint32_t value)
{
	uint8_t le[4];

	for (unsigned i = 0; i < 4; i++)
		le[i] = (uint8_t)(value >> (8 * i));
	return fwcfg_add_item(fw, key, le, sizeof(le));
}

int fwcfg_add_item_u64(struct fwcfg *fw, uint16_t key, uint64_t value)
{
	uint8_t le[8];

	for (unsigned i = 0; i < 8; i++)
		le[i] = (uint8_t)(value >> (8 * i));
	return fwcfg_add_item(fw, key, le, sizeof(le));
}

static void fwcfg_dma_continue(void *opaque);

struct fwcfg *fwcfg_create(struct guest_mem *dma_mem, struct vclock *clock)
{
	struct fwcfg *fw;
	uint32_t id = FWCFG_ID_TRADITIONAL | (dma_mem ? FWCFG_ID_DMA : 0);
	uint8_t id_le[4] = { (uint8_t)id, (uint8_t)(id >> 8), (uint8_t)(id >> 16),
			     (uint8_t)(id >> 24) };

	if (dma_mem && !clock)
		return NULL;     /* DMA continues on the VM's clock */
	fw = kzalloc(sizeof(*fw));
	if (!fw)
		return NULL;
	fw->dma_mem = dma_mem;
	fw->clock = clock;
	vtimer_init(&fw->dma_timer, fwcfg_dma_continue, fw);
	if (item_set(&fw->fixed[0][FWCFG_SIGNATURE], "QEMU", 4) ||
	    item_set(&fw->fixed[0][FWCFG_ID], id_le, sizeof(id_le)) ||
	    fwcfg_rebuild_directory(fw)) {
		fwcfg_destroy(fw);
		return NULL;
	}
	fwcfg_reset(fw);
	return fw;
}

void fwcfg_destroy(struct fwcfg *fw)
{
	if (fw && fw->pio_bus) {
		bus_unregister(fw->pio_bus, BUS_SPACE_PIO, fw->pio_base);
		if (fw->dma_mem)
			bus_unregister(fw->pio_bus, BUS_SPACE_PIO, fw->pio_base + 4u);
	}
	if (fw && fw->mmio_bus) {
		bus_unregister(fw->mmio_bus, BUS_SPACE_MMIO, fw->mmio_base);
		bus_unregister(fw->mmio_bus, BUS_SPACE_MMIO, fw->mmio_base + 8);
		if (fw->dma_mem)
			bus_unregister(fw->mmio_bus, BUS_SPACE_MMIO, fw->mmio_base + 0x10);
	}
	if (!fw)
		return;
	if (fw->clock)
		vtimer_cancel(fw->clock, &fw->dma_timer);
	for (unsigned a = 0; a < 2; a++)
		for (unsigned i = 0; i < FWCFG_FILE_FIRST; i++)
			kfree(fw->fixed[a][i].data);
	for (unsigned i = 0; i < fw->file_count; i++)
		kfree(fw->files[i].item.data);
	kfree(fw);
}

void fwcfg_reset(struct fwcfg *fw)
{
	fw->selector = FWCFG_SIGNATURE;
	fw->offset = 0;
	fw->dma_addr_high = 0;
	/* A transfer in progress is dropped: the guest's RAM is cleared anyway. */
	fw->dma.busy = false;
	if (fw->clock)
		vtimer_cancel(fw->clock, &fw->dma_timer);
}

bool fwcfg_dma_busy(const struct fwcfg *fw)
{
	return fw->dma.busy;
}

uint64_t fwcfg_dma_steps(const struct fwcfg *fw)
{
	return fw->dma_steps;
}

/* ---- guest-visible behaviour ---------------------------------------- */

static uint32_t *selection_counter(struct fwcfg *fw, uint16_t key)
{
	unsigned index = key & FWCFG_INDEX_MASK;

	if (key & FWCFG_ARCH_LOCAL)
		return index < FWCFG_FILE_FIRST ? &fw->arch_selections[index] : NULL;
	return index < FWCFG_FILE_FIRST + FWCFG_MAX_FILES ? &fw->selections[index] : NULL;
}

static void fwcfg_select(struct fwcfg *fw, uint16_t key)
{
	uint32_t *counter = selection_counter(fw, key);
	struct fwcfg_item *item = fwcfg_item_for_key(fw, key);

	if (counter && *counter != UINT32_MAX)
		(*counter)++;
	fw->selector = key;
	fw->offset = 0;
	/* Before the first byte is read, as QEMU's select callbacks run. */
	if (item && item->on_select)
		item->on_select(item->select_opaque, fw->files[(key & FWCFG_KEY_INDEX_MASK) -
							       FWCFG_FILE_FIRST].name);
}

uint32_t fwcfg_selections(const struct fwcfg *fw, uint16_t key)
{
	const uint32_t *counter = selection_counter((struct fwcfg *)fw, key);

	return counter ? *counter : 0;
}

const char *fwcfg_file_name(const struct fwcfg *fw, uint16_t key)
{
	unsigned index = key & FWCFG_INDEX_MASK;

	if ((key & FWCFG_ARCH_LOCAL) || index < FWCFG_FILE_FIRST ||
	    index - FWCFG_FILE_FIRST >= fw->file_count)
		return NULL;
	return fw->files[index - FWCFG_FILE_FIRST].name;
}

/* QEMU's names of the numbered keys (docs/specs/fw_cfg.rst, hw/nvram/fw_cfg.c). */
static const char *key_name(const struct fwcfg *fw, unsigned int key)
{
	static const char *const numbered[FWCFG_FILE_FIRST] = {
		[0x00] = "signature", [0x01] = "id", [0x02] = "uuid", [0x03] = "ram_size",
		[0x04] = "nographic", [0x05] = "nb_cpus", [0x06] = "machine_id",
		[0x07] = "kernel_addr", [0x08] = "kernel_size", [0x09] = "kernel_cmdline",
		[0x0A] = "initrd_addr", [0x0B] = "initrd_size", [0x0C] = "boot_device",
		[0x0D] = "numa", [0x0E] = "boot_menu", [0x0F] = "max_cpus",
		[0x10] = "kernel_entry", [0x11] = "kernel_data", [0x12] = "initrd_data",
		[0x13] = "cmdline_addr", [0x14] = "cmdline_size", [0x15] = "cmdline_data",
		[0x16] = "setup_addr", [0x17] = "setup_size", [0x18] = "setup_data",
		[0x19] = "file_dir",
	};
	const char *file;

	if (key < FWCFG_FILE_FIRST)
		return numbered[key] ? numbered[key] : "?";
	file = fwcfg_file_name(fw, (uint16_t)key);
	return file ? file : "(no such file)";
}

/* Appends " <key> <name>: <times>" to line, logging it first when it is long. */
static void selections_add(char *line, size_t size, int *len, const char *vm_name,
			   const char *fmt, unsigned int key, const char *name, uint32_t times)
{
	if (*len > 100) {
		log_info("VM %s:  %s", vm_name, line);
		*len = 0;
	}
	*len += snprintf(line + *len, size - (size_t)*len, fmt, key, name, times);
}

void fwcfg_log_selections(const struct fwcfg *fw, const char *vm_name,
			  const char *const *arch_names, unsigned int arch_count)
{
	char line[160];
	int len = 0;

	log_info("VM %s: fw_cfg items the guest selected (key name: times):", vm_name);
	for (unsigned int key = 0; key < FWCFG_FILE_FIRST + FWCFG_MAX_FILES; key++) {
		uint32_t times = fwcfg_selections(fw, (uint16_t)key);

		if (times)
			selections_add(line, sizeof(line), &len, vm_name, " 0x%02x %s: %u", key,
				       key_name(fw, key), times);
	}
	for (unsigned int key = 0; key < FWCFG_FILE_FIRST; key++) {
		uint32_t times = fwcfg_selections(fw, (uint16_t)(FWCFG_ARCH_LOCAL | key));

		if (times)
			selections_add(line, sizeof(line), &len, vm_name, " 0x%04x %s: %u",
				       FWCFG_ARCH_LOCAL | key,
				       arch_names && key < arch_count ? arch_names[key] : "?", times);
	}
	if (len)
		log_info("VM %s:  %s", vm_name, line);
	else
		log_info("VM %s:   none", vm_name);
}

/* Next data byte; 0 past the end or when the selection is invalid. */
static uint8_t fwcfg_read_data_byte(struct fwcfg *fw)
{
	const struct fwcfg_item *item = fwcfg_item_for_key(fw, fw->selector);

	if (!item || fw->offset >= item->len)
		return 0;
	return item->data[fw->offset++];
}

static void fwcfg_store_dma_control(struct fwcfg *fw, uint64_t desc_addr, uint32_t control)
{
	uint8_t be[4];

	store_be32(be, control);
	if (guest_mem_write(fw->dma_mem, desc_addr, be, sizeof(be)))
		fwcfg_warn_guest(fw, "DMA control word not writable", desc_addr);
}

/*
 * One step of the transfer in fw->dma: at most FWCFG_DMA_STEP bytes.
 * Every guest address goes through guest_mem, which refuses ranges
 * outside RAM or wrapping around; a refused range ends the transfer with
 * ERROR.  The item is looked up again on every pass, so whatever the
 * guest selects in between, only the current item's bytes are read.
 * True when the transfer is over.
 */
static bool fwcfg_dma_step(struct fwcfg *fw)
{
	uint32_t budget = FWCFG_DMA_STEP;

	fw->dma_steps++;
	while (fw->dma.length && fw->dma.ok) {
		struct fwcfg_item *item = fwcfg_item_for_key(fw, fw->selector);
		uint32_t op = fw->dma.op, chunk;

		if (op != FWCFG_DMA_CTL_SKIP && budget == 0)
			return false;                  /* the rest in the next step */
		if (!item || fw->offset >= item->len) {
			/* Nothing left: reads see zeros, writes fail, skips just move on. */
			chunk = op == FWCFG_DMA_CTL_SKIP ? fw->dma.length :
				fw->dma.length < budget ? fw->dma.length : budget;
			if (op == FWCFG_DMA_CTL_READ) {
				uint8_t *dst = guest_mem_ptr(fw->dma_mem, fw->dma.address, chunk,
							     true);

				if (dst)
					memset(dst, 0, chunk);
				else
					fw->dma.ok = false;
			} else if (op == FWCFG_DMA_CTL_WRITE) {
				fw->dma.ok = false;
			}
		} else {
			chunk = item->len - fw->offset;
			if (chunk > fw->dma.length)
				chunk = fw->dma.length;
			if (op == FWCFG_DMA_CTL_READ) {
				if (chunk > budget)
					chunk = budget;
				fw->dma.ok = !guest_mem_write(fw->dma_mem, fw->dma.address,
							      item->data + fw->offset, chunk);
			} else if (op == FWCFG_DMA_CTL_WRITE) {
				/*
				 * Whole request inside a writable item, or nothing: one
				 * copy, bounded by the item's size (the board's, small).
				 */
				fw->dma.ok = item->writable && chunk == fw->dma.length &&
					     !guest_mem_read(fw->dma_mem, fw->dma.address,
							     item->data + fw->offset, chunk);
			}
			if (fw->dma.ok) {
				uint32_t start = fw->offset;

				fw->offset += chunk;
				if (op == FWCFG_DMA_CTL_WRITE && item->on_write)
					item->on_write(item->opaque, start, item->data + start, chunk);
			}
		}
		if (op != FWCFG_DMA_CTL_SKIP)
			budget -= chunk < budget ? chunk : budget;
		fw->dma.address += chunk;
		fw->dma.length -= chunk;
	}
	return true;
}

/* The end of a transfer: the control word says how it went. */
static void fwcfg_dma_finish(struct fwcfg *fw)
{
	fw->dma.busy = false;
	if (!fw->dma.ok)
		fwcfg_warn_guest(fw, "DMA transfer failed, descriptor at", fw->dma.desc_addr);
	fwcfg_store_dma_control(fw, fw->dma.desc_addr, fw->dma.ok ? 0 : FWCFG_DMA_CTL_ERROR);
}

/* The next step of a long transfer, from the VM clock (under the device lock). */
static void fwcfg_dma_continue(void *opaque)
{
	struct fwcfg *fw = opaque;

	if (!fw->dma.busy)
		return;
	if (fwcfg_dma_step(fw))
		fwcfg_dma_finish(fw);
	else
		vtimer_arm(fw->clock, &fw->dma_timer, vclock_now(fw->clock));
}

/* The doorbell: a new request, its first step now. */
static void fwcfg_dma_transfer(struct fwcfg *fw, uint64_t desc_addr)
{
	uint8_t desc[FWCFG_DMA_DESC_SIZE];
	uint32_t control, length, op;

	if (fw->dma.busy) {
		/* One transfer at a time; the one in progress goes on. */
		fwcfg_warn_guest(fw, "DMA request while a transfer is in progress, descriptor at",
				 desc_addr);
		fwcfg_store_dma_control(fw, desc_addr, FWCFG_DMA_CTL_ERROR);
		return;
	}
	if (guest_mem_read(fw->dma_mem, desc_addr, desc, sizeof(desc))) {
		fwcfg_warn_guest(fw, "DMA descriptor outside guest RAM", desc_addr);
		fwcfg_store_dma_control(fw, desc_addr, FWCFG_DMA_CTL_ERROR);
		return;
	}
	control = load_be32(desc);
	length = load_be32(desc + 4);

	if (control & FWCFG_DMA_CTL_SELECT)
		fwcfg_select(fw, (uint16_t)(control >> 16));
	/* READ wins over WRITE, WRITE over SKIP; none of them: no data. */
	if (control & FWCFG_DMA_CTL_READ)
		op = FWCFG_DMA_CTL_READ;
	else if (control & FWCFG_DMA_CTL_WRITE)
		op = FWCFG_DMA_CTL_WRITE;
	else if (control & FWCFG_DMA_CTL_SKIP)
		op = FWCFG_DMA_CTL_SKIP;
	else
		op = 0, length = 0;

	fw->dma.busy = true;
	fw->dma.ok = true;
	fw->dma.op = op;
	fw->dma.length = length;
	fw->dma.address = load_be64(desc + 8);
	fw->dma.desc_addr = desc_addr;
	if (fwcfg_dma_step(fw))
		fwcfg_dma_finish(fw);
	else
		vtimer_arm(fw->clock, &fw->dma_timer, vclock_now(fw->clock));
}

/* ---- register handlers ----------------------------------------------- */

/* Port 0x510/0x511: 16-bit writes select, 8-bit reads return data. */
static uint64_t fwcfg_port_read(void *opaque, uint64_t offset, unsigned width)
{
	(void)offset;
	if (width != 1)
		return ~0ULL;   /* QEMU accepts only byte reads here */
	return fwcfg_read_data_byte(opaque);
}

static void fwcfg_port_write(void *opaque, uint64_t offset, unsigned width, uint64_t value)
{
	/* Byte writes (the old write channel) are ignored, as in QEMU. */
	if (width == 2 && offset == 0)
		fwcfg_select(opaque, (uint16_t)value);
}

/* MMIO +0: data, any width, bytes in item order. */
static uint64_t fwcfg_mmio_data_read(void *opaque, uint64_t offset, unsigned width)
{
	uint64_t value = 0;

	(void)offset;
	for (unsigned i = 0; i < width; i++)
		value |= (uint64_t)fwcfg_read_data_byte(opaque) << (8 * i);
	return value;
}

static void fwcfg_ignore_write(void *opaque, uint64_t offset, unsigned width, uint64_t value)
{
	(void)opaque;
	(void)offset;
	(void)width;
	(void)value;
}

/* MMIO +8: big-endian selector, reads give 0. */
static uint64_t fwcfg_mmio_selector_read(void *opaque, uint64_t offset, unsigned width)
{
	(void)opaque;
	(void)offset;
	(void)width;
	return 0;
}

static void fwcfg_mmio_selector_write(void *opaque, uint64_t offset, unsigned width,
				      uint64_t value)
{
	(void)offset;
	(void)width;
	fwcfg_select(opaque, __builtin_bswap16((uint16_t)value));
}

/* DMA address register (ports 0x514.., MMIO +0x10): reads "QEMU CFG". */
static uint64_t fwcfg_dma_read(void *opaque, uint64_t offset, unsigned width)
{
	static const char signature[8] = { 'Q', 'E', 'M', 'U', ' ', 'C', 'F', 'G' };
	uint64_t value = 0;

	(void)opaque;
	for (unsigned i = 0; i < width && offset + i < sizeof(signature); i++)
		value |= (uint64_t)(uint8_t)signature[offset + i] << (8 * i);
	return value;
}

static void fwcfg_dma_write(void *opaque, uint64_t offset, unsigned width, uint64_t value)
{
	struct fwcfg *fw = opaque;
	uint64_t desc_addr;

	if (width == 8 && offset == 0) {
		desc_addr = __builtin_bswap64(value);
	} else if (width == 4 && offset == 0) {
		fw->dma_addr_high = __builtin_bswap32((uint32_t)value);
		return;
	} else if (width == 4 && offset == 4) {
		desc_addr = (uint64_t)fw->dma_addr_high << 32 | __builtin_bswap32((uint32_t)value);
	} else {
		return;     /* the bus rules let nothing else through */
	}
	/* Like QEMU, each transfer starts from a cleared address register. */
	fw->dma_addr_high = 0;
	fwcfg_dma_transfer(fw, desc_addr);
}

static const struct bus_ops fwcfg_port_ops = {
	.read = fwcfg_port_read, .write = fwcfg_port_write,
};
static const struct bus_ops fwcfg_mmio_data_ops = {
	.read = fwcfg_mmio_data_read, .write = fwcfg_ignore_write,
};
static const struct bus_ops fwcfg_mmio_selector_ops = {
	.read = fwcfg_mmio_selector_read, .write = fwcfg_mmio_selector_write,
};
static const struct bus_ops fwcfg_dma_ops = {
	.read = fwcfg_dma_read, .write = fwcfg_dma_write,
};

static const struct bus_rules fwcfg_port_rules = {
	.min_width = 1, .max_width = 2, .unaligned_ok = true,
	.oversize = BUS_OVERSIZE_REJECT, .undersize = BUS_UNDERSIZE_REJECT,
};
static const struct bus_rules fwcfg_data_rules = {
	.min_width = 1, .max_width = 8, .unaligned_ok = true,
	.oversize = BUS_OVERSIZE_REJECT, .undersize = BUS_UNDERSIZE_REJECT,
};
static const struct bus_rules fwcfg_selector_rules = {
	.min_width = 2, .max_width = 2,
	.oversize = BUS_OVERSIZE_REJECT, .undersize = BUS_UNDERSIZE_REJECT,
};
static const struct bus_rules fwcfg_dma_rules = {
	.min_width = 4, .max_width = 8,
	.oversize = BUS_OVERSIZE_REJECT, .undersize = BUS_UNDERSIZE_REJECT,
};

int fwcfg_attach_pio(struct fwcfg *fw, struct bus *bus, uint16_t base)
{
	int err;

	if (!fw || !bus || base > 0xFFFF - 0xB)
		return -EINVAL;
	if (fw->pio_bus)
		return -EBUSY;
	err = bus_register_pio(bus, "fw_cfg", base, 2, &fwcfg_port_ops, fw, &fwcfg_port_rules);
	if (!err && fw->dma_mem) {
		err = bus_register_pio(bus, "fw_cfg-dma", (uint16_t)(base + 4), 8, &fwcfg_dma_ops,
				       fw, &fwcfg_dma_rules);
		if (err)
			bus_unregister(bus, BUS_SPACE_PIO, base);
	}
	if (!err) {
		fw->pio_bus = bus;
		fw->pio_base = base;
	}
	return err;
}

int fwcfg_attach_mmio(struct fwcfg *fw, struct bus *bus, uint64_t base)
{
	int err;

	if (!fw || !bus || base + (FWCFG_MMIO_SIZE - 1) < base)
		return -EINVAL;
	if (fw->mmio_bus)
		return -EBUSY;
	err = bus_register_mmio(bus, "fw_cfg-data", base, 8, &fwcfg_mmio_data_ops, fw,
				&fwcfg_data_rules);
	if (err)
		return err;
	err = bus_register_mmio(bus, "fw_cfg-selector", base + 8, 2, &fwcfg_mmio_selector_ops,
				fw, &fwcfg_selector_rules);
	if (!err && fw->dma_mem)
		err = bus_register_mmio(bus, "fw_cfg-dma", base + 0x10, 8, &fwcfg_dma_ops, fw,
					&fwcfg_dma_rules);
	if (err) {
		bus_unregister(bus, BUS_SPACE_MMIO, base);
		bus_unregister(bus, BUS_SPACE_MMIO, base + 8);
	} else {
		fw->mmio_bus = bus;
		fw->mmio_base = base;
	}
	return err;
}

/* ---- the device classes: how a VM gets fw_cfg ---- */

static int fwcfg_dev_create(struct device *dev)
{
	struct fwcfg *fw = fwcfg_create(device_prop_bool(dev, "dma") ? dev->env->mem : NULL,
					dev->env->clock);
	int err;

	if (!fw)
		return -ENOMEM;
	if (dev->cls->ranges[0].space == BUS_SPACE_PIO)
		err = fwcfg_attach_pio(fw, dev->env->bus, (uint16_t)dev->base[0]);
	else
		err = fwcfg_attach_mmio(fw, dev->env->bus, dev->base[0]);
	if (err) {
		fwcfg_destroy(fw);
		return err;
	}
	dev->state = fw;
	return 0;
}

static void fwcfg_dev_reset(struct device *dev)
{
	fwcfg_reset(dev->state);
}

static void fwcfg_dev_destroy(struct device *dev)
{
	fwcfg_destroy(dev->state);
}

static void fwcfg_fdt_extra(const struct device *dev, struct fdt_writer *w,
			    const struct device_fdt_env *fe)
{
	(void)fe;
	if (device_prop_bool(dev, "dma"))
		fdt_writer_property_empty(w, "dma-coherent");
}

static const struct device_prop fwcfg_props[] = {
	{ "dma", DEVICE_PROP_BOOL, "on", 0, 0, "the DMA interface (firmware loads files faster)" },
};

/* The board fills the items (<fwcfg/fwcfg.h>) once the device exists. */
DEVICE_CLASS(fwcfg_mmio_class) = {
	.name = "fw-cfg-mmio",
	.description = "QEMU firmware configuration (fw_cfg), memory-mapped with DMA, as on arm virt",
	.ranges = { DEVICE_MMIO(FWCFG_MMIO_SIZE) },
	.range_count = 1,
	.props = fwcfg_props,
	.prop_count = 1,
	.create = fwcfg_dev_create,
	.reset = fwcfg_dev_reset,
	.destroy = fwcfg_dev_destroy,
	.fdt_name = "fw-cfg",
	.fdt_compatible = { "qemu,fw-cfg-mmio" },
	.fdt_extra = fwcfg_fdt_extra,
	/* QEMU's virt DSDT: Device (FWCF) { _HID "QEMU0002" ... _STA 0x0B }. */
	.acpi_hid = "QEMU0002",
	.acpi_name = "FWC",
	.acpi_sta = 0x0B,
};

/* Present and decoding but hidden from the user in ACPI (_STA 0x0B), as QEMU. */
DEVICE_CLASS(fwcfg_io_class) = {
	.name = "fw-cfg-io",
	.description = "QEMU firmware configuration (fw_cfg) at ports 0x510-0x51B with DMA, as on x86",
	.ranges = { DEVICE_PIO_FIXED(FWCFG_PIO_BASE, 12) },
	.range_count = 1,
	.props = fwcfg_props,
	.prop_count = 1,
	.create = fwcfg_dev_create,
	.reset = fwcfg_dev_reset,
	.destroy = fwcfg_dev_destroy,
	.acpi_hid = "QEMU0002",
	.acpi_name = "FWC",
	.acpi_sta = 0x0B,
};
