/* SPDX-License-Identifier: MIT */
/* Reading ELF executables for loading them (see <lib/elf.h>). */
#include <lib/elf.h>

#include <errno.h>
#include <stdio.h>
#include <string.h>

#define EI_CLASS     4
#define EI_DATA      5
#define ELFCLASS32   1
#define ELFCLASS64   2
#define ELFDATA2LSB  1
#define PT_LOAD      1
#define PT_NOTE      4

static uint64_t get(const uint8_t *p, unsigned int bytes)
{
	uint64_t v = 0;

	for (unsigned int i = bytes; i > 0; i--)
		v = (v << 8) | p[i - 1];
	return v;
}

bool elf_has_magic(const void *file, size_t size)
{
	return size >= 4 && memcmp(file, "\x7f" "ELF", 4) == 0;
}

/* Where the fields of the header and of a program header are, per class. */
struct layout {
	unsigned int ehsize, word;                         /* header size, address size */
	unsigned int entry, phoff, phentsize, phnum;       /* header fields             */
	unsigned int phsize;                               /* one program header        */
	unsigned int p_offset, p_vaddr, p_paddr, p_filesz, p_memsz;
};

static const struct layout layout32 = {
	.ehsize = 52, .word = 4, .entry = 24, .phoff = 28, .phentsize = 42, .phnum = 44,
	.phsize = 32, .p_offset = 4, .p_vaddr = 8, .p_paddr = 12, .p_filesz = 16, .p_memsz = 20,
};
static const struct layout layout64 = {
	.ehsize = 64, .word = 8, .entry = 24, .phoff = 32, .phentsize = 54, .phnum = 56,
	.phsize = 56, .p_offset = 8, .p_vaddr = 16, .p_paddr = 24, .p_filesz = 32, .p_memsz = 40,
};

/* The layout of the file's class after checking the identification; NULL with err set. */
static const struct layout *identify(const uint8_t *f, size_t size, char *err, size_t err_len)
{
	const struct layout *l;

	if (!elf_has_magic(f, size) || size < 16) {
		snprintf(err, err_len, "is not an ELF file");
		return NULL;
	}
	if (f[EI_CLASS] != ELFCLASS32 && f[EI_CLASS] != ELFCLASS64) {
		snprintf(err, err_len, "is an ELF file of unknown class %u", f[EI_CLASS]);
		return NULL;
	}
	if (f[EI_DATA] != ELFDATA2LSB) {
		snprintf(err, err_len, "is a big-endian ELF file");
		return NULL;
	}
	l = f[EI_CLASS] == ELFCLASS64 ? &layout64 : &layout32;
	if (size < l->ehsize) {
		snprintf(err, err_len, "is an ELF file cut short in its header");
		return NULL;
	}
	return l;
}

/* The program header table, checked to lie inside the file; NULL with err set. */
static const uint8_t *program_headers(const uint8_t *f, size_t size, const struct layout *l,
				      unsigned int *count, char *err, size_t err_len)
{
	uint64_t phoff = get(f + l->phoff, l->word);
	unsigned int entsize = (unsigned int)get(f + l->phentsize, 2);
	unsigned int num = (unsigned int)get(f + l->phnum, 2);

	if (num == 0) {
		snprintf(err, err_len, "is an ELF file without program headers (not an executable)");
		return NULL;
	}
	if (entsize < l->phsize || phoff > size || (uint64_t)entsize * num > size - phoff) {
		snprintf(err, err_len, "is an ELF file whose program headers lie outside it");
		return NULL;
	}
	*count = num;
	return f + phoff;
}

int elf_parse(const void *file, size_t size, struct elf_image *out, char *err, size_t err_len)
{
	const uint8_t *f = file, *ph;
	const struct layout *l;
	unsigned int num, entsize;

	memset(out, 0, sizeof(*out));
	l = identify(f, size, err, err_len);
	if (!l)
		return -EINVAL;
	ph = program_headers(f, size, l, &num, err, err_len);
	if (!ph)
		return -EINVAL;
	entsize = (unsigned int)get(f + l->phentsize, 2);
	out->bits = l->word * 8;
	out->type = (uint16_t)get(f + 16, 2);
	out->machine = (uint16_t)get(f + 18, 2);
	out->entry = get(f + l->entry, l->word);
	out->lowest = UINT64_MAX;
	for (unsigned int i = 0; i < num; i++, ph += entsize) {
		struct elf_segment s;

		if (get(ph, 4) != PT_LOAD)
			continue;
		s.offset = get(ph + l->p_offset, l->word);
		s.vaddr = get(ph + l->p_vaddr, l->word);
		s.paddr = get(ph + l->p_paddr, l->word);
		s.filesz = get(ph + l->p_filesz, l->word);
		s.memsz = get(ph + l->p_memsz, l->word);
		if (s.memsz == 0)
			continue;
		if (s.filesz > s.memsz || s.offset > size || s.filesz > size - s.offset) {
			snprintf(err, err_len, "is an ELF file whose segment %u lies outside it", i);
			return -EINVAL;
		}
		if (s.paddr > UINT64_MAX - s.memsz ||
		    (out->bits == 32 && s.paddr + s.memsz > 0x100000000ULL)) {
			snprintf(err, err_len, "is an ELF file whose segment %u wraps around the "
				 "address space", i);
			return -EINVAL;
		}
		if (out->segment_count == ELF_MAX_SEGMENTS) {
			snprintf(err, err_len, "is an ELF file with more than %u loadable segments",
				 ELF_MAX_SEGMENTS);
			return -EINVAL;
		}
		out->segments[out->segment_count++] = s;
		if (s.paddr < out->lowest)
			out->lowest = s.paddr;
		if (s.paddr + s.memsz > out->highest)
			out->highest = s.paddr + s.memsz;
	}
	if (!out->segment_count) {
		snprintf(err, err_len, "is an ELF file with nothing to load (no PT_LOAD segment)");
		return -EINVAL;
	}
	return 0;
}

bool elf_find_note(const void *file, size_t size, const char *name, uint32_t type,
		   const uint8_t **desc, size_t *desc_size)
{
	const uint8_t *f = file, *ph;
	const struct layout *l;
	unsigned int num, entsize;
	size_t name_len = strlen(name) + 1;        /* namesz counts the NUL */
	char err[8];

	l = identify(f, size, err, sizeof(err));
	if (!l)
		return false;
	ph = program_headers(f, size, l, &num, err, sizeof(err));
	if (!ph)
		return false;
	entsize = (unsigned int)get(f + l->phentsize, 2);
	for (unsigned int i = 0; i < num; i++, ph += entsize) {
		uint64_t off = get(ph + l->p_offset, l->word);
		uint64_t len = get(ph + l->p_filesz, l->word);

		if (get(ph, 4) != PT_NOTE || off > size || len > size - off)
			continue;
		/* Each note: namesz, descsz, type, then name and desc padded to 4 bytes. */
		while (len >= 12) {
			const uint8_t *n = f + off;
			uint64_t namesz = get(n, 4), descsz = get(n + 4, 4);
			uint64_t name_pad = (namesz + 3) & ~3ULL, desc_pad = (descsz + 3) & ~3ULL;

			if (name_pad > len - 12 || desc_pad > len - 12 - name_pad)
				break;
			if (get(n + 8, 4) == type && namesz == name_len &&
			    memcmp(n + 12, name, name_len) == 0) {
				*desc = n + 12 + name_pad;
				*desc_size = (size_t)descsz;
				return true;
			}
			off += 12 + name_pad + desc_pad;
			len -= 12 + name_pad + desc_pad;
		}
	}
	return false;
}

const char *elf_machine_name(uint16_t machine, char *buf, size_t len)
{
	switch (machine) {
	case ELF_MACHINE_AARCH64: return "aarch64";
	case ELF_MACHINE_X86_64:  return "x86-64";
	case ELF_MACHINE_X86:     return "i386";
	}
	snprintf(buf, len, "machine %u", machine);
	return buf;
}
