/* hook: --on-failure and --on-success (DESIGN.md section 10). Pure: which
 * hook follows the end of a run, and everything proc_spawn needs to run it;
 * no I/O, no clock, no processes, no libev.
 *
 * A run fails when it exits non-zero, a signal ends it, its timeout ends it
 * (whatever its exit), or it cannot start (job.error); it succeeds when it
 * exits 0. Then the job's own INI on_failure / on_success runs, else the
 * daemon's (an empty own key: none for this job), as
 * `SHELL -c CMD` with the job's shell, user and environment, its id
 * JOB!on-failure or JOB!on-success, stdin /dev/null, the job's timeout if
 * it has one (else none), in the user's home: not in the job's INI workdir,
 * as a missing workdir, a common reason a run cannot start, would stop its
 * hook too. These variables win over the job's environment:
 *
 *   CROND_LITE_JOB          the job's id, as in the run's records
 *   CROND_LITE_DUE          the due time the run was for, RFC 3339 UTC to the
 *                           second (2026-12-06T23:00:05Z)
 *   CROND_LITE_STATUS       its exit code, when it exited
 *   CROND_LITE_SIGNAL       the signal that ended it (SIGTERM...), when one did
 *   CROND_LITE_ERROR        why it could not start, when it could not
 *   CROND_LITE_DURATION_MS  its start to its exit (0 when it did not start)
 *   CROND_LITE_OUTPUT       its last 4 KiB of output (relay_tail_text; empty
 *                           when it did not start)
 *
 * Exactly one of STATUS, SIGNAL and ERROR is set: the other two are removed
 * from what the hook would inherit (hook_environ, the crontab's variables).
 *
 * The daemon runs a hook as a run of no job (jid 0), through a proc_host
 * whose exited and failed are NULL: a hook's end never starts a hook, and
 * a hook is no run of its job (overlap does not count it).
 */
#ifndef CROND_HOOK_H
#define CROND_HOOK_H

#include <stdbool.h>
#include <stdint.h>

#include "crond/crontab.h"
#include "crond/loader.h"
#include "crond/proc.h"
#include "crond/relay.h"

enum hook_kind {
    HOOK_NONE,     /* no hook follows the run */
    HOOK_FAILURE,  /* on_failure */
    HOOK_SUCCESS,  /* on_success */
};

/* The daemon's hooks (--on-failure, --on-success); NULL or "": none. */
struct hook_cmds {
    const char *on_failure;
    const char *on_success;
};

/* How a run ended, as its hook sees it. */
struct hook_result {
    const char *id;                   /* the job's id when the run started */
    int64_t due_ms;                   /* the due time it ran for (UTC ms) */
    const char *run;                  /* its CROND_LITE_RUN ("" when none) */
    int64_t duration_ms;              /* start to exit; 0 when it did not start */
    int wstatus;                      /* its wait status (when error is NULL) */
    bool timed_out;                   /* its timeout ended it */
    const char *error;                /* it could not start: why; else NULL */
    const struct relay_tail *output;  /* its last output, or NULL: none kept */
    bool hook;                        /* it was a hook: nothing follows it */
};

/* The result of p, whose process exited (a run of no job, jid 0, is a
 * hook's). */
void hook_result_of(const struct proc *p, struct hook_result *out);
/* The result of a run of job that could not start, for the reason msg. */
void hook_result_failed(const struct proc_job *job, const char *msg, struct hook_result *out);

bool hook_failed(const struct hook_result *r);
/* Is any hook set for lj, so that its runs keep their last output? */
bool hook_wanted(const struct loader_job *lj, const struct hook_cmds *daemon);
/* Which hook follows r, a run of lj, with its command in *out_cmd (the
 * job's own when it has the key, else the daemon's); HOOK_NONE (and NULL)
 * when none is set for that outcome, or r was a hook. */
enum hook_kind hook_pick(const struct hook_result *r, const struct loader_job *lj,
                         const struct hook_cmds *daemon, const char **out_cmd);

#define HOOK_ID_MAX (LOADER_ID_MAX + 16) /* JOB!on-failure */
#define HOOK_NVARS 6                     /* variables a hook gets */

/* A hook ready for proc_spawn(&run, host, &s.job, now). It points into
 * itself: do not copy it. */
struct hook_spawn {
    struct proc_job job;          /* jid 0, id, entry, the job's user and timeout */
    struct crontab_entry entry;   /* the hook's command; no input */
    struct crontab_env env;       /* the job's SHELL and variables, then vars */
    char *vars[HOOK_NVARS];       /* the hook's "NAME=VALUE" (owned) */
    char *cmd;                    /* the command (owned) */
    char id[HOOK_ID_MAX];         /* JOB!on-failure or JOB!on-success */
};

/* The hook that follows r, a run of lj (see hook_pick). Returns 1 with out
 * filled (it points into lj and daemon: spawn it before they change, then
 * hook_spawn_free it), 0 when no hook follows, -1 when out of memory. */
int hook_prepare(const struct hook_result *r, const struct loader_job *lj,
                 const struct hook_cmds *daemon, struct hook_spawn *out);
void hook_spawn_free(struct hook_spawn *s);

/* A guard (--guard CMD, DESIGN.md section 11) of the run `run` of lj, as a
 * hook is made: id JOB!guard, the job's user, SHELL and variables, then
 * CROND_LITE_JOB, CROND_LITE_DUE and CROND_LITE_RUN of the run it guards;
 * its jid is the job's, so that its exit finds the run; its timeout is
 * timeout_ms. Returns 0, or -1 when out of memory. */
#define HOOK_GUARD_SUFFIX "!guard"
int hook_prepare_guard(const char *cmd, const struct proc_job *run, const struct loader_job *lj,
                       int64_t timeout_ms, struct hook_spawn *out);

/* The variables of environ_ ("NAME=VALUE", NULL-terminated) that a hook
 * inherits: all but those named above. A copy of the pointers, not the
 * strings: free() it. NULL when environ_ is NULL or out of memory. */
char **hook_environ(char *const *environ_);

#endif
