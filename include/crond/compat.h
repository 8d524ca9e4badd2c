/* compat: personalities (DESIGN.md section 9). Run as `go-crond` or
 * `supercronic` (argv[0]'s base name, as busybox picks its applets), or with
 * `--compat NAME` / CROND_LITE_COMPAT, crond-lite reads that program's
 * command line and variables and turns them into its own options.
 *
 * compat_translate is the whole of it: it picks the personality, reads the
 * peer's flags (go-flags style for go-crond, Go's flag package style for
 * supercronic) and writes a native command line that options_parse reads as
 * usual, so every native rule (CROND_LITE_* variables, the INI file,
 * precedence, validation) holds under a personality too. What no native
 * option says travels beside it in compat_extras (options.h keeps a copy).
 * A peer's flag that crond-lite cannot honour is an error naming what to
 * do instead; none is dropped in silence.
 *
 * Pure but for go-crond's --auto, which looks at the distribution's files
 * (/etc/debian_version, /etc/crontab, /etc/cron.d, ...) as go-crond does.
 */
#ifndef CROND_COMPAT_H
#define CROND_COMPAT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "crond/util.h"

enum compat_personality { COMPAT_NONE, COMPAT_GO_CROND, COMPAT_SUPERCRONIC };

#define COMPAT_MAX_FILES 64

/* go-crond's positional USER:PATH: a user-format crontab run as USER. */
struct compat_user_file {
    const char *user;
    const char *path;
};

/* What a personality asks for that no native option says. */
struct compat_extras {
    enum compat_personality personality;
    bool others_as_self;   /* go-crond --allow-unprivileged: unprivileged,
                            * other users' jobs run as the invoking user */
    bool no_reap;          /* supercronic -no-reap: no subreaper unless PID 1 */
    bool metrics_off;      /* go-crond without --server.metrics: no /metrics */
    bool version_bare;     /* --dumpversion, -version: the number alone */
    int64_t http_read_ms;  /* go-crond --server.timeout.read, or 0 */
    int64_t http_write_ms; /* go-crond --server.timeout.write, or 0 */
    struct compat_user_file user_files[COMPAT_MAX_FILES];
    size_t nuser_files;
};

/* A native command line and what goes beside it. argv[0] is the caller's;
 * the other strings are the caller's argv words or owned by mem. */
struct compat_args {
    int argc;
    char **argv;           /* NULL-terminated */
    size_t cap;
    struct compat_extras extras;
    struct util_arena mem;
};

/* Picks the personality (--compat NAME anywhere before "--", else argv[0]'s
 * base name, else CROND_LITE_COMPAT) and writes the native command line.
 * Without a personality the native line is argv without --compat. Returns
 * 0, or -1 with a usage message in err (exit status 2); out is always safe
 * to free. */
int compat_translate(int argc, char *const argv[], char *const envp[], struct compat_args *out,
                     char *err, size_t errlen);
void compat_args_free(struct compat_args *a);

/* "go-crond", "supercronic" or "crond-lite"; the personality of a name
 * (those three, and "none"), or -1. */
const char *compat_name(enum compat_personality p);
int compat_from_name(const char *name);

/* Under crond-lite's own name: when word (a command-line word that was
 * refused) is a peer's flag or argument form, the hint for it ("use
 * --log-format json, or run as supercronic"), else NULL. */
const char *compat_hint(const char *word);

/* The --help text of a personality (COMPAT_NONE: NULL). */
const char *compat_usage(enum compat_personality p);

#endif
