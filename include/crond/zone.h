/* zone: time zone rules from the system tz database, without libc's TZ.
 *
 * Why our own TZif reader instead of setenv("TZ") + localtime_r/mktime:
 * - jobs in different zones coexist in one crontab; libc keeps ONE zone in
 *   process-global state, so every conversion would switch TZ (re-reading and
 *   re-parsing the file, not thread-safe, not pure);
 * - mktime's answer for a wall time in a DST gap or a repeated hour is
 *   under-specified; the calendar needs the exact offset intervals ("spans")
 *   to apply cronie's gap and repeated-hour rules;
 * - glibc silently falls back to UTC for an unknown zone name; we must reject
 *   it;
 * - a static binary (no NSS, musl or glibc) behaves the same.
 * TZif versions 1-4 are read (64-bit data when present), and times after the
 * last transition follow the POSIX TZ string of the file's footer.
 *
 * The parsing functions are pure; only zone_load and zone_cache_get read
 * files. A zone is immutable once built and can be shared.
 */
#ifndef CROND_ZONE_H
#define CROND_ZONE_H

#include <stddef.h>
#include <stdint.h>

struct zone;

/* A maximal interval of instants [start, end) (UTC seconds) during which the
 * UTC offset is constant. Neighbouring spans always have different offsets
 * (transitions that change only the abbreviation or the DST flag are merged).
 * start is INT64_MIN / end is INT64_MAX when unbounded. */
struct zone_span {
    int64_t start;       /* first instant with this offset */
    int64_t end;         /* first instant after the span */
    int32_t offset;      /* seconds east of UTC during the span */
    int32_t prev_offset; /* offset of the span before (== offset if none) */
};

/* Builds a zone from the bytes of a TZif file. name is copied (for messages
 * and zone_name). Returns 0, or -1 with a message in err. */
int zone_parse_tzif(const unsigned char *buf, size_t len, const char *name,
                    struct zone **out_zone, char *err, size_t errlen);
/* Builds a zone from a POSIX TZ string such as "EST5EDT,M3.2.0,M11.1.0" or
 * "<+0530>-5:30". Returns 0, or -1 with a message in err. */
int zone_parse_posix(const char *tz, struct zone **out_zone, char *err, size_t errlen);
/* The UTC zone (no file needed). */
int zone_new_utc(struct zone **out_zone);
void zone_free(struct zone *z);
const char *zone_name(const struct zone *z);

/* The span containing instant t. */
void zone_span_at(const struct zone *z, int64_t t, struct zone_span *out);
/* Offset (seconds east of UTC) in force at instant t. */
int32_t zone_offset_at(const struct zone *z, int64_t t);

/* Resolves a zone name the way users write it:
 *   "UTC", "Etc/UTC", "Z"         built-in UTC (works without tzdata)
 *   "Europe/Berlin", ":Europe/Berlin"  file under tzdir (/usr/share/zoneinfo
 *                                 when tzdir is NULL; $TZDIR is the caller's
 *                                 business)
 *   "/path/to/file"               that TZif file
 *   "EST5EDT,M3.2.0,M11.1.0"      a POSIX TZ string, when no file matches
 * An unknown name is an error, never a silent UTC. Names with ".." or empty
 * components are refused. Returns 0 or -1 with err. */
int zone_load(const char *name, const char *tzdir, struct zone **out_zone,
              char *err, size_t errlen);
/* The system zone: /etc/localtime when it exists (named after its link target
 * below .../zoneinfo/ when it is a symlink), else UTC. */
int zone_load_system(const char *tzdir, struct zone **out_zone, char *err, size_t errlen);

/* A cache of loaded zones by name, so each file is read once per load. */
struct zone_cache;
struct zone_cache *zone_cache_new(const char *tzdir);
/* Returns a zone owned by the cache (valid until zone_cache_free), or NULL
 * with err. A failed name is remembered too (one message per name). The name
 * NULL is the system zone (zone_load_system). */
const struct zone *zone_cache_get(struct zone_cache *c, const char *name,
                                  char *err, size_t errlen);
void zone_cache_free(struct zone_cache *c);

#endif
