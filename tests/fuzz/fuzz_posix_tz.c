/* fuzz_posix_tz: zone_parse_posix, the POSIX TZ strings of TZ, CRON_TZ and
 * TZif footers. See README.md.
 *
 * Input: the string itself (no NUL; longer than FUZZ_TZ_MAX bytes is
 * skipped).
 *
 * Properties:
 * - zone_parse_posix accepts exactly the strings the reader here accepts,
 *   written from the grammar (std offset [dst [offset] [,start[/time],
 *   end[/time]]]; names of 3+ letters or <3+ of [A-Za-z0-9+-]; hours up to
 *   24, rule times up to 167; Jn 1-365, n 0-365, Mm.w.d) rather than from
 *   zone.c; a failure names the string in its message;
 * - a success keeps the string as the zone's name, and its spans have the
 *   properties of zone_check.h at fixed instants and around the reference
 *   transitions of a few years;
 * - every offset is the standard or the DST one the string says; without
 *   DST, or with a DST offset equal to the standard one, the whole line is
 *   one unbounded span;
 * - for each transition of the sample years, computed here with a separate
 *   day count and sorted among those of three years on each side, that
 *   lies at another instant than its neighbours: the offset just before it
 *   is the one the transition before it sets (DST after a start, standard
 *   after an end), from it on the one it sets itself, and a span starts
 *   there when the two differ.
 */
#include <stdbool.h>

#include "crond/zone.h"
#include "fuzz.h"
#include "zone_check.h"

#define FUZZ_TZ_MAX 256
#define DAY INT64_C(86400)
#define WINDOW ((size_t)7) /* years of transitions sorted around a sample year */

/* ------------------------------------------------------- the reader here */

struct ref_rule {
    char kind;          /* 'J' (1-365, no Feb 29), 'n' (0-365) or 'M' */
    int day;            /* J and n */
    int mon, week, wday; /* M: weekday wday (0 Sunday) of week 1-5 (5 last) */
    int32_t time;       /* seconds after local midnight, default 02:00 */
};

struct ref_tz {
    int32_t std, dst; /* seconds east of UTC */
    bool has_dst;
    struct ref_rule start, end;
};

static bool is_digit(char c)
{
    return c >= '0' && c <= '9';
}

/* One or more digits with a value of at most max. */
static bool rd_number(const char **p, int max, int *out)
{
    if (!is_digit(**p))
        return false;
    long v = 0;
    for (; is_digit(**p); (*p)++)
        if ((v = v * 10 + (**p - '0')) > max)
            return false;
    *out = (int)v;
    return true;
}

static bool rd_name(const char **p)
{
    static const char letters[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
    static const char quoted[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
                                 "0123456789+-";
    size_t n;
    if (**p == '<') {
        n = strspn(*p + 1, quoted);
        if (n < 3 || (*p)[1 + n] != '>')
            return false;
        *p += n + 2;
        return true;
    }
    n = strspn(*p, letters);
    *p += n;
    return n >= 3;
}

/* [+-]h[:m[:s]] as signed seconds, hours up to max_h. */
static bool rd_hms(const char **p, int max_h, int32_t *out)
{
    int sign = 1, h = 0, m = 0, s = 0;
    if (**p == '+' || **p == '-')
        sign = *(*p)++ == '-' ? -1 : 1;
    if (!rd_number(p, max_h, &h))
        return false;
    if (**p == ':') {
        (*p)++;
        if (!rd_number(p, 59, &m))
            return false;
        if (**p == ':') {
            (*p)++;
            if (!rd_number(p, 59, &s))
                return false;
        }
    }
    *out = sign * (h * 3600 + m * 60 + s);
    return true;
}

static bool rd_rule(const char **p, struct ref_rule *r)
{
    r->time = 2 * 3600;
    if (**p == 'M') {
        r->kind = 'M';
        (*p)++;
        if (!rd_number(p, 12, &r->mon) || r->mon < 1 || *(*p)++ != '.'
            || !rd_number(p, 5, &r->week) || r->week < 1 || *(*p)++ != '.'
            || !rd_number(p, 6, &r->wday))
            return false;
    } else if (**p == 'J') {
        r->kind = 'J';
        (*p)++;
        if (!rd_number(p, 365, &r->day) || r->day < 1)
            return false;
    } else {
        r->kind = 'n';
        if (!rd_number(p, 365, &r->day))
            return false;
    }
    return **p != '/' || (++*p, rd_hms(p, 167, &r->time));
}

static bool rd_tz(const char *s, struct ref_tz *out)
{
    int32_t v;
    memset(out, 0, sizeof *out);
    if (!rd_name(&s) || !rd_hms(&s, 24, &v))
        return false;
    out->std = out->dst = -v; /* POSIX counts west of UTC as positive */
    if (*s == '\0')
        return true;
    if (!rd_name(&s))
        return false;
    out->has_dst = true;
    out->dst = out->std + 3600;
    if (*s != ',' && *s != '\0') {
        if (!rd_hms(&s, 24, &v))
            return false;
        out->dst = -v;
    }
    if (*s == '\0') { /* the US rules, as tzcode and glibc default to */
        out->start = (struct ref_rule){'M', 0, 3, 2, 0, 7200};
        out->end = (struct ref_rule){'M', 0, 11, 1, 0, 7200};
        return true;
    }
    return *s++ == ',' && rd_rule(&s, &out->start) && *s++ == ',' && rd_rule(&s, &out->end)
        && *s == '\0';
}

/* -------------------------------------------- transitions, counted here */

static int64_t floor_div(int64_t a, int64_t b)
{
    return a / b - (a % b != 0 && (a < 0) != (b < 0));
}

static bool leap(int64_t y)
{
    return y % 4 == 0 && (y % 100 != 0 || y % 400 == 0);
}

/* Days from 1970-01-01 to January 1 of year y: 365 a year plus one for each
 * leap year in [0, y) (a negative count below 0), that is the multiples of
 * 4, less those of 100, plus those of 400. */
static int64_t jan1(int64_t y)
{
    int64_t leaps = -floor_div(-y, 4) + floor_div(-y, 100) - floor_div(-y, 400);
    return 365 * y + leaps - 719528;
}

static const int month_start[13] = {0, 31, 59, 90, 120, 151, 181, 212, 243, 273, 304, 334, 365};

/* Day (since the epoch) of the first day of month m (1-12) of year y. */
static int64_t month_first(int64_t y, int m)
{
    return jan1(y) + month_start[m - 1] + (m > 2 && leap(y));
}

static int64_t rule_day(const struct ref_rule *r, int64_t y)
{
    if (r->kind == 'n')
        return jan1(y) + r->day;
    if (r->kind == 'J') { /* the date of day J in a 365-day year */
        int m = 1;
        while (r->day > month_start[m])
            m++;
        return month_first(y, m) + (r->day - month_start[m - 1] - 1);
    }
    int64_t first = month_first(y, r->mon);
    int wd = (int)(((first + 4) % 7 + 7) % 7); /* 1970-01-01 was a Thursday */
    int len = month_start[r->mon] - month_start[r->mon - 1] + (r->mon == 2 && leap(y));
    int d = (r->wday - wd + 7) % 7 + 7 * (r->week - 1);
    return first + (d >= len ? d - 7 : d);
}

struct transition {
    int64_t at;
    bool start; /* DST starts (else ends) */
    bool mine;  /* of the year being checked */
};

/* Start: local standard time; end: local DST time (POSIX). */
static struct transition transition_of(const struct ref_tz *tz, int64_t y, bool start)
{
    const struct ref_rule *r = start ? &tz->start : &tz->end;
    return (struct transition){rule_day(r, y) * DAY + r->time - (start ? tz->std : tz->dst),
                               start, false};
}

static int transition_cmp(const void *a, const void *b)
{
    int64_t x = ((const struct transition *)a)->at, y = ((const struct transition *)b)->at;
    return (x > y) - (x < y);
}

/* The transitions of years y-3..y+3, sorted; those of y marked. A year's
 * transitions lie within ten days of it, so all of y-2's come before any
 * of y's, and none of y-4's or earlier can come between a transition of y
 * and the one before it here. */
static void transitions_around(const struct ref_tz *tz, int64_t y, struct transition *out)
{
    for (size_t i = 0; i < WINDOW; i++) {
        int64_t year = y - (int64_t)(WINDOW / 2) + (int64_t)i;
        out[2 * i] = transition_of(tz, year, true);
        out[2 * i + 1] = transition_of(tz, year, false);
        out[2 * i].mine = out[2 * i + 1].mine = year == y;
    }
    qsort(out, 2 * WINDOW, sizeof *out, transition_cmp);
}

/* ----------------------------------------------------------------- checks */

static const int64_t sample_years[] = {-1000, 1, 1600, 1900, 1970, 2000, 2024, 2100, 2400, 9999};
#define NSAMPLES (sizeof sample_years / sizeof sample_years[0])
#define PROBE_YEARS ((size_t)4) /* the last sample years, whose transitions are probed */

/* Each transition of year y whose neighbours lie at other instants (so
 * nothing collapses): the offset just before it is the one the transition
 * before it set, from it on its own, and when the two differ a span starts
 * there. */
static void check_transitions(const struct zone *z, const struct ref_tz *tz, int64_t y)
{
    struct transition tr[2 * WINDOW];
    struct zone_span s;
    transitions_around(tz, y, tr);
    for (size_t i = 2; i < 2 * WINDOW - 1; i++) {
        const struct transition *x = &tr[i], *p = &tr[i - 1];
        if (!x->mine || tr[i - 2].at == p->at || p->at == x->at || x->at == tr[i + 1].at)
            continue;
        int32_t before = p->start ? tz->dst : tz->std, after = x->start ? tz->dst : tz->std;
        zone_span_at(z, x->at, &s);
        CHECKF(s.offset == after && zone_offset_at(z, x->at - 1) == before
                   && (before == after || s.start == x->at),
               "DST %s at %" PRId64 " (year %" PRId64 "): span from %" PRId64 " offset %" PRId32
               ", before %" PRId32 "; expected %" PRId32 " then %" PRId32,
               x->start ? "start" : "end", x->at, y, s.start, s.offset,
               zone_offset_at(z, x->at - 1), before, after);
    }
}

/* Fixed probes plus the transitions of some sample years and the instants
 * before them. Returns the count, sorted. */
static size_t probes_make(const struct ref_tz *tz, int64_t *out)
{
    size_t n = 0;
    for (size_t i = 0; i < ZONE_CHECK_NFIXED; i++)
        out[n++] = zone_check_fixed[i];
    for (size_t i = NSAMPLES - PROBE_YEARS; tz->has_dst && i < NSAMPLES; i++) {
        for (int k = 0; k < 2; k++) {
            struct transition t = transition_of(tz, sample_years[i], k == 0);
            out[n++] = t.at;
            out[n++] = t.at - 1;
        }
    }
    return zone_check_sort(out, n);
}

static void check_zone(const struct zone *z, const char *text, const struct ref_tz *tz)
{
    int64_t probes[ZONE_CHECK_NFIXED + 4 * PROBE_YEARS];
    struct zone_span s;
    bool fixed = !tz->has_dst || tz->std == tz->dst;
    CHECK(strcmp(zone_name(z), text) == 0);
    size_t n = probes_make(tz, probes);
    zone_check_spans(z, probes, n);
    for (size_t i = 0; i < n; i++) {
        zone_span_at(z, probes[i], &s);
        if (fixed)
            CHECKF(s.start == INT64_MIN && s.end == INT64_MAX && s.offset == tz->std,
                   "fixed offset %" PRId32 ": span [%" PRId64 ",%" PRId64 ") %" PRId32, tz->std,
                   s.start, s.end, s.offset);
        else
            CHECKF(s.offset == tz->std || s.offset == tz->dst,
                   "offset %" PRId32 " at %" PRId64 ", neither %" PRId32 " nor %" PRId32,
                   s.offset, probes[i], tz->std, tz->dst);
    }
    for (size_t i = 0; !fixed && i < NSAMPLES; i++)
        check_transitions(z, tz, sample_years[i]);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > FUZZ_TZ_MAX)
        return 0;
    char *text = fuzz_cstring(data, size);
    if (text == NULL)
        return 0;
    struct ref_tz tz;
    struct zone *z = NULL;
    char err[512];
    bool ok = rd_tz(text, &tz);
    int rc = zone_parse_posix(text, &z, err, sizeof err);
    CHECKF((rc == 0) == ok, "'%s': zone_parse_posix %s, the reader here %s%s%s", text,
           rc == 0 ? "accepts" : "refuses", ok ? "accepts" : "refuses", rc == 0 ? "" : ": ",
           rc == 0 ? "" : err);
    if (rc != 0) {
        CHECK(z == NULL);
        CHECKF(strncmp(err, "invalid POSIX TZ string '", 25) == 0, "message '%s'", err);
    } else {
        check_zone(z, text, &tz);
        zone_free(z);
    }
    free(text);
    return 0;
}
