/* SPDX-License-Identifier: MIT */
/*
 * Writing ACPI Machine Language (AML), the byte code of DSDT/SSDT tables,
 * for the few constructs a device description needs: scopes, devices,
 * named integers, strings and EISA ids, and _CRS resource templates with
 * I/O ports, fixed 32-bit memory and interrupts.  The encodings are those
 * of the ACPI specification (6.x, chapter 20 "ACPI Machine Language
 * Specification" and 6.4 "Resource Data Types"); the host tests compare
 * the bytes with what iasl compiles from the same ASL.
 *
 * Like the device-tree writer, errors are sticky: after the first one
 * (buffer full, misuse) every call does nothing and aml_finish() returns
 * it.  Objects that contain others (scope, device, resource buffer) are
 * opened and closed; their package lengths are written when they close.
 */
#ifndef LIB_AML_WRITER_H
#define LIB_AML_WRITER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define AML_MAX_DEPTH 8

struct aml_writer {
	uint8_t *buf;
	size_t size;
	size_t len;
	size_t open[AML_MAX_DEPTH];    /* where each open object's body starts */
	uint8_t kind[AML_MAX_DEPTH];
	unsigned int depth;
	int error;                     /* 0 or the first negative errno       */
};

void aml_init(struct aml_writer *a, void *buf, size_t size);

/* Scope (\_SB.PCI0.ISA) { ... }: path absolute ("\\_SB.PCI0") or one segment. */
void aml_scope_begin(struct aml_writer *a, const char *path);
/* Device (COM1) { ... }: name of 1 to 4 characters (padded with '_'). */
void aml_device_begin(struct aml_writer *a, const char *name);
/* Closes the innermost scope or device. */
void aml_end(struct aml_writer *a);

/* Name (name, value) with the shortest integer encoding. */
void aml_name_integer(struct aml_writer *a, const char *name, uint64_t value);
void aml_name_string(struct aml_writer *a, const char *name, const char *value);
/* Name (_HID, EisaId ("PNP0501")). */
void aml_name_eisa_id(struct aml_writer *a, const char *name, const char *id);
/* Whether id is an EISA id: three capital letters and four hex digits. */
bool aml_is_eisa_id(const char *id);
/* The 32-bit value EisaId() compiles to (0 for a malformed id). */
uint32_t aml_eisa_id(const char *id);

/* Name (_CRS, ResourceTemplate () { ... }) */
void aml_resources_begin(struct aml_writer *a, const char *name);
/* IO (Decode16, base, base, 0x01, length) */
void aml_resource_io(struct aml_writer *a, uint16_t base, uint8_t length);
/* Memory32Fixed (ReadWrite, base, length) */
void aml_resource_memory32_fixed(struct aml_writer *a, uint32_t base, uint32_t length);
/* IRQNoFlags () {irq}: an ISA interrupt, edge, active high (irq < 16). */
void aml_resource_irq_noflags(struct aml_writer *a, unsigned int irq);
/* Interrupt (ResourceConsumer, Level/Edge, ActiveHigh/Low, Exclusive/Shared) {gsi} */
void aml_resource_interrupt(struct aml_writer *a, uint32_t gsi, bool level, bool active_high,
			    bool shared);
void aml_resources_end(struct aml_writer *a);

/* Length of the AML written, or the first error (-ENOSPC, -EINVAL when
 * objects are left open or names are malformed). */
long aml_finish(struct aml_writer *a);

#endif
