/* Unit tests for user: lookups in the real /etc/passwd and /etc/group of the
 * test machine (root, nobody, a uid without entry), the user crond-lite runs
 * as, and dropping root (in a forked child, so the test stays root). Tests
 * that depend on privileges run a root branch or an unprivileged branch;
 * each branch asserts something. */
#include "testutil.h"

#include <errno.h>
#include <grp.h>
#include <pwd.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include "crond/user.h"

#define NOBODY_SPEC "nobody"
#define UNKNOWN_UID 54321u /* assumed to have no passwd entry */

static bool is_root(void)
{
    return geteuid() == 0;
}

static int wait_child_code(pid_t pid)
{
    int status;
    pid_t w;
    do
        w = waitpid(pid, &status, 0);
    while (w < 0 && errno == EINTR);
    assert_int_equal(w, pid);
    assert_true(WIFEXITED(status));
    return WEXITSTATUS(status);
}

/* ------------------------------------------------------------------------ */
/* Users                                                                    */
/* ------------------------------------------------------------------------ */

static void lookup_ok(const char *spec, struct user *out)
{
    char err[256] = "";
    int rc = user_lookup(spec, out, err, sizeof err);
    if (rc != 0)
        fail_msg("lookup '%s': %s", spec, err);
}

static void test_lookup_root(void **state)
{
    (void)state;
    const char *specs[] = {"root", "0", "root:root", "0:0", "root:0"};
    for (size_t i = 0; i < sizeof specs / sizeof specs[0]; i++) {
        struct user u;
        lookup_ok(specs[i], &u);
        assert_int_equal(u.uid, 0);
        assert_int_equal(u.gid, 0);
        assert_string_equal(u.name, "root");
        assert_string_equal(u.home, "/root");
        assert_true(u.known);
        user_free(&u);
    }
}

static void test_lookup_nobody(void **state)
{
    (void)state;
    struct passwd *pw = getpwnam("nobody");
    assert_non_null(pw);
    uid_t uid = pw->pw_uid;
    gid_t gid = pw->pw_gid;
    struct user u;
    lookup_ok("nobody", &u);
    assert_int_equal(u.uid, uid);
    assert_int_equal(u.gid, gid);
    assert_string_equal(u.name, "nobody");
    assert_true(u.known);
    user_free(&u);
    lookup_ok("nobody:root", &u);
    assert_int_equal(u.uid, uid);
    assert_int_equal(u.gid, 0);
    user_free(&u);
}

static void test_lookup_unknown_uid(void **state)
{
    (void)state;
    assert_null(getpwuid(UNKNOWN_UID));
    struct user u;
    lookup_ok("54321", &u);
    assert_int_equal(u.uid, UNKNOWN_UID);
    assert_int_equal(u.gid, UNKNOWN_UID);
    assert_string_equal(u.name, "54321");
    assert_string_equal(u.home, "/");
    assert_false(u.known);
    user_free(&u);
    lookup_ok("54321:100", &u);
    assert_int_equal(u.gid, 100);
    user_free(&u);
}

static void test_lookup_errors(void **state)
{
    (void)state;
    static const struct {
        const char *spec;
        const char *msg;
    } cases[] = {
        {"nosuchuser", "unknown user 'nosuchuser'"},
        {"root:nosuchgroup", "unknown group 'nosuchgroup'"},
        {"", "empty user name in ''"},
        {":0", "empty user name in ':0'"},
        {"root:", "empty group name in 'root:'"},
        {"4294967295", "unknown user '4294967295'"}, /* (uid_t)-1 is not an id */
        {"99999999999", "unknown user '99999999999'"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct user u;
        char err[256] = "";
        assert_int_equal(user_lookup(cases[i].spec, &u, err, sizeof err), -1);
        assert_string_equal(err, cases[i].msg);
        assert_null(u.name);
        assert_null(u.home);
    }
}

/* As a uid without passwd entry: name and home from the environment, or the
 * number and "/". Returns 0 when all holds. */
static int self_unknown_check(void)
{
    struct user u;
    char err[256];
    char num[16];
    snprintf(num, sizeof num, "%u", (unsigned)geteuid());
    if (user_self("alice", "/home/alice", &u, err, sizeof err) != 0)
        return 1;
    int bad = u.known || u.uid != geteuid() || u.gid != getegid() ||
              strcmp(u.name, "alice") != 0 || strcmp(u.home, "/home/alice") != 0;
    user_free(&u);
    if (bad || user_self(NULL, "", &u, err, sizeof err) != 0)
        return 2;
    bad = strcmp(u.name, num) != 0 || strcmp(u.home, "/") != 0;
    user_free(&u);
    return bad ? 3 : 0;
}

static void test_self_user_unknown_uid(void **state)
{
    (void)state;
    if (getpwuid(geteuid()) == NULL) {
        assert_int_equal(self_unknown_check(), 0);
        return;
    }
    if (!is_root()) {
        /* Cannot become a uid without entry: check the known case instead. */
        struct user u;
        char err[256];
        assert_int_equal(user_self("alice", "/home/alice", &u, err, sizeof err), 0);
        assert_true(u.known);
        assert_string_equal(u.name, getpwuid(geteuid())->pw_name);
        user_free(&u);
        return;
    }
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        if (setresgid(UNKNOWN_UID, UNKNOWN_UID, UNKNOWN_UID) != 0 ||
            setresuid(UNKNOWN_UID, UNKNOWN_UID, UNKNOWN_UID) != 0)
            _exit(20);
        _exit(self_unknown_check());
    }
    assert_int_equal(wait_child_code(pid), 0);
}

static void test_self_user_known(void **state)
{
    (void)state;
    struct passwd *pw = getpwuid(geteuid());
    struct user u;
    char err[256];
    assert_int_equal(user_self("ignored", "/ignored", &u, err, sizeof err), 0);
    assert_int_equal(u.uid, geteuid());
    assert_int_equal(u.gid, getegid());
    if (pw != NULL) {
        assert_true(u.known);
        assert_string_equal(u.name, pw->pw_name);
    } else {
        assert_false(u.known);
        assert_string_equal(u.name, "ignored");
    }
    user_free(&u);
}

/* ------------------------------------------------------------------------ */
/* Privileges                                                               */
/* ------------------------------------------------------------------------ */

/* In a forked child, so that the test process stays root. */
static int drop_child(void)
{
    struct user u;
    char err[256];
    if (user_lookup(NOBODY_SPEC, &u, err, sizeof err) != 0)
        return 30;
    if (setgroups(2, (gid_t[]){0, 4}) != 0) /* extra groups the drop must remove */
        return 31;
    int rc = user_drop_privileges(&u, err, sizeof err);
    gid_t groups[4];
    int n = getgroups(4, groups);
    int bad = rc != 0 ? 32
              : getuid() != u.uid || geteuid() != u.uid ? 33
              : getgid() != u.gid || getegid() != u.gid ? 34
              : n != 1 || groups[0] != u.gid           ? 35
              : setuid(0) == 0 || seteuid(0) == 0       ? 36
                                                        : 0;
    user_free(&u);
    return bad;
}

static void test_drop_privileges(void **state)
{
    (void)state;
    if (is_root()) {
        pid_t pid = fork();
        assert_true(pid >= 0);
        if (pid == 0)
            _exit(drop_child());
        assert_int_equal(wait_child_code(pid), 0);
        return;
    }
    /* Unprivileged: switching to another user fails with a clear error... */
    struct user u;
    char err[256] = "";
    lookup_ok("root", &u);
    assert_int_equal(user_drop_privileges(&u, err, sizeof err), -1);
    assert_string_equal(err, "cannot switch to user root (0:0): not running as root");
    user_free(&u);
    /* ...and "switching" to the user we are is a no-op that succeeds. */
    assert_int_equal(user_self(NULL, NULL, &u, err, sizeof err), 0);
    assert_int_equal(user_drop_privileges(&u, err, sizeof err), 0);
    user_free(&u);
}


int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_lookup_root),
        cmocka_unit_test(test_lookup_nobody),
        cmocka_unit_test(test_lookup_unknown_uid),
        cmocka_unit_test(test_lookup_errors),
        cmocka_unit_test(test_self_user_unknown_uid),
        cmocka_unit_test(test_self_user_known),
        cmocka_unit_test(test_drop_privileges),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
