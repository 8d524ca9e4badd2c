/* hook: which hook follows a run, and what runs it (see hook.h).
 *
 * A hook is a job line made up on the spot: its command, the job's SHELL
 * and variables followed by the hook's, and the job's user and timeout;
 * proc_spawn does the rest exactly as for the job (environment,
 * user switch, process group, records).
 */
#include "crond/hook.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#include "crond/civil.h"
#include "crond/timefmt.h"
#include "crond/util.h"

/* Every variable a hook may get. None is inherited: only those set for
 * this run are there. */
static const char *const hook_names[] = {
    "CROND_LITE_JOB",    "CROND_LITE_DUE",         "CROND_LITE_STATUS", "CROND_LITE_SIGNAL",
    "CROND_LITE_ERROR",  "CROND_LITE_DURATION_MS", "CROND_LITE_OUTPUT", "CROND_LITE_RUN",
};

static const char *const kind_suffix[] = {
    [HOOK_NONE] = "", [HOOK_FAILURE] = "!on-failure", [HOOK_SUCCESS] = "!on-success",
};

/* Is entry ("NAME=VALUE") one of hook_names? */
static bool hook_named(const char *entry)
{
    const char *eq = strchr(entry, '=');
    size_t len = eq != NULL ? (size_t)(eq - entry) : strlen(entry);
    for (size_t i = 0; i < UTIL_COUNT_OF(hook_names); i++)
        if (strlen(hook_names[i]) == len && strncmp(entry, hook_names[i], len) == 0)
            return true;
    return false;
}

/* ------------------------------------------------------------------------ */
/* Which hook                                                               */
/* ------------------------------------------------------------------------ */

void hook_result_of(const struct proc *p, struct hook_result *out)
{
    *out = (struct hook_result){.id = p->id, .due_ms = p->due_ms, .run = p->run,
                                .duration_ms = p->exit_ms - p->start_ms, .wstatus = p->wstatus,
                                .timed_out = p->timed_out, .output = p->tail,
                                .hook = p->jid == 0};
}

void hook_result_failed(const struct proc_job *job, const char *msg, struct hook_result *out)
{
    *out = (struct hook_result){.id = job->id, .due_ms = job->due_ms, .error = msg,
                                .run = job->run != NULL ? job->run : "",
                                .hook = job->jid == 0};
}

bool hook_failed(const struct hook_result *r)
{
    return r->error != NULL || r->timed_out || !WIFEXITED(r->wstatus)
           || WEXITSTATUS(r->wstatus) != 0;
}

/* The job's own key when it has one (empty: none for this job), else the
 * daemon's; NULL for none. */
static const char *pick_cmd(const char *own, const char *daemon)
{
    const char *cmd = own != NULL ? own : daemon;
    return cmd != NULL && cmd[0] != '\0' ? cmd : NULL;
}

bool hook_wanted(const struct loader_job *lj, const struct hook_cmds *daemon)
{
    return pick_cmd(loader_job_on_failure(lj), daemon->on_failure) != NULL
           || pick_cmd(loader_job_on_success(lj), daemon->on_success) != NULL;
}

enum hook_kind hook_pick(const struct hook_result *r, const struct loader_job *lj,
                         const struct hook_cmds *daemon, const char **out_cmd)
{
    bool failed = hook_failed(r);
    *out_cmd = NULL;
    if (r->hook)
        return HOOK_NONE;
    *out_cmd = failed ? pick_cmd(loader_job_on_failure(lj), daemon->on_failure)
                      : pick_cmd(loader_job_on_success(lj), daemon->on_success);
    if (*out_cmd == NULL)
        return HOOK_NONE;
    return failed ? HOOK_FAILURE : HOOK_SUCCESS;
}

/* ------------------------------------------------------------------------ */
/* Its environment                                                          */
/* ------------------------------------------------------------------------ */

/* "NAME=VALUE" (malloc'd), or NULL. */
static char *var_make(const char *name, const char *value)
{
    size_t len = strlen(name) + 1 + strlen(value) + 1;
    char *s = malloc(len);
    if (s != NULL)
        snprintf(s, len, "%s=%s", name, value);
    return s;
}

/* The hook's variables into s->vars. Returns 0 or -1. */
static int vars_make(struct hook_spawn *s, const struct hook_result *r)
{
    char due[TIMEFMT_ISO_LEN], num[24], ms[24];
    const char *end = "CROND_LITE_STATUS", *how = num;
    timefmt_utc(civil_floor_div(r->due_ms, 1000), due, sizeof due);
    snprintf(num, sizeof num, "%d", WEXITSTATUS(r->wstatus));
    snprintf(ms, sizeof ms, "%lld", (long long)r->duration_ms);
    if (r->error != NULL) {
        end = "CROND_LITE_ERROR";
        how = r->error;
    } else if (WIFSIGNALED(r->wstatus)) {
        end = "CROND_LITE_SIGNAL";
        how = proc_signal_name(WTERMSIG(r->wstatus));
    }
    char *out = malloc(RELAY_TAIL_MAX + 1);
    if (out == NULL)
        return -1;
    out[0] = '\0';
    if (r->output != NULL)
        relay_tail_text(r->output, out, RELAY_TAIL_MAX + 1);
    s->vars[0] = var_make("CROND_LITE_JOB", r->id);
    s->vars[1] = var_make("CROND_LITE_DUE", due);
    s->vars[2] = var_make(end, how);
    s->vars[3] = var_make("CROND_LITE_DURATION_MS", ms);
    s->vars[4] = var_make("CROND_LITE_OUTPUT", out);
    s->vars[5] = var_make("CROND_LITE_RUN", r->run != NULL ? r->run : "");
    free(out);
    for (size_t i = 0; i < HOOK_NVARS; i++)
        if (s->vars[i] == NULL)
            return -1;
    return 0;
}

/* s->env: the job's SHELL, its variables but those of hook_names, then the
 * hook's. Returns 0 or -1. */
static int env_make(struct hook_spawn *s, const struct crontab_env *job)
{
    size_t n = job->vars != NULL ? job->nvars : 0, k = 0;
    char **v = malloc((n + HOOK_NVARS + 1) * sizeof *v);
    if (v == NULL)
        return -1;
    for (size_t i = 0; i < n && job->vars[i] != NULL; i++)
        if (!hook_named(job->vars[i]))
            v[k++] = job->vars[i];
    for (size_t i = 0; i < HOOK_NVARS; i++)
        if (s->vars[i] != NULL)
            v[k++] = s->vars[i];
    v[k] = NULL;
    s->env = (struct crontab_env){.vars = v, .nvars = k, .shell = job->shell};
    return 0;
}

int hook_prepare(const struct hook_result *r, const struct loader_job *lj,
                 const struct hook_cmds *daemon, struct hook_spawn *out)
{
    const char *cmd;
    enum hook_kind kind = hook_pick(r, lj, daemon, &cmd);
    *out = (struct hook_spawn){.cmd = NULL};
    if (kind == HOOK_NONE)
        return 0;
    snprintf(out->id, sizeof out->id, "%s%s", r->id, kind_suffix[kind]);
    out->cmd = strdup(cmd);
    if (out->cmd == NULL || vars_make(out, r) != 0 || env_make(out, lj->entry->env) != 0) {
        hook_spawn_free(out);
        return -1;
    }
    /* no spec: the hook of a '-' job is logged as usual */
    out->entry = (struct crontab_entry){.line = lj->entry->line, .command = out->cmd,
                                        .env = &out->env};
    out->job = (struct proc_job){.jid = 0, .id = out->id, .entry = &out->entry,
                                 .user = lj->user, .workdir = NULL, /* the user's home */
                                 .timeout_ms = loader_job_timeout(lj), .due_ms = r->due_ms};
    return 1;
}

int hook_prepare_guard(const char *cmd, const struct proc_job *run, const struct loader_job *lj,
                       int64_t timeout_ms, struct hook_spawn *out)
{
    char due[TIMEFMT_ISO_LEN];
    *out = (struct hook_spawn){.cmd = NULL};
    timefmt_utc(civil_floor_div(run->due_ms, 1000), due, sizeof due);
    snprintf(out->id, sizeof out->id, "%s%s", run->id, HOOK_GUARD_SUFFIX);
    out->cmd = strdup(cmd);
    out->vars[0] = var_make("CROND_LITE_JOB", run->id);
    out->vars[1] = var_make("CROND_LITE_DUE", due);
    out->vars[2] = var_make("CROND_LITE_RUN", run->run != NULL ? run->run : "");
    if (out->cmd == NULL || out->vars[0] == NULL || out->vars[1] == NULL || out->vars[2] == NULL
        || env_make(out, lj->entry->env) != 0) {
        hook_spawn_free(out);
        return -1;
    }
    out->entry = (struct crontab_entry){.line = lj->entry->line, .command = out->cmd,
                                        .env = &out->env};
    out->job = (struct proc_job){.jid = run->jid, .id = out->id, .entry = &out->entry,
                                 .user = lj->user, .workdir = run->workdir,
                                 .timeout_ms = timeout_ms, .due_ms = run->due_ms,
                                 .run = run->run};
    return 0;
}

void hook_spawn_free(struct hook_spawn *s)
{
    for (size_t i = 0; i < HOOK_NVARS; i++)
        free(s->vars[i]);
    free(s->env.vars);
    free(s->cmd);
    *s = (struct hook_spawn){.cmd = NULL};
}

char **hook_environ(char *const *environ_)
{
    if (environ_ == NULL)
        return NULL;
    size_t n = 0, k = 0;
    while (environ_[n] != NULL)
        n++;
    char **out = malloc((n + 1) * sizeof *out);
    if (out == NULL)
        return NULL;
    for (size_t i = 0; i < n; i++)
        if (!hook_named(environ_[i]))
            out[k++] = environ_[i];
    out[k] = NULL;
    return out;
}
