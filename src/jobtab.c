/* jobtab: the job table and the reload transaction (see jobtab.h).
 *
 * Every apply builds a new job array and a new due heap, and swaps them in
 * only when all of it succeeded, so a reload that runs out of memory leaves
 * the old table whole. Jobs point into the loader result they came from (a
 * "load"); a load lives as long as one job points into it: the old jobs of
 * a file that became invalid keep their old load alive.
 *
 * Matching: a job's identity is hashed (FNV-1a over its file, schedule,
 * user, command, input, shell, zone and variables); the old jobs are sorted
 * by hash and each new job takes the first untaken old job with its hash
 * whose fields really are equal. Two identical lines in one file are two
 * jobs, and each keeps the state of one of the two old ones. Hashes live
 * only during an apply: a job record keeps nothing it can recompute.
 */
#include "crond/jobtab.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "crond/util.h"

struct jobtab_load {
    struct loader_result r;
    size_t refs;                 /* jobs that point into r */
    struct jobtab_load *next;
};

/* ------------------------------------------------------------------------ */
/* Identity                                                                 */
/* ------------------------------------------------------------------------ */

const char *jobtab_path(const struct jobtab_job *j)
{
    return j->lj->file->path;
}

struct jobtab_stats *jobtab_stats_of(struct jobtab_job *j)
{
    if (j->stats == NULL)
        j->stats = calloc(1, sizeof *j->stats);
    return j->stats;
}

/* The load whose jobs array holds lj. */
static struct jobtab_load *load_of(const struct jobtab *t, const struct loader_job *lj)
{
    for (struct jobtab_load *l = t->loads; l != NULL; l = l->next)
        if (l->r.njobs > 0 && lj >= l->r.jobs && lj < l->r.jobs + l->r.njobs)
            return l;
    return NULL;
}

struct jobtab_job *jobtab_job_of(struct sched_job *sj)
{
    return (struct jobtab_job *)(void *)((char *)sj - offsetof(struct jobtab_job, sj));
}

static uint64_t job_hash(const struct loader_job *lj)
{
    const struct crontab_entry *e = lj->entry;
    const char *parts[] = {lj->file->path, e->schedule, e->user, e->command,
                           e->input, e->env->shell, e->env->tz};
    uint64_t h = UTIL_HASH_INIT;
    for (size_t i = 0; i < UTIL_COUNT_OF(parts); i++)
        h = util_hash_str(h, parts[i]);
    for (size_t i = 0; i < e->env->nvars; i++)
        h = util_hash_str(h, e->env->vars[i]);
    return h;
}

/* NULL and "" differ: an unset SHELL is not an empty one. */
static bool str_same(const char *a, const char *b)
{
    return a == b || (a != NULL && b != NULL && strcmp(a, b) == 0);
}

static bool job_same(const struct jobtab_job *a, const struct jobtab_job *b)
{
    const struct crontab_entry *x = a->lj->entry, *y = b->lj->entry;
    if (!str_same(jobtab_path(a), jobtab_path(b))
        || !str_same(x->schedule, y->schedule) || !str_same(x->user, y->user)
        || !str_same(x->command, y->command) || !str_same(x->input, y->input)
        || !str_same(x->env->shell, y->env->shell) || !str_same(x->env->tz, y->env->tz)
        || x->env->nvars != y->env->nvars)
        return false;
    for (size_t i = 0; i < x->env->nvars; i++)
        if (strcmp(x->env->vars[i], y->env->vars[i]) != 0)
            return false;
    return true;
}

/* An old job and its hash, for matching. */
struct hashed {
    uint64_t hash;
    struct jobtab_job *job;
};

static int cmp_hash(const void *a, const void *b)
{
    const struct hashed *x = a, *y = b;
    return x->hash < y->hash ? -1 : x->hash > y->hash;
}

static int cmp_jid(const void *a, const void *b)
{
    const struct jobtab_job *x = a, *y = b;
    return x->jid < y->jid ? -1 : x->jid > y->jid;
}

/* ------------------------------------------------------------------------ */
/* Invalid files                                                            */
/* ------------------------------------------------------------------------ */

/* Does an error of r concern this file (its own path, or its directory)? */
static bool path_failed(const struct loader_result *r, const char *path)
{
    size_t plen = strlen(path);
    for (size_t i = 0; r->diags.nerrors > 0 && i < r->diags.n; i++) {
        const struct diag *g = &r->diags.items[i];
        size_t glen = strlen(g->file);
        if (g->severity != DIAG_ERROR)
            continue;
        if (strcmp(g->file, path) == 0
            || (glen < plen && strncmp(g->file, path, glen) == 0 && path[glen] == '/'))
            return true;
    }
    return false;
}

/* ------------------------------------------------------------------------ */
/* The transaction                                                          */
/* ------------------------------------------------------------------------ */

/* The next table, built beside the current one. */
struct build {
    struct jobtab *t;
    struct jobtab_load *load;      /* the new load */
    struct jobtab_job *jobs;       /* new jobs first, then carried old ones */
    size_t nnew, n;
    struct hashed *old;            /* old jobs that may match, by hash */
    bool *taken;                   /* per entry of old */
    size_t nold;
    struct sched sched;
};

static void job_make(struct build *b, const struct loader_job *lj)
{
    struct jobtab_job *j = &b->jobs[b->n++];
    int own = loader_job_overlap(lj);
    *j = (struct jobtab_job){.lj = lj};
    j->sj = (struct sched_job){.spec = lj->entry->spec, .zone = lj->zone,
                               .overlap = (uint8_t)(own >= 0 ? own : (int)b->t->overlap)};
}

/* The first untaken old job the same as j, taken now; or NULL. */
static struct jobtab_job *match_take(struct build *b, const struct jobtab_job *j)
{
    uint64_t hash = job_hash(j->lj);
    size_t lo = 0, hi = b->nold;
    while (lo < hi) { /* the first old job with a hash >= j's */
        size_t mid = lo + (hi - lo) / 2;
        if (b->old[mid].hash < hash)
            lo = mid + 1;
        else
            hi = mid;
    }
    for (size_t i = lo; i < b->nold && b->old[i].hash == hash; i++) {
        if (!b->taken[i] && job_same(b->old[i].job, j)) {
            b->taken[i] = true;
            return b->old[i].job;
        }
    }
    return NULL;
}

/* Job j takes over the state of old job o (not its definition: a kept
 * job's new line number, INI timeout or overlap apply from now on); the
 * stats move with it (o's table goes, its stats with j). */
static void job_keep(struct jobtab_job *j, struct jobtab_job *o)
{
    j->jid = o->jid;
    j->sj.next_ms = o->sj.next_ms;
    j->sj.due_ms = o->sj.due_ms;
    j->sj.running = o->sj.running;
    j->sj.queued = o->sj.queued;
    j->stats = o->stats;
}

/* Fills b->jobs: the new load's jobs of valid files, then the current jobs
 * of files that are now invalid; b->old: the current jobs that may match. */
static int build_jobs(struct build *b, struct jobtab_diff *out)
{
    const struct loader_result *r = &b->load->r;
    const struct jobtab *t = b->t;
    b->jobs = calloc(r->njobs + t->n + 1, sizeof *b->jobs);
    b->old = calloc(t->n + 1, sizeof *b->old);
    b->taken = calloc(t->n + 1, sizeof *b->taken);
    if (b->jobs == NULL || b->old == NULL || b->taken == NULL)
        return -1;
    for (size_t i = 0; i < r->njobs; i++)
        if (!path_failed(r, r->jobs[i].file->path))
            job_make(b, &r->jobs[i]);
    b->nnew = b->n;
    for (size_t i = 0; i < t->n; i++) {
        if (path_failed(r, jobtab_path(&t->jobs[i])))
            b->jobs[b->n++] = t->jobs[i]; /* carried: same jid, same state */
        else
            b->old[b->nold++] = (struct hashed){job_hash(t->jobs[i].lj), &t->jobs[i]};
    }
    out->invalid_kept = b->n - b->nnew;
    qsort(b->old, b->nold, sizeof *b->old, cmp_hash);
    return 0;
}

/* Plans every job of b: kept and carried jobs keep their due time (and jid
 * and stats), added ones get a jid and are planned from now. */
static void build_plan(struct build *b, int64_t now_ms, struct jobtab_diff *out)
{
    size_t added = 0;
    /* Carried jobs, after nnew, keep all. b->jobs stays b's (build_free or
     * the commit frees it), which the analyzer loses track of in this loop:
     * NOLINTNEXTLINE(clang-analyzer-unix.Malloc) */
    for (size_t i = 0; i < b->nnew; i++) {
        struct jobtab_job *j = &b->jobs[i];
        struct jobtab_job *o = match_take(b, j);
        if (o != NULL) {
            job_keep(j, o);
        } else {
            j->jid = b->t->last_jid + ++added;
            sched_plan(&b->t->sched, &j->sj, now_ms);
        }
    }
    out->added = added;
    out->kept = b->nnew - added;
    out->removed = b->t->n - out->kept - out->invalid_kept;
}

/* The jobs ordered by jid (jobtab_find searches them), in an array exactly
 * as long as needed, and their due heap. Returns 0 or -1. */
static int build_order(struct build *b)
{
    qsort(b->jobs, b->n, sizeof *b->jobs, cmp_jid);
    struct jobtab_job *fit = b->n > 0 ? realloc(b->jobs, b->n * sizeof *fit) : NULL;
    if (fit != NULL)
        b->jobs = fit;
    struct jobtab_job *jobs = b->jobs; /* (sched_init may change all of *b, says the analyzer) */
    sched_init(&b->sched, b->t->sched.origin_ms);
    sched_set_clock(&b->sched, b->t->sched.clock);
    for (size_t i = 0; i < b->n; i++)
        if (sched_insert(&b->sched, &jobs[i].sj) != 0)
            return -1;
    return 0;
}

/* Frees the loads no job points into any more. */
static void loads_collect(struct jobtab *t)
{
    for (struct jobtab_load *l = t->loads; l != NULL; l = l->next)
        l->refs = 0;
    for (size_t i = 0; i < t->n; i++) {
        struct jobtab_load *l = load_of(t, t->jobs[i].lj);
        if (l != NULL)
            l->refs++;
    }
    for (struct jobtab_load **pl = &t->loads; *pl != NULL;) {
        struct jobtab_load *l = *pl;
        if (l->refs > 0) {
            pl = &l->next;
            continue;
        }
        *pl = l->next;
        loader_result_free(&l->r);
        free(l);
    }
}

static void build_free(struct build *b)
{
    free(b->jobs);
    free(b->old);
    free(b->taken);
    sched_free(&b->sched);
    if (b->load != NULL)
        loader_result_free(&b->load->r);
    free(b->load);
}

/* The stats of the old jobs that no new job took over (removed jobs). */
static void stats_drop(const struct build *b)
{
    for (size_t i = 0; i < b->nold; i++)
        if (!b->taken[i])
            free(b->old[i].job->stats);
}

int jobtab_apply(struct jobtab *t, struct loader_result *r, int64_t now_ms,
                 struct jobtab_diff *out)
{
    struct build b = {.t = t, .load = calloc(1, sizeof *b.load)};
    *out = (struct jobtab_diff){0};
    if (b.load != NULL)
        b.load->r = *r;
    else
        loader_result_free(r);
    *r = (struct loader_result){0};
    if (b.load == NULL || build_jobs(&b, out) != 0) {
        build_free(&b);
        *out = (struct jobtab_diff){0};
        return -1;
    }
    build_plan(&b, now_ms, out);
    if (build_order(&b) != 0) {
        build_free(&b);
        *out = (struct jobtab_diff){0};
        return -1;
    }
    /* commit */
    stats_drop(&b);
    free(t->jobs);
    sched_free(&t->sched);
    t->jobs = b.jobs;
    t->n = b.n;
    t->sched = b.sched;
    t->last_jid += out->added;
    b.load->next = t->loads;
    t->loads = b.load;
    loads_collect(t);
    free(b.old);
    free(b.taken);
    return 0;
}

struct jobtab_job *jobtab_find(const struct jobtab *t, uint64_t jid)
{
    size_t lo = 0, hi = t->n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (t->jobs[mid].jid == jid)
            return &t->jobs[mid];
        if (t->jobs[mid].jid < jid)
            lo = mid + 1;
        else
            hi = mid;
    }
    return NULL;
}

void jobtab_init(struct jobtab *t, int64_t origin_ms, enum overlap_policy overlap)
{
    *t = (struct jobtab){.overlap = overlap};
    sched_init(&t->sched, origin_ms);
}

void jobtab_free(struct jobtab *t)
{
    for (size_t i = 0; i < t->n; i++)
        free(t->jobs[i].stats);
    free(t->jobs);
    sched_free(&t->sched);
    t->n = 0;
    t->jobs = NULL;
    loads_collect(t); /* no job left: frees every load */
    *t = (struct jobtab){0};
}
