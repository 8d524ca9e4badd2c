/* civil: proleptic Gregorian calendar arithmetic on plain integers.
 *
 * Pure functions, no time zones, no libc time functions: "wall seconds" are
 * seconds since 1970-01-01T00:00:00 of a wall clock, counted as if every day
 * had 86400 seconds. The calendar and the zone code both build on this, so
 * they agree on every date from year -10^9 to +10^9 (timegm and friends stop
 * at platform limits and read global state).
 */
#ifndef CROND_CIVIL_H
#define CROND_CIVIL_H

#include <stdbool.h>
#include <stdint.h>

struct civil {
    int64_t year;   /* e.g. 2026 */
    int mon;        /* 1..12 */
    int day;        /* 1..31 */
    int hour;       /* 0..23 */
    int min;        /* 0..59 */
    int sec;        /* 0..59 */
};

bool civil_is_leap(int64_t year);
int civil_month_days(int64_t year, int mon);
/* Days since 1970-01-01 of a date (month and day must be in range). */
int64_t civil_days_from_date(int64_t year, int mon, int day);
void civil_date_from_days(int64_t days, int64_t *out_year, int *out_mon, int *out_day);
/* 0 = Sunday ... 6 = Saturday. */
int civil_weekday(int64_t days);
int64_t civil_to_secs(const struct civil *c);
void civil_from_secs(int64_t secs, struct civil *out);
/* Floor division, also for negative numerators. */
int64_t civil_floor_div(int64_t a, int64_t b);

#endif
