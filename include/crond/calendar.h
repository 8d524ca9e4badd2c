/* calendar: the next fire time of a schedule in a time zone.
 *
 * Pure: no I/O, no clock, no globals. Instants are UTC seconds. The daemon and
 * --next/--list all call calendar_next, so they cannot disagree.
 *
 * Daylight saving (cronie's rules, DESIGN.md section 3):
 * - a wildcard job (minute or hour field starting with '*') fires at every
 *   instant whose wall time matches: nothing inside a spring-forward gap, both
 *   passes of a repeated hour;
 * - a fixed-time job fires at the first instant of a wall time only, so once
 *   in a repeated hour (the first pass, also when asked from inside the second
 *   pass), and when matching wall times were skipped by a gap it fires once at
 *   the first instant after the gap.
 */
#ifndef CROND_CALENDAR_H
#define CROND_CALENDAR_H

#include <stdint.h>

struct cronspec;
struct zone;

enum calendar_status {
    CALENDAR_OK = 0,
    CALENDAR_NEVER = 1, /* no fire time after `after`, ever */
    CALENDAR_NOT_CALENDAR = 2, /* @reboot or @every: use calendar_next_every */
};

/* The first fire time strictly after instant `after`. Jumps field by field
 * (year, month, day, hour, minute, second); it never walks minute by minute.
 * A schedule with a delay (s->delay_s, RANDOM_DELAY) fires that many seconds
 * after each of its own times: the undelayed time after after - delay, plus
 * the delay. */
enum calendar_status calendar_next(const struct cronspec *s, const struct zone *z,
                                   int64_t after, int64_t *out_next);

/* @every: the first origin + k*every (k >= 1) strictly after `after`, in
 * milliseconds. */
int64_t calendar_next_every(int64_t every_ms, int64_t origin_ms, int64_t after_ms);

#endif
