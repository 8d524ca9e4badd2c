/* relay: bytes from a job's pipe to lines (see relay.h).
 *
 * Lines that arrive whole inside one chunk are emitted straight from the
 * caller's bytes; only the unfinished end of a chunk is copied into
 * b->data. Newlines are found with memchr, never byte by byte.
 *
 * A full piece (RELAY_MAX_LINE bytes without a newline) is emitted only once
 * the byte after it is known: if that byte is '\n' the piece carries the
 * newline flag and the '\n' is used up, so a line of exactly RELAY_MAX_LINE
 * bytes is one piece and joining the pieces still gives the input back.
 * When a full piece ends exactly at the end of a chunk it waits in b->data
 * (len == RELAY_MAX_LINE) for the next feed or for relay_flush.
 */
#include "crond/relay.h"

#include <stdlib.h>
#include <string.h>

static void relay_emit(struct relay_buf *b, relay_emit_fn emit, void *ctx, const char *line,
                       size_t len, bool newline)
{
    b->after_split = !newline && len == RELAY_MAX_LINE;
    emit(ctx, line, len, newline);
}

void relay_init(struct relay_buf *b)
{
    *b = (struct relay_buf){0};
}

void relay_free(struct relay_buf *b)
{
    free(b->data);
    *b = (struct relay_buf){0};
}

/* Room for need bytes in b->data (need <= RELAY_MAX_LINE): doubling from
 * 256, or the whole piece. Returns false when out of memory. */
static bool relay_room(struct relay_buf *b, size_t need)
{
    if (need <= b->cap)
        return true;
    size_t cap = b->cap > 0 ? b->cap : 256;
    while (cap < need)
        cap *= 2;
    cap = cap < RELAY_MAX_LINE ? cap : RELAY_MAX_LINE;
    char *d = realloc(b->data, cap);
    if (d == NULL)
        return false;
    b->data = d;
    b->cap = cap;
    return true;
}

/* The unfinished line is done: its room goes back. */
static void relay_release(struct relay_buf *b)
{
    free(b->data);
    b->data = NULL;
    b->cap = 0;
}

/* b->data holds a full piece and p is the byte after it. Returns where the
 * rest of the input starts. */
static const char *relay_settle(struct relay_buf *b, const char *p, relay_emit_fn emit, void *ctx)
{
    bool newline = *p == '\n';
    b->len = 0;
    relay_emit(b, emit, ctx, b->data, RELAY_MAX_LINE, newline);
    relay_release(b);
    return newline ? p + 1 : p;
}

/* Adds to the unfinished line in b->data up to a newline or a full piece. */
static const char *relay_fill(struct relay_buf *b, const char *p, const char *end,
                              relay_emit_fn emit, void *ctx)
{
    size_t room = RELAY_MAX_LINE - b->len, avail = (size_t)(end - p);
    size_t take = avail < room ? avail : room;
    const char *nl = memchr(p, '\n', take);
    size_t n = nl != NULL ? (size_t)(nl - p) : take;
    if (!relay_room(b, b->len + n)) {
        /* no room to join: what is pending goes out as a piece of its own */
        size_t pending = b->len;
        b->len = 0;
        relay_emit(b, emit, ctx, b->data, pending, false);
        return p;
    }
    memcpy(b->data + b->len, p, n);
    if (nl == NULL) {
        b->len += take;
        return p + take;
    }
    n += b->len;
    b->len = 0;
    relay_emit(b, emit, ctx, b->data, n, true);
    relay_release(b);
    return nl + 1;
}

/* Nothing pending: emits the next line or full piece straight from the
 * input, or keeps the unfinished rest. */
static const char *relay_direct(struct relay_buf *b, const char *p, const char *end,
                                relay_emit_fn emit, void *ctx)
{
    size_t avail = (size_t)(end - p);
    if (avail == 0)
        return end;
    size_t take = avail < RELAY_MAX_LINE ? avail : RELAY_MAX_LINE;
    const char *nl = memchr(p, '\n', take);
    if (nl != NULL) {
        relay_emit(b, emit, ctx, p, (size_t)(nl - p), true);
        return nl + 1;
    }
    if (avail > RELAY_MAX_LINE) {
        bool newline = p[RELAY_MAX_LINE] == '\n';
        relay_emit(b, emit, ctx, p, RELAY_MAX_LINE, newline);
        return p + RELAY_MAX_LINE + newline;
    }
    if (!relay_room(b, avail)) {
        relay_emit(b, emit, ctx, p, avail, false); /* no room: it goes out as it is */
        return end;
    }
    memcpy(b->data, p, avail);
    b->len = avail;
    return end;
}

void relay_feed(struct relay_buf *b, const char *data, size_t n, relay_emit_fn emit, void *ctx)
{
    if (n == 0)
        return; /* data may be NULL then, and NULL + 0 is undefined */
    const char *p = data, *end = data + n;
    while (p < end) {
        if (b->len == RELAY_MAX_LINE)
            p = relay_settle(b, p, emit, ctx);
        else if (b->len > 0)
            p = relay_fill(b, p, end, emit, ctx);
        else
            p = relay_direct(b, p, end, emit, ctx);
    }
}

void relay_flush(struct relay_buf *b, relay_emit_fn emit, void *ctx)
{
    size_t n = b->len;
    if (n == 0)
        return;
    b->len = 0;
    relay_emit(b, emit, ctx, b->data, n, false);
    relay_release(b);
}

/* ------------------------------------------------------------------------ */
/* The tail of a run                                                        */
/* ------------------------------------------------------------------------ */

#define TAIL_CAP (RELAY_TAIL_MAX + 1)

/* n bytes into the ring, in at most two copies; only the last TAIL_CAP of
 * them can stay. */
static void tail_put(struct relay_tail *t, const char *s, size_t n)
{
    if (n > TAIL_CAP) {
        s += n - TAIL_CAP;
        n = TAIL_CAP;
    }
    size_t first = TAIL_CAP - t->end < n ? TAIL_CAP - t->end : n;
    memcpy(t->data + t->end, s, first);
    memcpy(t->data, s + first, n - first);
    t->end = (t->end + n) % TAIL_CAP;
    t->len = t->len + n < TAIL_CAP ? t->len + n : TAIL_CAP;
}

void relay_tail_add(struct relay_tail *t, const char *line, size_t len)
{
    tail_put(t, line, len);
    tail_put(t, "\n", 1);
}

size_t relay_tail_text(const struct relay_tail *t, char *out, size_t outlen)
{
    char all[TAIL_CAP];
    size_t start = (t->end + TAIL_CAP - t->len) % TAIL_CAP;
    size_t first = TAIL_CAP - start < t->len ? TAIL_CAP - start : t->len;
    memcpy(all, t->data + start, first);
    memcpy(all + first, t->data, t->len - first);
    /* all holds the last len bytes; the text is at most its last
     * RELAY_TAIL_MAX, and the byte before them says whether they begin a
     * line (all of the run's output begins one) */
    size_t off = t->len > RELAY_TAIL_MAX ? t->len - RELAY_TAIL_MAX : 0;
    size_t n = t->len - off;
    if (n > 0 && all[n + off - 1] == '\n')
        n--; /* the last line's newline */
    if (off > 0 && all[off - 1] != '\n') {
        const char *nl = memchr(all + off, '\n', n);
        if (nl != NULL) { /* drop the cut line; when it is the only one, keep it */
            n -= (size_t)(nl + 1 - (all + off));
            off = (size_t)(nl + 1 - all);
        }
    }
    if (outlen == 0)
        return 0;
    if (n > outlen - 1)
        n = outlen - 1;
    for (size_t i = 0; i < n; i++)
        out[i] = all[off + i] != '\0' ? all[off + i] : '?';
    out[n] = '\0';
    return n;
}
