/* duration: "90s", "5m", "1h30m", "250ms", "2d", or plain seconds ("30").
 * Pure. Units: ms, s, m, h, d; several may follow each other in decreasing
 * order (1h30m15s). Fractions are not accepted (write 1500ms, not 1.5s). */
#ifndef CROND_DURATION_H
#define CROND_DURATION_H

#include <stddef.h>
#include <stdint.h>

/* Parses s to milliseconds (>= 0, at most about 292 million years). Returns 0,
 * or -1 with a message in err naming the problem and its 1-based column. */
int duration_parse(const char *s, int64_t *out_ms, char *err, size_t errlen);

/* Writes ms in the shortest form duration_parse reads back (0s, 250ms, 1h30m). */
int duration_format(int64_t ms, char *buf, size_t len);

#endif
