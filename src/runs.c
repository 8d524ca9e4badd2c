/* runs: procs and their watchers (see runs.h). */
#include "crond/runs.h"

#include <ev.h>
#include <signal.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <time.h>

#include "crond/log.h"
#include "crond/proc.h"

#define container_of(ptr, type, member) ((type *)(void *)((char *)(ptr) - offsetof(type, member)))

struct run {
    struct proc p;                /* the state machine */
    ev_child child;               /* its process's exit */
    ev_io io[2];                  /* its stdout and stderr pipes */
    ev_timer timer;               /* p.deadline_ms */
    int64_t timer_ms;             /* what timer is set for, 0: stopped */
    struct runs *rs;
    struct run *prev, *next;
};

static int64_t now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Makes the watchers match the proc: a pipe at EOF is unwatched before it is
 * closed, the timer follows the deadline, a finished run is freed. */
static void run_sync(struct run *r)
{
    struct ev_loop *loop = r->rs->loop;
    for (int i = 0; i < 2; i++) {
        if (proc_stream_eof(&r->p, i)) {
            ev_io_stop(loop, &r->io[i]);
            proc_stream_close(&r->p, i, now_ms());
        }
    }
    int64_t due = proc_alive(&r->p) ? r->p.deadline_ms : 0;
    if (due != r->timer_ms) {
        ev_timer_stop(loop, &r->timer);
        if (due != 0) {
            int64_t left = due - now_ms();
            ev_timer_set(&r->timer, left > 0 ? (double)left / 1000.0 : 0.0, 0);
            ev_timer_start(loop, &r->timer);
        }
        r->timer_ms = due;
    }
    if (r->p.state != PROC_DONE)
        return;
    ev_child_stop(loop, &r->child);
    if (r->prev != NULL)
        r->prev->next = r->next;
    else
        r->rs->head = r->next;
    if (r->next != NULL)
        r->next->prev = r->prev;
    proc_release(&r->p, now_ms());
    free(r);
}

static void io_cb(struct ev_loop *loop, ev_io *w, int revents)
{
    (void)loop;
    (void)revents;
    struct run *r = w->data;
    proc_read(&r->p, w == &r->io[0] ? 0 : 1, RUNS_READS_PER_WAKEUP, now_ms());
    run_sync(r);
}

static void child_cb(struct ev_loop *loop, ev_child *w, int revents)
{
    (void)revents;
    struct run *r = container_of(w, struct run, child);
    ev_child_stop(loop, w);
    proc_exited(&r->p, w->rstatus, now_ms());
    run_sync(r);
}

static void timer_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
    (void)loop;
    (void)revents;
    struct run *r = container_of(w, struct run, timer);
    r->timer_ms = 0;
    proc_deadline(&r->p, now_ms());
    run_sync(r);
}

const struct proc *runs_add(struct runs *rs, struct proc_host *h, const struct proc_job *job)
{
    struct run *r = calloc(1, sizeof *r);
    if (r == NULL) {
        log_begin(rs->log, now_ms(), LOG_LEVEL_ERROR, "job.error");
        log_str(rs->log, "job", job->id);
        log_str(rs->log, "msg", "out of memory");
        log_end(rs->log);
        if (h->failed != NULL) /* as when the spawn fails: the host hears of it */
            h->failed(h->ctx, job, "out of memory");
        return NULL;
    }
    if (proc_spawn(&r->p, h, job, now_ms()) != 0) {
        free(r);
        return NULL;
    }
    r->rs = rs;
    for (int i = 0; i < 2; i++) {
        ev_io_init(&r->io[i], io_cb, r->p.out[i].fd, EV_READ);
        r->io[i].data = r;
        ev_io_start(rs->loop, &r->io[i]);
    }
    ev_child_init(&r->child, child_cb, r->p.pid, 0);
    ev_child_start(rs->loop, &r->child);
    ev_init(&r->timer, timer_cb);
    r->next = rs->head;
    if (rs->head != NULL)
        rs->head->prev = r;
    rs->head = r;
    /* the proc outlives this call: a run is freed only from the loop */
    const struct proc *p = &r->p;
    run_sync(r);
    return p;
}

const struct proc *runs_first(const struct runs *rs)
{
    return rs->head != NULL ? &rs->head->p : NULL;
}

const struct proc *runs_next(const struct proc *p)
{
    const struct run *r = container_of(p, const struct run, p);
    return r->next != NULL ? &r->next->p : NULL;
}

size_t runs_signal(struct runs *rs, int sig, pid_t *groups, size_t max)
{
    size_t n = 0;
    struct run *next;
    for (struct run *r = rs->head; r != NULL; r = next) {
        next = r->next; /* r may be freed by run_sync */
        if (n < max)
            groups[n++] = r->p.pid;
        if (sig == SIGKILL)
            proc_force(&r->p, now_ms());
        else
            proc_stop(&r->p, now_ms());
        run_sync(r);
    }
    return n;
}

void runs_release(struct runs *rs)
{
    while (rs->head != NULL) {
        struct run *r = rs->head;
        rs->head = r->next;
        ev_child_stop(rs->loop, &r->child);
        ev_timer_stop(rs->loop, &r->timer);
        for (int i = 0; i < 2; i++)
            ev_io_stop(rs->loop, &r->io[i]);
        proc_release(&r->p, now_ms());
        free(r);
    }
}
