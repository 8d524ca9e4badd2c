/* jobtab: the table of scheduled jobs, and the reload as one transaction
 * (OpenBSD cron's database.c is the model). Pure: it knows loader results,
 * jobs and times; not files, processes or libev.
 *
 * jobtab_apply takes a new loader result and "now" and builds the next
 * table:
 * - a file with errors keeps its old jobs (its old load stays alive for
 *   them); the other files' jobs come from the new result;
 * - a new job that is "the same" as an old one (same file, schedule, user,
 *   command, input, shell, zone and environment; not the line number) is
 *   kept: same jid, next due time, running and queued state, last result;
 * - any other new job is added, planned from now; old jobs matched by
 *   nothing are removed.
 * A running process refers to its job by jid, never by pointer: after a
 * reload jobtab_find gives the kept job, or NULL for a removed one, and
 * nothing has to be re-pointed. Pointers to jobs are valid until the next
 * jobtab_apply.
 */
#ifndef CROND_JOBTAB_H
#define CROND_JOBTAB_H

#include <stddef.h>
#include <stdint.h>

#include "crond/loader.h"
#include "crond/metrics.h"
#include "crond/sched.h"

struct jobtab_load;

/* What a job's runs left behind; allocated at its first run (or skip, or
 * failed start), so an idle job costs nothing here. A reload hands it on to
 * the job it keeps (a changed line is a new job: it starts from nothing). */
struct jobtab_stats {
    int64_t last_start_ms;         /* 0 when never started */
    int64_t last_exit_ms;          /* 0 when no run ended yet */
    int last_wstatus;              /* wait status of the last run */
    struct metrics_job m;          /* its counters (metrics.h) */
};

/* One scheduled job (64 bytes: there may be 100,000). */
struct jobtab_job {
    uint64_t jid;                  /* stable id; never 0, never reused */
    struct sched_job sj;           /* due time, overlap, running count */
    const struct loader_job *lj;   /* entry, zone, user, file (in its load) */
    struct jobtab_stats *stats;    /* or NULL: never ran (jobtab_stats_of) */
};

struct jobtab {
    struct jobtab_job *jobs;       /* ordered by jid: first loaded first */
    size_t n;
    struct jobtab_load *loads;     /* loader results jobs point into */
    struct sched sched;            /* the jobs in due order */
    uint64_t last_jid;
    enum overlap_policy overlap;   /* for jobs without a policy of their own */
};

/* What a jobtab_apply did. */
struct jobtab_diff {
    size_t added;
    size_t removed;
    size_t kept;
    size_t invalid_kept;           /* old jobs kept because their file is now invalid */
};

/* An empty table. origin_ms: the daemon's start (@reboot, @every). */
void jobtab_init(struct jobtab *t, int64_t origin_ms, enum overlap_policy overlap);
void jobtab_free(struct jobtab *t);

/* Makes r the table's new load (see above). r is taken in every case (its
 * contents are moved; *r is left empty). Returns 0, or -1 when out of
 * memory: then the table is as it was. */
int jobtab_apply(struct jobtab *t, struct loader_result *r, int64_t now_ms,
                 struct jobtab_diff *out);

/* The job with jid, or NULL (removed by a reload). O(log n). */
struct jobtab_job *jobtab_find(const struct jobtab *t, uint64_t jid);
/* The job a sched_job of t's scheduler belongs to. */
struct jobtab_job *jobtab_job_of(struct sched_job *sj);
/* The path of the file the job was read from. */
const char *jobtab_path(const struct jobtab_job *j);
/* The job's stats, allocated now if it has none; NULL when out of memory. */
struct jobtab_stats *jobtab_stats_of(struct jobtab_job *j);

#endif
