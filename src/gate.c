/* gate: the decisions before a run among replicas (see gate.h). */
#include "crond/gate.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <sys/random.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "crond/proc.h"

void gate_run_id(uint64_t prefix, uint64_t seq, char *out, size_t outlen)
{
    snprintf(out, outlen, "%016" PRIx64 "-%" PRIu64, prefix, seq);
}

uint64_t gate_run_prefix(void)
{
    uint64_t v = 0;
    if (getrandom(&v, sizeof v, GRND_NONBLOCK) == (ssize_t)sizeof v && v != 0)
        return v;
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    /* splitmix64 of the time and the pid */
    v = (uint64_t)ts.tv_sec * 1000000007u ^ (uint64_t)ts.tv_nsec ^ ((uint64_t)getpid() << 32);
    v += UINT64_C(0x9e3779b97f4a7c15);
    v = (v ^ (v >> 30)) * UINT64_C(0xbf58476d1ce4e5b9);
    v = (v ^ (v >> 27)) * UINT64_C(0x94d049bb133111eb);
    return v ^ (v >> 31);
}

int64_t gate_ttl_s(int64_t timeout_ms, int64_t grace_ms)
{
    if (timeout_ms <= 0)
        return GATE_TTL_MIN_S;
    int64_t s = (timeout_ms + grace_ms + 999) / 1000 + 60;
    return s > GATE_TTL_MIN_S ? s : GATE_TTL_MIN_S;
}

enum gate_verdict gate_guard_verdict(int wstatus, bool timed_out, char *msg, size_t msglen)
{
    msg[0] = '\0';
    if (timed_out) {
        snprintf(msg, msglen, "guard: no answer within %d s", GATE_GUARD_TIMEOUT_MS / 1000);
        return GATE_ERROR;
    }
    if (WIFEXITED(wstatus) && WEXITSTATUS(wstatus) == 0)
        return GATE_RUN;
    if (WIFEXITED(wstatus) && WEXITSTATUS(wstatus) == 1)
        return GATE_SKIP;
    if (WIFEXITED(wstatus))
        snprintf(msg, msglen, "guard: exit status %d (0 runs the job, 1 skips it)",
                 WEXITSTATUS(wstatus));
    else
        snprintf(msg, msglen, "guard: ended by %s",
                 WIFSIGNALED(wstatus) ? proc_signal_name(WTERMSIG(wstatus)) : "an unknown status");
    return GATE_ERROR;
}

void gate_replica(char *out, size_t outlen)
{
    char host[256];
    if (gethostname(host, sizeof host) != 0)
        snprintf(host, sizeof host, "unknown");
    host[sizeof host - 1] = '\0';
    snprintf(out, outlen, "%s:%ld", host, (long)getpid());
}
