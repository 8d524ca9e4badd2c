/* loader: crontab files and directories to jobs (see loader.h). */
#include "crond/loader.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "crond/calendar.h"
#include "crond/config.h"
#include "crond/options.h"
#include "crond/user.h"
#include "crond/util.h"
#include "crond/zone.h"

/* A crontab bigger than this is refused rather than read into memory. */
#define LOADER_MAX_FILE_BYTES ((size_t)64 * 1024 * 1024)

/* ------------------------------------------------------------------------ */
/* Builder state and diagnostics                                            */
/* ------------------------------------------------------------------------ */

/* A word of a command and whether it names a user (a small cache). */
#define LOADER_WORD_CACHE 8
struct word_seen {
    char word[33];
    bool user;
};

/* Builder state: the result plus array capacities. */
struct load {
    struct loader_result *r;
    const struct loader_opts *o;
    struct word_seen words[LOADER_WORD_CACHE];
    size_t next_word;
    size_t cap_files, cap_jobs;
    size_t *file_of;      /* per job: its file's index (files move as they grow) */
    size_t cap_file_of;
    const char *owner;    /* the user-format source's user (go-crond USER:PATH) */
    bool oom;
};

#define diag(ld, sev, ...) \
    do { \
        if (diag_add(&(ld)->r->diags, (sev), __VA_ARGS__) != 0) \
            (ld)->oom = true; \
    } while (0)

/* ------------------------------------------------------------------------ */
/* Reading one file                                                         */
/* ------------------------------------------------------------------------ */

/* crontab files writable by others are refused: anyone could make the
 * daemon's user run anything. Group-writable is common on shared volumes, so
 * it is only warned about. */
static int check_mode(struct load *ld, const char *path, mode_t mode)
{
    if (mode & S_IWOTH) {
        diag(ld, DIAG_ERROR, path, 0, 0,
             "writable by others (mode %04o), refused: run chmod o-w on it",
             (unsigned)(mode & 07777));
        return -1;
    }
    if (mode & S_IWGRP)
        diag(ld, DIAG_WARNING, path, 0, 0, "writable by its group (mode %04o)",
             (unsigned)(mode & 07777));
    return 0;
}

static char *read_all(struct load *ld, const char *path, size_t *out_len)
{
    struct util_file f;
    char err[256];
    int rc = util_read_file(path, LOADER_MAX_FILE_BYTES, &f, err, sizeof err);
    if (rc == ENOMEM)
        ld->oom = true;
    else if (rc != 0)
        diag(ld, DIAG_ERROR, path, 0, 0, "%s", err);
    if (rc != 0)
        return NULL;
    /* the mode as opened: a file made others-writable is refused unread */
    if (check_mode(ld, path, f.mode) != 0) {
        free(f.data);
        return NULL;
    }
    *out_len = f.len;
    return f.data;
}

/* ------------------------------------------------------------------------ */
/* Entries to jobs                                                          */
/* ------------------------------------------------------------------------ */

/* The zone of an entry, or NULL after reporting an unknown name (once per
 * place it was written). */
static const struct zone *entry_zone(struct load *ld, const struct loader_file *f,
                                     const struct crontab_entry *e, int *last_bad_line)
{
    const struct crontab_env *env = e->env;
    if (env->tz == NULL)
        return ld->o->default_zone;
    char err[256];
    const struct zone *z = zone_cache_get(ld->o->zones, env->tz, err, sizeof err);
    if (z == NULL && *last_bad_line != env->tz_line) {
        diag(ld, DIAG_ERROR, f->path, env->tz_line, env->tz_col, "%s", err);
        *last_bad_line = env->tz_line;
    }
    return z;
}

/* The text of a file being loaded, to point warnings at a word. */
struct text {
    const char *data;
    size_t len;
    int line;         /* the line `at` starts (1-based), moving forward */
    size_t at;
};

/* The column (1-based) of the first word after entry e's schedule (its
 * user column or its command), or 0 when the text is not at hand. The
 * schedule as stored has its blanks collapsed, so it has as many words as
 * were written. */
static int after_schedule_col(struct text *t, const struct crontab_entry *e)
{
    if (t == NULL || t->data == NULL || e->line < t->line || e->col < 1)
        return 0;
    while (t->line < e->line && t->at < t->len) {
        const char *nl = memchr(t->data + t->at, '\n', t->len - t->at);
        t->at = nl != NULL ? (size_t)(nl - t->data) + 1 : t->len;
        t->line++;
    }
    const char *p = t->data + t->at + e->col - 1, *end = t->data + t->len;
    size_t words = 0;
    for (const char *c = e->schedule; *c != '\0'; c++)
        words += (c == e->schedule || c[-1] == ' ') && *c != ' ';
    for (size_t w = 0; w < words && p < end && *p != '\n'; w++) {
        while (p < end && (*p == ' ' || *p == '\t'))
            p++;
        while (p < end && *p != ' ' && *p != '\t' && *p != '\n')
            p++;
    }
    while (p < end && (*p == ' ' || *p == '\t'))
        p++;
    return p < end && *p != '\n' ? (int)(p - (t->data + t->at)) + 1 : 0;
}

/* In a user-format file, a command whose first word is a user of
 * /etc/passwd is most likely a system-format line read as user format.
 * The last few answers are kept: commands repeat their first word. */
static void command_user_check(struct load *ld, const struct loader_file *f,
                               const struct crontab_entry *e, struct text *t)
{
    static const char user_chars[] = "abcdefghijklmnopqrstuvwxyz0123456789_-.";
    const char *cmd = e->command;
    size_t n = strspn(cmd, user_chars);
    if (n == 0 || n > 32 || (cmd[n] != ' ' && cmd[n] != '\t') || cmd[0] == '-'
        || (cmd[0] >= '0' && cmd[0] <= '9'))
        return;
    char word[33];
    memcpy(word, cmd, n);
    word[n] = '\0';
    int known = -1;
    for (size_t i = 0; i < LOADER_WORD_CACHE && known < 0; i++)
        if (strcmp(ld->words[i].word, word) == 0)
            known = ld->words[i].user;
    if (known < 0) {
        known = user_exists(word) == 1;
        ld->words[ld->next_word] = (struct word_seen){"", known};
        memcpy(ld->words[ld->next_word].word, word, n + 1);
        ld->next_word = (ld->next_word + 1) % LOADER_WORD_CACHE;
    }
    if (known)
        diag(ld, DIAG_WARNING, f->path, e->line, after_schedule_col(t, e),
             "the command starts with '%s', a user in /etc/passwd: this file is read in user "
             "format (no user column), so '%s' will run as a command; for /etc/crontab "
             "format use -F (or --system)", word, word);
}

/* Whom entry e of file f runs as: *out_user stays NULL for the user
 * crond-lite runs as. Returns -1 after reporting a problem at line:col. */
static int entry_user(struct load *ld, const struct loader_file *f,
                      const struct crontab_entry *e, int line, int col, struct text *t,
                      struct user **out_user)
{
    const char *name = e->user != NULL ? e->user : f->owner;
    bool from_file = name == NULL && f->in_dir && ld->o->as_root && !f->system;
    if (from_file)
        name = f->name;
    if (name == NULL)
        return 0;
    struct user u;
    char err[256];
    if (user_lookup(name, &u, err, sizeof err) != 0) {
        if (from_file)
            return 0; /* a file not named after a user runs as crond-lite's user */
        if (e->user != NULL && f->system && !f->ini && user_exists(name) == 0
            && strchr(name, ':') == NULL && !(name[0] >= '0' && name[0] <= '9')) {
            /* as cronie and Debian cron do: the line is skipped, the rest loads */
            int ucol = after_schedule_col(t, e);
            diag(ld, DIAG_WARNING, f->path, line, ucol > 0 ? ucol : col,
                 "unknown user '%s' (crond-lite reads /etc/passwd only: no NSS, LDAP or "
                 "sssd): this line is skipped", name);
            return -1;
        }
        diag(ld, DIAG_ERROR, f->path, line, col, "%s", err);
        return -1;
    }
    if (u.uid == ld->o->uid) {
        user_free(&u);
        return 0;
    }
    if (!ld->o->as_root && ld->o->others_as_self) {
        user_free(&u); /* go-crond --allow-unprivileged: said once, at start */
        return 0;
    }
    if (!ld->o->as_root) {
        diag(ld, DIAG_ERROR, f->path, line, col,
             "cannot run as user '%s' (uid %u): crond-lite runs as uid %u, not root, and "
             "only root can run jobs as another user", name, (unsigned)u.uid, ld->o->uid);
        user_free(&u);
        return -1;
    }
    *out_user = malloc(sizeof **out_user);
    if (*out_user == NULL) {
        user_free(&u);
        ld->oom = true;
        return -1;
    }
    **out_user = u;
    return 0;
}

static int add_job(struct load *ld, size_t file, const struct crontab_entry *e,
                   const struct zone *z, struct user *user)
{
    struct loader_result *r = ld->r;
    if (util_grow((void **)&r->jobs, r->njobs, &ld->cap_jobs, sizeof *r->jobs) != 0
        || util_grow((void **)&ld->file_of, r->njobs, &ld->cap_file_of, sizeof *ld->file_of) != 0)
        return -1;
    ld->file_of[r->njobs] = file;
    r->jobs[r->njobs++] = (struct loader_job){e, z, NULL, user, NULL};
    return 0;
}

/* The INI settings of the job just added. */
static int add_ini(struct load *ld, const struct config_job *cj)
{
    struct loader_ini *ini = calloc(1, sizeof *ini);
    if (ini == NULL)
        return -1;
    ld->r->jobs[ld->r->njobs - 1].ini = ini;
    *ini = (struct loader_ini){.timeout_ms = cj->timeout_ms, .overlap = cj->overlap,
                               .no_claim = cj->no_claim};
    if ((ini->name = strdup(cj->name)) == NULL)
        return -1;
    if ((cj->on_failure != NULL && (ini->on_failure = strdup(cj->on_failure)) == NULL)
        || (cj->on_success != NULL && (ini->on_success = strdup(cj->on_success)) == NULL))
        return -1;
    return cj->workdir != NULL && (ini->workdir = strdup(cj->workdir)) == NULL ? -1 : 0;
}

/* ini: for INI jobs, the config job of each entry (same order), else NULL;
 * t: the file's text (for the columns of warnings), or NULL. */
static void file_jobs(struct load *ld, size_t fi, const struct config_job *const *ini,
                      struct text *t)
{
    const struct loader_file *f = &ld->r->files[fi];
    int last_bad_tz = -1;
    for (size_t i = 0; i < f->tab.nentries && !ld->oom; i++) {
        const struct crontab_entry *e = &f->tab.entries[i];
        const struct config_job *cj = ini != NULL ? ini[i] : NULL;
        /* an INI job's problems are at the line of their key, column 0 */
        int sched_line = cj != NULL ? cj->schedule_line : e->line;
        int user_line = cj != NULL ? (cj->user_line > 0 ? cj->user_line : cj->line) : e->line;
        if (f->run_parts)
            user_line = 0; /* the directory's user: a problem of the whole directory */
        const struct zone *z = entry_zone(ld, f, e, &last_bad_tz);
        if (z == NULL)
            continue;
        int64_t next;
        if (calendar_next(e->spec, z, ld->o->now, &next) == CALENDAR_NEVER) {
            diag(ld, DIAG_ERROR, f->path, sched_line, e->col,
                 "schedule '%s' can never fire (in %s, after now)", e->schedule, zone_name(z));
            continue;
        }
        struct user *user = NULL;
        if (!f->system && !f->ini && !f->run_parts)
            command_user_check(ld, f, e, t);
        if (entry_user(ld, f, e, user_line, e->col, t, &user) != 0)
            continue;
        if (add_job(ld, fi, e, z, user) != 0) {
            user_free(user);
            free(user);
            ld->oom = true;
        } else if (cj != NULL && add_ini(ld, cj) != 0) {
            ld->oom = true;
        }
    }
}

static void load_file(struct load *ld, const char *path, const char *name, bool in_dir,
                      bool system)
{
    struct loader_result *r = ld->r;
    size_t len = 0;
    char *text = read_all(ld, path, &len);
    if (text == NULL)
        return;
    if (util_grow((void **)&r->files, r->nfiles, &ld->cap_files, sizeof *r->files) != 0) {
        free(text);
        ld->oom = true;
        return;
    }
    struct loader_file *f = &r->files[r->nfiles];
    memset(f, 0, sizeof *f);
    f->path = strdup(path);
    f->name = strdup(name);
    f->in_dir = in_dir;
    f->system = system;
    if (ld->owner != NULL && (f->owner = strdup(ld->owner)) == NULL)
        ld->oom = true;
    struct crontab_opts co = {system, ld->o->percent_newline};
    int rc = crontab_parse(text, len, &co, &f->tab);
    r->nfiles++;
    if (rc < 0 || f->path == NULL || f->name == NULL) {
        free(text);
        ld->oom = true;
        return;
    }
    size_t first_diag = r->diags.n;
    if (diag_add_all(&r->diags, &f->tab.diags, path) != 0)
        ld->oom = true;
    struct text t = {text, len, 1, 0};
    file_jobs(ld, r->nfiles - 1, NULL, &t);
    free(text);
    /* the text's problems and those found here (users) read in line order */
    diag_sort_lines(&r->diags, first_diag);
}

/* ------------------------------------------------------------------------ */
/* Directories                                                              */
/* ------------------------------------------------------------------------ */

bool loader_name_skipped(const char *name)
{
    size_t n = strlen(name);
    return name[0] == '.' || n == 0 || name[n - 1] == '~' || strstr(name, ".dpkg-") != NULL
        || strstr(name, ".rpm") != NULL || strstr(name, ".swp") != NULL;
}

static int cmp_names(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The names of a directory that are not skipped (with skip, every name but
 * "." and ".."), sorted (so job order and messages do not depend on the file
 * system). */
static char **dir_names(struct load *ld, const char *dir, bool skip, size_t *out_n)
{
    DIR *d = opendir(dir); /* glibc opens directory streams close-on-exec */
    if (d == NULL) {
        diag(ld, DIAG_ERROR, dir, 0, 0, "cannot open directory: %s", strerror(errno));
        return NULL;
    }
    char **names = NULL;
    size_t n = 0, cap = 0;
    struct dirent *de;
    errno = 0;
    while ((de = readdir(d)) != NULL) {
        if (skip ? loader_name_skipped(de->d_name)
                 : strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
            continue;
        if (util_grow((void **)&names, n, &cap, sizeof *names) != 0
            || (names[n] = strdup(de->d_name)) == NULL) {
            ld->oom = true;
            break;
        }
        n++;
        errno = 0;
    }
    if (errno != 0)
        diag(ld, DIAG_ERROR, dir, 0, 0, "cannot read directory: %s", strerror(errno));
    if (closedir(d) != 0)
        diag(ld, DIAG_WARNING, dir, 0, 0, "closedir: %s", strerror(errno));
    if (n > 1) /* qsort(NULL, 0) is undefined */
        qsort(names, n, sizeof *names, cmp_names);
    *out_n = n;
    return names;
}

static void load_dir(struct load *ld, const char *dir, bool system)
{
    size_t n = 0;
    char **names = dir_names(ld, dir, true, &n);
    size_t dlen = strlen(dir);
    bool slash = dlen > 0 && dir[dlen - 1] == '/';
    for (size_t i = 0; i < n; i++) {
        char path[4096];
        struct stat st;
        int len = snprintf(path, sizeof path, "%s%s%s", dir, slash ? "" : "/", names[i]);
        /* stat, not lstat: ConfigMap files are symlinks into ..data/. Only
         * regular files are crontabs; subdirectories are not descended. A
         * name that vanished meanwhile or a dangling link is said, not
         * fatal; anything else that cannot be read is an error. */
        if (ld->oom)
            ;
        else if ((size_t)len >= sizeof path)
            diag(ld, DIAG_ERROR, dir, 0, 0, "path of '%s' too long", names[i]);
        else if (stat(path, &st) != 0)
            diag(ld, errno == ENOENT ? DIAG_WARNING : DIAG_ERROR, path, 0, 0,
                 "cannot read: %s", strerror(errno));
        else if (S_ISREG(st.st_mode))
            load_file(ld, path, names[i], true, system);
        free(names[i]);
    }
    free(names);
}

static void load_path(struct load *ld, const char *path, bool system)
{
    struct stat st;
    if (stat(path, &st) != 0) {
        diag(ld, DIAG_ERROR, path, 0, 0, "cannot read: %s", strerror(errno));
        return;
    }
    if (S_ISDIR(st.st_mode)) {
        load_dir(ld, path, system);
        return;
    }
    const char *slash = strrchr(path, '/');
    load_file(ld, path, slash != NULL ? slash + 1 : path, false, system);
}

/* ------------------------------------------------------------------------ */
/* run-parts directories                                                    */
/* ------------------------------------------------------------------------ */

/* Debian's run-parts(8) runs only names made of [A-Za-z0-9_-]: no dots, so
 * backup copies (x.dpkg-old, x.bak, x~) and README.txt are never run. */
static bool run_parts_name(const char *name)
{
    if (name[0] == '\0')
        return false;
    for (const char *c = name; *c != '\0'; c++)
        if (!((*c >= 'a' && *c <= 'z') || (*c >= 'A' && *c <= 'Z') || (*c >= '0' && *c <= '9')
              || *c == '_' || *c == '-'))
            return false;
    return true;
}

/* The command running path: the path single-quoted for SHELL -c. */
static char *shell_quoted(const char *path)
{
    size_t n = 2;
    for (const char *c = path; *c != '\0'; c++)
        n += *c == '\'' ? 4 : 1;
    char *q = malloc(n + 1), *w = q;
    if (q == NULL)
        return NULL;
    *w++ = '\'';
    for (const char *c = path; *c != '\0'; c++) {
        if (*c == '\'') {
            memcpy(w, "'\\''", 4);
            w += 4;
        } else {
            *w++ = *c;
        }
    }
    *w++ = '\'';
    *w = '\0';
    return q;
}

/* path made absolute from the working directory into buf (jobs run in
 * their user's home); path itself when it is absolute or getcwd fails
 * (an error said). */
static const char *absolute(struct load *ld, const char *path, char *buf, size_t len)
{
    char cwd[PATH_MAX];
    if (path[0] == '/')
        return path;
    if (getcwd(cwd, sizeof cwd) == NULL) {
        diag(ld, DIAG_ERROR, path, 0, 0, "getcwd: %s", strerror(errno));
        return path;
    }
    if ((size_t)snprintf(buf, len, "%s/%s", cwd, path) >= len) {
        diag(ld, DIAG_ERROR, path, 0, 0, "path too long");
        return path;
    }
    return buf;
}

/* Is name in dir a script to run? Says why not as a note (or, for a script
 * anyone may write to, an error: anyone could make it run as its user). */
static bool run_parts_script(struct load *ld, const char *dir, const char *name, char *path,
                             size_t len)
{
    struct stat st;
    size_t dlen = strlen(dir);
    bool slash = dlen > 0 && dir[dlen - 1] == '/';
    if ((size_t)snprintf(path, len, "%s%s%s", dir, slash ? "" : "/", name) >= len) {
        diag(ld, DIAG_ERROR, dir, 0, 0, "path of '%s' too long", name);
        return false;
    }
    if (!run_parts_name(name)) {
        diag(ld, DIAG_NOTE, path, 0, 0,
             "skipped: run-parts runs only names made of A-Z, a-z, 0-9, '_' and '-'");
        return false;
    }
    if (stat(path, &st) != 0) {
        diag(ld, errno == ENOENT ? DIAG_WARNING : DIAG_ERROR, path, 0, 0, "cannot read: %s",
             strerror(errno));
        return false;
    }
    if (!S_ISREG(st.st_mode) || (st.st_mode & 0111) == 0) {
        diag(ld, DIAG_NOTE, path, 0, 0, "skipped: %s",
             S_ISREG(st.st_mode) ? "not executable (chmod +x to run it)" : "not a regular file");
        return false;
    }
    return check_mode(ld, path, st.st_mode) == 0;
}

/* Each script of the directory is an entry of one loaded file (the
 * directory), named DIR/NAME. */
static void load_run_parts(struct load *ld, const struct loader_source *src)
{
    struct loader_result *r = ld->r;
    struct stat st;
    if (stat(src->path, &st) != 0) {
        diag(ld, DIAG_ERROR, src->path, 0, 0, "run-parts directory: cannot read: %s",
             strerror(errno));
        return;
    }
    if (!S_ISDIR(st.st_mode)) {
        diag(ld, DIAG_ERROR, src->path, 0, 0, "run-parts: not a directory");
        return;
    }
    struct cronspec spec;
    struct cronspec_error err;
    if (cronspec_parse(src->schedule, NULL, &spec, &err) != 0) {
        diag(ld, DIAG_ERROR, src->path, 0, 0, "run-parts schedule '%s': %s", src->schedule,
             err.msg);
        return;
    }
    if (util_grow((void **)&r->files, r->nfiles, &ld->cap_files, sizeof *r->files) != 0) {
        ld->oom = true;
        return;
    }
    size_t fi = r->nfiles++;
    struct loader_file *f = &r->files[fi];
    memset(f, 0, sizeof *f);
    f->run_parts = true;
    f->path = strdup(src->path);
    f->name = strdup(src->path);
    if (f->path == NULL || f->name == NULL) {
        ld->oom = true;
        return;
    }
    size_t n = 0;
    char **names = dir_names(ld, src->path, false, &n);
    char **ids = calloc(n + 1, sizeof *ids);
    size_t nids = 0;
    if (ids == NULL)
        ld->oom = true;
    for (size_t i = 0; i < n; i++) {
        char path[4096];
        if (!ld->oom && run_parts_script(ld, src->path, names[i], path, sizeof path)) {
            char abs[PATH_MAX + 4096];
            struct crontab_env env = {0};
            char *cmd = shell_quoted(absolute(ld, path, abs, sizeof abs));
            struct crontab_entry e = {.line = (int)nids + 1, .spec = &spec,
                                      .schedule = src->schedule, .user = (char *)src->user,
                                      .command = cmd, .env = &env};
            if (cmd == NULL || crontab_append(&f->tab, &e, NULL, 0) != 0
                || (ids[nids++] = strdup(path)) == NULL)
                ld->oom = true;
            free(cmd);
        }
        free(names[i]);
    }
    free(names);
    size_t first = r->njobs;
    if (!ld->oom)
        file_jobs(ld, fi, NULL, NULL);
    /* each job is named by its script's path, as an INI job by its name */
    for (size_t k = first; k < r->njobs && !ld->oom; k++) {
        struct loader_job *j = &r->jobs[k];
        struct loader_ini *named = calloc(1, sizeof *named);
        if (named == NULL) {
            ld->oom = true;
            break;
        }
        *named = (struct loader_ini){.name = ids[j->entry->line - 1], .overlap = -1};
        ids[j->entry->line - 1] = NULL;
        j->ini = named;
    }
    for (size_t i = 0; i < nids; i++)
        free(ids[i]);
    free(ids);
}

/* ------------------------------------------------------------------------ */
/* [job] sections of the INI file                                           */
/* ------------------------------------------------------------------------ */

/* One INI job as a crontab entry (spec holds its schedule, env its SHELL
 * and zone); false after reporting a bad schedule. */
static bool ini_entry(struct load *ld, const struct config *c, const struct config_job *j,
                      struct crontab_entry *out, struct cronspec *spec, struct crontab_env *env)
{
    struct cronspec_error err;
    struct cronspec_warnings warns;
    /* the same words as a crontab line "SCHEDULE COMMAND" give the same seed */
    uint64_t seed = cronspec_seed(j->schedule, strlen(j->schedule));
    struct cronspec_opts co = {cronspec_seed_add(seed, j->command, strlen(j->command)), &warns};
    memset(out, 0, sizeof *out);
    out->spec = spec;
    out->env = env;
    if (cronspec_parse(j->schedule, &co, spec, &err) != 0) {
        diag(ld, DIAG_ERROR, c->path, j->schedule_line, 0, "job \"%s\": schedule '%s': column %d: %s",
             j->name, j->schedule, err.col, err.msg);
        return false;
    }
    for (size_t i = 0; i < warns.n; i++)
        diag(ld, DIAG_WARNING, c->path, j->schedule_line, 0, "job \"%s\": schedule '%s': column %d: %s",
             j->name, j->schedule, warns.items[i].col, warns.items[i].msg);
    out->line = j->line;
    out->col = 0; /* inih gives no columns */
    out->schedule = j->schedule;
    out->user = j->user;
    out->command = j->command;
    *env = (struct crontab_env){NULL, 0, j->shell, j->timezone,
                                j->timezone_line > 0 ? j->timezone_line : j->line, 0};
    return true;
}

/* The INI file's jobs become one more loaded file, with the INI file's own
 * problems; the entries copy what they need from c. */
static void load_ini(struct load *ld, const struct config *c)
{
    struct loader_result *r = ld->r;
    size_t first_diag = r->diags.n;
    if (diag_add_all(&r->diags, &c->diags, c->path) != 0)
        ld->oom = true;
    /* an array of pointers: NOLINTNEXTLINE(bugprone-sizeof-expression) */
    const struct config_job **good = calloc(c->njobs + 1, sizeof *good);
    if (ld->oom || good == NULL
        || util_grow((void **)&r->files, r->nfiles, &ld->cap_files, sizeof *r->files) != 0) {
        ld->oom = true;
        free(good);
        return;
    }
    struct loader_file *f = &r->files[r->nfiles++];
    memset(f, 0, sizeof *f);
    const char *slash = strrchr(c->path, '/');
    f->path = strdup(c->path);
    f->name = strdup(slash != NULL ? slash + 1 : c->path);
    f->ini = true;
    size_t ngood = 0;
    for (size_t i = 0; i < c->njobs && f->path != NULL && f->name != NULL; i++) {
        struct crontab_entry e;
        struct cronspec spec;
        struct crontab_env env;
        if (!ini_entry(ld, c, &c->jobs[i], &e, &spec, &env))
            continue;
        if (crontab_append(&f->tab, &e, c->jobs[i].env, c->jobs[i].nenv) != 0) {
            ld->oom = true;
            break;
        }
        good[ngood++] = &c->jobs[i];
    }
    if (f->path == NULL || f->name == NULL)
        ld->oom = true;
    else if (!ld->oom)
        file_jobs(ld, r->nfiles - 1, good, NULL);
    /* the INI file's own problems come first, those about its jobs (zones,
     * users) after, but they read in line order */
    diag_sort_lines(&r->diags, first_diag);
    free(good);
}

/* Two crontabs with one name (-f a/app.cron -f b/app.cron) would give
 * their jobs the same ids: those jobs are named by path instead. */
static void ids_unique(struct loader_result *r)
{
    for (size_t i = 0; i < r->nfiles; i++)
        for (size_t k = i + 1; k < r->nfiles; k++)
            if (!r->files[i].ini && !r->files[k].ini
                && strcmp(r->files[i].name, r->files[k].name) == 0)
                r->files[i].id_by_path = r->files[k].id_by_path = true;
}

const char *loader_job_id(const struct loader_job *j, char *buf, size_t len)
{
    if (j->ini != NULL)
        return j->ini->name;
    snprintf(buf, len, "%s:%d", j->file->id_by_path ? j->file->path : j->file->name,
             j->entry->line);
    return buf;
}

/* The files are where they stay: each job gets its file, and the arrays
 * that live as long as the result lose their spare room. */
static void load_finish(struct load *ld)
{
    struct loader_result *r = ld->r;
    for (size_t i = 0; i < r->njobs; i++)
        r->jobs[i].file = &r->files[ld->file_of[i]];
    if (r->njobs > 0 && r->njobs < ld->cap_jobs) {
        struct loader_job *fit = realloc(r->jobs, r->njobs * sizeof *fit);
        if (fit != NULL)
            r->jobs = fit;
    }
    free(ld->file_of);
    ld->file_of = NULL;
}

int loader_load(const struct loader_source *src, size_t nsrc, const struct loader_opts *opts,
                struct loader_result *out)
{
    memset(out, 0, sizeof *out);
    struct load ld = {.r = out, .o = opts};
    for (size_t i = 0; i < nsrc && !ld.oom; i++) {
        ld.owner = src[i].format == LOADER_USER_FORMAT ? src[i].user : NULL;
        if (src[i].format == LOADER_RUN_PARTS)
            load_run_parts(&ld, &src[i]);
        else
            load_path(&ld, src[i].path, src[i].format == LOADER_SYSTEM_FORMAT);
    }
    if (opts->ini != NULL && !ld.oom)
        load_ini(&ld, opts->ini);
    ids_unique(out);
    load_finish(&ld);
    return ld.oom ? -1 : 0;
}

void loader_result_free(struct loader_result *r)
{
    for (size_t i = 0; i < r->nfiles; i++) {
        free(r->files[i].path);
        free(r->files[i].name);
        free(r->files[i].owner);
        crontab_free(&r->files[i].tab);
    }
    for (size_t i = 0; i < r->njobs; i++) {
        if (r->jobs[i].user != NULL)
            user_free(r->jobs[i].user);
        free(r->jobs[i].user);
        if (r->jobs[i].ini != NULL) {
            free(r->jobs[i].ini->name);
            free(r->jobs[i].ini->workdir);
            free(r->jobs[i].ini->on_failure);
            free(r->jobs[i].ini->on_success);
            free(r->jobs[i].ini);
        }
    }
    diag_list_free(&r->diags);
    free(r->files);
    free(r->jobs);
    memset(r, 0, sizeof *r);
}

_Static_assert(LOADER_MAX_SOURCES >= 3 * OPTIONS_MAX_FILES + COMPAT_MAX_FILES, "room for every path");

size_t loader_sources(const struct options *o, struct loader_source out[LOADER_MAX_SOURCES])
{
    size_t n = 0;
    enum loader_format f = o->system ? LOADER_SYSTEM_FORMAT : LOADER_USER_FORMAT;
    for (size_t i = 0; i < o->nfiles; i++)
        out[n++] = (struct loader_source){o->files[i], f, NULL, NULL};
    for (size_t i = 0; i < o->nsystem_files; i++)
        out[n++] = (struct loader_source){o->system_files[i], LOADER_SYSTEM_FORMAT, NULL, NULL};
    for (size_t i = 0; i < o->compat.nuser_files; i++)
        out[n++] = (struct loader_source){o->compat.user_files[i].path, LOADER_USER_FORMAT,
                                          o->compat.user_files[i].user, NULL};
    for (size_t i = 0; i < o->nrun_parts; i++)
        out[n++] = (struct loader_source){o->run_parts[i].dir, LOADER_RUN_PARTS,
                                          o->run_parts[i].user, o->run_parts[i].schedule};
    if (n == 0)
        out[n++] = (struct loader_source){OPTIONS_DEFAULT_FILE, f, NULL, NULL};
    return n;
}

size_t loader_paths(const struct options *o, const char *out[LOADER_MAX_SOURCES])
{
    struct loader_source src[LOADER_MAX_SOURCES];
    size_t n = loader_sources(o, src);
    for (size_t i = 0; i < n; i++)
        out[i] = src[i].path;
    return n;
}

int loader_load_options(const struct options *o, const struct config *ini,
                        struct zone_cache *zones, const struct zone *default_zone, int64_t now,
                        struct loader_result *out)
{
    struct config again = {0};
    if (ini == NULL && o->config != NULL) {
        if (config_load(o->config, &again) < 0) {
            config_free(&again);
            memset(out, 0, sizeof *out);
            return -1;
        }
        ini = &again;
    }
    struct loader_opts lo = {
        .percent_newline = o->percent_newline,
        .ini = ini,
        .default_zone = default_zone,
        .zones = zones,
        .now = now,
        .as_root = geteuid() == 0,
        .uid = (unsigned)geteuid(),
        .others_as_self = o->compat.others_as_self,
    };
    struct loader_source src[LOADER_MAX_SOURCES];
    size_t nsrc = loader_sources(o, src);
    int rc = loader_load(src, nsrc, &lo, out);
    config_free(&again);
    return rc;
}
