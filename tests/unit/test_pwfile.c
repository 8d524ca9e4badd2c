/* Unit tests for pwfile: passwd and group files written to a temporary
 * directory, looked up by name and by id. */
#include "testutil.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "crond/pwfile.h"

static char dir[] = "/tmp/pwfile-test.XXXXXX";
static char path[sizeof dir + 32];

static const char *write_file(const char *text)
{
    snprintf(path, sizeof path, "%s/file", dir);
    FILE *f = fopen(path, "we");
    assert_non_null(f);
    assert_int_equal(fputs(text, f) >= 0, 1);
    assert_int_equal(fclose(f), 0);
    return path;
}

static int setup(void **state)
{
    (void)state;
    return mkdtemp(dir) == NULL ? -1 : 0;
}

static int teardown(void **state)
{
    (void)state;
    unlink(path);
    return rmdir(dir);
}

static const char passwd_text[] =
    "root:x:0:0:root:/root:/bin/bash\n"
    "# a comment line is not an entry\n"
    "\n"
    "+nisuser::::::\n"
    "short:x:12:12:gecos\n"
    "noshell:x:2500:2500:gecos:/home/noshell\n"
    "badid:x:12a:1:gecos:/home/badid:/bin/sh\n"
    "neg:x:-5:1:gecos:/home/neg:/bin/sh\n"
    "huge:x:4294967295:1:gecos:/home/huge:/bin/sh\n"
    "nonroot:x:65532:65532:nonroot:/home/nonroot:/sbin/nologin\n"
    "nohome:x:2000:2001:::/bin/sh\n"
    "dup:x:3000:3000::/first:/bin/sh\n"
    "dup:x:3001:3001::/second:/bin/sh\n"
    "same:x:3000:3000::/other:/bin/sh\n"
    "last:x:4000:4000::/home/last:/bin/sh"; /* no final newline */

static void finds_user_by_name(void **state)
{
    (void)state;
    struct pwfile_user u;
    assert_int_equal(pwfile_find_user(write_file(passwd_text), "nonroot", 0, &u), 1);
    assert_string_equal(u.name, "nonroot");
    assert_int_equal(u.uid, 65532);
    assert_int_equal(u.gid, 65532);
    assert_string_equal(u.home, "/home/nonroot");
    pwfile_user_free(&u);
    assert_null(u.name);
    assert_null(u.home);
}

static void finds_user_by_uid(void **state)
{
    (void)state;
    struct pwfile_user u;
    assert_int_equal(pwfile_find_user(write_file(passwd_text), NULL, 0, &u), 1);
    assert_string_equal(u.name, "root");
    assert_string_equal(u.home, "/root");
    pwfile_user_free(&u);
    assert_int_equal(pwfile_find_user(path, NULL, 2000, &u), 1);
    assert_string_equal(u.name, "nohome");
    assert_int_equal(u.gid, 2001);
    assert_string_equal(u.home, "");
    pwfile_user_free(&u);
}

static void first_match_wins(void **state)
{
    (void)state;
    struct pwfile_user u;
    assert_int_equal(pwfile_find_user(write_file(passwd_text), "dup", 0, &u), 1);
    assert_int_equal(u.uid, 3000);
    assert_string_equal(u.home, "/first");
    pwfile_user_free(&u);
    assert_int_equal(pwfile_find_user(path, NULL, 3000, &u), 1);
    assert_string_equal(u.name, "dup");
    pwfile_user_free(&u);
}

static void shell_field_may_be_missing(void **state)
{
    (void)state;
    struct pwfile_user u;
    assert_int_equal(pwfile_find_user(write_file(passwd_text), "noshell", 0, &u), 1);
    assert_int_equal(u.uid, 2500);
    assert_string_equal(u.home, "/home/noshell");
    pwfile_user_free(&u);
}

static void last_line_without_newline(void **state)
{
    (void)state;
    struct pwfile_user u;
    assert_int_equal(pwfile_find_user(write_file(passwd_text), "last", 0, &u), 1);
    assert_int_equal(u.uid, 4000);
    assert_string_equal(u.home, "/home/last");
    pwfile_user_free(&u);
}

static void skips_malformed_lines(void **state)
{
    (void)state;
    struct pwfile_user u;
    write_file(passwd_text);
    const char *names[] = {"short", "badid", "neg", "huge", "+nisuser", "nisuser", "#", ""};
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        int rc = pwfile_find_user(path, names[i], 0, &u);
        if (rc != 0)
            fail_msg("'%s' found (rc %d)", names[i], rc);
    }
    /* 12 is only on lines that are skipped */
    assert_int_equal(pwfile_find_user(path, NULL, 12, &u), 0);
    assert_int_equal(pwfile_find_user(path, NULL, (uid_t)-1, &u), 0);
    assert_int_equal(pwfile_find_user(path, NULL, 65533, &u), 0);
}

static void name_must_match_whole_field(void **state)
{
    (void)state;
    struct pwfile_user u;
    write_file(passwd_text);
    assert_int_equal(pwfile_find_user(path, "non", 0, &u), 0);
    assert_int_equal(pwfile_find_user(path, "nonrootx", 0, &u), 0);
    assert_int_equal(pwfile_find_user(path, "NONROOT", 0, &u), 0);
}

static void long_lines(void **state)
{
    (void)state;
    /* longer than any fixed buffer a reader might use */
    size_t n = 100000;
    char *text = malloc(n + 128);
    assert_non_null(text);
    strcpy(text, "big:x:7000:7000:");
    size_t len = strlen(text);
    memset(text + len, 'g', n);
    strcpy(text + len + n, ":/home/big:/bin/sh\nafter:x:7001:7001::/a:/bin/sh\n");
    struct pwfile_user u;
    assert_int_equal(pwfile_find_user(write_file(text), "after", 0, &u), 1);
    assert_int_equal(u.uid, 7001);
    pwfile_user_free(&u);
    assert_int_equal(pwfile_find_user(path, "big", 0, &u), 1);
    assert_string_equal(u.home, "/home/big");
    pwfile_user_free(&u);
    free(text);
}

static void missing_file_is_no_entry(void **state)
{
    (void)state;
    struct pwfile_user u;
    assert_int_equal(pwfile_find_user("/nonexistent/passwd", "root", 0, &u), 0);
    gid_t gid = 1;
    assert_int_equal(pwfile_find_group("/nonexistent/group", "root", &gid), 0);
    assert_int_equal(gid, 1);
}

static void unreadable_file_is_an_error(void **state)
{
    (void)state;
    struct pwfile_user u;
    /* a directory opens but cannot be read */
    errno = 0;
    assert_int_equal(pwfile_find_user(dir, "root", 0, &u), -1);
    assert_int_equal(errno, EISDIR);
    gid_t gid;
    assert_int_equal(pwfile_find_group(dir, "root", &gid), -1);
}

static void finds_groups(void **state)
{
    (void)state;
    write_file("root:x:0:\n"
               "bad:x:1x:\n"
               "short:x\n"
               "-nis::::\n"
               "staff:x:50:alice,bob\n"
               "nonroot:x:65532:\n"
               "staff:x:51:\n"
               "nomembers:x:60"); /* no member list, no newline */
    gid_t gid = 99;
    assert_int_equal(pwfile_find_group(path, "staff", &gid), 1);
    assert_int_equal(gid, 50);
    assert_int_equal(pwfile_find_group(path, "nonroot", &gid), 1);
    assert_int_equal(gid, 65532);
    assert_int_equal(pwfile_find_group(path, "root", &gid), 1);
    assert_int_equal(gid, 0);
    assert_int_equal(pwfile_find_group(path, "nomembers", &gid), 1);
    assert_int_equal(gid, 60);
    gid = 99;
    assert_int_equal(pwfile_find_group(path, "bad", &gid), 0);
    assert_int_equal(pwfile_find_group(path, "short", &gid), 0);
    assert_int_equal(pwfile_find_group(path, "nis", &gid), 0);
    assert_int_equal(pwfile_find_group(path, "-nis", &gid), 0);
    assert_int_equal(pwfile_find_group(path, "alice", &gid), 0);
    assert_int_equal(gid, 99);
}

static void parses_ids(void **state)
{
    (void)state;
    uint32_t id = 7;
    assert_true(pwfile_parse_id("0", &id));
    assert_int_equal(id, 0);
    assert_true(pwfile_parse_id("65532", &id));
    assert_int_equal(id, 65532);
    assert_true(pwfile_parse_id("4294967294", &id));
    assert_int_equal(id, 4294967294u);
    id = 7;
    const char *bad[] = {"", "-1", "+1", "1a", " 1", "1 ", "4294967295", "99999999999999999999"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        if (pwfile_parse_id(bad[i], &id))
            fail_msg("'%s' parsed", bad[i]);
    assert_int_equal(id, 7);
}

/* The stream versions read what the path versions read, from the stream's
 * position on, and leave the stream open. */
static void reads_streams(void **state)
{
    (void)state;
    struct pwfile_user u;
    FILE *f = fmemopen((void *)passwd_text, sizeof passwd_text - 1, "r");
    assert_non_null(f);
    assert_int_equal(pwfile_find_user_in(f, "nonroot", 0, &u), 1);
    assert_int_equal(u.uid, 65532);
    assert_string_equal(u.home, "/home/nonroot");
    pwfile_user_free(&u);
    /* root's line lies behind the position now */
    assert_int_equal(pwfile_find_user_in(f, "root", 0, &u), 0);
    rewind(f);
    assert_int_equal(pwfile_find_user_in(f, NULL, 3000, &u), 1);
    assert_string_equal(u.name, "dup");
    assert_string_equal(u.home, "/first");
    pwfile_user_free(&u);
    assert_int_equal(fclose(f), 0);

    static const char groups[] = "a:x:1:\nb:x:2\0junk:3:\nc:x:4:z\n";
    gid_t gid = 99;
    f = fmemopen((void *)groups, sizeof groups - 1, "r");
    assert_non_null(f);
    assert_int_equal(pwfile_find_group_in(f, "b", &gid), 1);
    assert_int_equal(gid, 2); /* a NUL byte ends the line's text */
    assert_int_equal(pwfile_find_group_in(f, "c", &gid), 1);
    assert_int_equal(gid, 4);
    assert_int_equal(pwfile_find_group_in(f, "a", &gid), 0);
    assert_int_equal(fclose(f), 0);
}

/* The real files of this machine agree with libc on root. */
static void reads_the_system_files(void **state)
{
    (void)state;
    struct pwfile_user u;
    assert_int_equal(pwfile_find_user(PWFILE_PASSWD, NULL, 0, &u), 1);
    assert_string_equal(u.name, "root");
    pwfile_user_free(&u);
    gid_t gid = 99;
    assert_int_equal(pwfile_find_group(PWFILE_GROUP, "root", &gid), 1);
    assert_int_equal(gid, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(finds_user_by_name),
        cmocka_unit_test(finds_user_by_uid),
        cmocka_unit_test(first_match_wins),
        cmocka_unit_test(shell_field_may_be_missing),
        cmocka_unit_test(last_line_without_newline),
        cmocka_unit_test(skips_malformed_lines),
        cmocka_unit_test(name_must_match_whole_field),
        cmocka_unit_test(long_lines),
        cmocka_unit_test(missing_file_is_no_entry),
        cmocka_unit_test(unreadable_file_is_an_error),
        cmocka_unit_test(finds_groups),
        cmocka_unit_test(parses_ids),
        cmocka_unit_test(reads_streams),
        cmocka_unit_test(reads_the_system_files),
    };
    return cmocka_run_group_tests_name("pwfile", tests, setup, teardown);
}
