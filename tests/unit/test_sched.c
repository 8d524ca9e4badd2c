/* Unit tests of the scheduler with an injected clock: due order, overlap
 * policies, late wake-ups, @reboot and @every. */
#include "testutil.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "crond/sched.h"
#include "crond/zone.h"

#define T0 1767225600000LL /* 2026-01-01T00:00:00Z in ms */

static struct zone *utc;

struct rec {
    struct sched_job *job[64];
    enum sched_action act[64];
    size_t n;
};

static void record(void *ctx, struct sched_job *job, enum sched_action a)
{
    struct rec *r = ctx;
    if (r->n < 64) {
        r->job[r->n] = job;
        r->act[r->n++] = a;
    }
    if (a == SCHED_START)
        sched_started(job);
}

struct fixture {
    struct cronspec spec[8];
    struct sched_job job[8];
};

static struct sched_job *make(struct fixture *f, int i, const char *expr, enum overlap_policy p)
{
    struct cronspec_error err;
    if (cronspec_parse(expr, NULL, &f->spec[i], &err) != 0)
        fail_msg("%s: %s", expr, err.msg);
    f->job[i] = (struct sched_job){.spec = &f->spec[i], .zone = utc, .overlap = p};
    return &f->job[i];
}

static void test_first_due_and_order(void **state)
{
    (void)state;
    struct fixture f;
    struct sched s;
    sched_init(&s, T0 + 500);
    assert_int_equal(sched_next_due(&s), SCHED_NEVER);
    struct sched_job *hourly = make(&f, 0, "0 * * * *", OVERLAP_SKIP);
    struct sched_job *every2 = make(&f, 1, "*/2 * * * * * *", OVERLAP_SKIP);
    struct sched_job *daily = make(&f, 2, "@daily", OVERLAP_SKIP);
    assert_int_equal(sched_add(&s, hourly, T0 + 500), 0);
    assert_int_equal(sched_add(&s, daily, T0 + 500), 0);
    assert_int_equal(sched_add(&s, every2, T0 + 500), 0);
    /* at 00:00:00.500 the second 00:00:00 has begun: next even second is :02 */
    assert_int_equal(every2->next_ms, T0 + 2000);
    assert_int_equal(hourly->next_ms, T0 + 3600 * 1000);
    assert_int_equal(daily->next_ms, T0 + 86400 * 1000);
    assert_int_equal(sched_next_due(&s), T0 + 2000);
    sched_remove(&s, every2);
    assert_int_equal(sched_next_due(&s), T0 + 3600 * 1000);
    sched_free(&s);
}

static void test_run_due_starts_and_advances(void **state)
{
    (void)state;
    struct fixture f;
    struct sched s;
    struct rec r = {.n = 0};
    sched_init(&s, T0);
    struct sched_job *j = make(&f, 0, "* * * * * * *", OVERLAP_SKIP);
    sched_add(&s, j, T0);
    sched_run_due(&s, T0 + 999, record, &r);
    assert_int_equal(r.n, 0); /* not due yet */
    sched_run_due(&s, T0 + 1000, record, &r);
    assert_int_equal(r.n, 1);
    assert_int_equal(r.act[0], SCHED_START);
    assert_int_equal(j->running, 1);
    assert_int_equal(j->next_ms, T0 + 2000);
    sched_free(&s);
}

/* A burst is handled in slices: each call takes at most max due jobs and
 * says whether more are due; together they start each job exactly once. */
static void test_run_due_in_slices(void **state)
{
    (void)state;
    struct fixture f;
    struct sched s;
    struct rec r = {.n = 0};
    sched_init(&s, T0);
    for (int i = 0; i < 7; i++)
        sched_add(&s, make(&f, i, "* * * * * * *", OVERLAP_SKIP), T0);
    assert_true(sched_run_due_max(&s, T0 + 1000, 3, record, &r));
    assert_int_equal(r.n, 3);
    assert_true(sched_run_due_max(&s, T0 + 1000, 3, record, &r));
    assert_int_equal(r.n, 6);
    assert_false(sched_run_due_max(&s, T0 + 1000, 3, record, &r));
    assert_int_equal(r.n, 7);
    assert_false(sched_run_due_max(&s, T0 + 1000, 3, record, &r));
    assert_int_equal(r.n, 7);
    for (int i = 0; i < 7; i++) {
        assert_int_equal(f.job[i].running, 1); /* started once each */
        assert_int_equal(f.job[i].next_ms, T0 + 2000);
        size_t seen = 0;
        for (size_t k = 0; k < r.n; k++)
            seen += r.job[k] == &f.job[i];
        assert_int_equal(seen, 1);
    }
    assert_int_equal(sched_next_due(&s), T0 + 2000);
    /* max 0 handles nothing and says whether anything is due */
    assert_false(sched_run_due_max(&s, T0 + 1999, 0, record, &r));
    assert_true(sched_run_due_max(&s, T0 + 2000, 0, record, &r));
    assert_int_equal(r.n, 7);
    sched_free(&s);
}

/* With a clock, a job handled late in a long burst is next due after the
 * time it was handled, not after the burst's start: no second start at once. */
static int64_t fake_now;
static int64_t fake_clock(void)
{
    return fake_now;
}

static void record_slow(void *ctx, struct sched_job *job, enum sched_action a)
{
    record(ctx, job, a);
    fake_now += 700; /* each start takes 0.7 s */
}

static void test_clock_for_late_starts(void **state)
{
    (void)state;
    struct fixture f;
    struct sched s;
    struct rec r = {.n = 0};
    sched_init(&s, T0);
    sched_add(&s, make(&f, 0, "* * * * * * *", OVERLAP_ALLOW), T0);
    sched_add(&s, make(&f, 1, "* * * * * * *", OVERLAP_ALLOW), T0);
    sched_set_clock(&s, fake_clock);
    fake_now = T0 + 1000;
    sched_run_due(&s, T0 + 1000, record_slow, &r);
    assert_int_equal(r.n, 2);
    /* handled at T0+1000 and T0+1700: both next at T0+2000 */
    assert_int_equal(f.job[0].next_ms, T0 + 2000);
    assert_int_equal(f.job[1].next_ms, T0 + 2000);
    /* the next burst is handled late, at T0+2400: the first job then gets
     * T0+3000, the second, handled at T0+3100, T0+4000 (without the clock
     * both would get T0+3000, already past when the burst ends at T0+3800,
     * and start again at once) */
    assert_int_equal(fake_now, T0 + 2400);
    size_t first = r.n;
    sched_run_due(&s, T0 + 2400, record_slow, &r);
    assert_int_equal(r.n, first + 2);
    int64_t n0 = f.job[0].next_ms, n1 = f.job[1].next_ms;
    assert_true((n0 == T0 + 3000 && n1 == T0 + 4000) || (n0 == T0 + 4000 && n1 == T0 + 3000));
    assert_true(sched_next_due(&s) > T0 + 2400);
    sched_free(&s);
}

static void test_overlap_skip(void **state)
{
    (void)state;
    struct fixture f;
    struct sched s;
    struct rec r = {.n = 0};
    sched_init(&s, T0);
    struct sched_job *j = make(&f, 0, "* * * * * * *", OVERLAP_SKIP);
    sched_add(&s, j, T0);
    sched_run_due(&s, T0 + 1000, record, &r);
    sched_run_due(&s, T0 + 2000, record, &r);
    sched_run_due(&s, T0 + 3000, record, &r);
    assert_int_equal(r.n, 3);
    assert_int_equal(r.act[0], SCHED_START);
    assert_int_equal(r.act[1], SCHED_SKIP);
    assert_int_equal(r.act[2], SCHED_SKIP);
    assert_int_equal(j->running, 1);
    sched_exited(j, record, &r);
    assert_int_equal(j->running, 0);
    assert_int_equal(r.n, 3); /* nothing waits */
    sched_run_due(&s, T0 + 4000, record, &r);
    assert_int_equal(r.act[3], SCHED_START);
    sched_free(&s);
}

static void test_overlap_allow(void **state)
{
    (void)state;
    struct fixture f;
    struct sched s;
    struct rec r = {.n = 0};
    sched_init(&s, T0);
    struct sched_job *j = make(&f, 0, "* * * * * * *", OVERLAP_ALLOW);
    sched_add(&s, j, T0);
    sched_run_due(&s, T0 + 1000, record, &r);
    sched_run_due(&s, T0 + 2000, record, &r);
    assert_int_equal(r.act[0], SCHED_START);
    assert_int_equal(r.act[1], SCHED_START);
    assert_int_equal(j->running, 2);
    sched_free(&s);
}

static void test_overlap_queue_holds_one(void **state)
{
    (void)state;
    struct fixture f;
    struct sched s;
    struct rec r = {.n = 0};
    sched_init(&s, T0);
    struct sched_job *j = make(&f, 0, "* * * * * * *", OVERLAP_QUEUE);
    sched_add(&s, j, T0);
    sched_run_due(&s, T0 + 1000, record, &r);
    sched_run_due(&s, T0 + 2000, record, &r);
    sched_run_due(&s, T0 + 3000, record, &r);
    assert_int_equal(r.act[0], SCHED_START);
    assert_int_equal(r.act[1], SCHED_QUEUE);
    assert_int_equal(r.act[2], SCHED_QUEUE_FULL);
    assert_true(j->queued);
    sched_exited(j, record, &r); /* the waiting run starts right away */
    assert_int_equal(r.n, 4);
    assert_int_equal(r.act[3], SCHED_START);
    assert_false(j->queued);
    assert_int_equal(j->running, 1);
    sched_exited(j, record, &r);
    assert_int_equal(r.n, 4);
    assert_int_equal(j->running, 0);
    sched_free(&s);
}

/* due_ms is the due time a started run is for: the time it was due, not
 * when it was handled; a queued run keeps the time it was queued at, a
 * dropped or skipped one changes nothing. */
static void test_due_of_started_and_queued_runs(void **state)
{
    (void)state;
    struct fixture f;
    struct sched s;
    struct rec r = {.n = 0};
    sched_init(&s, T0);
    struct sched_job *q = make(&f, 0, "* * * * * * *", OVERLAP_QUEUE);
    struct sched_job *k = make(&f, 1, "*/2 * * * * * *", OVERLAP_SKIP);
    sched_add(&s, q, T0);
    sched_add(&s, k, T0);
    sched_run_due(&s, T0 + 1250, record, &r); /* woke 250 ms late */
    assert_int_equal(r.n, 1);
    assert_int_equal(q->due_ms, T0 + 1000);
    sched_run_due(&s, T0 + 2000, record, &r);
    assert_int_equal(r.n, 3);
    assert_int_equal(q->due_ms, T0 + 2000); /* queued for :02 */
    assert_int_equal(k->due_ms, T0 + 2000);
    sched_run_due(&s, T0 + 3000, record, &r);
    assert_int_equal(r.act[3], SCHED_QUEUE_FULL);
    assert_int_equal(q->due_ms, T0 + 2000); /* the dropped :03 is not it */
    sched_exited(q, record, &r);
    assert_int_equal(r.act[4], SCHED_START);
    assert_int_equal(q->due_ms, T0 + 2000); /* the queued run starts, for :02 */
    sched_run_due(&s, T0 + 4000, record, &r);
    assert_int_equal(r.n, 7);
    for (size_t i = 5; i < 7; i++)
        assert_int_equal(r.act[i], r.job[i] == k ? SCHED_SKIP : SCHED_QUEUE);
    assert_int_equal(k->due_ms, T0 + 2000); /* skipped at :04 */
    assert_int_equal(q->due_ms, T0 + 4000);
    sched_free(&s);
}

static void test_late_wakeup_runs_once(void **state)
{
    (void)state;
    struct fixture f;
    struct sched s;
    struct rec r = {.n = 0};
    sched_init(&s, T0);
    struct sched_job *j = make(&f, 0, "* * * * * * *", OVERLAP_ALLOW);
    sched_add(&s, j, T0);
    sched_run_due(&s, T0 + 10500, record, &r); /* ten seconds late */
    assert_int_equal(r.n, 1);
    assert_int_equal(j->next_ms, T0 + 11000);
    sched_free(&s);
}

static void test_reboot_and_every(void **state)
{
    (void)state;
    struct fixture f;
    struct sched s;
    struct rec r = {.n = 0};
    sched_init(&s, T0 + 250);
    struct sched_job *boot = make(&f, 0, "@reboot", OVERLAP_SKIP);
    struct sched_job *every = make(&f, 1, "@every 90s", OVERLAP_SKIP);
    sched_add(&s, boot, T0 + 250);
    sched_add(&s, every, T0 + 250);
    assert_int_equal(boot->next_ms, T0 + 250);
    assert_int_equal(every->next_ms, T0 + 250 + 90000);
    sched_run_due(&s, T0 + 251, record, &r);
    assert_int_equal(r.n, 1);
    assert_ptr_equal(r.job[0], boot);
    assert_int_equal(boot->next_ms, SCHED_NEVER);
    sched_run_due(&s, T0 + 250 + 90000, record, &r);
    assert_ptr_equal(r.job[1], every);
    assert_int_equal(every->next_ms, T0 + 250 + 180000);
    /* a @reboot job added by a later reload does not run */
    struct sched_job *late = make(&f, 2, "@reboot", OVERLAP_SKIP);
    sched_add(&s, late, T0 + 5000);
    assert_int_equal(late->next_ms, SCHED_NEVER);
    sched_free(&s);
}

/* Many jobs: sched_run_due hands them out in due order. */
static void test_heap_order_many(void **state)
{
    (void)state;
    enum { N = 2000 };
    static struct cronspec specs[N];
    static struct sched_job jobs[N];
    struct sched s;
    sched_init(&s, T0);
    unsigned seed = 7;
    for (int i = 0; i < N; i++) {
        char expr[64];
        seed = seed * 1103515245u + 12345u;
        snprintf(expr, sizeof expr, "%u %u * * *", (seed >> 8) % 60, (seed >> 16) % 24);
        struct cronspec_error err;
        assert_int_equal(cronspec_parse(expr, NULL, &specs[i], &err), 0);
        jobs[i] = (struct sched_job){.spec = &specs[i], .zone = utc, .overlap = OVERLAP_ALLOW};
        assert_int_equal(sched_add(&s, &jobs[i], T0), 0);
    }
    for (int i = 0; i < N / 4; i++)
        sched_remove(&s, &jobs[i * 4]);
    int64_t last = 0;
    int seen = 0;
    while (sched_next_due(&s) < T0 + 86400 * 1000) {
        int64_t due = sched_next_due(&s);
        assert_true(due >= last);
        last = due;
        struct rec r = {.n = 0};
        sched_run_due(&s, due, record, &r);
        seen += (int)r.n;
    }
    assert_int_equal(seen, N - N / 4); /* each remaining job once in the day */
    sched_free(&s);
}

static int setup(void **state)
{
    (void)state;
    return zone_new_utc(&utc);
}

static int teardown(void **state)
{
    (void)state;
    zone_free(utc);
    return 0;
}

/* ------------------------------------------------------------ clock steps */

static void test_jump_classes(void **state)
{
    (void)state;
    static const struct {
        int64_t step;
        enum sched_jump want;
    } cases[] = {
        {0, SCHED_JUMP_NONE},
        {999, SCHED_JUMP_NONE},
        {-999, SCHED_JUMP_NONE},
        {1000, SCHED_JUMP_FORWARD},
        {-1000, SCHED_JUMP_BACKWARD},
        {3 * 3600 * 1000LL - 1, SCHED_JUMP_FORWARD},
        {-3 * 3600 * 1000LL + 1, SCHED_JUMP_BACKWARD},
        {3 * 3600 * 1000LL, SCHED_JUMP_LARGE},
        {-3 * 3600 * 1000LL, SCHED_JUMP_LARGE},
        {INT64_MAX, SCHED_JUMP_LARGE},
        {INT64_MIN + 1, SCHED_JUMP_LARGE},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
        if (sched_jump_classify(cases[i].step) != cases[i].want)
            fail_msg("step %lld: class %d, want %d", (long long)cases[i].step,
                     (int)sched_jump_classify(cases[i].step), (int)cases[i].want);
    assert_string_equal(sched_jump_action(SCHED_JUMP_FORWARD), "catch-up");
    assert_string_equal(sched_jump_action(SCHED_JUMP_BACKWARD), "wait");
    assert_string_equal(sched_jump_action(SCHED_JUMP_LARGE), "replan");
}

#define H (3600 * 1000LL)
#define M (60 * 1000LL)

/* Forward by 1 h (00:59 -> 01:59:30): the fixed-time job due at 01:30 in the
 * skipped interval runs once, at once; the wildcard job follows the new
 * clock instead of catching up twelve times. */
static void test_jump_forward_catches_up_fixed(void **state)
{
    (void)state;
    struct fixture f;
    struct sched s;
    struct rec r = {.n = 0};
    sched_init(&s, T0);
    struct sched_job *fixed = make(&f, 0, "30 1 * * *", OVERLAP_SKIP);
    struct sched_job *wild = make(&f, 1, "*/5 * * * *", OVERLAP_SKIP);
    sched_add(&s, fixed, T0 + 59 * M);
    sched_add(&s, wild, T0 + 59 * M);
    int64_t now = T0 + H + 59 * M + 30000;
    assert_int_equal(sched_jump_classify(now - (T0 + 59 * M)), SCHED_JUMP_FORWARD);
    sched_jump(&s, SCHED_JUMP_FORWARD, now);
    assert_int_equal(fixed->next_ms, T0 + H + 30 * M); /* still due */
    assert_int_equal(wild->next_ms, T0 + 2 * H);       /* from the new clock */
    sched_run_due(&s, now, record, &r);
    assert_int_equal(r.n, 1);
    assert_ptr_equal(r.job[0], fixed);
    assert_int_equal(fixed->next_ms, T0 + 24 * H + H + 30 * M);
    sched_free(&s);
}

/* Back by 1 h (02:00 -> 01:00) after the 01:30 job ran: it does not run
 * again for 01:30, and the wildcard job waits for its planned 02:05. */
static void test_jump_backward_waits(void **state)
{
    (void)state;
    struct fixture f;
    struct sched s;
    struct rec r = {.n = 0};
    sched_init(&s, T0);
    struct sched_job *fixed = make(&f, 0, "30 1 * * *", OVERLAP_SKIP);
    struct sched_job *wild = make(&f, 1, "*/5 * * * *", OVERLAP_SKIP);
    sched_add(&s, fixed, T0 + H + 29 * M);
    sched_add(&s, wild, T0 + H + 29 * M);
    sched_run_due(&s, T0 + 2 * H, record, &r); /* both ran; wild last at 02:00 */
    assert_int_equal(r.n, 2);
    r.n = 0;
    fixed->running = wild->running = 0; /* both runs ended */
    sched_jump(&s, SCHED_JUMP_BACKWARD, T0 + H);
    sched_run_due(&s, T0 + H + 30 * M, record, &r);
    sched_run_due(&s, T0 + 2 * H, record, &r);
    assert_int_equal(r.n, 0);
    assert_int_equal(wild->next_ms, T0 + 2 * H + 5 * M);
    assert_int_equal(fixed->next_ms, T0 + 25 * H + 30 * M);
    sched_free(&s);
}

/* Forward by 5 h: the new time is taken as it is; nothing is caught up. */
static void test_jump_large_replans(void **state)
{
    (void)state;
    struct fixture f;
    struct sched s;
    struct rec r = {.n = 0};
    sched_init(&s, T0);
    struct sched_job *fixed = make(&f, 0, "30 2 * * *", OVERLAP_SKIP);
    struct sched_job *wild = make(&f, 1, "*/5 * * * *", OVERLAP_SKIP);
    sched_add(&s, fixed, T0);
    sched_add(&s, wild, T0);
    int64_t now = T0 + 5 * H + 1000;
    assert_int_equal(sched_jump_classify(now - T0), SCHED_JUMP_LARGE);
    sched_jump(&s, SCHED_JUMP_LARGE, now);
    sched_run_due(&s, now, record, &r);
    assert_int_equal(r.n, 0);
    assert_int_equal(fixed->next_ms, T0 + 24 * H + 2 * H + 30 * M);
    assert_int_equal(wild->next_ms, T0 + 5 * H + 5 * M);
    sched_free(&s);
}

/* ------------------------------------------------------------------------ */
/* RANDOM_DELAY                                                             */
/* ------------------------------------------------------------------------ */

static struct sched_job *make_delayed(struct fixture *f, int i, const char *expr,
                                      uint32_t delay_s)
{
    struct sched_job *j = make(f, i, expr, OVERLAP_SKIP);
    f->spec[i].delay_s = delay_s;
    return j;
}

/* A delayed job is due at each undelayed time plus its delay: the first
 * after "now", then, after each run, the next undelayed time after the one
 * it ran for (not after the delayed time), plus the delay. */
static void test_delay_shifts_each_time(void **state)
{
    (void)state;
    static const struct {
        const char *expr;
        uint32_t delay_s;
        int64_t now, first, second;
    } rows[] = {
        {"0 3 * * *", 1234, T0, T0 + 3 * H + 1234000, T0 + 27 * H + 1234000},
        /* at 00:30 the run for 00:00, delayed to 00:50, is still ahead */
        {"0 * * * *", 3000, T0 + 30 * M, T0 + 50 * M, T0 + H + 50 * M},
        /* a delay longer than the period: every 5 minutes all the same */
        {"*/5 * * * *", 1000, T0, T0 + 100000, T0 + 400000},
        {"0 0 * * *", 86399, T0 + 1000, T0 + 86399000, T0 + 2 * 86399000 + 1000},
        {"* * * * * * *", 0, T0, T0 + 1000, T0 + 2000},
    };
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        struct fixture f;
        struct sched s;
        struct rec r = {.n = 0};
        sched_init(&s, T0);
        struct sched_job *j = make_delayed(&f, 0, rows[i].expr, rows[i].delay_s);
        sched_add(&s, j, rows[i].now);
        if (j->next_ms != rows[i].first)
            fail_msg("%s +%us from %lld: first %lld, want %lld", rows[i].expr, rows[i].delay_s,
                     (long long)rows[i].now, (long long)j->next_ms, (long long)rows[i].first);
        sched_run_due(&s, rows[i].first - 1, record, &r);
        assert_int_equal(r.n, 0);
        sched_run_due(&s, rows[i].first, record, &r);
        assert_int_equal(r.n, 1);
        if (j->next_ms != rows[i].second)
            fail_msg("%s +%us: second %lld, want %lld", rows[i].expr, rows[i].delay_s,
                     (long long)j->next_ms, (long long)rows[i].second);
        sched_free(&s);
    }
}

/* Late by ten minutes (the daemon was stopped): it runs once, and the next
 * time is still the next undelayed time plus the delay. */
static void test_delay_late_runs_once(void **state)
{
    (void)state;
    struct fixture f;
    struct sched s;
    struct rec r = {.n = 0};
    sched_init(&s, T0);
    struct sched_job *j = make_delayed(&f, 0, "0 3 * * *", 1234);
    struct sched_job *every = make_delayed(&f, 1, "@every 1h", 1234);
    sched_add(&s, j, T0);
    sched_add(&s, every, T0);
    assert_int_equal(every->next_ms, T0 + H); /* no calendar, no delay */
    sched_run_due(&s, T0 + 3 * H + 1234000 + 10 * M, record, &r);
    assert_int_equal(r.n, 2);
    assert_int_equal(j->next_ms, T0 + 27 * H + 1234000);
    sched_free(&s);
}

/* Clock steps keep the delay: a forward step catches up the fixed-time job
 * whose delayed time was skipped, once; the wildcard job follows the new
 * clock with its delay; a backward step runs nothing twice; a large step
 * plans everything from the new time, delays included. */
static void test_delay_across_clock_steps(void **state)
{
    (void)state;
    struct fixture f;
    struct sched s;
    struct rec r = {.n = 0};
    sched_init(&s, T0);
    struct sched_job *fixed = make_delayed(&f, 0, "30 1 * * *", 600);
    struct sched_job *wild = make_delayed(&f, 1, "*/5 * * * *", 120);
    sched_add(&s, fixed, T0 + 59 * M);
    sched_add(&s, wild, T0 + 59 * M);
    assert_int_equal(fixed->next_ms, T0 + H + 40 * M);
    assert_int_equal(wild->next_ms, T0 + H + 2 * M);
    int64_t now = T0 + H + 59 * M + 30000;
    sched_jump(&s, SCHED_JUMP_FORWARD, now);
    assert_int_equal(fixed->next_ms, T0 + H + 40 * M); /* still due */
    assert_int_equal(wild->next_ms, T0 + 2 * H + 2 * M);
    sched_run_due(&s, now, record, &r);
    assert_int_equal(r.n, 1);
    assert_ptr_equal(r.job[0], fixed);
    assert_int_equal(fixed->next_ms, T0 + 25 * H + 40 * M);
    fixed->running = 0;
    /* back to 01:00: the 01:40 run is not repeated, 02:02 is still next */
    sched_jump(&s, SCHED_JUMP_BACKWARD, T0 + H);
    sched_run_due(&s, T0 + H + 45 * M, record, &r);
    assert_int_equal(r.n, 1);
    assert_int_equal(wild->next_ms, T0 + 2 * H + 2 * M);
    /* five hours on: planned from the new time */
    now = T0 + 5 * H + 1000;
    sched_jump(&s, SCHED_JUMP_LARGE, now);
    assert_int_equal(fixed->next_ms, T0 + 25 * H + 40 * M);
    assert_int_equal(wild->next_ms, T0 + 5 * H + 2 * M);
    sched_free(&s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_first_due_and_order),
        cmocka_unit_test(test_run_due_starts_and_advances),
        cmocka_unit_test(test_run_due_in_slices),
        cmocka_unit_test(test_clock_for_late_starts),
        cmocka_unit_test(test_overlap_skip),
        cmocka_unit_test(test_overlap_allow),
        cmocka_unit_test(test_overlap_queue_holds_one),
        cmocka_unit_test(test_due_of_started_and_queued_runs),
        cmocka_unit_test(test_late_wakeup_runs_once),
        cmocka_unit_test(test_reboot_and_every),
        cmocka_unit_test(test_heap_order_many),
        cmocka_unit_test(test_jump_classes),
        cmocka_unit_test(test_jump_forward_catches_up_fixed),
        cmocka_unit_test(test_jump_backward_waits),
        cmocka_unit_test(test_jump_large_replans),
        cmocka_unit_test(test_delay_shifts_each_time),
        cmocka_unit_test(test_delay_late_runs_once),
        cmocka_unit_test(test_delay_across_clock_steps),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
