/* Unit tests of timefmt: ISO-8601 output, parsing, and local wall time in
 * DST gaps and repeated hours. */
#include "testutil.h"

#include "crond/civil.h"
#include "crond/timefmt.h"
#include "crond/zone.h"

#include <stdio.h>
#include <string.h>

static struct zone *load_ok(const char *name)
{
    char err[256] = "";
    struct zone *z = NULL;
    if (zone_load(name, NULL, &z, err, sizeof(err)) != 0)
        fail_msg("zone_load(%s): %s", name, err);
    return z;
}

static int64_t utc(int64_t y, int mon, int d, int h, int mi, int s)
{
    struct civil c = {y, mon, d, h, mi, s};
    return civil_to_secs(&c);
}

static void expect_iso(int64_t t, const struct zone *z, const char *want)
{
    char buf[TIMEFMT_ISO_LEN];
    int n = timefmt_iso(t, z, buf, sizeof(buf));
    assert_string_equal(buf, want);
    assert_int_equal(n, (int)strlen(want));
}

static int64_t parse_ok(const char *s, const struct zone *z)
{
    char err[256] = "";
    int64_t t = 0;
    if (timefmt_parse(s, z, &t, err, sizeof(err)) != 0)
        fail_msg("timefmt_parse(%s): %s", s, err);
    return t;
}

/* ------------------------------------------------------------- output */

static void test_iso_new_york(void **state)
{
    (void)state;
    struct zone *z = load_ok("America/New_York");
    expect_iso(utc(2026, 3, 8, 7, 0, 0), z, "2026-03-08T03:00:00-04:00");
    expect_iso(utc(2026, 3, 8, 6, 59, 59), z, "2026-03-08T01:59:59-05:00");
    expect_iso(utc(2026, 11, 1, 5, 30, 0), z, "2026-11-01T01:30:00-04:00");
    expect_iso(utc(2026, 11, 1, 6, 30, 0), z, "2026-11-01T01:30:00-05:00");
    /* Local mean time before 1883 is -4:56:02: the seconds are printed. */
    expect_iso(utc(1850, 1, 1, 0, 0, 0), z, "1849-12-31T19:03:58-04:56:02");
    zone_free(z);
}

static void test_iso_other_zones(void **state)
{
    (void)state;
    struct zone *u = NULL;
    assert_int_equal(zone_new_utc(&u), 0);
    expect_iso(0, u, "1970-01-01T00:00:00+00:00");
    expect_iso(-1, u, "1969-12-31T23:59:59+00:00");
    expect_iso(utc(2099, 12, 31, 23, 59, 59), u, "2099-12-31T23:59:59+00:00");
    zone_free(u);
    struct zone *k = load_ok("Asia/Kolkata");
    expect_iso(utc(2026, 1, 1, 0, 0, 0), k, "2026-01-01T05:30:00+05:30");
    zone_free(k);
    struct zone *lh = load_ok("Australia/Lord_Howe");
    expect_iso(utc(2024, 7, 1, 0, 0, 0), lh, "2024-07-01T10:30:00+10:30");
    zone_free(lh);
    struct zone *sp = load_ok("America/Sao_Paulo");
    expect_iso(utc(2018, 2, 18, 1, 59, 59), sp, "2018-02-17T23:59:59-02:00");
    expect_iso(utc(2018, 2, 18, 2, 0, 0), sp, "2018-02-17T23:00:00-03:00");
    zone_free(sp);
}

static void test_iso_short_buffer(void **state)
{
    (void)state;
    struct zone *u = NULL;
    char buf[8];
    assert_int_equal(zone_new_utc(&u), 0);
    assert_int_equal(timefmt_iso(0, u, buf, sizeof(buf)), 25);
    assert_string_equal(buf, "1970-01");
    zone_free(u);
}

static void test_utc_ms(void **state)
{
    (void)state;
    char buf[40];
    int64_t t = utc(2026, 12, 1, 13, 0, 0) * 1000 + 2;
    assert_int_equal(timefmt_utc_ms(t, buf, sizeof(buf)), 24);
    assert_string_equal(buf, "2026-12-01T13:00:00.002Z");
    timefmt_utc_ms(-1, buf, sizeof(buf));
    assert_string_equal(buf, "1969-12-31T23:59:59.999Z");
    timefmt_utc_ms(999, buf, sizeof(buf));
    assert_string_equal(buf, "1970-01-01T00:00:00.999Z");
}

static void test_utc_seconds(void **state)
{
    (void)state;
    char buf[40];
    assert_int_equal(timefmt_utc(utc(2026, 12, 6, 23, 0, 5), buf, sizeof(buf)), 20);
    assert_string_equal(buf, "2026-12-06T23:00:05Z");
    timefmt_utc(-1, buf, sizeof(buf));
    assert_string_equal(buf, "1969-12-31T23:59:59Z");
    timefmt_utc(utc(10000, 1, 2, 3, 4, 5), buf, sizeof(buf));
    assert_string_equal(buf, "+10000-01-02T03:04:05Z");
}


/* Years outside 0000-9999 are ISO 8601 expanded years: a sign and at least
 * four digits, so that --from reads back what --next printed. */
static void test_iso_expanded_years(void **state)
{
    (void)state;
    struct zone *u = NULL;
    assert_int_equal(zone_new_utc(&u), 0);
    expect_iso(utc(9999, 12, 31, 23, 59, 59), u, "9999-12-31T23:59:59+00:00");
    expect_iso(utc(10000, 1, 1, 0, 0, 0), u, "+10000-01-01T00:00:00+00:00");
    expect_iso(utc(123456, 7, 8, 9, 10, 11), u, "+123456-07-08T09:10:11+00:00");
    expect_iso(utc(0, 1, 1, 0, 0, 0), u, "0000-01-01T00:00:00+00:00");
    expect_iso(utc(1, 1, 1, 0, 0, 0), u, "0001-01-01T00:00:00+00:00");
    expect_iso(utc(-10000, 6, 1, 12, 0, 0), u, "-10000-06-01T12:00:00+00:00");
    expect_iso(utc(999999999, 12, 31, 23, 59, 59), u, "+999999999-12-31T23:59:59+00:00");
    zone_free(u);
    struct zone *z = load_ok("America/New_York");
    expect_iso(utc(10000, 1, 1, 4, 59, 59), z, "9999-12-31T23:59:59-05:00");
    expect_iso(utc(10000, 1, 1, 5, 0, 0), z, "+10000-01-01T00:00:00-05:00");
    zone_free(z);
}

/* Year 0 is 0000 and the years before it have a sign and four digits. */
static void test_iso_negative_years(void **state)
{
    (void)state;
    struct zone *u = NULL;
    assert_int_equal(zone_new_utc(&u), 0);
    expect_iso(utc(-1, 12, 31, 23, 59, 59), u, "-0001-12-31T23:59:59+00:00");
    expect_iso(utc(-999, 3, 1, 0, 0, 0), u, "-0999-03-01T00:00:00+00:00");
    expect_iso(utc(-9999, 1, 1, 0, 0, 0), u, "-9999-01-01T00:00:00+00:00");
    expect_iso(utc(0, 1, 1, 0, 0, 0) - 1, u, "-0001-12-31T23:59:59+00:00");
    zone_free(u);
    char buf[40];
    timefmt_utc_ms(utc(-1, 1, 2, 3, 4, 5) * 1000 + 6, buf, sizeof(buf));
    assert_string_equal(buf, "-0001-01-02T03:04:05.006Z");
    timefmt_utc_ms(utc(10000, 1, 2, 3, 4, 5) * 1000, buf, sizeof(buf));
    assert_string_equal(buf, "+10000-01-02T03:04:05.000Z");
    timefmt_utc_ms(utc(0, 1, 2, 3, 4, 5) * 1000, buf, sizeof(buf));
    assert_string_equal(buf, "0000-01-02T03:04:05.000Z");
}

/* ------------------------------------------------------------ parsing */

static void test_parse_with_offsets(void **state)
{
    (void)state;
    struct zone *z = load_ok("America/New_York");
    int64_t want = utc(2026, 3, 8, 7, 0, 0);
    assert_int_equal(parse_ok("2026-03-08T03:00:00-04:00", z), want);
    assert_int_equal(parse_ok("2026-03-08 03:00:00-0400", z), want);
    assert_int_equal(parse_ok("2026-03-08T03:00-04", z), want);
    assert_int_equal(parse_ok("2026-03-08T07:00:00Z", z), want);
    assert_int_equal(parse_ok("2026-03-08t07:00:00z", z), want);
    assert_int_equal(parse_ok("2026-03-08T07:00:00.999Z", z), want);
    assert_int_equal(parse_ok("2026-03-08T07:00:00,5+00:00", z), want);
    assert_int_equal(parse_ok("2026-03-08T12:30:00+05:30", z), want);
    assert_int_equal(parse_ok("1849-12-31T19:03:58-04:56:02", z), utc(1850, 1, 1, 0, 0, 0));
    zone_free(z);
}

static void test_parse_local_plain(void **state)
{
    (void)state;
    struct zone *z = load_ok("Europe/Berlin");
    assert_int_equal(parse_ok("2026-07-01T12:00:00", z), utc(2026, 7, 1, 10, 0, 0));
    assert_int_equal(parse_ok("2026-01-01 12:00", z), utc(2026, 1, 1, 11, 0, 0));
    assert_int_equal(parse_ok("2026-01-01", z), utc(2025, 12, 31, 23, 0, 0));
    assert_int_equal(parse_ok("2024-02-29T00:00:00", z), utc(2024, 2, 28, 23, 0, 0));
    zone_free(z);
}

/* Spring forward: 02:30 does not exist in New York and reads as 03:30 EDT;
 * fall back: 01:30 happens twice and the first (EDT) is taken. */
static void test_parse_local_gap_and_repeat(void **state)
{
    (void)state;
    struct zone *z = load_ok("America/New_York");
    assert_int_equal(parse_ok("2026-03-08T02:30:00", z), utc(2026, 3, 8, 7, 30, 0));
    assert_int_equal(parse_ok("2026-03-08T02:00:00", z), utc(2026, 3, 8, 7, 0, 0));
    assert_int_equal(parse_ok("2026-03-08T01:59:59", z), utc(2026, 3, 8, 6, 59, 59));
    assert_int_equal(parse_ok("2026-03-08T03:00:00", z), utc(2026, 3, 8, 7, 0, 0));
    assert_int_equal(parse_ok("2026-11-01T01:30:00", z), utc(2026, 11, 1, 5, 30, 0));
    assert_int_equal(parse_ok("2026-11-01T00:59:59", z), utc(2026, 11, 1, 4, 59, 59));
    assert_int_equal(parse_ok("2026-11-01T02:00:00", z), utc(2026, 11, 1, 7, 0, 0));
    zone_free(z);
}

static void test_parse_local_half_hour_and_southern(void **state)
{
    (void)state;
    struct zone *lh = load_ok("Australia/Lord_Howe");
    /* 02:00-02:30 is skipped on 2024-10-06; 01:30-02:00 repeats on 04-07. */
    assert_int_equal(parse_ok("2024-10-06T02:15:00", lh), utc(2024, 10, 5, 15, 45, 0));
    assert_int_equal(parse_ok("2024-04-07T01:45:00", lh), utc(2024, 4, 6, 14, 45, 0));
    zone_free(lh);
    struct zone *sp = load_ok("America/Sao_Paulo");
    /* 23:00-24:00 on 2018-02-17 repeats; the first pass is still -02. */
    assert_int_equal(parse_ok("2018-02-17T23:30:00", sp), utc(2018, 2, 18, 1, 30, 0));
    /* 2018-11-04 00:00 did not exist: read with -03, it is 01:00 -02. */
    assert_int_equal(parse_ok("2018-11-04", sp), utc(2018, 11, 4, 3, 0, 0));
    zone_free(sp);
}

static void test_local_to_utc_direct(void **state)
{
    (void)state;
    struct zone *z = load_ok("Europe/Berlin");
    struct civil gap = {2024, 3, 31, 2, 30, 0}, rep = {2024, 10, 27, 2, 30, 0};
    assert_int_equal(timefmt_local_to_utc(civil_to_secs(&gap), z), utc(2024, 3, 31, 1, 30, 0));
    assert_int_equal(timefmt_local_to_utc(civil_to_secs(&rep), z), utc(2024, 10, 27, 0, 30, 0));
    zone_free(z);
    struct zone *u = NULL;
    assert_int_equal(zone_new_utc(&u), 0);
    assert_int_equal(timefmt_local_to_utc(123456, u), 123456);
    zone_free(u);
}

/* Output parses back to the same instant, every 17 minutes of two years
 * (both passes of each repeated hour included). */
static void test_round_trip(void **state)
{
    (void)state;
    static const char *const names[] = {"America/New_York", "Australia/Lord_Howe",
                                        "Pacific/Chatham", "UTC"};
    for (size_t i = 0; i < 4; i++) {
        struct zone *z = load_ok(names[i]);
        for (int64_t t = utc(2024, 1, 1, 0, 0, 0); t < utc(2026, 1, 1, 0, 0, 0); t += 17 * 60) {
            char buf[TIMEFMT_ISO_LEN];
            timefmt_iso(t, z, buf, sizeof(buf));
            if (parse_ok(buf, z) != t)
                fail_msg("%s: %s does not parse back to %lld", names[i], buf, (long long)t);
        }
        zone_free(z);
    }
}

static void test_parse_expanded_years(void **state)
{
    (void)state;
    struct zone *u = NULL;
    assert_int_equal(zone_new_utc(&u), 0);
    assert_int_equal(parse_ok("+10000-01-01T00:00:00+00:00", u), utc(10000, 1, 1, 0, 0, 0));
    assert_int_equal(parse_ok("+10000-01-01", u), utc(10000, 1, 1, 0, 0, 0));
    assert_int_equal(parse_ok("-0001-12-31T23:59:59+00:00", u), utc(-1, 12, 31, 23, 59, 59));
    assert_int_equal(parse_ok("-10000-06-01T12:00:00Z", u), utc(-10000, 6, 1, 12, 0, 0));
    assert_int_equal(parse_ok("0000-01-01T00:00:00Z", u), utc(0, 1, 1, 0, 0, 0));
    assert_int_equal(parse_ok("-0000-01-01", u), utc(0, 1, 1, 0, 0, 0));
    assert_int_equal(parse_ok("+2026-03-08T07:00:00Z", u), utc(2026, 3, 8, 7, 0, 0));
    assert_int_equal(parse_ok("+002026-03-08T07:00:00Z", u), utc(2026, 3, 8, 7, 0, 0));
    /* year -4 is a leap year, -1 (1 BC) is not */
    assert_int_equal(parse_ok("-0004-02-29", u), utc(-4, 2, 29, 0, 0, 0));
    assert_int_equal(parse_ok("+999999999-12-31T23:59:59Z", u),
                     utc(999999999, 12, 31, 23, 59, 59));
    assert_int_equal(parse_ok("-999999999-01-01T00:00:00Z", u), utc(-999999999, 1, 1, 0, 0, 0));
    /* a local year one beyond, when the offset brings the instant back */
    assert_int_equal(parse_ok("+1000000000-01-01T01:00:00+02:00", u),
                     utc(999999999, 12, 31, 23, 0, 0));
    assert_int_equal(parse_ok("-1000000000-12-31T23:00:00-02:00", u),
                     utc(-999999999, 1, 1, 1, 0, 0));
    zone_free(u);
    struct zone *z = load_ok("America/New_York");
    assert_int_equal(parse_ok("+10000-01-01T00:00:00", z), utc(10000, 1, 1, 5, 0, 0));
    assert_int_equal(parse_ok("+10000-07-01T00:00:00", z), utc(10000, 7, 1, 4, 0, 0));
    zone_free(z);
}

/* What timefmt_iso prints parses back, far from today too: the years
 * around 0 and 10000 and the ends of the range, in UTC and New York. */
static void test_round_trip_far_years(void **state)
{
    (void)state;
    static const int64_t years[] = {-999999999, -10001, -10000, -9999, -1, 0, 1,
                                    9999, 10000, 10001, 999999999};
    struct zone *zones[2];
    assert_int_equal(zone_new_utc(&zones[0]), 0);
    zones[1] = load_ok("America/New_York");
    for (size_t i = 0; i < sizeof(years) / sizeof(years[0]); i++) {
        int64_t t0 = utc(years[i], 1, 1, 0, 0, 0);
        for (int64_t t = t0 - 86400; t <= t0 + 86400; t += 3 * 3600 + 1) {
            for (size_t k = 0; k < 2; k++) {
                char buf[TIMEFMT_ISO_LEN];
                timefmt_iso(t, zones[k], buf, sizeof(buf));
                if (t >= TIMEFMT_MIN && t <= TIMEFMT_MAX && parse_ok(buf, zones[k]) != t)
                    fail_msg("%s does not parse back to %lld", buf, (long long)t);
            }
        }
    }
    zone_free(zones[0]);
    zone_free(zones[1]);
}

static void expect_invalid(const char *s, const char *needle)
{
    char err[256] = "";
    int64_t t = 42;
    struct zone *u = NULL;
    assert_int_equal(zone_new_utc(&u), 0);
    if (timefmt_parse(s, u, &t, err, sizeof(err)) == 0)
        fail_msg("accepted '%s'", s);
    zone_free(u);
    assert_int_equal(t, 42);
    if (strstr(err, needle) == NULL)
        fail_msg("'%s': message '%s' lacks '%s'", s, err, needle);
}

static void test_parse_invalid(void **state)
{
    (void)state;
    expect_invalid("2026-02-30", "day 30 out of range 1-28");
    expect_invalid("2023-02-29", "day 29 out of range 1-28");
    expect_invalid("2026-04-31T00:00", "day 31 out of range 1-30");
    expect_invalid("2026-13-01", "month 13 out of range 1-12");
    expect_invalid("2026-00-01", "month 0");
    expect_invalid("2026-01-00", "day 0");
    expect_invalid("2026-01-01T24:00", "hour 24 out of range 0-23");
    expect_invalid("2026-01-01T12:60", "minute 60");
    expect_invalid("2026-01-01T12:00:60", "second 60");
    expect_invalid("2026-01-01T12:00+26:00", "offset hour 26 out of range 0-25");
    expect_invalid("2026-01-01T12:00+05:75", "offset minute 75");
    expect_invalid("garbage", "year");
    expect_invalid("", "year");
    expect_invalid("2026-1-01", "month");
    expect_invalid("2026/01/01", "'-'");
    expect_invalid("2026-01-01T", "hour");
    expect_invalid("2026-01-01T12", "':'");
    expect_invalid("2026-01-01T12:00:00.", "digits after the decimal point");
    expect_invalid("2026-01-01T12:00:00Zjunk", "unexpected 'j'");
    expect_invalid("2026-01-01T12:00:00-04:00 ", "unexpected ' '");
    expect_invalid("2026-01-01Z", "unexpected 'Z'");
    expect_invalid("2026-01-01 ", "hour");
    expect_invalid("12026-01-01", "'-'");
    expect_invalid("12026-01-01", "more than 4 digits needs a sign (+12026)");
    expect_invalid("+202-01-01", "expected 4 or more year digits at column 2");
    expect_invalid("-12-01-01", "expected 4 or more year digits at column 2");
    expect_invalid("+-2026-01-01", "year digits");
    expect_invalid("2026-", "month");
    expect_invalid("-0001-02-29", "day 29 out of range 1-28");
    expect_invalid("+1000000001-01-01T00:00:00Z", "year out of range");
    expect_invalid("+99999999999999999999999-01-01", "year out of range");
    expect_invalid("+1000000000-01-01T00:00:00Z", "out of range");
    expect_invalid("-1000000000-12-31T23:59:59Z", "out of range");
    expect_invalid("2026-01-01T12:00:00+5", "offset hour");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_iso_new_york),
        cmocka_unit_test(test_iso_other_zones),
        cmocka_unit_test(test_iso_short_buffer),
        cmocka_unit_test(test_utc_ms),
        cmocka_unit_test(test_utc_seconds),
        cmocka_unit_test(test_iso_expanded_years),
        cmocka_unit_test(test_iso_negative_years),
        cmocka_unit_test(test_parse_with_offsets),
        cmocka_unit_test(test_parse_local_plain),
        cmocka_unit_test(test_parse_local_gap_and_repeat),
        cmocka_unit_test(test_parse_local_half_hour_and_southern),
        cmocka_unit_test(test_local_to_utc_direct),
        cmocka_unit_test(test_round_trip),
        cmocka_unit_test(test_parse_expanded_years),
        cmocka_unit_test(test_round_trip_far_years),
        cmocka_unit_test(test_parse_invalid),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
