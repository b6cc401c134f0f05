/* SPDX-License-Identifier: MIT */
/*
 * Host stand-ins for the services of the image that device models and
 * core's host-y files reach.  Plain ISO C11 plus the host C library (and
 * POSIX mkdtemp() for the dtc helper), so it builds with gcc -std=c11 and
 * with clang for the fuzzers.
 */
#define _DEFAULT_SOURCE   /* mkdtemp */
#include <host/support.h>

#include <core/arch.h>
#include <core/console.h>
#include <core/mm.h>
#include <core/panic.h>
#include <core/percpu.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* --- memory --------------------------------------------------------------- */

static size_t pages_in_use;
static void (*page_free_hook)(void *addr, size_t pages);

void *kmalloc(size_t size)
{
	/* calloc keeps host tests deterministic; ASan still sees overflows. */
	return calloc(1, size ? size : 1);
}

void *kzalloc(size_t size)
{
	return calloc(1, size ? size : 1);
}

void *kcalloc(size_t n, size_t size)
{
	if (size && n > SIZE_MAX / size)
		return NULL;
	return calloc(n ? n : 1, size ? size : 1);
}

void kfree(void *p)
{
	free(p);
}

void *page_alloc_aligned(size_t pages, size_t align_pages)
{
	size_t align, bytes;
	void *p;

	if (align_pages == 0)
		align_pages = 1;
	if (pages == 0 || (align_pages & (align_pages - 1)) ||
	    pages > SIZE_MAX / PAGE_SIZE || align_pages > SIZE_MAX / PAGE_SIZE)
		return NULL;
	align = align_pages * PAGE_SIZE;
	bytes = pages * PAGE_SIZE;
	/* aligned_alloc wants the size to be a multiple of the alignment. */
	if (bytes % align)
		bytes += align - bytes % align;
	p = aligned_alloc(align, bytes);
	if (!p)
		return NULL;
	memset(p, 0, bytes);
	pages_in_use += pages;
	return p;
}

void *page_alloc(size_t pages)
{
	return page_alloc_aligned(pages, 1);
}

void page_free(void *addr, size_t pages)
{
	if (!addr)
		return;
	if (page_free_hook)
		page_free_hook(addr, pages);
	pages_in_use -= pages;
	free(addr);
}

size_t host_pages_in_use(void)
{
	return pages_in_use;
}

void host_set_page_free_hook(void (*hook)(void *addr, size_t pages))
{
	page_free_hook = hook;
}

size_t mm_free_pages(void)
{
	return 262144 - pages_in_use;  /* pretend 1 GiB */
}

size_t mm_total_pages(void)
{
	return 262144;
}

/* --- console -------------------------------------------------------------- */

/* Upper bound of the captured text; older output is dropped first. */
#define CONSOLE_KEEP (4u << 20)

static char *console_text;
static size_t console_len, console_cap;
static int console_verbose = -1;

void console_register(struct console_driver *drv)
{
	(void)drv;
}

void console_write(const char *buf, size_t len)
{
	if (console_verbose < 0) {
		const char *v = getenv("TESSERA_TEST_VERBOSE");

		console_verbose = v && *v && strcmp(v, "0") != 0;
	}
	if (console_verbose)
		fwrite(buf, 1, len, stderr);

	/*
	 * Keep the newest output only: a fuzzer calls into devices millions
	 * of times without clearing, and tests look at recent lines.
	 */
	if (len >= CONSOLE_KEEP) {
		buf += len - CONSOLE_KEEP / 2;
		len = CONSOLE_KEEP / 2;
	}
	if (console_len + len > CONSOLE_KEEP) {
		size_t drop = console_len + len - CONSOLE_KEEP / 2;

		if (drop > console_len)
			drop = console_len;
		memmove(console_text, console_text + drop, console_len - drop);
		console_len -= drop;
	}
	if (console_len + len + 1 > console_cap) {
		size_t cap = console_cap ? console_cap : 4096;
		char *grown;

		while (cap < console_len + len + 1)
			cap *= 2;
		grown = realloc(console_text, cap);
		if (!grown) {
			fprintf(stderr, "host support: out of memory for console text\n");
			abort();
		}
		console_text = grown;
		console_cap = cap;
	}
	memcpy(console_text + console_len, buf, len);
	console_len += len;
	console_text[console_len] = '\0';
}

int console_getc(void)
{
	return -1;
}

const char *host_console_text(void)
{
	return console_text ? console_text : "";
}

size_t host_console_length(void)
{
	return console_len;
}

void host_console_clear(void)
{
	console_len = 0;
	if (console_text)
		console_text[0] = '\0';
}

bool host_console_contains(const char *needle)
{
	return strstr(host_console_text(), needle) != NULL;
}

/* --- panic ---------------------------------------------------------------- */

static jmp_buf *panic_catcher;
static char panic_message[512];

void panic(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(panic_message, sizeof(panic_message), fmt, ap);
	va_end(ap);

	if (panic_catcher) {
		jmp_buf *catcher = panic_catcher;

		panic_catcher = NULL;
		longjmp(*catcher, 1);
	}
	fprintf(stderr, "PANIC: %s\n", panic_message);
	fflush(stderr);
	abort();
}

bool host_expect_panic(void (*fn)(void *arg), void *arg)
{
	jmp_buf catcher;
	jmp_buf *volatile outer = panic_catcher;

	panic_message[0] = '\0';
	if (setjmp(catcher)) {
		panic_catcher = outer;
		return true;
	}
	panic_catcher = &catcher;
	fn(arg);
	panic_catcher = outer;
	return false;
}

const char *host_last_panic(void)
{
	return panic_message;
}

/* --- CPU and time --------------------------------------------------------- */

struct percpu percpu_table[MAX_CPUS];
static uint64_t host_time_ns;

struct percpu *this_cpu(void)
{
	percpu_table[0].self = &percpu_table[0];
	percpu_table[0].online = true;
	return &percpu_table[0];
}

unsigned int cpu_possible_count(void)
{
	return 1;
}

unsigned int cpu_online_count(void)
{
	return 1;
}

const char *arch_name(void)
{
	return "host";
}

void arch_cpu_relax(void)
{
}

uint64_t arch_timer_ns(void)
{
	return host_time_ns;
}

void host_set_time_ns(uint64_t ns)
{
	host_time_ns = ns;
}

/* ---- device trees ---- */

static size_t read_text(const char *path, char *out, size_t size)
{
	FILE *f = fopen(path, "rb");
	size_t n = 0;

	if (f) {
		n = fread(out, 1, size - 1, f);
		fclose(f);
	}
	out[n] = '\0';
	return n;
}

int host_dtc_decompile(const void *blob, size_t len, char *dts, size_t size)
{
	char dir[] = "/tmp/tessera-dtc-XXXXXX";
	char path[128], command[512];
	int status, ret = -1;
	FILE *f;

	if (!mkdtemp(dir)) {
		snprintf(dts, size, "mkdtemp failed");
		return -1;
	}
	snprintf(path, sizeof(path), "%s/guest.dtb", dir);
	f = fopen(path, "wb");
	if (!f || fwrite(blob, 1, len, f) != len) {
		snprintf(dts, size, "cannot write %s", path);
		if (f)
			fclose(f);
		goto out;
	}
	fclose(f);
	snprintf(command, sizeof(command),
		 "dtc -I dtb -O dts -o %s/guest.dts %s/guest.dtb 2> %s/errors", dir, dir, dir);
	status = system(command);
	snprintf(path, sizeof(path), "%s/errors", dir);
	if (status != 0 || read_text(path, dts, size)) {
		if (!dts[0])
			snprintf(dts, size, "dtc failed (status %d; is device-tree-compiler installed?)",
				 status);
		goto out;
	}
	snprintf(path, sizeof(path), "%s/guest.dts", dir);
	read_text(path, dts, size);
	ret = 0;
out:
	snprintf(command, sizeof(command), "rm -rf %s", dir);
	if (system(command) != 0)
		ret = -1;
	return ret;
}

unsigned host_console_lines(const char *needle)
{
	const char *text = host_console_text();
	unsigned count = 0;

	while (*text) {
		const char *end = strchr(text, '\n');
		size_t len = end ? (size_t)(end - text) : strlen(text);
		size_t n = strlen(needle);

		for (size_t i = 0; i + n <= len; i++) {
			if (!memcmp(text + i, needle, n)) {
				count++;
				break;
			}
		}
		text += len + (end ? 1 : 0);
	}
	return count;
}
