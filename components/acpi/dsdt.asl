/* SPDX-License-Identifier: MIT */
/*
 * DSDT of the x86 "pc" machine: i440FX host bridge, PIIX3 ISA bridge at
 * 00:01.0, PIIX4 power management at 00:01.3.  Compiled with iasl at
 * build time; acpi.c copies the AML into etc/acpi/tables and fills in the
 * two named constants of the 32-bit PCI window (PWLO, PWHI).
 *
 * What the guest OS learns from it:
 *   - the PCI root bridge and the address ranges it forwards (_CRS),
 *   - how slot interrupt pins reach ISA IRQs (_PRT through LNKA..LNKD,
 *     which read and write the PIIX3 PIRQ route registers 0x60..0x63),
 *   - the interrupt controller the board itself has (PIC); the VM's
 *     device instances (COM1, RTC, timer, fw_cfg...) describe themselves
 *     in an SSDT the machine writes from its device table (<bus/device.h>),
 *     under \_SB.PCI0.ISA,
 *   - how to power off (\_S5).
 *
 * See docs/acpi.md for adding a device.
 */
DefinitionBlock ("", "DSDT", 2, "TESSRA", "TESSERA ", 1)
{
    Scope (\_SB)
    {
        Device (PCI0)
        {
            Name (_HID, EisaId ("PNP0A03"))
            Name (_ADR, Zero)
            Name (_UID, Zero)

            /*
             * First and last byte of the 32-bit PCI memory window (from
             * the top of low RAM to below the IOAPIC).  acpi.c rewrites
             * both DWord constants for the VM's memory size; the values
             * here are the defaults for a VM with 2 GiB of RAM or more.
             */
            Name (PWLO, 0x80000000)
            Name (PWHI, 0xFEBFFFFF)

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
                    /* 32-bit PCI hole; limits taken from PWLO/PWHI below. */
                    DWordMemory (ResourceProducer, PosDecode, MinFixed, MaxFixed, NonCacheable, ReadWrite,
                        0x00000000, 0x80000000, 0xFEBFFFFF, 0x00000000, 0x7EC00000,
                        ,, PW32, AddressRangeMemory, TypeStatic)
                })
                CreateDWordField (RSRC, \_SB.PCI0._CRS.PW32._MIN, WMIN)
                CreateDWordField (RSRC, \_SB.PCI0._CRS.PW32._MAX, WMAX)
                CreateDWordField (RSRC, \_SB.PCI0._CRS.PW32._LEN, WLEN)
                WMIN = PWLO
                WMAX = PWHI
                WLEN = PWHI - PWLO + One
                Return (RSRC)
            }

            /*
             * Interrupt routing: one entry per (slot, pin), 32 slots by 4
             * pins.  The board wires pin P (0 = INTA) of slot S to PIRQ
             * (S + P - 1) mod 4, as QEMU's pc machine does; PIRQA..D are
             * the links LNKA..LNKD.  Slot 1 INTA is the PIIX4 PM function,
             * whose interrupt is the SCI on IRQ 9 (link LNKS).
             */
            Method (_PRT, 0, NotSerialized)
            {
                Local0 = Package (0x80) {}
                Local1 = Zero
                While (Local1 < 0x80)
                {
                    Local2 = Local1 >> 2            /* slot */
                    Local3 = Local1 & 3             /* pin */
                    Local4 = (Local2 + Local3 + 3) & 3   /* PIRQ */
                    If (Local1 == 4)
                    {
                        Local5 = Package (4) { Zero, Zero, LNKS, Zero }
                    }
                    ElseIf (Local4 == 0)
                    {
                        Local5 = Package (4) { Zero, Zero, LNKA, Zero }
                    }
                    ElseIf (Local4 == 1)
                    {
                        Local5 = Package (4) { Zero, Zero, LNKB, Zero }
                    }
                    ElseIf (Local4 == 2)
                    {
                        Local5 = Package (4) { Zero, Zero, LNKC, Zero }
                    }
                    Else
                    {
                        Local5 = Package (4) { Zero, Zero, LNKD, Zero }
                    }
                    Local5 [0] = (Local2 << 16) | 0xFFFF
                    Local5 [1] = Local3
                    Local0 [Local1] = Local5
                    Local1++
                }
                Return (Local0)
            }

            /* PIIX4 power management function (SCI, PM block). */
            Device (PX13)
            {
                Name (_ADR, 0x00010003)
            }

            /* PIIX3 ISA bridge; the SSDT adds the VM's ISA devices to it. */
            Device (ISA)
            {
                Name (_ADR, 0x00010000)

                /* PIRQA..D route registers: bit 7 = disabled, bits 3:0 = ISA IRQ. */
                OperationRegion (PIRQ, PCI_Config, 0x60, 0x04)
                Field (PIRQ, ByteAcc, NoLock, Preserve)
                {
                    PRQA, 8,
                    PRQB, 8,
                    PRQC, 8,
                    PRQD, 8
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
         * PCI interrupt links PIRQA..D.  The firmware (SeaBIOS) routes them
         * to IRQs 10, 10, 11, 11; the OS may move them within _PRS.
         */
        Device (LNKA)
        {
            Name (_HID, EisaId ("PNP0C0F"))
            Name (_UID, Zero)
            Name (_PRS, ResourceTemplate ()
            {
                Interrupt (ResourceConsumer, Level, ActiveHigh, Shared) {5, 10, 11}
            })
            Method (_STA, 0, NotSerialized) { Return (LSTA (\_SB.PCI0.ISA.PRQA)) }
            Method (_CRS, 0, NotSerialized) { Return (LCRS (\_SB.PCI0.ISA.PRQA)) }
            Method (_DIS, 0, NotSerialized) { \_SB.PCI0.ISA.PRQA |= 0x80 }
            Method (_SRS, 1, NotSerialized)
            {
                CreateDWordField (Arg0, 0x05, SIRQ)
                \_SB.PCI0.ISA.PRQA = SIRQ
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
            Method (_STA, 0, NotSerialized) { Return (LSTA (\_SB.PCI0.ISA.PRQB)) }
            Method (_CRS, 0, NotSerialized) { Return (LCRS (\_SB.PCI0.ISA.PRQB)) }
            Method (_DIS, 0, NotSerialized) { \_SB.PCI0.ISA.PRQB |= 0x80 }
            Method (_SRS, 1, NotSerialized)
            {
                CreateDWordField (Arg0, 0x05, SIRQ)
                \_SB.PCI0.ISA.PRQB = SIRQ
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
            Method (_STA, 0, NotSerialized) { Return (LSTA (\_SB.PCI0.ISA.PRQC)) }
            Method (_CRS, 0, NotSerialized) { Return (LCRS (\_SB.PCI0.ISA.PRQC)) }
            Method (_DIS, 0, NotSerialized) { \_SB.PCI0.ISA.PRQC |= 0x80 }
            Method (_SRS, 1, NotSerialized)
            {
                CreateDWordField (Arg0, 0x05, SIRQ)
                \_SB.PCI0.ISA.PRQC = SIRQ
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
            Method (_STA, 0, NotSerialized) { Return (LSTA (\_SB.PCI0.ISA.PRQD)) }
            Method (_CRS, 0, NotSerialized) { Return (LCRS (\_SB.PCI0.ISA.PRQD)) }
            Method (_DIS, 0, NotSerialized) { \_SB.PCI0.ISA.PRQD |= 0x80 }
            Method (_SRS, 1, NotSerialized)
            {
                CreateDWordField (Arg0, 0x05, SIRQ)
                \_SB.PCI0.ISA.PRQD = SIRQ
            }
        }

        /*
         * The SCI: always IRQ 9, level, active high, matching the MADT
         * override.  Nothing to switch, so _DIS and _SRS do nothing.
         */
        Device (LNKS)
        {
            Name (_HID, EisaId ("PNP0C0F"))
            Name (_UID, 4)
            Name (_PRS, ResourceTemplate ()
            {
                Interrupt (ResourceConsumer, Level, ActiveHigh, Shared) {9}
            })
            Method (_STA, 0, NotSerialized) { Return (0x0B) }
            Method (_CRS, 0, NotSerialized) { Return (_PRS) }
            Method (_DIS, 0, NotSerialized) { }
            Method (_SRS, 1, NotSerialized) { }
        }
    }

    /*
     * Soft-off: SLP_TYP 0 in PM1a_CNT (PIIX4 semantics, as QEMU).  No
     * \_S3 or \_S4: the machine cannot suspend.
     */
    Name (\_S5, Package (4) { Zero, Zero, Zero, Zero })
}
