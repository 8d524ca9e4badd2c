/* httpreq: the requests of one HTTP/1.x connection, fed as bytes arrive
 * (DESIGN.md section 10: the endpoint of --listen).
 *
 * Pure: no I/O, no clock, no allocation. The caller reads the socket and
 * feeds what it got, split anywhere; each call says whether a request is
 * still incomplete, complete (with how many bytes it used: the rest is the
 * next, pipelined, request), or refused with the status to answer:
 *
 *   400  malformed (the parser's errors: garbage, NUL bytes, bad headers)
 *   405  a method other than GET or HEAD
 *   413  a request with a body (Content-Length > 0, chunked): none is read
 *   431  more than HTTPREQ_HEAD_MAX bytes before the end of the head
 *   505  an HTTP major version other than 1
 *
 * After a refusal the connection cannot be trusted to be in step (a body
 * may follow): answer, then close. The head bound is HTTPREQ_HEAD_MAX bytes
 * fed from the start of a request, blank lines before it included, so it
 * holds however the bytes are split.
 *
 * The parsing is Debian's libhttp-parser (README, "Why libhttp-parser");
 * only this module knows it, so moving to llhttp is a change of this file.
 */
#ifndef CROND_HTTPREQ_H
#define CROND_HTTPREQ_H

#include <http_parser.h>
#include <stdbool.h>
#include <stddef.h>

#define HTTPREQ_HEAD_MAX 8192     /* request line + headers + blank line */
#define HTTPREQ_PATH_MAX 255      /* bytes of the path kept (routes are short) */

enum httpreq_state {
    HTTPREQ_MORE,                 /* every byte used; the request goes on */
    HTTPREQ_DONE,                 /* a complete request: see req */
    HTTPREQ_ERROR,                /* refused: answer status, then close */
};

enum httpreq_method { HTTPREQ_GET, HTTPREQ_HEAD, HTTPREQ_OTHER };

struct httpreq_request {
    enum httpreq_method method;   /* HTTPREQ_OTHER until known */
    char path[HTTPREQ_PATH_MAX + 1]; /* the target without query or fragment,
                                   * "/..." also for an absolute-form target */
    bool path_long;               /* the path was longer: it names no route */
    unsigned major, minor;        /* HTTP version */
    bool keep_alive;              /* the client may send another request */
};

struct httpreq {
    http_parser parser;
    struct httpreq_request req;   /* the request being read, or the last one */
    size_t path_len;              /* bytes in req.path */
    bool path_end;                /* '?' or '#' seen: the rest is not path */
    char method[8];               /* the method's bytes so far */
    size_t method_len;
    bool method_end;              /* the blank after it seen: req.method set */
    size_t head;                  /* bytes fed for this request so far */
    bool done;                    /* on_message_complete seen */
    int status;                   /* HTTPREQ_ERROR: the status to answer */
};

/* Ready for a request: the first of a connection, or the next after a
 * HTTPREQ_DONE (pipelining). */
void httpreq_init(struct httpreq *r);

/* Feeds len bytes (data may be NULL when len is 0). *out_used: how many of
 * them belong to this request (all of them for HTTPREQ_MORE; for
 * HTTPREQ_DONE, data + *out_used starts the next request). After
 * HTTPREQ_DONE or HTTPREQ_ERROR, feeding again gives the same answer and
 * uses nothing until httpreq_init. */
enum httpreq_state httpreq_feed(struct httpreq *r, const char *data, size_t len,
                                size_t *out_used);

/* The reason phrase of a status ("Not Found"), "Unknown" when none. */
const char *httpreq_reason(int status);

#endif
