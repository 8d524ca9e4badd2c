/* httpd: the HTTP/1.1 endpoint of --listen (DESIGN.md section 10) on the
 * daemon's libev loop: connections, bounds and deadlines; the requests are
 * httpreq's, the answers the daemon's (a route callback).
 *
 * Bounds (each a #define below):
 * - at most HTTPD_MAX_CONNS connections; with that many open the listening
 *   socket is not watched (new clients wait in the kernel's backlog) until
 *   one closes; when accept fails for want of fds (EMFILE, ENFILE) or
 *   memory, it is not watched for HTTPD_PAUSE_SECONDS;
 * - a request head of at most HTTPREQ_HEAD_MAX bytes, sent within
 *   HTTPD_HEAD_SECONDS of the connection's start (the first request) or of
 *   its first byte (the next ones): a deadline, not an idle timer, so a
 *   client sending a byte a second is cut all the same;
 * - a response taken by the client within HTTPD_WRITE_SECONDS of the
 *   moment the socket was full;
 * - a connection idle between requests for HTTPD_IDLE_SECONDS is closed;
 * - after its last answer a connection shuts its side and reads (and
 *   drops) what the client still sends until the client closes, at most
 *   HTTPD_LINGER_SECONDS (a close with unread bytes would reset it);
 * - per wake-up: at most HTTPD_ACCEPTS connections accepted, and per
 *   connection one read of HTTPD_READ_SIZE bytes and at most
 *   HTTPD_REQUESTS answers.
 * No call blocks (non-blocking sockets, send with MSG_NOSIGNAL) and every
 * watcher has the lowest priority, so serving never delays a job start.
 *
 * A response has Content-Type, Content-Length and Cache-Control: no-store;
 * HEAD gets the head alone; "Connection: close" when the connection closes
 * after it (HTTP/1.0 without keep-alive, the client asked, or a refusal:
 * httpreq's 400, 405 with "Allow: GET, HEAD", 413, 431, 505). A body left
 * empty by the route is the status's reason phrase and a newline.
 */
#ifndef CROND_HTTPD_H
#define CROND_HTTPD_H

#include <stddef.h>

struct ev_loop;
struct log;
struct netaddr;
struct util_buf;

#define HTTPD_MAX_CONNS 32
#define HTTPD_HEAD_SECONDS 5.0
#define HTTPD_WRITE_SECONDS 5.0
#define HTTPD_IDLE_SECONDS 30.0
#define HTTPD_LINGER_SECONDS 2.0
#define HTTPD_PAUSE_SECONDS 0.5
#define HTTPD_BACKLOG 64
#define HTTPD_ACCEPTS 8
#define HTTPD_READ_SIZE 2048
#define HTTPD_REQUESTS 8

#define HTTPD_TEXT "text/plain; charset=utf-8"

/* Answers GET/HEAD path (no query): sets *out_status (404 when left
 * alone), may set *out_content_type (HTTPD_TEXT when left alone) and
 * appends the body to out_body (empty on entry). A body that ran out of
 * memory (out_body->oom) is answered 500. */
typedef void (*httpd_route_fn)(void *ctx, const char *path, int *out_status,
                               const char **out_content_type, struct util_buf *out_body);

struct httpd;

/* Listens on addr (SO_REUSEADDR, close-on-exec, non-blocking) and serves on
 * loop until httpd_free. log gets the warnings (accept failing). Returns
 * the server, or NULL with err ("bind: Address already in use"). */
struct httpd *httpd_start(struct ev_loop *loop, const struct netaddr *addr,
                          httpd_route_fn route, void *ctx, struct log *log, char *err,
                          size_t errlen);

/* Replaces HTTPD_HEAD_SECONDS and HTTPD_WRITE_SECONDS in every deadline
 * set from now on (go-crond's --server.timeout.read/.write); a value
 * of 0 keeps the bound as it is. */
void httpd_set_timeouts(struct httpd *h, double head_s, double write_s);

/* Stops every watcher, closes the listening socket and every connection
 * (an unsent response is dropped) and frees h. NULL is fine. */
void httpd_free(struct httpd *h);

#endif
