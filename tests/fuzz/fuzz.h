/* Shared by the fuzz targets (tests/fuzz/fuzz_*.c) and the replay driver
 * (tests/fuzz/replay.c). See tests/fuzz/README.md.
 *
 * A target checks properties of what the code under test returns, not only
 * that it ran: CHECK aborts with the failed condition, which libFuzzer (and
 * the replay driver) reports as a crash with the input that caused it. */
#ifndef CROND_FUZZ_H
#define CROND_FUZZ_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The libFuzzer entry point; the replay driver calls it too. */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK(cond)                                                                     \
    do {                                                                                \
        if (!(cond)) {                                                                  \
            fprintf(stderr, "%s:%d: CHECK failed: %s\n", __FILE__, __LINE__, #cond);   \
            abort();                                                                    \
        }                                                                               \
    } while (0)

/* CHECK with a printf message for the values involved. */
#define CHECKF(cond, ...)                                                               \
    do {                                                                                \
        if (!(cond)) {                                                                  \
            fprintf(stderr, "%s:%d: CHECK failed: %s: ", __FILE__, __LINE__, #cond);   \
            fprintf(stderr, __VA_ARGS__);                                               \
            fputc('\n', stderr);                                                        \
            abort();                                                                    \
        }                                                                               \
    } while (0)

/* A NUL-terminated heap copy of the input (exactly size + 1 bytes, so that
 * AddressSanitizer catches a read past the terminator), or NULL when the
 * input holds a NUL byte itself and so is no C string. */
static inline char *fuzz_cstring(const uint8_t *data, size_t size)
{
    if (size > 0 && memchr(data, '\0', size) != NULL)
        return NULL;
    char *s = malloc(size + 1);
    if (s == NULL)
        abort();
    if (size > 0)
        memcpy(s, data, size);
    s[size] = '\0';
    return s;
}

/* Lines in text as the parsers count them: every '\n' ends one, and bytes
 * after the last '\n' make one more. */
static inline size_t fuzz_count_lines(const char *text, size_t len)
{
    size_t n = 0;
    for (size_t i = 0; i < len; i++)
        n += text[i] == '\n';
    return n + (len > 0 && text[len - 1] != '\n');
}

/* The text with "\r\n" for every '\n' not preceded by '\r' already, in an
 * exact-size heap block (at least 1 byte). The parsers drop one '\r' before
 * each '\n', so both texts must read the same. */
static inline char *fuzz_to_crlf(const char *text, size_t len, size_t *out_len)
{
    size_t n = len;
    for (size_t i = 0; i < len; i++)
        n += text[i] == '\n' && (i == 0 || text[i - 1] != '\r');
    char *d = malloc(n ? n : 1);
    if (d == NULL)
        abort();
    size_t k = 0;
    for (size_t i = 0; i < len; i++) {
        if (text[i] == '\n' && (i == 0 || text[i - 1] != '\r'))
            d[k++] = '\r';
        d[k++] = text[i];
    }
    *out_len = n;
    return d;
}

/* Equal strings, or both NULL. */
static inline int fuzz_str_eq(const char *a, const char *b)
{
    return a == b || (a != NULL && b != NULL && strcmp(a, b) == 0);
}

#endif
