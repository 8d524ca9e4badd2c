/* cronspec: one schedule string to a compact form (bitsets plus flags).
 *
 * Pure: no I/O, no clock, no globals. The grammar (DESIGN.md sections 2, 9):
 *
 *   schedule := ["-"] (macro | fields5 | fields6 | fields7)
 *   macro    := "@reboot" | "@yearly" | "@annually" | "@monthly" | "@weekly"
 *             | "@daily" | "@midnight" | "@hourly" | "@every" DURATION
 *   fields5  := minute hour dom month dow
 *   fields6  := fields5 year                      (year 1970-2099)
 *   fields7  := second fields5 year
 *   field    := item ("," item)*
 *   item     := base ["/" step] | random | special
 *   base     := "*" | value | value "-" value     ("?" = "*" in dom and dow)
 *             | value "-" "L"                     (dom only: to the month's last day)
 *   random   := [value] "~" [value]               (cronie: one value of the range)
 *   value    := decimal number | name (months and weekdays, 3 letters or full)
 *   special  := dom: "L" | "LW" | N "W"      dow: D "L" | D "#" N
 *
 * "N/step" means N to the field's maximum (day of week: N-6). Day of week 0
 * and 7 are Sunday; a range ending in Sunday (Wed-Sun, 3-0) ends at 7. A
 * step larger than its field is accepted with a warning and matches the
 * range's first value only (as cronie). A leading "-" (cronie: "do not
 * log") sets CRONSPEC_QUIET. A random item's bounds default to the field's
 * (day of week 0-6); its value comes from the seed (cronspec_seed), so one
 * job gets the same value wherever and whenever it is parsed.
 */
#ifndef CROND_CRONSPEC_H
#define CROND_CRONSPEC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define CRONSPEC_YEAR_MIN 1970
#define CRONSPEC_YEAR_MAX 2099
#define CRONSPEC_YEAR_WORDS 3 /* 130 year bits */
#define CRONSPEC_EVERY_MAX_MS (3650LL * 86400 * 1000) /* @every at most ten years */

enum cronspec_kind {
    CRONSPEC_CALENDAR, /* fields or a calendar macro */
    CRONSPEC_REBOOT,   /* @reboot: once at daemon start */
    CRONSPEC_EVERY,    /* @every DURATION since daemon start */
};

enum cronspec_flag {
    CRONSPEC_MIN_STAR = 1 << 0,   /* minute field starts with '*' */
    CRONSPEC_HOUR_STAR = 1 << 1,  /* hour field starts with '*' */
    CRONSPEC_DOM_STAR = 1 << 2,   /* day of month starts with '*' or '?' */
    CRONSPEC_DOW_STAR = 1 << 3,   /* day of week starts with '*' or '?' */
    CRONSPEC_YEAR_ANY = 1 << 4,   /* no year restriction (no field, or '*') */
    CRONSPEC_DOM_LAST = 1 << 5,   /* L: last day of the month */
    CRONSPEC_DOM_LASTWD = 1 << 6, /* LW: last weekday (Mon-Fri) of the month */
    CRONSPEC_SECONDS = 1 << 7,    /* written with a seconds field */
    CRONSPEC_RANDOM = 1 << 8,     /* has a random item ('~'): values from the seed */
    CRONSPEC_QUIET = 1 << 9,      /* cronie's leading '-': job.start, job.exit at debug */
};

struct cronspec {
    enum cronspec_kind kind;
    unsigned flags;                        /* enum cronspec_flag bits */
    uint64_t sec;                          /* bit n: second n (0-59) */
    uint64_t min;                          /* bit n: minute n (0-59) */
    uint32_t hour;                         /* bit n: hour n (0-23) */
    uint32_t dom;                          /* bit n: day n (1-31) */
    uint32_t dom_near;                     /* bit n: weekday nearest day n (nW) */
    uint16_t mon;                          /* bit n: month n (1-12) */
    uint8_t dow;                           /* bit n: weekday n (0 = Sunday) */
    uint8_t dow_last;                      /* bit n: last weekday n of month (5L) */
    uint8_t dow_nth[7];                    /* [n] bit k: k-th weekday n (FRI#3) */
    uint64_t year[CRONSPEC_YEAR_WORDS];    /* bit y-1970, unless YEAR_ANY */
    int64_t every_ms;                      /* @every interval */
    uint32_t delay_s;                      /* RANDOM_DELAY: every fire time is this much
                                            * later (set by crontab, 0 from cronspec_parse) */
};

struct cronspec_error {
    int col;        /* 1-based column in the parsed text */
    char msg[256];  /* what was expected, e.g. "minute 60 out of range 0-59" */
};

/* Warnings: the schedule parses, but probably not to what was meant
 * ("minute: step 100 is larger than the field ..."). Each names the column
 * of its token and says what to write instead. */
#define CRONSPEC_WARNINGS_MAX 4
struct cronspec_warnings {
    size_t n;                                             /* items used */
    struct cronspec_error items[CRONSPEC_WARNINGS_MAX];   /* more are dropped */
};

/* How to parse. A NULL opts is seed 0 and no warnings. */
struct cronspec_opts {
    uint64_t seed;                        /* the job's cronspec_seed: picks '~' values */
    struct cronspec_warnings *warnings;   /* set to the warnings found, or NULL */
};

/* Parses a whole schedule (5, 6 or 7 fields, or a macro). Returns 0, or -1
 * with err filled. */
int cronspec_parse(const char *text, const struct cronspec_opts *opts, struct cronspec *out,
                   struct cronspec_error *err);

/* Parses the schedule at the start of a crontab line and tells where the rest
 * (user column or command) starts: the longest reading that parses and leaves
 * a non-empty rest wins (7, then 6, then 5 fields). *out_rest is the offset of
 * the first non-blank character after the schedule. On failure the error of
 * the reading that got furthest is reported (the 5-field one on ties). The
 * warnings are those of the reading that won. */
int cronspec_parse_prefix(const char *line, const struct cronspec_opts *opts,
                          struct cronspec *out, size_t *out_rest, struct cronspec_error *err);

/* The seed of a job's random choices ('~' values, RANDOM_DELAY): a hash of
 * the words of its text (len bytes from the schedule on: schedule, then
 * user column and command), so neither blanks, nor a leading '-', nor the
 * file or line change it: the same job gets the same values on every
 * restart and every replica. cronspec_seed_add adds more words (an INI
 * job's command after its schedule). */
uint64_t cronspec_seed(const char *text, size_t len);
uint64_t cronspec_seed_add(uint64_t seed, const char *text, size_t len);
/* A value in [0, n) (n > 0) drawn from seed for choice `what`; distinct
 * choices of one seed are independent. The same on every machine. */
#define CRONSPEC_PICK_DELAY 0xffffffffu   /* `what` of the RANDOM_DELAY choice */
uint32_t cronspec_pick(uint64_t seed, uint32_t what, uint32_t n);

/* True when minute and hour are both written without a leading '*': such a
 * job follows cronie's DST rules for fixed-time jobs (see calendar.h). */
bool cronspec_is_fixed_time(const struct cronspec *s);

/* Does the calendar date match (day of month, day of week, their OR/AND rule,
 * L, W, #)? Month and year are not checked here. */
bool cronspec_day_matches(const struct cronspec *s, int64_t year, int mon, int day);
bool cronspec_year_matches(const struct cronspec *s, int64_t year);

#endif
