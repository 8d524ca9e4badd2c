/* fuzz_timefmt: timefmt_parse (--from) and timefmt_iso (what --next and
 * --list print). See README.md.
 *
 * Input: the time text itself (no NUL; longer than FUZZ_TIMEFMT_MAX bytes
 * is skipped), read in UTC and in America/New_York (loaded once; a POSIX
 * TZ string with the same rules if there is no tzdata).
 *
 * Properties:
 * - a failure says "invalid time '<text>': <reason>"; the text fails in
 *   both zones alike, unless the zone's offset moves the instant across
 *   TIMEFMT_MIN or TIMEFMT_MAX (then the message says "out of range");
 * - a success lies within TIMEFMT_MIN..TIMEFMT_MAX. With an offset in the
 *   text both zones read the same instant. Without one, UTC reads the wall
 *   time itself, and New York reads it with the offset in force at the
 *   instant found, in its first occurrence (the span before holds no
 *   earlier instant with that wall time), or, for a wall time skipped by a
 *   gap, with the offset from before the gap;
 * - timefmt_iso of each instant read, in either zone, returns its length,
 *   fits TIMEFMT_ISO_LEN, writes the year as four digits or as a sign and
 *   four or more (a '+' only past 9999, no leading zero beyond four
 *   digits), and parses back to the same instant in both zones.
 */
#include <inttypes.h>
#include <stdbool.h>

#include "crond/timefmt.h"
#include "crond/zone.h"
#include "fuzz.h"

#define FUZZ_TIMEFMT_MAX 128

static const struct zone *zone_utc, *zone_ny;

/* Loaded once and kept (reachable from these statics, so no leak report). */
static void zones_init(void)
{
    if (zone_utc != NULL)
        return;
    struct zone *z;
    char err[256];
    CHECK(zone_new_utc(&z) == 0);
    zone_utc = z;
    if (zone_load("America/New_York", NULL, &z, err, sizeof err) != 0)
        CHECKF(zone_parse_posix("EST5EDT,M3.2.0,M11.1.0", &z, err, sizeof err) == 0, "%s", err);
    zone_ny = z;
}

/* An offset in the text: Z, + or - after the date's T, t or blank (the
 * date itself holds only digits, signs and '-'). */
static bool has_offset(const char *text)
{
    const char *sep = strpbrk(text, "Tt ");
    return sep != NULL && strpbrk(sep, "Zz+-") != NULL;
}

static void check_failure(const char *text, const char *err)
{
    char head[FUZZ_TIMEFMT_MAX + 32];
    snprintf(head, sizeof head, "invalid time '%s': ", text);
    CHECKF(strncmp(err, head, strlen(head)) == 0 && err[strlen(head)] != '\0', "message '%s'",
           err);
}

/* The year of printed text: four digits, or a sign and four or more with
 * no leading zero beyond four; '+' only for five or more. */
static void check_year(const char *buf)
{
    size_t sign = buf[0] == '+' || buf[0] == '-', n = strspn(buf + sign, "0123456789");
    CHECKF(buf[sign + n] == '-' && n >= 4, "'%s'", buf);
    CHECKF(sign || n == 4, "'%s': more than four digits without a sign", buf);
    CHECKF(n == 4 || buf[sign] != '0', "'%s': leading zero", buf);
    CHECKF(buf[0] != '+' || n > 4, "'%s': '+' before four digits", buf);
}

/* timefmt_iso of t in z parses back to t, in z and in the other zone. */
static void check_round_trip(int64_t t, const struct zone *z)
{
    char buf[TIMEFMT_ISO_LEN], err[256];
    int n = timefmt_iso(t, z, buf, sizeof buf);
    CHECKF(n > 0 && n < TIMEFMT_ISO_LEN && (size_t)n == strlen(buf), "%d for '%s'", n, buf);
    check_year(buf);
    const struct zone *both[2] = {zone_utc, zone_ny};
    for (int k = 0; k < 2; k++) {
        int64_t back = 0;
        CHECKF(timefmt_parse(buf, both[k], &back, err, sizeof err) == 0, "'%s' from %" PRId64
               " in %s: %s", buf, t, zone_name(z), err);
        CHECKF(back == t, "'%s' reads %" PRId64 ", printed from %" PRId64, buf, back, t);
    }
}

/* The New York reading t of a wall time without offset. */
static void check_local(int64_t wall, int64_t t)
{
    struct zone_span s, p;
    zone_span_at(zone_ny, t, &s);
    if (wall - t == s.offset) {
        if (s.start == INT64_MIN)
            return;
        zone_span_at(zone_ny, s.start - 1, &p);
        int64_t earlier = wall - p.offset;
        CHECKF(earlier < p.start || earlier >= p.end,
               "wall %" PRId64 " read as %" PRId64 ", but %" PRId64 " is earlier", wall, t,
               earlier);
        return;
    }
    /* a gap: the offset from before it, and the wall time really skipped */
    CHECKF(wall - t == s.prev_offset && s.start + s.prev_offset <= wall
               && wall < s.start + s.offset,
           "wall %" PRId64 " read as %" PRId64 " in span [%" PRId64 ",%" PRId64 ") %" PRId32
           " prev %" PRId32, wall, t, s.start, s.end, s.offset, s.prev_offset);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > FUZZ_TIMEFMT_MAX)
        return 0;
    char *text = fuzz_cstring(data, size);
    if (text == NULL)
        return 0;
    zones_init();
    char eu[512], ez[512];
    int64_t tu = 0, tz = 0;
    eu[0] = ez[0] = '\0';
    int ru = timefmt_parse(text, zone_utc, &tu, eu, sizeof eu);
    int rz = timefmt_parse(text, zone_ny, &tz, ez, sizeof ez);
    if (ru != 0)
        check_failure(text, eu);
    if (rz != 0)
        check_failure(text, ez);
    if (ru != rz)
        CHECKF(strstr(ru ? eu : ez, "out of range") != NULL, "'%s': %s", text, ru ? eu : ez);
    if (ru == 0) {
        CHECK(tu >= TIMEFMT_MIN && tu <= TIMEFMT_MAX);
        check_round_trip(tu, zone_utc);
        check_round_trip(tu, zone_ny);
    }
    if (rz == 0) {
        CHECK(tz >= TIMEFMT_MIN && tz <= TIMEFMT_MAX);
        check_round_trip(tz, zone_utc);
        check_round_trip(tz, zone_ny);
    }
    if (ru == 0 && rz == 0) {
        if (has_offset(text))
            CHECKF(tu == tz, "'%s': %" PRId64 " in UTC, %" PRId64 " in New York", text, tu, tz);
        else
            check_local(tu, tz);
    }
    free(text);
    return 0;
}
