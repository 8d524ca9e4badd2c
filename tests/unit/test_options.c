/* Unit tests for options_parse: every option in every spelling, the
 * CROND_LITE_* variables and their precedence, modes, and bad values. */
#include "testutil.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "crond/options.h"

#define ERR_LEN 256
#define ARGV(...) ((char *const[]){"crond-lite", __VA_ARGS__, NULL})
#define NOARGS ((char *const[]){"crond-lite", NULL})
#define ENV(...) ((char *const[]){__VA_ARGS__, NULL})

static int argc_of(char *const argv[])
{
    int n = 0;
    while (argv[n] != NULL)
        n++;
    return n;
}

static int parse(char *const argv[], char *const envp[], struct options *o, char *err)
{
    return options_parse(argc_of(argv), argv, envp, o, err, ERR_LEN);
}

/* Parses and expects a usage error whose message contains `want`. */
static void expect_error(char *const argv[], char *const envp[], const char *want)
{
    struct options o;
    char err[ERR_LEN] = "";
    int rc = parse(argv, envp, &o, err);
    if (rc != -1 || strstr(err, want) == NULL)
        fail_msg("rc %d, message '%s', wanted '%s'", rc, err, want);
    if (strncmp(err, "crond-lite: ", 12) != 0)
        fail_msg("message '%s' lacks the program name", err);
    assert_null(o.env_files);
}

static void expect_ok(char *const argv[], char *const envp[], struct options *o)
{
    char err[ERR_LEN] = "";
    if (parse(argv, envp, o, err) != 0)
        fail_msg("unexpected error: %s", err);
    assert_string_equal(err, "");
}

/* ------------------------------------------------------------ defaults -- */

static void test_defaults(void **state)
{
    (void)state;
    struct options o;
    expect_ok(NOARGS, NULL, &o);
    assert_int_equal(o.mode, MODE_DAEMON);
    assert_int_equal(o.nfiles, 0);
    assert_null(o.config);
    assert_null(o.user);
    assert_false(o.system);
    assert_string_equal(o.shell, "/bin/sh");
    assert_null(o.timezone);
    assert_int_equal(o.log_format, LOG_FORMAT_TEXT);
    assert_int_equal(o.log_level, LOG_LEVEL_INFO);
    assert_int_equal(o.grace_ms, 9000);
    assert_int_equal(o.overlap, OVERLAP_SKIP);
    assert_false(o.clean_env);
    assert_false(o.no_reload);
    assert_false(o.no_new_privs);
    assert_int_equal(o.output, LOG_OUTPUT_RECORDS);
    assert_false(o.split_logs);
    assert_null(o.next_expr);
    assert_null(o.from);
    assert_null(o.tz);
    assert_int_equal(o.count, 5);
    assert_int_equal(o.set, 0);
    assert_null(o.env_files);
    options_free(&o);

    /* An empty environment and argc 0 behave the same. */
    expect_ok(NOARGS, ENV("PATH=/bin", "TZ=UTC"), &o);
    assert_int_equal(o.set, 0);
    options_free(&o);
    assert_int_equal(options_parse(0, NOARGS, NULL, &o, NULL, 0), 0);
}

/* ------------------------------------------------ every option, spelled -- */

typedef void (*option_check)(const struct options *o, const char *value);

static void check_file(const struct options *o, const char *v)
{
    assert_int_equal(o->nfiles, 1);
    assert_string_equal(o->files[0], v);
}
static void check_config(const struct options *o, const char *v)
{
    assert_string_equal(o->config, v);
}
static void check_user(const struct options *o, const char *v)
{
    assert_string_equal(o->user, v);
}
static void check_system(const struct options *o, const char *v)
{
    (void)v;
    assert_true(o->system);
}
static void check_shell(const struct options *o, const char *v)
{
    assert_string_equal(o->shell, v);
}
static void check_timezone(const struct options *o, const char *v)
{
    assert_string_equal(o->timezone, v);
}
static void check_log_format(const struct options *o, const char *v)
{
    (void)v;
    assert_int_equal(o->log_format, LOG_FORMAT_JSON);
}
static void check_log_level(const struct options *o, const char *v)
{
    (void)v;
    assert_int_equal(o->log_level, LOG_LEVEL_DEBUG);
}
static void check_grace(const struct options *o, const char *v)
{
    (void)v;
    assert_int_equal(o->grace_ms, 5400000);
}
static void check_overlap(const struct options *o, const char *v)
{
    (void)v;
    assert_int_equal(o->overlap, OVERLAP_QUEUE);
}
static void check_clean_env(const struct options *o, const char *v)
{
    (void)v;
    assert_true(o->clean_env);
}
static void check_no_reload(const struct options *o, const char *v)
{
    (void)v;
    assert_true(o->no_reload);
}
static void check_no_new_privs(const struct options *o, const char *v)
{
    (void)v;
    assert_true(o->no_new_privs);
}
static void check_output(const struct options *o, const char *v)
{
    (void)v;
    assert_int_equal(o->output, LOG_OUTPUT_RAW);
}
static void check_split_logs(const struct options *o, const char *v)
{
    (void)v;
    assert_true(o->split_logs);
}
static void check_check(const struct options *o, const char *v)
{
    (void)v;
    assert_int_equal(o->mode, MODE_CHECK);
}
static void check_list(const struct options *o, const char *v)
{
    (void)v;
    assert_int_equal(o->mode, MODE_LIST);
}
static void check_next(const struct options *o, const char *v)
{
    assert_int_equal(o->mode, MODE_NEXT);
    assert_string_equal(o->next_expr, v);
}
static void check_from(const struct options *o, const char *v)
{
    assert_string_equal(o->from, v);
}
static void check_tz(const struct options *o, const char *v)
{
    assert_string_equal(o->tz, v);
}
static void check_count(const struct options *o, const char *v)
{
    (void)v;
    assert_int_equal(o->count, 42);
}
static void check_version(const struct options *o, const char *v)
{
    (void)v;
    assert_int_equal(o->mode, MODE_VERSION);
}
static void check_help(const struct options *o, const char *v)
{
    (void)v;
    assert_int_equal(o->mode, MODE_HELP);
}

struct option_case {
    const char *name;     /* long name */
    char letter;          /* short letter, or 0 */
    const char *value;    /* NULL: a flag */
    const char *other;    /* another valid value, for precedence tests */
    const char *extra[3]; /* arguments the option needs beside it */
    unsigned set_bit;     /* exactly the bits expected */
    bool has_env;
    option_check check;
};

static const struct option_case option_cases[] = {
    {"file", 'f', "/etc/cron.d", "/tmp/x", {NULL}, OPT_SET_FILES, true, check_file},
    {"config", 'c', "/etc/crond.ini", "/tmp/c.ini", {NULL}, OPT_SET_CONFIG, true, check_config},
    {"user", 'u', "app:staff", "1000", {NULL}, OPT_SET_USER, true, check_user},
    {"system", 0, NULL, NULL, {NULL}, OPT_SET_SYSTEM, true, check_system},
    {"shell", 's', "/bin/bash", "/bin/dash", {NULL}, OPT_SET_SHELL, true, check_shell},
    {"timezone", 'z', "Europe/Berlin", "UTC", {NULL}, OPT_SET_TIMEZONE, true, check_timezone},
    {"log-format", 0, "json", "text", {NULL}, OPT_SET_LOG_FORMAT, true, check_log_format},
    {"log-level", 0, "debug", "error", {NULL}, OPT_SET_LOG_LEVEL, true, check_log_level},
    {"grace", 0, "1h30m", "20s", {NULL}, OPT_SET_GRACE, true, check_grace},
    {"overlap", 0, "queue", "allow", {NULL}, OPT_SET_OVERLAP, true, check_overlap},
    {"clean-env", 0, NULL, NULL, {NULL}, OPT_SET_CLEAN_ENV, true, check_clean_env},
    {"no-reload", 0, NULL, NULL, {NULL}, OPT_SET_NO_RELOAD, true, check_no_reload},
    {"no-new-privs", 0, NULL, NULL, {NULL}, OPT_SET_NO_NEW_PRIVS, true, check_no_new_privs},
    {"output", 0, "raw", "records", {NULL}, OPT_SET_OUTPUT, true, check_output},
    {"split-logs", 0, NULL, NULL, {NULL}, OPT_SET_SPLIT_LOGS, true, check_split_logs},
    {"check", 'n', NULL, NULL, {NULL}, 0, true, check_check},
    {"list", 'l', NULL, NULL, {NULL}, 0, true, check_list},
    {"next", 0, "*/5 * * * *", "@daily", {NULL}, 0, true, check_next},
    {"from", 0, "2026-03-08T01:30:00", "2020-01-01T00:00:00Z", {"--next", "@hourly", NULL},
     OPT_SET_FROM, true, check_from},
    {"tz", 0, "America/New_York", "UTC", {"--next", "@hourly", NULL}, OPT_SET_TZ, true, check_tz},
    {"count", 0, "42", "7", {"--list", NULL}, OPT_SET_COUNT, true, check_count},
    {"version", 'V', NULL, NULL, {NULL}, 0, false, check_version},
    {"help", 'h', NULL, NULL, {NULL}, 0, false, check_help},
};
#define OPTION_CASES (sizeof option_cases / sizeof option_cases[0])

/* argv = program, extra..., then up to two words of the option itself. */
static void argv_build(char **argv, const struct option_case *c, const char *w1, const char *w2)
{
    int n = 0;
    argv[n++] = (char *)"crond-lite";
    for (int i = 0; i < 3 && c->extra[i] != NULL; i++)
        argv[n++] = (char *)c->extra[i];
    if (w1 != NULL)
        argv[n++] = (char *)w1;
    if (w2 != NULL)
        argv[n++] = (char *)w2;
    argv[n] = NULL;
}

static void expect_case(const struct option_case *c, char *const argv[], char *const envp[],
                        const char *value)
{
    struct options o;
    char err[ERR_LEN] = "";
    if (parse(argv, envp, &o, err) != 0)
        fail_msg("--%s: unexpected error: %s", c->name, err);
    c->check(&o, value);
    if (o.set != c->set_bit)
        fail_msg("--%s: set bits 0x%x, want 0x%x", c->name, o.set, c->set_bit);
    options_free(&o);
}

static void test_every_option_every_spelling(void **state)
{
    (void)state;
    for (size_t i = 0; i < OPTION_CASES; i++) {
        const struct option_case *c = &option_cases[i];
        char lng[64], joined[128], shrt[4], glued[64];
        char *argv[8];
        snprintf(lng, sizeof lng, "--%s", c->name);
        snprintf(shrt, sizeof shrt, "-%c", c->letter);
        if (c->value == NULL) {
            argv_build(argv, c, lng, NULL);
            expect_case(c, argv, NULL, NULL);
            if (c->letter != 0) {
                argv_build(argv, c, shrt, NULL);
                expect_case(c, argv, NULL, NULL);
            }
            continue;
        }
        snprintf(joined, sizeof joined, "--%s=%s", c->name, c->value);
        argv_build(argv, c, joined, NULL);
        expect_case(c, argv, NULL, c->value);
        argv_build(argv, c, lng, c->value);
        expect_case(c, argv, NULL, c->value);
        if (c->letter != 0) {
            snprintf(glued, sizeof glued, "-%c%s", c->letter, c->value);
            argv_build(argv, c, glued, NULL);
            expect_case(c, argv, NULL, c->value);
            argv_build(argv, c, shrt, c->value);
            expect_case(c, argv, NULL, c->value);
        }
    }
}

/* ---------------------------------------------------------- environment -- */

/* CROND_LITE_ + long name upper-cased, '-' as '_'. */
static void env_name(const char *long_name, char *buf, size_t len)
{
    size_t n = (size_t)snprintf(buf, len, "CROND_LITE_");
    for (const char *s = long_name; *s != '\0' && n + 1 < len; s++)
        buf[n++] = *s == '-' ? '_' : (char)toupper((unsigned char)*s);
    buf[n] = '\0';
}

static void test_env_sets_every_option(void **state)
{
    (void)state;
    for (size_t i = 0; i < OPTION_CASES; i++) {
        const struct option_case *c = &option_cases[i];
        if (!c->has_env)
            continue;
        char name[64], var[128];
        char *argv[8];
        env_name(c->name, name, sizeof name);
        snprintf(var, sizeof var, "%s=%s", name, c->value != NULL ? c->value : "yes");
        argv_build(argv, c, NULL, NULL);
        expect_case(c, argv, ENV("HOME=/root", var), c->value);
    }
}

/* The flag is absent: the variable counts. Present: the variable is ignored
 * entirely, even when its value would be an error. */
static void test_command_line_beats_env(void **state)
{
    (void)state;
    for (size_t i = 0; i < OPTION_CASES; i++) {
        const struct option_case *c = &option_cases[i];
        if (!c->has_env)
            continue;
        char name[64], other[128], bad[128], word[128];
        char *argv[8];
        env_name(c->name, name, sizeof name);
        snprintf(other, sizeof other, "%s=%s", name, c->other != NULL ? c->other : "no");
        if (c->value != NULL)
            snprintf(word, sizeof word, "--%s=%s", c->name, c->value);
        else
            snprintf(word, sizeof word, "--%s", c->name);
        argv_build(argv, c, word, NULL);
        expect_case(c, argv, ENV(other), c->value);
        snprintf(bad, sizeof bad, "%s=maybe", name);
        if (c->value == NULL)
            expect_case(c, argv, ENV(bad), c->value);
    }
    struct options o;
    expect_ok(ARGV("--grace", "5s"), ENV("CROND_LITE_GRACE=bogus"), &o);
    assert_int_equal(o.grace_ms, 5000);
    expect_ok(ARGV("--log-format=json"), ENV("CROND_LITE_LOG_FORMAT=xml"), &o);
    assert_int_equal(o.log_format, LOG_FORMAT_JSON);
    expect_ok(ARGV("-s/bin/ash"), ENV("CROND_LITE_SHELL=relative"), &o);
    assert_string_equal(o.shell, "/bin/ash");
    expect_ok(ARGV("--list", "--count=3"), ENV("CROND_LITE_COUNT=0"), &o);
    assert_int_equal(o.count, 3);
}

static void test_env_flag_values(void **state)
{
    (void)state;
    static const char *const on[] = {"1", "true", "TRUE", "Yes", "on", "ON"};
    static const char *const off[] = {"0", "false", "False", "no", "NO", "off"};
    for (size_t i = 0; i < sizeof on / sizeof on[0]; i++) {
        char a[64], b[64];
        struct options o;
        snprintf(a, sizeof a, "CROND_LITE_CLEAN_ENV=%s", on[i]);
        snprintf(b, sizeof b, "CROND_LITE_NO_RELOAD=%s", off[i]);
        expect_ok(NOARGS, ENV(a, b), &o);
        assert_true(o.clean_env);
        assert_false(o.no_reload);
        /* false still counts as given, so the INI file cannot override it */
        assert_int_equal(o.set, OPT_SET_CLEAN_ENV | OPT_SET_NO_RELOAD);
    }
}

struct env_error_case {
    const char *var;
    const char *want;
};

static const struct env_error_case env_errors[] = {
    {"CROND_LITE_LOG_FORMAT=xml",
     "crond-lite: CROND_LITE_LOG_FORMAT: expected text or json, got 'xml'"},
    {"CROND_LITE_LOG_LEVEL=loud",
     "CROND_LITE_LOG_LEVEL: expected error, warn, info or debug, got 'loud'"},
    {"CROND_LITE_OVERLAP=never", "CROND_LITE_OVERLAP: expected skip, allow or queue, got 'never'"},
    {"CROND_LITE_GRACE=5x", "CROND_LITE_GRACE: expected a duration like 90s, 5m, 1h30m: column 2:"},
    {"CROND_LITE_SHELL=sh", "CROND_LITE_SHELL: expected an absolute path, got 'sh'"},
    {"CROND_LITE_COUNT=0", "CROND_LITE_COUNT: expected a number from 1 to 100000, got '0'"},
    {"CROND_LITE_USER=:staff", "CROND_LITE_USER: expected USER or USER:GROUP"},
    {"CROND_LITE_FILE=   ", "CROND_LITE_FILE: expected one or more values"},
    {"CROND_LITE_SYSTEM=maybe",
     "CROND_LITE_SYSTEM: expected 1/0, true/false, yes/no or on/off, got 'maybe'"},
    {"CROND_LITE_CLEAN_ENV=2", "CROND_LITE_CLEAN_ENV: expected 1/0"},
    {"CROND_LITE_NO_RELOAD=y", "CROND_LITE_NO_RELOAD: expected 1/0"},
    {"CROND_LITE_CHECK=sure", "CROND_LITE_CHECK: expected 1/0"},
    {"CROND_LITE_LIST=enable", "CROND_LITE_LIST: expected 1/0"},
    {"CROND_LITE_OUTPUT=passthrough",
     "crond-lite: CROND_LITE_OUTPUT: expected records or raw, got 'passthrough'"},
    {"CROND_LITE_SPLIT_LOGS=maybe",
     "CROND_LITE_SPLIT_LOGS: expected 1/0, true/false, yes/no or on/off, got 'maybe'"},
};

static void test_env_bad_values(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof env_errors / sizeof env_errors[0]; i++)
        expect_error(NOARGS, ENV("HOME=/", (char *)env_errors[i].var), env_errors[i].want);
}

static void test_env_empty_is_unset(void **state)
{
    (void)state;
    struct options o;
    expect_ok(NOARGS, ENV("CROND_LITE_SHELL=", "CROND_LITE_SYSTEM=", "CROND_LITE_FILE="), &o);
    assert_string_equal(o.shell, "/bin/sh");
    assert_false(o.system);
    assert_int_equal(o.nfiles, 0);
    assert_int_equal(o.set, 0);
    options_free(&o);
}

static void test_env_lookup_is_exact(void **state)
{
    (void)state;
    struct options o;
    expect_ok(NOARGS, ENV("CROND_LITE_SHELLX=/x", "XCROND_LITE_SHELL=/y", "CROND_LITE_SHELL"), &o);
    assert_string_equal(o.shell, "/bin/sh");
    expect_ok(NOARGS, ENV("CROND_LITE_TZ=UTC"), &o); /* --tz, not --timezone */
    assert_null(o.timezone);
    assert_string_equal(o.tz, "UTC");
    expect_ok(NOARGS, ENV("CROND_LITE_SHELL=/a", "CROND_LITE_SHELL=/b"), &o); /* as getenv */
    assert_string_equal(o.shell, "/a");
    expect_ok(NOARGS, ENV("CROND_LITE_HELP=1", "CROND_LITE_VERSION=1"), &o);
    assert_int_equal(o.mode, MODE_DAEMON);
}

/* ---------------------------------------------------------------- files -- */

static void test_file_repeats_in_order(void **state)
{
    (void)state;
    struct options o;
    char *const argv[] = {"crond-lite", "-f", "a", "--file", "b", "-fc", "--file=d", NULL};
    expect_ok(argv, ENV("CROND_LITE_FILE=e f"), &o);
    assert_int_equal(o.nfiles, 4);
    assert_string_equal(o.files[0], "a");
    assert_string_equal(o.files[3], "d");
    assert_ptr_equal(o.files[1], argv[4]); /* points into argv, not copied */
    assert_null(o.env_files);
    assert_int_equal(o.set, OPT_SET_FILES);
    options_free(&o);
}

static void test_env_file_splits_on_spaces(void **state)
{
    (void)state;
    struct options o;
    char *const envp[] = {"CROND_LITE_FILE= /etc/crontabs  /app/cron.d\t/x:y\n", NULL};
    expect_ok(NOARGS, envp, &o);
    assert_int_equal(o.nfiles, 3);
    assert_string_equal(o.files[0], "/etc/crontabs");
    assert_string_equal(o.files[1], "/app/cron.d");
    assert_string_equal(o.files[2], "/x:y"); /* colons belong to the path */
    assert_non_null(o.env_files);
    assert_string_equal(envp[0], "CROND_LITE_FILE= /etc/crontabs  /app/cron.d\t/x:y\n");
    assert_int_equal(o.set, OPT_SET_FILES);
    options_free(&o);
    assert_null(o.env_files);
    assert_int_equal(o.nfiles, 0);
    options_free(&o); /* twice is harmless */
}

static void test_file_limit(void **state)
{
    (void)state;
    char *argv[2 * OPTIONS_MAX_FILES + 4];
    char env[4 * OPTIONS_MAX_FILES + 32] = "CROND_LITE_FILE=";
    int n = 0;
    argv[n++] = (char *)"crond-lite";
    for (int i = 0; i < OPTIONS_MAX_FILES; i++) {
        argv[n++] = (char *)"-f";
        argv[n++] = (char *)"p";
        strcat(env, "p ");
    }
    argv[n] = NULL;
    struct options o;
    expect_ok(argv, NULL, &o);
    assert_int_equal(o.nfiles, OPTIONS_MAX_FILES);
    expect_ok(NOARGS, ENV(env), &o);
    assert_int_equal(o.nfiles, OPTIONS_MAX_FILES);
    options_free(&o);

    argv[n++] = (char *)"-fq";
    argv[n] = NULL;
    expect_error(argv, NULL, "--file: at most 64 crontab paths");
    strcat(env, "q");
    expect_error(NOARGS, ENV(env), "CROND_LITE_FILE: at most 64 crontab paths");
}

/* ---------------------------------------------------------------- modes -- */

static void test_mode_conflicts(void **state)
{
    (void)state;
    expect_error(ARGV("--check", "--list"), NULL, "--check and --list cannot be combined");
    expect_error(ARGV("-n", "--next", "* * * * *"), NULL, "--check and --next cannot be combined");
    expect_error(ARGV("--next=@daily", "-l"), NULL, "--next and --list cannot be combined");
    expect_error(ARGV("-nl"), NULL, "cannot be combined");
    expect_error(NOARGS, ENV("CROND_LITE_CHECK=1", "CROND_LITE_LIST=yes"),
                 "CROND_LITE_CHECK and CROND_LITE_LIST cannot be combined");

    struct options o;
    expect_ok(ARGV("--check", "-n"), NULL, &o); /* the same mode twice is fine */
    assert_int_equal(o.mode, MODE_CHECK);
    expect_ok(ARGV("--next", "@daily", "--next", "@hourly"), NULL, &o); /* last wins */
    assert_string_equal(o.next_expr, "@hourly");
}

static void test_env_modes(void **state)
{
    (void)state;
    struct options o;
    expect_ok(NOARGS, ENV("CROND_LITE_CHECK=0", "CROND_LITE_LIST=1"), &o);
    assert_int_equal(o.mode, MODE_LIST);
    /* a mode on the command line ignores every mode variable */
    expect_ok(ARGV("--list"), ENV("CROND_LITE_CHECK=1", "CROND_LITE_NEXT=@daily"), &o);
    assert_int_equal(o.mode, MODE_LIST);
    assert_null(o.next_expr);
    expect_ok(ARGV("--from", "2026-01-01T00:00:00"), ENV("CROND_LITE_NEXT=@daily"), &o);
    assert_int_equal(o.mode, MODE_NEXT);
    assert_string_equal(o.next_expr, "@daily");
}

static void test_help_and_version_win(void **state)
{
    (void)state;
    struct options o;
    char err[ERR_LEN];
    char *const *const help[] = {
        ARGV("--check", "--list", "--help"), ARGV("-h", "--bogus"),
        ARGV("--grace=5x", "-h"),           ARGV("-V", "-h"),
        ARGV("--help", "--version"),        ARGV("--from", "x", "-h"),
        ARGV("-nlh"),                       ARGV("stray", "--help"),
        ARGV("--help", "-f"),
    };
    for (size_t i = 0; i < sizeof help / sizeof help[0]; i++) {
        strcpy(err, "stale");
        assert_int_equal(parse(help[i], ENV("CROND_LITE_LOG_FORMAT=xml"), &o, err), 0);
        assert_int_equal(o.mode, MODE_HELP);
        assert_string_equal(err, "");
    }
    expect_ok(ARGV("--version", "--next", "x", "--check"), NULL, &o);
    assert_int_equal(o.mode, MODE_VERSION);
    expect_ok(ARGV("--unknown", "-V"), NULL, &o);
    assert_int_equal(o.mode, MODE_VERSION);
}

static void test_mode_dependencies(void **state)
{
    (void)state;
    expect_error(ARGV("--from", "2026-01-01T00:00:00"), NULL, "--from needs --next");
    expect_error(ARGV("--list", "--tz=UTC"), NULL, "--tz needs --next");
    expect_error(ARGV("--count", "3"), NULL, "--count needs --list or --next");
    expect_error(ARGV("--check", "--count=3"), NULL, "--count needs --list or --next");

    struct options o;
    expect_ok(ARGV("--next", "@daily", "--from", "2026-01-01T00:00:00", "--tz", "UTC",
                   "--count", "10"), NULL, &o);
    assert_int_equal(o.count, 10);
    assert_int_equal(o.set, OPT_SET_FROM | OPT_SET_TZ | OPT_SET_COUNT);
    /* variables for options the mode does not use are kept but harmless */
    expect_ok(NOARGS, ENV("CROND_LITE_COUNT=7", "CROND_LITE_FROM=2026-01-01T00:00:00"), &o);
    assert_int_equal(o.mode, MODE_DAEMON);
    assert_int_equal(o.count, 7);
    assert_int_equal(o.set, OPT_SET_COUNT | OPT_SET_FROM);
}

/* ----------------------------------------------------------- bad values -- */

static void test_count_bounds(void **state)
{
    (void)state;
    static const struct {
        const char *text;
        int count; /* 0: refused */
    } cases[] = {
        {"1", 1},  {"100000", 100000}, {"0100", 100}, {"0", 0},   {"100001", 0},
        {"-1", 0}, {"+5", 0},          {"5x", 0},     {" 5", 0},  {"1e3", 0},
        {"99999999999999999999", 0},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct options o;
        char err[ERR_LEN] = "";
        int rc = parse(ARGV("--list", "--count", (char *)cases[i].text), NULL, &o, err);
        if (cases[i].count != 0) {
            assert_int_equal(rc, 0);
            assert_int_equal(o.count, cases[i].count);
        } else if (rc != -1 || strstr(err, "--count: expected a number from 1 to 100000") == NULL) {
            fail_msg("'%s': rc %d, message '%s'", cases[i].text, rc, err);
        }
    }
}

struct cli_error_case {
    char *const *argv;
    const char *want;
};

static void test_bad_command_lines(void **state)
{
    (void)state;
    const struct cli_error_case cases[] = {
        {ARGV("--foo"), "crond-lite: unknown option '--foo' (see --help)"},
        {ARGV("--foo=bar"), "unknown option '--foo' (see --help)"},
        {ARGV("--fil", "x"), "unknown option '--fil'"}, /* no prefixes */
        {ARGV("-x"), "crond-lite: unknown option '-x' (see --help)"},
        {ARGV("-nx"), "unknown option '-x'"},
        {ARGV("---file=x"), "unknown option '---file'"},
        {ARGV("--log-format", "xml"), "crond-lite: --log-format: expected text or json, got 'xml'"},
        {ARGV("--log-level=trace"),
         "--log-level: expected error, warn, info or debug, got 'trace'"},
        {ARGV("--overlap", "never"), "--overlap: expected skip, allow or queue, got 'never'"},
        {ARGV("--output", "bogus"), "crond-lite: --output: expected records or raw, got 'bogus'"},
        {ARGV("--output"), "--output needs an argument MODE (see --help)"},
        {ARGV("--output="), "--output: expected MODE, got an empty value"},
        {ARGV("--split-logs=yes"), "--split-logs takes no value (see --help)"},
        {ARGV("--grace", "5x"),
         "crond-lite: --grace: expected a duration like 90s, 5m, 1h30m: "
         "column 2: unknown unit 'x'"},
        {ARGV("--grace=-1s"), "--grace: expected a duration like 90s, 5m, 1h30m: column 1:"},
        {ARGV("--grace=1.5s"), "column 2: expected a unit, got '.'"},
        {ARGV("--grace=99999999999999999999s"), "too large"},
        {ARGV("-s", "sh"), "--shell: expected an absolute path, got 'sh'"},
        {ARGV("-s./sh"), "--shell: expected an absolute path"},
        {ARGV("-u", ":staff"), "--user: expected USER or USER:GROUP"},
        {ARGV("-uapp:"), "--user: expected USER or USER:GROUP"},
        {ARGV("--user=a:b:c"), "--user: expected USER or USER:GROUP"},
        {ARGV("--config="), "--config: expected FILE, got an empty value"},
        {ARGV("-f", ""), "--file: expected PATH, got an empty value"},
        {ARGV("--next", ""), "--next: expected EXPR, got an empty value"},
        {ARGV("--system=yes"), "--system takes no value (see --help)"},
        {ARGV("--check=1"), "--check takes no value"},
        {ARGV("--grace"), "--grace needs an argument DURATION (see --help)"},
        {ARGV("-c"), "--config needs an argument FILE"},
        {ARGV("-n", "-f"), "--file needs an argument PATH"},
        {ARGV("crontab"), "unexpected argument 'crontab': crontabs are given with -f PATH"},
        {ARGV("-"), "unexpected argument '-'"},
        {ARGV("--", "x"), "unexpected argument 'x'"},
        {ARGV("--", "--check"), "unexpected argument '--check'"},
        {ARGV("--foo", "--bar"), "unknown option '--foo'"}, /* the first error is kept */
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
        expect_error(cases[i].argv, NULL, cases[i].want);
}

static void test_odd_but_valid_command_lines(void **state)
{
    (void)state;
    struct options o;
    expect_ok(ARGV("--"), NULL, &o);
    assert_int_equal(o.mode, MODE_DAEMON);
    expect_ok(ARGV("-nfPATH"), NULL, &o); /* a flag, then -f taking the rest */
    assert_int_equal(o.mode, MODE_CHECK);
    assert_string_equal(o.files[0], "PATH");
    expect_ok(ARGV("-nf", "--list"), NULL, &o); /* as getopt: the next word is the value */
    assert_int_equal(o.mode, MODE_CHECK);
    assert_string_equal(o.files[0], "--list");
    expect_ok(ARGV("--config=a=b"), NULL, &o); /* only the first '=' splits */
    assert_string_equal(o.config, "a=b");
    expect_ok(ARGV("--log-level", "WARN", "--log-format=JSON", "--overlap=Allow"), NULL, &o);
    assert_int_equal(o.log_level, LOG_LEVEL_WARN);
    assert_int_equal(o.log_format, LOG_FORMAT_JSON);
    assert_int_equal(o.overlap, OVERLAP_ALLOW);
    expect_ok(ARGV("--grace=0", "-u", "1000:1000"), NULL, &o);
    assert_int_equal(o.grace_ms, 0);
    assert_string_equal(o.user, "1000:1000");
    expect_ok(ARGV("--grace", "30"), NULL, &o); /* plain seconds */
    assert_int_equal(o.grace_ms, 30000);
    expect_ok(ARGV("--log-level=error", "--log-level=info"), NULL, &o); /* last wins */
    assert_int_equal(o.log_level, LOG_LEVEL_INFO);
    expect_ok(ARGV("--output=RAW", "--output", "Records"), NULL, &o);
    assert_int_equal(o.output, LOG_OUTPUT_RECORDS);
    /* --split-logs on the command line, false in the environment: on */
    expect_ok(ARGV("--split-logs"), ENV("CROND_LITE_SPLIT_LOGS=false"), &o);
    assert_true(o.split_logs);
    expect_ok(NOARGS, ENV("CROND_LITE_SPLIT_LOGS=off", "CROND_LITE_OUTPUT=raw"), &o);
    assert_false(o.split_logs);
    assert_int_equal(o.output, LOG_OUTPUT_RAW);
    assert_int_equal(o.set, OPT_SET_SPLIT_LOGS | OPT_SET_OUTPUT);
}

static void test_error_buffer_edge_cases(void **state)
{
    (void)state;
    struct options o;
    char small[16];
    assert_int_equal(options_parse(2, ARGV("--foo"), NULL, &o, NULL, 0), -1);
    assert_int_equal(options_parse(2, ARGV("--foo"), NULL, &o, small, sizeof small), -1);
    assert_true(strlen(small) < sizeof small);
    /* on failure nothing stays allocated (ASan checks the leak) */
    assert_int_equal(options_parse(1, NOARGS, ENV("CROND_LITE_FILE=a b", "CROND_LITE_GRACE=x"),
                                   &o, small, sizeof small), -1);
    assert_null(o.env_files);
}

/* ----------------------------------------------------- tables and usage -- */

static void test_name_tables(void **state)
{
    (void)state;
    for (int f = LOG_FORMAT_TEXT; f <= LOG_FORMAT_JSON; f++)
        assert_int_equal(log_format_from(log_format_name(f)), f);
    for (int l = LOG_LEVEL_ERROR; l <= LOG_LEVEL_DEBUG; l++)
        assert_int_equal(log_level_from(log_level_name(l)), l);
    for (int p = OVERLAP_SKIP; p <= OVERLAP_QUEUE; p++)
        assert_int_equal(sched_overlap_from(sched_overlap_name(p)), p);
    assert_string_equal(log_format_name(LOG_FORMAT_JSON), "json");
    assert_string_equal(log_level_name(LOG_LEVEL_WARN), "warn");
    assert_string_equal(sched_overlap_name(OVERLAP_QUEUE), "queue");
    assert_int_equal(log_level_from("Debug"), LOG_LEVEL_DEBUG);
    assert_int_equal(log_format_from("xml"), -1);
    assert_int_equal(log_level_from("warning"), -1);
    assert_int_equal(sched_overlap_from(""), -1);
    assert_int_equal(sched_overlap_from(NULL), -1);

    static const char *const yes[] = {"1", "true", "yes", "on", "TRUE", "Yes", "oN"};
    static const char *const no[] = {"0", "false", "no", "off", "FALSE", "No", "OFF"};
    static const char *const neither[] = {"", "2", "y", "n", "t", "enable", " 1", "1 ", "truee"};
    for (size_t i = 0; i < sizeof yes / sizeof yes[0]; i++)
        assert_int_equal(options_bool_from(yes[i]), 1);
    for (size_t i = 0; i < sizeof no / sizeof no[0]; i++)
        assert_int_equal(options_bool_from(no[i]), 0);
    for (size_t i = 0; i < sizeof neither / sizeof neither[0]; i++)
        assert_int_equal(options_bool_from(neither[i]), -1);
    assert_int_equal(options_bool_from(NULL), -1);
}

static void test_usage(void **state)
{
    (void)state;
    const char *u = options_usage();
    assert_non_null(strstr(u, "Durations: 90s, 5m, 1h30m, 250ms, or plain seconds.\n"));
    assert_non_null(strstr(u, "CROND_LITE_<OPTION>"));
    assert_non_null(strstr(u, "crond-lite --next EXPR [--from TIME] [--tz ZONE] [--count N]"));
    static const char *const defaults[] = {"[/etc/crontabs]", "[/bin/sh]", "[9s]", "[text]",
                                           "[info]", "[skip]", "[5]", "[records]"};
    for (size_t i = 0; i < sizeof defaults / sizeof defaults[0]; i++)
        if (strstr(u, defaults[i]) == NULL)
            fail_msg("usage lacks the default %s", defaults[i]);
    for (size_t i = 0; i < OPTION_CASES; i++) {
        char lng[64], shrt[8];
        snprintf(lng, sizeof lng, "--%s ", option_cases[i].name);
        snprintf(shrt, sizeof shrt, "-%c, --", option_cases[i].letter);
        if (strstr(u, lng) == NULL || (option_cases[i].letter && strstr(u, shrt) == NULL))
            fail_msg("usage lacks %s", lng);
    }
    for (const char *line = u; *line != '\0';) {
        const char *nl = strchr(line, '\n');
        assert_non_null(nl);
        assert_true(nl - line <= 80);
        line = nl + 1;
    }
}

/* ------------------------------------------- -F and run-parts (sec. 9) -- */

static void test_system_files(void **state)
{
    (void)state;
    struct options o;
    expect_ok(ARGV("-F", "/etc/crontab", "--system-file=/etc/cron.d", "-f", "/app.cron"), NULL, &o);
    assert_int_equal(o.nsystem_files, 2);
    assert_string_equal(o.system_files[0], "/etc/crontab");
    assert_string_equal(o.system_files[1], "/etc/cron.d");
    assert_int_equal(o.nfiles, 1);
    assert_false(o.system); /* -f stays user format */
    options_free(&o);
    expect_ok(NOARGS, ENV("CROND_LITE_SYSTEM_FILE=/etc/crontab  /etc/cron.d"), &o);
    assert_int_equal(o.nsystem_files, 2);
    assert_string_equal(o.system_files[1], "/etc/cron.d");
    options_free(&o);
    assert_int_equal(o.nsystem_files, 0);
    /* the command line wins over the variable, not adds to it */
    expect_ok(ARGV("-F", "/x"), ENV("CROND_LITE_SYSTEM_FILE=/a /b"), &o);
    assert_int_equal(o.nsystem_files, 1);
    options_free(&o);
    expect_error(ARGV("-F"), NULL, "--system-file needs an argument");
}

static void test_run_parts(void **state)
{
    (void)state;
    struct options o;
    expect_ok(ARGV("--run-parts-hourly", "/etc/cron.hourly", "--run-parts-1min", "app:/srv/min",
                   "--run-parts", "90s:/srv/x", "--run-parts=1h:bob:/srv/y",
                   "--run-parts-15min", "./odd:dir"),
              NULL, &o);
    assert_int_equal(o.nrun_parts, 5);
    assert_string_equal(o.run_parts[0].schedule, "@hourly");
    assert_null(o.run_parts[0].user);
    assert_string_equal(o.run_parts[0].dir, "/etc/cron.hourly");
    assert_string_equal(o.run_parts[1].schedule, "@every 1m");
    assert_string_equal(o.run_parts[1].user, "app");
    assert_string_equal(o.run_parts[1].dir, "/srv/min");
    assert_string_equal(o.run_parts[2].schedule, "@every 90s");
    assert_null(o.run_parts[2].user);
    assert_string_equal(o.run_parts[3].schedule, "@every 1h");
    assert_string_equal(o.run_parts[3].user, "bob");
    assert_string_equal(o.run_parts[3].dir, "/srv/y");
    assert_string_equal(o.run_parts[4].schedule, "*/15 * * * *");
    assert_null(o.run_parts[4].user); /* a '/' before the colon: all directory */
    assert_string_equal(o.run_parts[4].dir, "./odd:dir");
    options_free(&o);
    expect_ok(NOARGS,
              ENV("CROND_LITE_RUN_PARTS_DAILY=/etc/cron.daily app:/srv/daily",
                  "CROND_LITE_RUN_PARTS_WEEKLY=/w", "CROND_LITE_RUN_PARTS_MONTHLY=/m",
                  "CROND_LITE_RUN_PARTS=10m:/ten"),
              &o);
    assert_int_equal(o.nrun_parts, 5);
    const char *want[][3] = {{"@weekly", NULL, "/w"}, {"@monthly", NULL, "/m"},
                             {"@every 10m", NULL, "/ten"}, {"@daily", NULL, "/etc/cron.daily"},
                             {"@daily", "app", "/srv/daily"}};
    for (size_t i = 0; i < 5; i++) {
        bool found = false;
        for (size_t k = 0; k < o.nrun_parts && !found; k++)
            found = strcmp(o.run_parts[k].schedule, want[i][0]) == 0
                 && strcmp(o.run_parts[k].dir, want[i][2]) == 0
                 && (want[i][1] == NULL ? o.run_parts[k].user == NULL
                                        : strcmp(o.run_parts[k].user, want[i][1]) == 0);
        if (!found)
            fail_msg("no run-parts entry %s %s %s", want[i][0], want[i][1] ? want[i][1] : "-",
                     want[i][2]);
    }
    options_free(&o);
    expect_error(ARGV("--run-parts", "/etc/cron.x"), NULL, "expected DURATION:[USER:]DIR");
    expect_error(ARGV("--run-parts", "soon:/x"), NULL, "'soon': expected a duration");
    expect_error(ARGV("--run-parts", "1500ms:/x"), NULL, "whole seconds");
    expect_error(ARGV("--run-parts", "5m:"), NULL, "expected [USER:]DIR");
    expect_error(ARGV("--run-parts-daily", "app:"), NULL, "expected [USER:]DIR");
    expect_error(NOARGS, ENV("CROND_LITE_RUN_PARTS_HOURLY=   "), "expected one or more values");
}

static void test_percent_newline(void **state)
{
    (void)state;
    struct options o;
    expect_ok(ARGV("--percent-newline"), NULL, &o);
    assert_true(o.percent_newline);
    assert_true(o.set & OPT_SET_PERCENT_NEWLINE);
    options_free(&o);
    expect_ok(NOARGS, ENV("CROND_LITE_PERCENT_NEWLINE=off"), &o);
    assert_false(o.percent_newline);
    assert_true(o.set & OPT_SET_PERCENT_NEWLINE); /* so the INI key does not apply */
    options_free(&o);
    expect_ok(NOARGS, NULL, &o);
    assert_false(o.percent_newline);
    assert_false(o.set & OPT_SET_PERCENT_NEWLINE);
}

static void test_listen_hooks_probe(void **state)
{
    (void)state;
    struct options o;
    expect_ok(ARGV("--listen", ":9746", "--on-failure", "echo failed", "--on-success=true"), NULL,
              &o);
    assert_string_equal(o.listen, ":9746");
    assert_string_equal(o.on_failure, "echo failed");
    assert_string_equal(o.on_success, "true");
    assert_true(o.set & OPT_SET_LISTEN);
    options_free(&o);
    expect_ok(NOARGS, ENV("CROND_LITE_LISTEN=[::]:9746", "CROND_LITE_ON_FAILURE=x"), &o);
    assert_string_equal(o.listen, "[::]:9746");
    assert_string_equal(o.on_failure, "x");
    assert_null(o.on_success);
    options_free(&o);
    expect_error(ARGV("--listen", "9746"), NULL, "--listen: '9746': expected :PORT");
    expect_error(NOARGS, ENV("CROND_LITE_LISTEN=host.example:80"), "CROND_LITE_LISTEN: ");
    expect_ok(ARGV("--probe", "/healthz", "--listen", "127.0.0.1:1"), NULL, &o);
    assert_int_equal(o.mode, MODE_PROBE);
    assert_string_equal(o.probe_path, "/healthz");
    options_free(&o);
    expect_error(ARGV("--probe", "healthz"), NULL, "expected a path such as /healthz");
    expect_error(ARGV("--probe", "/healthz", "--check"), NULL, "cannot be combined");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_defaults),
        cmocka_unit_test(test_every_option_every_spelling),
        cmocka_unit_test(test_env_sets_every_option),
        cmocka_unit_test(test_command_line_beats_env),
        cmocka_unit_test(test_env_flag_values),
        cmocka_unit_test(test_env_bad_values),
        cmocka_unit_test(test_env_empty_is_unset),
        cmocka_unit_test(test_env_lookup_is_exact),
        cmocka_unit_test(test_file_repeats_in_order),
        cmocka_unit_test(test_env_file_splits_on_spaces),
        cmocka_unit_test(test_file_limit),
        cmocka_unit_test(test_mode_conflicts),
        cmocka_unit_test(test_env_modes),
        cmocka_unit_test(test_help_and_version_win),
        cmocka_unit_test(test_mode_dependencies),
        cmocka_unit_test(test_count_bounds),
        cmocka_unit_test(test_bad_command_lines),
        cmocka_unit_test(test_odd_but_valid_command_lines),
        cmocka_unit_test(test_error_buffer_edge_cases),
        cmocka_unit_test(test_name_tables),
        cmocka_unit_test(test_usage),
        cmocka_unit_test(test_system_files),
        cmocka_unit_test(test_run_parts),
        cmocka_unit_test(test_percent_newline),
        cmocka_unit_test(test_listen_hooks_probe),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
