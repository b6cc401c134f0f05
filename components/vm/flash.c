/* SPDX-License-Identifier: MIT */
/* A VM's flash bank: pflash on mapped memory (see <vm/flash.h>). */
#include <errno.h>
#include <string.h>

#include <core/log.h>
#include <core/mm.h>
#include <pflash/pflash.h>
#include <vcpu/gspace.h>
#include <vm/flash.h>
#include <vm/vm.h>

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

/* pflash: the bank entered or left read-array mode. */
static void flash_mode_changed(void *ctx, bool array_mode)
{
	flash_map(ctx, array_mode);
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
	f->gpa = cfg->gpa;
	f->size = cfg->size;
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
	pc = (struct pflash_config){
		.name = cfg->name,
		.base = cfg->gpa,
		.mem = f->mem,
		.size = cfg->size,
		.block_size = cfg->block_size,
		.bank_width = cfg->bank_width,
		.device_width = cfg->device_width,
		.read_only = cfg->read_only,
		.mode_changed = flash_mode_changed,
		.ctx = f,
	};
	f->flash = pflash_create(vm->bus, &pc);
	if (!f->flash)
		return -ENOMEM;
	flash_map(f, true);
	if (!f->mapped)
		return -ENOMEM;
	if (!cfg->image || !cfg->image_size)
		return 0;
	if (cfg->image_at_top)
		offset = cfg->size - cfg->image_size;
	/* Through the guest mapping: cleaned to the point of coherency for a
	 * guest that starts with its MMU and caches off (aarch64). */
	return vm_write_guest(vm, f->gpa + offset, cfg->image, cfg->image_size);
}

void vm_flash_reset(struct vm_flash *f)
{
	if (!f->flash)
		return;
	pflash_reset(f->flash);
	flash_map(f, true);
}

void vm_flash_destroy(struct vm_flash *f)
{
	if (f->flash)
		pflash_destroy(f->flash);
	if (f->mapped)
		gspace_unmap(f->vm->gs, f->gpa, f->size);
	if (f->mem)
		page_free(f->mem, f->size / PAGE_SIZE);
	memset(f, 0, sizeof(*f));
}
