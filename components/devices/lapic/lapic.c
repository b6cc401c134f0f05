/* SPDX-License-Identifier: MIT */
/*
 * Local APIC (xAPIC).  Register layout and semantics follow the Intel SDM
 * vol. 3, chapter "Advanced Programmable Interrupt Controller".  The timer
 * keeps the VM time at which its count was 'initial' and derives the
 * current count from the clock, so nothing runs while the guest only
 * waits; one vtimer fires at the next interrupt.
 */
#include <errno.h>
#include <stdarg.h>
#include <string.h>
#include <core/log.h>
#include <core/mm.h>
#include <lapic/lapic.h>

#define NS_PER_SECOND 1000000000ull
#define LAPIC_MAX_WARNINGS 16
#define FIRST_LEGAL_VECTOR 16
/* A periodic timer never fires more often than this (ns): a guest asking
 * for less only gets its interrupts coalesced instead of a busy run loop. */
#define MIN_PERIOD_NS 1000ull

/* Writable bits of each LVT entry (the rest is read-only or reserved). */
#define LVT_WRITABLE_TIMER 0x000700FFu     /* vector, mask, timer mode   */
#define LVT_WRITABLE_LOCAL 0x000107FFu     /* vector, delivery, mask     */
#define LVT_WRITABLE_LINT 0x0001A7FFu      /* + polarity, trigger        */
#define LVT_WRITABLE_ERROR 0x000100FFu     /* vector, mask               */
#define SVR_WRITABLE 0x000003FFu
#define ICR_LOW_WRITABLE 0x000CCFFFu
#define DIVIDE_WRITABLE 0x0000000Bu

static void __attribute__((format(printf, 2, 3)))
lapic_warn(struct lapic *l, const char *fmt, ...)
{
	va_list ap;

	if (l->warnings >= LAPIC_MAX_WARNINGS)
		return;
	l->warnings++;
	va_start(ap, fmt);
	log_vprintf(LOG_WARN, fmt, ap);
	va_end(ap);
	if (l->warnings == LAPIC_MAX_WARNINGS)
		log_warn("lapic %u: further guest errors are not reported", l->initial_id);
}

static void kick(struct lapic *l)
{
	if (l->ops && l->ops->kick)
		l->ops->kick(l->ctx);
}

/* ---- time ------------------------------------------------------------------ */

/*
 * Split so that no product overflows for hz <= LAPIC_MAX_CLOCK_HZ; after
 * centuries of VM time the result saturates instead of wrapping.
 */
static uint64_t ns_to_ticks(uint64_t ns, uint64_t hz)
{
	uint64_t seconds = ns / NS_PER_SECOND;

	if (seconds >= UINT64_MAX / hz)
		return UINT64_MAX;
	return seconds * hz + (ns % NS_PER_SECOND) * hz / NS_PER_SECOND;
}

static uint64_t add_saturating(uint64_t a, uint64_t b)
{
	return a > UINT64_MAX - b ? UINT64_MAX : a + b;
}

/* First VM time (ns) at which ns_to_ticks() reaches ticks. */
static uint64_t ticks_to_ns(uint64_t ticks, uint64_t hz)
{
	uint64_t seconds = ticks / hz;

	if (seconds > UINT64_MAX / NS_PER_SECOND - 1)
		return UINT64_MAX;
	return seconds * NS_PER_SECOND + ((ticks % hz) * NS_PER_SECOND + hz - 1) / hz;
}

static uint64_t clock_hz(uint64_t requested, uint64_t fallback)
{
	if (requested == 0)
		return fallback;
	return requested > LAPIC_MAX_CLOCK_HZ ? LAPIC_MAX_CLOCK_HZ : requested;
}

/* Divide configuration bits 3,1:0 -> 2, 4, ... 128, and 0b111 -> 1. */
static uint32_t timer_divisor(const struct lapic *l)
{
	uint32_t code = (l->timer_divide & 3u) | ((l->timer_divide >> 1) & 4u);

	return code == 7 ? 1u : 2u << code;
}

static enum lapic_timer_mode timer_mode(const struct lapic *l)
{
	return (enum lapic_timer_mode)((l->lvt[LAPIC_LVT_TIMER] & LAPIC_TIMER_MODE_MASK) >>
				       LAPIC_TIMER_MODE_SHIFT);
}

/* Timer ticks (decrements of the count) since the count was 'initial'. */
static uint64_t timer_elapsed(const struct lapic *l, uint64_t now)
{
	if (now < l->timer_start_ns)
		return 0;
	return ns_to_ticks(now - l->timer_start_ns, l->timer_hz) / timer_divisor(l);
}

static uint32_t current_count_at(const struct lapic *l, uint64_t now)
{
	uint64_t elapsed;

	if (!l->timer_running || timer_mode(l) == LAPIC_TIMER_TSC_DEADLINE)
		return 0;
	elapsed = timer_elapsed(l, now);
	if (timer_mode(l) == LAPIC_TIMER_PERIODIC)
		return l->timer_initial - (uint32_t)(elapsed % l->timer_initial);
	return elapsed >= l->timer_initial ? 0 : l->timer_initial - (uint32_t)elapsed;
}

uint32_t lapic_timer_current(const struct lapic *l)
{
	return current_count_at(l, vclock_now(l->clock));
}

uint64_t lapic_guest_tsc(const struct lapic *l)
{
	return ns_to_ticks(vclock_now(l->clock), l->tsc_hz);
}

/* VM time at which the count reaches zero next (end of this period). */
static uint64_t timer_next_expiry(const struct lapic *l, uint64_t now)
{
	uint64_t period = (uint64_t)l->timer_initial * timer_divisor(l);
	uint64_t periods_done = 0;
	uint64_t at;

	if (timer_mode(l) == LAPIC_TIMER_PERIODIC)
		periods_done = timer_elapsed(l, now) / l->timer_initial;
	if (periods_done >= UINT64_MAX / period - 1)
		return UINT64_MAX;
	at = add_saturating(l->timer_start_ns, ticks_to_ns((periods_done + 1) * period, l->timer_hz));
	if (timer_mode(l) == LAPIC_TIMER_PERIODIC && at < add_saturating(now, MIN_PERIOD_NS))
		at = add_saturating(now, MIN_PERIOD_NS);
	return at;
}

/* Arms the vtimer for whatever the current mode expects next. */
static void timer_rearm(struct lapic *l)
{
	uint64_t now = vclock_now(l->clock);

	if (timer_mode(l) == LAPIC_TIMER_TSC_DEADLINE) {
		uint64_t at = ticks_to_ns(l->tsc_deadline, l->tsc_hz);

		if (l->tsc_deadline == 0 || at == UINT64_MAX)
			vtimer_cancel(l->clock, &l->timer);
		else
			vtimer_arm(l->clock, &l->timer, at);
		return;
	}
	if (!l->timer_running || timer_next_expiry(l, now) == UINT64_MAX)
		vtimer_cancel(l->clock, &l->timer);
	else
		vtimer_arm(l->clock, &l->timer, timer_next_expiry(l, now));
}

static void timer_stop(struct lapic *l)
{
	l->timer_running = false;
	l->tsc_deadline = 0;
	vtimer_cancel(l->clock, &l->timer);
}

/* ---- interrupt state ------------------------------------------------------- */

static bool bit_test(const uint32_t *bits, unsigned vector)
{
	return bits[vector / 32] & (1u << (vector % 32));
}

static void bit_set(uint32_t *bits, unsigned vector)
{
	bits[vector / 32] |= 1u << (vector % 32);
}

static void bit_clear(uint32_t *bits, unsigned vector)
{
	bits[vector / 32] &= ~(1u << (vector % 32));
}

/* Highest set vector, or -1. */
static int highest_bit(const uint32_t *bits)
{
	for (int word = 7; word >= 0; word--)
		if (bits[word])
			return word * 32 + 31 - __builtin_clz(bits[word]);
	return -1;
}

static bool software_enabled(const struct lapic *l)
{
	return l->svr & LAPIC_SVR_ENABLE;
}

static bool hardware_enabled(const struct lapic *l)
{
	return l->apic_base & LAPIC_BASE_ENABLE;
}

uint32_t lapic_ppr(const struct lapic *l)
{
	int isrv = highest_bit(l->isr);
	uint32_t isr_class = isrv < 0 ? 0 : ((uint32_t)isrv & 0xF0u);

	return (l->tpr & 0xF0u) >= isr_class ? l->tpr & 0xFFu : isr_class;
}

int lapic_pending_vector(const struct lapic *l)
{
	int irrv = highest_bit(l->irr);

	if (irrv < 0 || !software_enabled(l) || !hardware_enabled(l))
		return -1;
	if (((uint32_t)irrv & 0xF0u) <= (lapic_ppr(l) & 0xF0u))
		return -1;
	return irrv;
}

uint8_t lapic_accept(struct lapic *l, uint8_t vector)
{
	if (lapic_pending_vector(l) != vector)
		return (uint8_t)(l->svr & LAPIC_VECTOR_MASK);
	bit_clear(l->irr, vector);
	bit_set(l->isr, vector);
	return vector;
}

static void signal_error(struct lapic *l, uint32_t esr_bit);

static void accept_fixed(struct lapic *l, uint8_t vector, bool level_triggered)
{
	if (!hardware_enabled(l))
		return;
	if (vector < FIRST_LEGAL_VECTOR) {
		signal_error(l, LAPIC_ESR_RECEIVE_ILLEGAL_VECTOR);
		return;
	}
	bit_set(l->irr, vector);
	if (level_triggered)
		bit_set(l->tmr, vector);
	else
		bit_clear(l->tmr, vector);
	kick(l);
}

void lapic_set_irq(struct lapic *l, uint8_t vector, bool level_triggered)
{
	accept_fixed(l, vector, level_triggered);
}

/* Records an error and raises the error LVT, once per new error kind. */
static void signal_error(struct lapic *l, uint32_t esr_bit)
{
	uint32_t lvt = l->lvt[LAPIC_LVT_ERROR];
	bool new_error = !(l->esr_pending & esr_bit);

	l->esr_pending |= esr_bit;
	/* An illegal error vector must not report itself forever. */
	if (new_error && !(lvt & LAPIC_LVT_MASKED) && (lvt & LAPIC_VECTOR_MASK) >= FIRST_LEGAL_VECTOR)
		accept_fixed(l, (uint8_t)(lvt & LAPIC_VECTOR_MASK), false);
}

void lapic_deliver(struct lapic *l, enum lapic_delivery delivery, uint8_t vector, bool level_triggered)
{
	if (!hardware_enabled(l))
		return;
	switch (delivery) {
	case LAPIC_DELIVERY_FIXED:
	case LAPIC_DELIVERY_LOWEST:
		accept_fixed(l, vector, level_triggered);
		break;
	case LAPIC_DELIVERY_NMI:
		l->nmi_pending = true;
		kick(l);
		break;
	case LAPIC_DELIVERY_INIT:
		l->init_pending = true;
		kick(l);
		break;
	case LAPIC_DELIVERY_STARTUP:
		l->sipi_pending = true;
		l->sipi_vector = vector;
		kick(l);
		break;
	case LAPIC_DELIVERY_EXTINT:
		l->extint_requested = true;
		kick(l);
		break;
	default:
		lapic_warn(l, "lapic %u: delivery mode %u not supported, dropped", l->initial_id,
			   (unsigned)delivery);
		break;
	}
}

/* A local source (timer, LINT, thermal...) fires through its LVT entry. */
static void lvt_fire(struct lapic *l, enum lapic_lvt which)
{
	uint32_t lvt = l->lvt[which];
	enum lapic_delivery delivery = (enum lapic_delivery)((lvt & LAPIC_DELIVERY_MASK) >> LAPIC_DELIVERY_SHIFT);
	bool level_triggered;

	if (lvt & LAPIC_LVT_MASKED)
		return;
	/* Timer and error entries have no delivery mode field: always fixed. */
	if (which == LAPIC_LVT_TIMER || which == LAPIC_LVT_ERROR)
		delivery = LAPIC_DELIVERY_FIXED;
	if (delivery == LAPIC_DELIVERY_EXTINT)
		return; /* level-sensitive: lapic_extint_pending() looks at the pin */
	level_triggered = (which == LAPIC_LVT_LINT0 || which == LAPIC_LVT_LINT1) && (lvt & LAPIC_LVT_LEVEL);
	lapic_deliver(l, delivery, (uint8_t)(lvt & LAPIC_VECTOR_MASK), level_triggered);
}

void lapic_lint_sink(void *opaque, unsigned pin, bool level)
{
	struct lapic *l = opaque;
	bool rising;

	if (pin > 1) {
		lapic_warn(l, "lapic %u: no LINT%u pin", l->initial_id, pin);
		return;
	}
	rising = level && !l->lint_level[pin];
	l->lint_level[pin] = level;
	if (pin == 0 && lapic_extint_pending(l))
		kick(l);
	else if (rising)
		lvt_fire(l, pin == 0 ? LAPIC_LVT_LINT0 : LAPIC_LVT_LINT1);
}

bool lapic_extint_pending(const struct lapic *l)
{
	uint32_t lint0 = l->lvt[LAPIC_LVT_LINT0];

	if (!hardware_enabled(l))
		return l->lint_level[0];
	if (l->extint_requested)
		return true;
	return l->lint_level[0] && !(lint0 & LAPIC_LVT_MASKED) &&
	       ((lint0 & LAPIC_DELIVERY_MASK) >> LAPIC_DELIVERY_SHIFT) == LAPIC_DELIVERY_EXTINT;
}

void lapic_extint_taken(struct lapic *l)
{
	l->extint_requested = false;
}

bool lapic_take_nmi(struct lapic *l)
{
	bool pending = l->nmi_pending;

	l->nmi_pending = false;
	return pending;
}

bool lapic_take_init(struct lapic *l)
{
	bool pending = l->init_pending;

	l->init_pending = false;
	return pending;
}

bool lapic_take_sipi(struct lapic *l, uint8_t *vector)
{
	if (!l->sipi_pending)
		return false;
	l->sipi_pending = false;
	if (vector)
		*vector = l->sipi_vector;
	return true;
}

static void timer_expired(void *opaque)
{
	struct lapic *l = opaque;
	uint64_t now = vclock_now(l->clock);

	/* Not due yet (the programming changed since arming): arm again. */
	if (timer_mode(l) == LAPIC_TIMER_TSC_DEADLINE) {
		if (l->tsc_deadline == 0 || lapic_guest_tsc(l) < l->tsc_deadline) {
			timer_rearm(l);
			return;
		}
		l->tsc_deadline = 0;
	} else {
		if (!l->timer_running)
			return;
		if (timer_mode(l) == LAPIC_TIMER_ONE_SHOT) {
			if (timer_elapsed(l, now) < l->timer_initial) {
				timer_rearm(l);
				return;
			}
			l->timer_running = false;
		}
	}
	l->timer_fired++;
	lvt_fire(l, LAPIC_LVT_TIMER);
	timer_rearm(l);
}

/* ---- EOI and IPIs ---------------------------------------------------------- */

static void write_eoi(struct lapic *l)
{
	int vector = highest_bit(l->isr);

	if (vector < 0)
		return; /* an EOI with nothing in service is harmless */
	bit_clear(l->isr, (unsigned)vector);
	if (bit_test(l->tmr, (unsigned)vector) && l->ops && l->ops->eoi_broadcast)
		l->ops->eoi_broadcast(l->ctx, (uint8_t)vector);
	if (lapic_pending_vector(l) >= 0)
		kick(l);
}

bool lapic_matches_destination(const struct lapic *l, uint8_t destination, bool logical)
{
	uint8_t ldr = (uint8_t)(l->ldr >> 24);

	if (!logical)
		return destination == 0xFF || destination == (uint8_t)(l->id >> 24);
	if (destination == 0xFF)
		return true;
	if ((l->dfr >> 28) == 0xF)
		return (ldr & destination) != 0; /* flat model */
	/* cluster model: cluster number in 7:4, member bits in 3:0 */
	return (ldr >> 4) == (destination >> 4) && (ldr & destination & 0x0F) != 0;
}

bool lapic_ipi_targets(const struct lapic *l, const struct lapic_ipi *ipi)
{
	bool self = ipi->source_id == (uint8_t)(l->id >> 24);

	switch (ipi->shorthand) {
	case LAPIC_SHORTHAND_SELF:
		return self;
	case LAPIC_SHORTHAND_ALL_INCLUDING_SELF:
		return true;
	case LAPIC_SHORTHAND_ALL_EXCLUDING_SELF:
		return !self;
	default:
		return lapic_matches_destination(l, ipi->destination, ipi->logical);
	}
}

static void send_ipi(struct lapic *l)
{
	struct lapic_ipi ipi = {
		.source_id = (uint8_t)(l->id >> 24),
		.shorthand = (enum lapic_shorthand)((l->icr_low >> LAPIC_ICR_SHORTHAND_SHIFT) & 3u),
		.destination = (uint8_t)(l->icr_high >> 24),
		.logical = l->icr_low & LAPIC_ICR_LOGICAL,
		.delivery = (enum lapic_delivery)((l->icr_low & LAPIC_DELIVERY_MASK) >> LAPIC_DELIVERY_SHIFT),
		.vector = (uint8_t)(l->icr_low & LAPIC_VECTOR_MASK),
		.level_triggered = l->icr_low & LAPIC_ICR_LEVEL,
	};

	switch (ipi.delivery) {
	case LAPIC_DELIVERY_FIXED:
	case LAPIC_DELIVERY_LOWEST:
		if (ipi.vector < FIRST_LEGAL_VECTOR) {
			signal_error(l, LAPIC_ESR_SEND_ILLEGAL_VECTOR);
			return;
		}
		/* IPIs are edge-triggered messages; the trigger bit does not
		 * make the receiver wait for an EOI broadcast. */
		ipi.level_triggered = false;
		break;
	case LAPIC_DELIVERY_INIT:
		/* INIT level de-assert only synchronizes arbitration IDs on
		 * old processors; nothing to deliver. */
		if (!(l->icr_low & LAPIC_ICR_ASSERT) && (l->icr_low & LAPIC_ICR_LEVEL))
			return;
		ipi.level_triggered = false;
		break;
	case LAPIC_DELIVERY_NMI:
	case LAPIC_DELIVERY_STARTUP:
	case LAPIC_DELIVERY_SMI:
		ipi.level_triggered = false;
		break;
	default:
		lapic_warn(l, "lapic %u: ICR delivery mode %u is reserved, IPI dropped", l->initial_id,
			   (unsigned)ipi.delivery);
		return;
	}
	if (ipi.shorthand == LAPIC_SHORTHAND_SELF && ipi.delivery != LAPIC_DELIVERY_FIXED) {
		lapic_warn(l, "lapic %u: self IPI with delivery mode %u is invalid, dropped", l->initial_id,
			   (unsigned)ipi.delivery);
		return;
	}
	if (l->ops && l->ops->send_ipi)
		l->ops->send_ipi(l->ctx, &ipi);
}

/* ---- registers ------------------------------------------------------------- */

static void write_lvt(struct lapic *l, enum lapic_lvt which, uint32_t value)
{
	static const uint32_t writable[LAPIC_LVT_COUNT] = {
		[LAPIC_LVT_CMCI] = LVT_WRITABLE_LOCAL,   [LAPIC_LVT_TIMER] = LVT_WRITABLE_TIMER,
		[LAPIC_LVT_THERMAL] = LVT_WRITABLE_LOCAL, [LAPIC_LVT_PERF] = LVT_WRITABLE_LOCAL,
		[LAPIC_LVT_LINT0] = LVT_WRITABLE_LINT,   [LAPIC_LVT_LINT1] = LVT_WRITABLE_LINT,
		[LAPIC_LVT_ERROR] = LVT_WRITABLE_ERROR,
	};
	uint32_t old = l->lvt[which];

	value &= writable[which];
	/* While software-disabled the mask bits stay set (SDM). */
	if (!software_enabled(l))
		value |= LAPIC_LVT_MASKED;
	if (which == LAPIC_LVT_TIMER && (value & LAPIC_TIMER_MODE_MASK) == LAPIC_TIMER_MODE_MASK) {
		lapic_warn(l, "lapic %u: reserved timer mode 3, kept mode %u", l->initial_id,
			   (unsigned)timer_mode(l));
		value = (value & ~LAPIC_TIMER_MODE_MASK) | (old & LAPIC_TIMER_MODE_MASK);
	}
	l->lvt[which] = value;
	if (which == LAPIC_LVT_TIMER && (old ^ value) & LAPIC_TIMER_MODE_MASK) {
		/* Switching to or from TSC-deadline mode disarms the timer;
		 * one-shot <-> periodic keeps counting from the same start. */
		if ((old & LAPIC_TIMER_MODE_MASK) >> LAPIC_TIMER_MODE_SHIFT == LAPIC_TIMER_TSC_DEADLINE ||
		    timer_mode(l) == LAPIC_TIMER_TSC_DEADLINE) {
			timer_stop(l);
			l->timer_initial = 0;
		} else {
			timer_rearm(l);
		}
	}
	if (which == LAPIC_LVT_LINT0 && lapic_extint_pending(l))
		kick(l);
}

static void write_svr(struct lapic *l, uint32_t value)
{
	l->svr = value & SVR_WRITABLE;
	if (!software_enabled(l))
		for (unsigned i = 0; i < LAPIC_LVT_COUNT; i++)
			l->lvt[i] |= LAPIC_LVT_MASKED;
	else if (lapic_pending_vector(l) >= 0)
		kick(l);
}

static void write_timer_initial(struct lapic *l, uint32_t value)
{
	if (timer_mode(l) == LAPIC_TIMER_TSC_DEADLINE)
		return; /* ignored in TSC-deadline mode (SDM) */
	l->timer_initial = value;
	l->timer_start_ns = vclock_now(l->clock);
	l->timer_running = value != 0;
	timer_rearm(l);
}

static void write_timer_divide(struct lapic *l, uint32_t value)
{
	uint64_t now = vclock_now(l->clock);
	uint32_t current = current_count_at(l, now);

	l->timer_divide = value & DIVIDE_WRITABLE;
	if (!l->timer_running)
		return;
	/* Keep the current count, let it run on at the new rate. */
	l->timer_start_ns = now - ticks_to_ns((uint64_t)(l->timer_initial - current) * timer_divisor(l),
					      l->timer_hz);
	if (l->timer_start_ns > now)
		l->timer_start_ns = now;
	timer_rearm(l);
}

static void write_esr(struct lapic *l)
{
	l->esr = l->esr_pending;
	l->esr_pending = 0;
}

uint32_t lapic_read(struct lapic *l, uint32_t offset)
{
	switch (offset) {
	case LAPIC_REG_ID:
		return l->id;
	case LAPIC_REG_VERSION:
		return LAPIC_VERSION_VALUE;
	case LAPIC_REG_TPR:
		return l->tpr;
	case LAPIC_REG_APR:
		return 0;
	case LAPIC_REG_PPR:
		return lapic_ppr(l);
	case LAPIC_REG_EOI:
	case LAPIC_REG_RRD:
		return 0;
	case LAPIC_REG_LDR:
		return l->ldr;
	case LAPIC_REG_DFR:
		return l->dfr;
	case LAPIC_REG_SVR:
		return l->svr;
	case LAPIC_REG_ESR:
		return l->esr;
	case LAPIC_REG_LVT_CMCI:
		return l->lvt[LAPIC_LVT_CMCI];
	case LAPIC_REG_ICR_LOW:
		return l->icr_low; /* delivery status 0: messages are instant */
	case LAPIC_REG_ICR_HIGH:
		return l->icr_high;
	case LAPIC_REG_LVT_TIMER:
	case LAPIC_REG_LVT_THERMAL:
	case LAPIC_REG_LVT_PERF:
	case LAPIC_REG_LVT_LINT0:
	case LAPIC_REG_LVT_LINT1:
	case LAPIC_REG_LVT_ERROR:
		return l->lvt[LAPIC_LVT_TIMER + (offset - LAPIC_REG_LVT_TIMER) / 16];
	case LAPIC_REG_TIMER_INITIAL:
		return l->timer_initial;
	case LAPIC_REG_TIMER_CURRENT:
		return lapic_timer_current(l);
	case LAPIC_REG_TIMER_DIVIDE:
		return l->timer_divide;
	default:
		break;
	}
	if (offset >= LAPIC_REG_ISR && offset < LAPIC_REG_ISR + 0x80)
		return l->isr[(offset - LAPIC_REG_ISR) / 16];
	if (offset >= LAPIC_REG_TMR && offset < LAPIC_REG_TMR + 0x80)
		return l->tmr[(offset - LAPIC_REG_TMR) / 16];
	if (offset >= LAPIC_REG_IRR && offset < LAPIC_REG_IRR + 0x80)
		return l->irr[(offset - LAPIC_REG_IRR) / 16];
	signal_error(l, LAPIC_ESR_ILLEGAL_REGISTER);
	lapic_warn(l, "lapic %u: read of reserved register %#x", l->initial_id, offset);
	return 0;
}

void lapic_write(struct lapic *l, uint32_t offset, uint32_t value)
{
	switch (offset) {
	case LAPIC_REG_ID:
		l->id = value & 0xFF000000u;
		return;
	case LAPIC_REG_TPR:
		l->tpr = value & 0xFFu;
		if (lapic_pending_vector(l) >= 0)
			kick(l);
		return;
	case LAPIC_REG_EOI:
		write_eoi(l);
		return;
	case LAPIC_REG_LDR:
		l->ldr = value & 0xFF000000u;
		return;
	case LAPIC_REG_DFR:
		l->dfr = (value & 0xF0000000u) | 0x0FFFFFFFu;
		return;
	case LAPIC_REG_SVR:
		write_svr(l, value);
		return;
	case LAPIC_REG_ESR:
		write_esr(l);
		return;
	case LAPIC_REG_ICR_LOW:
		l->icr_low = value & ICR_LOW_WRITABLE;
		send_ipi(l);
		return;
	case LAPIC_REG_ICR_HIGH:
		l->icr_high = value & 0xFF000000u;
		return;
	case LAPIC_REG_LVT_CMCI:
		write_lvt(l, LAPIC_LVT_CMCI, value);
		return;
	case LAPIC_REG_LVT_TIMER:
	case LAPIC_REG_LVT_THERMAL:
	case LAPIC_REG_LVT_PERF:
	case LAPIC_REG_LVT_LINT0:
	case LAPIC_REG_LVT_LINT1:
	case LAPIC_REG_LVT_ERROR:
		write_lvt(l, (enum lapic_lvt)(LAPIC_LVT_TIMER + (offset - LAPIC_REG_LVT_TIMER) / 16), value);
		return;
	case LAPIC_REG_TIMER_INITIAL:
		write_timer_initial(l, value);
		return;
	case LAPIC_REG_TIMER_DIVIDE:
		write_timer_divide(l, value);
		return;
	case LAPIC_REG_VERSION:
	case LAPIC_REG_APR:
	case LAPIC_REG_PPR:
	case LAPIC_REG_RRD:
	case LAPIC_REG_TIMER_CURRENT:
		lapic_warn(l, "lapic %u: write %#x to read-only register %#x ignored", l->initial_id, value,
			   offset);
		return;
	default:
		break;
	}
	if (offset >= LAPIC_REG_ISR && offset < LAPIC_REG_IRR + 0x80) {
		lapic_warn(l, "lapic %u: write %#x to read-only register %#x ignored", l->initial_id, value,
			   offset);
		return;
	}
	signal_error(l, LAPIC_ESR_ILLEGAL_REGISTER);
	lapic_warn(l, "lapic %u: write %#x to reserved register %#x", l->initial_id, value, offset);
}

bool lapic_mmio_claims(const struct lapic *l, uint64_t gpa)
{
	uint64_t base = l->apic_base & LAPIC_BASE_ADDRESS_MASK;

	return hardware_enabled(l) && gpa >= base && gpa - base < LAPIC_PAGE_SIZE;
}

enum bus_result lapic_mmio_access(struct lapic *l, struct bus_access *acc)
{
	uint64_t offset = acc->addr - (l->apic_base & LAPIC_BASE_ADDRESS_MASK);

	if (!lapic_mmio_claims(l, acc->addr))
		return BUS_UNASSIGNED;
	if (acc->width != 4 || (offset & 15u) != 0) {
		lapic_warn(l, "lapic %u: %s of width %u at offset %#llx rejected (aligned 32-bit only)",
			   l->initial_id, acc->dir == BUS_WRITE ? "write" : "read", acc->width,
			   (unsigned long long)offset);
		if (acc->dir == BUS_READ)
			acc->data = acc->width >= 8 ? UINT64_MAX : (1ull << (acc->width * 8)) - 1;
		return BUS_REJECTED;
	}
	if (acc->dir == BUS_READ)
		acc->data = lapic_read(l, (uint32_t)offset);
	else
		lapic_write(l, (uint32_t)offset, (uint32_t)acc->data);
	return BUS_OK;
}

/* ---- MSRs ------------------------------------------------------------------ */

uint64_t lapic_get_apic_base(const struct lapic *l)
{
	return l->apic_base;
}

int lapic_set_apic_base(struct lapic *l, uint64_t value)
{
	uint64_t allowed = LAPIC_BASE_ADDRESS_MASK | LAPIC_BASE_ENABLE | LAPIC_BASE_BSP;
	bool was_enabled = hardware_enabled(l);

	if (value & ~allowed) {
		lapic_warn(l, "lapic %u: IA32_APIC_BASE %#llx has reserved or x2APIC bits", l->initial_id,
			   (unsigned long long)value);
		return -EINVAL;
	}
	/* BSP is set by the platform at reset; the guest cannot change it. */
	l->apic_base = (value & ~LAPIC_BASE_BSP) | (l->apic_base & LAPIC_BASE_BSP);
	if (was_enabled && !hardware_enabled(l)) {
		/* A hardware-disabled APIC loses its state (SDM). */
		uint64_t base = l->apic_base;

		lapic_init_reset(l);
		l->apic_base = base;
	}
	return 0;
}

uint64_t lapic_get_tsc_deadline(const struct lapic *l)
{
	return timer_mode(l) == LAPIC_TIMER_TSC_DEADLINE ? l->tsc_deadline : 0;
}

void lapic_set_tsc_deadline(struct lapic *l, uint64_t tsc)
{
	if (timer_mode(l) != LAPIC_TIMER_TSC_DEADLINE)
		return;
	l->tsc_deadline = tsc;
	timer_rearm(l);
}

/* ---- life cycle ------------------------------------------------------------ */

void lapic_init_reset(struct lapic *l)
{
	timer_stop(l);
	l->id = (uint32_t)l->initial_id << 24;
	l->tpr = 0;
	l->ldr = 0;
	l->dfr = 0xFFFFFFFFu;
	l->svr = 0xFFu;
	memset(l->isr, 0, sizeof(l->isr));
	memset(l->tmr, 0, sizeof(l->tmr));
	memset(l->irr, 0, sizeof(l->irr));
	l->esr = 0;
	l->esr_pending = 0;
	for (unsigned i = 0; i < LAPIC_LVT_COUNT; i++)
		l->lvt[i] = LAPIC_LVT_MASKED;
	l->icr_low = 0;
	l->icr_high = 0;
	l->timer_initial = 0;
	l->timer_divide = 0;
	l->extint_requested = false;
	l->nmi_pending = false;
	l->sipi_pending = false;
}

void lapic_init(struct lapic *l, struct vclock *clock, const struct lapic_config *config,
		const struct lapic_ops *ops, void *ctx)
{
	memset(l, 0, sizeof(*l));
	l->clock = clock;
	l->ops = ops;
	l->ctx = ctx;
	l->initial_id = config->apic_id;
	l->timer_hz = clock_hz(config->timer_hz, LAPIC_DEFAULT_TIMER_HZ);
	l->tsc_hz = clock_hz(config->tsc_hz, l->timer_hz);
	l->apic_base = LAPIC_DEFAULT_BASE | LAPIC_BASE_ENABLE | (config->bsp ? LAPIC_BASE_BSP : 0);
	vtimer_init(&l->timer, timer_expired, l);
	lapic_init_reset(l);
}

struct lapic *lapic_create(struct vclock *clock, const struct lapic_config *config,
			   const struct lapic_ops *ops, void *ctx)
{
	struct lapic *l = kzalloc(sizeof(*l));

	if (!l) {
		log_error("lapic %u: out of memory", config->apic_id);
		return NULL;
	}
	lapic_init(l, clock, config, ops, ctx);
	return l;
}

void lapic_destroy(struct lapic *l)
{
	if (!l)
		return;
	vtimer_cancel(l->clock, &l->timer);
	kfree(l);
}
