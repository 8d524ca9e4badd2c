/* Unit tests of peermetrics: go-crond's and supercronic's families from a
 * loaded table, line by line (names, types, labels and values as the
 * peers' sources define them); the command is a label there; two jobs with
 * the same labels are one series. */
#include "testutil.h"

#include <string.h>
#include <sys/wait.h>

#include "crond/metrics.h"
#include "crond/peermetrics.h"
#include "crond/util.h"
#include "tabfixture.h"

static void load(struct jobtab *t, const char *p1)
{
    struct loader_result r;
    struct jobtab_diff d;
    tab_load(T0, p1, NULL, &r);
    assert_int_equal(r.diags.nerrors, 0);
    assert_int_equal(jobtab_apply(t, &r, T0, &d), 0);
}

static char *render(const struct jobtab *t, enum compat_personality p)
{
    struct util_buf b = {0};
    assert_int_equal(peermetrics_render(&b, t, p, "app"), 0);
    util_buf_add(&b, "", 1);
    assert_false(b.oom);
    return b.data;
}

static void has(const char *text, const char *line)
{
    char want[1024];
    snprintf(want, sizeof want, "\n%s\n", line);
    if (strstr(text, want) == NULL)
        fail_msg("no line '%s' in:\n%s", line, text);
}

static void lacks(const char *text, const char *part)
{
    if (strstr(text, part) != NULL)
        fail_msg("'%s' in:\n%s", part, text);
}

/* a run of j: started at start, ended after ms with wstatus */
static void ran(struct jobtab_job *j, int64_t start, int64_t ms, int wstatus)
{
    struct jobtab_stats *st = jobtab_stats_of(j);
    assert_non_null(st);
    st->last_start_ms = start;
    st->last_exit_ms = start + ms;
    st->last_wstatus = wstatus;
    metrics_run_ended(st, metrics_result_of(wstatus, false), ms, start + ms);
}

static void test_go_crond(void **state)
{
    (void)state;
    put("app.cron", "# c", "*/5 * * * * echo \"a b\"", "@hourly false", NULL);
    struct jobtab t;
    jobtab_init(&t, T0, OVERLAP_SKIP);
    load(&t, "app.cron");
    struct jobtab_job *a = by_cmd(&t, "echo \"a b\""), *f = by_cmd(&t, "false");
    ran(a, T0 + 5 * MIN, 1500, 0);
    ran(a, T0 + 10 * MIN, 250, 0);
    ran(f, T0 + 60 * MIN, 20, 1 << 8);
    char *text = render(&t, COMPAT_GO_CROND);
    const char *la = "cronSpec=\"*/5 * * * *\",cronUser=\"app\",cronCommand=\"echo \\\"a b\\\"\"";
    const char *lf = "cronSpec=\"@hourly\",cronUser=\"app\",cronCommand=\"false\"";
    char l[1024];
    has(text, "# TYPE gocrond_task_info gauge");
    snprintf(l, sizeof l, "gocrond_task_info{%s} 1", la);
    has(text, l);
    has(text, "# TYPE gocrond_task_run_count counter");
    snprintf(l, sizeof l, "gocrond_task_run_count{%s,result=\"success\"} 2", la);
    has(text, l);
    snprintf(l, sizeof l, "gocrond_task_run_count{%s,result=\"error\"} 1", lf);
    has(text, l);
    snprintf(l, sizeof l, "gocrond_task_run_result{%s} 1", la);
    has(text, l);
    snprintf(l, sizeof l, "gocrond_task_run_result{%s} 0", lf);
    has(text, l);
    snprintf(l, sizeof l, "gocrond_task_run_duration{%s} 0.25", la);
    has(text, l);
    snprintf(l, sizeof l, "gocrond_task_run_time{%s} %lld", la, (T0 + 10 * MIN + 250) / 1000);
    has(text, l);
    snprintf(l, sizeof l, "gocrond_task_run_prev_time{%s} %lld", lf, (T0 + 60 * MIN) / 1000);
    has(text, l);
    snprintf(l, sizeof l, "gocrond_task_run_next_time{%s} %lld", la, (T0 + 5 * MIN) / 1000);
    has(text, l);
    free(text);
    jobtab_free(&t);
}

/* A job that never ran has no last-run figures; a user column is cronUser. */
static void test_go_crond_idle_and_users(void **state)
{
    (void)state;
    put("sys", "0 4 * * * nobody true", NULL);
    char path[256];
    snprintf(path, sizeof path, "%s/sys", dir);
    const struct loader_source src[] = {{path, LOADER_SYSTEM_FORMAT, NULL, NULL}};
    char err[128];
    struct loader_opts lo = {.default_zone = zone_cache_get(zones, "UTC", err, sizeof err),
                             .zones = zones, .now = T0 / 1000, .uid = (unsigned)geteuid(),
                             .as_root = true};
    struct loader_result r;
    struct jobtab_diff d;
    assert_int_equal(loader_load(src, 1, &lo, &r), 0);
    struct jobtab t;
    jobtab_init(&t, T0, OVERLAP_SKIP);
    assert_int_equal(jobtab_apply(&t, &r, T0, &d), 0);
    char *text = render(&t, COMPAT_GO_CROND);
    has(text, "gocrond_task_info{cronSpec=\"0 4 * * *\",cronUser=\"nobody\",cronCommand=\"true\"} 1");
    has(text, "gocrond_task_run_prev_time{cronSpec=\"0 4 * * *\",cronUser=\"nobody\",cronCommand=\"true\"} 0");
    lacks(text, "gocrond_task_run_result{");
    lacks(text, "gocrond_task_run_time{");
    free(text);
    jobtab_free(&t);
}

static void test_supercronic(void **state)
{
    (void)state;
    put("tab", "X=1", "*/5 * * * * * * echo hi", "# between", "@daily sleep 1", NULL);
    struct jobtab t;
    jobtab_init(&t, T0, OVERLAP_SKIP);
    load(&t, "tab");
    struct jobtab_job *e = by_cmd(&t, "echo hi"), *s = by_cmd(&t, "sleep 1");
    ran(e, T0, 5, 0);
    ran(e, T0 + 5000, 45000, SIGTERM);
    metrics_skipped(jobtab_stats_of(s), METRICS_SKIP_RUNNING);
    s->sj.running = 1;
    char *text = render(&t, COMPAT_SUPERCRONIC);
    const char *le = "command=\"echo hi\",position=\"0\",schedule=\"*/5 * * * * * *\"";
    const char *ls = "command=\"sleep 1\",position=\"1\",schedule=\"@daily\"";
    char l[1024];
    snprintf(l, sizeof l, "supercronic_executions{%s} 2", le);
    has(text, l);
    snprintf(l, sizeof l, "supercronic_successful_executions{%s} 1", le);
    has(text, l);
    snprintf(l, sizeof l, "supercronic_failed_executions{%s} 1", le);
    has(text, l);
    snprintf(l, sizeof l, "supercronic_deadline_exceeded{%s} 1", ls);
    has(text, l);
    snprintf(l, sizeof l, "supercronic_currently_running{%s} 1", ls);
    has(text, l);
    has(text, "# TYPE supercronic_cron_execution_time_seconds histogram");
    snprintf(l, sizeof l, "supercronic_cron_execution_time_seconds_bucket{%s,le=\"10\"} 1", le);
    has(text, l);
    snprintf(l, sizeof l, "supercronic_cron_execution_time_seconds_bucket{%s,le=\"30\"} 1", le);
    has(text, l);
    snprintf(l, sizeof l, "supercronic_cron_execution_time_seconds_bucket{%s,le=\"60\"} 2", le);
    has(text, l);
    snprintf(l, sizeof l, "supercronic_cron_execution_time_seconds_bucket{%s,le=\"+Inf\"} 2", le);
    has(text, l);
    snprintf(l, sizeof l, "supercronic_cron_execution_time_seconds_sum{%s} 45.005", le);
    has(text, l);
    snprintf(l, sizeof l, "supercronic_cron_execution_time_seconds_count{%s} 0", ls);
    has(text, l);
    lacks(text, "gocrond_");
    free(text);
    jobtab_free(&t);
}

/* The same line twice: one series, the first; COMPAT_NONE renders nothing. */
static void test_duplicates_and_none(void **state)
{
    (void)state;
    put("dup", "* * * * * echo same", "* * * * * echo same", NULL);
    struct jobtab t;
    jobtab_init(&t, T0, OVERLAP_SKIP);
    load(&t, "dup");
    assert_int_equal(t.n, 2);
    char *text = render(&t, COMPAT_GO_CROND);
    const char *first = strstr(text, "gocrond_task_info{");
    assert_non_null(first);
    assert_null(strstr(first + 1, "gocrond_task_info{"));
    free(text);
    text = render(&t, COMPAT_NONE);
    assert_string_equal(text, "");
    free(text);
    jobtab_free(&t);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_go_crond, setup, teardown),
        cmocka_unit_test_setup_teardown(test_go_crond_idle_and_users, setup, teardown),
        cmocka_unit_test_setup_teardown(test_supercronic, setup, teardown),
        cmocka_unit_test_setup_teardown(test_duplicates_and_none, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
