/* daemon: the loop glue (see daemon.h). The only file that includes <ev.h>.
 *
 * State: one struct crond. Each scheduled job is a struct djob embedding its
 * scheduler state; each running process a struct proc embedding its libev
 * watchers (child, and one io watcher per output pipe), so callbacks get back
 * to their object with container_of.
 *
 * Lifetime of a process: job.start when exec succeeded; job.output for each
 * line read from its pipes; job.exit when the process itself exits (not when
 * its pipes close: a daemonised grandchild may hold them for ever). Pipes are
 * read until EOF even after the exit, and the proc is freed when both are
 * closed. Children are reaped by libev's SIGCHLD handler with waitpid(-1),
 * which also collects orphans re-parented to us (PID 1 or child subreaper).
 */
#include "crond/daemon.h"

#include <dirent.h>
#include <errno.h>
#include <ev.h>
#include <signal.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/timerfd.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "crond/calendar.h"
#include "crond/loader.h"
#include "crond/log.h"
#include "crond/options.h"
#include "crond/relay.h"
#include "crond/runner.h"
#include "crond/sched.h"
#include "crond/timefmt.h"
#include "crond/zone.h"

#define container_of(ptr, type, member) ((type *)(void *)((char *)(ptr) - offsetof(type, member)))

/* How much one io callback reads before letting other jobs' pipes be served
 * (fairness between jobs that write fast). */
#define READ_CHUNK 65536
#define READS_PER_WAKEUP 4

/* ------------------------------------------------------------------------ */
/* State                                                                    */
/* ------------------------------------------------------------------------ */

/* One load of the crontabs. Jobs point into it (ids, entries), so it lives
 * as long as one of its jobs does: a reload that keeps the old jobs of a
 * file that became invalid keeps their tabset too. */
struct tabset {
    struct loader_result r;
    size_t refs;                  /* jobs that point into r */
    struct tabset *next;
};

struct djob {
    struct sched_job sj;          /* scheduling state; sj.data points here */
    struct tabset *set;           /* owner of lj */
    const struct loader_job *lj;  /* id, entry, zone, user */
    char *key;                    /* identity across reloads */
    int64_t last_start_ms;        /* 0 when never started */
    int64_t last_exit_ms;         /* 0 when no run ended yet */
    int last_wstatus;             /* wait status of the last run */
    bool stale;                   /* replaced by a reload */
    bool taken;                   /* matched by a job of the new table */
    uint64_t hash;                /* of key: most comparisons end here */
};

struct proc;

struct stream {
    ev_io io;                     /* readable pipe */
    struct proc *p;               /* owner */
    const char *name;             /* "stdout" / "stderr" */
    struct relay_buf *buf;        /* unfinished line */
    bool open;                    /* pipe not yet at EOF */
};

struct proc {
    ev_child child;               /* exit of the job's process */
    ev_timer timeout;             /* INI timeout: SIGTERM, then SIGKILL */
    int timeout_stage;            /* 0 running, 1 SIGTERM sent, 2 SIGKILL sent */
    struct stream out[2];         /* stdout, stderr */
    struct crond *d;
    struct djob *job;             /* NULL once a reload removed the job */
    char *id;                     /* job id for records (kept after removal) */
    pid_t pid;                    /* also the process group id (setsid) */
    int64_t start_ms;
    bool exited;
    struct proc *prev, *next;
};

struct crond {
    struct ev_loop *loop;
    const struct daemon_cfg *cfg;
    const struct options *opts;
    struct sched sched;
    struct tabset *sets;          /* loads that current jobs point into */
    struct djob *jobs;            /* the current jobs */
    size_t njobs;
    int ino_fd;                   /* inotify, -1 with --no-reload */
    ev_io ino_io;                 /* inotify events */
    ev_timer settle;              /* reload once the files are quiet */
    int fake_wd;                  /* inotify watch of libfaketime's file, or -1 */
    int tfd;                      /* timerfd cancelled by clock steps, or -1 */
    ev_io tfd_io;
    int64_t clock_off;            /* realtime - monotonic at the last check */
    ev_timer resync;              /* plan again after a clock step */
    uint64_t digest;              /* crontabs_digest at the last load */
    long nofile_soft;             /* RLIMIT_NOFILE soft limit at start, 0: not raised */
    struct proc *procs;           /* running or still draining */
    size_t nalive;                /* procs whose process has not exited */
    ev_periodic wake;             /* the next due time */
    int64_t wake_ms;              /* when wake is set for */
    ev_signal sig[5];             /* TERM, INT, HUP, USR1, PIPE ignored */
    ev_timer grace;               /* SIGKILL after --grace */
    bool stopping;
    int status;                   /* exit status */
    char chunk[READ_CHUNK];       /* read buffer shared by all pipes */
    struct log log;               /* last: it holds a big buffer */
};

static void on_action(void *ctx, struct sched_job *sj, enum sched_action a);

static int64_t mono_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

static int64_t now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* ------------------------------------------------------------------------ */
/* Records                                                                  */
/* ------------------------------------------------------------------------ */

static void rec_begin(struct crond *d, enum log_level level, const char *event)
{
    log_begin(&d->log, now_ms(), level, event);
}

static void stop_begin(struct crond *d, const char *why);

/* A record that cannot be written (stdout closed, broken pipe) would be
 * lost, and so would every later one: stop instead of running blind. */
static void rec_end(struct crond *d)
{
    if (log_end(&d->log) == 0 || d->status != 0)
        return;
    fprintf(stderr, "crond-lite: cannot write log records: %s; stopping\n",
            strerror(d->log.write_errno));
    d->status = 1;
    if (!d->stopping)
        stop_begin(d, "output");
}

static void rec_time(struct crond *d, const char *key, int64_t t_ms, const struct zone *z)
{
    char iso[TIMEFMT_ISO_LEN];
    if (t_ms == SCHED_NEVER) {
        log_str(&d->log, key, "none");
        return;
    }
    timefmt_iso(t_ms / 1000, z, iso, sizeof iso);
    log_str(&d->log, key, iso);
}

static const char *signal_name(int sig)
{
    static const struct { int sig; const char *name; } names[] = {
        {SIGHUP, "SIGHUP"}, {SIGINT, "SIGINT"}, {SIGQUIT, "SIGQUIT"}, {SIGILL, "SIGILL"},
        {SIGTRAP, "SIGTRAP"}, {SIGABRT, "SIGABRT"}, {SIGBUS, "SIGBUS"}, {SIGFPE, "SIGFPE"},
        {SIGKILL, "SIGKILL"}, {SIGUSR1, "SIGUSR1"}, {SIGSEGV, "SIGSEGV"}, {SIGUSR2, "SIGUSR2"},
        {SIGPIPE, "SIGPIPE"}, {SIGALRM, "SIGALRM"}, {SIGTERM, "SIGTERM"}, {SIGXCPU, "SIGXCPU"},
        {SIGXFSZ, "SIGXFSZ"}, {SIGSYS, "SIGSYS"},
    };
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        if (names[i].sig == sig)
            return names[i].name;
    }
    return "SIGUNKNOWN";
}

static void log_diags(struct crond *d, const struct loader_result *r)
{
    for (size_t i = 0; i < r->ndiags; i++) {
        const struct loader_diag *g = &r->diags[i];
        rec_begin(d, g->severity == LOADER_ERROR ? LOG_LEVEL_ERROR : LOG_LEVEL_WARN, "config.error");
        log_str(&d->log, "file", g->file);
        log_int(&d->log, "line", g->line);
        log_int(&d->log, "col", g->col);
        log_str(&d->log, "msg", g->msg);
        rec_end(d);
    }
}

/* ------------------------------------------------------------------------ */
/* Output relay                                                             */
/* ------------------------------------------------------------------------ */

static void emit_line(void *ctx, const char *line, size_t len, bool newline)
{
    struct stream *s = ctx;
    struct crond *d = s->p->d;
    (void)newline;
    rec_begin(d, LOG_LEVEL_INFO, "job.output");
    log_str(&d->log, "job", s->p->id);
    log_int(&d->log, "pid", s->p->pid);
    log_str(&d->log, "stream", s->name);
    log_strn(&d->log, "msg", line, len);
    rec_end(d);
}

static void proc_free_if_done(struct proc *p);

static void stream_close(struct stream *s)
{
    if (!s->open)
        return;
    relay_flush(s->buf, emit_line, s);
    ev_io_stop(s->p->d->loop, &s->io);
    if (close(s->io.fd) != 0 && errno != EINTR)
        fprintf(stderr, "crond-lite: close: %s\n", strerror(errno));
    s->open = false;
}

/* Reads what the pipe has, up to a fair share. Returns false at EOF. */
static bool stream_read(struct stream *s, int max_reads)
{
    char *chunk = s->p->d->chunk;
    for (int i = 0; i < max_reads; i++) {
        ssize_t n = read(s->io.fd, chunk, READ_CHUNK);
        if (n > 0) {
            relay_feed(s->buf, chunk, (size_t)n, emit_line, s);
            continue;
        }
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0 && errno == EAGAIN)
            return true;
        return false; /* EOF, or an error that ends the stream */
    }
    return true;
}

static void stream_cb(struct ev_loop *loop, ev_io *w, int revents)
{
    (void)loop;
    (void)revents;
    struct stream *s = container_of(w, struct stream, io);
    struct proc *p = s->p;
    if (!stream_read(s, READS_PER_WAKEUP)) {
        stream_close(s);
        proc_free_if_done(p);
    }
}

/* ------------------------------------------------------------------------ */
/* Processes                                                                */
/* ------------------------------------------------------------------------ */

static void proc_free_if_done(struct proc *p)
{
    if (!p->exited || p->out[0].open || p->out[1].open)
        return;
    struct crond *d = p->d;
    if (p->prev != NULL)
        p->prev->next = p->next;
    else
        d->procs = p->next;
    if (p->next != NULL)
        p->next->prev = p->prev;
    free(p->out[0].buf);
    free(p->out[1].buf);
    free(p->id);
    free(p);
}

static void log_exit(struct crond *d, const struct proc *p, int wstatus)
{
    rec_begin(d, LOG_LEVEL_INFO, "job.exit");
    log_str(&d->log, "job", p->id);
    log_int(&d->log, "pid", p->pid);
    if (WIFSIGNALED(wstatus))
        log_str(&d->log, "signal", signal_name(WTERMSIG(wstatus)));
    else
        log_int(&d->log, "status", WEXITSTATUS(wstatus));
    log_int(&d->log, "duration_ms", now_ms() - p->start_ms);
    rec_end(d);
}

static void child_cb(struct ev_loop *loop, ev_child *w, int revents)
{
    (void)revents;
    struct proc *p = container_of(w, struct proc, child);
    struct crond *d = p->d;
    ev_child_stop(loop, w);
    ev_timer_stop(loop, &p->timeout);
    p->exited = true;
    d->nalive--;
    /* What the job wrote before it exited is logged before its exit (the
     * pipe holds at most 64 KiB; a grandchild writing on is read later). */
    for (int i = 0; i < 2; i++) {
        if (p->out[i].open && !stream_read(&p->out[i], 64))
            stream_close(&p->out[i]);
    }
    log_exit(d, p, w->rstatus);
    if (p->job != NULL) {
        p->job->last_exit_ms = now_ms();
        p->job->last_wstatus = w->rstatus;
        sched_exited(&p->job->sj, on_action, d);
    }
    proc_free_if_done(p);
    if (d->stopping && d->nalive == 0)
        ev_break(loop, EVBREAK_ALL);
}

static int stream_init(struct proc *p, int i, int fd, const char *name)
{
    struct stream *s = &p->out[i];
    s->p = p;
    s->name = name;
    s->buf = malloc(sizeof *s->buf);
    if (s->buf == NULL)
        return -1;
    relay_init(s->buf);
    ev_io_init(&s->io, stream_cb, fd, EV_READ);
    ev_io_start(p->d->loop, &s->io);
    s->open = true;
    return 0;
}

static void proc_kill(struct crond *d, struct proc *p, int sig, const char *reason);

/* INI timeout: SIGTERM to the job's group, then SIGKILL after --grace. */
static void timeout_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
    (void)revents;
    struct proc *p = container_of(w, struct proc, timeout);
    if (p->exited)
        return;
    p->timeout_stage++;
    proc_kill(p->d, p, p->timeout_stage == 1 ? SIGTERM : SIGKILL, "timeout");
    if (p->timeout_stage == 1) {
        ev_timer_set(w, (double)p->d->opts->grace_ms / 1000.0, 0);
        ev_timer_start(loop, w);
    }
}

static struct proc *proc_new(struct crond *d, struct djob *j, const struct runner_child *c)
{
    struct proc *p = calloc(1, sizeof *p);
    if (p == NULL)
        return NULL;
    p->d = d;
    p->job = j;
    p->id = strdup(j->lj->id);
    p->pid = c->pid;
    p->start_ms = now_ms();
    if (p->id == NULL || stream_init(p, 0, c->out_fd, "stdout") != 0
        || stream_init(p, 1, c->err_fd, "stderr") != 0) {
        /* out of memory after the fork: the job runs unobserved; its
         * process is still reaped by the SIGCHLD handler */
        for (int i = 0; i < 2; i++)
            stream_close(&p->out[i]);
        free(p->out[0].buf);
        free(p->out[1].buf);
        free(p->id);
        free(p);
        return NULL;
    }
    ev_child_init(&p->child, child_cb, c->pid, 0);
    ev_child_start(d->loop, &p->child);
    ev_timer_init(&p->timeout, timeout_cb, (double)j->lj->timeout_ms / 1000.0, 0);
    if (j->lj->timeout_ms > 0)
        ev_timer_start(d->loop, &p->timeout);
    p->next = d->procs;
    if (d->procs != NULL)
        d->procs->prev = p;
    d->procs = p;
    d->nalive++;
    return p;
}

/* ------------------------------------------------------------------------ */
/* Starting jobs                                                            */
/* ------------------------------------------------------------------------ */

static void log_job_error(struct crond *d, const char *id, const char *msg)
{
    rec_begin(d, LOG_LEVEL_ERROR, "job.error");
    log_str(&d->log, "job", id);
    log_str(&d->log, "msg", msg);
    rec_end(d);
}

/* Jobs start in the user's home; a home that does not exist (nobody's is
 * /nonexistent) is no reason to fail the job: "/" then, as for no home. */
static const char *job_workdir(const struct runner_user *u)
{
    struct stat st;
    if (u->home != NULL && stat(u->home, &st) == 0 && S_ISDIR(st.st_mode))
        return u->home;
    return "/";
}

/* A job run as another user (as root: --system, per-user files) must not
 * inherit the daemon's HOME, USER, LOGNAME and SHELL: they describe root.
 * Returns a filtered copy of the pointers (not the strings), or NULL. */
static char **inherited_for_other_user(char *const *environ_)
{
    static const char *const own[] = {"HOME=", "USER=", "LOGNAME=", "SHELL="};
    size_t n = 0;
    while (environ_[n] != NULL)
        n++;
    char **out = malloc((n + 1) * sizeof *out);
    size_t k = 0;
    for (size_t i = 0; out != NULL && i < n; i++) {
        bool skip = false;
        for (size_t o = 0; o < sizeof own / sizeof own[0]; o++)
            skip |= strncmp(environ_[i], own[o], strlen(own[o])) == 0;
        if (!skip)
            out[k++] = environ_[i];
    }
    if (out != NULL)
        out[k] = NULL;
    return out;
}

static char **job_env(const struct crond *d, const struct djob *j, const struct runner_user *u,
                      const char *shell)
{
    bool clean = d->opts->clean_env;
    if (clean || j->lj->user == NULL)
        return runner_env_build(clean ? NULL : d->cfg->environ, j->lj->entry->env, u, shell, clean);
    char **inherited = inherited_for_other_user(d->cfg->environ);
    if (inherited == NULL)
        return NULL;
    char **env = runner_env_build(inherited, j->lj->entry->env, u, shell, false);
    free(inherited);
    return env;
}

static void job_start(struct crond *d, struct djob *j)
{
    const struct crontab_entry *e = j->lj->entry;
    const struct runner_user *u = j->lj->user != NULL ? j->lj->user : d->cfg->self;
    const char *shell = e->shell != NULL && e->shell[0] != '\0' ? e->shell : d->opts->shell;
    char **env = job_env(d, j, u, shell);
    if (env == NULL) {
        log_job_error(d, j->lj->id, "out of memory");
        return;
    }
    const char *workdir = j->lj->workdir != NULL ? j->lj->workdir : job_workdir(u);
    struct runner_req req = {shell, e->command, e->input, env, workdir, j->lj->user,
                             d->nofile_soft, d->opts->no_new_privs};
    struct runner_child c;
    char err[512];
    int rc = runner_spawn(&req, &c, err, sizeof err);
    runner_env_free(env);
    if (rc != 0) {
        log_job_error(d, j->lj->id, err);
        return;
    }
    struct proc *p = proc_new(d, j, &c);
    rec_begin(d, LOG_LEVEL_INFO, "job.start");
    log_str(&d->log, "job", j->lj->id);
    log_int(&d->log, "pid", c.pid);
    log_str(&d->log, "cmd", e->command);
    rec_end(d);
    if (p == NULL) {
        log_job_error(d, j->lj->id, "out of memory: output of this run is not relayed");
        return;
    }
    j->last_start_ms = p->start_ms;
    sched_started(&j->sj);
}

static void log_skip(struct crond *d, const struct djob *j, const char *reason)
{
    rec_begin(d, LOG_LEVEL_WARN, "job.skip");
    log_str(&d->log, "job", j->lj->id);
    log_str(&d->log, "reason", reason);
    rec_end(d);
}

static void on_action(void *ctx, struct sched_job *sj, enum sched_action a)
{
    struct crond *d = ctx;
    struct djob *j = sj->data;
    if (d->stopping)
        return; /* nothing new starts once a stop began */
    switch (a) {
    case SCHED_START:
        job_start(d, j);
        break;
    case SCHED_SKIP:
        log_skip(d, j, "previous run still running");
        break;
    case SCHED_QUEUE:
        break;
    case SCHED_QUEUE_FULL:
        log_skip(d, j, "previous run still running and one run already queued");
        break;
    }
}

/* ------------------------------------------------------------------------ */
/* Clock steps                                                              */
/* ------------------------------------------------------------------------ */

/* Steps of the wall clock shorter than this are caught up (forward) or
 * waited out (backward); longer ones are taken as the new time. */
#define STEP_TRUST_MS (3LL * 3600 * 1000)
/* Differences below this are drift or NTP slewing, not a step. */
#define STEP_MIN_MS 1000

static int64_t mono_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void wake_arm(struct crond *d);
static void on_action(void *ctx, struct sched_job *sj, enum sched_action a);

/* How early libev may wake for a due time by rounding (it computes in
 * doubles and milliseconds); an earlier wake-up is not the due time. */
#define EARLY_WAKE_MS 50
/* Jobs started per wake-up: a burst of due jobs is started in slices of
 * this many (about 80 ms each), returning to the event loop between them so
 * that SIGTERM stops a burst of 1,000 at once, not after it. */
#define START_SLICE 64
/* Longer than libev's interpolation window (MIN_TIMEJUMP / 2 = 0.5 s). */
#define RESYNC_SECONDS 0.6

static void resync_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
    (void)loop;
    (void)revents;
    struct crond *d = container_of(w, struct crond, resync);
    sched_run_due(&d->sched, now_ms(), on_action, d);
    wake_arm(d);
}

/* Compares the wall clock with the monotonic one: a change of their
 * difference is a step of the wall clock (suspend, NTP, an operator). A DST
 * change is no step: UTC does not move, the calendar handles it. */
static bool clock_check(struct crond *d)
{
    int64_t off = now_ms() - mono_ms();
    int64_t step = off - d->clock_off;
    d->clock_off = off;
    if (step > -STEP_MIN_MS && step < STEP_MIN_MS)
        return false;
    const char *action;
    if (step >= STEP_TRUST_MS || step <= -STEP_TRUST_MS) {
        sched_replan(&d->sched, now_ms(), true);
        action = "replan";
    } else if (step > 0) {
        sched_replan(&d->sched, now_ms(), false);
        action = "catch-up";
    } else {
        action = "wait"; /* next times are kept: nothing runs twice */
    }
    rec_begin(d, LOG_LEVEL_WARN, "daemon.clock");
    log_int(&d->log, "step_ms", step);
    log_str(&d->log, "action", action);
    rec_end(d);
    /* libev reads the wall clock at most every half second and interpolates
     * with the monotonic one in between, so right after a step its idea of
     * "now" (which the periodic is measured against) can still be the old
     * time: run what is due now here, and plan again once libev has read
     * the clock anew. */
    sched_run_due(&d->sched, now_ms(), on_action, d);
    wake_arm(d);
    ev_timer_stop(d->loop, &d->resync);
    ev_timer_set(&d->resync, RESYNC_SECONDS, 0);
    ev_timer_start(d->loop, &d->resync);
    return true;
}

/* A timerfd armed far in the future with TFD_TIMER_CANCEL_ON_SET becomes
 * readable (ECANCELED) when the wall clock is set: real steps are seen at
 * once, without polling. */
static void tfd_arm(struct crond *d)
{
    struct itimerspec far = {.it_value = {.tv_sec = (time_t)INT32_MAX}};
    if (timerfd_settime(d->tfd, TFD_TIMER_ABSTIME | TFD_TIMER_CANCEL_ON_SET, &far, NULL) != 0)
        fprintf(stderr, "crond-lite: timerfd_settime: %s\n", strerror(errno));
}

static void tfd_cb(struct ev_loop *loop, ev_io *w, int revents)
{
    (void)loop;
    (void)revents;
    struct crond *d = container_of(w, struct crond, tfd_io);
    uint64_t ticks;
    while (read(d->tfd, &ticks, sizeof ticks) < 0 && errno == EINTR)
        ;
    tfd_arm(d);
    clock_check(d);
}

static void clock_start(struct crond *d)
{
    d->clock_off = now_ms() - mono_ms();
    ev_timer_init(&d->resync, resync_cb, RESYNC_SECONDS, 0);
    d->tfd = timerfd_create(CLOCK_REALTIME, TFD_NONBLOCK | TFD_CLOEXEC);
    if (d->tfd < 0) {
        fprintf(stderr, "crond-lite: timerfd: %s; clock steps seen at the next wake-up\n",
                strerror(errno));
        return;
    }
    tfd_arm(d);
    ev_io_init(&d->tfd_io, tfd_cb, d->tfd, EV_READ);
    ev_io_start(d->loop, &d->tfd_io);
}

static void clock_stop(struct crond *d)
{
    ev_timer_stop(d->loop, &d->resync);
    if (d->tfd < 0)
        return;
    ev_io_stop(d->loop, &d->tfd_io);
    if (close(d->tfd) != 0)
        fprintf(stderr, "crond-lite: close timerfd: %s\n", strerror(errno));
    d->tfd = -1;
}

/* ------------------------------------------------------------------------ */
/* Sleeping until the next due time                                         */
/* ------------------------------------------------------------------------ */

/* An absolute ev_periodic follows the wall clock: libev re-plans it when the
 * system time jumps, and nothing ticks while no job is due. */
static void wake_arm(struct crond *d)
{
    int64_t due = sched_next_due(&d->sched);
    ev_periodic_stop(d->loop, &d->wake);
    /* right after a clock step libev's "now" may be stale: the resync timer
     * arms the periodic once libev has read the clock again */
    if (due == SCHED_NEVER || d->stopping || ev_is_active(&d->resync))
        return;
    d->wake_ms = due;
    ev_periodic_set(&d->wake, (double)due / 1000.0, 0, 0);
    ev_periodic_start(d->loop, &d->wake);
}

static void wake_cb(struct ev_loop *loop, ev_periodic *w, int revents)
{
    (void)loop;
    (void)revents;
    struct crond *d = container_of(w, struct crond, wake);
    int64_t armed = d->wake_ms;
    /* libev may wake a hair early (double rounding): the due time counts,
     * unless the clock stepped (seen only now: libfaketime, no timerfd),
     * when only the new time does. */
    int64_t now = now_ms();
    if (clock_check(d))
        return; /* it ran what was due and planned again */
    if (now < armed - EARLY_WAKE_MS) {
        wake_arm(d); /* not due: libev's clock is off, see resync_cb */
        return;
    }
    if (now < armed)
        now = armed;
    /* what is still due is next: wake_arm sets a time in the past, which
     * libev runs after this loop iteration's signals */
    (void)sched_run_due_max(&d->sched, now, START_SLICE, on_action, d);
    wake_arm(d);
}

/* ------------------------------------------------------------------------ */
/* Jobs from crontabs, and reloads                                          */
/* ------------------------------------------------------------------------ */

/* What makes a job "the same" across a reload: file, schedule, user,
 * command, input, shell, zone and environment; not its line number. */
static char *key_put(char *p, const char *s, char sep)
{
    size_t n = s != NULL ? strlen(s) : 0;
    memcpy(p, s != NULL ? s : "", n);
    p[n] = s != NULL ? '+' : '-'; /* NULL and "" differ */
    p[n + 1] = sep;
    return p + n + 2;
}

static char *job_key(const struct loader_result *r, const struct loader_job *lj)
{
    const struct crontab_entry *e = lj->entry;
    const char *parts[] = {r->files[lj->file].path, e->schedule, e->user, e->command, e->input,
                           e->shell, e->tz};
    size_t len = 1;
    for (size_t i = 0; i < sizeof parts / sizeof parts[0]; i++)
        len += (parts[i] != NULL ? strlen(parts[i]) : 0) + 2;
    for (size_t i = 0; i < e->env->nvars; i++)
        len += strlen(e->env->vars[i]) + 2;
    char *key = malloc(len), *p = key;
    if (key == NULL)
        return NULL;
    for (size_t i = 0; i < sizeof parts / sizeof parts[0]; i++)
        p = key_put(p, parts[i], '\x1f');
    for (size_t i = 0; i < e->env->nvars; i++)
        p = key_put(p, e->env->vars[i], '\x1e');
    *p = '\0';
    return key;
}

static uint64_t key_hash(const char *key)
{
    uint64_t h = UINT64_C(14695981039346656037);
    for (const unsigned char *p = (const unsigned char *)key; *p != '\0'; p++)
        h = (h ^ *p) * UINT64_C(1099511628211);
    return h;
}

static const char *djob_path(const struct djob *j)
{
    return j->set->r.files[j->lj->file].path;
}

static int job_init(struct djob *j, struct tabset *t, const struct loader_job *lj,
                    enum overlap_policy overlap)
{
    *j = (struct djob){.set = t, .lj = lj};
    j->sj = (struct sched_job){.id = lj->id, .spec = &lj->entry->spec, .zone = lj->zone,
                               .overlap = lj->overlap >= 0 ? (enum overlap_policy)lj->overlap : overlap};
    j->key = job_key(&t->r, lj);
    if (j->key == NULL)
        return -1;
    j->hash = key_hash(j->key);
    return 0;
}

/* Does a load problem concern this file (its own path, or its directory)? */
static bool path_failed(const struct loader_result *r, const char *path)
{
    size_t plen = strlen(path);
    for (size_t i = 0; r->nerrors > 0 && i < r->ndiags; i++) {
        const struct loader_diag *g = &r->diags[i];
        size_t glen = strlen(g->file);
        if (g->severity != LOADER_ERROR)
            continue;
        if (strcmp(g->file, path) == 0 || (glen < plen && strncmp(g->file, path, glen) == 0
                                            && path[glen] == '/'))
            return true;
    }
    return false;
}

/* The job table after loading t: every job of t's valid files, and the old
 * jobs of files that are now invalid (their old version stays). */
static struct djob *jobs_merge(struct crond *d, struct tabset *t, size_t *out_n, size_t *out_stale)
{
    const struct loader_result *r = &t->r;
    size_t n = 0, k = 0;
    *out_stale = 0;
    for (size_t i = 0; i < r->njobs; i++)
        n += !path_failed(r, r->files[r->jobs[i].file].path);
    for (size_t i = 0; i < d->njobs; i++)
        *out_stale += path_failed(r, djob_path(&d->jobs[i]));
    struct djob *jobs = calloc(n + *out_stale + 1, sizeof *jobs);
    for (size_t i = 0; jobs != NULL && i < r->njobs; i++) {
        if (path_failed(r, r->files[r->jobs[i].file].path))
            continue;
        if (job_init(&jobs[k++], t, &r->jobs[i], d->opts->overlap) != 0)
            goto oom;
    }
    for (size_t i = 0; jobs != NULL && i < d->njobs; i++) {
        if (!path_failed(r, djob_path(&d->jobs[i])))
            continue;
        jobs[k] = d->jobs[i];
        jobs[k].stale = jobs[k].taken = false;
        if ((jobs[k++].key = strdup(d->jobs[i].key)) == NULL)
            goto oom;
    }
    *out_n = k;
    return jobs;
oom:
    while (k-- > 0)
        free(jobs[k].key);
    free(jobs);
    return NULL;
}

/* Frees the tabsets no job points into any more. */
static void sets_collect(struct crond *d)
{
    for (struct tabset *t = d->sets; t != NULL; t = t->next)
        t->refs = 0;
    for (size_t i = 0; i < d->njobs; i++)
        d->jobs[i].set->refs++;
    for (struct tabset **pt = &d->sets; *pt != NULL;) {
        struct tabset *t = *pt;
        if (t->refs > 0) {
            pt = &t->next;
            continue;
        }
        *pt = t->next;
        loader_result_free(&t->r);
        free(t);
    }
}

static void jobs_free(struct djob *jobs, size_t n)
{
    for (size_t i = 0; i < n; i++)
        free(jobs[i].key);
    free(jobs);
}

/* Keys share long prefixes (the file's path): order by hash first. */
static int cmp_djob_key(const void *a, const void *b)
{
    const struct djob *x = *(struct djob *const *)a, *y = *(struct djob *const *)b;
    if (x->hash != y->hash)
        return x->hash < y->hash ? -1 : 1;
    return strcmp(x->key, y->key);
}

/* Moves the state of old job o to its replacement n. */
static void job_keep(struct crond *d, struct djob *o, struct djob *n)
{
    n->sj.next_ms = o->sj.next_ms;
    n->sj.running = o->sj.running;
    n->sj.queued = o->sj.queued;
    n->last_start_ms = o->last_start_ms;
    n->last_exit_ms = o->last_exit_ms;
    n->last_wstatus = o->last_wstatus;
    for (struct proc *p = d->procs; p != NULL; p = p->next) {
        if (p->job == o) {
            p->job = n;
            free(p->id);
            p->id = strdup(n->lj->id); /* the line may have moved */
        }
    }
    o->taken = true; /* a duplicate line matches another old job */
}

/* Finds in sorted old jobs an untaken job with n's key. */
static struct djob *job_match(struct djob **sorted, size_t nold, const struct djob *n)
{
    const struct djob *keyp = n;
    /* an array of pointers: NOLINTNEXTLINE(bugprone-sizeof-expression) */
    struct djob **hit = bsearch(&keyp, sorted, nold, sizeof *sorted, cmp_djob_key);
    if (hit == NULL)
        return NULL;
    while (hit > sorted && cmp_djob_key(hit - 1, &keyp) == 0)
        hit--;
    for (; hit < sorted + nold && cmp_djob_key(hit, &keyp) == 0; hit++) {
        if (!(*hit)->taken)
            return *hit;
    }
    return NULL;
}

struct reload_count {
    size_t added, removed, kept;
};

/* Replaces the job table: kept jobs keep their due time and processes, new
 * ones are planned from now, removed ones leave their processes running. */
static int jobs_replace(struct crond *d, struct djob *jobs, size_t n, struct reload_count *out)
{
    /* an array of pointers: NOLINTNEXTLINE(bugprone-sizeof-expression) */
    struct djob **sorted = malloc((d->njobs ? d->njobs : 1) * sizeof *sorted);
    if (sorted == NULL)
        return -1;
    for (size_t i = 0; i < d->njobs; i++) {
        sorted[i] = &d->jobs[i];
        d->jobs[i].stale = true;
    }
    /* an array of pointers: NOLINTNEXTLINE(bugprone-sizeof-expression) */
    qsort(sorted, d->njobs, sizeof *sorted, cmp_djob_key);
    struct sched fresh;
    sched_init(&fresh, d->sched.origin_ms);
    sched_set_clock(&fresh, d->sched.clock);
    int64_t now = now_ms();
    *out = (struct reload_count){0, 0, 0};
    int rc = 0;
    for (size_t i = 0; i < n; i++)
        jobs[i].sj.data = &jobs[i];
    for (size_t i = 0; i < n && rc == 0; i++) {
        struct djob *o = job_match(sorted, d->njobs, &jobs[i]);
        if (o != NULL) {
            job_keep(d, o, &jobs[i]);
            out->kept++;
            rc = sched_insert(&fresh, &jobs[i].sj);
        } else {
            out->added++;
            rc = sched_add(&fresh, &jobs[i].sj, now);
        }
    }
    free(sorted);
    if (rc != 0) {
        sched_free(&fresh);
        return -1;
    }
    out->removed = d->njobs - out->kept;
    for (struct proc *p = d->procs; p != NULL; p = p->next) {
        if (p->job != NULL && p->job->stale)
            p->job = NULL; /* removed: its run is left to finish */
    }
    sched_free(&d->sched);
    d->sched = fresh;
    return 0;
}

static struct loader_opts load_opts(const struct crond *d)
{
    const struct daemon_cfg *c = d->cfg;
    return (struct loader_opts){
        .system = d->opts->system,
        .percent_newline = d->opts->percent_newline,
        .ini_path = d->opts->config,
        .default_zone = c->default_zone,
        .zones = c->zones,
        .now = now_ms() / 1000,
        .as_root = geteuid() == 0,
        .uid = (unsigned)geteuid(),
    };
}

static const char *const *crontab_paths(const struct options *o, size_t *out_n)
{
    static const char *const default_paths[] = {OPTIONS_DEFAULT_FILE};
    *out_n = o->nfiles > 0 ? o->nfiles : 1;
    return o->nfiles > 0 ? o->files : default_paths;
}

static void log_reload_failed(struct crond *d, const char *msg)
{
    rec_begin(d, LOG_LEVEL_ERROR, "daemon.reload");
    log_str(&d->log, "status", "failed");
    log_str(&d->log, "msg", msg);
    rec_end(d);
}

static void watch_paths(struct crond *d);
static uint64_t crontabs_digest(const struct crond *d);

/* Reads every crontab again (SIGHUP, or files changed: then `quiet` logs
 * daemon.reload only when something changed). */
static void reload(struct crond *d, bool quiet)
{
    int64_t t0 = mono_us();
    size_t npaths, n = 0, stale = 0;
    const char *const *paths = crontab_paths(d->opts, &npaths);
    struct loader_opts lo = load_opts(d);
    d->digest = crontabs_digest(d);
    struct tabset *t = calloc(1, sizeof *t);
    if (t == NULL || loader_load(paths, npaths, &lo, &t->r) != 0) {
        if (t != NULL)
            loader_result_free(&t->r);
        free(t);
        log_reload_failed(d, "out of memory: the previous jobs stay");
        return;
    }
    log_diags(d, &t->r);
    struct djob *jobs = jobs_merge(d, t, &n, &stale);
    struct reload_count cnt;
    if (jobs == NULL || jobs_replace(d, jobs, n, &cnt) != 0) {
        if (jobs != NULL)
            jobs_free(jobs, n);
        loader_result_free(&t->r);
        free(t);
        log_reload_failed(d, "out of memory: the previous jobs stay");
        return;
    }
    size_t nerrors = t->r.nerrors; /* t is freed below when no job kept it */
    jobs_free(d->jobs, d->njobs);
    d->jobs = jobs;
    d->njobs = n;
    t->next = d->sets;
    d->sets = t;
    sets_collect(d);
    watch_paths(d);
    if (!quiet || cnt.added > 0 || cnt.removed > 0 || nerrors > 0) {
        rec_begin(d, nerrors > 0 ? LOG_LEVEL_WARN : LOG_LEVEL_INFO, "daemon.reload");
        log_int(&d->log, "jobs", (int64_t)d->njobs);
        log_int(&d->log, "added", (int64_t)(cnt.added));
        log_int(&d->log, "removed", (int64_t)cnt.removed);
        log_int(&d->log, "kept", (int64_t)cnt.kept);
        if (nerrors > 0)
            log_int(&d->log, "invalid_kept", (int64_t)stale);
        log_int(&d->log, "duration_us", mono_us() - t0);
        rec_end(d);
    }
    wake_arm(d);
}

/* ------------------------------------------------------------------------ */
/* Watching the crontab files (inotify)                                     */
/* ------------------------------------------------------------------------ */

/* Changes to watch in each directory: new, removed and renamed names (editors
 * that save by rename, the ConfigMap ..data swap), writes in place (cp over
 * a file), mode changes, and the directory itself going away. */
#define WATCH_MASK (IN_CREATE | IN_DELETE | IN_MOVED_FROM | IN_MOVED_TO | IN_CLOSE_WRITE \
                    | IN_MODIFY | IN_ATTRIB | IN_DELETE_SELF | IN_MOVE_SELF)
/* Editors and kubelet make several changes in a row: reload once they stop. */
#define SETTLE_SECONDS 0.2

/* A directory given with -f is watched itself; a file is watched through its
 * directory, so a rename over it (or of a symlink it goes through) is seen.
 * Adding a watch twice returns the same one, so this runs after every
 * reload and picks up directories that were replaced. */
static void watch_path(struct crond *d, const char *path)
{
    char dir[4096];
    struct stat st;
    int len = snprintf(dir, sizeof dir, "%s", path);
    if (len < 0 || (size_t)len >= sizeof dir)
        return;
    if (stat(dir, &st) != 0 || !S_ISDIR(st.st_mode)) {
        char *slash = strrchr(dir, '/');
        if (slash == NULL)
            snprintf(dir, sizeof dir, ".");
        else
            slash[slash == dir] = '\0';
    }
    if (inotify_add_watch(d->ino_fd, dir, WATCH_MASK) < 0)
        fprintf(stderr, "crond-lite: watch %s: %s\n", dir, strerror(errno));
}

static void watch_paths(struct crond *d)
{
    if (d->ino_fd < 0)
        return;
    size_t npaths;
    const char *const *paths = crontab_paths(d->opts, &npaths);
    for (size_t i = 0; i < npaths; i++)
        watch_path(d, paths[i]);
    if (d->opts->config != NULL)
        watch_path(d, d->opts->config); /* its [job] sections reload too */
}

static uint64_t fnv(uint64_t h, const void *data, size_t len)
{
    const unsigned char *p = data;
    for (size_t i = 0; i < len; i++)
        h = (h ^ p[i]) * UINT64_C(1099511628211);
    return h;
}

static uint64_t fnv_stat(uint64_t h, const char *path)
{
    struct stat st;
    if (stat(path, &st) != 0)
        return fnv(h, "-", 1);
    int64_t v[] = {(int64_t)st.st_dev, (int64_t)st.st_ino, (int64_t)st.st_size,
                   (int64_t)st.st_mode, st.st_mtim.tv_sec, st.st_mtim.tv_nsec,
                   st.st_ctim.tv_sec, st.st_ctim.tv_nsec};
    return fnv(h, v, sizeof v);
}

/* A digest of what the loader would read: each path's identity, size,
 * times and mode, and for a directory each crontab name in it. A watched
 * directory also sees changes of files that are no crontab (a log written
 * next to a crontab named with -f): those must not cause reloads. */
static uint64_t crontabs_digest(const struct crond *d)
{
    size_t npaths;
    const char *const *paths = crontab_paths(d->opts, &npaths);
    uint64_t h = UINT64_C(14695981039346656037);
    for (size_t i = 0; i < npaths; i++) {
        h = fnv_stat(fnv(h, paths[i], strlen(paths[i]) + 1), paths[i]);
        DIR *dir = opendir(paths[i]);
        if (dir == NULL)
            continue;
        struct dirent *de;
        while ((de = readdir(dir)) != NULL) {
            char path[4096];
            if (loader_name_skipped(de->d_name)
                || (size_t)snprintf(path, sizeof path, "%s/%s", paths[i], de->d_name) >= sizeof path)
                continue;
            /* readdir order is stable for an unchanged directory */
            h = fnv_stat(fnv(h, de->d_name, strlen(de->d_name) + 1), path);
        }
        if (closedir(dir) != 0)
            fprintf(stderr, "crond-lite: closedir %s: %s\n", paths[i], strerror(errno));
    }
    if (d->opts->config != NULL)
        h = fnv_stat(h, d->opts->config);
    return h;
}

static void settle_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
    (void)loop;
    (void)revents;
    struct crond *d = container_of(w, struct crond, settle);
    if (!d->stopping && crontabs_digest(d) != d->digest)
        reload(d, true);
}

/* Reads the pending events; true when one concerns a crontab (any watch
 * but libfaketime's). */
static bool inotify_drain(struct crond *d, bool *out_clock)
{
    char buf[4096] __attribute__((aligned(__alignof__(struct inotify_event))));
    bool crontab = false;
    for (;;) {
        ssize_t n = read(d->ino_fd, buf, sizeof buf);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return crontab;
        for (char *p = buf; p < buf + n;) {
            const struct inotify_event *ev = (const struct inotify_event *)(void *)p;
            if (ev->wd == d->fake_wd && d->fake_wd >= 0)
                *out_clock = true;
            else
                crontab = true;
            p += sizeof *ev + ev->len;
        }
    }
}

static void inotify_cb(struct ev_loop *loop, ev_io *w, int revents)
{
    (void)revents;
    struct crond *d = container_of(w, struct crond, ino_io);
    bool clock = false;
    bool crontab = inotify_drain(d, &clock);
    if (clock)
        clock_check(d);
    if (!crontab)
        return;
    ev_timer_stop(loop, &d->settle);
    ev_timer_set(&d->settle, SETTLE_SECONDS, 0);
    ev_timer_start(loop, &d->settle);
}

static void watch_start(struct crond *d)
{
    d->ino_fd = -1;
    d->fake_wd = -1;
    ev_timer_init(&d->settle, settle_cb, SETTLE_SECONDS, 0);
    if (d->opts->no_reload)
        return;
    d->ino_fd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
    if (d->ino_fd < 0) {
        fprintf(stderr, "crond-lite: inotify: %s; changed crontabs need SIGHUP\n", strerror(errno));
        return;
    }
    ev_io_init(&d->ino_io, inotify_cb, d->ino_fd, EV_READ);
    ev_io_start(d->loop, &d->ino_io);
    watch_paths(d);
    /* Under libfaketime a "clock step" is a rewrite of its timestamp file
     * and moves no kernel clock: watching the file lets tests step the
     * clock of a sleeping daemon the way settimeofday would. */
    const char *fake = getenv("FAKETIME_TIMESTAMP_FILE");
    if (fake != NULL && fake[0] != '\0')
        d->fake_wd = inotify_add_watch(d->ino_fd, fake, IN_CLOSE_WRITE | IN_MODIFY | IN_ATTRIB);
}

static void watch_stop(struct crond *d)
{
    ev_timer_stop(d->loop, &d->settle);
    if (d->ino_fd < 0)
        return;
    ev_io_stop(d->loop, &d->ino_io);
    if (close(d->ino_fd) != 0)
        fprintf(stderr, "crond-lite: close inotify: %s\n", strerror(errno));
    d->ino_fd = -1;
}

/* ------------------------------------------------------------------------ */
/* Status (SIGUSR1)                                                         */
/* ------------------------------------------------------------------------ */

static void job_status(struct crond *d, const struct djob *j)
{
    char pids[256] = "";
    size_t used = 0;
    for (const struct proc *p = d->procs; p != NULL; p = p->next) {
        if (p->job == j && !p->exited && used < sizeof pids - 16)
            used += (size_t)snprintf(pids + used, sizeof pids - used, "%s%d", used ? " " : "", (int)p->pid);
    }
    rec_begin(d, LOG_LEVEL_INFO, "job.status");
    log_str(&d->log, "job", j->lj->id);
    log_str(&d->log, "schedule", j->lj->entry->schedule);
    log_str(&d->log, "zone", zone_name(j->lj->zone));
    rec_time(d, "next", j->sj.next_ms, j->lj->zone);
    log_str(&d->log, "pids", pids);
    if (j->last_exit_ms != 0) {
        if (WIFSIGNALED(j->last_wstatus))
            log_str(&d->log, "last_signal", signal_name(WTERMSIG(j->last_wstatus)));
        else
            log_int(&d->log, "last_status", WEXITSTATUS(j->last_wstatus));
        rec_time(d, "last_exit", j->last_exit_ms, j->lj->zone);
    }
    rec_end(d);
}

/* ------------------------------------------------------------------------ */
/* Signals and stopping                                                     */
/* ------------------------------------------------------------------------ */

/* Signals a job's whole process group: the job and what it started. */
static void proc_kill(struct crond *d, struct proc *p, int sig, const char *reason)
{
    if (kill(-p->pid, sig) != 0)
        return; /* ESRCH: nothing of that group is left */
    if (p->exited)
        return; /* a leftover grandchild: no job record */
    rec_begin(d, LOG_LEVEL_WARN, "job.kill");
    log_str(&d->log, "job", p->id);
    log_int(&d->log, "pid", p->pid);
    log_str(&d->log, "signal", signal_name(sig));
    log_str(&d->log, "reason", reason);
    rec_end(d);
}

static void kill_all(struct crond *d, int sig)
{
    for (struct proc *p = d->procs; p != NULL; p = p->next)
        proc_kill(d, p, sig, sig == SIGKILL ? "grace" : "stop");
}

static void grace_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
    (void)loop;
    (void)revents;
    kill_all(container_of(w, struct crond, grace), SIGKILL);
}

static void stop_begin(struct crond *d, const char *why)
{
    d->stopping = true;
    ev_periodic_stop(d->loop, &d->wake);
    rec_begin(d, LOG_LEVEL_INFO, "daemon.stop");
    log_str(&d->log, "signal", why);
    log_int(&d->log, "running", (int64_t)d->nalive);
    rec_end(d);
    kill_all(d, SIGTERM);
    if (d->nalive == 0) {
        ev_break(d->loop, EVBREAK_ALL);
        return;
    }
    ev_timer_set(&d->grace, (double)d->opts->grace_ms / 1000.0, 0);
    ev_timer_start(d->loop, &d->grace);
}

static void signal_cb(struct ev_loop *loop, ev_signal *w, int revents)
{
    (void)loop;
    (void)revents;
    struct crond *d = w->data;
    switch (w->signum) {
    case SIGTERM:
    case SIGINT:
        if (!d->stopping)
            stop_begin(d, signal_name(w->signum));
        else
            kill_all(d, SIGKILL); /* a second stop signal: no more grace */
        break;
    case SIGHUP:
        if (!d->stopping)
            reload(d, false);
        break;
    case SIGUSR1:
        for (size_t i = 0; i < d->njobs; i++)
            job_status(d, &d->jobs[i]);
        break;
    }
}

static void signals_start(struct crond *d)
{
    static const int sigs[] = {SIGTERM, SIGINT, SIGHUP, SIGUSR1};
    for (size_t i = 0; i < sizeof sigs / sizeof sigs[0]; i++) {
        ev_signal_init(&d->sig[i], signal_cb, sigs[i]);
        /* before the wake-up of a burst's next slice */
        ev_set_priority(&d->sig[i], EV_MAXPRI);
        d->sig[i].data = d;
        ev_signal_start(d->loop, &d->sig[i]);
    }
}

/* ------------------------------------------------------------------------ */
/* Start and end                                                            */
/* ------------------------------------------------------------------------ */

static void log_start(struct crond *d, const char *const *paths, size_t npaths)
{
    char files[1024] = "";
    size_t used = 0;
    for (size_t i = 0; i < npaths && used < sizeof files; i++)
        used += (size_t)snprintf(files + used, sizeof files - used, "%s%s", i ? " " : "", paths[i]);
    rec_begin(d, LOG_LEVEL_INFO, "daemon.start");
    log_str(&d->log, "version", CROND_VERSION);
    log_str(&d->log, "files", files);
    log_int(&d->log, "jobs", (int64_t)d->njobs);
    log_str(&d->log, "user", d->cfg->self->name);
    log_int(&d->log, "uid", (int64_t)d->cfg->self->uid);
    log_str(&d->log, "zone", zone_name(d->cfg->default_zone));
    rec_time(d, "next", sched_next_due(&d->sched), d->cfg->default_zone);
    rec_end(d);
}

/* As root, whatever still runs as root is said once at start: one record
 * naming the first such jobs, not one per job (10,000 jobs, 10,000 lines). */
static void warn_root_jobs(struct crond *d)
{
    if (geteuid() != 0)
        return;
    char ids[512] = "";
    size_t n = 0, used = 0;
    const struct djob *first = NULL;
    for (size_t i = 0; i < d->njobs; i++) {
        const struct loader_job *lj = d->jobs[i].lj;
        if (lj->user != NULL)
            continue;
        if (first == NULL)
            first = &d->jobs[i];
        if (++n <= 5)
            used += (size_t)snprintf(ids + used, sizeof ids - used, "%s%s", n > 1 ? " " : "", lj->id);
    }
    if (first == NULL)
        return;
    char msg[768];
    snprintf(msg, sizeof msg, "%zu job%s run as root: %s%s (use --user, --system or per-user "
             "crontab files)", n, n == 1 ? "" : "s", ids, n > 5 ? " ..." : "");
    rec_begin(d, LOG_LEVEL_WARN, "config.error");
    log_str(&d->log, "file", djob_path(first));
    log_int(&d->log, "line", first->lj->entry->line);
    log_int(&d->log, "col", first->lj->entry->col);
    log_str(&d->log, "msg", msg);
    rec_end(d);
}

static int daemon_setup(struct crond *d)
{
    size_t npaths;
    const char *const *paths = crontab_paths(d->opts, &npaths);
    struct loader_opts lo = load_opts(d);
    struct tabset *t = calloc(1, sizeof *t);
    if (t == NULL)
        return -1;
    d->sets = t;
    d->digest = crontabs_digest(d);
    int rc = loader_load(paths, npaths, &lo, &t->r);
    log_diags(d, &t->r);
    if (rc != 0 || t->r.nerrors > 0) {
        fprintf(stderr, "crond-lite: %zu problem%s in the crontabs; not starting\n",
                t->r.nerrors, t->r.nerrors == 1 ? "" : "s");
        return -1;
    }
    d->jobs = calloc(t->r.njobs + 1, sizeof *d->jobs);
    if (d->jobs == NULL)
        return -1;
    for (size_t i = 0; i < t->r.njobs; i++) {
        struct djob *j = &d->jobs[d->njobs];
        if (job_init(j, t, &t->r.jobs[i], d->opts->overlap) != 0)
            return -1;
        d->njobs++;
        j->sj.data = j;
        if (sched_add(&d->sched, &j->sj, d->sched.origin_ms) != 0)
            return -1;
    }
    log_start(d, paths, npaths);
    warn_root_jobs(d);
    return 0;
}

/* Each job started in a burst holds two pipe ends until the loop reads
 * them: 1,000 jobs due in one second need 2,000 fds, over the usual soft
 * limit of 1024. The soft limit is raised to the hard one; jobs get the
 * original back (runner). */
static void raise_nofile(struct crond *d)
{
    struct rlimit rl;
    d->nofile_soft = 0;
    if (getrlimit(RLIMIT_NOFILE, &rl) != 0 || rl.rlim_cur >= rl.rlim_max)
        return;
    rlim_t old = rl.rlim_cur;
    rl.rlim_cur = rl.rlim_max;
    if (setrlimit(RLIMIT_NOFILE, &rl) != 0) {
        fprintf(stderr, "crond-lite: setrlimit NOFILE: %s\n", strerror(errno));
        return;
    }
    d->nofile_soft = (long)old;
}

/* Children of jobs that daemonise are re-parented to us instead of to PID 1
 * (when we are not PID 1 ourselves), so we reap them. */
static void become_subreaper(void)
{
    if (getpid() != 1 && prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) != 0)
        fprintf(stderr, "crond-lite: PR_SET_CHILD_SUBREAPER: %s\n", strerror(errno));
}

/* After the loop: what is left in the pipes of exited jobs is logged. */
static void drain_all(struct crond *d)
{
    struct proc *next;
    for (struct proc *p = d->procs; p != NULL; p = next) {
        next = p->next; /* p is freed below */
        for (int i = 0; i < 2; i++) {
            if (p->out[i].open) {
                stream_read(&p->out[i], 16);
                stream_close(&p->out[i]);
            }
        }
        if (!p->exited) {
            ev_child_stop(d->loop, &p->child);
            ev_timer_stop(d->loop, &p->timeout);
            p->exited = true;
        }
        proc_free_if_done(p);
    }
}

int daemon_run(const struct daemon_cfg *cfg)
{
    struct crond *d = calloc(1, sizeof *d);
    if (d == NULL)
        return 1;
    d->cfg = cfg;
    d->opts = cfg->opts;
    log_init(&d->log, cfg->log_fd, d->opts->log_format, d->opts->log_level);
    d->loop = ev_default_loop(EVFLAG_AUTO);
    if (d->loop == NULL) {
        fprintf(stderr, "crond-lite: cannot start the event loop\n");
        free(d);
        return 1;
    }
    /* a closed stdout is an EPIPE to handle, not a death */
    struct sigaction ign = {.sa_handler = SIG_IGN};
    if (sigaction(SIGPIPE, &ign, NULL) != 0)
        fprintf(stderr, "crond-lite: sigaction(SIGPIPE): %s\n", strerror(errno));
    become_subreaper();
    raise_nofile(d);
    sched_init(&d->sched, now_ms());
    sched_set_clock(&d->sched, now_ms);
    ev_periodic_init(&d->wake, wake_cb, 0, 0, 0);
    ev_timer_init(&d->grace, grace_cb, 0, 0);
    signals_start(d);
    watch_start(d);
    clock_start(d);
    if (daemon_setup(d) == 0) {
        /* a stop may have begun already (stdout unwritable at daemon.start):
         * ev_run would cancel its ev_break and run on */
        if (!d->stopping)
            wake_arm(d);
        if (!d->stopping || d->nalive > 0)
            ev_run(d->loop, 0);
    } else {
        d->status = 1;
    }
    watch_stop(d);
    clock_stop(d);
    drain_all(d);
    int status = d->status;
    sched_free(&d->sched);
    jobs_free(d->jobs, d->njobs);
    d->jobs = NULL;
    d->njobs = 0;
    sets_collect(d);
    ev_loop_destroy(d->loop);
    free(d);
    return status;
}
