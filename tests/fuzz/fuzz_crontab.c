/* fuzz_crontab: a whole crontab file through crontab_parse. See README.md.
 *
 * Input: byte 0 chooses the options (bit 0: --system, the user column;
 * bit 1: percent_newline) and bit 2 the CRLF check below; the rest is the
 * file's text, passed with its length and without a terminating NUL
 * (crontab_parse must not need one).
 *
 * Properties:
 * - the return value is 0 when there is no diag, 1 when there are diags
 *   (-1, out of memory, only skips the checks);
 * - every diag: 1 <= line <= lines + 1, 1 <= col <= length of that line + 1,
 *   a non-empty message; diags in line order;
 * - every entry: its line is within the file, strictly after the previous
 *   entry's (one job per line) and has no error (a line with an error
 *   yields no entry; warnings leave it); its column is inside the line;
 *   schedule and command are non-empty, without leading or trailing blanks;
 *   the schedule has its blanks collapsed and parses alone (cronspec_parse,
 *   seeded with cronspec_seed of the line from the schedule on) to the
 *   entry's spec, but for its delay (RANDOM_DELAY), which is below a year
 *   and only on calendar schedules;
 *   a user (non-empty, one word) exactly with --system; stdin text only with
 *   percent_newline, and then ending in '\n'; without percent_newline the
 *   command is a substring of its line; SHELL and CRON_TZ non-empty when
 *   set; the environment is non-NULL and NULL-terminated, each variable
 *   "NAME=VALUE";
 * - with bit 2 of byte 0: the same text with CRLF line ends parses to the
 *   same return value, diags and entries, field by field.
 */
#include <stdbool.h>

#include "crond/cronspec.h"
#include "crond/crontab.h"
#include "fuzz.h"

/* Start and length (without '\n') of each line, as crontab_parse splits. */
struct line {
    size_t off, len;
};

static struct line *split_lines(const char *text, size_t len, size_t *out_n)
{
    size_t n = fuzz_count_lines(text, len);
    struct line *lines = malloc((n + 1) * sizeof *lines);
    CHECK(lines != NULL);
    size_t k = 0, pos = 0;
    while (pos < len) {
        const char *nl = memchr(text + pos, '\n', len - pos);
        size_t end = nl != NULL ? (size_t)(nl - text) : len;
        lines[k++] = (struct line){pos, end - pos};
        pos = end + 1;
    }
    CHECK(k == n);
    *out_n = n;
    return lines;
}

static bool is_blank(char c)
{
    return c == ' ' || c == '\t';
}

static void check_trimmed(const char *s)
{
    size_t n = strlen(s);
    CHECK(n > 0);
    CHECK(!is_blank(s[0]) && !is_blank(s[n - 1]));
}

static bool spec_equal(const struct cronspec *a, const struct cronspec *b)
{
    return a->kind == b->kind && a->flags == b->flags && a->sec == b->sec && a->min == b->min
        && a->hour == b->hour && a->dom == b->dom && a->dom_near == b->dom_near
        && a->mon == b->mon && a->dow == b->dow && a->dow_last == b->dow_last
        && memcmp(a->dow_nth, b->dow_nth, sizeof a->dow_nth) == 0
        && memcmp(a->year, b->year, sizeof a->year) == 0 && a->every_ms == b->every_ms;
}

static bool memmem_in(const char *hay, size_t hlen, const char *needle)
{
    size_t n = strlen(needle);
    return n <= hlen && memmem(hay, hlen, needle, n) != NULL;
}

static void check_entry(const struct crontab_entry *e, const struct crontab_opts *opts,
                        const char *text, const struct line *ln)
{
    CHECKF(e->col >= 1 && (size_t)e->col <= ln->len, "entry column %d, line length %zu",
           e->col, ln->len);
    CHECK(e->schedule != NULL && e->command != NULL && e->env != NULL);
    check_trimmed(e->schedule);
    CHECK(strchr(e->schedule, '\t') == NULL && strstr(e->schedule, "  ") == NULL);
    CHECK(text[ln->off + (size_t)e->col - 1] == e->schedule[0]);
    struct cronspec spec;
    struct cronspec_error err = {0, ""};
    size_t from = ln->off + (size_t)e->col - 1, end = ln->off + ln->len;
    if (end > from && text[end - 1] == '\r')
        end--;
    struct cronspec_opts co = {cronspec_seed(text + from, end - from), NULL};
    CHECKF(cronspec_parse(e->schedule, &co, &spec, &err) == 0, "schedule '%s': %s", e->schedule,
           err.msg);
    CHECKF(spec_equal(&spec, e->spec), "schedule '%s' parses differently alone", e->schedule);
    CHECK(e->spec->delay_s < 366u * 86400 && (e->spec->delay_s == 0 || e->spec->kind == CRONSPEC_CALENDAR));
    CHECK(e->spec->kind == CRONSPEC_CALENDAR || e->spec->kind == CRONSPEC_REBOOT
          || e->spec->kind == CRONSPEC_EVERY);
    check_trimmed(e->command);
    if (!opts->percent_newline) {
        CHECK(memmem_in(text + ln->off, ln->len, e->command));
        CHECK(e->input == NULL);
    } else if (e->input != NULL) {
        size_t n = strlen(e->input);
        CHECK(n > 0 && e->input[n - 1] == '\n');
    }
    if (opts->system) {
        CHECK(e->user != NULL && e->user[0] != '\0');
        CHECK(strpbrk(e->user, " \t") == NULL);
        CHECK(memmem_in(text + ln->off, ln->len, e->user));
    } else {
        CHECK(e->user == NULL);
    }
    CHECK(e->env->shell == NULL || e->env->shell[0] != '\0');
    CHECK(e->env->tz == NULL || e->env->tz[0] != '\0');
    for (size_t i = 0; i < e->env->nvars; i++) {
        CHECK(e->env->vars[i] != NULL);
        CHECK(strchr(e->env->vars[i], '=') != NULL && e->env->vars[i][0] != '=');
    }
    CHECK(e->env->vars[e->env->nvars] == NULL);
}

/* Same diags and entries, field by field. */
static void check_same(const struct crontab *a, const struct crontab *b)
{
    CHECKF(a->diags.n == b->diags.n, "%zu diags, %zu with CRLF", a->diags.n, b->diags.n);
    for (size_t i = 0; i < a->diags.n; i++) {
        const struct diag *x = &a->diags.items[i], *y = &b->diags.items[i];
        CHECKF(x->line == y->line && x->col == y->col && x->severity == y->severity
                   && strcmp(x->msg, y->msg) == 0,
               "%d:%d: %s; with CRLF %d:%d: %s", x->line, x->col, x->msg, y->line, y->col,
               y->msg);
    }
    CHECKF(a->nentries == b->nentries, "%zu entries, %zu with CRLF", a->nentries, b->nentries);
    for (size_t i = 0; i < a->nentries; i++) {
        const struct crontab_entry *x = &a->entries[i], *y = &b->entries[i];
        CHECKF(x->line == y->line && x->col == y->col && x->env->tz_line == y->env->tz_line
                   && x->env->tz_col == y->env->tz_col && spec_equal(x->spec, y->spec)
                   && x->spec->delay_s == y->spec->delay_s
                   && fuzz_str_eq(x->schedule, y->schedule) && fuzz_str_eq(x->user, y->user)
                   && fuzz_str_eq(x->command, y->command) && fuzz_str_eq(x->input, y->input)
                   && fuzz_str_eq(x->env->shell, y->env->shell) && fuzz_str_eq(x->env->tz, y->env->tz)
                   && x->env->nvars == y->env->nvars,
               "entry of line %d differs with CRLF", x->line);
        for (size_t k = 0; k < x->env->nvars; k++)
            CHECKF(strcmp(x->env->vars[k], y->env->vars[k]) == 0, "line %d: %s, with CRLF %s",
                   x->line, x->env->vars[k], y->env->vars[k]);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size == 0)
        return 0;
    struct crontab_opts opts = {.system = data[0] & 1, .percent_newline = (data[0] >> 1) & 1};
    bool crlf = (data[0] >> 2) & 1;
    size_t len = size - 1;
    /* an exact-size heap copy: a read past the end is an ASan report */
    char *text = malloc(len ? len : 1);
    CHECK(text != NULL);
    if (len > 0)
        memcpy(text, data + 1, len);

    struct crontab tab;
    int rc = crontab_parse(text, len, &opts, &tab);
    CHECKF(rc == -1 || rc == (tab.diags.n > 0), "rc %d with %zu diags", rc, tab.diags.n);
    if (rc >= 0) {
        size_t nlines;
        struct line *lines = split_lines(text, len, &nlines);
        int prev_line = 0;
        for (size_t i = 0; i < tab.diags.n; i++) {
            const struct diag *d = &tab.diags.items[i];
            CHECKF(d->line >= 1 && (size_t)d->line <= nlines + 1, "diag line %d of %zu", d->line,
                   nlines);
            CHECKF(d->line >= prev_line, "diag line %d after %d", d->line, prev_line);
            prev_line = d->line;
            size_t linelen = (size_t)d->line <= nlines ? lines[d->line - 1].len : 0;
            CHECKF(d->col >= 1 && (size_t)d->col <= linelen + 1, "diag %d:%d, line length %zu",
                   d->line, d->col, linelen);
            CHECK(d->msg != NULL && d->msg[0] != '\0');
        }
        prev_line = 0;
        size_t di = 0;
        for (size_t i = 0; i < tab.nentries; i++) {
            const struct crontab_entry *e = &tab.entries[i];
            CHECKF(e->line >= 1 && (size_t)e->line <= nlines, "entry line %d of %zu", e->line,
                   nlines);
            CHECKF(e->line > prev_line, "entry line %d after %d", e->line, prev_line);
            prev_line = e->line;
            while (di < tab.diags.n && (tab.diags.items[di].line < e->line
                                        || (tab.diags.items[di].line == e->line
                                            && tab.diags.items[di].severity == DIAG_WARNING)))
                di++;
            CHECKF(di == tab.diags.n || tab.diags.items[di].line != e->line,
                   "line %d has an entry and an error: %s", e->line, tab.diags.items[di].msg);
            check_entry(e, &opts, text, &lines[e->line - 1]);
        }
        free(lines);
    }
    if (crlf && rc >= 0) {
        size_t len2;
        char *text2 = fuzz_to_crlf(text, len, &len2);
        struct crontab tab2;
        int rc2 = crontab_parse(text2, len2, &opts, &tab2);
        if (rc2 >= 0) {
            CHECKF(rc2 == rc, "rc %d, with CRLF %d", rc, rc2);
            check_same(&tab, &tab2);
        }
        crontab_free(&tab2);
        free(text2);
    }
    crontab_free(&tab);
    free(text);
    return 0;
}
