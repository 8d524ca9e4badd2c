/* fuzz_duration: duration_parse and duration_format. See README.md.
 *
 * Input: the duration text itself (no NUL; longer than FUZZ_DURATION_MAX
 * bytes is skipped).
 *
 * Properties:
 * - parse failure: the message says "column N: ..." with 1 <= N <= len + 1;
 * - parse success: the value is >= 0; duration_format writes it (returns 0)
 *   in a form that duration_parse reads back to the same milliseconds, and
 *   formatting that again gives the same text (the canonical form); a plain
 *   number means seconds;
 * - duration_format into every buffer too small for the text returns -1
 *   with an empty string and writes nothing past the buffer (each buffer is
 *   an exact-size heap block, so ASan sees an overflow).
 */
#include <inttypes.h>
#include <stdbool.h>

#include "crond/duration.h"
#include "fuzz.h"

#define FUZZ_DURATION_MAX 128

static void check_error(const char *err, size_t len)
{
    CHECKF(strncmp(err, "column ", 7) == 0, "message '%s'", err);
    char *end;
    unsigned long col = strtoul(err + 7, &end, 10);
    CHECKF(end != err + 7 && end[0] == ':' && end[1] == ' ' && end[2] != '\0', "message '%s'",
           err);
    CHECKF(col >= 1 && col <= len + 1, "column %lu, length %zu", col, len);
}

static void check_small_buffers(int64_t ms, size_t need)
{
    for (size_t cap = 1; cap <= need; cap++) {
        char *buf = malloc(cap);
        CHECK(buf != NULL);
        memset(buf, 'x', cap);
        CHECKF(duration_format(ms, buf, cap) == -1, "%" PRId64 " fits in %zu bytes", ms, cap);
        CHECK(buf[0] == '\0');
        free(buf);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > FUZZ_DURATION_MAX)
        return 0;
    char *text = fuzz_cstring(data, size);
    if (text == NULL)
        return 0;
    char err[160];
    int64_t ms = -1;
    err[0] = '\0';
    if (duration_parse(text, &ms, err, sizeof err) != 0) {
        check_error(err, size);
        free(text);
        return 0;
    }
    CHECKF(ms >= 0, "'%s' is %" PRId64, text, ms);
    if (strspn(text, "0123456789") == size)
        CHECKF(ms % 1000 == 0, "plain number '%s' is %" PRId64 " ms", text, ms);

    char fmt[64], again[64];
    CHECKF(duration_format(ms, fmt, sizeof fmt) == 0, "%" PRId64, ms);
    int64_t back = -1;
    CHECKF(duration_parse(fmt, &back, err, sizeof err) == 0, "'%s' from '%s': %s", fmt, text,
           err);
    CHECKF(back == ms, "'%s' is %" PRId64 " ms, its format '%s' is %" PRId64 " ms", text, ms,
           fmt, back);
    CHECK(duration_format(back, again, sizeof again) == 0);
    CHECKF(strcmp(fmt, again) == 0, "'%s' then '%s'", fmt, again);
    check_small_buffers(ms, strlen(fmt));
    free(text);
    return 0;
}
