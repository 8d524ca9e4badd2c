/* config: the INI configuration file (DESIGN.md section 6), read with inih.
 *
 *   [daemon]                     every option of the command line
 *   crontabs = /etc/crontabs     several paths separated by blanks
 *   shell = /bin/sh              timezone, log_format, log_level, grace,
 *   overlap = skip               clean_env, no_reload, no_new_privs,
 *   percent_newline = false      system, user, percent_newline, output,
 *                                split_logs, listen, on_failure, on_success,
 *                                claim, claim_fail, guard
 *
 *   [job "backup"]               a job defined here instead of in a crontab
 *   schedule = 0 3 * * *         required
 *   command = /usr/local/bin/backup --full   required
 *   timeout = 1h                 SIGTERM after this long, SIGKILL after --grace more
 *   overlap = queue              skip | allow | queue (default: --overlap)
 *   user = alice                 only when crond-lite runs as root
 *   shell = /bin/bash            timezone = Europe/Berlin   workdir = /srv
 *   on_failure = CMD             on_success = CMD (default: the [daemon] ones)
 *   claim = off                  never claim this job's runs (default: on with --claim)
 *   env.NAME = value             one per variable
 *
 * Comments start with ';' or '#'. An unknown section or key, a bad value, a
 * duplicate key or job name, a job without schedule or command: each is an
 * error naming the file and line; every error of the file is reported.
 * Precedence (config_apply): command line, then CROND_LITE_* (both already
 * in struct options with their `set` bits), then this file, then defaults.
 */
#ifndef CROND_CONFIG_H
#define CROND_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "crond/diag.h"
#include "crond/options.h"

struct config_job {
    char *name;          /* the section's quoted name: the job's id */
    int line;            /* line of the [job "..."] header */
    char *schedule;      /* as written */
    int schedule_line;   /* line of the schedule key (for schedule errors) */
    char *command;
    int64_t timeout_ms;  /* 0: none */
    int overlap;         /* enum overlap_policy, or -1 for the daemon's */
    char *user;          /* NULL: crond-lite's user */
    int user_line;       /* line of the user key */
    char *shell;         /* NULL: the daemon's */
    char *timezone;      /* NULL: the daemon's */
    int timezone_line;   /* line of the timezone key */
    char *workdir;       /* NULL: the user's home */
    char *on_failure;    /* NULL: the daemon's --on-failure */
    char *on_success;    /* NULL: the daemon's --on-success */
    bool no_claim;       /* claim = off: every replica runs it */
    char **env;          /* "NAME=VALUE", NULL-terminated (never NULL) */
    size_t nenv;
};

struct config {
    char *path;
    /* [daemon] values; each meaningful only when its OPT_SET_* bit is in set */
    unsigned set;
    char *crontabs;                   /* blank-separated paths */
    char *user;
    bool system;
    char *shell;
    char *timezone;
    enum log_format log_format;
    enum log_level log_level;
    int64_t grace_ms;
    enum overlap_policy overlap;
    bool clean_env;
    bool no_reload;
    bool no_new_privs;
    enum log_output output;
    bool split_logs;
    bool percent_newline;             /* OPT_SET_PERCENT_NEWLINE */
    char *listen;
    char *on_failure;
    char *on_success;
    char *claim;
    bool claim_fail_open;             /* OPT_SET_CLAIM_FAIL */
    char *guard;
    struct config_job *jobs;
    size_t njobs;
    struct diag_list diags;           /* errors, in line order (file NULL,
                                       * line 0 for the whole file, col 0) */
};


/* Reads path. Returns 0 when it has no problem, 1 when diags were recorded,
 * -1 when out of memory. out is always safe to free. A file that cannot be
 * opened is one diag with line 0. */
int config_load(const char *path, struct config *out);
/* Same from text in memory (for tests and fuzzing); name is used as path. */
int config_parse(const char *text, size_t len, const char *name, struct config *out);
void config_free(struct config *c);

/* Fills every option of o that neither the command line nor the environment
 * set from c's [daemon] values. The crontabs paths are split into
 * o->files (pointing into c, which must outlive o's use). Returns 0, or -1
 * when there are more paths than OPTIONS_MAX_FILES. */
int config_apply(const struct config *c, struct options *o);

#endif
