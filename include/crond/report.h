/* report: the records the daemon writes about itself and its job table
 * (DESIGN.md section 7): daemon.start, daemon.reload, daemon.error,
 * config.error, job.status, job.skip, job.error. The records of a running
 * process (job.start, job.output, job.exit, job.kill) are proc's. Each
 * function writes one record (or one per item) through log; times are
 * given, not read.
 */
#ifndef CROND_REPORT_H
#define CROND_REPORT_H

#include <stddef.h>
#include <stdint.h>

#include "crond/log.h"

struct diag_list;
struct jobtab;
struct jobtab_diff;
struct jobtab_job;
struct user;
struct zone;

/* One config.error record per diagnostic, level error or warn. */
void report_diags(struct log *l, int64_t now_ms, const struct diag_list *diags);

/* daemon.error: what crond-lite itself could not do (a watch, a timerfd,
 * starting at all), in the format the user chose. */
void report_error(struct log *l, int64_t now_ms, enum log_level level, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/* daemon.start: version, the crontab paths, the jobs, whom it runs as, the
 * default zone and the first due time. */
void report_start(struct log *l, int64_t now_ms, const char *const *paths, size_t npaths,
                  const struct jobtab *t, const struct user *self, const struct zone *zone);

/* daemon.reload after a jobtab_apply (invalid_kept only when the load had
 * errors), or with status=failed and msg when diff is NULL. */
void report_reload(struct log *l, int64_t now_ms, const struct jobtab *t,
                   const struct jobtab_diff *diff, size_t nerrors, int64_t duration_us);

/* daemon.clock: the wall clock stepped by step_ms; action says what the
 * scheduler does about it (sched_jump_action). */
void report_clock(struct log *l, int64_t now_ms, int64_t step_ms, const char *action);

/* daemon.stop: why (the signal's name, or "output") and how many runs were
 * still alive. */
void report_stop(struct log *l, int64_t now_ms, const char *why, size_t running);

/* As root, the jobs that still run as root, said once at start: one
 * config.error warning naming the first five, not one per job. */
void report_root_jobs(struct log *l, int64_t now_ms, const struct jobtab *t);

/* job.status (SIGUSR1): schedule, zone, next time, the running pids (a
 * blank-separated list), the last result. */
void report_status(struct log *l, int64_t now_ms, const struct jobtab_job *j, const char *pids);

/* A record of event about job j with one more field (job.skip's reason,
 * job.error's msg). */
void report_job(struct log *l, int64_t now_ms, enum log_level level, const char *event,
                const struct jobtab_job *j, const char *key, const char *value);

#endif
