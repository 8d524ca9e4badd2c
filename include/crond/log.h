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
 * The output fd is blocking on purpose: when crond-lite's stdout is slow,
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

/* Names as users write them ("text", "json"; "error" ... "debug"), matched
 * case-insensitively; _from returns -1 for an unknown name. */
const char *log_format_name(enum log_format f);
const char *log_level_name(enum log_level l);
int log_format_from(const char *s);
int log_level_from(const char *s);

/* A record holds at most one 16 KiB output line, escaped (up to 6 bytes a
 * byte in JSON), plus its other fields. */
#define LOG_RECORD_MAX (16384 * 6 + 4096)

struct log {
    int fd;                       /* where records go (1) */
    int fallback_fd;              /* where they go once fd broke (2), -1: nowhere */
    int64_t now_ms;               /* the time of the record being built */
    int64_t ts_ms;                /* the time ts holds */
    size_t ts_len;                /* 0: none yet */
    char ts[40];                  /* ts_ms as 2026-12-01T13:00:00.002Z */
    char *out;                    /* finished records not written yet, or NULL */
    size_t out_len, out_cap;      /* (log_set_buffered) */
    enum log_format format;       /* text or json */
    enum log_level level;         /* records above this level are dropped */
    int write_errno;              /* first write error (EPIPE...), 0 if none */
    bool active;                  /* a record is being built */
    bool truncated;               /* the record being built hit LOG_RECORD_MAX */
    size_t len;                   /* bytes in buf */
    char buf[LOG_RECORD_MAX + 8]; /* the record being built */
};

void log_init(struct log *l, int fd, enum log_format format, enum log_level level);
/* When a write to fd fails (stdout closed, a broken pipe), the record is
 * written to fallback_fd instead, followed by a daemon.error record that
 * says why, and every later record goes there too: what crond-lite says is
 * never lost silently while it has somewhere to say it. */
void log_set_fallback(struct log *l, int fallback_fd);
/* A write to the first fd failed (write_errno says why). */
bool log_broken(const struct log *l);
/* Buffered (cap > 0): finished records collect in a buffer of cap bytes
 * and are written, whole records only, when it is full or at log_flush;
 * a record larger than cap is written alone. A daemon that flushes before
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
void log_str(struct log *l, const char *key, const char *value);
void log_strn(struct log *l, const char *key, const char *value, size_t len);
void log_int(struct log *l, const char *key, int64_t value);
/* Finishes and writes the record with one write(2) (continuing after a
 * partial write or EINTR). Returns 0, or -1 and sets write_errno (the first
 * error only). */
int log_end(struct log *l);

#endif
