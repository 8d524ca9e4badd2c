/* daemon: the loop glue (see daemon.h). With httpd.c, runs.c and claim.c,
 * the only files that include <ev.h>.
 *
 * It owns the watchers and wires each to a module: the wake-up timer to
 * sched (through jobtab), a job's child/io/timer watchers to proc, inotify
 * to watch and jobtab, signals to reload, status and stop; --listen's
 * server (httpd, which owns its own watchers) to the answers of /healthz,
 * /readyz and /metrics. The decisions are the modules'; what is here is
 * when to ask them.
 *
 * A running job is a proc with its watchers, kept in step by runs.c.
 * Children are reaped by libev's SIGCHLD handler with
 * waitpid(-1), which also collects orphans re-parented to us (PID 1 or
 * child subreaper); one catch-all child watcher sees those too, so a stop
 * can wait until no child at all is left.
 */
#include "crond/daemon.h"

#include <errno.h>
#ifdef __GLIBC__
#include <malloc.h>
#endif
#include <ev.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "crond/hook.h"
#include "crond/claim.h"
#include "crond/endpoint.h"
#include "crond/gate.h"
#include "crond/jobtab.h"
#include "crond/loader.h"
#include "crond/log.h"
#include "crond/metrics.h"
#include "crond/options.h"
#include "crond/proc.h"
#include "crond/report.h"
#include "crond/runs.h"
#include "crond/user.h"
#include "crond/util.h"
#include "crond/watch.h"

#define container_of(ptr, type, member) ((type *)(void *)((char *)(ptr) - offsetof(type, member)))

#define READ_CHUNK 65536     /* one read of a job's pipe */
#define LOG_BATCH 65536      /* records written together, at most */
/* Jobs started per wake-up: a burst of due jobs is started in slices of
 * this many (about 80 ms each), returning to the event loop between them so
 * that SIGTERM stops a burst of 1,000 at once, not after it. */
#define START_SLICE 64
/* Editors and kubelet make several changes in a row: reload once they stop. */
#define SETTLE_SECONDS 0.2
/* After the grace's SIGKILL: how long the last children get to be reaped,
 * and how often orphans re-parented meanwhile are killed. */
#define REAP_SECONDS 0.5
#define REAP_TICK_SECONDS 0.02


/* ------------------------------------------------------------------------ */
/* State                                                                    */
/* ------------------------------------------------------------------------ */

struct crond {
    struct ev_loop *loop;
    const struct daemon_cfg *cfg;
    const struct options *opts;
    struct log *log;
    struct jobtab tab;            /* the jobs and their due order */
    struct proc_host host;        /* what every run shares */
    struct proc_host hook_host;   /* the same for hooks: nothing follows them */
    struct proc_host guard_host;  /* the same for guards: their end decides a run */
    struct claim *claim;          /* --claim, or NULL */
    uint64_t run_prefix, run_seq; /* CROND_LITE_RUN (gate_run_id) */
    struct hook_cmds hooks;       /* --on-failure, --on-success */
    char **hook_environ;          /* what hooks inherit (hook_environ) */
    struct runs runs;             /* running or still draining (runs.h) */
    struct watch watch;           /* inotify, fd -1 with --no-reload */
    ev_io watch_io;
    ev_timer settle;              /* reload once the files are quiet */
    uint64_t digest;              /* watch_digest at the last load */
    int wake_fd;                  /* the wake-up timerfd (watch.h), or -1 */
    ev_io wake_io;
    int64_t clock_off;            /* realtime - monotonic at the last check */
    ev_signal sig[6];             /* TERM, INT, QUIT, HUP, USR1, USR2 */
    ev_child reaped;              /* any child reaped, orphans too */
    ev_prepare check_log;         /* stop when records cannot be written */
    ev_timer grace;               /* SIGKILL after --grace, then the reap bound */
    bool stopping;
    bool killed;                  /* the grace is over: SIGKILL went */
    int64_t reap_end_ms;          /* when waiting for the last children ends */
    int status;                   /* exit status */
    char *chunk;                  /* read buffer shared by all pipes (READ_CHUNK) */
    struct metrics_daemon metrics; /* reloads, configuration errors (metrics.h) */
    struct endpoint ep;           /* --listen's answers; /readyz: loaded, and
                                   * the last reload succeeded */
};

static int64_t now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int64_t mono_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

/* ------------------------------------------------------------------------ */
/* Records                                                                  */
/* ------------------------------------------------------------------------ */

#define say_error(d, level, ...) report_error((d)->log, now_ms(), (level), __VA_ARGS__)

/* ------------------------------------------------------------------------ */
/* Runs: starting them, and what their ends mean (runs.h has the watchers) */
/* ------------------------------------------------------------------------ */

static void stop_check(struct crond *d);

/* The hook that follows a run of j, if any (hook.h); none once a stop
 * began, as no job starts then. */
static void hook_start(struct crond *d, const struct jobtab_job *j, const struct hook_result *res)
{
    struct hook_spawn hs;
    if (d->stopping)
        return;
    int rc = hook_prepare(res, j->lj, &d->hooks, &hs);
    if (rc < 0)
        report_job(d->log, now_ms(), LOG_LEVEL_ERROR, "job.error", j, "msg",
                   "out of memory: its hook does not run");
    if (rc <= 0)
        return;
    (void)runs_add(&d->runs, &d->hook_host, &hs.job); /* NULL: proc said why */
    hook_spawn_free(&hs);
}

/* The host's exited: the job (if a reload kept it) learns the result, its
 * hook starts, and a queued run may start. */
static void on_action(void *ctx, struct sched_job *sj, enum sched_action a);

static void run_exited(void *ctx, struct proc *p)
{
    struct crond *d = ctx;
    struct jobtab_job *j = jobtab_find(&d->tab, p->jid);
    struct hook_result res;
    if (j == NULL)
        return;
    struct jobtab_stats *st = jobtab_stats_of(j);
    if (st != NULL) {
        st->last_exit_ms = now_ms();
        st->last_wstatus = p->wstatus;
    }
    metrics_run_ended(st, metrics_result_of(p->wstatus, p->timed_out), now_ms() - p->start_ms,
                      now_ms());
    hook_result_of(p, &res);
    hook_start(d, j, &res);
    sched_exited(&j->sj, on_action, d);
}

/* The host's relayed: a line of a run is counted for its job (if a reload
 * kept it: a removed job's stats are gone; a hook has no job). */
static void run_line(void *ctx, const struct proc *p, int stream)
{
    struct crond *d = ctx;
    struct jobtab_job *j = jobtab_find(&d->tab, p->jid);
    if (j != NULL)
        metrics_output_line(jobtab_stats_of(j), stream);
}

/* The host's failed: a run of a job could not start; its hook may. */
static void run_failed(void *ctx, const struct proc_job *job, const char *msg)
{
    struct crond *d = ctx;
    struct jobtab_job *j = jobtab_find(&d->tab, job->jid);
    struct hook_result res;
    if (j == NULL)
        return;
    hook_result_failed(job, msg, &res);
    hook_start(d, j, &res);
}

/* An INI job's own, else --working-directory, else (NULL) the user's home. */
static const char *job_workdir(const struct crond *d, const struct jobtab_job *j)
{
    const char *w = loader_job_workdir(j->lj);
    return w != NULL ? w : d->opts->workdir;
}

/* The run of j for due time f->due_ms with CROND_LITE_RUN f->run; id is
 * the buffer of its id (LOADER_ID_MAX). */
static struct proc_job job_run(struct crond *d, const struct jobtab_job *j,
                               const struct claim_for *f, char *id)
{
    return (struct proc_job){j->jid, loader_job_id(j->lj, id, LOADER_ID_MAX), j->lj->entry,
                             j->lj->user, job_workdir(d, j), loader_job_timeout(j->lj),
                             f->due_ms, hook_wanted(j->lj, &d->hooks), f->run, true};
}

/* Starts the run f of j, whose slot gate_begin took (sched_started): a run
 * that does not start gives it back (nothing when proc said why not). */
static void run_start(struct crond *d, struct jobtab_job *j, const struct claim_for *f)
{
    char id[LOADER_ID_MAX];
    struct proc_job job = job_run(d, j, f, id);
    const struct proc *r = runs_add(&d->runs, &d->host, &job);
    if (r == NULL) {
        metrics_run_ended(jobtab_stats_of(j), METRICS_ERROR, 0, now_ms());
        sched_exited(&j->sj, on_action, d);
        return;
    }
    struct jobtab_stats *st = jobtab_stats_of(j);
    if (st != NULL)
        st->last_start_ms = r->start_ms;
}

/* ------------------------------------------------------------------------ */
/* Gates: --claim, then --guard, then the run (DESIGN.md section 11)        */
/* ------------------------------------------------------------------------ */

/* A run that waits at its gate holds its job's slot (gate_begin), so that
 * a due time meanwhile is skipped or queued as the overlap policy says; a
 * run that does not pass gives the slot back (which may start a queued
 * one). */
static void gate_skip(struct crond *d, struct jobtab_job *j, enum metrics_skip why)
{
    report_job(d->log, now_ms(), LOG_LEVEL_INFO, "job.skip", j, "reason",
               why == METRICS_SKIP_CLAIMED ? "claimed" : "guard");
    metrics_skipped(jobtab_stats_of(j), why);
    sched_exited(&j->sj, on_action, d);
}

/* The run could not pass its gate: a job.error, counted as one. */
static void gate_error(struct crond *d, struct jobtab_job *j, const char *msg)
{
    report_job(d->log, now_ms(), LOG_LEVEL_ERROR, "job.error", j, "msg", msg);
    metrics_run_ended(jobtab_stats_of(j), METRICS_ERROR, 0, now_ms());
    sched_exited(&j->sj, on_action, d);
}

/* Runs --guard before the run f of j, or the run itself without one. */
static void guard_or_start(struct crond *d, struct jobtab_job *j, const struct claim_for *f)
{
    if (d->opts->guard == NULL) {
        run_start(d, j, f);
        return;
    }
    char id[LOADER_ID_MAX];
    struct proc_job run = job_run(d, j, f, id);
    struct hook_spawn hs;
    if (hook_prepare_guard(d->opts->guard, &run, j->lj, GATE_GUARD_TIMEOUT_MS, &hs) != 0) {
        gate_error(d, j, "out of memory: its guard does not run");
        return;
    }
    (void)runs_add(&d->runs, &d->guard_host, &hs.job); /* NULL: proc said why (guard_failed) */
    hook_spawn_free(&hs);
}

/* The guard host's exited: its verdict on the run it guarded. */
static void guard_exited(void *ctx, struct proc *p)
{
    struct crond *d = ctx;
    struct jobtab_job *j = jobtab_find(&d->tab, p->jid);
    char msg[128];
    if (j == NULL || d->stopping)
        return;
    struct claim_for f = {p->jid, p->due_ms, ""};
    snprintf(f.run, sizeof f.run, "%s", p->run);
    switch (gate_guard_verdict(p->wstatus, p->timed_out, msg, sizeof msg)) {
    case GATE_RUN:
        run_start(d, j, &f);
        break;
    case GATE_SKIP:
        gate_skip(d, j, METRICS_SKIP_GUARD);
        break;
    case GATE_ERROR:
        gate_error(d, j, msg);
        break;
    }
}

/* The guard host's failed: the guard could not start (its job.error is
 * written); the run does not start either, and counts as an error. */
static void guard_failed(void *ctx, const struct proc_job *job, const char *msg)
{
    struct crond *d = ctx;
    struct jobtab_job *j = jobtab_find(&d->tab, job->jid);
    (void)msg;
    if (j == NULL)
        return;
    metrics_run_ended(jobtab_stats_of(j), METRICS_ERROR, 0, now_ms());
    sched_exited(&j->sj, on_action, d);
}

/* claim's answer for the run f. */
static void claimed(void *ctx, const struct claim_for *f, enum claim_result r, const char *why)
{
    struct crond *d = ctx;
    struct jobtab_job *j = jobtab_find(&d->tab, f->jid);
    char msg[400];
    if (j == NULL || d->stopping)
        return; /* removed by a reload meanwhile, or stopping: nothing starts */
    if (r == CLAIM_WON || (r == CLAIM_FAILED && d->opts->claim_fail_open)) {
        guard_or_start(d, j, f);
    } else if (r == CLAIM_LOST) {
        gate_skip(d, j, METRICS_SKIP_CLAIMED);
    } else {
        snprintf(msg, sizeof msg, "claim: %s; not run (--claim-fail closed)", why);
        gate_error(d, j, msg);
    }
}

/* A due run of j: claimed first (--claim, unless the job says claim = off),
 * then guarded, then started. */
static void gate_begin(struct crond *d, struct jobtab_job *j)
{
    struct claim_for f = {j->jid, j->sj.due_ms, ""};
    sched_started(&j->sj); /* the slot is the run's from now (see gate_skip) */
    gate_run_id(d->run_prefix, ++d->run_seq, f.run, sizeof f.run);
    if (d->claim == NULL || !loader_job_claims(j->lj)) {
        guard_or_start(d, j, &f);
        return;
    }
    char id[LOADER_ID_MAX];
    claim_ask(d->claim, loader_job_id(j->lj, id, sizeof id), &f,
              gate_ttl_s(loader_job_timeout(j->lj), d->opts->grace_ms));
}

static void on_action(void *ctx, struct sched_job *sj, enum sched_action a)
{
    struct crond *d = ctx;
    struct jobtab_job *j = jobtab_job_of(sj);
    const char *skip = a == SCHED_SKIP         ? "previous run still running"
                       : a == SCHED_QUEUE_FULL ? "previous run still running and one run "
                                                 "already queued"
                                               : NULL;
    if (d->stopping)
        return; /* nothing new starts once a stop began */
    if (a == SCHED_START)
        gate_begin(d, j);
    else if (skip != NULL) {
        report_job(d->log, now_ms(), LOG_LEVEL_WARN, "job.skip", j, "reason", skip);
        metrics_skipped(jobtab_stats_of(j), a == SCHED_SKIP ? METRICS_SKIP_RUNNING
                                                            : METRICS_SKIP_QUEUE_FULL);
    }
}

/* ------------------------------------------------------------------------ */
/* Sleeping until the next due time, and clock steps                        */
/* ------------------------------------------------------------------------ */

/* The wake-up timer is armed at the earliest due time, absolute and in wall
 * clock time (watch.h): nothing ticks while no job is due, and a job starts
 * within the machine's scheduling noise of its second. */
static void wake_arm(struct crond *d)
{
    char err[256];
    int64_t due = d->stopping ? SCHED_NEVER : sched_next_due(&d->tab.sched);
    if (watch_timer_arm(d->wake_fd, due == SCHED_NEVER ? WATCH_TIMER_NEVER : due, err,
                        sizeof err) != 0)
        say_error(d, LOG_LEVEL_ERROR, "%s", err);
}

/* realtime - monotonic: a change of it is a step of the wall clock */
#define clock_offset() (now_ms() - mono_us() / 1000)

/* A change of the wall clock against the monotonic one is a step; the
 * scheduler's policy says what it means (sched_jump_classify). */
static bool clock_check(struct crond *d)
{
    int64_t off = clock_offset();
    int64_t step = off - d->clock_off;
    enum sched_jump jump = sched_jump_classify(step);
    d->clock_off = off;
    if (jump == SCHED_JUMP_NONE)
        return false;
    sched_jump(&d->tab.sched, jump, now_ms());
    report_clock(d->log, now_ms(), step, sched_jump_action(jump));
    sched_run_due(&d->tab.sched, now_ms(), on_action, d);
    wake_arm(d);
    return true;
}

static void wake_cb(struct ev_loop *loop, ev_io *w, int revents)
{
    (void)loop;
    (void)revents;
    struct crond *d = container_of(w, struct crond, wake_io);
    (void)watch_timer_read(d->wake_fd); /* due or clock set: clock_check tells */
    if (clock_check(d) || d->stopping)
        return; /* it ran what was due and armed the timer again */
    /* what is still due is next: wake_arm sets a time in the past, which
     * fires after this loop iteration's signals */
    (void)sched_run_due_max(&d->tab.sched, now_ms(), START_SLICE, on_action, d);
    wake_arm(d);
}

static int clock_start(struct crond *d)
{
    char err[256];
    d->clock_off = clock_offset();
    d->wake_fd = watch_timer_open(err, sizeof err);
    if (d->wake_fd < 0) {
        say_error(d, LOG_LEVEL_ERROR, "%s; not starting", err);
        return -1;
    }
    ev_io_init(&d->wake_io, wake_cb, d->wake_fd, EV_READ);
    ev_io_start(d->loop, &d->wake_io);
    return 0;
}

static void clock_stop(struct crond *d)
{
    if (d->wake_fd < 0)
        return;
    ev_io_stop(d->loop, &d->wake_io);
    (void)close(d->wake_fd); /* nothing was written through it */
    d->wake_fd = -1;
}

/* ------------------------------------------------------------------------ */
/* Loading the crontabs, and reloads                                        */
/* ------------------------------------------------------------------------ */

/* A load reads whole files and builds its tables with buffers freed right
 * after; glibc keeps those pages resident inside the heap. Giving them back
 * keeps an idle daemon's private memory to what its jobs need. */
static void heap_trim(void)
{
#ifdef __GLIBC__
    (void)malloc_trim(0); /* 1 or 0: released something or not */
#endif
}

/* Reads the crontabs (and the INI file's jobs: ini as main read it at
 * start, or read again now when NULL). Returns 0 or -1 (out of memory). */
static int load(struct crond *d, const struct config *ini, struct loader_result *out)
{
    const char *paths[LOADER_MAX_SOURCES];
    size_t npaths = loader_paths(d->opts, paths);
    d->digest = watch_digest(paths, npaths, d->opts->config);
    return loader_load_options(d->opts, ini, d->cfg->zones, d->cfg->default_zone,
                               now_ms() / 1000, out);
}

static void watch_paths(struct crond *d)
{
    const char *paths[LOADER_MAX_SOURCES];
    size_t npaths = loader_paths(d->opts, paths);
    char err[512];
    if (d->watch.fd >= 0 && watch_add_all(&d->watch, paths, npaths, d->opts->config, err,
                                          sizeof err) != 0)
        say_error(d, LOG_LEVEL_WARN, "%s", err);
}

/* Reads every crontab again (SIGHUP, or files changed: then `quiet` logs
 * daemon.reload only when something changed). */
static void reload(struct crond *d, bool quiet)
{
    int64_t t0 = mono_us();
    struct loader_result r;
    struct jobtab_diff diff;
    int rc = load(d, NULL, &r);
    if (rc == 0)
        report_diags(d->log, now_ms(), &r.diags);
    else
        loader_result_free(&r);
    size_t nerrors = r.diags.nerrors;
    if (rc != 0 || jobtab_apply(&d->tab, &r, now_ms(), &diff) != 0) {
        metrics_reloaded(&d->metrics, rc == 0, nerrors, false);
        report_reload(d->log, now_ms(), &d->tab, NULL, 0, 0);
        endpoint_unready(&d->ep, "the last reload ran out of memory; the previous jobs stay");
        return;
    }
    metrics_reloaded(&d->metrics, true, nerrors, true);
    /* a file with errors keeps its old jobs: that is no successful reload */
    if (nerrors > 0)
        endpoint_unready(&d->ep, "the last reload found %zu problem%s in the crontabs (config.error "
                    "records); %zu job%s of invalid files kept from before", nerrors,
                    nerrors == 1 ? "" : "s", diff.invalid_kept, diff.invalid_kept == 1 ? "" : "s");
    else
        endpoint_ready(&d->ep);
    watch_paths(d);
    if (!quiet || diff.added > 0 || diff.removed > 0 || nerrors > 0)
        report_reload(d->log, now_ms(), &d->tab, &diff, nerrors, mono_us() - t0);
    heap_trim();
    wake_arm(d);
}

static void settle_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
    (void)loop;
    (void)revents;
    struct crond *d = container_of(w, struct crond, settle);
    const char *paths[LOADER_MAX_SOURCES];
    size_t npaths = loader_paths(d->opts, paths);
    if (!d->stopping && watch_digest(paths, npaths, d->opts->config) != d->digest)
        reload(d, true);
}

static void watch_cb(struct ev_loop *loop, ev_io *w, int revents)
{
    (void)revents;
    struct crond *d = container_of(w, struct crond, watch_io);
    unsigned seen = watch_read(&d->watch);
    if (seen & WATCH_CLOCK)
        clock_check(d);
    if (!(seen & WATCH_CRONTABS))
        return;
    ev_timer_stop(loop, &d->settle);
    ev_timer_set(&d->settle, SETTLE_SECONDS, 0);
    ev_timer_start(loop, &d->settle);
}

static void watch_start(struct crond *d)
{
    char err[512];
    d->watch = (struct watch){.fd = -1, .clock_wd = -1};
    ev_timer_init(&d->settle, settle_cb, SETTLE_SECONDS, 0);
    if (d->opts->no_reload)
        return;
    if (watch_open(&d->watch, err, sizeof err) != 0) {
        say_error(d, LOG_LEVEL_WARN, "%s; changed crontabs need SIGHUP", err);
        return;
    }
    ev_io_init(&d->watch_io, watch_cb, d->watch.fd, EV_READ);
    ev_io_start(d->loop, &d->watch_io);
    const char *fake = getenv("FAKETIME_TIMESTAMP_FILE");
    if (fake != NULL && fake[0] != '\0' && watch_add_clock(&d->watch, fake, err, sizeof err) != 0)
        say_error(d, LOG_LEVEL_WARN, "%s", err);
}

static void watch_stop(struct crond *d)
{
    ev_timer_stop(d->loop, &d->settle);
    if (d->watch.fd >= 0)
        ev_io_stop(d->loop, &d->watch_io);
    watch_close(&d->watch);
}

/* ------------------------------------------------------------------------ */
/* Status (SIGUSR1)                                                         */
/* ------------------------------------------------------------------------ */

static void job_status(struct crond *d, const struct jobtab_job *j)
{
    char pids[256] = "";
    size_t used = 0;
    for (const struct proc *p = runs_first(&d->runs); p != NULL; p = runs_next(p))
        if (p->jid == j->jid && proc_alive(p) && used < sizeof pids - 16)
            used += (size_t)snprintf(pids + used, sizeof pids - used, "%s%d", used ? " " : "",
                                     (int)p->pid);
    report_status(d->log, now_ms(), j, pids);
}

/* ------------------------------------------------------------------------ */
/* The HTTP endpoint (--listen)                                             */
/* ------------------------------------------------------------------------ */

/* Listens on --listen, if given. The server answers through a stop too
 * (/readyz then says "stopping") and is closed after the loop. */
static int http_start(struct crond *d)
{
    char err[256];
    d->ep.tab = &d->tab;
    d->ep.metrics = &d->metrics;
    d->ep.compat = &d->opts->compat;
    d->ep.self_name = d->cfg->self->name;
    if (d->opts->listen == NULL
        || endpoint_start(&d->ep, d->loop, d->opts->listen, d->log, err, sizeof err) == 0)
        return 0;
    say_error(d, LOG_LEVEL_ERROR, "--listen %s: %s; not starting", d->opts->listen, err);
    return -1;
}

/* ------------------------------------------------------------------------ */
/* Stopping                                                                 */
/* ------------------------------------------------------------------------ */

/* sig to every run (through its state machine) and to every other child
 * (orphans of jobs that daemonised, adopted as PID 1 or subreaper). */
static void stop_signal_all(struct crond *d, int sig)
{
    pid_t groups[4096]; /* signalled through their proc */
    size_t n = runs_signal(&d->runs, sig, groups, sizeof groups / sizeof groups[0]);
    proc_signal_children(sig, groups, n);
}

/* A stop ends when no child is left: every job and everything it started
 * has exited and been reaped (bounded by the grace and the reap bound). */
static void stop_check(struct crond *d)
{
    if (d->stopping && !proc_any_child())
        ev_break(d->loop, EVBREAK_ALL);
}

static void reaped_cb(struct ev_loop *loop, ev_child *w, int revents)
{
    (void)loop;
    (void)revents;
    stop_check(container_of(w, struct crond, reaped));
}

/* At the end of the grace: SIGKILL to every run and every child; then, for
 * at most REAP_SECONDS, again every tick to the children that were
 * re-parented to us since (the orphans of what was just killed). */
static void grace_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
    (void)revents;
    struct crond *d = container_of(w, struct crond, grace);
    if (d->killed && now_ms() >= d->reap_end_ms) {
        say_error(d, LOG_LEVEL_WARN, "processes left after SIGKILL and %.1f s: exiting anyway",
                  REAP_SECONDS);
        ev_break(loop, EVBREAK_ALL);
        return;
    }
    if (!d->killed)
        d->reap_end_ms = now_ms() + (int64_t)(REAP_SECONDS * 1000);
    d->killed = true;
    stop_signal_all(d, SIGKILL);
    ev_timer_set(w, REAP_TICK_SECONDS, 0);
    ev_timer_start(loop, w);
    stop_check(d);
}

static void stop_begin(struct crond *d, const char *why)
{
    size_t running = 0;
    for (const struct proc *p = runs_first(&d->runs); p != NULL; p = runs_next(p))
        running += proc_alive(p);
    d->stopping = true;
    endpoint_unready(&d->ep, "stopping");
    wake_arm(d); /* far away: only steps wake it now */
    report_stop(d->log, now_ms(), why, running);
    stop_signal_all(d, SIGTERM);
    ev_timer_set(&d->grace, (double)d->opts->grace_ms / 1000.0, 0);
    ev_timer_start(d->loop, &d->grace);
    stop_check(d);
}

/* Before the loop sleeps: the records of this iteration are written (a
 * burst's in a few writes, log.h); records that cannot be written (stdout
 * closed, a broken pipe) would be lost, and so would every later one: stop. */
static void check_log_cb(struct ev_loop *loop, ev_prepare *w, int revents)
{
    (void)loop;
    (void)revents;
    struct crond *d = container_of(w, struct crond, check_log);
    (void)log_flush(d->log); /* a failure is log_broken's */
    if (!log_broken(d->log) || d->status != 0)
        return;
    d->status = 1;
    if (!d->stopping)
        stop_begin(d, "output");
}

static void signal_cb(struct ev_loop *loop, ev_signal *w, int revents)
{
    (void)loop;
    (void)revents;
    struct crond *d = w->data;
    bool stop = w->signum == SIGTERM || w->signum == SIGINT || w->signum == SIGQUIT;
    if ((w->signum == SIGHUP || w->signum == SIGUSR2) && !d->stopping)
        reload(d, false);
    else if (w->signum == SIGUSR1)
        for (size_t i = 0; i < d->tab.n; i++)
            job_status(d, &d->tab.jobs[i]);
    else if (stop && !d->stopping)
        stop_begin(d, proc_signal_name(w->signum));
    else if (stop)
        stop_signal_all(d, SIGKILL); /* a second stop signal: no more grace */
}

static void signals_start(struct crond *d)
{
    /* SIGQUIT stops and SIGUSR2 reloads too, as in supercronic */
    static const int sigs[] = {SIGTERM, SIGINT, SIGQUIT, SIGHUP, SIGUSR1, SIGUSR2};
    for (size_t i = 0; i < sizeof sigs / sizeof sigs[0]; i++) {
        ev_signal_init(&d->sig[i], signal_cb, sigs[i]);
        /* before the wake-up of a burst's next slice */
        ev_set_priority(&d->sig[i], EV_MAXPRI);
        d->sig[i].data = d;
        ev_signal_start(d->loop, &d->sig[i]);
    }
    ev_child_init(&d->reaped, reaped_cb, 0, 0);
    ev_child_start(d->loop, &d->reaped);
    ev_prepare_init(&d->check_log, check_log_cb);
    ev_prepare_start(d->loop, &d->check_log);
    ev_init(&d->grace, grace_cb);
}

/* ------------------------------------------------------------------------ */
/* Start and end                                                            */
/* ------------------------------------------------------------------------ */

/* The first load: every problem is logged, and any error refuses to start. */
static int daemon_setup(struct crond *d)
{
    struct loader_result r;
    struct jobtab_diff diff;
    int rc = load(d, d->cfg->ini, &r);
    report_diags(d->log, now_ms(), &r.diags);
    size_t nerrors = r.diags.nerrors;
    if (rc != 0 || nerrors > 0) {
        say_error(d, LOG_LEVEL_ERROR, rc != 0 ? "out of memory; not starting"
                  : "%zu problem%s in the crontabs; not starting", nerrors,
                  nerrors == 1 ? "" : "s");
        loader_result_free(&r);
        return -1;
    }
    if (jobtab_apply(&d->tab, &r, d->tab.sched.origin_ms, &diff) != 0) {
        say_error(d, LOG_LEVEL_ERROR, "out of memory; not starting");
        return -1;
    }
    watch_paths(d);
    endpoint_ready(&d->ep);
    const char *paths[LOADER_MAX_SOURCES];
    size_t npaths = loader_paths(d->opts, paths);
    report_start(d->log, now_ms(), paths, npaths, &d->tab, d->cfg->self, d->cfg->default_zone);
    heap_trim();
    if (geteuid() == 0)
        report_root_jobs(d->log, now_ms(), &d->tab);
    else if (d->opts->compat.others_as_self) /* said once a run, as go-crond does */
        say_error(d, LOG_LEVEL_WARN, "--allow-unprivileged: crond-lite runs as uid %u, not root: "
                  "jobs of other users run as this user", (unsigned)geteuid());
    return 0;
}

/* Hooks run as jobs do (a copy of d->host, complete by now), but inherit
 * none of a hook's variables, and their end starts nothing (neither a hook
 * nor a queued run). */
static void hooks_setup(struct crond *d, char *const *environ_)
{
    d->hooks = (struct hook_cmds){d->opts->on_failure, d->opts->on_success};
    d->hook_environ = hook_environ(environ_);
    d->hook_host = d->host;
    d->hook_host.exited = NULL;
    d->hook_host.failed = NULL;
    if (d->hook_environ != NULL)
        d->hook_host.environ = d->hook_environ;
    d->guard_host = d->hook_host;
    d->guard_host.exited = guard_exited;
    d->guard_host.failed = guard_failed;
    d->guard_host.relayed = NULL; /* its lines are not the job's */
}

/* --claim: the store's connection, in the background from now on. */
static int claim_setup(struct crond *d)
{
    struct claimurl u;
    char err[256], replica[300];
    d->run_prefix = gate_run_prefix();
    if (d->opts->claim == NULL)
        return 0;
    if (claimurl_parse(d->opts->claim, &u, err, sizeof err) != 0) {
        say_error(d, LOG_LEVEL_ERROR, "--claim: %s; not starting", err);
        return -1;
    }
    gate_replica(replica, sizeof replica);
    d->claim = claim_start(d->loop, &u, replica, d->log, claimed, d);
    if (d->claim != NULL)
        return 0;
    say_error(d, LOG_LEVEL_ERROR, "--claim: out of memory; not starting");
    return -1;
}

int daemon_run(const struct daemon_cfg *cfg)
{
    struct crond *d = calloc(1, sizeof *d);
    if (d == NULL)
        return 1;
    d->cfg = cfg;
    d->opts = cfg->opts;
    d->log = cfg->log;
    /* malloc: its pages are touched (resident) only by output that long */
    d->chunk = malloc(READ_CHUNK);
    d->host = (struct proc_host){d->log, d->opts->grace_ms, d->chunk, READ_CHUNK,
                                 run_exited, d, cfg->environ, cfg->self, d->opts->shell,
                                 d->opts->clean_env, d->opts->no_new_privs,
                                 cfg->nofile_soft, d->opts->output, run_line, run_failed};
    hooks_setup(d, cfg->environ);
    d->loop = ev_default_loop(EVFLAG_AUTO);
    if (d->loop == NULL || d->chunk == NULL) {
        say_error(d, LOG_LEVEL_ERROR, "cannot start the event loop: out of memory");
        free(d->hook_environ);
        free(d->chunk);
        free(d);
        return 1;
    }
    if (log_set_buffered(d->log, LOG_BATCH) != 0)
        say_error(d, LOG_LEVEL_WARN, "out of memory: one write per record");
    d->runs = (struct runs){d->loop, d->log, NULL};
    jobtab_init(&d->tab, now_ms(), d->opts->overlap);
    sched_set_clock(&d->tab.sched, now_ms);
    signals_start(d);
    watch_start(d);
    endpoint_unready(&d->ep, "starting");
    if (clock_start(d) != 0 || http_start(d) != 0 || claim_setup(d) != 0
        || daemon_setup(d) != 0)
        d->status = 1;
    else
        wake_arm(d);
    /* the loop sees a broken log at once (check_log_cb) and stops */
    if (d->status == 0)
        ev_run(d->loop, 0);
    endpoint_free(&d->ep);
    claim_free(d->claim);
    watch_stop(d);
    clock_stop(d);
    runs_release(&d->runs);
    int status = d->status;
    jobtab_free(&d->tab);
    free(d->hook_environ);
    (void)log_set_buffered(d->log, 0); /* what is left, then one write per record */
    ev_loop_destroy(d->loop);
    free(d->chunk);
    free(d);
    return status;
}
