/* timefmt: ISO-8601 instants in and out (see timefmt.h).
 *
 * All date arithmetic goes through civil.h; the zone gives offsets. No libc
 * time functions: they read the process-wide TZ. */
#include "crond/timefmt.h"

#include "crond/civil.h"
#include "crond/zone.h"

#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#define TIMEFMT_MAX_OFFSET 93600 /* 26 h: beyond any real UTC offset */
/* Years read: one beyond TIMEFMT_MAX's, whose first hours still name
 * instants within it when an offset east of UTC is given. */
#define TIMEFMT_YEAR_LIMIT 1000000000

/* ------------------------------------------------------------- output */

/* "+hh:mm", or "+hh:mm:ss" for the historic offsets that have seconds. */
static int timefmt_offset(int32_t off, char *buf, size_t len)
{
    char sign = off < 0 ? '-' : '+';
    int32_t a = off < 0 ? -off : off;
    if (a % 60 != 0)
        return snprintf(buf, len, "%c%02d:%02d:%02d", sign, (int)(a / 3600),
                        (int)(a / 60 % 60), (int)(a % 60));
    return snprintf(buf, len, "%c%02d:%02d", sign, (int)(a / 3600), (int)(a / 60 % 60));
}

/* Four digits for the years 0000-9999. Other years take ISO 8601's expanded
 * form, a sign and at least four digits, so that they read back: "%04lld"
 * would print 10000 without a sign and -1 as "-001". */
static void timefmt_year(int64_t year, char *buf, size_t len)
{
    if (year >= 0 && year <= 9999) {
        snprintf(buf, len, "%04lld", (long long)year);
        return;
    }
    /* the magnitude in unsigned arithmetic, where negating cannot overflow */
    unsigned long long mag = year < 0 ? 0ULL - (unsigned long long)year : (unsigned long long)year;
    snprintf(buf, len, "%c%04llu", year < 0 ? '-' : '+', mag);
}

int timefmt_iso(int64_t t, const struct zone *z, char *buf, size_t len)
{
    struct civil c;
    char off[16], year[24];
    int32_t o = zone_offset_at(z, t);
    civil_from_secs(t + o, &c);
    timefmt_offset(o, off, sizeof(off));
    timefmt_year(c.year, year, sizeof(year));
    return snprintf(buf, len, "%s-%02d-%02dT%02d:%02d:%02d%s", year, c.mon, c.day, c.hour,
                    c.min, c.sec, off);
}

int timefmt_utc_ms(int64_t t_ms, char *buf, size_t len)
{
    struct civil c;
    char year[24];
    int64_t secs = civil_floor_div(t_ms, 1000);
    int ms = (int)(t_ms - secs * 1000);
    civil_from_secs(secs, &c);
    timefmt_year(c.year, year, sizeof(year));
    return snprintf(buf, len, "%s-%02d-%02dT%02d:%02d:%02d.%03dZ", year, c.mon, c.day, c.hour,
                    c.min, c.sec, ms);
}

int timefmt_utc(int64_t t, char *buf, size_t len)
{
    struct civil c;
    char year[24];
    civil_from_secs(t, &c);
    timefmt_year(c.year, year, sizeof(year));
    return snprintf(buf, len, "%s-%02d-%02dT%02d:%02d:%02dZ", year, c.mon, c.day, c.hour, c.min,
                    c.sec);
}

/* ------------------------------------------------- local time to instant */

/* Every instant whose local time can be wall lies within 26 hours of it, so
 * the spans overlapping that window are all there is to look at. A span
 * contributes a candidate when wall - offset falls inside it; the earliest
 * candidate is the first occurrence of a repeated time. With no candidate
 * wall is in a gap, and the offset from before the gap applies. */
int64_t timefmt_local_to_utc(int64_t wall, const struct zone *z)
{
    struct zone_span sp;
    bool found = false;
    int64_t best = 0, gap = wall - zone_offset_at(z, wall);
    if (wall < INT64_MIN / 2 || wall > INT64_MAX / 2)
        return gap; /* far beyond any calendar: keep the arithmetic defined */
    const int64_t lo = wall - TIMEFMT_MAX_OFFSET, hi = wall + TIMEFMT_MAX_OFFSET;
    zone_span_at(z, lo, &sp);
    for (;;) {
        int64_t t = wall - sp.offset;
        if (t >= sp.start && t < sp.end && (!found || t < best)) {
            best = t;
            found = true;
        }
        if (sp.end == INT64_MAX || sp.end > hi)
            break;
        int32_t before = sp.offset;
        zone_span_at(z, sp.end, &sp);
        /* Local clock jumps from sp.start + before to sp.start + sp.offset. */
        if (sp.start + before <= wall && wall < sp.start + sp.offset)
            gap = wall - before;
    }
    return found ? best : gap;
}

/* --------------------------------------------------------------- parsing */

struct tparse {
    const char *s;   /* the whole input, for messages */
    const char *p;   /* next unread character */
    char *err;       /* message buffer */
    size_t errlen;   /* its size */
};

__attribute__((format(printf, 2, 3)))
static int tp_fail(struct tparse *tp, const char *fmt, ...)
{
    char why[160];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(why, sizeof(why), fmt, ap);
    va_end(ap);
    if (tp->err != NULL && tp->errlen > 0)
        snprintf(tp->err, tp->errlen, "invalid time '%s': %s", tp->s, why);
    return -1;
}

static bool tp_digit(char c)
{
    return c >= '0' && c <= '9';
}

/* Exactly n digits. */
static int tp_digits(struct tparse *tp, int n, const char *what, int *out)
{
    int v = 0;
    for (int i = 0; i < n; i++) {
        if (!tp_digit(tp->p[i]))
            return tp_fail(tp, "expected %d-digit %s at column %d", n, what,
                           (int)(tp->p - tp->s) + 1);
        v = v * 10 + (tp->p[i] - '0');
    }
    tp->p += n;
    *out = v;
    return 0;
}

static int tp_expect(struct tparse *tp, char c, const char *what)
{
    if (*tp->p != c)
        return tp_fail(tp, "expected '%c' %s at column %d", c, what, (int)(tp->p - tp->s) + 1);
    tp->p++;
    return 0;
}

static int tp_range(struct tparse *tp, const char *what, int v, int lo, int hi)
{
    if (v < lo || v > hi)
        return tp_fail(tp, "%s %d out of range %d-%d", what, v, lo, hi);
    return 0;
}

/* YYYY, or a sign and four or more digits (an ISO 8601 expanded year, as
 * timefmt_iso prints the years outside 0000-9999). Five digits without a
 * sign are refused: ISO 8601 needs the sign to tell them apart. The value is
 * checked digit by digit, so no number of digits can overflow. */
static int tp_year(struct tparse *tp, int64_t *out)
{
    int sign = 0;
    if (*tp->p == '+' || *tp->p == '-')
        sign = *tp->p++ == '-' ? -1 : 1;
    size_t n = strspn(tp->p, "0123456789");
    int col = (int)(tp->p - tp->s) + 1;
    if (n < 4)
        return sign == 0 ? tp_fail(tp, "expected 4-digit year at column %d", col)
                         : tp_fail(tp, "expected 4 or more year digits at column %d", col);
    if (n > 4 && sign == 0)
        return tp_fail(tp, "expected '-' after the year at column %d; a year of more than "
                       "4 digits needs a sign (+%.*s)", col + 4, (int)n, tp->p);
    int64_t v = 0;
    for (size_t i = 0; i < n; i++) {
        v = v * 10 + (tp->p[i] - '0');
        if (v > TIMEFMT_YEAR_LIMIT)
            return tp_fail(tp, "year out of range at column %d (at most %d)", col,
                           TIMEFMT_YEAR_LIMIT);
    }
    tp->p += n;
    *out = sign < 0 ? -v : v;
    return 0;
}

static int tp_date(struct tparse *tp, struct civil *c)
{
    int64_t y = 0;
    int m = 0, d = 0;
    if (tp_year(tp, &y) != 0 || tp_expect(tp, '-', "after the year") != 0
        || tp_digits(tp, 2, "month", &m) != 0 || tp_range(tp, "month", m, 1, 12) != 0
        || tp_expect(tp, '-', "after the month") != 0 || tp_digits(tp, 2, "day", &d) != 0)
        return -1;
    if (tp_range(tp, "day", d, 1, civil_month_days(y, m)) != 0)
        return -1;
    c->year = y;
    c->mon = m;
    c->day = d;
    return 0;
}

/* hh:mm[:ss[.fraction]]; the fraction is dropped. */
static int tp_clock(struct tparse *tp, struct civil *c)
{
    if (tp_digits(tp, 2, "hour", &c->hour) != 0 || tp_range(tp, "hour", c->hour, 0, 23) != 0
        || tp_expect(tp, ':', "after the hour") != 0
        || tp_digits(tp, 2, "minute", &c->min) != 0
        || tp_range(tp, "minute", c->min, 0, 59) != 0)
        return -1;
    if (*tp->p != ':')
        return 0;
    tp->p++;
    if (tp_digits(tp, 2, "second", &c->sec) != 0 || tp_range(tp, "second", c->sec, 0, 59) != 0)
        return -1;
    if (*tp->p != '.' && *tp->p != ',')
        return 0;
    tp->p++;
    if (!tp_digit(*tp->p))
        return tp_fail(tp, "expected digits after the decimal point");
    while (tp_digit(*tp->p))
        tp->p++;
    return 0;
}

/* Z, +hh, +hhmm, +hh:mm or +hh:mm:ss (the last is what timefmt_iso prints
 * for historic offsets). */
static int tp_offset(struct tparse *tp, int32_t *out)
{
    int h = 0, m = 0, s = 0;
    if (*tp->p == 'Z' || *tp->p == 'z') {
        tp->p++;
        *out = 0;
        return 0;
    }
    int sign = *tp->p++ == '-' ? -1 : 1;
    /* Up to 25 hours: what a TZif file may hold, so every output parses. */
    if (tp_digits(tp, 2, "offset hour", &h) != 0 || tp_range(tp, "offset hour", h, 0, 25) != 0)
        return -1;
    bool colon = *tp->p == ':';
    if (colon)
        tp->p++;
    if ((colon || tp_digit(*tp->p))
        && (tp_digits(tp, 2, "offset minute", &m) != 0
            || tp_range(tp, "offset minute", m, 0, 59) != 0))
        return -1;
    if (colon && *tp->p == ':') {
        tp->p++;
        if (tp_digits(tp, 2, "offset second", &s) != 0
            || tp_range(tp, "offset second", s, 0, 59) != 0)
            return -1;
    }
    *out = sign * (h * 3600 + m * 60 + s);
    return 0;
}

int timefmt_parse(const char *s, const struct zone *z, int64_t *out_t, char *err, size_t errlen)
{
    struct tparse tp = {s != NULL ? s : "", s != NULL ? s : "", err, errlen};
    struct civil c = {0, 1, 1, 0, 0, 0};
    int32_t off = 0;
    bool has_off = false;
    if (tp_date(&tp, &c) != 0)
        return -1;
    if (*tp.p == 'T' || *tp.p == 't' || *tp.p == ' ') {
        tp.p++;
        if (tp_clock(&tp, &c) != 0)
            return -1;
        if (strchr("Zz+-", *tp.p) != NULL && *tp.p != '\0') {
            if (tp_offset(&tp, &off) != 0)
                return -1;
            has_off = true;
        }
    }
    if (*tp.p != '\0')
        return tp_fail(&tp, "unexpected '%c' at column %d", *tp.p, (int)(tp.p - tp.s) + 1);
    int64_t wall = civil_to_secs(&c);
    int64_t t = has_off ? wall - off : timefmt_local_to_utc(wall, z);
    if (t < TIMEFMT_MIN || t > TIMEFMT_MAX)
        return tp_fail(&tp, "instant out of range (years -999999999 to +999999999 in UTC)");
    *out_t = t;
    return 0;
}
