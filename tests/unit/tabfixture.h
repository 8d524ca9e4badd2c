/* A fixture the job-table tests share (test_jobtab, test_metrics): crontab
 * files written into a temporary directory, loaded with the real loader
 * and applied to a table as the daemon does. Include after testutil.h. */
#ifndef CROND_TEST_TABFIXTURE_H
#define CROND_TEST_TABFIXTURE_H

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "crond/jobtab.h"
#include "crond/loader.h"
#include "crond/zone.h"

#define T0 1767225600000LL /* 2026-01-01T00:00:00Z in ms */
#define MIN 60000LL

static char dir[64];
static struct zone_cache *zones;

static inline int setup(void **state)
{
    (void)state;
    snprintf(dir, sizeof dir, "/tmp/crond-tab-XXXXXX");
    zones = zone_cache_new(NULL);
    return mkdtemp(dir) != NULL && zones != NULL ? 0 : -1;
}

static inline int teardown(void **state)
{
    (void)state;
    char cmd[128];
    zone_cache_free(zones);
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    return system(cmd) == 0 ? 0 : -1;
}

/* Writes dir/name with the given lines (NULL after the last). */
static inline void put(const char *name, ...)
{
    char path[256];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    char *slash = strrchr(path, '/');
    *slash = '\0';
    mkdir(path, 0755); /* a subdirectory, when name has one */
    *slash = '/';
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    va_list ap;
    va_start(ap, name);
    for (const char *l = va_arg(ap, const char *); l != NULL; l = va_arg(ap, const char *))
        fprintf(f, "%s\n", l);
    va_end(ap);
    assert_int_equal(fclose(f), 0);
}

/* Loads the crontab paths p1 (and p2, or NULL), relative to dir, at now. */
static inline void tab_load(int64_t now, const char *p1, const char *p2, struct loader_result *r)
{
    char a[256], b[256];
    snprintf(a, sizeof a, "%s/%s", dir, p1);
    snprintf(b, sizeof b, "%s/%s", dir, p2 != NULL ? p2 : "");
    const struct loader_source paths[] = {{a, LOADER_USER_FORMAT, NULL, NULL},
                                          {b, LOADER_USER_FORMAT, NULL, NULL}};
    char err[128];
    struct loader_opts lo = {
        .default_zone = zone_cache_get(zones, "UTC", err, sizeof err),
        .zones = zones,
        .now = now / 1000,
        .uid = (unsigned)geteuid(),
    };
    assert_int_equal(loader_load(paths, p2 != NULL ? 2 : 1, &lo, r), 0);
}

/* The job whose command is cmd (the test fails when none is). */
static inline struct jobtab_job *by_cmd(const struct jobtab *t, const char *cmd)
{
    for (size_t i = 0; i < t->n; i++)
        if (strcmp(t->jobs[i].lj->entry->command, cmd) == 0)
            return &t->jobs[i];
    fail_msg("no job runs '%s'", cmd);
    return NULL;
}

#endif
