/* duration: text such as "1h30m" to milliseconds and back (see duration.h).
 *
 * Grammar:
 *
 *   duration := digits                 plain seconds: "30"
 *             | term { term }          units strictly decreasing: "1h30m15s"
 *   term     := digits unit
 *   unit     := "d" | "h" | "m" | "s" | "ms"
 *
 * A unit is read as the whole run of letters after the digits, so "5ms" is
 * five milliseconds, "5m5s" five minutes and five seconds, and "5sec" is an
 * unknown unit rather than "5s" followed by junk. Units are case-sensitive:
 * "5M" could mean months to some readers, so it is refused, not guessed.
 */
#include "crond/duration.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

/* ---------------------------------------------------------------- units -- */

struct unit {
    const char *name; /* as written after the digits */
    int64_t ms;       /* its length in milliseconds */
};

/* In the only order a duration may use them; the index is the rank. */
static const struct unit units[] = {
    {"d", 86400000}, {"h", 3600000}, {"m", 60000}, {"s", 1000}, {"ms", 1},
};
enum { UNIT_COUNT = sizeof units / sizeof units[0], UNIT_SECONDS = 3 };

#define UNITS_EXPECTED "ms, s, m, h or d"

static int unit_find(const char *word, size_t len)
{
    for (int i = 0; i < UNIT_COUNT; i++)
        if (strlen(units[i].name) == len && memcmp(units[i].name, word, len) == 0)
            return i;
    return -1;
}

/* --------------------------------------------------------------- errors -- */

__attribute__((format(printf, 4, 5)))
static int fail(char *err, size_t errlen, size_t col, const char *fmt, ...)
{
    if (err == NULL || errlen == 0)
        return -1;
    int n = snprintf(err, errlen, "column %zu: ", col);
    if (n < 0 || (size_t)n >= errlen)
        return -1;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err + n, errlen - (size_t)n, fmt, ap);
    va_end(ap);
    return -1;
}

/* Quotes one character for a message; control bytes and non-ASCII are shown
 * as hex so that a message never carries raw terminal escapes. */
static const char *char_quote(char c, char *buf, size_t len)
{
    unsigned char u = (unsigned char)c;
    if (u >= 0x20 && u < 0x7f)
        snprintf(buf, len, "'%c'", c);
    else
        snprintf(buf, len, "byte 0x%02x", u);
    return buf;
}

static bool is_digit(char c) { return c >= '0' && c <= '9'; }
static bool is_alpha(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }

/* ---------------------------------------------------------------- parse -- */

/* Reads digits at *pos; returns false when the value exceeds INT64_MAX (the
 * digits are still consumed so the caller can point at the number). */
static bool digits_read(const char *s, size_t *pos, int64_t *out)
{
    int64_t v = 0;
    bool fits = true;
    for (; is_digit(s[*pos]); (*pos)++) {
        int d = s[*pos] - '0';
        if (v > (INT64_MAX - d) / 10)
            fits = false;
        else
            v = v * 10 + d;
    }
    *out = v;
    return fits;
}

/* Finds the unit after a number at *pos (which is advanced past it), or
 * explains why there is none. `first` tells whether a bare number is still
 * allowed (only a whole duration of plain digits means seconds). */
static int unit_read(const char *s, size_t *pos, bool first, int *out_unit, char *err,
                     size_t errlen)
{
    size_t start = *pos;
    char q[16];
    if (s[start] == '\0') {
        if (first) {
            *out_unit = UNIT_SECONDS;
            return 0;
        }
        return fail(err, errlen, start + 1,
                    "expected a unit (" UNITS_EXPECTED ") after the number");
    }
    if (s[start] == '.' || s[start] == ',')
        return fail(err, errlen, start + 1,
                    "expected a unit, got %s: fractions are not accepted (write 1500ms, not 1.5s)",
                    char_quote(s[start], q, sizeof q));
    if (!is_alpha(s[start]))
        return fail(err, errlen, start + 1, "expected a unit (" UNITS_EXPECTED "), got %s",
                    char_quote(s[start], q, sizeof q));
    while (is_alpha(s[*pos]))
        (*pos)++;
    int len = (int)(*pos - start);
    *out_unit = unit_find(s + start, (size_t)len);
    if (*out_unit < 0)
        return fail(err, errlen, start + 1, "unknown unit '%.*s' (expected " UNITS_EXPECTED ")",
                    len > 16 ? 16 : len, s + start);
    return 0;
}

/* Reads one term at *pos and adds it to *total. *last is the rank of the
 * previous unit (-1 before the first), which the new one must come after. */
static int term_read(const char *s, size_t *pos, int *last, int64_t *total, char *err,
                     size_t errlen)
{
    size_t start = *pos;
    if (!is_digit(s[start])) {
        char q[16];
        return fail(err, errlen, start + 1, "expected a digit%s, got %s%s",
                    *last < 0 ? "" : " or the end", char_quote(s[start], q, sizeof q),
                    (s[start] == '-' || s[start] == '+') ? " (durations have no sign)" : "");
    }
    int64_t n;
    bool fits = digits_read(s, pos, &n);
    size_t unit_col = *pos + 1;
    int u = 0;
    if (unit_read(s, pos, *last < 0, &u, err, errlen) < 0)
        return -1;
    if (u == *last)
        return fail(err, errlen, unit_col, "unit '%s' given twice (each unit at most once)",
                    units[u].name);
    if (u < *last)
        return fail(err, errlen, unit_col,
                    "unit '%s' after '%s' (expected units in the order d, h, m, s, ms)",
                    units[u].name, units[*last].name);
    if (!fits || n > (INT64_MAX - *total) / units[u].ms)
        return fail(err, errlen, start + 1,
                    "duration is too large (at most about 292 million years)");
    *total += n * units[u].ms;
    *last = u;
    return 0;
}

int duration_parse(const char *s, int64_t *out_ms, char *err, size_t errlen)
{
    if (s == NULL || s[0] == '\0')
        return fail(err, errlen, 1, "empty duration (expected a number and a unit, like 90s)");
    size_t pos = 0;
    int last = -1;
    int64_t total = 0;
    while (s[pos] != '\0')
        if (term_read(s, &pos, &last, &total, err, errlen) < 0)
            return -1;
    *out_ms = total;
    return 0;
}

/* --------------------------------------------------------------- format -- */

/* Largest units first, zero parts left out: the canonical form people write
 * (90000 is "1m30s", not "90s"), and always read back to the same value. */
int duration_format(int64_t ms, char *buf, size_t len)
{
    if (buf == NULL || len == 0)
        return -1;
    buf[0] = '\0';
    if (ms < 0)
        return -1;
    if (ms == 0) {
        if (len < sizeof "0s")
            return -1;
        memcpy(buf, "0s", sizeof "0s");
        return 0;
    }
    size_t used = 0;
    for (int i = 0; i < UNIT_COUNT; i++) {
        int64_t q = ms / units[i].ms;
        ms %= units[i].ms;
        if (q == 0)
            continue;
        int n = snprintf(buf + used, len - used, "%" PRId64 "%s", q, units[i].name);
        if (n < 0 || (size_t)n >= len - used) {
            buf[0] = '\0';
            return -1;
        }
        used += (size_t)n;
    }
    return 0;
}
