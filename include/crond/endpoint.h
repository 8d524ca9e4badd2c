/* endpoint: what the HTTP server of --listen answers (DESIGN.md sections 9
 * and 10): /healthz, /readyz (ready, or the reason it is not), /metrics
 * (crond-lite's families, then a personality's: peermetrics.h), and under
 * supercronic's personality its /health. The connections and their bounds
 * are httpd's; the daemon says when it is ready and owns what is counted.
 *
 * Personalities change three things: supercronic adds /health; go-crond
 * serves /metrics only with --server.metrics (compat.metrics_off), and its
 * --server.timeout.read/.write replace the head and write deadlines.
 */
#ifndef CROND_ENDPOINT_H
#define CROND_ENDPOINT_H

#include <stdbool.h>
#include <stddef.h>

#include "crond/compat.h"

struct ev_loop;
struct httpd;
struct jobtab;
struct log;
struct metrics_daemon;
struct util_buf;

struct endpoint {
    struct httpd *httpd;              /* NULL until started, or without --listen */
    const struct jobtab *tab;         /* the daemon's, for /metrics */
    const struct metrics_daemon *metrics;
    const struct compat_extras *compat;
    const char *self_name;            /* the user crond-lite runs as */
    bool ready;                       /* /readyz: 200 */
    char unready[256];                /* else the 503's reason */
};

/* Listens on listen (netaddr.h) on loop. Returns 0, or -1 with err. */
int endpoint_start(struct endpoint *e, struct ev_loop *loop, const char *listen, struct log *log,
                   char *err, size_t errlen);
void endpoint_free(struct endpoint *e);

/* /readyz from now on: 200, or 503 with the reason. */
void endpoint_ready(struct endpoint *e);
void endpoint_unready(struct endpoint *e, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Appends the exposition /metrics answers (out->oom set when memory ran
 * out): on the loop, between two events. */
void endpoint_metrics(const struct endpoint *e, struct util_buf *out);

#endif
