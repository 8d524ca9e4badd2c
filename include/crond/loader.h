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

struct loader_opts {
    bool system;                     /* --system: user column */
    bool percent_newline;            /* crontab(5) '%' */
    const struct zone *default_zone; /* zone of schedules without CRON_TZ */
    struct zone_cache *zones;        /* resolves CRON_TZ names */
    int64_t now;                     /* UTC seconds, for "can never fire" */
    bool as_root;                    /* crond-lite runs as root (euid 0) */
    const struct config *ini;        /* the INI file, whose [job] sections are jobs, or NULL */
    unsigned uid;                    /* the uid crond-lite runs as */
};

struct loader_job {
    char *id;                           /* "FILE:LINE" (file name without directory;
                                         * the path as given when two files
                                         * loaded share a name), or the INI
                                         * job's name */
    const struct crontab_entry *entry;  /* owned by the file's crontab */
    const struct zone *zone;            /* owned by the cache or the caller */
    size_t file;                        /* index into loader_result.files */
    struct user *user;                  /* another user to run as, or NULL:
                                         * the user crond-lite runs as */
    int64_t timeout_ms;                 /* INI timeout, 0 for none */
    int overlap;                        /* INI overlap policy, -1 for the daemon's */
    const char *workdir;                /* INI workdir (owned), or NULL: the user's home */
};

struct loader_file {
    char *path;          /* as opened: directory + "/" + name */
    char *name;          /* name without directory (job ids) */
    struct crontab tab;  /* entries and the text's own diags */
    bool in_dir;         /* found in a directory (per-user file rule) */
    bool ini;            /* the INI file's [job] sections */
};

struct loader_result {
    struct loader_file *files;
    size_t nfiles;
    struct loader_job *jobs;
    size_t njobs;
    struct diag_list diags;    /* every problem, with its file */
};

/* Loads every path (a file, or a directory read non-recursively), then the
 * [job] sections of opts->ini (their ids are the job names; problems
 * of the INI file are diags of it too). Returns 0,
 * or -1 when out of memory; problems are in out->diags either way, and out
 * is always safe to free. */
int loader_load(const char *const *paths, size_t npaths, const struct loader_opts *opts,
                struct loader_result *out);
void loader_result_free(struct loader_result *r);

/* The crontab paths of the options: the -f paths, or OPTIONS_DEFAULT_FILE. */
const char *const *loader_paths(const struct options *o, size_t *out_n);
/* loader_load with what the options say (--system, percent_newline, who
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
