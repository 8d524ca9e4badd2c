/* zone: TZif files and POSIX TZ strings as spans of constant UTC offset.
 *
 * A zone is a sorted list of offset changes in which neighbours always differ
 * (so every interval between two changes is a maximal span), plus optionally
 * a POSIX TZ rule that governs every instant from rule_from on, as the TZif
 * footer does after the last transition (RFC 8536 section 3.3). When a TZif
 * zone is built, its footer rule is unrolled into the list up to 2200, so
 * the hot path of zone_span_at is one binary search even for "slim" files;
 * the rule itself is evaluated only beyond that, or for bare POSIX strings.
 */
#include "crond/zone.h"

#include "crond/civil.h"
#include "crond/util.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define ZONE_DEFAULT_TZDIR "/usr/share/zoneinfo"
#define ZONE_FILE_MAX ((size_t)1024 * 1024)   /* real TZif files are under 4 KiB */
#define ZONE_OFFSET_MAX 93599         /* 25:59:59, RFC 8536 sanity bound */
#define RULE_T_LIMIT (INT64_C(1) << 45) /* ~1.1 million years: no overflow */
#define RULE_YEARS 7                  /* years collected around an instant */
#define RULE_STEP 5                   /* years of a window kept from them */
#define RULE_CYCLE_YEARS 400          /* the Gregorian calendar repeats */
#define EXPAND_FIRST_YEAR 1800        /* unroll footer rules from here ... */
#define EXPAND_LAST_YEAR 2200         /* ... up to here */

/* ------------------------------------------------------------------ types */

enum rule_kind {
    RULE_JULIAN, /* Jn: 1..365, February 29 never counted */
    RULE_ZERO,   /* n: 0..365, February 29 counted */
    RULE_MONTH,  /* Mm.w.d: weekday d of week w (5 = last) of month m */
};

struct rule_date {
    enum rule_kind kind;
    int mon, week, wday; /* RULE_MONTH fields */
    int day;             /* RULE_JULIAN / RULE_ZERO day number */
    int32_t time;        /* local seconds after midnight; <0 or >24h allowed */
};

struct posix_tz {
    int32_t std_off;        /* seconds east of UTC */
    int32_t dst_off;        /* seconds east of UTC while DST is in force */
    bool has_dst;           /* false: std_off all year */
    struct rule_date start; /* DST starts, in standard local time */
    struct rule_date end;   /* DST ends, in daylight local time */
};

struct zone_change {
    int64_t at;     /* first instant with the new offset */
    int32_t offset; /* seconds east of UTC from at on */
};

struct zone {
    char *name;                  /* as given by the caller */
    int32_t first_offset;        /* before changes[0], or always if none */
    size_t nchanges;             /* entries used in changes */
    size_t cap;                  /* entries allocated in changes */
    struct zone_change *changes; /* ascending; neighbours differ in offset */
    bool has_rule;               /* rule governs instants >= rule_from */
    int64_t rule_from;           /* INT64_MIN: the rule governs always */
    struct posix_tz rule;        /* valid when has_rule */
};

struct rule_change {
    int64_t at;     /* instant of a rule transition */
    int32_t offset; /* offset after it */
};

/* ---------------------------------------------------------------- helpers */

__attribute__((format(printf, 3, 4)))
static int zone_fail(char *err, size_t errlen, const char *fmt, ...)
{
    if (err != NULL && errlen > 0) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(err, errlen, fmt, ap);
        va_end(ap);
    }
    return -1;
}

static bool zone_is_digit(char c)
{
    return c >= '0' && c <= '9';
}

static bool zone_is_alpha(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static void span_fixed(struct zone_span *out, int32_t offset)
{
    out->start = INT64_MIN;
    out->end = INT64_MAX;
    out->offset = offset;
    out->prev_offset = offset;
}

/* ------------------------------------------------------ POSIX TZ strings */

struct tzparse {
    const char *p;   /* next unread character */
    const char *why; /* what was wrong, on failure */
};

static int tzp_fail(struct tzparse *ps, const char *why)
{
    ps->why = why;
    return -1;
}

/* A decimal number no larger than max (checked digit by digit, so it never
 * overflows however many digits follow). */
static int tzp_uint(struct tzparse *ps, int max, int *out)
{
    const char *s = ps->p;
    int v = 0;
    if (!zone_is_digit(*s))
        return tzp_fail(ps, "expected a number");
    while (zone_is_digit(*s)) {
        v = v * 10 + (*s - '0');
        if (v > max)
            return tzp_fail(ps, "number out of range");
        s++;
    }
    ps->p = s;
    *out = v;
    return 0;
}

/* [+-]hh[:mm[:ss]] as signed seconds. Offsets allow 24 hours, rule times
 * 167 (TZif version 3 extension). */
static int tzp_hms(struct tzparse *ps, int max_hours, int32_t *out)
{
    int sign = 1, h = 0, m = 0, s = 0;
    if (*ps->p == '+' || *ps->p == '-') {
        sign = *ps->p == '-' ? -1 : 1;
        ps->p++;
    }
    if (tzp_uint(ps, max_hours, &h) != 0)
        return tzp_fail(ps, "bad hours in offset or time");
    if (*ps->p == ':') {
        ps->p++;
        if (tzp_uint(ps, 59, &m) != 0)
            return tzp_fail(ps, "bad minutes in offset or time");
        if (*ps->p == ':') {
            ps->p++;
            if (tzp_uint(ps, 59, &s) != 0)
                return tzp_fail(ps, "bad seconds in offset or time");
        }
    }
    *out = sign * (h * 3600 + m * 60 + s);
    return 0;
}

/* An abbreviation: three or more letters, or <...> with letters, digits,
 * '+' and '-' (needed for names like <+0530> or <-03>). */
static int tzp_name(struct tzparse *ps)
{
    const char *s = ps->p;
    size_t n = 0;
    if (*s == '<') {
        s++;
        while (zone_is_alpha(s[n]) || zone_is_digit(s[n]) || s[n] == '+' || s[n] == '-')
            n++;
        if (s[n] != '>')
            return tzp_fail(ps, "unterminated <...> abbreviation");
        if (n < 3)
            return tzp_fail(ps, "abbreviation shorter than 3 characters");
        ps->p = s + n + 1;
        return 0;
    }
    while (zone_is_alpha(s[n]))
        n++;
    if (n < 3)
        return tzp_fail(ps, "expected an abbreviation of at least 3 letters");
    ps->p = s + n;
    return 0;
}

static int tzp_date_kind(struct tzparse *ps, struct rule_date *out)
{
    if (*ps->p == 'J') {
        ps->p++;
        out->kind = RULE_JULIAN;
        if (tzp_uint(ps, 365, &out->day) != 0 || out->day < 1)
            return tzp_fail(ps, "bad Jn day (1-365)");
        return 0;
    }
    if (*ps->p != 'M') {
        out->kind = RULE_ZERO;
        if (tzp_uint(ps, 365, &out->day) != 0)
            return tzp_fail(ps, "bad rule day (0-365)");
        return 0;
    }
    ps->p++;
    out->kind = RULE_MONTH;
    if (tzp_uint(ps, 12, &out->mon) != 0 || out->mon < 1)
        return tzp_fail(ps, "bad month in Mm.w.d rule (1-12)");
    if (*ps->p++ != '.')
        return tzp_fail(ps, "expected '.' after the month in Mm.w.d rule");
    if (tzp_uint(ps, 5, &out->week) != 0 || out->week < 1)
        return tzp_fail(ps, "bad week in Mm.w.d rule (1-5)");
    if (*ps->p++ != '.')
        return tzp_fail(ps, "expected '.' after the week in Mm.w.d rule");
    if (tzp_uint(ps, 6, &out->wday) != 0)
        return tzp_fail(ps, "bad weekday in Mm.w.d rule (0-6)");
    return 0;
}

/* date[/time]; the time defaults to 02:00:00. */
static int tzp_date(struct tzparse *ps, struct rule_date *out)
{
    if (tzp_date_kind(ps, out) != 0)
        return -1;
    out->time = 7200;
    if (*ps->p != '/')
        return 0;
    ps->p++;
    return tzp_hms(ps, 167, &out->time);
}

static void tzp_default_rules(struct posix_tz *out)
{
    /* POSIX leaves it to the implementation; tzcode and glibc use the
     * current US rules. */
    out->start = (struct rule_date){RULE_MONTH, 3, 2, 0, 0, 7200};
    out->end = (struct rule_date){RULE_MONTH, 11, 1, 0, 0, 7200};
}

/* The DST part after the standard offset: name [offset] [,start,end]. */
static int tzp_dst(struct tzparse *ps, struct posix_tz *out)
{
    int32_t v;
    if (tzp_name(ps) != 0)
        return -1;
    out->has_dst = true;
    out->dst_off = out->std_off + 3600;
    if (*ps->p != '\0' && *ps->p != ',') {
        if (tzp_hms(ps, 24, &v) != 0)
            return -1;
        out->dst_off = -v; /* POSIX counts west of UTC as positive */
    }
    if (*ps->p == '\0') {
        tzp_default_rules(out);
        return 0;
    }
    if (*ps->p++ != ',' || tzp_date(ps, &out->start) != 0)
        return ps->why ? -1 : tzp_fail(ps, "expected ,start,end rules");
    if (*ps->p++ != ',')
        return tzp_fail(ps, "expected ',' before the end rule");
    return tzp_date(ps, &out->end);
}

static int posix_parse(const char *tz, struct posix_tz *out, const char **out_why)
{
    struct tzparse ps = {tz, NULL};
    int32_t v;
    memset(out, 0, sizeof(*out));
    if (tzp_name(&ps) != 0 || tzp_hms(&ps, 24, &v) != 0)
        goto fail;
    out->std_off = -v; /* EST5 is five hours west, offset -18000 */
    out->dst_off = out->std_off;
    if (*ps.p != '\0' && tzp_dst(&ps, out) != 0)
        goto fail;
    if (*ps.p != '\0') {
        tzp_fail(&ps, "unexpected characters after the rules");
        goto fail;
    }
    return 0;
fail:
    *out_why = ps.why;
    return -1;
}

/* ------------------------------------------------------ rule evaluation */

/* Days since the epoch of a rule date in year. */
static int64_t rule_day(const struct rule_date *d, int64_t year)
{
    int64_t jan1 = civil_days_from_date(year, 1, 1);
    if (d->kind == RULE_JULIAN)
        return jan1 + d->day - 1 + (civil_is_leap(year) && d->day >= 60);
    if (d->kind == RULE_ZERO)
        return jan1 + d->day;
    int64_t first = civil_days_from_date(year, d->mon, 1);
    int day = (d->wday - civil_weekday(first) + 7) % 7 + (d->week - 1) * 7;
    int mdays = civil_month_days(year, d->mon);
    while (day >= mdays) /* week 5 means the last such weekday */
        day -= 7;
    return first + day;
}

/* The rule's transitions of years year-3 to year+3, sorted, with
 * transitions at the same instant collapsed into the later one (so a DST
 * period that ends exactly when next year's begins, as in "J365/25"
 * permanent-DST rules, leaves no zero-length span). Returns the count. */
static size_t rule_collect(const struct posix_tz *r, int64_t year, struct rule_change *out)
{
    size_t n = 0, m = 0;
    for (int64_t y = year - RULE_YEARS / 2; y <= year + RULE_YEARS / 2; y++) {
        out[n].at = rule_day(&r->start, y) * 86400 + r->start.time - r->std_off;
        out[n++].offset = r->dst_off;
        out[n].at = rule_day(&r->end, y) * 86400 + r->end.time - r->dst_off;
        out[n++].offset = r->std_off;
    }
    for (size_t i = 1; i < n; i++) { /* stable insertion sort */
        struct rule_change x = out[i];
        size_t j = i;
        for (; j > 0 && out[j - 1].at > x.at; j--)
            out[j] = out[j - 1];
        out[j] = x;
    }
    for (size_t i = 0; i < n; i++) {
        if (m > 0 && out[m - 1].at == out[i].at)
            out[m - 1].offset = out[i].offset;
        else
            out[m++] = out[i];
    }
    return m;
}

/* The rule's transitions in [January 1 of year-2, January 1 of year+3), a
 * cursor over them. A year's transitions lie within ten days of it (day 365
 * of a common year is the next January 1; times reach 167 h, offsets 26 h),
 * so every transition that could coincide with one in that range is among
 * the seven years collected, and collapsing was right. Windows RULE_STEP
 * years apart tile the time line, and each holds at least the transitions
 * of year-1 to year+1, so none is empty. */
struct rule_window {
    int64_t year;                          /* the window's centre */
    size_t n;                              /* transitions in ch */
    size_t i;                              /* the current one */
    struct rule_change ch[2 * RULE_YEARS]; /* ascending */
};

static void window_load(const struct posix_tz *r, int64_t year, struct rule_window *w)
{
    int64_t lo = civil_days_from_date(year - RULE_STEP / 2, 1, 1) * 86400;
    int64_t hi = civil_days_from_date(year + RULE_STEP / 2 + 1, 1, 1) * 86400;
    size_t n = rule_collect(r, year, w->ch), m = 0;
    for (size_t k = 0; k < n; k++)
        if (w->ch[k].at >= lo && w->ch[k].at < hi)
            w->ch[m++] = w->ch[k];
    w->year = year;
    w->n = m;
    w->i = 0;
}

static void window_next(const struct posix_tz *r, struct rule_window *w)
{
    if (++w->i >= w->n)
        window_load(r, w->year + RULE_STEP, w);
}

static void window_prev(const struct posix_tz *r, struct rule_window *w)
{
    if (w->i > 0) {
        w->i--;
        return;
    }
    window_load(r, w->year - RULE_STEP, w);
    w->i = w->n - 1;
}

/* Positions w on the last transition at or before t. */
static void window_at(const struct posix_tz *r, int64_t t, struct rule_window *w)
{
    struct civil c;
    civil_from_secs(t, &c);
    window_load(r, c.year, w);
    while (w->i < w->n && w->ch[w->i].at <= t)
        w->i++;
    if (w->i == 0) /* t early in its window: the last one is in the window before */
        window_prev(r, w);
    else
        w->i--;
}

static int64_t rule_clamp(int64_t t)
{
    return t < -RULE_T_LIMIT ? -RULE_T_LIMIT : t > RULE_T_LIMIT ? RULE_T_LIMIT : t;
}

static int32_t rule_offset(const struct posix_tz *r, int64_t t)
{
    struct rule_window w;
    if (!r->has_dst)
        return r->std_off;
    window_at(r, rule_clamp(t), &w);
    return w.ch[w.i].offset;
}

/* The end of the span whose last transition w is on: the next transition
 * to another offset. Some rules change nothing for years (a start and an
 * end that coincide in some years), so the search goes on window by
 * window; the rule repeats with the Gregorian calendar, so an offset kept
 * for a whole cycle is kept for ever. */
static int64_t rule_span_end(const struct posix_tz *r, struct rule_window *w, int32_t offset)
{
    int64_t stop = w->year + RULE_CYCLE_YEARS + RULE_STEP;
    do
        window_next(r, w);
    while (w->ch[w->i].offset == offset && w->year <= stop && w->ch[w->i].at <= RULE_T_LIMIT);
    bool bounded = w->ch[w->i].offset != offset && w->ch[w->i].at <= RULE_T_LIMIT;
    return bounded ? w->ch[w->i].at : INT64_MAX;
}

/* The start of that span and the offset before it, searched backwards the
 * same way. */
static void rule_span_start(const struct posix_tz *r, struct rule_window *w,
                            struct zone_span *out)
{
    int64_t stop = w->year - RULE_CYCLE_YEARS - RULE_STEP, start = w->ch[w->i].at;
    window_prev(r, w);
    while (w->ch[w->i].offset == out->offset && w->year >= stop && start > -RULE_T_LIMIT) {
        start = w->ch[w->i].at;
        window_prev(r, w);
    }
    bool bounded = w->ch[w->i].offset != out->offset && start > -RULE_T_LIMIT;
    out->start = bounded ? start : INT64_MIN;
    out->prev_offset = bounded ? w->ch[w->i].offset : out->offset;
}

/* The maximal span of the rule alone around t. Beyond +-RULE_T_LIMIT the
 * edge spans are made unbounded: instants there are read as at the limit,
 * so a span reaching past it reaches to the end of time. */
static void rule_span(const struct posix_tz *r, int64_t t, struct zone_span *out)
{
    struct rule_window w, back;
    if (!r->has_dst) {
        span_fixed(out, r->std_off);
        return;
    }
    window_at(r, rule_clamp(t), &w);
    back = w;
    out->offset = w.ch[w.i].offset;
    out->end = rule_span_end(r, &w, out->offset);
    rule_span_start(r, &back, out);
}

/* ------------------------------------------------------------ zone spans */

/* Number of changes at or before t (binary search). */
static size_t zone_count_upto(const struct zone *z, int64_t t)
{
    size_t lo = 0, hi = z->nchanges;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (z->changes[mid].at <= t)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

static void list_span(const struct zone *z, int64_t t, struct zone_span *out)
{
    size_t i = zone_count_upto(z, t);
    const struct zone_change *c = z->changes;
    out->offset = i > 0 ? c[i - 1].offset : z->first_offset;
    out->start = i > 0 ? c[i - 1].at : INT64_MIN;
    out->end = i < z->nchanges ? c[i].at : INT64_MAX;
    if (i >= 2)
        out->prev_offset = c[i - 2].offset;
    else
        out->prev_offset = i == 1 ? z->first_offset : out->offset;
}

void zone_span_at(const struct zone *z, int64_t t, struct zone_span *out)
{
    struct zone_span other;
    if (!z->has_rule || t < z->rule_from) {
        list_span(z, t, out);
        if (!z->has_rule || out->end != INT64_MAX)
            return;
        /* The last list span meets the rule region: merge when equal. */
        rule_span(&z->rule, z->rule_from, &other);
        out->end = other.offset == out->offset ? other.end : z->rule_from;
        return;
    }
    rule_span(&z->rule, t, out);
    if (z->rule_from == INT64_MIN || out->start > z->rule_from)
        return;
    list_span(z, z->rule_from - 1, &other);
    if (other.offset == out->offset) {
        out->start = other.start;
        out->prev_offset = other.prev_offset;
    } else {
        out->start = z->rule_from;
        out->prev_offset = other.offset;
    }
}

int32_t zone_offset_at(const struct zone *z, int64_t t)
{
    if (z->has_rule && t >= z->rule_from)
        return rule_offset(&z->rule, t);
    size_t i = zone_count_upto(z, t);
    return i > 0 ? z->changes[i - 1].offset : z->first_offset;
}

const char *zone_name(const struct zone *z)
{
    return z->name;
}

/* --------------------------------------------------------- zone building */

static struct zone *zone_alloc(const char *name)
{
    struct zone *z = calloc(1, sizeof(*z));
    if (z == NULL)
        return NULL;
    z->name = strdup(name != NULL ? name : "");
    if (z->name == NULL) {
        free(z);
        return NULL;
    }
    return z;
}

void zone_free(struct zone *z)
{
    if (z == NULL)
        return;
    free(z->changes);
    free(z->name);
    free(z);
}

/* Appends a change unless it keeps the offset (merging transitions that
 * alter only the abbreviation or the DST flag). A first change at INT64_MIN
 * becomes the offset before all changes: no instant precedes it, so the
 * span before would be empty and the unbounded span would report a
 * previous offset nobody saw. */
static int zone_push(struct zone *z, int64_t at, int32_t offset)
{
    int32_t cur = z->nchanges > 0 ? z->changes[z->nchanges - 1].offset : z->first_offset;
    if (offset == cur)
        return 0;
    if (z->nchanges == 0 && at == INT64_MIN) {
        z->first_offset = offset;
        return 0;
    }
    if (util_grow((void **)&z->changes, z->nchanges, &z->cap, sizeof(*z->changes)) != 0)
        return -1;
    z->changes[z->nchanges].at = at;
    z->changes[z->nchanges++].offset = offset;
    return 0;
}

/* Moves the rule's spans from rule_from up to EXPAND_LAST_YEAR into the
 * list, so that common instants need no rule evaluation. A fixed-offset
 * rule is folded into the list entirely. */
static int zone_unroll_rule(struct zone *z)
{
    int64_t lo = civil_days_from_date(EXPAND_FIRST_YEAR, 1, 1) * 86400;
    int64_t hi = civil_days_from_date(EXPAND_LAST_YEAR, 1, 1) * 86400;
    struct zone_span r;
    if (!z->rule.has_dst) {
        if (z->rule_from == INT64_MIN)
            z->first_offset = z->rule.std_off;
        else if (zone_push(z, z->rule_from, z->rule.std_off) != 0)
            return -1;
        z->has_rule = false;
        return 0;
    }
    if (z->rule_from < lo)
        return 0; /* pathological file: keep evaluating the rule */
    while (z->rule_from < hi) {
        rule_span(&z->rule, z->rule_from, &r);
        if (r.end == INT64_MAX)
            break;
        if (zone_push(z, z->rule_from, r.offset) != 0)
            return -1;
        z->rule_from = r.end;
    }
    return 0;
}

int zone_new_utc(struct zone **out_zone)
{
    *out_zone = zone_alloc("UTC");
    return *out_zone != NULL ? 0 : -1;
}

static int zone_new_fixed(const char *name, int32_t offset, struct zone **out_zone,
                          char *err, size_t errlen)
{
    struct zone *z = zone_alloc(name);
    if (z == NULL)
        return zone_fail(err, errlen, "out of memory");
    z->first_offset = offset;
    *out_zone = z;
    return 0;
}

int zone_parse_posix(const char *tz, struct zone **out_zone, char *err, size_t errlen)
{
    struct posix_tz rule;
    const char *why = NULL;
    if (tz == NULL)
        return zone_fail(err, errlen, "no POSIX TZ string");
    if (posix_parse(tz, &rule, &why) != 0)
        return zone_fail(err, errlen, "invalid POSIX TZ string '%s': %s", tz, why);
    struct zone *z = zone_alloc(tz);
    if (z == NULL)
        return zone_fail(err, errlen, "out of memory");
    z->first_offset = rule.std_off;
    z->has_rule = rule.has_dst;
    z->rule_from = INT64_MIN;
    z->rule = rule;
    *out_zone = z;
    return 0;
}

/* ---------------------------------------------------------- TZif reader */

#define TZIF_HEADER_LEN 44

struct tzif_counts {
    uint32_t isut, isstd, leap, time, type, chars; /* RFC 8536 header order */
};

static uint32_t tzif_u32(const unsigned char *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

/* Two's complement without implementation-defined conversions. */
static int64_t tzif_time(const unsigned char *p, size_t tsize)
{
    if (tsize == 4) {
        uint32_t u = tzif_u32(p);
        return u <= INT32_MAX ? (int64_t)u : (int64_t)u - INT64_C(4294967296);
    }
    uint64_t u = (uint64_t)tzif_u32(p) << 32 | tzif_u32(p + 4);
    return u <= INT64_MAX ? (int64_t)u : -(int64_t)(~u) - 1;
}

static int tzif_header(const unsigned char *p, size_t len, int *out_version,
                       struct tzif_counts *out, char *err, size_t errlen)
{
    if (len < TZIF_HEADER_LEN)
        return zone_fail(err, errlen, "truncated TZif header");
    if (memcmp(p, "TZif", 4) != 0)
        return zone_fail(err, errlen, "not a TZif file (bad magic)");
    if (p[4] == 0)
        *out_version = 1;
    else if (p[4] >= '2' && p[4] <= '9')
        *out_version = p[4] - '0'; /* later versions only add footer syntax */
    else
        return zone_fail(err, errlen, "unknown TZif version byte 0x%02x", p[4]);
    out->isut = tzif_u32(p + 20);
    out->isstd = tzif_u32(p + 24);
    out->leap = tzif_u32(p + 28);
    out->time = tzif_u32(p + 32);
    out->type = tzif_u32(p + 36);
    out->chars = tzif_u32(p + 40);
    return 0;
}

/* Bytes of a data block; 64-bit arithmetic cannot overflow with 32-bit
 * counts. */
static uint64_t tzif_block_size(const struct tzif_counts *c, size_t tsize)
{
    return (uint64_t)c->time * (tsize + 1) + (uint64_t)c->type * 6 + c->chars
         + (uint64_t)c->leap * (tsize + 4) + c->isstd + c->isut;
}

static int tzif_check_counts(const struct tzif_counts *c, char *err, size_t errlen)
{
    if (c->type == 0 || c->type > 256)
        return zone_fail(err, errlen, "TZif file has %u local time types", c->type);
    if (c->chars == 0)
        return zone_fail(err, errlen, "TZif file has no abbreviations");
    if ((c->isut != 0 && c->isut != c->type) || (c->isstd != 0 && c->isstd != c->type))
        return zone_fail(err, errlen, "TZif indicator counts do not match the types");
    if (c->leap != 0) /* transition times would count leap seconds */
        return zone_fail(err, errlen, "leap-second TZif files (\"right/\") are not supported");
    return 0;
}

/* Reads the ttinfo records (utoff, isdst, desigidx) into offsets. */
static int tzif_types(const unsigned char *p, const struct tzif_counts *c,
                      int32_t *out_offsets, char *err, size_t errlen)
{
    for (uint32_t i = 0; i < c->type; i++, p += 6) {
        int64_t off = tzif_time(p, 4);
        if (off < -ZONE_OFFSET_MAX || off > ZONE_OFFSET_MAX)
            return zone_fail(err, errlen, "TZif UTC offset %lld out of range", (long long)off);
        if (p[4] > 1)
            return zone_fail(err, errlen, "TZif DST flag is not 0 or 1");
        if (p[5] >= c->chars)
            return zone_fail(err, errlen, "TZif abbreviation index out of range");
        out_offsets[i] = (int32_t)off;
    }
    return 0;
}

/* The footer of version 2+ files: "\n" POSIX-TZ-string "\n". An empty
 * string means the last type stays in force. */
static int tzif_footer(const unsigned char *p, size_t len, struct posix_tz *out_rule,
                       bool *out_has, char *err, size_t errlen)
{
    char tz[256];
    const char *why = NULL;
    if (len < 2 || p[0] != '\n')
        return zone_fail(err, errlen, "TZif footer missing");
    const unsigned char *nl = memchr(p + 1, '\n', len - 1);
    if (nl == NULL)
        return zone_fail(err, errlen, "TZif footer not terminated");
    size_t n = (size_t)(nl - (p + 1));
    if (n >= sizeof(tz) || memchr(p + 1, '\0', n) != NULL)
        return zone_fail(err, errlen, "TZif footer malformed");
    memcpy(tz, p + 1, n);
    tz[n] = '\0';
    *out_has = n > 0;
    if (n > 0 && posix_parse(tz, out_rule, &why) != 0)
        return zone_fail(err, errlen, "TZif footer '%s': %s", tz, why);
    return 0;
}

/* Fills z from the transitions of a data block. With a footer rule the last
 * transition hands over to the rule (the rule decides from then on). */
static int tzif_fill(struct zone *z, const unsigned char *block, const struct tzif_counts *c,
                     size_t tsize, const int32_t *offsets, char *err, size_t errlen)
{
    const unsigned char *idx = block + (size_t)c->time * tsize;
    uint32_t nlist = z->has_rule && c->time > 0 ? c->time - 1 : c->time;
    int64_t prev = INT64_MIN;
    z->first_offset = offsets[0]; /* RFC 8536: type 0 before the first */
    for (uint32_t i = 0; i < c->time; i++) {
        int64_t at = tzif_time(block + (size_t)i * tsize, tsize);
        if (i > 0 && at <= prev)
            return zone_fail(err, errlen, "TZif transitions not in ascending order");
        if (idx[i] >= c->type)
            return zone_fail(err, errlen, "TZif transition type out of range");
        if (i < nlist && zone_push(z, at, offsets[idx[i]]) != 0)
            return zone_fail(err, errlen, "out of memory");
        prev = at;
    }
    if (z->has_rule) {
        z->rule_from = c->time > 0 ? prev : INT64_MIN;
        if (zone_unroll_rule(z) != 0)
            return zone_fail(err, errlen, "out of memory");
    }
    return 0;
}

/* Locates the data block to use: the 64-bit one of version 2+ files. */
static int tzif_locate(const unsigned char *buf, size_t len, int *out_version,
                       struct tzif_counts *out, size_t *out_pos, char *err, size_t errlen)
{
    if (tzif_header(buf, len, out_version, out, err, errlen) != 0)
        return -1;
    *out_pos = TZIF_HEADER_LEN;
    if (*out_version >= 2) {
        int v2 = 0;
        uint64_t skip = tzif_block_size(out, 4);
        if (skip > len - *out_pos)
            return zone_fail(err, errlen, "truncated TZif version 1 data");
        *out_pos += (size_t)skip;
        if (tzif_header(buf + *out_pos, len - *out_pos, &v2, out, err, errlen) != 0)
            return -1;
        *out_pos += TZIF_HEADER_LEN;
    }
    if (tzif_check_counts(out, err, errlen) != 0)
        return -1;
    if (tzif_block_size(out, *out_version >= 2 ? 8 : 4) > len - *out_pos)
        return zone_fail(err, errlen, "truncated TZif data");
    return 0;
}

int zone_parse_tzif(const unsigned char *buf, size_t len, const char *name,
                    struct zone **out_zone, char *err, size_t errlen)
{
    struct tzif_counts c = {0};
    int32_t offsets[256] = {0};
    int version = 0;
    size_t pos = 0;
    if (buf == NULL || tzif_locate(buf, len, &version, &c, &pos, err, errlen) != 0)
        return buf == NULL ? zone_fail(err, errlen, "no TZif data") : -1;
    size_t tsize = version >= 2 ? 8 : 4;
    const unsigned char *block = buf + pos;
    size_t types_at = (size_t)c.time * (tsize + 1);
    if (tzif_types(block + types_at, &c, offsets, err, errlen) != 0)
        return -1;
    struct zone *z = zone_alloc(name);
    if (z == NULL)
        return zone_fail(err, errlen, "out of memory");
    size_t end = pos + (size_t)tzif_block_size(&c, tsize);
    if ((version >= 2 && tzif_footer(buf + end, len - end, &z->rule, &z->has_rule,
                                     err, errlen) != 0)
        || tzif_fill(z, block, &c, tsize, offsets, err, errlen) != 0) {
        zone_free(z);
        return -1;
    }
    *out_zone = z;
    return 0;
}

/* ------------------------------------------------------------ file input */

/* Reads a whole regular file of at most ZONE_FILE_MAX bytes (util.h's
 * reader: a FIFO named by a user cannot block the daemon). Returns 0 or an
 * errno value (EISDIR/EINVAL for non-regular files, EFBIG when large). */
static int file_slurp(const char *path, unsigned char **out_buf, size_t *out_len)
{
    struct util_file f;
    int rc = util_read_file(path, ZONE_FILE_MAX, &f, NULL, 0);
    *out_buf = (unsigned char *)f.data;
    *out_len = f.len;
    return rc;
}

/* ------------------------------------------------------------ name lookup */

static bool zone_is_utc_name(const char *name)
{
    return strcmp(name, "UTC") == 0 || strcmp(name, "Etc/UTC") == 0 || strcmp(name, "Z") == 0;
}

/* No "..", and no empty component except the root of an absolute path, so a
 * name cannot climb out of the zone directory. */
static bool zone_name_is_safe(const char *name)
{
    const char *p = name[0] == '/' ? name + 1 : name;
    for (;;) {
        size_t n = strcspn(p, "/");
        if (n == 0 || (n == 2 && p[0] == '.' && p[1] == '.'))
            return false;
        if (p[n] == '\0')
            return true;
        p += n + 1;
    }
}

static int zone_load_path(const char *path, const char *name, struct zone **out_zone,
                          char *err, size_t errlen)
{
    unsigned char *buf = NULL;
    size_t len = 0;
    char why[200];
    int rc = file_slurp(path, &buf, &len);
    if (rc != 0)
        return zone_fail(err, errlen, "cannot read time zone file '%s': %s", path, strerror(rc));
    rc = zone_parse_tzif(buf, len, name, out_zone, why, sizeof(why));
    free(buf);
    if (rc != 0)
        return zone_fail(err, errlen, "time zone file '%s': %s", path, why);
    return 0;
}

/* A name that is no file: a POSIX TZ string if it looks like one (every TZ
 * string has a digit in its offset), else unknown. */
static int zone_load_nonfile(const char *name, struct zone **out_zone, char *err, size_t errlen)
{
    struct posix_tz rule;
    const char *why = NULL;
    if (strpbrk(name, "0123456789") == NULL)
        return zone_fail(err, errlen, "unknown time zone '%s'", name);
    if (posix_parse(name, &rule, &why) != 0)
        return zone_fail(err, errlen,
                         "unknown time zone '%s' (no such zone file, and not a POSIX TZ string: %s)",
                         name, why);
    return zone_parse_posix(name, out_zone, err, errlen);
}

int zone_load(const char *name, const char *tzdir, struct zone **out_zone,
              char *err, size_t errlen)
{
    char path[PATH_MAX];
    unsigned char *buf = NULL;
    size_t len = 0;
    const char *n = name != NULL && name[0] == ':' ? name + 1 : name;
    if (n == NULL || n[0] == '\0')
        return zone_fail(err, errlen, "empty time zone name");
    if (zone_is_utc_name(n))
        return zone_new_fixed(n, 0, out_zone, err, errlen);
    if (!zone_name_is_safe(n))
        return zone_fail(err, errlen, "refusing time zone name '%s' (empty or '..' component)", n);
    if (n[0] == '/')
        return zone_load_path(n, n, out_zone, err, errlen);
    int w = snprintf(path, sizeof(path), "%s/%s", tzdir ? tzdir : ZONE_DEFAULT_TZDIR, n);
    if (w < 0 || (size_t)w >= sizeof(path))
        return zone_fail(err, errlen, "time zone name too long: '%.64s...'", n);
    int rc = file_slurp(path, &buf, &len);
    if (rc == ENOENT || rc == ENOTDIR || rc == ENAMETOOLONG)
        return zone_load_nonfile(n, out_zone, err, errlen);
    if (rc == EISDIR)
        return zone_fail(err, errlen, "unknown time zone '%s' (a directory)", n);
    if (rc != 0)
        return zone_fail(err, errlen, "time zone '%s': cannot read '%s': %s", n, path, strerror(rc));
    char why[200];
    rc = zone_parse_tzif(buf, len, n, out_zone, why, sizeof(why));
    free(buf);
    if (rc != 0)
        return zone_fail(err, errlen, "time zone '%s': %s: %s", n, path, why);
    return 0;
}

/* The zone name of a /etc/localtime symlink: what follows "zoneinfo/" in its
 * target, else "localtime". */
static void zone_link_name(const char *path, char *out, size_t outlen)
{
    char target[PATH_MAX];
    snprintf(out, outlen, "localtime");
    ssize_t n = readlink(path, target, sizeof(target) - 1);
    if (n <= 0)
        return;
    target[n] = '\0';
    const char *p = strstr(target, "zoneinfo/");
    if (p != NULL && p[9] != '\0' && strlen(p + 9) < outlen)
        snprintf(out, outlen, "%s", p + 9);
}

int zone_load_system(const char *tzdir, struct zone **out_zone, char *err, size_t errlen)
{
    const char *path = "/etc/localtime";
    char name[256];
    struct stat st;
    if (lstat(path, &st) != 0) {
        if (errno == ENOENT)
            return zone_new_fixed("UTC", 0, out_zone, err, errlen);
        return zone_fail(err, errlen, "cannot inspect %s: %s", path, strerror(errno));
    }
    snprintf(name, sizeof(name), "localtime");
    if (S_ISLNK(st.st_mode))
        zone_link_name(path, name, sizeof(name));
    if (S_ISLNK(st.st_mode) && stat(path, &st) != 0 && errno == ENOENT) {
        /* Dangling link (image without tzdata): the name still says which
         * zone was meant; Etc/UTC works built in, others are an error. */
        if (strcmp(name, "localtime") == 0)
            return zone_new_fixed("UTC", 0, out_zone, err, errlen);
        return zone_load(name, tzdir, out_zone, err, errlen);
    }
    return zone_load_path(path, name, out_zone, err, errlen);
}

/* ------------------------------------------------------------ zone cache */

struct cache_entry {
    char *name;        /* key, as asked for */
    struct zone *zone; /* NULL when loading failed */
    char *error;       /* the failure's message, else NULL */
};

struct zone_cache {
    char *tzdir;                 /* NULL: the default */
    size_t n, cap;               /* entries used / allocated */
    struct cache_entry *entries; /* few zones per daemon: linear search */
};

struct zone_cache *zone_cache_new(const char *tzdir)
{
    struct zone_cache *c = calloc(1, sizeof(*c));
    if (c == NULL)
        return NULL;
    if (tzdir != NULL && (c->tzdir = strdup(tzdir)) == NULL) {
        free(c);
        return NULL;
    }
    return c;
}

static struct cache_entry *cache_add(struct zone_cache *c, const char *name)
{
    if (util_grow((void **)&c->entries, c->n, &c->cap, sizeof(*c->entries)) != 0)
        return NULL;
    struct cache_entry *e = &c->entries[c->n];
    e->name = strdup(name);
    e->zone = NULL;
    e->error = NULL;
    if (e->name == NULL)
        return NULL;
    c->n++;
    return e;
}

const struct zone *zone_cache_get(struct zone_cache *c, const char *name,
                                  char *err, size_t errlen)
{
    char msg[512];
    const char *key = name != NULL ? name : "";
    for (size_t i = 0; i < c->n; i++) {
        struct cache_entry *e = &c->entries[i];
        if (strcmp(e->name, key) != 0)
            continue;
        if (e->zone == NULL)
            zone_fail(err, errlen, "%s", e->error ? e->error : "time zone unavailable");
        return e->zone;
    }
    struct cache_entry *e = cache_add(c, key);
    if (e == NULL) {
        zone_fail(err, errlen, "out of memory");
        return NULL;
    }
    int rc = name == NULL ? zone_load_system(c->tzdir, &e->zone, msg, sizeof(msg))
                          : zone_load(key, c->tzdir, &e->zone, msg, sizeof(msg));
    if (rc == 0)
        return e->zone;
    e->zone = NULL;
    e->error = strdup(msg); /* NULL on OOM: the message below still goes out */
    zone_fail(err, errlen, "%s", msg);
    return NULL;
}

void zone_cache_free(struct zone_cache *c)
{
    if (c == NULL)
        return;
    for (size_t i = 0; i < c->n; i++) {
        free(c->entries[i].name);
        free(c->entries[i].error);
        zone_free(c->entries[i].zone);
    }
    free(c->entries);
    free(c->tzdir);
    free(c);
}
