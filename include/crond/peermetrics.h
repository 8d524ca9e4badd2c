/* peermetrics: the metric families of go-crond and supercronic, served
 * beside crond-lite's own under their personality (DESIGN.md section 9), so
 * that dashboards and alerts built on them keep working.
 *
 * Names, types and labels are the peers' own (facts from their sources):
 * - go-crond: gocrond_task_info, gocrond_task_run_count{result="success|
 *   error"}, gocrond_task_run_result (1 success, 0 not), gocrond_task_run_time
 *   (when the last run ended), gocrond_task_run_duration (its seconds),
 *   gocrond_task_run_next_time, gocrond_task_run_prev_time (the last start),
 *   labelled cronSpec, cronUser, cronCommand;
 * - supercronic: supercronic_currently_running, supercronic_executions,
 *   supercronic_successful_executions, supercronic_failed_executions,
 *   supercronic_deadline_exceeded (due while the last run still ran),
 *   supercronic_cron_execution_time_seconds (histogram, 10 s to 1 h),
 *   labelled command, position (the job's index in its file, from 0),
 *   schedule.
 * These labels carry the command, as the peers' do; crond-lite's own
 * families never do. Two jobs with the same labels (the same line twice)
 * would be one series: the later loaded one is left out.
 * Pure: from the table to text.
 */
#ifndef CROND_PEERMETRICS_H
#define CROND_PEERMETRICS_H

#include "crond/compat.h"

struct jobtab;
struct util_buf;

/* Appends personality p's families for every job of t (nothing for
 * COMPAT_NONE). self_name is the user crond-lite runs as (go-crond's
 * cronUser of jobs without a user of their own). Returns 0, or -1 when out
 * of memory (out->oom is set). */
int peermetrics_render(struct util_buf *out, const struct jobtab *t, enum compat_personality p,
                       const char *self_name);

#endif
