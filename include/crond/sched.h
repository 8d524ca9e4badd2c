/* sched: the scheduler. Jobs, their due times and the overlap policy, with
 * the clock injected (every call takes "now"): it knows jobs and times, not
 * processes. The daemon asks when the earliest job is due, sleeps until
 * then, and calls sched_run_due, which decides per due job to start it, skip
 * it or queue it, and computes its next due time with the calendar.
 *
 * Times are UTC milliseconds. Calendar schedules are due at whole seconds.
 */
#ifndef CROND_SCHED_H
#define CROND_SCHED_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "crond/cronspec.h"

struct zone;

/* What happens when a job is due while its last run still runs. */
enum overlap_policy {
    OVERLAP_SKIP,   /* log job.skip */
    OVERLAP_ALLOW,  /* start another run */
    OVERLAP_QUEUE,  /* start when the last run ends (at most one waits) */
};
/* "skip", "allow", "queue" (case-insensitive; _from: -1 for others). */
const char *sched_overlap_name(enum overlap_policy p);
int sched_overlap_from(const char *s);

#define SCHED_NEVER INT64_MAX

/* One job as the scheduler sees it (40 bytes: there may be 100,000). */
struct sched_job {
    const struct cronspec *spec;  /* owned by the caller */
    const struct zone *zone;      /* owned by the caller */
    int64_t next_ms;              /* next due time, SCHED_NEVER when none */
    int64_t due_ms;               /* the due time of the run started or queued
                                   * last (CROND_LITE_DUE): read it when acting
                                   * on SCHED_START, next_ms has moved on */
    uint32_t heap_pos;            /* position in the due heap (internal) */
    uint16_t running;             /* runs started and not yet exited */
    uint8_t overlap;              /* enum overlap_policy */
    bool queued;                  /* a run waits for the current one (queue) */
};

enum sched_action {
    SCHED_START,        /* start a run now */
    SCHED_SKIP,         /* due while running, policy skip: log job.skip */
    SCHED_QUEUE,        /* due while running, policy queue: will start later */
    SCHED_QUEUE_FULL,   /* due while one run already waits: dropped */
};

typedef void (*sched_action_fn)(void *ctx, struct sched_job *job, enum sched_action action);

struct sched {
    struct sched_job **heap;  /* min-heap on next_ms */
    size_t n;
    size_t cap;
    int64_t origin_ms;        /* daemon start: origin of @every, time of @reboot */
    int64_t (*clock)(void);   /* the current time, or NULL (see sched_set_clock) */
};

void sched_init(struct sched *s, int64_t origin_ms);
/* Starting a burst takes time: with a clock, a job handled by
 * sched_run_due(_max) gets its next due time after the clock's time when it
 * is handled, if that is later than the now_ms given (a job started late,
 * past its next due time, would otherwise be due again at once). */
void sched_set_clock(struct sched *s, int64_t (*clock)(void));
void sched_free(struct sched *s);

/* Adds a job and computes its first due time after now_ms (@reboot: due at
 * once, a single time; @every: origin + k * interval). Returns 0 or -1 (out of
 * memory). The job struct stays owned by the caller and must outlive its
 * membership. */
int sched_add(struct sched *s, struct sched_job *job, int64_t now_ms);
/* Computes a job's first due time after now_ms as sched_add does, without
 * adding it. */
void sched_plan(const struct sched *s, struct sched_job *job, int64_t now_ms);
/* Adds a job keeping the next_ms it already has (a job kept by a reload).
 * Returns 0 or -1 (out of memory). */
int sched_insert(struct sched *s, struct sched_job *job);
/* Removes a job (it is no longer scheduled; its runs are the caller's). */
void sched_remove(struct sched *s, struct sched_job *job);

/* The earliest due time, SCHED_NEVER when nothing is due ever. */
int64_t sched_next_due(const struct sched *s);

/* Handles every job due at or before now_ms, calling act for each decision,
 * then moves each to its next due time. A job that was due several times
 * while the daemon could not run (it was late) runs once. Starting a run is
 * the caller's business: it calls sched_started when it did. */
void sched_run_due(struct sched *s, int64_t now_ms, sched_action_fn act, void *ctx);
/* The same for at most max jobs; returns true when more are due at now_ms
 * (the daemon starts a burst in slices, so that a signal is seen between
 * them). */
bool sched_run_due_max(struct sched *s, int64_t now_ms, size_t max, sched_action_fn act,
                       void *ctx);

/* Plans jobs again from now_ms (a job due in the current second is due at
 * once). all: every job (the clock jumped too far to trust the old plan);
 * otherwise only wildcard jobs already due, so a forward clock step runs
 * each fixed-time job that was due in the skipped interval once and lets
 * wildcard jobs follow the new wall clock (DESIGN.md section 3). */
void sched_replan(struct sched *s, int64_t now_ms, bool all);

/* A step of the wall clock, measured against the monotonic clock (suspend,
 * NTP, an operator), as a named class: the policy of DESIGN.md section 3
 * (OpenBSD cron's enum timejump is the model). A DST change is no step:
 * UTC does not move. */
enum sched_jump {
    SCHED_JUMP_NONE,      /* under a second: drift or NTP slewing, not a step */
    SCHED_JUMP_FORWARD,   /* forward, under 3 h: catch up what was skipped */
    SCHED_JUMP_BACKWARD,  /* backward, under 3 h: wait; nothing runs twice */
    SCHED_JUMP_LARGE,     /* 3 h or more either way: take the new time */
};
#define SCHED_JUMP_MIN_MS 1000LL
#define SCHED_JUMP_TRUST_MS (3LL * 3600 * 1000)

enum sched_jump sched_jump_classify(int64_t step_ms);
/* The action's name in daemon.clock records: "none", "catch-up", "wait",
 * "replan". */
const char *sched_jump_action(enum sched_jump j);
/* Acts on a jump seen at now_ms: FORWARD plans the wildcard jobs that are
 * overdue from now, so that each fixed-time job due in the skipped interval
 * runs once (at the next sched_run_due); BACKWARD keeps every next time;
 * LARGE plans every job from now (sched_replan). */
void sched_jump(struct sched *s, enum sched_jump j, int64_t now_ms);

/* The caller started a run of job (after SCHED_START) / a run ended. When a
 * run ends and another waits (queue), act is called with SCHED_START. */
void sched_started(struct sched_job *job);
void sched_exited(struct sched_job *job, sched_action_fn act, void *ctx);

#endif
