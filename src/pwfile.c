/* pwfile: passwd(5) and group(5) lookups without NSS (see pwfile.h). */
#include "crond/pwfile.h"

#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The most fields any line is split into (passwd has 7). */
enum { MAX_FIELDS = 7 };

/* Splits line at ':' into at most max fields, in place. Returns the count;
 * a line with more colons than max keeps them in its last field. */
static size_t split(char *line, char **fields, size_t max)
{
    size_t n = 0;
    fields[n++] = line;
    for (char *p = line; *p != '\0' && n < max; p++) {
        if (*p == ':') {
            *p = '\0';
            fields[n++] = p + 1;
        }
    }
    return n;
}

bool pwfile_parse_id(const char *s, uint32_t *out)
{
    if (*s == '\0')
        return false;
    uint64_t v = 0;
    for (; *s != '\0'; s++) {
        if (*s < '0' || *s > '9')
            return false;
        v = v * 10 + (uint64_t)(*s - '0');
        if (v >= UINT32_MAX)
            return false;
    }
    *out = (uint32_t)v;
    return true;
}

/* Entries named "" or starting with + or - (NIS compat) are never matched. */
static bool usable_name(const char *name)
{
    return name[0] != '\0' && name[0] != '+' && name[0] != '-';
}

/* Calls match(fields, ctx) on each line of f that has min_fields to
 * max_fields fields (missing ones are ""), until it returns nonzero. Returns
 * what match returned, 0 at the end, -1 with errno. */
static int scan_stream(FILE *f, size_t min_fields, size_t max_fields,
                       int (*match)(char **fields, void *ctx), void *ctx)
{
    char *line = NULL;
    size_t cap = 0;
    int found = 0;
    ssize_t len;
    errno = 0;
    while (found == 0 && (len = getline(&line, &cap, f)) >= 0) {
        if (len > 0 && line[len - 1] == '\n')
            line[len - 1] = '\0';
        char *fields[MAX_FIELDS];
        size_t n = line[0] == '#' ? 0 : split(line, fields, max_fields);
        if (n < min_fields || !usable_name(fields[0]))
            continue;
        for (; n < max_fields; n++)
            fields[n] = line + len; /* the empty string at the line's end */
        found = match(fields, ctx);
        errno = 0;
    }
    int saved = errno;
    bool read_error = found == 0 && ferror(f);
    free(line);
    if (found < 0 || read_error) {
        errno = saved != 0 ? saved : EIO;
        return -1;
    }
    return found;
}

/* scan_stream on the file at path; a file that does not exist has no
 * entries. */
static int scan(const char *path, size_t min_fields, size_t max_fields,
                int (*match)(char **fields, void *ctx), void *ctx)
{
    FILE *f = fopen(path, "re");
    if (f == NULL)
        return errno == ENOENT ? 0 : -1;
    int rc = scan_stream(f, min_fields, max_fields, match, ctx);
    int saved = errno;
    fclose(f); /* read-only: nothing to lose */
    errno = saved;
    return rc;
}

struct user_query {
    const char *name;
    uid_t uid;
    struct pwfile_user *out;
};

/* passwd: name:password:uid:gid:gecos:home:shell */
static int user_match(char **f, void *ctx)
{
    struct user_query *q = ctx;
    uint32_t uid, gid;
    if (!pwfile_parse_id(f[2], &uid) || !pwfile_parse_id(f[3], &gid))
        return 0;
    if (q->name != NULL ? strcmp(f[0], q->name) != 0 : (uid_t)uid != q->uid)
        return 0;
    q->out->uid = (uid_t)uid;
    q->out->gid = (gid_t)gid;
    q->out->name = strdup(f[0]);
    q->out->home = strdup(f[5]);
    if (q->out->name == NULL || q->out->home == NULL) {
        pwfile_user_free(q->out);
        errno = ENOMEM;
        return -1;
    }
    return 1;
}

/* The shell field may be missing: 6 or 7 fields. */
#define USER_FIELDS_MIN 6
#define USER_FIELDS_MAX 7

int pwfile_find_user(const char *path, const char *name, uid_t uid, struct pwfile_user *out)
{
    *out = (struct pwfile_user){0};
    struct user_query q = {.name = name, .uid = uid, .out = out};
    return scan(path, USER_FIELDS_MIN, USER_FIELDS_MAX, user_match, &q);
}

int pwfile_find_user_in(FILE *f, const char *name, uid_t uid, struct pwfile_user *out)
{
    *out = (struct pwfile_user){0};
    struct user_query q = {.name = name, .uid = uid, .out = out};
    return scan_stream(f, USER_FIELDS_MIN, USER_FIELDS_MAX, user_match, &q);
}

void pwfile_user_free(struct pwfile_user *u)
{
    if (u == NULL)
        return;
    free(u->name);
    free(u->home);
    u->name = NULL;
    u->home = NULL;
}

struct group_query {
    const char *name;
    gid_t *out;
};

/* group: name:password:gid:members */
static int group_match(char **f, void *ctx)
{
    struct group_query *q = ctx;
    uint32_t gid;
    if (strcmp(f[0], q->name) != 0 || !pwfile_parse_id(f[2], &gid))
        return 0;
    *q->out = (gid_t)gid;
    return 1;
}

/* The member list may be missing: 3 or 4 fields. */
#define GROUP_FIELDS_MIN 3
#define GROUP_FIELDS_MAX 4

int pwfile_find_group(const char *path, const char *name, gid_t *out_gid)
{
    struct group_query q = {.name = name, .out = out_gid};
    return scan(path, GROUP_FIELDS_MIN, GROUP_FIELDS_MAX, group_match, &q);
}

int pwfile_find_group_in(FILE *f, const char *name, gid_t *out_gid)
{
    struct group_query q = {.name = name, .out = out_gid};
    return scan_stream(f, GROUP_FIELDS_MIN, GROUP_FIELDS_MAX, group_match, &q);
}
