/* export: jobs as Kubernetes CronJobs (see export.h). */
#include "crond/export.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "crond/cronspec.h"
#include "crond/crontab.h"
#include "crond/util.h"
#include "crond/zone.h"

#define NAME_MAX_LEN 52 /* a CronJob's name: its Jobs' get 11 more characters */

const char *export_refusal(const struct loader_job *j)
{
    const struct crontab_entry *e = j->entry;
    const struct cronspec *s = e->spec;
    if (s->kind == CRONSPEC_REBOOT)
        return "@reboot (a CronJob has no daemon start to run at)";
    if (s->kind == CRONSPEC_EVERY)
        return "@every (a CronJob runs on the calendar, not every interval since a start)";
    if (s->flags & CRONSPEC_SECONDS)
        return "a seconds field (a CronJob runs at most once a minute)";
    if (!(s->flags & CRONSPEC_YEAR_ANY))
        return "a year field (a CronJob's schedule has five fields)";
    if (s->flags & (CRONSPEC_DOM_LAST | CRONSPEC_DOM_LASTWD))
        return "L in the day of month (a CronJob's schedule has no last day)";
    if (s->dom_near != 0)
        return "W in the day of month (a CronJob's schedule has no nearest weekday)";
    if (s->dow_last != 0)
        return "L in the day of week (a CronJob's schedule has no last weekday)";
    for (int d = 0; d < 7; d++)
        if (s->dow_nth[d] != 0)
            return "# in the day of week (a CronJob's schedule has no n-th weekday)";
    if (s->flags & CRONSPEC_RANDOM)
        return "a random '~' item (write the value crond-lite chose: --list shows it)";
    if (s->delay_s != 0)
        return "RANDOM_DELAY (a CronJob has no start delay)";
    if (e->input != NULL)
        return "stdin text after '%' (--percent-newline)";
    return NULL;
}

/* s as a YAML double-quoted scalar (JSON's escapes are YAML's too). */
static void yaml_str(struct util_buf *b, const char *s)
{
    util_buf_add(b, "\"", 1);
    for (const unsigned char *p = (const unsigned char *)s; *p != '\0'; p++) {
        if (*p == '"' || *p == '\\')
            util_buf_printf(b, "\\%c", *p);
        else if (*p == '\n')
            util_buf_str(b, "\\n");
        else if (*p == '\t')
            util_buf_str(b, "\\t");
        else if (*p < 0x20 || *p == 0x7f)
            util_buf_printf(b, "\\u%04x", *p);
        else
            util_buf_add(b, (const char *)p, 1);
    }
    util_buf_add(b, "\"", 1);
}

/* The schedule as a CronJob takes it: the fields without cronie's leading
 * '-' and without a '*' year (a sixth field). */
static void schedule_of(const struct crontab_entry *e, char *out, size_t outlen)
{
    const char *s = e->schedule[0] == '-' ? e->schedule + 1 : e->schedule;
    size_t words = 0, i = 0, end = strlen(s);
    for (; s[i] != '\0'; i++)
        if (s[i] != ' ' && (i == 0 || s[i - 1] == ' ') && ++words == 6) {
            end = i > 0 ? i - 1 : 0;
            break;
        }
    snprintf(out, outlen, "%.*s", (int)end, s);
}

/* A DNS-1123 name from the job's id: lower case letters, digits and '-'. */
static void name_of(const char *id, char *out, size_t outlen)
{
    size_t k = 0;
    bool dash = true; /* no leading dash */
    for (const char *p = id; *p != '\0' && k + 1 < outlen && k < NAME_MAX_LEN; p++) {
        char c = *p >= 'A' && *p <= 'Z' ? (char)(*p - 'A' + 'a') : *p;
        bool ok = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
        if (ok) {
            out[k++] = c;
            dash = false;
        } else if (!dash) {
            out[k++] = '-';
            dash = true;
        }
    }
    while (k > 0 && out[k - 1] == '-')
        k--;
    out[k] = '\0';
    if (k == 0)
        snprintf(out, outlen, "job");
}

/* Is the name taken by an earlier job of names[0..n)? */
static bool taken(char (*names)[NAME_MAX_LEN + 1], size_t n, const char *name)
{
    for (size_t i = 0; i < n; i++)
        if (strcmp(names[i], name) == 0)
            return true;
    return false;
}

static bool skipped_var(const char *var)
{
    static const char *const own[] = {"SHELL=", "CRON_TZ=", "RANDOM_DELAY="};
    for (size_t i = 0; i < UTIL_COUNT_OF(own); i++)
        if (strncmp(var, own[i], strlen(own[i])) == 0)
            return true;
    return false;
}

/* A zone name a CronJob takes: an IANA name, not a path. */
static const char *zone_for(const struct loader_job *j, const struct export_opts *o)
{
    const char *z = j->zone != NULL ? zone_name(j->zone) : NULL;
    if (z == NULL)
        z = j->entry->env->tz != NULL ? j->entry->env->tz : o->default_zone;
    return z != NULL && z[0] != '\0' && z[0] != '/' && strcmp(z, "localtime") != 0 ? z : NULL;
}

static void manifest(struct util_buf *b, const struct loader_job *j, const char *id,
                     const char *name, const struct export_opts *o)
{
    const struct crontab_entry *e = j->entry;
    char sched[512];
    schedule_of(e, sched, sizeof sched);
    int ov = loader_job_overlap(j);
    enum overlap_policy overlap = ov >= 0 ? (enum overlap_policy)ov : o->overlap;
    const char *zone = zone_for(j, o);
    const char *shell = e->env->shell != NULL && e->env->shell[0] != '\0' ? e->env->shell : o->shell;
    int64_t timeout_ms = loader_job_timeout(j);
    util_buf_str(b, "apiVersion: batch/v1\nkind: CronJob\nmetadata:\n  name: ");
    util_buf_str(b, name);
    util_buf_str(b, "\n  labels:\n    app.kubernetes.io/managed-by: crond-lite\n"
                    "  annotations:\n    crond-lite/job: ");
    yaml_str(b, id);
    util_buf_str(b, "\nspec:\n  schedule: ");
    yaml_str(b, sched);
    util_buf_add(b, "\n", 1);
    if (zone != NULL) {
        util_buf_str(b, "  timeZone: ");
        yaml_str(b, zone);
        util_buf_add(b, "\n", 1);
    }
    if (overlap == OVERLAP_QUEUE)
        util_buf_str(b, "  # overlap = queue: a CronJob cannot queue a run; Forbid skips it\n");
    util_buf_printf(b, "  concurrencyPolicy: %s\n", overlap == OVERLAP_ALLOW ? "Allow" : "Forbid");
    util_buf_str(b, "  jobTemplate:\n    spec:\n");
    if (timeout_ms > 0)
        util_buf_printf(b, "      activeDeadlineSeconds: %lld\n",
                        (long long)((timeout_ms + 999) / 1000));
    util_buf_str(b, "      template:\n        spec:\n          restartPolicy: Never\n"
                    "          securityContext:\n            runAsNonRoot: true\n"
                    "            runAsUser: 65532\n            runAsGroup: 65532\n"
                    "          containers:\n            - name: job\n              image: ");
    yaml_str(b, o->image);
    util_buf_str(b, "\n              command: [");
    yaml_str(b, shell);
    util_buf_str(b, ", \"-c\", ");
    yaml_str(b, e->command);
    util_buf_str(b, "]\n");
    size_t nenv = 0;
    for (size_t i = 0; e->env->vars != NULL && e->env->vars[i] != NULL; i++) {
        const char *v = e->env->vars[i], *eq = strchr(v, '=');
        if (eq == NULL || skipped_var(v))
            continue;
        if (nenv++ == 0)
            util_buf_str(b, "              env:\n");
        char nm[256];
        snprintf(nm, sizeof nm, "%.*s", (int)(eq - v), v);
        util_buf_str(b, "                - name: ");
        yaml_str(b, nm);
        util_buf_str(b, "\n                  value: ");
        yaml_str(b, eq + 1);
        util_buf_add(b, "\n", 1);
    }
    util_buf_str(b, "              securityContext:\n                allowPrivilegeEscalation: false\n"
                    "                readOnlyRootFilesystem: true\n"
                    "                capabilities:\n                  drop: [\"ALL\"]\n");
}

int export_kubernetes(const struct loader_result *r, const struct export_opts *o,
                      struct util_buf *out, struct util_buf *refused)
{
    char(*names)[NAME_MAX_LEN + 1] = calloc(r->njobs + 1, sizeof *names);
    int nrefused = 0;
    size_t nout = 0;
    if (names == NULL)
        return -1;
    for (size_t i = 0; i < r->njobs; i++) {
        const struct loader_job *j = &r->jobs[i];
        char idbuf[LOADER_ID_MAX];
        const char *id = loader_job_id(j, idbuf, sizeof idbuf);
        const char *why = export_refusal(j);
        if (why != NULL) {
            util_buf_printf(refused, "%s: not exported: %s\n", id, why);
            nrefused++;
            continue;
        }
        char base[NAME_MAX_LEN + 1], name[NAME_MAX_LEN + 1];
        name_of(id, base, sizeof base);
        snprintf(name, sizeof name, "%s", base);
        for (int k = 2; taken(names, nout, name); k++) {
            char suffix[16];
            int sl = snprintf(suffix, sizeof suffix, "-%d", k);
            snprintf(name, sizeof name, "%.*s%s", NAME_MAX_LEN - sl, base, suffix);
        }
        snprintf(names[nout], sizeof names[nout], "%s", name);
        if (nout++ > 0)
            util_buf_str(out, "---\n");
        manifest(out, j, id, name, o);
    }
    free(names);
    return out->oom || refused->oom ? -1 : nrefused;
}
