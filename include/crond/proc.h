/* proc: the life of one running job, from its start to the last byte of its
 * output. Knows processes, pipes and records; not schedules, not libev.
 *
 * A run is one small state machine (the whole table is in proc.c):
 *
 *            deadline (timeout)        deadline (grace)
 *   RUNNING --------------------> TERM ----------------> KILL
 *      |      stop: SIGTERM         |   force: SIGKILL     |
 *      |                            |                      |
 *      +------------- exit ---------+---------- exit ------+
 *                                   v
 *                                 DRAIN --- both pipes at EOF ---> DONE
 *
 * RUNNING: the process lives and crond-lite has sent it nothing. TERM:
 * SIGTERM went to its process group (its INI timeout passed, or crond-lite
 * stops); at the deadline, --grace later, SIGKILL follows. KILL: SIGKILL
 * went. DRAIN: the process exited (job.exit is logged), but a grandchild
 * still holds an output pipe: what it writes is still relayed; when a run
 * in TERM or KILL exits, what is left of its group gets that signal again
 * (a child forked after the first one never had it). DONE: the caller
 * frees it.
 *
 * The caller (the daemon's loop glue) turns its watchers into calls: pipe
 * readable -> proc_read; a pipe at EOF (proc_stream_eof) -> stop watching
 * it, then proc_stream_close; child exited -> proc_exited; timer ->
 * proc_deadline; stop -> proc_stop / proc_force. After each call it
 * matches its watchers to the state: deadline_ms, the streams' fds, DONE.
 * Every call takes "now" (UTC milliseconds) instead of reading a clock.
 */
#ifndef CROND_PROC_H
#define CROND_PROC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "crond/log.h"
#include "crond/relay.h"

struct crontab_entry;
struct proc;
struct proc_job;
struct user;

enum proc_state {
    PROC_RUNNING,  /* alive, not signalled by crond-lite */
    PROC_TERM,     /* SIGTERM sent to its group; SIGKILL at deadline_ms */
    PROC_KILL,     /* SIGKILL sent; waiting for the exit */
    PROC_DRAIN,    /* exited; a pipe is still open */
    PROC_DONE,     /* exited and both pipes closed: free it */
};

enum proc_event {
    PROC_EV_EXIT,      /* the process exited */
    PROC_EV_DEADLINE,  /* deadline_ms passed: its timeout, or the grace */
    PROC_EV_STOP,      /* crond-lite stops: SIGTERM, SIGKILL after --grace */
    PROC_EV_FORCE,     /* a second stop signal or the end of the grace: SIGKILL */
    PROC_EV_CLOSED,    /* both pipes are closed */
};
#define PROC_NSTATES 5
#define PROC_NEVENTS 5

/* What every run shares: where it reports, and the daemon's settings. */
struct proc_host {
    struct log *log;              /* where records go */
    int64_t grace_ms;             /* SIGTERM to SIGKILL */
    char *chunk;                  /* read buffer shared by every pipe */
    size_t chunk_len;
    /* A run's process exited (after its job.exit record): the caller updates
     * its job. May be NULL. */
    void (*exited)(void *ctx, struct proc *p);
    void *ctx;
    char *const *environ;         /* inherited by jobs unless clean_env */
    const struct user *self;      /* whom crond-lite runs as */
    const char *shell;            /* --shell, for crontabs without SHELL */
    bool clean_env;               /* --clean-env */
    bool no_new_privs;            /* --no-new-privs */
    long nofile_soft;             /* the fd limit jobs get back (0: as is) */
    enum log_output output;       /* --output: job lines as records, or raw */
    /* A line (or a piece of a long one) of stream 0 (stdout) or 1 (stderr)
     * was relayed, in either output mode: the caller counts it. May be NULL. */
    void (*relayed)(void *ctx, const struct proc *p, int stream);
    /* A run could not start (after its job.error record; not when it runs
     * unobserved): the reason. May be NULL. */
    void (*failed)(void *ctx, const struct proc_job *job, const char *msg);
};

/* A job to run. */
struct proc_job {
    uint64_t jid;                        /* its job (jobtab), 0 for none */
    const char *id;                      /* for its records */
    const struct crontab_entry *entry;   /* command, input, SHELL, variables */
    const struct user *user;             /* another user to run as, or NULL */
    const char *workdir;                 /* or NULL: the user's home */
    int64_t timeout_ms;                  /* 0: none */
    int64_t due_ms;                      /* the due time it runs for */
    bool keep_tail;                      /* keep its last output (proc.tail) */
    const char *run;                     /* CROND_LITE_RUN of the run, or NULL */
    bool run_vars;                       /* a job's own run: CROND_LITE_JOB, _DUE and
                                          * _RUN go into its environment (a hook or a
                                          * guard has its own) */
};

#define PROC_RUN_MAX 48 /* a CROND_LITE_RUN value and its '\0' */

struct proc_stream {
    int fd;                       /* read end, non-blocking; -1 once closed */
    bool eof;                     /* EOF or a read error seen: close it */
    struct relay_buf buf;         /* the unfinished line */
};

struct proc {
    enum proc_state state;
    bool timed_out;               /* TERM came from the timeout, not a stop */
    bool quiet;                   /* cronie's '-': job.start and job.exit at debug */
    uint64_t jid;                 /* the job it runs for (jobtab), 0 for none */
    char *id;                     /* the job's id when the run started */
    pid_t pid;                    /* also its process group (setsid) */
    int64_t start_ms;
    int64_t due_ms;               /* the due time it runs for */
    char run[PROC_RUN_MAX];       /* CROND_LITE_RUN, or "" */
    int64_t exit_ms;              /* when its process exited, 0 before */
    int64_t deadline_ms;          /* 0: none (see the states) */
    int wstatus;                  /* wait status once exited */
    struct relay_tail *tail;      /* its last output, when keep_tail; or NULL */
    struct proc_stream out[2];    /* 0: stdout, 1: stderr */
    struct proc_host *host;
};

/* The state after event ev in state s (the table; for tests and readers). */
enum proc_state proc_next(enum proc_state s, enum proc_event ev);

/* Starts a run of job: its environment (the daemon's unless clean_env,
 * then the crontab's variables, HOME, USER, LOGNAME, SHELL), its shell and
 * working directory, the spawn (runner), then job.start. Returns 0, or -1
 * after a job.error record with the reason (nothing runs, or it runs
 * unobserved when memory ran out after the spawn); then p is DONE and
 * needs no proc_release. */
int proc_spawn(struct proc *p, struct proc_host *h, const struct proc_job *job,
               int64_t now_ms);

/* Pipe i is readable: relays up to max_reads chunks, each line a job.output
 * record, or (LOG_OUTPUT_RAW) the line itself on crond-lite's stream i. */
void proc_read(struct proc *p, int i, int max_reads, int64_t now_ms);
/* Pipe i reached EOF (or failed): the caller stops watching it and closes
 * it with proc_stream_close, which flushes a last line without newline. */
bool proc_stream_eof(const struct proc *p, int i);
void proc_stream_close(struct proc *p, int i, int64_t now_ms);

/* The events of the diagram. proc_exited relays what the pipes hold, logs
 * job.exit and calls the host's exited. */
void proc_exited(struct proc *p, int wstatus, int64_t now_ms);
void proc_deadline(struct proc *p, int64_t now_ms);
void proc_stop(struct proc *p, int64_t now_ms);
void proc_force(struct proc *p, int64_t now_ms);

bool proc_alive(const struct proc *p);
/* Closes whatever is still open (at the end of the daemon) and frees what
 * proc_start allocated. */
void proc_release(struct proc *p, int64_t now_ms);

/* Children of jobs that daemonise are re-parented to this process instead
 * of to PID 1 (when it is not PID 1 itself), so it reaps them. Returns 0
 * or -1 with err. */
int proc_become_subreaper(char *err, size_t errlen);

/* Children of this process (job leaders, and orphans it adopted as PID 1 or
 * subreaper): is any left, running or a zombie? */
bool proc_any_child(void);
/* Sends sig to every child of this process that is not in skip (pids of
 * runs already signalled through their group); returns how many. Reads
 * /proc; without it, none. */
size_t proc_signal_children(int sig, const pid_t *skip, size_t nskip);

/* "SIGTERM", "SIGKILL", ... ("SIGUNKNOWN" for others). */
const char *proc_signal_name(int sig);

#endif
