/* timefmt: ISO-8601 instants as users read and write them.
 *
 * Output is always local wall time of a zone with its UTC offset and seconds:
 * 2026-03-08T03:00:00-04:00 (UTC prints +00:00). Years outside 0000-9999 are
 * ISO 8601 expanded years, a sign and at least four digits
 * (+10000-01-01T00:00:00+00:00, -0001-12-31T23:59:59+00:00), so that every
 * instant from TIMEFMT_MIN to TIMEFMT_MAX prints as text that timefmt_parse
 * reads back to the same instant. Pure: the zone is given. */
#ifndef CROND_TIMEFMT_H
#define CROND_TIMEFMT_H

#include <stddef.h>
#include <stdint.h>

struct zone;

#define TIMEFMT_ISO_LEN 40 /* enough for any year and offset, with the NUL */

/* The instants timefmt_parse accepts: -999999999-01-01T00:00:00Z to
 * +999999999-12-31T23:59:59Z, well inside the range where civil.h's
 * arithmetic is exact and cannot overflow. */
#define TIMEFMT_MIN (-INT64_C(31557014135596800))
#define TIMEFMT_MAX INT64_C(31556889832780799)

/* Writes instant t (UTC seconds) as local time of z. Returns the length. */
int timefmt_iso(int64_t t, const struct zone *z, char *buf, size_t len);

/* Writes instant t_ms (UTC milliseconds) as 2026-12-01T13:00:00.002Z. */
int timefmt_utc_ms(int64_t t_ms, char *buf, size_t len);
/* Writes instant t (UTC seconds) as RFC 3339 UTC to the second,
 * 2026-12-06T23:00:05Z (CROND_LITE_DUE). */
int timefmt_utc(int64_t t, char *buf, size_t len);

/* Parses YYYY-MM-DD[Thh:mm[:ss]] with an optional offset (Z, +hh:mm, +hhmm,
 * +hh); a space may replace the T. The year is four digits, or a sign and
 * four or more (+10000, -0001), up to 1000000000: a local year one beyond
 * TIMEFMT_MAX's can still name an instant within it, with an offset. An
 * instant outside TIMEFMT_MIN..TIMEFMT_MAX is an error. Without an offset the time is local wall
 * time of z: in a repeated hour the first occurrence is taken, a time inside
 * a DST gap is read with the offset from before the gap (02:30 on a
 * spring-forward night in New York is 03:30 EDT), as mktime does.
 * Fractions of a second are accepted and dropped. Returns 0 or -1 with err. */
int timefmt_parse(const char *s, const struct zone *z, int64_t *out_t, char *err, size_t errlen);

/* Converts a local wall time (civil seconds, see civil.h) of z to an instant
 * with the rules of timefmt_parse. */
int64_t timefmt_local_to_utc(int64_t wall, const struct zone *z);

#endif
