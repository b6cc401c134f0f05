/* SPDX-License-Identifier: MIT */
/*
 * The aarch64 hostile guest (docs/reliability.md, "The hostile-guest
 * suite"): a VM on the virt machine that attacks the hypervisor through
 * everything a guest reaches, one named case after the other, each with
 * the answer the architecture or the device promises.  Booted as the
 * VM's firmware (flash bank 0), so that both flash banks exist.  vCPU 1
 * runs an endless loop of device accesses (MMIO exits and flash reads)
 * from the first case on, while vCPU 0 attacks; a second, well-behaved
 * VM (victim.c) runs beside it.
 *
 * The last case is a load pair from a device register, an access without
 * syndrome that the hypervisor does not emulate: it stops this VM with a
 * sentence, and the test checks that the victim goes on.
 */
#include <guest.h>

#define GICD            0x08000000ul
#define GICD_CTLR       0x0000
#define GICD_TYPER      0x0004
#define GICD_ISENABLER  0x0100
#define GICD_ICENABLER  0x0180
#define GICD_ISPENDR    0x0200
#define GICD_ICPENDR    0x0280
#define GICD_IPRIORITYR 0x0400
#define GICD_IROUTER    0x6000
#define GICR            0x080A0000ul
#define GICR_SIZE       (2 * 0x20000ul)   /* two vCPUs */
#define GICR_SGI        0x10000ul
#define GICR_ISENABLER0 0x0100
#define UART            0x09000000ul
#define UART_FR         0x018
#define RTC             0x09010000ul
#define FWCFG           0x09020000ul
#define FWCFG_SEL       (FWCFG + 8)
#define FWCFG_DMA       (FWCFG + 0x10)
#define FLASH0          0x00000000ul
#define FLASH1          0x04000000ul
#define RAM_BASE        0x40000000ul
#define RAM_SIZE        (64ul << 20)
#define UNASSIGNED      0x09100000ul      /* nothing there on the virt board */

#define PSCI_VERSION    0x84000000ul
#define PSCI_CPU_ON     0xC4000003ul
#define PSCI_AFF_INFO   0xC4000004ul
#define PSCI_FEATURES   0x8400000Aul
#define PSCI_NOT_SUPPORTED  (-1)
#define PSCI_INVALID_PARAMS (-2)
#define PSCI_ALREADY_ON     (-4)
#define PSCI_ON_PENDING     (-5)
#define PSCI_INVALID_ADDR   (-9)

#define DMA_ERROR       1u
#define DMA_READ        2u
#define DMA_SKIP        4u
#define DMA_SELECT      8u

#define EC_UNKNOWN      0x00
#define EC_DABT_CUR     0x25

#define read_sysreg(r) ({ uint64_t _v; __asm__ volatile("mrs %0, " #r : "=r"(_v)); _v; })
#define write_sysreg(r, v) __asm__ volatile("msr " #r ", %0" : : "r"((uint64_t)(v)) : "memory")

static volatile bool stop_background;
static volatile uint64_t background_rounds;

static inline uint64_t rd(uintptr_t a, unsigned w)
{
	return guest_mmio_read(a, w);
}

static inline void wr(uintptr_t a, unsigned w, uint64_t v)
{
	guest_mmio_write(a, w, v);
}

/*
 * Unassigned space: on the hardware (and QEMU, and KVM) an access there
 * is a synchronous external abort: EC 0x25 (data abort from EL1), FSC
 * 0x10, WnR for a write, FAR the address.
 */
struct access {
	uintptr_t addr;
	unsigned int width;
	bool write;
};

static void do_access(void *p)
{
	const struct access *a = p;

	if (a->write)
		wr(a->addr, a->width, ~0ull);
	else
		(void)rd(a->addr, a->width);
}

static bool unassigned_aborts(uintptr_t addr, unsigned int width, bool write)
{
	struct access a = { addr, width, write };
	struct guest_fault f;
	int code = guest_try(do_access, &a, &f);

	return guest_check(code == 0x25 && (f.syndrome & 0x3f) == 0x10 && f.address == addr &&
			   !!(f.syndrome & (1u << 6)) == write,
			   "%u-byte %s at unassigned 0x%lx: exception %d, ESR 0x%llx, FAR 0x%llx",
			   width, write ? "write" : "read", (unsigned long)addr, code,
			   (unsigned long long)f.syndrome, (unsigned long long)f.address);
}

static int64_t hvc(uint64_t fn, uint64_t a1, uint64_t a2, uint64_t a3)
{
	register uint64_t x0 __asm__("x0") = fn;
	register uint64_t x1 __asm__("x1") = a1;
	register uint64_t x2 __asm__("x2") = a2;
	register uint64_t x3 __asm__("x3") = a3;

	__asm__ volatile("hvc #0" : "+r"(x0), "+r"(x1), "+r"(x2), "+r"(x3) : : "memory");
	return (int64_t)x0;
}

static int64_t smc(uint64_t fn)
{
	register uint64_t x0 __asm__("x0") = fn;

	__asm__ volatile("smc #0" : "+r"(x0) : : "x1", "x2", "x3", "memory");
	return (int64_t)x0;
}

static int64_t hvc_imm(uint64_t fn)
{
	register uint64_t x0 __asm__("x0") = fn;

	__asm__ volatile("hvc #0x1234" : "+r"(x0) : : "x1", "x2", "x3", "memory");
	return (int64_t)x0;
}

/* ---- vCPU 1: an endless loop of device accesses ---- */

static void background(unsigned int cpu)
{
	(void)cpu;
	while (!stop_background) {
		(void)rd(UART + UART_FR, 4);           /* an MMIO exit          */
		(void)rd(GICD + GICD_TYPER, 4);        /* another device        */
		(void)rd(FLASH0 + 0x1000, 4);          /* mapped or trapped     */
		(void)rd(FLASH1 + 0x2000, 4);
		background_rounds++;
	}
	for (;;)
		guest_cpu_relax();
}

static void entry_never_runs(unsigned int cpu)
{
	guest_fail("CPU %u started at an entry PSCI should have refused", cpu);
}

/* ---- the cases ---- */

static void psci_is(int64_t got, int64_t want, const char *what)
{
	guest_check(got == want, "%s: %lld, expected %lld", what, (long long)got, (long long)want);
}

static void case_psci(void)
{
	extern char guest_secondary_entry[];
	uint64_t good = (uint64_t)(uintptr_t)guest_secondary_entry;
	int64_t r;

	guest_case("psci-cpu-on", "INVALID_ADDRESS for entries outside RAM and flash, "
		   "INVALID_PARAMETERS for absent MPIDRs, ALREADY_ON for running CPUs");
	(void)entry_never_runs;
	psci_is(hvc(PSCI_CPU_ON, 1, GICD, 1), PSCI_INVALID_ADDR, "entry in the GIC");
	psci_is(hvc(PSCI_CPU_ON, 1, RAM_BASE + RAM_SIZE, 1), PSCI_INVALID_ADDR, "entry just past RAM");
	psci_is(hvc(PSCI_CPU_ON, 1, ~0ull - 3, 1), PSCI_INVALID_ADDR, "entry at the top of the address space");
	psci_is(hvc(PSCI_CPU_ON, 1, 1ull << 52, 1), PSCI_INVALID_ADDR, "entry above any IPA");
	psci_is(hvc(PSCI_CPU_ON, 7, good, 7), PSCI_INVALID_PARAMS, "absent MPIDR 7");
	psci_is(hvc(PSCI_CPU_ON, 0xff00000001ull, good, 1), PSCI_INVALID_PARAMS, "MPIDR with Aff3");
	psci_is(hvc(PSCI_CPU_ON, 1ull << 40 | 1, good, 1), PSCI_INVALID_PARAMS, "MPIDR with reserved bits");
	psci_is(hvc(PSCI_CPU_ON, 0, good, 0), PSCI_ALREADY_ON, "CPU_ON of the caller");
	psci_is(hvc(PSCI_AFF_INFO, 9, 0, 0), PSCI_INVALID_PARAMS, "AFFINITY_INFO of an absent CPU");
	psci_is(hvc(PSCI_AFF_INFO, 1, 0, 0), 1, "AFFINITY_INFO of CPU 1 (off)");
	/* Now start vCPU 1 for real: the endless device loop of every later case. */
	guest_check(guest_start_cpu(1, background), "CPU 1 did not start");
	r = hvc(PSCI_CPU_ON, 1, good, 1);
	guest_check(r == PSCI_ALREADY_ON || r == PSCI_ON_PENDING, "second CPU_ON of CPU 1: %lld",
		    (long long)r);
	guest_case_done("refused as PSCI says, CPU 1 started once (background loop)");
}

static void case_smccc_unknown(void)
{
	static const uint64_t fids[] = { 0x86000000, 0xC6000000, 0x82000000, 0x8400FFFF,
					 0xC4001234, 0xFFFFFFFF, 0x184000000ull, 0x0 };
	unsigned int bad = 0;

	guest_case("smccc-unknown", "NOT_SUPPORTED (-1) for every unknown function, by HVC "
		   "and SMC, whatever the immediate");
	for (unsigned int i = 0; i < sizeof(fids) / sizeof(fids[0]); i++) {
		int64_t a = hvc(fids[i], 1, 2, 3), b = smc(fids[i]), c = hvc_imm(fids[i]);

		if (!guest_check(a == PSCI_NOT_SUPPORTED && b == PSCI_NOT_SUPPORTED &&
				 c == PSCI_NOT_SUPPORTED,
				 "function 0x%llx: HVC %lld, SMC %lld, HVC #0x1234 %lld",
				 (unsigned long long)fids[i], (long long)a, (long long)b,
				 (long long)c))
			bad++;
	}
	guest_check(hvc(PSCI_FEATURES, 0x86000000, 0, 0) == PSCI_NOT_SUPPORTED,
		    "FEATURES of an unknown function");
	guest_check(hvc(PSCI_VERSION, 0, 0, 0) == 0x10000, "PSCI_VERSION");
	guest_case_done("%u functions, %u wrong answers", (unsigned)(sizeof(fids) / sizeof(fids[0])),
			bad);
}

/* Trapped and absent system registers: each a function guest_try() can run. */
static void sr_actlr_read(void *a) { *(uint64_t *)a = read_sysreg(S3_0_C1_C0_1); }
static void sr_actlr_write(void *a) { (void)a; write_sysreg(S3_0_C1_C0_1, 0xdeadbeef); }
static void sr_lorsa_read(void *a) { *(uint64_t *)a = read_sysreg(S3_0_C10_C4_0); }
static void sr_lorsa_write(void *a) { (void)a; write_sysreg(S3_0_C10_C4_0, ~0ull); }
static void sr_impdef_read(void *a) { *(uint64_t *)a = read_sysreg(S3_0_C15_C0_0); }
static void sr_impdef_write(void *a) { (void)a; write_sysreg(S3_1_C15_C2_1, 1); }
static void sr_dc_isw(void *a) { (void)a; __asm__ volatile("dc isw, %0" : : "r"(0ull)); }
static void sr_dc_cisw(void *a) { (void)a; __asm__ volatile("dc cisw, %0" : : "r"(~0ull)); }
static void sr_el2_read(void *a) { *(uint64_t *)a = read_sysreg(S3_4_C1_C1_0); }   /* HCR_EL2 */
static void sr_el3_read(void *a) { *(uint64_t *)a = read_sysreg(S3_6_C1_C1_0); }   /* SCR_EL3 */

static void case_sysregs(void)
{
	static const struct {
		const char *name;
		void (*fn)(void *);
	} regs[] = {
		{ "ACTLR_EL1 read (TACR)", sr_actlr_read },
		{ "ACTLR_EL1 write (TACR)", sr_actlr_write },
		{ "LORSA_EL1 read (TLOR)", sr_lorsa_read },
		{ "LORSA_EL1 write (TLOR)", sr_lorsa_write },
		{ "S3_0_C15_C0_0 read (implementation defined)", sr_impdef_read },
		{ "S3_1_C15_C2_1 write (implementation defined)", sr_impdef_write },
		{ "DC ISW (TSW)", sr_dc_isw },
		{ "DC CISW (TSW)", sr_dc_cisw },
		{ "HCR_EL2 read from EL1", sr_el2_read },
		{ "SCR_EL3 read from EL1", sr_el3_read },
	};
	unsigned int undef = 0, done = 0;

	guest_case("sysreg-trapped-absent", "each trapped or absent system register read as "
		   "zero, ignored or UNDEF; the VM goes on");
	for (unsigned int i = 0; i < sizeof(regs) / sizeof(regs[0]); i++) {
		struct guest_fault f;
		uint64_t value = 0x5a5a;
		int code = guest_try(regs[i].fn, &value, &f);

		if (code < 0) {
			done++;
		} else {
			guest_check(code == EC_UNKNOWN, "%s: exception class 0x%x, ESR 0x%llx",
				    regs[i].name, (unsigned)code, (unsigned long long)f.syndrome);
			undef++;
		}
	}
	guest_case_done("%u completed (read as zero or ignored), %u UNDEF", done, undef);
}

/* ---- fw_cfg DMA ---- */

struct dma_desc {
	uint32_t control, length;
	uint64_t address;
};

static uint32_t be32(uint32_t v) { return __builtin_bswap32(v); }
static uint64_t be64(uint64_t v) { return __builtin_bswap64(v); }

static volatile struct dma_desc *const desc = (volatile struct dma_desc *)(RAM_BASE + 0x100000);

/* Start a transfer and poll its control word in memory, as firmware does (no exits). */
static uint32_t dma(uint32_t control, uint32_t length, uint64_t address, uint64_t *spins)
{
	uint64_t n = 0;
	uint32_t c;

	desc->control = be32(control);
	desc->length = be32(length);
	desc->address = be64(address);
	guest_barrier();
	wr(FWCFG_DMA, 8, be64((uint64_t)(uintptr_t)desc));
	while ((c = be32(desc->control)) & ~DMA_ERROR) {
		n++;
		if (n == (1ull << 34))
			guest_fail("fw_cfg DMA never ended (control 0x%x)", c);
	}
	if (spins)
		*spins = n;
	return c;
}

static void case_fwcfg_4gib(void)
{
	volatile uint64_t *fill = (volatile uint64_t *)(RAM_BASE + (16ul << 20));
	uint64_t spins, t0, t1;
	uint32_t c;

	guest_case("fwcfg-4gib-read", "a 4 GiB READ of a missing item zero-fills RAM in steps and "
		   "ends with ERROR at the end of RAM; a 16 MiB one ends with 0; the guest polls "
		   "memory and still sees the end");
	for (unsigned int i = 0; i < (16u << 20) / 8; i += 4096)
		fill[i] = 0xAAAAAAAAAAAAAAAAull;
	t0 = guest_counter();
	c = dma(0x3FFFu << 16 | DMA_SELECT | DMA_READ, 16u << 20, (uintptr_t)fill, &spins);
	t1 = guest_counter();
	guest_check(c == 0, "16 MiB zero-fill: control 0x%x", c);
	for (unsigned int i = 0; i < (16u << 20) / 8; i += 4096)
		if (!guest_check(fill[i] == 0, "word %u not zeroed: 0x%llx", i,
				 (unsigned long long)fill[i]))
			break;
	guest_printf("hostile: 16 MiB fill: %llu polls, %llu counter ticks\n",
		     (unsigned long long)spins, (unsigned long long)(t1 - t0));
	c = dma(0x3FFFu << 16 | DMA_SELECT | DMA_READ, 0xFFFFFFFFu, (uintptr_t)fill, &spins);
	guest_check(c == DMA_ERROR, "4 GiB zero-fill: control 0x%x", c);
	guest_case_done("16 MiB: 0 after %llu polls; 4 GiB: ERROR", (unsigned long long)spins);
}

static void case_fwcfg_bad_dma(void)
{
	static const struct {
		const char *what;
		uint64_t address;
		uint32_t length;
	} bad[] = {
		{ "past the end of RAM", RAM_BASE + RAM_SIZE - 8, 64 },
		{ "wrapping around", 0xFFFFFFFFFFFFF000ull, 0x2000 },
		{ "into flash bank 0", FLASH0, 16 },
		{ "into flash bank 1", FLASH1 + 0x100, 16 },
		{ "into the UART", UART, 4 },
		{ "into the GIC", GICD, 64 },
		{ "into fw_cfg itself", FWCFG, 8 },
		{ "above any IPA", 1ull << 52, 16 },
	};
	uint8_t sig[4];
	uint32_t c;

	guest_case("fwcfg-dma-outside-ram", "ERROR for a transfer outside RAM, wrapping, into "
		   "flash or MMIO; a descriptor outside RAM is ignored; the device still works");
	for (unsigned int i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		c = dma(DMA_SELECT | DMA_READ, bad[i].length, bad[i].address, NULL);
		guest_check(c == DMA_ERROR, "%s: control 0x%x", bad[i].what, c);
	}
	/* Descriptors themselves outside RAM: nothing the guest can see; the VM goes on. */
	wr(FWCFG_DMA, 8, be64(0));
	wr(FWCFG_DMA, 8, be64(UART));
	wr(FWCFG_DMA, 8, be64(0xFFFFFFFFFFFFFFF8ull));
	wr(FWCFG_DMA, 8, be64(RAM_BASE + RAM_SIZE - 8));
	/* Half writes of the address register, in the wrong order. */
	wr(FWCFG_DMA + 4, 4, be32(0x1000));
	wr(FWCFG_DMA, 4, be32(0xFFFFFFFF));
	wr(FWCFG_DMA + 4, 4, be32(0x10));
	/* Still works: the signature by DMA. */
	c = dma(DMA_SELECT | DMA_READ, 4, (uintptr_t)desc + 64, NULL);
	for (unsigned int i = 0; i < 4; i++)
		sig[i] = ((volatile uint8_t *)desc)[64 + i];
	guest_check(c == 0 && sig[0] == 'Q' && sig[3] == 'U', "signature afterwards: control 0x%x",
		    c);
	guest_case_done("%u bad transfers ended with ERROR, the device still answers",
			(unsigned)(sizeof(bad) / sizeof(bad[0])));
}

/* ---- flash ---- */

static void case_flash_storm(void)
{
	static const uint32_t commands[] = { 0x00900090, 0x00700070, 0x00980098, 0x00500050,
					     0x00FF00FF, 0x00600060, 0x00B000B0, 0x00D000D0,
					     0x12345678 };
	uint32_t before0 = (uint32_t)rd(FLASH0 + 0x1000, 4), before1 = (uint32_t)rd(FLASH1, 4);
	uint64_t rounds = background_rounds;

	guest_case("flash-command-storm", "4000 mode commands on both banks (read-id, status, "
		   "CFI, clear, unknown) while CPU 1 reads both banks: the banks switch between "
		   "mapped and trapped each time; read-array restores the contents");
	for (unsigned int i = 0; i < 4000; i++) {
		uintptr_t bank = (i & 1) ? FLASH1 : FLASH0;

		wr(bank + (i % 64) * 4, 4, commands[i % (sizeof(commands) / sizeof(commands[0]))]);
		(void)rd(bank + 0x1000, 4);
	}
	wr(FLASH0, 4, 0x00FF00FF);
	wr(FLASH1, 4, 0x00FF00FF);
	guest_check(rd(FLASH0 + 0x1000, 4) == before0, "bank 0 changed");
	guest_check(rd(FLASH1, 4) == before1, "bank 1 changed");
	guest_check(background_rounds != rounds, "CPU 1 made no progress");
	guest_case_done("banks back in read-array mode, CPU 1 made %llu rounds meanwhile",
			(unsigned long long)(background_rounds - rounds));
}

/* ---- device registers ---- */

static void case_device_widths(void)
{
	static const struct {
		const char *name;
		uintptr_t base, size, stride;
	} dev[] = {
		{ "GIC distributor", GICD, 0x10000, 0x100 },
		{ "GIC redistributors", GICR, GICR_SIZE, 0x400 },
		{ "PL011", UART, 0x1000, 0x4 },
		{ "PL031", RTC, 0x1000, 0x4 },
		/* QEMU's three fw_cfg registers; 0xa-0xf between them is a hole. */
		{ "fw_cfg data", FWCFG, 0x8, 0x1 },
		{ "fw_cfg selector", FWCFG + 0x8, 0x2, 0x1 },
		{ "fw_cfg DMA", FWCFG + 0x10, 0x8, 0x1 },
	};
	unsigned long long accesses = 0;

	guest_case("device-every-width", "every width (1, 2, 4, 8) at every aligned offset of "
		   "every device range reads something; writes to read-only registers are "
		   "dropped; unassigned space aborts at every width; nothing stops the VM");
	for (unsigned int d = 0; d < sizeof(dev) / sizeof(dev[0]); d++) {
		for (uintptr_t off = 0; off < dev[d].size; off += dev[d].stride) {
			for (unsigned int w = 1; w <= 8; w *= 2) {
				if (off % w || off + w > dev[d].size)
					continue;
				(void)rd(dev[d].base + off, w);
				accesses++;
			}
		}
	}
	/* Writes where they can do no harm: ID and read-only registers, unassigned space. */
	for (unsigned int w = 1; w <= 8; w *= 2) {
		wr(UART + 0xFE0, w, ~0ull);            /* UARTPeriphID0 */
		wr(UART + UART_FR, w, ~0ull);
		wr(RTC + 0x000, w, 0x12345678);        /* RTCDR: read-only */
		wr(GICD + GICD_TYPER, w, ~0ull);
		wr(GICD + 0xFFE8, w, ~0ull);           /* GICD_PIDR2 */
		wr(GICR + 0x0008, w, ~0ull);           /* GICR_TYPER */
		wr(FWCFG, w, ~0ull);                   /* the data register ignores writes */
		accesses += 7;
	}
	for (uintptr_t off = 0xa; off < 0x10; off += 2) {
		unassigned_aborts(FWCFG + off, 2, false);
		accesses++;
	}
	for (uintptr_t off = 0; off < 0x1000; off += 0x40) {
		for (unsigned int w = 1; w <= 8; w *= 2) {
			unassigned_aborts(UNASSIGNED + off, w, false);
			unassigned_aborts(UNASSIGNED + off + 8, w, true);
			accesses += 2;
		}
	}
	guest_check((rd(UART + 0xFE0, 4) & 0xFF) == 0x11, "UARTPeriphID0 after writes: 0x%llx",
		    (unsigned long long)rd(UART + 0xFE0, 4));
	guest_case_done("%llu accesses", accesses);
}

static void case_unassigned_storm(void)
{
	guest_case("unassigned-storm", "40000 accesses to unassigned MMIO: each is a data abort "
		   "(as on the hardware); the hypervisor's reports about them stay a handful of lines");
	for (unsigned int i = 0; i < 20000; i++) {
		if (!unassigned_aborts(UNASSIGNED + 0x100 + (i % 256) * 8, 4, true) ||
		    !unassigned_aborts(UNASSIGNED + 0x800 + (i % 128) * 8, 4, false))
			break;
	}
	guest_case_done("a data abort every time");
}

/* ---- the GIC ---- */

static void sgi(uint64_t value)
{
	write_sysreg(S3_0_C12_C11_5, value);                    /* ICC_SGI1R_EL1 */
	__asm__ volatile("isb");
}

static void case_gic_routing(void)
{
	uint32_t typer = (uint32_t)rd(GICD + GICD_TYPER, 4);
	unsigned int spis = ((typer & 0x1f) + 1) * 32 - 32, drained = 0;

	guest_case("gic-absent-targets", "SPIs routed to absent CPUs and as 1-of-N, INTIDs past "
		   "the implemented ones, SGIs to absent CPUs and clusters: accepted or ignored, "
		   "never delivered to a CPU that does not exist, the VM goes on");
	guest_irq_init_cpu(NULL);
	for (unsigned int i = 0; i < 8; i++) {
		uint64_t route = i == 0 ? 5 : i == 1 ? 1ull << 31 : i == 2 ? 0xff00ffffffull :
				 i == 3 ? 0x0100 : 0x07;
		wr(GICD + GICD_IROUTER + 8 * (32 + i), 8, route);
		wr(GICD + GICD_IPRIORITYR + 32 + i, 1, 0x00);
	}
	wr(GICD + GICD_ISENABLER + 4, 4, 0xFF);
	wr(GICD + GICD_ISPENDR + 4, 4, 0xFF);
	/* Past the implemented SPIs: RAZ/WI. */
	for (unsigned int n = (spis + 32) / 32; n < 32; n++) {
		wr(GICD + GICD_ISENABLER + 4 * n, 4, ~0u);
		wr(GICD + GICD_ISPENDR + 4 * n, 4, ~0u);
		wr(GICD + GICD_IROUTER + 8 * (32 * n), 8, 3);
		guest_check(rd(GICD + GICD_ISENABLER + 4 * n, 4) == 0,
			    "ISENABLER%u past %u SPIs reads 0x%llx", n, spis,
			    (unsigned long long)rd(GICD + GICD_ISENABLER + 4 * n, 4));
	}
	/* SGIs: absent CPUs in the target list, absent clusters, broadcast. */
	wr(GICR + GICR_SGI + GICR_ISENABLER0, 4, 0xFFFF);
	for (unsigned int i = 0; i < 3000; i++) {
		sgi((uint64_t)(i % 16) << 24 | 0xFFFC);                     /* CPUs 2-15  */
		sgi((uint64_t)3 << 16 | (uint64_t)(i % 16) << 24 | 0xFFFF); /* Aff1 = 3   */
		sgi((uint64_t)0xAB << 48 | 0x77ull << 32 | 1);               /* Aff3, Aff2 */
		if (i % 100 == 0)
			sgi(1ull << 40 | 2ull << 24);                       /* IRM: all but self */
	}
	/* Whatever became pending for this CPU: acknowledge and end it. */
	for (unsigned int i = 0; i < 256; i++) {
		uint64_t iar = read_sysreg(S3_0_C12_C12_0);

		if ((iar & 0xffffff) >= 1020)
			break;
		write_sysreg(S3_0_C12_C12_1, iar);
		drained++;
	}
	wr(GICD + GICD_ICENABLER + 4, 4, 0xFF);
	wr(GICD + GICD_ICPENDR + 4, 4, 0xFF);
	guest_case_done("%u SPIs implemented, %u interrupts were pending here and ended", spis,
			drained);
}

static volatile uint64_t timer_irqs, timer_until;

static void timer_handler(unsigned int irq)
{
	if (irq != 27)
		return;
	timer_irqs++;
	if (guest_counter() >= timer_until)
		write_sysreg(cntv_ctl_el0, 0);                          /* the storm is over */
	else
		write_sysreg(cntv_cval_el0, read_sysreg(cntvct_el0));   /* due again at once */
}

static void case_vtimer_storm(void)
{
	uint64_t until;

	guest_case("vtimer-smallest-period", "the virtual timer due again at once in every "
		   "interrupt for 0.2 s: the VM takes its interrupts (as many as the hypervisor "
		   "delivers), the storm ends, the victim keeps its pace");
	guest_irq_init_cpu(timer_handler);
	write_sysreg(S3_0_C4_C6_0, 0xff);
	wr(GICR + GICR_SGI + GICR_ISENABLER0, 4, 1u << 27);
	write_sysreg(cntv_cval_el0, read_sysreg(cntvct_el0));
	write_sysreg(cntv_ctl_el0, 1);
	until = guest_counter() + guest_counter_hz() / 5;
	guest_irq_enable();
	timer_until = until;
	/* The storm leaves no room for this loop: the handler ends it when the time is up. */
	while (guest_counter() < until || (read_sysreg(cntv_ctl_el0) & 1))
		guest_cpu_relax();
	guest_irq_disable();
	write_sysreg(cntv_ctl_el0, 0);
	guest_irq_init_cpu(NULL);
	guest_check(timer_irqs >= 1, "no timer interrupt");
	guest_case_done("%llu timer interrupts in 0.2 s", (unsigned long long)timer_irqs);
}

/* ---- AArch32 EL0: WFI with a 16-bit Thumb encoding ---- */

/* wfi; udf #0 (Thumb, 16-bit each) and wfi; udf #0 (A32). */
static const uint16_t thumb_code[4] __attribute__((aligned(8))) = { 0xBF30, 0xDE00, 0xDE00, 0xDE00 };
static const uint32_t arm_code[4] __attribute__((aligned(8))) = { 0xE320F003, 0xE7F000F0,
								   0xE7F000F0, 0xE7F000F0 };

static void to_el0_aarch32(void *arg)
{
	const uint64_t *what = arg;          /* [0] pc, [1] Thumb */
	uint64_t spsr = 0x10 | 0x1C0 | (what[1] ? 0x20 : 0);   /* User, A I F masked, T */

	write_sysreg(spsr_el1, spsr);
	write_sysreg(elr_el1, what[0]);
	__asm__ volatile("isb; eret" ::: "memory");
}

static void case_aarch32_wfi(void)
{
	uint64_t pfr0 = read_sysreg(id_aa64pfr0_el1);
	struct guest_fault f;
	int code;

	guest_case("aarch32-el0-wfi", "a trapped 16-bit Thumb WFI from an AArch32 EL0 process "
		   "steps the PC by 2 (ESR.IL), a 32-bit one by 4: the UDF after it is the next "
		   "instruction either way");
	if ((pfr0 & 0xf) != 2) {
		guest_case_done("skipped: this CPU has no AArch32 at EL0 (ID_AA64PFR0_EL1 0x%llx)",
				(unsigned long long)pfr0);
		return;
	}
	/* EL0 WFI goes to EL2 (TWI), not to EL1: SCTLR_EL1.nTWI/nTWE. */
	write_sysreg(sctlr_el1, read_sysreg(sctlr_el1) | 1ull << 16 | 1ull << 18);
	/* A pending SGI so that WFI returns (masked at EL0: it stays pending). */
	guest_irq_init_cpu(NULL);
	wr(GICR + GICR_SGI + GICR_ISENABLER0, 4, 1u << 3);
	sgi(3ull << 24 | 1);
	for (unsigned int thumb = 0; thumb < 2; thumb++) {
		uint64_t what[2] = { thumb ? (uintptr_t)thumb_code : (uintptr_t)arm_code, thumb };
		uint64_t step = thumb ? 2 : 4;

		code = guest_try(to_el0_aarch32, what, &f);
		guest_check(code == EC_UNKNOWN && f.pc == what[0] + step,
			    "%s: exception class 0x%x at 0x%llx, expected UNDEF at 0x%llx",
			    thumb ? "Thumb" : "A32", (unsigned)code, (unsigned long long)f.pc,
			    (unsigned long long)(what[0] + step));
	}
	/* The SGI is still pending: take it off. */
	for (unsigned int i = 0; i < 8; i++) {
		uint64_t iar = read_sysreg(S3_0_C12_C12_0);

		if ((iar & 0xffffff) >= 1020)
			break;
		write_sysreg(S3_0_C12_C12_1, iar);
	}
	guest_case_done("UNDEF right after each WFI");
}

/* ---- the last case: an access the hypervisor does not emulate ---- */

static void case_ldp_mmio(void)
{
	uint64_t a, b;

	guest_case("ldp-from-mmio", "a load pair from a device register (no syndrome, not "
		   "emulated): this VM is stopped with a sentence, the hypervisor and the victim "
		   "go on");
	stop_background = true;
	guest_cases_end();
	guest_printf("hostile: now the load pair; the hypervisor stops this VM\n");
	__asm__ volatile("ldp %0, %1, [%2]" : "=r"(a), "=r"(b) : "r"(UART) : "memory");
	guest_fail("the load pair returned 0x%llx 0x%llx", (unsigned long long)a,
		   (unsigned long long)b);
}

void guest_main(void)
{
	guest_cases_begin("hostile");
	guest_printf("hostile: aarch64 attacker on the virt machine, %llu Hz counter\n",
		     (unsigned long long)guest_counter_hz());
	case_psci();
	case_smccc_unknown();
	case_sysregs();
	case_fwcfg_4gib();
	case_fwcfg_bad_dma();
	case_flash_storm();
	case_device_widths();
	case_unassigned_storm();
	case_gic_routing();
	case_vtimer_storm();
	case_aarch32_wfi();
	case_ldp_mmio();
}
