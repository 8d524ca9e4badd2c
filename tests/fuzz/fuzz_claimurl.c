/* fuzz_claimurl: claimurl_parse and claimurl_redacted on --claim's URL.
 * See README.md.
 *
 * Input: the URL text itself (no NUL).
 *
 * Properties:
 * - the result is 0 or -1; -1 comes with a message that starts "column N"
 *   (1 <= N <= len + 1) but for the rediss:// one;
 * - on success: the host is non-empty and has no '/', '@', '?' or '#';
 *   1 <= port <= 65535; 0 <= db <= CLAIMURL_DB_MAX; a user only with a
 *   password; the text starts with "redis://"; the fields fit their arrays;
 *   the redacted form is exactly the user, "***" for the password, the
 *   host, port and db (so the password cannot be in it), and a user-less
 *   one parses back to the same host, port and db;
 * - the output arrays are NUL-terminated (exact-size copies: ASan).
 */
#include <stdbool.h>

#include "crond/claimurl.h"
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > 4096)
        return 0;
    char *text = fuzz_cstring(data, size);
    if (text == NULL)
        return 0;
    struct claimurl u;
    char err[256];
    err[0] = '\0';
    int rc = claimurl_parse(text, &u, err, sizeof err);
    CHECKF(rc == 0 || rc == -1, "rc %d", rc);
    if (rc != 0) {
        if (strncmp(text, "rediss://", 9) != 0) {
            CHECKF(strncmp(err, "column ", 7) == 0, "message '%s'", err);
            unsigned long col = strtoul(err + 7, NULL, 10);
            CHECKF(col >= 1 && col <= size + 1, "column %lu, length %zu", col, size);
        }
        free(text);
        return 0;
    }
    CHECK(strncmp(text, "redis://", 8) == 0);
    CHECK(memchr(u.host, '\0', sizeof u.host) != NULL && u.host[0] != '\0');
    CHECK(strpbrk(u.host, "/@?#") == NULL);
    CHECK(u.port >= 1 && u.port <= 65535);
    CHECK(u.db >= 0 && u.db <= CLAIMURL_DB_MAX);
    CHECK(memchr(u.password, '\0', sizeof u.password) != NULL);
    CHECK(memchr(u.user, '\0', sizeof u.user) != NULL);
    CHECK(u.user[0] == '\0' || u.password[0] != '\0');
    char red[1024];
    claimurl_redacted(&u, red, sizeof red);
    /* exactly the fields, the password as "***": it cannot leak */
    char want[1024];
    bool v6 = strchr(u.host, ':') != NULL;
    snprintf(want, sizeof want, "redis://%s%s%s%s%s:%d/%d", u.user,
             u.password[0] != '\0' ? ":***@" : "", v6 ? "[" : "", u.host, v6 ? "]" : "", u.port,
             u.db);
    CHECKF(strcmp(red, want) == 0, "'%s', wanted '%s'", red, want);
    struct claimurl back;
    char *again = strdup(red);
    CHECK(again != NULL);
    /* the redacted password "***" parses; the user may hold what a URL
     * cannot carry unescaped, so only a user-less URL must round-trip */
    if (u.user[0] == '\0') {
        CHECKF(claimurl_parse(again, &back, err, sizeof err) == 0, "'%s': %s", again, err);
        CHECK(strcmp(back.host, u.host) == 0 && back.port == u.port && back.db == u.db);
    }
    free(again);
    free(text);
    return 0;
}
