/* diag: diagnostics with their place (see diag.h). */
#include "crond/diag.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "crond/util.h"

/* Appends a diag owning msg (freed on failure). */
static int diag_put(struct diag_list *l, enum diag_severity sev, const char *file, int line,
                    int col, char *msg)
{
    if (msg == NULL || util_grow((void **)&l->items, l->n, &l->cap, sizeof *l->items) != 0) {
        free(msg);
        return -1;
    }
    struct diag *d = &l->items[l->n];
    *d = (struct diag){sev, NULL, line, col, msg};
    if (file != NULL && (d->file = strdup(file)) == NULL) {
        free(msg);
        return -1;
    }
    l->n++;
    l->nerrors += sev == DIAG_ERROR;
    return 0;
}

int diag_add(struct diag_list *l, enum diag_severity sev, const char *file, int line, int col,
             const char *fmt, ...)
{
    char *msg;
    va_list ap;
    va_start(ap, fmt);
    int n = vasprintf(&msg, fmt, ap);
    va_end(ap);
    return diag_put(l, sev, file, line, col, n < 0 ? NULL : msg);
}

int diag_add_all(struct diag_list *l, const struct diag_list *src, const char *file)
{
    for (size_t i = 0; i < src->n; i++) {
        const struct diag *d = &src->items[i];
        if (diag_put(l, d->severity, d->file != NULL ? d->file : file, d->line, d->col,
                     strdup(d->msg)) != 0)
            return -1;
    }
    return 0;
}

void diag_sort_lines(struct diag_list *l, size_t first)
{
    /* insertion sort: stable, and the lists are short and nearly sorted */
    for (size_t i = first + 1; i < l->n; i++) {
        struct diag d = l->items[i];
        size_t k = i;
        for (; k > first && l->items[k - 1].line > d.line; k--)
            l->items[k] = l->items[k - 1];
        l->items[k] = d;
    }
}

void diag_list_free(struct diag_list *l)
{
    for (size_t i = 0; i < l->n; i++) {
        free(l->items[i].file);
        free(l->items[i].msg);
    }
    free(l->items);
    *l = (struct diag_list){0};
}

int diag_format(const struct diag *d, char *buf, size_t len)
{
    const char *sev = d->severity == DIAG_WARNING ? "warning: "
                      : d->severity == DIAG_NOTE  ? "note: "
                                                  : "";
    const char *file = d->file != NULL ? d->file : "-";
    if (d->line == 0)
        return snprintf(buf, len, "%s: %s%s", file, sev, d->msg);
    return snprintf(buf, len, "%s:%d:%d: %s%s", file, d->line, d->col, sev, d->msg);
}
