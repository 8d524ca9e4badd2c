/* Microbenchmark of starting jobs: N spawns of `/bin/sh -c true` through
 * runner_spawn (the daemon's whole set-up: environment, pipes, the child's
 * steps, the exec) against a plain posix_spawn loop of the same command,
 * in one run. Children are reaped after the loop, as a burst's are.
 *
 *   build/bench/bench_spawn [N] [ROUNDS]
 *
 * Prints microseconds per spawn for each (the median of ROUNDS rounds) and
 * their ratio; bench/README.md records the figures.
 */
#include <errno.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "crond/runner.h"
#include "crond/user.h"

extern char **environ;

static double now_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e6 + (double)ts.tv_nsec / 1e3;
}

static void reap_all(void)
{
    int st;
    while (waitpid(-1, &st, 0) > 0 || errno == EINTR)
        ;
}

static double round_posix_spawn(int n)
{
    char *argv[] = {"sh", "-c", "true", NULL};
    double t0 = now_us();
    for (int i = 0; i < n; i++) {
        pid_t pid;
        if (posix_spawn(&pid, "/bin/sh", NULL, NULL, argv, environ) != 0) {
            perror("posix_spawn");
            exit(1);
        }
    }
    double t = (now_us() - t0) / n;
    reap_all();
    return t;
}

static double round_runner(int n, const struct user *self)
{
    struct runner_child c;
    char err[256];
    double t0 = now_us();
    for (int i = 0; i < n; i++) {
        char **env = runner_env_job(environ, NULL, self, false, "/bin/sh", false);
        struct runner_req req = {"/bin/sh", "true", NULL, env, "/", NULL, 0, false};
        if (env == NULL || runner_spawn(&req, &c, err, sizeof err) != 0) {
            fprintf(stderr, "runner_spawn: %s\n", err);
            exit(1);
        }
        runner_env_free(env);
        (void)close(c.out_fd);
        (void)close(c.err_fd);
    }
    double t = (now_us() - t0) / n;
    reap_all();
    return t;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

int main(int argc, char **argv)
{
    int n = argc > 1 ? atoi(argv[1]) : 1000;
    int rounds = argc > 2 ? atoi(argv[2]) : 5;
    if (n < 1 || rounds < 1 || rounds > 99)
        return 2;
    struct user self;
    char err[256];
    if (user_self(NULL, NULL, &self, err, sizeof err) != 0)
        return 1;
    double ps[99], rs[99];
    for (int r = 0; r < rounds; r++) {
        ps[r] = round_posix_spawn(n);
        rs[r] = round_runner(n, &self);
    }
    qsort(ps, (size_t)rounds, sizeof ps[0], cmp_double);
    qsort(rs, (size_t)rounds, sizeof rs[0], cmp_double);
    printf("posix_spawn loop: %.1f us per spawn (median of %d x %d)\n", ps[rounds / 2], rounds, n);
    printf("runner_spawn:     %.1f us per spawn (median of %d x %d)\n", rs[rounds / 2], rounds, n);
    printf("ratio:            %.2f\n", rs[rounds / 2] / ps[rounds / 2]);
    user_free(&self);
    return 0;
}
