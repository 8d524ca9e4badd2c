/* Unit tests of metrics: the counting functions (results from real wait
 * statuses, the histogram's buckets, reloads), the exposition of a small
 * table of jobs as exact text, label escaping, the shape every exposition
 * must have (one HELP and TYPE per family, samples together, every job in
 * every per-job family, unique series), counters across reloads, and the
 * /proc reader.
 *
 * `test_metrics --write FILE` writes the exposition of a fixture table
 * instead (tests/e2e/test_metrics.sh checks it with promtool). */
#include "testutil.h"

#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "crond/jobtab.h"
#include "crond/loader.h"
#include "crond/metrics.h"
#include "crond/util.h"
#include "crond/zone.h"

#include "tabfixture.h"

/* Loads the crontab files p1 (and p2), relative to dir, into t at now, as a
 * reload does. Returns the number of errors of the load. */
static size_t apply(struct jobtab *t, int64_t now, const char *p1, const char *p2)
{
    struct loader_result r;
    struct jobtab_diff d;
    tab_load(now, p1, p2, &r);
    size_t nerrors = r.diags.nerrors;
    assert_int_equal(jobtab_apply(t, &r, now, &d), 0);
    return nerrors;
}

static char *render(const struct jobtab *t, const struct metrics_daemon *m,
                    const struct metrics_process *pr)
{
    struct util_buf b = {0};
    assert_int_equal(metrics_render(&b, t, m, pr), 0);
    assert_non_null(b.data);
    return b.data;
}

static void expect_line(const char *text, const char *line)
{
    size_t n = strlen(line);
    for (const char *p = text; (p = strstr(p, line)) != NULL; p++)
        if ((p == text || p[-1] == '\n') && p[n] == '\n')
            return;
    fail_msg("no line '%s' in:\n%s", line, text);
}

/* ------------------------------------------------------------------------ */
/* Counting                                                                 */
/* ------------------------------------------------------------------------ */

/* The wait status of a child that exits with code, or dies of sig. */
static int status_of(int code, int sig)
{
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        if (sig != 0)
            raise(sig);
        _exit(code);
    }
    int st;
    assert_int_equal(waitpid(pid, &st, 0), pid);
    return st;
}

static void test_result_of(void **state)
{
    (void)state;
    int ok = status_of(0, 0), three = status_of(3, 0), killed = status_of(0, SIGKILL),
        termed = status_of(0, SIGTERM);
    assert_int_equal(metrics_result_of(ok, false), METRICS_SUCCESS);
    assert_int_equal(metrics_result_of(three, false), METRICS_FAILURE);
    assert_int_equal(metrics_result_of(status_of(255, 0), false), METRICS_FAILURE);
    /* a stop's SIGTERM or SIGKILL, or any other signal: killed */
    assert_int_equal(metrics_result_of(killed, false), METRICS_KILLED);
    assert_int_equal(metrics_result_of(termed, false), METRICS_KILLED);
    /* the timeout's: a timeout, however the run ended after it */
    assert_int_equal(metrics_result_of(killed, true), METRICS_TIMEOUT);
    assert_int_equal(metrics_result_of(termed, true), METRICS_TIMEOUT);
    assert_int_equal(metrics_result_of(ok, true), METRICS_TIMEOUT);
}

/* Each duration goes to the first bucket whose bound it does not exceed
 * (le: "less or equal"); errors count as runs without a duration. */
static void test_run_ended(void **state)
{
    (void)state;
    struct jobtab_stats st = {0};
    static const struct {
        int64_t ms;
        int bucket;  /* -1: only +Inf */
    } cases[] = {
        {0, 0}, {100, 0}, {101, 1}, {500, 1}, {999, 2}, {1000, 2}, {4999, 3},
        {60000, 6}, {60001, 7}, {3600000, 10}, {3600001, -1}, {-5, 0},
    };
    int64_t sum = 0;
    for (size_t i = 0; i < UTIL_COUNT_OF(cases); i++) {
        struct metrics_job before = st.m;
        metrics_run_ended(&st, METRICS_FAILURE, cases[i].ms, T0);
        for (int k = 0; k < METRICS_NBUCKETS; k++)
            if (st.m.le[k] != before.le[k] + (k == cases[i].bucket))
                fail_msg("%lld ms: bucket %d is %llu", (long long)cases[i].ms, k,
                         (unsigned long long)st.m.le[k]);
        sum += cases[i].ms > 0 ? cases[i].ms : 0;
    }
    assert_int_equal(st.m.count, UTIL_COUNT_OF(cases));
    assert_int_equal(st.m.runs[METRICS_FAILURE], UTIL_COUNT_OF(cases));
    assert_int_equal(st.m.sum_ms, sum);
    assert_int_equal(st.m.last_success_ms, 0);

    metrics_run_ended(&st, METRICS_SUCCESS, 20, T0 + 5);
    assert_int_equal(st.m.last_success_ms, T0 + 5);
    metrics_run_ended(&st, METRICS_TIMEOUT, 20, T0 + 9);
    metrics_run_ended(&st, METRICS_KILLED, 20, T0 + 9);
    assert_int_equal(st.m.last_success_ms, T0 + 5);
    metrics_run_ended(&st, METRICS_ERROR, 123456, T0 + 10);
    assert_int_equal(st.m.runs[METRICS_ERROR], 1);
    assert_int_equal(st.m.count, UTIL_COUNT_OF(cases) + 3); /* not the error */
    assert_int_equal(st.m.sum_ms, sum + 60);

    metrics_skipped(&st, METRICS_SKIP_RUNNING);
    metrics_skipped(&st, METRICS_SKIP_QUEUE_FULL);
    metrics_skipped(&st, METRICS_SKIP_QUEUE_FULL);
    metrics_output_line(&st, 0);
    metrics_output_line(&st, 1);
    metrics_output_line(&st, 1);
    metrics_output_line(&st, 2); /* no such stream: ignored */
    assert_int_equal(st.m.skips[METRICS_SKIP_RUNNING], 1);
    assert_int_equal(st.m.skips[METRICS_SKIP_QUEUE_FULL], 2);
    assert_int_equal(st.m.lines[0], 1);
    assert_int_equal(st.m.lines[1], 2);

    /* no stats (out of memory): nothing happens */
    metrics_run_ended(NULL, METRICS_SUCCESS, 1, T0);
    metrics_skipped(NULL, METRICS_SKIP_RUNNING);
    metrics_output_line(NULL, 0);
}

static void test_reloaded(void **state)
{
    (void)state;
    struct metrics_daemon m = {0};
    metrics_reloaded(&m, true, 0, true);
    assert_int_equal(m.reloads[METRICS_RELOAD_SUCCESS], 1);
    /* a file with errors keeps its old jobs: a failure, the errors counted */
    metrics_reloaded(&m, true, 2, true);
    assert_int_equal(m.reloads[METRICS_RELOAD_FAILURE], 1);
    assert_int_equal(m.config_problems, 2);
    /* out of memory in the table: a failure, the errors still known */
    metrics_reloaded(&m, true, 0, false);
    assert_int_equal(m.reloads[METRICS_RELOAD_FAILURE], 2);
    assert_int_equal(m.config_problems, 0);
    /* out of memory in the load: nothing known about the files */
    m.config_problems = 4;
    metrics_reloaded(&m, false, 0, false);
    assert_int_equal(m.reloads[METRICS_RELOAD_FAILURE], 3);
    assert_int_equal(m.config_problems, 4);
    assert_int_equal(m.reloads[METRICS_RELOAD_SUCCESS], 1);
}

/* ------------------------------------------------------------------------ */
/* The exposition                                                           */
/* ------------------------------------------------------------------------ */

static const struct metrics_process fixture_process = {
    .cpu_seconds = 1.25, .resident_bytes = 4096000, .virtual_bytes = 12345678,
    .open_fds = 7, .max_fds = 1024, .start_time_seconds = 1767225600.5,
};

/* Two jobs; the first ran five times (one of each result), was skipped
 * twice and wrote four lines; the second runs now for the first time. */
static void fixture_table(struct jobtab *t, struct metrics_daemon *m)
{
    put("x/app.cron", "0 3 * * * backup --password=hunter2", "*/5 * * * * echo five", NULL);
    jobtab_init(t, T0, OVERLAP_SKIP);
    assert_int_equal(apply(t, T0, "x/app.cron", NULL), 0);
    struct jobtab_job *backup = by_cmd(t, "backup --password=hunter2");
    struct jobtab_stats *st = jobtab_stats_of(backup);
    assert_non_null(st);
    st->last_start_ms = T0 + MIN;
    metrics_run_ended(st, METRICS_SUCCESS, 1500, T0 + MIN + 1500);
    metrics_run_ended(st, METRICS_FAILURE, 40, T0 + MIN);
    metrics_run_ended(st, METRICS_TIMEOUT, 3600000, T0 + MIN);
    metrics_run_ended(st, METRICS_KILLED, 4000000, T0 + MIN);
    metrics_run_ended(st, METRICS_ERROR, 0, T0 + MIN);
    metrics_skipped(st, METRICS_SKIP_RUNNING);
    metrics_skipped(st, METRICS_SKIP_RUNNING);
    for (int i = 0; i < 3; i++)
        metrics_output_line(st, 0);
    metrics_output_line(st, 1);
    by_cmd(t, "echo five")->sj.running = 1;
    *m = (struct metrics_daemon){.reloads = {3, 1}, .config_problems = 2};
}

#define H(name, type, help) "# HELP " name " " help "\n# TYPE " name " " type "\n"
#define J1 "{cron_job=\"app.cron:1\""
#define J2 "{cron_job=\"app.cron:2\""
#define BUCKETS(job, a, b, c, d, e, f, g, h, i, j, k, inf)                                     \
    "crond_lite_job_duration_seconds_bucket" job ",le=\"0.1\"} " a "\n"                     \
    "crond_lite_job_duration_seconds_bucket" job ",le=\"0.5\"} " b "\n"                     \
    "crond_lite_job_duration_seconds_bucket" job ",le=\"1\"} " c "\n"                       \
    "crond_lite_job_duration_seconds_bucket" job ",le=\"5\"} " d "\n"                       \
    "crond_lite_job_duration_seconds_bucket" job ",le=\"10\"} " e "\n"                      \
    "crond_lite_job_duration_seconds_bucket" job ",le=\"30\"} " f "\n"                      \
    "crond_lite_job_duration_seconds_bucket" job ",le=\"60\"} " g "\n"                      \
    "crond_lite_job_duration_seconds_bucket" job ",le=\"300\"} " h "\n"                     \
    "crond_lite_job_duration_seconds_bucket" job ",le=\"900\"} " i "\n"                     \
    "crond_lite_job_duration_seconds_bucket" job ",le=\"1800\"} " j "\n"                    \
    "crond_lite_job_duration_seconds_bucket" job ",le=\"3600\"} " k "\n"                    \
    "crond_lite_job_duration_seconds_bucket" job ",le=\"+Inf\"} " inf "\n"

static const char expected[] =
    H("crond_lite_job_runs_total", "counter",
      "Runs of the job that ended, by result: success (exit status 0), failure (another exit "
      "status), timeout (ended by its timeout), killed (ended by another signal, a stop "
      "included), error (could not start).")
    "crond_lite_job_runs_total" J1 ",result=\"success\"} 1\n"
    "crond_lite_job_runs_total" J1 ",result=\"failure\"} 1\n"
    "crond_lite_job_runs_total" J1 ",result=\"timeout\"} 1\n"
    "crond_lite_job_runs_total" J1 ",result=\"killed\"} 1\n"
    "crond_lite_job_runs_total" J1 ",result=\"error\"} 1\n"
    "crond_lite_job_runs_total" J2 ",result=\"success\"} 0\n"
    "crond_lite_job_runs_total" J2 ",result=\"failure\"} 0\n"
    "crond_lite_job_runs_total" J2 ",result=\"timeout\"} 0\n"
    "crond_lite_job_runs_total" J2 ",result=\"killed\"} 0\n"
    "crond_lite_job_runs_total" J2 ",result=\"error\"} 0\n"
    H("crond_lite_job_skips_total", "counter",
      "Due runs of the job that did not start, by reason: running (its last run still ran), "
      "queue_full (a queued run already waited), claimed (another replica claimed it), "
      "guard (--guard said no).")
    "crond_lite_job_skips_total" J1 ",reason=\"running\"} 2\n"
    "crond_lite_job_skips_total" J1 ",reason=\"queue_full\"} 0\n"
    "crond_lite_job_skips_total" J1 ",reason=\"claimed\"} 0\n"
    "crond_lite_job_skips_total" J1 ",reason=\"guard\"} 0\n"
    "crond_lite_job_skips_total" J2 ",reason=\"running\"} 0\n"
    "crond_lite_job_skips_total" J2 ",reason=\"queue_full\"} 0\n"
    "crond_lite_job_skips_total" J2 ",reason=\"claimed\"} 0\n"
    "crond_lite_job_skips_total" J2 ",reason=\"guard\"} 0\n"
    H("crond_lite_job_duration_seconds", "histogram",
      "How long the job's runs took, from start to exit (runs that could not start are not "
      "counted), in seconds.")
    BUCKETS(J1, "1", "1", "1", "2", "2", "2", "2", "2", "2", "2", "3", "4")
    "crond_lite_job_duration_seconds_sum" J1 "} 7601.54\n"
    "crond_lite_job_duration_seconds_count" J1 "} 4\n"
    BUCKETS(J2, "0", "0", "0", "0", "0", "0", "0", "0", "0", "0", "0", "0")
    "crond_lite_job_duration_seconds_sum" J2 "} 0\n"
    "crond_lite_job_duration_seconds_count" J2 "} 0\n"
    H("crond_lite_job_running", "gauge", "Runs of the job running now.")
    "crond_lite_job_running" J1 "} 0\n"
    "crond_lite_job_running" J2 "} 1\n"
    H("crond_lite_job_last_start_timestamp_seconds", "gauge",
      "When the job's last run started, in seconds since the epoch; 0: never.")
    "crond_lite_job_last_start_timestamp_seconds" J1 "} 1767225660\n"
    "crond_lite_job_last_start_timestamp_seconds" J2 "} 0\n"
    H("crond_lite_job_last_success_timestamp_seconds", "gauge",
      "When the job's last successful run ended, in seconds since the epoch; 0: never.")
    "crond_lite_job_last_success_timestamp_seconds" J1 "} 1767225661.5\n"
    "crond_lite_job_last_success_timestamp_seconds" J2 "} 0\n"
    H("crond_lite_job_next_timestamp_seconds", "gauge",
      "When the job is due next, in seconds since the epoch; 0: never again.")
    "crond_lite_job_next_timestamp_seconds" J1 ",schedule=\"0 3 * * *\"} 1767236400\n"
    "crond_lite_job_next_timestamp_seconds" J2 ",schedule=\"*/5 * * * *\"} 1767225900\n"
    H("crond_lite_job_output_lines_total", "counter",
      "Lines the job's runs wrote, by stream (a line over 16 KiB counts once a piece).")
    "crond_lite_job_output_lines_total" J1 ",stream=\"stdout\"} 3\n"
    "crond_lite_job_output_lines_total" J1 ",stream=\"stderr\"} 1\n"
    "crond_lite_job_output_lines_total" J2 ",stream=\"stdout\"} 0\n"
    "crond_lite_job_output_lines_total" J2 ",stream=\"stderr\"} 0\n"
    H("crond_lite_jobs", "gauge", "Jobs in the table.")
    "crond_lite_jobs 2\n"
    H("crond_lite_reloads_total", "counter",
      "Reloads of the crontabs, by result: failure when a file had errors (its old jobs "
      "stay) or memory ran out.")
    "crond_lite_reloads_total{result=\"success\"} 3\n"
    "crond_lite_reloads_total{result=\"failure\"} 1\n"
    H("crond_lite_config_problems", "gauge",
      "Errors in the configuration as last read (warnings do not count).")
    "crond_lite_config_problems 2\n"
    H("crond_lite_build_info", "gauge", "The version of crond-lite; the value is 1.")
    "crond_lite_build_info{version=\"" CROND_VERSION "\"} 1\n"
    H("process_cpu_seconds_total", "counter",
      "User and system CPU time used by crond-lite, in seconds.")
    "process_cpu_seconds_total 1.250\n"
    H("process_open_fds", "gauge", "File descriptors crond-lite has open.")
    "process_open_fds 7\n"
    H("process_max_fds", "gauge", "crond-lite's limit of open file descriptors.")
    "process_max_fds 1024\n"
    H("process_virtual_memory_bytes", "gauge", "crond-lite's virtual memory, in bytes.")
    "process_virtual_memory_bytes 12345678\n"
    H("process_resident_memory_bytes", "gauge", "crond-lite's resident memory, in bytes.")
    "process_resident_memory_bytes 4096000\n"
    H("process_start_time_seconds", "gauge",
      "When crond-lite started, in seconds since the epoch.")
    "process_start_time_seconds 1767225600.500\n";

/* Prints where two texts part, for a readable failure. */
static void expect_text(const char *want, const char *got)
{
    size_t i = 0;
    while (want[i] != '\0' && want[i] == got[i])
        i++;
    if (want[i] == '\0' && got[i] == '\0')
        return;
    size_t from = i > 80 ? i - 80 : 0;
    fail_msg("texts part at byte %zu:\n want: ...%.160s\n got:  ...%.160s", i, want + from,
             got + from);
}

static void test_render_exact(void **state)
{
    (void)state;
    struct jobtab t;
    struct metrics_daemon m;
    fixture_table(&t, &m);
    char *text = render(&t, &m, &fixture_process);
    expect_text(expected, text);
    assert_null(strstr(text, "hunter2")); /* never the command */
    free(text);
    /* without process figures (no /proc): no process_* family */
    text = render(&t, &m, NULL);
    assert_null(strstr(text, "process_"));
    expect_line(text, "crond_lite_jobs 2");
    free(text);
    jobtab_free(&t);
}

static void test_label_escaping(void **state)
{
    (void)state;
    struct util_buf b = {0};
    metrics_label_value(&b, "a\\b\"c\nd");
    assert_string_equal(b.data, "a\\\\b\\\"c\\nd");
    util_buf_free(&b);
    metrics_label_value(&b, "plain: é ü");
    assert_string_equal(b.data, "plain: é ü");
    util_buf_free(&b);

    /* in an id: a crontab file's name with a quote and a backslash */
    put("q/we\"ird\\name.cron", "* * * * * true", NULL);
    struct jobtab t;
    struct metrics_daemon m = {0};
    jobtab_init(&t, T0, OVERLAP_SKIP);
    assert_int_equal(apply(&t, T0, "q/we\"ird\\name.cron", NULL), 0);
    char *text = render(&t, &m, NULL);
    expect_line(text, "crond_lite_job_running{cron_job=\"we\\\"ird\\\\name.cron:1\"} 0");
    free(text);
    jobtab_free(&t);
}

/* The shape every exposition must have (one HELP, then one TYPE, per
 * family; each sample inside its family; no series twice); fills fam with
 * each family's name, type and number of samples, in order. */
struct family_seen {
    char name[64];
    char type[16];
    size_t samples;
};

static void check_shape(const char *text, struct family_seen *fam, size_t *nfam)
{
    static char series[512][512];
    size_t nseries = 0;
    *nfam = 0;
    const char *p = text;
    assert_true(text[strlen(text) - 1] == '\n');
    while (*p != '\0') {
        const char *nl = strchr(p, '\n');
        char line[512];
        snprintf(line, sizeof line, "%.*s", (int)(nl - p), p);
        p = nl + 1;
        char name[64], type[16];
        if (sscanf(line, "# HELP %63s", name) == 1) {
            for (size_t i = 0; i < *nfam; i++)
                if (strcmp(fam[i].name, name) == 0)
                    fail_msg("second HELP for %s", name);
            snprintf(fam[*nfam].name, sizeof fam[*nfam].name, "%s", name);
            fam[*nfam].samples = 0;
            fam[(*nfam)++].type[0] = '\0';
            continue;
        }
        if (sscanf(line, "# TYPE %63s %15s", name, type) == 2) {
            assert_true(*nfam > 0);
            assert_string_equal(fam[*nfam - 1].name, name);
            assert_string_equal(fam[*nfam - 1].type, "");
            snprintf(fam[*nfam - 1].type, sizeof fam[*nfam - 1].type, "%s", type);
            continue;
        }
        /* a sample: of the family just introduced (histogram suffixes) */
        assert_true(*nfam > 0 && fam[*nfam - 1].type[0] != '\0');
        const struct family_seen *f = &fam[*nfam - 1];
        size_t len = strlen(f->name);
        if (strncmp(line, f->name, len) != 0
            || !(line[len] == '{' || line[len] == ' ' || strncmp(line + len, "_bucket{", 8) == 0
                 || strncmp(line + len, "_sum{", 5) == 0 || strncmp(line + len, "_count{", 7) == 0))
            fail_msg("sample '%s' outside its family %s", line, f->name);
        fam[*nfam - 1].samples++;
        char *blank = strrchr(line, ' ');
        assert_non_null(blank);
        *blank = '\0';
        for (size_t i = 0; i < nseries; i++)
            if (strcmp(series[i], line) == 0)
                fail_msg("series %s twice", line);
        assert_true(nseries < 512);
        snprintf(series[nseries++], sizeof series[0], "%s", line);
    }
}

/* Every family of the contract, once, in this order; per job: 5 results, 2
 * reasons, 12 buckets + sum + count, 4 gauges, 2 streams. */
static const struct {
    const char *name;
    const char *type;
    size_t per_job;  /* samples per job, or 0 for the daemon's */
} families[] = {
    {"crond_lite_job_runs_total", "counter", 5},
    {"crond_lite_job_skips_total", "counter", 4},
    {"crond_lite_job_duration_seconds", "histogram", 14},
    {"crond_lite_job_running", "gauge", 1},
    {"crond_lite_job_last_start_timestamp_seconds", "gauge", 1},
    {"crond_lite_job_last_success_timestamp_seconds", "gauge", 1},
    {"crond_lite_job_next_timestamp_seconds", "gauge", 1},
    {"crond_lite_job_output_lines_total", "counter", 2},
    {"crond_lite_jobs", "gauge", 0},
    {"crond_lite_reloads_total", "counter", 0},
    {"crond_lite_config_problems", "gauge", 0},
    {"crond_lite_build_info", "gauge", 0},
    {"process_cpu_seconds_total", "counter", 0},
    {"process_open_fds", "gauge", 0},
    {"process_max_fds", "gauge", 0},
    {"process_virtual_memory_bytes", "gauge", 0},
    {"process_resident_memory_bytes", "gauge", 0},
    {"process_start_time_seconds", "gauge", 0},
};

/* The families of text: all of them, or (no process figures) all but the
 * process_* ones. */
static void expect_families(const char *text, size_t njobs)
{
    struct family_seen fam[32];
    size_t nfam;
    check_shape(text, fam, &nfam);
    if (strstr(text, "\nprocess_") != NULL)
        assert_int_equal(nfam, UTIL_COUNT_OF(families));
    else
        assert_int_equal(nfam, UTIL_COUNT_OF(families) - 6);
    for (size_t i = 0; i < nfam; i++) {
        assert_string_equal(fam[i].name, families[i].name);
        assert_string_equal(fam[i].type, families[i].type);
        if (families[i].per_job > 0 && fam[i].samples != families[i].per_job * njobs)
            fail_msg("%s: %zu samples for %zu jobs", fam[i].name, fam[i].samples, njobs);
    }
}

/* Jobs that never ran are in every per-job family; so are no jobs at all. */
static void test_every_family(void **state)
{
    (void)state;
    struct jobtab t;
    struct metrics_daemon m = {0};
    put("e/three.cron", "@reboot echo a", "@every 90s echo b", "0 0 1 1 * echo c", NULL);
    jobtab_init(&t, T0, OVERLAP_SKIP);
    char *text = render(&t, &m, &fixture_process);
    expect_families(text, 0);
    free(text);
    assert_int_equal(apply(&t, T0, "e/three.cron", NULL), 0);
    assert_int_equal(t.n, 3);
    text = render(&t, &m, &fixture_process);
    expect_families(text, 3);
    free(text);
    jobtab_free(&t);
    fixture_table(&t, &m); /* (another table) */
    text = render(&t, &m, &fixture_process);
    expect_families(text, 2);
    free(text);
    jobtab_free(&t);
}

/* A kept job keeps its counters, also when lines above it moved (its id
 * changes with its line); a changed line is a new job from 0; a removed
 * job is gone from every family. */
static void test_counters_across_reload(void **state)
{
    (void)state;
    struct jobtab t;
    struct metrics_daemon m = {0};
    put("r/app.cron", "*/5 * * * * keep", "*/5 * * * * change", "*/5 * * * * remove", NULL);
    jobtab_init(&t, T0, OVERLAP_SKIP);
    assert_int_equal(apply(&t, T0, "r/app.cron", NULL), 0);
    metrics_run_ended(jobtab_stats_of(by_cmd(&t, "keep")), METRICS_SUCCESS, 2000, T0 + 2000);
    metrics_output_line(jobtab_stats_of(by_cmd(&t, "keep")), 0);
    metrics_run_ended(jobtab_stats_of(by_cmd(&t, "change")), METRICS_FAILURE, 2000, T0 + 2000);
    metrics_run_ended(jobtab_stats_of(by_cmd(&t, "remove")), METRICS_FAILURE, 2000, T0 + 2000);

    put("r/app.cron", "# a comment moves every line", "*/5 * * * * keep",
        "*/5 * * * * changed", NULL);
    assert_int_equal(apply(&t, T0 + MIN, "r/app.cron", NULL), 0);
    char *text = render(&t, &m, NULL);
    expect_line(text, "crond_lite_job_runs_total{cron_job=\"app.cron:2\",result=\"success\"} 1");
    expect_line(text, "crond_lite_job_duration_seconds_count{cron_job=\"app.cron:2\"} 1");
    expect_line(text, "crond_lite_job_duration_seconds_sum{cron_job=\"app.cron:2\"} 2");
    expect_line(text, "crond_lite_job_output_lines_total{cron_job=\"app.cron:2\",stream=\"stdout\"} 1");
    expect_line(text, "crond_lite_job_last_success_timestamp_seconds{cron_job=\"app.cron:2\"} "
                      "1767225602");
    expect_line(text, "crond_lite_job_runs_total{cron_job=\"app.cron:3\",result=\"failure\"} 0");
    expect_line(text, "crond_lite_job_duration_seconds_count{cron_job=\"app.cron:3\"} 0");
    assert_null(strstr(text, "app.cron:1\""));
    expect_families(text, 2);
    free(text);

    /* an invalid file keeps its old jobs, and their counters */
    put("r/app.cron", "*/5 * * * * keep", "61 * * * * broken", NULL);
    assert_int_equal(apply(&t, T0 + 2 * MIN, "r/app.cron", NULL), 1);
    text = render(&t, &m, NULL);
    expect_line(text, "crond_lite_job_runs_total{cron_job=\"app.cron:2\",result=\"success\"} 1");
    free(text);
    jobtab_free(&t);
}

/* Two jobs with one id (here: a -f file that vanished keeps its old jobs,
 * named when it was alone, and another file of that name came): the
 * series still differ. */
static void test_duplicate_ids(void **state)
{
    (void)state;
    struct jobtab t;
    struct metrics_daemon m = {0};
    char gone[256];
    put("d1/app.cron", "*/5 * * * * first", NULL);
    snprintf(gone, sizeof gone, "%s/d1/app.cron", dir);
    jobtab_init(&t, T0, OVERLAP_SKIP);
    assert_int_equal(apply(&t, T0, "d1/app.cron", NULL), 0);
    assert_int_equal(unlink(gone), 0);
    put("d2/app.cron", "*/5 * * * * second", NULL);
    assert_true(apply(&t, T0 + MIN, "d1/app.cron", "d2/app.cron") > 0);
    assert_int_equal(t.n, 2);
    char *text = render(&t, &m, NULL);
    expect_families(text, 2);
    char want[128];
    snprintf(want, sizeof want, "crond_lite_job_running{cron_job=\"app.cron:1#%llu\"} 0",
             (unsigned long long)by_cmd(&t, "second")->jid);
    expect_line(text, "crond_lite_job_running{cron_job=\"app.cron:1\"} 0");
    expect_line(text, want);
    free(text);
    jobtab_free(&t);
}

/* ------------------------------------------------------------------------ */
/* The process                                                              */
/* ------------------------------------------------------------------------ */

static void test_parse_stat(void **state)
{
    (void)state;
    /* a command name with ") " in it; utime 150, stime 50, starttime 1234,
     * vsize 8388608, rss 300 pages; negative priority and nice */
    const char *stat = "4242 (we) ird) S 1 4242 4242 0 -1 4194560 100 0 0 0 150 50 0 0 "
                       "-20 -5 1 0 1234 8388608 300 18446744073709551615 1 1 0 0 0 0 0\n";
    struct metrics_process p;
    assert_int_equal(metrics_parse_stat(stat, 100, 4096, 1767225000, &p), 0);
    assert_true(p.cpu_seconds == 2.0);
    double off = p.start_time_seconds - 1767225012.34;
    assert_true(off > -1e-6 && off < 1e-6);
    assert_int_equal(p.virtual_bytes, 8388608);
    assert_int_equal(p.resident_bytes, 300 * 4096);
    assert_int_equal(metrics_parse_stat("4242 (short) S 1 2 3\n", 100, 4096, 0, &p), -1);
    assert_int_equal(metrics_parse_stat("no paren", 100, 4096, 0, &p), -1);
    assert_int_equal(metrics_parse_stat(stat, 0, 4096, 0, &p), -1);
}

static void test_process_read(void **state)
{
    (void)state;
    struct metrics_process p;
    assert_int_equal(metrics_process_read(&p), 0);
    time_t now = time(NULL);
    assert_true(p.start_time_seconds > (double)now - 3600 && p.start_time_seconds <= (double)now + 1);
    assert_true(p.resident_bytes > 0 && p.virtual_bytes >= p.resident_bytes);
    /* the same figures as /proc/self/status says in kB (give or take a few
     * pages touched in between) */
    char status[4096];
    FILE *f = fopen("/proc/self/status", "r");
    assert_non_null(f);
    size_t n = fread(status, 1, sizeof status - 1, f);
    status[n] = '\0';
    assert_int_equal(fclose(f), 0);
    const char *vm = strstr(status, "VmSize:"), *rss = strstr(status, "VmRSS:");
    assert_true(vm != NULL && rss != NULL);
    long long vm_kb = atoll(vm + 7), rss_kb = atoll(rss + 6);
    assert_true(llabs(vm_kb - (long long)(p.virtual_bytes / 1024)) < 1024);
    assert_true(llabs(rss_kb - (long long)(p.resident_bytes / 1024)) < 1024);
    assert_true(p.open_fds >= 3 && p.max_fds >= p.open_fds);
    /* one more descriptor is seen */
    uint64_t before = p.open_fds;
    int fd = dup(0);
    assert_true(fd >= 0);
    assert_int_equal(metrics_process_read(&p), 0);
    assert_int_equal(p.open_fds, before + 1);
    assert_int_equal(close(fd), 0);
}

/* ------------------------------------------------------------------------ */

/* --write FILE: the fixture's exposition, with this process's figures and
 * an id that needs escaping, for promtool. */
static int write_exposition(const char *path)
{
    struct jobtab t;
    struct metrics_daemon m = {.reloads = {2, 1}, .config_problems = 1};
    struct metrics_process pr;
    if (setup(NULL) != 0 || metrics_process_read(&pr) != 0)
        return 1;
    put("x/app.cron", "0 3 * * * backup --password=hunter2", "*/5 * * * * echo five", NULL);
    put("x/we\"ird\\name.cron", "@reboot echo once", NULL);
    jobtab_init(&t, T0, OVERLAP_SKIP);
    assert_int_equal(apply(&t, T0, "x/app.cron", "x/we\"ird\\name.cron"), 0);
    struct jobtab_stats *st = jobtab_stats_of(&t.jobs[0]);
    st->last_start_ms = T0;
    metrics_run_ended(st, METRICS_SUCCESS, 1234, T0 + 1234);
    metrics_run_ended(st, METRICS_KILLED, 45678, T0 + 45678);
    metrics_skipped(st, METRICS_SKIP_QUEUE_FULL);
    metrics_output_line(st, 1);
    struct util_buf b = {0};
    int rc = metrics_render(&b, &t, &m, &pr);
    FILE *f = fopen(path, "w");
    if (rc != 0 || f == NULL || fwrite(b.data, 1, b.len, f) != b.len || fclose(f) != 0)
        rc = 1;
    util_buf_free(&b);
    jobtab_free(&t);
    return teardown(NULL) != 0 ? 1 : rc;
}

int main(int argc, char **argv)
{
    if (argc == 3 && strcmp(argv[1], "--write") == 0)
        return write_exposition(argv[2]);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_result_of),
        cmocka_unit_test(test_run_ended),
        cmocka_unit_test(test_reloaded),
        cmocka_unit_test(test_render_exact),
        cmocka_unit_test(test_label_escaping),
        cmocka_unit_test(test_every_family),
        cmocka_unit_test(test_counters_across_reload),
        cmocka_unit_test(test_duplicate_ids),
        cmocka_unit_test(test_parse_stat),
        cmocka_unit_test(test_process_read),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
