/* loader: crontab files and directories on disk to jobs ready to schedule.
 *
 * The I/O half of crontab handling (the text half is crontab.c): directory
 * rules, the file permission rule, zone names resolved through a cache,
 * schedules that can never fire, and whom each job runs as: the --system user
 * column, or as root a file in a directory named after a user
 * (/etc/crontabs/alice); unprivileged, a line naming another user is an
 * error (only root can switch users). Every problem of every file is collected;
 * nothing is printed here.
 */
#ifndef CROND_LOADER_H
#define CROND_LOADER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "crond/crontab.h"
#include "crond/diag.h"

struct config;
struct options;
struct user;
struct zone;
struct zone_cache;

/* What a path given to the loader holds. */
enum loader_format {
    LOADER_USER_FORMAT,    /* -f: crontab(5) lines without a user column */
    LOADER_SYSTEM_FORMAT,  /* -F, or -f with --system: /etc/crontab lines */
    LOADER_RUN_PARTS,      /* --run-parts*: a directory of executables */
};

/* One path to load: a file or a directory of crontabs, or a run-parts
 * directory. */
struct loader_source {
    const char *path;
    enum loader_format format;
    const char *user;      /* run-parts, user format: whom its jobs run as, or NULL */
    const char *schedule;  /* run-parts: its jobs' schedule ("@hourly") */
};
#define LOADER_MAX_SOURCES 256 /* -f, -F, run-parts and go-crond USER:PATH paths, 64 each */

struct loader_opts {
    bool percent_newline;            /* crontab(5) '%' */
    const struct zone *default_zone; /* zone of schedules without CRON_TZ */
    struct zone_cache *zones;        /* resolves CRON_TZ names */
    int64_t now;                     /* UTC seconds, for "can never fire" */
    bool as_root;                    /* crond-lite runs as root (euid 0) */
    const struct config *ini;        /* the INI file, whose [job] sections are jobs, or NULL */
    unsigned uid;                    /* the uid crond-lite runs as */
    bool others_as_self;             /* unprivileged, another user's jobs run as
                                      * uid (go-crond --allow-unprivileged) */
};

/* What only an INI [job] (or a run-parts job) has. */
struct loader_ini {
    char *name;          /* the section's name, or DIR/NAME: the job's id */
    int64_t timeout_ms;  /* 0 for none */
    int overlap;         /* enum overlap_policy, or -1 for the daemon's */
    char *workdir;       /* or NULL: the user's home */
    char *on_failure;    /* the job's own hooks, or NULL: the daemon's */
    char *on_success;
    bool no_claim;       /* claim = off */
};

/* One job (40 bytes: there may be 100,000). Its id is not stored:
 * loader_job_id makes it. */
struct loader_job {
    const struct crontab_entry *entry;  /* owned by the file's crontab */
    const struct zone *zone;            /* owned by the cache or the caller */
    const struct loader_file *file;     /* the file it was read from */
    struct user *user;                  /* another user to run as, or NULL:
                                         * the user crond-lite runs as */
    struct loader_ini *ini;             /* an INI job's own settings, or NULL */
};

struct loader_file {
    char *path;          /* as opened: directory + "/" + name */
    char *name;          /* name without directory (job ids) */
    struct crontab tab;  /* entries and the text's own diags */
    char *owner;         /* go-crond's USER:PATH: whom its jobs run as, or NULL */
    bool in_dir;         /* found in a directory (per-user file rule) */
    bool ini;            /* the INI file's [job] sections */
    bool run_parts;      /* a run-parts directory: its executables are jobs */
    bool system;         /* lines carry a user column */
    bool id_by_path;     /* another loaded file has this name: ids use path */
};

struct loader_result {
    struct loader_file *files;
    size_t nfiles;
    struct loader_job *jobs;
    size_t njobs;
    struct diag_list diags;    /* every problem, with its file */
};

/* Loads every source (a file, or a directory read non-recursively), then the
 * [job] sections of opts->ini (their ids are the job names; problems
 * of the INI file are diags of it too). A run-parts directory gives one job
 * per executable regular file whose name run-parts(8) accepts
 * ([A-Za-z0-9_-]+), id DIR/NAME; other names are DIAG_NOTE diags. Returns 0,
 * or -1 when out of memory; problems are in out->diags either way, and out
 * is always safe to free. */
int loader_load(const struct loader_source *src, size_t nsrc, const struct loader_opts *opts,
                struct loader_result *out);
void loader_result_free(struct loader_result *r);

/* A job's id: "FILE:LINE" (the file's name, or its path when two loaded
 * files share a name), or an INI job's name. Returns it (written into buf,
 * which should hold LOADER_ID_MAX bytes, or the INI name itself). */
#define LOADER_ID_MAX 4200
const char *loader_job_id(const struct loader_job *j, char *buf, size_t len);
static inline int64_t loader_job_timeout(const struct loader_job *j)
{
    return j->ini != NULL ? j->ini->timeout_ms : 0;
}
/* The job's own overlap policy (enum overlap_policy), or -1. */
static inline int loader_job_overlap(const struct loader_job *j)
{
    return j->ini != NULL ? j->ini->overlap : -1;
}
static inline const char *loader_job_workdir(const struct loader_job *j)
{
    return j->ini != NULL ? j->ini->workdir : NULL;
}
/* The job's own --on-failure / --on-success command, or NULL. */
static inline const char *loader_job_on_failure(const struct loader_job *j)
{
    return j->ini != NULL ? j->ini->on_failure : NULL;
}
static inline const char *loader_job_on_success(const struct loader_job *j)
{
    return j->ini != NULL ? j->ini->on_success : NULL;
}
/* Are the job's runs claimed (--claim)? Not with claim = off. */
static inline bool loader_job_claims(const struct loader_job *j)
{
    return j->ini == NULL || !j->ini->no_claim;
}

/* The sources of the options, in this order: the -f paths (system format
 * with --system), the -F paths, the run-parts directories; when there are
 * none of these, OPTIONS_DEFAULT_FILE. Returns how many (at most
 * LOADER_MAX_SOURCES). */
size_t loader_sources(const struct options *o, struct loader_source out[LOADER_MAX_SOURCES]);
/* Only their paths (what is watched). */
size_t loader_paths(const struct options *o, const char *out[LOADER_MAX_SOURCES]);
/* loader_load with what the options say (sources, percent_newline, who
 * runs it): their crontab paths, then the INI file's jobs: ini as read
 * already, or read again now when ini is NULL and o->config is set (a
 * reload). now: UTC seconds. Returns as loader_load. */
int loader_load_options(const struct options *o, const struct config *ini,
                        struct zone_cache *zones, const struct zone *default_zone, int64_t now,
                        struct loader_result *out);

/* Directory rule: is this directory entry name skipped? (".", "~", ".dpkg-",
 * ".rpm", ".swp"). */
bool loader_name_skipped(const char *name);

#endif
