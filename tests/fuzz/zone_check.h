/* Span properties that every zone must have, whatever it was built from
 * (zone.h): checked by fuzz_tzif and fuzz_posix_tz on each zone that
 * parses. tests/unit/test_zone.c asserts the same on corrupted TZif files.
 *
 * At each probe instant t (sorted ascending by the caller):
 * - the span contains t; its offsets lie within +-25:59:59 (RFC 8536's
 *   bound, which zone.c enforces for TZif types and which POSIX offsets,
 *   24:59:59 plus an hour of DST at most, stay within); zone_offset_at
 *   agrees with it;
 * - it is maximal and meets its neighbours: an unbounded start has no
 *   previous offset, a bounded one a different previous offset, which the
 *   span ending at that start has; the span at its end starts there with
 *   another offset and this one as previous; the span's first and last
 *   instants give the same span;
 * - spans are ordered: a later probe never gets a span starting or ending
 *   earlier, and a probe inside the previous probe's span gets that span;
 * - a few spans onward from each probe (following end) hold all of this.
 */
#ifndef CROND_FUZZ_ZONE_CHECK_H
#define CROND_FUZZ_ZONE_CHECK_H

#include <inttypes.h>
#include <stdbool.h>

#include "crond/zone.h"
#include "fuzz.h"

#define ZONE_CHECK_OFFSET_MAX 93599 /* 25:59:59 */
#define ZONE_CHECK_WALK 3           /* spans followed onward from each probe */

/* Instants worth probing in any zone, ascending: both ends of int64, the
 * +-2^45 s limit of rule evaluation in zone.c, far past and future, the
 * 1800-2200 window in which TZif footer rules are unrolled, and today. */
static const int64_t zone_check_fixed[] = {
    INT64_MIN,
    INT64_MIN + 1,
    -(INT64_C(1) << 45) - 1,
    -(INT64_C(1) << 45),
    -(INT64_C(1) << 40),
    -62135596800, /* 0001-01-01 */
    -5364662400,  /* 1800-01-01 */
    -2208988800,  /* 1900-01-01 */
    0,
    1719792000,   /* 2024-07-01 */
    1735689600,   /* 2025-01-01 */
    4102444800,   /* 2100-01-01 */
    7258118399,   /* 2199-12-31T23:59:59 */
    7258118400,   /* 2200-01-01 */
    253402300800, /* 10000-01-01 */
    (INT64_C(1) << 45) - 1,
    INT64_C(1) << 45,
    INT64_C(1) << 50,
    INT64_MAX - 1,
};
#define ZONE_CHECK_NFIXED (sizeof zone_check_fixed / sizeof zone_check_fixed[0])

static inline void zone_check_offset(const char *what, int32_t off)
{
    CHECKF(off >= -ZONE_CHECK_OFFSET_MAX && off <= ZONE_CHECK_OFFSET_MAX, "%s offset %" PRId32,
           what, off);
}

static inline bool zone_check_same(const struct zone_span *a, const struct zone_span *b)
{
    return a->start == b->start && a->end == b->end && a->offset == b->offset
        && a->prev_offset == b->prev_offset;
}

/* The neighbours of span s, and s seen from its own first and last
 * instants. */
static inline void zone_check_neighbours(const struct zone *z, const struct zone_span *s)
{
    struct zone_span n;
    if (s->start == INT64_MIN) {
        CHECKF(s->prev_offset == s->offset, "unbounded span with previous offset %" PRId32
               " != %" PRId32, s->prev_offset, s->offset);
    } else {
        CHECKF(s->prev_offset != s->offset, "span at %" PRId64 " keeps offset %" PRId32,
               s->start, s->offset);
        zone_span_at(z, s->start - 1, &n);
        CHECKF(n.end == s->start && n.offset == s->prev_offset,
               "span before %" PRId64 ": [%" PRId64 ",%" PRId64 ") %" PRId32 ", expected %" PRId32,
               s->start, n.start, n.end, n.offset, s->prev_offset);
        zone_span_at(z, s->start, &n);
        CHECKF(zone_check_same(&n, s), "span at its start %" PRId64 " differs", s->start);
    }
    if (s->end != INT64_MAX) {
        zone_span_at(z, s->end, &n);
        CHECKF(n.start == s->end && n.prev_offset == s->offset && n.offset != s->offset,
               "span at %" PRId64 ": [%" PRId64 ",%" PRId64 ") %" PRId32 " prev %" PRId32
               " after offset %" PRId32, s->end, n.start, n.end, n.offset, n.prev_offset,
               s->offset);
        zone_span_at(z, s->end - 1, &n);
        CHECKF(zone_check_same(&n, s), "span at its last instant %" PRId64 " differs",
               s->end - 1);
    }
}

/* The span at t, checked alone and against its neighbours. */
static inline void zone_check_span_at(const struct zone *z, int64_t t, struct zone_span *out)
{
    zone_span_at(z, t, out);
    CHECKF(out->start <= t && t < out->end, "span [%" PRId64 ",%" PRId64 ") lacks %" PRId64,
           out->start, out->end, t);
    zone_check_offset("span", out->offset);
    zone_check_offset("previous", out->prev_offset);
    CHECKF(zone_offset_at(z, t) == out->offset, "zone_offset_at(%" PRId64 ") %" PRId32
           ", span %" PRId32, t, zone_offset_at(z, t), out->offset);
    zone_check_neighbours(z, out);
}

/* Every property above at the n probes (ascending, INT64_MAX excluded:
 * no span can contain it). */
static inline void zone_check_spans(const struct zone *z, const int64_t *probes, size_t n)
{
    struct zone_span s, prev = {0}, w;
    for (size_t i = 0; i < n; i++) {
        int64_t t = probes[i];
        CHECK(t < INT64_MAX && (i == 0 || probes[i - 1] <= t));
        zone_check_span_at(z, t, &s);
        if (i > 0) {
            CHECKF(s.start >= prev.start && s.end >= prev.end,
                   "span [%" PRId64 ",%" PRId64 ") at %" PRId64 " after [%" PRId64 ",%" PRId64
                   ")", s.start, s.end, t, prev.start, prev.end);
            if (t < prev.end)
                CHECKF(zone_check_same(&s, &prev), "%" PRId64 " inside [%" PRId64 ",%" PRId64
                       ") gets another span", t, prev.start, prev.end);
        }
        prev = w = s;
        for (int k = 0; k < ZONE_CHECK_WALK && w.end != INT64_MAX; k++)
            zone_check_span_at(z, w.end, &w);
    }
}

static inline int zone_check_cmp(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return (x > y) - (x < y);
}

/* Sorts probes ascending and drops INT64_MAX, for zone_check_spans. Returns
 * the count kept. */
static inline size_t zone_check_sort(int64_t *probes, size_t n)
{
    qsort(probes, n, sizeof *probes, zone_check_cmp);
    while (n > 0 && probes[n - 1] == INT64_MAX)
        n--;
    return n;
}

#endif
