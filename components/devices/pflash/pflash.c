/* SPDX-License-Identifier: MIT */
/*
 * CFI NOR flash, Intel command set.  The command set, the bank shapes and
 * the places where the model follows QEMU rather than the data sheet are
 * described in include/pflash/pflash.h.
 */
#include <string.h>
#include <core/log.h>
#include <core/mm.h>
#include <pflash/pflash.h>

#define PFLASH_WARN_LIMIT 16
#define PFLASH_CFI_TABLE_SIZE 0x40

#define STATUS_SEQUENCE_ERR (PFLASH_STATUS_ERASE_ERR | PFLASH_STATUS_PROG_ERR)

enum pflash_read_mode {
	READ_ARRAY,
	READ_STATUS,
	READ_IDENTIFIER,
	READ_CFI,
};

/* What the next write is expected to be. */
enum pflash_pending {
	PENDING_NONE,
	PENDING_PROGRAM_DATA,
	PENDING_ERASE_CONFIRM,
	PENDING_LOCK_CONFIRM,
	PENDING_BUFFER_COUNT,
	PENDING_BUFFER_DATA,
	PENDING_BUFFER_CONFIRM,
};

struct pflash {
	struct pflash_config cfg;
	struct bus *bus;
	unsigned chips;
	uint64_t device_mask;          /* one chip's lane               */
	uint32_t block_count;
	uint32_t buffer_window;        /* bank bytes of a write buffer   */

	enum pflash_read_mode mode;
	enum pflash_pending pending;
	uint8_t status;
	uint8_t *locked;               /* one byte per block             */

	/* Buffered program in progress. */
	uint32_t buffer_words;         /* bank words announced           */
	uint32_t buffer_received;
	uint64_t buffer_start;         /* bank offset, or UINT64_MAX     */
	uint8_t buffer[PFLASH_WRITE_BUFFER_BYTES_PER_CHIP * 4];

	uint8_t cfi[PFLASH_CFI_TABLE_SIZE];
	unsigned warnings;
	bool noted;                    /* pflash_note_guest() said its line */

	/* Persistence (cfg.store): the bytes changed since the last write,
	 * as a sector-aligned range [dirty_start, dirty_end), and the one
	 * request (write, then flush) in flight. */
	uint64_t dirty_start, dirty_end;
	bool syncing;
	struct blockdev_request req;
	struct blockdev_iov iov;
	uint64_t store_writes, store_errors;
};

static void store_next(struct pflash *flash);

/* A write or flush of the store finished: flush after a write, then the
 * next dirty range, else the chip is ready. */
static void store_done(struct blockdev_request *req, int result)
{
	struct pflash *flash = req->opaque;

	if (result) {
		flash->store_errors++;
		/* The cells may not hold what was asked: a program error, as a
		 * chip whose program fails reports it. */
		flash->status |= PFLASH_STATUS_PROG_ERR;
		if (flash->warnings < PFLASH_WARN_LIMIT) {
			flash->warnings++;
			log_error("%s: writing the variable store failed (%d)", flash->cfg.name,
				  result);
		}
	}
	if (req->op == BLOCKDEV_WRITE && !result) {
		flash->req = (struct blockdev_request){ .op = BLOCKDEV_FLUSH,
							.complete = store_done, .opaque = flash };
		blockdev_submit(flash->cfg.store, &flash->req);
		return;
	}
	flash->syncing = false;
	store_next(flash);
}

/* Starts writing the dirty range, if there is one and nothing is in flight. */
static void store_next(struct pflash *flash)
{
	if (flash->syncing || flash->dirty_start >= flash->dirty_end)
		return;
	flash->syncing = true;
	flash->iov = (struct blockdev_iov){ flash->cfg.mem + flash->dirty_start,
					    (size_t)(flash->dirty_end - flash->dirty_start) };
	flash->req = (struct blockdev_request){ .op = BLOCKDEV_WRITE,
						.offset = flash->dirty_start, .iov = &flash->iov,
						.iov_count = 1, .complete = store_done,
						.opaque = flash };
	flash->dirty_start = flash->dirty_end = 0;
	flash->store_writes++;
	blockdev_submit(flash->cfg.store, &flash->req);
}

/* Bytes [offset, offset + len) of the array changed. */
static void store_changed(struct pflash *flash, uint64_t offset, uint64_t len)
{
	uint64_t size, start, end;

	if (!flash->cfg.store)
		return;
	size = flash->cfg.store->size;
	if (offset >= size)
		return;                         /* beyond the store: memory only */
	start = offset & ~(uint64_t)(BLOCKDEV_SECTOR_SIZE - 1);
	end = (offset + len + BLOCKDEV_SECTOR_SIZE - 1) & ~(uint64_t)(BLOCKDEV_SECTOR_SIZE - 1);
	if (end > size)
		end = size;
	if (flash->dirty_start >= flash->dirty_end) {
		flash->dirty_start = start;
		flash->dirty_end = end;
	} else {
		if (start < flash->dirty_start)
			flash->dirty_start = start;
		if (end > flash->dirty_end)
			flash->dirty_end = end;
	}
	store_next(flash);
}

/* The status a chip shows: not ready while its change is being stored. */
static uint8_t shown_status(const struct pflash *flash)
{
	return pflash_busy(flash) ? (uint8_t)(flash->status & ~PFLASH_STATUS_READY) : flash->status;
}

static void pflash_warn_guest(struct pflash *flash, const char *what, uint64_t offset, uint64_t value)
{
	if (flash->warnings >= PFLASH_WARN_LIMIT)
		return;
	flash->warnings++;
	log_warn("%s: %s at offset 0x%llx (0x%llx)%s", flash->cfg.name, what,
		 (unsigned long long)offset, (unsigned long long)value,
		 flash->warnings == PFLASH_WARN_LIMIT ? "; further warnings suppressed" : "");
}

/*
 * Odd but harmless guest behaviour (a write QEMU's pflash also ignores):
 * said once, at debug level, so that a firmware doing it on every boot
 * does not fill the console.
 */
static void pflash_note_guest(struct pflash *flash, const char *what, uint64_t offset,
			      uint64_t value)
{
	if (flash->noted)
		return;
	flash->noted = true;
	log_debug("%s: %s at offset 0x%llx (0x%llx); said once", flash->cfg.name, what,
		  (unsigned long long)offset, (unsigned long long)value);
}

static void set_mode(struct pflash *flash, enum pflash_read_mode mode)
{
	bool was_array = flash->mode == READ_ARRAY;

	flash->mode = mode;
	if (was_array != (mode == READ_ARRAY) && flash->cfg.mode_changed)
		flash->cfg.mode_changed(flash->cfg.ctx, mode == READ_ARRAY);
}

/* A guest error: improper sequence, back to read array. */
static void sequence_error(struct pflash *flash, const char *what, uint64_t offset, uint64_t value)
{
	pflash_warn_guest(flash, what, offset, value);
	flash->status |= STATUS_SEQUENCE_ERR;
	flash->pending = PENDING_NONE;
	set_mode(flash, READ_ARRAY);
}

static uint32_t block_index(const struct pflash *flash, uint64_t offset)
{
	return (uint32_t)(offset / flash->cfg.block_size);
}

/* The value each chip drives, replicated over the bank. */
static uint64_t replicate(const struct pflash *flash, uint64_t chip_value)
{
	uint64_t value = 0;

	for (unsigned i = 0; i < flash->chips; i++)
		value |= (chip_value & flash->device_mask) << (i * flash->cfg.device_width * 8);
	return value;
}

/* The bank word at a bank-aligned offset in a non-array read mode. */
static uint64_t mode_word(const struct pflash *flash, uint64_t word_offset)
{
	uint64_t index = word_offset / flash->cfg.bank_width;
	uint64_t chip_value = 0;

	switch (flash->mode) {
	case READ_STATUS:
		chip_value = shown_status(flash);
		break;
	case READ_IDENTIFIER:
		/* Device word offsets are relative to the block's start. */
		switch ((word_offset % flash->cfg.block_size) / flash->cfg.bank_width) {
		case 0:
			chip_value = PFLASH_MANUFACTURER_INTEL;
			break;
		case 1:
			chip_value = PFLASH_DEVICE_ID;
			break;
		case 2:
			chip_value = flash->locked[block_index(flash, word_offset)] ? 1 : 0;
			break;
		default:
			break;
		}
		break;
	case READ_CFI:
		if (index < PFLASH_CFI_TABLE_SIZE)
			chip_value = flash->cfi[index];
		break;
	case READ_ARRAY:
		break;
	}
	return replicate(flash, chip_value);
}

static uint64_t pflash_read(void *opaque, uint64_t offset, unsigned width)
{
	struct pflash *flash = opaque;
	unsigned bw = flash->cfg.bank_width;
	uint64_t value = 0;

	if (offset >= flash->cfg.size || width > flash->cfg.size - offset)
		return ~0ULL; /* the bus keeps accesses inside; belt and braces */
	for (unsigned i = 0; i < width; i++) {
		uint64_t addr = offset + i;
		uint8_t byte;

		if (flash->mode == READ_ARRAY) {
			byte = flash->cfg.mem[addr];
		} else {
			uint64_t word = mode_word(flash, addr - addr % bw);

			byte = (uint8_t)(word >> ((addr % bw) * 8));
		}
		value |= (uint64_t)byte << (i * 8);
	}
	return value;
}

/* Data cycle of a program: NOR programming only clears bits. */
static void program_bytes(struct pflash *flash, uint64_t offset, const uint8_t *data, uint64_t len)
{
	uint32_t block = block_index(flash, offset);

	flash->status |= PFLASH_STATUS_READY;
	if (flash->cfg.read_only) {
		/* What a write-protected part does; firmware probes for it (OVMF's
		 * QemuFlashDetected), so it is no guest error worth a warning. */
		log_debug("%s: program of read-only flash refused at offset 0x%llx", flash->cfg.name,
			  (unsigned long long)offset);
		flash->status |= PFLASH_STATUS_PROG_ERR;
		return;
	}
	if (flash->locked[block]) {
		pflash_warn_guest(flash, "program of a locked block refused", offset, len);
		flash->status |= PFLASH_STATUS_PROG_ERR | PFLASH_STATUS_LOCKED;
		return;
	}
	for (uint64_t i = 0; i < len; i++)
		flash->cfg.mem[offset + i] &= data[i];
	store_changed(flash, offset, len);
}

static void erase_block(struct pflash *flash, uint64_t offset)
{
	uint32_t block = block_index(flash, offset);

	flash->status |= PFLASH_STATUS_READY;
	if (flash->cfg.read_only) {
		log_debug("%s: erase of read-only flash refused at offset 0x%llx", flash->cfg.name,
			  (unsigned long long)offset);
		flash->status |= PFLASH_STATUS_ERASE_ERR;
		return;
	}
	if (flash->locked[block]) {
		pflash_warn_guest(flash, "erase of a locked block refused", offset, block);
		flash->status |= PFLASH_STATUS_ERASE_ERR | PFLASH_STATUS_LOCKED;
		return;
	}
	memset(flash->cfg.mem + (uint64_t)block * flash->cfg.block_size, 0xFF, flash->cfg.block_size);
	store_changed(flash, (uint64_t)block * flash->cfg.block_size, flash->cfg.block_size);
}

static void to_bytes(uint8_t *dst, uint64_t value, unsigned width)
{
	for (unsigned i = 0; i < width; i++)
		dst[i] = (uint8_t)(value >> (i * 8));
}

/* The chip-wide command of a write, or -1 if the chips disagree. */
static int bank_command(const struct pflash *flash, uint64_t value)
{
	uint64_t first = value & flash->device_mask;

	if (replicate(flash, first) != value)
		return -1;
	return (int)first;
}

static void start_command(struct pflash *flash, uint64_t offset, uint64_t value, bool narrow)
{
	int cmd = bank_command(flash, value);

	switch (cmd) {
	case 0xFF:
	case 0xF0: /* AMD-style reset, sent by Linux's CFI probe */
		flash->pending = PENDING_NONE;
		set_mode(flash, READ_ARRAY);
		return;
	case 0x70:
		set_mode(flash, READ_STATUS);
		return;
	case 0x50:
		flash->status = 0;
		set_mode(flash, READ_ARRAY);
		return;
	case 0x90:
		set_mode(flash, READ_IDENTIFIER);
		return;
	case 0x98:
		set_mode(flash, READ_CFI);
		return;
	case 0x10:
	case 0x40:
		flash->pending = PENDING_PROGRAM_DATA;
		break;
	case 0x20:
		flash->pending = PENDING_ERASE_CONFIRM;
		break;
	case 0x60:
		flash->pending = PENDING_LOCK_CONFIRM;
		break;
	case 0xE8:
		/* The write buffer is free at once: "ready" even after a Clear
		 * Status, as QEMU answers; EDK2 repeats 0xE8 until it sees it. */
		flash->pending = PENDING_BUFFER_COUNT;
		flash->status |= PFLASH_STATUS_READY;
		break;
	default:
		/* A write of another width that is no command: data, not a mistake. */
		if (narrow) {
			pflash_note_guest(flash, "write that is no command ignored", offset, value);
			flash->pending = PENDING_NONE;
			set_mode(flash, READ_ARRAY);
			return;
		}
		sequence_error(flash, "unsupported command", offset, value);
		return;
	}
	/* While a command is being set up the chip shows its status. */
	set_mode(flash, READ_STATUS);
}

static void buffer_count(struct pflash *flash, uint64_t offset, uint64_t value)
{
	int count = bank_command(flash, value);
	uint32_t max_words = PFLASH_WRITE_BUFFER_BYTES_PER_CHIP / flash->cfg.device_width;

	if (count < 0 || (uint32_t)count + 1 > max_words) {
		sequence_error(flash, "bad buffered program word count", offset, value);
		return;
	}
	flash->buffer_words = (uint32_t)count + 1;
	flash->buffer_received = 0;
	flash->buffer_start = UINT64_MAX;
	memset(flash->buffer, 0xFF, sizeof(flash->buffer));
	flash->pending = PENDING_BUFFER_DATA;
}

static void buffer_data(struct pflash *flash, uint64_t offset, uint64_t value)
{
	unsigned bw = flash->cfg.bank_width;
	uint64_t len = (uint64_t)flash->buffer_words * bw;

	if (flash->buffer_start == UINT64_MAX) {
		/* The data must stay inside one aligned write buffer. */
		if (offset / flash->buffer_window != (offset + len - 1) / flash->buffer_window ||
		    offset + len > flash->cfg.size) {
			sequence_error(flash, "buffered program crosses a write-buffer boundary", offset, len);
			return;
		}
		flash->buffer_start = offset;
	}
	if (offset < flash->buffer_start || offset - flash->buffer_start >= len) {
		sequence_error(flash, "buffered program data outside its range", offset, value);
		return;
	}
	to_bytes(flash->buffer + (offset - flash->buffer_start), value, bw);
	if (++flash->buffer_received == flash->buffer_words)
		flash->pending = PENDING_BUFFER_CONFIRM;
}

/*
 * Writes of another width than the bank's, as QEMU's pflash takes them
 * (hw/block/pflash_cfi01.c pflash_write(): "cmd = value" keeps the low
 * byte): in a command cycle the low byte is the command for every chip of
 * the bank (U-Boot's flash probe writes 8- and 16-bit commands to a bank
 * of width 4); program data writes that many bytes.  Only buffered
 * program data must have the bank's width.  Returns false when the write
 * is done with (ignored), else the bank-wide value and offset to go on with.
 */
static bool widen_write(struct pflash *flash, uint64_t *offset, unsigned width, uint64_t *value)
{
	if (flash->pending == PENDING_PROGRAM_DATA)
		return true;                       /* written as it is, below */
	if (flash->pending == PENDING_BUFFER_DATA) {
		sequence_error(flash, "buffered program data of another width than the bank's",
			       *offset, width);
		return false;
	}
	*value = replicate(flash, *value & 0xFF);
	*offset -= *offset % flash->cfg.bank_width;
	return true;
}

static void pflash_write(void *opaque, uint64_t offset, unsigned width, uint64_t value)
{
	struct pflash *flash = opaque;
	bool narrow = width != flash->cfg.bank_width;
	uint8_t bytes[8];
	int cmd;

	if (offset % width || offset >= flash->cfg.size || width > flash->cfg.size - offset) {
		pflash_note_guest(flash, "unaligned write ignored", offset, width);
		return;
	}
	if (narrow && !widen_write(flash, &offset, width, &value))
		return;
	switch (flash->pending) {
	case PENDING_NONE:
		start_command(flash, offset, value, narrow);
		return;
	case PENDING_PROGRAM_DATA:
		flash->pending = PENDING_NONE;
		to_bytes(bytes, value, width);
		program_bytes(flash, offset, bytes, width);
		return;
	case PENDING_ERASE_CONFIRM:
		flash->pending = PENDING_NONE;
		if (bank_command(flash, value) != 0xD0) {
			sequence_error(flash, "block erase not confirmed", offset, value);
			return;
		}
		erase_block(flash, offset);
		return;
	case PENDING_LOCK_CONFIRM:
		flash->pending = PENDING_NONE;
		cmd = bank_command(flash, value);
		if (cmd == 0x01 || cmd == 0x2F) {
			flash->locked[block_index(flash, offset)] = 1;
		} else if (cmd == 0xD0) {
			flash->locked[block_index(flash, offset)] = 0;
		} else {
			sequence_error(flash, "bad lock confirm", offset, value);
			return;
		}
		flash->status |= PFLASH_STATUS_READY;
		return;
	case PENDING_BUFFER_COUNT:
		buffer_count(flash, offset, value);
		return;
	case PENDING_BUFFER_DATA:
		buffer_data(flash, offset, value);
		return;
	case PENDING_BUFFER_CONFIRM:
		flash->pending = PENDING_NONE;
		if (bank_command(flash, value) != 0xD0) {
			sequence_error(flash, "buffered program not confirmed", offset, value);
			return;
		}
		program_bytes(flash, flash->buffer_start, flash->buffer,
			      (uint64_t)flash->buffer_words * flash->cfg.bank_width);
		return;
	}
}

static const struct bus_ops pflash_ops = {
	.read = pflash_read,
	.write = pflash_write,
};

static unsigned log2_ceil(uint64_t value)
{
	unsigned n = 0;

	while ((1ULL << n) < value)
		n++;
	return n;
}

static void put16(uint8_t *p, unsigned value)
{
	p[0] = (uint8_t)value;
	p[1] = (uint8_t)(value >> 8);
}

/* The CFI query table as one chip presents it. */
static void build_cfi_table(struct pflash *flash)
{
	uint8_t *t = flash->cfi;
	uint64_t chip_size = flash->cfg.size / flash->chips;
	uint32_t chip_block = flash->cfg.block_size / flash->chips;

	t[0x10] = 'Q';
	t[0x11] = 'R';
	t[0x12] = 'Y';
	put16(t + 0x13, 0x0001);   /* Intel/Sharp extended command set */
	put16(t + 0x15, 0x0031);   /* its table: "PRI" below           */
	t[0x1B] = 0x45;            /* Vcc 4.5 - 5.5 V                  */
	t[0x1C] = 0x55;
	t[0x1F] = 0x07;            /* typical word program 2^7 us      */
	t[0x20] = 0x07;            /* typical buffer program 2^7 us    */
	t[0x21] = 0x0A;            /* typical block erase 2^10 ms      */
	t[0x23] = 0x04;            /* maxima: 2^4 times typical        */
	t[0x24] = 0x04;
	t[0x25] = 0x04;
	t[0x27] = (uint8_t)log2_ceil(chip_size);
	put16(t + 0x28, flash->cfg.device_width == 1 ? 0x0000 : 0x0001); /* x8 / x16 */
	put16(t + 0x2A, log2_ceil(PFLASH_WRITE_BUFFER_BYTES_PER_CHIP));
	t[0x2C] = 1;               /* one erase block region           */
	put16(t + 0x2D, flash->block_count - 1);
	put16(t + 0x2F, chip_block / 256);
	t[0x31] = 'P';
	t[0x32] = 'R';
	t[0x33] = 'I';
	t[0x34] = '1';
	t[0x35] = '0';
	/* 0x36-0x39 optional features, 0x3A suspend: none. */
	put16(t + 0x3B, 0x0001);   /* block status: lock bit           */
	t[0x3D] = 0x33;            /* Vcc optimum 3.3 V                */
}

static bool config_valid(const struct pflash_config *c)
{
	unsigned chips;

	if (!c->mem || c->size == 0 || c->block_size == 0 || c->size % c->block_size)
		return false;
	if (c->bank_width != 1 && c->bank_width != 2 && c->bank_width != 4)
		return false;
	if ((c->device_width != 1 && c->device_width != 2) || c->bank_width % c->device_width)
		return false;
	chips = c->bank_width / c->device_width;
	/* CFI counts blocks in 16 bits and sizes them in 256-byte units. */
	if ((c->block_size / chips) % 256 || c->size / c->block_size > 0x10000)
		return false;
	if (c->block_size % (PFLASH_WRITE_BUFFER_BYTES_PER_CHIP * chips))
		return false;
	return c->base + c->size > c->base;
}

struct pflash *pflash_create(struct bus *bus, const struct pflash_config *config)
{
	static const struct bus_rules rules = {
		.min_width = 1,
		.max_width = 8,
		.unaligned_ok = true, /* array reads are memory reads */
		.oversize = BUS_OVERSIZE_REJECT,
		.undersize = BUS_UNDERSIZE_REJECT,
	};
	struct pflash *flash;

	if (!config_valid(config)) {
		log_error("%s: invalid flash configuration (size 0x%llx, block 0x%x, width %u/%u)",
			  config->name ? config->name : "pflash", (unsigned long long)config->size,
			  config->block_size, config->bank_width, config->device_width);
		return NULL;
	}
	flash = kzalloc(sizeof(*flash));
	if (!flash)
		return NULL;
	flash->cfg = *config;
	if (!flash->cfg.name)
		flash->cfg.name = "pflash";
	flash->bus = bus;
	flash->chips = config->bank_width / config->device_width;
	flash->device_mask = config->device_width == 1 ? 0xFF : 0xFFFF;
	flash->block_count = (uint32_t)(config->size / config->block_size);
	flash->buffer_window = PFLASH_WRITE_BUFFER_BYTES_PER_CHIP * flash->chips;
	flash->locked = kzalloc(flash->block_count);
	if (!flash->locked) {
		kfree(flash);
		return NULL;
	}
	build_cfi_table(flash);
	flash->mode = READ_ARRAY;
	flash->status = PFLASH_STATUS_READY;
	if (bus_register_mmio(bus, flash->cfg.name, config->base, config->size, &pflash_ops, flash,
			      &rules) < 0) {
		kfree(flash->locked);
		kfree(flash);
		return NULL;
	}
	return flash;
}

void pflash_destroy(struct pflash *flash)
{
	if (!flash)
		return;
	bus_unregister(flash->bus, BUS_SPACE_MMIO, flash->cfg.base);
	kfree(flash->locked);
	kfree(flash);
}

void pflash_reset(struct pflash *flash)
{
	flash->pending = PENDING_NONE;
	flash->status = PFLASH_STATUS_READY;
	set_mode(flash, READ_ARRAY);
}

bool pflash_is_array_mode(const struct pflash *flash)
{
	return flash->mode == READ_ARRAY;
}

uint8_t pflash_status(const struct pflash *flash)
{
	return shown_status(flash);
}

bool pflash_busy(const struct pflash *flash)
{
	return flash->syncing || flash->dirty_start < flash->dirty_end;
}

uint64_t pflash_store_writes(const struct pflash *flash)
{
	return flash->store_writes;
}

uint64_t pflash_store_errors(const struct pflash *flash)
{
	return flash->store_errors;
}

bool pflash_block_locked(const struct pflash *flash, uint64_t offset)
{
	return offset < flash->cfg.size && flash->locked[block_index(flash, offset)];
}
