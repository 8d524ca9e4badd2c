/* Unit tests of claimurl: --claim's redis:// URL, field by field, and the
 * errors with their columns. */
#include "testutil.h"

#include <string.h>

#include "crond/claimurl.h"

static struct claimurl u;
static char err[256];

static void ok(const char *text)
{
    if (claimurl_parse(text, &u, err, sizeof err) != 0)
        fail_msg("'%s': %s", text, err);
}

static void bad(const char *text, const char *want)
{
    assert_int_equal(claimurl_parse(text, &u, err, sizeof err), -1);
    if (strstr(err, want) == NULL)
        fail_msg("'%s': message '%s', wanted '%s'", text, err, want);
}

static void test_forms(void **state)
{
    (void)state;
    ok("redis://127.0.0.1");
    assert_string_equal(u.host, "127.0.0.1");
    assert_int_equal(u.port, 6379);
    assert_int_equal(u.db, 0);
    assert_string_equal(u.password, "");
    assert_string_equal(u.user, "");
    ok("redis://redis:6380/3");
    assert_string_equal(u.host, "redis");
    assert_int_equal(u.port, 6380);
    assert_int_equal(u.db, 3);
    ok("redis://:s3cret@cache.internal/2");
    assert_string_equal(u.password, "s3cret");
    assert_string_equal(u.user, "");
    assert_string_equal(u.host, "cache.internal");
    assert_int_equal(u.db, 2);
    ok("redis://app:p%40ss%3Aw%2Fd%25@[::1]:7000/15");
    assert_string_equal(u.user, "app");
    assert_string_equal(u.password, "p@ss:w/d%");
    assert_string_equal(u.host, "::1");
    assert_int_equal(u.port, 7000);
    assert_int_equal(u.db, 15);
    ok("redis://:a@b@host"); /* a bare '@' in the password: the last '@' ends it */
    assert_string_equal(u.password, "a@b");
    assert_string_equal(u.host, "host");
    ok("redis://h/");
    assert_int_equal(u.db, 0);
    ok("redis://h:65535/100000");
    assert_int_equal(u.port, 65535);
    assert_int_equal(u.db, 100000);
}

static void test_errors(void **state)
{
    (void)state;
    bad("rediss://h", "rediss:// (TLS) is not supported");
    bad("http://h", "column 1: expected redis://");
    bad("redis://", "column 9: expected a host");
    bad("redis://h:0", "column 11: expected a port 1-65535");
    bad("redis://h:65536", "expected a port 1-65535");
    bad("redis://h:x", "expected a port");
    bad("redis://h/100001", "expected a database number 0-100000");
    bad("redis://h/1x", "unexpected 'x'");
    bad("redis://h?db=1", "column 10: '?': query and fragment are not supported");
    bad("redis://pass@h", "expected [USER]:PASSWORD before '@'");
    bad("redis://:@h", "empty password");
    bad("redis://:%zz@h", "bad password");
    bad("redis://:%00@h", "bad password");
    bad("redis://[::1", "expected [IPV6]");
    bad("redis://[zz]", "bad IPv6 address");
    bad("redis://h h", "unexpected ' '");
}

static void test_redacted(void **state)
{
    (void)state;
    char out[512];
    ok("redis://app:secret@[::1]:7000/4");
    claimurl_redacted(&u, out, sizeof out);
    assert_string_equal(out, "redis://app:***@[::1]:7000/4");
    ok("redis://r");
    claimurl_redacted(&u, out, sizeof out);
    assert_string_equal(out, "redis://r:6379/0");
    assert_null(strstr(out, "secret"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_forms),
        cmocka_unit_test(test_errors),
        cmocka_unit_test(test_redacted),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
