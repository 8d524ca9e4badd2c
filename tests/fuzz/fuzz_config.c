/* fuzz_config: an INI file through config_parse, then config_apply onto the
 * default options, then config_free. See README.md.
 *
 * Input: the file's text, passed with its length and without a terminating
 * NUL (config_parse must not need one).
 *
 * Properties:
 * - the return value is 0 when there is no diag, 1 when there are diags
 *   (-1, out of memory, only skips the checks);
 * - every diag: 0 <= line <= lines of the file, a non-empty message; diags
 *   in line order;
 * - no bit of a command-line-only option is set, and each set [daemon]
 *   value is valid: shell absolute, grace >= 0, enums in range, strings
 *   non-empty;
 * - every job: name, schedule and command non-empty, header and schedule
 *   lines within the file, timeout >= 0, overlap -1..2, shell and workdir
 *   absolute, env NULL-terminated with nenv "NAME=VALUE" strings, no two
 *   jobs with the same name;
 * - config_apply onto options_parse's defaults returns 0 (config_parse
 *   already refused more than OPTIONS_MAX_FILES paths), fills exactly the
 *   options whose bits are set, and splits crontabs into 1..64 non-empty
 *   paths without blanks, as many as the value has words;
 * - the same text with CRLF line ends parses to the same return value,
 *   diags, [daemon] values and jobs.
 */
#include <stdbool.h>

#include "crond/config.h"
#include "crond/options.h"
#include "fuzz.h"

#define BLANKS " \t\n\r\v\f"
/* Options only the command line gives: the INI file never sets their bits. */
#define CLI_ONLY_BITS (OPT_SET_CONFIG | OPT_SET_COUNT | OPT_SET_FROM | OPT_SET_TZ)

static size_t count_words(const char *s)
{
    size_t n = 0;
    for (size_t i = 0; s[i] != '\0'; i++)
        if (!strchr(BLANKS, s[i]) && (i == 0 || strchr(BLANKS, s[i - 1])))
            n++;
    return n;
}

static void check_job(const struct config *c, size_t k, size_t nlines)
{
    const struct config_job *j = &c->jobs[k];
    CHECK(j->name != NULL && j->name[0] != '\0');
    CHECK(j->schedule != NULL && j->schedule[0] != '\0');
    CHECK(j->command != NULL && j->command[0] != '\0');
    CHECKF(j->line >= 1 && (size_t)j->line <= nlines, "job line %d of %zu", j->line, nlines);
    CHECKF(j->schedule_line > j->line && (size_t)j->schedule_line <= nlines,
           "schedule line %d, job at %d", j->schedule_line, j->line);
    CHECK(j->timeout_ms >= 0);
    CHECK(j->overlap >= -1 && j->overlap <= OVERLAP_QUEUE);
    CHECK(j->user == NULL || j->user[0] != '\0');
    CHECK(j->timezone == NULL || j->timezone[0] != '\0');
    CHECK(j->shell == NULL || j->shell[0] == '/');
    CHECK(j->workdir == NULL || j->workdir[0] == '/');
    CHECK(j->env != NULL);
    for (size_t i = 0; i < j->nenv; i++) {
        CHECK(j->env[i] != NULL);
        const char *eq = strchr(j->env[i], '=');
        CHECK(eq != NULL && eq != j->env[i]);
    }
    CHECK(j->env[j->nenv] == NULL);
    for (size_t i = 0; i < k; i++)
        CHECKF(strcmp(c->jobs[i].name, j->name) != 0, "job '%s' twice", j->name);
}

static void check_daemon(const struct config *c)
{
    CHECKF((c->set & (unsigned)CLI_ONLY_BITS) == 0, "set bits %#x", c->set);
    if (c->set & OPT_SET_FILES)
        CHECK(c->crontabs != NULL && c->crontabs[0] != '\0');
    if (c->set & OPT_SET_USER)
        CHECK(c->user != NULL && c->user[0] != '\0');
    if (c->set & OPT_SET_SHELL)
        CHECK(c->shell != NULL && c->shell[0] == '/');
    if (c->set & OPT_SET_TIMEZONE)
        CHECK(c->timezone != NULL && c->timezone[0] != '\0');
    if (c->set & OPT_SET_LOG_FORMAT)
        CHECK(c->log_format == LOG_FORMAT_TEXT || c->log_format == LOG_FORMAT_JSON);
    if (c->set & OPT_SET_LOG_LEVEL)
        CHECK(c->log_level <= LOG_LEVEL_DEBUG);
    if (c->set & OPT_SET_OVERLAP)
        CHECK(c->overlap <= OVERLAP_QUEUE);
    if (c->set & OPT_SET_OUTPUT)
        CHECK(c->output == LOG_OUTPUT_RECORDS || c->output == LOG_OUTPUT_RAW);
    if (c->set & OPT_SET_GRACE)
        CHECK(c->grace_ms >= 0);
}

static void check_apply(const struct config *c)
{
    static char *const argv[] = {"crond-lite", NULL};
    struct options o, def;
    char err[256];
    CHECKF(options_parse(1, argv, NULL, &def, err, sizeof err) == 0, "%s", err);
    CHECKF(options_parse(1, argv, NULL, &o, err, sizeof err) == 0, "%s", err);
    CHECK(config_apply(c, &o) == 0);
    if (c->set & OPT_SET_FILES) {
        size_t words = count_words(c->crontabs);
        CHECKF(o.nfiles == words && words >= 1 && words <= OPTIONS_MAX_FILES,
               "%zu paths from %zu words", o.nfiles, words);
        for (size_t i = 0; i < o.nfiles; i++) {
            CHECK(o.files[i] != NULL && o.files[i][0] != '\0');
            CHECK(strpbrk(o.files[i], BLANKS) == NULL);
        }
    } else {
        CHECK(o.nfiles == def.nfiles);
    }
    CHECK(o.shell == ((c->set & OPT_SET_SHELL) ? c->shell : def.shell));
    CHECK(o.user == ((c->set & OPT_SET_USER) ? c->user : def.user));
    CHECK(o.timezone == ((c->set & OPT_SET_TIMEZONE) ? c->timezone : def.timezone));
    CHECK(o.system == ((c->set & OPT_SET_SYSTEM) ? c->system : def.system));
    CHECK(o.log_format == ((c->set & OPT_SET_LOG_FORMAT) ? c->log_format : def.log_format));
    CHECK(o.log_level == ((c->set & OPT_SET_LOG_LEVEL) ? c->log_level : def.log_level));
    CHECK(o.grace_ms == ((c->set & OPT_SET_GRACE) ? c->grace_ms : def.grace_ms));
    CHECK(o.overlap == ((c->set & OPT_SET_OVERLAP) ? c->overlap : def.overlap));
    CHECK(o.clean_env == ((c->set & OPT_SET_CLEAN_ENV) ? c->clean_env : def.clean_env));
    CHECK(o.no_reload == ((c->set & OPT_SET_NO_RELOAD) ? c->no_reload : def.no_reload));
    CHECK(o.no_new_privs
          == ((c->set & OPT_SET_NO_NEW_PRIVS) ? c->no_new_privs : def.no_new_privs));
    CHECK(o.percent_newline
          == ((c->set & OPT_SET_PERCENT_NEWLINE) ? c->percent_newline : def.percent_newline));
    CHECK(o.output == ((c->set & OPT_SET_OUTPUT) ? c->output : def.output));
    CHECK(o.split_logs == ((c->set & OPT_SET_SPLIT_LOGS) ? c->split_logs : def.split_logs));
    CHECK(o.mode == def.mode && o.count == def.count && o.set == def.set);
    options_free(&o);
    options_free(&def);
}

/* Same diags, [daemon] values and jobs, field by field. */
static void check_same(const struct config *a, const struct config *b)
{
    CHECKF(a->diags.n == b->diags.n, "%zu diags, %zu with CRLF", a->diags.n, b->diags.n);
    for (size_t i = 0; i < a->diags.n; i++)
        CHECKF(a->diags.items[i].line == b->diags.items[i].line
                   && strcmp(a->diags.items[i].msg, b->diags.items[i].msg) == 0,
               "%d: %s; with CRLF %d: %s", a->diags.items[i].line, a->diags.items[i].msg, b->diags.items[i].line,
               b->diags.items[i].msg);
    CHECKF(a->set == b->set, "set %#x, with CRLF %#x", a->set, b->set);
    CHECK(fuzz_str_eq(a->crontabs, b->crontabs) && fuzz_str_eq(a->user, b->user)
          && fuzz_str_eq(a->shell, b->shell) && fuzz_str_eq(a->timezone, b->timezone));
    CHECK(a->system == b->system && a->log_format == b->log_format
          && a->log_level == b->log_level && a->grace_ms == b->grace_ms
          && a->overlap == b->overlap && a->clean_env == b->clean_env
          && a->no_reload == b->no_reload && a->no_new_privs == b->no_new_privs
          && a->percent_newline == b->percent_newline && a->output == b->output
          && a->split_logs == b->split_logs);
    CHECKF(a->njobs == b->njobs, "%zu jobs, %zu with CRLF", a->njobs, b->njobs);
    for (size_t i = 0; i < a->njobs; i++) {
        const struct config_job *x = &a->jobs[i], *y = &b->jobs[i];
        CHECKF(fuzz_str_eq(x->name, y->name) && x->line == y->line
                   && fuzz_str_eq(x->schedule, y->schedule)
                   && x->schedule_line == y->schedule_line && fuzz_str_eq(x->command, y->command)
                   && x->timeout_ms == y->timeout_ms && x->overlap == y->overlap
                   && fuzz_str_eq(x->user, y->user) && fuzz_str_eq(x->shell, y->shell)
                   && fuzz_str_eq(x->timezone, y->timezone)
                   && fuzz_str_eq(x->workdir, y->workdir) && x->nenv == y->nenv,
               "job '%s' differs with CRLF", x->name);
        for (size_t k = 0; k < x->nenv; k++)
            CHECK(strcmp(x->env[k], y->env[k]) == 0);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    /* an exact-size heap copy: a read past the end is an ASan report */
    char *text = malloc(size ? size : 1);
    CHECK(text != NULL);
    if (size > 0)
        memcpy(text, data, size);
    struct config c;
    int rc = config_parse(text, size, "fuzz.ini", &c);
    CHECKF(rc == -1 || rc == (c.diags.n > 0), "rc %d with %zu diags", rc, c.diags.n);
    if (rc >= 0) {
        size_t nlines = fuzz_count_lines(text, size);
        CHECK(c.path != NULL && strcmp(c.path, "fuzz.ini") == 0);
        int prev = 0;
        for (size_t i = 0; i < c.diags.n; i++) {
            const struct diag *d = &c.diags.items[i];
            CHECKF(d->line >= 0 && (size_t)d->line <= nlines, "diag line %d of %zu: %s",
                   d->line, nlines, d->msg ? d->msg : "(null)");
            CHECKF(d->line >= prev, "diag line %d after %d", d->line, prev);
            prev = d->line;
            CHECK(d->msg != NULL && d->msg[0] != '\0');
        }
        check_daemon(&c);
        for (size_t k = 0; k < c.njobs; k++)
            check_job(&c, k, nlines);
        check_apply(&c);
        size_t len2;
        char *text2 = fuzz_to_crlf(text, size, &len2);
        struct config c2;
        int rc2 = config_parse(text2, len2, "fuzz.ini", &c2);
        if (rc2 >= 0) {
            CHECKF(rc2 == rc, "rc %d, with CRLF %d", rc, rc2);
            check_same(&c, &c2);
        }
        config_free(&c2);
        free(text2);
    }
    config_free(&c);
    free(text);
    return 0;
}
