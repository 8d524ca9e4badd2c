/* Unit tests for util (growable arrays, FNV-1a, name tables, the bounded
 * file reader) and diag (the one diagnostic type). */
#include "testutil.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "crond/diag.h"
#include "crond/util.h"

/* ------------------------------------------------------------------ grow */

static void test_grow_doubles_from_8(void **state)
{
    (void)state;
    int *a = NULL;
    size_t cap = 0;
    for (size_t n = 0; n < 100; n++) {
        assert_int_equal(util_grow((void **)&a, n, &cap, sizeof *a), 0);
        a[n] = (int)n; /* ASan: the room is really there */
        assert_true(cap > n);
        assert_true(cap == 8 || cap == 16 || cap == 32 || cap == 64 || cap == 128);
    }
    for (size_t n = 0; n < 100; n++)
        assert_int_equal(a[n], (int)n);
    free(a);
}

static void test_grow_overflow_refused(void **state)
{
    (void)state;
    char *a = NULL;
    size_t cap = 0;
    assert_int_equal(util_grow((void **)&a, SIZE_MAX / 2, &cap, 4), -1);
    assert_null(a);
    assert_int_equal(cap, 0);
}

/* ------------------------------------------------------------------ hash */

static void test_hash_fnv1a_vectors(void **state)
{
    (void)state;
    /* the published FNV-1a 64 test values */
    assert_true(util_hash(UTIL_HASH_INIT, "", 0) == UINT64_C(0xcbf29ce484222325));
    assert_true(util_hash(UTIL_HASH_INIT, "a", 1) == UINT64_C(0xaf63dc4c8601ec8c));
    assert_true(util_hash(UTIL_HASH_INIT, "foobar", 6) == UINT64_C(0x85944171f73967e8));
    /* continuing is the same as hashing the concatenation */
    assert_true(util_hash(util_hash(UTIL_HASH_INIT, "foo", 3), "bar", 3)
                == util_hash(UTIL_HASH_INIT, "foobar", 6));
}

static void test_hash_str_separates(void **state)
{
    (void)state;
    uint64_t ab_c = util_hash_str(util_hash_str(UTIL_HASH_INIT, "ab"), "c");
    uint64_t a_bc = util_hash_str(util_hash_str(UTIL_HASH_INIT, "a"), "bc");
    assert_true(ab_c != a_bc);
    assert_true(util_hash_str(UTIL_HASH_INIT, NULL) != util_hash_str(UTIL_HASH_INIT, ""));
}

/* ----------------------------------------------------------------- names */

static void test_name_tables(void **state)
{
    (void)state;
    static const struct util_name t[] = {{"skip", 0}, {"allow", 1}, {"on", 1}};
    assert_int_equal(util_name_value(t, UTIL_COUNT_OF(t), "ALLOW"), 1);
    assert_int_equal(util_name_value(t, UTIL_COUNT_OF(t), "On"), 1);
    assert_int_equal(util_name_value(t, UTIL_COUNT_OF(t), "skipx"), -1);
    assert_int_equal(util_name_value(t, UTIL_COUNT_OF(t), NULL), -1);
    assert_string_equal(util_name_of(t, UTIL_COUNT_OF(t), 1), "allow");
    assert_string_equal(util_name_of(t, UTIL_COUNT_OF(t), 7), "unknown");
}

/* ------------------------------------------------------------ read_file */

static char dir[64];

static int dir_setup(void **state)
{
    (void)state;
    snprintf(dir, sizeof dir, "/tmp/test_util-XXXXXX");
    return mkdtemp(dir) != NULL ? 0 : -1;
}

static int dir_teardown(void **state)
{
    (void)state;
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    return system(cmd) == 0 ? 0 : -1;
}

static const char *path_in(const char *name)
{
    static char p[128];
    snprintf(p, sizeof p, "%s/%s", dir, name);
    return p;
}

static void write_text(const char *name, const char *text, mode_t mode)
{
    FILE *f = fopen(path_in(name), "w");
    assert_non_null(f);
    assert_int_equal(fputs(text, f) >= 0, 1);
    assert_int_equal(fclose(f), 0);
    assert_int_equal(chmod(path_in(name), mode), 0);
}

static void test_read_file_whole(void **state)
{
    (void)state;
    write_text("a", "0 3 * * * backup\n", 0640);
    struct util_file f;
    char err[128] = "";
    assert_int_equal(util_read_file(path_in("a"), 1024, &f, err, sizeof err), 0);
    assert_int_equal(f.len, 17);
    assert_string_equal(f.data, "0 3 * * * backup\n"); /* NUL-terminated */
    assert_int_equal(f.mode & 07777, 0640);
    assert_true(S_ISREG(f.mode));
    free(f.data);
}

static void test_read_file_empty(void **state)
{
    (void)state;
    write_text("empty", "", 0644);
    struct util_file f;
    char err[128];
    assert_int_equal(util_read_file(path_in("empty"), 10, &f, err, sizeof err), 0);
    assert_int_equal(f.len, 0);
    assert_string_equal(f.data, "");
    free(f.data);
}

static void test_read_file_errors(void **state)
{
    (void)state;
    struct util_file f;
    char err[128];
    write_text("big", "0123456789a", 0644);
    assert_int_equal(util_read_file(path_in("big"), 10, &f, err, sizeof err), EFBIG);
    assert_string_equal(err, "larger than 10 bytes");
    assert_null(f.data);
    assert_int_equal(util_read_file(path_in("big"), 11, &f, err, sizeof err), 0);
    free(f.data);
    assert_int_equal(util_read_file(path_in("none"), 10, &f, err, sizeof err), ENOENT);
    assert_string_equal(err, "cannot open: No such file or directory");
    assert_int_equal(util_read_file(dir, 10, &f, err, sizeof err), EISDIR);
    assert_string_equal(err, "not a regular file");
    /* a FIFO neither blocks the open nor is read */
    assert_int_equal(mkfifo(path_in("fifo"), 0600), 0);
    assert_int_equal(util_read_file(path_in("fifo"), 10, &f, err, sizeof err), EINVAL);
    assert_string_equal(err, "not a regular file");
}

/* ------------------------------------------------------------------ diag */

static void test_diag_list(void **state)
{
    (void)state;
    struct diag_list l = {0};
    assert_int_equal(diag_add(&l, DIAG_ERROR, NULL, 7, 11, "day of month %d out of range", 32), 0);
    assert_int_equal(diag_add(&l, DIAG_WARNING, "x.cron", 2, 1, "group-writable"), 0);
    assert_int_equal(diag_add(&l, DIAG_ERROR, NULL, 2, 0, "second on line 2"), 0);
    assert_int_equal(l.n, 3);
    assert_int_equal(l.nerrors, 2);
    diag_sort_lines(&l, 0);
    assert_string_equal(l.items[0].msg, "group-writable"); /* stable among line 2 */
    assert_string_equal(l.items[1].msg, "second on line 2");
    assert_int_equal(l.items[2].line, 7);

    struct diag_list all = {0};
    assert_int_equal(diag_add_all(&all, &l, "app.cron"), 0);
    char buf[128];
    diag_format(&all.items[2], buf, sizeof buf);
    assert_string_equal(buf, "app.cron:7:11: day of month 32 out of range");
    diag_format(&all.items[0], buf, sizeof buf);
    assert_string_equal(buf, "x.cron:2:1: warning: group-writable"); /* its own file */
    all.items[1].line = 0;
    diag_format(&all.items[1], buf, sizeof buf);
    assert_string_equal(buf, "app.cron: second on line 2");
    assert_int_equal(all.nerrors, 2);
    diag_list_free(&all);
    diag_list_free(&l);
    assert_int_equal(l.n, 0);
    assert_null(l.items);
}

/* ------------------------------------------------------------------ buf */

static void test_buf_appends_and_grows(void **state)
{
    (void)state;
    struct util_buf b = {0};
    util_buf_str(&b, "a");
    util_buf_add(&b, "bcdef", 2);
    util_buf_printf(&b, "-%d-%s", 42, "x");
    assert_string_equal(b.data, "abc-42-x");
    assert_int_equal(b.len, 8);
    char big[1000];
    memset(big, 'y', sizeof big - 1);
    big[sizeof big - 1] = '\0';
    util_buf_printf(&b, "%s", big); /* longer than printf's small buffer */
    assert_int_equal(b.len, 8 + 999);
    assert_int_equal(b.data[b.len - 1], 'y');
    assert_int_equal(b.data[b.len], '\0');
    assert_false(b.oom);
    util_buf_free(&b);
    assert_null(b.data);
    assert_int_equal(b.len, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_buf_appends_and_grows),
        cmocka_unit_test(test_grow_doubles_from_8),
        cmocka_unit_test(test_grow_overflow_refused),
        cmocka_unit_test(test_hash_fnv1a_vectors),
        cmocka_unit_test(test_hash_str_separates),
        cmocka_unit_test(test_name_tables),
        cmocka_unit_test(test_read_file_whole),
        cmocka_unit_test(test_read_file_empty),
        cmocka_unit_test(test_read_file_errors),
        cmocka_unit_test(test_diag_list),
    };
    return cmocka_run_group_tests(tests, dir_setup, dir_teardown);
}
