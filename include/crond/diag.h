/* diag: the one diagnostic type. Every problem crond-lite finds in its input
 * (a crontab line, an INI key, a file that cannot be read) is a struct diag
 * with the place and the message, collected in a diag_list; the modes print
 * them as FILE:LINE:COL: message, the daemon logs them as config.error.
 */
#ifndef CROND_DIAG_H
#define CROND_DIAG_H

#include <stdbool.h>
#include <stddef.h>

enum diag_severity {
    DIAG_ERROR,
    DIAG_WARNING,
    DIAG_NOTE,    /* worth a debug record: a file a run-parts directory skips */
};

struct diag {
    enum diag_severity severity;
    char *file;   /* path; NULL in a list about one text (crontab, config) */
    int line;     /* 1-based, 0 for a problem of the whole file */
    int col;      /* 1-based, 0 for the whole file or line (INI keys) */
    char *msg;    /* "day of month 32 out of range 1-31" */
};

struct diag_list {
    struct diag *items;
    size_t n;
    size_t cap;
    size_t nerrors;   /* items with DIAG_ERROR */
};

/* Appends a diagnostic (file and message copied). Returns 0, or -1 when out
 * of memory (then nothing was added). */
int diag_add(struct diag_list *l, enum diag_severity sev, const char *file, int line, int col,
             const char *fmt, ...) __attribute__((format(printf, 6, 7)));
/* Appends every item of src, with file when src's items have none. */
int diag_add_all(struct diag_list *l, const struct diag_list *src, const char *file);
/* Orders the items from index first on by line, keeping the order of equal
 * lines (problems found in several passes read in file order). */
void diag_sort_lines(struct diag_list *l, size_t first);
void diag_list_free(struct diag_list *l);

/* "FILE:LINE:COL: message", "FILE: message" for the whole file, with
 * "warning: " (or "note: ") before a warning's (a note's) message. Returns what snprintf returns. */
int diag_format(const struct diag *d, char *buf, size_t len);

#endif
