/* watch: noticing that crontabs changed on disk (inotify), telling a real
 * change from noise (a digest of what the loader would read), and the
 * wake-up timer that also notices the wall clock being set. Knows
 * paths and the loader's directory rule; not jobs, not libev: the daemon
 * watches the fd and calls watch_read when it is readable.
 */
#ifndef CROND_WATCH_H
#define CROND_WATCH_H

#include <stddef.h>
#include <stdint.h>

struct watch {
    int fd;        /* inotify, non-blocking and close-on-exec; -1: not watching */
    int clock_wd;  /* the watch of libfaketime's timestamp file, or -1 */
};

/* What watch_read saw (a bit set). */
enum watch_change {
    WATCH_CRONTABS = 1,  /* something changed where crontabs are */
    WATCH_CLOCK = 2,     /* libfaketime's timestamp file changed: a clock step */
};

/* Starts an inotify instance. Returns 0, or -1 with err (w->fd stays -1). */
int watch_open(struct watch *w, char *err, size_t errlen);
/* Watches a crontab path: a directory itself, a file through its directory,
 * so that a rename over it (an editor's save, the ConfigMap ..data swap) is
 * seen. Adding a directory twice is harmless: this runs after every reload
 * and picks up directories that were replaced. Returns 0 or -1 with err. */
int watch_add(struct watch *w, const char *path, char *err, size_t errlen);
/* watch_add for each path and the INI file (when not NULL: its [job]
 * sections reload too). Returns 0, or -1 with the last problem in err. */
int watch_add_all(struct watch *w, const char *const *paths, size_t npaths, const char *ini,
                  char *err, size_t errlen);
/* Under libfaketime a "clock step" is a rewrite of its timestamp file and
 * moves no kernel clock: watching the file lets tests step the clock of a
 * sleeping daemon the way settimeofday would. Returns 0 or -1 with err. */
int watch_add_clock(struct watch *w, const char *file, char *err, size_t errlen);
/* Reads every pending event; returns enum watch_change bits. */
unsigned watch_read(struct watch *w);
void watch_close(struct watch *w);

/* The wake-up timer: a timerfd on CLOCK_REALTIME armed at an absolute time
 * (TFD_TIMER_ABSTIME), so the daemon wakes at a due second to the
 * nanosecond, not at a millisecond-rounded relative timeout; with
 * TFD_TIMER_CANCEL_ON_SET it also wakes at once when the wall clock is set
 * (an operator, NTP stepping), so a step is seen without polling.
 * watch_timer_open returns the fd (non-blocking, close-on-exec), or -1 with
 * err. */
int watch_timer_open(char *err, size_t errlen);
/* Arms it at due_ms (UTC milliseconds; a time past fires at once), or, for
 * WATCH_TIMER_NEVER, far in the future, where it still sees clock steps.
 * Returns 0 or -1 with err. */
#define WATCH_TIMER_NEVER INT64_MAX
int watch_timer_arm(int fd, int64_t due_ms, char *err, size_t errlen);
/* What woke it (after the fd became readable). */
enum watch_timer {
    WATCH_TIMER_NONE,       /* nothing (read again before it fired) */
    WATCH_TIMER_DUE,        /* the time it was armed for came */
    WATCH_TIMER_CLOCK_SET,  /* the wall clock was set */
};
enum watch_timer watch_timer_read(int fd);

/* A digest of what the loader would read: each path's identity, size, times
 * and mode, and for a directory each crontab name in it (and the INI file,
 * when not NULL). A watched directory also sees files that are no crontab (a
 * log written next to a crontab named with -f): the digest does not change
 * for those, so they cause no reload. */
uint64_t watch_digest(const char *const *paths, size_t npaths, const char *ini);

#endif
