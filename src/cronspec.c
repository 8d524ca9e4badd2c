/* cronspec: one schedule string to bitsets plus flags (grammar in cronspec.h).
 *
 * The parser is a small recursive descent over one field at a time. Every
 * rejection names the field, what was expected and the 1-based column of the
 * offending character, e.g. "day of month 32 out of range 1-31"; warnings
 * (a schedule that parses, but likely not as meant) name the column of their
 * token the same way. */
#include "crond/cronspec.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "crond/civil.h"
#include "crond/duration.h"
#include "crond/util.h"

/* ------------------------------------------------------------------------ */
/* Tables                                                                   */
/* ------------------------------------------------------------------------ */

enum field_id { F_SEC, F_MIN, F_HOUR, F_DOM, F_MON, F_DOW, F_YEAR };

static const char *const month_names[] = {
    "january", "february", "march", "april", "may", "june", "july",
    "august", "september", "october", "november", "december", NULL,
};
static const char *const day_names[] = {
    "sunday", "monday", "tuesday", "wednesday", "thursday", "friday", "saturday", NULL,
};

struct field_desc {
    const char *name;           /* for messages */
    int min, max;               /* accepted values */
    int star_max;               /* '*' and "N/step" end here (dow: 6, not 7) */
    const char *const *names;   /* names for min.., or NULL */
};

static const struct field_desc fields[] = {
    [F_SEC] = {"second", 0, 59, 59, NULL},
    [F_MIN] = {"minute", 0, 59, 59, NULL},
    [F_HOUR] = {"hour", 0, 23, 23, NULL},
    [F_DOM] = {"day of month", 1, 31, 31, NULL},
    [F_MON] = {"month", 1, 12, 12, month_names},
    [F_DOW] = {"day of week", 0, 7, 6, day_names},
    [F_YEAR] = {"year", CRONSPEC_YEAR_MIN, CRONSPEC_YEAR_MAX, CRONSPEC_YEAR_MAX, NULL},
};

/* Field order of each reading, by field count. */
static const enum field_id order5[] = {F_MIN, F_HOUR, F_DOM, F_MON, F_DOW};
static const enum field_id order6[] = {F_MIN, F_HOUR, F_DOM, F_MON, F_DOW, F_YEAR};
static const enum field_id order7[] = {F_SEC, F_MIN, F_HOUR, F_DOM, F_MON, F_DOW, F_YEAR};

struct macro {
    const char *name;
    enum cronspec_kind kind;
    const char *fields; /* equivalent 5-field schedule, for calendar macros */
};

static const struct macro macros[] = {
    {"@reboot", CRONSPEC_REBOOT, NULL},
    {"@yearly", CRONSPEC_CALENDAR, "0 0 1 1 *"},
    {"@annually", CRONSPEC_CALENDAR, "0 0 1 1 *"},
    {"@monthly", CRONSPEC_CALENDAR, "0 0 1 * *"},
    {"@weekly", CRONSPEC_CALENDAR, "0 0 * * 0"},
    {"@daily", CRONSPEC_CALENDAR, "0 0 * * *"},
    {"@midnight", CRONSPEC_CALENDAR, "0 0 * * *"},
    {"@hourly", CRONSPEC_CALENDAR, "0 * * * *"},
    {"@every", CRONSPEC_EVERY, NULL},
};

/* ------------------------------------------------------------------------ */
/* Errors and tokens                                                        */
/* ------------------------------------------------------------------------ */

static int fail(struct cronspec_error *err, int col, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static int fail(struct cronspec_error *err, int col, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    /* err is the caller's output: written here, never read, so callers need
     * not initialize it (cppcheck's cross-file check thinks otherwise) */
    /* cppcheck-suppress ctuuninitvar */
    vsnprintf(err->msg, sizeof err->msg, fmt, ap);
    va_end(ap);
    err->col = col;
    return -1;
}

/* What every part of one parse shares. */
struct parse {
    uint64_t seed;                     /* picks the values of '~' items */
    struct cronspec_warnings *warn;    /* where warnings go, NULL: nowhere */
};

static void warn(struct parse *ps, int col, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void warn(struct parse *ps, int col, const char *fmt, ...)
{
    struct cronspec_warnings *w = ps->warn;
    if (w == NULL || w->n >= CRONSPEC_WARNINGS_MAX)
        return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(w->items[w->n].msg, sizeof w->items[w->n].msg, fmt, ap);
    va_end(ap);
    w->items[w->n++].col = col;
}

/* A blank-separated word of the input. */
struct token {
    const char *p;  /* first character */
    size_t len;     /* length */
    int col;        /* 1-based column of p */
};

static bool is_blank(char c)
{
    return c == ' ' || c == '\t';
}

/* Splits at most max tokens from text; returns the number found (up to max). */
static size_t tokenize(const char *text, struct token *out, size_t max)
{
    size_t n = 0;
    const char *p = text;
    while (n < max) {
        while (is_blank(*p))
            p++;
        if (*p == '\0')
            break;
        out[n].p = p;
        out[n].col = (int)(p - text) + 1;
        while (*p != '\0' && !is_blank(*p))
            p++;
        out[n].len = (size_t)(p - out[n].p);
        n++;
    }
    return n;
}

/* A cursor over one field's characters. */
struct cursor {
    const char *p;      /* next character */
    const char *end;    /* end of the field */
    const char *base;   /* start of the whole text, for columns */
};

static int cur_col(const struct cursor *c)
{
    return (int)(c->p - c->base) + 1;
}

static char cur_peek(const struct cursor *c)
{
    return c->p < c->end ? *c->p : '\0';
}

/* ------------------------------------------------------------------------ */
/* Values: numbers and names                                                */
/* ------------------------------------------------------------------------ */

/* Matches the alphabetic run [p, p+len) against names (3-letter prefix or
 * full name, any case). Returns the value or -1. */
static int name_lookup(const char *const *names, int first, const char *p, size_t len)
{
    for (int i = 0; names[i] != NULL; i++) {
        size_t full = strlen(names[i]);
        if ((len == 3 || len == full) && len <= full && strncasecmp(p, names[i], len) == 0)
            return first + i;
    }
    return -1;
}

static size_t alpha_run(const struct cursor *c)
{
    size_t n = 0;
    while (c->p + n < c->end && isalpha((unsigned char)c->p[n]))
        n++;
    return n;
}

/* Reads a decimal number. Values of more than 9 digits become INT32_MAX so
 * that "0-10000000" is reported as out of range instead of overflowing. */
static int read_number(struct cursor *c, int *out)
{
    long v = 0;
    int digits = 0;
    while (isdigit((unsigned char)cur_peek(c))) {
        if (digits < 10)
            v = v * 10 + (*c->p - '0');
        digits++;
        c->p++;
    }
    if (digits == 0)
        return -1;
    *out = digits > 9 ? INT32_MAX : (int)v;
    return 0;
}

static int check_range(const struct field_desc *f, int v, int col, struct cronspec_error *err)
{
    if (v < f->min || v > f->max)
        return fail(err, col, "%s %d out of range %d-%d", f->name, v, f->min, f->max);
    return 0;
}

/* Describes the character at the cursor for "got ..." messages. */
static void describe_next(const struct cursor *c, char *buf, size_t len)
{
    if (c->p >= c->end) {
        snprintf(buf, len, "end of field");
        return;
    }
    size_t n = (size_t)(c->end - c->p);
    snprintf(buf, len, "'%.*s'", (int)(n > 12 ? 12 : n), c->p);
}

/* value := number | name. Names only in fields that have them; a name
 * followed by L (FRIL) leaves the L for the caller. */
static int read_value(struct cursor *c, const struct field_desc *f, int *out,
                      struct cronspec_error *err)
{
    int col = cur_col(c);
    if (read_number(c, out) == 0)
        return check_range(f, *out, col, err);
    size_t n = alpha_run(c);
    if (n > 0 && f->names != NULL) {
        int v = name_lookup(f->names, f->min, c->p, n);
        if (v < 0 && n > 3 && (c->p[n - 1] == 'L' || c->p[n - 1] == 'l'))
            v = name_lookup(f->names, f->min, c->p, --n); /* FRIL, fridayL */
        if (v >= 0) {
            c->p += n;
            *out = v;
            return 0;
        }
        return fail(err, col, "%s: expected a number or a name like %.3s, got '%.*s'",
                    f->name, f->names[0], (int)n, c->p);
    }
    char got[24];
    describe_next(c, got, sizeof got);
    return fail(err, col, "%s: expected a number, got %s", f->name, got);
}

/* ------------------------------------------------------------------------ */
/* Items and fields                                                         */
/* ------------------------------------------------------------------------ */

/* Where a field's parsed values go. */
struct field_out {
    uint64_t bits[CRONSPEC_YEAR_WORDS];  /* value v -> bit v - min (years) or v */
    bool star;                           /* the field starts with '*' or '?' */
    bool any;                            /* an item is a bare '*' */
    bool step;                           /* an item has a step */
};

static void set_bit(struct field_out *o, const struct field_desc *f, int v)
{
    int bit = f == &fields[F_YEAR] ? v - f->min : v;
    if (f == &fields[F_DOW] && v == 7)
        bit = 0; /* Sunday is 0 and 7 */
    o->bits[bit / 64] |= UINT64_C(1) << (bit % 64);
}

/* A step of 1 or more; one larger than the field is the caller's warning. */
static int read_step(struct cursor *c, const struct field_desc *f, int *out,
                     struct cronspec_error *err)
{
    int col = cur_col(c);
    if (read_number(c, out) != 0) {
        char got[24];
        describe_next(c, got, sizeof got);
        return fail(err, col, "%s: expected a step number after '/', got %s", f->name, got);
    }
    if (*out < 1)
        return fail(err, col, "%s: step %d out of range: expected 1 or more", f->name, *out);
    return 0;
}

/* Day-of-month specials: L, LW, NW. Returns 1 when one was read, 0 when the
 * item is something else, -1 on error. */
static int read_dom_special(struct cursor *c, struct cronspec *s, struct cronspec_error *err)
{
    struct cursor look = *c;
    int day = 0;
    int col = cur_col(c);
    if (read_number(&look, &day) == 0) {
        if (cur_peek(&look) != 'W' && cur_peek(&look) != 'w')
            return 0;
        if (check_range(&fields[F_DOM], day, col, err) != 0)
            return -1;
        s->dom_near |= UINT32_C(1) << day;
        c->p = look.p + 1;
        return 1;
    }
    if (cur_peek(c) != 'L' && cur_peek(c) != 'l')
        return 0;
    c->p++;
    if (cur_peek(c) == 'W' || cur_peek(c) == 'w') {
        c->p++;
        s->flags |= CRONSPEC_DOM_LASTWD;
    } else {
        s->flags |= CRONSPEC_DOM_LAST;
    }
    return 1;
}

/* Day-of-week specials after a value: "5L"/"FRIL" (last), "FRI#3" (nth). */
static int read_dow_special(struct cursor *c, int day, struct cronspec *s,
                            struct cronspec_error *err)
{
    int wd = day % 7;
    if (cur_peek(c) == 'L' || cur_peek(c) == 'l') {
        c->p++;
        s->dow_last |= (uint8_t)(1u << wd);
        return 1;
    }
    if (cur_peek(c) != '#')
        return 0;
    c->p++;
    int col = cur_col(c);
    int nth = 0;
    if (read_number(c, &nth) != 0 || nth < 1 || nth > 5)
        return fail(err, col, "day of week: expected 1-5 after '#' (FRI#3 is the third Friday)");
    s->dow_nth[wd] |= (uint8_t)(1u << nth);
    return 1;
}

/* What a base was written as: it decides what a step does ("N/step" runs
 * to the end of the field, "N-N/step" does not). */
enum base_kind {
    BASE_STAR,      /* '*' or '?' */
    BASE_SINGLE,    /* N */
    BASE_RANGE,     /* A-B, A-L */
    BASE_RANDOM,    /* ~, A~, ~B, A~B: one value of [lo, hi], chosen later */
};

/* The end of a range, value or (day of month) L; Wed-Sun ends at 7. */
static int read_range_end(struct cursor *c, const struct field_desc *f, int lo, int *hi,
                          struct cronspec_error *err)
{
    bool last = f == &fields[F_DOM] && (cur_peek(c) == 'L' || cur_peek(c) == 'l')
             && (c->p + 1 == c->end || c->p[1] == '/');
    if (last) {
        /* 29-L: to the month's last day. A day past a month's end never
         * matches, so that is 29-31 (in a 28-day February: no day at all,
         * as croniter has it) */
        c->p++;
        *hi = f->max;
        return 0;
    }
    if (read_value(c, f, hi, err) != 0)
        return -1;
    if (f == &fields[F_DOW] && *hi == 0 && lo > 0)
        *hi = 7;
    return 0;
}

/* random := [value] '~' [value], at the '~' with *lo read (or the field's
 * minimum); an omitted end is the field's end ('*' reaches: 0-6 in dow). */
static int read_random(struct cursor *c, const struct field_desc *f, int *lo, int *hi,
                       struct cronspec_error *err)
{
    c->p++;
    int col = cur_col(c);
    *hi = f->star_max;
    char ch = cur_peek(c);
    if (ch != '\0' && ch != '/' && read_range_end(c, f, *lo, hi, err) != 0)
        return -1;
    if (*lo > *hi)
        return fail(err, col, "%s random range %d~%d is reversed (the first value must not "
                    "exceed the second)", f->name, *lo, *hi);
    return 0;
}

/* base := '*' | '?' | value ['-' value] | random; fills [*lo, *hi] and what
 * it was. */
static int read_base(struct cursor *c, const struct field_desc *f, int *lo, int *hi,
                     enum base_kind *kind, struct cronspec_error *err)
{
    bool day_field = f == &fields[F_DOM] || f == &fields[F_DOW];
    char ch = cur_peek(c);
    if (ch == '*' || ch == '?') {
        if (ch == '?' && !day_field)
            return fail(err, cur_col(c), "%s: '?' is only allowed in the day fields", f->name);
        c->p++;
        if (cur_peek(c) == '-')
            return fail(err, cur_col(c), "%s: '%c' cannot start a range", f->name, ch);
        *lo = f->min;
        *hi = f->star_max;
        *kind = BASE_STAR;
        return 0;
    }
    *kind = BASE_RANDOM;
    *lo = f->min;
    if (ch == '~')
        return read_random(c, f, lo, hi, err);
    if (read_value(c, f, lo, err) != 0)
        return -1;
    if (cur_peek(c) == '~')
        return read_random(c, f, lo, hi, err);
    *hi = *lo;
    *kind = BASE_SINGLE;
    if (cur_peek(c) != '-')
        return 0;
    c->p++;
    *kind = BASE_RANGE;
    int col = cur_col(c);
    if (read_range_end(c, f, *lo, hi, err) != 0)
        return -1;
    if (*lo > *hi)
        return fail(err, col, "%s range %d-%d is reversed (the first value must not exceed the second)",
                    f->name, *lo, *hi);
    return 0;
}

/* One value of [lo, hi] for the item-th item of field id, from the seed:
 * each field and item draws on its own. */
static int random_value(const struct parse *ps, enum field_id id, int item, int lo, int hi)
{
    uint32_t what = (uint32_t)id << 8 | (uint32_t)(item & 0xff);
    return lo + (int)cronspec_pick(ps->seed, what, (uint32_t)(hi - lo + 1));
}

/* "/step" after a base: *hi may grow (N/step runs to the field's end). A
 * step larger than the field leaves the first value alone, as in cronie. */
static int parse_step(struct cursor *c, const struct field_desc *f, enum base_kind kind, int lo,
                      int *hi, int *step, struct parse *ps, struct cronspec_error *err)
{
    c->p++;
    int col = cur_col(c);
    if (read_step(c, f, step, err) != 0)
        return -1;
    if (kind == BASE_SINGLE)
        *hi = f->star_max >= lo ? f->star_max : f->max;
    if (*step > f->max - f->min + 1)
        warn(ps, col, "%s: step %d is larger than the field (%d-%d), so only %d matches "
             "(as in cronie): write %d", f->name, *step, f->min, f->max, lo, lo);
    return 0;
}

static int parse_item(struct cursor *c, enum field_id id, int item, struct field_out *o,
                      struct cronspec *s, struct parse *ps, struct cronspec_error *err)
{
    const struct field_desc *f = &fields[id];
    if (id == F_DOM) {
        int r = read_dom_special(c, s, err);
        if (r != 0)
            return r < 0 ? -1 : 0;
    }
    int lo = 0, hi = 0, step = 1;
    enum base_kind kind = BASE_SINGLE;
    if (read_base(c, f, &lo, &hi, &kind, err) != 0)
        return -1;
    if (id == F_DOW && kind == BASE_SINGLE) {
        int r = read_dow_special(c, lo, s, err);
        if (r != 0)
            return r < 0 ? -1 : 0;
    }
    if (kind == BASE_RANDOM) {
        if (cur_peek(c) == '/')
            return fail(err, cur_col(c), "%s: a random value ('~') takes no step", f->name);
        lo = hi = random_value(ps, id, item, lo, hi);
        s->flags |= CRONSPEC_RANDOM;
    } else if (cur_peek(c) == '/') {
        if (parse_step(c, f, kind, lo, &hi, &step, ps, err) != 0)
            return -1;
        o->step = true;
    } else if (kind == BASE_STAR && cur_peek(c) == '\0') {
        o->any = true;
    }
    /* lo <= hi here; a step may be huge (100000), so v never steps past hi */
    for (int v = lo;; v += step) {
        set_bit(o, f, v);
        if (hi - v < step)
            break;
    }
    return 0;
}

static int parse_field(const struct token *t, const char *base, enum field_id id,
                       struct field_out *o, struct cronspec *s, struct parse *ps,
                       struct cronspec_error *err)
{
    struct cursor c = {t->p, t->p + t->len, base};
    memset(o, 0, sizeof *o);
    o->star = t->p[0] == '*' || t->p[0] == '?';
    for (int item = 0;; item++) {
        const char *item_end = memchr(c.p, ',', (size_t)(c.end - c.p));
        struct cursor ic = {c.p, item_end != NULL ? item_end : c.end, base};
        if (ic.p == ic.end)
            return fail(err, cur_col(&ic), "%s: expected a value%s", fields[id].name,
                        item_end != NULL ? " before ','" : " after ','");
        if (parse_item(&ic, id, item, o, s, ps, err) != 0)
            return -1;
        if (ic.p != ic.end) {
            char got[24];
            describe_next(&ic, got, sizeof got);
            return fail(err, cur_col(&ic), "%s: unexpected %s", fields[id].name, got);
        }
        if (item_end == NULL)
            return 0;
        c.p = item_end + 1;
    }
}

/* ------------------------------------------------------------------------ */
/* Schedules                                                                */
/* ------------------------------------------------------------------------ */

static void store_field(struct cronspec *s, enum field_id id, const struct field_out *o)
{
    switch (id) {
    case F_SEC: s->sec = o->bits[0]; break;
    case F_MIN: s->min = o->bits[0]; if (o->star) s->flags |= CRONSPEC_MIN_STAR; break;
    case F_HOUR: s->hour = (uint32_t)o->bits[0]; if (o->star) s->flags |= CRONSPEC_HOUR_STAR; break;
    case F_DOM: s->dom = (uint32_t)o->bits[0]; if (o->star) s->flags |= CRONSPEC_DOM_STAR; break;
    case F_MON: s->mon = (uint16_t)o->bits[0]; break;
    case F_DOW: s->dow = (uint8_t)o->bits[0]; if (o->star) s->flags |= CRONSPEC_DOW_STAR; break;
    case F_YEAR:
        memcpy(s->year, o->bits, sizeof s->year);
        if (o->any)
            s->flags |= CRONSPEC_YEAR_ANY;
        break;
    }
}

/* A step in a day field that starts with '*' while the other day field is
 * restricted (a day of month of "*" and step 2 beside "sat"): cron ANDs the
 * two, supercronic ORs them. */
static void warn_day_rule(struct parse *ps, const struct token *dom_t, const struct field_out *dom,
                          const struct token *dow_t, const struct field_out *dow)
{
    bool dom_case = dom->star && dom->step && !dow->star;
    if (!dom_case && !(dow->star && dow->step && !dom->star))
        return;
    const struct token *t = dom_case ? dom_t : dow_t;
    const struct field_desc *f = &fields[dom_case ? F_DOM : F_DOW];
    warn(ps, t->col, "%s '%.*s' has a step but starts with '%c' while %s is restricted: a day "
         "must match both, as in cron (supercronic: either); for either, write %d-%d%.*s",
         f->name, (int)t->len, t->p, t->p[0], dom_case ? "day of week" : "day of month",
         f->min, f->star_max, (int)t->len - 1, t->p + 1);
}

/* "* * * * * * cmd": a year that restricts nothing, in the form that other
 * crons read as seconds first. */
static void warn_star_year(struct parse *ps, const struct token *tok)
{
    int len = (int)(tok[5].p + tok[5].len - tok[0].p);
    if (len > 60)
        len = 0;
    warn(ps, tok[5].col, "year '*' in a 6-field schedule (M H DOM MON DOW YEAR) matches every "
         "year: for a seconds field first, write 7 fields (S M H DOM MON DOW YEAR)%s%.*s%s",
         len > 0 ? ": '" : "", len, tok[0].p, len > 0 ? " *'" : "");
}

/* Parses n tokens as an n-field schedule (n is 5, 6 or 7). */
static int parse_fields(const struct token *tok, size_t n, const char *base, struct parse *ps,
                        struct cronspec *out, struct cronspec_error *err)
{
    const enum field_id *order = n == 7 ? order7 : n == 6 ? order6 : order5;
    size_t dom = n == 7 ? 3 : 2, dow = dom + 2; /* the day fields' indexes */
    struct field_out days[2];
    struct cronspec s;
    memset(days, 0, sizeof days);
    memset(&s, 0, sizeof s);
    s.kind = CRONSPEC_CALENDAR;
    s.sec = 1; /* second 0 unless a seconds field says otherwise */
    s.flags = CRONSPEC_YEAR_ANY;
    if (n == 7)
        s.flags |= CRONSPEC_SECONDS;
    if (n >= 6)
        s.flags &= ~(unsigned)CRONSPEC_YEAR_ANY;
    for (size_t i = 0; i < n; i++) {
        struct field_out o;
        if (parse_field(&tok[i], base, order[i], &o, &s, ps, err) != 0)
            return -1;
        store_field(&s, order[i], &o);
        if (i == dom || i == dow)
            days[i == dow] = o;
    }
    warn_day_rule(ps, &tok[dom], &days[0], &tok[dow], &days[1]);
    if (n == 6 && tok[5].len == 1 && tok[5].p[0] == '*')
        warn_star_year(ps, tok);
    *out = s;
    return 0;
}

static const struct macro *macro_find(const struct token *t)
{
    for (size_t i = 0; i < sizeof macros / sizeof macros[0]; i++) {
        if (strlen(macros[i].name) == t->len && strncasecmp(macros[i].name, t->p, t->len) == 0)
            return &macros[i];
    }
    return NULL;
}

static int parse_every(const struct token *arg, struct cronspec *out, struct cronspec_error *err)
{
    char buf[64], derr[128];
    int64_t ms;
    if (arg->len >= sizeof buf)
        return fail(err, arg->col, "@every: duration too long");
    memcpy(buf, arg->p, arg->len);
    buf[arg->len] = '\0';
    if (duration_parse(buf, &ms, derr, sizeof derr) != 0)
        return fail(err, arg->col, "@every: %s", derr);
    if (ms < 1000 || ms % 1000 != 0)
        return fail(err, arg->col, "@every: expected a whole number of seconds, at least 1s");
    if (ms > CRONSPEC_EVERY_MAX_MS)
        return fail(err, arg->col, "@every: at most 3650d (ten years)");
    memset(out, 0, sizeof *out);
    out->kind = CRONSPEC_EVERY;
    out->every_ms = ms;
    return 0;
}

/* Parses the macro in tok[0] (and its argument for @every); *out_used tells
 * how many tokens it took. */
static int parse_macro(const struct token *tok, size_t ntok, struct parse *ps,
                       struct cronspec *out, size_t *out_used, struct cronspec_error *err)
{
    const struct macro *m = macro_find(&tok[0]);
    if (m == NULL) {
        if (tok[0].len == 1)
            return fail(err, tok[0].col + 1, "expected a macro name after '@' (@daily, @every 5m, ...)");
        return fail(err, tok[0].col, "unknown macro '%.*s' (expected @reboot, @yearly, @annually, "
                    "@monthly, @weekly, @daily, @midnight, @hourly or @every)", (int)tok[0].len, tok[0].p);
    }
    *out_used = 1;
    if (m->kind == CRONSPEC_EVERY) {
        if (ntok < 2)
            return fail(err, tok[0].col + (int)tok[0].len, "@every: expected a duration such as 5m or 1h30m");
        *out_used = 2;
        return parse_every(&tok[1], out, err);
    }
    if (m->kind == CRONSPEC_REBOOT) {
        memset(out, 0, sizeof *out);
        out->kind = CRONSPEC_REBOOT;
        return 0;
    }
    struct token mt[5];
    size_t n = tokenize(m->fields, mt, 5);
    return parse_fields(mt, n, m->fields, ps, out, err);
}

/* cronie's '-' before the schedule ("do not log"): taken off the first
 * token; *quiet says whether it was there. */
static int strip_quiet(struct token *t, bool *quiet, struct cronspec_error *err)
{
    *quiet = t->p[0] == '-';
    if (!*quiet)
        return 0;
    t->p++;
    t->len--;
    t->col++;
    if (t->len == 0)
        return fail(err, t->col, "expected a schedule right after '-' (cronie's mark for a job "
                    "whose start and end are logged at debug: -*/5 * * * * cmd)");
    return 0;
}

/* The parse state for opts (NULL: seed 0, no warnings). */
static struct parse parse_begin(const struct cronspec_opts *opts)
{
    struct parse ps = {0, NULL};
    if (opts != NULL) {
        ps.seed = opts->seed;
        ps.warn = opts->warnings;
    }
    if (ps.warn != NULL)
        ps.warn->n = 0;
    return ps;
}

static int parse_tokens(const char *text, struct token *tok, size_t n, struct parse *ps,
                        struct cronspec *out, struct cronspec_error *err)
{
    if (tok[0].p[0] == '@') {
        size_t used = 0;
        if (parse_macro(tok, n, ps, out, &used, err) != 0)
            return -1;
        if (n > used)
            return fail(err, tok[used].col, "unexpected '%.*s' after %.*s", (int)tok[used].len,
                        tok[used].p, (int)tok[0].len, tok[0].p);
        return 0;
    }
    if (n < 5 || n > 7) {
        int col = n > 7 ? tok[7].col : (int)(tok[n - 1].p - text + (long)tok[n - 1].len) + 1;
        return fail(err, col, "expected 5, 6 or 7 fields, found %s%zu", n > 7 ? "more than " : "",
                    n > 7 ? (size_t)7 : n);
    }
    return parse_fields(tok, n, text, ps, out, err);
}

int cronspec_parse(const char *text, const struct cronspec_opts *opts, struct cronspec *out,
                   struct cronspec_error *err)
{
    struct parse ps = parse_begin(opts);
    struct token tok[9];
    size_t n = tokenize(text, tok, 9);
    bool quiet = false;
    if (n == 0)
        return fail(err, 1, "expected a schedule (5, 6 or 7 fields, or a macro such as @daily)");
    if (strip_quiet(&tok[0], &quiet, err) != 0 || parse_tokens(text, tok, n, &ps, out, err) != 0)
        return -1;
    if (quiet)
        out->flags |= CRONSPEC_QUIET;
    return 0;
}

static size_t rest_offset(const char *line, const struct token *next)
{
    return (size_t)(next->p - line);
}

/* A year field holds only digits and "*,-/~": anything else is the command,
 * so the 6- and 7-field readings need not be tried (crontabs of 100,000
 * lines parse mostly 5-field lines). */
static bool could_be_year(const struct token *t)
{
    return strspn(t->p, "0123456789*,-/~") >= t->len;
}

/* The readings of a line's fields: the longest that parses and leaves a
 * command wins. Each reading has warnings of its own; the winner's stay. */
static int parse_readings(const char *line, const struct token *tok, size_t n, struct parse *ps,
                          struct cronspec *out, size_t *out_rest, struct cronspec_error *err)
{
    int end_col = (int)strlen(line) + 1;
    struct cronspec_error best = {0, ""};
    bool no_command = false; /* a reading parsed but left nothing to run */
    for (size_t k = 7; k >= 5; k--) {
        struct cronspec_error e = {0, ""};
        struct cronspec_warnings w;
        struct parse rp = {ps->seed, ps->warn != NULL ? &w : NULL};
        w.n = 0;
        if (n < k || (k > 5 && !could_be_year(&tok[k - 1])))
            continue;
        if (parse_fields(tok, k, line, &rp, out, &e) == 0) {
            if (n > k) {
                *out_rest = rest_offset(line, &tok[k]);
                if (ps->warn != NULL) {
                    ps->warn->n = w.n;
                    memcpy(ps->warn->items, w.items, w.n * sizeof w.items[0]);
                }
                return 0;
            }
            no_command = true;
            continue;
        }
        if (e.col >= best.col)
            best = e; /* furthest wins; shorter readings win ties */
    }
    if (no_command)
        return fail(err, end_col, "expected a command after the schedule");
    if (n < 5)
        return fail(err, end_col, "expected 5 schedule fields and a command, found %zu field%s",
                    n, n == 1 ? "" : "s");
    *err = best;
    return -1;
}

int cronspec_parse_prefix(const char *line, const struct cronspec_opts *opts,
                          struct cronspec *out, size_t *out_rest, struct cronspec_error *err)
{
    struct parse ps = parse_begin(opts);
    struct token tok[8];
    size_t n = tokenize(line, tok, 8);
    int end_col = (int)strlen(line) + 1;
    bool quiet = false;
    if (n == 0)
        return fail(err, 1, "expected a schedule");
    if (strip_quiet(&tok[0], &quiet, err) != 0)
        return -1;
    if (tok[0].p[0] == '@') {
        size_t used = 0;
        if (parse_macro(tok, n, &ps, out, &used, err) != 0)
            return -1;
        if (n <= used)
            return fail(err, end_col, "expected a command after the schedule");
        *out_rest = rest_offset(line, &tok[used]);
    } else if (parse_readings(line, tok, n, &ps, out, out_rest, err) != 0) {
        return -1;
    }
    if (quiet)
        out->flags |= CRONSPEC_QUIET;
    return 0;
}

/* ------------------------------------------------------------------------ */
/* Seeds                                                                    */
/* ------------------------------------------------------------------------ */

/* Each word and a separator: "a b" and "ab" differ, blanks do not count. */
static uint64_t seed_words(uint64_t h, const char *s, size_t len)
{
    size_t i = 0;
    while (i < len) {
        while (i < len && is_blank(s[i]))
            i++;
        size_t start = i;
        while (i < len && !is_blank(s[i]))
            i++;
        if (i > start) {
            h = util_hash(h, s + start, i - start);
            h = util_hash(h, " ", 1);
        }
    }
    return h;
}

uint64_t cronspec_seed(const char *text, size_t len)
{
    size_t i = 0;
    while (i < len && is_blank(text[i]))
        i++;
    if (i < len && text[i] == '-')
        i++; /* quiet or not, the same job */
    return seed_words(UTIL_HASH_INIT, text + i, len - i);
}

uint64_t cronspec_seed_add(uint64_t seed, const char *text, size_t len)
{
    return seed_words(seed, text, len);
}

uint32_t cronspec_pick(uint64_t seed, uint32_t what, uint32_t n)
{
    /* the bytes of `what` in a fixed order: the same value on every machine */
    const unsigned char b[4] = {(unsigned char)what, (unsigned char)(what >> 8),
                                (unsigned char)(what >> 16), (unsigned char)(what >> 24)};
    uint64_t h = util_hash(seed, b, sizeof b);
    /* FNV-1a ends with a multiplication, whose low bits depend on the low
     * bits only: a finalizing mix (MurmurHash3's) spreads every bit over
     * the ones a small modulus keeps */
    h ^= h >> 33;
    h *= UINT64_C(0xff51afd7ed558ccd);
    h ^= h >> 33;
    h *= UINT64_C(0xc4ceb9fe1a85ec53);
    h ^= h >> 33;
    return (uint32_t)(h % n);
}

/* ------------------------------------------------------------------------ */
/* Matching                                                                 */
/* ------------------------------------------------------------------------ */

bool cronspec_is_fixed_time(const struct cronspec *s)
{
    return s->kind == CRONSPEC_CALENDAR
        && !(s->flags & (CRONSPEC_MIN_STAR | CRONSPEC_HOUR_STAR));
}

bool cronspec_year_matches(const struct cronspec *s, int64_t year)
{
    if (s->flags & CRONSPEC_YEAR_ANY)
        return true;
    if (year < CRONSPEC_YEAR_MIN || year > CRONSPEC_YEAR_MAX)
        return false;
    int64_t bit = year - CRONSPEC_YEAR_MIN;
    return (s->year[bit / 64] >> (bit % 64)) & 1;
}

/* The weekday (Mon-Fri) nearest to day n of the month, not leaving it. */
static int nearest_weekday(int64_t year, int mon, int n, int mdays)
{
    int wd = civil_weekday(civil_days_from_date(year, mon, n));
    if (wd == 6)
        return n == 1 ? 3 : n - 1;
    if (wd == 0)
        return n == mdays ? n - 2 : n + 1;
    return n;
}

static int last_weekday(int64_t year, int mon, int mdays)
{
    int wd = civil_weekday(civil_days_from_date(year, mon, mdays));
    return wd == 6 ? mdays - 1 : wd == 0 ? mdays - 2 : mdays;
}

static bool dom_matches(const struct cronspec *s, int64_t year, int mon, int day, int mdays)
{
    if ((s->dom >> day) & 1)
        return true;
    if ((s->flags & CRONSPEC_DOM_LAST) && day == mdays)
        return true;
    if ((s->flags & CRONSPEC_DOM_LASTWD) && day == last_weekday(year, mon, mdays))
        return true;
    for (int n = day - 2; s->dom_near != 0 && n <= day + 2; n++) {
        if (n >= 1 && n <= mdays && ((s->dom_near >> n) & 1)
            && nearest_weekday(year, mon, n, mdays) == day)
            return true;
    }
    return false;
}

static bool dow_matches(const struct cronspec *s, int64_t year, int mon, int day, int mdays)
{
    int wd = civil_weekday(civil_days_from_date(year, mon, day));
    if ((s->dow >> wd) & 1)
        return true;
    if (((s->dow_last >> wd) & 1) && day + 7 > mdays)
        return true;
    return (s->dow_nth[wd] >> ((day - 1) / 7 + 1)) & 1;
}

bool cronspec_day_matches(const struct cronspec *s, int64_t year, int mon, int day)
{
    int mdays = civil_month_days(year, mon);
    if (day > mdays)
        return false;
    bool dom = dom_matches(s, year, mon, day, mdays);
    bool dow = dow_matches(s, year, mon, day, mdays);
    /* Vixie cron: when both fields are restricted a day matches if either
     * does; a field starting with '*' (or '?') makes it "both must". */
    if (s->flags & (CRONSPEC_DOM_STAR | CRONSPEC_DOW_STAR))
        return dom && dow;
    return dom || dow;
}
