/* endpoint: the answers of the HTTP endpoint (see endpoint.h). */
#include "crond/endpoint.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "crond/httpd.h"
#include "crond/metrics.h"
#include "crond/netaddr.h"
#include "crond/peermetrics.h"
#include "crond/util.h"

/* The Content-Type of the Prometheus text format (0.0.4), as client_golang
 * sends it. */
#define METRICS_TYPE "text/plain; version=0.0.4; charset=utf-8"

void endpoint_ready(struct endpoint *e)
{
    e->ready = true;
}

void endpoint_unready(struct endpoint *e, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(e->unready, sizeof e->unready, fmt, ap);
    va_end(ap);
    e->ready = false;
}

void endpoint_metrics(const struct endpoint *e, struct util_buf *out)
{
    struct metrics_process pr;
    bool have = metrics_process_read(&pr) == 0; /* without /proc: no process_* */
    if (metrics_render(out, e->tab, e->metrics, have ? &pr : NULL) != 0)
        return; /* out->oom says */
    if (e->compat != NULL)
        (void)peermetrics_render(out, e->tab, e->compat->personality, e->self_name);
}

/* 200 while the loop runs: answering at all is the proof. */
static void answer_healthz(const struct endpoint *e, int *out_status, const char **out_type,
                           struct util_buf *out_body)
{
    (void)e;
    (void)out_type;
    *out_status = 200;
    util_buf_str(out_body, "ok\n");
}

static void answer_readyz(const struct endpoint *e, int *out_status, const char **out_type,
                          struct util_buf *out_body)
{
    (void)out_type;
    *out_status = e->ready ? 200 : 503;
    if (e->ready)
        util_buf_str(out_body, "ready\n");
    else
        util_buf_printf(out_body, "not ready: %s\n", e->unready);
}

static void answer_metrics(const struct endpoint *e, int *out_status, const char **out_type,
                           struct util_buf *out_body)
{
    if (e->compat != NULL && e->compat->metrics_off)
        return; /* go-crond without --server.metrics: 404 */
    *out_status = 200;
    *out_type = METRICS_TYPE;
    endpoint_metrics(e, out_body);
}

/* supercronic's /health: 200 "OK" */
static void answer_health(const struct endpoint *e, int *out_status, const char **out_type,
                          struct util_buf *out_body)
{
    (void)out_type;
    if (e->compat == NULL || e->compat->personality != COMPAT_SUPERCRONIC)
        return;
    *out_status = 200;
    util_buf_str(out_body, "OK");
}

static const struct route {
    const char *path;
    void (*answer)(const struct endpoint *e, int *out_status, const char **out_type,
                   struct util_buf *out_body);
} routes[] = {
    {"/healthz", answer_healthz},
    {"/readyz", answer_readyz},
    {"/metrics", answer_metrics},
    {"/health", answer_health},
};

/* httpd's route callback: any other path stays 404. */
static void route(void *ctx, const char *path, int *out_status, const char **out_type,
                  struct util_buf *out_body)
{
    for (size_t i = 0; i < UTIL_COUNT_OF(routes); i++)
        if (strcmp(path, routes[i].path) == 0) {
            routes[i].answer(ctx, out_status, out_type, out_body);
            return;
        }
}

int endpoint_start(struct endpoint *e, struct ev_loop *loop, const char *listen, struct log *log,
                   char *err, size_t errlen)
{
    struct netaddr addr;
    if (netaddr_parse(listen, &addr, err, errlen) != 0)
        return -1;
    e->httpd = httpd_start(loop, &addr, route, e, log, err, errlen);
    if (e->httpd == NULL)
        return -1;
    if (e->compat != NULL)
        httpd_set_timeouts(e->httpd, (double)e->compat->http_read_ms / 1000.0,
                           (double)e->compat->http_write_ms / 1000.0);
    return 0;
}

void endpoint_free(struct endpoint *e)
{
    httpd_free(e->httpd);
    e->httpd = NULL;
}
