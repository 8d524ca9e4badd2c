/* Unit tests of zone: TZif reading, POSIX TZ strings, maximal spans, name
 * resolution and the cache. Facts come from the tz database; the sampled
 * cross-check compares with glibc's localtime_r (allowed in tests only). */
#include "testutil.h"

#include "crond/civil.h"
#include "crond/zone.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define HOUR 3600
#define NY_2024_DST 1710054000   /* 2024-03-10T07:00:00Z */
#define NY_2024_STD 1730613600   /* 2024-11-03T06:00:00Z */

static struct zone *load_ok(const char *name)
{
    char err[256] = "";
    struct zone *z = NULL;
    if (zone_load(name, NULL, &z, err, sizeof(err)) != 0)
        fail_msg("zone_load(%s): %s", name, err);
    assert_non_null(z);
    return z;
}

static struct zone *posix_ok(const char *tz)
{
    char err[256] = "";
    struct zone *z = NULL;
    if (zone_parse_posix(tz, &z, err, sizeof(err)) != 0)
        fail_msg("zone_parse_posix(%s): %s", tz, err);
    return z;
}

static int64_t utc(int64_t y, int mon, int d, int h, int mi, int s)
{
    struct civil c = {y, mon, d, h, mi, s};
    return civil_to_secs(&c);
}

/* Asserts the span at t and that offset_at agrees with it. */
static void check_span(const struct zone *z, int64_t t, int64_t start, int64_t end,
                       int32_t offset, int32_t prev)
{
    struct zone_span s;
    zone_span_at(z, t, &s);
    assert_int_equal(s.offset, offset);
    assert_int_equal(s.prev_offset, prev);
    assert_int_equal(s.start, start);
    assert_int_equal(s.end, end);
    assert_int_equal(zone_offset_at(z, t), offset);
}

/* ------------------------------------------------------ known facts */

static void test_new_york_2024(void **state)
{
    (void)state;
    struct zone *z = load_ok("America/New_York");
    assert_string_equal(zone_name(z), "America/New_York");
    assert_int_equal(zone_offset_at(z, NY_2024_DST - 1), -18000);
    check_span(z, NY_2024_DST, NY_2024_DST, NY_2024_STD, -14400, -18000);
    check_span(z, NY_2024_STD - 1, NY_2024_DST, NY_2024_STD, -14400, -18000);
    check_span(z, NY_2024_STD, NY_2024_STD, 1741503600, -18000, -14400);
    zone_free(z);
}

static void test_berlin(void **state)
{
    (void)state;
    struct zone *z = load_ok("Europe/Berlin");
    int64_t on = utc(2024, 3, 31, 1, 0, 0), off = utc(2024, 10, 27, 1, 0, 0);
    assert_int_equal(zone_offset_at(z, on - 1), 3600);
    check_span(z, on, on, off, 7200, 3600);
    check_span(z, off + 86400 * 30, off, utc(2025, 3, 30, 1, 0, 0), 3600, 7200);
    zone_free(z);
}

static void test_lord_howe_half_hour_dst(void **state)
{
    (void)state;
    struct zone *z = load_ok("Australia/Lord_Howe");
    int64_t std = utc(2024, 4, 6, 15, 0, 0), dst = utc(2024, 10, 5, 15, 30, 0);
    check_span(z, std, std, dst, 37800, 39600);
    check_span(z, dst, dst, utc(2025, 4, 5, 15, 0, 0), 39600, 37800);
    zone_free(z);
}

static void test_kolkata_no_dst(void **state)
{
    (void)state;
    struct zone *z = load_ok("Asia/Kolkata");
    struct zone_span s;
    zone_span_at(z, utc(2026, 1, 1, 0, 0, 0), &s);
    assert_int_equal(s.offset, 19800);
    assert_int_equal(s.end, INT64_MAX);
    assert_true(s.start < utc(1946, 1, 1, 0, 0, 0));
    assert_int_equal(zone_offset_at(z, utc(2450, 6, 1, 0, 0, 0)), 19800);
    zone_free(z);
}

static void test_sao_paulo_2018(void **state)
{
    (void)state;
    struct zone *z = load_ok("America/Sao_Paulo");
    int64_t end = utc(2018, 2, 18, 2, 0, 0); /* 00:00 -02 becomes 23:00 -03 */
    assert_int_equal(zone_offset_at(z, end - 1), -7200);
    struct zone_span s;
    zone_span_at(z, end, &s);
    assert_int_equal(s.start, end);
    assert_int_equal(s.offset, -10800);
    assert_int_equal(s.prev_offset, -7200);
    zone_span_at(z, utc(2030, 1, 1, 0, 0, 0), &s); /* no DST since 2019 */
    assert_int_equal(s.offset, -10800);
    assert_int_equal(s.end, INT64_MAX);
    zone_free(z);
}

static void test_far_future_follows_footer(void **state)
{
    (void)state;
    struct zone *z = load_ok("America/New_York");
    int64_t on = 10419778800, off = 10440338400; /* 2300-03-11T07Z, 2300-11-04T06Z */
    assert_int_equal(zone_offset_at(z, on - 1), -18000);
    check_span(z, on, on, off, -14400, -18000);
    assert_int_equal(zone_offset_at(z, off), -18000);
    assert_int_equal(zone_offset_at(z, utc(2500, 7, 1, 0, 0, 0)), -14400);
    assert_int_equal(zone_offset_at(z, utc(2500, 1, 1, 0, 0, 0)), -18000);
    zone_free(z);
}

/* ------------------------------------------------------ span invariants */

/* Walks every span from 1900 to 2500: contiguous, maximal, consistent. */
static void check_contiguous(const struct zone *z)
{
    struct zone_span s, n, back;
    int64_t stop = utc(2500, 1, 1, 0, 0, 0);
    zone_span_at(z, utc(1900, 1, 1, 0, 0, 0), &s);
    while (s.end < stop) {
        zone_span_at(z, s.end, &n);
        if (n.start != s.end || n.prev_offset != s.offset || n.offset == s.offset)
            fail_msg("%s: span [%lld,%lld) %d then [%lld,%lld) %d prev %d", zone_name(z),
                     (long long)s.start, (long long)s.end, s.offset, (long long)n.start,
                     (long long)n.end, n.offset, n.prev_offset);
        zone_span_at(z, s.end - 1, &back);
        assert_int_equal(back.start, s.start);
        assert_int_equal(back.end, s.end);
        assert_int_equal(back.offset, s.offset);
        assert_int_equal(back.prev_offset, s.prev_offset);
        assert_true(n.end > n.start);
        s = n;
    }
}

static const char *const cross_zones[] = {
    "America/New_York", "Europe/Berlin", "Australia/Lord_Howe", "Asia/Kolkata",
    "America/Sao_Paulo", "Europe/London", "Pacific/Chatham", "America/St_Johns",
    "America/Godthab", "UTC",
};

static const char *const cross_posix[] = {
    "EST5EDT,M3.2.0,M11.1.0", "<+0530>-5:30", "AEST-10AEDT,M10.1.0,M4.1.0/3",
    "IST-2IDT,M3.4.4/26,M10.5.0", "<-03>3<-02>,M3.5.0/-2,M10.5.0/-1",
    "<+1245>-12:45<+1345>,M9.5.0/2:45,M4.1.0/3:45",
};

static void test_spans_contiguous_and_maximal(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof(cross_zones) / sizeof(cross_zones[0]); i++) {
        struct zone *z = load_ok(cross_zones[i]);
        check_contiguous(z);
        zone_free(z);
    }
    for (size_t i = 0; i < sizeof(cross_posix) / sizeof(cross_posix[0]); i++) {
        struct zone *z = posix_ok(cross_posix[i]);
        check_contiguous(z);
        zone_free(z);
    }
    /* Rules defaulted (glibc reads them from posixrules instead, so this one
     * is not cross-checked) and permanent DST written as J1/0,J365/25. */
    struct zone *z = posix_ok("CET-1CEST");
    check_contiguous(z);
    check_span(z, utc(2024, 3, 10, 6, 0, 0), utc(2024, 3, 10, 1, 0, 0),
               utc(2024, 11, 3, 0, 0, 0), 7200, 3600);
    zone_free(z);
    z = posix_ok("EST5EDT,0/0,J365/25");
    check_span(z, utc(2024, 12, 31, 23, 0, 0), INT64_MIN, INT64_MAX, -14400, -14400);
    zone_free(z);
    /* DST from Jan 1 04:00Z to the next Jan 1 02:00Z: two hours of standard
     * time a year (glibc reads such rules per UTC year and differs). */
    z = posix_ok("AAA3BBB,J365/25,J1/0");
    check_contiguous(z);
    check_span(z, utc(2024, 1, 1, 3, 0, 0), utc(2024, 1, 1, 2, 0, 0), utc(2024, 1, 1, 4, 0, 0),
               -10800, -7200);
    zone_free(z);
}

/* ------------------------------------------------ glibc cross-check */

static long glibc_offset(int64_t t)
{
    time_t tt = (time_t)t;
    struct tm tm;
    assert_non_null(localtime_r(&tt, &tm));
    return tm.tm_gmtoff;
}

static void compare_at(const struct zone *z, const char *tz, int64_t t)
{
    long want = glibc_offset(t);
    if (zone_offset_at(z, t) != want)
        fail_msg("%s at %lld: ours %d, glibc %ld", tz, (long long)t, zone_offset_at(z, t), want);
}

/* Every 6 hours in [from, to), and one second around each of our spans'
 * boundaries there. */
static void crosscheck(const struct zone *z, const char *tz, int64_t from, int64_t to)
{
    struct zone_span s;
    assert_int_equal(setenv("TZ", tz, 1), 0);
    tzset();
    for (int64_t t = from; t < to; t += 6 * HOUR)
        compare_at(z, tz, t);
    zone_span_at(z, from, &s);
    while (s.end < to) {
        for (int64_t d = -1; d <= 1; d++)
            compare_at(z, tz, s.end + d);
        zone_span_at(z, s.end, &s);
    }
}

static void crosscheck_ranges(const struct zone *z, const char *tz)
{
    crosscheck(z, tz, utc(1975, 1, 1, 0, 0, 0), utc(2060, 1, 1, 0, 0, 0));
    crosscheck(z, tz, utc(2195, 1, 1, 0, 0, 0), utc(2205, 1, 1, 0, 0, 0));
    crosscheck(z, tz, utc(2495, 1, 1, 0, 0, 0), utc(2500, 1, 1, 0, 0, 0));
}

static void test_crosscheck_glibc_files(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof(cross_zones) / sizeof(cross_zones[0]); i++) {
        struct zone *z = load_ok(cross_zones[i]);
        crosscheck_ranges(z, cross_zones[i]);
        zone_free(z);
    }
}

static void test_crosscheck_glibc_posix(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof(cross_posix) / sizeof(cross_posix[0]); i++) {
        struct zone *z = posix_ok(cross_posix[i]);
        crosscheck_ranges(z, cross_posix[i]);
        zone_free(z);
    }
}

/* ------------------------------------------------ POSIX TZ strings */

static void test_posix_utc0(void **state)
{
    (void)state;
    struct zone *z = posix_ok("UTC0");
    check_span(z, 0, INT64_MIN, INT64_MAX, 0, 0);
    assert_string_equal(zone_name(z), "UTC0");
    zone_free(z);
}

static void test_posix_us_rules(void **state)
{
    (void)state;
    const char *const tzs[] = {"EST5EDT,M3.2.0,M11.1.0", "EST5EDT", "EST+5EDT4,M3.2.0/2,M11.1.0/02:00:00"};
    for (size_t i = 0; i < 3; i++) {
        struct zone *z = posix_ok(tzs[i]);
        check_span(z, NY_2024_DST, NY_2024_DST, NY_2024_STD, -14400, -18000);
        check_span(z, NY_2024_STD, NY_2024_STD, 1741503600, -18000, -14400);
        zone_free(z);
    }
}

static void test_posix_quoted_fixed(void **state)
{
    (void)state;
    struct zone *z = posix_ok("<+0530>-5:30");
    check_span(z, utc(2024, 6, 1, 0, 0, 0), INT64_MIN, INT64_MAX, 19800, 19800);
    zone_free(z);
}

static void test_posix_southern(void **state)
{
    (void)state;
    struct zone *z = posix_ok("AEST-10AEDT,M10.1.0,M4.1.0/3");
    int64_t end = utc(2024, 4, 6, 16, 0, 0), start = utc(2024, 10, 5, 16, 0, 0);
    check_span(z, end, end, start, 36000, 39600);
    check_span(z, start, start, utc(2025, 4, 5, 16, 0, 0), 39600, 36000);
    zone_free(z);
}

static void test_posix_extended_times(void **state)
{
    (void)state;
    struct zone *z = posix_ok("IST-2IDT,M3.4.4/26,M10.5.0"); /* Thursday 26:00 */
    int64_t on = utc(2024, 3, 29, 0, 0, 0), off = utc(2024, 10, 26, 23, 0, 0);
    check_span(z, on, on, off, 10800, 7200);
    zone_free(z);
    z = posix_ok("<-03>3<-02>,M3.5.0/-2,M10.5.0/-1"); /* negative times */
    on = utc(2024, 3, 31, 1, 0, 0);
    off = utc(2024, 10, 27, 1, 0, 0);
    check_span(z, on, on, off, -7200, -10800);
    zone_free(z);
}

static void test_posix_julian_rules(void **state)
{
    (void)state;
    /* J60 is March 1 in every year; 59 (zero-based) is Feb 29 in leap years. */
    struct zone *z = posix_ok("AAA0BBB,J60/0,J300/0");
    assert_int_equal(zone_offset_at(z, utc(2024, 3, 1, 0, 0, 0)), 3600);
    assert_int_equal(zone_offset_at(z, utc(2024, 2, 29, 23, 59, 59)), 0);
    zone_free(z);
    z = posix_ok("AAA0BBB,59/0,300/0");
    assert_int_equal(zone_offset_at(z, utc(2024, 2, 29, 0, 0, 0)), 3600);
    assert_int_equal(zone_offset_at(z, utc(2023, 3, 1, 0, 0, 0)), 3600);
    assert_int_equal(zone_offset_at(z, utc(2023, 2, 28, 23, 59, 59)), 0);
    zone_free(z);
}

/* Start and end in the same month: in years whose January has four
 * Sundays, the last and the fourth coincide and DST lasts no time, so three
 * years in a row (2024-2026) bring no change. The span from 2024 lasts
 * until DST starts on 2027-01-31, not for ever (fuzz_posix_tz,
 * regressions/posix_tz/crash-years-without-change). */
static void test_posix_years_without_change(void **state)
{
    (void)state;
    struct zone *z = posix_ok("EET-2EEST,M1.5.0,M1.4.0/3");
    int64_t end = utc(2024, 1, 28, 0, 0, 0), start = utc(2027, 1, 31, 0, 0, 0);
    check_span(z, utc(2024, 7, 1, 0, 0, 0), end, start, 7200, 10800);
    check_span(z, start, start, utc(2028, 1, 23, 0, 0, 0), 10800, 7200);
    check_span(z, utc(2028, 6, 1, 0, 0, 0), utc(2028, 1, 30, 0, 0, 0), utc(2029, 1, 28, 0, 0, 0),
               10800, 7200);
    check_contiguous(z);
    zone_free(z);
}

static void test_posix_invalid(void **state)
{
    (void)state;
    const char *const bad[] = {
        "", "EST", "ES5", "EST5EDT,M13.1.0,M11.1.0", "EST5EDT,M3.2.0", "EST5EDT,M3.0.0,M11.1.0",
        "EST5EDT,M3.2.7,M11.1.0", "<+05", "<+0530-5:30", "EST25", "EST5EDT,M3.2.0,M11.1.0junk",
        "EST5:60", "EST5EDT,J0,J100", "EST5EDT,366,J100", "EST5EDT,M3.2.0/168,M11.1.0",
        "EST5EDT,,M11.1.0", "5EST", "EST 5",
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        char err[256] = "";
        struct zone *z = NULL;
        if (zone_parse_posix(bad[i], &z, err, sizeof(err)) == 0)
            fail_msg("accepted bad POSIX TZ '%s'", bad[i]);
        assert_null(z);
        assert_non_null(strstr(err, "invalid POSIX TZ string"));
    }
}

/* ------------------------------------------------ hand-built TZif */

struct tbuf {
    unsigned char b[1024]; /* bytes */
    size_t n;              /* used */
};

static void put8(struct tbuf *t, unsigned v)
{
    assert_true(t->n < sizeof(t->b));
    t->b[t->n++] = (unsigned char)v;
}

static void put32(struct tbuf *t, uint32_t v)
{
    for (int s = 24; s >= 0; s -= 8)
        put8(t, (v >> s) & 0xff);
}

static void put64(struct tbuf *t, int64_t v)
{
    put32(t, (uint32_t)((uint64_t)v >> 32));
    put32(t, (uint32_t)(uint64_t)v);
}

static void put_bytes(struct tbuf *t, const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        put8(t, (unsigned char)s[i]);
}

/* Header: version byte, counts isut, isstd, leap, time, type, char. */
static void put_header(struct tbuf *t, unsigned version, uint32_t ntime, uint32_t ntype,
                       uint32_t nchar)
{
    put_bytes(t, "TZif", 4);
    put8(t, version);
    for (int i = 0; i < 15; i++)
        put8(t, 0);
    put32(t, 0);
    put32(t, 0);
    put32(t, 0);
    put32(t, ntime);
    put32(t, ntype);
    put32(t, nchar);
}

static void put_type(struct tbuf *t, int32_t off, unsigned isdst, unsigned idx)
{
    put32(t, (uint32_t)off);
    put8(t, isdst);
    put8(t, idx);
}

/* v1: EST/EDT types, transitions 1000 EDT, 2000 EST, 3000 EST (no-op), 4000 EDT. */
static void build_v1(struct tbuf *t)
{
    static const int32_t at[] = {1000, 2000, 3000, 4000};
    static const unsigned idx[] = {1, 0, 0, 1};
    t->n = 0;
    put_header(t, 0, 4, 2, 8);
    for (int i = 0; i < 4; i++)
        put32(t, (uint32_t)at[i]);
    for (int i = 0; i < 4; i++)
        put8(t, idx[i]);
    put_type(t, -18000, 0, 0);
    put_type(t, -14400, 1, 4);
    put_bytes(t, "EST\0EDT\0", 8);
}

/* v2: LMT, EST, EDT; a 64-bit-only transition before 1901, the 2024 pair,
 * then the footer rule. The v1 block holds only what fits in 32 bits. */
static void build_v2(struct tbuf *t, unsigned version, const char *footer)
{
    t->n = 0;
    put_header(t, version, 2, 3, 12);
    put32(t, NY_2024_DST);
    put32(t, NY_2024_STD);
    put8(t, 2);
    put8(t, 1);
    put_type(t, -17762, 0, 8);
    put_type(t, -18000, 0, 0);
    put_type(t, -14400, 1, 4);
    put_bytes(t, "EST\0EDT\0LMT\0", 12);
    put_header(t, version, 3, 3, 12);
    put64(t, -5000000000);
    put64(t, NY_2024_DST);
    put64(t, NY_2024_STD);
    put8(t, 1);
    put8(t, 2);
    put8(t, 1);
    put_type(t, -17762, 0, 8);
    put_type(t, -18000, 0, 0);
    put_type(t, -14400, 1, 4);
    put_bytes(t, "EST\0EDT\0LMT\0", 12);
    put8(t, '\n');
    put_bytes(t, footer, strlen(footer));
    put8(t, '\n');
}

static struct zone *tzif_ok(const struct tbuf *t)
{
    char err[256] = "";
    struct zone *z = NULL;
    if (zone_parse_tzif(t->b, t->n, "Test/Zone", &z, err, sizeof(err)) != 0)
        fail_msg("zone_parse_tzif: %s", err);
    return z;
}

static void test_tzif_v1(void **state)
{
    (void)state;
    struct tbuf t;
    build_v1(&t);
    struct zone *z = tzif_ok(&t);
    assert_string_equal(zone_name(z), "Test/Zone");
    check_span(z, -100000, INT64_MIN, 1000, -18000, -18000);
    check_span(z, 1000, 1000, 2000, -14400, -18000);
    check_span(z, 3500, 2000, 4000, -18000, -14400); /* 3000 merged away */
    check_span(z, 9999999, 4000, INT64_MAX, -14400, -18000);
    zone_free(z);
}

static void test_tzif_v2_footer(void **state)
{
    (void)state;
    static const unsigned versions[] = {'2', '3', '4'};
    for (size_t i = 0; i < 3; i++) {
        struct tbuf t;
        build_v2(&t, versions[i], "EST5EDT,M3.2.0,M11.1.0");
        struct zone *z = tzif_ok(&t);
        assert_int_equal(zone_offset_at(z, -5000000001), -17762); /* 64-bit data used */
        check_span(z, -5000000000, -5000000000, NY_2024_DST, -18000, -17762);
        check_span(z, NY_2024_DST, NY_2024_DST, NY_2024_STD, -14400, -18000);
        check_span(z, NY_2024_STD, NY_2024_STD, 1741503600, -18000, -14400);
        check_span(z, 10419778800, 10419778800, 10440338400, -14400, -18000);
        check_contiguous(z);
        zone_free(z);
    }
}

static void test_tzif_v2_empty_footer(void **state)
{
    (void)state;
    struct tbuf t;
    build_v2(&t, '2', "");
    struct zone *z = tzif_ok(&t);
    check_span(z, utc(2300, 7, 1, 0, 0, 0), NY_2024_STD, INT64_MAX, -18000, -14400);
    zone_free(z);
}

static void test_tzif_fixed_footer(void **state)
{
    (void)state;
    struct tbuf t;
    build_v2(&t, '2', "<+04>-4"); /* the rule takes over at the last transition */
    struct zone *z = tzif_ok(&t);
    check_span(z, NY_2024_STD, NY_2024_STD, INT64_MAX, 14400, -14400);
    zone_free(z);
}

/* A transition at the earliest instant leaves no instant to the type
 * before it: the span there is unbounded, with no other previous offset
 * (fuzz_tzif, regressions/tzif/crash-transition-at-int64-min). */
static void test_tzif_transition_at_int64_min(void **state)
{
    (void)state;
    struct tbuf t = {.n = 0};
    put_header(&t, '2', 0, 1, 4);
    put_type(&t, 0, 0, 0);
    put_bytes(&t, "UTC\0", 4);
    put_header(&t, '2', 2, 2, 8);
    put64(&t, INT64_MIN);
    put64(&t, 1000);
    put8(&t, 1);
    put8(&t, 0);
    put_type(&t, 0, 0, 0);
    put_type(&t, 3600, 1, 4);
    put_bytes(&t, "AAA\0BBB\0", 8);
    put_bytes(&t, "\n\n", 2);
    struct zone *z = tzif_ok(&t);
    check_span(z, INT64_MIN, INT64_MIN, 1000, 3600, 3600);
    check_span(z, 0, INT64_MIN, 1000, 3600, 3600);
    check_span(z, 1000, 1000, INT64_MAX, 0, 3600);
    zone_free(z);
}

static void expect_tzif_error(const unsigned char *b, size_t n, const char *what)
{
    char err[256] = "";
    struct zone *z = NULL;
    if (zone_parse_tzif(b, n, "x", &z, err, sizeof(err)) == 0)
        fail_msg("accepted %s (len %zu)", what, n);
    assert_null(z);
    assert_true(err[0] != '\0');
}

static void test_tzif_truncated(void **state)
{
    (void)state;
    struct tbuf t;
    build_v1(&t);
    for (size_t n = 0; n < t.n; n++)
        expect_tzif_error(t.b, n, "truncated v1");
    build_v2(&t, '2', "EST5EDT,M3.2.0,M11.1.0");
    for (size_t n = 0; n < t.n; n++)
        expect_tzif_error(t.b, n, "truncated v2");
}

static unsigned char *read_file(const char *path, size_t *out_len)
{
    FILE *f = fopen(path, "rb");
    assert_non_null(f);
    unsigned char *b = malloc(65536);
    assert_non_null(b);
    *out_len = fread(b, 1, 65536, f);
    assert_int_equal(fclose(f), 0);
    return b;
}

static void test_tzif_real_file_truncated(void **state)
{
    (void)state;
    size_t len;
    unsigned char *b = read_file("/usr/share/zoneinfo/America/New_York", &len);
    for (size_t n = 0; n < len; n++)
        expect_tzif_error(b, n, "truncated New_York");
    free(b);
}

static void test_tzif_corrupt(void **state)
{
    (void)state;
    struct tbuf t;
    build_v2(&t, '2', "EST5EDT,M3.2.0,M11.1.0");
    struct tbuf bad = t;
    bad.b[0] = 'X';
    expect_tzif_error(bad.b, bad.n, "bad magic");
    bad = t;
    bad.b[4] = '1';
    expect_tzif_error(bad.b, bad.n, "bad version");
    bad = t;
    bad.b[bad.n - 3] = '!';
    expect_tzif_error(bad.b, bad.n, "bad footer");
    bad = t;
    bad.b[bad.n - 1] = 'x';
    expect_tzif_error(bad.b, bad.n, "unterminated footer");
    build_v1(&t);
    bad = t;
    bad.b[44 + 16] = 7; /* first type index */
    expect_tzif_error(bad.b, bad.n, "type index out of range");
    bad = t;
    bad.b[44 + 4 + 3] = 0; /* second transition 2000 becomes 0 */
    bad.b[44 + 4 + 2] = 0;
    expect_tzif_error(bad.b, bad.n, "descending transitions");
    bad = t;
    bad.b[39] = 0; /* typecnt 0 */
    expect_tzif_error(bad.b, bad.n, "no types");
    bad = t;
    bad.b[31] = 1; /* leapcnt 1 */
    expect_tzif_error(bad.b, bad.n, "leap seconds");
    bad = t;
    bad.b[44 + 20 + 4] = 2; /* isdst 2 */
    expect_tzif_error(bad.b, bad.n, "bad isdst");
}

/* Every byte flipped several ways: must parse or fail, never crash (the
 * sanitizers and valgrind watch the reads). */
/* RFC 8536's bound on a UTC offset (25:59:59), which zone.c enforces for
 * TZif types; POSIX strings stay within it too (24:59:59 plus an hour). */
#define OFFSET_MAX 93599

static void expect_offset_in_range(const char *what, int32_t off)
{
    if (off < -OFFSET_MAX || off > OFFSET_MAX)
        fail_msg("%s offset %d beyond 25:59:59", what, off);
}

/* The span at t contains t, has offsets in range, agrees with
 * zone_offset_at, and meets its neighbours: the instant before its start
 * lies in a span with the previous offset that ends there, and its end
 * starts a span with another offset whose previous offset is this one. */
static void check_span_at(const struct zone *z, int64_t t, struct zone_span *out)
{
    struct zone_span s, n;
    zone_span_at(z, t, &s);
    if (!(s.start <= t && t < s.end))
        fail_msg("span [%lld,%lld) lacks %lld", (long long)s.start, (long long)s.end,
                 (long long)t);
    expect_offset_in_range("span", s.offset);
    expect_offset_in_range("previous", s.prev_offset);
    assert_int_equal(zone_offset_at(z, t), s.offset);
    if (s.start == INT64_MIN) {
        assert_int_equal(s.prev_offset, s.offset);
    } else {
        assert_int_not_equal(s.prev_offset, s.offset);
        zone_span_at(z, s.start - 1, &n);
        assert_int_equal(n.end, s.start);
        assert_int_equal(n.offset, s.prev_offset);
    }
    if (s.end != INT64_MAX) {
        zone_span_at(z, s.end, &n);
        assert_int_equal(n.start, s.end);
        assert_int_equal(n.prev_offset, s.offset);
        assert_int_not_equal(n.offset, s.offset);
    }
    *out = s;
}

/* Spans at ascending instants: each as check_span_at says, and ordered: a
 * later instant never gets an earlier span, and one inside the span before
 * gets that same span. */
static void check_zone_spans(const struct zone *z)
{
    static const int64_t edges[] = {INT64_MIN, INT64_MIN + 1, -(INT64_C(1) << 45)};
    struct zone_span s, prev = {0};
    bool first = true;
    for (size_t i = 0; i < 3 + 38; i++) {
        int64_t t = i < 3 ? edges[i] : -6000000000 + (int64_t)(i - 3) * 700000000;
        check_span_at(z, t, &s);
        if (!first && (s.start < prev.start || s.end < prev.end
                       || (t < prev.end && (s.start != prev.start || s.end != prev.end))))
            fail_msg("span [%lld,%lld) at %lld after [%lld,%lld)", (long long)s.start,
                     (long long)s.end, (long long)t, (long long)prev.start,
                     (long long)prev.end);
        prev = s;
        first = false;
    }
}

/* Every single-byte corruption of a v3 file either fails to parse or gives
 * a zone whose spans hold the invariants above. */
static void test_tzif_fuzz_flips(void **state)
{
    (void)state;
    static const unsigned char flips[] = {0x01, 0x80, 0xff, 0x10};
    struct tbuf t, bad;
    size_t parsed = 0;
    build_v2(&t, '3', "<-03>3<-02>,M3.5.0/-2,M10.5.0/-1");
    for (size_t i = 0; i < t.n; i++) {
        for (size_t f = 0; f < sizeof(flips); f++) {
            char err[256] = "";
            struct zone *z = NULL;
            bad = t;
            bad.b[i] ^= flips[f];
            if (zone_parse_tzif(bad.b, bad.n, "fuzz", &z, err, sizeof(err)) != 0) {
                assert_null(z);
                assert_true(err[0] != '\0');
                continue;
            }
            assert_string_equal(zone_name(z), "fuzz");
            check_zone_spans(z);
            zone_free(z);
            parsed++;
        }
    }
    /* flips in the v1 block, transition times and abbreviations parse */
    assert_true(parsed > t.n);
}

/* ------------------------------------------------ loading by name */

static void expect_load_error(const char *name, const char *tzdir, const char *needle)
{
    char err[256] = "";
    struct zone *z = NULL;
    if (zone_load(name, tzdir, &z, err, sizeof(err)) == 0)
        fail_msg("zone_load accepted '%s'", name);
    assert_null(z);
    if (strstr(err, needle) == NULL)
        fail_msg("zone_load(%s): message '%s' lacks '%s'", name, err, needle);
}

static void test_load_unknown_names(void **state)
{
    (void)state;
    expect_load_error("Mars/Base", NULL, "unknown time zone 'Mars/Base'");
    expect_load_error("Nowhere", NULL, "unknown time zone 'Nowhere'");
    expect_load_error("Mars/Base1", NULL, "unknown time zone 'Mars/Base1'");
    expect_load_error("EST5EDT,M3", NULL, "'EST5EDT,M3'");
    expect_load_error("America", NULL, "unknown time zone 'America'");
    expect_load_error("zone.tab", NULL, "zone.tab");
    expect_load_error("/nonexistent/zone", NULL, "/nonexistent/zone");
    expect_load_error("Europe/Berlin", "/nonexistent-tzdir", "unknown time zone 'Europe/Berlin'");
}

static void test_load_refuses_bad_paths(void **state)
{
    (void)state;
    expect_load_error("../etc/passwd", NULL, "'../etc/passwd'");
    expect_load_error("Europe/../../../etc/passwd", NULL, "refusing");
    expect_load_error("/usr/share/zoneinfo/../zoneinfo/UTC", NULL, "refusing");
    expect_load_error("America//New_York", NULL, "refusing");
    expect_load_error("Europe/", NULL, "refusing");
    expect_load_error("", NULL, "empty");
    expect_load_error(":", NULL, "empty");
    expect_load_error(NULL, NULL, "empty");
}

static void test_load_forms(void **state)
{
    (void)state;
    static const char *const utc_names[] = {"UTC", "Etc/UTC", "Z", ":UTC"};
    for (size_t i = 0; i < 4; i++) {
        struct zone *z = load_ok(utc_names[i]);
        check_span(z, 12345, INT64_MIN, INT64_MAX, 0, 0);
        zone_free(z);
    }
    struct zone *z = load_ok(":Europe/Berlin");
    assert_string_equal(zone_name(z), "Europe/Berlin");
    assert_int_equal(zone_offset_at(z, utc(2024, 7, 1, 0, 0, 0)), 7200);
    zone_free(z);
    z = load_ok("/usr/share/zoneinfo/Europe/Berlin");
    assert_int_equal(zone_offset_at(z, utc(2024, 7, 1, 0, 0, 0)), 7200);
    zone_free(z);
    z = load_ok("<+0530>-5:30"); /* no such file: a POSIX string */
    assert_int_equal(zone_offset_at(z, 0), 19800);
    zone_free(z);
    z = load_ok("EST5EDT,M3.2.0/2,M11.1.0/2"); /* '/' inside, still POSIX */
    assert_int_equal(zone_offset_at(z, NY_2024_DST), -14400);
    zone_free(z);
}

static void test_load_custom_tzdir(void **state)
{
    (void)state;
    char dir[] = "/tmp/zonetestXXXXXX", sub[64], path[96];
    struct tbuf t;
    assert_non_null(mkdtemp(dir));
    snprintf(sub, sizeof(sub), "%s/Test", dir);
    assert_int_equal(mkdir(sub, 0700), 0);
    snprintf(path, sizeof(path), "%s/Test/V1", dir);
    build_v1(&t);
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    assert_int_equal(fwrite(t.b, 1, t.n, f), t.n);
    assert_int_equal(fclose(f), 0);
    char err[256] = "";
    struct zone *z = NULL;
    assert_int_equal(zone_load("Test/V1", dir, &z, err, sizeof(err)), 0);
    assert_int_equal(zone_offset_at(z, 1000), -14400);
    zone_free(z);
    expect_load_error("Test/V2", dir, "unknown time zone 'Test/V2'");
    assert_int_equal(unlink(path), 0);
    assert_int_equal(rmdir(sub), 0);
    assert_int_equal(rmdir(dir), 0);
}

static void test_load_system(void **state)
{
    (void)state;
    char err[256] = "";
    struct zone *z = NULL;
    assert_int_equal(zone_load_system(NULL, &z, err, sizeof(err)), 0);
    assert_non_null(z);
    assert_true(zone_name(z)[0] != '\0');
    assert_null(strstr(zone_name(z), "zoneinfo"));
    zone_free(z);
}

static void test_new_utc(void **state)
{
    (void)state;
    struct zone *z = NULL;
    assert_int_equal(zone_new_utc(&z), 0);
    assert_string_equal(zone_name(z), "UTC");
    check_span(z, -5, INT64_MIN, INT64_MAX, 0, 0);
    zone_free(z);
    zone_free(NULL);
}

/* ------------------------------------------------ cache */

static void test_cache(void **state)
{
    (void)state;
    char err[256] = "";
    struct zone_cache *c = zone_cache_new(NULL);
    assert_non_null(c);
    const struct zone *a = zone_cache_get(c, "Europe/Berlin", err, sizeof(err));
    const struct zone *b = zone_cache_get(c, "Europe/Berlin", err, sizeof(err));
    const struct zone *n = zone_cache_get(c, "America/New_York", err, sizeof(err));
    assert_non_null(a);
    assert_ptr_equal(a, b);
    assert_ptr_not_equal(a, n);
    for (int i = 0; i < 20; i++) { /* growth beyond the first allocation */
        char name[32];
        snprintf(name, sizeof(name), "Etc/GMT+%d", i % 12);
        assert_non_null(zone_cache_get(c, name, err, sizeof(err)));
    }
    assert_ptr_equal(zone_cache_get(c, "Europe/Berlin", err, sizeof(err)), a);
    err[0] = '\0';
    assert_null(zone_cache_get(c, "Mars/Base", err, sizeof(err)));
    assert_non_null(strstr(err, "unknown time zone 'Mars/Base'"));
    err[0] = '\0';
    assert_null(zone_cache_get(c, "Mars/Base", err, sizeof(err)));
    assert_non_null(strstr(err, "unknown time zone 'Mars/Base'"));
    zone_cache_free(c);
    zone_cache_free(NULL);
}

/* ------------------------------------------------ speed */

static void test_span_speed(void **state)
{
    (void)state;
    struct zone *z = load_ok("America/New_York");
    struct zone_span s;
    int64_t sum = 0;
    clock_t c0 = clock();
    for (int64_t t = utc(2000, 1, 1, 0, 0, 0); t < utc(2100, 1, 1, 0, 0, 0); t += 3 * HOUR) {
        zone_span_at(z, t, &s);
        sum += s.offset;
    }
    double secs = (double)(clock() - c0) / CLOCKS_PER_SEC;
    print_message("zone_span_at: 292k calls in %.3f s (checksum %lld)\n", secs, (long long)sum);
    zone_free(z);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_new_york_2024),
        cmocka_unit_test(test_berlin),
        cmocka_unit_test(test_lord_howe_half_hour_dst),
        cmocka_unit_test(test_kolkata_no_dst),
        cmocka_unit_test(test_sao_paulo_2018),
        cmocka_unit_test(test_far_future_follows_footer),
        cmocka_unit_test(test_spans_contiguous_and_maximal),
        cmocka_unit_test(test_crosscheck_glibc_files),
        cmocka_unit_test(test_crosscheck_glibc_posix),
        cmocka_unit_test(test_posix_utc0),
        cmocka_unit_test(test_posix_us_rules),
        cmocka_unit_test(test_posix_quoted_fixed),
        cmocka_unit_test(test_posix_southern),
        cmocka_unit_test(test_posix_extended_times),
        cmocka_unit_test(test_posix_julian_rules),
        cmocka_unit_test(test_posix_years_without_change),
        cmocka_unit_test(test_posix_invalid),
        cmocka_unit_test(test_tzif_v1),
        cmocka_unit_test(test_tzif_v2_footer),
        cmocka_unit_test(test_tzif_v2_empty_footer),
        cmocka_unit_test(test_tzif_fixed_footer),
        cmocka_unit_test(test_tzif_transition_at_int64_min),
        cmocka_unit_test(test_tzif_truncated),
        cmocka_unit_test(test_tzif_real_file_truncated),
        cmocka_unit_test(test_tzif_corrupt),
        cmocka_unit_test(test_tzif_fuzz_flips),
        cmocka_unit_test(test_load_unknown_names),
        cmocka_unit_test(test_load_refuses_bad_paths),
        cmocka_unit_test(test_load_forms),
        cmocka_unit_test(test_load_custom_tzdir),
        cmocka_unit_test(test_load_system),
        cmocka_unit_test(test_new_utc),
        cmocka_unit_test(test_cache),
        cmocka_unit_test(test_span_speed),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
