/* loader: crontab files and directories to jobs (see loader.h). */
#include "crond/loader.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "crond/calendar.h"
#include "crond/config.h"
#include "crond/runner.h"
#include "crond/zone.h"

/* A crontab bigger than this is refused rather than read into memory. */
#define LOADER_MAX_FILE_BYTES ((size_t)64 * 1024 * 1024)

/* ------------------------------------------------------------------------ */
/* Growing arrays and diagnostics                                           */
/* ------------------------------------------------------------------------ */

static int grow(void **arr, size_t n, size_t *cap, size_t elem)
{
    if (n < *cap)
        return 0;
    size_t ncap = *cap ? *cap * 2 : 8;
    void *p = realloc(*arr, ncap * elem);
    if (p == NULL)
        return -1;
    *arr = p;
    *cap = ncap;
    return 0;
}

/* Builder state: the result plus array capacities. */
struct load {
    struct loader_result *r;
    const struct loader_opts *o;
    size_t cap_files, cap_jobs, cap_diags;
    bool oom;
};

static void diag(struct load *ld, enum loader_severity sev, const char *file, int line, int col,
                 const char *fmt, ...) __attribute__((format(printf, 6, 7)));

static void diag(struct load *ld, enum loader_severity sev, const char *file, int line, int col,
                 const char *fmt, ...)
{
    struct loader_result *r = ld->r;
    char msg[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    if (grow((void **)&r->diags, r->ndiags, &ld->cap_diags, sizeof *r->diags) != 0) {
        ld->oom = true;
        return;
    }
    struct loader_diag *d = &r->diags[r->ndiags];
    *d = (struct loader_diag){sev, strdup(file), line, col, strdup(msg)};
    if (d->file == NULL || d->msg == NULL) {
        free(d->file);
        free(d->msg);
        ld->oom = true;
        return;
    }
    r->ndiags++;
    if (sev == LOADER_ERROR)
        r->nerrors++;
}

int loader_diag_format(const struct loader_diag *d, char *buf, size_t len)
{
    const char *sev = d->severity == LOADER_WARNING ? "warning: " : "";
    if (d->line == 0)
        return snprintf(buf, len, "%s: %s%s", d->file, sev, d->msg);
    return snprintf(buf, len, "%s:%d:%d: %s%s", d->file, d->line, d->col, sev, d->msg);
}

/* ------------------------------------------------------------------------ */
/* Reading one file                                                         */
/* ------------------------------------------------------------------------ */

/* crontab files writable by others are refused: anyone could make the
 * daemon's user run anything. Group-writable is common on shared volumes, so
 * it is only warned about. */
static int check_mode(struct load *ld, const char *path, const struct stat *st)
{
    if (st->st_mode & S_IWOTH) {
        diag(ld, LOADER_ERROR, path, 0, 0,
             "writable by others (mode %04o), refused: run chmod o-w on it",
             (unsigned)(st->st_mode & 07777));
        return -1;
    }
    if (st->st_mode & S_IWGRP)
        diag(ld, LOADER_WARNING, path, 0, 0, "writable by its group (mode %04o)",
             (unsigned)(st->st_mode & 07777));
    return 0;
}

static void close_checked(struct load *ld, const char *path, int fd)
{
    if (close(fd) != 0 && errno != EINTR)
        diag(ld, LOADER_WARNING, path, 0, 0, "close: %s", strerror(errno));
}

static char *read_all(struct load *ld, const char *path, size_t *out_len)
{
    /* O_NONBLOCK: a FIFO named as a crontab must not hang the daemon; it
     * is refused below as not a regular file. */
    int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
    if (fd < 0) {
        diag(ld, LOADER_ERROR, path, 0, 0, "cannot open: %s", strerror(errno));
        return NULL;
    }
    struct stat st;
    char *buf = NULL;
    if (fstat(fd, &st) != 0) {
        diag(ld, LOADER_ERROR, path, 0, 0, "cannot stat: %s", strerror(errno));
    } else if (!S_ISREG(st.st_mode)) {
        diag(ld, LOADER_ERROR, path, 0, 0, "not a regular file");
    } else if (st.st_size > (off_t)LOADER_MAX_FILE_BYTES) {
        diag(ld, LOADER_ERROR, path, 0, 0, "larger than %zu MiB", LOADER_MAX_FILE_BYTES >> 20);
    } else if (check_mode(ld, path, &st) == 0) {
        buf = malloc((size_t)st.st_size + 1);
        size_t got = 0;
        while (buf != NULL && got <= (size_t)st.st_size) {
            ssize_t n = read(fd, buf + got, (size_t)st.st_size + 1 - got);
            if (n < 0 && errno == EINTR)
                continue;
            if (n <= 0) {
                if (n < 0)
                    diag(ld, LOADER_ERROR, path, 0, 0, "cannot read: %s", strerror(errno));
                break;
            }
            got += (size_t)n;
        }
        if (buf == NULL)
            ld->oom = true;
        *out_len = got;
        /* The file may have grown between fstat and read: it is read again on
         * the next reload, so what was read up to the known size stands. */
        if (got > (size_t)st.st_size)
            *out_len = (size_t)st.st_size;
    }
    close_checked(ld, path, fd);
    return buf;
}

/* ------------------------------------------------------------------------ */
/* Entries to jobs                                                          */
/* ------------------------------------------------------------------------ */

/* The zone of an entry, or NULL after reporting an unknown name (once per
 * place it was written). */
static const struct zone *entry_zone(struct load *ld, const struct loader_file *f,
                                     const struct crontab_entry *e, int *last_bad_line)
{
    if (e->tz == NULL)
        return ld->o->default_zone;
    char err[256];
    const struct zone *z = zone_cache_get(ld->o->zones, e->tz, err, sizeof err);
    if (z == NULL && *last_bad_line != e->tz_line) {
        diag(ld, LOADER_ERROR, f->path, e->tz_line, e->tz_col, "%s", err);
        *last_bad_line = e->tz_line;
    }
    return z;
}

/* Whom entry e of file f runs as: *out_user stays NULL for the user
 * crond-lite runs as. Returns -1 after reporting a problem at line:col. */
static int entry_user(struct load *ld, const struct loader_file *f,
                      const struct crontab_entry *e, int line, int col,
                      struct runner_user **out_user)
{
    const char *name = e->user;
    bool from_file = name == NULL && f->in_dir && ld->o->as_root && !ld->o->system;
    if (from_file)
        name = f->name;
    if (name == NULL)
        return 0;
    struct runner_user u;
    char err[256];
    if (runner_lookup_user(name, &u, err, sizeof err) != 0) {
        if (from_file)
            return 0; /* a file not named after a user runs as crond-lite's user */
        diag(ld, LOADER_ERROR, f->path, line, col, "%s", err);
        return -1;
    }
    if (u.uid == ld->o->uid) {
        runner_user_free(&u);
        return 0;
    }
    if (!ld->o->as_root) {
        diag(ld, LOADER_ERROR, f->path, line, col,
             "cannot run as user '%s' (uid %u): crond-lite runs as uid %u, not root, and "
             "only root can run jobs as another user", name, (unsigned)u.uid, ld->o->uid);
        runner_user_free(&u);
        return -1;
    }
    *out_user = malloc(sizeof **out_user);
    if (*out_user == NULL) {
        runner_user_free(&u);
        ld->oom = true;
        return -1;
    }
    **out_user = u;
    return 0;
}

static int add_job(struct load *ld, size_t file, const struct crontab_entry *e,
                   const struct zone *z, struct runner_user *user, const char *ini_name)
{
    struct loader_result *r = ld->r;
    if (grow((void **)&r->jobs, r->njobs, &ld->cap_jobs, sizeof *r->jobs) != 0)
        return -1;
    const char *name = r->files[file].name;
    size_t len = strlen(name) + 16;
    char *id = ini_name != NULL ? strdup(ini_name) : malloc(len);
    if (id == NULL)
        return -1;
    if (ini_name == NULL)
        snprintf(id, len, "%s:%d", name, e->line);
    r->jobs[r->njobs++] = (struct loader_job){id, e, z, file, user, 0, -1, NULL};
    return 0;
}

/* ini: for INI jobs, the config job of each entry (same order), else NULL. */
static void file_jobs(struct load *ld, size_t fi, const struct config_job *const *ini)
{
    const struct loader_file *f = &ld->r->files[fi];
    int last_bad_tz = -1;
    for (size_t i = 0; i < f->tab.nentries && !ld->oom; i++) {
        const struct crontab_entry *e = &f->tab.entries[i];
        const struct config_job *cj = ini != NULL ? ini[i] : NULL;
        /* an INI job's problems are at the line of their key, column 0 */
        int sched_line = cj != NULL ? cj->schedule_line : e->line;
        int user_line = cj != NULL ? (cj->user_line > 0 ? cj->user_line : cj->line) : e->line;
        const struct zone *z = entry_zone(ld, f, e, &last_bad_tz);
        if (z == NULL)
            continue;
        int64_t next;
        if (calendar_next(&e->spec, z, ld->o->now, &next) == CALENDAR_NEVER) {
            diag(ld, LOADER_ERROR, f->path, sched_line, e->col,
                 "schedule '%s' can never fire (in %s, after now)", e->schedule, zone_name(z));
            continue;
        }
        struct runner_user *user = NULL;
        if (entry_user(ld, f, e, user_line, e->col, &user) != 0)
            continue;
        if (add_job(ld, fi, e, z, user, cj != NULL ? cj->name : NULL) != 0) {
            runner_user_free(user);
            free(user);
            ld->oom = true;
        } else if (cj != NULL) {
            struct loader_job *j = &ld->r->jobs[ld->r->njobs - 1];
            j->timeout_ms = cj->timeout_ms;
            j->overlap = cj->overlap;
            if (cj->workdir != NULL && (j->workdir = strdup(cj->workdir)) == NULL)
                ld->oom = true;
        }
    }
}

static void load_file(struct load *ld, const char *path, const char *name, bool in_dir)
{
    struct loader_result *r = ld->r;
    size_t len = 0;
    char *text = read_all(ld, path, &len);
    if (text == NULL)
        return;
    if (grow((void **)&r->files, r->nfiles, &ld->cap_files, sizeof *r->files) != 0) {
        free(text);
        ld->oom = true;
        return;
    }
    struct loader_file *f = &r->files[r->nfiles];
    memset(f, 0, sizeof *f);
    f->path = strdup(path);
    f->name = strdup(name);
    f->in_dir = in_dir;
    struct crontab_opts co = {ld->o->system, ld->o->percent_newline};
    int rc = crontab_parse(text, len, &co, &f->tab);
    free(text);
    r->nfiles++;
    if (rc < 0 || f->path == NULL || f->name == NULL) {
        ld->oom = true;
        return;
    }
    for (size_t i = 0; i < f->tab.ndiags; i++) {
        const struct crontab_diag *d = &f->tab.diags[i];
        diag(ld, LOADER_ERROR, path, d->line, d->col, "%s", d->msg);
    }
    file_jobs(ld, r->nfiles - 1, NULL);
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

/* The names of a directory that are not skipped, sorted (so job order and
 * messages do not depend on the file system). */
static char **dir_names(struct load *ld, const char *dir, size_t *out_n)
{
    DIR *d = opendir(dir); /* glibc opens directory streams close-on-exec */
    if (d == NULL) {
        diag(ld, LOADER_ERROR, dir, 0, 0, "cannot open directory: %s", strerror(errno));
        return NULL;
    }
    char **names = NULL;
    size_t n = 0, cap = 0;
    struct dirent *de;
    errno = 0;
    while ((de = readdir(d)) != NULL) {
        if (loader_name_skipped(de->d_name))
            continue;
        if (grow((void **)&names, n, &cap, sizeof *names) != 0
            || (names[n] = strdup(de->d_name)) == NULL) {
            ld->oom = true;
            break;
        }
        n++;
        errno = 0;
    }
    if (errno != 0)
        diag(ld, LOADER_ERROR, dir, 0, 0, "cannot read directory: %s", strerror(errno));
    if (closedir(d) != 0)
        diag(ld, LOADER_WARNING, dir, 0, 0, "closedir: %s", strerror(errno));
    if (n > 1) /* qsort(NULL, 0) is undefined */
        qsort(names, n, sizeof *names, cmp_names);
    *out_n = n;
    return names;
}

static void load_dir(struct load *ld, const char *dir)
{
    size_t n = 0;
    char **names = dir_names(ld, dir, &n);
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
            diag(ld, LOADER_ERROR, dir, 0, 0, "path of '%s' too long", names[i]);
        else if (stat(path, &st) != 0)
            diag(ld, errno == ENOENT ? LOADER_WARNING : LOADER_ERROR, path, 0, 0,
                 "cannot read: %s", strerror(errno));
        else if (S_ISREG(st.st_mode))
            load_file(ld, path, names[i], true);
        free(names[i]);
    }
    free(names);
}

static void load_path(struct load *ld, const char *path)
{
    struct stat st;
    if (stat(path, &st) != 0) {
        diag(ld, LOADER_ERROR, path, 0, 0, "cannot read: %s", strerror(errno));
        return;
    }
    if (S_ISDIR(st.st_mode)) {
        load_dir(ld, path);
        return;
    }
    const char *slash = strrchr(path, '/');
    load_file(ld, path, slash != NULL ? slash + 1 : path, false);
}

/* ------------------------------------------------------------------------ */
/* [job] sections of the INI file                                           */
/* ------------------------------------------------------------------------ */

/* One INI job as a crontab entry; false after reporting a bad schedule. */
static bool ini_entry(struct load *ld, const struct config *c, const struct config_job *j,
                      struct crontab_entry *out)
{
    struct cronspec_error err;
    memset(out, 0, sizeof *out);
    if (cronspec_parse(j->schedule, &out->spec, &err) != 0) {
        diag(ld, LOADER_ERROR, c->path, j->schedule_line, 0, "job \"%s\": schedule '%s': column %d: %s",
             j->name, j->schedule, err.col, err.msg);
        return false;
    }
    out->line = j->line;
    out->col = 0; /* inih gives no columns */
    out->schedule = j->schedule;
    out->user = j->user;
    out->command = j->command;
    out->shell = j->shell;
    out->tz = j->timezone;
    out->tz_line = j->timezone_line > 0 ? j->timezone_line : j->line;
    out->tz_col = 0;
    return true;
}

/* The INI file's jobs become one more loaded file: a config keeps its jobs
 * in the order written, with its own diags; the config struct lives only
 * here (the entries copy what they need). */
/* The diags from first on, stably by line: the INI file's own come first,
 * those about its jobs (zones, users) after, but they read in line order. */
static void diags_sort_lines(struct loader_result *r, size_t first)
{
    for (size_t i = first + 1; i < r->ndiags; i++) {
        struct loader_diag d = r->diags[i];
        size_t k = i;
        for (; k > first && r->diags[k - 1].line > d.line; k--)
            r->diags[k] = r->diags[k - 1];
        r->diags[k] = d;
    }
}

static void load_ini(struct load *ld, const char *path)
{
    struct config c;
    size_t first_diag = ld->r->ndiags;
    int rc = config_load(path, &c);
    for (size_t i = 0; i < c.ndiags; i++)
        diag(ld, LOADER_ERROR, path, c.diags[i].line, 0, "%s", c.diags[i].msg);
    struct loader_result *r = ld->r;
    /* an array of pointers: NOLINTNEXTLINE(bugprone-sizeof-expression) */
    const struct config_job **good = calloc(c.njobs + 1, sizeof *good);
    if (rc < 0 || good == NULL
        || grow((void **)&r->files, r->nfiles, &ld->cap_files, sizeof *r->files) != 0) {
        ld->oom = true;
        free(good);
        config_free(&c);
        return;
    }
    struct loader_file *f = &r->files[r->nfiles++];
    memset(f, 0, sizeof *f);
    const char *slash = strrchr(path, '/');
    f->path = strdup(path);
    f->name = strdup(slash != NULL ? slash + 1 : path);
    f->ini = true;
    size_t ngood = 0;
    for (size_t i = 0; i < c.njobs && f->path != NULL && f->name != NULL; i++) {
        struct crontab_entry e;
        if (!ini_entry(ld, &c, &c.jobs[i], &e))
            continue;
        if (crontab_append(&f->tab, &e, c.jobs[i].env, c.jobs[i].nenv) != 0) {
            ld->oom = true;
            break;
        }
        good[ngood++] = &c.jobs[i];
    }
    if (f->path == NULL || f->name == NULL)
        ld->oom = true;
    else if (!ld->oom)
        file_jobs(ld, r->nfiles - 1, good);
    diags_sort_lines(r, first_diag);
    free(good);
    config_free(&c);
}

/* Two crontabs with one name (-f a/app.cron -f b/app.cron) would give
 * their jobs the same ids: those jobs are named by path instead. */
static void ids_unique(struct load *ld)
{
    struct loader_result *r = ld->r;
    bool *shared = calloc(r->nfiles + 1, sizeof *shared);
    if (shared == NULL) {
        ld->oom = true;
        return;
    }
    for (size_t i = 0; i < r->nfiles; i++)
        for (size_t k = i + 1; k < r->nfiles; k++)
            if (!r->files[i].ini && !r->files[k].ini
                && strcmp(r->files[i].name, r->files[k].name) == 0)
                shared[i] = shared[k] = true;
    for (size_t i = 0; i < r->njobs && !ld->oom; i++) {
        struct loader_job *j = &r->jobs[i];
        if (!shared[j->file])
            continue;
        const char *path = r->files[j->file].path;
        size_t len = strlen(path) + 16;
        char *id = malloc(len);
        if (id == NULL) {
            ld->oom = true;
            break;
        }
        snprintf(id, len, "%s:%d", path, j->entry->line);
        free(j->id);
        j->id = id;
    }
    free(shared);
}

int loader_load(const char *const *paths, size_t npaths, const struct loader_opts *opts,
                struct loader_result *out)
{
    memset(out, 0, sizeof *out);
    struct load ld = {.r = out, .o = opts};
    for (size_t i = 0; i < npaths && !ld.oom; i++)
        load_path(&ld, paths[i]);
    if (opts->ini_path != NULL && !ld.oom)
        load_ini(&ld, opts->ini_path);
    if (!ld.oom)
        ids_unique(&ld);
    return ld.oom ? -1 : 0;
}

void loader_result_free(struct loader_result *r)
{
    for (size_t i = 0; i < r->nfiles; i++) {
        free(r->files[i].path);
        free(r->files[i].name);
        crontab_free(&r->files[i].tab);
    }
    for (size_t i = 0; i < r->njobs; i++) {
        free(r->jobs[i].id);
        if (r->jobs[i].user != NULL)
            runner_user_free(r->jobs[i].user);
        free(r->jobs[i].user);
        free((char *)r->jobs[i].workdir);
    }
    for (size_t i = 0; i < r->ndiags; i++) {
        free(r->diags[i].file);
        free(r->diags[i].msg);
    }
    free(r->files);
    free(r->jobs);
    free(r->diags);
    memset(r, 0, sizeof *r);
}
