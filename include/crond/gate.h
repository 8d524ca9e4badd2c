/* gate: what stands between a due time and a run when there is more than
 * one replica (DESIGN.md section 11): the run's id, the claim's expiry, the
 * guard's verdict, the replica's name. The daemon wires them to claim.h and
 * to the guard's process; these are the decisions, without a loop.
 */
#ifndef CROND_GATE_H
#define CROND_GATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* How long a guard may run before it is stopped (and its run skipped with
 * a job.error): SIGTERM after this, SIGKILL after --grace more. */
#define GATE_GUARD_TIMEOUT_MS 30000
/* A claim's key lives at least this long: longer than the catch-up of a
 * forward clock step (DESIGN.md section 3: under three hours), so a replica
 * whose clock jumped does not claim an old due time again. */
#define GATE_TTL_MIN_S (3 * 3600 + 60)

/* CROND_LITE_RUN: the daemon's random prefix and the run's sequence number,
 * "3f2a9c1d5e6b7a80-42": unique per run, across replicas and restarts. */
void gate_run_id(uint64_t prefix, uint64_t seq, char *out, size_t outlen);
/* A prefix for gate_run_id: random (getrandom), else time and pid. */
uint64_t gate_run_prefix(void);

/* The claim key's expiry in seconds: GATE_TTL_MIN_S, or the run's timeout
 * plus the grace plus a minute when that is longer. */
int64_t gate_ttl_s(int64_t timeout_ms, int64_t grace_ms);

enum gate_verdict { GATE_RUN, GATE_SKIP, GATE_ERROR };
/* The guard's answer from its wait status: exit 0 runs the job, exit 1
 * skips it (reason=guard), anything else (another status, a signal, its
 * timeout) is a job.error whose message goes to msg. */
enum gate_verdict gate_guard_verdict(int wstatus, bool timed_out, char *msg, size_t msglen);

/* The replica's name, the claim key's value: HOSTNAME:PID (a pod's or a
 * container's host name tells which one ran a job). */
void gate_replica(char *out, size_t outlen);

#endif
