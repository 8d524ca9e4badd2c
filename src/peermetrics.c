/* peermetrics: go-crond's and supercronic's families (see peermetrics.h). */
#include "crond/peermetrics.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#include "crond/jobtab.h"
#include "crond/metrics.h"
#include "crond/user.h"
#include "crond/util.h"

/* One job: its label set as written between the braces. */
struct row {
    const struct jobtab_job *j;
    const char *labels;
    bool dup; /* an earlier job has the same labels */
};

/* A row's place in label order (ties: the first loaded first). */
struct by_labels {
    const char *labels;
    uint64_t jid;
    size_t row;
};

static int cmp_labels(const void *a, const void *b)
{
    const struct by_labels *x = a, *y = b;
    int c = strcmp(x->labels, y->labels);
    return c != 0 ? c : x->jid < y->jid ? -1 : x->jid > y->jid;
}

static void label(struct util_buf *b, const char *name, const char *value, bool first)
{
    util_buf_printf(b, "%s%s=\"", first ? "" : ",", name);
    metrics_label_value(b, value != NULL ? value : "");
    util_buf_add(b, "\"", 1);
}

/* The job's index among its file's job lines, from 0 (supercronic). */
static size_t position(const struct jobtab_job *j)
{
    const struct crontab *tab = &j->lj->file->tab;
    const struct crontab_entry *e = j->lj->entry;
    return e >= tab->entries && e < tab->entries + tab->nentries ? (size_t)(e - tab->entries) : 0;
}

static void labels_of(struct util_buf *b, const struct jobtab_job *j, enum compat_personality p,
                      const char *self_name)
{
    const struct crontab_entry *e = j->lj->entry;
    if (p == COMPAT_GO_CROND) {
        const char *user = e->user != NULL ? e->user
                           : j->lj->file->owner != NULL ? j->lj->file->owner
                           : j->lj->user != NULL ? j->lj->user->name : self_name;
        label(b, "cronSpec", e->schedule, true);
        label(b, "cronUser", user, false);
        label(b, "cronCommand", e->command, false);
    } else {
        char pos[24];
        snprintf(pos, sizeof pos, "%zu", position(j));
        label(b, "command", e->command, true);
        label(b, "position", pos, false);
        label(b, "schedule", e->schedule, false);
    }
}

/* Rows in t's order with their labels; duplicates marked. */
static struct row *rows_make(const struct jobtab *t, enum compat_personality p,
                             const char *self_name, struct util_arena *mem)
{
    struct row *rows = calloc(t->n + 1, sizeof *rows);
    struct by_labels *by = calloc(t->n + 1, sizeof *by);
    struct util_buf b = {0};
    bool ok = rows != NULL && by != NULL;
    for (size_t i = 0; ok && i < t->n; i++) {
        b.len = 0;
        labels_of(&b, &t->jobs[i], p, self_name);
        const char *l = b.oom ? NULL : util_arena_strndup(mem, b.data, b.len);
        ok = l != NULL;
        rows[i] = (struct row){&t->jobs[i], l, false};
        by[i] = (struct by_labels){l, t->jobs[i].jid, i};
    }
    if (ok) {
        qsort(by, t->n, sizeof *by, cmp_labels);
        for (size_t i = 1; i < t->n; i++)
            rows[by[i].row].dup = strcmp(by[i].labels, by[i - 1].labels) == 0;
    }
    util_buf_free(&b);
    free(by);
    if (!ok) {
        free(rows);
        return NULL;
    }
    return rows;
}

static const struct jobtab_stats no_stats;

static const struct jobtab_stats *stats(const struct row *r)
{
    return r->j->stats != NULL ? r->j->stats : &no_stats;
}

static void sample(struct util_buf *b, const char *name, const struct row *r, const char *more)
{
    util_buf_printf(b, "%s{%s%s} ", name, r->labels, more != NULL ? more : "");
}

static uint64_t failures(const struct metrics_job *m)
{
    return m->runs[METRICS_FAILURE] + m->runs[METRICS_TIMEOUT] + m->runs[METRICS_KILLED]
           + m->runs[METRICS_ERROR];
}

/* A gauge of whole seconds since the epoch; 0 for never. */
static void epoch(struct util_buf *b, int64_t ms)
{
    util_buf_printf(b, "%" PRId64 "\n", ms > 0 ? ms / 1000 : 0);
}

static void go_crond_render(struct util_buf *b, const struct row *rows, size_t n)
{
    metrics_family(b, "gocrond_task_info", "gauge", "gocrond task info");
    for (size_t i = 0; i < n; i++)
        if (!rows[i].dup) {
            sample(b, "gocrond_task_info", &rows[i], NULL);
            util_buf_str(b, "1\n");
        }
    metrics_family(b, "gocrond_task_run_count", "counter", "gocrond task run count");
    for (size_t i = 0; i < n; i++)
        if (!rows[i].dup) {
            const struct metrics_job *m = &stats(&rows[i])->m;
            sample(b, "gocrond_task_run_count", &rows[i], ",result=\"success\"");
            util_buf_printf(b, "%" PRIu64 "\n", m->runs[METRICS_SUCCESS]);
            sample(b, "gocrond_task_run_count", &rows[i], ",result=\"error\"");
            util_buf_printf(b, "%" PRIu64 "\n", failures(m));
        }
    /* the last run's figures exist once a run ended, as in go-crond */
    metrics_family(b, "gocrond_task_run_result", "gauge", "gocrond task run result");
    for (size_t i = 0; i < n; i++)
        if (!rows[i].dup && stats(&rows[i])->last_exit_ms != 0) {
            const struct jobtab_stats *st = stats(&rows[i]);
            sample(b, "gocrond_task_run_result", &rows[i], NULL);
            bool ok = WIFEXITED(st->last_wstatus) && WEXITSTATUS(st->last_wstatus) == 0;
            util_buf_str(b, ok ? "1\n" : "0\n");
        }
    metrics_family(b, "gocrond_task_run_time", "gauge", "gocrond task last run time");
    for (size_t i = 0; i < n; i++)
        if (!rows[i].dup && stats(&rows[i])->last_exit_ms != 0) {
            sample(b, "gocrond_task_run_time", &rows[i], NULL);
            epoch(b, stats(&rows[i])->last_exit_ms);
        }
    metrics_family(b, "gocrond_task_run_duration", "gauge", "gocrond task last run duration");
    for (size_t i = 0; i < n; i++)
        if (!rows[i].dup && stats(&rows[i])->last_exit_ms != 0) {
            sample(b, "gocrond_task_run_duration", &rows[i], NULL);
            metrics_seconds(b, stats(&rows[i])->m.last_duration_ms);
            util_buf_add(b, "\n", 1);
        }
    metrics_family(b, "gocrond_task_run_next_time", "gauge", "gocrond task next run ts");
    for (size_t i = 0; i < n; i++)
        if (!rows[i].dup) {
            int64_t next = rows[i].j->sj.next_ms;
            sample(b, "gocrond_task_run_next_time", &rows[i], NULL);
            epoch(b, next == SCHED_NEVER ? 0 : next);
        }
    metrics_family(b, "gocrond_task_run_prev_time", "gauge", "gocrond task prev run ts");
    for (size_t i = 0; i < n; i++)
        if (!rows[i].dup) {
            sample(b, "gocrond_task_run_prev_time", &rows[i], NULL);
            epoch(b, stats(&rows[i])->last_start_ms);
        }
}

enum sc_counter { SC_EXECUTIONS, SC_SUCCESSES, SC_FAILURES, SC_DEADLINE };

static uint64_t sc_value(const struct metrics_job *m, enum sc_counter c)
{
    switch (c) {
    case SC_EXECUTIONS:
        return m->runs[METRICS_SUCCESS] + failures(m);
    case SC_SUCCESSES:
        return m->runs[METRICS_SUCCESS];
    case SC_FAILURES:
        return failures(m);
    case SC_DEADLINE:
        break;
    }
    return m->skips[METRICS_SKIP_RUNNING] + m->skips[METRICS_SKIP_QUEUE_FULL];
}

static void supercronic_render(struct util_buf *b, const struct row *rows, size_t n)
{
    static const struct {
        const char *name, *help;
    } counters[] = {
        [SC_EXECUTIONS] = {"supercronic_executions", "count of cron executions"},
        [SC_SUCCESSES] = {"supercronic_successful_executions", "count of successul cron executions"},
        [SC_FAILURES] = {"supercronic_failed_executions", "count of failed cron executions"},
        [SC_DEADLINE] = {"supercronic_deadline_exceeded",
                         "count of exceeded deadline cron executions"},
    };
    metrics_family(b, "supercronic_currently_running", "gauge",
                   "count of currently running cron executions");
    for (size_t i = 0; i < n; i++)
        if (!rows[i].dup) {
            sample(b, "supercronic_currently_running", &rows[i], NULL);
            util_buf_printf(b, "%u\n", (unsigned)rows[i].j->sj.running);
        }
    for (size_t c = 0; c < UTIL_COUNT_OF(counters); c++) {
        metrics_family(b, counters[c].name, "counter", counters[c].help);
        for (size_t i = 0; i < n; i++)
            if (!rows[i].dup) {
                sample(b, counters[c].name, &rows[i], NULL);
                util_buf_printf(b, "%" PRIu64 "\n",
                                sc_value(&stats(&rows[i])->m, (enum sc_counter)c));
            }
    }
    const char *h = "supercronic_cron_execution_time_seconds";
    metrics_family(b, h, "histogram", "duration of the cron executions");
    for (size_t i = 0; i < n; i++) {
        if (rows[i].dup)
            continue;
        const struct metrics_job *m = &stats(&rows[i])->m;
        uint64_t cum = 0;
        for (size_t k = 0; k < METRICS_PEER_NBUCKETS; k++) {
            cum += m->peer_le[k];
            util_buf_printf(b, "%s_bucket{%s,le=\"", h, rows[i].labels);
            metrics_seconds(b, metrics_peer_bucket_ms[k]);
            util_buf_printf(b, "\"} %" PRIu64 "\n", cum);
        }
        util_buf_printf(b, "%s_bucket{%s,le=\"+Inf\"} %" PRIu64 "\n", h, rows[i].labels, m->count);
        util_buf_printf(b, "%s_sum{%s} ", h, rows[i].labels);
        metrics_seconds(b, m->sum_ms);
        util_buf_printf(b, "\n%s_count{%s} %" PRIu64 "\n", h, rows[i].labels, m->count);
    }
}

int peermetrics_render(struct util_buf *out, const struct jobtab *t, enum compat_personality p,
                       const char *self_name)
{
    if (p == COMPAT_NONE)
        return 0;
    struct util_arena mem = {0};
    struct row *rows = rows_make(t, p, self_name, &mem);
    if (rows == NULL)
        out->oom = true;
    else if (p == COMPAT_GO_CROND)
        go_crond_render(out, rows, t->n);
    else
        supercronic_render(out, rows, t->n);
    free(rows);
    util_arena_free(&mem);
    return out->oom ? -1 : 0;
}
