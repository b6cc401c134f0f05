/* SPDX-License-Identifier: MIT */
/*
 * Calendar dates and times (UTC, proleptic Gregorian) to and from seconds
 * since 1970-01-01 00:00:00: what a real-time clock holds and what a VM's
 * "rtc = 2024-01-01T00:00:00" says.  Plain C (tests/test_civil_time.c).
 */
#ifndef LIB_CIVIL_TIME_H
#define LIB_CIVIL_TIME_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct civil_time {
	unsigned int year;          /* 1970..9999 */
	unsigned int month;         /* 1..12      */
	unsigned int day;           /* 1..31      */
	unsigned int hour, minute, second;
};

/* Seconds since 1970 of t; false when a field is out of its range (31 February). */
bool civil_to_unix(const struct civil_time *t, uint64_t *seconds);
/* The date and time of seconds since 1970 (years past 9999 are not reached). */
void unix_to_civil(uint64_t seconds, struct civil_time *t);
/*
 * Parses "YYYY-MM-DDTHH:MM:SS" (a blank may stand for the T; a "Z" may
 * follow: the time is UTC either way); false if it is not such a time.
 */
bool civil_parse(const char *s, size_t len, uint64_t *seconds);
/* "2024-01-01 00:00:00" into buf (20 bytes suffice). */
void civil_format(uint64_t seconds, char *buf, size_t len);

#endif
