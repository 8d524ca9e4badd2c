/* daemon: the scheduler in the foreground (DESIGN.md sections 4, 5, 7, 10).
 * The loop glue (libev; httpd runs its server on the same loop): it sleeps
 * until the earliest job is due (no polling), starts jobs through the
 * runner, relays their output as log records, reaps every child (also
 * orphans: it is PID 1 or a child subreaper), reloads on SIGHUP, stops
 * gracefully on SIGTERM/SIGINT/SIGQUIT, and with --listen answers /healthz,
 * /readyz and /metrics (endpoint.h). SIGUSR2 reloads as SIGHUP does. */
#ifndef CROND_DAEMON_H
#define CROND_DAEMON_H

#include <stdbool.h>

struct crond;
struct options;
struct config;
struct log;
struct user;
struct zone;
struct zone_cache;
struct util_buf;

struct daemon_cfg {
    const struct options *opts;
    struct zone_cache *zones;
    const struct zone *default_zone;
    const struct config *ini;        /* the INI file as read at start, or NULL */
    const struct user *self;         /* the user crond-lite runs as */
    char *const *environ;            /* inherited by jobs unless --clean-env */
    struct log *log;                 /* where every record goes */
    long nofile_soft;                /* the fd limit jobs get back (runner_raise_nofile), 0: as is */
};

/* Runs until stopped. Returns the exit status: 0 after a clean stop, 1 when
 * the crontabs are invalid at start, --listen cannot listen, or the log
 * output broke. */
int daemon_run(const struct daemon_cfg *cfg);

#endif
