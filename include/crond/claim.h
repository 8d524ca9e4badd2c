/* claim: --claim, one run of a job among replicas (DESIGN.md section 11).
 * Before a run, the replica claims the key crond-lite:JOB:DUE in Redis with
 * `SET key REPLICA NX EX TTL`; the replica whose SET took the key runs the
 * job, the others skip it (reason=claimed).
 *
 * The connection is hiredis's asynchronous one on the daemon's libev loop
 * (its libev adapter), so a claim never blocks the loop: a job's start
 * waits for one round trip. Bounds and failures:
 * - the store is up once it has answered AUTH, SELECT (as the URL asks)
 *   and a PING; claims asked before that are sent all the same;
 * - a claim not answered within CLAIM_TIMEOUT_SECONDS fails, and the
 *   connection is dropped (a hung store is an outage);
 * - asked while the store is unreachable, a claim fails at once;
 * - a lost, refused or dropped connection is tried again after a backoff
 *   that doubles from CLAIM_BACKOFF_MIN to CLAIM_BACKOFF_MAX seconds (reset
 *   only once the store is up); TCP keepalive is on;
 * - the first failure of an outage is a claim.error record (warn, with
 *   that first reason), the store being up again a claim.connect record
 *   (info): one of each per outage.
 * What a failed claim means (--claim-fail open|closed) is the daemon's.
 * A host name is resolved (getaddrinfo) when connecting: on the loop, so
 * it should be a local answer (a compose or Kubernetes service name).
 * The socket is close-on-exec.
 */
#ifndef CROND_CLAIM_H
#define CROND_CLAIM_H

#include <stdbool.h>
#include <stdint.h>

#include "crond/claimurl.h"

struct ev_loop;
struct log;
struct claim;

#define CLAIM_TIMEOUT_SECONDS 2.0
#define CLAIM_BACKOFF_MIN 0.1
#define CLAIM_BACKOFF_MAX 5.0
#define CLAIM_RUN_MAX 48

enum claim_result {
    CLAIM_WON,     /* this replica took the key: run */
    CLAIM_LOST,    /* another replica has it: skip */
    CLAIM_FAILED,  /* no answer, an error, or the store unreachable */
};

/* What a claim was for, handed back with its result. */
struct claim_for {
    uint64_t jid;
    int64_t due_ms;
    char run[CLAIM_RUN_MAX];
};

typedef void (*claim_fn)(void *ctx, const struct claim_for *f, enum claim_result r,
                         const char *why);

/* Connects to u in the background (the first claims may find it still
 * connecting). replica is the key's value (host name and pid). Returns
 * NULL only when out of memory. */
struct claim *claim_start(struct ev_loop *loop, const struct claimurl *u, const char *replica,
                          struct log *log, claim_fn fn, void *ctx);
/* Claims crond-lite:JOB:DUE (DUE in RFC 3339 UTC) for ttl_s seconds; fn
 * gets the result once, maybe before this returns (store unreachable). */
void claim_ask(struct claim *c, const char *job_id, const struct claim_for *f, int64_t ttl_s);
/* Closes the connection; pending claims end without their fn. */
void claim_free(struct claim *c);

/* The key of a claim: "crond-lite:" JOB ":" DUE. */
void claim_key(const char *job_id, int64_t due_ms, char *out, size_t outlen);

#endif
