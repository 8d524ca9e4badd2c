/* Unit tests for log: exact text and JSON records (DESIGN.md section 7),
 * quoting and escaping, invalid UTF-8, level filtering, records cut at
 * LOG_RECORD_MAX that stay valid, and writes: EPIPE, slow readers, partial
 * writes, EAGAIN. Then the output modes (DESIGN.md section 9): routing to
 * stdout and stderr with split logs, raw lines, batches that keep whole
 * lines and the order of both streams (seen write by write through
 * SOCK_SEQPACKET sockets), and each stream falling back on the other.
 * Records go to temporary files, pipes and sockets and are read back. */
#include "testutil.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <unistd.h>

#include "crond/log.h"

#define T0 1796130000002LL /* 2026-12-01T13:00:00.002Z */
#define T1 1796130000140LL /* 2026-12-01T13:00:00.140Z */
#define T2 1796130001513LL /* 2026-12-01T13:00:01.513Z */
#define STAMP "2026-12-01T13:00:00.002Z"

static struct log lg; /* ~100 KiB: not on the stack */

/* ------------------------------------------------------------- helpers -- */

/* An anonymous temporary file for records. */
static int sink_open(void)
{
    FILE *f = tmpfile();
    assert_non_null(f);
    int fd = dup(fileno(f));
    assert_true(fd >= 0);
    assert_int_equal(fclose(f), 0);
    return fd;
}

/* Everything in fd from offset 0, NUL-terminated; *out_n its length. */
static char *sink_read(int fd, size_t *out_n)
{
    size_t cap = 4 * LOG_RECORD_MAX, n = 0;
    char *s = malloc(cap + 1);
    assert_non_null(s);
    for (;;) {
        ssize_t r = pread(fd, s + n, cap - n, (off_t)n);
        assert_true(r >= 0);
        if (r == 0)
            break;
        n += (size_t)r;
        assert_true(n < cap);
    }
    s[n] = '\0';
    *out_n = n;
    return s;
}

/* Everything in fd from offset 0, however large; *out_n its length. */
static char *sink_read_big(int fd, size_t *out_n)
{
    off_t end = lseek(fd, 0, SEEK_END);
    assert_true(end >= 0);
    char *s = malloc((size_t)end + 1);
    assert_non_null(s);
    size_t n = 0;
    while (n < (size_t)end) {
        ssize_t r = pread(fd, s + n, (size_t)end - n, (off_t)n);
        assert_true(r > 0);
        n += (size_t)r;
    }
    s[n] = '\0';
    *out_n = n;
    return s;
}

static void sink_expect(int fd, const char *want)
{
    size_t n;
    char *got = sink_read(fd, &n);
    assert_int_equal(n, strlen(want));
    assert_string_equal(got, want);
    free(got);
    assert_int_equal(close(fd), 0);
}

/* One record "event=e" at STAMP with one string field k. */
static void record_one_str(int fd, enum log_format f, const char *v, size_t n)
{
    log_init(&lg, fd, f, LOG_LEVEL_INFO);
    log_begin(&lg, T0, LOG_LEVEL_INFO, "e");
    log_strn(&lg, "k", v, n);
    assert_int_equal(log_end(&lg), 0);
}

/* ------------------------------------------------------ tiny validators -- */

/* Valid UTF-8 by decoding code points (not the module's algorithm). */
static bool utf8_valid(const unsigned char *s, size_t n)
{
    static const unsigned min[] = {0, 0x80, 0x800, 0x10000};
    for (size_t i = 0; i < n;) {
        unsigned c = s[i];
        unsigned k = c < 0x80 ? 0 : c < 0xc0 ? 9 : c < 0xe0 ? 1 : c < 0xf0 ? 2 : c < 0xf8 ? 3 : 9;
        if (k == 9 || i + k >= n)
            return false;
        unsigned cp = k == 0 ? c : c & (0x3fu >> k);
        for (unsigned j = 1; j <= k; j++) {
            if ((s[i + j] & 0xc0) != 0x80)
                return false;
            cp = cp << 6 | (s[i + j] & 0x3f);
        }
        if (cp < min[k] || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
            return false;
        i += k + 1;
    }
    return true;
}

static bool hex4(const char **p)
{
    for (int i = 0; i < 4; i++)
        if (!isxdigit((unsigned char)*++*p))
            return false;
    return true;
}

/* A JSON string at *p: escapes, no raw control bytes, valid UTF-8. */
static bool json_string(const char **p)
{
    const char *s = *p, *start;
    if (*s++ != '"')
        return false;
    for (start = s; *s != '"'; s++) {
        unsigned char c = (unsigned char)*s;
        if (c < 0x20)
            return false;
        if (c != '\\')
            continue;
        c = (unsigned char)*++s;
        if (c == 'u' ? !hex4(&s) : c == '\0' || strchr("\"\\/bfnrt", c) == NULL)
            return false;
    }
    *p = s + 1;
    return utf8_valid((const unsigned char *)start, (size_t)(s - start));
}

/* One JSON value: a string, an integer or true. */
static bool json_value(const char **p)
{
    if (**p == '"')
        return json_string(p);
    if (strncmp(*p, "true", 4) == 0) {
        *p += 4;
        return true;
    }
    if (**p == '-')
        ++*p;
    size_t digits = strspn(*p, "0123456789");
    *p += digits;
    return digits > 0;
}

/* One flat JSON object of string, integer and true values, then "\n". */
static bool json_record_valid(const char *s)
{
    if (*s++ != '{')
        return false;
    for (bool first = true; *s != '}'; first = false)
        if ((!first && *s++ != ',') || !json_string(&s) || *s++ != ':' || !json_value(&s))
            return false;
    return strcmp(s, "}\n") == 0;
}

/* A logfmt value: bare (no blank, '=', '"', '\' or control byte) or quoted
 * with the escapes log.h names. */
static bool text_value(const char **p)
{
    const char *s = *p;
    if (*s != '"') {
        while (*s != '\0' && *s != ' ' && *s != '\n') {
            unsigned char c = (unsigned char)*s++;
            if (c < 0x20 || c == 0x7f || c == '=' || c == '"' || c == '\\')
                return false;
        }
        bool empty = s == *p; /* empty values must be quoted */
        *p = s;
        return !empty;
    }
    for (s++; *s != '"'; s++) {
        unsigned char c = (unsigned char)*s;
        if (c < 0x20 || c == 0x7f)
            return false;
        if (c != '\\')
            continue;
        c = (unsigned char)*++s;
        if (c == 'x' ? !isxdigit((unsigned char)s[1]) || !isxdigit((unsigned char)s[2])
                     : c == '\0' || strchr("\"\\nrt", c) == NULL)
            return false;
        s += c == 'x' ? 2 : 0;
    }
    *p = s + 1;
    return true;
}

/* One logfmt line: TIME then " key=value" fields, then "\n". */
static bool text_record_valid(const char *s)
{
    s += strcspn(s, " \n");
    while (*s == ' ') {
        s++;
        size_t key = strcspn(s, "= \n\"\\");
        s += key;
        if (key == 0 || *s++ != '=' || !text_value(&s))
            return false;
    }
    return strcmp(s, "\n") == 0;
}

/* ------------------------------------------------- DESIGN.md examples -- */

static void log_design_records(int fd, enum log_format f)
{
    log_init(&lg, fd, f, LOG_LEVEL_INFO);
    log_begin(&lg, T0, LOG_LEVEL_INFO, "job.start");
    log_str(&lg, "job", "app.cron:3");
    log_int(&lg, "pid", 812);
    log_str(&lg, "cmd", "backup --full");
    assert_int_equal(log_end(&lg), 0);
    log_begin(&lg, T1, LOG_LEVEL_INFO, "job.output");
    log_str(&lg, "job", "app.cron:3");
    log_int(&lg, "pid", 812);
    log_str(&lg, "stream", "stdout");
    log_str(&lg, "msg", "dumped 42 tables");
    assert_int_equal(log_end(&lg), 0);
    log_begin(&lg, T2, LOG_LEVEL_INFO, "job.exit");
    log_str(&lg, "job", "app.cron:3");
    log_int(&lg, "pid", 812);
    log_int(&lg, "status", 0);
    log_int(&lg, "duration_ms", 1511);
    assert_int_equal(log_end(&lg), 0);
    assert_int_equal(lg.sink[LOG_STREAM_OUT].write_errno, 0);
}

static void test_design_examples_text(void **state)
{
    (void)state;
    int fd = sink_open();
    log_design_records(fd, LOG_FORMAT_TEXT);
    sink_expect(fd, "2026-12-01T13:00:00.002Z level=info event=job.start job=app.cron:3 pid=812 "
                    "cmd=\"backup --full\"\n"
                    "2026-12-01T13:00:00.140Z level=info event=job.output job=app.cron:3 pid=812 "
                    "stream=stdout msg=\"dumped 42 tables\"\n"
                    "2026-12-01T13:00:01.513Z level=info event=job.exit job=app.cron:3 pid=812 "
                    "status=0 duration_ms=1511\n");
}

static void test_design_examples_json(void **state)
{
    (void)state;
    int fd = sink_open();
    log_design_records(fd, LOG_FORMAT_JSON);
    sink_expect(fd, "{\"time\":\"2026-12-01T13:00:00.002Z\",\"level\":\"info\","
                    "\"event\":\"job.start\",\"job\":\"app.cron:3\",\"pid\":812,"
                    "\"cmd\":\"backup --full\"}\n"
                    "{\"time\":\"2026-12-01T13:00:00.140Z\",\"level\":\"info\","
                    "\"event\":\"job.output\",\"job\":\"app.cron:3\",\"pid\":812,"
                    "\"stream\":\"stdout\",\"msg\":\"dumped 42 tables\"}\n"
                    "{\"time\":\"2026-12-01T13:00:01.513Z\",\"level\":\"info\","
                    "\"event\":\"job.exit\",\"job\":\"app.cron:3\",\"pid\":812,"
                    "\"status\":0,\"duration_ms\":1511}\n");
}

/* ----------------------------------------------------- quoting, escapes -- */

struct escape_case {
    const char *value; /* logged as k (sizeof - 1 bytes: may hold NUL) */
    size_t len;
    const char *text;  /* what follows "k=" in text */
    const char *json;  /* what follows "\"k\":" in JSON */
};

#define CASE(v, t, j) {v, sizeof(v) - 1, t, j}

static const struct escape_case escape_cases[] = {
    CASE("plain", "plain", "\"plain\""),
    CASE("", "\"\"", "\"\""),
    CASE("a b", "\"a b\"", "\"a b\""),
    CASE("a=b", "\"a=b\"", "\"a=b\""),
    CASE("say \"hi\"", "\"say \\\"hi\\\"\"", "\"say \\\"hi\\\"\""),
    CASE("C:\\dir", "\"C:\\\\dir\"", "\"C:\\\\dir\""),
    CASE("l1\nl2", "\"l1\\nl2\"", "\"l1\\nl2\""),
    CASE("a\tb\r", "\"a\\tb\\r\"", "\"a\\tb\\r\""),
    CASE("\x01\x1b[31m", "\"\\x01\\x1b[31m\"", "\"\\u0001\\u001b[31m\""),
    CASE("del\x7f", "\"del\\x7f\"", "\"del\\u007f\""),
    CASE("a\0b", "\"a\\x00b\"", "\"a\\u0000b\""),
    CASE("path/to:x,y{}", "path/to:x,y{}", "\"path/to:x,y{}\""),
    CASE("h\xc3\xa9llo", "h\xc3\xa9llo", "\"h\xc3\xa9llo\""),
    CASE("\xf0\x9f\x98\x80", "\xf0\x9f\x98\x80", "\"\xf0\x9f\x98\x80\""),
    /* Invalid UTF-8: raw in text, U+FFFD per maximal invalid subpart in JSON. */
    CASE("\xff", "\xff", "\"\xef\xbf\xbd\""),
    CASE("a\xc3", "a\xc3", "\"a\xef\xbf\xbd\""),
    CASE("\xe2\x82" "A", "\xe2\x82" "A", "\"\xef\xbf\xbd" "A\""),
    CASE("\xc0\xaf", "\xc0\xaf", "\"\xef\xbf\xbd\xef\xbf\xbd\""),
    CASE("\xed\xa0\x80", "\xed\xa0\x80", "\"\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\""),
    CASE("\xf4\x90\x80\x80", "\xf4\x90\x80\x80",
         "\"\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\""),
    CASE("\xf0\x9f\x98", "\xf0\x9f\x98", "\"\xef\xbf\xbd\""),
};

static void test_escapes(void **state)
{
    (void)state;
    char want[256];
    for (size_t i = 0; i < sizeof escape_cases / sizeof escape_cases[0]; i++) {
        const struct escape_case *c = &escape_cases[i];
        int fd = sink_open();
        record_one_str(fd, LOG_FORMAT_TEXT, c->value, c->len);
        snprintf(want, sizeof want, STAMP " level=info event=e k=%s\n", c->text);
        sink_expect(fd, want);
        fd = sink_open();
        record_one_str(fd, LOG_FORMAT_JSON, c->value, c->len);
        snprintf(want, sizeof want,
                 "{\"time\":\"" STAMP "\",\"level\":\"info\",\"event\":\"e\",\"k\":%s}\n",
                 c->json);
        sink_expect(fd, want);
    }
}

static void test_event_and_null_values(void **state)
{
    (void)state;
    int fd = sink_open();
    log_init(&lg, fd, LOG_FORMAT_TEXT, LOG_LEVEL_INFO);
    log_begin(&lg, T0, LOG_LEVEL_WARN, "odd event");
    log_str(&lg, "k", NULL);
    log_strn(&lg, "n", "abc", 2);
    assert_int_equal(log_end(&lg), 0);
    sink_expect(fd, STAMP " level=warn event=\"odd event\" k=\"\" n=ab\n");
}

static void test_integers(void **state)
{
    (void)state;
    int fd = sink_open();
    log_init(&lg, fd, LOG_FORMAT_JSON, LOG_LEVEL_DEBUG);
    log_begin(&lg, T0, LOG_LEVEL_DEBUG, "n");
    log_int(&lg, "zero", 0);
    log_int(&lg, "neg", -1);
    log_int(&lg, "min", INT64_MIN);
    log_int(&lg, "max", INT64_MAX);
    assert_int_equal(log_end(&lg), 0);
    log_init(&lg, fd, LOG_FORMAT_TEXT, LOG_LEVEL_DEBUG);
    log_begin(&lg, T0, LOG_LEVEL_ERROR, "n");
    log_int(&lg, "min", INT64_MIN);
    assert_int_equal(log_end(&lg), 0);
    sink_expect(fd, "{\"time\":\"" STAMP "\",\"level\":\"debug\",\"event\":\"n\",\"zero\":0,"
                    "\"neg\":-1,\"min\":-9223372036854775808,\"max\":9223372036854775807}\n" STAMP
                    " level=error event=n min=-9223372036854775808\n");
}

/* ------------------------------------------------------------ filtering -- */

static void test_level_filtering(void **state)
{
    (void)state;
    int fd = sink_open();
    log_init(&lg, fd, LOG_FORMAT_TEXT, LOG_LEVEL_WARN);
    assert_true(log_enabled(&lg, LOG_LEVEL_ERROR));
    assert_true(log_enabled(&lg, LOG_LEVEL_WARN));
    assert_false(log_enabled(&lg, LOG_LEVEL_INFO));
    assert_false(log_enabled(&lg, LOG_LEVEL_DEBUG));
    static const enum log_level levels[] = {LOG_LEVEL_DEBUG, LOG_LEVEL_INFO, LOG_LEVEL_WARN,
                                            LOG_LEVEL_ERROR};
    for (size_t i = 0; i < 4; i++) {
        log_begin(&lg, T0, levels[i], "x");
        log_str(&lg, "k", "v");
        log_int(&lg, "n", 1);
        assert_int_equal(log_end(&lg), 0);
    }
    sink_expect(fd, STAMP " level=warn event=x k=v n=1\n" STAMP " level=error event=x k=v n=1\n");
}

static void test_calls_outside_a_record(void **state)
{
    (void)state;
    int fd = sink_open();
    log_init(&lg, fd, LOG_FORMAT_JSON, LOG_LEVEL_DEBUG);
    log_str(&lg, "k", "v");
    log_int(&lg, "n", 1);
    assert_int_equal(log_end(&lg), 0);
    log_begin(&lg, T0, LOG_LEVEL_INFO, "e");
    assert_int_equal(log_end(&lg), 0);
    assert_int_equal(log_end(&lg), 0); /* a second end writes nothing */
    sink_expect(fd, "{\"time\":\"" STAMP "\",\"level\":\"info\",\"event\":\"e\"}\n");
}

/* ------------------------------------------------------- record limits -- */

/* Logs pad 'p' bytes then `reps` copies of `unit`, and a field after it. */
static char *record_big(enum log_format f, size_t pad, const char *unit, size_t reps, size_t *n)
{
    size_t ulen = strlen(unit), len = pad + ulen * reps;
    char *v = malloc(len + 1);
    assert_non_null(v);
    memset(v, 'p', pad);
    for (size_t i = 0; i < reps; i++)
        memcpy(v + pad + i * ulen, unit, ulen);
    int fd = sink_open();
    log_init(&lg, fd, f, LOG_LEVEL_INFO);
    log_begin(&lg, T0, LOG_LEVEL_INFO, "job.output");
    log_str(&lg, "job", "big.cron:1");
    log_strn(&lg, "msg", v, len);
    log_int(&lg, "after", 7);
    assert_int_equal(log_end(&lg), 0);
    free(v);
    char *out = sink_read(fd, n);
    assert_int_equal(close(fd), 0);
    return out;
}

static void test_16k_control_bytes_fit(void **state)
{
    (void)state;
    size_t n;
    char *out = record_big(LOG_FORMAT_JSON, 0, "\x01", 16384, &n);
    assert_true(n <= LOG_RECORD_MAX);
    assert_true(json_record_valid(out));
    assert_null(strstr(out, "truncated"));
    assert_non_null(strstr(out, "\\u0001\",\"after\":7}\n"));
    free(out);
    out = record_big(LOG_FORMAT_TEXT, 0, "\x01", 16384, &n);
    assert_true(text_record_valid(out));
    assert_null(strstr(out, "truncated"));
    free(out);
}

/* Units whose escapes have every length, cut at every offset by the pad. */
static const char *const cut_units[] = {"\x01", "\xc3\xa9", "\xff", "a", "\"", "\xf0\x9f\x98\x80",
                                        "\x01\xc3\xa9\\\xff\n\xe2\x82\xac"};

static void test_cut_json_stays_valid(void **state)
{
    (void)state;
    for (size_t u = 0; u < sizeof cut_units / sizeof cut_units[0]; u++)
        for (size_t pad = 0; pad < 12; pad++) {
            size_t n;
            char *out = record_big(LOG_FORMAT_JSON, pad, cut_units[u], 3 * LOG_RECORD_MAX, &n);
            if (n > LOG_RECORD_MAX || !json_record_valid(out) ||
                strcmp(out + n - 19, ",\"truncated\":true}\n") != 0 || strstr(out, "after"))
                fail_msg("unit %zu pad %zu: %zu bytes, bad record ending %s", u, pad, n,
                         out + (n > 40 ? n - 40 : 0));
            free(out);
        }
}

static void test_cut_text_stays_one_line(void **state)
{
    (void)state;
    for (size_t u = 0; u < sizeof cut_units / sizeof cut_units[0]; u++)
        for (size_t pad = 0; pad < 12; pad++) {
            size_t n;
            char *out = record_big(LOG_FORMAT_TEXT, pad, cut_units[u], 3 * LOG_RECORD_MAX, &n);
            bool utf8_in = u != 2 && u != 6; /* text keeps invalid bytes raw */
            bool one_line = memchr(out, '\n', n) == out + n - 1;
            if (n > LOG_RECORD_MAX || !text_record_valid(out) || !one_line ||
                strcmp(out + n - 16, " truncated=true\n") != 0 || strstr(out, "after") ||
                (utf8_in && !utf8_valid((const unsigned char *)out, n)))
                fail_msg("unit %zu pad %zu: %zu bytes, bad record ending %s", u, pad, n,
                         out + (n > 40 ? n - 40 : 0));
            free(out);
        }
}

/* The cut keeps every field that fits whole and drops a key without room. */
static void test_cut_drops_whole_fields(void **state)
{
    (void)state;
    static char v[LOG_RECORD_MAX];
    memset(v, 'v', sizeof v);
    int fd = sink_open();
    log_init(&lg, fd, LOG_FORMAT_JSON, LOG_LEVEL_INFO);
    log_begin(&lg, T0, LOG_LEVEL_INFO, "e");
    log_int(&lg, "before", 1);
    log_strn(&lg, "msg", v, LOG_RECORD_MAX - 200);
    for (int i = 0; i < 100; i++)
        log_int(&lg, "n", 1234567890);
    assert_int_equal(log_end(&lg), 0);
    size_t n;
    char *out = sink_read(fd, &n);
    assert_int_equal(close(fd), 0);
    assert_true(n <= LOG_RECORD_MAX);
    assert_true(json_record_valid(out));
    assert_non_null(strstr(out, "\"before\":1,\"msg\":\"vvv"));
    assert_non_null(strstr(out, "1234567890,\"truncated\":true}\n"));
    free(out);
}

/* --------------------------------------------------------------- writes -- */

static int record_small(int fd)
{
    lg.sink[LOG_STREAM_OUT].fd = fd;
    log_begin(&lg, T0, LOG_LEVEL_ERROR, "x");
    return log_end(&lg);
}

static void test_epipe_sets_write_errno(void **state)
{
    (void)state;
    int p[2];
    assert_true(signal(SIGPIPE, SIG_IGN) != SIG_ERR);
    assert_int_equal(pipe(p), 0);
    assert_int_equal(close(p[0]), 0);
    log_init(&lg, p[1], LOG_FORMAT_TEXT, LOG_LEVEL_INFO);
    assert_int_equal(record_small(p[1]), -1);
    assert_int_equal(lg.sink[LOG_STREAM_OUT].write_errno, EPIPE);
    assert_int_equal(record_small(p[1]), -1); /* still tried */
    assert_int_equal(close(p[1]), 0);
    assert_int_equal(record_small(-1), -1);   /* EBADF: the first error stays */
    assert_int_equal(lg.sink[LOG_STREAM_OUT].write_errno, EPIPE);
    int fd = sink_open();
    assert_int_equal(record_small(fd), 0);    /* later records still go out */
    assert_int_equal(lg.sink[LOG_STREAM_OUT].write_errno, EPIPE);
    sink_expect(fd, STAMP " level=error event=x\n");
}

static volatile sig_atomic_t alarms;
static int go_fd = -1;

/* Interrupts the blocked write (EINTR, or a partial count once some bytes
 * went in), then lets the reader go. */
static void on_alarm(int sig)
{
    (void)sig;
    alarms++;
    if (alarms == 1 && write(go_fd, "g", 1) != 1)
        alarms = 1000;
}

/* Child: waits for the go byte, then copies the pipe into out_fd. */
static _Noreturn void reader_child(int in_fd, int go_read, int out_fd)
{
    char buf[4096];
    ssize_t r;
    if (read(go_read, buf, 1) != 1)
        _exit(2);
    while ((r = read(in_fd, buf, sizeof buf)) > 0)
        if (write(out_fd, buf, (size_t)r) != r)
            _exit(3);
    _exit(r == 0 ? 0 : 4);
}

/* Fills a pipe to the brim with 'z', so the next write blocks before its
 * first byte. Returns the bytes written. */
static size_t pipe_fill(int fd)
{
    char z[4096];
    size_t n = 0;
    ssize_t w;
    int flags = fcntl(fd, F_GETFL);
    memset(z, 'z', sizeof z);
    assert_true(flags >= 0);
    assert_int_equal(fcntl(fd, F_SETFL, flags | O_NONBLOCK), 0);
    while ((w = write(fd, z, sizeof z)) > 0)
        n += (size_t)w;
    assert_true(errno == EAGAIN);
    assert_int_equal(fcntl(fd, F_SETFL, flags), 0);
    return n;
}

/* A ~100 KiB record: larger than a pipe holds. */
static int record_large(int fd)
{
    static char v[16384];
    memset(v, '\x02', sizeof v);
    log_init(&lg, fd, LOG_FORMAT_JSON, LOG_LEVEL_INFO);
    log_begin(&lg, T0, LOG_LEVEL_INFO, "e");
    log_strn(&lg, "msg", v, sizeof v);
    return log_end(&lg);
}

/* Logs record_large under a 20 ms SIGALRM (no SA_RESTART). */
static int record_large_with_alarms(int fd, int go)
{
    struct sigaction sa = {.sa_handler = on_alarm}, old;
    struct itimerval it = {{0, 20000}, {0, 20000}}, stop = {{0, 0}, {0, 0}};
    assert_int_equal(sigaction(SIGALRM, &sa, &old), 0);
    alarms = 0;
    go_fd = go;
    assert_int_equal(setitimer(ITIMER_REAL, &it, NULL), 0);
    int rc = record_large(fd);
    assert_int_equal(setitimer(ITIMER_REAL, &stop, NULL), 0);
    assert_int_equal(sigaction(SIGALRM, &old, NULL), 0);
    assert_true(alarms >= 1 && alarms < 1000);
    return rc;
}

/* What went through the pipe: `fill` 'z' bytes, then the record exactly. */
static void expect_large_after_fill(int out, size_t fill)
{
    int want = sink_open();
    assert_int_equal(record_large(want), 0);
    size_t n1, n2;
    char *got = sink_read(out, &n1), *exp = sink_read(want, &n2);
    assert_true(n2 > 65536 + 16384);
    assert_int_equal(n1, fill + n2);
    for (size_t i = 0; i < fill; i++)
        assert_int_equal(got[i], 'z');
    assert_memory_equal(got + fill, exp, n2);
    free(got);
    free(exp);
    assert_int_equal(close(out), 0);
    assert_int_equal(close(want), 0);
}

/* Writes a record into a pipe whose reader starts only after a SIGALRM has
 * interrupted the blocked write: a partial write, or EINTR when the pipe was
 * full before the write began, or EAGAIN on a non-blocking fd. */
static void write_through_slow_pipe(bool prefill, bool nonblocking)
{
    int p[2], go[2], out = sink_open(), status;
    assert_int_equal(pipe(p), 0);
    assert_int_equal(pipe(go), 0);
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        close(p[1]);
        close(go[1]);
        reader_child(p[0], go[0], out);
    }
    assert_int_equal(close(p[0]), 0);
    assert_int_equal(close(go[0]), 0);
    size_t fill = prefill ? pipe_fill(p[1]) : 0;
    if (nonblocking)
        assert_int_equal(fcntl(p[1], F_SETFL, O_NONBLOCK), 0);
    assert_int_equal(record_large_with_alarms(p[1], go[1]), 0);
    assert_int_equal(lg.sink[LOG_STREAM_OUT].write_errno, 0);
    assert_int_equal(close(p[1]), 0);
    assert_int_equal(close(go[1]), 0);
    assert_int_equal(waitpid(pid, &status, 0), pid);
    assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    expect_large_after_fill(out, fill);
}

static void test_partial_writes_to_a_slow_pipe(void **state)
{
    (void)state;
    write_through_slow_pipe(false, false);
}

static void test_eintr_on_a_full_pipe(void **state)
{
    (void)state;
    write_through_slow_pipe(true, false);
}

static void test_nonblocking_fd_waits(void **state)
{
    (void)state;
    write_through_slow_pipe(true, true);
}

/* ---------------------------------------------------- routing, streams -- */

static void test_route_table(void **state)
{
    (void)state;
    static const struct {
        bool split;
        enum log_level level;
        enum log_stream from, to;
    } rows[] = {
        {false, LOG_LEVEL_ERROR, LOG_STREAM_OUT, LOG_STREAM_OUT},
        {false, LOG_LEVEL_WARN, LOG_STREAM_OUT, LOG_STREAM_OUT},
        {false, LOG_LEVEL_INFO, LOG_STREAM_ERR, LOG_STREAM_OUT},
        {false, LOG_LEVEL_DEBUG, LOG_STREAM_ERR, LOG_STREAM_OUT},
        {true, LOG_LEVEL_ERROR, LOG_STREAM_OUT, LOG_STREAM_ERR},
        {true, LOG_LEVEL_WARN, LOG_STREAM_OUT, LOG_STREAM_ERR},
        {true, LOG_LEVEL_INFO, LOG_STREAM_OUT, LOG_STREAM_OUT},
        {true, LOG_LEVEL_DEBUG, LOG_STREAM_OUT, LOG_STREAM_OUT},
        {true, LOG_LEVEL_INFO, LOG_STREAM_ERR, LOG_STREAM_ERR},
        {true, LOG_LEVEL_DEBUG, LOG_STREAM_ERR, LOG_STREAM_ERR},
        {true, LOG_LEVEL_ERROR, LOG_STREAM_ERR, LOG_STREAM_ERR},
    };
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++)
        if (log_route(rows[i].split, rows[i].level, rows[i].from) != rows[i].to)
            fail_msg("row %zu: routed to %d", i,
                     (int)log_route(rows[i].split, rows[i].level, rows[i].from));
}

static void test_output_names(void **state)
{
    (void)state;
    assert_int_equal(log_output_from("records"), LOG_OUTPUT_RECORDS);
    assert_int_equal(log_output_from("RAW"), LOG_OUTPUT_RAW);
    assert_int_equal(log_output_from("passthrough"), -1);
    assert_int_equal(log_output_from(""), -1);
    assert_string_equal(log_output_name(LOG_OUTPUT_RECORDS), "records");
    assert_string_equal(log_output_name(LOG_OUTPUT_RAW), "raw");
}

/* One record of each level, and a job.output of each stream. */
static void records_of_every_kind(void)
{
    static const enum log_level levels[] = {LOG_LEVEL_DEBUG, LOG_LEVEL_INFO, LOG_LEVEL_WARN,
                                            LOG_LEVEL_ERROR};
    for (size_t i = 0; i < 4; i++) {
        log_begin(&lg, T0, levels[i], "e");
        assert_int_equal(log_end(&lg), 0);
    }
    log_begin_stream(&lg, T0, LOG_LEVEL_INFO, "job.output", LOG_STREAM_OUT);
    log_str(&lg, "msg", "o");
    assert_int_equal(log_end(&lg), 0);
    log_begin_stream(&lg, T0, LOG_LEVEL_INFO, "job.output", LOG_STREAM_ERR);
    log_str(&lg, "msg", "e");
    assert_int_equal(log_end(&lg), 0);
}

static void test_split_sends_warn_and_job_stderr_to_stderr(void **state)
{
    (void)state;
    for (int buffered = 0; buffered < 2; buffered++) {
        int out = sink_open(), err = sink_open();
        log_init(&lg, out, LOG_FORMAT_TEXT, LOG_LEVEL_DEBUG);
        log_set_stderr(&lg, err);
        log_set_split(&lg, true);
        assert_int_equal(log_set_buffered(&lg, buffered ? 65536 : 0), 0);
        records_of_every_kind();
        assert_int_equal(log_set_buffered(&lg, 0), 0);
        sink_expect(out, STAMP " level=debug event=e\n" STAMP " level=info event=e\n"
                         STAMP " level=info event=job.output msg=o\n");
        sink_expect(err, STAMP " level=warn event=e\n" STAMP " level=error event=e\n"
                         STAMP " level=info event=job.output msg=e\n");
    }
}

/* Without split logs a stderr fd changes nothing: every record on stdout. */
static void test_without_split_everything_on_stdout(void **state)
{
    (void)state;
    int out = sink_open(), err = sink_open();
    log_init(&lg, out, LOG_FORMAT_JSON, LOG_LEVEL_INFO);
    log_set_fallback(&lg, err);
    log_set_stderr(&lg, err);
    records_of_every_kind();
    sink_expect(out, "{\"time\":\"" STAMP "\",\"level\":\"info\",\"event\":\"e\"}\n"
                     "{\"time\":\"" STAMP "\",\"level\":\"warn\",\"event\":\"e\"}\n"
                     "{\"time\":\"" STAMP "\",\"level\":\"error\",\"event\":\"e\"}\n"
                     "{\"time\":\"" STAMP "\",\"level\":\"info\",\"event\":\"job.output\","
                     "\"msg\":\"o\"}\n"
                     "{\"time\":\"" STAMP "\",\"level\":\"info\",\"event\":\"job.output\","
                     "\"msg\":\"e\"}\n");
    sink_expect(err, "");
}

/* Like sink_expect, for bytes that may hold NUL. */
static void sink_expect_mem(int fd, const char *want, size_t n)
{
    size_t got_n;
    char *got = sink_read(fd, &got_n);
    assert_int_equal(got_n, n);
    assert_memory_equal(got, want, n);
    free(got);
    assert_int_equal(close(fd), 0);
}

/* Raw lines: the bytes as they are plus '\n', whatever the format and the
 * level; longer than LOG_RAW_MAX: pieces, each with its '\n'. */
static void test_raw_lines_exact(void **state)
{
    (void)state;
    static char big[LOG_RAW_MAX * 2 + 10], want[sizeof big + 3];
    memset(big, 'b', sizeof big);
    memcpy(want, big, LOG_RAW_MAX);
    want[LOG_RAW_MAX] = '\n';
    memcpy(want + LOG_RAW_MAX + 1, big, LOG_RAW_MAX);
    want[2 * LOG_RAW_MAX + 1] = '\n';
    memcpy(want + 2 * LOG_RAW_MAX + 2, big, 10);
    want[sizeof want - 1] = '\n';
    static const char out_want[] = "a \"q\"\t\\\n\nn\0ul\n";
    for (int buffered = 0; buffered < 2; buffered++) {
        int out = sink_open(), err = sink_open();
        log_init(&lg, out, LOG_FORMAT_JSON, LOG_LEVEL_ERROR);
        log_set_stderr(&lg, err);
        assert_int_equal(log_set_buffered(&lg, buffered ? 65536 : 0), 0);
        assert_int_equal(log_raw(&lg, LOG_STREAM_OUT, "a \"q\"\t\\", 7), 0);
        assert_int_equal(log_raw(&lg, LOG_STREAM_ERR, "e\xff\x01\r", 4), 0);
        assert_int_equal(log_raw(&lg, LOG_STREAM_OUT, "", 0), 0);
        assert_int_equal(log_raw(&lg, LOG_STREAM_OUT, "n\0ul", 4), 0);
        assert_int_equal(log_raw(&lg, LOG_STREAM_ERR, big, sizeof big), 0);
        assert_int_equal(log_set_buffered(&lg, 0), 0);
        sink_expect_mem(out, out_want, sizeof out_want - 1);
        size_t n;
        char *got = sink_read(err, &n);
        assert_int_equal(n, 5 + sizeof want);
        assert_memory_equal(got, "e\xff\x01\r\n", 5);
        assert_memory_equal(got + 5, want, sizeof want);
        free(got);
        assert_int_equal(close(err), 0);
    }
}

/* Batches: nothing is written before a flush, until a line for the other
 * stream comes; then what was buffered goes first, so both streams written
 * to one file keep their order. */
static void test_batch_keeps_order_of_both_streams(void **state)
{
    (void)state;
    int fd = sink_open();
    log_init(&lg, fd, LOG_FORMAT_TEXT, LOG_LEVEL_INFO);
    log_set_stderr(&lg, fd);
    log_set_split(&lg, true);
    assert_int_equal(log_set_buffered(&lg, 65536), 0);
    log_begin(&lg, T0, LOG_LEVEL_INFO, "a");
    assert_int_equal(log_end(&lg), 0);
    assert_int_equal(log_raw(&lg, LOG_STREAM_OUT, "b", 1), 0);
    size_t n;
    char *got = sink_read(fd, &n);
    assert_int_equal(n, 0); /* all buffered */
    free(got);
    log_begin(&lg, T0, LOG_LEVEL_WARN, "c"); /* stderr: a and b go first */
    assert_int_equal(log_end(&lg), 0);
    got = sink_read(fd, &n);
    assert_string_equal(got, STAMP " level=info event=a\nb\n");
    free(got);
    assert_int_equal(log_raw(&lg, LOG_STREAM_ERR, "d", 1), 0);
    log_begin(&lg, T0, LOG_LEVEL_INFO, "e");
    assert_int_equal(log_end(&lg), 0);
    assert_int_equal(log_flush(&lg), 0);
    assert_int_equal(log_set_buffered(&lg, 0), 0);
    sink_expect(fd, STAMP " level=info event=a\nb\n" STAMP " level=warn event=c\nd\n" STAMP
                " level=info event=e\n");
}

/* A SOCK_SEQPACKET socket keeps each write(2) a message of its own. A
 * child records every message into a file, as a 4-byte length and its
 * bytes, until the writer closes its end; so what each write held can be
 * checked afterwards, without the socket's buffer limiting the test. */
struct recorder {
    int sock;   /* the writer's end */
    int file;   /* the messages */
    pid_t pid;
};

/* other: the writer's end of an earlier recorder, closed in this child so
 * that the earlier one sees its end of file (-1: none). */
static void recorder_start(struct recorder *r, int other)
{
    int sv[2];
    assert_int_equal(socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv), 0);
    r->file = sink_open();
    r->sock = sv[1];
    r->pid = fork();
    assert_true(r->pid >= 0);
    if (r->pid == 0) {
        static char msg[1 << 18];
        ssize_t got;
        close(sv[1]);
        if (other >= 0)
            close(other);
        while ((got = recv(sv[0], msg, sizeof msg, 0)) > 0) {
            uint32_t n = (uint32_t)got;
            if (write(r->file, &n, sizeof n) != sizeof n || write(r->file, msg, (size_t)n) != got)
                _exit(2);
        }
        _exit(got == 0 ? 0 : 3);
    }
    assert_int_equal(close(sv[0]), 0);
}

/* Closes the writer's end and waits for the child; returns the file. */
static char *recorder_finish(struct recorder *r, size_t *out_n)
{
    int status;
    assert_int_equal(close(r->sock), 0);
    assert_int_equal(waitpid(r->pid, &status, 0), r->pid);
    assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    char *all = sink_read_big(r->file, out_n);
    assert_int_equal(close(r->file), 0);
    return all;
}

/* Line j of stream s: its length and byte differ from line to line (up to
 * LOG_RAW_MAX), so a piece of another line cannot pass for it. */
static size_t line_len(int s, int j)
{
    return (size_t)(j * 997 + s * 131) % LOG_RAW_MAX;
}

static char line_byte(int s, int j)
{
    return (char)((s == 0 ? 'a' : 'A') + j % 26);
}

/* Checks the messages of stream s: each holds whole lines and records
 * only (a record is a line starting with the time stamp's '2'), at most
 * max_msg bytes; the lines are the stream's, in order. Returns how many
 * messages there were. */
static int messages_check(const char *all, size_t len, int s, int nlines, size_t max_msg)
{
    int j = 0, nmsg = 0;
    for (const char *m = all; m < all + len; nmsg++) {
        uint32_t got;
        memcpy(&got, m, sizeof got);
        const char *p = m + sizeof got, *end = p + got;
        m = end;
        if (got == 0 || got > max_msg || end[-1] != '\n')
            fail_msg("stream %d message %d: %u bytes", s, nmsg, (unsigned)got);
        while (p < end) {
            if (*p == '2') {
                p = (const char *)memchr(p, '\n', (size_t)(end - p)) + 1;
                continue;
            }
            size_t n = line_len(s, j);
            if (j >= nlines || n >= (size_t)(end - p) || p[n] != '\n')
                fail_msg("stream %d line %d: not whole in message %d", s, j, nmsg);
            for (size_t i = 0; i < n; i++)
                if (p[i] != line_byte(s, j))
                    fail_msg("stream %d line %d: byte %zu is '%c'", s, j, i, p[i]);
            p += n + 1;
            j++;
        }
    }
    assert_int_equal(j, nlines);
    return nmsg;
}

/* Lines of both streams, interleaved, with records among them: every
 * write holds whole lines and records only (at most one batch), the lines
 * of each stream arrive in order, and batches need far fewer writes than
 * lines. Unbuffered, each line and record is a write of its own. */
static void test_writes_hold_whole_lines(void **state)
{
    (void)state;
    static char line[LOG_RAW_MAX];
    enum { NLINES = 300, NERR = NLINES / 3, NREC = NLINES / 5 };
    for (int buffered = 0; buffered < 2; buffered++) {
        struct recorder out, err;
        int count[2] = {0, 0};
        recorder_start(&out, -1);
        recorder_start(&err, out.sock);
        log_init(&lg, out.sock, LOG_FORMAT_TEXT, LOG_LEVEL_INFO);
        log_set_stderr(&lg, err.sock);
        assert_int_equal(log_set_buffered(&lg, buffered ? 65536 : 0), 0);
        for (int k = 0; k < NLINES; k++) {
            for (int s = 0; s < (k % 3 == 0 ? 2 : 1); s++) {
                int j = count[s]++;
                memset(line, line_byte(s, j), line_len(s, j));
                assert_int_equal(log_raw(&lg, (enum log_stream)s, line, line_len(s, j)), 0);
            }
            if (k % 5 == 0) {
                log_begin(&lg, T0, LOG_LEVEL_INFO, "job.start");
                assert_int_equal(log_end(&lg), 0);
            }
        }
        assert_int_equal(log_set_buffered(&lg, 0), 0);
        size_t n_out, n_err;
        char *all_out = recorder_finish(&out, &n_out), *all_err = recorder_finish(&err, &n_err);
        size_t max = buffered ? 65536 : LOG_RAW_MAX + 1;
        int m_out = messages_check(all_out, n_out, 0, NLINES, max);
        int m_err = messages_check(all_err, n_err, 1, NERR, max);
        if (buffered) {
            assert_true(m_out < NLINES / 2);
        } else {
            assert_int_equal(m_out, NLINES + NREC);
            assert_int_equal(m_err, NERR);
        }
        free(all_out);
        free(all_err);
    }
}

/* A pipe whose reader is gone: every write is EPIPE. */
static int broken_pipe(void)
{
    int p[2];
    assert_true(signal(SIGPIPE, SIG_IGN) != SIG_ERR);
    assert_int_equal(pipe(p), 0);
    assert_int_equal(close(p[0]), 0);
    return p[1];
}

/* Split logs and a broken stderr: the record that failed, one daemon.error
 * and everything later meant for stderr go to stdout; stdout is not broken
 * (the daemon goes on). */
static void test_broken_stderr_falls_back_to_stdout(void **state)
{
    (void)state;
    int out = sink_open(), err = broken_pipe();
    log_init(&lg, out, LOG_FORMAT_TEXT, LOG_LEVEL_INFO);
    log_set_fallback(&lg, err);
    log_set_stderr(&lg, err);
    log_set_split(&lg, true);
    assert_int_equal(log_set_buffered(&lg, 65536), 0);
    log_begin(&lg, T0, LOG_LEVEL_INFO, "a");
    assert_int_equal(log_end(&lg), 0);
    log_begin(&lg, T0, LOG_LEVEL_WARN, "b");
    assert_int_equal(log_end(&lg), 0);
    assert_int_equal(log_flush(&lg), -1);
    assert_int_equal(log_raw(&lg, LOG_STREAM_ERR, "c", 1), 0);
    log_begin(&lg, T0, LOG_LEVEL_ERROR, "d");
    assert_int_equal(log_end(&lg), 0);
    assert_int_equal(log_set_buffered(&lg, 0), 0);
    assert_int_equal(lg.sink[LOG_STREAM_ERR].write_errno, EPIPE);
    assert_false(log_broken(&lg));
    char want[512]; /* fds other than 1 and 2 are named by number */
    snprintf(want, sizeof want,
             STAMP " level=info event=a\n" STAMP " level=warn event=b\n" STAMP
             " level=error event=daemon.error msg=\"cannot write to fd %d: Broken pipe; what was "
             "meant for it goes to fd %d from now on\"\nc\n" STAMP " level=error event=d\n",
             err, out);
    sink_expect(out, want);
    assert_int_equal(close(err), 0);
}

/* The stdout behaviour stays with split logs: on to stderr after one
 * daemon.error, log_broken. When stderr breaks then too, there is nowhere
 * left: writes fail at once, the first error of each stream stays. */
static void test_broken_stdout_then_stderr(void **state)
{
    (void)state;
    int out = broken_pipe(), err[2];
    assert_int_equal(pipe(err), 0);
    log_init(&lg, out, LOG_FORMAT_TEXT, LOG_LEVEL_INFO);
    log_set_fallback(&lg, err[1]);
    log_set_stderr(&lg, err[1]);
    log_set_split(&lg, true);
    log_begin(&lg, T0, LOG_LEVEL_INFO, "a");
    assert_int_equal(log_end(&lg), -1);
    assert_true(log_broken(&lg));
    assert_int_equal(log_raw(&lg, LOG_STREAM_OUT, "b", 1), 0); /* on stderr now */
    log_begin(&lg, T0, LOG_LEVEL_WARN, "c");
    assert_int_equal(log_end(&lg), 0);
    char buf[512], want[512];
    ssize_t n = read(err[0], buf, sizeof buf - 1);
    assert_true(n > 0);
    buf[n] = '\0';
    snprintf(want, sizeof want,
             STAMP " level=info event=a\n" STAMP " level=error event=daemon.error msg=\"cannot "
             "write log records to fd %d: Broken pipe; they go to fd %d from now on\"\nb\n" STAMP
             " level=warn event=c\n", out, err[1]);
    assert_string_equal(buf, want);
    assert_int_equal(close(err[0]), 0); /* stderr breaks too */
    for (int i = 0; i < 3; i++) {
        log_begin(&lg, T0, i == 0 ? LOG_LEVEL_WARN : LOG_LEVEL_INFO, "d");
        assert_int_equal(log_end(&lg), -1);
        assert_int_equal(log_raw(&lg, (enum log_stream)(i % 2), "e", 1), -1);
    }
    assert_int_equal(lg.sink[LOG_STREAM_OUT].write_errno, EPIPE);
    assert_int_equal(lg.sink[LOG_STREAM_ERR].write_errno, EPIPE);
    assert_false(lg.sink[LOG_STREAM_ERR].fell_back); /* stdout broke first */
    assert_int_equal(close(err[1]), 0);
    assert_int_equal(close(out), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_design_examples_text),
        cmocka_unit_test(test_design_examples_json),
        cmocka_unit_test(test_escapes),
        cmocka_unit_test(test_event_and_null_values),
        cmocka_unit_test(test_integers),
        cmocka_unit_test(test_level_filtering),
        cmocka_unit_test(test_calls_outside_a_record),
        cmocka_unit_test(test_16k_control_bytes_fit),
        cmocka_unit_test(test_cut_json_stays_valid),
        cmocka_unit_test(test_cut_text_stays_one_line),
        cmocka_unit_test(test_cut_drops_whole_fields),
        cmocka_unit_test(test_epipe_sets_write_errno),
        cmocka_unit_test(test_partial_writes_to_a_slow_pipe),
        cmocka_unit_test(test_eintr_on_a_full_pipe),
        cmocka_unit_test(test_nonblocking_fd_waits),
        cmocka_unit_test(test_route_table),
        cmocka_unit_test(test_output_names),
        cmocka_unit_test(test_split_sends_warn_and_job_stderr_to_stderr),
        cmocka_unit_test(test_without_split_everything_on_stdout),
        cmocka_unit_test(test_raw_lines_exact),
        cmocka_unit_test(test_batch_keeps_order_of_both_streams),
        cmocka_unit_test(test_writes_hold_whole_lines),
        cmocka_unit_test(test_broken_stderr_falls_back_to_stdout),
        cmocka_unit_test(test_broken_stdout_then_stderr),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
