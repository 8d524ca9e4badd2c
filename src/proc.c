/* proc: one running job as a state machine (see proc.h for the diagram).
 *
 * Every event goes through proc_event: the table gives the next state and
 * the one action to take; the action functions are the only places that
 * signal a process or log its exit. Records: job.start, job.output (one per
 * line of either pipe; with --output raw the line itself instead), job.exit,
 * job.kill.
 */
#include "crond/proc.h"

#include <dirent.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "crond/civil.h"
#include "crond/crontab.h"
#include "crond/log.h"
#include "crond/runner.h"
#include "crond/timefmt.h"
#include "crond/user.h"

/* What the exit drains from each pipe before job.exit, so a job's last
 * lines come before its exit (a pipe holds 64 KiB; a grandchild writing on
 * is read later). */
#define EXIT_READS 64
/* What proc_release reads from a pipe at the very end. */
#define RELEASE_READS 16

static const char *const stream_name[2] = {"stdout", "stderr"};

/* ------------------------------------------------------------------------ */
/* The table                                                                */
/* ------------------------------------------------------------------------ */

enum action {
    A_NONE,
    A_EXIT,        /* log job.exit, tell the host */
    A_EXIT_TERM,   /* the same, then SIGTERM what is left of its group: a
                    * child forked after the first SIGTERM never had one */
    A_EXIT_KILL,   /* the same with SIGKILL */
    A_TERM,        /* SIGTERM to the group, SIGKILL at now + grace */
    A_KILL,        /* SIGKILL to the group */
    A_GROUP_TERM,  /* the leader is gone: SIGTERM what is left of its group */
    A_GROUP_KILL,
};

static const struct step {
    enum proc_state next;
    enum action act;
} table[PROC_NSTATES][PROC_NEVENTS] = {
    [PROC_RUNNING] = {
        [PROC_EV_EXIT] = {PROC_DRAIN, A_EXIT},
        [PROC_EV_DEADLINE] = {PROC_TERM, A_TERM},   /* its timeout */
        [PROC_EV_STOP] = {PROC_TERM, A_TERM},
        [PROC_EV_FORCE] = {PROC_KILL, A_KILL},
        [PROC_EV_CLOSED] = {PROC_RUNNING, A_NONE},  /* it closed its stdout */
    },
    [PROC_TERM] = {
        [PROC_EV_EXIT] = {PROC_DRAIN, A_EXIT_TERM},
        [PROC_EV_DEADLINE] = {PROC_KILL, A_KILL},   /* the grace is over */
        [PROC_EV_STOP] = {PROC_TERM, A_NONE},       /* has had its SIGTERM */
        [PROC_EV_FORCE] = {PROC_KILL, A_KILL},
        [PROC_EV_CLOSED] = {PROC_TERM, A_NONE},
    },
    [PROC_KILL] = {
        [PROC_EV_EXIT] = {PROC_DRAIN, A_EXIT_KILL},
        [PROC_EV_DEADLINE] = {PROC_KILL, A_NONE},
        [PROC_EV_STOP] = {PROC_KILL, A_NONE},
        [PROC_EV_FORCE] = {PROC_KILL, A_NONE},
        [PROC_EV_CLOSED] = {PROC_KILL, A_NONE},
    },
    [PROC_DRAIN] = {
        [PROC_EV_EXIT] = {PROC_DRAIN, A_NONE},
        [PROC_EV_DEADLINE] = {PROC_DRAIN, A_NONE},
        [PROC_EV_STOP] = {PROC_DRAIN, A_GROUP_TERM}, /* who holds its pipes */
        [PROC_EV_FORCE] = {PROC_DRAIN, A_GROUP_KILL},
        [PROC_EV_CLOSED] = {PROC_DONE, A_NONE},
    },
    [PROC_DONE] = {
        [PROC_EV_EXIT] = {PROC_DONE, A_NONE},
        [PROC_EV_DEADLINE] = {PROC_DONE, A_NONE},
        [PROC_EV_STOP] = {PROC_DONE, A_NONE},
        [PROC_EV_FORCE] = {PROC_DONE, A_NONE},
        [PROC_EV_CLOSED] = {PROC_DONE, A_NONE},
    },
};

enum proc_state proc_next(enum proc_state s, enum proc_event ev)
{
    return table[s][ev].next;
}

/* ------------------------------------------------------------------------ */
/* Records                                                                  */
/* ------------------------------------------------------------------------ */

static const struct {
    int sig;
    const char *name;
} signal_names[] = {
    {SIGHUP, "SIGHUP"}, {SIGINT, "SIGINT"}, {SIGQUIT, "SIGQUIT"}, {SIGILL, "SIGILL"},
    {SIGTRAP, "SIGTRAP"}, {SIGABRT, "SIGABRT"}, {SIGBUS, "SIGBUS"}, {SIGFPE, "SIGFPE"},
    {SIGKILL, "SIGKILL"}, {SIGUSR1, "SIGUSR1"}, {SIGSEGV, "SIGSEGV"}, {SIGUSR2, "SIGUSR2"},
    {SIGPIPE, "SIGPIPE"}, {SIGALRM, "SIGALRM"}, {SIGTERM, "SIGTERM"}, {SIGXCPU, "SIGXCPU"},
    {SIGXFSZ, "SIGXFSZ"}, {SIGSYS, "SIGSYS"},
};

const char *proc_signal_name(int sig)
{
    for (size_t i = 0; i < sizeof signal_names / sizeof signal_names[0]; i++)
        if (signal_names[i].sig == sig)
            return signal_names[i].name;
    return "SIGUNKNOWN";
}

/* Starts a record about p: job and pid come first in every one. from: the
 * job stream the record carries a line of (routing, log.h). */
static struct log *rec_from(const struct proc *p, int64_t now, enum log_level level,
                            const char *event, enum log_stream from)
{
    struct log *l = p->host->log;
    log_begin_stream(l, now, level, event, from);
    log_str(l, "job", p->id);
    log_int(l, "pid", p->pid);
    return l;
}

static struct log *rec(const struct proc *p, int64_t now, enum log_level level, const char *event)
{
    return rec_from(p, now, level, event, LOG_STREAM_OUT);
}

struct emit {
    struct proc *p;
    int i;
    int64_t now;
};

/* One line, or one piece of a longer one: a piece is a line of its own in
 * both modes (raw adds its newline), so newline is not needed. */
static void emit_line(void *ctx, const char *line, size_t len, bool newline)
{
    const struct emit *e = ctx;
    enum log_stream from = e->i == 0 ? LOG_STREAM_OUT : LOG_STREAM_ERR;
    (void)newline;
    if (e->p->host->relayed != NULL)
        e->p->host->relayed(e->p->host->ctx, e->p, e->i);
    if (e->p->tail != NULL)
        relay_tail_add(e->p->tail, line, len);
    if (e->p->host->output == LOG_OUTPUT_RAW) {
        log_raw(e->p->host->log, from, line, len);
        return;
    }
    struct log *l = rec_from(e->p, e->now, LOG_LEVEL_INFO, "job.output", from);
    log_str(l, "stream", stream_name[e->i]);
    log_strn(l, "msg", line, len);
    log_end(l);
}

/* ------------------------------------------------------------------------ */
/* Actions                                                                  */
/* ------------------------------------------------------------------------ */

/* Signals the run's whole process group: the job and what it started. */
static void group_signal(struct proc *p, int sig, const char *reason, int64_t now)
{
    if (kill(-p->pid, sig) != 0 || reason == NULL)
        return; /* ESRCH: nothing of that group is left */
    struct log *l = rec(p, now, LOG_LEVEL_WARN, "job.kill");
    log_str(l, "signal", proc_signal_name(sig));
    log_str(l, "reason", reason);
    log_end(l);
}

/* The level of job.start and job.exit: debug for a job written with
 * cronie's '-' ("do not log"); its output is relayed all the same. */
static enum log_level run_level(const struct proc *p)
{
    return p->quiet ? LOG_LEVEL_DEBUG : LOG_LEVEL_INFO;
}

static void log_exit(struct proc *p, int64_t now)
{
    struct log *l = rec(p, now, run_level(p), "job.exit");
    if (WIFSIGNALED(p->wstatus))
        log_str(l, "signal", proc_signal_name(WTERMSIG(p->wstatus)));
    else
        log_int(l, "status", WEXITSTATUS(p->wstatus));
    log_int(l, "duration_ms", now - p->start_ms);
    log_end(l);
}

static void act(struct proc *p, enum action a, enum proc_event ev, int64_t now)
{
    switch (a) {
    case A_NONE:
        break;
    case A_EXIT:
    case A_EXIT_TERM:
    case A_EXIT_KILL:
        p->deadline_ms = 0;
        log_exit(p, now);
        if (a != A_EXIT)
            group_signal(p, a == A_EXIT_TERM ? SIGTERM : SIGKILL, NULL, now);
        if (p->host->exited != NULL)
            p->host->exited(p->host->ctx, p);
        break;
    case A_TERM:
        p->timed_out = ev == PROC_EV_DEADLINE;
        p->deadline_ms = now + p->host->grace_ms;
        group_signal(p, SIGTERM, p->timed_out ? "timeout" : "stop", now);
        break;
    case A_KILL:
        p->deadline_ms = 0;
        group_signal(p, SIGKILL, p->timed_out && ev == PROC_EV_DEADLINE ? "timeout" : "grace", now);
        break;
    case A_GROUP_TERM:
        group_signal(p, SIGTERM, NULL, now); /* a leftover grandchild: no record */
        break;
    case A_GROUP_KILL:
        group_signal(p, SIGKILL, NULL, now);
        break;
    }
}

static bool pipes_closed(const struct proc *p)
{
    return p->out[0].fd < 0 && p->out[1].fd < 0;
}

static void proc_event(struct proc *p, enum proc_event ev, int64_t now)
{
    const struct step *s = &table[p->state][ev];
    p->state = s->next;
    act(p, s->act, ev, now);
    /* an exit after both pipes closed ends the run at once */
    if (p->state == PROC_DRAIN && pipes_closed(p))
        p->state = PROC_DONE;
}

/* ------------------------------------------------------------------------ */
/* The run                                                                  */
/* ------------------------------------------------------------------------ */

static void log_error(const struct proc_host *h, int64_t now, const char *id, const char *msg)
{
    log_begin(h->log, now, LOG_LEVEL_ERROR, "job.error");
    log_str(h->log, "job", id);
    log_str(h->log, "msg", msg);
    log_end(h->log);
}

/* Nothing runs: job.error, then the host's failed. */
static void spawn_failed(const struct proc_host *h, int64_t now, const struct proc_job *job,
                         const char *msg)
{
    log_error(h, now, job->id, msg);
    if (h->failed != NULL)
        h->failed(h->ctx, job, msg);
}

/* The run of a spawned child: pid (its group) and the read ends of its
 * stdout and stderr (closed by proc_stream_close or proc_release). */
static int proc_start(struct proc *p, struct proc_host *h, const struct proc_job *job,
                      const struct runner_child *c, int64_t now_ms)
{
    *p = (struct proc){.state = PROC_RUNNING, .jid = job->jid, .pid = c->pid,
                       .start_ms = now_ms, .due_ms = job->due_ms, .host = h,
                       .quiet = job->entry->spec != NULL
                                && (job->entry->spec->flags & CRONSPEC_QUIET) != 0};
    p->id = strdup(job->id);
    if (p->id == NULL) {
        *p = (struct proc){.state = PROC_DONE};
        return -1;
    }
    if (job->run != NULL)
        snprintf(p->run, sizeof p->run, "%s", job->run);
    /* without memory for it the run goes on; its hook sees no output */
    if (job->keep_tail)
        p->tail = calloc(1, sizeof *p->tail);
    p->out[0] = (struct proc_stream){.fd = c->out_fd};
    p->out[1] = (struct proc_stream){.fd = c->err_fd};
    relay_init(&p->out[0].buf);
    relay_init(&p->out[1].buf);
    if (job->timeout_ms > 0)
        p->deadline_ms = now_ms + job->timeout_ms;
    struct log *l = rec(p, now_ms, run_level(p), "job.start");
    log_str(l, "cmd", job->entry->command);
    log_end(l);
    return 0;
}

/* CROND_LITE_JOB, CROND_LITE_DUE (RFC 3339 UTC) and CROND_LITE_RUN of a
 * job's run (DESIGN.md section 11), over any inherited ones. */
static int run_vars_set(char ***env, const struct proc_job *job)
{
    char due[TIMEFMT_ISO_LEN];
    timefmt_utc(civil_floor_div(job->due_ms, 1000), due, sizeof due);
    return runner_env_set(env, "CROND_LITE_JOB", job->id) != 0
                   || runner_env_set(env, "CROND_LITE_DUE", due) != 0
                   || runner_env_set(env, "CROND_LITE_RUN", job->run != NULL ? job->run : "") != 0
               ? -1
               : 0;
}

int proc_spawn(struct proc *p, struct proc_host *h, const struct proc_job *job,
               int64_t now_ms)
{
    const struct crontab_entry *e = job->entry;
    const struct user *u = job->user != NULL ? job->user : h->self;
    const char *own = e->env->shell;
    const char *shell = own != NULL && own[0] != '\0' ? own : h->shell;
    *p = (struct proc){.state = PROC_DONE};
    char **env = runner_env_job(h->environ, e->env, u, job->user != NULL, shell, h->clean_env);
    if (env != NULL && job->run_vars && run_vars_set(&env, job) != 0) {
        runner_env_free(env);
        env = NULL;
    }
    if (env == NULL) {
        spawn_failed(h, now_ms, job, "out of memory");
        return -1;
    }
    const char *workdir = job->workdir != NULL ? job->workdir : runner_workdir(u);
    struct runner_req req = {shell, e->command, e->input, env, workdir, job->user,
                             h->nofile_soft, h->no_new_privs};
    struct runner_child c;
    char err[512];
    int rc = runner_spawn(&req, &c, err, sizeof err);
    runner_env_free(env);
    if (rc != 0) {
        spawn_failed(h, now_ms, job, err);
        return -1;
    }
    if (proc_start(p, h, job, &c, now_ms) != 0) {
        /* it runs unobserved; the daemon's reaper collects it */
        (void)close(c.out_fd);
        (void)close(c.err_fd);
        log_error(h, now_ms, job->id, "out of memory: output of this run is not relayed");
        return -1;
    }
    return 0;
}

void proc_read(struct proc *p, int i, int max_reads, int64_t now_ms)
{
    struct proc_stream *s = &p->out[i];
    struct emit e = {p, i, now_ms};
    for (int n = 0; n < max_reads && s->fd >= 0 && !s->eof; n++) {
        ssize_t got = read(s->fd, p->host->chunk, p->host->chunk_len);
        if (got > 0) {
            relay_feed(&s->buf, p->host->chunk, (size_t)got, emit_line, &e);
            continue;
        }
        if (got < 0 && errno == EINTR)
            continue;
        if (got < 0 && errno == EAGAIN)
            return;
        /* EOF, or an error that ends the stream: its last line now, so it
         * comes before a job.exit that follows */
        relay_flush(&s->buf, emit_line, &e);
        s->eof = true;
    }
}

bool proc_stream_eof(const struct proc *p, int i)
{
    return p->out[i].fd >= 0 && p->out[i].eof;
}

void proc_stream_close(struct proc *p, int i, int64_t now_ms)
{
    struct proc_stream *s = &p->out[i];
    if (s->fd < 0)
        return;
    if (!s->eof) {
        struct emit e = {p, i, now_ms};
        relay_flush(&s->buf, emit_line, &e);
    }
    (void)close(s->fd); /* a pipe's read end: nothing is lost if this fails */
    s->fd = -1;
    s->eof = false;
    relay_free(&s->buf);
    if (pipes_closed(p))
        proc_event(p, PROC_EV_CLOSED, now_ms);
}

void proc_exited(struct proc *p, int wstatus, int64_t now_ms)
{
    p->wstatus = wstatus;
    p->exit_ms = now_ms;
    for (int i = 0; i < 2; i++)
        proc_read(p, i, EXIT_READS, now_ms);
    proc_event(p, PROC_EV_EXIT, now_ms);
}

void proc_deadline(struct proc *p, int64_t now_ms)
{
    if (p->deadline_ms != 0 && now_ms >= p->deadline_ms)
        proc_event(p, PROC_EV_DEADLINE, now_ms);
}

void proc_stop(struct proc *p, int64_t now_ms)
{
    proc_event(p, PROC_EV_STOP, now_ms);
}

void proc_force(struct proc *p, int64_t now_ms)
{
    proc_event(p, PROC_EV_FORCE, now_ms);
}

bool proc_alive(const struct proc *p)
{
    return p->state == PROC_RUNNING || p->state == PROC_TERM || p->state == PROC_KILL;
}

void proc_release(struct proc *p, int64_t now_ms)
{
    for (int i = 0; i < 2; i++) {
        proc_read(p, i, RELEASE_READS, now_ms);
        proc_stream_close(p, i, now_ms);
    }
    free(p->id);
    p->id = NULL;
    free(p->tail);
    p->tail = NULL;
    p->state = PROC_DONE;
}

/* ------------------------------------------------------------------------ */
/* Children                                                                 */
/* ------------------------------------------------------------------------ */

int proc_become_subreaper(char *err, size_t errlen)
{
    if (getpid() == 1 || prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) == 0)
        return 0;
    snprintf(err, errlen, "PR_SET_CHILD_SUBREAPER: %s", strerror(errno));
    return -1;
}

bool proc_any_child(void)
{
    siginfo_t si;
    /* WNOWAIT: a zombie stays for the loop's reaper, which reports it */
    return waitid(P_ALL, 0, &si, WEXITED | WNOHANG | WNOWAIT) == 0;
}

/* Reads a small /proc file into buf (NUL-terminated). Returns 0 or -1. */
static int proc_file(const char *path, char *buf, size_t len)
{
    FILE *f = fopen(path, "re");
    if (f == NULL)
        return -1;
    size_t n = fread(buf, 1, len - 1, f);
    (void)fclose(f); /* read-only */
    buf[n] = '\0';
    return 0;
}

/* The decimal numbers of s, at most max of them. */
static size_t numbers(const char *s, pid_t *out, size_t max)
{
    size_t n = 0;
    while (n < max) {
        char *end;
        long v = strtol(s, &end, 10);
        if (end == s)
            break;
        out[n++] = (pid_t)v;
        s = end;
    }
    return n;
}

/* The parent of pid from /proc/PID/stat ("pid (comm) state ppid ..."): the
 * command name may hold ')' and blanks, so fields are read after the last
 * ')'. Returns the ppid, or -1. */
static pid_t stat_ppid(const char *pid)
{
    char path[300], buf[512];
    pid_t ppid;
    snprintf(path, sizeof path, "/proc/%s/stat", pid);
    char *paren = proc_file(path, buf, sizeof buf) == 0 ? strrchr(buf, ')') : NULL;
    if (paren == NULL || paren[1] != ' ' || paren[2] == '\0' || paren[3] != ' '
        || numbers(paren + 4, &ppid, 1) != 1)
        return -1;
    return ppid;
}

static bool pid_in(pid_t pid, const pid_t *set, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (set[i] == pid)
            return true;
    return false;
}

/* The children of this process, from /proc/PID/task/PID/children (one
 * thread: every child is the main thread's), or else from every
 * /proc/PID/stat. Returns how many (at most max), or 0 without /proc. */
static size_t children_list(pid_t *out, size_t max)
{
    char path[64], buf[16384];
    size_t n = 0;
    pid_t self = getpid();
    snprintf(path, sizeof path, "/proc/%d/task/%d/children", (int)self, (int)self);
    if (proc_file(path, buf, sizeof buf) == 0)
        return numbers(buf, out, max);
    DIR *d = opendir("/proc"); /* kernels without CONFIG_PROC_CHILDREN */
    for (struct dirent *e; d != NULL && n < max && (e = readdir(d)) != NULL;)
        if (e->d_name[0] >= '1' && e->d_name[0] <= '9' && stat_ppid(e->d_name) == self)
            numbers(e->d_name, &out[n++], 1);
    if (d != NULL)
        (void)closedir(d); /* read-only */
    return n;
}

/* Each child is signalled through its process group: an orphan that
 * daemonised leads a group of its own, and children of a job share the
 * job's. Neither can be crond-lite's group: every job runs in a session of
 * its own. */
size_t proc_signal_children(int sig, const pid_t *skip, size_t nskip)
{
    pid_t kids[1024] = {0}, done[1024];
    size_t nkids = children_list(kids, sizeof kids / sizeof kids[0]), count = 0;
    for (size_t i = 0; i < nkids; i++) {
        pid_t pgrp = getpgid(kids[i]);
        if (pgrp <= 1 || pgrp == getpgrp())
            pgrp = 0; /* gone meanwhile, or not in a group of its own */
        if (pgrp != 0 && (pid_in(pgrp, skip, nskip) || pid_in(pgrp, done, count)))
            continue;
        if (pgrp != 0 ? kill(-pgrp, sig) == 0 : kill(kids[i], sig) == 0)
            done[count++] = pgrp != 0 ? pgrp : kids[i];
    }
    return count;
}
