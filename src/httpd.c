/* httpd: the HTTP endpoint on the daemon's loop (see httpd.h). With
 * daemon.c, the only file that includes <ev.h>.
 *
 * A connection is a small state machine driven by one io watcher and one
 * timer. It reads only when it has nothing to send and nothing unread, so
 * a client that sends faster than it reads is held back by its own socket
 * (TCP flow control), never by our memory:
 *
 *   reading --request complete--> answer queued --all sent--> reading
 *      |                               |  socket full: wait for EV_WRITE
 *      +--refused (400, 405, ...)--> answer queued, then close
 *
 * A queued answer is sent at once; what the socket does not take waits for
 * EV_WRITE. Requests already read (pipelined) are answered HTTPD_REQUESTS
 * per wake-up; more left over wait for the next wake-up through EV_WRITE,
 * which a socket with room reports at once.
 *
 * The timer holds one deadline at a time: the head's (set when a request
 * starts, never moved by later bytes), the write's (set when the socket
 * first refuses bytes of an answer) or the keep-alive idle one (set when
 * an answer is sent and nothing else is pending). At the deadline the
 * connection is closed without a word.
 */
#include "crond/httpd.h"

#include <errno.h>
#include <ev.h>
#include <netinet/in.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "crond/httpreq.h"
#include "crond/log.h"
#include "crond/netaddr.h"
#include "crond/report.h"
#include "crond/util.h"

#define container_of(ptr, type, member) ((type *)(void *)((char *)(ptr) - offsetof(type, member)))

/* An answer's buffer is kept between requests up to this size (a
 * /metrics exposition of many jobs is not kept per connection). */
#define KEEP_BUF ((size_t)16 * 1024)

struct httpd;

enum deadline { DL_NONE, DL_HEAD, DL_WRITE, DL_IDLE, DL_LINGER };

struct conn {
    struct httpd *h;
    size_t slot;                  /* index in h->conns */
    int fd;
    ev_io io;                     /* EV_READ, or EV_WRITE while an answer waits */
    ev_timer timer;               /* the deadline */
    enum deadline dl;             /* what the timer is set for */
    struct httpreq req;           /* the request being read */
    bool closing;                 /* close once the answer is sent */
    bool lingering;               /* answer sent, our side shut: reading to EOF */
    size_t in_off, in_len;        /* in[in_off..in_len): read, not yet parsed */
    struct util_buf out;          /* answers to send */
    size_t out_off;               /* bytes of out sent */
    char in[HTTPD_READ_SIZE];
};

struct httpd {
    struct ev_loop *loop;
    int fd;                       /* the listening socket */
    ev_io accept_io;              /* watched while a slot is free and not paused */
    ev_timer pause;               /* accept failed for want of fds or memory */
    bool paused;
    bool said_pause;              /* warned once until an accept succeeds */
    httpd_route_fn route;
    void *ctx;
    struct log *log;
    struct util_buf body;         /* the route's body, reused */
    size_t nconns;
    struct conn *conns[HTTPD_MAX_CONNS];
    double head_s, write_s;       /* HTTPD_HEAD_SECONDS, HTTPD_WRITE_SECONDS or httpd_set_timeouts */
};

/* ------------------------------------------------------------------------ */
/* Small helpers                                                            */
/* ------------------------------------------------------------------------ */

static void buf_clear(struct util_buf *b)
{
    b->len = 0;
    b->oom = 0;
    if (b->data != NULL)
        b->data[0] = '\0';
}

/* The listener is watched exactly when a slot is free and accept is not
 * paused. */
static void accept_update(struct httpd *h)
{
    if (!h->paused && h->nconns < HTTPD_MAX_CONNS)
        ev_io_start(h->loop, &h->accept_io); /* no-op when active */
    else
        ev_io_stop(h->loop, &h->accept_io);
}

static void conn_close(struct conn *c)
{
    struct httpd *h = c->h;
    ev_io_stop(h->loop, &c->io);
    ev_timer_stop(h->loop, &c->timer);
    /* a socket's close cannot fail in a way worth acting on: the fd is
     * released whatever it returns (Linux), and nothing waits for data */
    (void)close(c->fd);
    util_buf_free(&c->out);
    h->conns[c->slot] = NULL;
    h->nconns--;
    free(c);
    accept_update(h);
}

static void conn_deadline(struct conn *c, enum deadline dl, double seconds)
{
    ev_timer_stop(c->h->loop, &c->timer);
    ev_timer_set(&c->timer, seconds, 0);
    ev_timer_start(c->h->loop, &c->timer);
    c->dl = dl;
}

static void conn_untimed(struct conn *c)
{
    ev_timer_stop(c->h->loop, &c->timer);
    c->dl = DL_NONE;
}

static void conn_events(struct conn *c, int events)
{
    if ((c->io.events & (EV_READ | EV_WRITE)) == events)
        return;
    ev_io_stop(c->h->loop, &c->io);
    ev_io_set(&c->io, c->fd, events);
    ev_io_start(c->h->loop, &c->io);
}

/* ------------------------------------------------------------------------ */
/* Answers                                                                  */
/* ------------------------------------------------------------------------ */

/* Queues one answer: head, then body unless head_only. */
static void conn_queue(struct conn *c, int status, const char *type, const struct util_buf *body,
                       bool head_only, const struct httpreq_request *q)
{
    bool keep = !c->closing && q->keep_alive;
    const char *empty = body->len == 0 ? httpreq_reason(status) : NULL;
    size_t len = empty != NULL ? strlen(empty) + 1 : body->len;
    util_buf_printf(&c->out,
                    "HTTP/1.1 %d %s\r\nContent-Type: %s\r\nContent-Length: %zu\r\n"
                    "Cache-Control: no-store\r\n%s%s\r\n",
                    status, httpreq_reason(status), type, len,
                    status == 405 ? "Allow: GET, HEAD\r\n" : "",
                    !keep              ? "Connection: close\r\n"
                    : q->minor == 0    ? "Connection: keep-alive\r\n"
                                       : "");
    if (!keep)
        c->closing = true;
    if (head_only)
        return;
    if (empty != NULL) {
        util_buf_str(&c->out, empty);
        util_buf_str(&c->out, "\n");
    } else {
        util_buf_add(&c->out, body->data, body->len);
    }
}

static void conn_answer(struct conn *c, const struct httpreq_request *q)
{
    struct httpd *h = c->h;
    int status = 404;
    const char *type = HTTPD_TEXT;
    buf_clear(&h->body);
    if (!q->path_long)
        h->route(h->ctx, q->path, &status, &type, &h->body);
    if (h->body.oom) {
        status = 500;
        type = HTTPD_TEXT;
        buf_clear(&h->body);
    }
    conn_queue(c, status, type, &h->body, q->method == HTTPREQ_HEAD, q);
}

static void conn_refuse(struct conn *c, int status, const struct httpreq_request *q)
{
    struct util_buf none = {0};
    c->closing = true;
    conn_queue(c, status, HTTPD_TEXT, &none, q->method == HTTPREQ_HEAD, q);
}

/* Parses what was read and answers one request. Returns false when the
 * bytes ran out before a request was complete (then none are left). */
static bool conn_answer_one(struct conn *c)
{
    if (c->in_off == c->in_len)
        return false;
    if (c->dl != DL_HEAD) /* a request starts: its head is due */
        conn_deadline(c, DL_HEAD, c->h->head_s);
    size_t used;
    enum httpreq_state st = httpreq_feed(&c->req, c->in + c->in_off, c->in_len - c->in_off, &used);
    c->in_off += used;
    if (c->in_off == c->in_len)
        c->in_off = c->in_len = 0;
    if (st == HTTPREQ_MORE)
        return false;
    if (st == HTTPREQ_DONE)
        conn_answer(c, &c->req.req);
    else
        conn_refuse(c, c->req.status, &c->req.req);
    httpreq_init(&c->req);
    conn_untimed(c); /* the next request's head is due from its first byte */
    return true;
}

/* ------------------------------------------------------------------------ */
/* A connection's wake-up                                                   */
/* ------------------------------------------------------------------------ */

/* Sends what the socket takes. Returns 0, or -1 when the connection is
 * gone (reset, or any other error). */
static int conn_send(struct conn *c)
{
    if (c->out.oom)
        return -1; /* no memory for the answer: closing says enough */
    while (c->out_off < c->out.len) {
        ssize_t n = send(c->fd, c->out.data + c->out_off, c->out.len - c->out_off,
                         MSG_NOSIGNAL | MSG_DONTWAIT);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            return errno == EAGAIN || errno == EWOULDBLOCK ? 0 : -1;
        c->out_off += (size_t)n;
    }
    if (c->out.cap > KEEP_BUF)
        util_buf_free(&c->out);
    buf_clear(&c->out);
    c->out_off = 0;
    return 0;
}

/* What to wait for next, and until when: the socket's room while an
 * answer waits or requests read are left (HTTPD_REQUESTS was reached), else
 * the next bytes; a request begun keeps its head deadline. */
static void conn_wait(struct conn *c)
{
    bool sending = c->out_off < c->out.len;
    bool unread = c->in_off < c->in_len;
    if (sending && c->dl != DL_WRITE)
        conn_deadline(c, DL_WRITE, c->h->write_s);
    else if (!sending && (unread || c->req.head > 0) && c->dl != DL_HEAD)
        conn_deadline(c, DL_HEAD, c->h->head_s);
    else if (!sending && !unread && c->req.head == 0 && (c->dl == DL_NONE || c->dl == DL_WRITE))
        conn_deadline(c, DL_IDLE, HTTPD_IDLE_SECONDS);
    conn_events(c, sending || unread ? EV_WRITE : EV_READ);
}

/* The last answer is sent: our side is shut (FIN after the answer), and
 * what the client still sends is read and dropped until it closes too.
 * Closing with unread bytes would send a reset, which can destroy the
 * answer before the client reads it (a refused POST's body, say). */
static void conn_linger(struct conn *c)
{
    if (shutdown(c->fd, SHUT_WR) != 0) {
        conn_close(c);
        return;
    }
    c->lingering = true;
    conn_deadline(c, DL_LINGER, HTTPD_LINGER_SECONDS);
    conn_events(c, EV_READ);
}

/* Sends, then answers what was read, HTTPD_REQUESTS at most; closes when
 * an answer that ends the connection is sent or the client is gone. */
static void conn_step(struct conn *c)
{
    for (int k = 0;; k++) {
        if (conn_send(c) != 0) {
            conn_close(c);
            return;
        }
        if (c->out_off < c->out.len)
            break;
        if (c->closing) {
            conn_linger(c);
            return;
        }
        if (k == HTTPD_REQUESTS || !conn_answer_one(c))
            break;
    }
    conn_wait(c);
}

static void conn_read(struct conn *c)
{
    ssize_t n = recv(c->fd, c->in, sizeof c->in, MSG_DONTWAIT);
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR))
        return;
    if (n <= 0) { /* the client is gone, or closed its side mid-request */
        conn_close(c);
        return;
    }
    if (c->lingering)
        return; /* dropped */
    c->in_off = 0;
    c->in_len = (size_t)n;
    conn_step(c);
}

static void conn_io_cb(struct ev_loop *loop, ev_io *w, int revents)
{
    (void)loop;
    struct conn *c = container_of(w, struct conn, io);
    if (revents & EV_READ)
        conn_read(c);
    else
        conn_step(c);
}

static void conn_timer_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
    (void)loop;
    (void)revents;
    conn_close(container_of(w, struct conn, timer));
}

/* ------------------------------------------------------------------------ */
/* Accepting                                                                */
/* ------------------------------------------------------------------------ */

static int conn_open(struct httpd *h, int fd)
{
    struct conn *c = malloc(sizeof *c);
    if (c == NULL)
        return -1;
    memset(c, 0, offsetof(struct conn, in)); /* in[] is written before it is read */
    c->h = h;
    c->fd = fd;
    httpreq_init(&c->req);
    for (c->slot = 0; h->conns[c->slot] != NULL; c->slot++)
        ;
    h->conns[c->slot] = c;
    h->nconns++;
    ev_io_init(&c->io, conn_io_cb, fd, EV_READ);
    ev_set_priority(&c->io, EV_MINPRI);
    ev_init(&c->timer, conn_timer_cb);
    ev_set_priority(&c->timer, EV_MINPRI);
    ev_io_start(h->loop, &c->io);
    /* the first request's head is due from the start */
    conn_deadline(c, DL_HEAD, c->h->head_s);
    return 0;
}

/* Out of fds or memory: stop accepting for a while rather than wake up
 * again and again for a connection that cannot be taken. */
static void accept_pause(struct httpd *h, int err)
{
    if (!h->said_pause)
        report_error(h->log, (int64_t)(ev_now(h->loop) * 1000), LOG_LEVEL_WARN,
                     "--listen: accept: %s; not accepting for %.1f s", strerror(err),
                     HTTPD_PAUSE_SECONDS);
    h->said_pause = true;
    h->paused = true;
    ev_timer_set(&h->pause, HTTPD_PAUSE_SECONDS, 0);
    ev_timer_start(h->loop, &h->pause);
    accept_update(h);
}

static void accept_cb(struct ev_loop *loop, ev_io *w, int revents)
{
    (void)loop;
    (void)revents;
    struct httpd *h = container_of(w, struct httpd, accept_io);
    for (int k = 0; k < HTTPD_ACCEPTS && h->nconns < HTTPD_MAX_CONNS; k++) {
        int fd = accept4(h->fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
        if (fd < 0 && (errno == EINTR || errno == ECONNABORTED || errno == EPROTO))
            continue; /* that client gave up; the next may be there */
        if (fd < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
            break;
        if (fd < 0) {
            accept_pause(h, errno); /* EMFILE, ENFILE, ENOBUFS, ENOMEM... */
            return;
        }
        if (conn_open(h, fd) != 0) {
            (void)close(fd); /* never used: nothing to flush */
            accept_pause(h, ENOMEM);
            return;
        }
        h->said_pause = false;
    }
    accept_update(h);
}

static void pause_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
    (void)loop;
    (void)revents;
    struct httpd *h = container_of(w, struct httpd, pause);
    h->paused = false;
    accept_update(h);
}

/* ------------------------------------------------------------------------ */
/* Start and end                                                            */
/* ------------------------------------------------------------------------ */

static int listen_socket(const struct netaddr *addr, char *err, size_t errlen)
{
    int one = 1;
    const char *what = "socket";
    int fd = socket(addr->ss.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd >= 0) {
        what = "SO_REUSEADDR";
        if (setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one) == 0) {
            what = "bind";
            if (bind(fd, (const struct sockaddr *)&addr->ss, addr->len) == 0) {
                what = "listen";
                if (listen(fd, HTTPD_BACKLOG) == 0)
                    return fd;
            }
        }
    }
    int e = errno;
    if (fd >= 0)
        (void)close(fd); /* never listened: nothing to flush */
    snprintf(err, errlen, "%s: %s", what, strerror(e));
    return -1;
}

struct httpd *httpd_start(struct ev_loop *loop, const struct netaddr *addr,
                          httpd_route_fn route, void *ctx, struct log *log, char *err,
                          size_t errlen)
{
    struct httpd *h = calloc(1, sizeof *h);
    if (h == NULL) {
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    h->fd = listen_socket(addr, err, errlen);
    if (h->fd < 0) {
        free(h);
        return NULL;
    }
    h->loop = loop;
    h->route = route;
    h->ctx = ctx;
    h->log = log;
    h->head_s = HTTPD_HEAD_SECONDS;
    h->write_s = HTTPD_WRITE_SECONDS;
    ev_io_init(&h->accept_io, accept_cb, h->fd, EV_READ);
    ev_set_priority(&h->accept_io, EV_MINPRI);
    ev_init(&h->pause, pause_cb);
    accept_update(h);
    return h;
}

void httpd_set_timeouts(struct httpd *h, double head_s, double write_s)
{
    if (head_s > 0)
        h->head_s = head_s;
    if (write_s > 0)
        h->write_s = write_s;
}

void httpd_free(struct httpd *h)
{
    if (h == NULL)
        return;
    for (size_t i = 0; i < HTTPD_MAX_CONNS; i++)
        if (h->conns[i] != NULL)
            conn_close(h->conns[i]);
    ev_io_stop(h->loop, &h->accept_io);
    ev_timer_stop(h->loop, &h->pause);
    (void)close(h->fd); /* a listening socket: nothing to flush */
    util_buf_free(&h->body);
    free(h);
}
