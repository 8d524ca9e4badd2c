/* fuzz_tzif: zone_parse_tzif on arbitrary bytes. See README.md.
 *
 * Input: the bytes of a TZif file (passed as an exact-size heap copy, so a
 * read past the end is an ASan report).
 *
 * Properties:
 * - failure: a non-empty message, and no zone;
 * - success: the zone has the name given; the span properties of
 *   zone_check.h hold at fixed instants and at and just before the file's
 *   transitions (up to MAX_PROBED of them, spread over the list);
 * - the offsets are the file's, read here independently of zone.c (RFC
 *   8536): type 0 before the first transition, then the type of the latest
 *   transition at or before the instant; with a footer TZ string, from the
 *   last transition on (always, without transitions) what that string gives
 *   through zone_parse_posix, which must accept it. Checked at every probe
 *   and at and before every transition (up to MAX_ORACLE of them).
 */
#include <stdbool.h>

#include "crond/zone.h"
#include "fuzz.h"
#include "zone_check.h"

#define HEADER_LEN 44
#define MAX_PROBED ((size_t)24) /* transitions probed for the span properties */
#define MAX_ORACLE 1024 /* transitions whose offsets are compared */

/* The data block zone.c should have used, located without its code. */
struct tzif_ref {
    size_t tsize;          /* bytes per transition time: 4 (version 1) or 8 */
    uint32_t ntime, ntype; /* transitions, local time types */
    const uint8_t *times;  /* ntime big-endian transition times */
    const uint8_t *idx;    /* ntime type indices */
    const uint8_t *types;  /* ntype records: utoff (4), isdst, desigidx */
    char footer[256];      /* the TZ string of a version 2+ footer, or "" */
};

static uint64_t be(const uint8_t *p, size_t n)
{
    uint64_t v = 0;
    for (size_t i = 0; i < n; i++)
        v = v << 8 | p[i];
    return v;
}

/* Two's complement of n bytes: sign-extended, then reinterpreted. */
static int64_t be_signed(const uint8_t *p, size_t n)
{
    uint64_t v = be(p, n);
    if (n < 8 && (v >> (8 * n - 1)) != 0)
        v |= ~UINT64_C(0) << (8 * n);
    int64_t s;
    memcpy(&s, &v, sizeof s);
    return s;
}

static int64_t ref_time(const struct tzif_ref *r, uint32_t i)
{
    return be_signed(r->times + (size_t)i * r->tsize, r->tsize);
}

static int32_t ref_type_offset(const struct tzif_ref *r, uint32_t type)
{
    CHECK(type < r->ntype);
    return (int32_t)be_signed(r->types + (size_t)type * 6, 4);
}

/* The counts of a header at p and the size of the block after it. */
static size_t ref_header(const uint8_t *p, size_t tsize, struct tzif_ref *r)
{
    uint64_t isut = be(p + 20, 4), isstd = be(p + 24, 4), leap = be(p + 28, 4);
    r->ntime = (uint32_t)be(p + 32, 4);
    r->ntype = (uint32_t)be(p + 36, 4);
    uint64_t chars = be(p + 40, 4);
    return (size_t)(r->ntime * (tsize + 1) + r->ntype * UINT64_C(6) + chars
                    + leap * (tsize + 4) + isstd + isut);
}

/* Reads a file zone_parse_tzif accepted: so every part must be there. */
static void ref_read(const uint8_t *d, size_t n, struct tzif_ref *r)
{
    CHECK(n >= HEADER_LEN && memcmp(d, "TZif", 4) == 0);
    bool v1 = d[4] == 0;
    size_t pos = 0, block = ref_header(d, 4, r);
    r->tsize = 4;
    if (!v1) {
        pos = HEADER_LEN + block;
        CHECKF(pos <= n - HEADER_LEN, "no second header at %zu of %zu", pos, n);
        r->tsize = 8;
        block = ref_header(d + pos, 8, r);
    }
    pos += HEADER_LEN;
    CHECKF(block <= n - pos, "block of %zu bytes at %zu of %zu", block, pos, n);
    r->times = d + pos;
    r->idx = r->times + (size_t)r->ntime * r->tsize;
    r->types = r->idx + r->ntime;
    r->footer[0] = '\0';
    if (v1)
        return;
    pos += block;
    CHECK(pos < n && d[pos] == '\n');
    const uint8_t *nl = memchr(d + pos + 1, '\n', n - pos - 1);
    CHECK(nl != NULL && (size_t)(nl - (d + pos + 1)) < sizeof r->footer);
    memcpy(r->footer, d + pos + 1, (size_t)(nl - (d + pos + 1)));
    r->footer[nl - (d + pos + 1)] = '\0';
}

/* The offset the file gives instant t (footer: its zone, or NULL). */
static int32_t ref_offset(const struct tzif_ref *r, const struct zone *footer, int64_t t)
{
    if (r->ntime > 0 && t < ref_time(r, 0))
        return ref_type_offset(r, 0);
    if (footer != NULL && (r->ntime == 0 || t >= ref_time(r, r->ntime - 1)))
        return zone_offset_at(footer, t);
    if (r->ntime == 0)
        return ref_type_offset(r, 0);
    uint32_t lo = 0, hi = r->ntime - 1; /* the last transition <= t */
    while (lo < hi) {
        uint32_t mid = lo + (hi - lo + 1) / 2;
        if (ref_time(r, mid) <= t)
            lo = mid;
        else
            hi = mid - 1;
    }
    return ref_type_offset(r, r->idx[lo]);
}

static void check_offset(const struct zone *z, const struct tzif_ref *r,
                         const struct zone *footer, int64_t t)
{
    int32_t want = ref_offset(r, footer, t), got = zone_offset_at(z, t);
    CHECKF(got == want, "offset at %" PRId64 ": %" PRId32 ", the file says %" PRId32
           " (footer '%s')", t, got, want, r->footer);
}

/* Fixed probes plus, for up to MAX_PROBED transitions spread over the list,
 * the transition and the instant before it. Returns the count, sorted. */
static size_t probes_make(const struct tzif_ref *r, int64_t *out)
{
    size_t n = 0;
    for (size_t i = 0; i < ZONE_CHECK_NFIXED; i++)
        out[n++] = zone_check_fixed[i];
    uint32_t step = (uint32_t)(r->ntime / MAX_PROBED + 1);
    for (uint32_t i = 0; i < r->ntime; i += step) {
        int64_t t = ref_time(r, i);
        out[n++] = t;
        if (t > INT64_MIN)
            out[n++] = t - 1;
    }
    return zone_check_sort(out, n);
}

static void check_zone(const struct zone *z, const uint8_t *data, size_t size)
{
    struct tzif_ref r;
    struct zone *footer = NULL;
    int64_t probes[ZONE_CHECK_NFIXED + 2 * (MAX_PROBED + 1)];
    CHECK(strcmp(zone_name(z), "fuzz") == 0);
    ref_read(data, size, &r);
    if (r.footer[0] != '\0') {
        char err[256];
        CHECKF(zone_parse_posix(r.footer, &footer, err, sizeof err) == 0,
               "footer '%s' accepted in the file, alone: %s", r.footer, err);
    }
    size_t n = probes_make(&r, probes);
    zone_check_spans(z, probes, n);
    for (size_t i = 0; i < n; i++)
        check_offset(z, &r, footer, probes[i]);
    for (uint32_t i = 0; i < r.ntime && i < MAX_ORACLE; i++) {
        int64_t t = ref_time(&r, i);
        check_offset(z, &r, footer, t);
        if (t > INT64_MIN)
            check_offset(z, &r, footer, t - 1);
    }
    zone_free(footer);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    uint8_t *buf = malloc(size ? size : 1);
    CHECK(buf != NULL);
    if (size > 0)
        memcpy(buf, data, size);
    struct zone *z = NULL;
    char err[256];
    err[0] = '\0';
    if (zone_parse_tzif(buf, size, "fuzz", &z, err, sizeof err) != 0) {
        CHECK(z == NULL);
        CHECK(err[0] != '\0');
    } else {
        CHECK(z != NULL);
        check_zone(z, buf, size);
        zone_free(z);
    }
    free(buf);
    return 0;
}
