/* util: growable arrays, FNV-1a, the bounded file reader (see util.h). */
#include "crond/util.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

int util_grow(void **arr, size_t n, size_t *cap, size_t elem)
{
    if (n < *cap)
        return 0;
    size_t ncap = *cap ? *cap : 8;
    while (ncap <= n) {
        if (elem == 0 || ncap > SIZE_MAX / 2 / elem)
            return -1;
        ncap *= 2;
    }
    void *p = realloc(*arr, ncap * elem);
    if (p == NULL)
        return -1;
    *arr = p;
    *cap = ncap;
    return 0;
}

uint64_t util_hash(uint64_t h, const void *data, size_t len)
{
    const unsigned char *p = data;
    for (size_t i = 0; i < len; i++)
        h = (h ^ p[i]) * UINT64_C(1099511628211);
    return h;
}

uint64_t util_hash_str(uint64_t h, const char *s)
{
    if (s == NULL)
        return util_hash(h, "\xff", 1); /* no string holds a lone 0xff and then ends */
    return util_hash(h, s, strlen(s) + 1);
}

int util_name_value(const struct util_name *t, size_t n, const char *s)
{
    if (s == NULL)
        return -1;
    for (size_t i = 0; i < n; i++)
        if (strcasecmp(t[i].name, s) == 0)
            return t[i].value;
    return -1;
}

const char *util_name_of(const struct util_name *t, size_t n, int value)
{
    for (size_t i = 0; i < n; i++)
        if (t[i].value == value)
            return t[i].name;
    return "unknown";
}

struct util_arena_block {
    struct util_arena_block *next;
    size_t size;                      /* bytes after the header */
};

#define ARENA_MIN ((size_t)1024)
#define ARENA_MAX ((size_t)65536)

void *util_arena_alloc(struct util_arena *a, size_t size)
{
    size = (size + 7) & ~(size_t)7;
    if (size > a->left) {
        size_t want = a->blocks != NULL ? a->blocks->size * 2 : ARENA_MIN;
        if (want > ARENA_MAX)
            want = ARENA_MAX;
        if (size > want)
            want = size; /* a string longer than a block gets a block of its own */
        struct util_arena_block *b = malloc(sizeof *b + want);
        if (b == NULL)
            return NULL;
        *b = (struct util_arena_block){a->blocks, want};
        a->blocks = b;
        a->next = (char *)(b + 1);
        a->left = want;
    }
    void *p = a->next;
    a->next += size;
    a->left -= size;
    return p;
}

char *util_arena_strndup(struct util_arena *a, const char *s, size_t n)
{
    char *d = util_arena_alloc(a, n + 1);
    if (d != NULL) {
        memcpy(d, s, n);
        d[n] = '\0';
    }
    return d;
}

void util_arena_free(struct util_arena *a)
{
    while (a->blocks != NULL) {
        struct util_arena_block *b = a->blocks;
        a->blocks = b->next;
        free(b);
    }
    *a = (struct util_arena){0};
}

/* Reads fd into buf (max + 1 bytes of room) until EOF. Returns 0 or errno. */
static int read_to_end(int fd, char *buf, size_t max, size_t *out_len)
{
    size_t len = 0;
    for (;;) {
        ssize_t n = read(fd, buf + len, max + 1 - len);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            return errno;
        if (n == 0)
            break;
        len += (size_t)n;
        if (len > max)
            return EFBIG;
    }
    *out_len = len;
    return 0;
}

static int fail(int rc, char *err, size_t errlen, const char *what, size_t max)
{
    if (err == NULL || errlen == 0)
        return rc;
    if (rc == EFBIG)
        snprintf(err, errlen, "larger than %zu bytes", max);
    else if (rc == EISDIR || rc == EINVAL)
        snprintf(err, errlen, "not a regular file");
    else
        snprintf(err, errlen, "%s: %s", what, strerror(rc));
    return rc;
}

int util_read_file(const char *path, size_t max, struct util_file *out, char *err,
                   size_t errlen)
{
    *out = (struct util_file){0};
    int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
    if (fd < 0)
        return fail(errno, err, errlen, "cannot open", max);
    struct stat st;
    int rc = 0;
    const char *what = "cannot read";
    if (fstat(fd, &st) != 0) {
        rc = errno;
        what = "cannot stat";
    } else if (!S_ISREG(st.st_mode)) {
        rc = S_ISDIR(st.st_mode) ? EISDIR : EINVAL;
    } else if ((uintmax_t)st.st_size > max) {
        rc = EFBIG;
    } else if ((out->data = malloc((size_t)st.st_size + 2)) == NULL) {
        rc = ENOMEM;
    } else {
        /* st_size is a hint: read what is there, up to max */
        size_t room = (size_t)st.st_size + 1 < max ? (size_t)st.st_size + 1 : max;
        rc = read_to_end(fd, out->data, room, &out->len);
        if (rc == EFBIG && room < max) {
            /* it grew after fstat: what was read up to its size stands, and
             * a later read (reload) sees the rest */
            out->len = (size_t)st.st_size;
            rc = 0;
        }
    }
    (void)close(fd); /* read-only: a failing close loses nothing */
    if (rc != 0) {
        free(out->data);
        *out = (struct util_file){0};
        return fail(rc, err, errlen, what, max);
    }
    out->data[out->len] = '\0';
    out->mode = st.st_mode;
    return 0;
}

/* ------------------------------------------------------------------------ */
/* Growable buffer                                                          */
/* ------------------------------------------------------------------------ */

void util_buf_add(struct util_buf *b, const char *s, size_t n)
{
    if (b->oom)
        return;
    if (b->len + n + 1 > b->cap) {
        size_t cap = b->cap > 0 ? b->cap : 256;
        while (cap < b->len + n + 1)
            cap *= 2;
        char *d = realloc(b->data, cap);
        if (d == NULL) {
            b->oom = 1;
            return;
        }
        b->data = d;
        b->cap = cap;
    }
    memcpy(b->data + b->len, s, n);
    b->len += n;
    b->data[b->len] = '\0';
}

void util_buf_str(struct util_buf *b, const char *s)
{
    util_buf_add(b, s, strlen(s));
}

void util_buf_printf(struct util_buf *b, const char *fmt, ...)
{
    char small[256];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(small, sizeof small, fmt, ap);
    va_end(ap);
    if (n < 0) {
        b->oom = 1;
        return;
    }
    if ((size_t)n < sizeof small) {
        util_buf_add(b, small, (size_t)n);
        return;
    }
    char *big = malloc((size_t)n + 1);
    if (big == NULL) {
        b->oom = 1;
        return;
    }
    va_start(ap, fmt);
    vsnprintf(big, (size_t)n + 1, fmt, ap);
    va_end(ap);
    util_buf_add(b, big, (size_t)n);
    free(big);
}

void util_buf_free(struct util_buf *b)
{
    free(b->data);
    *b = (struct util_buf){0};
}

const char *util_env_get(char *const envp[], const char *name)
{
    size_t len = strlen(name);
    for (size_t i = 0; envp != NULL && envp[i] != NULL; i++)
        if (strncmp(envp[i], name, len) == 0 && envp[i][len] == '=')
            return envp[i] + len + 1;
    return NULL;
}

void util_vmsg(char *err, size_t errlen, const char *prefix, const char *fmt, va_list ap)
{
    if (err == NULL || errlen == 0)
        return;
    int n = snprintf(err, errlen, "%s", prefix);
    if (n < 0 || (size_t)n >= errlen)
        return;
    vsnprintf(err + n, errlen - (size_t)n, fmt, ap);
}
