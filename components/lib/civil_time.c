/* SPDX-License-Identifier: MIT */
/* Calendar dates and seconds since 1970 (see <lib/civil_time.h>). */
#include <lib/civil_time.h>

#include <stdio.h>

static bool is_leap(unsigned int y)
{
	return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static unsigned int days_in_month(unsigned int y, unsigned int m)
{
	static const unsigned char days[12] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };

	return m == 2 && is_leap(y) ? 29 : days[m - 1];
}

/* Days from 1970-01-01 to the first day of year y (y >= 1970). */
static uint64_t days_before_year(unsigned int y)
{
	uint64_t n = y - 1;

	/* Days from 0001-01-01 to y-01-01, less those to 1970-01-01 (719162). */
	return n * 365 + n / 4 - n / 100 + n / 400 - 719162;
}

bool civil_to_unix(const struct civil_time *t, uint64_t *seconds)
{
	uint64_t days;

	if (t->year < 1970 || t->year > 9999 || t->month < 1 || t->month > 12 || t->day < 1 ||
	    t->day > days_in_month(t->year, t->month) || t->hour > 23 || t->minute > 59 ||
	    t->second > 59)
		return false;
	days = days_before_year(t->year);
	for (unsigned int m = 1; m < t->month; m++)
		days += days_in_month(t->year, m);
	days += t->day - 1;
	*seconds = ((days * 24 + t->hour) * 60 + t->minute) * 60 + t->second;
	return true;
}

void unix_to_civil(uint64_t seconds, struct civil_time *t)
{
	uint64_t days = seconds / 86400, rest = seconds % 86400;
	unsigned int y = 1970 + (unsigned int)(days / 366);

	/* Start at a year that is surely not late, then step forward. */
	while (y < 9999 && days_before_year(y + 1) <= days)
		y++;
	days -= days_before_year(y);
	t->year = y;
	t->month = 1;
	while (t->month < 12 && days >= days_in_month(y, t->month))
		days -= days_in_month(y, t->month++);
	t->day = (unsigned int)days + 1;
	t->hour = (unsigned int)(rest / 3600);
	t->minute = (unsigned int)(rest / 60 % 60);
	t->second = (unsigned int)(rest % 60);
}

/* n digits at s as a number; false if one is not a digit. */
static bool digits(const char *s, unsigned int n, unsigned int *out)
{
	*out = 0;
	for (unsigned int i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return false;
		*out = *out * 10 + (unsigned int)(s[i] - '0');
	}
	return true;
}

bool civil_parse(const char *s, size_t len, uint64_t *seconds)
{
	struct civil_time t;

	if (len == 20 && s[19] == 'Z')
		len = 19;
	if (len != 19 || s[4] != '-' || s[7] != '-' || (s[10] != 'T' && s[10] != ' ') ||
	    s[13] != ':' || s[16] != ':')
		return false;
	if (!digits(s, 4, &t.year) || !digits(s + 5, 2, &t.month) || !digits(s + 8, 2, &t.day) ||
	    !digits(s + 11, 2, &t.hour) || !digits(s + 14, 2, &t.minute) ||
	    !digits(s + 17, 2, &t.second))
		return false;
	return civil_to_unix(&t, seconds);
}

void civil_format(uint64_t seconds, char *buf, size_t len)
{
	struct civil_time t;

	unix_to_civil(seconds, &t);
	snprintf(buf, len, "%04u-%02u-%02u %02u:%02u:%02u", t.year, t.month, t.day, t.hour,
		 t.minute, t.second);
}
