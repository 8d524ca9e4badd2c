/* Microbenchmark of the calendar: next-time computations per second for a
 * mix of expressions and zones, and the parse time of a 100,000-line
 * crontab. Prints one line per figure; bench/README.md records them.
 *
 *   build/bench/bench_calendar [SECONDS_PER_CASE]
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "crond/calendar.h"
#include "crond/cronspec.h"
#include "crond/crontab.h"
#include "crond/zone.h"

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static const char *const exprs[] = {
    "* * * * *",          "*/5 * * * *",        "30 2 * * *",        "0 9-17/2 * * mon-fri",
    "0 0 1,15 * *",       "0 0 L * *",          "0 9 15W * *",       "0 17 * * FRIL",
    "0 10 * * MON#3",     "*/10 * * * * * *",   "0 0 29 2 *",        "0 0 13 * 5",
    "@hourly",            "@daily",             "0 12 24 12 * 2026-2099",
};

/* Chains calendar_next from a start for `seconds`; returns calls per second. */
static double rate(const struct cronspec *s, const struct zone *z, double seconds)
{
    int64_t start = 1767225600; /* 2026-01-01T00:00:00Z */
    long calls = 0;
    double t0 = now_s(), t1;
    do {
        int64_t t = start;
        for (int i = 0; i < 1000; i++) {
            if (calendar_next(s, z, t, &t) != CALENDAR_OK)
                t = start;
            calls++;
        }
    } while ((t1 = now_s()) - t0 < seconds);
    return (double)calls / (t1 - t0);
}

static int bench_next(const char *zone_name, double seconds)
{
    char err[256];
    struct zone *z;
    if (zone_load(zone_name, NULL, &z, err, sizeof err) != 0)
        return fprintf(stderr, "%s\n", err), 1;
    double total = 0;
    size_t n = sizeof exprs / sizeof exprs[0];
    for (size_t i = 0; i < n; i++) {
        struct cronspec s;
        struct cronspec_error e;
        if (cronspec_parse(exprs[i], NULL, &s, &e) != 0)
            return fprintf(stderr, "%s: %s\n", exprs[i], e.msg), 1;
        double r = rate(&s, z, seconds);
        printf("next %-16s %-24s %10.0f calls/s\n", zone_name, exprs[i], r);
        total += 1.0 / r;
    }
    printf("next %-16s %-24s %10.0f calls/s (harmonic mean)\n", zone_name, "MIX", (double)n / total);
    zone_free(z);
    return 0;
}

static int bench_parse(size_t lines)
{
    size_t cap = lines * 48 + 64, len = 0;
    char *text = malloc(cap);
    if (text == NULL)
        return 1;
    len += (size_t)snprintf(text, cap, "SHELL=/bin/sh\nPATH=/usr/bin:/bin\n");
    for (size_t i = 0; i < lines; i++)
        len += (size_t)snprintf(text + len, cap - len, "%zu %zu * * * /usr/bin/job-%zu --run\n",
                                i % 60, i % 24, i);
    struct crontab_opts o = {false, false};
    struct crontab tab;
    double t0 = now_s();
    int rc = crontab_parse(text, len, &o, &tab);
    double dt = now_s() - t0;
    printf("parse %zu-line crontab: %.1f ms (%.2f us/line), rc=%d, %zu entries\n", lines,
           dt * 1e3, dt * 1e6 / (double)lines, rc, tab.nentries);
    crontab_free(&tab);
    free(text);
    return rc != 0;
}

int main(int argc, char **argv)
{
    double seconds = argc > 1 ? atof(argv[1]) : 0.2;
    if (bench_next("UTC", seconds) != 0 || bench_next("America/New_York", seconds) != 0)
        return 1;
    return bench_parse(100000);
}
