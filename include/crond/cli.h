/* cli: the one-shot modes --check, --list and --next (DESIGN.md section 1).
 * Each returns the process exit status for main to use: 0 no problems,
 * 1 invalid input, 2 usage error. Output goes to the given streams. */
#ifndef CROND_CLI_H
#define CROND_CLI_H

#include <stdint.h>
#include <stdio.h>

struct config;
struct options;
struct zone;
struct zone_cache;

/* What the modes share: the parsed options, the zones, and "now". */
struct cli_env {
    const struct options *opts;
    const struct config *ini;          /* the INI file (-c), or NULL */
    struct zone_cache *zones;          /* owns every zone the modes use */
    const struct zone *default_zone;   /* -z, else $TZ, else the system zone */
    int64_t now;                       /* UTC seconds */
    FILE *out;                         /* results */
    FILE *err;                         /* problems */
};

/* Resolves the default zone (-z, else $TZ when set and not empty, else
 * /etc/localtime, else UTC). tz_env is the value of TZ or NULL. Returns 0 or
 * -1 with the problem in err ("TZ: unknown time zone 'Mars/Base'"). */
int cli_default_zone(struct cli_env *env, const char *tz_env, char *err, size_t errlen);

int cli_check(const struct cli_env *env);
int cli_list(const struct cli_env *env);
int cli_next(const struct cli_env *env);
/* --export kubernetes: the manifests on out, the refused jobs (with their
 * reasons) on err; 0 when every job was exported, 1 otherwise. */
int cli_export(const struct cli_env *env);
/* --probe PATH: GET PATH from the daemon at --listen (":PORT" and "[::]"
 * mean this host), at most 2 s in all; prints the status line; 0 on 200,
 * 1 otherwise (2 when --listen is not set). */
int cli_probe(const struct cli_env *env);

#endif
