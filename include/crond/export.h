/* export: --export kubernetes (DESIGN.md section 11): one batch/v1 CronJob
 * manifest per job, for jobs that should move to the cluster. Pure: from
 * loaded jobs to YAML text.
 *
 * Each manifest: metadata.name from the job's id (DNS-1123, at most 52
 * characters, made unique), the schedule (five fields or a macro), timeZone
 * (the job's CRON_TZ or the default zone), concurrencyPolicy from the
 * overlap policy (skip: Forbid; allow: Allow; queue: Forbid, with a comment:
 * a CronJob has no queue), activeDeadlineSeconds from the job's timeout,
 * the command as SHELL -c COMMAND, the crontab's variables as env, a
 * non-root, read-only, no-privilege security context and restartPolicy:
 * Never. Strings are YAML double-quoted (JSON escapes), so any command
 * survives.
 *
 * A job a CronJob cannot express is refused, with its reason: a seconds
 * field, @reboot, @every, a year field, L, W, # and last-weekday items,
 * cronie's random '~' items and RANDOM_DELAY, and stdin text (%).
 */
#ifndef CROND_EXPORT_H
#define CROND_EXPORT_H

#include <stddef.h>

#include "crond/loader.h"
#include "crond/sched.h"

struct util_buf;

struct export_opts {
    const char *image;              /* the containers' image */
    const char *shell;              /* --shell: the default SHELL */
    enum overlap_policy overlap;    /* --overlap: jobs without their own */
    const char *default_zone;       /* the zone of jobs without CRON_TZ (a tz name) */
};

#define EXPORT_DEFAULT_IMAGE "debian:bookworm-slim"

/* Appends the manifests of r's jobs to out ("---" between them) and one
 * line per refused job to refused ("ID: not exported: REASON\n"). Returns
 * the number refused, or -1 when out of memory. */
int export_kubernetes(const struct loader_result *r, const struct export_opts *o,
                      struct util_buf *out, struct util_buf *refused);

/* Why j cannot be a CronJob, or NULL when it can. */
const char *export_refusal(const struct loader_job *j);

#endif
