/* compat: go-crond's and supercronic's command lines as crond-lite's own
 * (see compat.h).
 *
 * Each personality is a table of the peer's flags (peer_flag) and a writer
 * that turns what was read (struct seen) into native words. Reading is
 * done whole before writing, because a flag may depend on a later one
 * (go-crond's --default-user names the user of every run-parts directory
 * given before it).
 *
 * Decisions a user sees (README "Coming from go-crond / supercronic"):
 * - go-crond: go-flags syntax: --name=value, --name value, -v, -V, -h;
 *   arguments anywhere; "--" ends the flags. Its variables (VERBOSE,
 *   LOG_JSON, SERVER_*) count when the flag is not on the command line.
 * - supercronic: Go's flag syntax: -name or --name, -name=value or
 *   -name value; a bool takes -name=false; the flags end at the first
 *   argument or at "--". Exactly one CRONTAB.
 * - Bool values are Go's: 1, t, true, 0, f, false (any case).
 * - Errors are usage errors (exit 2), named after the peer's flag.
 */
#include "crond/compat.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include "crond/duration.h"
#include "crond/netaddr.h"

#define SUPERCRONIC_PORT "9746"
#define MAX_ITEMS 256 /* repeatable flags and arguments, in order */

/* ------------------------------------------------------------- tables -- */

enum flag_id {
    F_HELP, F_VERSION,
    /* go-crond */
    G_DUMPVERSION, G_DEFAULT_USER, G_INCLUDE, G_AUTO, G_RUN_PARTS, G_RP_1MIN, G_RP_15MIN,
    G_RP_HOURLY, G_RP_DAILY, G_RP_WEEKLY, G_RP_MONTHLY, G_ALLOW_UNPRIVILEGED, G_WORKDIR,
    G_VERBOSE, G_LOG_JSON, G_SERVER_BIND, G_TIMEOUT_READ, G_TIMEOUT_WRITE, G_SERVER_METRICS,
    /* supercronic */
    S_DEBUG, S_QUIET, S_JSON, S_TEST, S_INOTIFY, S_NO_REAP, S_OVERLAPPING, S_SPLIT_LOGS,
    S_PASSTHROUGH, S_PROMETHEUS, S_SENTRY_DSN, S_SENTRY_ALIAS, S_SENTRY_ENV, S_SENTRY_RELEASE,
    F_ARG, /* a positional argument */
    NFLAGS
};

struct peer_flag {
    const char *name;   /* without dashes */
    const char *env;    /* go-crond's variable, or NULL */
    enum flag_id id;
    char letter;        /* go-crond's short form, or 0 */
    bool value;         /* takes a value (else a bool) */
    bool repeat;        /* each use counts (else the last wins) */
};

static const struct peer_flag go_crond_flags[] = {
    {"version", NULL, F_VERSION, 'V', false, false},
    {"dumpversion", NULL, G_DUMPVERSION, 0, false, false},
    {"help", NULL, F_HELP, 'h', false, false},
    {"default-user", NULL, G_DEFAULT_USER, 0, true, false},
    {"include", NULL, G_INCLUDE, 0, true, true},
    {"auto", NULL, G_AUTO, 0, false, false},
    {"run-parts", NULL, G_RUN_PARTS, 0, true, true},
    {"run-parts-1min", NULL, G_RP_1MIN, 0, true, true},
    {"run-parts-15min", NULL, G_RP_15MIN, 0, true, true},
    {"run-parts-hourly", NULL, G_RP_HOURLY, 0, true, true},
    {"run-parts-daily", NULL, G_RP_DAILY, 0, true, true},
    {"run-parts-weekly", NULL, G_RP_WEEKLY, 0, true, true},
    {"run-parts-monthly", NULL, G_RP_MONTHLY, 0, true, true},
    {"allow-unprivileged", NULL, G_ALLOW_UNPRIVILEGED, 0, false, false},
    {"working-directory", NULL, G_WORKDIR, 0, true, false},
    {"verbose", "VERBOSE", G_VERBOSE, 'v', false, false},
    {"log.json", "LOG_JSON", G_LOG_JSON, 0, false, false},
    {"server.bind", "SERVER_BIND", G_SERVER_BIND, 0, true, false},
    {"server.timeout.read", "SERVER_TIMEOUT_READ", G_TIMEOUT_READ, 0, true, false},
    {"server.timeout.write", "SERVER_TIMEOUT_WRITE", G_TIMEOUT_WRITE, 0, true, false},
    {"server.metrics", "SERVER_METRICS", G_SERVER_METRICS, 0, false, false},
};

static const struct peer_flag supercronic_flags[] = {
    {"debug", NULL, S_DEBUG, 0, false, false},
    {"quiet", NULL, S_QUIET, 0, false, false},
    {"json", NULL, S_JSON, 0, false, false},
    {"version", NULL, F_VERSION, 0, false, false},
    {"test", NULL, S_TEST, 0, false, false},
    {"inotify", NULL, S_INOTIFY, 0, false, false},
    {"no-reap", NULL, S_NO_REAP, 0, false, false},
    {"prometheus-listen-address", NULL, S_PROMETHEUS, 0, true, false},
    {"split-logs", NULL, S_SPLIT_LOGS, 0, false, false},
    {"passthrough-logs", NULL, S_PASSTHROUGH, 0, false, false},
    {"sentry-dsn", NULL, S_SENTRY_DSN, 0, true, false},
    {"sentryDsn", NULL, S_SENTRY_ALIAS, 0, true, false},
    {"sentry-environment", NULL, S_SENTRY_ENV, 0, true, false},
    {"sentry-release", NULL, S_SENTRY_RELEASE, 0, true, false},
    {"overlapping", NULL, S_OVERLAPPING, 0, false, false},
    {"help", NULL, F_HELP, 0, false, false},
    {"h", NULL, F_HELP, 0, false, false},
};

static const struct util_name personality_names[] = {
    {"crond-lite", COMPAT_NONE}, {"none", COMPAT_NONE},
    {"go-crond", COMPAT_GO_CROND}, {"supercronic", COMPAT_SUPERCRONIC},
};

const char *compat_name(enum compat_personality p)
{
    return util_name_of(personality_names, UTIL_COUNT_OF(personality_names), (int)p);
}

/* Exact names: a program name is not case-folded. */
int compat_from_name(const char *name)
{
    for (size_t i = 0; i < UTIL_COUNT_OF(personality_names); i++)
        if (strcmp(name, personality_names[i].name) == 0)
            return personality_names[i].value;
    return -1;
}

/* -------------------------------------------------------------- state -- */

struct item {
    enum flag_id id;
    const char *val;
};

/* What the peer's command line and variables said. */
struct seen {
    bool given[NFLAGS];     /* on the command line or from a variable */
    bool on[NFLAGS];        /* a bool's value */
    const char *val[NFLAGS];/* a value flag's last value */
    const char *who[NFLAGS];/* the flag or variable it came from */
    struct item items[MAX_ITEMS]; /* repeatable flags and arguments, in order */
    size_t nitems;
};

struct tr {
    enum compat_personality p;
    const char *prog;       /* "go-crond", "supercronic": messages */
    struct compat_args *out;
    struct seen s;
    bool failed;
    char *err;
    size_t errlen;
};

__attribute__((format(printf, 2, 3)))
static int fail(struct tr *t, const char *fmt, ...)
{
    if (t->failed)
        return -1;
    t->failed = true;
    char prefix[64];
    if (t->p == COMPAT_NONE)
        snprintf(prefix, sizeof prefix, "crond-lite: ");
    else
        snprintf(prefix, sizeof prefix, "crond-lite (as %s): ", t->prog);
    va_list ap;
    va_start(ap, fmt);
    util_vmsg(t->err, t->errlen, prefix, fmt, ap);
    va_end(ap);
    return -1;
}

/* Appends a native word (not copied: argv words and arena strings live as
 * long as out). */
static int push(struct tr *t, const char *word)
{
    struct compat_args *a = t->out;
    /* room for the word and the NULL after it */
    if (t->failed || util_grow((void **)&a->argv, (size_t)a->argc + 1, &a->cap, sizeof *a->argv) != 0)
        return t->failed ? -1 : fail(t, "out of memory");
    a->argv[a->argc++] = (char *)word;
    a->argv[a->argc] = NULL;
    return 0;
}

__attribute__((format(printf, 2, 3)))
static int pushf(struct tr *t, const char *fmt, ...)
{
    char buf[8192];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    if (n < 0 || (size_t)n >= sizeof buf)
        return fail(t, "argument too long");
    char *w = util_arena_strndup(&t->out->mem, buf, (size_t)n);
    return w != NULL ? push(t, w) : fail(t, "out of memory");
}

/* Go's strconv.ParseBool. */
static int go_bool(const char *s)
{
    static const char *const yes[] = {"1", "t", "true"}, *const no[] = {"0", "f", "false"};
    for (size_t i = 0; i < 3; i++) {
        if (strcasecmp(s, yes[i]) == 0)
            return 1;
        if (strcasecmp(s, no[i]) == 0)
            return 0;
    }
    return -1;
}

/* ------------------------------------------------------------ reading -- */

static const struct peer_flag *flag_find(const struct peer_flag *tab, size_t n, const char *name,
                                         size_t len, char letter)
{
    for (size_t i = 0; i < n; i++)
        if (letter != 0 ? tab[i].letter == letter
                        : strlen(tab[i].name) == len && memcmp(tab[i].name, name, len) == 0)
            return &tab[i];
    return NULL;
}

static int item_add(struct tr *t, enum flag_id id, const char *val)
{
    if (t->s.nitems >= MAX_ITEMS)
        return fail(t, "at most %d crontabs and directories", MAX_ITEMS);
    t->s.items[t->s.nitems++] = (struct item){id, val};
    return 0;
}

/* One flag with its value (NULL: a bool given bare). who: as written. */
static int flag_set(struct tr *t, const struct peer_flag *f, const char *val, const char *who)
{
    t->s.given[f->id] = true;
    t->s.who[f->id] = who;
    if (!f->value) {
        int b = val == NULL ? 1 : go_bool(val);
        if (b < 0)
            return fail(t, "%s: expected true or false, got '%s'", who, val);
        t->s.on[f->id] = b == 1;
        return 0;
    }
    if (f->repeat)
        return item_add(t, f->id, val);
    t->s.val[f->id] = val;
    return 0;
}

/* Reads the flags of argv[*i] (a word starting with '-'); a value may take
 * the next word. */
static int flag_word(struct tr *t, const struct peer_flag *tab, size_t n, int argc,
                     char *const argv[], int *i)
{
    const char *w = argv[*i];
    const char *name = w[1] == '-' ? w + 2 : w + 1;
    const char *eq = strchr(name, '=');
    size_t len = eq != NULL ? (size_t)(eq - name) : strlen(name);
    const struct peer_flag *f = NULL;
    bool dashes2 = w[1] == '-';
    /* go-crond: long names after "--", letters after "-"; supercronic: names after either */
    if (t->p == COMPAT_GO_CROND && !dashes2) {
        if (len != 1)
            return fail(t, "unknown flag '%s' (long flags take two dashes; see --help)", w);
        f = flag_find(tab, n, "", 0, name[0]);
    } else {
        f = flag_find(tab, n, name, len, 0);
    }
    if (f == NULL)
        return fail(t, "unknown flag '%.*s' (see --help)", (int)(name - w + (ptrdiff_t)len), w);
    if (eq != NULL)
        return flag_set(t, f, eq + 1, w);
    if (!f->value)
        return flag_set(t, f, NULL, w);
    if (*i + 1 >= argc)
        return fail(t, "flag '%s' needs a value (see --help)", w);
    (*i)++;
    return flag_set(t, f, argv[*i], w);
}

/* go-crond reads arguments among the flags; supercronic's flags end at the
 * first argument. */
static void argv_read(struct tr *t, const struct peer_flag *tab, size_t n, int argc,
                      char *const argv[])
{
    bool flags = true;
    for (int i = 1; i < argc && !t->failed; i++) {
        const char *w = argv[i];
        if (flags && strcmp(w, "--") == 0) {
            flags = false;
        } else if (flags && w[0] == '-' && w[1] != '\0') {
            flag_word(t, tab, n, argc, argv, &i);
        } else {
            item_add(t, F_ARG, w);
            if (t->p == COMPAT_SUPERCRONIC)
                flags = false;
        }
    }
}

/* A flag's variable counts when the flag is not on the command line and
 * the variable is not empty. */
static void env_read(struct tr *t, const struct peer_flag *tab, size_t n, char *const envp[])
{
    for (size_t i = 0; i < n && !t->failed; i++) {
        if (tab[i].env == NULL || t->s.given[tab[i].id])
            continue;
        const char *v = util_env_get(envp, tab[i].env);
        if (v != NULL && v[0] != '\0')
            flag_set(t, &tab[i], v, tab[i].env);
    }
}

/* ------------------------------------------------------------ writing -- */

/* "USER:REST" with a user part free of '/': go-crond's form. */
static const char *user_split(const char *spec, size_t *out_userlen)
{
    const char *colon = strchr(spec, ':');
    if (colon == NULL || colon == spec || memchr(spec, '/', (size_t)(colon - spec)) != NULL)
        return NULL;
    *out_userlen = (size_t)(colon - spec);
    return colon + 1;
}

static bool is_dir(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

/* go-crond only trusts distribution files owned by root. */
static bool root_owned(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 && st.st_uid == 0;
}

static int user_file_add(struct tr *t, const char *user, size_t userlen, const char *path)
{
    struct compat_extras *x = &t->out->extras;
    if (x->nuser_files >= COMPAT_MAX_FILES)
        return fail(t, "at most %d USER:PATH crontabs", COMPAT_MAX_FILES);
    const char *u = util_arena_strndup(&t->out->mem, user, userlen);
    if (u == NULL)
        return fail(t, "out of memory");
    x->user_files[x->nuser_files++] = (struct compat_user_file){u, path};
    return 0;
}

/* --auto: the distribution's system crontabs, as go-crond finds them. */
static int go_crond_auto(struct tr *t, const char *default_user)
{
    bool known = false;
    if (root_owned("/etc/alpine-release")) {
        known = true;
        if (is_dir("/etc/crontabs")
            && user_file_add(t, default_user, strlen(default_user), "/etc/crontabs") != 0)
            return -1;
    }
    if (root_owned("/etc/redhat-release")) {
        known = true;
        if (root_owned("/etc/crontabs") && (push(t, "-F") != 0 || push(t, "/etc/crontabs") != 0))
            return -1;
    }
    if (root_owned("/etc/SuSE-release") || root_owned("/etc/debian_version")) {
        known = true;
        if (root_owned("/etc/crontab") && (push(t, "-F") != 0 || push(t, "/etc/crontab") != 0))
            return -1;
    }
    if (!known) {
        if (root_owned("/etc/crontab") && (push(t, "-F") != 0 || push(t, "/etc/crontab") != 0))
            return -1;
        if (root_owned("/etc/crontabs") && (push(t, "-F") != 0 || push(t, "/etc/crontabs") != 0))
            return -1;
    }
    if (is_dir("/etc/cron.d") && (push(t, "-F") != 0 || push(t, "/etc/cron.d") != 0))
        return -1;
    return 0;
}

/* A run-parts directory without USER: runs as --default-user. */
static int go_crond_run_parts(struct tr *t, const struct item *it, const char *default_user)
{
    static const struct {
        enum flag_id id;
        const char *native;
    } names[] = {
        {G_RP_1MIN, "--run-parts-1min"},     {G_RP_15MIN, "--run-parts-15min"},
        {G_RP_HOURLY, "--run-parts-hourly"}, {G_RP_DAILY, "--run-parts-daily"},
        {G_RP_WEEKLY, "--run-parts-weekly"}, {G_RP_MONTHLY, "--run-parts-monthly"},
    };
    size_t ulen = 0;
    if (it->id == G_RUN_PARTS) {
        const char *colon = strchr(it->val, ':');
        if (colon == NULL)
            return fail(t, "--run-parts: expected SPEC:[USER:]DIR (e.g. 10m:/etc/cron.10min), "
                           "got '%s'", it->val);
        const char *rest = colon + 1;
        if (user_split(rest, &ulen) != NULL)
            return pushf(t, "--run-parts=%s", it->val);
        return pushf(t, "--run-parts=%.*s:%s:%s", (int)(colon - it->val), it->val,
                     default_user, rest);
    }
    for (size_t i = 0; i < UTIL_COUNT_OF(names); i++)
        if (names[i].id == it->id)
            return user_split(it->val, &ulen) != NULL
                       ? pushf(t, "%s=%s", names[i].native, it->val)
                       : pushf(t, "%s=%s:%s", names[i].native, default_user, it->val);
    return fail(t, "internal: unknown run-parts flag");
}

static int timeout_ms(struct tr *t, enum flag_id id, int64_t *out)
{
    const char *v = t->s.val[id], *who = t->s.who[id];
    char derr[128];
    if (v == NULL)
        return 0;
    if (duration_parse(v, out, derr, sizeof derr) != 0 || *out <= 0)
        return fail(t, "%s: expected a duration above 0 like 5s or 1m (crond-lite always "
                       "bounds its connections), got '%s'", who, v);
    return 0;
}

static void go_crond_write(struct tr *t)
{
    struct seen *s = &t->s;
    struct compat_extras *x = &t->out->extras;
    const char *default_user = s->val[G_DEFAULT_USER] != NULL ? s->val[G_DEFAULT_USER] : "root";
    if (s->on[F_HELP] || s->on[F_VERSION] || s->on[G_DUMPVERSION]) {
        x->version_bare = s->on[G_DUMPVERSION] && !s->on[F_VERSION];
        push(t, s->on[F_HELP] ? "--help" : "--version");
        return;
    }
    if (s->on[G_VERBOSE])
        push(t, "--log-level=debug");
    if (s->on[G_LOG_JSON])
        push(t, "--log-format=json");
    if (s->val[G_SERVER_BIND] != NULL && s->val[G_SERVER_BIND][0] != '\0')
        pushf(t, "--listen=%s", s->val[G_SERVER_BIND]);
    x->metrics_off = !s->on[G_SERVER_METRICS];
    timeout_ms(t, G_TIMEOUT_READ, &x->http_read_ms);
    timeout_ms(t, G_TIMEOUT_WRITE, &x->http_write_ms);
    x->others_as_self = s->on[G_ALLOW_UNPRIVILEGED];
    /* go-crond changes to its working directory (default /) before jobs run */
    pushf(t, "--working-directory=%s", s->val[G_WORKDIR] != NULL ? s->val[G_WORKDIR] : "/");
    if (default_user[0] == '\0' || strchr(default_user, ':') != NULL)
        fail(t, "--default-user: expected a user name or number, got '%s'", default_user);
    for (size_t i = 0; i < s->nitems && !t->failed; i++) {
        const struct item *it = &s->items[i];
        size_t ulen = 0;
        const char *path = NULL;
        if (it->id == F_ARG)
            path = user_split(it->val, &ulen);
        if (it->id == G_INCLUDE || (it->id == F_ARG && path == NULL)) {
            push(t, "-F"); /* an argument without USER: a system crontab, a user column */
            push(t, it->val);
        } else if (it->id == F_ARG && path[0] == '\0') {
            fail(t, "'%s': expected [USER:]PATH", it->val);
        } else if (it->id == F_ARG) {
            user_file_add(t, it->val, ulen, path);
        } else {
            go_crond_run_parts(t, it, default_user);
        }
    }
    if (s->on[G_AUTO] && !t->failed)
        go_crond_auto(t, default_user);
}

/* supercronic's address: the port defaults to 9746 ("0.0.0.0"). */
static void prometheus_listen(struct tr *t, const char *v)
{
    struct netaddr a;
    char nerr[256];
    if (v[0] == '\0')
        return; /* supercronic: empty is off */
    if (netaddr_parse(v, &a, nerr, sizeof nerr) == 0) {
        pushf(t, "--listen=%s", v);
        return;
    }
    char with[512];
    bool v6 = strchr(v, ':') != NULL && v[0] != '[';
    snprintf(with, sizeof with, v6 ? "[%s]:%s" : "%s:%s", v, SUPERCRONIC_PORT);
    if (netaddr_parse(with, &a, nerr, sizeof nerr) != 0)
        fail(t, "-prometheus-listen-address: '%s' is not an address (IP[:PORT], port %s when "
                "left out): %s", v, SUPERCRONIC_PORT, nerr);
    else
        pushf(t, "--listen=%s", with);
}

static void supercronic_write(struct tr *t, char *const envp[])
{
    struct seen *s = &t->s;
    struct compat_extras *x = &t->out->extras;
    if (s->on[F_HELP] || s->on[F_VERSION]) {
        x->version_bare = true;
        push(t, s->on[F_HELP] ? "--help" : "--version");
        return;
    }
    const char *dsn = util_env_get(envp, "SENTRY_DSN");
    const char *who = "SENTRY_DSN";
    if (s->val[S_SENTRY_ALIAS] != NULL && s->val[S_SENTRY_ALIAS][0] != '\0')
        dsn = s->val[S_SENTRY_ALIAS], who = "-sentryDsn";
    if (s->val[S_SENTRY_DSN] != NULL && s->val[S_SENTRY_DSN][0] != '\0')
        dsn = s->val[S_SENTRY_DSN], who = "-sentry-dsn";
    if (dsn != NULL && dsn[0] != '\0') {
        fail(t, "%s: crond-lite does not report to Sentry; run a command when a job fails "
                "instead: --on-failure CMD (or CROND_LITE_ON_FAILURE), which gets the job, its "
                "status and its last output in CROND_LITE_* variables", who);
        return;
    }
    size_t nargs = 0;
    const char *crontab = NULL;
    for (size_t i = 0; i < s->nitems; i++)
        if (s->items[i].id == F_ARG && nargs++ == 0)
            crontab = s->items[i].val;
    if (nargs != 1) {
        fail(t, nargs == 0 ? "expected a CRONTAB (usage: supercronic [FLAGS] CRONTAB)"
                           : "expected one CRONTAB, got %zu arguments (usage: supercronic "
                             "[FLAGS] CRONTAB; flags go before it)", nargs);
        return;
    }
    if (s->on[S_QUIET])
        push(t, "--log-level=warn"); /* supercronic: quiet wins over debug */
    else if (s->on[S_DEBUG])
        push(t, "--log-level=debug");
    if (s->on[S_JSON])
        push(t, "--log-format=json");
    if (s->on[S_TEST])
        push(t, "--check");
    if (s->on[S_OVERLAPPING])
        push(t, "--overlap=allow");
    if (s->on[S_SPLIT_LOGS])
        push(t, "--split-logs");
    if (s->on[S_PASSTHROUGH])
        push(t, "--output=raw");
    x->no_reap = s->on[S_NO_REAP];
    /* -inotify: crontabs are always watched */
    if (s->val[S_PROMETHEUS] != NULL)
        prometheus_listen(t, s->val[S_PROMETHEUS]);
    push(t, "-f");
    push(t, crontab);
}

/* ------------------------------------------------------------ picking -- */

static const char *base_name(const char *path)
{
    const char *slash = strrchr(path, '/');
    return slash != NULL ? slash + 1 : path;
}

/* --compat NAME or --compat=NAME before "--": its index (the value's is
 * the next one unless eq), or -1. */
static int compat_flag_at(int argc, char *const argv[], bool *out_eq)
{
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--") == 0)
            return -1;
        if (strcmp(argv[i], "--compat") == 0 || strncmp(argv[i], "--compat=", 9) == 0) {
            *out_eq = argv[i][8] == '=';
            return i;
        }
    }
    return -1;
}

static int pick(struct tr *t, int argc, char *const argv[], char *const envp[], int *out_skip,
                int *out_nskip)
{
    bool eq = false;
    int at = compat_flag_at(argc, argv, &eq);
    const char *name = NULL, *who = NULL;
    *out_skip = -1;
    *out_nskip = 0;
    if (at > 0) {
        if (!eq && at + 1 >= argc)
            return fail(t, "--compat needs an argument NAME (go-crond or supercronic)");
        name = eq ? argv[at] + 9 : argv[at + 1];
        who = "--compat";
        *out_skip = at;
        *out_nskip = eq ? 1 : 2;
    } else if (argc > 0 && compat_from_name(base_name(argv[0])) > COMPAT_NONE) {
        name = base_name(argv[0]);
    } else if ((name = util_env_get(envp, "CROND_LITE_COMPAT")) != NULL && name[0] != '\0') {
        who = "CROND_LITE_COMPAT";
    } else {
        name = "crond-lite";
    }
    int p = compat_from_name(name);
    if (p < 0)
        return fail(t, "%s: expected go-crond or supercronic, got '%s'", who, name);
    t->p = (enum compat_personality)p;
    t->prog = compat_name(t->p);
    return 0;
}

int compat_translate(int argc, char *const argv[], char *const envp[], struct compat_args *out,
                     char *err, size_t errlen)
{
    memset(out, 0, sizeof *out);
    struct tr t = {.out = out, .err = err, .errlen = errlen, .prog = "crond-lite"};
    if (err != NULL && errlen > 0)
        err[0] = '\0';
    int skip = -1, nskip = 0;
    if (pick(&t, argc, argv, envp, &skip, &nskip) != 0)
        return -1;
    out->extras.personality = t.p;
    push(&t, argc > 0 ? argv[0] : "crond-lite");
    if (t.p == COMPAT_NONE) {
        for (int i = 1; i < argc; i++)
            if (i < skip || i >= skip + nskip || skip < 0)
                push(&t, argv[i]);
    } else {
        /* the peer's words without --compat NAME */
        char **words = calloc((size_t)argc + 1, sizeof *words);
        int n = 0;
        if (words == NULL)
            return fail(&t, "out of memory");
        for (int i = 0; i < argc; i++)
            if (i < skip || i >= skip + nskip || skip < 0)
                words[n++] = argv[i];
        const struct peer_flag *tab = t.p == COMPAT_GO_CROND ? go_crond_flags : supercronic_flags;
        size_t ntab = t.p == COMPAT_GO_CROND ? UTIL_COUNT_OF(go_crond_flags)
                                              : UTIL_COUNT_OF(supercronic_flags);
        argv_read(&t, tab, ntab, n, words);
        if (!t.failed && !t.s.on[F_HELP])
            env_read(&t, tab, ntab, envp);
        if (!t.failed && t.p == COMPAT_GO_CROND)
            go_crond_write(&t);
        else if (!t.failed)
            supercronic_write(&t, envp);
        free(words);
    }
    if (t.failed) {
        compat_args_free(out);
        return -1;
    }
    return 0;
}

void compat_args_free(struct compat_args *a)
{
    if (a == NULL)
        return;
    free(a->argv);
    a->argv = NULL;
    a->argc = 0;
    a->cap = 0;
    a->extras.nuser_files = 0;
    util_arena_free(&a->mem);
}

/* -------------------------------------------------------------- hints -- */

static const struct {
    const char *word; /* as written, before any '=' */
    const char *hint;
} hints[] = {
    {"-json", "use --log-format json, or run as supercronic (--compat supercronic)"},
    {"-debug", "use --log-level debug, or run as supercronic (--compat supercronic)"},
    {"-quiet", "use --log-level warn, or run as supercronic (--compat supercronic)"},
    {"-test", "use --check, or run as supercronic (--compat supercronic)"},
    {"-inotify", "crontabs are always watched (--no-reload turns that off), or run as supercronic (--compat supercronic)"},
    {"-no-reap", "crond-lite always reaps its children; run as supercronic (--compat supercronic) to reap only as PID 1"},
    {"-overlapping", "use --overlap allow, or run as supercronic (--compat supercronic)"},
    {"-split-logs", "use --split-logs, or run as supercronic (--compat supercronic)"},
    {"-passthrough-logs", "use --output raw, or run as supercronic (--compat supercronic)"},
    {"-prometheus-listen-address", "use --listen :9746, or run as supercronic (--compat supercronic)"},
    {"-version", "use --version, or run as supercronic (--compat supercronic)"},
    {"-sentry-dsn", "use --on-failure CMD to report failed runs"},
    {"-sentryDsn", "use --on-failure CMD to report failed runs"},
    {"-sentry-environment", "use --on-failure CMD to report failed runs"},
    {"-sentry-release", "use --on-failure CMD to report failed runs"},
    {"-v", "use --log-level debug, or run as go-crond (--compat go-crond)"},
    {"--verbose", "use --log-level debug, or run as go-crond (--compat go-crond)"},
    {"--log.json", "use --log-format json, or run as go-crond (--compat go-crond)"},
    {"--server.bind", "use --listen ADDR, or run as go-crond (--compat go-crond)"},
    {"--server.metrics", "every --listen address serves /metrics; or run as go-crond (--compat go-crond)"},
    {"--server.timeout.read", "crond-lite bounds requests itself (5 s); or run as go-crond (--compat go-crond)"},
    {"--server.timeout.write", "crond-lite bounds responses itself (5 s); or run as go-crond (--compat go-crond)"},
    {"--include", "use -F DIR (crontabs with a user column), or run as go-crond (--compat go-crond)"},
    {"--auto", "use -F /etc/crontab -F /etc/cron.d, or run as go-crond (--compat go-crond)"},
    {"--default-user", "give run-parts directories as USER:DIR, or run as go-crond (--compat go-crond)"},
    {"--allow-unprivileged", "crond-lite never needs root; to run other users' jobs as "
                             "yourself, run as go-crond (--compat go-crond)"},
    {"--dumpversion", "use --version, or run as go-crond (--compat go-crond)"},
};

const char *compat_hint(const char *word)
{
    if (word[0] != '-') {
        size_t ulen = 0;
        return user_split(word, &ulen) != NULL
                   ? "go-crond's USER:PATH: run as go-crond (--compat go-crond), or give the file with -f (it runs "
                     "as the user crond-lite runs as)"
                   : "crontabs are given with -f PATH (user format) or -F PATH (/etc/crontab "
                     "format); go-crond and supercronic take them as arguments: run as either (--compat NAME)";
    }
    const char *eq = strchr(word, '=');
    size_t len = eq != NULL ? (size_t)(eq - word) : strlen(word);
    for (size_t i = 0; i < UTIL_COUNT_OF(hints); i++) {
        const char *h = hints[i].word;
        size_t hl = strlen(h);
        /* supercronic's flags also take two dashes */
        bool two = h[1] != '-' && word[1] == '-' && len == hl + 1 && memcmp(word + 2, h + 1, hl - 1) == 0;
        if ((len == hl && memcmp(word, h, hl) == 0) || (two && hl > 2))
            return hints[i].hint;
    }
    return NULL;
}

/* -------------------------------------------------------------- usage -- */

static const char go_crond_usage[] =
    "Usage: go-crond [OPTIONS] [[USER:]CRONTAB...]   (crond-lite as go-crond)\n"
    "\n"
    "  CRONTAB                  /etc/crontab format (a user column)\n"
    "  USER:CRONTAB             user format, run as USER\n"
    "  -V, --version            print the version; --dumpversion: the number only\n"
    "      --default-user=USER  user of run-parts directories without USER: [root]\n"
    "      --include=DIR        crontabs with a user column (crond-lite -F DIR)\n"
    "      --auto               the distribution's /etc/crontab, /etc/cron.d\n"
    "      --run-parts=SPEC:[USER:]DIR, --run-parts-1min|15min|hourly|daily|weekly|\n"
    "                           monthly=[USER:]DIR  every executable in DIR is a job\n"
    "      --allow-unprivileged unprivileged, other users' jobs run as you (a warning)\n"
    "      --working-directory=DIR  jobs start in DIR [/]\n"
    "  -v, --verbose            debug records ($VERBOSE); job output is always logged\n"
    "      --log.json           JSON records ($LOG_JSON)\n"
    "      --server.bind=ADDR   serve /healthz, /readyz, /metrics ($SERVER_BIND)\n"
    "      --server.timeout.read=DUR, --server.timeout.write=DUR  [5s, 10s]\n"
    "      --server.metrics     serve /metrics on --server.bind ($SERVER_METRICS)\n"
    "  -h, --help               print this help\n"
    "\n"
    "CROND_LITE_* variables still apply; see crond-lite(8), \"PERSONALITIES\".\n";

static const char supercronic_usage[] =
    "Usage: supercronic [FLAGS] CRONTAB   (crond-lite as supercronic)\n"
    "\n"
    "  -debug                   debug records\n"
    "  -quiet                   warnings and errors only (wins over -debug)\n"
    "  -json                    JSON records\n"
    "  -test                    check CRONTAB and exit (crond-lite --check)\n"
    "  -inotify                 accepted: crontabs are always watched\n"
    "  -no-reap                 reap orphans only as PID 1\n"
    "  -overlapping             start a job while its last run still runs\n"
    "  -split-logs              warnings, errors and job stderr to stderr\n"
    "  -passthrough-logs        job output as written, not as records\n"
    "  -prometheus-listen-address IP[:PORT]  serve /metrics, /health [port 9746]\n"
    "  -sentry-dsn DSN          refused: use --on-failure CMD\n"
    "  -version                 print the version\n"
    "\n"
    "SIGUSR2 reloads; CROND_LITE_* variables still apply; see crond-lite(8),\n"
    "\"PERSONALITIES\".\n";

const char *compat_usage(enum compat_personality p)
{
    return p == COMPAT_GO_CROND ? go_crond_usage : p == COMPAT_SUPERCRONIC ? supercronic_usage
                                                                              : NULL;
}
