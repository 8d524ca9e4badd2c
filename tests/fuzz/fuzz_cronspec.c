/* fuzz_cronspec: one schedule expression (cronspec_parse, cronspec_parse_prefix)
 * and the next fire times of what parses (calendar_next). See README.md.
 *
 * Input: the schedule text itself (no NUL; at most FUZZ_CRONSPEC_MAX bytes,
 * longer inputs are skipped so every run stays fast).
 *
 * Properties:
 * - parse failure: the error column is within the text (1..len+1), the
 *   message is non-empty;
 * - parse success: the bitsets hold only values of their field (minute 0-59,
 *   day of week 0-6, ...), every field has at least one value, the flags
 *   agree with the kind (@every: whole seconds, 1s to 3650d);
 * - calendar_next from fixed instants, in UTC and in Europe/Berlin: the
 *   result is strictly after the start, asking from one second before the
 *   result gives the result again, asking from the result gives a strictly
 *   later time (three times) or "never"; "never" from one start means never
 *   from every later start; two starts before the same result agree on it;
 * - in UTC an independent day/hour/minute walk finds the same first match
 *   as calendar_next within its window, and every result matches the
 *   schedule's fields;
 * - in Berlin a result matches the schedule at its wall time, or it is a
 *   fixed-time job firing at the first instant after a spring-forward gap;
 *   a fixed-time job never fires in the second pass of a repeated hour;
 * - @every: calendar_next_every gives origin + k * every (k >= 1), strictly
 *   after the given instant, and the first such;
 * - cronspec_parse_prefix: *out_rest is inside the text, points at a
 *   non-blank character after a blank, and the text before it parses on its
 *   own (cronspec_parse, with the same seed) to the same schedule;
 * - warnings (both functions): at most CRONSPEC_WARNINGS_MAX, each with a
 *   column inside the text and a message.
 */
#include <stdbool.h>

#include "crond/calendar.h"
#include "crond/civil.h"
#include "crond/cronspec.h"
#include "crond/zone.h"
#include "fuzz.h"

#define FUZZ_CRONSPEC_MAX 256
#define BRUTE_STEPS 3000 /* steps of the independent walk in UTC */
#define REPEATS 3        /* next-from-the-result checks per start */

/* Start instants (UTC seconds), ascending: far past, the epoch, a leap day,
 * just before and inside Berlin's 2024 spring-forward gap, both passes of
 * its 2024 repeated hour, now-ish, the last second of CRONSPEC_YEAR_MAX, and
 * past it. */
static const int64_t starts[] = {
    -2208988800, /* 1900-01-01T00:00:00Z */
    0,           /* 1970-01-01T00:00:00Z */
    951782399,   /* 2000-02-28T23:59:59Z */
    1711845000,  /* 2024-03-31T00:30:00Z = 01:30 CET, before the gap */
    1711846799,  /* 2024-03-31T00:59:59Z = 01:59:59 CET, last second before it */
    1729989000,  /* 2024-10-27T00:30:00Z = 02:30 CEST, first pass */
    1729992600,  /* 2024-10-27T01:30:00Z = 02:30 CET, second pass */
    1768039810,  /* 2026-01-10T10:10:10Z */
    4102444799,  /* 2099-12-31T23:59:59Z */
    5694580800,  /* 2150-06-15T12:00:00Z */
};
#define NSTARTS (sizeof starts / sizeof starts[0])

static const struct zone *zone_utc, *zone_dst;

/* Loaded once and kept (reachable from these statics, so no leak report). */
static void zones_init(void)
{
    if (zone_utc != NULL)
        return;
    struct zone *z;
    char err[256];
    CHECK(zone_new_utc(&z) == 0);
    zone_utc = z;
    if (zone_load("Europe/Berlin", NULL, &z, err, sizeof err) != 0) {
        /* no tzdata here: the same rules as a POSIX TZ string */
        CHECKF(zone_parse_posix("CET-1CEST,M3.5.0,M10.5.0/3", &z, err, sizeof err) == 0, "%s",
               err);
    }
    zone_dst = z;
}

static bool spec_equal(const struct cronspec *a, const struct cronspec *b)
{
    return a->kind == b->kind && a->flags == b->flags && a->sec == b->sec && a->min == b->min
        && a->hour == b->hour && a->dom == b->dom && a->dom_near == b->dom_near
        && a->mon == b->mon && a->dow == b->dow && a->dow_last == b->dow_last
        && memcmp(a->dow_nth, b->dow_nth, sizeof a->dow_nth) == 0
        && memcmp(a->year, b->year, sizeof a->year) == 0 && a->every_ms == b->every_ms;
}

static void check_spec(const struct cronspec *s)
{
    if (s->kind == CRONSPEC_EVERY) {
        CHECKF(s->every_ms >= 1000 && s->every_ms <= CRONSPEC_EVERY_MAX_MS
                   && s->every_ms % 1000 == 0,
               "every_ms=%lld", (long long)s->every_ms);
        return;
    }
    if (s->kind == CRONSPEC_REBOOT)
        return;
    CHECK(s->kind == CRONSPEC_CALENDAR);
    CHECK(s->flags < (1u << 10));
    CHECK(s->delay_s == 0); /* only crontab sets a delay */
    CHECK(s->sec != 0 && s->sec >> 60 == 0);
    CHECK((s->flags & CRONSPEC_SECONDS) || s->sec == 1);
    CHECK(s->min != 0 && s->min >> 60 == 0);
    CHECK(s->hour != 0 && s->hour >> 24 == 0);
    CHECK((s->dom & 1) == 0 && (s->dom_near & 1) == 0);
    CHECK(s->dom != 0 || s->dom_near != 0
          || (s->flags & (CRONSPEC_DOM_LAST | CRONSPEC_DOM_LASTWD)));
    CHECK(s->mon != 0 && (s->mon & 1) == 0 && s->mon >> 13 == 0);
    CHECK(s->dow >> 7 == 0 && s->dow_last >> 7 == 0);
    bool any_dow = s->dow != 0 || s->dow_last != 0;
    for (int i = 0; i < 7; i++) {
        CHECK((s->dow_nth[i] & ~0x3eu) == 0); /* the 1st to the 5th */
        any_dow |= s->dow_nth[i] != 0;
    }
    CHECK(any_dow);
    CHECK(s->year[CRONSPEC_YEAR_WORDS - 1] >> (CRONSPEC_YEAR_MAX - CRONSPEC_YEAR_MIN + 1 - 128) == 0);
    if (!(s->flags & CRONSPEC_YEAR_ANY))
        CHECK(s->year[0] != 0 || s->year[1] != 0 || s->year[2] != 0);
    CHECK(s->every_ms == 0);
}

/* Does wall time w (civil seconds) match every field of s? */
static bool wall_matches(const struct cronspec *s, int64_t w)
{
    struct civil c;
    civil_from_secs(w, &c);
    return cronspec_year_matches(s, c.year) && ((s->mon >> c.mon) & 1)
        && cronspec_day_matches(s, c.year, c.mon, c.day) && ((s->hour >> c.hour) & 1)
        && ((s->min >> c.min) & 1) && ((s->sec >> c.sec) & 1);
}

/* The first match strictly after `after` in UTC, found by walking days,
 * hours, minutes and seconds (not the calendar's field jumps). Returns true
 * with *out, or false when none was found within BRUTE_STEPS steps; then
 * *out is the first instant not examined. */
static bool brute_next_utc(const struct cronspec *s, int64_t after, int64_t *out)
{
    int64_t t = after + 1;
    for (int i = 0; i < BRUTE_STEPS; i++) {
        struct civil c;
        civil_from_secs(t, &c);
        if (!cronspec_year_matches(s, c.year) || !((s->mon >> c.mon) & 1)
            || !cronspec_day_matches(s, c.year, c.mon, c.day))
            t = civil_floor_div(t, 86400) * 86400 + 86400;
        else if (!((s->hour >> c.hour) & 1))
            t = civil_floor_div(t, 3600) * 3600 + 3600;
        else if (!((s->min >> c.min) & 1))
            t = civil_floor_div(t, 60) * 60 + 60;
        else if (!((s->sec >> c.sec) & 1))
            t++;
        else {
            *out = t;
            return true;
        }
    }
    *out = t;
    return false;
}

/* The rules of calendar.h for a result r in zone z. */
static void check_fire_time(const struct cronspec *s, const struct zone *z, int64_t r)
{
    struct zone_span sp;
    zone_span_at(z, r, &sp);
    CHECK(sp.start <= r && r < sp.end);
    bool fixed = cronspec_is_fixed_time(s);
    if (!wall_matches(s, r + sp.offset)) {
        /* only a fixed-time job, at the first instant after a gap */
        CHECKF(fixed && sp.start == r && sp.offset > sp.prev_offset,
               "%s: %lld does not match (offset %d)", zone_name(z), (long long)r, sp.offset);
    }
    if (fixed && sp.offset < sp.prev_offset) {
        /* not at a wall time already lived through before the jump back */
        CHECKF(r + sp.offset >= sp.start + sp.prev_offset,
               "%s: fixed-time job fires at %lld, in the second pass", zone_name(z), (long long)r);
    }
}

static void check_calendar(const struct cronspec *s, const struct zone *z, bool utc)
{
    enum calendar_status st[NSTARTS];
    int64_t res[NSTARTS];
    for (size_t i = 0; i < NSTARTS; i++) {
        int64_t r = 0;
        st[i] = calendar_next(s, z, starts[i], &r);
        res[i] = r;
        if (s->kind != CRONSPEC_CALENDAR) {
            CHECK(st[i] == CALENDAR_NOT_CALENDAR);
            continue;
        }
        CHECKF(st[i] == CALENDAR_OK || st[i] == CALENDAR_NEVER, "status %d", (int)st[i]);
        if (utc) {
            int64_t b;
            bool found = brute_next_utc(s, starts[i], &b);
            if (found)
                CHECKF(st[i] == CALENDAR_OK && r == b, "from %lld: walk %lld, calendar %d %lld",
                       (long long)starts[i], (long long)b, (int)st[i], (long long)r);
            else
                CHECKF(st[i] == CALENDAR_NEVER || r >= b, "from %lld: calendar %lld < %lld",
                       (long long)starts[i], (long long)r, (long long)b);
        }
        if (i > 0 && st[i - 1] == CALENDAR_NEVER)
            CHECKF(st[i] == CALENDAR_NEVER, "%s: never from %lld but %lld from %lld",
                   zone_name(z), (long long)starts[i - 1], (long long)r, (long long)starts[i]);
        if (st[i] == CALENDAR_NEVER)
            continue;
        CHECKF(r > starts[i], "%s: %lld from %lld", zone_name(z), (long long)r,
               (long long)starts[i]);
        check_fire_time(s, z, r);
        /* an earlier start whose answer lies after this start agrees */
        for (size_t j = 0; j < i; j++)
            if (st[j] == CALENDAR_OK && res[j] > starts[i])
                CHECKF(res[j] == r, "%s: %lld from %lld but %lld from %lld", zone_name(z),
                       (long long)res[j], (long long)starts[j], (long long)r,
                       (long long)starts[i]);
        int64_t again;
        CHECK(calendar_next(s, z, r - 1, &again) == CALENDAR_OK);
        CHECKF(again == r, "%s: %lld from %lld but %lld from %lld", zone_name(z), (long long)r,
               (long long)starts[i], (long long)again, (long long)(r - 1));
        int64_t prev = r;
        for (int k = 0; k < REPEATS; k++) {
            int64_t next;
            enum calendar_status s2 = calendar_next(s, z, prev, &next);
            if (s2 == CALENDAR_NEVER)
                break;
            CHECK(s2 == CALENDAR_OK);
            CHECKF(next > prev, "%s: %lld after %lld", zone_name(z), (long long)next,
                   (long long)prev);
            check_fire_time(s, z, next);
            prev = next;
        }
    }
}

/* @every: calendar_next_every gives the first origin + k * every (k >= 1)
 * strictly after `after`. */
static void check_every(const struct cronspec *s)
{
    int64_t every = s->every_ms;
    const int64_t deltas[] = {-86400000, -1,        0,           1,           999,
                              86400000,  every - 1, every,       3 * every + 1,
                              12345678901};
    for (size_t i = 0; i < NSTARTS; i++) {
        int64_t origin = starts[i] * 1000;
        for (size_t j = 0; j < sizeof deltas / sizeof deltas[0]; j++) {
            int64_t after = origin + deltas[j];
            int64_t next = calendar_next_every(every, origin, after);
            CHECKF(next > after && next > origin && (next - origin) % every == 0
                       && (next - every == origin || next - every <= after),
                   "every %lld from origin %lld after %lld: %lld", (long long)every,
                   (long long)origin, (long long)after, (long long)next);
        }
    }
}

static void check_warnings(const struct cronspec_warnings *w, size_t len)
{
    CHECK(w->n <= CRONSPEC_WARNINGS_MAX);
    for (size_t i = 0; i < w->n; i++) {
        CHECKF(w->items[i].col >= 1 && (size_t)w->items[i].col <= len, "warning column %d",
               w->items[i].col);
        CHECK(memchr(w->items[i].msg, '\0', sizeof w->items[i].msg) != NULL
              && w->items[i].msg[0] != '\0');
    }
}

static void check_prefix(const char *text, size_t len)
{
    struct cronspec spec, whole;
    struct cronspec_error err = {0, ""};
    size_t rest = (size_t)-1;
    struct cronspec_warnings warns;
    struct cronspec_opts co = {cronspec_seed(text, len), &warns};
    if (cronspec_parse_prefix(text, &co, &spec, &rest, &err) != 0) {
        CHECKF(err.col >= 1 && (size_t)err.col <= len + 1, "prefix error column %d", err.col);
        CHECK(memchr(err.msg, '\0', sizeof err.msg) != NULL && err.msg[0] != '\0');
        return;
    }
    CHECKF(rest > 0 && rest < len, "rest %zu of %zu", rest, len);
    CHECK(text[rest] != ' ' && text[rest] != '\t');
    CHECK(text[rest - 1] == ' ' || text[rest - 1] == '\t');
    check_spec(&spec);
    check_warnings(&warns, len);
    char *prefix = malloc(rest + 1);
    CHECK(prefix != NULL);
    memcpy(prefix, text, rest);
    prefix[rest] = '\0';
    /* the same seed: '~' values are the line's, whatever part is parsed */
    CHECKF(cronspec_parse(prefix, &co, &whole, &err) == 0, "prefix '%s': %s", prefix, err.msg);
    CHECKF(spec_equal(&spec, &whole), "prefix '%s' parses differently alone", prefix);
    free(prefix);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > FUZZ_CRONSPEC_MAX)
        return 0;
    char *text = fuzz_cstring(data, size);
    if (text == NULL)
        return 0;
    zones_init();
    struct cronspec spec;
    struct cronspec_error err = {0, ""};
    struct cronspec_warnings warns;
    struct cronspec_opts co = {(uint64_t)size * 0x9e3779b97f4a7c15u, &warns};
    if (cronspec_parse(text, &co, &spec, &err) == 0) {
        check_spec(&spec);
        check_warnings(&warns, size);
        check_calendar(&spec, zone_utc, true);
        check_calendar(&spec, zone_dst, false);
        if (spec.kind == CRONSPEC_EVERY)
            check_every(&spec);
    } else {
        CHECKF(err.col >= 1 && (size_t)err.col <= size + 1, "error column %d", err.col);
        CHECK(memchr(err.msg, '\0', sizeof err.msg) != NULL && err.msg[0] != '\0');
    }
    check_prefix(text, size);
    free(text);
    return 0;
}
