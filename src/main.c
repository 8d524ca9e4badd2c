/* crond-lite: a cron daemon for containers that never needs root.
 *
 * main reads as a table of contents: parse the options, set up the zones,
 * run the chosen mode, exit with its status. It is the only place that exits.
 */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "crond/cli.h"
#include "crond/options.h"
#include "crond/zone.h"

extern char **environ;

static int run_mode(struct cli_env *env)
{
    switch (env->opts->mode) {
    case MODE_CHECK:
        return cli_check(env);
    case MODE_LIST:
        return cli_list(env);
    case MODE_NEXT:
        return cli_next(env);
    case MODE_DAEMON:
        fprintf(stderr, "crond-lite: the scheduler (daemon mode) is not built yet; "
                        "use --check, --list or --next\n");
        return 1;
    case MODE_VERSION:
    case MODE_HELP:
        break;
    }
    return 2;
}

int main(int argc, char **argv)
{
    struct options opts;
    char err[512];
    if (options_parse(argc, argv, environ, &opts, err, sizeof err) != 0) {
        fprintf(stderr, "%s\n", err);
        options_free(&opts);
        return 2;
    }
    if (opts.mode == MODE_HELP || opts.mode == MODE_VERSION) {
        fputs(opts.mode == MODE_HELP ? options_usage() : "crond-lite " CROND_VERSION "\n", stdout);
        options_free(&opts);
        return 0;
    }
    struct cli_env env = {
        .opts = &opts,
        .zones = zone_cache_new(getenv("TZDIR")),
        .now = (int64_t)time(NULL),
        .out = stdout,
        .err = stderr,
    };
    int status = 1;
    if (env.zones == NULL)
        fprintf(stderr, "crond-lite: out of memory\n");
    else if (cli_default_zone(&env, getenv("TZ")) == 0)
        status = run_mode(&env);
    zone_cache_free(env.zones);
    options_free(&opts);
    if (fflush(stdout) != 0 && status == 0)
        status = 1;
    return status;
}
