/* crond-lite: a cron daemon for containers that never needs root.
 *
 * main reads as a table of contents: parse the options, drop to --user,
 * set up the zones, run the chosen mode, exit with its status. It is the
 * only place that exits.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

#include "crond/cli.h"
#include "crond/config.h"
#include "crond/daemon.h"
#include "crond/options.h"
#include "crond/runner.h"
#include "crond/zone.h"

extern char **environ;

/* An empty variable counts as unset, as glibc does for TZDIR. */
static const char *env_nonempty(const char *name)
{
    const char *v = getenv(name);
    return v != NULL && v[0] != '\0' ? v : NULL;
}

/* --user: as root, become USER[:GROUP] before anything else (gosu/su-exec);
 * unprivileged, only naming oneself is accepted. */
static int apply_user(const char *spec)
{
    struct runner_user u;
    char err[512];
    if (runner_lookup_user(spec, &u, err, sizeof err) != 0) {
        fprintf(stderr, "crond-lite: --user: %s\n", err);
        return -1;
    }
    int rc = 0;
    if (geteuid() == 0 && u.uid != 0) {
        rc = runner_drop_privileges(&u, err, sizeof err);
        if (rc != 0)
            fprintf(stderr, "crond-lite: --user %s: %s\n", spec, err);
        /* the jobs' environment describes the new user, not root */
        else if (setenv("HOME", u.home, 1) != 0 || setenv("USER", u.name, 1) != 0
                 || setenv("LOGNAME", u.name, 1) != 0)
            rc = -1;
    } else if (geteuid() != 0 && u.uid != geteuid()) {
        fprintf(stderr, "crond-lite: --user %s: crond-lite runs as uid %u, not root; "
                        "start it as root to switch users, or leave out --user\n",
                spec, (unsigned)geteuid());
        rc = -1;
    }
    runner_user_free(&u);
    return rc;
}

static int run_daemon(struct cli_env *env)
{
    struct runner_user self;
    char err[512];
    if (runner_self_user(getenv("USER"), getenv("HOME"), &self, err, sizeof err) != 0) {
        fprintf(stderr, "crond-lite: %s\n", err);
        return 1;
    }
    struct daemon_cfg cfg = {
        .opts = env->opts,
        .zones = env->zones,
        .default_zone = env->default_zone,
        .self = &self,
        .environ = environ,
        .log_fd = STDOUT_FILENO,
    };
    int status = daemon_run(&cfg);
    runner_user_free(&self);
    return status;
}

static int run_mode(struct cli_env *env)
{
    const struct options *o = env->opts;
    /* --next with --tz needs no default zone: a bad $TZ must not matter */
    if (!(o->mode == MODE_NEXT && o->tz != NULL) && cli_default_zone(env, env_nonempty("TZ")) != 0)
        return 1;
    switch (o->mode) {
    case MODE_CHECK:
        return cli_check(env);
    case MODE_LIST:
        return cli_list(env);
    case MODE_NEXT:
        return cli_next(env);
    case MODE_DAEMON:
        return run_daemon(env);
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
    char err[512];
    if (stdio_check() != 0)
        return 1;
    if (options_parse(argc, argv, environ, &opts, err, sizeof err) != 0) {
        fprintf(stderr, "%s\n", err);
        options_free(&opts);
        return 2;
    }
    if (opts.mode == MODE_HELP || opts.mode == MODE_VERSION) {
        fputs(opts.mode == MODE_HELP ? options_usage() : "crond-lite " CROND_VERSION "\n", stdout);
        options_free(&opts);
        return finish_stdout(0);
    }
    /* [daemon] fills what the command line and environment left open; the
     * file's problems (and its [job] sections) are reported by the loader
     * with the crontabs', so --check lists them all together. */
    struct config ini = {0};
    if (opts.config != NULL && (config_load(opts.config, &ini) < 0 || config_apply(&ini, &opts) != 0)) {
        fprintf(stderr, "crond-lite: %s: out of memory or too many crontab paths\n", opts.config);
        config_free(&ini);
        options_free(&opts);
        return 1;
    }
    if (opts.user != NULL && apply_user(opts.user) != 0) {
        config_free(&ini);
        options_free(&opts);
        return 1;
    }
    struct cli_env env = {
        .opts = &opts,
        .zones = zone_cache_new(env_nonempty("TZDIR")),
        .now = (int64_t)time(NULL),
        .out = stdout,
        .err = stderr,
    };
    int status = 1;
    if (env.zones == NULL)
        fprintf(stderr, "crond-lite: out of memory\n");
    else
        status = run_mode(&env);
    zone_cache_free(env.zones);
    config_free(&ini);
    options_free(&opts);
    return finish_stdout(status);
}
