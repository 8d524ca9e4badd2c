/* Unit tests for duration_parse and duration_format. */
#include "testutil.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "crond/duration.h"

#define SEC 1000LL
#define MIN (60 * SEC)
#define HOUR (60 * MIN)
#define DAY (24 * HOUR)

struct valid_case {
    const char *text;
    int64_t ms;
};

static const struct valid_case valid_cases[] = {
    {"0", 0},
    {"30", 30 * SEC},
    {"007", 7 * SEC},
    {"0s", 0},
    {"0ms", 0},
    {"90s", 90 * SEC},
    {"5m", 5 * MIN},
    {"1h30m", HOUR + 30 * MIN},
    {"250ms", 250},
    {"2d", 2 * DAY},
    {"1h30m15s500ms", HOUR + 30 * MIN + 15 * SEC + 500},
    {"1d1ms", DAY + 1},
    {"5m5s", 5 * MIN + 5 * SEC},
    {"5m5ms", 5 * MIN + 5},
    {"100h", 100 * HOUR},
    {"1500ms", 1500},
    {"9s", 9 * SEC},
    {"9223372036854775807ms", INT64_MAX},
    {"9223372036854775s", 9223372036854775LL * SEC},
    {"106751991167d", 106751991167LL * DAY},
    {"106751991167d7h12m55s807ms", INT64_MAX},
};

static void test_parse_valid(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof valid_cases / sizeof valid_cases[0]; i++) {
        int64_t ms = -1;
        char err[128] = "";
        int rc = duration_parse(valid_cases[i].text, &ms, err, sizeof err);
        if (rc != 0 || ms != valid_cases[i].ms)
            fail_msg("'%s': rc %d ms %" PRId64 " (want %" PRId64 ") err '%s'",
                     valid_cases[i].text, rc, ms, valid_cases[i].ms, err);
    }
}

struct invalid_case {
    const char *text;
    const char *column; /* "column N:" the message must start with */
    const char *word;   /* a phrase the message must contain */
};

static const struct invalid_case invalid_cases[] = {
    {"", "column 1:", "empty"},
    {"-5s", "column 1:", "no sign"},
    {"+5s", "column 1:", "no sign"},
    {"1.5s", "column 2:", "fractions"},
    {"1,5s", "column 2:", "fractions"},
    {"5x", "column 2:", "unknown unit 'x'"},
    {"5sec", "column 2:", "unknown unit 'sec'"},
    {"5M", "column 2:", "unknown unit 'M'"},
    {"1h5H", "column 4:", "unknown unit 'H'"},
    {"s", "column 1:", "expected a digit"},
    {"ms", "column 1:", "expected a digit"},
    {" 5s", "column 1:", "expected a digit, got ' '"},
    {"5s ", "column 3:", "expected a digit or the end, got ' '"},
    {"5 s", "column 2:", "expected a unit"},
    {"30 ", "column 3:", "expected a unit"},
    {"1h30", "column 5:", "expected a unit"},
    {"5s-", "column 3:", "expected a digit or the end"},
    {"30m1h", "column 5:", "unit 'h' after 'm'"},
    {"1ms1s", "column 5:", "unit 's' after 'ms'"},
    {"1h1h", "column 4:", "given twice"},
    {"1s2s", "column 4:", "given twice"},
    {"5s\x01", "column 3:", "byte 0x01"},
    {"9223372036854775808ms", "column 1:", "too large"},
    {"9223372036854776s", "column 1:", "too large"},
    {"106751991168d", "column 1:", "too large"},
    {"106751991167d1d", "column 15:", "given twice"},
    {"106751991167d8h", "column 14:", "too large"},
    {"106751991167d7h13m", "column 16:", "too large"},
    {"99999999999999999999999999", "column 1:", "too large"},
};

static void test_parse_invalid(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof invalid_cases / sizeof invalid_cases[0]; i++) {
        const struct invalid_case *c = &invalid_cases[i];
        int64_t ms = 12345;
        char err[160] = "";
        int rc = duration_parse(c->text, &ms, err, sizeof err);
        if (rc != -1)
            fail_msg("'%s' accepted as %" PRId64, c->text, ms);
        if (strncmp(err, c->column, strlen(c->column)) != 0 || strstr(err, c->word) == NULL)
            fail_msg("'%s': message '%s' lacks '%s' / '%s'", c->text, err, c->column, c->word);
        assert_int_equal(ms, 12345); /* untouched on error */
    }
}

static void test_parse_null_and_tiny_buffers(void **state)
{
    (void)state;
    int64_t ms = 0;
    char err[8];
    assert_int_equal(duration_parse(NULL, &ms, err, sizeof err), -1);
    assert_int_equal(duration_parse("5x", &ms, NULL, 0), -1);
    assert_int_equal(duration_parse("5x", &ms, err, sizeof err), -1);
    assert_true(strlen(err) < sizeof err);
    assert_int_equal(duration_parse("5s", &ms, NULL, 0), 0);
    assert_int_equal(ms, 5000);
}

struct format_case {
    int64_t ms;
    const char *text;
};

static const struct format_case format_cases[] = {
    {0, "0s"},
    {1, "1ms"},
    {250, "250ms"},
    {1000, "1s"},
    {1500, "1s500ms"},
    {9000, "9s"},
    {60000, "1m"},
    {90000, "1m30s"},
    {5400000, "1h30m"},
    {HOUR + 30 * MIN + 15 * SEC + 500, "1h30m15s500ms"},
    {DAY, "1d"},
    {2 * DAY + 1, "2d1ms"},
    {INT64_MAX, "106751991167d7h12m55s807ms"},
};

static void test_format(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof format_cases / sizeof format_cases[0]; i++) {
        char buf[64];
        assert_int_equal(duration_format(format_cases[i].ms, buf, sizeof buf), 0);
        assert_string_equal(buf, format_cases[i].text);
    }
}

static void test_format_errors(void **state)
{
    (void)state;
    char buf[8];
    assert_int_equal(duration_format(-1, buf, sizeof buf), -1);
    assert_string_equal(buf, "");
    assert_int_equal(duration_format(0, buf, 2), -1);
    assert_int_equal(duration_format(0, buf, 3), 0);
    assert_string_equal(buf, "0s");
    assert_int_equal(duration_format(5400000, buf, 5), -1); /* "1h30m" needs 6 */
    assert_string_equal(buf, "");
    assert_int_equal(duration_format(5400000, buf, 6), 0);
    assert_string_equal(buf, "1h30m");
    assert_int_equal(duration_format(1, NULL, 0), -1);
}

/* Every formatted value parses back to itself; a small LCG spreads the values
 * over all magnitudes without needing a random seed. */
static void test_round_trip(void **state)
{
    (void)state;
    uint64_t x = 0x2545F4914F6CDD1DULL;
    for (int i = 0; i < 20000; i++) {
        x = x * 6364136223846793005ULL + 1442695040888963407ULL;
        int64_t ms = (int64_t)((x >> 1) >> (x % 63));
        char buf[64], err[128];
        int64_t back = -1;
        assert_int_equal(duration_format(ms, buf, sizeof buf), 0);
        if (duration_parse(buf, &back, err, sizeof err) != 0 || back != ms)
            fail_msg("%" PRId64 " -> '%s' -> %" PRId64 " (%s)", ms, buf, back, err);
    }
    for (size_t i = 0; i < sizeof valid_cases / sizeof valid_cases[0]; i++) {
        char buf[64];
        int64_t back = -1;
        assert_int_equal(duration_format(valid_cases[i].ms, buf, sizeof buf), 0);
        assert_int_equal(duration_parse(buf, &back, NULL, 0), 0);
        assert_int_equal(back, valid_cases[i].ms);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_parse_valid),
        cmocka_unit_test(test_parse_invalid),
        cmocka_unit_test(test_parse_null_and_tiny_buffers),
        cmocka_unit_test(test_format),
        cmocka_unit_test(test_format_errors),
        cmocka_unit_test(test_round_trip),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
