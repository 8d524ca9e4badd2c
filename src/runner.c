/* runner: spawning jobs, switching to their user, a job's environment
 * (see runner.h).
 *
 * Spawning is split at the clone. Everything that allocates or can fail in
 * a reportable way (pipes, /dev/null, the job's input, argv) is done before
 * it, in the parent. The child is started as posix_spawn starts one:
 * clone(CLONE_VM | CLONE_VFORK) on a stack of its own, so no page table is
 * copied (a daemon with 100,000 jobs forks as fast as an empty one), and
 * the parent is suspended only until the child has exec'd or failed, never
 * on the child's run. Between clone and execve the child makes only system
 * calls: it runs in the daemon's memory, where a lock of malloc's or
 * stdio's could be held, and where glibc's idea of "which thread am I" is
 * the daemon's; setgroups and the id changes are raw system calls (glibc's
 * wrappers would broadcast them to the daemon's threads).
 *
 * A step that fails is written by the child into a report in the daemon's
 * memory, which the parent reads once clone returns. Under valgrind, which
 * turns such a clone into a fork (the memory is then not shared), the child
 * also writes it to the "report pipe", whose write end is close-on-exec:
 * the parent sees that the shared report was never touched and reads the
 * pipe until EOF instead, as it did before.
 */
#include "crond/runner.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <limits.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sched.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "crond/crontab.h"
#include "crond/user.h"
#include "crond/util.h"

/* The PATH of a job under --clean-env when the crontab sets none. */
#define DEFAULT_PATH "/usr/local/bin:/usr/bin:/bin"

/* Without close_range, fd limits up to this are looped over as they are;
 * above it the open fds are listed instead. */
#define FD_LOOP_SMALL 65536
/* The loop's bound when even /proc is missing and the limit is larger. */
#define FD_LOOP_MAX (1L << 20)

/* ------------------------------------------------------------------------ */
/* Errors and small helpers                                                 */
/* ------------------------------------------------------------------------ */

__attribute__((format(printf, 3, 4)))
static int fail(char *err, size_t errlen, const char *fmt, ...)
{
    if (err == NULL || errlen == 0)
        return -1;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err, errlen, fmt, ap);
    va_end(ap);
    return -1;
}

/* Closes *fd if open and marks it closed. Linux releases the descriptor even
 * when close fails (EINTR, EIO), so there is nothing to retry: retrying could
 * close a descriptor another part of the daemon just got. */
static void fd_close(int *fd)
{
    if (*fd >= 0)
        (void)close(*fd);
    *fd = -1;
}

static int fd_set_nonblock(int fd)
{
    int flags = fcntl(fd, F_GETFL);
    if (flags < 0)
        return -1;
    return fcntl(fd, F_SETFL, flags | O_NONBLOCK);
}

/* ------------------------------------------------------------------------ */
/* Environment                                                              */
/* ------------------------------------------------------------------------ */

struct envb {
    char **v;   /* "NAME=VALUE", one per name; NULL-terminated when done */
    size_t n;   /* entries in use */
    size_t cap; /* slots allocated, including the NULL */
};

static size_t env_name_len(const char *s)
{
    const char *eq = strchr(s, '=');
    return eq != NULL ? (size_t)(eq - s) : strlen(s);
}

static ssize_t envb_find(const struct envb *b, const char *name, size_t len)
{
    for (size_t i = 0; i < b->n; i++)
        if (strncmp(b->v[i], name, len) == 0 && b->v[i][len] == '=')
            return (ssize_t)i;
    return -1;
}

/* Sets "NAME=VALUE" (copied); an entry of the same name is replaced in place,
 * so later sources win and every name appears once. */
static int envb_put(struct envb *b, const char *entry)
{
    char *copy = strdup(entry);
    if (copy == NULL)
        return -1;
    ssize_t at = envb_find(b, entry, env_name_len(entry));
    if (at >= 0) {
        free(b->v[at]);
        b->v[at] = copy;
        return 0;
    }
    /* room for the entry and the NULL after it */
    if (util_grow((void **)&b->v, b->n + 1, &b->cap, sizeof *b->v) != 0) {
        free(copy);
        return -1;
    }
    b->v[b->n++] = copy;
    b->v[b->n] = NULL;
    return 0;
}

/* Sets name=value only when name is not set yet. */
static int envb_default(struct envb *b, const char *name, const char *value)
{
    if (value == NULL || envb_find(b, name, strlen(name)) >= 0)
        return 0;
    size_t len = strlen(name) + 1 + strlen(value) + 1;
    char *entry = malloc(len);
    if (entry == NULL)
        return -1;
    snprintf(entry, len, "%s=%s", name, value);
    int rc = envb_put(b, entry);
    free(entry);
    return rc;
}

/* Entries without '=' (possible in a hand-made environ) name nothing a job
 * could read, and would make "one entry per name" ambiguous: skipped. */
static int envb_put_all(struct envb *b, char *const *list, size_t max)
{
    for (size_t i = 0; i < max && list[i] != NULL; i++)
        if (strchr(list[i], '=') != NULL && envb_put(b, list[i]) != 0)
            return -1;
    return 0;
}

/* The defaults come last and only fill gaps: a crontab's HOME or an
 * inherited SHELL is the user's choice. */
static int envb_defaults(struct envb *b, const struct user *u, const char *shell,
                         bool clean)
{
    if (u != NULL && (envb_default(b, "HOME", u->home) != 0 ||
                      envb_default(b, "USER", u->name) != 0 ||
                      envb_default(b, "LOGNAME", u->name) != 0))
        return -1;
    if (envb_default(b, "SHELL", shell) != 0)
        return -1;
    return clean ? envb_default(b, "PATH", DEFAULT_PATH) : 0;
}

char **runner_env_build(char *const *inherited, const struct crontab_env *vars,
                        const struct user *u, const char *shell, bool clean)
{
    struct envb b = {.v = calloc(32, sizeof(char *)), .n = 0, .cap = 32};
    if (b.v == NULL)
        return NULL;
    int rc = 0;
    if (!clean && inherited != NULL)
        rc = envb_put_all(&b, inherited, SIZE_MAX);
    if (rc == 0 && vars != NULL && vars->vars != NULL)
        rc = envb_put_all(&b, vars->vars, vars->nvars);
    if (rc == 0)
        rc = envb_defaults(&b, u, shell, clean);
    if (rc != 0) {
        runner_env_free(b.v);
        return NULL;
    }
    return b.v;
}

/* A copy of the pointers (not the strings) of environ_ without HOME, USER,
 * LOGNAME and SHELL, or NULL. */
static char **env_without_own(char *const *environ_)
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

char **runner_env_job(char *const *inherited, const struct crontab_env *vars,
                      const struct user *u, bool other_user, const char *shell, bool clean)
{
    if (clean || !other_user || inherited == NULL)
        return runner_env_build(clean ? NULL : inherited, vars, u, shell, clean);
    char **own = env_without_own(inherited);
    if (own == NULL)
        return NULL;
    char **env = runner_env_build(own, vars, u, shell, false);
    free(own);
    return env;
}

int runner_env_set(char ***env, const char *name, const char *value)
{
    size_t n = 0;
    while ((*env)[n] != NULL)
        n++;
    size_t len = strlen(name) + 1 + strlen(value) + 1;
    char *entry = malloc(len);
    if (entry == NULL)
        return -1;
    snprintf(entry, len, "%s=%s", name, value);
    struct envb b = {.v = *env, .n = n, .cap = n + 1};
    int rc = envb_put(&b, entry);
    free(entry);
    *env = b.v;
    return rc;
}

const char *runner_workdir(const struct user *u)
{
    struct stat st;
    if (u != NULL && u->home != NULL && stat(u->home, &st) == 0 && S_ISDIR(st.st_mode))
        return u->home;
    return "/";
}

void runner_env_free(char **env)
{
    if (env == NULL)
        return;
    for (char **p = env; *p != NULL; p++)
        free(*p);
    free(env);
}

int runner_raise_nofile(long *out_old, char *err, size_t errlen)
{
    struct rlimit rl;
    *out_old = 0;
    if (getrlimit(RLIMIT_NOFILE, &rl) != 0)
        return fail(err, errlen, "getrlimit NOFILE: %s", strerror(errno));
    if (rl.rlim_cur >= rl.rlim_max)
        return 0;
    rlim_t old = rl.rlim_cur;
    rl.rlim_cur = rl.rlim_max;
    if (setrlimit(RLIMIT_NOFILE, &rl) != 0)
        return fail(err, errlen, "setrlimit NOFILE: %s", strerror(errno));
    *out_old = (long)old;
    return 0;
}

/* ------------------------------------------------------------------------ */
/* The child, between clone and execve                                      */
/* ------------------------------------------------------------------------ */

/* Only system calls from here to execve (see the top of the file), and no
 * sanitizer instrumentation: the child runs on a stack ASan knows nothing
 * of, in memory it shares with the daemon. */
#define CHILD __attribute__((no_sanitize("address", "undefined"), noinline))

/* The child's stack: child_run's frames and the kernel's signal frames
 * (none: every signal is blocked until the dispositions are reset). */
#define CHILD_STACK_SIZE ((size_t)64 * 1024)

/* A step of the child set-up; the parent names it in the message. */
enum step {
    STEP_SETSID,
    STEP_SIGNALS,
    STEP_FDS,
    STEP_RLIMIT,
    STEP_SETGROUPS,
    STEP_SETGID,
    STEP_SETUID,
    STEP_NO_NEW_PRIVS,
    STEP_CHDIR,
    STEP_EXEC,
    STEP_COUNT
};

/* What the child sends when a step fails. Eight bytes: far below PIPE_BUF,
 * so the write is atomic and the parent reads all of it or nothing. */
struct child_report {
    int step;  /* enum step */
    int error; /* errno */
};

/* The report in the daemon's memory (CLONE_VM): the child sets ran first,
 * so a parent that finds it unset knows the memory was not shared. */
struct shared_report {
    volatile int ran;    /* the child started */
    volatile int step;   /* enum step that failed, or -1 */
    volatile int error;  /* its errno */
};

/* Everything the child needs, prepared by the parent before the clone. */
struct plan {
    int stdio[3];         /* become the child's fds 0, 1 and 2 */
    int report_fd;        /* write end of the report pipe, close-on-exec */
    long fd_limit;        /* bound of the close loop without close_range */
    bool switch_user;     /* set ids to uid and gid */
    uid_t uid;
    gid_t gid;
    const char *workdir;
    long nofile_soft;     /* job's RLIMIT_NOFILE soft limit, 0: as is */
    bool no_new_privs;    /* PR_SET_NO_NEW_PRIVS before execve */
    const char *path;     /* the shell */
    char *argv[4];        /* shell -c command */
    char *const *envp;
    struct shared_report *shared; /* in the parent's memory */
};

/* The fd the report pipe is moved to once 0, 1 and 2 are in place; every fd
 * above it is closed. */
enum { CHILD_REPORT_FD = 3 };

CHILD __attribute__((noreturn))
static void child_fail(const struct plan *p, enum step step)
{
    struct child_report r = {.step = (int)step, .error = errno};
    p->shared->error = r.error;
    p->shared->step = r.step;
    ssize_t n;
    do
        n = syscall(SYS_write, p->report_fd, &r, sizeof r);
    while (n < 0 && errno == EINTR);
    /* Nothing more to do if that write failed: the exit status still says
     * 127 or 126, as a shell would. */
    syscall(SYS_exit, r.error == ENOENT ? 127 : 126);
    __builtin_unreachable();
}

/* The kernel's struct sigaction for rt_sigaction(2) on Linux. Only its
 * layout matters (it is zeroed: SIG_DFL, no flags, empty mask), so
 * cppcheck's unusedStructMember is suppressed for its fields. */
struct kernel_sigaction_dfl {
    void (*handler)(int);    /* cppcheck-suppress unusedStructMember */
    unsigned long flags;     /* cppcheck-suppress unusedStructMember */
    void (*restorer)(void);  /* cppcheck-suppress unusedStructMember */
    uint64_t mask;
};

/* Dispositions first, mask second: unblocking a signal still caught by the
 * daemon's handler would run that handler in the child, in the daemon's
 * memory. Ignored signals survive execve, so every one is reset, not only
 * the caught ones; the raw call also reaches the two signals glibc keeps
 * for its threads (32, 33), whose ignored disposition would survive too. */
CHILD static void child_reset_signals(const struct plan *p)
{
    struct kernel_sigaction_dfl k = {SIG_DFL, 0, NULL, 0};
    uint64_t none = 0;
    for (int sig = 1; sig < _NSIG; sig++) {
        if (sig != SIGKILL && sig != SIGSTOP
            && syscall(SYS_rt_sigaction, sig, &k, NULL, sizeof k.mask) != 0)
            child_fail(p, STEP_SIGNALS);
    }
    if (syscall(SYS_rt_sigprocmask, SIG_SETMASK, &none, NULL, sizeof none) != 0)
        child_fail(p, STEP_SIGNALS);
}

/* Every fd above CHILD_REPORT_FD, including any the daemon's libraries
 * opened without O_CLOEXEC. */
CHILD static void child_close_rest(const struct plan *p)
{
#ifdef SYS_close_range
    if (syscall(SYS_close_range, (unsigned)CHILD_REPORT_FD + 1, ~0U, 0U) == 0)
        return;
    /* ENOSYS before Linux 5.9 (or a seccomp filter): the loop below. */
#endif
    for (long fd = CHILD_REPORT_FD + 1; fd < p->fd_limit; fd++)
        (void)syscall(SYS_close, fd); /* EBADF for the unused ones is expected */
}

/* Any of these fds may be 0, 1 or 2 when the daemon runs with a closed stdio
 * (spawn_fds_open opens the report pipe first, so it is the one that lands
 * there): dup2 onto an earlier target would clobber a later source, and
 * dup2(fd, fd) keeps the close-on-exec flag, so the job would lose that fd at
 * exec. Every fd below 3 is first lifted to a close-on-exec copy >= 3. */
CHILD static void child_setup_fds(struct plan *p)
{
    if (p->report_fd < 3) {
        long fd = syscall(SYS_fcntl, p->report_fd, F_DUPFD_CLOEXEC, 3);
        if (fd < 0)
            child_fail(p, STEP_FDS);
        p->report_fd = (int)fd;
    }
    for (int i = 0; i < 3; i++) {
        if (p->stdio[i] < 3 && (p->stdio[i] = (int)syscall(SYS_fcntl, p->stdio[i],
                                                           F_DUPFD_CLOEXEC, 3)) < 0)
            child_fail(p, STEP_FDS);
    }
    for (int i = 0; i < 3; i++) {
        /* the copy at i is not close-on-exec */
        if (syscall(SYS_dup3, p->stdio[i], i, 0) < 0)
            child_fail(p, STEP_FDS);
    }
    if (p->report_fd != CHILD_REPORT_FD) {
        if (syscall(SYS_dup3, p->report_fd, CHILD_REPORT_FD, O_CLOEXEC) < 0)
            child_fail(p, STEP_FDS);
        p->report_fd = CHILD_REPORT_FD;
    }
    child_close_rest(p);
}

/* Groups first: after setuid the process may no longer change them. */
CHILD static void child_switch_user(const struct plan *p)
{
    if (syscall(SYS_setgroups, 1, &p->gid) != 0)
        child_fail(p, STEP_SETGROUPS);
    if (syscall(SYS_setresgid, p->gid, p->gid, p->gid) != 0)
        child_fail(p, STEP_SETGID);
    if (syscall(SYS_setresuid, p->uid, p->uid, p->uid) != 0)
        child_fail(p, STEP_SETUID);
}

/* STYLE.md point 9's order. The user is switched before chdir so that the
 * working directory is entered with the job's own permissions. The plan is
 * the parent's: the child works on its own copy (fds move). */
CHILD __attribute__((noreturn))
static int child_run(void *arg)
{
    struct plan plan = *(const struct plan *)arg, *p = &plan;
    p->shared->ran = 1;
    if (syscall(SYS_setsid) < 0)
        child_fail(p, STEP_SETSID);
    child_reset_signals(p);
    child_setup_fds(p);
    if (p->nofile_soft > 0) {
        /* the limit the daemon was started with, not the one it raised */
        struct rlimit rl;
        if (syscall(SYS_prlimit64, 0, RLIMIT_NOFILE, NULL, &rl) != 0)
            child_fail(p, STEP_RLIMIT);
        rl.rlim_cur = (rlim_t)p->nofile_soft;
        if (syscall(SYS_prlimit64, 0, RLIMIT_NOFILE, &rl, NULL) != 0)
            child_fail(p, STEP_RLIMIT);
    }
    if (p->switch_user)
        child_switch_user(p);
    /* After the switch (setuid needs no new privileges, but the order makes
     * the point): from here no execve can gain any, setuid bits and file
     * capabilities included. */
    if (p->no_new_privs && syscall(SYS_prctl, PR_SET_NO_NEW_PRIVS, 1L, 0L, 0L, 0L) != 0)
        child_fail(p, STEP_NO_NEW_PRIVS);
    if (syscall(SYS_chdir, p->workdir) != 0)
        child_fail(p, STEP_CHDIR);
    syscall(SYS_execve, p->path, p->argv, p->envp);
    child_fail(p, STEP_EXEC);
}

/* ------------------------------------------------------------------------ */
/* The parent                                                               */
/* ------------------------------------------------------------------------ */

/* The fds of one spawn; -1 when not open. */
struct spawn_fds {
    int in;        /* the child's stdin: /dev/null, or the read end of the
                    * input pipe (an empty one without /dev/null) */
    int out[2];    /* stdout pipe */
    int err[2];    /* stderr pipe */
    int report[2]; /* report pipe */
};

static void spawn_fds_close(struct spawn_fds *f)
{
    fd_close(&f->in);
    for (int i = 0; i < 2; i++) {
        fd_close(&f->out[i]);
        fd_close(&f->err[i]);
        fd_close(&f->report[i]);
    }
}

/* The input is written now, before the clone, and the write end closed: it fits
 * the pipe buffer, so nothing blocks, and a job that exits without reading
 * cannot raise SIGPIPE or EPIPE in the daemon. */
static int input_pipe(const char *text, int *out_fd, char *err, size_t errlen)
{
    int p[2];
    if (pipe2(p, O_CLOEXEC) != 0)
        return fail(err, errlen, "pipe: %s", strerror(errno));
    size_t len = strlen(text);
    int size = fcntl(p[1], F_GETPIPE_SZ);
    /* A user over fs.pipe-user-pages-soft gets small pipes; ask for more. */
    if (fd_set_nonblock(p[1]) != 0 || size < 0 ||
        ((size_t)size < len && len <= INT_MAX && fcntl(p[1], F_SETPIPE_SZ, (int)len) < 0)) {
        int e = errno;
        fd_close(&p[0]);
        fd_close(&p[1]);
        return fail(err, errlen, "input pipe of %zu bytes: %s", len, strerror(e));
    }
    size_t done = 0;
    while (done < len) {
        ssize_t n = write(p[1], text + done, len - done);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0) {
            int e = errno;
            fd_close(&p[0]);
            fd_close(&p[1]);
            return fail(err, errlen, "input of %zu bytes: %s", len, strerror(e));
        }
        done += (size_t)n;
    }
    fd_close(&p[1]);
    *out_fd = p[0];
    return 0;
}

/* The read ends are the daemon's and never block it; the write ends stay
 * blocking (a separate open file description), as jobs expect. */
static int output_pipe(int p[2], char *err, size_t errlen)
{
    if (pipe2(p, O_CLOEXEC) != 0)
        return fail(err, errlen, "pipe: %s", strerror(errno));
    if (fd_set_nonblock(p[0]) != 0)
        return fail(err, errlen, "fcntl O_NONBLOCK: %s", strerror(errno));
    return 0;
}

/* The report pipe is opened first: see child_setup_fds. On failure the caller
 * closes what was opened. */
static int spawn_fds_open(const struct runner_req *req, struct spawn_fds *out_fds, char *err,
                          size_t errlen)
{
    struct spawn_fds *f = out_fds;
    *f = (struct spawn_fds){.in = -1, .out = {-1, -1}, .err = {-1, -1}, .report = {-1, -1}};
    if (pipe2(f->report, O_CLOEXEC) != 0)
        return fail(err, errlen, "pipe: %s", strerror(errno));
    if (output_pipe(f->out, err, errlen) != 0 || output_pipe(f->err, err, errlen) != 0)
        return -1;
    if (req->input != NULL)
        return input_pipe(req->input, &f->in, err, errlen);
    f->in = open("/dev/null", O_RDONLY | O_CLOEXEC);
    /* A root without /dev (a bare chroot, some sandboxes): an empty pipe
     * reads as end of file just the same. */
    if (f->in < 0 && (errno == ENOENT || errno == EACCES || errno == ENXIO || errno == ENODEV))
        return input_pipe("", &f->in, err, errlen);
    if (f->in < 0)
        return fail(err, errlen, "open /dev/null: %s", strerror(errno));
    return 0;
}

/* One past the highest fd open now, or -1 when /proc is not mounted. */
static long fd_highest(void)
{
    DIR *d = opendir("/proc/self/fd");
    if (d == NULL)
        return -1;
    long high = -1;
    for (struct dirent *e; (e = readdir(d)) != NULL;) {
        char *end;
        long fd = strtol(e->d_name, &end, 10);
        if (*end == '\0' && end != e->d_name && fd > high)
            high = fd;
    }
    if (closedir(d) != 0)
        return -1;
    return high + 1;
}

/* The bound of the close loop for kernels without close_range (before 5.9),
 * found here because opendir and getrlimit are not async-signal-safe: the fd
 * limit, unless it is huge (containers often get 2^20), then the highest fd
 * open now; every fd the child will hold is open already. */
static long fd_limit(void)
{
    struct rlimit rl;
    if (getrlimit(RLIMIT_NOFILE, &rl) != 0)
        rl.rlim_cur = RLIM_INFINITY;
    if (rl.rlim_cur != RLIM_INFINITY && rl.rlim_cur <= FD_LOOP_SMALL)
        return (long)rl.rlim_cur;
    long high = fd_highest();
    if (high >= 0)
        return high;
    return rl.rlim_cur != RLIM_INFINITY && rl.rlim_cur < FD_LOOP_MAX ? (long)rl.rlim_cur
                                                                      : FD_LOOP_MAX;
}

/* Skips the switch when the job's user is the one we run as already: an
 * unprivileged daemon may run its own jobs, and could not call setgroups. */
static bool user_differs(const struct user *u)
{
    return u != NULL && !user_ids_are(u->uid, u->gid);
}

static void plan_build(const struct runner_req *req, const struct spawn_fds *f,
                       struct plan *out_plan)
{
    static char *const no_env[] = {NULL};
    const char *slash = strrchr(req->shell, '/');
    const char *argv0 = slash != NULL && slash[1] != '\0' ? slash + 1 : req->shell;
    *out_plan = (struct plan){
        .stdio = {f->in, f->out[1], f->err[1]},
        .report_fd = f->report[1],
        .fd_limit = fd_limit(),
        .switch_user = user_differs(req->user),
        .uid = req->user != NULL ? req->user->uid : 0,
        .gid = req->user != NULL ? req->user->gid : 0,
        .workdir = req->workdir,
        .nofile_soft = req->nofile_soft,
        .no_new_privs = req->no_new_privs,
        .path = req->shell,
        /* execve's argv is char *const[] for historical reasons; it does not
         * write to the strings. */
        .argv = {(char *)argv0, (char *)"-c", (char *)req->command, NULL},
        .envp = req->envp != NULL ? req->envp : no_env,
    };
}

/* Starts the child (see the top of the file). Every signal is blocked
 * across the clone so that none is handled in the child before
 * child_reset_signals: a handler of the daemon would run there. Returns the
 * pid, once the child has exec'd or failed, or -1 with errno. */
static pid_t spawn_clone(struct plan *p)
{
    sigset_t all, old;
    void *stack = mmap(NULL, CHILD_STACK_SIZE, PROT_READ | PROT_WRITE,
                       MAP_PRIVATE | MAP_ANONYMOUS | MAP_STACK, -1, 0);
    if (stack == MAP_FAILED)
        return -1;
    pid_t pid = -1;
    if (sigfillset(&all) == 0 && sigprocmask(SIG_SETMASK, &all, &old) == 0) {
        pid = clone(child_run, (char *)stack + CHILD_STACK_SIZE,
                    CLONE_VM | CLONE_VFORK | SIGCHLD, p);
        int saved = errno;
        /* Restoring a mask just read cannot fail (EINVAL needs a bad "how"). */
        if (sigprocmask(SIG_SETMASK, &old, NULL) == 0)
            errno = saved;
    }
    int saved = errno;
    if (munmap(stack, CHILD_STACK_SIZE) == 0)
        errno = saved;
    return pid;
}

/* Blocks until the child execs (its close-on-exec write end vanishes: EOF
 * without data) or reports a failed step. Returns 0 for exec, 1 with
 * *out_report, -1 with errno. The parent must have closed its own copy of the
 * write end, or this never sees EOF. */
static int report_read(int fd, struct child_report *out_report)
{
    char *buf = (char *)out_report;
    size_t got = 0;
    while (got < sizeof *out_report) {
        ssize_t n = read(fd, buf + got, sizeof *out_report - got);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            return -1;
        if (n == 0)
            break;
        got += (size_t)n;
    }
    if (got == 0)
        return 0;
    if (got < sizeof *out_report || out_report->step < 0 || out_report->step >= STEP_COUNT) {
        errno = EPROTO;
        return -1;
    }
    return 1;
}

/* What each step's message names after the call. */
enum step_arg { ARG_NONE, ARG_UID, ARG_GID, ARG_WORKDIR, ARG_SHELL };

static const struct {
    const char *call;
    enum step_arg arg;
} steps[STEP_COUNT] = {
    [STEP_SETSID] = {"setsid", ARG_NONE},
    [STEP_SIGNALS] = {"reset signals", ARG_NONE},
    [STEP_FDS] = {"set up fds", ARG_NONE},
    [STEP_RLIMIT] = {"setrlimit NOFILE", ARG_NONE},
    [STEP_SETGROUPS] = {"setgroups", ARG_GID},
    [STEP_SETGID] = {"setgid", ARG_GID},
    [STEP_SETUID] = {"setuid", ARG_UID},
    [STEP_NO_NEW_PRIVS] = {"prctl NO_NEW_PRIVS", ARG_NONE},
    [STEP_CHDIR] = {"chdir", ARG_WORKDIR},
    [STEP_EXEC] = {"exec", ARG_SHELL},
};

/* "exec /bin/nosh: No such file or directory", "setuid 1000: ...". */
static int report_format(const struct child_report *r, const struct plan *p, char *err,
                         size_t errlen)
{
    const char *call = steps[r->step].call;
    const char *why = strerror(r->error);
    switch (steps[r->step].arg) {
    case ARG_UID:
        return fail(err, errlen, "%s %u: %s", call, (unsigned)p->uid, why);
    case ARG_GID:
        return fail(err, errlen, "%s %u: %s", call, (unsigned)p->gid, why);
    case ARG_WORKDIR:
        return fail(err, errlen, "%s %s: %s", call, p->workdir, why);
    case ARG_SHELL:
        return fail(err, errlen, "%s %s: %s", call, p->path, why);
    case ARG_NONE:
        break;
    }
    return fail(err, errlen, "%s: %s", call, why);
}

/* After the clone: the child's ends go, then the report says whether it
 * started: the shared one when the child ran in our memory (nothing to wait
 * for: it has exec'd or failed), else the pipe, read until the child execs
 * (EOF without data) or reports. */
static int spawn_wait_exec(pid_t pid, struct spawn_fds *f, const struct plan *p,
                           struct runner_child *out, char *err, size_t errlen)
{
    fd_close(&f->in);
    fd_close(&f->out[1]);
    fd_close(&f->err[1]);
    fd_close(&f->report[1]);
    struct child_report r = {p->shared->step, p->shared->error};
    int got = p->shared->ran ? r.step >= 0 : report_read(f->report[0], &r);
    int saved = errno;
    fd_close(&f->report[0]);
    out->pid = pid;
    if (got == 0) {
        out->out_fd = f->out[0];
        out->err_fd = f->err[0];
        return 0;
    }
    spawn_fds_close(f);
    if (got > 0 && r.step < STEP_COUNT)
        return report_format(&r, p, err, errlen);
    /* The child's fate is unknown: make sure it is one the reaper collects
     * rather than a job running with nobody reading its output. */
    if (kill(pid, SIGKILL) != 0 && errno != ESRCH)
        saved = errno;
    return fail(err, errlen, "read from child %ld: %s", (long)pid, strerror(saved));
}

static int req_check(const struct runner_req *req, char *err, size_t errlen)
{
    if (req->shell == NULL || req->shell[0] != '/')
        return fail(err, errlen, "shell %s: not an absolute path",
                    req->shell != NULL ? req->shell : "(none)");
    if (req->command == NULL || req->workdir == NULL)
        return fail(err, errlen, "no %s to run", req->command == NULL ? "command" : "workdir");
    return 0;
}

int runner_spawn(const struct runner_req *req, struct runner_child *out, char *err, size_t errlen)
{
    *out = (struct runner_child){.pid = -1, .out_fd = -1, .err_fd = -1};
    if (req_check(req, err, errlen) != 0)
        return -1;
    struct spawn_fds f;
    if (spawn_fds_open(req, &f, err, errlen) != 0) {
        spawn_fds_close(&f);
        return -1;
    }
    struct plan p;
    struct shared_report shared = {0, -1, 0};
    plan_build(req, &f, &p);
    p.shared = &shared;
    pid_t pid = spawn_clone(&p);
    if (pid < 0) {
        int e = errno;
        spawn_fds_close(&f);
        return fail(err, errlen, "fork: %s", strerror(e));
    }
    return spawn_wait_exec(pid, &f, &p, out, err, errlen);
}
