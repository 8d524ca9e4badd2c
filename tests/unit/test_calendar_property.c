/* Property test of calendar_next: for many random valid schedules and start
 * instants, calendar_next must agree with a slow, literal reference.
 *
 * Why a reference of its own: calendar.c jumps field by field and walks zone
 * spans; the reference below walks instants minute by minute, converts each
 * with glibc (setenv TZ + tzset + localtime_r, independent of zone.c), matches
 * fields with its own code (never cronspec_day_matches) and applies cronie's
 * DST rules literally (DESIGN.md section 3, calendar.h). The reference parses
 * nothing: each expression is generated together with its meaning, then
 * formatted and given to cronspec_parse.
 *
 * The walk is bounded (WINDOW after the start): a fire time the reference
 * finds in the window must be calendar_next's answer exactly; when it finds
 * none, calendar_next must answer beyond the window or CALENDAR_NEVER.
 *
 * Environment: CROND_PROPERTY_SEED=N|random (default 20261201) and
 * CROND_PROPERTY_CASES=N (cases per zone test). Every failure prints the
 * expression, zone, start, expected and actual fire time.
 */
#include "testutil.h"

#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include "crond/calendar.h"
#include "crond/cronspec.h"
#include "crond/zone.h"

#define DEFAULT_SEED UINT64_C(20261201)
#define DEFAULT_CASES 900          /* per zone test: ~11 s in all, also under ASan */
#define CONSECUTIVE_RUNS 10        /* fire times chained in the consecutive test */
#define WINDOW (8 * 86400)         /* reference walk after the start */
#define LOOKBACK (26 * 3600)       /* walk starts this long before the start */
#define MAX_FAILURES_SHOWN 8       /* per test, so a broken build stays readable */
#define YEAR_LO 1970
#define YEAR_HI 2099
#define NYEARS (YEAR_HI - YEAR_LO + 1)
#define DAY 86400

/* ------------------------------------------------------------------------ */
/* Settings and a small PRNG (splitmix64: rand() differs between libcs)     */
/* ------------------------------------------------------------------------ */

static uint64_t g_seed = DEFAULT_SEED;
static int g_cases = DEFAULT_CASES;
static uint64_t g_rng;

static uint64_t rnd(void)
{
    uint64_t z = (g_rng += UINT64_C(0x9e3779b97f4a7c15));
    z = (z ^ (z >> 30)) * UINT64_C(0xbf58476d1ce4e5b9);
    z = (z ^ (z >> 27)) * UINT64_C(0x94d049bb133111eb);
    return z ^ (z >> 31);
}

/* Uniform in [lo, hi]; the modulo bias is irrelevant here. */
static int rnd_int(int lo, int hi)
{
    return lo + (int)(rnd() % (uint64_t)(hi - lo + 1));
}

static bool rnd_pct(int pct)
{
    return rnd_int(0, 99) < pct;
}

/* Each test gets its own stream, so a case depends only on the seed, the
 * test and its index (not on CROND_PROPERTY_CASES). */
static void rnd_start_stream(int test_index)
{
    g_rng = g_seed ^ (UINT64_C(0x51afd7ed558ccd) * (uint64_t)(test_index + 1));
}

static void read_settings(void)
{
    const char *s = getenv("CROND_PROPERTY_SEED");
    if (s != NULL && strcmp(s, "random") == 0)
        g_seed = (uint64_t)time(NULL) ^ ((uint64_t)getpid() << 32);
    else if (s != NULL && *s != '\0')
        g_seed = strtoull(s, NULL, 10);
    const char *c = getenv("CROND_PROPERTY_CASES");
    if (c != NULL && atoi(c) > 0)
        g_cases = atoi(c);
    printf("calendar property: seed %" PRIu64 ", %d cases per zone "
           "(CROND_PROPERTY_SEED=N|random, CROND_PROPERTY_CASES=N)\n", g_seed, g_cases);
}

/* ------------------------------------------------------------------------ */
/* glibc time (the reference's only view of the zone)                       */
/* ------------------------------------------------------------------------ */

static void glibc_use_zone(const char *name)
{
    setenv("TZ", name, 1);
    tzset(); /* localtime_r does not re-read TZ by itself */
}

static int32_t glibc_offset(int64_t t)
{
    time_t tt = (time_t)t;
    struct tm tm;
    localtime_r(&tt, &tm);
    return (int32_t)tm.tm_gmtoff;
}

/* Local ISO-8601 with offset, as crond-lite --next prints it. */
static void iso_local(int64_t t, char *buf, size_t len)
{
    time_t tt = (time_t)t;
    struct tm tm;
    localtime_r(&tt, &tm);
    long off = tm.tm_gmtoff;
    char sign = off < 0 ? '-' : '+';
    off = off < 0 ? -off : off;
    snprintf(buf, len, "%04d-%02d-%02dT%02d:%02d:%02d%c%02ld:%02ld", tm.tm_year + 1900,
             tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, sign, off / 3600,
             off / 60 % 60);
}

/* UTC instant of a wall date at midnight (timegm: glibc, not civil.c). */
static int64_t utc_of_date(int year, int mon, int day)
{
    struct tm tm = {.tm_year = year - 1900, .tm_mon = mon - 1, .tm_mday = day};
    return (int64_t)timegm(&tm);
}

static bool is_leap(int y)
{
    return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static int days_in_month(int y, int m)
{
    static const int days[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    return m == 2 && is_leap(y) ? 29 : days[m - 1];
}

/* ------------------------------------------------------------------------ */
/* Zones under test and their DST transitions (found through glibc)         */
/* ------------------------------------------------------------------------ */

struct zone_case {
    const char *name;
    int32_t jan_offset, jul_offset; /* 2026, to prove glibc found the rules */
    struct zone *z;
    int64_t trans[512];             /* instants where glibc's offset changes */
    int ntrans;
};

static struct zone_case zones[] = {
    {"UTC", 0, 0, NULL, {0}, 0},
    {"America/New_York", -5 * 3600, -4 * 3600, NULL, {0}, 0},
    {"Europe/Berlin", 3600, 2 * 3600, NULL, {0}, 0},
    {"Australia/Lord_Howe", 11 * 3600, 10 * 3600 + 1800, NULL, {0}, 0},
    {"Asia/Kolkata", 5 * 3600 + 1800, 5 * 3600 + 1800, NULL, {0}, 0},
};
#define NZONES ((int)(sizeof zones / sizeof zones[0]))

/* First instant in (lo, hi] whose offset differs from lo's. */
static int64_t bisect_change(int64_t lo, int64_t hi)
{
    int32_t off = glibc_offset(lo);
    while (hi - lo > 1) {
        int64_t mid = lo + (hi - lo) / 2;
        if (glibc_offset(mid) == off)
            lo = mid;
        else
            hi = mid;
    }
    return hi;
}

static void find_transitions(struct zone_case *zc)
{
    zc->ntrans = 0;
    int64_t end = utc_of_date(YEAR_HI, 12, 1);
    for (int64_t t = utc_of_date(1971, 1, 1); t < end; t += DAY) {
        if (glibc_offset(t) != glibc_offset(t + DAY) && zc->ntrans < 512)
            zc->trans[zc->ntrans++] = bisect_change(t, t + DAY);
    }
}

/* Sets glibc and our zone up for zc; fails the test when either is off. */
static void zone_setup(struct zone_case *zc)
{
    glibc_use_zone(zc->name);
    assert_int_equal(glibc_offset(utc_of_date(2026, 1, 15)), zc->jan_offset);
    assert_int_equal(glibc_offset(utc_of_date(2026, 7, 15)), zc->jul_offset);
    char err[256] = "";
    if (zone_load(zc->name, NULL, &zc->z, err, sizeof err) != 0)
        fail_msg("zone_load(%s): %s", zc->name, err);
    find_transitions(zc);
}

/* ------------------------------------------------------------------------ */
/* A schedule's meaning, built by the generator next to its text            */
/* ------------------------------------------------------------------------ */

enum field { F_SEC, F_MIN, F_HOUR, F_DOM, F_MON, F_DOW, F_YEAR, NFIELDS };

struct meaning {
    bool set[NFIELDS][NYEARS]; /* by value; day of week 7 folded to 0; year - 1970 */
    bool star[NFIELDS];        /* the field's text starts with '*' or '?' */
    bool dom_last, dom_lastwd; /* L, LW */
    bool dom_near[32];         /* NW */
    bool dow_last[7];          /* 5L */
    bool dow_nth[7][6];        /* FRI#3 */
};

struct schedule {
    char text[512];
    struct meaning m;
    bool fixed;                /* neither minute nor hour starts with '*' */
};

static void mark(struct meaning *m, enum field f, int v)
{
    int i = f == F_YEAR ? v - YEAR_LO : f == F_DOW ? v % 7 : v;
    m->set[f][i] = true;
}

static bool marked(const struct meaning *m, enum field f, int v)
{
    int i = f == F_YEAR ? v - YEAR_LO : f == F_DOW ? v % 7 : v;
    return m->set[f][i];
}

static void mark_range(struct meaning *m, enum field f, int lo, int hi, int step)
{
    for (int v = lo; v <= hi; v += step)
        mark(m, f, v);
}

/* Text under construction. */
struct text {
    char *s;
    size_t len, cap;
};

static void put(struct text *t, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void put(struct text *t, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(t->s + t->len, t->cap - t->len, fmt, ap);
    va_end(ap);
    assert_true(n >= 0 && (size_t)n < t->cap - t->len);
    t->len += (size_t)n;
}

/* The target wall time the generator aims at, as field values. */
struct target {
    int v[NFIELDS];
    bool fixed_bias; /* keep '*' off the front of minute and hour */
};

/* ------------------------------------------------------------------------ */
/* Generator: field items                                                   */
/* ------------------------------------------------------------------------ */

struct fdesc {
    int lo, hi;       /* values that may be written */
    int star_hi;      /* where '*' and N/step end (day of week: 6) */
    const char *const *names;
};

static const char *const month_names[] = {"january", "february", "march", "april", "may",
                                          "june", "july", "august", "september",
                                          "october", "november", "december"};
static const char *const day_names[] = {"sunday", "monday", "tuesday", "wednesday",
                                        "thursday", "friday", "saturday"};

static const struct fdesc fdescs[NFIELDS] = {
    [F_SEC] = {0, 59, 59, NULL},        [F_MIN] = {0, 59, 59, NULL},
    [F_HOUR] = {0, 23, 23, NULL},       [F_DOM] = {1, 31, 31, NULL},
    [F_MON] = {1, 12, 12, month_names}, [F_DOW] = {0, 7, 6, day_names},
    [F_YEAR] = {YEAR_LO, YEAR_HI, YEAR_HI, NULL},
};

/* A name, three letters or full, in a random case (names are case-blind). */
static void put_name(struct text *t, const char *full)
{
    size_t n = rnd_pct(50) ? 3 : strlen(full);
    int style = rnd_int(0, 2);
    for (size_t i = 0; i < n; i++) {
        char c = full[i];
        if (style == 1 || (style == 2 && i == 0))
            c = (char)(c - 'a' + 'A');
        put(t, "%c", c);
    }
}

/* Value v of field f, as a number or (months, weekdays) a name. Day of week 7
 * has no name of its own: "sun" is 0, so 7 stays a number. */
static void put_value(struct text *t, enum field f, int v)
{
    const struct fdesc *d = &fdescs[f];
    if (d->names != NULL && rnd_pct(40) && !(f == F_DOW && v == 7))
        put_name(t, d->names[v - d->lo]);
    else
        put(t, "%d", v);
}

/* A range end of Sunday after a weekday: 7, or 0 / sun, which the grammar
 * reads as 7 there (cronspec.h: "Wed-Sun, 3-0 ends at 7"). */
static void put_range_end(struct text *t, enum field f, int lo, int hi)
{
    if (f == F_DOW && hi == 7 && lo > 0 && rnd_pct(50)) {
        if (rnd_pct(50))
            put(t, "0");
        else
            put_name(t, day_names[0]);
        return;
    }
    put_value(t, f, hi);
}

/* A value of f: the hint (when given) half of the time, else anywhere. Years
 * stay near the hint so that the schedule can fire within the window. */
static int pick_value(enum field f, int hint)
{
    const struct fdesc *d = &fdescs[f];
    int v;
    if (f == F_YEAR)
        v = rnd_pct(70) ? hint : hint + rnd_int(-3, 3);
    else
        v = rnd_pct(50) ? hint : rnd_int(d->lo, d->hi);
    return v < d->lo ? d->lo : v > d->hi ? d->hi : v;
}

/* Steps are mostly small (frequent fires); now and then up to the span. */
static int pick_step(enum field f)
{
    int span = fdescs[f].hi - fdescs[f].lo + 1;
    if (rnd_pct(80))
        return rnd_int(1, span < 12 ? span : 12);
    return rnd_int(1, span);
}

enum form { FORM_STAR, FORM_NUM, FORM_RANGE, FORM_STAR_STEP, FORM_RANGE_STEP, FORM_NUM_STEP };

static void gen_range(struct text *t, struct meaning *m, enum field f, int hint, int step)
{
    const struct fdesc *d = &fdescs[f];
    int a = pick_value(f, hint);
    int b = a + rnd_int(0, f == F_YEAR ? 5 : d->hi - a);
    b = b > d->hi ? d->hi : b;
    if (rnd_pct(50) && f != F_YEAR) /* also ranges that end at the hint */
        a = rnd_int(d->lo, a);
    put_value(t, f, a);
    put(t, "-");
    put_range_end(t, f, a, b);
    if (step > 0)
        put(t, "/%d", step);
    mark_range(m, f, a, b, step > 0 ? step : 1);
}

/* One plain item (no L/W/#) of field f in the given form. */
static void gen_plain_item(struct text *t, struct meaning *m, enum field f, enum form form,
                           int hint)
{
    const struct fdesc *d = &fdescs[f];
    int v, step;
    switch (form) {
    case FORM_STAR:
        put(t, "*");
        mark_range(m, f, d->lo, d->star_hi, 1);
        break;
    case FORM_STAR_STEP:
        step = pick_step(f);
        put(t, "*/%d", step);
        mark_range(m, f, d->lo, d->star_hi, step);
        break;
    case FORM_NUM:
        v = pick_value(f, hint);
        put_value(t, f, v);
        mark(m, f, v);
        break;
    case FORM_RANGE:
        gen_range(t, m, f, hint, 0);
        break;
    case FORM_RANGE_STEP:
        gen_range(t, m, f, hint, pick_step(f));
        break;
    case FORM_NUM_STEP:
        v = pick_value(f, hint);
        v = v > d->star_hi ? d->star_hi : v; /* "7/2" is not a documented form */
        step = pick_step(f);
        put_value(t, f, v);
        put(t, "/%d", step);
        mark_range(m, f, v, d->star_hi, step); /* N/step: N to the field's end */
        break;
    }
}

/* Day-of-month specials: L, LW, NW (any letter case). The day of NW is
 * often near the target's, or 1 / the month's end, where "the nearest
 * weekday stays in the month" matters. */
static void gen_dom_special(struct text *t, struct meaning *m, int hint)
{
    int kind = rnd_int(0, 3);
    if (kind == 0) {
        put(t, "%s", rnd_pct(80) ? "L" : "l");
        m->dom_last = true;
    } else if (kind == 1) {
        put(t, "%s", rnd_pct(80) ? "LW" : "lw");
        m->dom_lastwd = true;
    } else {
        static const int edges[] = {1, 2, 28, 29, 30, 31};
        int n = rnd_pct(50) ? hint + rnd_int(-2, 2) : edges[rnd_int(0, 5)];
        n = rnd_pct(20) ? rnd_int(1, 31) : n;
        n = n < 1 ? 1 : n > 31 ? 31 : n;
        put(t, "%d%s", n, rnd_pct(80) ? "W" : "w");
        m->dom_near[n] = true;
    }
}

/* Day-of-week specials: 5L / FRIL (last), FRI#3 (n-th), often the target's. */
static void gen_dow_special(struct text *t, struct meaning *m, const struct target *tg)
{
    int d = rnd_pct(60) ? tg->v[F_DOW] : rnd_int(0, 7);
    put_value(t, F_DOW, d);
    if (rnd_pct(50)) {
        put(t, "%s", rnd_pct(80) ? "L" : "l");
        m->dow_last[d % 7] = true;
    } else {
        int n = rnd_pct(50) ? (tg->v[F_DOM] - 1) / 7 + 1 : rnd_int(1, 5);
        put(t, "#%d", n);
        m->dow_nth[d % 7][n] = true;
    }
}

/* ------------------------------------------------------------------------ */
/* Generator: fields and schedules                                          */
/* ------------------------------------------------------------------------ */

static enum form pick_form(bool first)
{
    static const enum form first_forms[] = {
        FORM_STAR, FORM_STAR, FORM_STAR, FORM_STAR_STEP, FORM_STAR_STEP, FORM_NUM,
        FORM_NUM, FORM_RANGE, FORM_RANGE, FORM_RANGE_STEP, FORM_NUM_STEP,
    };
    static const enum form later_forms[] = {
        FORM_NUM, FORM_NUM, FORM_NUM, FORM_RANGE, FORM_RANGE_STEP, FORM_NUM_STEP,
        FORM_STAR_STEP,
    };
    if (first)
        return first_forms[rnd_int(0, (int)(sizeof first_forms / sizeof first_forms[0]) - 1)];
    if (rnd_pct(3))
        return FORM_STAR; /* '*' later in a list: everything, yet not "starts with '*'" */
    return later_forms[rnd_int(0, (int)(sizeof later_forms / sizeof later_forms[0]) - 1)];
}

static void gen_item(struct text *t, struct meaning *m, enum field f, bool first,
                     const struct target *tg)
{
    int hint = tg->v[f];
    enum form form = pick_form(first);
    if (first && tg->fixed_bias && (f == F_MIN || f == F_HOUR))
        form = (enum form)rnd_int(FORM_NUM, FORM_RANGE); /* a fixed-time job */
    if (f == F_DOM && rnd_pct(15))
        gen_dom_special(t, m, hint);
    else if (f == F_DOW && rnd_pct(15))
        gen_dow_special(t, m, tg);
    else
        gen_plain_item(t, m, f, form, hint);
}

/* How often each field is made to contain the target's value, so that most
 * schedules fire within the window. */
static const int hint_pct[NFIELDS] = {50, 55, 55, 40, 75, 40, 90};

static void gen_field(struct text *t, struct meaning *m, enum field f, const struct target *tg)
{
    int hint = tg->v[f];
    size_t start = t->len;
    if ((f == F_DOM || f == F_DOW) && rnd_pct(7)) {
        put(t, "?");
        mark_range(m, f, fdescs[f].lo, fdescs[f].star_hi, 1);
    } else {
        int items = rnd_pct(70) ? 1 : rnd_int(2, 4);
        for (int i = 0; i < items; i++) {
            if (i > 0)
                put(t, ",");
            gen_item(t, m, f, i == 0, tg);
        }
        int pct = tg->fixed_bias ? 90 : hint_pct[f]; /* DST cases: hit the gap */
        if (rnd_pct(pct) && !marked(m, f, hint)) {
            put(t, ",");
            put_value(t, f, hint);
            mark(m, f, hint);
        }
    }
    m->star[f] = t->s[start] == '*' || t->s[start] == '?';
}

static void target_from_wall(int64_t wall, struct target *tg)
{
    time_t tt = (time_t)wall;
    struct tm tm;
    gmtime_r(&tt, &tm);
    tg->v[F_SEC] = tm.tm_sec;
    tg->v[F_MIN] = tm.tm_min;
    tg->v[F_HOUR] = tm.tm_hour;
    tg->v[F_DOM] = tm.tm_mday;
    tg->v[F_MON] = tm.tm_mon + 1;
    tg->v[F_DOW] = tm.tm_wday;
    tg->v[F_YEAR] = tm.tm_year + 1900;
}

/* A macro and its documented meaning (DESIGN.md section 2). */
static void gen_macro(struct schedule *s)
{
    static const char *const names[] = {"@hourly", "@daily", "@midnight", "@weekly",
                                        "@monthly", "@yearly", "@annually"};
    int k = rnd_int(0, 6);
    struct meaning *m = &s->m;
    snprintf(s->text, sizeof s->text, "%s", names[k]);
    mark(m, F_SEC, 0);
    mark(m, F_MIN, 0);
    mark_range(m, F_HOUR, 0, k == 0 ? 23 : 0, 1);
    m->star[F_HOUR] = k == 0; /* @hourly = "0 * * * *": not fixed-time */
    mark_range(m, F_DOM, 1, k >= 4 ? 1 : 31, 1);
    m->star[F_DOM] = k < 4;
    mark_range(m, F_MON, 1, k >= 5 ? 1 : 12, 1);
    mark_range(m, F_DOW, 0, k == 3 ? 0 : 6, 1);
    m->star[F_DOW] = k != 3;
    mark_range(m, F_YEAR, YEAR_LO, YEAR_HI, 1);
}

static void gen_schedule(struct schedule *s, const struct target *tg)
{
    memset(s, 0, sizeof *s);
    if (rnd_pct(5)) {
        gen_macro(s);
    } else {
        struct text t = {s->text, 0, sizeof s->text};
        int nfields = rnd_int(5, 7);
        enum field first = nfields == 7 ? F_SEC : F_MIN;
        enum field last = nfields >= 6 ? F_YEAR : F_DOW;
        for (enum field f = first; f <= last; f++) {
            if (f != first)
                put(&t, " ");
            gen_field(&t, &s->m, f, tg);
        }
        if (nfields < 7)
            mark(&s->m, F_SEC, 0); /* no seconds field: second 0 */
        if (nfields < 6)
            mark_range(&s->m, F_YEAR, YEAR_LO, YEAR_HI, 1);
    }
    s->fixed = !s->m.star[F_MIN] && !s->m.star[F_HOUR];
}

/* ------------------------------------------------------------------------ */
/* Reference: literal matching of one wall time                             */
/* ------------------------------------------------------------------------ */

/* Weekday of day d of the month, knowing that day `mday` is a `wday`. */
static int weekday_of(int d, int mday, int wday)
{
    return ((wday + d - mday) % 7 + 7) % 7;
}

static bool is_workday(int wd)
{
    return wd >= 1 && wd <= 5;
}

/* The Mon-Fri day nearest to day n, never leaving the month (n exists). */
static int nearest_workday(int n, int mdays, int mday, int wday)
{
    for (int dist = 0;; dist++) {
        if (n - dist >= 1 && is_workday(weekday_of(n - dist, mday, wday)))
            return n - dist;
        if (n + dist <= mdays && is_workday(weekday_of(n + dist, mday, wday)))
            return n + dist;
    }
}

static bool dom_matches(const struct meaning *m, int mday, int mdays, int wday)
{
    if (m->set[F_DOM][mday] || (m->dom_last && mday == mdays))
        return true;
    if (m->dom_lastwd) {
        int d = mdays;
        while (!is_workday(weekday_of(d, mday, wday)))
            d--;
        if (d == mday)
            return true;
    }
    for (int n = 1; n <= mdays; n++) { /* a day the month lacks has no nearest weekday */
        if (m->dom_near[n] && nearest_workday(n, mdays, mday, wday) == mday)
            return true;
    }
    return false;
}

static bool dow_matches(const struct meaning *m, int mday, int mdays, int wday)
{
    if (m->set[F_DOW][wday])
        return true;
    if (m->dow_last[wday] && mday + 7 > mdays) /* no later same weekday */
        return true;
    return m->dow_nth[wday][(mday - 1) / 7 + 1];
}

/* Vixie cron: both day fields restricted -> either matches; else both. */
static bool day_matches(const struct meaning *m, int year, int mon, int mday, int wday)
{
    int mdays = days_in_month(year, mon);
    bool dom = dom_matches(m, mday, mdays, wday);
    bool dow = dow_matches(m, mday, mdays, wday);
    if (m->star[F_DOM] || m->star[F_DOW])
        return dom && dow;
    return dom || dow;
}

/* Does the wall minute starting at wall second `wall` match (seconds aside)? */
static bool minute_matches(const struct meaning *m, int64_t wall)
{
    time_t tt = (time_t)wall;
    struct tm tm;
    gmtime_r(&tt, &tm); /* wall seconds -> fields, by glibc */
    int year = tm.tm_year + 1900;
    if (year < YEAR_LO || year > YEAR_HI || !m->set[F_YEAR][year - YEAR_LO])
        return false;
    if (!m->set[F_MON][tm.tm_mon + 1] || !m->set[F_HOUR][tm.tm_hour])
        return false;
    if (!m->set[F_MIN][tm.tm_min])
        return false;
    return day_matches(m, year, tm.tm_mon + 1, tm.tm_mday, tm.tm_wday);
}

/* ------------------------------------------------------------------------ */
/* Reference: the walk and cronie's DST rules                               */
/* ------------------------------------------------------------------------ */

struct ref_result {
    int64_t fires[CONSECUTIVE_RUNS]; /* fire times after the start, in order */
    int n;                           /* how many were found (<= wanted) */
    int64_t covered;                 /* every instant before this was examined */
    int gap_fires, second_pass_skips; /* what the DST rules did (statistics) */
};

static void ref_emit(struct ref_result *r, int64_t t, int64_t start, int want)
{
    if (t <= start || r->n >= want || (r->n > 0 && r->fires[r->n - 1] == t))
        return;
    r->fires[r->n++] = t;
}

/* Did a gap skip a matching wall time? Walls [from, to] never happened. */
static bool skipped_match(const struct meaning *m, int64_t from, int64_t to)
{
    for (int64_t w = from; w <= to; w += 60) {
        if (minute_matches(m, w))
            return true; /* every seconds set is non-empty */
    }
    return false;
}

/* One minute instant t whose wall time is `wall`; `seen` is the latest wall
 * second seen so far, so wall <= seen means a repeated (fall-back) minute. */
static void ref_minute(const struct schedule *s, int64_t t, int64_t wall, int64_t prev_wall,
                       int64_t seen, int64_t start, int want, struct ref_result *r)
{
    bool gap = wall > prev_wall + 60;
    if (s->fixed && gap && skipped_match(&s->m, prev_wall + 60, wall - 1)) {
        ref_emit(r, t, start, want); /* once, at the first instant after the gap */
        if (t > start)
            r->gap_fires++;
    }
    if (!minute_matches(&s->m, wall))
        return;
    for (int sec = 0; sec < 60; sec++) {
        if (!s->m.set[F_SEC][sec])
            continue;
        if (s->fixed && wall + sec <= seen) { /* fixed-time: first pass only */
            if (t + sec > start)
                r->second_pass_skips++;
            continue;
        }
        ref_emit(r, t + sec, start, want);
    }
}

/* Walks from LOOKBACK before start to WINDOW after it (or `want` fires). All
 * zones here change offset on whole minutes, so minutes are enough. */
static void ref_next(const struct schedule *s, int64_t start, int want, struct ref_result *r)
{
    memset(r, 0, sizeof *r);
    int64_t t = (start - LOOKBACK) / 60 * 60;
    int64_t end = start + WINDOW;
    int64_t prev_wall = t + glibc_offset(t) - 60;
    int64_t seen = prev_wall + 59;
    for (; t <= end && r->n < want; t += 60) {
        int64_t wall = t + glibc_offset(t);
        ref_minute(s, t, wall, prev_wall, seen, start, want, r);
        prev_wall = wall;
        seen = wall + 59 > seen ? wall + 59 : seen;
    }
    r->covered = t;
}

/* ------------------------------------------------------------------------ */
/* Start instants                                                           */
/* ------------------------------------------------------------------------ */

/* Instant near a wall date (the offset is taken at the date's UTC midnight:
 * near is enough here), plus up to `jitter` seconds either way. */
static int64_t near_date(int year, int mon, int day, int jitter)
{
    int64_t t = utc_of_date(year, mon, day) + rnd_int(0, DAY - 1);
    t -= glibc_offset(t);
    return t + rnd_int(-jitter, jitter);
}

/* A start instant and, when it was picked near one, a DST transition. */
struct start {
    int64_t t;
    int64_t trans; /* 0: none */
};

/* Mostly before tr, so that the transition's own fire times are next. */
static int64_t near_transition(int64_t tr)
{
    switch (rnd_int(0, 4)) {
    case 0: return tr + rnd_int(-2, 1);                 /* the very instant */
    case 1: return tr + 60 * rnd_int(-150, 150);        /* whole minutes */
    case 2: return tr + rnd_int(-3 * 3600, 3 * 3600);   /* anywhere around */
    default: return tr - rnd_int(1, 3 * 3600);          /* shortly before */
    }
}

static int pick_year(void)
{
    return rnd_pct(60) ? rnd_int(1995, 2045) : rnd_int(1971, 2097);
}

/* Starts biased towards month ends, Dec 31, leap days and DST changes. */
static struct start pick_start(const struct zone_case *zc)
{
    struct start st = {0, 0};
    int64_t t;
    int kind = rnd_int(0, 9);
    int y = pick_year();
    if (kind <= 3 && zc->ntrans > 0) {
        st.trans = zc->trans[rnd_int(0, zc->ntrans - 1)];
        t = near_transition(st.trans);
    } else if (kind <= 4) {
        int mon = rnd_int(1, 12);
        int day = rnd_pct(70) ? days_in_month(y, mon) : rnd_int(1, 3);
        t = near_date(y, mon, day, DAY);
    } else if (kind == 5) {
        t = near_date(y, 12, 31, DAY);
    } else if (kind == 6) {
        y = 4 * rnd_int(493, 524); /* leap years 1972-2096 */
        t = near_date(y, 2, rnd_int(28, 29), DAY);
    } else {
        t = utc_of_date(y, 1, 1) + (int64_t)(rnd() % (uint64_t)(366 * DAY));
    }
    if (rnd_pct(60))
        t = t / 60 * 60 - (rnd_pct(25) ? 1 : 0); /* on, or just before, a minute */
    st.t = t;
    return st;
}

/* A wall time the transition at tr skipped or repeated, or one close by. */
static int64_t wall_near_transition(int64_t tr)
{
    int32_t before = glibc_offset(tr - 1), after = glibc_offset(tr);
    int32_t lo = before < after ? before : after;
    int width = before < after ? after - before : before - after;
    int64_t wall = tr + lo + rnd_int(0, width - 1);
    return rnd_pct(75) ? wall : wall + rnd_int(-2 * 3600, 2 * 3600);
}

/* The wall time the schedule is steered towards: in or around the gap or
 * repeated hour of a nearby transition, or soon after the start (sometimes
 * read with a neighbouring offset). */
static void pick_target(const struct start *st, struct target *tg)
{
    if (st->trans != 0 && rnd_pct(60)) {
        target_from_wall(wall_near_transition(st->trans), tg);
        tg->fixed_bias = rnd_pct(70);
        return;
    }
    int64_t start = st->t;
    int64_t ahead;
    int r = rnd_int(0, 9);
    if (r < 4)
        ahead = rnd_int(0, 6 * 3600);
    else if (r < 7)
        ahead = rnd_int(0, 2 * DAY);
    else
        ahead = rnd_int(0, WINDOW);
    int64_t t = start + ahead;
    int64_t probe = rnd_pct(30) ? t + rnd_int(-2 * 3600, 2 * 3600) : t;
    target_from_wall(t + glibc_offset(probe), tg);
    tg->fixed_bias = false;
}

/* ------------------------------------------------------------------------ */
/* Comparison                                                               */
/* ------------------------------------------------------------------------ */

struct run_stats {
    int cases, with_fire, fixed, gap_fires, second_pass_skips, failures;
};

static void show_failure(struct run_stats *st, const struct schedule *s, const char *zone,
                         int64_t start, const char *expected, int64_t actual,
                         enum calendar_status status)
{
    st->failures++;
    if (st->failures > MAX_FAILURES_SHOWN)
        return;
    char from[64], got[64];
    iso_local(start, from, sizeof from);
    if (status == CALENDAR_OK)
        iso_local(actual, got, sizeof got);
    else
        snprintf(got, sizeof got, "status %d (no time)", (int)status);
    printf("property error: expr '%s' zone %s start %s (%" PRId64 "): expected %s, "
           "calendar_next gave %s\n  reproduce: crond-lite --next '%s' --tz %s --from %s\n",
           s->text, zone, from, start, expected, got, s->text, zone, from);
}

/* One calendar_next call against the reference's i-th fire time. Returns
 * false on a mismatch (reported). */
static bool check_one(struct run_stats *st, const struct schedule *s, const struct cronspec *cs,
                      const struct zone_case *zc, int64_t after, const struct ref_result *r,
                      int i)
{
    int64_t got = 0;
    enum calendar_status status = calendar_next(cs, zc->z, after, &got);
    char expected[96];
    if (i < r->n) {
        if (status == CALENDAR_OK && got == r->fires[i])
            return true;
        iso_local(r->fires[i], expected, sizeof expected);
    } else {
        if (status == CALENDAR_NEVER || (status == CALENDAR_OK && got >= r->covered))
            return true;
        char end[64];
        iso_local(r->covered, end, sizeof end);
        snprintf(expected, sizeof expected, "nothing before %s", end);
    }
    show_failure(st, s, zc->name, after, expected, got, status);
    return false;
}

/* Generates and checks one case: `want` consecutive fire times. */
static void run_case(struct run_stats *st, const struct zone_case *zc, int want)
{
    struct schedule s;
    struct target tg;
    struct start sp = pick_start(zc);
    int64_t start = sp.t;
    pick_target(&sp, &tg);
    gen_schedule(&s, &tg);
    struct cronspec cs;
    struct cronspec_error err;
    st->cases++;
    if (cronspec_parse(s.text, NULL, &cs, &err) != 0) {
        st->failures++;
        printf("property error: valid expr '%s' rejected at column %d: %s\n", s.text, err.col,
               err.msg);
        return;
    }
    struct ref_result r;
    ref_next(&s, start, want, &r);
    st->with_fire += r.n > 0;
    st->fixed += s.fixed;
    st->gap_fires += r.gap_fires;
    st->second_pass_skips += r.second_pass_skips;
    int64_t after = start;
    for (int i = 0; i <= r.n && i < want; i++) {
        if (!check_one(st, &s, &cs, zc, after, &r, i))
            return;
        after = i < r.n ? r.fires[i] : after;
    }
}

/* Prints what was checked, then fails the test on any disagreement. */
static void report_stats(const char *what, const struct run_stats *st)
{
    printf("calendar property %s: %d cases, %d fire within %d days, %d fixed-time, "
           "%d gap fires, %d second-pass skips, %d failures\n", what, st->cases,
           st->with_fire, WINDOW / DAY, st->fixed, st->gap_fires, st->second_pass_skips,
           st->failures);
    fflush(stdout); /* cmocka reports on stderr: keep the order in logs */
    if (st->failures > 0)
        fail_msg("%s: %d of %d cases disagree with the reference (the 'property error' "
                 "lines tell how; seed %" PRIu64 ")", what, st->failures, st->cases, g_seed);
}

/* ------------------------------------------------------------------------ */
/* Tests                                                                    */
/* ------------------------------------------------------------------------ */

static void run_zone(int zi)
{
    struct zone_case *zc = &zones[zi];
    struct run_stats st = {0};
    zone_setup(zc);
    rnd_start_stream(zi);
    for (int i = 0; i < g_cases; i++)
        run_case(&st, zc, 1);
    zone_free(zc->z);
    zc->z = NULL;
    report_stats(zc->name, &st);
}

static void test_utc(void **state) { (void)state; run_zone(0); }
static void test_new_york(void **state) { (void)state; run_zone(1); }
static void test_berlin(void **state) { (void)state; run_zone(2); }
static void test_lord_howe(void **state) { (void)state; run_zone(3); }
static void test_kolkata(void **state) { (void)state; run_zone(4); }

/* Each fire time fed back as the next start, in every zone in turn. */
static void test_consecutive(void **state)
{
    (void)state;
    struct run_stats st = {0};
    rnd_start_stream(NZONES);
    int per_zone = g_cases / 4 > 0 ? g_cases / 4 : 1;
    for (int zi = 0; zi < NZONES; zi++) {
        zone_setup(&zones[zi]);
        for (int i = 0; i < per_zone; i++)
            run_case(&st, &zones[zi], CONSECUTIVE_RUNS);
        zone_free(zones[zi].z);
        zones[zi].z = NULL;
    }
    report_stats("consecutive", &st);
}

int main(void)
{
    read_settings();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_utc),
        cmocka_unit_test(test_new_york),
        cmocka_unit_test(test_berlin),
        cmocka_unit_test(test_lord_howe),
        cmocka_unit_test(test_kolkata),
        cmocka_unit_test(test_consecutive),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
