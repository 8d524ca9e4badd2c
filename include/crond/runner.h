/* runner: processes. spawn (clone with CLONE_VM | CLONE_VFORK, as posix_spawn
 * does) and exec of `SHELL -c COMMAND` with the child set-up of
 * DESIGN.md section 4 (STYLE.md point 9), switching to the job's user, and the
 * environment of a job. Knows nothing of schedules or crontab syntax.
 *
 * Child set-up order: new session and process group (setsid, so killpg
 * reaches the whole tree), default signal dispositions and an empty signal
 * mask, stdin from /dev/null (or a pipe holding the job's input), stdout and
 * stderr onto their pipes, every other fd closed, privileges dropped when the
 * job's user differs, chdir to the working directory, execve. A failure of
 * any step is reported to the parent with its errno (so a missing shell is
 * reported, not just exit 127), then the child exits 127 (ENOENT) or 126.
 */
#ifndef CROND_RUNNER_H
#define CROND_RUNNER_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

struct crontab_env;
struct user;

/* The environment of a job, in this order (later wins): the daemon's own
 * (inherited, NULL-terminated; ignored when clean), the crontab's variables,
 * then HOME, USER, LOGNAME and SHELL from u and shell when not set yet; with
 * clean also PATH=/usr/local/bin:/usr/bin:/bin when not set. Returns a
 * NULL-terminated array to free with runner_env_free, or NULL when out of
 * memory. */
char **runner_env_build(char *const *inherited, const struct crontab_env *vars,
                        const struct user *u, const char *shell, bool clean);
/* The environment of a job run as u: runner_env_build, except that a job
 * of another user than crond-lite's (other_user, not clean) does not
 * inherit the daemon's HOME, USER, LOGNAME and SHELL: they describe root. */
char **runner_env_job(char *const *inherited, const struct crontab_env *vars,
                      const struct user *u, bool other_user, const char *shell, bool clean);
void runner_env_free(char **env);
/* Sets name=value in *env (as built above), over an entry of that name;
 * *env may move. Returns 0, or -1 when out of memory (*env unchanged). */
int runner_env_set(char ***env, const char *name, const char *value);

/* Where a job of u starts: u's home, or "/" when it has none or it does not
 * exist (nobody's /nonexistent is no reason to fail the job). */
const char *runner_workdir(const struct user *u);

/* Each job started in a burst holds two pipe ends until the loop reads
 * them: 1,000 jobs due in one second need 2,000 fds, over the usual soft
 * limit of 1024. Raises this process's soft RLIMIT_NOFILE to the hard one;
 * *out_old is the soft limit before, to give jobs back (runner_req), or 0
 * when nothing was raised. Returns 0 or -1 with err. */
int runner_raise_nofile(long *out_old, char *err, size_t errlen);

struct runner_req {
    const char *shell;          /* absolute path, run as shell -c command */
    const char *command;
    const char *input;          /* stdin text, or NULL for /dev/null */
    char *const *envp;          /* from runner_env_build */
    const char *workdir;        /* chdir target */
    const struct user *user;     /* switch to this user, or NULL to stay */
    long nofile_soft;           /* RLIMIT_NOFILE soft limit to give the job
                                 * (the daemon raised its own), 0: as is */
    bool no_new_privs;          /* set PR_SET_NO_NEW_PRIVS in the job, so
                                 * that no setuid or file-capability program
                                 * it runs gains privileges */
};

struct runner_child {
    pid_t pid;                  /* > 0 once started, also when exec failed */
    int out_fd;                 /* read end of the job's stdout, O_NONBLOCK|O_CLOEXEC */
    int err_fd;                 /* read end of the job's stderr, O_NONBLOCK|O_CLOEXEC */
};

/* Starts a job. Returns 0 when the command was exec'd. Returns -1 with err
 * ("fork: Resource temporarily unavailable", "exec /bin/nosh: No such file
 * or directory", "chdir /home/x: ...") when it could not start; then no fd is
 * left open, and out->pid is the pid of a child that already exited (the
 * caller's reaper collects it) or -1 when the clone itself failed (the
 * message still says "fork", as a shell would). Returns once the child has
 * exec'd or failed: never later. */
int runner_spawn(const struct runner_req *req, struct runner_child *out, char *err, size_t errlen);

#endif
