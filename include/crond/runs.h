/* runs: the running processes on the daemon's loop. A run is a proc (the
 * state machine, proc.h) with its watchers: its two pipes, its child and
 * the timer of its deadline. After every call into proc the watchers are
 * made to match its state, and a finished run is freed. The daemon starts
 * runs and decides what their ends mean (proc_host's callbacks); this is
 * the libev side of them.
 */
#ifndef CROND_RUNS_H
#define CROND_RUNS_H

#include <stddef.h>
#include <sys/types.h>

struct ev_loop;
struct log;
struct proc;
struct proc_host;
struct proc_job;
struct run;

#define RUNS_READS_PER_WAKEUP 4 /* fairness between jobs that write fast */

struct runs {
    struct ev_loop *loop;
    struct log *log;             /* where "out of memory" goes */
    struct run *head;            /* running or still draining */
};

/* Starts a run of job through h, with its watchers: its proc, or NULL when
 * it did not start (proc said why, or a job.error says out of memory; h's
 * failed hears of it either way). */
const struct proc *runs_add(struct runs *rs, struct proc_host *h, const struct proc_job *job);

/* The runs, newest first: runs_first, then runs_next until NULL. */
const struct proc *runs_first(const struct runs *rs);
const struct proc *runs_next(const struct proc *p);

/* SIGTERM (proc_stop) or SIGKILL (proc_force) to every run; their process
 * groups go to groups (at most max). Returns how many were written. */
size_t runs_signal(struct runs *rs, int sig, pid_t *groups, size_t max);

/* After the loop: what is left in the pipes is logged, every run freed. */
void runs_release(struct runs *rs);

#endif
