/* metrics: counters and the Prometheus exposition (see metrics.h).
 *
 * The text format (0.0.4): per family one "# HELP name text" and one
 * "# TYPE name type" line, then all of its samples together,
 * `name{label="value",...} value`, every line ended with "\n". In label
 * values \, " and newline are escaped (\\, \", \n); HELP texts here hold
 * none of them. Each name with its labels must be unique: a job's id is,
 * but an INI job may be named like a crontab line's id ("app.cron:3"), so
 * the renderer makes sure (ids_unique).
 */
#include "crond/metrics.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include "crond/jobtab.h"
#include "crond/util.h"

const int64_t metrics_bucket_ms[METRICS_NBUCKETS] = {
    100, 500, 1000, 5000, 10000, 30000, 60000, 300000, 900000, 1800000, 3600000,
};

const int64_t metrics_peer_bucket_ms[METRICS_PEER_NBUCKETS] = {
    10000, 30000, 60000, 120000, 300000, 600000, 1800000, 3600000,
};

static const char *const result_name[METRICS_NRESULTS] = {
    [METRICS_SUCCESS] = "success", [METRICS_FAILURE] = "failure",
    [METRICS_TIMEOUT] = "timeout", [METRICS_KILLED] = "killed", [METRICS_ERROR] = "error",
};
static const char *const skip_name[METRICS_NSKIPS] = {
    [METRICS_SKIP_RUNNING] = "running", [METRICS_SKIP_QUEUE_FULL] = "queue_full",
    [METRICS_SKIP_CLAIMED] = "claimed", [METRICS_SKIP_GUARD] = "guard",
};
static const char *const stream_name[2] = {"stdout", "stderr"};
static const char *const reload_name[2] = {
    [METRICS_RELOAD_SUCCESS] = "success", [METRICS_RELOAD_FAILURE] = "failure",
};

/* ------------------------------------------------------------------------ */
/* Counting                                                                 */
/* ------------------------------------------------------------------------ */

enum metrics_result metrics_result_of(int wstatus, bool timed_out)
{
    if (timed_out)
        return METRICS_TIMEOUT; /* whether it died of the SIGTERM or caught it */
    if (WIFSIGNALED(wstatus))
        return METRICS_KILLED;
    return WIFEXITED(wstatus) && WEXITSTATUS(wstatus) == 0 ? METRICS_SUCCESS : METRICS_FAILURE;
}

void metrics_run_ended(struct jobtab_stats *st, enum metrics_result result, int64_t duration_ms,
                       int64_t now_ms)
{
    if (st == NULL || (unsigned)result >= METRICS_NRESULTS)
        return;
    struct metrics_job *m = &st->m;
    m->runs[result]++;
    if (result == METRICS_ERROR)
        return;
    if (duration_ms < 0)
        duration_ms = 0;
    size_t i = 0;
    while (i < METRICS_NBUCKETS && duration_ms > metrics_bucket_ms[i])
        i++;
    if (i < METRICS_NBUCKETS)
        m->le[i]++;
    m->count++;
    m->sum_ms += duration_ms;
    m->last_duration_ms = duration_ms;
    for (i = 0; i < METRICS_PEER_NBUCKETS && duration_ms > metrics_peer_bucket_ms[i]; i++)
        ;
    if (i < METRICS_PEER_NBUCKETS)
        m->peer_le[i]++;
    if (result == METRICS_SUCCESS)
        m->last_success_ms = now_ms;
}

void metrics_skipped(struct jobtab_stats *st, enum metrics_skip reason)
{
    if (st != NULL && (unsigned)reason < METRICS_NSKIPS)
        st->m.skips[reason]++;
}

void metrics_output_line(struct jobtab_stats *st, int stream)
{
    if (st != NULL && (stream == 0 || stream == 1))
        st->m.lines[stream]++;
}

void metrics_reloaded(struct metrics_daemon *m, bool counted, size_t nerrors, bool applied)
{
    if (counted)
        m->config_problems = nerrors;
    bool ok = counted && applied && nerrors == 0;
    m->reloads[ok ? METRICS_RELOAD_SUCCESS : METRICS_RELOAD_FAILURE]++;
}

/* ------------------------------------------------------------------------ */
/* Values and labels                                                        */
/* ------------------------------------------------------------------------ */

void metrics_label_value(struct util_buf *out, const char *s)
{
    const char *run = s;
    for (; *s != '\0'; s++) {
        const char *esc = *s == '\\' ? "\\\\" : *s == '"' ? "\\\"" : *s == '\n' ? "\\n" : NULL;
        if (esc == NULL)
            continue;
        util_buf_add(out, run, (size_t)(s - run));
        util_buf_str(out, esc);
        run = s + 1;
    }
    util_buf_add(out, run, (size_t)(s - run));
}

/* Milliseconds as seconds, exactly: "12", "0.1", "1767225600.25". */
void metrics_seconds(struct util_buf *b, int64_t ms)
{
    const char *sign = ms < 0 ? "-" : "";
    uint64_t v = ms < 0 ? (uint64_t)0 - (uint64_t)ms : (uint64_t)ms;
    unsigned frac = (unsigned)(v % 1000);
    if (frac == 0) {
        util_buf_printf(b, "%s%" PRIu64, sign, v / 1000);
        return;
    }
    int digits = frac % 100 == 0 ? 1 : frac % 10 == 0 ? 2 : 3;
    unsigned shown = digits == 1 ? frac / 100 : digits == 2 ? frac / 10 : frac;
    util_buf_printf(b, "%s%" PRIu64 ".%0*u", sign, v / 1000, digits, shown);
}

/* ------------------------------------------------------------------------ */
/* The jobs' labels                                                         */
/* ------------------------------------------------------------------------ */

/* One job as the families show it. */
struct row {
    const struct jobtab_job *j;
    const char *id;        /* cron_job (unescaped) */
    bool hidden;           /* its id could not be made unique: left out */
};

struct render {
    struct util_buf *b;
    struct row *rows;      /* t->jobs' order (by jid) */
    size_t n;
    struct util_arena arena;
};

struct by_id {
    const char *id;
    uint64_t jid;
    size_t row;
};

static int cmp_by_id(const void *a, const void *b)
{
    const struct by_id *x = a, *y = b;
    int c = strcmp(x->id, y->id);
    return c != 0 ? c : x->jid < y->jid ? -1 : x->jid > y->jid;
}

/* Two jobs with one id (an INI job named like a crontab line's id): the
 * later loaded gets "ID#JID"; should even that be taken, it is left out.
 * Returns 0 or -1 (out of memory). */
static int ids_unique(struct render *r)
{
    struct by_id *v = calloc(r->n + 1, sizeof *v);
    int rc = v != NULL ? 0 : -1;
    for (int pass = 0; pass < 2 && rc == 0; pass++) {
        for (size_t i = 0; i < r->n; i++)
            v[i] = (struct by_id){r->rows[i].id, r->rows[i].j->jid, i};
        qsort(v, r->n, sizeof *v, cmp_by_id);
        for (size_t k = 1; k < r->n && rc == 0; k++) {
            struct row *row = &r->rows[v[k].row];
            if (strcmp(v[k].id, v[k - 1].id) != 0)
                continue;
            size_t len = strlen(row->id) + 24;
            char *id = pass == 0 ? util_arena_alloc(&r->arena, len) : NULL;
            if (id != NULL)
                snprintf(id, len, "%s#%" PRIu64, row->id, row->j->jid);
            row->id = id != NULL ? id : row->id;
            row->hidden = pass == 1;
            rc = pass == 0 && id == NULL ? -1 : 0;
        }
    }
    free(v);
    return rc;
}

static int rows_make(struct render *r, const struct jobtab *t)
{
    r->n = t->n;
    r->rows = calloc(t->n + 1, sizeof *r->rows);
    if (r->rows == NULL)
        return -1;
    for (size_t i = 0; i < t->n; i++) {
        char buf[LOADER_ID_MAX];
        const char *id = loader_job_id(t->jobs[i].lj, buf, sizeof buf);
        if (id == buf)
            id = util_arena_strndup(&r->arena, buf, strlen(buf));
        if (id == NULL)
            return -1;
        r->rows[i] = (struct row){.j = &t->jobs[i], .id = id};
    }
    return ids_unique(r);
}

/* ------------------------------------------------------------------------ */
/* Families                                                                 */
/* ------------------------------------------------------------------------ */

void metrics_family(struct util_buf *b, const char *name, const char *type, const char *help)
{
    util_buf_printf(b, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

/* `name{cron_job="ID"`: the caller adds more labels, "} " and the value. */
static void job_sample(struct util_buf *b, const char *name, const struct row *row)
{
    util_buf_str(b, name);
    util_buf_str(b, "{cron_job=\"");
    metrics_label_value(b, row->id);
    util_buf_add(b, "\"", 1);
}

static const struct jobtab_stats no_stats;

static const struct jobtab_stats *stats(const struct row *row)
{
    return row->j->stats != NULL ? row->j->stats : &no_stats;
}

/* A counter family with one more label: per job, one sample per name, its
 * value from the job's array of them. */
static void job_counters(struct render *r, const char *name, const char *help,
                         const char *label, const char *const *names, size_t nnames,
                         const uint64_t *(*values)(const struct jobtab_stats *))
{
    metrics_family(r->b, name, "counter", help);
    for (size_t i = 0; i < r->n; i++) {
        if (r->rows[i].hidden)
            continue;
        const uint64_t *v = values(stats(&r->rows[i]));
        for (size_t k = 0; k < nnames; k++) {
            job_sample(r->b, name, &r->rows[i]);
            util_buf_printf(r->b, ",%s=\"%s\"} %" PRIu64 "\n", label, names[k], v[k]);
        }
    }
}

static const uint64_t *runs_of(const struct jobtab_stats *st) { return st->m.runs; }
static const uint64_t *skips_of(const struct jobtab_stats *st) { return st->m.skips; }
static const uint64_t *lines_of(const struct jobtab_stats *st) { return st->m.lines; }

static void job_histogram(struct render *r)
{
    static const char name[] = "crond_lite_job_duration_seconds";
    metrics_family(r->b, name, "histogram",
           "How long the job's runs took, from start to exit (runs that could not start "
           "are not counted), in seconds.");
    for (size_t i = 0; i < r->n; i++) {
        const struct row *row = &r->rows[i];
        const struct metrics_job *m = &stats(row)->m;
        uint64_t below = 0;
        if (row->hidden)
            continue;
        for (size_t k = 0; k < METRICS_NBUCKETS; k++) {
            below += m->le[k];
            job_sample(r->b, "crond_lite_job_duration_seconds_bucket", row);
            util_buf_str(r->b, ",le=\"");
            metrics_seconds(r->b, metrics_bucket_ms[k]);
            util_buf_printf(r->b, "\"} %" PRIu64 "\n", below);
        }
        job_sample(r->b, "crond_lite_job_duration_seconds_bucket", row);
        util_buf_printf(r->b, ",le=\"+Inf\"} %" PRIu64 "\n", m->count);
        job_sample(r->b, "crond_lite_job_duration_seconds_sum", row);
        util_buf_str(r->b, "} ");
        metrics_seconds(r->b, m->sum_ms);
        util_buf_add(r->b, "\n", 1);
        job_sample(r->b, "crond_lite_job_duration_seconds_count", row);
        util_buf_printf(r->b, "} %" PRIu64 "\n", m->count);
    }
}

/* The per-job gauges, each from a function of the job. */
enum gauge { G_RUNNING, G_LAST_START, G_LAST_SUCCESS, G_NEXT };

static void job_gauge(struct render *r, enum gauge g, const char *name, const char *help)
{
    metrics_family(r->b, name, "gauge", help);
    for (size_t i = 0; i < r->n; i++) {
        const struct row *row = &r->rows[i];
        const struct jobtab_stats *st = stats(row);
        if (row->hidden)
            continue;
        job_sample(r->b, name, row);
        if (g == G_NEXT) {
            util_buf_str(r->b, ",schedule=\"");
            metrics_label_value(r->b, row->j->lj->entry->schedule);
            util_buf_add(r->b, "\"", 1);
        }
        util_buf_str(r->b, "} ");
        if (g == G_RUNNING)
            util_buf_printf(r->b, "%u", (unsigned)row->j->sj.running);
        else if (g == G_LAST_START)
            metrics_seconds(r->b, st->last_start_ms);
        else if (g == G_LAST_SUCCESS)
            metrics_seconds(r->b, st->m.last_success_ms);
        else
            metrics_seconds(r->b, row->j->sj.next_ms == SCHED_NEVER ? 0 : row->j->sj.next_ms);
        util_buf_add(r->b, "\n", 1);
    }
}

static void jobs_render(struct render *r)
{
    job_counters(r, "crond_lite_job_runs_total",
                 "Runs of the job that ended, by result: success (exit status 0), failure "
                 "(another exit status), timeout (ended by its timeout), killed (ended by "
                 "another signal, a stop included), error (could not start).",
                 "result", result_name, METRICS_NRESULTS, runs_of);
    job_counters(r, "crond_lite_job_skips_total",
                 "Due runs of the job that did not start, by reason: running (its last run "
                 "still ran), queue_full (a queued run already waited), claimed (another "
                 "replica claimed it), guard (--guard said no).",
                 "reason", skip_name, METRICS_NSKIPS, skips_of);
    job_histogram(r);
    job_gauge(r, G_RUNNING, "crond_lite_job_running", "Runs of the job running now.");
    job_gauge(r, G_LAST_START, "crond_lite_job_last_start_timestamp_seconds",
              "When the job's last run started, in seconds since the epoch; 0: never.");
    job_gauge(r, G_LAST_SUCCESS, "crond_lite_job_last_success_timestamp_seconds",
              "When the job's last successful run ended, in seconds since the epoch; "
              "0: never.");
    job_gauge(r, G_NEXT, "crond_lite_job_next_timestamp_seconds",
              "When the job is due next, in seconds since the epoch; 0: never again.");
    job_counters(r, "crond_lite_job_output_lines_total",
                 "Lines the job's runs wrote, by stream (a line over 16 KiB counts once a "
                 "piece).",
                 "stream", stream_name, 2, lines_of);
}

static void daemon_render(struct util_buf *b, const struct jobtab *t,
                          const struct metrics_daemon *m)
{
    metrics_family(b, "crond_lite_jobs", "gauge", "Jobs in the table.");
    util_buf_printf(b, "crond_lite_jobs %zu\n", t->n);
    metrics_family(b, "crond_lite_reloads_total", "counter",
           "Reloads of the crontabs, by result: failure when a file had errors (its old "
           "jobs stay) or memory ran out.");
    for (size_t i = 0; i < 2; i++)
        util_buf_printf(b, "crond_lite_reloads_total{result=\"%s\"} %" PRIu64 "\n",
                        reload_name[i], m->reloads[i]);
    metrics_family(b, "crond_lite_config_problems", "gauge",
           "Errors in the configuration as last read (warnings do not count).");
    util_buf_printf(b, "crond_lite_config_problems %zu\n", m->config_problems);
    metrics_family(b, "crond_lite_build_info", "gauge", "The version of crond-lite; the value is 1.");
    util_buf_str(b, "crond_lite_build_info{version=\"");
    metrics_label_value(b, CROND_VERSION);
    util_buf_str(b, "\"} 1\n");
}

static void process_render(struct util_buf *b, const struct metrics_process *p)
{
    metrics_family(b, "process_cpu_seconds_total", "counter",
           "User and system CPU time used by crond-lite, in seconds.");
    util_buf_printf(b, "process_cpu_seconds_total %.3f\n", p->cpu_seconds);
    metrics_family(b, "process_open_fds", "gauge", "File descriptors crond-lite has open.");
    util_buf_printf(b, "process_open_fds %" PRIu64 "\n", p->open_fds);
    metrics_family(b, "process_max_fds", "gauge", "crond-lite's limit of open file descriptors.");
    util_buf_printf(b, "process_max_fds %" PRIu64 "\n", p->max_fds);
    metrics_family(b, "process_virtual_memory_bytes", "gauge", "crond-lite's virtual memory, in bytes.");
    util_buf_printf(b, "process_virtual_memory_bytes %" PRIu64 "\n", p->virtual_bytes);
    metrics_family(b, "process_resident_memory_bytes", "gauge",
           "crond-lite's resident memory, in bytes.");
    util_buf_printf(b, "process_resident_memory_bytes %" PRIu64 "\n", p->resident_bytes);
    metrics_family(b, "process_start_time_seconds", "gauge",
           "When crond-lite started, in seconds since the epoch.");
    util_buf_printf(b, "process_start_time_seconds %.3f\n", p->start_time_seconds);
}

int metrics_render(struct util_buf *out, const struct jobtab *t, const struct metrics_daemon *m,
                   const struct metrics_process *pr)
{
    struct render r = {.b = out};
    if (rows_make(&r, t) != 0)
        out->oom = 1;
    if (!out->oom)
        jobs_render(&r);
    free(r.rows);
    util_arena_free(&r.arena);
    if (!out->oom)
        daemon_render(out, t, m);
    if (!out->oom && pr != NULL)
        process_render(out, pr);
    return out->oom ? -1 : 0;
}

/* ------------------------------------------------------------------------ */
/* The process (the only I/O of this module)                                */
/* ------------------------------------------------------------------------ */

int metrics_parse_stat(const char *stat, long ticks, long page, int64_t btime,
                       struct metrics_process *out)
{
    /* "pid (comm) state ppid ...": comm may hold ')' and blanks, so the
     * fields are counted from the last ')'; field 3 (state) is after it */
    const char *s = strrchr(stat, ')');
    unsigned long long f[25] = {0};
    if (s == NULL || s[1] != ' ' || s[2] == '\0' || ticks <= 0 || page <= 0)
        return -1;
    s += 3; /* past ") " and the state letter */
    for (int k = 4; k <= 24; k++) {
        char *end;
        errno = 0;
        f[k] = strtoull(s, &end, 10);
        if (end == s || errno != 0)
            return -1;
        s = end;
    }
    /* 14 utime, 15 stime, 22 starttime (ticks); 23 vsize (bytes); 24 rss (pages) */
    out->cpu_seconds = (double)(f[14] + f[15]) / (double)ticks;
    out->start_time_seconds = (double)btime + (double)f[22] / (double)ticks;
    out->virtual_bytes = f[23];
    out->resident_bytes = f[24] * (unsigned long long)page;
    return 0;
}

/* Reads a /proc file (whose size stat does not tell) into buf, cut at len - 1
 * bytes. Returns 0 or -1. */
static int read_small(const char *path, char *buf, size_t len)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return -1;
    size_t got = 0;
    int rc = 0;
    while (got < len - 1) {
        ssize_t n = read(fd, buf + got, len - 1 - got);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0) {
            rc = n < 0 ? -1 : 0;
            break;
        }
        got += (size_t)n;
    }
    (void)close(fd); /* read-only */
    buf[got] = '\0';
    return rc;
}

/* The boot time from /proc/stat's "btime N" line (after the cpu lines;
 * the "intr" line before it may be long, so it is read in pieces). */
static int64_t boot_time(void)
{
    char buf[4096];
    int64_t btime = -1;
    int fd = open("/proc/stat", O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return -1;
    size_t keep = 0;
    for (;;) {
        ssize_t n = read(fd, buf + keep, sizeof buf - 1 - keep);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            break;
        buf[keep + (size_t)n] = '\0';
        const char *at = strstr(buf, "\nbtime ");
        if (at != NULL && strchr(at + 7, '\n') != NULL) {
            btime = strtoll(at + 7, NULL, 10);
            break;
        }
        /* keep the tail: a "\nbtime N" line may straddle two reads */
        size_t have = keep + (size_t)n, tail = have < 64 ? have : 64;
        memmove(buf, buf + have - tail, tail);
        keep = tail;
    }
    (void)close(fd); /* read-only */
    return btime;
}

/* Open descriptors: the entries of /proc/self/fd but the one reading it. */
static int fds_count(uint64_t *out)
{
    DIR *d = opendir("/proc/self/fd");
    if (d == NULL)
        return -1;
    uint64_t n = 0;
    int self = dirfd(d);
    for (struct dirent *e; (e = readdir(d)) != NULL;)
        if (e->d_name[0] != '.' && strtol(e->d_name, NULL, 10) != self)
            n++;
    (void)closedir(d); /* read-only */
    *out = n;
    return 0;
}

int metrics_process_read(struct metrics_process *out)
{
    char stat[1024];
    struct rlimit rl;
    long ticks = sysconf(_SC_CLK_TCK), page = sysconf(_SC_PAGESIZE);
    int64_t btime = boot_time();
    *out = (struct metrics_process){0};
    if (btime < 0 || read_small("/proc/self/stat", stat, sizeof stat) != 0
        || metrics_parse_stat(stat, ticks, page, btime, out) != 0 || fds_count(&out->open_fds) != 0
        || getrlimit(RLIMIT_NOFILE, &rl) != 0)
        return -1;
    out->max_fds = (uint64_t)rl.rlim_cur;
    return 0;
}
