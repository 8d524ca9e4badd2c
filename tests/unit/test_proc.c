/* Unit tests of proc, the life of a run, without an event loop: the state
 * table itself, then real /bin/sh children driven by a small poll(2) loop
 * that plays the daemon's part (pipes readable -> proc_read, EOF ->
 * proc_stream_close, waitpid -> proc_exited, deadlines -> proc_deadline).
 * The records go to a temporary file and are read back. */
#include "testutil.h"

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "crond/crontab.h"
#include "crond/log.h"
#include "crond/metrics.h"
#include "crond/proc.h"
#include "crond/user.h"

extern char **environ;

/* ------------------------------------------------------------------------ */
/* The table                                                                */
/* ------------------------------------------------------------------------ */

static void test_table(void **state)
{
    (void)state;
    static const struct {
        enum proc_state from;
        enum proc_event ev;
        enum proc_state to;
    } rows[] = {
        {PROC_RUNNING, PROC_EV_EXIT, PROC_DRAIN},
        {PROC_RUNNING, PROC_EV_DEADLINE, PROC_TERM},
        {PROC_RUNNING, PROC_EV_STOP, PROC_TERM},
        {PROC_RUNNING, PROC_EV_FORCE, PROC_KILL},
        {PROC_RUNNING, PROC_EV_CLOSED, PROC_RUNNING},
        {PROC_TERM, PROC_EV_DEADLINE, PROC_KILL},
        {PROC_TERM, PROC_EV_STOP, PROC_TERM},
        {PROC_TERM, PROC_EV_FORCE, PROC_KILL},
        {PROC_TERM, PROC_EV_EXIT, PROC_DRAIN},
        {PROC_KILL, PROC_EV_STOP, PROC_KILL},
        {PROC_KILL, PROC_EV_DEADLINE, PROC_KILL},
        {PROC_KILL, PROC_EV_EXIT, PROC_DRAIN},
        {PROC_DRAIN, PROC_EV_STOP, PROC_DRAIN},
        {PROC_DRAIN, PROC_EV_FORCE, PROC_DRAIN},
        {PROC_DRAIN, PROC_EV_CLOSED, PROC_DONE},
    };
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++)
        if (proc_next(rows[i].from, rows[i].ev) != rows[i].to)
            fail_msg("row %zu: state %d event %d gives %d, want %d", i, (int)rows[i].from,
                     (int)rows[i].ev, (int)proc_next(rows[i].from, rows[i].ev), (int)rows[i].to);
    /* DONE is the end: nothing leaves it */
    for (int ev = 0; ev < PROC_NEVENTS; ev++)
        assert_int_equal(proc_next(PROC_DONE, (enum proc_event)ev), PROC_DONE);
    /* nothing goes back to RUNNING, nothing but CLOSED reaches DONE */
    for (int s = 0; s < PROC_NSTATES; s++)
        for (int ev = 0; ev < PROC_NEVENTS; ev++) {
            enum proc_state to = proc_next((enum proc_state)s, (enum proc_event)ev);
            assert_true(to != PROC_RUNNING || s == PROC_RUNNING);
            assert_true(to != PROC_DONE || s == PROC_DONE || ev == PROC_EV_CLOSED);
        }
}

/* ------------------------------------------------------------------------ */
/* A small loop in the daemon's place                                       */
/* ------------------------------------------------------------------------ */

static int64_t now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

struct fixture {
    struct log log;
    FILE *out;                 /* where log writes, read back by records() */
    struct user self;
    char chunk[4096];
    struct proc_host host;
    int exited;                /* calls of host.exited */
    int exited_status;
    int lines[2];              /* calls of host.relayed, per stream */
    int failed;                /* calls of host.failed */
    char failed_msg[256];      /* its last message */
    uint64_t failed_jid;
    char text[65536];          /* the records so far */
};

static void on_exited(void *ctx, struct proc *p)
{
    struct fixture *f = ctx;
    f->exited++;
    f->exited_status = p->wstatus;
}

static void on_relayed(void *ctx, const struct proc *p, int stream)
{
    struct fixture *f = ctx;
    /* the line is counted for the run that wrote it: each test's job */
    static const struct {
        const char *id;
        uint64_t jid;
    } runs[] = {{"t.cron:1", 7}, {"q.cron:1", 8}, {"bad.cron:4", 9}, {"tail.cron:2", 5}};
    uint64_t want = 0;
    for (size_t i = 0; i < sizeof runs / sizeof runs[0]; i++)
        if (strcmp(p->id, runs[i].id) == 0)
            want = runs[i].jid;
    assert_int_equal(p->jid, want);
    f->lines[stream]++;
}

static void on_failed(void *ctx, const struct proc_job *job, const char *msg)
{
    struct fixture *f = ctx;
    f->failed++;
    f->failed_jid = job->jid;
    snprintf(f->failed_msg, sizeof f->failed_msg, "%s", msg);
}

static int setup(void **state)
{
    struct fixture *f = calloc(1, sizeof *f);
    char err[128];
    if (f == NULL || (f->out = tmpfile()) == NULL
        || user_self(NULL, NULL, &f->self, err, sizeof err) != 0)
        return -1;
    log_init(&f->log, fileno(f->out), LOG_FORMAT_TEXT, LOG_LEVEL_DEBUG);
    f->host = (struct proc_host){&f->log, 200, f->chunk, sizeof f->chunk, on_exited, f,
                                 environ, &f->self, "/bin/sh", false, false, 0,
                                 LOG_OUTPUT_RECORDS, on_relayed, on_failed};
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    struct fixture *f = *state;
    fclose(f->out);
    user_free(&f->self);
    free(f);
    return 0;
}

/* The records written so far, one line each. */
static const char *records(struct fixture *f)
{
    size_t n = (size_t)pread(fileno(f->out), f->text, sizeof f->text - 1, 0);
    f->text[n < sizeof f->text ? n : 0] = '\0';
    return f->text;
}

static void expect_record(struct fixture *f, const char *needle)
{
    if (strstr(records(f), needle) == NULL)
        fail_msg("no record with '%s' in:\n%s", needle, f->text);
}

/* The records from the one with a to the one with b are in this order. */
static void expect_before(struct fixture *f, const char *a, const char *b)
{
    const char *pa = strstr(records(f), a), *pb = strstr(f->text, b);
    if (pa == NULL || pb == NULL || pa > pb)
        fail_msg("'%s' is not before '%s' in:\n%s", a, b, f->text);
}

/* An environment snapshot without variables. */
static char *no_vars[] = {NULL};
static struct crontab_env none = {no_vars, 0, NULL, NULL, 0, 0};

static void start(struct fixture *f, struct proc *p, const char *cmd, int64_t timeout_ms)
{
    struct crontab_entry e = {.command = (char *)cmd, .env = &none};
    struct proc_job job = {7, "t.cron:1", &e, NULL, NULL, timeout_ms, 0, false, NULL, false};
    assert_int_equal(proc_spawn(p, &f->host, &job, now_ms()), 0);
    assert_int_equal(p->state, PROC_RUNNING);
    assert_int_equal(p->jid, 7);
}

/* Plays the loop until p is DONE or ms have passed: returns its state. With
 * deadlines, proc_deadline is called when deadline_ms passes. */
static enum proc_state drive(struct proc *p, int ms)
{
    int64_t end = now_ms() + ms;
    while (p->state != PROC_DONE && now_ms() < end) {
        struct pollfd fds[2];
        for (int i = 0; i < 2; i++)
            fds[i] = (struct pollfd){.fd = p->out[i].fd, .events = POLLIN};
        (void)poll(fds, 2, 10);
        for (int i = 0; i < 2; i++) {
            if (fds[i].revents != 0)
                proc_read(p, i, 4, now_ms());
            if (proc_stream_eof(p, i))
                proc_stream_close(p, i, now_ms());
        }
        int st;
        if (proc_alive(p) && waitpid(p->pid, &st, WNOHANG) == p->pid)
            proc_exited(p, st, now_ms());
        if (proc_alive(p) && p->deadline_ms != 0 && now_ms() >= p->deadline_ms)
            proc_deadline(p, now_ms());
        for (int i = 0; i < 2; i++)
            if (proc_stream_eof(p, i))
                proc_stream_close(p, i, now_ms());
    }
    return p->state;
}

/* ------------------------------------------------------------------------ */
/* Runs                                                                     */
/* ------------------------------------------------------------------------ */

/* Lines of both pipes, a last line without newline, then the exit; the host
 * learns the status once. */
static void test_output_then_exit(void **state)
{
    struct fixture *f = *state;
    struct proc p;
    start(f, &p, "echo one; echo two >&2; printf last; exit 3", 0);
    expect_record(f, "event=job.start job=t.cron:1 pid=");
    assert_int_equal(drive(&p, 5000), PROC_DONE);
    expect_record(f, "stream=stdout msg=one");
    expect_record(f, "stream=stderr msg=two");
    expect_record(f, "stream=stdout msg=last");
    expect_record(f, "event=job.exit job=t.cron:1");
    expect_record(f, " status=3 duration_ms=");
    expect_before(f, "msg=last", "event=job.exit");
    expect_before(f, "event=job.start", "msg=one");
    assert_int_equal(f->exited, 1);
    assert_int_equal(WEXITSTATUS(f->exited_status), 3);
    assert_int_equal(metrics_result_of(p.wstatus, p.timed_out), METRICS_FAILURE);
    /* every relayed line is counted once, per stream */
    assert_int_equal(f->lines[0], 2);
    assert_int_equal(f->lines[1], 1);
    proc_release(&p, now_ms());
    assert_int_equal(f->lines[0], 2);
}

/* cronie's '-' (CRONSPEC_QUIET): job.start and job.exit at debug, the
 * output relayed at info as for any job. */
static void test_quiet_job(void **state)
{
    struct fixture *f = *state;
    struct cronspec quiet = {.kind = CRONSPEC_CALENDAR, .flags = CRONSPEC_QUIET};
    struct crontab_entry e = {.command = (char *)"echo said", .env = &none, .spec = &quiet};
    struct proc_job job = {8, "q.cron:1", &e, NULL, NULL, 0, 0, false, NULL, false};
    struct proc p;
    assert_int_equal(proc_spawn(&p, &f->host, &job, now_ms()), 0);
    assert_int_equal(drive(&p, 5000), PROC_DONE);
    expect_record(f, "level=debug event=job.start job=q.cron:1");
    expect_record(f, "level=info event=job.output job=q.cron:1");
    expect_record(f, "stream=stdout msg=said");
    expect_record(f, "level=debug event=job.exit job=q.cron:1");
    proc_release(&p, now_ms());
    /* without the flag: info */
    quiet.flags = 0;
    assert_int_equal(proc_spawn(&p, &f->host, &job, now_ms()), 0);
    assert_int_equal(drive(&p, 5000), PROC_DONE);
    expect_record(f, "level=info event=job.start job=q.cron:1");
    expect_record(f, "level=info event=job.exit job=q.cron:1");
    proc_release(&p, now_ms());
}

/* A timeout: SIGTERM to the group, then after the grace (200 ms) SIGKILL,
 * both said with reason=timeout; a job that ignores SIGTERM dies of the
 * SIGKILL. */
static void test_timeout_term_then_kill(void **state)
{
    struct fixture *f = *state;
    struct proc p;
    start(f, &p, "trap '' TERM; echo ready; sleep 5 & wait; sleep 5", 100);
    int64_t t0 = now_ms();
    assert_int_equal(drive(&p, 3000), PROC_DONE);
    int64_t took = now_ms() - t0;
    expect_record(f, "event=job.kill job=t.cron:1");
    expect_record(f, "signal=SIGTERM reason=timeout");
    expect_record(f, "signal=SIGKILL reason=timeout");
    expect_before(f, "signal=SIGTERM", "signal=SIGKILL");
    expect_record(f, "event=job.exit job=t.cron:1");
    expect_record(f, "signal=SIGKILL duration_ms=");
    assert_true(took >= 250 && took < 2500);
    assert_true(WIFSIGNALED(f->exited_status) && WTERMSIG(f->exited_status) == SIGKILL);
    /* its own timeout's SIGKILL: a timeout, not killed */
    assert_int_equal(metrics_result_of(p.wstatus, p.timed_out), METRICS_TIMEOUT);
    proc_release(&p, now_ms());
}

/* A stop: SIGTERM (reason=stop) reaches the whole group, the job's child
 * included; a second stop signal (force) would be SIGKILL (reason=grace). */
static void test_stop_and_force(void **state)
{
    struct fixture *f = *state;
    struct proc p;
    start(f, &p, "sleep 5", 0);
    proc_stop(&p, now_ms());
    assert_int_equal(p.state, PROC_TERM);
    assert_true(p.deadline_ms > 0);
    assert_int_equal(drive(&p, 3000), PROC_DONE);
    expect_record(f, "signal=SIGTERM reason=stop");
    expect_record(f, "signal=SIGTERM duration_ms=");
    assert_int_equal(metrics_result_of(p.wstatus, p.timed_out), METRICS_KILLED);
    proc_release(&p, now_ms());

    struct proc q;
    start(f, &q, "trap '' TERM; echo x; sleep 5 & wait; sleep 5", 0);
    usleep(100000); /* the trap is set */
    proc_stop(&q, now_ms());
    proc_force(&q, now_ms());
    assert_int_equal(q.state, PROC_KILL);
    assert_int_equal(drive(&q, 3000), PROC_DONE);
    expect_record(f, "signal=SIGKILL reason=grace");
    /* a stop's SIGKILL: killed, not a timeout */
    assert_true(WIFSIGNALED(q.wstatus) && WTERMSIG(q.wstatus) == SIGKILL);
    assert_int_equal(metrics_result_of(q.wstatus, q.timed_out), METRICS_KILLED);
    proc_release(&q, now_ms());
}

/* The job exits while its background child still holds the pipes: the exit
 * is logged at once (DRAIN), the child's later line still relayed, and the
 * run ends only at EOF. */
static void test_drain_after_exit(void **state)
{
    struct fixture *f = *state;
    struct proc p;
    start(f, &p, "(sleep 0.3; echo late) & echo early", 0);
    int64_t t0 = now_ms();
    while (p.state == PROC_RUNNING && now_ms() - t0 < 2000)
        drive(&p, 10);
    assert_int_equal(p.state, PROC_DRAIN);
    expect_record(f, "event=job.exit");
    assert_null(strstr(records(f), "msg=late"));
    assert_int_equal(drive(&p, 3000), PROC_DONE);
    expect_before(f, "event=job.exit", "msg=late");
    int st;
    while (waitpid(-1, &st, WNOHANG) > 0)
        ; /* the orphaned subshell, if it was re-parented to us */
    proc_release(&p, now_ms());
}

/* A job that cannot start: job.error with the reason, no run. */
static void test_spawn_error(void **state)
{
    struct fixture *f = *state;
    struct crontab_env missing_sh = {no_vars, 0, "/nonexistent/sh", NULL, 0, 0};
    struct crontab_entry e = {.command = (char *)"true", .env = &missing_sh};
    struct proc_job job = {9, "bad.cron:4", &e, NULL, NULL, 0, 0, false, NULL, false};
    struct proc p;
    assert_int_equal(proc_spawn(&p, &f->host, &job, now_ms()), -1);
    assert_int_equal(p.state, PROC_DONE);
    expect_record(f, "event=job.error job=bad.cron:4 "
                     "msg=\"exec /nonexistent/sh: No such file or directory\"");
    assert_null(strstr(records(f), "event=job.start"));
    /* the host learns it once, with the reason */
    assert_int_equal(f->failed, 1);
    assert_int_equal(f->failed_jid, 9);
    assert_string_equal(f->failed_msg, "exec /nonexistent/sh: No such file or directory");
    assert_int_equal(f->exited, 0);
    int st;
    while (waitpid(-1, &st, 0) > 0)
        ; /* the child that failed to exec */
}

/* keep_tail: the run keeps the lines of both pipes in order, the last one
 * without newline too; its due time, and its exit time for the duration. */
static void test_tail_and_times(void **state)
{
    struct fixture *f = *state;
    struct crontab_entry e = {.command = (char *)"echo one; sleep 0.1; echo two >&2; sleep 0.1; "
                                                 "printf three",
                              .env = &none};
    struct proc_job job = {5, "tail.cron:2", &e, NULL, NULL, 0, 1767225600000LL, true, NULL, false};
    struct proc p;
    char text[RELAY_TAIL_MAX + 1];
    assert_int_equal(proc_spawn(&p, &f->host, &job, now_ms()), 0);
    assert_non_null(p.tail);
    assert_int_equal(p.due_ms, 1767225600000LL);
    assert_int_equal(drive(&p, 5000), PROC_DONE);
    relay_tail_text(p.tail, text, sizeof text);
    assert_string_equal(text, "one\ntwo\nthree");
    assert_true(p.exit_ms - p.start_ms >= 200 && p.exit_ms - p.start_ms < 3000);
    proc_release(&p, now_ms());
    assert_null(p.tail);
    /* without keep_tail: nothing kept */
    job.keep_tail = false;
    assert_int_equal(proc_spawn(&p, &f->host, &job, now_ms()), 0);
    assert_null(p.tail);
    assert_int_equal(drive(&p, 5000), PROC_DONE);
    proc_release(&p, now_ms());
}

/* proc_any_child sees a child until it is reaped, zombies included. */
static void test_any_child(void **state)
{
    (void)state;
    int st;
    while (waitpid(-1, &st, WNOHANG) > 0)
        ;
    assert_false(proc_any_child());
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0)
        _exit(0);
    assert_true(proc_any_child());
    usleep(50000); /* a zombie now: still a child */
    assert_true(proc_any_child());
    assert_int_equal(waitpid(pid, &st, 0), pid);
    assert_false(proc_any_child());
}

/* proc_signal_children reaches every child through its group, except the
 * groups it is told to skip (runs signalled through their proc). */
static void test_signal_children(void **state)
{
    (void)state;
    pid_t kid[2];
    for (int i = 0; i < 2; i++) {
        kid[i] = fork();
        assert_true(kid[i] >= 0);
        if (kid[i] == 0) {
            setsid(); /* as a job or a daemonised orphan: a group of its own */
            pause();
            _exit(0);
        }
    }
    usleep(50000); /* both have called setsid */
    assert_int_equal(proc_signal_children(SIGTERM, &kid[1], 1), 1);
    int st;
    assert_int_equal(waitpid(kid[0], &st, 0), kid[0]);
    assert_true(WIFSIGNALED(st) && WTERMSIG(st) == SIGTERM);
    assert_int_equal(waitpid(kid[1], &st, WNOHANG), 0); /* skipped: still there */
    assert_int_equal(proc_signal_children(SIGKILL, NULL, 0), 1);
    assert_int_equal(waitpid(kid[1], &st, 0), kid[1]);
    assert_true(WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL);
    assert_false(proc_any_child());
}

/* The lines of text that are not records (records start with the time). */
static void non_records(const char *text, char *out, size_t len)
{
    size_t n = 0;
    for (const char *line = text; *line != '\0';) {
        const char *nl = strchr(line, '\n');
        size_t l = nl != NULL ? (size_t)(nl - line) + 1 : strlen(line);
        if (strncmp(line, "20", 2) != 0 && n + l < len) {
            memcpy(out + n, line, l);
            n += l;
        }
        line += l;
    }
    out[n] = '\0';
}

/* Everything in a file from its start. */
static const char *file_text(FILE *fp, char *buf, size_t len)
{
    ssize_t n = pread(fileno(fp), buf, len - 1, 0);
    buf[n > 0 ? n : 0] = '\0';
    return buf;
}

/* --output raw: the job's stdout lines as they are on the log's stdout,
 * among the records and before job.exit, its stderr lines on the log's
 * stderr; a last line without newline gets one. */
static void test_raw_output(void **state)
{
    struct fixture *f = *state;
    FILE *err = tmpfile();
    char raw[256], errs[256];
    assert_non_null(err);
    log_set_stderr(&f->log, fileno(err));
    f->host.output = LOG_OUTPUT_RAW;
    struct proc p;
    start(f, &p, "echo one; echo two >&2; echo 'a  \"b\" c=d'; echo; printf last", 0);
    assert_int_equal(drive(&p, 5000), PROC_DONE);
    proc_release(&p, now_ms());
    non_records(records(f), raw, sizeof raw);
    assert_string_equal(raw, "one\na  \"b\" c=d\n\nlast\n");
    assert_string_equal(file_text(err, errs, sizeof errs), "two\n");
    expect_before(f, "event=job.start", "\none\n");
    expect_before(f, "\nlast\n", "event=job.exit");
    assert_null(strstr(f->text, "event=job.output"));
    /* raw lines are counted as records are: 4 on stdout, 1 on stderr */
    assert_int_equal(f->lines[0], 4);
    assert_int_equal(f->lines[1], 1);
    assert_int_equal(fclose(err), 0);
}

/* --split-logs in records mode: the job's stderr lines are job.output
 * records on the log's stderr, everything else stays on its stdout. */
static void test_split_records(void **state)
{
    struct fixture *f = *state;
    FILE *err = tmpfile();
    char errs[512];
    assert_non_null(err);
    log_set_stderr(&f->log, fileno(err));
    log_set_split(&f->log, true);
    struct proc p;
    start(f, &p, "echo one; echo two >&2", 0);
    assert_int_equal(drive(&p, 5000), PROC_DONE);
    proc_release(&p, now_ms());
    expect_record(f, "event=job.output job=t.cron:1");
    expect_record(f, " stream=stdout msg=one\n");
    expect_record(f, "event=job.exit");
    assert_null(strstr(f->text, "stream=stderr"));
    file_text(err, errs, sizeof errs);
    if (strstr(errs, " level=info event=job.output job=t.cron:1 pid=") == NULL
        || strstr(errs, " stream=stderr msg=two\n") == NULL || strchr(errs, '\n')[1] != '\0')
        fail_msg("stderr holds '%s'", errs);
    assert_int_equal(fclose(err), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_table),
        cmocka_unit_test_setup_teardown(test_output_then_exit, setup, teardown),
        cmocka_unit_test_setup_teardown(test_quiet_job, setup, teardown),
        cmocka_unit_test_setup_teardown(test_timeout_term_then_kill, setup, teardown),
        cmocka_unit_test_setup_teardown(test_stop_and_force, setup, teardown),
        cmocka_unit_test_setup_teardown(test_drain_after_exit, setup, teardown),
        cmocka_unit_test_setup_teardown(test_spawn_error, setup, teardown),
        cmocka_unit_test_setup_teardown(test_tail_and_times, setup, teardown),
        cmocka_unit_test_setup_teardown(test_raw_output, setup, teardown),
        cmocka_unit_test_setup_teardown(test_split_records, setup, teardown),
        cmocka_unit_test(test_any_child),
        cmocka_unit_test(test_signal_children),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
