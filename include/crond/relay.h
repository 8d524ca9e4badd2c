/* relay: bytes from a job's pipe to lines (DESIGN.md section 4).
 *
 * Pure: the caller reads the pipe and feeds what it got, in any chunk sizes;
 * each complete line (without its '\n') is passed to the emit callback. A line
 * longer than RELAY_MAX_LINE is split into pieces of RELAY_MAX_LINE bytes (the
 * newline right after a full piece does not make an extra empty line). At the
 * end of the stream relay_flush emits a last line that had no newline.
 * Joining the emitted pieces, each followed by '\n' when its newline flag is
 * set, gives back the input exactly: no byte is dropped, none added (when
 * memory for an unfinished line cannot be had, what is pending is emitted
 * early as a piece without newline, rather than dropped).
 */
#ifndef CROND_RELAY_H
#define CROND_RELAY_H

#include <stdbool.h>
#include <stddef.h>

#define RELAY_MAX_LINE 16384

/* newline: the piece was ended by a '\n' in the input (false for the pieces
 * of a split line but the last, and for a flushed last line). */
typedef void (*relay_emit_fn)(void *ctx, const char *line, size_t len, bool newline);

/* Room for an unfinished line is allocated only when a chunk ends inside a
 * line, grown as the line grows (at most RELAY_MAX_LINE) and freed when the
 * line is done: a job that writes whole lines costs no buffer at all. */
struct relay_buf {
    size_t len;                  /* bytes of an unfinished line in data */
    size_t cap;                  /* bytes allocated at data */
    bool after_split;            /* the last thing emitted was a full piece */
    char *data;                  /* the unfinished line, or NULL */
};

void relay_init(struct relay_buf *b);
/* Frees the room of an unfinished line (relay_flush first, or it is lost). */
void relay_free(struct relay_buf *b);
void relay_feed(struct relay_buf *b, const char *data, size_t n, relay_emit_fn emit, void *ctx);
/* End of stream: emits the unfinished line, if any. */
void relay_flush(struct relay_buf *b, relay_emit_fn emit, void *ctx);

/* The last lines of a run, for a hook's CROND_LITE_OUTPUT (hook.h): the
 * lines (and pieces) of both streams in the order they were emitted, each
 * followed by '\n', of which only the last RELAY_TAIL_MAX bytes are kept
 * (one byte more, to know whether they start at a line's start). Fixed
 * size: a run that writes gigabytes costs no more. Zero-initialise it. */
#define RELAY_TAIL_MAX 4096
struct relay_tail {
    size_t len;                       /* bytes held, at most RELAY_TAIL_MAX + 1 */
    size_t end;                       /* where the next byte goes */
    char data[RELAY_TAIL_MAX + 1];    /* a ring */
};

void relay_tail_add(struct relay_tail *t, const char *line, size_t len);
/* The kept text, NUL-terminated in out (at least RELAY_TAIL_MAX + 1
 * bytes): at most RELAY_TAIL_MAX bytes, without the last '\n', starting at
 * a line's start (a line cut by the limit is left out, unless it is the
 * only one: then its end is kept), NUL bytes as '?' (an environment
 * variable cannot hold them). Returns its length. */
size_t relay_tail_text(const struct relay_tail *t, char *out, size_t outlen);

#endif
