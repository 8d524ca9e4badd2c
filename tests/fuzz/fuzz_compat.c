/* fuzz_compat: compat_translate on a peer's command line and variables,
 * then options_parse on what it wrote, and compat_hint on every word. See
 * README.md.
 *
 * Input: byte 0, low 7 bits: how many words go to argv after argv[0]; bits
 * of byte 1 pick argv[0]: 0 "crond-lite", 1 "/usr/local/bin/go-crond", 2
 * "supercronic", 3 "crond-lite" with CROND_LITE_COMPAT among the variables.
 * The other bytes are the words, split at NUL bytes (at most MAX_WORDS):
 * the first ones to argv, the rest to envp as they are (VERBOSE=1,
 * SERVER_BIND=:8080, SENTRY_DSN=...).
 *
 * Properties:
 * - the result is 0 or -1; -1 comes with a message starting "crond-lite"
 *   and leaves nothing allocated; 0 with an empty message;
 * - on success: argv is NULL-terminated after argc words, argv[0] is the
 *   caller's, every word non-NULL; the personality is the program name's
 *   (or --compat's); without one, the words are the caller's minus
 *   --compat NAME, in order; every USER:PATH has both parts non-empty;
 * - options_parse reads the native line without crashing, and when it
 *   accepts it every string it keeps is alive until compat_args_free
 *   (AddressSanitizer);
 * - compat_hint gives NULL or a non-empty text for every word;
 * - compat_args_free (twice) frees everything (LeakSanitizer).
 */
#include <stdbool.h>

#include "crond/compat.h"
#include "crond/options.h"
#include "fuzz.h"

#define MAX_WORDS 128

static char *word_dup(const uint8_t *p, size_t len)
{
    char *w = malloc(len + 1);
    CHECK(w != NULL);
    if (len > 0)
        memcpy(w, p, len);
    w[len] = '\0';
    return w;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const char *const names[] = {"crond-lite", "/usr/local/bin/go-crond", "supercronic",
                                        "crond-lite"};
    if (size < 2)
        return 0;
    size_t nargv = data[0] & 0x7f;
    unsigned pick = data[1] & 3;
    char *argv[MAX_WORDS + 2], *envp[MAX_WORDS + 3];
    size_t na = 0, ne = 0, nwords = 0, start = 2;
    argv[na++] = word_dup((const uint8_t *)names[pick], strlen(names[pick]));
    if (pick == 3)
        envp[ne++] = word_dup((const uint8_t *)"CROND_LITE_COMPAT=supercronic", 29);
    for (size_t i = 2; size > 2 && i <= size && nwords < MAX_WORDS; i++) {
        if (i < size && data[i] != '\0')
            continue;
        if (nwords++ < nargv)
            argv[na++] = word_dup(data + start, i - start);
        else
            envp[ne++] = word_dup(data + start, i - start);
        start = i + 1;
    }
    argv[na] = envp[ne] = NULL;

    struct compat_args a;
    char err[512];
    int rc = compat_translate((int)na, argv, envp, &a, err, sizeof err);
    CHECKF(rc == 0 || rc == -1, "rc %d", rc);
    if (rc != 0) {
        CHECKF(strncmp(err, "crond-lite", 10) == 0, "message '%s'", err);
        CHECK(a.argv == NULL);
    } else {
        CHECK(err[0] == '\0');
        CHECK(a.argc >= 1 && a.argv != NULL && a.argv[a.argc] == NULL);
        CHECK(a.argv[0] == argv[0]);
        for (int i = 0; i < a.argc; i++)
            CHECK(a.argv[i] != NULL);
        enum compat_personality p = a.extras.personality;
        CHECK((int)p >= COMPAT_NONE && p <= COMPAT_SUPERCRONIC);
        bool flag = false;
        for (size_t i = 1; i < na && !flag; i++)
            flag = strcmp(argv[i], "--") == 0 ? (i = na, false)
                   : strcmp(argv[i], "--compat") == 0 || strncmp(argv[i], "--compat=", 9) == 0;
        if (!flag && pick == 1)
            CHECK(p == COMPAT_GO_CROND);
        if (!flag && pick == 2)
            CHECK(p == COMPAT_SUPERCRONIC);
        if (p == COMPAT_NONE && !flag)
            CHECK((size_t)a.argc == na && memcmp(a.argv, argv, na * sizeof *argv) == 0);
        for (size_t i = 0; i < a.extras.nuser_files; i++)
            CHECK(a.extras.user_files[i].user[0] != '\0' && a.extras.user_files[i].path[0] != '\0');
        struct options o;
        if (options_parse(a.argc, a.argv, envp, &o, err, sizeof err) == 0) {
            if (o.workdir != NULL)
                CHECK(o.workdir[0] == '/');
            for (size_t i = 0; i < o.nsystem_files; i++)
                CHECK(strlen(o.system_files[i]) > 0); /* alive: ASan */
            options_free(&o);
        }
        compat_args_free(&a);
    }
    compat_args_free(&a);
    for (size_t i = 1; i < na; i++) {
        const char *h = compat_hint(argv[i]);
        CHECK(h == NULL || h[0] != '\0');
    }
    for (size_t i = 0; i < na; i++)
        free(argv[i]);
    for (size_t i = 0; i < ne; i++)
        free(envp[i]);
    return 0;
}
