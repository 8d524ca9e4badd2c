/* crontab: the text of one crontab file to job entries.
 *
 * Pure: no I/O, no clock, no zones (zone names are resolved by the loader).
 * Line grammar (DESIGN.md section 2):
 *
 *   line     := blank | comment | variable | job
 *   comment  := [blanks] "#" anything
 *   variable := NAME [blanks] "=" [blanks] VALUE     VALUE may be '...' or "..."
 *   job      := ["CRON_TZ=" ZONE blanks] SCHEDULE blanks [USER blanks] COMMAND
 *               (USER only with --system)
 *
 * Variables apply to the job lines after them, in order. SHELL picks the
 * shell and CRON_TZ the zone of later schedules; RANDOM_DELAY=N (cronie)
 * delays each later calendar job by whole seconds in [0, N minutes), drawn
 * from the job's seed (cronspec_seed of its text, as for '~'), stored as
 * its spec's delay_s; every variable but CRON_TZ goes into the jobs'
 * environment (SHELL and RANDOM_DELAY too, as cron does). Every problem of
 * the text is reported, not only the first; a line with an error yields no
 * entry, a warning (DIAG_WARNING: a UTF-8 byte-order mark, a bad
 * RANDOM_DELAY, a schedule's own warnings, "\%" while '%' is literal, a
 * command starting with what looks like a field) leaves it.
 */
#ifndef CROND_CRONTAB_H
#define CROND_CRONTAB_H

#include <stdbool.h>
#include <stddef.h>

#include "crond/cronspec.h"
#include "crond/diag.h"
#include "crond/util.h"

struct crontab_opts {
    bool system;          /* lines carry a user column */
    bool percent_newline; /* crontab(5) '%': end of command, rest is stdin */
};

/* The variables, SHELL and CRON_TZ in force at one point of the file.
 * Shared by the entries after it (one snapshot per change, owned by struct
 * crontab; a line with its own "CRON_TZ=Zone " prefix has one of its own). */
struct crontab_env {
    char **vars;        /* "NAME=VALUE", in order of first assignment; NULL-terminated */
    size_t nvars;
    const char *shell;  /* SHELL in force, NULL for the default */
    const char *tz;     /* CRON_TZ in force (or the line's own), NULL: default */
    int tz_line;        /* where that CRON_TZ was written */
    int tz_col;         /*   (line and column of the zone name) */
};

/* One job line (56 bytes: there may be 100,000). Strings and the schedule
 * belong to the crontab (its arena) and may be shared by entries. */
struct crontab_entry {
    int line;                      /* 1-based line number */
    int col;                       /* column where the schedule starts */
    const struct cronspec *spec;   /* parsed schedule */
    const char *schedule;          /* schedule as written, blanks collapsed */
    char *user;                    /* user column (--system), else NULL */
    char *command;                 /* command for SHELL -c */
    char *input;                   /* stdin text (percent_newline), else NULL */
    const struct crontab_env *env; /* variables, SHELL, CRON_TZ in force (never NULL) */
};

struct crontab {
    struct crontab_entry *entries;
    size_t nentries;
    struct diag_list diags;     /* errors, in line order (file NULL) */
    struct crontab_env **envs;  /* snapshots owned here */
    size_t nenvs;
    struct util_arena arena;    /* the entries' strings and schedules */
};

/* Parses text (len bytes, need not be NUL-terminated; NUL bytes are an error).
 * Returns 0 when the text has no problem, 1 when diags (errors or warnings)
 * were recorded (entries holds the good lines), -1 when out of memory. out is
 * always safe to free. */
int crontab_parse(const char *text, size_t len, const struct crontab_opts *opts,
                  struct crontab *out);
void crontab_free(struct crontab *tab);

/* Appends an entry made elsewhere (a [job] of the INI file): its schedule,
 * its strings, e->env's SHELL and CRON_TZ and the variables ("NAME=VALUE",
 * nvars of them) are copied into tab (as a new snapshot). Returns 0 or -1
 * (out of memory). */
int crontab_append(struct crontab *tab, const struct crontab_entry *e, char *const *vars,
                   size_t nvars);

/* Looks a variable up in an environment snapshot; NULL when unset. */
const char *crontab_env_get(const struct crontab_env *env, const char *name);

#endif
