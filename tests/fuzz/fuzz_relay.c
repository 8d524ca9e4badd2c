/* fuzz_relay: the output relay's line splitter (relay_feed, relay_flush).
 * See README.md.
 *
 * Input: bytes 0-1 seed a small PRNG that picks the chunk sizes (1 to 16
 * bytes, up to 1000, up to 40000, or just around RELAY_MAX_LINE, with an
 * empty feed now and then); the rest is the stream. An input of fewer than
 * two bytes is all stream, fed with seed 0.
 *
 * Properties:
 * - joining the pieces, each followed by '\n' when its newline flag is set,
 *   gives back the stream exactly;
 * - no piece is longer than RELAY_MAX_LINE or holds a '\n'; a piece without
 *   the newline flag is a full RELAY_MAX_LINE piece or the flushed last
 *   one; after a full piece without the flag no empty line follows (the
 *   '\n' after a full piece belongs to it);
 * - lines are emitted as soon as they are complete: after each feed every
 *   byte up to the last '\n' fed so far has been emitted;
 * - the pieces do not depend on the chunk sizes: feeding the stream in one
 *   call gives the same pieces (same lengths and flags).
 */
#include <stdbool.h>

#include "crond/relay.h"
#include "fuzz.h"

struct piece {
    size_t len;
    bool newline;
};

struct sink {
    const char *stream;  /* the input, to compare against */
    size_t len;
    size_t done;         /* stream bytes given back so far */
    struct piece *pieces;
    size_t npieces, cap;
    bool flushing;       /* inside relay_flush: at most one piece */
    size_t flushed;
};

static void emit(void *ctx, const char *line, size_t len, bool newline)
{
    struct sink *s = ctx;
    CHECKF(len <= RELAY_MAX_LINE, "piece of %zu bytes", len);
    CHECK(len == 0 || memchr(line, '\n', len) == NULL);
    size_t total = len + newline;
    CHECKF(s->done + total <= s->len, "emitted %zu of %zu bytes", s->done + total, s->len);
    CHECK(len == 0 || memcmp(line, s->stream + s->done, len) == 0);
    CHECK(!newline || s->stream[s->done + len] == '\n');
    if (s->npieces > 0) {
        const struct piece *prev = &s->pieces[s->npieces - 1];
        if (!prev->newline) /* only a full piece goes on without a newline */
            CHECKF(prev->len == RELAY_MAX_LINE, "a %zu-byte piece without newline went on",
                   prev->len);
        if (!prev->newline && prev->len == RELAY_MAX_LINE)
            CHECK(!(len == 0 && newline));
    }
    if (s->flushing) {
        CHECK(!newline);
        CHECK(++s->flushed == 1);
    }
    if (s->npieces == s->cap) {
        s->cap = s->cap ? 2 * s->cap : 64;
        s->pieces = realloc(s->pieces, s->cap * sizeof *s->pieces);
        CHECK(s->pieces != NULL);
    }
    s->pieces[s->npieces++] = (struct piece){len, newline};
    s->done += total;
}

/* xorshift32: small, and its sequence is fixed by the seed. */
static uint32_t rnd(uint32_t *x)
{
    *x ^= *x << 13;
    *x ^= *x >> 17;
    *x ^= *x << 5;
    return *x;
}

static size_t chunk_size(uint32_t *x)
{
    uint32_t r = rnd(x);
    switch (r % 8) {
    case 0:
        return 0; /* an empty feed (data NULL) */
    case 1: case 2: case 3:
        return 1 + (r >> 3) % 16;
    case 4: case 5:
        return 1 + (r >> 3) % 1000;
    case 6:
        return 1 + (r >> 3) % 40000;
    default:
        return RELAY_MAX_LINE - 2 + (r >> 3) % 5; /* around a full piece */
    }
}

/* Every byte up to the last '\n' in stream[0..fed) was emitted. */
static void check_eager(const struct sink *s, size_t fed)
{
    size_t last = fed;
    while (last > 0 && s->stream[last - 1] != '\n')
        last--;
    CHECKF(s->done >= last, "fed %zu bytes with a newline at %zu, emitted %zu", fed, last,
           s->done);
}

static void run(struct sink *s, struct relay_buf *b, uint32_t seed, bool chunked)
{
    relay_init(b);
    size_t pos = 0;
    uint32_t x = seed ? seed : 0x9e3779b9u;
    while (pos < s->len) {
        size_t n = chunked ? chunk_size(&x) : s->len;
        if (n > s->len - pos)
            n = s->len - pos;
        relay_feed(b, n ? s->stream + pos : NULL, n, emit, s);
        pos += n;
        check_eager(s, pos);
    }
    s->flushing = true;
    relay_flush(b, emit, s);
    s->flushing = false;
    CHECKF(s->done == s->len, "gave back %zu of %zu bytes", s->done, s->len);
    if (s->npieces > 0) {
        const struct piece *last = &s->pieces[s->npieces - 1];
        CHECK(last->newline || last->len > 0);
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
    static struct relay_buf buf; /* 16 KiB: not on the stack */

    struct sink chunked = {.stream = stream, .len = size};
    run(&chunked, &buf, seed, true);
    struct sink whole = {.stream = stream, .len = size};
    run(&whole, &buf, seed, false);
    CHECKF(chunked.npieces == whole.npieces, "%zu pieces chunked, %zu in one feed",
           chunked.npieces, whole.npieces);
    for (size_t i = 0; i < whole.npieces; i++)
        CHECKF(chunked.pieces[i].len == whole.pieces[i].len
                   && chunked.pieces[i].newline == whole.pieces[i].newline,
               "piece %zu: %zu/%d chunked, %zu/%d in one feed", i, chunked.pieces[i].len,
               chunked.pieces[i].newline, whole.pieces[i].len, whole.pieces[i].newline);
    free(chunked.pieces);
    free(whole.pieces);
    free(stream);
    return 0;
}
