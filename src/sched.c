/* sched: due times and the overlap policy (see sched.h).
 *
 * Jobs sit in a binary min-heap ordered by next due time, so finding the
 * earliest job is O(1) and moving a job after it ran is O(log n): 100,000
 * jobs cost nothing while nothing is due. */
#include "crond/sched.h"

#include <stdlib.h>

#include "crond/calendar.h"
#include "crond/civil.h"
#include "crond/util.h"

static const struct util_name overlaps[] = {
    {"skip", OVERLAP_SKIP}, {"allow", OVERLAP_ALLOW}, {"queue", OVERLAP_QUEUE},
};

const char *sched_overlap_name(enum overlap_policy p)
{
    return util_name_of(overlaps, UTIL_COUNT_OF(overlaps), (int)p);
}

int sched_overlap_from(const char *s)
{
    return util_name_value(overlaps, UTIL_COUNT_OF(overlaps), s);
}

/* ------------------------------------------------------------------------ */
/* Due times                                                                */
/* ------------------------------------------------------------------------ */

/* The first due time of j strictly after after_ms. */
static int64_t next_after(const struct sched *s, const struct sched_job *j, int64_t after_ms)
{
    int64_t t;
    switch (j->spec->kind) {
    case CRONSPEC_REBOOT:
        return SCHED_NEVER;
    case CRONSPEC_EVERY:
        return calendar_next_every(j->spec->every_ms, s->origin_ms, after_ms);
    case CRONSPEC_CALENDAR:
        /* Calendar times are whole seconds: "after 12:00:00.300" means after
         * the second 12:00:00, which has begun and must not run again. */
        if (calendar_next(j->spec, j->zone, civil_floor_div(after_ms, 1000), &t) != CALENDAR_OK)
            return SCHED_NEVER;
        return t * 1000;
    }
    return SCHED_NEVER;
}

/* ------------------------------------------------------------------------ */
/* Heap                                                                     */
/* ------------------------------------------------------------------------ */

static void heap_set(struct sched *s, size_t i, struct sched_job *j)
{
    s->heap[i] = j;
    j->heap_pos = (uint32_t)i;
}

static void sift_up(struct sched *s, size_t i)
{
    struct sched_job *j = s->heap[i];
    while (i > 0) {
        size_t parent = (i - 1) / 2;
        if (s->heap[parent]->next_ms <= j->next_ms)
            break;
        heap_set(s, i, s->heap[parent]);
        i = parent;
    }
    heap_set(s, i, j);
}

static void sift_down(struct sched *s, size_t i)
{
    struct sched_job *j = s->heap[i];
    for (;;) {
        size_t c = 2 * i + 1;
        if (c >= s->n)
            break;
        if (c + 1 < s->n && s->heap[c + 1]->next_ms < s->heap[c]->next_ms)
            c++;
        if (s->heap[c]->next_ms >= j->next_ms)
            break;
        heap_set(s, i, s->heap[c]);
        i = c;
    }
    heap_set(s, i, j);
}

/* ------------------------------------------------------------------------ */
/* Jobs                                                                     */
/* ------------------------------------------------------------------------ */

void sched_init(struct sched *s, int64_t origin_ms)
{
    *s = (struct sched){.origin_ms = origin_ms};
}

void sched_set_clock(struct sched *s, int64_t (*clock)(void))
{
    s->clock = clock;
}

void sched_free(struct sched *s)
{
    free(s->heap);
    *s = (struct sched){0};
}

int sched_insert(struct sched *s, struct sched_job *job)
{
    if (s->n >= UINT32_MAX)
        return -1; /* heap_pos is 32 bits */
    /* an array of pointers: NOLINTNEXTLINE(bugprone-sizeof-expression) */
    if (util_grow((void **)&s->heap, s->n, &s->cap, sizeof *s->heap) != 0)
        return -1;
    heap_set(s, s->n++, job);
    sift_up(s, s->n - 1);
    return 0;
}

void sched_plan(const struct sched *s, struct sched_job *job, int64_t now_ms)
{
    /* @reboot runs once when the daemon starts, not when a reload adds it */
    if (job->spec->kind == CRONSPEC_REBOOT)
        job->next_ms = now_ms <= s->origin_ms ? s->origin_ms : SCHED_NEVER;
    else
        job->next_ms = next_after(s, job, now_ms);
}

int sched_add(struct sched *s, struct sched_job *job, int64_t now_ms)
{
    sched_plan(s, job, now_ms);
    return sched_insert(s, job);
}

void sched_remove(struct sched *s, struct sched_job *job)
{
    size_t i = job->heap_pos;
    if (i >= s->n || s->heap[i] != job)
        return;
    struct sched_job *last = s->heap[--s->n];
    if (i == s->n)
        return;
    heap_set(s, i, last);
    sift_up(s, i);
    sift_down(s, last->heap_pos);
}

int64_t sched_next_due(const struct sched *s)
{
    return s->n > 0 ? s->heap[0]->next_ms : SCHED_NEVER;
}

static enum sched_action decide(struct sched_job *j)
{
    if (j->running == 0 || j->overlap == OVERLAP_ALLOW)
        return SCHED_START;
    if (j->overlap == OVERLAP_SKIP)
        return SCHED_SKIP;
    if (j->queued)
        return SCHED_QUEUE_FULL;
    j->queued = true;
    return SCHED_QUEUE;
}

void sched_run_due(struct sched *s, int64_t now_ms, sched_action_fn act, void *ctx)
{
    (void)sched_run_due_max(s, now_ms, SIZE_MAX, act, ctx);
}

bool sched_run_due_max(struct sched *s, int64_t now_ms, size_t max, sched_action_fn act,
                       void *ctx)
{
    for (size_t done = 0; s->n > 0 && s->heap[0]->next_ms <= now_ms; done++) {
        if (done == max)
            return true;
        struct sched_job *j = s->heap[0];
        int64_t due = j->next_ms;
        /* Next time strictly after now, not after the due time: a job the
         * daemon was late for (stopped, overloaded) runs once, not once for
         * every time it missed. */
        int64_t t = now_ms;
        if (s->clock != NULL) {
            int64_t c = s->clock();
            t = c > t ? c : t;
        }
        j->next_ms = next_after(s, j, t);
        sift_down(s, 0);
        enum sched_action a = decide(j);
        /* a queued run is for the time it was queued at, whenever it starts */
        if (a == SCHED_START || a == SCHED_QUEUE)
            j->due_ms = due;
        act(ctx, j, a);
    }
    return false;
}

void sched_replan(struct sched *s, int64_t now_ms, bool all)
{
    for (size_t i = 0; i < s->n; i++) {
        struct sched_job *j = s->heap[i];
        bool wildcard_due = !cronspec_is_fixed_time(j->spec) && j->next_ms <= now_ms;
        if (j->spec->kind != CRONSPEC_REBOOT && (all || wildcard_due))
            j->next_ms = next_after(s, j, now_ms - 1000);
    }
    for (size_t i = s->n / 2; i-- > 0;)
        sift_down(s, i);
}

void sched_started(struct sched_job *job)
{
    if (job->running < UINT16_MAX) /* 65,535 runs at once: counted as that many */
        job->running++;
}

void sched_exited(struct sched_job *job, sched_action_fn act, void *ctx)
{
    if (job->running > 0)
        job->running--;
    if (job->queued && job->running == 0) {
        job->queued = false;
        act(ctx, job, SCHED_START);
    }
}

/* ------------------------------------------------------------------------ */
/* Clock steps                                                              */
/* ------------------------------------------------------------------------ */

enum sched_jump sched_jump_classify(int64_t step_ms)
{
    if (step_ms > -SCHED_JUMP_MIN_MS && step_ms < SCHED_JUMP_MIN_MS)
        return SCHED_JUMP_NONE;
    if (step_ms >= SCHED_JUMP_TRUST_MS || step_ms <= -SCHED_JUMP_TRUST_MS)
        return SCHED_JUMP_LARGE;
    return step_ms > 0 ? SCHED_JUMP_FORWARD : SCHED_JUMP_BACKWARD;
}

const char *sched_jump_action(enum sched_jump j)
{
    static const char *const names[] = {
        [SCHED_JUMP_NONE] = "none", [SCHED_JUMP_FORWARD] = "catch-up",
        [SCHED_JUMP_BACKWARD] = "wait", [SCHED_JUMP_LARGE] = "replan",
    };
    return names[j];
}

void sched_jump(struct sched *s, enum sched_jump j, int64_t now_ms)
{
    if (j == SCHED_JUMP_FORWARD || j == SCHED_JUMP_LARGE)
        sched_replan(s, now_ms, j == SCHED_JUMP_LARGE);
}
