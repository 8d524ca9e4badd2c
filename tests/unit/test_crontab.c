/* Unit tests of crontab: line classification, variables and their order,
 * SHELL and CRON_TZ, the field readings, the user column, '%', and every
 * error with its line and column. */
#include "testutil.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "crond/crontab.h"

/* ------------------------------------------------------------------------ */
/* Helpers                                                                  */
/* ------------------------------------------------------------------------ */

static struct crontab parse_opts(const char *text, size_t len, bool system, bool pct, int want_rc)
{
    struct crontab_opts opts = {system, pct};
    struct crontab t;
    int rc = crontab_parse(text, len, &opts, &t);
    if (rc != want_rc) {
        for (size_t i = 0; i < t.diags.n; i++)
            print_error("diag %d:%d %s\n", t.diags.items[i].line, t.diags.items[i].col, t.diags.items[i].msg);
        fail_msg("crontab_parse returned %d, expected %d", rc, want_rc);
    }
    return t;
}

static struct crontab parse(const char *text, int want_rc)
{
    return parse_opts(text, strlen(text), false, false, want_rc);
}

static void expect_diag(const struct crontab *t, size_t i, int line, int col, const char *msg)
{
    assert_true(i < t->diags.n);
    assert_int_equal(t->diags.items[i].line, line);
    assert_int_equal(t->diags.items[i].col, col);
    assert_string_equal(t->diags.items[i].msg, msg);
}

static void expect_entry(const struct crontab *t, size_t i, int line, int col,
                         const char *schedule, const char *command)
{
    assert_true(i < t->nentries);
    assert_int_equal(t->entries[i].line, line);
    assert_int_equal(t->entries[i].col, col);
    assert_string_equal(t->entries[i].schedule, schedule);
    assert_string_equal(t->entries[i].command, command);
}

/* ------------------------------------------------------------------------ */
/* Lines                                                                    */
/* ------------------------------------------------------------------------ */

static void test_comments_blank_lines_crlf(void **state)
{
    (void)state;
    struct crontab t = parse("# header\n\n   \n\t# indented comment\r\n\r\n"
                             "*/5 * * * * echo a\r\n"
                             "  # 0 0 32 * * not parsed\n"
                             "0 1 * * * echo b", 0);
    assert_int_equal(t.nentries, 2);
    assert_int_equal(t.diags.n, 0);
    expect_entry(&t, 0, 6, 1, "*/5 * * * *", "echo a");
    expect_entry(&t, 1, 8, 1, "0 1 * * *", "echo b");
    assert_null(t.entries[0].user);
    assert_null(t.entries[0].input);
    assert_null(t.entries[0].env->shell);
    assert_null(t.entries[0].env->tz);
    crontab_free(&t);
}

static void test_empty_text(void **state)
{
    (void)state;
    struct crontab t = parse_opts(NULL, 0, false, false, 0);
    assert_int_equal(t.nentries, 0);
    assert_int_equal(t.diags.n, 0);
    crontab_free(&t);
    t = parse("\n\n# only comments\n", 0);
    assert_int_equal(t.nentries, 0);
    crontab_free(&t);
}

static void test_not_nul_terminated(void **state)
{
    (void)state;
    /* the length decides, not a NUL: "* * * * * a" then garbage not read */
    const char text[] = "* * * * * abcXXXX";
    struct crontab t = parse_opts(text, 13, false, false, 0);
    assert_int_equal(t.nentries, 1);
    expect_entry(&t, 0, 1, 1, "* * * * *", "abc");
    crontab_free(&t);
}

static void test_blanks_collapsed_and_trimmed(void **state)
{
    (void)state;
    struct crontab t = parse("  0\t0   *  * *\t  echo  a   b \t \n", 0);
    expect_entry(&t, 0, 1, 3, "0 0 * * *", "echo  a   b");
    crontab_free(&t);
}

/* ------------------------------------------------------------------------ */
/* Variables                                                                */
/* ------------------------------------------------------------------------ */

static void test_variable_forms(void **state)
{
    (void)state;
    struct crontab t = parse("A=1\n"
                             "B = two words  \n"
                             "C=\"  quoted # not a comment \"\n"
                             "  D\t=\t'single'  \n"
                             "E=\n"
                             "F=\"it's\"\n"
                             "G='say \"hi\"'\n"
                             "_H9=a=b\n"
                             "I=mid\"quote\n"
                             "* * * * * cmd\n", 0);
    const struct crontab_env *env = t.entries[0].env;
    assert_int_equal(env->nvars, 9);
    assert_string_equal(env->vars[0], "A=1");
    assert_string_equal(env->vars[1], "B=two words");
    assert_string_equal(env->vars[2], "C=  quoted # not a comment ");
    assert_string_equal(env->vars[3], "D=single");
    assert_string_equal(env->vars[4], "E=");
    assert_string_equal(env->vars[5], "F=it's");
    assert_string_equal(env->vars[6], "G=say \"hi\"");
    assert_string_equal(env->vars[7], "_H9=a=b");
    assert_string_equal(env->vars[8], "I=mid\"quote");
    assert_null(env->vars[9]);
    assert_string_equal(crontab_env_get(env, "B"), "two words");
    assert_string_equal(crontab_env_get(env, "E"), "");
    assert_string_equal(crontab_env_get(env, "_H9"), "a=b");
    assert_null(crontab_env_get(env, "Z"));
    assert_null(crontab_env_get(env, "_H"));
    crontab_free(&t);
}

static void test_variable_order_of_application(void **state)
{
    (void)state;
    struct crontab t = parse("* * * * * first\n"
                             "A=1\n"
                             "B=2\n"
                             "* * * * * second\n"
                             "* * * * * third\n"
                             "A=one\n"
                             "C=3\n"
                             "* * * * * fourth\n", 0);
    assert_int_equal(t.nentries, 4);
    const struct crontab_env *e0 = t.entries[0].env, *e1 = t.entries[1].env;
    const struct crontab_env *e2 = t.entries[2].env, *e3 = t.entries[3].env;
    /* before any variable: an empty snapshot, never NULL */
    assert_non_null(e0);
    assert_int_equal(e0->nvars, 0);
    assert_null(e0->vars[0]);
    assert_ptr_equal(e1, e2); /* no variable between them: one snapshot */
    assert_int_equal(e1->nvars, 2);
    assert_string_equal(crontab_env_get(e1, "A"), "1");
    assert_null(crontab_env_get(e1, "C"));
    /* reassignment replaces the value and keeps the position */
    assert_int_equal(e3->nvars, 3);
    assert_string_equal(e3->vars[0], "A=one");
    assert_string_equal(e3->vars[1], "B=2");
    assert_string_equal(e3->vars[2], "C=3");
    assert_string_equal(crontab_env_get(e1, "A"), "1"); /* earlier snapshot unchanged */
    assert_int_equal(t.nenvs, 3);
    crontab_free(&t);
}

static void test_shell_variable(void **state)
{
    (void)state;
    struct crontab t = parse("* * * * * a\n"
                             "SHELL=/bin/bash\n"
                             "* * * * * b\n"
                             "SHELL = \"/bin/zsh\"\n"
                             "* * * * * c\n"
                             "SHELL=\n"
                             "* * * * * d\n", 0);
    assert_null(t.entries[0].env->shell);
    assert_string_equal(t.entries[1].env->shell, "/bin/bash");
    assert_string_equal(crontab_env_get(t.entries[1].env, "SHELL"), "/bin/bash");
    assert_string_equal(t.entries[2].env->shell, "/bin/zsh");
    assert_null(t.entries[3].env->shell); /* empty: back to the default */
    assert_string_equal(crontab_env_get(t.entries[3].env, "SHELL"), "");
    crontab_free(&t);
}

static void test_cron_tz_variable(void **state)
{
    (void)state;
    struct crontab t = parse("* * * * * a\n"
                             "CRON_TZ=Europe/Berlin\n"
                             "* * * * * b\n"
                             "CRON_TZ = 'America/New_York'\n"
                             "* * * * * c\n"
                             "CRON_TZ=\n"
                             "* * * * * d\n", 0);
    assert_null(t.entries[0].env->tz);
    assert_int_equal(t.entries[0].env->tz_line, 0);
    assert_string_equal(t.entries[1].env->tz, "Europe/Berlin");
    assert_int_equal(t.entries[1].env->tz_line, 2);
    assert_int_equal(t.entries[1].env->tz_col, 9);
    assert_string_equal(t.entries[2].env->tz, "America/New_York");
    assert_int_equal(t.entries[2].env->tz_line, 4);
    assert_int_equal(t.entries[2].env->tz_col, 12); /* inside the quotes */
    assert_null(t.entries[3].env->tz);
    assert_int_equal(t.entries[3].env->tz_line, 0);
    /* CRON_TZ picks the zone; it is not an environment variable */
    for (size_t i = 0; i < t.nentries; i++)
        assert_null(crontab_env_get(t.entries[i].env, "CRON_TZ"));
    assert_int_equal(t.entries[3].env->nvars, 0);
    crontab_free(&t);
}

static void test_inline_cron_tz(void **state)
{
    (void)state;
    struct crontab t = parse("CRON_TZ=Asia/Tokyo\n"
                             "CRON_TZ=Europe/Berlin 0 3 * * * backup\n"
                             "0 4 * * * other\n"
                             "  CRON_TZ='UTC'   @daily  quoted\n"
                             "CRON_TZ=Europe/Berlin\n"
                             "0 5 * * * after-alone\n"
                             "CRON_TZ = America/Chicago\n"
                             "0 6 * * * after-spaced\n", 0);
    assert_int_equal(t.nentries, 5);
    expect_entry(&t, 0, 2, 23, "0 3 * * *", "backup");
    assert_string_equal(t.entries[0].env->tz, "Europe/Berlin");
    assert_int_equal(t.entries[0].env->tz_line, 2);
    assert_int_equal(t.entries[0].env->tz_col, 9);
    /* the prefix is for its own line only */
    expect_entry(&t, 1, 3, 1, "0 4 * * *", "other");
    assert_string_equal(t.entries[1].env->tz, "Asia/Tokyo");
    assert_int_equal(t.entries[1].env->tz_line, 1);
    expect_entry(&t, 2, 4, 19, "@daily", "quoted");
    assert_string_equal(t.entries[2].env->tz, "UTC");
    assert_int_equal(t.entries[2].env->tz_col, 12);
    /* alone, or with blanks around '=', CRON_TZ= is a variable line */
    assert_string_equal(t.entries[3].env->tz, "Europe/Berlin");
    assert_int_equal(t.entries[3].env->tz_line, 5);
    assert_string_equal(t.entries[4].env->tz, "America/Chicago");
    assert_int_equal(t.entries[4].env->tz_line, 7);
    assert_int_equal(t.entries[4].env->tz_col, 11);
    crontab_free(&t);
}

static void test_variable_lines_are_not_jobs(void **state)
{
    (void)state;
    /* only CRON_TZ has a job-line prefix form */
    struct crontab t = parse("PATH=/bin 0 0 * * * cmd\n", 0);
    assert_int_equal(t.nentries, 0);
    assert_int_equal(t.nenvs, 0);
    crontab_free(&t);
}

static void test_snapshots_stay_few(void **state)
{
    (void)state;
    char text[4096] = "A=1\nB=2\n";
    for (int i = 0; i < 100; i++)
        strcat(text, "* * * * * x\n");
    strcat(text, "B=3\n* * * * * y\n");
    struct crontab t = parse(text, 0);
    assert_int_equal(t.nentries, 101);
    assert_int_equal(t.nenvs, 2);
    assert_ptr_equal(t.entries[0].env, t.entries[99].env);
    assert_string_equal(crontab_env_get(t.entries[100].env, "B"), "3");
    crontab_free(&t);
}

/* ------------------------------------------------------------------------ */
/* Schedules                                                                */
/* ------------------------------------------------------------------------ */

static void test_field_counts(void **state)
{
    (void)state;
    struct crontab t = parse("0 0 * * * five\n"
                             "0 0 1 1 * 2030 six\n"
                             "30 0 0 1 1 * 2030 seven\n", 0);
    assert_int_equal(t.nentries, 3);
    expect_entry(&t, 0, 1, 1, "0 0 * * *", "five");
    assert_true(t.entries[0].spec->flags & CRONSPEC_YEAR_ANY);
    assert_false(t.entries[0].spec->flags & CRONSPEC_SECONDS);
    expect_entry(&t, 1, 2, 1, "0 0 1 1 * 2030", "six");
    assert_false(t.entries[1].spec->flags & CRONSPEC_YEAR_ANY);
    assert_true(cronspec_year_matches(t.entries[1].spec, 2030));
    assert_false(cronspec_year_matches(t.entries[1].spec, 2031));
    expect_entry(&t, 2, 3, 1, "30 0 0 1 1 * 2030", "seven");
    assert_true(t.entries[2].spec->flags & CRONSPEC_SECONDS);
    assert_true(t.entries[2].spec->sec == UINT64_C(1) << 30);
    crontab_free(&t);
}

static void test_macros(void **state)
{
    (void)state;
    struct crontab t = parse("@every 5m poll\n"
                             "@reboot   start  --now\n"
                             "@daily rotate\n"
                             "@HOURLY ping\n", 0);
    assert_int_equal(t.nentries, 4);
    expect_entry(&t, 0, 1, 1, "@every 5m", "poll");
    assert_int_equal(t.entries[0].spec->kind, CRONSPEC_EVERY);
    assert_int_equal(t.entries[0].spec->every_ms, 300000);
    expect_entry(&t, 1, 2, 1, "@reboot", "start  --now");
    assert_int_equal(t.entries[1].spec->kind, CRONSPEC_REBOOT);
    expect_entry(&t, 2, 3, 1, "@daily", "rotate");
    assert_int_equal(t.entries[2].spec->kind, CRONSPEC_CALENDAR);
    assert_true(t.entries[2].spec->min == 1 && t.entries[2].spec->hour == 1);
    expect_entry(&t, 3, 4, 1, "@HOURLY", "ping");
    crontab_free(&t);
}

static void test_longest_reading(void **state)
{
    (void)state;
    struct crontab t = parse("0 0 * * * 2030 cmd\n"
                             "* * * * * echo hi\n"
                             "0 0 * * * 2030\n"
                             "0 0 * * * 1999 cmd\n", 1);
    assert_int_equal(t.nentries, 4);
    expect_entry(&t, 0, 1, 1, "0 0 * * * 2030", "cmd");
    expect_entry(&t, 1, 2, 1, "* * * * *", "echo hi");
    /* the 6-field reading would leave no command: 5 fields, command "2030" */
    expect_entry(&t, 2, 3, 1, "0 0 * * *", "2030");
    /* 1999 is a valid year: six fields */
    expect_entry(&t, 3, 4, 1, "0 0 * * * 1999", "cmd");
    /* the only diag: line 3's command looks like a year (a warning) */
    assert_int_equal(t.diags.n, 1);
    assert_int_equal(t.diags.nerrors, 0);
    assert_int_equal(t.diags.items[0].line, 3);
    crontab_free(&t);
}

/* ------------------------------------------------------------------------ */
/* User column                                                              */
/* ------------------------------------------------------------------------ */

static void test_system_user_column(void **state)
{
    (void)state;
    const char *text = "0 0 * * * root  run-parts /etc/daily\n"
                       "@reboot app start\n"
                       "0 0 * * * 2030 alice cmd\n"
                       "0 0 * * * 2000 backup\n"
                       "0 0 * * * root\n"
                       "0 0 * * *\n"
                       "@reboot\n";
    struct crontab t = parse_opts(text, strlen(text), true, false, 1);
    assert_int_equal(t.nentries, 4);
    expect_entry(&t, 0, 1, 1, "0 0 * * *", "run-parts /etc/daily");
    assert_string_equal(t.entries[0].user, "root");
    expect_entry(&t, 1, 2, 1, "@reboot", "start");
    assert_string_equal(t.entries[1].user, "app");
    expect_entry(&t, 2, 3, 1, "0 0 * * * 2030", "cmd");
    assert_string_equal(t.entries[2].user, "alice");
    /* a year reading would leave no command: 2000 is the user */
    expect_entry(&t, 3, 4, 1, "0 0 * * *", "backup");
    assert_string_equal(t.entries[3].user, "2000");
    assert_int_equal(t.diags.n, 3);
    expect_diag(&t, 0, 5, 15, "expected a command after the user 'root'");
    expect_diag(&t, 1, 6, 10, "expected a user and a command after the schedule");
    expect_diag(&t, 2, 7, 8, "expected a user and a command after the schedule");
    crontab_free(&t);
}

static void test_no_user_column_without_system(void **state)
{
    (void)state;
    struct crontab t = parse("0 0 * * * root echo\n", 0);
    assert_null(t.entries[0].user);
    assert_string_equal(t.entries[0].command, "root echo");
    crontab_free(&t);
}

/* ------------------------------------------------------------------------ */
/* Percent signs                                                            */
/* ------------------------------------------------------------------------ */

static void test_percent_literal_by_default(void **state)
{
    (void)state;
    struct crontab t = parse("0 0 * * * date +%Y-%m-%d \\% x\n", 1);
    assert_string_equal(t.entries[0].command, "date +%Y-%m-%d \\% x");
    assert_null(t.entries[0].input);
    /* "\%" is said: the shell gets the backslash (test_warnings) */
    assert_int_equal(t.diags.nerrors, 0);
    crontab_free(&t);
}

static void test_percent_newline(void **state)
{
    (void)state;
    const char *text = "0 0 * * * date +\\%Y-\\%m\n"
                       "0 0 * * * mail -s hi root %Dear root,%%100\\% done  \n"
                       "0 0 * * * cat %\n"
                       "0 0 * * * a\\\\%b\n"
                       "0 0 * * * %only input\n";
    struct crontab t = parse_opts(text, strlen(text), false, true, 1);
    assert_int_equal(t.nentries, 4);
    assert_string_equal(t.entries[0].command, "date +%Y-%m");
    assert_null(t.entries[0].input);
    assert_string_equal(t.entries[1].command, "mail -s hi root");
    assert_string_equal(t.entries[1].input, "Dear root,\n\n100% done\n");
    assert_string_equal(t.entries[2].command, "cat");
    assert_string_equal(t.entries[2].input, "\n");
    /* a backslash pairs with the next character: "\\%" ends the command */
    assert_string_equal(t.entries[3].command, "a\\\\");
    assert_string_equal(t.entries[3].input, "b\n");
    assert_int_equal(t.diags.n, 1);
    expect_diag(&t, 0, 5, 11, "expected a command before '%' (write \\% for a literal %)");
    crontab_free(&t);
}

/* ------------------------------------------------------------------------ */
/* Drop-in syntax of other crons (DESIGN.md section 9)                      */
/* ------------------------------------------------------------------------ */

/* cronie's '-': the entry's spec says QUIET, in every schedule form and
 * after a CRON_TZ= prefix; the schedule text keeps the '-'. */
static void test_quiet_jobs(void **state)
{
    (void)state;
    struct crontab t = parse("-*/5 * * * * five\n"
                             "-@daily daily\n"
                             "CRON_TZ=UTC -@reboot boot\n"
                             "-@every 90s every\n"
                             "-*/10 * * * * * * seconds\n"
                             "-0 0 1 1 * 2030 year\n"
                             "*/5 * * * * loud\n", 0);
    assert_int_equal(t.nentries, 7);
    expect_entry(&t, 0, 1, 1, "-*/5 * * * *", "five");
    expect_entry(&t, 2, 3, 13, "-@reboot", "boot");
    assert_string_equal(t.entries[2].env->tz, "UTC");
    expect_entry(&t, 4, 5, 1, "-*/10 * * * * * *", "seconds");
    expect_entry(&t, 5, 6, 1, "-0 0 1 1 * 2030", "year");
    for (size_t i = 0; i < 6; i++)
        if (!(t.entries[i].spec->flags & CRONSPEC_QUIET))
            fail_msg("line %d is not quiet", t.entries[i].line);
    assert_false(t.entries[6].spec->flags & CRONSPEC_QUIET);
    /* a '-' changes the flag and nothing else */
    struct cronspec a = *t.entries[0].spec;
    a.flags &= ~(unsigned)CRONSPEC_QUIET;
    assert_memory_equal(&a, t.entries[6].spec, sizeof a);
    assert_int_equal(t.entries[3].spec->every_ms, 90000);
    crontab_free(&t);
    t = parse("- * * * * * x\n", 1);
    expect_diag(&t, 0, 1, 2, "expected a schedule right after '-' (cronie's mark for a job "
                "whose start and end are logged at debug: -*/5 * * * * cmd)");
    crontab_free(&t);
}

/* The minute a line's '~' draws, parsed alone with the seed of its text. */
static int drawn_minute(const char *line)
{
    struct crontab t = parse(line, 0);
    int m = __builtin_ctzll(t.entries[0].spec->min);
    crontab_free(&t);
    return m;
}

/* '~' values come from the job's text: the same on every line, in every
 * file and on every run; blanks and '-' do not count; the command does. */
static void test_random_from_job_text(void **state)
{
    (void)state;
    struct crontab t = parse("~ 3 * * * backup\n"
                             "# another line, another place\n"
                             "~ 3 * * * backup\n"
                             "~ 3 * * * other\n", 0);
    assert_int_equal(t.nentries, 3);
    const struct cronspec *a = t.entries[0].spec, *b = t.entries[1].spec, *c = t.entries[2].spec;
    assert_true(a->min == b->min);
    assert_true(a->flags & CRONSPEC_RANDOM);
    /* each is what its text's seed draws */
    for (size_t i = 0; i < t.nentries; i++) {
        char line[64];
        snprintf(line, sizeof line, "%s %s", t.entries[i].schedule, t.entries[i].command);
        struct cronspec want;
        struct cronspec_error err = {0, ""};
        struct cronspec_opts o = {cronspec_seed(line, strlen(line)), NULL};
        assert_int_equal(cronspec_parse(t.entries[i].schedule, &o, &want, &err), 0);
        assert_memory_equal(&want, t.entries[i].spec, sizeof want);
    }
    /* two texts, one schedule text: not one interned spec unless they drew
     * the same (then it may be shared) */
    assert_true(a->min == c->min || a != c);
    crontab_free(&t);
    int m = drawn_minute("~ 3 * * * backup\n");
    assert_int_equal(drawn_minute("  ~\t3 *  * *   backup  \n"), m);
    assert_int_equal(drawn_minute("-~ 3 * * * backup\n"), m);
    assert_int_equal(drawn_minute("CRON_TZ=Asia/Tokyo ~ 3 * * * backup\n"), m);
    /* over many commands the minutes spread */
    uint64_t seen = 0;
    for (int i = 0; i < 200; i++) {
        char line[64];
        snprintf(line, sizeof line, "~ 3 * * * job-%d\n", i);
        seen |= UINT64_C(1) << drawn_minute(line);
    }
    assert_true(__builtin_popcountll(seen) > 40);
}

/* The delay of entry i. */
static uint32_t delay_of(const struct crontab *t, size_t i)
{
    return t->entries[i].spec->delay_s;
}

/* RANDOM_DELAY: positional; calendar jobs after it get whole seconds in
 * [0, N minutes) drawn from their text; @reboot and @every none; the jobs
 * see the variable. */
static void test_random_delay(void **state)
{
    (void)state;
    struct crontab t = parse("0 1 * * * before\n"
                             "RANDOM_DELAY=10\n"
                             "0 3 * * * a\n"
                             "@reboot boot\n"
                             "@every 5m poll\n"
                             "@daily d\n"
                             "0 3 * * * a\n"
                             "RANDOM_DELAY = '2'\n"
                             "0 3 * * * a\n"
                             "RANDOM_DELAY=\n"
                             "0 3 * * * after\n"
                             "RANDOM_DELAY=0\n"
                             "0 3 * * * zero\n", 0);
    assert_int_equal(t.nentries, 9);
    assert_int_equal(delay_of(&t, 0), 0);
    const char *a = "0 3 * * * a";
    uint64_t seed = cronspec_seed(a, strlen(a));
    assert_int_equal(delay_of(&t, 1), cronspec_pick(seed, CRONSPEC_PICK_DELAY, 600));
    assert_int_equal(delay_of(&t, 2), 0); /* @reboot */
    assert_int_equal(delay_of(&t, 3), 0); /* @every */
    assert_true(delay_of(&t, 4) < 600);
    assert_int_equal(delay_of(&t, 5), delay_of(&t, 1)); /* same text, same delay */
    assert_int_equal(delay_of(&t, 6), cronspec_pick(seed, CRONSPEC_PICK_DELAY, 120));
    assert_int_equal(delay_of(&t, 7), 0);
    assert_int_equal(delay_of(&t, 8), 0);
    /* a delayed schedule is not the undelayed one's spec */
    assert_true(t.entries[0].spec != t.entries[1].spec || delay_of(&t, 1) == 0);
    assert_string_equal(crontab_env_get(t.entries[1].env, "RANDOM_DELAY"), "10");
    assert_string_equal(crontab_env_get(t.entries[6].env, "RANDOM_DELAY"), "2");
    /* seconds, not minutes: over 200 jobs the delays spread over the hour */
    char text[8192] = "RANDOM_DELAY=60\n";
    for (int i = 0; i < 200; i++)
        snprintf(text + strlen(text), sizeof text - strlen(text), "0 3 * * * job-%d\n", i);
    crontab_free(&t);
    t = parse(text, 0);
    int off_minute = 0, late = 0;
    for (size_t i = 0; i < t.nentries; i++) {
        assert_true(delay_of(&t, i) < 3600);
        off_minute += delay_of(&t, i) % 60 != 0;
        late += delay_of(&t, i) >= 1800;
    }
    assert_true(off_minute > 150);
    assert_in_range(late, 60, 140);
    crontab_free(&t);
}

/* A bad RANDOM_DELAY is a warning and no delay; the variable stays. */
static void test_random_delay_invalid(void **state)
{
    (void)state;
    static const struct {
        const char *line;
        int col;
    } rows[] = {
        {"RANDOM_DELAY=abc", 14},
        {"RANDOM_DELAY=-5", 14},
        {"RANDOM_DELAY=5m", 14},
        {"RANDOM_DELAY = 1.5", 16},
        {"RANDOM_DELAY=525601", 14},
        {"RANDOM_DELAY=99999999999999999999", 14},
    };
    for (size_t i = 0; i < UTIL_COUNT_OF(rows); i++) {
        char text[128];
        snprintf(text, sizeof text, "RANDOM_DELAY=30\n%s\n0 3 * * * x\n", rows[i].line);
        struct crontab t = parse(text, 1);
        assert_int_equal(t.nentries, 1);
        assert_int_equal(delay_of(&t, 0), 0);
        assert_int_equal(t.diags.n, 1);
        assert_int_equal(t.diags.items[0].severity, DIAG_WARNING);
        assert_int_equal(t.diags.items[0].line, 2);
        assert_int_equal(t.diags.items[0].col, rows[i].col);
        assert_non_null(strstr(t.diags.items[0].msg, "RANDOM_DELAY: expected a whole number of "
                               "minutes from 0 to 525600, got '"));
        assert_non_null(crontab_env_get(t.entries[0].env, "RANDOM_DELAY"));
        crontab_free(&t);
    }
    struct crontab t = parse("RANDOM_DELAY=525600\n0 3 * * * x\n", 0);
    assert_true(delay_of(&t, 0) < 525600u * 60);
    crontab_free(&t);
}

/* Warnings leave the line; each has its column and says what to write. */
static void test_warnings(void **state)
{
    (void)state;
    static const struct {
        const char *text;
        bool system, pct;
        int col;                /* 0: no warning */
        const char *msg_part;
        const char *command;    /* of the one entry */
    } rows[] = {
        {"\xEF\xBB\xBF* * * * * cmd", false, false, 1,
         "the file starts with a UTF-8 byte-order mark (bytes EF BB BF), ignored: save it as "
         "UTF-8 without a BOM", "cmd"},
        {"\xEF\xBB\xBF" "A=1\n* * * * * cmd", false, false, 1, "byte-order mark", "cmd"},
        {"0 0 * * * date +\\%Y", false, false, 17,
         "'\\%' reaches the shell with its backslash: '%' is literal here (as in busybox crond "
         "and supercronic), so write '%' alone, or use --percent-newline", "date +\\%Y"},
        {"0 0 * * * date +\\%Y", false, true, 0, NULL, "date +%Y"},
        {"0 16 */2 * sat cmd", false, false, 6, "(supercronic: either); for either, write 1-31/2",
         "cmd"},
        {"CRON_TZ=UTC 0 16 */2 * sat cmd", false, false, 18, "day of month '*/2'", "cmd"},
        {"* * * * * * cmd", false, false, 11, "for a seconds field first, write 7 fields", "cmd"},
        {"*/100 * * * * cmd", false, false, 3, "only 0 matches", "cmd"},
        {"0 0 * * * 2100 echo x", false, false, 11,
         "the command starts with '2100', not read as a schedule field: as 6 fields, year 2100 "
         "out of range 1970-2099 (column 11); fix that field if one is meant", "2100 echo x"},
        {"0 0 * * * 2030", false, false, 11,
         "the command is only '2030', which reads as the year of a 6-field schedule: write the "
         "command after it", "2030"},
        {"* * * * * 5 cmd", false, false, 11, "year 5 out of range", "5 cmd"},
        {"0 0 * * * */0 cmd", false, false, 11, "year: step 0 out of range", "*/0 cmd"},
        {"0 3 * * * 2030 2100 echo", false, false, 16,
         "as 7 fields, day of week 2030 out of range 0-7 (column 11)", "2100 echo"},
        {"0 0 * * * echo 2100", false, false, 0, NULL, "echo 2100"},
        {"0 0 * * * ./2100", false, false, 0, NULL, "./2100"},
        {"0 0 * * * - x", false, false, 0, NULL, "- x"},
        {"@daily 2100 x", false, false, 0, NULL, "2100 x"},
        {"* * * * * * * 5 cmd", false, false, 0, NULL, "5 cmd"},
        {"0 0 * * * 2100 root echo", true, false, 0, NULL, "root echo"},
        {"0 0 29-L * * x", false, false, 0, NULL, "x"},
    };
    for (size_t i = 0; i < UTIL_COUNT_OF(rows); i++) {
        struct crontab t = parse_opts(rows[i].text, strlen(rows[i].text), rows[i].system,
                                      rows[i].pct, rows[i].col != 0 ? 1 : 0);
        if (t.nentries != 1 || strcmp(t.entries[0].command, rows[i].command) != 0)
            fail_msg("'%s': %zu entries, command '%s'", rows[i].text, t.nentries,
                     t.nentries ? t.entries[0].command : "");
        assert_int_equal(t.diags.nerrors, 0);
        if (rows[i].col != 0) {
            const struct diag *d = &t.diags.items[0];
            if (t.diags.n != 1 || d->severity != DIAG_WARNING || d->line != 1
                || d->col != rows[i].col || strstr(d->msg, rows[i].msg_part) == NULL)
                fail_msg("'%s': %zu diags, first %d:%d '%s'; want 1:%d with '%s'", rows[i].text,
                         t.diags.n, d->line, d->col, d->msg, rows[i].col, rows[i].msg_part);
        }
        crontab_free(&t);
    }
    /* after a BOM the columns still count its bytes */
    struct crontab t = parse("\xEF\xBB\xBF" "0 0 32 * * x\n", 1);
    assert_int_equal(t.diags.n, 2);
    expect_diag(&t, 1, 1, 8, "day of month 32 out of range 1-31");
    crontab_free(&t);
    /* a BOM elsewhere is no BOM: an error as any other text */
    t = parse("* * * * * a\n\xEF\xBB\xBF* * * * * b\n", 1);
    assert_int_equal(t.diags.nerrors, 1);
    assert_int_equal(t.diags.items[0].line, 2);
    crontab_free(&t);
}

/* ------------------------------------------------------------------------ */
/* Errors                                                                   */
/* ------------------------------------------------------------------------ */

static void test_all_errors_reported(void **state)
{
    (void)state;
    struct crontab t = parse("0 0 32 * * cmd\n"                    /* 1 */
                             "* * * * * good\n"                    /* 2 */
                             "60 * * * * cmd\n"                    /* 3 */
                             "0 0 * * *\n"                         /* 4 */
                             "FOO='unterminated\n"                 /* 5 */
                             "echo hello\n"                        /* 6 */
                             "BAR=\"x\" y\n"                       /* 7 */
                             "0 0 * * mon-foo cmd\n"               /* 8 */
                             "@weekly  \n"                         /* 9 */
                             "@sometimes cmd\n"                    /* 10 */
                             "  0 0 10-5 * * cmd\n"                /* 11 */
                             "1 2 3\n"                             /* 12 */
                             "@every 1.5s cmd\n"                   /* 13 */
                             "0 0 * * * last-good\n", 1);          /* 14 */
    assert_int_equal(t.nentries, 2);
    expect_entry(&t, 0, 2, 1, "* * * * *", "good");
    expect_entry(&t, 1, 14, 1, "0 0 * * *", "last-good");
    assert_int_equal(t.diags.n, 12);
    expect_diag(&t, 0, 1, 5, "day of month 32 out of range 1-31");
    expect_diag(&t, 1, 3, 1, "minute 60 out of range 0-59");
    expect_diag(&t, 2, 4, 10, "expected a command after the schedule");
    expect_diag(&t, 3, 5, 5, "unterminated quote: expected a closing ' to end the value");
    expect_diag(&t, 4, 6, 1, "expected NAME=VALUE or a schedule (5 to 7 fields or a macro "
                "such as @daily), got 'echo'");
    expect_diag(&t, 5, 7, 9, "expected the end of the line after the closing \", got 'y'");
    assert_int_equal(t.diags.items[6].line, 8);
    assert_int_equal(t.diags.items[6].col, 13);
    assert_non_null(strstr(t.diags.items[6].msg, "'foo'"));
    expect_diag(&t, 7, 9, 10, "expected a command after the schedule");
    assert_int_equal(t.diags.items[8].line, 10);
    assert_int_equal(t.diags.items[8].col, 1);
    assert_non_null(strstr(t.diags.items[8].msg, "unknown macro '@sometimes'"));
    assert_int_equal(t.diags.items[9].line, 11);
    assert_int_equal(t.diags.items[9].col, 10);
    assert_non_null(strstr(t.diags.items[9].msg, "range 10-5 is reversed"));
    expect_diag(&t, 10, 12, 6, "expected 5 schedule fields and a command, found 3 fields");
    assert_int_equal(t.diags.items[11].line, 13);
    assert_int_equal(t.diags.items[11].col, 8);
    assert_non_null(strstr(t.diags.items[11].msg, "@every"));
    crontab_free(&t);
}

static void test_error_column_after_inline_tz(void **state)
{
    (void)state;
    struct crontab t = parse("CRON_TZ=Europe/Berlin 0 0 32 * * cmd\n"
                             "CRON_TZ=UTC   0 0 * * *\n", 1);
    assert_int_equal(t.nentries, 0);
    expect_diag(&t, 0, 1, 27, "day of month 32 out of range 1-31");
    expect_diag(&t, 1, 2, 24, "expected a command after the schedule");
    crontab_free(&t);
}

static void test_nul_byte(void **state)
{
    (void)state;
    const char text[] = "* * * * * a\n* * * * * b\0c\n# x\0\n* * * * * d\n";
    struct crontab t = parse_opts(text, sizeof text - 1, false, false, 1);
    assert_int_equal(t.nentries, 2);
    expect_entry(&t, 0, 1, 1, "* * * * *", "a");
    expect_entry(&t, 1, 4, 1, "* * * * *", "d");
    assert_int_equal(t.diags.n, 2);
    expect_diag(&t, 0, 2, 12, "unexpected NUL byte: expected text");
    expect_diag(&t, 1, 3, 4, "unexpected NUL byte: expected text");
    crontab_free(&t);
}

static void test_line_too_long(void **state)
{
    (void)state;
    size_t n = 70000;
    char *text = malloc(n + 64);
    assert_non_null(text);
    memcpy(text, "* * * * * ", 10);
    memset(text + 10, 'x', n - 10);
    memcpy(text + n, "\n* * * * * ok\n", 15);
    struct crontab t = parse_opts(text, strlen(text), false, false, 1);
    assert_int_equal(t.nentries, 1);
    expect_entry(&t, 0, 2, 1, "* * * * *", "ok");
    expect_diag(&t, 0, 1, 65537, "line too long: expected at most 65536 bytes, found 70000");
    crontab_free(&t);
    /* exactly 65536 bytes (plus CRLF) is still fine */
    memset(text + 10, 'y', 65536 - 10);
    memcpy(text + 65536, "\r\n", 3);
    t = parse_opts(text, strlen(text), false, false, 0);
    assert_int_equal(strlen(t.entries[0].command), 65536 - 10);
    crontab_free(&t);
    free(text);
}

static void test_too_many_variables(void **state)
{
    (void)state;
    size_t cap = 1100 * 16;
    char *text = malloc(cap);
    assert_non_null(text);
    size_t len = 0;
    for (int i = 0; i < 1025; i++)
        len += (size_t)snprintf(text + len, cap - len, "V%d=%d\n", i, i);
    len += (size_t)snprintf(text + len, cap - len, "V7=again\n* * * * * x\n");
    struct crontab t = parse_opts(text, len, false, false, 1);
    assert_int_equal(t.diags.n, 1);
    expect_diag(&t, 0, 1025, 1, "too many variables: expected at most 1024 names");
    assert_int_equal(t.entries[0].env->nvars, 1024);
    assert_string_equal(crontab_env_get(t.entries[0].env, "V7"), "again");
    crontab_free(&t);
    free(text);
}

/* ------------------------------------------------------------------------ */
/* Size and lifetime                                                        */
/* ------------------------------------------------------------------------ */

static void test_large_text(void **state)
{
    (void)state;
    size_t cap = 100000 * 48;
    char *text = malloc(cap);
    assert_non_null(text);
    size_t len = 0;
    for (int i = 0; i < 100000; i++) {
        if (i % 25000 == 0)
            len += (size_t)snprintf(text + len, cap - len, "STEP=%d\n", i);
        else
            len += (size_t)snprintf(text + len, cap - len, "%d %d * * * job\n", i % 60, i % 24);
    }
    struct crontab t = parse_opts(text, len, false, false, 0);
    assert_int_equal(t.nentries, 99996);
    assert_int_equal(t.nenvs, 4);
    const struct crontab_entry *last = &t.entries[t.nentries - 1];
    assert_int_equal(last->line, 100000);
    assert_string_equal(last->schedule, "39 15 * * *");
    assert_string_equal(last->command, "job");
    assert_true(last->spec->min == UINT64_C(1) << 39 && last->spec->hour == 1u << 15);
    assert_string_equal(crontab_env_get(last->env, "STEP"), "75000");
    crontab_free(&t);
    free(text);
}

static void test_free_is_safe(void **state)
{
    (void)state;
    struct crontab t;
    memset(&t, 0, sizeof t);
    crontab_free(&t);
    crontab_free(NULL);
    t = parse("A=1\n* * * * * x\nbad\n", 1);
    crontab_free(&t);
    crontab_free(&t); /* after free the struct is zeroed */
    assert_int_equal(t.nentries, 0);
    assert_null(t.entries);
    assert_null(crontab_env_get(NULL, "A"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_comments_blank_lines_crlf),
        cmocka_unit_test(test_empty_text),
        cmocka_unit_test(test_not_nul_terminated),
        cmocka_unit_test(test_blanks_collapsed_and_trimmed),
        cmocka_unit_test(test_variable_forms),
        cmocka_unit_test(test_variable_order_of_application),
        cmocka_unit_test(test_shell_variable),
        cmocka_unit_test(test_cron_tz_variable),
        cmocka_unit_test(test_inline_cron_tz),
        cmocka_unit_test(test_variable_lines_are_not_jobs),
        cmocka_unit_test(test_snapshots_stay_few),
        cmocka_unit_test(test_field_counts),
        cmocka_unit_test(test_macros),
        cmocka_unit_test(test_longest_reading),
        cmocka_unit_test(test_system_user_column),
        cmocka_unit_test(test_no_user_column_without_system),
        cmocka_unit_test(test_percent_literal_by_default),
        cmocka_unit_test(test_percent_newline),
        cmocka_unit_test(test_quiet_jobs),
        cmocka_unit_test(test_random_from_job_text),
        cmocka_unit_test(test_random_delay),
        cmocka_unit_test(test_random_delay_invalid),
        cmocka_unit_test(test_warnings),
        cmocka_unit_test(test_all_errors_reported),
        cmocka_unit_test(test_error_column_after_inline_tz),
        cmocka_unit_test(test_nul_byte),
        cmocka_unit_test(test_line_too_long),
        cmocka_unit_test(test_too_many_variables),
        cmocka_unit_test(test_large_text),
        cmocka_unit_test(test_free_is_safe),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
