/* crond-lite: a cron daemon for containers that never needs root.
 *
 * main reads as a table of contents: parse the options, drop to --user,
 * set up the zones, run the chosen mode, exit with its status. It is the
 * only place that exits.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "crond/cli.h"
#include "crond/compat.h"
#include "crond/config.h"
#include "crond/daemon.h"
#include "crond/log.h"
#include "crond/options.h"
#include "crond/proc.h"
#include "crond/report.h"
#include "crond/runner.h"
#include "crond/user.h"
#include "crond/zone.h"

extern char **environ;

/* An empty variable counts as unset, as glibc does for TZDIR. */
static const char *env_nonempty(const char *name)
{
    const char *v = getenv(name);
    return v != NULL && v[0] != '\0' ? v : NULL;
}

/* What main says after the options are parsed: in the daemon a daemon.error
 * record in the chosen format, like everything else it says (one voice);
 * in the one-shot modes, whose output is plain text, a line on stderr. */
struct voice {
    const struct options *opts;
    struct log *log;             /* NULL until the format is known */
};

__attribute__((format(printf, 3, 4)))
static void say(const struct voice *v, enum log_level level, const char *fmt, ...)
{
    char msg[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    if (v->log != NULL && v->opts->mode == MODE_DAEMON)
        report_error(v->log, (int64_t)time(NULL) * 1000, level, "%s", msg);
    else
        fprintf(stderr, "crond-lite: %s\n", msg);
}

/* --user: as root, become USER[:GROUP] before anything else (gosu/su-exec);
 * unprivileged, only naming oneself is accepted. */
static int apply_user(const struct voice *v, const char *spec)
{
    struct user u;
    char err[512];
    if (user_lookup(spec, &u, err, sizeof err) != 0) {
        say(v, LOG_LEVEL_ERROR, "--user: %s", err);
        return -1;
    }
    int rc = 0;
    if (geteuid() == 0 && u.uid != 0) {
        rc = user_drop_privileges(&u, err, sizeof err);
        if (rc != 0)
            say(v, LOG_LEVEL_ERROR, "--user %s: %s", spec, err);
        /* the jobs' environment describes the new user, not root */
        else if (setenv("HOME", u.home, 1) != 0 || setenv("USER", u.name, 1) != 0
                 || setenv("LOGNAME", u.name, 1) != 0)
            rc = -1;
    } else if (geteuid() != 0 && u.uid != geteuid()) {
        say(v, LOG_LEVEL_ERROR,
            "--user %s: crond-lite runs as uid %u, not root; start it as root to switch users, "
            "or leave out --user", spec, (unsigned)geteuid());
        rc = -1;
    }
    user_free(&u);
    return rc;
}

/* What the daemon needs of the process: a closed stdout is an EPIPE to
 * handle, not a death; orphans of jobs are ours to reap (proc.h); a burst
 * of jobs needs more fds than the usual limit (runner.h). Problems are
 * warnings: the daemon works without each, a little worse. */
static void process_setup(const struct voice *v, long *out_nofile_soft)
{
    char err[256];
    struct sigaction ign = {.sa_handler = SIG_IGN};
    if (sigaction(SIGPIPE, &ign, NULL) != 0)
        say(v, LOG_LEVEL_WARN, "sigaction(SIGPIPE): %s", strerror(errno));
    /* supercronic -no-reap: orphans are left to PID 1 (as PID 1 the kernel
     * makes them ours all the same) */
    if (v->opts->compat.no_reap && getpid() != 1)
        say(v, LOG_LEVEL_DEBUG, "-no-reap: not a child subreaper");
    else if (proc_become_subreaper(err, sizeof err) != 0)
        say(v, LOG_LEVEL_WARN, "%s", err);
    if (runner_raise_nofile(out_nofile_soft, err, sizeof err) != 0)
        say(v, LOG_LEVEL_WARN, "%s", err);
}

static int run_daemon(const struct voice *v, struct cli_env *env)
{
    struct user self;
    char err[512];
    if (user_self(getenv("USER"), getenv("HOME"), &self, err, sizeof err) != 0) {
        say(v, LOG_LEVEL_ERROR, "%s", err);
        return 1;
    }
    long nofile_soft = 0;
    process_setup(v, &nofile_soft);
    struct daemon_cfg cfg = {
        .opts = env->opts,
        .ini = env->ini,
        .zones = env->zones,
        .default_zone = env->default_zone,
        .self = &self,
        .environ = environ,
        .log = v->log,
        .nofile_soft = nofile_soft,
    };
    int status = daemon_run(&cfg);
    user_free(&self);
    return status;
}

static int run_mode(const struct voice *v, struct cli_env *env)
{
    const struct options *o = env->opts;
    char err[512];
    /* --next with --tz needs no default zone: a bad $TZ must not matter */
    if (!(o->mode == MODE_NEXT && o->tz != NULL)
        && cli_default_zone(env, env_nonempty("TZ"), err, sizeof err) != 0) {
        say(v, LOG_LEVEL_ERROR, "%s", err);
        return 1;
    }
    switch (o->mode) {
    case MODE_CHECK:
        return cli_check(env);
    case MODE_LIST:
        return cli_list(env);
    case MODE_NEXT:
        return cli_next(env);
    case MODE_PROBE:
        return cli_probe(env);
    case MODE_EXPORT:
        return cli_export(env);
    case MODE_DAEMON:
        return run_daemon(v, env);
    case MODE_VERSION:
    case MODE_HELP:
        break;
    }
    return 2;
}

/* A result nobody could read is a failure (stdout full or closed). */
static int finish_stdout(int status)
{
    if (fflush(stdout) != 0 || ferror(stdout)) {
        perror("crond-lite: stdout");
        return status == 0 ? 1 : status;
    }
    return status;
}

/* fds 0, 1 and 2 must be open before anything else is: a closed one would
 * be reused by the next open (the event loop's epoll fd as "stdout", say).
 * A closed stdin or stderr becomes /dev/null; a closed stdout is fatal,
 * as records have nowhere to go. Returns 0, or -1 when stdout is closed. */
static int stdio_check(void)
{
    for (int fd = 0; fd <= 2; fd++) {
        if (fcntl(fd, F_GETFD) >= 0 || errno != EBADF)
            continue;
        if (fd == 1) {
            /* stderr may be closed too: then there is no one to tell */
            static const char msg[] = "crond-lite: stdout is closed: nowhere to write records\n";
            ssize_t n = write(2, msg, sizeof msg - 1);
            (void)n;
            return -1;
        }
        int null = open("/dev/null", (fd == 0 ? O_RDONLY : O_WRONLY) | O_CLOEXEC);
        if (null >= 0 && null != fd)
            (void)close(null); /* not the lowest free fd: cannot happen, fds go up */
    }
    return 0;
}

int main(int argc, char **argv)
{
    struct options opts;
    struct compat_args native;
    char err[512];
    if (stdio_check() != 0)
        return 1;
    /* under a personality (go-crond, supercronic) the peer's command line
     * becomes crond-lite's own first; native owns words opts points to */
    if (compat_translate(argc, argv, environ, &native, err, sizeof err) != 0
        || options_parse(native.argc, native.argv, environ, &opts, err, sizeof err) != 0) {
        fprintf(stderr, "%s\n", err);
        compat_args_free(&native);
        return 2;
    }
    opts.compat = native.extras;
    if (opts.mode == MODE_HELP || opts.mode == MODE_VERSION) {
        const char *usage = compat_usage(opts.compat.personality);
        if (opts.mode == MODE_HELP)
            fputs(usage != NULL ? usage : options_usage(), stdout);
        else
            fputs(opts.compat.version_bare ? CROND_VERSION "\n" : "crond-lite " CROND_VERSION "\n",
                  stdout);
        options_free(&opts);
        compat_args_free(&native);
        return finish_stdout(0);
    }
    /* [daemon] fills what the command line and environment left open; the
     * file's problems (and its [job] sections) are reported by the loader
     * with the crontabs', so --check lists them all together. */
    struct config ini = {0};
    /* malloc, not calloc: the record buffer's pages stay untouched (not
     * resident) until a record that long is built */
    struct voice v = {&opts, malloc(sizeof *v.log)};
    int status = 1;
    if (v.log != NULL)
        log_init(v.log, STDOUT_FILENO, opts.log_format, opts.log_level);
    if (v.log == NULL || (opts.config != NULL && config_load(opts.config, &ini) < 0)) {
        fprintf(stderr, "crond-lite: out of memory\n");
        goto out;
    }
    if (opts.config != NULL && config_apply(&ini, &opts) != 0) {
        fprintf(stderr, "crond-lite: %s: more than %d crontab paths\n", opts.config,
                OPTIONS_MAX_FILES);
        goto out;
    }
    /* from here on the daemon speaks in records (stdout, or stderr for what
     * --split-logs sends there; each stream falls back on the other) */
    log_init(v.log, STDOUT_FILENO, opts.log_format, opts.log_level);
    log_set_fallback(v.log, STDERR_FILENO);
    log_set_stderr(v.log, STDERR_FILENO);
    log_set_split(v.log, opts.split_logs);
    if (opts.user != NULL && apply_user(&v, opts.user) != 0)
        goto out;
    struct cli_env env = {
        .opts = &opts,
        .ini = opts.config != NULL ? &ini : NULL,
        .zones = zone_cache_new(env_nonempty("TZDIR")),
        .now = (int64_t)time(NULL),
        .out = stdout,
        .err = stderr,
    };
    if (env.zones == NULL)
        say(&v, LOG_LEVEL_ERROR, "out of memory");
    else
        status = run_mode(&v, &env);
    zone_cache_free(env.zones);
out:
    free(v.log);
    config_free(&ini);
    options_free(&opts);
    compat_args_free(&native);
    return finish_stdout(status);
}
