/* Unit tests for netaddr_parse: every form of --listen, and what is refused. */
#include "testutil.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>

#include "crond/netaddr.h"

/* "A.B.C.D:PORT" or "[V6]:PORT" of a parsed address, for comparing. */
static const char *shown(const struct netaddr *a, char *buf, size_t len)
{
    char host[64];
    if (a->ss.ss_family == AF_INET) {
        const struct sockaddr_in *a4 = (const struct sockaddr_in *)&a->ss;
        inet_ntop(AF_INET, &a4->sin_addr, host, sizeof host);
        snprintf(buf, len, "%s:%u", host, ntohs(a4->sin_port));
        assert_int_equal(a->len, sizeof *a4);
    } else {
        const struct sockaddr_in6 *a6 = (const struct sockaddr_in6 *)&a->ss;
        inet_ntop(AF_INET6, &a6->sin6_addr, host, sizeof host);
        snprintf(buf, len, "[%s]:%u", host, ntohs(a6->sin6_port));
        assert_int_equal(a->len, sizeof *a6);
    }
    return buf;
}

static void test_forms(void **state)
{
    (void)state;
    static const char *const cases[][2] = {
        {":9746", "0.0.0.0:9746"},
        {"127.0.0.1:9746", "127.0.0.1:9746"},
        {"localhost:80", "127.0.0.1:80"},
        {"[::]:9746", "[::]:9746"},
        {"[::1]:1", "[::1]:1"},
        {"10.1.2.3:65535", "10.1.2.3:65535"},
        {"[fe80::1:2]:8080", "[fe80::1:2]:8080"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct netaddr a;
        char err[256] = "", buf[96];
        if (netaddr_parse(cases[i][0], &a, err, sizeof err) != 0)
            fail_msg("'%s': %s", cases[i][0], err);
        assert_string_equal(shown(&a, buf, sizeof buf), cases[i][1]);
    }
}

static void test_refused(void **state)
{
    (void)state;
    static const char *const cases[][2] = {
        {"9746", "expected :PORT"},
        {"", "expected :PORT"},
        {":", "port '' is not a number"},
        {":0", "port '0' is not a number from 1 to 65535"},
        {":65536", "port '65536'"},
        {":99999999999", "port '99999999999'"},
        {":80x", "port '80x'"},
        {"example.com:80", "'example.com' is not an IPv4 address"},
        {"::1:80", "expected :PORT"},
        {"[::1:80", "expected :PORT"},
        {"[::1]80", "expected :PORT"},
        {"[nonsense]:80", "'nonsense' is not an IPv6 address"},
        {"256.1.1.1:80", "not an IPv4 address"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct netaddr a;
        char err[256] = "";
        if (netaddr_parse(cases[i][0], &a, err, sizeof err) == 0)
            fail_msg("'%s' was accepted", cases[i][0]);
        if (strstr(err, cases[i][1]) == NULL)
            fail_msg("'%s': message '%s', wanted '%s'", cases[i][0], err, cases[i][1]);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_forms),
        cmocka_unit_test(test_refused),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
