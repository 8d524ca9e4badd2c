/* Unit tests of cronspec: every field form, the flags, and the errors with
 * their columns. The invalid vectors of tests/vectors/invalid.tsv are run in
 * test_calendar.c together with the other vector files. */
#include "testutil.h"

#include <string.h>

#include "crond/cronspec.h"

#define BIT(n) (UINT64_C(1) << (n))

static struct cronspec parse_ok(const char *text)
{
    struct cronspec s;
    struct cronspec_error err = {0, ""};
    int rc = cronspec_parse(text, &s, &err);
    if (rc != 0)
        fail_msg("'%s' rejected at col %d: %s", text, err.col, err.msg);
    return s;
}

static void expect_error(const char *text, int col, const char *msg_part)
{
    struct cronspec s;
    struct cronspec_error err = {0, ""};
    if (cronspec_parse(text, &s, &err) == 0)
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
    expect_error("*/0 * * * *", 3, "step 0 out of range");
    expect_error("*/61 * * * *", 3, "step 61 out of range 1-60");
    expect_error("1,,2 * * * *", 3, "expected a value");
    expect_error("1, * * * *", 3, "expected a value after ','");
    expect_error("* * * *", 8, "expected 5, 6 or 7 fields, found 4");
    expect_error("* * * * * * * *", 15, "found more than 7");
    expect_error("", 1, "expected a schedule");
    expect_error("0-10000000 * * * *", 3, "minute 10000000 out of range 0-59");
    expect_error("1-1_0 * * * *", 4, "unexpected '_0'");
}

/* ------------------------------------------------------------------------ */
/* Prefix parsing (crontab lines)                                           */
/* ------------------------------------------------------------------------ */

static void expect_prefix(const char *line, int nfields_flag, size_t rest)
{
    struct cronspec s;
    struct cronspec_error err = {0, ""};
    size_t got = 0;
    if (cronspec_parse_prefix(line, &s, &got, &err) != 0)
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
    assert_int_equal(cronspec_parse_prefix("0 0 32 * * cmd", &s, &rest, &err), -1);
    assert_int_equal(err.col, 5);
    assert_string_equal(err.msg, "day of month 32 out of range 1-31");
    assert_int_equal(cronspec_parse_prefix("0 0 * * *", &s, &rest, &err), -1);
    assert_int_equal(err.col, 10);
    assert_string_equal(err.msg, "expected a command after the schedule");
    assert_int_equal(cronspec_parse_prefix("0 0 *", &s, &rest, &err), -1);
    assert_non_null(strstr(err.msg, "found 3 fields"));
    assert_int_equal(cronspec_parse_prefix("@daily", &s, &rest, &err), -1);
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
        cmocka_unit_test(test_dom_dow_or_and),
        cmocka_unit_test(test_last_and_nearest_weekday_days),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
