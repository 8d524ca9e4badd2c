/* config: the INI configuration file (see config.h and DESIGN.md section 6).
 *
 * inih does the INI part (splitting "key = value", trimming, inline
 * comments); this file feeds it lines through its own reader and checks
 * every key against two tables. Debian's inih calls the handler without a
 * line number and keeps only the first error line, so the reader does more
 * than reading:
 * - it counts lines, and inih calls the handler for a line before asking for
 *   the next one, so p->line is the line of every handler call;
 * - it reads section headers itself: inih silently truncates section names
 *   to 49 bytes and does not call the handler for a section without keys, so
 *   "[colour]" alone would go unreported;
 * - it reports lines inih would reject (no '=', over-long, NUL bytes) and
 *   hands inih an empty line instead, so every error gets its own diag;
 * - it strips leading blanks, which turns off inih's multi-line values (an
 *   indented line would otherwise be appended to the previous key).
 *
 * Decisions a user sees (README material):
 * - Comments: a line starting with ';' or '#'; after a value, ';' preceded
 *   by a blank starts a comment (inih's rule), so "command = a ; b" is "a".
 *   Write "a; b" or "a && b" in commands. '#' after a value is kept.
 * - "key: value" is accepted like "key = value" (inih follows Python's
 *   configparser). Keys and section names are case-sensitive.
 * - Lines are at most 197 characters (inih's fixed line buffer); a longer
 *   line is an error, not silently cut. Put long commands in a script.
 * - [job "NAME"]; [job NAME] also works when NAME has no blanks. NAME is not
 *   empty, has no '"' and no control characters. [daemon] may appear more
 *   than once, but each key only once in the whole file.
 * - Every value must be non-empty except env.NAME. shell and workdir must be
 *   absolute; user and timezone are only stored (checked when used).
 * - crontabs holds paths separated by blanks, at most OPTIONS_MAX_FILES.
 * - A job with any error is left out of the job list; the file still has
 *   diags, so startup fails anyway, but --check can list the good jobs.
 */
#include "crond/config.h"

#include "crond/claimurl.h"

#include "crond/netaddr.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <ini.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "crond/duration.h"
#include "crond/util.h"

#define COUNT_OF(a) (sizeof(a) / sizeof((a)[0]))
#define CONFIG_MAX_SIZE ((size_t)1024 * 1024)
#define MAX_KEYS 32         /* per table; checked below */
#define BLANKS " \t\n\r\v\f" /* as CROND_LITE_FILE is split */
#define UTF8_BOM "\xEF\xBB\xBF"

enum section_kind {
    SEC_NONE,   /* before the first header */
    SEC_DAEMON, /* [daemon] */
    SEC_JOB,    /* [job "NAME"]: keys go to p->job */
    SEC_SKIP,   /* a bad header, already reported: its keys are ignored */
};

struct seen_job {
    char *name; /* every job header so far, good or bad: for duplicates */
    int line;
};

struct parse {
    struct config *out;
    const char *pos, *end;       /* the reader's cursor in the text */
    int line;                    /* of the line last handed to inih */
    enum section_kind section;
    struct config_job job;       /* the job being read (SEC_JOB) */
    bool job_bad;                /* a diag was recorded inside this job */
    int daemon_seen[MAX_KEYS];   /* line of each key's first use; 0: unused */
    int job_seen[MAX_KEYS];
    struct seen_job *seen;
    size_t nseen;
    bool oom;
};

/* -------------------------------------------------------------- diags -- */

__attribute__((format(printf, 3, 4)))
static void diag_at(struct parse *p, int line, const char *fmt, ...)
{
    if (p->section == SEC_JOB)
        p->job_bad = true;
    char *msg;
    va_list ap;
    va_start(ap, fmt);
    int n = vasprintf(&msg, fmt, ap);
    va_end(ap);
    if (n < 0 || diag_add(&p->out->diags, DIAG_ERROR, NULL, line, 0, "%s", msg) != 0)
        p->oom = true;
    if (n >= 0)
        free(msg);
}

#define diag(p, ...) diag_at((p), (p)->line, __VA_ARGS__)

/* "[daemon]" or "[job "backup"]", for messages. */
static const char *section_label(const struct parse *p, char *buf, size_t len)
{
    if (p->section == SEC_JOB)
        snprintf(buf, len, "[job \"%s\"]", p->job.name);
    else
        snprintf(buf, len, "[daemon]");
    return buf;
}

/* ------------------------------------------------------- value setters -- */

struct key;
/* Stores val into field (inside struct config or struct config_job);
 * returns 0, or -1 after recording a diag. */
typedef int (*key_setter)(struct parse *p, const struct key *k, void *field, const char *val);

struct key {
    const char *name;
    unsigned bit;                  /* OPT_SET_* for [daemon]; 0 for jobs */
    key_setter set;
    size_t offset;                 /* of the field in its struct */
    int (*lookup)(const char *s);  /* enum keys: name to value, -1 unknown */
    const char *expected;          /* enum keys: the names, for messages */
};

static int set_string(struct parse *p, const struct key *k, void *field, const char *val)
{
    (void)k;
    char **s = field;
    free(*s);
    *s = strdup(val);
    if (*s == NULL)
        p->oom = true;
    return *s ? 0 : -1;
}

static int set_path(struct parse *p, const struct key *k, void *field, const char *val)
{
    if (val[0] != '/') {
        diag(p, "%s: expected an absolute path, got '%s'", k->name, val);
        return -1;
    }
    return set_string(p, k, field, val);
}

static int set_listen(struct parse *p, const struct key *k, void *field, const char *val)
{
    struct netaddr addr;
    char err[256];
    if (netaddr_parse(val, &addr, err, sizeof err) != 0) {
        diag(p, "%s: %s", k->name, err);
        return -1;
    }
    return set_string(p, k, field, val);
}

static int set_claim(struct parse *p, const struct key *k, void *field, const char *val)
{
    struct claimurl u;
    char err[256];
    if (claimurl_parse(val, &u, err, sizeof err) != 0) {
        diag(p, "%s: %s", k->name, err);
        return -1;
    }
    return set_string(p, k, field, val);
}

static int set_claim_fail(struct parse *p, const struct key *k, void *field, const char *val)
{
    int v = options_claim_fail_from(val);
    if (v < 0) {
        diag(p, "%s: expected open or closed, got '%s'", k->name, val);
        return -1;
    }
    *(bool *)field = v == 1;
    return 0;
}

/* A job's claim: on (the default) or off. */
static int set_job_claim(struct parse *p, const struct key *k, void *field, const char *val)
{
    int b = options_bool_from(val);
    if (b < 0) {
        diag(p, "%s: expected on or off, got '%s'", k->name, val);
        return -1;
    }
    *(bool *)field = b == 0;
    return 0;
}

static int set_schedule(struct parse *p, const struct key *k, void *field, const char *val)
{
    p->job.schedule_line = p->line;
    return set_string(p, k, field, val);
}

/* user and timezone are checked by the loader: it needs their lines. */
static int set_job_user(struct parse *p, const struct key *k, void *field, const char *val)
{
    p->job.user_line = p->line;
    return set_string(p, k, field, val);
}

static int set_job_timezone(struct parse *p, const struct key *k, void *field, const char *val)
{
    p->job.timezone_line = p->line;
    return set_string(p, k, field, val);
}

static int set_bool(struct parse *p, const struct key *k, void *field, const char *val)
{
    int b = options_bool_from(val);
    if (b < 0) {
        diag(p, "%s: expected true/false, yes/no, on/off or 1/0, got '%s'", k->name, val);
        return -1;
    }
    *(bool *)field = b == 1;
    return 0;
}

/* The enum fields are enums whose values are small non-negative ints; GCC
 * gives them type unsigned int, which an int lvalue may access. */
static int set_enum(struct parse *p, const struct key *k, void *field, const char *val)
{
    int v = k->lookup(val);
    if (v < 0) {
        diag(p, "%s: expected %s, got '%s'", k->name, k->expected, val);
        return -1;
    }
    *(int *)field = v;
    return 0;
}

static int set_duration(struct parse *p, const struct key *k, void *field, const char *val)
{
    char err[160];
    if (duration_parse(val, field, err, sizeof err) < 0) {
        diag(p, "%s: invalid duration '%s': %s", k->name, val, err);
        return -1;
    }
    return 0;
}

/* The value is stored twice in one allocation: as written (what the header
 * promises in c->crontabs), then with every blank turned into '\0'.
 * config_apply gets a const config and points o->files into that second
 * copy, so no field is added and one free() releases both. */
static int set_crontabs(struct parse *p, const struct key *k, void *field, const char *val)
{
    size_t n = strlen(val), count = 0;
    for (size_t i = 0; i < n; i++)
        if (!strchr(BLANKS, val[i]) && (i == 0 || strchr(BLANKS, val[i - 1])))
            count++;
    if (count > OPTIONS_MAX_FILES) {
        diag(p, "%s: %zu paths, at most %d", k->name, count, OPTIONS_MAX_FILES);
        return -1;
    }
    char *buf = malloc(2 * n + 2);
    if (buf == NULL) {
        p->oom = true;
        return -1;
    }
    memcpy(buf, val, n + 1);
    for (size_t i = 0; i <= n; i++)
        buf[n + 1 + i] = strchr(BLANKS, val[i]) ? '\0' : val[i];
    free(*(char **)field);
    *(char **)field = buf;
    return 0;
}

/* ------------------------------------------------------------ key tables -- */

#define DAEMON_KEY(name, bit, set, field) \
    {name, bit, set, offsetof(struct config, field), NULL, NULL}
#define DAEMON_ENUM(name, bit, field, lookup, expected) \
    {name, bit, set_enum, offsetof(struct config, field), lookup, expected}
#define JOB_KEY(name, set, field) {name, 0, set, offsetof(struct config_job, field), NULL, NULL}

static const struct key daemon_keys[] = {
    DAEMON_KEY("crontabs", OPT_SET_FILES, set_crontabs, crontabs),
    DAEMON_KEY("user", OPT_SET_USER, set_string, user),
    DAEMON_KEY("system", OPT_SET_SYSTEM, set_bool, system),
    DAEMON_KEY("shell", OPT_SET_SHELL, set_path, shell),
    DAEMON_KEY("timezone", OPT_SET_TIMEZONE, set_string, timezone),
    DAEMON_ENUM("log_format", OPT_SET_LOG_FORMAT, log_format, log_format_from,
                "text or json"),
    DAEMON_ENUM("log_level", OPT_SET_LOG_LEVEL, log_level, log_level_from,
                "error, warn, info or debug"),
    DAEMON_KEY("grace", OPT_SET_GRACE, set_duration, grace_ms),
    DAEMON_ENUM("overlap", OPT_SET_OVERLAP, overlap, sched_overlap_from,
                "skip, allow or queue"),
    DAEMON_KEY("clean_env", OPT_SET_CLEAN_ENV, set_bool, clean_env),
    DAEMON_KEY("no_reload", OPT_SET_NO_RELOAD, set_bool, no_reload),
    DAEMON_KEY("no_new_privs", OPT_SET_NO_NEW_PRIVS, set_bool, no_new_privs),
    DAEMON_ENUM("output", OPT_SET_OUTPUT, output, log_output_from, "records or raw"),
    DAEMON_KEY("split_logs", OPT_SET_SPLIT_LOGS, set_bool, split_logs),
    DAEMON_KEY("percent_newline", OPT_SET_PERCENT_NEWLINE, set_bool, percent_newline),
    DAEMON_KEY("listen", OPT_SET_LISTEN, set_listen, listen),
    DAEMON_KEY("on_failure", OPT_SET_ON_FAILURE, set_string, on_failure),
    DAEMON_KEY("on_success", OPT_SET_ON_SUCCESS, set_string, on_success),
    DAEMON_KEY("claim", OPT_SET_CLAIM, set_claim, claim),
    DAEMON_KEY("claim_fail", OPT_SET_CLAIM_FAIL, set_claim_fail, claim_fail_open),
    DAEMON_KEY("guard", OPT_SET_GUARD, set_string, guard),
};

static const struct key job_keys[] = {
    JOB_KEY("schedule", set_schedule, schedule),
    JOB_KEY("command", set_string, command),
    JOB_KEY("timeout", set_duration, timeout_ms),
    {"overlap", 0, set_enum, offsetof(struct config_job, overlap), sched_overlap_from,
     "skip, allow or queue"},
    JOB_KEY("user", set_job_user, user),
    JOB_KEY("shell", set_path, shell),
    JOB_KEY("timezone", set_job_timezone, timezone),
    JOB_KEY("workdir", set_path, workdir),
    JOB_KEY("on_failure", set_string, on_failure),
    JOB_KEY("on_success", set_string, on_success),
    JOB_KEY("claim", set_job_claim, no_claim),
};

_Static_assert(COUNT_OF(daemon_keys) <= MAX_KEYS, "raise MAX_KEYS");
_Static_assert(COUNT_OF(job_keys) <= MAX_KEYS, "raise MAX_KEYS");

/* Looks name up in table and stores value into base; seen[] catches
 * duplicates. A stored [daemon] value gets its OPT_SET_* bit. */
static void key_store(struct parse *p, const struct key *table, size_t n, int *seen,
                     void *base, const char *name, const char *value)
{
    char label[128];
    size_t i = 0;
    while (i < n && strcmp(table[i].name, name) != 0)
        i++;
    if (i == n) {
        diag(p, "unknown key '%s' in %s", name, section_label(p, label, sizeof label));
    } else if (seen[i]) {
        diag(p, "duplicate key '%s' in %s (first at line %d)", name,
             section_label(p, label, sizeof label), seen[i]);
    } else if (value[0] == '\0') {
        seen[i] = p->line;
        diag(p, "%s: expected a value", name);
    } else {
        seen[i] = p->line;
        if (table[i].set(p, &table[i], (char *)base + table[i].offset, value) == 0)
            p->out->set |= table[i].bit;
    }
}

/* ------------------------------------------------------------------ jobs -- */

static void job_free(struct config_job *j)
{
    free(j->name);
    free(j->schedule);
    free(j->command);
    free(j->user);
    free(j->shell);
    free(j->timezone);
    free(j->workdir);
    free(j->on_failure);
    free(j->on_success);
    for (size_t i = 0; i < j->nenv; i++)
        free(j->env[i]);
    free(j->env);
    memset(j, 0, sizeof *j);
}

static bool env_name_valid(const char *s)
{
    if (!(isalpha((unsigned char)s[0]) || s[0] == '_'))
        return false;
    for (; *s; s++)
        if (!(isalnum((unsigned char)*s) || *s == '_'))
            return false;
    return true;
}

static void job_env_add(struct parse *p, const char *name, const char *value)
{
    struct config_job *j = &p->job;
    char label[128];
    size_t len = strlen(name);
    if (!env_name_valid(name)) {
        diag(p, "env.%s: variable names are letters, digits and '_', not starting with a digit",
             name);
        return;
    }
    for (size_t i = 0; i < j->nenv; i++)
        if (strncmp(j->env[i], name, len) == 0 && j->env[i][len] == '=') {
            diag(p, "duplicate key 'env.%s' in %s", name, section_label(p, label, sizeof label));
            return;
        }
    char **env = realloc(j->env, (j->nenv + 2) * sizeof *env);
    if (env == NULL || asprintf(&env[j->nenv], "%s=%s", name, value) < 0) {
        if (env)
            j->env = env;
        p->oom = true;
        return;
    }
    j->env = env;
    env[++j->nenv] = NULL;
}

static void job_key(struct parse *p, const char *name, const char *value)
{
    if (strncmp(name, "env.", 4) == 0)
        job_env_add(p, name + 4, value);
    else
        key_store(p, job_keys, COUNT_OF(job_keys), p->job_seen, &p->job, name, value);
}

/* Records the name for duplicate checks, then starts a job section. */
static void job_begin(struct parse *p, const char *name, size_t len)
{
    struct seen_job *s = realloc(p->seen, (p->nseen + 1) * sizeof *s);
    if (s == NULL || (s[p->nseen].name = strndup(name, len)) == NULL) {
        p->seen = s ? s : p->seen;
        p->oom = true;
        return;
    }
    p->seen = s;
    s[p->nseen++].line = p->line;
    p->job = (struct config_job){.name = strndup(name, len), .line = p->line, .overlap = -1,
                                 .env = calloc(1, sizeof(char *))};
    if (p->job.name == NULL || p->job.env == NULL) {
        job_free(&p->job);
        p->oom = true;
        return;
    }
    p->job_bad = false;
    memset(p->job_seen, 0, sizeof p->job_seen);
    p->section = SEC_JOB;
}

static void job_finish(struct parse *p)
{
    struct config *c = p->out;
    if (p->job.schedule == NULL)
        diag_at(p, p->job.line, "job '%s' has no schedule", p->job.name);
    if (p->job.command == NULL)
        diag_at(p, p->job.line, "job '%s' has no command", p->job.name);
    struct config_job *jobs = NULL;
    if (!p->job_bad && !p->oom) {
        jobs = realloc(c->jobs, (c->njobs + 1) * sizeof *jobs);
        p->oom = jobs == NULL;
    }
    if (jobs == NULL) {
        job_free(&p->job);
        return;
    }
    c->jobs = jobs;
    jobs[c->njobs++] = p->job;
    memset(&p->job, 0, sizeof p->job);
}

/* ------------------------------------------------------- section headers -- */

static const char *skip_blanks(const char *s)
{
    return s + strspn(s, " \t");
}

/* After ']': nothing but blanks and a comment. */
static bool header_tail_ok(const char *s)
{
    s = skip_blanks(s);
    return *s == '\0' || *s == ';' || *s == '#';
}

static void section_close(struct parse *p)
{
    if (p->section == SEC_JOB)
        job_finish(p);
    p->section = SEC_NONE;
}

/* s follows "job": ` "NAME"]` or ` NAME]`. */
static void section_open_job(struct parse *p, const char *s, const char *header)
{
    const char *name = s + (*s == '"'), *after;
    size_t len = strcspn(name, *s == '"' ? "\"" : " \t]\"");
    after = name + len + (*s == '"');
    if ((*s == '"' && name[len] != '"') || *skip_blanks(after) != ']' ||
        !header_tail_ok(skip_blanks(after) + 1)) {
        diag(p, "malformed section header '%s' (expected [job \"NAME\"])", header);
        return;
    }
    if (len == 0) {
        diag(p, "a job needs a name: [job \"NAME\"]");
        return;
    }
    for (size_t i = 0; i < len; i++)
        if (iscntrl((unsigned char)name[i])) {
            diag(p, "job name contains a control character");
            return;
        }
    for (size_t i = 0; i < p->nseen; i++)
        if (strncmp(p->seen[i].name, name, len) == 0 && p->seen[i].name[len] == '\0') {
            diag(p, "duplicate job '%.*s' (first at line %d)", (int)len, name, p->seen[i].line);
            return;
        }
    job_begin(p, name, len);
}

/* s is a whole header line starting with '['. */
static void section_open(struct parse *p, const char *s)
{
    section_close(p);
    p->section = SEC_SKIP;
    const char *word = skip_blanks(s + 1);
    size_t n = strspn(word, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ_");
    if (n == 3 && strncmp(word, "job", 3) == 0) {
        section_open_job(p, skip_blanks(word + 3), s);
        return;
    }
    const char *close = strchr(s, ']');
    if (close == NULL || !header_tail_ok(close + 1)) {
        diag(p, "malformed section header '%s'", s);
        return;
    }
    if (n == 6 && strncmp(word, "daemon", 6) == 0 && skip_blanks(word + 6) == close) {
        p->section = SEC_DAEMON;
        return;
    }
    diag(p, "unknown section '%.*s' (expected [daemon] or [job \"NAME\"])", (int)(close - s + 1),
         s);
}

/* -------------------------------------------------------- inih plumbing -- */

/* inih's own test for a "name = value" line: '=' or ':' before any inline
 * comment (';' after a blank). */
static bool line_has_separator(const char *s)
{
    bool after_blank = false;
    for (; *s; s++) {
        if (*s == '=' || *s == ':')
            return true;
        if (*s == ';' && after_blank)
            return false;
        after_blank = isspace((unsigned char)*s);
    }
    return false;
}

/* Returns whether inih should see the line (comment, blank or key). */
static bool line_check(struct parse *p, const char *s)
{
    if (s[0] == '\0' || s[0] == ';' || s[0] == '#')
        return true;
    if (s[0] == '[') {
        section_open(p, s);
        return false;
    }
    if (line_has_separator(s))
        return true;
    diag(p, "expected 'key = value', a [section] or a comment, got '%.40s'", s);
    return false;
}

/* ini_reader over the text in memory: one line per call, with the side
 * duties listed at the top of this file. */
static char *reader_next(char *str, int num, void *stream)
{
    struct parse *p = stream;
    if (p->pos >= p->end || p->oom)
        return NULL;
    const char *s = p->pos, *eol = memchr(s, '\n', (size_t)(p->end - s));
    size_t len = (size_t)((eol ? eol : p->end) - s);
    p->pos = eol ? eol + 1 : p->end;
    p->line++;
    str[0] = '\0';
    /* cppcheck takes len for 0 here (it does not see that str and s differ);
     * the tests of CRLF and BOM files show otherwise. */
    /* cppcheck-suppress knownConditionTrueFalse */
    if (len > 0 && s[len - 1] == '\r')
        len--;
    /* cppcheck-suppress knownConditionTrueFalse */
    if (p->line == 1 && len >= 3 && memcmp(s, UTF8_BOM, 3) == 0) {
        s += 3;
        len -= 3;
    }
    for (; len > 0 && (*s == ' ' || *s == '\t'); len--)
        s++;
    if (memchr(s, '\0', len)) {
        diag(p, "line contains a NUL byte");
    } else if (len + 3 > (size_t)num) {
        diag(p, "line longer than %d characters", num - 3);
    } else {
        memcpy(str, s, len);
        str[len] = '\0';
        if (!line_check(p, str))
            str[0] = '\0';
    }
    return str;
}

/* inih's handler. The section argument is ignored: the reader tracks the
 * section in full. Errors are recorded here, so it never fails. */
static int on_key(void *user, const char *section, const char *name, const char *value)
{
    struct parse *p = user;
    (void)section;
    if (p->oom)
        return 1;
    if (p->section == SEC_NONE) {
        diag(p, "key '%s' before any section ([daemon] or [job \"NAME\"])", name);
    } else if (p->section == SEC_DAEMON) {
        key_store(p, daemon_keys, COUNT_OF(daemon_keys), p->daemon_seen, p->out, name, value);
    } else if (p->section == SEC_JOB) {
        job_key(p, name, value);
    }
    return 1;
}

/* ------------------------------------------------------------ public API -- */

static bool diag_on_line(const struct config *c, int line)
{
    for (size_t i = 0; i < c->diags.n; i++)
        if (c->diags.items[i].line == line)
            return true;
    return false;
}

int config_parse(const char *text, size_t len, const char *name, struct config *out)
{
    memset(out, 0, sizeof *out);
    out->path = strdup(name ? name : "");
    if (out->path == NULL)
        return -1;
    struct parse p = {.out = out, .pos = text, .end = text ? text + len : text};
    int rc = ini_parse_stream(reader_next, &p, on_key, &p);
    section_close(&p);
    if (rc == -2)
        p.oom = true;
    else if (rc > 0 && !p.oom && !diag_on_line(out, rc))
        diag_at(&p, rc, "syntax error"); /* inih found what the reader missed */
    for (size_t i = 0; i < p.nseen; i++)
        free(p.seen[i].name);
    free(p.seen);
    if (p.oom)
        return -1;
    /* "job has no schedule" is only known at the end of the job but belongs
     * to its header line: the list reads in line order */
    diag_sort_lines(&out->diags, 0);
    return out->diags.n > 0;
}

int config_load(const char *path, struct config *out)
{
    struct util_file f;
    char err[256];
    memset(out, 0, sizeof *out);
    int rc = util_read_file(path, CONFIG_MAX_SIZE, &f, err, sizeof err);
    if (rc == ENOMEM)
        return -1;
    if (rc == 0) {
        rc = config_parse(f.data, f.len, path, out);
        free(f.data);
        return rc;
    }
    out->path = strdup(path);
    /* line 0: the whole file */
    if (out->path == NULL || diag_add(&out->diags, DIAG_ERROR, NULL, 0, 0, "%s", err) != 0)
        return -1;
    return 1;
}

void config_free(struct config *c)
{
    if (c == NULL)
        return;
    free(c->path);
    free(c->crontabs);
    free(c->user);
    free(c->shell);
    free(c->timezone);
    free(c->listen);
    free(c->on_failure);
    free(c->on_success);
    free(c->claim);
    free(c->guard);
    for (size_t i = 0; i < c->njobs; i++)
        job_free(&c->jobs[i]);
    free(c->jobs);
    diag_list_free(&c->diags);
    memset(c, 0, sizeof *c);
}

/* ---------------------------------------------------------------- apply -- */

/* [daemon] fields copied as they are: same name, type and size in both
 * structs (char * into const char *). crontabs is split separately. */
struct apply {
    unsigned bit;
    size_t from, to, size;
};

#define APPLY(bit, field)                                                    \
    {bit, offsetof(struct config, field), offsetof(struct options, field), \
     sizeof(((struct options *)0)->field)}

static const struct apply applies[] = {
    APPLY(OPT_SET_USER, user),
    APPLY(OPT_SET_SYSTEM, system),
    APPLY(OPT_SET_SHELL, shell),
    APPLY(OPT_SET_TIMEZONE, timezone),
    APPLY(OPT_SET_LOG_FORMAT, log_format),
    APPLY(OPT_SET_LOG_LEVEL, log_level),
    APPLY(OPT_SET_GRACE, grace_ms),
    APPLY(OPT_SET_OVERLAP, overlap),
    APPLY(OPT_SET_CLEAN_ENV, clean_env),
    APPLY(OPT_SET_NO_RELOAD, no_reload),
    APPLY(OPT_SET_NO_NEW_PRIVS, no_new_privs),
    APPLY(OPT_SET_OUTPUT, output),
    APPLY(OPT_SET_SPLIT_LOGS, split_logs),
    APPLY(OPT_SET_PERCENT_NEWLINE, percent_newline),
    APPLY(OPT_SET_LISTEN, listen),
    APPLY(OPT_SET_ON_FAILURE, on_failure),
    APPLY(OPT_SET_ON_SUCCESS, on_success),
    APPLY(OPT_SET_CLAIM, claim),
    APPLY(OPT_SET_CLAIM_FAIL, claim_fail_open),
    APPLY(OPT_SET_GUARD, guard),
};

/* Points o->files at the split copy that follows c->crontabs' '\0'. */
static int apply_crontabs(const struct config *c, struct options *o)
{
    size_t n = strlen(c->crontabs), count = 0;
    const char *split = c->crontabs + n + 1;
    const char *files[OPTIONS_MAX_FILES] = {0};
    for (size_t i = 0; i < n; i++) {
        if (split[i] == '\0' || (i > 0 && split[i - 1] != '\0'))
            continue;
        if (count == OPTIONS_MAX_FILES)
            return -1;
        files[count++] = split + i;
    }
    memcpy(o->files, files, count * sizeof files[0]);
    o->nfiles = count;
    return 0;
}

int config_apply(const struct config *c, struct options *o)
{
    unsigned fill = c->set & ~o->set;
    if ((fill & OPT_SET_FILES) && c->crontabs && apply_crontabs(c, o) < 0)
        return -1;
    for (size_t i = 0; i < COUNT_OF(applies); i++)
        if (fill & applies[i].bit)
            memcpy((char *)o + applies[i].to, (const char *)c + applies[i].from, applies[i].size);
    return 0;
}
