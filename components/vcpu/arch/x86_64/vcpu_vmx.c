/* SPDX-License-Identifier: MIT */
/*
 * <vcpu/vcpu.h> and <vcpu/gspace.h> on Intel VMX: not written yet.
 *
 * Until the VMX backend exists (a VMCS per vCPU, VMLAUNCH/VMRESUME, the
 * exit reason and qualification decoded into struct vcpu_exit, EPT for
 * struct gspace), every call fails plainly: creating a vCPU or an address
 * space returns NULL and logs why once, so the image builds and says
 * what is missing instead of pretending to run a guest.
 */
#include <errno.h>
#include <stdio.h>

#include <core/log.h>
#include <vcpu/gspace.h>
#include <vcpu/selftest.h>
#include <vcpu/vcpu.h>

static void report_missing(void)
{
	static bool reported;

	if (!reported) {
		reported = true;
		log_warn("vcpu: guests on Intel VMX are not implemented yet");
	}
}

struct gspace *gspace_create(void)
{
	report_missing();
	return NULL;
}

void gspace_destroy(struct gspace *gs)
{
	(void)gs;
}

int gspace_map(struct gspace *gs, uint64_t gpa, uint64_t hpa, uint64_t size,
	       unsigned int access, enum gspace_memtype type)
{
	(void)gs, (void)gpa, (void)hpa, (void)size, (void)access, (void)type;
	return -ENOSYS;
}

int gspace_unmap(struct gspace *gs, uint64_t gpa, uint64_t size)
{
	(void)gs, (void)gpa, (void)size;
	return -ENOSYS;
}

bool gspace_translate(const struct gspace *gs, uint64_t gpa, uint64_t *hpa,
		      unsigned int *access, enum gspace_memtype *type)
{
	(void)gs, (void)gpa, (void)hpa, (void)access, (void)type;
	return false;
}

int gspace_write(struct gspace *gs, uint64_t gpa, const void *src, size_t len)
{
	(void)gs, (void)gpa, (void)src, (void)len;
	return -ENOSYS;
}

uint64_t gspace_limit(const struct gspace *gs)
{
	(void)gs;
	return 0;
}

size_t gspace_table_pages(const struct gspace *gs)
{
	(void)gs;
	return 0;
}

struct vcpu *vcpu_create(struct gspace *gs, unsigned int index)
{
	(void)gs, (void)index;
	report_missing();
	return NULL;
}

/* No vCPU can exist, so the calls below are never reached with one. */
void vcpu_destroy(struct vcpu *v) { (void)v; }
unsigned int vcpu_index(const struct vcpu *v) { (void)v; return 0; }

void vcpu_set_entry(struct vcpu *v, uint64_t pc, const uint64_t *args, unsigned int nargs)
{
	(void)v, (void)pc, (void)args, (void)nargs;
}

int vcpu_get_reg(const struct vcpu *v, unsigned int reg, uint64_t *value)
{
	(void)v, (void)reg, (void)value;
	return -ENOSYS;
}

int vcpu_set_reg(struct vcpu *v, unsigned int reg, uint64_t value)
{
	(void)v, (void)reg, (void)value;
	return -ENOSYS;
}

int vcpu_run(struct vcpu *v, struct vcpu_exit *exit)
{
	(void)v;
	exit->reason = VCPU_EXIT_FAILED;
	snprintf(exit->failed.reason, sizeof(exit->failed.reason),
		 "guests on Intel VMX are not implemented yet");
	return -ENOSYS;
}

int vcpu_complete_read(struct vcpu *v, uint64_t data)
{
	(void)v, (void)data;
	return -ENOSYS;
}

int vcpu_complete_hypercall(struct vcpu *v, const uint64_t *results, unsigned int count)
{
	(void)v, (void)results, (void)count;
	return -ENOSYS;
}

void vcpu_kick(struct vcpu *v) { (void)v; }

void vcpu_set_irq_ops(struct vcpu *v, const struct vcpu_irq_ops *ops, void *opaque)
{
	(void)v, (void)ops, (void)opaque;
}

uint64_t vcpu_exit_count(const struct vcpu *v, enum vcpu_exit_reason reason)
{
	(void)v, (void)reason;
	return 0;
}

/* No x86 self-test guest yet: vcpu_selftest_run() says so. */
const struct vcpu_selftest_guest *vcpu_arch_selftest_guest(void)
{
	return NULL;
}
