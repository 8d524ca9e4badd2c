/* fuzz_httpreq: the requests of one connection (httpreq_feed), as the server
 * feeds them: read after read, request after request (pipelining), until a
 * refusal or the end of the bytes. See README.md.
 *
 * Input: bytes 0-1 seed a small PRNG that picks the read sizes (0, 1 to 16,
 * up to 300, up to 9000 bytes); the rest is what the client sent. An input
 * of fewer than two bytes is all stream, read with seed 0.
 *
 * Properties:
 * - every feed uses at most what it was given, all of it while the answer
 *   is HTTPREQ_MORE; nothing is used after HTTPREQ_DONE or HTTPREQ_ERROR
 *   until httpreq_init;
 * - a request uses at most HTTPREQ_HEAD_MAX bytes; a complete one ends with
 *   its blank line: '\n', or CR and one more byte (the library's leniency);
 *   a 431 has used exactly HTTPREQ_HEAD_MAX;
 * - a refusal is one of 400, 405, 413, 431, 505; a 405 is a method other
 *   than GET and HEAD; a 413 names Content-Length or Transfer-Encoding;
 * - a complete request is GET or HEAD, exactly when its bytes (after blank
 *   lines) start with "GET " or "HEAD "; HTTP/1.x; its path fits the buffer
 *   (or is flagged long), holds no '?' or '#', and is part of the bytes;
 *   an HTTP/1.0 request kept alive said "keep-alive";
 * - the answers do not depend on the read sizes: the stream fed in one
 *   read per request gives the same requests, refusal and bytes used.
 *
 * libhttp-parser is Debian's prebuilt archive, without coverage
 * instrumentation: the fuzzer sees our side of it (callbacks, bounds,
 * splitting), not the parser's branches.
 */
#include <stdbool.h>
#include <strings.h>

#include "crond/httpreq.h"
#include "fuzz.h"

#define MAX_ANSWERS 4096

struct answer {
    enum httpreq_state state;   /* HTTPREQ_DONE or HTTPREQ_ERROR */
    size_t used;                /* bytes of the request */
    int status;
    struct httpreq_request req;
};

struct run {
    struct answer a[MAX_ANSWERS];
    size_t n;
    size_t end;                 /* bytes used by the answers */
};

/* xorshift32: small, and its sequence is fixed by the seed. */
static uint32_t rnd(uint32_t *x)
{
    *x ^= *x << 13;
    *x ^= *x >> 17;
    *x ^= *x << 5;
    return *x;
}

static size_t read_size(uint32_t *x)
{
    uint32_t r = rnd(x);
    switch (r % 8) {
    case 0:
        return 0;
    case 1: case 2: case 3: case 4:
        return 1 + (r >> 3) % 16;
    case 5: case 6:
        return 1 + (r >> 3) % 300;
    default:
        return 1 + (r >> 3) % 9000;
    }
}

static bool has_ci(const char *s, size_t len, const char *word)
{
    size_t w = strlen(word);
    for (size_t i = 0; i + w <= len; i++)
        if (strncasecmp(s + i, word, w) == 0)
            return true;
    return false;
}

static bool has(const char *s, size_t len, const char *part, size_t plen)
{
    return plen == 0 || memmem(s, len, part, plen) != NULL;
}

/* The request's bytes after the blank lines before it. */
static const char *skip_blank_lines(const char *s, size_t *len)
{
    while (*len > 0 && (*s == '\r' || *s == '\n')) {
        s++;
        (*len)--;
    }
    return s;
}

static void check_answer(const char *req, const struct answer *a)
{
    size_t len = a->used;
    CHECKF(len <= HTTPREQ_HEAD_MAX, "a request of %zu bytes", len);
    const char *s = skip_blank_lines(req, &len);
    if (a->state == HTTPREQ_ERROR) {
        int st = a->status;
        CHECKF(st == 400 || st == 405 || st == 413 || st == 431 || st == 505, "status %d", st);
        CHECK(st != 405 || a->req.method == HTTPREQ_OTHER);
        CHECK(st != 413 || has_ci(req, a->used, "content-length")
              || has_ci(req, a->used, "transfer-encoding"));
        CHECKF(st != 431 || a->used == HTTPREQ_HEAD_MAX, "431 after %zu bytes", a->used);
        return;
    }
    /* Debian builds the library without HTTP_PARSER_STRICT: after the
     * blank line's CR any byte is taken for its LF */
    CHECK(a->used >= 2 && (req[a->used - 1] == '\n' || req[a->used - 2] == '\r'));
    const struct httpreq_request *q = &a->req;
    CHECK(q->method == HTTPREQ_GET || q->method == HTTPREQ_HEAD);
    CHECK((q->method == HTTPREQ_GET) == (len >= 4 && memcmp(s, "GET ", 4) == 0));
    CHECK((q->method == HTTPREQ_HEAD) == (len >= 5 && memcmp(s, "HEAD ", 5) == 0));
    CHECKF(q->major == 1, "HTTP/%u.%u", q->major, q->minor);
    size_t plen = strnlen(q->path, sizeof q->path);
    CHECK(plen <= HTTPREQ_PATH_MAX);
    CHECK(strpbrk(q->path, "?#") == NULL);
    CHECK(q->path_long || has(req, a->used, q->path, plen));
    CHECK(!(q->keep_alive && q->minor == 0) || has_ci(req, a->used, "keep-alive"));
}

/* Feeds the stream request after request; reads of the sizes the PRNG
 * picks, or (seed 0 and whole) everything left at once. */
static void run(const char *stream, size_t len, uint32_t seed, bool whole, struct run *out)
{
    static struct httpreq r;    /* not on the stack: a fuzzer's frames are deep */
    uint32_t x = seed ? seed : 0x9e3779b9u;
    size_t pos = 0;
    out->n = 0;
    httpreq_init(&r);
    size_t start = 0;           /* where the current request began */
    while (pos < len && out->n < MAX_ANSWERS) {
        size_t n = whole ? len - pos : read_size(&x);
        if (n > len - pos)
            n = len - pos;
        size_t used = 12345;
        enum httpreq_state st = httpreq_feed(&r, n ? stream + pos : NULL, n, &used);
        CHECKF(used <= n, "used %zu of %zu", used, n);
        pos += used;
        if (st == HTTPREQ_MORE) {
            CHECKF(used == n, "MORE after using %zu of %zu", used, n);
            continue;
        }
        size_t again = 1;
        CHECK(httpreq_feed(&r, stream + pos, len - pos, &again) == st && again == 0);
        struct answer *a = &out->a[out->n++];
        *a = (struct answer){st, pos - start, r.status, r.req};
        check_answer(stream + start, a);
        if (st == HTTPREQ_ERROR)
            break;
        httpreq_init(&r);
        start = pos;
    }
    out->end = start + (out->n > 0 && out->a[out->n - 1].state == HTTPREQ_ERROR
                            ? out->a[out->n - 1].used : 0);
}

static void check_same(const struct run *a, const struct run *b)
{
    CHECKF(a->n == b->n, "%zu answers in reads, %zu in one", a->n, b->n);
    CHECK(a->end == b->end);
    for (size_t i = 0; i < a->n; i++) {
        const struct answer *x = &a->a[i], *y = &b->a[i];
        CHECKF(x->state == y->state && x->used == y->used && x->status == y->status,
               "answer %zu: state %d/%d, used %zu/%zu, status %d/%d", i, x->state, y->state,
               x->used, y->used, x->status, y->status);
        CHECK(x->req.method == y->req.method);
        if (x->state == HTTPREQ_ERROR)
            continue;
        CHECK(strcmp(x->req.path, y->req.path) == 0 && x->req.path_long == y->req.path_long);
        CHECK(x->req.major == y->req.major && x->req.minor == y->req.minor);
        CHECK(x->req.keep_alive == y->req.keep_alive);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    uint32_t seed = 0;
    if (size >= 2) {
        seed = (uint32_t)data[0] | (uint32_t)data[1] << 8;
        data += 2;
        size -= 2;
    }
    /* an exact-size heap copy: a read past the end is an ASan report */
    char *stream = malloc(size ? size : 1);
    CHECK(stream != NULL);
    if (size > 0)
        memcpy(stream, data, size);
    static struct run reads, one;
    run(stream, size, seed, false, &reads);
    run(stream, size, seed, true, &one);
    check_same(&reads, &one);
    free(stream);
    return 0;
}
