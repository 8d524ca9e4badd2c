/* crontab: the text of one crontab file to job entries (grammar in crontab.h).
 *
 * One pass over the lines. Each line is classified (blank or comment,
 * variable, job) and checked completely before anything is allocated for it,
 * so a bad line leaves nothing behind but its diag.
 *
 * Variables live in a working set in the parser. A job line takes a snapshot
 * of that set only when it changed since the last snapshot, so 100,000 job
 * lines under three variables share one snapshot. Snapshots share their
 * "NAME=VALUE" strings: a string belongs to the first snapshot holding it,
 * which crontab_free can tell because a variable keeps its slot when it is
 * assigned again (see env_free).
 *
 * Memory: an entry's strings (schedule, user, command, input, an inline
 * CRON_TZ) and the SHELL and CRON_TZ values in force live in the crontab's
 * arena, one allocation for many; entries point to the shared ones. Equal
 * schedules are one struct cronspec, interned per file: a crontab of 1,000
 * hourly jobs holds one (schedules with '~' or a RANDOM_DELAY are equal
 * only with the same values drawn).
 *
 * Warnings (DIAG_WARNING) never reject a line: a schedule's own (from
 * cronspec), a UTF-8 byte-order mark, a bad RANDOM_DELAY, and commands
 * that were probably written for another cron ("\%", a first word that
 * looks like a field). */
#include "crond/crontab.h"

#include <ctype.h>
#include <limits.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "crond/util.h"

/* Longer lines are an error rather than silently truncated. */
#define CRONTAB_LINE_MAX 65536
/* Distinct variable names; bounds the size of one snapshot, since a file
 * alternating new variables and jobs would otherwise cost quadratic memory. */
#define CRONTAB_VARS_MAX 1024
/* How much of the offending text a message quotes. */
#define QUOTE_MAX 40
/* RANDOM_DELAY at most a year, in minutes (cronie's unit). */
#define RANDOM_DELAY_MAX 525600

/* ------------------------------------------------------------------------ */
/* Parser state                                                             */
/* ------------------------------------------------------------------------ */

/* A part of the current line: offset (0-based) and length. */
struct span {
    size_t off;
    size_t len;
};

struct parser {
    const struct crontab_opts *opts;
    struct crontab *out;
    size_t cap_entries, cap_envs;            /* capacities of out's arrays */
    int line;                                /* current line number */
    char *buf;                               /* the current line, NUL-terminated */
    char **vars;                             /* variables in force: "NAME=VALUE" */
    size_t nvars, cap_vars;
    bool dirty;                              /* vars changed since the last snapshot */
    char *shell;                             /* SHELL in force (arena), NULL: default */
    char *tz;                                /* CRON_TZ in force (arena), NULL: default */
    int tz_line, tz_col;                     /* where that CRON_TZ value was written */
    uint32_t delay_min;                      /* RANDOM_DELAY in force (minutes), 0: none */
    const struct sched_text **specs;         /* interned schedules, open addressing */
    uint32_t *var_slots;                     /* name hash -> slot + 1 in vars (0: free);
                                              * 2 * CRONTAB_VARS_MAX of them */
    size_t nspecs, cap_specs;                /* (cap a power of two, or 0) */
};

/* What a job line was found to hold, as parts of the line. */
struct job {
    struct cronspec spec;
    uint64_t seed;      /* of its random choices: cronspec_seed of the line */
    struct cronspec_warnings warns;  /* the schedule's, columns from the schedule */
    struct span sched;  /* schedule as written */
    struct span user;   /* --system user column */
    struct span cmd;    /* command */
    struct span input;  /* text after the first unescaped '%' */
    bool has_input;     /* percent_newline and a '%' was found */
};

/* ------------------------------------------------------------------------ */
/* Memory and characters                                                    */
/* ------------------------------------------------------------------------ */

/* Blanks as cronspec's tokenizer sees them. */
static bool is_blank(char c)
{
    return c == ' ' || c == '\t';
}

static size_t skip_blanks(const char *s, size_t i, size_t n)
{
    while (i < n && is_blank(s[i]))
        i++;
    return i;
}

static size_t word_end(const char *s, size_t i, size_t n)
{
    while (i < n && !is_blank(s[i]))
        i++;
    return i;
}

/* End of [from, to) without its trailing blanks. */
static size_t trim_end(const char *s, size_t from, size_t to)
{
    while (to > from && is_blank(s[to - 1]))
        to--;
    return to;
}

static bool is_name_start(char c)
{
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '_';
}

/* Length of the NAME ([A-Za-z_][A-Za-z0-9_]*) at s[i], 0 if there is none. */
static size_t name_len(const char *s, size_t i, size_t n)
{
    if (i >= n || !is_name_start(s[i]))
        return 0;
    size_t k = i + 1;
    while (k < n && (is_name_start(s[k]) || (s[k] >= '0' && s[k] <= '9')))
        k++;
    return k - i;
}

static bool span_is(const char *s, struct span sp, const char *word)
{
    return strlen(word) == sp.len && memcmp(s + sp.off, word, sp.len) == 0;
}

/* ------------------------------------------------------------------------ */
/* Diagnostics                                                              */
/* ------------------------------------------------------------------------ */

static int note(struct parser *p, enum diag_severity sev, size_t off, const char *fmt,
                va_list ap) __attribute__((format(printf, 4, 0)));

static int note(struct parser *p, enum diag_severity sev, size_t off, const char *fmt,
                va_list ap)
{
    char msg[512];
    vsnprintf(msg, sizeof msg, fmt, ap);
    return diag_add(&p->out->diags, sev, NULL, p->line, (int)off + 1, "%s", msg);
}

/* Records a problem at offset off of the current line. Returns 1 (the line
 * is rejected) or -1 when out of memory, so callers can return it as is. */
static int reject(struct parser *p, size_t off, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static int reject(struct parser *p, size_t off, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int rc = note(p, DIAG_ERROR, off, fmt, ap);
    va_end(ap);
    return rc != 0 ? -1 : 1;
}

/* Records a warning at offset off: the line stays. Returns 0, or -1 when
 * out of memory. */
static int warning(struct parser *p, size_t off, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static int warning(struct parser *p, size_t off, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int rc = note(p, DIAG_WARNING, off, fmt, ap);
    va_end(ap);
    return rc != 0 ? -1 : 0;
}

/* ------------------------------------------------------------------------ */
/* Variables and snapshots                                                  */
/* ------------------------------------------------------------------------ */

/* The hash table's home for a name (open addressing over 2048 slots: at
 * most 1,024 names, so it never fills). */
#define VAR_SLOTS ((size_t)2 * CRONTAB_VARS_MAX)

static size_t var_home(const char *name, size_t len)
{
    return (size_t)util_hash(UTIL_HASH_INIT, name, len) & (VAR_SLOTS - 1);
}

/* The slot of variable NAME in p->vars, or p->nvars when it is not set;
 * *out_at is where the table has it, or the free place for it. Constant
 * time: a file of 100,000 variable lines reads as fast as one of ten. */
static size_t var_find(const struct parser *p, const char *name, size_t len, size_t *out_at)
{
    for (size_t k = var_home(name, len);; k = (k + 1) & (VAR_SLOTS - 1)) {
        *out_at = k;
        uint32_t v = p->var_slots[k];
        if (v == 0)
            return p->nvars;
        const char *var = p->vars[v - 1];
        if (strncmp(var, name, len) == 0 && var[len] == '=')
            return v - 1;
    }
}

/* Is vars[i] held by a snapshot? Only the last one needs a look: a string
 * still in force is in every snapshot taken since it was assigned. */
static bool var_shared(const struct parser *p, size_t i)
{
    const struct crontab *t = p->out;
    if (t->nenvs == 0)
        return false;
    const struct crontab_env *last = t->envs[t->nenvs - 1];
    return i < last->nvars && last->vars[i] == p->vars[i];
}

/* Assigns NAME=VALUE; a reassigned name keeps its slot (and its order). */
static int env_set(struct parser *p, const char *s, struct span name, struct span val)
{
    size_t at;
    size_t slot = var_find(p, s + name.off, name.len, &at);
    char *v = malloc(name.len + val.len + 2);
    if (v == NULL)
        return -1;
    memcpy(v, s + name.off, name.len);
    v[name.len] = '=';
    memcpy(v + name.len + 1, s + val.off, val.len);
    v[name.len + 1 + val.len] = '\0';
    if (slot == p->nvars) {
        /* an array of pointers: NOLINTNEXTLINE(bugprone-sizeof-expression) */
        if (util_grow((void **)&p->vars, p->nvars, &p->cap_vars, sizeof *p->vars) != 0) {
            free(v);
            return -1;
        }
        p->var_slots[at] = (uint32_t)++p->nvars;
    } else if (!var_shared(p, slot)) {
        free(p->vars[slot]);
    }
    p->vars[slot] = v;
    p->dirty = true;
    return 0;
}

/* Replaces *dst by a copy of the value in the arena, or NULL when it is
 * empty (the default). The old value stays: entries point to it. */
static int value_store(struct parser *p, char **dst, const char *s, struct span val)
{
    char *v = NULL;
    if (val.len > 0 && (v = util_arena_strndup(&p->out->arena, s + val.off, val.len)) == NULL)
        return -1;
    *dst = v;
    return 0;
}

/* A new snapshot of the variables in force with this SHELL and CRON_TZ. */
static const struct crontab_env *env_take(struct parser *p, const char *tz, int tz_line,
                                          int tz_col)
{
    struct crontab *t = p->out;
    /* an array of pointers: NOLINTNEXTLINE(bugprone-sizeof-expression) */
    if (util_grow((void **)&t->envs, t->nenvs, &p->cap_envs, sizeof *t->envs) != 0)
        return NULL;
    struct crontab_env *env = malloc(sizeof *env);
    char **vars = malloc((p->nvars + 1) * sizeof *vars);
    if (env == NULL || vars == NULL) {
        free(env);
        free(vars);
        return NULL;
    }
    if (p->nvars > 0)
        memcpy(vars, p->vars, p->nvars * sizeof *vars);
    vars[p->nvars] = NULL;
    *env = (struct crontab_env){vars, p->nvars, p->shell, tz, tz_line, tz_col};
    t->envs[t->nenvs++] = env;
    /* vars is owned by env, which t->envs owns (crontab_free frees both);
     * cppcheck does not follow the compound literal. */
    /* cppcheck-suppress memleak */
    return env;
}

/* The snapshot of what is in force, taken now if anything changed. */
static const struct crontab_env *env_current(struct parser *p)
{
    struct crontab *t = p->out;
    if (!p->dirty)
        return t->envs[t->nenvs - 1];
    const struct crontab_env *env = env_take(p, p->tz, p->tz_line, p->tz_col);
    p->dirty = env == NULL;
    return env;
}

/* Frees a snapshot and the strings it owns: those not in the snapshot before
 * it at the same slot. prev must still be valid, hence the reverse order in
 * crontab_free. */
static void env_free(struct crontab_env *env, const struct crontab_env *prev)
{
    if (env == NULL)
        return;
    for (size_t j = 0; j < env->nvars; j++) {
        if (prev == NULL || j >= prev->nvars || prev->vars[j] != env->vars[j])
            free(env->vars[j]);
    }
    free(env->vars);
    free(env);
}

/* ------------------------------------------------------------------------ */
/* Variable lines                                                           */
/* ------------------------------------------------------------------------ */

/* VALUE after '=': quoted ('...' or "...", quotes removed, only blanks may
 * follow) or the rest of the line without trailing blanks. */
static int value_scan(struct parser *p, const char *s, size_t n, size_t at, struct span *out)
{
    size_t v = skip_blanks(s, at, n);
    size_t end = trim_end(s, v, n);
    char q = v < end ? s[v] : '\0';
    if (q != '"' && q != '\'') {
        *out = (struct span){v, end - v};
        return 0;
    }
    const char *close = memchr(s + v + 1, q, end - v - 1);
    if (close == NULL)
        return reject(p, v, "unterminated quote: expected a closing %c to end the value", q);
    size_t c = (size_t)(close - s);
    if (c + 1 != end) {
        size_t junk = skip_blanks(s, c + 1, n);
        return reject(p, junk, "expected the end of the line after the closing %c, got '%.*s'",
                      q, (int)(end - junk > QUOTE_MAX ? QUOTE_MAX : end - junk), s + junk);
    }
    *out = (struct span){v + 1, c - v - 1};
    return 0;
}

/* cronie's RANDOM_DELAY=N: the later calendar jobs start up to N minutes
 * late (a whole number; empty is none). A bad value is a warning and no
 * delay: the variable still goes into the environment, as cronie has it. */
static int random_delay_set(struct parser *p, const char *s, struct span val)
{
    uint32_t v = 0;
    size_t k = 0;
    p->delay_min = 0;
    for (; k < val.len && isdigit((unsigned char)s[val.off + k]) && v <= RANDOM_DELAY_MAX; k++)
        v = v * 10 + (uint32_t)(s[val.off + k] - '0');
    if (k == val.len && v <= RANDOM_DELAY_MAX) {
        p->delay_min = v;
        return 0;
    }
    return warning(p, val.off, "RANDOM_DELAY: expected a whole number of minutes from 0 to %d, "
                   "got '%.*s': the jobs after it start without a delay", RANDOM_DELAY_MAX,
                   (int)(val.len > QUOTE_MAX ? QUOTE_MAX : val.len), s + val.off);
}

/* NAME [blanks] "=" [blanks] VALUE, with eq the offset of the '='. */
static int var_parse(struct parser *p, const char *s, size_t n, struct span name, size_t eq)
{
    struct span val;
    int r = value_scan(p, s, n, eq + 1, &val);
    if (r != 0)
        return r;
    if (span_is(s, name, "CRON_TZ")) {
        /* a zone is no environment variable: it only picks the zone */
        p->tz_line = val.len > 0 ? p->line : 0;
        p->tz_col = val.len > 0 ? (int)val.off + 1 : 0;
        p->dirty = true; /* the zone is in the snapshot */
        return value_store(p, &p->tz, s, val);
    }
    size_t at;
    if (var_find(p, s + name.off, name.len, &at) == p->nvars && p->nvars == CRONTAB_VARS_MAX)
        return reject(p, name.off, "too many variables: expected at most %d names",
                      CRONTAB_VARS_MAX);
    if (span_is(s, name, "SHELL") && value_store(p, &p->shell, s, val) != 0)
        return -1;
    if (span_is(s, name, "RANDOM_DELAY") && random_delay_set(p, s, val) != 0)
        return -1;
    return env_set(p, s, name, val);
}

/* "CRON_TZ=Zone rest" is a job line with its own zone: the value is one word
 * (optionally quoted) and something follows it. "CRON_TZ=Zone" alone, or with
 * blanks around '=', is a variable line. */
static bool inline_tz(const char *s, size_t n, size_t i, struct span name, size_t eq,
                      struct span *out_zone, size_t *out_job)
{
    if (!span_is(s, name, "CRON_TZ") || eq != i + name.len)
        return false;
    size_t z = eq + 1;
    size_t e = word_end(s, z, n);
    size_t job = skip_blanks(s, e, n);
    if (e == z || job == n)
        return false;
    *out_zone = (struct span){z, e - z};
    if (s[z] == '"' || s[z] == '\'') {
        if (e - z < 2 || s[e - 1] != s[z])
            return false; /* a quote that does not close in the word: a variable */
        *out_zone = (struct span){z + 1, e - z - 2};
    }
    *out_job = job;
    return true;
}

/* ------------------------------------------------------------------------ */
/* Job lines: schedule, user, command                                       */
/* ------------------------------------------------------------------------ */

/* The schedule starts at off; rest is where cronspec says what follows it. */
static void sched_span(const char *s, size_t off, size_t rest, struct span *out)
{
    size_t b = skip_blanks(s, off, rest);
    *out = (struct span){b, trim_end(s, b, rest) - b};
}

static int schedule_error(struct parser *p, size_t n, size_t off,
                          const struct cronspec_error *err)
{
    size_t col = off + (size_t)err->col - 1;
    /* cronspec does not know about the user column: say what is missing */
    if (p->opts->system && col == n && strncmp(err->msg, "expected a command", 18) == 0)
        return reject(p, col, "expected a user and a command after the schedule");
    return reject(p, col, "%s", err->msg);
}

/* Parses the schedule of p->buf[off..end) alone, by ending the string at end
 * for a moment. Returns 0 and fills j, or -1 when that text has no reading. */
static int reading_before(struct parser *p, size_t off, size_t end, struct job *j)
{
    struct cronspec_error err = {0, ""};
    struct cronspec spec;
    struct cronspec_warnings warns;
    struct cronspec_opts co = {j->seed, &warns};
    size_t rest;
    char saved = p->buf[end];
    p->buf[end] = '\0';
    int r = cronspec_parse_prefix(p->buf + off, &co, &spec, &rest, &err);
    p->buf[end] = saved;
    if (r != 0)
        return -1;
    j->spec = spec;
    j->warns = warns;
    sched_span(p->buf, off, off + rest, &j->sched);
    return 0;
}

/* --system: USER COMMAND follow the schedule. When the longest reading leaves
 * a single word ("0 0 * * * 2000 backup": year 2000, user "backup"), the
 * longest reading that leaves a user and a command wins instead (user 2000).
 * *rest moves from the user to the command. */
static int user_scan(struct parser *p, size_t n, size_t off, size_t *rest, struct job *j)
{
    const char *s = p->buf;
    size_t uend = word_end(s, *rest, n);
    size_t cmd = skip_blanks(s, uend, n);
    if (cmd == n && reading_before(p, off, *rest, j) == 0) {
        *rest = skip_blanks(s, j->sched.off + j->sched.len, n);
        uend = word_end(s, *rest, n);
        cmd = skip_blanks(s, uend, n);
    }
    if (cmd == n)
        return reject(p, n, "expected a command after the user '%.*s'",
                      (int)(uend - *rest > QUOTE_MAX ? QUOTE_MAX : uend - *rest), s + *rest);
    j->user = (struct span){*rest, uend - *rest};
    *rest = cmd;
    return 0;
}

/* The first '%' that ends the command. A backslash and the character after
 * it form a pair (Vixie cron): "\%" is a literal '%', "\\%" ends the command. */
static size_t percent_find(const char *s, size_t from, size_t to)
{
    for (size_t i = from; i < to; i++) {
        if (s[i] == '\\' && i + 1 < to)
            i++;
        else if (s[i] == '%')
            return i;
    }
    return to;
}

/* The command from at to the end of the line, split at '%' when asked. */
static int command_scan(struct parser *p, size_t n, size_t at, struct job *j)
{
    const char *s = p->buf;
    size_t end = trim_end(s, at, n);
    size_t pct = p->opts->percent_newline ? percent_find(s, at, end) : end;
    size_t cend = trim_end(s, at, pct);
    if (cend == at && pct < end)
        return reject(p, pct, "expected a command before '%%' (write \\%% for a literal %%)");
    if (cend == at)
        return reject(p, at, "expected a command");
    j->cmd = (struct span){at, cend - at};
    j->has_input = pct < end;
    j->input = j->has_input ? (struct span){pct + 1, end - pct - 1} : (struct span){0, 0};
    return 0;
}

/* Checks the job line whose schedule starts at off. Returns 0 with j filled,
 * 1 when the line was rejected, -1 when out of memory. */
static int job_scan(struct parser *p, size_t n, size_t off, struct job *j)
{
    struct cronspec_error err = {0, ""};
    size_t rest;
    memset(j, 0, sizeof *j);
    /* the job's text, not its file or line: the same '~' values and delay
     * for the same job wherever it is */
    j->seed = cronspec_seed(p->buf + off, n - off);
    struct cronspec_opts co = {j->seed, &j->warns};
    if (cronspec_parse_prefix(p->buf + off, &co, &j->spec, &rest, &err) != 0)
        return schedule_error(p, n, off, &err);
    rest += off;
    sched_span(p->buf, off, rest, &j->sched);
    if (p->opts->system) {
        int r = user_scan(p, n, off, &rest, j);
        if (r != 0)
            return r;
    }
    return command_scan(p, n, rest, j);
}

/* ------------------------------------------------------------------------ */
/* Warnings about a job line                                                */
/* ------------------------------------------------------------------------ */

/* Words in [off, off + len). */
static size_t count_words(const char *s, size_t off, size_t len)
{
    size_t n = 0;
    for (size_t i = off; i < off + len; n++)
        i = skip_blanks(s, word_end(s, i, off + len), off + len);
    return n;
}

/* A word of digits and "*,-/~" with a digit: one more field, it seems. */
static bool field_like(const char *s, size_t from, size_t to)
{
    bool digit = false;
    for (size_t i = from; i < to; i++) {
        if (strchr("*,-/~", s[i]) == NULL && !isdigit((unsigned char)s[i]))
            return false;
        digit |= isdigit((unsigned char)s[i]) != 0;
    }
    return digit;
}

/* "0 0 * * * 2100 echo x": the command starts with a word that looks like
 * one more field, but the longer reading did not parse (year 2100 is out
 * of range), so it runs as part of the command. Says which field failed
 * and why. Only for the command right after the schedule (no --system). */
static int warn_number_word(struct parser *p, const struct job *j)
{
    char *s = p->buf;
    size_t w = j->cmd.off, wend = word_end(s, w, j->cmd.off + j->cmd.len);
    size_t nf = count_words(s, j->sched.off, j->sched.len);
    bool macro = s[j->sched.off + (s[j->sched.off] == '-')] == '@';
    if (p->opts->system || macro || nf >= 7 || !field_like(s, w, wend))
        return 0;
    struct cronspec spec;
    struct cronspec_error err = {0, ""};
    char saved = s[wend];
    s[wend] = '\0';
    int r = cronspec_parse(s + j->sched.off, NULL, &spec, &err);
    s[wend] = saved;
    int wlen = (int)(wend - w > QUOTE_MAX ? QUOTE_MAX : wend - w);
    if (r == 0) /* it did read as a field: then nothing was left to run */
        return warning(p, w, "the command is only '%.*s', which reads as the year of a %zu-field "
                       "schedule: write the command after it", wlen, s + w, nf + 1);
    return warning(p, w, "the command starts with '%.*s', not read as a schedule field: as %zu "
                   "fields, %s (column %zu); fix that field if one is meant", wlen, s + w, nf + 1,
                   err.msg, j->sched.off + (size_t)err.col);
}

/* "\%" is crontab(5)'s escape of a literal '%'; here '%' is literal
 * already, so the backslash would reach the shell. */
static int warn_backslash_percent(struct parser *p, const struct job *j)
{
    if (p->opts->percent_newline)
        return 0;
    const char *c = memmem(p->buf + j->cmd.off, j->cmd.len, "\\%", 2);
    if (c == NULL)
        return 0;
    return warning(p, (size_t)(c - p->buf), "'\\%%' reaches the shell with its backslash: '%%' "
                   "is literal here (as in busybox crond and supercronic), so write '%%' alone, "
                   "or use --percent-newline to read '%%' as crontab(5) does");
}

static int job_warn(struct parser *p, size_t off, const struct job *j)
{
    for (size_t i = 0; i < j->warns.n; i++) {
        const struct cronspec_error *w = &j->warns.items[i];
        if (warning(p, off + (size_t)w->col - 1, "%s", w->msg) != 0)
            return -1;
    }
    if (warn_number_word(p, j) != 0 || warn_backslash_percent(p, j) != 0)
        return -1;
    return 0;
}

/* ------------------------------------------------------------------------ */
/* Entries                                                                  */
/* ------------------------------------------------------------------------ */

/* Runs of blanks become one space; writes at most len bytes with the NUL.
 * Returns the length of the whole result (>= len: it was cut). */
static size_t collapse_blanks(const char *s, size_t n, char *d, size_t len)
{
    size_t k = 0;
    bool blank = false;
    for (size_t i = 0; i < n; i++) {
        if (is_blank(s[i])) {
            blank = k > 0;
            continue;
        }
        if (blank && k + 1 < len)
            d[k] = ' ';
        k += blank;
        blank = false;
        if (k + 1 < len)
            d[k] = s[i];
        k++;
    }
    d[k < len ? k : len - 1] = '\0';
    return k;
}

/* crontab(5) text: "\%" is '%' (the backslash goes), other pairs stay as
 * they are; in the input an unescaped '%' is a newline, and one ends it. */
static char *percent_unescape(struct util_arena *a, const char *s, size_t n, bool input)
{
    char *d = util_arena_alloc(a, n + 2);
    if (d == NULL)
        return NULL;
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        if (s[i] == '\\' && i + 1 < n) {
            if (s[i + 1] != '%')
                d[k++] = '\\';
            d[k++] = s[++i];
        } else {
            d[k++] = input && s[i] == '%' ? '\n' : s[i];
        }
    }
    if (input)
        d[k++] = '\n';
    d[k] = '\0';
    return d;
}

/* The snapshot of the entry: the one in force, or for a line with its own
 * "CRON_TZ=Zone " prefix a copy of it with that zone (CRON_TZ='' is the
 * default zone for this line), after which the next line takes a fresh one. */
static const struct crontab_env *entry_env(struct parser *p, const struct span *zone)
{
    if (zone == NULL)
        return env_current(p);
    char *tz = NULL;
    if (zone->len > 0
        && (tz = util_arena_strndup(&p->out->arena, p->buf + zone->off, zone->len)) == NULL)
        return NULL;
    p->dirty = true;
    return env_take(p, tz, zone->len > 0 ? p->line : 0, zone->len > 0 ? (int)zone->off + 1 : 0);
}

/* ------------------------------------------------------------------------ */
/* Interned schedules                                                       */
/* ------------------------------------------------------------------------ */

/* A schedule as an entry holds it: the parsed form and the text (blanks
 * collapsed), one per distinct text, delay and random values in a crontab. */
struct sched_text {
    struct cronspec spec;
    uint64_t seed;      /* the seed of its '~' values, 0 without any */
    char text[];
};

/* The interning key: text, delay, and the seed of random values. */
static uint64_t intern_hash(const char *text, uint32_t delay_s, uint64_t seed)
{
    uint64_t h = util_hash_str(UTIL_HASH_INIT, text);
    h = util_hash(h, &delay_s, sizeof delay_s);
    return util_hash(h, &seed, sizeof seed);
}

/* Doubles the table when it is half full. Returns 0 or -1. */
static int specs_grow(struct parser *p)
{
    if (p->nspecs * 2 < p->cap_specs)
        return 0;
    size_t cap = p->cap_specs ? p->cap_specs * 2 : 64;
    /* an array of pointers: NOLINTNEXTLINE(bugprone-sizeof-expression) */
    const struct sched_text **t = calloc(cap, sizeof *t);
    if (t == NULL)
        return -1;
    for (size_t i = 0; i < p->cap_specs; i++) {
        if (p->specs[i] == NULL)
            continue;
        const struct sched_text *st = p->specs[i];
        size_t k = (size_t)intern_hash(st->text, st->spec.delay_s, st->seed) & (cap - 1);
        while (t[k] != NULL)
            k = (k + 1) & (cap - 1);
        t[k] = p->specs[i];
    }
    free(p->specs);
    p->specs = t;
    p->cap_specs = cap;
    return 0;
}

/* Sets e's spec and schedule text: the crontab's copy of a schedule with
 * the same text (which parses the same) and the same drawn values, or a new
 * one. Returns 0 or -1. */
static int sched_intern(struct parser *p, struct util_arena *a, const struct job *j,
                        struct crontab_entry *e)
{
    char text[256];
    size_t n = collapse_blanks(p->buf + j->sched.off, j->sched.len, text, sizeof text);
    uint64_t seed = (j->spec.flags & CRONSPEC_RANDOM) ? j->seed : 0;
    uint32_t delay = j->spec.delay_s;
    if (specs_grow(p) != 0)
        return -1;
    size_t k = (size_t)intern_hash(text, delay, seed) & (p->cap_specs - 1);
    for (; n < sizeof text && p->specs[k] != NULL; k = (k + 1) & (p->cap_specs - 1)) {
        const struct sched_text *o = p->specs[k];
        if (strcmp(o->text, text) == 0 && o->spec.delay_s == delay && o->seed == seed)
            break;
    }
    const struct sched_text *st = n < sizeof text ? p->specs[k] : NULL;
    if (st == NULL) {
        struct sched_text *copy = util_arena_alloc(a, sizeof *copy + j->sched.len + 1);
        if (copy == NULL)
            return -1;
        copy->spec = j->spec;
        copy->seed = seed;
        collapse_blanks(p->buf + j->sched.off, j->sched.len, copy->text, j->sched.len + 1);
        if (n < sizeof text) { /* longer ones are rare: not interned */
            p->specs[k] = copy;
            p->nspecs++;
        }
        st = copy;
    }
    e->spec = &st->spec;
    e->schedule = (char *)st->text; /* the crontab's own */
    return 0;
}

/* Appends the entry first and fills it after, so that on running out of
 * memory the half-built entry is freed by crontab_free. */
static int entry_add(struct parser *p, const struct job *j, const struct span *zone)
{
    struct crontab *t = p->out;
    struct util_arena *a = &t->arena;
    const char *s = p->buf;
    bool pn = p->opts->percent_newline;
    const struct crontab_env *env = entry_env(p, zone);
    if (env == NULL)
        return -1;
    if (util_grow((void **)&t->entries, t->nentries, &p->cap_entries, sizeof *t->entries) != 0)
        return -1;
    struct crontab_entry *e = &t->entries[t->nentries++];
    memset(e, 0, sizeof *e);
    e->line = p->line;
    e->col = (int)j->sched.off + 1;
    e->env = env;
    if (sched_intern(p, a, j, e) != 0)
        return -1;
    e->command = pn ? percent_unescape(a, s + j->cmd.off, j->cmd.len, false)
                    : util_arena_strndup(a, s + j->cmd.off, j->cmd.len);
    if (e->command == NULL)
        return -1;
    if (j->user.len > 0 && (e->user = util_arena_strndup(a, s + j->user.off, j->user.len)) == NULL)
        return -1;
    if (j->has_input
        && (e->input = percent_unescape(a, s + j->input.off, j->input.len, true)) == NULL)
        return -1;
    return 0;
}

static int job_parse(struct parser *p, size_t n, size_t off, const struct span *zone)
{
    struct job j;
    int r = job_scan(p, n, off, &j);
    if (r != 0)
        return r;
    if (job_warn(p, off, &j) != 0)
        return -1;
    /* RANDOM_DELAY: whole seconds in [0, N minutes), drawn once per job;
     * @reboot and @every have no calendar time to delay */
    if (j.spec.kind == CRONSPEC_CALENDAR && p->delay_min > 0)
        j.spec.delay_s = cronspec_pick(j.seed, CRONSPEC_PICK_DELAY, p->delay_min * 60);
    return entry_add(p, &j, zone);
}

/* ------------------------------------------------------------------------ */
/* Lines                                                                    */
/* ------------------------------------------------------------------------ */

/* Classifies p->buf (n bytes). A line starting with NAME and '=' is a
 * variable (or a CRON_TZ= prefixed job); a schedule never starts with a
 * letter or '_', so any other line starting with one is an error. */
static int line_parse(struct parser *p, size_t n)
{
    const char *s = p->buf;
    size_t i = skip_blanks(s, 0, n);
    if (i == n || s[i] == '#')
        return 0;
    struct span name = {i, name_len(s, i, n)};
    if (name.len == 0)
        return job_parse(p, n, i, NULL);
    size_t eq = skip_blanks(s, i + name.len, n);
    if (eq == n || s[eq] != '=') {
        size_t w = word_end(s, i, n) - i;
        return reject(p, i, "expected NAME=VALUE or a schedule (5 to 7 fields or a macro "
                      "such as @daily), got '%.*s'", (int)(w > QUOTE_MAX ? QUOTE_MAX : w), s + i);
    }
    struct span zone;
    size_t job;
    if (inline_tz(s, n, i, name, eq, &zone, &job))
        return job_parse(p, n, job, &zone);
    /* s is p->buf, freed by parser_release in crontab_parse: the analyzer
     * loses it through struct parser. */
    /* NOLINTNEXTLINE(clang-analyzer-unix.Malloc) */
    return var_parse(p, s, n, name, eq);
}

/* One line as found in the text, without its '\n'. */
static int raw_line(struct parser *p, const char *s, size_t n)
{
    if (n > 0 && s[n - 1] == '\r')
        n--;
    if (n > CRONTAB_LINE_MAX)
        return reject(p, CRONTAB_LINE_MAX, "line too long: expected at most %d bytes, found %zu",
                      CRONTAB_LINE_MAX, n);
    const char *nul = memchr(s, '\0', n);
    if (nul != NULL)
        return reject(p, (size_t)(nul - s), "unexpected NUL byte: expected text");
    memcpy(p->buf, s, n);
    p->buf[n] = '\0';
    if (p->line == 1 && n >= 3 && memcmp(s, "\xEF\xBB\xBF", 3) == 0) {
        /* blanks in its place: the rest parses as usual, and columns still
         * count the bytes of the line */
        memset(p->buf, ' ', 3);
        if (warning(p, 0, "the file starts with a UTF-8 byte-order mark (bytes EF BB BF), "
                    "ignored: save it as UTF-8 without a BOM") != 0)
            return -1;
    }
    return line_parse(p, n);
}

static int lines_parse(struct parser *p, const char *text, size_t len)
{
    size_t pos = 0;
    while (pos < len) {
        const char *nl = memchr(text + pos, '\n', len - pos);
        size_t end = nl != NULL ? (size_t)(nl - text) : len;
        if (p->line == INT_MAX)
            return reject(p, 0, "too many lines: expected at most %d", INT_MAX) < 0 ? -1 : 0;
        p->line++;
        if (raw_line(p, text + pos, end - pos) < 0)
            return -1;
        pos = end + 1;
    }
    return 0;
}

/* ------------------------------------------------------------------------ */
/* Public interface                                                         */
/* ------------------------------------------------------------------------ */

/* Frees what the parser holds and no snapshot took over. */
static void parser_release(struct parser *p)
{
    for (size_t i = 0; i < p->nvars; i++) {
        if (!var_shared(p, i))
            free(p->vars[i]);
    }
    free(p->vars);
    free(p->var_slots);
    free(p->specs);
    free(p->buf);
}

int crontab_parse(const char *text, size_t len, const struct crontab_opts *opts,
                  struct crontab *out)
{
    static const struct crontab_opts defaults = {false, false};
    memset(out, 0, sizeof *out);
    struct parser p = {.opts = opts != NULL ? opts : &defaults, .out = out, .dirty = true};
    p.buf = malloc(CRONTAB_LINE_MAX + 1);
    p.var_slots = calloc(VAR_SLOTS, sizeof *p.var_slots);
    int rc = p.buf != NULL && p.var_slots != NULL ? lines_parse(&p, text, text != NULL ? len : 0)
                                                  : -1;
    parser_release(&p);
    /* the entries stay for the crontab's life: no room left over */
    if (rc >= 0 && out->nentries > 0 && out->nentries < p.cap_entries) {
        struct crontab_entry *fit = realloc(out->entries, out->nentries * sizeof *fit);
        if (fit != NULL)
            out->entries = fit;
    }
    if (rc < 0)
        return -1;
    return out->diags.n > 0 ? 1 : 0;
}

void crontab_free(struct crontab *tab)
{
    if (tab == NULL)
        return;
    free(tab->entries);
    util_arena_free(&tab->arena);
    diag_list_free(&tab->diags);
    for (size_t i = tab->nenvs; i > 0; i--)
        env_free(tab->envs[i - 1], i > 1 ? tab->envs[i - 2] : NULL);
    free(tab->envs);
    memset(tab, 0, sizeof *tab);
}

const char *crontab_env_get(const struct crontab_env *env, const char *name)
{
    if (env == NULL || name == NULL)
        return NULL;
    size_t n = strlen(name);
    for (size_t i = 0; i < env->nvars; i++) {
        if (strncmp(env->vars[i], name, n) == 0 && env->vars[i][n] == '=')
            return env->vars[i] + n + 1;
    }
    return NULL;
}

/* ------------------------------------------------------------------------ */
/* Entries from elsewhere                                                   */
/* ------------------------------------------------------------------------ */

static int arena_dup(struct util_arena *a, const char *s, char **out)
{
    *out = NULL;
    return s == NULL || (*out = util_arena_strndup(a, s, strlen(s))) != NULL ? 0 : -1;
}

static struct crontab_env *env_copy(char *const *vars, size_t nvars)
{
    struct crontab_env *env = calloc(1, sizeof *env);
    if (env == NULL || (env->vars = calloc(nvars + 1, sizeof *env->vars)) == NULL) {
        free(env);
        return NULL;
    }
    for (; env->nvars < nvars; env->nvars++) {
        if ((env->vars[env->nvars] = strdup(vars[env->nvars])) == NULL) {
            env_free(env, NULL);
            return NULL;
        }
    }
    return env;
}

int crontab_append(struct crontab *tab, const struct crontab_entry *e, char *const *vars,
                   size_t nvars)
{
    struct crontab_entry *entries = realloc(tab->entries, (tab->nentries + 1) * sizeof *entries);
    if (entries == NULL)
        return -1;
    tab->entries = entries;
    /* an array of pointers: NOLINTNEXTLINE(bugprone-sizeof-expression) */
    struct crontab_env **envs = realloc(tab->envs, (tab->nenvs + 1) * sizeof *envs);
    if (envs == NULL)
        return -1;
    tab->envs = envs;
    struct crontab_env *env = env_copy(vars, nvars);
    if (env == NULL)
        return -1;
    tab->envs[tab->nenvs++] = env;
    struct crontab_entry *n = &tab->entries[tab->nentries];
    struct util_arena *a = &tab->arena;
    struct cronspec *spec = util_arena_alloc(a, sizeof *spec);
    *n = *e;
    n->env = env;
    n->spec = spec;
    if (spec == NULL)
        return -1;
    *spec = *e->spec;
    char *shell, *tz, *sched;
    int rc = arena_dup(a, e->schedule, &sched) | arena_dup(a, e->user, &n->user)
           | arena_dup(a, e->command, &n->command) | arena_dup(a, e->input, &n->input)
           | arena_dup(a, e->env->shell, &shell) | arena_dup(a, e->env->tz, &tz);
    n->schedule = sched;
    env->shell = shell;
    env->tz = tz;
    env->tz_line = e->env->tz_line;
    env->tz_col = e->env->tz_col;
    tab->nentries++; /* counted even on failure: crontab_free frees the arena */
    return rc;
}
