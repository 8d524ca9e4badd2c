/* claimurl: --claim's URL (see claimurl.h). */
#include "crond/claimurl.h"

#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#define SCHEME "redis://"

__attribute__((format(printf, 3, 4)))
static int fail(char *err, size_t errlen, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    if (err != NULL && errlen > 0)
        vsnprintf(err, errlen, fmt, ap);
    va_end(ap);
    return -1;
}

static int hex(char c)
{
    return c >= '0' && c <= '9' ? c - '0'
           : c >= 'a' && c <= 'f' ? c - 'a' + 10
           : c >= 'A' && c <= 'F' ? c - 'A' + 10
                                  : -1;
}

/* Percent-decodes s[0..len) into out; -1 on a bad escape, a NUL or no room. */
static int decode(const char *s, size_t len, char *out, size_t outlen)
{
    size_t k = 0;
    for (size_t i = 0; i < len; i++) {
        int c = (unsigned char)s[i];
        if (c == '%') {
            int h = i + 2 < len ? hex(s[i + 1]) : -1;
            int l = i + 2 < len ? hex(s[i + 2]) : -1;
            if (h < 0 || l < 0)
                return -1;
            c = h * 16 + l;
            i += 2;
        }
        if (c == 0 || k + 1 >= outlen)
            return -1;
        out[k++] = (char)c;
    }
    out[k] = '\0';
    return 0;
}

/* A decimal number in [lo, hi] filling s[0..len). */
static int number(const char *s, size_t len, long lo, long hi, int *out)
{
    long v = 0;
    if (len == 0 || len > 9)
        return -1;
    for (size_t i = 0; i < len; i++) {
        if (s[i] < '0' || s[i] > '9')
            return -1;
        v = v * 10 + (s[i] - '0');
    }
    if (v < lo || v > hi)
        return -1;
    *out = (int)v;
    return 0;
}

/* Letters, digits, '-', '.', '_' (a DNS name or an IPv4 address). */
static bool host_char(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-'
           || c == '.' || c == '_';
}

int claimurl_parse(const char *text, struct claimurl *out, char *err, size_t errlen)
{
    memset(out, 0, sizeof *out);
    out->port = CLAIMURL_DEFAULT_PORT;
    if (strncmp(text, "rediss://", 9) == 0)
        return fail(err, errlen, "column 1: rediss:// (TLS) is not supported; use redis:// on a "
                                 "private network, or a TLS proxy on localhost");
    if (strncmp(text, SCHEME, strlen(SCHEME)) != 0)
        return fail(err, errlen, "column 1: expected redis://[[USER]:PASSWORD@]HOST[:PORT][/DB], "
                                 "got '%.40s'", text);
    const char *s = text + strlen(SCHEME);
    size_t col0 = strlen(SCHEME) + 1;
    const char *bad = strpbrk(s, "?#");
    if (bad != NULL)
        return fail(err, errlen, "column %zu: '%c': query and fragment are not supported",
                    col0 + (size_t)(bad - s), *bad);
    /* userinfo: up to the last '@' (a password's '@' should be %40, but a
     * bare one is taken too) */
    const char *at = strrchr(s, '@');
    if (at != NULL) {
        const char *colon = memchr(s, ':', (size_t)(at - s));
        if (colon == NULL)
            return fail(err, errlen, "column %zu: expected [USER]:PASSWORD before '@'", col0);
        if (decode(s, (size_t)(colon - s), out->user, sizeof out->user) != 0)
            return fail(err, errlen, "column %zu: bad user (percent escapes: %%40 for '@')", col0);
        if (decode(colon + 1, (size_t)(at - colon - 1), out->password, sizeof out->password) != 0)
            return fail(err, errlen, "column %zu: bad password (percent escapes: %%40 for '@', "
                                     "%%25 for '%%')", col0 + (size_t)(colon + 1 - s));
        if (out->password[0] == '\0')
            return fail(err, errlen, "column %zu: empty password", col0 + (size_t)(colon + 1 - s));
        s = at + 1;
    }
    size_t hcol = col0 + (size_t)(s - (text + strlen(SCHEME)));
    const char *h = s, *hend;
    if (*s == '[') {
        const char *close = strchr(s, ']');
        if (close == NULL || close == s + 1)
            return fail(err, errlen, "column %zu: expected [IPV6]", hcol);
        for (const char *p = s + 1; p < close; p++)
            if (hex(*p) < 0 && *p != ':' && *p != '.')
                return fail(err, errlen, "column %zu: bad IPv6 address", hcol);
        h = s + 1;
        hend = close;
        s = close + 1;
    } else {
        while (host_char(*s))
            s++;
        hend = s;
    }
    if (hend == h)
        return fail(err, errlen, "column %zu: expected a host", hcol);
    if ((size_t)(hend - h) >= sizeof out->host)
        return fail(err, errlen, "column %zu: host name too long", hcol);
    memcpy(out->host, h, (size_t)(hend - h));
    out->host[hend - h] = '\0';
    if (*s == ':') {
        const char *p = ++s;
        while (*s >= '0' && *s <= '9')
            s++;
        if (number(p, (size_t)(s - p), 1, 65535, &out->port) != 0)
            return fail(err, errlen, "column %zu: expected a port 1-65535",
                        col0 + (size_t)(p - (text + strlen(SCHEME))));
    }
    if (*s == '/') {
        const char *p = ++s;
        while (*s >= '0' && *s <= '9')
            s++;
        if (s > p && number(p, (size_t)(s - p), 0, CLAIMURL_DB_MAX, &out->db) != 0)
            return fail(err, errlen, "column %zu: expected a database number 0-%d",
                        col0 + (size_t)(p - (text + strlen(SCHEME))), CLAIMURL_DB_MAX);
    }
    if (*s != '\0')
        return fail(err, errlen, "column %zu: unexpected '%c' (expected :PORT or /DB)",
                    col0 + (size_t)(s - (text + strlen(SCHEME))), *s);
    return 0;
}

void claimurl_redacted(const struct claimurl *u, char *out, size_t outlen)
{
    bool v6 = strchr(u->host, ':') != NULL;
    snprintf(out, outlen, "redis://%s%s%s%s%s%s:%d/%d", u->user, u->password[0] != '\0' ? ":***" : "",
             u->password[0] != '\0' ? "@" : "", v6 ? "[" : "", u->host, v6 ? "]" : "", u->port,
             u->db);
}
