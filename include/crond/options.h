/* options: the command line and the CROND_LITE_* environment variables
 * (DESIGN.md section 1). Pure apart from reading the given environment
 * array. Precedence: command line, then environment, then (later) the INI
 * file, then defaults; `set` bits tell which options were given by the first
 * two, so the INI loader fills in only the others. */
#ifndef CROND_OPTIONS_H
#define CROND_OPTIONS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "crond/compat.h"
#include "crond/log.h"
#include "crond/sched.h"
#include "crond/util.h"

enum options_mode {
    MODE_DAEMON, MODE_CHECK, MODE_LIST, MODE_NEXT, MODE_PROBE, MODE_EXPORT, MODE_VERSION, MODE_HELP
};

enum options_set_bit {
    OPT_SET_FILES = 1 << 0, OPT_SET_CONFIG = 1 << 1, OPT_SET_USER = 1 << 2,
    OPT_SET_SYSTEM = 1 << 3, OPT_SET_SHELL = 1 << 4, OPT_SET_TIMEZONE = 1 << 5,
    OPT_SET_LOG_FORMAT = 1 << 6, OPT_SET_LOG_LEVEL = 1 << 7, OPT_SET_GRACE = 1 << 8,
    OPT_SET_OVERLAP = 1 << 9, OPT_SET_CLEAN_ENV = 1 << 10, OPT_SET_NO_RELOAD = 1 << 11,
    OPT_SET_COUNT = 1 << 12, OPT_SET_FROM = 1 << 13, OPT_SET_TZ = 1 << 14,
    OPT_SET_NO_NEW_PRIVS = 1 << 15, OPT_SET_OUTPUT = 1 << 16, OPT_SET_SPLIT_LOGS = 1 << 17,
    OPT_SET_SYSTEM_FILES = 1 << 18, OPT_SET_RUN_PARTS = 1 << 19, OPT_SET_PERCENT_NEWLINE = 1 << 20,
    OPT_SET_LISTEN = 1 << 21, OPT_SET_ON_FAILURE = 1 << 22, OPT_SET_ON_SUCCESS = 1 << 23,
    OPT_SET_WORKDIR = 1 << 24, OPT_SET_CLAIM = 1 << 25, OPT_SET_CLAIM_FAIL = 1 << 26,
    OPT_SET_GUARD = 1 << 27, OPT_SET_IMAGE = 1 << 28,
};

#define OPTIONS_MAX_FILES 64      /* -f paths; -F paths; run-parts directories */
#define OPTIONS_DEFAULT_FILE "/etc/crontabs"

/* One run-parts directory: every executable file in it is a job with this
 * schedule (--run-parts-hourly [USER:]DIR, --run-parts DURATION:[USER:]DIR). */
struct options_run_parts {
    const char *schedule; /* "@hourly", "@every 5m", ... (static or owned) */
    const char *user;     /* USER, or NULL: the user crond-lite runs as */
    const char *dir;
};

struct options {
    enum options_mode mode;
    const char *files[OPTIONS_MAX_FILES]; /* -f paths, in order */
    size_t nfiles;                        /* 0 (and no -F, no run-parts):
                                           * use OPTIONS_DEFAULT_FILE */
    const char *system_files[OPTIONS_MAX_FILES]; /* -F paths: system format */
    size_t nsystem_files;
    struct options_run_parts run_parts[OPTIONS_MAX_FILES]; /* --run-parts* */
    size_t nrun_parts;
    const char *config;                   /* -c INI file, or NULL */
    const char *user;                     /* -u USER[:GROUP], or NULL */
    bool system;                          /* --system */
    const char *shell;                    /* -s, default "/bin/sh" */
    const char *timezone;                 /* -z, or NULL: $TZ, else system */
    enum log_format log_format;           /* --log-format */
    enum log_level log_level;             /* --log-level */
    int64_t grace_ms;                     /* --grace, default 9000 */
    enum overlap_policy overlap;          /* --overlap */
    bool clean_env;                       /* --clean-env */
    bool no_reload;                       /* --no-reload */
    bool no_new_privs;                    /* --no-new-privs: PR_SET_NO_NEW_PRIVS in jobs */
    enum log_output output;               /* --output records|raw */
    bool split_logs;                      /* --split-logs: warn+ and job stderr to stderr */
    bool percent_newline;                 /* --percent-newline: crontab(5) '%' */
    const char *listen;                   /* --listen ADDR (netaddr.h), or NULL */
    const char *on_failure;               /* --on-failure CMD, or NULL */
    const char *on_success;               /* --on-success CMD, or NULL */
    const char *workdir;                  /* --working-directory DIR, or NULL: home */
    const char *claim;                    /* --claim URL (claimurl.h), or NULL */
    bool claim_fail_open;                 /* --claim-fail open: run when the store is down */
    const char *guard;                    /* --guard CMD, or NULL */
    const char *image;                    /* --image for --export, or NULL: the default */
    struct compat_extras compat;          /* a personality's (compat.h); set by the
                                           * caller after compat_translate */
    const char *next_expr;                /* --next EXPR */
    const char *probe_path;               /* --probe PATH */
    const char *from;                     /* --from TIME, or NULL: now */
    const char *tz;                       /* --tz ZONE for --next, or NULL */
    int count;                            /* --count, default 5 */
    unsigned set;                         /* enum options_set_bit */
    char *env_files;                      /* owned copy of CROND_LITE_FILE */
    struct util_arena owned;              /* other split copies (-F, run-parts) */
};

/* Parses argv (argv[0] is the program) and envp ("NAME=VALUE", NULL-ended;
 * may be NULL). Returns 0, or -1 with a usage message in err (exit status 2). */
int options_parse(int argc, char *const argv[], char *const envp[], struct options *out,
                  char *err, size_t errlen);
void options_free(struct options *o);
/* The --help text. */
const char *options_usage(void);

/* "1/0, true/false, yes/no, on/off" (case-insensitive); -1 when none. */
int options_bool_from(const char *s);
/* "closed" 0, "open" 1 (--claim-fail); -1 when neither. */
int options_claim_fail_from(const char *s);

#endif
