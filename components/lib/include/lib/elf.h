/* SPDX-License-Identifier: MIT */
/*
 * Reading an ELF executable the way a boot loader does: the header, the
 * loadable segments (PT_LOAD) and the notes (PT_NOTE).  Both classes
 * (ELF32, ELF64), little-endian only (the ELF specification, "gABI",
 * chapters "ELF Header" and "Program Header").
 *
 * Kernels come in ELF form in several of QEMU's -kernel formats: aarch64
 * ELF executables, x86 Multiboot kernels, x86 PVH kernels (a Xen
 * ELF note gives their 32-bit entry).  The file is untrusted: every offset
 * and size is checked against the file and against overflow before it is
 * returned.  Plain C, tested on the host (tests/test_elf.c, fuzz_elf.c).
 */
#ifndef LIB_ELF_H
#define LIB_ELF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define ELF_MAX_SEGMENTS 16

#define ELF_MACHINE_X86     3
#define ELF_MACHINE_X86_64  62
#define ELF_MACHINE_AARCH64 183

struct elf_segment {
	uint64_t paddr;       /* where it is loaded (p_paddr)            */
	uint64_t vaddr;
	uint64_t offset;      /* its bytes in the file ...               */
	uint64_t filesz;      /* ... this many; the rest up to memsz is 0 */
	uint64_t memsz;
};

struct elf_image {
	unsigned int bits;    /* 32 or 64                                 */
	uint16_t machine;     /* ELF_MACHINE_*                            */
	uint16_t type;        /* 2: executable, 3: shared object (PIE)    */
	uint64_t entry;
	unsigned int segment_count;   /* PT_LOAD segments with memsz > 0  */
	struct elf_segment segments[ELF_MAX_SEGMENTS];
	uint64_t lowest, highest;     /* [lowest, highest): the loaded span by paddr */
};

/* The 4-byte magic "\x7fELF". */
bool elf_has_magic(const void *file, size_t size);

/*
 * Parses the header and program headers.  0, or -EINVAL with one sentence
 * in err (not ELF, big-endian, truncated, a segment outside the file or
 * wrapping around, more than ELF_MAX_SEGMENTS loadable segments).
 */
int elf_parse(const void *file, size_t size, struct elf_image *out, char *err, size_t err_len);

/*
 * The descriptor of the first note with this name and type in the
 * PT_NOTE segments; false if there is none (or the notes are malformed).
 */
bool elf_find_note(const void *file, size_t size, const char *name, uint32_t type,
		   const uint8_t **desc, size_t *desc_size);

/* "aarch64", "x86-64", "i386" or "machine <n>", for messages. */
const char *elf_machine_name(uint16_t machine, char *buf, size_t len);

#endif
