/* log: text (logfmt) and JSON records, one write per record or batch, and
 * raw job lines (see log.h).
 *
 * A record is built in l->buf and written by log_end. Everything that can
 * grow (keys, values) goes through buf_put, which stops at LOG_BODY_MAX;
 * the bytes that close a record (a string's quote, the truncation marker,
 * '}' and '\n') go through buf_put_tail into the LOG_TAIL_RESERVE bytes kept
 * free for them. So a record never exceeds LOG_RECORD_MAX and a cut record
 * is still one line of valid logfmt or JSON.
 *
 * Decisions a user sees (README material):
 * - Text values are quoted when empty or holding a blank, '=', '"', '\' or
 *   a control byte (0x00-0x1f, 0x7f). Inside quotes: \" \\ \n \r \t, other
 *   control bytes as \xNN. Bytes >= 0x80 pass through as they are, valid
 *   UTF-8 or not: the text format keeps the job's bytes.
 * - JSON strings escape '"', '\', \n \r \t and other control bytes (and
 *   0x7f) as \u00NN. Invalid UTF-8 becomes U+FFFD, one per maximal invalid
 *   subpart (the Unicode / WHATWG practice), so output is always valid UTF-8.
 * - A record that would exceed LOG_RECORD_MAX keeps what fits, whole escapes
 *   and whole UTF-8 characters only, closes the cut string and ends with
 *   `truncated=true` / `"truncated":true`. Fields after the cut are dropped.
 * - A NULL value is logged as the empty string.
 * - A write that fails with EAGAIN (someone made the shared stdout
 *   non-blocking) waits with poll(2) for the fd and goes on: nothing dropped.
 * - A broken stdout: what failed, a daemon.error and everything later go to
 *   stderr (the daemon then stops, log_broken). A broken stderr: what
 *   failed, a daemon.error and everything later meant for stderr go to
 *   stdout, and the daemon goes on. Each stream falls back once; when both
 *   broke there is nowhere left, and writes fail at once (never a retry
 *   loop).
 */
#include "crond/log.h"

#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "crond/timefmt.h"
#include "crond/util.h"

#define LOG_TAIL_RESERVE 32 /* >= '"' + ",\"truncated\":true" + '}' + '\n' */
#define LOG_BODY_MAX (LOG_RECORD_MAX - LOG_TAIL_RESERVE)
#define LOG_UNIT_MAX 8      /* longest escape of one unit: \u00NN or 4 UTF-8 bytes */

/* Closing the record: [truncated][end], indexed by enum log_format. */
static const char *const log_marker[] = {" truncated=true", ",\"truncated\":true"};
static const char *const log_close[] = {"\n", "}\n"};

/* The short escapes, the same in both formats. */
static const char *const short_escape[128] = {
    ['"'] = "\\\"", ['\\'] = "\\\\", ['\n'] = "\\n", ['\r'] = "\\r", ['\t'] = "\\t",
};

/* ----------------------------------------------------------------- names */

static const struct util_name log_formats[] = {
    {"text", LOG_FORMAT_TEXT}, {"json", LOG_FORMAT_JSON},
};
static const struct util_name log_levels[] = {
    {"error", LOG_LEVEL_ERROR}, {"warn", LOG_LEVEL_WARN},
    {"info", LOG_LEVEL_INFO},   {"debug", LOG_LEVEL_DEBUG},
};
static const struct util_name log_outputs[] = {
    {"records", LOG_OUTPUT_RECORDS}, {"raw", LOG_OUTPUT_RAW},
};

const char *log_format_name(enum log_format f)
{
    return util_name_of(log_formats, UTIL_COUNT_OF(log_formats), (int)f);
}

const char *log_level_name(enum log_level l)
{
    return util_name_of(log_levels, UTIL_COUNT_OF(log_levels), (int)l);
}

int log_format_from(const char *s)
{
    return util_name_value(log_formats, UTIL_COUNT_OF(log_formats), s);
}

int log_level_from(const char *s)
{
    return util_name_value(log_levels, UTIL_COUNT_OF(log_levels), s);
}

const char *log_output_name(enum log_output o)
{
    return util_name_of(log_outputs, UTIL_COUNT_OF(log_outputs), (int)o);
}

int log_output_from(const char *s)
{
    return util_name_value(log_outputs, UTIL_COUNT_OF(log_outputs), s);
}

enum log_stream log_route(bool split, enum log_level level, enum log_stream from)
{
    if (split && (level <= LOG_LEVEL_WARN || from == LOG_STREAM_ERR))
        return LOG_STREAM_ERR;
    return LOG_STREAM_OUT;
}

/* ---------------------------------------------------------------- buffer */

/* Bytes left below LOG_BODY_MAX (a closing quote may already sit above it). */
static size_t buf_room(const struct log *l)
{
    return l->len < LOG_BODY_MAX ? LOG_BODY_MAX - l->len : 0;
}

/* Appends n bytes if they fit below LOG_BODY_MAX. Once a record is cut
 * nothing more is added, so it never has a hole in its middle. */
static bool buf_put(struct log *l, const void *s, size_t n)
{
    if (l->truncated || n > buf_room(l)) {
        l->truncated = true;
        return false;
    }
    memcpy(l->buf + l->len, s, n);
    l->len += n;
    return true;
}

/* The closing bytes, written into the reserve. The bound check never fails
 * (at most LOG_TAIL_RESERVE tail bytes follow LOG_BODY_MAX); it is there so
 * a mistake here cannot become an overflow. */
static void buf_put_tail(struct log *l, const char *s)
{
    size_t n = strlen(s);
    if (n <= LOG_RECORD_MAX - l->len) {
        memcpy(l->buf + l->len, s, n);
        l->len += n;
    }
}

/* -------------------------------------------------------------- escaping */

/* Lead bytes whose second byte has a narrower range than 80-BF: this is
 * what rules out overlong forms (E0, F0), UTF-16 surrogates (ED) and code
 * points above U+10FFFF (F4). */
static const struct {
    unsigned char lead, lo, hi; /* lead byte, second byte's range */
} utf8_second[] = {{0xe0, 0xa0, 0xbf}, {0xed, 0x80, 0x9f}, {0xf0, 0x90, 0xbf}, {0xf4, 0x80, 0x8f}};

/* Length of the UTF-8 unit at s: a whole valid sequence (*valid = true), or
 * its longest invalid prefix, at least one byte (*valid = false). */
static size_t utf8_unit(const unsigned char *s, size_t n, bool *valid)
{
    unsigned char c = s[0], lo = 0x80, hi = 0xbf;
    /* C0, C1 and F5-FF never start a valid sequence (need 0). */
    size_t need = c < 0x80 ? 1 : c < 0xc2 ? 0 : c < 0xe0 ? 2 : c < 0xf0 ? 3 : c < 0xf5 ? 4 : 0;
    for (size_t k = 0; k < sizeof utf8_second / sizeof utf8_second[0]; k++)
        if (utf8_second[k].lead == c) {
            lo = utf8_second[k].lo;
            hi = utf8_second[k].hi;
        }
    size_t i = 1;
    for (; i < need && i < n; i++, lo = 0x80, hi = 0xbf)
        if (s[i] < lo || s[i] > hi)
            break;
    *valid = need > 0 && i == need;
    return i;
}

/* Byte classes, one table lookup per byte on the hot path (every line a
 * job writes goes through text_needs_quotes and value_put). */
enum {
    CLS_PLAIN = 1,   /* copied as is inside a string, in both formats */
    CLS_QUOTE = 2,   /* makes a text value quoted: blank, '=', '"', '\\', control */
    CLS_CONTROL = 4, /* 0x00-0x1f, 0x7f */
};

#define CLS_OF(c)                                                                           \
    ((c) < 0x20 || (c) == 0x7f ? CLS_QUOTE | CLS_CONTROL                                    \
     : (c) == ' ' || (c) == '=' ? CLS_PLAIN | CLS_QUOTE                                     \
     : (c) == '"' || (c) == '\\' ? CLS_QUOTE                                                \
     : (c) < 0x7f ? CLS_PLAIN : 0)
#define CLS_4(c) CLS_OF(c), CLS_OF((c) + 1), CLS_OF((c) + 2), CLS_OF((c) + 3)
#define CLS_16(c) CLS_4(c), CLS_4((c) + 4), CLS_4((c) + 8), CLS_4((c) + 12)
#define CLS_64(c) CLS_16(c), CLS_16((c) + 16), CLS_16((c) + 32), CLS_16((c) + 48)

static const unsigned char byte_classes[256] = {CLS_64(0), CLS_64(64), CLS_64(128), CLS_64(192)};

static bool byte_is_control(unsigned char c)
{
    return (byte_classes[c] & CLS_CONTROL) != 0;
}

static bool text_needs_quotes(const unsigned char *s, size_t n)
{
    const unsigned char *cls = byte_classes;
    if (n == 0)
        return true;
    for (size_t i = 0; i < n; i++)
        if (cls[s[i]] & CLS_QUOTE)
            return true;
    return false;
}

/* Writes the escaped form of one ASCII byte or UTF-8 unit into out (at
 * least LOG_UNIT_MAX bytes); returns its length and the input used. */
static size_t unit_escape(enum log_format f, const unsigned char *s, size_t n, char *out,
                          size_t *used)
{
    bool valid;
    if (s[0] < 0x80) {
        *used = 1;
        if (short_escape[s[0]] != NULL)
            return (size_t)snprintf(out, LOG_UNIT_MAX, "%s", short_escape[s[0]]);
        if (byte_is_control(s[0]))
            return (size_t)snprintf(out, LOG_UNIT_MAX, f == LOG_FORMAT_JSON ? "\\u%04x" : "\\x%02x",
                                    s[0]);
        out[0] = (char)s[0];
        return 1;
    }
    *used = utf8_unit(s, n, &valid);
    if (!valid && f == LOG_FORMAT_JSON) {
        /* three bytes of a record, not a string: */
        /* NOLINTNEXTLINE(bugprone-not-null-terminated-result) */
        memcpy(out, "\xef\xbf\xbd", 3); /* U+FFFD */
        return 3;
    }
    memcpy(out, s, *used);
    return *used;
}

/* Appends the escaped body of a string (without quotes), up to the cut. */
static void value_put(struct log *l, const unsigned char *s, size_t n)
{
    const unsigned char *cls = byte_classes;
    size_t i = 0;
    while (i < n && !l->truncated) {
        size_t run = 0;
        while (i + run < n && (cls[s[i + run]] & CLS_PLAIN))
            run++;
        if (run > 0) {
            /* Plain bytes are one unit each: keep as many as fit. */
            size_t room = buf_room(l);
            buf_put(l, s + i, run < room ? run : room);
            l->truncated = run > room;
            i += run;
            continue;
        }
        char unit[LOG_UNIT_MAX];
        size_t used, len = unit_escape(l->format, s + i, n - i, unit, &used);
        if (buf_put(l, unit, len))
            i += used;
    }
}

/* ---------------------------------------------------------------- fields */

/* ` key=` or `,"key":`. A JSON object starts with '{' and no comma. Keys are
 * the program's own identifiers, so text writes them as they are. */
static void key_put(struct log *l, const char *key)
{
    if (l->format == LOG_FORMAT_TEXT) {
        buf_put(l, " ", 1);
        buf_put(l, key, strlen(key));
        buf_put(l, "=", 1);
        return;
    }
    if (l->len > 0 && l->buf[l->len - 1] != '{')
        buf_put(l, ",", 1);
    buf_put(l, "\"", 1);
    buf_put(l, key, strlen(key)); /* [a-z_.]: nothing to escape */
    buf_put(l, "\":", 2);
}

/* Writes key, opening quote (when wanted) and nothing else; on a cut,
 * takes it all back so no field is left without its value. */
static bool field_open(struct log *l, const char *key, bool quoted)
{
    size_t mark = l->len;
    if (!l->active || l->truncated)
        return false;
    key_put(l, key);
    if (quoted)
        buf_put(l, "\"", 1);
    if (l->truncated)
        l->len = mark;
    return !l->truncated;
}

void log_strn(struct log *l, const char *key, const char *value, size_t len)
{
    const unsigned char *v = (const unsigned char *)(value != NULL ? value : "");
    if (value == NULL)
        len = 0;
    bool quoted = l->format == LOG_FORMAT_JSON || text_needs_quotes(v, len);
    if (!field_open(l, key, quoted))
        return;
    value_put(l, v, len);
    if (quoted)
        buf_put_tail(l, "\"");
}

void log_str(struct log *l, const char *key, const char *value)
{
    log_strn(l, key, value, value != NULL ? strlen(value) : 0);
}

/* The decimal digits of v at the end of num[24]; returns where they start. */
static char *int_digits(int64_t v, char num[24])
{
    size_t at = 24;
    uint64_t u = v < 0 ? 0 - (uint64_t)v : (uint64_t)v;
    do {
        num[--at] = (char)('0' + u % 10);
        u /= 10;
    } while (u != 0);
    if (v < 0)
        num[--at] = '-';
    return &num[at];
}

void log_int(struct log *l, const char *key, int64_t value)
{
    char num[24];
    char *digits = int_digits(value, num);
    size_t mark = l->len;
    if (!field_open(l, key, false))
        return;
    if (!buf_put(l, digits, (size_t)(num + 24 - digits)))
        l->len = mark;
}

/* ---------------------------------------------------------------- record */

void log_init(struct log *l, int fd, enum log_format format, enum log_level level)
{
    for (int i = 0; i < 2; i++)
        l->sink[i] = (struct log_sink){.fd = fd, .fallback_fd = -1};
    l->split = false;
    l->to = LOG_STREAM_OUT;
    l->out_to = LOG_STREAM_OUT;
    l->now_ms = 0;
    l->format = format == LOG_FORMAT_JSON ? LOG_FORMAT_JSON : LOG_FORMAT_TEXT;
    l->level = level;
    l->active = false;
    l->truncated = false;
    l->len = 0;
    l->ts_len = 0;
    l->out = NULL;
    l->out_len = 0;
    l->out_cap = 0;
}

void log_set_fallback(struct log *l, int fallback_fd)
{
    l->sink[LOG_STREAM_OUT].fallback_fd = fallback_fd;
}

void log_set_stderr(struct log *l, int fd)
{
    int out_fd = l->sink[LOG_STREAM_OUT].fd;
    l->sink[LOG_STREAM_ERR] = (struct log_sink){.fd = fd, .fallback_fd = out_fd};
}

void log_set_split(struct log *l, bool split)
{
    l->split = split;
}

bool log_broken(const struct log *l)
{
    return l->sink[LOG_STREAM_OUT].write_errno != 0;
}

bool log_enabled(const struct log *l, enum log_level level)
{
    return level <= l->level;
}

void log_begin_stream(struct log *l, int64_t now_ms, enum log_level level, const char *event,
                      enum log_stream from)
{
    l->len = 0;
    l->now_ms = now_ms;
    l->truncated = false;
    l->active = log_enabled(l, level);
    if (!l->active)
        return;
    l->to = log_route(l->split, level, from);
    /* a burst of records shares its millisecond: format it once */
    if (l->ts_len == 0 || l->ts_ms != now_ms) {
        int n = timefmt_utc_ms(now_ms, l->ts, sizeof l->ts);
        l->ts_len = n > 0 && (size_t)n < sizeof l->ts ? (size_t)n : 0;
        l->ts_ms = now_ms;
    }
    if (l->format == LOG_FORMAT_JSON) {
        buf_put(l, "{", 1);
        log_strn(l, "time", l->ts, l->ts_len);
    } else {
        buf_put(l, l->ts, l->ts_len);
    }
    log_str(l, "level", log_level_name(level));
    log_str(l, "event", event);
}

void log_begin(struct log *l, int64_t now_ms, enum log_level level, const char *event)
{
    log_begin_stream(l, now_ms, level, event, LOG_STREAM_OUT);
}

/* Waits until fd takes more bytes. Returns 0 or an errno value. */
static int fd_wait_writable(int fd)
{
    struct pollfd p = {.fd = fd, .events = POLLOUT};
    while (poll(&p, 1, -1) < 0)
        if (errno != EINTR)
            return errno;
    return 0;
}

/* write(2) until all n bytes are out: a signal can cut a blocking write
 * short (partial count or EINTR). Returns 0 or an errno value. */
static int fd_write_all(int fd, const char *p, size_t n)
{
    while (n > 0) {
        ssize_t w = write(fd, p, n);
        if (w > 0) {
            p += w;
            n -= (size_t)w;
        } else if (w == 0) {
            return EIO; /* never for n > 0; do not spin on it */
        } else if (errno == EAGAIN || errno == EWOULDBLOCK) {
            int err = fd_wait_writable(fd);
            if (err != 0)
                return err;
        } else if (errno != EINTR) {
            return errno;
        }
    }
    return 0;
}

static int sink_fd(const struct log_sink *k)
{
    return k->fell_back ? k->fallback_fd : k->fd;
}

/* A write to fd failed before (through any stream). */
static bool fd_broken(const struct log *l, int fd)
{
    for (int i = 0; i < 2; i++)
        if (l->sink[i].fd == fd && l->sink[i].write_errno != 0)
            return true;
    return false;
}

static const char *fd_name(int fd, char buf[16])
{
    if (fd == 1 || fd == 2)
        return fd == 1 ? "stdout" : "stderr";
    snprintf(buf, 16, "fd %d", fd);
    return buf;
}

/* The first write error of stream s: what failed (p, n) goes to its
 * fallback, then a daemon.error record saying why; later bytes of s follow
 * it there. No fallback when it is the same fd or one that broke too. The
 * notice is formatted here, not in buf (which may hold a record that is
 * waiting to be buffered): its message holds no byte that needs escaping. */
static void log_fall_back(struct log *l, enum log_stream s, int err, const char *p, size_t n)
{
    struct log_sink *k = &l->sink[s];
    char msg[200], from[16], to[16], rec[360];
    k->write_errno = err;
    if (k->fallback_fd < 0 || k->fallback_fd == k->fd || fd_broken(l, k->fallback_fd))
        return;
    k->fell_back = true;
    snprintf(msg, sizeof msg,
             s == LOG_STREAM_OUT ? "cannot write log records to %s: %s; they go to %s from now on"
                                 : "cannot write to %s: %s; what was meant for it goes to %s "
                                   "from now on",
             fd_name(k->fd, from), strerror(err), fd_name(k->fallback_fd, to));
    int len = l->format == LOG_FORMAT_JSON
                  ? snprintf(rec, sizeof rec, "{\"time\":\"%.*s\",\"level\":\"error\",\"event\":"
                             "\"daemon.error\",\"msg\":\"%s\"}\n", (int)l->ts_len, l->ts, msg)
                  : snprintf(rec, sizeof rec, "%.*s level=error event=daemon.error msg=\"%s\"\n",
                             (int)l->ts_len, l->ts, msg);
    /* nowhere left to say that these fail */
    (void)fd_write_all(k->fallback_fd, p, n);
    if (len > 0 && (size_t)len < sizeof rec)
        (void)fd_write_all(k->fallback_fd, rec, (size_t)len);
}

/* Writes n bytes of whole records or lines of stream s. Returns 0 or an
 * errno value. */
static int emit(struct log *l, enum log_stream s, const char *p, size_t n)
{
    int err = fd_write_all(sink_fd(&l->sink[s]), p, n);
    if (err != 0 && l->sink[s].write_errno == 0)
        log_fall_back(l, s, err, p, n);
    return err;
}

int log_flush(struct log *l)
{
    if (l->out == NULL || l->out_len == 0)
        return 0;
    int err = emit(l, l->out_to, l->out, l->out_len);
    l->out_len = 0;
    return err == 0 ? 0 : -1;
}

int log_set_buffered(struct log *l, size_t cap)
{
    int rc = log_flush(l);
    free(l->out);
    l->out = NULL;
    l->out_cap = 0;
    if (cap > 0 && (l->out = malloc(cap)) == NULL)
        return -1;
    l->out_cap = cap;
    return rc;
}

/* Room for n more bytes of stream s in the buffer: what it holds is
 * written first when it is full or holds the other stream's bytes (so the
 * order of both streams is kept). Returns whether n bytes fit there, and in
 * *err -1 when that flush failed. */
static bool out_room(struct log *l, enum log_stream s, size_t n, int *err)
{
    if (l->out == NULL)
        return false;
    if (l->out_len > 0 && (l->out_to != s || l->out_len + n > l->out_cap) && log_flush(l) != 0)
        *err = -1;
    l->out_to = s;
    return n <= l->out_cap;
}

/* n bytes of whole records or lines of stream s: buffered, or written. */
static int chunk_out(struct log *l, enum log_stream s, const char *p, size_t n)
{
    int err = 0;
    if (out_room(l, s, n, &err)) {
        memcpy(l->out + l->out_len, p, n);
        l->out_len += n;
    } else if (emit(l, s, p, n) != 0) {
        err = -1;
    }
    return err;
}

int log_end(struct log *l)
{
    if (!l->active)
        return 0;
    l->active = false;
    if (l->truncated)
        buf_put_tail(l, log_marker[l->format]);
    buf_put_tail(l, log_close[l->format]);
    int err = chunk_out(l, l->to, l->buf, l->len);
    l->len = 0;
    return err;
}

/* One piece of at most LOG_RAW_MAX bytes and its newline: straight into
 * the buffer, or joined in buf (no record is being built) for one write. */
static int raw_piece(struct log *l, enum log_stream to, const char *p, size_t n)
{
    int err = 0;
    if (out_room(l, to, n + 1, &err)) {
        memcpy(l->out + l->out_len, p, n);
        l->out[l->out_len + n] = '\n';
        l->out_len += n + 1;
        return err;
    }
    memcpy(l->buf, p, n);
    l->buf[n] = '\n';
    err = emit(l, to, l->buf, n + 1) != 0 ? -1 : err;
    l->len = 0;
    return err;
}

int log_raw(struct log *l, enum log_stream to, const char *line, size_t len)
{
    int err = 0;
    do {
        size_t n = len < LOG_RAW_MAX ? len : LOG_RAW_MAX;
        if (raw_piece(l, to, line, n) != 0)
            err = -1;
        line += n;
        len -= n;
    } while (len > 0);
    return err;
}
