/* SPDX-License-Identifier: MIT */
/* What the table builders of the acpi component share (common.c). */
#ifndef ACPI_INTERNAL_H
#define ACPI_INTERNAL_H

#include <stdint.h>

/* Standard table header (ACPI 6.5 section 5.2.6): its checksum byte. */
#define ACPI_HDR_CHECKSUM 9
#define ACPI_DSDT_REVISION 2                 /* 64-bit integers in its AML */

/* RSDP (5.2.5.3). */
#define ACPI_RSDP_CHECKSUM 8
#define ACPI_RSDP_RSDT_ADDRESS 16
#define ACPI_RSDP_XSDT_ADDRESS 24
#define ACPI_RSDP_EXT_CHECKSUM 32
#define ACPI_RSDP_V1_SIZE 20

/* Little-endian stores. */
void acpi_put16(uint8_t *p, uint16_t value);
void acpi_put32(uint8_t *p, uint32_t value);
void acpi_put64(uint8_t *p, uint64_t value);
/* A table header with everything but the checksum (left 0 for the loader). */
void acpi_put_header(uint8_t *table, const char *signature, uint32_t length, uint8_t revision);
/* An ACPI 2.0 RSDP whose RSDT/XSDT addresses are offsets (0: no RSDT). */
void acpi_build_rsdp(uint8_t *rsdp, uint32_t rsdt_offset, uint32_t xsdt_offset);

#endif
