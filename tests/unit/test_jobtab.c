/* Unit tests of the job table and its reload transaction: what the daemon
 * does on a reload, in milliseconds and without a daemon. Each test writes
 * crontab files into a temporary directory, loads them with the real
 * loader and applies the result to a table, as the daemon does. */
#include "testutil.h"

#include "tabfixture.h"

/* Loads the crontab paths (relative to dir) and applies them at now. */
static int apply(struct jobtab *t, int64_t now, struct jobtab_diff *out, const char *p1,
                 const char *p2)
{
    struct loader_result r;
    tab_load(now, p1, p2, &r);
    return jobtab_apply(t, &r, now, out);
}

/* A job's id as records give it. */
static const char *id_of(const struct jobtab_job *j)
{
    static char buf[LOADER_ID_MAX];
    return loader_job_id(j->lj, buf, sizeof buf);
}

static void expect_diff(const struct jobtab_diff *d, size_t added, size_t removed, size_t kept,
                        size_t invalid_kept)
{
    if (d->added != added || d->removed != removed || d->kept != kept
        || d->invalid_kept != invalid_kept)
        fail_msg("diff added %zu removed %zu kept %zu invalid_kept %zu, want %zu %zu %zu %zu",
                 d->added, d->removed, d->kept, d->invalid_kept, added, removed, kept,
                 invalid_kept);
}

/* ------------------------------------------------------------------------ */

static void test_first_load_adds_everything(void **state)
{
    (void)state;
    put("a/app.cron", "*/5 * * * * echo five", "@reboot echo boot", NULL);
    struct jobtab t;
    struct jobtab_diff d;
    jobtab_init(&t, T0, OVERLAP_SKIP);
    assert_int_equal(apply(&t, T0, &d, "a/app.cron", NULL), 0);
    expect_diff(&d, 2, 0, 0, 0);
    assert_int_equal(t.n, 2);
    struct jobtab_job *five = by_cmd(&t, "echo five"), *boot = by_cmd(&t, "echo boot");
    assert_true(five->jid != 0 && boot->jid != 0 && five->jid != boot->jid);
    assert_int_equal(five->sj.next_ms, T0 + 5 * MIN);
    assert_int_equal(boot->sj.next_ms, T0); /* @reboot: at the daemon's start */
    assert_ptr_equal(jobtab_find(&t, five->jid), five);
    assert_ptr_equal(jobtab_job_of(&five->sj), five);
    assert_string_equal(id_of(five), "app.cron:1");
    assert_int_equal(sched_next_due(&t.sched), T0);
    jobtab_free(&t);
}

/* The heart of a reload: an unchanged job keeps its due time, its running
 * and queued state and its last result, even when lines above it moved. */
static void test_kept_job_keeps_state(void **state)
{
    (void)state;
    put("k.cron", "*/5 * * * * keep", "0 * * * * other", NULL);
    struct jobtab t;
    struct jobtab_diff d;
    jobtab_init(&t, T0, OVERLAP_QUEUE);
    assert_int_equal(apply(&t, T0, &d, "k.cron", NULL), 0);
    struct jobtab_job *k = by_cmd(&t, "keep");
    uint64_t jid = k->jid;
    k->sj.running = 1;
    k->sj.queued = true;
    k->sj.next_ms = T0 + 42 * MIN; /* as if planned earlier */
    k->sj.due_ms = T0 + 35 * MIN;  /* the queued run's due time */
    assert_null(k->stats); /* never ran: no stats */
    struct jobtab_stats *st = jobtab_stats_of(k);
    assert_non_null(st);
    st->last_start_ms = T0 + 1000;
    st->last_exit_ms = T0 + 2000;
    st->last_wstatus = 3 << 8;

    put("k.cron", "# a comment moves the lines down", "*/5 * * * * keep", "0 * * * * other",
        NULL);
    assert_int_equal(apply(&t, T0 + 7 * MIN, &d, "k.cron", NULL), 0);
    expect_diff(&d, 0, 0, 2, 0);
    k = jobtab_find(&t, jid);
    assert_non_null(k);
    assert_string_equal(id_of(k), "k.cron:2"); /* its new line */
    assert_int_equal(k->sj.next_ms, T0 + 42 * MIN);
    assert_int_equal(k->sj.running, 1);
    assert_true(k->sj.queued);
    assert_int_equal(k->sj.due_ms, T0 + 35 * MIN);
    assert_ptr_equal(k->stats, st); /* moved with the job, not copied */
    assert_int_equal(k->stats->last_start_ms, T0 + 1000);
    assert_int_equal(k->stats->last_exit_ms, T0 + 2000);
    assert_int_equal(k->stats->last_wstatus, 3 << 8);
    assert_int_equal(sched_next_due(&t.sched), T0 + 42 * MIN);
    jobtab_free(&t);
}

/* Any change of the line (command, schedule, a variable above it) makes a
 * new job, planned from now; the old one is removed. */
static void test_changed_line_is_new_job(void **state)
{
    (void)state;
    put("c.cron", "*/5 * * * * first", "*/5 * * * * second", "*/5 * * * * third", NULL);
    struct jobtab t;
    struct jobtab_diff d;
    jobtab_init(&t, T0, OVERLAP_SKIP);
    assert_int_equal(apply(&t, T0, &d, "c.cron", NULL), 0);
    uint64_t first = by_cmd(&t, "first")->jid, second = by_cmd(&t, "second")->jid;
    uint64_t third = by_cmd(&t, "third")->jid;
    by_cmd(&t, "second")->sj.running = 1;

    put("c.cron", "*/5 * * * * first", "*/10 * * * * second", "X=1", "*/5 * * * * third",
        NULL);
    assert_int_equal(apply(&t, T0 + 11 * MIN, &d, "c.cron", NULL), 0);
    expect_diff(&d, 2, 2, 1, 0);
    assert_non_null(jobtab_find(&t, first));
    assert_null(jobtab_find(&t, second)); /* a new schedule: a new job */
    assert_null(jobtab_find(&t, third));  /* a new variable in its environment */
    struct jobtab_job *s = by_cmd(&t, "second");
    assert_true(s->jid > third);
    assert_int_equal(s->sj.running, 0); /* the old run belongs to the old job */
    assert_int_equal(s->sj.next_ms, T0 + 20 * MIN);
    assert_int_equal(by_cmd(&t, "third")->sj.next_ms, T0 + 15 * MIN);
    jobtab_free(&t);
}

/* A file that became invalid keeps its old jobs, state and all, while the
 * changes of the other file apply. */
static void test_invalid_file_keeps_old_jobs(void **state)
{
    (void)state;
    put("v/good.cron", "*/5 * * * * good-old", NULL);
    put("v/bad.cron", "*/5 * * * * bad-1", "*/7 * * * * bad-2", NULL);
    struct jobtab t;
    struct jobtab_diff d;
    jobtab_init(&t, T0, OVERLAP_SKIP);
    assert_int_equal(apply(&t, T0, &d, "v", NULL), 0);
    expect_diff(&d, 3, 0, 0, 0);
    uint64_t b1 = by_cmd(&t, "bad-1")->jid;
    by_cmd(&t, "bad-1")->sj.running = 2;

    put("v/good.cron", "*/5 * * * * good-new", NULL);
    put("v/bad.cron", "*/5 * * * * bad-1", "0 0 32 * * broken", "* * * * * bad-3", NULL);
    assert_int_equal(apply(&t, T0 + MIN, &d, "v", NULL), 0);
    expect_diff(&d, 1, 1, 0, 2);
    assert_int_equal(t.n, 3);
    struct jobtab_job *k = jobtab_find(&t, b1);
    assert_non_null(k);
    assert_int_equal(k->sj.running, 2);
    assert_string_equal(k->lj->entry->command, "bad-1");
    by_cmd(&t, "bad-2");       /* the old version of the file stays whole */
    by_cmd(&t, "good-new");
    for (size_t i = 0; i < t.n; i++)
        assert_string_not_equal(t.jobs[i].lj->entry->command, "bad-3");

    /* fixed: the file's new jobs replace the old ones, bad-1 kept */
    put("v/bad.cron", "*/5 * * * * bad-1", "* * * * * bad-3", NULL);
    assert_int_equal(apply(&t, T0 + 2 * MIN, &d, "v", NULL), 0);
    expect_diff(&d, 1, 1, 2, 0);
    assert_non_null(jobtab_find(&t, b1));
    by_cmd(&t, "bad-3");
    jobtab_free(&t);
}

/* Two crontabs with one name in two directories: their jobs have ids by
 * path and each keeps its own state, even with the same line. */
static void test_two_files_same_name(void **state)
{
    (void)state;
    put("x/app.cron", "*/5 * * * * same", NULL);
    put("y/app.cron", "*/5 * * * * same", NULL);
    struct jobtab t;
    struct jobtab_diff d;
    jobtab_init(&t, T0, OVERLAP_SKIP);
    assert_int_equal(apply(&t, T0, &d, "x/app.cron", "y/app.cron"), 0);
    assert_int_equal(t.n, 2);
    struct jobtab_job *x = &t.jobs[0], *y = &t.jobs[1];
    assert_true(strstr(id_of(x), "x/app.cron:1") != NULL);
    assert_true(strstr(id_of(y), "y/app.cron:1") != NULL);
    uint64_t xj = x->jid, yj = y->jid;
    y->sj.running = 1;

    put("x/app.cron", "*/5 * * * * changed", NULL);
    assert_int_equal(apply(&t, T0 + MIN, &d, "x/app.cron", "y/app.cron"), 0);
    expect_diff(&d, 1, 1, 1, 0);
    assert_null(jobtab_find(&t, xj));
    y = jobtab_find(&t, yj);
    assert_non_null(y);
    assert_int_equal(y->sj.running, 1);
    assert_true(strstr(jobtab_path(y), "y/app.cron") != NULL);
    jobtab_free(&t);
}

/* A job removed while it runs: its jid finds nothing any more, so its
 * process, which outlives it, updates no job when it exits. */
static void test_removed_while_running(void **state)
{
    (void)state;
    put("r.cron", "* * * * * * * long", "* * * * * stay", NULL);
    struct jobtab t;
    struct jobtab_diff d;
    jobtab_init(&t, T0, OVERLAP_SKIP);
    assert_int_equal(apply(&t, T0, &d, "r.cron", NULL), 0);
    struct jobtab_job *l = by_cmd(&t, "long");
    uint64_t jid = l->jid;
    l->sj.running = 1;
    put("r.cron", "* * * * * stay", NULL);
    assert_int_equal(apply(&t, T0 + 3000, &d, "r.cron", NULL), 0);
    expect_diff(&d, 0, 1, 1, 0);
    assert_null(jobtab_find(&t, jid));
    assert_int_equal(t.n, 1);
    assert_int_equal(sched_next_due(&t.sched), T0 + MIN); /* nothing per second left */
    /* the jid is not given again */
    put("r.cron", "* * * * * stay", "* * * * * * * long", NULL);
    assert_int_equal(apply(&t, T0 + 4000, &d, "r.cron", NULL), 0);
    assert_true(by_cmd(&t, "long")->jid > jid);
    jobtab_free(&t);
}

/* Two identical lines are two jobs; a reload keeps both, each with the
 * state of one, and removing one line keeps one. */
static void test_duplicate_lines(void **state)
{
    (void)state;
    put("d.cron", "*/5 * * * * dup", "*/5 * * * * dup", NULL);
    struct jobtab t;
    struct jobtab_diff d;
    jobtab_init(&t, T0, OVERLAP_SKIP);
    assert_int_equal(apply(&t, T0, &d, "d.cron", NULL), 0);
    assert_int_equal(t.n, 2);
    t.jobs[0].sj.running = 1;
    t.jobs[1].sj.running = 2;
    uint64_t a = t.jobs[0].jid, b = t.jobs[1].jid;
    assert_int_equal(apply(&t, T0 + MIN, &d, "d.cron", NULL), 0);
    expect_diff(&d, 0, 0, 2, 0);
    assert_int_equal(jobtab_find(&t, a)->sj.running + jobtab_find(&t, b)->sj.running, 3);
    put("d.cron", "*/5 * * * * dup", NULL);
    assert_int_equal(apply(&t, T0 + 2 * MIN, &d, "d.cron", NULL), 0);
    expect_diff(&d, 0, 1, 1, 0);
    jobtab_free(&t);
}

/* @reboot runs at the daemon's start only: added by a later reload, it is
 * never due; kept, it stays as it was. @every counts from the start. */
static void test_reboot_and_every_across_reloads(void **state)
{
    (void)state;
    put("e.cron", "@every 90s tick", NULL);
    struct jobtab t;
    struct jobtab_diff d;
    jobtab_init(&t, T0, OVERLAP_SKIP);
    assert_int_equal(apply(&t, T0, &d, "e.cron", NULL), 0);
    put("e.cron", "@every 90s tick", "@reboot boot", "@every 60s tock", NULL);
    assert_int_equal(apply(&t, T0 + 100000, &d, "e.cron", NULL), 0);
    expect_diff(&d, 2, 0, 1, 0);
    assert_int_equal(by_cmd(&t, "boot")->sj.next_ms, SCHED_NEVER);
    assert_int_equal(by_cmd(&t, "tock")->sj.next_ms, T0 + 120000); /* origin + 2 x 60 s */
    assert_int_equal(by_cmd(&t, "tick")->sj.next_ms, T0 + 90000);  /* kept as planned */
    jobtab_free(&t);
}

/* The INI-style policy of a job wins over the table's default; a missing
 * file is an error that keeps the old jobs like an invalid one. */
static void test_missing_file_keeps_jobs(void **state)
{
    (void)state;
    put("m/gone.cron", "*/5 * * * * gone", NULL);
    struct jobtab t;
    struct jobtab_diff d;
    jobtab_init(&t, T0, OVERLAP_ALLOW);
    assert_int_equal(apply(&t, T0, &d, "m/gone.cron", NULL), 0);
    assert_int_equal(t.jobs[0].sj.overlap, OVERLAP_ALLOW);
    uint64_t jid = t.jobs[0].jid;
    char path[256];
    snprintf(path, sizeof path, "%s/m/gone.cron", dir);
    assert_int_equal(unlink(path), 0);
    assert_int_equal(apply(&t, T0 + MIN, &d, "m/gone.cron", NULL), 0);
    expect_diff(&d, 0, 0, 0, 1);
    assert_non_null(jobtab_find(&t, jid));
    jobtab_free(&t);
}

/* A crontab named by -f that disappears keeps its jobs until it is back;
 * one made writable by others is refused the same way (its old jobs stay);
 * in a directory, a crontab replaced by a folder is gone: its jobs are
 * removed, with no error. Each is said by the loader's diags. */
static void test_files_changing_under_us(void **state)
{
    (void)state;
    put("f/victim.cron", "*/5 * * * * victim", NULL);
    put("f/other.cron", "*/5 * * * * other", NULL);
    char victim[256];
    snprintf(victim, sizeof victim, "%s/f/victim.cron", dir);
    struct jobtab t;
    struct jobtab_diff d;
    jobtab_init(&t, T0, OVERLAP_SKIP);
    assert_int_equal(apply(&t, T0, &d, "f/victim.cron", "f/other.cron"), 0);
    uint64_t v = by_cmd(&t, "victim")->jid;

    /* deleted, then back with a new line: kept, then reloaded */
    assert_int_equal(unlink(victim), 0);
    assert_int_equal(apply(&t, T0 + MIN, &d, "f/victim.cron", "f/other.cron"), 0);
    expect_diff(&d, 0, 0, 1, 1);
    assert_non_null(jobtab_find(&t, v));
    put("f/victim.cron", "*/5 * * * * victim", "* * * * * back", NULL);
    assert_int_equal(apply(&t, T0 + 2 * MIN, &d, "f/victim.cron", "f/other.cron"), 0);
    expect_diff(&d, 1, 0, 2, 0);
    assert_non_null(jobtab_find(&t, v));

    /* writable by others: refused, old jobs kept; fixed: read again */
    assert_int_equal(chmod(victim, 0666), 0);
    put("f/victim.cron", "* * * * * sneaked in", NULL);
    assert_int_equal(chmod(victim, 0666), 0);
    assert_int_equal(apply(&t, T0 + 3 * MIN, &d, "f/victim.cron", "f/other.cron"), 0);
    expect_diff(&d, 0, 0, 1, 2);
    for (size_t i = 0; i < t.n; i++)
        assert_string_not_equal(t.jobs[i].lj->entry->command, "sneaked in");
    assert_int_equal(chmod(victim, 0644), 0);
    assert_int_equal(apply(&t, T0 + 4 * MIN, &d, "f/victim.cron", "f/other.cron"), 0);
    expect_diff(&d, 1, 2, 1, 0);
    by_cmd(&t, "sneaked in");
    jobtab_free(&t);

    /* in a directory, replaced by a folder: its jobs go, quietly */
    put("g/victim.cron", "*/5 * * * * victim", NULL);
    put("g/other.cron", "*/5 * * * * other", NULL);
    snprintf(victim, sizeof victim, "%s/g/victim.cron", dir);
    jobtab_init(&t, T0, OVERLAP_SKIP);
    assert_int_equal(apply(&t, T0, &d, "g", NULL), 0);
    assert_int_equal(unlink(victim), 0);
    assert_int_equal(mkdir(victim, 0755), 0);
    put("g/victim.cron/inner", "* * * * * inner", NULL); /* not descended */
    assert_int_equal(apply(&t, T0 + MIN, &d, "g", NULL), 0);
    expect_diff(&d, 0, 1, 1, 0);
    assert_int_equal(t.n, 1);
    by_cmd(&t, "other");
    jobtab_free(&t);
}

/* RANDOM_DELAY and '~' across reloads and replicas: the same line gets the
 * same delay and values in another file (another replica's copy); a kept
 * job keeps its delayed next time; a new RANDOM_DELAY is a new job. */
static void test_random_delay_across_reloads(void **state)
{
    (void)state;
    put("r.cron", "RANDOM_DELAY=30", "0 3 * * * delayed", "~ ~ * * * drawn", NULL);
    put("replica/r.cron", "# another replica's copy", "RANDOM_DELAY=30",
        "0 3 * * * delayed", "", "~ ~ * * * drawn", NULL);
    struct jobtab t;
    struct jobtab_diff d;
    jobtab_init(&t, T0, OVERLAP_SKIP);
    assert_int_equal(apply(&t, T0, &d, "r.cron", "replica/r.cron"), 0);
    const struct jobtab_job *a = &t.jobs[0], *b = &t.jobs[2];
    assert_string_equal(a->lj->entry->command, "delayed");
    assert_string_equal(b->lj->entry->command, "delayed");
    uint32_t delay = a->lj->entry->spec->delay_s;
    assert_true(delay < 1800);
    assert_int_equal(b->lj->entry->spec->delay_s, delay);
    assert_int_equal(a->sj.next_ms, T0 + 3 * 60 * MIN + (int64_t)delay * 1000);
    assert_int_equal(b->sj.next_ms, a->sj.next_ms);
    const struct cronspec *x = t.jobs[1].lj->entry->spec, *y = t.jobs[3].lj->entry->spec;
    assert_true(x->min == y->min && x->hour == y->hour);
    int64_t drawn_next = t.jobs[1].sj.next_ms;
    uint64_t jid = a->jid, drawn = t.jobs[1].jid;
    int64_t next = a->sj.next_ms;

    /* moved down a line, reloaded an hour later: kept, same next time */
    put("r.cron", "# moved", "RANDOM_DELAY=30", "0 3 * * * delayed", "~ ~ * * * drawn", NULL);
    assert_int_equal(apply(&t, T0 + 60 * MIN, &d, "r.cron", NULL), 0);
    expect_diff(&d, 0, 2, 2, 0);
    assert_int_equal(jobtab_find(&t, jid)->sj.next_ms, next);
    assert_int_equal(jobtab_find(&t, drawn)->sj.next_ms, drawn_next);

    /* another RANDOM_DELAY: both jobs see it in their environment: new jobs */
    put("r.cron", "RANDOM_DELAY=31", "0 3 * * * delayed", "~ ~ * * * drawn", NULL);
    assert_int_equal(apply(&t, T0 + 2 * 60 * MIN, &d, "r.cron", NULL), 0);
    expect_diff(&d, 2, 2, 0, 0);
    struct jobtab_job *n = by_cmd(&t, "delayed");
    uint32_t delay31 = n->lj->entry->spec->delay_s;
    assert_true(delay31 < 31 * 60);
    assert_int_equal(n->sj.next_ms, T0 + 3 * 60 * MIN + (int64_t)delay31 * 1000);
    jobtab_free(&t);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_first_load_adds_everything),
        cmocka_unit_test(test_kept_job_keeps_state),
        cmocka_unit_test(test_changed_line_is_new_job),
        cmocka_unit_test(test_invalid_file_keeps_old_jobs),
        cmocka_unit_test(test_two_files_same_name),
        cmocka_unit_test(test_removed_while_running),
        cmocka_unit_test(test_duplicate_lines),
        cmocka_unit_test(test_reboot_and_every_across_reloads),
        cmocka_unit_test(test_missing_file_keeps_jobs),
        cmocka_unit_test(test_files_changing_under_us),
        cmocka_unit_test(test_random_delay_across_reloads),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
