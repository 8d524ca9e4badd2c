/* cli: --check, --list and --next (see cli.h). These modes have no side
 * effects: they read crontabs and zones and print. */
#include "crond/cli.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "crond/calendar.h"
#include "crond/cronspec.h"
#include "crond/export.h"
#include "crond/loader.h"
#include "crond/netaddr.h"
#include "crond/options.h"
#include "crond/timefmt.h"
#include "crond/util.h"
#include "crond/zone.h"

#define PROG "crond-lite"

/* ------------------------------------------------------------------------ */
/* Zones                                                                    */
/* ------------------------------------------------------------------------ */

int cli_default_zone(struct cli_env *env, const char *tz_env, char *err, size_t errlen)
{
    char why[256];
    const char *name = env->opts->timezone;
    const char *what = "--timezone";
    if (name == NULL && tz_env != NULL && tz_env[0] != '\0') {
        name = tz_env;
        what = "TZ";
    }
    env->default_zone = zone_cache_get(env->zones, name, why, sizeof why);
    if (env->default_zone == NULL) {
        snprintf(err, errlen, "%s: %s", name != NULL ? what : "/etc/localtime", why);
        return -1;
    }
    return 0;
}

/* ------------------------------------------------------------------------ */
/* Printing fire times                                                      */
/* ------------------------------------------------------------------------ */

/* Prints up to count fire times after `after`, each line prefixed by
 * prefix. Returns how many were printed. */
static int print_times(FILE *out, const char *prefix, const struct cronspec *s,
                       const struct zone *z, int64_t after, int count)
{
    char iso[TIMEFMT_ISO_LEN];
    int64_t t = after;
    int printed = 0;
    for (int i = 0; i < count; i++) {
        if (s->kind == CRONSPEC_EVERY) {
            /* @every counts from the start (of the daemon; here of --from) */
            t = calendar_next_every(s->every_ms, after * 1000, t * 1000) / 1000;
        } else if (calendar_next(s, z, t, &t) != CALENDAR_OK) {
            break;
        }
        timefmt_iso(t, z, iso, sizeof iso);
        fprintf(out, "%s%s\n", prefix, iso);
        printed++;
    }
    return printed;
}

/* ------------------------------------------------------------------------ */
/* --next                                                                   */
/* ------------------------------------------------------------------------ */

static const struct zone *next_zone(const struct cli_env *env)
{
    char err[256];
    if (env->opts->tz == NULL)
        return env->default_zone;
    const struct zone *z = zone_cache_get(env->zones, env->opts->tz, err, sizeof err);
    if (z == NULL)
        fprintf(env->err, PROG ": --tz: %s\n", err);
    return z;
}

int cli_next(const struct cli_env *env)
{
    const struct options *o = env->opts;
    struct cronspec s;
    struct cronspec_error perr;
    struct cronspec_warnings warns;
    /* '~' values from the expression alone: a job's own come from its whole
     * line (schedule and command), as --list shows them */
    struct cronspec_opts co = {cronspec_seed(o->next_expr, strlen(o->next_expr)), &warns};
    if (cronspec_parse(o->next_expr, &co, &s, &perr) != 0) {
        fprintf(env->err, PROG ": --next '%s': column %d: %s\n", o->next_expr, perr.col, perr.msg);
        return 1;
    }
    for (size_t i = 0; i < warns.n; i++)
        fprintf(env->err, PROG ": --next '%s': column %d: warning: %s\n", o->next_expr,
                warns.items[i].col, warns.items[i].msg);
    const struct zone *z = next_zone(env);
    if (z == NULL)
        return 1;
    int64_t from = env->now;
    char err[256];
    if (o->from != NULL && timefmt_parse(o->from, z, &from, err, sizeof err) != 0) {
        fprintf(env->err, PROG ": --from '%s': %s\n", o->from, err);
        return 2;
    }
    if (s.kind == CRONSPEC_REBOOT) {
        fprintf(env->err, PROG ": @reboot has no calendar time: it runs once when the daemon starts\n");
        return 0;
    }
    if (print_times(env->out, "", &s, z, from, o->count) == 0) {
        char iso[TIMEFMT_ISO_LEN];
        timefmt_iso(from, z, iso, sizeof iso);
        fprintf(env->err, PROG ": --next '%s': can never fire after %s (in %s)\n", o->next_expr,
                iso, zone_name(z));
        return 1;
    }
    return 0;
}

/* ------------------------------------------------------------------------ */
/* --check and --list                                                       */
/* ------------------------------------------------------------------------ */

/* Loads the crontabs of the options and prints every problem. */
static int load_all(const struct cli_env *env, struct loader_result *r)
{
    int rc = loader_load_options(env->opts, env->ini, env->zones, env->default_zone, env->now, r);
    for (size_t i = 0; i < r->diags.n; i++) {
        char line[1024];
        diag_format(&r->diags.items[i], line, sizeof line);
        fprintf(env->err, "%s\n", line);
    }
    if (rc != 0)
        fprintf(env->err, PROG ": out of memory\n");
    return rc;
}

int cli_check(const struct cli_env *env)
{
    struct loader_result r;
    int rc = load_all(env, &r);
    int status = rc != 0 || r.diags.nerrors > 0 ? 1 : 0;
    size_t nwarn = 0; /* notes (a file run-parts skips) are neither */
    for (size_t i = 0; i < r.diags.n; i++)
        nwarn += r.diags.items[i].severity == DIAG_WARNING;
    /* warnings are no problems: they never change the exit status */
    if (status == 0 && nwarn == 0)
        fprintf(env->out, "%zu file%s, %zu job%s: no problems\n", r.nfiles, r.nfiles == 1 ? "" : "s",
                r.njobs, r.njobs == 1 ? "" : "s");
    else if (status == 0)
        fprintf(env->out, "%zu file%s, %zu job%s: no problems, %zu warning%s\n", r.nfiles,
                r.nfiles == 1 ? "" : "s", r.njobs, r.njobs == 1 ? "" : "s", nwarn,
                nwarn == 1 ? "" : "s");
    else
        fprintf(env->err, PROG ": %zu problem%s found\n", r.diags.nerrors, r.diags.nerrors == 1 ? "" : "s");
    loader_result_free(&r);
    return status;
}

int cli_list(const struct cli_env *env)
{
    struct loader_result r;
    if (load_all(env, &r) != 0 || r.diags.nerrors > 0) {
        loader_result_free(&r);
        return 1;
    }
    for (size_t i = 0; i < r.njobs; i++) {
        const struct loader_job *j = &r.jobs[i];
        char prefix[512];
        char id[LOADER_ID_MAX];
        snprintf(prefix, sizeof prefix, "%s\t", loader_job_id(j, id, sizeof id));
        if (j->entry->spec->kind == CRONSPEC_REBOOT)
            fprintf(env->out, "%s@reboot\n", prefix);
        else
            print_times(env->out, prefix, j->entry->spec, j->zone, env->now, env->opts->count);
    }
    loader_result_free(&r);
    return 0;
}

/* ------------------------------------------------------------------------ */
/* --export kubernetes                                                      */
/* ------------------------------------------------------------------------ */

int cli_export(const struct cli_env *env)
{
    struct loader_result r;
    if (load_all(env, &r) != 0 || r.diags.nerrors > 0) {
        loader_result_free(&r);
        return 1;
    }
    const struct export_opts eo = {
        .image = env->opts->image != NULL ? env->opts->image : EXPORT_DEFAULT_IMAGE,
        .shell = env->opts->shell,
        .overlap = env->opts->overlap,
        .default_zone = zone_name(env->default_zone),
    };
    struct util_buf out = {0}, refused = {0};
    int n = export_kubernetes(&r, &eo, &out, &refused);
    if (n < 0) {
        fprintf(env->err, PROG ": out of memory\n");
    } else {
        if (out.len > 0)
            fwrite(out.data, 1, out.len, env->out);
        if (refused.len > 0)
            fwrite(refused.data, 1, refused.len, env->err);
        if (n > 0)
            fprintf(env->err, PROG ": %d job%s not exported\n", n, n == 1 ? "" : "s");
    }
    util_buf_free(&out);
    util_buf_free(&refused);
    loader_result_free(&r);
    return n == 0 ? 0 : 1;
}

/* ------------------------------------------------------------------------ */
/* --probe                                                                  */
/* ------------------------------------------------------------------------ */

/* The address to reach the daemon at: its --listen address, with "every
 * address" turned into this host's loopback. */
static void probe_target(struct netaddr *a)
{
    if (a->ss.ss_family == AF_INET) {
        struct sockaddr_in *a4 = (struct sockaddr_in *)&a->ss;
        if (a4->sin_addr.s_addr == htonl(INADDR_ANY))
            a4->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    } else {
        struct sockaddr_in6 *a6 = (struct sockaddr_in6 *)&a->ss;
        if (IN6_IS_ADDR_UNSPECIFIED(&a6->sin6_addr))
            a6->sin6_addr = in6addr_loopback;
    }
}

/* Waits until fd is ready for events, at most until deadline (monotonic
 * ms). Returns 1 ready, 0 timed out, -1 error. */
static int probe_wait(int fd, short events, int64_t deadline)
{
    for (;;) {
        struct timespec ts;
        clock_gettime(CLOCK_MONOTONIC, &ts);
        int64_t left = deadline - ((int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000);
        if (left <= 0)
            return 0;
        struct pollfd pfd = {fd, events, 0};
        int n = poll(&pfd, 1, (int)left);
        if (n >= 0)
            return n;
        if (errno != EINTR)
            return -1;
    }
}

int cli_probe(const struct cli_env *env)
{
    const struct options *o = env->opts;
    struct netaddr a;
    char err[256], req[512], resp[512] = "";
    if (o->listen == NULL) {
        fprintf(env->err, PROG ": --probe needs --listen (or CROND_LITE_LISTEN, or listen in "
                          "the INI file): the address the daemon serves on\n");
        return 2;
    }
    if (netaddr_parse(o->listen, &a, err, sizeof err) != 0) {
        fprintf(env->err, PROG ": --listen %s\n", err);
        return 2;
    }
    probe_target(&a);
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    int64_t deadline = (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000 + 2000;
    int fd = socket(a.ss.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0) {
        fprintf(env->err, PROG ": --probe: socket: %s\n", strerror(errno));
        return 1;
    }
    int rc = 1;
    int n = snprintf(req, sizeof req, "GET %s HTTP/1.1\r\nHost: crond-lite\r\nConnection: close\r\n\r\n",
                     o->probe_path);
    size_t got = 0;
    if (connect(fd, (const struct sockaddr *)&a.ss, a.len) != 0 && errno != EINPROGRESS) {
        fprintf(env->err, PROG ": --probe %s: connect: %s\n", o->listen, strerror(errno));
        goto out;
    }
    if (probe_wait(fd, POLLOUT, deadline) != 1) {
        fprintf(env->err, PROG ": --probe %s: no connection within 2 s\n", o->listen);
        goto out;
    }
    int soerr = 0;
    socklen_t len = sizeof soerr;
    if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &soerr, &len) != 0 || soerr != 0) {
        fprintf(env->err, PROG ": --probe %s: connect: %s\n", o->listen,
                strerror(soerr != 0 ? soerr : errno));
        goto out;
    }
    if (n < 0 || (size_t)n >= sizeof req || send(fd, req, (size_t)n, MSG_NOSIGNAL) != n) {
        fprintf(env->err, PROG ": --probe %s: cannot send the request\n", o->listen);
        goto out;
    }
    /* the status line is all that matters: read until it is complete */
    while (got < sizeof resp - 1 && memchr(resp, '\n', got) == NULL) {
        if (probe_wait(fd, POLLIN, deadline) != 1)
            break;
        ssize_t r = recv(fd, resp + got, sizeof resp - 1 - got, 0);
        if (r <= 0 && !(r < 0 && (errno == EINTR || errno == EAGAIN)))
            break;
        if (r > 0)
            got += (size_t)r;
    }
    resp[got] = '\0';
    char *eol = strpbrk(resp, "\r\n");
    if (eol == NULL) {
        fprintf(env->err, PROG ": --probe %s%s: no answer within 2 s\n", o->listen, o->probe_path);
        goto out;
    }
    *eol = '\0';
    /* "HTTP/1.x NNN reason" */
    long status = 0;
    if (strncmp(resp, "HTTP/1.", 7) == 0 && resp[7] != '\0' && resp[8] == ' ')
        status = strtol(resp + 9, NULL, 10);
    if (status == 200)
        fprintf(env->out, "%s\n", resp);
    else
        fprintf(env->err, PROG ": --probe %s: %s\n", o->probe_path, resp);
    rc = status == 200 ? 0 : 1;
out:
    (void)close(fd); /* nothing was written that a close could lose */
    return rc;
}
