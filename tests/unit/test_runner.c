/* Unit tests for runner: real processes, spawned with /bin/sh and reaped here
 * (the test is its own reaper). Tests that depend on privileges run a root
 * branch or an unprivileged branch; each branch asserts something. */
#include "testutil.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <poll.h>
#include <pwd.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include "crond/crontab.h"
#include "crond/runner.h"
#include "crond/user.h"

#define SH "/bin/sh"
#define NOBODY_SPEC "nobody"
#define UNKNOWN_UID 54321u /* assumed to have no passwd entry */

static char *test_env[] = {"PATH=/usr/bin:/bin", NULL};

/* ------------------------------------------------------------------------ */
/* Helpers                                                                  */
/* ------------------------------------------------------------------------ */

struct run {
    int rc;          /* runner_spawn's result */
    char err[256];   /* its message */
    pid_t pid;       /* the child */
    int status;      /* from waitpid */
    char out[65536]; /* the job's stdout, NUL-terminated */
    size_t nout;
    char errout[8192]; /* the job's stderr, NUL-terminated */
    size_t nerr;
};

static struct runner_req req_sh(const char *command)
{
    return (struct runner_req){
        .shell = SH, .command = command, .input = NULL, .envp = test_env,
        .workdir = "/", .user = NULL,
    };
}

/* Reads what is there; closes *fd at EOF. */
static void drain(int *fd, char *buf, size_t cap, size_t *len)
{
    for (;;) {
        char tmp[4096];
        ssize_t n = read(*fd, tmp, sizeof tmp);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0) {
            assert_true(errno == EAGAIN || errno == EWOULDBLOCK);
            return;
        }
        if (n == 0) {
            assert_int_equal(close(*fd), 0);
            *fd = -1;
            return;
        }
        size_t take = (size_t)n < cap - 1 - *len ? (size_t)n : cap - 1 - *len;
        memcpy(buf + *len, tmp, take);
        *len += take;
        buf[*len] = '\0';
    }
}

/* Reads both pipes until EOF with poll, as the daemon's loop would. */
static void collect(struct runner_child *c, struct run *r)
{
    int fds[2] = {c->out_fd, c->err_fd};
    while (fds[0] >= 0 || fds[1] >= 0) {
        struct pollfd pfd[2] = {{.fd = fds[0], .events = POLLIN},
                                {.fd = fds[1], .events = POLLIN}};
        int n = poll(pfd, 2, 10000);
        if (n < 0 && errno == EINTR)
            continue;
        assert_true(n > 0); /* a job of these tests never takes 10 s */
        if (fds[0] >= 0 && pfd[0].revents != 0)
            drain(&fds[0], r->out, sizeof r->out, &r->nout);
        if (fds[1] >= 0 && pfd[1].revents != 0)
            drain(&fds[1], r->errout, sizeof r->errout, &r->nerr);
    }
}

static void reap(struct run *r)
{
    pid_t w;
    do
        w = waitpid(r->pid, &r->status, 0);
    while (w < 0 && errno == EINTR);
    assert_int_equal(w, r->pid);
}

/* Spawns, reads the job's output until EOF and reaps it. */
static struct run *run_req(const struct runner_req *req)
{
    struct run *r = calloc(1, sizeof *r);
    assert_non_null(r);
    struct runner_child c;
    r->rc = runner_spawn(req, &c, r->err, sizeof r->err);
    r->pid = c.pid;
    if (r->rc == 0) {
        assert_true(c.pid > 0);
        collect(&c, r);
    } else {
        assert_int_equal(c.out_fd, -1);
        assert_int_equal(c.err_fd, -1);
    }
    if (r->pid > 0)
        reap(r);
    return r;
}

static struct run *run_sh(const char *command)
{
    struct runner_req req = req_sh(command);
    return run_req(&req);
}

static void assert_exit(const struct run *r, int code)
{
    assert_true(WIFEXITED(r->status));
    assert_int_equal(WEXITSTATUS(r->status), code);
}

static int fd_count(void)
{
    DIR *d = opendir("/proc/self/fd");
    assert_non_null(d);
    int n = 0;
    for (struct dirent *e; (e = readdir(d)) != NULL;)
        n += e->d_name[0] != '.';
    assert_int_equal(closedir(d), 0);
    return n;
}

static bool is_root(void)
{
    return geteuid() == 0;
}

static int wait_child_code(pid_t pid)
{
    int status;
    pid_t w;
    do
        w = waitpid(pid, &status, 0);
    while (w < 0 && errno == EINTR);
    assert_int_equal(w, pid);
    assert_true(WIFEXITED(status));
    return WEXITSTATUS(status);
}

/* ------------------------------------------------------------------------ */
/* The child set-up                                                         */
/* ------------------------------------------------------------------------ */

static void test_stdout_stderr_separate(void **state)
{
    (void)state;
    struct run *r = run_sh("echo out; echo err >&2; echo out2; exit 3");
    assert_int_equal(r->rc, 0);
    assert_string_equal(r->out, "out\nout2\n");
    assert_string_equal(r->errout, "err\n");
    assert_exit(r, 3);
    free(r);
}

static void test_stdin_devnull(void **state)
{
    (void)state;
    struct run *r = run_sh("cat; echo \"cat=$?\"; readlink /proc/$$/fd/0");
    assert_int_equal(r->rc, 0);
    assert_string_equal(r->out, "cat=0\n/dev/null\n");
    assert_string_equal(r->errout, "");
    free(r);
}

static void test_stdin_input(void **state)
{
    (void)state;
    struct runner_req req = req_sh("cat");
    req.input = "one\ntwo %\n";
    struct run *r = run_req(&req);
    assert_int_equal(r->rc, 0);
    assert_string_equal(r->out, "one\ntwo %\n");
    free(r);

    req.input = "";
    r = run_req(&req);
    assert_int_equal(r->rc, 0);
    assert_string_equal(r->out, "");
    free(r);
}

/* Just under the 64 KiB an input may have: all of it arrives. */
static void test_stdin_input_large(void **state)
{
    (void)state;
    size_t len = 65535;
    char *text = malloc(len + 1);
    assert_non_null(text);
    memset(text, 'x', len);
    text[len] = '\0';
    struct runner_req req = req_sh("wc -c");
    req.input = text;
    struct run *r = run_req(&req);
    assert_int_equal(r->rc, 0);
    assert_int_equal(strtol(r->out, NULL, 10), (long)len);
    free(r);
    free(text);
}

static void test_own_session_and_group(void **state)
{
    (void)state;
    struct run *r = run_sh("read -r pid comm st ppid pgrp sid rest < /proc/self/stat;"
                           " echo \"$$ $pid $pgrp $sid\"");
    assert_int_equal(r->rc, 0);
    long shell, pid, pgrp, sid;
    assert_int_equal(sscanf(r->out, "%ld %ld %ld %ld", &shell, &pid, &pgrp, &sid), 4);
    assert_int_equal(shell, r->pid); /* the shell is the forked process */
    assert_int_equal(pid, r->pid);
    assert_int_equal(pgrp, r->pid);
    assert_int_equal(sid, r->pid);
    assert_int_not_equal(pgrp, getpgrp());
    free(r);
}

/* The loop tests each number with [ -e ]: listing the directory (ls, a glob)
 * would itself open an fd and see it. */
static void test_only_stdio_fds(void **state)
{
    (void)state;
    int leak = open("/dev/null", O_RDONLY); /* deliberately not O_CLOEXEC */
    assert_true(leak >= 0);
    /* A high fd as well, below the limit (and the loop's 1024). */
    struct rlimit rl;
    assert_int_equal(getrlimit(RLIMIT_NOFILE, &rl), 0);
    int want = rl.rlim_cur > 1000 ? 1000 : (int)rl.rlim_cur - 1;
    int high = dup2(leak, want);
    assert_int_equal(high, want);
    int p[2];
    assert_int_equal(pipe(p), 0);
    struct run *r = run_sh("i=0; while [ $i -lt 1024 ]; do"
                           " [ -e /proc/$$/fd/$i ] && printf '%d ' $i; i=$((i+1)); done");
    assert_int_equal(r->rc, 0);
    assert_string_equal(r->out, "0 1 2 ");
    free(r);
    /* The parent's own fds are untouched. */
    assert_int_not_equal(fcntl(leak, F_GETFD), -1);
    assert_int_not_equal(fcntl(high, F_GETFD), -1);
    assert_int_equal(close(leak), 0);
    assert_int_equal(close(high), 0);
    assert_int_equal(close(p[0]), 0);
    assert_int_equal(close(p[1]), 0);
}

static void test_no_fd_leak_on_success(void **state)
{
    (void)state;
    int before = fd_count();
    struct run *r = run_sh("exit 0");
    assert_int_equal(r->rc, 0);
    assert_exit(r, 0);
    assert_int_equal(fd_count(), before);
    free(r);
}

/* The daemon started with 0, 1 and 2 closed: the pipes land there, and
 * dup2(fd, fd) would keep close-on-exec. Run in a child, which reports by
 * its exit code, since closing the test's stdio would blind cmocka. */
static int closed_stdio_child(void)
{
    for (int fd = 0; fd < 3; fd++)
        if (close(fd) != 0)
            return 10;
    struct runner_req req = req_sh("echo out; echo err >&2; cat");
    req.input = "in\n";
    struct runner_child c;
    char err[256];
    if (runner_spawn(&req, &c, err, sizeof err) != 0)
        return 11;
    if (c.out_fd > 2 && c.err_fd > 2)
        return 12; /* the test did not test what it meant to */
    struct run *r = calloc(1, sizeof *r);
    if (r == NULL)
        return 13;
    r->pid = c.pid;
    collect(&c, r);
    reap(r);
    int ok = strcmp(r->out, "out\nin\n") == 0 && strcmp(r->errout, "err\n") == 0 &&
             WIFEXITED(r->status) && WEXITSTATUS(r->status) == 0;
    free(r);
    if (!ok)
        return 14;
    /* The report pipe takes the lowest free fds: a failure still arrives. */
    req.shell = "/nonexistent/nosh";
    if (runner_spawn(&req, &c, err, sizeof err) != -1 || c.pid <= 0)
        return 15;
    if (strcmp(err, "exec /nonexistent/nosh: No such file or directory") != 0)
        return 16;
    int status;
    if (waitpid(c.pid, &status, 0) != c.pid || !WIFEXITED(status) || WEXITSTATUS(status) != 127)
        return 17;
    return 0;
}

static void test_closed_stdio_in_daemon(void **state)
{
    (void)state;
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0)
        _exit(closed_stdio_child());
    assert_int_equal(wait_child_code(pid), 0);
}

static void test_signals_reset(void **state)
{
    (void)state;
    sigset_t usr1, old;
    assert_int_equal(sigemptyset(&usr1), 0);
    assert_int_equal(sigaddset(&usr1, SIGUSR1), 0);
    assert_int_equal(sigprocmask(SIG_BLOCK, &usr1, &old), 0);
    struct sigaction ign = {.sa_handler = SIG_IGN}, old_pipe, old_int;
    assert_int_equal(sigaction(SIGPIPE, &ign, &old_pipe), 0);
    assert_int_equal(sigaction(SIGINT, &ign, &old_int), 0);

    struct run *r = run_sh("while read -r k v; do case $k in SigBlk:|SigIgn:)"
                           " echo \"$k $v\";; esac; done < /proc/$$/status");

    /* The parent's mask is what it was (runner blocks all across fork). */
    sigset_t now;
    assert_int_equal(sigprocmask(SIG_SETMASK, NULL, &now), 0);
    assert_int_equal(sigismember(&now, SIGUSR1), 1);
    assert_int_equal(sigismember(&now, SIGTERM), 0);
    assert_int_equal(sigprocmask(SIG_SETMASK, &old, NULL), 0);
    assert_int_equal(sigaction(SIGPIPE, &old_pipe, NULL), 0);
    assert_int_equal(sigaction(SIGINT, &old_int, NULL), 0);

    assert_int_equal(r->rc, 0);
    assert_string_equal(r->out, "SigBlk: 0000000000000000\nSigIgn: 0000000000000000\n");
    free(r);
}

static void test_workdir(void **state)
{
    (void)state;
    char dir[] = "/tmp/runner-wd-XXXXXX";
    assert_non_null(mkdtemp(dir));
    struct runner_req req = req_sh("pwd");
    req.workdir = dir;
    struct run *r = run_req(&req);
    assert_int_equal(r->rc, 0);
    char want[64];
    snprintf(want, sizeof want, "%s\n", dir);
    assert_string_equal(r->out, want);
    free(r);
    assert_int_equal(rmdir(dir), 0);
}

/* The flag is read back from the job's own status: set only when asked. */
static void test_no_new_privs(void **state)
{
    (void)state;
    const char *cmd = "grep NoNewPrivs: /proc/self/status";
    /* inherited when this test itself runs with it (docker's
     * no-new-privileges): then there is nothing to tell apart */
    FILE *f = fopen("/proc/self/status", "re");
    assert_non_null(f);
    char line[256], own[256] = "";
    while (fgets(line, sizeof line, f) != NULL)
        if (strncmp(line, "NoNewPrivs:", 11) == 0)
            snprintf(own, sizeof own, "%s", line);
    fclose(f);
    struct runner_req req = req_sh(cmd);
    struct run *r = run_req(&req);
    assert_int_equal(r->rc, 0);
    assert_string_equal(r->out, own);
    free(r);
    req.no_new_privs = true;
    r = run_req(&req);
    assert_int_equal(r->rc, 0);
    assert_string_equal(r->out, "NoNewPrivs:\t1\n");
    free(r);
}

static void test_argv0_is_basename(void **state)
{
    (void)state;
    struct run *r = run_sh("echo \"$0\"");
    assert_int_equal(r->rc, 0);
    assert_string_equal(r->out, "sh\n");
    free(r);
}

/* ------------------------------------------------------------------------ */
/* Failures to start                                                        */
/* ------------------------------------------------------------------------ */

static void test_missing_shell(void **state)
{
    (void)state;
    int before = fd_count();
    struct runner_req req = req_sh("true");
    req.shell = "/nonexistent/nosh";
    struct run *r = run_req(&req);
    assert_int_equal(r->rc, -1);
    assert_string_equal(r->err, "exec /nonexistent/nosh: No such file or directory");
    assert_true(r->pid > 0);
    assert_exit(r, 127);
    assert_int_equal(fd_count(), before);
    free(r);
}

static void test_shell_not_executable(void **state)
{
    (void)state;
    char path[] = "/tmp/runner-sh-XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    assert_int_equal(write(fd, "#!/bin/sh\n", 10), 10);
    assert_int_equal(close(fd), 0);
    assert_int_equal(chmod(path, 0644), 0);
    int before = fd_count();
    struct runner_req req = req_sh("true");
    req.shell = path;
    struct run *r = run_req(&req);
    assert_int_equal(r->rc, -1);
    char want[128];
    snprintf(want, sizeof want, "exec %s: Permission denied", path);
    assert_string_equal(r->err, want);
    assert_exit(r, 126);
    assert_int_equal(fd_count(), before);
    free(r);
    assert_int_equal(unlink(path), 0);
}

static void test_missing_workdir(void **state)
{
    (void)state;
    int before = fd_count();
    struct runner_req req = req_sh("true");
    req.workdir = "/nonexistent/dir";
    req.input = "unread\n";
    struct run *r = run_req(&req);
    assert_int_equal(r->rc, -1);
    assert_string_equal(r->err, "chdir /nonexistent/dir: No such file or directory");
    assert_exit(r, 127);
    assert_int_equal(fd_count(), before);
    free(r);
}

static void test_relative_shell_refused(void **state)
{
    (void)state;
    int before = fd_count();
    struct runner_req req = req_sh("true");
    req.shell = "sh";
    struct run *r = run_req(&req);
    assert_int_equal(r->rc, -1);
    assert_int_equal(r->pid, -1);
    assert_string_equal(r->err, "shell sh: not an absolute path");
    assert_int_equal(fd_count(), before);
    free(r);
}

/* ------------------------------------------------------------------------ */
/* Environment                                                              */
/* ------------------------------------------------------------------------ */

static const char *env_get(char **env, const char *name)
{
    size_t n = strlen(name);
    for (char **p = env; *p != NULL; p++)
        if (strncmp(*p, name, n) == 0 && (*p)[n] == '=')
            return *p + n + 1;
    return NULL;
}

static int env_count(char **env, const char *name)
{
    size_t n = strlen(name);
    int count = 0;
    for (char **p = env; *p != NULL; p++)
        count += strncmp(*p, name, n) == 0 && (*p)[n] == '=';
    return count;
}

static size_t env_len(char **env)
{
    size_t n = 0;
    while (env[n] != NULL)
        n++;
    return n;
}

static struct user alice = {
    .uid = 1000, .gid = 1000, .name = "alice", .home = "/home/alice", .known = true,
};

static void test_env_inherited(void **state)
{
    (void)state;
    char *inherited[] = {"A=1", "HOME=/h", "PATH=/x", "NOEQUALS", "A=0", "LANG=C", NULL};
    char *vars_list[] = {"A=2", "B=3", NULL};
    struct crontab_env vars = {.vars = vars_list, .nvars = 2};
    char **env = runner_env_build(inherited, &vars, &alice, "/bin/sh", false);
    assert_non_null(env);
    assert_string_equal(env_get(env, "A"), "2"); /* crontab wins */
    assert_int_equal(env_count(env, "A"), 1);
    assert_string_equal(env_get(env, "B"), "3");
    assert_string_equal(env_get(env, "HOME"), "/h"); /* set already: kept */
    assert_string_equal(env_get(env, "USER"), "alice");
    assert_string_equal(env_get(env, "LOGNAME"), "alice");
    assert_string_equal(env_get(env, "SHELL"), "/bin/sh");
    assert_string_equal(env_get(env, "PATH"), "/x"); /* no default without clean */
    assert_string_equal(env_get(env, "LANG"), "C");
    assert_null(env_get(env, "NOEQUALS"));
    assert_int_equal(env_len(env), 8);
    runner_env_free(env);
}

static void test_env_clean(void **state)
{
    (void)state;
    char *inherited[] = {"SECRET=1", "PATH=/x", "HOME=/h", NULL};
    char **env = runner_env_build(inherited, NULL, &alice, "/bin/sh", true);
    assert_non_null(env);
    assert_null(env_get(env, "SECRET"));
    assert_string_equal(env_get(env, "PATH"), "/usr/local/bin:/usr/bin:/bin");
    assert_string_equal(env_get(env, "HOME"), "/home/alice");
    assert_string_equal(env_get(env, "USER"), "alice");
    assert_string_equal(env_get(env, "LOGNAME"), "alice");
    assert_string_equal(env_get(env, "SHELL"), "/bin/sh");
    assert_int_equal(env_len(env), 5);
    runner_env_free(env);
}

static void test_env_crontab_sets_defaults(void **state)
{
    (void)state;
    char *vars_list[] = {"PATH=/opt/bin", "SHELL=/bin/bash", "HOME=/srv", "USER=svc", NULL};
    struct crontab_env vars = {.vars = vars_list, .nvars = 4};
    char **env = runner_env_build(NULL, &vars, &alice, "/bin/sh", true);
    assert_non_null(env);
    assert_string_equal(env_get(env, "PATH"), "/opt/bin");
    assert_string_equal(env_get(env, "SHELL"), "/bin/bash");
    assert_string_equal(env_get(env, "HOME"), "/srv");
    assert_string_equal(env_get(env, "USER"), "svc");
    assert_string_equal(env_get(env, "LOGNAME"), "alice"); /* only what is unset */
    assert_int_equal(env_len(env), 5);
    runner_env_free(env);
}

static void test_env_empty(void **state)
{
    (void)state;
    char **env = runner_env_build(NULL, NULL, NULL, NULL, false);
    assert_non_null(env);
    assert_null(env[0]);
    runner_env_free(env);
    runner_env_free(NULL);
}

static void test_env_reaches_job(void **state)
{
    (void)state;
    char *inherited[] = {"PATH=/usr/bin:/bin", "FOO=old", NULL};
    char *vars_list[] = {"FOO=new value", NULL};
    struct crontab_env vars = {.vars = vars_list, .nvars = 1};
    char **env = runner_env_build(inherited, &vars, &alice, SH, false);
    assert_non_null(env);
    struct runner_req req = req_sh("echo \"$FOO|$HOME|$USER|$SHELL\"; env | grep -c '^FOO='");
    req.envp = env;
    struct run *r = run_req(&req);
    assert_int_equal(r->rc, 0);
    assert_string_equal(r->out, "new value|/home/alice|alice|/bin/sh\n1\n");
    free(r);
    runner_env_free(env);
}

static void lookup_ok(const char *spec, struct user *out)
{
    char err[256] = "";
    if (user_lookup(spec, out, err, sizeof err) != 0)
        fail_msg("lookup '%s': %s", spec, err);
}

/* A directory only root may enter: the job must chdir as its own user. */
static void spawn_as_nobody_root(void)
{
    struct user u;
    lookup_ok(NOBODY_SPEC, &u);
    struct runner_req req = req_sh("id -u; id -g; id -G");
    req.user = &u;
    struct run *r = run_req(&req);
    assert_int_equal(r->rc, 0);
    char want[64];
    snprintf(want, sizeof want, "%u\n%u\n%u\n", (unsigned)u.uid, (unsigned)u.gid,
             (unsigned)u.gid);
    assert_string_equal(r->out, want);
    free(r);

    char dir[] = "/tmp/runner-priv-XXXXXX";
    assert_non_null(mkdtemp(dir));
    assert_int_equal(chmod(dir, 0700), 0);
    req.workdir = dir;
    r = run_req(&req);
    assert_int_equal(r->rc, -1);
    char msg[128];
    snprintf(msg, sizeof msg, "chdir %s: Permission denied", dir);
    assert_string_equal(r->err, msg);
    assert_exit(r, 126);
    free(r);
    assert_int_equal(rmdir(dir), 0);
    user_free(&u);
}

static void spawn_as_other_unprivileged(void)
{
    int before = fd_count();
    struct user u;
    lookup_ok("root", &u);
    struct runner_req req = req_sh("id -u");
    req.user = &u;
    struct run *r = run_req(&req);
    assert_int_equal(r->rc, -1);
    assert_string_equal(r->err, "setgroups 0: Operation not permitted");
    assert_exit(r, 126);
    free(r);
    user_free(&u);
    assert_int_equal(fd_count(), before);

    /* The daemon's own user needs no switch and runs fine. */
    char err[256];
    assert_int_equal(user_self(NULL, NULL, &u, err, sizeof err), 0);
    r = run_req(&req);
    assert_int_equal(r->rc, 0);
    char want[32];
    snprintf(want, sizeof want, "%u\n", (unsigned)geteuid());
    assert_string_equal(r->out, want);
    free(r);
    user_free(&u);
}

static void test_spawn_as_user(void **state)
{
    (void)state;
    if (is_root())
        spawn_as_nobody_root();
    else
        spawn_as_other_unprivileged();
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_stdout_stderr_separate),
        cmocka_unit_test(test_stdin_devnull),
        cmocka_unit_test(test_stdin_input),
        cmocka_unit_test(test_stdin_input_large),
        cmocka_unit_test(test_own_session_and_group),
        cmocka_unit_test(test_only_stdio_fds),
        cmocka_unit_test(test_no_fd_leak_on_success),
        cmocka_unit_test(test_closed_stdio_in_daemon),
        cmocka_unit_test(test_signals_reset),
        cmocka_unit_test(test_workdir),
        cmocka_unit_test(test_no_new_privs),
        cmocka_unit_test(test_argv0_is_basename),
        cmocka_unit_test(test_missing_shell),
        cmocka_unit_test(test_shell_not_executable),
        cmocka_unit_test(test_missing_workdir),
        cmocka_unit_test(test_relative_shell_refused),
        cmocka_unit_test(test_env_inherited),
        cmocka_unit_test(test_env_clean),
        cmocka_unit_test(test_env_crontab_sets_defaults),
        cmocka_unit_test(test_env_empty),
        cmocka_unit_test(test_env_reaches_job),
        cmocka_unit_test(test_spawn_as_user),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
