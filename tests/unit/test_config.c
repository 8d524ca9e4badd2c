/* Unit tests for the INI configuration file (config_parse, config_load,
 * config_apply). */
#include "testutil.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "crond/config.h"

#define COUNT_OF(a) (sizeof(a) / sizeof((a)[0]))

static int parse(const char *text, struct config *c)
{
    return config_parse(text, strlen(text), "test.ini", c);
}

/* Prints the diags, so a failing test shows what the parser said. */
static void diags_print(const struct config *c)
{
    for (size_t i = 0; i < c->diags.n; i++)
        fprintf(stderr, "  diag %zu: line %d: %s\n", i, c->diags.items[i].line, c->diags.items[i].msg);
}

static void parse_ok(const char *text, struct config *c)
{
    int rc = parse(text, c);
    if (rc != 0)
        diags_print(c);
    assert_int_equal(rc, 0);
    assert_int_equal(c->diags.n, 0);
}

/* ------------------------------------------------------ DESIGN example -- */

static const char design_example[] =
    "[daemon]\n"
    "crontabs = /etc/crontabs        ; several paths separated by spaces\n"
    "shell = /bin/sh\n"
    "timezone = Europe/Berlin\n"
    "log_format = json\n"
    "grace = 20s\n"
    "overlap = skip\n"
    "clean_env = false\n"
    "percent_newline = false\n"
    "\n"
    "[job \"backup\"]                  ; a job defined here instead of in a crontab\n"
    "schedule = 0 3 * * *\n"
    "command = /usr/local/bin/backup --full\n"
    "timeout = 1h                    ; SIGTERM, then SIGKILL after grace\n"
    "overlap = queue\n";

static void test_design_example(void **state)
{
    (void)state;
    struct config c;
    parse_ok(design_example, &c);
    assert_string_equal(c.path, "test.ini");
    assert_int_equal(c.set, OPT_SET_FILES | OPT_SET_SHELL | OPT_SET_TIMEZONE | OPT_SET_LOG_FORMAT |
                                OPT_SET_GRACE | OPT_SET_OVERLAP | OPT_SET_CLEAN_ENV |
                                OPT_SET_PERCENT_NEWLINE);
    assert_string_equal(c.crontabs, "/etc/crontabs");
    assert_string_equal(c.shell, "/bin/sh");
    assert_string_equal(c.timezone, "Europe/Berlin");
    assert_int_equal(c.log_format, LOG_FORMAT_JSON);
    assert_int_equal(c.grace_ms, 20000);
    assert_int_equal(c.overlap, OVERLAP_SKIP);
    assert_false(c.clean_env);
    assert_false(c.percent_newline);
    assert_null(c.user);
    assert_int_equal(c.njobs, 1);
    const struct config_job *j = &c.jobs[0];
    assert_string_equal(j->name, "backup");
    assert_int_equal(j->line, 11);
    assert_string_equal(j->schedule, "0 3 * * *");
    assert_int_equal(j->schedule_line, 12);
    assert_string_equal(j->command, "/usr/local/bin/backup --full");
    assert_int_equal(j->timeout_ms, 3600000);
    assert_int_equal(j->overlap, OVERLAP_QUEUE);
    assert_null(j->user);
    assert_null(j->shell);
    assert_null(j->timezone);
    assert_null(j->workdir);
    assert_non_null(j->env);
    assert_null(j->env[0]);
    assert_int_equal(j->nenv, 0);
    config_free(&c);
}

/* ------------------------------------------------------------ every key -- */

static void test_daemon_every_key(void **state)
{
    (void)state;
    struct config c;
    parse_ok("[daemon]\n"
             "crontabs = /a /b\t/c\n"
             "user = alice:staff\n"
             "system = yes\n"
             "shell = /bin/bash\n"
             "timezone = UTC\n"
             "log_format = TEXT\n"
             "log_level = debug\n"
             "grace = 1m30s\n"
             "overlap = allow\n"
             "clean_env = on\n"
             "no_reload = 1\n"
             "no_new_privs = yes\n"
             "percent_newline = true\n"
             "output = Raw\n"
             "split_logs = on\n",
             &c);
    assert_int_equal(c.set, OPT_SET_FILES | OPT_SET_USER | OPT_SET_SYSTEM | OPT_SET_SHELL |
                                OPT_SET_TIMEZONE | OPT_SET_LOG_FORMAT | OPT_SET_LOG_LEVEL |
                                OPT_SET_GRACE | OPT_SET_OVERLAP | OPT_SET_CLEAN_ENV |
                                OPT_SET_NO_RELOAD | OPT_SET_NO_NEW_PRIVS |
                                OPT_SET_PERCENT_NEWLINE | OPT_SET_OUTPUT | OPT_SET_SPLIT_LOGS);
    assert_string_equal(c.crontabs, "/a /b\t/c");
    assert_string_equal(c.user, "alice:staff");
    assert_true(c.system);
    assert_string_equal(c.shell, "/bin/bash");
    assert_string_equal(c.timezone, "UTC");
    assert_int_equal(c.log_format, LOG_FORMAT_TEXT);
    assert_int_equal(c.log_level, LOG_LEVEL_DEBUG);
    assert_int_equal(c.grace_ms, 90000);
    assert_int_equal(c.overlap, OVERLAP_ALLOW);
    assert_true(c.clean_env);
    assert_true(c.no_reload);
    assert_true(c.no_new_privs);
    assert_true(c.percent_newline);
    assert_int_equal(c.output, LOG_OUTPUT_RAW);
    assert_true(c.split_logs);
    assert_int_equal(c.njobs, 0);
    config_free(&c);
}

static void test_job_every_key(void **state)
{
    (void)state;
    struct config c;
    parse_ok("[job \"nightly report\"]\n"
             "schedule = @daily\n"
             "command = /bin/report > /tmp/r 2>&1\n"
             "timeout = 250ms\n"
             "overlap = skip\n"
             "user = bob\n"
             "shell = /bin/dash\n"
             "timezone = America/New_York\n"
             "workdir = /srv/data\n"
             "env.PATH = /usr/bin:/bin\n"
             "env._X1 =\n"
             "env.MSG = a=b\n",
             &c);
    assert_int_equal(c.set, 0);
    assert_int_equal(c.njobs, 1);
    const struct config_job *j = &c.jobs[0];
    assert_string_equal(j->name, "nightly report");
    assert_int_equal(j->line, 1);
    assert_string_equal(j->schedule, "@daily");
    assert_int_equal(j->schedule_line, 2);
    assert_string_equal(j->command, "/bin/report > /tmp/r 2>&1");
    assert_int_equal(j->timeout_ms, 250);
    assert_int_equal(j->overlap, OVERLAP_SKIP);
    assert_string_equal(j->user, "bob");
    assert_string_equal(j->shell, "/bin/dash");
    assert_string_equal(j->timezone, "America/New_York");
    assert_string_equal(j->workdir, "/srv/data");
    assert_int_equal(j->nenv, 3);
    assert_string_equal(j->env[0], "PATH=/usr/bin:/bin");
    assert_string_equal(j->env[1], "_X1=");
    assert_string_equal(j->env[2], "MSG=a=b");
    assert_null(j->env[3]);
    config_free(&c);
}

static void test_several_jobs_and_unquoted_name(void **state)
{
    (void)state;
    struct config c;
    parse_ok("[job a]\nschedule=* * * * *\ncommand=true\n"
             "[daemon]\nshell=/bin/sh\n"
             "[ job  \"b c\" ]\nschedule=@hourly\ncommand=false\n"
             "[daemon]\ngrace=5\n",
             &c);
    assert_int_equal(c.njobs, 2);
    assert_string_equal(c.jobs[0].name, "a");
    assert_int_equal(c.jobs[0].overlap, -1);
    assert_int_equal(c.jobs[0].timeout_ms, 0);
    assert_string_equal(c.jobs[1].name, "b c");
    assert_int_equal(c.jobs[1].line, 6);
    assert_int_equal(c.grace_ms, 5000);
    assert_int_equal(c.set, OPT_SET_SHELL | OPT_SET_GRACE);
    config_free(&c);
}

static void test_long_job_name_not_truncated(void **state)
{
    (void)state;
    char name[150], text[400];
    memset(name, 'n', sizeof name - 1);
    name[sizeof name - 1] = '\0';
    snprintf(text, sizeof text, "[job \"%s\"]\nschedule=@daily\ncommand=x\n", name);
    struct config c;
    parse_ok(text, &c);
    assert_int_equal(c.njobs, 1);
    assert_string_equal(c.jobs[0].name, name);
    config_free(&c);
}

/* ------------------------------------------------------ lexical details -- */

static void test_comments_blanks_spacing(void **state)
{
    (void)state;
    struct config c;
    parse_ok("; leading comment\n"
             "# hash comment\n"
             "\n"
             "   \n"
             "  [daemon]   # header comment\n"
             "\tshell=/bin/sh\n"
             "user   =    carol   \n"
             "timezone:UTC\n"
             "   ; indented comment\n"
             "[job \"j\"] ; c\n"
             "schedule = 0 3 * * *\n"
             "command = cd /x; make # not a comment ; this is\n",
             &c);
    assert_string_equal(c.shell, "/bin/sh");
    assert_string_equal(c.user, "carol");
    assert_string_equal(c.timezone, "UTC");
    assert_int_equal(c.njobs, 1);
    assert_string_equal(c.jobs[0].command, "cd /x; make # not a comment");
    assert_int_equal(c.jobs[0].line, 10);
    config_free(&c);
}

static void test_crlf_bom_and_no_final_newline(void **state)
{
    (void)state;
    struct config c;
    parse_ok("\xEF\xBB\xBF[daemon]\r\nshell = /bin/sh\r\n\r\nuser = u", &c);
    assert_string_equal(c.shell, "/bin/sh");
    assert_string_equal(c.user, "u");
    config_free(&c);
}

static void test_empty_input(void **state)
{
    (void)state;
    struct config c;
    parse_ok("", &c);
    assert_int_equal(c.set, 0);
    config_free(&c);
    assert_int_equal(config_parse(NULL, 0, "none", &c), 0);
    assert_string_equal(c.path, "none");
    config_free(&c);
}

/* ---------------------------------------------------------------- errors -- */

struct error_case {
    const char *text;
    int line;
    const char *msg;
};

static const struct error_case error_cases[] = {
    {"[daemon]\n\n\n\n\n\ncolour = red\n", 7, "unknown key 'colour' in [daemon]"},
    {"[colour]\nx = 1\n", 1, "unknown section '[colour]' (expected [daemon] or [job \"NAME\"])"},
    {"[daemon]\n[jobs \"x\"]\n", 2,
     "unknown section '[jobs \"x\"]' (expected [daemon] or [job \"NAME\"])"},
    {"[daemon]\nclean_env = maybe\n", 2,
     "clean_env: expected true/false, yes/no, on/off or 1/0, got 'maybe'"},
    {"[daemon]\nlog_format = xml\n", 2, "log_format: expected text or json, got 'xml'"},
    {"[daemon]\nlog_level = loud\n", 2,
     "log_level: expected error, warn, info or debug, got 'loud'"},
    {"[daemon]\noverlap = never\n", 2, "overlap: expected skip, allow or queue, got 'never'"},
    {"[daemon]\noutput = passthrough\n", 2, "output: expected records or raw, got 'passthrough'"},
    {"[daemon]\nsplit_logs = stderr\n", 2,
     "split_logs: expected true/false, yes/no, on/off or 1/0, got 'stderr'"},
    {"[daemon]\nshell = bin/sh\n", 2, "shell: expected an absolute path, got 'bin/sh'"},
    {"[daemon]\nshell = /bin/sh\nuser = a\nshell = /bin/bash\n", 4,
     "duplicate key 'shell' in [daemon] (first at line 2)"},
    {"[daemon]\nuser =\n", 2, "user: expected a value"},
    {"shell = /bin/sh\n[daemon]\n", 1,
     "key 'shell' before any section ([daemon] or [job \"NAME\"])"},
    {"[job \"a\"]\nschedule=@daily\ncommand=x\n[job \"a\"]\nschedule=@daily\ncommand=y\n", 4,
     "duplicate job 'a' (first at line 1)"},
    {"\n[job \"a\"]\ncommand=x\n", 2, "job 'a' has no schedule"},
    {"[job \"a\"]\nschedule=@daily\n", 1, "job 'a' has no command"},
    {"[job \"a\"]\nschedule=@daily\ncommand=x\nenv.BAD-NAME = 1\n", 4,
     "env.BAD-NAME: variable names are letters, digits and '_', not starting with a digit"},
    {"[job \"a\"]\nschedule=@daily\ncommand=x\nenv.1X = 1\n", 4,
     "env.1X: variable names are letters, digits and '_', not starting with a digit"},
    {"[job \"a\"]\nschedule=@daily\ncommand=x\nenv.X=1\nenv.X=2\n", 5,
     "duplicate key 'env.X' in [job \"a\"]"},
    {"[job \"a\"]\nschedule=@daily\ncommand=x\ntimeout = 5x\n", 4, NULL},
    {"[job \"a\"]\nschedule=@daily\ncommand=x\nworkdir = srv\n", 4,
     "workdir: expected an absolute path, got 'srv'"},
    {"[job \"a\"]\nschedule=@daily\ncommand=x\ncolour = red\n", 4,
     "unknown key 'colour' in [job \"a\"]"},
    {"[job \"a\"]\nschedule=@daily\ncommand=x\nschedule=@hourly\n", 4,
     "duplicate key 'schedule' in [job \"a\"] (first at line 2)"},
    {"[job \"a\"]\nschedule=@daily\ncommand=x\noverlap = 2\n", 4,
     "overlap: expected skip, allow or queue, got '2'"},
    {"[job]\n", 1, "a job needs a name: [job \"NAME\"]"},
    {"[job \"\"]\n", 1, "a job needs a name: [job \"NAME\"]"},
    {"[job \"a\tb\"]\n", 1, "job name contains a control character"},
    {"[job \"a]\n", 1, "malformed section header '[job \"a]' (expected [job \"NAME\"])"},
    {"[job a b]\n", 1, "malformed section header '[job a b]' (expected [job \"NAME\"])"},
    {"[daemon\n", 1, "malformed section header '[daemon'"},
    {"[daemon] x\n", 1, "malformed section header '[daemon] x'"},
    {"[daemon]\njust words\n", 2,
     "expected 'key = value', a [section] or a comment, got 'just words'"},
    {"[daemon]\nshell ; = /bin/sh\n", 2,
     "expected 'key = value', a [section] or a comment, got 'shell ; = /bin/sh'"},
    {"[daemon]\n= v\n", 2, "unknown key '' in [daemon]"},
};

static void test_each_error(void **state)
{
    (void)state;
    for (size_t i = 0; i < COUNT_OF(error_cases); i++) {
        const struct error_case *e = &error_cases[i];
        struct config c;
        int rc = parse(e->text, &c);
        if (rc != 1 || c.diags.n != 1 || c.diags.items[0].line != e->line ||
            (e->msg && strcmp(c.diags.items[0].msg, e->msg) != 0)) {
            fprintf(stderr, "case %zu: rc %d, expected line %d: %s\n", i, rc, e->line,
                    e->msg ? e->msg : "(any)");
            diags_print(&c);
            fail();
        }
        config_free(&c);
    }
}

static void test_duration_error_names_key(void **state)
{
    (void)state;
    struct config c;
    assert_int_equal(parse("[daemon]\ngrace = soon\n", &c), 1);
    assert_int_equal(c.diags.n, 1);
    assert_int_equal(c.diags.items[0].line, 2);
    assert_true(strncmp(c.diags.items[0].msg, "grace: invalid duration 'soon': ", 32) == 0);
    assert_false(c.set & OPT_SET_GRACE);
    config_free(&c);
}

/* Bad values leave their bit unset, so the command line's default stands. */
static void test_bad_value_sets_no_bit(void **state)
{
    (void)state;
    struct config c;
    assert_int_equal(parse("[daemon]\nshell = sh\nsystem = perhaps\nuser = x\n", &c), 1);
    assert_int_equal(c.set, OPT_SET_USER);
    assert_null(c.shell);
    config_free(&c);
}

static void test_many_errors_in_line_order(void **state)
{
    (void)state;
    static const char text[] =
        "user = early\n"                 /* 1: before any section */
        "[daemon]\n"                     /* 2 */
        "colour = red\n"                 /* 3: unknown key */
        "grace = 1.5s\n"                 /* 4: bad duration */
        "[job \"a\"]\n"                  /* 5: no command (reported here) */
        "schedule = @daily\n"            /* 6 */
        "shell = sh\n"                   /* 7: relative */
        "[oops]\n"                       /* 8: unknown section */
        "key = ignored\n"                /* 9: skipped: section already reported */
        "[job \"ok\"]\n"                 /* 10 */
        "schedule = @hourly\n"           /* 11 */
        "command = true\n"               /* 12 */
        "[job \"a\"]\n"                  /* 13: duplicate */
        "[job \"b\"]\n"                  /* 14: no schedule, no command */
        "env.X = 1\n"                    /* 15 */
        "nonsense\n";                    /* 16: no '=' */
    static const struct {
        int line;
        const char *start;
    } want[] = {
        {1, "key 'user' before"},   {3, "unknown key 'colour'"}, {4, "grace: invalid"},
        {5, "job 'a' has no command"}, {7, "shell: expected"},  {8, "unknown section"},
        {13, "duplicate job 'a'"},  {14, "job 'b' has no schedule"},
        {14, "job 'b' has no command"}, {16, "expected 'key = value'"},
    };
    struct config c;
    assert_int_equal(parse(text, &c), 1);
    if (c.diags.n != COUNT_OF(want))
        diags_print(&c);
    assert_int_equal(c.diags.n, COUNT_OF(want));
    for (size_t i = 0; i < COUNT_OF(want); i++) {
        assert_int_equal(c.diags.items[i].line, want[i].line);
        assert_true(strncmp(c.diags.items[i].msg, want[i].start, strlen(want[i].start)) == 0);
    }
    /* Only the valid job is kept. */
    assert_int_equal(c.njobs, 1);
    assert_string_equal(c.jobs[0].name, "ok");
    config_free(&c);
}

/* inih would append an indented line to the previous value; we do not. */
static void test_indented_line_is_not_a_continuation(void **state)
{
    (void)state;
    struct config c;
    assert_int_equal(parse("[job \"a\"]\nschedule=@daily\ncommand = echo\n    more\n", &c), 1);
    assert_int_equal(c.diags.n, 1);
    assert_int_equal(c.diags.items[0].line, 4);
    assert_int_equal(c.njobs, 0);
    config_free(&c);
}

static void test_long_line_and_nul(void **state)
{
    (void)state;
    char text[600];
    int n = snprintf(text, sizeof text, "[daemon]\nuser = ");
    memset(text + n, 'x', 300);
    snprintf(text + n + 300, sizeof text - (size_t)n - 300, "\nshell = /bin/sh\n");
    struct config c;
    assert_int_equal(parse(text, &c), 1);
    assert_int_equal(c.diags.n, 1);
    assert_int_equal(c.diags.items[0].line, 2);
    assert_string_equal(c.diags.items[0].msg, "line longer than 197 characters");
    assert_string_equal(c.shell, "/bin/sh"); /* the next line is line 3, read whole */
    config_free(&c);

    static const char nul[] = "[daemon]\nuser = a\0b\nshell = /bin/sh\n";
    assert_int_equal(config_parse(nul, sizeof nul - 1, "nul", &c), 1);
    assert_int_equal(c.diags.n, 1);
    assert_int_equal(c.diags.items[0].line, 2);
    assert_string_equal(c.diags.items[0].msg, "line contains a NUL byte");
    config_free(&c);
}

static void test_too_many_crontabs(void **state)
{
    (void)state;
    char text[2048];
    int n = snprintf(text, sizeof text, "[daemon]\ncrontabs =");
    for (int i = 0; i <= OPTIONS_MAX_FILES; i++)
        n += snprintf(text + n, sizeof text - (size_t)n, " %c", 'a' + i % 26);
    snprintf(text + n, sizeof text - (size_t)n, "\n");
    struct config c;
    assert_int_equal(parse(text, &c), 1);
    assert_int_equal(c.diags.n, 1);
    assert_int_equal(c.diags.items[0].line, 2);
    assert_string_equal(c.diags.items[0].msg, "crontabs: 65 paths, at most 64");
    assert_false(c.set & OPT_SET_FILES);
    config_free(&c);
}

/* ------------------------------------------------------------ config_apply -- */

static void options_defaults(struct options *o)
{
    memset(o, 0, sizeof *o);
    o->shell = "/bin/sh";
    o->log_level = LOG_LEVEL_INFO;
    o->grace_ms = 9000;
}

static void test_apply_fills_unset(void **state)
{
    (void)state;
    struct config c;
    parse_ok("[daemon]\n"
             "crontabs = /etc/a   /etc/b.d\n"
             "user = alice\nsystem = yes\nshell = /bin/bash\ntimezone = Asia/Tokyo\n"
             "log_format = json\nlog_level = warn\ngrace = 3s\noverlap = queue\n"
             "clean_env = yes\nno_reload = yes\nno_new_privs = on\npercent_newline = yes\n"
             "output = raw\nsplit_logs = yes\n",
             &c);
    struct options o;
    options_defaults(&o);
    assert_int_equal(config_apply(&c, &o), 0);
    assert_int_equal(o.nfiles, 2);
    assert_string_equal(o.files[0], "/etc/a");
    assert_string_equal(o.files[1], "/etc/b.d");
    assert_string_equal(o.user, "alice");
    assert_true(o.system);
    assert_string_equal(o.shell, "/bin/bash");
    assert_string_equal(o.timezone, "Asia/Tokyo");
    assert_int_equal(o.log_format, LOG_FORMAT_JSON);
    assert_int_equal(o.log_level, LOG_LEVEL_WARN);
    assert_int_equal(o.grace_ms, 3000);
    assert_int_equal(o.overlap, OVERLAP_QUEUE);
    assert_true(o.clean_env);
    assert_true(o.no_reload);
    assert_true(o.no_new_privs);
    assert_true(o.percent_newline);
    assert_int_equal(o.output, LOG_OUTPUT_RAW);
    assert_true(o.split_logs);
    assert_int_equal(o.set, 0); /* left alone: a reload must know what the CLI set */
    assert_string_equal(c.crontabs, "/etc/a   /etc/b.d");
    config_free(&c);
}

/* Values from the command line or CROND_LITE_* (their set bits) win. */
static void test_apply_keeps_cli_and_env(void **state)
{
    (void)state;
    struct config c;
    parse_ok("[daemon]\ncrontabs = /ini\nshell = /bin/bash\ngrace = 3s\nclean_env = yes\n"
             "log_level = debug\nlog_format = json\noutput = raw\nsplit_logs = yes\n",
             &c);
    struct options o;
    options_defaults(&o);
    o.files[0] = "/cli";
    o.nfiles = 1;
    o.shell = "/bin/zsh";
    o.clean_env = false;
    o.log_level = LOG_LEVEL_ERROR;
    o.output = LOG_OUTPUT_RECORDS;
    o.set = OPT_SET_FILES | OPT_SET_SHELL | OPT_SET_CLEAN_ENV | OPT_SET_LOG_LEVEL | OPT_SET_OUTPUT;
    assert_int_equal(config_apply(&c, &o), 0);
    assert_int_equal(o.output, LOG_OUTPUT_RECORDS);
    assert_true(o.split_logs);                    /* not set before: filled */
    assert_int_equal(o.nfiles, 1);
    assert_string_equal(o.files[0], "/cli");
    assert_string_equal(o.shell, "/bin/zsh");
    assert_false(o.clean_env);
    assert_int_equal(o.log_level, LOG_LEVEL_ERROR);
    assert_int_equal(o.grace_ms, 3000);           /* not set before: filled */
    assert_int_equal(o.log_format, LOG_FORMAT_JSON);
    assert_null(o.timezone);                      /* not in the file: default kept */
    assert_int_equal(o.overlap, OVERLAP_SKIP);
    assert_int_equal(o.set, OPT_SET_FILES | OPT_SET_SHELL | OPT_SET_CLEAN_ENV | OPT_SET_LOG_LEVEL |
                                OPT_SET_OUTPUT);
    config_free(&c);
}

static void test_apply_empty_config(void **state)
{
    (void)state;
    struct config c;
    parse_ok("[daemon]\n", &c);
    struct options o;
    options_defaults(&o);
    assert_int_equal(config_apply(&c, &o), 0);
    assert_int_equal(o.nfiles, 0);
    assert_string_equal(o.shell, "/bin/sh");
    assert_int_equal(o.grace_ms, 9000);
    config_free(&c);
}

/* The parser refuses 65 paths; a config built another way still cannot
 * overflow o->files. The split copy follows the string's '\0' (config.c). */
static void test_apply_too_many_paths(void **state)
{
    (void)state;
    enum { N = OPTIONS_MAX_FILES + 1 };
    char *buf = malloc(2 * (2 * N) + 2);
    assert_non_null(buf);
    for (int i = 0; i < N; i++) {
        buf[2 * i] = 'p';
        buf[2 * i + 1] = ' ';
    }
    buf[2 * N - 1] = '\0';
    size_t n = strlen(buf);
    for (size_t i = 0; i <= n; i++)
        buf[n + 1 + i] = buf[i] == ' ' ? '\0' : buf[i];
    struct config c = {.crontabs = buf, .set = OPT_SET_FILES};
    struct options o;
    options_defaults(&o);
    assert_int_equal(config_apply(&c, &o), -1);
    assert_int_equal(o.nfiles, 0);
    buf[2 * (N - 1) - 1] = '\0'; /* drop the last path: now exactly the maximum */
    n = strlen(buf);
    for (size_t i = 0; i <= n; i++)
        buf[n + 1 + i] = buf[i] == ' ' ? '\0' : buf[i];
    assert_int_equal(config_apply(&c, &o), 0);
    assert_int_equal(o.nfiles, OPTIONS_MAX_FILES);
    assert_string_equal(o.files[OPTIONS_MAX_FILES - 1], "p");
    free(buf);
}

/* -------------------------------------------------------------- config_load -- */

static char tmpdir[] = "/tmp/test_config.XXXXXX";

static int setup_dir(void **state)
{
    (void)state;
    return mkdtemp(tmpdir) ? 0 : -1;
}

static int teardown_dir(void **state)
{
    (void)state;
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmpdir);
    return system(cmd) == 0 ? 0 : -1;
}

static void path_in_tmp(char *buf, size_t len, const char *name)
{
    snprintf(buf, len, "%s/%s", tmpdir, name);
}

static void load_expect_error(const char *path, const char *msg)
{
    struct config c;
    assert_int_equal(config_load(path, &c), 1);
    assert_string_equal(c.path, path);
    assert_int_equal(c.diags.n, 1);
    assert_int_equal(c.diags.items[0].line, 0);
    assert_string_equal(c.diags.items[0].msg, msg);
    config_free(&c);
}

static void test_load_missing_dir_fifo(void **state)
{
    (void)state;
    char path[256];
    path_in_tmp(path, sizeof path, "missing.ini");
    load_expect_error(path, "cannot open: No such file or directory");
    load_expect_error(tmpdir, "not a regular file");
    path_in_tmp(path, sizeof path, "fifo");
    assert_int_equal(mkfifo(path, 0600), 0);
    load_expect_error(path, "not a regular file"); /* returns: no writer, no hang */
}

static void file_write(const char *path, const char *data, size_t len)
{
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    assert_int_equal(fwrite(data, 1, len, f), len);
    assert_int_equal(fclose(f), 0);
}

static void test_load_file(void **state)
{
    (void)state;
    char path[256];
    path_in_tmp(path, sizeof path, "good.ini");
    file_write(path, design_example, strlen(design_example));
    struct config c;
    assert_int_equal(config_load(path, &c), 0);
    assert_string_equal(c.path, path);
    assert_int_equal(c.njobs, 1);
    assert_int_equal(c.grace_ms, 20000);
    config_free(&c);

    path_in_tmp(path, sizeof path, "bad.ini");
    file_write(path, "[daemon]\nx=1\n", 13);
    assert_int_equal(config_load(path, &c), 1);
    assert_int_equal(c.diags.items[0].line, 2);
    config_free(&c);
}

static void test_load_too_large(void **state)
{
    (void)state;
    char path[256];
    path_in_tmp(path, sizeof path, "big.ini");
    size_t len = 1024 * 1024 + 1;
    char *data = malloc(len);
    assert_non_null(data);
    memset(data, '\n', len);
    file_write(path, data, len);
    load_expect_error(path, "larger than 1048576 bytes");
    file_write(path, data, len - 1); /* exactly 1 MiB of blank lines: fine */
    struct config c;
    assert_int_equal(config_load(path, &c), 0);
    config_free(&c);
    free(data);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_design_example),
        cmocka_unit_test(test_daemon_every_key),
        cmocka_unit_test(test_job_every_key),
        cmocka_unit_test(test_several_jobs_and_unquoted_name),
        cmocka_unit_test(test_long_job_name_not_truncated),
        cmocka_unit_test(test_comments_blanks_spacing),
        cmocka_unit_test(test_crlf_bom_and_no_final_newline),
        cmocka_unit_test(test_empty_input),
        cmocka_unit_test(test_each_error),
        cmocka_unit_test(test_duration_error_names_key),
        cmocka_unit_test(test_bad_value_sets_no_bit),
        cmocka_unit_test(test_many_errors_in_line_order),
        cmocka_unit_test(test_indented_line_is_not_a_continuation),
        cmocka_unit_test(test_long_line_and_nul),
        cmocka_unit_test(test_too_many_crontabs),
        cmocka_unit_test(test_apply_fills_unset),
        cmocka_unit_test(test_apply_keeps_cli_and_env),
        cmocka_unit_test(test_apply_empty_config),
        cmocka_unit_test(test_apply_too_many_paths),
        cmocka_unit_test(test_load_missing_dir_fifo),
        cmocka_unit_test(test_load_file),
        cmocka_unit_test(test_load_too_large),
    };
    return cmocka_run_group_tests(tests, setup_dir, teardown_dir);
}
