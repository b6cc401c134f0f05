/* SPDX-License-Identifier: MIT */
/* guest_printf() and guest_fail(): formatting over the architecture's guest_putc(). */
#include <guest.h>

static void put_string(const char *s)
{
	if (!s)
		s = "(null)";
	while (*s)
		guest_putc(*s++);
}

/* Digits by repeated division (both architectures divide 64-bit numbers in one
 * instruction), at least width of them with zeros in front. */
static void put_unsigned(unsigned long long value, unsigned int base, unsigned int width)
{
	char digits[24];
	unsigned int n = 0;

	do {
		unsigned int d = (unsigned int)(value % base);

		digits[n++] = (char)(d < 10 ? '0' + d : 'a' + d - 10);
		value /= base;
	} while (value);
	while (width > n && width-- > 0)
		guest_putc('0');
	while (n)
		guest_putc(digits[--n]);
}

void guest_vprintf(const char *fmt, va_list ap)
{
	for (; *fmt; fmt++) {
		unsigned int longs = 0, width = 0;
		unsigned long long u;
		long long s;

		if (*fmt != '%') {
			if (*fmt == '\n')
				guest_putc('\r');
			guest_putc(*fmt);
			continue;
		}
		fmt++;
		/* A width pads with zeros ("%02u", "%2u" alike). */
		while (*fmt >= '0' && *fmt <= '9')
			width = width * 10 + (unsigned int)(*fmt++ - '0');
		while (*fmt == 'l') {
			longs++;
			fmt++;
		}
		switch (*fmt) {
		case 's':
			put_string(va_arg(ap, const char *));
			break;
		case 'c':
			guest_putc((char)va_arg(ap, int));
			break;
		case 'd':
			s = longs >= 2 ? va_arg(ap, long long) : longs ? va_arg(ap, long) : va_arg(ap, int);
			if (s < 0) {
				guest_putc('-');
				u = -(unsigned long long)s;
			} else {
				u = (unsigned long long)s;
			}
			put_unsigned(u, 10, width);
			break;
		case 'u':
		case 'x':
			u = longs >= 2 ? va_arg(ap, unsigned long long)
			    : longs ? va_arg(ap, unsigned long) : va_arg(ap, unsigned int);
			put_unsigned(u, *fmt == 'u' ? 10 : 16, width);
			break;
		case '%':
			guest_putc('%');
			break;
		case '\0':
			return;
		default:
			guest_putc('%');
			guest_putc(*fmt);
			break;
		}
	}
}

void guest_printf(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	guest_vprintf(fmt, ap);
	va_end(ap);
}

void guest_fail(const char *fmt, ...)
{
	va_list ap;

	guest_printf("FAIL: ");
	va_start(ap, fmt);
	guest_vprintf(fmt, ap);
	va_end(ap);
	guest_printf("\n");
	guest_poweroff();
}
