/* claim: claims through Redis on the event loop (see claim.h). */
#include "crond/claim.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <ev.h>
#include <hiredis/adapters/libev.h>
#include <hiredis/async.h>
#include <hiredis/hiredis.h>

#include "crond/civil.h"
#include "crond/log.h"
#include "crond/timefmt.h"

enum state { DOWN, CONNECTING, UP };

/* A claim waiting for its answer. */
struct req {
    struct claim *c;
    struct claim_for f;
    ev_timer timeout;
    bool answered;           /* fn was called (its timeout, or the reply) */
    struct req *prev, *next; /* c->reqs */
};

struct claim {
    struct ev_loop *loop;
    struct claimurl url;
    char replica[128];
    struct log *log;
    claim_fn fn;
    void *ctx;
    redisAsyncContext *ac;   /* NULL while DOWN */
    enum state state;
    ev_timer retry;
    double backoff;
    bool said_down;          /* the outage's claim.error was written */
    bool freeing;
    bool dropping;           /* drop() is freeing the connection */
    char why[256];           /* why the store is down */
    struct req *reqs;
};

static int64_t now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

void claim_key(const char *job_id, int64_t due_ms, char *out, size_t outlen)
{
    char due[TIMEFMT_ISO_LEN];
    timefmt_utc(civil_floor_div(due_ms, 1000), due, sizeof due);
    snprintf(out, outlen, "crond-lite:%s:%s", job_id, due);
}

/* ------------------------------------------------------------ records -- */

static void say_down(struct claim *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* The store is unreachable: said once an outage. */
static void say_down(struct claim *c, const char *fmt, ...)
{
    if (c->said_down || c->freeing)
        return; /* the outage's first reason stays the one claims give */
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(c->why, sizeof c->why, fmt, ap);
    va_end(ap);
    c->said_down = true;
    char where[512];
    claimurl_redacted(&c->url, where, sizeof where);
    log_begin(c->log, now_ms(), LOG_LEVEL_WARN, "claim.error");
    log_str(c->log, "store", where);
    log_str(c->log, "msg", c->why);
    log_end(c->log);
}

static void say_up(struct claim *c)
{
    char where[512];
    claimurl_redacted(&c->url, where, sizeof where);
    log_begin(c->log, now_ms(), LOG_LEVEL_INFO, "claim.connect");
    log_str(c->log, "store", where);
    log_str(c->log, "replica", c->replica);
    log_end(c->log);
    c->said_down = false;
}

/* --------------------------------------------------------- connection -- */

static void connect_now(struct claim *c);

static void retry_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
    (void)loop;
    (void)revents;
    connect_now(w->data);
}

/* Down: the next try after the backoff, which doubles. */
static void schedule_retry(struct claim *c)
{
    c->ac = NULL;
    c->state = DOWN;
    if (c->freeing)
        return;
    ev_timer_stop(c->loop, &c->retry);
    ev_timer_set(&c->retry, c->backoff, 0);
    ev_timer_start(c->loop, &c->retry);
    c->backoff = c->backoff * 2 < CLAIM_BACKOFF_MAX ? c->backoff * 2 : CLAIM_BACKOFF_MAX;
}

/* The TCP connection is up; the store is, once AUTH, SELECT and a PING
 * are answered (ready_cb). */
static void connect_cb(const redisAsyncContext *ac, int status)
{
    struct claim *c = ac->data;
    if (status != REDIS_OK) {
        say_down(c, "cannot connect: %s", ac->errstr != NULL ? ac->errstr : "error");
        schedule_retry(c); /* hiredis frees ac after this callback */
    }
}

static void disconnect_cb(const redisAsyncContext *ac, int status)
{
    struct claim *c = ac->data;
    if (c->freeing || c->dropping)
        return;
    say_down(c, "connection lost: %s", status == REDIS_OK ? "closed" : ac->errstr);
    schedule_retry(c);
}

/* AUTH and SELECT: a refusal closes the connection (and is said); the
 * backoff keeps growing, as the store was never ready. */
static void setup_cb(redisAsyncContext *ac, void *reply, void *privdata)
{
    struct claim *c = ac->data;
    const redisReply *r = reply;
    if (r == NULL || c->freeing || r->type != REDIS_REPLY_ERROR)
        return;
    say_down(c, "%s refused: %s", (const char *)privdata, r->str);
    redisAsyncDisconnect(ac);
}

/* The PING after the setup: the store answers, claims can go. */
static void ready_cb(redisAsyncContext *ac, void *reply, void *privdata)
{
    struct claim *c = ac->data;
    const redisReply *r = reply;
    (void)privdata;
    if (r == NULL || c->freeing || r->type == REDIS_REPLY_ERROR || c->ac != ac)
        return;
    c->state = UP;
    c->backoff = CLAIM_BACKOFF_MIN;
    say_up(c);
}

/* A store that stopped answering (a claim's bound passed): the connection
 * is dropped and tried again, as a lost one. Pending claims end (their
 * reply_cb gets NULL). Never called from inside a hiredis callback. */
static void drop(struct claim *c, const char *why)
{
    redisAsyncContext *ac = c->ac;
    if (ac == NULL || c->freeing)
        return;
    say_down(c, "%s", why);
    c->dropping = true;
    redisAsyncFree(ac);
    c->dropping = false;
    schedule_retry(c);
}

static void connect_now(struct claim *c)
{
    redisAsyncContext *ac = redisAsyncConnect(c->url.host, c->url.port);
    if (ac == NULL || ac->err) {
        say_down(c, "cannot connect: %s", ac != NULL ? ac->errstr : "out of memory");
        if (ac != NULL)
            redisAsyncFree(ac);
        schedule_retry(c);
        return;
    }
    if (ac->c.fd >= 0 && fcntl(ac->c.fd, F_SETFD, FD_CLOEXEC) != 0) {
        say_down(c, "fcntl(FD_CLOEXEC): %s", strerror(errno));
        redisAsyncFree(ac);
        schedule_retry(c);
        return;
    }
    ac->data = c;
    c->ac = ac;
    c->state = CONNECTING;
    (void)redisEnableKeepAlive(&ac->c); /* a dead peer is noticed, not waited on */
    redisLibevAttach(c->loop, ac);
    redisAsyncSetConnectCallback(ac, connect_cb);
    redisAsyncSetDisconnectCallback(ac, disconnect_cb);
    if (c->url.password[0] != '\0') {
        if (c->url.user[0] != '\0')
            redisAsyncCommand(ac, setup_cb, "AUTH", "AUTH %s %s", c->url.user, c->url.password);
        else
            redisAsyncCommand(ac, setup_cb, "AUTH", "AUTH %s", c->url.password);
    }
    if (c->url.db != 0)
        redisAsyncCommand(ac, setup_cb, "SELECT", "SELECT %d", c->url.db);
    redisAsyncCommand(ac, ready_cb, NULL, "PING");
}

/* ------------------------------------------------------------- claims -- */

static void req_unlink(struct req *q)
{
    struct claim *c = q->c;
    ev_timer_stop(c->loop, &q->timeout);
    if (q->prev != NULL)
        q->prev->next = q->next;
    else
        c->reqs = q->next;
    if (q->next != NULL)
        q->next->prev = q->prev;
}

static void answer(struct req *q, enum claim_result r, const char *why)
{
    if (q->answered || q->c->freeing)
        return;
    q->answered = true;
    ev_timer_stop(q->c->loop, &q->timeout);
    q->c->fn(q->c->ctx, &q->f, r, why);
}

static void timeout_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
    (void)loop;
    (void)revents;
    struct req *q = w->data;
    struct claim *c = q->c;
    answer(q, CLAIM_FAILED, "no answer from the store within 2 s");
    /* q may be freed from here on: drop() ends every pending claim */
    drop(c, "no answer within 2 s");
}

static void reply_cb(redisAsyncContext *ac, void *reply, void *privdata)
{
    struct req *q = privdata;
    const redisReply *r = reply;
    char why[300];
    if (r == NULL) {
        snprintf(why, sizeof why, "store unreachable: %s",
                 ac != NULL && ac->errstr != NULL && ac->errstr[0] != '\0' ? ac->errstr
                 : q->c->why[0] != '\0'                                    ? q->c->why
                                                                            : "connection lost");
        answer(q, CLAIM_FAILED, why);
    } else if (r->type == REDIS_REPLY_STATUS) {
        answer(q, CLAIM_WON, NULL);
    } else if (r->type == REDIS_REPLY_NIL) {
        answer(q, CLAIM_LOST, NULL);
    } else {
        snprintf(why, sizeof why, "store refused the claim: %s",
                 r->type == REDIS_REPLY_ERROR ? r->str : "unexpected reply");
        answer(q, CLAIM_FAILED, why);
    }
    req_unlink(q);
    free(q);
}

void claim_ask(struct claim *c, const char *job_id, const struct claim_for *f, int64_t ttl_s)
{
    char why[300];
    if (c->state == DOWN) {
        snprintf(why, sizeof why, "store unreachable: %s", c->why);
        c->fn(c->ctx, f, CLAIM_FAILED, why);
        return;
    }
    struct req *q = calloc(1, sizeof *q);
    if (q == NULL) {
        c->fn(c->ctx, f, CLAIM_FAILED, "out of memory");
        return;
    }
    q->c = c;
    q->f = *f;
    char key[4400], ttl[24];
    claim_key(job_id, f->due_ms, key, sizeof key);
    snprintf(ttl, sizeof ttl, "%lld", (long long)ttl_s);
    const char *argv[] = {"SET", key, c->replica, "NX", "EX", ttl};
    const size_t lens[] = {3, strlen(key), strlen(c->replica), 2, 2, strlen(ttl)};
    if (redisAsyncCommandArgv(c->ac, reply_cb, q, 6, argv, lens) != REDIS_OK) {
        free(q);
        snprintf(why, sizeof why, "store unreachable: %s", c->ac->errstr != NULL ? c->ac->errstr : "closing");
        c->fn(c->ctx, f, CLAIM_FAILED, why);
        return;
    }
    q->next = c->reqs;
    if (c->reqs != NULL)
        c->reqs->prev = q;
    c->reqs = q;
    ev_timer_init(&q->timeout, timeout_cb, CLAIM_TIMEOUT_SECONDS, 0);
    q->timeout.data = q;
    ev_timer_start(c->loop, &q->timeout);
}

struct claim *claim_start(struct ev_loop *loop, const struct claimurl *u, const char *replica,
                          struct log *log, claim_fn fn, void *ctx)
{
    struct claim *c = calloc(1, sizeof *c);
    if (c == NULL)
        return NULL;
    *c = (struct claim){.loop = loop, .url = *u, .log = log, .fn = fn, .ctx = ctx,
                        .backoff = CLAIM_BACKOFF_MIN};
    snprintf(c->replica, sizeof c->replica, "%s", replica);
    snprintf(c->why, sizeof c->why, "not connected yet");
    ev_init(&c->retry, retry_cb);
    c->retry.data = c;
    connect_now(c);
    return c;
}

void claim_free(struct claim *c)
{
    if (c == NULL)
        return;
    c->freeing = true;
    ev_timer_stop(c->loop, &c->retry);
    if (c->ac != NULL)
        redisAsyncFree(c->ac); /* pending replies get NULL: reply_cb frees them */
    struct req *q = c->reqs; /* what hiredis had not answered yet */
    c->reqs = NULL;
    while (q != NULL) {
        struct req *next = q->next;
        ev_timer_stop(c->loop, &q->timeout);
        free(q);
        q = next;
    }
    free(c);
}
