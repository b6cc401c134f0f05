/* SPDX-License-Identifier: MIT */
/*
 * The firmware's table loader ("linker/loader") script, fw_cfg file
 * etc/table-loader, as QEMU defines it and SeaBIOS and OVMF execute it.
 *
 * The script is an array of 128-byte commands, all numbers little-endian,
 * file names NUL-terminated in 56 bytes:
 *
 *   ALLOCATE     (1)  file, align u32, zone u8
 *                     read the fw_cfg file into memory the firmware
 *                     allocates: zone HIGH (1) anywhere below 4 GiB,
 *                     zone FSEG (2) in 0xE0000..0xFFFFF where the OS
 *                     looks for the RSDP
 *   ADD_POINTER  (2)  dest file, src file, offset u32, size u8
 *                     the size-byte number at dest+offset (an offset into
 *                     src) gets the address where src was loaded added
 *   ADD_CHECKSUM (3)  file, offset u32, start u32, length u32
 *                     the byte at offset is decreased by the sum of
 *                     bytes start..start+length, making that sum 0
 *   WRITE_POINTER(4)  not used here (writes an address back to fw_cfg)
 *
 * Commands run in order, so a table's checksum comes after every pointer
 * inside it has been patched.
 */
#ifndef ACPI_LOADER_H
#define ACPI_LOADER_H

#include <stddef.h>
#include <stdint.h>

#define ACPI_LOADER_FILE "etc/table-loader"
#define ACPI_LOADER_ENTRY_SIZE 128
#define ACPI_LOADER_FILE_NAME_SIZE 56

enum acpi_loader_command {
	ACPI_LOADER_ALLOCATE = 1,
	ACPI_LOADER_ADD_POINTER = 2,
	ACPI_LOADER_ADD_CHECKSUM = 3,
	ACPI_LOADER_WRITE_POINTER = 4,
};

enum acpi_loader_zone {
	ACPI_LOADER_ZONE_HIGH = 1,
	ACPI_LOADER_ZONE_FSEG = 2,
};

/* Byte offsets inside one command. */
#define ACPI_LOADER_OFF_COMMAND 0
#define ACPI_LOADER_OFF_FILE 4                 /* ALLOCATE, ADD_CHECKSUM; ADD_POINTER dest */
#define ACPI_LOADER_OFF_ALLOC_ALIGN 60
#define ACPI_LOADER_OFF_ALLOC_ZONE 64
#define ACPI_LOADER_OFF_POINTER_SRC 60
#define ACPI_LOADER_OFF_POINTER_OFFSET 116
#define ACPI_LOADER_OFF_POINTER_SIZE 120
#define ACPI_LOADER_OFF_CKSUM_OFFSET 60
#define ACPI_LOADER_OFF_CKSUM_START 64
#define ACPI_LOADER_OFF_CKSUM_LENGTH 68

/* A script being written; zero-initialise, then add commands. */
struct acpi_loader {
	uint8_t *buf;
	size_t len;              /* bytes used, a multiple of 128       */
	size_t capacity;
	int error;               /* first error, sticky (0 = none)      */
};

/*
 * Each adds one command.  File names longer than 55 characters, an
 * alignment that is not a power of two, a pointer size other than 1, 2,
 * 4 or 8, or no memory: the command is not added and the error (-EINVAL,
 * -ENOMEM) is returned and kept in loader->error.
 */
int acpi_loader_allocate(struct acpi_loader *loader, const char *file, uint32_t align,
			 enum acpi_loader_zone zone);
int acpi_loader_add_pointer(struct acpi_loader *loader, const char *dest_file,
			    const char *src_file, uint32_t offset, uint8_t size);
int acpi_loader_add_checksum(struct acpi_loader *loader, const char *file, uint32_t offset,
			     uint32_t start, uint32_t length);
/*
 * Appends zero-filled commands (type 0, which is none of the above) until
 * the script is len bytes long: firmware skips commands it does not know
 * (SeaBIOS romfile_loader_execute(), OVMF InstallQemuFwCfgTables()), so a
 * script can keep its size when it has less to do.  0; -EINVAL if len is
 * not a multiple of 128 or below the script's length (kept in
 * loader->error, like -ENOMEM).
 */
int acpi_loader_pad(struct acpi_loader *loader, size_t len);
/* Frees the script's buffer and resets it to empty. */
void acpi_loader_release(struct acpi_loader *loader);

#endif
