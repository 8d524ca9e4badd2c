/* calendar: next fire time of a schedule in a zone (rules in calendar.h).
 *
 * Two layers:
 * - wall_next() searches local wall-clock time (civil seconds, no zone) for
 *   the first matching time at or after a given wall time, jumping a whole
 *   year, month, day, hour or minute at a time when a field does not match;
 * - calendar_next() walks the zone's spans (intervals of constant UTC offset)
 *   from the start instant. Inside a span wall time and instants map one to
 *   one, so each span is one wall_next() call; the DST rules only concern the
 *   borders between spans: a forward jump (gap) and a backward one (repeat).
 */
#include "crond/calendar.h"

#include <stdbool.h>

#include "crond/civil.h"
#include "crond/cronspec.h"
#include "crond/zone.h"

/* Without a year field a schedule repeats every 400 years (146097 days, a
 * whole number of weeks); searching one period past the start proves that a
 * schedule never fires. */
#define GREGORIAN_CYCLE_YEARS 400

/* ------------------------------------------------------------------------ */
/* Bit helpers                                                              */
/* ------------------------------------------------------------------------ */

/* Lowest set bit >= from in mask, or -1. */
static int next_bit(uint64_t mask, int from)
{
    if (from >= 64)
        return -1;
    uint64_t m = mask >> from;
    return m == 0 ? -1 : from + __builtin_ctzll(m);
}

/* Bit d (1-31) set for each day of (year, mon) that matches. */
static uint32_t month_day_mask(const struct cronspec *s, int64_t year, int mon)
{
    uint32_t mask = 0;
    int mdays = civil_month_days(year, mon);
    /* the common '* *' days: every day, no weekday arithmetic needed */
    if (s->dom == UINT32_C(0xfffffffe) && s->dow == 0x7f && s->dom_near == 0
        && !(s->flags & (CRONSPEC_DOM_LAST | CRONSPEC_DOM_LASTWD)))
        return (uint32_t)(((UINT64_C(1) << (mdays + 1)) - 1) & ~UINT64_C(1));
    for (int d = 1; d <= mdays; d++) {
        if (cronspec_day_matches(s, year, mon, d))
            mask |= UINT32_C(1) << d;
    }
    return mask;
}

/* ------------------------------------------------------------------------ */
/* Wall-clock search                                                        */
/* ------------------------------------------------------------------------ */

/* Search state: a civil time and the cached day mask of its month. */
struct wall_cursor {
    struct civil c;        /* candidate */
    int64_t mask_year;     /* month whose day mask is cached */
    int mask_mon;
    uint32_t day_mask;
};

static void to_month(struct civil *c, int64_t year, int mon)
{
    c->year = year;
    c->mon = mon;
    c->day = 1;
    c->hour = c->min = c->sec = 0;
}

static void next_month(struct civil *c)
{
    if (c->mon == 12)
        to_month(c, c->year + 1, 1);
    else
        to_month(c, c->year, c->mon + 1);
}

static void next_day(struct civil *c)
{
    if (c->day >= civil_month_days(c->year, c->mon)) {
        next_month(c);
        return;
    }
    c->day++;
    c->hour = c->min = c->sec = 0;
}

/* Year step: true when c now is in a matching year (<= max_year). */
static bool seek_year(const struct cronspec *s, struct civil *c, int64_t max_year)
{
    while (c->year <= max_year && !cronspec_year_matches(s, c->year))
        to_month(c, c->year + 1, 1);
    return c->year <= max_year;
}

/* Month step: returns false when the year was left (caller restarts). */
static bool seek_month(const struct cronspec *s, struct civil *c)
{
    int m = next_bit(s->mon, c->mon);
    if (m < 0 || m > 12) {
        to_month(c, c->year + 1, 1);
        return false;
    }
    if (m != c->mon)
        to_month(c, c->year, m);
    return true;
}

static bool seek_day(const struct cronspec *s, struct wall_cursor *w)
{
    struct civil *c = &w->c;
    if (w->mask_year != c->year || w->mask_mon != c->mon) {
        w->day_mask = month_day_mask(s, c->year, c->mon);
        w->mask_year = c->year;
        w->mask_mon = c->mon;
    }
    int d = next_bit(w->day_mask, c->day);
    if (d < 0) {
        next_month(c);
        return false;
    }
    if (d != c->day) {
        c->day = d;
        c->hour = c->min = c->sec = 0;
    }
    return true;
}

/* Time of day: hour, minute, second in turn; a field without a match at or
 * after the current value carries into the next larger one. */
static bool seek_time(const struct cronspec *s, struct civil *c)
{
    int h = next_bit(s->hour, c->hour);
    if (h < 0) {
        next_day(c);
        return false;
    }
    if (h != c->hour) {
        c->hour = h;
        c->min = c->sec = 0;
    }
    int m = next_bit(s->min, c->min);
    if (m < 0) {
        c->min = 0, c->sec = 0;
        if (++c->hour == 24)
            next_day(c);
        return false;
    }
    if (m != c->min) {
        c->min = m;
        c->sec = 0;
    }
    int sec = next_bit(s->sec, c->sec);
    if (sec < 0) {
        c->sec = 0;
        if (++c->min == 60) {
            c->min = 0;
            if (++c->hour == 24)
                next_day(c);
        }
        return false;
    }
    c->sec = sec;
    return true;
}

/* First matching wall time w with from <= w <= limit. */
static bool wall_next(const struct cronspec *s, int64_t from, int64_t limit, int64_t *out)
{
    struct wall_cursor w = {.mask_mon = 0};
    civil_from_secs(from, &w.c);
    struct civil lim;
    civil_from_secs(limit, &lim);
    for (;;) {
        if (!seek_year(s, &w.c, lim.year))
            return false;
        if (!seek_month(s, &w.c) || !seek_day(s, &w) || !seek_time(s, &w.c))
            continue;
        int64_t t = civil_to_secs(&w.c);
        if (t > limit)
            return false;
        *out = t;
        return true;
    }
}

/* ------------------------------------------------------------------------ */
/* Zone spans and the DST rules                                             */
/* ------------------------------------------------------------------------ */

/* The last wall time worth searching: the end of the year field, or one
 * Gregorian cycle after the start. */
static int64_t search_limit(const struct cronspec *s, int64_t start_wall)
{
    struct civil c;
    civil_from_secs(start_wall, &c);
    int64_t last_year = (s->flags & CRONSPEC_YEAR_ANY) ? c.year + GREGORIAN_CYCLE_YEARS + 1
                                                       : CRONSPEC_YEAR_MAX;
    struct civil end = {last_year, 12, 31, 23, 59, 59};
    return civil_to_secs(&end);
}

/* A fixed-time job whose wall time was skipped by a forward jump at the
 * start of sp runs once, at that first instant after the gap. */
static bool gap_fires(const struct cronspec *s, const struct zone_span *sp)
{
    if (sp->offset <= sp->prev_offset)
        return false;
    int64_t skipped_from = sp->start + sp->prev_offset;
    int64_t skipped_to = sp->start + sp->offset - 1;
    int64_t w;
    return wall_next(s, skipped_from, skipped_to, &w);
}

/* The next fire time of the schedule itself, without its delay. */
static enum calendar_status undelayed_next(const struct cronspec *s, const struct zone *z,
                                           int64_t after, int64_t *out_next)
{
    bool fixed = cronspec_is_fixed_time(s);
    int64_t t = after + 1;
    int64_t limit = search_limit(s, t + zone_offset_at(z, t));
    for (;;) {
        struct zone_span sp;
        zone_span_at(z, t, &sp);
        if (fixed && t == sp.start && gap_fires(s, &sp)) {
            *out_next = t;
            return CALENDAR_OK;
        }
        int64_t lo = t + sp.offset;
        /* After a backward jump the first walls of this span were already
         * lived through in the span before: fixed-time jobs ran then. */
        if (fixed && sp.offset < sp.prev_offset && lo < sp.start + sp.prev_offset)
            lo = sp.start + sp.prev_offset;
        int64_t hi = limit;
        if (sp.end != INT64_MAX && sp.end - 1 + sp.offset < hi)
            hi = sp.end - 1 + sp.offset;
        int64_t w;
        if (lo <= hi && wall_next(s, lo, hi, &w)) {
            *out_next = w - sp.offset;
            return CALENDAR_OK;
        }
        if (sp.end == INT64_MAX || sp.end + sp.offset > limit)
            return CALENDAR_NEVER;
        t = sp.end;
    }
}

enum calendar_status calendar_next(const struct cronspec *s, const struct zone *z,
                                   int64_t after, int64_t *out_next)
{
    if (s->kind != CRONSPEC_CALENDAR)
        return CALENDAR_NOT_CALENDAR;
    /* Delayed times are the undelayed ones shifted by a constant: the first
     * one after `after` is the undelayed one after after - delay, plus the
     * delay. So a run at base + delay is followed by the next base time
     * after base, plus the delay, also across DST (the delay is UTC
     * seconds, added after the zone's rules chose the base). */
    int64_t d = s->delay_s;
    enum calendar_status st = undelayed_next(s, z, after - d, out_next);
    if (st == CALENDAR_OK)
        *out_next += d;
    return st;
}

int64_t calendar_next_every(int64_t every_ms, int64_t origin_ms, int64_t after_ms)
{
    if (after_ms < origin_ms)
        return origin_ms + every_ms;
    int64_t k = (after_ms - origin_ms) / every_ms + 1;
    return origin_ms + k * every_ms;
}
