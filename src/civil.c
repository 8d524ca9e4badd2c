/* civil: proleptic Gregorian calendar arithmetic (see civil.h).
 *
 * The day-count conversion uses eras of 400 years (146097 days), in which the
 * Gregorian calendar and the weekdays repeat exactly. */
#include "crond/civil.h"

int64_t civil_floor_div(int64_t a, int64_t b)
{
    int64_t q = a / b;
    if ((a % b != 0) && ((a < 0) != (b < 0)))
        q--;
    return q;
}

bool civil_is_leap(int64_t year)
{
    return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
}

int civil_month_days(int64_t year, int mon)
{
    static const int days[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (mon == 2 && civil_is_leap(year))
        return 29;
    return days[mon - 1];
}

/* Years start in March here so that the leap day is the last day of the
 * shifted year; day-of-year then follows from (153 * m + 2) / 5. */
int64_t civil_days_from_date(int64_t year, int mon, int day)
{
    int64_t y = mon <= 2 ? year - 1 : year;
    int64_t era = civil_floor_div(y, 400);
    int64_t yoe = y - era * 400;                              /* 0..399 */
    int64_t mp = mon > 2 ? mon - 3 : mon + 9;                 /* 0..11 */
    int64_t doy = (153 * mp + 2) / 5 + day - 1;               /* 0..365 */
    int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;      /* 0..146096 */
    return era * 146097 + doe - 719468;
}

void civil_date_from_days(int64_t days, int64_t *out_year, int *out_mon, int *out_day)
{
    int64_t z = days + 719468;
    int64_t era = civil_floor_div(z, 146097);
    int64_t doe = z - era * 146097;
    int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    int64_t mp = (5 * doy + 2) / 153;
    int d = (int)(doy - (153 * mp + 2) / 5 + 1);
    int m = (int)(mp < 10 ? mp + 3 : mp - 9);
    *out_year = yoe + era * 400 + (m <= 2);
    *out_mon = m;
    *out_day = d;
}

int civil_weekday(int64_t days)
{
    /* 1970-01-01 was a Thursday (4). */
    int64_t w = (days + 4) % 7;
    return (int)(w < 0 ? w + 7 : w);
}

int64_t civil_to_secs(const struct civil *c)
{
    return civil_days_from_date(c->year, c->mon, c->day) * 86400
         + (int64_t)c->hour * 3600 + (int64_t)c->min * 60 + c->sec;
}

void civil_from_secs(int64_t secs, struct civil *out)
{
    int64_t days = civil_floor_div(secs, 86400);
    int64_t rem = secs - days * 86400;
    civil_date_from_days(days, &out->year, &out->mon, &out->day);
    out->hour = (int)(rem / 3600);
    out->min = (int)(rem / 60 % 60);
    out->sec = (int)(rem % 60);
}
