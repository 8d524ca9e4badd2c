/* report: the daemon's records about itself and its jobs (see report.h). */
#include "crond/report.h"

#include <stdarg.h>
#include <stdio.h>
#include <sys/wait.h>

#include "crond/diag.h"
#include "crond/jobtab.h"
#include "crond/proc.h"
#include "crond/timefmt.h"
#include "crond/user.h"
#include "crond/zone.h"

/* A due time as local ISO-8601 of its zone, or "none". */
static void put_time(struct log *l, const char *key, int64_t t_ms, const struct zone *z)
{
    char iso[TIMEFMT_ISO_LEN];
    if (t_ms == SCHED_NEVER) {
        log_str(l, key, "none");
        return;
    }
    timefmt_iso(t_ms / 1000, z, iso, sizeof iso);
    log_str(l, key, iso);
}

void report_diags(struct log *l, int64_t now_ms, const struct diag_list *diags)
{
    for (size_t i = 0; i < diags->n; i++) {
        const struct diag *g = &diags->items[i];
        enum log_level level = g->severity == DIAG_ERROR     ? LOG_LEVEL_ERROR
                               : g->severity == DIAG_WARNING ? LOG_LEVEL_WARN
                                                             : LOG_LEVEL_DEBUG;
        log_begin(l, now_ms, level, "config.error");
        log_str(l, "file", g->file);
        log_int(l, "line", g->line);
        log_int(l, "col", g->col);
        log_str(l, "msg", g->msg);
        log_end(l);
    }
}

void report_error(struct log *l, int64_t now_ms, enum log_level level, const char *fmt, ...)
{
    char msg[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    log_begin(l, now_ms, level, "daemon.error");
    log_str(l, "msg", msg);
    log_end(l);
}

void report_start(struct log *l, int64_t now_ms, const char *const *paths, size_t npaths,
                  const struct jobtab *t, const struct user *self, const struct zone *zone)
{
    char files[1024] = "";
    size_t used = 0;
    for (size_t i = 0; i < npaths && used < sizeof files; i++)
        used += (size_t)snprintf(files + used, sizeof files - used, "%s%s", i ? " " : "",
                                 paths[i]);
    log_begin(l, now_ms, LOG_LEVEL_INFO, "daemon.start");
    log_str(l, "version", CROND_VERSION);
    log_str(l, "files", files);
    log_int(l, "jobs", (int64_t)t->n);
    log_str(l, "user", self->name);
    log_int(l, "uid", (int64_t)self->uid);
    log_str(l, "zone", zone_name(zone));
    put_time(l, "next", sched_next_due(&t->sched), zone);
    log_end(l);
}

void report_reload(struct log *l, int64_t now_ms, const struct jobtab *t,
                   const struct jobtab_diff *diff, size_t nerrors, int64_t duration_us)
{
    if (diff == NULL) {
        log_begin(l, now_ms, LOG_LEVEL_ERROR, "daemon.reload");
        log_str(l, "status", "failed");
        log_str(l, "msg", "out of memory: the previous jobs stay");
        log_end(l);
        return;
    }
    log_begin(l, now_ms, nerrors > 0 ? LOG_LEVEL_WARN : LOG_LEVEL_INFO, "daemon.reload");
    log_int(l, "jobs", (int64_t)t->n);
    log_int(l, "added", (int64_t)diff->added);
    log_int(l, "removed", (int64_t)diff->removed);
    log_int(l, "kept", (int64_t)diff->kept);
    if (nerrors > 0)
        log_int(l, "invalid_kept", (int64_t)diff->invalid_kept);
    log_int(l, "duration_us", duration_us);
    log_end(l);
}

void report_clock(struct log *l, int64_t now_ms, int64_t step_ms, const char *action)
{
    log_begin(l, now_ms, LOG_LEVEL_WARN, "daemon.clock");
    log_int(l, "step_ms", step_ms);
    log_str(l, "action", action);
    log_end(l);
}

void report_stop(struct log *l, int64_t now_ms, const char *why, size_t running)
{
    log_begin(l, now_ms, LOG_LEVEL_INFO, "daemon.stop");
    log_str(l, "signal", why);
    log_int(l, "running", (int64_t)running);
    log_end(l);
}

void report_root_jobs(struct log *l, int64_t now_ms, const struct jobtab *t)
{
    char ids[512] = "", msg[768];
    size_t n = 0, used = 0;
    const struct jobtab_job *first = NULL;
    for (size_t i = 0; i < t->n; i++) {
        const struct jobtab_job *j = &t->jobs[i];
        if (j->lj->user != NULL)
            continue;
        first = first != NULL ? first : j;
        if (++n <= 5) {
            char id[LOADER_ID_MAX];
            used += (size_t)snprintf(ids + used, sizeof ids - used, "%s%s", n > 1 ? " " : "",
                                     loader_job_id(j->lj, id, sizeof id));
        }
    }
    if (first == NULL)
        return;
    snprintf(msg, sizeof msg, "%zu job%s run as root: %s%s (use --user, --system or per-user "
             "crontab files)", n, n == 1 ? "" : "s", ids, n > 5 ? " ..." : "");
    log_begin(l, now_ms, LOG_LEVEL_WARN, "config.error");
    log_str(l, "file", jobtab_path(first));
    log_int(l, "line", first->lj->entry->line);
    log_int(l, "col", first->lj->entry->col);
    log_str(l, "msg", msg);
    log_end(l);
}

void report_status(struct log *l, int64_t now_ms, const struct jobtab_job *j, const char *pids)
{
    char id[LOADER_ID_MAX];
    const struct jobtab_stats *st = j->stats;
    log_begin(l, now_ms, LOG_LEVEL_INFO, "job.status");
    log_str(l, "job", loader_job_id(j->lj, id, sizeof id));
    log_str(l, "schedule", j->lj->entry->schedule);
    log_str(l, "zone", zone_name(j->lj->zone));
    put_time(l, "next", j->sj.next_ms, j->lj->zone);
    log_str(l, "pids", pids);
    if (st != NULL && st->last_exit_ms != 0) {
        if (WIFSIGNALED(st->last_wstatus))
            log_str(l, "last_signal", proc_signal_name(WTERMSIG(st->last_wstatus)));
        else
            log_int(l, "last_status", WEXITSTATUS(st->last_wstatus));
        put_time(l, "last_exit", st->last_exit_ms, j->lj->zone);
    }
    log_end(l);
}

void report_job(struct log *l, int64_t now_ms, enum log_level level, const char *event,
                const struct jobtab_job *j, const char *key, const char *value)
{
    char id[LOADER_ID_MAX];
    log_begin(l, now_ms, level, event);
    log_str(l, "job", loader_job_id(j->lj, id, sizeof id));
    log_str(l, key, value);
    log_end(l);
}
