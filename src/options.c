/* options: the command line and the CROND_LITE_* variables (see options.h).
 *
 * One table (specs[] below) describes every option: long name, short letter,
 * argument, environment variable, `set` bit and setter. The command line is
 * read first; then, for each option that was NOT on the command line, its
 * variable. "Command line beats environment" is therefore a property of the
 * driver, not something each setter has to remember.
 *
 * Decisions a user sees (README material):
 * - "--opt=value", "--opt value", "-fPATH", "-f PATH" and clusters of short
 *   options ("-nf PATH"), as getopt reads them. Long names must be
 *   written in full: accepting prefixes would break scripts whenever a new
 *   option starts with the same letters. "--" ends the options; crond-lite
 *   takes no operands, so anything after it is still an error.
 * - CROND_LITE_FILE holds several paths separated by spaces (tabs and
 *   newlines also count), like the INI `crontabs` key. Paths with spaces must
 *   be given with -f.
 * - A variable set to the empty string counts as unset (as ${VAR:-} does in
 *   shells and compose files); flag variables take 1/0, true/false, yes/no,
 *   on/off, so CROND_LITE_CLEAN_ENV=false overrides the INI file.
 * - A mode chosen on the command line (--check, --list, --next) ignores the
 *   mode variables. --from, --tz and --count are refused on the command line
 *   outside the modes that use them; from the environment they are kept but
 *   unused, so an image can set CROND_LITE_COUNT without breaking the daemon.
 * - --help and --version win over everything, even bad values: someone asking
 *   for help should get it. --help wins over --version.
 * - Names (log formats, levels, output modes, overlap policies, booleans)
 *   are case-insensitive.
 */
#include "crond/options.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <stdint.h>
#include <strings.h>

#include "crond/claimurl.h"
#include "crond/duration.h"
#include "crond/netaddr.h"
#include "crond/util.h"

#define PROG "crond-lite"
#define COUNT_MAX 100000
#define WHO_MAX 48 /* "--log-format" or "CROND_LITE_LOG_FORMAT" */
#define COUNT_OF(a) (sizeof(a) / sizeof((a)[0]))

/* ---------------------------------------------------------- name tables -- */

static const struct util_name bools[] = {
    {"1", 1}, {"true", 1}, {"yes", 1}, {"on", 1},
    {"0", 0}, {"false", 0}, {"no", 0}, {"off", 0},
};

int options_bool_from(const char *s)
{
    return util_name_value(bools, UTIL_COUNT_OF(bools), s);
}

/* --------------------------------------------------------- parser state -- */

struct parser {
    struct options *o;      /* being filled */
    uint64_t cli_given;     /* bit i: specs[i] appeared on the command line */
    unsigned cli_set;       /* enum options_set_bit given on the command line */
    bool mode_from_cli;     /* a mode option was on the command line */
    char mode_who[WHO_MAX]; /* option or variable that chose o->mode */
    bool help, version;     /* seen on the command line; win over everything */
    bool failed;            /* err holds the first error */
    char *err;              /* caller's buffer */
    size_t errlen;
};

/* One value being applied: where it came from, for messages and precedence. */
struct arg {
    char who[WHO_MAX]; /* "--grace" or "CROND_LITE_GRACE" */
    const char *val;   /* NULL for a flag on the command line */
    bool from_env;
};

/* Keeps the first error only: later ones are usually consequences. */
__attribute__((format(printf, 2, 3)))
static int fail(struct parser *p, const char *fmt, ...)
{
    if (p->failed)
        return -1;
    p->failed = true;
    va_list ap;
    va_start(ap, fmt);
    util_vmsg(p->err, p->errlen, PROG ": ", fmt, ap);
    va_end(ap);
    return -1;
}

/* -------------------------------------------------------------- setters -- */

typedef int (*option_setter)(struct parser *p, const struct arg *a);

static int flag_value(struct parser *p, const struct arg *a, bool *out)
{
    if (a->val == NULL) {
        *out = true;
        return 0;
    }
    int b = options_bool_from(a->val);
    if (b < 0)
        return fail(p, "%s: expected 1/0, true/false, yes/no or on/off, got '%s'", a->who, a->val);
    *out = b == 1;
    return 0;
}

static int named_value(struct parser *p, const struct arg *a, int (*from)(const char *),
                       const char *expected, int *out)
{
    int v = from(a->val);
    if (v < 0)
        return fail(p, "%s: expected %s, got '%s'", a->who, expected, a->val);
    *out = v;
    return 0;
}

static int mode_choose(struct parser *p, const struct arg *a, enum options_mode m)
{
    if (p->o->mode != MODE_DAEMON && p->o->mode != m)
        return fail(p, "%s and %s cannot be combined (see --help)", p->mode_who, a->who);
    p->o->mode = m;
    snprintf(p->mode_who, sizeof p->mode_who, "%s", a->who);
    if (!a->from_env)
        p->mode_from_cli = true;
    return 0;
}

static int file_add(struct parser *p, const struct arg *a, const char *path)
{
    if (p->o->nfiles >= OPTIONS_MAX_FILES)
        return fail(p, "%s: at most %d crontab paths", a->who, OPTIONS_MAX_FILES);
    p->o->files[p->o->nfiles++] = path;
    return 0;
}

typedef int (*word_add_fn)(struct parser *p, const struct arg *a, const char *word);

/* Calls add for each blank-separated word of copy (a variable's value,
 * copied: envp belongs to the caller and must not be written to). */
static int words_add(struct parser *p, const struct arg *a, char *copy, word_add_fn add)
{
    if (copy == NULL)
        return fail(p, "%s: out of memory", a->who);
    int n = 0;
    char *save = NULL;
    for (char *t = strtok_r(copy, " \t\n", &save); t != NULL; t = strtok_r(NULL, " \t\n", &save)) {
        if (add(p, a, t) < 0)
            return -1;
        n++;
    }
    return n > 0 ? 0 : fail(p, "%s: expected one or more values separated by spaces", a->who);
}

/* A command-line value as it is; a variable's, word by word, on a copy the
 * options own. */
static int each_word(struct parser *p, const struct arg *a, word_add_fn add)
{
    if (!a->from_env)
        return add(p, a, a->val);
    return words_add(p, a, util_arena_strndup(&p->o->owned, a->val, strlen(a->val)), add);
}

/* CROND_LITE_FILE's copy is o->env_files (options_free forgets its paths). */
static int set_file(struct parser *p, const struct arg *a)
{
    if (!a->from_env)
        return file_add(p, a, a->val);
    free(p->o->env_files);
    p->o->env_files = strdup(a->val);
    return words_add(p, a, p->o->env_files, file_add);
}

static int system_file_add(struct parser *p, const struct arg *a, const char *path)
{
    if (p->o->nsystem_files >= OPTIONS_MAX_FILES)
        return fail(p, "%s: at most %d system crontab paths", a->who, OPTIONS_MAX_FILES);
    p->o->system_files[p->o->nsystem_files++] = path;
    return 0;
}

static int set_system_file(struct parser *p, const struct arg *a)
{
    return each_word(p, a, system_file_add);
}

/* Checked here so that a bad address is a usage error, not a failure at
 * start. */
static int set_listen(struct parser *p, const struct arg *a)
{
    struct netaddr addr;
    char err[256];
    if (netaddr_parse(a->val, &addr, err, sizeof err) != 0)
        return fail(p, "%s: %s", a->who, err);
    p->o->listen = a->val;
    return 0;
}

static int set_on_failure(struct parser *p, const struct arg *a)
{
    p->o->on_failure = a->val;
    return 0;
}

static int set_on_success(struct parser *p, const struct arg *a)
{
    p->o->on_success = a->val;
    return 0;
}

/* Checked here so that a bad URL is a usage error, not a failure at start. */
static int set_claim(struct parser *p, const struct arg *a)
{
    struct claimurl u;
    char err[256];
    if (claimurl_parse(a->val, &u, err, sizeof err) != 0)
        return fail(p, "%s: %s", a->who, err);
    p->o->claim = a->val;
    return 0;
}

static const struct util_name claim_fails[] = {{"closed", 0}, {"open", 1}};

int options_claim_fail_from(const char *s)
{
    return util_name_value(claim_fails, UTIL_COUNT_OF(claim_fails), s);
}

static int set_claim_fail(struct parser *p, const struct arg *a)
{
    int v = 0;
    if (named_value(p, a, options_claim_fail_from, "open or closed", &v) < 0)
        return -1;
    p->o->claim_fail_open = v == 1;
    return 0;
}

static int set_guard(struct parser *p, const struct arg *a)
{
    p->o->guard = a->val;
    return 0;
}

static int set_export(struct parser *p, const struct arg *a)
{
    if (strcmp(a->val, "kubernetes") != 0)
        return fail(p, "%s: expected kubernetes, got '%s'", a->who, a->val);
    return mode_choose(p, a, MODE_EXPORT);
}

static int set_image(struct parser *p, const struct arg *a)
{
    p->o->image = a->val;
    return 0;
}

/* Absolute, like --shell: jobs of every user start there. */
static int set_workdir(struct parser *p, const struct arg *a)
{
    if (a->val[0] != '/')
        return fail(p, "%s: expected an absolute path, got '%s'", a->who, a->val);
    p->o->workdir = a->val;
    return 0;
}

/* The personality is compat_translate's; here the name is only checked
 * (CROND_LITE_COMPAT under crond-lite's own name). */
static int set_compat(struct parser *p, const struct arg *a)
{
    if (compat_from_name(a->val) < 0)
        return fail(p, "%s: expected go-crond or supercronic, got '%s'", a->who, a->val);
    return 0;
}

static int set_percent_newline(struct parser *p, const struct arg *a)
{
    return flag_value(p, a, &p->o->percent_newline);
}

/* The schedules of the fixed run-parts options, by option name. */
static const struct {
    const char *name;
    const char *schedule;
} run_parts_named[] = {
    {"run-parts-1min", "@every 1m"},   {"run-parts-15min", "*/15 * * * *"},
    {"run-parts-hourly", "@hourly"},   {"run-parts-daily", "@daily"},
    {"run-parts-weekly", "@weekly"},   {"run-parts-monthly", "@monthly"},
};

/* "[USER:]DIR" after the schedule is known: a first part without '/' before
 * a colon is a user (go-crond's form); otherwise the whole is the directory. */
static int run_parts_add(struct parser *p, const struct arg *a, const char *schedule,
                         const char *spec)
{
    if (p->o->nrun_parts >= OPTIONS_MAX_FILES)
        return fail(p, "%s: at most %d run-parts directories", a->who, OPTIONS_MAX_FILES);
    struct options_run_parts rp = {schedule, NULL, spec};
    const char *colon = strchr(spec, ':');
    if (colon != NULL && colon > spec && memchr(spec, '/', (size_t)(colon - spec)) == NULL) {
        rp.user = util_arena_strndup(&p->o->owned, spec, (size_t)(colon - spec));
        if (rp.user == NULL)
            return fail(p, "%s: out of memory", a->who);
        rp.dir = colon + 1;
    }
    if (rp.dir[0] == '\0')
        return fail(p, "%s: expected [USER:]DIR, got '%s'", a->who, spec);
    p->o->run_parts[p->o->nrun_parts++] = rp;
    return 0;
}

static int run_parts_named_add(struct parser *p, const struct arg *a, const char *word)
{
    /* a->who is "--run-parts-daily" or "CROND_LITE_RUN_PARTS_DAILY" */
    const char *suffix = strrchr(a->who, a->from_env ? '_' : '-');
    for (size_t i = 0; i < COUNT_OF(run_parts_named); i++)
        if (suffix != NULL && strcasecmp(strrchr(run_parts_named[i].name, '-') + 1, suffix + 1) == 0)
            return run_parts_add(p, a, run_parts_named[i].schedule, word);
    return fail(p, "%s: unknown run-parts option", a->who);
}

static int set_run_parts_named(struct parser *p, const struct arg *a)
{
    return each_word(p, a, run_parts_named_add);
}

/* "DURATION:[USER:]DIR": the jobs run @every DURATION. */
static int run_parts_every_add(struct parser *p, const struct arg *a, const char *word)
{
    const char *colon = strchr(word, ':');
    char derr[128], text[64];
    int64_t ms = 0;
    if (colon == NULL || colon == word || (size_t)(colon - word) >= sizeof text - 8)
        return fail(p, "%s: expected DURATION:[USER:]DIR (e.g. 10m:/etc/cron.10min), got '%s'",
                    a->who, word);
    snprintf(text, sizeof text, "%.*s", (int)(colon - word), word);
    if (duration_parse(text, &ms, derr, sizeof derr) < 0 || ms < 1000 || ms % 1000 != 0)
        return fail(p, "%s: '%s': expected a duration of whole seconds, at least 1s, like 90s, "
                       "5m, 1h30m", a->who, text);
    char every[80];
    snprintf(every, sizeof every, "@every %s", text);
    const char *schedule = util_arena_strndup(&p->o->owned, every, strlen(every));
    if (schedule == NULL)
        return fail(p, "%s: out of memory", a->who);
    return run_parts_add(p, a, schedule, colon + 1);
}

static int set_run_parts_every(struct parser *p, const struct arg *a)
{
    return each_word(p, a, run_parts_every_add);
}

static int set_config(struct parser *p, const struct arg *a)
{
    p->o->config = a->val;
    return 0;
}

/* Only the shape is checked here; the names are looked up when dropping
 * privileges, which is where a missing user can be reported usefully. */
static int set_user(struct parser *p, const struct arg *a)
{
    const char *colon = strchr(a->val, ':');
    if (a->val[0] == ':' || (colon != NULL && (colon[1] == '\0' || strchr(colon + 1, ':'))))
        return fail(p, "%s: expected USER or USER:GROUP (names or numbers), got '%s'", a->who,
                    a->val);
    p->o->user = a->val;
    return 0;
}

static int set_system(struct parser *p, const struct arg *a)
{
    return flag_value(p, a, &p->o->system);
}

/* Absolute, because jobs run with a working directory of the user's home
 * and a PATH that may not be the daemon's. */
static int set_shell(struct parser *p, const struct arg *a)
{
    if (a->val[0] != '/')
        return fail(p, "%s: expected an absolute path, got '%s'", a->who, a->val);
    p->o->shell = a->val;
    return 0;
}

static int set_timezone(struct parser *p, const struct arg *a)
{
    p->o->timezone = a->val;
    return 0;
}

static int set_log_format(struct parser *p, const struct arg *a)
{
    int v = 0;
    if (named_value(p, a, log_format_from, "text or json", &v) < 0)
        return -1;
    p->o->log_format = (enum log_format)v;
    return 0;
}

static int set_log_level(struct parser *p, const struct arg *a)
{
    int v = 0;
    if (named_value(p, a, log_level_from, "error, warn, info or debug", &v) < 0)
        return -1;
    p->o->log_level = (enum log_level)v;
    return 0;
}

static int set_grace(struct parser *p, const struct arg *a)
{
    char derr[128];
    if (duration_parse(a->val, &p->o->grace_ms, derr, sizeof derr) < 0)
        return fail(p, "%s: expected a duration like 90s, 5m, 1h30m: %s", a->who, derr);
    return 0;
}

static int set_overlap(struct parser *p, const struct arg *a)
{
    int v = 0;
    if (named_value(p, a, sched_overlap_from, "skip, allow or queue", &v) < 0)
        return -1;
    p->o->overlap = (enum overlap_policy)v;
    return 0;
}

static int set_clean_env(struct parser *p, const struct arg *a)
{
    return flag_value(p, a, &p->o->clean_env);
}

static int set_no_reload(struct parser *p, const struct arg *a)
{
    return flag_value(p, a, &p->o->no_reload);
}

static int set_no_new_privs(struct parser *p, const struct arg *a)
{
    return flag_value(p, a, &p->o->no_new_privs);
}

static int set_output(struct parser *p, const struct arg *a)
{
    int v = 0;
    if (named_value(p, a, log_output_from, "records or raw", &v) < 0)
        return -1;
    p->o->output = (enum log_output)v;
    return 0;
}

static int set_split_logs(struct parser *p, const struct arg *a)
{
    return flag_value(p, a, &p->o->split_logs);
}

static int set_check(struct parser *p, const struct arg *a)
{
    bool on = false;
    if (flag_value(p, a, &on) < 0)
        return -1;
    return on ? mode_choose(p, a, MODE_CHECK) : 0;
}

static int set_list(struct parser *p, const struct arg *a)
{
    bool on = false;
    if (flag_value(p, a, &on) < 0)
        return -1;
    return on ? mode_choose(p, a, MODE_LIST) : 0;
}

/* The expression is parsed by the caller, which owns cronspec and zones. */
static int set_next(struct parser *p, const struct arg *a)
{
    p->o->next_expr = a->val;
    return mode_choose(p, a, MODE_NEXT);
}

/* The address is --listen's, known only after the INI file is read. */
static int set_probe(struct parser *p, const struct arg *a)
{
    if (a->val[0] != '/')
        return fail(p, "%s: expected a path such as /healthz, got '%s'", a->who, a->val);
    p->o->probe_path = a->val;
    return mode_choose(p, a, MODE_PROBE);
}

static int set_from(struct parser *p, const struct arg *a)
{
    p->o->from = a->val;
    return 0;
}

static int set_tz(struct parser *p, const struct arg *a)
{
    p->o->tz = a->val;
    return 0;
}

static int set_count(struct parser *p, const struct arg *a)
{
    const char *s = a->val;
    long v = 0;
    for (; *s >= '0' && *s <= '9' && v <= COUNT_MAX; s++)
        v = v * 10 + (*s - '0');
    if (*s != '\0' || v < 1 || v > COUNT_MAX)
        return fail(p, "%s: expected a number from 1 to %d, got '%s'", a->who, COUNT_MAX, a->val);
    p->o->count = (int)v;
    return 0;
}

static int set_version(struct parser *p, const struct arg *a)
{
    (void)a;
    p->version = true;
    return 0;
}

static int set_help(struct parser *p, const struct arg *a)
{
    (void)a;
    p->help = true;
    return 0;
}

/* ---------------------------------------------------------------- table -- */

/* Fields in the order of the table's columns, padding and all (23 rows).
 * NOLINTNEXTLINE(clang-analyzer-optin.performance.Padding) */
struct option_spec {
    const char *name;    /* long name, without "--" */
    char letter;         /* short option, or 0 */
    const char *metavar; /* the argument, for messages; NULL: a flag */
    const char *env;     /* CROND_LITE_<NAME>, or NULL (-h, -V) */
    unsigned set_bit;    /* enum options_set_bit, or 0 */
    bool mode;           /* selects the mode (see mode_choose) */
    option_setter set;
};

/* Variable names are spelled out, not derived, so that grep finds them;
 * tests check they follow the CROND_LITE_<LONG NAME> rule. */
static const struct option_spec specs[] = {
    {"file", 'f', "PATH", "CROND_LITE_FILE", OPT_SET_FILES, false, set_file},
    {"config", 'c', "FILE", "CROND_LITE_CONFIG", OPT_SET_CONFIG, false, set_config},
    {"user", 'u', "USER[:GROUP]", "CROND_LITE_USER", OPT_SET_USER, false, set_user},
    {"system", 0, NULL, "CROND_LITE_SYSTEM", OPT_SET_SYSTEM, false, set_system},
    {"system-file", 'F', "PATH", "CROND_LITE_SYSTEM_FILE", OPT_SET_SYSTEM_FILES, false,
     set_system_file},
    {"percent-newline", 0, NULL, "CROND_LITE_PERCENT_NEWLINE", OPT_SET_PERCENT_NEWLINE, false,
     set_percent_newline},
    {"run-parts", 0, "DURATION:[USER:]DIR", "CROND_LITE_RUN_PARTS", OPT_SET_RUN_PARTS, false,
     set_run_parts_every},
    {"run-parts-1min", 0, "[USER:]DIR", "CROND_LITE_RUN_PARTS_1MIN", OPT_SET_RUN_PARTS, false,
     set_run_parts_named},
    {"run-parts-15min", 0, "[USER:]DIR", "CROND_LITE_RUN_PARTS_15MIN", OPT_SET_RUN_PARTS, false,
     set_run_parts_named},
    {"run-parts-hourly", 0, "[USER:]DIR", "CROND_LITE_RUN_PARTS_HOURLY", OPT_SET_RUN_PARTS, false,
     set_run_parts_named},
    {"run-parts-daily", 0, "[USER:]DIR", "CROND_LITE_RUN_PARTS_DAILY", OPT_SET_RUN_PARTS, false,
     set_run_parts_named},
    {"run-parts-weekly", 0, "[USER:]DIR", "CROND_LITE_RUN_PARTS_WEEKLY", OPT_SET_RUN_PARTS, false,
     set_run_parts_named},
    {"run-parts-monthly", 0, "[USER:]DIR", "CROND_LITE_RUN_PARTS_MONTHLY", OPT_SET_RUN_PARTS,
     false, set_run_parts_named},
    {"shell", 's', "PATH", "CROND_LITE_SHELL", OPT_SET_SHELL, false, set_shell},
    {"timezone", 'z', "ZONE", "CROND_LITE_TIMEZONE", OPT_SET_TIMEZONE, false, set_timezone},
    {"log-format", 0, "FORMAT", "CROND_LITE_LOG_FORMAT", OPT_SET_LOG_FORMAT, false, set_log_format},
    {"log-level", 0, "LEVEL", "CROND_LITE_LOG_LEVEL", OPT_SET_LOG_LEVEL, false, set_log_level},
    {"grace", 0, "DURATION", "CROND_LITE_GRACE", OPT_SET_GRACE, false, set_grace},
    {"overlap", 0, "POLICY", "CROND_LITE_OVERLAP", OPT_SET_OVERLAP, false, set_overlap},
    {"clean-env", 0, NULL, "CROND_LITE_CLEAN_ENV", OPT_SET_CLEAN_ENV, false, set_clean_env},
    {"no-reload", 0, NULL, "CROND_LITE_NO_RELOAD", OPT_SET_NO_RELOAD, false, set_no_reload},
    {"no-new-privs", 0, NULL, "CROND_LITE_NO_NEW_PRIVS", OPT_SET_NO_NEW_PRIVS, false,
     set_no_new_privs},
    {"output", 0, "MODE", "CROND_LITE_OUTPUT", OPT_SET_OUTPUT, false, set_output},
    {"split-logs", 0, NULL, "CROND_LITE_SPLIT_LOGS", OPT_SET_SPLIT_LOGS, false, set_split_logs},
    {"listen", 0, "ADDR", "CROND_LITE_LISTEN", OPT_SET_LISTEN, false, set_listen},
    {"on-failure", 0, "CMD", "CROND_LITE_ON_FAILURE", OPT_SET_ON_FAILURE, false, set_on_failure},
    {"on-success", 0, "CMD", "CROND_LITE_ON_SUCCESS", OPT_SET_ON_SUCCESS, false, set_on_success},
    {"working-directory", 0, "DIR", "CROND_LITE_WORKING_DIRECTORY", OPT_SET_WORKDIR, false,
     set_workdir},
    {"compat", 0, "NAME", "CROND_LITE_COMPAT", 0, false, set_compat},
    {"claim", 0, "URL", "CROND_LITE_CLAIM", OPT_SET_CLAIM, false, set_claim},
    {"claim-fail", 0, "open|closed", "CROND_LITE_CLAIM_FAIL", OPT_SET_CLAIM_FAIL, false,
     set_claim_fail},
    {"guard", 0, "CMD", "CROND_LITE_GUARD", OPT_SET_GUARD, false, set_guard},
    {"export", 0, "kubernetes", "CROND_LITE_EXPORT", 0, true, set_export},
    {"image", 0, "IMAGE", "CROND_LITE_IMAGE", OPT_SET_IMAGE, false, set_image},
    {"check", 'n', NULL, "CROND_LITE_CHECK", 0, true, set_check},
    {"list", 'l', NULL, "CROND_LITE_LIST", 0, true, set_list},
    {"next", 0, "EXPR", "CROND_LITE_NEXT", 0, true, set_next},
    {"probe", 0, "PATH", "CROND_LITE_PROBE", 0, true, set_probe},
    {"from", 0, "TIME", "CROND_LITE_FROM", OPT_SET_FROM, false, set_from},
    {"tz", 0, "ZONE", "CROND_LITE_TZ", OPT_SET_TZ, false, set_tz},
    {"count", 0, "N", "CROND_LITE_COUNT", OPT_SET_COUNT, false, set_count},
    {"version", 'V', NULL, NULL, 0, false, set_version},
    {"help", 'h', NULL, NULL, 0, false, set_help},
};

_Static_assert(COUNT_OF(specs) <= sizeof(uint64_t) * 8, "cli_given has one bit per option");

static const struct option_spec *spec_by_name(const char *name, size_t len)
{
    for (size_t i = 0; i < COUNT_OF(specs); i++)
        if (strlen(specs[i].name) == len && memcmp(specs[i].name, name, len) == 0)
            return &specs[i];
    return NULL;
}

static const struct option_spec *spec_by_letter(char c)
{
    for (size_t i = 0; i < COUNT_OF(specs); i++)
        if (specs[i].letter != 0 && specs[i].letter == c)
            return &specs[i];
    return NULL;
}

/* --------------------------------------------------------------- driver -- */

static int option_apply(struct parser *p, const struct option_spec *sp, const char *val,
                        bool from_env)
{
    struct arg a = {.val = val, .from_env = from_env};
    if (from_env) {
        snprintf(a.who, sizeof a.who, "%s", sp->env);
    } else {
        snprintf(a.who, sizeof a.who, "--%s", sp->name);
        p->cli_given |= UINT64_C(1) << (sp - specs);
        p->cli_set |= sp->set_bit;
    }
    if (sp->metavar != NULL && val[0] == '\0')
        return fail(p, "%s: expected %s, got an empty value", a.who, sp->metavar);
    if (sp->set(p, &a) < 0)
        return -1;
    p->o->set |= sp->set_bit;
    return 0;
}

static int value_missing(struct parser *p, const struct option_spec *sp)
{
    return fail(p, "--%s needs an argument %s (see --help)", sp->name, sp->metavar);
}

/* Returns the index of the next argument to read. */
static int long_parse(struct parser *p, int argc, char *const argv[], int i, const char *s)
{
    const char *eq = strchr(s, '=');
    size_t len = eq != NULL ? (size_t)(eq - s) : strlen(s);
    const struct option_spec *sp = spec_by_name(s, len);
    if (sp == NULL) {
        const char *hint = compat_hint(s - 2);
        if (hint != NULL)
            fail(p, "unknown option '--%.*s': %s (see --help)", (int)len, s, hint);
        else
            fail(p, "unknown option '--%.*s' (see --help)", (int)len, s);
        return i;
    }
    if (sp->metavar == NULL) {
        if (eq != NULL)
            fail(p, "--%s takes no value (see --help)", sp->name);
        else
            option_apply(p, sp, NULL, false);
        return i;
    }
    if (eq != NULL) {
        option_apply(p, sp, eq + 1, false);
        return i;
    }
    if (i >= argc) {
        value_missing(p, sp);
        return i;
    }
    option_apply(p, sp, argv[i], false);
    return i + 1;
}

/* A cluster of short options ("-nl", "-fPATH", "-f PATH"): an option with an
 * argument takes the rest of the cluster, or the next argument. */
static int short_parse(struct parser *p, int argc, char *const argv[], int i, const char *s)
{
    for (; *s != '\0'; s++) {
        const struct option_spec *sp = spec_by_letter(*s);
        if (sp == NULL) {
            fail(p, "unknown option '-%c' (see --help)", *s);
            return i;
        }
        if (sp->metavar == NULL) {
            option_apply(p, sp, NULL, false);
            continue;
        }
        if (s[1] != '\0') {
            option_apply(p, sp, s + 1, false);
            return i;
        }
        if (i >= argc) {
            value_missing(p, sp);
            return i;
        }
        option_apply(p, sp, argv[i], false);
        return i + 1;
    }
    return i;
}

/* Errors do not stop the scan: a later --help must still be seen. */
static void argv_parse(struct parser *p, int argc, char *const argv[])
{
    int i = 1;
    while (i < argc) {
        const char *s = argv[i++];
        if (strcmp(s, "--") == 0) {
            if (i < argc)
                fail(p, "unexpected argument '%s' (crontabs are given with -f; see --help)",
                     argv[i]);
            return;
        }
        const char *hint = s[0] != '-' || s[1] != '-' ? compat_hint(s) : NULL;
        if (s[0] == '-' && s[1] == '-')
            i = long_parse(p, argc, argv, i, s + 2);
        else if (hint != NULL && s[0] == '-') /* "-json" is not "-j -s -o -n" */
            fail(p, "unknown option '%.*s': %s (see --help)", (int)strcspn(s, "="), s, hint);
        else if (s[0] == '-' && s[1] != '\0')
            i = short_parse(p, argc, argv, i, s + 1);
        else
            fail(p, "unexpected argument '%s': %s (see --help)", s,
                 hint != NULL ? hint : "crontabs are given with -f");
    }
}

static void env_parse(struct parser *p, char *const envp[])
{
    for (size_t i = 0; i < COUNT_OF(specs) && !p->failed; i++) {
        const struct option_spec *sp = &specs[i];
        if (sp->env == NULL || (p->cli_given & (UINT64_C(1) << i)) || (sp->mode && p->mode_from_cli))
            continue;
        const char *val = util_env_get(envp, sp->env);
        if (val != NULL && val[0] != '\0')
            option_apply(p, sp, val, true);
    }
}

/* Only what the command line says is checked: see the file comment. */
static void mode_check(struct parser *p)
{
    enum options_mode m = p->o->mode;
    if ((p->cli_set & OPT_SET_FROM) && m != MODE_NEXT)
        fail(p, "--from needs --next (see --help)");
    else if ((p->cli_set & OPT_SET_TZ) && m != MODE_NEXT)
        fail(p, "--tz needs --next; the daemon's zone is --timezone (see --help)");
    else if ((p->cli_set & OPT_SET_COUNT) && m != MODE_LIST && m != MODE_NEXT)
        fail(p, "--count needs --list or --next (see --help)");
    else if ((p->cli_set & OPT_SET_IMAGE) && m != MODE_EXPORT)
        fail(p, "--image needs --export kubernetes (see --help)");
}

static void options_defaults(struct options *o)
{
    memset(o, 0, sizeof *o);
    o->mode = MODE_DAEMON;
    o->shell = "/bin/sh";
    o->log_format = LOG_FORMAT_TEXT;
    o->log_level = LOG_LEVEL_INFO;
    o->grace_ms = 9000;
    o->overlap = OVERLAP_SKIP;
    o->output = LOG_OUTPUT_RECORDS;
    o->count = 5;
}

/* On failure nothing stays allocated, so the caller need not call
 * options_free (doing so anyway is harmless). */
int options_parse(int argc, char *const argv[], char *const envp[], struct options *out,
                  char *err, size_t errlen)
{
    struct parser p = {.o = out, .err = err, .errlen = errlen};
    options_defaults(out);
    if (err != NULL && errlen > 0)
        err[0] = '\0';
    argv_parse(&p, argc, argv);
    if (p.help || p.version) {
        out->mode = p.help ? MODE_HELP : MODE_VERSION;
        if (err != NULL && errlen > 0)
            err[0] = '\0';
        return 0;
    }
    if (!p.failed)
        env_parse(&p, envp);
    if (!p.failed)
        mode_check(&p);
    if (p.failed) {
        options_free(out);
        return -1;
    }
    return 0;
}

void options_free(struct options *o)
{
    if (o == NULL)
        return;
    if (o->env_files != NULL)
        o->nfiles = 0; /* the paths pointed into env_files */
    free(o->env_files);
    o->env_files = NULL;
    util_arena_free(&o->owned);
    o->nsystem_files = 0; /* some pointed into it */
    o->nrun_parts = 0;
}

/* ----------------------------------------------------------------- help -- */

static const char usage_text[] =
    "Usage: crond-lite [OPTIONS]              run the scheduler in the foreground\n"
    "       crond-lite --check [OPTIONS]      parse everything, print problems, exit\n"
    "       crond-lite --list [--count N] [OPTIONS]\n"
    "                                         print every job's next N fire times\n"
    "       crond-lite --next EXPR [--from TIME] [--tz ZONE] [--count N]\n"
    "                                         print the next fire times of EXPR\n"
    "\n"
    "Options (defaults in brackets):\n"
    "  -f, --file PATH          crontab file or directory, repeatable [/etc/crontabs]\n"
    "  -c, --config FILE        INI configuration file [none]\n"
    "  -u, --user USER[:GROUP]  when started as root, drop to this user first\n"
    "      --system             -f crontab lines carry a user column [off]\n"
    "  -F, --system-file PATH   crontab file or directory whose lines carry a user\n"
    "                           column (/etc/crontab format), repeatable [none]\n"
    "      --percent-newline    a '%' ends a command; the rest is its input [off]\n"
    "      --run-parts-1min [USER:]DIR   every executable in DIR is a job run\n"
    "      --run-parts-15min [USER:]DIR  every minute, 15 minutes, hour, day,\n"
    "      --run-parts-hourly [USER:]DIR week or month, repeatable [none]\n"
    "      --run-parts-daily [USER:]DIR\n"
    "      --run-parts-weekly [USER:]DIR\n"
    "      --run-parts-monthly [USER:]DIR\n"
    "      --run-parts DURATION:[USER:]DIR  the same, every DURATION\n"
    "  -s, --shell PATH         absolute path of the shell running jobs [/bin/sh]\n"
    "  -z, --timezone ZONE      zone of schedules without CRON_TZ [$TZ, else system]\n"
    "      --log-format FORMAT  text or json [text]\n"
    "      --log-level LEVEL    error, warn, info or debug [info]\n"
    "      --grace DURATION     on stop, time from SIGTERM to SIGKILL [9s]\n"
    "      --overlap POLICY     skip, allow or queue a job due while running [skip]\n"
    "      --clean-env          jobs get only the crontab's variables plus HOME,\n"
    "                           USER, LOGNAME, SHELL, PATH [off: they inherit]\n"
    "      --no-reload          do not watch crontab files for changes [watch]\n"
    "      --no-new-privs       jobs cannot gain privileges (setuid programs,\n"
    "                           file capabilities, sudo) [off]\n"
    "      --output MODE        records (each job line a job.output record) or raw\n"
    "                           (job lines as written: stdout to stdout, stderr to\n"
    "                           stderr) [records]\n"
    "      --split-logs         records at warn and above, and job stderr, go to\n"
    "                           stderr [off: all to stdout]\n"
    "      --listen ADDR        serve /metrics, /healthz, /readyz over HTTP on ADDR\n"
    "                           (:9746, 127.0.0.1:9746, [::]:9746) [off]\n"
    "      --on-failure CMD     run CMD with the shell after a run fails [none]\n"
    "      --on-success CMD     run CMD with the shell after a run succeeds [none]\n"
    "      --working-directory DIR  jobs start in DIR [the user's home, else /]\n"
    "      --compat NAME        read go-crond's or supercronic's command line and\n"
    "                           variables (as when run under that name) [none]\n"
    "      --claim URL          run each due run on one replica only: claim it in\n"
    "                           redis://[:PASSWORD@]HOST[:PORT][/DB] first [off]\n"
    "      --claim-fail MODE    closed (skip) or open (run) when the store is down\n"
    "                           [closed]\n"
    "      --guard CMD          run CMD before each run: exit 0 runs it, 1 skips it\n"
    "                           [none]\n"
    "  -n, --check              validate; print FILE:LINE:COL: message; exit 0 or 1\n"
    "  -l, --list               print each job's next --count fire times\n"
    "      --next EXPR          print the next --count fire times of EXPR\n"
    "      --export kubernetes  print a batch/v1 CronJob manifest per job; exit 1\n"
    "                           when a job cannot be one (the reasons on stderr)\n"
    "      --image IMAGE        the CronJobs' image [debian:bookworm-slim]\n"
    "      --probe PATH         GET PATH from the running daemon's --listen\n"
    "                           address; exit 0 on 200 (a container healthcheck)\n"
    "      --from TIME          start for --next, e.g. 2026-03-08T01:30:00 [now]\n"
    "      --tz ZONE            zone of --next and --from [as for --timezone]\n"
    "      --count N            times --list and --next print, 1-100000 [5]\n"
    "  -V, --version            print the version and exit\n"
    "  -h, --help               print this help and exit\n"
    "\n"
    "Durations: 90s, 5m, 1h30m, 250ms, or plain seconds.\n"
    "Every option but -V and -h can also be set with CROND_LITE_<OPTION> (upper\n"
    "case, '-' as '_'), e.g. CROND_LITE_LOG_FORMAT=json; flags take 1/0, true/false,\n"
    "yes/no, on/off; CROND_LITE_FILE takes several paths separated by spaces.\n"
    "The command line wins over the environment, which wins over the INI file.\n"
    "Exit status: 0 ok, 1 invalid configuration or problems found, 2 usage error.\n";

const char *options_usage(void)
{
    return usage_text;
}
