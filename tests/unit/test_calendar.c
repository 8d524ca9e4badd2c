/* Unit tests of calendar: every row of tests/vectors/ as its own test
 * (data-driven), plus hand-written DST, never-fires and @every cases. */
#include "testutil.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "crond/calendar.h"
#include "crond/cronspec.h"
#include "crond/timefmt.h"
#include "crond/zone.h"

/* ------------------------------------------------------------------------ */
/* Vector rows                                                              */
/* ------------------------------------------------------------------------ */

enum row_kind { ROW_NEXT, ROW_INVALID, ROW_NEVER };

struct row {
    enum row_kind kind;
    char name[64];     /* "next_times.tsv CX-001" */
    char *cols[6];     /* id, expr, tz, start, expected, note (as present) */
    size_t ncols;
    char *buf;         /* owns the columns */
};

static struct zone_cache *zones;

static const struct zone *zone_or_fail(const char *name)
{
    char err[256];
    const struct zone *z = zone_cache_get(zones, name, err, sizeof err);
    if (z == NULL)
        fail_msg("zone %s: %s", name, err);
    return z;
}

static struct cronspec spec_or_fail(const char *expr)
{
    struct cronspec s;
    struct cronspec_error err;
    if (cronspec_parse(expr, NULL, &s, &err) != 0)
        fail_msg("'%s' rejected at col %d: %s", expr, err.col, err.msg);
    return s;
}

static int64_t time_or_fail(const char *iso, const struct zone *z)
{
    int64_t t;
    char err[256];
    if (timefmt_parse(iso, z, &t, err, sizeof err) != 0)
        fail_msg("start '%s': %s", iso, err);
    return t;
}

/* The next n fire times after `from`, space-separated as in the vectors. */
static void next_times(const char *expr, const char *tz, const char *from, int n, char *out,
                       size_t len)
{
    const struct zone *z = zone_or_fail(tz);
    struct cronspec s = spec_or_fail(expr);
    int64_t t = time_or_fail(from, z);
    size_t used = 0;
    out[0] = '\0';
    for (int i = 0; i < n; i++) {
        char iso[TIMEFMT_ISO_LEN];
        if (calendar_next(&s, z, t, &t) != CALENDAR_OK) {
            snprintf(out + used, len - used, "%sNEVER", i ? " " : "");
            return;
        }
        timefmt_iso(t, z, iso, sizeof iso);
        used += (size_t)snprintf(out + used, len - used, "%s%s", i ? " " : "", iso);
    }
}

static void run_next_row(void **state)
{
    struct row *r = *state;
    int n = 1;
    for (const char *p = r->cols[4]; *p; p++)
        n += *p == ' ';
    char got[4096];
    next_times(r->cols[1], r->cols[2], r->cols[3], n, got, sizeof got);
    if (strcmp(got, r->cols[4]) != 0)
        fail_msg("%s '%s' in %s after %s\n  expected %s\n  actual   %s", r->cols[0], r->cols[1],
                 r->cols[2], r->cols[3], r->cols[4], got);
}

static void run_invalid_row(void **state)
{
    struct row *r = *state;
    struct cronspec s;
    struct cronspec_error err = {0, ""};
    if (cronspec_parse(r->cols[1], NULL, &s, &err) == 0)
        fail_msg("%s '%s' accepted (%s)", r->cols[0], r->cols[1], r->cols[2]);
    assert_true(err.col >= 1 && err.col <= (int)strlen(r->cols[1]) + 1);
    assert_true(strlen(err.msg) > 10);
}

static void run_never_row(void **state)
{
    struct row *r = *state;
    const struct zone *z = zone_or_fail(r->cols[2]);
    struct cronspec s = spec_or_fail(r->cols[1]);
    int64_t next = 0;
    enum calendar_status st = calendar_next(&s, z, time_or_fail(r->cols[3], z), &next);
    if (st != CALENDAR_NEVER)
        fail_msg("%s '%s' fires (status %d, at %lld)", r->cols[0], r->cols[1], (int)st,
                 (long long)next);
}

static size_t split_tabs(char *line, char **cols, size_t max)
{
    size_t n = 0;
    line[strcspn(line, "\r\n")] = '\0';
    for (char *p = line; n < max; n++) {
        cols[n] = p;
        p = strchr(p, '\t');
        if (p == NULL)
            return n + 1;
        *p++ = '\0';
    }
    return n;
}

/* Appends one test per data line of file (the first line is the header). */
static size_t load_rows(const char *file, enum row_kind kind, struct row **rows, size_t n)
{
    char path[256], line[8192];
    snprintf(path, sizeof path, "%s/%s", TEST_VECTORS_DIR, file);
    FILE *f = fopen(path, "re");
    if (f == NULL) {
        perror(path);
        return n;
    }
    for (int lineno = 0; fgets(line, sizeof line, f) != NULL; lineno++) {
        if (lineno == 0 || line[0] == '\n')
            continue;
        *rows = realloc(*rows, (n + 1) * sizeof **rows);
        struct row *r = &(*rows)[n++];
        memset(r, 0, sizeof *r);
        r->kind = kind;
        r->buf = strdup(line);
        r->ncols = split_tabs(r->buf, r->cols, 6);
        snprintf(r->name, sizeof r->name, "%s %s", file, r->cols[0]);
    }
    fclose(f);
    return n;
}

/* ------------------------------------------------------------------------ */
/* Hand-written cases                                                       */
/* ------------------------------------------------------------------------ */

static void expect_times(const char *expr, const char *tz, const char *from, const char *want)
{
    char got[4096];
    int n = 1;
    for (const char *p = want; *p; p++)
        n += *p == ' ';
    next_times(expr, tz, from, n, got, sizeof got);
    if (strcmp(got, want) != 0)
        fail_msg("'%s' in %s after %s\n  expected %s\n  actual   %s", expr, tz, from, want, got);
}

static void test_issue_example(void **state)
{
    (void)state;
    expect_times("30 2 * * *", "America/New_York", "2026-03-07T12:00:00",
                 "2026-03-08T03:00:00-04:00 2026-03-09T02:30:00-04:00");
}

static void test_gap_fires_once_for_several_skipped_times(void **state)
{
    (void)state;
    /* 02:00, 02:15, 02:45 are all skipped: one run at 03:00, then 03:15 is
     * not in the schedule, next day back to normal */
    expect_times("0,15,45 2 * * *", "America/New_York", "2024-03-10T00:00:00",
                 "2024-03-10T03:00:00-04:00 2024-03-11T02:00:00-04:00 2024-03-11T02:15:00-04:00");
    /* a fixed job at the first minute after the gap is not run twice */
    expect_times("0 2,3 * * *", "America/New_York", "2024-03-10T00:00:00",
                 "2024-03-10T03:00:00-04:00 2024-03-11T02:00:00-04:00");
    /* seconds schedules: fixed-time too, one run after the gap */
    expect_times("*/20 30 2 * * * *", "America/New_York", "2024-03-10T00:00:00",
                 "2024-03-10T03:00:00-04:00 2024-03-11T02:30:00-04:00");
}

static void test_lord_howe_half_hour_shift(void **state)
{
    (void)state;
    /* Lord Howe: 2024-10-06 02:00 +10:30 -> 02:30 +11:00 (30 minutes skipped)
     * and 2024-04-07 02:00 +11:00 -> 01:30 +10:30 (01:30-02:00 twice) */
    expect_times("15 2 * * *", "Australia/Lord_Howe", "2024-10-06T00:00:00",
                 "2024-10-06T02:30:00+11:00 2024-10-07T02:15:00+11:00");
    expect_times("*/15 2 * * *", "Australia/Lord_Howe", "2024-10-06T01:50:00",
                 "2024-10-06T02:30:00+11:00 2024-10-06T02:45:00+11:00");
    expect_times("45 1 * * *", "Australia/Lord_Howe", "2024-04-07T00:00:00",
                 "2024-04-07T01:45:00+11:00 2024-04-08T01:45:00+10:30");
    expect_times("45 * * * *", "Australia/Lord_Howe", "2024-04-07T01:00:00+11:00",
                 "2024-04-07T01:45:00+11:00 2024-04-07T01:45:00+10:30 2024-04-07T02:45:00+10:30");
}

static void test_never_fires(void **state)
{
    (void)state;
    const char *never[] = {"0 0 30 2 *", "0 0 31 4,6,9,11 *", "0 0 30,31 2 *",
                           "0 0 * * * 2020", "0 0 29 2 * 2097-2099"};
    const struct zone *z = zone_or_fail("UTC");
    int64_t from = time_or_fail("2026-12-01T00:00:00Z", z), t;
    for (size_t i = 0; i < sizeof never / sizeof never[0]; i++) {
        struct cronspec s = spec_or_fail(never[i]);
        if (calendar_next(&s, z, from, &t) != CALENDAR_NEVER)
            fail_msg("'%s' should never fire", never[i]);
    }
    /* rare but possible: Friday the 29th of February (2036) */
    struct cronspec s = spec_or_fail("0 0 29 2 * 2030-2099");
    assert_int_equal(calendar_next(&s, z, from, &t), CALENDAR_OK);
    /* Feb 29 on a Monday in a wildcard-year schedule: AND needs '*' start */
    expect_times("0 0 29 2 ?", "UTC", "2026-12-01T00:00:00Z", "2028-02-29T00:00:00+00:00");
    /* fires only inside a New York DST gap with wildcard minutes: never */
    s = spec_or_fail("*/10 2 10 3 * 2024");
    assert_int_equal(calendar_next(&s, zone_or_fail("America/New_York"), from - 86400 * 1200, &t),
                     CALENDAR_NEVER);
}

static void test_not_calendar_kinds(void **state)
{
    (void)state;
    int64_t t;
    struct cronspec s = spec_or_fail("@reboot");
    assert_int_equal(calendar_next(&s, zone_or_fail("UTC"), 0, &t), CALENDAR_NOT_CALENDAR);
    s = spec_or_fail("@every 5m");
    assert_int_equal(calendar_next(&s, zone_or_fail("UTC"), 0, &t), CALENDAR_NOT_CALENDAR);
    assert_int_equal(calendar_next_every(300000, 1000, 1000), 301000);
    assert_int_equal(calendar_next_every(300000, 1000, 300999), 301000);
    assert_int_equal(calendar_next_every(300000, 1000, 301000), 601000);
    assert_int_equal(calendar_next_every(300000, 1000, 0), 301000);
}

static void test_far_years(void **state)
{
    (void)state;
    expect_times("0 12 L 2 *", "America/New_York", "2399-03-01T00:00:00",
                 "2400-02-29T12:00:00-05:00 2401-02-28T12:00:00-05:00");
    expect_times("0 0 1 1 *", "UTC", "2037-12-31T23:00:00Z",
                 "2038-01-01T00:00:00+00:00 2039-01-01T00:00:00+00:00");
}

static int setup(void **state)
{
    (void)state;
    zones = zone_cache_new(NULL);
    return zones == NULL ? -1 : 0;
}

static int teardown(void **state)
{
    (void)state;
    zone_cache_free(zones);
    return 0;
}

int main(void)
{
    static const struct CMUnitTest fixed[] = {
        cmocka_unit_test(test_issue_example),
        cmocka_unit_test(test_gap_fires_once_for_several_skipped_times),
        cmocka_unit_test(test_lord_howe_half_hour_shift),
        cmocka_unit_test(test_never_fires),
        cmocka_unit_test(test_not_calendar_kinds),
        cmocka_unit_test(test_far_years),
    };
    struct row *rows = NULL;
    size_t n = load_rows("next_times.tsv", ROW_NEXT, &rows, 0);
    n = load_rows("invalid.tsv", ROW_INVALID, &rows, n);
    n = load_rows("never_fires.tsv", ROW_NEVER, &rows, n);
    size_t nfixed = sizeof fixed / sizeof fixed[0];
    struct CMUnitTest *tests = calloc(n + nfixed, sizeof *tests);
    if (tests == NULL || n < 200)
        return fprintf(stderr, "vectors missing: %zu rows\n", n), 1;
    memcpy(tests, fixed, sizeof fixed);
    for (size_t i = 0; i < n; i++) {
        static void (*const run[])(void **) = {run_next_row, run_invalid_row, run_never_row};
        tests[nfixed + i] = (struct CMUnitTest){rows[i].name, run[rows[i].kind], NULL, NULL, &rows[i]};
    }
    int failed = _cmocka_run_group_tests("calendar", tests, n + nfixed, setup, teardown);
    for (size_t i = 0; i < n; i++)
        free(rows[i].buf);
    free(rows);
    free(tests);
    return failed;
}
