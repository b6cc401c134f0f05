/* SPDX-License-Identifier: MIT */
/*
 * DSDT of the x86 "q35" machine: MCH host bridge at 00:00.0 (PCI Express
 * root complex with ECAM), ICH9 LPC bridge at 00:1F.0 (PIRQ routing,
 * 8259s, ACPI power management).  Compiled with iasl at build time;
 * acpi.c copies the AML into etc/acpi/tables and fills in the named
 * DWord constants below (the 32-bit PCI memory ranges and the ECAM
 * range), which depend on the VM's memory and on where the firmware put
 * the ECAM window (PCIEXBAR).
 *
 * Modelled on QEMU's q35 DSDT (hw/i386/acpi-build.c build_dsdt for q35):
 *   - \_SB.PCI0 (PNP0A08, compatible PNP0A03) with _OSC granting the OS
 *     control of the PCI Express features except native hot-plug,
 *   - _PRT for PIC mode (links LNKA..LNKH over the ICH9 PIRQ route
 *     registers) and for APIC mode (PIRQA..H on GSI 16..23), chosen by
 *     what the OS passed to \_PIC,
 *   - \_SB.DRAC (PNP0C01) reserving the ECAM range, as QEMU does, so
 *     that an OS trusts the MCFG table,
 *   - \_S5.
 * The VM's device instances (COM1, RTC, fw_cfg...) come in an SSDT the
 * machine writes from its device table, under \_SB.PCI0.LPC.
 *
 * See docs/acpi.md.
 */
DefinitionBlock ("", "DSDT", 2, "TESSRA", "TESSERA ", 1)
{
    /* Interrupt model the OS chose: 0 = PIC (8259), 1 = APIC (IOAPIC). */
    Name (PICF, Zero)
    Method (_PIC, 1, NotSerialized)
    {
        PICF = Arg0
    }

    Scope (\_SB)
    {
        Device (PCI0)
        {
            Name (_HID, EisaId ("PNP0A08"))
            Name (_CID, EisaId ("PNP0A03"))
            Name (_ADR, Zero)
            Name (_UID, Zero)
            Name (_BBN, Zero)
            Name (_SEG, Zero)

            /*
             * The 32-bit PCI memory window runs from the end of low RAM
             * to below the IOAPIC, minus the ECAM range: up to two
             * ranges, first and last byte each.  A range whose first
             * byte is above its last is empty and left out of _CRS.
             * acpi.c rewrites all four DWord constants; the values here
             * are those of a VM with 2 GiB of low RAM and the ECAM at
             * 0xB0000000 (SeaBIOS's choice).
             */
            Name (PW1L, 0x80000000)
            Name (PW1H, 0xAFFFFFFF)
            Name (PW2L, 0xC0000000)
            Name (PW2H, 0xFEBFFFFF)

            Method (_CRS, 0, Serialized)
            {
                Name (RSRC, ResourceTemplate ()
                {
                    WordBusNumber (ResourceProducer, MinFixed, MaxFixed, PosDecode,
                        0x0000, 0x0000, 0x00FF, 0x0000, 0x0100)
                    /* The configuration ports themselves belong to the bridge. */
                    IO (Decode16, 0x0CF8, 0x0CF8, 0x01, 0x08)
                    WordIO (ResourceProducer, MinFixed, MaxFixed, PosDecode, EntireRange,
                        0x0000, 0x0000, 0x0CF7, 0x0000, 0x0CF8)
                    WordIO (ResourceProducer, MinFixed, MaxFixed, PosDecode, EntireRange,
                        0x0000, 0x0D00, 0xFFFF, 0x0000, 0xF300)
                    /* Legacy VGA window. */
                    DWordMemory (ResourceProducer, PosDecode, MinFixed, MaxFixed, Cacheable, ReadWrite,
                        0x00000000, 0x000A0000, 0x000BFFFF, 0x00000000, 0x00020000)
                })
                /* The range below the ECAM. */
                Name (RSW1, ResourceTemplate ()
                {
                    DWordMemory (ResourceProducer, PosDecode, MinFixed, MaxFixed, NonCacheable, ReadWrite,
                        0x00000000, 0x80000000, 0xAFFFFFFF, 0x00000000, 0x30000000,
                        ,, PW1, AddressRangeMemory, TypeStatic)
                })
                /* The range above the ECAM. */
                Name (RSW2, ResourceTemplate ()
                {
                    DWordMemory (ResourceProducer, PosDecode, MinFixed, MaxFixed, NonCacheable, ReadWrite,
                        0x00000000, 0xC0000000, 0xFEBFFFFF, 0x00000000, 0x3EC00000,
                        ,, PW2, AddressRangeMemory, TypeStatic)
                })
                CreateDWordField (RSW1, \_SB.PCI0._CRS.PW1._MIN, W1MN)
                CreateDWordField (RSW1, \_SB.PCI0._CRS.PW1._MAX, W1MX)
                CreateDWordField (RSW1, \_SB.PCI0._CRS.PW1._LEN, W1LN)
                CreateDWordField (RSW2, \_SB.PCI0._CRS.PW2._MIN, W2MN)
                CreateDWordField (RSW2, \_SB.PCI0._CRS.PW2._MAX, W2MX)
                CreateDWordField (RSW2, \_SB.PCI0._CRS.PW2._LEN, W2LN)

                Local0 = RSRC
                If (PW1L <= PW1H)
                {
                    W1MN = PW1L
                    W1MX = PW1H
                    W1LN = PW1H - PW1L + One
                    ConcatenateResTemplate (Local0, RSW1, Local1)
                    Local0 = Local1
                }
                If (PW2L <= PW2H)
                {
                    W2MN = PW2L
                    W2MX = PW2H
                    W2LN = PW2H - PW2L + One
                    ConcatenateResTemplate (Local0, RSW2, Local1)
                    Local0 = Local1
                }
                Return (Local0)
            }

            /*
             * PCI Express control (PCI Firmware Specification 3.0, 4.5):
             * the OS may have what it asks for among PME, AER, SHPC
             * hot-plug and capability structure control (mask 0x1E), not
             * native PCIe hot-plug (bit 0): the machine has no hot-plug.
             * CDW1 reports errors: bit 2 unrecognized UUID, bit 3
             * unrecognized revision, bit 4 capabilities masked.
             */
            Method (_OSC, 4, NotSerialized)
            {
                CreateDWordField (Arg3, Zero, CDW1)
                If (Arg0 == ToUUID ("33db4d5b-1ff7-401c-9657-7441c03dd766"))
                {
                    CreateDWordField (Arg3, 0x08, CDW3)
                    Local0 = CDW3 & 0x1E
                    If (Arg1 != One)
                    {
                        CDW1 |= 0x08
                    }
                    If (CDW3 != Local0)
                    {
                        CDW1 |= 0x10
                    }
                    CDW3 = Local0
                }
                Else
                {
                    CDW1 |= 0x04
                }
                Return (Arg3)
            }

            /*
             * PIRQ (0 = A .. 7 = H) that pin Arg1 (0 = INTA) of slot Arg0
             * reaches, as QEMU's ICH9 wires them (hw/isa/lpc_ich9.c): the
             * slots 0..24 swizzled over PIRQE..H, the ICH9's own
             * functions in slots 25..29 and 31 INTA..INTD -> PIRQA..D,
             * the DMI-to-PCI bridge in slot 30 INTA..INTD -> PIRQE..H.
             */
            Method (SPIR, 2, NotSerialized)
            {
                If (Arg0 < 25)
                {
                    Return (4 + ((Arg0 + Arg1) & 3))
                }
                If (Arg0 == 30)
                {
                    Return (4 + Arg1)
                }
                Return (Arg1)
            }

            /* The _PRT entry's Source for a PIRQ in PIC mode: its link. */
            Method (PLNK, 1, NotSerialized)
            {
                If (Arg0 == 0)
                {
                    Return (Package (4) { Zero, Zero, LNKA, Zero })
                }
                If (Arg0 == 1)
                {
                    Return (Package (4) { Zero, Zero, LNKB, Zero })
                }
                If (Arg0 == 2)
                {
                    Return (Package (4) { Zero, Zero, LNKC, Zero })
                }
                If (Arg0 == 3)
                {
                    Return (Package (4) { Zero, Zero, LNKD, Zero })
                }
                If (Arg0 == 4)
                {
                    Return (Package (4) { Zero, Zero, LNKE, Zero })
                }
                If (Arg0 == 5)
                {
                    Return (Package (4) { Zero, Zero, LNKF, Zero })
                }
                If (Arg0 == 6)
                {
                    Return (Package (4) { Zero, Zero, LNKG, Zero })
                }
                Return (Package (4) { Zero, Zero, LNKH, Zero })
            }

            /*
             * Interrupt routing: one entry per (slot, pin), 32 slots by 4
             * pins.  PIC mode: through the links.  APIC mode: PIRQA..H
             * are IOAPIC inputs 16..23 (GSI, no link: level, active low).
             */
            Method (_PRT, 0, NotSerialized)
            {
                Local0 = Package (0x80) {}
                Local1 = Zero
                While (Local1 < 0x80)
                {
                    Local2 = Local1 >> 2            /* slot */
                    Local3 = Local1 & 3             /* pin */
                    Local4 = SPIR (Local2, Local3)  /* PIRQ */
                    If (PICF)
                    {
                        Local5 = Package (4) { Zero, Zero, Zero, Zero }
                        Local5 [3] = 16 + Local4
                    }
                    Else
                    {
                        Local5 = PLNK (Local4)
                    }
                    Local5 [0] = (Local2 << 16) | 0xFFFF
                    Local5 [1] = Local3
                    Local0 [Local1] = Local5
                    Local1++
                }
                Return (Local0)
            }

            /* ICH9 LPC bridge; the SSDT adds the VM's ISA devices to it. */
            Device (LPC)
            {
                Name (_ADR, 0x001F0000)

                /*
                 * PIRQA..D (0x60..0x63) and PIRQE..H (0x68..0x6B) route
                 * registers: bit 7 = disabled, bits 3:0 = ISA IRQ.
                 */
                OperationRegion (PIRQ, PCI_Config, 0x60, 0x0C)
                Field (PIRQ, ByteAcc, NoLock, Preserve)
                {
                    PRQA, 8,
                    PRQB, 8,
                    PRQC, 8,
                    PRQD, 8,
                    Offset (0x08),
                    PRQE, 8,
                    PRQF, 8,
                    PRQG, 8,
                    PRQH, 8
                }

                Device (PIC)
                {
                    Name (_HID, EisaId ("PNP0000"))
                    Name (_CRS, ResourceTemplate ()
                    {
                        IO (Decode16, 0x0020, 0x0020, 0x01, 0x02)
                        IO (Decode16, 0x00A0, 0x00A0, 0x01, 0x02)
                        /* ELCR: edge/level control of the ISA IRQs. */
                        IO (Decode16, 0x04D0, 0x04D0, 0x01, 0x02)
                        IRQNoFlags () {2}
                    })
                }
            }
        }

        /*
         * The ECAM (MMCONFIG) range the MCFG table describes, reserved as
         * a motherboard resource.  First and last byte; acpi.c rewrites
         * both, first above last when the ECAM is disabled.
         */
        Device (DRAC)
        {
            Name (_HID, EisaId ("PNP0C01"))
            Name (_UID, Zero)
            Name (ECML, 0xB0000000)
            Name (ECMH, 0xBFFFFFFF)
            Method (_STA, 0, NotSerialized)
            {
                If (ECML <= ECMH)
                {
                    Return (0x0F)
                }
                Return (Zero)
            }
            Method (_CRS, 0, Serialized)
            {
                Name (RSRC, ResourceTemplate ()
                {
                    DWordMemory (ResourceConsumer, PosDecode, MinFixed, MaxFixed, NonCacheable, ReadWrite,
                        0x00000000, 0xB0000000, 0xBFFFFFFF, 0x00000000, 0x10000000,
                        ,, ECM, AddressRangeMemory, TypeStatic)
                })
                CreateDWordField (RSRC, \_SB.DRAC._CRS.ECM._MIN, EMIN)
                CreateDWordField (RSRC, \_SB.DRAC._CRS.ECM._MAX, EMAX)
                CreateDWordField (RSRC, \_SB.DRAC._CRS.ECM._LEN, ELEN)
                EMIN = ECML
                EMAX = ECMH
                ELEN = ECMH - ECML + One
                Return (RSRC)
            }
        }

        /* _STA of a PCI link from its route register: 0x09 when disabled. */
        Method (LSTA, 1, NotSerialized)
        {
            If (Arg0 & 0x80)
            {
                Return (0x09)
            }
            Return (0x0B)
        }

        /* _CRS of a PCI link: the routed IRQ, or none when disabled. */
        Method (LCRS, 1, Serialized)
        {
            Name (LRES, ResourceTemplate ()
            {
                Interrupt (ResourceConsumer, Level, ActiveHigh, Shared, , , LIRQ) {0}
            })
            CreateDWordField (LRES, \_SB.LCRS.LIRQ._INT, LNUM)
            If (Arg0 < 0x80)
            {
                LNUM = Arg0 & 0x0F
            }
            Return (LRES)
        }

        /*
         * PCI interrupt links PIRQA..H for PIC mode.  The firmware routes
         * them (SeaBIOS: A..D 10, 10, 11, 11; E..H 10, 10, 11, 11); the
         * OS may move them within _PRS.
         */
        Device (LNKA)
        {
            Name (_HID, EisaId ("PNP0C0F"))
            Name (_UID, Zero)
            Name (_PRS, ResourceTemplate ()
            {
                Interrupt (ResourceConsumer, Level, ActiveHigh, Shared) {5, 10, 11}
            })
            Method (_STA, 0, NotSerialized) { Return (LSTA (\_SB.PCI0.LPC.PRQA)) }
            Method (_CRS, 0, NotSerialized) { Return (LCRS (\_SB.PCI0.LPC.PRQA)) }
            Method (_DIS, 0, NotSerialized) { \_SB.PCI0.LPC.PRQA |= 0x80 }
            Method (_SRS, 1, NotSerialized)
            {
                CreateDWordField (Arg0, 0x05, SIRQ)
                \_SB.PCI0.LPC.PRQA = SIRQ
            }
        }

        Device (LNKB)
        {
            Name (_HID, EisaId ("PNP0C0F"))
            Name (_UID, One)
            Name (_PRS, ResourceTemplate ()
            {
                Interrupt (ResourceConsumer, Level, ActiveHigh, Shared) {5, 10, 11}
            })
            Method (_STA, 0, NotSerialized) { Return (LSTA (\_SB.PCI0.LPC.PRQB)) }
            Method (_CRS, 0, NotSerialized) { Return (LCRS (\_SB.PCI0.LPC.PRQB)) }
            Method (_DIS, 0, NotSerialized) { \_SB.PCI0.LPC.PRQB |= 0x80 }
            Method (_SRS, 1, NotSerialized)
            {
                CreateDWordField (Arg0, 0x05, SIRQ)
                \_SB.PCI0.LPC.PRQB = SIRQ
            }
        }

        Device (LNKC)
        {
            Name (_HID, EisaId ("PNP0C0F"))
            Name (_UID, 2)
            Name (_PRS, ResourceTemplate ()
            {
                Interrupt (ResourceConsumer, Level, ActiveHigh, Shared) {5, 10, 11}
            })
            Method (_STA, 0, NotSerialized) { Return (LSTA (\_SB.PCI0.LPC.PRQC)) }
            Method (_CRS, 0, NotSerialized) { Return (LCRS (\_SB.PCI0.LPC.PRQC)) }
            Method (_DIS, 0, NotSerialized) { \_SB.PCI0.LPC.PRQC |= 0x80 }
            Method (_SRS, 1, NotSerialized)
            {
                CreateDWordField (Arg0, 0x05, SIRQ)
                \_SB.PCI0.LPC.PRQC = SIRQ
            }
        }

        Device (LNKD)
        {
            Name (_HID, EisaId ("PNP0C0F"))
            Name (_UID, 3)
            Name (_PRS, ResourceTemplate ()
            {
                Interrupt (ResourceConsumer, Level, ActiveHigh, Shared) {5, 10, 11}
            })
            Method (_STA, 0, NotSerialized) { Return (LSTA (\_SB.PCI0.LPC.PRQD)) }
            Method (_CRS, 0, NotSerialized) { Return (LCRS (\_SB.PCI0.LPC.PRQD)) }
            Method (_DIS, 0, NotSerialized) { \_SB.PCI0.LPC.PRQD |= 0x80 }
            Method (_SRS, 1, NotSerialized)
            {
                CreateDWordField (Arg0, 0x05, SIRQ)
                \_SB.PCI0.LPC.PRQD = SIRQ
            }
        }

        Device (LNKE)
        {
            Name (_HID, EisaId ("PNP0C0F"))
            Name (_UID, 4)
            Name (_PRS, ResourceTemplate ()
            {
                Interrupt (ResourceConsumer, Level, ActiveHigh, Shared) {5, 10, 11}
            })
            Method (_STA, 0, NotSerialized) { Return (LSTA (\_SB.PCI0.LPC.PRQE)) }
            Method (_CRS, 0, NotSerialized) { Return (LCRS (\_SB.PCI0.LPC.PRQE)) }
            Method (_DIS, 0, NotSerialized) { \_SB.PCI0.LPC.PRQE |= 0x80 }
            Method (_SRS, 1, NotSerialized)
            {
                CreateDWordField (Arg0, 0x05, SIRQ)
                \_SB.PCI0.LPC.PRQE = SIRQ
            }
        }

        Device (LNKF)
        {
            Name (_HID, EisaId ("PNP0C0F"))
            Name (_UID, 5)
            Name (_PRS, ResourceTemplate ()
            {
                Interrupt (ResourceConsumer, Level, ActiveHigh, Shared) {5, 10, 11}
            })
            Method (_STA, 0, NotSerialized) { Return (LSTA (\_SB.PCI0.LPC.PRQF)) }
            Method (_CRS, 0, NotSerialized) { Return (LCRS (\_SB.PCI0.LPC.PRQF)) }
            Method (_DIS, 0, NotSerialized) { \_SB.PCI0.LPC.PRQF |= 0x80 }
            Method (_SRS, 1, NotSerialized)
            {
                CreateDWordField (Arg0, 0x05, SIRQ)
                \_SB.PCI0.LPC.PRQF = SIRQ
            }
        }

        Device (LNKG)
        {
            Name (_HID, EisaId ("PNP0C0F"))
            Name (_UID, 6)
            Name (_PRS, ResourceTemplate ()
            {
                Interrupt (ResourceConsumer, Level, ActiveHigh, Shared) {5, 10, 11}
            })
            Method (_STA, 0, NotSerialized) { Return (LSTA (\_SB.PCI0.LPC.PRQG)) }
            Method (_CRS, 0, NotSerialized) { Return (LCRS (\_SB.PCI0.LPC.PRQG)) }
            Method (_DIS, 0, NotSerialized) { \_SB.PCI0.LPC.PRQG |= 0x80 }
            Method (_SRS, 1, NotSerialized)
            {
                CreateDWordField (Arg0, 0x05, SIRQ)
                \_SB.PCI0.LPC.PRQG = SIRQ
            }
        }

        Device (LNKH)
        {
            Name (_HID, EisaId ("PNP0C0F"))
            Name (_UID, 7)
            Name (_PRS, ResourceTemplate ()
            {
                Interrupt (ResourceConsumer, Level, ActiveHigh, Shared) {5, 10, 11}
            })
            Method (_STA, 0, NotSerialized) { Return (LSTA (\_SB.PCI0.LPC.PRQH)) }
            Method (_CRS, 0, NotSerialized) { Return (LCRS (\_SB.PCI0.LPC.PRQH)) }
            Method (_DIS, 0, NotSerialized) { \_SB.PCI0.LPC.PRQH |= 0x80 }
            Method (_SRS, 1, NotSerialized)
            {
                CreateDWordField (Arg0, 0x05, SIRQ)
                \_SB.PCI0.LPC.PRQH = SIRQ
            }
        }
    }

    /*
     * Soft-off: SLP_TYP 0 in PM1a_CNT, QEMU's value for its ICH9 PM model
     * too.  No \_S3 or \_S4: the machine cannot suspend.
     */
    Name (\_S5, Package (4) { Zero, Zero, Zero, Zero })
}
