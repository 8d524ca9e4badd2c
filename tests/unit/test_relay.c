/* Unit tests for relay: lines and pieces, the newline flag, flush, and a
 * property test (any chunking of any input gives the same pieces as a
 * byte-by-byte model, and the pieces join back to the input). */
#include "testutil.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "crond/relay.h"

#define MAX RELAY_MAX_LINE

/* ------------------------------------------------------------ collector -- */

struct piece {
    size_t off;   /* where its bytes start in pieces.bytes */
    size_t len;   /* its length */
    bool newline; /* its flag */
};

struct pieces {
    char *bytes;     /* every piece's bytes, one after the other */
    size_t nbytes;   /* used */
    size_t capbytes; /* allocated */
    struct piece *v; /* the pieces in order */
    size_t n;        /* used */
    size_t cap;      /* allocated */
};

static void *grow(void *p, size_t *cap, size_t need, size_t size)
{
    if (need <= *cap)
        return p;
    while (*cap < need)
        *cap = *cap ? *cap * 2 : 64;
    p = realloc(p, *cap * size);
    assert_non_null(p);
    return p;
}

/* The emit callback: checks what relay.h promises of each piece. */
static void pieces_emit(void *ctx, const char *line, size_t len, bool newline)
{
    struct pieces *ps = ctx;
    if (len > MAX)
        fail_msg("piece of %zu bytes", len);
    if (len > 0 && memchr(line, '\n', len) != NULL)
        fail_msg("piece holds a newline");
    if (len == 0 && !newline)
        fail_msg("empty piece without newline");
    ps->bytes = grow(ps->bytes, &ps->capbytes, ps->nbytes + len + 1, 1);
    ps->v = grow(ps->v, &ps->cap, ps->n + 1, sizeof *ps->v);
    if (len > 0)
        memcpy(ps->bytes + ps->nbytes, line, len);
    ps->v[ps->n++] = (struct piece){ps->nbytes, len, newline};
    ps->nbytes += len;
}

static void pieces_free(struct pieces *ps)
{
    free(ps->bytes);
    free(ps->v);
    memset(ps, 0, sizeof *ps);
}

/* Joining the pieces, each followed by '\n' when flagged, must give `in`. */
static void pieces_check_join(const struct pieces *ps, const char *in, size_t n)
{
    size_t at = 0;
    for (size_t i = 0; i < ps->n; i++) {
        const struct piece *p = &ps->v[i];
        if (at + p->len > n || memcmp(in + at, ps->bytes + p->off, p->len) != 0)
            fail_msg("piece %zu differs from the input at %zu", i, at);
        at += p->len;
        if (p->newline && (at >= n || in[at++] != '\n'))
            fail_msg("piece %zu: newline flag without a newline", i);
    }
    if (at != n)
        fail_msg("pieces join to %zu bytes, input has %zu", at, n);
}

static void pieces_check_equal(const struct pieces *a, const struct pieces *b, const char *what)
{
    if (a->n != b->n)
        fail_msg("%s: %zu pieces, want %zu", what, a->n, b->n);
    for (size_t i = 0; i < a->n; i++)
        if (a->v[i].len != b->v[i].len || a->v[i].newline != b->v[i].newline)
            fail_msg("%s: piece %zu is %zu/%d, want %zu/%d", what, i, a->v[i].len,
                     a->v[i].newline, b->v[i].len, b->v[i].newline);
    if (a->nbytes != b->nbytes || memcmp(a->bytes, b->bytes, a->nbytes) != 0)
        fail_msg("%s: piece bytes differ", what);
}

/* --------------------------------------------------------------- driving -- */

/* Feeds `in` in chunks of the given sizes (repeated), then flushes. */
static void relay_run(const char *in, size_t n, const size_t *sizes, size_t nsizes,
                      struct pieces *out)
{
    static struct relay_buf b; /* 16 KiB: keep it off the stack */
    relay_init(&b);
    for (size_t at = 0, k = 0; at < n; k++) {
        size_t c = sizes[k % nsizes];
        c = c < n - at ? c : n - at;
        relay_feed(&b, in + at, c, pieces_emit, out);
        at += c;
    }
    relay_flush(&b, pieces_emit, out);
    assert_int_equal(b.len, 0);
}

static void relay_whole(const char *in, size_t n, struct pieces *out)
{
    const size_t all[] = {n > 0 ? n : 1};
    relay_run(in, n, all, 1, out);
}

/* What relay.h describes, one byte at a time: the oracle. */
static void model_run(const char *in, size_t n, struct pieces *out)
{
    static char cur[MAX];
    size_t len = 0;
    for (size_t i = 0; i < n; i++) {
        if (len == MAX) {
            pieces_emit(out, cur, len, in[i] == '\n');
            len = 0;
            if (in[i] == '\n')
                continue;
        }
        if (in[i] == '\n') {
            pieces_emit(out, cur, len, true);
            len = 0;
        } else {
            cur[len++] = in[i];
        }
    }
    if (len > 0)
        pieces_emit(out, cur, len, false);
}

struct spec {
    size_t len;
    bool newline;
};

static void expect_specs(const struct pieces *ps, const struct spec *want, size_t n)
{
    if (ps->n != n)
        fail_msg("%zu pieces, want %zu", ps->n, n);
    for (size_t i = 0; i < n; i++)
        if (ps->v[i].len != want[i].len || ps->v[i].newline != want[i].newline)
            fail_msg("piece %zu is %zu/%d, want %zu/%d", i, ps->v[i].len, ps->v[i].newline,
                     want[i].len, want[i].newline);
}

/* Runs `in` whole, byte by byte and in chunks at the piece boundaries, and
 * expects the given pieces every time. */
static void expect_input(const char *in, size_t n, const struct spec *want, size_t nwant)
{
    static const size_t one[] = {1}, edges[] = {MAX, 1, MAX - 1, 2, MAX + 1, 3};
    struct pieces ps = {0};
    relay_whole(in, n, &ps);
    expect_specs(&ps, want, nwant);
    pieces_check_join(&ps, in, n);
    pieces_free(&ps);
    relay_run(in, n, one, 1, &ps);
    expect_specs(&ps, want, nwant);
    pieces_free(&ps);
    relay_run(in, n, edges, sizeof edges / sizeof edges[0], &ps);
    expect_specs(&ps, want, nwant);
    pieces_check_join(&ps, in, n);
    pieces_free(&ps);
}

/* A line of `len` 'x' bytes, then `tail`. */
static char *line_of(size_t len, const char *tail, size_t *out_n)
{
    size_t t = strlen(tail);
    char *s = malloc(len + t + 1);
    assert_non_null(s);
    memset(s, 'x', len);
    memcpy(s + len, tail, t + 1);
    *out_n = len + t;
    return s;
}

/* ------------------------------------------------------- example inputs -- */

static void test_short_lines(void **state)
{
    (void)state;
    static const char in[] = "a\nbb\n\nccc";
    const struct spec want[] = {{1, true}, {2, true}, {0, true}, {3, false}};
    expect_input(in, sizeof in - 1, want, 4);
}

static void test_cr_and_nul_are_bytes(void **state)
{
    (void)state;
    static const char in[] = "a\r\n\0b\r\r\n\0";
    const struct spec want[] = {{2, true}, {4, true}, {1, false}};
    expect_input(in, sizeof in - 1, want, 3);
}

static void test_empty_lines(void **state)
{
    (void)state;
    const struct spec want[] = {{0, true}, {0, true}, {0, true}};
    expect_input("\n\n\n", 3, want, 3);
}

static void test_line_of_exactly_max(void **state)
{
    (void)state;
    size_t n;
    char *in = line_of(MAX, "\n", &n);
    const struct spec want[] = {{MAX, true}};
    expect_input(in, n, want, 1);
    free(in);
}

static void test_line_of_max_plus_one(void **state)
{
    (void)state;
    size_t n;
    char *in = line_of(MAX + 1, "\n", &n);
    const struct spec want[] = {{MAX, false}, {1, true}};
    expect_input(in, n, want, 2);
    free(in);
}

static void test_line_of_max_minus_one(void **state)
{
    (void)state;
    size_t n;
    char *in = line_of(MAX - 1, "\nz", &n);
    const struct spec want[] = {{MAX - 1, true}, {1, false}};
    expect_input(in, n, want, 2);
    free(in);
}

static void test_line_of_twice_max(void **state)
{
    (void)state;
    size_t n;
    char *in = line_of(2 * MAX, "\n\n", &n);
    const struct spec want[] = {{MAX, false}, {MAX, true}, {0, true}};
    expect_input(in, n, want, 3);
    free(in);
}

static void test_full_piece_then_more(void **state)
{
    (void)state;
    size_t n;
    char *in = line_of(MAX, "ab\ncd", &n);
    const struct spec want[] = {{MAX, false}, {2, true}, {2, false}};
    expect_input(in, n, want, 3);
    free(in);
}

/* ---------------------------------------------------------------- flush -- */

static void test_flush_full_piece_without_newline(void **state)
{
    (void)state;
    size_t n;
    char *in = line_of(MAX, "", &n);
    const struct spec want[] = {{MAX, false}};
    expect_input(in, n, want, 1);
    free(in);
}

static void test_flush_emits_nothing_when_nothing_pends(void **state)
{
    (void)state;
    static struct relay_buf b;
    struct pieces ps = {0};
    relay_init(&b);
    relay_flush(&b, pieces_emit, &ps);
    relay_feed(&b, NULL, 0, pieces_emit, &ps);
    assert_int_equal(ps.n, 0);
    relay_feed(&b, "one\n", 4, pieces_emit, &ps);
    relay_flush(&b, pieces_emit, &ps);
    assert_int_equal(ps.n, 1);
    relay_feed(&b, "two", 3, pieces_emit, &ps);
    assert_int_equal(ps.n, 1); /* unfinished: not emitted before flush */
    relay_flush(&b, pieces_emit, &ps);
    relay_flush(&b, pieces_emit, &ps);
    const struct spec want[] = {{3, true}, {3, false}};
    expect_specs(&ps, want, 2);
    pieces_free(&ps);
}

static void test_after_split_flag(void **state)
{
    (void)state;
    static struct relay_buf b;
    struct pieces ps = {0};
    size_t n;
    char *in = line_of(MAX + 1, "", &n);
    relay_init(&b);
    relay_feed(&b, in, n, pieces_emit, &ps);
    assert_true(b.after_split);
    relay_feed(&b, "\n", 1, pieces_emit, &ps);
    assert_false(b.after_split);
    assert_int_equal(ps.n, 2);
    pieces_free(&ps);
    free(in);
}

/* ------------------------------------------------------------- property -- */

static uint64_t rng_next(uint64_t *s)
{
    /* xorshift64*: reproducible across libcs, unlike rand(). */
    *s ^= *s >> 12;
    *s ^= *s << 25;
    *s ^= *s >> 27;
    return *s * 2685821657736338717ULL;
}

static size_t rng_below(uint64_t *s, size_t n)
{
    return (size_t)(rng_next(s) % n);
}

/* Appends one segment: short lines, dense newlines, CR/NUL/high bytes, or
 * a long line whose length sits on or near a piece boundary. */
static size_t segment_put(uint64_t *s, char *out, size_t room)
{
    static const char alphabet[] = {'a', 'b', '\n', '\r', '\0', '\xff', ' ', '\n'};
    static const size_t long_lens[] = {MAX - 1, MAX, MAX + 1, 2 * MAX - 1, 2 * MAX, 2 * MAX + 1};
    size_t kind = rng_below(s, 4), n;
    if (kind == 3)
        n = rng_below(s, 3) ? long_lens[rng_below(s, 6)] : rng_below(s, 3 * MAX);
    else
        n = rng_below(s, kind == 0 ? 100 : 300);
    n = n < room ? n : room;
    for (size_t i = 0; i < n; i++) {
        if (kind == 0)
            out[i] = i + 1 == n ? '\n' : (char)(' ' + rng_below(s, 95));
        else if (kind == 1)
            out[i] = alphabet[rng_below(s, sizeof alphabet)];
        else if (kind == 2)
            out[i] = '\n';
        else
            out[i] = (char)('A' + i % 26);
    }
    if (kind == 3 && n < room && rng_below(s, 2))
        out[n++] = '\n';
    return n;
}

static void check_chunkings(uint64_t *s, const char *in, size_t n, const struct pieces *want)
{
    size_t sizes[32];
    for (int round = 0; round < 4; round++) {
        size_t top = round == 0 ? 4 : round == 1 ? 200 : round == 2 ? MAX + 2 : 3 * MAX;
        for (size_t i = 0; i < 32; i++)
            sizes[i] = 1 + rng_below(s, top);
        struct pieces got = {0};
        relay_run(in, n, sizes, 32, &got);
        pieces_check_equal(&got, want, "random chunks");
        pieces_free(&got);
    }
}

static void test_property_any_chunking(void **state)
{
    (void)state;
    enum { INPUTS = 60, SIZE = 5 * MAX };
    uint64_t seed = 0x9e3779b97f4a7c15ULL;
    char *in = malloc(SIZE);
    assert_non_null(in);
    for (int t = 0; t < INPUTS; t++) {
        size_t n = 0, target = rng_below(&seed, SIZE);
        while (n < target)
            n += segment_put(&seed, in + n, target - n);
        struct pieces model = {0}, whole = {0};
        model_run(in, n, &model);
        relay_whole(in, n, &whole);
        pieces_check_equal(&whole, &model, "whole input vs model");
        pieces_check_join(&whole, in, n);
        check_chunkings(&seed, in, n, &model);
        pieces_free(&model);
        pieces_free(&whole);
    }
    free(in);
}

/* Room is taken only for an unfinished line, as much as it needs, and
 * given back when the line is done. */
static void noop_emit(void *ctx, const char *line, size_t len, bool newline)
{
    (void)line;
    (void)newline;
    *(size_t *)ctx += len;
}

static void test_room_only_for_unfinished_lines(void **state)
{
    (void)state;
    struct relay_buf b;
    size_t bytes = 0;
    relay_init(&b);
    relay_feed(&b, "one\ntwo\n", 8, noop_emit, &bytes);
    assert_null(b.data); /* whole lines: no buffer */
    relay_feed(&b, "thr", 3, noop_emit, &bytes);
    assert_non_null(b.data);
    assert_true(b.cap >= 3 && b.cap <= 256);
    relay_feed(&b, "ee\n", 3, noop_emit, &bytes);
    assert_null(b.data); /* the line is done: the room goes back */
    assert_int_equal(bytes, 11);
    static char big[RELAY_MAX_LINE + 10];
    memset(big, 'x', sizeof big);
    relay_feed(&b, big, 9000, noop_emit, &bytes);
    assert_true(b.cap >= 9000 && b.cap <= RELAY_MAX_LINE);
    relay_flush(&b, noop_emit, &bytes);
    assert_null(b.data);
    relay_feed(&b, "x", 1, noop_emit, &bytes);
    relay_free(&b);
    assert_null(b.data);
    assert_int_equal(b.len, 0);
}

/* ------------------------------------------------------------- the tail -- */

#define TAIL RELAY_TAIL_MAX

static const char *tail_of(const struct relay_tail *t)
{
    static char out[TAIL + 1];
    size_t n = relay_tail_text(t, out, sizeof out);
    assert_int_equal(n, strlen(out));
    return out;
}

static void test_tail_short(void **state)
{
    (void)state;
    struct relay_tail t = {0};
    assert_string_equal(tail_of(&t), "");
    relay_tail_add(&t, "one", 3);
    assert_string_equal(tail_of(&t), "one");
    relay_tail_add(&t, "", 0);
    relay_tail_add(&t, "t\0o", 3);
    assert_string_equal(tail_of(&t), "one\n\nt?o");
}

/* Exactly TAIL bytes (newlines included) are all kept; one byte more
 * drops the first line whole, not one byte of it. */
static void test_tail_at_the_limit(void **state)
{
    (void)state;
    static char line[TAIL];
    memset(line, 'a', sizeof line);
    struct relay_tail t = {0};
    relay_tail_add(&t, "x", 1);                 /* 2 bytes */
    relay_tail_add(&t, line, TAIL - 2 - 1);     /* TAIL - 2 bytes */
    const char *s = tail_of(&t);
    assert_int_equal(strlen(s), TAIL - 1);      /* all but the last '\n' */
    assert_memory_equal(s, "x\naaa", 5);
    struct relay_tail u = {0};
    relay_tail_add(&u, "xy", 2);                /* 3 bytes: one too many */
    relay_tail_add(&u, line, TAIL - 2 - 1);
    s = tail_of(&u);
    assert_int_equal(strlen(s), TAIL - 3);      /* "xy" went whole */
    assert_int_equal(s[0], 'a');
    /* a line longer than the tail: its end stays */
    static char big[3 * TAIL];
    memset(big, 'b', sizeof big);
    big[sizeof big - 1] = 'e';
    relay_tail_add(&u, big, sizeof big);
    s = tail_of(&u);
    assert_int_equal(strlen(s), TAIL - 1);
    assert_int_equal(s[TAIL - 2], 'e');
    assert_int_equal(s[0], 'b');
}

/* The model: the whole output, its last TAIL bytes, the cut line left out
 * (unless it is the only one), the last newline dropped. */
static void tail_model(const char *all, size_t n, char *out)
{
    size_t off = n > TAIL ? n - TAIL : 0;
    size_t len = n - off;
    if (len > 0 && all[n - 1] == '\n')
        len--;
    if (off > 0 && all[off - 1] != '\n') {
        size_t i = off;
        while (i < off + len && all[i] != '\n')
            i++;
        if (i < off + len) {
            len -= i + 1 - off;
            off = i + 1;
        }
    }
    memcpy(out, all + off, len);
    out[len] = '\0';
}

static void test_tail_property(void **state)
{
    (void)state;
    enum { SIZE = 6 * TAIL };
    uint64_t seed = 0x2545f4914f6cdd1dULL;
    static char all[SIZE + 2 * TAIL], want[TAIL + 1], line[2 * TAIL];
    for (int round = 0; round < 300; round++) {
        struct relay_tail t = {0};
        size_t n = 0, target = rng_below(&seed, SIZE);
        size_t top = round % 3 == 0 ? 8 : round % 3 == 1 ? 300 : 2 * TAIL;
        while (n < target) {
            size_t len = rng_below(&seed, top);
            for (size_t i = 0; i < len; i++)
                line[i] = (char)('a' + rng_below(&seed, 26));
            relay_tail_add(&t, line, len);
            memcpy(all + n, line, len);
            all[n + len] = '\n';
            n += len + 1;
        }
        tail_model(all, n, want);
        assert_string_equal(tail_of(&t), want);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_room_only_for_unfinished_lines),
        cmocka_unit_test(test_short_lines),
        cmocka_unit_test(test_cr_and_nul_are_bytes),
        cmocka_unit_test(test_empty_lines),
        cmocka_unit_test(test_line_of_exactly_max),
        cmocka_unit_test(test_line_of_max_plus_one),
        cmocka_unit_test(test_line_of_max_minus_one),
        cmocka_unit_test(test_line_of_twice_max),
        cmocka_unit_test(test_full_piece_then_more),
        cmocka_unit_test(test_flush_full_piece_without_newline),
        cmocka_unit_test(test_flush_emits_nothing_when_nothing_pends),
        cmocka_unit_test(test_after_split_flag),
        cmocka_unit_test(test_property_any_chunking),
        cmocka_unit_test(test_tail_short),
        cmocka_unit_test(test_tail_at_the_limit),
        cmocka_unit_test(test_tail_property),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
