/* fuzz_pwfile: the passwd and group reader (pwfile_find_user_in,
 * pwfile_find_group_in through fmemopen, and pwfile_parse_id). See
 * README.md.
 *
 * Input: a name to look up, up to the first newline; the rest is the file
 * (passwd and group alike).
 *
 * Queries: that name and the first fields of the file's first MAX_QUERIES
 * lines as user and group names; that name and the third fields of those
 * lines as uids, when they are ids.
 *
 * Properties, against a reader written here from passwd(5) and group(5)
 * as pwfile.h describes them (a NUL byte ends a line's text, '#' lines,
 * lines with too few fields, bad ids, empty names and NIS +/- entries are
 * skipped, the first match wins):
 * - the return value is 1 exactly when the reader here finds a line, and
 *   the entry is that line's: the name asked for (or the uid asked for),
 *   and that line's name, uid, gid and home (so the line is in the input);
 *   name and home hold no ':' or '\n'; pwfile_user_free clears them;
 * - with none, 0 and nothing allocated (user), or the gid left alone;
 * - pwfile_parse_id agrees with a plain reference on the name and on every
 *   id field read: digits only, at most 4294967294, the value.
 */
#include <stdbool.h>

#include "crond/pwfile.h"
#include "fuzz.h"

#define MAX_QUERIES 4 /* lines whose first and third fields are asked for */

/* ------------------------------------------------------- the reader here */

/* A uid or gid: digits only, without leading zeros at most "4294967294"
 * (4294967295 means "no change" to setuid and chown). */
static bool ref_id(const char *s, uint32_t *out)
{
    size_t n = strlen(s);
    if (n == 0 || strspn(s, "0123456789") != n)
        return false;
    while (n > 1 && *s == '0') {
        s++;
        n--;
    }
    if (n > 10 || (n == 10 && strcmp(s, "4294967294") > 0))
        return false;
    *out = (uint32_t)strtoul(s, NULL, 10);
    return true;
}

/* pwfile_parse_id against ref_id; the result is ref_id's. */
static bool check_id(const char *s, uint32_t *out)
{
    uint32_t want = 0, got = 7;
    bool ok = ref_id(s, &want);
    bool pw = pwfile_parse_id(s, &got);
    CHECKF(pw == ok, "'%s': pwfile_parse_id %d, reference %d", s, pw, ok);
    CHECKF(ok ? got == want : got == 7, "'%s': %u, reference %u", s, got, want);
    *out = want;
    return ok;
}

/* A walk over the file's lines, each split at ':' into at most max fields
 * (the last keeps further colons). */
struct ref_scan {
    const char *p, *end; /* the lines not read yet */
    size_t max;          /* fields: 7 for passwd, 4 for group */
    char *text;          /* the current line up to its newline or first NUL */
    char *f[7];          /* its fields; missing ones are "" */
    size_t nf;           /* fields present */
};

static void ref_scan_init(struct ref_scan *s, const char *file, size_t len, size_t max)
{
    s->p = file;
    s->end = file + len;
    s->max = max;
    s->text = malloc(len + 1); /* no line is longer than the file */
    CHECK(s->text != NULL);
}

/* Reads the next line. Returns false past the last one. */
static bool ref_scan_next(struct ref_scan *s)
{
    if (s->p >= s->end)
        return false;
    const char *nl = memchr(s->p, '\n', (size_t)(s->end - s->p));
    size_t n = (size_t)((nl != NULL ? nl : s->end) - s->p);
    size_t text = strnlen(s->p, n);
    memcpy(s->text, s->p, text);
    s->text[text] = '\0';
    s->p = nl != NULL ? nl + 1 : s->end;
    s->nf = 0;
    s->f[s->nf++] = s->text;
    for (char *c = s->text; *c != '\0' && s->nf < s->max; c++)
        if (*c == ':') {
            *c = '\0';
            s->f[s->nf++] = c + 1;
        }
    for (size_t i = s->nf; i < 7; i++)
        s->f[i] = s->text + text;
    return true;
}

/* A line that can be an entry at all. */
static bool ref_usable(const struct ref_scan *s, size_t min)
{
    const char *name = s->f[0];
    return s->text[0] != '#' && s->nf >= min && name[0] != '\0' && name[0] != '+'
        && name[0] != '-';
}

/* Finds the entry for name (or uid when name is NULL); s is on its line.
 * Returns its line number (from 1), or 0. */
static size_t ref_find_user(struct ref_scan *s, const char *name, uint32_t uid)
{
    uint32_t u, g;
    for (size_t k = 1; ref_scan_next(s); k++) {
        if (!ref_usable(s, 6) || !check_id(s->f[2], &u) || !check_id(s->f[3], &g))
            continue;
        if (name != NULL ? strcmp(s->f[0], name) == 0 : u == uid)
            return k;
    }
    return 0;
}

static size_t ref_find_group(struct ref_scan *s, const char *name)
{
    uint32_t g;
    for (size_t k = 1; ref_scan_next(s); k++)
        if (ref_usable(s, 3) && strcmp(s->f[0], name) == 0 && check_id(s->f[2], &g))
            return k;
    return 0;
}

/* ----------------------------------------------------------------- checks */

static FILE *open_text(const char *file, size_t len)
{
    FILE *f = fmemopen((void *)file, len, "r");
    CHECK(f != NULL);
    return f;
}

static void check_user(const char *file, size_t len, const char *name, uint32_t uid)
{
    struct pwfile_user u;
    struct ref_scan l;
    uint32_t id;
    FILE *f = open_text(file, len);
    int rc = pwfile_find_user_in(f, name, (uid_t)uid, &u);
    fclose(f);
    ref_scan_init(&l, file, len, 7);
    size_t k = ref_find_user(&l, name, uid);
    CHECKF(rc == (k > 0), "user '%s' (uid %u): rc %d, reference line %zu", name ? name : "",
           uid, rc, k);
    if (rc == 0) {
        CHECK(u.name == NULL && u.home == NULL);
    } else {
        CHECK(u.name != NULL && u.home != NULL);
        CHECK(name != NULL ? strcmp(u.name, name) == 0 : u.uid == uid);
        CHECKF(strcmp(u.name, l.f[0]) == 0 && strcmp(u.home, l.f[5]) == 0,
               "'%s' home '%s'; line %zu has '%s' '%s'", u.name, u.home, k, l.f[0], l.f[5]);
        CHECK(check_id(l.f[2], &id) && u.uid == id && check_id(l.f[3], &id) && u.gid == id);
        CHECK(strpbrk(u.name, ":\n") == NULL && strpbrk(u.home, ":\n") == NULL);
        pwfile_user_free(&u);
        CHECK(u.name == NULL && u.home == NULL);
    }
    free(l.text);
}

static void check_group(const char *file, size_t len, const char *name)
{
    struct ref_scan l;
    gid_t gid = 12345;
    uint32_t id = 0;
    FILE *f = open_text(file, len);
    int rc = pwfile_find_group_in(f, name, &gid);
    fclose(f);
    ref_scan_init(&l, file, len, 4);
    size_t k = ref_find_group(&l, name);
    CHECKF(rc == (k > 0), "group '%s': rc %d, reference line %zu", name, rc, k);
    if (rc == 0)
        CHECK(gid == 12345);
    else
        CHECK(check_id(l.f[2], &id) && gid == id);
    free(l.text);
}

/* Field i (0-based) of the file's first lines, as heap strings (NULL where
 * a line or field is missing). */
static void fields_of(const char *file, size_t len, size_t i, char **out)
{
    struct ref_scan l;
    ref_scan_init(&l, file, len, 7);
    for (size_t k = 0; k < MAX_QUERIES; k++) {
        out[k] = NULL;
        if (ref_scan_next(&l) && i < l.nf) {
            out[k] = strdup(l.f[i]);
            CHECK(out[k] != NULL);
        }
    }
    free(l.text);
}

static void check_queries(const char *query, const char *file, size_t len)
{
    char *names[MAX_QUERIES], *ids[MAX_QUERIES];
    uint32_t uid;
    check_user(file, len, query, 0);
    check_group(file, len, query);
    if (check_id(query, &uid))
        check_user(file, len, NULL, uid);
    fields_of(file, len, 0, names);
    fields_of(file, len, 2, ids);
    for (size_t k = 0; k < MAX_QUERIES; k++) {
        if (names[k] != NULL) {
            check_user(file, len, names[k], 0);
            check_group(file, len, names[k]);
        }
        if (ids[k] != NULL && check_id(ids[k], &uid))
            check_user(file, len, NULL, uid);
        free(names[k]);
        free(ids[k]);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const uint8_t *nl = memchr(data, '\n', size);
    size_t qlen = nl != NULL ? (size_t)(nl - data) : size;
    size_t flen = nl != NULL ? size - qlen - 1 : 0;
    char *query = malloc(qlen + 1), *file = malloc(flen ? flen : 1);
    CHECK(query != NULL && file != NULL);
    if (qlen > 0)
        memcpy(query, data, qlen);
    query[qlen] = '\0'; /* a NUL inside ends the name early */
    if (flen > 0)
        memcpy(file, nl + 1, flen);
    check_queries(query, file, flen);
    free(query);
    free(file);
    return 0;
}
