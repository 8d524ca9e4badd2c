/* timefmt: ISO-8601 instants as users read and write them.
 *
 * Output is always local wall time of a zone with its UTC offset and seconds:
 * 2026-03-08T03:00:00-04:00 (UTC prints +00:00). Pure: the zone is given. */
#ifndef CROND_TIMEFMT_H
#define CROND_TIMEFMT_H

#include <stddef.h>
#include <stdint.h>

struct zone;

#define TIMEFMT_ISO_LEN 40 /* enough for any year and offset, with the NUL */

/* Writes instant t (UTC seconds) as local time of z. Returns the length. */
int timefmt_iso(int64_t t, const struct zone *z, char *buf, size_t len);

/* Writes instant t_ms (UTC milliseconds) as 2026-12-01T13:00:00.002Z. */
int timefmt_utc_ms(int64_t t_ms, char *buf, size_t len);

/* Parses YYYY-MM-DD[Thh:mm[:ss]] with an optional offset (Z, +hh:mm, +hhmm,
 * +hh); a space may replace the T. Without an offset the time is local wall
 * time of z: in a repeated hour the first occurrence is taken, a time inside
 * a DST gap is read with the offset from before the gap (02:30 on a
 * spring-forward night in New York is 03:30 EDT), as mktime does.
 * Fractions of a second are accepted and dropped. Returns 0 or -1 with err. */
int timefmt_parse(const char *s, const struct zone *z, int64_t *out_t, char *err, size_t errlen);

/* Converts a local wall time (civil seconds, see civil.h) of z to an instant
 * with the rules of timefmt_parse. */
int64_t timefmt_local_to_utc(int64_t wall, const struct zone *z);

#endif
