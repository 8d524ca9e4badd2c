/* replay: runs a fuzz target's LLVMFuzzerTestOneInput on saved inputs,
 * without libFuzzer, so that the committed corpora and the regression
 * inputs are regression tests of the normal (and the ASan) build.
 *
 *   fuzz_NAME [-q] PATH...
 *
 * Each PATH is an input file, or a directory whose regular files (not
 * hidden ones, not subdirectories) are inputs, in name order. Before each
 * input its path goes to stderr (unless -q), so that after a crash the last
 * path printed names the culprit. At the end: "replayed N inputs" on
 * stdout. Exit status 0; a failed check aborts (the target's CHECK) and a
 * sanitizer report ends the process, as under libFuzzer. A PATH that cannot
 * be read is an error (exit 2): a typo must not pass as "nothing to replay".
 */
#include <dirent.h>
#include <errno.h>
#include <stdbool.h>
#include <sys/stat.h>

#include "fuzz.h"

static bool quiet;
static size_t replayed;

/* Reads the whole file into an exact-size heap block (1 byte for an empty
 * file, passed with size 0), so that ASan sees a read past the input. */
static int read_file(const char *path, uint8_t **out, size_t *out_len)
{
    FILE *f = fopen(path, "rb");
    if (f == NULL)
        return -1;
    size_t cap = 4096, len = 0;
    uint8_t *buf = malloc(cap);
    while (buf != NULL) {
        size_t n = fread(buf + len, 1, cap - len, f);
        len += n;
        if (n == 0)
            break;
        if (len == cap) {
            uint8_t *b = realloc(buf, cap *= 2);
            if (b == NULL)
                free(buf);
            buf = b;
        }
    }
    bool bad = buf == NULL || ferror(f);
    fclose(f);
    if (bad) {
        free(buf);
        return -1;
    }
    uint8_t *exact = malloc(len ? len : 1);
    if (exact == NULL) {
        free(buf);
        return -1;
    }
    if (len > 0)
        memcpy(exact, buf, len);
    free(buf);
    *out = exact;
    *out_len = len;
    return 0;
}

static int replay_file(const char *path)
{
    uint8_t *data;
    size_t len;
    if (read_file(path, &data, &len) != 0) {
        fprintf(stderr, "replay: %s: cannot read: %s\n", path, strerror(errno));
        return -1;
    }
    if (!quiet)
        fprintf(stderr, "replay: %s (%zu bytes)\n", path, len);
    LLVMFuzzerTestOneInput(data, len);
    free(data);
    replayed++;
    return 0;
}

static int skip_hidden(const struct dirent *d)
{
    return d->d_name[0] != '.';
}

static int replay_dir(const char *dir)
{
    struct dirent **names;
    int n = scandir(dir, &names, skip_hidden, alphasort);
    if (n < 0) {
        fprintf(stderr, "replay: %s: cannot list: %s\n", dir, strerror(errno));
        return -1;
    }
    int rc = 0;
    for (int i = 0; i < n; i++) {
        char *path;
        struct stat st;
        if (rc == 0 && asprintf(&path, "%s/%s", dir, names[i]->d_name) < 0) {
            rc = -1;
        } else if (rc == 0) {
            if (stat(path, &st) == 0 && S_ISREG(st.st_mode) && replay_file(path) != 0)
                rc = -1;
            free(path);
        }
        free(names[i]);
    }
    free(names);
    return rc;
}

int main(int argc, char **argv)
{
    int rc = 0, first = 1;
    if (argc > 1 && strcmp(argv[1], "-q") == 0) {
        quiet = true;
        first = 2;
    }
    if (first >= argc) {
        fprintf(stderr, "usage: %s [-q] FILE|DIR...\n", argv[0]);
        return 2;
    }
    for (int i = first; i < argc && rc == 0; i++) {
        struct stat st;
        if (stat(argv[i], &st) != 0) {
            fprintf(stderr, "replay: %s: %s\n", argv[i], strerror(errno));
            rc = -1;
        } else if (S_ISDIR(st.st_mode)) {
            rc = replay_dir(argv[i]);
        } else {
            rc = replay_file(argv[i]);
        }
    }
    printf("replayed %zu inputs\n", replayed);
    return rc == 0 ? 0 : 2;
}
