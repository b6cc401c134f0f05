/* SPDX-License-Identifier: MIT */
/*
 * vsnprintf for the image.  It never allocates and never writes past
 * size bytes; the count it returns is the full length, so callers can
 * detect truncation exactly as with C99.
 */
#include "stdio.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct out {
	char *buf;
	size_t size;
	size_t pos;          /* characters produced so far, written or not */
};

static void out_char(struct out *o, char c)
{
	if (o->size && o->pos < o->size - 1)
		o->buf[o->pos] = c;
	o->pos++;
}

static void out_repeat(struct out *o, char c, int count)
{
	while (count-- > 0)
		out_char(o, c);
}

static void out_chars(struct out *o, const char *s, size_t len)
{
	while (len--)
		out_char(o, *s++);
}

#define FLAG_LEFT   0x01
#define FLAG_ZERO   0x02
#define FLAG_PLUS   0x04
#define FLAG_SPACE  0x08
#define FLAG_ALT    0x10

struct spec {
	unsigned int flags;
	int width;           /* 0 when none */
	int precision;       /* -1 when none */
};

static void out_padded(struct out *o, const struct spec *sp, const char *s, size_t len)
{
	int pad = sp->width > (int)len ? sp->width - (int)len : 0;

	if (!(sp->flags & FLAG_LEFT))
		out_repeat(o, ' ', pad);
	out_chars(o, s, len);
	if (sp->flags & FLAG_LEFT)
		out_repeat(o, ' ', pad);
}

static void out_number(struct out *o, const struct spec *sp, unsigned long long value,
		       bool negative, unsigned int base, bool upper, bool is_signed,
		       bool pointer)
{
	const char *digit_chars = upper ? "0123456789ABCDEF" : "0123456789abcdef";
	char digits[24];     /* 22 octal digits hold 64 bits */
	int ndigits = 0;
	char prefix[2];
	int nprefix = 0;
	int precision = sp->precision;
	int zeros, total;

	while (value) {
		digits[ndigits++] = digit_chars[value % base];
		value /= base;
	}
	/* Precision 0 with the value 0 prints no digits at all. */
	if (ndigits == 0 && precision != 0)
		digits[ndigits++] = '0';

	if (is_signed) {
		if (negative)
			prefix[nprefix++] = '-';
		else if (sp->flags & FLAG_PLUS)
			prefix[nprefix++] = '+';
		else if (sp->flags & FLAG_SPACE)
			prefix[nprefix++] = ' ';
	} else if (base == 16 && (pointer || ((sp->flags & FLAG_ALT) &&
					       !(ndigits == 1 && digits[0] == '0') &&
					       ndigits > 0))) {
		prefix[nprefix++] = '0';
		prefix[nprefix++] = upper ? 'X' : 'x';
	} else if (base == 8 && (sp->flags & FLAG_ALT)) {
		/* "#o" forces a leading zero, by raising the precision. */
		if (ndigits == 0 || digits[ndigits - 1] != '0') {
			if (precision < ndigits + 1)
				precision = ndigits + 1;
		}
	}

	zeros = precision > ndigits ? precision - ndigits : 0;
	total = nprefix + zeros + ndigits;
	if (sp->precision < 0 && (sp->flags & FLAG_ZERO) && !(sp->flags & FLAG_LEFT) &&
	    sp->width > total) {
		zeros += sp->width - total;
		total = sp->width;
	}

	if (!(sp->flags & FLAG_LEFT))
		out_repeat(o, ' ', sp->width - total);
	out_chars(o, prefix, (size_t)nprefix);
	out_repeat(o, '0', zeros);
	while (ndigits)
		out_char(o, digits[--ndigits]);
	if (sp->flags & FLAG_LEFT)
		out_repeat(o, ' ', sp->width - total);
}

enum length { LEN_INT, LEN_CHAR, LEN_SHORT, LEN_LONG, LEN_LLONG, LEN_SIZE, LEN_PTRDIFF, LEN_MAX };

static long long arg_signed(va_list *ap, enum length len)
{
	switch (len) {
	case LEN_CHAR:    return (signed char)va_arg(*ap, int);
	case LEN_SHORT:   return (short)va_arg(*ap, int);
	case LEN_LONG:    return va_arg(*ap, long);
	case LEN_LLONG:   return va_arg(*ap, long long);
	case LEN_SIZE:    return va_arg(*ap, ptrdiff_t);  /* signed size_t */
	case LEN_PTRDIFF: return va_arg(*ap, ptrdiff_t);
	case LEN_MAX:     return va_arg(*ap, intmax_t);
	default:          return va_arg(*ap, int);
	}
}

static unsigned long long arg_unsigned(va_list *ap, enum length len)
{
	switch (len) {
	case LEN_CHAR:    return (unsigned char)va_arg(*ap, unsigned int);
	case LEN_SHORT:   return (unsigned short)va_arg(*ap, unsigned int);
	case LEN_LONG:    return va_arg(*ap, unsigned long);
	case LEN_LLONG:   return va_arg(*ap, unsigned long long);
	case LEN_SIZE:    return va_arg(*ap, size_t);
	case LEN_PTRDIFF: return va_arg(*ap, size_t);    /* unsigned ptrdiff_t */
	case LEN_MAX:     return va_arg(*ap, uintmax_t);
	default:          return va_arg(*ap, unsigned int);
	}
}

static int parse_decimal(const char **fmt)
{
	int value = 0;

	while (**fmt >= '0' && **fmt <= '9') {
		if (value < 100000)  /* absurd widths saturate instead of overflowing */
			value = value * 10 + (**fmt - '0');
		(*fmt)++;
	}
	return value;
}

int vsnprintf(char *restrict buf, size_t size, const char *restrict format, va_list ap_in)
{
	struct out o = { buf, size, 0 };
	const char *fmt = format;
	va_list ap;

	va_copy(ap, ap_in);
	while (*fmt) {
		struct spec sp = { 0, 0, -1 };
		enum length len = LEN_INT;
		const char *start = fmt;

		if (*fmt != '%') {
			out_char(&o, *fmt++);
			continue;
		}
		fmt++;

		for (;; fmt++) {
			if (*fmt == '-')
				sp.flags |= FLAG_LEFT;
			else if (*fmt == '0')
				sp.flags |= FLAG_ZERO;
			else if (*fmt == '+')
				sp.flags |= FLAG_PLUS;
			else if (*fmt == ' ')
				sp.flags |= FLAG_SPACE;
			else if (*fmt == '#')
				sp.flags |= FLAG_ALT;
			else
				break;
		}

		if (*fmt == '*') {
			sp.width = va_arg(ap, int);
			if (sp.width < 0) {
				sp.flags |= FLAG_LEFT;
				sp.width = sp.width < -100000 ? 100000 : -sp.width;
			}
			fmt++;
		} else {
			sp.width = parse_decimal(&fmt);
		}

		if (*fmt == '.') {
			fmt++;
			if (*fmt == '*') {
				sp.precision = va_arg(ap, int);
				if (sp.precision < 0)
					sp.precision = -1;
				fmt++;
			} else {
				sp.precision = parse_decimal(&fmt);
			}
		}

		switch (*fmt) {
		case 'h':
			len = LEN_SHORT;
			if (*++fmt == 'h') {
				len = LEN_CHAR;
				fmt++;
			}
			break;
		case 'l':
			len = LEN_LONG;
			if (*++fmt == 'l') {
				len = LEN_LLONG;
				fmt++;
			}
			break;
		case 'z': len = LEN_SIZE; fmt++; break;
		case 't': len = LEN_PTRDIFF; fmt++; break;
		case 'j': len = LEN_MAX; fmt++; break;
		default: break;
		}

		switch (*fmt) {
		case 'd':
		case 'i': {
			long long v = arg_signed(&ap, len);
			unsigned long long mag = v < 0 ? 0ULL - (unsigned long long)v
						       : (unsigned long long)v;

			out_number(&o, &sp, mag, v < 0, 10, false, true, false);
			break;
		}
		case 'u':
			out_number(&o, &sp, arg_unsigned(&ap, len), false, 10, false, false, false);
			break;
		case 'x':
		case 'X':
			out_number(&o, &sp, arg_unsigned(&ap, len), false, 16, *fmt == 'X',
				   false, false);
			break;
		case 'o':
			out_number(&o, &sp, arg_unsigned(&ap, len), false, 8, false, false, false);
			break;
		case 'p':
			out_number(&o, &sp, (uintptr_t)va_arg(ap, void *), false, 16, false,
				   false, true);
			break;
		case 'c': {
			char c = (char)va_arg(ap, int);

			out_padded(&o, &sp, &c, 1);
			break;
		}
		case 's': {
			const char *s = va_arg(ap, const char *);
			size_t n = 0;

			if (!s)
				s = "(null)";
			while ((sp.precision < 0 || n < (size_t)sp.precision) && s[n])
				n++;
			out_padded(&o, &sp, s, n);
			break;
		}
		case '%':
			out_char(&o, '%');
			break;
		default:
			/* Unknown or truncated conversion: show it as written. */
			if (*fmt == '\0') {
				out_chars(&o, start, (size_t)(fmt - start));
				continue;
			}
			out_chars(&o, start, (size_t)(fmt - start + 1));
			break;
		}
		fmt++;
	}
	va_end(ap);

	if (size)
		buf[o.pos < size ? o.pos : size - 1] = '\0';
	return o.pos > INT32_MAX ? INT32_MAX : (int)o.pos;
}

int snprintf(char *restrict buf, size_t size, const char *restrict fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(buf, size, fmt, ap);
	va_end(ap);
	return n;
}
