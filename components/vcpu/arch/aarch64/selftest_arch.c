/* SPDX-License-Identifier: MIT */
/* The aarch64 guest of the vCPU self-test: selftest_guest.S at QEMU virt addresses. */
#include <vcpu/selftest.h>

extern const char vcpu_selftest_guest_start[], vcpu_selftest_guest_end[];

const struct vcpu_selftest_guest *vcpu_arch_selftest_guest(void)
{
	static struct vcpu_selftest_guest guest = {
		.ram_gpa = 0x40000000,     /* RAM on QEMU virt   */
		.uart_gpa = 0x09000000,    /* PL011 on QEMU virt */
	};

	guest.code = vcpu_selftest_guest_start;
	guest.size = (size_t)(vcpu_selftest_guest_end - vcpu_selftest_guest_start);
	return &guest;
}
