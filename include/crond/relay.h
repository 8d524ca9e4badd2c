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

#endif
