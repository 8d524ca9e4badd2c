/* fuzz_options: options_parse on a command line and CROND_LITE_* variables,
 * then options_free. See README.md.
 *
 * Input: byte 0, low 7 bits: how many words go to argv (after argv[0],
 * "crond-lite"); the rest go to envp, each prefixed with "CROND_LITE_"
 * unless bit 7 is set. The other bytes are the words, split at NUL bytes
 * (at most MAX_WORDS), each passed as an exact-size heap copy.
 *
 * Properties:
 * - the return value is 0 or -1; -1 comes with a message starting
 *   "crond-lite: " and leaves nothing allocated; 0 with an empty message;
 * - on success: the mode and the enums are in range, 1 <= count <= 100000,
 *   grace >= 0, nfiles <= OPTIONS_MAX_FILES, every path non-empty (and
 *   blank-free when it came from CROND_LITE_FILE); the shell is absolute;
 *   a user is USER or USER:GROUP; every string points into an argv word or
 *   a variable's value (paths also into the copy of CROND_LITE_FILE), or
 *   is the default; --next's expression is there exactly in MODE_NEXT; no
 *   unknown `set` bit, and every option whose bit is clear has its default;
 * - the command line wins: --help and --version on it give that mode
 *   whatever the environment; when the command line alone (no envp) parses
 *   too, every option it sets, and a mode it chooses, is the same with the
 *   environment;
 * - argv and envp are left as they were; options_free (twice) frees
 *   everything (LeakSanitizer) and clears the owned copy.
 */
#include <stdbool.h>

#include "crond/options.h"
#include "fuzz.h"

#define MAX_WORDS 256
#define PREFIX "CROND_LITE_"
#define ALL_SET_BITS 0x1fffffffu /* enum options_set_bit */

struct words {
    char *v[MAX_WORDS + 2]; /* NULL-terminated; argv has "crond-lite" first */
    size_t n;
};

static char *word_dup(const char *prefix, const uint8_t *p, size_t len)
{
    size_t k = strlen(prefix);
    char *w = malloc(k + len + 1);
    CHECK(w != NULL);
    memcpy(w, prefix, k);
    if (len > 0)
        memcpy(w + k, p, len);
    w[k + len] = '\0';
    return w;
}

/* Splits data at NUL bytes: the first nargv words to argv, the rest to
 * envp. */
static void words_split(const uint8_t *data, size_t size, size_t nargv, bool verbatim,
                        struct words *argv, struct words *envp)
{
    argv->n = envp->n = 0;
    argv->v[argv->n++] = word_dup("crond-lite", NULL, 0);
    size_t start = 0, nwords = 0;
    for (size_t i = 0; size > 0 && i <= size && nwords < MAX_WORDS; i++) {
        if (i < size && data[i] != '\0')
            continue;
        const uint8_t *w = data + start;
        if (nwords++ < nargv)
            argv->v[argv->n++] = word_dup("", w, i - start);
        else
            envp->v[envp->n++] = word_dup(verbatim ? "" : PREFIX, w, i - start);
        start = i + 1;
    }
    argv->v[argv->n] = envp->v[envp->n] = NULL;
}

static void words_free(struct words *w)
{
    for (size_t i = 0; i < w->n; i++)
        free(w->v[i]);
}

/* p lies within one of the words (terminator included). */
static bool points_into(const char *p, const struct words *w)
{
    for (size_t i = 0; i < w->n; i++)
        if (p >= w->v[i] && p <= w->v[i] + strlen(w->v[i]))
            return true;
    return false;
}

/* The value of CROND_LITE_FILE as options_parse looks it up, or NULL. */
static const char *env_files_value(const struct words *envp)
{
    static const char name[] = PREFIX "FILE=";
    for (size_t i = 0; i < envp->n; i++)
        if (strncmp(envp->v[i], name, sizeof name - 1) == 0)
            return envp->v[i] + sizeof name - 1;
    return NULL;
}

static void check_string(const char *what, const char *s, const struct words *argv,
                         const struct words *envp)
{
    if (s == NULL)
        return;
    CHECKF(s[0] != '\0', "%s empty", what);
    CHECKF(points_into(s, argv) || points_into(s, envp), "%s '%s' from nowhere", what, s);
}

static void check_files(const struct options *o, const struct words *argv,
                        const struct words *envp)
{
    const char *env = env_files_value(envp);
    CHECKF(o->nfiles <= OPTIONS_MAX_FILES, "%zu files", o->nfiles);
    for (size_t i = 0; i < o->nfiles; i++) {
        const char *f = o->files[i];
        CHECK(f != NULL && f[0] != '\0');
        bool copied = o->env_files != NULL && env != NULL && f >= o->env_files
                   && f < o->env_files + strlen(env);
        CHECKF(copied || points_into(f, argv), "path '%s' from nowhere", f);
        if (copied)
            CHECKF(strpbrk(f, " \t\n") == NULL, "path '%s' from CROND_LITE_FILE has a blank", f);
    }
}

static void check_user(const char *u)
{
    if (u == NULL)
        return;
    const char *colon = strchr(u, ':');
    CHECKF(u[0] != ':' && (colon == NULL || (colon[1] != '\0' && strchr(colon + 1, ':') == NULL)),
           "user '%s'", u);
}

/* Each option whose bit is clear has the default's value. */
static void check_defaults(const struct options *o, const struct options *d)
{
    unsigned s = o->set;
    CHECK((s & ~ALL_SET_BITS) == 0);
    CHECK((s & OPT_SET_FILES) || o->nfiles == d->nfiles);
    CHECK((s & OPT_SET_CONFIG) || o->config == NULL);
    CHECK((s & OPT_SET_USER) || o->user == NULL);
    CHECK((s & OPT_SET_SYSTEM) || o->system == d->system);
    CHECK((s & OPT_SET_SHELL) || o->shell == d->shell);
    CHECK((s & OPT_SET_TIMEZONE) || o->timezone == NULL);
    CHECK((s & OPT_SET_LOG_FORMAT) || o->log_format == d->log_format);
    CHECK((s & OPT_SET_LOG_LEVEL) || o->log_level == d->log_level);
    CHECK((s & OPT_SET_GRACE) || o->grace_ms == d->grace_ms);
    CHECK((s & OPT_SET_OVERLAP) || o->overlap == d->overlap);
    CHECK((s & OPT_SET_CLEAN_ENV) || o->clean_env == d->clean_env);
    CHECK((s & OPT_SET_NO_RELOAD) || o->no_reload == d->no_reload);
    CHECK((s & OPT_SET_NO_NEW_PRIVS) || o->no_new_privs == d->no_new_privs);
    CHECK((s & OPT_SET_OUTPUT) || o->output == d->output);
    CHECK((s & OPT_SET_SPLIT_LOGS) || o->split_logs == d->split_logs);
    CHECK((s & OPT_SET_SYSTEM_FILES) || o->nsystem_files == 0);
    CHECK((s & OPT_SET_RUN_PARTS) || o->nrun_parts == 0);
    CHECK((s & OPT_SET_PERCENT_NEWLINE) || o->percent_newline == d->percent_newline);
    CHECK((s & OPT_SET_LISTEN) || o->listen == NULL);
    CHECK((s & OPT_SET_ON_FAILURE) || o->on_failure == NULL);
    CHECK((s & OPT_SET_ON_SUCCESS) || o->on_success == NULL);
    CHECK((s & OPT_SET_WORKDIR) || o->workdir == NULL);
    CHECK((s & OPT_SET_CLAIM) || o->claim == NULL);
    CHECK((s & OPT_SET_CLAIM_FAIL) || o->claim_fail_open == d->claim_fail_open);
    CHECK((s & OPT_SET_GUARD) || o->guard == NULL);
    CHECK((s & OPT_SET_IMAGE) || o->image == NULL);
    CHECK((s & OPT_SET_COUNT) || o->count == d->count);
    CHECK((s & OPT_SET_FROM) || o->from == NULL);
    CHECK((s & OPT_SET_TZ) || o->tz == NULL);
}

static void check_success(const struct options *o, const struct options *d,
                          const struct words *argv, const struct words *envp)
{
    CHECKF((int)o->mode >= MODE_DAEMON && o->mode <= MODE_HELP, "mode %d", (int)o->mode);
    CHECK((int)o->log_format >= 0 && o->log_format <= LOG_FORMAT_JSON);
    CHECK((int)o->log_level >= 0 && o->log_level <= LOG_LEVEL_DEBUG);
    CHECK((int)o->overlap >= 0 && o->overlap <= OVERLAP_QUEUE);
    CHECK((int)o->output >= 0 && o->output <= LOG_OUTPUT_RAW);
    CHECKF(o->count >= 1 && o->count <= 100000, "count %d", o->count);
    CHECKF(o->grace_ms >= 0, "grace %lld", (long long)o->grace_ms);
    check_files(o, argv, envp);
    CHECK(o->shell != NULL && o->shell[0] == '/');
    CHECK(o->workdir == NULL || o->workdir[0] == '/');
    if (o->shell != d->shell)
        check_string("shell", o->shell, argv, envp);
    check_string("user", o->user, argv, envp);
    check_user(o->user);
    check_string("config", o->config, argv, envp);
    check_string("timezone", o->timezone, argv, envp);
    check_string("next", o->next_expr, argv, envp);
    check_string("from", o->from, argv, envp);
    check_string("tz", o->tz, argv, envp);
    if (o->mode != MODE_HELP && o->mode != MODE_VERSION)
        CHECKF((o->next_expr != NULL) == (o->mode == MODE_NEXT), "mode %d, next '%s'",
               (int)o->mode, o->next_expr ? o->next_expr : "(null)");
    check_defaults(o, d);
}

/* What the command line set alone (c) stays so with the environment (o). */
static void check_cli_wins(const struct options *o, const struct options *c)
{
    unsigned s = c->set;
    CHECKF((o->set & s) == s, "set %#x, command line alone %#x", o->set, s);
    if (c->mode != MODE_DAEMON)
        CHECK(o->mode == c->mode);
    CHECK(!(s & OPT_SET_FILES) || (o->nfiles == c->nfiles
                                   && memcmp(o->files, c->files, c->nfiles * sizeof *c->files) == 0));
    CHECK(!(s & OPT_SET_CONFIG) || o->config == c->config);
    CHECK(!(s & OPT_SET_USER) || o->user == c->user);
    CHECK(!(s & OPT_SET_SYSTEM) || o->system == c->system);
    CHECK(!(s & OPT_SET_SHELL) || o->shell == c->shell);
    CHECK(!(s & OPT_SET_TIMEZONE) || o->timezone == c->timezone);
    CHECK(!(s & OPT_SET_LOG_FORMAT) || o->log_format == c->log_format);
    CHECK(!(s & OPT_SET_LOG_LEVEL) || o->log_level == c->log_level);
    CHECK(!(s & OPT_SET_GRACE) || o->grace_ms == c->grace_ms);
    CHECK(!(s & OPT_SET_OVERLAP) || o->overlap == c->overlap);
    CHECK(!(s & OPT_SET_CLEAN_ENV) || o->clean_env == c->clean_env);
    CHECK(!(s & OPT_SET_NO_RELOAD) || o->no_reload == c->no_reload);
    CHECK(!(s & OPT_SET_NO_NEW_PRIVS) || o->no_new_privs == c->no_new_privs);
    CHECK(!(s & OPT_SET_OUTPUT) || o->output == c->output);
    CHECK(!(s & OPT_SET_SPLIT_LOGS) || o->split_logs == c->split_logs);
    CHECK(!(s & OPT_SET_COUNT) || o->count == c->count);
    CHECK(!(s & OPT_SET_FROM) || o->from == c->from);
    CHECK(!(s & OPT_SET_TZ) || o->tz == c->tz);
    if (c->mode == MODE_NEXT)
        CHECK(o->next_expr == c->next_expr);
}

/* Runs options_parse; checks the return value and the message. */
static int parse(const struct words *argv, const struct words *envp, struct options *o)
{
    char err[512];
    memset(err, 'x', sizeof err);
    int rc = options_parse((int)argv->n, argv->v, envp ? envp->v : NULL, o, err, sizeof err);
    CHECKF(rc == 0 || rc == -1, "rc %d", rc);
    if (rc == 0) {
        CHECKF(err[0] == '\0', "success with message '%.*s'", (int)sizeof err - 1, err);
    } else {
        CHECK(memchr(err, '\0', sizeof err) != NULL);
        CHECKF(strncmp(err, "crond-lite: ", 12) == 0 && err[12] != '\0', "message '%s'", err);
        CHECK(o->env_files == NULL);
    }
    return rc;
}

static void options_free_twice(struct options *o)
{
    options_free(o);
    CHECK(o->env_files == NULL);
    options_free(o);
}

static bool words_equal(const struct words *a, const struct words *b)
{
    if (a->n != b->n)
        return false;
    for (size_t i = 0; i < a->n; i++)
        if (strcmp(a->v[i], b->v[i]) != 0)
            return false;
    return true;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const struct words bare = {{"crond-lite", NULL}, 1};
    struct words argv, envp, argv0, envp0;
    struct options o, cli, def;
    if (size == 0)
        return 0;
    words_split(data + 1, size - 1, data[0] & 0x7f, data[0] & 0x80, &argv, &envp);
    words_split(data + 1, size - 1, data[0] & 0x7f, data[0] & 0x80, &argv0, &envp0);
    CHECK(parse(&bare, NULL, &def) == 0);
    int rc = parse(&argv, &envp, &o);
    int rc_cli = parse(&argv, NULL, &cli);
    if (rc == 0)
        check_success(&o, &def, &argv, &envp);
    if (rc_cli == 0 && (cli.mode == MODE_HELP || cli.mode == MODE_VERSION))
        CHECKF(rc == 0 && o.mode == cli.mode, "rc %d, mode %d with the environment", rc,
               (int)o.mode);
    if (rc == 0 && (o.mode == MODE_HELP || o.mode == MODE_VERSION))
        CHECK(rc_cli == 0 && cli.mode == o.mode);
    if (rc == 0 && rc_cli == 0)
        check_cli_wins(&o, &cli);
    CHECK(words_equal(&argv, &argv0) && words_equal(&envp, &envp0));
    options_free_twice(&o);
    options_free_twice(&cli);
    options_free_twice(&def);
    words_free(&argv);
    words_free(&envp);
    words_free(&argv0);
    words_free(&envp0);
    return 0;
}
