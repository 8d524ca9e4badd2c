/* util: the few primitives every module uses (STYLE.md, "one small library
 * of primitives"): one growable array, one hash, one name table, one
 * bounded file reader.
 * No state, no clock; util_read_file is the only function with I/O.
 */
#ifndef CROND_UTIL_H
#define CROND_UTIL_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/* Makes room for element n of *arr (elem bytes each), doubling its capacity
 * *cap from at least 8. Returns 0, or -1 when out of memory or the size
 * would overflow (then *arr and *cap are unchanged). */
int util_grow(void **arr, size_t n, size_t *cap, size_t elem);

/* 64-bit FNV-1a of len bytes, continuing from h (start with UTIL_HASH_INIT):
 * fast, stable across runs and machines (job identities, file digests). */
#define UTIL_HASH_INIT UINT64_C(14695981039346656037)
uint64_t util_hash(uint64_t h, const void *data, size_t len);
/* The same over a NUL-terminated string and its terminator, so that
 * ("ab", "c") and ("a", "bc") hash differently; NULL hashes apart from "". */
uint64_t util_hash_str(uint64_t h, const char *s);

/* A table of names users write for an enum's values (STYLE.md point 5). */
struct util_name {
    const char *name;   /* compared case-insensitively */
    int value;
};
#define UTIL_COUNT_OF(a) (sizeof(a) / sizeof((a)[0]))
/* The value of name s in t (n entries), or -1 for none (also for NULL). */
int util_name_value(const struct util_name *t, size_t n, const char *s);
/* The first name of value in t, or "unknown". */
const char *util_name_of(const struct util_name *t, size_t n, int value);

/* A bump allocator: many small objects that live and die together (a
 * crontab's strings and schedules), with no per-object malloc overhead and
 * stable addresses. Blocks grow from 1 KiB to 64 KiB. Zero-initialise it. */
struct util_arena_block;
struct util_arena {
    struct util_arena_block *blocks;  /* newest first */
    char *next;                       /* free space in the newest block */
    size_t left;
};
/* size bytes aligned to 8, or NULL when out of memory. */
void *util_arena_alloc(struct util_arena *a, size_t size);
/* A NUL-terminated copy of n bytes of s, or NULL. */
char *util_arena_strndup(struct util_arena *a, const char *s, size_t n);
void util_arena_free(struct util_arena *a);

/* A growable byte buffer (an HTTP response, a metrics exposition). Zero-
 * initialise it; data stays NUL-terminated once anything was appended. */
struct util_buf {
    char *data;
    size_t len, cap;
    int oom;       /* an append failed: the contents are cut short */
};
/* Appends n bytes of s (or a string, or printf-style text). On failure
 * sets b->oom and appends nothing more. */
void util_buf_add(struct util_buf *b, const char *s, size_t n);
void util_buf_str(struct util_buf *b, const char *s);
void util_buf_printf(struct util_buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void util_buf_free(struct util_buf *b);

/* A whole file read into memory. */
struct util_file {
    char *data;    /* len bytes and a NUL (malloc'd; free it) */
    size_t len;
    mode_t mode;   /* st_mode at open */
};

/* Reads the regular file at path, at most max bytes. Opens it with
 * O_NONBLOCK so that a FIFO in a file's place cannot hang the daemon (it is
 * refused as not a regular file) and reads one byte past max to catch a
 * file that grew after fstat. Returns 0, or an errno value with a message
 * in err: ENOENT... ("cannot open: ..."), EISDIR or EINVAL ("not a regular
 * file"), EFBIG ("larger than max bytes"), EIO... ("cannot read: ..."),
 * ENOMEM. */
/* Like getenv(3), but in the array given ("NAME=VALUE", NULL-terminated;
 * may be NULL), so tests need no setenv: the value, or NULL. */
const char *util_env_get(char *const envp[], const char *name);

/* Writes prefix, then fmt's text, into err (errlen bytes, cut to fit):
 * the usage errors' shape ("crond-lite: --grace: ..."). */
void util_vmsg(char *err, size_t errlen, const char *prefix, const char *fmt, va_list ap)
    __attribute__((format(printf, 4, 0)));

int util_read_file(const char *path, size_t max, struct util_file *out, char *err,
                   size_t errlen);

#endif
