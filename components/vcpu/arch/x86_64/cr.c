/* SPDX-License-Identifier: MIT */
/*
 * Writes to CR0, CR4 and CR8 that exit (MOV to CR, CLTS, LMSW): the bits
 * the vendor keeps for itself (VMX: the CR0/CR4 guest/host masks) change
 * only here.  A bad value is #GP; a CR0.PG change with EFER.LME set is
 * the switch into or out of IA-32e mode the processor did not make
 * because the write exited.  x86_cr0_policy() and x86_cr4_policy() are
 * pure: old and new values in, accept or #GP (and the new EFER) out.
 */
#include "x86_vcpu.h"

#define CR0_PE (1ull << 0)
#define CR0_PG (1ull << 31)
#define EFER_LMA (1ull << 10)

bool x86_cr0_policy(uint64_t old_cr0, uint64_t value, uint64_t cr4, uint64_t *efer,
		    bool in_64bit_mode)
{
	if ((value >> 32) || ((value & CR0_PG) && !(value & CR0_PE)) ||
	    ((value & X86_CR0_NW) && !(value & X86_CR0_CD)))
		return false;
	if (!(old_cr0 & CR0_PG) && (value & CR0_PG) && (*efer & X86_EFER_LME)) {
		if (!(cr4 & X86_CR4_PAE))
			return false;
		*efer |= EFER_LMA;
	} else if ((old_cr0 & CR0_PG) && !(value & CR0_PG) && (*efer & EFER_LMA)) {
		if (in_64bit_mode)
			return false;
		*efer &= ~EFER_LMA;
	}
	return true;
}

bool x86_cr4_policy(uint64_t value, uint64_t efer, uint64_t allowed)
{
	if (value & ~allowed)
		return false;
	/* IA-32e mode needs PAE paging. */
	return !((efer & EFER_LMA) && !(value & X86_CR4_PAE));
}

static bool write_cr0(struct vcpu *v, uint64_t value)
{
	uint64_t old = x86_get_cr0(v), efer = x86_get_efer(v), new_efer = efer;

	if (!x86_cr0_policy(old, value, x86_get_cr4(v), &new_efer, x86_in_64bit_mode(v)))
		return false;
	if (new_efer != efer)
		x86_set_efer(v, new_efer);
	x86_set_cr0(v, value);
	if ((old ^ value) & CR0_PG)
		x86_paging_changed(v);
	return true;
}

static bool write_cr4(struct vcpu *v, uint64_t value)
{
	uint64_t old = x86_get_cr4(v);

	if (!x86_cr4_policy(value, x86_get_efer(v), x86_host_caps()->cr4_allowed))
		return false;
	x86_set_cr4(v, value);
	if ((old ^ value) & (X86_CR4_PAE | X86_CR4_PGE | X86_CR4_PSE))
		x86_paging_changed(v);
	return true;
}

enum x86_action x86_handle_cr_write(struct vcpu *v, enum x86_cr_access type, unsigned int cr,
				    uint64_t source, uint64_t *cr8)
{
	bool ok = true;

	switch (type) {
	case X86_CR_MOV_TO:
		if (!x86_in_64bit_mode(v))
			source &= 0xffffffffull;
		if (cr == 0)
			ok = write_cr0(v, source);
		else if (cr == 4)
			ok = write_cr4(v, source);
		else if (cr == 8 && source <= 15)
			*cr8 = source;
		else
			ok = false;
		break;
	case X86_CR_CLTS:
		ok = write_cr0(v, x86_get_cr0(v) & ~X86_CR0_TS);
		break;
	default:  /* LMSW: PE, MP, EM, TS; it can set PE but not clear it */
		ok = write_cr0(v, (x86_get_cr0(v) & ~0xeull) | (source & 0xf));
		break;
	}
	if (!ok) {
		x86_inject_exception(v, X86_VECTOR_GP, true, 0);
		return X86_RESUME;
	}
	x86_skip_instruction(v);
	return X86_RESUME;
}
