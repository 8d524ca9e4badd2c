/* Unit tests of gate: run ids, the claim's expiry, the guard's verdict,
 * the replica's name. */
#include "testutil.h"

#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "crond/gate.h"

static void test_run_id(void **state)
{
    (void)state;
    char a[48], b[48];
    gate_run_id(UINT64_C(0x3f2a9c1d5e6b7a80), 42, a, sizeof a);
    assert_string_equal(a, "3f2a9c1d5e6b7a80-42");
    gate_run_id(0, 1, a, sizeof a);
    assert_string_equal(a, "0000000000000000-1");
    /* two daemons draw different prefixes */
    uint64_t p = gate_run_prefix(), q = gate_run_prefix();
    assert_true(p != q);
    gate_run_id(p, 1, a, sizeof a);
    gate_run_id(q, 1, b, sizeof b);
    assert_string_not_equal(a, b);
}

static void test_ttl(void **state)
{
    (void)state;
    assert_int_equal(gate_ttl_s(0, 9000), GATE_TTL_MIN_S);
    assert_int_equal(gate_ttl_s(60000, 9000), GATE_TTL_MIN_S);
    /* a 5 h timeout: the run's bound, its grace and a minute */
    assert_int_equal(gate_ttl_s(5 * 3600000LL, 9000), 5 * 3600 + 9 + 60);
    assert_int_equal(gate_ttl_s(5 * 3600000LL + 1, 0), 5 * 3600 + 1 + 60);
    assert_true(GATE_TTL_MIN_S > 3 * 3600);
}

static void test_verdict(void **state)
{
    (void)state;
    char msg[128];
    assert_int_equal(gate_guard_verdict(0 << 8, false, msg, sizeof msg), GATE_RUN);
    assert_string_equal(msg, "");
    assert_int_equal(gate_guard_verdict(1 << 8, false, msg, sizeof msg), GATE_SKIP);
    assert_int_equal(gate_guard_verdict(2 << 8, false, msg, sizeof msg), GATE_ERROR);
    assert_string_equal(msg, "guard: exit status 2 (0 runs the job, 1 skips it)");
    assert_int_equal(gate_guard_verdict(SIGKILL, false, msg, sizeof msg), GATE_ERROR);
    assert_string_equal(msg, "guard: ended by SIGKILL");
    /* a timeout wins, whatever the status its SIGTERM left */
    assert_int_equal(gate_guard_verdict(0, true, msg, sizeof msg), GATE_ERROR);
    assert_string_equal(msg, "guard: no answer within 30 s");
}

static void test_replica(void **state)
{
    (void)state;
    char r[300], want[300], host[256];
    assert_int_equal(gethostname(host, sizeof host), 0);
    snprintf(want, sizeof want, "%s:%ld", host, (long)getpid());
    gate_replica(r, sizeof r);
    assert_string_equal(r, want);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_run_id),
        cmocka_unit_test(test_ttl),
        cmocka_unit_test(test_verdict),
        cmocka_unit_test(test_replica),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
