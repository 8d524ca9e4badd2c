/* Unit tests of hook: which hook follows a run (failure, success or none;
 * the job's own or the daemon's; never after a hook) and what it gets (its
 * id, command, user, directory, timeout and every variable). Pure: no
 * process runs. */
#include "testutil.h"

#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#include "crond/hook.h"
#include "crond/user.h"

#define T0 1767225600000LL /* 2026-01-01T00:00:00Z in ms */
#define EXITED(code) ((code) << 8)

/* A crontab job: variables (one of them a stale hook variable), SHELL. */
static char *vars[] = {"A=1", "CROND_LITE_STATUS=stale", "B=two words", NULL};
static struct crontab_env env = {vars, 3, "/bin/bash", NULL, 0, 0};
static struct crontab_entry entry = {.line = 3, .command = "backup", .env = &env};

static struct loader_job job_of(struct loader_ini *ini)
{
    return (struct loader_job){.entry = &entry, .ini = ini};
}

static struct hook_result exited(int code)
{
    return (struct hook_result){.id = "app.cron:3", .due_ms = T0 + 5123, .duration_ms = 1234,
                                .wstatus = EXITED(code)};
}

/* The value of name in the hook's variables, or NULL; fails when it is
 * there twice. */
static const char *var(const struct hook_spawn *s, const char *name)
{
    const char *found = NULL;
    size_t len = strlen(name);
    for (size_t i = 0; i < s->env.nvars; i++) {
        if (strncmp(s->env.vars[i], name, len) != 0 || s->env.vars[i][len] != '=')
            continue;
        if (found != NULL)
            fail_msg("%s is set twice", name);
        found = s->env.vars[i] + len + 1;
    }
    assert_null(s->env.vars[s->env.nvars]);
    return found;
}

/* ------------------------------------------------------------------------ */
/* Which hook                                                               */
/* ------------------------------------------------------------------------ */

static void test_failure_classes(void **state)
{
    (void)state;
    struct hook_result r = exited(0);
    assert_false(hook_failed(&r));
    r = exited(1);
    assert_true(hook_failed(&r));
    r = exited(255);
    assert_true(hook_failed(&r));
    r = (struct hook_result){.id = "x", .wstatus = SIGKILL};
    assert_true(WIFSIGNALED(r.wstatus));
    assert_true(hook_failed(&r));
    /* its timeout ended it, though it exited 0 on SIGTERM */
    r = (struct hook_result){.id = "x", .wstatus = EXITED(0), .timed_out = true};
    assert_true(hook_failed(&r));
    r = (struct hook_result){.id = "x", .error = "fork: Resource temporarily unavailable"};
    assert_true(hook_failed(&r));
}

static void test_pick_daemon_hooks(void **state)
{
    (void)state;
    struct loader_job lj = job_of(NULL);
    struct hook_cmds both = {"notify fail", "notify ok"}, none = {NULL, NULL};
    struct hook_cmds fail_only = {"notify fail", ""};
    const char *cmd = "unset";
    struct hook_result bad = exited(2), good = exited(0);
    assert_int_equal(hook_pick(&bad, &lj, &both, &cmd), HOOK_FAILURE);
    assert_string_equal(cmd, "notify fail");
    assert_int_equal(hook_pick(&good, &lj, &both, &cmd), HOOK_SUCCESS);
    assert_string_equal(cmd, "notify ok");
    assert_int_equal(hook_pick(&good, &lj, &fail_only, &cmd), HOOK_NONE);
    assert_null(cmd);
    assert_int_equal(hook_pick(&bad, &lj, &none, &cmd), HOOK_NONE);
    assert_true(hook_wanted(&lj, &both));
    assert_true(hook_wanted(&lj, &fail_only));
    assert_false(hook_wanted(&lj, &none));
    assert_false(hook_wanted(&lj, &(struct hook_cmds){"", ""}));
}

/* A job's own key wins over the daemon's, for its outcome only; an empty
 * own key means none for this job. */
static void test_pick_own_wins(void **state)
{
    (void)state;
    struct loader_ini ini = {.on_failure = "own fail"};
    struct loader_job lj = job_of(&ini);
    struct hook_cmds daemon = {"daemon fail", "daemon ok"}, none = {NULL, NULL};
    const char *cmd;
    struct hook_result bad = exited(2), good = exited(0);
    assert_int_equal(hook_pick(&bad, &lj, &daemon, &cmd), HOOK_FAILURE);
    assert_string_equal(cmd, "own fail");
    assert_int_equal(hook_pick(&good, &lj, &daemon, &cmd), HOOK_SUCCESS);
    assert_string_equal(cmd, "daemon ok");
    assert_int_equal(hook_pick(&bad, &lj, &none, &cmd), HOOK_FAILURE);
    assert_string_equal(cmd, "own fail");
    assert_true(hook_wanted(&lj, &none));
    ini = (struct loader_ini){.on_failure = "", .on_success = "own ok"};
    assert_int_equal(hook_pick(&bad, &lj, &daemon, &cmd), HOOK_NONE);
    assert_int_equal(hook_pick(&good, &lj, &daemon, &cmd), HOOK_SUCCESS);
    assert_string_equal(cmd, "own ok");
    ini = (struct loader_ini){.on_failure = "", .on_success = ""};
    assert_false(hook_wanted(&lj, &daemon));
}

/* A hook's end never starts a hook, whatever is set. */
static void test_no_hook_after_a_hook(void **state)
{
    (void)state;
    struct loader_ini ini = {.on_failure = "own fail", .on_success = "own ok"};
    struct loader_job lj = job_of(&ini);
    struct hook_cmds daemon = {"daemon fail", "daemon ok"};
    struct hook_result r = exited(1);
    const char *cmd;
    struct hook_spawn s;
    r.hook = true;
    assert_int_equal(hook_pick(&r, &lj, &daemon, &cmd), HOOK_NONE);
    assert_null(cmd);
    r.wstatus = EXITED(0);
    assert_int_equal(hook_prepare(&r, &lj, &daemon, &s), 0);
    /* a run of no job (jid 0) is a hook's */
    struct proc p = {.id = "app.cron:3!on-failure", .jid = 0, .wstatus = EXITED(1)};
    hook_result_of(&p, &r);
    assert_true(r.hook);
    assert_int_equal(hook_prepare(&r, &lj, &daemon, &s), 0);
    struct proc_job pj = {.jid = 0, .id = "app.cron:3!on-failure"};
    hook_result_failed(&pj, "exec: nope", &r);
    assert_true(r.hook);
    assert_int_equal(hook_prepare(&r, &lj, &daemon, &s), 0);
}

/* ------------------------------------------------------------------------ */
/* What it gets                                                             */
/* ------------------------------------------------------------------------ */

/* A run that exited 3: the hook's id, command, the job's shell, user and
 * timeout (not its directory), and every variable. */
static void test_prepare_after_exit(void **state)
{
    (void)state;
    struct user alice = {.name = "alice", .uid = 1000};
    struct loader_ini ini = {.timeout_ms = 60000, .workdir = "/srv"};
    struct loader_job lj = job_of(&ini);
    lj.user = &alice;
    struct relay_tail tail = {0};
    relay_tail_add(&tail, "dumping", 7);
    relay_tail_add(&tail, "error: disk full", 16);
    struct hook_result r = exited(3);
    r.output = &tail;
    struct hook_spawn s;
    assert_int_equal(hook_prepare(&r, &lj, &(struct hook_cmds){"curl fail", NULL}, &s), 1);
    assert_string_equal(s.id, "app.cron:3!on-failure");
    assert_string_equal(s.job.id, "app.cron:3!on-failure");
    assert_int_equal(s.job.jid, 0);
    assert_string_equal(s.job.entry->command, "curl fail");
    assert_null(s.job.entry->input);
    assert_null(s.job.entry->spec);
    assert_string_equal(s.job.entry->env->shell, "/bin/bash");
    assert_ptr_equal(s.job.user, &alice);
    assert_null(s.job.workdir); /* the user's home, not the job's /srv */
    assert_int_equal(s.job.timeout_ms, 60000);
    assert_false(s.job.keep_tail);
    assert_string_equal(var(&s, "CROND_LITE_JOB"), "app.cron:3");
    assert_string_equal(var(&s, "CROND_LITE_DUE"), "2026-01-01T00:00:05Z");
    assert_string_equal(var(&s, "CROND_LITE_STATUS"), "3"); /* not the crontab's "stale" */
    assert_null(var(&s, "CROND_LITE_SIGNAL"));
    assert_null(var(&s, "CROND_LITE_ERROR"));
    assert_string_equal(var(&s, "CROND_LITE_DURATION_MS"), "1234");
    assert_string_equal(var(&s, "CROND_LITE_OUTPUT"), "dumping\nerror: disk full");
    assert_string_equal(var(&s, "A"), "1");
    assert_string_equal(var(&s, "B"), "two words");
    assert_int_equal(s.env.nvars, 2 + HOOK_NVARS);
    hook_spawn_free(&s);
}

static void test_prepare_after_signal_and_success(void **state)
{
    (void)state;
    struct loader_job lj = job_of(NULL);
    struct hook_cmds daemon = {"f", "s"};
    struct hook_result r = {.id = "slow", .due_ms = T0, .duration_ms = 1001,
                            .wstatus = SIGTERM, .timed_out = true};
    struct hook_spawn s;
    assert_int_equal(hook_prepare(&r, &lj, &daemon, &s), 1);
    assert_string_equal(s.id, "slow!on-failure");
    assert_string_equal(var(&s, "CROND_LITE_SIGNAL"), "SIGTERM");
    assert_null(var(&s, "CROND_LITE_STATUS"));
    assert_null(var(&s, "CROND_LITE_ERROR"));
    assert_string_equal(var(&s, "CROND_LITE_DUE"), "2026-01-01T00:00:00Z");
    assert_string_equal(var(&s, "CROND_LITE_OUTPUT"), ""); /* nothing kept */
    assert_int_equal(s.job.timeout_ms, 0);
    assert_null(s.job.workdir);
    assert_null(s.job.user);
    hook_spawn_free(&s);
    r = exited(0);
    assert_int_equal(hook_prepare(&r, &lj, &daemon, &s), 1);
    assert_string_equal(s.id, "app.cron:3!on-success");
    assert_string_equal(s.job.entry->command, "s");
    assert_string_equal(var(&s, "CROND_LITE_STATUS"), "0");
    assert_null(var(&s, "CROND_LITE_SIGNAL"));
    hook_spawn_free(&s);
}

/* A run that could not start: CROND_LITE_ERROR, no STATUS or SIGNAL. */
static void test_prepare_after_start_error(void **state)
{
    (void)state;
    struct loader_job lj = job_of(NULL);
    struct proc_job pj = {.jid = 4, .id = "app.cron:3", .due_ms = T0 + 59000};
    struct hook_result r;
    hook_result_failed(&pj, "exec /bin/nosh: No such file or directory", &r);
    assert_false(r.hook);
    struct hook_spawn s;
    assert_int_equal(hook_prepare(&r, &lj, &(struct hook_cmds){"f", NULL}, &s), 1);
    assert_string_equal(var(&s, "CROND_LITE_ERROR"), "exec /bin/nosh: No such file or directory");
    assert_null(var(&s, "CROND_LITE_STATUS"));
    assert_null(var(&s, "CROND_LITE_SIGNAL"));
    assert_string_equal(var(&s, "CROND_LITE_DURATION_MS"), "0");
    assert_string_equal(var(&s, "CROND_LITE_OUTPUT"), "");
    assert_string_equal(var(&s, "CROND_LITE_DUE"), "2026-01-01T00:00:59Z");
    hook_spawn_free(&s);
}

/* A finished proc as a result: its id, due time, duration to its exit,
 * status and tail. */
static void test_result_of_proc(void **state)
{
    (void)state;
    struct relay_tail tail = {0};
    struct proc p = {.id = "app.cron:3", .jid = 7, .due_ms = T0 + 1000, .start_ms = T0 + 1002,
                     .exit_ms = T0 + 2502, .wstatus = EXITED(9), .timed_out = false,
                     .tail = &tail};
    struct hook_result r;
    hook_result_of(&p, &r);
    assert_string_equal(r.id, "app.cron:3");
    assert_int_equal(r.due_ms, T0 + 1000);
    assert_int_equal(r.duration_ms, 1500);
    assert_int_equal(r.wstatus, EXITED(9));
    assert_ptr_equal(r.output, &tail);
    assert_null(r.error);
    assert_false(r.hook);
}

/* What a hook inherits from the daemon: no variable of a hook's. */
static void test_environ_without_hook_variables(void **state)
{
    (void)state;
    char *in[] = {"PATH=/bin", "CROND_LITE_SIGNAL=SIGHUP", "CROND_LITE_OUTPUT=raw",
                  "CROND_LITE_OUTPUTS=kept", "CROND_LITE_JOB", "HOME=/root",
                  "CROND_LITE_ERROR=", NULL};
    char **out = hook_environ(in);
    assert_non_null(out);
    assert_string_equal(out[0], "PATH=/bin");
    assert_string_equal(out[1], "CROND_LITE_OUTPUTS=kept");
    assert_string_equal(out[2], "HOME=/root");
    assert_null(out[3]);
    free(out);
    assert_null(hook_environ(NULL));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_failure_classes),
        cmocka_unit_test(test_pick_daemon_hooks),
        cmocka_unit_test(test_pick_own_wins),
        cmocka_unit_test(test_no_hook_after_a_hook),
        cmocka_unit_test(test_prepare_after_exit),
        cmocka_unit_test(test_prepare_after_signal_and_success),
        cmocka_unit_test(test_prepare_after_start_error),
        cmocka_unit_test(test_result_of_proc),
        cmocka_unit_test(test_environ_without_hook_variables),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
