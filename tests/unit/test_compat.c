/* Unit tests of compat: go-crond's and supercronic's command lines and
 * variables as crond-lite's own (DESIGN.md section 9), word by word; the
 * errors; the hints under crond-lite's own name. Each native line is then
 * read by options_parse, so the mapping is checked to the options it sets. */
#include "testutil.h"

#include <stdio.h>
#include <string.h>

#include "crond/compat.h"
#include "crond/options.h"

#define ARGV(...) ((char *[]){__VA_ARGS__, NULL})

static char err[512];

/* The words before the NULL. */
static int argc_of(char **v)
{
    int n = 0;
    while (v[n] != NULL)
        n++;
    return n;
}

/* The native words after argv[0], joined by spaces. */
static const char *joined(const struct compat_args *a)
{
    static char buf[2048];
    buf[0] = '\0';
    for (int i = 1; i < a->argc; i++) {
        strcat(buf, i > 1 ? " " : "");
        strcat(buf, a->argv[i]);
    }
    return buf;
}

static void expect_native(char *argv[], int argc, char *envp[], const char *want,
                          enum compat_personality p)
{
    struct compat_args a;
    int rc = compat_translate(argc, argv, envp, &a, err, sizeof err);
    if (rc != 0)
        fail_msg("%s: %s", argv[0], err);
    assert_int_equal(a.extras.personality, p);
    assert_string_equal(joined(&a), want);
    assert_ptr_equal(a.argv[0], argv[0]);
    assert_null(a.argv[a.argc]);
    compat_args_free(&a);
}

static void expect_error(char *argv[], int argc, char *envp[], const char *want)
{
    struct compat_args a;
    assert_int_equal(compat_translate(argc, argv, envp, &a, err, sizeof err), -1);
    if (strstr(err, want) == NULL)
        fail_msg("message '%s', wanted '%s'", err, want);
    assert_null(a.argv);
}

/* go-crond's README examples and its Dockerfile's variables. */
static void test_go_crond_readme(void **state)
{
    (void)state;
    char **v = ARGV("go-crond", "examples/crontab");
    expect_native(v, argc_of(v), NULL, "--working-directory=/ -F examples/crontab", COMPAT_GO_CROND);
    v = ARGV("/usr/bin/go-crond", "--include=/etc/cron.d", "--run-parts-hourly=/etc/cron.hourly",
             "--run-parts-daily", "/etc/cron.daily");
    expect_native(v, argc_of(v), NULL,
                  "--working-directory=/ -F /etc/cron.d --run-parts-hourly=root:/etc/cron.hourly "
                  "--run-parts-daily=root:/etc/cron.daily", COMPAT_GO_CROND);
    v = ARGV("go-crond", "--run-parts=1m:/etc/cron.minute", "--run-parts=15m:admin:/etc/cron.15min",
             "--default-user=app");
    expect_native(v, argc_of(v), NULL,
                  "--working-directory=/ --run-parts=1m:app:/etc/cron.minute "
                  "--run-parts=15m:admin:/etc/cron.15min", COMPAT_GO_CROND);
    char **env = ARGV("SERVER_BIND=:8080", "SERVER_METRICS=1", "LOG_JSON=1", "PATH=/bin");
    v = ARGV("go-crond", "/etc/crontab");
    expect_native(v, argc_of(v), env, "--log-format=json --listen=:8080 --working-directory=/ "
                                   "-F /etc/crontab", COMPAT_GO_CROND);
    /* the command line wins over the variable */
    v = ARGV("go-crond", "--server.bind", "127.0.0.1:9000", "-v");
    expect_native(v, argc_of(v), env, "--log-level=debug --log-format=json --listen=127.0.0.1:9000 "
                                   "--working-directory=/", COMPAT_GO_CROND);
}

static void test_go_crond_extras(void **state)
{
    (void)state;
    struct compat_args a;
    char **v = ARGV("go-crond", "root:tabs/root", "--allow-unprivileged", "guest:g",
                    "--server.timeout.read=2s", "--server.timeout.write", "1m",
                    "--working-directory=/srv");
    assert_int_equal(compat_translate(argc_of(v), v, NULL, &a, err, sizeof err), 0);
    assert_string_equal(joined(&a), "--working-directory=/srv");
    assert_true(a.extras.others_as_self);
    assert_true(a.extras.metrics_off);
    assert_int_equal(a.extras.http_read_ms, 2000);
    assert_int_equal(a.extras.http_write_ms, 60000);
    assert_int_equal(a.extras.nuser_files, 2);
    assert_string_equal(a.extras.user_files[0].user, "root");
    assert_string_equal(a.extras.user_files[0].path, "tabs/root");
    assert_string_equal(a.extras.user_files[1].user, "guest");
    assert_string_equal(a.extras.user_files[1].path, "g");
    compat_args_free(&a);
    v = ARGV("go-crond", "--server.metrics", "--dumpversion");
    assert_int_equal(compat_translate(argc_of(v), v, NULL, &a, err, sizeof err), 0);
    assert_string_equal(joined(&a), "--version");
    assert_true(a.extras.version_bare);
    compat_args_free(&a);
    v = ARGV("go-crond", "-V");
    assert_int_equal(compat_translate(argc_of(v), v, NULL, &a, err, sizeof err), 0);
    assert_false(a.extras.version_bare);
    compat_args_free(&a);
    char **env = ARGV("SERVER_METRICS=true");
    v = ARGV("go-crond");
    assert_int_equal(compat_translate(argc_of(v), v, env, &a, err, sizeof err), 0);
    assert_false(a.extras.metrics_off);
    compat_args_free(&a);
}

static void test_go_crond_errors(void **state)
{
    (void)state;
    char **v = ARGV("go-crond", "--nope");
    expect_error(v, argc_of(v), NULL, "crond-lite (as go-crond): unknown flag '--nope'");
    v = ARGV("go-crond", "-json");
    expect_error(v, argc_of(v), NULL, "unknown flag '-json' (long flags take two dashes");
    v = ARGV("go-crond", "--server.bind");
    expect_error(v, argc_of(v), NULL, "flag '--server.bind' needs a value");
    v = ARGV("go-crond", "--run-parts=/etc/cron.minute");
    expect_error(v, argc_of(v), NULL, "--run-parts: expected SPEC:[USER:]DIR");
    char **env = ARGV("SERVER_TIMEOUT_WRITE=0");
    v = ARGV("go-crond");
    expect_error(v, argc_of(v), env, "SERVER_TIMEOUT_WRITE: expected a duration above 0");
    env = ARGV("VERBOSE=maybe");
    expect_error(v, argc_of(v), env, "VERBOSE: expected true or false, got 'maybe'");
    v = ARGV("go-crond", "app:");
    expect_error(v, argc_of(v), NULL, "'app:': expected [USER:]PATH");
}

/* supercronic's flags as its README and integration tests write them. */
static void test_supercronic(void **state)
{
    (void)state;
    char **v = ARGV("supercronic", "/etc/crontab");
    expect_native(v, argc_of(v), NULL, "-f /etc/crontab", COMPAT_SUPERCRONIC);
    v = ARGV("supercronic", "-debug", "-json", "-overlapping", "-split-logs", "-passthrough-logs",
             "-inotify", "my-crontab");
    expect_native(v, argc_of(v), NULL, "--log-level=debug --log-format=json --overlap=allow "
                  "--split-logs --output=raw -f my-crontab", COMPAT_SUPERCRONIC);
    v = ARGV("supercronic", "--debug", "-quiet", "-test", "c");
    expect_native(v, argc_of(v), NULL, "--log-level=warn --check -f c", COMPAT_SUPERCRONIC);
    v = ARGV("supercronic", "-json=false", "-prometheus-listen-address", "0.0.0.0", "c");
    expect_native(v, argc_of(v), NULL, "--listen=0.0.0.0:9746 -f c", COMPAT_SUPERCRONIC);
    v = ARGV("supercronic", "--prometheus-listen-address=127.0.0.1:9000", "c");
    expect_native(v, argc_of(v), NULL, "--listen=127.0.0.1:9000 -f c", COMPAT_SUPERCRONIC);
    v = ARGV("supercronic", "-prometheus-listen-address=::", "c");
    expect_native(v, argc_of(v), NULL, "--listen=[::]:9746 -f c", COMPAT_SUPERCRONIC);
    v = ARGV("supercronic", "-prometheus-listen-address=", "c");
    expect_native(v, argc_of(v), NULL, "-f c", COMPAT_SUPERCRONIC);
    v = ARGV("supercronic", "--", "-odd-name");
    expect_native(v, argc_of(v), NULL, "-f -odd-name", COMPAT_SUPERCRONIC);
    v = ARGV("supercronic", "-sentry-environment", "prod", "-sentry-release=1", "c");
    expect_native(v, argc_of(v), NULL, "-f c", COMPAT_SUPERCRONIC);
    struct compat_args a;
    v = ARGV("supercronic", "-no-reap", "c");
    assert_int_equal(compat_translate(argc_of(v), v, NULL, &a, err, sizeof err), 0);
    assert_true(a.extras.no_reap);
    compat_args_free(&a);
    v = ARGV("supercronic", "-version");
    assert_int_equal(compat_translate(argc_of(v), v, NULL, &a, err, sizeof err), 0);
    assert_string_equal(joined(&a), "--version");
    assert_true(a.extras.version_bare);
    compat_args_free(&a);
}

static void test_supercronic_errors(void **state)
{
    (void)state;
    char **v = ARGV("supercronic", "-sentry-dsn", "https://k@s/1", "c");
    expect_error(v, argc_of(v), NULL, "-sentry-dsn: crond-lite does not report to Sentry");
    v = ARGV("supercronic", "-sentryDsn=https://k@s/1", "c");
    expect_error(v, argc_of(v), NULL, "--on-failure CMD");
    char **env = ARGV("SENTRY_DSN=https://k@s/1");
    v = ARGV("supercronic", "c");
    expect_error(v, argc_of(v), env, "SENTRY_DSN: crond-lite does not report to Sentry");
    v = ARGV("supercronic", "c", "-json");
    expect_error(v, argc_of(v), NULL, "expected one CRONTAB, got 2 arguments");
    v = ARGV("supercronic");
    expect_error(v, argc_of(v), NULL, "expected a CRONTAB");
    v = ARGV("supercronic", "-j", "c");
    expect_error(v, argc_of(v), NULL, "unknown flag '-j'");
    v = ARGV("supercronic", "-json=maybe", "c");
    expect_error(v, argc_of(v), NULL, "-json=maybe: expected true or false, got 'maybe'");
    v = ARGV("supercronic", "-prometheus-listen-address=nowhere:x", "c");
    expect_error(v, argc_of(v), NULL, "-prometheus-listen-address: 'nowhere:x' is not an address");
}

/* Which personality: --compat wins over the name, the name over the
 * variable; without one the words pass unchanged (minus --compat). */
static void test_pick(void **state)
{
    (void)state;
    char **v = ARGV("/usr/local/bin/crond-lite", "-f", "x", "--compat", "crond-lite", "-n");
    expect_native(v, argc_of(v), NULL, "-f x -n", COMPAT_NONE);
    v = ARGV("crond-lite", "--compat=supercronic", "-json", "c");
    expect_native(v, argc_of(v), NULL, "--log-format=json -f c", COMPAT_SUPERCRONIC);
    v = ARGV("go-crond", "--compat", "supercronic", "c");
    expect_native(v, argc_of(v), NULL, "-f c", COMPAT_SUPERCRONIC);
    char **env = ARGV("CROND_LITE_COMPAT=go-crond");
    v = ARGV("crond-lite", "x");
    expect_native(v, argc_of(v), env, "--working-directory=/ -F x", COMPAT_GO_CROND);
    v = ARGV("supercronic", "c");
    expect_native(v, argc_of(v), env, "-f c", COMPAT_SUPERCRONIC);
    v = ARGV("crond-lite", "--", "--compat", "x");
    expect_native(v, argc_of(v), NULL, "-- --compat x", COMPAT_NONE);
    v = ARGV("crond-lite", "--compat");
    expect_error(v, argc_of(v), NULL, "--compat needs an argument NAME");
    v = ARGV("crond-lite", "--compat=Supercronic");
    expect_error(v, argc_of(v), NULL, "crond-lite: --compat: expected go-crond or supercronic, got "
                                   "'Supercronic'");
    assert_string_equal(compat_name(COMPAT_GO_CROND), "go-crond");
    assert_int_equal(compat_from_name("none"), COMPAT_NONE);
    assert_int_equal(compat_from_name("cron"), -1);
}

/* The native line is read by options_parse into the options it means. */
static void test_native_options(void **state)
{
    (void)state;
    struct compat_args a;
    struct options o;
    char **v = ARGV("supercronic", "-json", "-overlapping", "-passthrough-logs", "c");
    assert_int_equal(compat_translate(argc_of(v), v, NULL, &a, err, sizeof err), 0);
    assert_int_equal(options_parse(a.argc, a.argv, NULL, &o, err, sizeof err), 0);
    assert_int_equal(o.log_format, LOG_FORMAT_JSON);
    assert_int_equal(o.overlap, OVERLAP_ALLOW);
    assert_int_equal(o.output, LOG_OUTPUT_RAW);
    assert_int_equal(o.nfiles, 1);
    assert_string_equal(o.files[0], "c");
    options_free(&o);
    compat_args_free(&a);
    v = ARGV("go-crond", "--log.json", "--working-directory=/srv", "/etc/crontab");
    assert_int_equal(compat_translate(argc_of(v), v, NULL, &a, err, sizeof err), 0);
    assert_int_equal(options_parse(a.argc, a.argv, NULL, &o, err, sizeof err), 0);
    assert_string_equal(o.workdir, "/srv");
    assert_int_equal(o.nsystem_files, 1);
    assert_string_equal(o.system_files[0], "/etc/crontab");
    options_free(&o);
    compat_args_free(&a);
    /* a relative working directory is refused as the native option is */
    v = ARGV("go-crond", "--working-directory=srv");
    assert_int_equal(compat_translate(argc_of(v), v, NULL, &a, err, sizeof err), 0);
    assert_int_equal(options_parse(a.argc, a.argv, NULL, &o, err, sizeof err), -1);
    assert_non_null(strstr(err, "--working-directory: expected an absolute path"));
    compat_args_free(&a);
}

static void test_hints(void **state)
{
    (void)state;
    assert_string_equal(compat_hint("-json"), "use --log-format json, or run as supercronic "
                                              "(--compat supercronic)");
    assert_string_equal(compat_hint("--json"), compat_hint("-json"));
    assert_non_null(strstr(compat_hint("-prometheus-listen-address=:9746"), "--listen"));
    assert_non_null(strstr(compat_hint("--log.json"), "go-crond"));
    assert_non_null(strstr(compat_hint("-v"), "--log-level debug"));
    assert_non_null(strstr(compat_hint("root:/etc/crontab"), "go-crond's USER:PATH"));
    assert_non_null(strstr(compat_hint("/etc/crontab"), "-F PATH"));
    assert_null(compat_hint("--jsonx"));
    assert_null(compat_hint("-x"));
    assert_null(compat_hint("--v"));
    /* through options_parse, under crond-lite's own name */
    struct options o;
    char **v = ARGV("crond-lite", "-split-logs");
    assert_int_equal(options_parse(argc_of(v), v, NULL, &o, err, sizeof err), -1);
    assert_string_equal(err, "crond-lite: unknown option '-split-logs': use --split-logs, or run "
                             "as supercronic (--compat supercronic) (see --help)");
    v = ARGV("crond-lite", "--server.bind=:8080");
    assert_int_equal(options_parse(argc_of(v), v, NULL, &o, err, sizeof err), -1);
    assert_string_equal(err, "crond-lite: unknown option '--server.bind': use --listen ADDR, or "
                             "run as go-crond (--compat go-crond) (see --help)");
    /* a native cluster is still read as one */
    v = ARGV("crond-lite", "-nf", "x");
    assert_int_equal(options_parse(argc_of(v), v, NULL, &o, err, sizeof err), 0);
    options_free(&o);
}

/* usage texts exist for the personalities only */
static void test_usage(void **state)
{
    (void)state;
    assert_null(compat_usage(COMPAT_NONE));
    assert_non_null(strstr(compat_usage(COMPAT_GO_CROND), "Usage: go-crond"));
    assert_non_null(strstr(compat_usage(COMPAT_SUPERCRONIC), "Usage: supercronic"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_go_crond_readme), cmocka_unit_test(test_go_crond_extras),
        cmocka_unit_test(test_go_crond_errors), cmocka_unit_test(test_supercronic),
        cmocka_unit_test(test_supercronic_errors), cmocka_unit_test(test_pick),
        cmocka_unit_test(test_native_options), cmocka_unit_test(test_hints),
        cmocka_unit_test(test_usage),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
