/* log: the records crond-lite writes (DESIGN.md section 7), text (logfmt) or
 * JSON, one record a line, never split across write(2) calls so records
 * never interleave: one write per record, or (log_set_buffered) one per
 * batch of whole records.
 *
 *   2026-12-01T13:00:00.002Z level=info event=job.start job=app.cron:3 pid=812 cmd="backup --full"
 *   {"time":"2026-12-01T13:00:00.002Z","level":"info","event":"job.start","job":"app.cron:3","pid":812,"cmd":"backup --full"}
 *
 * Keys appear in the order they are added. Text values are quoted when they
 * are empty or hold a blank, '=', '"', '\' or a control character (escapes
 * \" \\ \n \r \t, other control bytes as \xNN). JSON strings escape per RFC
 * 8259 and replace invalid UTF-8 with U+FFFD.
 *
 * Two streams (crond-lite's stdout and stderr, DESIGN.md section 9): a
 * record goes to stdout unless split logs send it to stderr (log_route),
 * and a job's line in raw output mode (log_raw) goes to the stream it came
 * from. Records and raw lines share one batch buffer: a write for the other
 * stream first writes what is buffered, so the order of everything said is
 * kept also where both streams end up in one place (a terminal, `2>&1`,
 * `docker logs`), and a line is never split across writes.
 *
 * The output fds are blocking on purpose: when crond-lite's stdout is slow,
 * the daemon (and through full pipes, the jobs) slow down; nothing is
 * dropped. Single-threaded: one record is built at a time.
 */
#ifndef CROND_LOG_H
#define CROND_LOG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>


enum log_format { LOG_FORMAT_TEXT, LOG_FORMAT_JSON };
enum log_level { LOG_LEVEL_ERROR, LOG_LEVEL_WARN, LOG_LEVEL_INFO, LOG_LEVEL_DEBUG };
/* --output: a job's lines as job.output records, or raw (unwrapped). */
enum log_output { LOG_OUTPUT_RECORDS, LOG_OUTPUT_RAW };
/* crond-lite's own stdout and stderr; also the stream a job line came from. */
enum log_stream { LOG_STREAM_OUT, LOG_STREAM_ERR };

/* Names as users write them ("text", "json"; "error" ... "debug";
 * "records", "raw"), matched case-insensitively; _from returns -1 for an
 * unknown name. */
const char *log_format_name(enum log_format f);
const char *log_level_name(enum log_level l);
const char *log_output_name(enum log_output o);
int log_format_from(const char *s);
int log_level_from(const char *s);
int log_output_from(const char *s);

/* Where a record goes. Without split logs: stdout. With them (--split-logs):
 * stderr for records at warn and above and for records that carry a line
 * of a job's stderr (from: the job stream, LOG_STREAM_OUT for the others),
 * stdout for the rest. */
enum log_stream log_route(bool split, enum log_level level, enum log_stream from);

/* A record holds at most one 16 KiB output line, escaped (up to 6 bytes a
 * byte in JSON), plus its other fields. */
#define LOG_RECORD_MAX (16384 * 6 + 4096)

/* The longest raw line written as it is: a longer one is cut into pieces
 * of this many bytes (the relay never hands over more, relay.h). */
#define LOG_RAW_MAX 16384

/* One output stream. */
struct log_sink {
    int fd;                       /* where its bytes go (1 or 2) */
    int fallback_fd;              /* where they go once fd broke, -1: nowhere */
    int write_errno;              /* first write error, 0 if none */
    bool fell_back;               /* fd broke: bytes go to fallback_fd */
};

struct log {
    struct log_sink sink[2];      /* by enum log_stream */
    bool split;                   /* log_route's split: --split-logs */
    enum log_stream to;           /* where the record being built goes */
    enum log_stream out_to;       /* whose bytes out holds */
    int64_t now_ms;               /* the time of the record being built */
    int64_t ts_ms;                /* the time ts holds */
    size_t ts_len;                /* 0: none yet */
    char ts[40];                  /* ts_ms as 2026-12-01T13:00:00.002Z */
    char *out;                    /* finished records not written yet, or NULL */
    size_t out_len, out_cap;      /* (log_set_buffered) */
    enum log_format format;       /* text or json */
    enum log_level level;         /* records above this level are dropped */
    bool active;                  /* a record is being built */
    bool truncated;               /* the record being built hit LOG_RECORD_MAX */
    size_t len;                   /* bytes in buf */
    char buf[LOG_RECORD_MAX + 8]; /* the record being built */
};

/* Both streams go to fd, without fallback and without split logs. */
void log_init(struct log *l, int fd, enum log_format format, enum log_level level);
/* When a write to stdout's fd fails (stdout closed, a broken pipe), the
 * record is written to fallback_fd instead, followed by a daemon.error
 * record that says why, and every later record goes there too: what
 * crond-lite says is never lost silently while it has somewhere to say it. */
void log_set_fallback(struct log *l, int fallback_fd);
/* The stderr stream goes to fd; should a write there fail, what was meant
 * for it goes to stdout's fd, after a daemon.error there saying why (unless
 * stdout broke first: then there is nowhere left). */
void log_set_stderr(struct log *l, int fd);
/* --split-logs (see log_route). */
void log_set_split(struct log *l, bool split);
/* A write to stdout's fd failed (sink[LOG_STREAM_OUT].write_errno says
 * why): the daemon stops. A broken stderr alone is not: stdout takes over. */
bool log_broken(const struct log *l);
/* Buffered (cap > 0): finished records (and raw lines) collect in a buffer
 * of cap bytes and are written, whole records only, when it is full, when
 * one for the other stream comes, or at log_flush; a record larger than cap
 * is written alone. A daemon that flushes before
 * its loop sleeps writes a burst of records with a few writes instead of
 * one each. cap 0 (the default): one write per record. Returns 0, or -1
 * (out of memory, or the flush of what was buffered failed). */
int log_set_buffered(struct log *l, size_t cap);
/* Writes what is buffered. Returns 0 or -1 (see log_end). */
int log_flush(struct log *l);
bool log_enabled(const struct log *l, enum log_level level);

/* Starts a record (time, level, event). If the level is filtered out the
 * following calls do nothing. now_ms: UTC milliseconds. */
void log_begin(struct log *l, int64_t now_ms, enum log_level level, const char *event);
/* The same for a record that carries a line of a job's stream `from`
 * (job.output): it is routed by that stream too (log_route). */
void log_begin_stream(struct log *l, int64_t now_ms, enum log_level level, const char *event,
                      enum log_stream from);
void log_str(struct log *l, const char *key, const char *value);
void log_strn(struct log *l, const char *key, const char *value, size_t len);
void log_int(struct log *l, const char *key, int64_t value);
/* Finishes and writes the record with one write(2) (continuing after a
 * partial write or EINTR). Returns 0, or -1 and sets the sink's write_errno
 * (the first error only). */
int log_end(struct log *l);

/* --output raw: one line of a job (without its newline) to the stream `to`,
 * as it is plus a '\n', nothing added or escaped, never split across
 * writes (see LOG_RAW_MAX for longer ones), batched like records. Not
 * filtered by the level: it is the job's output, not a record. Called
 * between records, never while one is being built. Returns 0 or -1 (see
 * log_end). */
int log_raw(struct log *l, enum log_stream to, const char *line, size_t len);

#endif
