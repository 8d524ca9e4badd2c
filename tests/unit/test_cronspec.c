/* Unit tests of cronspec: every field form, the flags, and the errors with
 * their columns. The invalid vectors of tests/vectors/invalid.tsv are run in
 * test_calendar.c together with the other vector files. */
#include "testutil.h"

#include <string.h>

#include "crond/cronspec.h"
#include "crond/util.h"

#define BIT(n) (UINT64_C(1) << (n))

static struct cronspec parse_ok(const char *text)
{
    struct cronspec s;
    struct cronspec_error err = {0, ""};
    int rc = cronspec_parse(text, NULL, &s, &err);
    if (rc != 0)
        fail_msg("'%s' rejected at col %d: %s", text, err.col, err.msg);
    return s;
}

static void expect_error(const char *text, int col, const char *msg_part)
{
    struct cronspec s;
    struct cronspec_error err = {0, ""};
    if (cronspec_parse(text, NULL, &s, &err) == 0)
        fail_msg("'%s' accepted, expected an error at col %d", text, col);
    if (err.col != col || strstr(err.msg, msg_part) == NULL)
        fail_msg("'%s': got col %d '%s', expected col %d containing '%s'", text, err.col,
                 err.msg, col, msg_part);
}

static uint64_t range_bits(int lo, int hi, int step)
{
    uint64_t b = 0;
    for (int v = lo; v <= hi; v += step)
        b |= BIT(v);
    return b;
}

static void test_five_fields_stars(void **state)
{
    (void)state;
    struct cronspec s = parse_ok("* * * * *");
    assert_int_equal(s.kind, CRONSPEC_CALENDAR);
    assert_true(s.sec == BIT(0));
    assert_true(s.min == range_bits(0, 59, 1));
    assert_true(s.hour == range_bits(0, 23, 1));
    assert_true(s.dom == range_bits(1, 31, 1));
    assert_true(s.mon == range_bits(1, 12, 1));
    assert_true(s.dow == range_bits(0, 6, 1));
    unsigned want = CRONSPEC_MIN_STAR | CRONSPEC_HOUR_STAR | CRONSPEC_DOM_STAR
                  | CRONSPEC_DOW_STAR | CRONSPEC_YEAR_ANY;
    assert_int_equal(s.flags, want);
    assert_false(cronspec_is_fixed_time(&s));
}

static void test_values_ranges_steps(void **state)
{
    (void)state;
    struct cronspec s = parse_ok("5,10-20/5,*/30 0-23/6 1/10 */4 1-5");
    assert_true(s.min == (BIT(5) | BIT(10) | BIT(15) | BIT(20) | BIT(0) | BIT(30)));
    assert_true(s.hour == (BIT(0) | BIT(6) | BIT(12) | BIT(18)));
    assert_true(s.dom == (BIT(1) | BIT(11) | BIT(21) | BIT(31)));
    assert_true(s.mon == (BIT(1) | BIT(5) | BIT(9)));
    assert_true(s.dow == range_bits(1, 5, 1));
    assert_int_equal(s.flags, CRONSPEC_YEAR_ANY); /* min starts with 5: no MIN_STAR */
    assert_true(cronspec_is_fixed_time(&s));
}

static void test_n_slash_step_runs_to_max(void **state)
{
    (void)state;
    struct cronspec s = parse_ok("50/5 20/2 * * Mon/2");
    assert_true(s.min == (BIT(50) | BIT(55)));
    assert_true(s.hour == (BIT(20) | BIT(22)));
    /* Mon/2 is Mon-Sat/2: Monday, Wednesday, Friday (not Sunday as 7) */
    assert_true(s.dow == (BIT(1) | BIT(3) | BIT(5)));
    /* found by the property test: a written one-value range stays one value,
     * and N/step at the last weekday does not reach Sunday-as-7 */
    s = parse_ok("15-15/7 * * * 6/1");
    assert_true(s.min == BIT(15));
    assert_true(s.dow == BIT(6));
    assert_true(parse_ok("0 0 * * 7/3").dow == BIT(0));
}

static void test_names_any_case_and_full(void **state)
{
    (void)state;
    struct cronspec s = parse_ok("0 0 1 JAN,february,Mar-May,DECEMBER mon-WEDNESDAY,Friday");
    assert_true(s.mon == (BIT(1) | BIT(2) | BIT(3) | BIT(4) | BIT(5) | BIT(12)));
    assert_true(s.dow == (BIT(1) | BIT(2) | BIT(3) | BIT(5)));
    expect_error("0 0 1 janu *", 7, "month: expected a number or a name like jan, got 'janu'");
    expect_error("0 0 * * mo", 9, "day of week");
    expect_error("0 0 * jan-x *", 11, "got 'x'");
    expect_error("0 mon * * *", 3, "hour: expected a number, got 'mon'");
}

static void test_sunday_zero_and_seven(void **state)
{
    (void)state;
    assert_true(parse_ok("0 0 * * 7").dow == BIT(0));
    assert_true(parse_ok("0 0 * * 0,7").dow == BIT(0));
    assert_true(parse_ok("0 0 * * 5-7").dow == (BIT(5) | BIT(6) | BIT(0)));
    /* a range ending on Sunday written as 0 ends at 7 */
    assert_true(parse_ok("0 0 * * wed-sun").dow == (BIT(3) | BIT(4) | BIT(5) | BIT(6) | BIT(0)));
    assert_true(parse_ok("0 0 * * 3-0").dow == (BIT(3) | BIT(4) | BIT(5) | BIT(6) | BIT(0)));
    assert_true(parse_ok("0 0 * * sun-tue").dow == (BIT(0) | BIT(1) | BIT(2)));
    expect_error("0 0 * * 8", 9, "day of week 8 out of range 0-7");
}

static void test_question_mark_and_star_flags(void **state)
{
    (void)state;
    struct cronspec s = parse_ok("0 12 ? * MON");
    assert_true(s.flags & CRONSPEC_DOM_STAR);
    assert_false(s.flags & CRONSPEC_DOW_STAR);
    assert_true(s.dom == range_bits(1, 31, 1));
    s = parse_ok("*/10 2 * * *");
    assert_true(s.flags & CRONSPEC_MIN_STAR);
    assert_false(cronspec_is_fixed_time(&s));
    s = parse_ok("0 */2 * * *");
    assert_true(s.flags & CRONSPEC_HOUR_STAR);
    assert_false(cronspec_is_fixed_time(&s));
    s = parse_ok("0-59 2 * * *"); /* written without '*': fixed-time by cronie's rule */
    assert_true(cronspec_is_fixed_time(&s));
    expect_error("? * * * *", 1, "'?' is only allowed in the day fields");
    expect_error("0 0 * * * ?", 11, "'?' is only allowed in the day fields");
}

static void test_dom_extensions(void **state)
{
    (void)state;
    struct cronspec s = parse_ok("0 0 L * *");
    assert_true(s.flags & CRONSPEC_DOM_LAST);
    assert_int_equal(s.dom, 0);
    assert_false(s.flags & CRONSPEC_DOM_STAR);
    s = parse_ok("0 0 lw * *");
    assert_true(s.flags & CRONSPEC_DOM_LASTWD);
    s = parse_ok("0 0 15W,1,L * *");
    assert_true(s.dom_near == BIT(15));
    assert_true(s.dom == BIT(1));
    assert_true(s.flags & CRONSPEC_DOM_LAST);
    expect_error("0 0 32W * *", 5, "day of month 32 out of range 1-31");
    expect_error("0 0 W * *", 5, "day of month: expected a number, got 'W'");
}

static void test_dow_extensions(void **state)
{
    (void)state;
    struct cronspec s = parse_ok("0 0 * * 5L");
    assert_true(s.dow_last == BIT(5));
    assert_int_equal(s.dow, 0);
    assert_true(parse_ok("0 0 * * FRIL").dow_last == BIT(5));
    assert_true(parse_ok("0 0 * * fridayL").dow_last == BIT(5));
    assert_true(parse_ok("0 0 * * 7L").dow_last == BIT(0));
    s = parse_ok("0 0 * * FRI#3,mon#1");
    assert_true(s.dow_nth[5] == BIT(3));
    assert_true(s.dow_nth[1] == BIT(1));
    expect_error("0 0 * * FRI#6", 13, "expected 1-5 after '#'");
    expect_error("0 0 * * FRI#", 13, "expected 1-5 after '#'");
    expect_error("0 0 * * L", 9, "day of week");
}

static void test_six_and_seven_fields(void **state)
{
    (void)state;
    struct cronspec s = parse_ok("0 0 1 1 * 2030");
    assert_false(s.flags & CRONSPEC_YEAR_ANY);
    assert_false(s.flags & CRONSPEC_SECONDS);
    assert_true(cronspec_year_matches(&s, 2030));
    assert_false(cronspec_year_matches(&s, 2031));
    assert_true(s.sec == BIT(0));
    s = parse_ok("*/15 0 0 1 1 * 2025-2027,2099");
    assert_true(s.flags & CRONSPEC_SECONDS);
    assert_true(s.sec == (BIT(0) | BIT(15) | BIT(30) | BIT(45)));
    assert_true(cronspec_year_matches(&s, 2026) && cronspec_year_matches(&s, 2099));
    assert_false(cronspec_year_matches(&s, 2028) || cronspec_year_matches(&s, 2100));
    s = parse_ok("0 0 0 1 1 * *");
    assert_true(s.flags & CRONSPEC_YEAR_ANY);
    assert_true(cronspec_year_matches(&s, 2400));
    s = parse_ok("0 0 29 2 * 2025,*");
    assert_true(s.flags & CRONSPEC_YEAR_ANY);
    s = parse_ok("0 0 1 1 * */50");
    assert_true(cronspec_year_matches(&s, 1970) && cronspec_year_matches(&s, 2070));
    assert_false(cronspec_year_matches(&s, 2071) || cronspec_year_matches(&s, 2120));
    expect_error("0 0 1 1 * 1969", 11, "year 1969 out of range 1970-2099");
    expect_error("60 0 0 1 1 * *", 1, "second 60 out of range 0-59");
}

static void test_macros(void **state)
{
    (void)state;
    struct cronspec daily = parse_ok("@daily"), want = parse_ok("0 0 * * *");
    assert_memory_equal(&daily, &want, sizeof daily);
    struct cronspec m = parse_ok("@midnight");
    assert_memory_equal(&m, &want, sizeof m);
    m = parse_ok("@HOURLY");
    want = parse_ok("0 * * * *");
    assert_memory_equal(&m, &want, sizeof m);
    assert_false(cronspec_is_fixed_time(&m));
    m = parse_ok("@yearly");
    want = parse_ok("@annually");
    assert_memory_equal(&m, &want, sizeof m);
    assert_true(parse_ok("@weekly").dow == BIT(0));
    assert_true(parse_ok("@monthly").dom == BIT(1));
    assert_int_equal(parse_ok("@reboot").kind, CRONSPEC_REBOOT);
    m = parse_ok("@every 1h30m");
    assert_int_equal(m.kind, CRONSPEC_EVERY);
    assert_int_equal(m.every_ms, 5400000);
    expect_error("@every", 7, "@every: expected a duration");
    expect_error("@every 500ms", 8, "at least 1s");
    expect_error("@every 5x", 8, "@every:");
    expect_error("@fortnightly", 1, "unknown macro '@fortnightly'");
    expect_error("@ daily", 2, "expected a macro name after '@'");
    expect_error("@daily now", 8, "unexpected 'now' after @daily");
}

static void test_errors_name_field_and_column(void **state)
{
    (void)state;
    expect_error("0 0 32 * *", 5, "day of month 32 out of range 1-31");
    expect_error("0 24 * * *", 3, "hour 24 out of range 0-23");
    expect_error("0 0 * 13 *", 7, "month 13 out of range 1-12");
    expect_error("10-5 * * * *", 4, "minute range 10-5 is reversed");
    expect_error("*/0 * * * *", 3, "step 0 out of range: expected 1 or more");
    expect_error("1,,2 * * * *", 3, "expected a value");
    expect_error("1, * * * *", 3, "expected a value after ','");
    expect_error("* * * *", 8, "expected 5, 6 or 7 fields, found 4");
    expect_error("* * * * * * * *", 15, "found more than 7");
    expect_error("", 1, "expected a schedule");
    expect_error("0-10000000 * * * *", 3, "minute 10000000 out of range 0-59");
    expect_error("1-1_0 * * * *", 4, "unexpected '_0'");
}

/* ------------------------------------------------------------------------ */
/* Drop-in syntax of other crons (DESIGN.md section 9)                      */
/* ------------------------------------------------------------------------ */

static struct cronspec parse_seeded(const char *text, uint64_t seed,
                                    struct cronspec_warnings *warns)
{
    struct cronspec s;
    struct cronspec_error err = {0, ""};
    struct cronspec_opts o = {seed, warns};
    if (cronspec_parse(text, &o, &s, &err) != 0)
        fail_msg("'%s' rejected at col %d: %s", text, err.col, err.msg);
    return s;
}

/* The flags but QUIET: what a '-' must leave alone. */
static void expect_same_but_quiet(const char *with, const char *without)
{
    struct cronspec a = parse_ok(with), b = parse_ok(without);
    if (!(a.flags & CRONSPEC_QUIET))
        fail_msg("'%s' has no QUIET flag", with);
    if (b.flags & CRONSPEC_QUIET)
        fail_msg("'%s' has the QUIET flag", without);
    a.flags &= ~(unsigned)CRONSPEC_QUIET;
    assert_memory_equal(&a, &b, sizeof a);
}

/* cronie's '-' before the schedule, in every form. */
static void test_quiet_prefix(void **state)
{
    (void)state;
    static const char *const pairs[][2] = {
        {"-*/5 * * * *", "*/5 * * * *"},
        {"-@daily", "@daily"},
        {"-@reboot", "@reboot"},
        {"-@every 5m", "@every 5m"},
        {"-0 0 1 1 * 2030", "0 0 1 1 * 2030"},
        {"-*/10 * * * * * *", "*/10 * * * * * *"},
        {"  -5 4 * * sun", "5 4 * * sun"},
    };
    for (size_t i = 0; i < UTIL_COUNT_OF(pairs); i++)
        expect_same_but_quiet(pairs[i][0], pairs[i][1]);
    expect_error("-", 2, "expected a schedule right after '-'");
    expect_error("- * * * * *", 2, "expected a schedule right after '-'");
    expect_error("--5 * * * *", 2, "minute: expected a number, got '-5'");
    expect_error("-@dailyx", 2, "unknown macro '@dailyx'");
    /* in a crontab line: the rest starts after the schedule as usual */
    struct cronspec s;
    struct cronspec_error err = {0, ""};
    size_t rest = 0;
    assert_int_equal(cronspec_parse_prefix("-*/5 * * * * cmd", NULL, &s, &rest, &err), 0);
    assert_int_equal(rest, 13);
    assert_true(s.flags & CRONSPEC_QUIET);
    assert_int_equal(cronspec_parse_prefix("-@every 1m cmd", NULL, &s, &rest, &err), 0);
    assert_int_equal(rest, 11);
    assert_true(s.flags & CRONSPEC_QUIET);
    assert_int_equal(s.every_ms, 60000);
}

/* The bits of a field of s. */
static uint64_t field_bits(const struct cronspec *s, int field)
{
    switch (field) {
    case 0: return s->sec;
    case 1: return s->min;
    case 2: return s->hour;
    case 3: return s->dom;
    case 4: return s->mon;
    case 5: return s->dow;
    default: return s->year[1] | s->year[2] ? 0 : s->year[0]; /* the rows: 2030-2033 */
    }
}

/* '~', A~, ~B, A~B: exactly one value of the range, for every seed; the
 * whole range is reached; the same seed gives the same value. */
static void test_random_ranges(void **state)
{
    (void)state;
    static const struct {
        const char *expr;
        int field;          /* 0 sec .. 5 dow, 6 year (as bits: year - 1970) */
        int lo, hi;         /* the bits it may set */
    } rows[] = {
        {"~ * * * *", 1, 0, 59},
        {"10~20 * * * *", 1, 10, 20},
        {"45~ * * * *", 1, 45, 59},
        {"~5 * * * *", 1, 0, 5},
        {"7~7 * * * *", 1, 7, 7},
        {"0 ~ * * *", 2, 0, 23},
        {"0 0 ~ * *", 3, 1, 31},
        {"0 0 ~28 * *", 3, 1, 28},
        {"0 0 1 ~ *", 4, 1, 12},
        {"0 0 1 mar~may *", 4, 3, 5},
        {"0 0 * * ~", 5, 0, 6},
        {"0 0 * * mon~fri", 5, 1, 5},
        {"0 0 * * fri~", 5, 5, 6},
        {"0 0 * * ~tue", 5, 0, 2},
        {"~ 0 0 1 1 * *", 0, 0, 59},
        {"0 0 1 1 * 2030~2033", 6, 60, 63},
    };
    for (size_t i = 0; i < UTIL_COUNT_OF(rows); i++) {
        uint64_t seen = 0;
        for (uint64_t seed = 1; seed <= 1000; seed++) {
            struct cronspec s = parse_seeded(rows[i].expr, seed * 0x9e3779b97f4a7c15u, NULL);
            struct cronspec again = parse_seeded(rows[i].expr, seed * 0x9e3779b97f4a7c15u, NULL);
            assert_memory_equal(&s, &again, sizeof s);
            assert_true(s.flags & CRONSPEC_RANDOM);
            uint64_t b = field_bits(&s, rows[i].field);
            if (b == 0 || (b & (b - 1)) != 0)
                fail_msg("'%s': not one value (bits %llx)", rows[i].expr, (unsigned long long)b);
            int v = __builtin_ctzll(b);
            if (v < rows[i].lo || v > rows[i].hi)
                fail_msg("'%s': %d outside %d-%d", rows[i].expr, v, rows[i].lo, rows[i].hi);
            seen |= b;
        }
        /* 1000 draws reach every value of ranges up to 60 */
        for (int v = rows[i].lo; v <= rows[i].hi; v++)
            if (!((seen >> v) & 1))
                fail_msg("'%s': %d never drawn", rows[i].expr, v);
    }
    /* Saturday~Sunday: 6 or Sunday (7 is 0) */
    for (uint64_t seed = 0; seed < 50; seed++) {
        uint8_t dow = parse_seeded("0 0 * * sat~sun", seed, NULL).dow;
        assert_true(dow == BIT(6) || dow == BIT(0));
    }
    /* a random value is a fixed value: cronie's DST rules for fixed times,
     * and a restricted day field */
    struct cronspec s = parse_seeded("~ ~ ~ * *", 42, NULL);
    assert_true(cronspec_is_fixed_time(&s));
    assert_false(s.flags & (CRONSPEC_MIN_STAR | CRONSPEC_HOUR_STAR | CRONSPEC_DOM_STAR));
    assert_false(parse_ok("0 0 * * *").flags & CRONSPEC_RANDOM);
    expect_error("20~10 * * * *", 4, "minute random range 20~10 is reversed");
    expect_error("~/5 * * * *", 2, "minute: a random value ('~') takes no step");
    expect_error("0~60 * * * *", 3, "minute 60 out of range 0-59");
    expect_error("0 0 * * ~#2", 10, "day of week: expected a number, got '#2'");
    expect_error("*~5 * * * *", 2, "minute: unexpected '~5'");
}

/* Fields and items draw on their own: "~ ~" is not one value twice, and
 * two items of one field differ as often as chance has it. */
static void test_random_fields_independent(void **state)
{
    (void)state;
    int same_field = 0, same_item = 0;
    for (uint64_t seed = 1; seed <= 600; seed++) {
        struct cronspec s = parse_seeded("~ ~ * * *", seed, NULL);
        int min = __builtin_ctzll(s.min), hour = __builtin_ctzll(s.hour);
        same_field += min % 24 == hour;
        s = parse_seeded("0~23,0~23 * * * *", seed, NULL);
        same_item += (s.min & (s.min - 1)) == 0; /* one bit: both drew the same */
    }
    /* by chance 1 in 24 of 600: 25; equal draws would give 600 */
    assert_in_range(same_field, 5, 60);
    assert_in_range(same_item, 5, 60);
}

/* The seed: words of the job's text, nothing else; and the drawn values
 * never change between versions (replicas of different versions, and a
 * job after an upgrade, keep their times). */
static void test_seed(void **state)
{
    (void)state;
    const char *a = "~ 3 * * * backup --full";
    static const struct {
        const char *text;
        bool same;
    } rows[] = {
        {" ~\t3  * * *   backup --full  ", true},  /* blanks do not count */
        {"-~ 3 * * * backup --full", true},          /* nor does cronie's '-' */
        {"~ 3 * * * backup --fast", false},
        {"~ 3 * * * backup--full", false},           /* words do */
        {"~ 3 * * * backup --full x", false},
        {"~ 4 * * * backup --full", false},
    };
    uint64_t seed = cronspec_seed(a, strlen(a));
    for (size_t i = 0; i < UTIL_COUNT_OF(rows); i++)
        if ((cronspec_seed(rows[i].text, strlen(rows[i].text)) == seed) != rows[i].same)
            fail_msg("seed of '%s' %s that of '%s'", rows[i].text,
                     rows[i].same ? "differs from" : "equals", a);
    /* the same text as an INI job's schedule and command */
    assert_true(seed == cronspec_seed_add(cronspec_seed("~ 3 * * *", 9), "backup --full", 13));
    /* only len bytes count */
    assert_true(seed == cronspec_seed("~ 3 * * * backup --fullXXX", strlen(a)));
    /* golden values: changing them moves every job's random time */
    assert_int_equal(__builtin_ctzll(parse_seeded("~ 3 * * *", seed, NULL).min), 2);
    assert_int_equal(cronspec_pick(seed, CRONSPEC_PICK_DELAY, 3600), 3367);
    assert_int_equal(cronspec_pick(1, 0, 1000), 289);
    /* picks stay below n, and n = 1 gives 0 */
    for (uint32_t w = 0; w < 1000; w++) {
        assert_true(cronspec_pick(seed, w, 7) < 7);
        assert_int_equal(cronspec_pick(seed, w, 1), 0);
    }
}

/* A day-of-month range may end in L: to the last day of each month. */
static void test_dom_range_to_last(void **state)
{
    (void)state;
    struct cronspec s = parse_ok("0 0 29-L * *");
    assert_true(s.dom == (BIT(29) | BIT(30) | BIT(31)));
    assert_false(s.flags & CRONSPEC_DOM_STAR);
    assert_true(parse_ok("0 0 1-l/10 * *").dom == (BIT(1) | BIT(11) | BIT(21) | BIT(31)));
    assert_true(parse_ok("0 0 31-L,1 * *").dom == (BIT(1) | BIT(31)));
    static const struct {
        int64_t year;
        int mon;
        int first, last;    /* days 29-L matches: first..last, none when first > last */
    } months[] = {
        {2023, 2, 1, 0},    /* 28 days: none, as croniter */
        {2024, 2, 29, 29},  /* leap year: the 29th */
        {2024, 4, 29, 30},
        {2024, 12, 29, 31},
    };
    for (size_t i = 0; i < UTIL_COUNT_OF(months); i++)
        for (int d = 1; d <= 31; d++) {
            bool want = d >= months[i].first && d <= months[i].last;
            if (cronspec_day_matches(&s, months[i].year, months[i].mon, d) != want)
                fail_msg("29-L on %lld-%02d-%02d: %d", (long long)months[i].year, months[i].mon,
                         d, !want);
        }
    expect_error("0 0 L-5 * *", 6, "day of month: unexpected '-5'");
    expect_error("0 0 29-LW * *", 8, "day of month: expected a number, got 'LW'");
    expect_error("0 0 * * 1-L", 11, "day of week: expected a number or a name like sun, got 'L'");
    expect_error("0 L * * *", 3, "hour: expected a number, got 'L'");
}

/* Warnings: the column of the token and what to write instead. */
struct warn_row {
    const char *expr;
    int col;               /* 0: no warning */
    const char *msg_part;
};

static void expect_warnings(const struct warn_row *rows, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        struct cronspec_warnings w;
        (void)parse_seeded(rows[i].expr, 0, &w);
        if (rows[i].col == 0) {
            if (w.n != 0)
                fail_msg("'%s': unexpected warning at col %d: %s", rows[i].expr, w.items[0].col,
                         w.items[0].msg);
            continue;
        }
        if (w.n != 1 || w.items[0].col != rows[i].col
            || strstr(w.items[0].msg, rows[i].msg_part) == NULL)
            fail_msg("'%s': %zu warnings, first col %d '%s'; want col %d with '%s'",
                     rows[i].expr, w.n, w.n ? w.items[0].col : 0, w.n ? w.items[0].msg : "",
                     rows[i].col, rows[i].msg_part);
    }
}

/* A step larger than its field fires once, at the range's first value. */
static void test_step_larger_than_field(void **state)
{
    (void)state;
    static const struct warn_row rows[] = {
        {"*/100 * * * *", 3, "minute: step 100 is larger than the field (0-59), so only 0 "
                             "matches (as in cronie): write 0"},
        {"5/100 * * * *", 3, "only 5 matches"},
        {"10-20/61 * * * *", 7, "only 10 matches"},
        {"0 */25 * * *", 5, "hour: step 25"},
        {"0 0 */32 * *", 7, "day of month: step 32 is larger than the field (1-31), so only 1"},
        {"0 0 * */13 *", 9, "month: step 13"},
        {"0 0 * * mon/9", 13, "day of week: step 9 is larger than the field (0-7), so only 1"},
        {"*/99999999999 0 0 1 1 * *", 3, "second: step 2147483647"},
        {"0 0 1 1 * */131", 13, "year: step 131"},
        {"*/60 * * * *", 0, NULL},  /* not larger: fires at 0 only, silently as before */
        {"0 0 * * */8", 0, NULL},
        {"0 0 1 1 * */130", 0, NULL},
    };
    expect_warnings(rows, UTIL_COUNT_OF(rows));
    assert_true(parse_ok("*/100 * * * *").min == BIT(0));
    assert_true(parse_ok("5/100 * * * *").min == BIT(5));
    assert_true(parse_ok("10-20/61,30 * * * *").min == (BIT(10) | BIT(30)));
    assert_true(parse_ok("0 0 * * mon/9").dow == BIT(1));
    assert_true(parse_ok("*/99999999999 0 0 1 1 * *").sec == BIT(0));
    /* at most CRONSPEC_WARNINGS_MAX are kept */
    struct cronspec_warnings w;
    (void)parse_seeded("*/90,*/91,*/92,*/93,*/94,*/95 * * * *", 0, &w);
    assert_int_equal(w.n, CRONSPEC_WARNINGS_MAX);
    assert_int_equal(w.items[3].col, 18);
}

/* The day rule and a year '*' in 6 fields. */
static void test_schedule_warnings(void **state)
{
    (void)state;
    static const struct warn_row rows[] = {
        {"0 16 */2 * sat", 6, "day of month '*/2' has a step but starts with '*' while day of "
                              "week is restricted: a day must match both, as in cron "
                              "(supercronic: either); for either, write 1-31/2"},
        {"0 0 1,15 * */2", 12, "day of week '*/2' has a step but starts with '*' while day of "
                               "month is restricted"},
        {"0 0 ?/3 * mon", 5, "for either, write 1-31/3"},
        {"0 0 1 * */2,6", 9, "write 0-6/2,6"},
        {"0 0 0 */2 * fri *", 7, "day of month '*/2'"},
        {"0 16 */2 * *", 0, NULL},     /* nothing restricted beside it */
        {"0 16 1-31/2 * sat", 0, NULL}, /* both restricted: either, everywhere */
        {"0 16 */2 * */3", 0, NULL},
        {"0 16 * * sat", 0, NULL},
        {"* * * * * *", 11, "year '*' in a 6-field schedule (M H DOM MON DOW YEAR) matches every "
                            "year: for a seconds field first, write 7 fields (S M H DOM MON DOW "
                            "YEAR): '* * * * * * *'"},
        {"*/5 1 * * * *", 13, "'*/5 1 * * * * *'"},
        {"* * * * * 2030", 0, NULL},
        {"* * * * * * *", 0, NULL},
        {"* * * * * */2", 0, NULL},
        {"@daily", 0, NULL},
    };
    expect_warnings(rows, UTIL_COUNT_OF(rows));
}

/* A line's warnings are those of the reading that won. */
static void test_prefix_warnings(void **state)
{
    (void)state;
    struct cronspec s;
    struct cronspec_error err = {0, ""};
    struct cronspec_warnings w;
    struct cronspec_opts o = {0, &w};
    size_t rest = 0;
    /* 7 fields would warn about seconds and fail at year 2100; 6 fields win */
    assert_int_equal(cronspec_parse_prefix("*/100 * * * * * 2100 cmd", &o, &s, &rest, &err), 0);
    assert_int_equal(rest, 16);
    assert_int_equal(w.n, 2);
    assert_int_equal(w.items[0].col, 3);
    assert_non_null(strstr(w.items[0].msg, "minute: step 100"));
    assert_int_equal(w.items[1].col, 15);
    assert_non_null(strstr(w.items[1].msg, "year '*'"));
    assert_int_equal(cronspec_parse_prefix("0 0 * * * 2100 echo", &o, &s, &rest, &err), 0);
    assert_int_equal(w.n, 0);
    /* and none are left over from an earlier call */
    w.n = 3;
    assert_int_equal(cronspec_parse_prefix("@daily x", &o, &s, &rest, &err), 0);
    assert_int_equal(w.n, 0);
}

/* ------------------------------------------------------------------------ */
/* Prefix parsing (crontab lines)                                           */
/* ------------------------------------------------------------------------ */

static void expect_prefix(const char *line, int nfields_flag, size_t rest)
{
    struct cronspec s;
    struct cronspec_error err = {0, ""};
    size_t got = 0;
    if (cronspec_parse_prefix(line, NULL, &s, &got, &err) != 0)
        fail_msg("'%s' rejected at col %d: %s", line, err.col, err.msg);
    assert_int_equal(got, rest);
    if (nfields_flag == 7)
        assert_true(s.flags & CRONSPEC_SECONDS);
    else if (nfields_flag == 6)
        assert_false(s.flags & (CRONSPEC_SECONDS | CRONSPEC_YEAR_ANY));
    else if (nfields_flag == 5)
        assert_true((s.flags & CRONSPEC_YEAR_ANY) && !(s.flags & CRONSPEC_SECONDS));
}

static void test_prefix_longest_reading_wins(void **state)
{
    (void)state;
    expect_prefix("* * * * * echo hi", 5, 10);
    expect_prefix("0 0 * * * 2030 backup", 6, 15);
    expect_prefix("*/5 * * * * * * date", 7, 16);
    expect_prefix("  0   0 * * *\tcmd", 5, 14);
    expect_prefix("@daily  run it", 0, 8);
    expect_prefix("@every 5m run", 0, 10);
    expect_prefix("* * * * * 5 cmd", 5, 10); /* 5 is no year: a command */
}

static void test_prefix_errors(void **state)
{
    (void)state;
    struct cronspec s;
    struct cronspec_error err = {0, ""};
    size_t rest;
    assert_int_equal(cronspec_parse_prefix("0 0 32 * * cmd", NULL, &s, &rest, &err), -1);
    assert_int_equal(err.col, 5);
    assert_string_equal(err.msg, "day of month 32 out of range 1-31");
    assert_int_equal(cronspec_parse_prefix("0 0 * * *", NULL, &s, &rest, &err), -1);
    assert_int_equal(err.col, 10);
    assert_string_equal(err.msg, "expected a command after the schedule");
    assert_int_equal(cronspec_parse_prefix("0 0 *", NULL, &s, &rest, &err), -1);
    assert_non_null(strstr(err.msg, "found 3 fields"));
    assert_int_equal(cronspec_parse_prefix("@daily", NULL, &s, &rest, &err), -1);
    assert_string_equal(err.msg, "expected a command after the schedule");
}

/* ------------------------------------------------------------------------ */
/* Day matching                                                             */
/* ------------------------------------------------------------------------ */

static void test_dom_dow_or_and(void **state)
{
    (void)state;
    /* both restricted: OR. 2024-09-13 is a Friday, 2024-09-06 a Friday */
    struct cronspec s = parse_ok("0 12 13 * 5");
    assert_true(cronspec_day_matches(&s, 2024, 9, 13));
    assert_true(cronspec_day_matches(&s, 2024, 9, 6));
    assert_true(cronspec_day_matches(&s, 2024, 10, 13)); /* a Sunday */
    assert_false(cronspec_day_matches(&s, 2024, 9, 7));
    /* day of month starts with '*': AND (odd days that are Saturdays) */
    s = parse_ok("0 16 */2 * sat");
    assert_true(cronspec_day_matches(&s, 2023, 5, 13));
    assert_false(cronspec_day_matches(&s, 2023, 5, 6));  /* Saturday, even */
    assert_false(cronspec_day_matches(&s, 2023, 5, 15)); /* odd, Monday */
}

static void test_last_and_nearest_weekday_days(void **state)
{
    (void)state;
    struct cronspec s = parse_ok("0 0 L * *");
    assert_true(cronspec_day_matches(&s, 2024, 2, 29));
    assert_false(cronspec_day_matches(&s, 2024, 2, 28));
    assert_true(cronspec_day_matches(&s, 2023, 2, 28));
    s = parse_ok("0 0 LW * *");
    assert_true(cronspec_day_matches(&s, 2014, 8, 29)); /* Aug 31 2014 is a Sunday */
    assert_false(cronspec_day_matches(&s, 2014, 8, 31));
    s = parse_ok("0 0 1W * *");
    assert_true(cronspec_day_matches(&s, 2024, 6, 3)); /* June 1 2024 is a Saturday */
    assert_false(cronspec_day_matches(&s, 2024, 5, 31)); /* never leaves the month */
    s = parse_ok("0 0 30W * *");
    assert_true(cronspec_day_matches(&s, 2013, 6, 28)); /* June 30 2013 is a Sunday */
    s = parse_ok("0 0 31W * *");
    for (int d = 1; d <= 30; d++)
        assert_false(cronspec_day_matches(&s, 2025, 4, d)); /* April has no 31st */
    s = parse_ok("0 0 * * FRIL");
    assert_true(cronspec_day_matches(&s, 2024, 5, 31));
    assert_false(cronspec_day_matches(&s, 2024, 5, 24));
    s = parse_ok("0 0 * * 6#5");
    assert_true(cronspec_day_matches(&s, 2013, 11, 30));
    assert_false(cronspec_day_matches(&s, 2013, 11, 23));
    assert_false(cronspec_day_matches(&s, 2024, 2, 30));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_five_fields_stars),
        cmocka_unit_test(test_values_ranges_steps),
        cmocka_unit_test(test_n_slash_step_runs_to_max),
        cmocka_unit_test(test_names_any_case_and_full),
        cmocka_unit_test(test_sunday_zero_and_seven),
        cmocka_unit_test(test_question_mark_and_star_flags),
        cmocka_unit_test(test_dom_extensions),
        cmocka_unit_test(test_dow_extensions),
        cmocka_unit_test(test_six_and_seven_fields),
        cmocka_unit_test(test_macros),
        cmocka_unit_test(test_errors_name_field_and_column),
        cmocka_unit_test(test_prefix_longest_reading_wins),
        cmocka_unit_test(test_prefix_errors),
        cmocka_unit_test(test_quiet_prefix),
        cmocka_unit_test(test_random_ranges),
        cmocka_unit_test(test_random_fields_independent),
        cmocka_unit_test(test_seed),
        cmocka_unit_test(test_dom_range_to_last),
        cmocka_unit_test(test_step_larger_than_field),
        cmocka_unit_test(test_schedule_warnings),
        cmocka_unit_test(test_prefix_warnings),
        cmocka_unit_test(test_dom_dow_or_and),
        cmocka_unit_test(test_last_and_nearest_weekday_days),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
