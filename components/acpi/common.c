/* SPDX-License-Identifier: MIT */
/* Pieces every ACPI table builder uses (see acpi_internal.h). */
#include <string.h>

#include <acpi/acpi.h>

#include "acpi_internal.h"

#define OEM_ID "TESSRA"                 /* 6 bytes */
#define OEM_TABLE_ID "TESSERA "         /* 8 bytes */
#define OEM_REVISION 1
#define CREATOR_ID "TSRA"
#define CREATOR_REVISION 1

#define HDR_LENGTH 4
#define HDR_REVISION 8
#define RSDP_REVISION 15
#define RSDP_LENGTH 20

void acpi_put16(uint8_t *p, uint16_t value)
{
	p[0] = (uint8_t)value;
	p[1] = (uint8_t)(value >> 8);
}

void acpi_put32(uint8_t *p, uint32_t value)
{
	acpi_put16(p, (uint16_t)value);
	acpi_put16(p + 2, (uint16_t)(value >> 16));
}

void acpi_put64(uint8_t *p, uint64_t value)
{
	acpi_put32(p, (uint32_t)value);
	acpi_put32(p + 4, (uint32_t)(value >> 32));
}

void acpi_put_header(uint8_t *table, const char *signature, uint32_t length, uint8_t revision)
{
	memcpy(table, signature, 4);
	acpi_put32(table + HDR_LENGTH, length);
	table[HDR_REVISION] = revision;
	table[ACPI_HDR_CHECKSUM] = 0;
	memcpy(table + 10, OEM_ID, 6);
	memcpy(table + 16, OEM_TABLE_ID, 8);
	acpi_put32(table + 24, OEM_REVISION);
	memcpy(table + 28, CREATOR_ID, 4);
	acpi_put32(table + 32, CREATOR_REVISION);
}

void acpi_build_rsdp(uint8_t *rsdp, uint32_t rsdt_offset, uint32_t xsdt_offset)
{
	memset(rsdp, 0, ACPI_RSDP_SIZE);
	memcpy(rsdp, "RSD PTR ", 8);
	memcpy(rsdp + 9, OEM_ID, 6);
	rsdp[RSDP_REVISION] = 2;
	acpi_put32(rsdp + ACPI_RSDP_RSDT_ADDRESS, rsdt_offset);
	acpi_put32(rsdp + RSDP_LENGTH, ACPI_RSDP_SIZE);
	acpi_put64(rsdp + ACPI_RSDP_XSDT_ADDRESS, xsdt_offset);
}
