/* httpreq: HTTP/1.x requests from bytes (see httpreq.h).
 *
 * libhttp-parser does the grammar; this file keeps what the server needs of
 * a request in fixed fields and enforces the bounds:
 * - the head bound is ours: at most HTTPREQ_HEAD_MAX - head bytes are passed
 *   to the parser, so a head that is not complete by then is refused
 *   whatever the split. The library's own limit
 *   (http_parser_set_max_header_size) is left alone: it is one setting for
 *   the whole process and, at its default of 80 KiB, never reached here;
 * - the path is copied into req.path as the parser hands it over, in as many
 *   pieces as the reads split it, and cut at HTTPREQ_PATH_MAX;
 * - a request is refused in on_headers_complete by returning -1: in that
 *   callback alone 1 and 2 do not mean failure but "no body" and "upgrade";
 * - on_message_complete pauses the parser, so one feed never runs into a
 *   pipelined request: the caller answers this one first.
 */
#include "crond/httpreq.h"

#include <stdint.h>
#include <string.h>
#include <strings.h>

static struct httpreq *req_of(http_parser *p)
{
    return p->data;
}

static enum httpreq_method method_of(unsigned m)
{
    return m == HTTP_GET ? HTTPREQ_GET : m == HTTP_HEAD ? HTTPREQ_HEAD : HTTPREQ_OTHER;
}

/* The method, from the bytes the parser took, up to the first blank: known
 * as soon as it is complete however the bytes were split, also when the
 * request fails later (a HEAD's refusal has no body either). */
static void method_scan(struct httpreq *r, const char *data, size_t n)
{
    for (size_t i = 0; i < n && !r->method_end; i++) {
        if (r->method_len == 0 && (data[i] == '\r' || data[i] == '\n'))
            continue; /* blank lines before a request */
        if (data[i] == ' ' || r->method_len == sizeof r->method) {
            r->method_end = true;
            r->req.method = r->method_len == 3 && memcmp(r->method, "GET", 3) == 0    ? HTTPREQ_GET
                            : r->method_len == 4 && memcmp(r->method, "HEAD", 4) == 0 ? HTTPREQ_HEAD
                                                                                       : HTTPREQ_OTHER;
        } else {
            r->method[r->method_len++] = data[i];
        }
    }
}

/* Called once or more per target, as the reads split it. */
static int on_url(http_parser *p, const char *at, size_t len)
{
    struct httpreq *r = req_of(p);
    for (size_t i = 0; i < len && !r->path_end; i++) {
        if (at[i] == '?' || at[i] == '#') {
            r->path_end = true;
        } else if (r->path_len == HTTPREQ_PATH_MAX) {
            r->req.path_long = true;
            r->path_end = true;
        } else {
            r->req.path[r->path_len++] = at[i];
        }
    }
    r->req.path[r->path_len] = '\0';
    return 0;
}

/* A request carries a body when it says so; the endpoint reads none. */
static bool has_body(const http_parser *p)
{
    return (p->flags & F_CHUNKED) != 0
           || (p->content_length > 0 && p->content_length != UINT64_MAX);
}

static int on_headers_complete(http_parser *p)
{
    struct httpreq *r = req_of(p);
    r->req.method = method_of(p->method);
    r->req.major = p->http_major;
    r->req.minor = p->http_minor;
    if (p->http_major != 1)
        r->status = HTTP_STATUS_HTTP_VERSION_NOT_SUPPORTED;
    else if (r->req.method == HTTPREQ_OTHER)
        r->status = HTTP_STATUS_METHOD_NOT_ALLOWED;
    else if (has_body(p))
        r->status = HTTP_STATUS_PAYLOAD_TOO_LARGE;
    return r->status != 0 ? -1 : 0; /* never 1 or 2: see the top */
}

static int on_message_complete(http_parser *p)
{
    struct httpreq *r = req_of(p);
    r->done = true;
    /* an upgrade (h2c, websocket) is not taken: answer, then close */
    r->req.keep_alive = http_should_keep_alive(p) != 0 && !(p->flags & F_UPGRADE);
    http_parser_pause(p, 1);
    return 0;
}

static const http_parser_settings settings = {
    .on_url = on_url,
    .on_headers_complete = on_headers_complete,
    .on_message_complete = on_message_complete,
};

/* "http://host:port/path" (absolute-form, RFC 9112 3.2.2) to "/path". */
static void path_strip_authority(struct httpreq_request *q)
{
    size_t skip = strncasecmp(q->path, "http://", 7) == 0    ? 7
                  : strncasecmp(q->path, "https://", 8) == 0 ? 8
                                                              : 0;
    if (skip == 0)
        return;
    const char *slash = strchr(q->path + skip, '/');
    if (slash == NULL)
        strcpy(q->path, "/");
    else
        memmove(q->path, slash, strlen(slash) + 1);
}

void httpreq_init(struct httpreq *r)
{
    memset(r, 0, sizeof *r);
    http_parser_init(&r->parser, HTTP_REQUEST);
    r->parser.data = r;
    r->req.method = HTTPREQ_OTHER;
}

enum httpreq_state httpreq_feed(struct httpreq *r, const char *data, size_t len,
                                size_t *out_used)
{
    *out_used = 0;
    if (r->done)
        return HTTPREQ_DONE;
    if (r->status != 0)
        return HTTPREQ_ERROR;
    size_t room = HTTPREQ_HEAD_MAX - r->head;
    size_t n = len < room ? len : room;
    /* a length of 0 would tell the parser the stream ended */
    size_t used = n > 0 ? http_parser_execute(&r->parser, &settings, data, n) : 0;
    r->head += used;
    *out_used = used;
    method_scan(r, data, used);
    if (r->done) {
        path_strip_authority(&r->req);
        return HTTPREQ_DONE;
    }
    if (r->status == 0 && (HTTP_PARSER_ERRNO(&r->parser) != HPE_OK || used < n))
        r->status = HTTP_PARSER_ERRNO(&r->parser) == HPE_HEADER_OVERFLOW
                        ? HTTP_STATUS_REQUEST_HEADER_FIELDS_TOO_LARGE
                        : HTTP_STATUS_BAD_REQUEST;
    else if (r->status == 0 && r->head == HTTPREQ_HEAD_MAX)
        r->status = HTTP_STATUS_REQUEST_HEADER_FIELDS_TOO_LARGE;
    return r->status != 0 ? HTTPREQ_ERROR : HTTPREQ_MORE;
}

const char *httpreq_reason(int status)
{
    const char *s = http_status_str((enum http_status)status);
    return s[0] == '<' ? "Unknown" : s; /* the library says "<unknown>" */
}
