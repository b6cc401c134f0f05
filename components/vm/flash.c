/* SPDX-License-Identifier: MIT */
/* A VM's flash bank: pflash on mapped memory (see <vm/flash.h>). */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <core/log.h>
#include <core/mm.h>
#include <blockdev/blockdev.h>
#include <bus/vclock.h>
#include <pflash/pflash.h>
#include <vcpu/gspace.h>
#include <vm/flash.h>
#include <vm/vm.h>
#ifdef CONFIG_HOSTDISK
#include <hostdisk/hostdisk.h>
#endif

#define FLASH_LARGE_PAGE (2ull << 20)

static void flash_map(struct vm_flash *f, bool array_mode)
{
	int ret;

	if (array_mode == f->mapped)
		return;
	if (array_mode)
		ret = gspace_map(f->vm->gs, f->gpa, (uintptr_t)f->mem, f->size,
				 GSPACE_READ | GSPACE_EXEC, GSPACE_MEM_NORMAL);
	else
		ret = gspace_unmap(f->vm->gs, f->gpa, f->size);
	if (ret) {
		log_error("VM %s: cannot %s flash bank %s (%d)", f->vm->name,
			  array_mode ? "map" : "unmap", f->name, ret);
		return;
	}
	f->mapped = array_mode;
	f->mode_switches++;
}

/*
 * Mapping the bank back costs nothing, but every unmap that follows
 * invalidates the VM's translations on every CPU (TLBI VMALLS12E1IS,
 * INVEPT), and an emulator stops all its CPUs for that.  A guest
 * switching modes in a loop would slow down every other VM; so a bank is
 * mapped again at most VM_FLASH_MAPS_PER_SECOND times per second of VM
 * time.  Past that it stays trapped in read-array mode (its reads go
 * through the bus to the pflash model: slower, the same data) until the
 * next window, when a VM-clock timer maps it.  Firmware writing its
 * variables switches a few hundred times in a whole boot.
 */
#define VM_FLASH_MAPS_PER_SECOND 200
#define NS_PER_SECOND 1000000000ull

static void flash_update(struct vm_flash *f)
{
	struct vclock *clock = &f->vm->clock;
	uint64_t now = vclock_now(clock);

	if (!f->want_mapped) {
		vtimer_cancel(clock, &f->remap_timer);
		flash_map(f, false);
		return;
	}
	if (f->mapped)
		return;
	if (now - f->window_start >= NS_PER_SECOND) {
		f->window_start = now;
		f->maps_in_window = 0;
	}
	if (f->maps_in_window < VM_FLASH_MAPS_PER_SECOND) {
		f->maps_in_window++;
		flash_map(f, true);
	} else {
		vtimer_arm(clock, &f->remap_timer, f->window_start + NS_PER_SECOND);
	}
}

/* The next window has begun (VM clock, under the device lock). */
static void flash_remap_timer(void *ctx)
{
	flash_update(ctx);
}

/* pflash: the bank entered or left read-array mode. */
static void flash_mode_changed(void *ctx, bool array_mode)
{
	struct vm_flash *f = ctx;

	f->want_mapped = array_mode;
	flash_update(f);
}

/*
 * The bank's contents from its host partition (cfg->host_store): read
 * into the bank's memory; from then on the pflash model writes every
 * change back.
 */
static int open_host_store(struct vm_flash *f, const char *value)
{
#ifdef CONFIG_HOSTDISK
	char owner[40], why[200];

	snprintf(owner, sizeof(owner), "VM %s", f->vm->name);
	f->store = hostdisk_open_flash_store(value + 5, owner, &f->vm->device_lock, f->mem,
					     f->size, why, sizeof(why));
	if (!f->store) {
		log_error("VM %s: firmware-vars '%s': %s", f->vm->name, value, why);
		return -ENOENT;
	}
	log_info("VM %s: variable store on host partition '%s' (%llu KiB): changes are kept",
		 f->vm->name, value + 5, (unsigned long long)(f->store->size >> 10));
	return 0;
#else
	log_error("VM %s: firmware-vars '%s' is on the host disk, and this image has no host disk "
		  "support (CONFIG_HOSTDISK)", f->vm->name, value);
	return -ENOENT;
#endif
}

/* Writes what the bank's memory holds through the guest mapping (see below). */
static int write_through_mapping(struct vm_flash *f)
{
	uint8_t *chunk = page_alloc((1u << 20) / PAGE_SIZE);
	int ret = 0;

	if (!chunk)
		return -ENOMEM;
	for (uint64_t off = 0; off < f->size && !ret; off += 1u << 20) {
		size_t n = f->size - off < (1u << 20) ? (size_t)(f->size - off) : (1u << 20);

		memcpy(chunk, f->mem + off, n);
		ret = vm_write_guest(f->vm, f->gpa + off, chunk, n);
	}
	page_free(chunk, (1u << 20) / PAGE_SIZE);
	return ret;
}

int vm_flash_create(struct vm_flash *f, struct vm *vm, const struct vm_flash_config *cfg)
{
	uint64_t pages = cfg->size / PAGE_SIZE;
	uint64_t align = cfg->size % FLASH_LARGE_PAGE ? 1 : FLASH_LARGE_PAGE / PAGE_SIZE;
	uint64_t offset = 0;
	struct pflash_config pc;

	memset(f, 0, sizeof(*f));
	f->vm = vm;
	f->name = cfg->name;
	if (vm->flash_bank_count < VM_FLASH_BANKS_MAX)
		vm->flash_banks[vm->flash_bank_count++] = f;
	f->gpa = cfg->gpa;
	f->size = cfg->size;
	vtimer_init(&f->remap_timer, flash_remap_timer, f);
	if (!cfg->size || cfg->size % PAGE_SIZE || cfg->gpa % PAGE_SIZE ||
	    cfg->image_size > cfg->size) {
		log_error("VM %s: flash bank %s: %zu bytes do not fit its %llu bytes", vm->name,
			  cfg->name, cfg->image_size, (unsigned long long)cfg->size);
		return -EINVAL;
	}
	f->mem = page_alloc_aligned(pages, align);
	if (!f->mem) {
		log_error("VM %s: no memory for flash bank %s (%llu KiB)", vm->name, cfg->name,
			  (unsigned long long)(cfg->size >> 10));
		return -ENOMEM;
	}
	/* What the image does not cover is erased flash. */
	memset(f->mem, 0xFF, cfg->size);
	if (cfg->host_store) {
		int ret = open_host_store(f, cfg->host_store);

		if (ret)
			return ret;
	}
	pc = (struct pflash_config){
		.name = cfg->name,
		.base = cfg->gpa,
		.mem = f->mem,
		.size = cfg->size,
		.block_size = cfg->block_size,
		.bank_width = cfg->bank_width,
		.device_width = cfg->device_width,
		.read_only = cfg->read_only,
		.store = f->store,
		.mode_changed = flash_mode_changed,
		.ctx = f,
	};
	f->flash = pflash_create(vm->bus, &pc);
	if (!f->flash)
		return -ENOMEM;
	f->want_mapped = true;
	flash_map(f, true);
	if (!f->mapped)
		return -ENOMEM;
	/* Through the guest mapping: cleaned to the point of coherency for a
	 * guest that starts with its MMU and caches off (aarch64). */
	if (f->store)
		return write_through_mapping(f);
	if (!cfg->image || !cfg->image_size)
		return 0;
	if (cfg->image_at_top)
		offset = cfg->size - cfg->image_size;
	return vm_write_guest(vm, f->gpa + offset, cfg->image, cfg->image_size);
}

void vm_flash_reset(struct vm_flash *f)
{
	if (!f->flash)
		return;
	pflash_reset(f->flash);
	vtimer_cancel(&f->vm->clock, &f->remap_timer);
	f->want_mapped = true;
	f->window_start = vclock_now(&f->vm->clock);
	f->maps_in_window = 0;
	flash_map(f, true);
}

bool vm_flash_map_on_demand(struct vm *vm, uint64_t addr)
{
	for (unsigned int i = 0; i < vm->flash_bank_count; i++) {
		struct vm_flash *f = vm->flash_banks[i];

		if (addr < f->gpa || addr - f->gpa >= f->size || !f->want_mapped || f->mapped)
			continue;
		vtimer_cancel(&f->vm->clock, &f->remap_timer);
		flash_map(f, true);
		return f->mapped;
	}
	return false;
}

void vm_flash_destroy(struct vm_flash *f)
{
	if (f->vm) {
		for (unsigned int i = 0; i < f->vm->flash_bank_count; i++)
			if (f->vm->flash_banks[i] == f)
				f->vm->flash_banks[i] = f->vm->flash_banks[--f->vm->flash_bank_count];
	}
	if (f->vm)
		vtimer_cancel(&f->vm->clock, &f->remap_timer);
	/* First: waits for the store's writes, whose completions reach the bank. */
	if (f->store)
		blockdev_destroy(f->store);
	if (f->flash)
		pflash_destroy(f->flash);
	if (f->mapped)
		gspace_unmap(f->vm->gs, f->gpa, f->size);
	if (f->mem)
		page_free(f->mem, f->size / PAGE_SIZE);
	memset(f, 0, sizeof(*f));
}
