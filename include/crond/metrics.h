/* metrics: what the jobs' runs left behind as counters, and the Prometheus
 * exposition of them (DESIGN.md section 10; text format 0.0.4).
 *
 * Two halves, both without a clock:
 * - counting: small functions the daemon calls where a run ends, a run is
 *   skipped, a job's line is relayed or a reload is done. A job's counters
 *   live in its jobtab_stats (jobtab.h), which a reload hands on to the job
 *   it keeps: a kept job keeps its counters, a changed line starts from 0.
 *   Every function takes the stats as jobtab_stats_of gives them and does
 *   nothing with NULL (out of memory: a count is lost, nothing else);
 * - rendering: metrics_render writes the whole exposition from the table,
 *   the daemon's own counters and the process figures into a util_buf.
 *   Pure: metrics_process_read is the one function here with I/O (/proc).
 *
 * Label values are the job's id (cron_job) and its schedule, never its
 * command (secrets, cardinality). Every job is in every per-job family, with
 * 0 before its first run, so alerts can be written before it ever ran.
 */
#ifndef CROND_METRICS_H
#define CROND_METRICS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct jobtab;
struct jobtab_stats;
struct util_buf;

/* How a run ended: crond_lite_job_runs_total{result}. */
enum metrics_result {
    METRICS_SUCCESS,  /* exit status 0 */
    METRICS_FAILURE,  /* another exit status */
    METRICS_TIMEOUT,  /* ended after its timeout's SIGTERM, however it ended */
    METRICS_KILLED,   /* ended by a signal otherwise (a stop's SIGTERM too) */
    METRICS_ERROR,    /* could not start (job.error): no duration */
};
#define METRICS_NRESULTS 5

/* Why a due run did not start: crond_lite_job_skips_total{reason}; one per
 * reason of job.skip records. */
enum metrics_skip {
    METRICS_SKIP_RUNNING,     /* "running": its last run still runs (skip) */
    METRICS_SKIP_QUEUE_FULL,  /* "queue_full": and one run already waits (queue) */
    METRICS_SKIP_CLAIMED,     /* "claimed": another replica claimed the run (--claim) */
    METRICS_SKIP_GUARD,       /* "guard": --guard exited 1 */
};
#define METRICS_NSKIPS 4

/* The upper bounds of crond_lite_job_duration_seconds, in milliseconds:
 * 0.1 0.5 1 5 10 30 60 300 900 1800 3600 s, then +Inf. */
#define METRICS_NBUCKETS 11
extern const int64_t metrics_bucket_ms[METRICS_NBUCKETS];

/* supercronic's histogram (its personality's families, peermetrics.h):
 * 10 30 60 120 300 600 1800 3600 s, then +Inf. */
#define METRICS_PEER_NBUCKETS 8
extern const int64_t metrics_peer_bucket_ms[METRICS_PEER_NBUCKETS];

/* A job's counters (in its jobtab_stats). */
struct metrics_job {
    uint64_t runs[METRICS_NRESULTS];
    uint64_t skips[METRICS_NSKIPS];
    uint64_t le[METRICS_NBUCKETS];  /* runs that took at most bucket i, more than i - 1 */
    uint64_t count;                 /* runs with a duration (all but error) */
    int64_t sum_ms;                 /* their durations */
    int64_t last_success_ms;        /* when the last success ended; 0: never */
    int64_t last_duration_ms;       /* of the last run with a duration */
    uint64_t peer_le[METRICS_PEER_NBUCKETS]; /* as le, in supercronic's buckets */
    uint64_t lines[2];              /* lines relayed from stdout, stderr */
};

/* The daemon's own counters. */
enum metrics_reload { METRICS_RELOAD_SUCCESS, METRICS_RELOAD_FAILURE };
struct metrics_daemon {
    uint64_t reloads[2];            /* by enum metrics_reload */
    size_t config_problems;         /* errors in the configuration now */
};

/* The process_* figures (metrics_process_read). */
struct metrics_process {
    double cpu_seconds;             /* user + system */
    uint64_t resident_bytes;
    uint64_t virtual_bytes;
    uint64_t open_fds;
    uint64_t max_fds;               /* soft RLIMIT_NOFILE */
    double start_time_seconds;      /* since the epoch */
};

/* ------------------------------------------------------------------------ */
/* Counting                                                                 */
/* ------------------------------------------------------------------------ */

/* The result of a run from its wait status; timed_out: its timeout sent the
 * SIGTERM (proc.timed_out). */
enum metrics_result metrics_result_of(int wstatus, bool timed_out);
/* A run ended (or, METRICS_ERROR, could not start) at now_ms after
 * duration_ms (a negative one, from a wall clock step, counts as 0). */
void metrics_run_ended(struct jobtab_stats *st, enum metrics_result result, int64_t duration_ms,
                       int64_t now_ms);
void metrics_skipped(struct jobtab_stats *st, enum metrics_skip reason);
/* A line (or a piece of a long one) of stream 0 (stdout) or 1 (stderr). */
void metrics_output_line(struct jobtab_stats *st, int stream);

/* A reload: counted says its load did not run out of memory, so nerrors
 * (its errors; warnings are not errors) is what the configuration has now;
 * applied says the table took it. It failed unless applied with no error
 * (a file with errors keeps its old jobs: a failure). */
void metrics_reloaded(struct metrics_daemon *m, bool counted, size_t nerrors, bool applied);

/* ------------------------------------------------------------------------ */
/* Rendering                                                                */
/* ------------------------------------------------------------------------ */

/* Appends the exposition (text format 0.0.4, every line ended with "\n"):
 * the per-job families for every job of t, the daemon's, and the process_*
 * families when pr is not NULL. Returns 0, or -1 when out of memory (then
 * out->oom is set and out is cut short). */
int metrics_render(struct util_buf *out, const struct jobtab *t, const struct metrics_daemon *m,
                   const struct metrics_process *pr);

/* Appends s as a label value: \ " and newline escaped. */
void metrics_label_value(struct util_buf *out, const char *s);
/* Appends "# HELP name help" and "# TYPE name type" lines. */
void metrics_family(struct util_buf *out, const char *name, const char *type, const char *help);
/* Appends ms as seconds in the shortest exact form (1.5, 0.25, 3600). */
void metrics_seconds(struct util_buf *out, int64_t ms);

/* ------------------------------------------------------------------------ */
/* The process                                                              */
/* ------------------------------------------------------------------------ */

/* The figures of /proc/self/stat's text (the fields after the command
 * name), given the clock ticks a second, the page size and the boot time
 * (/proc/stat's btime). Returns 0, or -1 when the text is not such a line. */
int metrics_parse_stat(const char *stat, long ticks, long page, int64_t btime,
                       struct metrics_process *out);
/* Reads /proc/self/stat, /proc/stat (btime), /proc/self/fd and
 * RLIMIT_NOFILE. Returns 0, or -1 when any of them cannot be read (no
 * /proc): then the exposition has no process_* families. */
int metrics_process_read(struct metrics_process *out);

#endif
