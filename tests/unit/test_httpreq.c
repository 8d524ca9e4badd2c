/* Unit tests for httpreq: requests fed whole, at every split point and byte
 * by byte give the same answer; pipelined requests come out one by one; the
 * head bound holds at 8 KiB exactly; malformed input is refused with the
 * status to answer. */
#include "testutil.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "crond/httpreq.h"

/* ------------------------------------------------------------------------ */
/* Feeding in pieces                                                        */
/* ------------------------------------------------------------------------ */

/* Feeds s[0..len) in pieces: first `first` bytes, then `step` bytes at a
 * time, until the answer is not HTTPREQ_MORE or the bytes run out.
 * *out_used: the bytes of s the request used. */
static enum httpreq_state feed_pieces(struct httpreq *r, const char *s, size_t len,
                                      size_t first, size_t step, size_t *out_used)
{
    enum httpreq_state st = HTTPREQ_MORE;
    size_t pos = 0;
    for (size_t k = 0; pos < len; k++) {
        size_t n = k == 0 ? first : step;
        if (n > len - pos)
            n = len - pos;
        size_t used = 99999;
        st = httpreq_feed(r, s + pos, n, &used);
        assert_true(used <= n);
        if (st == HTTPREQ_MORE)
            assert_int_equal(used, n); /* MORE uses everything */
        pos += used;
        if (st != HTTPREQ_MORE)
            break;
    }
    *out_used = pos;
    return st;
}

struct expect {
    enum httpreq_state state;
    int status;                 /* HTTPREQ_ERROR */
    enum httpreq_method method;
    const char *path;           /* HTTPREQ_DONE: NULL when path_long */
    unsigned major, minor;
    bool keep_alive;
};

static void check_result(const char *name, const struct httpreq *r, enum httpreq_state st,
                         const struct expect *e, const char *how)
{
    if (st != e->state)
        fail_msg("%s (%s): state %d, wanted %d (status %d)", name, how, st, e->state,
                 r->status);
    if (st == HTTPREQ_ERROR && r->status != e->status)
        fail_msg("%s (%s): status %d, wanted %d", name, how, r->status, e->status);
    if (st == HTTPREQ_MORE)
        return;
    if (r->req.method != e->method)
        fail_msg("%s (%s): method %d, wanted %d", name, how, r->req.method, e->method);
    if (st != HTTPREQ_DONE)
        return;
    if (e->path == NULL ? !r->req.path_long : strcmp(r->req.path, e->path) != 0)
        fail_msg("%s (%s): path '%s'%s, wanted '%s'", name, how, r->req.path,
                 r->req.path_long ? " (long)" : "", e->path ? e->path : "(long)");
    if (r->req.major != e->major || r->req.minor != e->minor)
        fail_msg("%s (%s): HTTP/%u.%u, wanted %u.%u", name, how, r->req.major, r->req.minor,
                 e->major, e->minor);
    if (r->req.keep_alive != e->keep_alive)
        fail_msg("%s (%s): keep_alive %d", name, how, r->req.keep_alive);
}

/* One request fed whole, in two pieces split at every point, byte by byte
 * and 7 bytes at a time: the same answer, and (for HTTPREQ_DONE) the same
 * number of bytes used, every time. */
static void check_all_splits(const char *name, const char *s, size_t len,
                             const struct expect *e, size_t want_used)
{
    struct httpreq r;
    size_t used;
    char how[64];
    httpreq_init(&r);
    enum httpreq_state st = feed_pieces(&r, s, len, len, len, &used);
    check_result(name, &r, st, e, "whole");
    if (st == HTTPREQ_DONE && used != want_used)
        fail_msg("%s: used %zu bytes, wanted %zu", name, used, want_used);
    for (size_t cut = 0; cut <= len; cut++) {
        httpreq_init(&r);
        snprintf(how, sizeof how, "split at %zu", cut);
        st = feed_pieces(&r, s, len, cut, len, &used);
        check_result(name, &r, st, e, how);
        if (st == HTTPREQ_DONE && used != want_used)
            fail_msg("%s (%s): used %zu bytes", name, how, used);
    }
    for (size_t step = 1; step <= 7; step += 6) {
        httpreq_init(&r);
        snprintf(how, sizeof how, "%zu bytes at a time", step);
        st = feed_pieces(&r, s, len, step, step, &used);
        check_result(name, &r, st, e, how);
        if (st == HTTPREQ_DONE && used != want_used)
            fail_msg("%s (%s): used %zu bytes", name, how, used);
    }
}

#define S(lit) lit, sizeof(lit) - 1
#define DONE(m, p, maj, min, ka) {HTTPREQ_DONE, 0, m, p, maj, min, ka}
#define REFUSED(status, m) {HTTPREQ_ERROR, status, m, NULL, 0, 0, false}
#define MORE {HTTPREQ_MORE, 0, HTTPREQ_OTHER, NULL, 0, 0, false}

struct req_case {
    const char *name;
    const char *text;
    size_t len;
    struct expect e;
};

/* ------------------------------------------------------------------------ */
/* Requests                                                                 */
/* ------------------------------------------------------------------------ */

static const struct req_case accepted[] = {
    {"GET 1.1", S("GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n"),
     DONE(HTTPREQ_GET, "/healthz", 1, 1, true)},
    {"HEAD", S("HEAD /metrics HTTP/1.1\r\nHost: x\r\n\r\n"),
     DONE(HTTPREQ_HEAD, "/metrics", 1, 1, true)},
    {"HTTP/1.0 closes", S("GET /readyz HTTP/1.0\r\n\r\n"),
     DONE(HTTPREQ_GET, "/readyz", 1, 0, false)},
    {"HTTP/1.0 keep-alive", S("GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n"),
     DONE(HTTPREQ_GET, "/", 1, 0, true)},
    {"HTTP/1.1 close", S("GET / HTTP/1.1\r\nConnection: close\r\n\r\n"),
     DONE(HTTPREQ_GET, "/", 1, 1, false)},
    {"query and fragment dropped", S("GET /metrics?name[]=x&y=%20#top HTTP/1.1\r\n\r\n"),
     DONE(HTTPREQ_GET, "/metrics", 1, 1, true)},
    {"absolute-form", S("GET http://example.com:9746/healthz?x HTTP/1.1\r\n\r\n"),
     DONE(HTTPREQ_GET, "/healthz", 1, 1, true)},
    {"absolute-form without path", S("GET HTTP://example.com HTTP/1.1\r\n\r\n"),
     DONE(HTTPREQ_GET, "/", 1, 1, true)},
    {"blank lines before", S("\r\n\r\nGET /x HTTP/1.1\r\n\r\n"),
     DONE(HTTPREQ_GET, "/x", 1, 1, true)},
    {"bare LF line ends", S("GET /lf HTTP/1.1\nHost: x\n\n"),
     DONE(HTTPREQ_GET, "/lf", 1, 1, true)},
    {"Content-Length 0", S("GET / HTTP/1.1\r\nContent-Length: 0\r\n\r\n"),
     DONE(HTTPREQ_GET, "/", 1, 1, true)},
    {"upgrade is answered, then closed",
     S("GET / HTTP/1.1\r\nConnection: Upgrade\r\nUpgrade: h2c\r\n\r\n"),
     DONE(HTTPREQ_GET, "/", 1, 1, false)},
    {"a Prometheus scrape",
     S("GET /metrics HTTP/1.1\r\nHost: 127.0.0.1:9746\r\nUser-Agent: Prometheus/2.42.0+ds\r\n"
       "Accept: application/openmetrics-text;version=1.0.0,text/plain;version=0.0.4;q=0.5,"
       "*/*;q=0.1\r\nAccept-Encoding: gzip\r\nX-Prometheus-Scrape-Timeout-Seconds: 10\r\n\r\n"),
     DONE(HTTPREQ_GET, "/metrics", 1, 1, true)},
};

static void test_accepted(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof accepted / sizeof accepted[0]; i++)
        check_all_splits(accepted[i].name, accepted[i].text, accepted[i].len, &accepted[i].e,
                         accepted[i].len);
}

static const struct req_case refused[] = {
    {"POST with a body", S("POST /metrics HTTP/1.1\r\nContent-Length: 3\r\n\r\nabc"),
     REFUSED(405, HTTPREQ_OTHER)},
    {"DELETE", S("DELETE / HTTP/1.1\r\n\r\n"), REFUSED(405, HTTPREQ_OTHER)},
    {"OPTIONS *", S("OPTIONS * HTTP/1.1\r\n\r\n"), REFUSED(405, HTTPREQ_OTHER)},
    {"GET with a body", S("GET / HTTP/1.1\r\nContent-Length: 5\r\n\r\nhello"),
     REFUSED(413, HTTPREQ_GET)},
    {"HEAD with a body", S("HEAD / HTTP/1.1\r\nContent-Length: 2\r\n\r\nab"),
     REFUSED(413, HTTPREQ_HEAD)},
    {"chunked", S("GET / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n"),
     REFUSED(413, HTTPREQ_GET)},
    {"Content-Length and chunked",
     S("GET / HTTP/1.1\r\nContent-Length: 1\r\nTransfer-Encoding: chunked\r\n\r\n"),
     REFUSED(400, HTTPREQ_GET)},
    {"HTTP/2.0 in text", S("GET / HTTP/2.0\r\n\r\n"), REFUSED(505, HTTPREQ_GET)},
    {"garbage", S("garbage\r\n\r\n"), REFUSED(400, HTTPREQ_OTHER)},
    {"binary", S("\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03"), REFUSED(400, HTTPREQ_OTHER)},
    {"NUL in the path", S("GET /a\0b HTTP/1.1\r\n\r\n"), REFUSED(400, HTTPREQ_GET)},
    {"NUL in a header", S("GET / HTTP/1.1\r\nHost: a\0b\r\n\r\n"), REFUSED(400, HTTPREQ_GET)},
    {"NUL first", S("\0GET / HTTP/1.1\r\n\r\n"), REFUSED(400, HTTPREQ_OTHER)},
    {"header without colon", S("GET / HTTP/1.1\r\nBad Header\r\n\r\n"),
     REFUSED(400, HTTPREQ_GET)},
    {"HTTP/0.9 (no version)", S("GET /\r\n\r\n"), REFUSED(505, HTTPREQ_GET)},
    {"lower-case method", S("get / HTTP/1.1\r\n\r\n"), REFUSED(400, HTTPREQ_OTHER)},
};

static void test_refused(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof refused / sizeof refused[0]; i++)
        check_all_splits(refused[i].name, refused[i].text, refused[i].len, &refused[i].e, 0);
}

static const struct req_case incomplete[] = {
    {"nothing yet", S(""), MORE},
    {"request line only", S("GET /healthz HTTP/1.1\r\n"), MORE},
    {"no blank line", S("GET / HTTP/1.1\r\nHost: x\r\n"), MORE},
    {"half a header", S("GET / HTTP/1.1\r\nHo"), MORE},
    {"blank lines only", S("\r\n\r\n\r\n"), MORE},
};

static void test_incomplete(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof incomplete / sizeof incomplete[0]; i++)
        check_all_splits(incomplete[i].name, incomplete[i].text, incomplete[i].len,
                         &incomplete[i].e, 0);
}

/* A path longer than the buffer names no route, but the request is fine. */
static void test_long_path(void **state)
{
    (void)state;
    char text[1024];
    char path[600];
    memset(path, 'a', sizeof path - 1);
    path[0] = '/';
    path[sizeof path - 1] = '\0';
    int n = snprintf(text, sizeof text, "GET %s HTTP/1.1\r\n\r\n", path);
    struct expect e = DONE(HTTPREQ_GET, NULL, 1, 1, true);
    check_all_splits("long path", text, (size_t)n, &e, (size_t)n);
    /* exactly HTTPREQ_PATH_MAX bytes still fit */
    path[HTTPREQ_PATH_MAX] = '\0';
    n = snprintf(text, sizeof text, "GET %s?q HTTP/1.1\r\n\r\n", path);
    struct expect fits = DONE(HTTPREQ_GET, path, 1, 1, true);
    check_all_splits("path of HTTPREQ_PATH_MAX", text, (size_t)n, &fits, (size_t)n);
}

/* ------------------------------------------------------------------------ */
/* Pipelining                                                               */
/* ------------------------------------------------------------------------ */

/* Three requests in one stream, fed in pieces of every size from 1 to the
 * whole: each comes out on its own, with the bytes it used, and the rest
 * starts the next. */
static void test_pipelined(void **state)
{
    (void)state;
    static const char stream[] = "GET /a HTTP/1.1\r\nHost: x\r\n\r\n"
                                 "HEAD /b HTTP/1.1\r\n\r\n"
                                 "GET /c HTTP/1.0\r\n\r\n";
    static const struct expect want[] = {
        DONE(HTTPREQ_GET, "/a", 1, 1, true),
        DONE(HTTPREQ_HEAD, "/b", 1, 1, true),
        DONE(HTTPREQ_GET, "/c", 1, 0, false),
    };
    static const size_t lens[] = {28, 20, 19};
    size_t len = sizeof stream - 1;
    assert_int_equal(lens[0] + lens[1] + lens[2], len);
    for (size_t step = 1; step <= len; step++) {
        struct httpreq r;
        size_t pos = 0;
        char how[32];
        snprintf(how, sizeof how, "pieces of %zu", step);
        for (size_t k = 0; k < 3; k++) {
            size_t used;
            httpreq_init(&r);
            enum httpreq_state st = feed_pieces(&r, stream + pos, len - pos, step, step, &used);
            check_result("pipelined", &r, st, &want[k], how);
            if (used != lens[k])
                fail_msg("pipelined (%s): request %zu used %zu bytes", how, k, used);
            pos += used;
        }
        assert_int_equal(pos, len);
    }
}

/* After DONE or ERROR the answer stays until httpreq_init, using nothing. */
static void test_answer_sticks(void **state)
{
    (void)state;
    struct httpreq r;
    size_t used;
    httpreq_init(&r);
    assert_int_equal(httpreq_feed(&r, S("GET / HTTP/1.1\r\n\r\nGET /x"), &used), HTTPREQ_DONE);
    assert_int_equal(used, 18);
    assert_int_equal(httpreq_feed(&r, S("GET /y HTTP/1.1\r\n\r\n"), &used), HTTPREQ_DONE);
    assert_int_equal(used, 0);
    assert_string_equal(r.req.path, "/");
    httpreq_init(&r);
    assert_int_equal(httpreq_feed(&r, S("BAD\r\n"), &used), HTTPREQ_ERROR);
    assert_int_equal(httpreq_feed(&r, S("GET / HTTP/1.1\r\n\r\n"), &used), HTTPREQ_ERROR);
    assert_int_equal(used, 0);
    assert_int_equal(r.status, 400);
    httpreq_init(&r);
    assert_int_equal(httpreq_feed(&r, NULL, 0, &used), HTTPREQ_MORE);
    assert_int_equal(used, 0);
}

/* ------------------------------------------------------------------------ */
/* The head bound                                                           */
/* ------------------------------------------------------------------------ */

/* A request whose head is exactly `size` bytes: one header padded to fit. */
static char *head_of(size_t size)
{
    static const char pre[] = "GET /healthz HTTP/1.1\r\nX-Pad: ";
    static const char post[] = "\r\n\r\n";
    size_t fixed = sizeof pre - 1 + sizeof post - 1;
    assert_true(size > fixed);
    char *s = malloc(size + 1);
    assert_non_null(s);
    memcpy(s, pre, sizeof pre - 1);
    memset(s + sizeof pre - 1, 'p', size - fixed);
    memcpy(s + size - (sizeof post - 1), post, sizeof post);
    return s;
}

static void test_head_bound(void **state)
{
    (void)state;
    char *fits = head_of(HTTPREQ_HEAD_MAX);
    struct expect ok = DONE(HTTPREQ_GET, "/healthz", 1, 1, true);
    check_all_splits("head of 8 KiB", fits, HTTPREQ_HEAD_MAX, &ok, HTTPREQ_HEAD_MAX);
    char *over = head_of(HTTPREQ_HEAD_MAX + 1);
    struct expect big = REFUSED(431, HTTPREQ_GET);
    check_all_splits("head of 8 KiB + 1", over, HTTPREQ_HEAD_MAX + 1, &big, 0);
    free(fits);
    free(over);
}

/* What is never a complete head is cut at the bound, without reading on:
 * a header that never ends, and blank lines without end. */
static void test_head_never_ends(void **state)
{
    (void)state;
    size_t len = 3 * HTTPREQ_HEAD_MAX;
    char *s = malloc(len);
    assert_non_null(s);
    static const char pre[] = "GET / HTTP/1.1\r\nX: ";
    memcpy(s, pre, sizeof pre - 1);
    memset(s + sizeof pre - 1, 'x', len - (sizeof pre - 1));
    for (size_t step = 1; step <= len; step *= 3) {
        struct httpreq r;
        size_t used;
        httpreq_init(&r);
        assert_int_equal(feed_pieces(&r, s, len, step, step, &used), HTTPREQ_ERROR);
        assert_int_equal(r.status, 431);
        assert_int_equal(used, HTTPREQ_HEAD_MAX);
    }
    for (size_t i = 0; i < len; i++)
        s[i] = i % 2 ? '\n' : '\r';
    struct httpreq r;
    size_t used;
    httpreq_init(&r);
    assert_int_equal(feed_pieces(&r, s, len, 100, 100, &used), HTTPREQ_ERROR);
    assert_int_equal(r.status, 431);
    free(s);
}

/* The bound is per request: many small pipelined requests together are
 * longer than 8 KiB and all fine. */
static void test_head_bound_per_request(void **state)
{
    (void)state;
    static const char one[] = "GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n";
    size_t n1 = sizeof one - 1, count = 2 * HTTPREQ_HEAD_MAX / n1 + 1, len = n1 * count;
    char *s = malloc(len);
    assert_non_null(s);
    for (size_t i = 0; i < count; i++)
        memcpy(s + i * n1, one, n1);
    size_t pos = 0, done = 0;
    while (pos < len) {
        struct httpreq r;
        size_t used;
        httpreq_init(&r);
        assert_int_equal(feed_pieces(&r, s + pos, len - pos, 1000, 1000, &used), HTTPREQ_DONE);
        assert_int_equal(used, n1);
        pos += used;
        done++;
    }
    assert_int_equal(done, count);
    free(s);
}

static void test_reason(void **state)
{
    (void)state;
    assert_string_equal(httpreq_reason(200), "OK");
    assert_string_equal(httpreq_reason(404), "Not Found");
    assert_string_equal(httpreq_reason(431), "Request Header Fields Too Large");
    assert_string_equal(httpreq_reason(503), "Service Unavailable");
    assert_string_equal(httpreq_reason(999), "Unknown");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_accepted),
        cmocka_unit_test(test_refused),
        cmocka_unit_test(test_incomplete),
        cmocka_unit_test(test_long_path),
        cmocka_unit_test(test_pipelined),
        cmocka_unit_test(test_answer_sticks),
        cmocka_unit_test(test_head_bound),
        cmocka_unit_test(test_head_never_ends),
        cmocka_unit_test(test_head_bound_per_request),
        cmocka_unit_test(test_reason),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
